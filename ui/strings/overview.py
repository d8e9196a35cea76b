"""Strings of the overview page."""
STRINGS = {
    "ov.kpi.week": ("上周投诉量", "Complaints last week"),
    "ov.kpi.week.help": ("最近一个完整 ISO 周 {week} 的投诉量，与前一完整周 {prev} 相比。不完整周不参与比较。差异超出随机波动（5% 水平）时才标红绿。",
                         "Complaints in the latest whole ISO week, {week}, against the whole week before, {prev}. "
                         "Partial weeks are never compared. Red or green only when the difference is beyond chance (5% level)."),
    "ov.kpi.week.none": ("期间内没有完整周", "No whole week in the period"),
    "ov.kpi.week.band": ("预期 {e} 件，99% 预测区间 {lo}–{hi}：{status}（区间外才标为异常，方法见“案件量趋势”页）",
                         "Expected {e}, 99% prediction band {lo}–{hi}: {status} (flagged only outside the band; "
                         "method on the Case volume page)"),
    "ov.kpi.week.no_band": ("历史数据不足，无预期区间（见“案件量趋势”页）",
                            "Not enough history for an expected band (see the Case volume page)"),
    "ov.kpi.current": ("本周（{week}，不完整）至今 {n} 件", "This week ({week}, partial) so far: {n}"),
    "ov.kpi.closure": ("办结率", "Closure rate"),
    "ov.kpi.closure.help": ("期间内登记的投诉中已办结的比例（截至数据截至日期）。变化按同龄比较：最近的投诉还没来得及办结，"
                            "所以上一等长期间（{start} 至 {end}）只把在 {cutoff} 前（期末后 {days} 天内）办结的投诉计为已办结，"
                            "同龄办结率为 {prev}。是否超出随机波动（5% 水平）按相同天龄逐日比较（最近几天登记得多，不算办结变慢）："
                            "超出时才标红绿，否则显示“基本持平”。",
                            "Share of the period's complaints that are closed at the as-of date. The change compares at equal age: "
                            "recent complaints have not had time to close, so the previous period of equal length ({start} to {end}) "
                            "counts as closed only what closed by {cutoff} ({days} days after its end): {prev} at equal age. "
                            "Whether it is beyond chance (5% level) is judged day of age by day of age (more complaints received in "
                            "the last few days is not slower closing): red or green only then, otherwise “about the same”."),
    "ov.kpi.closure.pending": ("未办结中：{n} 件仍在办理期限内，{overdue} 件已超期",
                               "Of the open complaints: {n} still within their deadline, {overdue} past it"),
    "ov.delta.same": ("基本持平（{d}）", "About the same ({d})"),
    "ov.kpi.on_time": ("按期办结率", "On-time rate"),
    "ov.kpi.on_time.help": ("期限内办结 ÷（已办结 + 截至数据截至日期已超期未办结）。仍在期限内的未办结投诉不计，"
                            "所以无需同龄调整；变化与上一等长期间相比，超出随机波动（5% 水平）时才标红绿。",
                            "Closed on time ÷ (closed + open past the deadline at the as-of date). Open complaints still inside "
                            "their deadline are left out, so no equal-age adjustment is needed; the change against the previous "
                            "period of equal length is red or green only when beyond chance (5% level)."),
    "ov.kpi.median": ("中位办理天数 ODR / 传统", "Median days, ODR / traditional"),
    "ov.kpi.median.value": ("{odr} / {trad}", "{odr} / {trad}"),
    "ov.kpi.median.help": ("已办结投诉的办理天数中位数（自然日）。变化为 ODR 比传统渠道快的天数。",
                           "Median calendar days to close, closed complaints. The change shows how many days faster ODR is than the traditional route."),
    "ov.kpi.median.gap": ("ODR 快 {d} 天", "ODR {d} days faster"),
    "ov.kpi.returns": ("无理由退货金额", "No-reason returns"),
    "ov.kpi.returns.help": ("退货日期在期间内的线下七日无理由退货金额（{n} 笔，办结率 {rate}）；变化与上一等长期间相比（灰色：金额未作显著性检验）。",
                            "Offline 7-day no-reason returns dated in the period ({n} returns, {rate} completed); change against the previous period (grey: amounts are not tested for chance)."),
    "ov.kpi.odr_ent": ("ODR 企业", "ODR enterprises"),
    "ov.kpi.odr_ent.help": ("期末（期末晚于数据截至日期时为数据截至日期）在册的 ODR 企业数；变化为期间内的净增加。",
                            "ODR enterprises enrolled at the period's end (the as-of date when the period runs past it); change is the net increase over the period."),
    # the two sections below the figures, each drawn when the reader opens it
    "ov.sec.weekly": ("每周投诉量图", "Chart: complaints per week"),
    "ov.sec.districts": ("各区县对比：每十万人投诉量、办结率与办理天数",
                         "Districts compared: complaints per 100k residents, closure and days to close"),
    "ov.weekly.title": ("每周投诉量（ISO 周）", "Complaints per week (ISO weeks)"),
    "ov.weekly.note": ("浅色斜纹柱为不完整周（数据或期间只覆盖部分天数），不可与完整周直接比较。",
                       "Pale hatched bars are partial weeks (the data or period covers only some days); do not compare them with whole weeks."),
    "ov.district.title": ("各区县每十万人投诉量", "Complaints per 100k residents by district"),
    "ov.district.note": ("肃南人口约 2.8 万且游客多，人均指标波动大，请结合件数阅读。",
                         "Sunan has about 28,000 residents and many tourists: its per-capita rate swings widely; read it with the count."),
    "ov.district.bar_label": ("{v}（{n}件）", "{v} ({n})"),
    "ov.col.per_100k": ("每十万人", "Per 100k"),
    "ov.col.per_100k.axis": ("每十万常住人口投诉量", "Complaints per 100,000 residents"),
    "ov.col.complaints": ("件数", "Com\u00adplaints"),     # soft hyphen: the phone table may break it
    "ov.col.median": ("中位天数", "Median days"),
    "ov.col.closure": ("办结率", "Closure rate"),
    "ov.col.on_time": ("按期办结率", "On-time rate"),
    "ov.col.district": ("区县", "District"),
    "ov.col.population": ("人口", "Population"),
    "ov.table.title": ("区县概况", "Districts at a glance"),
    "ov.table.note": ("每十万人：每十万常住人口的投诉量；办结率、按期办结率的口径同上方指标；中位天数：已办结投诉的办理天数中位数。",
                      "Per 100k: complaints per 100,000 residents; closure and on-time rates as in the figures above; "
                      "median days: median days to close, closed complaints."),
}
