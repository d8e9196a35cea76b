"""Charts as static SVG images, rendered once per distinct figure.

Why: a new visitor's browser spends 1–2 s loading and compiling Plotly's 4.7 MB script before the
first interactive chart appears (measured: the same two charts as SVG images add nothing over a
one-line page; as Plotly charts they add 1.1–1.2 s). Most charts here have nothing to interact
with beyond hover, and the numbers are a click away (CSV under each chart), so by default pages show
each chart as an SVG image drawn by Plotly itself (kaleido, the same renderer as the PNG download);
the sidebar's "interactive charts" switch brings Plotly back for a reader who wants hover values.

The image's key is a hash of the figure's full JSON, its size and :data:`VERSION`, so any change of
data, filters, language or styling is a different image; nothing needs invalidating. Images are
kept in memory (LRU) and on disk (``$ODR_FIGURE_CACHE``, default ``data/cache/figures``, pruned to
:data:`DISK_LIMIT_MB`), so a restarted server serves the charts it drew before without rendering.

One renderer (kaleido's persistent Chromium) serves the whole process, one figure at a time under a
lock; it is started by :func:`start_renderer_later` a few seconds after the server starts (off the
first visitor's path), or on the first miss. When it cannot start or render (no Chromium), callers
get ``None`` and draw an interactive chart instead: a page never loses a chart to this cache.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path

VERSION = "svg-1"                      # bump when the rendering below changes
MEMORY_ITEMS = 256
DISK_LIMIT_MB = int(os.environ.get("ODR_FIGURE_CACHE_MB", "200"))
RENDER_TIMEOUT_S = 30                  # one figure; a session waits at most this long for the renderer

log = logging.getLogger("odr.figcache")
_lock = threading.Lock()               # the renderer: one figure at a time
_mem_lock = threading.Lock()
_mem: OrderedDict[str, str] = OrderedDict()
_state = {"started": False, "failed": None, "renders": 0, "render_s": 0.0, "hits": 0}


def cache_dir() -> Path:
    env = os.environ.get("ODR_FIGURE_CACHE")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "data" / "cache" / "figures"


def figure_key(spec_json: str, width: int, height: int) -> str:
    h = hashlib.sha256()
    for part in (VERSION, str(width), str(height), spec_json):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:40]


def stats() -> dict:
    """Counters for the benchmark and tests: renders, seconds spent rendering, cache hits."""
    return dict(_state)


def _remember(key: str, svg: str) -> None:
    with _mem_lock:
        _mem[key] = svg
        _mem.move_to_end(key)
        while len(_mem) > MEMORY_ITEMS:
            _mem.popitem(last=False)


def cached(key: str) -> str | None:
    """The image for ``key`` from memory or disk, or None."""
    with _mem_lock:
        svg = _mem.get(key)
        if svg is not None:
            _mem.move_to_end(key)
    if svg is None:
        path = cache_dir() / f"{key}.svg"
        try:
            svg = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        if not svg.lstrip().startswith("<svg"):
            return None
        _remember(key, svg)
    _state["hits"] += 1
    return svg


def _store(key: str, svg: str) -> None:
    _remember(key, svg)
    d = cache_dir()
    try:
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(svg, encoding="utf-8")
        os.replace(tmp, d / f"{key}.svg")       # readers never see half a file
    except OSError:
        log.warning("figure cache: cannot write to %s", d, exc_info=True)
        return
    if _state["renders"] % 50 == 1:
        prune(d)


def prune(d: Path | None = None, limit_mb: int | None = None) -> int:
    """Remove the least recently written images beyond the size limit; returns files removed."""
    d = d or cache_dir()
    limit = (DISK_LIMIT_MB if limit_mb is None else limit_mb) * 1024 * 1024
    try:
        files = [(p.stat().st_mtime, p.stat().st_size, p) for p in d.glob("*.svg")]
    except OSError:
        return 0
    total, removed = sum(f[1] for f in files), 0
    for _, size, p in sorted(files, key=lambda f: f[0]):
        if total <= limit:
            break
        try:
            p.unlink()
            total -= size
            removed += 1
        except OSError:
            pass
    return removed


def _start() -> bool:
    """Start kaleido's persistent renderer (once per process). Caller holds ``_lock``."""
    if _state["started"]:
        return True
    if _state["failed"]:
        return False
    try:
        import kaleido
        t0 = time.perf_counter()
        kaleido.start_sync_server(silence_warnings=True, timeout=RENDER_TIMEOUT_S)
        _state["started"] = True
        log.info("figure renderer started in %.1f s", time.perf_counter() - t0)
        return True
    except Exception as exc:  # noqa: BLE001 — no Chromium etc.: pages fall back to Plotly
        _state["failed"] = f"{type(exc).__name__}: {exc}"
        log.warning("figure renderer unavailable: %s", _state["failed"])
        return False


def start_renderer_later(delay: float = 8.0) -> threading.Thread:
    """Start the renderer in the background after ``delay`` s: the first visitors after a server start
    are served from the disk cache, and Chromium's start does not compete with them for the CPU."""
    def run():
        time.sleep(delay)
        if _lock.acquire(timeout=RENDER_TIMEOUT_S):
            try:
                _start()
            finally:
                _lock.release()
    th = threading.Thread(target=run, name="odr-figure-renderer", daemon=True)
    th.start()
    return th


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def _with_viewbox(svg: str, width: int, height: int) -> str:
    """Plotly's SVG has a width and height but no viewBox: without one an <img> scaled to its box
    would crop the drawing instead of scaling it."""
    m = _SVG_OPEN.search(svg)
    if not m or "viewBox" in m.group(0):
        return svg
    tag = m.group(0)[:-1].rstrip("/") + f' viewBox="0 0 {width} {height}"' + (
        "/>" if m.group(0).endswith("/>") else ">")
    return svg[:m.start()] + tag + svg[m.end():]


def svg(fig, width: int, height: int) -> str | None:
    """The figure as an SVG document ``width`` × ``height`` px (CSS), from the cache or rendered now;
    None when the renderer is unavailable or fails (the caller draws the chart with Plotly)."""
    spec = fig.to_json()
    key = figure_key(spec, width, height)
    hit = cached(key)
    if hit is not None:
        return hit
    # one figure at a time; a session that cannot have the renderer within the time limit (a queue
    # of new figures, a renderer that hangs) draws its chart interactively instead of waiting
    if not _lock.acquire(timeout=RENDER_TIMEOUT_S):
        log.warning("figure renderer busy for %s s: chart drawn interactively", RENDER_TIMEOUT_S)
        return None
    try:
        hit = cached(key)                   # another session may have drawn it meanwhile
        if hit is not None:
            return hit
        if not _start():
            return None
        t0 = time.perf_counter()
        try:
            import warnings

            import plotly.io as pio
            with warnings.catch_warnings():     # "kopts is ignored if using a server": expected
                warnings.simplefilter("ignore", UserWarning)
                raw = pio.to_image(fig, format="svg", width=width, height=height, validate=False)
        except Exception:  # noqa: BLE001 — a figure the renderer cannot draw: show it interactively
            log.warning("figure renderer failed", exc_info=True)
            return None
        _state["renders"] += 1
        _state["render_s"] += time.perf_counter() - t0
    finally:
        _lock.release()
    out = _with_viewbox(raw.decode("utf-8") if isinstance(raw, bytes) else raw, width, height)
    _store(key, out)
    return out
