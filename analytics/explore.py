"""The explore page's questions: facet counts, the complaint records behind the current filters
(paged, sortable), exports, and the facts the methodology page shows about the data.

No personal data exists in the schema; the records carry only the complaint's own fields and the
business complained about.
"""
from __future__ import annotations

import pandas as pd

from . import aggregates
from .db import memoised, query, rows, scalar
from .filters import FACET_COLUMNS, Filters, complaint_where
from .queries import agg_where as _global_where

EXPORT_CAP = 100_000
PAGE_SIZES = (25, 50, 100, 200)

# Facet -> (SQL value expression over alias c, the Filters fields that clear its own restriction).
# Counts of a facet are computed with every OTHER restriction applied (standard faceted search).
FACETS: dict[str, tuple[str, dict]] = {
    "route": ("CASE WHEN c.is_odr THEN 'odr' ELSE 'traditional' END", {"route": "all"}),
    "districts": ("c.district_code", {"districts": ()}),
    "channels": ("c.channel", {"channels": ()}),
    "object_classes": ("c.object_class", {"object_classes": ()}),
    "categories": ("c.category", {"categories": ()}),
    "problems": ("c.problem", {"problems": ()}),
    "outcomes": ("c.outcome", {"outcomes": ()}),
    "status": ("CASE WHEN c.closed_date IS NULL THEN 'open' ELSE 'closed' END", {"status": "all"}),
}

# Sort key -> ORDER BY expression. The only sort columns a caller can choose.
SORTS: dict[str, str] = {
    "received": "c.received_at",
    "closed": "c.closed_at",
    "days": "c.resolution_days",
    "disputed": "c.disputed_yuan",
    "recovered": "c.recovered_yuan",
    "merchant": "c.merchant_name",
    "district": "c.district_code",
    "reg_no": "c.reg_no",
}

RECORD_COLUMNS = [
    "reg_no", "received_at", "accepted_date", "acceptance", "closed_at", "status", "district_code",
    "district", "township", "channel", "is_odr", "object_class", "category", "subcategory", "problem",
    "outcome", "outcome_raw", "merchant_name", "credit_code", "disputed_yuan", "recovered_yuan",
    "resolution_days", "resolution_wdays", "deadline_date", "source",
]
_SELECT = """
    c.reg_no, c.received_at, c.accepted_date, c.acceptance, c.closed_at,
    CASE WHEN c.closed_date IS NULL THEN 'open' ELSE 'closed' END AS status,
    c.district_code, d.name AS district, c.township, c.channel, c.is_odr, c.object_class,
    c.category, c.subcategory, c.problem, c.outcome, c.outcome_raw, c.merchant_name, c.credit_code,
    c.disputed_yuan::DOUBLE AS disputed_yuan, c.recovered_yuan::DOUBLE AS recovered_yuan,
    c.resolution_days, c.resolution_wdays, c.deadline_date, c.source"""


# --- fast path: complaints counted per facet value (see analytics/aggregates.py) ---------------

# Facets whose values the aggregate holds and that a filter may restrict (the others — route,
# districts, status — are columns of its grain).
_VALUE_FACETS = tuple(name for name in FACETS if name in FACET_COLUMNS)
_GRAIN = "c.received_date, c.district_code, c.is_odr, c.closed_date IS NOT NULL AS closed"

# agg_explore_facets: grain (facet, value, received_date, district_code, is_odr, closed) for every
# facet of FACETS, built with the same value expressions; n = complaints. The rows of one facet
# count each complaint with a non-empty value of that facet once (route: every complaint).
# agg_explore_values: grain (facet, value) for the value facets, total = complaints (all periods).
AGGREGATES = {
    "agg_explore_facets": "CREATE OR REPLACE TABLE agg_explore_facets AS " + " UNION ALL ".join(
        f"""SELECT '{name}' AS facet, {expr} AS value, {_GRAIN}, count(*)::BIGINT AS n
            FROM complaints c WHERE c.appeal_type = '投诉' AND {expr} IS NOT NULL GROUP BY ALL"""
        for name, (expr, _) in FACETS.items()) + " ORDER BY received_date, facet",
    "agg_explore_values": f"""CREATE OR REPLACE TABLE agg_explore_values AS
        SELECT facet, value, sum(n)::BIGINT AS total FROM agg_explore_facets
        WHERE facet IN ({", ".join(f"'{name}'" for name in _VALUE_FACETS)}) GROUP BY ALL""",
}


