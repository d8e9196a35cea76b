"""District rankings: per-county (and per-township) metrics with intervals, the city reference,
funnel-plot control limits, a composite index with user weights, rank change against the previous
period and rank history for a bump chart.

Definitions (METRICS.md is the contract; the SQL fragments come from analytics/metrics.py and the
counts from analytics/queries.py):

- ``per_100k``: complaints ÷ population × 100,000 (counties only: townships have no population).
  Interval: exact Poisson (Garwood) on the count, divided by the population.
- ``closure_rate``: closed ÷ complaints; ``on_time_rate``: on time ÷ (closed + overdue open);
  ``odr_share``: ODR complaints ÷ complaints. Interval: Wilson score.
- ``median_days``: median calendar resolution days of closed complaints (``quantile_cont``).
  Interval: distribution-free order-statistic interval (binomial ranks).
- ``recovered_per_complaint``: recovered yuan ÷ complaints (a mean; missing amounts count as 0,
  like the sum in METRICS.md). Interval: bootstrap percentile, 2,000 resamples, fixed seed.
- ``returns_per_store``: no-reason returns dated in the period ÷ committed stores in the registry
  at the period's end (counties only: returns carry no township). Interval: exact Poisson on the
  return count, divided by the stores.

All intervals are 95% unless a ``conf`` is given. A unit is *not distinguishable from the city
average* when its interval contains the city value. This module never imports streamlit.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from . import metrics as M
from . import queries
from .db import query
from .filters import Filters, complaint_where, district_where

# --- metric catalogue -------------------------------------------------------------------------

METRIC_KEYS = ("per_100k", "closure_rate", "on_time_rate", "median_days", "odr_share",
               "recovered_per_complaint", "returns_per_store")
# interval kind of each metric
KINDS = {
    "per_100k": "poisson",
    "closure_rate": "wilson",
    "on_time_rate": "wilson",
    "median_days": "median",
    "odr_share": "wilson",
    "recovered_per_complaint": "bootstrap",
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
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20240315
LEVELS = ("county", "township")
GRAINS = ("week", "month")


# --- intervals -------------------------------------------------------------------------------

def _z(conf: float) -> float:
    return float(stats.norm.ppf(0.5 + conf / 2))


def wilson_interval(k, n, conf: float = 0.95):
    """Wilson score interval for the proportion k/n. Scalars or arrays; NaN where n == 0.

    centre = (p + z²/2n) / (1 + z²/n); half-width = z·sqrt(p(1−p)/n + z²/4n²) / (1 + z²/n)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = _z(conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        lo = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def poisson_interval(k, conf: float = 0.95):
    """Exact (Garwood) interval for a Poisson mean given the count k:
    [χ²(α/2; 2k) / 2, χ²(1−α/2; 2k+2) / 2], the lower bound 0 when k = 0."""
    k = np.asarray(k, dtype=float)
    a = 1 - conf
    with np.errstate(invalid="ignore"):
        lo = np.where(k > 0, stats.chi2.ppf(a / 2, 2 * k) / 2, 0.0)
        hi = stats.chi2.ppf(1 - a / 2, 2 * k + 2) / 2
    lo = np.where(np.isnan(k), np.nan, lo)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def rate_interval(k, exposure, scale: float = 1.0, conf: float = 0.95):
    """Poisson interval of the rate k / exposure × scale (NaN where exposure is 0 or missing)."""
    lo, hi = poisson_interval(k, conf)
    e = np.asarray(exposure, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(e > 0, np.asarray(lo) / e * scale, np.nan)
        hi = np.where(e > 0, np.asarray(hi) / e * scale, np.nan)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def median_interval(values: Iterable[float], conf: float = 0.95) -> tuple[float, float]:
    """Distribution-free interval for the median: order statistics x(j) and x(n−j+1) where
    j is the smallest count with P(Bin(n, ½) ≤ j) ≥ α/2. For n ≤ 5 no such pair reaches 95%:
    the interval is then [min, max]. NaN for no values."""
    x = np.sort(np.asarray([v for v in values if v is not None and not pd.isna(v)], dtype=float))
    n = len(x)
    if n == 0:
        return math.nan, math.nan
    j = int(stats.binom.ppf((1 - conf) / 2, n, 0.5))
    j = max(j, 1)
    return float(x[j - 1]), float(x[n - j])


BOOTSTRAP_MAX_N = 5000


def bootstrap_mean_interval(values: Iterable[float], conf: float = 0.95,
                            resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED):
    """Percentile bootstrap interval of the mean (fixed seed: the same data give the same interval).

    Above BOOTSTRAP_MAX_N values the normal approximation (mean ± z·s/√n) is used instead: at that
    size the two agree to a fraction of a yuan, and resampling would take seconds."""
    x = np.asarray(list(values), dtype=float)
    n = len(x)
    if n == 0:
        return math.nan, math.nan
    if n == 1:
        return float(x[0]), float(x[0])
    if n > BOOTSTRAP_MAX_N:
        z = float(stats.norm.ppf(1 - (1 - conf) / 2))
        half = z * float(x.std(ddof=1)) / math.sqrt(n)
        return float(x.mean() - half), float(x.mean() + half)
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    step = max(1, 2_000_000 // n)
    for s in range(0, resamples, step):
        m = min(step, resamples - s)
        means[s:s + m] = x[rng.integers(0, n, size=(m, n))].mean(axis=1)
    a = (1 - conf) / 2
    return float(np.quantile(means, a)), float(np.quantile(means, 1 - a))


# --- funnel-plot control limits -----------------------------------------------------------------

def _interp_limit(dist, p: float, args) -> float:
    """Spiegelhalter's interpolated quantile of a discrete distribution: r − α where r is the
    p-quantile and α = (F(r) − p) / (F(r) − F(r − 1))."""
    r = dist.ppf(p, *args)
    fr = dist.cdf(r, *args)
    fr1 = dist.cdf(r - 1, *args)
    a = (fr - p) / (fr - fr1) if fr > fr1 else 0.0
    return max(float(r - a), 0.0)


def poisson_funnel(rate: float, exposures, conf: float, scale: float = 1.0) -> pd.DataFrame:
    """Control limits around ``rate`` (events per unit of exposure × ``scale``) for each exposure:
    exact Poisson quantiles of the expected count, interpolated. Columns: exposure, lo, hi."""
    out = []
    a = 1 - conf
    for e in exposures:
        mu = rate / scale * e
        if e <= 0 or mu <= 0:
            out.append((e, math.nan, math.nan))
            continue
        lo = _interp_limit(stats.poisson, a / 2, (mu,))
        hi = _interp_limit(stats.poisson, 1 - a / 2, (mu,))
        out.append((e, lo / e * scale, hi / e * scale))
    return pd.DataFrame(out, columns=["exposure", "lo", "hi"])


def binomial_funnel(p0: float, sizes, conf: float) -> pd.DataFrame:
    """Control limits around the proportion ``p0`` for each denominator n: exact binomial
    quantiles, interpolated. Columns: exposure (n), lo, hi (fractions)."""
    out = []
    a = 1 - conf
    for n in sizes:
        n = int(round(n))
        if n <= 0 or p0 is None or pd.isna(p0):
            out.append((n, math.nan, math.nan))
            continue
        lo = _interp_limit(stats.binom, a / 2, (n, p0))
        hi = _interp_limit(stats.binom, 1 - a / 2, (n, p0))
        out.append((n, min(lo / n, 1.0), min(hi / n, 1.0)))
    return pd.DataFrame(out, columns=["exposure", "lo", "hi"])


def funnel(con, f: Filters, metric: str, level: str = "county", conf_levels=(0.95, 0.998),
           points: int = 80) -> pd.DataFrame:
    """Funnel-plot limits for ``metric`` around the city value.

    Grain: one row per exposure on a log grid from half the smallest to 1.15 × the largest exposure of the units
    (population for per_100k, committed stores for returns_per_store, the denominator count for
    proportions). Columns: exposure, lo_95, hi_95, lo_998, hi_998 (the metric's units: per 100k,
    returns per store, fractions), city (the city value). Empty for metrics without a funnel
    (median_days, recovered_per_complaint)."""
    if KINDS.get(metric) not in ("poisson", "wilson"):
        return pd.DataFrame(columns=["exposure", "lo_95", "hi_95", "lo_998", "hi_998", "city"])
    units = unit_metrics(con, f, level)
    city = city_reference(con, f)
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

def _complaint_rows(con, f: Filters) -> pd.DataFrame:
    """One row per complaint of ``f``: district_code, township, closed, on_time, on_time_base,
    is_odr (bools), resolution_days, recovered (yuan, missing as 0)."""
    where, params = complaint_where(f)
    sql = f"""
        SELECT c.district_code, c.township,
               {M.IS_CLOSED} AS closed,
               coalesce({M.ON_TIME_NUM}, FALSE) AS on_time,
               coalesce({M.ON_TIME_DEN}, FALSE) AS on_time_base,
               c.is_odr, c.resolution_days,
               coalesce(c.recovered_yuan, 0)::DOUBLE AS recovered
        FROM complaints c WHERE {where}"""
    return query(con, sql, [f.date_to] + params)


def _townships(con, f: Filters) -> pd.DataFrame:
    params: list = []
    w = district_where(f, "district_code", params)
    return query(con, f"SELECT district_code, name AS township FROM townships WHERE {w} "
                      "ORDER BY district_code, name", params)


def _add_intervals(df: pd.DataFrame, rows: pd.DataFrame, key: list[str], conf: float) -> pd.DataFrame:
    """Value, interval, numerator and denominator columns of every metric (``<m>``, ``<m>_lo``,
    ``<m>_hi``, ``<m>_num``, ``<m>_den``)."""
    n = df["complaints"].astype(float)
    pop = df["population"].astype(float)
    df["per_100k_num"], df["per_100k_den"] = n, pop
    df["per_100k"] = np.where(pop > 0, n / pop * 100_000, np.nan)
    df["per_100k_lo"], df["per_100k_hi"] = rate_interval(n, pop, 100_000, conf)
    for m, num, den in (("closure_rate", "closed", "complaints"), ("on_time_rate", "on_time", "on_time_base"),
                        ("odr_share", "odr", "complaints")):
        k, d = df[num].astype(float), df[den].astype(float)
        df[f"{m}_num"], df[f"{m}_den"] = k, d
        with np.errstate(divide="ignore", invalid="ignore"):
            df[m] = np.where(d > 0, k / d, np.nan)
        df[f"{m}_lo"], df[f"{m}_hi"] = wilson_interval(k, d, conf)
    # median and mean intervals need the individual complaints
    closed_days = {}
    amounts = {}
    if len(rows):
        for k_, g in rows.groupby(key, dropna=False, sort=False):
            k_ = k_ if isinstance(k_, tuple) else (k_,)
            closed_days[k_] = g.loc[g["closed"], "resolution_days"].to_numpy(dtype=float)
            amounts[k_] = g["recovered"].to_numpy(dtype=float)
    med_lo, med_hi, rec_lo, rec_hi = [], [], [], []
    for r in df[key].itertuples(index=False, name=None):
        lo, hi = median_interval(closed_days.get(r, []), conf)
        med_lo.append(lo)
        med_hi.append(hi)
        lo, hi = bootstrap_mean_interval(amounts.get(r, []), conf)
        rec_lo.append(lo)
        rec_hi.append(hi)
    df["median_days_num"], df["median_days_den"] = np.nan, df["closed"].astype(float)
    df["median_days_lo"], df["median_days_hi"] = med_lo, med_hi
    df["recovered_per_complaint_num"] = df["recovered_yuan"].astype(float)
    df["recovered_per_complaint_den"] = n
    with np.errstate(divide="ignore", invalid="ignore"):
        df["recovered_per_complaint"] = np.where(n > 0, df["recovered_yuan"].astype(float) / n, np.nan)
    df["recovered_per_complaint_lo"], df["recovered_per_complaint_hi"] = rec_lo, rec_hi
    ret, st_ = df["returns"].astype(float), df["stores"].astype(float)
    df["returns_per_store_num"], df["returns_per_store_den"] = ret, st_
    with np.errstate(divide="ignore", invalid="ignore"):
        df["returns_per_store"] = np.where(st_ > 0, ret / st_, np.nan)
    df["returns_per_store_lo"], df["returns_per_store_hi"] = rate_interval(ret, st_, 1.0, conf)
    return df


def unit_metrics(con, f: Filters, level: str = "county", conf: float = 0.95) -> pd.DataFrame:
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
    count for Poisson rates, else the denominator) and ``m_small`` (``m_n`` below :data:`SMALL_N`)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    rows = _complaint_rows(con, f)
    dist = queries.district_summary(con, f)
    if level == "county":
        df = dist[["code", "name", "short_name", "name_en", "population", "complaints", "closed", "on_time",
                   "on_time_base", "odr", "median_days"]].copy()
        df = df.rename(columns={"code": "district_code"})
        df.insert(0, "unit", df["district_code"])
        df["township"] = None
        rec = rows.groupby("district_code")["recovered"].sum() if len(rows) else pd.Series(dtype=float)
        df["recovered_yuan"] = df["district_code"].map(rec).fillna(0.0).astype(float)
        rs = queries.returns_and_stores_by_district(con, f).set_index("district_code")
        df["returns"] = df["district_code"].map(rs["returns"]).fillna(0).astype(int).tolist()
        df["stores"] = df["district_code"].map(rs["stores"]).fillna(0).astype(int).tolist()
        df = _add_intervals(df, rows, ["district_code"], conf)
    else:
        ref = _townships(con, f)
        df = township_table(rows, ref, dist, conf)
    return finish_units(df)


def township_table(rows: pd.DataFrame, ref: pd.DataFrame, dist: pd.DataFrame, conf: float = 0.95) -> pd.DataFrame:
    """Township units from the complaint rows (``_complaint_rows``), every township of ``ref``
    (district_code, township) included, with intervals. ``dist`` is district_summary's frame."""
    named = rows[rows["township"].notna() & (rows["township"] != "")]
    cols = ["district_code", "township", "complaints", "closed", "on_time", "on_time_base", "odr",
            "median_days", "recovered_yuan"]
    if len(named):
        g = named.groupby(["district_code", "township"])
        agg = pd.DataFrame({
            "complaints": g.size(),
            "closed": g["closed"].sum(),
            "on_time": g["on_time"].sum(),
            "on_time_base": g["on_time_base"].sum(),
            "odr": g["is_odr"].sum(),
            "recovered_yuan": g["recovered"].sum(),
        })
        # linear-interpolation median of closed complaints, as quantile_cont (METRICS.md)
        agg["median_days"] = (named[named["closed"]].groupby(["district_code", "township"])
                              ["resolution_days"].quantile(0.5))
        agg = agg.reset_index()[cols]
    else:
        agg = pd.DataFrame(columns=cols)
    df = ref.merge(agg, on=["district_code", "township"], how="outer")
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
    df = df.sort_values(["district_code", "township"]).reset_index(drop=True)
    return _add_intervals(df, named, ["district_code", "township"], conf)


def finish_units(df: pd.DataFrame) -> pd.DataFrame:
    """Sample sizes and small-sample marks of every metric; recovered yuan to two decimals."""
    for m in METRIC_KEYS:
        # the sample size behind the value: the event count for Poisson rates, else the denominator
        size = df[f"{m}_num"] if KINDS[m] == "poisson" else df[f"{m}_den"]
        df[f"{m}_n"] = size.astype(float)
        df[f"{m}_small"] = df[m].notna() & (size.astype(float) < SMALL_N)
    df["recovered_yuan"] = df["recovered_yuan"].astype(float).round(2)
    return df


def township_coverage(con, f: Filters) -> dict:
    """How many complaints of ``f`` name a township: {"complaints": n, "with_township": k}."""
    rows = _complaint_rows(con, f)
    k = int((rows["township"].notna() & (rows["township"] != "")).sum()) if len(rows) else 0
    return {"complaints": int(len(rows)), "with_township": k}


def city_reference(con, f: Filters) -> dict:
    """The city values every unit is compared with: all districts of the database, the other
    filters of ``f`` unchanged. Keys: the metric keys (values as in :func:`unit_metrics`) plus
    complaints, population, returns, stores."""
    fc = f.with_(districts=())
    k = queries.complaint_kpis(con, fc).iloc[0]
    pop = float(queries.districts(con)["population"].sum())
    ret = queries.returns_summary(con, fc)
    reg = queries.registry_counts(con, fc)
    n = int(k["complaints"])

    def num(x):
        return None if x is None or pd.isna(x) else float(x)
    return {
        "complaints": n,
        "population": pop,
        "returns": int(ret["count"]),
        "stores": int(reg["return_stores"]),
        "per_100k": n / pop * 100_000 if pop else None,
        "closure_rate": num(k["closure_rate"]),
        "on_time_rate": num(k["on_time_rate"]),
        "median_days": num(k["median_days_all"]),
        "odr_share": int(k["complaints_odr"]) / n if n else None,
        "recovered_per_complaint": float(k["recovered_yuan"]) / n if n else None,
        "returns_per_store": ret["count"] / reg["return_stores"] if reg["return_stores"] else None,
    }


def compare_to_city(df: pd.DataFrame, city: Mapping[str, float | None]) -> pd.DataFrame:
    """Add ``<m>_vs_city`` for every metric: "same" (the interval contains the city value: not
    distinguishable from the city average), "above" / "below" (the whole interval is above /
    below it), None (no value). Also ``<m>_better``: True / False / None by the metric's direction."""
    df = df.copy()
    for m in METRIC_KEYS:
        c = city.get(m)
        lo, hi = df[f"{m}_lo"].astype(float), df[f"{m}_hi"].astype(float)
        if c is None or pd.isna(c):
            df[f"{m}_vs_city"] = None
            df[f"{m}_better"] = None
            continue
        vs = [None if (pd.isna(v) or pd.isna(a) or pd.isna(b)) else
              ("above" if a > c else "below" if b < c else "same")
              for v, a, b in zip(df[m].astype(float), lo, hi)]
        df[f"{m}_vs_city"] = pd.Series(vs, index=df.index, dtype=object)
        up = HIGHER_IS_BETTER[m]
        df[f"{m}_better"] = pd.Series([None if v in (None, "same") else ((v == "above") == up) for v in vs],
                                      index=df.index, dtype=object)
    return df


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
    out = df.copy()
    total = pd.Series(0.0, index=out.index)
    wsum = pd.Series(0.0, index=out.index)
    for m in METRIC_KEYS:
        w = float(weights.get(m, 0) or 0)
        if w <= 0 or m not in out:
            continue
        v = out[m].astype(float).copy()
        if fair and city is not None and city.get(m) is not None and f"{m}_vs_city" in out:
            v = v.where(out[f"{m}_vs_city"] != "same", float(city[m]))
        if v.notna().sum() == 0:
            continue
        lo, hi = v.min(), v.max()
        s = (v - lo) / (hi - lo) * 100 if hi > lo else pd.Series(np.where(v.notna(), 50.0, np.nan), index=v.index)
        if not HIGHER_IS_BETTER[m]:
            s = 100 - s
        out[f"score_{m}"] = s
        has = s.notna()
        total = total + s.fillna(0) * w
        wsum = wsum + has.astype(float) * w
    out["index"] = (total / wsum).where(wsum > 0)
    return out


def rank_units(index: pd.Series) -> pd.Series:
    """Rank 1 = highest index; ties share the better rank; NaN index → no rank (<NA>)."""
    return index.rank(ascending=False, method="min").astype("Int64")


def ranking(con, f: Filters, level: str = "county", weights: Iterable[tuple[str, float]] | None = None,
            fair: bool = True, conf: float = 0.95) -> pd.DataFrame:
    """The ranking table: :func:`unit_metrics` + :func:`compare_to_city` + :func:`composite_index`
    for the period of ``f`` and for :func:`analytics.queries.previous_period` (same weights).

    ``weights``: (metric, weight) pairs (default :data:`DEFAULT_WEIGHTS`), made effective by
    :func:`effective_weights`. Grain: one row per unit (as :func:`unit_metrics`), ordered by rank
    then name. Extra columns: index (0–100), rank (Int64, 1 = best), prev_index, prev_rank,
    rank_change (prev_rank − rank: positive = moved up; <NA> when either is missing)."""
    w = effective_weights(dict(weights) if weights is not None else DEFAULT_WEIGHTS, level, f.route)
    city = city_reference(con, f)
    cur = composite_index(compare_to_city(unit_metrics(con, f, level, conf), city), w, city, fair)
    cur["rank"] = rank_units(cur["index"])
    pf = queries.previous_period(f)
    pcity = city_reference(con, pf)
    prev = composite_index(compare_to_city(unit_metrics(con, pf, level, conf), pcity), w, pcity, fair)
    prev["prev_rank"] = rank_units(prev["index"])
    prev = prev[["unit", "index", "prev_rank"]].rename(columns={"index": "prev_index"})
    out = cur.merge(prev, on="unit", how="left")
    out["rank_change"] = (out["prev_rank"] - out["rank"]).astype("Int64")
    out = out.sort_values(["rank", "unit"], na_position="last").reset_index(drop=True)
    return out


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
                 weights: Iterable[tuple[str, float]] | None = None, fair: bool = True) -> pd.DataFrame:
    """County ranks by the composite index in each of the last ``n`` weeks or months up to
    ``f.date_to`` (other filters of ``f`` kept; the period's start is not used).

    Grain: one row per bucket and county. Columns: bucket (``YYYY-Www`` or ``YYYY-MM``),
    bucket_start, bucket_end (dates, clipped to the data and ``f.date_to``), partial (bool),
    district_code, name, short_name, name_en, complaints, index, rank (Int64)."""
    first, _ = queries.data_coverage(con)
    w = effective_weights(dict(weights) if weights is not None else DEFAULT_WEIGHTS, "county", f.route)
    parts = []
    for label, s, e, partial in buckets(f.date_to, grain, n, first):
        fb = f.with_(date_from=s, date_to=e)
        city = city_reference(con, fb)
        df = composite_index(compare_to_city(unit_metrics(con, fb, "county"), city), w, city, fair)
        df["rank"] = rank_units(df["index"])
        part = df[["district_code", "name", "short_name", "name_en", "complaints", "index", "rank"]].copy()
        part.insert(0, "partial", partial)
        part.insert(0, "bucket_end", e)
        part.insert(0, "bucket_start", s)
        part.insert(0, "bucket", label)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["bucket", "bucket_start", "bucket_end", "partial", "district_code", "name",
                                     "short_name", "name_en", "complaints", "index", "rank"])
    return pd.concat(parts, ignore_index=True)
