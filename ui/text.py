"""Data shown as text, never as Markdown or HTML.

Most Streamlit text elements (markdown, caption, info/warning/error, subheader, metric, expander
and tab labels, pills/segmented-control options) render their text as Markdown. A value that
comes from the data — a merchant name, a search term, a file name, an import message — may hold
``[text](https://…)``, ``**bold**``, ``<a href>`` or a ``:red[…]`` directive; :func:`md` makes it
print literally. Use it wherever a data value goes into such an element (directly or as an
argument of ``t()``); tables (st.dataframe) and selectbox/multiselect options show plain text
and need no escaping."""
from __future__ import annotations

import re

# every ASCII punctuation character may be backslash-escaped in CommonMark and then prints as
# itself; escaping all of them also defuses Streamlit's own directives (:red[...], :material/x:)
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def md(value) -> str:
    """``value`` as literal Markdown text: punctuation escaped, line breaks as spaces."""
    if value is None:
        return ""
    s = str(value).replace("\r", " ").replace("\n", " ")
    return _PUNCT.sub(r"\\\1", s)


# Plotly renders a subset of HTML in every text it draws (axis ticks, legend names, hover labels,
# bar texts): ``<a href>`` becomes a live link, ``<b>`` bold. Entities print literally, so data
# values get ``<`` and ``>`` as entities before a figure is drawn (that alone stops every tag;
# an entity already in the data prints as its character, and escaping twice changes nothing).
# A trace whose own text is markup built by the figure code (e.g. the map's bold labels) says so
# with ``meta="markup"``: its ``text`` is left alone (its parts are reference data).
_PLOT_ATTRS = ("x", "y", "text", "hovertext", "labels", "name", "customdata", "parents", "legendgroup")


def plot_text(value):
    """``value`` with ``<`` and ``>`` as entities when it is a string (other values unchanged)."""
    if isinstance(value, str) and ("<" in value or ">" in value):
        return value.replace("<", "&lt;").replace(">", "&gt;")
    return value


def _escaped(values):
    import numpy as np
    if isinstance(values, str):
        return plot_text(values)
    if isinstance(values, (list, tuple, np.ndarray)):
        arr = np.asarray(values, dtype=object)
        flat = arr.ravel()
        if not any(isinstance(v, str) and ("<" in v or ">" in v) for v in flat):
            return None
        return np.vectorize(plot_text, otypes=[object])(arr) if arr.size else None
    return None


def plot_safe(fig):
    """``fig`` with every data string in its traces (categories, names, texts, hover data)
    printing literally. The figure's own labels (titles, axis titles, annotations, templates)
    come from the string catalogue and keep their formatting. Changes ``fig`` in place; returns it."""
    for tr in getattr(fig, "data", ()):
        markup = getattr(tr, "meta", None) == "markup"
        for attr in _PLOT_ATTRS:
            if markup and attr == "text":
                continue
            if attr not in tr:      # not a property of this trace type: asking raises a ValueError
                continue            # whose spelling suggestions cost ~10 ms each (20 ms per bar trace)
            try:
                v = tr[attr]
            except (KeyError, ValueError):
                continue
            if v is None:
                continue
            new = _escaped(v)
            if new is not None:
                tr[attr] = new if isinstance(new, str) else new.tolist()
    return fig
