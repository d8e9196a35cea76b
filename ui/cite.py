"""“Cite this figure”: a permalink (the app's URL for the current page with the current view's
query parameters, the period pinned to its dates) and a one-line citation in Chinese and
English naming the chart, the data's as-of date and the data version (meta ``data_version``,
which every import changes).

The pure functions (:func:`build_permalink`, :func:`format_citation`) are tested directly;
:func:`cite_popover` draws them in a compact popover next to a chart's downloads.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from urllib.parse import quote, urlencode

import streamlit as st

from . import data, state
from .i18n import t

_TZ = dt.timezone(dt.timedelta(hours=8))      # Asia/Shanghai, no DST
_TAGS = re.compile(r"<[^>]+>")


def build_permalink(base: str, params: dict[str, str]) -> str:
    """``base`` plus ``params`` as a query string (sorted names, commas and colons kept readable)."""
    items = sorted((k, v) for k, v in params.items() if v is not None and v != "")
    if not items:
        return base
    return base + "?" + urlencode(items, quote_via=lambda s, *a, **k: quote(s, safe=",:-_."))


def _dump(v) -> str | None:
    """URL form of a control's value (the serialisers of ui.state)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return state.BOOL[1](v)
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def current_params() -> dict[str, str]:
    """The view's URL parameters now: those this run has recorded so far (controls drawn above
    the chart, including changes made in this interaction), then the URL as the browser holds it
    for controls not drawn yet. A parameter recorded at its default value is left out."""
    out = {}
    written = st.session_state.get(state._WRITTEN, {})
    for k, v in st.query_params.to_dict().items():
        # as ui.state.url_value: a URL value the app did not write is a fresh link and wins;
        # otherwise the control's state is newer (it may have changed in this interaction)
        skey = f"qp:{k}"
        fresh = v != written.get(k)
        out[k] = str(v) if fresh or skey not in st.session_state else _dump(st.session_state[skey])
    for k, v in st.session_state.get(state._RUN, {}).items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def _page_path() -> str:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        ctx = get_script_run_ctx()
        info = ctx.pages_manager.get_pages().get(ctx.pages_manager.current_page_script_hash, {}) if ctx else {}
        return info.get("url_pathname", "") or ""
    except Exception:  # outside a run
        return ""


def base_url() -> str:
    """The app's address for the current page: ``st.context.url`` (scheme, host, port, page path)
    in a browser session; a site-relative ``/page`` where it is unknown (tests, scripts)."""
    try:
        url = st.context.url
    except Exception:
        url = None
    if url:
        return url
    path = _page_path()
    return "/" + path if path else "/"


def pin_period(params: dict[str, str], date_from, date_to) -> dict[str, str]:
    """The parameters with the period written out as dates (``period=custom&from=…&to=…``): a
    relative period (“last 13 weeks”) would move when newer data is imported, so a cited link
    would show other numbers."""
    out = dict(params)
    out.update(period="custom", **{"from": date_from.isoformat(), "to": date_to.isoformat()})
    return out


def permalink() -> str:
    """The current page's URL with the current view's parameters, the period pinned to dates."""
    params = current_params()
    f = state.current_filters()
    if f is not None:
        params = pin_period(params, f.date_from, f.date_to)
    return build_permalink(base_url(), params)


def data_version() -> str:
    """The data version identifier: meta ``data_version`` (set by every build and import); when a
    database lacks it, a short fingerprint of the database file (which also changes on import)."""
    v = data.meta().get("data_version")
    if v:
        return v
    return "file-" + hashlib.sha1(repr(data.data_key()).encode()).hexdigest()[:10]


def clean_title(title) -> str:
    text = _TAGS.sub(" ", str(title or "")).strip()
    return re.sub(r"\s+", " ", text)


def format_citation(title: str, as_of, version: str, url: str, accessed: dt.date, lang: str) -> str:
    """One line: dashboard, chart title, data as-of date, data version, permalink, access date."""
    as_of_s = as_of.isoformat() if hasattr(as_of, "isoformat") else str(as_of or "—")
    title = clean_title(title)
    return t("ex.cite.line", lang=lang, title=title, as_of=as_of_s, version=version or "—", url=url,
             accessed=accessed.isoformat())


_REVERSE: dict[str, tuple[str, str]] = {}


def bilingual(title: str) -> tuple[str, str]:
    """(Chinese, English) forms of a chart title: a title that is a catalogue string in either
    language gets the other language's string; any other title is used for both."""
    if not _REVERSE:
        from .i18n import CATALOGUE
        for zh, en in CATALOGUE.values():
            _REVERSE.setdefault(zh, (zh, en))
            _REVERSE.setdefault(en, (zh, en))
    title = clean_title(title)
    return _REVERSE.get(title, (title, title))


def citations(title: str) -> tuple[str, str, str]:
    """(permalink, Chinese citation, English citation) for the current view."""
    url = permalink()
    _, as_of = data.coverage()
    version = data_version()
    today = dt.datetime.now(_TZ).date()
    zh_title, en_title = bilingual(title)
    return (url, format_citation(zh_title, as_of, version, url, today, "zh"),
            format_citation(en_title, as_of, version, url, today, "en"))


def cite_popover(title: str, key: str | None = None) -> None:
    """A compact “Cite” popover: the permalink and the citations, each in a copyable code block."""
    url, zh, en = citations(title)
    with st.popover(t("ex.cite.button"), icon=":material/format_quote:", key=key):
        st.caption(t("ex.cite.permalink"))
        st.code(url, language=None, wrap_lines=True)
        st.caption(t("ex.cite.zh"))
        st.code(zh, language=None, wrap_lines=True)
        st.caption(t("ex.cite.en"))
        st.code(en, language=None, wrap_lines=True)
        st.caption(t("ex.cite.note"))
