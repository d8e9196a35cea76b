"""The data dictionary: every table and column of analytics/schema.sql (plus the ``workdays``
view that analytics/build.py creates), with an English name, a Chinese label, the DuckDB type and
its meaning in both languages. The methodology page and the SQL page show it; a test checks it
covers every column of every table of schema.sql and that the types agree.
"""
from __future__ import annotations

import pandas as pd

# table -> (Chinese label, English name, meaning zh, meaning en)
TABLES: dict[str, tuple[str, str, str, str]] = {
    "complaints": ("投诉举报记录", "Complaints",
                   "12315 登记的诉求，每个登记编号一行；投诉指标只计诉求类型为“投诉”的行。不含任何消费者个人信息。",
                   "Appeals registered on 12315, one row per registration number; complaint metrics count "
                   "only appeal type 投诉. No personal data of consumers."),
    "merchants": ("经营者", "Merchants",
                  "被投诉或入驻 ODR、承诺无理由退货的经营者（企业或个体户）。",
                  "Businesses that were complained about, enrolled in ODR or committed to no-reason returns."),
    "returns": ("线下无理由退货", "No-reason returns",
                "线下购物七日无理由退货记录，每笔退货一行。", "Offline 7-day no-reason return records, one row per return."),
    "demo_units": ("放心消费示范单位", "Demonstration units",
                   "放心消费示范街区/商圈、连锁示范店和示范经营户名册。",
                   "Register of reassuring-consumption demonstration streets, chain stores and operators."),
    "districts": ("区县", "Districts", "张掖市各区县及 2020 年人口普查人口（每十万人指标的分母）。",
                  "Zhangye's districts and their 2020 census population (denominator of per-100k rates)."),
    "townships": ("乡镇街道", "Townships", "各区县的乡镇和街道。", "Townships and streets of each district."),
    "calendar": ("法定工作日历", "Official calendar",
                 "每天一行：是否工作日（含调休）及累计工作日序号，用于计算工作日期限。",
                 "One row per date: working day or not (with make-up days) and a running working-day index, "
                 "used for working-day deadlines."),
    "workdays": ("工作日（视图）", "Working days (view)", "calendar 中的工作日。", "The working days of calendar."),
    "meta": ("数据集信息", "Dataset metadata",
             "键值对：数据集类型、数据版本、截至日期等。", "Key–value pairs: dataset kind, data version, as-of date and so on."),
    "import_log": ("导入记录", "Import log", "每次导入文件一行。", "One row per imported file."),
}

