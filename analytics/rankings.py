"""District rankings: per-county (and per-township) metrics with intervals, the city reference,
funnel-plot control limits, a composite index with user weights, rank change against the previous
period and rank history for a bump chart.

Definitions (METRICS.md is the contract; the SQL fragments come from analytics/metrics.py and the
counts from analytics/queries.py):

- ``per_100k``: complaints ÷ population × 100,000 (counties only: townships have no population).
  Interval: exact Poisson (Garwood) on the count, divided by the population.
- ``closure_rate``: closed ÷ complaints; ``on_time_rate``: on time ÷ (closed + overdue open);
  ``odr_share``: ODR complaints ÷ complaints. Interval: Clopper–Pearson (exact binomial).
- ``median_days``: median calendar resolution days of closed complaints (``quantile_cont``).
  Interval: distribution-free order-statistic interval (binomial ranks); none below 6 closed
  complaints (no order-statistic pair reaches 95%): "too few cases".
- ``recovered_per_complaint``: recovered yuan ÷ complaints (a mean; missing amounts count as 0,
  like the sum in METRICS.md). Interval: mean ± 1.96·s/√n with s the larger of the unit's and
  the city's standard deviation of the amounts (analytics/stats.mean_interval explains why).
- ``returns_per_store``: no-reason returns dated in the period ÷ committed stores in the registry
  at the period's end (counties only: returns carry no township). Interval: exact Poisson on the
  return count, divided by the stores.

All intervals are 95% unless a ``conf`` is given; each covers the truth ≥ 95% of the time at the
app's sizes (tests/test_stats.py simulates it). A unit is *not distinguishable from the city
average* ("same") when its interval contains the city value, "above" / "below" when it does not,
and "few" when the value has no interval ("too few cases": never flagged, the city value in the
composite index). Because every interval is exact or conservative and the unit is part of the
city, a flag on data with no real difference fires at most 5% of the time (tests/test_stats.py).
Rank changes are shown only beyond chance: see :func:`ranking`. This module never imports
streamlit.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from . import aggregates
from . import metrics as M
from . import queries
from .db import RESULT, memo_rows, memoised, query, rows
from .filters import Filters, complaint_where, district_where

# --- metric catalogue -------------------------------------------------------------------------

METRIC_KEYS = ("per_100k", "closure_rate", "on_time_rate", "median_days", "odr_share",
               "recovered_per_complaint", "returns_per_store")
# interval kind of each metric
KINDS = {
    "per_100k": "poisson",
    "closure_rate": "binomial",
    "on_time_rate": "binomial",
    "median_days": "median",
    "odr_share": "binomial",
    "recovered_per_complaint": "mean",
    "returns_per_store": "poisson",
}
HIGHER_IS_BETTER = {
    "per_100k": False,                 # fewer complaints per resident
    "closure_rate": True,
    "on_time_rate": True,
    "median_days": False,              # faster
    "odr_share": True,                 # the ODR programme's aim: disputes resolved at source
    "recovered_per_complaint": True,
    "returns_per_store": True,         # committed stores that actually take goods back
}
PROPORTIONS = ("closure_rate", "on_time_rate", "odr_share")
COUNTY_ONLY = ("per_100k", "returns_per_store")
# Documented default weights of the composite index (percent points; they need not sum to 100,
# they are normalised). Complaints per 100k and returns per store are 0 by default: the first
# measures demand and awareness more than performance, the second depends on the stores' trade.
DEFAULT_WEIGHTS = {
    "per_100k": 0,
    "closure_rate": 25,
    "on_time_rate": 30,
    "median_days": 20,
    "odr_share": 15,
    "recovered_per_complaint": 10,
    "returns_per_store": 0,
}
SMALL_N = 30            # denominators below this are flagged as small
LEVELS = ("county", "township")
GRAINS = ("week", "month")


from .stats import (  # noqa: F401  (re-exported: the primitives live in analytics/stats.py)
    _z,
    _median_rank,
    median_min_n,
    wilson_interval,
    exact_proportion_interval,
    poisson_interval,
    rate_interval,
    median_interval,
    median_interval_counts,
    mean_interval,
    mean_intervals,
    rank_bounds,
    rank_change_beyond_chance,
    _interp_limit,
    poisson_funnel,
    binomial_funnel,
)
RANK_DRAWS = 400        # replicates of each unit's sampling distribution behind a rank interval
RANK_SEED = 20240315


def funnel(con, f: Filters, metric: str, level: str = "county", conf_levels=(0.95, 0.998),
           points: int = 80, *, fast: bool = True) -> pd.DataFrame:
    """Funnel-plot limits for ``metric`` around the city value.

    Grain: one row per exposure on a log grid from half the smallest to 1.15 × the largest exposure of the units
    (population for per_100k, committed stores for returns_per_store, the denominator count for
    proportions). Columns: exposure, lo_95, hi_95, lo_998, hi_998 (the metric's units: per 100k,
    returns per store, fractions), city (the city value). Empty for metrics without a funnel
    (median_days, recovered_per_complaint). ``fast=False`` forces the plain queries."""
    if KINDS.get(metric) not in ("poisson", "binomial"):
        return pd.DataFrame(columns=["exposure", "lo_95", "hi_95", "lo_998", "hi_998", "city"])
    # the frame :func:`ranking` computes for the same filters (remembered: the page draws both)
    units, city = _period_units(con, f, _with_previous(f), level, fast=fast)[0]
    x = units[f"{metric}_den"].astype(float)
    top = float(x.max()) if len(x) and x.notna().any() else 0.0
    if top <= 0 or city[metric] is None or pd.isna(city[metric]):
        return pd.DataFrame(columns=["exposure", "lo_95", "hi_95", "lo_998", "hi_998", "city"])
    positive = x[x > 0]
    lo_x = max(1.0, float(positive.min()) / 2) if len(positive) else 1.0
    grid = np.unique(np.round(np.geomspace(lo_x, top * 1.15, points)))
    if metric in PROPORTIONS:
        grid = np.unique(np.maximum(grid, 1).astype(int))
    out = pd.DataFrame({"exposure": grid.astype(float)})
    for conf, tag in zip(conf_levels, ("95", "998")):
        if metric in PROPORTIONS:
            lim = binomial_funnel(city[metric], grid, conf)
        else:
            scale = 100_000.0 if metric == "per_100k" else 1.0
            lim = poisson_funnel(city[metric], grid, conf, scale=scale)
        out[f"lo_{tag}"] = lim["lo"].to_numpy()
        out[f"hi_{tag}"] = lim["hi"].to_numpy()
    out["city"] = city[metric]
    return out


# --- per-unit metrics ------------------------------------------------------------------------------
#
# Every caller needs, per period and unit, a handful of counts, the closed complaints' resolution
# days as a histogram (exact medians and order-statistic intervals), the sum and sum of squares
# of the recovered amounts (exact DECIMAL sums: the mean and its interval, whose spread is the
# larger of the unit's and the city's standard deviation).
# The plain path groups ``complaints`` in SQL; the fast path groups the much smaller
# ``agg_complaints`` (analytics/build.py; county level) with the same statements' shape.

_REC_SUM = "coalesce(sum(c.recovered_yuan), 0)::DECIMAL(38, 2)"
_REC_SQ = "coalesce(sum(c.recovered_yuan * c.recovered_yuan), 0)::DECIMAL(38, 4)"

# Per district and day: no-reason returns dated that day, and the net change of the stores
# committed to no-reason returns (+1 on the commitment date, −1 on the withdrawal date or, for a
# withdrawal dated before the commitment, on the commitment date): the running sum up to ``to`` is
# the registry count at ``to`` (committed on or before it and not withdrawn on or before it).
_RANK_DISTRICT_DAYS_SQL = """
    CREATE OR REPLACE TABLE rank_district_days AS
    WITH ev AS (
        SELECT district_code, return_date AS d, 1 AS returns, 0 AS store_change FROM returns
        UNION ALL
        SELECT district_code, return_commit_date, 0, 1 FROM merchants WHERE return_commit_date IS NOT NULL
        UNION ALL
        SELECT district_code, greatest(return_commit_date, return_withdrawn_date), 0, -1 FROM merchants
        WHERE return_commit_date IS NOT NULL AND return_withdrawn_date IS NOT NULL
    )
    SELECT district_code, d, sum(returns)::BIGINT AS returns, sum(store_change)::BIGINT AS store_change
    FROM ev GROUP BY ALL ORDER BY d
