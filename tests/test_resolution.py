"""Resolution-time page: Kaplan–Meier, the ODR-vs-traditional gap (raw and adjusted), deadlines,
all against hand-computed answers; then the page itself in AppTest."""
from __future__ import annotations

import datetime as dt
import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics import db, queries
from analytics import resolution as R
from analytics.filters import Filters
from tests.apptest import ROOT, chart_specs, errors
from tests.fixtures import D, complaint, make_db

Z = 1.959963984540054


# --- pure statistics -----------------------------------------------------------------------------

def test_quantile_from_counts_matches_numpy_and_duckdb_definition():
    values, counts = [1, 2, 4, 9], [3, 1, 0, 2]
    flat = [1, 1, 1, 2, 9, 9]
    for q in (0.0, 0.1, 0.25, 0.5, 0.9, 1.0):
        assert R.quantile_from_counts(values, counts, q) == pytest.approx(np.percentile(flat, q * 100))
    # {1, 1, 2, 3}: median = 1 + 0.5 * (2 - 1) = 1.5
    assert R.quantile_from_counts([1, 2, 3], [2, 1, 1], 0.5) == 1.5
    assert R.quantile_from_counts([], [], 0.5) is None
    m = R._quantiles_from_count_matrix(np.array([1.0, 2.0, 4.0, 9.0]), np.array([[3, 1, 0, 2], [0, 0, 0, 0]]), 0.5)
    assert m[0] == pytest.approx(1.5) and np.isnan(m[1])


def test_kaplan_meier_hand_example():
    """Six complaints: closed after 1, 1, 2, 3 days; two still open at age 10.

    t=1: at risk 6, 2 close  -> S = 4/6          = 0.6667
    t=2: at risk 4, 1 closes -> S = 4/6 * 3/4    = 0.5
    t=3: at risk 3, 1 closes -> S = 0.5 * 2/3    = 0.3333
    t=10: at risk 2, 2 censored -> S stays 0.3333
    First t with S <= 0.5 = 2 (km_time_at); P90 (S <= 0.1) never reached -> None.
    km_quantile (the quantile_cont rule): no one is censored before the last closing, so every
    weight is 1 and the six sit at positions 0..5 = (1, 1, 2, 3, ?, ?) with the two open ones
    beyond 10; median at h = 0.5 * (6 - 1) = 2.5 -> 2 + 0.5 * (3 - 2) = 2.5, whatever the open
    ones turn out to be; P90 at h = 4.5 needs the unknown ones -> None.
    The naive median of the closed ones {1, 1, 2, 3} is 1.5."""
    km = R.kaplan_meier([1, 2, 3, 10], [2, 1, 1, 0], [0, 0, 0, 2])
    assert km["t"].tolist() == [1, 2, 3, 10]
    assert km["n_risk"].tolist() == [6, 4, 3, 2]
    assert km["surv"].tolist() == pytest.approx([4 / 6, 0.5, 1 / 3, 1 / 3])
    assert R.km_time_at(km, 0.5) == 2
    assert R.km_time_at(km, 0.1) is None
    assert R.km_quantile(km, 0.5) == 2.5 and R.km_quantile(km, 0.1) == 1.0 and R.km_quantile(km, 0.9) is None
    assert R.km_surv_at(km, 0) == 1.0
    assert R.km_surv_at(km, 2.5) == pytest.approx(0.5)
    assert R.km_surv_at(km, 11) is None            # beyond follow-up, curve not at 0
    # Greenwood at t=2: sum d/(n(n-d)) = 2/(6*4) + 1/(4*3) = 1/6; log(-log) interval
    gw = 2 / 24 + 1 / 12
    ls = math.log(0.5)
    se = math.sqrt(gw) / abs(ls)
    lo = math.exp(-math.exp(math.log(-ls) + Z * se))
    hi = math.exp(-math.exp(math.log(-ls) - Z * se))
    row = km[km["t"] == 2].iloc[0]
    assert (row["surv_lo"], row["surv_hi"]) == pytest.approx((lo, hi))
    assert lo == pytest.approx(0.1109, abs=1e-4) and hi == pytest.approx(0.8037, abs=1e-4)
    assert (row["surv_lo"] < row["surv"] < row["surv_hi"])


def test_kaplan_meier_without_censoring_is_the_ecdf_and_ties():
    # no censoring: S(t) = share with time > t; {0, 0, 1, 5}: S(0)=0.5, S(1)=0.25, S(5)=0
    km = R.kaplan_meier([0, 1, 5], [2, 1, 1])
    assert km["surv"].tolist() == pytest.approx([0.5, 0.25, 0.0])
    assert R.km_time_at(km, 0.5) == 0 and R.km_time_at(km, 0.1) == 5
    assert km["surv_lo"].iloc[-1] == 0 and km["surv_hi"].iloc[-1] == 0
    # closing and censoring at the same t: closings first. t=1: 2 at risk, 1 closes, 1 censored -> 0.5
    km = R.kaplan_meier([1], [1], [1])
    assert km["n_risk"].tolist() == [2] and km["surv"].tolist() == [0.5]
    assert R.kaplan_meier([], [], []).empty


# --- fixture database ----------------------------------------------------------------------------

def _fix(tmp_path, rows, as_of="2024-03-20"):
    p = make_db(tmp_path / "r.duckdb", complaints=rows, meta={"as_of": as_of})
    return db.connect(p, read_only=True)


MARCH = Filters(D("2024-03-01"), D("2024-03-20"))


@pytest.fixture
def km_con(tmp_path):
    """The hand example as complaints: traditional, received Fri 1 Mar 2024, closed after 1, 1, 2,
    3 calendar days; two received Sun 10 Mar and still open on the as-of date Wed 20 Mar (age 10
    days; working days (10 Mar, 20 Mar] = 11-15, 18-20 = 8). One ODR complaint received Mon 4 Mar,
    closed the same day."""
    rows = [complaint("2024-03-01", "2024-03-02"), complaint("2024-03-01", "2024-03-02"),
            complaint("2024-03-01", "2024-03-03"), complaint("2024-03-01", "2024-03-04"),
            complaint("2024-03-10", None), complaint("2024-03-10", None),
            complaint("2024-03-04", "2024-03-04", is_odr=True),
            complaint("2024-03-05", "2024-03-06", appeal_type="举报")]   # a report: never counted
    con = _fix(tmp_path, rows)
    yield con
    con.close()


