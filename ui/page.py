"""What every page does first, and the blocks pages share.

``begin()`` must be the first call of every page script. The server never uses Streamlit's
legacy ``pages/`` folder mode (app.py switches it off at server start, see
``pages_registry.disable_legacy_pages``). AppTest, however, resets that decision before each of
its runs, and with a ``pages/`` folder next to app.py its first run of a deep link executes the
page script without the frame; the guard notices this (``PagesManager.uses_pages_directory``),
switches it off and reruns through app.py and ``st.navigation``.
"""
from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analytics.filters import Filters

from . import charts, data, fmt
from .i18n import current_lang, t
from .text import md, plot_safe


def guard_legacy_mode() -> None:
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


@dataclass
class PageContext:
    filters: Filters
    lang: str
    as_of: object
    first: object


def begin(require_data: bool = True) -> PageContext:
    """Guard, then the filters app.py computed; stops the page with a notice when there is no data
    (unless ``require_data`` is False: the import page is how data gets in)."""
    guard_legacy_mode()
    f = st.session_state.get("_filters")
    lang = st.session_state.get("lang") or "zh"
    if f is None:
        if not require_data:
            return PageContext(None, lang, None, None)
        st.info(t("data.empty"))
        st.stop()
    first, as_of = data.coverage()
    return PageContext(f, lang, as_of, first)


def _slug(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()[:8]


def downloads(fig, df: pd.DataFrame, name: str, *, png: bool = True, cite_title: str | None = None,
              title: str | None = None, filters: Filters | None = None, period=None, scope: bool = True) -> None:
    """The downloads of a chart or table: CSV of ``df`` in the reader's language (headers and coded
    values from ui/strings/columns.py; UTF-8 with BOM), the chart as PNG (project template; title,
    period, filters, source, as-of date and data version printed in the image), and in a small
    popover the CSV with the data's own column names and codes (for programs). With
    ``cite_title``, also the “Cite” popover (permalink and one-line citations, ui/cite.py).

    ``name`` is the content's stable base name (``weekly_complaints``; localised through
    ``file.<name>`` strings); file names add the page, the period and the active filters
    (ui/export.py). ``filters`` default to the page's global filters; ``period`` is a (from, to)
    pair, one date (a snapshot “as of”) or a label such as an ISO week, default the filters'
    period. ``scope=False``: the content does not depend on the filters (SQL results)."""
    from . import export
    lang = current_lang()
    key = _slug(name)

    def fname(ext, suffix=None):
        return export.current_file_name(name, ext, lang=lang, filters=filters, period=period, suffix=suffix,
                                        scope=scope)
    with st.container(horizontal=True):
        # every file is made when its button is pressed, not on each run (50–150 ms per chart)
        st.download_button(t("chart.csv"), data=lambda: charts.csv_bytes(export.labelled_frame(df, lang)),
                           file_name=fname("csv"), mime="text/csv", icon=":material/download:",
                           key=f"csv-{key}", on_click="ignore")
        if png and fig is not None:
            footer = export.current_footer(lang, filters, period, scope=scope)
            st.download_button(t("chart.png"), data=lambda: charts.to_png(fig, title=title, footer=footer),
                               file_name=fname("png"), mime="image/png", icon=":material/image:",
                               key=f"png-{key}", on_click="ignore")
        with st.popover(t("dl.more"), icon=":material/data_object:", key=f"more-{key}"):
            st.caption(t("dl.codes.help"))
            st.download_button(t("dl.codes"), data=lambda: charts.csv_bytes(df), file_name=fname("csv", "codes"),
                               mime="text/csv", icon=":material/download:", key=f"csvc-{key}",
                               on_click="ignore")
        if cite_title is not None:
            from . import cite
            cite.cite_popover(cite_title, key=f"cite-{key}")


def chart_block(fig, df: pd.DataFrame, name: str, *, alt: str | None = None, on_select=None,
                key: str | None = None, png: bool = True, title: str | None = None, cite: bool = True,
                filters: Filters | None = None, period=None):
    """A chart with its data and image downloads and a “Cite” popover (permalink + citation naming
    ``title``, default the figure's title, else ``name``). Returns the selection event when
    ``on_select``. ``filters`` and ``period`` describe the content in file names and the PNG
    (see :func:`downloads`)."""
    kw = {}
    if on_select:
        kw = dict(on_select=on_select, selection_mode=("points",), key=key or f"chart-{_slug(name)}")
    plot_safe(fig)                      # data strings print literally (Plotly renders tags)
    fmt.localize_figure(fig, st.session_state.get("lang") or "zh")   # 万/亿, 1月8日, no 100k
    heading = figure_title(fig)
    if heading:
        # the title as page text above the chart: it wraps on a phone and no toolbar covers it
        st.markdown(f"**{md(heading[0])}**" + "".join(f"  \n:small[{md(x)}]" for x in heading[1:]))
    from . import export
    stem = export.current_file_name(name, "png", lang=current_lang(), filters=filters, period=period)[:-4]
    event = show_figure(fig, stem, **kw)
    cite_title = None
    fig_title = getattr(getattr(getattr(fig, "layout", None), "title", None), "text", None)
    if cite:
        cite_title = title or fig_title or name
    downloads(fig, df, name, png=png, cite_title=cite_title, title=title or fig_title, filters=filters,
              period=period)
    return event


# On screen a chart has no Plotly toolbar (its buttons covered the titles on a phone; the PNG and
# CSV buttons under every chart and Streamlit's full-screen button remain) and no drag-to-zoom,
# so that a finger dragging over a chart scrolls the page.
PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False, "scrollZoom": False, "responsive": True}
_TAG = re.compile(r"<[^>]*>")


