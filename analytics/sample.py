"""Deterministic synthetic data of Zhangye (张掖), calibrated to ../shared/domain.md §6.

Everything here is fictional: merchant names are composed from neutral words and never name a
real business. The default sample covers 2022-01-01 to the as-of date 2024-03-14 and reproduces
the article's figures exactly for 2023-01-01..2024-03-14 (see tests/test_sample.py):
152 ODR enterprises, 516 ODR disputes resolved online, 3,725 committed stores, returns of
322.6万元 all completed, 21 demonstration streets, 200 chain stores, 10,154 operators.

``fill(con, rows=N)`` generates N complaints of the same shape (more merchants as N grows),
vectorised with NumPy and written in chunks, so 10 million rows take a few minutes.
"""
from __future__ import annotations

import datetime as dt

import chinese_calendar
import numpy as np
import pandas as pd

from . import build, workdays

SEED = 20240314
START = dt.date(2022, 1, 1)
AS_OF = dt.date(2024, 3, 14)
PROGRAMME_START = dt.date(2023, 1, 1)
DEFAULT_ROWS = 6800           # complaints (投诉); reports come on top
REPORT_SHARE = 0.04           # extra 举报 rows, which no complaint metric counts

# Article targets (domain.md §2)
ODR_ENTERPRISES = 152
ODR_RESOLVED = 516
RETURN_STORES = 3725
RETURN_AMOUNT = 3_226_012.50     # the article's 322.60万余元: 3,226,000 ≤ x < 3,226,100
DEMO = {"street": 21, "chain_store": 200, "operator": 10154}

DISTRICTS = ["620702", "620721", "620722", "620723", "620724", "620725"]
DISTRICT_SHORT = ["甘州", "肃南", "民乐", "临泽", "高台", "山丹"]
DISTRICT_W = np.array([0.52, 0.04, 0.13, 0.11, 0.10, 0.10])
TOURISM_DISTRICT_W = np.array([0.42, 0.20, 0.0, 0.38, 0.0, 0.0])

GOODS = ["食品", "服装鞋帽", "家居用品", "交通工具", "通讯产品", "家用电器", "烟酒饮料", "首饰",
         "化妆品", "药品", "医疗器械", "装修建材", "其他商品"]
GOODS_W = np.array([.20, .12, .07, .08, .10, .10, .05, .03, .05, .05, .03, .06, .06])
SERVICES = ["餐饮和住宿服务", "美容美发洗浴服务", "教育培训服务", "销售服务", "文化娱乐体育服务", "停车服务",
            "制作保养和修理服务", "电信服务", "旅游服务", "金融服务", "其他服务"]
SERVICES_W = np.array([.20, .10, .10, .12, .07, .04, .10, .08, .06, .04, .09])
CATEGORIES = GOODS + SERVICES
CATEGORY_W = np.concatenate([GOODS_W / GOODS_W.sum() * 0.55, SERVICES_W / SERVICES_W.sum() * 0.45])
TOURISM_CATS = ["餐饮和住宿服务", "旅游服务", "停车服务", "文化娱乐体育服务"]
TOURISM_CATS_W = np.array([.38, .30, .14, .18])
SUFFIX = {
    "食品": "食品店", "服装鞋帽": "服饰店", "家居用品": "家居馆", "交通工具": "车行", "通讯产品": "通讯店",
    "家用电器": "电器行", "烟酒饮料": "烟酒行", "首饰": "珠宝行", "化妆品": "美妆店", "药品": "药房",
    "医疗器械": "医疗器械店", "装修建材": "建材店", "其他商品": "百货店", "餐饮和住宿服务": "饭庄",
    "美容美发洗浴服务": "美发店", "教育培训服务": "培训学校", "销售服务": "商贸公司",
    "文化娱乐体育服务": "文体中心", "停车服务": "停车场", "制作保养和修理服务": "修理部",
    "电信服务": "通信营业厅", "旅游服务": "旅行社", "金融服务": "金融服务部", "其他服务": "服务部",
}
SUBCATEGORY = {
    "通讯产品": ["手机", "智能手表", "路由器"], "家用电器": ["空调", "冰箱", "洗衣机", "电视"],
    "交通工具": ["电动自行车", "汽车", "汽车配件"], "食品": ["预包装食品", "生鲜", "保健食品"],
    "餐饮和住宿服务": ["餐饮服务", "住宿服务"], "旅游服务": ["景区服务", "旅行社服务", "导游服务"],
    "教育培训服务": ["职业技能培训", "课外培训"], "美容美发洗浴服务": ["美容", "美发", "洗浴"],
}
NAME_A = ["青禾", "云杉", "松石", "白桦", "麦浪", "山泉", "晴川", "木兰", "石榴", "星河", "青稞", "沙枣",
          "胡杨", "雪峰", "燕语", "柳岸", "枫林", "晓月", "南风", "北辰", "清溪", "甘泉", "祥云", "雨田",
          "丰禾", "金穗", "银杏", "石竹", "紫苏", "蓝湖", "远山", "暖阳"]
