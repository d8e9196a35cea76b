"""Returns, ODR and demonstration page: analytics on hand-built fixtures (answers worked out by
hand in the comments) and the page in AppTest on the sample, merchant lookup included."""
from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from analytics import db, queries
from analytics import programmes as P
from analytics.filters import Filters
from tests.apptest import ROOT, errors
from analytics.queries import data_coverage
from tests.fixtures import D, complaint, make_db, open_db
from ui import fmt


def M(mid, name, **kw):
    return {"merchant_id": mid, "name": name, **kw}


def R(rid, mid, store, day, amount, **kw):
    return {"return_id": rid, "merchant_id": mid, "store_name": store, "return_date": D(day),
            "amount_yuan": amount, **kw}


# --- returns ------------------------------------------------------------------------------------------

@pytest.fixture
def returns_con(tmp_path):
    merchants = [
        M("M1", "甲店", credit_code="C1", return_commit_date=D("2023-06-01")),
        M("M2", "乙店", credit_code="C2", return_commit_date=D("2023-06-01")),            # dormant
        M("M3", "丙店", district_code="620723", return_commit_date=D("2023-12-01"),
          return_withdrawn_date=D("2024-01-15")),                                           # withdrew in January
        M("M4", "丁店", district_code="620723", return_commit_date=D("2024-02-01")),       # commits after the period
    ]
    returns = [
        R("R1", "M1", "甲店", "2024-01-02", 100, credit_code="C1"),
        R("R2", "M1", "甲店", "2024-01-10", 300, credit_code="C1"),
        R("R3", "M3", "丙店", "2024-01-05", 50, district_code="620723", goods_category="食品",
          result="处理中", completed=False),
        R("R4", "M1", "甲店", "2024-02-03", 999, credit_code="C1"),   # after the period
        R("R5", "M1", "甲店", "2023-12-31", 1000, credit_code="C1"),  # before the period
    ]
    p = make_db(tmp_path / "returns.duckdb", merchants=merchants, returns=returns)
    con = open_db(p)
    yield con
    con.close()


JAN = Filters(D("2024-01-01"), D("2024-01-31"))


def test_returns_headline_and_commitments(returns_con):
    # in January: R1 100 + R2 300 + R3 50 = 450 yuan, 3 returns, 2 finished; stores C1 and 丙店
    s = queries.returns_summary(returns_con, JAN)
    assert (s["count"], s["amount_yuan"], s["stores"]) == (3, 450.0, 2)
    c = P.returns_commitments(returns_con, JAN)
    # committed on 2024-01-31: M1, M2 (M3 withdrew 01-15, M4 commits 02-01) = 2 = registry count
    assert c["committed"] == 2 == queries.registry_counts(returns_con, JAN)["return_stores"]
    # M1 had returns, M2 none: 1 with a return, 1 dormant (1/2); 丙店 had a return but is not committed
    assert (c["committed_with_return"], c["dormant"], c["dormant_share"]) == (1, 1, 0.5)
    assert (c["return_stores"], c["uncommitted_with_return"]) == (2, 1)


def test_returns_distribution_and_bins(returns_con):
    d = P.returns_distribution(returns_con, JAN)
    # amounts 50, 100, 300: median 100; mean 150; P90 at position 0.9 * 2 = 1.8 -> 100 + 0.8 * 200 = 260
    assert (d["count"], d["median_yuan"], d["mean_yuan"], d["max_yuan"]) == (3, 100.0, 150.0, 300.0)
    assert d["p90_yuan"] == pytest.approx(260.0)
    # top decile: ceil(3 / 10) = 1 return, the 300 one: 300 / 450
    assert (d["top_decile_n"], d["top_decile_yuan"]) == (1, 300.0)
    assert d["top_decile_share"] == pytest.approx(2 / 3)
    b = P.returns_amount_bins(returns_con, JAN).set_index("lo")
    # 50 in [50, 100), 100 in [100, 200), 300 in [200, 500); every bin listed
    assert len(b) == len(P.AMOUNT_EDGES)
    assert (b.at[50, "returns"], b.at[100, "returns"], b.at[200, "returns"], b.at[0, "returns"]) == (1, 1, 1, 0)
    assert b.at[200, "share_amount"] == pytest.approx(300 / 450)


