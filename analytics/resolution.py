"""Resolution time: how fast complaints are closed, ODR against traditional, deadlines.

Questions answered here (one function each, ``fn(con, filters, ...)``):

- :func:`time_counts` — complaints per route and time to close (closed) or age (open);
- :func:`km_curves` / :func:`km_summary` — Kaplan–Meier estimate of the time to close, which
  counts still-open complaints as censored at their age on the as-of date, next to the naive
  closed-only median (METRICS.md "Median");
- :func:`route_gap` — the ODR-vs-traditional gap in median time and in settlement rate, raw and
  adjusted for the category mix (direct standardisation on the pooled category distribution);
- :func:`weekly_quantiles`, :func:`category_quantiles` — median and P90 per week and per category;
- :func:`on_time_weekly`, :func:`deadline_by_district`, :func:`acceptance_decisions`,
  :func:`overdue_open` — the deadlines of METRICS.md;
- :func:`calendar_notice` — years of the shown dates that the official calendar does not know.

Units: ``unit="days"`` is calendar days (``resolution_days``), ``unit="wdays"`` official working
days (``resolution_wdays``, official calendar with 调休). The age of an open complaint is the same
quantity measured up to the as-of date of the data instead of the closed date.

The statistical helpers (:func:`kaplan_meier`, :func:`km_quantile`, :func:`km_time_at`,
:func:`km_surv_at`) live in analytics/stats.py ("survival and medians") and are re-exported here;
:func:`quantile_from_counts` is the one percentile rule (quantile_cont) on a histogram.

Fast path: every question is answered from a count histogram (integer times, so quantiles and
Kaplan–Meier curves are exact), read either from ``complaints`` or, when the filters allow it,
from this module's pre-aggregated tables (``AGGREGATES``, see analytics/aggregates.py). The SQL
and the statistics are the same on both paths; ``fast=False`` forces the plain one.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import metrics as M
from . import queries, workdays
# Kaplan–Meier and the interval helpers live in analytics/stats.py; re-exported here (R.kaplan_meier …)
from .stats import KM_COLUMNS as _KM_COLUMNS
from .stats import Z95, kaplan_meier, km_quantile, km_surv_at, km_time_at, median_gap_interval  # noqa: F401
from .stats import km_columns as _km_columns
from .stats import wilson_mover_difference
from .db import arrays, memo_arrays, query, rows, scalar
from .filters import Filters, complaint_where

UNITS = ("days", "wdays")
# Time to close of a closed complaint, per unit (allow-list: the only columns used as "time").
_CLOSED_TIME = {"days": "c.resolution_days", "wdays": "c.resolution_wdays"}
# Age of an open complaint on the as-of date (param: as-of date), per unit.
_OPEN_AGE = {
    "days": "greatest(date_diff('day', c.received_date, ?::DATE), 0)",
    "wdays": "greatest((SELECT wd_idx FROM calendar WHERE d = ?::DATE) - cr.wd_idx, 0)",
}
ROUTE_SQL = "CASE WHEN c.is_odr THEN 'odr' ELSE 'traditional' END"
BOOT_SEED = 20240314
NORMAL_BETA_MIN = 500   # _boot_medians: above this, the order statistic's Beta is drawn as a normal

DECISION_DATE = M.DECISION_DATE
ACCEPT_ON_TIME = M.ACCEPT_ON_TIME


def _unit(unit: str) -> str:
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}")
    return unit


def as_of(con) -> dt.date | None:
    """The as-of date of the data (see queries.data_coverage)."""
    return queries.data_coverage(con)[1]


# --- fast path: pre-aggregated complaints ------------------------------------------------------

# Latest date a complaint involves (received, closed, deadline): the range calendar_notice checks.
_LAST_DATE = ("greatest(c.received_date, coalesce(c.closed_date, c.received_date), "
              "coalesce(c.deadline_date, c.received_date))")

# Complaints per received date, district, route and time to close (null while open), with the
# deadline flags of METRICS.md: the on-time numerator; the deadline of an open complaint (for the
# on-time denominator and "overdue open", which depend on the period's end / the as-of date); for
# traditional complaints the acceptance decision flags and, when undecided, the acceptance
# deadline. ``last_date``: latest _LAST_DATE of the row's complaints. Times are whole days, so
# quantiles and Kaplan–Meier curves computed from these counts are exact.
_AGG_TIMES_SQL = f"""
    CREATE OR REPLACE TABLE agg_res_times AS
    SELECT c.received_date, c.district_code, c.is_odr,
           {M.IS_CLOSED} AS closed,
           c.resolution_days, c.resolution_wdays,
           ({M.ON_TIME_NUM}) AS on_time,
           CASE WHEN c.closed_date IS NULL THEN c.deadline_date END AS open_deadline,
           CASE WHEN NOT c.is_odr THEN ({DECISION_DATE}) IS NOT NULL END AS decided,
           CASE WHEN NOT c.is_odr THEN {ACCEPT_ON_TIME} END AS accept_on_time,
           CASE WHEN NOT c.is_odr AND ({DECISION_DATE}) IS NULL THEN c.accept_deadline END AS undecided_deadline,
           count(*)::BIGINT AS n,
           max({_LAST_DATE}) AS last_date
    FROM complaints c WHERE c.appeal_type = '投诉'
    GROUP BY ALL
    ORDER BY c.received_date
"""

# Closed complaints per received date, route, category ('其他' when missing) and time to close,
# with how many of them were accepted (not 不予受理) and how many of those settled (the
# settlement rate of METRICS.md: settled ÷ accepted closed complaints). No district: one would multiply the rows by the number of
# districts (≈ 2.6 M rows at 10 M complaints), so a district filter takes the plain path.
_AGG_CATEGORIES_SQL = f"""
    CREATE OR REPLACE TABLE agg_res_categories AS
    SELECT c.received_date, c.is_odr, coalesce(c.category, '其他') AS category,
           c.resolution_days, c.resolution_wdays,
           count(*)::BIGINT AS n,
           count(*) FILTER (WHERE {M.IS_ACCEPTED})::BIGINT AS accepted,
           count(*) FILTER (WHERE {M.IS_SETTLED} AND {M.IS_ACCEPTED})::BIGINT AS settled
    FROM complaints c WHERE c.appeal_type = '投诉' AND {M.IS_CLOSED}
    GROUP BY ALL
    ORDER BY c.received_date