# (table, column) -> (type, English name, Chinese label, meaning zh, meaning en)
COLUMNS: dict[tuple[str, str], tuple[str, str, str, str, str]] = {
    # --- complaints
    ("complaints", "reg_no"): ("VARCHAR", "Registration number", "登记编号",
                               "平台登记编号，唯一；重复导入同一编号会覆盖旧行", "Platform registration number, unique; re-importing it replaces the row"),
    ("complaints", "appeal_type"): ("VARCHAR", "Appeal type", "诉求类型", "投诉 / 举报 / 咨询；投诉指标只计“投诉”",
                                    "投诉 (complaint) / 举报 (report) / 咨询 (inquiry); complaint metrics count 投诉 only"),
    ("complaints", "received_at"): ("TIMESTAMP", "Received at", "登记时间", "登记的日期和时间（北京时间）", "Date and time of registration (local time)"),
    ("complaints", "received_date"): ("DATE", "Received date", "登记日期", "登记时间的日期部分；期间按此归属",
                                      "Date part of received_at; a complaint belongs to the period of this date"),
    ("complaints", "accepted_date"): ("DATE", "Acceptance date", "受理日期", "作出受理（或不予受理）决定的日期，可为空",
                                      "Date of the decision to accept (or reject); may be empty"),
    ("complaints", "acceptance"): ("VARCHAR", "Acceptance", "受理情况", "受理 / 不予受理 / 空（未知）", "受理 accepted / 不予受理 not accepted / empty (unknown)"),
    ("complaints", "closed_at"): ("TIMESTAMP", "Closed at", "办结时间", "办结的日期和时间；为空表示未办结", "Date and time of closing; empty = open"),
    ("complaints", "closed_date"): ("DATE", "Closed date", "办结日期", "办结时间的日期部分", "Date part of closed_at"),
    ("complaints", "channel"): ("VARCHAR", "Channel", "来源渠道", "12315热线、12315平台、APP、小程序、12345转办、市长信箱、ODR 等",
                                "12315 hotline, web, app, mini-programs, 12345 transfer, mayor's mailbox, ODR …"),
    ("complaints", "is_odr"): ("BOOLEAN", "ODR", "是否ODR", "由 ODR 入驻企业在线处理为真；其余为传统渠道",
                               "True when handled online by an enrolled ODR enterprise; otherwise traditional"),
    ("complaints", "object_class"): ("VARCHAR", "Goods or services", "客体类型", "商品 / 服务", "商品 goods / 服务 services"),
    ("complaints", "category"): ("VARCHAR", "Category", "客体类别", "商品或服务的类别（如食品、餐饮和住宿服务）", "Category of the goods or service (food, catering & lodging …)"),
    ("complaints", "subcategory"): ("VARCHAR", "Subcategory", "客体细类", "更细的类别，可为空", "Finer category; may be empty"),
    ("complaints", "problem"): ("VARCHAR", "Problem", "投诉问题", "质量、价格、合同、售后服务等", "Quality, price, contract, after-sales …"),
    ("complaints", "outcome"): ("VARCHAR", "Outcome", "处理结果（规范）", "规范化的处理结果：调解成功、和解、调解不成功、终止调解、撤回、不予受理等；未办结为空",
                                "Canonical outcome: mediated, settled (ODR), mediation failed, ended, withdrawn, not accepted …; empty while open"),
    ("complaints", "outcome_raw"): ("VARCHAR", "Outcome as exported", "处理结果（原文）", "导出文件中的原始文字", "The text as it appeared in the export"),
    ("complaints", "district_code"): ("VARCHAR", "District code", "区县代码", "行政区划代码，见 districts", "Administrative division code, see districts"),
    ("complaints", "township"): ("VARCHAR", "Township", "乡镇街道", "被投诉经营者所在乡镇或街道", "Township or street of the merchant"),
    ("complaints", "merchant_id"): ("VARCHAR", "Merchant id", "经营者编号", "merchants 表中的编号", "Id in the merchants table"),
    ("complaints", "merchant_name"): ("VARCHAR", "Merchant", "被投诉人名称", "被投诉的经营者（企业，不是个人消费者）", "The business complained about (never a consumer)"),
    ("complaints", "credit_code"): ("VARCHAR", "Credit code", "统一社会信用代码", "经营者的统一社会信用代码", "The business's unified social credit code"),
    ("complaints", "disputed_yuan"): ("DECIMAL(14,2)", "Disputed amount", "争议金额", "争议金额（元）", "Amount in dispute (yuan)"),
    ("complaints", "recovered_yuan"): ("DECIMAL(14,2)", "Recovered", "挽回经济损失", "为消费者挽回的经济损失（元）", "Money recovered for the consumer (yuan)"),
    ("complaints", "resolution_days"): ("INTEGER", "Resolution days", "办理天数", "办结日期 − 登记日期（自然日，当天为 0）；未办结为空",
                                        "Closed date − received date in calendar days (same day = 0); empty while open"),
    ("complaints", "resolution_wdays"): ("INTEGER", "Resolution working days", "办理工作日", "登记日之后至办结日（含）的法定工作日数",
                                         "Official working days after the received date up to and including the closed date"),
    ("complaints", "deadline_date"): ("DATE", "Deadline", "办理期限", "见方法说明“办理期限”：ODR 10 个工作日；传统 7 / 45 个工作日",
                                      "See the methodology's “Deadline”: ODR 10 working days; traditional 7 / 45 working days"),
    ("complaints", "accept_deadline"): ("DATE", "Acceptance deadline", "受理期限", "登记后第 7 个工作日（受理决定期限）",
                                        "The 7th working day after receipt (the acceptance decision is due)"),
    ("complaints", "source"): ("VARCHAR", "Source", "数据来源", "“sample”（合成样例）或导入的文件名", "'sample' (synthetic) or the imported file's name"),
    # --- merchants
    ("merchants", "merchant_id"): ("VARCHAR", "Merchant id", "经营者编号", "唯一编号", "Unique id"),
    ("merchants", "name"): ("VARCHAR", "Name", "名称", "经营者名称", "Business name"),
    ("merchants", "credit_code"): ("VARCHAR", "Credit code", "统一社会信用代码", "企业的统一社会信用代码（不是个人证件号）", "The business's unified social credit code (not a personal id)"),
    ("merchants", "district_code"): ("VARCHAR", "District code", "区县代码", "所在区县", "District"),
    ("merchants", "township"): ("VARCHAR", "Township", "乡镇街道", "所在乡镇或街道", "Township or street"),
    ("merchants", "industry"): ("VARCHAR", "Industry", "主营类别", "主要经营的商品或服务类别", "Category the business mostly sells"),
    ("merchants", "is_chain"): ("BOOLEAN", "Chain", "是否连锁", "是否连锁经营", "Part of a chain"),
    ("merchants", "odr_enrolled_date"): ("DATE", "ODR enrolled", "ODR 入驻时间", "入驻 ODR 的日期；为空表示未入驻", "Date of ODR enrolment; empty = not enrolled"),
    ("merchants", "odr_withdrawn_date"): ("DATE", "ODR withdrawn", "ODR 退出时间", "退出 ODR 的日期", "Date of leaving ODR"),
    ("merchants", "return_commit_date"): ("DATE", "Return commitment", "无理由退货承诺时间", "承诺线下七日无理由退货的日期", "Date of the offline no-reason return commitment"),
    ("merchants", "return_withdrawn_date"): ("DATE", "Commitment withdrawn", "承诺撤销时间", "撤销承诺的日期", "Date the commitment was withdrawn"),
    ("merchants", "return_commit_days"): ("INTEGER", "Return days", "承诺天数", "承诺的无理由退货天数（7 天或以上）", "Days of the no-reason return promise (7 or more)"),
    # --- returns
    ("returns", "return_id"): ("VARCHAR", "Return id", "退货编号", "唯一编号", "Unique id"),
    ("returns", "merchant_id"): ("VARCHAR", "Merchant id", "经营者编号", "merchants 表中的编号", "Id in the merchants table"),
    ("returns", "store_name"): ("VARCHAR", "Store", "门店名称", "办理退货的门店", "The store that took the goods back"),
    ("returns", "credit_code"): ("VARCHAR", "Credit code", "统一社会信用代码", "门店的统一社会信用代码", "The store's credit code"),
    ("returns", "district_code"): ("VARCHAR", "District code", "区县代码", "门店所在区县", "District of the store"),
    ("returns", "purchase_date"): ("DATE", "Purchase date", "购买日期", "商品购买日期", "Date of purchase"),
    ("returns", "return_date"): ("DATE", "Return date", "退货日期", "退货日期；期间按此归属", "Date of the return; decides the period"),
    ("returns", "goods_category"): ("VARCHAR", "Goods category", "商品类别", "退货商品的类别", "Category of the goods returned"),
    ("returns", "amount_yuan"): ("DECIMAL(12,2)", "Amount", "退货金额", "退货金额（元）", "Amount returned (yuan)"),
    ("returns", "result"): ("VARCHAR", "Result", "办理结果", "导出文件中的办理结果", "Handling result as exported"),
    ("returns", "completed"): ("BOOLEAN", "Completed", "是否办结", "已办结/已退货/已换货/已退款等为真", "True when handling finished (refunded, exchanged …)"),
    ("returns", "source"): ("VARCHAR", "Source", "数据来源", "“sample”或导入的文件名", "'sample' or the imported file's name"),
    # --- demo_units
    ("demo_units", "unit_id"): ("VARCHAR", "Unit id", "单位编号", "唯一编号", "Unique id"),
    ("demo_units", "name"): ("VARCHAR", "Name", "名称", "示范街区、商圈、门店或经营户名称", "Name of the street, district, store or operator"),
    ("demo_units", "unit_type"): ("VARCHAR", "Unit type", "单位类型", "street（街区/商圈）/ chain_store（连锁示范商超、药店）/ operator（示范经营户）",
                                  "street (street / business district) / chain_store (chain supermarket or pharmacy) / operator"),
    ("demo_units", "type_label"): ("VARCHAR", "Type as exported", "类型（原文）", "导出文件中的类型文字", "Type text as exported"),
    ("demo_units", "district_code"): ("VARCHAR", "District code", "区县代码", "所在区县", "District"),
    ("demo_units", "merchant_id"): ("VARCHAR", "Merchant id", "经营者编号", "门店和经营户对应的经营者", "The merchant, for stores and operators"),
    ("demo_units", "named_date"): ("DATE", "Named", "命名时间", "被命名为示范单位的日期", "Date the unit was named"),
    ("demo_units", "withdrawn_date"): ("DATE", "Withdrawn", "撤销时间", "撤销命名的日期", "Date the title was withdrawn"),
    ("demo_units", "source"): ("VARCHAR", "Source", "数据来源", "“sample”或导入的文件名", "'sample' or the imported file's name"),
    # --- districts
    ("districts", "code"): ("VARCHAR", "Code", "区划代码", "行政区划代码，如 620702", "Administrative division code, e.g. 620702"),
    ("districts", "name"): ("VARCHAR", "Name", "名称", "全称，如 甘州区", "Full name, e.g. 甘州区"),
    ("districts", "short_name"): ("VARCHAR", "Short name", "简称", "简称，如 甘州", "Short name, e.g. 甘州"),
    ("districts", "name_en"): ("VARCHAR", "English name", "英文名", "英文名，如 Ganzhou", "English name, e.g. Ganzhou"),
    ("districts", "population"): ("INTEGER", "Population", "人口", "2020 年第七次人口普查常住人口", "Resident population, 2020 census"),
    ("districts", "pop_note"): ("VARCHAR", "Population note", "人口说明", "人口数的来源或推算方法", "Where the population figure comes from or how it was derived"),
    # --- townships
    ("townships", "name"): ("VARCHAR", "Name", "名称", "乡镇或街道名称", "Name of the township or street"),
    ("townships", "district_code"): ("VARCHAR", "District code", "区县代码", "所属区县", "District it belongs to"),
    # --- calendar
    ("calendar", "d"): ("DATE", "Date", "日期", "日期", "The date"),
    ("calendar", "is_workday"): ("BOOLEAN", "Working day", "是否工作日", "法定工作日（含调休上班日）为真", "True on official working days (make-up days included)"),
    ("calendar", "wd_idx"): ("INTEGER", "Working-day index", "工作日序号", "截至当天（含）的累计工作日数", "Working days on or before this date"),
    ("calendar", "known"): ("BOOLEAN", "Official calendar known", "日历已知", "为假时该年节假日未知，按周一至周五估算",
                            "False where the official holidays are unknown and Monday–Friday is assumed"),
    ("calendar", "holiday"): ("VARCHAR", "Holiday", "节假日", "节假日名称（已知时）", "Name of the holiday, where known"),
    # --- workdays (view)
    ("workdays", "d"): ("DATE", "Date", "日期", "工作日日期", "A working day"),
    ("workdays", "wd_idx"): ("INTEGER", "Working-day index", "工作日序号", "同 calendar.wd_idx", "As calendar.wd_idx"),
    # --- meta
    ("meta", "key"): ("VARCHAR", "Key", "键", "dataset、data_version、as_of、data_from 等", "dataset, data_version, as_of, data_from …"),
    ("meta", "value"): ("VARCHAR", "Value", "值", "对应的值（文本）", "The value (text)"),
    # --- import_log
    ("import_log", "import_id"): ("INTEGER", "Import id", "导入编号", "唯一编号", "Unique id"),
    ("import_log", "file_name"): ("VARCHAR", "File name", "文件名", "导入的文件名", "Name of the imported file"),
    ("import_log", "content_hash"): ("VARCHAR", "Content hash", "内容指纹", "文件内容的哈希，用于识别重复导入", "Hash of the file's content, to spot repeated imports"),
    ("import_log", "kind"): ("VARCHAR", "Kind", "数据类型", "complaints / returns / merchants / demo_units 等", "complaints / returns / merchants / demo_units …"),
    ("import_log", "imported_at"): ("TIMESTAMP", "Imported at", "导入时间", "导入的时间", "When the file was imported"),
    ("import_log", "rows_read"): ("INTEGER", "Rows read", "读取行数", "读取的数据行数", "Data rows read"),
    ("import_log", "rows_imported"): ("INTEGER", "Rows imported", "新增行数", "新增的行数", "Rows added"),
    ("import_log", "rows_updated"): ("INTEGER", "Rows updated", "更新行数", "覆盖已有登记编号的行数", "Rows that replaced an existing registration number"),
    ("import_log", "rows_rejected"): ("INTEGER", "Rows rejected", "拒收行数", "无法读取而拒收的行数", "Rows rejected as unreadable"),
    ("import_log", "rejects_file"): ("VARCHAR", "Rejects file", "拒收明细文件", "拒收行及原因的文件", "File listing the rejected rows and why"),
}