def test_returns_by_district_and_category(returns_con):
    d = P.returns_by_district(returns_con, JAN).set_index("code")
    assert len(d) == 6                                   # every district, zeros included
    # 甘州: R1 + R2 = 2 returns, 400 yuan, both finished; committed M1, M2; M2 dormant
    g = d.loc["620702"]
    assert (g["returns"], g["amount_yuan"], g["completion_rate"]) == (2, 400.0, 1.0)
    assert (g["committed"], g["committed_with_return"], g["dormant"], g["dormant_share"]) == (2, 1, 1, 0.5)
    # 临泽: R3 only, 50 yuan, not finished (0 / 1); nobody committed on 01-31
    lz = d.loc["620723"]
    assert (lz["returns"], lz["amount_yuan"], lz["completion_rate"], lz["committed"]) == (1, 50.0, 0.0, 0)
    assert d.loc["620721", "completion_rate"] is None or d.loc["620721", "completion_rate"] != d.loc["620721", "completion_rate"]
    c = P.returns_by_category(returns_con, JAN).set_index("goods_category")
    assert list(c.index) == ["服装鞋帽", "食品"]          # largest amount first
    assert c.at["服装鞋帽", "amount_share"] == pytest.approx(400 / 450)
    assert c.at["服装鞋帽", "median_yuan"] == 200.0       # (100 + 300) / 2
    assert c.at["食品", "completion_rate"] == 0.0
    # district filter: 临泽 only
    only = P.returns_commitments(returns_con, JAN.with_(districts=("620723",)))
    assert (only["committed"], only["return_stores"], only["uncommitted_with_return"]) == (0, 1, 1)


def test_returns_series_weeks_partial_and_cumulative(returns_con):
    s = P.returns_series(returns_con, JAN, "week")
    # 2024-01-01 is a Monday: W01..W05; W05 (01-29..02-04) runs past the period: partial
    assert list(s["label"]) == ["2024-W01", "2024-W02", "2024-W03", "2024-W04", "2024-W05"]
    assert list(s["partial"]) == [False, False, False, False, True]
    # W01: R1 100 + R3 50; W02: R2 300
    assert list(s["returns"]) == [2, 1, 0, 0, 0]
    assert list(s["amount_yuan"]) == [150.0, 300.0, 0.0, 0.0, 0.0]
    assert list(s["cum_amount_yuan"]) == [150.0, 450.0, 450.0, 450.0, 450.0]
    m = P.returns_series(returns_con, Filters(D("2023-12-15"), D("2024-02-10")), "month")
    # December from the 15th (partial, R5 1000), January whole (450), February to the 10th (partial, R4 999)
    assert list(m["label"]) == ["2023-12", "2024-01", "2024-02"]
    assert list(m["partial"]) == [True, False, True]
    assert list(m["amount_yuan"]) == [1000.0, 450.0, 999.0]
    with pytest.raises(ValueError):
        P.returns_series(returns_con, JAN, "year; DROP TABLE returns")


def test_returns_empty_period(returns_con):
    f = Filters(D("2019-01-01"), D("2019-01-31"))
    d = P.returns_distribution(returns_con, f)
    assert (d["count"], d["median_yuan"], d["top_decile_share"]) == (0, None, None)
    assert P.returns_by_category(returns_con, f).empty
    assert P.returns_amount_bins(returns_con, f)["returns"].sum() == 0
    assert P.returns_commitments(returns_con, f)["dormant_share"] is None


# --- ODR -----------------------------------------------------------------------------------------------

@pytest.fixture
def odr_con(tmp_path):
    merchants = [
        M("E1", "一号企业", industry="食品", odr_enrolled_date=D("2023-01-10")),
        M("E2", "二号企业", industry="食品", odr_enrolled_date=D("2023-05-01"), odr_withdrawn_date=D("2024-03-20")),
        M("E3", "三号企业", industry="首饰", district_code="620724", odr_enrolled_date=D("2024-03-05")),
        M("E4", "四号企业", odr_enrolled_date=D("2024-04-05")),              # after the period
        M("E5", "五号企业", industry="服装鞋帽", odr_enrolled_date=D("2023-02-01")),
        M("N1", "普通商户"),
    ]
    odr = dict(is_odr=True, channel="ODR")
    complaints = [
        complaint("2024-03-04", "2024-03-05", merchant_id="E1", **odr),                           # c1 settled, 1 wd
        complaint("2024-03-11", "2024-03-29", merchant_id="E1", outcome="协商不成转办", **odr),    # c2 14 wd, failed
        complaint("2024-03-25", None, merchant_id="E3", district="620724", **odr),                 # c3 open, 4 wd
        complaint("2024-03-01", None, merchant_id="E1", **odr),                                    # c4 open, 20 wd
        complaint("2024-01-15", "2024-01-16", merchant_id="E2", **odr),                            # before the period
        complaint("2024-02-05", "2024-02-06", merchant_id="E5", **odr),                            # c7, 55 days before to
        complaint("2024-03-10", "2024-03-12", merchant_id="N1"),                                   # traditional
    ]
    p = make_db(tmp_path / "odr.duckdb", complaints=complaints, merchants=merchants)
    con = open_db(p)
    yield con
    con.close()


