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
# The landing page's modules come first; the rest (SciPy's stats, ~0.9 s, among them) a few seconds
# later, so that they do not compete with the first visitor's run for the interpreter.
LANDING_MODULES = ("plotly.graph_objects", "ui.page", "ui.charts", "ui.figcache", "ui.figmemo", "analytics.trends",
                   "analytics.resolution", "ui.state", "ui.export", "ui.cite", "PIL.Image",
                   # Streamlit's emoji and icon tables: read on the first button with a label or icon
                   "streamlit.emojis", "streamlit.material_icon_names")
WARM_MODULES = ("scipy.stats", "ui.figures.trends", "ui.figures.resolution",
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


def _warm_up(wait: float = 30.0, later: float = 4.0) -> None:
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
        _import(LANDING_MODULES, log)
        _prime_first_run(log)
        if database_path().exists():
            n = replay_landing_calls(deadline=time.monotonic() + 20, pages="home")
            log.info("warm-up: %d overview results in the cache at %.2f s", n, time.perf_counter() - t0)
        # the rest after a pause: the first visitor (usually on the overview) has the interpreter
        time.sleep(later)
        if database_path().exists():
            n = replay_landing_calls(deadline=time.monotonic() + 60, pages="others")
            log.info("warm-up: %d results of other pages in the cache at %.2f s", n, time.perf_counter() - t0)
        _import(WARM_MODULES, log)
    except Exception:  # noqa: BLE001 — a failure here shows again, with a message, in the session
        log.warning("warm-up failed", exc_info=True)
    finally:
        warm_up_done.set()
        log.info("warm-up done in %.1f s", time.perf_counter() - t0)


def _prime_first_run(log) -> None:
    """What a process otherwise does on its first page run, once: Plotly loads each trace type's
    classes, its JSON encoder and its pandas adapter on first use (a bar and a line from pandas,
    serialised and rebuilt as ui.figmemo does), and Streamlit inspects the stack on the first element
    it sends (``inspect`` then indexes every loaded module's file, ~0.06 s)."""
    import inspect

    import pandas as pd
    import plotly.graph_objects as go
    try:
        fig = go.Figure()
        s = pd.Series([1.0, 2.0])
        fig.add_bar(x=s, y=s, text=["a", "b"], marker_color="#1f5fa8")
        fig.add_scatter(x=s, y=s, mode="lines", line=dict(width=2))
        fig.update_layout(title="x", xaxis_title="x", yaxis_title="y")
        go.Figure(fig.to_dict(), _validate=False).to_json()
        inspect.stack()
    except Exception:  # noqa: BLE001 — a library that changed: the first run does it itself
        log.info("warm-up: priming the first run failed", exc_info=True)


def _import(names, log) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:             # a module another branch renamed: nothing to warm
            log.info("warm-up: no module %s", name)


def con():
    return db.shared()


def data_key() -> tuple:
    """Identity of the database file now (inode, mtime, size): part of every cache key."""
    p = database_path().resolve()
    s = p.stat()
    return (str(p), s.st_ino, s.st_mtime_ns, s.st_size)


_seed = threading.local()               # a result to cache instead of running the query (the replay)
_NO_SEED = object()


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def _cached(fn_module: str, fn_name: str, key: tuple, args: tuple, kwargs: tuple):
    seeded = getattr(_seed, "value", _NO_SEED)
    if seeded is not _NO_SEED:
        return seeded
    import importlib
    if not callable_module(fn_module):
        raise ValueError("only analytics (and the briefing's facts) functions can be called")
    mod = importlib.import_module(fn_module)
    fn = getattr(mod, fn_name)
    if getattr(fn, "__name__", "") in PURE.get(fn_module, ()):
        return fn(*args, **dict(kwargs))
    return fn(con(), *args, **dict(kwargs))


def callable_module(module: str) -> bool:
    """Whether :func:`call` (and the landing replay) may run functions of ``module``: the analytics
    package and the briefing's facts (queries too, that the briefing page gathers for one week)."""
    return module == "analytics" or module.startswith("analytics.") or module == "briefing.facts"


# Analytics functions of plain values (no database) that :func:`pure` may cache: the overview's
# headline tests (SciPy's exact tests; SciPy takes ~0.9 s to import, which the first visitor after
# a start then does not wait for: the landing replay below caches their results too).
PURE = {"analytics.stats": ("two_count_p", "two_proportion_p")}


# When set to a list, every call is recorded (bench/bench.py replays a page's calls).
RECORDER: list | None = None
_thread_calls = threading.local()       # the calls of this thread's script run, when it is recorded


def call(fn, *args, **kwargs):
    """Run ``fn(con, *args, **kwargs)`` (an analytics function) through the cache."""
    if RECORDER is not None:
        RECORDER.append((fn, args, kwargs))
    return _through_cache(fn, args, kwargs)


def _through_cache(fn, args: tuple, kwargs: dict):
    """The cached result of ``fn`` (see :func:`call` and :func:`pure`), noted for the landing record
    when this run is recorded."""
    kw, key = tuple(sorted(kwargs.items())), data_key()
    out = _cached(fn.__module__, fn.__name__, key, args, kw)
    rec = getattr(_thread_calls, "calls", None)
    if rec is not None:
        rec.append((fn.__module__, fn.__name__, args, kw, key, out))
    return out


# --- the landing page's calls, replayed at the next start ---------------------------------------------
# The first visitor after a restart usually opens the overview with no parameters. The calls such a
# run makes — function, arguments, the database file's identity and the result — are written once
# per process to a small file beside the figure cache; the next server start puts them back in the
# cache in its warm-up: a result whose database file is still the same one (inode, mtime, size: the
# cache key's own test) is cached as it is, any other call is run again against the database as it
# is now. So that visitor's queries are cache hits. A file that is missing, damaged or names a
# function that no longer exists only means less warming.
_landing_saved: set[str] = set()          # pages whose landing calls this process has written
_landing_lock = threading.Lock()


def _cache_file(stem: str) -> Path:
    """``data/cache/<stem>-<database>.pkl``: a file the app keeps for the database in use."""
    import hashlib

    from . import figcache
    which = hashlib.sha256(str(database_path().resolve()).encode("utf-8")).hexdigest()[:12]
    return figcache.cache_dir().parent / f"{stem}-{which}.pkl"


def landing_file(page: str = "") -> Path:
    """The record of ``page``'s (url path; "" = the overview) landing calls for this database."""
    slug = "".join(ch for ch in page if ch.isalnum() or ch in "-_")[:40] or "home"
    base = _cache_file("landing-calls")
    return base.with_name(f"{base.stem}-{slug}.pkl")


def record_landing_calls(page: str = "") -> bool:
    """Start recording this run's calls (app.py: a page opened without parameters), once per page and
    process. Returns whether recording started."""
    if page in _landing_saved:
        return False
    _thread_calls.calls = []
    _thread_calls.page = page
    return True


def save_landing_calls(keep: bool = True) -> None:
    """Stop recording; write the calls when ``keep`` (the run finished) and none were written yet."""
    import pickle
    calls = getattr(_thread_calls, "calls", None)
    page = getattr(_thread_calls, "page", "")
    _thread_calls.calls = None
    with _landing_lock:
        if not keep or not calls or page in _landing_saved:
            return
        _landing_saved.add(page)
    path = landing_file(page)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(calls))
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError):
        pass


