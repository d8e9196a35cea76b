"""Creating databases: schema, reference tables, derived columns.

A database is always built in a temporary file beside the target and moved into place with
``os.replace``: a reader (the running app) never sees a half-built file, and a failure leaves
the previous database as it was.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd

from . import db, workdays
from . import metrics as M

DATA_DIR = db.ROOT / "data"

COMPLAINT_RAW_COLUMNS = [
    "reg_no", "appeal_type", "received_at", "received_date", "accepted_date", "acceptance",
    "closed_at", "closed_date", "channel", "is_odr", "object_class", "category", "subcategory",
    "problem", "outcome", "outcome_raw", "district_code", "township", "merchant_id",
    "merchant_name", "credit_code", "disputed_yuan", "recovered_yuan",
]
COMPLAINT_DERIVED_COLUMNS = ["resolution_days", "resolution_wdays", "deadline_date", "accept_deadline"]

# Derived columns from the official calendar. ``{src}`` is a staging relation with the raw
# columns; it is substituted from code only (never from user input).
_DERIVED_SELECT = """
    SELECT {raw},
           CASE WHEN s.closed_date IS NULL THEN NULL
                ELSE date_diff('day', s.received_date, s.closed_date) END AS resolution_days,
           CASE WHEN s.closed_date IS NULL THEN NULL ELSE cc.wd_idx - cr.wd_idx END AS resolution_wdays,
           CASE WHEN s.is_odr THEN d10.d
                WHEN s.acceptance = '不予受理' OR s.outcome = '不予受理' THEN d7.d
                WHEN s.accepted_date IS NOT NULL THEN d45.d
                ELSE d52.d END AS deadline_date,
           d7.d AS accept_deadline,
           {source} AS source
    FROM {src} s
    LEFT JOIN calendar cr ON cr.d = s.received_date
    LEFT JOIN calendar cc ON cc.d = s.closed_date
    LEFT JOIN calendar ca ON ca.d = s.accepted_date
    LEFT JOIN workdays d7 ON d7.wd_idx = cr.wd_idx + 7
    LEFT JOIN workdays d10 ON d10.wd_idx = cr.wd_idx + 10
    LEFT JOIN workdays d52 ON d52.wd_idx = cr.wd_idx + 52
    LEFT JOIN workdays d45 ON d45.wd_idx = ca.wd_idx + 45
    ORDER BY s.received_at
"""
_STAGING_NAMES = {"staging_complaints", "complaints_sample_chunk", "new_complaints"}


def derived_select(src: str, source_sql: str = "s.source") -> str:
    """SELECT producing full ``complaints`` rows (raw + derived + source) from staging ``src``,
    in received order (so that the table stays roughly sorted by date and DuckDB's zone maps can
    skip row groups outside a period)."""
    if src not in _STAGING_NAMES:
        raise ValueError(f"unknown staging relation {src!r}")
    raw = ", ".join(f"s.{c}" for c in COMPLAINT_RAW_COLUMNS)
    return _DERIVED_SELECT.format(raw=raw, src=src, source=source_sql)


# Pre-aggregated complaints for the global filters (period, districts, route): one row per
# received date, district, route, resolution days, on-time flag and (for open complaints)
# deadline, with the recovered amounts' exact sum (yuan) and sum of squares (yuan², for the
# rankings' normal-approximation intervals). Integer resolution days make exact medians from the
# histogram. Built from the same
# metric SQL as the plain queries; analytics/queries.py uses it only while
# meta.agg_for == agg_stamp(meta.data_version), and tests check both paths give the same answers.
_AGG_SQL = f"""
    CREATE OR REPLACE TABLE agg_complaints AS
    SELECT c.received_date, c.district_code, c.is_odr,
           {M.IS_CLOSED} AS closed,
           c.resolution_days,
           ({M.ON_TIME_NUM}) AS on_time,
           CASE WHEN c.closed_date IS NULL THEN c.deadline_date END AS open_deadline,
           count(*)::BIGINT AS n,
           coalesce(sum(c.recovered_yuan), 0) AS recovered_yuan,
           coalesce(sum(c.disputed_yuan), 0) AS disputed_yuan,
           coalesce(sum(c.recovered_yuan * c.recovered_yuan), 0)::DECIMAL(38, 4) AS recovered_sq
    FROM complaints c WHERE c.appeal_type = '投诉'
    GROUP BY ALL
    ORDER BY c.received_date
"""


# Returns per day, district and store (stores numbered: counting distinct integers is much faster
# than counting distinct names), for returns_summary.
_AGG_RETURNS_SQL = """
    CREATE OR REPLACE TABLE agg_returns AS
    WITH keyed AS (
        SELECT r.*, dense_rank() OVER (ORDER BY coalesce(nullif(r.credit_code, ''), r.store_name)) AS store_key
        FROM returns r
    )
    SELECT return_date, district_code, store_key::INTEGER AS store_key,
           count(*)::BIGINT AS n, sum(amount_yuan) AS amount_yuan,
           count(*) FILTER (WHERE completed)::BIGINT AS n_completed
    FROM keyed GROUP BY ALL ORDER BY return_date
