"""Every metric's definition, once (../shared/METRICS.md is the contract).

SQL fragments here are constants used by analytics/queries.py; the pages and the ``figures``
command both go through those functions, so they cannot disagree. ``DEFINITIONS`` is what the
methodology page shows.
"""
from __future__ import annotations

# Canonical outcomes and the raw texts that map to them (domain.md §4).
OUTCOMES = {
    "调解成功": ["调解成功", "达成调解协议", "调解成功(达成协议)"],
    "调解不成功": ["调解不成功", "未达成调解协议", "调解失败"],
    "终止调解": ["终止调解", "终止"],
    "撤回": ["撤回", "撤诉", "消费者撤回"],
    "自行和解": ["自行和解"],
    "不予受理": ["不予受理"],
    "和解": ["和解", "已和解(ODR)", "已和解", "ODR和解", "协商和解"],
    "协商不成转办": ["协商不成转办", "协商不成", "转办"],
}
SETTLED_OUTCOMES = ("和解", "调解成功")
RETURN_DONE_RESULTS = ("已办结", "已退货", "已换货", "已退款", "办结", "完成", "已完成")

# --- SQL fragments (alias c = complaints) ------------------------------------------------
IS_CLOSED = "c.closed_date IS NOT NULL"
IS_SETTLED = "c.outcome IN ('和解', '调解成功')"
# Accepted (受理): every complaint but those not accepted (不予受理); ODR complaints have no
# acceptance step and count as accepted. Settlement rate = settled ÷ closed accepted complaints.
IS_ACCEPTED = "c.acceptance IS DISTINCT FROM '不予受理'"
# On time: closed on or before the deadline.
ON_TIME_NUM = "c.closed_date IS NOT NULL AND c.closed_date <= c.deadline_date"
# Denominator: closed, or open with the deadline earlier than the as-of date (param: the as-of
# date, queries.status_date, whatever the period: METRICS.md "As-of date").
ON_TIME_DEN = "(c.closed_date IS NOT NULL OR c.deadline_date < ?)"
# Overdue: open with the deadline earlier than the as-of date (param: the as-of date).
OVERDUE_OPEN = "c.closed_date IS NULL AND c.deadline_date < ?"
# Acceptance decision (domain.md art. 14, definition "accept_on_time" below): the acceptance
# date, or for a complaint not accepted (不予受理) the date of that decision — the acceptance date
# when recorded, else the closed date (rejecting closes the case). Traditional complaints only.
DECISION_DATE = ("CASE WHEN c.acceptance = '不予受理' THEN coalesce(c.accepted_date, c.closed_date) "
                 "ELSE c.accepted_date END")
ACCEPT_ON_TIME = f"({DECISION_DATE}) <= c.accept_deadline"


def settled_sql_list() -> str:
    return ", ".join(f"'{o}'" for o in SETTLED_OUTCOMES)


assert IS_SETTLED == f"c.outcome IN ({settled_sql_list()})"

