"""One function per question. Each takes a DuckDB connection and a :class:`Filters` and returns
a DataFrame with stable snake_case columns. Definitions come from analytics/metrics.py.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import aggregates
from . import metrics as M
from .db import memoised, meta, query, rows, scalar
from .filters import FACET_COLUMNS, Filters, complaint_where, district_where


# --- coverage --------------------------------------------------------------------------

def data_coverage(con) -> tuple[dt.date | None, dt.date | None]:
    """(first received date, as-of date) of the complaint data.

    Both come from ``meta`` (``data_from``, ``as_of``: set by the sample and by imports) when
    present, else from the complaints themselves (the latest received or closed date)."""
    return memoised(con, "data_coverage", lambda: _data_coverage(con))


def _data_coverage(con) -> tuple[dt.date | None, dt.date | None]:
    m = meta(con)
    if m.get("data_from") and m.get("as_of"):
        return dt.date.fromisoformat(m["data_from"]), dt.date.fromisoformat(m["as_of"])
    first, last = rows(con, """
        SELECT min(received_date), greatest(max(received_date), max(closed_date))
        FROM complaints WHERE appeal_type = '投诉'""")[0]
    if m.get("as_of"):
        last = dt.date.fromisoformat(m["as_of"])
    if m.get("data_from"):
        first = dt.date.fromisoformat(m["data_from"])
    return first, last


def status_date(con, f: Filters) -> dt.date:
    """The date every status (open, late, not yet due) is judged at: the as-of date (METRICS.md),
    whatever the period; ``date_to`` only for a database without data (no as-of date)."""
    as_of = data_coverage(con)[1]
    return as_of or f.date_to


def reference_date(con, f: Filters) -> dt.date:
    """The date registries are counted at and flows end at: ``date_to``, or the as-of date when
    ``date_to`` is later (METRICS.md "As-of date", "Registry counts")."""
    as_of = data_coverage(con)[1]
    return min(f.date_to, as_of) if as_of else f.date_to


def past_as_of(con, f: Filters) -> bool:
    """True when the period runs past the as-of date (the app says so; no number changes)."""
    as_of = data_coverage(con)[1]
    return bool(as_of) and f.date_to > as_of


def is_sample(con) -> bool:
    return meta(con).get("dataset") == "sample"


def districts(con) -> pd.DataFrame:
    """All districts, in code order. Columns: code, name, short_name, name_en, population."""
    return memoised(con, "districts", lambda: query(
        con, "SELECT code, name, short_name, name_en, population FROM districts ORDER BY code"))


# --- fast path: pre-aggregated complaints ---------------------------------------------------

def agg_usable(con, f: Filters) -> bool:
    """True when the pre-aggregated tables may answer ``f``: it filters on period, districts and
    route only, and the tables were built for the current data and code (aggregates.usable).
    Shared by every module's fast path."""
    if f.status != "all" or f.merchant or any(getattr(f, name) for name in FACET_COLUMNS):
        return False
    return aggregates.usable(con)


def agg_where(f: Filters, *, period: bool = True, districts: bool = True) -> tuple[str, list]:
    """WHERE clause (alias ``a``, bound parameters) selecting the rows of an aggregate table with
    columns received_date, district_code, is_odr that belong to ``f``."""
    parts, params = [], []
    if period:
        parts.append("a.received_date BETWEEN ? AND ?")
        params += [f.date_from, f.date_to]
    if districts and f.districts:
        parts.append(district_where(f, "a.district_code", params))
    if f.route == "odr":
        parts.append("a.is_odr")
    elif f.route == "traditional":
        parts.append("NOT a.is_odr")
    return " AND ".join(parts) or "TRUE", params


def weighted_quantile(values, counts, q: float):
    """``quantile_cont`` (linear interpolation) of a multiset given as values with counts."""
    v = np.asarray(values, dtype=float)
    n = np.asarray(counts, dtype=np.int64)
    keep = n > 0
    v, n = v[keep], n[keep]
    total = int(n.sum())
    if total == 0:
        return None
    order = np.argsort(v, kind="stable")
    v, cum = v[order], np.cumsum(n[order])
    pos = (total - 1) * q
    lo, hi = int(np.floor(pos)), int(np.ceil(pos))
    vlo = v[np.searchsorted(cum, lo, side="right")]
    vhi = v[np.searchsorted(cum, hi, side="right")]
    return float(vlo + (pos - lo) * (vhi - vlo))


