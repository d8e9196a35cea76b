"""Strings of the resolution-time page (prefix ``rs.``)."""
STRINGS = {
    "rs.intro": ("张掖市的一篇本地新闻报道（2024年3月15日前后发布，数字截至2024年3月14日）称，ODR 把“快则 3–5 天、"
                 "慢则半个月”的调解变成了快速处理。本页用数据检验这一说法：办理用时（把仍未办结的投诉计算在内）、"
                 "用时分布、按周变化、ODR 与传统渠道的差距，以及法定期限的执行情况。",
                 "A local news report from Zhangye (published around 15 March 2024, figures as of 14 March 2024) "
                 "says ODR turns a mediation that takes “3–5 days when fast, half a month when slow” into a fast "
                 "process. This page checks the claim on the data: the time to close (counting cases still open), "
                 "how the times spread, week by week, the ODR-vs-traditional gap, and how the legal deadlines "
                 "are kept."),
    # controls
    "rs.ctl.unit": ("时间单位", "Time unit"),
    "rs.ctl.unit.days": ("自然日", "Calendar days"),
    "rs.ctl.unit.wdays": ("工作日", "Working days"),
    "rs.ctl.n": ("N 个工作日内办结", "Closed within N working days"),
    "rs.ctl.n.help": ("用于“N 个工作日内办结比例”；ODR 平台规则为 10 个工作日。",
                      "Used for “share closed within N working days”; the ODR platform rule is 10 working days."),
    "rs.ctl.dist": ("分布图", "Distribution chart"),
    "rs.ctl.dist.hist": ("直方图", "Histogram"),
    "rs.ctl.dist.ecdf": ("累计比例", "Cumulative share"),
    "rs.unit.days": ("天", "days"),
    "rs.unit.wdays": ("工作日", "working days"),
    "rs.fmt.days": ("{v} 天", "{v} days"),
    "rs.fmt.days.one": ("{v} 天", "{v} day"),
    "rs.fmt.wdays": ("{v} 个工作日", "{v} working days"),
    "rs.fmt.wdays.one": ("{v} 个工作日", "{v} working day"),
    "rs.axis.since.days": ("登记后经过的天数", "Days since receipt"),
    "rs.axis.since.wdays": ("登记后经过的工作日", "Working days since receipt"),
    "rs.axis.took.days": ("办结用时（天）", "Time to close (days)"),
    "rs.axis.took.wdays": ("办结用时（工作日）", "Time to close (working days)"),
    "rs.legend.n": ("{route}（{n} 件）", "{route} ({n} closed)"),
    "rs.calendar.rebuild": ("其中 {years} 年的日期已写入 data/holidays_extra.csv（或已被 chinesecalendar 收录），"
                            "重新构建或重新导入数据库后生效。",
                            "Dates of {years} are now in data/holidays_extra.csv (or known to chinesecalendar); "
                            "they take effect when the database is rebuilt or re-imported."),
    "rs.calendar.how": ("扩展方法：在 data/holidays_extra.csv 中每行写一个与“周一至周五上班”不同的日期，"
                        "格式 date,kind,name，kind 为 holiday（放假的工作日）或 workday（调休上班的周末）。",
                        "How to extend: in data/holidays_extra.csv, one line per date that differs from "
                        "“Monday–Friday work”, as date,kind,name with kind = holiday (a weekday off) or workday "
                        "(a weekend make-up working day)."),
    # sections (lazy tabs; the URL keeps the chosen one as rs_tab)
    "rs.tab.dist": ("用时分布", "Time spread"),
    "rs.tab.week": ("按周变化", "By week"),
    "rs.tab.gap": ("ODR 与传统渠道", "ODR vs traditional"),
    "rs.tab.deadlines": ("办理期限", "Deadlines"),
    # section: time to close, counting open cases (Kaplan–Meier)
    "rs.km.header": ("办理用时：把未办结投诉计算在内", "Time to close, counting the open cases"),
    "rs.km.median": ("中位用时", "Median time"),
    "rs.km.p90": ("九成在此之内办结", "9 in 10 closed within"),
    "rs.km.naive": ("只看已办结：{v}", "closed cases only: {v}"),
    "rs.km.median.help": ("一半投诉在此之前办结。仍未办结的投诉按“到数据日期为止已耗时、尚未办结”计入"
                          "（Kaplan–Meier 估计，未办结投诉视为删失）；与只看已办结投诉的中位数用同一种线性插值，"
                          "没有未办结投诉时两者相同。95% 区间 {lo} – {hi}。下方灰字为只看已办结投诉的中位数。",
                          "Half of the complaints are closed by then. Complaints still open count as “open after "
                          "their age so far” (a Kaplan–Meier estimate, open cases censored at the as-of date); it "
                          "uses the same linear interpolation as the closed-cases-only median, so the two are equal "
                          "when nothing is open. 95% interval {lo} – {hi}. Below: the median of closed cases only."),
    "rs.km.p90.help": ("90% 的投诉在此之前办结（第 90 百分位数，把未办结投诉计算在内，Kaplan–Meier 估计）；"
                       "需要尚未办结投诉的最终用时才能确定时为“—”。",
                       "90% of complaints are closed by then (the 90th percentile, counting open cases: a "
                       "Kaplan–Meier estimate); “—” when it depends on how long still-open complaints will take."),
    "rs.km.within": ("{n} 个工作日内办结", "Closed within {n} working days"),
    "rs.km.within.help": ("把未办结投诉计算在内的 {n} 个工作日内办结比例（Kaplan–Meier 估计），95% 区间 {lo} – {hi}；"
                          "只看已办结投诉为 {naive}。",
                          "Share closed within {n} working days, counting open cases (a Kaplan–Meier estimate), "
                          "95% interval {lo} – {hi}; closed cases only: {naive}."),
    "rs.km.open": ("仍未办结", "Still open"),
    "rs.km.table": ("两种算法对照表", "Both ways of counting, side by side"),
    "rs.km.chart": ("登记后仍未办结的比例", "Share of complaints still open"),
    "rs.km.band": ("阴影为 95% 区间；虚线标出一半和九成投诉办结的位置。", "Shaded: 95% interval; the dotted lines mark where half and "
                   "9 in 10 of the complaints are closed."),
    "rs.km.y": ("仍未办结", "Still open"),
    "rs.km.hover.open": ("仍在办理", "still open"),
    "rs.km.how": ("怎样把未办结投诉计算在内", "How the open cases are counted"),
    "rs.km.explain": (
        "**为什么两个中位数不同**：只看已办结投诉的中位数（常用口径）忽略了仍在办理的投诉，而它们恰恰是耗时较长的，"
        "因此会低估办理用时，越靠近数据日期越明显。本页把每件未办结投诉计入“到目前为止已耗时 t 仍未办结”"
        "（统计上称为 Kaplan–Meier 估计）。两者用同一种分位数算法（线性插值，与 DuckDB quantile_cont、NumPy 默认一致），"
        "所以没有未办结投诉时完全相同；有未办结投诉时，每件未办结投诉的权重平均分给在它之后仍在办理的投诉"
        "（这正是上图曲线的算法），再按权重做同样的插值。需要知道未办结投诉最终用时才能确定的分位数显示“—”（尚无法估计）。",
        "**Why the two medians differ**: the median of closed cases only (the usual figure) leaves out complaints "
        "still being handled — precisely the slow ones — so it understates the time to close, the more so near the "
        "as-of date. This page counts every open complaint as “still open after t so far” (statisticians call this "
        "the Kaplan–Meier estimate). Both figures use the same percentile rule (linear interpolation, as DuckDB "
        "quantile_cont and NumPy's default), so they are identical when nothing is open; with open complaints, "
        "each one's weight is shared out among the complaints still open after its age (which is how the curve "
        "above is built) and the same interpolation is done on the weights. A percentile that depends on how long "
        "the open complaints will still take is shown as “—” (not estimable yet)."),
    "rs.km.now": ("{route}：{n} 件投诉中 {open} 件仍未办结（最久 {age}）。只看已办结投诉会把它们排除；"
                  "中位用时 {naive} → 计入未办结后 {km}。",
                  "{route}: {open} of {n} complaints are still open (oldest {age}). Counting closed cases only "
                  "leaves them out; median {naive} → {km} counting them."),
    "rs.km.all_closed": ("{route}：期间内的 {n} 件投诉均已办结，两种算法结果相同。",
                         "{route}: all {n} complaints of the period are closed, so counting open cases changes "
                         "nothing."),
    "rs.col.measure": ("指标", "Measure"),
    "rs.row.complaints": ("投诉", "Complaints"),
    "rs.row.closed": ("已办结", "Closed"),
    "rs.row.open": ("未办结", "Still open"),
    "rs.row.naive_median": ("中位用时（只看已办结）", "Median time (closed cases only)"),
    "rs.row.km_median": ("中位用时（计入未办结）", "Median time (counting open cases)"),
    "rs.row.km_median_ci": ("　95% 区间", "  95% interval"),
    "rs.row.naive_p90": ("九成办结用时（只看已办结）", "9 in 10 closed within (closed cases only)"),
    "rs.row.km_p90": ("九成办结用时（计入未办结）", "9 in 10 closed within (counting open cases)"),
    "rs.row.within": ("{n} 个工作日内办结（计入未办结）", "Closed within {n} working days (counting open cases)"),
    "rs.row.within_ci": ("　95% 区间", "  95% interval"),
    "rs.row.naive_within": ("{n} 个工作日内办结（只看已办结）", "Closed within {n} working days (closed cases only)"),
    "rs.route.all": ("全部", "All"),
    "rs.route.odr": ("ODR", "ODR"),
    "rs.route.traditional": ("传统渠道", "Traditional"),
    "rs.route.short.odr": ("ODR", "ODR"),
    "rs.route.short.traditional": ("传统", "Traditional"),
    "rs.route.short.all": ("全部", "All"),
    # section: distribution
    "rs.dist.header": ("办理用时分布（已办结投诉）", "Distribution of resolution time (closed complaints)"),
    "rs.dist.hist": ("办理用时分布", "Resolution time"),
    "rs.dist.ecdf": ("在给定用时之内办结的累计比例", "Share closed within a given time"),
    "rs.dist.share": ("占该方式已办结投诉", "Share of the route's closed complaints"),
    "rs.dist.cum": ("累计比例", "Cumulative share"),
    "rs.dist.note": ("柱高为占该处理方式已办结投诉的比例（ODR 件数少，直接比件数没有意义）；最后一栏合并了 ≥ {cap} 的投诉。",
                     "Bar height is the share of the route's closed complaints (ODR has far fewer cases, so counts "
                     "are not comparable); the last bar pools everything ≥ {cap}."),
    "rs.box.title": ("各类别办理用时", "Resolution time by category"),
    "rs.box.note": ("箱体为中间一半投诉的用时范围，中间竖线为中位数，须线为第 10 到第 90 百分位数。按类别总体中位数从慢到快排列；"
                    "件数见悬停提示和下载数据，件数很少的类别不宜比较。",
                    "Each box spans the middle half of the complaints, with the median inside; the whiskers reach the "
                    "10th and 90th percentiles. Sorted from the slowest category (overall median) down; counts are in "
                    "the hover and the download — categories with few cases are not worth comparing."),
    "rs.box.hover": ("{n} 件已办结 · 第 10 百分位 {p10} · 四分之一 {q1} · 中位 {med} · 四分之三 {q3} · 第 90 百分位 {p90}",
                     "{n} closed · 10th percentile {p10} · quarter {q1} · median {med} · three quarters {q3} · "
                     "90th percentile {p90}"),
    # section: weekly
    "rs.week.header": ("按登记周的中位用时与九成办结用时", "Median and 90th-percentile time by week"),
    "rs.week.title": ("按登记周的中位用时与九成办结用时", "Median and 90th percentile by week"),
    "rs.week.note": ("实线为中位用时，虚线为九成投诉在此之内办结的用时（第 90 百分位数），按登记周统计已办结投诉。"
                     "空心点为不完整周，或该周还有未办结投诉（其数值偏低，以上方计入未办结投诉的数字为准）。",
                     "Solid: median; dashed: the time within which 9 in 10 were closed (90th percentile) — closed "
                     "complaints by week of receipt. Hollow markers are partial weeks or weeks with complaints still "
                     "open (their values are biased low; see the figures above that count open cases)."),
    "rs.week.partial": ("不完整周", "partial week"),
    "rs.median": ("中位", "Median"),
    "rs.p90": ("九成办结", "90th percentile"),
    # section: gap
    "rs.gap.header": ("ODR 与传统渠道的差距", "ODR against traditional"),
    "rs.gap.median.short": ("中位用时差", "Median time gap"),
    "rs.gap.settled.short": ("和解率差", "Settlement-rate gap"),
    "rs.gap.median.row": ("中位办结用时（{unit}）", "Median time to close ({unit})"),
    "rs.gap.settled.row": ("和解/调解成功率", "Settlement rate"),
    "rs.gap.raw": ("未调整", "Raw"),
    "rs.gap.adjusted.short": ("调整后", "Adjusted"),
    "rs.gap.col.measure": ("", ""),
    "rs.gap.row.odr": ("ODR", "ODR"),
    "rs.gap.row.trad": ("传统渠道", "Traditional"),
    "rs.gap.row.raw": ("差距（未调整，95% 区间）", "Gap, raw (95% interval)"),
    "rs.gap.row.adj": ("差距（按类别构成调整，95% 区间）", "Gap adjusted for category mix (95% interval)"),
    "rs.gap.n": ("{v}（{n} 件）", "{v} (n = {n})"),
    "rs.gap.with_ci": ("{v}（{ci}）", "{v} ({ci})"),
    "rs.gap.method": ("中位用时按已办结投诉计算；和解/调解成功率 = 结果为和解或调解成功的投诉 ÷ 已受理的已办结投诉，"
                      "{excluded} 件不予受理的传统投诉不计入（它们没有进入调解，ODR 也没有这一环节）。",
                      "Median time over closed complaints; settlement rate = complaints settled or mediated ÷ "
                      "closed complaints that were accepted: {excluded} traditional complaints not accepted are left "
                      "out — they never reached mediation, and ODR has no such step."),
    "rs.gap.how": ("区间与调整的算法", "How the intervals and the adjustment are computed"),
    "rs.gap.intervals": ("95% 区间：未调整的中位数差用次序统计量（不依赖分布假设，按整天计）；调整后的中位数差用自助法"
                         "（2000 次重抽样，固定随机种子）；比例差用 Wilson 得分区间（Newcombe 法，调整后按类别合成），"
                         "即使某类别和解率为 100% 区间也不会缩成一点。",
                         "95% intervals: from order statistics for the raw median gap (no assumption about the "
                         "distribution, in whole days); bootstrap for the adjusted one (2,000 resamples, fixed seed); "
                         "Wilson score intervals for the rate gaps (Newcombe's method, combined over categories for "
                         "the adjusted one), which stay open even where a route settled 100% of a category."),
    "rs.gap.exact": ("未调整的中位数差的 95% 区间只有一个值 {v}：办理用时按整天记录，两种方式已办结投诉的“中间”"
                     "都落在同一天的一大批投诉里（ODR {n_odr} 件、中位 {m_odr}；传统 {n_trad} 件、中位 {m_trad}），"
                     "所以每个中位数的 95% 区间本身就只有那一天。差距可以精确到天，但不能比一天更精确。",
                     "The raw median gap's 95% interval is the single value {v}: times are recorded in whole days, "
                     "and in both routes the middle of the closed complaints falls inside one large group of "
                     "complaints closed on the same day (ODR {n_odr}, median {m_odr}; traditional {n_trad}, median "
                     "{m_trad}), so the 95% interval of each median is that one day. The gap is known to the day, "
                     "not more precisely than a day."),
    "rs.gap.exact.short": ("{v}（精确到天）", "{v} (exact to the day)"),
    "rs.gap.too_few": ("件数太少", "too few cases"),
    "rs.gap.adjusted.help": ("按类别构成调整（直接标化）：在两种方式各有至少 {min} 件已办结投诉的 {k} 个类别内分别比较，"
                             "再按两者合计的类别构成加权（覆盖 {cov} 的已办结投诉）；和解率在已受理投诉各至少 {min} 件的 "
                             "{k2} 个类别内比较（覆盖 {cov2}）。",
                             "Adjusted for the category mix (direct standardisation): compared within each of the {k} "
                             "categories where both routes have at least {min} closed complaints, then weighted by the "
                             "pooled category mix (covering {cov} of closed complaints); the settlement rate within the "
                             "{k2} categories with at least {min} accepted complaints of both routes (covering {cov2})."),
    "rs.gap.chart": ("差距及 95% 区间", "Gap with 95% interval"),
    "rs.gap.pp": ("百分点", "percentage points"),
    "rs.gap.explain": (
        "**为什么要调整**：ODR 投诉集中在某些类别（如食品、销售服务），这些类别本身可能就办得快或容易和解。"
        "未调整的差距把“渠道”与“类别构成”的影响混在一起；调整后的差距在同一类别内比较，再用两者合计的类别构成加权，"
        "回答“如果两种方式处理的是同样构成的投诉，差距有多大”。两者相差较大时，说明构成差异是重要原因。",
        "**Why adjust**: ODR complaints concentrate in some categories (food, sales services …) that may be quick or "
        "easy to settle anyway. The raw gap mixes the effect of the route with that of the category mix; the adjusted "
        "gap compares within each category and weights by the pooled mix, answering “how large is the gap if both "
        "routes handled the same mix of complaints”. A large difference between the two means the mix matters."),
    "rs.gap.need_both": ("比较 ODR 与传统渠道需要两种方式都有已办结投诉；请把侧栏“处理方式”设为“全部”，或扩大期间。",
                         "Comparing ODR with traditional needs closed complaints of both routes; set Route in the "
                         "sidebar to All, or widen the period."),
    "rs.gap.no_strata": ("没有两种方式都至少有 {min} 件已办结投诉的类别，无法按类别构成调整。",
                         "No category has at least {min} closed complaints of both routes: the category-mix adjustment "
                         "is not possible."),
    "rs.gap.strata": ("各类别对比（调整所用的权重）", "Per category (weights used by the adjustment)"),
    "rs.col.category": ("类别", "Category"),
    "rs.col.n_odr": ("ODR 已办结", "ODR closed"),
    "rs.col.n_trad": ("传统已办结", "Traditional closed"),
    "rs.col.med_odr": ("ODR 中位用时", "ODR median"),
    "rs.col.med_trad": ("传统中位用时", "Traditional median"),
    "rs.col.set_odr": ("ODR 和解率", "ODR settled"),
    "rs.col.set_trad": ("传统和解率", "Traditional settled"),
    "rs.col.rate_of": ("{rate}（{n} 件已受理）", "{rate} of {n} accepted"),
    "rs.col.weight": ("用时权重", "Weight (time)"),
    "rs.col.weight_settled": ("和解率权重", "Weight (settlement)"),
    "rs.col.included": ("参与调整", "Compared"),
    "rs.yes": ("是", "yes"),
    "rs.no": ("否", "no"),
    # section: deadlines
    "rs.dl.header": ("办理期限", "Deadlines"),
    "rs.dl.on_time": ("按期办结率", "On-time rate"),
    "rs.dl.on_time.value": ("{num} / {den} 件", "{num} of {den}"),
    "rs.dl.on_time.help": ("期限内办结 ÷（已办结 + 期末前已超期未办结）；ODR 期限为登记后 10 个工作日，传统受理后 45 个工作日。"
                           "仍在期限内的 {pending} 件未办结投诉不计。",
                           "Closed by the deadline ÷ (closed + open past the deadline before the period's end); ODR: 10 "
                           "working days after receipt, traditional: 45 working days after acceptance. {pending} open "
                           "complaints still inside their deadline are left out."),
    "rs.dl.accept": ("7 个工作日内作出受理决定", "Decided within 7 working days"),
    "rs.dl.accept.help": ("传统渠道投诉：受理日期（不予受理的为决定日期，未记录时取办结日期）不晚于登记后第 7 个工作日。"
                          "尚无决定的 {undecided} 件不计，其中 {late} 件已超过 7 个工作日。",
                          "Whether the decision to accept a complaint or not was taken in time. Traditional "
                          "complaints: acceptance date (for complaints not accepted the decision date, else the closed "
                          "date) on or before the 7th working day after receipt. {undecided} complaints "
                          "without a decision are left out; {late} of them are past the 7 working days."),
    "rs.dl.accept.none": ("期间内没有传统渠道投诉。", "No traditional complaints in the period."),
    "rs.dl.overdue": ("超期未办结", "Open past the deadline"),
    "rs.dl.overdue.any": ("不限登记日期", "any received date"),
    "rs.dl.overdue.period": ("期间内登记", "received in the period"),
    "rs.dl.overdue.help": ("截至数据日期 {date} 仍未办结且已过期限的投诉（不限登记期间，其他筛选条件适用）。",
                           "Complaints still open on the as-of date {date} and past their deadline (any received date; "
                           "the other filters apply)."),
    "rs.dl.overdue.help.period": ("期间内登记、截至数据日期 {date} 仍未办结且已过期限的投诉。",
                                  "Complaints received in the period, still open on the as-of date {date} and past "
                                  "their deadline."),
    "rs.dl.weekly": ("按登记周的按期办结率", "On-time rate by week of receipt"),
    "rs.dl.weekly.note": ("纵轴从 0% 到 100%。悬停可见分子/分母；空心点为不完整周。分母为 0 的周不画点。",
                          "The axis runs from 0% to 100%. Hover for numerator/denominator; hollow markers are partial "
                          "weeks. Weeks with no denominator have no point."),
    "rs.dl.district": ("各区县按期办结率", "On-time rate by district"),
    "rs.dl.district.table": ("各区县期限执行情况", "Deadlines by district"),
    "rs.col.district": ("区县", "District"),
    "rs.col.on_time_rate": ("按期办结率（按期 / 应计）", "On-time rate (on time / counted)"),
    "rs.col.accept_rate": ("7 个工作日内作出受理决定（已决定）", "Acceptance decided within 7 working days (decided)"),
    "rs.col.accept_late": ("超过 7 个工作日仍未决定", "Undecided after 7 working days"),
    "rs.col.rate_n": ("{rate}（{num} / {den}）", "{rate} ({num} / {den})"),
    "rs.dl.list": ("超期未办结投诉（按区县）", "Open complaints past their deadline, by district"),
    "rs.dl.list.period": ("只列期间内登记的投诉", "Only complaints received in the period"),
    "rs.dl.list.none": ("没有超期未办结的投诉。", "No open complaint is past its deadline."),
    "rs.dl.list.group": ("{district}：{n} 件，最久 {age} 个工作日", "{district}: {n}, oldest {age} working days"),
    "rs.dl.list.limit": ("共 {total} 件，只列出（及下载）按区县、登记日期排序的前 {n} 件；请用区县等筛选条件缩小范围。",
                         "{total} in all; only the first {n} in district and received-date order are listed (and "
                         "downloaded): narrow the filters, e.g. to one district."),
    "rs.dl.list.note": ("年龄自登记日起算至数据日期 {date}；不含任何消费者个人信息。展开区县可见投诉清单。",
                        "Age counted from the received date to the as-of date {date}; no personal data of consumers. "
                        "Open a district to see its list."),
    "rs.col.reg_no": ("登记编号", "Registration no."),
    "rs.col.route": ("处理方式", "Route"),
    "rs.col.received": ("登记日期", "Received"),
    "rs.col.merchant": ("被投诉人", "Business complained about"),
    "rs.col.acceptance": ("受理情况", "Acceptance"),
    "rs.col.deadline": ("期限", "Deadline"),
    "rs.col.age_wdays": ("已耗工作日", "Age (working days)"),
    "rs.col.overdue_wdays": ("超期工作日", "Overdue (working days)"),
    "rs.acc.pending": ("尚未决定", "Not yet decided"),
    "rs.acc.none": ("无此环节（ODR）", "No such step (ODR)"),
}
