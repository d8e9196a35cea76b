"""The process that runs the SQL page's queries: memory and time bounded by the operating system.

DuckDB's time limit (an interrupt) and memory limit (its buffer manager) do not stop a query that
builds one huge value — ``len(range(2000000000))``, ``repeat('x', 1000000000)``, ``lpad(…)`` —
the value is built before the interrupt is seen, outside DuckDB's accounting. So every console
query runs in a worker process of its own (``python -m analytics.sqlworker``):

- before it opens DuckDB the worker limits its address space (``RLIMIT_AS``, 1 GiB: an allocation
  past it fails, DuckDB reports "Out of Memory", Python a MemoryError), its CPU time
  (``RLIMIT_CPU``, a backstop) and core dumps; DuckDB's own ``memory_limit`` is set below the
  rlimit so the buffer manager fails cleanly first where it can;
- it opens the database locked down (ATTACHed READ_ONLY to an in-memory instance, one thread, no
  extensions, external access off, configuration locked — :func:`open_locked`), runs the one
  statement it is sent under DuckDB's interrupt, and sends back at most ``row_cap + 1`` rows and
  at most ``byte_cap`` bytes of them (pickled rows; the parent unpickles only plain value types);
- the parent (:func:`execute`) kills it at the time limit plus a short grace, so a value being
  built cannot outlive the limit, and tells memory, time and errors apart: the worker's report
  (MemoryError / DuckDB OutOfMemory, DuckDB's interrupt), our kill, SIGXCPU, or a crash.

A worker serves ONE query and exits, so nothing a query allocated survives it. A few workers are
started ahead (:data:`POOL_SIZE`; start-up is ~0.1–0.3 s, mostly ``import duckdb``) and replaced
after each query; at most :data:`MAX_CONCURRENT` queries run at once and a further visitor gets
:class:`Busy` at once instead of queueing. The SQL checks (analytics/sqlguard.py) run in the
parent before anything is sent here. This module imports only the standard library and duckdb.
"""
from __future__ import annotations

import atexit
import io
import json
import os
import pickle
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent

MEMORY_LIMIT = 1 << 30        # bytes of address space of a worker (RLIMIT_AS)
MEMORY_LABEL = "1 GB"
DUCKDB_MEMORY = "768MB"       # DuckDB's buffer manager, below the rlimit (Python, stacks, values outside it)
CPU_LIMIT = 10                # seconds of CPU: a backstop, the parent kills the worker long before
GRACE = 0.75                  # seconds after the time limit before the parent kills the worker
BYTE_CAP = 5_000_000          # bytes of result rows (pickled) sent back
MAX_CONCURRENT = 2            # console queries at once (2 cores)
BUSY_WAIT = 0.5               # seconds a query waits for a free slot before "busy"
POOL_SIZE = 2                 # workers started ahead
RESPONSE_CAP = BYTE_CAP + 1_000_000   # the largest report the parent accepts from a worker
START_TIMEOUT = 15.0          # seconds a new worker may take to start (import duckdb) on a busy machine
READY = b"\x01"               # what a started worker writes before it waits for its query

CATALOG = "odr"               # the attached database's name in the worker
ATTACH_SQL = f"ATTACH ? AS {CATALOG} (READ_ONLY)"     # identifiers are constants; the path is bound
USE_SQL = f"USE {CATALOG}"
GUARD_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "python_enable_replacements": False,
    "threads": 1,
    "memory_limit": DUCKDB_MEMORY,
    "temp_directory": "",           # no spilling: a killed worker would leave its files behind
}
LOCKDOWN = {"enable_external_access": False, "lock_configuration": True}
# the statements that apply it, in order (lock_configuration last)
LOCKDOWN_SQL = tuple(f"SET {k} = {str(v).lower()}" for k, v in LOCKDOWN.items())


# --- what the parent raises ------------------------------------------------------------------

