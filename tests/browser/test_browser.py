"""Every page seen in a real browser: renders without errors, deep links on a fresh server,
URL filters, language switch and PNG export. Screenshots go to docs/screenshots/ (README)."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageStat

from tests.browser.conftest import SHOTS, shown_errors, wait_ready
from ui.i18n import t
from ui.pages_registry import PAGES

PUBLIC = [p for p in PAGES if not p.internal]
NO_CHARTS = {"sql", "methodology", "import"}


def _url(server, spec, query: str = "") -> str:
    path = "" if spec.default else spec.url_path
    return f"{server.url}/{path}{('?' + query) if query else ''}"


def _not_black(png: bytes) -> None:
    img = Image.open(io.BytesIO(png)).convert("L")
    stat = ImageStat.Stat(img)
    assert stat.mean[0] > 180, f"image too dark (mean {stat.mean[0]:.0f}): black background?"
    assert stat.stddev[0] > 5, "image is blank"


@pytest.mark.parametrize("spec", PUBLIC, ids=lambda s: s.url_path)
def test_page_renders(server, page, spec):
    page.goto(_url(server, spec))
    wait_ready(page, charts=spec.url_path not in NO_CHARTS)
    assert shown_errors(page) == []
    assert page.locator("h1").first.inner_text().strip() == t(spec.title_key, "zh")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{spec.url_path}.png"), full_page=False)


def test_narrow_screen(server, browser):
    ctx = browser.new_context(viewport={"width": 420, "height": 900})
    pg = ctx.new_page()
    pg.goto(server.url + "/")
    wait_ready(pg, charts=False)
    pg.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    assert shown_errors(pg) == []
    # nothing wider than the viewport: no horizontal scrolling of the page
    width = pg.evaluate("() => document.querySelector('[data-testid=stMain]').scrollWidth")
    assert width <= 440
    pg.screenshot(path=str(SHOTS / "overview-narrow.png"))
    ctx.close()


@pytest.mark.parametrize("spec", [p for p in PUBLIC if not p.default], ids=lambda s: s.url_path)
def test_deep_link_on_fresh_server(fresh_server, page, spec):
    """The first request after a restart is a deep link: the page must come up with its proper
    title and the sidebar filters (not Streamlit's legacy multipage mode)."""
    page.goto(_url(fresh_server, spec))
    wait_ready(page, charts=False)
    page.wait_for_function(
        "labels => labels.every(l => (document.querySelector('[data-testid=stSidebar]') || {innerText: ''})"
        ".innerText.includes(l))", arg=[t("filter.period", "zh"), t("filter.route", "zh")], timeout=60_000)
    title = t(spec.title_key, "zh")
    assert page.locator("h1").first.inner_text().strip() == title
    page.wait_for_function("t => document.title.startsWith(t)", arg=title, timeout=30_000)
    sidebar = page.locator("[data-testid=stSidebar]").inner_text()
    assert t("filter.period", "zh") in sidebar and t("filter.district", "zh") in sidebar
    # navigation shows the Chinese titles, not file names
    assert t("nav.overview", "zh") in sidebar
    assert shown_errors(page) == []


def _metrics(pg) -> list[str]:
    vals = pg.locator("[data-testid=stMetricValue]")
    return [vals.nth(i).inner_text() for i in range(vals.count())]


def test_url_filters_reproduce_manual_choice(server, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    a = ctx.new_page()
    a.goto(server.url + "/?period=4w&district=620721&lang=en")
    wait_ready(a)
    from_url = _metrics(a)
    assert a.locator("h1").first.inner_text().strip() == "Overview"

    b = ctx.new_page()
    b.goto(server.url + "/?lang=en")
    wait_ready(b)
    default = _metrics(b)
    sb = b.locator("[data-testid=stSidebar]")
    sb.locator("[data-testid=stSelectbox]").first.click()
    b.get_by_role("option", name="Last 4 weeks").click()
    wait_ready(b)
    sb.locator("[data-testid=stMultiSelect]").first.click()
    b.get_by_role("option", name="Sunan").click()
    b.keyboard.press("Escape")
    wait_ready(b)
    b.wait_for_function("() => location.search.includes('district=620721')", timeout=30_000)
    manual = _metrics(b)
    assert manual == from_url
    assert manual != default
    assert re.search(r"period=4w", b.url) and "lang=en" in b.url
    ctx.close()


def test_language_switch_changes_page_and_chart(server, page):
    page.goto(server.url + "/")
    wait_ready(page)
    assert page.locator("h1").first.inner_text().strip() == "总览"
    assert "每周投诉量" in page.locator(".js-plotly-plot").first.inner_text()
    page.locator("[data-testid=stSidebar]").get_by_text("English", exact=True).click()
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText.includes('Overview')",
                           timeout=30_000)
    wait_ready(page)
    assert "Complaints per week" in page.locator(".js-plotly-plot").first.inner_text()
    assert "lang=en" in page.url


def test_png_export_is_not_black(server, page):
    page.goto(server.url + "/")
    wait_ready(page)
    # server-side export (kaleido with the system chromium)
    with page.expect_download(timeout=90_000) as dl:
        page.get_by_role("button", name=t("chart.png", "zh")).first.click()
    png = open(dl.value.path(), "rb").read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    _not_black(png)
    # the chart's own toolbar export, rendered by the browser
    chart = page.locator(".js-plotly-plot").first
    chart.hover()
    with page.expect_download(timeout=60_000) as dl2:
        chart.locator(".modebar-btn[data-title*='png' i]").first.click()
    _not_black(open(dl2.value.path(), "rb").read())
