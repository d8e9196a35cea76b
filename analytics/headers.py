"""The documented mapping from the Chinese headers of bureau exports to the schema.

Each import kind lists its fields; each field lists the header variants seen in platform
exports (domain.md §7). Headers are compared after :func:`norm_header`: NFKC (full-width
brackets and letters become ASCII), no spaces, no ``*`` required-markers, and a unit suffix
``(元)`` removed (``(万元)`` is recognised too and multiplies the amount by 10,000).

Columns with personal data of complainants (names, phones, ID numbers, addresses, e-mail …)
are recognised by :data:`PERSONAL_PATTERNS` and dropped as soon as the file is read: they are
never stored, never previewed and never written to a rejects file. Columns about the business
complained about (``被投诉人…``) are not personal data of consumers.
"""
from __future__ import annotations

import re
import unicodedata

KINDS = ("complaints", "returns", "odr_register", "commit_register", "demo_register")
# registers first: complaints and returns link to merchants the registers may create
KIND_ORDER = {"odr_register": 0, "commit_register": 1, "demo_register": 2, "returns": 3, "complaints": 4}

KIND_LABELS = {
    "complaints": ("投诉举报（12315 导出）", "Complaints (12315 export)"),
    "returns": ("线下无理由退货记录", "No-reason returns"),
    "odr_register": ("ODR 企业名册", "ODR enterprise register"),
    "commit_register": ("无理由退货承诺店名册", "Committed-store register"),
    "demo_register": ("放心消费示范单位名册", "Demonstration-unit register"),
}

_NAME = ["企业名称", "店铺名称", "门店名称", "名称", "商户名称", "经营者名称", "单位名称", "主体名称"]
_CREDIT = ["统一社会信用代码", "信用代码", "社会信用代码"]
_DISTRICT = ["所属区县", "区县", "所在地区", "所属地区", "地区", "县区", "所在区县"]
_TOWNSHIP = ["所属乡镇", "乡镇", "乡镇(街道)", "乡镇街道", "所在乡镇"]
_WITHDRAWN = ["退出时间", "退出日期", "撤销时间", "撤销日期", "注销时间"]

# kind -> field -> header variants (the first variant is the canonical header)
FIELDS: dict[str, dict[str, list[str]]] = {
    "complaints": {
        "reg_no": ["登记编号", "投诉编号", "投诉举报编号", "工单编号", "登记号"],
        "appeal_type": ["诉求类型", "登记类型", "诉求类别"],
        "received_at": ["登记时间", "投诉时间", "登记日期", "投诉日期", "接收时间"],
        "accepted_date": ["受理时间", "受理日期"],
        "acceptance": ["受理情况", "是否受理", "受理状态", "受理结果"],
        "closed_at": ["办结时间", "办结日期", "完成时间", "办结完成时间"],
        "channel": ["来源渠道", "来源", "渠道", "登记渠道"],
        "is_odr": ["是否ODR", "是否ODR处理", "ODR"],
        "object_class": ["客体类型", "客体", "商品/服务"],
        "category": ["客体类别", "商品服务类别"],
        "subcategory": ["客体细类", "商品服务细类"],
        "problem": ["投诉问题", "问题类别", "投诉问题类别"],
        "outcome_raw": ["处理结果", "调解结果", "办结结果"],
        "district_code": ["所属区县", "区县", "所在地区", "所属地区", "被投诉人所在区县", "县区"],
        "township": ["所属乡镇", "乡镇", "乡镇(街道)", "乡镇街道", "被投诉人所在乡镇"],
        "merchant_name": ["被投诉人名称", "被投诉人", "涉及主体", "被投诉主体", "被投诉单位"],
        "credit_code": ["统一社会信用代码", "被投诉人统一社会信用代码", "信用代码"],
        "disputed_yuan": ["争议金额", "涉及金额", "投诉金额"],
        "recovered_yuan": ["挽回经济损失", "挽回损失", "挽回金额"],
    },
    "returns": {
        "return_no": ["登记编号", "流水号", "退货编号", "编号", "记录编号"],
        "store_name": _NAME + ["承诺店名称"],
        "credit_code": _CREDIT,
        "district_code": _DISTRICT,
        "purchase_date": ["购买日期", "购买时间", "消费日期"],
        "return_date": ["退货日期", "退货时间", "办理日期"],
        "goods_category": ["商品类别", "商品类型", "商品种类"],
        "amount_yuan": ["退货金额", "金额", "退款金额"],
        "result": ["办理结果", "处理结果", "退货结果", "办理情况"],
    },
    "odr_register": {
        "name": _NAME,
        "credit_code": _CREDIT,
        "district_code": _DISTRICT,
        "township": _TOWNSHIP,
        "industry": ["行业", "所属行业", "经营类别", "行业类别"],
        "odr_enrolled_date": ["入驻时间", "入驻日期", "ODR入驻时间"],
        "status": ["状态", "入驻状态"],
        "odr_withdrawn_date": _WITHDRAWN,
    },
    "commit_register": {
        "name": _NAME,
        "credit_code": _CREDIT,
        "district_code": _DISTRICT,
        "township": _TOWNSHIP,
        "industry": ["行业", "所属行业", "经营类别", "行业类别"],
        "return_commit_date": ["承诺时间", "承诺日期"],
        "return_commit_days": ["承诺天数", "退货天数"],
        "status": ["状态", "承诺状态"],
        "return_withdrawn_date": _WITHDRAWN,
    },
    "demo_register": {
        "name": _NAME,
        "credit_code": _CREDIT,
        "district_code": _DISTRICT,
        "type_label": ["类型", "示范类型", "单位类型", "创建类型"],
        "named_date": ["命名时间", "命名日期", "授牌时间"],
        "status": ["状态"],
        "withdrawn_date": _WITHDRAWN,
    },
}