def _agg_rows(f: Filters, facet: str | None = None) -> tuple[str, list] | None:
    """WHERE clause over ``agg_explore_facets a`` selecting the rows of one facet that count the
    complaints of ``f`` (each once, by its value of that facet), or None when ``f`` needs the
    complaints table: a merchant or township filter, value filters on more than one facet, or
    (when ``facet`` is given) on a facet other than ``facet``. Without ``facet``: the filtered
    value facet, else route (whose rows hold every complaint)."""
    if f.merchant or f.townships:
        return None
    used = [name for name in _VALUE_FACETS if getattr(f, name)]
    if facet is None:
        if len(used) > 1:
            return None
        facet = used[0] if used else "route"
    elif set(used) - {facet}:
        return None
    where, params = _global_where(f)
    parts = [where, "a.facet = ?"]
    params.append(facet)
    if f.status != "all":
        parts.append("a.closed" if f.status == "closed" else "NOT a.closed")
    values = getattr(f, facet) if facet in _VALUE_FACETS else ()
    if values:
        parts.append(f"a.value IN ({', '.join('?' for _ in values)})")
        params += list(values)
    return " AND ".join(parts), params


def _agg_usable(con, fast: bool) -> bool:
    return fast and aggregates.usable(con)


def facet_counts(con, f: Filters, *, fast: bool = True) -> pd.DataFrame:
    """Counts of complaints per facet value under ``f``, each facet counted with every OTHER
    restriction of ``f`` applied and its own left out.

    Grain: one row per (facet, value) with at least one complaint; empty values are left out.
    Columns: facet (a key of FACETS), value (text), n (complaints). A facet is counted from
    agg_explore_facets when its other restrictions allow (``fast=False``: always from complaints)."""
    usable = _agg_usable(con, fast)
    parts, params = [], []
    for name, (expr, clear) in FACETS.items():
        g = f.with_(**clear)
        agg = _agg_rows(g, name) if usable else None
        if agg is not None:
            where, p = agg
            parts.append(f"SELECT '{name}' AS facet, a.value, sum(a.n)::BIGINT AS n "
                         f"FROM agg_explore_facets a WHERE {where} GROUP BY 2")
        else:
            where, p = complaint_where(g)
            parts.append(f"SELECT '{name}' AS facet, {expr} AS value, count(*) AS n "
                         f"FROM complaints c WHERE {where} AND {expr} IS NOT NULL GROUP BY 2")
        params += p
    df = query(con, " UNION ALL ".join(parts) + " ORDER BY facet, n DESC, value", params)
    df["n"] = df["n"].astype("int64")
    return df


def facet_values(con, *, fast: bool = True) -> pd.DataFrame:
    """Every value each facet can take in the database (all complaints, any period), most frequent
    first: the stable option lists of the facet controls.

    Columns: facet, value, total (complaints with this value, all periods)."""
    if _agg_usable(con, fast):
        df = query(con, "SELECT facet, value, total FROM agg_explore_values ORDER BY facet, total DESC, value")
    else:
        parts = []
        for name in _VALUE_FACETS:
            expr = FACETS[name][0]
            parts.append(f"SELECT '{name}' AS facet, {expr} AS value, count(*) AS total FROM complaints c "
                         f"WHERE c.appeal_type = '投诉' AND {expr} IS NOT NULL GROUP BY 2")
        df = query(con, " UNION ALL ".join(parts) + " ORDER BY facet, total DESC, value")
    fixed = [("route", "odr"), ("route", "traditional"), ("status", "open"), ("status", "closed")]
    codes = [("districts", c) for (c,) in rows(con, "SELECT code FROM districts ORDER BY code")]
    extra = pd.DataFrame(fixed + codes, columns=["facet", "value"]).assign(total=0)
    out = pd.concat([df, extra], ignore_index=True)
    out["total"] = out["total"].astype("int64")
    return out


def record_count(con, f: Filters, *, fast: bool = True) -> int:
    """Number of complaints under ``f``."""
    agg = _agg_rows(f) if _agg_usable(con, fast) else None
    if agg is not None:
        where, params = agg
        return int(scalar(con, f"SELECT coalesce(sum(a.n), 0) FROM agg_explore_facets a WHERE {where}", params))
    where, params = complaint_where(f)
    return int(scalar(con, f"SELECT count(*) FROM complaints c WHERE {where}", params))


def _order(sort: str, descending: bool) -> str:
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; one of {sorted(SORTS)}")
    direction = "DESC" if descending else "ASC"
    return f"{SORTS[sort]} {direction} NULLS LAST, c.reg_no {direction}"


