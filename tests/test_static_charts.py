"""Charts as SVG images (ui/figcache, ui/page._static_chart): what a reader gets by default.

The renderer (kaleido's Chromium) is exercised for real in the first tests; the page tests replace
it with a recorder (fast) to check which charts become images, at which width, and that the sidebar
switch and a failing renderer both give interactive Plotly charts."""
from __future__ import annotations

import re

import pytest

from tests.apptest import errors, run_app
from ui import charts, figcache
from ui.page import INSET


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty figure cache of its own (disk and memory)."""
    monkeypatch.setenv("ODR_FIGURE_CACHE", str(tmp_path / "figures"))
    figcache._mem.clear()
    yield tmp_path / "figures"
    figcache._mem.clear()


def _fig(title="每周投诉量", n=12):
    fig = charts.new_figure(title, height=300)
    fig.add_bar(x=[f"第{i}周" for i in range(n)], y=[i * 1000 for i in range(n)], name="投诉 <b>x</b>")
    return fig


def test_svg_is_rendered_once_then_served_from_memory_and_disk(cache):
    fig = _fig()
    before = figcache.stats()["renders"]
    svg = figcache.svg(fig, 500, 300)
    assert svg is not None, figcache.stats()["failed"]
    assert svg.lstrip().startswith("<svg")
    # scales to its box instead of being cropped: a viewBox of the rendered size
    assert re.search(r'<svg\b[^>]*viewBox="0 0 500 300"', svg)
    # text is SVG text (the reader's fonts), escaped by Plotly: the <b> in a name is not markup
    assert "第3周" in svg and "<b>x</b>" not in svg
    assert figcache.stats()["renders"] == before + 1
    files = list(cache.glob("*.svg"))
    assert len(files) == 1 and files[0].read_text(encoding="utf-8") == svg

    assert figcache.svg(_fig(), 500, 300) == svg                 # same figure: memory
    figcache._mem.clear()
    assert figcache.svg(_fig(), 500, 300) == svg                 # after a restart: disk
    assert figcache.stats()["renders"] == before + 1
    # any change of content or size is another image
    assert figcache.svg(_fig(n=13), 500, 300) != svg
    assert figcache.svg(_fig(), 380, 300) != svg
    assert figcache.stats()["renders"] == before + 3


def test_a_damaged_cache_file_is_ignored_and_replaced(cache):
    fig = _fig()
    key = figcache.figure_key(fig.to_json(), 500, 300)
    cache.mkdir(parents=True)
    (cache / f"{key}.svg").write_text("half a fi", encoding="utf-8")
    svg = figcache.svg(fig, 500, 300)
    assert svg and svg.lstrip().startswith("<svg")
    assert (cache / f"{key}.svg").read_text(encoding="utf-8") == svg


def test_prune_keeps_the_cache_under_its_limit(cache):
    import os
    import time
    cache.mkdir(parents=True)
    now = time.time()
    for i in range(5):
        p = cache / f"{i:040d}.svg"
        p.write_text("<svg>" + "x" * 400_000 + "</svg>", encoding="utf-8")
        os.utime(p, (now - 100 + i, now - 100 + i))
    assert figcache.prune(cache, limit_mb=1) == 3
    assert sorted(p.name[:40] for p in cache.glob("*.svg")) == [f"{3:040d}", f"{4:040d}"]   # the newest stay


def test_with_viewbox_leaves_an_existing_one():
    s = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5" viewBox="0 0 20 10"><g/></svg>'
    assert figcache._with_viewbox(s, 10, 5) == s
    t = figcache._with_viewbox('<svg width="10" height="5"><g/></svg>', 10, 5)
    assert t == '<svg width="10" height="5" viewBox="0 0 10 5"><g/></svg>'


@pytest.fixture
def recorder(monkeypatch, cache):
    """figcache.svg replaced by a recorder: (title, width, height) of every chart drawn as an image."""
    calls = []

    def fake(fig, width, height):
        calls.append((fig.to_plotly_json()["layout"], width, height))     # as drawn, at call time
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"></svg>'
    monkeypatch.setattr(figcache, "svg", fake)
    return calls


@pytest.fixture
def static_env(app_env, monkeypatch):
    monkeypatch.setenv("ODR_CHARTS", "static")
    return app_env


OPEN = {"ov_weekly": "1", "ov_districts": "1"}      # the overview's two chart sections, opened


def _images(at):
    return at.get("image")


def test_overview_charts_are_images_by_default_at_the_width_they_are_shown(static_env, recorder):
    at = run_app(None, {"lang": "zh", **OPEN})
    assert errors(at) == []
    assert len(at.get("plotly_chart")) == 0
    assert len(_images(at)) == 2
    widths = [w for _, w, _ in recorder]
    # the weekly chart spans the main pane; the district chart sits in a column beside the table
    # (both in the overview's sections: an expander's padding narrower)
    assert widths == [figcache_width("full") - INSET, figcache_width("column") - INSET]
    # the figure drawn is the on-screen one: no title of its own (it is the text above the image)
    assert all(not (lay.get("title") or {}).get("text") for lay, _, _ in recorder)
    heights = [h for _, _, h in recorder]
    assert heights[0] == 380 and heights[1] == 320
    # the chart titles are page text above the images, as with interactive charts
    assert any("每周投诉量" in m.value for m in at.markdown)


def figcache_width(where: str) -> int:
    from ui.page import STATIC_WIDTH
    return STATIC_WIDTH[where]


def test_phone_gets_images_drawn_for_its_width(static_env, recorder, monkeypatch):
    import ui.page
    monkeypatch.setattr(ui.page, "on_phone", lambda: True)
    at = run_app(None, {"lang": "zh", **OPEN})
    assert errors(at) == []
    assert [w for _, w, _ in recorder] == [figcache_width("phone") - INSET] * 2


def test_interactive_switch_brings_plotly_back_and_is_kept_in_the_url(static_env, recorder):
    at = run_app(None, {"lang": "zh", "charts": "1", **OPEN})
    assert errors(at) == []
    assert len(at.get("plotly_chart")) == 2 and len(_images(at)) == 0 and recorder == []
    toggle = at.sidebar.toggle[0]
    assert toggle.label == "可交互图表" and toggle.value is True
    toggle.set_value(False).run()
    assert errors(at) == []
    assert len(at.get("plotly_chart")) == 0 and len(_images(at)) == 2
    assert at.query_params.get("charts") in (None, "0", ["0"], [])


def test_charts_that_select_are_images_too_with_their_pickers_named(static_env, recorder):
    """The trends band and the county map choose a week / a county when clicked; as images, their
    notes point to the pickers that do the same (and to the switch that makes them clickable)."""
    at = run_app("pages/trends.py", {"lang": "zh", "tr_tab": "band"})
    assert errors(at) == []
    assert len(at.get("plotly_chart")) == 0 and len(_images(at)) >= 2
    notes = [c.value for c in at.caption]
    assert any("在下方“周明细”中选择" in n for n in notes)
    at = run_app("pages/districts.py", {"lang": "en", "dr_view": "map"})
    assert errors(at) == []
    assert len(at.get("plotly_chart")) == 0
    assert any("under “Focus county” above" in c.value for c in at.caption)
    at = run_app("pages/districts.py", {"lang": "en", "dr_view": "map", "charts": "1"})
    assert errors(at) == []
    assert len(at.get("plotly_chart")) >= 1
    assert any(c.value.startswith("Click a county on the map") for c in at.caption)


def test_a_renderer_that_fails_leaves_interactive_charts(static_env, monkeypatch, cache):
    monkeypatch.setattr(figcache, "svg", lambda fig, w, h: None)
    at = run_app(None, {"lang": "en", **OPEN})
    assert errors(at) == []
    assert len(at.get("plotly_chart")) == 2 and len(_images(at)) == 0


def test_no_renderer_means_none_not_an_error(cache, monkeypatch):
    monkeypatch.setitem(figcache._state, "started", False)
    monkeypatch.setitem(figcache._state, "failed", "FileNotFoundError: chromium")
    assert figcache.svg(_fig(title="never drawn before 7f3a"), 500, 300) is None


def test_a_busy_renderer_means_an_interactive_chart_not_a_wait(cache, monkeypatch):
    """A session never waits longer than the render limit for the renderer (held here by another
    thread): it gets None and draws the chart with Plotly."""
    import threading
    import time
    monkeypatch.setattr(figcache, "RENDER_TIMEOUT_S", 0.3)
    held = threading.Event()
    release = threading.Event()

    def hold():
        with figcache._lock:
            held.set()
            release.wait(5)
    th = threading.Thread(target=hold)
    th.start()
    held.wait(5)
    try:
        t0 = time.perf_counter()
        assert figcache.svg(_fig(title="busy 91c2"), 500, 300) is None
        assert time.perf_counter() - t0 < 2
    finally:
        release.set()
        th.join()
