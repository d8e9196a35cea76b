"""One formatting module for every number and date a reader sees: KPIs, tables, chart axes and
hovers, captions, file names and image footers.

Chinese (``lang="zh"``): counts and money in 万/亿 where they are large (``32.3万元``, ``1.2亿``),
dates as ``1月8日`` / ``2024年1月8日`` / ``2024年1月``, ISO weeks as ``第10周``, changes in
``个百分点``. English: thousands separators (``32,260``), ``Jan 8`` / ``Jan 8, 2024`` /
``Jan 2024``, ``Week 10``, ``pp``. Missing values print as an em dash, never "None" or "nan".

Plotly: :func:`localize_figure` (applied to every chart by ``ui.page.chart_block`` and to every
PNG) switches off Plotly's SI suffixes (``100k``, ``0.8M``), gives date axes localized tick and
hover formats, puts 万/亿 on large Chinese value axes and readable ticks on log axes.
Figure builders that know their grain set exact ticks with :func:`date_ticks` (days, weeks
aligned with the week bars, months) or :func:`week_category_ticks` (``2024-W10`` categories).
"""
from __future__ import annotations

import datetime as _dt
import math
import re

import numpy as np
import pandas as pd

DASH = "—"
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------- numbers

def num(x, nd: int = 0) -> str:
    """Exact number with thousands separators (both languages): ``12,345`` / ``96.4``."""
    if missing(x):
        return DASH
    v = float(x)
    if nd == 0:
        return f"{round(v):,}"
    return f"{v:,.{nd}f}"


def _trim(s: str) -> str:
    return s.rstrip("0").rstrip(".") if "." in s else s


def big(x, lang: str, nd: int = 1) -> str:
    """A count that may be large: zh ``3.2万`` / ``1.2亿`` (below 1万 exact ``8,500``);
    en ``32,260`` (``3.2 million`` from a million up)."""
    if missing(x):
        return DASH
    v = float(x)
    a = abs(v)
    if lang == "zh":
        if a >= 1e8:
            return f"{_trim(f'{v / 1e8:.{nd + 1}f}')}亿"
        if a >= 1e4:
            return f"{_trim(f'{v / 1e4:.{nd}f}')}万"
        return num(v, 0 if float(v).is_integer() else nd)
    if a >= 1e9:
        return f"{_trim(f'{v / 1e9:.{nd + 1}f}')} billion"
    if a >= 1e6:
        return f"{_trim(f'{v / 1e6:.{nd + 1}f}')} million"
    return num(v, 0 if float(v).is_integer() else nd)


def count(x, lang: str, unit: bool = False) -> str:
    """A count of things: exact with separators; ``unit`` adds 件 / nothing."""
    s = num(x)
    if unit and s != DASH and lang == "zh":
        return s + "件"
    return s


def yuan(x, lang: str, nd: int = 1) -> str:
    """Money in yuan: zh ``322.6万元`` / ``1.23亿元`` / ``8,500元``; en ``¥3,226,013`` (``¥3.23 million``
    from a million up)."""
    if missing(x):
        return DASH
    v = float(x)
    a = abs(v)
    if lang == "zh":
        if a >= 1e8:
            return f"{v / 1e8:,.{nd + 1}f}亿元"
        if a >= 1e4:
            return f"{v / 1e4:,.{nd}f}万元"
        return f"{v:,.0f}元" if v.is_integer() or a >= 100 else f"{v:,.2f}元"
    if a >= 1e6:
        return f"¥{v / 1e6:,.2f} million"
    return f"¥{v:,.0f}" if a >= 100 else f"¥{v:,.2f}"


def pct(x, nd: int = 1) -> str:
    """A proportion (0–1) as a percentage: ``96.5%``."""
    if missing(x):
        return DASH
    return f"{float(x) * 100:.{nd}f}%"


def pp(d, lang: str, nd: int = 1) -> str | None:
    """A change of a rate in percentage points (``d`` in points, e.g. -3.8): zh ``-3.8个百分点``,
    en ``-3.8 pp``; a change that rounds to nothing reads +0.0, never -0.0. None when missing."""
    if missing(d):
        return None
    v = round(float(d), nd) + 0.0
    return f"{v:+.{nd}f}个百分点" if lang == "zh" else f"{v:+.{nd}f} pp"


