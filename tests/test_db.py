"""The database layer: time limits on every query, cursors per query, reference memo."""
from __future__ import annotations

import threading
import time

import pytest

from analytics import db

SLOW = "SELECT count(*) FROM range(2000000000) a(x) WHERE x % 7 = 3"


def test_time_limit_interrupts_and_the_connection_stays_usable(sample_db):
    con = db.shared(sample_db)
    t0 = time.perf_counter()
    with pytest.raises(db.QueryTimeout):
        db.scalar(con, SLOW, time_limit=0.3)
    assert time.perf_counter() - t0 < 10
    assert db.scalar(con, "SELECT count(*) FROM districts") == 6
    assert not db._watchdog._deadlines          # nothing left registered


def test_deadlines_released_after_fast_queries_and_errors(sample_db):
    con = db.shared(sample_db)
    for _ in range(50):
        db.scalar(con, "SELECT 1", time_limit=5)
    with pytest.raises(Exception):
        db.scalar(con, "SELECT * FROM no_such_table", time_limit=5)
    assert not db._watchdog._deadlines


def test_concurrent_limits_are_independent(sample_db):
    """A short limit stops only its own query; a query with a long limit finishes."""
    con = db.shared(sample_db)
    results = {}

    def slow():
        try:
            db.scalar(con, SLOW, time_limit=0.3)
            results["slow"] = "finished"
        except db.QueryTimeout:
            results["slow"] = "stopped"

    def quick():
        results["quick"] = db.scalar(con, "SELECT count(*) FROM range(1000000)", time_limit=60)

    ts = [threading.Thread(target=slow), threading.Thread(target=quick)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    assert results == {"slow": "stopped", "quick": 1000000}
