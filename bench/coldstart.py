"""Cold start without a browser: server process start → the overview's script finished for its first
visitor, through the websocket protocol (bench/load.py), with and without the start-up warm-up.

    python bench/coldstart.py --db bench/out/bench-10000000.duckdb [--trials 3] [--delay 0.8]

``--delay``: seconds between the health check answering and the visitor's request — what a browser
spends loading the front end before it opens the websocket (~0.8 s for the floor page here). Prints,
per trial, the time to healthy and to script finished and the server's CPU seconds until then."""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load import view_sync  # noqa: E402
from bench.pageready import StreamlitServer  # noqa: E402


def trial(db: Path, warm: bool, delay: float, port: int, page: str = "overview") -> dict:
    srv = StreamlitServer(ROOT / "app.py", port, {"ODR_DB": str(db), "ODR_WARM_UP": "1" if warm else "0"})
    try:
        healthy = srv.wait_healthy()
        time.sleep(delay)
        v = view_sync(srv.url, page)
        done = time.perf_counter() - srv.t_start
        return {"warm_up": warm, "healthy_s": healthy, "finished_s": done, "script_s": v.seconds,
                "cpu_s": srv.cpu_s(), "ok": v.ok}
    finally:
        srv.stop()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--delay", type=float, default=0.8)
    ap.add_argument("--port", type=int, default=8614)
    ap.add_argument("--page", default="overview")
    a = ap.parse_args(argv)
    db = Path(a.db).resolve()
    res = {True: [], False: []}
    for _ in range(a.trials):
        for warm in (False, True):
            r = trial(db, warm, a.delay, a.port, a.page)
            res[warm].append(r)
            print(f"warm-up {'on ' if warm else 'off'}: healthy {r['healthy_s']:.2f} s, {a.page} finished "
                  f"{r['finished_s']:.2f} s after start (its run {r['script_s'] or float('nan'):.2f} s), "
                  f"server CPU {r['cpu_s']:.2f} s{'' if r['ok'] else ' FAILED'}", flush=True)
    for warm in (False, True):
        xs = res[warm]
        print(f"median, warm-up {'on ' if warm else 'off'}: healthy {statistics.median(x['healthy_s'] for x in xs):.2f} s, "
              f"finished {statistics.median(x['finished_s'] for x in xs):.2f} s, "
              f"the visitor's wait for the script {statistics.median(x['script_s'] or 0 for x in xs):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