def days(x, lang: str, nd: int = 1) -> str:
    """A duration in days: ``3.2天`` / ``3.2 days`` (``1 day``)."""
    if missing(x):
        return DASH
    v = float(x)
    s = f"{v:,.{nd}f}"
    if lang == "zh":
        return s + "天"
    return s + (" day" if s in ("1", "1.0", "1.00") else " days")


# ---------------------------------------------------------------- dates

def to_date(d) -> _dt.date | None:
    """A date from a date, datetime, Timestamp, numpy datetime64 or ISO string; None if missing."""
    if missing(d):
        return None
    if isinstance(d, _dt.datetime):
        return d.date()
    if isinstance(d, _dt.date):
        return d
    if isinstance(d, str) and re.fullmatch(r"\d{4}-W\d{2}", d.strip()):
        y, w = d.strip().split("-W")
        return _dt.date.fromisocalendar(int(y), int(w), 1)
    return pd.Timestamp(d).date()


def date(d, lang: str, year: bool | None = True) -> str:
    """zh ``2024年1月8日`` (``1月8日`` with ``year=False``); en ``Jan 8, 2024`` / ``Jan 8``."""
    d = to_date(d)
    if d is None:
        return DASH
    if lang == "zh":
        return (f"{d.year}年" if year else "") + f"{d.month}月{d.day}日"
    return f"{_MONTHS[d.month - 1]} {d.day}" + (f", {d.year}" if year else "")


def short_date(d, lang: str) -> str:
    """``1月8日`` / ``Jan 8``."""
    return date(d, lang, year=False)


def month(d, lang: str, year: bool = True) -> str:
    """zh ``2024年1月`` (``1月``); en ``Jan 2024`` (``Jan``). Accepts ``2024-01`` strings."""
    if isinstance(d, str) and re.fullmatch(r"\d{4}-\d{2}", d.strip()):
        d = d.strip() + "-01"
    d = to_date(d)
    if d is None:
        return DASH
    if lang == "zh":
        return (f"{d.year}年" if year else "") + f"{d.month}月"
    return _MONTHS[d.month - 1] + (f" {d.year}" if year else "")


def quarter(d, lang: str, year: bool = True) -> str:
    """A calendar quarter (a date in it or ``2024-Q1``): zh ``2024年第1季度`` / ``第1季度``; en
    ``Q1 2024`` / ``Q1``."""
    if isinstance(d, str) and re.fullmatch(r"\d{4}-Q[1-4]", d.strip()):
        y, q = d.strip().split("-Q")
        d = _dt.date(int(y), 3 * int(q) - 2, 1)
    d = to_date(d)
    if d is None:
        return DASH
    q = (d.month - 1) // 3 + 1
    if lang == "zh":
        return (f"{d.year}年" if year else "") + f"第{q}季度"
    return f"Q{q}" + (f" {d.year}" if year else "")


def iso_week(d) -> tuple[int, int] | None:
    """(ISO year, ISO week) of a date or a ``2024-W10`` string."""
    d = to_date(d)
    if d is None:
        return None
    y, w, _ = d.isocalendar()
    return y, w


def week(d, lang: str, year: bool = True) -> str:
    """An ISO week (date in it or ``2024-W10``): zh ``2024年第10周`` / ``第10周``; en ``Week 10, 2024`` /
    ``Week 10``."""
    yw = iso_week(d)
    if yw is None:
        return DASH
    y, w = yw
    if lang == "zh":
        return (f"{y}年" if year else "") + f"第{w}周"
    return f"Week {w}" + (f", {y}" if year else "")


def week_span(d, lang: str) -> str:
    """An ISO week with its Monday–Sunday dates: ``2024年第10周（3月4日–3月10日）`` /
    ``Week 10, 2024 (Mar 4 – Mar 10)``."""
    start = to_date(d)
    if start is None:
        return DASH
    start = start - _dt.timedelta(days=start.weekday())
    end = start + _dt.timedelta(days=6)
    if lang == "zh":
        return f"{week(start, lang)}（{short_date(start, lang)}–{short_date(end, lang)}）"
    return f"{week(start, lang)} ({short_date(start, lang)} – {short_date(end, lang)})"