# --- definitions shown on the methodology page -------------------------------------------
# key, zh name, en name, formula (zh), formula (en), numerator, denominator
DEFINITIONS = [
    ("complaints", "投诉量", "Complaints",
     "登记时间在期间内、诉求类型为“投诉”的记录数（举报、咨询不计）",
     "Records with appeal type “complaint” received in the period (reports and inquiries excluded)",
     "—", "—"),
    ("week", "周", "Week",
     "ISO 周，周一至周日，按 ISO 年标注（2024年12月30日属于2025年第1周）；数据或期间只覆盖一部分的周标为“不完整周”，不与完整周比较",
     "ISO week, Monday–Sunday, labelled by ISO year (Dec 30, 2024 is in week 1 of 2025); weeks the data or "
     "period covers only partly are marked partial and never compared as whole weeks",
     "—", "—"),
    ("as_of", "数据截至日期", "As-of date",
     "数据覆盖的最后一天。投诉是否已办结、是否超期、是否尚未到期，一律按数据截至日期判断，与所选期间无关。"
     "期间结束日期晚于数据截至日期时，投诉和退货按开始日期至数据截至日期统计，在册数按数据截至日期计，页面会注明；"
     "把结束日期再往后延，任何数字都不会变",
     "The latest date the data covers. Whether a complaint is open, closed, late or not yet due is always judged "
     "at the as-of date, whatever the period. When the period ends after the as-of date, complaints and returns "
     "are counted from its start to the as-of date and registries at the as-of date, and the page says so; moving "
     "the end date further changes no number",
     "—", "—"),
    ("odr", "ODR 投诉", "ODR complaint",
     "“是否ODR”为是的投诉，由入驻企业在 12315 平台直接处理；其余为传统渠道",
     "Complaint marked ODR in the export, handled by an enrolled enterprise on 12315; all others are traditional",
     "—", "—"),
    ("closure_rate", "办结率", "Closure rate",
     "期间内登记的投诉中，到数据截至日期已办结的比例。最近登记的投诉还没来得及办结，所以与以前比较时按同龄比较（见“同龄比较”）",
     "Share of the period's complaints that are closed at the as-of date. Recent complaints have not had time "
     "to close, so comparisons with earlier periods are made at equal age (see “Comparisons at equal age”)",
     "有办结时间的投诉", "期间内登记的投诉"),
    ("equal_age", "同龄比较", "Comparisons at equal age",
     "会随投诉“变老”而上升的指标（办结率、和解/调解成功占比、挽回金额）只在同龄时与以前的期间比较：本期结束后到数据截至日期过了几天，"
     "以前期间的投诉就只算它结束后同样天数内办结的。按期办结率不需要这样调整（未到期的投诉本来就不计）",
     "A rate that grows while complaints age (closure rate, settled share, recovered amount) is compared with an "
     "earlier period only at equal age: the earlier period's complaints count as closed when they closed within as "
     "many days after that period's end as the as-of date is after this period's end. The on-time rate needs no "
     "such adjustment (not-yet-due complaints are left out of it)",
     "—", "—"),
    ("resolution_days", "办理天数", "Resolution days",
     "办结日期 − 登记日期（自然日，当天办结为 0）", "Closed date − received date, calendar days (same day = 0)",
     "—", "—"),
    ("resolution_wdays", "办理工作日", "Resolution working days",
     "登记日之后至办结日（含）的法定工作日数（含调休）",
     "Official working days after the received date up to and including the closed date (with make-up days)",
     "—", "—"),
    ("median_days", "中位办理天数 / P90", "Median / P90 days",
     "期间内已办结投诉办理天数的线性插值分位数（quantile_cont）；无已办结投诉时为空，不为 0",
     "Linear-interpolation percentile (quantile_cont) of resolution days over the period's closed "
     "complaints; empty (null), never 0, when none is closed",
     "—", "已办结投诉"),
    ("deadline", "办理期限", "Deadline",
     "ODR：登记后第 10 个工作日；传统不予受理：登记后第 7 个工作日；传统受理：受理后第 45 个工作日（无受理日期时，登记后第 7 个工作日再往后 45 个工作日）",
     "ODR: 10 working days after receipt; traditional not accepted: 7 working days after receipt; "
     "traditional accepted: 45 working days after acceptance (without an acceptance date, 45 after "
     "the 7th working day after receipt)",
     "—", "—"),
    ("on_time_rate", "按期办结率", "On-time rate",
     "期间内登记、在期限内办结的投诉 ÷（已办结的投诉 + 到数据截至日期仍未办结且期限已过的投诉）。到数据截至日期仍在期限内的"
     "未办结投诉还无法判断，不计。以前期间登记、至今未办结且已超期的投诉算作超期，即使期限在那个期间结束之后。"
     "各处显示的“超期未办结”件数就是这里的“未办结且期限在数据截至日期之前”，所以总是一致",
     "Complaints of the period closed on or before their deadline ÷ (those closed + those still open whose "
     "deadline is before the as-of date). Open complaints still inside their deadline at the as-of date are left "
     "out (not yet decidable). For a past period, a complaint still open today and past its deadline counts as "
     "late, even when its deadline fell after the period's end. The overdue counts shown anywhere are the "
     "“open, deadline before the as-of date” of this definition, so they always agree",
     "期限内办结", "已办结 + 已超期未办结"),
    ("accept_on_time", "7 个工作日内受理决定率", "Acceptance decided within 7 working days",
     "受理或不予受理日期不晚于登记后第 7 个工作日的传统投诉比例",
     "Share of traditional complaints whose acceptance decision date is on or before the 7th working day after receipt",
     "按时作出受理决定", "有受理决定日期的传统投诉"),
    ("settlement_rate", "和解/调解成功率", "Settlement rate",
     "结果为和解或调解成功的已办结投诉 ÷ 已受理的已办结投诉。不予受理的投诉从分子和分母中都去掉（ODR 和传统渠道一样）：它们没有进入调解",
     "Closed complaints settled (by agreement or mediation) ÷ closed complaints that were accepted. "
     "Complaints not accepted are left out of both, for ODR and traditional alike: they never reached mediation",
     "和解/调解成功的已办结投诉", "已受理的已办结投诉"),
    ("per_100k", "每十万人投诉量", "Per 100k residents",
     "投诉量 ÷ 区县人口（2020 年人口普查）× 100,000", "Complaints ÷ district population (2020 census) × 100,000",
     "投诉量", "人口"),
    ("recovered_yuan", "挽回经济损失", "Recovered (yuan)",
     "期间内登记投诉的挽回经济损失之和（元）", "Sum of money recovered for the period's complaints (yuan)",
     "—", "—"),
    ("odr_resolved", "ODR 在线和解", "ODR resolved",
     "办结日期在期间内、结果为和解/调解成功的 ODR 投诉",
     "ODR complaints closed within the period and settled (by agreement or mediation)",
     "—", "—"),
    ("registry", "在册数（ODR 企业、承诺店、示范单位）", "Registry counts",
     "在参照日或之前入驻/承诺/命名、且未在参照日或之前退出的单位数。参照日为期末；期末晚于数据截至日期时为数据截至日期。"
     "示范单位按类型计：示范街区/商圈、连锁示范商超/药店、示范经营户",
     "Units enrolled on or before the reference date and not withdrawn on or before it. The reference date is the "
     "period's end, or the as-of date when the period ends later. Demonstration units count by type: streets and "
     "business districts, chain supermarkets and pharmacies, operators",
     "—", "—"),
    ("returns", "无理由退货", "No-reason returns",
     "退货日期在期间内的退货记录：笔数、金额（元）、有退货的承诺店数（按信用代码，无则按名称）",
     "Return records dated in the period: count, amount (yuan), stores with a return (by credit code, else name)",
     "—", "—"),
    ("return_completion", "退货办结率", "Return completion rate",
     "期间内已办结（已办结/已退货/已换货/已退款…）的退货 ÷ 期间内全部退货",
     "Returns of the period whose handling is finished ÷ all returns of the period",
     "已办结退货", "全部退货"),
]