MAR = Filters(D("2024-03-01"), D("2024-03-31"))


def test_odr_health(odr_con):
    h = P.odr_health(odr_con, MAR)
    # enrolled on 03-31: E1, E3, E5 (E2 withdrew 03-20, E4 joins in April) = registry count
    assert h["enrolled"] == 3 == queries.registry_counts(odr_con, MAR)["odr_enterprises"]
    # last 30 days (03-02..03-31): E1 (c1, c2), E3 (c3); last 90 days (01-02..03-31): also E5 (c7)
    assert (h["with_case_30"], h["with_case_90"]) == (2, 3)
    assert h["share_30"] == pytest.approx(2 / 3) and h["share_90"] == 1.0
    # cases of March: c1, c2, c3, c4; closed c1, c2
    assert (h["cases"], h["closed"]) == (4, 2)
    # within 10 wd: c1 (1 wd); c2 took 14 wd; c4 open with 20 wd elapsed counts as not;
    # c3 open with 4 wd elapsed is left out: 1 / (2 + 1)
    assert (h["within_10"], h["within_10_base"], h["open_past_10"]) == (1, 3, 1)
    assert h["within_10_rate"] == pytest.approx(1 / 3)
    # failed: c2 of the 2 closed
    assert (h["failed"], h["failed_rate"]) == (1, 0.5)
    # the headline settled count is the figures one: c1 only
    assert queries.odr_resolved(odr_con, MAR) == 1
    # the global route filter does not hide ODR cases from the ODR section
    assert P.odr_health(odr_con, MAR.with_(route="traditional"))["cases"] == 4


def test_odr_groups_enterprises_and_histogram(odr_con):
    g = P.odr_by_group(odr_con, MAR, "district").set_index("group")
    # 甘州: E1, E5 active, E2 withdrew in March; cases c1, c2, c4 of E1 -> 3 cases / 2 active
    gz = g.loc["620702"]
    assert (gz["active"], gz["enrolled_in_period"], gz["withdrawn_in_period"]) == (2, 0, 1)
    assert (gz["cases"], gz["settled"], gz["failed"], gz["enterprises_with_case"]) == (3, 1, 1, 1)
    assert gz["cases_per_enterprise"] == 1.5
    gt = g.loc["620724"]                                  # 高台: E3 joined in March, c3
    assert (gt["active"], gt["enrolled_in_period"], gt["cases"], gt["cases_per_enterprise"]) == (1, 1, 1, 1.0)
    ind = P.odr_by_group(odr_con, MAR, "industry").set_index("group")
    assert ind.loc["食品", "cases"] == 3 and ind.loc["食品", "active"] == 1
    e = P.odr_enterprises(odr_con, MAR).set_index("merchant_id")
    assert set(e.index) == {"E1", "E2", "E3", "E5"}
    assert e.at["E1", "cases"] == 3 and e.at["E1", "last_case_date"] == D("2024-03-11")
    assert not e.at["E2", "active"]
    h = P.odr_cases_histogram(odr_con, MAR)
    # active: E5 0 cases, E3 1, E1 3
    assert list(h["cases"]) == [0, 1, 2, 3] and list(h["enterprises"]) == [1, 1, 0, 1]
    with pytest.raises(ValueError):
        P.odr_by_group(odr_con, MAR, "name")


def test_registry_series(odr_con):
    s = P.registry_series(odr_con, MAR, "odr").set_index("month")
    # from the first enrolment (2023-01) to March 2024: 15 months
    assert len(s) == 15 and s.index[0] == "2023-01"
    assert (s.at["2023-05", "enrolled"], s.at["2023-05", "active"]) == (1, 3)    # E1, E5, E2
    # March 2024: E3 joins, E2 leaves; 3 in force on 03-31 = the registry count
    assert (s.at["2024-03", "enrolled"], s.at["2024-03", "withdrawn"], s.at["2024-03", "active"]) == (1, 1, 3)
    # the period runs past the data's as-of date (the latest complaint date, 03-29): the registry
    # is taken at the as-of date (METRICS.md "Registry counts")
    assert s.at["2024-03", "month_end"] == D("2024-03-29") == data_coverage(odr_con)[1]
    assert s["in_period"].tolist() == [False] * 14 + [True]
    assert P.registry_series(odr_con, MAR, "street").empty


