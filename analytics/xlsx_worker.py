"""Reading the first sheet of an XLSX file in a bounded process (run as a script, never imported
by the app for reading: see ``importer._read_xlsx``).

The parent sends the file's bytes on stdin; this process first limits its own address space
(RLIMIT_AS) and CPU time, then checks the file's declared sizes *before* the Excel reader sees
it (uncompressed part sizes, the sheet's declared dimension, the highest row and column a cell
names, the longest cell text), and only then reads the sheet with python-calamine. It writes one
JSON object on stdout: ``{"rows": [[str, ...], ...]}`` or ``{"refused": "one line"}``.
A reader that still runs out of memory is killed by the OS, not the app: the parent turns the
abnormal exit into one line.

Only the standard library and python_calamine are imported here (no pandas): the memory limit
must leave room for the sheet, not for the app's libraries.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
import zipfile

# Limits, named in every refusal. Generous for real exports (a year of a city's complaints is
# ~3,200 rows of ~25 columns; Excel itself stops at 1,048,576 rows and 32,767 characters a cell).
MAX_ROWS = 300_000                 # data rows of a sheet (CSV has no such limit)
MAX_COLUMNS = 500
MAX_CELLS = 10_000_000             # rows x columns of the sheet's extent
MAX_CELL_CHARS = 32_767            # Excel's own limit for one cell
MAX_PART_BYTES = 512 * 1024 ** 2   # one uncompressed part of the .xlsx (sheet XML, shared strings)
MAX_TOTAL_BYTES = 1024 ** 3        # all uncompressed parts together
MAX_RATIO = 1000                   # uncompressed / compressed size of one large part (zip bomb)
MEMORY_LIMIT = 3 * 1024 ** 3       # address space of this process (RLIMIT_AS)
CPU_SECONDS = 120                  # CPU time of this process (RLIMIT_CPU)

# a text run longer than this many bytes between two tags cannot be one cell of at most
# MAX_CELL_CHARS characters (4 bytes a character at most, entities like &amp; at most 6)
_MAX_RUN = MAX_CELL_CHARS * 6
_CHUNK = 1 << 20


class Refused(Exception):
    """The file exceeds a limit; the message is one line for the user (zh / en)."""


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def _ref(ref: str) -> tuple[int, int]:
    """``XFD1048576`` -> (row 1048576, column 16384); (0, 0) when unreadable."""
    m = re.fullmatch(r"\$?([A-Za-z]{1,4})\$?(\d{1,9})", ref.strip())
    return (int(m.group(2)), _col_index(m.group(1).upper())) if m else (0, 0)


def _first_sheet(z: zipfile.ZipFile) -> str:
    """The part name of the workbook's first sheet (what calamine reads with index 0)."""
    names = set(z.namelist())
    try:
        wb = z.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        m = re.search(r"<(?:\w+:)?sheet\b[^>]*?\b(?:\w+:)?id=\"([^\"]+)\"", wb)
        if m:
            for rel in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
                tag = rel.group(0)
                if re.search(r'\bId="' + re.escape(m.group(1)) + '"', tag):
                    target = re.search(r'\bTarget="([^"]+)"', tag).group(1)
                    part = target.lstrip("/") if target.startswith("/") else "xl/" + target
                    if part in names:
                        return part
    except (KeyError, AttributeError):
        pass
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    return sheets[0] if sheets else ""


def _too_big(what_zh: str, what_en: str, value: str, limit: str) -> Refused:
    return Refused(f"Excel 文件过大，拒绝读取：{what_zh} {value}，上限 {limit} / "
                   f"Excel file refused: {what_en} {value} exceeds the limit of {limit}")


def check(z: zipfile.ZipFile) -> str:
    """Check the package's declared and actual sizes before any reader sees it; returns the
    first sheet's part name. Raises :class:`Refused`."""
    total = 0
    for info in z.infolist():
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            raise _too_big(f"部件 {info.filename} 解压后", f"part {info.filename} unpacks to",
                           f"{info.file_size:,} bytes", f"{MAX_PART_BYTES:,} bytes (MAX_PART_BYTES)")
        if info.file_size > 16 * _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _too_big(f"部件 {info.filename} 压缩比", f"part {info.filename} compression ratio",
                           f"{info.file_size // max(info.compress_size, 1):,}:1", f"{MAX_RATIO}:1 (MAX_RATIO)")
    if total > MAX_TOTAL_BYTES:
        raise _too_big("解压后总大小", "the unpacked size", f"{total:,} bytes",
                       f"{MAX_TOTAL_BYTES:,} bytes (MAX_TOTAL_BYTES)")
    sheet = _first_sheet(z)
    if not sheet:
        raise Refused("Excel 文件中没有工作表 / the Excel file has no worksheet")
    _scan_sheet(z, sheet)
    return sheet