"""


# Settled ODR complaints per closing date and district, for odr_resolved (the complaints table is
# in received-date order, so a closed-date range scans all of it).
_AGG_CLOSED_SQL = f"""
    CREATE OR REPLACE TABLE agg_closed AS
    SELECT c.closed_date, c.district_code, c.is_odr, count(*)::BIGINT AS n_settled
    FROM complaints c
    WHERE c.appeal_type = '投诉' AND c.closed_date IS NOT NULL AND {M.IS_SETTLED}
    GROUP BY ALL ORDER BY c.closed_date
"""

# Registry intervals: units per (programme, district, start, end). A unit is on a register on day
# d when start <= d and (end is null or end > d); counting units is summing n over the intervals.
_AGG_REGISTRY_SQL = """
    CREATE OR REPLACE TABLE agg_registry AS
    SELECT 'odr' AS kind, district_code, odr_enrolled_date AS start_date,
           odr_withdrawn_date AS end_date, count(*)::BIGINT AS n
    FROM merchants WHERE odr_enrolled_date IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT 'returns', district_code, return_commit_date, return_withdrawn_date, count(*)::BIGINT
    FROM merchants WHERE return_commit_date IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT unit_type, district_code, named_date, withdrawn_date, count(*)::BIGINT
    FROM demo_units GROUP BY ALL
"""

# The fast-path tables of this module (see analytics/aggregates.py).
AGGREGATES = {"agg_complaints": _AGG_SQL, "agg_returns": _AGG_RETURNS_SQL,
              "agg_closed": _AGG_CLOSED_SQL, "agg_registry": _AGG_REGISTRY_SQL}


def agg_stamp(data_version: str | None) -> str | None:
    """The ``agg_for`` meta value that marks aggregates as built for ``data_version``."""
    from . import aggregates
    return aggregates.stamp(data_version)


def refresh_aggregates(con) -> None:
    """Rebuild the pre-aggregated tables; call after any change to complaints or returns."""
    from . import aggregates
    aggregates.refresh(con)


def insert_complaints(con, src: str) -> None:
    """INSERT into ``complaints`` the rows of staging relation ``src`` (allow-listed), with the
    derived columns computed from the official calendar."""
    con.execute(INSERT_COMPLAINTS[src])


INSERT_COMPLAINTS = {name: "INSERT INTO complaints " + derived_select(name) for name in sorted(_STAGING_NAMES)}


def load_reference(con, extra_holidays: Path | None = None) -> None:
    """Districts, townships and the official calendar (replacing what is there)."""
    con.execute("DELETE FROM districts")
    con.execute("DELETE FROM townships")
    con.execute("DELETE FROM calendar")
    with (DATA_DIR / "districts.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            con.execute("INSERT INTO districts VALUES (?, ?, ?, ?, ?, ?)",
                        [r["code"], r["name"], r["short_name"], r["name_en"], int(r["population"]), r["pop_note"]])
    with (DATA_DIR / "townships.csv").open(encoding="utf-8") as f:
        con.executemany("INSERT INTO townships VALUES (?, ?)",
                        [[r["name"], r["district_code"]] for r in csv.DictReader(f)])
    cal = pd.DataFrame(workdays.calendar_rows(extra_path=extra_holidays),
                       columns=["d", "is_workday", "wd_idx", "known", "holiday"])
    con.register("cal_df", cal)
    con.execute("INSERT INTO calendar SELECT d::DATE, is_workday, wd_idx, known, holiday FROM cal_df")
    con.unregister("cal_df")
    con.execute("CREATE OR REPLACE VIEW workdays AS SELECT d, wd_idx FROM calendar WHERE is_workday")


def set_meta(con, **kv) -> None:
    for k, v in kv.items():
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [k, None if v is None else str(v)])


def new_database(path: Path) -> "duckdb.DuckDBPyConnection":  # noqa: F821
    """Create an empty database with schema and reference data at ``path`` (must not exist)."""
    con = db.connect(path)
    db.create_schema(con)
    load_reference(con)
    set_meta(con, dataset="empty", created_at=dt.datetime.now().isoformat(timespec="seconds"),
             data_version="empty-0")
    return con


def build_atomically(target: Path, fill) -> None:
    """Build a fresh database in a temp file, call ``fill(con)``, then move it onto ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + f".building-{os.getpid()}")
    for p in (tmp, Path(str(tmp) + ".wal")):
        if p.exists():
            p.unlink()
    try:
        con = new_database(tmp)
        try:
            fill(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, target)
        wal = Path(str(target) + ".wal")
        if wal.exists():
            wal.unlink()
    except BaseException:
        for p in (tmp, Path(str(tmp) + ".wal")):
            if p.exists():
                p.unlink()
        raise


