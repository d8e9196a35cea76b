"""Sentences of the briefing, made from the facts by templates (Chinese and English).

Rules: every sentence comes from a template filled with computed values (no free text, no
model); a change is stated only when the facts' verdict says it is beyond chance ("up"/"down"),
otherwise the template says "基本持平" / "about the same"; every number is formatted the way the
pages format it (ui/fmt.py, which needs no Streamlit runtime).
"""
from __future__ import annotations

import os

from ui import fmt
from ui.i18n import CATALOGUE, label
from ui.i18n import t as _t

CITY = {"zh": "张掖市", "en": "Zhangye"}

# --- number formats: ui/fmt.py, the one formatting module the pages use too -----------------------


fmt_int = fmt.num
fmt_pct = fmt.pct


def fmt_num(x, nd: int = 1) -> str:
    return fmt.num(x, nd)


def fmt_yuan(x, lang: str) -> str:
    return fmt.yuan(x, lang, nd=2)


fmt_date = fmt.date


def city(lang: str) -> str:
    return os.environ.get("ODR_CITY_EN" if lang == "en" else "ODR_CITY") or CITY[lang]


def week_span(week: dict, lang: str) -> str:
    """3月4日—3月10日 (years shown when the week straddles two years)."""
    a, b = week["start"], week["end"]
    both = a.year != b.year
    sep = "—" if lang == "zh" else " – "
    return fmt_date(a, lang, both) + sep + fmt_date(b, lang, both)


# --- templates ------------------------------------------------------------------------------------

