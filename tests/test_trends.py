"""Case-volume page: series, ISO-week year boundary, the expected band and flagging rule,
contributions, calendar context, and the page in AppTest with its controls from the URL."""
from __future__ import annotations

import datetime as dt
import math

import pytest

from analytics import trends as T
from analytics.filters import Filters
from tests.apptest import errors, run_app
from tests.fixtures import D, complaint, make_db, open_db


# --- year boundary ----------------------------------------------------------------------------

@pytest.fixture
def boundary_con(tmp_path):
    rows = [
        complaint("2024-12-23"), complaint("2024-12-29", district="620723"),      # 2024-W52 (Mon, Sun)
        complaint("2024-12-30"), complaint("2024-12-31", is_odr=True),             # 2025-W01 ...
        complaint("2025-01-01"), complaint("2025-01-05"),                          # ... (Mon..Sun)
        complaint("2025-01-06"),                                                   # 2025-W02
        complaint("2025-01-08", appeal_type="举报"),                                # a report: never counted
    ]
    p = make_db(tmp_path / "b.duckdb", complaints=rows, meta={"as_of": "2025-01-12"})
    con = open_db(p)
    yield con
    con.close()


def test_week_labels_across_the_year_boundary(boundary_con):
    f = Filters(D("2024-12-23"), D("2025-01-12"))
    s = T.volume_series(boundary_con, f, "week")
    assert list(s["bucket"]) == ["2024-W52", "2025-W01", "2025-W02"]
    # 2024-W52: 12-23 and 12-29 -> 2; 2025-W01: 12-30, 12-31, 01-01, 01-05 -> 4; 2025-W02: 01-06 -> 1
    # (the 举报 on 01-08 is not a complaint)
    assert list(s["complaints"]) == [2, 4, 1]
    assert list(s["bucket_start"]) == [D("2024-12-23"), D("2024-12-30"), D("2025-01-06")]
    assert not s["partial"].any()          # data and period cover all three weeks fully

    w = T.weekly_stats(boundary_con, f)
    r = w.set_index("week").loc["2025-W01"]
    assert (r["iso_year"], r["iso_week"]) == (2025, 1)
    assert r["previous_week"] == 2 and r["wow_change"] == 2 and r["wow_pct"] == pytest.approx(1.0)  # (4-2)/2
    assert r["last_year_week"] == "2024-W01"     # same ISO week of ISO year 2024 (starts 2024-01-01)
    assert math.isnan(r["last_year"])           # before the data: no comparison, not 0


def test_month_and_partial_buckets_at_the_year_boundary(boundary_con):
    f = Filters(D("2024-12-25"), D("2025-01-12"))
    m = T.volume_series(boundary_con, f, "month")
    assert list(m["bucket"]) == ["2024-12", "2025-01"]
    # December: 12-29, 12-30, 12-31 (12-23 is before the period) -> 3; covered 12-25..12-31 = 7 of 31 days
    # January: 01-01, 01-05, 01-06 (01-08 is a report) -> 3; covered 01-01..01-12 = 12 of 31 days
    assert list(m["complaints"]) == [3, 3]
    assert list(m["covered_days"]) == [7, 12] and m["partial"].all()
    w = T.volume_series(boundary_con, f, "week")
    # 2024-W52 starts 12-23 but the period starts 12-25: partial (5 of 7 days), 1 complaint (12-29)
    first = w.iloc[0]
    assert (first["bucket"], first["covered_days"], bool(first["partial"]), first["complaints"]) == \
        ("2024-W52", 5, True, 1)
    ws = T.weekly_stats(boundary_con, f)
    r = ws.set_index("week")
    assert bool(r.at["2024-W52", "partial"])
    # 2025-W01 is whole; its previous week 2024-W52 is whole in the data (period ignored for history)
    assert r.at["2025-W01", "previous_week"] == 2
    # partial weeks are never compared
    assert math.isnan(r.at["2024-W52", "wow_change"]) and r.at["2024-W52", "flag"] == ""


def test_breakdown_top_n_and_other(boundary_con):
    f = Filters(D("2024-12-23"), D("2025-01-12"))
    s = T.volume_series(boundary_con, f, "quarter", "district", top_n=1)
    # two districts only (620702: 6, 620723: 1): with top 1 and one more value, no "other" series
    assert set(s["series"]) == {"620702", "620723"}
    r = T.volume_series(boundary_con, f, "week", "route")
    tot = r.groupby("series")["complaints"].sum().to_dict()
    assert tot == {"traditional": 6, "odr": 1}


# --- the flagging rule -------------------------------------------------------------------------

