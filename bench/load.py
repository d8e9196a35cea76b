"""Load: many simultaneous visitors, driven through Streamlit's own websocket protocol (no browsers).

    python bench/load.py --db bench/out/bench-10000000.duckdb --sessions 10 20
    python bench/load.py --url http://127.0.0.1:8611 --sessions 10      # a server already running

A page view is what a browser does when it opens a page's address: it opens the websocket
``/_stcore/stream`` (a new session), sends one ``BackMsg.rerun_script`` (the page's url path as
``page_name``, the query string, no widget state) and receives ``ForwardMsg``s — new_session, the
page's deltas — until ``script_finished``. That is the server's whole share of a page view; what the
browser then does with the deltas (drawing charts) is not in it. The client only parses the
messages (a few ms per view), so it hardly competes with the server for the machine's cores;
``--server-cpus``/``--client-cpus`` pin them apart with ``taskset`` when asked.

The run: a server is started on the database (unless ``--url``); every page is viewed once by a
single visitor (warm-up, which also gives each page's server time and CPU time alone), then for each
``--sessions`` N, N visitors at once each view every public page once, each starting at a different
page. Reported: latency to ``script_finished`` per page (median, p95, max), the server's CPU time per
page view (``/proc/<pid>/stat`` utime+stime over the run ÷ views), its peak resident memory
(``VmHWM``) and errors (exception elements, unfinished runs).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.pageready import StreamlitServer, proc_cpu_s, proc_status_kb  # noqa: E402


@dataclass
class View:
    page: str
    seconds: float | None          # to script_finished; None when it did not finish
    status: str = ""
    messages: int = 0
    bytes: int = 0
    exceptions: list = field(default_factory=list)
    headings: list = field(default_factory=list)
    charts: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.seconds is not None and self.status == "FINISHED_SUCCESSFULLY" and not self.exceptions \
            and not self.error


def _rerun_msg(page: str, query: str, url: str) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    msg = BackMsg()
    cs = msg.rerun_script
    cs.query_string = query
    cs.page_name = page                 # the url path ('' = the default page), as the browser sends it
    cs.page_script_hash = ""
    cs.context_info.timezone = "Asia/Shanghai"
    cs.context_info.timezone_offset = -480
    cs.context_info.locale = "zh-CN"
    cs.context_info.url = url
    cs.context_info.color_scheme = "light"
    cs.widget_states.SetInParent()
    return msg.SerializeToString()


async def view(base: str, page: str, query: str = "", timeout: float = 180.0) -> View:
    """One page view by a new visitor: connect, ask for the page, wait for script_finished."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect
    u = urlparse(base)
    ws_url = f"ws://{u.netloc}/_stcore/stream"
    page_url = f"{base}/{'' if page == 'overview' else page}" + (f"?{query}" if query else "")
    v = View(page, None)
    t0 = time.perf_counter()
    try:
        async with connect(ws_url, subprotocols=["streamlit"], origin=f"{u.scheme}://{u.netloc}",
                           max_size=None, open_timeout=timeout, ping_interval=None) as ws:
            await ws.send(_rerun_msg("" if page == "overview" else page, query, page_url))
            deadline = t0 + timeout
            while True:
                raw = await asyncio.wait_for(ws.recv(), timeout=max(0.1, deadline - time.perf_counter()))
                v.messages += 1
                v.bytes += len(raw)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                kind = msg.WhichOneof("type")
                if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    el = msg.delta.new_element
                    which = el.WhichOneof("type")
                    if which == "exception":
                        v.exceptions.append(f"{el.exception.type}: {el.exception.message[:200]}")
                    elif which == "heading":
                        v.headings.append(el.heading.body)
                    elif which == "plotly_chart":
                        v.charts += 1
                elif kind == "script_finished":
                    status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                    if status == "FINISHED_EARLY_FOR_RERUN":      # the app asked for a rerun: keep waiting
                        continue
                    v.status = status
                    v.seconds = time.perf_counter() - t0
                    break
    except Exception as exc:  # noqa: BLE001 — a failed view is reported, not raised
        v.error = f"{type(exc).__name__}: {str(exc)[:200]}"
    return v


