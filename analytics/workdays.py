"""Official working-day calendar (法定节假日与调休).

The package ``chinesecalendar`` knows the State Council's calendar from 2004 up to its release
year and raises for later years. ``data/holidays_extra.csv`` may add or override dates (for a
newly published year). Dates of a year that neither knows are treated as plain weekdays and
marked ``known = False`` so that the app can say so instead of guessing silently.

Definitions (METRICS.md):
- *N working days after D*: the N-th official working day after D (D itself not counted).
- *working days in (a, b]*: number of official working days after a up to and including b.

Both are computed with ``wd_idx(d)``: the number of working days on or before d since the
start of the calendar table.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import chinese_calendar

CAL_START = dt.date(2000, 1, 1)
CAL_END = dt.date(2035, 12, 31)
EXTRA_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays_extra.csv"


@dataclass(frozen=True)
class Day:
    d: dt.date
    is_workday: bool
    known: bool
    holiday: str | None


def load_extra(path: Path | None = None) -> dict[dt.date, tuple[bool, str | None]]:
    """Read the extension file: date -> (is_workday, name). Comment lines start with '#'."""
    path = path or EXTRA_FILE
    out: dict[dt.date, tuple[bool, str | None]] = {}
    if not path.exists():
        return out
    with path.open(encoding="utf-8-sig") as f:
        lines = [ln for ln in f if ln.strip() and not ln.lstrip().startswith("#")]
    for lineno, row in enumerate(csv.DictReader(lines), start=2):
        try:
            d = dt.date.fromisoformat(row["date"].strip())
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{path}: line {lineno}: unreadable date {row.get('date')!r}") from exc
        kind = (row.get("kind") or "").strip()
        if kind not in ("holiday", "workday"):
            raise ValueError(f"{path}: line {lineno}: kind must be holiday or workday, not {kind!r}")
        out[d] = (kind == "workday", (row.get("name") or "").strip() or None)
    return out


def package_years() -> tuple[int, int]:
    """First and last year the installed chinesecalendar knows."""
    years = sorted({d.year for d in chinese_calendar.constants.holidays})
    return years[0], years[-1]


@lru_cache(maxsize=4)
def _days(start: dt.date, end: dt.date, extra_key: str) -> tuple[Day, ...]:
    extra = load_extra(Path(extra_key)) if extra_key else {}
    extra_years = {d.year for d in extra}
    first, last = package_years()
    days = []
    d = start
    one = dt.timedelta(days=1)
    while d <= end:
        if d in extra:
            wd, name = extra[d]
            days.append(Day(d, wd, True, name))
        elif first <= d.year <= last:
            on_holiday, name = chinese_calendar.get_holiday_detail(d)
            wd = not on_holiday
            days.append(Day(d, wd, True, None if wd or name is None else str(name)))
        else:
            days.append(Day(d, d.weekday() < 5, d.year in extra_years, None))
        d += one
    return tuple(days)


def calendar_days(start: dt.date = CAL_START, end: dt.date = CAL_END,
                  extra_path: Path | None = None) -> tuple[Day, ...]:
    path = extra_path or EXTRA_FILE
    return _days(start, end, str(path) if path.exists() else "")


def calendar_rows(start: dt.date = CAL_START, end: dt.date = CAL_END,
                  extra_path: Path | None = None) -> list[tuple]:
    """Rows for the ``calendar`` table: (d, is_workday, wd_idx, known, holiday)."""
    rows, idx = [], 0
    for day in calendar_days(start, end, extra_path):
        if day.is_workday:
            idx += 1
        rows.append((day.d, day.is_workday, idx, day.known, day.holiday))
    return rows


def is_workday(d: dt.date) -> bool:
    return _lookup()[d][0]


@lru_cache(maxsize=1)
def _lookup() -> dict[dt.date, tuple[bool, int]]:
    return {r[0]: (r[1], r[2]) for r in calendar_rows()}


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Official working days in (a, b]; negative if b < a."""
    lk = _lookup()
    return lk[b][1] - lk[a][1]


def add_working_days(d: dt.date, n: int) -> dt.date:
    """The n-th official working day after d (d itself not counted), n >= 1."""
    if n < 1:
        raise ValueError("n must be at least 1")
    one = dt.timedelta(days=1)
    x, count = d, 0
    while count < n:
        x += one
        if is_workday(x):
            count += 1
    return x


def unknown_years(start: dt.date, end: dt.date) -> list[int]:
    """Years in [start, end] for which no official calendar is known (weekdays assumed)."""
    extra_years = {d.year for d in load_extra()}
    first, last = package_years()
    return [y for y in range(start.year, end.year + 1)
            if not (first <= y <= last) and y not in extra_years]