def test_expected_band_by_hand():
    # trailing weeks 10 14 6 12 8 10 16 4 -> sorted 4 6 8 10 10 12 14 16, median (10+10)/2 = 10
    level, mad = T.robust_level([10, 14, 6, 12, 8, 10, 16, 4])
    # |x-10| = 0 4 4 2 2 0 6 6 -> sorted 0 0 2 2 4 4 6 6 -> MAD (2+4)/2 = 3
    assert (level, mad) == (10, 3)
    b = T.expected_band(level, mad, 1.0)
    # phi = max(1, 1.4826*3/sqrt(10)) = 4.4478/3.16228 = 1.40652; half = 2.5*phi*sqrt(10) = 2.5*4.4478 = 11.1195
    assert b["expected"] == 10
    assert b["dispersion"] == pytest.approx(1.40652, abs=1e-5)
    assert b["upper"] == pytest.approx(21.1195, abs=1e-4)
    assert b["lower"] == 0.0                      # 10 - 11.12 < 0 -> floored at 0
    # no spread, no references: Poisson floor. level 12, S 2: E 24, half 2.5*sqrt(24) = 12.2474
    b = T.expected_band(12, 0, 2.0)
    assert (b["lower"], b["upper"]) == (pytest.approx(11.7526, abs=1e-4), pytest.approx(36.2474, abs=1e-4))
    # S from reference weeks totalling 20 complaints: var = 24 + 24^2/20 = 52.8, half 2.5*7.26636 = 18.1659
    b = T.expected_band(12, 0, 2.0, 20)
    assert (b["lower"], b["upper"]) == (pytest.approx(5.8341, abs=1e-4), pytest.approx(42.1659, abs=1e-4))
    # tiny series: variance floored at 1 -> E 0, band [0, 2.5]
    b = T.expected_band(0, 0, 1.0)
    assert (b["lower"], b["upper"]) == (0.0, 2.5)
    assert T.flag(40, 11.75, 36.25) == "high" and T.flag(5, 11.75, 36.25) == "low"
    assert T.flag(30, 11.75, 36.25) == "" and T.flag(30, None, None) == ""


def _weekly_rows(monday: dt.date, n: int, **kw) -> list[dict]:
    """n complaints spread over Monday..Friday of the week starting ``monday``."""
    return [complaint((monday + dt.timedelta(days=i % 5)).isoformat(), **kw) for i in range(n)]


@pytest.fixture
def season_con(tmp_path):
    """2023-01-02 (Mon, 2023-W01) .. 2024-03-17 (Sun, 2024-W11): 30 a week in 2023 with 60 in the
    3·15 week 2023-W11; 36 a week in 2024 with 10 in 2024-W09 and 110 in the 3·15 week 2024-W11,
    whose 74 extra complaints are 餐饮 complaints about one merchant in 临泽."""
    rows = []
    w = D("2023-01-02")
    while w <= D("2024-03-11"):
        y, wk, _ = w.isocalendar()
        if y == 2023:
            rows += _weekly_rows(w, 60 if wk == 11 else 30)
        elif wk == 9:
            rows += _weekly_rows(w, 10)
        elif wk == 11:
            rows += _weekly_rows(w, 36, merchant="甲店")
            rows += _weekly_rows(w, 74, category="餐饮和住宿服务", object_class="服务", merchant="乙饭庄",
                                 district="620723")
        else:
            rows += _weekly_rows(w, 36, merchant="甲店")
        w += dt.timedelta(days=7)
    p = make_db(tmp_path / "s.duckdb", complaints=rows, meta={"as_of": "2024-03-17"})
    con = open_db(p)
    yield con
    con.close()