def test_time_counts_and_km_summary(km_con):
    tc = R.time_counts(km_con, MARCH, "days")
    trad = tc[tc["route"] == "traditional"]
    assert list(zip(trad["t"], trad["closed"], trad["n"])) == [(1, True, 2), (2, True, 1), (3, True, 1), (10, False, 2)]
    s = R.km_summary(km_con, MARCH, "days", n_wdays=1).set_index("route")
    t = s.loc["traditional"]
    assert (t["complaints"], t["closed"], t["open"]) == (6, 4, 2)
    assert t["naive_median"] == 1.5 and t["km_median"] == 2.5      # see test_kaplan_meier_hand_example
    assert t["km_p90"] is None or pd.isna(t["km_p90"])
    # the Greenwood band's upper curve never reaches 0.5 with six complaints: no upper end
    assert t["km_median_lo"] <= 2.5 and (t["km_median_hi"] is None or pd.isna(t["km_median_hi"]))
    assert t["naive_p90"] == pytest.approx(np.percentile([1, 1, 2, 3], 90))   # 2.7
    assert t["max_open_age"] == 10
    # working days: closed Fri 1 Mar -> Sat 2 (0), Sat 2 (0), Sun 3 (0), Mon 4 (1); open age 8.
    # S after 0 wd = 3/6 = 0.5, after 1 wd = 0.5 * 2/3 = 1/3 -> within 1 wd = 2/3; naive: 4/4 = 1
    assert t["within_n"] == pytest.approx(2 / 3)
    assert t["naive_within_n"] == 1.0
    assert t["within_n_lo"] < 2 / 3 < t["within_n_hi"]
    # the naive median is the same number as the METRICS.md definition in queries.complaint_kpis
    k = queries.complaint_kpis(km_con, MARCH).iloc[0]
    assert k["median_days_traditional"] == t["naive_median"]
    assert s.loc["odr", "km_median"] == 0 and s.loc["all", "complaints"] == 7
    w = R.km_summary(km_con, MARCH, "wdays").set_index("route").loc["traditional"]
    # working days (0, 0, 0, 1, open 8, open 8): h = 2.5 -> 0 + 0.5 * (1 - 0) = 0.5
    assert w["max_open_age"] == 8 and w["naive_median"] == 0.0 and w["km_median"] == 0.5


def test_km_curves_routes(km_con):
    cur = R.km_curves(km_con, MARCH, "days")
    assert set(cur["route"]) == {"all", "odr", "traditional"}
    trad = cur[cur["route"] == "traditional"]
    assert trad["surv"].tolist() == pytest.approx([4 / 6, 0.5, 1 / 3, 1 / 3])
    only_odr = R.km_curves(km_con, MARCH.with_(route="odr"), "days")
    assert set(only_odr["route"]) == {"all", "odr"}
    assert R.km_summary(km_con, Filters(D("2023-01-01"), D("2023-01-31"))).empty


# Simpson's paradox: ODR handles mostly food (quick and easy), traditional mostly building
# materials (slow and hard). Within each category ODR is slower and settles less; overall it
# looks faster and better.
#              closed  days  settled
# 食品     ODR     8     2      6   (75%)
#          trad    2     1      2   (100%)
# 装修建材 ODR     2    12      0   (0%)
#          trad    8    10      2   (25%)
SIMPSON = (
    [complaint("2024-03-04", "2024-03-06", is_odr=True, category="食品", outcome="和解") for _ in range(6)]
    + [complaint("2024-03-04", "2024-03-06", is_odr=True, category="食品", outcome="协商不成转办") for _ in range(2)]
    + [complaint("2024-03-04", "2024-03-16", is_odr=True, category="装修建材", outcome="协商不成转办") for _ in range(2)]
    + [complaint("2024-03-04", "2024-03-05", category="食品", outcome="调解成功") for _ in range(2)]
    + [complaint("2024-03-04", "2024-03-14", category="装修建材", outcome="调解成功") for _ in range(2)]
    + [complaint("2024-03-04", "2024-03-14", category="装修建材", outcome="调解不成功") for _ in range(6)]
)


def test_route_gap_simpson(tmp_path):
    con = _fix(tmp_path, SIMPSON)
    try:
        g = R.route_gap(con, MARCH, "days", min_stratum=2)
        s = g["summary"].set_index("metric")
        m, st_ = s.loc["median"], s.loc["settled"]
        # raw medians: ODR {2 x8, 12 x2} -> 2; traditional {1 x2, 10 x8} -> 10; gap = 10 - 2 = +8
        assert (m["odr"], m["traditional"], m["raw"]) == (2, 10, 8)
        # adjusted: pooled weights 10/20 each; 食品 1 - 2 = -1, 装修建材 10 - 12 = -2
        # -> 0.5 * -1 + 0.5 * -2 = -1.5: ODR is 1.5 days SLOWER like for like
        assert m["adjusted"] == pytest.approx(-1.5)
        # every stratum is constant, so the stratified bootstrap cannot move: interval = point
        assert (m["adj_lo"], m["adj_hi"]) == pytest.approx((-1.5, -1.5))
        assert m["raw_lo"] <= 8 <= m["raw_hi"]
        # settlement: raw ODR 6/10 - traditional 4/10 = +0.20
        assert (st_["odr"], st_["traditional"]) == pytest.approx((0.6, 0.4))
        assert st_["raw"] == pytest.approx(0.2)
        # Newcombe's hybrid score interval (MOVER on Wilson intervals; each distance at least the
        # Wald half-width): 6/10 -> [0.3127, 0.8318], 4/10 -> [0.1682, 0.6873]
        l1, u1 = _wilson(6, 10)
        l2, u2 = _wilson(4, 10)
        assert (l1, u1) == pytest.approx((0.3127, 0.8318), abs=1e-4)
        wald = Z * math.sqrt(0.24 / 10)
        lo = 0.2 - math.hypot(max(0.6 - l1, wald), max(u2 - 0.4, wald))
        hi = 0.2 + math.hypot(max(u1 - 0.6, wald), max(0.4 - l2, wald))
        assert (st_["raw_lo"], st_["raw_hi"]) == pytest.approx((lo, hi))
        # adjusted: 0.5 * (0.75 - 1) + 0.5 * (0 - 0.25) = -0.25
        assert st_["adjusted"] == pytest.approx(-0.25)
        # traditional 食品 settled 2/2 and ODR 装修建材 0/2: the Wald variance of those is 0 (the old
        # interval, ±1.96 * 0.10825, ignored them); the Wilson distances do not vanish
        wald_half = Z * math.sqrt(0.25 * (0.75 * 0.25 / 8) + 0.25 * (0.25 * 0.75 / 8))
        assert st_["adj_hi"] - st_["adj_lo"] > 2 * wald_half + 0.1
        lf, uf = _wilson(6, 8)
        assert _wilson(2, 2)[0] == pytest.approx(0.3424, abs=1e-4)
        down = (0.5 * max(0.75 - lf, Z * math.sqrt(0.75 * 0.25 / 8))) ** 2 + (0.5 * (_wilson(2, 2)[1] - 1)) ** 2 \
            + (0.5 * 0) ** 2 + (0.5 * max(_wilson(2, 8)[1] - 0.25, Z * math.sqrt(0.25 * 0.75 / 8))) ** 2
        up = (0.5 * max(uf - 0.75, Z * math.sqrt(0.75 * 0.25 / 8))) ** 2 + (0.5 * (1 - _wilson(2, 2)[0])) ** 2 \
            + (0.5 * _wilson(0, 2)[1]) ** 2 + (0.5 * max(0.25 - _wilson(2, 8)[0], Z * math.sqrt(0.25 * 0.75 / 8))) ** 2
        assert (st_["adj_lo"], st_["adj_hi"]) == pytest.approx((-0.25 - math.sqrt(down), -0.25 + math.sqrt(up)))
        # the raw gap points the wrong way; with two complaints per cell the honest interval is wide
        assert st_["adjusted"] < 0 < st_["raw"] and st_["adj_lo"] < -0.25 < 0 < st_["adj_hi"]
        assert (m["n_odr"], m["n_traditional"], m["strata"], m["coverage"]) == (10, 10, 2, 1.0)
        assert (st_["n_odr"], st_["n_traditional"], st_["strata"], st_["excluded"]) == (10, 10, 2, 0)
        strata = g["strata"].set_index("category")
        assert strata.loc["食品", "weight"] == 0.5 and strata.loc["装修建材", "median_odr"] == 12
        # fixed seed: the same numbers on every run
        again = R.route_gap(con, MARCH, "days", min_stratum=2)["summary"]
        pd.testing.assert_frame_equal(g["summary"], again)
        # with the default minimum of 5 per route and category, no category qualifies
        g5 = R.route_gap(con, MARCH, "days")["summary"].set_index("metric")
        assert g5.loc["median", "strata"] == 0 and pd.isna(g5.loc["median", "adjusted"])
        assert g5.loc["settled", "raw"] == pytest.approx(0.2)
        # one route only: no gap
        odr = R.route_gap(con, MARCH.with_(route="odr"), "days")["summary"].set_index("metric")
        assert odr.loc["median", "raw"] is None or pd.isna(odr.loc["median", "raw"])
    finally:
        con.close()


