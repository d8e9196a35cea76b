"""Data is never rendered as Markdown or HTML: a register name holding a Markdown link, bold
text and an HTML anchor is stored in the database, and no page (including the public merchant
lookup) may show it as a link."""
from __future__ import annotations

import re
import shutil

import pytest

from analytics import db
from tests.apptest import errors, run_app
from ui.pages_registry import PAGES
from ui.text import md

EVIL = "[点此领取赔偿](https://evil.example/phish) **官方** <a href=\"https://evil.example/x\">领取</a>"
# an unescaped Markdown link, HTML anchor or bold marker (an escaped one has a backslash before it)
LIVE = re.compile(r"(?<!\\)\]\(https|(?<!\\)<a |(?<!\\)\*(?<!\\)\*官方")
# element types whose text is plain (never Markdown): tables, select options, inputs, code, charts
PLAIN = {"arrow_data_frame", "dataframe", "table", "selectbox", "multiselect", "text_input", "text_area",
         "code", "plotly_chart", "number_input", "date_input", "json"}


@pytest.fixture
def evil_db(sample_db, tmp_path, monkeypatch, clean_streamlit):
    p = tmp_path / "evil.duckdb"
    shutil.copy(sample_db, p)
    con = db.connect(p)
    try:
        mid = con.execute("SELECT merchant_id FROM complaints WHERE merchant_id IS NOT NULL "
                          "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        con.execute("UPDATE merchants SET name = ?, township = ?, credit_code = ? WHERE merchant_id = ?",
                    [EVIL, EVIL, "**91620700MA**", mid])
        cols = {r[0] for r in con.execute("DESCRIBE complaints").fetchall()}
        if "merchant_name" in cols:
            con.execute("UPDATE complaints SET merchant_name = ? WHERE merchant_id = ?", [EVIL, mid])
    finally:
        con.close()
    monkeypatch.setenv("ODR_DB", str(p))
    monkeypatch.delenv("ODR_MODE", raising=False)
    return mid


def _markdown_texts(at) -> list[tuple[str, str]]:
    """(element type, proto text) of every element that renders its text as Markdown."""
    out = []

    def walk(node):
        typ = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if proto is not None and typ not in PLAIN:
            out.append((typ, str(proto)))
        for child in getattr(node, "children", {}).values():
            walk(child)
    walk(at._tree)
    return out


def _live(at) -> list[str]:
    bad = []
    for typ, text in _markdown_texts(at):
        if LIVE.search(text):
            bad.append(f"{typ}: {text[:300]}")
    return bad


def test_md_escapes_markdown_and_html():
    s = md(EVIL)
    assert not LIVE.search(s)
    assert s.replace("\\", "") == EVIL


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_evil_register_name_is_never_a_link(evil_db, lang):
    cases = [(spec.path, {"lang": lang}) for spec in PAGES if not spec.internal]
    cases += [
        ("pages/programmes.py", {"lang": lang, "pg_view": "lookup", "pg_q": "点此领取赔偿"}),
        ("pages/programmes.py", {"lang": lang, "pg_view": "lookup", "pg_q": "点此领取赔偿", "pg_merchant": evil_db}),
        ("pages/programmes.py", {"lang": lang, "pg_view": "lookup", "pg_q": EVIL}),
        ("pages/programmes.py", {"lang": lang, "pg_view": "lookup", "pg_merchant": "[x](https://evil.example/y)"}),
        ("pages/explore.py", {"lang": lang, "ex_merchant": "点此领取赔偿"}),
    ]
    shown = False
    for page, query in cases:
        at = run_app(page, query)
        assert errors(at) == [], (page, query)
        assert _live(at) == [], (page, query)
        shown |= any("点此领取赔偿" in text for _, text in _markdown_texts(at))
    assert shown, "the name is shown somewhere (escaped), so the check looked at it"


def test_plot_safe_prints_data_tags_literally():
    import plotly.graph_objects as go

    from ui.text import plot_safe
    fig = go.Figure(go.Bar(x=[EVIL, "食品"], y=[1, 2], name=EVIL, customdata=[[EVIL], ["x"]],
                           text=[EVIL, "b"]))
    fig.add_scatter(x=[1], y=[1], text=["<b>甘州</b><br>12"], mode="text", meta="markup")
    plot_safe(fig)
    shown = [*fig.data[0].x, fig.data[0].name, *fig.data[0].text, *(c[0] for c in fig.data[0].customdata)]
    assert not any("<" in v or ">" in v for v in shown)          # no tag Plotly could render
    assert fig.data[0].x[0].startswith("[点此领取赔偿]") and "&lt;a href" in fig.data[0].x[0]
    assert fig.data[0].x[1] == "食品"
    assert fig.data[1].text == ("<b>甘州</b><br>12",)         # the figure's own markup is kept
    spec = fig.to_json()
    assert plot_safe(fig).to_json() == spec                  # escaping twice changes nothing


def test_data_category_in_charts_is_not_markup(evil_db):
    """A category value from an imported file that holds an HTML anchor reaches the trends chart
    (series name, hover template) only as text."""
    import os

    from analytics import aggregates
    con = db.connect(os.environ["ODR_DB"])
    try:
        con.execute("UPDATE complaints SET category = ? WHERE category = (SELECT category FROM complaints "
                    "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1)", [EVIL])
        aggregates.refresh(con)
    finally:
        con.close()
    at = run_app("pages/trends.py", {"lang": "zh", "tr_by": "category"})
    assert errors(at) == []
    charts = [str(c.proto) for c in at.get("plotly_chart")]
    assert charts and any("evil.example" in c for c in charts)
    assert not any(re.search(r"<a |\\u003ca |\\\\u003ca ", c) for c in charts)