def figure_title(fig) -> list[str]:
    """The figure's title as plain lines (title, then subtitle lines): Plotly line breaks split
    lines, other tags are dropped, entities decoded. Empty when the figure has no title."""
    title = getattr(getattr(fig, "layout", None), "title", None)
    if title is None:
        return []
    parts = [title.text or ""]
    sub = getattr(getattr(title, "subtitle", None), "text", None)
    if sub:
        parts.append(sub)
    lines = []
    for part in parts:
        for line in re.split(r"<br\s*/?>", part, flags=re.I):
            line = html.unescape(_TAG.sub("", line)).strip()
            if line:
                lines.append(line)
    return lines


def show_figure(fig, name: str, **kw):
    """``st.plotly_chart`` of ``fig`` without its title (drawn above it by :func:`chart_block`),
    with a tighter top margin and no drag-zoom. The figure itself is unchanged afterwards (the PNG
    export draws it with its title): st.plotly_chart serialises it during the call."""
    lay = fig.layout
    saved = (lay.title.to_plotly_json(), lay.margin.t, lay.dragmode)
    try:
        if figure_title(fig):
            lay.title = None
            above = any(a.yref == "paper" and (a.y or 0) >= 1 for a in (lay.annotations or ()))
            if not above:           # legends above the plot widen the margin themselves
                lay.margin.t = min(lay.margin.t if lay.margin.t is not None else 48, 16)
        lay.dragmode = False
        if not interactive_charts():
            # a chart the reader could click to choose something (the trends band, the county map)
            # also has a picker on its page: as an image, the picker is the way
            image = _static_chart(fig)
            if image is not None:
                return image
        return st.plotly_chart(fig, config={**PLOTLY_CONFIG, "toImageButtonOptions": {
            "format": "png", "filename": name, "scale": 2}}, **kw)
    finally:
        lay.title, lay.margin.t, lay.dragmode = saved


# Static charts are drawn for the width they will be shown at (text then keeps its size): the main
# pane of a 1400 px desktop window with the sidebar open, half of it in a column, a phone's width.
STATIC_WIDTH = {"full": 1000, "column": 500, "phone": 380}
INSET = 40          # px narrower inside an expander (its padding and border): text keeps its size


def interactive_charts() -> bool:
    """Whether this run draws Plotly charts (the sidebar switch, ui.state.chart_mode_toggle) rather
    than SVG images. Outside the frame (a page run alone) charts are interactive."""
    return bool(st.session_state.get("_interactive_charts", True))


def _static_chart(fig):
    """``fig`` as an SVG image (ui/figcache) at the width of where it is drawn; None when no image can
    be had (the caller draws it with Plotly). Scaled to the container's width; its title is the text
    above it (chart_block), so the image needs no other label."""
    from . import figcache
    if on_phone():
        width = STATIC_WIDTH["phone"]
    else:
        width = STATIC_WIDTH["column" if _in_column() else "full"]
    if _in_block("expandable"):
        width -= INSET
    height = int(fig.layout.height or 420)
    svg = figcache.svg(fig, width, height)
    if svg is None:
        return None
    return st.image(svg, width="stretch")


def _in_column() -> bool:
    """Whether the element being drawn sits inside st.columns (Streamlit's own block ancestry)."""
    return _in_block("column")


