"""Filters and controls bound to URL query parameters, so every view is a shareable link.

Global URL parameters (sidebar, every page): ``period`` (13w, 4w, ytd, custom), ``from`` / ``to``
(ISO dates, custom period only), ``district`` (comma-separated codes), ``route`` (odr,
traditional), ``lang`` (en). Pages add their own with :func:`url_widget`. A value equal to its
default is left out of the URL, so the default view has a clean address.

Why not ``bind="query-params"``: Streamlit writes a bound widget's *formatted* label into the
URL (``?period=最近 4 周``), which changes with the language, and st.navigation clears the URL on
every page switch. Here the URL always holds stable codes; a value present in the URL is applied
when it differs from what the app last wrote (a fresh link), the filters live in session state
across page switches, and app.py writes the URL at the end of every run.
"""
from __future__ import annotations

import datetime as dt
import os
from typing import Any, Callable

import streamlit as st

from analytics import queries
from analytics.filters import Filters

from . import data, fmt
from .i18n import t

PERIODS = ("13w", "4w", "ytd", "custom")
ROUTES = ("all", "odr", "traditional")
_WRITTEN = "_qp_written"     # the query parameters the app wrote last
_RUN = "_qp_run"             # the parameters of this run (name -> serialised value or None)


def monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def preset_range(preset: str, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """Period of a preset, ending at the latest data (the as-of date).

    13w / 4w: whole ISO weeks, the last of which contains the as-of date (it may be partial);
    ytd: 1 January of the as-of year to the as-of date."""
    if preset == "4w":
        return monday(as_of) - dt.timedelta(weeks=3), as_of
    if preset == "ytd":
        return dt.date(as_of.year, 1, 1), as_of
    return monday(as_of) - dt.timedelta(weeks=12), as_of


# --- serialisers ------------------------------------------------------------------------------
# A serialiser is (parse, dump). ``parse`` raises ValueError/KeyError/TypeError on a value it cannot
# read; the parse functions below carry ``kind`` (and ``options``) so that the declared parameters
# can be listed (:data:`DECLARED`, used by tests/test_url_values.py to fuzz every parameter).

def _kinded(fn, kind: str, options=None):
    fn.kind, fn.options = kind, (list(options) if options is not None else None)
    return fn


def choice(options) -> tuple[Callable[[str], Any], Callable[[Any], str]]:
    opts = [str(o) for o in options]
    lookup = dict(zip(opts, options))

    def parse(s: str):
        if s not in lookup:
            raise ValueError(s)
        return lookup[s]
    return _kinded(parse, "choice", opts), str


def multi(options) -> tuple[Callable[[str], Any], Callable[[Any], str]]:
    allowed = {str(o): o for o in options}

    def parse(s: str):
        return [allowed[x] for x in dict.fromkeys(s.split(",")) if x in allowed]

    def dump(v) -> str:
        return ",".join(str(x) for x in v)
    return _kinded(parse, "multi", allowed), dump


def _parse_int(s: str) -> int:
    s = s.strip()
    if len(s) > 30:                      # no quadratic int() on a huge digit string
        raise ValueError("too long")
    return int(s)


def _parse_bool(s: str) -> bool:
    return {"1": True, "true": True, "0": False, "false": False}[s.lower()]


def _parse_date(s: str) -> dt.date:
    return dt.date.fromisoformat(s.strip())


DATE = (_kinded(_parse_date, "date"), lambda d: d.isoformat())
INT = (_kinded(_parse_int, "int"), str)
BOOL = (_kinded(_parse_bool, "bool"), lambda b: "1" if b else "0")
DATE_BOUNDS = (dt.date(2000, 1, 1), dt.date(2035, 12, 31))   # dates without declared bounds
MAX_TEXT = 4000                                              # longest free-text URL value kept

_BAD = "_qp_bad"             # URL parameters of this run that were not valid (name -> raw value)
DECLARED: dict[str, dict] = {}   # every URL parameter seen in this process: name -> description


def begin_run() -> None:
    st.session_state[_RUN] = {}
    st.session_state[_BAD] = {}


def _declare(name: str, default, parse, lo=None, hi=None) -> None:
    kind = getattr(parse, "kind", "text")
    DECLARED[name] = {"kind": kind, "options": getattr(parse, "options", None), "default": default,
                      "min": lo, "max": hi}
    st.session_state.setdefault("_qp_declared", {})[name] = DECLARED[name]


def _bad(name: str, raw: str) -> None:
    """Note a URL value that was not used as given: one notice per parameter and run (shown at
    once, so that a page which stops early still shows it)."""
    bad = st.session_state.setdefault(_BAD, {})
    if name not in bad:
        st.toast(t("url.invalid", names=name), icon=":material/link_off:", duration="long")
    bad[name] = raw


def _clamp(value, lo, hi, step=None):
    """``value`` within [lo, hi] (a scalar or a (start, end) pair), on the step grid from lo."""
    if isinstance(value, (tuple, list)) and not isinstance(value, str):
        return type(value)(_clamp(v, lo, hi, step) for v in value)
    if value is None or isinstance(value, bool):
        return value
    if lo is not None and value < lo:
        value = lo
    if hi is not None and value > hi:
        value = hi
    if step and isinstance(value, (int, float)) and not isinstance(step, bool) and lo is not None:
        value = lo + round((value - lo) / step) * step
        value = type(lo)(min(value, hi) if hi is not None else value)
    return value


def url_value(name: str, default, parse: Callable[[str], Any], dump: Callable[[Any], str], *,
              lo=None, hi=None, step=None):
    """The persistent value of URL parameter ``name`` (session state key ``qp:name``).

    A value in the URL that the app did not write (a fresh link) is parsed and, with bounds
    ``lo``/``hi``, clamped. Anything that cannot be read falls back to ``default``; a value that is
    dropped, clamped, shortened or repeated is noted with one notice naming the parameter."""
    skey = f"qp:{name}"
    kind = getattr(parse, "kind", "text")
    if kind == "date" and lo is None and hi is None:
        lo, hi = DATE_BOUNDS
    _declare(name, default, parse, lo, hi)
    written = st.session_state.get(_WRITTEN, {})
    raw = st.query_params.get(name)
    if raw is not None and raw != written.get(name):
        ok = len(st.query_params.get_all(name)) == 1
        try:
            value = parse(raw[:MAX_TEXT] if kind == "text" else raw)
        except (ValueError, KeyError, TypeError, OverflowError):
            value, ok = default, False
        else:
            clamped = _clamp(value, lo, hi, step)
            if clamped != value or (kind != "bool" and dump(clamped) != raw):
                ok = False
            value = clamped
        if not ok:
            _bad(name, raw)
        st.session_state[skey] = value
    elif skey not in st.session_state:
        st.session_state[skey] = default
    return st.session_state[skey]


def from_link(name: str) -> bool:
    """Whether URL parameter ``name`` is applied in this run from a link just opened (it differs
    from what the app last wrote), rather than kept from this session's own choices."""
    raw = st.query_params.get(name)
    return raw is not None and raw != st.session_state.get(_WRITTEN, {}).get(name)


def record(name: str, value, default, dump) -> None:
    st.session_state.setdefault(_RUN, {})[name] = None if value == default else dump(value)


def url_tabs(name: str, keys, default: str, labels) -> dict:
    """Tabs whose content is built only when chosen (``st.tabs(on_change=…)``: each tab's ``.open``
    says whether to build it), the choice kept in the URL as ``name`` (stable codes, not the
    translated ``labels``), so a link opens that tab with its content. Returns {key: tab} plus the
    open tab's key under ``"open"``."""
    keys = list(keys)
    labels = list(labels)
    value = url_value(name, default, *choice(keys))
    if value not in keys:
        value = default
    wkey = f"w:{name}"
    st.session_state[wkey] = labels[keys.index(value)]

    def _changed():
        chosen = st.session_state.get(wkey)
        if chosen in labels:
            st.session_state[f"qp:{name}"] = keys[labels.index(chosen)]
    tabs = st.tabs(labels, key=wkey, on_change=_changed)
    opened = next((k for k, tb in zip(keys, tabs) if tb.open), value)
    record(name, opened, default, str)
    return {**dict(zip(keys, tabs)), "open": opened}


def url_section(name: str, label: str, *, icon: str | None = None):
    """A section the reader opens: an expander whose content is built only when it is open
    (``st.expander(on_change=…)``; build it under ``if section.open:``), closed by default, its
    state kept in the URL as ``name=1`` so that a link opens it with its content. Returns the
    expander (a container: ``with section:``)."""
    opened = bool(url_value(name, False, *BOOL))
    wkey = f"w:{name}"
    st.session_state[wkey] = opened

    def _changed():
        st.session_state[f"qp:{name}"] = bool(st.session_state.get(wkey))
    section = st.expander(label, key=wkey, on_change=_changed, icon=icon)
    record(name, bool(section.open), False, BOOL[1])
    return section


def url_widget(widget: Callable, name: str, default, *, parse=None, dump=None, options=None, **kwargs):
    """Draw ``widget`` (an st.* input) whose value is kept in the URL as ``name``.

    ``options`` (for choice widgets) is passed on and, without ``parse``/``dump``, also defines the
    serialisation. The widget's ``min_value``/``max_value``/``step`` bound the URL value (clamped,
    with a notice). Other keyword arguments go to the widget. Returns the widget's value."""
    if parse is None:
        if widget is st.multiselect:
            parse, dump = multi(options)
        elif options is not None:
            parse, dump = choice(options)
        else:
            raise ValueError("parse and dump are needed without options")
    skey, wkey = f"qp:{name}", f"w:{name}"
    lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
    value = url_value(name, default, parse, dump, lo=lo, hi=hi, step=kwargs.get("step"))
    if options is not None and widget is not st.multiselect and value is not None:
        if isinstance(value, list):
            value = [v for v in value if v in options]
        elif value not in options:          # options changed since the value was set
            value = default
    st.session_state[wkey] = value

    def _changed():
        st.session_state[skey] = st.session_state[wkey]
    if widget is st.multiselect:
        # Streamlit's bulk "Select all" option is English in every language (and an empty choice
        # already means all): left out of every multiselect
        kwargs.setdefault("select_all", False)
    args = ([options] if options is not None else [])
    out = widget(kwargs.pop("label"), *args, key=wkey, on_change=_changed, **kwargs)
    if out is None and default is not None and widget not in (st.multiselect,):
        out = default
    record(name, out, default, dump)
    return out


def write_url() -> None:
    """Write this run's parameters to the URL (called by app.py at the end of every run)."""
    run = {k: v for k, v in st.session_state.get(_RUN, {}).items() if v is not None}
    if dict(st.query_params) != run:
        st.query_params.from_dict(run)
    st.session_state[_WRITTEN] = run


# --- the global controls ------------------------------------------------------------------------

def language_selector() -> str:
    lang = url_widget(st.segmented_control, "lang", "zh", options=["zh", "en"],
                      label=t("filter.lang", lang=url_value("lang", "zh", *choice(["zh", "en"]))),
                      format_func=lambda v: {"zh": "中文", "en": "English"}[v], required=True)
    st.session_state["lang"] = lang
    return lang


def sidebar_filters() -> Filters | None:
    """Draw the global filters; return the Filters, or None when there is no data."""
    first, as_of = data.coverage()
    if as_of is None:
        return None
    districts = data.call(queries.districts)
    lang = st.session_state.get("lang") or "zh"
    name_col = "name_en" if lang == "en" else "name"
    names = dict(zip(districts["code"], districts[name_col]))
    codes = list(districts["code"])

    with st.sidebar:
        st.header(t("filter.header"), anchor=False)
        # pills rather than a drop-down and a multiselect: a handful of choices read at a glance, and
        # a new visitor's browser does not load the drop-down's scripts (0.2–0.3 s) for the frame
        preset = url_widget(st.pills, "period", "13w", options=list(PERIODS), label=t("filter.period"),
                            format_func=lambda p: t(f"filter.period.{p}", lang=lang), required=True)
        d_from, d_to = preset_range(preset, as_of)
        if preset == "custom":
            # one date per row: two side by side were cut ("2023 / 12 / 1") in a normal sidebar
            d_from = url_widget(st.date_input, "from", d_from, parse=DATE[0], dump=DATE[1],
                                label=t("filter.from"), min_value=dt.date(2000, 1, 1),
                                max_value=dt.date(2035, 12, 31))
            d_to = url_widget(st.date_input, "to", d_to, parse=DATE[0], dump=DATE[1],
                              label=t("filter.to"), min_value=dt.date(2000, 1, 1),
                              max_value=dt.date(2035, 12, 31))
            if d_from > d_to:
                d_from, d_to = d_to, d_from
                st.warning(t("filter.inverted", period=fmt.date_range(d_from, d_to, lang)))
        else:
            st.caption(fmt.date_range(d_from, d_to, lang))
        pill_names = dict(zip(districts["code"], districts["name_en" if lang == "en" else "short_name"]))
        parse, dump = multi(codes)
        chosen = url_widget(st.pills, "district", [], parse=parse, dump=dump, options=codes,
                            selection_mode="multi", label=t("filter.district"), help=t("filter.district.help"),
                            format_func=lambda c: pill_names.get(c) or names.get(c, c))
        st.session_state["_district_names"] = names
        route = url_widget(st.segmented_control, "route", "all", options=list(ROUTES), label=t("filter.route"),
                           format_func=lambda r: t(f"filter.route.{r}", lang=lang), required=True)
    return Filters(d_from, d_to, districts=tuple(sorted(chosen or ())), route=route or "all")


def chart_mode_toggle() -> bool:
    """The sidebar's "interactive charts" switch (URL ``charts=1``). Off, charts are SVG images
    (ui/figcache: fast for a new visitor, no Plotly script to load); on, Plotly charts with hover.
    ``ODR_CHARTS=interactive`` makes interactive the default (the chart-content tests use it)."""
    default = os.environ.get("ODR_CHARTS", "static").lower() == "interactive"
    with st.sidebar:
        on = url_widget(st.toggle, "charts", default, parse=BOOL[0], dump=BOOL[1],
                        label=t("charts.interactive"), help=t("charts.interactive.help"))
    st.session_state["_interactive_charts"] = bool(on)
    return bool(on)


def filter_summary(f: Filters, lang: str, names: dict | None = None) -> str:
    """The period and the active filters in one line for the main pane (the sidebar is hidden on a
    phone): ``统计期间：2023年12月18日–2024年3月14日 · 区县：甘州区、山丹县 · 处理方式：ODR``.
    ``names`` maps district codes to display names. Markdown-safe (names are escaped)."""
    from .text import md
    parts = [t("frame.period", lang=lang, period=fmt.date_range(f.date_from, f.date_to, lang))]
    if f.districts:
        names = names or {}
        sep = "、" if lang == "zh" else ", "
        parts.append(t("frame.districts", lang=lang, names=sep.join(md(names.get(c, c)) for c in f.districts)))
    if f.route and f.route != "all":
        parts.append(t("frame.route", lang=lang, route=t(f"filter.route.{f.route}", lang=lang)))
    return " · ".join(parts)


def current_filters() -> Filters | None:
    """The filters app.py computed for this run (pages call this)."""
    return st.session_state.get("_filters")