Z = {
    "title": "{city}消费维权工作周报",
    "week": "{year}年第{n}周，{span}",
    "partial": "（不完整周，截至{date}）",
    "meta": "数据截至{as_of} · 数据版本 {version}",
    "sample": "本简报基于合成示例数据，数字不代表真实情况。",
    "s.volume": "一、投诉总体情况",
    "s.handling": "二、办理情况",
    "s.hot": "三、投诉热点",
    "s.districts": "四、区县情况",
    "s.programmes": "五、无理由退货与 ODR",
    "s.method": "方法说明",
    "empty": "本周未登记投诉。",
    "volume": "本周共登记投诉{n}件，其中经 ODR 企业直接处理{odr}件。",
    "wow.same": "与上周（{label}，{p}件）基本持平。",
    "wow.up": "较上周（{label}，{p}件）增加{d}件，增长{pct}，增幅超出随机波动。",
    "wow.down": "较上周（{label}，{p}件）减少{d}件，下降{pct}，降幅超出随机波动。",
    "yoy.same": "与去年同期（{label}，{p}件）基本持平。",
    "yoy.up": "较去年同期（{label}，{p}件）增加{d}件，增幅超出随机波动。",
    "yoy.down": "较去年同期（{label}，{p}件）减少{d}件，降幅超出随机波动。",
    "yoy.none": "去年同期无完整数据，不作同比。",
    "band.none": "历史数据不足，本周不给出预期区间。",
    "band99.ok": "按趋势模型，本周预期投诉{e}件，{conf}预测区间为{lo}至{hi}件，实际数处于正常波动范围之内。",
    "band99.high": "按趋势模型，本周预期投诉{e}件，{conf}预测区间为{lo}至{hi}件，实际数高于区间上限，属异常偏高，建议关注。",
    "band99.low": "按趋势模型，本周预期投诉{e}件，{conf}预测区间为{lo}至{hi}件，实际数低于区间下限，属异常偏低。",
    "closure": "本周登记的投诉已办结{closed}件，办结率{rate}。",
    "closure.noage": "办结率随投诉办理时间增长而上升，尚无同等时长的往期数据可比，本简报不作环比。",
    "closure.same": "按同等办理时长比较，与上周（{prev}）基本持平。",
    "closure.up": "按同等办理时长比较，高于上周（{prev}），差异超出随机波动。",
    "closure.down": "按同等办理时长比较，低于上周（{prev}），差异超出随机波动。",
    "on_time": "按期办结率{rate}（按期办结{k}件，应办结{n}件）。",
    "on_time.none": "本周投诉均未到办理期限，暂无按期办结率。",
    "on_time.same": "与上周（{prev}）基本持平。",
    "on_time.up": "高于上周（{prev}），差异超出随机波动。",
    "on_time.down": "低于上周（{prev}），差异超出随机波动。",
    "routes": "已办结投诉的办理天数中位数：ODR 渠道{odr}天，传统渠道{trad}天。",
    "routes.same": "两渠道的差异在随机波动范围内。",
    "routes.odr_faster": "ODR 渠道快{gap}天（95%区间{lo}至{hi}天）。",
    "routes.odr_slower": "ODR 渠道慢{gap}天（95%区间{lo}至{hi}天）。",
    "routes.none": "已办结投诉过少，不比较两渠道的办理时长。",
    "routes.few": "某一渠道已办结投诉不足 7 件，不判断两渠道差异。",
    "top.category": "投诉量居前的商品和服务类别：{items}。",
    "top.problem": "投诉问题主要为：{items}。",
    "item": "{name}{n}件（{share}）",
    "rise": "较上周增加最多的是“{name}”（由{p}件增至{n}件），增幅超出随机波动。",
    "rise.none": "与上周相比，各类别和问题均无超出随机波动的明显上升。",
    "rise.problem": "投诉问题中增加最多的是“{name}”（由{p}件增至{n}件），增幅超出随机波动。",
    "district.flag": "{name}{metric}{value}，{dir}全市（{city}），{verdict}。",
    "district.better": "表现较好",
    "district.worse": "需关注",
    "district.above": "明显高于",
    "district.below": "明显低于",
    "district.none": "各区县每十万人投诉量、办结率、按期办结率和办理天数与全市水平的差异均在随机波动范围内。",
    "overdue": "截至{as_of}，已超过办理期限仍未办结的投诉共{n}件，其中{items}。",
    "overdue.item": "{name}{n}件",
    "overdue.none": "截至{as_of}，没有超过办理期限仍未办结的投诉。",
    "returns": "本周线下七日无理由退货{n}笔，金额{amount}，办结率{rate}；",
    "returns.same": "笔数与上周（{p}笔）基本持平。",
    "returns.up": "笔数较上周（{p}笔）增加，增幅超出随机波动。",
    "returns.down": "笔数较上周（{p}笔）减少，降幅超出随机波动。",
    "returns.none": "本周没有无理由退货记录。",
    "registry": "截至{date}，在册 ODR 企业{odr}家（本周{odr_d}），无理由退货承诺店{stores}家（本周{stores_d}）。",
    "registry.up": "净增{n}家",
    "registry.down": "净减{n}家",
    "registry.zero": "无变化",
    "link": "在线查看本周数据：{url}",
    "chart.band99": "{conf}预测区间",
    "chart.band99.title": "每周投诉量与{conf}预测区间（最近{n}周）",
    "chart.category": "本周投诉量前十的类别（与上周对比）",
    "chart.overdue": "各区县超期未办结投诉（截至{as_of}）",
    "chart.this": "本周",
    "chart.prev": "上周",
    "chart.count": "投诉量",
    "chart.partial": "不完整周",
    "chart.high": "异常偏高",
    "chart.low": "异常偏低",
    "chart.expected": "预期值",
    "chart.ma4": "4周移动平均",
    "chart.last_year": "去年同期",
    "chart.y": "投诉量（件）",
    "chart.overdue.x": "件",
    "metric.per_100k": "每十万人投诉量",
    "metric.closure_rate": "办结率",
    "metric.on_time_rate": "按期办结率",
    "metric.median_days": "办理天数中位数",
    "method": [
        "周为 ISO 周（周一至周日）。投诉按登记日期归属；ODR 指由在册 ODR 企业直接处理的投诉，其余为传统渠道。",
        "“基本持平”表示两个数的差异在 95% 置信水平下不能排除随机波动（件数用精确条件二项检验，比率用 Fisher 精确检验，办结率用按天龄分层的 CMH 检验，与总览页面一致）；类别和问题的比较按比较个数做了 Bonferroni 校正。",
        "按期办结率 = 期限内办结数 ÷（已办结数 + 截至数据日期已超期未办结数）；办结率 = 已办结数 ÷ 登记数，与上周比较时上周投诉只计入同等时长内办结的（同龄比较，与总览页面一致）。",
        "区县“明显高于/低于全市”指该区县指标的 95% 区间不包含全市值；样本过少的指标不作判断。",
        "超期未办结：截至数据日期仍未办结且已过办理期限的投诉（ODR 10 个工作日；传统渠道受理决定 7 个工作日、调解 45 个工作日）。",
    ],
}

