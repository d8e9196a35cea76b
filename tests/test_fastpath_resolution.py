"""Resolution page: the pre-aggregated tables (analytics.resolution.AGGREGATES) give exactly the
answers of the plain queries on ``complaints``, and are bypassed when they cannot answer."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import queries
from analytics import resolution as R
from analytics.filters import Filters
from tests.fixtures import D, complaint, make_db, open_db

FILTERS = [
    Filters(D("2023-12-18"), D("2024-03-14")),                       # the page's default view
    Filters(D("2022-01-01"), D("2024-03-14"), route="odr"),
    Filters(D("2023-06-01"), D("2023-06-30"), route="traditional", districts=("620721", "620723")),
    Filters(D("2024-03-01"), D("2024-06-30"), districts=("620702",)),
    Filters(D("2023-01-02"), D("2023-01-02")),                       # one day
    Filters(D("2021-01-01"), D("2021-03-31")),                       # empty
]
IDS = [f"{f.date_from}-{f.route}-{len(f.districts)}" for f in FILTERS]


def _eq(a, b):
    """Equal results: DataFrames (values and columns), dicts of them, or plain values."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _eq(a[k], b[k])
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                      check_dtype=False, check_exact=False, rtol=1e-12, atol=1e-9)
    else:
        assert a == b


def _both(fn, con, f, *args, **kw):
    _eq(fn(con, f, *args, **kw), fn(con, f, *args, fast=False, **kw))


def _all_calls(con, f):
    """Every fast-path function of the module, as the page calls it (and the other unit)."""
    for unit in R.UNITS:
        _both(R.time_counts, con, f, unit)
        _both(R.km_curves, con, f, unit)
        _both(R.km_summary, con, f, unit, 10)
        _both(R.weekly_quantiles, con, f, unit)
        _both(R.category_quantiles, con, f, unit)
        _both(R.route_gap, con, f, unit, min_stratum=5)
    _both(R.km_summary, con, f, "days", 3)
    _both(R.on_time_weekly, con, f)
    _both(R.acceptance_decisions, con, f)
    _both(R.deadline_by_district, con, f)
    _both(R.calendar_notice, con, f)
    for all_periods in (False, True):
        _both(R.overdue_open, con, f, all_periods=all_periods, limit=5000)
        _both(R.overdue_open, con, f, all_periods=all_periods, limit=7)


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_fast_equals_plain_on_sample(sample_con, f):
    assert queries.agg_usable(sample_con, f)
    _all_calls(sample_con, f)


def test_the_fast_path_is_taken(sample_con):
    f = FILTERS[0]
    assert R._source(sample_con, f, "agg_res_times").table == "agg_res_times"
    assert R._source(sample_con, f, "agg_res_categories").table == "agg_res_categories"
    assert R._source(sample_con, f, "agg_res_open", period=False).table == "agg_res_open"
    assert R._source(sample_con, f, "agg_res_times", fast=False).table is None
    # the category table has no district: a district filter reads complaints
    assert R._source(sample_con, FILTERS[3], "agg_res_categories").table is None
    assert R._source(sample_con, FILTERS[3], "agg_res_times").table == "agg_res_times"
    with pytest.raises(ValueError):
        R._source(sample_con, f, "complaints")


def test_facets_bypass_the_aggregates(sample_con):
    f = Filters(D("2023-01-01"), D("2024-03-14"), categories=("食品",))
    for table in R.AGGREGATES:
        assert R._source(sample_con, f, table).table is None
        assert R._source(sample_con, f.with_(categories=(), status="open"), table).table is None
    n_food = R.km_summary(sample_con, f).set_index("route").loc["all", "complaints"]
    n_all = R.km_summary(sample_con, f.with_(categories=())).set_index("route").loc["all", "complaints"]
    assert 0 < n_food < n_all


def test_aggregates_are_small(sample_con):
    """A histogram, not a copy of the complaints (the open list is a small share of them)."""
    n = sample_con.execute("SELECT count(*) FROM complaints WHERE appeal_type = '投诉'").fetchone()[0]
    for table in ("agg_res_times", "agg_res_categories"):
        rows_, total = sample_con.execute(f"SELECT count(*), sum(n) FROM {table}").fetchone()
        assert rows_ < n and total <= n
    open_n = sample_con.execute("SELECT count(*) FROM complaints WHERE appeal_type = '投诉' "
                                "AND closed_date IS NULL").fetchone()[0]
    assert sample_con.execute("SELECT count(*) FROM agg_res_open").fetchone()[0] == open_n


