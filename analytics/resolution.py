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

The statistical helpers (:func:`kaplan_meier`, :func:`km_time_at`, :func:`quantile_from_counts`)
are plain NumPy so they can be tested against hand-computed examples.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from . import metrics as M
from . import queries, workdays
from .db import query, rows
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
Z95 = 1.959963984540054

DECISION_DATE = M.DECISION_DATE
ACCEPT_ON_TIME = M.ACCEPT_ON_TIME


def _unit(unit: str) -> str:
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}")
    return unit


def as_of(con) -> dt.date | None:
    """The as-of date of the data (see queries.data_coverage)."""
    return queries.data_coverage(con)[1]


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


def kaplan_meier(times, events, censored=None) -> pd.DataFrame:
    """Kaplan–Meier estimate of S(t) = P(still open after t) with Greenwood 95% intervals.

    ``times``: distinct or repeated times (non-negative numbers); ``events``: how many closed at
    that time; ``censored``: how many were still open with that age (at risk at t, then leave).
    Ties: closings at t happen before censorings at t (the usual convention).

    Returns one row per distinct time: t, n_risk, events, censored, surv (S just after t),
    surv_lo, surv_hi (95% interval, Greenwood variance on the log(-log) scale, which stays in
    [0, 1]; equal to surv where S is 1 or 0)."""
    t = np.asarray(times, dtype=float)
    d = np.asarray(events, dtype=float)
    c = np.zeros_like(d) if censored is None else np.asarray(censored, dtype=float)
    cols = ["t", "n_risk", "events", "censored", "surv", "surv_lo", "surv_hi"]
    if t.size == 0 or (d.sum() + c.sum()) == 0:
        return pd.DataFrame(columns=cols)
    frame = pd.DataFrame({"t": t, "d": d, "c": c}).groupby("t", sort=True).sum()
    tt = frame.index.to_numpy(dtype=float)
    dd = frame["d"].to_numpy()
    cc = frame["c"].to_numpy()
    total = dd.sum() + cc.sum()
    left_before = np.concatenate([[0.0], np.cumsum(dd + cc)[:-1]])
    n = total - left_before
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 0, 1.0 - dd / n, 1.0)
        surv = np.cumprod(factor)
        term = np.where((n > dd) & (dd > 0), dd / (n * (n - dd)), 0.0)
        gw = np.cumsum(term)          # Greenwood sum; Var(S) = S^2 * gw
        log_s = np.log(surv)
        se_ll = np.sqrt(gw) / np.abs(log_s)
        loglog = np.log(-log_s)
        lo = np.exp(-np.exp(loglog + Z95 * se_ll))
        hi = np.exp(-np.exp(loglog - Z95 * se_ll))
    inside = (surv > 0) & (surv < 1) & (gw > 0)
    lo = np.where(inside, lo, surv)
    hi = np.where(inside, hi, surv)
    return pd.DataFrame({"t": tt, "n_risk": n.astype(np.int64), "events": dd.astype(np.int64),
                         "censored": cc.astype(np.int64), "surv": surv, "surv_lo": lo, "surv_hi": hi})


def km_time_at(curve: pd.DataFrame, level: float, col: str = "surv") -> float | None:
    """First time t at which ``curve[col]`` (S just after t) is at or below ``level``:
    ``level=0.5`` is the median time to close, ``0.1`` the P90. None when never reached."""
    if curve is None or not len(curve):
        return None
    hit = curve.loc[curve[col] <= level + 1e-12, "t"]
    return float(hit.iloc[0]) if len(hit) else None


def km_surv_at(curve: pd.DataFrame, t: float, col: str = "surv") -> float | None:
    """S(t) read off the step curve (1 before the first time); None when ``t`` lies beyond the
    follow-up (after the last time, when the curve has not reached 0)."""
    if curve is None or not len(curve):
        return None
    before = curve[curve["t"] <= t]
    if not len(before):
        return 1.0
    s = float(before[col].iloc[-1])
    if t > curve["t"].iloc[-1] and float(curve["surv"].iloc[-1]) > 0:
        return None
    return s