"""

# The fast-path tables of this module (see analytics/aggregates.py).
AGGREGATES = {"rank_district_days": _RANK_DISTRICT_DAYS_SQL}

# grouping columns of the complaint statistics, by level (allow-list)
_UNIT_COLS = {"county": ["district_code"], "township": ["district_code", "township"]}
_COUNTS = ["n", "on_time", "on_time_base", "odr", "rec_sum", "rec_sq"]


def _periods_cte(periods) -> tuple[str, list]:
    """``p(i, d0, d1)``: the periods (index, first day, last day) as a CTE, values bound."""
    rows_ = ", ".join("(?::INTEGER, ?::DATE, ?::DATE)" for _ in periods)
    return f"p(i, d0, d1) AS (VALUES {rows_})", [x for i, (a, b) in enumerate(periods) for x in (i, a, b)]


def _period_cases(col: str, periods) -> tuple[str, list]:
    """Which period a date ``col`` falls in, as a CASE expression (NULL outside every period),
    with its bound values: cheaper than a range join on a table of periods (the eight-week rank
    history's statement at 10 M complaints: 12.5 ms against 14.7 ms)."""
    index = "CASE " + " ".join(f"WHEN {col} BETWEEN ? AND ? THEN {i}" for i in range(len(periods))) + " END"
    return index, [x for a, b in periods for x in (a, b)]


def _complaint_stats(con, f: Filters, periods, level: str, fast: bool) -> list[tuple]:
    """Complaint counts of ``f`` (all districts: the city needs them) for each period, in grouping
    sets: per unit (``g_unit`` = 0, ``g_days`` = 1), for the city (1, 1), and the same two split by
    resolution days (``g_days`` = 0: the histograms of the closed complaints' days).

    Rows: g_unit, g_days, period, district_code, [township,] days, n (complaints), closed,
    on_time, on_time_base (on time ÷ this is the on-time rate; open complaints are judged late or
    not yet due at the as-of date, whatever the period — METRICS.md), odr (counts),
    rec_sum (yuan), rec_sq (yuan²). The amounts are summed as exact decimals, so both paths give
    the same numbers."""
    span = [min(a for a, _ in periods), max(b for _, b in periods)]
    keys = ", ".join(_UNIT_COLS[level])
    if fast:
        where, wparams = queries.agg_where(f.with_(districts=()), period=False)
        period, pparams = _period_cases("a.received_date", periods)
        rows_sql = f"""
            SELECT {period} AS period, a.district_code, a.closed, a.resolution_days AS days,
                   sum(a.n) AS n,
                   coalesce(sum(a.n) FILTER (WHERE a.on_time), 0) AS on_time,
                   coalesce(sum(a.n) FILTER (WHERE a.closed OR a.open_deadline < ?), 0) AS on_time_base,
                   coalesce(sum(a.n) FILTER (WHERE a.is_odr), 0) AS odr,
                   sum(a.recovered_yuan) AS rec_sum, sum(a.recovered_sq) AS rec_sq
            FROM agg_complaints a
            WHERE {where} AND a.received_date BETWEEN ? AND ?
            GROUP BY ALL"""
    else:
        where, wparams = complaint_where(f.with_(districts=()), period=False)
        period, pparams = _period_cases("c.received_date", periods)
        assert M.ON_TIME_DEN.count("?") == 1 and "?" not in M.ON_TIME_NUM + M.IS_CLOSED
        rows_sql = f"""
            SELECT {period} AS period, {', '.join(f'c.{k}' for k in _UNIT_COLS[level])},
                   {M.IS_CLOSED} AS closed, c.resolution_days AS days,
                   count(*) AS n,
                   count(*) FILTER (WHERE {M.ON_TIME_NUM}) AS on_time,
                   count(*) FILTER (WHERE {M.ON_TIME_DEN}) AS on_time_base,
                   count(*) FILTER (WHERE c.is_odr) AS odr,
                   {_REC_SUM} AS rec_sum, {_REC_SQ} AS rec_sq
            FROM complaints c
            WHERE {where} AND c.received_date BETWEEN ? AND ?
            GROUP BY ALL"""
    sql = f"""
        WITH x AS ({rows_sql})
        SELECT GROUPING({keys}) > 0 AS g_unit, GROUPING(days) > 0 AS g_days, period, {keys}, days,
               sum(n)::BIGINT, coalesce(sum(n) FILTER (WHERE closed), 0)::BIGINT, sum(on_time)::BIGINT,
               sum(on_time_base)::BIGINT, sum(odr)::BIGINT, sum(rec_sum)::DOUBLE, sum(rec_sq)::DOUBLE
        FROM x
        WHERE period IS NOT NULL
        GROUP BY GROUPING SETS ((period, {keys}), (period), (period, {keys}, days), (period, days))"""
    params = pparams + [queries.status_date(con, f)]
    return memo_rows(con, sql, params + wparams + span)      # city_reference and the units' frame


def _returns_and_stores(con, periods, fast: bool) -> list[tuple]:
    """Rows (period index, district code, returns, stores), NULL and codes outside ``districts``
    included (the city counts them): returns dated in the period (as returns_summary's count),
    stores committed at the period's end (as registry_counts' return_stores)."""
    cte, params = _periods_cte(periods)
    if fast:
        sql = f"""
            WITH {cte}
            SELECT p.i, a.district_code,
                   coalesce(sum(a.returns) FILTER (WHERE a.d BETWEEN p.d0 AND p.d1), 0)::BIGINT,
                   coalesce(sum(a.store_change) FILTER (WHERE a.d <= p.d1), 0)::BIGINT
            FROM rank_district_days a CROSS JOIN p GROUP BY ALL"""
    else:
        sql = f"""
            WITH {cte}
            SELECT i, district_code, sum(r)::BIGINT, sum(s)::BIGINT FROM (
                SELECT p.i, r.district_code, 1 AS r, 0 AS s
                FROM returns r JOIN p ON r.return_date BETWEEN p.d0 AND p.d1
                UNION ALL
                SELECT p.i, m.district_code, 0, 1
                FROM merchants m JOIN p ON m.return_commit_date <= p.d1
                     AND (m.return_withdrawn_date IS NULL OR m.return_withdrawn_date > p.d1)
            ) GROUP BY ALL"""
    return memo_rows(con, sql, params)


class _PeriodStats:
    """The statistics of every period, keyed by (period, *unit key): ``units`` and ``city``
    (period → counts: n, closed, on_time, on_time_base, odr, rec_sum, rec_sq), ``days`` and
    ``city_days`` (resolution-days histograms of the closed complaints: (values, counts)),
    ``returns`` ((period, district_code) → (returns, stores)) and ``city_returns``."""

    def __init__(self, con, f: Filters, periods, level: str, fast: bool):
        nk = len(_UNIT_COLS[level])
        self.units, self.city, days, city_days = {}, {}, {}, {}
        for g_unit, g_days, i, *rest in _complaint_stats(con, f, periods, level, _fast(con, f, level, fast)):
            key, d, counts = tuple(rest[:nk]), rest[nk], rest[nk + 1:]
            if not g_days:
                if d is not None and counts[1]:
                    (city_days.setdefault(i, []) if g_unit else days.setdefault((i, *key), [])).append((d, counts[1]))
            elif g_unit:
                self.city[i] = counts
            else:
                self.units[(i, *key)] = counts
        self.days = {k: _histogram(v) for k, v in days.items()}
        self.city_days = {k: _histogram(v) for k, v in city_days.items()}
        self.returns, self.city_returns = {}, {}
        for i, code, ret, stores in _returns_and_stores(con, periods, fast and aggregates.usable(con)):
            self.returns[(i, code)] = (ret, stores)
            r0, s0 = self.city_returns.get(i, (0, 0))
            self.city_returns[i] = (r0 + ret, s0 + stores)

    def city_dict(self, i: int, pop: float) -> dict:
        """The :func:`city_reference` dict of period ``i``."""
        n, closed, on_time, on_time_base, odr, rec_sum, _ = self.city.get(i, (0, 0, 0, 0, 0, 0.0, 0.0))
        ret, stores = self.city_returns.get(i, (0, 0))
        median = queries.weighted_quantile(*self.city_days[i], 0.5) if i in self.city_days else None
        return {
            "complaints": int(n),
            "population": pop,
            "returns": int(ret),
            "stores": int(stores),
            "per_100k": n / pop * 100_000 if pop else None,
            "closure_rate": closed / n if n else None,
            "on_time_rate": on_time / on_time_base if on_time_base else None,
            "median_days": median,
            "odr_share": odr / n if n else None,
            "recovered_per_complaint": float(rec_sum) / n if n else None,
            "returns_per_store": ret / stores if stores else None,
        }


def _histogram(pairs) -> tuple[np.ndarray, np.ndarray]:
    """(values, counts) arrays from (value, count) pairs."""
    a = np.asarray(pairs, dtype=float)
    return a[:, 0], a[:, 1].astype(np.int64)


def _moments(n, s, q):
    """(n, mean, sd with ddof 1) from the count, sum and sum of squares."""
    n = int(n)
    if n == 0:
        return 0, math.nan, math.nan
    mean = s / n
    sd = math.sqrt(max(q - s * s / n, 0.0) / (n - 1)) if n > 1 else math.nan
    return n, mean, sd


def _interval_columns(cols: Mapping, days: Mapping, moments: Mapping, keys: list[tuple], conf: float,
                      sd_floor) -> dict:
    """Value, interval, numerator and denominator columns of every metric (``<m>``, ``<m>_lo``,
    ``<m>_hi``, ``<m>_num``, ``<m>_den``), as arrays in column order, from the count columns of
    ``cols`` (a frame or a dict of arrays); ``keys`` are the rows' keys into ``days`` (resolution
    days histograms) and ``moments`` ((n, mean, sd) of the recovered amounts); ``sd_floor`` is
    the city's standard deviation of the amounts, per row (the mean interval's reference spread)."""
    def col(c):
        return np.asarray(cols[c], dtype=float)
    new: dict = {}
    n, pop = col("complaints"), col("population")
    with np.errstate(divide="ignore", invalid="ignore"):
        new["per_100k_num"], new["per_100k_den"] = n, pop
        new["per_100k"] = np.where(pop > 0, n / pop * 100_000, np.nan)
        new["per_100k_lo"], new["per_100k_hi"] = rate_interval(n, pop, 100_000, conf)
        for m, num, den in (("closure_rate", "closed", "complaints"), ("on_time_rate", "on_time", "on_time_base"),
                            ("odr_share", "odr", "complaints")):
            k, d = col(num), col(den)
            new[f"{m}_num"], new[f"{m}_den"] = k, d
            new[m] = np.where(d > 0, k / d, np.nan)
            new[f"{m}_lo"], new[f"{m}_hi"] = exact_proportion_interval(k, d, conf)
        med = np.full((len(keys), 2), np.nan)
        for j, r in enumerate(keys):
            med[j] = median_interval_counts(*days.get(r, ([], [])), conf)
        new["median_days_num"], new["median_days_den"] = np.full(len(n), np.nan), col("closed")
        new["median_days_lo"], new["median_days_hi"] = med[:, 0], med[:, 1]
        amount = col("recovered_yuan")
        mom = np.array([moments.get(r, (0, math.nan, math.nan)) for r in keys], dtype=float).reshape(len(keys), 3)
        new["recovered_per_complaint_num"] = amount
        new["recovered_per_complaint_den"] = n
        new["recovered_per_complaint"] = np.where(n > 0, amount / n, np.nan)
        new["recovered_per_complaint_lo"], new["recovered_per_complaint_hi"] = mean_intervals(
            mom[:, 0], new["recovered_per_complaint"], mom[:, 2], conf, sd_floor, 0.0)
        ret, stores = col("returns"), col("stores")
        new["returns_per_store_num"], new["returns_per_store_den"] = ret, stores
        new["returns_per_store"] = np.where(stores > 0, ret / stores, np.nan)
        new["returns_per_store_lo"], new["returns_per_store_hi"] = rate_interval(ret, stores, 1.0, conf)
    return new


def _finish_columns(cols: Mapping) -> dict:
    """Sample sizes and small-sample marks of every metric; recovered yuan to two decimals."""
    new = {}
    for m in METRIC_KEYS:
        # the sample size behind the value: the event count for Poisson rates, else the denominator
        size = np.asarray(cols[f"{m}_num"] if KINDS[m] == "poisson" else cols[f"{m}_den"], dtype=float)
        new[f"{m}_n"] = size
        new[f"{m}_small"] = ~np.isnan(np.asarray(cols[m], dtype=float)) & (size < SMALL_N)
    new["recovered_yuan"] = np.round(np.asarray(cols["recovered_yuan"], dtype=float), 2)
    return new


def finish_units(df: pd.DataFrame) -> pd.DataFrame:
    """Sample sizes and small-sample marks of every metric; recovered yuan to two decimals."""
    return _with_columns(df, _finish_columns(df))


def _with_columns(df: pd.DataFrame, new: Mapping, copy: bool = False) -> pd.DataFrame:
    """``df`` with the columns of ``new`` set: existing ones replaced (in ``df`` itself unless
    ``copy``), the others appended in ``new``'s order in one step (adding columns one by one is
    slow). The appended columns never touch ``df``."""
    replace = [k for k in new if k in df.columns]
    if replace and copy:
        df = df.copy()
    for k in replace:
        df[k] = new[k]
    add = {k: v for k, v in new.items() if k not in df.columns}
    return pd.concat([df, pd.DataFrame(add, index=df.index)], axis=1) if add else (df.copy() if copy else df)


def _townships(con, f: Filters) -> pd.DataFrame:
    params: list = []
    w = district_where(f, "district_code", params)
    return query(con, f"SELECT district_code, name AS township FROM townships WHERE {w} "
                      "ORDER BY district_code, name", params)


def _fast(con, f: Filters, level: str, fast: bool) -> bool:
    """Whether the aggregate tables answer ``f`` at ``level`` (county only)."""
    return fast and level == "county" and queries.agg_usable(con, f)


def unit_metrics(con, f: Filters, level: str = "county", conf: float = 0.95, *, fast: bool = True) -> pd.DataFrame:
    """Every ranking metric per unit, with its interval, numerator and denominator.

    Grain: ``county`` — one row per district of the database (restricted by ``f.districts``),
    code order, zero rows included; ``township`` — one row per township of the reference list
    (restricted by ``f.districts``) plus any other township named in the complaints; complaints
    without a township are left out (see :func:`township_coverage`).

    Columns: unit (district code, or ``code|township``), district_code, name, name_en, township
    (None for counties), population (None for townships), complaints, closed, on_time,
    on_time_base, odr, median_days, recovered_yuan, returns, stores (counts; returns and stores
    None for townships), and for every metric ``m`` of :data:`METRIC_KEYS`: ``m`` (value: per 100k,
    fraction, days, yuan, returns per store), ``m_lo``/``m_hi`` (interval), ``m_num``/``m_den``
    (numerator and denominator counts), ``m_n`` (the sample size behind the value: the event
    count for Poisson rates, else the denominator) and ``m_small`` (``m_n`` below :data:`SMALL_N`).

    ``fast=False`` forces the plain queries (the aggregate tables answer the county level when
    the filters are period, districts and route only)."""
    return _period_units(con, f, [(f.date_from, f.date_to)], level, conf, fast)[0][0]


def _period_units(con, f: Filters, periods, level: str, conf: float = 0.95,
                  fast: bool = True) -> list[tuple[pd.DataFrame, dict]]:
    """(:func:`unit_metrics`, :func:`city_reference`) of ``f`` for each (date_from, date_to) of
    ``periods`` (not overlapping), from one statistics query (and one for returns and stores) for
    all periods."""
    out, bounds, cities = _period_frame(con, f, periods, level, conf, fast)
    return [(out.iloc[a:b].reset_index(drop=True), cities[i]) for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:]))]


