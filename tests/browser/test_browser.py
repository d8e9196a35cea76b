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
# explore: records first, its chart is a tab; overview: its charts are in sections the reader opens
NO_CHARTS = {"sql", "methodology", "import", "explore", "overview"}


def _url(server, spec, query: str = "") -> str:
    path = "" if spec.default else spec.url_path
    return f"{server.url}/{path}{('?' + query) if query else ''}"


def _not_black(png: bytes) -> None:
    img = Image.open(io.BytesIO(png)).convert("L")
    stat = ImageStat.Stat(img)
    assert stat.mean[0] > 180, f"image too dark (mean {stat.mean[0]:.0f}): black background?"
    assert stat.stddev[0] > 5, "image is blank"


@pytest.mark.parametrize("spec", PUBLIC, ids=lambda s: s.url_path)
def test_page_renders(static_server, page, spec):
    """Every public page as a reader gets it (charts as images); the README's screenshots."""
    server = static_server
    page.goto(_url(server, spec))
    wait_ready(page, charts=spec.url_path not in NO_CHARTS)
    assert shown_errors(page) == []
    assert page.locator("h1").first.inner_text().strip() == t(spec.title_key, "zh")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{spec.url_path}.png"), full_page=False)


def test_narrow_screen(static_server, browser):
    from tests.browser.walkcheck import context_options
    ctx = browser.new_context(**context_options("zh", 390))         # a phone: WeChat on an iPhone
    pg = ctx.new_page()
    pg.goto(static_server.url + "/?ov_weekly=1&ov_districts=1")   # both chart sections open
    wait_ready(pg, charts=True)
    assert pg.locator("[data-testid=stMain] img").count() == 2      # the two charts, drawn for a phone
    assert shown_errors(pg) == []
    # nothing wider than the viewport: no horizontal scrolling of the page
    width = pg.evaluate("() => document.querySelector('[data-testid=stMain]').scrollWidth")
    assert width <= 390
    pg.screenshot(path=str(SHOTS / "overview-narrow.png"), full_page=True)
    ctx.close()


def _nav_labels(pg) -> list[str]:
    links = pg.locator("[data-testid=stSidebarNav] a")
    # each link is "icon name\n\ntitle"
    return [links.nth(i).inner_text().strip().split("\n")[-1] for i in range(links.count())]


def check_page_shown(pg, spec, *, lang: str = "zh") -> None:
    """The page of ``spec`` came up inside the frame: its title (heading and browser tab), the
    sidebar filters, navigation by page titles (never Streamlit's legacy file names), no false
    "no complaints" notice and no error."""
    title = t(spec.title_key, lang)
    pg.wait_for_function(
        "labels => labels.every(l => (document.querySelector('[data-testid=stSidebar]') || {innerText: ''})"
        ".innerText.includes(l))", arg=[t("filter.period", lang), t("filter.route", lang)], timeout=120_000)
    assert pg.locator("h1").first.inner_text().strip() == title
    pg.wait_for_function("t => document.title.startsWith(t)", arg=title, timeout=30_000)
    nav = _nav_labels(pg)
    expected = [t(p.title_key, lang) for p in PUBLIC]
    assert nav == expected, f"navigation {nav} (legacy file names?)"
    body = pg.locator("[data-testid=stMain]").inner_text()
    assert t("data.empty", lang)[:12] not in body
    assert shown_errors(pg) == []


def test_simultaneous_deep_links_on_fresh_server(fresh_server, browser):
    """Ten browsers open deep links (different pages) at the same moment right after a start:
    every one shows its page. Before the fix most of them got Streamlit's legacy multipage mode
    (file-name navigation incl. app and import, the page script run without the frame)."""
    specs = [p for p in PUBLIC if not p.default] + [p for p in PUBLIC if p.default]
    specs = (specs * 2)[:10]
    ctxs, pages = [], []
    for spec in specs:
        ctx = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
        ctxs.append(ctx)
        pages.append(ctx.new_page())
    try:
        # start all ten loads before waiting for any of them
        for pg, spec in zip(pages, specs):
            pg.goto(_url(fresh_server, spec), wait_until="commit")
        for pg, spec in zip(pages, specs):
            wait_ready(pg, charts=False, timeout=180_000)
            check_page_shown(pg, spec)
    finally:
        for ctx in ctxs:
            ctx.close()


def _metrics(pg) -> list[str]:
    vals = pg.locator("[data-testid=stMetricValue]")
    return [vals.nth(i).inner_text() for i in range(vals.count())]


def test_url_filters_reproduce_manual_choice(server, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    a = ctx.new_page()
    a.goto(server.url + "/?period=4w&district=620721&lang=en")
    wait_ready(a, charts=False)                     # the overview's charts are in sections still closed
    from_url = _metrics(a)
    assert a.locator("h1").first.inner_text().strip() == "Overview"

    b = ctx.new_page()
    b.goto(server.url + "/?lang=en")
    wait_ready(b, charts=False)
    default = _metrics(b)
    sb = b.locator("[data-testid=stSidebar]")
    # the period and the districts are pills in the sidebar
    sb.get_by_role("radio", name="Last 4 weeks", exact=True).click()
    wait_ready(b, charts=False)
    sb.get_by_text("Sunan", exact=True).click()
    wait_ready(b, charts=False)
    b.wait_for_function("() => location.search.includes('district=620721')", timeout=30_000)
    manual = _metrics(b)
    assert manual == from_url
    assert manual != default
    assert re.search(r"period=4w", b.url) and "lang=en" in b.url
    ctx.close()


def test_language_switch_changes_page_and_chart(server, page):
    page.goto(server.url + "/")
    wait_ready(page, charts=False)
    assert page.locator("h1").first.inner_text().strip() == "总览"
    # the weekly chart is a section the reader opens: closed, nothing of it is on the page
    main = page.locator("[data-testid=stMain]")
    assert "每周投诉量（ISO 周）" not in main.inner_text() and page.locator(".js-plotly-plot").count() == 0
    main.get_by_text("每周投诉量图", exact=True).click()
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0", timeout=30_000)
    wait_ready(page)
    assert "每周投诉量（ISO 周）" in main.inner_text()                               # chart title above the chart
    assert "ov_weekly=1" in page.url                                                 # a link keeps it open
    assert page.locator("[data-testid=stExpander] details[open]").count() == 1
    page.locator("[data-testid=stSidebar]").get_by_text("English", exact=True).click()
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText.includes('Overview')",
                           timeout=30_000)
    wait_ready(page)
    assert "Complaints per week" in page.locator("[data-testid=stMain]").inner_text()   # chart title above the chart
    assert "Complaints" in page.locator(".js-plotly-plot").first.inner_text()
    assert "lang=en" in page.url


def test_png_export_is_not_black(server, page):
    page.goto(server.url + "/?ov_weekly=1")
    wait_ready(page)
    # server-side export (kaleido with the system chromium)
    with page.expect_download(timeout=90_000) as dl:
        page.get_by_role("button", name=t("chart.png", "zh")).first.click()
    png = open(dl.value.path(), "rb").read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    _not_black(png)
    # on screen a chart has no Plotly toolbar (it covered titles on a phone): the PNG button is the export
    chart = page.locator(".js-plotly-plot").first
    chart.hover()
    assert chart.locator(".modebar-btn").count() == 0
