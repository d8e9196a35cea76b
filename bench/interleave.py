"""Page-ready medians of several addresses measured in turns: an A/B of two variants of a page.

    python bench/interleave.py --rounds 9 http://127.0.0.1:8602/ http://127.0.0.1:8603/ http://127.0.0.1:8604/

Each round visits every address once, in the order given, each visit a new visitor (a new browser
context: no cache, no cookies); page ready is measured as in bench/pageready.py. One warm-up visit
per address comes first (server caches warm). Visiting in turns means a busy moment of this shared
machine hits every variant alike; the ratios to the first address (put the floor page there) are
what to compare. Servers are not started here: run each variant on its own port (for example
``ODR_DB=… streamlit run app.py --server.port 8603`` with and without the change under test).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pageready import CHROMIUM, CHROMIUM_ARGS, new_visitor, settle  # noqa: E402


def measure(urls: list[str], rounds: int, log=print) -> dict[str, list[float | None]]:
    from playwright.sync_api import sync_playwright
    out: dict[str, list[float | None]] = {u: [] for u in urls}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for r in range(rounds + 1):              # round 0 warms the servers' caches
                for u in urls:
                    ctx, pg = new_visitor(browser)
                    try:
                        t0 = time.perf_counter()
                        pg.goto(u, wait_until="domcontentloaded")
                        secs, _ = settle(pg, t0)
                    finally:
                        ctx.close()
                    if r:
                        out[u].append(secs)
                        log(f"  round {r} {u}: {'—' if secs is None else f'{secs:.2f} s'}")
        finally:
            browser.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("urls", nargs="+", help="addresses of running servers; the first is the reference")
    ap.add_argument("--rounds", type=int, default=7)
    a = ap.parse_args(argv)
    res = measure(a.urls, a.rounds, log=lambda m: print(m, file=sys.stderr, flush=True))
    med = {}
    for u, xs in res.items():
        ok = [x for x in xs if x is not None]
        med[u] = statistics.median(ok) if ok else None
    ref = med[a.urls[0]]
    print("| address | median s | min s | max s | × first |")
    print("|---|---:|---:|---:|---:|")
    for u, xs in res.items():
        ok = [x for x in xs if x is not None]
        if not ok:
            print(f"| {u} | — | — | — | — |")
            continue
        ratio = f"{med[u] / ref:.2f}×" if ref else "—"
        print(f"| {u} | {med[u]:.2f} | {min(ok):.2f} | {max(ok):.2f} | {ratio} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
