"""Explore page: the fast paths (analytics.explore.AGGREGATES, and the records page found by row
id) give exactly the answers of the plain queries on ``complaints``, facet filters included, and
the aggregate is bypassed when it cannot answer."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics import explore as E
from analytics.filters import Filters
from tests.fixtures import D, complaint, make_db, open_db
from tests.test_fastpath import FILTERS as FILTERS_SAMPLE

BASE = FILTERS_SAMPLE
DEFAULT = BASE[0]
FACETED = [                                                          # (filters, the aggregate answers)
    (DEFAULT.with_(categories=("食品",)), True),
    (DEFAULT.with_(channels=("12315热线", "ODR"), route="odr"), True),
    (DEFAULT.with_(status="open"), True),
    (DEFAULT.with_(status="closed", outcomes=("和解", "调解成功")), True),
    (DEFAULT.with_(problems=("质量",), districts=("620702", "620721")), True),
    (DEFAULT.with_(categories=("食品",), problems=("质量",)), False),    # two value facets
    (DEFAULT.with_(merchant="商"), False),
    (DEFAULT.with_(townships=("梁家墩镇",)), False),
]
FILTERS = BASE + [f for f, _ in FACETED]
IDS = [f"{f.date_from}-{f.route}-{len(f.districts)}-{f.status}" for f in BASE] + \
    [f"facet{i}" for i in range(len(FACETED))]


def _eq(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=True)
    else:
        assert a == b


def _both(fn, con, *args, **kw):
    _eq(fn(con, *args, **kw), fn(con, *args, fast=False, **kw))


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_counts_fast_equal_plain_on_sample(sample_con, f):
    _both(E.facet_counts, sample_con, f)
    _both(E.record_count, sample_con, f)
    _both(E.monthly_records, sample_con, f)


@pytest.mark.parametrize("f,answers", FACETED, ids=[f"facet{i}" for i in range(len(FACETED))])
def test_aggregate_answers_one_value_facet_only(f, answers):
    assert (E._agg_rows(f) is not None) is answers


def test_facet_values_fast_equal_plain_on_sample(sample_con):
    _both(E.facet_values, sample_con)


@pytest.mark.parametrize("sort", sorted(E.SORTS))
def test_records_fast_equal_plain_on_sample(sample_con, sort):
    for f in (DEFAULT, DEFAULT.with_(categories=("食品",), status="closed"), BASE[5]):
        for descending in (True, False):
            for limit, offset in ((50, 0), (25, 75), (200, 1000)):
                _both(E.records, sample_con, f, sort, descending, limit, offset)


@pytest.fixture(scope="module")
def fixture_con(tmp_path_factory):
    """Ties on the sort columns, empty facet values, reports, open and closed complaints."""
    p = tmp_path_factory.mktemp("fp_explore") / "e.duckdb"
    rows = []
    for i in range(40):
        day = f"2024-03-{1 + i % 20:02d}"
        rows.append(complaint(
            f"{day} {9 + i % 3:02d}:00", None if i % 4 == 0 else f"2024-03-{21 + i % 9:02d}",
            reg_no=f"R{i:03d}", is_odr=i % 3 == 0, district=("620702", "620721", "620723")[i % 3],
            channel=None if i % 7 == 0 else ("12315热线", "ODR")[i % 2],
            category=("食品", "家用电器", None)[i % 3], problem=("质量", "价格")[i % 2],
            merchant=f"店{i % 5}", disputed=None if i % 6 == 0 else float(10 * (i % 4))))
    rows.append(complaint("2024-03-05 09:00", None, reg_no="X1", appeal_type="举报"))
    make_db(p, complaints=rows)
    c = open_db(p)
    yield c
    c.close()


@pytest.mark.parametrize("f", [
    Filters(D("2024-03-01"), D("2024-03-31")),
    Filters(D("2024-03-03"), D("2024-03-12"), route="odr", status="closed"),
    Filters(D("2024-03-01"), D("2024-03-31"), categories=("食品",), districts=("620702", "620723")),
    Filters(D("2024-03-01"), D("2024-03-31"), channels=("ODR",), status="open"),
    Filters(D("2024-03-01"), D("2024-03-31"), channels=("ODR",), categories=("食品",)),
], ids=["all", "odr-closed", "category", "channel-open", "two-facets"])
def test_fast_equals_plain_on_fixture(fixture_con, f):
    _both(E.facet_counts, fixture_con, f)
    _both(E.record_count, fixture_con, f)
    _both(E.monthly_records, fixture_con, f)
    for sort in E.SORTS:
        _both(E.records, fixture_con, f, sort, True, 7, 3)
        _both(E.records, fixture_con, f, sort, False, 100, 0)


def test_facet_values_fast_equal_plain_on_fixture(fixture_con):
    _both(E.facet_values, fixture_con)
