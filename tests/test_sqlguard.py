"""The read-only SQL runner: what it refuses, the locked-down connection, the time limit, the
row cap, and legitimate queries with hand-computed answers."""
from __future__ import annotations

import time

import duckdb
import pytest

from analytics import db, sqlguard
from analytics.sqlguard import Refused
from tests.fixtures import complaint, make_db


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    p = tmp_path_factory.mktemp("sqlguard") / "g.duckdb"
    make_db(p, complaints=[
        complaint("2024-03-01", "2024-03-05", district="620702"),
        complaint("2024-03-02", None, district="620702"),
        complaint("2024-03-03", "2024-03-04", district="620702", is_odr=True),
        complaint("2024-03-04", None, district="620721"),
        complaint("2024-03-05", None, district="620721", appeal_type="举报"),
    ])
    return p


@pytest.mark.parametrize("sql, code, detail", [
    ("COPY complaints TO '/tmp/out.csv'", "statement", "COPY"),
    ("COPY (SELECT 1) TO '/tmp/out.csv'", "statement", "COPY"),
    ("ATTACH '/tmp/other.duckdb' AS other", "statement", "ATTACH"),
    ("DETACH odr", "statement", "DETACH"),
    ("INSTALL httpfs", "statement", "INSTALL/LOAD"),
    ("LOAD httpfs", "statement", "INSTALL/LOAD"),
    ("PRAGMA database_list", "statement", "PRAGMA"),
    ("PRAGMA table_info('complaints')", "statement", "PRAGMA"),
    ("SET threads = 8", "statement", "SET/RESET/USE"),
    ("SET enable_external_access = true", "statement", "SET/RESET/USE"),
    ("RESET threads", "statement", "SET/RESET/USE"),
    ("CALL pragma_version()", "statement", "CALL"),
    ("EXPORT DATABASE '/tmp/dump'", "statement", "EXPORT DATABASE"),
    ("IMPORT DATABASE '/tmp/dump'", "statement", "PRAGMA"),      # DuckDB parses IMPORT as a pragma
    ("CREATE TABLE t AS SELECT 1 AS a", "statement", "CREATE"),
    ("CREATE VIEW v AS SELECT 1 AS a", "statement", "CREATE"),
    ("INSERT INTO meta VALUES ('x', 'y')", "statement", "INSERT"),
    ("WITH a AS (SELECT 'x', 'y') INSERT INTO meta SELECT * FROM a", "statement", "INSERT"),
    ("UPDATE complaints SET outcome = '和解'", "statement", "UPDATE"),
    ("DELETE FROM complaints", "statement", "DELETE"),
    ("DROP TABLE complaints", "statement", "DROP"),
    ("ALTER TABLE complaints ADD COLUMN x INTEGER", "statement", "ALTER"),
    ("EXPLAIN ANALYZE SELECT 1", "statement", "EXPLAIN"),
    ("SELECT * FROM read_csv('/etc/passwd')", "function", "read_csv"),
    ("SELECT * FROM read_csv_auto('/etc/passwd')", "function", "read_csv_auto"),
    ("SELECT * FROM read_parquet('/tmp/x.parquet')", "function", "read_parquet"),
    ("SELECT * FROM read_json('/tmp/x.json')", "function", "read_json"),
    ("SELECT * FROM read_json_auto('/tmp/x.json')", "function", "read_json_auto"),
    ("SELECT * FROM read_ndjson('/tmp/x.json')", "function", "read_ndjson"),
    ("SELECT * FROM glob('/etc/*')", "function", "glob"),
    ("SELECT * FROM read_text('/etc/hostname')", "function", "read_text"),
    ("SELECT * FROM read_blob('/etc/hostname')", "function", "read_blob"),
    ('SELECT * FROM "read_csv"(\'/etc/passwd\')', "function", "read_csv"),         # quoted name
    ("SELECT (SELECT count(*) FROM glob('/etc/*')) AS n", "function", "glob"),     # nested
    ("WITH f AS (SELECT * FROM read_text('/etc/hostname')) SELECT * FROM f", "function", "read_text"),
    ("SELECT * FROM query('SELECT 1')", "function", "query"),
    ("SELECT current_setting('threads')", "function", "current_setting"),
    ("SELECT * FROM duckdb_databases()", "function", "duckdb_databases"),
    ("SELECT * FROM '/etc/passwd'", "table", "/etc/passwd"),                       # replacement scan
    ("SELECT * FROM 'data/odr.duckdb.csv'", "table", "data/odr.duckdb.csv"),
    ('SELECT * FROM "/tmp/x.parquet"', "table", "/tmp/x.parquet"),
    ("SELECT * FROM complaints, '/tmp/x.csv'", "table", "/tmp/x.csv"),
    ("SELECT * FROM complaints JOIN '/tmp/x.csv' USING (reg_no)", "table", "/tmp/x.csv"),
    ("SELECT * FROM memory.main.anything", "table", "memory.main.anything"),
    ("SELECT * FROM information_schema.tables", "table", "information_schema.tables"),
    ("SELECT * FROM some_dataframe", "table", "some_dataframe"),
    ("SELECT * FROM duckdb_tables()", "table_function", "duckdb_tables"),
    ("SELECT 1; SELECT 2", "several", "2"),
    ("SELECT 1; DROP TABLE complaints", "several", "2"),
    ("SELECT 1 -- fine\n; COPY complaints TO '/tmp/x.csv'", "several", "2"),
    ("PIVOT complaints ON channel USING count(*)", "statement", "PIVOT"),
    ("", "empty", ""),
    ("   -- nothing but a comment", "empty", ""),
    ("SELEC 1", "syntax", None),
])
def test_refused(sql, code, detail):
    with pytest.raises(Refused) as exc:
        sqlguard.check(sql, "odr")
    assert exc.value.code == code
    if detail is not None:
        assert exc.value.detail == detail


