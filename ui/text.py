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