def date_range(a, b, lang: str) -> str:
    """A period: zh ``2024年1月1日–3月14日`` (year repeated only when it changes); en
    ``Jan 1 – Mar 14, 2024`` / ``Dec 1, 2023 – Mar 14, 2024``."""
    a, b = to_date(a), to_date(b)
    if a is None or b is None:
        return DASH
    if lang == "zh":
        if a == b:
            return date(a, lang)
        return f"{date(a, lang)}–{date(b, lang, year=a.year != b.year)}"
    if a == b:
        return date(a, lang)
    if a.year == b.year:
        return f"{date(a, lang, year=False)} – {date(b, lang)}"
    return f"{date(a, lang)} – {date(b, lang)}"


def timestamp(ts, lang: str) -> str:
    """A moment: zh ``2024年3月14日 09:30``; en ``Mar 14, 2024 09:30`` (local clock as stored)."""
    if missing(ts):
        return DASH
    t = pd.Timestamp(ts)
    return f"{date(t, lang)} {t:%H:%M}"


def grid_date_format(lang: str, time: bool = False, short: bool = False) -> str:
    """The Moment.js format of a date (``time``: date and time) column in ``st.column_config``
    (DateColumn / DatetimeColumn): the same text as :func:`date` / :func:`timestamp`, while the
    column keeps sorting as dates: zh ``YYYY年M月D日`` (``… HH:mm``); en ``MMM D, YYYY``;
    ``short`` (a phone): ``YY年M月D日`` / ``MMM D, YY``."""
    if short:
        base = "YY年M月D日" if lang == "zh" else "MMM D, YY"
    else:
        base = "YYYY年M月D日" if lang == "zh" else "MMM D, YYYY"
    return base + (" HH:mm" if time else "")


# ---------------------------------------------------------------- Plotly

def hover_date_format(lang: str, grain: str = "day") -> str:
    """d3 time format for hovers and ticks of a date axis."""
    if lang == "zh":
        return {"day": "%Y年%-m月%-d日", "week": "%Y年%-m月%-d日", "month": "%Y年%-m月", "year": "%Y年"}[grain]
    return {"day": "%b %-d, %Y", "week": "%b %-d, %Y", "month": "%b %Y", "year": "%Y"}[grain]


def _tickformatstops(lang: str) -> list[dict]:
    """Date tick formats by zoom level: days/weeks → 1月8日, months → 2024年1月, years → 2024年."""
    day = "%-m月%-d日" if lang == "zh" else "%b %-d"
    mon = "%Y年%-m月" if lang == "zh" else "%b %Y"
    yr = "%Y年" if lang == "zh" else "%Y"
    ms_day = 86_400_000
    return [
        dict(dtickrange=[None, ms_day], value="%H:%M" if lang != "zh" else "%-d日%H:%M"),
        dict(dtickrange=[ms_day, 28 * ms_day], value=day),
        dict(dtickrange=[28 * ms_day, "M12"], value=mon),
        dict(dtickrange=["M12", None], value=yr),
    ]


def _axis_names(fig) -> list[str]:
    lay = fig.layout.to_plotly_json()
    names = [k for k in lay if re.fullmatch(r"[xy]axis\d*", k)]
    for tr in fig.data:
        for attr in ("xaxis", "yaxis"):
            if attr not in tr:
                continue                  # pie, map, table: no cartesian axes
            ref = tr[attr] or attr[0]
            name = attr[0] + "axis" + ref[1:]
            if name not in names:
                names.append(name)
    return names