def init_empty(target: Path) -> None:
    build_atomically(target, lambda con: None)


_checked: set = set()   # (path, inode, mtime, size) of files whose aggregate tables are current


def ensure_database(path: Path | None = None, progress=None) -> Path:
    """Build the sample database if no database exists at ``path`` (first run); rebuild the
    aggregate tables of a database written by older code (see :func:`refresh_if_stale`).

    ``progress(step, fraction)`` is told what is being done: ``"sample"`` with the share of the
    sample's complaints written so far, ``"summary"`` (returns, demonstration units, aggregate
    tables), ``"refresh"`` (aggregate tables of an older database rebuilt); not called when there
    is nothing to do."""
    from . import sample
    p = db.db_path(path)
    if not p.exists():
        if progress:
            progress("sample", 0.0)
        tell = None
        if progress:
            def tell(done, n):
                progress("sample" if done < n else "summary", done / n if n else 1.0)
        build_atomically(p, lambda con: sample.fill(con, progress=tell))
    refresh_if_stale(p, progress=progress)
    return p


# import_log is readable on the public SQL page: it holds file names, never server paths. Rows
# written by older versions held absolute paths; they are rewritten where the database is written
# (the importer, and the start-up refresh below).
_HAS_PATHS_SQL = """SELECT count(*) FROM import_log WHERE file_name SIMILAR TO '.*[/\\\\].*'
    OR rejects_file SIMILAR TO '.*[/\\\\].*'"""


def import_log_has_paths(con) -> bool:
    try:
        return bool(con.execute(_HAS_PATHS_SQL).fetchall()[0][0])
    except Exception:  # noqa: BLE001 — no import_log (an old or foreign database): nothing to fix
        return False


def strip_import_log_paths(con) -> None:
    """Keep only the last path component of import_log's file_name and rejects_file."""
    if import_log_has_paths(con):
        con.execute("""UPDATE import_log SET file_name = regexp_replace(file_name, '^.*[/\\\\]', ''),
            rejects_file = regexp_replace(rejects_file, '^.*[/\\\\]', '')""")


def refresh_if_stale(p: Path, progress=None) -> bool:
    """When the aggregate tables of ``p`` were not built for its data by this code (their stamp
    hashes the aggregate SQL), rebuild them in a copy and swap it in atomically, so processes
    reading the file are never disturbed. True when it rebuilt. Checked once per file version."""
    from . import aggregates
    p = Path(p)
    st = p.stat()
    key = (str(p.resolve()), st.st_ino, st.st_mtime_ns, st.st_size)
    if key in _checked:
        return False
    if _checked_before(p, key):           # this file, unchanged, was found current by an earlier process
        _checked.add(key)
        return False
    con = db.connect(p, read_only=True)
    try:
        stale = bool(db.meta(con).get("data_version")) and not aggregates.usable(con)
        paths = import_log_has_paths(con)
    finally:
        con.close()
    if stale or paths:
        import shutil
        if progress and stale:
            progress("refresh", None)
        tmp = p.with_name(p.name + f".refresh-{os.getpid()}")
        try:
            shutil.copyfile(p, tmp)
            con = db.connect(tmp)
            try:
                if stale:
                    aggregates.refresh(con)
                strip_import_log_paths(con)
                con.execute("CHECKPOINT")
            finally:
                con.close()
            os.replace(tmp, p)
        finally:
            for q in (tmp, Path(str(tmp) + ".wal")):
                if q.exists():
                    q.unlink()
        st = p.stat()
        key = (str(p.resolve()), st.st_ino, st.st_mtime_ns, st.st_size)
    _checked.add(key)
    _note_checked(p, key)
    return stale


def _checked_file(p: Path) -> Path:
    return p.with_name(f".{p.name}.checked")


def _checked_text(key: tuple) -> str:
    from . import aggregates
    return json.dumps([*key, aggregates.layout()])


def _checked_before(p: Path, key: tuple) -> bool:
    """Whether the check of :func:`refresh_if_stale` was passed by this very file (path, inode,
    mtime, size) under this code's aggregate layout: noted beside the file (``.<name>.checked``),
    so a server start does not open the database twice to find what it found last time."""
    try:
        return _checked_file(p).read_text(encoding="utf-8") == _checked_text(key)
    except (OSError, UnicodeDecodeError):
        return False


def _note_checked(p: Path, key: tuple) -> None:
    f = _checked_file(p)
    try:
        tmp = f.with_name(f"{f.name}.{os.getpid()}.tmp")
        tmp.write_text(_checked_text(key), encoding="utf-8")
        os.replace(tmp, f)
    except OSError:                     # a read-only folder: the next start checks again
        pass
