"""The pre-aggregated fast path gives exactly the answers of the plain queries; it is bypassed
when the aggregate is stale or the filters need columns it does not have."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analytics import build, db, queries
from analytics.filters import Filters
from tests.fixtures import D
from tests.test_metrics import ROWS

FILTERS = [
    Filters(D("2023-12-18"), D("2024-03-14")),
    Filters(D("2023-01-01"), D("2024-03-14")),
    Filters(D("2022-01-01"), D("2024-03-14"), route="odr"),
    Filters(D("2023-06-01"), D("2023-06-30"), route="traditional", districts=("620721", "620723")),
    Filters(D("2024-03-01"), D("2024-06-30"), districts=("620702",)),
    Filters(D("2021-01-01"), D("2021-03-31")),                       # empty
    Filters(D("2024-02-01"), D("2024-03-31")),                       # the metrics fixture's period
]


def _eq(a: pd.DataFrame, b: pd.DataFrame):
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                  check_dtype=False, check_exact=False, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: f"{f.date_from}-{f.route}-{len(f.districts)}")
def test_fast_equals_plain_on_sample(sample_con, f):
    assert queries.agg_usable(sample_con, f)
    _eq(queries.complaint_kpis(sample_con, f), queries.complaint_kpis(sample_con, f, fast=False))
    _eq(queries.weekly_complaints(sample_con, f), queries.weekly_complaints(sample_con, f, fast=False))
    _eq(queries.district_summary(sample_con, f), queries.district_summary(sample_con, f, fast=False))
    assert queries.returns_summary(sample_con, f) == queries.returns_summary(sample_con, f, fast=False)


def test_fast_equals_plain_on_fixture(tmp_path):
    from tests.fixtures import make_db, open_db
    c = open_db(make_db(tmp_path / "m.duckdb", complaints=ROWS, meta={"as_of": "2024-03-31"}))
    f = Filters(D("2024-02-01"), D("2024-03-31"))
    assert queries.agg_usable(c, f)
    _eq(queries.complaint_kpis(c, f), queries.complaint_kpis(c, f, fast=False))
    _eq(queries.district_summary(c, f), queries.district_summary(c, f, fast=False))
    c.close()


def test_facets_bypass_the_aggregate(sample_con):
    f = Filters(D("2023-01-01"), D("2024-03-14"), categories=("食品",))
    assert not queries.agg_usable(sample_con, f)
    assert not queries.agg_usable(sample_con, f.with_(categories=(), status="open"))
    k = queries.complaint_kpis(sample_con, f).iloc[0]
    assert 0 < k["complaints"] < queries.complaint_kpis(sample_con, f.with_(categories=())).iloc[0]["complaints"]


def test_stale_aggregate_is_not_used(sample_db, tmp_path):
    p = tmp_path / "stale.duckdb"
    shutil.copy(sample_db, p)
    con = db.connect(p)
    build.set_meta(con, data_version="changed-by-an-import")
    f = Filters(D("2023-01-01"), D("2024-03-14"))
    assert not queries.agg_usable(con, f)
    build.refresh_aggregates(con)
    assert queries.agg_usable(con, f)
    con.close()


@pytest.mark.parametrize("values,counts,q,want", [
    ([1, 2, 3], [1, 1, 1], 0.5, 2.0),
    ([2, 21, 25], [1, 1, 1], 0.9, 24.2),
    ([0, 1, 5], [3, 0, 1], 0.5, 0.0),        # 0 0 0 5 -> position 1.5 -> 0
    ([0, 5], [2, 2], 0.5, 2.5),              # 0 0 5 5 -> position 1.5 -> 0 + 0.5 * 5
    ([], [], 0.5, None),
])
def test_weighted_quantile_matches_quantile_cont(values, counts, q, want):
    assert queries.weighted_quantile(values, counts, q) == (pytest.approx(want) if want is not None else None)


def test_returns_fast_path_counts_stores_like_the_plain_query(tmp_path):
    """Stores by credit code, else by name; the same store under two names counts once."""
    from tests.fixtures import make_db, open_db
    returns = [
        {"return_id": "r1", "store_name": "甲一店", "credit_code": "X1", "return_date": D("2024-02-01"), "amount_yuan": 10},
        {"return_id": "r2", "store_name": "甲二店", "credit_code": "X1", "return_date": D("2024-02-02"), "amount_yuan": 20},
        {"return_id": "r3", "store_name": "乙", "credit_code": "", "return_date": D("2024-02-03"), "amount_yuan": 30,
         "completed": False},
        {"return_id": "r4", "store_name": "乙", "return_date": D("2024-02-04"), "amount_yuan": 40,
         "district_code": "620723"},
    ]
    c = open_db(make_db(tmp_path / "r.duckdb", returns=returns))
    for f in (Filters(D("2024-02-01"), D("2024-02-29")), Filters(D("2024-02-02"), D("2024-02-03")),
              Filters(D("2024-02-01"), D("2024-02-29"), districts=("620723",))):
        assert queries.returns_summary(c, f) == queries.returns_summary(c, f, fast=False)
    assert queries.returns_summary(c, Filters(D("2024-02-01"), D("2024-02-29"))) == {
        "count": 4, "amount_yuan": 100.0, "stores": 2, "completion_rate": 0.75}
    c.close()


def test_aggregates_built_by_older_code_are_not_used(sample_db, tmp_path, monkeypatch):
    """The stamp hashes every aggregate statement: a file built before a table changed shape is
    answered by the plain queries until it is rebuilt."""
    from analytics import aggregates
    p = tmp_path / "old-code.duckdb"
    shutil.copy(sample_db, p)
    con = db.connect(p)
    f = Filters(D("2023-01-01"), D("2024-03-14"))
    assert aggregates.usable(con) and queries.agg_usable(con, f)
    changed = dict(build.AGGREGATES)
    changed["agg_complaints"] = changed["agg_complaints"] + " -- a new column"
    monkeypatch.setattr(build, "AGGREGATES", changed)
    monkeypatch.setattr(aggregates, "_layout", None)
    assert not queries.agg_usable(con, f)
    want = queries.complaint_kpis(con, f, fast=False)
    _eq(queries.complaint_kpis(con, f), want)              # answered by the plain query
    aggregates.refresh(con)
    assert queries.agg_usable(con, f)
    _eq(queries.complaint_kpis(con, f), want)
    con.close()
    monkeypatch.setattr(aggregates, "_layout", None)


def test_every_aggregate_table_is_declared_once():
    from analytics import aggregates
    t = aggregates.tables()
    assert {"agg_complaints", "agg_returns"} <= set(t)
    for name, sql in t.items():
        assert f"CREATE OR REPLACE TABLE {name} AS" in " ".join(sql.split()), name


def test_reference_memo_follows_the_file(sample_db, tmp_path):
    """meta/districts/coverage are remembered per read-only snapshot only: replacing the file
    (as imports do) gives a new connection with fresh answers; writers are never memoised."""
    p = tmp_path / "memo.duckdb"
    shutil.copy(sample_db, p)
    con = db.shared(p)
    assert db.meta(con)["dataset"] == "sample"
    d = queries.districts(con)
    d.loc[0, "name"] = "changed by a caller"
    assert queries.districts(con).loc[0, "name"] != "changed by a caller"
    first = queries.data_coverage(con)

    staged = tmp_path / "staged.duckdb"
    shutil.copy(sample_db, staged)
    w = db.connect(staged)
    build.set_meta(w, dataset="imported", data_from="2023-01-01")
    assert db.meta(w)["dataset"] == "imported"            # writer: not memoised
    build.set_meta(w, dataset="imported-2")
    assert db.meta(w)["dataset"] == "imported-2"
    w.close()
    import os
    os.replace(staged, p)
    con2 = db.shared(p)
    assert con2 is not con
    assert db.meta(con2)["dataset"] == "imported-2"
    assert queries.data_coverage(con2) == (D("2023-01-01"), first[1])
    assert not queries.is_sample(con2)
    db.reset_shared()


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: f"{f.date_from}-{f.route}-{len(f.districts)}")
def test_registers_and_odr_settled_fast_equal_plain(sample_con, f):
    assert queries.registry_counts(sample_con, f) == queries.registry_counts(sample_con, f, fast=False)
    assert queries.odr_resolved(sample_con, f) == queries.odr_resolved(sample_con, f, fast=False)


def test_app_start_rebuilds_aggregates_written_by_older_code(sample_db, tmp_path):
    """A database built before an aggregate changed gets current aggregate tables on start,
    through a copy swapped in atomically; a current one is left alone."""
    from analytics import aggregates
    p = tmp_path / "old.duckdb"
    shutil.copy(sample_db, p)
    con = db.connect(p)
    build.set_meta(con, agg_for="built-by-older-code")
    con.execute("DROP TABLE agg_closed")
    con.close()
    ino = p.stat().st_ino
    assert build.ensure_database(p) == p
    assert p.stat().st_ino != ino                      # replaced, not written in place
    con = db.connect(p, read_only=True)
    assert aggregates.usable(con)
    assert db.scalar(con, "SELECT count(*) FROM agg_closed") > 0
    con.close()
    assert not build.refresh_if_stale(p)
    assert not list(tmp_path.glob("old.duckdb.refresh-*"))
