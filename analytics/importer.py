"""Importing bureau exports: complaints (12315), no-reason returns and the three registers.

Reading (:func:`read_file`)
    CSV in UTF-8, UTF-8 with BOM or GB18030/GBK (tried in that order, strictly), or XLSX (first
    sheet, via python-calamine). The header row is the first of the first 12 rows with at least
    two known headers, so title rows above it are skipped. Blank rows and ``合计``/``总计`` rows
    are skipped and counted. Columns with personal data of complainants are dropped here, before
    anything else sees them. Row numbers are the spreadsheet's row numbers (title rows, the
    header and blank rows counted), as an official sees them in Excel.

Checking (:func:`analyse`)
    Headers are mapped with analytics/headers.py, values are cleaned (NFKC, trimmed, blank
    markers, dates in every export form incl. Excel serials, amounts with 元/￥/万/thousands
    separators, booleans, district variants → codes, outcome texts → canonical outcomes) and every
    data row is either accepted or rejected with its row number and a reason.

Writing (:func:`import_reports`)
    The database is copied to ``<db>.importing-<pid>`` beside it, all files are written there in
    one transaction, checkpointed, and the copy is moved onto the database with ``os.replace``:
    the running app (read-only, see analytics/db.py ``shared``) keeps reading the old file and
    reopens the new one; a failure anywhere deletes the copy and leaves the database as it was.
    ``<db>.import.lock`` (created exclusively) keeps two imports from running at once.

Rules
    A complaint number seen again replaces the stored row (counted as *updated*); a file whose
    content hash is already in ``import_log`` for the same kind is skipped as *already imported*
    and changes nothing. Within one file a duplicate complaint number (or the same register
    unit twice) keeps the later row; the earlier one is rejected with a pointer to it.
    Registers are upserts: merchants by 统一社会信用代码, else by name; demonstration units by
    name and type. Units missing from a register file are left as they are.
    After writing, ``build.refresh_aggregates`` rebuilds the pre-aggregated complaints.
    ``meta``: ``as_of`` becomes the latest of the stored as-of date and the latest received,
    closed or return date imported; ``data_version`` becomes ``imp-`` + a short hash of the
    previous version and the imported files' hashes. ``dataset`` stays ``sample`` while the
    synthetic sample's rows are still in the database (so the app keeps its synthetic-data
    notice), else becomes ``imported``.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from . import build, db, headers as H, metrics, workdays
from . import xlsx_worker as xw

HEADER_SCAN_ROWS = 12
TOTAL_WORDS = ("合计", "总计", "小计", "总合计")

# reason code -> (中文, English); ``{…}`` are filled from the row
REASONS = {
    "no_reg_no": ("缺少登记编号", "missing registration number"),
    "reg_no_sci": ("登记编号被 Excel 改成了科学计数法（{value}），原编号已无法恢复",
                   "registration number mangled into scientific notation by Excel ({value})"),
    "dup_in_file": ("同一文件中编号重复，以第 {line} 行为准", "duplicate in this file; row {line} is kept"),
    "no_received": ("缺少登记时间", "missing received time"),
    "bad_date": ("{column}无法识别：{value}", "unreadable {column}: {value}"),
    "future_date": ("{column}晚于今天：{value}", "{column} is in the future: {value}"),
    "closed_before": ("办结时间早于登记时间", "closed before received"),
    "accepted_before": ("受理时间早于登记时间", "accepted before received"),
    "bad_amount": ("{column}无法识别：{value}", "unreadable amount in {column}: {value}"),
    "negative": ("{column}为负数：{value}", "negative amount in {column}: {value}"),
    "bad_district": ("未知区县：{value}", "unknown district: {value}"),
    "bad_bool": ("是否ODR 无法识别：{value}", "unreadable yes/no in 是否ODR: {value}"),
    "bad_appeal": ("未知诉求类型：{value}", "unknown appeal type: {value}"),
    "no_name": ("缺少名称", "missing name"),
    "no_return_date": ("缺少退货日期", "missing return date"),
    "no_amount": ("缺少退货金额", "missing return amount"),
    "purchase_after": ("购买日期晚于退货日期", "purchased after the return date"),
    "no_date": ("缺少{column}", "missing {column}"),
    "withdrawn_before": ("退出时间早于{column}", "withdrawn before {column}"),
    "withdrawn_no_date": ("状态为“{value}”但没有退出时间", "status “{value}” but no withdrawal date"),
    "bad_days": ("承诺天数无法识别或少于 7 天：{value}", "commitment days unreadable or under 7: {value}"),
    "bad_type": ("未知示范单位类型：{value}", "unknown demonstration unit type: {value}"),
    "columns": ("列数与表头不符：{value}", "number of cells does not match the header: {value}"),
    "unclosed_quote": ("引号未闭合，此行无法读取：{value}", "unclosed quote, the line cannot be read: {value}"),
    "encoding": ("此行编码与文件其余部分不同（{value}），无法读取", "this line is not in the file's encoding ({value})"),
    "too_large": ("{column}超出可存储范围（最大 {limit}）：{value}", "{column} too large to store (max {limit}): {value}"),
    "ambiguous_amount": ("{column}的千位分隔符/小数点含义不明：{value}",
                         "ambiguous thousands/decimal separators in {column}: {value}"),
    "date_range": ("{column}超出日历覆盖范围（{limit}）：{value}", "{column} outside the calendar ({limit}): {value}"),
}


class ImportError_(RuntimeError):
    """A file or database that cannot be imported; the message is for the user."""


class ImportLocked(ImportError_):
    pass


# --- results -------------------------------------------------------------------------------

@dataclass
class FileReport:
    """What reading and checking one file found (and, after writing, what was written)."""
    file_name: str
    content_hash: str
    kind: str | None = None
    kind_detected: str | None = None
    encoding: str = ""
    header_row: int = 0
    headers: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)        # header -> field
    unknown: list[str] = field(default_factory=list)
    personal: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)             # required headers (described)
    error: str | None = None
    rows_read: int = 0
    accepted: int = 0
    imported: int = 0
    updated: int = 0
    rejected: int = 0
    blank_rows: int = 0
    total_rows: int = 0
    already: str | None = None                                   # imported_at of the same file
    rejects_file: str | None = None
    rejects: pd.DataFrame | None = None                          # line, code, reason_zh, reason_en + raw
    preview: pd.DataFrame | None = None                          # first accepted rows, cleaned
    clean: pd.DataFrame | None = None                            # accepted rows, ready to write
    date_range: tuple | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def skipped(self) -> int:
        """Blank and totals rows: read, neither imported nor rejected."""
        return self.blank_rows + self.total_rows


# --- reading -------------------------------------------------------------------------------

@dataclass
class RawTable:
    headers: list[str]
    columns: dict[int, pa.Array]     # kept (non-personal) columns by header index, strings
    lines: np.ndarray                # spreadsheet row number of each data row
    encoding: str
    header_row: int
    personal: list[str]
    blank_rows: int
    total_rows: int
    bad_rows: list[tuple[int, str]]  # (row, text) rows whose cell count does not match
    broken: list[tuple[int, str, str]] = field(default_factory=list)  # (row, reason code, value) unreadable lines


MAX_UNDECODABLE_LINES = 100     # a file with more lines in a second encoding is refused
_ENC_LABEL = {"utf-8": "UTF-8", "gb18030": "GB18030"}


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _decode_lines(data: bytes, enc: str) -> tuple[str, list[int]] | None:
    """``data`` decoded as ``enc`` with the lines that do not decode emptied: (text, their line
    numbers), or None when more than MAX_UNDECODABLE_LINES lines, or half of them, fail."""
    starts: list[int] = []

    def collect(exc: UnicodeDecodeError):
        starts.append(exc.start)
        if len(starts) > MAX_UNDECODABLE_LINES:
            raise exc
        return "\ufffd", exc.end
    import codecs
    name = f"odr_collect_{id(collect)}"
    codecs.register_error(name, collect)
    try:
        text = data.decode(enc, errors=name)
    except UnicodeDecodeError:
        return None
    bad = sorted({_line_of(data, p) for p in starts})
    n_lines = data.count(b"\n") + 1
    if not bad or len(bad) > MAX_UNDECODABLE_LINES or len(bad) * 2 > n_lines:
        return None
    lines = text.split("\n")
    for ln in bad:
        lines[ln - 1] = ""
    return "\n".join(lines), bad


def _decode(data: bytes) -> tuple[str, str, list[int]]:
    """(text, encoding label, numbers of the lines that did not decode and were emptied).
    Strict UTF-8, then strict GB18030/GBK; a file mixing the two keeps the lines of the
    encoding most lines use and reports the others by line number."""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8-sig"), ("UTF-8 BOM" if bom else "UTF-8"), []
    except UnicodeDecodeError as exc:
        first_bad = _line_of(data, exc.start)
    mixed = _decode_lines(data[3:] if bom else data, "utf-8")
    if mixed is not None:
        return mixed[0], ("UTF-8 BOM" if bom else "UTF-8"), mixed[1]
    try:
        return data.decode("gb18030"), "GB18030", []
    except UnicodeDecodeError:
        pass
    mixed = _decode_lines(data, "gb18030")
    if mixed is not None:
        return mixed[0], "GB18030", mixed[1]
    raise ImportError_(f"无法识别的文件编码（不是 UTF-8 也不是 GB18030/GBK），第 {first_bad} 行起 / "
                       f"unknown encoding (neither UTF-8 nor GB18030/GBK) from line {first_bad}")


def _find_header(rows: list[list]) -> int:
    best, best_score = 0, 0
    for i, r in enumerate(rows[:HEADER_SCAN_ROWS]):
        s = H.header_score_any(r)
        if s >= 2 and s > best_score:
            best, best_score = i, s
            if s >= 3:
                break
    return best


def _is_xlsx(data: bytes, name: str) -> bool:
    return data[:2] == b"PK" or name.lower().endswith((".xlsx", ".xlsm", ".xls"))


def _split_personal(hdr: list[str]) -> tuple[list[int], list[str]]:
    keep, personal = [], []
    for i, h in enumerate(hdr):
        known = any(H.norm_header(h) in H.LOOKUP[k] for k in H.KINDS)
        if H.norm_header(h) and not known and H.is_personal(h):
            personal.append(str(h).strip())
        else:
            keep.append(i)
    return keep, personal


XLSX_TIMEOUT = 120   # seconds of wall time for the bounded Excel reader (analytics/xlsx_worker.py)
_WORKER = Path(__file__).with_name("xlsx_worker.py")


def read_xlsx_rows(data: bytes, timeout: float = XLSX_TIMEOUT) -> list[list[str]]:
    """The first sheet's rows as strings, read in a separate process limited in memory (RLIMIT_AS)
    and time, after the file's declared sizes were checked there (see analytics/xlsx_worker.py).
    Whatever the file does to the reader, this process survives: every failure is one
    :class:`ImportError_` line."""
    import json
    import signal
    import subprocess
    try:
        proc = subprocess.run([sys.executable, "-P", str(_WORKER)], input=data, capture_output=True,
                              timeout=timeout, close_fds=True)
    except subprocess.TimeoutExpired:
        raise ImportError_(f"读取 Excel 文件超过时限 {timeout:g} 秒，已中止 / reading the Excel file took longer "
                           f"than the limit of {timeout:g} s (XLSX_TIMEOUT) and was stopped") from None
    if proc.returncode != 0 or not proc.stdout:
        rc = proc.returncode
        how = (f"signal {signal.Signals(-rc).name}" if rc < 0 and -rc in signal.Signals._value2member_map_
               else f"exit code {rc}")
        raise ImportError_(
            f"Excel 读取进程异常退出（{how}，多半是文件需要的内存超过上限 {xw.MEMORY_LIMIT // 1024 ** 2:,} MiB），文件未导入 / "
            f"the Excel reader stopped ({how}, most likely the file needs more than the memory limit of "
            f"{xw.MEMORY_LIMIT // 1024 ** 2:,} MiB, MEMORY_LIMIT); nothing was imported")
    try:
        out = json.loads(proc.stdout)
    except ValueError:
        raise ImportError_("Excel 读取进程的输出无法识别 / unreadable output of the Excel reader") from None
    if "refused" in out:
        raise ImportError_(out["refused"])
    return out["rows"]


def _read_xlsx(data: bytes) -> RawTable:
    rows = read_xlsx_rows(data)
    h = _find_header(rows)
    hdr = [c.strip() for c in rows[h]] if rows else []
    keep, personal = _split_personal(hdr)
    body = rows[h + 1:]
    n = len(hdr)
    cols = {i: pa.array([(r[i] if i < len(r) else "") for r in body], type=pa.string()) for i in keep}
    lines = np.arange(h + 2, h + 2 + len(body), dtype=np.int64)
    # cells beyond the header's width are dropped; a value there means a broken row
    bad = [(h + 2 + j, ",".join(r[n:])) for j, r in enumerate(body) if any(c.strip() for c in r[n:])]
    return _finish(hdr, cols, lines, "XLSX", h + 1, personal, bad)


MAX_LINES_PER_RECORD = 50   # a quoted value may span lines, up to this many (else: unclosed quote)


def _csv_shape(text: str) -> tuple[int, int, bool]:
    """(records, cells of the last record, quote still open at the end) of ``text`` read as CSV
    (RFC 4180 quoting, as pyarrow reads it: a quote opens a value only at the start of a field)."""
    records, cells, in_q, at_start, i, n = 1, 1, False, True, 0, len(text)
    while i < n:
        ch = text[i]
        if in_q:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 1
                else:
                    in_q = False
        elif ch == '"' and at_start:
            in_q = True
        elif ch == ",":
            cells += 1
            at_start = True
            i += 1
            continue
        elif ch == "\n":
            records += 1
            cells = 1
            at_start = True
            i += 1
            continue
        at_start = False
        i += 1
    return records, cells, in_q


def _cells(line: str) -> list[str]:
    try:
        return next(csv.reader([line]), [])
    except csv.Error:   # an unclosed quote on a title or header line
        return line.split(",")


def _record_starts(raw: bytes, n: int) -> tuple[np.ndarray, dict[int, str]]:
    """(1-based line numbers of ``raw`` on which a record starts, {line: text} of lines whose
    quote is never closed). A quoted value may span lines when the lines up to the closing quote
    make one record of ``n`` cells; otherwise the opening line is broken, and the lines after it
    are read on their own (an unclosed quote must not swallow the rest of the file)."""
    n_lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") or not raw else 1)
    if b'"' not in raw:
        return np.arange(1, n_lines + 1, dtype=np.int64), {}
    arr = np.frombuffer(raw, np.uint8)
    nl = np.flatnonzero(arr == 10)
    starts = np.concatenate([[0], nl + 1])[:n_lines]
    ends = np.append(nl, len(raw))[:n_lines]
    parity = np.bitwise_xor.reduceat((arr == 34).view(np.uint8), starts) if n_lines else np.zeros(0, np.uint8)
    # reduceat gives the first byte of an empty line (a newline: 0) — right for parity
    odd = np.flatnonzero(parity & 1)

    def text(i):
        return raw[starts[i]:ends[i]].decode("utf-8", "replace").rstrip("\r")
    cont: set[int] = set()
    broken: dict[int, str] = {}
    k = 0
    while k < len(odd):
        i = int(odd[k])
        if not _csv_shape(text(i))[2]:   # quotes inside a field, not around it: a line of its own
            k += 1
            continue
        if k + 1 < len(odd) and odd[k + 1] - i < MAX_LINES_PER_RECORD:
            j = int(odd[k + 1])
            recs, cells, open_ = _csv_shape("\n".join(text(x) for x in range(i, j + 1)))
            if recs == 1 and cells == n and not open_:
                cont.update(range(i + 1, j + 1))
                k += 2
                continue
        broken[i + 1] = text(i)
        k += 1
    keep = np.ones(n_lines, bool)
    keep[[c for c in cont]] = False
    keep[[b - 1 for b in broken]] = False
    return np.flatnonzero(keep).astype(np.int64) + 1, broken


def _drop_lines(raw: bytes, lines: set[int]) -> bytes:
    """``raw`` without the given 1-based lines (their newlines included)."""
    pieces, prev, pos, ln = [], 0, 0, 1
    for target in sorted(lines):
        while ln < target and pos < len(raw):
            nxt = raw.find(b"\n", pos)
            pos = len(raw) if nxt < 0 else nxt + 1
            ln += 1
        nxt = raw.find(b"\n", pos)
        end = len(raw) if nxt < 0 else nxt + 1
        pieces.append(raw[prev:pos])
        prev = pos = end
        ln += 1
    pieces.append(raw[prev:])
    return b"".join(pieces)


def _read_csv(data: bytes) -> RawTable:
    text, enc, undecodable = _decode(data)
    # the first rows, to find the header (no copy of the whole text)
    spans, pos = [], 0
    for _ in range(HEADER_SCAN_ROWS):
        if pos >= len(text):
            break
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        spans.append((pos, end))
        pos = end + 1
    first = [_cells(text[a:b].rstrip("\r")) for a, b in spans]
    h = _find_header(first)
    hdr = [c.strip() for c in first[h]] if first else []
    n = max(len(hdr), 1)
    body = text[spans[h][1] + 1:] if spans else ""
    del text
    # blank lines become rows of empty cells so that row numbers stay exact (pyarrow would
    # drop them); CRLF is left to pyarrow unless there is a blank line to fill
    if "\n\n" in body or "\n\r\n" in body or body.startswith(("\n", "\r\n")):
        body = body.replace("\r\n", "\n")
        filler = "\n" + "," * (n - 1) + "\n"
        if body.startswith("\n"):
            body = "," * (n - 1) + body
        while "\n\n" in body:
            body = body.replace("\n\n", filler)
    keep, personal = _split_personal(hdr)
    names = [f"f{i}" for i in range(n)]
    bad: list[tuple[int, str]] = []

    def on_bad(row):
        bad.append((row.number, row.text))
        return "skip"

    raw = body.encode("utf-8")
    del body
    # every line is accounted for: lines that did not decode and lines whose quote never closes
    # are taken out (rejected with their numbers); the rest is read record by record
    off = h + 1                                   # body line k is file line k + off
    starts, unclosed = _record_starts(raw, n)
    broken = [(ln, "encoding", enc) for ln in undecodable if ln > off]   # file line numbers
    broken += [(ln + off, "unclosed_quote", t[:60]) for ln, t in unclosed.items()]
    drop = {ln - off for ln, _, _ in broken}
    if drop:
        raw = _drop_lines(raw, drop)
        starts = starts[~np.isin(starts, np.fromiter(drop, np.int64))]
    broken.sort()

    def parse(threads: bool):
        bad.clear()
        return pacsv.read_csv(
            io.BytesIO(raw),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=threads, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_bad),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                                 include_columns=[names[i] for i in keep],
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    tbl = parse(True) if raw.strip() else None
    if bad and any(b[0] is None for b in bad):
        tbl = parse(False)  # exact row numbers of the broken rows
    if tbl is None:
        cols = {i: pa.array([], type=pa.string()) for i in keep}
        return _finish(hdr, cols, np.zeros(0, np.int64), enc, h + 1, personal, [], broken)
    total = tbl.num_rows + len(bad)
    # record r (1-based) starts on body line starts[r - 1]
    line_of = starts if len(starts) == total else np.arange(1, total + 1, dtype=np.int64)
    if bad:
        badset = {b[0] for b in bad}
        rec = np.array([r for r in range(1, total + 1) if r not in badset], dtype=np.int64)
    else:
        rec = np.arange(1, total + 1, dtype=np.int64)
    lines = line_of[rec - 1] + off if len(rec) else np.zeros(0, np.int64)
    cols = {i: tbl.column(names[i]).combine_chunks() for i in keep}
    return _finish(hdr, cols, lines, enc, h + 1, personal, [(int(line_of[r - 1]) + off, t) for r, t in bad], broken)


def _finish(hdr, cols, lines, enc, header_row, personal, bad, broken=()) -> RawTable:
    """Skip blank and totals rows (counted). ``broken``: (line, reason code, value) of lines
    taken out before parsing (undecodable, unclosed quote), rejected as they are."""
    nrows = len(lines)
    blank = np.ones(nrows, bool)
    longest = np.zeros(nrows, np.int64)
    total = np.zeros(nrows, bool)
    for j, (i, arr) in enumerate(cols.items()):
        ln = pc.binary_length(arr).fill_null(0).to_numpy(zero_copy_only=False)
        blank &= ln == 0
        np.maximum(longest, ln, out=longest)
        if j < 4:   # a totals row says 合计/总计 in one of its first cells
            total |= np.asarray(pc.match_substring(arr, "计").fill_null(False), dtype=bool)
    # rows of only spaces are blank too (few candidates: every cell at most 4 bytes)
    for r in np.nonzero(~blank & (longest <= 4))[0]:
        if all(not (a[int(r)].as_py() or "").strip() for a in cols.values()):
            blank[r] = True
    cand = np.nonzero(total)[0]
    if len(cand):
        sure = np.zeros(len(cand), bool)
        for a in list(cols.values())[:4]:
            sub = a.take(pa.array(cand))
            sure |= np.asarray(pc.match_substring_regex(sub, r"^\s*(合|总|小)\s*计").fill_null(False), dtype=bool)
        total[:] = False
        total[cand[sure]] = True
    total &= ~blank
    keep = ~(blank | total)
    bad_rows, nb, nt = [], 0, 0
    for r, t in bad:
        cells = [c.strip() for c in (t or "").split(",")]
        if not any(cells):
            nb += 1
        elif any(c.startswith(TOTAL_WORDS) for c in cells[:4]):
            nt += 1
        else:
            bad_rows.append((r, t))
    if not keep.all():
        idx = np.nonzero(keep)[0]
        if len(idx) and idx[-1] - idx[0] + 1 == len(idx):   # dropped rows only at the ends: slice
            cols = {i: a.slice(int(idx[0]), len(idx)) for i, a in cols.items()}
        else:
            mask = pa.array(keep)
            cols = {i: a.filter(mask) for i, a in cols.items()}
        lines = lines[keep]
    return RawTable(hdr, cols, lines, enc, header_row, personal, int(blank.sum()) + nb,
                    int(total.sum()) + nt, bad_rows, list(broken))


def read_file(data: bytes, name: str) -> RawTable:
    if not data.strip():
        raise ImportError_("文件是空的 / the file is empty")
    return _read_xlsx(data) if _is_xlsx(data, name) else _read_csv(data)


# --- value cleaning --------------------------------------------------------------------------

_BAD = object()  # an unreadable value (distinct from a blank one) in the per-value parsers


_STR = pd.ArrowDtype(pa.string())
_BLANKS = pa.array(sorted(H.BLANK_MARKERS))


def _clean_values(a: pa.Array) -> pa.Array:
    if not pc.all(pc.string_is_ascii(a)).as_py():
        a = pc.utf8_normalize(a, "NFKC")
    a = pc.utf8_trim_whitespace(a)
    blank = pc.is_in(pc.utf8_upper(a), value_set=_BLANKS)
    return pc.if_else(blank, pa.scalar(None, pa.string()), a)


def clean_text(arr: pa.Array) -> pd.Series:
    """NFKC (full-width digits, letters and brackets), trimmed, blank markers (``-``, ``/``,
    ``（空）`` …) to null. Low-cardinality columns are cleaned once per distinct value."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    n = len(arr)
    # distinct values in a sample decide whether cleaning once per distinct value pays off
    if n > 2000 and len(pc.unique(arr.slice(0, 2000))) < 500:
        d = arr.dictionary_encode()
        if len(d.dictionary) * 4 < n:
            return pd.Series(pd.arrays.ArrowExtensionArray(pc.take(_clean_values(d.dictionary), d.indices)))
    return pd.Series(pd.arrays.ArrowExtensionArray(_clean_values(arr)))