def _trace_values(fig, axis_name: str) -> list:
    """The values the traces put on an axis (stacked bars summed per category)."""
    letter = axis_name[0]
    ref = letter + axis_name[5:]
    vals: list = []
    stacks: dict = {}
    stacked = fig.layout.barmode in ("stack", "relative")
    for tr in fig.data:
        if tr.type not in ("bar", "scatter", "scattergl", "histogram", "box"):
            continue
        tref = (tr[f"{letter}axis"] if f"{letter}axis" in tr else None) or letter
        if tref != ref:
            continue
        arr = tr[letter] if letter in tr else None
        if arr is None:
            continue
        arr = list(arr)
        horizontal = tr.type == "bar" and tr.orientation == "h"
        value_axis = ("x" if horizontal else "y") == letter
        if tr.type == "bar" and stacked and value_axis:
            other = tr["y" if letter == "x" else "x"]
            if other is not None:
                for k, v in zip(list(other), arr):
                    try:
                        stacks[str(k)] = stacks.get(str(k), 0.0) + max(float(v), 0.0)
                    except (TypeError, ValueError):
                        pass
                continue
        vals.extend(arr)
    vals.extend(stacks.values())
    return vals


def _is_dateish(values: list) -> bool:
    sample = [v for v in values[:50] if not missing(v)]
    if not sample:
        return False
    for v in sample:
        if isinstance(v, (_dt.date, pd.Timestamp, np.datetime64)):
            continue
        if isinstance(v, str) and re.match(r"\d{4}-\d{2}-\d{2}", v):
            continue
        return False
    return True


