"""Programmes page: the returns questions answered from analytics.programmes.AGGREGATES (numbered
store keys, first-return dates, daily counts) equal the plain queries on ``returns`` and
``merchants``, on the sample and on a fixture built to break distinct-store counting."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics import programmes as P
from analytics.filters import Filters
from tests.fixtures import D, make_db, open_db
from tests.test_fastpath import FILTERS as FILTERS_SAMPLE

FILTERS = FILTERS_SAMPLE + [Filters(D("2023-07-03"), D("2023-07-03"))]     # and one day
IDS = [f"{f.date_from}-{f.date_to}-{len(f.districts)}" for f in FILTERS]


def _eq(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=True)
    else:
        assert a == b


def _check_all(con, f):
    assert P._source(con, True) is P._FAST
    for fn in (P.returns_commitments, P.returns_distribution, P.returns_amount_bins,
               P.returns_by_district, P.returns_by_category):
        _eq(fn(con, f), fn(con, f, fast=False))
    for grain in P.GRAINS:
        _eq(P.returns_series(con, f, grain), P.returns_series(con, f, grain, fast=False))


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_fast_equals_plain_on_sample(sample_con, f):
    _check_all(sample_con, f)


def M(mid, name, **kw):
    return {"merchant_id": mid, "name": name, **kw}


def R(rid, store, day, amount, **kw):
    return {"return_id": rid, "store_name": store, "return_date": D(day), "amount_yuan": amount, **kw}


@pytest.fixture(scope="module")
def fixture_con(tmp_path_factory):
    merchants = [
        M("M1", "甲店", credit_code="C1", return_commit_date=D("2023-06-01")),
        M("M1b", "甲店二部", credit_code="C1", return_commit_date=D("2023-07-01")),          # same key as M1
        M("M2", "乙店", credit_code="", return_commit_date=D("2023-06-01")),                 # keyed by name
        M("M3", "丙店", district_code="620723", return_commit_date=D("2023-12-01"),
          return_withdrawn_date=D("2024-01-15")),
        M("M4", "丁店", district_code="620723", return_commit_date=D("2024-02-01")),
        M("M5", "戊店", district_code="620721"),                                              # never committed
    ]
    returns = [
        R("R01", "甲店", "2023-12-30", 100, credit_code="C1"),
        R("R02", "甲店", "2024-01-02", 100, credit_code="C1"),
        R("R03", "甲店", "2024-01-02", 250.5, credit_code="C1"),                              # same day, same store
        R("R04", "甲店", "2024-01-20", 999, credit_code="C1", district_code="620723"),       # other district
        R("R05", "乙店", "2024-01-05", 50, credit_code="", goods_category=" ", completed=False),
        R("R06", "乙店", "2024-01-05", 5000, goods_category=None),
        R("R07", "丙店", "2024-01-10", 49.99, district_code="620723", goods_category="食品"),
        R("R08", "丙店", "2024-02-03", 2000, district_code="620723", goods_category="食品"),
        R("R09", "不在册店", "2024-01-11", 300, district_code="620721"),                      # not a merchant
        R("R10", "甲店", "2024-02-10", 100, credit_code="C1", goods_category="食品"),
    ]
    p = tmp_path_factory.mktemp("fp_programmes") / "p.duckdb"
    make_db(p, merchants=merchants, returns=returns)
    c = open_db(p)
    yield c
    c.close()


@pytest.mark.parametrize("f", [
    Filters(D("2024-01-01"), D("2024-01-31")),
    Filters(D("2024-01-02"), D("2024-01-02")),
    Filters(D("2023-12-01"), D("2024-02-29")),
    Filters(D("2024-01-03"), D("2024-02-10"), districts=("620723",)),
    Filters(D("2024-01-01"), D("2024-02-29"), districts=("620702", "620723")),
    Filters(D("2025-01-01"), D("2025-01-31")),
], ids=["jan", "one-day", "three-months", "one-district", "two-districts", "empty"])
def test_fast_equals_plain_on_fixture(fixture_con, f):
    _check_all(fixture_con, f)


def test_fixture_counts_by_hand(fixture_con):
    c = P.returns_commitments(fixture_con, Filters(D("2024-01-01"), D("2024-01-31")))
    # stores with a return in January: C1, 乙店, 丙店, 不在册店; committed on 01-31: M1, M1b, M2 (M3 withdrew,
    # M4 later); M1 and M1b share C1, which had a return, M2 (乙店) too
    got = (c["return_stores"], c["committed"], c["committed_with_return"], c["uncommitted_with_return"])
    assert got == (4, 3, 3, 2)
    d = P.returns_by_district(fixture_con, Filters(D("2024-01-01"), D("2024-01-31"))).set_index("code")
    # C1 returned in 620702 and 620723: one store in each district
    assert (d.at["620702", "return_stores"], d.at["620723", "return_stores"]) == (2, 2)