"""

# The open complaints, one row each, with the columns of the overdue list (a small share of all
# complaints: the list is taken from here instead of scanning every complaint). ``pos``: rank in
# the list's order (_LIST_ORDER), so that its first rows are a top-N on one integer.
_LIST_ORDER = "c.district_code, c.received_date, c.reg_no"
_AGG_OPEN_SQL = f"""
    CREATE OR REPLACE TABLE agg_res_open AS
    SELECT row_number() OVER (ORDER BY {_LIST_ORDER}) AS pos,
           c.district_code, c.reg_no, c.is_odr, c.received_date, c.category, c.merchant_name,
           c.acceptance, c.deadline_date
    FROM complaints c WHERE c.appeal_type = '投诉' AND NOT ({M.IS_CLOSED})
    ORDER BY pos
"""

# The fast-path tables of this module (see analytics/aggregates.py).
AGGREGATES = {"agg_res_times": _AGG_TIMES_SQL, "agg_res_categories": _AGG_CATEGORIES_SQL,
              "agg_res_open": _AGG_OPEN_SQL}

# Row conditions (alias c) by name: on complaints, and on each aggregate table. A ``?`` is the
# as-of date (on_time_base, overdue, undecided_late), the same on both.
_PLAIN_SQL = {
    "traditional": "NOT c.is_odr",
    "closed": M.IS_CLOSED,
    "on_time": M.ON_TIME_NUM,
    "on_time_base": M.ON_TIME_DEN,
    "overdue": M.OVERDUE_OPEN,
    "decided": f"({DECISION_DATE}) IS NOT NULL",
    "accept_on_time": ACCEPT_ON_TIME,
    "undecided": f"({DECISION_DATE}) IS NULL",
    "undecided_late": f"({DECISION_DATE}) IS NULL AND c.accept_deadline < ?",
    "settled": f"{M.IS_SETTLED} AND {M.IS_ACCEPTED}",
    "accepted": M.IS_ACCEPTED,
    "last_date": _LAST_DATE,
    "list_order": _LIST_ORDER,
}
_FAST_SQL = {
    "agg_res_times": {
        "traditional": "NOT c.is_odr",
        "closed": "c.closed",
        "on_time": "c.on_time",
        "on_time_base": "(c.closed OR c.open_deadline < ?)",
        "overdue": "c.open_deadline < ?",
        "decided": "c.decided",
        "accept_on_time": "c.accept_on_time",
        "undecided": "NOT c.decided",
        "undecided_late": "c.undecided_deadline < ?",
        "last_date": "c.last_date",
    },
    "agg_res_categories": {"closed": "TRUE"},
    "agg_res_open": {"overdue": "c.deadline_date < ?", "list_order": "c.pos"},
}
# Counts kept as columns of an aggregate table (summed instead of counting rows).
_FAST_COUNTS = {"agg_res_categories": {"settled": "c.settled", "accepted": "c.accepted"}}


@dataclass(frozen=True)
class _Source:
    """The complaints of a Filters as a FROM item with alias ``c``: ``rel`` (with its ``params``,
    bound where ``rel`` stands in the statement) is a subquery on ``complaints`` (plain path, one
    row per complaint) or on the aggregate ``table`` (fast path, one row per group of ``n``)."""
    rel: str
    params: list
    table: str | None = None

    def sql(self, name: str) -> str:
        """The row condition or expression ``name`` (keys of _PLAIN_SQL)."""
        return _FAST_SQL[self.table][name] if self.table else _PLAIN_SQL[name]

    def count(self, *names: str) -> str:
        """Aggregate SQL: how many complaints (meeting all the conditions ``names``), as BIGINT."""
        column = _FAST_COUNTS.get(self.table, {}).get(names[0]) if len(names) == 1 else None
        if column:
            return f"coalesce(sum({column}), 0)::BIGINT"
        where = f" FILTER (WHERE {' AND '.join(f'({self.sql(n)})' for n in names)})" if names else ""
        return f"count(*){where}" if self.table is None else f"coalesce(sum(c.n){where}, 0)::BIGINT"


def _source(con, f: Filters, table: str, *, period: bool = True, fast: bool = True) -> _Source:
    """Where to read the complaints of ``f`` (``period=False``: of any received date): aggregate
    ``table`` when it can answer ``f`` (it is current and ``f`` filters only on period, districts
    and route; agg_res_categories has no districts), else ``complaints``."""
    if table not in AGGREGATES:
        raise ValueError(f"unknown aggregate table {table!r}")
    if fast and queries.agg_usable(con, f) and not (table == "agg_res_categories" and f.districts):
        where, params = queries.agg_where(f, period=period)
        return _Source(f"(SELECT * FROM {table} a WHERE {where}) c", params, table)
    where, params = complaint_where(f, period=period)
    return _Source(f"(SELECT * FROM complaints c WHERE {where}) c", params)


# --- statistics (pure NumPy) ------------------------------------------------------------------

def quantile_from_counts(values, counts, q: float) -> float | None:
    """Linear-interpolation percentile (NumPy default, DuckDB ``quantile_cont``) of a sample given
    as distinct ``values`` with ``counts``; None for an empty sample."""
    return queries.weighted_quantile(values, counts, q)


def _quantiles_from_count_matrix(values: np.ndarray, counts: np.ndarray, q: float) -> np.ndarray:
    """Row-wise :func:`quantile_from_counts` for a matrix of counts (rows = samples) over the same
    sorted ``values``; NaN for empty rows."""
    cum = np.cumsum(counts, axis=1)
    total = cum[:, -1]
    h = (total - 1) * q
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, total - 1)
    i_lo = (cum <= lo[:, None]).sum(axis=1)
    i_hi = (cum <= hi[:, None]).sum(axis=1)
    last = len(values) - 1
    x_lo = values[np.minimum(i_lo, last)]
    x_hi = values[np.minimum(i_hi, last)]
    out = x_lo + (h - lo) * (x_hi - x_lo)
    return np.where(total > 0, out, np.nan)


def _filled(col, fill) -> tuple[np.ndarray, np.ndarray]:
    """A fetched column (see db.arrays) as a plain array with NULLs replaced by ``fill``, and
    where it is not NULL."""
    if isinstance(col, np.ma.MaskedArray):
        return col.filled(fill), ~np.ma.getmaskarray(col)
    col = np.asarray(col)
    return col, np.ones(len(col), dtype=bool)


def _stats_by_group(gi: np.ndarray, n_groups: int, t: np.ndarray, n: np.ndarray, closed: np.ndarray,
                    qs: dict[str, float], mean: bool = True) -> dict[str, np.ndarray]:
    """Counts and the spread of ``t`` per group, for histogram rows in group ``gi`` (0 …
    ``n_groups`` − 1) with time ``t`` (float, NaN when unknown), count ``n`` and state ``closed``.

    Returns arrays over the groups: complaints (n of all rows), closed (n of the closed rows),
    then over the closed rows with a t: mean (when ``mean``) and one array per entry of ``qs``
    (name -> q; quantile_cont, as :func:`quantile_from_counts`), NaN for groups without any."""
    out = {"complaints": np.bincount(gi, weights=n, minlength=n_groups).astype(np.int64),
           "closed": np.bincount(gi, weights=np.where(closed, n, 0), minlength=n_groups).astype(np.int64)}
    timed = closed & ~np.isnan(t)
    values, vi = np.unique(t[timed], return_inverse=True)
    counts = np.zeros((n_groups, len(values)), dtype=np.int64)
    np.add.at(counts, (gi[timed], vi), n[timed])
    if mean:
        total = counts.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["mean"] = np.where(total > 0, (counts @ values) / total, np.nan)
    for name, q in qs.items():
        out[name] = _quantiles_from_count_matrix(values, counts, q) if len(values) else np.full(n_groups, np.nan)
    return out


# --- data --------------------------------------------------------------------------------------

def _time_hist(con, f: Filters, *, fast: bool = True) -> dict[str, np.ndarray]:
    """Complaints of ``f`` (cohort: received in the period) by route, state and time in both
    units, as arrays (db.arrays; shared by km_summary, km_curves and time_counts: one query).

    Grain: one row per (trad, closed, t_days, t_wdays). trad (bool: traditional, else ODR),
    closed (bool), t_days / t_wdays (closed → time to close; open → age on the as-of date; NULL
    where it cannot be computed, e.g. a date outside the calendar table), n (complaints)."""
    ao = as_of(con)
    src = _source(con, f, "agg_res_times", fast=fast)
    closed = src.sql("closed")
    t = {u: f"CASE WHEN {closed} THEN {_CLOSED_TIME[u]} ELSE {_OPEN_AGE[u]} END" for u in UNITS}
    sql = f"""
        SELECT NOT c.is_odr AS trad, {closed} AS closed, {t["days"]} AS t_days, {t["wdays"]} AS t_wdays,
               {src.count()} AS n
        FROM {src.rel}
        LEFT JOIN calendar cr ON cr.d = c.received_date
        GROUP BY ALL"""
    return memo_arrays(con, sql, [ao, ao] + src.params)


def _time_arrays(con, f: Filters, unit: str, *, fast: bool = True) -> tuple[np.ndarray, ...]:
    """:func:`time_counts` as arrays (trad, t, closed, n), sorted by route, t, closed."""
    h = _time_hist(con, f, fast=fast)
    t, known = _filled(h["t_" + _unit(unit)], 0)
    trad = np.asarray(h["trad"], dtype=bool)[known]
    closed = np.asarray(h["closed"], dtype=bool)[known]
    t = t[known].astype(np.int64)
    n = np.asarray(h["n"], dtype=np.int64)[known]
    order = np.lexsort((closed, t, trad))
    trad, t, closed, n = trad[order], t[order], closed[order], n[order]
    if len(t):              # sum the rows that differ only in the other unit
        starts = np.flatnonzero(np.concatenate(
            [[True], (trad[1:] != trad[:-1]) | (t[1:] != t[:-1]) | (closed[1:] != closed[:-1])]))
        trad, t, closed, n = trad[starts], t[starts], closed[starts], np.add.reduceat(n, starts)
    return trad, t, closed, n


def _route_names(trad: np.ndarray) -> np.ndarray:
    return np.where(trad, "traditional", "odr").astype(object)


def time_counts(con, f: Filters, unit: str = "days", *, fast: bool = True) -> pd.DataFrame:
    """Complaints of ``f`` (cohort: received in the period) by route and time.

    Grain: one row per (route, t, closed), in that order. Columns: route (``odr`` /
    ``traditional``), t (int, ``unit``: closed → time to close; open → age on the as-of date, the
    censoring time), closed (bool), n (complaints). Complaints whose time cannot be computed
    (date outside the calendar table) are left out."""
    trad, t, closed, n = _time_arrays(con, f, unit, fast=fast)
    return pd.DataFrame({"route": pd.Series(_route_names(trad), dtype="str"), "t": t, "closed": closed, "n": n})


def _route_frames(counts: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """time_counts rows split per route, plus ``all`` (both routes); routes without rows absent.
    (The page's functions use :func:`_route_arrays`; bench/baselines_a.py uses this one.)"""
    out = {}
    if len(counts):
        out["all"] = counts
    for r in ("odr", "traditional"):
        part = counts[counts["route"] == r]
        if len(part):
            out[r] = part
    return out


def _arrays(part: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t, n, closed) of time_counts rows as arrays (empty for None)."""
    if part is None:
        return np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    return (part["t"].to_numpy(dtype=float), part["n"].to_numpy(dtype=np.int64),
            part["closed"].to_numpy(dtype=bool))


def _route_arrays(trad: np.ndarray, t: np.ndarray, closed: np.ndarray,
                  n: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """:func:`_time_arrays` split like :func:`_route_frames`, as (t, n, closed) arrays per route."""
    t = t.astype(float)
    out = {"all": (t, n, closed)} if len(t) else {}
    for r, m in (("odr", ~trad), ("traditional", trad)):
        if m.any():
            out[r] = (t[m], n[m], closed[m])
    return out


def _km_arrays(t: np.ndarray, n: np.ndarray, closed: np.ndarray) -> dict[str, np.ndarray]:
    """Kaplan–Meier columns of time_counts rows: closed ones are events, open ones censored."""
    return _km_columns(t, np.where(closed, n, 0), np.where(closed, 0, n))


def _km_of(part: pd.DataFrame) -> pd.DataFrame:
    """kaplan_meier of time_counts rows (a DataFrame)."""
    return pd.DataFrame(_km_arrays(*_arrays(part)))


def km_curves(con, f: Filters, unit: str = "days", *, fast: bool = True) -> pd.DataFrame:
    """Kaplan–Meier curves of time to close, per route (``all``, ``odr``, ``traditional``; a route
    without complaints is absent).

    Grain: one row per (route, distinct time). Columns: route, t (``unit``), n_risk, events,
    censored, surv (share still open just after t), surv_lo, surv_hi (95% Greenwood interval)."""
    curves = {r: _km_arrays(*a) for r, a in _route_arrays(*_time_arrays(con, f, unit, fast=fast)).items()}
    if not curves:
        return pd.DataFrame(columns=["route"] + _KM_COLUMNS)
    out = {"route": np.concatenate([np.repeat(r, len(c["t"])).astype(object) for r, c in curves.items()])}
    for col in _KM_COLUMNS:
        out[col] = np.concatenate([c[col] for c in curves.values()])
    return pd.DataFrame(out)


def km_summary(con, f: Filters, unit: str = "days", n_wdays: int = 10, *, fast: bool = True) -> pd.DataFrame:
    """Censoring-aware time to close next to the naive closed-only figures, per route.

    Grain: one row per route (``all``, ``odr``, ``traditional``; routes without complaints absent).
    Columns: route, complaints, closed, open (counts); naive_median, naive_p90 (``unit``,
    quantile_cont over closed complaints only — METRICS.md "Median"; null when none closed);
    km_median, km_p90 (``unit``: stats.km_quantile, the same linear interpolation as the naive
    figures, equal to them when nothing is open; null when the quantile lies beyond the
    follow-up), km_median_lo, km_median_hi (95% interval of the median: where the Greenwood band
    first reaches 0.5, widened to include km_median if needed); within_n, within_n_lo, within_n_hi (fraction closed within
    ``n_wdays`` official working days, 1 − S(N) on the working-day curve, with 95% interval; null
    beyond the follow-up); naive_within_n (closed within N working days ÷ closed complaints);
    max_open_age (``unit``, oldest open complaint)."""
    parts = _route_arrays(*_time_arrays(con, f, unit, fast=fast))
    wparts = parts if unit == "wdays" else _route_arrays(*_time_arrays(con, f, "wdays", fast=fast))
    out = []
    for r, (t, n, closed) in parts.items():
        curve = _km_arrays(t, n, closed)
        wpart = wparts.get(r)
        wcurve = _km_arrays(*wpart) if wpart is not None else None
        s_n = km_surv_at(wcurve, n_wdays)
        s_n_lo = km_surv_at(wcurve, n_wdays, "surv_lo")
        s_n_hi = km_surv_at(wcurve, n_wdays, "surv_hi")
        wt, wn, wclosed = wpart if wpart is not None else _arrays(None)
        n_wclosed = int(wn[wclosed].sum())
        km_med = km_quantile(curve, 0.5)
        lo, hi = km_time_at(curve, 0.5, "surv_lo"), km_time_at(curve, 0.5, "surv_hi")
        out.append({
            "route": r,
            "complaints": int(n.sum()),
            "closed": int(n[closed].sum()),
            "open": int(n[~closed].sum()),
            "naive_median": quantile_from_counts(t[closed], n[closed], 0.5),
            "naive_p90": quantile_from_counts(t[closed], n[closed], 0.9),
            "km_median": km_med,
            "km_median_lo": None if km_med is None or lo is None else min(lo, km_med),
            "km_median_hi": None if km_med is None or hi is None else max(hi, km_med),
            "km_p90": km_quantile(curve, 0.9),
            "within_n": None if s_n is None else 1.0 - s_n,
            "within_n_lo": None if s_n_hi is None else 1.0 - s_n_hi,
            "within_n_hi": None if s_n_lo is None else 1.0 - s_n_lo,
            "naive_within_n": int(wn[wclosed & (wt <= n_wdays)].sum()) / n_wclosed if n_wclosed else None,
            "max_open_age": int(t[~closed].max()) if (~closed).any() else None,
        })
    cols = ["route", "complaints", "closed", "open", "naive_median", "naive_p90", "km_median",
            "km_median_lo", "km_median_hi", "km_p90", "within_n", "within_n_lo", "within_n_hi",
            "naive_within_n", "max_open_age"]
    return pd.DataFrame(out, columns=cols)


# --- ODR against traditional -----------------------------------------------------------------------

def _stratum_counts(con, f: Filters, unit: str, *, fast: bool = True) -> dict[str, np.ndarray]:
    """Closed complaints of ``f`` with a time to close, as arrays (shared by category_quantiles
    and route_gap: one query). Grain: one row per (route, category ('其他' when missing), t), in
    no particular order. Arrays: trad (bool: traditional, else ODR), category (object), t (int64,
    ``unit``), n, accepted (not 不予受理), settled (settled and accepted) (int64 counts)."""
    src = _source(con, f, "agg_res_categories", fast=fast)
    t = _CLOSED_TIME[unit]
    sql = f"""
        SELECT NOT c.is_odr AS trad, coalesce(c.category, '其他') AS category, {t} AS t,
               {src.count()} AS n, {src.count("accepted")} AS accepted, {src.count("settled")} AS settled
        FROM {src.rel}
        WHERE {src.sql("closed")} AND {t} IS NOT NULL
        GROUP BY ALL"""
    h = memo_arrays(con, sql, src.params)
    return {"trad": np.asarray(h["trad"], dtype=bool), "category": np.asarray(h["category"], dtype=object),
            **{k: np.asarray(h[k], dtype=np.int64) for k in ("t", "n", "accepted", "settled")}}


def _boot_medians(rng: np.random.Generator, values: np.ndarray, counts: np.ndarray, b: int) -> np.ndarray:
    """Medians (quantile_cont) of ``b`` bootstrap resamples of the sample given as sorted
    ``values`` with ``counts`` (n draws with replacement each); NaN when the sample is empty.
    ``counts`` may be a matrix, one sample per row: the result then has one row of ``b`` medians
    per sample, drawn in row order.

    Each median is drawn directly instead of resampling n complaints: the k-th smallest of n
    draws from the sample is F⁻¹(U₍ₖ₎), where F is the sample's distribution function and U₍ₖ₎,
    the k-th smallest of n uniforms, is Beta(k, n − k + 1); the next one is
    U₍ₖ₊₁₎ = U₍ₖ₎ + (1 − U₍ₖ₎)·Beta(1, n − k). Same distribution as multinomial resampling, at a
    cost that does not grow with n or the number of distinct values. For samples of at least
    2 × ``NORMAL_BETA_MIN`` the (nearly symmetric) Beta of U₍ₖ₎ is drawn as a normal with its mean
    and variance."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim == 2:
        return np.array([_boot_medians(rng, values, row, b) for row in counts]).reshape(len(counts), b)
    n = int(counts.sum())
    if n == 0:
        return np.full(b, np.nan)
    h = (n - 1) * 0.5
    k = math.floor(h) + 1                       # rank of the lower middle order statistic
    cdf = np.cumsum(counts) / n
    last = len(values) - 1

    def inverse(u: np.ndarray) -> np.ndarray:
        return values[np.minimum(np.searchsorted(cdf, u, side="left"), last)]

    a, z = k, n - k + 1
    if min(a, z) >= NORMAL_BETA_MIN:
        # Beta(a, z) with a and z within one of each other (the median) and both large: its
        # skewness is below 1e-4 and its excess kurtosis about −6/n, so a normal draw with the same
        # mean and variance has the same distribution for every purpose here, at a quarter of the cost
        sd = math.sqrt(a * z / ((a + z) ** 2 * (a + z + 1)))
        u_lo = np.clip(rng.normal(a / (a + z), sd, size=b), 0.0, 1.0)
    else:
        u_lo = rng.beta(a, z, size=b)
    x_lo = inverse(u_lo).astype(float)
    if h == k - 1:                              # n odd: the middle one
        return x_lo
    # Beta(1, n − k) drawn exactly as 1 − exp(−E / (n − k)), E standard exponential
    u_hi = u_lo + (1.0 - u_lo) * -np.expm1(-rng.standard_exponential(b) / (n - k))
    return x_lo + (h - (k - 1)) * (inverse(u_hi) - x_lo)


def _ci(x: np.ndarray) -> tuple[float | None, float | None]:
    x = x[~np.isnan(x)]
    if not len(x):
        return None, None
    lo, hi = np.percentile(x, [2.5, 97.5])
    return float(lo), float(hi)


def median_gap_interval_raw(con, f: Filters, unit: str = "days", *, fast: bool = True) -> tuple | None:
    """95% interval of the raw gap traditional median − ODR median time to close (``unit``) of
    the closed complaints of ``f`` — the interval :func:`route_gap` shows, from the same
    histogram (stats.median_gap_interval: distribution-free, exact in whole days). ``(lo, hi)``,
    or None when a route has fewer than 7 closed complaints. For headline deltas: the gap is
    shown as a finding only when the interval excludes 0."""
    trad, t, closed, n = _time_arrays(con, f, unit, fast=fast)
    keep = closed
    values = np.unique(t[keep])
    by_route = []
    for r in (False, True):                       # ODR first, then traditional (b − a)
        m = keep & (trad == r)
        by_route.append(np.bincount(np.searchsorted(values, t[m]), weights=n[m],
                                    minlength=len(values)).astype(np.int64))
    return median_gap_interval(values, by_route[0], by_route[1])


def route_gap(con, f: Filters, unit: str = "days", *, min_stratum: int = 5, n_boot: int = 2000,
              seed: int = BOOT_SEED, fast: bool = True) -> dict:
    """Gap between ODR and traditional complaints of ``f`` (closed complaints), raw and adjusted
    for the category mix.

    - ``median``: traditional median time to close − ODR median (``unit``; positive = ODR faster),
      quantile_cont over closed complaints. Raw 95% interval: distribution-free, from order
      statistics (stats.median_gap_interval) — exact in whole days, so when the middle of each
      route is one run of equal days it is that single value (``raw_lo == raw_hi``); null when a
      route has fewer than 7 closed complaints. Adjusted 95% interval: percentile bootstrap
      (``n_boot`` resamples within each route × category; fixed ``seed`` so the page shows the
      same numbers on every run); both checked by simulation in tests/test_resolution.py.
    - ``settled``: ODR settlement rate − traditional rate (METRICS.md: settled, outcome in
      metrics.SETTLED_OUTCOMES, ÷ closed complaints that were accepted — 不予受理 left out of both;
      positive = ODR settles more). 95% interval: stats.wilson_mover_difference (Newcombe's hybrid
      score interval for the raw gap; its stratified form for the adjusted one), which does not
      collapse where a route settled 100% of a category.
    - Adjusted (direct standardisation): Σ_c w_c · diff_c / Σ_c w_c over the categories where both
      routes have at least ``min_stratum`` complaints in the metric's denominator (closed; for
      settlement closed and accepted), with w_c the pooled (both routes) denominator of category c.
      It answers "what would the gap be if both routes had the same category mix".

    Returns a dict: ``summary`` (DataFrame, one row per metric: metric, odr, traditional,
    n_odr, n_traditional (the metric's denominators), raw, raw_lo, raw_hi, adjusted, adj_lo,
    adj_hi, coverage — share of the pooled denominator in the compared categories, strata —
    number of compared categories, excluded — traditional closed complaints not accepted, left
    out of the settlement rate (0 for the median)) and ``strata`` (DataFrame per category:
    category, n_odr, n_traditional, median_odr, median_traditional, accepted_odr,
    accepted_traditional, settled_odr, settled_traditional (rates over accepted), weight (share
    of pooled closed complaints among the categories compared on the median, 0 when excluded),
    included, weight_settled, included_settled (the same for the settlement rate))."""
    _unit(unit)
    rng = np.random.default_rng(seed)
    h = _stratum_counts(con, f, unit, fast=fast)
    routes = ("odr", "traditional")
    values = np.unique(h["t"]).astype(float) if len(h["t"]) else np.array([0.0])
    cats, ci = np.unique(h["category"], return_inverse=True)
    # counts[route, category, value]; accepted, settled[route, category] (route 0 = odr, 1 = traditional)
    counts = np.zeros((2, len(cats), len(values)), dtype=np.int64)
    accepted = np.zeros((2, len(cats)), dtype=np.int64)
    settled = np.zeros((2, len(cats)), dtype=np.int64)
    ri = h["trad"].astype(np.int64)
    np.add.at(counts, (ri, ci, np.searchsorted(values, h["t"])), h["n"])
    np.add.at(accepted, (ri, ci), h["accepted"])
    np.add.at(settled, (ri, ci), h["settled"])
    by_route = counts.sum(axis=1)
    n_r = {r: int(by_route[i].sum()) for i, r in enumerate(routes)}
    a_r = {r: int(accepted[i].sum()) for i, r in enumerate(routes)}
    med = {r: quantile_from_counts(values, by_route[i], 0.5) for i, r in enumerate(routes)}
    rate = {r: (int(settled[i].sum()) / a_r[r] if a_r[r] else None) for i, r in enumerate(routes)}

    def standardise(den: np.ndarray) -> tuple[np.ndarray, np.ndarray, float | None]:
        """Compared categories (both routes ≥ min_stratum in ``den``), their weights (shares of
        the pooled ``den``, 0 elsewhere) and the share of the pooled ``den`` they hold."""
        inc = (den[0] >= min_stratum) & (den[1] >= min_stratum)
        pooled = (den[0] + den[1]).astype(float)
        total = float(pooled[inc].sum())
        weight = np.where(inc, pooled / total, 0.0) if total else np.zeros(len(cats))
        all_ = float(pooled.sum())
        return inc, weight, (total / all_ if all_ else None)

    # strata: one row per category (medians and rates NaN where a route has none)
    n_rc = counts.sum(axis=2)
    med_rc = _quantiles_from_count_matrix(values, counts.reshape(2 * len(cats), len(values)), 0.5).reshape(2, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        set_rc = np.where(accepted > 0, settled / accepted, np.nan)
    inc, weight, coverage = standardise(n_rc)
    inc_s, weight_s, coverage_s = standardise(accepted)
    st = pd.DataFrame({"category": pd.Series(cats, dtype=object), "n_odr": n_rc[0], "n_traditional": n_rc[1],
                       "median_odr": med_rc[0], "median_traditional": med_rc[1],
                       "accepted_odr": accepted[0], "accepted_traditional": accepted[1],
                       "settled_odr": set_rc[0], "settled_traditional": set_rc[1],
                       "included": inc, "weight": weight, "included_settled": inc_s, "weight_settled": weight_s})
    w = weight[inc]

    # --- median gap
    raw_med = None if med["odr"] is None or med["traditional"] is None else med["traditional"] - med["odr"]
    raw_med_ci = (None, None)
    if raw_med is not None:
        raw_med_ci = median_gap_interval(values, by_route[0], by_route[1]) or (None, None)
    adj_med, adj_med_ci = None, (None, None)
    if inc.any():
        adj_med = float(np.dot(w, med_rc[1, inc] - med_rc[0, inc]))
        # one row per compared category and route: odr, traditional, odr, traditional, …
        boot = _boot_medians(rng, values, counts[:, inc].transpose(1, 0, 2).reshape(-1, len(values)), n_boot)
        adj_med_ci = _ci(w @ (boot[1::2] - boot[0::2]))

    # --- settlement-rate gap (accepted complaints only)
    raw_set, raw_set_ci = None, (None, None)
    if rate["odr"] is not None and rate["traditional"] is not None:
        raw_set, lo, hi = wilson_mover_difference(settled[0].sum(), a_r["odr"], settled[1].sum(), a_r["traditional"])
        raw_set_ci = (lo, hi)
    adj_set, adj_set_ci = None, (None, None)
    if inc_s.any():
        adj_set, lo, hi = wilson_mover_difference(settled[0, inc_s], accepted[0, inc_s], settled[1, inc_s],
                                                  accepted[1, inc_s], weight_s[inc_s])
        adj_set_ci = (lo, hi)

    summary = pd.DataFrame([
        {"metric": "median", "odr": med["odr"], "traditional": med["traditional"],
         "n_odr": n_r["odr"], "n_traditional": n_r["traditional"],
         "raw": raw_med, "raw_lo": raw_med_ci[0], "raw_hi": raw_med_ci[1],
         "adjusted": adj_med, "adj_lo": adj_med_ci[0], "adj_hi": adj_med_ci[1],
         "coverage": coverage, "strata": int(inc.sum()), "excluded": 0},
        {"metric": "settled", "odr": rate["odr"], "traditional": rate["traditional"],
         "n_odr": a_r["odr"], "n_traditional": a_r["traditional"],
         "raw": raw_set, "raw_lo": raw_set_ci[0], "raw_hi": raw_set_ci[1],
         "adjusted": adj_set, "adj_lo": adj_set_ci[0], "adj_hi": adj_set_ci[1],
         "coverage": coverage_s, "strata": int(inc_s.sum()),
         "excluded": n_r["traditional"] - a_r["traditional"]},
    ])
    return {"summary": summary, "strata": st}


# --- distributions -------------------------------------------------------------------------------

_WEEK_SQL = "date_trunc('week', c.received_date)::DATE"


def _weeks(con, f: Filters) -> tuple[list[dt.date], dict[str, np.ndarray]]:
    """The ISO weeks overlapping the period: their Mondays, and the columns week, week_start,
    partial of queries.weekly_complaints (same definition; computed here from the memoised data
    coverage, without a query: the page asks for it twice)."""
    first, last = queries.data_coverage(con)
    lo = max(f.date_from, first) if first else f.date_from
    hi = min(f.date_to, last) if last else f.date_to
    monday = f.date_from - dt.timedelta(days=f.date_from.weekday())
    starts = [monday + dt.timedelta(weeks=i) for i in range((f.date_to - monday).days // 7 + 1)]
    return starts, {
        "week": np.array(["%d-W%02d" % s.isocalendar()[:2] for s in starts], dtype=object),
        "week_start": np.array(starts, dtype=object),
        "partial": np.array([s < lo or s + dt.timedelta(days=6) > hi for s in starts], dtype=bool),
    }


_WEEK_ROUTES = np.array(["all", "odr", "traditional"], dtype=object)


def _week_frame(weeks: dict[str, np.ndarray], columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per (week, route in all / odr / traditional), week-major: the week columns, route,
    then ``columns`` (arrays of that length)."""
    out = {k: np.repeat(v, 3) for k, v in weeks.items()}
    out["week"] = pd.Series(out["week"], dtype="str")
    out["route"] = pd.Series(np.tile(_WEEK_ROUTES, len(weeks["week"])), dtype="str")
    return pd.DataFrame({**out, **columns})


def _week_groups(starts: list[dt.date], week_start, trad) -> tuple[np.ndarray, np.ndarray]:
    """Where the rows of a per-(week, route) result count in :func:`_week_frame`: each row counts
    twice, in the row of its own route and in the row of ``all``. Returns (position in the frame,
    row of the result) for both."""
    week = (np.asarray(week_start, dtype="datetime64[D]") - np.datetime64(starts[0], "D")).astype(np.int64) // 7
    own = week * 3 + 1 + np.asarray(trad, dtype=np.int64)          # odr → 1, traditional → 2
    rows = np.arange(len(week))
    return np.concatenate([own, week * 3]), np.concatenate([rows, rows])


def weekly_quantiles(con, f: Filters, unit: str = "days", *, fast: bool = True) -> pd.DataFrame:
    """Median and P90 time to close per ISO week of receipt and route.

    Grain: one row per (ISO week overlapping the period, route in ``all`` / ``odr`` /
    ``traditional``), weeks without complaints included. Columns: week, week_start, partial (as
    in queries.weekly_complaints), route, complaints, closed, open (counts), median, p90
    (``unit``, quantile_cont over the week's closed complaints; null when none closed)."""
    _unit(unit)
    starts, weeks = _weeks(con, f)
    src = _source(con, f, "agg_res_times", fast=fast)
    t = _CLOSED_TIME[unit]
    sql = f"""
        SELECT {_WEEK_SQL} AS week_start, NOT c.is_odr AS trad, {src.sql("closed")} AS closed, {t} AS t,
               {src.count()} AS n
        FROM {src.rel}
        GROUP BY ALL"""
    h = arrays(con, sql, src.params)
    gi, row = _week_groups(starts, h["week_start"], h["trad"])
    tv, known = _filled(h["t"], 0)
    stats = _stats_by_group(gi, 3 * len(starts), np.where(known, tv, np.nan)[row].astype(float),
                            np.asarray(h["n"], dtype=np.int64)[row], np.asarray(h["closed"], dtype=bool)[row],
                            {"median": 0.5, "p90": 0.9}, mean=False)
    return _week_frame(weeks, {"complaints": stats["complaints"], "closed": stats["closed"],
                               "open": stats["complaints"] - stats["closed"],
                               "median": stats["median"], "p90": stats["p90"]})


def category_quantiles(con, f: Filters, unit: str = "days", *, fast: bool = True) -> pd.DataFrame:
    """Spread of the time to close per category and route (closed complaints).

    Grain: one row per (category, route) with at least one closed complaint. Columns: category,
    route, closed (count), p10, q1, median, q3, p90, mean (``unit``; quantile_cont). Sorted by
    the category's overall median, slowest first."""
    _unit(unit)
    h = _stratum_counts(con, f, unit, fast=fast)
    cats, ci = np.unique(h["category"], return_inverse=True)
    t = h["t"].astype(float)
    closed = np.ones(len(t), dtype=bool)
    # groups: category-major, odr before traditional (the order of the ties below)
    g = _stats_by_group(ci * 2 + h["trad"], 2 * len(cats), t, h["n"], closed,
                        {"p10": 0.1, "q1": 0.25, "median": 0.5, "q3": 0.75, "p90": 0.9})
    cat_median = _stats_by_group(ci, len(cats), t, h["n"], closed, {"median": 0.5}, mean=False)["median"]
    present = np.flatnonzero(g["closed"] > 0)
    order = present[np.argsort(-cat_median[present // 2], kind="stable")]   # slowest first
    out = {"category": pd.Series(cats[order // 2], dtype="str"),
           "route": pd.Series(np.where(order % 2 == 1, "traditional", "odr").astype(object), dtype="str")}
    for c in ("closed", "p10", "q1", "median", "q3", "p90", "mean"):
        out[c] = g[c][order]
    return pd.DataFrame(out)


# --- deadlines -------------------------------------------------------------------------------------

def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num ÷ den, NaN where den is 0."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def on_time_weekly(con, f: Filters, *, fast: bool = True) -> pd.DataFrame:
    """On-time rate (METRICS.md, metrics.ON_TIME_NUM / ON_TIME_DEN at the as-of date) per ISO
    week of receipt and route.

    Grain: one row per (week overlapping the period, route in ``all`` / ``odr`` / ``traditional``).
    Columns: week, week_start, partial, route, complaints, on_time (closed on or before the
    deadline), base (closed + open past the deadline before the as-of date), rate (fraction,
    null when base is 0), pending (open and still inside the deadline: left out)."""
    starts, weeks = _weeks(con, f)
    src = _source(con, f, "agg_res_times", fast=fast)
    sql = f"""
        SELECT {_WEEK_SQL} AS week_start, NOT c.is_odr AS trad,
               {src.count()} AS complaints,
               {src.count("on_time")} AS on_time,
               {src.count("on_time_base")} AS base
        FROM {src.rel}
        GROUP BY ALL"""
    h = arrays(con, sql, [queries.status_date(con, f)] + src.params)
    gi, row = _week_groups(starts, h["week_start"], h["trad"])
    size = 3 * len(starts)
    c = {k: np.bincount(gi, weights=np.asarray(h[k], dtype=np.int64)[row], minlength=size).astype(np.int64)
         for k in ("complaints", "on_time", "base")}
    return _week_frame(weeks, {**c, "rate": _ratio(c["on_time"], c["base"]), "pending": c["complaints"] - c["base"]})


def _deadline_counts(con, f: Filters, *, fast: bool = True) -> dict[str, np.ndarray]:
    """Deadline counts of the complaints of ``f`` per district, plus a total row, as arrays.

    Grain: one row per district with complaints (district_code, is_total false) and the total
    (district_code null, is_total true), total last. Columns: complaints, on_time, on_time_base
    (METRICS.md on-time rate at the as-of date), overdue_open (open past the deadline on the
    as-of date), then over traditional complaints: traditional, decided, accept_on_time,
    undecided, undecided_late (see :func:`acceptance_decisions`)."""
    src = _source(con, f, "agg_res_times", fast=fast)
    trad = "traditional"
    sql = f"""
        SELECT c.district_code,
               {src.count()} AS complaints,
               {src.count("on_time")} AS on_time,
               {src.count("on_time_base")} AS on_time_base,
               {src.count("overdue")} AS overdue_open,
               {src.count(trad)} AS traditional,
               {src.count(trad, "decided")} AS decided,
               {src.count(trad, "accept_on_time")} AS accept_on_time,
               {src.count(trad, "undecided")} AS undecided,
               {src.count(trad, "undecided_late")} AS undecided_late
        FROM {src.rel}
        GROUP BY c.district_code
        ORDER BY c.district_code"""
    # acceptance_decisions and deadline_by_district share it; counts are BIGINT on both paths
    at = queries.status_date(con, f)      # every status at the as-of date (METRICS.md)
    d = memo_arrays(con, sql, [at, at, at] + src.params)
    out = {"district_code": np.append(np.asarray(d["district_code"], dtype=object), None),
           "is_total": np.append(np.zeros(len(d["district_code"]), dtype=bool), True)}
    for k, v in d.items():
        if k != "district_code":
            v = np.asarray(v, dtype=np.int64)
            out[k] = np.append(v, v.sum())
    return out


def acceptance_decisions(con, f: Filters, *, fast: bool = True) -> pd.DataFrame:
    """Acceptance decided within 7 working days (METRICS.md ``accept_on_time``; 《暂行办法》 art. 14),
    traditional complaints of ``f`` (ODR complaints have no acceptance step).

    Grain: one row per district with traditional complaints, plus a total row (district_code
    null, is_total true). Columns: district_code, is_total, traditional (count), decided (has a
    decision date: acceptance date, or for 不予受理 the acceptance date else the closed date),
    on_time (decided on or before accept_deadline), rate (on_time ÷ decided, null when none
    decided), undecided (no decision date), undecided_late (no decision and the 7th working day
    after receipt is before the as-of date)."""
    d = _deadline_counts(con, f, fast=fast)
    total = np.asarray(d["is_total"], dtype=bool)
    trad = np.asarray(d["traditional"], dtype=np.int64)
    keep = (trad > 0) | total if (trad > 0).any() else np.zeros(len(trad), dtype=bool)  # e.g. ODR only
    out = {"district_code": pd.Series(d["district_code"][keep], dtype="str"), "is_total": total[keep]}
    for k, name in (("traditional", "traditional"), ("decided", "decided"), ("accept_on_time", "on_time"),
                    ("undecided", "undecided"), ("undecided_late", "undecided_late")):
        out[name] = np.asarray(d[k], dtype=np.int64)[keep]
    out["rate"] = _ratio(out["on_time"], out["decided"])
    return pd.DataFrame(out)


def overdue_open(con, f: Filters, *, all_periods: bool = False, limit: int = 5000,
                 fast: bool = True) -> pd.DataFrame:
    """Open complaints past their deadline on the as-of date (metrics.OVERDUE_OPEN with the as-of
    date), oldest first within each district. No personal data: the schema holds none.

    ``all_periods``: ignore the period (every open complaint of the other filters), since an
    overdue case received before the period is still overdue. At most ``limit`` rows.

    Grain: one row per complaint. Columns: district_code, reg_no, route, received_date, category,
    merchant_name, acceptance, deadline_date, age_days (calendar days since receipt), age_wdays
    (official working days in (received, as-of]), overdue_wdays (working days in (deadline,
    as-of])."""
    ao = as_of(con)
    src = _source(con, f, "agg_res_open", period=not all_periods, fast=fast)
    order = src.sql("list_order")
    picked = f"SELECT * FROM {src.rel} WHERE {src.sql('overdue')} ORDER BY {order} LIMIT ?"
    params = src.params + [ao, int(limit)]
    if src.table:
        # the aggregate's list position is an integer: a narrow scan finds the positions, and only
        # those rows are read with their text columns (a top-N over every column reads them all)
        picked = (f"SELECT * FROM {src.rel} WHERE c.pos IN "
                  f"(SELECT c.pos FROM {src.rel} WHERE {src.sql('overdue')} ORDER BY c.pos LIMIT ?)")
        params = src.params + params
    sql = f"""
        SELECT c.district_code, c.reg_no, {ROUTE_SQL} AS route, c.received_date,
               c.category, c.merchant_name, c.acceptance, c.deadline_date,
               date_diff('day', c.received_date, ?::DATE) AS age_days,
               a.wd_idx - cr.wd_idx AS age_wdays,
               a.wd_idx - cd.wd_idx AS overdue_wdays
        FROM ({picked}) c
        LEFT JOIN calendar cr ON cr.d = c.received_date
        LEFT JOIN calendar cd ON cd.d = c.deadline_date
        LEFT JOIN calendar a ON a.d = ?::DATE
        ORDER BY {order}"""
    df = query(con, sql, [ao] + params + [ao])
    for c in ("received_date", "deadline_date"):
        df[c] = pd.to_datetime(df[c]).dt.date
    return df


def overdue_open_count(con, f: Filters, *, all_periods: bool = False, fast: bool = True) -> int:
    """How many complaints :func:`overdue_open` would list without a limit (count)."""
    ao = as_of(con)
    src = _source(con, f, "agg_res_open", period=not all_periods, fast=fast)
    return int(scalar(con, f"SELECT count(*) FROM {src.rel} WHERE {src.sql('overdue')}", src.params + [ao]))


def deadline_by_district(con, f: Filters, *, fast: bool = True) -> pd.DataFrame:
    """Deadlines per district: every district of the database (of ``f.districts`` when set) in
    code order, zero rows included.

    Columns: code, name, short_name, name_en, complaints, on_time, on_time_base, on_time_rate
    (METRICS.md on-time rate, as queries.district_summary), accept_decided, accept_on_time,
    accept_rate, accept_undecided_late (as acceptance_decisions), overdue_open (open past the
    deadline on the as-of date, received in the period)."""
    dist = queries.districts(con)[["code", "name", "short_name", "name_en"]]
    if f.districts:
        dist = dist[dist["code"].isin(f.districts)]
    d = _deadline_counts(con, f, fast=fast)
    at = {c: i for i, (c, total) in enumerate(zip(d["district_code"], d["is_total"])) if not total}
    pos = np.array([at.get(c, -1) for c in dist["code"]], dtype=np.int64)

    def count(col: str) -> np.ndarray:          # d always has its total row: index 0 exists
        return np.where(pos >= 0, d[col][np.maximum(pos, 0)], 0)

    out = {c: dist[c].array for c in ("code", "name", "short_name", "name_en")}
    out.update(complaints=count("complaints"), on_time=count("on_time"), on_time_base=count("on_time_base"))
    out["on_time_rate"] = _ratio(out["on_time"], out["on_time_base"])
    out.update(accept_decided=count("decided"), accept_on_time=count("accept_on_time"))
    out["accept_rate"] = _ratio(out["accept_on_time"], out["accept_decided"])
    out.update(accept_undecided_late=count("undecided_late"), overdue_open=count("overdue_open"))
    return pd.DataFrame(out)


# --- calendar ------------------------------------------------------------------------------------

def calendar_notice(con, f: Filters, *, fast: bool = True) -> dict:
    """Years among the dates this page computes with (received dates of the period, closed dates,
    deadlines, the as-of date) that the database's official calendar does not know (weekdays
    assumed there).

    Keys: ``years`` (list of int, from the database's calendar table: the numbers shown use it),
    ``fixed_in_file`` (those of ``years`` that data/holidays_extra.csv or the installed
    chinesecalendar now knows: rebuilding or re-importing the database applies them),
    ``start``, ``end`` (the date range checked)."""
    src = _source(con, f, "agg_res_times", fast=fast)
    hi = rows(con, f"SELECT max({src.sql('last_date')}) FROM {src.rel}", src.params)[0][0]
    ao = as_of(con)
    start = f.date_from
    end = max(d for d in (f.date_to, hi, ao) if d is not None)
    years, cal_end = rows(con, """
        SELECT list(DISTINCT year(d) ORDER BY year(d)) FILTER (WHERE NOT known AND d BETWEEN ? AND ?), max(d)
        FROM calendar""", [start, end])[0]
    years = [int(y) for y in years or []]
    # dates beyond the calendar table are unknown too
    if cal_end is None or end > cal_end:
        first = (cal_end.year + 1) if cal_end else start.year
        years = sorted(set(years) | set(range(max(first, start.year), end.year + 1)))
    now_unknown = set(workdays.unknown_years(start, end))
    return {"years": years, "fixed_in_file": [y for y in years if y not in now_unknown],
            "start": start, "end": end}
