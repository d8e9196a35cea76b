"""Per-call timings of the pages' analytics calls: which query makes a page slow.

    python bench/profile_calls.py --db bench/out/bench-10000000.duckdb --pages trends resolution
    python bench/profile_calls.py --db my-copy.duckdb --refresh      # rebuild aggregates first

The calls each page makes are recorded once by an AppTest run of the real pages (as
bench/bench.py does) and kept in bench/out/calls-<db name>.pkl; ``--record`` records them again
(needed when a page starts calling something different). Each page's calls then run in order,
``--repeat`` times after a warm-up pass, on the app's read-only connection without page caches and
with remembered results (not reference lookups) cleared before each pass; each call's median is printed.
"""
from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True, type=Path)
    ap.add_argument("--pages", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--record", action="store_true", help="record the pages' calls again")
    ap.add_argument("--refresh", action="store_true", help="rebuild the aggregate tables first")
    a = ap.parse_args(argv)
    from analytics import db as adb
    if a.refresh:
        from analytics import aggregates
        t0 = time.perf_counter()
        con = adb.connect(a.db)
        aggregates.refresh(con)
        con.close()
        print(f"aggregates rebuilt in {time.perf_counter() - t0:.1f} s")
    cache = ROOT / "bench" / "out" / f"calls-{a.db.stem}.pkl"
    if cache.exists() and not a.record:
        calls = pickle.loads(cache.read_bytes())
    else:
        from bench.bench import record_pages
        calls = record_pages(a.db)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(calls))
    con = adb.shared(a.db)
    for page, cs in calls.items():
        if a.pages and page not in a.pages:
            continue
        # the whole page in order, memos cleared before each pass (as bench/bench.py times it):
        # a call that reuses an earlier call's intermediate result is timed as the page sees it
        times = [[] for _ in cs]
        for rep in range(a.repeat + 1):
            adb.clear_memos(results_only=True)
            for j, (fn, args, kw) in enumerate(cs):
                t0 = time.perf_counter()
                fn(con, *args, **kw)
                if rep:
                    times[j].append(time.perf_counter() - t0)
        total = 0.0
        print(f"== {page}")
        for (fn, args, kw), ts in zip(cs, times):
            ms = statistics.median(ts) * 1000
            total += ms
            extra = ", ".join(f"{k}={v!r}" for k, v in kw.items())
            print(f"  {ms:8.1f} ms  {fn.__module__}.{fn.__name__}({extra})")
        print(f"  {total:8.1f} ms  total")
    adb.reset_shared()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