def _wilson(k, n):
    p, z2 = k / n, Z * Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def test_route_gap_leaves_not_accepted_out_of_the_settlement_rate(tmp_path):
    """METRICS.md: settlement rate = settled ÷ closed accepted complaints. Four traditional 食品
    complaints not accepted (不予受理) count in the median time, not in the settlement rate."""
    rejected = [complaint("2024-03-04", "2024-03-07", category="食品", acceptance="不予受理") for _ in range(4)]
    con = _fix(tmp_path, SIMPSON + rejected)
    try:
        for fast in (True, False):
            s = R.route_gap(con, MARCH, "days", min_stratum=2, fast=fast)["summary"].set_index("metric")
            st_ = s.loc["settled"]
            assert (st_["odr"], st_["traditional"]) == pytest.approx((0.6, 0.4))   # 4/10, not 4/14
            assert (st_["n_traditional"], st_["excluded"]) == (10, 4)
            assert st_["adjusted"] == pytest.approx(-0.25)                          # strata unchanged
            assert s.loc["median", "n_traditional"] == 14                           # the median counts them
        strata = R.route_gap(con, MARCH, "days", min_stratum=2)["strata"].set_index("category")
        assert (strata.loc["食品", "n_traditional"], strata.loc["食品", "accepted_traditional"]) == (6, 2)
        assert strata.loc["食品", "settled_traditional"] == 1.0
    finally:
        con.close()


def test_weekly_and_category_quantiles(km_con):
    wq = R.weekly_quantiles(km_con, MARCH, "days")
    # weeks of 26 Feb (partial: the period starts Fri 1 Mar), 4 Mar, 11 Mar, 18 Mar (partial, ends Wed 20)
    assert list(dict.fromkeys(wq["week"])) == ["2024-W09", "2024-W10", "2024-W11", "2024-W12"]
    w9 = wq[(wq["week"] == "2024-W09") & (wq["route"] == "traditional")].iloc[0]
    assert (w9["complaints"], w9["closed"], w9["open"], w9["median"]) == (4, 4, 0, 1.5)
    assert bool(w9["partial"])
    w10 = wq[wq["week"] == "2024-W10"].set_index("route")
    # week of 4 Mar: ODR closed same day (0); the two open traditional ones were received Sun 10 Mar
    assert w10.loc["odr", "median"] == 0 and w10.loc["traditional", "open"] == 2
    assert pd.isna(w10.loc["traditional", "median"]) and w10.loc["all", "complaints"] == 3
    assert wq[wq["week"] == "2024-W11"]["complaints"].sum() == 0
    cq = R.category_quantiles(km_con, MARCH, "days")
    t = cq[(cq["category"] == "食品") & (cq["route"] == "traditional")].iloc[0]
    # {1, 1, 2, 3}: P10 = 1, Q1 = 1, median 1.5, Q3 = 2.25, P90 = 2.7, mean 1.75
    assert (t["closed"], t["p10"], t["q1"], t["median"], t["q3"], t["mean"]) == (4, 1, 1, 1.5, 2.25, 1.75)
    assert t["p90"] == pytest.approx(2.7)


@pytest.fixture
def deadline_con(tmp_path):
    """Spring Festival 2024. Accept deadline of complaints received Mon 5 Feb = 7 working days
    later = Tue 20 Feb (6, 7, 8, 9, 18 (make-up Sunday), 19, 20)."""
    rows = [
        complaint("2024-02-05", "2024-02-26", reg_no="T1", accepted="2024-02-09", district="620702"),  # decided on time
        complaint("2024-02-05", "2024-03-01", reg_no="T2", accepted="2024-02-21", district="620702"),  # decided late
        complaint("2024-02-05", "2024-02-20", reg_no="T3", acceptance="不予受理", district="620722"),  # rejected on the 7th wd
        complaint("2024-02-05", None, reg_no="T4", acceptance=None, district="620722"),               # no decision yet
        # ODR, received Fri 1 Mar, open: deadline 10 wd later = Fri 15 Mar (4-8, 11-15) < as-of 20 Mar
        complaint("2024-03-01", None, reg_no="O1", is_odr=True, district="620723"),
        # ODR, received Mon 18 Mar, open, inside its deadline
        complaint("2024-03-18", None, reg_no="O2", is_odr=True, district="620723"),
        # ODR closed on Thu 22 Feb: deadline 10 wd after Mon 5 Feb = 6-9, 18-23 -> Fri 23 Feb: on time
        complaint("2024-02-05", "2024-02-22", reg_no="O3", is_odr=True, district="620702"),
    ]
    con = _fix(tmp_path, rows)
    yield con
    con.close()


FEB_MAR = Filters(D("2024-02-01"), D("2024-03-20"))


def test_acceptance_decisions(deadline_con):
    a = R.acceptance_decisions(deadline_con, FEB_MAR)
    tot = a[a["is_total"]].iloc[0]
    # decided: T1 (9 Feb), T2 (21 Feb), T3 (closed 20 Feb); on time: T1, T3 -> 2/3
    assert (tot["traditional"], tot["decided"], tot["on_time"]) == (4, 3, 2)
    assert tot["rate"] == pytest.approx(2 / 3)
    # T4 has no decision and its 7th working day (20 Feb) is before the as-of date
    assert (tot["undecided"], tot["undecided_late"]) == (1, 1)
    by = a[~a["is_total"]].set_index("district_code")
    assert by.loc["620702", "rate"] == 0.5 and by.loc["620722", "rate"] == 1.0
    assert R.acceptance_decisions(deadline_con, FEB_MAR.with_(route="odr")).empty


def test_overdue_open_list(deadline_con):
    od = R.overdue_open(deadline_con, FEB_MAR)
    assert od["reg_no"].tolist() == ["O1"]
    r = od.iloc[0]
    assert r["deadline_date"] == D("2024-03-15") and r["district_code"] == "620723"
    # age on 20 Mar: 19 calendar days; working days (1 Mar, 20 Mar] = 4-8, 11-15, 18-20 = 13;
    # overdue (15 Mar, 20 Mar] = 18, 19, 20 = 3 working days
    assert (r["age_days"], r["age_wdays"], r["overdue_wdays"]) == (19, 13, 3)
    assert set(od.columns) == {"district_code", "reg_no", "route", "received_date", "category", "merchant_name",
                               "acceptance", "deadline_date", "age_days", "age_wdays", "overdue_wdays"}
    # the period restricts unless all_periods
    march_only = Filters(D("2024-03-10"), D("2024-03-20"))
    assert R.overdue_open(deadline_con, march_only).empty
    assert R.overdue_open(deadline_con, march_only, all_periods=True)["reg_no"].tolist() == ["O1"]