_KPI_COLUMNS = ["complaints", "complaints_odr", "closed", "on_time", "on_time_base", "overdue_open",
                "median_days_all", "median_days_odr", "median_days_traditional", "p90_days_all",
                "p90_days_odr", "p90_days_traditional", "recovered_yuan", "disputed_yuan"]


def _kpis_from_agg(con, f: Filters) -> dict:
    where, params = agg_where(f)
    at = status_date(con, f)
    counts = rows(con, f"""
        SELECT coalesce(sum(n), 0)::BIGINT AS complaints,
               coalesce(sum(n) FILTER (WHERE a.is_odr), 0)::BIGINT AS complaints_odr,
               coalesce(sum(n) FILTER (WHERE a.closed), 0)::BIGINT AS closed,
               coalesce(sum(n) FILTER (WHERE a.on_time), 0)::BIGINT AS on_time,
               coalesce(sum(n) FILTER (WHERE a.closed OR a.open_deadline < ?), 0)::BIGINT AS on_time_base,
               coalesce(sum(n) FILTER (WHERE NOT a.closed AND a.open_deadline < ?), 0)::BIGINT AS overdue_open,
               coalesce(sum(a.recovered_yuan), 0)::DOUBLE AS recovered_yuan,
               coalesce(sum(a.disputed_yuan), 0)::DOUBLE AS disputed_yuan
        FROM agg_complaints a WHERE {where}""", [at, at] + params)[0]
    out = dict(zip(["complaints", "complaints_odr", "closed", "on_time", "on_time_base", "overdue_open",
                    "recovered_yuan", "disputed_yuan"], counts))
    h = rows(con, f"""SELECT a.is_odr, a.resolution_days AS v, sum(n)::BIGINT AS n FROM agg_complaints a
                      WHERE {where} AND a.closed GROUP BY ALL""", params)
    odr = np.array([r[0] for r in h], dtype=bool)
    v = np.array([r[1] for r in h], dtype=float)
    n = np.array([r[2] for r in h], dtype=float)
    for q, name in ((0.5, "median_days"), (0.9, "p90_days")):
        for route, sel in (("all", slice(None)), ("odr", odr), ("traditional", ~odr)):
            got = weighted_quantile(v[sel], n[sel], q)
            out[f"{name}_{route}"] = np.nan if got is None else float(got)
    return out


# --- complaints ------------------------------------------------------------------------

def complaint_kpis(con, f: Filters, *, fast: bool = True) -> pd.DataFrame:
    """One row for the complaints of ``f`` (cohort: received in the period).

    Columns: complaints, complaints_odr, closed, closure_rate (fraction), on_time (count closed on
    time), on_time_base (closed + open past the deadline), on_time_rate (fraction), overdue_open
    (open, deadline before the as-of date), within_deadline (open, deadline not before the as-of
    date: left out of the on-time rate), median_days / p90_days for all, odr, traditional
    (calendar days, null when none closed), recovered_yuan, disputed_yuan (yuan).

    Every status is judged at the as-of date (:func:`status_date`), whatever the period, so
    ``overdue_open`` equals resolution.overdue_open_count for the same filters."""
    if fast and agg_usable(con, f):
        k = _kpis_from_agg(con, f)
        n, base = k["complaints"], k["on_time_base"]
        k["closure_rate"] = k["closed"] / n if n else None
        k["on_time_rate"] = k["on_time"] / base if base else None
        k["within_deadline"] = n - base
        return pd.DataFrame({c: [k[c]] for c in _KPI_COLUMNS + ["closure_rate", "on_time_rate", "within_deadline"]})
    where, params = complaint_where(f)
    sql = f"""
        SELECT count(*) AS complaints,
               count(*) FILTER (WHERE c.is_odr) AS complaints_odr,
               count(*) FILTER (WHERE {M.IS_CLOSED}) AS closed,
               count(*) FILTER (WHERE {M.ON_TIME_NUM}) AS on_time,
               count(*) FILTER (WHERE {M.ON_TIME_DEN}) AS on_time_base,
               count(*) FILTER (WHERE {M.OVERDUE_OPEN}) AS overdue_open,
               quantile_cont(c.resolution_days, 0.5) AS median_days_all,
               quantile_cont(c.resolution_days, 0.5) FILTER (WHERE c.is_odr) AS median_days_odr,
               quantile_cont(c.resolution_days, 0.5) FILTER (WHERE NOT c.is_odr) AS median_days_traditional,
               quantile_cont(c.resolution_days, 0.9) AS p90_days_all,
               quantile_cont(c.resolution_days, 0.9) FILTER (WHERE c.is_odr) AS p90_days_odr,
               quantile_cont(c.resolution_days, 0.9) FILTER (WHERE NOT c.is_odr) AS p90_days_traditional,
               coalesce(sum(c.recovered_yuan), 0)::DOUBLE AS recovered_yuan,
               coalesce(sum(c.disputed_yuan), 0)::DOUBLE AS disputed_yuan
        FROM complaints c WHERE {where}"""
    at = status_date(con, f)
    df = query(con, sql, [at, at] + params)
    n = df.at[0, "complaints"]
    df["closure_rate"] = df["closed"] / n if n else None
    base = df.at[0, "on_time_base"]
    df["on_time_rate"] = df["on_time"] / base if base else None
    df["within_deadline"] = n - base
    return df