def _with_previous(f: Filters) -> list[tuple[dt.date, dt.date]]:
    """The period of ``f`` and the one before it (:func:`analytics.queries.previous_period`): the
    periods of :func:`ranking`, which :func:`city_reference` and :func:`funnel` ask for too, so
    that a page showing all three computes them once."""
    pf = queries.previous_period(f)
    return [(f.date_from, f.date_to), (pf.date_from, pf.date_to)]


def _period_frame(con, f: Filters, periods, level: str, conf: float = 0.95,
                  fast: bool = True) -> tuple[pd.DataFrame, np.ndarray, list[dict]]:
    """:func:`_period_units` as one frame (period-major), the row bounds of each period (period
    ``i`` is rows bounds[i]:bounds[i+1]) and the city dicts. Remembered per read-only snapshot
    (:func:`analytics.db.memoised`); callers get copies."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    key = RESULT + repr(("rankings.frame", f, [tuple(p) for p in periods], level, conf, fast))
    out, bounds, cities = memoised(con, key, lambda: _compute_period_frame(con, f, periods, level, conf, fast))
    return out.copy(), bounds.copy(), [dict(c) for c in cities]


def _compute_period_frame(con, f: Filters, periods, level: str, conf: float,
                          fast: bool) -> tuple[pd.DataFrame, np.ndarray, list[dict]]:
    stats_ = _PeriodStats(con, f, periods, level, fast)
    dist = queries.districts(con)
    pop = float(dist["population"].sum())
    if f.districts:
        dist = dist[dist["code"].isin(f.districts)].reset_index(drop=True)
    if level == "county":
        base = _county_units(dist, len(periods), stats_)
    else:
        base = _township_units(_townships(con, f), dist, len(periods), stats_)
    keys = list(base[["period"] + _UNIT_COLS[level]].itertuples(index=False, name=None))
    moments = {k: _moments(*stats_.units[k][0:1], *stats_.units[k][5:7]) for k in keys if k in stats_.units}
    # the mean interval's reference spread: the city's standard deviation of the amounts, per period
    city_sd = [_moments(*stats_.city[i][0:1], *stats_.city[i][5:7])[2] if i in stats_.city else math.nan
               for i in range(len(periods))]
    sd_floor = np.asarray(city_sd, dtype=float)[base["period"].to_numpy()] if len(base) else np.zeros(0)
    iv = _interval_columns(base, stats_.days, moments, keys, conf, sd_floor)
    period = base.pop("period").to_numpy()
    out = _with_columns(base, iv)
    out = _with_columns(out, _finish_columns(out))
    bounds = np.searchsorted(period, np.arange(len(periods) + 1))
    return out, bounds, [stats_.city_dict(i, pop) for i in range(len(periods))]


def _county_units(dist: pd.DataFrame, nperiods: int, stats_: _PeriodStats) -> pd.DataFrame:
    """County units of every period (period-major, code order within): the base columns of
    :func:`unit_metrics` plus ``period``."""
    codes = list(dist["code"])
    keys = [(i, c) for i in range(nperiods) for c in codes]
    zero = (0, 0, 0, 0, 0, 0.0, 0.0)
    u = np.array([stats_.units.get(k, zero) for k in keys], dtype=float).reshape(len(keys), 7)
    r = np.array([stats_.returns.get(k, (0, 0)) for k in keys], dtype=np.int64).reshape(len(keys), 2)

    def each(c):
        return np.tile(dist[c].to_numpy(), nperiods)
    return pd.DataFrame({
        "period": np.repeat(np.arange(nperiods), len(codes)),
        "unit": each("code"), "district_code": each("code"),
        "name": each("name"), "short_name": each("short_name"), "name_en": each("name_en"),
        "population": each("population"),
        **{c: u[:, j].astype(np.int64) for j, c in enumerate(("complaints", "closed", "on_time", "on_time_base", "odr"))},
        "median_days": np.array([queries.weighted_quantile(*stats_.days[k], 0.5) if k in stats_.days else np.nan
                                 for k in keys], dtype=float),
        "township": np.full(len(keys), None, dtype=object),
        "recovered_yuan": u[:, 5],
        "returns": r[:, 0], "stores": r[:, 1],
    })


def _township_units(ref: pd.DataFrame, dist: pd.DataFrame, nperiods: int, stats_: _PeriodStats) -> pd.DataFrame:
    """Township units of every period (period-major; :func:`_township_table` within): the base
    columns of :func:`unit_metrics` plus ``period``."""
    cols = ["district_code", "township", "complaints", "closed", "on_time", "on_time_base", "odr",
            "median_days", "recovered_yuan"]
    named = [(k, v) for k, v in stats_.units.items() if k[2] is not None and k[2] != ""]
    parts = []
    for i in range(nperiods):
        mine = [(k, v) for k, v in named if k[0] == i]
        agg = pd.DataFrame([(*k[1:], *v[:5],
                             queries.weighted_quantile(*stats_.days[k], 0.5) if k in stats_.days else np.nan, v[5])
                            for k, v in mine], columns=cols)
        for c in cols[2:7]:
            agg[c] = agg[c].astype(np.int64)
        agg["median_days"] = agg["median_days"].astype(float)
        parts.append(_township_table(agg, ref, dist))
    df = pd.concat(parts, ignore_index=True)
    df.insert(0, "period", np.repeat(np.arange(nperiods), [len(x) for x in parts]))
    return df


def township_table(rows: pd.DataFrame, ref: pd.DataFrame, dist: pd.DataFrame, conf: float = 0.95,
                   city_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Township units from complaint rows (district_code, township, closed, on_time, on_time_base,
    is_odr, resolution_days, recovered), every township of ``ref`` (district_code, township)
    included, with intervals (the pandas baseline of bench/baselines_b.py). ``dist`` is
    district_summary's frame; ``city_rows`` the rows of every district (default ``rows``)."""
    named = rows[rows["township"].notna() & (rows["township"] != "")]
    cols = ["district_code", "township", "complaints", "closed", "on_time", "on_time_base", "odr",
            "median_days", "recovered_yuan"]
    if len(named):
        g = named.groupby(["district_code", "township"])
        agg = pd.DataFrame({
            "complaints": g.size(), "closed": g["closed"].sum(), "on_time": g["on_time"].sum(),
            "on_time_base": g["on_time_base"].sum(), "odr": g["is_odr"].sum(), "recovered_yuan": g["recovered"].sum(),
        })
        # linear-interpolation median of closed complaints, as quantile_cont (METRICS.md)
        agg["median_days"] = (named[named["closed"]].groupby(["district_code", "township"])
                              ["resolution_days"].quantile(0.5))
        agg = agg.reset_index()[cols]
    else:
        agg = pd.DataFrame(columns=cols)
    df = _township_table(agg, ref, dist)
    return _add_intervals(df, named, ["district_code", "township"], conf, rows if city_rows is None else city_rows)


