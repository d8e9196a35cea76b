"""What a download carries: its file name (page, content, period, filters), the CSV in the reader's
language (headers and coded values from ui/strings/columns.py) or with codes, and the lines that
every exported PNG prints under the chart (period, filters, source, as-of date, data version).

The pure functions take everything they need as arguments and are tested directly; the
``current_*`` helpers read the running session (filters, language, page, data meta).

File names: ``<page>_<content>_<period>[_<filters>].<ext>``, e.g.
``总览_每周投诉量_2024-01-01至2024-03-14_甘州区.csv`` or
``overview_weekly-complaints_2024-01-01_to_2024-03-14_Ganzhou.csv``. Characters that Windows,
macOS or chat apps refuse (``/ \\ : * ? " < > |``, control characters) become ``-``; a long name is
cut to :data:`MAX_STEM_BYTES` bytes of UTF-8 (file systems limit names to 255 bytes), many chosen
values are summarised (“3个区县”).
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd

from analytics.filters import Filters

from .i18n import CATALOGUE, t

MAX_STEM_BYTES = 150
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"-{2,}")

# Filters field -> (value group of ui/strings/values.py for value labels, count string key)
FACETS = {
    "channels": ("channel", "file.many.channels"),
    "object_classes": ("class", "file.many.object_classes"),
    "categories": ("cat", "file.many.categories"),
    "problems": ("problem", "file.many.problems"),
    "outcomes": ("outcome", "file.many.outcomes"),
    "townships": (None, "file.many.townships"),
}
# Columns whose values are codes, and the catalogue prefix that names them (labelled CSV only).
VALUE_LABELS = {
    "route": "filter.route",
    "status": "file.status",
    "channel": "channel",
    "category": "cat",
    "goods_category": "cat",
    "industry": "cat",
    "unit_type": "pg.type",
    "object_class": "class",
    "problem": "problem",
    "outcome": "outcome",
}


# --- file names ------------------------------------------------------------------------------------

def clean_part(text) -> str:
    """One part of a file name: unsafe characters and white space become ``-``."""
    s = unicodedata.normalize("NFC", str(text))
    s = _UNSAFE.sub("-", s)
    s = _SPACES.sub("-", s.strip())
    s = _DASHES.sub("-", s)
    return s.strip("-._ ")


def _cut(text: str, max_bytes: int) -> str:
    out = text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")
    return out.rstrip("-._ ")


def _content_parts(base: str, lang: str | None):
    """(label parts, all covered) of ``base``: the longest leading run of its ``_``-separated words
    with a ``file.<run>`` string, then the rest as the longest runs with ``file.part.<run>``
    strings (``median_days`` is one part), a word without one as it is."""
    words = [w for w in str(base).split("_") if w]
    for n in range(len(words), 0, -1):
        key = "file." + "_".join(words[:n])
        if key not in CATALOGUE:
            continue
        parts, ok, i = [t(key, lang=lang)], True, n
        while i < len(words):
            for j in range(len(words), i, -1):
                pkey = "file.part." + "_".join(words[i:j])
                if pkey in CATALOGUE:
                    parts.append(t(pkey, lang=lang))
                    i = j
                    break
            else:
                parts.append(words[i])
                ok, i = False, i + 1
        return parts, ok
    return words, False


def content_label(base: str, lang: str) -> str:
    """Localised name of a download's content. ``base`` is a stable slug (``weekly_complaints``,
    ``km_wdays``, ``district_map_per_100k``); see :func:`_content_parts`."""
    return "-".join(_content_parts(base, lang)[0])


def has_content_label(base: str) -> bool:
    """Whether every word of ``base`` is covered by the catalogue (tests use this)."""
    return _content_parts(base, "zh")[1]


def period_part(date_from, date_to, lang: str) -> str:
    if date_to is None:
        return ""
    if date_from is None or date_from == date_to:
        return t("file.as_of", lang=lang, date=date_to.isoformat())
    return t("file.period", lang=lang, start=date_from.isoformat(), end=date_to.isoformat())


def filter_labels(f: Filters | None, lang: str, district_names: dict | None = None, *,
                  compact: bool = True) -> list[str]:
    """Short, readable labels of the active filters (the period excluded), in a fixed order:
    districts, route, facets, status, merchant. ``compact`` (file names): one or two values are
    named, more are counted (“3个区县”); otherwise (the PNG footer) every value is named."""
    if f is None:
        return []
    names = district_names or {}
    out = []

    def _many(values, lang_, count_key, name):
        values = list(values)
        if compact and len(values) > 2:
            return t(count_key, lang=lang_, n=len(values))
        return ("+" if compact else t("file.png.sep", lang=lang_)).join(name(v) for v in values)
    if f.districts:
        out.append(_many(f.districts, lang, "file.many.districts", lambda c: names.get(c, c)))
    if f.route != "all":
        out.append(t(f"filter.route.{f.route}", lang=lang))
    for field, (group, count_key) in FACETS.items():
        vals = getattr(f, field, ())
        if vals:
            out.append(_many(vals, lang, count_key,
                             lambda v, g=group: t(f"{g}.{v}", lang=lang) if g and f"{g}.{v}" in CATALOGUE else str(v)))
    if f.status != "all":
        out.append(t(f"file.status.{f.status}", lang=lang))
    if f.merchant:
        out.append(t("file.merchant", lang=lang, m=str(f.merchant)[:20]))
    return out


def build_file_name(*, page: str | None, content: str, period: str, filters: list[str], ext: str,
                    suffix: str | None = None, max_bytes: int = MAX_STEM_BYTES) -> str:
    """``page_content_period_filters[_suffix].ext`` from already localised parts, made safe and
    at most ``max_bytes`` bytes (UTF-8) before the extension. When too long, the filters are
    shortened first (then counted as “n项筛选”), then the whole stem is cut."""
    head = [clean_part(p) for p in (page, content, period) if p]
    tail = [clean_part(suffix)] if suffix else []
    fparts = [clean_part(p) for p in filters if p]
    ext = clean_part(ext)

    def join(parts):
        return "_".join(p for p in parts if p)
    stem = join(head + fparts + tail)
    if len(stem.encode()) > max_bytes and fparts:
        stem = join(head + [clean_part(t("file.many.filters", n=len(fparts)))] + tail)
    if len(stem.encode()) > max_bytes:
        keep = join(tail)
        stem = _cut(join(head + fparts), max_bytes - len(keep.encode()) - 1) + ("_" + keep if keep else "")
    return f"{stem or 'download'}.{ext}"


# --- CSV ---------------------------------------------------------------------------------------------

def column_label(col: str, lang: str) -> str | None:
    key = f"col.{col}"
    return t(key, lang=lang) if key in CATALOGUE else None


def labelled_frame(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The frame for readers: headers from ``col.<name>`` strings (a column without one keeps its
    name), coded values (route, status, channel …) as the reader's labels. Numbers are untouched."""
    out = df.copy()
    for col in out.columns:
        prefix = VALUE_LABELS.get(str(col)) or ("dr.v" if str(col).endswith("_vs_city") else None)
        if prefix is None or not (out[col].dtype == object or pd.api.types.is_string_dtype(out[col])):
            continue
        out[col] = out[col].map(
            lambda v, p=prefix: t(f"{p}.{v}", lang=lang) if isinstance(v, str) and f"{p}.{v}" in CATALOGUE else v)
    out.columns = [column_label(str(c), lang) or str(c) for c in out.columns]
    return out


