"""Case-volume page: series, ISO-week year boundary, the expected band and flagging rule,
contributions, calendar context, and the page in AppTest with its controls from the URL."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from analytics import stats
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

def _weekly_rows(monday: dt.date, n: int, days: int = 5, **kw) -> list[dict]:
    """n complaints spread over the first ``days`` days of the week starting ``monday``."""
    return [complaint((monday + dt.timedelta(days=i % days)).isoformat(), **kw) for i in range(n)]


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


@pytest.fixture
def seasons_con(tmp_path):
    """2021-11-01 .. 2024-03-17, every day of a week alike (so ρ ≈ 1 and every calendar factor ≈ 1,
    within 0.2%; the numbers below are by hand at ρ = 1, compared to 0.5%):
    35 a week in 2022 and 2023 with 70 in their 3·15 weeks (2022-W11, 2023-W11); 42 a week in 2024
    with 14 in 2024-W09 and 126 in the 3·15 week 2024-W11."""
    rows = []
    w = D("2021-11-01")
    while w <= D("2024-03-11"):
        y, wk, _ = w.isocalendar()
        n = 42 if y == 2024 else 35
        n = {9: 14, 11: 126}.get(wk, n) if y == 2024 else (70 if wk == 11 and y >= 2022 else n)
        rows += _weekly_rows(w, n, days=7)
        w += dt.timedelta(days=7)
    con = open_db(make_db(tmp_path / "ss.duckdb", complaints=rows, meta={"as_of": "2024-03-17"}))
    yield con
    con.close()


def test_flagging_rule_on_a_seasonal_fixture(seasons_con):
    s = T.weekly_stats(seasons_con, Filters(D("2024-02-26"), D("2024-03-17"))).set_index("week")
    assert list(s.index) == ["2024-W09", "2024-W10", "2024-W11"] and not s["partial"].any()
    assert s["rest_day_ratio"].iat[0] == pytest.approx(1, abs=0.005) and (s["dispersion"] == 1).all()
    assert (s["calendar"] == 1).all()               # 5 working days and a weekend: c = 1 whatever ρ
    near = {"rel": 0.005}

    # 2024-W11, the 3·15 week. Level: the 8 latest whole non-event weeks before it (2024-W06..W08 are
    # Spring Festival weeks): W10 42, W09 14, W05..W01 42 x5, 2023-W52 35 -> 301 / 8 = 37.625.
    w11 = s.loc["2024-W11"]
    assert w11["event"] == "w315" and w11["level"] == pytest.approx(37.625, **near)
    # Seasonal term from the 3·15 weeks of 2022 and 2023: each 70 against a level of 35, ratio
    # (70 + ½) / (35 + ½/8) = 2.01070; equal, so no year-to-year variation; a holiday week is not shrunk.
    q = 70.5 / 35.0625
    assert w11["seasonal_refs"] == 2 and w11["shrinkage"] == 1
    assert w11["seasonal_index"] == pytest.approx(q, **near) and w11["seasonal_raw"] == w11["seasonal_index"]
    # E = (301 + ½) / 8 × q = 75.778; V = 1 / 301.5 (level) + v / 2 (two references, each
    # v = 1 / 70.5 + 1 / 280.5) -> the 99% band is the negative binomial's 0.5% / 99.5% quantiles
    e = 301.5 / 8 * q
    v = 1 / 301.5 + (1 / 70.5 + 1 / 280.5) / 2
    assert w11["expected"] == pytest.approx(e, **near) and w11["log_var"] == pytest.approx(v, **near)
    assert (w11["lower"], w11["upper"]) == stats.week_band(w11["expected"], 1.0, w11["log_var"], 0.99)
    assert (w11["lower"], w11["upper"]) == stats.week_band(e, 1.0, v, 0.99)       # (47, 110)
    assert w11["upper"] < 126 and w11["flag"] == "high"
    # a usual 3·15 doubling (84) is inside the band; without the seasonal term it would be far above
    assert stats.week_flag(84, w11["lower"], w11["upper"]) == ""
    assert stats.week_flag(84, *stats.week_band(301.5 / 8, 1.0, 1 / 301.5, 0.99)) == "high"

    # 2024-W09 (14): every ordinary week's term is shrunk to 1 (they barely differ from 1: τ² = 0).
    # Level W05..W01 42 x5, 2023-W52..W50 35 x3 = 315 / 8 -> E = 315.5 / 8 = 39.4375.
    w09 = s.loc["2024-W09"]
    assert w09["level"] == pytest.approx(39.375, **near) and w09["shrinkage"] == 0 and w09["seasonal_index"] == 1
    assert w09["expected"] == pytest.approx(39.4375, **near) and w09["lower"] > 14 and w09["flag"] == "low"
    w10 = s.loc["2024-W10"]
    assert w10["flag"] == "" and w10["wow_change"] == 28 and w10["previous_week"] == 14
    assert w10["last_year_week"] == "2023-W10" and w10["last_year"] == 35 and w10["yoy_change"] == 7
    # 4-week moving average of W10: (42 + 14 + 42 + 42) / 4 = 35 (W09 14, W08 42, W07 42)
    assert w10["ma4"] == 35


def test_not_enough_history(season_con):
    """Data from 2023-01-02 only. 2024-W11 (3·15): one earlier 3·15 week, and no holiday week seen in
    two earlier years: no band. 2024-W06/W07 (Spring Festival): the 2023 Spring Festival weeks have
    no level (data too new), so no earlier occurrence. 2023-W05: fewer than 6 earlier weeks."""
    s = T.weekly_stats(season_con, Filters(D("2023-01-02"), D("2024-03-17"))).set_index("week")
    assert s.at["2024-W11", "history"] == "event_one_year"
    assert list(s.loc[["2024-W06", "2024-W07"], "event"]) == ["spring_festival0", "spring_festival1"]
    assert (s.loc[["2024-W06", "2024-W07"], "history"] == "no_earlier_year").all()
    assert s.at["2023-W02", "history"] == "few_weeks"
    nob = s[s["history"] != ""]
    assert len(nob) > 50 and nob["expected"].isna().all() and nob["upper"].isna().all()
    assert (nob["flag"] == "").all()                 # never flagged, whatever the count (110 in 2024-W11)
    # 2024-W10 has the 2023-W10 reference: a band
    assert s.at["2024-W10", "history"] == "" and s.at["2024-W10", "expected"] > 0


def test_contributions_of_a_flagged_week(season_con):
    f = Filters(D("2024-02-26"), D("2024-03-17"))
    w11 = T.weekly_stats(season_con, f).set_index("week").loc["2024-W11"]
    base = tuple(w11["baseline"].split(","))
    assert len(base) == 8 and base[0] == "2024-03-04"
    # (the week has no band here — one earlier 3·15 week only —; an expected count of 72 is given)
    cat = T.week_detail(season_con, f, w11["week_start"], "category", base, 72.0)
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
         "tr_week": "2023-W11", "tr_dim": "district", "tr_tab": "week"}
    at = open_link(q)
    assert errors(at) == []
    assert at.title[0].value == "Case volume"
    # the period is longer than a year: the daily view is off, the week view is shown
    assert at.segmented_control(key="w:tr_interval").value == "week"
    assert "day" not in at.segmented_control(key="w:tr_interval").options
    assert at.button_group(key="w:tr_top").value == 4 and at.button_group(key="w:tr_by").value == "category"
    assert at.selectbox(key="w:tr_week").value == "2023-W11"
    assert at.selectbox(key="w:tr_dim").value == "district"
    # drill-down of 2023-W11 for 甘州 only: count as the analytics layer computes it
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Complaints this week"] == f"{int(stats.at['2023-W11', 'complaints']):,}"
    assert any("Week 11, 2023 (Mar 13 – Mar 19, 2023)" in m.value for m in at.markdown)
    # the latest whole week and its comparison, weeks named in words (no ISO codes)
    latest = [k for k in metrics if k.startswith("Last week")]
    assert latest == ["Last week (Week 10)"]
    assert metrics[latest[0]] == f"{int(stats.at['2024-W10', 'complaints']):,}"
    # the current week is partial and said so
    assert any("(Week 11) is partial (4/7 days)" in c.value for c in at.caption)
    assert not any("-W1" in m.label or "-W1" in str(m.value) for m in at.metric)
    # the method is on demand: built only when its section is opened
    assert not any("quasi-Poisson" in e.value for e in at.markdown)
    at.session_state["tr_method_open"] = True
    at.run()
    assert errors(at) == []
    assert any("quasi-Poisson" in e.value for e in at.markdown)


def test_page_daily_and_unusual_weeks(app_env):
    q = {"lang": "zh", "period": "13w", "tr_interval": "day", "tr_by": "route", "tr_view": "line", "tr_tab": "unusual"}
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


def test_page_states_the_flag_level_and_the_band(app_env):
    """The latest whole week (2024-W10) against its 99% band, on the trends page and the overview,
    with the numbers weekly_stats gives; the level weeks are flagged at is stated."""
    from analytics import db
    con = db.connect(app_env, read_only=True)
    f = Filters(D("2023-01-01"), D("2024-03-14"))
    w = T.weekly_stats(con, f).set_index("week").loc["2024-W10"]
    con.close()
    assert w["history"] == "" and not pd.isna(w["upper"])
    band = f"{w['lower']:,.0f}–{w['upper']:,.0f}"
    q = {"lang": "en", "period": "custom", "from": "2023-01-01", "to": "2024-03-14"}
    at = open_link(q)
    assert errors(at) == []
    metrics = {m.label: m for m in at.metric}
    assert metrics["Expected last week"].value == f"{w['expected']:,.0f}"
    assert any(c.value.startswith("The 99% prediction band of last week (Week 10)") and band in c.value
               for c in at.caption)
    assert any("only a count outside it is flagged" in c.value for c in at.caption)   # the flag level
    # the arithmetic (with its technical terms) is in the week detail's tooltip, plain words on the page
    at.session_state["w:tr_tab"] = "Week detail"
    at.run()
    assert errors(at) == []
    vs = next(m for m in at.metric if m.label == "vs expected")
    assert vs.proto.help.startswith("Expected = recent level") and band in vs.proto.help
    assert any(c.value.startswith("Expected ") and band in c.value for c in at.caption)
    assert not any("φ" in c.value or "overdispersion" in c.value for c in at.caption)
    ov = run_app("pages/overview.py", q)
    assert errors(ov) == []
    assert any(c.value.startswith(f"Expected {w['expected']:,.1f}, 99% prediction band {band}") for c in ov.caption)


def test_page_not_enough_history(app_env):
    """In the sample's first half-year no week has an earlier year: no band, the reason shown, on
    the trends page and the overview."""
    q = {"lang": "en", "period": "custom", "from": "2022-01-01", "to": "2022-06-30"}
    at = open_link(q)
    assert errors(at) == []
    m = {x.label: x for x in at.metric}["Expected last week"]
    assert m.value == "—" and m.delta == "Not enough history for a band"
    at.session_state["w:tr_tab"] = "Week detail"
    at.run()
    assert any(i.value.startswith("Not enough history: no earlier year") for i in at.info)
    at.session_state["w:tr_tab"] = "Unusual weeks"
    at.run()
    assert any(c.value.startswith("0 unusual weeks") for c in at.caption)
    ov = run_app("pages/overview.py", q)
    assert errors(ov) == []
    assert any(c.value.startswith("Not enough history for an expected band") for c in ov.caption)


def test_headline_deltas_coloured_only_beyond_chance(app_env):
    """The sample's 2024-W10 has 60 complaints against 58 the week before and 70 a year before:
    both within noise (exact test of two counts), so neither is shown red or green."""
    from streamlit.proto.Metric_pb2 import Metric as MetricProto

    from tests.apptest import errors, run_app
    at = run_app("pages/trends.py", {"lang": "en"})
    assert not errors(at)
    week = next(m for m in at.metric if m.label.startswith("Last week"))
    year = next(m for m in at.metric if m.label.startswith("Last year"))
    for m in (week, year):
        assert m.proto.delta.startswith("About the same"), m.proto.delta
        assert m.proto.color == MetricProto.MetricColor.GRAY


# --- figures read right: ticks on the bars, weeks in words --------------------------------------------

def test_band_and_volume_ticks_sit_on_the_bars(sample_con):
    from ui.figures import trends as FT
    f = Filters(D("2023-12-18"), D("2024-03-14"))
    st_ = T.weekly_stats(sample_con, f)
    labels = {k: k for k in ("count", "partial", "high", "low", "band", "expected", "no_band", "ma4",
                             "last_year", "y")}
    empty = T.calendar_events(sample_con, D("2030-01-01"), D("2030-01-02")).head(0)
    for lang, word in (("zh", "周"), ("en", "Week")):
        fig = FT.band_chart(st_, title="t", labels=labels, events=empty, event_names={}, lang=lang)
        ax = fig.layout.xaxis
        bars = {pd.Timestamp(x) for x in fig.data[0].x} | {pd.Timestamp(x) for x in fig.data[1].x}
        assert ax.tickvals and all(pd.Timestamp(v) in bars for v in ax.tickvals)     # on the bars
        assert all(pd.Timestamp(v).weekday() == 3 for v in ax.tickvals)            # Thursdays, not Sundays
        assert all(word in t for t in ax.ticktext)
        assert all("-W" not in str(c[0]) for c in fig.data[0].customdata)
        ser = T.volume_series(sample_con, f, "week", "total", 6)
        vfig = FT.volume_chart(ser, mode="stacked", title="t", y_label="y", partial_label="p", series_names={},
                               events=empty, event_names={}, interval="week", lang=lang)
        vbars = {pd.Timestamp(x) for x in vfig.data[0].x}
        assert all(pd.Timestamp(v) in vbars for v in vfig.layout.xaxis.tickvals)
        assert all(word in t for t in vfig.layout.xaxis.ticktext)
    q = T.volume_series(sample_con, Filters(D("2023-01-01"), D("2024-03-14")), "quarter", "total", 6)
    qfig = FT.volume_chart(q, mode="line", title="t", y_label="y", partial_label="p", series_names={},
                           events=empty, event_names={}, interval="quarter", lang="zh")
    assert qfig.layout.xaxis.ticktext[0] == "2023年第1季度"
    assert qfig.data[0].customdata[0][0] == "2023年第1季度"


def test_lazy_tabs_build_only_the_chosen_one(app_env):
    at = open_link({"lang": "en"})
    assert errors(at) == []
    # default: the band tab; the unusual weeks and week detail are not built
    assert not any(c.value.endswith("unusual weeks in the period") or "unusual weeks in the period" in c.value
                   for c in at.caption)
    assert not any(m.label == "Complaints this week" for m in at.metric)
    assert len(at.table) == 0                                          # the weekly table: built when opened
    at.session_state["tr_table_open"] = True
    at.run()
    assert errors(at) == []
    table = at.table[0].value
    assert "Week" in table.columns and not any("-W" in str(v) for v in table["Week"])
    # a link to the week tab opens it with its content
    at = open_link({"lang": "en", "tr_tab": "week", "tr_week": "2024-W09"})
    assert errors(at) == []
    assert any(m.label == "Complaints this week" for m in at.metric)
    assert any(m.value.startswith("**Week 9, 2024 (Feb 26 – Mar 3, 2024)") for m in at.markdown)
