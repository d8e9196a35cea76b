"""Pre-aggregated tables (the fast path) and the stamp that says whether they may be used.

Each analytics module that has a fast path declares its tables in a module-level ``AGGREGATES``
dict: table name -> ``CREATE OR REPLACE TABLE <name> AS ...`` statement, built only from the
``complaints`` / ``returns`` / reference tables and the metric SQL in analytics/metrics.py.

:func:`refresh` rebuilds all of them and writes ``meta.agg_for`` = :func:`stamp` of the current
``data_version``. The stamp contains a hash of every statement, so a database built by an older
version of the code (different or missing tables) silently falls back to the plain queries until
it is rebuilt: a fast path never answers from a table that does not match the data or the code.
Tests check, module by module, that the fast and plain paths give the same results.
"""
from __future__ import annotations

import hashlib
import importlib

from .db import meta

# Modules that may declare AGGREGATES, in build order (a later table may read an earlier one).
_MODULES = ("analytics.build", "analytics.trends", "analytics.resolution", "analytics.programmes",
            "analytics.rankings", "analytics.explore")


def tables() -> dict[str, str]:
    """All aggregate tables: name -> CREATE statement, in build order."""
    out: dict[str, str] = {}
    for name in _MODULES:
        mod = importlib.import_module(name)
        for table, sql in getattr(mod, "AGGREGATES", {}).items():
            if table in out:
                raise RuntimeError(f"aggregate table {table} declared twice")
            out[table] = sql
    return out


_layout: str | None = None


def layout() -> str:
    """A short hash of every aggregate statement (changes whenever any of them changes)."""
    global _layout
    if _layout is None:
        h = hashlib.sha1()
        for table, sql in tables().items():
            h.update(table.encode() + b"\0" + " ".join(sql.split()).encode() + b"\0")
        _layout = h.hexdigest()[:12]
    return _layout


def stamp(data_version: str | None) -> str | None:
    """The ``meta.agg_for`` value that marks aggregates as built for ``data_version``."""
    return f"{data_version}|agg-{layout()}" if data_version else None


def refresh(con) -> None:
    """Rebuild every aggregate table; call after any change to complaints or returns
    (the sample builder and the importer do)."""
    from .build import set_meta
    for sql in tables().values():
        con.execute(sql)
    version = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    set_meta(con, agg_for=stamp(version[0] if version else None))


def usable(con) -> bool:
    """True while the aggregate tables were built for the current data version and code."""
    m = meta(con)
    return bool(m.get("agg_for")) and m.get("agg_for") == stamp(m.get("data_version"))