TABLE_ORDER = ["complaints", "merchants", "returns", "demo_units", "districts", "townships", "calendar",
               "workdays", "meta", "import_log"]


def tables() -> list[str]:
    """Table (and view) names in display order."""
    return list(TABLE_ORDER)


def table_frame(lang: str = "zh") -> pd.DataFrame:
    """One row per table. Columns: table, label (in ``lang``), other (label in the other language),
    meaning (in ``lang``), columns (count)."""
    rows = []
    for name in TABLE_ORDER:
        zh, en, mzh, men = TABLES[name]
        n = sum(1 for (t, _) in COLUMNS if t == name)
        rows.append({"table": name, "label": zh if lang == "zh" else en, "other": en if lang == "zh" else zh,
                     "meaning": mzh if lang == "zh" else men, "columns": n})
    return pd.DataFrame(rows)


def column_frame(lang: str = "zh", table: str | None = None) -> pd.DataFrame:
    """One row per column, tables in display order and columns in schema order.

    Columns: table, column, type, name_en, label_zh, meaning (in ``lang``)."""
    rows = []
    for (t, c), (typ, en, zh, mzh, men) in COLUMNS.items():
        if table is not None and t != table:
            continue
        rows.append({"table": t, "column": c, "type": typ, "name_en": en, "label_zh": zh,
                     "meaning": mzh if lang == "zh" else men})
    df = pd.DataFrame(rows, columns=["table", "column", "type", "name_en", "label_zh", "meaning"])
    order = {t: i for i, t in enumerate(TABLE_ORDER)}
    return df.sort_values("table", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