def _in_block(kind: str) -> bool:
    """Whether the element being drawn sits inside a block of ``kind`` ("column", "expandable")."""
    try:
        from streamlit.delta_generator_singletons import context_dg_stack
        dg = context_dg_stack.get()[-1]
        return kind in set(dg._ancestor_block_types)
    except Exception:  # noqa: BLE001 — an internal that moved: assume the full width
        return False


_PHONE_UA = ("Mobile", "Android", "iPhone", "iPod", "MicroMessenger", "Windows Phone")


def on_phone() -> bool:
    """The reader's browser says it is a phone (its User-Agent: iPhone, Android …, WeChat). Tables
    that cannot fit 390 px then show their narrowest columns, with every field on demand; a desktop
    window made narrow keeps the full table, scrolling inside its own box."""
    try:
        ua = st.context.headers.get("User-Agent") or ""
    except Exception:  # noqa: BLE001 — outside a browser session (AppTest)
        return False
    return any(k in ua for k in _PHONE_UA)


def text_table(df: pd.DataFrame, *, right: tuple[str, ...] = (), height: int | None = None,
               nowrap: tuple[str, ...] = (), strong: set[int] | frozenset = frozenset(),
               tight: bool = False, key: str = "text-table") -> None:
    """A table of formatted text as a Markdown table: every cell escaped, so it prints literally; the
    columns named in ``right`` right-aligned. Unlike st.table / st.dataframe it needs no Arrow decoder
    or data grid in the browser (0.7 MB / ~2 MB of script a new visitor would load first: ~0.15 s /
    ~0.65 s before the page is ready). ``height``: the table scrolls inside a box that high (and
    sideways in a window too narrow for it) instead of making the page longer and wider. ``nowrap``:
    columns whose cells stay on one line (short codes, dates, names of two characters that a narrow
    column would otherwise break after each character); only the page's own fixed style rule, never
    data, goes into the HTML; ``key`` (unique on the page) names the table's box for that rule.
    ``strong``: positions of rows printed in bold (a row the reader singled out). ``tight``: narrow
    cell padding, so a table of a few short columns fits a phone without scrolling sideways."""
    def cell(v) -> str:
        if v is None or (isinstance(v, float) and v != v):
            v = fmt.DASH
        return md(v) or " "
    cols = list(df.columns)
    lines = ["| " + " | ".join(cell(c) for c in cols) + " |",
             "| " + " | ".join("---:" if c in right else ":---" for c in cols) + " |"]
    for i, row in enumerate(df.itertuples(index=False)):
        cells = [cell(v) for v in row]
        if i in strong:
            cells = [f"**{c}**" if c.strip() else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    if height is None and not nowrap and not tight:
        st.markdown("\n".join(lines))
        return
    idx = [i + 1 for i, c in enumerate(cols) if c in nowrap]
    rules = []
    if idx:                     # the columns named keep each cell on one line; the others wrap
        sel = ", ".join(f".st-key-{key} :is(td, th):nth-child({i})" for i in idx)
        rules.append(f"{sel} {{ white-space: nowrap; }}")
    if tight:                   # narrow cell padding (a phone)
        rules.append(f".st-key-{key} :is(td, th) {{ padding: 0.4rem 0.3rem; }}")
    if rules:
        st.html(f"<style>{' '.join(rules)}</style>")
    with st.container(height=height or "content", key=key):
        st.markdown("\n".join(lines))


def column_notes(notes: list[tuple[str, str]], key: str) -> None:
    """What a plain table's columns mean (the tooltips a data grid's headers had): a popover under the
    table, one "header: meaning" line per column (catalogue texts, never data)."""
    sep = "：" if current_lang() == "zh" else ": "
    with st.popover(t("common.cols"), icon=":material/help:", key=key):
        for head, text in notes:
            st.caption(f"{head}{sep}{text}")


def delta_args(text, differs: bool, color: str = "normal") -> dict:
    """st.metric delta arguments for a change against an earlier period: red/green only when the
    change is beyond chance (the caller's test at the 5% level), otherwise a neutral "about the
    same" (METRICS.md "Uncertainty and comparisons"). Used by every headline delta."""
    if text is None:
        return {"delta": None}
    if differs:
        return {"delta": text, "delta_color": color}
    return {"delta": t("ov.delta.same", d=text), "delta_color": "off", "delta_arrow": "off"}


# the names the pages import; the formatting itself is ui/fmt.py
fmt_int = fmt.num
fmt_pct = fmt.pct
fmt_days = fmt.days


def fmt_num(x, nd: int = 1) -> str:
    return fmt.num(x, nd)


def fmt_yuan(x, lang: str) -> str:
    return fmt.yuan(x, lang)
