"""Load test (marker ``load``, not in the default run: ``pytest -m load tests/browser/test_load.py``).

Ten browser sessions at once on a freshly started server, each loading every public page by its
address. Every load must come up without an error: no exception element, the page's title in the
browser tab and the page's own heading. Prints the latency per page (median and max over the ten
sessions) and the peak resident memory (RSS) of the server process.

``test_protocol_client_loads_pages`` (default run) checks bench/load.py's websocket client, which
README "Hardening" load figures are measured with (no browsers: the cores go to the server)."""
from __future__ import annotations

import asyncio
import statistics
import threading
import time
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from ui.i18n import t
from ui.pages_registry import PAGES

SESSIONS = 10
PUBLIC = [p for p in PAGES if not p.internal]


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, _rss_kb(self.pid))
            self.stop.wait(0.2)


async def _load(ctx, base: str, spec, order: int) -> tuple[str, float, list[str]]:
    pg = await ctx.new_page()
    title = t(spec.title_key, "zh")
    problems = []
    t0 = time.perf_counter()
    try:
        await pg.goto(f"{base}/{'' if spec.default else spec.url_path}")
        await pg.wait_for_selector("h1", timeout=180_000)
        await pg.wait_for_function(
            "() => !document.querySelector('[data-testid=stStatusWidget]') || "
            "!document.querySelector('[data-testid=stStatusWidget]').innerText.match(/Running|运行/)",
            timeout=180_000)
        await pg.wait_for_function("t => document.title.startsWith(t)", arg=title, timeout=60_000)
        elapsed = time.perf_counter() - t0
        h1 = (await pg.locator("h1").first.inner_text()).strip()
        if h1 != title:
            problems.append(f"{spec.url_path}: heading {h1!r}")
        n_exc = await pg.locator("[data-testid=stException]").count()
        if n_exc:
            problems.append(f"{spec.url_path}: {n_exc} exception element(s)")
        if t("data.empty", "zh")[:12] in await pg.locator("[data-testid=stMain]").inner_text():
            problems.append(f"{spec.url_path}: false 'no complaints' notice")
    except Exception as exc:  # noqa: BLE001 — a timeout is a failed load, reported below
        elapsed = time.perf_counter() - t0
        problems.append(f"{spec.url_path}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await pg.close()
    return spec.url_path, elapsed, problems


async def _session(browser, base: str, i: int):
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    out = []
    # each session starts at a different page, so the first requests are spread over the pages
    specs = PUBLIC[i % len(PUBLIC):] + PUBLIC[:i % len(PUBLIC)]
    for k, spec in enumerate(specs):
        out.append(await _load(ctx, base, spec, k))
    await ctx.close()
    return out


async def _run(base: str):
    from playwright.async_api import async_playwright
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*[_session(browser, base, i) for i in range(SESSIONS)])
        finally:
            await browser.close()


@pytest.mark.load
def test_ten_sessions_every_page(fresh_server):
    sampler = RssSampler(fresh_server.proc.pid)
    start_rss = _rss_kb(fresh_server.proc.pid)
    sampler.start()
    t0 = time.perf_counter()
    try:
        results = asyncio.run(_run(fresh_server.url))
    finally:
        sampler.stop.set()
        sampler.join()
    wall = time.perf_counter() - t0
    problems = [p for sess in results for _, _, ps in sess for p in ps]
    by_page: dict[str, list[float]] = {}
    for sess in results:
        for path, sec, _ in sess:
            by_page.setdefault(path, []).append(sec)
    print(f"\nload test: {SESSIONS} sessions x {len(PUBLIC)} pages, wall {wall:.1f} s, "
          f"server RSS {start_rss / 1024:.0f} MB at start, peak {sampler.peak / 1024:.0f} MB")
    print(f"{'page':<12} {'median s':>9} {'max s':>7}")
    for spec in PUBLIC:
        xs = by_page[spec.url_path]
        print(f"{spec.url_path:<12} {statistics.median(xs):>9.1f} {max(xs):>7.1f}")
    assert problems == [], problems
    assert sum(len(v) for v in by_page.values()) == SESSIONS * len(PUBLIC)


def test_protocol_client_loads_pages(server):
    """bench/load.py's websocket client (what the load figures in README "Hardening" are measured
    with) gets the same page a browser gets: the frame's and the page's headings, the charts,
    script finished without an exception; several at once too. The server's start-up warm-up
    (ui/data.start_warm_up) ran without a failure."""
    from concurrent.futures import ThreadPoolExecutor

    from bench import load

    def in_thread(fn, *args, **kw):
        # the client runs its own asyncio loop: not in this thread, where Playwright's sync API
        # (the browser tests in the same session) may have one running
        with ThreadPoolExecutor(1) as ex:
            return ex.submit(fn, *args, **kw).result()

    def view_sync(*a, **kw):
        return in_thread(load.view_sync, *a, **kw)

    def crowd(*a, **kw):
        return in_thread(load.crowd, *a, **kw)
    v = view_sync(server.url, "overview")
    assert v.ok, (v.status, v.error, v.exceptions)
    assert t("nav.overview", "zh") in v.headings and v.charts == 0      # its chart sections closed
    v = view_sync(server.url, "overview", query="ov_weekly=1&ov_districts=1")
    assert v.ok and v.charts >= 1, (v.status, v.error, v.exceptions, v.charts)
    en = view_sync(server.url, "trends", query="lang=en")
    assert en.ok and t("nav.trends", "en") in en.headings and en.charts >= 1
    views, _ = crowd(server.url, ["sql", "methodology"], 3)
    assert len(views) == 6 and all(x.ok for x in views), [(x.page, x.error, x.exceptions) for x in views]
    assert {x.page for x in views} == {"sql", "methodology"}
    assert all(t(f"nav.{x.page}", "zh") in x.headings for x in views)
    assert "warm-up failed" not in server.log.read_text()
