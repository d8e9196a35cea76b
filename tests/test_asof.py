"""Statuses judged at the as-of date, periods past it, and like-for-like comparisons (issue #16;
METRICS.md "As-of date", "On-time rate", "Comparisons at equal age", "Registry counts",
"Uncertainty and comparisons")."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from analytics import programmes as P
from analytics import queries
from analytics import resolution as R
from analytics import stats
from analytics.filters import Filters
from tests.apptest import errors, run_app
from tests.fixtures import D, complaint, make_db, open_db

AS_OF = D("2024-03-14")           # the sample's as-of date
PERIODS = [Filters(D("2024-01-01"), D("2024-06-30")),      # runs past the as-of date
           Filters(D("2024-01-01"), AS_OF),
           Filters(D("2023-09-21"), D("2023-12-17")),      # the 13 weeks before the default period
           Filters(D("2023-12-18"), AS_OF),                # the default period (13 weeks)
           Filters(D("2024-02-19"), AS_OF, route="traditional"),
           Filters(D("2023-06-01"), D("2023-06-30"), districts=("620702",))]


# --- statuses at the as-of date -------------------------------------------------------------------


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
@pytest.mark.parametrize("f", PERIODS[1:4], ids=lambda f: f"{f.date_from}-{f.date_to}")
def test_rankings_judge_on_time_at_the_as_of_date(sample_con, f, fast):
    """The district ranking's on-time rate (this period and the previous one, for rank changes)
    is the headline's: still-open late complaints of a past cohort count as late."""
    from analytics import rankings as RK
    city = RK.city_reference(sample_con, f, fast=fast)
    k = queries.complaint_kpis(sample_con, f, fast=fast).iloc[0]
    assert city["on_time_rate"] == pytest.approx(float(k["on_time_rate"]), abs=1e-12)
    prev = queries.previous_period(f)
    _, _, cities = RK._period_frame(sample_con, f, RK._with_previous(f), "county", fast=fast)
    kp = queries.complaint_kpis(sample_con, prev, fast=fast).iloc[0]
    assert cities[1]["on_time_rate"] == pytest.approx(float(kp["on_time_rate"]), abs=1e-12)

@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
@pytest.mark.parametrize("f", PERIODS, ids=lambda f: f"{f.date_from}-{f.date_to}-{f.route}")
def test_overdue_counts_agree_everywhere(sample_con, f, fast):
    k = queries.complaint_kpis(sample_con, f, fast=fast).iloc[0]
    overdue = R.overdue_open_count(sample_con, f, fast=fast)
    assert int(k["overdue_open"]) == overdue
    # the on-time base is the closed plus exactly those overdue ones; the rest is not yet due
    assert int(k["on_time_base"]) == int(k["closed"]) + overdue
    assert int(k["within_deadline"]) == int(k["complaints"]) - int(k["closed"]) - overdue
    d = R.deadline_by_district(sample_con, f, fast=fast)
    assert int(d["overdue_open"].sum()) == overdue
    assert int(d["on_time_base"].sum()) == int(k["on_time_base"])


def test_issue_numbers_on_the_sample(sample_con):
    past = queries.complaint_kpis(sample_con, PERIODS[0]).iloc[0]
    at = queries.complaint_kpis(sample_con, PERIODS[1]).iloc[0]
    assert past["on_time_rate"] == at["on_time_rate"] == pytest.approx(0.99651, abs=1e-5)
    assert int(past["overdue_open"]) == 1 == R.overdue_open_count(sample_con, PERIODS[0])


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
def test_past_cohort_counts_its_still_open_late_complaints_as_late(sample_con, fast):
    f = PERIODS[2]
    k = queries.complaint_kpis(sample_con, f, fast=fast).iloc[0]
    listed = R.overdue_open(sample_con, f, fast=fast)
    assert len(listed) == int(k["overdue_open"]) == 2
    # their deadlines fell after the period's end, and they are still open and late today
    assert (listed["deadline_date"] > f.date_to).all() and (listed["overdue_wdays"] >= 17).all()
    assert k["on_time_rate"] < 1.0
    assert k["on_time_rate"] == pytest.approx(int(k["on_time"]) / (int(k["closed"]) + 2))
    weekly = R.on_time_weekly(sample_con, f, fast=fast)
    assert int(weekly.loc[weekly["route"] == "all", "base"].sum()) == int(k["on_time_base"])