E = {
    "title": "{city} consumer complaints: weekly briefing",
    "week": "Week {n} of {year}, {span}",
    "partial": " (partial week, up to {date})",
    "meta": "Data as of {as_of} · data version {version}",
    "sample": "This briefing uses synthetic sample data; its numbers are not real.",
    "s.volume": "1. Complaints",
    "s.handling": "2. Handling",
    "s.hot": "3. Categories and problems",
    "s.districts": "4. Districts",
    "s.programmes": "5. No-reason returns and ODR",
    "s.method": "Method",
    "empty": "No complaint was registered this week.",
    "volume": "{n} complaints were registered this week, {odr} of them handled directly by ODR enterprises.",
    "wow.same": "About the same as the week before ({label}: {p}).",
    "wow.up": "{d} more than the week before ({label}: {p}), up {pct}, beyond chance.",
    "wow.down": "{d} fewer than the week before ({label}: {p}), down {pct}, beyond chance.",
    "yoy.same": "About the same as the same week last year ({label}: {p}).",
    "yoy.up": "{d} more than the same week last year ({label}: {p}), beyond chance.",
    "yoy.down": "{d} fewer than the same week last year ({label}: {p}), beyond chance.",
    "yoy.none": "No whole week last year to compare with.",
    "band.none": "Too little history for an expected range this week.",
    "band99.ok": "The trends model expected {e} complaints this week, {conf} prediction band {lo} to {hi}; the count is within the usual range.",
    "band99.high": "The trends model expected {e} complaints this week, {conf} prediction band {lo} to {hi}; the count is above the band, unusually high.",
    "band99.low": "The trends model expected {e} complaints this week, {conf} prediction band {lo} to {hi}; the count is below the band, unusually low.",
    "closure": "{closed} of this week's complaints are closed, a closure rate of {rate}.",
    "closure.noage": "The closure rate grows as complaints age and no earlier week of equal age is available, so it is not compared.",
    "closure.same": "At equal age, about the same as the week before ({prev}).",
    "closure.up": "At equal age, higher than the week before ({prev}), beyond chance.",
    "closure.down": "At equal age, lower than the week before ({prev}), beyond chance.",
    "on_time": "On-time rate {rate} ({k} closed on time of {n} due).",
    "on_time.none": "No complaint of this week is due yet: no on-time rate.",
    "on_time.same": "About the same as the week before ({prev}).",
    "on_time.up": "Higher than the week before ({prev}), beyond chance.",
    "on_time.down": "Lower than the week before ({prev}), beyond chance.",
    "routes": "Median days to close: ODR {odr}, traditional {trad}.",
    "routes.same": "The difference between the routes is within chance.",
    "routes.odr_faster": "ODR is {gap} days faster (95% interval {lo} to {hi} days).",
    "routes.odr_slower": "ODR is {gap} days slower (95% interval {lo} to {hi} days).",
    "routes.none": "Too few closed complaints to compare the routes.",
    "routes.few": "One route has fewer than 7 closed complaints: no verdict on the difference.",
    "top.category": "Top categories: {items}.",
    "top.problem": "Top problems: {items}.",
    "item": "{name} {n} ({share})",
    "rise": "The largest rise against the week before: “{name}” (from {p} to {n}), beyond chance.",
    "rise.none": "No category or problem rose beyond chance against the week before.",
    "rise.problem": "Among problems, the largest rise: “{name}” (from {p} to {n}), beyond chance.",
    "district.flag": "{name}: {metric} {value}, {dir} the city ({city}); {verdict}.",
    "district.better": "better",
    "district.worse": "needs attention",
    "district.above": "clearly above",
    "district.below": "clearly below",
    "district.none": "No district differs from the city beyond chance in complaints per 100k, closure rate, on-time rate or median days.",
    "overdue": "As of {as_of}, {n} complaints are open past their deadline: {items}.",
    "overdue.item": "{name} {n}",
    "overdue.none": "As of {as_of}, no complaint is open past its deadline.",
    "returns": "{n} offline no-reason returns this week, {amount}, completion rate {rate}; ",
    "returns.same": "about the same number as the week before ({p}).",
    "returns.up": "more than the week before ({p}), beyond chance.",
    "returns.down": "fewer than the week before ({p}), beyond chance.",
    "returns.none": "No no-reason return this week.",
    "registry": "On {date}, {odr} ODR enterprises were enrolled ({odr_d} this week) and {stores} stores committed to no-reason returns ({stores_d}).",
    "registry.up": "net +{n}",
    "registry.down": "net −{n}",
    "registry.zero": "no change",
    "link": "This week on the dashboard: {url}",
    "chart.band99": "{conf} prediction band",
    "chart.band99.title": "Weekly complaints and {conf} prediction band (last {n} weeks)",
    "chart.category": "Top 10 categories this week (against the week before)",
    "chart.overdue": "Open past the deadline by district (as of {as_of})",
    "chart.this": "This week",
    "chart.prev": "Week before",
    "chart.count": "Complaints",
    "chart.partial": "Partial week",
    "chart.high": "Unusually high",
    "chart.low": "Unusually low",
    "chart.expected": "Expected",
    "chart.ma4": "4-week average",
    "chart.last_year": "Last year",
    "chart.y": "Complaints",
    "chart.overdue.x": "complaints",
    "metric.per_100k": "complaints per 100k",
    "metric.closure_rate": "closure rate",
    "metric.on_time_rate": "on-time rate",
    "metric.median_days": "median days to close",
    "method": [
        "Weeks are ISO weeks (Monday to Sunday). A complaint belongs to the week it was received; ODR complaints are handled directly by enrolled ODR enterprises, the others are traditional.",
        "“About the same” means the difference cannot be told from chance at the 95% level (counts: exact conditional binomial test; rates: Fisher's exact test; closure: CMH test stratified by age, as on the Overview); categories and problems are Bonferroni-corrected for the number compared.",
        "On-time rate = closed on time ÷ (closed + open past the deadline at the as-of date); closure rate = closed ÷ registered, compared with the week before at equal age (its complaints count as closed only when they closed within as many days), as on the Overview.",
        "A district is “clearly above/below the city” when its 95% interval excludes the city value; metrics with too few cases are not judged.",
        "Open past the deadline: still open at the as-of date after the deadline (ODR 10 working days; traditional: acceptance decision 7, mediation 45 working days).",
    ],
}