def _const(value: str, n: int) -> pd.Series:
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.array([value], pa.string()).take(pa.array(np.zeros(n, np.int64)))))


class _Mapped:
    """``fn`` applied once per distinct non-null value of ``s``; ``bad`` marks rows whose value
    ``fn`` could not read (it returned ``_BAD``); null stays null."""

    def __init__(self, s: pd.Series, fn):
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        vals = [fn(u) for u in uniques] + [None]
        self.codes = np.where(codes < 0, len(vals) - 1, codes)
        self._bad = np.array([v is _BAD for v in vals], bool)
        self.vals = [None if v is _BAD else v for v in vals]

    @property
    def bad(self) -> np.ndarray:
        return self._bad[self.codes]

    def objects(self) -> np.ndarray:
        out = np.empty(len(self.vals), dtype=object)
        out[:] = self.vals
        return out[self.codes]

    def strings(self) -> pd.Series:
        return pd.Series(pd.arrays.ArrowExtensionArray(pa.array(self.vals, pa.string()).take(pa.array(self.codes))))


def _map_unique(s: pd.Series, fn) -> np.ndarray:
    """Objects: ``fn`` of each value (``_BAD`` kept), None for null."""
    m = _Mapped(s, fn)
    vals = np.empty(len(m.vals), dtype=object)
    vals[:] = [(_BAD if b else v) for v, b in zip(m.vals, m._bad)]
    return vals[m.codes]