# --- a period past the as-of date ---------------------------------------------------------------------

def _numbers(fig: dict) -> dict:
    return {k: v for k, v in fig.items() if k not in ("to", "past_as_of")}


@pytest.mark.parametrize("f", [Filters(D("2024-01-01"), D("2024-06-30")),
                               Filters(D("2024-03-01"), D("2025-01-31"), districts=("620702", "620721")),
                               Filters(D("2023-12-18"), D("2024-03-17"), route="odr")],
                         ids=lambda f: f"{f.date_from}-{f.date_to}")
def test_period_past_as_of_changes_no_number(sample_con, f):
    at = f.with_(date_to=AS_OF)
    past, ref = queries.figures(sample_con, f), queries.figures(sample_con, at)
    assert past["past_as_of"] is True and ref["past_as_of"] is False
    assert past["to"] == f.date_to.isoformat() and past["measured_to"] == past["as_of"] == AS_OF.isoformat()
    assert _numbers(past) == _numbers(ref)
    for fn in (queries.registry_counts, P.returns_commitments, P.odr_health):
        assert fn(sample_con, f) == fn(sample_con, at)
    assert queries.closure_at_equal_age(sample_con, f) == queries.closure_at_equal_age(sample_con, at)


def test_registries_and_dormant_stores_at_as_of(sample_con):
    april = Filters(D("2024-04-01"), D("2024-04-30"))          # wholly after the as-of date
    at_as_of = queries.registry_counts(sample_con, Filters(D("2024-03-01"), AS_OF))
    assert queries.registry_counts(sample_con, april) == at_as_of
    commit = P.returns_commitments(sample_con, april)
    assert commit["committed"] == at_as_of["return_stores"]
    # no data in the period: no store is "dormant" in it (main said 3,725 dormant, 100%)
    assert commit["dormant"] is None and commit["dormant_share"] is None
    by_d = P.returns_by_district(sample_con, april)
    assert by_d["dormant"].isna().all() and int(by_d["committed"].sum()) == at_as_of["return_stores"]
    # partly past: the same as the period ending at the as-of date
    assert P.returns_commitments(sample_con, Filters(D("2024-03-01"), D("2024-04-30"))) == \
        P.returns_commitments(sample_con, Filters(D("2024-03-01"), AS_OF))


def test_app_measures_a_period_past_as_of_and_says_so(app_env):
    past = run_app(None, {"lang": "en", "period": "custom", "from": "2024-01-01", "to": "2024-06-30"})
    at = run_app(None, {"lang": "en", "period": "custom", "from": "2024-01-01", "to": "2024-03-14"})
    assert errors(past) == [] and errors(at) == []
    notes = [i.value for i in past.info]
    assert any("runs past" in n and "Mar 14, 2024" in n for n in notes)
    assert not any("runs past" in i.value for i in at.info)
    shown = lambda a: [(m.label, m.value, m.proto.delta) for m in a.metric]     # noqa: E731
    assert shown(past) == shown(at)


# --- comparisons at equal age ---------------------------------------------------------------------------

