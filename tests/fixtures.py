"""Small databases built in code, with rows the tests spell out (Datasette style).

``make_db(path, complaints=[...], merchants=[...], returns=[...], demo_units=[...], meta={...})``
creates the schema and reference data (districts, townships, official calendar) and inserts the
rows; complaints get their derived columns (resolution days, deadlines) from the same SQL the
sample and the importer use. Only the fields a test cares about need to be given.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from analytics import build, db

_counter = iter(range(1, 10**9))


def D(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def complaint(received: str, closed: str | None = None, *, reg_no: str | None = None,
              appeal_type: str = "投诉", is_odr: bool = False, district: str = "620702",
              accepted: str | None = None, acceptance: str | None = "受理", outcome: str | None = None,
              channel: str = "12315热线", object_class: str = "商品", category: str = "食品",
              problem: str = "质量", merchant: str = "测试商店", merchant_id: str | None = None,
              credit_code: str | None = None, township: str | None = None,
              disputed: float | None = 100.0, recovered: float | None = 0.0, subcategory=None) -> dict:
    """One complaint row. Dates are 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM'."""
    def ts(s):
        if s is None:
            return None
        return dt.datetime.fromisoformat(s if len(s) > 10 else s + " 10:00")
    r = ts(received)
    c = ts(closed)
    if outcome is None and c is not None:
        outcome = "和解" if is_odr else ("不予受理" if acceptance == "不予受理" else "调解成功")
    return {
        "reg_no": reg_no or f"T{next(_counter):08d}",
        "appeal_type": appeal_type,
        "received_at": r, "received_date": r.date(),
        "accepted_date": D(accepted) if accepted else None,
        "acceptance": acceptance,
        "closed_at": c, "closed_date": c.date() if c else None,
        "channel": channel, "is_odr": is_odr, "object_class": object_class, "category": category,
        "subcategory": subcategory, "problem": problem, "outcome": outcome, "outcome_raw": outcome,
        "district_code": district, "township": township, "merchant_id": merchant_id,
        "merchant_name": merchant, "credit_code": credit_code,
        "disputed_yuan": disputed, "recovered_yuan": recovered, "source": "fixture",
    }


MERCHANT_DEFAULTS = {
    "credit_code": None, "district_code": "620702", "township": None, "industry": "食品",
    "is_chain": False, "odr_enrolled_date": None, "odr_withdrawn_date": None,
    "return_commit_date": None, "return_withdrawn_date": None, "return_commit_days": None,
}
RETURN_DEFAULTS = {"merchant_id": None, "credit_code": None, "district_code": "620702",
                   "purchase_date": None, "goods_category": "服装鞋帽", "result": "已退货",
                   "completed": True, "source": "fixture"}
DEMO_DEFAULTS = {"type_label": None, "district_code": "620702", "merchant_id": None,
                 "withdrawn_date": None, "source": "fixture"}

_TYPES = {
    "merchants": {"odr_enrolled_date": "DATE", "odr_withdrawn_date": "DATE", "return_commit_date": "DATE",
                  "return_withdrawn_date": "DATE", "return_commit_days": "INTEGER", "is_chain": "BOOLEAN"},
    "returns": {"purchase_date": "DATE", "return_date": "DATE", "amount_yuan": "DECIMAL(12,2)",
                "completed": "BOOLEAN"},
    "demo_units": {"named_date": "DATE", "withdrawn_date": "DATE"},
}


def _insert(con, table: str, rows: list[dict], defaults: dict) -> None:
    if not rows:
        return
    cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    full = [{**defaults, **r} for r in rows]
    df = pd.DataFrame([{c: r.get(c) for c in cols} for r in full], columns=cols).astype(object)
    con.register("fixture_df", df)
    sel = ", ".join(f"CAST({c} AS {_TYPES.get(table, {}).get(c, 'VARCHAR')}) AS {c}"
                    if c in _TYPES.get(table, {}) else c for c in cols)
    con.execute(f"INSERT INTO {table} SELECT {sel} FROM fixture_df")
    con.unregister("fixture_df")


def make_db(path: Path, complaints=(), merchants=(), returns=(), demo_units=(), meta=None) -> Path:
    path = Path(path)
    if path.exists():
        path.unlink()
    con = build.new_database(path)
    try:
        if complaints:
            df = pd.DataFrame(list(complaints), columns=build.COMPLAINT_RAW_COLUMNS + ["source"]).astype(object)
            con.register("fixture_raw", df)
            casts = {"received_at": "TIMESTAMP", "received_date": "DATE", "accepted_date": "DATE",
                     "closed_at": "TIMESTAMP", "closed_date": "DATE", "is_odr": "BOOLEAN",
                     "disputed_yuan": "DECIMAL(14,2)", "recovered_yuan": "DECIMAL(14,2)"}
            sel = ", ".join(f"CAST({c} AS {casts[c]}) AS {c}" if c in casts else f"CAST({c} AS VARCHAR) AS {c}"
                            for c in build.COMPLAINT_RAW_COLUMNS + ["source"])
            con.execute(f"CREATE TEMP TABLE staging_complaints AS SELECT {sel} FROM fixture_raw")
            build.insert_complaints(con, "staging_complaints")
            con.execute("DROP TABLE staging_complaints")
            con.unregister("fixture_raw")
        _insert(con, "merchants", list(merchants), MERCHANT_DEFAULTS)
        _insert(con, "returns", list(returns), RETURN_DEFAULTS)
        _insert(con, "demo_units", list(demo_units), DEMO_DEFAULTS)
        build.set_meta(con, dataset="fixture", data_version="fixture-1", **(meta or {}))
        build.refresh_aggregates(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


def open_db(path: Path):
    return db.connect(path, read_only=True)