# --- PNG footer -----------------------------------------------------------------------------------

def source_text(dataset: str | None, lang: str) -> str:
    key = "file.source.sample" if dataset == "sample" else "file.source.imported"
    return t(key, lang=lang)


def footer_lines(*, lang: str, date_from=None, date_to=None, period_label: str | None = None,
                 filters: list[str] = (), dataset: str | None, as_of=None, version: str | None) -> list[str]:
    """The lines an exported PNG prints under its chart: period and filters; source; as-of date
    and data version."""
    from . import fmt
    lines = []
    bits = []
    if period_label:
        is_week = re.fullmatch(r"\d{4}-W\d{2}", period_label.strip()) is not None
        bits.append(t("file.png.period", lang=lang,
                      range=fmt.week_span(period_label, lang) if is_week else period_label))
    elif date_to is not None:
        if date_from is None or date_from == date_to:
            bits.append(t("file.png.as_of_period", lang=lang, date=fmt.date(date_to, lang)))
        else:
            bits.append(t("file.png.period", lang=lang, range=fmt.date_range(date_from, date_to, lang)))
    bits.append(t("file.png.filters", lang=lang, filters=(t("file.png.sep", lang=lang).join(filters) if filters
                                                           else t("file.png.no_filters", lang=lang))))
    lines.append(t("file.png.dot", lang=lang).join(bits))
    lines.append(source_text(dataset, lang))
    as_of_s = fmt.date(as_of, lang) if as_of else "—"
    app = (f"{t('app.city', lang='en')} {t('app.title', lang='en')}" if lang == "en"
           else t("app.city", lang="zh") + t("app.title", lang="zh"))
    lines.append(t("file.png.version", lang=lang, as_of=as_of_s, version=version or "—", app=app))
    return lines


