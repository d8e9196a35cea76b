"""Statistical primitives, one job: intervals, bootstrap, funnel limits (and, as they move here,
Kaplan–Meier, rank intervals and the expected-week model). Pure NumPy/SciPy on numbers: no SQL, no
pandas queries, no streamlit. Every 95% interval here must cover the truth ≥ 93% of the time at the
sizes the app sees (tests/test_stats*.py prove it by simulation); where no method gets there the
function says so (NaN / "too few") rather than returning something narrower.
"""
from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from .db import register_memo

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20240315

# --- intervals -------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _z(conf: float) -> float:
    return float(stats.norm.ppf(0.5 + conf / 2))


@lru_cache(maxsize=64)
def _z_upper(conf: float) -> float:
    """The normal quantile 1 − α/2 (as the mean interval's normal approximation computes it)."""
    return float(stats.norm.ppf(1 - (1 - conf) / 2))


@lru_cache(maxsize=4096)
def _median_rank(n: int, conf: float) -> int:
    """j of :func:`median_interval` for n values (at least 1)."""
    return max(int(stats.binom.ppf((1 - conf) / 2, n, 0.5)), 1)


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
    if n == 0:
        return math.nan, math.nan
    j = _median_rank(n, conf)
    # the i-th smallest (0-based) is the first value whose cumulative count exceeds i
    return float(v[np.searchsorted(cum, j - 1, side="right")]), float(v[np.searchsorted(cum, n - j, side="right")])


BOOTSTRAP_MAX_N = 1000


def bootstrap_mean_interval(values: Iterable[float], conf: float = 0.95,
                            resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED):
    """Percentile bootstrap interval of the mean (fixed seed: the same data give the same interval).

    Above BOOTSTRAP_MAX_N values the normal approximation (mean ± z·s/√n) is used instead: beyond a
    thousand values the sampling distribution of the mean is close to normal even for skewed
    amounts, and resampling every unit of a national-scale period would take seconds."""
    x = np.asarray(list(values), dtype=float)
    n = len(x)
    mean = float(x.mean()) if n else math.nan
    sd = float(x.std(ddof=1)) if n > 1 else math.nan
    return mean_interval(n, mean, sd, x, conf, resamples, seed)


def mean_interval(n: int, mean: float, sd: float, values=None, conf: float = 0.95,
                  resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """The interval of :func:`bootstrap_mean_interval` from the sample size, mean and standard
    deviation (ddof 1) of the values; ``values`` themselves (in their stored order: the resamples
    index them) are needed only for 2 ≤ n ≤ BOOTSTRAP_MAX_N."""
    if n == 0:
        return math.nan, math.nan
    if n == 1:
        return float(mean), float(mean)
    if n > BOOTSTRAP_MAX_N:
        half = _z_upper(conf) * sd / math.sqrt(n)
        return float(mean - half), float(mean + half)
    x = np.ascontiguousarray(values, dtype=float)
    if len(x) != n:
        raise ValueError(f"the bootstrap needs the {n} values, got {len(x)}")
    # resampling a few thousand values 2,000 times takes tens of ms; the result is a function of
    # the values (in order) and the settings only, so it is remembered (e.g. for a change of
    # weights, which recomputes the same intervals)
    key = (hashlib.blake2b(x.tobytes(), digest_size=20).digest(), n, conf, resamples, seed)
    with _bootstrap_lock:
        if key in _bootstrap_memo:
            _bootstrap_memo.move_to_end(key)
            return _bootstrap_memo[key]
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    step = max(1, 2_000_000 // n)
    for s in range(0, resamples, step):
        m = min(step, resamples - s)
        means[s:s + m] = x[rng.integers(0, n, size=(m, n))].mean(axis=1)
    a = (1 - conf) / 2
    out = float(np.quantile(means, a)), float(np.quantile(means, 1 - a))
    with _bootstrap_lock:
        _bootstrap_memo[key] = out
        while len(_bootstrap_memo) > BOOTSTRAP_MEMO_SIZE:
            _bootstrap_memo.popitem(last=False)
    return out


BOOTSTRAP_MEMO_SIZE = 4096          # bootstrap intervals remembered (least recently used dropped)
_bootstrap_memo: "OrderedDict[tuple, tuple[float, float]]" = OrderedDict()
_bootstrap_lock = threading.Lock()


def _clear_bootstrap_memo() -> None:
    with _bootstrap_lock:
        _bootstrap_memo.clear()


register_memo(_clear_bootstrap_memo)


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