# fields a file must have to be read as that kind
REQUIRED: dict[str, list[str]] = {
    "complaints": ["reg_no", "received_at"],
    "returns": ["store_name", "return_date", "amount_yuan"],
    "odr_register": ["name", "odr_enrolled_date"],
    "commit_register": ["name", "return_commit_date"],
    "demo_register": ["name", "type_label", "named_date"],
}

# fields whose values are amounts (a "(万元)" header multiplies by 10,000)
AMOUNT_FIELDS = {"disputed_yuan", "recovered_yuan", "amount_yuan"}

# Personal data of complainants: dropped on reading. A header is personal when it contains one
# of these words and is not about the business complained about.
PERSONAL_PATTERNS = ["投诉人", "举报人", "咨询人", "申诉人", "当事人", "反映人", "来电人", "消费者", "联系人",
                     "姓名", "电话", "手机", "来电号码", "联系号码", "联系方式", "身份证", "证件号", "证件类型",
                     "住址", "地址", "邮箱", "电子邮件", "微信号", "QQ", "户籍", "出生", "性别", "年龄", "邮编"]
# English headers (compared upper-case, without spaces): whole words of personal data
PERSONAL_ASCII = re.compile(r"(^|[^A-Z])(NAME|FULLNAME|FIRSTNAME|LASTNAME|PHONE|PHONENO|PHONENUMBER|TEL|TELEPHONE|"
                            r"MOBILE|CELL|CONTACT|IDCARD|IDNO|IDNUMBER|PASSPORT|ADDRESS|EMAIL|E-MAIL|MAIL|"
                            r"BIRTHDAY|DATEOFBIRTH|DOB|GENDER|SEX|AGE|WECHAT|ZIP|POSTCODE|COMPLAINANT|CONSUMER|"
                            r"CUSTOMER|REPORTER|CALLER)S?($|[^A-Z])")
_BUSINESS_PREFIXES = ("被投诉", "被举报", "涉及主体", "企业", "店铺", "门店", "商户", "经营者", "单位")
_BUSINESS_ASCII = ("MERCHANT", "STORE", "SHOP", "BUSINESS", "COMPANY", "ENTERPRISE", "RESPONDENT")


def norm_header(h) -> str:
    """Header as compared: NFKC, no whitespace, no ``*``, no ``(元)`` suffix."""
    s = unicodedata.normalize("NFKC", "" if h is None else str(h))
    s = re.sub(r"\s+", "", s).replace("*", "").replace("：", "").rstrip(":")
    s = s.replace("(元)", "").replace("(万元)", "")
    return s.upper() if s.isascii() else s.replace("odr", "ODR").replace("Odr", "ODR")


def is_ten_thousand(h) -> bool:
    """Header carries the unit 万元 (values are multiplied by 10,000)."""
    s = unicodedata.normalize("NFKC", "" if h is None else str(h)).replace(" ", "")
    return "(万元)" in s


def is_personal(h) -> bool:
    s = norm_header(h)
    if s.startswith(_BUSINESS_PREFIXES):
        return False
    if any(p in s for p in PERSONAL_PATTERNS):
        return True
    # English: ``Name``, ``Phone``, ``ID card``, ``Complainant e-mail`` … (words kept apart)
    words = unicodedata.normalize("NFKC", "" if h is None else str(h)).upper().strip()
    if words.startswith(_BUSINESS_ASCII):
        return False
    return bool(PERSONAL_ASCII.search(words.replace(" ", ""))) or bool(PERSONAL_ASCII.search(words))


