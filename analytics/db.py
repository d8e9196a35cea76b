"""Database access: one DuckDB connection per process and database file, a fresh cursor per
query, a time limit on every query, results fetched fully.

Modelled on Datasette's ``database.py``: callers never hold a cursor; they call
:func:`query` (DataFrame) or :func:`scalar`, which open a cursor, bind parameters, run the
statement under a time limit (``cursor.interrupt()`` from a timer thread) and close it.
"""
from __future__ import annotations

import os
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "odr.duckdb"
SCHEMA_FILE = Path(__file__).resolve().parent / "schema.sql"
DEFAULT_TIME_LIMIT = 30.0  # seconds; pages' queries take milliseconds


class QueryTimeout(RuntimeError):
    """A query ran past its time limit and was interrupted."""


class DatabaseUnavailable(RuntimeError):
    """The database file is missing, locked or unreadable."""


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database to use: explicit path, else $ODR_DB, else data/odr.duckdb."""
    if path:
        return Path(path)
    env = os.environ.get("ODR_DB")
    return Path(env) if env else DEFAULT_DB


def _config(read_only: bool) -> dict:
    return {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "access_mode": "READ_ONLY" if read_only else "READ_WRITE",
    }


def connect(path: str | os.PathLike | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a new connection (callers that write: CLI, importer, tests)."""
    p = db_path(path)
    if read_only and not p.exists():
        raise DatabaseUnavailable(f"database {p} does not exist")
    try:
        con = duckdb.connect(str(p), config=_config(read_only))
    except duckdb.Error as exc:
        raise DatabaseUnavailable(f"cannot open database {p}: {exc}") from exc
    con.execute("SET enable_progress_bar = false")
    return con


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))


@dataclass
class _Handle:
    con: duckdb.DuckDBPyConnection
    stamp: tuple


_handles: dict[str, _Handle] = {}
_handles_lock = threading.Lock()


def _stamp(p: Path) -> tuple:
    st = p.stat()
    return (st.st_ino, st.st_mtime_ns, st.st_size)


CATALOG = "odr"
_ATTACH_SQL = f"ATTACH ? AS {CATALOG} (READ_ONLY)"     # identifiers are constants; the path is bound
_USE_SQL = f"USE {CATALOG}"
_attached: "weakref.WeakSet[duckdb.DuckDBPyConnection]" = weakref.WeakSet()  # cursors must USE odr


def _open_isolated(p: Path) -> duckdb.DuckDBPyConnection:
    """A read-only view of ``p`` in a private in-memory DuckDB instance.

    DuckDB keeps one database instance per open path in a process: a plain ``connect`` to a file
    that an import has replaced would return the old instance for as long as any connection to it
    is open. ATTACHing into a fresh in-memory instance always reads the file as it is now, and the
    previous instance stays valid for queries still running on it."""
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False})
    try:
        con.execute(_ATTACH_SQL, [str(p)])
        con.execute(_USE_SQL)
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error as exc:
        con.close()
        raise DatabaseUnavailable(f"cannot open database {p}: {exc}") from exc
    _attached.add(con)
    return con


def shared(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """The process's read-only connection to the database, reopened when the file was replaced
    (imports write a new file and swap it in atomically, see analytics/importer.py)."""
    p = db_path(path).resolve()
    key = str(p)
    if not p.exists():
        raise DatabaseUnavailable(f"database {p} does not exist")
    stamp = _stamp(p)
    with _handles_lock:
        h = _handles.get(key)
        if h is None or h.stamp != stamp:
            con = _open_isolated(p)
            _handles[key] = _Handle(con, stamp)
            # the old connection is left to the garbage collector: threads may still be using it
        return _handles[key].con


def reset_shared() -> None:
    with _handles_lock:
        for h in _handles.values():
            try:
                h.con.close()
            except duckdb.Error:
                pass
        _handles.clear()


class _Watchdog:
    """One daemon thread that interrupts cursors whose time limit has passed.

    Starting a ``threading.Timer`` per query cost 0.5–3 ms on this machine, as much as a query on
    the aggregate tables; registering a deadline here costs microseconds."""

    def __init__(self):
        self._cv = threading.Condition()
        self._deadlines: dict[int, tuple[float, "duckdb.DuckDBPyConnection", threading.Event]] = {}
        self._next_id = 0
        self._thread: threading.Thread | None = None

    def watch(self, cur, seconds: float) -> tuple[int, threading.Event]:
        fired = threading.Event()
        with self._cv:
            self._next_id += 1
            token = self._next_id
            self._deadlines[token] = (time.monotonic() + seconds, cur, fired)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="query-time-limit", daemon=True)
                self._thread.start()
            self._cv.notify()
        return token, fired

    def release(self, token: int) -> None:
        with self._cv:
            self._deadlines.pop(token, None)

    def _loop(self) -> None:
        with self._cv:
            while True:
                now = time.monotonic()
                due = [t for t, (d, _, _) in self._deadlines.items() if d <= now]
                for t in due:
                    _, cur, fired = self._deadlines.pop(t)
                    fired.set()
                    try:
                        cur.interrupt()
                    except duckdb.Error:
                        pass
                wait = min((d for d, _, _ in self._deadlines.values()), default=now + 60) - now
                self._cv.wait(timeout=max(wait, 0.001))


