"""The one string catalogue. Every UI string has a key and a (Chinese, English) pair; Chinese is
the default, ``?lang=en`` switches to English. Page-specific strings live in ui/strings/<page>.py
and are merged here, so a key is defined exactly once (a duplicate raises at import)."""
from __future__ import annotations

import importlib
import pkgutil

from . import strings as _strings_pkg

LANGS = ("zh", "en")
CATALOGUE: dict[str, tuple[str, str]] = {}

for _mod in sorted(m.name for m in pkgutil.iter_modules(_strings_pkg.__path__)):
    _s = importlib.import_module(f"{_strings_pkg.__name__}.{_mod}").STRINGS
    _dup = CATALOGUE.keys() & _s.keys()
    if _dup:
        raise RuntimeError(f"string keys defined twice ({_mod}): {sorted(_dup)}")
    CATALOGUE.update(_s)


def current_lang() -> str:
    try:
        import streamlit as st
        lang = st.session_state.get("lang")
        if lang is None:
            lang = st.query_params.get("lang", "zh")
    except Exception:  # outside a Streamlit run
        lang = "zh"
    return lang if lang in LANGS else "zh"


def t(key: str, lang: str | None = None, **fmt) -> str:
    """The string for ``key`` in the current (or given) language, formatted with ``fmt``."""
    zh, en = CATALOGUE[key]
    s = en if (lang or current_lang()) == "en" else zh
    return s.format(**fmt) if fmt else s


def label(value: str, group: str, lang: str | None = None) -> str:
    """Display name of a data value (district code, category …): the catalogue key
    ``<group>.<value>`` when present, else the value itself (Chinese data values)."""
    key = f"{group}.{value}"
    if key in CATALOGUE:
        return t(key, lang)
    return str(value)