def _extent(rows: int, cols: int, what_zh: str, what_en: str) -> None:
    if rows > MAX_ROWS + 50:   # + title and header rows
        raise _too_big(what_zh + "行数", what_en + " rows", f"{rows:,}", f"{MAX_ROWS:,} (MAX_ROWS)")
    if cols > MAX_COLUMNS:
        raise _too_big(what_zh + "列数", what_en + " columns", f"{cols:,}", f"{MAX_COLUMNS:,} (MAX_COLUMNS)")
    if rows * cols > MAX_CELLS:
        raise _too_big(what_zh + "单元格数", what_en + " cells", f"{rows:,} × {cols:,}",
                       f"{MAX_CELLS:,} (MAX_CELLS)")


_DIM = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"([^\"]+)\"")
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_R_ATTR = re.compile(rb"\br=\"(\d+)\"")
_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"\$?([A-Z]{1,4})\$?(\d+)\"")


def _scan_sheet(z: zipfile.ZipFile, part: str) -> None:
    """Stream the sheet's XML once (bounded memory): the declared dimension, the number of rows,
    the highest row and column any cell names, and the longest text run between two tags."""
    max_row = max_col = rows = 0
    run = 0            # length of the text run continuing at the end of the previous chunk
    carry = b""        # an unfinished tag at the end of the previous chunk
    seen_dim = False
    with z.open(part) as f:
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                break
            first_lt = chunk.find(b"<")
            if first_lt < 0:           # all text: the run goes on
                run += len(chunk)
                if run > _MAX_RUN:
                    raise _too_big("单元格文本长度", "a cell's text", f"> {MAX_CELL_CHARS:,} characters",
                                   f"{MAX_CELL_CHARS:,} (MAX_CELL_CHARS)")
                if len(carry) < 4096:
                    carry += chunk[:4096]
                continue
            if run + first_lt > _MAX_RUN:
                raise _too_big("单元格文本长度", "a cell's text", f"> {MAX_CELL_CHARS:,} characters",
                               f"{MAX_CELL_CHARS:,} (MAX_CELL_CHARS)")
            last_lt = chunk.rfind(b"<")
            buf = carry + chunk[:last_lt]
            carry = chunk[last_lt:]
            tail_gt = carry.rfind(b">")
            run = len(carry) - tail_gt - 1 if tail_gt >= 0 else 0
            for m in re.finditer(rb">([^<]{%d,})<" % (_MAX_RUN + 1), buf):
                raise _too_big("单元格文本长度", "a cell's text", f"{len(m.group(1)):,} bytes",
                               f"{MAX_CELL_CHARS:,} characters (MAX_CELL_CHARS)")
            if not seen_dim:
                d = _DIM.search(buf)
                if d:
                    seen_dim = True
                    last = d.group(1).decode("ascii", "replace").split(":")[-1]
                    r, c = _ref(last)
                    _extent(r, c, f"表格声明的范围 {d.group(1).decode('ascii', 'replace')} 的",
                            f"the sheet's declared range {d.group(1).decode('ascii', 'replace')}:")
            for m in _ROW.finditer(buf):
                rows += 1
                a = _R_ATTR.search(m.group(1))
                r = int(a.group(1)) if a else rows
                max_row = max(max_row, r, rows)
            for m in _CELL.finditer(buf):
                max_col = max(max_col, _col_index(m.group(1).decode()))
                max_row = max(max_row, int(m.group(2)))
            _extent(max_row, max(max_col, 1), "工作表的", "the sheet's")
    if carry:
        for m in _CELL.finditer(carry):
            max_col = max(max_col, _col_index(m.group(1).decode()))
            max_row = max(max_row, int(m.group(2)))
        _extent(max_row, max(max_col, 1), "工作表的", "the sheet's")


def cell_str(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        if v != v:
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ", timespec="seconds")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):  # a time-only cell
        return str(v)
    return str(v)


def read(data: bytes) -> list[list[str]]:
    """Check, then read the first sheet as rows of strings. Raises :class:`Refused`."""
    import io
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise Refused(f"无法读取 Excel 文件（不是有效的 xlsx） / cannot read the Excel file (not a valid xlsx): {exc}")
    check(z)
    from python_calamine import CalamineWorkbook
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 — calamine raises its own error types
        raise Refused(f"无法读取 Excel 文件 / cannot read the Excel file: {exc}")
    if len(rows) > MAX_ROWS + 50:
        raise _too_big("工作表的行数", "the sheet's rows", f"{len(rows):,}", f"{MAX_ROWS:,} (MAX_ROWS)")
    out = []
    for r in rows:
        cells = [cell_str(v) for v in r]
        if any(len(c) > MAX_CELL_CHARS for c in cells):
            raise _too_big("单元格文本长度", "a cell's text", f"{max(map(len, cells)):,} characters",
                           f"{MAX_CELL_CHARS:,} (MAX_CELL_CHARS)")
        out.append(cells)
    return out


def _limit_self() -> None:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 5))


def main() -> int:
    _limit_self()
    data = sys.stdin.buffer.read()
    try:
        result = {"rows": read(data)}
    except Refused as exc:
        result = {"refused": str(exc).replace("\n", " ")}
    except MemoryError:
        result = {"refused": f"读取 Excel 文件所需内存超过上限 {MEMORY_LIMIT // 1024 ** 2:,} MiB / reading the Excel "
                             f"file needs more memory than the limit of {MEMORY_LIMIT // 1024 ** 2:,} MiB (MEMORY_LIMIT)"}
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