def view_sync(base: str, page: str, query: str = "", timeout: float = 180.0) -> View:
    return asyncio.run(view(base, page, query, timeout))


class Sampler(threading.Thread):
    """Samples the server's resident memory every 0.2 s (the peak is also in VmHWM)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.stop = pid, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                self.peak_kb = max(self.peak_kb, proc_status_kb(self.pid, "VmRSS"))
            except OSError:
                return
            self.stop.wait(0.2)


async def _visitor(base: str, pages: list[str], i: int, query: str) -> list[View]:
    order = pages[i % len(pages):] + pages[:i % len(pages)]
    return [await view(base, p, query) for p in order]


def crowd(base: str, pages: list[str], n: int, query: str = "") -> tuple[list[View], float]:
    """``n`` visitors at once, each viewing every page once (different starting pages)."""
    async def run():
        return await asyncio.gather(*[_visitor(base, pages, i, query) for i in range(n)])
    t0 = time.perf_counter()
    res = asyncio.run(run())
    return [v for vs in res for v in vs], time.perf_counter() - t0


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


@dataclass
class LoadResult:
    single: dict                 # page -> (seconds, cpu seconds) for one visitor alone
    crowds: dict                 # n -> {"views": [...], "wall": s, "cpu": s, "peak_mb": MB}
    start_rss_mb: float = 0.0
    peak_mb: float = 0.0


def run_load(base: str, pid: int | None, pages: list[str], sessions: list[int], query: str = "",
             log=lambda m: print(m, file=sys.stderr, flush=True)) -> LoadResult:
    cpu = (lambda: proc_cpu_s(pid)) if pid else (lambda: 0.0)
    res = LoadResult({}, {})
    if pid:
        res.start_rss_mb = proc_status_kb(pid, "VmRSS") / 1024
    for p in pages:                               # warm-up: each page alone, caches filled
        view_sync(base, p, query)
    for p in pages:                               # one visitor alone, warm caches
        c0 = cpu()
        v = view_sync(base, p, query)
        res.single[p] = (v.seconds, cpu() - c0, v)
        log(f"  alone  {p:<12} {v.seconds or float('nan'):6.2f} s  cpu {cpu() - c0:5.2f} s  "
            f"{v.messages} msgs {v.bytes / 1024:.0f} KB {'ok' if v.ok else v.error or v.exceptions or v.status}")
    for n in sessions:
        sampler = Sampler(pid) if pid else None
        if sampler:
            sampler.start()
        c0 = cpu()
        views, wall = crowd(base, pages, n, query)
        used = cpu() - c0
        if sampler:
            sampler.stop.set()
            sampler.join()
        res.crowds[n] = {"views": views, "wall": wall, "cpu": used,
                         "peak_mb": (sampler.peak_kb / 1024) if sampler else None}
        lat = [v.seconds for v in views if v.seconds is not None]
        log(f"  {n} visitors: {len(views)} views in {wall:.1f} s, median {statistics.median(lat):.1f} s, "
            f"p95 {pct(lat, .95):.1f} s, server cpu {used / len(views):.2f} s/view, "
            f"{sum(not v.ok for v in views)} failed")
    if pid:
        res.peak_mb = proc_status_kb(pid, "VmHWM") / 1024
    return res


def report(res: LoadResult, pages: list[str], cores: int | None = None) -> str:
    lines = ["| page | alone s | alone CPU s | " + " | ".join(
        f"{n} at once: median s | p95 s" for n in res.crowds) + " |",
             "|---|---:|---:|" + "---:|---:|" * len(res.crowds)]
    for p in pages:
        s, c, _ = res.single[p]
        cells = [f"{s:.2f}" if s is not None else "—", f"{c:.2f}"]
        for n, cr in res.crowds.items():
            lat = [v.seconds for v in cr["views"] if v.page == p and v.seconds is not None]
            cells += [f"{statistics.median(lat):.1f}", f"{pct(lat, .95):.1f}"] if lat else ["—", "—"]
        lines.append(f"| {p} | " + " | ".join(cells) + " |")
    tot = []
    for n, cr in res.crowds.items():
        views = cr["views"]
        lat = [v.seconds for v in views if v.seconds is not None]
        bad = [v for v in views if not v.ok]
        tot.append(f"- {n} visitors at once ({len(views)} page views in {cr['wall']:.0f} s, "
                   f"{len(views) / cr['wall']:.2f} views/s): latency to script finished median "
                   f"{statistics.median(lat):.1f} s, p95 {pct(lat, .95):.1f} s, max {max(lat):.1f} s; "
                   f"server CPU {cr['cpu'] / len(views):.2f} s per page view"
                   + (f"; resident memory peak {cr['peak_mb']:,.0f} MB" if cr["peak_mb"] else "")
                   + (f"; {len(bad)} failed: " + "; ".join(sorted({b.page + ' ' + (b.error or str(b.exceptions)
                      or b.status) for b in bad})[:5]) if bad else "; no errors"))
    alone_cpu = sum(c for _, c, _ in res.single.values())
    tot.append(f"- one visitor alone, every page once: {alone_cpu:.1f} s of server CPU "
               f"({alone_cpu / len(pages):.2f} s per page view); server memory {res.start_rss_mb:,.0f} MB at "
               f"start, peak {res.peak_mb:,.0f} MB")
    return "\n".join(lines + [""] + tot)


def main(argv=None) -> int:
    from ui.pages_registry import PAGES
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="start a server on this database")
    ap.add_argument("--url", help="use a running server (its CPU is not measured unless --pid)")
    ap.add_argument("--pid", type=int, help="the running server's process id (with --url)")
    ap.add_argument("--port", type=int, default=8613)
    ap.add_argument("--sessions", type=int, nargs="+", default=[10, 20])
    ap.add_argument("--pages", nargs="+", default=[p.url_path for p in PAGES if not p.internal])
    ap.add_argument("--query", default="", help="query string for every view, e.g. lang=en")
    ap.add_argument("--server-cpus", help="taskset CPU list for the server, e.g. 0")
    ap.add_argument("--client-cpus", help="taskset CPU list for this client, e.g. 1")
    ap.add_argument("--json", help="write the raw figures here")
    a = ap.parse_args(argv)
    import os
    if a.client_cpus:
        os.sched_setaffinity(0, {int(c) for c in a.client_cpus.split(",")})
    srv = None
    if a.url:
        base, pid = a.url.rstrip("/"), a.pid
    else:
        if not a.db:
            ap.error("--db or --url")
        srv = StreamlitServer(ROOT / "app.py", a.port, {"ODR_DB": str(Path(a.db).resolve())})
        srv.wait_healthy()
        if a.server_cpus:
            import subprocess
            subprocess.run(["taskset", "-a", "-p", "-c", a.server_cpus, str(srv.proc.pid)], check=True,
                           capture_output=True)
        base, pid = srv.url, srv.proc.pid
    try:
        res = run_load(base, pid, a.pages, a.sessions, a.query)
    finally:
        if srv:
            srv.stop()
    text = report(res, a.pages)
    print(text)
    if a.json:
        Path(a.json).write_text(json.dumps({
            "single": {p: {"s": s, "cpu_s": c} for p, (s, c, _) in res.single.items()},
            "crowds": {n: {"wall": cr["wall"], "cpu": cr["cpu"], "peak_mb": cr["peak_mb"],
                           "views": [{"page": v.page, "s": v.seconds, "ok": v.ok} for v in cr["views"]]}
                       for n, cr in res.crowds.items()},
            "start_rss_mb": res.start_rss_mb, "peak_mb": res.peak_mb}, indent=1))
    bad = sum(not v.ok for cr in res.crowds.values() for v in cr["views"])
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