NAME_B = ["", "惠民", "邻里", "优选", "百姓", "老街", "新城", "东关", "西关", "乐购"]

PROBLEMS = ["质量", "安全", "计量", "价格", "广告", "假冒", "合同", "售后服务", "人格尊严", "虚假宣传",
            "商标", "食品安全", "不正当竞争", "个人信息", "其他"]
PROBLEM_W_GOODS = np.array([.30, .03, .04, .08, .02, .04, .10, .20, .01, .07, .01, .05, .01, .01, .03])
PROBLEM_W_SERV = np.array([.12, .04, .01, .15, .02, .00, .30, .15, .04, .08, .00, .02, .00, .03, .04])
CHANNELS_TRAD = ["12315热线", "12315平台", "APP", "微信小程序", "支付宝小程序", "来信来访", "12345转办", "市长信箱"]
CHANNELS_TRAD_W = np.array([.30, .22, .10, .14, .03, .03, .15, .03])
CHANNELS_ODR = ["12315平台", "APP", "微信小程序", "支付宝小程序", "ODR"]
CHANNELS_ODR_W = np.array([.30, .20, .30, .05, .15])
TRAD_OUTCOMES = ["调解成功", "调解不成功", "终止调解", "撤回", "自行和解"]
TRAD_OUTCOMES_W = np.array([.72, .14, .06, .05, .03])
RETURN_RESULTS = ["已退货", "已退款", "已换货"]

STREET_NAMES = ["丹霞", "湿地", "大佛寺", "钟鼓楼", "明清", "西来寺", "润泉", "黑河", "祁连", "焉支",
                "合黎", "骆驼城", "七彩", "马蹄", "平山湖", "玉水", "金张掖", "古驿", "甘泉", "双塔", "月牙"]
STREET_KIND = ["美食街区", "步行街", "商圈", "文化街区", "夜市街区", "特色街区", "购物商圈"]