def _add_intervals(df: pd.DataFrame, rows: pd.DataFrame, key: list[str], conf: float,
                   city_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`_interval_columns` added to ``df``, the days histograms and amount moments taken from
    complaint rows (``closed``, ``resolution_days``, ``recovered`` and the key columns), the
    reference spread from ``city_rows`` (default ``rows``)."""
    days, moments = {}, {}
    for k, g in (rows.groupby(key, dropna=False, sort=False) if len(rows) else []):
        k = k if isinstance(k, tuple) else (k,)
        d = g.loc[g["closed"], "resolution_days"].to_numpy(dtype=float)
        if (~np.isnan(d)).any():
            days[k] = np.unique(d[~np.isnan(d)], return_counts=True)
        x = g["recovered"].to_numpy(dtype=float)
        moments[k] = (len(x), float(x.mean()), float(x.std(ddof=1)) if len(x) > 1 else math.nan)
    c = (rows if city_rows is None else city_rows)["recovered"].to_numpy(dtype=float)
    floor = float(c.std(ddof=1)) if len(c) > 1 else math.nan
    keys = list(df[key].itertuples(index=False, name=None))
    return _with_columns(df, _interval_columns(df, days, moments, keys, conf, np.full(len(df), floor)))


def _township_table(agg: pd.DataFrame, ref: pd.DataFrame, dist: pd.DataFrame) -> pd.DataFrame:
    """Township units: the per-township counts of ``agg`` and every township of ``ref``
    (district_code, township), in the districts of ``dist`` (code, short_name, name_en)."""
    cols = ["district_code", "township", "complaints", "closed", "on_time", "on_time_base", "odr",
            "median_days", "recovered_yuan"]
    df = ref.merge(agg[cols] if len(agg) else pd.DataFrame(columns=cols), on=["district_code", "township"],
                   how="outer")
    names = dist.set_index("code")
    df = df[df["district_code"].isin(names.index)].copy()
    for c in ("complaints", "closed", "on_time", "on_time_base", "odr", "recovered_yuan"):
        df[c] = pd.to_numeric(df[c]).fillna(0)
    for c in ("complaints", "closed", "on_time", "on_time_base", "odr"):
        df[c] = df[c].astype(int)
    df["median_days"] = pd.to_numeric(df["median_days"])
    df["name"] = df["township"]
    df["name_en"] = df["township"]
    df["short_name"] = df["township"]
    df["county"] = df["district_code"].map(names["short_name"])
    df["county_en"] = df["district_code"].map(names["name_en"])
    df["population"] = np.nan
    df["returns"] = np.nan
    df["stores"] = np.nan
    df.insert(0, "unit", df["district_code"] + "|" + df["township"])
    return df.sort_values(["district_code", "township"]).reset_index(drop=True)


def township_coverage(con, f: Filters) -> dict:
    """How many complaints of ``f`` name a township: {"complaints": n, "with_township": k}."""
    where, params = complaint_where(f)
    n, k = rows(con, f"""SELECT count(*), count(*) FILTER (WHERE c.township IS NOT NULL AND c.township <> '')
                         FROM complaints c WHERE {where}""", params)[0]
    return {"complaints": int(n), "with_township": int(k)}


def city_reference(con, f: Filters, *, fast: bool = True) -> dict:
    """The city values every unit is compared with: all districts of the database, the other
    filters of ``f`` unchanged. Keys: the metric keys (values as in :func:`unit_metrics`) plus
    complaints, population, returns, stores. ``fast=False`` forces the plain queries."""
    # from the frame :func:`ranking` computes for the same filters (remembered: the page shows both)
    return _period_frame(con, f, _with_previous(f), "county", fast=fast)[2][0]


def compare_to_city(df: pd.DataFrame, city: Mapping[str, float | None]) -> pd.DataFrame:
    """Add ``<m>_vs_city`` for every metric: "same" (the interval contains the city value: not
    distinguishable from the city average), "above" / "below" (the whole interval is above /
    below it), "few" (a value without an interval: too few cases, never flagged), None (no
    value). Also ``<m>_better``: True / False / None by the metric's direction.

    Every interval here is exact or conservative (coverage ≥ 95%) and the unit is part of the
    city, which pulls the city value towards the unit: on data with no real difference a unit is
    flagged at most 5% of the time (tests/test_stats.py simulates the sample's shape)."""
    new = {}
    for m in METRIC_KEYS:
        c = city.get(m)
        if c is None or pd.isna(c):
            new[f"{m}_vs_city"] = None
            new[f"{m}_better"] = None
            continue
        vs = _vs_city(df[m], df[f"{m}_lo"], df[f"{m}_hi"], c)
        new[f"{m}_vs_city"] = pd.Series(vs, index=df.index, dtype=object)
        up = HIGHER_IS_BETTER[m]
        new[f"{m}_better"] = pd.Series([None if x not in ("above", "below") else ((x == "above") == up) for x in vs],
                                       index=df.index, dtype=object)
    return _with_columns(df, new, copy=True)


def _vs_city(value, lo, hi, c: float) -> np.ndarray:
    """"above" / "below" / "same" / None per unit (see :func:`compare_to_city`), object array."""
    v, lo, hi = (np.asarray(x, dtype=float) for x in (value, lo, hi))
    return np.where(np.isnan(v), None, np.where(np.isnan(lo) | np.isnan(hi), "few",
                    np.where(lo > c, "above", np.where(hi < c, "below", "same")))).astype(object)


# --- composite index --------------------------------------------------------------------------------

def effective_weights(weights: Mapping[str, float], level: str, route: str = "all") -> dict[str, float]:
    """The weights actually used: metrics not available at the level (per 100k and returns per
    store for townships) and the ODR share when the route filter keeps one route only are 0."""
    w = {m: max(float(weights.get(m, 0) or 0), 0.0) for m in METRIC_KEYS}
    if level == "township":
        for m in COUNTY_ONLY:
            w[m] = 0.0
    if route != "all":
        w["odr_share"] = 0.0
    return w


def composite_index(df: pd.DataFrame, weights: Mapping[str, float], city: Mapping | None = None,
                    fair: bool = False) -> pd.DataFrame:
    """Composite index 0–100 per unit.

    For each metric with a positive weight the units' values are scaled to 0–100 (min–max over
    the units; 100 = best, by the metric's direction; 50 for all when every unit has the same
    value). With ``fair`` a value whose interval contains the city value (``<m>_vs_city`` =
    "same") counts as the city value, so noise is not ranked. The index is the weighted mean of
    the available scores (weights renormalised over the metrics a unit has); NaN when a unit has
    none. Adds ``score_<m>`` columns and ``index``; returns a copy."""
    vs = {m: df[f"{m}_vs_city"].to_numpy(dtype=object) for m in METRIC_KEYS if f"{m}_vs_city" in df}
    new = _index({m: df[m] for m in METRIC_KEYS if m in df}, vs, weights, city, fair, len(df))
    return _with_columns(df, new, copy=True)


def _index(values: Mapping, vs: Mapping, weights: Mapping[str, float], city: Mapping | None, fair: bool,
           n: int) -> dict:
    """``score_<m>`` and ``index`` arrays of :func:`composite_index` from the metric values and
    ``<m>_vs_city`` marks (dicts of arrays by metric) of ``n`` units. A value marked "few" (too
    few cases) always counts as the city value; with ``fair`` a "same" one does too. The values
    may also be (replicates × n) arrays (the marks then apply to every replicate): the scaling
    is per replicate."""
    new = {}
    total = wsum = 0.0
    shape = (n,)
    for m in METRIC_KEYS:
        w = float(weights.get(m, 0) or 0)
        if w <= 0 or m not in values:
            continue
        v = np.asarray(values[m], dtype=float)
        shape = v.shape
        if city is not None and city.get(m) is not None and not pd.isna(city[m]) and m in vs:
            mark = np.asarray(vs[m], dtype=object)
            v = np.where((mark == "few") | ((mark == "same") & fair), float(city[m]), v)
        if np.isnan(v).all():
            continue
        nan = np.isnan(v)
        vv = np.where(nan.all(axis=-1, keepdims=True), 0.0, v)
        lo, hi = np.nanmin(vv, axis=-1, keepdims=True), np.nanmax(vv, axis=-1, keepdims=True)
        span = hi - lo
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.where(span > 0, (v - lo) / np.where(span > 0, span, 1.0) * 100, np.where(nan, np.nan, 50.0))
        if not HIGHER_IS_BETTER[m]:
            s = 100 - s
        new[f"score_{m}"] = s
        total = total + np.nan_to_num(s, nan=0.0) * w
        wsum = wsum + (~np.isnan(s)).astype(float) * w
    with np.errstate(divide="ignore", invalid="ignore"):
        new["index"] = (np.where(np.asarray(wsum) > 0, total / wsum, np.nan) if not np.isscalar(wsum)
                        else np.full(shape, np.nan))
    return new


def _index_draws(arr: Mapping[str, np.ndarray], vs: Mapping, weights: Mapping[str, float], city: Mapping,
                 conf: float, draws: int = RANK_DRAWS, seed: int = RANK_SEED) -> np.ndarray:
    """(draws × units) composite indices of units drawn from each unit's sampling distribution:
    counts behind rates and proportions from their Jeffreys posteriors (gamma, beta), medians
    and means from normals with the spread of their intervals; a value with too few cases stays
    the city value, as in the index itself. ``arr``: the metric columns of :func:`unit_metrics`
    (``m``, ``m_lo``, ``m_hi``, ``m_num``, ``m_den``) as float arrays; fixed seed."""
    rng = np.random.default_rng(seed)
    z = _z(conf)
    vals = {}
    for m in METRIC_KEYS:
        if float(weights.get(m, 0) or 0) <= 0:
            continue
        v, lo, hi, num, den = (arr[f"{m}{s}"] for s in ("", "_lo", "_hi", "_num", "_den"))
        shape = (draws, len(v))
        with np.errstate(divide="ignore", invalid="ignore"):
            if KINDS[m] == "poisson":
                scale = 100_000.0 if m == "per_100k" else 1.0
                d = rng.gamma(np.nan_to_num(num, nan=0.0) + 0.5, 1.0, shape) / den * scale
            elif KINDS[m] == "binomial":
                k, nn = np.nan_to_num(num, nan=0.0), np.nan_to_num(den, nan=0.0)
                d = rng.beta(k + 0.5, np.maximum(nn - k, 0) + 0.5, shape)
            else:
                sd = (hi - lo) / (2 * z) if KINDS[m] == "median" else (hi - v) / z
                d = v + rng.standard_normal(shape) * np.nan_to_num(sd, nan=0.0)
            d = np.where(np.isnan(v), np.nan, d)
        vals[m] = d
    n = len(next(iter(arr.values())))
    if not vals:
        return np.full((draws, n), np.nan)
    return _index(vals, vs, weights, city, False, n)["index"]


def rank_units(index: pd.Series) -> pd.Series:
    """Rank 1 = highest index; ties share the better rank; NaN index → no rank (<NA>)."""
    return index.rank(ascending=False, method="min").astype("Int64")


def ranking(con, f: Filters, level: str = "county", weights: Iterable[tuple[str, float]] | None = None,
            fair: bool = True, conf: float = 0.95, *, fast: bool = True) -> pd.DataFrame:
    """The ranking table: :func:`unit_metrics` + :func:`compare_to_city` + :func:`composite_index`
    for the period of ``f`` and for :func:`analytics.queries.previous_period` (same weights).

    ``weights``: (metric, weight) pairs (default :data:`DEFAULT_WEIGHTS`), made effective by
    :func:`effective_weights`. Grain: one row per unit (as :func:`unit_metrics`), ordered by rank
    then name. Extra columns: index (0–100), rank (Int64, 1 = best), rank_lo / rank_hi (the 95%
    rank interval: ranks of :data:`RANK_DRAWS` draws of every unit's sampling distribution,
    widened to hold the rank shown),
    prev_index, prev_rank, prev_rank_lo, prev_rank_hi, rank_change (prev_rank − rank: positive
    = moved up; <NA> when either is missing) and rank_moved (True only when the two periods'
    rank intervals do not overlap: a change beyond chance; the page shows no other change).
    ``fast=False`` forces the plain queries."""
    w = effective_weights(dict(weights) if weights is not None else DEFAULT_WEIGHTS, level, f.route)
    (units, city), (punits, pcity) = _period_units(con, f, _with_previous(f), level, conf, fast)
    cur = composite_index(compare_to_city(units, city), w, city, fair)
    cur["rank"] = rank_units(cur["index"])
    cur["rank_lo"], cur["rank_hi"] = _rank_interval(cur, w, city, conf)
    prev = composite_index(compare_to_city(punits, pcity), w, pcity, fair)
    prev["rank"] = prev["prev_rank"] = rank_units(prev["index"])
    prev["prev_rank_lo"], prev["prev_rank_hi"] = _rank_interval(prev, w, pcity, conf)
    prev = prev[["unit", "index", "prev_rank", "prev_rank_lo", "prev_rank_hi"]].rename(columns={"index": "prev_index"})
    out = cur.merge(prev, on="unit", how="left")
    out["rank_change"] = (out["prev_rank"] - out["rank"]).astype("Int64")
    out["rank_moved"] = rank_change_beyond_chance(out["rank_lo"], out["rank_hi"], out["prev_rank_lo"],
                                                  out["prev_rank_hi"]) & out["rank_change"].fillna(0).ne(0).to_numpy()
    out = out.sort_values(["rank", "unit"], na_position="last").reset_index(drop=True)
    return out


def _rank_interval(df: pd.DataFrame, w: Mapping[str, float], city: Mapping, conf: float):
    """(rank_lo, rank_hi) arrays of the units of ``df`` (a :func:`compare_to_city` frame with
    ``rank``), from :func:`_index_draws`: see :func:`_widen`."""
    arr = {c: df[c].to_numpy(dtype=float) for m in METRIC_KEYS for c in (m, f"{m}_lo", f"{m}_hi", f"{m}_num", f"{m}_den")}
    vs = {m: df[f"{m}_vs_city"].to_numpy(dtype=object) for m in METRIC_KEYS}
    lo, hi = rank_bounds(_index_draws(arr, vs, w, city, conf), conf)
    return _widen(lo, hi, df["rank"].astype("Float64").to_numpy(dtype=float, na_value=np.nan))


def _widen(lo, hi, rank) -> tuple[np.ndarray, np.ndarray]:
    """The rank interval always holds the rank shown (fair scoring ties the units whose values
    are not distinguishable from the city, while the draws rank their raw values); NaN where
    the unit has no rank."""
    none = np.isnan(rank)
    return np.where(none, np.nan, np.fmin(lo, rank)), np.where(none, np.nan, np.fmax(hi, rank))


# --- rank history (bump chart) ---------------------------------------------------------------------

def buckets(end: dt.date, grain: str = "week", n: int = 8, first: dt.date | None = None) -> list[tuple]:
    """The last ``n`` ISO weeks or calendar months up to ``end`` (the one containing ``end`` last):
    (label, start, end_clipped, partial). ``partial`` when ``end`` (or ``first``, the first data
    date) cuts the bucket. Buckets ending before ``first`` are left out."""
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}")
    out = []
    if grain == "week":
        start = end - dt.timedelta(days=end.weekday())
        for i in range(n - 1, -1, -1):
            s = start - dt.timedelta(weeks=i)
            e = s + dt.timedelta(days=6)
            iy, iw, _ = s.isocalendar()
            out.append((f"{iy}-W{iw:02d}", s, e))
    else:
        y, m = end.year, end.month
        months = []
        for _ in range(n):
            months.append((y, m))
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        for y, m in reversed(months):
            s = dt.date(y, m, 1)
            e = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))
            out.append((f"{y}-{m:02d}", s, e))
    res = []
    for label, s, e in out:
        if first is not None and e < first:
            continue
        lo = max(s, first) if first else s
        hi = min(e, end)
        res.append((label, lo, hi, lo > s or hi < e))
    return res


