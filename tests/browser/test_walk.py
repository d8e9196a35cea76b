"""Issue #17's Done-when: every public page, in Chinese and English, at 1280 px, 1400 px and on a
phone (390 px), read by tests/browser/walkcheck.py. A test fails listing every violation it found:
sideways scrolling (page or table), cut text, the chart toolbar over a title, English month names,
k/M numbers or ISO dates on Chinese charts, Chinese outside data values in English mode, raw ISO
dates, "None"/"nan" on screen. ``ODR_WALK_SHOTS=dir`` keeps a full-page screenshot of each view."""
from __future__ import annotations

import os

import pytest

from tests.browser import walkcheck
from ui.pages_registry import PAGES

PUBLIC = [p.url_path for p in PAGES if not p.internal]
LANGS = ["zh", "en"]
WIDTHS = [1280, 1400, 390]


@pytest.fixture(scope="session")
def data_values(browser_db):
    return walkcheck.DataValues(browser_db)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page_path", PUBLIC)
def test_walk(server, browser, data_values, page_path, lang, width):
    _walk(server, browser, data_values, page_path, lang, width)


def _walk(server, browser, data_values, page_path, lang, width):
    ctx = browser.new_context(**walkcheck.context_options(lang, width))   # 390 px: a phone
    try:
        found = walkcheck.check_page(ctx.new_page(), server.url, page_path, lang, width, data_values,
                                     shots=os.environ.get("ODR_WALK_SHOTS"))
    finally:
        ctx.close()
    if found:
        pytest.fail(f"{len(found)} violation(s):\n" + "\n".join(map(str, found)), pytrace=False)


@pytest.mark.parametrize("width", [1400, 390])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page_path", PUBLIC)
def test_walk_static_charts(static_server, browser, data_values, page_path, lang, width):
    """The same walk with charts as SVG images (what a reader gets by default): the images load, fit
    the window, and their texts follow the language rules."""
    _walk(static_server, browser, data_values, page_path, lang, width)


def test_checker_sees_violations():
    """The checker's text rules catch what they are meant to (and leave data values alone)."""
    data = walkcheck.DataValues(None)
    data.runs = {"甘州区某商行"}
    data.text = "甘州区某商行"
    probe = {"main": "Data as of 2024-03-14\nStatus: 受理\nMerchant 甘州区某商行\nValue None\nnan%",
             "sidebar": "中文 English",
             "charts": [{"name": "chart “x”", "ticks": ["Dec 17 2023", "100k", "2024-W10"], "legend": ["0.8M"],
                         "annotations": [], "all": ["Dec 17 2023"], "dateTicks": ["Dec 17 2023"]}]}
    en = {(v.kind, v.detail.split(": ")[0]) for v in walkcheck._text_checks("p", "en", 1400, probe, data)}
    assert ("chinese", "main pane") in en                     # 受理 is vocabulary, not data
    assert not any("甘州区某商行" in str(v) or "中文" in str(v)
                   for v in walkcheck._text_checks("p", "en", 1400, probe, data) if v.kind == "chinese")
    assert ("missing-word", "main pane") in en and ("iso-date", "main pane") in en
    zh = {v.kind for v in walkcheck._text_checks("p", "zh", 1400, probe, data)}
    assert {"en-month", "si-suffix", "date-form", "missing-word"} <= zh and "chinese" not in zh
