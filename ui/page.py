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
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analytics.filters import Filters

from . import charts, data, fmt
from .i18n import t
from .text import plot_safe


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


def downloads(fig, df: pd.DataFrame, name: str, *, png: bool = True, cite_title: str | None = None) -> None:
    """CSV (UTF-8 with BOM) of the chart's data and the chart as PNG (project template); with
    ``cite_title``, also the “Cite” popover (permalink and one-line citations, ui/cite.py)."""
    key = _slug(name)
    with st.container(horizontal=True):
        st.download_button(t("chart.csv"), data=charts.csv_bytes(df), file_name=f"{name}.csv",
                           mime="text/csv", icon=":material/download:", key=f"csv-{key}",
                           on_click="ignore")
        if png and fig is not None:
            st.download_button(t("chart.png"), data=lambda: charts.to_png(fig), file_name=f"{name}.png",
                               mime="image/png", icon=":material/image:", key=f"png-{key}",
                               on_click="ignore")
        if cite_title is not None:
            from . import cite
            cite.cite_popover(cite_title, key=f"cite-{key}")


def chart_block(fig, df: pd.DataFrame, name: str, *, alt: str | None = None, on_select=None,
                key: str | None = None, png: bool = True, title: str | None = None, cite: bool = True):
    """A chart with its data and image downloads and a “Cite” popover (permalink + citation naming
    ``title``, default the figure's title, else ``name``). Returns the selection event when
    ``on_select``."""
    kw = {}
    if on_select:
        kw = dict(on_select=on_select, selection_mode=("points",), key=key or f"chart-{_slug(name)}")
    plot_safe(fig)                      # data strings print literally (Plotly renders tags)
    fmt.localize_figure(fig, st.session_state.get("lang") or "zh")   # 万/亿, 1月8日, no 100k
    event = st.plotly_chart(fig, config={"displaylogo": False,
                                         "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2}},
                            **kw)
    cite_title = None
    if cite:
        fig_title = getattr(getattr(getattr(fig, "layout", None), "title", None), "text", None)
        cite_title = title or fig_title or name
    downloads(fig, df, name, png=png, cite_title=cite_title)
    return event


def delta_args(text, differs: bool, color: str = "normal") -> dict:
    """st.metric delta arguments for a change against an earlier period: red/green only when the
    change is beyond chance (the caller's test at the 5% level), otherwise a neutral "about the
    same" (METRICS.md "Uncertainty and comparisons"). Used by every headline delta."""
    if text is None:
        return {"delta": None}
    if differs:
        return {"delta": text, "delta_color": color}
    return {"delta": t("ov.delta.same", d=text), "delta_color": "off", "delta_arrow": "off"}


def fmt_int(x) -> str:
    return fmt.num(x)


def fmt_pct(x, nd: int = 1) -> str:
    return fmt.pct(x, nd)


def fmt_num(x, nd: int = 1) -> str:
    return fmt.num(x, nd)


def fmt_days(x, lang: str) -> str:
    return fmt.days(x, lang)


def fmt_yuan(x, lang: str) -> str:
    return fmt.yuan(x, lang)
