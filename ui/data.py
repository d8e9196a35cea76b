"""Data access for pages: the process's read-only connection and bounded, version-keyed caches
around analytics functions. Pages call :func:`call` with an analytics function; the cache key
includes the database file's identity, so an import (which swaps the file) invalidates it."""
from __future__ import annotations

import importlib
import os
import threading
import time
from pathlib import Path

import streamlit as st

from analytics import build, db, queries

_build_lock = threading.Lock()


def database_path() -> Path:
    return db.db_path()


class _Job:
    """The one database preparation of this process (analytics.build.ensure_database) running in a
    background thread; every session that arrives meanwhile waits for the same job and reads its
    progress (step, fraction, start time)."""

    def __init__(self):
        self.step: str | None = None
        self.fraction: float | None = None
        self.started = time.monotonic()
        self.result: Path | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="odr-ensure-database", daemon=True)

    def _progress(self, step: str, fraction: float | None) -> None:
        self.step, self.fraction = step, fraction

    def _run(self) -> None:
        try:
            self.result = build.ensure_database(progress=self._progress)
        except BaseException as exc:  # noqa: BLE001 — handed to every waiting session
            self.error = exc


_job: _Job | None = None


def ensure_database(on_progress=None, poll: float = 0.25) -> Path:
    """First run on a fresh checkout: build the sample database when none exists (and rebuild the
    aggregate tables of an older database). The work runs once per process, in a background
    thread; every caller waits for it and, while it runs, ``on_progress(step, fraction, elapsed_s)``
    is called every ``poll`` seconds with the job's latest step (see analytics.build) — for as long
    as there is a step to show, so a database that is already current shows nothing."""
    global _job
    with _build_lock:
        if _job is None or not _job.thread.is_alive():
            _job = _Job()
            _job.thread.start()
        job = _job
    while True:
        job.thread.join(poll)
        if not job.thread.is_alive():
            break
        if on_progress and job.step is not None:
            on_progress(job.step, job.fraction, time.monotonic() - job.started)
    if job.error is not None:
        raise job.error
    return job.result


# What the first visitor would otherwise wait for, in the order the first page needs it: the
# aggregate-table check (it imports every analytics module that declares aggregate tables), the
# read-only connection and its reference lookups, then SciPy's stats (~0.5 s of CPU; analytics.stats
# imports it on first use, and the overview's headline tests need it) and the modules the pages
# draw with.
WARM_MODULES = ("scipy.stats", "plotly.graph_objects", "ui.page", "ui.charts", "ui.figures.trends", "ui.figures.resolution",
                "ui.figures.districts", "ui.figures.programmes", "ui.figures.explore", "ui.cite",
                "analytics.dictionary", "analytics.sqlguard", "briefing.facts", "briefing.render", "briefing.text")
warm_up_done = threading.Event()


def start_warm_up() -> threading.Thread | None:
    """At server start (app.py, when ``streamlit run`` imports it): do in a background thread what
    the first visitor's run would otherwise do, while the server comes up and the browser loads the
    front end. Nothing here is needed for correctness: a session that arrives first simply does the
    same work itself (the check is done once per file version, an import once per process).
    ``ODR_WARM_UP=0`` switches it off (to measure the start without it)."""
    if os.environ.get("ODR_WARM_UP", "1") == "0":
        return None
    th = threading.Thread(target=_warm_up, name="odr-warm-up", daemon=True)
    th.start()
    return th


def _warm_up(wait: float = 30.0) -> None:
    from streamlit import runtime
    from streamlit.logger import get_logger
    log = get_logger("odr.warm_up")
    t0 = time.perf_counter()
    deadline = time.monotonic() + wait
    while not runtime.exists() and time.monotonic() < deadline:   # let the server start first
        time.sleep(0.05)
    try:
        if database_path().exists():        # a fresh checkout's first build stays with the first session
            ensure_database()
            c = con()
            db.meta(c)
            queries.data_coverage(c)
            queries.districts(c)
        for name in WARM_MODULES:
            try:
                importlib.import_module(name)
            except ImportError:             # a module another branch renamed: nothing to warm
                log.info("warm-up: no module %s", name)
    except Exception:  # noqa: BLE001 — a failure here shows again, with a message, in the session
        log.warning("warm-up failed", exc_info=True)
    finally:
        warm_up_done.set()
        log.info("warm-up done in %.1f s", time.perf_counter() - t0)


def con():
    return db.shared()


def data_key() -> tuple:
    """Identity of the database file now (inode, mtime, size): part of every cache key."""
    p = database_path().resolve()
    s = p.stat()
    return (str(p), s.st_ino, s.st_mtime_ns, s.st_size)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _cached(fn_module: str, fn_name: str, key: tuple, args: tuple, kwargs: tuple):
    import importlib
    mod = importlib.import_module(fn_module)
    if not fn_module.startswith("analytics"):
        raise ValueError("only analytics functions can be called")
    return getattr(mod, fn_name)(con(), *args, **dict(kwargs))


# When set to a list, every call is recorded (bench/bench.py replays a page's calls).
RECORDER: list | None = None


def call(fn, *args, **kwargs):
    """Run ``fn(con, *args, **kwargs)`` (an analytics function) through the cache."""
    if RECORDER is not None:
        RECORDER.append((fn, args, kwargs))
    return _cached(fn.__module__, fn.__name__, data_key(), args, tuple(sorted(kwargs.items())))


def coverage():
    return call(queries.data_coverage)


def meta() -> dict:
    return call(db.meta)
