"""The read-only SQL runner of the SQL page.

A statement is run only when every check passes:

1. DuckDB's own parser (``extract_statements``) finds exactly one statement and it is a SELECT
   (``WITH … SELECT``, ``FROM t`` and DESCRIBE/SUMMARIZE/SHOW count as SELECT for DuckDB;
   COPY, ATTACH, DETACH, INSTALL, LOAD, PRAGMA, SET/RESET, CALL, EXPORT/IMPORT DATABASE, CREATE,
   INSERT, UPDATE, DELETE, DROP, ALTER, EXPLAIN, PIVOT … are other statement types).
2. DuckDB's tokenizer: no identifier from the deny-list of table functions that read files or
   reveal the host (read_csv*, read_parquet, read_json*, glob, read_text, read_blob, query …).
3. DuckDB's parse tree (``json_serialize_sql``): every table referenced is a table of the schema
   or a CTE of the statement (so ``FROM 'file.csv'`` and other replacement scans are refused),
   every table function is on a short allow-list (range, generate_series, unnest), and no
   function of the deny-list appears anywhere.

It runs in a WORKER PROCESS (analytics/sqlworker.py) whose memory and time the operating system
bounds: an address-space limit of 1 GiB set before DuckDB is opened, and the parent kills it at the
2-second limit plus a short grace (DuckDB's own interrupt and memory limit do not stop a query that
builds one huge value). There it runs on a connection of its own: an in-memory DuckDB instance
(autoinstall/autoload of extensions off, Python replacement scans off, one thread, a memory limit
below the rlimit) with the database file ATTACHed READ_ONLY, then ``enable_external_access=false``
and ``lock_configuration=true`` set before any user statement (so SET cannot undo them). At most
1,000 rows come back (1,001 are fetched; the 1,001st only says the result was truncated) and at
most 5 MB of them (a larger result is cut with a notice); at most two queries run at once.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass

import duckdb
import pandas as pd

from . import db, sqlworker
from .dictionary import TABLE_ORDER

TIME_LIMIT = 2.0          # seconds
EXAMPLE_TIME_LIMIT = 8.0   # seconds for the page's own example queries (vetted, small results): on a
                           # busy server (many first visitors at once) they must not fail at 2 s
ROW_CAP = 1000
MAX_LENGTH = 20_000       # characters of SQL

# The worker's connection (analytics/sqlworker.py): an in-memory instance of its own with the file
# ATTACHed READ_ONLY, external access off and the configuration locked (LOCKDOWN) before any user
# statement runs. The parser connection below uses the same configuration.
GUARD_CONFIG = sqlworker.GUARD_CONFIG
LOCKDOWN = sqlworker.LOCKDOWN
LOCKDOWN_SQL = sqlworker.LOCKDOWN_SQL
BYTE_CAP = sqlworker.BYTE_CAP
MEMORY_LABEL = sqlworker.MEMORY_LABEL
QueryStopped = sqlworker.QueryStopped     # memory / crash (time is raised as db.QueryTimeout)
Busy = sqlworker.Busy

ALLOWED_TABLES = frozenset(TABLE_ORDER)
ALLOWED_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
# Functions that read files, reach the network, run SQL text, or reveal the host or settings.
DENIED_FUNCTIONS = frozenset({
    "read_csv", "read_csv_auto", "sniff_csv", "read_parquet", "parquet_scan", "parquet_metadata",
    "parquet_schema", "parquet_file_metadata", "parquet_kv_metadata", "parquet_bloom_probe",
    "read_json", "read_json_auto", "read_json_objects", "read_json_objects_auto", "read_ndjson",
    "read_ndjson_auto", "read_ndjson_objects", "glob", "read_text", "read_blob", "read_xlsx",
    "iceberg_scan", "delta_scan", "sqlite_scan", "sqlite_attach", "postgres_scan", "mysql_scan",
    "st_read", "query", "query_table", "getenv", "current_setting", "duckdb_settings",
    "duckdb_databases", "duckdb_extensions", "duckdb_secrets", "which_secret", "duckdb_temporary_files",
    "duckdb_memory", "duckdb_logs", "getvariable", "checkpoint", "force_checkpoint", "load_extension",
    "install_extension", "enable_logging", "truncate_duckdb_logs",
})
DENIED_PREFIXES = ("read_", "pragma_", "parquet_", "sqlite_", "postgres_", "mysql_", "duckdb_secret")
SHOW_SPECIAL = frozenset({"tables", "all_tables"})

STATEMENT_NAMES = {
    "COPY": "COPY", "ATTACH": "ATTACH", "DETACH": "DETACH", "LOAD": "INSTALL/LOAD", "PRAGMA": "PRAGMA",
    "SET": "SET/RESET/USE", "VARIABLE_SET": "SET VARIABLE", "CALL": "CALL", "EXPORT": "EXPORT DATABASE",
    "CREATE": "CREATE", "CREATE_FUNC": "CREATE FUNCTION", "INSERT": "INSERT", "UPDATE": "UPDATE",
    "DELETE": "DELETE", "DROP": "DROP", "ALTER": "ALTER", "EXPLAIN": "EXPLAIN", "TRANSACTION": "BEGIN/COMMIT",
    "VACUUM": "VACUUM", "ANALYZE": "ANALYZE", "MULTI": "PIVOT", "PREPARE": "PREPARE", "EXECUTE": "EXECUTE",
    "RELATION": "RELATION", "EXTENSION": "EXTENSION", "LOGICAL_PLAN": "LOGICAL PLAN", "UPDATE_EXTENSIONS": "UPDATE EXTENSIONS",
    "MERGE_INTO": "MERGE INTO",
}


class Refused(ValueError):
    """The statement is not a single read-only SELECT on the schema's tables.

    ``code`` is a stable reason (tests and the UI's message catalogue use it), ``detail`` names
    the offending statement type, function or table."""

    def __init__(self, code: str, detail: str = ""):
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass
class SqlResult:
    frame: pd.DataFrame
    truncated: bool          # more than ROW_CAP rows: only the first ROW_CAP are in frame
    elapsed: float           # seconds
    capped: bool = False     # more than BYTE_CAP bytes: only the rows that fit are in frame


# --- the connections ------------------------------------------------------------------------

_lock = threading.Lock()
_parser_con: duckdb.DuckDBPyConnection | None = None
CATALOG = sqlworker.CATALOG           # the attached database's name in the worker


def connect_guarded(path) -> duckdb.DuckDBPyConnection:
    """The worker's connection to ``path`` (:func:`analytics.sqlworker.open_locked`): the file
    ATTACHed READ_ONLY as the default catalog, external access disabled and the configuration
    locked. Raises :class:`analytics.db.DatabaseUnavailable`."""
    try:
        return sqlworker.open_locked(path)
    except (OSError, duckdb.Error) as exc:
        raise db.DatabaseUnavailable(f"cannot open database {path}: {exc}") from exc


def _parser() -> duckdb.DuckDBPyConnection:
    """An in-memory connection used only to parse (never to run user SQL)."""
    global _parser_con
    with _lock:
        if _parser_con is None:
            _parser_con = duckdb.connect(":memory:", config=dict(GUARD_CONFIG))
            for stmt in LOCKDOWN_SQL:
                _parser_con.execute(stmt)
        return _parser_con.cursor()


# --- the checks ------------------------------------------------------------------------------

def _bare(name: str) -> str:
    return name.strip().strip('"').lower()


def _denied(name: str) -> bool:
    n = _bare(name)
    return n in DENIED_FUNCTIONS or n.startswith(DENIED_PREFIXES)


def _walk(node, out: dict) -> None:
    if isinstance(node, dict):
        typ = node.get("type")
        if node.get("class") == "FUNCTION" and "function_name" in node:
            out["functions"].add(_bare(node["function_name"]))
        if typ == "TABLE_FUNCTION":
            fn = (node.get("function") or {}).get("function_name", "")
            out["table_functions"].add(_bare(fn))
        elif typ == "BASE_TABLE":
            out["tables"].append((node.get("catalog_name", ""), node.get("schema_name", ""), node.get("table_name", "")))
        elif typ == "SHOW_REF" and not node.get("query"):
            out["shows"].add(_bare(node.get("table_name", "")))
        cte = node.get("cte_map")
        if isinstance(cte, dict):
            for item in cte.get("map", []):
                if isinstance(item, dict) and "key" in item:
                    out["ctes"].add(_bare(item["key"]))
        for v in node.values():
            _walk(v, out)
    elif isinstance(node, list):
        for v in node:
            _walk(v, out)


def check(sql: str, database: str | None = None) -> str:
    """The statement to run (the one SELECT, without a trailing semicolon), or :class:`Refused`.

    ``database`` is the catalog name of the guarded connection (a table qualified with it is
    allowed)."""
    if sql is None or not sql.strip():
        raise Refused("empty")
    if len(sql) > MAX_LENGTH:
        raise Refused("too_long", f"{len(sql):,} > {MAX_LENGTH:,}")
    cur = _parser()
    try:
        try:
            stmts = cur.extract_statements(sql)
        except duckdb.Error as exc:
            raise Refused("syntax", str(exc).split("\n")[0]) from exc
        stmts = [s for s in stmts if s.query.strip().strip(";").strip()]
        if not stmts:
            raise Refused("empty")
        if len(stmts) > 1:
            raise Refused("several", str(len(stmts)))
        stmt = stmts[0]
        kind = stmt.type.name
        if kind != "SELECT":
            raise Refused("statement", STATEMENT_NAMES.get(kind, kind))
        text = stmt.query.strip().rstrip(";").strip()
        # 2. tokens: deny-listed identifiers wherever they appear (quoted or not)
        toks = duckdb.tokenize(text)
        for i, (pos, ttype) in enumerate(toks):
            if ttype == duckdb.token_type.identifier:
                end = toks[i + 1][0] if i + 1 < len(toks) else len(text)
                word = text[pos:end]
                if _denied(word):
                    raise Refused("function", _bare(word))
        # 3. the parse tree
        raw = cur.execute("SELECT json_serialize_sql(?)", [text]).fetchone()[0]
    finally:
        cur.close()
    tree = json.loads(raw)
    if tree.get("error"):
        raise Refused("statement", tree.get("error_message", "not a plain SELECT"))
    found = {"functions": set(), "table_functions": set(), "tables": [], "ctes": set(), "shows": set()}
    _walk(tree.get("statements", []), found)
    for fn in sorted(found["functions"] | found["table_functions"]):
        if _denied(fn):
            raise Refused("function", fn)
    for fn in sorted(found["table_functions"]):
        if fn not in ALLOWED_TABLE_FUNCTIONS:
            raise Refused("table_function", fn)
    dbname = (database or "").lower()
    for catalog, schema, table in found["tables"]:
        name = _bare(table)
        cat, sch = _bare(catalog), _bare(schema)
        # allowed qualifications: t, main.t, <db>.t, <db>.main.t
        qualified_ok = (cat in ("", dbname) and sch in ("", "main")) or (cat == "" and sch == dbname != "")
        if not qualified_ok:
            raise Refused("table", ".".join(x for x in (catalog, schema, table) if x))
        if name not in ALLOWED_TABLES and not (name in found["ctes"] and not catalog and not schema):
            raise Refused("table", table)
    for show in found["shows"]:
        if show not in SHOW_SPECIAL:
            raise Refused("statement", "SHOW " + show)
    return text


def run(sql: str, path=None, *, time_limit: float = TIME_LIMIT, row_cap: int = ROW_CAP,
        byte_cap: int = BYTE_CAP) -> SqlResult:
    """Check ``sql`` here, then run it in a worker process (analytics/sqlworker.py). Raises
    :class:`Refused`, :class:`analytics.db.QueryTimeout` (past the time limit, whether DuckDB's
    interrupt or the kill stopped it), :class:`QueryStopped` (more than the memory limit, or the
    worker crashed), :class:`Busy` (every query slot taken), :class:`analytics.db.DatabaseUnavailable`
    or ``duckdb.Error`` (a binder or runtime error).

    Grain: whatever the statement selects, at most ``row_cap`` rows and ``byte_cap`` bytes."""
    p = db.db_path(path).resolve()
    if not p.exists():
        raise db.DatabaseUnavailable(f"database {p} does not exist")
    text = check(sql, CATALOG)
    wrapped = f"SELECT * FROM (\n{text}\n) AS user_query LIMIT {int(row_cap) + 1}"
    try:
        out = sqlworker.execute(wrapped, p, time_limit=time_limit, row_cap=row_cap, byte_cap=byte_cap)
    except sqlworker.QueryStopped as exc:
        if exc.reason == "time":
            raise db.QueryTimeout(str(exc)) from exc
        raise
    except sqlworker.Unavailable as exc:
        raise db.DatabaseUnavailable(str(exc)) from exc
    frame = pd.DataFrame.from_records(out["rows"], columns=out["names"]) if out["rows"] else \
        pd.DataFrame({n: [] for n in out["names"]})
    return SqlResult(frame, out["truncated"], out["elapsed"], out["capped"])


# Example queries shown beside the editor: key -> (title zh, title en, SQL).
EXAMPLES = {
    "per_district": ("2023 年各区县投诉量与每十万人投诉量", "Complaints per district in 2023, per 100k residents", """\
SELECT d.name, d.population,
       count(c.reg_no) AS complaints,
       round(count(c.reg_no) / d.population * 100000, 1) AS per_100k
FROM districts d
LEFT JOIN complaints c
       ON c.district_code = d.code AND c.appeal_type = '投诉'
      AND c.received_date BETWEEN DATE '2023-01-01' AND DATE '2023-12-31'
GROUP BY d.name, d.population
ORDER BY per_100k DESC"""),
    "odr_vs_trad": ("ODR 与传统渠道的中位办理天数（按年）", "Median resolution days, ODR vs traditional, by year", """\
SELECT year(received_date) AS year,
       CASE WHEN is_odr THEN 'ODR' ELSE '传统' END AS route,
       count(*) AS complaints,
       count(closed_date) AS closed,
       quantile_cont(resolution_days, 0.5) AS median_days
FROM complaints
WHERE appeal_type = '投诉'
GROUP BY ALL
ORDER BY year, route"""),
    "top_merchants": ("投诉最多的 20 个经营者（2023 年）", "The 20 merchants with most complaints (2023)", """\
SELECT merchant_name, credit_code, count(*) AS complaints,
       count(*) FILTER (WHERE outcome IN ('和解', '调解成功')) AS settled
FROM complaints
WHERE appeal_type = '投诉'
  AND received_date BETWEEN DATE '2023-01-01' AND DATE '2023-12-31'
GROUP BY ALL
ORDER BY complaints DESC, merchant_name
LIMIT 20"""),
    "monthly_channel": ("按月、按来源渠道的投诉量", "Complaints per month and channel", """\
SELECT strftime(received_date, '%Y-%m') AS month, channel, count(*) AS complaints
FROM complaints
WHERE appeal_type = '投诉'
GROUP BY ALL
ORDER BY month, complaints DESC"""),
    "on_time": ("各区县按期办结率（2023 年，口径见方法说明）", "On-time rate per district (2023, see Methodology)", """\
SELECT district_code,
       count(*) FILTER (WHERE closed_date IS NOT NULL AND closed_date <= deadline_date) AS on_time,
       count(*) FILTER (WHERE closed_date IS NOT NULL OR deadline_date < DATE '2023-12-31') AS base,
       round(on_time / base, 4) AS on_time_rate
FROM complaints
WHERE appeal_type = '投诉'
  AND received_date BETWEEN DATE '2023-01-01' AND DATE '2023-12-31'
GROUP BY ALL
ORDER BY district_code"""),
    "returns": ("各区县无理由退货笔数与金额", "No-reason returns per district: count and amount", """\
SELECT d.name, count(r.return_id) AS returns, sum(r.amount_yuan) AS amount_yuan,
       count(DISTINCT coalesce(r.credit_code, r.store_name)) AS stores
FROM districts d
LEFT JOIN returns r ON r.district_code = d.code
GROUP BY ALL
ORDER BY amount_yuan DESC NULLS LAST"""),
}
