"""Importing bureau exports (analytics/importer.py, the CLI and the internal import page).

Every fixture file is written here, in code: GB18030/GBK and UTF-8(-BOM) CSV with the mess of
real exports (title row, CRLF, blank lines, 合计 row, personal columns, full-width digits, every
date and amount form), and XLSX through a minimal writer (no openpyxl needed).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import pytest

from analytics import build, db, importer, queries
from analytics import headers as H
from analytics.filters import Filters
from tests.fixtures import make_db

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2024, 6, 1)

# --- fixture files ---------------------------------------------------------------------------

HEADER = ["登记编号", "投诉人", "联系电话", "身份证号", "投诉时间", "办结日期", "所属区县", "是否ODR", "调解结果",
          "来源渠道", "客体类别", "投诉问题", "被投诉人", "争议金额", "挽回经济损失(元)", "备注"]
# row numbers as Excel shows them: 1 title, 2 header, 3.. data
ROWS = [
    # 3: plain, thousands separator and 元, ￥
    ["ZY2024031500000001", "张**", "138****1234", "620102********1234", "2024/3/15 9:05", "2024-03-18",
     "甘州", "否", "达成调解协议", "12315热线", "食品", "质量", "测试超市", "1,234.50元", "￥800", ""],
    # 4: Chinese date, Excel serial, district with city prefix, Y, 万
    ["ZY2024031500000002", "李**", "139****5678", "", "2024年3月15日", "45371.5", "张掖市临泽县", "Y",
     "已和解(ODR)", "ODR", "服装鞋帽", "售后服务", "测试服装店", "0.12万", "-", "加急"],
    None,  # 5: blank line
    # 6: full-width digits and trailing space in the number; closed before received -> rejected
    ["ＺＹ２０２４０３１５００００００３ ", "王**", "", "", "2024-03-15 10:00", "2024-03-14", "高台", "否", "",
     "", "", "", "", "", "", ""],
    [""] * 16,  # 7: a row of empty cells
    # 8: unreadable received time -> rejected
    ["ZY2024031500000004", "", "", "", "not a date", "", "山丹", "否", "", "", "", "", "", "", "", ""],
    # 9: unknown district -> rejected
    ["ZY2024031500000005", "", "", "", "2024-03-15", "", "火星区", "否", "", "", "", "", "", "", "", ""],
    # 10: number mangled by Excel -> rejected
    ["2.02403E+17", "", "", "", "2024-03-15", "", "甘州", "否", "", "", "", "", "", "", "", ""],
    # 11: duplicate of row 3 with a negative amount -> rejected (so row 3 stays)
    ["ZY2024031500000001", "", "", "", "2024/3/15 9:05", "2024-03-19", "甘州", "否", "调解成功", "12315热线",
     "食品", "质量", "测试超市", "-5", "", ""],
    # 12: √, 肃南县, blank markers, open complaint
    ["ZY2024031500000006", "", "", "", "2024-03-16 8:00", "", "肃南县", "√", "", "", "", "", "", "（空）", "/", ""],
    # 13: missing number -> rejected
    ["", "", "", "", "2024-03-16", "", "甘州", "否", "", "", "", "", "", "", "", ""],
    # 14: duplicate number later in the file: this one (row 15) wins over row 14
    ["ZY2024031600000007", "", "", "", "2024-03-16 9:00", "", "民乐县", "否", "", "12315平台", "家用电器", "质量",
     "", "100", "", ""],
    ["ZY2024031600000007", "", "", "", "2024-03-16 9:00", "2024-03-20", "民乐县", "否", "撤回", "12315平台",
     "家用电器", "质量", "", "100", "0", ""],
    ["合计", "", "", "", "", "", "", "", "", "", "", "", "", "3,434.50", "800", ""],  # 16: totals
]
ACCEPTED = {"ZY2024031500000001": 3, "ZY2024031500000002": 4, "ZY2024031500000006": 12, "ZY2024031600000007": 15}
REJECTED = {6: "closed_before", 8: "bad_date", 9: "bad_district", 10: "reg_no_sci", 11: "negative", 13: "no_reg_no",
            14: "dup_in_file"}


def _csv_text(header, rows, title="张掖市12315投诉举报数据导出（2024年3月）") -> str:
    def line(cells):
        return ",".join(f'"{c}"' if ("," in c or '"' in c) else c for c in cells)
    out = []
    if title:
        out.append(title + "," * (len(header) - 1))
    out.append(line(header))
    for r in rows:
        out.append("" if r is None else line(r))
    return "\r\n".join(out) + "\r\n"


def write_csv(path: Path, header=HEADER, rows=ROWS, encoding="gbk", title="张掖市12315投诉举报数据导出（2024年3月）") -> Path:
    path.write_bytes(_csv_text(header, rows, title).encode(encoding))
    return path


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(path: Path, rows: list[list]) -> Path:
    """A minimal XLSX (one sheet, inline strings, numbers as numbers)."""
    sheet = []
    for ri, row in enumerate(rows, start=1):
        cells = []
        for ci, v in enumerate(row or []):
            ref = f"{_col(ci)}{ri}"
            if v is None or v == "":
                continue
            if isinstance(v, (int, float)):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(v))}</t></is></c>')
        sheet.append(f'<row r="{ri}">{"".join(cells)}</row>')
    ws = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          f'<sheetData>{"".join(sheet)}</sheetData></worksheet>')
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="导出" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": ws,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


@pytest.fixture
def empty_db(tmp_path) -> Path:
    p = tmp_path / "data" / "odr.duckdb"
    build.init_empty(p)
    return p


def _import(paths, target, kind=None):
    reps = [importer.analyse(Path(p).read_bytes(), Path(p).name, kind, today=TODAY) for p in paths]
    importer.import_reports(reps, target)
    return reps


def _df(target, sql, params=None):
    con = db.connect(target, read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


# --- reading and checking -------------------------------------------------------------------

def test_gbk_export_with_every_messy_feature(empty_db):
    src = write_csv(empty_db.parent / "export.csv")
    rep = _import([src], empty_db)[0]
    assert rep.ok and rep.kind == "complaints" and rep.kind_detected == "complaints"
    assert rep.encoding == "GB18030" and rep.header_row == 2
    # 14 data rows (rows 3..16): 4 imported, 7 rejected, 2 blank + 1 合计 skipped: every row accounted for
    assert (rep.rows_read, rep.imported, rep.updated, rep.rejected, rep.skipped) == (14, 4, 0, 7, 3)
    assert (rep.blank_rows, rep.total_rows) == (2, 1)
    assert dict(zip(rep.rejects["line"], rep.rejects["code"])) == REJECTED
    assert rep.rejects.loc[rep.rejects["line"] == 14, "reason_zh"].iat[0] == "同一文件中编号重复，以第 15 行为准"
    assert rep.unknown == ["备注"]
    assert rep.personal == ["投诉人", "联系电话", "身份证号"]

    got = _df(empty_db, """SELECT reg_no, received_at, closed_at, district_code, is_odr, outcome, outcome_raw,
                                  object_class, disputed_yuan::DOUBLE AS d, recovered_yuan::DOUBLE AS r,
                                  resolution_days, appeal_type, source
                           FROM complaints ORDER BY reg_no""").set_index("reg_no")
    assert list(got.index) == sorted(ACCEPTED)
    r1 = got.loc["ZY2024031500000001"]
    assert r1.received_at == pd.Timestamp("2024-03-15 09:05") and r1.closed_at == pd.Timestamp("2024-03-18")
    assert (r1.district_code, bool(r1.is_odr), r1.outcome, r1.object_class) == ("620702", False, "调解成功", "商品")
    assert (r1.d, r1.r, r1.resolution_days, r1.appeal_type) == (1234.5, 800.0, 3, "投诉")
    r2 = got.loc["ZY2024031500000002"]
    # Excel serial 45371.5 = 2024-03-20 12:00; 0.12万 = 1,200 元; "-" is blank
    assert r2.closed_at == pd.Timestamp("2024-03-20 12:00") and r2.d == 1200.0 and pd.isna(r2.r)
    assert (r2.district_code, bool(r2.is_odr), r2.outcome, r2.outcome_raw) == ("620723", True, "和解", "已和解(ODR)")
    r6 = got.loc["ZY2024031500000006"]
    assert (r6.district_code, bool(r6.is_odr)) == ("620721", True) and pd.isna(r6.closed_at) and pd.isna(r6.d)
    r7 = got.loc["ZY2024031600000007"]   # the later of the two rows
    assert r7.outcome == "撤回" and r7.closed_at == pd.Timestamp("2024-03-20")
    assert set(got["source"]) == {"export.csv"}


def test_personal_data_is_never_stored_nor_written(empty_db):
    src = write_csv(empty_db.parent / "export.csv")
    rep = _import([src], empty_db)[0]
    con = db.connect(empty_db, read_only=True)
    try:
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            df = con.execute(f"SELECT * FROM {table}").df()
            text = df.astype(str).to_string()
            for secret in ("138****1234", "139****5678", "张**", "李**", "620102********1234"):
                assert secret not in text, (table, secret)
            assert not {"投诉人", "联系电话", "身份证号"} & set(df.columns)
    finally:
        con.close()
    assert rep.rejects_file == Path(rep.rejects_file).name        # a name, never a server path
    rejects = (importer.rejects_dir(empty_db) / rep.rejects_file).read_bytes()
    assert rejects.startswith(b"\xef\xbb\xbf")
    body = rejects.decode("utf-8-sig")
    header = body.splitlines()[0].split(",")
    assert "王**" not in body and "138****1234" not in body
    assert not {"投诉人", "联系电话", "身份证号"} & set(header)
    assert header[:4] == ["行号", "原因", "reason", "登记编号"]
    # the preview holds no personal column either
    assert not {"投诉人", "联系电话"} & set(rep.preview.columns)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_encodings_give_the_same_rows(tmp_path, encoding):
    src = write_csv(tmp_path / f"e-{encoding}.csv", encoding=encoding)
    rep = importer.analyse(src.read_bytes(), src.name, today=TODAY)
    assert rep.ok and rep.accepted == 4 and rep.rejected == 7
    assert sorted(rep.clean["reg_no"]) == sorted(ACCEPTED)
    assert rep.encoding == {"gbk": "GB18030", "gb18030": "GB18030", "utf-8-sig": "UTF-8 BOM", "utf-8": "UTF-8"}[encoding]


def test_lf_line_ends_and_no_title_row(tmp_path):
    text = _csv_text(HEADER, ROWS, title=None).replace("\r\n", "\n")
    rep = importer.analyse(text.encode("gb18030"), "lf.csv", today=TODAY)
    assert rep.header_row == 1 and rep.accepted == 4
    # same rejects, one row earlier each (no title row)
    assert dict(zip(rep.rejects["line"], rep.rejects["code"])) == {k - 1: v for k, v in REJECTED.items()}


def test_xlsx_with_numbers_dates_and_title(tmp_path, empty_db):
    rows = [
        ["投诉举报登记表"],
        ["工单编号", "登记时间", "完成时间", "区县", "是否ODR", "处理结果", "挽回经济损失(元)", "争议金额", "联系电话"],
        ["X001", 45366.375, 45370, "甘州区", "否", "调解成功", 150, 1000.5, "13800000000"],
        ["X002", "2024-03-16", "", "山丹县", "是", "", "", "", ""],
        [],
        ["X003", 45366, 45365, "甘州区", "否", "", "", "", ""],  # closed before received
        ["合计", "", "", "", "", "", 150, 1000.5, ""],
    ]
    src = write_xlsx(tmp_path / "export.xlsx", rows)
    rep = _import([src], empty_db)[0]
    assert rep.ok and rep.encoding == "XLSX" and rep.header_row == 2 and rep.personal == ["联系电话"]
    assert (rep.imported, rep.rejected, rep.blank_rows, rep.total_rows) == (2, 1, 1, 1)
    assert rep.rejects["line"].tolist() == [6] and rep.rejects["code"].tolist() == ["closed_before"]
    got = _df(empty_db, "SELECT reg_no, received_at, closed_date, recovered_yuan::DOUBLE r, disputed_yuan::DOUBLE d, "
                        "is_odr FROM complaints ORDER BY 1")
    # 45366.375 = 2024-03-15 09:00; 45370 = 2024-03-19
    assert got["received_at"].tolist() == [pd.Timestamp("2024-03-15 09:00"), pd.Timestamp("2024-03-16")]
    assert got["closed_date"].iloc[0] == pd.Timestamp("2024-03-19") and pd.isna(got["closed_date"].iloc[1])
    assert (got["r"].iloc[0], got["d"].iloc[0], got["is_odr"].tolist()) == (150.0, 1000.5, [False, True])


def test_date_and_amount_forms():
    s = pd.Series(["2024/3/14 9:05", "2024-03-14", "2024年3月15日", "2024年3月15日 9时5分", "45366.4", "20240314",
                   "2024.3.14", "2024-02-30", "abc", None, "2024-03-14 25:00", "2024-03-14T08:01:02"], dtype=object)
    ts, bad = importer.parse_datetimes(s)
    want = ["2024-03-14T09:05", "2024-03-14", "2024-03-15", "2024-03-15T09:05", "2024-03-15T09:36", "2024-03-14",
            "2024-03-14", None, None, None, None, "2024-03-14T08:01:02"]
    assert [None if pd.isna(x) else pd.Timestamp(x) for x in ts] == [None if w is None else pd.Timestamp(w) for w in want]
    assert bad.tolist() == [False] * 7 + [True, True, False, True, False]
    v, bad = importer.parse_amounts(pd.Series(["1,234.50元", "￥800", "0.12万", "-5", "abc", None, "12.345"], dtype=object))
    assert [None if pd.isna(x) else x for x in v] == [1234.5, 800.0, 1200.0, -5.0, None, None, 12.35]
    assert bad.tolist() == [False, False, False, False, True, False, False]
    # a (万元) header multiplies by 10,000
    v, _ = importer.parse_amounts(pd.Series(["1.5"], dtype=object), scale=10000.0)
    assert v.tolist() == [15000.0]


def test_header_variants_map_to_fields():
    for kind, fields in H.FIELDS.items():
        for fld, variants in fields.items():
            for v in variants:
                mapped, unknown, personal = H.map_headers([v], kind)
                assert mapped == {0: fld}, (kind, v)
    # full-width brackets, spaces and a required-marker are tolerated
    assert H.map_headers(["* 挽回经济损失（元） "], "complaints")[0] == {0: "recovered_yuan"}
    assert H.is_personal("投诉人电话") and H.is_personal("消费者地址") and not H.is_personal("被投诉人地址")


def test_unrecognised_file_gets_one_clear_error(tmp_path):
    src = write_csv(tmp_path / "odd.csv", header=["序号", "内容", "投诉时间"], rows=[["1", "x", "2024-03-01"]],
                    encoding="utf-8", title=None)
    rep = importer.analyse(src.read_bytes(), src.name)
    assert not rep.ok
    assert "登记编号" in rep.error and "缺少必需列" in rep.error and "missing required columns" in rep.error
    assert rep.missing == [H.describe_field("complaints", "reg_no")]
    # a forced kind names what that kind lacks
    rep = importer.analyse(src.read_bytes(), src.name, kind="returns")
    assert not rep.ok and "退货日期" in rep.error and "退货金额" in rep.error


# --- other kinds ------------------------------------------------------------------------------

def test_registers_and_returns(tmp_path):
    (tmp_path / "data").mkdir()
    target = make_db(tmp_path / "data" / "odr.duckdb",
                     merchants=[{"merchant_id": "M1", "name": "老店", "credit_code": "91620702MA0000001X",
                                 "district_code": "620702"}])
    odr = write_csv(tmp_path / "odr.csv", header=["企业名称", "统一社会信用代码", "所属区县", "入驻时间", "状态", "退出时间"],
                    rows=[["老店（改名）", "91620702ma0000001x", "甘州区", "2023-05-01", "正常", ""],
                          ["新店", "", "临泽", "2023/6/1", "已退出", "2024-01-10"],
                          ["缺日期店", "", "临泽", "", "正常", ""],
                          ["退出无日期", "", "高台", "2023-06-01", "已退出", ""]], encoding="gbk")
    commit = write_csv(tmp_path / "commit.csv", header=["门店名称", "统一社会信用代码", "区县", "承诺时间", "承诺天数"],
                       rows=[["新店", "", "临泽县", "2023-07-01", "15天"], ["短期店", "", "甘州", "2023-07-01", "3"]],
                       encoding="utf-8-sig", title=None)
    demo = write_csv(tmp_path / "demo.csv", header=["名称", "类型", "所在地区", "命名时间"],
                     rows=[["丹霞美食街区", "示范街区/商圈", "甘州", "2023-03-15"],
                           ["新店", "示范经营户", "临泽", "2023-08-01"],
                           ["怪单位", "其他", "甘州", "2023-08-01"]], encoding="gbk")
    returns = write_csv(tmp_path / "returns.csv", header=["店铺名称", "购买日期", "退货日期", "商品类别", "退货金额(元)", "办理结果"],
                        rows=[["新店", "2024-03-01", "2024-03-05", "服装鞋帽", "199.00", "已退货"],
                              ["新店", "2024-03-01", "2024-03-05", "服装鞋帽", "199.00", "已退货"],
                              ["新店", "2024-03-06", "2024-03-05", "服装鞋帽", "50", "已退款"],
                              ["新店", "2024-03-02", "2024-03-06", "服装鞋帽", "-1", "已退款"],
                              ["新店", "2024-03-02", "2024-03-07", "服装鞋帽", "88.8", "处理中"]], encoding="gbk")
    reps = _import([returns, demo, commit, odr], target)      # any order: registers are written first
    by = {r.file_name: r for r in reps}
    assert [by[n].kind for n in ("odr.csv", "commit.csv", "demo.csv", "returns.csv")] == \
        ["odr_register", "commit_register", "demo_register", "returns"]
    assert (by["odr.csv"].imported, by["odr.csv"].updated, by["odr.csv"].rejected) == (1, 1, 2)
    assert sorted(by["odr.csv"].rejects["code"]) == ["no_date", "withdrawn_no_date"]
    assert (by["commit.csv"].imported, by["commit.csv"].updated, by["commit.csv"].rejected) == (0, 1, 1)
    assert (by["demo.csv"].imported, by["demo.csv"].rejected) == (2, 1)
    assert (by["returns.csv"].imported, by["returns.csv"].rejected) == (3, 2)
    m = _df(target, "SELECT * FROM merchants ORDER BY merchant_id").set_index("name")
    # the existing merchant matched by credit code (upper-cased): dates set, name kept
    assert m.loc["老店", "odr_enrolled_date"] == pd.Timestamp("2023-05-01")
    new = m.loc["新店"]
    assert new["odr_withdrawn_date"] == pd.Timestamp("2024-01-10") and new["return_commit_days"] == 15
    assert new["district_code"] == "620723" and new["merchant_id"].startswith("IM")
    d = _df(target, "SELECT name, unit_type, merchant_id FROM demo_units ORDER BY name")
    assert d["unit_type"].tolist() == ["street", "operator"] and d["merchant_id"].iloc[1] == new["merchant_id"]
    r = _df(target, "SELECT return_id, merchant_id, amount_yuan::DOUBLE a, completed, district_code FROM returns ORDER BY a")
    # two identical rows are two returns (distinct ids), linked to the new store, district from the store
    assert r["a"].tolist() == [88.8, 199.0, 199.0] and r["return_id"].nunique() == 3
    assert set(r["merchant_id"]) == {new["merchant_id"]} and set(r["district_code"]) == {"620723"}
    assert r["completed"].tolist() == [False, True, True]
    f = Filters(dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    con = db.connect(target, read_only=True)
    try:
        reg = queries.registry_counts(con, f)
        ret = queries.returns_summary(con, f)
    finally:
        con.close()
    # ODR: 老店 (enrolled 2023-05-01); 新店 withdrew 2024-01-10 -> 1. Committed: 新店. Demo: 1 street, 1 operator
    assert (reg["odr_enterprises"], reg["return_stores"], reg["demo_districts"], reg["demo_operators"]) == (1, 1, 1, 1)
    # 88.8 + 199 + 199 = 486.8 yuan; 2 of 3 completed
    assert ret["count"] == 3 and ret["amount_yuan"] == 486.8 and ret["completion_rate"] == pytest.approx(2 / 3)
    # importing the returns again: skipped, same ids
    again = _import([returns], target)[0]
    assert again.already and again.imported == 0


# --- atomicity, idempotency, concurrency ------------------------------------------------------

def test_failure_mid_import_leaves_the_database_untouched(empty_db, monkeypatch):
    first = write_csv(empty_db.parent / "first.csv")
    _import([first], empty_db)
    before = empty_db.read_bytes()
    rows2 = [["ZY2024040100000001", "", "", "", "2024-04-01", "", "甘州", "否", "", "", "", "", "", "", "", ""]]
    second = write_csv(empty_db.parent / "second.csv", rows=rows2)
    rep = importer.analyse(second.read_bytes(), second.name, today=TODAY)

    def boom(con, reps):
        raise RuntimeError("disk full (injected)")
    monkeypatch.setattr(importer, "_update_meta", boom)   # after the rows were written in the copy
    with pytest.raises(RuntimeError, match="injected"):
        importer.import_reports([rep], empty_db)
    assert empty_db.read_bytes() == before
    leftovers = sorted(p.name for p in empty_db.parent.iterdir() if p.is_file())
    assert leftovers == ["first.csv", "odr.duckdb", "second.csv"]    # no temp copy, no lock, no WAL
    assert _df(empty_db, "SELECT count(*) n FROM complaints")["n"].iat[0] == 4
    assert _df(empty_db, "SELECT count(*) n FROM import_log")["n"].iat[0] == 1
    monkeypatch.undo()
    importer.import_reports([rep], empty_db)          # works afterwards
    assert _df(empty_db, "SELECT count(*) n FROM complaints")["n"].iat[0] == 5


def test_reimport_changes_nothing_and_a_number_seen_again_replaces(empty_db):
    src = write_csv(empty_db.parent / "export.csv")
    _import([src], empty_db)
    before = empty_db.read_bytes()
    rep = _import([src], empty_db)[0]
    assert rep.already and (rep.imported, rep.updated) == (0, 0)
    assert empty_db.read_bytes() == before
    # the same complaint in a later export, now closed differently: replaces the row
    rows = [["ZY2024031500000006", "", "", "", "2024-03-16 8:00", "2024-03-19", "肃南县", "是", "协商不成转办",
             "", "", "", "", "", "", ""]]
    later = write_csv(empty_db.parent / "later.csv", rows=rows)
    rep = _import([later], empty_db)[0]
    assert (rep.imported, rep.updated, rep.rejected) == (0, 1, 0)
    got = _df(empty_db, "SELECT count(*) n, max(outcome) o, max(source) s FROM complaints "
                        "WHERE reg_no = 'ZY2024031500000006'")
    assert (got["n"].iat[0], got["o"].iat[0], got["s"].iat[0]) == (1, "协商不成转办", "later.csv")
    log = _df(empty_db, "SELECT file_name, rows_imported, rows_updated FROM import_log ORDER BY import_id")
    assert log.values.tolist() == [["export.csv", 4, 0], ["later.csv", 0, 1]]


def test_the_app_keeps_reading_while_an_import_writes(empty_db):
    """A read-only connection (the app) stays open during the import: the import still works,
    the reader keeps its snapshot, and a connection opened afterwards sees the new data."""
    reader = db.connect(empty_db, read_only=True)
    try:
        n_before = reader.execute("SELECT count(*) FROM complaints").fetchall()[0][0]
        src = write_csv(empty_db.parent / "export.csv")
        _import([src], empty_db)
        assert reader.execute("SELECT count(*) FROM complaints").fetchall()[0][0] == n_before == 0
    finally:
        reader.close()
    fresh = db.connect(empty_db, read_only=True)
    try:
        assert fresh.execute("SELECT count(*) FROM complaints").fetchall()[0][0] == 4
    finally:
        fresh.close()


def test_shared_connection_sees_the_import_after_reset(empty_db):
    """What the import page does after an import: db.reset_shared(), then db.shared() reads the
    new file."""
    db.reset_shared()
    try:
        v0 = db.meta(db.shared(empty_db))["data_version"]
        _import([write_csv(empty_db.parent / "export.csv")], empty_db)
        db.reset_shared()
        v1 = db.meta(db.shared(empty_db))["data_version"]
        assert v0 == "empty-0" and v1.startswith("imp-") and v1 != v0
    finally:
        db.reset_shared()


def test_lock_prevents_two_imports(empty_db):
    lock = Path(str(empty_db) + ".import.lock")
    lock.write_text(str(os.getpid()))           # a live process holds it
    rep = importer.analyse(write_csv(empty_db.parent / "x.csv").read_bytes(), "x.csv", today=TODAY)
    with pytest.raises(importer.ImportLocked):
        importer.import_reports([rep], empty_db)
    lock.write_text("999999999")                 # a dead process: the stale lock is taken over
    importer.import_reports([rep], empty_db)
    assert not lock.exists() and rep.imported == 4


def test_meta_after_import(empty_db, tmp_path, sample_db):
    _import([write_csv(empty_db.parent / "export.csv")], empty_db)
    m = dict(_df(empty_db, "SELECT key, value FROM meta").values.tolist())
    # received 2024-03-15..16, latest closed 2024-03-20
    assert (m["dataset"], m["as_of"], m["data_from"]) == ("imported", "2024-03-20", "2024-03-15")
    assert m["agg_for"] == build.agg_stamp(m["data_version"])
    h = hashlib.sha256(("empty-0" + hashlib.sha256((empty_db.parent / "export.csv").read_bytes()).hexdigest())
                       .encode()).hexdigest()
    assert m["data_version"] == f"imp-{h[:10]}"
    # into the synthetic sample: the sample rows stay, and so does the synthetic notice
    sample = tmp_path / "s" / "odr.duckdb"
    sample.parent.mkdir()
    sample.write_bytes(sample_db.read_bytes())
    _import([write_csv(sample.parent / "export.csv")], sample)
    m = dict(_df(sample, "SELECT key, value FROM meta").values.tolist())
    assert m["dataset"] == "sample" and m["as_of"] == "2024-03-20" and m["data_from"] == "2022-01-01"


def test_figures_after_import(empty_db):
    _import([write_csv(empty_db.parent / "export.csv")], empty_db)
    con = db.connect(empty_db, read_only=True)
    try:
        fig = queries.figures(con, Filters(dt.date(2024, 3, 11), dt.date(2024, 3, 24)))
        slow = queries.complaint_kpis(con, Filters(dt.date(2024, 3, 11), dt.date(2024, 3, 24)), fast=False).iloc[0]
    finally:
        con.close()
    # 4 complaints: #1 closed 03-18 (3 days), #2 ODR closed 03-20 (5 days), #6 ODR open, #7 closed 03-20 (4 days)
    assert (fig["complaints"], fig["complaints_odr"], fig["closed"]) == (4, 2, 3)
    assert fig["closure_rate"] == pytest.approx(3 / 4)
    assert fig["median_days"]["all"] == 4.0            # median of 3, 4, 5
    assert fig["median_days"]["odr"] == 5.0 and fig["median_days"]["traditional"] == 3.5
    assert fig["recovered_yuan"] == 800.0              # 800 + blank + blank + 0
    assert fig["disputed_yuan"] == 2534.5              # 1,234.50 + 1,200 + 100
    assert fig["odr_resolved"] == 1                    # #2 和解 closed 03-20
    by = {d["code"]: d["complaints"] for d in fig["districts"]}
    assert (by["620702"], by["620723"], by["620721"], by["620722"]) == (1, 1, 1, 1)
    assert int(slow["complaints"]) == 4 and float(slow["median_days_all"]) == 4.0


# --- command line -------------------------------------------------------------------------------

def _cli(*args):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("ODR_DB", None)
    return subprocess.run([sys.executable, "-m", "analytics", "import", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_dry_run_import_and_reimport(empty_db):
    src = write_csv(empty_db.parent / "export.csv")
    before = empty_db.read_bytes()
    r = _cli(src, "--db", empty_db, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "dry run: nothing written" in r.stdout
    assert "rows read 14 = imported 4 + updated 0 + rejected 7 + skipped 3 (2 blank, 1 totals)" in r.stdout
    assert "row 6: 办结时间早于登记时间 / closed before received" in r.stdout
    assert "personal data dropped (never stored): 投诉人, 联系电话, 身份证号" in r.stdout
    assert empty_db.read_bytes() == before and not (empty_db.parent / "rejects").exists()

    r = _cli(src, "--db", empty_db)
    assert r.returncode == 0, r.stderr
    assert "export.csv: complaints, GB18030, header on row 2" in r.stdout
    rejects = next((empty_db.parent / "rejects").glob("export.csv.*.rejects.csv"))
    assert f"rejects: {rejects}" in r.stdout
    assert len(rejects.read_text(encoding="utf-8-sig").splitlines()) == 1 + 7

    r = _cli(src, "--db", empty_db)
    assert r.returncode == 0 and "already imported on" in r.stdout and "nothing changed" in r.stdout


def test_cli_errors(empty_db, tmp_path):
    odd = write_csv(tmp_path / "odd.csv", header=["序号", "内容"], rows=[["1", "x"]], encoding="utf-8", title=None)
    r = _cli(odd, "--db", empty_db)
    assert r.returncode == 1 and "ERROR" in r.stdout and "登记编号" in r.stdout
    r = _cli(tmp_path / "missing.csv", "--db", empty_db)
    assert r.returncode == 1 and "cannot read the file" in r.stdout
    r = _cli(odd, "--db", empty_db, "--kind", "nonsense")
    assert r.returncode == 2 and "unknown --kind" in r.stderr
    # --kind overrides detection
    ret = write_csv(tmp_path / "r.csv", header=["名称", "退货日期", "金额"], rows=[["某店", "2024-03-01", "10元"]],
                    encoding="gbk", title=None)
    r = _cli(ret, "--db", empty_db, "--kind", "returns")
    assert r.returncode == 0 and "r.csv: returns, GB18030" in r.stdout


# --- the page -----------------------------------------------------------------------------------

def test_import_page_internal_mode(tmp_path, monkeypatch, clean_streamlit):
    from tests.apptest import errors, run_app
    target = tmp_path / "data" / "odr.duckdb"
    build.init_empty(target)
    _import([write_csv(tmp_path / "data" / "export.csv")], target)
    monkeypatch.setenv("ODR_DB", str(target))
    monkeypatch.setenv("ODR_MODE", "internal")
    at = run_app("pages/import.py", {"lang": "en"})
    assert not errors(at)
    text = " ".join(m.value for m in at.markdown) + " ".join(str(c.value) for c in at.caption)
    assert "Target database" in text and "python -m analytics import" in text
    assert any("No file chosen yet" in i.value for i in at.info)
    assert len(at.get("file_uploader")) == 1
    hist = at.dataframe[0].value
    assert hist["File"].tolist() == ["export.csv"] and hist["New"].tolist() == [4] and hist["Rejected"].tolist() == [7]
    assert at.selectbox(key="w:im_kind").value == "auto"


def test_import_page_hidden_in_public_mode(app_env):
    """Without ODR_MODE=internal the navigation has no import page: a deep link to it does not
    show the uploader (Streamlit falls back to a page of the navigation or reports it missing)."""
    from tests.apptest import run_app
    try:
        at = run_app("pages/import.py", {"lang": "en"})
    except Exception:  # noqa: BLE001 — "page not found" is just as good
        return
    assert len(at.get("file_uploader")) == 0
    assert not any("Target database" in str(c.value) for c in at.caption)


def test_running_app_sees_a_command_line_import(empty_db):
    db.reset_shared()
    try:
        assert db.meta(db.shared(empty_db))["data_version"] == "empty-0"     # the app has it open
        src = write_csv(empty_db.parent / "export.csv")
        assert _cli(src, "--db", empty_db).returncode == 0                  # another process imports
        assert db.meta(db.shared(empty_db))["data_version"].startswith("imp-")
    finally:
        db.reset_shared()
