"""Issue #15, import: the importer survives any file and accounts for every line.

Malicious spreadsheets are built here with zipfile (a minimal valid xlsx), streamed so that no
test holds a bomb's unpacked size in memory. Anything that could take a process down runs in a
child process (the CLI, or the bounded Excel reader itself), never in pytest's.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analytics import build, db, importer
from analytics import xlsx_worker as xw

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2024, 6, 1)

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
       'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
       'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" '
       'sheetId="1" r:id="rId1"/></sheets></workbook>')
_WBR = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def xlsx(sheet_parts, path: Path | None = None) -> bytes | Path:
    """A minimal valid xlsx whose sheet XML is the concatenation of ``sheet_parts`` (strings,
    bytes or an iterator of them: written streaming)."""
    dest = path if path is not None else io.BytesIO()
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WB),
                           ("xl/_rels/workbook.xml.rels", _WBR)):
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for p in sheet_parts:
                f.write(p.encode() if isinstance(p, str) else p)
    return path if path is not None else dest.getvalue()


def _cli(*args, timeout=300):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("ODR_DB", None)
    return subprocess.run([sys.executable, "-m", "analytics", "import", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def empty_db(tmp_path) -> Path:
    p = tmp_path / "data" / "odr.duckdb"
    build.init_empty(p)
    return p


def _meta(target: Path) -> dict:
    con = db.connect(target, read_only=True)
    try:
        return db.meta(con)
    finally:
        con.close()


def _rows(target: Path, sql: str) -> list:
    con = db.connect(target, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _error_lines(out: str) -> list[str]:
    return [ln for ln in out.splitlines() if "ERROR" in ln]


HEADER = "登记编号,登记时间,所属区县,争议金额"


def _csv(rows: list[str], header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


# --- spreadsheets that took the process down ---------------------------------------------------

def test_full_size_declared_sheet_is_refused_and_the_cli_survives(tmp_path, empty_db):
    """Declared A1:XFD1048576 with a cell at XFD1048576: the Excel reader aborted the whole
    process (exit 134); now one line names the limit and nothing is written."""
    f = xlsx([_HEAD, '<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
              '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'], tmp_path / "dim.xlsx")
    assert f.stat().st_size < 4000
    before = empty_db.read_bytes()
    r = _cli(f, "--db", empty_db)
    assert r.returncode == 1, (r.returncode, r.stderr[-500:])
    errs = _error_lines(r.stdout)
    assert len(errs) == 1 and "A1:XFD1048576" in errs[0] and "MAX_ROWS" in errs[0]
    assert "Traceback" not in r.stderr and "panicked" not in r.stderr
    assert empty_db.read_bytes() == before


def test_cells_beyond_the_limits_without_a_dimension_are_refused(tmp_path, empty_db):
    # in a child process: on the old code this file aborts the process that reads it
    f = xlsx([_HEAD, '<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
              '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'], tmp_path / "nodim.xlsx")
    r = _cli(f, "--db", empty_db, "--dry-run")
    errs = _error_lines(r.stdout)
    assert r.returncode == 1 and len(errs) == 1 and "MAX_ROWS" in errs[0], (r.returncode, r.stderr[-300:])
    wide = xlsx([_HEAD, '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="ZZ1"><v>2</v></c></row>'
                 '</sheetData></worksheet>'])
    rep = importer.analyse(wide, "wide.xlsx", today=TODAY)
    assert not rep.ok and "MAX_COLUMNS" in rep.error


def _big_cell_sheet(chars: int):
    yield _HEAD + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
    block = "A" * (1 << 20)
    for _ in range(chars >> 20):
        yield block
    yield "</t></is></c></row></sheetData></worksheet>"


def test_zip_bomb_one_huge_cell_is_refused(tmp_path, empty_db):
    """One cell of 12 MiB (deflated to ~12 KiB): refused by MAX_CELL_CHARS before any reader
    holds it (larger bombs meet MAX_RATIO and MAX_PART_BYTES first: see the tests below)."""
    f = xlsx(_big_cell_sheet(12 << 20), tmp_path / "cell.xlsx")
    assert f.stat().st_size < 1 << 20
    r = _cli(f, "--db", empty_db, "--dry-run")
    errs = _error_lines(r.stdout)
    assert r.returncode == 1 and len(errs) == 1 and "MAX_CELL_CHARS" in errs[0], (r.stdout, r.stderr[-500:])


@pytest.mark.slow
def test_zip_bomb_one_gigabyte_cell_is_refused(tmp_path):
    f = xlsx(_big_cell_sheet(1 << 30), tmp_path / "gb.xlsx")
    rep = importer.analyse(f.read_bytes(), "gb.xlsx", today=TODAY)
    assert not rep.ok and "MAX_PART_BYTES" in rep.error and "\n" not in rep.error


def _many_rows(n: int):
    yield _HEAD + "<sheetData>"
    chunk = []
    for i in range(1, n + 1):
        chunk.append("<row><c><v>1</v></c></row>")   # no r= attributes: counted, not named
        if len(chunk) == 50_000:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + "</sheetData></worksheet>"


def test_zip_bomb_two_million_rows_is_refused(tmp_path, empty_db):
    f = xlsx(_many_rows(2_000_000), tmp_path / "rows.xlsx")
    assert f.stat().st_size < 6 << 20
    r = _cli(f, "--db", empty_db)
    errs = _error_lines(r.stdout)
    assert r.returncode == 1 and len(errs) == 1 and "MAX_ROWS" in errs[0], (r.stdout, r.stderr[-500:])


def test_part_size_and_compression_ratio_are_checked_before_reading(monkeypatch):
    data = xlsx(_big_cell_sheet(40 << 20))
    z = zipfile.ZipFile(io.BytesIO(data))
    monkeypatch.setattr(xw, "MAX_PART_BYTES", 1 << 20)
    with pytest.raises(xw.Refused, match="MAX_PART_BYTES"):
        xw.check(z)
    monkeypatch.setattr(xw, "MAX_PART_BYTES", 1 << 30)
    with pytest.raises(xw.Refused, match="MAX_RATIO"):
        xw.check(z)


def test_a_real_export_sized_sheet_still_reads():
    """~3,200 rows of a year's complaints are far below the limits."""
    rows = ["<row r=\"1\">" + "".join(f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>'
                                      for c, h in zip("ABCD", HEADER.split(","))) + "</row>"]
    for i in range(2, 3202):
        rows.append(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>ZY{i:08d}</t></is></c>'
                    f'<c r="B{i}" t="inlineStr"><is><t>2024-03-01</t></is></c>'
                    f'<c r="C{i}" t="inlineStr"><is><t>甘州</t></is></c><c r="D{i}"><v>{i}</v></c></row>')
    data = xlsx([_HEAD, '<dimension ref="A1:D3201"/><sheetData>', *rows, "</sheetData></worksheet>"])
    rep = importer.analyse(data, "year.xlsx", today=TODAY)
    assert rep.ok and rep.rows_read == 3200 and rep.accepted == 3200 and rep.encoding == "XLSX"


