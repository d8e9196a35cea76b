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


def test_memo_is_bounded_and_least_recently_used_goes_first(sample_db, monkeypatch):
    monkeypatch.setattr(db, "MEMO_KEYS", 3)
    db.reset_shared()
    con = db.shared(sample_db)
    calls = []

    def compute(k):
        calls.append(k)
        return k * 2

    for k in (1, 2, 3):
        assert db.memoised(con, f"k{k}", lambda k=k: compute(k)) == k * 2
    db.memoised(con, "k1", lambda: compute(1))          # hit: k1 becomes the most recent
    db.memoised(con, "k4", lambda: compute(4))          # evicts k2
    assert len(db._memos[con]) == 3
    db.memoised(con, "k2", lambda: compute(2))          # recomputed
    db.memoised(con, "k1", lambda: compute(1))          # still remembered
    assert calls == [1, 2, 3, 4, 2]
    db.reset_shared()


def test_writer_connections_are_not_memoised(sample_db, tmp_path):
    import shutil
    p = tmp_path / "w.duckdb"
    shutil.copy(sample_db, p)
    w = db.connect(p)
    n = []
    for _ in range(3):
        db.memoised(w, "x", lambda: n.append(1))
    assert len(n) == 3
    w.close()


def test_clearing_results_keeps_reference_lookups(sample_db):
    from analytics import queries
    db.reset_shared()
    con = db.shared(sample_db)
    queries.districts(con)
    db.memo_query(con, "SELECT 1 AS x")
    keys = list(db._memos[con])
    assert any(k.startswith(db.RESULT) for k in keys) and "districts" in keys
    db.clear_memos(results_only=True)
    assert list(db._memos[con]) == ["districts"]
    db.clear_memos()
    assert not db._memos[con]
    db.reset_shared()


def test_arrays_are_read_only_with_nulls_masked(sample_db):
    import numpy as np
    db.reset_shared()
    con = db.shared(sample_db)
    sql = "SELECT * FROM (VALUES (1::BIGINT, 'a'), (2, NULL)) t(n, s) WHERE n <= ?"
    a = db.arrays(con, sql, [2])
    assert list(a) == ["n", "s"] and a["n"].tolist() == [1, 2]
    assert np.ma.getmaskarray(a["s"]).tolist() == [False, True]
    with pytest.raises(ValueError):
        a["n"][0] = 5                                   # shared when remembered: never changed in place
    m1 = db.memo_arrays(con, sql, [2])
    m2 = db.memo_arrays(con, sql, [2])
    assert m1["n"] is m2["n"]                           # remembered per snapshot
    assert db.memo_arrays(con, sql, [1])["n"].tolist() == [1]   # the values are part of the key
    db.clear_memos(results_only=True)
    assert db.memo_arrays(con, sql, [2])["n"] is not m1["n"]
    assert db.arrays(con, "SELECT 1 AS x WHERE false")["x"].size == 0
    db.reset_shared()