def rank_history(con, f: Filters, grain: str = "week", n: int = 8,
                 weights: Iterable[tuple[str, float]] | None = None, fair: bool = True, *,
                 fast: bool = True) -> pd.DataFrame:
    """County ranks by the composite index in each of the last ``n`` weeks or months up to
    ``f.date_to`` (other filters of ``f`` kept; the period's start is not used).

    Grain: one row per bucket and county. Columns: bucket (``YYYY-Www`` or ``YYYY-MM``),
    bucket_start, bucket_end (dates, clipped to the data and ``f.date_to``), partial (bool),
    district_code, name, short_name, name_en, complaints, index, rank (Int64), rank_lo / rank_hi
    (the 95% rank interval, as :func:`ranking`'s) and rank_moved (True when the rank interval does
    not overlap the previous bucket's: a move beyond chance).
    ``fast=False`` forces the plain queries."""
    first, _ = queries.data_coverage(con)
    w = effective_weights(dict(weights) if weights is not None else DEFAULT_WEIGHTS, "county", f.route)
    cols = ["bucket", "bucket_start", "bucket_end", "partial", "district_code", "name", "short_name", "name_en",
            "complaints", "index", "rank"]
    bs = buckets(f.date_to, grain, n, first)
    if not bs:
        return pd.DataFrame(columns=cols)
    units, bounds, cities = _period_frame(con, f, [(s, e) for _, s, e, _ in bs], "county", fast=fast)
    # per bucket: compare_to_city + composite_index + rank_units, on the values and intervals only
    index = np.full(len(units), np.nan)
    rank = pd.array(np.zeros(len(units), dtype=np.int64), dtype="Int64")
    rank_lo, rank_hi = np.full(len(units), np.nan), np.full(len(units), np.nan)
    arr = {c: units[c].to_numpy(dtype=float)
           for m in METRIC_KEYS for c in (m, f"{m}_lo", f"{m}_hi", f"{m}_num", f"{m}_den")}
    for i, city in enumerate(cities):
        a, b = bounds[i], bounds[i + 1]
        vs = {m: _vs_city(arr[m][a:b], arr[f"{m}_lo"][a:b], arr[f"{m}_hi"][a:b], city[m])
              for m in METRIC_KEYS if city.get(m) is not None and not pd.isna(city[m])}
        index[a:b] = _index({m: arr[m][a:b] for m in METRIC_KEYS}, vs, w, city, fair, b - a)["index"]
        rank[a:b] = rank_units(pd.Series(index[a:b])).array
        lo, hi = rank_bounds(_index_draws({k: v[a:b] for k, v in arr.items()}, vs, w, city, 0.95))
        rank_lo[a:b], rank_hi[a:b] = _widen(lo, hi, rank[a:b].astype("Float64").to_numpy(dtype=float, na_value=np.nan))
    sizes = np.diff(bounds)
    out = units[["district_code", "name", "short_name", "name_en", "complaints"]].copy()
    out.insert(0, "partial", np.repeat([p for *_, p in bs], sizes))
    out.insert(0, "bucket_end", pd.Series(np.repeat(np.array([e for _, _, e, _ in bs], dtype=object), sizes),
                                          dtype=object))
    out.insert(0, "bucket_start", pd.Series(np.repeat(np.array([s for _, s, _, _ in bs], dtype=object), sizes),
                                            dtype=object))
    out.insert(0, "bucket", np.repeat([label for label, *_ in bs], sizes))
    out["index"] = index
    out["rank"] = rank
    out["rank_lo"], out["rank_hi"] = rank_lo, rank_hi
    # a move from the previous bucket beyond chance (rank intervals that do not overlap)
    prev = out.groupby("district_code", sort=False)[["rank_lo", "rank_hi", "rank"]].shift(1)
    out["rank_moved"] = (rank_change_beyond_chance(rank_lo, rank_hi, prev["rank_lo"], prev["rank_hi"])
                         & (prev["rank"] != out["rank"]).fillna(False).to_numpy(dtype=bool))
    return out