# --- data --------------------------------------------------------------------------------------

def time_counts(con, f: Filters, unit: str = "days") -> pd.DataFrame:
    """Complaints of ``f`` (cohort: received in the period) by route and time.

    Grain: one row per (route, t, closed). Columns: route (``odr`` / ``traditional``), t (int,
    ``unit``: closed → time to close; open → age on the as-of date, the censoring time), closed
    (bool), n (complaints). Complaints whose time cannot be computed (date outside the calendar
    table) are left out."""
    _unit(unit)
    ao = as_of(con)
    where, params = complaint_where(f)
    sql = f"""
        SELECT {ROUTE_SQL} AS route,
               CASE WHEN {M.IS_CLOSED} THEN {_CLOSED_TIME[unit]} ELSE {_OPEN_AGE[unit]} END AS t,
               {M.IS_CLOSED} AS closed,
               count(*) AS n
        FROM complaints c
        LEFT JOIN calendar cr ON cr.d = c.received_date
        WHERE {where}
        GROUP BY ALL
        HAVING t IS NOT NULL
        ORDER BY route, t, closed"""
    df = query(con, sql, [ao] + params)
    df["t"] = df["t"].astype("int64")
    df["n"] = df["n"].astype("int64")
    df["closed"] = df["closed"].astype(bool)
    return df


