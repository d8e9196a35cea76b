"""Browser tests: the real server on a free port, driven by Playwright in Debian's Chromium.

When the browser cannot be started the tests FAIL (they never skip silently): CI must install
chromium and fonts-noto-cjk (.ci/run does).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("ODR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, db: Path, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = ARTIFACTS / f"server-{self.port}.log"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        e = {**os.environ, "ODR_DB": str(db), **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=e, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("streamlit did not become healthy in 60 s")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture(scope="session")
def browser_db(sample_db, tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("browser") / "odr.duckdb"
    shutil.copy(sample_db, p)
    return p


@pytest.fixture(scope="session")
def server(browser_db):
    s = Server(browser_db)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def static_server(browser_db, tmp_path_factory):
    """A server drawing charts as SVG images, as readers get them (the tests' default is interactive
    Plotly charts, see tests/conftest.py), with a figure cache of its own."""
    s = Server(browser_db, env={"ODR_CHARTS": "static",
                                "ODR_FIGURE_CACHE": str(tmp_path_factory.mktemp("figures"))})
    yield s
    s.stop()


@pytest.fixture
def fresh_server(browser_db):
    """A server started for this test only: its first request is the test's."""
    s = Server(browser_db)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 — fail loudly, never skip
        pw.stop()
        pytest.fail(f"cannot start Chromium at {CHROMIUM}: {exc}", pytrace=False)
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True,
                              locale="zh-CN")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def wait_ready(pg, charts: bool = True, timeout: float = 60_000):
    """Wait until the script has finished running and, if asked, a chart has drawn."""
    pg.wait_for_selector("[data-testid=stSidebar]", state="attached", timeout=timeout)
    pg.wait_for_selector("h1", timeout=timeout)
    # the "running" indicator disappears when the script run ends
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]') || "
        "!document.querySelector('[data-testid=stStatusWidget]').innerText.match(/Running|运行/)",
        timeout=timeout)
    # every element drawn: no placeholder left of one whose code is still loading (metrics, buttons)
    pg.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]')", timeout=timeout)
    if charts:       # a Plotly chart drawn, or a chart image (the readers' default) loaded
        pg.wait_for_function(
            "() => !!document.querySelector('.js-plotly-plot .main-svg') || Array.from("
            "document.querySelectorAll('[data-testid=stMain] [data-testid=stImage] img, [data-testid=stMain] img'))"
            ".some(im => im.complete && im.naturalWidth > 0)", timeout=timeout)
    pg.wait_for_timeout(800)


def shown_errors(pg) -> list[str]:
    loc = pg.locator("[data-testid=stException], [data-testid=stAlertContentError]")
    return [loc.nth(i).inner_text() for i in range(loc.count())]
