"""Statistical primitives, one job: intervals (exact proportion and Poisson, order-statistic median,
mean with a reference spread), rank intervals, funnel limits (and, as they move here, Kaplan–Meier
and the expected-week model). Pure NumPy/SciPy on numbers: no SQL, no
pandas queries, no streamlit. Every 95% interval here must cover the truth ≥ 93% of the time at the
sizes the app sees (tests/test_stats*.py prove it by simulation); where no method gets there the
function says so (NaN / "too few") rather than returning something narrower.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Iterable

import numpy as np
import pandas as pd


class _LazyScipyStats:
    """``scipy.stats``, imported when a function here first needs it: the import costs ~0.5 s of
    CPU, and every analytics module imports this one (the server's start-up check among them)."""

    def __getattr__(self, name):
        from scipy import stats as module
        globals()["stats"] = module         # later calls use the module directly
        return getattr(module, name)


stats = _LazyScipyStats()


# --- intervals -------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _z(conf: float) -> float:
    return float(stats.norm.ppf(0.5 + conf / 2))


@lru_cache(maxsize=4096)
def _median_rank(n: int, conf: float) -> int:
    """j of :func:`median_interval` for n values: the largest j with P(Bin(n, ½) ≤ j − 1) ≤ α/2,
    so that [x(j), x(n−j+1)] covers the median with probability ≥ conf. 0 when no such j ≥ 1
    exists (n ≤ 5 at 95%): no interval reaches ``conf``."""
    return int(stats.binom.ppf((1 - conf) / 2, n, 0.5)) if n > 0 else 0


@lru_cache(maxsize=64)
def median_min_n(conf: float = 0.95) -> int:
    """The fewest values for which :func:`median_interval` gives an interval (6 at 95%)."""
    n = 1
    while _median_rank(n, conf) < 1:
        n += 1
    return n


def wilson_interval(k, n, conf: float = 0.95):
    """Wilson score interval for the proportion k/n. Scalars or arrays; NaN where n == 0.

    centre = (p + z²/2n) / (1 + z²/n); half-width = z·sqrt(p(1−p)/n + z²/4n²) / (1 + z²/n). The
    bounds at the edges are exact: 0 out of n has lower bound 0 and n out of n upper bound 1 (the
    formula's rounding gives 0.9999999999999999 for many n, which would put a unit at 100% "below"
    a city at 100%)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = _z(conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        lo = np.where(n > 0, np.where(k <= 0, 0.0, np.clip(centre - half, 0, 1)), np.nan)
        hi = np.where(n > 0, np.where(k >= n, 1.0, np.clip(centre + half, 0, 1)), np.nan)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def exact_proportion_interval(k, n, conf: float = 0.95):
    """Clopper–Pearson (exact binomial) interval for k/n: [B(α/2; k, n−k+1), B(1−α/2; k+1, n−k)]
    with the beta quantiles, exactly 0 at k = 0 and exactly 1 at k = n. Its coverage is at least
    ``conf`` for every n and true proportion, so "the interval excludes p0" is an exact binomial
    test of p0 at level 1 − conf (each side at most (1 − conf)/2). Scalars or arrays; NaN where
    n == 0."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    a = 1 - conf
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = n > 0
        lo = np.where(ok & (k > 0), stats.beta.ppf(a / 2, np.maximum(k, 1), np.maximum(n - k + 1, 1)), 0.0)
        hi = np.where(ok & (k < n), stats.beta.ppf(1 - a / 2, k + 1, np.maximum(n - k, 1)), 1.0)
        lo = np.where(ok, lo, np.nan)
        hi = np.where(ok, hi, np.nan)
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
    """Distribution-free interval for the median: order statistics x(j) and x(n−j+1) where j is
    the largest count with P(Bin(n, ½) ≤ j − 1) ≤ α/2 (:func:`_median_rank`). Ties (whole days)
    only widen the closed interval's coverage: P(x(j) ≤ m) ≥ P(Bin(n, ½) ≥ j) for the population
    median m whatever the ties. No pair reaches ``conf`` below :func:`median_min_n` values (6 at
    95%): the interval is then (NaN, NaN), "too few cases"; NaN for no values as well."""
    x = np.asarray([v for v in values if v is not None and not pd.isna(v)], dtype=float)
    v, k = np.unique(x, return_counts=True)
    return median_interval_counts(v, k, conf)


def median_interval_counts(values, counts, conf: float = 0.95) -> tuple[float, float]:
    """:func:`median_interval` of a multiset given as values with their counts (a histogram of
    resolution days, say): the same order statistics, read from the cumulative counts."""
    v = np.asarray(values, dtype=float)
    k = np.asarray(counts, dtype=np.int64)
    keep = (k > 0) & ~np.isnan(v)
    order = np.argsort(v[keep], kind="stable")
    v, cum = v[keep][order], np.cumsum(k[keep][order])
    n = int(cum[-1]) if len(cum) else 0
    j = _median_rank(n, conf)
    if j < 1:
        return math.nan, math.nan
    # the i-th smallest (0-based) is the first value whose cumulative count exceeds i
    return float(v[np.searchsorted(cum, j - 1, side="right")]), float(v[np.searchsorted(cum, n - j, side="right")])


def mean_interval(n: int, mean: float, sd: float, conf: float = 0.95, sd_floor: float = math.nan,
                  lower: float = -math.inf) -> tuple[float, float]:
    """Normal interval of a mean whose spread is not taken below a reference: mean ± z·s/√n with
    s = max(sd, ``sd_floor``) (either may be NaN: the other is used; both NaN: no interval), the
    lower bound not below ``lower`` (0 for amounts that cannot be negative).

    Why: on heavy-tailed amounts (lognormal σ ≈ 1.9, as complaints' recovered yuan) a unit's own
    standard deviation is badly underestimated exactly when its mean is too low, so mean ± z·sd/√n
    and the percentile bootstrap cover the true mean only 44–89% of the time even at n = 1,000.
    The spread of the whole city (the reference every unit is compared with, thousands of amounts
    more) is stable; with it as a floor the interval covers ≥ 95% at every n (tests/test_stats.py
    simulates it) and a unit with a truly wider spread keeps its own."""
    lo, hi = mean_intervals(n, math.nan if mean is None else mean, math.nan if sd is None else sd, conf,
                            sd_floor, lower)
    return float(lo), float(hi)


def mean_intervals(n, mean, sd, conf: float = 0.95, sd_floor: float = math.nan, lower: float = -math.inf):
    """:func:`mean_interval` for arrays (one interval per element; ``sd_floor`` a scalar or an
    array)."""
    n, mean, sd = (np.asarray(x, dtype=float) for x in (n, mean, sd))
    s = np.fmax(sd, np.asarray(np.nan if sd_floor is None else sd_floor, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        half = _z(conf) * s / np.sqrt(n)
        ok = (n > 0) & ~np.isnan(mean) & ~np.isnan(s)
        lo = np.where(ok, np.maximum(mean - half, lower), np.nan)
        hi = np.where(ok, mean + half, np.nan)
    return lo, hi


# --- ranks ------------------------------------------------------------------------------------

def rank_bounds(draws, conf: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Rank intervals from simulated scores: ``draws`` is (replicates × units), higher = better,
    NaN = no score. Each replicate is ranked (1 = best, ties share the better rank); a unit's
    interval is the (α/2, 1 − α/2) quantiles of its ranks ("lower" / "higher" method: whole
    ranks, never narrower than the quantiles). NaN for units without scores."""
    d = np.asarray(draws, dtype=float)
    if d.size == 0:
        return np.full(d.shape[1] if d.ndim == 2 else 0, np.nan), np.full(d.shape[1] if d.ndim == 2 else 0, np.nan)
    # rank = 1 + number of units with a strictly higher score (no score: below all)
    ranks = stats.rankdata(np.where(np.isnan(d), np.inf, -d), method="min", axis=1).astype(float)
    ranks[np.isnan(d)] = np.nan
    a = (1 - conf) / 2
    with np.errstate(invalid="ignore"):
        none = np.isnan(d).all(axis=0)
        lo = np.nanquantile(np.where(none[None, :], 0, ranks), a, axis=0, method="lower")
        hi = np.nanquantile(np.where(none[None, :], 0, ranks), 1 - a, axis=0, method="higher")
    lo[none] = np.nan
    hi[none] = np.nan
    return lo, hi


def rank_change_beyond_chance(lo, hi, prev_lo, prev_hi) -> np.ndarray:
    """True where two periods' rank intervals do not overlap (the rank moved beyond chance: with
    two 95% intervals this errs on the side of silence), False where they overlap, and False
    where either is missing."""
    lo, hi, plo, phi = (np.asarray(x, dtype=float) for x in (lo, hi, prev_lo, prev_hi))
    with np.errstate(invalid="ignore"):
        return (hi < plo) | (phi < lo)


# --- funnel-plot control limits -----------------------------------------------------------------

def _interp_limit(dist, p: float, args):
    """Spiegelhalter's interpolated quantile of a discrete distribution: r − α where r is the
    p-quantile and α = (F(r) − p) / (F(r) − F(r − 1)), not below 0. ``args`` may be arrays (one
    limit per element)."""
    r = dist.ppf(p, *args)
    fr = dist.cdf(r, *args)
    fr1 = dist.cdf(r - 1, *args)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(fr > fr1, (fr - p) / (fr - fr1), 0.0)
    return np.maximum(r - a, 0.0)


def poisson_funnel(rate: float, exposures, conf: float, scale: float = 1.0) -> pd.DataFrame:
    """Control limits around ``rate`` (events per unit of exposure × ``scale``) for each exposure:
    exact Poisson quantiles of the expected count, interpolated. Columns: exposure, lo, hi."""
    e = np.asarray(exposures, dtype=float)
    mu = rate / scale * e
    ok = (e > 0) & (mu > 0)
    a = 1 - conf
    lo, hi = np.full(len(e), np.nan), np.full(len(e), np.nan)
    if ok.any():
        lo[ok] = _interp_limit(stats.poisson, a / 2, (mu[ok],)) / e[ok] * scale
        hi[ok] = _interp_limit(stats.poisson, 1 - a / 2, (mu[ok],)) / e[ok] * scale
    return pd.DataFrame({"exposure": list(exposures), "lo": lo, "hi": hi})


def binomial_funnel(p0: float, sizes, conf: float) -> pd.DataFrame:
    """Control limits around the proportion ``p0`` for each denominator n: exact binomial
    quantiles, interpolated. Columns: exposure (n), lo, hi (fractions)."""
    n = np.array([int(round(x)) for x in sizes], dtype=np.int64)
    ok = n > 0 if p0 is not None and not pd.isna(p0) else np.zeros(len(n), dtype=bool)
    a = 1 - conf
    lo, hi = np.full(len(n), np.nan), np.full(len(n), np.nan)
    if ok.any():
        lo[ok] = np.minimum(_interp_limit(stats.binom, a / 2, (n[ok], p0)) / n[ok], 1.0)
        hi[ok] = np.minimum(_interp_limit(stats.binom, 1 - a / 2, (n[ok], p0)) / n[ok], 1.0)
    return pd.DataFrame({"exposure": n, "lo": lo, "hi": hi})


# --- survival and medians ---------------------------------------------------------------------
# Kaplan–Meier (time to close with still-open complaints censored), its percentiles under the one
# percentile rule of METRICS.md (linear interpolation, DuckDB quantile_cont / NumPy default), and
# the intervals of the Resolution page's ODR-vs-traditional comparisons.

Z95 = 1.959963984540054
KM_COLUMNS = ["t", "n_risk", "events", "censored", "surv", "surv_lo", "surv_hi"]


def kaplan_meier(times, events, censored=None) -> pd.DataFrame:
    """Kaplan–Meier estimate of S(t) = P(still open after t) with Greenwood 95% intervals.

    ``times``: distinct or repeated times (non-negative numbers); ``events``: how many closed at
    that time; ``censored``: how many were still open with that age (at risk at t, then leave).
    Ties: closings at t happen before censorings at t (the usual convention).

    Returns one row per distinct time: t, n_risk, events, censored, surv (S just after t),
    surv_lo, surv_hi (95% interval, Greenwood variance on the log(-log) scale, which stays in
    [0, 1]; equal to surv where S is 1 or 0)."""
    return pd.DataFrame(km_columns(times, events, censored))


def km_columns(times, events, censored=None) -> dict[str, np.ndarray]:
    """:func:`kaplan_meier` as a dict of column arrays (no DataFrame: the page needs several)."""
    t = np.asarray(times, dtype=float)
    d = np.asarray(events, dtype=float)
    c = np.zeros_like(d) if censored is None else np.asarray(censored, dtype=float)
    if t.size == 0 or (d.sum() + c.sum()) == 0:
        return {col: np.zeros(0, dtype=np.int64 if col in ("n_risk", "events", "censored") else float)
                for col in KM_COLUMNS}
    keep = ~np.isnan(t)
    tt, at = np.unique(t[keep], return_inverse=True)
    dd = np.bincount(at, weights=d[keep], minlength=len(tt))
    cc = np.bincount(at, weights=c[keep], minlength=len(tt))
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
    return {"t": tt, "n_risk": n.astype(np.int64), "events": dd.astype(np.int64),
            "censored": cc.astype(np.int64), "surv": surv, "surv_lo": lo, "surv_hi": hi}


def km_time_at(curve, level: float, col: str = "surv") -> float | None:
    """First time t at which ``curve[col]`` (S just after t) is at or below ``level`` (the
    textbook Kaplan–Meier quantile, used for the ends of the median's interval from the band
    ``surv_lo`` / ``surv_hi``). None when never reached. ``curve``: a :func:`kaplan_meier` frame
    (or a dict of its columns), or None. The percentiles the app shows use :func:`km_quantile`."""
    if curve is None:
        return None
    hit = np.flatnonzero(np.asarray(curve[col], dtype=float) <= level + 1e-12)
    return float(np.asarray(curve["t"])[hit[0]]) if len(hit) else None


def km_surv_at(curve, t: float, col: str = "surv") -> float | None:
    """S(t) read off the step curve (1 before the first time); None when ``t`` lies beyond the
    follow-up (after the last time, when the curve has not reached 0). ``curve`` as in
    :func:`km_time_at`; None for an empty or missing curve."""
    if curve is None:
        return None
    times = np.asarray(curve["t"], dtype=float)
    if not len(times):
        return None
    before = np.flatnonzero(times <= t)
    if not len(before):
        return 1.0
    s = float(np.asarray(curve[col])[before[-1]])
    if t > times[-1] and float(np.asarray(curve["surv"])[-1]) > 0:
        return None
    return s


def km_quantile(curve, q: float) -> float | None:
    """The q-quantile of the time to close counting open complaints, by the same linear
    interpolation as ``quantile_cont`` (METRICS.md "Median"): equal to it, bit for bit, when
    nothing is censored.

    Rule (Efron's redistribute-to-the-right, which reproduces the Kaplan–Meier curve): every
    complaint starts with weight 1; an open complaint passes its weight on, in equal parts, to the
    complaints still at risk after its age. So each complaint closing at t weighs
    W(t) = N·S(t−)/n(t) (1 when nothing was censored before t). Listing the closed complaints in
    time order, complaint k sits at position p_k = sum of the weights before it, and the
    quantile is read at position h = q·(N − W_last) — with W ≡ 1 exactly quantile_cont's
    h = q·(N − 1) — interpolating between the complaint at or below h and the next one:
    x_k + (h − p_k)/W_k · (x_{k+1} − x_k). The complaints still open after the last closing keep
    their weights (W of the last closing each) at unknown times: a quantile that needs one of them
    is None (beyond follow-up); one that does not is what it would be once they close.

    ``curve``: :func:`kaplan_meier` columns (t, n_risk, events, censored), or None."""
    if curve is None:
        return None
    t = np.asarray(curve["t"], dtype=float)
    d = np.asarray(curve["events"], dtype=np.int64)
    c = np.asarray(curve["censored"], dtype=np.int64)
    n = np.asarray(curve["n_risk"], dtype=np.int64)
    if not len(t) or not (d > 0).any():
        return None
    left = n - d - c                  # at risk after t
    # each censoring at time i multiplies the weight of everyone after it by (n−d)/(n−d−c):
    # exactly 1.0 where nothing is censored, so with no censoring every weight is exactly 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where((c > 0) & (left > 0), (n - d) / np.where(left > 0, left, 1), 1.0)
    w_at = np.concatenate([[1.0], np.cumprod(r)[:-1]])
    ev = np.flatnonzero(d > 0)
    te, de, we = t[ev], d[ev].astype(float), w_at[ev]
    starts = np.concatenate([[0.0], np.cumsum(de * we)[:-1]])     # position of each group's first
    total = float(n[0])
    trailing = int(n[ev[-1]] - d[ev[-1]])                         # still at risk after the last closing
    h = (total - we[-1]) * q
    j = max(int(np.searchsorted(starts, h, side="right")) - 1, 0)
    off = (h - starts[j]) / we[j]          # exact when the weight is 1.0
    i = math.floor(off)
    if i >= de[j]:                         # rounding at a group's end, or past the last closing
        return float(te[j + 1]) if j + 1 < len(te) else None
    frac = off - i
    x_lo = te[j]
    if i + 1 < de[j]:
        x_hi = te[j]
    elif j + 1 < len(te):
        x_hi = te[j + 1]
    elif frac == 0:
        x_hi = x_lo
    else:
        return None if trailing else float(x_lo)
    return float(x_lo + frac * (x_hi - x_lo))


@lru_cache(maxsize=4096)
def median_rank(n: int, conf: float) -> int | None:
    """The largest j ≥ 1 with P(Bin(n, ½) ≤ j − 1) ≤ (1 − conf)/2: the order statistics x(j) and
    x(n − j + 1) then cover the median with probability ≥ conf whatever the distribution, ties
    included. None when even [min, max] does not reach ``conf`` (n too small)."""
    if n < 1:
        return None
    a = (1 - conf) / 2
    j = int(stats.binom.ppf(a, n, 0.5))           # smallest j with P(≤ j) ≥ a
    # P(Bin ≤ j − 1) < a by the definition of ppf; step up while P(Bin ≤ j) ≤ a still holds
    while j + 1 <= (n + 1) // 2 and stats.binom.cdf(j, n, 0.5) <= a:
        j += 1
    if j < 1 or stats.binom.cdf(j - 1, n, 0.5) > a:
        return None
    return j


def _order_stat(values: np.ndarray, cum: np.ndarray, i: int) -> float:
    """The i-th smallest (1-based) of a multiset given as sorted values with cumulative counts."""
    return float(values[np.searchsorted(cum, i - 1, side="right")])


def median_order_interval(values, counts, conf: float = 0.95) -> tuple[float, float] | None:
    """Distribution-free interval [x(j), x(n − j + 1)] for the median (:func:`median_rank`) of a
    multiset given as sorted distinct ``values`` with ``counts``; None when too few."""
    counts = np.asarray(counts, dtype=np.int64)
    cum = np.cumsum(counts)
    n = int(cum[-1]) if len(cum) else 0
    j = median_rank(n, float(conf))
    if j is None:
        return None
    v = np.asarray(values, dtype=float)
    return _order_stat(v, cum, j), _order_stat(v, cum, n - j + 1)


def median_gap_interval(values, counts_a, counts_b, conf: float = 0.95) -> tuple[float, float] | None:
    """95% interval for median(b) − median(a) of two independent samples (sorted distinct
    ``values`` with the counts of each): the distribution-free interval of each median at level
    √conf, combined as [lo_b − hi_a, hi_b − lo_a], so both cover together with probability
    ≥ conf. With tied whole-day times it is honest about their precision: when the middle of a
    sample is one run of equal days, every plausible sample has that median, and the interval is
    that one value. None when either sample is too small (fewer than 7 values)."""
    level = math.sqrt(conf)
    ia = median_order_interval(values, counts_a, level)
    ib = median_order_interval(values, counts_b, level)
    if ia is None or ib is None:
        return None
    return ib[0] - ia[1], ib[1] - ia[0]


def wilson_mover_difference(k1, n1, k2, n2, weights=None, conf: float = 0.95):
    """Interval for Σ w·(p1 − p2) (one stratum per element, weights summing to 1; default one
    stratum of weight 1): MOVER (Zou & Donner 2008) — each side's half-width is the root sum of
    squares of the per-stratum distances from each proportion to the end of its own interval —
    where each distance is the larger of the Wilson score interval's and the Wald half-width
    z·√(p(1 − p)/n).

    Why both: the Wald variance vanishes where a stratum settled 0% or 100% (the Wilson interval of
    n out of n still reaches below 1); the Wilson distance alone is a little short on the side
    towards ½, so summed over many strata of 10–30 complaints the interval covered only about 92.8%
    (simulation, tests/test_resolution.py). With the larger of the two it covers ≥ 94.5% for
    one to twenty strata of 5 to 2,500 complaints, proportions 0.5 to 1. Returns (estimate, lo,
    hi), clipped to [−1, 1]; NaN when there is no stratum or a stratum has n = 0."""
    k1, n1, k2, n2 = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (k1, n1, k2, n2))
    w = np.ones(len(k1)) if weights is None else np.atleast_1d(np.asarray(weights, dtype=float))
    if not len(k1) or (n1 <= 0).any() or (n2 <= 0).any():
        return math.nan, math.nan, math.nan
    z = _z(conf)
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1, conf)
    l2, u2 = wilson_interval(k2, n2, conf)
    s1, s2 = z * np.sqrt(p1 * (1 - p1) / n1), z * np.sqrt(p2 * (1 - p2) / n2)
    est = float(np.dot(w, p1 - p2))
    down = np.sum((w * np.maximum(p1 - l1, s1)) ** 2 + (w * np.maximum(u2 - p2, s2)) ** 2)
    up = np.sum((w * np.maximum(u1 - p1, s1)) ** 2 + (w * np.maximum(p2 - l2, s2)) ** 2)
    return est, max(est - math.sqrt(float(down)), -1.0), min(est + math.sqrt(float(up)), 1.0)


# --- comparisons of two periods (headline deltas: beyond chance or "about the same") -------------
# Owned by the as-of/equal-age work (issue #16). Exact tests: conservative, so on data with no real
# difference a flag fires at most as often as the nominal level (tests/test_asof.py simulates it).

def two_proportion_p(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """Two-sided p-value of Fisher's exact test that x1/n1 and x2/n2 share one proportion; None
    when either group is empty."""
    x1, n1, x2, n2 = int(x1), int(n1), int(x2), int(n2)
    if n1 <= 0 or n2 <= 0:
        return None
    if not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        raise ValueError("counts must lie between 0 and their totals")
    return float(stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue)


def two_count_p(k1: int, k2: int, exposure_ratio: float = 1.0) -> float | None:
    """Two-sided p-value that two Poisson counts share one rate (``exposure_ratio`` = exposure of
    the first ÷ the second): exact conditional binomial test. None when both counts are 0."""
    k1, k2 = int(k1), int(k2)
    if k1 + k2 == 0:
        return None
    p = exposure_ratio / (1.0 + exposure_ratio)
    return float(stats.binomtest(k1, k1 + k2, p).pvalue)


def beyond_chance(p_value: float | None, level: float = 0.05) -> bool:
    """True when a test's p-value is below ``level`` (a flag may be raised); False when it is not
    or there was nothing to test."""
    return p_value is not None and p_value < level


def stratified_proportion_p(x1, n1, x0, n0) -> float | None:
    """Two-sided p-value of the Cochran–Mantel–Haenszel test (with continuity correction) that two
    groups share one proportion within every stratum, from per-stratum arrays: x1 of n1 in the
    first group, x0 of n0 in the second. Used to compare closure at equal age: strata are ages in
    days, so a change in how many complaints are very young is not taken for a change in how fast
    they close. None when no stratum holds both groups with some variation."""
    x1, n1, x0, n0 = (np.asarray(v, dtype=float) for v in (x1, n1, x0, n0))
    big_n = n1 + n0
    m = x1 + x0
    keep = (n1 > 0) & (n0 > 0) & (big_n > 1)
    x1, n1, n0, big_n, m = x1[keep], n1[keep], n0[keep], big_n[keep], m[keep]
    expected = n1 * m / big_n
    var = n1 * n0 * m * (big_n - m) / (big_n * big_n * (big_n - 1))
    v = float(var.sum())
    if v <= 0:
        return None
    chi = max(abs(float((x1 - expected).sum())) - 0.5, 0.0) ** 2 / v
    return float(stats.chi2.sf(chi, 1))

# --- expected-week model: weekly counts, seasonal terms shrunk toward 1 ---------------------------
#
# For a week t the expected count is E = L × c × S:
#   c  calendar factor: the week's working-day equivalents (official working days + ρ × other
#      days, ρ = a non-working day's intake ÷ a working day's, from the daily counts) ÷ an ordinary
#      week's (5 + 2ρ): a holiday (Spring Festival, Dragon Boat …) lowers the week's expectation
#      whichever ISO week it falls in;
#   L  recent level: the count per unit of c (Σy ÷ Σc) of the WEEK_LEVEL_WEEKS latest whole,
#      non-event weeks among the WEEK_LEVEL_LOOKBACK weeks before t (fewer than WEEK_LEVEL_MIN →
#      "not enough history");
#   S  seasonal term exp(s): how a week in t's position (the same ISO week, or the same holiday
#      week: Spring Festival, May Day, National Day, the 3·15 week — moving holidays aligned by
#      the holiday) compares with its own recent level, learnt from every earlier year: each
#      earlier week r in the same position gives log q_r = log((y_r + ½) ÷ (L_r c_r)) with
#      variance φ (1 ÷ (y_r + ½) + 1 ÷ (L_r Σc)). No earlier week in the position → no band.
#      Year-to-year variation of a position's term, σ², is the DerSimonian–Laird moment estimate
#      over the positions seen in two or more earlier years (ordinary and holiday positions
#      separately; 0 while there is none for ordinary weeks, while a holiday week then has no band).
#      An ordinary week's term is shrunk toward 1 (s toward 0): ŝ_p ~ N(s_p, v_p), s_p ~ N(0, τ²)
#      with τ² = max(0, mean(ŝ_p² − v_p)) over ordinary positions: s = B ŝ, Var s = B v,
#      B = τ² ÷ (τ² + v). Holiday weeks are not shrunk (their terms are known to be far from 1).
#   φ  overdispersion (quasi-Poisson): mean Pearson residual (y_j − L_j c_j)² ÷ (L_j c_j (1 + c_j ÷ Σc))
#      of the last WEEK_PHI_WEEKS whole non-event weeks before t, at least 1.
# A new week's count is then negative binomial with mean E and variance φ E + E² V, where
# V = φ ÷ (L Σc) + Var s + σ² is the uncertainty of log E (estimated level and seasonal term, and
# this year's own deviation). Only weeks before t are used: a week is never judged by later data.

WEEK_LEVEL_WEEKS = 8       # weeks in the recent level
WEEK_LEVEL_LOOKBACK = 16   # ... searched among this many weeks before t
WEEK_LEVEL_MIN = 6         # ... at least this many needed, else "not enough history"
WEEK_PHI_WEEKS = 26        # one-step-ahead residuals behind the overdispersion φ
WEEK_FLAG_CONF = 0.99      # a week is unusual when outside its 99% prediction band

# why a whole week has no band ("not enough history")
NO_BAND_FEW_WEEKS = "few_weeks"      # fewer than WEEK_LEVEL_MIN earlier whole non-event weeks
NO_BAND_NO_YEAR = "no_earlier_year"  # its ISO week / holiday week never seen in an earlier year
NO_BAND_EVENT = "event_one_year"     # a holiday week, and no holiday week seen in two earlier years yet


def _dl_sigma2(lq, v, grp, ngrp) -> tuple[float | None, np.ndarray]:
    """DerSimonian–Laird between-year variance over groups with ≥ 2 values (None when there are
    none), and the number of values per group."""
    w = 1.0 / v
    k = np.bincount(grp, minlength=ngrp)
    s1 = np.bincount(grp, w, minlength=ngrp)
    s2 = np.bincount(grp, w * w, minlength=ngrp)
    sy = np.bincount(grp, w * lq, minlength=ngrp)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(s1 > 0, sy / s1, 0.0)
    q = np.bincount(grp, w * (lq - mean[grp]) ** 2, minlength=ngrp)
    many = k >= 2
    if not many.any():
        return None, k
    den = float(np.sum(s1[many] - s2[many] / s1[many]))
    num = float(np.sum(q[many]) - np.sum(k[many] - 1))
    return (max(0.0, num / den) if den > 0 else 0.0), k


_WEEK_MODEL_COLS = ["index", "level", "level_n", "calendar", "level_weeks", "dispersion", "seasonal_raw",
                    "seasonal_index", "shrinkage", "seasonal_refs", "between_years", "expected", "log_var", "history"]


def week_model(counts, whole, position, event, targets=None, exposure=None, *, level_weeks: int = WEEK_LEVEL_WEEKS,
               lookback: int = WEEK_LEVEL_LOOKBACK, level_min: int = WEEK_LEVEL_MIN,
               phi_weeks: int = WEEK_PHI_WEEKS) -> pd.DataFrame:
    """The expected-week model (see the section's head) for consecutive ISO weeks.

    ``counts`` (per week), ``whole`` (the data covers the week fully), ``position`` (seasonal
    position: the holiday key, e.g. ``spring_festival1``, or the ISO week, e.g. ``W07``; week 53
    is W52), ``event`` (a holiday / 3·15 week); ``targets``: indices to predict (default all);
    ``exposure``: the week's calendar factor c (working-day equivalents relative to an ordinary
    week, see :func:`calendar_factor`; default 1): counts are modelled as L × c × S.
    One row per target: index, level (the level weeks' count per unit of c: Σy / Σc), level_n,
    calendar (c of the week), level_weeks (tuple of
    their indices), dispersion (φ), seasonal_raw (exp ŝ, unshrunk), seasonal_index (S),
    shrinkage (B; 1 for holiday weeks), seasonal_refs (earlier weeks in the position),
    between_years (σ²), expected (E), log_var (V), history ('' when there is a band, else why
    not: NO_BAND_*). No band → expected and the rest NaN."""
    y = np.asarray(counts, dtype=float)
    ok = np.asarray(whole, dtype=bool)
    ev = np.asarray(event, dtype=bool)
    pos = list(position)
    n = len(y)
    c = np.ones(n) if exposure is None else np.asarray(exposure, dtype=float)
    codes = {p: i for i, p in enumerate(dict.fromkeys(pos))}
    pc = np.array([codes[p] for p in pos], dtype=np.int64)
    ngrp = len(codes)
    grp_event = np.zeros(ngrp, dtype=bool)
    grp_event[pc[ev]] = True
    usable = ok & ~ev
    # recent level of every week
    lev = np.full(n, np.nan)
    lev_n = np.zeros(n, dtype=np.int64)
    lev_c = np.zeros(n)                            # Σc of the level weeks
    lev_idx: list[tuple] = [()] * n
    for i in range(n):
        idx = [j for j in range(i - 1, max(-1, i - lookback - 1), -1) if usable[j]][:level_weeks]
        if len(idx) >= level_min:
            lev_c[i] = c[idx].sum()
            lev[i], lev_n[i], lev_idx[i] = y[idx].sum() / lev_c[i], len(idx), tuple(idx)
    has = ~np.isnan(lev)
    # the level with ½ added to its count (a log of 0 is never taken), and the week's share of it
    leff = np.where(has, (np.nan_to_num(lev) * lev_c + 0.5) / np.where(has, lev_c, 1), np.nan)
    mu0 = leff * c                                 # the week's count at S = 1
    # one-step-ahead Pearson residuals -> φ before each week
    res = np.full(n, np.nan)
    rmask = usable & has
    res[rmask] = (y[rmask] - lev[rmask] * c[rmask]) ** 2 / (mu0[rmask] * (1 + c[rmask] / lev_c[rmask]))
    phi = np.ones(n)
    ridx = np.flatnonzero(rmask)
    csum = np.concatenate([[0.0], np.cumsum(res[ridx])])
    for i in range(n):
        m = int(np.searchsorted(ridx, i))          # residuals of weeks before i
        a = max(0, m - phi_weeks)
        if m > a:
            phi[i] = max(1.0, (csum[m] - csum[a]) / (m - a))
    # seasonal ratio of every whole week with a level
    qmask = ok & has
    lq = np.full(n, np.nan)
    vq = np.full(n, np.nan)
    lq[qmask] = np.log((y[qmask] + 0.5) / mu0[qmask])
    vq[qmask] = phi[qmask] * (1 / (y[qmask] + 0.5) + 1 / (lev_c[qmask] * leff[qmask]))
    qidx = np.flatnonzero(qmask)

    rows = []
    for t in (range(n) if targets is None else targets):
        t = int(t)
        r = {"index": t, "level": lev[t], "level_n": int(lev_n[t]), "calendar": float(c[t]), "level_weeks": lev_idx[t],
             "dispersion": phi[t] if has[t] else np.nan, "seasonal_raw": np.nan, "seasonal_index": np.nan,
             "shrinkage": np.nan, "seasonal_refs": 0, "between_years": np.nan, "expected": np.nan,
             "log_var": np.nan, "history": ""}
        rows.append(r)
        if not has[t]:
            r["history"] = NO_BAND_FEW_WEEKS
            continue
        before = qidx[qidx < t]
        g = pc[before]
        k_t = int(np.sum(g == pc[t]))
        r["seasonal_refs"] = k_t
        if k_t == 0:
            r["history"] = NO_BAND_NO_YEAR
            continue
        is_ev = bool(grp_event[pc[t]])
        cls = grp_event[g] == is_ev                # the same class: holiday or ordinary positions
        gl, gv, gg = lq[before][cls], vq[before][cls], g[cls]
        sig2, _ = _dl_sigma2(gl, gv, gg, ngrp)
        if sig2 is None:
            if is_ev:
                r["history"] = NO_BAND_EVENT
                continue
            sig2 = 0.0
        w = 1.0 / (gv + sig2)
        s1 = np.bincount(gg, w, minlength=ngrp)
        sy = np.bincount(gg, w * gl, minlength=ngrp)
        seen = s1 > 0
        s_hat = np.where(seen, sy / np.where(seen, s1, 1), 0.0)
        v_hat = np.where(seen, 1 / np.where(seen, s1, 1), np.inf)
        sh, vh = float(s_hat[pc[t]]), float(v_hat[pc[t]])
        if is_ev:
            b = 1.0
        else:
            tau2 = max(0.0, float(np.mean(s_hat[seen] ** 2 - v_hat[seen])))
            b = tau2 / (tau2 + vh)
        s, var_s = b * sh, b * vh
        e = float(mu0[t] * math.exp(s))
        r.update(seasonal_raw=math.exp(sh), seasonal_index=math.exp(s), shrinkage=b, between_years=sig2,
                 expected=e, log_var=phi[t] / (lev_c[t] * leff[t]) + var_s + sig2)
    return pd.DataFrame(rows, columns=_WEEK_MODEL_COLS)


def calendar_factor(workdays, other_days, rho: float):
    """Calendar factor of a week: its working-day equivalents (official working days + ρ × other
    days) relative to an ordinary week's (5 + 2ρ). ρ: the intake of a non-working day relative to
    a working day (:func:`rest_day_ratio`). Arrays or scalars."""
    wd = np.asarray(workdays, dtype=float)
    return (wd + rho * np.asarray(other_days, dtype=float)) / (5 + 2 * rho)


def rest_day_ratio(workday_counts, other_counts, n_workdays: int, n_other: int) -> float:
    """ρ = mean count of a non-working day (weekends, official holidays) ÷ mean count of a
    working day; 1 when either is unknown, kept within [0.05, 2]."""
    if n_workdays <= 0 or n_other <= 0 or workday_counts <= 0:
        return 1.0
    return float(min(2.0, max(0.05, (other_counts / n_other) / (workday_counts / n_workdays))))


def _week_dist(expected, dispersion, log_var):
    """The predictive distribution of a week's count: negative binomial with mean E and variance
    φ E + E² V (Poisson when that is E)."""
    e = np.asarray(expected, dtype=float)
    extra = (np.asarray(dispersion, dtype=float) - 1) + e * np.asarray(log_var, dtype=float)
    extra = np.maximum(extra, 1e-12)
    size = e / extra
    return stats.nbinom(size, size / (size + e))


def week_band(expected, dispersion, log_var, conf: float = WEEK_FLAG_CONF):
    """(lower, upper): the central ``conf`` prediction band of a week's count, in whole counts:
    lower = the α/2 quantile, upper = the 1 − α/2 quantile of the predictive distribution, so a
    count outside [lower, upper] has a tail probability below α/2 on its side. NaN without a
    band (expected NaN). Scalars or arrays."""
    e = np.asarray(expected, dtype=float)
    ok = ~np.isnan(e) & ~np.isnan(np.asarray(log_var, dtype=float))
    lo, hi = np.full(e.shape, np.nan), np.full(e.shape, np.nan)
    if ok.any():
        a = 1 - conf
        d = _week_dist(e[ok], np.asarray(dispersion, dtype=float)[ok] if np.ndim(dispersion) else dispersion,
                       np.asarray(log_var, dtype=float)[ok] if np.ndim(log_var) else log_var)
        lo[ok], hi[ok] = d.ppf(a / 2), d.ppf(1 - a / 2)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def week_flag(count, lower, upper) -> str:
    """``high`` above the band, ``low`` below it, '' inside or without a band."""
    if lower is None or upper is None or pd.isna(lower) or pd.isna(upper):
        return ""
    if count > upper:
        return "high"
    if count < lower:
        return "low"
    return ""