def test_refused_before_running(small_db):
    """run() refuses without executing: the database is unchanged and no file is written."""
    with pytest.raises(Refused):
        sqlguard.run("COPY complaints TO '/tmp/should_not_exist_ex.csv'", small_db)
    import os
    assert not os.path.exists("/tmp/should_not_exist_ex.csv")


def test_too_long():
    with pytest.raises(Refused) as exc:
        sqlguard.check("SELECT 1 " + " " * sqlguard.MAX_LENGTH)
    assert exc.value.code == "too_long"


@pytest.mark.parametrize("sql", [
    "SELECT 1",
    "SELECT 1;",
    "WITH a AS (SELECT 1 AS x) SELECT * FROM a",
    "FROM complaints",
    "select * from Complaints",
    "SELECT * FROM main.complaints",
    "SELECT * FROM odr.main.complaints",
    "SELECT * FROM odr.complaints",
    "SELECT * FROM range(10)",
    "SELECT unnest([1, 2])",
    "DESCRIBE complaints",
    "SUMMARIZE districts",
    "SHOW TABLES",
    "SELECT 'read_csv(''x'')' AS text_not_a_call",     # a string literal, not a call
    "WITH \"x.csv\" AS (SELECT 1 AS a) SELECT * FROM \"x.csv\"",   # a CTE, not a file
])
def test_allowed(sql):
    assert sqlguard.check(sql, "odr")


def test_legit_query_hand_computed(small_db):
    # complaints (投诉 only): 620702 → 3 (two traditional, one ODR), 620721 → 1; the 举报 row is
    # excluded by the WHERE.  Closed: 620702 → 2 (2024-03-05, 2024-03-04), 620721 → 0.
    r = sqlguard.run("""
        SELECT district_code, count(*) AS n, count(closed_date) AS closed,
               count(*) FILTER (WHERE is_odr) AS odr
        FROM complaints WHERE appeal_type = '投诉' GROUP BY 1 ORDER BY 1""", small_db)
    assert not r.truncated
    assert r.frame.to_dict("records") == [
        {"district_code": "620702", "n": 3, "closed": 2, "odr": 1},
        {"district_code": "620721", "n": 1, "closed": 0, "odr": 0},
    ]
    assert r.elapsed < sqlguard.TIME_LIMIT


def test_row_cap_and_truncation(small_db):
    r = sqlguard.run("SELECT range AS i FROM range(5000) ORDER BY i DESC", small_db)
    assert r.truncated
    assert len(r.frame) == sqlguard.ROW_CAP == 1000
    assert r.frame["i"].iloc[0] == 4999 and r.frame["i"].iloc[-1] == 4000   # the order is kept
    exact = sqlguard.run("SELECT * FROM range(1000)", small_db)
    assert not exact.truncated and len(exact.frame) == 1000
    small = sqlguard.run("SELECT * FROM range(3)", small_db, row_cap=2)
    assert small.truncated and len(small.frame) == 2


@pytest.mark.parametrize("sql", [
    "SELECT sum(range) FROM range(1000000000000)",                      # 10^12 rows
    "SELECT count(*) FROM range(100000) a, range(100000) b, range(1000) c",   # a huge cross join
])
def test_runaway_query_stopped_by_time_limit(small_db, sql):
    t0 = time.perf_counter()
    with pytest.raises(db.QueryTimeout):
        sqlguard.run(sql, small_db)
    took = time.perf_counter() - t0
    assert sqlguard.TIME_LIMIT <= took < sqlguard.TIME_LIMIT + 3
    # the connection is usable afterwards
    assert sqlguard.run("SELECT 42 AS x", small_db).frame["x"].iloc[0] == 42


def test_connection_is_locked_down(small_db):
    con = sqlguard.connect_guarded(small_db)          # what the worker process opens
    cur = con.cursor()
    assert cur.execute("SELECT current_setting('enable_external_access'), "
                       "current_setting('lock_configuration'), current_setting('autoload_known_extensions'), "
                       "current_setting('autoinstall_known_extensions')").fetchone() == (False, True, False, False)
    # even bypassing the guard, the engine refuses files and configuration changes
    with pytest.raises(duckdb.Error):
        cur.execute("SELECT * FROM read_csv('/etc/passwd')")
    with pytest.raises(duckdb.Error):
        cur.execute("SET enable_external_access = true")
    with pytest.raises(duckdb.Error):
        cur.execute("ATTACH '/tmp/guard_other.duckdb' AS other")
    # and the attached database is read-only
    cur.execute("USE odr")
    with pytest.raises(duckdb.Error):
        cur.execute("DELETE FROM complaints")


def test_separate_from_the_shared_connection(small_db):
    """The app's shared connection to the same file stays open and unaffected."""
    shared = db.shared(small_db)
    assert db.scalar(shared, "SELECT count(*) FROM complaints") == 5
    assert sqlguard.run("SELECT count(*) AS n FROM complaints", small_db).frame["n"].iloc[0] == 5
    # external access on the shared connection is unchanged (the importer needs it)
    assert db.scalar(shared, "SELECT current_setting('enable_external_access')") is True


def test_examples_run(sample_db):
    for key, (_zh, _en, sql) in sqlguard.EXAMPLES.items():
        r = sqlguard.run(sql, sample_db)
        assert len(r.frame) > 0, key
        assert not r.truncated, key
