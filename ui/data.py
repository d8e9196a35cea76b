"""Data access for pages: the process's read-only connection and bounded, version-keyed caches
around analytics functions. Pages call :func:`call` with an analytics function; the cache key
includes the database file's identity, so an import (which swaps the file) invalidates it."""
from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from analytics import build, db, queries

_build_lock = threading.Lock()


def database_path() -> Path:
    return db.db_path()


def ensure_database() -> Path:
    """First run on a fresh checkout: build the sample database when none exists."""
    with _build_lock:
        return build.ensure_database()


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