def test_on_time_weekly_and_by_district(deadline_con):
    ot = R.on_time_weekly(deadline_con, FEB_MAR)
    w6 = ot[ot["week"] == "2024-W06"].set_index("route")
    # week of 5 Feb. Deadlines: T1, T2 accepted -> 45 wd after acceptance (far later): both on time;
    # T3 rejected -> 7 wd = 20 Feb, closed 20 Feb: on time; T4 open, deadline 52 wd after 5 Feb
    # (after 20 Mar): left out; O3 on time. -> all: 4/4, pending 1
    assert (w6.loc["all", "on_time"], w6.loc["all", "base"], w6.loc["all", "pending"]) == (4, 4, 1)
    assert w6.loc["odr", "rate"] == 1.0
    w9 = ot[ot["week"] == "2024-W09"].set_index("route")
    # week of 26 Feb: O1 (received 1 Mar) open past its 15 Mar deadline, before the period's end: 0/1
    assert (w9.loc["odr", "on_time"], w9.loc["odr", "base"], w9.loc["odr", "rate"]) == (0, 1, 0.0)
    assert pd.isna(ot[(ot["week"] == "2024-W07") & (ot["route"] == "all")]["rate"].iloc[0])
    dd = R.deadline_by_district(deadline_con, FEB_MAR).set_index("code")
    assert len(dd) == 6                                     # every district
    assert (dd.loc["620723", "on_time"], dd.loc["620723", "on_time_base"]) == (0, 1)
    assert dd.loc["620723", "overdue_open"] == 1
    assert (dd.loc["620702", "accept_on_time"], dd.loc["620702", "accept_decided"]) == (1, 2)
    assert dd.loc["620722", "accept_undecided_late"] == 1
    assert dd.loc["620724", "complaints"] == 0 and pd.isna(dd.loc["620724", "on_time_rate"])
    # the totals agree with the overview's KPI (same METRICS.md definition)
    k = queries.complaint_kpis(deadline_con, FEB_MAR).iloc[0]
    allw = ot[ot["route"] == "all"]
    assert (allw["on_time"].sum(), allw["base"].sum()) == (k["on_time"], k["on_time_base"])


# --- the page ------------------------------------------------------------------------------------

def _run(query: dict):
    """Run the app on the resolution page with ``query`` in the URL (a deep link)."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(str(ROOT / "pages/resolution.py"))
    at.run()
    return at


def _metrics(at) -> dict[str, str]:
    """Metric label → value; the cards under a route's heading (**ODR**, **Traditional**) are
    named "route · label"."""
    return {k: m.value for k, m in _metric_cards(at).items()}


def _metric_cards(at) -> dict:
    routes = [x.value.strip("*") for x in at.main.markdown
              if re.fullmatch(r"\*\*(ODR|Traditional|All|传统渠道|全部)\*\*", x.value)]
    cards = list(at.main.metric)
    out = {}
    for i, m in enumerate(cards):
        r = i // 3
        out[f"{routes[r]} · {m.label}" if r < len(routes) else m.label] = m
    return out


CJK = re.compile(r"[\u3400-\u9fff\uff08\uff09\u3001\u3002\uff1a]")
NONE = re.compile(r"\b(None|nan|NaN|NaT)\b")


def _texts(at, skip_columns=()) -> list[str]:
    """Every text a reader sees in the page's elements: headings, captions, markdown, metrics,
    expander and tab labels, notices, widget labels, table cells and headers, and the charts'
    titles, trace names, axis titles, tick labels and hover templates. ``skip_columns``: table
    columns that hold data values (e.g. merchant names)."""
    page = at.main                      # the sidebar (language names, filters) is the frame's
    out = [e.value for e in list(page.subheader) + list(page.caption) + list(page.markdown) + list(page.info)
           + list(page.warning) + list(page.success)]
    for m in page.metric:
        out += [m.label, m.value, m.delta or ""]
    out += [e.label for e in page.expander] + [e.label for e in page.tabs]
    for w in list(page.segmented_control) + list(page.toggle) + list(page.number_input):
        out.append(w.label)
        out += [str(o) for o in getattr(w, "options", [])]       # the formatted option labels
    for tbl in list(page.table) + list(page.dataframe):
        df = tbl.value
        out += [str(c) for c in df.columns]
        for c in df.columns:
            if c not in skip_columns:
                out += [str(v) for v in df[c]]
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        lay = spec.get("layout", {})
        out.append(str((lay.get("title") or {}).get("text", "")))
        for k, ax in lay.items():
            if k.startswith(("xaxis", "yaxis")):
                out.append(str((ax.get("title") or {}).get("text", "")))
                out += [str(x) for x in ax.get("ticktext") or []]
        out += [str(a.get("text", "")) for a in lay.get("annotations", [])]
        for tr in spec.get("data", []):
            out += [str(tr.get("name", "")), str(tr.get("hovertemplate", ""))]
            if tr.get("orientation") == "h" and tr.get("type") == "bar":
                out += [str(x) for x in tr.get("text") or []]
    return out


def _chart(at, title_part: str) -> dict:
    for spec in chart_specs(at):
        if title_part in str((spec.get("layout", {}).get("title") or {}).get("text", "")):
            return spec
    raise AssertionError(f"no chart titled like {title_part!r}")


def _english_clean(at, skip_columns=()) -> None:
    """No Chinese (outside data columns) and no None/nan in the page's texts."""
    texts = _texts(at, skip_columns)
    assert texts
    chinese = [x for x in texts if CJK.search(x)]
    assert chinese == [], chinese[:5]
    nones = [x for x in texts if NONE.search(x)]
    assert nones == [], nones[:5]


def test_page_default_view(app_env):
    """Above the fold: the key numbers and the curve that counts open cases; of the four section
    tabs only the first (the distribution) is built."""
    at = _run({"lang": "en"})
    assert errors(at) == []
    assert at.title[0].value == "Resolution time"
    m = _metrics(at)
    assert re.fullmatch(r"\d+(\.\d)? days?", m["ODR · Median time"])
    assert "closed cases only" in _metric_cards(at)["ODR · Median time"].delta
    assert "Traditional · Closed within 10 working days" in m and "Traditional · 9 in 10 closed within" in m
    assert any(re.search(r"Traditional: [\d,]+ of [\d,]+ complaints are still open \(oldest \d+ days?\)", x.value)
               for x in at.main.markdown)
    # the source of the claim is named
    assert "local news report from Zhangye" in at.caption[1].value or any(
        "local news report from Zhangye" in c.value and "March 2024" in c.value for c in at.caption)
    headers = [h.value for h in at.subheader]
    assert headers == ["Time to close, counting the open cases", "Distribution of resolution time (closed complaints)"]
    assert [tb.label for tb in at.tabs] == ["Time spread", "By week", "ODR vs traditional", "Deadlines"]
    titles = [s["layout"]["title"]["text"] for s in chart_specs(at)]
    assert len(titles) == 2 and "Share of complaints still open" in titles[0]
    # the per-category chart is drawn when its section is opened
    at.session_state["rs_box"] = True
    at.run()
    assert errors(at) == []
    box = _chart(at, "Resolution time by category")
    assert {tr["name"] for tr in box["data"]} == {"ODR", "Traditional"}
    assert all("90th percentile" in tr["hovertemplate"] and "P90" not in tr["hovertemplate"] for tr in box["data"])
    # lazy: the closed "how" expander and the other tabs built nothing
    assert not any("Why the two medians differ" in x.value for x in at.markdown)
    assert "On-time rate" not in m and not at.table
    _english_clean(at)