# --- demonstration units and merchant lookup --------------------------------------------------------

@pytest.fixture
def demo_con(tmp_path):
    merchants = [
        M("A1", "百分%商店", credit_code="91620702MA0000001X", industry="食品", return_commit_date=D("2023-01-01")),
        M("A2", "下划_线超市", credit_code="91620702MA0000002X", industry="食品", is_chain=True),
        M("A3", "普通商店", industry="食品", odr_enrolled_date=D("2023-03-01"), odr_withdrawn_date=D("2024-02-01")),
        M("A4", "普通店", industry="食品"),
        M("B1", "布衣坊", industry="服装鞋帽"),
        M("B2", "鞋帽铺", industry="服装鞋帽", district_code="620723"),
    ]
    demo = [
        {"unit_id": "S1", "name": "示范街", "unit_type": "street", "named_date": D("2023-01-01")},
        {"unit_id": "S2", "name": "示范商圈", "unit_type": "street", "district_code": "620723",
         "named_date": D("2023-01-01"), "withdrawn_date": D("2024-02-01")},
        {"unit_id": "O1", "name": "百分%商店", "unit_type": "operator", "merchant_id": "A1", "named_date": D("2023-01-01")},
        {"unit_id": "C1", "name": "下划_线超市", "unit_type": "chain_store", "merchant_id": "A2",
         "named_date": D("2023-06-01")},
        {"unit_id": "O2", "name": "布衣坊", "unit_type": "operator", "merchant_id": "B1", "named_date": D("2024-04-10")},
    ]
    complaints = [
        complaint("2024-01-10", "2024-01-12", merchant_id="A1", merchant="百分%商店"),
        complaint("2024-02-10", "2024-02-20", merchant_id="A3", merchant="普通商店"),
        complaint("2024-03-10", None, merchant_id="A3", merchant="普通商店", is_odr=True),
        complaint("2024-01-20", "2024-01-22", merchant_id="B1", merchant="布衣坊"),
        complaint("2024-03-01", "2024-03-02", merchant_id="B2", merchant="鞋帽铺", district="620723"),
        complaint("2024-03-01", "2024-03-02", merchant_id="A2", merchant="下划_线超市", appeal_type="举报"),
        complaint("2023-12-01", "2023-12-02", merchant_id="A2", merchant="下划_线超市"),
    ]
    returns = [R("R1", "A1", "百分%商店", "2024-02-02", 88.5, credit_code="91620702MA0000001X")]
    p = make_db(tmp_path / "demo.duckdb", complaints=complaints, merchants=merchants, returns=returns,
                demo_units=demo)
    con = open_db(p)
    yield con
    con.close()


Q1 = Filters(D("2024-01-01"), D("2024-03-31"))


def test_demo_counts_as_of(demo_con):
    c = P.demo_counts(demo_con, Q1)
    assert len(c) == 6 * 3                                  # every district × type
    tot = c.groupby("unit_type")["units"].sum()
    # on 03-31: S1 (S2 withdrawn 02-01), C1, O1 (O2 named in April) = the registry counts
    reg = queries.registry_counts(demo_con, Q1)
    assert (tot["street"], tot["chain_store"], tot["operator"]) == (1, 1, 1)
    assert (reg["demo_districts"], reg["demo_chain_stores"], reg["demo_operators"]) == (1, 1, 1)
    early = P.demo_counts(demo_con, Q1, D("2024-01-15")).set_index(["code", "unit_type"])["units"]
    assert early[("620723", "street")] == 1                  # S2 still named on 01-15
    late = P.demo_counts(demo_con, Q1, D("2024-04-30")).groupby("unit_type")["units"].sum()
    assert late["operator"] == 2


