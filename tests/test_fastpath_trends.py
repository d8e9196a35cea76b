"""Case volume: the fast paths (aggregate tables agg_trend_*) give exactly the answers of the plain
queries on complaints, for every breakdown and dimension the page offers, and are bypassed when the
filters need columns the tables do not have."""
from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from analytics import trends as T
from analytics.filters import Filters
from tests.fixtures import D, complaint, make_db, open_db
from tests.test_fastpath import FILTERS

FACETED = Filters(D("2023-01-01"), D("2024-03-14"), categories=("食品",))
PAGE_DIMS = ["category", "district", "channel", "problem", "object_class", "route", "merchant"]


def _eq(a: pd.DataFrame, b: pd.DataFrame):
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True,
                                  check_dtype=False)


def _weeks(con, f):
    """Some weeks of the period with their baseline and expected count: the first, the last and
    two between."""
    s = T.weekly_stats(con, f, fast=False)
    pick = s.iloc[sorted({0, len(s) // 3, 2 * len(s) // 3, len(s) - 1})] if len(s) else s
    return [(r.week_start, tuple(x for x in r.baseline.split(",") if x),
             None if pd.isna(r.expected) else float(r.expected)) for r in pick.itertuples()]


def _check_week_detail(con, f, dims=tuple(T.DIMENSIONS)):
    for ws, base, expected in _weeks(con, f):
        for dim in dims:
            for args in ((), (base, expected)):
                full = T.week_detail(con, f, ws, dim, *args, fast=False)
                _eq(T.week_detail(con, f, ws, dim, *args), full)
                for limit in (1, 3, 8):
                    _eq(T.week_detail(con, f, ws, dim, *args, limit=limit), full.head(limit))
                if not args:
                    continue
                for direction in ("high", "low"):
                    for by in ("change_expected", "change_previous"):
                        want = T.top_contributors(full, direction, by, 3)
                        _eq(T.week_contributors(con, f, ws, dim, *args, direction, by, 3), want)
                        _eq(T.week_contributors(con, f, ws, dim, *args, direction, by, 3, fast=False), want)


@pytest.mark.parametrize("f", FILTERS + [FACETED], ids=lambda f: f"{f.date_from}-{f.route}-{len(f.districts)}"
                         f"-{len(f.categories)}")
def test_series_and_stats_fast_equals_plain_on_sample(sample_con, f):
    _eq(T.weekly_stats(sample_con, f), T.weekly_stats(sample_con, f, fast=False))
    for interval in T.INTERVALS:
        for breakdown in T.BREAKDOWNS:
            _eq(T.volume_series(sample_con, f, interval, breakdown, 3),
                T.volume_series(sample_con, f, interval, breakdown, 3, fast=False))


@pytest.mark.parametrize("f", [FILTERS[0], FILTERS[3], FACETED],
                         ids=lambda f: f"{f.date_from}-{f.route}-{len(f.districts)}-{len(f.categories)}")
def test_week_detail_fast_equals_plain_on_sample(sample_con, f):
    _check_week_detail(sample_con, f, PAGE_DIMS)


# --- a database with busy merchants (the merchant shortcut) -----------------------------------------

@pytest.fixture(scope="module")
def busy_con(tmp_path_factory):
    """Twelve weeks: two busy merchants (7-28 complaints a week), eight middling ones (0-14 a
    week: busy in some weeks, not in others), a long tail and unrecorded merchants, over three
    districts and both routes."""
    rnd = random.Random(7)
    rows = []
    start = D("2024-01-01")
    for day in range(84):
        d = (start + dt.timedelta(days=day)).isoformat()
        names = (["大店"] * rnd.randint(1, 4) + ["二店"] * rnd.randint(1, 3)
                 + [f"中店{k}" for k in range(8) for _ in range(rnd.randint(0, 2))]
                 + [f"小店{rnd.randint(0, 40)}" for _ in range(rnd.randint(2, 12))] + [None] * rnd.randint(0, 1))
        for name in names:
            rows.append(complaint(d, merchant=name, district=rnd.choice(["620702", "620721", "620723"]),
                                  is_odr=rnd.random() < 0.3, category=rnd.choice(["食品", "餐饮和住宿服务", "家电"])))
    p = make_db(tmp_path_factory.mktemp("busy") / "busy.duckdb", complaints=rows, meta={"as_of": "2024-03-24"})
    con = open_db(p)
    yield con
    con.close()


BUSY_FILTERS = [
    Filters(D("2024-01-01"), D("2024-03-24")),
    Filters(D("2024-01-10"), D("2024-03-20")),                                   # partial first/last week
    Filters(D("2024-01-01"), D("2024-03-24"), route="odr"),
    Filters(D("2024-01-01"), D("2024-03-24"), route="traditional", districts=("620702", "620723")),
    Filters(D("2024-01-01"), D("2024-03-24"), channels=("12315热线",)),           # facet: plain path
]


@pytest.mark.parametrize("f", BUSY_FILTERS, ids=lambda f: f"{f.date_from}-{f.route}-{len(f.districts)}")
def test_fast_equals_plain_with_busy_merchants(busy_con, f, monkeypatch):
    assert busy_con.execute("SELECT count(DISTINCT value) FROM agg_trend_merchant_weeks").fetchone()[0] >= 2
    seen = []
    real = T.query

    def spy(con, sql, params=None, **kw):
        seen.append(sql)
        return real(con, sql, params, **kw)

    monkeypatch.setattr(T, "query", spy)
    _check_week_detail(busy_con, f)
    _eq(T.weekly_stats(busy_con, f), T.weekly_stats(busy_con, f, fast=False))
    for breakdown in T.BREAKDOWNS:
        _eq(T.volume_series(busy_con, f, "day", breakdown, 2), T.volume_series(busy_con, f, "day", breakdown, 2,
                                                                                fast=False))
    if not f.channels:      # the merchant shortcut answered, and so did its check of the other merchants
        assert any("agg_trend_merchant_weeks" in s for s in seen)
        assert any("EXCEPT SELECT value FROM agg_trend_merchant_weeks" in s for s in seen)
    else:
        assert not any("agg_trend" in s for s in seen)


def test_contributors_are_top_contributors_of_the_detail(busy_con):
    f = BUSY_FILTERS[0]
    s = T.weekly_stats(busy_con, f).set_index("week").loc["2024-W10"]
    base = tuple(s["baseline"].split(","))
    # the data start in 2024: no earlier year, no band; the level (the expected count at S = 1) serves
    assert s["history"] == "no_earlier_year" and s["level"] > 0
    top = T.week_contributors(busy_con, f, s["week_start"], "merchant", base, float(s["level"] * s["calendar"]),
                              "high")
    assert len(top) == 5 and (top["change_expected"] > 0).all()
    assert list(top.columns) == list(T.week_detail(busy_con, f, s["week_start"], "merchant").columns)
    with pytest.raises(ValueError):
        T.week_contributors(busy_con, f, s["week_start"], "merchant", base, 1.0, "high", by="complaints")