def _cohorts(end: dt.date, days: int, slower: int = 0):
    """Complaints of ``days`` days ending at ``end`` and of the ``days`` before: 3 a day, each
    closing after a delay fixed by its distance from its period's end (so both periods close
    exactly alike at equal age), plus ``slower`` days for the later period. Complaints whose
    closing would fall after ``end`` are open."""
    rows = []
    for period_end, extra in ((end, slower), (end - dt.timedelta(days=days), 0)):
        for o in range(days):
            received = period_end - dt.timedelta(days=o)
            for j in range(3):
                delay = (o * 3 + j * 5) % 25 + extra
                closed = received + dt.timedelta(days=delay)
                rows.append(complaint(received.isoformat(), closed.isoformat() if closed <= end else None))
    return rows


@pytest.fixture(scope="module")
def unchanged_con(tmp_path_factory):
    p = make_db(tmp_path_factory.mktemp("age") / "age.duckdb", complaints=_cohorts(D("2024-05-31"), 28),
                meta={"as_of": "2024-05-31"})
    c = open_db(p)
    yield c
    c.close()


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
def test_unchanged_closure_shows_no_change_at_equal_age(unchanged_con, fast):
    f = Filters(D("2024-05-04"), D("2024-05-31"))
    naive = queries.complaint_kpis(unchanged_con, queries.previous_period(f)).iloc[0]["closure_rate"]
    e = queries.closure_at_equal_age(unchanged_con, f, fast=fast)
    assert e["complaints"] == e["prev_complaints"] == 84
    assert e["rate"] < naive - 0.2                  # the plain comparison would cry wolf
    assert e["rate"] == e["prev_rate"]              # at equal age nothing changed
    assert e["lag_days"] == 0 and e["cutoff"] == D("2024-05-03")
    assert e["differs"] is False
    # a period ending before the as-of date: the earlier one gets as many extra days
    g = Filters(D("2024-04-20"), D("2024-05-17"))
    e2 = queries.closure_at_equal_age(unchanged_con, g, fast=fast)
    assert e2["lag_days"] == 14 and e2["cutoff"] == D("2024-04-19") + dt.timedelta(days=14)


def test_real_slowdown_is_flagged(tmp_path):
    c = open_db(make_db(tmp_path / "slow.duckdb", complaints=_cohorts(D("2024-05-31"), 28, slower=6),
                        meta={"as_of": "2024-05-31"}))
    try:
        e = queries.closure_at_equal_age(c, Filters(D("2024-05-04"), D("2024-05-31")))
        assert e["rate"] < e["prev_rate"] and e["differs"] is True
    finally:
        c.close()


def test_overview_says_about_the_same_when_closure_is_unchanged(unchanged_con, tmp_path, monkeypatch,
                                                                 clean_streamlit):
    p = make_db(tmp_path / "ov.duckdb", complaints=_cohorts(D("2024-05-31"), 28), meta={"as_of": "2024-05-31"})
    monkeypatch.setenv("ODR_DB", str(p))
    at = run_app(None, {"lang": "en", "period": "custom", "from": "2024-05-04", "to": "2024-05-31"})
    assert errors(at) == []
    m = next(m for m in at.metric if m.label == "Closure rate")
    assert m.proto.delta.startswith("About the same")
    assert any("still within their deadline" in c.value for c in at.caption)


# --- flags beyond chance: no more false flags than the nominal rate -------------------------------------

def _false_flag_rate(draw, n_draws: int) -> float:
    return float(np.mean([stats.beyond_chance(draw()) for _ in range(n_draws)]))


def _null_closure_strata(rng, days: int):
    """One draw of closure_at_equal_age's strata where closing times do not change: arrivals
    differ (weekday pattern, a surge at the end of the later period, as before 3·15), closing
    delays come from one sample-like mixture (ODR quick, traditional up to 45 days, a few stuck)."""
    def period(surge: float):
        ages = np.arange(days)
        lam = np.where(ages % 7 >= 5, 3.0, 9.0) * np.where(ages < 7, surge, 1.0)
        n = rng.poisson(lam)
        k = n.sum()
        odr = rng.random(k) < 0.2
        delay = np.where(odr, rng.choice([0, 1, 2, 5], k, p=[.45, .3, .13, .12]),
                         rng.choice([4, 7, 12, 30], k, p=[.55, .25, .17, .03]))
        closed = (delay <= np.repeat(ages, n)) & (rng.random(k) > 0.006)
        x = np.bincount(np.repeat(ages, n), weights=closed, minlength=days)
        return x, n
    x1, n1 = period(rng.uniform(1.0, 2.0))
    x0, n0 = period(1.0)
    return x1, n1, x0, n0