def test_demo_complaint_rates(demo_con):
    r = P.demo_complaint_rates(demo_con, Q1).set_index("industry")
    # 食品: demonstration A1 (operator), A2 (chain) with 1 complaint (A1; A2's report and its
    # December complaint do not count) -> 1 / 2 × 1000 = 500; others A3 (2), A4 (0) -> 2 / 2 × 1000 = 1000
    f = r.loc["食品"]
    assert (f["demo_stores"], f["demo_complaints"], f["other_stores"], f["other_complaints"]) == (2, 1, 2, 2)
    assert (f["demo_rate"], f["other_rate"], f["ratio"]) == (500.0, 1000.0, 0.5)
    # 服装鞋帽: B1 is named only in April -> no demonstration store; B1 + B2 2 complaints / 2 stores
    c = r.loc["服装鞋帽"]
    assert (c["demo_stores"], c["other_stores"], c["other_rate"]) == (0, 2, 1000.0)
    assert c["demo_rate"] is None or c["demo_rate"] != c["demo_rate"]
    s = P.demo_rate_summary(P.demo_complaint_rates(demo_con, Q1))
    # crude: 1 / 2 -> 500 vs 4 / 4 -> 1000; expected at 食品's other rate, weighted by 2 demo stores: 1000
    assert (s["demo_rate"], s["other_rate"], s["expected_rate"], s["demo_rate_matched"]) == (500.0, 1000.0, 1000.0, 500.0)
    # district filter on the merchant's district: 临泽 has B2 only
    lz = P.demo_complaint_rates(demo_con, Q1.with_(districts=("620723",))).set_index("industry")
    assert list(lz.index) == ["服装鞋帽"] and lz.at["服装鞋帽", "other_complaints"] == 1


def test_merchant_search_escapes_wildcards(demo_con):
    s = P.merchant_search(demo_con, Q1, "%")
    assert list(s["merchant_id"]) == ["A1"]                  # a literal %, not "anything"
    assert list(P.merchant_search(demo_con, Q1, "_")["merchant_id"]) == ["A2"]
    assert P.merchant_search(demo_con, Q1, "\\").empty
    assert P.merchant_search(demo_con, Q1, "' OR 1=1 --").empty
    assert P.merchant_search(demo_con, Q1, "   ").empty
    # credit code, case-insensitive, exact
    c = P.merchant_search(demo_con, Q1, "91620702ma0000002x")
    assert list(c["merchant_id"]) == ["A2"] and bool(c.at[0, "demo_active"])
    # 普通: both start with it; most complaints in the period first (A3: 2, A4: 0)
    p = P.merchant_search(demo_con, Q1, "普通")
    assert list(p["merchant_id"]) == ["A3", "A4"] and list(p["complaints"]) == [2, 0]
    assert int(p.at[0, "total_matches"]) == 2
    assert not bool(p.at[0, "odr_active"])                  # A3 withdrew from ODR on 02-01
    # 店 is in 百分%商店, 普通商店, 普通店: 3 matches, 2 shown
    lim = P.merchant_search(demo_con, Q1, "店", limit=2)
    assert len(lim) == 2 and int(lim.at[0, "total_matches"]) == 3


def test_merchant_profile_and_history(demo_con):
    p = P.merchant_profile(demo_con, Q1, "A3")
    assert p["odr_status"] == "withdrawn" and p["return_status"] == "never"
    assert (p["complaints_period"], p["odr_period"], p["complaints_total"]) == (2, 1, 2)
    a1 = P.merchant_profile(demo_con, Q1, "A1")
    assert a1["return_status"] == "active" and a1["odr_status"] == "never"
    assert (a1["returns_period"], a1["returns_yuan_period"]) == (1, 88.5)
    assert [u["unit_type"] for u in a1["demo_units"]] == ["operator"] and a1["demo_units"][0]["active"]
    # A2: its report (举报) and its December complaint are not complaints of the period
    a2 = P.merchant_profile(demo_con, Q1, "A2")
    assert (a2["complaints_period"], a2["complaints_total"]) == (0, 1)
    assert P.merchant_profile(demo_con, Q1, "nope") is None
    m = P.merchant_monthly(demo_con, Q1, "A3").set_index("month")
    assert list(m.index) == ["2024-01", "2024-02", "2024-03"]
    assert list(m["complaints"]) == [0, 1, 1] and list(m["odr"]) == [0, 0, 1]
    m1 = P.merchant_monthly(demo_con, Q1, "A1").set_index("month")
    assert (m1.at["2024-02", "returns"], m1.at["2024-02", "amount_yuan"]) == (1, 88.5)
    lst = P.merchant_complaints(demo_con, Q1, "A3")
    assert list(lst["received_date"]) == [D("2024-03-10"), D("2024-02-10")]
    assert "merchant_name" not in lst.columns


# --- the page on the sample --------------------------------------------------------------------------