TEMPLATES = {"zh": Z, "en": E}


def tr(key: str, lang: str, **kw) -> str:
    s = TEMPLATES[lang][key]
    return s.format(**kw) if kw else s


# --- names of data values -----------------------------------------------------------------------------

def value_name(value: str, dim: str, lang: str) -> str:
    """Display name of a category / problem value (the pages' catalogue labels)."""
    return label(value, {"category": "cat", "problem": "problem"}[dim], lang)


def district_name(row: dict, lang: str, short: bool = False) -> str:
    if lang == "en":
        return row.get("name_en") or row["name"]
    return row.get("short_name") if short and row.get("short_name") else row["name"]


# --- sections ---------------------------------------------------------------------------------------

def _metric_value(m: str, v, lang: str) -> str:
    if m in ("closure_rate", "on_time_rate"):
        return fmt_pct(v)
    if m == "median_days":
        return fmt_num(v) + ("天" if lang == "zh" else " days")
    return fmt_num(v) + ("件" if lang == "zh" else "")


def _registry_delta(n: int, lang: str) -> str:
    if n > 0:
        return tr("registry.up", lang, n=fmt_int(n))
    if n < 0:
        return tr("registry.down", lang, n=fmt_int(-n))
    return tr("registry.zero", lang)


def _cat(a: str, b: str, lang: str) -> str:
    """Two sentences in one paragraph (a space between English sentences)."""
    return a + ("" if lang == "zh" else " ") + b