def test_flagging_rule_on_a_seasonal_fixture(season_con):
    f = Filters(D("2024-02-26"), D("2024-03-17"))
    s = T.weekly_stats(season_con, f).set_index("week")
    assert list(s.index) == ["2024-W09", "2024-W10", "2024-W11"] and not s["partial"].any()

    # Events: Spring Festival 2024 (02-10..02-17) marks 2024-W06, W07 and the week after, W08;
    # 2023: W03, W04, W05. The 3·15 weeks are 2023-W11 and 2024-W11.
    w11 = s.loc["2024-W11"]
    assert w11["event"] == "w315"
    # Level: 8 latest whole non-event weeks before 2024-W11: W10 36, W09 10, W05..W01 36 x5, 2023-W52 30
    #   sorted 10 30 36 36 36 36 36 36 -> median 36; |x-36| = 0 26 0 0 0 0 0 6 -> MAD 0
    assert (w11["level"], w11["mad"]) == (36, 0)
    # Seasonal index: the 3·15 week of 2023 (2023-W11): 60 / its level. Its level: W10..W06, W02, W01
    #   of 2023 (W03..W05 are Spring Festival weeks) = 7 weeks of 30 -> 30; ratio 60/30 = 2, R = 60.
    assert (w11["seasonal_index"], w11["seasonal_refs"], w11["ref_count"]) == (2.0, 1, 60)
    # E = 36 * 2 = 72; var = 1^2 * 72 + 72^2/60 = 72 + 86.4 = 158.4; half = 2.5*12.58570 = 31.4643
    #   -> band [40.5357, 103.4643]; 110 > 103.46 -> high
    assert w11["expected"] == 72 and w11["dispersion"] == 1
    assert w11["lower"] == pytest.approx(40.5357, abs=1e-4) and w11["upper"] == pytest.approx(103.4643, abs=1e-4)
    assert w11["flag"] == "high"
    # A usual 3·15 rise to 80 is inside the band; without the seasonal index the band would be
    # 36 ± 2.5*6 = [21, 51] and 80 would be flagged.
    assert T.flag(80, w11["lower"], w11["upper"]) == ""
    plain = T.expected_band(36, 0, 1.0)
    assert (plain["lower"], plain["upper"]) == (21, 51) and T.flag(80, plain["lower"], plain["upper"]) == "high"

    # 2024-W09 (10 complaints): level of W05..W01 36 x5, 2023-W52..W50 30 x3 -> sorted 30 30 30 36 36 36 36 36
    #   median 36, |x-36| = 0 x5, 6 x3 -> MAD 0; references 2023-W08..W10 (W11 is an event week): only
    #   2023-W10 has a level (W09 and W08 have fewer than 6 whole non-event weeks before them):
    #   30/30 = 1 -> S = 1, R = 30.
    w09 = s.loc["2024-W09"]
    assert (w09["level"], w09["seasonal_index"], w09["seasonal_refs"], w09["ref_count"]) == (36, 1.0, 1, 30)
    # E = 36; var = 36 + 36^2/30 = 79.2; half = 2.5*8.89944 = 22.2486 -> [13.7514, 58.2486]; 10 < 13.75 -> low
    assert w09["lower"] == pytest.approx(13.7514, abs=1e-4) and w09["upper"] == pytest.approx(58.2486, abs=1e-4)
    assert w09["flag"] == "low"
    w10 = s.loc["2024-W10"]
    assert w10["flag"] == "" and w10["wow_change"] == 26 and w10["previous_week"] == 10
    assert w10["wow_pct"] == pytest.approx(2.6)                                # (36-10)/10
    assert w10["last_year_week"] == "2023-W10" and w10["last_year"] == 30 and w10["yoy_change"] == 6
    # 4-week moving average of W10: (36 + 10 + 36 + 36) / 4 = 29.5 (W09 10, W08 36, W07 36)
    assert w10["ma4"] == 29.5


def test_spring_festival_week_without_history_gets_no_band(season_con):
    s = T.weekly_stats(season_con, Filters(D("2024-02-05"), D("2024-02-18"))).set_index("week")
    # 2024-W06/W07 are Spring Festival weeks; the 2023 Spring Festival weeks have no level (data
    # starts 2023-01-02), so there is no reference: no band, no flag
    assert list(s["event"]) == ["spring_festival0", "spring_festival1"]
    assert s["expected"].isna().all() and (s["flag"] == "").all()


def test_contributions_of_a_flagged_week(season_con):
    f = Filters(D("2024-02-26"), D("2024-03-17"))
    w11 = T.weekly_stats(season_con, f).set_index("week").loc["2024-W11"]
    base = tuple(w11["baseline"].split(","))
    assert len(base) == 8 and base[0] == "2024-03-04"
    cat = T.week_detail(season_con, f, w11["week_start"], "category", base, float(w11["expected"]))
    c = cat.set_index("value")
    # baseline weeks are all 食品 -> share 1: expected 食品 72, 餐饮 0
    assert c.at["食品", "complaints"] == 36 and c.at["食品", "expected"] == 72 and c.at["食品", "change_expected"] == -36
    assert c.at["餐饮和住宿服务", "complaints"] == 74 and c.at["餐饮和住宿服务", "change_expected"] == 74
    # previous week W10: 36 食品, 0 餐饮
    assert c.at["食品", "previous_week"] == 36 and c.at["餐饮和住宿服务", "change_previous"] == 74
    assert c.at["餐饮和住宿服务", "share"] == pytest.approx(74 / 110)
    top = T.top_contributors(cat, "high")
    assert list(top["value"]) == ["餐饮和住宿服务"]                     # 食品 fell: not a contributor up
    dist = T.top_contributors(T.week_detail(season_con, f, w11["week_start"], "district", base, 72.0), "high")
    assert list(dist["value"]) == ["620723"] and dist.at[0, "change_expected"] == 74
    mer = T.week_detail(season_con, f, w11["week_start"], "merchant", base, 72.0)
    assert T.top_contributors(mer, "high").at[0, "value"] == "乙饭庄"
    # baseline mean per week of 甲店: of the 8 baseline weeks, W10 and W05..W01 of 2024 have 36 each
    # (W09's 10 and 2023-W52's 30 are 测试商店) -> 36*6 / 8 = 27
    assert mer.set_index("value").at["甲店", "baseline_weekly"] == 27
    # a week below its band: the largest decreases
    low = T.top_contributors(cat, "low")
    assert list(low["value"]) == ["食品"] and low.at[0, "change_expected"] == -36