class QueryStopped(RuntimeError):
    """The worker was stopped: ``reason`` is "memory", "time" or "crash"."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


class Busy(RuntimeError):
    """Every query slot is taken: try again in a moment."""


class QueryFailed(duckdb.Error):
    """DuckDB refused or failed the statement in the worker (binder, conversion, … errors)."""


class Unavailable(RuntimeError):
    """The worker could not open the database."""


# --- the worker side -------------------------------------------------------------------------

def open_locked(path) -> duckdb.DuckDBPyConnection:
    """A new connection that can only read ``path``: the file ATTACHed READ_ONLY to an in-memory
    instance of its own as the default catalog, external access off and the configuration locked
    (before any user statement, so SET cannot undo it). Raises FileNotFoundError or duckdb.Error."""
    p = Path(path).resolve()
    if not p.exists():
        raise FileNotFoundError(f"database {p} does not exist")
    con = duckdb.connect(":memory:", config=dict(GUARD_CONFIG))
    try:
        con.execute(ATTACH_SQL, [str(p)])
        con.execute(USE_SQL)
        for stmt in LOCKDOWN_SQL:             # lock_configuration last
            con.execute(stmt)
        locked = dict(con.execute("SELECT name, value FROM duckdb_settings() WHERE name IN "
                                  "('enable_external_access', 'lock_configuration')").fetchall())
        if locked != {"enable_external_access": "false", "lock_configuration": "true"}:
            raise duckdb.Error(f"the SQL connection is not locked down: {locked}")
    except BaseException:
        con.close()
        raise
    return con


def limit_resources() -> None:
    """The operating system's bounds on this process (called before DuckDB is opened)."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT + 2))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _is_memory(exc: BaseException) -> bool:
    if isinstance(exc, (MemoryError, duckdb.OutOfMemoryException)):
        return True
    text = str(exc)
    return "Out of Memory" in text or "bad allocation" in text or "std::bad_alloc" in text


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = n
        while k in seen:
            seen[n] += 1
            k = f"{n}_{seen[n]}"
        seen[k] = 0
        out.append(k)
    return out


def _acceptable(value) -> bool:
    try:
        _loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        return True
    except (pickle.UnpicklingError, AttributeError, TypeError, ValueError):
        return False


def _row_bytes(row: tuple) -> tuple[tuple, int]:
    """The row as it will be sent and its size; a value the parent would not accept (see
    :class:`_Unpickler`, e.g. a timestamp with a time zone) is sent as its text."""
    data = pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL)
    if not all(v is None or type(v) in _PLAIN for v in row) and not _acceptable(row):
        row = tuple(v if v is None or type(v) in _PLAIN or _acceptable(v) else str(v) for v in row)
        data = pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL)
    return row, len(data)


def _text_bytes(row: tuple) -> int:
    """A lower bound of the row's size, without serialising it (its texts and blobs)."""
    return sum(len(v) for v in row if isinstance(v, (str, bytes)))


def serve(req: dict) -> dict:
    """Run ``req["sql"]`` on a locked-down connection to ``req["path"]``: the report to send back."""
    try:
        con = open_locked(req["path"])
    except (OSError, duckdb.Error) as exc:
        return {"kind": "unavailable", "message": str(exc).split("\n")[0]}
    cur = con.cursor()
    cur.execute(USE_SQL)
    fired = threading.Event()

    def _interrupt():
        fired.set()
        cur.interrupt()
    timer = threading.Timer(float(req["time_limit"]), _interrupt)
    timer.daemon = True
    row_cap, byte_cap = int(req["row_cap"]), int(req["byte_cap"])
    t0 = time.perf_counter()
    timer.start()
    try:
        res = cur.execute(req["sql"])
        names = _unique([d[0] for d in res.description])
        rows, size, truncated, capped = [], 0, False, False
        while not (truncated or capped):
            batch = res.fetchmany(100)
            if not batch:
                break
            for row in batch:
                if len(rows) >= row_cap:
                    truncated = True
                    break
                if size + _text_bytes(row) > byte_cap:      # too big: not worth serialising
                    capped = True
                    break
                row, b = _row_bytes(row)
                if size + b > byte_cap:
                    capped = True
                    break
                rows.append(row)
                size += b
            del batch
        elapsed = time.perf_counter() - t0
    except BaseException as exc:  # noqa: BLE001 — every failure is reported to the parent
        timer.cancel()
        if isinstance(exc, duckdb.InterruptException) or fired.is_set():
            return {"kind": "time"}
        if _is_memory(exc):
            return {"kind": "memory", "message": str(exc).split("\n")[0]}
        return {"kind": "error", "message": str(exc)}
    timer.cancel()
    return {"kind": "ok", "names": names, "rows": rows, "truncated": truncated, "capped": capped,
            "bytes": size, "elapsed": elapsed}