def _lookup(kind: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for field, variants in FIELDS[kind].items():
        for v in variants:
            out.setdefault(norm_header(v), field)
    return out


LOOKUP = {k: _lookup(k) for k in KINDS}


def map_headers(headers: list, kind: str) -> tuple[dict[int, str], list[int], list[int]]:
    """(column index -> field, unknown column indexes, personal-data column indexes).

    A field mapped twice keeps its first column; later ones are reported as unknown."""
    mapped: dict[int, str] = {}
    seen: set[str] = set()
    unknown, personal = [], []
    lk = LOOKUP[kind]
    for i, h in enumerate(headers):
        n = norm_header(h)
        if not n:
            continue
        f = lk.get(n)
        if f and f not in seen:
            mapped[i] = f
            seen.add(f)
        elif is_personal(h):
            personal.append(i)
        else:
            unknown.append(i)
    return mapped, unknown, personal


def score(headers: list, kind: str) -> tuple[int, int]:
    """(required fields present, all fields present) of ``headers`` read as ``kind``."""
    fields = set(map_headers(headers, kind)[0].values())
    return sum(f in fields for f in REQUIRED[kind]), len(fields)


def detect_kind(headers: list) -> tuple[str | None, str]:
    """The kind whose required headers are all present (most matched fields wins), else
    (None, closest kind)."""
    scored = sorted(((score(headers, k), k) for k in KINDS), key=lambda x: (-x[0][0], -x[0][1], KINDS.index(x[1])))
    complete = [(s, k) for s, k in scored if s[0] == len(REQUIRED[k])]
    if complete:
        best = max(complete, key=lambda x: (x[0][1] - len(REQUIRED[x[1]]), -KIND_ORDER[x[1]]))
        return best[1], best[1]
    return None, scored[0][1]


def missing_required(headers: list, kind: str) -> list[str]:
    fields = set(map_headers(headers, kind)[0].values())
    return [f for f in REQUIRED[kind] if f not in fields]


def describe_field(kind: str, field: str) -> str:
    """``登记编号（或 投诉编号 / 投诉举报编号 …）`` for error messages."""
    v = FIELDS[kind][field]
    return v[0] + (f"（或 {' / '.join(v[1:4])}）" if len(v) > 1 else "")


def header_score_any(row: list) -> int:
    """How many cells of ``row`` are known headers of any kind (to find the header row)."""
    names = set()
    for k in KINDS:
        names |= LOOKUP[k].keys()
    return sum(norm_header(c) in names for c in row if c is not None and str(c).strip())


# --- value vocabularies ------------------------------------------------------------------

DISTRICTS = {
    "620702": ["甘州区", "甘州", "张掖市甘州区"],
    "620721": ["肃南裕固族自治县", "肃南县", "肃南", "张掖市肃南裕固族自治县", "张掖市肃南县"],
    "620722": ["民乐县", "民乐", "张掖市民乐县"],
    "620723": ["临泽县", "临泽", "张掖市临泽县"],
    "620724": ["高台县", "高台", "张掖市高台县"],
    "620725": ["山丹县", "山丹", "张掖市山丹县"],
}
DISTRICT_LOOKUP = {v: code for code, vs in DISTRICTS.items() for v in vs + [code]}

TRUE_WORDS = {"是", "Y", "YES", "√", "✓", "✔", "1", "TRUE", "T", "对"}
FALSE_WORDS = {"否", "N", "NO", "×", "✗", "✘", "0", "FALSE", "F", "不是"}

APPEAL_TYPES = {"投诉": "投诉", "举报": "举报", "咨询": "咨询", "投诉举报": "投诉"}
ACCEPTANCE = {"受理": "受理", "已受理": "受理", "予以受理": "受理", "是": "受理",
              "不予受理": "不予受理", "不受理": "不予受理", "未受理": "不予受理", "否": "不予受理"}

GOODS_CATEGORIES = {"食品", "服装鞋帽", "家居用品", "交通工具", "通讯产品", "家用电器", "烟酒饮料", "首饰",
                    "化妆品", "药品", "医疗器械", "装修建材", "其他商品"}
SERVICE_CATEGORIES = {"餐饮和住宿服务", "美容美发洗浴服务", "教育培训服务", "销售服务", "文化娱乐体育服务",
                      "停车服务", "制作保养和修理服务", "电信服务", "旅游服务", "金融服务", "其他服务"}

# demonstration unit types: (words in 类型, unit_type)
DEMO_TYPES = [(("街区", "商圈", "街"), "street"), (("连锁", "商超", "超市", "药店", "药房"), "chain_store"),
              (("经营户", "经营者", "个体", "商户"), "operator")]

WITHDRAWN_STATUS = ("已退出", "退出", "已撤销", "撤销", "注销", "已注销", "摘牌", "已摘牌", "取消", "已取消")

BLANK_MARKERS = {"", "-", "--", "—", "——", "/", "\\", "(空)", "空", "无", "NULL", "N/A", "NA", "NAN", "NONE", "#N/A"}


def mapping_markdown() -> str:
    """The mapping as a Markdown table (``python -m analytics.headers``), for the README."""
    out = ["| kind | field | required | header variants |", "|---|---|---|---|"]
    for kind, fields in FIELDS.items():
        for fld, variants in fields.items():
            req = "yes" if fld in REQUIRED[kind] else ""
            out.append(f"| {kind} | {fld} | {req} | {' / '.join(variants)} |")
    out.append("")
    out.append("Dropped as personal data (any header containing): " + "、".join(PERSONAL_PATTERNS)
               + "; except headers starting with " + "、".join(_BUSINESS_PREFIXES) + ".")
    return "\n".join(out)


if __name__ == "__main__":
    print(mapping_markdown())