# A hand-built database with the awkward cases: a missing category, a missing district, no
# acceptance date, rejections, complaints received before the calendar starts (no working-day
# time), open complaints inside and past their deadline, reports (举报) that never count.
EDGE = (
    [complaint("2024-02-05", "2024-02-26", reg_no="T1", accepted="2024-02-09", district="620702"),
     complaint("2024-02-05", "2024-03-01", reg_no="T2", accepted="2024-02-21", district="620702",
               outcome="和解"),
     complaint("2024-02-05", "2024-02-20", reg_no="T3", acceptance="不予受理", district="620722"),
     complaint("2024-02-05", None, reg_no="T4", acceptance=None, district="620722"),
     complaint("2024-03-01", None, reg_no="O1", is_odr=True, district="620723"),
     complaint("2024-03-18", None, reg_no="O2", is_odr=True, district="620723"),
     complaint("2024-02-05", "2024-02-22", reg_no="O3", is_odr=True, district="620702", category=None),
     complaint("2024-02-06", "2024-02-06", reg_no="O4", is_odr=True, district=None, outcome="和解"),
     complaint("2024-03-04", "2024-03-14", reg_no="R1", appeal_type="举报"),
     complaint("1999-12-30", "2000-01-05", reg_no="C1", is_odr=True),
     complaint("1999-12-28", None, reg_no="C2", acceptance=None)]
    + [complaint("2024-02-19", f"2024-02-{20 + i % 5}", reg_no=f"A{i}", is_odr=bool(i % 2),
                 category=("食品", "装修建材")[i % 3 == 0], outcome=("和解", "调解不成功")[i % 4 == 0])
       for i in range(24)]
)


@pytest.fixture
def edge_con(tmp_path):
    con = open_db(make_db(tmp_path / "edge.duckdb", complaints=EDGE, meta={"as_of": "2024-03-20"}))
    yield con
    con.close()


@pytest.mark.parametrize("f", [Filters(D("2024-02-01"), D("2024-03-20")),
                               Filters(D("2024-02-19"), D("2024-02-19"), route="odr"),
                               Filters(D("2024-02-01"), D("2024-03-20"), districts=("620722", "620723")),
                               Filters(D("1999-12-01"), D("2024-03-20"))],
                         ids=["all", "odr-day", "districts", "before-calendar"])
def test_fast_equals_plain_on_fixture(edge_con, f):
    assert queries.agg_usable(edge_con, f)
    _all_calls(edge_con, f)
    _both(R.route_gap, edge_con, f, "days", min_stratum=2)


@pytest.mark.parametrize("counts", [
    [5, 9, 14, 8, 3, 2], [5, 9, 14, 8, 3, 3],                   # odd and even n, exact Beta draws
    # n above 2 × NORMAL_BETA_MIN (normal draws), the median near a boundary between two values
    [500, 900, 650, 1100, 500, 400], [500, 900, 650, 1100, 500, 401]])
def test_boot_medians_have_the_distribution_of_resampling(counts):
    """The direct draw of bootstrap medians against multinomial resampling of the same sample:
    same mean and spread of the medians, and the same share of every value they take."""
    values = np.array([0.0, 1.0, 2.0, 3.0, 5.0, 8.0])
    counts = np.array(counts)
    n = int(counts.sum())
    assert n < 2 * R.NORMAL_BETA_MIN or n // 2 >= R.NORMAL_BETA_MIN
    direct = R._boot_medians(np.random.default_rng(1), values, counts, 40000)
    sample = np.random.default_rng(2).multinomial(n, counts / n, size=40000)
    resampled = R._quantiles_from_count_matrix(values, sample, 0.5)
    assert direct.mean() == pytest.approx(resampled.mean(), abs=0.02)
    assert direct.std() == pytest.approx(resampled.std(), abs=0.02)
    assert len(np.unique(resampled)) >= 2                    # the medians vary
    for v in np.unique(resampled):
        assert (direct == v).mean() == pytest.approx((resampled == v).mean(), abs=0.01)
    # several samples at once: one row of medians each
    both = R._boot_medians(np.random.default_rng(1), values, np.vstack([counts, counts * 3]), 500)
    assert both.shape == (2, 500) and both[1].std() < both[0].std()


def test_boot_medians_edge_cases():
    values = np.array([0.0, 1.0, 2.0, 3.0, 5.0, 8.0])
    assert np.isnan(R._boot_medians(np.random.default_rng(1), values, np.zeros(6, dtype=np.int64), 3)).all()
    one = R._boot_medians(np.random.default_rng(1), values, np.array([0, 0, 4, 0, 0, 0]), 5)
    assert (one == 2.0).all()


@pytest.mark.parametrize("f", FILTERS + [Filters(D("2024-12-28"), D("2025-01-06")),          # ISO year 2025-W01
                                         Filters(D("2021-12-27"), D("2022-01-09"))],         # before the data
                         ids=lambda f: f"{f.date_from}-{f.date_to}")
def test_weeks_are_those_of_weekly_complaints(sample_con, f):
    want = queries.weekly_complaints(sample_con, f, fast=False)[["week", "week_start", "partial"]]
    starts, weeks = R._weeks(sample_con, f)
    assert starts == list(want["week_start"])
    pd.testing.assert_frame_equal(pd.DataFrame(weeks), want, check_dtype=False)


@pytest.mark.parametrize("all_periods", [False, True])
def test_overdue_count_is_the_unlimited_list_length(sample_con, all_periods):
    for f in (Filters(D("2023-12-18"), D("2024-03-14")),
              Filters(D("2023-01-01"), D("2024-03-14"), route="odr", districts=("620702", "620721")),
              Filters(D("2023-01-01"), D("2024-03-14"), categories=("食品",))):
        full = R.overdue_open(sample_con, f, all_periods=all_periods, limit=10**9)
        n = R.overdue_open_count(sample_con, f, all_periods=all_periods)
        assert n == len(full) == R.overdue_open_count(sample_con, f, all_periods=all_periods, fast=False)
        assert len(R.overdue_open(sample_con, f, all_periods=all_periods, limit=3)) == min(3, n)