def main() -> None:
    limit_resources()
    sys.stdout.buffer.write(READY)       # imported and limited: the parent starts the clock now
    sys.stdout.buffer.flush()
    raw = sys.stdin.buffer.read()        # the pool starts workers ahead: they wait here
    if not raw:
        return                           # the parent went away
    try:
        resp = serve(json.loads(raw))
    except MemoryError:
        resp = {"kind": "memory", "message": "MemoryError"}
    try:
        data = pickle.dumps(resp, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps({"kind": "memory", "message": "MemoryError"})
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    os._exit(0)                          # nothing to clean up: the process ends with the query


# --- the parent side -------------------------------------------------------------------------

_SAFE = {
    ("builtins", n) for n in ("list", "dict", "tuple", "set", "frozenset", "bytearray", "complex", "bytes", "str",
                              "int", "float", "bool")
} | {("datetime", n) for n in ("date", "datetime", "time", "timedelta", "timezone")} | {
    ("decimal", "Decimal"), ("uuid", "UUID"), ("zoneinfo", "ZoneInfo"), ("zoneinfo._zoneinfo", "ZoneInfo"),
    ("_codecs", "encode"), ("copyreg", "_reconstructor"),
}


_PLAIN = (int, float, str, bytes, bool)


class _Unpickler(pickle.Unpickler):
    """Only plain value types: a worker's report never makes the parent build anything else."""

    def find_class(self, module, name):
        if (module, name) in _SAFE:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected type {module}.{name} in a worker's result")


def _loads(data: bytes) -> dict:
    return _Unpickler(io.BytesIO(data)).load()


def _command() -> list[str]:
    return [sys.executable, "-m", "analytics.sqlworker"]


def _start() -> subprocess.Popen:
    return subprocess.Popen(_command(), cwd=str(ROOT), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, close_fds=True, start_new_session=True)


class _Pool:
    """Workers started ahead, each used for one query."""

    def __init__(self, size: int):
        self.size = size
        self._idle: list[subprocess.Popen] = []
        self._lock = threading.Lock()

    def take(self) -> subprocess.Popen:
        with self._lock:
            while self._idle:
                p = self._idle.pop()
                if p.poll() is None:
                    return p
        return _start()

    def refill(self) -> None:
        """Start workers until ``size`` are idle (in a background thread)."""
        def fill():
            while True:
                with self._lock:
                    if len(self._idle) >= self.size:
                        return
                p = _start()
                with self._lock:
                    if len(self._idle) >= self.size:
                        extra = p
                    else:
                        self._idle.append(p)
                        extra = None
                if extra is not None:
                    _discard(extra)
                    return
        threading.Thread(target=fill, name="sql-worker-pool", daemon=True).start()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for p in idle:
            _discard(p)

    def idle(self) -> list[int]:
        with self._lock:
            return [p.pid for p in self._idle]


def _discard(p: subprocess.Popen) -> None:
    try:
        p.kill()
    except OSError:
        pass
    try:
        p.communicate(timeout=5)
    except (subprocess.TimeoutExpired, OSError, ValueError):
        pass


pool = _Pool(POOL_SIZE)
_slots = threading.BoundedSemaphore(MAX_CONCURRENT)
atexit.register(pool.close)


def _ready(proc: subprocess.Popen) -> bool:
    """Wait until ``proc`` has started (so its start-up does not count against the time limit)."""
    fd = proc.stdout.fileno()
    ready, _, _ = select.select([fd], [], [], START_TIMEOUT)
    return bool(ready) and os.read(fd, 1) == READY


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def execute(sql: str, path, *, time_limit: float, row_cap: int, byte_cap: int = BYTE_CAP) -> dict:
    """Run ``sql`` (already checked) in a worker: the worker's "ok" report (``names``, ``rows``,
    ``truncated``, ``capped``, ``elapsed``). Raises :class:`Busy`, :class:`QueryStopped`
    (memory, time, crash), :class:`QueryFailed` or :class:`Unavailable`."""
    if not _slots.acquire(timeout=BUSY_WAIT):
        raise Busy("every query slot is in use")
    try:
        proc = pool.take()
        pool.refill()
        if not _ready(proc):
            _discard(proc)
            raise QueryStopped("crash", "stopped: the query process did not start")
        req = json.dumps({"sql": sql, "path": str(path), "time_limit": time_limit,
                          "row_cap": row_cap, "byte_cap": byte_cap}).encode()
        killed = False
        try:
            out, _ = proc.communicate(req, timeout=time_limit + GRACE)
        except subprocess.TimeoutExpired:
            proc.kill()
            killed = True
            out, _ = proc.communicate()
    finally:
        _slots.release()
    code = proc.returncode
    if killed:
        raise QueryStopped("time", f"stopped: took longer than {time_limit:g} s")
    if code == -signal.SIGXCPU:
        raise QueryStopped("time", f"stopped: used more than {CPU_LIMIT} s of CPU")
    if code != 0 or not out or len(out) > RESPONSE_CAP:
        what = _signal_name(code) if code and code < 0 else f"exit code {code}"
        raise QueryStopped("crash", f"stopped: the query's process ended ({what}), most likely because it "
                                    f"needed more than {MEMORY_LABEL} of memory")
    resp = _loads(out)
    kind = resp.get("kind")
    if kind == "ok":
        return resp
    if kind == "time":
        raise QueryStopped("time", f"stopped: took longer than {time_limit:g} s")
    if kind == "memory":
        raise QueryStopped("memory", f"stopped: used more than {MEMORY_LABEL} of memory")
    if kind == "unavailable":
        raise Unavailable(resp.get("message", ""))
    raise QueryFailed(resp.get("message", "the query failed"))


if __name__ == "__main__":
    main()
