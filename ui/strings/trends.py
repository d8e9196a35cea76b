"""Strings of the case-volume (trends) page."""
STRINGS = {
    "tr.intro": ("按 ISO 周（周一至周日）统计登记的投诉量：与上周、去年同周和 4 周移动平均比较；"
                 "完整周的件数落在按季节调整的 99% 预测区间之外时标为异常周。",
                 "Complaints received per ISO week (Monday–Sunday), against the week before, the same week last "
                 "year and the 4-week moving average; a whole week outside its seasonally adjusted 99% prediction "
                 "band is flagged as unusual."),
    "tr.no_data": ("所选期间内没有数据（数据覆盖 {first} 至 {as_of}）。请调整统计期间。",
                   "The data does not cover the selected period (data from {first} to {as_of}). Choose another period."),
    "tr.no_complaints": ("所选条件下没有投诉。", "No complaints for the selected filters."),
    "tr.interval": ("时间粒度", "Interval"),
    "tr.interval.day": ("日", "Day"),
    "tr.interval.week": ("周", "Week"),
    "tr.interval.month": ("月", "Month"),
    "tr.interval.quarter": ("季度", "Quarter"),
    "tr.interval.day_off": ("统计期间超过一年，不提供按日视图。", "Daily view is off for periods longer than a year."),
    "tr.by": ("分组", "Breakdown"),
    "tr.by.total": ("不分组（合计）", "Total only"),
    "tr.by.route": ("ODR / 传统渠道", "ODR / traditional"),
    "tr.by.channel": ("来源渠道", "Intake channel"),
    "tr.by.object_class": ("商品 / 服务", "Goods / services"),
    "tr.by.category": ("客体类别", "Category"),
    "tr.by.problem": ("投诉问题", "Problem type"),
    "tr.by.district": ("区县", "District"),
    "tr.by.merchant": ("被投诉商户", "Merchant"),
    "tr.view": ("图形", "Chart"),
    "tr.view.line": ("折线", "Lines"),
    "tr.view.stacked": ("堆叠柱", "Stacked"),
    "tr.top": ("显示前 N 项", "Top N series"),
    "tr.top.help": ("其余合并为“其他”。", "The rest are combined into “Other”."),
    "tr.cal": ("日历标注", "Calendar"),
    "tr.cal.help": ("标出 3·15 所在周、春节、五一和国庆假期。", "Shade the 3·15 week, Spring Festival, May Day and National Day holidays."),
    "tr.series.total": ("投诉量", "Complaints"),
    "tr.other": ("其他（合并）", "Other (combined)"),
    "tr.missing": ("未填写", "Not recorded"),
    "tr.ev.w315": ("3·15", "3·15"),
    "tr.ev.spring_festival": ("春节", "Spring Festival"),
    "tr.ev.may_day": ("五一", "May Day"),
    "tr.ev.national_day": ("国庆", "National Day"),
    "tr.kpi.week": ("上周投诉量", "Complaints last week"),
    "tr.kpi.week.label": ("上周（{week}）", "Last week ({week})"),
    "tr.kpi.week.help": ("最近一个完整 ISO 周 {week} 的投诉量；变化与前一完整周 {prev} 相比。",
                         "Complaints in the latest whole ISO week {week}; change against the whole week before ({prev})."),
    "tr.kpi.none": ("期间内没有完整周", "No whole week in the period"),
    "tr.kpi.last_year": ("去年同周（{week}）", "Last year ({week})"),
    "tr.kpi.last_year.help": ("{week} 的投诉量（ISO 周序号相同）；变化为上周比去年同周多出的件数。",
                              "Complaints in {week} (same ISO week number); the change is last week minus that week."),
    "tr.kpi.ma4": ("4 周移动平均", "4-week moving average"),
    "tr.kpi.ma4.help": ("最近 4 个完整周的平均每周投诉量；变化与上一期移动平均相比。",
                        "Mean weekly complaints over the latest 4 whole weeks; change against the previous average."),
    "tr.kpi.expected": ("上周预期件数", "Expected last week"),
    "tr.kpi.band": ("上周（{week}）的 99% 预测区间：{lo}–{hi} 件，件数落在区间外才标为异常周。",
                    "The 99% prediction band of last week ({week}): {lo}–{hi}; only a count outside it is flagged as unusual."),
    "tr.kpi.expected.help": ("预期 {e} 件，99% 预测区间 {lo}–{hi}：件数落在区间外的完整周标为异常"
                             "（没有真实异常时，约 1% 或更少的周会被误标）。方法见下方“异常周判定方法”。",
                             "Expected {e}, 99% prediction band {lo}–{hi}: a whole week outside the band is flagged "
                             "(with no real change, about 1% of weeks or fewer are flagged by chance). "
                             "See “How unusual weeks are found” below."),
    "tr.kpi.status.high": ("高于预期", "Above expected"),
    "tr.kpi.status.low": ("低于预期", "Below expected"),
    "tr.kpi.status.ok": ("在预期范围内", "Within expected"),
    "tr.kpi.status.none": ("历史数据不足，无预期区间", "Not enough history for a band"),
    "tr.history.few_weeks": ("历史数据不足：之前 16 周内不足 6 个完整的非节假日周，无法估计近期水平，不给区间、不判定。",
                             "Not enough history: fewer than 6 whole non-holiday weeks among the 16 before it, so "
                             "no recent level — no band, never flagged."),
    "tr.history.no_earlier_year": ("历史数据不足：往年没有同一周（或同一节假日周）的数据，无法估计季节项，不给区间、不判定。",
                                   "Not enough history: no earlier year has this ISO week (or this holiday "
                                   "week), so no seasonal term — no band, never flagged."),
    "tr.history.event_one_year": ("历史数据不足：节假日周需要至少两个往年的节假日数据才能估计其年际波动，不给区间、不判定。",
                                  "Not enough history: a holiday week needs holiday weeks from at least two earlier "
                                  "years to gauge their year-to-year variation — no band, never flagged."),
    "tr.current": ("本周（{week}）尚不完整（{days}/7 天）：至今 {n} 件，不参与比较。",
                   "This week ({week}) is partial ({days}/7 days): {n} so far, not compared."),
    "tr.volume.title": ("投诉量（按{interval}）", "Complaints per {interval}"),
    "tr.volume.note": ("空心点 / 浅色斜纹为不完整周期（数据或统计期间只覆盖部分天数），不可与完整周期直接比较。阴影为日历标注。",
                       "Open markers / pale hatched bars are partial buckets (the data or period covers only some "
                       "days); do not compare them with whole ones. Shaded bands are calendar events."),
    "tr.partial": ("不完整", "Partial"),
    "tr.tab.band": ("每周与预期区间", "Weeks and expected band"),
    "tr.tab.unusual": ("异常周", "Unusual weeks"),
    "tr.tab.week": ("周明细", "Week detail"),
    "tr.band.title": ("每周投诉量与 99% 预测区间", "Weekly complaints and the 99% prediction band"),
    "tr.band.count": ("每周投诉量", "Weekly complaints"),
    "tr.band.band": ("99% 预测区间", "99% prediction band"),
    "tr.band.no_band": ("历史数据不足，无区间", "not enough history, no band"),
    "tr.band.expected": ("预期值", "Expected"),
    "tr.band.ma4": ("4 周移动平均", "4-week average"),
    "tr.band.last_year": ("去年同周", "Same week last year"),
    "tr.band.high": ("高于预期", "Above band"),
    "tr.band.low": ("低于预期", "Below band"),
    "tr.band.note.static": ("在下方“周明细”中选择某一周可查看该周明细（打开侧栏“可交互图表”后也可直接点击柱子）。",
                            "Choose a week under “Week detail” below to see its breakdown (with “Interactive charts” on in the sidebar you can also click its bar)."),
    "tr.band.note": ("点击某一周的柱子可查看该周明细（也可在下方“周明细”中选择）。",
                     "Click a week's bar to see its breakdown (or choose it under “Week detail” below)."),
    "tr.flags.title": ("异常周", "Unusual weeks"),
    "tr.flags.none": ("期间内没有超出预期区间的完整周。", "No whole week of the period is outside its expected band."),
    "tr.flags.count": ("期间内有 {n} 个异常周（共 {whole} 个完整周，其中 {banded} 个有预期区间；其余历史数据不足）。"
                       "判定标准：件数落在 99% 预测区间之外——没有真实异常时，约 1% 或更少的周会被误标。",
                       "{n} unusual weeks in the period ({whole} whole weeks, {banded} of them with a band; the "
                       "others lack history). A week is flagged when its count is outside its 99% prediction band: "
                       "with no real change, about 1% of weeks or fewer are flagged by chance."),
    "tr.flags.pick": ("解释异常周", "Explain the unusual week"),
    "tr.flags.why": ("{week}：{n} 件，预期 {e}（99% 预测区间 {lo}–{hi}），{dir} {diff} 件。下列各项对偏差贡献最大（本周件数 − 按基线占比分摊的预期件数）。",
                     "{week}: {n} complaints, expected {e} (99% prediction band {lo}–{hi}), {dir} by {diff}. These contributed most "
                     "to the gap (the week's count − the expected count split by the baseline shares)."),
    "tr.flags.dir.high": ("比预期多", "above"),
    "tr.flags.dir.low": ("比预期少", "below"),
    "tr.flags.none_dim": ("没有朝该方向变化的项。", "Nothing moved in that direction."),
    "tr.contrib.title": ("{dim}：相对预期的变化", "{dim}: change against expected"),
    "tr.contrib.x": ("本周 − 预期（件）", "This week − expected"),
    "tr.contrib.x_low": ("预期 − 本周（件）", "Expected − this week"),
    "tr.col.week": ("周", "Week"),
    "tr.col.start": ("起始日", "Starts"),
    "tr.col.complaints": ("投诉量", "Complaints"),
    "tr.col.expected": ("预期", "Expected"),
    "tr.col.flag": ("判定", "Flag"),
    "tr.col.lower": ("99% 区间下限", "99% band low"),
    "tr.col.upper": ("99% 区间上限", "99% band high"),
    "tr.col.band": ("99% 预测区间", "99% band"),
    "tr.col.no_band": ("无区间（历史不足）", "No band (too little history)"),
    "tr.col.history": ("无区间原因", "No band because"),
    "tr.col.event": ("日历", "Calendar"),
    "tr.detail.title": ("周明细", "Week detail"),
    "tr.detail.pick": ("选择周", "Week"),
    "tr.detail.dim": ("构成维度", "Breakdown by"),
    "tr.detail.head": ("{week}（{span}）", "{week} ({span})"),
    "tr.detail.partial": ("该周为不完整周（覆盖 {days}/7 天），只显示构成，不与其他周比较。",
                          "This week is partial ({days}/7 days covered): composition only, no comparison."),
    "tr.detail.n": ("本周投诉量", "Complaints this week"),
    "tr.detail.prev": ("较上周", "vs the week before"),
    "tr.detail.vs_expected": ("较预期", "vs expected"),
    "tr.detail.this": ("本周", "This week"),
    "tr.detail.prev_week": ("上一周", "Week before"),
    "tr.detail.comp.title": ("{week} 按{dim}", "{week} by {dim}"),
    "tr.detail.merchants.title": ("{week} 被投诉最多的商户", "{week}: most complained-about merchants"),
    "tr.detail.calc": ("预期 = 近期水平 {level}（每普通周）× 日历系数 {cal} × 季节项 {si}（往年 {refs} 个同位置周，"
                       "原始比值 {raw}，向 1 收缩后保留 {b}）= {e}；过度离散参数 φ = {phi}（方差约为均值的 φ 倍）。99% 预测区间 {lo}–{hi}，"
                       "件数在区间外即标为异常。",
                       "Expected = recent level {level} (per ordinary week) × calendar factor {cal} × seasonal term "
                       "{si} ({refs} weeks in the same position in earlier years, raw ratio {raw}, {b} of it kept "
                       "after shrinking toward 1) = {e}; overdispersion φ = {phi} (the variance is about φ times the mean). 99% prediction band {lo}–{hi}: "
                       "a count outside it is flagged."),
    "tr.detail.expected": ("预期 {e} 件，99% 预测区间 {lo}–{hi}：按近期每周水平、节假日安排和往年同期规律推算，"
                           "件数在区间外即标为异常（算式见“较预期”旁的说明）。",
                           "Expected {e}, 99% prediction band {lo}–{hi}: worked out from the recent weekly level, the "
                           "holiday calendar and the same time in earlier years; a count outside the band is flagged "
                           "(the arithmetic is in the note beside “vs expected”)."),
    "tr.detail.none": ("该周没有投诉。", "No complaints this week."),
    "tr.table.title": ("每周明细表", "Weekly table"),
    "tr.method.title": ("异常周判定方法", "How unusual weeks are found"),
    "tr.method.body": (
        "每个完整周的**预期值** E = 近期水平 L × 日历系数 c × 季节项 S，只用该周之前的数据估计：\n\n"
        "1. **日历系数 c**：该周的“工作日当量”（法定工作日数 + ρ × 其余天数）÷ 普通周的（5 + 2ρ）；ρ 为非工作日"
        "（周末、法定节假日）平均日件数 ÷ 工作日平均日件数，由每日件数估计。端午、清明等假期落在哪一周，该周的预期就相应降低。\n"
        "2. **近期水平 L**：本周之前 16 周内最近 8 个完整且非节假日/3·15 的周，件数之和 ÷ 其日历系数之和"
        "（不足 6 周：历史数据不足，不给区间）。\n"
        "3. **季节项 S**：往年**每一年**中与本周位置相同的周——同一 ISO 周序号；若本周是事件周（3·15 所在周，"
        "春节、五一、国庆假期覆盖的周及假期后一周），则为往年同一事件的对应周，按假期而不是按周序号对齐——"
        "各给出比值 “该周件数 ÷（该周当时的近期水平 × 日历系数）”，取对数后按精度加权平均。"
        "普通周的季节项向 1 收缩（经验贝叶斯：各周位置的季节项视为围绕 1 的随机效应，方差由全部位置估计），"
        "证据越少收缩越多；节假日周不收缩。往年没有同位置的周：历史数据不足，不给区间。"
        "同一位置在不同年份的差异（年际波动）由出现过两年及以上的位置估计（DerSimonian–Laird）；"
        "节假日周在尚无两年节假日数据时不给区间。\n"
        "4. **预测区间**：本周件数视为均值 E 的负二项分布，方差 = φ × E + E² × V。φ 为准泊松模型的过度离散参数"
        "（方差与均值之比；最近 26 个普通周相对其近期水平的 Pearson 残差均值，至少为 1）；V 为 log E 的不确定性：近期水平的抽样误差、"
        "季节项的估计误差与年际波动之和。**99% 预测区间**为该分布的 0.5% 与 99.5% 分位数。\n"
        "5. 完整周的件数高于区间上限标为**高于预期**，低于下限标为**低于预期**；不完整周和历史数据不足的周不判定。"
        "在没有异常周的模拟数据（本系统的样例数据生成器，多个随机种子）上，被误标的周不超过 1%，"
        "95% 预测区间覆盖真实件数的比例约为 95% 或更高（见测试）。\n"
        "6. 异常周的贡献：按各类别、区县、商户在基线周（第 2 步的那些周）中的占比把预期值 E 分摊，"
        "本周件数减去分摊后的预期即为该项的贡献。\n\n"
        "“去年同周”指上一 ISO 年的同序号周（2024-12-30 属 2025-W01，其去年同周为 2024-W01）；"
        "4 周移动平均只在本周及前 3 周都完整时计算。比较均使用筛选条件（区县、处理方式）下的同口径数据，"
        "期间之前的历史周（最多 5 年）也参与计算。",
        "Each whole week's **expected count** E = recent level L × calendar factor c × seasonal term S, "
        "estimated from earlier weeks only:\n\n"
        "1. **Calendar factor c**: the week's working-day equivalents (official working days + ρ × other days) "
        "÷ an ordinary week's (5 + 2ρ), where ρ = mean daily count on non-working days (weekends, public "
        "holidays) ÷ that on working days, from the daily counts. A Dragon Boat or Qingming holiday lowers "
        "the expectation of whichever week it falls in.\n"
        "2. **Recent level L**: over the 8 most recent whole weeks before this one that are not holiday or "
        "3·15 weeks, among the previous 16: their count ÷ the sum of their calendar factors (fewer than 6: "
        "not enough history, no band).\n"
        "3. **Seasonal term S**: in **every** earlier year, the week in the same position — the same ISO week "
        "number, or, for a calendar-event week (the 3·15 week, weeks covered by the Spring Festival, May Day "
        "or National Day holidays and the week after each), the matching week of the same event, so moving "
        "holidays are aligned by the holiday — gives the ratio “its count ÷ (its own recent level × its "
        "calendar factor)”; the logs are averaged with precision weights. An ordinary week's term is shrunk "
        "toward 1 (empirical Bayes: the positions' terms are random effects around 1 with a variance "
        "estimated from all positions), the more so the less evidence there is; holiday weeks are not shrunk. "
        "No earlier week in the same position: not enough history, no band. The year-to-year variation of a "
        "position's term is estimated from positions seen in two or more earlier years (DerSimonian–Laird); "
        "a holiday week gets no band until holiday weeks of two earlier years are known.\n"
        "4. **Prediction band**: the week's count is taken as negative binomial with mean E and variance "
        "φ × E + E² × V, where φ is the quasi-Poisson overdispersion (mean Pearson residual of the last 26 "
        "ordinary weeks against their recent level, at least 1) and V the uncertainty of log E: the sampling "
        "error of the level, the estimation error of the seasonal term and the year-to-year variation. The "
        "**99% prediction band** runs from its 0.5% to its 99.5% quantile.\n"
        "5. A whole week above the band is flagged **above expected**, below it **below expected**; partial "
        "weeks and weeks without enough history are never flagged. On simulated data without unusual weeks "
        "(this app's sample generator, many seeds), at most 1% of weeks are flagged, and the 95% band covers "
        "the count about 95% of the time or more (see the tests).\n"
        "6. Contributions for an unusual week: E is split by each category's, district's and merchant's "
        "share of the baseline weeks (step 2); the week's count minus that expected share is the "
        "contribution.\n\n"
        "“Same week last year” is the same ISO week number of the previous ISO year (2024-12-30 is 2025-W01, "
        "compared with 2024-W01); the 4-week moving average needs this week and the 3 before to be whole. "
        "All comparisons use the same filters (districts, route), including the weeks before the period "
        "(up to 5 years)."),
}