def parse_bool(s: str):
    u = s.upper()
    if u in H.TRUE_WORDS:
        return True
    if u in H.FALSE_WORDS:
        return False
    return _BAD


_OUTCOME_LOOKUP = {unicodedata.normalize("NFKC", raw): canon for canon, raws in metrics.OUTCOMES.items()
                   for raw in raws}


def canonical_outcome(s: str | None):
    if s is None:
        return None
    n = unicodedata.normalize("NFKC", s).replace(" ", "")
    if n in _OUTCOME_LOOKUP:
        return _OUTCOME_LOOKUP[n]
    for raw, canon in sorted(_OUTCOME_LOOKUP.items(), key=lambda x: -len(x[0])):
        if raw in n and not (canon == "调解成功" and ("不成功" in n or "未达成" in n)):
            return canon
    return None


def district_code(s: str):
    n = s.replace(" ", "")
    if n in H.DISTRICT_LOOKUP:
        return H.DISTRICT_LOOKUP[n]
    for v, code in sorted(H.DISTRICT_LOOKUP.items(), key=lambda x: -len(x[0])):
        if len(v) >= 2 and v in n:
            return code
    return _BAD


# --- analysis ----------------------------------------------------------------------------------

class _Checker:
    """Collects the first reason a row fails."""

    def __init__(self, n: int):
        self.code = np.full(n, None, dtype=object)
        self.zh = np.full(n, None, dtype=object)
        self.en = np.full(n, None, dtype=object)

    def fail(self, mask: np.ndarray, code: str, values=None, column: str = "", line=None, limit="") -> None:
        mask = np.asarray(mask, bool) & (self.code == None)  # noqa: E711
        if not mask.any():
            return
        zh, en = REASONS[code]
        for i in np.nonzero(mask)[0]:
            v = "" if values is None else (values.iloc[i] if isinstance(values, pd.Series) else values[i])
            kw = {"column": column, "value": "" if v is None or v is pd.NA else v,
                  "line": "" if line is None else line[i], "limit": limit}
            self.code[i] = code
            self.zh[i] = zh.format(**kw)
            self.en[i] = en.format(**kw)

    @property
    def ok(self) -> np.ndarray:
        return self.code == None  # noqa: E711


def _squeeze_upper(s: pd.Series) -> pd.Series:
    """No whitespace, upper case (numbers and codes)."""
    a = pc.utf8_upper(pc.replace_substring_regex(_arrow(s), r"\s+", ""))
    return pd.Series(pd.arrays.ArrowExtensionArray(a))


def _col(tbl: RawTable, colmap: dict[str, int], fld: str, n: int) -> pd.Series:
    i = colmap.get(fld)
    if i is None:
        return pd.Series(pd.arrays.ArrowExtensionArray(pa.nulls(n, pa.string())))
    return clean_text(tbl.columns[i])


_DT_PAT = (r"^(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})"
           r"(?:[ T]*(?P<h>\d{1,2}):(?P<mi>\d{1,2})(?::(?P<s>\d{1,2})(?:\.\d+)?)?)?$")
_NAT = np.datetime64("NaT", "s")
_PARTS = (("y", "year", 2000), ("mo", "month", 1), ("d", "day", 1), ("h", "hour", 0), ("mi", "minute", 0),
          ("s", "second", 0))