def records(con, f: Filters, sort: str = "received", descending: bool = True, limit: int = 50,
            offset: int = 0, *, fast: bool = True) -> pd.DataFrame:
    """The complaints under ``f``, one row per complaint, sorted by ``sort`` (a key of SORTS; ties
    broken by registration number, so pages never overlap), ``limit`` rows from ``offset``.

    Columns: RECORD_COLUMNS (times local, money in yuan, days as integers; status open/closed).
    The page's rows are found by a scan of the filter and sort columns only, then read in full by
    row id (``fast=False``: one query sorting the full rows)."""
    limit = max(0, min(int(limit), EXPORT_CAP + 1))
    offset = max(0, int(offset))
    where, params = complaint_where(f)
    order = _order(sort, descending)
    if fast:
        rows_of = f"""c.rowid IN (SELECT c.rowid FROM complaints c WHERE {where}
                                  ORDER BY {order} LIMIT ? OFFSET ?)"""
        paging = ""
    else:
        rows_of, paging = where, "LIMIT ? OFFSET ?"
    sql = f"""SELECT {_SELECT}
        FROM complaints c LEFT JOIN districts d ON d.code = c.district_code
        WHERE {rows_of}
        ORDER BY {order} {paging}"""
    return query(con, sql, params + [limit, offset])


def export_records(con, f: Filters, sort: str = "received", descending: bool = True,
                   cap: int = EXPORT_CAP) -> pd.DataFrame:
    """The records for a download: as :func:`records`, at most ``cap`` rows (the first ``cap`` in
    the chosen order). Compare with :func:`record_count` to tell whether it was capped."""
    return records(con, f, sort, descending, limit=cap, offset=0)


def monthly_records(con, f: Filters, *, fast: bool = True) -> pd.DataFrame:
    """Complaints under ``f`` per calendar month of receipt (the explore page's overview chart).

    Grain: one row per month with at least one complaint. Columns: month (``YYYY-MM``), odr,
    traditional, complaints (counts)."""
    agg = _agg_rows(f) if _agg_usable(con, fast) else None
    if agg is not None:
        where, params = agg
        return query(con, f"""
            SELECT strftime(a.received_date, '%Y-%m') AS month,
                   coalesce(sum(a.n) FILTER (WHERE a.is_odr), 0)::BIGINT AS odr,
                   coalesce(sum(a.n) FILTER (WHERE NOT a.is_odr), 0)::BIGINT AS traditional,
                   sum(a.n)::BIGINT AS complaints
            FROM agg_explore_facets a WHERE {where} GROUP BY 1 ORDER BY 1""", params)
    where, params = complaint_where(f)
    return query(con, f"""
        SELECT strftime(c.received_date, '%Y-%m') AS month,
               count(*) FILTER (WHERE c.is_odr) AS odr,
               count(*) FILTER (WHERE NOT c.is_odr) AS traditional,
               count(*) AS complaints
        FROM complaints c WHERE {where} GROUP BY 1 ORDER BY 1""", params)


# --- facts about the data (methodology page) --------------------------------------------------

def import_history(con) -> pd.DataFrame:
    """Files imported into the database, latest first. Columns: file_name, kind, imported_at,
    rows_read, rows_imported, rows_updated, rows_rejected."""
    return memoised(con, "import_history", lambda: query(con, """SELECT file_name, kind, imported_at,
        rows_read, rows_imported, rows_updated, rows_rejected FROM import_log
        ORDER BY imported_at DESC, import_id DESC"""))


def district_populations(con) -> pd.DataFrame:
    """The per-capita denominators. Columns: code, name, name_en, population, pop_note."""
    return memoised(con, "district_populations", lambda: query(
        con, "SELECT code, name, name_en, population, pop_note FROM districts ORDER BY code"))


def table_sizes(con) -> pd.DataFrame:
    """Rows per table. Columns: table, rows. Complaints are split by appeal type in
    ``complaints_by_type`` (table ``complaints:<type>``). Remembered per read-only snapshot."""
    return memoised(con, "table_sizes", lambda: _table_sizes(con))


def _table_sizes(con) -> pd.DataFrame:
    out = []
    for t in ("complaints", "merchants", "returns", "demo_units", "districts", "townships", "calendar"):
        out.append((t, int(scalar(con, f"SELECT count(*) FROM {t}"))))
    for typ, n in rows(con, "SELECT appeal_type, count(*) FROM complaints GROUP BY 1 ORDER BY 2 DESC"):
        out.append((f"complaints:{typ}", int(n)))
    return pd.DataFrame(out, columns=["table", "rows"])


def calendar_coverage(con) -> dict:
    """First and last date of the calendar, and the last date whose official holidays are known
    (working days after it assume Monday–Friday). Keys: first, last, known_until."""
    first, last, known = memoised(con, "calendar_coverage", lambda: rows(
        con, "SELECT min(d), max(d), max(d) FILTER (WHERE known) FROM calendar")[0])
    return {"first": first, "last": last, "known_until": known}
