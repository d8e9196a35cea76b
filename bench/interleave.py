"""Page-ready medians of several addresses measured in turns: an A/B of two variants of a page.

    python bench/interleave.py --rounds 9 http://127.0.0.1:8602/ http://127.0.0.1:8603/ http://127.0.0.1:8604/

Each round visits every address once, in the order given, each visit a new visitor (a new browser
context: no cache, no cookies); page ready is measured as in bench/pageready.py. One warm-up visit
per address comes first (server caches warm). Visiting in turns means a busy moment of this shared
machine hits every variant alike; the ratios to the first address (put the floor page there) are
what to compare. Servers are not started here: run each variant on its own port (for example
``ODR_DB=… streamlit run app.py --server.port 8603`` with and without the change under test).

``--cpu`` also reports the browser's main-thread CPU time per visit (the page's renderer thread,
from a Chromium trace: the thread time of its top-level tasks from navigation until the page has been
unchanged for the quiet period). From boot to page ready that thread is busy all the time, so this
is the work page ready waits for; as thread time it does not grow when another process takes the
core, and its medians spread by ±2–3 % here where page-ready medians spread by ±5 %: the instrument
for changes of a few tens of ms. The trace itself adds ~10–15 % to both.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pageready import CHROMIUM, CHROMIUM_ARGS, new_visitor, settle  # noqa: E402


# trace categories: top-level tasks (RunTask, with their thread time "tdur") and thread names
TRACE = {"includedCategories": ["toplevel", "__metadata"]}


def main_thread_cpu_ms(events: list[dict]) -> float | None:
    """The renderer main thread's CPU time in ms from Chromium trace ``events``: the thread time of
    its top-level tasks, summed; of the renderer process with the most (the page's, not a blank
    one's). None when the trace has no renderer main thread."""
    mains = {(e.get("pid"), e.get("tid")) for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name"
             and (e.get("args") or {}).get("name") == "CrRendererMain"}
    per_pid: dict = {}
    for e in events:
        if (e.get("pid"), e.get("tid")) in mains and e.get("ph") == "X" and "tdur" in e \
                and e.get("name") in ("ThreadControllerImpl::RunTask", "RunTask"):
            per_pid[e["pid"]] = per_pid.get(e["pid"], 0) + e["tdur"]
    return max(per_pid.values()) / 1000 if per_pid else None


def _visit(browser, url: str, cpu: bool) -> tuple[float | None, float | None]:
    """One new visitor's page-ready seconds and, with ``cpu``, the main thread's CPU ms."""
    ctx, pg = new_visitor(browser)
    try:
        events: list[dict] = []
        done: list[bool] = []
        if cpu:
            cdp = ctx.new_cdp_session(pg)
            cdp.on("Tracing.dataCollected", lambda e: events.extend(e["value"]))
            cdp.on("Tracing.tracingComplete", lambda e: done.append(True))
            cdp.send("Tracing.start", {"traceConfig": TRACE, "transferMode": "ReportEvents"})
        t0 = time.perf_counter()
        pg.goto(url, wait_until="domcontentloaded")
        secs, _ = settle(pg, t0)
        if not cpu:
            return secs, None
        cdp.send("Tracing.end")
        deadline = time.perf_counter() + 30
        while not done and time.perf_counter() < deadline:
            pg.wait_for_timeout(20)
        return secs, main_thread_cpu_ms(events)
    finally:
        ctx.close()


def measure(urls: list[str], rounds: int, log=print, cpu: bool = False):
    """Page-ready seconds per address, ``rounds`` visits each in turns; with ``cpu`` a pair
    ({url: [seconds]}, {url: [main-thread CPU ms]})."""
    from playwright.sync_api import sync_playwright
    out: dict[str, list[float | None]] = {u: [] for u in urls}
    cpu_ms: dict[str, list[float | None]] = {u: [] for u in urls}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for r in range(rounds + 1):              # round 0 warms the servers' caches
                for u in urls:
                    secs, ms = _visit(browser, u, cpu)
                    if r:
                        out[u].append(secs)
                        cpu_ms[u].append(ms)
                        log(f"  round {r} {u}: {'—' if secs is None else f'{secs:.2f} s'}"
                            + (f", main thread {ms:.0f} ms" if ms is not None else ""))
        finally:
            browser.close()
    return (out, cpu_ms) if cpu else out


def _median(xs):
    ok = [x for x in xs if x is not None]
    return (statistics.median(ok), min(ok), max(ok)) if ok else None


def table(urls: list[str], res: dict, cpu: dict | None = None) -> str:
    """The Markdown table of medians (min, max) and ratios to the first address; with ``cpu`` the
    main thread's CPU ms beside the page-ready seconds."""
    head = "| address | median s | min s | max s | × first |"
    rule = "|---|---:|---:|---:|---:|"
    if cpu is not None:
        head += " main-thread CPU ms | min | max | × first |"
        rule += "---:|---:|---:|---:|"
    lines = [head, rule]
    ref = _median(res[urls[0]])
    ref_cpu = _median(cpu[urls[0]]) if cpu is not None else None
    for u in urls:
        m = _median(res[u])
        row = f"| {u} | " + (f"{m[0]:.2f} | {m[1]:.2f} | {m[2]:.2f} | " + (f"{m[0] / ref[0]:.2f}× |" if ref else "— |")
                             if m else "— | — | — | — |")
        if cpu is not None:
            c = _median(cpu[u])
            row += (f" {c[0]:.0f} | {c[1]:.0f} | {c[2]:.0f} | " + (f"{c[0] / ref_cpu[0]:.2f}× |" if ref_cpu else "— |")
                    if c else " — | — | — | — |")
        lines.append(row)
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("urls", nargs="+", help="addresses of running servers; the first is the reference")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--cpu", action="store_true",
                    help="also the browser main thread's CPU ms per visit (a Chromium trace)")
    a = ap.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    res, cpu = measure(a.urls, a.rounds, log=log, cpu=True) if a.cpu else (measure(a.urls, a.rounds, log=log), None)
    print(table(a.urls, res, cpu))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
