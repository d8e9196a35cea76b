"""Benchmark: the dashboard's queries per page against an idiomatic pandas baseline, and what a
reader waits for: each page's ready time in a browser beside a one-line Streamlit page.

    python bench/bench.py                       # 1M and 10M complaints, everything
    python bench/bench.py --rows 1000000 --repeat 5 --skip-browser
    python bench/bench.py --rows 10000000 --browser-only --pages overview sql --rounds 3

For each size N it builds ``bench/out/bench-N.duckdb`` with ``python -m analytics init --sample
--rows N`` (kept between runs; ``--rebuild`` forces it), then:

1. records, for every page, the analytics calls the page makes (AppTest run of the real page with
   ``ui.data.RECORDER``; the frame's own calls included) with its default filters;
2. replays them directly on the app's read-only connection (``analytics.db.shared``), without
   the page caches and with every remembered result cleared before each run
   (``db.clear_memos(results_only=True)``: only the per-snapshot reference lookups — meta, districts,
   coverage, table sizes — stay, as in the running app): one warm-up, then the median of
   ``--repeat`` runs; all pages are timed before the pandas tables are loaded;
3. answers the same calls with pandas on all tables loaded in memory (bench/baselines.py) — checked
   to give the same numbers — and times them the same way;
4. measures in Chromium (bench/pageready.py) each page's ready time — navigation until the script has
   finished, every chart has drawn and the main pane has not changed for 1.5 s (not counted) — for the
   first visitor after a server start (a new server per page) and as the median of ``--rounds`` warm
   new visitors, beside the floor page (bench/floor_app.py, its own server, same run); the overview's
   first visit also gives the cold start (server process start to the page ready); then the server's
   peak memory; the warm rounds also visit bench/floor_widgets_app.py (a page of a few element types
   whose code loads on demand, nothing computed: a reference, not a target);
5. runs bench/import_bench.py (1M-row GB18030 CSV import) when present.

It prints a table (also written to bench/out/results-N.md). Figures, not pass/fail: the machine is
shared and noisy, compare ratios measured in one run.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def build(n: int, rebuild: bool) -> tuple[Path, float | None]:
    OUT.mkdir(parents=True, exist_ok=True)
    p = OUT / f"bench-{n}.duckdb"
    if p.exists() and not rebuild:
        refresh_if_stale(p)
        return p, None
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "analytics", "init", "--sample", "--rows", str(n), "--db", str(p)],
                   cwd=ROOT, check=True)
    return p, time.perf_counter() - t0


def refresh_if_stale(p: Path) -> None:
    """Rebuild the aggregate tables of a kept database built by older code (their stamp hashes
    the aggregate SQL): otherwise the pages would silently run their plain queries."""
    from analytics import build as abuild
    t0 = time.perf_counter()
    if abuild.refresh_if_stale(p):
        print(f"{p.name}: aggregate tables rebuilt for this code in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)


def record_pages(db: Path, only: list[str] | None = None) -> dict[str, list]:
    """The analytics calls each public page makes, by AppTest run of the real app."""
    os.environ["ODR_DB"] = str(db)
    import streamlit as st

    from analytics import db as adb
    from tests.apptest import run_app
    from ui import data
    from ui.pages_registry import PAGES
    calls = {}
    for spec in PAGES:
        if spec.internal or (only and spec.url_path not in only):
            continue
        st.cache_data.clear()
        adb.reset_shared()
        data.RECORDER = []
        at = run_app(spec.path, timeout=600)
        if at.exception:
            print(f"  ! {spec.url_path}: {at.exception[0].value}", file=sys.stderr)
        unique, seen = [], set()
        for fn, a, k in data.RECORDER:          # the page's cache would answer repeats
            key = (fq(fn), repr(a), repr(sorted(k.items())))
            if key not in seen:
                seen.add(key)
                unique.append((fn, a, k))
        calls[spec.url_path] = unique
        data.RECORDER = None
    adb.reset_shared()
    return calls


def fq(fn) -> str:
    return f"{fn.__module__}.{fn.__name__}"


def time_runs(run, repeat: int, before=None) -> float:
    """Median seconds of ``repeat`` runs after one warm-up; ``before()`` runs untimed first."""
    ts = []
    for k in range(repeat + 1):
        if before:
            before()
        t0 = time.perf_counter()
        run()
        if k:                                   # the first run warms up
            ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def _same(a, b) -> bool:
    import numpy as np
    import pandas as pd
    if isinstance(a, pd.DataFrame):
        if not isinstance(b, pd.DataFrame):
            return False
        cols = [c for c in a.columns if c in b.columns]
        if len(cols) < len(a.columns) or len(a) != len(b):
            return False
        for c in cols:
            x, y = a[c].reset_index(drop=True), b[c].reset_index(drop=True)
            if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
                if not np.allclose(x.astype(float), y.astype(float), equal_nan=True, rtol=1e-9, atol=1e-6):
                    return False
            elif [str(v) if not pd.isna(v) else None for v in x] != [str(v) if not pd.isna(v) else None for v in y]:
                return False
        return True
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is None and b is None
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6) or (a != a and b != b)
    return a == b


def measure_queries(db: Path, calls: dict, repeat: int, pandas: bool = True) -> tuple[list[dict], dict | None]:
    """DuckDB first (before 4 GB of pandas frames share the process), then pandas on the tables
    loaded in memory; results compared call by call."""
    import resource

    from analytics import db as adb
    from bench.baselines import BASELINES, Tables
    con = adb.shared(db)          # the connection the app uses (read-only snapshot)

    def clear():                  # as on a page visit: reference lookups kept, no result reused
        adb.clear_memos(results_only=True)

    rows = []
    for page, cs in calls.items():
        def run_duck(cs=cs):
            return [fn(con, *a, **k) for fn, a, k in cs]
        duck = time_runs(run_duck, repeat, before=clear)
        rows.append({"page": page, "calls": len(cs), "duckdb_ms": duck * 1000, "pandas_ms": None,
                     "ratio": None, "missing": sorted({fq(fn) for fn, _, _ in cs if fq(fn) not in BASELINES}),
                     "mismatch": []})
    if not pandas:
        adb.reset_shared()
        return rows, None
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    tables = Tables(con)
    load_s = time.perf_counter() - t0
    info = {"pandas_load_s": load_s, "pandas_frames_mb": tables.memory_bytes() / 2**20,
            "pandas_rss_growth_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024}
    for row, cs in zip(rows, calls.values()):
        if row["missing"]:
            continue

        def run_pd(cs=cs):
            return [BASELINES[fq(fn)](tables, *a, **k) for fn, a, k in cs]
        clear()
        for (fn, a, k), want, got in zip(cs, [fn(con, *a, **k) for fn, a, k in cs], run_pd()):
            if not _same(want, got):
                row["mismatch"].append(fq(fn))
        p = time_runs(run_pd, repeat)
        row["pandas_ms"] = p * 1000
        row["ratio"] = p / (row["duckdb_ms"] / 1000) if row["duckdb_ms"] else None
    adb.reset_shared()
    return rows, info


def browser_measures(db: Path, pages: list[str], rounds: int, port: int, floor_port: int):
    """Page-ready time in Chromium for every page (first visitor after a server start, warm new
    visitors), the floor page in the same run, cold start and the server's peak memory
    (bench/pageready.py)."""
    from bench.pageready import measure_app
    return measure_app(db, pages, rounds=rounds, port=port, floor_port=floor_port)


def import_bench() -> str | None:
    script = ROOT / "bench" / "import_bench.py"
    if not script.exists():
        return None
    r = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True)
    lines = [l for l in r.stdout.splitlines() if l.startswith(("import of", "re-import"))]
    return "; ".join(lines) if lines else (r.stderr.strip().splitlines() or ["failed"])[-1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per page for the query time")
    ap.add_argument("--rounds", type=int, default=3, help="warm browser visits per page (median)")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--skip-browser", action="store_true", help="no page-ready measurement")
    ap.add_argument("--skip-queries", "--browser-only", dest="skip_queries", action="store_true",
                    help="only the browser part: no query timing, no pandas baseline, no import")
    ap.add_argument("--skip-pandas", action="store_true", help="query times without the pandas baseline")
    ap.add_argument("--skip-import", action="store_true")
    ap.add_argument("--pages", nargs="+", help="only these pages (url paths)")
    ap.add_argument("--port", type=int, default=8611, help="the app server's port (browser part)")
    ap.add_argument("--floor-port", type=int, default=8612,
                    help="the floor page server's port (the floor with widgets: the next one)")
    a = ap.parse_args(argv)
    from ui.pages_registry import PAGES
    pages = [p.url_path for p in PAGES if not p.internal and (not a.pages or p.url_path in a.pages)]
    machine = f"{platform.node()} · {os.cpu_count()} cores · {platform.processor() or platform.machine()} · " \
              f"Python {platform.python_version()}"
    for n in a.rows:
        db, gen_s = build(n, a.rebuild)
        size_mb = db.stat().st_size / 2**20
        rows, info = [], None
        if not a.skip_queries:
            calls = record_pages(db, pages)
            rows, info = measure_queries(db, calls, a.repeat, pandas=not a.skip_pandas)
        br = None if a.skip_browser else browser_measures(db, pages, a.rounds, a.port, a.floor_port)
        lines = [f"### {n:,} complaints", "", f"Machine: {machine}."]
        if rows:
            lines += ["", f"Query time: warm median of {a.repeat} runs of the page's analytics calls; no page "
                      "cache, no remembered results.", "",
                      "| page | queries | DuckDB ms | pandas ms | pandas ÷ DuckDB | ≤ 150 ms and ≥ 10× |",
                      "|---|---:|---:|---:|---:|:---:|"]
            for r in rows:
                pdm = f"{r['pandas_ms']:.0f}" if r["pandas_ms"] is not None else "no baseline"
                if a.skip_pandas:
                    pdm, r["missing"] = "not run", []
                ratio = f"{r['ratio']:.1f}×" if r["ratio"] else "—"
                note = ""
                if r["missing"]:
                    note = f" (no pandas baseline for {', '.join(m.split('.')[-1] for m in r['missing'])})"
                if r["mismatch"]:
                    note += f" (baseline differs: {', '.join(m.split('.')[-1] for m in r['mismatch'])})"
                met = "yes" if r["duckdb_ms"] <= 150 and (r["ratio"] or 0) >= 10 else "no"
                lines.append(f"| {r['page']} | {r['calls']} | {r['duckdb_ms']:.0f} | {pdm}{note} | {ratio} | {met} |")
        if br:
            lines += ["", page_ready_table(rows, br)]
        lines += ["", f"- database size: {size_mb:,.0f} MB" + (f"; generated in {gen_s:.0f} s" if gen_s else "")]
        if info:
            lines.append(f"- pandas baseline: tables loaded in {info['pandas_load_s']:.1f} s, "
                         f"{info['pandas_frames_mb']:,.0f} MB of frames")
        if br:
            lines.append(f"- cold start (server process start to the overview ready for its first visitor): "
                         f"{fmt_s(br.cold_start_s)} s; the server answered its health check after "
                         f"{fmt_s(br.healthy_s)} s (the floor page's server: {fmt_s(br.floor_healthy_s)} s)")
            if br.app_peak_mb:
                lines.append(f"- app server peak memory after {a.rounds + 1} visits to every page: "
                             f"{br.app_peak_mb:,.0f} MB")
            bad = [p for p, v in br.pages.items() if v.exceptions]
            if bad:
                lines.append(f"- ! an exception was shown on: {', '.join(bad)}")
        if not a.skip_import and not a.skip_queries and n == a.rows[0]:
            imp = import_bench()
            if imp:
                lines.append(f"- import: {imp}")
        text = "\n".join(lines)
        print(text, flush=True)
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"results-{n}.md").write_text(text + "\n", encoding="utf-8")
    return 0


def fmt_s(x) -> str:
    return "—" if x is None else f"{x:.2f}"


def page_ready_table(rows: list[dict], br) -> str:
    """page | query ms | ready first | ready warm | × floor first | × floor warm, the floor last."""
    q = {r["page"]: r["duckdb_ms"] for r in rows}
    # two decimals: a target such as 1.5× is met or missed by a few hundredths
    x = lambda v: "—" if v is None else f"{v:.2f}×"   # noqa: E731
    lines = [f"Page ready (Chromium, {1400}×{900}): navigation until the script has finished, every chart has "
             "drawn and the main pane has not changed for 1.5 s (not counted). First: the first visitor after a "
             f"server start (a new server per page, empty caches). Warm: median of {br.rounds} new visitors "
             "(new browser context each) after every page was visited once. × floor: ÷ the one-line Streamlit "
             "page (bench/floor_app.py) measured the same way in the same run.", "",
             "| page | query ms | ready first s | ready warm s | × floor first | × floor warm |",
             "|---|---:|---:|---:|---:|---:|"]
    for page, v in br.pages.items():
        if page == "floor":
            continue
        qm = f"{q[page]:.0f}" if page in q else "—"
        lines.append(f"| {page} | {qm} | {fmt_s(v.first_s)} | {fmt_s(v.warm_s)} | {x(br.ratio(page, 'first_s'))} "
                     f"| {x(br.ratio(page, 'warm_s'))} |")
    f = br.pages["floor"]
    lines.append(f"| *floor (one-line page)* | — | {fmt_s(f.first_s)} | {fmt_s(f.warm_s)} | 1.00× | 1.00× |")
    w = getattr(br, "floor_widgets", None)
    if w is not None and w.warm_s is not None:
        # a reference, not a target: what a few on-demand element types cost any Streamlit page
        wx = w.warm_s / f.warm_s if f.warm_s else None
        lines.append(f"| *floor with widgets (bench/floor_widgets_app.py)* | — | — | {fmt_s(w.warm_s)} | — | {x(wx)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