def test_calendar_events(season_con):
    ev = T.calendar_events(season_con, D("2023-01-01"), D("2023-12-31"))
    got = {(r.event, r.start.isoformat(), r.end.isoformat()) for r in ev.itertuples()}
    assert ("spring_festival", "2023-01-21", "2023-01-27") in got
    assert ("w315", "2023-03-13", "2023-03-19") in got          # ISO week containing 2023-03-15 (Wed)
    assert ("may_day", "2023-04-29", "2023-05-03") in got
    # 2023: Mid-autumn 09-29 adjoins National Day 09-30..10-06: one holiday
    assert ("national_day", "2023-09-29", "2023-10-06") in got
    assert T.unknown_calendar_years(season_con, D("2024-01-01"), D("2024-12-31")) == []


# --- the page ---------------------------------------------------------------------------------

def open_link(query: dict):
    """The trends page opened from a link carrying ``query``: run_app starts on the default page
    (which keeps only the global parameters in the URL), so the link's parameters are applied
    again once the trends page is shown, as a deep link /trends?... does in the browser."""
    at = run_app("pages/trends.py", query)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    return at


def test_page_from_url(app_env):
    from analytics import db
    con = db.connect(app_env, read_only=True)
    f = Filters(D("2023-01-01"), D("2024-03-14"), districts=("620702",))
    stats = T.weekly_stats(con, f).set_index("week")
    con.close()
    q = {"lang": "en", "period": "custom", "from": "2023-01-01", "to": "2024-03-14", "district": "620702",
         "tr_interval": "day", "tr_by": "category", "tr_view": "stacked", "tr_top": "4",
         "tr_week": "2023-W11", "tr_dim": "district"}
    at = open_link(q)
    assert errors(at) == []
    assert at.title[0].value == "Case volume"
    # the period is longer than a year: the daily view is off, the week view is shown
    assert at.segmented_control(key="w:tr_interval").value == "week"
    assert "day" not in at.segmented_control(key="w:tr_interval").options
    assert at.selectbox(key="w:tr_by").value == "category"
    assert at.number_input(key="w:tr_top").value == 4
    assert at.selectbox(key="w:tr_week").value == "2023-W11"
    assert at.selectbox(key="w:tr_dim").value == "district"
    # drill-down of 2023-W11 for 甘州 only: count as the analytics layer computes it
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Complaints this week"] == f"{int(stats.at['2023-W11', 'complaints']):,}"
    assert any("2023-W11 (2023-03-13 to 2023-03-19)" in m.value for m in at.markdown)
    # the latest whole week and its comparison
    latest = [k for k in metrics if k.startswith("Last week")]
    assert latest == ["Last week 2024-W10"]
    assert metrics[latest[0]] == f"{int(stats.at['2024-W10', 'complaints']):,}"
    # the current week is partial and said so
    assert any("2024-W11 is partial (4/7 days)" in c.value for c in at.caption)
    # method documented on the page
    assert any("quasi-Poisson" in e.value for e in at.markdown)


def test_page_daily_and_unusual_weeks(app_env):
    q = {"lang": "zh", "period": "13w", "tr_interval": "day", "tr_by": "route", "tr_view": "line"}
    at = open_link(q)
    assert errors(at) == []
    assert at.segmented_control(key="w:tr_interval").value == "day"
    assert at.title[0].value == "案件量趋势"
    assert any(s.value.startswith("期间内有") for s in at.caption)


def test_page_empty_period(app_env):
    q = {"lang": "en", "period": "custom", "from": "2019-01-01", "to": "2019-06-30"}
    at = open_link(q)
    assert errors(at) == []
    assert any("does not cover the selected period" in i.value for i in at.info)
