"""Strings of the case-volume (trends) page."""
STRINGS = {
    "tr.intro": ("按 ISO 周（周一至周日）统计登记的投诉量：与上周、去年同周和 4 周移动平均比较，并按季节性预期区间标出异常周。",
                 "Complaints received per ISO week (Monday–Sunday), against the week before, the same week last "
                 "year and the 4-week moving average; weeks outside the seasonal expected band are flagged."),
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
    "tr.by.total": ("不分组（合计）", "None (total)"),
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
    "tr.kpi.week.label": ("上周 {week}", "Last week {week}"),
    "tr.kpi.week.help": ("最近一个完整 ISO 周 {week} 的投诉量；变化与前一完整周 {prev} 相比。",
                         "Complaints in the latest whole ISO week {week}; change against the whole week before ({prev})."),
    "tr.kpi.none": ("期间内没有完整周", "No whole week in the period"),
    "tr.kpi.last_year": ("去年同周 {week}", "Last year {week}"),
    "tr.kpi.last_year.help": ("{week} 的投诉量（ISO 周序号相同）；变化为上周比去年同周多出的件数。",
                              "Complaints in {week} (same ISO week number); the change is last week minus that week."),
    "tr.kpi.ma4": ("4 周移动平均", "4-week moving average"),
    "tr.kpi.ma4.help": ("最近 4 个完整周的平均每周投诉量；变化与上一期移动平均相比。",
                        "Mean weekly complaints over the latest 4 whole weeks; change against the previous average."),
    "tr.kpi.expected": ("预期区间", "Expected band"),
    "tr.kpi.expected.value": ("{lo}–{hi}", "{lo}–{hi}"),
    "tr.kpi.expected.help": ("按季节性调整的预期值 {e}；区间外的周标为异常。方法见下方“异常周判定方法”。",
                             "Seasonally adjusted expected count {e}; weeks outside the band are flagged. "
                             "See “How unusual weeks are found” below."),
    "tr.kpi.status.high": ("高于预期", "Above expected"),
    "tr.kpi.status.low": ("低于预期", "Below expected"),
    "tr.kpi.status.ok": ("在预期范围内", "Within expected"),
    "tr.kpi.status.none": ("历史数据不足，无预期区间", "Not enough history for a band"),
    "tr.current": ("本周 {week} 尚不完整（{days}/7 天）：至今 {n} 件，不参与比较。",
                   "This week {week} is partial ({days}/7 days): {n} so far, not compared."),
    "tr.volume.title": ("投诉量（按{interval}）", "Complaints per {interval}"),
    "tr.volume.note": ("空心点 / 浅色斜纹为不完整周期（数据或统计期间只覆盖部分天数），不可与完整周期直接比较。阴影为日历标注。",
                       "Open markers / pale hatched bars are partial buckets (the data or period covers only some "
                       "days); do not compare them with whole ones. Shaded bands are calendar events."),
    "tr.partial": ("不完整", "Partial"),
    "tr.band.title": ("每周投诉量与预期区间", "Weekly complaints and the expected band"),
    "tr.band.count": ("每周投诉量", "Weekly complaints"),
    "tr.band.band": ("预期区间", "Expected band"),
    "tr.band.expected": ("预期值", "Expected"),
    "tr.band.ma4": ("4 周移动平均", "4-week average"),
    "tr.band.last_year": ("去年同周", "Same week last year"),
    "tr.band.high": ("高于预期", "Above band"),
    "tr.band.low": ("低于预期", "Below band"),
    "tr.band.note": ("点击某一周的柱子可查看该周明细（也可在下方“周明细”中选择）。",
                     "Click a week's bar to see its breakdown (or choose it under “Week detail” below)."),
    "tr.flags.title": ("异常周", "Unusual weeks"),
    "tr.flags.none": ("期间内没有超出预期区间的完整周。", "No whole week of the period is outside its expected band."),
    "tr.flags.count": ("期间内有 {n} 个异常周（共 {whole} 个完整周，其中 {banded} 个有预期区间）。",
                       "{n} unusual weeks in the period ({whole} whole weeks, {banded} of them with a band)."),
    "tr.flags.pick": ("解释异常周", "Explain the unusual week"),
    "tr.flags.why": ("{week}：{n} 件，预期 {e}（区间 {lo}–{hi}），{dir} {diff} 件。下列各项对偏差贡献最大（本周件数 − 按基线占比分摊的预期件数）。",
                     "{week}: {n} complaints, expected {e} (band {lo}–{hi}), {dir} by {diff}. These contributed most "
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
    "tr.col.lower": ("区间下限", "Band low"),
    "tr.col.upper": ("区间上限", "Band high"),
    "tr.col.event": ("日历", "Calendar"),
    "tr.detail.title": ("周明细", "Week detail"),
    "tr.detail.pick": ("选择周", "Week"),
    "tr.detail.dim": ("构成维度", "Breakdown by"),
    "tr.detail.head": ("{week}（{start} 至 {end}）", "{week} ({start} to {end})"),
    "tr.detail.partial": ("该周为不完整周（覆盖 {days}/7 天），只显示构成，不与其他周比较。",
                          "This week is partial ({days}/7 days covered): composition only, no comparison."),
    "tr.detail.n": ("本周投诉量", "Complaints this week"),
    "tr.detail.prev": ("较上周", "vs the week before"),
    "tr.detail.vs_expected": ("较预期", "vs expected"),
    "tr.detail.this": ("本周", "This week"),
    "tr.detail.prev_week": ("上一周", "Week before"),
    "tr.detail.comp.title": ("{week} 按{dim}", "{week} by {dim}"),
    "tr.detail.merchants.title": ("{week} 被投诉最多的商户", "{week}: most complained-about merchants"),
    "tr.detail.calc": ("预期 = 近期水平 {level} × 季节指数 {si}（{refs} 个往年参照周，共 {r} 件）= {e}；离散系数 φ = {phi}，区间 {lo}–{hi}。",
                       "Expected = recent level {level} × seasonal index {si} ({refs} reference weeks in earlier years, "
                       "{r} complaints) = {e}; dispersion φ = {phi}, band {lo}–{hi}."),
    "tr.detail.none": ("该周没有投诉。", "No complaints this week."),
    "tr.table.title": ("每周明细表", "Weekly table"),
    "tr.method.title": ("异常周判定方法", "How unusual weeks are found"),
    "tr.method.body": (
        "1. **近期水平 L**：本周之前 16 周内、最近 8 个完整且非节假日/3·15 的周的投诉量中位数（至少需 6 周，否则不给区间）；"
        "离散程度用这些周的绝对中位差 MAD。\n"
        "2. **季节指数 S**：前 3 年中，与本周 ISO 周序号相同及前后各 1 周的参照周；若本周是日历事件周（3·15 所在周，"
        "春节、五一、国庆假期覆盖的周及假期后一周），参照周改为往年同一事件的对应周——春节等按农历移动的假期按假期而不是按周序号对齐。"
        "每个参照周给出比值 “该周件数 ÷ 该周当时的近期水平”，S 取这些比值的中位数；没有参照周时 S = 1。"
        "事件周若没有任何往年参照，不给区间（不把节假日的正常波动误报为异常）。\n"
        "3. **预期值** E = L × S。方差 = φ² × max(E, 1) + E² ÷ R：前一项是本周的准泊松波动，过度离散系数 "
        "φ = max(1, 1.4826 × MAD ÷ √L)；后一项是季节指数本身的不确定性——S 只来自少数往年周，每个比值的相对方差约为 "
        "1 ÷ 该周件数，R 为参照周件数之和。**预期区间** = E ± 2.5 × √方差（下限不低于 0）。\n"
        "4. 完整周的件数高于上限标为**高于预期**，低于下限标为**低于预期**；不完整周不判定。\n"
        "5. 异常周的贡献：按各类别、区县、商户在基线周（第 1 步的那些周）中的占比把预期值 E 分摊，"
        "本周件数减去分摊后的预期即为该项的贡献。\n\n"
        "“去年同周”指上一 ISO 年的同序号周（2024-12-30 属 2025-W01，其去年同周为 2024-W01）；"
        "4 周移动平均只在本周及前 3 周都完整时计算。比较均使用筛选条件（区县、处理方式）下的同口径数据，"
        "期间之前的历史周也参与计算。",
        "1. **Recent level L**: the median count of the 8 most recent whole weeks before this one that are "
        "not holiday or 3·15 weeks, looked for among the previous 16 weeks (at least 6 are needed, otherwise "
        "no band). Spread: the median absolute deviation (MAD) of those weeks.\n"
        "2. **Seasonal index S**: in each of the previous 3 years, the reference weeks are the same ISO week "
        "number and the weeks either side; when this week is a calendar-event week (the 3·15 week, weeks "
        "covered by the Spring Festival, May Day or National Day holidays and the week after each), the "
        "reference is the matching week of the same event in that year — moving holidays such as Spring "
        "Festival are aligned by the holiday, not by the week number. Each reference week gives the ratio "
        "“its count ÷ its own recent level”; S is the median of the ratios, 1 when there is none. An event "
        "week without any earlier reference gets no band, so a normal holiday dip is not reported.\n"
        "3. **Expected** E = L × S. Variance = φ² × max(E, 1) + E² ÷ R: the first term is the week's "
        "quasi-Poisson noise with overdispersion φ = max(1, 1.4826 × MAD ÷ √L); the second is the uncertainty "
        "of S itself, which rests on a few earlier weeks — each ratio's relative variance is about 1 ÷ that "
        "week's count, and R is the reference weeks' total count. **Band** = E ± 2.5 × √variance (lower bound "
        "at least 0).\n"
        "4. A whole week above the band is flagged **above expected**, below it **below expected**; partial "
        "weeks are never flagged.\n"
        "5. Contributions for an unusual week: E is split by each category's, district's and merchant's "
        "share of the baseline weeks (step 1); the week's count minus that expected share is the "
        "contribution.\n\n"
        "“Same week last year” is the same ISO week number of the previous ISO year (2024-12-30 is 2025-W01, "
        "compared with 2024-W01); the 4-week moving average needs this week and the 3 before to be whole. "
        "All comparisons use the same filters (districts, route), including the weeks before the period."),
}
