"""The frame around every page (app.py, ui/state.py, ui/data.py): the period and filters in the
main pane, formatted dates, no English bulk action in the multiselects, first-run progress, and
chart titles drawn above the charts."""
from __future__ import annotations

import datetime as dt
import threading
import time

import plotly.graph_objects as go
import pytest

from analytics import build, sample
from analytics.filters import Filters
from tests.apptest import errors, run_app
from ui import data, page, state

QUERY = {"period": "custom", "from": "2024-01-08", "to": "2024-02-29", "district": "620702,620725",
         "route": "odr"}


@pytest.mark.parametrize("lang, expected, as_of", [
    ("zh", ["统计期间：2024年1月8日–2月29日", "区县：甘州区、山丹县", "处理方式：ODR"], "数据截至 2024年3月14日"),
    ("en", ["Period: Jan 8 – Feb 29, 2024", "Districts: Ganzhou, Shandan", "Route: ODR"], "Data as of Mar 14, 2024"),
])
def test_period_and_filters_under_the_title(app_env, lang, expected, as_of):
    at = run_app(None, {**QUERY, "lang": lang})
    assert errors(at) == []
    line = next(m.value for m in at.main.markdown if expected[0] in m.value)
    for part in expected:
        assert part in line
    captions = " ".join(c.value for c in at.main.caption)
    assert as_of in captions and "2024-03-14" not in captions
    # the sidebar's period line is formatted too
    assert "2024-01-08" not in " ".join(c.value for c in at.sidebar.caption)


def test_default_view_shows_the_period_only(app_env):
    at = run_app(None, {"lang": "zh"})
    line = next(m.value for m in at.main.markdown if "统计期间" in m.value)
    assert "2023年12月18日–2024年3月14日" in line and "区县" not in line and "处理方式" not in line


def test_filter_summary_escapes_names():
    f = Filters(dt.date(2024, 1, 1), dt.date(2024, 1, 31), districts=("x",), route="traditional")
    s = state.filter_summary(f, "en", {"x": "[a](http://e.x)"})
    assert s == r"Period: Jan 1 – Jan 31, 2024 · Districts: \[a\]\(http\:\/\/e\.x\) · Route: Traditional"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_multiselects_have_no_select_all(app_env, lang):
    """Streamlit's bulk option reads "Select all" in every language: it is switched off (the
    sidebar's districts are pills, which have none)."""
    at = run_app(None, {"lang": lang})
    assert len(at.sidebar.multiselect) == 0
    at = run_app("pages/explore.py", {"lang": lang})
    assert len(at.multiselect) == 0             # the long facets' section is built when opened
    at.session_state["ex_more_open"] = True
    at.run()
    url_bound = [m for m in at.multiselect if m.key and m.key.startswith("w:")]
    assert len(url_bound) == 2 and all(m.proto.select_all == 0 for m in url_bound)


def test_build_reports_its_steps(tmp_path, monkeypatch):
    real_fill = sample.fill
    monkeypatch.setattr(sample, "fill", lambda con, **kw: real_fill(con, rows=300, **kw))   # a small sample
    seen = []
    p = build.ensure_database(tmp_path / "odr.duckdb", progress=lambda step, frac: seen.append((step, frac)))
    assert p.exists()
    steps = [s for s, _ in seen]
    assert steps[0] == "sample" and "summary" in steps
    assert all(f is None or 0 <= f <= 1 for _, f in seen)
    seen.clear()
    build.ensure_database(p, progress=lambda step, frac: seen.append((step, frac)))
    assert seen == []                         # nothing to do: nothing to show


def test_one_build_for_every_session(monkeypatch):
    """Sessions arriving during the build all see its progress; the build runs once."""
    calls = []

    def slow_build(progress=None):
        calls.append(1)
        progress("sample", 0.5)
        time.sleep(0.6)
        progress("summary", 1.0)
        time.sleep(0.3)
        return "db-path"
    monkeypatch.setattr(data.build, "ensure_database", slow_build)
    monkeypatch.setattr(data, "_job", None)
    seen = {i: [] for i in range(3)}
    results = {}

    def session(i):
        results[i] = data.ensure_database(on_progress=lambda *a: seen[i].append(a), poll=0.05)
    threads = [threading.Thread(target=session, args=(i,)) for i in range(3)]
    for th in threads:
        th.start()
        time.sleep(0.05)
    for th in threads:
        th.join(5)
    assert len(calls) == 1
    assert results == {0: "db-path", 1: "db-path", 2: "db-path"}
    for i in range(3):
        steps = [a[0] for a in seen[i]]
        assert "sample" in steps and "summary" in steps, (i, seen[i])
        assert all(a[2] >= 0 for a in seen[i])


def test_build_error_reaches_every_session(monkeypatch):
    def broken(progress=None):
        progress("sample", 0.0)
        time.sleep(0.2)
        raise build.db.DatabaseUnavailable("disk full")
    monkeypatch.setattr(data.build, "ensure_database", broken)
    monkeypatch.setattr(data, "_job", None)
    with pytest.raises(build.db.DatabaseUnavailable):
        data.ensure_database(poll=0.05)


def test_figure_title_lines():
    fig = go.Figure(layout=dict(title=dict(text="Weekly <b>complaints</b><br><sup>a &amp; b</sup>")))
    assert page.figure_title(fig) == ["Weekly complaints", "a & b"]
    assert page.figure_title(go.Figure()) == []


def test_chart_title_above_the_chart_and_kept_for_png(app_env):
    """chart_block draws the title as text and the figure without it; the figure object (the PNG
    export's) still has its title afterwards."""
    at = run_app(None, {"lang": "zh", "ov_weekly": "1"})
    assert errors(at) == []
    texts = [m.value for m in at.main.markdown]
    assert any("每周投诉量" in s for s in texts)
    import json
    shown = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert shown and all(not (f.get("layout", {}).get("title") or {}).get("text") for f in shown)
    fig = go.Figure(layout=dict(title=dict(text="T"), margin=dict(t=48)))
    monkey = []
    import streamlit as st
    orig = st.plotly_chart
    try:
        st.plotly_chart = lambda f, **kw: monkey.append(f.layout.title.text)
        page.show_figure(fig, "x")
    finally:
        st.plotly_chart = orig
    assert monkey == [None] and fig.layout.title.text == "T" and fig.layout.margin.t == 48


def test_the_start_skips_the_component_scan_and_no_module_uses_components():
    """app.py, imported by ``streamlit run``, replaces Streamlit's scan of installed packages for
    custom-component manifests (0.2 s before the server answers) by its empty answer: true only as
    long as no module of this app uses custom components."""
    import re
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", "import sys; sys.argv = ['not-served']; import app; "
         "from streamlit.components.v2 import manifest_scanner as m; "
         "print(m.scan_component_manifests.__name__, m.scan_component_manifests())"],
        cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["_no_component_manifests", "[]"]
    uses = re.compile(r"components\.v[12]|st\.components|declare_component|import components|components\.html")
    found = [str(p.relative_to(root)) for d in ("app.py", "ui", "pages", "analytics", "briefing")
             for p in ([root / d] if d.endswith(".py") else (root / d).rglob("*.py"))
             if uses.search(p.read_text(encoding="utf-8")) and p.name != "pages_registry.py"]
    assert found == [], f"custom components used in {found}: remove skip_component_scan() from app.py"