def _numbers(values: list) -> list[float]:
    out = []
    for v in values:
        if isinstance(v, (bool, str)) or missing(v):
            continue
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            continue
    return out


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering [lo, hi] (1, 2, 2.5, 5 × 10^k steps)."""
    if not math.isfinite(lo) or not math.isfinite(hi):
        return []
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        hi = lo + 1
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while not ticks or ticks[-1] < hi - step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    return ticks


def tick_text(v: float, lang: str) -> str:
    """One value-axis tick: zh ``2万`` / ``1.5亿`` / ``8,000``; en ``20,000``."""
    if lang == "zh":
        return big(v, lang, nd=2)
    return num(v, 0 if float(v).is_integer() else 2)


def value_ticks(fig, axis: str, values, lang: str, n: int = 5, start_at_zero: bool = True) -> None:
    """Exact ticks for a value axis (``axis`` like ``"y"`` or ``"xaxis2"``) over ``values``:
    Chinese 万/亿 labels when large, thousands separators otherwise."""
    name = axis if axis.endswith(tuple("0123456789")) or "axis" in axis else axis + "axis"
    nums = _numbers(list(values))
    if not nums:
        return
    lo, hi = min(nums), max(nums)
    if start_at_zero:
        lo = min(lo, 0.0)
    ticks = nice_ticks(lo, hi, n)
    fig.layout[name].update(tickvals=ticks, ticktext=[tick_text(v, lang) for v in ticks])


def log_ticks(lo: float, hi: float, lang: str) -> tuple[list[float], list[str]]:
    """Ticks for a log axis between lo and hi (>0): powers of ten, with 2× and 5× steps when the
    range spans fewer than three decades; labelled like any value (``10万`` / ``100,000``)."""
    lo, hi = max(lo, 1e-12), max(hi, 1e-12)
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    mults = (1, 2, 5) if b - a < 3 else (1,)
    vals = [m * 10 ** e for e in range(a, b + 1) for m in mults if lo / 1.01 <= m * 10 ** e <= hi * 1.01]
    if len(vals) < 2:
        vals = [10 ** e for e in range(a, b + 1)]
    return vals, [tick_text(v, lang) for v in vals]


def localize_figure(fig, lang: str):
    """Make a finished figure read right in ``lang`` without changing what it shows: no SI
    suffixes, thousands separators, localized date ticks and hovers, 万/亿 on large Chinese value
    axes and readable log ticks. Axes with their own ``tickvals`` / ``tickformat`` are left alone.
    Returns the figure (changed in place)."""
    fig.update_layout(separators=".,")
    for name in _axis_names(fig):
        ax = fig.layout[name]
        if ax.tickvals is not None or ax.ticktext is not None:
            continue
        values = _trace_values(fig, name)
        if ax.type == "category" or ax.type == "multicategory":
            continue
        if ax.type == "date" or (ax.type in (None, "-") and _is_dateish(values)):
            upd = {}
            if ax.tickformat is None:
                upd["tickformatstops"] = _tickformatstops(lang)
            if ax.hoverformat is None:
                upd["hoverformat"] = hover_date_format(lang)
            ax.update(**upd)
            continue
        nums = _numbers(values)
        if ax.type == "log":
            pos = [v for v in nums if v > 0]
            if ax.range is not None:
                lo, hi = 10 ** ax.range[0], 10 ** ax.range[1]
            elif pos:
                lo, hi = min(pos), max(pos)
            else:
                continue
            tv, tt = log_ticks(lo, hi, lang)
            ax.update(tickvals=tv, ticktext=tt)
            continue
        if ax.tickformat is None:
            ax.update(exponentformat="none", separatethousands=True)
        if lang == "zh" and nums and max(abs(v) for v in nums) >= 1e4 and ax.range is None \
                and ax.dtick is None and not (ax.tickformat or "").endswith("%"):
            lo, hi = min(nums), max(nums)
            if ax.rangemode in (None, "tozero") or ax.rangemode == "normal" and lo >= 0:
                lo = min(lo, 0.0)
            ticks = nice_ticks(lo, hi)
            ax.update(tickvals=ticks, ticktext=[tick_text(v, lang) for v in ticks])
    return fig


def date_ticks(fig, axis: str, dates, lang: str, grain: str = "day", max_ticks: int = 8,
               year_on_first: bool = True) -> None:
    """Exact ticks for a date axis at the given dates (e.g. the week starts the bars stand on, so
    ticks align with the bars): ``grain`` "day" → 1月8日 / Jan 8, "week" → 第10周 / Week 10,
    "month" → 2024年1月 / Jan 2024, "quarter" → 2024年第1季度 / Q1 2024. At most ``max_ticks`` labels, evenly thinned; the year is
    added to the first label and wherever it changes."""
    name = axis if "axis" in axis else axis + "axis"
    ds = sorted({d for d in (to_date(x) for x in dates) if d is not None})
    if not ds:
        return
    step = max(1, math.ceil(len(ds) / max_ticks))
    picked = ds[::step]
    text, last_year = [], None
    for d in picked:
        y = d.isocalendar()[0] if grain == "week" else d.year
        show_year = (year_on_first and last_year is None) or (last_year is not None and y != last_year)
        last_year = y
        if grain == "week":
            label = week(d, lang, year=show_year)
        elif grain == "month":
            label = month(d, lang, year=show_year or lang == "en")
        elif grain == "quarter":
            label = quarter(d, lang, year=True)
        else:
            label = date(d, lang, year=show_year)
        text.append(label)
    fig.layout[name].update(tickvals=[pd.Timestamp(d) for d in picked], ticktext=text,
                            hoverformat=hover_date_format(lang, "month" if grain == "quarter" else grain))


def week_category_ticks(fig, axis: str, weeks, lang: str, max_ticks: int = 10) -> None:
    """Ticks for a category axis of ISO weeks (``2024-W10`` strings): 第10周 / Week 10, year on the
    first label and where it changes; every k-th week labelled when there are many."""
    name = axis if "axis" in axis else axis + "axis"
    ws = [str(w) for w in weeks]
    if not ws:
        return
    step = max(1, math.ceil(len(ws) / max_ticks))
    vals, text, last_year = [], [], None
    for w in ws[::step]:
        yw = iso_week(w) if re.fullmatch(r"\d{4}-W\d{2}", w) else None
        if yw is None:
            vals.append(w)
            text.append(w)
            continue
        show_year = last_year is None or yw[0] != last_year
        last_year = yw[0]
        vals.append(w)
        text.append(week(w, lang, year=show_year))
    fig.layout[name].update(tickvals=vals, ticktext=text)


def week_label(w, lang: str, year: bool = True) -> str:
    """A ``2024-W10`` string (or a date) as 2024年第10周 / Week 10, 2024 — for hovers and tables."""
    return week(w, lang, year=year)
