"""The expected-week model (analytics.stats, section "expected-week model"; analytics.trends.model_weeks)
proved by simulation on the sample generator's own weekly intensity, with fixed seeds:

- on data without unusual weeks, the share of whole weeks flagged (outside the 99% band) is at
  most the nominal 1%, plus a Monte Carlo allowance of 3 binomial standard errors;
- the 95% prediction band covers the week's count at least 93% of the time;
- a real anomaly (+60% in one week) is flagged most of the time;
- weeks without enough history get no band, with the reason.

The weekly series is drawn exactly as analytics.sample.fill draws it: complaints spread over the
days by a multinomial with the generator's day weights (sample._day_weights: weekends, yearly
growth, Spring Festival −50%, other public holidays, the 3·15 week +30%, summer +12%), at the
sample's daily rate. Each seed is a new data set; the model sees only its daily counts and the
official calendar, as weekly_stats does. Default mode: a few hundred weekly series of 2022–2024
(the sample's span) and 2019–2024 (longer history), well under 30 s; the thorough mode (``-m slow``)
runs more seeds and other scales (a district's counts, 100k and 10M complaints).
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from analytics import sample, stats
from analytics import trends as T
from analytics.filters import Filters
from tests.fixtures import D, make_db, open_db

NOMINAL = 1 - T.FLAG_CONF          # 1%


@pytest.fixture(scope="module")
def calendar(tmp_path_factory):
    """Event keys and official working days of 2018-2024 (from the project's calendar table)."""
    con = open_db(make_db(tmp_path_factory.mktemp("cal") / "cal.duckdb", complaints=[],
                          meta={"as_of": sample.AS_OF.isoformat()}))
    keys = T.event_keys(T.calendar_events(con, D("2018-01-01"), sample.AS_OF))
    cal = con.execute("SELECT d, is_workday FROM calendar WHERE d BETWEEN '2018-01-01' AND ?",
                      [sample.AS_OF]).fetchall()
    con.close()
    return keys, {d: bool(w) for d, w in cal}


class Generator:
    """Daily complaint counts of the sample generator from ``start`` to the sample's as-of date,
    at ``rate`` × the sample's daily intake (rate 1: 6,800 complaints over 2022-01-01..2024-03-14)."""

    def __init__(self, start: dt.date, rate: float = 1.0):
        self.start, self.end = start, sample.AS_OF
        days = sample._days_array(start, self.end)
        self.dates = list(pd.DatetimeIndex(days).date)
        w = sample._day_weights(days)
        base = sample._day_weights(sample._days_array(sample.START, sample.AS_OF)).sum()
        self.p = w / w.sum()
        self.total = int(round(sample.DEFAULT_ROWS * rate * w.sum() / base))
        self.mu = self.p * self.total        # expected complaints per day

    def draw(self, seed: int) -> np.ndarray:
        return np.random.default_rng(seed).multinomial(self.total, self.p)

    def run(self, y: np.ndarray, calendar, targets=None):
        keys, workday = calendar
        counts = dict(zip(self.dates, (int(v) for v in y)))
        hist, whole, weeks, model = T.model_weeks(counts, self.start, self.end, self.start, keys, workday,
                                                  weeks_of(self) if targets is None else targets)
        return hist, weeks, model


def weeks_of(g: Generator) -> list[dt.date]:
    w, out = T.monday(g.start), []
    while w <= g.end:
        out.append(w)
        w += dt.timedelta(days=7)
    return out


def simulate(g: Generator, calendar, seeds) -> dict:
    """Flags (99% band) and 95% coverage over all whole weeks with a band, over ``seeds``."""
    n = flagged = covered = 0
    for seed in seeds:
        hist, weeks, m = g.run(g.draw(seed), calendar)
        m = m[m["history"] == ""]
        y = np.array([hist[weeks[i]] for i in m.index], dtype=float)
        lo95, hi95 = stats.week_band(m["expected"].to_numpy(), m["dispersion"].to_numpy(),
                                     m["log_var"].to_numpy(), 0.95)
        n += len(m)
        flagged += int(np.sum((y < m["lower"].to_numpy()) | (y > m["upper"].to_numpy())))
        covered += int(np.sum((y >= lo95) & (y <= hi95)))
    return {"n": n, "fa": flagged / n, "cov95": covered / n}


def allowance(n: int, p: float = NOMINAL) -> float:
    """Monte Carlo allowance on a rate estimated from n weeks: 3 binomial standard errors (weeks
    of one series share their level and φ, so this is approximate; the observed rates sit well
    inside it)."""
    return 3 * math.sqrt(p * (1 - p) / n)


# --- no unusual weeks: false alarms and coverage -----------------------------------------------

@pytest.mark.parametrize("start, seeds", [(sample.START, range(100, 220)), (D("2019-01-01"), range(30))],
                         ids=["sample-span", "five-years"])
def test_false_alarms_at_most_nominal_and_coverage(calendar, start, seeds):
    r = simulate(Generator(start), calendar, seeds)
    assert r["n"] > 5000                                   # enough banded weeks to judge
    assert r["fa"] <= NOMINAL + allowance(r["n"]), r
    assert r["cov95"] >= 0.93, r


@pytest.mark.slow
@pytest.mark.parametrize("start, rate, seeds", [
    (sample.START, 1.0, range(1000, 2000)),
    (D("2019-01-01"), 1.0, range(300)),
    (D("2019-01-01"), 0.1, range(300)),                  # one district's counts: a few a week
    (D("2019-01-01"), 15.0, range(100)),                 # 100k complaints
    (sample.START, 1470.0, range(100)),                  # 10M complaints: calendar effects dominate noise
], ids=["sample-span", "five-years", "district", "100k", "10M"])
def test_false_alarms_thorough(calendar, start, rate, seeds):
    r = simulate(Generator(start, rate), calendar, seeds)
    assert r["fa"] <= NOMINAL + allowance(r["n"]), r
    assert r["cov95"] >= 0.93, r


# --- a real anomaly ------------------------------------------------------------------------------

def test_an_unusual_week_is_flagged(calendar):
    """+60% in one ordinary week of 2023-2024 (chosen by the seed among the weeks with a band):
    flagged high most of the time (at least 60%; 41 of 60 here), and −50% at least 3 times in 4
    (55 of 60). Power is limited by the honest width of the band: φ (about 1.4 on the generator,
    whose seasonal steps the recent level lags) and the uncertainty of the seasonal term."""
    g = Generator(D("2019-01-01"))
    weeks = weeks_of(g)
    _, event = T.week_positions(weeks, calendar[0])
    ordinary = [i for i, w in enumerate(weeks) if w.year >= 2023 and not event[i] and w + dt.timedelta(days=6) <= g.end]
    rng = np.random.default_rng(7)
    high = low = tried = 0
    for seed in range(300, 360):
        y = g.draw(seed)
        i = int(rng.choice(ordinary))
        days = [k for k, d in enumerate(g.dates) if weeks[i] <= d <= weeks[i] + dt.timedelta(days=6)]
        up, down = y.copy(), y.copy()
        up[days] += rng.poisson(0.6 * g.mu[days])
        down[days] = rng.binomial(y[days], 0.5)
        for yy, want in ((up, "high"), (down, "low")):
            h, _, mm = g.run(yy, calendar, targets=[weeks[i]])
            assert mm.at[i, "history"] == ""       # five years of history: every ordinary week has a band
            got = stats.week_flag(h[weeks[i]], mm.at[i, "lower"], mm.at[i, "upper"])
            high += got == "high" and want == "high"
            low += got == "low" and want == "low"
        tried += 1
    assert high / tried >= 0.6 and low / tried >= 0.75, (high, low, tried)


# --- the primitives ----------------------------------------------------------------------------

def test_band_is_the_negative_binomial_quantiles():
    # Poisson when there is no extra variance: E 20, φ 1, V 0
    lo, hi = stats.week_band(20.0, 1.0, 0.0, 0.99)
    assert (lo, hi) == (sps.poisson.ppf(0.005, 20), sps.poisson.ppf(0.995, 20)) == (10, 32)
    # E 20, φ 2, V 0.01: variance 2·20 + 400·0.01 = 44 -> NB size 20² / (44 − 20) = 16.67
    d = stats._week_dist(20.0, 2.0, 0.01)
    assert d.mean() == pytest.approx(20) and d.var() == pytest.approx(44)
    lo, hi = stats.week_band(20.0, 2.0, 0.01, 0.99)
    cdf = np.cumsum(sps.nbinom.pmf(np.arange(200), 20 ** 2 / 24, (20 ** 2 / 24) / (20 ** 2 / 24 + 20)))
    assert lo == np.argmax(cdf >= 0.005) and hi == np.argmax(cdf >= 0.995)
    # a count is flagged only outside [lo, hi]; its tail beyond is below 0.5%
    assert stats.week_flag(hi, lo, hi) == "" and stats.week_flag(hi + 1, lo, hi) == "high"
    assert stats.week_flag(lo - 1, lo, hi) == "low" and stats.week_flag(5, None, None) == ""
    assert 1 - cdf[int(hi)] < 0.005 and cdf[int(lo) - 1] < 0.005
    # arrays, NaN without a band
    lo, hi = stats.week_band(np.array([20.0, np.nan]), np.array([1.0, np.nan]), np.array([0.0, np.nan]))
    assert lo[0] == 10 and np.isnan(lo[1]) and np.isnan(hi[1])


def test_between_year_variance_is_dersimonian_laird():
    """σ² equals statsmodels' DerSimonian–Laird τ² for one position (test-only dependency)."""
    meta = pytest.importorskip("statsmodels.stats.meta_analysis")
    lq = np.array([0.1, 0.3, -0.2, 0.25])
    v = np.array([0.02, 0.03, 0.025, 0.04])
    res = meta.combine_effects(lq, v, method_re="dl")
    sig2, k = stats._dl_sigma2(lq, v, np.zeros(4, dtype=np.int64), 1)
    assert sig2 == pytest.approx(res.tau2) and list(k) == [4]
    # positions seen once only: not estimable
    assert stats._dl_sigma2(lq, v, np.arange(4), 4)[0] is None


def test_week_model_by_hand():
    """60 weeks of 50 complaints, no events, calendar factor 1: every ratio is the same, so τ² = 0
    (all seasonal terms shrunk to 1) and σ² = 0; φ = 1 (no residual). The level with ½ added:
    (8·50 + ½) / 8 = 50.0625 = E; V = φ / (Σc · 50.0625) = 1 / 400.5."""
    pos = [f"W{(i % 52) + 1:02d}" for i in range(60)]
    m = stats.week_model([50] * 60, [True] * 60, pos, [False] * 60).set_index("index")
    assert m.at[59, "history"] == "" and m.at[59, "seasonal_refs"] == 1
    assert m.at[59, "level"] == 50 and m.at[59, "dispersion"] == 1 and m.at[59, "shrinkage"] == 0
    assert m.at[59, "seasonal_index"] == 1
    assert m.at[59, "expected"] == pytest.approx(50.0625) and m.at[59, "log_var"] == pytest.approx(1 / 400.5)
    # not enough history: the first 6 weeks have no level; weeks 6..51 have no earlier year
    assert set(m.loc[:5, "history"]) == {stats.NO_BAND_FEW_WEEKS}
    assert set(m.loc[6:51, "history"]) == {stats.NO_BAND_NO_YEAR}
    assert m.loc[6:51, "expected"].isna().all()
    # a holiday week seen in one earlier year only: no band until holiday weeks of two years are known
    ev = [i in (10, 62) for i in range(70)]
    pos = [("spring_festival0" if e else f"W{(i % 52) + 1:02d}") for i, e in enumerate(ev)]
    m = stats.week_model([50] * 70, [True] * 70, pos, ev, [62]).set_index("index")
    assert m.at[62, "history"] == stats.NO_BAND_EVENT and math.isnan(m.at[62, "expected"])


# --- "not enough history" on the page's data ------------------------------------------------------

def test_weekly_stats_not_enough_history(sample_con):
    """The sample starts 2022-01-01: its first weeks have no level, the rest of 2022 no earlier
    year; in 2024 the ordinary weeks have bands. No week without a band is flagged."""
    s = T.weekly_stats(sample_con, Filters(D("2022-01-01"), D("2024-03-14"))).set_index("week")
    assert s.at["2022-W01", "history"] == "few_weeks" and s.at["2022-W20", "history"] == "no_earlier_year"
    assert s.at["2024-W10", "history"] == "" and s.at["2024-W10", "lower"] <= s.at["2024-W10", "expected"] \
        <= s.at["2024-W10", "upper"]
    nob = s[s["history"] != ""]
    assert nob["expected"].isna().all() and nob["lower"].isna().all() and (nob["flag"] == "").all()
    # partial weeks (2024-W11: 4 of 7 days) have neither a band nor a reason
    assert s.at["2024-W11", "partial"] and s.at["2024-W11", "history"] == "" and math.isnan(s.at["2024-W11", "upper"])
    # the band is the flag level's: whole counts, flag = outside it
    b = s[s["expected"].notna()]
    assert len(b) > 30 and (b["history"] == "").all() and not b["partial"].any()
    assert (b["lower"] == b["lower"].round()).all() and (b["lower"] <= b["upper"]).all()
    assert ((b["flag"] == "high") == (b["complaints"] > b["upper"])).all()
    assert ((b["flag"] == "low") == (b["complaints"] < b["lower"])).all()
    # a period of a partial week only: no week to judge
    p = T.weekly_stats(sample_con, Filters(D("2024-03-11"), D("2024-03-14")))
    assert list(p["week"]) == ["2024-W11"] and p["partial"].all() and p["expected"].isna().all()
    # the overview's latest-week comparison is the same row
    one = T.expected_week(sample_con, Filters(D("2022-01-01"), D("2024-03-14")), D("2024-03-06"))
    assert len(one) == 1 and one.at[0, "week"] == "2024-W10"
    assert one.at[0, "expected"] == s.at["2024-W10", "expected"] and one.at[0, "upper"] == s.at["2024-W10", "upper"]