def _join(items: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


def heading(facts: dict, lang: str) -> dict:
    w = facts["week"]
    week = tr("week", lang, year=w["iso_year"], n=w["iso_week"], span=week_span(w, lang))
    if w["partial"]:
        week += tr("partial", lang, date=fmt_date(w["period_end"], lang, False))
    return {"title": tr("title", lang, city=city(lang)), "week": week,
            "meta": tr("meta", lang, as_of=fmt_date(facts["as_of"], lang), version=facts["version"] or "—"),
            "sample": tr("sample", lang) if facts["sample"] else None}


def volume(facts: dict, lang: str) -> list[str]:
    v, k = facts["volume"], facts["kpis"]
    out = [tr("volume", lang, n=fmt_int(v["complaints"]), odr=fmt_int(k["complaints_odr"]))]
    if v["wow"] is not None:
        d = v["complaints"] - v["previous"]
        pct = fmt_pct(abs(d) / v["previous"], 1) if v["previous"] else "—"
        out.append(tr(f"wow.{v['wow']}", lang, label=fmt.week(v["previous_label"], lang), p=fmt_int(v["previous"]),
                      d=fmt_int(abs(d)), pct=pct))
    if v["yoy"] is not None:
        out.append(tr(f"yoy.{v['yoy']}", lang, label=fmt.week(v["last_year_label"], lang), p=fmt_int(v["last_year"]),
                      d=fmt_int(abs(v["complaints"] - v["last_year"]))))
    elif not facts["week"]["partial"]:
        out.append(tr("yoy.none", lang))
    if v["band"]:
        out.append(tr(f"band99.{v['flag'] or 'ok'}", lang, e=fmt_num(v["expected"]), conf=fmt_pct(v["band_conf"], 0),
                      lo=fmt_num(v["lower"], 0), hi=fmt_num(v["upper"], 0)))
    elif not facts["week"]["partial"]:
        # the trends page's own reason ("not enough history: …") where it gives one
        key = f"tr.history.{v.get('history')}"
        out.append(_t(key, lang) if v.get("history") and key in CATALOGUE else tr("band.none", lang))
    if facts["empty"]:
        out.append(tr("empty", lang))
    return out


def handling(facts: dict, lang: str) -> list[str]:
    if facts["empty"]:
        return []
    r, g = facts["rates"], facts["routes"]
    s1 = tr("closure", lang, closed=fmt_int(r["closed"]), rate=fmt_pct(r["closure_rate"]))
    if r["closure_change"]:
        s1 = _cat(s1, tr(f"closure.{r['closure_change']}", lang, prev=fmt_pct(r["closure_prev"])), lang)
    else:
        s1 = _cat(s1, tr("closure.noage", lang), lang)
    if r["on_time_rate"] is None:
        s2 = tr("on_time.none", lang)
    else:
        s2 = tr("on_time", lang, rate=fmt_pct(r["on_time_rate"]), k=fmt_int(r["on_time"]), n=fmt_int(r["on_time_base"]))
        if r["on_time_change"]:
            s2 = _cat(s2, tr(f"on_time.{r['on_time_change']}", lang, prev=fmt_pct(r["on_time_prev"])), lang)
    if g["median_odr"] is None or g["median_traditional"] is None:
        s3 = tr("routes.none", lang)
    else:
        s3 = tr("routes", lang, odr=fmt_num(g["median_odr"]), trad=fmt_num(g["median_traditional"]))
        if g["verdict"] in ("odr_faster", "odr_slower"):
            s3 = _cat(s3, tr(f"routes.{g['verdict']}", lang, gap=fmt_num(abs(g["gap"])),
                             lo=fmt_num(g["gap_lo"]), hi=fmt_num(g["gap_hi"])), lang)
        elif g["verdict"] == "same":
            s3 = _cat(s3, tr("routes.same", lang), lang)
        else:
            s3 = _cat(s3, tr("routes.few", lang), lang)
    return [s1, s2, s3]


def hot(facts: dict, lang: str) -> list[str]:
    if facts["empty"]:
        return []
    out = []
    for dim, key in (("category", "categories"), ("problem", "problems")):
        items = [tr("item", lang, name=value_name(x["value"], dim, lang), n=fmt_int(x["complaints"]),
                    share=fmt_pct(x["share"])) for x in facts[key]["top"]]
        if items:
            out.append(tr(f"top.{dim}", lang, items=_join(items, lang)))
    c, p = facts["categories"]["rise"], facts["problems"]["rise"]
    if c:
        out.append(tr("rise", lang, name=value_name(c["value"], "category", lang), p=fmt_int(c["previous_week"]),
                      n=fmt_int(c["complaints"])))
    if p:
        out.append(tr("rise.problem", lang, name=value_name(p["value"], "problem", lang),
                      p=fmt_int(p["previous_week"]), n=fmt_int(p["complaints"])))
    if not c and not p and not facts["week"]["partial"]:
        out.append(tr("rise.none", lang))
    return out


def districts(facts: dict, lang: str) -> list[str]:
    out = []
    flags = facts["districts"]["flags"]
    for fl in flags:
        above = fl["value"] > fl["city"]
        out.append(tr("district.flag", lang, name=district_name(fl, lang), metric=tr(f"metric.{fl['metric']}", lang),
                      value=_metric_value(fl["metric"], fl["value"], lang),
                      city=_metric_value(fl["metric"], fl["city"], lang),
                      dir=tr("district.above" if above else "district.below", lang),
                      verdict=tr("district.better" if fl["better"] else "district.worse", lang)))
    if not flags and not facts["empty"]:
        out.append(tr("district.none", lang))
    o = facts["overdue"]
    as_of = fmt_date(o["as_of"], lang)
    if o["total"]:
        rows = sorted((r for r in o["by_district"] if r["overdue_open"]), key=lambda r: -r["overdue_open"])
        items = [tr("overdue.item", lang, name=district_name(r, lang, short=True), n=fmt_int(r["overdue_open"]))
                 for r in rows]
        out.append(tr("overdue", lang, as_of=as_of, n=fmt_int(o["total"]), items=_join(items, lang)))
    else:
        out.append(tr("overdue.none", lang, as_of=as_of))
    return out


def programmes(facts: dict, lang: str) -> list[str]:
    p = facts["programmes"]
    r, rp = p["returns"], p["returns_prev"]
    if r["count"]:
        s = tr("returns", lang, n=fmt_int(r["count"]), amount=fmt_yuan(r["amount_yuan"], lang),
               rate=fmt_pct(r["completion_rate"]))
        if facts["week"]["partial"]:
            s = s.rstrip("；; ") + ("。" if lang == "zh" else ".")
        else:
            s += tr(f"returns.{p['returns_change']}", lang, p=fmt_int(rp["count"]))
    else:
        s = tr("returns.none", lang)
    reg, ch = p["registry"], p["registry_change"]
    s2 = tr("registry", lang, date=fmt_date(facts["week"]["period_end"], lang), odr=fmt_int(reg["odr_enterprises"]),
            odr_d=_registry_delta(ch["odr_enterprises"], lang), stores=fmt_int(reg["return_stores"]),
            stores_d=_registry_delta(ch["return_stores"], lang))
    return [s, s2]


METHOD_BAND_99 = {
    "zh": "预期值和预测区间来自趋势模型（与“案件量趋势”页面相同）：近期水平 × 日历因子 × 由往年同期（节假日按节假日对齐）估计并向 1 收缩的季节项；"
          "件数按含过度离散的负二项分布预测，落在 {conf} 预测区间之外的完整周才判为异常。",
    "en": "The expected count and prediction band come from the trends model (as on the Case volume page): recent level × "
          "calendar factor × a seasonal term learnt from earlier years (holidays aligned by the holiday) and shrunk toward 1; "
          "the count is predicted by a negative binomial with overdispersion, and a whole week is unusual only outside its {conf} band.",
}


def method(facts: dict, lang: str) -> list[str]:
    """The method note; its band item names the trends model in force."""
    items = list(TEMPLATES[lang]["method"])
    items.insert(1, METHOD_BAND_99[lang].format(conf=fmt_pct(facts["volume"]["band_conf"], 0)))
    return items


def compose(facts: dict, lang: str = "zh") -> dict:
    """The briefing's text: heading (title, week, meta, sample), sections (heading, sentences),
    method (sentences), link (sentence) and chart titles."""
    if lang not in TEMPLATES:
        raise ValueError("lang must be zh or en")
    sections = [(tr("s.volume", lang), volume(facts, lang)), (tr("s.handling", lang), handling(facts, lang)),
                (tr("s.hot", lang), hot(facts, lang)), (tr("s.districts", lang), districts(facts, lang)),
                (tr("s.programmes", lang), programmes(facts, lang))]
    return {"head": heading(facts, lang), "sections": [(h, s) for h, s in sections if s],
            "method_title": tr("s.method", lang), "method": method(facts, lang),
            "link": tr("link", lang, url=facts["link"]), "url": facts["link"]}


def paragraph(sentences: list[str], lang: str) -> str:
    """A section's sentences as one paragraph (the documents' register)."""
    return ("" if lang == "zh" else " ").join(sentences)


def all_sentences(doc: dict) -> list[str]:
    """Every generated sentence of a composed briefing (for tests and the page)."""
    return [s for _, ss in doc["sections"] for s in ss]