def _epoch_days(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def _days_array(a: dt.date, b: dt.date) -> np.ndarray:
    return np.arange(np.datetime64(a), np.datetime64(b) + 1, dtype="datetime64[D]")


def _day_weights(days: np.ndarray) -> np.ndarray:
    """Relative complaint intake per day: weekday/weekend, growth, Spring Festival, 3·15."""
    pdays = pd.DatetimeIndex(days)
    w = np.ones(len(days))
    w[pdays.day_of_week >= 5] = 0.5
    w *= np.select([pdays.year <= 2022, pdays.year == 2023], [0.93, 1.0], 1.07)
    iso = pdays.isocalendar()
    first, last = workdays.package_years()
    for i, d in enumerate(pdays.date):
        if first <= d.year <= last:
            on, name = chinese_calendar.get_holiday_detail(d)
        else:                       # a year the official calendar does not know: plain weekends
            on, name = d.weekday() >= 5, None
        if name == "Spring Festival" and on:
            w[i] = 0.45 * w[i] / (0.5 if d.weekday() >= 5 else 1.0)  # the week at about -50%
        elif on and d.weekday() < 5:
            w[i] *= 0.6
    march15 = {y: dt.date(y, 3, 15).isocalendar()[:2] for y in set(pdays.year)}
    wk = np.array([march15[y] == (iy, iw) for y, iy, iw in zip(pdays.year, iso.year, iso.week)])
    w[wk] *= 1.3
    summer = (pdays.month >= 7) & (pdays.month <= 10)
    w[summer] *= 1.12
    return w


class _Merchants:
    """Merchant registry, with ODR enrolment, return commitments and demonstration naming."""

    def __init__(self, rng: np.random.Generator, scale: float):
        self.rng = rng
        n_base = int(round(16000 * max(1.0, scale) ** 0.5))
        n_chain = int(round(236 * max(1.0, scale) ** 0.5))
        k = len(CATEGORIES)
        # at least one merchant per (district, industry), the rest by weight
        d0 = np.repeat(np.arange(6), k)
        i0 = np.tile(np.arange(k), 6)
        extra = n_base - len(d0)
        d1 = rng.choice(6, extra, p=DISTRICT_W)
        i1 = rng.choice(k, extra, p=CATEGORY_W)
        chain_ind = np.where(rng.random(n_chain) < 0.6, CATEGORIES.index("食品"), CATEGORIES.index("药品"))
        chain_d = rng.choice(6, n_chain, p=DISTRICT_W)
        self.district = np.concatenate([d0, d1, chain_d])
        self.industry = np.concatenate([i0, i1, chain_ind])
        self.is_chain = np.concatenate([np.zeros(n_base, bool), np.ones(n_chain, bool)])
        n = len(self.district)
        self.n = n
        # popularity: heavy tailed, so some merchants draw many complaints
        self.pop = rng.pareto(1.6, n) + 0.2
        self.pop[self.is_chain] *= 4
        self.odr_enrolled = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        self.odr_withdrawn = self.odr_enrolled.copy()
        self.commit = self.odr_enrolled.copy()
        self.commit_withdrawn = self.odr_enrolled.copy()
        self.scale = scale

    def names(self) -> list[str]:
        out, seen = [], {}
        for i in range(self.n):
            a = NAME_A[i % len(NAME_A)]
            b = NAME_B[(i // len(NAME_A)) % len(NAME_B)]
            ind = CATEGORIES[self.industry[i]]
            suffix = ("连锁超市" if ind == "食品" else "连锁大药房") if self.is_chain[i] else SUFFIX[ind]
            base = f"{a}{b}{DISTRICT_SHORT[self.district[i]]}{suffix}"
            c = seen.get(base, 0) + 1
            seen[base] = c
            out.append(base if c == 1 else f"{base}（{c}号店）")
        return out

    def credit_codes(self) -> list[str]:
        # fictional: a fixed prefix "91" + district + "SAMPLE" marker, never a valid real code
        return [f"91{DISTRICTS[self.district[i]]}SY{i:08d}"[:18] for i in range(self.n)]

    def townships(self, table: pd.DataFrame) -> np.ndarray:
        by_d = {c: g["name"].to_numpy() for c, g in table.groupby("district_code")}
        out = np.empty(self.n, dtype=object)
        for di, code in enumerate(DISTRICTS):
            idx = np.nonzero(self.district == di)[0]
            names = by_d[code]
            # the urban streets / county towns take most merchants
            w = np.ones(len(names))
            w[: min(5, len(names))] = 6
            out[idx] = self.rng.choice(names, len(idx), p=w / w.sum())
        return out

    def enrol_odr(self, count_active: int, withdrawn: int) -> None:
        rng = self.rng
        total = count_active + withdrawn
        p = self.pop * np.where(self.is_chain, 3, 1)
        idx = rng.choice(self.n, total, replace=False, p=p / p.sum())
        span = (AS_OF - PROGRAMME_START).days
        offs = np.sort((rng.beta(1.0, 1.8, total) * (span - 5)).astype(int))
        self.odr_enrolled[idx] = np.datetime64(PROGRAMME_START) + offs
        wd = rng.choice(total, withdrawn, replace=False)
        for j in wd:
            e = self.odr_enrolled[idx[j]]
            room = (np.datetime64(AS_OF) - e).astype(int)
            self.odr_withdrawn[idx[j]] = e + max(1, int(rng.uniform(0.4, 0.95) * room))
        self.odr_idx = idx

    def commit_returns(self, count_active: int, withdrawn: int) -> None:
        rng = self.rng
        goods = np.isin(self.industry, [CATEGORIES.index(g) for g in GOODS])
        cand = np.nonzero(goods)[0]
        total = count_active + withdrawn
        idx = rng.choice(cand, total, replace=False)
        span = (AS_OF - PROGRAMME_START).days
        offs = np.sort((rng.beta(1.2, 2.5, total) * span).astype(int))
        self.commit[idx] = np.datetime64(PROGRAMME_START) + offs
        wd = rng.choice(total, withdrawn, replace=False)
        for j in wd:
            e = self.commit[idx[j]]
            room = (np.datetime64(AS_OF) - e).astype(int)
            self.commit_withdrawn[idx[j]] = e + max(1, int(rng.uniform(0.3, 0.95) * room))
        self.commit_idx = idx

    def frame(self, townships: pd.DataFrame) -> pd.DataFrame:
        days = np.where(self.commit.astype("int64") == np.datetime64("NaT").astype("int64"), None, 7)
        return pd.DataFrame({
            "merchant_id": _ids("M", 0, self.n, 7),
            "name": self.names(),
            "credit_code": self.credit_codes(),
            "district_code": np.array(DISTRICTS)[self.district],
            "township": self.townships(townships),
            "industry": np.array(CATEGORIES)[self.industry],
            "is_chain": self.is_chain,
            "odr_enrolled_date": self.odr_enrolled,
            "odr_withdrawn_date": self.odr_withdrawn,
            "return_commit_date": self.commit,
            "return_withdrawn_date": self.commit_withdrawn,
            "return_commit_days": pd.array(days, dtype="Int32"),
        })


def _complaints(rng, recv_day: np.ndarray, n_reports: int, m: _Merchants, merchants_df: pd.DataFrame,
                calibrate: bool) -> pd.DataFrame:
    """One row per received day in ``recv_day`` (sorted), ``n_reports`` of which are reports (举报)."""
    n = len(recv_day)
    pdays = pd.DatetimeIndex(recv_day)
    month = pdays.month.to_numpy()

    # district and category, with the summer tourism lift in 临泽/甘州/肃南
    district = rng.choice(6, n, p=DISTRICT_W)
    cat = rng.choice(len(CATEGORIES), n, p=CATEGORY_W)
    summer = (month >= 7) & (month <= 10)
    tour = summer & (rng.random(n) < 0.22)
    district[tour] = rng.choice(6, tour.sum(), p=TOURISM_DISTRICT_W)
    cat[tour] = np.array([CATEGORIES.index(c) for c in TOURISM_CATS])[rng.choice(4, tour.sum(), p=TOURISM_CATS_W)]

    # merchant: within (district, industry), weighted by popularity
    key_m = m.district * len(CATEGORIES) + m.industry
    order = np.lexsort((-m.pop, key_m))
    sorted_keys = key_m[order]
    kk = len(CATEGORIES) * 6
    starts = np.searchsorted(sorted_keys, np.arange(kk))
    counts = np.bincount(key_m, minlength=kk)
    key_c = district * len(CATEGORIES) + cat
    u = rng.random(n) ** 2.2  # skew toward the popular end
    merchant = order[starts[key_c] + (u * counts[key_c]).astype(int)]

    # ODR: from 2023, among enterprises enrolled by the received date
    odr_order = m.odr_idx[np.argsort(m.odr_enrolled[m.odr_idx])]
    odr_dates = m.odr_enrolled[odr_order]
    enrolled_n = np.searchsorted(odr_dates, recv_day, side="right")
    p_odr = 0.205 * np.minimum(1.0, enrolled_n / max(1, 0.75 * len(odr_order)))
    is_odr = (recv_day >= np.datetime64(PROGRAMME_START)) & (enrolled_n > 0) & (rng.random(n) < p_odr)
    pick = (rng.random(n) ** 1.5 * np.maximum(enrolled_n, 1)).astype(int)
    odr_merchant = odr_order[np.minimum(pick, len(odr_order) - 1)]
    wdr = m.odr_withdrawn[odr_merchant]
    still = np.isnat(wdr) | (wdr > recv_day)
    is_odr &= still
    merchant = np.where(is_odr, odr_merchant, merchant)
    district = np.where(is_odr, m.district[merchant], district)
    cat = np.where(is_odr, m.industry[merchant], cat)
    is_goods = cat < len(GOODS)

    # reports (举报): a share of rows that no complaint metric counts
    is_report = np.zeros(n, bool)
    is_report[rng.choice(np.nonzero(~is_odr)[0], n_reports, replace=False)] = True

    channel = np.where(
        is_odr,
        np.array(CHANNELS_ODR, dtype=object)[rng.choice(len(CHANNELS_ODR), n, p=CHANNELS_ODR_W)],
        np.array(CHANNELS_TRAD, dtype=object)[rng.choice(len(CHANNELS_TRAD), n, p=CHANNELS_TRAD_W)])
    problem = np.where(is_goods,
                       rng.choice(len(PROBLEMS), n, p=PROBLEM_W_GOODS / PROBLEM_W_GOODS.sum()),
                       rng.choice(len(PROBLEMS), n, p=PROBLEM_W_SERV / PROBLEM_W_SERV.sum()))
    food = np.isin(cat, [CATEGORIES.index("食品"), CATEGORIES.index("餐饮和住宿服务")])
    problem = np.where((problem == PROBLEMS.index("食品安全")) & ~food, PROBLEMS.index("质量"), problem)

    # time of day: hotline hours mostly
    secs = (rng.normal(13.5, 3.0, n).clip(7.5, 22.5) * 3600).astype("int64")
    received_at = recv_day.astype("datetime64[s]") + secs

    # handling
    rejected = (~is_odr) & (rng.random(n) < 0.22)
    accepted_off = np.where(is_odr, 0, rng.choice([0, 1, 1, 2, 2, 3, 4, 5], n))
    r = rng.random(n)
    odr_days = np.select([r < .45, r < .75, r < .88], [0, 1, 2], rng.integers(3, 10, n))
    r2 = rng.random(n)
    trad_days = np.select([r2 < .55, r2 < .80, r2 < .97],
                          [rng.integers(3, 6, n), rng.integers(6, 10, n), rng.integers(10, 16, n)],
                          rng.integers(16, 46, n))
    rej_days = rng.integers(1, 10, n)
    days_to_close = np.where(is_odr, odr_days, np.where(rejected, rej_days, trad_days + accepted_off // 2))
    outcome = np.where(
        is_odr, np.where(rng.random(n) < 0.885, "和解", "协商不成转办"),
        np.where(rejected, "不予受理",
                 np.array(TRAD_OUTCOMES, dtype=object)[rng.choice(len(TRAD_OUTCOMES), n, p=TRAD_OUTCOMES_W)]))
    outcome = outcome.astype(object)
    # ODR failures take longer before they are handed over
    days_to_close = np.where(is_odr & (outcome == "协商不成转办"), rng.integers(4, 11, n), days_to_close)
    closed_day = recv_day + days_to_close
    stuck = rng.random(n) < 0.006
    is_open = (closed_day > np.datetime64(AS_OF)) | stuck
    close_secs = (rng.uniform(9, 18, n) * 3600).astype("int64")
    closed_at = closed_day.astype("datetime64[s]") + close_secs
    closed_at = np.maximum(closed_at, received_at + 600)
    closed_day = closed_at.astype("datetime64[D]")
    is_open |= closed_day > np.datetime64(AS_OF)

    if calibrate:
        # the article: exactly ODR_RESOLVED ODR disputes settled online 2023-01-01..AS_OF
        in_window = is_odr & ~is_open & (closed_day >= np.datetime64(PROGRAMME_START)) & ~is_report
        settled = np.nonzero(in_window & (outcome == "和解"))[0]
        failed = np.nonzero(in_window & (outcome == "协商不成转办"))[0]
        diff = len(settled) - ODR_RESOLVED
        if diff > 0:
            flip = rng.choice(settled, diff, replace=False)
            outcome[flip] = "协商不成转办"
        elif diff < 0:
            if -diff > len(failed):
                raise RuntimeError("sample cannot reach the ODR resolved target")
            flip = rng.choice(failed, -diff, replace=False)
            outcome[flip] = "和解"

    accepted_day = np.where(rejected, np.datetime64("NaT"), recv_day + accepted_off)
    accepted_day = np.where(is_odr, recv_day, accepted_day).astype("datetime64[D]")
    accepted_day = np.where(accepted_day > np.datetime64(AS_OF), np.datetime64("NaT"), accepted_day)
    # a not-accepted decision is recorded as its decision (closed) date
    acceptance = np.where(rejected, "不予受理", "受理").astype(object)
    outcome_raw = outcome.copy()
    odr_settled = is_odr & (outcome == "和解")
    outcome_raw[odr_settled] = "已和解(ODR)"
    outcome = np.where(is_open, None, outcome)
    outcome_raw = np.where(is_open, None, outcome_raw)
    closed_at = np.where(is_open, np.datetime64("NaT"), closed_at)
    closed_day = np.where(is_open, np.datetime64("NaT"), closed_day)
    acceptance = np.where(is_open & rejected, None, acceptance)

    disputed = np.round(np.exp(rng.normal(np.log(400), 1.9, n)).clip(10, 500_000), 0)
    settled_any = np.isin(outcome.astype(str), ["和解", "调解成功", "自行和解"])
    recovered = np.where(settled_any, np.round(disputed * rng.uniform(0.05, 0.45, n), 2), 0.0)

    sub = np.full(n, None, dtype=object)
    for c, opts in SUBCATEGORY.items():
        sel = cat == CATEGORIES.index(c)
        sub[sel] = np.array(opts, dtype=object)[rng.integers(0, len(opts), sel.sum())]

    mdf = merchants_df
    return pd.DataFrame({
        "i": np.arange(n),
        "appeal_type": np.where(is_report, "举报", "投诉"),
        "received_at": received_at,
        "received_date": recv_day,
        "accepted_date": accepted_day,
        "acceptance": acceptance,
        "closed_at": closed_at,
        "closed_date": closed_day,
        "channel": channel,
        "is_odr": is_odr,
        "object_class": np.where(is_goods, "商品", "服务"),
        "category": np.array(CATEGORIES, dtype=object)[cat],
        "subcategory": sub,
        "problem": np.array(PROBLEMS, dtype=object)[problem],
        "outcome": outcome,
        "outcome_raw": outcome_raw,
        "district_code": np.array(DISTRICTS, dtype=object)[district],
        "township": mdf["township"].to_numpy()[merchant],
        "merchant_id": mdf["merchant_id"].to_numpy()[merchant],
        "merchant_name": mdf["name"].to_numpy()[merchant],
        "credit_code": mdf["credit_code"].to_numpy()[merchant],
        "disputed_yuan": disputed,
        "recovered_yuan": recovered,
    })


def _returns(rng, m: _Merchants, merchants_df: pd.DataFrame, scale: float) -> pd.DataFrame:
    stores = m.commit_idx
    n_ret = int(round(17000 * scale))
    active = rng.random(len(stores)) > 0.22          # about a fifth of commitments stay dormant
    weight = np.where(active, rng.lognormal(0, 1.0, len(stores)), 0.0)
    pick = stores[rng.choice(len(stores), n_ret, p=weight / weight.sum())]
    start = m.commit[pick]
    end = np.where(np.isnat(m.commit_withdrawn[pick]), np.datetime64(AS_OF), m.commit_withdrawn[pick] - 1)
    span = (end - start).astype(int)
    ok = span >= 0
    pick, start, span = pick[ok], start[ok], span[ok]
    n_ret = len(pick)
    ret_day = start + (rng.random(n_ret) * (span + 1)).astype(int)
    purchase = ret_day - rng.integers(0, 8, n_ret)
    raw = rng.lognormal(np.log(120), 0.9, n_ret)
    target = RETURN_AMOUNT * scale
    cents = np.floor(raw / raw.sum() * target * 100).astype("int64").clip(100, None)
    cents[np.argmax(cents)] += int(round(target * 100)) - int(cents.sum())
    mdf = merchants_df
    order = np.argsort(ret_day, kind="stable")
    return pd.DataFrame({
        "return_id": _ids("R", 0, n_ret, 8),
        "merchant_id": mdf["merchant_id"].to_numpy()[pick][order],
        "store_name": mdf["name"].to_numpy()[pick][order],
        "credit_code": mdf["credit_code"].to_numpy()[pick][order],
        "district_code": mdf["district_code"].to_numpy()[pick][order],
        "purchase_date": purchase[order],
        "return_date": ret_day[order],
        "goods_category": mdf["industry"].to_numpy()[pick][order],
        "amount_yuan": cents[order] / 100.0,
        "result": np.array(RETURN_RESULTS, dtype=object)[rng.choice(3, n_ret, p=[.7, .2, .1])],
        "completed": np.ones(n_ret, bool),
        "source": "sample",
    })


def _demo_units(rng, m: _Merchants, merchants_df: pd.DataFrame, scale: float) -> pd.DataFrame:
    s = max(1.0, scale) ** 0.5
    rows = []
    span = (AS_OF - dt.date(2022, 6, 1)).days

    def named(k, withdrawn):
        offs = np.sort(rng.integers(0, span + 1, k))
        d = np.datetime64(dt.date(2022, 6, 1)) + offs
        wd = np.full(k, np.datetime64("NaT"), dtype="datetime64[D]")
        if withdrawn:
            j = rng.choice(k, withdrawn, replace=False)
            wd[j] = d[j] + ((np.datetime64(AS_OF) - d[j]).astype(int) * rng.uniform(0.3, 0.95, withdrawn)).astype(int) + 1
        return d, wd

    # streets and business districts
    n_st, w_st = int(round(DEMO["street"] * s)), 2
    d, wd = named(n_st + w_st, w_st)
    sd = rng.choice(6, n_st + w_st, p=[.45, .10, .12, .13, .10, .10])
    for i in range(n_st + w_st):
        nm = f"{STREET_NAMES[i % len(STREET_NAMES)]}{STREET_KIND[i % len(STREET_KIND)]}"
        if i >= len(STREET_NAMES):
            nm += f"{i // len(STREET_NAMES) + 1}"
        rows.append((f"S{i:05d}", nm, "street", "示范街区/商圈", DISTRICTS[sd[i]], None, d[i], wd[i]))
    # chain supermarkets and pharmacies
    chain = np.nonzero(m.is_chain)[0]
    n_ch, w_ch = int(round(DEMO["chain_store"] * s)), 6
    pick = rng.choice(chain, n_ch + w_ch, replace=False)
    d, wd = named(n_ch + w_ch, w_ch)
    for j, i in enumerate(pick):
        rows.append((f"C{j:05d}", merchants_df["name"].iat[i], "chain_store", "连锁示范商超/药店",
                     merchants_df["district_code"].iat[i], merchants_df["merchant_id"].iat[i], d[j], wd[j]))
    # operators
    others = np.nonzero(~m.is_chain)[0]
    n_op, w_op = int(round(DEMO["operator"] * s)), 118
    pick = rng.choice(others, n_op + w_op, replace=False)
    d, wd = named(n_op + w_op, w_op)
    for j, i in enumerate(pick):
        rows.append((f"O{j:06d}", merchants_df["name"].iat[i], "operator", "示范经营户",
                     merchants_df["district_code"].iat[i], merchants_df["merchant_id"].iat[i], d[j], wd[j]))
    df = pd.DataFrame(rows, columns=["unit_id", "name", "unit_type", "type_label", "district_code",
                                     "merchant_id", "named_date", "withdrawn_date"])
    df["source"] = "sample"
    return df


def fill(con, rows: int | None = None, seed: int = SEED, progress=None) -> None:
    """Fill an empty database (schema and reference data present) with the sample."""
    n = int(rows or DEFAULT_ROWS)
    calibrate = rows is None or n == DEFAULT_ROWS
    scale = n / DEFAULT_ROWS
    rng = np.random.default_rng(seed)
    m = _Merchants(rng, scale)
    ms = max(1.0, scale) ** 0.5
    m.enrol_odr(int(round(ODR_ENTERPRISES * ms)), int(round(8 * ms)))
    m.commit_returns(int(round(RETURN_STORES * ms)), int(round(75 * ms)))
    townships = pd.DataFrame(con.execute("SELECT name, district_code FROM townships ORDER BY district_code, name").fetchall(),
                                   columns=["name", "district_code"])
    mdf = m.frame(townships)
    con.register("m_df", mdf)
    con.execute("INSERT INTO merchants SELECT * FROM m_df")
    con.unregister("m_df")

    # rows in received-date order (DuckDB's zone maps then prune by period), in chunks of whole days
    n_reports = int(round(n * REPORT_SHARE))
    total = n + n_reports
    days = _days_array(START, AS_OF)
    w = _day_weights(days)
    per_day = rng.multinomial(total, w / w.sum())
    cum = np.cumsum(per_day)
    chunk = 2_000_000
    done, part, row_offset, reports_left, day0 = 0, 0, 0, n_reports, 0
    while day0 < len(days):
        day1 = int(np.searchsorted(cum, cum[day0] - per_day[day0] + chunk, side="right"))
        day1 = max(day1, day0 + 1)
        recv = np.repeat(days[day0:day1], per_day[day0:day1])
        k_rep = reports_left if day1 >= len(days) else int(round(len(recv) * n_reports / total))
        reports_left -= k_rep
        c = _complaints(np.random.default_rng([seed, part]), recv, k_rep, m, mdf, calibrate)
        c["reg_no"] = _fast_reg_no(c["received_date"].to_numpy(), row_offset)
        row_offset += len(c)
        k = len(c) - k_rep
        day0 = day1
        c = c.drop(columns=["i"])
        c["source"] = "sample"
        con.register("complaints_sample_chunk", c)
        build.insert_complaints(con, "complaints_sample_chunk")
        con.unregister("complaints_sample_chunk")
        done += k
        part += 1
        if progress:
            progress(done, n)

    ret = _returns(rng, m, mdf, ms if not calibrate else 1.0)
    con.register("r_df", ret)
    con.execute("INSERT INTO returns SELECT * FROM r_df")
    con.unregister("r_df")
    demo = _demo_units(rng, m, mdf, scale if not calibrate else 1.0)
    con.register("d_df", demo)
    con.execute("INSERT INTO demo_units SELECT * FROM d_df")
    con.unregister("d_df")
    build.set_meta(con, dataset="sample", as_of=AS_OF.isoformat(), data_from=START.isoformat(),
                   sample_rows=n, sample_seed=seed,
                   data_version=f"sample-{seed}-{n}")
    build.refresh_aggregates(con)


def _ids(prefix: str, start: int, n: int, width: int) -> np.ndarray:
    return (prefix + pd.Series(np.arange(start, start + n)).astype(str).str.zfill(width)).to_numpy(dtype=object)


def _fast_reg_no(days: np.ndarray, offset: int) -> np.ndarray:
    ymd = pd.DatetimeIndex(days).strftime("%Y%m%d").to_numpy(dtype=object)
    seq = pd.Series(np.arange(offset, offset + len(days))).astype(str).str.zfill(8).to_numpy(dtype=object)
    return "ZY" + ymd + seq