def _arrow(s: pd.Series) -> pa.Array:
    """The Series' values as one Arrow string array (zero-copy for Arrow-backed Series)."""
    if isinstance(s.dtype, pd.ArrowDtype):
        a = pa.array(s.array)
        return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
    return pa.array(s.to_numpy(object), type=pa.string(), from_pandas=True)


def _extract_parts(t: pa.Array) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    ex = pc.extract_regex(t, _DT_PAT)
    matched = np.asarray(ex.is_valid(), dtype=bool)
    out = {}
    for g, name, default in _PARTS:
        f = pc.struct_field(ex, g)
        f = pc.if_else(pc.equal(f, ""), None, f)
        v = pc.cast(f, pa.int64()).fill_null(default).to_numpy(zero_copy_only=False)
        out[name] = np.where(matched, v, default).astype("int64")
    return matched, out


def parse_datetimes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Dates and times in every export form: ``2024/3/14 9:05``, ``2024-03-14``, ``2024.3.14``,
    ``2024年3月15日 9时5分``, ``20240314``, Excel serial day numbers (``45366.4``).
    Returns (datetime64[s] with NaT for blank or unreadable, mask of unreadable)."""
    arr = _arrow(s)
    n = len(arr)
    if n == 0:
        return np.zeros(0, "datetime64[s]"), np.zeros(0, bool)
    present = np.asarray(arr.is_valid(), dtype=bool)
    # the common forms in one pass; the rest (Chinese, compact, serial) on their few rows only
    matched, parts = _extract_parts(arr)
    rest = present & ~matched
    serial = np.zeros(n, bool)
    if rest.any():
        idx = np.nonzero(rest)[0]
        sub = arr.take(pa.array(idx))
        compact = np.asarray(pc.match_substring_regex(sub, r"^\d{8}$").fill_null(False), dtype=bool)
        serial[idx] = np.asarray(pc.match_substring_regex(sub, r"^\d+(\.\d+)?$").fill_null(False), dtype=bool) & ~compact
        t = pc.replace_substring_regex(sub, r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3")
        for x, y in (("年", "-"), ("月", "-"), ("日", " "), ("号", " "), ("时", ":"), ("点", ":"), ("分", ":"),
                     ("秒", "")):
            t = pc.replace_substring(t, x, y)
        t = pc.utf8_trim(t, ": ")
        t = pc.replace_substring_regex(t, r"\s+", " ")
        m2, p2 = _extract_parts(t)
        matched[idx] = m2
        for k in parts:
            parts[k][idx] = np.where(m2, p2[k], parts[k][idx])
    frame = pd.DataFrame(parts)
    ok = matched & (frame["hour"] < 24).to_numpy() & (frame["minute"] < 60).to_numpy() & (frame["second"] < 60).to_numpy()
    frame.loc[~ok, ["year", "month", "day", "hour", "minute", "second"]] = [2000, 1, 1, 0, 0, 0]
    ts = pd.to_datetime(frame, errors="coerce").to_numpy().astype("datetime64[s]")
    ts = np.where(ok, ts, _NAT)
    if serial.any():
        v = pc.cast(pc.if_else(pa.array(serial), arr, pa.scalar(None, pa.string())), pa.float64())
        v = v.to_numpy(zero_copy_only=False)
        good = serial & (v >= 1) & (v < 2958466)
        secs = np.round(np.where(good, v, 0) * 86400).astype("int64")
        st = np.datetime64("1899-12-30T00:00:00", "s") + secs.astype("timedelta64[s]")
        ts = np.where(good, st, ts)
    ts = ts.astype("datetime64[s]")
    bad = present & np.isnat(ts)
    return ts, bad


def parse_amounts(s: pd.Series, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Amounts like ``1,234.50元``, ``￥800``, ``0.12万`` (× 10,000), times ``scale``, rounded
    to cents. Returns (float64 with NaN for blank or unreadable, mask of unreadable)."""
    arr = _arrow(s)
    present = np.asarray(arr.is_valid(), dtype=bool)
    amb = ambiguous_separators(arr)
    t = arr
    for x in (",", " ", "元", "￥", "¥", "RMB", "人民币"):
        t = pc.replace_substring(t, x, "")
    wan = np.asarray(pc.ends_with(t, "万").fill_null(False), dtype=bool)
    t = pc.replace_substring_regex(t, "万$", "")
    num = np.asarray(pc.match_substring_regex(t, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$").fill_null(False), dtype=bool)
    v = pc.cast(pc.if_else(pa.array(num), t, pa.scalar(None, pa.string())), pa.float64()).to_numpy(zero_copy_only=False)
    v = np.where(num, v, np.nan).astype(float)
    bad = present & (~np.isfinite(v) | amb)
    v = np.where(bad, np.nan, v) * np.where(wan, 10000.0, 1.0) * scale
    # to cents, halves away from zero as on a receipt (12.345 -> 12.35 despite binary floats)
    return np.round(v + np.copysign(1e-9, v), 2), bad


def ambiguous_separators(a) -> np.ndarray:
    """Amounts whose commas are not thousands separators of a Chinese/English number
    (``1.234,50``, ``12,50``, ``1,2345``): whether the comma means thousands or decimals cannot
    be told, so the value is rejected rather than guessed."""
    a = _arrow(a) if isinstance(a, pd.Series) else a
    t = pc.replace_substring_regex(a, r"(\s|元|￥|¥|RMB|人民币)", "")
    comma = np.asarray(pc.match_substring(t, ",").fill_null(False), dtype=bool)
    if not comma.any():
        return comma
    grouped = np.asarray(pc.match_substring_regex(t, r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?万?$").fill_null(False), dtype=bool)
    return comma & ~grouped


# what the database's columns can hold (DECIMAL(14,2) for complaints, DECIMAL(12,2) for returns)
AMOUNT_LIMITS = {"complaints": 1e12, "returns": 1e10}
# the official calendar's coverage (analytics/workdays.py): dates outside it are rejected
CAL_FIRST, CAL_LAST = workdays.CAL_START, workdays.CAL_END


def _dates(col: pd.Series, chk: _Checker, label: str, today: dt.date, required_code: str | None = None):
    ts, bad = parse_datetimes(col)
    vals = col
    chk.fail(bad, "bad_date", vals, label)
    day = ts.astype("datetime64[D]")
    out = ~np.isnat(ts) & ((day < np.datetime64(CAL_FIRST)) | (day > np.datetime64(CAL_LAST)))
    chk.fail(out, "date_range", vals, label, limit=f"{CAL_FIRST.isoformat()} – {CAL_LAST.isoformat()}")
    ts = np.where(out, _NAT, ts)
    fut = ~np.isnat(ts) & (ts.astype("datetime64[D]") > np.datetime64(today))
    chk.fail(fut, "future_date", vals, label)
    if required_code:
        chk.fail(np.isnat(ts) & ~bad, required_code, None, label)
    return ts


def _amounts(s: pd.Series, chk: _Checker, label: str, scale: float, limit: float) -> np.ndarray:
    v, bad = parse_amounts(s, scale)
    chk.fail(ambiguous_separators(s), "ambiguous_amount", s, label)
    chk.fail(bad, "bad_amount", s, label)
    chk.fail(~np.isnan(v) & (v < 0), "negative", s, label)
    chk.fail(~np.isnan(v) & (np.abs(v) >= limit), "too_large", s, label, limit=f"{limit - 0.01:,.2f}")
    return np.where(np.abs(np.nan_to_num(v)) >= limit, np.nan, v)


def _before(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """b < a where both are present."""
    return ~np.isnat(a) & ~np.isnat(b) & (b < a)


def _day(ts: np.ndarray) -> np.ndarray:
    return ts.astype("datetime64[D]")


def _dup_keep_last(keys: pd.Series, chk: _Checker, lines: np.ndarray) -> None:
    """Reject earlier rows whose key appears again later in the file (among rows still OK)."""
    ok = chk.ok & keys.notna().to_numpy()
    if not ok.any():
        return
    k = keys[ok]
    dup = k.duplicated(keep="last").to_numpy()
    if not dup.any():
        return
    idx = np.nonzero(ok)[0]
    last_pos = pd.Series(idx, index=k.to_numpy()).groupby(level=0).last()
    later = lines[last_pos.reindex(k.to_numpy()).to_numpy()]
    mask = np.zeros(len(keys), bool)
    mask[idx[dup]] = True
    line_of = np.zeros(len(keys), dtype=object)
    line_of[idx] = later
    chk.fail(mask, "dup_in_file", None, "", line_of)


def _scale(tbl: RawTable, colmap, fld) -> float:
    i = colmap.get(fld)
    return 10000.0 if i is not None and H.is_ten_thousand(tbl.headers[i]) else 1.0


def _complaints(tbl: RawTable, colmap, chk: _Checker, file_name: str, today) -> pd.DataFrame:
    n = len(tbl.lines)
    c = {f: _col(tbl, colmap, f, n) for f in H.FIELDS["complaints"]}
    hd = lambda f: tbl.headers[colmap[f]] if f in colmap else H.FIELDS["complaints"][f][0]  # noqa: E731
    reg = _squeeze_upper(c["reg_no"])
    chk.fail(reg.isna().to_numpy(), "no_reg_no")
    sci = np.asarray(pc.match_substring_regex(_arrow(reg), r"^\d+(\.\d+)?E\+?\d+$").fill_null(False), dtype=bool)
    chk.fail(sci, "reg_no_sci", reg)
    recv = _dates(c["received_at"], chk, hd("received_at"), today, "no_received")
    closed = _dates(c["closed_at"], chk, hd("closed_at"), today)
    acc = _dates(c["accepted_date"], chk, hd("accepted_date"), today)
    rd, cd, ad = _day(recv), _day(closed), _day(acc)
    chk.fail(_before(rd, cd), "closed_before")
    chk.fail(_before(rd, ad), "accepted_before")
    disputed = _amounts(c["disputed_yuan"], chk, hd("disputed_yuan"), _scale(tbl, colmap, "disputed_yuan"),
                        AMOUNT_LIMITS["complaints"])
    recovered = _amounts(c["recovered_yuan"], chk, hd("recovered_yuan"), _scale(tbl, colmap, "recovered_yuan"),
                         AMOUNT_LIMITS["complaints"])
    dist = _Mapped(c["district_code"], district_code)
    chk.fail(dist.bad, "bad_district", c["district_code"])
    if "is_odr" in colmap:
        odr_m = _Mapped(c["is_odr"], parse_bool)
        chk.fail(odr_m.bad, "bad_bool", c["is_odr"])
        odr = odr_m.objects() == True  # noqa: E712 — None (blank) is not ODR
    else:
        odr = (c["channel"].fillna("").str.upper() == "ODR").to_numpy(bool)
    appeal = _Mapped(c["appeal_type"], lambda v: next((t for k, t in H.APPEAL_TYPES.items() if k in v), _BAD))
    chk.fail(appeal.bad, "bad_appeal", c["appeal_type"])
    appeal.vals = ["投诉" if v is None else v for v in appeal.vals]   # a complaints export: blank = 投诉
    outcome = _Mapped(c["outcome_raw"], canonical_outcome)
    acceptance = _Mapped(c["acceptance"], lambda v: H.ACCEPTANCE.get(v.replace(" ", "")))
    acc_s = acceptance.strings()
    out_s = outcome.strings()
    acc_s = acc_s.where(out_s.fillna("") != "不予受理", "不予受理")
    cat = c["category"]
    obj = c["object_class"].replace({"商品类": "商品", "服务类": "服务"})
    infer = obj.isna() & cat.notna()
    obj = obj.mask(infer & cat.isin(H.GOODS_CATEGORIES), "商品").mask(infer & cat.isin(H.SERVICE_CATEGORIES), "服务")
    credit = _squeeze_upper(c["credit_code"])
    _dup_keep_last(reg, chk, tbl.lines)
    return pd.DataFrame({
        "reg_no": reg,
        "appeal_type": appeal.strings(),
        "received_at": recv,
        "received_date": rd,
        "accepted_date": ad,
        "acceptance": acc_s,
        "closed_at": closed,
        "closed_date": cd,
        "channel": c["channel"],
        "is_odr": odr,
        "object_class": obj,
        "category": cat,
        "subcategory": c["subcategory"],
        "problem": c["problem"],
        "outcome": out_s,
        "outcome_raw": c["outcome_raw"],
        "district_code": dist.strings(),
        "township": c["township"],
        "merchant_id": pd.Series(pd.arrays.ArrowExtensionArray(pa.nulls(n, pa.string()))),
        "merchant_name": c["merchant_name"],
        "credit_code": credit,
        "disputed_yuan": disputed,
        "recovered_yuan": recovered,
        "source": _const(file_name, n),
    })


def _returns(tbl: RawTable, colmap, chk: _Checker, file_name: str, today) -> pd.DataFrame:
    n = len(tbl.lines)
    c = {f: _col(tbl, colmap, f, n) for f in H.FIELDS["returns"]}
    hd = lambda f: tbl.headers[colmap[f]] if f in colmap else H.FIELDS["returns"][f][0]  # noqa: E731
    chk.fail(c["store_name"].isna().to_numpy(), "no_name")
    ret = _dates(c["return_date"], chk, hd("return_date"), today, "no_return_date")
    pur = _dates(c["purchase_date"], chk, hd("purchase_date"), today)
    rdate, pdate = _day(ret), _day(pur)
    chk.fail(_before(pdate, rdate), "purchase_after")
    amount = _amounts(c["amount_yuan"], chk, hd("amount_yuan"), _scale(tbl, colmap, "amount_yuan"),
                      AMOUNT_LIMITS["returns"])
    chk.fail(np.isnan(amount), "no_amount")
    dist_m = _Mapped(c["district_code"], district_code)
    chk.fail(dist_m.bad, "bad_district", c["district_code"])
    dist = dist_m.objects()
    result = c["result"]
    done = result.fillna("").str.replace(" ", "").isin(metrics.RETURN_DONE_RESULTS).to_numpy(bool)
    credit = _squeeze_upper(c["credit_code"])
    no = c["return_no"].str.replace(r"\s+", "", regex=True)
    # a stable id: the export's own number, else a hash of the row's content (+ its occurrence)
    def day_text(a):
        return pd.Series(pd.to_datetime(a)).dt.strftime("%Y-%m-%d").fillna("").astype(object)
    amount_text = pd.Series([("" if v != v else f"{v:.2f}") for v in amount], dtype=object)
    content = (c["store_name"].fillna("").astype(object) + "|" + credit.fillna("").astype(object) + "|"
               + day_text(rdate) + "|" + amount_text + "|" + day_text(pdate) + "|"
               + c["goods_category"].fillna("").astype(object) + "|" + result.fillna("").astype(object))
    occ = content.groupby(content).cumcount().astype(str)
    hashed = [("RH" + hashlib.sha1((a + "#" + o).encode()).hexdigest()[:16]) for a, o in zip(content, occ)]
    rid = np.where(no.notna().to_numpy(), ("RI-" + no.fillna("")).to_numpy(object), np.array(hashed, dtype=object))
    _dup_keep_last(pd.Series(np.where(no.notna(), rid, None), dtype=object), chk, tbl.lines)
    return pd.DataFrame({
        "return_id": rid, "merchant_id": np.full(n, None, dtype=object),
        "store_name": c["store_name"].to_numpy(object), "credit_code": credit.to_numpy(object),
        "district_code": dist, "purchase_date": pdate, "return_date": rdate,
        "goods_category": c["goods_category"].to_numpy(object), "amount_yuan": amount,
        "result": result.to_numpy(object), "completed": done, "source": file_name,
    })


_REG_DATES = {"odr_register": ("odr_enrolled_date", "odr_withdrawn_date"),
              "commit_register": ("return_commit_date", "return_withdrawn_date"),
              "demo_register": ("named_date", "withdrawn_date")}


def _register(kind: str, tbl: RawTable, colmap, chk: _Checker, file_name: str, today) -> pd.DataFrame:
    n = len(tbl.lines)
    c = {f: _col(tbl, colmap, f, n) for f in H.FIELDS[kind]}
    hd = lambda f: tbl.headers[colmap[f]] if f in colmap else H.FIELDS[kind][f][0]  # noqa: E731
    start_f, end_f = _REG_DATES[kind]
    chk.fail(c["name"].isna().to_numpy(), "no_name")
    start = _dates(c[start_f], chk, hd(start_f), today, "no_date")
    end = _dates(c[end_f], chk, hd(end_f), today)
    sd, ed = _day(start), _day(end)
    chk.fail(_before(sd, ed), "withdrawn_before", None, hd(start_f))
    status = c["status"].fillna("")
    wd_status = status.isin(H.WITHDRAWN_STATUS).to_numpy(bool)
    chk.fail(wd_status & np.isnat(ed), "withdrawn_no_date", status.to_numpy())
    dist_m = _Mapped(c["district_code"], district_code)
    chk.fail(dist_m.bad, "bad_district", c["district_code"])
    dist = dist_m.objects()
    credit = _squeeze_upper(c["credit_code"])
    out = pd.DataFrame({"name": c["name"].to_numpy(object), "credit_code": credit.to_numpy(object),
                        "district_code": dist, start_f: sd, end_f: ed})
    if kind == "demo_register":
        def utype(v):
            for words, t in H.DEMO_TYPES:
                if any(w in v for w in words):
                    return t
            return _BAD
        ut = _map_unique(c["type_label"], utype)
        badt = np.array([u is _BAD or u is None for u in ut], bool)
        chk.fail(badt, "bad_type", c["type_label"].fillna("").to_numpy())
        out["unit_type"] = np.where(badt, None, ut)
        out["type_label"] = c["type_label"].to_numpy(object)
        key = out["name"].fillna("") + "|" + out["unit_type"].fillna("")
        _dup_keep_last(key.where(out["name"].notna()), chk, tbl.lines)
    else:
        out["township"] = c["township"].to_numpy(object)
        out["industry"] = c["industry"].to_numpy(object)
        if kind == "commit_register":
            def days(v):
                try:
                    d = float(v.replace("天", ""))
                except ValueError:
                    return _BAD
                return int(d) if d >= 7 and d.is_integer() else _BAD
            dd = _map_unique(c["return_commit_days"], days)
            badd2 = np.array([d is _BAD for d in dd], bool)
            chk.fail(badd2, "bad_days", c["return_commit_days"].fillna("").to_numpy())
            out["return_commit_days"] = [7 if (d is None or d is _BAD) else d for d in dd]
        key = out["credit_code"].where(out["credit_code"].notna(), "N|" + out["name"].fillna(""))
        _dup_keep_last(key.where(out["name"].notna()), chk, tbl.lines)
    return out


def analyse(data: bytes, file_name: str, kind: str | None = None, today: dt.date | None = None,
            preview_rows: int = 20, progress: "Progress | None" = None) -> FileReport:
    """Read and check one file; nothing is written. ``kind`` overrides detection.
    ``progress(fraction, stage)`` is called with stages "read" and "check"."""
    progress = progress or (lambda f, s: None)
    progress(0.0, "read")
    file_name = _base_name(file_name) or ""
    rep = FileReport(file_name=file_name, content_hash=hashlib.sha256(data).hexdigest())
    today = today or dt.date.today()
    if kind is not None and kind not in H.KINDS:
        rep.error = f"未知类型 {kind!r}（可选：{', '.join(H.KINDS)}） / unknown kind {kind!r}"
        return rep
    try:
        tbl = read_file(data, file_name)
    except ImportError_ as exc:
        rep.error = str(exc)
        return rep
    rep.encoding, rep.header_row, rep.personal = tbl.encoding, tbl.header_row, tbl.personal
    rep.blank_rows, rep.total_rows = tbl.blank_rows, tbl.total_rows
    hdr_kept = [h if i in tbl.columns else "" for i, h in enumerate(tbl.headers)]
    rep.headers = [h for h in hdr_kept if h]
    detected, closest = H.detect_kind(hdr_kept)
    rep.kind_detected = detected
    rep.kind = kind or detected
    if rep.kind is None:
        mapped, unknown, _ = H.map_headers(hdr_kept, closest)
        rep.mapping = {tbl.headers[i]: f for i, f in mapped.items()}
        rep.unknown = [tbl.headers[i] for i in unknown]
        miss = H.missing_required(hdr_kept, closest)
        rep.missing = [H.describe_field(closest, f) for f in miss]
        zh, en = H.KIND_LABELS[closest]
        rep.error = (f"无法识别文件内容：表头不完整，最接近“{zh}”，缺少必需列：{'、'.join(rep.missing)}。"
                     f" / Headers not recognised: closest kind is {closest} ({en}); missing required "
                     f"columns: {', '.join(rep.missing)}.")
        return rep
    mapped, unknown, personal = H.map_headers(hdr_kept, rep.kind)
    rep.mapping = {tbl.headers[i]: f for i, f in mapped.items()}
    rep.unknown = [tbl.headers[i] for i in unknown]
    miss = H.missing_required(hdr_kept, rep.kind)
    if miss:
        rep.missing = [H.describe_field(rep.kind, f) for f in miss]
        zh, en = H.KIND_LABELS[rep.kind]
        rep.error = (f"按“{zh}”读取时缺少必需列：{'、'.join(rep.missing)}。 / Read as {rep.kind}, the file "
                     f"lacks required columns: {', '.join(rep.missing)}.")
        return rep
    colmap = {f: i for i, f in mapped.items()}
    n = len(tbl.lines)
    chk = _Checker(n)
    progress(0.4, "check")
    if rep.kind == "complaints":
        clean = _complaints(tbl, colmap, chk, file_name, today)
    elif rep.kind == "returns":
        clean = _returns(tbl, colmap, chk, file_name, today)
    else:
        clean = _register(rep.kind, tbl, colmap, chk, file_name, today)
    ok = chk.ok
    # rejects: row, reason and the row's values under their original (non-personal) headers
    rej_idx = np.nonzero(~ok)[0]
    raw_cols = {tbl.headers[i]: tbl.columns[i].take(pa.array(rej_idx)).to_pylist() for i in mapped}
    rejects = pd.DataFrame({"line": tbl.lines[rej_idx], "code": chk.code[rej_idx],
                            "reason_zh": chk.zh[rej_idx], "reason_en": chk.en[rej_idx], **raw_cols})
    if tbl.bad_rows:
        zh, en = REASONS["columns"]
        extra = pd.DataFrame({"line": [r for r, _ in tbl.bad_rows], "code": "columns",
                              "reason_zh": [zh.format(value=f"{len(t.split(','))} / {len(tbl.headers)}")
                                            for _, t in tbl.bad_rows],
                              "reason_en": [en.format(value=f"{len(t.split(','))} / {len(tbl.headers)}")
                                            for _, t in tbl.bad_rows]})
        rejects = pd.concat([rejects, extra], ignore_index=True).sort_values("line", kind="stable")
    if tbl.broken:
        fmt = [(REASONS[c][0].format(value=v), REASONS[c][1].format(value=v)) for _, c, v in tbl.broken]
        extra = pd.DataFrame({"line": [r for r, _, _ in tbl.broken], "code": [c for _, c, _ in tbl.broken],
                              "reason_zh": [z for z, _ in fmt], "reason_en": [e for _, e in fmt]})
        rejects = pd.concat([rejects, extra], ignore_index=True).sort_values("line", kind="stable")
    rep.rejects = rejects.reset_index(drop=True)
    # every data row is accounted for: read = accepted (imported + updated) + rejected + skipped
    rep.rows_read = n + len(tbl.bad_rows) + len(tbl.broken) + tbl.blank_rows + tbl.total_rows
    rep.rejected = len(rejects)
    clean = clean[ok].reset_index(drop=True)
    clean.insert(0, "line", tbl.lines[ok])
    rep.accepted = len(clean)
    rep.clean = clean
    rep.preview = clean.head(preview_rows)
    for col in ("received_date", "return_date", "odr_enrolled_date", "return_commit_date", "named_date"):
        if col in clean and len(clean):
            lo, hi = _date_or_none(clean[col].min()), _date_or_none(clean[col].max())
            rep.date_range = (lo, hi) if lo else None
            break
    progress(1.0, "check")
    return rep


# --- writing ------------------------------------------------------------------------------

def _lock(path: Path):
    lock = Path(str(path) + ".import.lock")
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            return lock
        except FileExistsError:
            try:
                pid = int(lock.read_text().strip() or 0)
                os.kill(pid, 0)
            except (ValueError, ProcessLookupError):
                lock.unlink(missing_ok=True)  # stale: its process is gone
                continue
            except PermissionError:
                pass
            raise ImportLocked(f"另一个导入正在进行（{lock}） / another import is running ({lock})")
    raise ImportLocked(f"cannot take the import lock {lock}")


_NUMERIC = re.compile(r"^-?[\d,.]+\s*(元|万)?$")


def rejects_dir(target: Path) -> Path:
    return Path(target).resolve().parent / "rejects"


def _rejects_name(p: Path | None) -> str | None:
    """What is stored and shown: the rejects file's name (it lives in :func:`rejects_dir`),
    never a server path."""
    return p.name if p else None


def write_rejects(rep: FileReport, target: Path) -> Path | None:
    """The rejects of ``rep`` as a CSV (UTF-8 with BOM) under ``<db folder>/rejects/``."""
    if rep.rejects is None or not len(rep.rejects):
        return None
    d = rejects_dir(target)
    d.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.\-]+", "_", Path(rep.file_name).name)
    p = d / f"{stem}.{rep.content_hash[:8]}.rejects.csv"
    out = rep.rejects.drop(columns=["code"]).rename(columns={"line": "行号", "reason_zh": "原因", "reason_en": "reason"})
    for c in out.columns[3:]:  # a cell a spreadsheet would run as a formula gets a leading apostrophe
        out[c] = out[c].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(("=", "+", "@", "\t", "\r"))
                            or (isinstance(v, str) and v.startswith("-") and not _NUMERIC.match(v)) else v)
    tmp = p.with_name(p.name + ".tmp")
    out.to_csv(tmp, index=False, encoding="utf-8-sig")
    os.replace(tmp, p)
    return p


def _one(con, sql: str, params=None):
    """One value from ``con`` itself: staging temp tables and registered frames are local to
    the connection, so the cursor-per-query helpers of analytics/db.py cannot see them."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


_STAGING = {"staging_complaints", "staging_returns", "staging_register", "staging_demo"}


def _sync_staging(con, name: str, df: pd.DataFrame, types: dict[str, str]) -> None:
    if name not in _STAGING or not all(str(c).isidentifier() for c in df.columns):
        raise ValueError(f"not a staging table or column name: {name}")
    con.register("im_df", df)
    sel = ", ".join(f"CAST({c} AS {types.get(c, 'VARCHAR')}) AS {c}" for c in df.columns)
    stmt = "CREATE OR REPLACE TEMP TABLE " + name + " AS SELECT " + sel + " FROM im_df"
    con.execute(stmt)
    con.unregister("im_df")


_CTYPES = {"received_at": "TIMESTAMP", "received_date": "DATE", "accepted_date": "DATE", "closed_at": "TIMESTAMP",
           "closed_date": "DATE", "is_odr": "BOOLEAN", "disputed_yuan": "DECIMAL(14,2)",
           "recovered_yuan": "DECIMAL(14,2)"}


def _link_merchants(con, table: str, name_col: str) -> None:
    """Fill ``merchant_id`` of staging ``table`` from merchants: by credit code, else by name."""
    if (table, name_col) not in _LINK_SQL:
        raise ValueError(f"not a staging table or name column: {table}.{name_col}")
    by_code, by_name = _LINK_SQL[(table, name_col)]
    con.execute(by_code)
    con.execute(by_name)


_LINK_SQL = {
    (t, n): (
        "UPDATE " + t + """ s SET merchant_id = m.merchant_id
        FROM (SELECT credit_code, min(merchant_id) AS merchant_id FROM merchants
              WHERE credit_code IS NOT NULL GROUP BY 1) m
        WHERE s.credit_code IS NOT NULL AND s.credit_code = m.credit_code""",
        "UPDATE " + t + """ s SET merchant_id = m.merchant_id
        FROM (SELECT name, min(merchant_id) AS merchant_id FROM merchants GROUP BY 1) m
        WHERE s.merchant_id IS NULL AND s.""" + n + " = m.name")
    for t, n in (("staging_complaints", "merchant_name"), ("staging_returns", "store_name"),
                 ("staging_register", "name"), ("staging_demo", "name"))
}


def _write_complaints(con, df: pd.DataFrame) -> tuple[int, int]:
    cols = build.COMPLAINT_RAW_COLUMNS + ["source"]
    _sync_staging(con, "staging_complaints", df[cols], _CTYPES)
    _link_merchants(con, "staging_complaints", "merchant_name")
    upd = _one(con, "SELECT count(*) FROM complaints WHERE reg_no IN (SELECT reg_no FROM staging_complaints)",
                    )
    con.execute("DELETE FROM complaints WHERE reg_no IN (SELECT reg_no FROM staging_complaints)")
    build.insert_complaints(con, "staging_complaints")
    con.execute("DROP TABLE staging_complaints")
    return len(df) - upd, upd


def _write_returns(con, df: pd.DataFrame) -> tuple[int, int]:
    _sync_staging(con, "staging_returns", df, {"purchase_date": "DATE", "return_date": "DATE",
                                               "amount_yuan": "DECIMAL(12,2)", "completed": "BOOLEAN"})
    _link_merchants(con, "staging_returns", "store_name")
    con.execute("""UPDATE staging_returns s SET district_code = m.district_code FROM merchants m
                   WHERE s.district_code IS NULL AND s.merchant_id = m.merchant_id""")
    upd = _one(con, "SELECT count(*) FROM returns WHERE return_id IN (SELECT return_id FROM staging_returns)",
                    )
    con.execute("DELETE FROM returns WHERE return_id IN (SELECT return_id FROM staging_returns)")
    con.execute(_INSERT_RETURNS)
    con.execute("DROP TABLE staging_returns")
    return len(df) - upd, upd


_RETURN_COLS = ("return_id, merchant_id, store_name, credit_code, district_code, purchase_date, return_date, "
                "goods_category, amount_yuan, result, completed, source")
_INSERT_RETURNS = "INSERT INTO returns (" + _RETURN_COLS + ") SELECT " + _RETURN_COLS + " FROM staging_returns"


def _register_sql(kind: str) -> tuple[str, str]:
    """UPDATE of known merchants and INSERT of new ones from staging_register, for a register kind
    (column names come from _REG_DATES, i.e. from code)."""
    start_f, end_f = _REG_DATES[kind]
    sets = [start_f + " = s." + start_f, end_f + " = s." + end_f,
            "credit_code = coalesce(merchants.credit_code, s.credit_code)",
            "district_code = coalesce(s.district_code, merchants.district_code)",
            "township = coalesce(s.township, merchants.township)",
            "industry = coalesce(s.industry, merchants.industry)"]
    extra = ""
    if kind == "commit_register":
        sets.append("return_commit_days = s.return_commit_days")
        extra = ", return_commit_days"
    cols = "merchant_id, name, credit_code, district_code, township, industry, " + start_f + ", " + end_f + extra
    update = ("UPDATE merchants SET " + ", ".join(sets) + " FROM staging_register s "
              "WHERE merchants.merchant_id = s.merchant_id")
    insert = ("INSERT INTO merchants (" + cols + ") SELECT " + cols +
              " FROM staging_register WHERE merchant_id IN (SELECT mid FROM im_ids)")
    return update, insert


_REGISTER_SQL = {kind: _register_sql(kind) for kind in _REG_DATES}


def _new_ids(prefix: str, keys) -> list[str]:
    return [prefix + hashlib.sha1(str(k).encode()).hexdigest()[:12].upper() for k in keys]


def _write_merchants(con, kind: str, df: pd.DataFrame) -> tuple[int, int]:
    start_f, end_f = _REG_DATES[kind]
    df = df.copy()
    df["merchant_id"] = None
    types = {start_f: "DATE", end_f: "DATE", "return_commit_days": "INTEGER"}
    _sync_staging(con, "staging_register", df, types)
    _link_merchants(con, "staging_register", "name")
    upd = _one(con, "SELECT count(*) FROM staging_register WHERE merchant_id IS NOT NULL")
    update_sql, insert_sql = _REGISTER_SQL[kind]
    con.execute(update_sql)
    new = con.execute("SELECT rowid, coalesce(credit_code, name) FROM staging_register WHERE merchant_id IS NULL").fetchall()
    if new:
        ids = pd.DataFrame({"rid": [r[0] for r in new], "mid": _new_ids("IM", [r[1] for r in new])})
        con.register("im_ids", ids)
        try:
            con.execute("UPDATE staging_register s SET merchant_id = i.mid FROM im_ids i WHERE s.rowid = i.rid")
            con.execute(insert_sql)
        finally:
            con.unregister("im_ids")
    con.execute("DROP TABLE staging_register")
    return len(df) - upd, upd


def _write_demo(con, df: pd.DataFrame) -> tuple[int, int]:
    df = df.copy()
    df["merchant_id"] = None
    _sync_staging(con, "staging_demo", df, {"named_date": "DATE", "withdrawn_date": "DATE"})
    _link_merchants(con, "staging_demo", "name")
    con.execute("UPDATE staging_demo SET merchant_id = NULL WHERE unit_type = 'street'")
    con.execute("ALTER TABLE staging_demo ADD COLUMN unit_id VARCHAR")
    con.execute("""UPDATE staging_demo s SET unit_id = d.unit_id
        FROM (SELECT name, unit_type, min(unit_id) AS unit_id FROM demo_units GROUP BY 1, 2) d
        WHERE s.name = d.name AND s.unit_type = d.unit_type""")
    upd = _one(con, "SELECT count(*) FROM staging_demo WHERE unit_id IS NOT NULL")
    new = con.execute("SELECT rowid, name || '|' || unit_type FROM staging_demo WHERE unit_id IS NULL").fetchall()
    if new:
        ids = pd.DataFrame({"rid": [r[0] for r in new], "uid": _new_ids("DI", [r[1] for r in new])})
        con.register("im_ids", ids)
        con.execute("UPDATE staging_demo s SET unit_id = i.uid FROM im_ids i WHERE s.rowid = i.rid")
        con.unregister("im_ids")
    con.execute("""DELETE FROM demo_units d WHERE EXISTS (SELECT 1 FROM staging_demo s
                   WHERE s.name = d.name AND s.unit_type = d.unit_type)""")
    con.execute("""INSERT INTO demo_units (unit_id, name, unit_type, type_label, district_code, merchant_id,
                       named_date, withdrawn_date, source)
                   SELECT s.unit_id, s.name, s.unit_type, s.type_label,
                          coalesce(s.district_code, m.district_code), s.merchant_id, s.named_date,
                          s.withdrawn_date, ?
                   FROM staging_demo s LEFT JOIN merchants m ON m.merchant_id = s.merchant_id""",
                [df.attrs.get("source", "import")])
    con.execute("DROP TABLE staging_demo")
    return len(df) - upd, upd


def _write(con, rep: FileReport) -> tuple[int, int]:
    df = rep.clean.drop(columns=["line"])
    if rep.kind == "complaints":
        return _write_complaints(con, df)
    if rep.kind == "returns":
        return _write_returns(con, df)
    if rep.kind == "demo_register":
        df.attrs["source"] = rep.file_name
        return _write_demo(con, df)
    return _write_merchants(con, rep.kind, df)


def _date_or_none(x):
    return None if x is None or pd.isna(x) else pd.Timestamp(x).date()


def _latest_date(rep: FileReport):
    """(earliest received date, latest received/closed/return date) of the file's rows."""
    if rep.clean is None or not len(rep.clean):
        return None, None
    c = rep.clean
    if rep.kind == "complaints":
        lo = _date_or_none(c["received_date"].min())
        hi = [d for d in (_date_or_none(c["received_date"].max()), _date_or_none(c["closed_date"].max())) if d]
        return lo, max(hi) if hi else None
    if rep.kind == "returns":
        return None, _date_or_none(c["return_date"].max())
    return None, None


def _update_meta(con, reps: list[FileReport]) -> None:
    m = dict(con.execute("SELECT key, value FROM meta").fetchall())
    as_of = dt.date.fromisoformat(m["as_of"]) if m.get("as_of") else None
    first = dt.date.fromisoformat(m["data_from"]) if m.get("data_from") else None
    for r in reps:
        lo, hi = _latest_date(r)
        if hi is not None:
            as_of = hi if as_of is None else max(as_of, hi)
        if lo is not None:
            first = lo if first is None else min(first, lo)
    h = hashlib.sha256((m.get("data_version", "") + "".join(r.content_hash for r in reps)).encode()).hexdigest()
    sample_left = _one(con, """SELECT (SELECT count(*) FROM complaints WHERE source = 'sample')
        + (SELECT count(*) FROM returns WHERE source = 'sample')
        + (SELECT count(*) FROM demo_units WHERE source = 'sample')""")
    build.set_meta(con, as_of=as_of.isoformat() if as_of else None,
                   data_from=first.isoformat() if first else None,
                   data_version=f"imp-{h[:10]}", dataset="sample" if sample_left else "imported",
                   imported_at=dt.datetime.now().isoformat(timespec="seconds"))


def _already(con, rep: FileReport):
    return _one(con, "SELECT max(imported_at) FROM import_log WHERE content_hash = ? AND kind = ?",
                     [rep.content_hash, rep.kind])


def _log(con, rep: FileReport) -> None:
    nid = _one(con, "SELECT coalesce(max(import_id), 0) + 1 FROM import_log")
    con.execute("INSERT INTO import_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [nid, _base_name(rep.file_name), rep.content_hash, rep.kind, dt.datetime.now().replace(microsecond=0),
                 rep.rows_read, rep.imported, rep.updated, rep.rejected, _base_name(rep.rejects_file)])


def _base_name(name: str | None) -> str | None:
    """A file's name without any folder (``/`` or ``\\`` separated): import_log is public."""
    return None if name is None else re.split(r"[/\\]", str(name))[-1]


def existing_keys(con, rep: FileReport) -> int:
    """How many of ``rep``'s accepted rows would replace stored rows (for dry runs)."""
    if rep.clean is None or not len(rep.clean) or con is None:
        return 0
    key, table, col = {"complaints": ("reg_no", "complaints", "reg_no"),
                       "returns": ("return_id", "returns", "return_id")}.get(rep.kind, (None, None, None))
    if key is None:
        if rep.kind == "demo_register":
            keys = pd.DataFrame({"k": rep.clean["name"] + "|" + rep.clean["unit_type"]})
            con.register("im_keys", keys)
            try:
                return int(_one(con, "SELECT count(*) FROM im_keys WHERE k IN "
                                          "(SELECT name || '|' || unit_type FROM demo_units)"))
            finally:
                con.unregister("im_keys")
        keys = rep.clean[["name", "credit_code"]]
        con.register("im_keys", keys)
        try:
            return int(_one(con, """SELECT count(*) FROM im_keys k WHERE
                (k.credit_code IS NOT NULL AND k.credit_code IN (SELECT credit_code FROM merchants))
                OR k.name IN (SELECT name FROM merchants)"""))
        finally:
            con.unregister("im_keys")
    keys = pd.DataFrame({"k": rep.clean[key].astype(object)})
    con.register("im_keys", keys)
    try:
        return int(_one(con, f"SELECT count(*) FROM im_keys WHERE k IN (SELECT {col} FROM {table})"))
    finally:
        con.unregister("im_keys")


Progress = Callable[[float, str], None]


def check_against(con, reps: list[FileReport]) -> None:
    """Fill ``imported``/``updated``/``already`` of checked reports from the database ``con``
    (read-only is enough) without writing: what an import would do. Uses its own cursor, so
    the app's shared connection can be passed."""
    cur = con.cursor()
    try:
        for r in reps:
            if not r.ok:
                continue
            when = _already(cur, r)
            r.already = None if when is None else str(when)
            r.updated = existing_keys(cur, r)
            r.imported = r.accepted - r.updated
    finally:
        cur.close()


def import_reports(reps: list[FileReport], target: Path, *, progress: Progress | None = None) -> list[FileReport]:
    """Write checked files (``rep.ok``) into ``target`` atomically (see the module docstring).
    Reports of files already imported get ``already`` set and change nothing."""
    target = Path(target)
    progress = progress or (lambda f, s: None)
    # a file without accepted rows (header only, or every row rejected) changes nothing: no log
    # entry, no new data version; its rejects are still written for the user
    for r in reps:
        if r.ok and not r.already and r.clean is not None and not r.accepted and r.rejected:
            r.rejects_file = _rejects_name(write_rejects(r, target))
    todo = sorted([r for r in reps if r.ok and not r.already and r.clean is not None and r.accepted],
                  key=lambda r: H.KIND_ORDER[r.kind])
    if not todo:
        return reps
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock(target)
    tmp = target.with_name(target.name + f".importing-{os.getpid()}")
    tmp_wal = Path(str(tmp) + ".wal")
    try:
        # copies left by an import that was killed (we hold the lock: no import is running)
        for p in target.parent.glob(target.name + ".importing-*"):
            p.unlink(missing_ok=True)
        progress(0.05, "copy")
        if target.exists():
            shutil.copyfile(target, tmp)
            wal = Path(str(target) + ".wal")
            if wal.exists():
                shutil.copyfile(wal, tmp_wal)
            con = db.connect(tmp)
        else:
            con = build.new_database(tmp)
        written = []
        try:
            con.execute("BEGIN TRANSACTION")
            for j, rep in enumerate(todo):
                progress(0.1 + 0.75 * j / len(todo), "write")
                when = _already(con, rep)
                if when is not None:
                    rep.already = str(when)
                    rep.imported = rep.updated = 0
                    continue
                rep.imported, rep.updated = _write(con, rep)
                rep.rejects_file = _rejects_name(write_rejects(rep, target))
                _log(con, rep)
                written.append(rep)
            if written:
                build.strip_import_log_paths(con)   # rows written by older versions held paths
                _update_meta(con, written)
                progress(0.85, "write")
                build.refresh_aggregates(con)   # the pre-aggregated complaints, for the new version
            con.execute("COMMIT")
            progress(0.9, "checkpoint")
            if written:
                con.execute("CHECKPOINT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except Exception:  # noqa: BLE001
                pass
            for rep in written:
                rep.imported = rep.updated = 0
            raise
        finally:
            con.close()
        if written:
            os.replace(tmp, target)
            Path(str(target) + ".wal").unlink(missing_ok=True)
        progress(1.0, "done")
        return reps
    finally:
        for p in (tmp, tmp_wal):
            p.unlink(missing_ok=True)
        lock.unlink(missing_ok=True)


def import_log(con, limit: int = 50) -> pd.DataFrame:
    """Latest imports, newest first. Columns: import_id, file_name, kind, imported_at, rows_read,
    rows_imported, rows_updated, rows_rejected, rejects_file, content_hash (hex)."""
    return db.query(con, """SELECT import_id, file_name, kind, imported_at, rows_read, rows_imported,
        rows_updated, rows_rejected, rejects_file, content_hash
        FROM import_log ORDER BY import_id DESC LIMIT ?""", [int(limit)])


# --- command line -------------------------------------------------------------------------

def _print_report(rep: FileReport, out, dry: bool, target: Path) -> None:
    w = out.write
    if not rep.ok:
        w(f"{rep.file_name}: ERROR {rep.error}\n")
        return
    via = "" if rep.kind == rep.kind_detected else " (--kind)"
    fmt = f", {rep.encoding}, header on row {rep.header_row}" if rep.encoding else ""
    w(f"{rep.file_name}: {rep.kind}{via}{fmt}\n")
    skipped = f" ({rep.blank_rows} blank, {rep.total_rows} totals)" if rep.skipped else ""
    if rep.already:
        w(f"  already imported on {rep.already}: nothing changed\n")
        return
    w(f"  rows read {rep.rows_read:,} = imported {rep.imported:,} + updated {rep.updated:,} + "
      f"rejected {rep.rejected:,} + skipped {rep.skipped:,}{skipped}\n")
    if not rep.accepted:
        w("  nothing to import: no accepted rows, the database is not changed\n")
    if rep.unknown:
        w(f"  unknown columns (ignored): {', '.join(rep.unknown)}\n")
    if rep.personal:
        w(f"  personal data dropped (never stored): {', '.join(rep.personal)}\n")
    if rep.rejected:
        for r in rep.rejects.head(20).itertuples():
            w(f"    row {r.line}: {r.reason_zh} / {r.reason_en}\n")
        if rep.rejected > 20:
            w(f"    … {rep.rejected - 20:,} more\n")
        if not dry and rep.rejects_file:
            w(f"  rejects: {rejects_dir(target) / rep.rejects_file}\n")


def _known_hashes(target: Path) -> dict[str, tuple[str, object]]:
    """content hash -> (kind, imported_at) of the files imported into ``target``."""
    if not target.exists():
        return {}
    try:
        con = db.connect(target, read_only=True)
    except db.DatabaseUnavailable:
        return {}
    try:
        return {h: (k, w) for h, k, w in db.rows(con, """SELECT content_hash, kind, max(imported_at)
                FROM import_log GROUP BY 1, 2""")}
    except Exception:  # noqa: BLE001 — an old database without import_log: nothing known
        return {}
    finally:
        con.close()


def main(args) -> int:
    """``python -m analytics import FILE... [--kind K] [--db PATH] [--dry-run]``."""
    out = sys.stdout
    kind = getattr(args, "kind", None)
    if kind and kind not in H.KINDS:
        sys.stderr.write(f"error: unknown --kind {kind!r}; one of: {', '.join(H.KINDS)}\n")
        return 2
    target = db.db_path(getattr(args, "db", None))
    dry = bool(getattr(args, "dry_run", False))
    known = _known_hashes(target)
    reps = []
    for f in args.files:
        p = Path(f)
        try:
            data = p.read_bytes()
        except OSError as exc:
            rep = FileReport(file_name=p.name, content_hash="")
            rep.error = f"无法读取文件 / cannot read the file: {exc.strerror or exc}"
            reps.append(rep)
            continue
        h = hashlib.sha256(data).hexdigest()
        if h in known and (kind is None or kind == known[h][0]):
            # imported before: nothing to check or write
            reps.append(FileReport(file_name=p.name, content_hash=h, kind=known[h][0], kind_detected=known[h][0],
                                   already=str(known[h][1])))
            continue
        reps.append(analyse(data, p.name, kind))
    status = 0 if all(r.ok for r in reps) else 1
    if dry:
        con = None
        try:
            if target.exists():
                con = db.connect(target, read_only=True)
                check_against(con, reps)
            else:
                for r in reps:
                    r.imported = r.accepted
        except db.DatabaseUnavailable as exc:
            sys.stderr.write(f"warning: {exc}; counts of updated rows unknown\n")
        finally:
            if con is not None:
                con.close()
        out.write(f"dry run: nothing written to {target}\n")
    else:
        try:
            import_reports(reps, target)
        except ImportLocked as exc:
            sys.stderr.write(f"error: {exc}\n")
            return 1
        except Exception as exc:  # noqa: BLE001 — the database is untouched; say why
            sys.stderr.write(f"error: import failed, database unchanged: {type(exc).__name__}: {exc}\n")
            return 1
    for r in reps:
        _print_report(r, out, dry, target)
    if not dry and any(r.ok and not r.already for r in reps):
        out.write(f"database: {target}\n")
    return status