def open_page(query: dict) -> AppTest:
    """A deep link: the programmes page is the first page run with ``query`` in the URL."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(str(ROOT / "pages/programmes.py"))
    at.run()
    return at


ARTICLE = {"period": "custom", "from": "2023-01-01", "to": "2024-03-14"}


@pytest.fixture
def sample_figures(app_env):
    con = db.connect(app_env, read_only=True)
    out = queries.figures(con, Filters(D("2023-01-01"), D("2024-03-14")))
    con.close()
    return out


def test_page_headline_equals_figures(app_env, sample_figures):
    fig = sample_figures
    # the article's numbers, as the figures command computes them on the sample
    assert (fig["odr_enterprises"], fig["odr_resolved"], fig["return_stores"]) == (152, 516, 3725)
    assert (fig["demo_districts"], fig["demo_chain_stores"], fig["demo_operators"]) == (21, 200, 10154)
    at = open_page({"lang": "en", **ARTICLE})
    assert errors(at) == []
    m = {x.label: x.value for x in at.metric}
    assert m["ODR enterprises"] == f"{fig['odr_enterprises']:,}" == "152"
    assert m["Settled online (ODR)"] == f"{fig['odr_resolved']:,}" == "516"
    assert m["Committed stores"] == f"{fig['return_stores']:,}" == "3,725"
    assert m["Demonstration streets"] == "21"
    assert m["Demonstration chain stores"] == "200"
    assert m["Demonstration operators"] == "10,154"
    assert m["Returns"] == f"{fig['returns']['count']:,}" == "17,000"
    d = {x.label: x.delta for x in at.metric}
    assert d["Returns"] == "100.0% completed"
    amount = next(x for x in at.metric if x.label == "Amount returned")
    assert f"{fig['returns']['amount_yuan']:,.2f} yuan" in amount.help
    assert amount.value == fmt.yuan(fig["returns"]["amount_yuan"], "en") == "¥3.23 million"
    zh = open_page({"lang": "zh", **ARTICLE})
    assert errors(zh) == []
    mz = {x.label: x.value for x in zh.metric}
    # money and large counts in 万 in Chinese (the exact counts are in the tooltips)
    assert mz["无理由退货金额"] == f"{fig['returns']['amount_yuan'] / 10000:.1f}万元" == "322.6万元"
    assert mz["ODR 在线和解"] == "516" and mz["示范经营户"] == "1.02万" and mz["退货笔数"] == "1.7万"
    assert "10,154" not in mz.values()
    # the returns section (default): dormant commitments against the registry
    con = db.connect(app_env, read_only=True)
    c = P.returns_commitments(con, Filters(D("2023-01-01"), D("2024-03-14")))
    con.close()
    assert c["committed"] == 3725
    assert m["No returns in period"] == f"{c['dormant']:,}"
    assert d["No returns in period"] == f"{c['dormant_share'] * 100:.1f}% of committed"
    assert "committed at the period's end without a single return" in \
        next(x.help for x in at.metric if x.label == "No returns in period")
    # plain words: no jargon or developer text on the page, in either language
    assert "期间内无退货的承诺店" in mz and not any("沉睡" in x.label for x in zh.metric)
    for page in (at, zh):
        texts = [c.value for c in page.caption] + [x.label for x in page.metric]
        assert not any("python" in s or "analytics" in s or "沉睡" in s or "Dormant" in s for s in texts)


def _figures(at) -> list[dict]:
    import json
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _cjk(text) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
               for ch in str(text))


def _figure_texts(fig: dict) -> list[str]:
    """What a figure prints besides data values: titles, axis titles and ticks, legend names,
    bar texts (numbers)."""
    lay = fig.get("layout", {})
    out = [str((lay.get("title") or {}).get("text", ""))]
    for k, ax in lay.items():
        if k.startswith(("xaxis", "yaxis")) and isinstance(ax, dict):
            out.append(str((ax.get("title") or {}).get("text", "")))
            out += [str(x) for x in ax.get("ticktext") or []]
    for a in lay.get("annotations") or []:
        out.append(str(a.get("text", "")))
    for tr in fig.get("data", []):
        out.append(str(tr.get("name", "")))
        tx = tr.get("text")
        out += [str(x) for x in (tx if isinstance(tx, list) else [tx] if tx else [])]
    return out


RET_TABS = ["trend", "amounts", "stores", "category", "district"]


def test_page_sections_are_built_only_when_opened(app_env):
    # the default view draws one chart (the weekly amounts) and no table: the other sections wait
    at = open_page({"lang": "zh", **ARTICLE})
    assert errors(at) == []
    assert len(at.get("plotly_chart")) == 1 and len(at.table) == 0 and len(at.dataframe) == 0
    assert [tb.label for tb in at.tabs] == ["走势", "单笔金额", "承诺店", "商品类别", "区县"]
    fig = _figures(at)[0]
    ticks = fig["layout"]["xaxis"]["ticktext"]
    assert ticks[0] == "2023年第1周" or ticks[0].endswith("第1周") or "年第" in ticks[0]
    assert all("W" not in x for x in ticks)                       # 第10周, not 2024-W10
    assert fig["layout"]["yaxis"]["title"]["text"] == "金额（万元）"
    # a link to a section opens it with its content, and the URL keeps it
    at = open_page({"lang": "zh", **ARTICLE, "pg_ret_tab": "district"})
    assert errors(at) == []
    assert at.session_state["w:pg_ret_tab"] == "区县"
    assert at.query_params["pg_ret_tab"] in ("district", ["district"])
    (fig,) = _figures(at)
    assert "**各区县退货金额**" in [m.value.replace("\\", "") for m in at.markdown]      # the title, above the chart
    bars = fig["data"][0]
    # each amount bar is labelled with its amount in 万元 (not with the number of returns)
    assert all(str(x).endswith("万元") for x in bars["text"])
    top = max(range(len(bars["x"])), key=lambda i: bars["x"][i])
    assert bars["text"][top] == fmt.yuan(bars["x"][top], "zh")
    assert fig["layout"]["xaxis"]["title"]["text"] == "金额（万元）"
    tbl = at.table[0].value
    assert "金额" in tbl.columns and all(str(v).endswith("元") for v in tbl["金额"])
    assert "无退货" in tbl.columns and not any("沉睡" in c for c in tbl.columns)
    # ODR and demonstration sections: a deep link to a later tab builds that tab only
    at = open_page({"lang": "en", **ARTICLE, "pg_view": "odr", "pg_odr_tab": "list"})
    assert errors(at) == [] and len(at.get("plotly_chart")) == 0 and len(at.dataframe) == 1
    ent = at.dataframe[0].value
    assert set(ent["Status at period end"]) <= {"Active", "Withdrawn"}
    assert not any(str(v) in ("None", "nan", "NaT") for v in ent.astype(str).values.ravel())
    at = open_page({"lang": "en", **ARTICLE, "pg_view": "demo", "pg_demo_tab": "rates"})
    assert errors(at) == [] and len(at.get("plotly_chart")) == 1 and len(at.table) == 1
    assert any("not causal" in c.value for c in at.caption)


@pytest.mark.parametrize("view,tabs", [("returns", RET_TABS), ("odr", ["timeline", "groups", "cases"]),
                                       ("demo", ["units", "months", "rates"])])
def test_page_english_has_no_chinese_outside_data(app_env, view, tabs):
    param = {"returns": "pg_ret_tab", "odr": "pg_odr_tab", "demo": "pg_demo_tab"}[view]
    for tab in tabs:
        at = open_page({"lang": "en", **ARTICLE, "pg_view": view, param: tab})
        assert errors(at) == [], tab
        shown = [c.value for c in at.caption] + [x.label for x in at.metric] + [x.value for x in at.metric] \
            + [x.delta or "" for x in at.metric] + [tb.label for tb in at.tabs] + [s.value for s in at.subheader]
        for tb in at.table:
            shown += [str(c) for c in tb.value.columns] + [str(v) for v in tb.value.values.ravel()]
        for fig in _figures(at):
            shown += _figure_texts(fig)
        bad = [x for x in shown if _cjk(x) or x in ("None", "nan", "NaT")]
        assert bad == [], (view, tab, bad[:5])


def test_page_odr_view_from_url(app_env):
    at = open_page({"lang": "en", **ARTICLE, "pg_view": "odr", "pg_odr_tab": "groups", "pg_odr_by": "industry"})
    assert errors(at) == []
    assert at.segmented_control(key="w:pg_view").value == "odr"
    assert at.segmented_control(key="w:pg_odr_by").value == "industry"
    con = db.connect(app_env, read_only=True)
    h = P.odr_health(con, Filters(D("2023-01-01"), D("2024-03-14")))
    con.close()
    m = {x.label: (x.value, x.delta) for x in at.metric}
    assert m["Case in last 30 days"] == \
        (f"{h['share_30'] * 100:.1f}%", f"{h['with_case_30']} of {h['enrolled']} enterprises")
    assert m["Case in last 90 days"] == \
        (f"{h['share_90'] * 100:.1f}%", f"{h['with_case_90']} of {h['enrolled']} enterprises")
    assert m["Within 10 working days"] == \
        (f"{h['within_10_rate'] * 100:.1f}%", f"{h['within_10']} of {h['within_10_base']} cases")
    assert m["Failed, handed over"] == \
        (f"{h['failed_rate'] * 100:.1f}%", f"{h['failed']} of {h['closed']} cases")
    assert h["enrolled"] == 152
    # the view is kept in the URL
    assert at.query_params["pg_view"] == ["odr"] or at.query_params["pg_view"] == "odr"


def test_page_demo_view_as_of_date(app_env):
    at = open_page({"lang": "en", **ARTICLE, "pg_view": "demo", "pg_demo_date": "2023-06-30"})
    assert errors(at) == []
    assert at.date_input(key="w:pg_demo_date").value == dt.date(2023, 6, 30)
    con = db.connect(app_env, read_only=True)
    reg = queries.registry_counts(con, Filters(D("2023-01-01"), D("2023-06-30")))
    con.close()
    m = {x.label: x.value for x in at.metric}
    assert m["Streets & business districts"] == f"{reg['demo_districts']:,}"
    assert m["Operators"] == f"{reg['demo_operators']:,}"
    assert reg["demo_operators"] < 10154
    # the default tab (units by district) titles its chart with the chosen date, formatted
    assert any("(Jun 30, 2023)" in m.value.replace("\\", "") for m in at.markdown)     # the chart title, above the chart


def test_page_merchant_lookup(app_env):
    con = db.connect(app_env, read_only=True)
    f = Filters(D("2023-01-01"), D("2024-03-14"))
    hits = P.merchant_search(con, f, "食品店")
    target = hits.iloc[0]
    prof = P.merchant_profile(con, f, target["merchant_id"])
    con.close()
    # a deep link with the search and the chosen merchant reproduces the view
    at = open_page({"lang": "en", **ARTICLE, "pg_q": "食品店", "pg_merchant": target["merchant_id"]})
    assert errors(at) == []
    assert at.segmented_control(key="w:pg_view").value == "lookup"   # implied by pg_q / pg_merchant
    assert at.text_input(key="w:pg_q").value == "食品店"
    assert at.selectbox(key="w:pg_merchant").value == target["merchant_id"]
    assert any(s.value == target["name"] for s in at.subheader)
    assert "By goods category" not in [s.value for s in at.subheader]   # only the lookup is drawn
    m = {x.label: x.value for x in at.metric}
    assert m["Complaints in period"] == f"{prof['complaints_period']:,}"
    assert m["Of which ODR"] == f"{prof['odr_period']:,}"
    assert prof["complaints_period"] > 0
    # the results list shows the matches; the complaint list has one row per complaint
    frames = [d.value for d in at.dataframe]
    assert any("Name" in df.columns and target["name"] in set(df["Name"]) for df in frames)
    assert any(target["credit_code"] in str(o) for o in at.selectbox(key="w:pg_merchant").options)
    assert any("Registration no." in df.columns and len(df) == prof["complaints_period"] for df in frames)


def test_page_merchant_lookup_interaction(app_env):
    at = open_page({"lang": "zh", **ARTICLE, "pg_view": "lookup"})
    assert errors(at) == []
    assert any("商户名称的一部分" in i.value for i in at.info)
    at.text_input(key="w:pg_q").input("雪峰甘州食品店").run()
    assert errors(at) == []
    sel = at.selectbox(key="w:pg_merchant")
    assert sel.value is None and len(sel.options) >= 1
    at.selectbox(key="w:pg_merchant").select_index(0).run()
    assert errors(at) == []
    chosen = at.selectbox(key="w:pg_merchant").value
    assert chosen and at.query_params["pg_merchant"] in (chosen, [chosen])
    assert at.query_params["pg_q"] in ("雪峰甘州食品店", ["雪峰甘州食品店"])
    assert any(x.label == "期间投诉" for x in at.metric)
    # a new search drops the chosen merchant
    at.text_input(key="w:pg_q").input("百分%不存在").run()
    assert errors(at) == []
    assert any("没有名称包含" in i.value for i in at.info)
    assert "pg_merchant" not in at.query_params


def test_page_empty_period(app_env):
    q = {"lang": "en", "period": "custom", "from": "2019-01-01", "to": "2019-06-30"}
    at = open_page(q)
    assert errors(at) == []
    assert any("No no-reason returns" in i.value for i in at.info)
    assert {x.label: x.value for x in at.metric}["ODR enterprises"] == "0"
    at = open_page({**q, "pg_view": "odr"})
    assert errors(at) == []
    assert any("No ODR enterprise" in i.value for i in at.info)
    at = open_page({**q, "pg_view": "demo"})
    assert errors(at) == []
    assert any("No demonstration unit" in i.value for i in at.info)