def test_page_jargon_free_labels(app_env):
    """The method names stay in tooltips and the opened explanation, not on the page's labels."""
    at = _run({"lang": "en"})
    jargon = re.compile(r"Kaplan|closed-only|\bwd\b|\bKM\b|ECDF|Garwood|censor", re.I)
    shown = [x for x in _texts(at) if jargon.search(x)]
    assert shown == []
    # … but the tooltip names the method
    assert "Kaplan–Meier" in _metric_cards(at)["ODR · Median time"].help


def test_page_explanation_opens_with_the_table(app_env, sample_con):
    """The explanation is built when its section is opened: the text and both ways of counting."""
    at = _run({"lang": "en"})
    at.session_state["rs_km_how"] = True
    at.run()
    assert errors(at) == []
    assert any("Why the two medians differ" in x.value for x in at.markdown)
    tbl = at.table[0].value.set_index("Measure")
    f = at.session_state["_filters"]
    s = R.km_summary(sample_con, f, "days", 10).set_index("route")
    assert tbl.loc["Complaints", "Traditional"] == f"{int(s.loc['traditional', 'complaints']):,}"
    assert tbl.loc["Closed within 10 working days (counting open cases)", "ODR"] == \
        f"{s.loc['odr', 'within_n'] * 100:.1f}%"
    _english_clean(at)
def _not_accepted_count(f) -> int:
    """Traditional closed complaints of ``f`` not accepted, counted straight from the database."""
    from analytics import db as _db
    import os
    con = _db.connect(os.environ["ODR_DB"], read_only=True)
    try:
        return int(con.execute("""SELECT count(*) FROM complaints WHERE appeal_type = '投诉' AND NOT is_odr
            AND closed_date IS NOT NULL AND acceptance = '不予受理' AND received_date BETWEEN ? AND ?""",
                               [f.date_from, f.date_to]).fetchone()[0])
    finally:
        con.close()


def test_page_gap_tab_by_link(app_env):
    """A link to the ODR-vs-traditional tab opens it with its content: both measures, raw and
    adjusted, each with an interval, in plain words in English."""
    at = _run({"lang": "en", "rs_tab": "gap"})
    assert errors(at) == []
    assert [h.value for h in at.subheader] == ["Time to close, counting the open cases", "ODR against traditional"]
    gap = at.table[0].value.set_index("")
    assert list(gap.columns) == ["Median time to close (days)", "Settlement rate"]
    assert list(gap.index) == ["ODR", "Traditional", "Gap, raw (95% interval)",
                               "Gap adjusted for category mix (95% interval)"]
    # whole-day medians of the sample: the raw median gap is pinned to the day, and the page says
    # so in words instead of showing "+5.0 – +5.0"
    assert gap.loc["Gap, raw (95% interval)", "Median time to close (days)"] == "+5 days (exact to the day)"
    assert any("is the single value +5 days" in c.value and "whole days" in c.value for c in at.caption)
    assert re.fullmatch(r"[+-]\d+(\.\d)? days \([+-]\d+(\.\d)? days – [+-]\d+(\.\d)? days\)",
                        gap.loc["Gap adjusted for category mix (95% interval)", "Median time to close (days)"])
    assert re.fullmatch(r"[+-]\d+\.\d pp \([+-]\d+\.\d pp – [+-]\d+\.\d pp\)",
                        gap.loc["Gap, raw (95% interval)", "Settlement rate"])
    assert re.fullmatch(r"\d+\.\d% \(n = [\d,]+\)", gap.loc["ODR", "Settlement rate"])
    # the settlement rate leaves the traditional complaints not accepted out, and says how many
    f = at.session_state["_filters"]
    method = next(c.value for c in at.caption if "not accepted are left out" in c.value)
    assert f"{_not_accepted_count(f):,} traditional complaints not accepted" in method
    assert any("Why adjust" in x.value for x in at.markdown)
    # the gap chart is drawn; the deadlines tab is not built
    _chart(at, "Gap with 95% interval")
    assert "On-time rate" not in _metrics(at)
    # the per-category table opens on demand, numbers formatted, no None
    at.session_state["rs_gap_strata"] = True
    at.session_state["rs_gap_how"] = True
    at.run()
    assert errors(at) == []
    strata = next(tb.value for tb in at.table if "Category" in tb.value.columns)
    assert len(strata) > 5 and set(strata["Compared"]) <= {"yes", "no"}
    assert any("order statistics" in x.value for x in at.markdown)
    _english_clean(at)


def test_page_numbers_match_analytics(app_env, sample_con):
    """The page shows what the analytics layer computes (13-week default period)."""
    at = _run({"lang": "en", "rs_unit": "wdays", "rs_n": "5"})
    assert errors(at) == []
    # the controls reproduce the URL
    assert at.segmented_control(key="w:rs_unit").value == "wdays"
    assert at.number_input(key="w:rs_n").value == 5
    f = at.session_state["_filters"]
    s = R.km_summary(sample_con, f, "wdays", 5).set_index("route")
    m = _metrics(at)
    assert m["Traditional · Closed within 5 working days"] == f"{s.loc['traditional', 'within_n'] * 100:.1f}%"
    med = s.loc["traditional", "km_median"]
    assert m["Traditional · Median time"] == (f"{int(med)} working days" if med == int(med)
                                              else f"{med:.1f} working days")
    bullets = " ".join(x.value for x in at.main.markdown)
    assert (f"Traditional: {int(s.loc['traditional', 'open']):,} of {int(s.loc['traditional', 'complaints']):,} "
            "complaints are still open") in bullets


def test_page_route_filter_and_histogram_toggle(app_env):
    at = _run({"lang": "en", "route": "odr", "rs_dist": "ecdf"})
    assert errors(at) == []
    assert at.segmented_control(key="w:rs_dist").value == "ecdf"
    assert _chart(at, "Share closed within a given time")["layout"]["yaxis"]["range"] == [0, 1.02]
    m = _metrics(at)
    assert "ODR · Median time" in m and "Traditional · Median time" not in m
    # the mode is kept in the URL while another tab is open
    at = _run({"lang": "en", "route": "odr", "rs_dist": "ecdf", "rs_tab": "gap"})
    assert errors(at) == []
    assert any("needs closed complaints of both routes" in i.value for i in at.info)
    assert at.query_params["rs_dist"] in ("ecdf", ["ecdf"]) and at.query_params["rs_tab"] in ("gap", ["gap"])


def test_page_week_tab_by_link(app_env):
    """Week ticks read 第10周 in Chinese and Week 10 in English; hovers carry the week's dates."""
    at = _run({"rs_tab": "week"})
    assert errors(at) == []
    spec = _chart(at, "按登记周")
    ticks = spec["layout"]["xaxis"]["ticktext"]
    assert ticks and all(re.fullmatch(r"(\d{4}年)?第\d+周", x) for x in ticks)
    assert "月" in spec["data"][0]["customdata"][0][0]           # 2024年第10周（3月4日–3月10日）
    at = _run({"lang": "en", "rs_tab": "week"})
    spec = _chart(at, "90th percentile by week")
    assert all(re.fullmatch(r"Week \d+(, \d{4})?", x) for x in spec["layout"]["xaxis"]["ticktext"])
    _english_clean(at)