def odr_resolved(con, f: Filters, *, fast: bool = True) -> int:
    """ODR complaints closed within the period with a settled outcome (count)."""
    if fast and agg_usable(con, f):
        params: list = [f.date_from, f.date_to]
        w = district_where(f, "district_code", params)
        return int(scalar(con, f"""SELECT coalesce(sum(n_settled), 0) FROM agg_closed
            WHERE is_odr AND closed_date BETWEEN ? AND ? AND {w}""", params))
    where, params = complaint_where(f.with_(route="odr"), date_col="closed_date")
    return int(scalar(con, f"SELECT count(*) FROM complaints c WHERE {where} AND {M.IS_SETTLED}", params))


def weekly_complaints(con, f: Filters, *, fast: bool = True) -> pd.DataFrame:
    """Complaints per ISO week overlapping the period.

    Grain: one row per ISO week (Monday start) that overlaps [date_from, date_to], weeks without
    complaints included. Columns: week (``YYYY-Www`` by ISO year), week_start, week_end (dates),
    complaints, odr, traditional (counts of complaints received in the week and the period),
    partial (bool: the period or the data, [first received date, as-of], covers the week only
    partly; so is every week after the as-of date)."""
    first, as_of = data_coverage(con)
    lo = max(f.date_from, first) if first else f.date_from
    hi = min(f.date_to, as_of) if as_of else f.date_to
    if fast and agg_usable(con, f):
        where, params = agg_where(f)
        counts = f"""SELECT date_trunc('week', a.received_date)::DATE AS week_start,
                            sum(n)::BIGINT AS complaints, coalesce(sum(n) FILTER (WHERE a.is_odr), 0)::BIGINT AS odr
                     FROM agg_complaints a WHERE {where} GROUP BY 1"""
    else:
        where, params = complaint_where(f)
        counts = f"""SELECT date_trunc('week', c.received_date)::DATE AS week_start,
                            count(*) AS complaints, count(*) FILTER (WHERE c.is_odr) AS odr
                     FROM complaints c WHERE {where} GROUP BY 1"""
    sql = f"""
        WITH weeks AS (
            SELECT ws::DATE AS week_start
            FROM generate_series(date_trunc('week', ?::DATE), ?::DATE, INTERVAL 1 WEEK) t(ws)
        ), counts AS ({counts})
        SELECT strftime(w.week_start, '%G-W%V') AS week,
               w.week_start,
               (w.week_start + 6) AS week_end,
               coalesce(k.complaints, 0) AS complaints,
               coalesce(k.odr, 0) AS odr,
               coalesce(k.complaints, 0) - coalesce(k.odr, 0) AS traditional,
               (w.week_start < ?::DATE OR w.week_start + 6 > ?::DATE) AS partial
        FROM weeks w LEFT JOIN counts k USING (week_start)
        ORDER BY w.week_start"""
    df = query(con, sql, [f.date_from, f.date_to] + params + [lo, hi])
    for col in ("week_start", "week_end"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


def district_summary(con, f: Filters, *, fast: bool = True) -> pd.DataFrame:
    """Per district, every district of the database in code order (zero rows included).

    Columns: code, name, short_name, name_en, population, complaints, per_100k (complaints per
    100,000 residents), closed, closure_rate, on_time_rate (fractions), median_days (calendar
    days, null when none closed), odr (count)."""
    dparams: list = []
    dwhere = district_where(f, "d.code", dparams)
    if fast and agg_usable(con, f):
        return _district_summary_from_agg(con, f, dwhere, dparams)
    where, params = complaint_where(f.with_(districts=()), alias="c")
    sql = f"""
        WITH agg AS (
            SELECT c.district_code AS code, count(*) AS complaints,
                   count(*) FILTER (WHERE {M.IS_CLOSED}) AS closed,
                   count(*) FILTER (WHERE {M.ON_TIME_NUM}) AS on_time,
                   count(*) FILTER (WHERE {M.ON_TIME_DEN}) AS on_time_base,
                   count(*) FILTER (WHERE c.is_odr) AS odr,
                   quantile_cont(c.resolution_days, 0.5) AS median_days
            FROM complaints c WHERE {where} GROUP BY 1
        )
        SELECT d.code, d.name, d.short_name, d.name_en, d.population,
               coalesce(a.complaints, 0) AS complaints,
               coalesce(a.closed, 0) AS closed,
               coalesce(a.on_time, 0) AS on_time,
               coalesce(a.on_time_base, 0) AS on_time_base,
               coalesce(a.odr, 0) AS odr,
               a.median_days
        FROM districts d LEFT JOIN agg a USING (code)
        WHERE {dwhere}
        ORDER BY d.code"""
    df = query(con, sql, [status_date(con, f)] + params + dparams)
    return _district_rates(df)


def _district_summary_from_agg(con, f: Filters, dwhere: str, dparams: list) -> pd.DataFrame:
    where, params = agg_where(f, districts=False)
    df = query(con, f"""
        WITH agg AS (
            SELECT a.district_code AS code, sum(n)::BIGINT AS complaints,
                   coalesce(sum(n) FILTER (WHERE a.closed), 0)::BIGINT AS closed,
                   coalesce(sum(n) FILTER (WHERE a.on_time), 0)::BIGINT AS on_time,
                   coalesce(sum(n) FILTER (WHERE a.closed OR a.open_deadline < ?), 0)::BIGINT AS on_time_base,
                   coalesce(sum(n) FILTER (WHERE a.is_odr), 0)::BIGINT AS odr
            FROM agg_complaints a WHERE {where} GROUP BY 1
        )
        SELECT d.code, d.name, d.short_name, d.name_en, d.population,
               coalesce(a.complaints, 0) AS complaints, coalesce(a.closed, 0) AS closed,
               coalesce(a.on_time, 0) AS on_time, coalesce(a.on_time_base, 0) AS on_time_base,
               coalesce(a.odr, 0) AS odr
        FROM districts d LEFT JOIN agg a USING (code)
        WHERE {dwhere}
        ORDER BY d.code""", [status_date(con, f)] + params + dparams)
    h = query(con, f"""SELECT a.district_code AS code, a.resolution_days AS v, sum(n)::BIGINT AS n
                       FROM agg_complaints a WHERE {where} AND a.closed GROUP BY ALL""", params)
    med = {code: weighted_quantile(g["v"], g["n"], 0.5) for code, g in h.groupby("code")}
    df["median_days"] = [med.get(c) for c in df["code"]]
    df["median_days"] = df["median_days"].astype(float)
    return _district_rates(df)


def _district_rates(df: pd.DataFrame) -> pd.DataFrame:
    df["per_100k"] = (df["complaints"] / df["population"] * 100_000).round(2)
    df["closure_rate"] = df["closed"].where(df["complaints"] > 0) / df["complaints"].where(df["complaints"] > 0)
    df["on_time_rate"] = df["on_time"].where(df["on_time_base"] > 0) / df["on_time_base"].where(df["on_time_base"] > 0)
    return df


# --- registries and returns --------------------------------------------------------------

_REGISTRY_KINDS = (("odr_enterprises", "odr"), ("return_stores", "returns"),
                   ("demo_districts", "street"), ("demo_chain_stores", "chain_store"),
                   ("demo_operators", "operator"))

# The same registers as agg_registry's rows, read from the source tables (the plain path).
_REGISTRY_SOURCE = """
    SELECT 'odr' AS kind, district_code, odr_enrolled_date AS start_date,
           odr_withdrawn_date AS end_date, 1 AS n
    FROM merchants WHERE odr_enrolled_date IS NOT NULL
    UNION ALL
    SELECT 'returns', district_code, return_commit_date, return_withdrawn_date, 1
    FROM merchants WHERE return_commit_date IS NOT NULL
    UNION ALL
    SELECT unit_type, district_code, named_date, withdrawn_date, 1 FROM demo_units
"""


def registry_counts(con, f: Filters, *, fast: bool = True) -> dict[str, int]:
    """Units enrolled on or before the reference date (``date_to``, or the as-of date when
    ``date_to`` is later: :func:`reference_date`) and not withdrawn on or before it.

    Keys: odr_enterprises, return_stores, demo_districts, demo_chain_stores, demo_operators.
    One query over the registry intervals (``agg_registry`` when usable, else the registers)."""
    source = "agg_registry" if fast and agg_usable(con, f) else f"({_REGISTRY_SOURCE})"
    ref = reference_date(con, f)
    params: list = [ref, ref]
    w = district_where(f, "district_code", params)
    counts = dict(rows(con, f"""SELECT kind, sum(n) FROM {source}
        WHERE start_date <= ? AND (end_date IS NULL OR end_date > ?) AND {w} GROUP BY kind""", params))
    return {key: int(counts.get(kind) or 0) for key, kind in _REGISTRY_KINDS}


def returns_summary(con, f: Filters, *, fast: bool = True) -> dict:
    """No-reason returns dated in the period: count, amount_yuan (2 decimals), stores (distinct
    stores by credit code, else name, with at least one return), completion_rate (fraction,
    null when there is no return)."""
    params: list = [f.date_from, f.date_to]
    if fast and agg_usable(con, f.with_(route="all")):
        w = district_where(f, "district_code", params)
        n, amount, stores, done = rows(con, f"""
            SELECT coalesce(sum(n), 0), coalesce(sum(amount_yuan), 0), count(DISTINCT store_key),
                   coalesce(sum(n_completed), 0)
            FROM agg_returns WHERE return_date BETWEEN ? AND ? AND {w}""", params)[0]
    else:
        w = district_where(f, "district_code", params)
        n, amount, stores, done = rows(con, f"""
            SELECT count(*), coalesce(sum(amount_yuan), 0),
                   count(DISTINCT coalesce(nullif(credit_code, ''), store_name)),
                   count(*) FILTER (WHERE completed)
            FROM returns WHERE return_date BETWEEN ? AND ? AND {w}""", params)[0]
    return {
        "count": int(n),
        "amount_yuan": round(float(amount), 2),
        "stores": int(stores),
        "completion_rate": (int(done) / int(n)) if n else None,
    }


def returns_and_stores_by_district(con, f: Filters) -> pd.DataFrame:
    """Per district (every district, code order): ``returns`` = no-reason returns dated in the
    period (as returns_summary's count) and ``stores`` = committed stores on the registry at
    the reference date (as registry_counts' return_stores). One query each instead of one per district."""
    ref = reference_date(con, f)
    params: list = [f.date_from, f.date_to, ref, ref]
    dparams: list = []
    dwhere = district_where(f, "d.code", dparams)
    return query(con, f"""
        WITH r AS (SELECT district_code, count(*) AS n FROM returns
                   WHERE return_date BETWEEN ? AND ? GROUP BY 1),
             s AS (SELECT district_code, count(*) AS n FROM merchants
                   WHERE return_commit_date <= ? AND (return_withdrawn_date IS NULL OR return_withdrawn_date > ?)
                   GROUP BY 1)
        SELECT d.code AS district_code, coalesce(r.n, 0)::BIGINT AS returns, coalesce(s.n, 0)::BIGINT AS stores
        FROM districts d LEFT JOIN r ON r.district_code = d.code LEFT JOIN s ON s.district_code = d.code
        WHERE {dwhere} ORDER BY d.code""", params + dparams)


# --- figures -------------------------------------------------------------------------------

def _num(x, nd=None):
    if x is None or (isinstance(x, float) and x != x) or x is pd.NA:
        return None
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    x = float(x)
    return round(x, nd) if nd is not None else x


def figures(con, f: Filters) -> dict:
    """The ``figures`` contract of METRICS.md as a JSON-ready dict.

    ``from`` / ``to`` echo the period asked for; a period past the as-of date is measured over
    [from, as-of] (``measured_to``; registries at the as-of date), so extending ``to`` beyond the
    as-of date changes no number."""
    asked = f
    f = measured_period(con, f)
    k = complaint_kpis(con, f).iloc[0]
    reg = registry_counts(con, f)
    dist = district_summary(con, f.with_(districts=()))
    weekly = weekly_complaints(con, f)
    as_of = data_coverage(con)[1]
    return {
        "from": asked.date_from.isoformat(),
        "to": asked.date_to.isoformat(),
        # statuses are judged at as_of; flows and registries end at measured_to (METRICS.md)
        "as_of": as_of.isoformat() if as_of else None,
        "measured_to": reference_date(con, f).isoformat(),
        "past_as_of": past_as_of(con, asked),
        "complaints": int(k["complaints"]),
        "complaints_odr": int(k["complaints_odr"]),
        "closed": int(k["closed"]),
        "closure_rate": _num(k["closure_rate"]),
        "on_time_rate": _num(k["on_time_rate"]),
        "median_days": {r: _num(k[f"median_days_{r}"]) for r in ("all", "odr", "traditional")},
        "p90_days": {r: _num(k[f"p90_days_{r}"]) for r in ("all", "odr", "traditional")},
        "recovered_yuan": round(float(k["recovered_yuan"]), 2),
        "disputed_yuan": round(float(k["disputed_yuan"]), 2),
        "odr_resolved": odr_resolved(con, f),
        "odr_enterprises": reg["odr_enterprises"],
        "return_stores": reg["return_stores"],
        "returns": returns_summary(con, f),
        "demo_districts": reg["demo_districts"],
        "demo_chain_stores": reg["demo_chain_stores"],
        "demo_operators": reg["demo_operators"],
        "districts": [
            {"code": r.code, "name": r.name, "complaints": int(r.complaints),
             "per_100k": _num(r.per_100k, 2), "median_days": _num(r.median_days)}
            for r in dist.itertuples()
        ],
        "weekly": [
            {"week": r.week, "complaints": int(r.complaints), "partial": bool(r.partial)}
            for r in weekly.itertuples()
        ],
    }


def previous_period(f: Filters) -> Filters:
    """The period of the same length immediately before ``f`` (other filters unchanged)."""
    span = dt.timedelta(days=f.days)
    return f.with_(date_from=f.date_from - span, date_to=f.date_from - dt.timedelta(days=1))


def measured_period(con, f: Filters) -> Filters:
    """``f`` with ``date_to`` capped at the as-of date (METRICS.md: a period past the as-of date is
    measured over [from, as-of]); ``f`` itself when the whole period is after the as-of date (its
    flows are empty, its registries are taken at the as-of date)."""
    ref = reference_date(con, f)
    return f.with_(date_to=ref) if f.date_from <= ref < f.date_to else f


def closure_at_equal_age(con, f: Filters, *, fast: bool = True) -> dict:
    """Closure rate of ``f`` against the previous period of equal length at equal age (METRICS.md
    "Comparisons at equal age").

    The period is first capped at the as-of date (:func:`measured_period`). Its complaints have
    had ``lag_days`` = as-of − end of the period to close; the previous period's complaints count
    as closed when they closed on or before ``cutoff`` = its end + ``lag_days``, so the complaint
    received k days before one period's end is compared with one received k days before the
    other's, at the same age. Keys: complaints, closed, rate (this period, at the as-of date),
    prev_complaints, prev_closed, prev_rate (previous period at equal age), prev_from, prev_to,
    cutoff (dates), lag_days, p_value (Cochran–Mantel–Haenszel test stratified by age in days:
    do complaints of the same age close as often? None when nothing can be compared), differs
    (bool: beyond chance at the 5% level)."""
    from .stats import beyond_chance, stratified_proportion_p
    m = measured_period(con, f)
    prev = previous_period(m)
    at = status_date(con, f)
    lag = max((at - m.date_to).days, 0)
    cutoff = prev.date_to + dt.timedelta(days=lag)

    def by_age(g: Filters, until: dt.date) -> dict[int, tuple[int, int]]:
        """age in days at ``until`` -> (complaints, closed on or before ``until``)."""
        if fast and agg_usable(con, g):
            where, params = agg_where(g)
            got = rows(con, f"""
                SELECT date_diff('day', a.received_date, ?::DATE) AS age, sum(n)::BIGINT,
                       coalesce(sum(n) FILTER (WHERE a.closed AND a.received_date + a.resolution_days <= ?), 0)::BIGINT
                FROM agg_complaints a WHERE {where} GROUP BY 1""", [until, until] + params)
        else:
            where, params = complaint_where(g)
            got = rows(con, f"""
                SELECT date_diff('day', c.received_date, ?::DATE) AS age, count(*),
                       count(*) FILTER (WHERE {M.IS_CLOSED} AND c.closed_date <= ?)
                FROM complaints c WHERE {where} GROUP BY 1""", [until, until] + params)
        return {int(a): (int(n), int(x)) for a, n, x in got}

    cur, old = by_age(m, at), by_age(prev, cutoff)
    n1, x1 = (sum(v[i] for v in cur.values()) for i in (0, 1))
    n0, x0 = (sum(v[i] for v in old.values()) for i in (0, 1))
    ages = sorted(set(cur) | set(old))
    strata = [[(cur.get(a) or (0, 0))[1] for a in ages], [(cur.get(a) or (0, 0))[0] for a in ages],
              [(old.get(a) or (0, 0))[1] for a in ages], [(old.get(a) or (0, 0))[0] for a in ages]]
    p = stratified_proportion_p(*strata) if ages else None
    return {"complaints": n1, "closed": x1, "rate": x1 / n1 if n1 else None,
            "prev_complaints": n0, "prev_closed": x0, "prev_rate": x0 / n0 if n0 else None,
            "prev_from": prev.date_from, "prev_to": prev.date_to, "cutoff": cutoff, "lag_days": lag,
            "p_value": p, "differs": beyond_chance(p)}


def latest_weeks(con, f: Filters) -> pd.DataFrame:
    """The last whole ISO week of the period and the whole week before it, for the "latest week"
    comparison; partial weeks are never compared.

    Grain: up to two rows (``which`` = latest, previous) with the weekly_complaints columns, plus a
    row ``which`` = current when the period ends in a partial week (its count so far)."""
    ref = reference_date(con, f)
    if ref < f.date_from:                   # the whole period is after the as-of date: no week
        return pick_latest_weeks(weekly_complaints(con, f).head(0))
    return pick_latest_weeks(weekly_complaints(con, latest_weeks_window(f.with_(date_to=ref))))


def latest_weeks_window(f: Filters) -> Filters:
    """The period of up to three weeks, ending at ``date_to``, that latest_weeks looks at."""
    start = f.date_to - dt.timedelta(days=f.date_to.weekday()) - dt.timedelta(weeks=2)
    return f.with_(date_from=max(f.date_from, start))


def pick_latest_weeks(w: pd.DataFrame) -> pd.DataFrame:
    """From a weekly_complaints frame: the latest whole week, the whole week before it, and the
    current partial week (``which`` = latest / previous / current)."""
    whole = w[~w["partial"]].tail(2)
    out = []
    if len(whole) >= 1:
        out.append(whole.iloc[[-1]].assign(which="latest"))
    if len(whole) == 2:
        out.append(whole.iloc[[0]].assign(which="previous"))
    if len(w) and bool(w.iloc[-1]["partial"]):
        out.append(w.iloc[[-1]].assign(which="current"))
    if not out:
        return w.head(0).assign(which=pd.Series(dtype=str))
    return pd.concat(out, ignore_index=True)
