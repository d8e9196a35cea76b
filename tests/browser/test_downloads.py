"""Downloads in the browser (issue #17): the overview's weekly chart with 甘州 selected, in Chinese
and English — the suggested file names carry page, content, period and district, the CSV's first
line holds the reader's headers (the codes CSV in its popover keeps the column names), and the PNG
is a PNG. Chromium saves UTF-8 (Chinese) file names as suggested."""
from __future__ import annotations

import os

import pytest

from analytics.sample import AS_OF
from tests.browser.conftest import Server, shown_errors, wait_ready
from ui import export
from ui.i18n import t
from ui.state import preset_range

WEEKLY_COLS = ["week", "week_start", "week_end", "complaints", "odr", "traditional", "partial"]


@pytest.fixture(scope="module")
def dl_server(browser_db):
    """The server, on port ODR_TEST_PORT when set (machines that hand out fixed ports)."""
    from tests.browser import conftest as bc
    port, orig = os.environ.get("ODR_TEST_PORT"), bc.free_port
    if port:
        bc.free_port = lambda: int(port)
    try:
        s = Server(browser_db)
    finally:
        bc.free_port = orig
    yield s
    s.stop()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_weekly_downloads_carry_context(dl_server, browser, lang, tmp_path):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="zh-CN")
    page = ctx.new_page()
    try:
        page.goto(dl_server.url + "/?district=620702&ov_weekly=1" + ("&lang=en" if lang == "en" else ""))
        wait_ready(page)
        assert shown_errors(page) == []
        d0, d1 = preset_range("13w", AS_OF)
        if lang == "zh":
            stem = f"总览_每周投诉量_{d0}至{d1}_甘州区"
        else:
            stem = f"overview_weekly-complaints_{d0}_to_{d1}_Ganzhou"

        # the weekly chart is the page's first chart block
        with page.expect_download(timeout=60_000) as d:
            page.get_by_role("button", name=t("chart.csv", lang)).first.click()
        assert d.value.suggested_filename == stem + ".csv"
        raw = open(d.value.path(), "rb").read()
        assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM"
        first = raw.decode("utf-8-sig").splitlines()[0]
        assert first == ",".join(export.column_label(c, lang) for c in WEEKLY_COLS)
        if lang == "zh":
            assert first.startswith("周,") and "投诉量" in first
        # the UTF-8 name survives saving
        target = tmp_path / d.value.suggested_filename
        d.value.save_as(target)
        assert target.read_bytes() == raw and os.listdir(tmp_path) == [stem + ".csv"]

        with page.expect_download(timeout=90_000) as d:
            page.get_by_role("button", name=t("chart.png", lang)).first.click()
        assert d.value.suggested_filename == stem + ".png"
        assert open(d.value.path(), "rb").read()[:8] == b"\x89PNG\r\n\x1a\n"

        # the codes CSV, in the block's small popover
        page.get_by_role("button", name=t("dl.more", lang)).first.click()
        with page.expect_download(timeout=60_000) as d:
            page.get_by_role("button", name=t("dl.codes", lang)).first.click()
        assert d.value.suggested_filename == stem + "_" + t("file.suffix.codes", lang) + ".csv"
        assert open(d.value.path(), "rb").read().decode("utf-8-sig").splitlines()[0] == ",".join(WEEKLY_COLS)
    finally:
        ctx.close()