def test_page_empty_period_and_unknown_calendar(app_env):
    at = _run({"lang": "en", "period": "custom", "from": "2027-03-01", "to": "2027-03-31"})
    assert errors(at) == []
    assert any("No data for the selected filters" in i.value for i in at.info)
    warn = " ".join(w.value for w in at.warning)
    assert "2027" in warn and "holidays_extra.csv" in warn


def test_page_chinese(app_env):
    at = _run({})
    assert errors(at) == []
    assert at.title[0].value == "办理时效"
    assert "传统渠道 · 中位用时" in _metrics(at)
    assert any("张掖市的一篇本地新闻报道" in c.value for c in at.caption)
    texts = _texts(at)
    assert not [x for x in texts if NONE.search(x)]
    assert not [x for x in texts if re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", x)]


def test_page_deadlines_tab_by_link(app_env, sample_con):
    """A link to the deadlines tab opens it: the on-time rate on a 0–100% axis, the district table,
    and the overdue list by district (every received date by default; the URL toggle restricts it
    to the period). Counts match the analytics layer; English mode shows no Chinese outside data
    values (merchant names) and no None."""
    at = _run({"lang": "en", "rs_tab": "deadlines"})
    assert errors(at) == []
    m = _metrics(at)
    assert re.fullmatch(r"\d+(\.\d)?%", m["On-time rate"])
    assert re.fullmatch(r"[\d,]+ of [\d,]+", next(x.delta for x in at.metric if x.label == "On-time rate"))
    weekly = _chart(at, "On-time rate by week of receipt")
    assert weekly["layout"]["yaxis"]["range"][0] == 0 and weekly["layout"]["yaxis"]["range"][1] >= 1
    assert weekly["layout"]["yaxis"]["tickvals"] == [0, 0.25, 0.5, 0.75, 1.0]
    dtbl = at.table[0].value
    assert list(dtbl.columns)[0] == "District" and "Gaotai" in set(dtbl["District"])
    f = at.session_state["_filters"]
    every = R.overdue_open(sample_con, f, all_periods=True)
    assert len(every) > 0
    assert m["Open past the deadline"] == f"{len(every):,}"
    assert _metric_cards(at)["Open past the deadline"].delta == "any received date"
    labels = [e.label for e in at.expander]
    per_district = every.groupby("district_code").size()
    assert sum(1 for lab in labels if "oldest" in lab and "working days" in lab) == len(per_district)
    # open one district's list: translated acceptance, dates via fmt, no None
    code = per_district.index[0]
    at.session_state[f"rs_overdue_{code}"] = True
    at.run()
    assert errors(at) == []
    lst = next(d.value for d in at.dataframe if "Registration no." in d.value.columns)
    assert len(lst) == per_district.iloc[0]
    assert set(lst["Acceptance"]) <= {"Accepted", "Not accepted", "Not yet decided", "No such step (ODR)"}
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4}", d) for d in lst["Received"])
    _english_clean(at, skip_columns=("Business complained about",))
    at = _run({"lang": "en", "rs_tab": "deadlines", "period": "custom", "from": "2022-01-01",
               "to": "2022-06-30", "rs_overdue_period": "1"})
    assert errors(at) == []
    assert at.toggle(key="w:rs_overdue_period").value is True
    f = at.session_state["_filters"]
    in_period = R.overdue_open(sample_con, f)
    assert 0 < len(in_period) < len(every)
    assert _metrics(at)["Open past the deadline"] == f"{len(in_period):,}"
    assert _metric_cards(at)["Open past the deadline"].delta == "received in the period"


# --- the percentile rule, Kaplan–Meier against statsmodels, and coverage by simulation ---------------
# Shapes of the sample (2023-01-01..2024-03-14): closed ODR complaints by whole days to close, and
# traditional ones; the ODR and traditional closed complaints per category.
ODR_DAYS = np.array([232, 161, 55, 11, 20, 17, 21, 25, 15, 19, 9], dtype=float)
TRAD_DAYS = np.array([0, 78, 86, 237, 403, 515, 397, 340, 250, 222, 107, 86, 61, 70, 88, 72, 52, 18, 5, 3, 2, 5],
                     dtype=float)
N_ODR_CAT = np.array([5, 7, 10, 10, 10, 12, 18, 19, 21, 22, 22, 28, 28, 31, 34, 48, 50, 52, 63, 90])
N_TRAD_CAT = np.array([97, 120, 66, 84, 105, 32, 78, 90, 69, 111, 100, 135, 117, 38, 66, 134, 132, 141, 269, 241])
DAYS = np.arange(60, dtype=float)


def _pmf(counts, shift=0):
    p = np.zeros(len(DAYS))
    p[shift:shift + len(counts)] = counts / counts.sum()
    return p


def _true_median(p):
    """quantile_cont of the population (the limit of the sample's): F⁻¹(½), or the midpoint of the
    two days when F reaches ½ exactly."""
    cdf = np.cumsum(p)
    i = int(np.searchsorted(cdf, 0.5 - 1e-12))
    return (DAYS[i] + DAYS[i + 1]) / 2 if abs(cdf[i] - 0.5) < 1e-12 else DAYS[i]


def test_km_quantile_is_quantile_cont_when_nothing_is_open():
    rng = np.random.default_rng(11)
    for _ in range(150):
        x = rng.integers(0, rng.integers(1, 30), rng.integers(1, 60))
        v, k = np.unique(x, return_counts=True)
        km = R.kaplan_meier(v, k)
        for q in (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0):
            # bit for bit the closed-only figure, and NumPy's default percentile
            assert R.km_quantile(km, q) == R.quantile_from_counts(v, k, q)
            assert R.km_quantile(km, q) == pytest.approx(float(np.quantile(x, q)), abs=1e-12)


def test_km_quantile_with_censoring_in_the_middle():
    """Closed after 1, 2, 4, 5 days; one open at age 3 (censored between 2 and 4).
    Weights: 1, 1 for the first two; the open one passes its 1 on to the two after it -> 1.5 each.
    Positions: 0, 1, 2, 3.5; h = q * (N − W_last) = q * (5 − 1.5) = 3.5 q.
    Median: h = 1.75 -> between the 2nd (pos 1, w 1) and the 3rd: 2 + 0.75 * (4 − 2) = 3.5.
    P90: h = 3.15 -> 3rd (pos 2, w 1.5): 4 + (1.15 / 1.5) * (5 − 4) = 4.7667."""
    km = R.kaplan_meier([1, 2, 3, 4, 5], [1, 1, 0, 1, 1], [0, 0, 1, 0, 0])
    assert R.km_quantile(km, 0.5) == pytest.approx(3.5)
    assert R.km_quantile(km, 0.9) == pytest.approx(4 + 1.15 / 1.5)
    # the weights reproduce the curve: mass after the 2nd closing = 1 − 2/5 = 0.6 = 2 × 1.5 / 5
    assert km["surv"].iloc[1] == pytest.approx(0.6)
    assert R.km_quantile(None, 0.5) is None and R.km_quantile(R.kaplan_meier([3], [0], [2]), 0.5) is None


