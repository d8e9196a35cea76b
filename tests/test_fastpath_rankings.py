"""The rankings fast path (agg_complaints, rank_district_days) gives exactly the answers of the
plain queries: city values, unit metrics with every interval, the ranking with the previous
period, funnel limits and the weekly / monthly rank history; facet filters and the township level
are answered by the plain queries."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analytics import queries
from analytics import rankings as R
from analytics.filters import Filters
from tests.fixtures import D, complaint, make_db, open_db
from tests.test_fastpath import FILTERS

WEIGHTS = (("per_100k", 5), ("closure_rate", 25), ("on_time_rate", 30), ("median_days", 20), ("odr_share", 15),
           ("recovered_per_complaint", 10), ("returns_per_store", 5))
CASES = FILTERS + [
    Filters(D("2024-03-04"), D("2024-03-10")),                              # one week: small units, "too few" medians
    Filters(D("2023-01-01"), D("2024-03-14"), districts=("620702", "620725", "620724")),
]


def _eq(a: pd.DataFrame, b: pd.DataFrame):
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                  check_exact=False, rtol=1e-12, atol=1e-9)


def _eq_city(a: dict, b: dict):
    assert a.keys() == b.keys()
    for k in a:
        if a[k] is None or b[k] is None:
            assert a[k] is None and b[k] is None, k
        else:
            assert a[k] == pytest.approx(b[k], rel=1e-12, abs=1e-9), k


def _ids(f: Filters) -> str:
    return f"{f.date_from}-{f.date_to}-{f.route}-{len(f.districts)}"


@pytest.mark.parametrize("f", CASES, ids=_ids)
def test_fast_equals_plain_on_sample(sample_con, f):
    assert queries.agg_usable(sample_con, f)
    _eq_city(R.city_reference(sample_con, f), R.city_reference(sample_con, f, fast=False))
    for level in R.LEVELS:
        _eq(R.unit_metrics(sample_con, f, level), R.unit_metrics(sample_con, f, level, fast=False))
        _eq(R.ranking(sample_con, f, level, WEIGHTS), R.ranking(sample_con, f, level, WEIGHTS, fast=False))
    for metric in ("per_100k", "closure_rate", "on_time_rate", "returns_per_store"):
        _eq(R.funnel(sample_con, f, metric), R.funnel(sample_con, f, metric, fast=False))
    for grain in R.GRAINS:
        _eq(R.rank_history(sample_con, f, grain, 8, WEIGHTS), R.rank_history(sample_con, f, grain, 8, WEIGHTS,
                                                                             fast=False))


def test_facets_are_answered_by_the_plain_queries(sample_con):
    f = Filters(D("2023-01-01"), D("2024-03-14"), categories=("食品",))
    assert not R._fast(sample_con, f, "county", True)
    assert not R._fast(sample_con, f.with_(categories=()), "township", True)
    _eq(R.ranking(sample_con, f, "county", WEIGHTS), R.ranking(sample_con, f, "county", WEIGHTS, fast=False))
    whole = R.city_reference(sample_con, f.with_(categories=()))
    assert 0 < R.city_reference(sample_con, f)["complaints"] < whole["complaints"]


def test_city_reference_equals_the_kpis(sample_con):
    """The city dict from the grouped statistics matches complaint_kpis and the registry counts."""
    f = Filters(D("2023-06-01"), D("2024-03-14"), route="traditional")
    k = queries.complaint_kpis(sample_con, f, fast=False).iloc[0]
    reg = queries.registry_counts(sample_con, f)
    ret = queries.returns_summary(sample_con, f, fast=False)
    for fast in (True, False):
        c = R.city_reference(sample_con, f, fast=fast)
        assert c["complaints"] == k["complaints"] and c["median_days"] == k["median_days_all"]
        assert c["closure_rate"] == pytest.approx(k["closure_rate"]) and c["on_time_rate"] == pytest.approx(
            k["on_time_rate"])
        assert c["recovered_per_complaint"] == pytest.approx(k["recovered_yuan"] / k["complaints"])
        assert (c["returns"], c["stores"]) == (ret["count"], reg["return_stores"])


@pytest.fixture
def fixture_con(tmp_path):
    rows = [
        complaint("2024-03-04", "2024-03-06", township="东街街道", recovered=100.0),
        complaint("2024-03-05", "2024-03-09", township="东街街道", recovered=200.0, is_odr=True),
        complaint("2024-03-06", "2024-03-16", township="南街街道"),
        complaint("2024-03-07", None),
        complaint("2024-03-11", "2024-03-12", district="620721", township="红湾寺镇", recovered=50.0),
        complaint("2024-03-12", "2024-03-15", district="620721", township="红湾寺镇", recovered=25.5),
        complaint("2024-03-12", "2024-03-13", district="620721", appeal_type="举报"),
        complaint("2024-02-05", "2024-02-07"),
        complaint("2024-02-06", None, district="620721"),
    ]
    merchants = [
        {"merchant_id": "m1", "name": "甲店", "district_code": "620702", "return_commit_date": dt.date(2023, 1, 1)},
        # withdrawn in March: committed at the end of February, not at the end of March
        {"merchant_id": "m2", "name": "乙店", "district_code": "620702", "return_commit_date": dt.date(2023, 6, 1),
         "return_withdrawn_date": dt.date(2024, 3, 10)},
        # a withdrawal dated before the commitment: never counted once both dates have passed
        {"merchant_id": "m3", "name": "丙店", "district_code": "620721", "return_commit_date": dt.date(2024, 3, 5),
         "return_withdrawn_date": dt.date(2024, 3, 1)},
        {"merchant_id": "m4", "name": "丁店", "district_code": "620702", "return_commit_date": dt.date(2024, 4, 1)},
        {"merchant_id": "m5", "name": "戊店", "district_code": None, "return_commit_date": dt.date(2023, 4, 1)},
    ]
    returns = [
        {"return_id": f"r{i}", "store_name": "甲店", "return_date": dt.date(2024, 3, 2 + i), "amount_yuan": 30}
        for i in range(3)
    ] + [{"return_id": "r9", "store_name": "甲店", "return_date": dt.date(2024, 2, 2), "amount_yuan": 30},
         {"return_id": "r10", "store_name": "戊店", "return_date": dt.date(2024, 3, 9), "amount_yuan": 10,
          "district_code": None}]
    con = open_db(make_db(tmp_path / "rank.duckdb", complaints=rows, merchants=merchants, returns=returns,
                          meta={"as_of": "2024-03-31"}))
    yield con
    con.close()


@pytest.mark.parametrize("f", [Filters(D("2024-03-01"), D("2024-03-31")), Filters(D("2024-02-01"), D("2024-02-29")),
                               Filters(D("2024-03-04"), D("2024-03-05")),
                               Filters(D("2024-03-01"), D("2024-03-31"), districts=("620721",), route="traditional")],
                         ids=_ids)
def test_fast_equals_plain_on_fixture(fixture_con, f):
    c = fixture_con
    assert queries.agg_usable(c, f)
    _eq_city(R.city_reference(c, f), R.city_reference(c, f, fast=False))
    _eq(R.ranking(c, f, "county", WEIGHTS), R.ranking(c, f, "county", WEIGHTS, fast=False))
    _eq(R.funnel(c, f, "returns_per_store"), R.funnel(c, f, "returns_per_store", fast=False))
    _eq(R.rank_history(c, f, "week", 4, WEIGHTS), R.rank_history(c, f, "week", 4, WEIGHTS, fast=False))


def test_registry_and_returns_per_district(fixture_con):
    march = Filters(D("2024-03-01"), D("2024-03-31"))
    for fast in (True, False):
        u = R.unit_metrics(fixture_con, march, fast=fast).set_index("district_code")
        assert (u.loc["620702", "returns"], u.loc["620702", "stores"]) == (3, 1)     # m2 withdrawn 10 March
        assert u.loc["620721", "stores"] == 0                                      # m3 withdrew before committing
        city = R.city_reference(fixture_con, march, fast=fast)
        assert (city["returns"], city["stores"]) == (4, 2)                         # the store without a district too
        feb = R.city_reference(fixture_con, march.with_(date_from=D("2024-02-01"), date_to=D("2024-02-29")), fast=fast)
        assert (feb["returns"], feb["stores"]) == (1, 3)


# --- the interval helpers that read counts instead of rows ----------------------------------------------

def test_median_interval_from_counts_equals_the_order_statistics():
    rng = np.random.default_rng(7)
    for n in (1, 3, 6, 40, 777):
        x = rng.integers(0, 30, size=n)
        v, k = np.unique(x, return_counts=True)
        assert R.median_interval_counts(v, k) == R.median_interval(x.tolist())
        assert R.median_interval_counts(v, k, 0.8) == R.median_interval(x.tolist(), 0.8)


def test_mean_interval_from_moments():
    x = np.arange(10_001, dtype=float)
    n, mean, sd = R._moments(len(x), float(x.sum()), float((x * x).sum()))
    assert (n, mean, sd) == (len(x), pytest.approx(x.mean(), rel=1e-12), pytest.approx(x.std(ddof=1), rel=1e-12))
    # the interval needs the moments only: the unit's spread, or the city's when that is larger
    half = 1.959963984540054 * x.std(ddof=1) / np.sqrt(len(x))
    assert R.mean_interval(n, mean, sd) == pytest.approx((x.mean() - half, x.mean() + half), rel=1e-12)
    assert R.mean_interval(n, mean, sd, sd_floor=10 * sd) == pytest.approx(
        (x.mean() - 10 * half, x.mean() + 10 * half), rel=1e-12)
    assert R.mean_interval(n, mean, sd, sd_floor=sd / 10) == R.mean_interval(n, mean, sd)
    assert R.mean_interval(1, 7.5, float("nan"), sd_floor=1.0, lower=0.0)[0] == pytest.approx(7.5 - 1.959963984540054)
    assert np.isnan(R.mean_interval(1, 7.5, float("nan"))[0])        # no spread at all: no interval
