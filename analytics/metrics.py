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
# Denominator: closed, or open with the deadline earlier than the period's end (param: to).
ON_TIME_DEN = "(c.closed_date IS NOT NULL OR c.deadline_date < ?)"
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
     "Records with appeal type 投诉 received in the period (reports and inquiries excluded)",
     "—", "—"),
    ("week", "周", "Week",
     "ISO 周，周一至周日，按 ISO 年标注（2024-12-30 属 2025-W01）；数据或期间只覆盖一部分的周标为“不完整周”，不与完整周比较",
     "ISO week, Monday–Sunday, labelled by ISO year (2024-12-30 is 2025-W01); weeks the data or "
     "period covers only partly are marked partial and never compared as whole weeks",
     "—", "—"),
    ("odr", "ODR 投诉", "ODR complaint",
     "“是否ODR”为是的投诉，由入驻企业在 12315 平台直接处理；其余为传统渠道",
     "Complaint with 是否ODR = yes, handled by an enrolled enterprise on 12315; all others are traditional",
     "—", "—"),
    ("closure_rate", "办结率", "Closure rate",
     "期间内登记的投诉中已办结的比例", "Share of the period's complaints that are closed",
     "有办结时间的投诉", "期间内登记的投诉"),
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
     "期限内办结的投诉 ÷（已办结投诉 + 截至期末已超期未办结的投诉）；仍在期限内的未办结投诉不计",
     "Closed on or before the deadline ÷ (closed + open whose deadline is earlier than the period's "
     "end); open complaints still inside their deadline are left out",
     "期限内办结", "已办结 + 已超期未办结"),
    ("accept_on_time", "7 个工作日内受理决定率", "Acceptance decided within 7 working days",
     "受理或不予受理日期不晚于登记后第 7 个工作日的传统投诉比例",
     "Share of traditional complaints whose acceptance decision date is on or before the 7th working day after receipt",
     "按时作出受理决定", "有受理决定日期的传统投诉"),
    ("per_100k", "每十万人投诉量", "Per 100k residents",
     "投诉量 ÷ 区县人口（2020 年人口普查）× 100,000", "Complaints ÷ district population (2020 census) × 100,000",
     "投诉量", "人口"),
    ("recovered_yuan", "挽回经济损失", "Recovered (yuan)",
     "期间内登记投诉的挽回经济损失之和（元）", "Sum of money recovered for the period's complaints (yuan)",
     "—", "—"),
    ("odr_resolved", "ODR 在线和解", "ODR resolved",
     "办结日期在期间内、结果为和解/调解成功的 ODR 投诉",
     "ODR complaints closed within the period with a settled outcome (和解/调解成功)",
     "—", "—"),
    ("registry", "在册数（ODR 企业、承诺店、示范单位）", "Registry counts",
     "在期末或之前入驻/承诺/命名、且未在期末或之前退出的单位数",
     "Units enrolled on or before the period's end and not withdrawn on or before it",
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