def test_kaplan_meier_matches_statsmodels():
    """The curve against statsmodels' SurvfuncRight; the interval from its Greenwood standard
    error on the log(−log) scale (the interval lifelines and most packages show by default)."""
    survfunc = pytest.importorskip("statsmodels.duration.survfunc")
    z = stats.norm.ppf(0.975)
    rng = np.random.default_rng(5)
    for n in (12, 80, 400):
        t = rng.integers(0, 25, n)
        closed = rng.random(n) < 0.8
        km = R.kaplan_meier(t, closed.astype(int), (~closed).astype(int))
        ref = survfunc.SurvfuncRight(t.astype(float), closed.astype(int))
        at = dict(zip(ref.surv_times, zip(ref.surv_prob, ref.surv_prob_se)))
        checked = 0
        for _, row in km.iterrows():
            if row["t"] not in at:          # statsmodels lists event times only; the curve is flat between
                continue
            s_, se = at[row["t"]]
            assert row["surv"] == pytest.approx(s_, abs=1e-12)
            if 0 < s_ < 1:
                w = z * se / (s_ * abs(np.log(s_)))
                assert row["surv_lo"] == pytest.approx(s_ ** np.exp(w), abs=1e-9)
                assert row["surv_hi"] == pytest.approx(s_ ** np.exp(-w), abs=1e-9)
            checked += 1
        assert checked == len(ref.surv_times)
        # the median: the first time the curve is at or below one half (None if it never is)
        below = [tt for tt, (s_, _) in sorted(at.items()) if s_ <= 0.5]
        assert R.km_time_at(km, 0.5) == (below[0] if below else None)


def _km_draw(rng, n, p, open_share):
    """n whole-day times from pmf p; a share of them still open, censored at a uniform age."""
    t = rng.choice(len(DAYS), n, p=p)
    age = rng.integers(0, 15, n)
    open_ = (rng.random(n) < open_share) & (age < t)
    obs = np.where(open_, age, t)
    return R.kaplan_meier(obs, (~open_).astype(int), open_.astype(int))


@pytest.mark.parametrize("n", [40, 300])
def test_km_curve_intervals_cover(n):
    """Pointwise 95% band of the curve, tied whole-day times of the sample's traditional shape with
    a fifth of the complaints still open: covers S(t) ≥ 93% at each checked day."""
    rng = np.random.default_rng(21 + n)
    p = _pmf(TRAD_DAYS)
    surv = 1 - np.cumsum(p)
    days = [3, 5, 8, 12]
    hits, draws = np.zeros(len(days)), 300
    for _ in range(draws):
        km = _km_draw(rng, n, p, 0.2)
        for i, d in enumerate(days):
            lo, hi = R.km_surv_at(km, d, "surv_lo"), R.km_surv_at(km, d, "surv_hi")
            hits[i] += lo is not None and lo - 1e-12 <= surv[d] <= hi + 1e-12
    assert (hits / draws >= 0.93).all(), hits / draws


def test_km_median_interval_covers():
    rng = np.random.default_rng(8)
    for p in (_pmf(TRAD_DAYS), _pmf(ODR_DAYS)):
        truth, hits, draws = _true_median(p), 0, 300
        for _ in range(draws):
            km = _km_draw(rng, 150, p, 0.2)
            lo, hi = R.km_time_at(km, 0.5, "surv_lo"), R.km_time_at(km, 0.5, "surv_hi")
            med = R.km_quantile(km, 0.5)
            lo, hi = min(lo, med), max(hi, med)
            hits += lo <= truth <= hi
        assert hits / draws >= 0.93


def test_median_gap_interval_covers_with_tied_days():
    """Raw median gap: the distribution-free interval covers ≥ 93% with tied whole-day times —
    at the sample's shape (where it is usually one value: +5 exactly) and in the hard case where
    the population's F is close to ½ at the median day (the sample median then jumps between two
    days and a bootstrap of one sample would not see the other)."""
    from analytics import stats
    rng = np.random.default_rng(3)
    hard = np.zeros(len(DAYS))
    hard[[2, 3, 4, 5]] = [0.499, 0.2, 0.2, 0.101]        # F(2) = 0.499: median 3, just
    cases = [(_pmf(ODR_DAYS), _pmf(TRAD_DAYS), 585, 2400), (_pmf(ODR_DAYS), hard, 40, 60),
             (hard, _pmf(TRAD_DAYS), 300, 300), (_pmf(ODR_DAYS), _pmf(TRAD_DAYS), 8, 12)]
    for pa, pb, na, nb in cases:
        truth, hits, draws = _true_median(pb) - _true_median(pa), 0, 400
        for _ in range(draws):
            ci = stats.median_gap_interval(DAYS, rng.multinomial(na, pa), rng.multinomial(nb, pb))
            hits += ci[0] <= truth <= ci[1]
        assert hits / draws >= 0.93, (na, nb, hits / draws)
    assert stats.median_gap_interval(DAYS, np.eye(len(DAYS), dtype=int)[2] * 6, np.ones(len(DAYS), dtype=int)) is None


def test_adjusted_median_gap_bootstrap_covers():
    """The category-adjusted median gap's stratified bootstrap, at the sample's category sizes
    (min_stratum 5) with shifted ODR / traditional shapes per category: ≥ 93%."""
    rng = np.random.default_rng(17)
    k = len(N_ODR_CAT)
    po = [_pmf(ODR_DAYS, s) for s in rng.integers(0, 3, k)]
    pt = [_pmf(TRAD_DAYS, s) for s in rng.integers(0, 4, k)]
    truth_c = np.array([_true_median(pt[c]) - _true_median(po[c]) for c in range(k)])
    hits, draws = 0, 200
    for _ in range(draws):
        co = np.array([rng.multinomial(N_ODR_CAT[c], po[c]) for c in range(k)])
        ct = np.array([rng.multinomial(N_TRAD_CAT[c], pt[c]) for c in range(k)])
        w = (N_ODR_CAT + N_TRAD_CAT) / (N_ODR_CAT + N_TRAD_CAT).sum()
        boot = R._boot_medians(rng, DAYS, np.stack([co, ct], 1).reshape(-1, len(DAYS)), 400)
        lo, hi = R._ci(w @ (boot[1::2] - boot[0::2]))
        hits += lo - 1e-9 <= w @ truth_c <= hi + 1e-9
    assert hits / draws >= 0.93


@pytest.mark.parametrize("p_odr", [0.8, 0.885, 1.0])
def test_settlement_gap_intervals_cover(p_odr):
    """Settlement-rate gap, raw (Newcombe) and category-adjusted (stratified MOVER-Wilson), at the
    sample's accepted complaints per category; p_odr = 1.0 in every other category is the case
    where the Wald variance of those strata is 0 (the old interval collapsed there)."""
    from analytics import stats
    rng = np.random.default_rng(int(p_odr * 1000))
    k = len(N_ODR_CAT)
    po = np.where(np.arange(k) % 2 == 0, 1.0, 0.9) if p_odr == 1.0 else np.full(k, p_odr)
    pt = rng.uniform(0.6, 0.8, k)
    w = (N_ODR_CAT + N_TRAD_CAT) / (N_ODR_CAT + N_TRAD_CAT).sum()
    truth_adj = w @ (po - pt)
    truth_raw = po @ N_ODR_CAT / N_ODR_CAT.sum() - pt @ N_TRAD_CAT / N_TRAD_CAT.sum()
    hits_adj = hits_raw = 0
    draws = 600
    for _ in range(draws):
        k1, k2 = rng.binomial(N_ODR_CAT, po), rng.binomial(N_TRAD_CAT, pt)
        _, lo, hi = stats.wilson_mover_difference(k1, N_ODR_CAT, k2, N_TRAD_CAT, w)
        hits_adj += lo <= truth_adj <= hi
        _, lo, hi = stats.wilson_mover_difference(k1.sum(), N_ODR_CAT.sum(), k2.sum(), N_TRAD_CAT.sum())
        hits_raw += lo <= truth_raw <= hi
    assert hits_adj / draws >= 0.93 and hits_raw / draws >= 0.93, (hits_adj / draws, hits_raw / draws)