# --- the running session ------------------------------------------------------------------------

def current_page_label(lang: str) -> str | None:
    """The current page for file names: its navigation title in Chinese (``总览``), its stable URL
    slug in English (``overview``). None outside a page run."""
    from pathlib import Path

    from .pages_registry import ALL_PAGES
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        ctx = get_script_run_ctx()
        if ctx is None:
            return None
        info = ctx.pages_manager.get_pages().get(ctx.pages_manager.current_page_script_hash, {})
        script = Path(info.get("script_path") or "").name
    except Exception:  # outside a run
        return None
    for spec in ALL_PAGES:
        if Path(spec.path).name == script:
            return t(spec.title_key, lang="zh") if lang == "zh" else spec.url_path
    return None


def district_names(lang: str) -> dict:
    from analytics import queries

    from . import data
    try:
        d = data.call(queries.districts)
    except Exception:  # no database: codes stay codes
        return {}
    return dict(zip(d["code"], d["name_en" if lang == "en" else "name"]))


def _scope(filters, period, scope: bool):
    """(filters, (from, to) or label) of a download: defaults from the page's global filters."""
    import streamlit as st
    f = filters if filters is not None else (st.session_state.get("_filters") if scope else None)
    if period is None:
        period = (f.date_from, f.date_to) if f is not None else (None, None)
    elif isinstance(period, str):
        pass
    elif not isinstance(period, (tuple, list)):
        period = (None, period)
    return f, period


def _period_text(period, lang: str) -> str:
    if isinstance(period, str):
        return period
    return period_part(period[0], period[1], lang)


def current_file_name(base: str, ext: str, *, lang: str, filters: Filters | None = None, period=None,
                      suffix: str | None = None, scope: bool = True, extra: list[str] = ()) -> str:
    """The file name of a download on the current page: ``filters`` default to the page's global
    filters (st.session_state["_filters"]; none with ``scope=False``); ``period`` (a (from, to)
    pair, one date for a snapshot “as of”, or a label such as ``2024-W10``) defaults to the
    filters' period. ``extra`` parts go after the filters."""
    f, period = _scope(filters, period, scope)
    return build_file_name(page=current_page_label(lang), content=content_label(base, lang),
                           period=_period_text(period, lang),
                           filters=filter_labels(f, lang, district_names(lang) if f is not None and f.districts else None)
                           + list(extra),
                           ext=ext, suffix=t(f"file.suffix.{suffix}", lang=lang) if suffix else None)


def current_footer(lang: str, filters: Filters | None = None, period=None, scope: bool = True) -> list[str]:
    """:func:`footer_lines` for the current page's filters and the loaded data."""
    from . import cite, data
    f, period = _scope(filters, period, scope)
    try:
        meta = data.meta()
        _, as_of = data.coverage()
        version = cite.data_version()
    except Exception:  # no database
        meta, as_of, version = {}, None, None
    if isinstance(period, str):
        date_from, date_to, label_ = None, None, period
    else:
        (date_from, date_to), label_ = period, None
    return footer_lines(lang=lang, date_from=date_from, date_to=date_to, period_label=label_,
                        filters=filter_labels(f, lang, district_names(lang) if f is not None and f.districts else None,
                                              compact=False),
                        dataset=meta.get("dataset"), as_of=as_of, version=version)