_watchdog = _Watchdog()


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None,
         time_limit: float | None, fetch):
    cur = con.cursor()
    if con in _attached:
        cur.execute(_USE_SQL)
    token, fired = _watchdog.watch(cur, time_limit) if time_limit else (None, threading.Event())
    try:
        res = cur.execute(sql, params or [])
        return fetch(res)
    except duckdb.InterruptException as exc:
        raise QueryTimeout(f"query stopped after {time_limit:g} s") from exc
    except duckdb.Error:
        if fired.is_set():
            raise QueryTimeout(f"query stopped after {time_limit:g} s")
        raise
    finally:
        if token is not None:
            _watchdog.release(token)
        cur.close()


def query(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None = None,
          time_limit: float | None = DEFAULT_TIME_LIMIT) -> pd.DataFrame:
    """Run one statement on its own cursor and return all rows as a DataFrame."""
    return _run(con, sql, params, time_limit, lambda r: r.df())


def _numpy(res) -> dict:
    out = {}
    for name, col in res.fetchnumpy().items():
        col.flags.writeable = False     # may be remembered (memo_arrays) and shared by callers
        out[name] = col
    return out


def arrays(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None = None,
           time_limit: float | None = DEFAULT_TIME_LIMIT) -> dict[str, np.ndarray]:
    """Run one statement like :func:`query` and return its columns as read-only NumPy arrays
    (``fetchnumpy``: a column with NULLs is a masked array; dates are ``datetime64``). For
    intermediate results that NumPy code works on: a DataFrame costs a millisecond or more to build."""
    return _run(con, sql, params, time_limit, _numpy)


def rows(con, sql: str, params=None, time_limit: float | None = DEFAULT_TIME_LIMIT) -> list[tuple]:
    return _run(con, sql, params, time_limit, lambda r: r.fetchall())


def scalar(con, sql: str, params=None, time_limit: float | None = DEFAULT_TIME_LIMIT):
    def one(r):
        row = r.fetchone()
        return None if row is None else row[0]
    return _run(con, sql, params, time_limit, one)


_memos: "weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, OrderedDict]" = weakref.WeakKeyDictionary()
_memos_lock = threading.Lock()
MEMO_KEYS = 64   # per connection, least recently used dropped first


def memoised(con, key: str, compute):
    """``compute()``, remembered per read-only snapshot: small answers that pages ask for again
    and again (meta, districts, coverage, the few amounts a bootstrap resamples).

    Only connections from :func:`shared` are memoised: they read one version of the file, and
    :func:`shared` opens a new connection (with an empty memo) when the file is replaced, so the
    memo can never outlive the data it describes. Other connections (writers, tests) compute every
    time. At most ``MEMO_KEYS`` entries per connection. DataFrames and dicts are returned as copies."""
    if con not in _attached:
        return compute()
    with _memos_lock:
        memo = _memos.setdefault(con, OrderedDict())
        hit = key in memo
        if hit:
            memo.move_to_end(key)
            value = memo[key]
    if not hit:
        value = compute()
        with _memos_lock:
            memo[key] = value
            while len(memo) > MEMO_KEYS:
                memo.popitem(last=False)
    if isinstance(value, pd.DataFrame):
        return value.copy()
    if isinstance(value, dict):
        return dict(value)
    return value


RESULT = "result\0"   # key prefix of remembered query results (as opposed to reference lookups)


def memo_query(con, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
    """:func:`query`, remembered per read-only snapshot: for the few intermediate results (e.g. a
    histogram) that several questions of one page share, so a page asks DuckDB once."""
    return memoised(con, RESULT + "query\0" + sql + "\0" + repr(list(params or [])),
                    lambda: query(con, sql, params))


def memo_arrays(con, sql: str, params: Sequence[Any] | None = None) -> dict[str, np.ndarray]:
    """:func:`arrays`, remembered like :func:`memo_query` (the arrays are read-only and shared)."""
    return memoised(con, RESULT + "arrays\0" + sql + "\0" + repr(list(params or [])),
                    lambda: arrays(con, sql, params))


def memo_rows(con, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
    """:func:`rows`, remembered like :func:`memo_query` (a copy of the list is returned)."""
    return list(memoised(con, RESULT + "rows\0" + sql + "\0" + repr(list(params or [])),
                         lambda: rows(con, sql, params)))


_other_memos: list = []


def register_memo(clear) -> None:
    """Register the ``clear`` function of a module's own memo, for :func:`clear_memos`."""
    _other_memos.append(clear)


def clear_memos(results_only: bool = False) -> None:
    """Forget what was remembered: everything, or (``results_only``) the query results and
    bootstrap intervals but not the per-snapshot reference lookups (meta, districts, coverage,
    table sizes). The benchmark times pages with ``results_only``: like a visit to a page with
    new filters in the running app."""
    with _memos_lock:
        for memo in _memos.values():
            for key in [k for k in memo if not results_only or k.startswith(RESULT)]:
                del memo[key]
    for clear in _other_memos:
        clear()


def meta(con) -> dict[str, str]:
    """The ``meta`` table as a dict (memoised per read-only snapshot)."""
    return memoised(con, "meta", lambda: dict(rows(con, "SELECT key, value FROM meta")))
