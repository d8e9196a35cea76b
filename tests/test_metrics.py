"""Every METRICS.md definition against a fixture database with hand-computed answers."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics import queries
from analytics.filters import Filters
from tests.fixtures import D, complaint, make_db, open_db


# --- the deadline / on-time fixture ------------------------------------------------------------
# 2024 Spring Festival: days off 10–17 Feb; make-up working Sundays 4 Feb and 18 Feb.
# Qingming 2024: 4–6 Apr off, Sunday 7 Apr worked.
ROWS = [
    # a: traditional, accepted 02-06 -> deadline 45 wd after 02-06 = 2024-04-16; closed 03-01: on time
    complaint("2024-02-05 09:00", "2024-03-01 10:00", reg_no="a", accepted="2024-02-06",
              disputed=1000, recovered=300),
    # b: ODR -> deadline 10 wd after 02-05 = 02-23 (6,7,8,9,18,19,20,21,22,23); closed 02-26: late
    complaint("2024-02-05 09:00", "2024-02-26 10:00", reg_no="b", is_odr=True, outcome="和解",
              disputed=200, recovered=200),
    # c: ODR open, received 03-20 -> deadline 04-03, not before to=03-31: left out of on-time base
    complaint("2024-03-20 09:00", None, reg_no="c", is_odr=True, disputed=50, recovered=None),
    # d: ODR open, received 02-05 -> deadline 02-23 < 03-31: overdue, in the base
    complaint("2024-02-05 11:00", None, reg_no="d", is_odr=True, district="620721", disputed=None,
              recovered=None),
    # e: not accepted -> deadline 7 wd after 02-05 = 02-20; closed 02-07: on time
    complaint("2024-02-05 12:00", "2024-02-07 10:00", reg_no="e", acceptance="不予受理",
              district="620721", disputed=0, recovered=0),
    # a report: never counted
    complaint("2024-02-06 09:00", "2024-02-07 09:00", reg_no="r1", appeal_type="举报"),
    # ODR received in January, settled in February: counts for odr_resolved of Feb–Mar only
    complaint("2024-01-20 09:00", "2024-02-02 09:00", reg_no="j1", is_odr=True, outcome="和解"),
    # ODR that failed, closed in the period: not resolved
    complaint("2024-01-22 09:00", "2024-02-01 09:00", reg_no="j2", is_odr=True, outcome="协商不成转办"),
]
PERIOD = Filters(D("2024-02-01"), D("2024-03-31"))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    p = make_db(tmp_path_factory.mktemp("m") / "m.duckdb", complaints=ROWS, meta={"as_of": "2024-03-31"})
    c = open_db(p)
    yield c
    c.close()


def _row(con, reg_no):
    from analytics.db import query
    r = query(con, "SELECT * FROM complaints WHERE reg_no = ?", [reg_no]).iloc[0]
    for col in ("deadline_date", "accept_deadline", "received_date", "closed_date"):
        if not pd.isna(r[col]):
            r[col] = r[col].date()
    return r


def test_deadlines_follow_official_calendar(con):
    assert _row(con, "a")["deadline_date"] == D("2024-04-16")   # 45 wd after acceptance 02-06
    assert _row(con, "b")["deadline_date"] == D("2024-02-23")   # ODR: 10 wd
    assert _row(con, "c")["deadline_date"] == D("2024-04-03")   # 21,22,25..29, 1,2,3 Apr
    assert _row(con, "e")["deadline_date"] == D("2024-02-20")   # not accepted: 7 wd
    # accepted without an acceptance date: 45 wd after the 7th wd after receipt (02-20) = 04-24
    assert _row(con, "a")["accept_deadline"] == D("2024-02-20")


def test_missing_acceptance_date_deadline(tmp_path):
    p = make_db(tmp_path / "x.duckdb", complaints=[complaint("2024-02-05", None, reg_no="x")])
    c = open_db(p)
    assert _row(c, "x")["deadline_date"] == D("2024-04-24")
    c.close()


def test_resolution_days_and_working_days(con):
    a = _row(con, "a")
    assert a["resolution_days"] == 25                      # 5 Feb -> 1 Mar 2024 (leap year)
    # working days in (02-05, 03-01]: 6,7,8,9, 18 (make-up Sunday), 19–23, 26–29, 1 Mar = 15
    assert a["resolution_wdays"] == 15
    b = _row(con, "b")
    assert b["resolution_days"] == 21
    assert b["resolution_wdays"] == 11                     # 6,7,8,9,18,19–23,26
    assert pd.isna(_row(con, "c")["resolution_days"])     # open: no resolution days


def test_kpis(con):
    k = queries.complaint_kpis(con, PERIOD).iloc[0]
    assert k["complaints"] == 5                  # a b c d e; the report and January rows are out
    assert k["complaints_odr"] == 3              # b c d
    assert k["closed"] == 3                      # a b e
    assert k["closure_rate"] == pytest.approx(3 / 5)
    # on time: a, e = 2; base: closed 3 + open overdue (d) 1 = 4 (c still inside its deadline)
    assert k["on_time"] == 2 and k["on_time_base"] == 4
    assert k["on_time_rate"] == pytest.approx(0.5)
    # closed days: e 2, b 21, a 25 -> median 21; P90 = 21 + 0.8 * (25 - 21) = 24.2
    assert k["median_days_all"] == 21
    assert k["p90_days_all"] == pytest.approx(24.2)
    assert k["median_days_odr"] == 21                  # b only
    assert k["median_days_traditional"] == 13.5        # (2 + 25) / 2
    assert k["p90_days_traditional"] == pytest.approx(22.7)   # 2 + 0.9 * 23
    assert k["recovered_yuan"] == 500 and k["disputed_yuan"] == 1250


def test_odr_resolved_counts_closed_in_period(con):
    # b (closed 02-26, 和解) and j1 (received in January, closed 02-02, 和解); j2 failed
    assert queries.odr_resolved(con, PERIOD) == 2
    assert queries.odr_resolved(con, PERIOD.with_(districts=("620721",))) == 0


def test_route_and_district_filters(con):
    k = queries.complaint_kpis(con, PERIOD.with_(route="traditional")).iloc[0]
    assert k["complaints"] == 2 and k["median_days_all"] == 13.5
    k = queries.complaint_kpis(con, PERIOD.with_(districts=("620721",))).iloc[0]
    assert k["complaints"] == 2                        # d and e
    assert k["on_time_rate"] == pytest.approx(1 / 2)   # e on time; d overdue


def test_districts_per_100k_and_null_median(con):
    dist = queries.district_summary(con, PERIOD)
    assert list(dist["code"]) == ["620702", "620721", "620722", "620723", "620724", "620725"]
    sunan = dist.set_index("code").loc["620721"]
    assert sunan["complaints"] == 2
    assert sunan["per_100k"] == pytest.approx(7.19)    # 2 / 27,820 * 100,000 = 7.189…
    assert sunan["median_days"] == 2                   # e only (d is open)
    minle = dist.set_index("code").loc["620722"]
    assert minle["complaints"] == 0 and pd.isna(minle["median_days"])


def test_figures_empty_period(con):
    out = queries.figures(con, Filters(D("2023-06-05"), D("2023-06-11")))
    assert out["complaints"] == 0 and out["closed"] == 0
    assert out["closure_rate"] is None and out["on_time_rate"] is None
    assert out["median_days"] == {"all": None, "odr": None, "traditional": None}
    assert out["p90_days"] == {"all": None, "odr": None, "traditional": None}
    assert [d["median_days"] for d in out["districts"]] == [None] * 6
    assert [d["complaints"] for d in out["districts"]] == [0] * 6
    assert out["returns"] == {"count": 0, "amount_yuan": 0.0, "stores": 0, "completion_rate": None}
    # the week exists, with zero complaints; the data starts later, so it is partial
    assert out["weekly"] == [{"week": "2023-W23", "complaints": 0, "partial": True}]


# --- ISO weeks and partial weeks ----------------------------------------------------------

def test_iso_week_across_year_boundary(tmp_path):
    rows = [complaint("2024-12-29", reg_no="w0"), complaint("2024-12-30", reg_no="w1"),
            complaint("2025-01-05", reg_no="w2"), complaint("2025-01-06", reg_no="w3")]
    c = open_db(make_db(tmp_path / "w.duckdb", complaints=rows,
                        meta={"as_of": "2025-01-31"}))
    w = queries.weekly_complaints(c, Filters(D("2024-12-23"), D("2025-01-12")))
    assert list(w["week"]) == ["2024-W52", "2025-W01", "2025-W02"]
    assert list(w["complaints"]) == [1, 2, 1]
    # data starts 2024-12-29 (a Sunday): the week of 2024-12-23 is covered only partly
    assert list(w["partial"]) == [True, False, False]
    assert w["week_start"].iloc[1] == D("2024-12-30")
    c.close()


def test_partial_weeks_at_both_ends(tmp_path):
    rows = [complaint("2024-01-02", reg_no="p1"), complaint("2024-01-09", reg_no="p2"),
            complaint("2024-01-17", reg_no="p3")]
    c = open_db(make_db(tmp_path / "p.duckdb", complaints=rows, meta={"as_of": "2024-01-17"}))
    # period starts on a Wednesday; the data ends on Wednesday 17 Jan
    w = queries.weekly_complaints(c, Filters(D("2024-01-03"), D("2024-01-31")))
    assert list(w["week"]) == ["2024-W01", "2024-W02", "2024-W03", "2024-W04", "2024-W05"]
    assert list(w["complaints"]) == [0, 1, 1, 0, 0]    # p1 is before the period
    assert list(w["partial"]) == [True, False, True, True, True]
    c.close()


def test_latest_weeks_never_compares_partial(tmp_path):
    rows = [complaint("2024-02-26")] + [complaint(f"2024-03-{d:02d}") for d in (4, 5, 6, 11, 12, 13, 13, 14)]
    c = open_db(make_db(tmp_path / "l.duckdb", complaints=rows, meta={"as_of": "2024-03-14"}))
    lw = queries.latest_weeks(c, Filters(D("2024-02-26"), D("2024-03-14"))).set_index("which")
    assert lw.loc["latest", "week"] == "2024-W10" and lw.loc["latest", "complaints"] == 3
    assert lw.loc["previous", "week"] == "2024-W09" and lw.loc["previous", "complaints"] == 1
    assert lw.loc["current", "week"] == "2024-W11" and lw.loc["current", "complaints"] == 5
    # when the data starts inside the earlier week, that week is partial and not compared
    lw = queries.latest_weeks(c, Filters(D("2024-02-28"), D("2024-03-14"))).set_index("which")
    assert "previous" not in lw.index and lw.loc["latest", "week"] == "2024-W10"
    c.close()


# --- registries and returns -------------------------------------------------------------------

def test_registry_counts_and_returns(tmp_path):
    merchants = [
        {"merchant_id": "m1", "name": "甲", "odr_enrolled_date": D("2024-01-01")},
        {"merchant_id": "m2", "name": "乙", "odr_enrolled_date": D("2024-01-01"),
         "odr_withdrawn_date": D("2024-03-31")},                      # withdrawn on `to`: out
        {"merchant_id": "m3", "name": "丙", "odr_enrolled_date": D("2024-03-31")},  # enrolled on `to`: in
        {"merchant_id": "m4", "name": "丁", "odr_enrolled_date": D("2024-04-01")},  # later: out
        {"merchant_id": "m5", "name": "戊", "return_commit_date": D("2023-05-01"), "district_code": "620723"},
        {"merchant_id": "m6", "name": "己", "return_commit_date": D("2023-05-01"),
         "return_withdrawn_date": D("2024-04-02")},
    ]
    returns = [
        {"return_id": "r1", "store_name": "戊一店", "credit_code": "X1", "return_date": D("2024-02-01"),
         "amount_yuan": 100.10},
        {"return_id": "r2", "store_name": "戊二店", "credit_code": "X1", "return_date": D("2024-02-02"),
         "amount_yuan": 50.05, "completed": False, "result": "处理中"},
        {"return_id": "r3", "store_name": "己", "return_date": D("2024-03-31"), "amount_yuan": 9.85},
        {"return_id": "r4", "store_name": "己", "return_date": D("2024-04-01"), "amount_yuan": 1000},
    ]
    demo = [
        {"unit_id": "s1", "name": "街区", "unit_type": "street", "named_date": D("2023-01-01")},
        {"unit_id": "c1", "name": "超市", "unit_type": "chain_store", "named_date": D("2023-01-01"),
         "withdrawn_date": D("2024-01-01")},
        {"unit_id": "o1", "name": "户", "unit_type": "operator", "named_date": D("2024-03-31")},
    ]
    c = open_db(make_db(tmp_path / "r.duckdb", merchants=merchants, returns=returns, demo_units=demo))
    f = Filters(D("2024-02-01"), D("2024-03-31"))
    assert queries.registry_counts(c, f) == {
        "odr_enterprises": 2, "return_stores": 2, "demo_districts": 1, "demo_chain_stores": 0,
        "demo_operators": 1}
    # r1, r2, r3 in the period: 160.00 yuan; stores: X1 (by credit code) and 己 (by name) = 2
    assert queries.returns_summary(c, f) == {"count": 3, "amount_yuan": 160.0, "stores": 2,
                                             "completion_rate": pytest.approx(2 / 3)}
    assert queries.registry_counts(c, f.with_(districts=("620723",)))["return_stores"] == 1
    c.close()


def test_filters_reject_inverted_period():
    with pytest.raises(ValueError):
        Filters(D("2024-02-02"), D("2024-02-01"))


def test_returns_and_stores_by_district_match_the_per_district_figures(sample_con):
    f = Filters(D("2023-06-01"), D("2023-12-31"))
    by = queries.returns_and_stores_by_district(sample_con, f).set_index("district_code")
    assert list(by.index) == ["620702", "620721", "620722", "620723", "620724", "620725"]
    for code in by.index:
        fd = f.with_(districts=(code,))
        assert by.loc[code, "returns"] == queries.returns_summary(sample_con, fd)["count"]
        assert by.loc[code, "stores"] == queries.registry_counts(sample_con, fd)["return_stores"]