# --- the bounded worker: whatever it does, the parent survives with one line --------------------

def _fake_worker(tmp_path, monkeypatch, body: str) -> None:
    w = tmp_path / "worker.py"
    w.write_text(textwrap.dedent(body))
    monkeypatch.setattr(importer, "_WORKER", w)


def test_a_reader_that_aborts_is_one_line_in_a_living_parent(tmp_path, monkeypatch):
    _fake_worker(tmp_path, monkeypatch, "import os\nos.abort()\n")
    with pytest.raises(importer.ImportError_) as e:
        importer.read_xlsx_rows(b"PK...")
    assert "SIGABRT" in str(e.value) and "\n" not in str(e.value)
    rep = importer.analyse(b"PK\x03\x04 anything", "x.xlsx", today=TODAY)
    assert not rep.ok and "SIGABRT" in rep.error


def test_a_reader_that_hangs_is_stopped(tmp_path, monkeypatch):
    _fake_worker(tmp_path, monkeypatch, "import time\ntime.sleep(60)\n")
    with pytest.raises(importer.ImportError_, match="XLSX_TIMEOUT"):
        importer.read_xlsx_rows(b"PK", timeout=1)


def test_the_worker_limits_its_own_memory(tmp_path):
    """RLIMIT_AS is set in the worker before the reader runs: an allocation beyond it fails
    there (MemoryError, or a killed child), never in the app."""
    probe = tmp_path / "probe.py"
    probe.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT / 'analytics')!r})
        import xlsx_worker
        xlsx_worker._limit_self()
        try:
            b = bytearray(xlsx_worker.MEMORY_LIMIT + (1 << 30))
            print("allocated")
        except MemoryError:
            print("refused")
    """))
    r = subprocess.run([sys.executable, "-P", str(probe)], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "refused", (r.stdout, r.stderr)


# --- every line accounted for -------------------------------------------------------------------

def test_unclosed_quote_rejects_its_line_and_keeps_the_rest(empty_db, tmp_path):
    rows = ["A1,2024-03-01,甘州,1", 'A2,2024-03-01,甘州,"2', "A3,2024-03-01,甘州,3", "A4,2024-03-01,甘州,4",
            "A5,2024-03-01,甘州,5"]
    rep = importer.analyse(_csv(rows), "q.csv", today=TODAY)
    assert (rep.rows_read, rep.accepted, rep.rejected, rep.skipped) == (5, 4, 1, 0)
    assert rep.rejects[["line", "code"]].values.tolist() == [[3, "unclosed_quote"]]
    assert list(rep.clean["line"]) == [2, 4, 5, 6] and list(rep.clean["reg_no"]) == ["A1", "A3", "A4", "A5"]
    src = tmp_path / "q.csv"
    src.write_bytes(_csv(rows))
    r = _cli(src, "--db", empty_db)
    assert r.returncode == 0, r.stderr
    assert "rows read 5 = imported 4 + updated 0 + rejected 1 + skipped 0" in r.stdout
    assert "row 3: 引号未闭合" in r.stdout


def test_a_quoted_value_over_two_lines_is_one_row_with_the_right_numbers():
    rows = ["A1,2024-03-01,甘州,1", 'A2,"2024-03-01",甘州,"1,234\n.50"', "A3,2024-03-01,甘州,3"]
    rep = importer.analyse(_csv(rows), "m.csv", today=TODAY)
    assert rep.rows_read == 3 and rep.accepted == 2 and list(rep.clean["line"]) == [2, 5]
    assert rep.rejects["line"].tolist() == [3]


def test_accounting_holds_with_blank_totals_and_broken_rows():
    rows = ["A1,2024-03-01,甘州,1", "", "A2,2024-03-01,甘州", 'A3,2024-03-01,甘州,"x', "A4,1900-01-01,甘州,1",
            "合计,,,2"]
    rep = importer.analyse(_csv(rows), "a.csv", today=TODAY)
    assert rep.rows_read == rep.accepted + rep.rejected + rep.skipped == 6
    assert rep.rejects["code"].tolist() == ["columns", "unclosed_quote", "date_range"]


# --- values that were guessed or failed the whole file ------------------------------------------

def test_amount_too_large_for_the_column_is_a_rejected_row_in_dry_run_and_import(empty_db, tmp_path):
    src = tmp_path / "big.csv"
    src.write_bytes(_csv(["A1,2024-03-01,甘州,1", "A2,2024-03-01,甘州,100000000000000", "A3,2024-03-01,甘州,3"]))
    for args in (("--dry-run",), ()):
        r = _cli(src, "--db", empty_db, *args)
        assert r.returncode == 0, r.stderr
        assert "rows read 3 = imported 2 + updated 0 + rejected 1 + skipped 0" in r.stdout
        assert "row 3: 争议金额超出可存储范围" in r.stdout and "too large to store" in r.stdout
    assert _rows(empty_db, "SELECT reg_no FROM complaints ORDER BY 1") == [("A1",), ("A3",)]
    ret = importer.analyse("名称,退货日期,金额\n某店,2024-03-01,20000000000\n".encode(), "r.csv", today=TODAY)
    assert ret.rejects["code"].tolist() == ["too_large"]


def test_ambiguous_separators_are_rejected_not_guessed():
    rows = ["A1,2024-03-01,甘州,\"1.234,50\"", "A2,2024-03-01,甘州,\"1,234.50\"", "A3,2024-03-01,甘州,\"12,50\"",
            "A4,2024-03-01,甘州,\"1,2345\"", "A5,2024-03-01,甘州,\"12,345,678\""]
    rep = importer.analyse(_csv(rows), "s.csv", today=TODAY)
    assert dict(zip(rep.rejects["line"], rep.rejects["code"])) == {2: "ambiguous_amount", 4: "ambiguous_amount",
                                                                   5: "ambiguous_amount"}
    assert rep.clean.set_index("reg_no")["disputed_yuan"].to_dict() == {"A2": 1234.5, "A5": 12345678.0}
    v, bad = importer.parse_amounts(pd.Series(["1.234,50", "1,234.50"], dtype=object))
    assert bad.tolist() == [True, False] and v[1] == 1234.5


def test_mixed_utf8_and_gbk_lines_report_line_numbers(empty_db):
    lines = [HEADER] + [f"B{i},2024-03-0{i},甘州区,{i}" for i in range(1, 9)]
    data = b"\n".join(ln.encode("gbk") if i in (3, 6) else ln.encode() for i, ln in enumerate(lines)) + b"\n"
    rep = importer.analyse(data, "mixed.csv", today=TODAY)
    assert rep.ok and rep.encoding == "UTF-8"
    assert rep.rejects[["line", "code"]].values.tolist() == [[4, "encoding"], [7, "encoding"]]
    assert (rep.rows_read, rep.accepted, rep.rejected) == (8, 6, 2)
    # nothing decodes: one line that names a line, not a byte offset
    junk = importer.analyse(HEADER.encode() + b"\n" + bytes(range(128, 256)) * 50, "junk.csv", today=TODAY)
    assert not junk.ok and "line 2" in junk.error and "byte" not in junk.error


def test_dates_outside_the_calendar_are_rejected(empty_db, tmp_path):
    src = tmp_path / "old.csv"
    src.write_bytes(_csv(["A1,2024-03-01,甘州,1", "A2,1900-01-01,甘州,1", "A3,2024-03-02,甘州,1"]))
    r = _cli(src, "--db", empty_db)
    assert r.returncode == 0 and "row 3: 登记时间超出日历覆盖范围" in r.stdout
    assert _meta(empty_db)["data_from"] == "2024-03-01"
    assert _rows(empty_db, "SELECT min(received_date) FROM complaints")[0][0] == dt.date(2024, 3, 1)


# --- the database ---------------------------------------------------------------------------------

def test_header_only_file_creates_no_data_version(empty_db, tmp_path):
    before = _meta(empty_db)["data_version"]
    src = tmp_path / "head.csv"
    src.write_bytes(_csv([]))
    r = _cli(src, "--db", empty_db)
    assert _meta(empty_db)["data_version"] == before
    assert _rows(empty_db, "SELECT count(*) FROM import_log") == [(0,)]
    assert r.returncode == 0 and "rows read 0 = imported 0" in r.stdout and "nothing to import" in r.stdout


def test_a_leftover_copy_of_a_killed_import_is_removed(empty_db, tmp_path):
    left = empty_db.with_name(empty_db.name + ".importing-999999")
    left.write_bytes(b"half a database")
    Path(str(left) + ".wal").write_bytes(b"x")
    src = tmp_path / "one.csv"
    src.write_bytes(_csv(["A1,2024-03-01,甘州,1"]))
    assert _cli(src, "--db", empty_db).returncode == 0
    assert not list(empty_db.parent.glob("*.importing-*"))


def test_import_log_holds_names_never_server_paths(empty_db, tmp_path):
    src = tmp_path / "sub" / "paths.csv"
    src.parent.mkdir()
    src.write_bytes(_csv(["A1,2024-03-01,甘州,1", "A2,bad,甘州,1"]))
    assert _cli(src.resolve(), "--db", empty_db).returncode == 0
    assert _rows(empty_db, "SELECT file_name, rejects_file FROM import_log") == [
        ("paths.csv", next((empty_db.parent / "rejects").glob("paths.csv.*")).name)]


def test_older_import_log_rows_are_rewritten_to_names(empty_db, tmp_path):
    con = db.connect(empty_db)
    con.execute("INSERT INTO import_log VALUES (1, '/srv/odr/uploads/a.csv', 'ab', 'complaints', now(), 1, 1, 0, 0, "
                "'/srv/odr/data/rejects/a.csv.ab.rejects.csv')")
    con.execute("CHECKPOINT")
    con.close()
    build._checked.clear()
    build.refresh_if_stale(empty_db)          # what the app does on start
    assert _rows(empty_db, "SELECT file_name, rejects_file FROM import_log") == [
        ("a.csv", "a.csv.ab.rejects.csv")]
    # and the importer does it too
    con = db.connect(empty_db)
    con.execute("UPDATE import_log SET file_name = 'C:\\exports\\a.csv'")
    con.execute("CHECKPOINT")
    con.close()
    src = tmp_path / "b.csv"
    src.write_bytes(_csv(["A1,2024-03-01,甘州,1"]))
    assert _cli(src, "--db", empty_db).returncode == 0
    assert [r[0] for r in _rows(empty_db, "SELECT file_name FROM import_log ORDER BY import_id")] == ["a.csv", "b.csv"]


# --- headers -----------------------------------------------------------------------------------

def test_personal_headers_are_dropped_not_unknown():
    hdr = "登记编号,登记时间,所属区县,Name,Phone,ID card,申诉人,当事人,来电号码,备注"
    rep = importer.analyse(_csv(["A1,2024-03-01,甘州,张三,138,6201,李四,王五,139,x"], header=hdr), "p.csv",
                           today=TODAY)
    assert rep.ok and rep.personal == ["Name", "Phone", "ID card", "申诉人", "当事人", "来电号码"]
    assert rep.unknown == ["备注"]
    assert not {"张三", "李四", "王五", "138", "139"} & set(map(str, rep.clean.to_numpy().ravel()))


# --- the page ----------------------------------------------------------------------------------

def test_import_page_with_imports_with_and_without_rejects(tmp_path, monkeypatch, clean_streamlit):
    from tests.apptest import errors, run_app
    target = tmp_path / "data" / "odr.duckdb"
    build.init_empty(target)
    for name, rows in (("with.csv", ["A1,2024-03-01,甘州,1", "A2,bad,甘州,1"]), ("without.csv", ["A3,2024-03-01,甘州,1"])):
        rep = importer.analyse(_csv(rows), name, today=TODAY)
        importer.import_reports([rep], target)
    # the history as the issue saw it read back: the empty rejects file as NaN, older rows with paths
    read = importer.import_log

    def as_nan(con, limit=50):
        df = read(con, limit)
        df["rejects_file"] = [("/srv/odr/data/rejects/" + v) if isinstance(v, str) else float("nan")
                             for v in df["rejects_file"]]       # None (pandas 2) or NaN (pandas 3) → NaN
        return df
    as_nan.__module__, as_nan.__name__ = "analytics.importer", "import_log"   # what ui/data.call looks up
    monkeypatch.setattr(importer, "import_log", as_nan)
    monkeypatch.setenv("ODR_DB", str(target))
    monkeypatch.setenv("ODR_MODE", "internal")
    at = run_app("pages/import.py", {"lang": "en"})
    assert not errors(at)
    hist = at.dataframe[0].value
    assert hist["File"].tolist() == ["without.csv", "with.csv"]
    assert hist["Rejects file"].tolist()[0] == "—" and hist["Rejects file"].tolist()[1].startswith("with.csv.")
    assert len(at.get("download_button")) == 1


def test_import_page_works_on_an_empty_database(tmp_path, monkeypatch, clean_streamlit):
    """The empty-data notice sends the user to the Import page: that page must not stop on it."""
    from tests.apptest import errors, run_app
    target = tmp_path / "data" / "odr.duckdb"
    build.init_empty(target)
    monkeypatch.setenv("ODR_DB", str(target))
    monkeypatch.setenv("ODR_MODE", "internal")
    at = run_app("pages/import.py", {"lang": "en"})
    assert not errors(at)
    assert len(at.get("file_uploader")) == 1