def test_settlement_interval_does_not_collapse_at_100_percent():
    from analytics import stats
    est, lo, hi = stats.wilson_mover_difference([20, 30], [20, 30], [14, 21], [20, 30], [0.4, 0.6])
    assert est == pytest.approx(0.3) and hi - lo > 0.2
    # Wald would be ±1.96·√(Σ w² p₂(1 − p₂)/n₂) only
    wald = Z * math.sqrt(0.16 * 0.21 / 20 + 0.36 * 0.21 / 30)
    assert hi - lo > 2 * wald


def _efron_quantile(times, closed, q):
    """Brute force, one complaint at a time: Efron's redistribute-to-the-right (closings before
    censorings at equal times; complaints still open after the last closing keep their weights, at
    unknown times), then quantile_cont's interpolation over the weighted list."""
    order = sorted(range(len(times)), key=lambda i: (times[i], not closed[i]))
    w = [1.0] * len(times)
    for pos, i in enumerate(order):
        if not closed[i]:
            after = [j for j in order[pos + 1:] if times[j] > times[i]]    # still at risk after its age
            # after the last closing nothing is learnt: the open ones there keep their weights
            if any(closed[j] for j in after):
                for j in after:
                    w[j] += w[i] / len(after)
                w[i] = 0.0
    items = [(times[i], w[i], closed[i]) for i in order if w[i] > 0]
    n = len(times)
    h = q * (n - items[-1][1])
    p = 0.0
    for k, (x, wk, c) in enumerate(items):
        if p + wk > h + 1e-9 or k == len(items) - 1:
            if not c:
                return None
            frac = (h - p) / wk
            if frac < 1e-9:
                return float(x)
            nxt = items[k + 1] if k + 1 < len(items) else None
            if nxt is None or not nxt[2]:
                return None
            return float(x + frac * (nxt[0] - x))
        p += wk
    return None


def test_km_quantile_is_efrons_redistribution_brute_force():
    rng = np.random.default_rng(4)
    for _ in range(150):
        n = int(rng.integers(2, 25))
        t = rng.integers(0, 12, n)
        closed = rng.random(n) < 0.7
        km = R.kaplan_meier(t, closed.astype(int), (~closed).astype(int))
        for q in (0.1, 0.5, 0.9):
            want = _efron_quantile(list(t), list(closed), q)
            got = R.km_quantile(km, q)
            assert (got is None) == (want is None) and (got is None or got == pytest.approx(want)), (t, closed, q)


@pytest.mark.slow
@pytest.mark.parametrize("p_odr", [0.5, 0.7, 0.8, 0.885, 0.95, 1.0])
@pytest.mark.parametrize("sizes", ["sample", "small", "one"])
def test_settlement_gap_intervals_cover_thoroughly(p_odr, sizes):
    """Thorough mode (-m slow): 4,000 draws per case, strata of the sample, of 5–8, or one big one."""
    from analytics import stats
    n1, n2 = {"sample": (N_ODR_CAT, N_TRAD_CAT), "small": (np.array([5, 6, 7, 8]), np.array([8, 10, 12, 20])),
              "one": (np.array([585]), np.array([2443]))}[sizes]
    rng = np.random.default_rng(99)
    po, pt = np.full(len(n1), p_odr), rng.uniform(0.6, 0.8, len(n1))
    w = (n1 + n2) / (n1 + n2).sum()
    truth = w @ (po - pt)
    k1, k2 = rng.binomial(n1, po, (4000, len(n1))), rng.binomial(n2, pt, (4000, len(n1)))
    hits = 0
    for a, b in zip(k1, k2):
        _, lo, hi = stats.wilson_mover_difference(a, n1, b, n2, w)
        hits += lo <= truth <= hi
    assert hits / 4000 >= 0.93


@pytest.mark.slow
@pytest.mark.parametrize("n", [7, 15, 40, 200, 2000])
def test_median_gap_interval_covers_thoroughly(n):
    from analytics import stats
    rng = np.random.default_rng(n)
    hard = np.zeros(len(DAYS))
    hard[[2, 3, 4, 5]] = [0.499, 0.2, 0.2, 0.101]
    for pa, pb in ((_pmf(ODR_DAYS), _pmf(TRAD_DAYS)), (_pmf(ODR_DAYS), hard), (hard, _pmf(TRAD_DAYS, 2))):
        truth, hits = _true_median(pb) - _true_median(pa), 0
        for _ in range(3000):
            ci = stats.median_gap_interval(DAYS, rng.multinomial(n, pa), rng.multinomial(n, pb))
            hits += ci[0] <= truth <= ci[1]
        assert hits / 3000 >= 0.93


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
@pytest.mark.parametrize("f", [Filters(dt.date(2023, 12, 18), dt.date(2024, 3, 14)),
                               Filters(dt.date(2024, 3, 4), dt.date(2024, 3, 10)),
                               Filters(dt.date(2023, 6, 1), dt.date(2023, 6, 30), districts=("620721",))],
                         ids=["13w", "week", "sunan-june"])
def test_headline_median_gap_interval_is_the_resolution_pages(sample_con, f, fast):
    """The overview colours the ODR-vs-traditional median gap only when this interval excludes 0;
    it is the interval the resolution page shows for the raw gap."""
    s = R.route_gap(sample_con, f, fast=fast)["summary"].set_index("metric").loc["median"]
    ci = R.median_gap_interval_raw(sample_con, f, fast=fast)
    if ci is None:
        assert pd.isna(s["raw_lo"]) and pd.isna(s["raw_hi"])
    else:
        assert (ci[0], ci[1]) == (s["raw_lo"], s["raw_hi"])
        assert ci[0] <= s["raw"] <= ci[1]


def test_overview_median_gap_coloured_only_when_beyond_chance(app_env):
    from streamlit.proto.Metric_pb2 import Metric as MetricProto

    from tests.apptest import run_app
    at = run_app(None, {"lang": "en"})
    assert not errors(at)
    m = next(m for m in at.metric if m.label.startswith("Median days"))
    assert m.proto.color == MetricProto.MetricColor.GREEN          # +5 days, interval [5, 5]
    # one week of Sunan: too few closed complaints per route for an interval → never a finding
    at = run_app(None, {"lang": "en", "period": "custom", "from": "2024-03-04", "to": "2024-03-10",
                        "district": "620721"})
    assert not errors(at)
    m = next(m for m in at.metric if m.label.startswith("Median days"))
    assert m.proto.color == MetricProto.MetricColor.GRAY