@pytest.mark.parametrize("days", [28, 91])
def test_equal_age_flag_rate_on_no_difference(days, n_draws=300):
    rng = np.random.default_rng(20240314 + days)
    rate = _false_flag_rate(lambda: stats.stratified_proportion_p(*_null_closure_strata(rng, days)), n_draws)
    assert rate <= 0.05


# Exact tests: given the margins (Fisher) or the total (two counts) the chance of a flag on
# no-difference data is a finite sum, computed here without simulation noise. Below the nominal
# level for every margin means below it unconditionally too.

@pytest.mark.parametrize("n1,n0,m", [(20, 20, 10), (5, 40, 30), (200, 200, 360), (250, 300, 540),
                                     (900, 700, 1590)])
def test_two_proportion_flag_rate_on_no_difference(n1, n0, m):
    from scipy.stats import hypergeom
    xs = np.arange(max(0, m - n0), min(m, n1) + 1)
    flagged = np.array([stats.beyond_chance(stats.two_proportion_p(x, n1, m - x, n0)) for x in xs])
    assert flagged.any()                                    # the test can flag at all
    assert float(hypergeom.pmf(xs, n1 + n0, m, n1)[flagged].sum()) <= 0.05


@pytest.mark.parametrize("total", [1, 5, 17, 120, 1001, 3000])
def test_two_count_flag_rate_on_no_difference(total):
    from scipy.stats import binom
    ks = np.arange(total + 1)
    flagged = np.array([stats.beyond_chance(stats.two_count_p(k, total - k)) for k in ks])
    assert float(binom.pmf(ks, total, 0.5)[flagged].sum()) <= 0.05


@pytest.mark.slow
@pytest.mark.parametrize("days", [14, 28, 91])
def test_equal_age_flag_rate_thorough(days):
    test_equal_age_flag_rate_on_no_difference(days, n_draws=3000)


def test_stats_edge_cases():
    assert stats.two_proportion_p(0, 0, 3, 5) is None
    assert stats.two_proportion_p(5, 5, 5, 5) == 1.0
    assert stats.two_count_p(0, 0) is None
    assert stats.stratified_proportion_p([1], [1], [0], [0]) is None     # no stratum holds both groups
    assert not stats.beyond_chance(None)
    with pytest.raises(ValueError):
        stats.two_proportion_p(6, 5, 1, 5)


# --- the methodology page says what METRICS.md says ------------------------------------------------------

def test_methodology_states_these_definitions(app_env):
    from analytics import metrics
    from ui.i18n import CATALOGUE
    d = {key: (fzh, fen) for key, _zh, _en, fzh, fen, _n, _d in metrics.DEFINITIONS}
    assert {"as_of", "closure_rate", "equal_age", "on_time_rate", "settlement_rate", "registry"} <= set(d)
    assert "before the as-of date" in d["on_time_rate"][1] and "数据截至日期" in d["on_time_rate"][0]
    assert "as-of date when the period ends later" in d["registry"][1]
    assert "不予受理" in d["settlement_rate"][0] and "never reached mediation" in d["settlement_rate"][1]
    zh, en = CATALOGUE["ex.me.conventions.body"]
    assert "不确定性与比较" in zh and "Uncertainty and comparisons" in en
    at = run_app("pages/methodology.py", {"lang": "en"})
    assert errors(at) == []
    text = "\n".join(m.value for m in at.markdown)
    assert d["equal_age"][1] in text and d["as_of"][1] in text
