"""Browser page-ready time: how long a reader waits for a page.

Definition (as /work/shared/tools/pagetime.py, which the issue's figures were measured with): from
navigation in Chromium until the script has finished, every Plotly chart has drawn and nothing in the
main pane has changed for 1.5 s — the quiet time itself not counted. Each visit is a new browser
context (a new visitor: no cookies, no session).

``measure_app`` runs, for a list of pages, the *first visit after a server start* (a new server per
page, empty caches; for the overview this also gives the cold start, process start to page ready)
and ``rounds`` warm visits (one server, every page visited once first, then each round visits every
page in a new context; the median is reported). The floor — a one-line Streamlit script
(bench/floor_app.py) served by its own server — is measured the same way in the same run, interleaved
with the app's pages, so the ratios compare like with like on a shared, noisy machine.
A second reference, bench/floor_widgets_app.py (a few metrics, an image, download buttons and the
kinds of sidebar controls the app has, nothing computed), is measured in the warm rounds: what those
element types alone cost any Streamlit page, whose code the browser loads when it first meets them.

    python bench/pageready.py --db bench/out/bench-1000000.duckdb [--pages overview sql] [--rounds 3]
    python bench/pageready.py --db bench/out/bench-10000000.duckdb --cold 6     # cold starts only
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR_APP = ROOT / "bench" / "floor_app.py"
FLOOR_WIDGETS_APP = ROOT / "bench" / "floor_widgets_app.py"     # a page of a few on-demand element types
CHROMIUM = os.environ.get("ODR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-component-update", "--disable-background-networking", "--disable-sync"]
QUIET = 1.5          # s the main pane must stay unchanged (not counted)
LIMIT = 180.0        # s before a visit counts as failed
W, H = 1400, 900

# [busy, elements in the main pane, drawn Plotly charts, tables, length of the main pane's text]
SNAP = """() => {
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app ? app.getAttribute('data-test-script-state') : 'initial';
  const busy = state !== 'notRunning' || !!document.querySelector('[data-testid="stSkeleton"]');
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg').length;
  const tables = document.querySelectorAll('[data-testid="stDataFrame"] canvas, [data-testid="stTable"] table').length;
  return [busy, main.querySelectorAll('*').length, charts, tables, main.innerText.length]; }"""


def settle(pg, t0: float, quiet: float = QUIET, limit: float = LIMIT):
    """Seconds from ``t0`` to the last change in the main pane, once the pane has been unchanged
    (and the script not running) for ``quiet`` s; None after ``limit`` s."""
    last, last_t = None, time.perf_counter()
    while True:
        snap = pg.evaluate(SNAP)
        now = time.perf_counter()
        if snap != last or snap[0]:
            last, last_t = snap, now
        elif now - last_t >= quiet and snap[4] > 20:
            return last_t - t0, snap
        if now - t0 > limit:
            return None, snap
        pg.wait_for_timeout(50)


def url_of(page: str) -> str:
    """The address of a page by its url path ('' for the floor app and the default page)."""
    return "" if page in ("overview", "floor", "") else page


class StreamlitServer:
    """``streamlit run script`` on ``port`` (cwd = the repository, so .streamlit/config.toml applies)."""

    def __init__(self, script: Path, port: int, env: dict | None = None, log: Path | None = None):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.t_start = time.perf_counter()
        out = log.open("w") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT)

    def wait_healthy(self, timeout: float = 120) -> float:
        """Seconds from process start to the health endpoint answering."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit on port {self.port} exited early")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - self.t_start
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"streamlit on port {self.port} did not become healthy in {timeout:.0f} s")

    def cpu_s(self) -> float:
        """User + system CPU seconds the server process has used so far."""
        return proc_cpu_s(self.proc.pid)

    def peak_rss_mb(self) -> float:
        return proc_status_kb(self.proc.pid, "VmHWM") / 1024

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def proc_cpu_s(pid: int) -> float:
    """utime + stime of a process (and its waited-for children) from /proc/<pid>/stat, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    # fields after the command: state(0) ... utime(11) stime(12) cutime(13) cstime(14)
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks


def proc_status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def new_visitor(browser):
    """A new browser context (no cookies, no cache) and its tab."""
    ctx = browser.new_context(viewport={"width": W, "height": H}, locale="zh-CN")
    return ctx, ctx.new_page()


def visit(browser, base: str, page: str, t0: float | None = None, shots: Path | None = None,
          tag: str = "", tab=None) -> dict:
    """One new visitor loads ``page``: seconds to ready (from ``t0`` when given, else from navigation).
    ``tab``: a (context, page) of :func:`new_visitor` opened beforehand (the cold start: the reader's
    browser is open before the server starts, so opening a tab is not part of the wait)."""
    ctx, pg = tab or new_visitor(browser)
    try:
        t_nav = time.perf_counter()
        pg.goto(f"{base}/{url_of(page)}", wait_until="domcontentloaded", timeout=int(LIMIT * 1000))
        secs, snap = settle(pg, t_nav)
        exc = pg.locator('[data-testid="stException"]').count()
        if shots:
            pg.screenshot(path=str(shots / f"{page}-{tag}.png"), full_page=True)
    finally:
        ctx.close()
    rec = {"page": page, "s": secs, "exceptions": exc, "charts": snap[2], "tables": snap[3]}
    if secs is not None and t0 is not None:
        rec["from_start_s"] = secs + (t_nav - t0)
    return rec


@dataclass
class PageReady:
    page: str
    first_s: float | None = None
    warm: list = field(default_factory=list)
    exceptions: int = 0

    @property
    def warm_s(self) -> float | None:
        xs = [x for x in self.warm if x is not None]
        return statistics.median(xs) if xs else None


@dataclass
class ReadyResult:
    pages: dict            # page -> PageReady (the floor under "floor")
    cold_start_s: float | None = None       # server process start to the overview ready
    healthy_s: float | None = None           # server process start to /_stcore/health answering
    floor_healthy_s: float | None = None
    app_peak_mb: float | None = None
    rounds: int = 0
    floor_widgets: PageReady | None = None     # bench/floor_widgets_app.py, warm visits

    def ratio(self, page: str, which: str) -> float | None:
        a = getattr(self.pages[page], which)
        f = getattr(self.pages["floor"], which)
        return a / f if a is not None and f else None


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def measure_app(db: Path, pages: list[str], rounds: int = 3, port: int = 8611, floor_port: int = 8612,
                shots: Path | None = None, log=_log) -> ReadyResult:
    """First visit after a server start (a new server per page) and ``rounds`` warm visits, for
    ``pages`` of the app on ``db`` and for the floor page."""
    from playwright.sync_api import sync_playwright
    env = {"ODR_DB": str(db)}
    res = {p: PageReady(p) for p in ["floor", *pages]}
    out = ReadyResult(res, rounds=rounds)
    widgets = PageReady("floor_widgets")    # warm visits only: a reference, not a target
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # 1. the first visitor after a start: a new server for each page
            for page in ["floor", *pages]:
                tab = new_visitor(browser)
                srv = StreamlitServer(FLOOR_APP if page == "floor" else ROOT / "app.py",
                                      floor_port if page == "floor" else port, env)
                try:
                    healthy = srv.wait_healthy()
                    rec = visit(browser, srv.url, page, t0=srv.t_start, shots=shots, tag="first", tab=tab)
                finally:
                    srv.stop()
                res[page].first_s = rec["s"]
                res[page].exceptions += rec["exceptions"]
                if page == "floor":
                    out.floor_healthy_s = healthy
                elif page == "overview":
                    out.cold_start_s, out.healthy_s = rec.get("from_start_s"), healthy
                log(f"  first  {page:<12} {fmt_s(rec['s'])} s (server healthy after {healthy:.1f} s)")
            # 2. warm caches: one server each, every page visited once, then `rounds` new visitors
            if rounds < 1:
                return out
            app = StreamlitServer(ROOT / "app.py", port, env)
            floor = StreamlitServer(FLOOR_APP, floor_port)
            floor_w = StreamlitServer(FLOOR_WIDGETS_APP, floor_port + 1)
            url = {"floor": floor.url, "floor_widgets": floor_w.url}
            try:
                app.wait_healthy()
                floor.wait_healthy()
                floor_w.wait_healthy()
                for page in pages:
                    visit(browser, app.url, page)
                visit(browser, floor.url, "floor")
                visit(browser, floor_w.url, "floor")
                for r in range(1, rounds + 1):
                    for page in ["floor", "floor_widgets", *pages]:
                        into = widgets if page == "floor_widgets" else res[page]
                        # the reference pages are served at their server's root ("floor" = no path)
                        rec = visit(browser, url.get(page, app.url), "floor" if page in url else page,
                                    shots=shots if r == rounds and page != "floor_widgets" else None,
                                    tag="warm")
                        into.warm.append(rec["s"])
                        into.exceptions += rec["exceptions"]
                        log(f"  warm{r}  {page:<13} {fmt_s(rec['s'])} s")
                out.app_peak_mb = app.peak_rss_mb()
                out.floor_widgets = widgets
            finally:
                app.stop()
                floor.stop()
                floor_w.stop()
        finally:
            browser.close()
    return out


def fmt_s(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def fmt_x(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}×"


def cold_starts(db: Path, trials: int, port: int = 8611, floor_port: int = 8612, log=_log) -> dict:
    """``trials`` cold starts of the app (server process start to the overview ready for a visitor
    whose tab was open before the start), alternating with the floor page's, measured as in
    :func:`measure_app`. Returns {"app": [s, …], "floor": [s, …]}."""
    from playwright.sync_api import sync_playwright
    out = {"app": [], "floor": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for i in range(trials):
                for which in ("floor", "app"):
                    tab = new_visitor(browser)
                    srv = (StreamlitServer(FLOOR_APP, floor_port) if which == "floor" else
                           StreamlitServer(ROOT / "app.py", port, {"ODR_DB": str(db)}))
                    try:
                        healthy = srv.wait_healthy()
                        rec = visit(browser, srv.url, "overview" if which == "app" else "floor",
                                    t0=srv.t_start, tab=tab)
                    finally:
                        srv.stop()
                    out[which].append(rec.get("from_start_s"))
                    log(f"  cold {i + 1} {which:<6} healthy {healthy:.2f} s, ready {fmt_s(rec.get('from_start_s'))} s"
                        " after the process started")
        finally:
            browser.close()
    return out


def main(argv=None) -> int:
    from ui.pages_registry import PAGES
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--pages", nargs="+", default=[p.url_path for p in PAGES if not p.internal])
    ap.add_argument("--rounds", type=int, default=3, help="warm visits per page (0: first visits only)")
    ap.add_argument("--port", type=int, default=8611)
    ap.add_argument("--floor-port", type=int, default=8612, help="the floor page's port (the floor with widgets: the next one)")
    ap.add_argument("--shots", help="directory for full-page screenshots")
    ap.add_argument("--cold", type=int, default=0, metavar="N",
                    help="only measure N cold starts (app and floor page, alternating)")
    a = ap.parse_args(argv)
    if a.cold:
        r = cold_starts(Path(a.db).resolve(), a.cold, a.port, a.floor_port)
        med = {k: statistics.median([x for x in v if x is not None] or [float("nan")]) for k, v in r.items()}
        print(json.dumps({"cold_start_s": r, "median_s": med}, indent=1))
        return 0
    shots = Path(a.shots) if a.shots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    r = measure_app(Path(a.db).resolve(), a.pages, a.rounds, a.port, a.floor_port, shots)
    print(json.dumps({"cold_start_s": r.cold_start_s, "healthy_s": r.healthy_s, "app_peak_mb": r.app_peak_mb,
                      "pages": {p: {"first_s": v.first_s, "warm": v.warm, "warm_s": v.warm_s,
                                    "exceptions": v.exceptions} for p, v in r.pages.items()},
                      "floor_widgets": ({"warm": r.floor_widgets.warm, "warm_s": r.floor_widgets.warm_s}
                                        if r.floor_widgets else None)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