_replayed: set[str] = set()               # landing files this process has put in the cache


def replay_page(page: str) -> int:
    """Replay ``page``'s landing record now, once per process (app.py, before a page runs: its first
    visitor after a start gets cache hits even before the warm-up reaches that page)."""
    path = landing_file(page)
    if str(path) in _replayed:
        return 0
    _replayed.add(str(path))
    return _replay(path, deadline=time.monotonic() + 5)


def replay_landing_calls(deadline: float | None = None, pages: str = "all") -> int:
    """Put recorded landing calls back in the cache (the warm-up): ``pages`` "home" (the overview's),
    "others" (every other page's) or "all"; returns how many calls were cached."""
    first = landing_file("")
    others = sorted(p for p in first.parent.glob(first.name.rsplit("-", 1)[0] + "-*.pkl") if p != first)
    files = {"home": [first], "others": others}.get(pages, [first, *others])
    files = [p for p in files if str(p) not in _replayed]
    _replayed.update(str(p) for p in files)
    return sum(_replay(p, deadline) for p in files)


def _replay(path: Path, deadline: float | None) -> int:
    import pickle
    try:
        calls = pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 — no file yet, or one this version cannot read
        return 0
    try:
        now = data_key()
    except OSError:                         # no database (yet): nothing to warm
        return 0
    done = 0
    for item in calls if isinstance(calls, list) else ():
        try:
            module, name, args, kwargs, key, result = item
        except (TypeError, ValueError):
            continue
        if not callable_module(str(module)):
            continue
        if key == now:
            _seed.value = result
        elif deadline is not None and time.monotonic() > deadline:
            continue
        try:
            _cached(module, name, now, args, kwargs)
            done += 1
        except Exception:  # noqa: BLE001 — a function renamed since, or arguments it no longer takes
            continue
        finally:
            _seed.value = _NO_SEED
    return done


# --- the SQL page's example queries: one run per database file, kept across starts ------------------
# The SQL page opens with an example's result. Running a statement means a worker process (~1–2 s
# on a fresh start); an example's result for a database file is the same for everyone, so it is
# computed once, shared by every session and written beside the landing records: the first visitor
# after a restart gets it from disk (only while the database file is the same one).
_examples_lock = threading.Lock()
_examples: dict = {}                      # (sql, data key) -> ("ok", result)


def examples_file() -> Path:
    return _cache_file("sql-examples")


def _load_examples(key) -> dict:
    import pickle
    try:
        stored = pickle.loads(examples_file().read_bytes())
    except Exception:  # noqa: BLE001 — none yet, or damaged: computed again
        return {}
    return {k: v for k, v in stored.items() if isinstance(k, tuple) and k[1:] == (key,)} \
        if isinstance(stored, dict) else {}


def example_result(sql: str, compute):
    """The outcome of example ``sql`` for the database as it is now: from memory, from the file of
    an earlier process, or ``compute()`` (the page's run; an outcome other than ``("ok", …)`` is not
    kept). Simultaneous first visitors wait for one run."""
    import pickle
    key = data_key()
    with _examples_lock:
        if (sql, key) not in _examples:
            _examples.update(_load_examples(key))
        if (sql, key) in _examples:
            return _examples[(sql, key)]
        out = compute()
        if not (isinstance(out, tuple) and out and out[0] == "ok"):
            return out
        for k in [k for k in _examples if k[1] != key]:
            del _examples[k]
        _examples[(sql, key)] = out
        try:
            path = examples_file()
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(dict(_examples)))
            os.replace(tmp, path)
        except (OSError, pickle.PicklingError):
            pass
        return out


def pure(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` for an analytics function of plain values listed in :data:`PURE`,
    through the same cache as :func:`call` (and recorded for the landing replay like it)."""
    if fn.__name__ not in PURE.get(fn.__module__, ()):
        raise ValueError(f"{fn.__module__}.{fn.__name__} is not listed in PURE")
    return _through_cache(fn, args, kwargs)


def coverage():
    return call(queries.data_coverage)


def meta() -> dict:
    return call(db.meta)
