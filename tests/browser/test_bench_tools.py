"""The page-ready tools the README's benchmark figures come from (bench/interleave.py,
bench/pageready.py) measure the reference pages: both load in Chromium without an error and are
timed; the widget floor page shows the element types it stands for."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bench import interleave, pageready
from tests.browser.conftest import free_port


def test_interleave_times_the_reference_pages(browser):
    floor = pageready.StreamlitServer(pageready.FLOOR_APP, free_port())
    widgets = pageready.StreamlitServer(pageready.FLOOR_WIDGETS_APP, free_port())
    try:
        floor.wait_healthy(60)
        widgets.wait_healthy(60)
        # Playwright's sync API runs its own loop: not in this thread, where the session's browser
        # fixture has one
        with ThreadPoolExecutor(1) as ex:
            res = ex.submit(interleave.measure, [floor.url + "/", widgets.url + "/"], 2, lambda m: None).result()
        assert set(res) == {floor.url + "/", widgets.url + "/"}
        for url, xs in res.items():
            assert len(xs) == 2 and all(x is not None and 0 < x < 60 for x in xs), (url, xs)
        # --cpu: the main thread's CPU time per visit, from a trace; the widget page costs more
        with ThreadPoolExecutor(1) as ex:
            secs, cpu = ex.submit(interleave.measure, [floor.url + "/", widgets.url + "/"], 1, lambda m: None,
                                  True).result()
        (f_ms,), (w_ms,) = cpu[floor.url + "/"], cpu[widgets.url + "/"]
        assert 20 < f_ms < 20_000 and 20 < w_ms < 20_000, cpu
        assert w_ms > f_ms, cpu
        assert all(x is not None for xs in secs.values() for x in xs)

        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            pg = ctx.new_page()
            pg.goto(widgets.url + "/")
            pg.wait_for_selector("[data-testid=stDownloadButton]", timeout=60_000)
            pg.wait_for_function("() => document.querySelectorAll('[data-testid=stMetric]').length === 3",
                                 timeout=60_000)
            assert pg.locator("[data-testid=stDownloadButton]").count() == 2
            assert pg.locator("[data-testid=stMain] img").count() == 1
            assert pg.locator("[data-testid=stSidebar] [data-testid=stButtonGroup]").count() == 3
            assert pg.locator("[data-testid=stException]").count() == 0
        finally:
            ctx.close()
    finally:
        floor.stop()
        widgets.stop()
