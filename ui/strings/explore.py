"""Strings of the explore, SQL and methodology pages and of the “Cite” popover (prefix ex.)."""
STRINGS = {
    # --- cite this figure
    "ex.cite.button": ("引用", "Cite"),
    "ex.cite.permalink": ("永久链接（含当前筛选条件）", "Permalink (with the current filters)"),
    "ex.cite.zh": ("中文引用", "Citation (Chinese)"),
    "ex.cite.en": ("英文引用", "Citation (English)"),
    "ex.cite.note": ("数据版本在每次导入数据后改变；同一链接和版本可复现同一数字。",
                     "The data version changes with every import; the same link and version reproduce the same number."),
    "ex.cite.line": ("张掖市消费维权数据看板：《{title}》，数据截至 {as_of}，数据版本 {version}。{url}（访问日期：{accessed}）",
                     "Zhangye Consumer Dispute Dashboard, “{title}”, data as of {as_of}, data version {version}. "
                     "{url} (accessed {accessed})"),
    # --- explore: facets
    "ex.intro": ("按条件筛选投诉记录，查看每个数字背后的明细，下载并引用。统计期间和区县也可在侧栏更改。",
                 "Filter the complaint records, see the rows behind every number, download and cite them. "
                 "The period and districts can also be changed in the sidebar."),
    "ex.facets": ("筛选条件（括号内为在其他条件下的件数）", "Filters (in brackets: complaints under the other filters)"),
    "ex.merchant": ("搜索经营者名称或统一社会信用代码", "Search merchant name or credit code"),
    "ex.merchant.placeholder": ("例如：饭庄、旅行社", "e.g. a shop or travel agency name"),
    "ex.facet.route": ("处理方式", "Route"),
    "ex.facet.districts": ("区县", "Districts"),
    "ex.facet.channels": ("来源渠道", "Channel"),
    "ex.facet.object_classes": ("商品 / 服务", "Goods / services"),
    "ex.facet.categories": ("客体类别", "Category"),
    "ex.facet.problems": ("投诉问题", "Problem"),
    "ex.facet.outcomes": ("处理结果", "Outcome"),
    "ex.facet.status": ("办结情况", "Open / closed"),
    "ex.facet.more": ("更多条件：区县、来源渠道、处理结果、客体类别、投诉问题",
                      "More: district, channel, outcome, category, problem"),
    "ex.facet.any": ("不限", "Any"),
    "ex.status.open": ("未办结", "Open"),
    "ex.status.closed": ("已办结", "Closed"),
    "ex.clear": ("清除本页筛选", "Clear this page's filters"),
    # --- explore: results
    "ex.total.help": ("只计诉求类型为“投诉”的记录，按登记日期归入期间。", "Only records of appeal type “complaint” (not reports or inquiries), by received date."),
    "ex.summary": ("符合条件的投诉 **{total}** 件，其中 ODR {odr} 件（{odr_pct}），已办结 {closed} 件（{closed_pct}）",
                   "**{total}** matching complaints, of which ODR {odr} ({odr_pct}) and closed {closed} ({closed_pct})"),
    "ex.chart.title": ("符合条件的投诉（按登记月份）", "Matching complaints by month received"),
    "ex.chart.month": ("登记月份", "Month received"),
    "ex.chart.partial": ("不完整月份（期间只覆盖一部分）", "Partial month (the period covers part of it)"),
    "ex.tab.records": ("记录明细", "Records"),
    "ex.tab.chart": ("按月分布", "By month"),
    "ex.records.title": ("投诉明细", "Complaint records"),
    "ex.records.note": ("明细不含任何消费者个人信息；经营者为被投诉的企业或个体户。字段含义见“方法说明”页的数据字典。",
                        "The records hold no personal data of consumers; merchants are the businesses complained about. "
                        "See the data dictionary on the Methodology page for every field."),
    "ex.sort": ("排序", "Sort by"),
    "ex.sort.received": ("登记时间", "Date received"),
    "ex.sort.closed": ("办结时间", "Date closed"),
    "ex.sort.days": ("办理天数", "Resolution days"),
    "ex.sort.disputed": ("争议金额", "Disputed amount"),
    "ex.sort.recovered": ("挽回经济损失", "Amount recovered"),
    "ex.sort.merchant": ("经营者名称", "Merchant"),
    "ex.sort.district": ("区县", "District"),
    "ex.sort.reg_no": ("登记编号", "Registration number"),
    "ex.sorted.short": ("{sort} {arrow} · 每页 {size} 行", "{sort} {arrow} · {size} per page"),
    "ex.sorted": ("按{sort}{order}排列，每页 {size} 行", "Sorted by {sort}, {order}; {size} rows per page"),
    "ex.order": ("顺序", "Order"),
    "ex.order.desc": ("降序", "Descending"),
    "ex.order.asc": ("升序", "Ascending"),
    "ex.size": ("每页行数", "Rows per page"),
    "ex.page": ("页码", "Page"),
    "ex.page.of": ("第 {page:,} / {pages:,} 页，第 {first:,}–{last:,} 条，共 {total:,} 条",
                   "Page {page:,} of {pages:,}: rows {first:,}–{last:,} of {total:,}"),
    "ex.download.csv": ("下载明细 CSV", "Download records (CSV)"),
    "ex.download.json": ("下载明细 JSON", "Download records (JSON)"),
    "ex.download.note": ("下载全部 {n:,} 条符合条件的记录（按当前排序），CSV 为带 BOM 的 UTF-8，可直接用 Excel 打开；以 = + - @ 开头的文字前加了单引号，防止电子表格把它当公式执行。",
                         "Downloads hold all {n:,} matching records in the current order. The CSV is UTF-8 with BOM "
                         "(opens in Excel); text beginning with = + - @ gets a leading apostrophe so a spreadsheet never runs it."),
    "ex.download.capped": ("符合条件的记录共 {total:,} 条，超过下载上限：下载只包含按当前排序的前 {cap:,} 条。请缩小期间或增加筛选条件以获得完整数据。",
                           "{total:,} records match, more than the download limit: the downloads hold only the first "
                           "{cap:,} in the current order. Narrow the period or add filters to get them all."),
    "ex.empty": ("所选条件下没有投诉记录。可以放宽上方的筛选条件、清除经营者搜索，或在侧栏扩大统计期间。",
                 "No complaint matches these filters. Loosen the filters above, clear the merchant search, or widen the period in the sidebar."),
    "ex.col.status": ("办结情况", "Status"),
    "ex.col.district": ("区县", "District"),
    # the records table's column headers (short) and their tooltips
    "ex.col.reg_no": ("登记编号", "Reg. no."),
    "ex.col.reg_no.help": ("12315 平台的登记编号，每件投诉唯一。", "The 12315 registration number, unique per complaint."),
    "ex.col.received_at": ("登记时间", "Received"),
    "ex.col.received_at.help": ("投诉登记的日期和时间（北京时间）；统计期间按登记日期归属。",
                                "Date and time the complaint was registered (local time); it decides the period."),
    "ex.col.merchant_name": ("经营者", "Merchant"),
    "ex.col.merchant_name.help": ("被投诉的企业或个体户（不是消费者）。", "The business complained about (never a consumer)."),
    "ex.col.category": ("类别", "Category"),
    "ex.col.category.help": ("商品或服务的类别。", "Category of the goods or service."),
    "ex.col.status.help": ("截至数据日期是否已办结。", "Whether the complaint was closed by the as-of date."),
    "ex.col.outcome": ("处理结果", "Outcome"),
    "ex.col.outcome.help": ("办结的投诉如何结束（调解成功、和解、撤回等）；尚未办结的显示“未办结”。",
                            "How a closed complaint ended (mediated, settled, withdrawn …); “Open” while not closed."),
    "ex.col.closed_at": ("办结时间", "Closed"),
    "ex.col.closed_at.help": ("办结的日期和时间；未办结为空。", "Date and time of closing; empty while open."),
    "ex.col.resolution_days": ("办理天数", "Days"),
    "ex.col.resolution_days.help": ("登记到办结的自然日数（当天办结为 0）。",
                                    "Calendar days from receipt to closing (same day = 0)."),
    "ex.col.disputed_yuan": ("争议金额（元）", "Disputed (¥)"),
    "ex.col.disputed_yuan.help": ("争议金额，单位：元。", "Amount in dispute, in yuan."),
    "ex.col.recovered_yuan": ("挽回损失（元）", "Recovered (¥)"),
    "ex.col.recovered_yuan.help": ("为消费者挽回的经济损失，单位：元。", "Money recovered for the consumer, in yuan."),
    "ex.detail.pick": ("登记编号", "Registration number"),
    "ex.detail": ("查看一条记录的全部字段", "Show every field of one record"),
    "ex.detail.placeholder": ("选择本页的一个登记编号", "Choose a registration number on this page"),
    "ex.yuan": ("{v}元", "¥{v}"),
    "ex.source.sample": ("合成样例数据", "Synthetic sample"),
    "ex.yes": ("是", "Yes"),
    "ex.no": ("否", "No"),
    # --- SQL page
    "ex.sql.intro": ("用 SQL 直接查询数据库（只读）。只运行一条 SELECT（或 WITH … SELECT）语句；每次最多 2 秒、1 GB 内存，最多返回 1,000 行、5 MB。查询写在网址里，可以分享；从链接打开的查询要点击“运行”才会运行（示例查询除外）。",
                  "Query the database directly with SQL (read-only). Only one SELECT (or WITH … SELECT) statement "
                  "is run, for at most 2 seconds and 1 GB of memory, returning at most 1,000 rows and 5 MB. The query is "
                  "kept in the URL, so the link can be shared; a query opened from a link runs only when Run is pressed "
                  "(examples run at once)."),
    "ex.sql.editor": ("SQL 语句", "SQL statement"),
    "ex.sql.run": ("运行", "Run"),
    "ex.sql.examples": ("示例查询", "Example queries"),
    "ex.sql.use": ("使用此示例", "Use this example"),
    "ex.sql.dictionary": ("数据字典", "Data dictionary"),
    "ex.sql.rows": ("{n:,} 行 · {ms:,.0f} 毫秒", "{n:,} rows · {ms:,.0f} ms"),
    "ex.sql.truncated": ("结果超过 1,000 行，只显示并下载前 1,000 行。请加上 LIMIT、WHERE 或汇总（GROUP BY）。",
                      "The result has more than 1,000 rows; only the first 1,000 are shown and downloadable. Add LIMIT, WHERE or GROUP BY."),
    "ex.sql.no_rows": ("查询成功，没有返回任何行。", "The query ran and returned no rows."),
    "ex.sql.timeout": ("查询超过 2 秒，已被终止。请缩小范围（WHERE）、先汇总或加 LIMIT。",
                    "The query ran longer than 2 seconds and was stopped. Narrow it (WHERE), aggregate first or add LIMIT."),
    "ex.sql.memory": ("已终止：查询占用的内存超过 {limit}。请缩小范围（WHERE）、先汇总、加 LIMIT，或避免构造超大的值（如 repeat、range、lpad 的巨大参数）。",
                   "Stopped: the query used more than {limit} of memory. Narrow it (WHERE), aggregate first, add LIMIT, "
                   "or avoid building huge values (e.g. repeat, range or lpad with huge arguments)."),
    "ex.sql.crash": ("已终止：运行查询的进程意外结束，很可能是因为它需要超过 {limit} 的内存。请缩小查询范围。",
                  "Stopped: the process running the query ended unexpectedly, most likely because it needed more than "
                  "{limit} of memory. Narrow the query."),
    "ex.sql.busy": ("当前查询较多，请稍后再点击“运行”。", "Other queries are running right now; press Run again in a moment."),
    "ex.sql.pending": ("这条查询来自链接，尚未运行。请先检查语句，然后点击“运行”。",
                    "This query came with the link and has not been run. Check it, then press Run."),
    "ex.sql.capped": ("结果超过 {mb:,.0f} MB，只显示并下载前 {n:,} 行。请减少列、缩短文本或加 LIMIT。",
                   "The result is larger than {mb:,.0f} MB; only the first {n:,} rows are shown and downloadable. "
                   "Select fewer or shorter columns, or add LIMIT."),
    "ex.sql.error": ("查询出错：{error}", "The query failed: {error}"),
    "ex.sql.refused": ("未运行：{reason}", "Not run: {reason}"),
    "ex.sql.refused.empty": ("请输入一条 SELECT 语句。", "Enter a SELECT statement."),
    "ex.sql.refused.too_long": ("语句太长（{detail} 个字符）。", "The statement is too long ({detail} characters)."),
    "ex.sql.refused.syntax": ("语法错误：{detail}", "Syntax error: {detail}"),
    "ex.sql.refused.several": ("一次只能运行一条语句，这里有 {detail} 条。", "Only one statement can be run at a time; this has {detail}."),
    "ex.sql.refused.statement": ("只允许查询（SELECT / WITH … SELECT），不允许 {detail} 语句。",
                              "Only queries (SELECT / WITH … SELECT) are allowed, not {detail}."),
    "ex.sql.refused.function": ("不允许使用函数 {detail}：读取文件、访问网络或查看系统设置的函数都被禁止。",
                             "The function {detail} is not allowed: functions that read files, reach the network or reveal settings are refused."),
    "ex.sql.refused.table_function": ("不允许使用表函数 {detail}（只允许 range、generate_series、unnest）。",
                                   "The table function {detail} is not allowed (only range, generate_series, unnest)."),
    "ex.sql.refused.table": ("未知的表 {detail}：只能查询数据字典中列出的表，不能读取文件。",
                          "Unknown table {detail}: only the tables of the data dictionary can be queried, never files."),
    "ex.sql.result": ("SQL 查询结果", "SQL query result"),
    "ex.sql.table": ("表", "Table"),
    "ex.sql.unavailable": ("无法打开只读查询连接：{error}", "Cannot open the read-only query connection: {error}"),
    "ex.sql.col.table": ("表", "Table"),
    "ex.sql.col.column": ("字段", "Column"),
    "ex.sql.col.type": ("类型", "Type"),
    "ex.sql.col.name_en": ("英文名", "English name"),
    "ex.sql.col.label_zh": ("中文名", "Chinese label"),
    "ex.sql.col.meaning": ("含义", "Meaning"),
    "ex.sql.col.columns": ("字段数", "Columns"),
    "ex.sql.col.label": ("名称", "Name"),
    "ex.sql.col.other": ("另一语言名称", "Name (other language)"),
    # --- methodology page
    "ex.me.intro": ("本页说明看板上每个数字的来源和计算方法。若代码与本页不一致，以修正其中之一为准，不会悄悄改变口径。",
                 "How every number on the dashboard is defined and computed. If the code and this page disagree, "
                 "one of them is corrected on purpose; definitions never change silently."),
    "ex.me.metrics": ("指标定义", "Metric definitions"),
    "ex.me.col.metric": ("指标", "Metric"),
    "ex.me.col.key": ("代码", "Key"),
    "ex.me.col.formula": ("口径 / 公式", "Definition / formula"),
    "ex.me.col.numerator": ("分子", "Numerator"),
    "ex.me.col.denominator": ("分母", "Denominator"),
    # English of the numerators / denominators of analytics.metrics.DEFINITIONS (Chinese there)
    "ex.me.nd.有办结时间的投诉": ("有办结时间的投诉", "Complaints with a closed date"),
    "ex.me.nd.期间内登记的投诉": ("期间内登记的投诉", "Complaints received in the period"),
    "ex.me.nd.已办结投诉": ("已办结投诉", "Closed complaints"),
    "ex.me.nd.期限内办结": ("期限内办结", "Closed on or before the deadline"),
    "ex.me.nd.已办结 + 已超期未办结": ("已办结 + 已超期未办结", "Closed + open past the deadline"),
    "ex.me.nd.按时作出受理决定": ("按时作出受理决定", "Acceptance decided on time"),
    "ex.me.nd.有受理决定日期的传统投诉": ("有受理决定日期的传统投诉", "Traditional complaints with an acceptance decision date"),
    "ex.me.nd.投诉量": ("投诉量", "Complaints"),
    "ex.me.nd.人口": ("人口", "Population (2020 census)"),
    "ex.me.nd.和解/调解成功的已办结投诉": ("和解/调解成功的已办结投诉", "Closed complaints settled (by agreement or mediation)"),
    "ex.me.nd.已受理的已办结投诉": ("已受理的已办结投诉", "Closed complaints that were accepted"),
    "ex.me.nd.已办结退货": ("已办结退货", "Completed returns"),
    "ex.me.nd.全部退货": ("全部退货", "All returns"),
    "ex.me.conventions": ("通用约定", "Conventions"),
    "ex.me.conventions.body": (
        "- 时间均为北京时间；只有日期的时间戳视为当天零点。\n"
        "- **投诉**指诉求类型为“投诉”的记录；举报、咨询可以存储，但不计入任何投诉指标。\n"
        "- 同一登记编号再次导入会覆盖旧记录，不会重复计数。\n"
        "- **统计期间** [开始, 结束] 为含两端的日历日期；投诉按登记日期归入期间（队列口径），个别指标另有说明（如 ODR 在线和解按办结日期）。\n"
        "- **周**为 ISO 周（周一至周日）；数据或期间只覆盖一部分的周标为“不完整周”，不与完整周比较。\n"
        "- **数据截至日期**：投诉是否已办结、超期或尚未到期，一律按数据截至日期判断。期间结束日期晚于数据截至日期时，按开始日期至数据截至日期统计，在册数按数据截至日期计，页面顶部会注明。\n"
        "- 中位数和 P90（第 90 百分位数）按线性插值计算（与常用统计软件的默认方法一致），无已办结投诉时为空，不为 0。\n"
        "- **不确定性与比较**：凡称“95%”的区间，都经模拟检验，在样例数据的规模下至少 93% 的时候覆盖真实值。没有办法做到时（例如 5 件及以下投诉的中位数）不给区间，显示为“案例太少”，"
        "不标为优于或差于全市，在综合评分中按全市平均计。“优于/差于全市”“异常周”“名次变化”等标记，以及总览上红绿色的变化，只在差异超出随机波动（标明的水平，一般为 5%）时出现，"
        "否则显示“基本持平”；在没有真实差异的数据上，标记出现的比例经模拟检验不超过这一水平。n 件中 n 件就是 100%，与全市相同的单位不会被标为“较差”。\n"
        "- 金额以元为单位保留两位小数；比率在数据和 JSON 中为 0–1 的小数，仅在屏幕上显示为百分比。",
        "- Times are local (Asia/Shanghai); a timestamp without a time of day is midnight.\n"
        "- A **complaint** is a record of appeal type “complaint”; reports and inquiries may be stored but no complaint metric counts them.\n"
        "- Importing the same registration number again replaces the earlier row: nothing is counted twice.\n"
        "- A **period** [from, to] is inclusive calendar dates; a complaint belongs to the period of its received date (cohort view) unless a metric says otherwise (e.g. ODR resolved uses the closed date).\n"
        "- **Weeks** are ISO weeks (Monday–Sunday); weeks the data or period covers only partly are labelled partial and never compared as whole weeks.\n"
        "- **As-of date**: whether a complaint is open, closed, late or not yet due is always judged at the as-of date. When the period ends after it, the numbers cover the period's start to the as-of date and registries are taken at the as-of date; the top of the page says so.\n"
        "- Median and P90 (90th percentile) are linear-interpolation percentiles (the usual statistical software's default); empty, never 0, when nothing is closed.\n"
        "- **Uncertainty and comparisons**: every interval called “95%” is checked by simulation to cover the true value at least 93% of the time at the sample's sizes. "
        "Where no method manages that (e.g. a median over 5 or fewer complaints) there is no interval: the value shows as “too few cases”, is never flagged better or worse "
        "than the city, and counts as the city average in any composite score. Flags (better/worse than the city, unusual week, rank change) and the red or green changes "
        "on the overview appear only when the difference is beyond chance at the stated level (usually 5%), otherwise “about the same”; on data with no real difference "
        "flags are checked by simulation to fire no more often than that level. n out of n is exactly 100%, and a unit equal to the city is never “worse”.\n"
        "- Money is in yuan with two decimals; rates are fractions in [0, 1] in data and JSON, percentages only on screen."),
    "ex.me.key.help": ("下载文件和 JSON 中的字段名：{field}", "Field name in downloads and JSON: {field}"),
    # --- methods: the statistics behind the pages' plain words (pages link here)
    "ex.me.methods": ("统计方法", "Statistical methods"),
    "ex.me.methods.intro": ("各页面上用平常话说明的判断，背后用的是下面这些方法。",
                            "The pages say these things in plain words; here is how they are worked out."),
    "ex.me.m.km": ("办理时间：把尚未办结的投诉也算进去", "Resolution times that count the complaints still open"),
    "ex.me.m.km.body": (
        "只看已办结的投诉会低估办理时间：办得慢的投诉往往还没办结。办理时效页的“办理时间”曲线和中位数因此用 Kaplan–Meier 生存估计："
        "每件投诉从登记日起计时，已办结的在办结那天“结束”，仍未办结的只知道“至少已经过了这么多天”，在它的当前天数处退出计算而不被丢掉。"
        "曲线表示“登记后过了 t 天仍未办结的比例”，中位数是曲线降到一半的那一天。没有未办结投诉时，结果与只按已办结投诉计算的中位数完全相同。"
        "95% 区间按 Greenwood 方差计算。",
        "Looking only at closed complaints understates resolution times: the slow ones are often still open. The resolution "
        "page's curves and medians therefore use the Kaplan–Meier survival estimate: each complaint is timed from its "
        "received date; a closed one ends on its closed date, an open one is known only to have lasted at least its current "
        "age and leaves the calculation there instead of being dropped. The curve is the share still open t days after "
        "receipt; the median is the day it falls to one half. With no open complaint the result equals the median over "
        "closed complaints exactly. 95% intervals use Greenwood's variance."),
    "ex.me.m.weeks": ("异常周：与预期相比", "Unusual weeks: compared with what was expected"),
    "ex.me.m.weeks.body": (
        "某周的预期投诉量 = 近期水平 × 日历因素（该周的工作日和节假日）× 季节因素（往年同一周或同一节日周比各自近期水平高多少，向 1 收缩）。"
        "实际周投诉量的波动比纯随机（泊松分布）更大，这一额外波动用**过度离散参数**衡量（前 26 个完整周的实际值与预期值之差推算，至少为 1）；"
        "预测区间按负二项分布计算，并计入水平和季节因素的估计误差。超出 99% 预测区间的周标为“异常周”。只用该周之前的数据，从不用后来的数据评判一周。"
        "历史不足（近期完整周少于 6 周，或往年没有同一周）时不给区间，标为“历史数据不足”。",
        "A week's expected count = recent level × calendar factor (its working days and holidays) × seasonal factor (how "
        "the same ISO week or holiday week compared with its own recent level in earlier years, shrunk toward 1). Weekly "
        "counts vary more than pure chance (a Poisson count) would; that extra variation is measured by the "
        "**overdispersion** parameter (estimated from the 26 previous whole weeks' actual versus expected counts, at "
        "least 1). The prediction band is negative binomial and includes the uncertainty of the level and seasonal "
        "factor. A week outside its 99% band is flagged unusual. Only weeks before it are used: a week is never judged "
        "by later data. Without enough history (fewer than 6 recent whole weeks, or the week never seen in an earlier "
        "year) there is no band: “not enough history”."),
    "ex.me.m.poisson": ("每十万人投诉量的区间", "Intervals of complaints per 100,000 residents"),
    "ex.me.m.poisson.body": (
        "投诉件数视为泊松计数，用精确泊松区间（Garwood 方法，由卡方分布得到）给出件数的 95% 区间，再除以人口、乘以 10 万。"
        "件数少时区间很宽，这正说明人口少的区县比率波动大。比例（办结率、按期办结率、ODR 占比）用精确二项区间（Clopper–Pearson），"
        "中位天数用不依赖分布的次序统计量区间（已办结少于 6 件时不给区间），件均挽回金额用均值 ± 1.96 个标准误（标准差取本区县与全市中较大者）。",
        "The complaint count is treated as a Poisson count: its exact 95% interval (Garwood's method, from the chi-square "
        "distribution) is divided by the population and multiplied by 100,000. Small counts give wide intervals — which is "
        "why the rates of small districts swing. Proportions (closure, on-time, ODR share) use exact binomial "
        "(Clopper–Pearson) intervals; median days a distribution-free order-statistic interval (none below 6 closed "
        "complaints); recovered per complaint the mean ± 1.96 standard errors (with the larger of the district's and the "
        "city's standard deviation)."),
    "ex.me.m.fair": ("区县排名：扣除偶然因素后再比较", "District rankings: comparing after allowing for chance"),
    "ex.me.m.fair.body": (
        "综合得分把各项指标按所选权重合成。为了不让偶然波动决定名次，某项指标的 95% 区间包含全市数值时（与全市没有可分辨的差异），"
        "该项按全市数值计分；案例太少、没有区间的指标也按全市数值计。这样，名次只反映超出随机波动的差异。"
        "名次变化只在两个期间的名次区间不重叠时才标出。",
        "The composite score combines the metrics with the chosen weights. So that chance does not decide ranks, a "
        "metric whose 95% interval contains the city value (not distinguishable from the city) scores as the city value; "
        "so does a metric with too few cases for an interval. Ranks then reflect only differences beyond chance. A rank "
        "change is flagged only when the two periods' rank intervals do not overlap."),
    "ex.me.sources": ("数据来源与版本", "Data sources and version"),
    "ex.me.source.dataset": ("数据集", "Dataset"),
    "ex.me.source.sample": ("合成样例数据（按张掖市公开信息校准；商户名称均为虚构）", "Synthetic sample (calibrated to public information about Zhangye; merchant names are fictional)"),
    "ex.me.source.imported": ("导入的 12315 平台及监管部门导出文件", "Imported exports of the 12315 platform and the bureau"),
    "ex.me.source.empty": ("空数据库", "Empty database"),
    "ex.me.source.as_of": ("数据截至", "Data as of"),
    "ex.me.source.from": ("数据起始", "Data from"),
    "ex.me.source.version": ("数据版本", "Data version"),
    "ex.me.source.built": ("数据库生成时间", "Database built"),
    "ex.me.source.version.help": ("每次导入数据后改变。引用数字时请同时注明数据版本。", "Changes with every import. Cite it together with any number."),
    "ex.me.source.origin": (
        "投诉数据来自全国 12315 平台（含 12345 热线、市长信箱转办和 ODR 企业直接处理的投诉）的导出；"
        "无理由退货、ODR 入驻企业、承诺店和放心消费示范单位来自市场监管部门的名册。区县人口来自 2020 年第七次全国人口普查。"
        "法定工作日按国务院办公厅公布的节假日安排（含调休）计算。",
        "Complaints come from exports of the national 12315 platform (including cases transferred from the 12345 "
        "hotline and the mayor's mailbox, and those handled directly by ODR enterprises); no-reason returns, ODR "
        "enterprises, committed stores and demonstration units from the bureau's registers. District populations are "
        "from the 2020 (seventh) national census. Working days follow the State Council's official holiday calendar with make-up days."),
    "ex.me.col.rows": ("行数", "Rows"),
    "ex.me.sizes.of_type": ("{table}：其中{type}", "{table}: {type}"),
    "ex.me.appeal.投诉": ("投诉", "complaints only"),
    "ex.me.appeal.举报": ("举报", "reports only"),
    "ex.me.appeal.咨询": ("咨询", "inquiries only"),
    "ex.me.popnote.2020 census": ("2020 年人口普查", "2020 census"),
    "ex.me.popnote.2020 census (rounded)": ("2020 年人口普查（取整）", "2020 census (rounded)"),
    "ex.me.popnote.derived": ("推算：全市总人口 {total} 减去其他五个区县", "derived: city total {total} minus the other five counties"),
    "ex.me.imports": ("导入记录", "Import history"),
    "ex.me.imports.none": ("尚未导入任何文件。", "No file has been imported yet."),
    "ex.me.sizes": ("各表行数", "Rows per table"),
    "ex.me.calendar": ("法定节假日已知至 {date}；此后的工作日按周一至周五估算，相关期限和工作日数可能偏差。",
                    "The official holiday calendar is known up to {date}; after it, working days assume Monday–Friday, "
                    "so deadlines and working-day counts there may be off."),
    "ex.me.population": ("每十万人指标的分母（2020 年人口普查）", "Denominators of per-100k rates (2020 census)"),
    "ex.me.caveats": ("注意事项", "Caveats"),
    "ex.me.caveats.body": (
        "- **投诉不是统计抽样。** 投诉量反映的是消费者是否投诉、经营者多少、游客多少以及渠道是否便利，不等于问题的发生率。"
        "投诉多的行业或区县，不一定比投诉少的“更差”。\n"
        "- **每十万人指标以 2020 年普查常住人口为分母**，不含游客和流动人口。肃南县人口约 2.8 万而游客众多，临泽（七彩丹霞）和甘州（平山湖）也有大量游客，"
        "这些地方的人均比率波动很大：请同时看件数，件数少时不要比较比率。肃南等区县人口为推算值（见上表说明）。\n"
        "- **按期办结率**只把已办结和已超期未办结的投诉计入分母，仍在期限内的未办结投诉不计，所以最近几周不会因口径而显得 100% 按期。\n"
        "- 最近的投诉可能尚未办结，办结率和办理天数会随时间变化，所以办结率等与以前的期间只做同龄比较（见“同龄比较”）；引用时请注明数据截至日期和数据版本。\n"
        "- 导出数据中的类别、问题和结果由平台工作人员填写，口径可能不统一；原始处理结果保留在“处理结果（原文）”字段。",
        "- **Complaints are not a statistical sample.** Their number reflects whether consumers complain, how many businesses "
        "and tourists there are and how easy the channels are — not how often problems happen. A sector or district with more "
        "complaints is not necessarily “worse”.\n"
        "- **Per-100k rates divide by the 2020 census resident population**, which leaves out tourists and migrants. Sunan has "
        "about 28,000 residents and many tourists, and Linze (Danxia) and Ganzhou (Pingshanhu) draw many tourists too: per-capita rates "
        "there swing wildly. Read them next to the counts and do not compare rates of small counts. Some populations are derived (see the note column).\n"
        "- **On-time rate** counts in its denominator only closed complaints and open ones past their deadline; open complaints still "
        "inside their deadline are left out, so recent weeks are not 100% on time by construction.\n"
        "- Recent complaints may still be open: closure rates and resolution days change as they close, so closure rates and the like are compared with earlier periods only at equal age (see “Comparisons at equal age”). Cite the as-of date and the data version.\n"
        "- Categories, problems and outcomes are entered by platform staff and may be coded inconsistently; the outcome as exported is kept in the “Outcome as exported” field."),
    "ex.me.synthetic": ("当前载入的是合成样例数据：它按张掖市公开报道的数字校准（如 ODR 企业 152 家、在线和解 516 件），但每一条记录都是生成的，商户名称均为虚构，不能作为真实投诉引用。",
                     "The loaded data is a synthetic sample: calibrated to the figures Zhangye published (e.g. 152 ODR "
                     "enterprises, 516 disputes resolved online), but every record is generated and every merchant name is "
                     "fictional. Do not cite it as real complaints."),
    "ex.me.dictionary": ("数据字典", "Data dictionary"),
    "ex.me.dictionary.intro": ("数据库中每个表和字段的含义。可在“SQL 查询”页直接查询这些表。",
                            "Every table and field of the database. Query them on the SQL page."),
}