def _route_frames(counts: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """counts split per route, plus ``all`` (both routes)."""
    out = {}
    if len(counts):
        out["all"] = counts
    for r in ("odr", "traditional"):
        part = counts[counts["route"] == r]
        if len(part):
            out[r] = part
    return out


def _km_of(part: pd.DataFrame) -> pd.DataFrame:
    g = part.groupby(["t", "closed"])["n"].sum().unstack(fill_value=0)
    ev = g[True] if True in g.columns else pd.Series(0, index=g.index)
    ce = g[False] if False in g.columns else pd.Series(0, index=g.index)
    return kaplan_meier(g.index.to_numpy(), ev.to_numpy(), ce.to_numpy())


def km_curves(con, f: Filters, unit: str = "days") -> pd.DataFrame:
    """Kaplan–Meier curves of time to close, per route (``all``, ``odr``, ``traditional``; a route
    without complaints is absent).

    Grain: one row per (route, distinct time). Columns: route, t (``unit``), n_risk, events,
    censored, surv (share still open just after t), surv_lo, surv_hi (95% Greenwood interval)."""
    counts = time_counts(con, f, unit)
    parts = []
    for r, part in _route_frames(counts).items():
        parts.append(_km_of(part).assign(route=r))
    if not parts:
        return pd.DataFrame(columns=["route", "t", "n_risk", "events", "censored", "surv", "surv_lo", "surv_hi"])
    df = pd.concat(parts, ignore_index=True)
    return df[["route", "t", "n_risk", "events", "censored", "surv", "surv_lo", "surv_hi"]]


def km_summary(con, f: Filters, unit: str = "days", n_wdays: int = 10) -> pd.DataFrame:
    """Censoring-aware time to close next to the naive closed-only figures, per route.

    Grain: one row per route (``all``, ``odr``, ``traditional``; routes without complaints absent).
    Columns: route, complaints, closed, open (counts); naive_median, naive_p90 (``unit``,
    quantile_cont over closed complaints only — METRICS.md "Median"; null when none closed);
    km_median, km_median_lo, km_median_hi, km_p90 (``unit``: first t with S(t) <= 0.5 / 0.1 on the
    Kaplan–Meier curve and the 95% interval of the median from the Greenwood band; null when the
    curve never gets there); within_n, within_n_lo, within_n_hi (fraction closed within
    ``n_wdays`` official working days, 1 − S(N) on the working-day curve, with 95% interval; null
    beyond the follow-up); naive_within_n (closed within N working days ÷ closed complaints);
    max_open_age (``unit``, oldest open complaint)."""
    counts = time_counts(con, f, unit)
    wcounts = counts if unit == "wdays" else time_counts(con, f, "wdays")
    wparts = _route_frames(wcounts)
    out = []
    for r, part in _route_frames(counts).items():
        closed = part[part["closed"]]
        opened = part[~part["closed"]]
        curve = _km_of(part)
        wpart = wparts.get(r)
        wcurve = _km_of(wpart) if wpart is not None else None
        s_n = km_surv_at(wcurve, n_wdays)
        s_n_lo = km_surv_at(wcurve, n_wdays, "surv_lo")
        s_n_hi = km_surv_at(wcurve, n_wdays, "surv_hi")
        wclosed = wpart[wpart["closed"]] if wpart is not None else wcounts.head(0)
        n_wclosed = int(wclosed["n"].sum())
        out.append({
            "route": r,
            "complaints": int(part["n"].sum()),
            "closed": int(closed["n"].sum()),
            "open": int(opened["n"].sum()),
            "naive_median": quantile_from_counts(closed["t"], closed["n"], 0.5),
            "naive_p90": quantile_from_counts(closed["t"], closed["n"], 0.9),
            "km_median": km_time_at(curve, 0.5),
            "km_median_lo": km_time_at(curve, 0.5, "surv_lo"),
            "km_median_hi": km_time_at(curve, 0.5, "surv_hi"),
            "km_p90": km_time_at(curve, 0.1),
            "within_n": None if s_n is None else 1.0 - s_n,
            "within_n_lo": None if s_n_hi is None else 1.0 - s_n_hi,
            "within_n_hi": None if s_n_lo is None else 1.0 - s_n_lo,
            "naive_within_n": (int(wclosed.loc[wclosed["t"] <= n_wdays, "n"].sum()) / n_wclosed
                               if n_wclosed else None),
            "max_open_age": int(opened["t"].max()) if len(opened) else None,
        })
    cols = ["route", "complaints", "closed", "open", "naive_median", "naive_p90", "km_median",
            "km_median_lo", "km_median_hi", "km_p90", "within_n", "within_n_lo", "within_n_hi",
            "naive_within_n", "max_open_age"]
    return pd.DataFrame(out, columns=cols)


# --- ODR against traditional -----------------------------------------------------------------------

def _stratum_counts(con, f: Filters, unit: str) -> pd.DataFrame:
    """Closed complaints per (route, category, t) with settled counts."""
    where, params = complaint_where(f)
    sql = f"""
        SELECT {ROUTE_SQL} AS route, coalesce(c.category, '其他') AS category,
               {_CLOSED_TIME[unit]} AS t, count(*) AS n,
               count(*) FILTER (WHERE {M.IS_SETTLED}) AS settled
        FROM complaints c
        WHERE {where} AND {M.IS_CLOSED} AND {_CLOSED_TIME[unit]} IS NOT NULL
        GROUP BY ALL ORDER BY ALL"""
    df = query(con, sql, params)
    for col in ("t", "n", "settled"):
        df[col] = df[col].astype("int64")
    return df


def _boot_medians(rng: np.random.Generator, values: np.ndarray, counts: np.ndarray, b: int) -> np.ndarray:
    n = int(counts.sum())
    sample = rng.multinomial(n, counts / n, size=b)
    return _quantiles_from_count_matrix(values, sample, 0.5)


def _ci(x: np.ndarray) -> tuple[float | None, float | None]:
    x = x[~np.isnan(x)]
    if not len(x):
        return None, None
    lo, hi = np.percentile(x, [2.5, 97.5])
    return float(lo), float(hi)


def route_gap(con, f: Filters, unit: str = "days", *, min_stratum: int = 5, n_boot: int = 2000,
              seed: int = BOOT_SEED) -> dict:
    """Gap between ODR and traditional complaints of ``f`` (closed complaints), raw and adjusted
    for the category mix.

    - ``median``: traditional median time to close − ODR median (``unit``; positive = ODR faster),
      quantile_cont over closed complaints. 95% interval: percentile bootstrap (``n_boot``
      resamples within each route, or within each route × category for the adjusted gap; fixed
      ``seed`` so the page shows the same numbers on every run).
    - ``settled``: ODR settlement rate − traditional rate (settled = outcome in
      metrics.SETTLED_OUTCOMES, over closed complaints; positive = ODR settles more). 95% interval:
      normal approximation, Var = Σ w² (p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂).
    - Adjusted (direct standardisation): Σ_c w_c · diff_c / Σ_c w_c over the categories where both
      routes have at least ``min_stratum`` closed complaints, with w_c the pooled (both routes)
      number of closed complaints of category c. It answers "what would the gap be if both routes
      had the same category mix".

    Returns a dict: ``summary`` (DataFrame, one row per metric: metric, odr, traditional,
    n_odr, n_traditional, raw, raw_lo, raw_hi, adjusted, adj_lo, adj_hi, coverage — share of
    pooled closed complaints in the compared categories, strata — number of compared
    categories) and ``strata`` (DataFrame per category: category, n_odr, n_traditional,
    median_odr, median_traditional, settled_odr, settled_traditional (rates), weight (share of
    pooled closed complaints among the compared categories, 0 when excluded), included)."""
    _unit(unit)
    rng = np.random.default_rng(seed)
    df = _stratum_counts(con, f, unit)
    values = np.sort(df["t"].unique()).astype(float) if len(df) else np.array([0.0])

    def vec(part: pd.DataFrame) -> np.ndarray:
        s = part.groupby("t")["n"].sum()
        return s.reindex(values, fill_value=0).to_numpy(dtype=np.int64)

    by_route = {r: df[df["route"] == r] for r in ("odr", "traditional")}
    n_r = {r: int(p["n"].sum()) for r, p in by_route.items()}
    s_r = {r: int(p["settled"].sum()) for r, p in by_route.items()}
    med = {r: quantile_from_counts(p["t"], p["n"], 0.5) for r, p in by_route.items()}
    rate = {r: (s_r[r] / n_r[r] if n_r[r] else None) for r in by_route}

    # strata
    cats = sorted(df["category"].unique()) if len(df) else []
    strata = []
    for cat in cats:
        row = {"category": cat}
        for r in ("odr", "traditional"):
            p = by_route[r][by_route[r]["category"] == cat]
            n = int(p["n"].sum())
            row[f"n_{r}"] = n
            row[f"median_{r}"] = quantile_from_counts(p["t"], p["n"], 0.5)
            row[f"settled_{r}"] = int(p["settled"].sum()) / n if n else None
        row["included"] = row["n_odr"] >= min_stratum and row["n_traditional"] >= min_stratum
        strata.append(row)
    st = pd.DataFrame(strata, columns=["category", "n_odr", "n_traditional", "median_odr", "median_traditional",
                                       "settled_odr", "settled_traditional", "included"])
    inc = st[st["included"]] if len(st) else st
    pooled = (inc["n_odr"] + inc["n_traditional"]).astype(float) if len(inc) else pd.Series(dtype=float)
    w_total = float(pooled.sum())
    st["weight"] = 0.0
    if w_total:
        st.loc[inc.index, "weight"] = pooled / w_total
    coverage = w_total / (n_r["odr"] + n_r["traditional"]) if (n_r["odr"] + n_r["traditional"]) else None
    w = st.loc[inc.index, "weight"].to_numpy() if len(inc) else np.array([])

    # --- median gap
    raw_med = None if med["odr"] is None or med["traditional"] is None else med["traditional"] - med["odr"]
    raw_med_ci = (None, None)
    if raw_med is not None:
        bo = _boot_medians(rng, values, vec(by_route["odr"]), n_boot)
        bt = _boot_medians(rng, values, vec(by_route["traditional"]), n_boot)
        raw_med_ci = _ci(bt - bo)
    adj_med, adj_med_ci = None, (None, None)
    if len(inc):
        diffs = (inc["median_traditional"] - inc["median_odr"]).to_numpy(dtype=float)
        adj_med = float(np.dot(w, diffs))
        boot = np.zeros(n_boot)
        for wi, cat in zip(w, inc["category"]):
            bo = _boot_medians(rng, values, vec(by_route["odr"][by_route["odr"]["category"] == cat]), n_boot)
            bt = _boot_medians(rng, values, vec(by_route["traditional"][by_route["traditional"]["category"] == cat]),
                               n_boot)
            boot += wi * (bt - bo)
        adj_med_ci = _ci(boot)

    # --- settlement-rate gap
    raw_set, raw_set_ci = None, (None, None)
    if rate["odr"] is not None and rate["traditional"] is not None:
        raw_set = rate["odr"] - rate["traditional"]
        se = math.sqrt(rate["odr"] * (1 - rate["odr"]) / n_r["odr"]
                       + rate["traditional"] * (1 - rate["traditional"]) / n_r["traditional"])
        raw_set_ci = (raw_set - Z95 * se, raw_set + Z95 * se)
    adj_set, adj_set_ci = None, (None, None)
    if len(inc):
        p1 = inc["settled_odr"].to_numpy(dtype=float)
        p2 = inc["settled_traditional"].to_numpy(dtype=float)
        n1 = inc["n_odr"].to_numpy(dtype=float)
        n2 = inc["n_traditional"].to_numpy(dtype=float)
        adj_set = float(np.dot(w, p1 - p2))
        var = float(np.sum(w ** 2 * (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)))
        adj_set_ci = (adj_set - Z95 * math.sqrt(var), adj_set + Z95 * math.sqrt(var))

    summary = pd.DataFrame([
        {"metric": "median", "odr": med["odr"], "traditional": med["traditional"],
         "raw": raw_med, "raw_lo": raw_med_ci[0], "raw_hi": raw_med_ci[1],
         "adjusted": adj_med, "adj_lo": adj_med_ci[0], "adj_hi": adj_med_ci[1]},
        {"metric": "settled", "odr": rate["odr"], "traditional": rate["traditional"],
         "raw": raw_set, "raw_lo": raw_set_ci[0], "raw_hi": raw_set_ci[1],
         "adjusted": adj_set, "adj_lo": adj_set_ci[0], "adj_hi": adj_set_ci[1]},
    ])
    summary["n_odr"] = n_r["odr"]
    summary["n_traditional"] = n_r["traditional"]
    summary["coverage"] = coverage
    summary["strata"] = int(len(inc))
    return {"summary": summary, "strata": st}


# --- distributions -------------------------------------------------------------------------------

def weekly_quantiles(con, f: Filters, unit: str = "days") -> pd.DataFrame:
    """Median and P90 time to close per ISO week of receipt and route.

    Grain: one row per (ISO week overlapping the period, route in ``all`` / ``odr`` /
    ``traditional``), weeks without complaints included. Columns: week, week_start, partial (as
    in queries.weekly_complaints), route, complaints, closed, open (counts), median, p90
    (``unit``, quantile_cont over the week's closed complaints; null when none closed)."""
    _unit(unit)
    weeks = queries.weekly_complaints(con, f)[["week", "week_start", "partial"]]
    where, params = complaint_where(f)
    col = _CLOSED_TIME[unit]
    sql = f"""
        SELECT date_trunc('week', c.received_date)::DATE AS week_start,
               coalesce({ROUTE_SQL}, 'all') AS route,
               count(*) AS complaints,
               count(*) FILTER (WHERE {M.IS_CLOSED}) AS closed,
               quantile_cont({col}, 0.5) AS median,
               quantile_cont({col}, 0.9) AS p90
        FROM complaints c WHERE {where}
        GROUP BY GROUPING SETS ((date_trunc('week', c.received_date)::DATE),
                                (date_trunc('week', c.received_date)::DATE, {ROUTE_SQL}))"""
    agg = query(con, sql, params)
    agg["week_start"] = pd.to_datetime(agg["week_start"]).dt.date
    frame = weeks.merge(pd.DataFrame({"route": ["all", "odr", "traditional"]}), how="cross")
    out = frame.merge(agg, on=["week_start", "route"], how="left")
    for c in ("complaints", "closed"):
        out[c] = out[c].fillna(0).astype("int64")
    out["open"] = out["complaints"] - out["closed"]
    return out[["week", "week_start", "partial", "route", "complaints", "closed", "open", "median", "p90"]]


def category_quantiles(con, f: Filters, unit: str = "days") -> pd.DataFrame:
    """Spread of the time to close per category and route (closed complaints).

    Grain: one row per (category, route) with at least one closed complaint. Columns: category,
    route, closed (count), p10, q1, median, q3, p90, mean (``unit``; quantile_cont). Sorted by
    the category's overall median, slowest first."""
    _unit(unit)
    where, params = complaint_where(f)
    col = _CLOSED_TIME[unit]
    sql = f"""
        SELECT coalesce(c.category, '其他') AS category, {ROUTE_SQL} AS route, count(*) AS closed,
               quantile_cont({col}, 0.1) AS p10, quantile_cont({col}, 0.25) AS q1,
               quantile_cont({col}, 0.5) AS median, quantile_cont({col}, 0.75) AS q3,
               quantile_cont({col}, 0.9) AS p90, avg({col}) AS mean
        FROM complaints c
        WHERE {where} AND {M.IS_CLOSED} AND {col} IS NOT NULL
        GROUP BY ALL"""
    df = query(con, sql, params)
    if not len(df):
        return df
    cat_med = dict(rows(con, f"""
        SELECT coalesce(c.category, '其他'), quantile_cont({col}, 0.5)
        FROM complaints c WHERE {where} AND {M.IS_CLOSED} AND {col} IS NOT NULL GROUP BY 1""", params))
    df["_order"] = df["category"].map(cat_med)
    df = df.sort_values(["_order", "category", "route"], ascending=[False, True, True]).drop(columns="_order")
    df["closed"] = df["closed"].astype("int64")
    return df.reset_index(drop=True)


# --- deadlines -------------------------------------------------------------------------------------

def on_time_weekly(con, f: Filters) -> pd.DataFrame:
    """On-time rate (METRICS.md, metrics.ON_TIME_NUM / ON_TIME_DEN with the period's end) per ISO
    week of receipt and route.

    Grain: one row per (week overlapping the period, route in ``all`` / ``odr`` / ``traditional``).
    Columns: week, week_start, partial, route, complaints, on_time (closed on or before the
    deadline), base (closed + open past the deadline before the period's end), rate (fraction,
    null when base is 0), pending (open and still inside the deadline: left out)."""
    weeks = queries.weekly_complaints(con, f)[["week", "week_start", "partial"]]
    where, params = complaint_where(f)
    sql = f"""
        SELECT date_trunc('week', c.received_date)::DATE AS week_start,
               coalesce({ROUTE_SQL}, 'all') AS route,
               count(*) AS complaints,
               count(*) FILTER (WHERE {M.ON_TIME_NUM}) AS on_time,
               count(*) FILTER (WHERE {M.ON_TIME_DEN}) AS base
        FROM complaints c WHERE {where}
        GROUP BY GROUPING SETS ((date_trunc('week', c.received_date)::DATE),
                                (date_trunc('week', c.received_date)::DATE, {ROUTE_SQL}))"""
    agg = query(con, sql, [f.date_to] + params)
    agg["week_start"] = pd.to_datetime(agg["week_start"]).dt.date
    frame = weeks.merge(pd.DataFrame({"route": ["all", "odr", "traditional"]}), how="cross")
    out = frame.merge(agg, on=["week_start", "route"], how="left")
    for c in ("complaints", "on_time", "base"):
        out[c] = out[c].fillna(0).astype("int64")
    out["rate"] = out["on_time"].where(out["base"] > 0) / out["base"].where(out["base"] > 0)
    out["pending"] = out["complaints"] - out["base"]
    return out[["week", "week_start", "partial", "route", "complaints", "on_time", "base", "rate", "pending"]]


def acceptance_decisions(con, f: Filters) -> pd.DataFrame:
    """Acceptance decided within 7 working days (METRICS.md ``accept_on_time``; 《暂行办法》 art. 14),
    traditional complaints of ``f`` (ODR complaints have no acceptance step).

    Grain: one row per district with traditional complaints, plus a total row (district_code
    null, is_total true). Columns: district_code, is_total, traditional (count), decided (has a
    decision date: acceptance date, or for 不予受理 the acceptance date else the closed date),
    on_time (decided on or before accept_deadline), rate (on_time ÷ decided, null when none
    decided), undecided (no decision date), undecided_late (no decision and the 7th working day
    after receipt is before the as-of date)."""
    ao = as_of(con)
    where, params = complaint_where(f)      # an ODR-only filter leaves nothing
    sql = f"""
        SELECT c.district_code, grouping(c.district_code) = 1 AS is_total,
               count(*) AS traditional,
               count(*) FILTER (WHERE ({DECISION_DATE}) IS NOT NULL) AS decided,
               count(*) FILTER (WHERE {ACCEPT_ON_TIME}) AS on_time,
               count(*) FILTER (WHERE ({DECISION_DATE}) IS NULL) AS undecided,
               count(*) FILTER (WHERE ({DECISION_DATE}) IS NULL AND c.accept_deadline < ?) AS undecided_late
        FROM complaints c WHERE {where} AND NOT c.is_odr
        GROUP BY GROUPING SETS ((c.district_code), ())
        ORDER BY is_total, c.district_code"""
    df = query(con, sql, [ao] + params)
    for c in ("traditional", "decided", "on_time", "undecided", "undecided_late"):
        df[c] = df[c].astype("int64")
    df["is_total"] = df["is_total"].astype(bool)
    df["rate"] = df["on_time"].where(df["decided"] > 0) / df["decided"].where(df["decided"] > 0)
    if not (df["traditional"] > 0).any():
        return df.head(0)
    return df


def overdue_open(con, f: Filters, *, all_periods: bool = False, limit: int = 5000) -> pd.DataFrame:
    """Open complaints past their deadline on the as-of date (metrics.OVERDUE_OPEN with the as-of
    date), oldest first within each district. No personal data: the schema holds none.

    ``all_periods``: ignore the period (every open complaint of the other filters), since an
    overdue case received before the period is still overdue. At most ``limit`` rows.

    Grain: one row per complaint. Columns: district_code, reg_no, route, received_date, category,
    merchant_name, acceptance, deadline_date, age_days (calendar days since receipt), age_wdays
    (official working days in (received, as-of]), overdue_wdays (working days in (deadline,
    as-of])."""
    ao = as_of(con)
    where, params = complaint_where(f, period=not all_periods)
    sql = f"""
        SELECT c.district_code, c.reg_no, {ROUTE_SQL} AS route, c.received_date,
               c.category, c.merchant_name, c.acceptance, c.deadline_date,
               date_diff('day', c.received_date, ?::DATE) AS age_days,
               a.wd_idx - cr.wd_idx AS age_wdays,
               a.wd_idx - cd.wd_idx AS overdue_wdays
        FROM complaints c
        LEFT JOIN calendar cr ON cr.d = c.received_date
        LEFT JOIN calendar cd ON cd.d = c.deadline_date
        LEFT JOIN calendar a ON a.d = ?::DATE
        WHERE {where} AND {M.OVERDUE_OPEN}
        ORDER BY c.district_code, c.received_date, c.reg_no
        LIMIT ?"""
    df = query(con, sql, [ao, ao] + params + [ao, int(limit)])
    for c in ("received_date", "deadline_date"):
        df[c] = pd.to_datetime(df[c]).dt.date
    return df


def deadline_by_district(con, f: Filters) -> pd.DataFrame:
    """Deadlines per district: every district of the database in code order.

    Columns: code, name, short_name, name_en, complaints, on_time, on_time_base, on_time_rate
    (from queries.district_summary: METRICS.md on-time rate), accept_decided, accept_on_time,
    accept_rate, accept_undecided_late (acceptance_decisions), overdue_open (open past the
    deadline on the as-of date, received in the period)."""
    dist = queries.district_summary(con, f)[["code", "name", "short_name", "name_en", "complaints",
                                             "on_time", "on_time_base", "on_time_rate"]]
    acc = acceptance_decisions(con, f)
    acc = acc[~acc["is_total"]] if len(acc) else acc
    acc = acc.rename(columns={"district_code": "code", "decided": "accept_decided", "on_time": "accept_on_time",
                              "rate": "accept_rate", "undecided_late": "accept_undecided_late"})
    out = dist.merge(acc[["code", "accept_decided", "accept_on_time", "accept_rate", "accept_undecided_late"]]
                     if len(acc) else pd.DataFrame(columns=["code", "accept_decided", "accept_on_time",
                                                            "accept_rate", "accept_undecided_late"]),
                     on="code", how="left")
    ao = as_of(con)
    where, params = complaint_where(f)
    od = dict(rows(con, f"""SELECT c.district_code, count(*) FROM complaints c
                           WHERE {where} AND {M.OVERDUE_OPEN} GROUP BY 1""", params + [ao]))
    out["overdue_open"] = out["code"].map(od).fillna(0).astype("int64")
    for c in ("accept_decided", "accept_on_time", "accept_undecided_late"):
        out[c] = pd.to_numeric(out[c]).fillna(0).astype("int64")
    out["accept_rate"] = pd.to_numeric(out["accept_rate"])
    return out


# --- calendar ------------------------------------------------------------------------------------

def calendar_notice(con, f: Filters) -> dict:
    """Years among the dates this page computes with (received dates of the period, closed dates,
    deadlines, the as-of date) that the database's official calendar does not know (weekdays
    assumed there).

    Keys: ``years`` (list of int, from the database's calendar table: the numbers shown use it),
    ``fixed_in_file`` (those of ``years`` that data/holidays_extra.csv or the installed
    chinesecalendar now knows: rebuilding or re-importing the database applies them),
    ``start``, ``end`` (the date range checked)."""
    where, params = complaint_where(f)
    hi = rows(con, f"""SELECT max(greatest(c.received_date, coalesce(c.closed_date, c.received_date),
                                         coalesce(c.deadline_date, c.received_date)))
                       FROM complaints c WHERE {where}""", params)[0][0]
    ao = as_of(con)
    start = f.date_from
    end = max(d for d in (f.date_to, hi, ao) if d is not None)
    years = [int(r[0]) for r in rows(con, """SELECT DISTINCT year(d) FROM calendar
                                           WHERE NOT known AND d BETWEEN ? AND ? ORDER BY 1""", [start, end])]
    # dates beyond the calendar table are unknown too
    cal_end = rows(con, "SELECT max(d) FROM calendar")[0][0]
    if cal_end is None or end > cal_end:
        first = (cal_end.year + 1) if cal_end else start.year
        years = sorted(set(years) | set(range(max(first, start.year), end.year + 1)))
    now_unknown = set(workdays.unknown_years(start, end))
    return {"years": years, "fixed_in_file": [y for y in years if y not in now_unknown],
            "start": start, "end": end}
