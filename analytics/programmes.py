"""The merchant side of the programmes: offline no-reason returns, ODR enterprises,
demonstration units, and a merchant lookup.

Every function takes a DuckDB connection and a :class:`Filters`. Conventions (METRICS.md):

- flows (returns, complaints / ODR cases) belong to the period by their date;
- registries (ODR enterprises, committed stores, demonstration units) are counted "as of" a date,
  by default the reference date (the period's end, or the as-of date when the period runs past
  it: ``queries.reference_date``): enrolled on or before it and not withdrawn on or before it;
- statuses (open, past a limit) are judged at the as-of date (``queries.status_date``);
- the district filter restricts returns, merchants and demonstration units by their own
  district code, complaints by the complaint's district code;
- a store is identified by its credit code, else by its name (same key as
  ``queries.returns_summary``).

Headline totals (returns, registry counts, ODR resolved) are NOT recomputed here: the page takes
them from ``analytics.queries`` so they equal the ``figures`` command.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from . import aggregates
from . import metrics as M
from .db import query, rows, scalar
from .filters import Filters, complaint_where, district_where
from .queries import data_coverage, reference_date, status_date

# --- allow-lists (identifiers never come from callers) ----------------------------------------

# grain -> (date_trunc unit, label format, interval literal, last-day expression of a unit at u)
GRAINS = {
    "day": ("day", "%Y-%m-%d", "INTERVAL 1 DAY", "u"),
    "week": ("week", "%G-W%V", "INTERVAL 1 WEEK", "u + 6"),
    "month": ("month", "%Y-%m", "INTERVAL 1 MONTH", "(u + INTERVAL 1 MONTH)::DATE - 1"),
}

# registry -> (table, start column, end column, fixed restriction)
REGISTRIES = {
    "odr": ("merchants", "odr_enrolled_date", "odr_withdrawn_date", "TRUE"),
    "returns": ("merchants", "return_commit_date", "return_withdrawn_date", "TRUE"),
    "street": ("demo_units", "named_date", "withdrawn_date", "unit_type = 'street'"),
    "chain_store": ("demo_units", "named_date", "withdrawn_date", "unit_type = 'chain_store'"),
    "operator": ("demo_units", "named_date", "withdrawn_date", "unit_type = 'operator'"),
}
DEMO_TYPES = ("street", "chain_store", "operator")
STORE_DEMO_TYPES = ("chain_store", "operator")   # demonstration units that are stores (have a merchant)

# grouping of ODR enterprises -> merchants column
ODR_GROUPS = {"district": "m.district_code", "industry": "m.industry"}

# Per-return amount bins (yuan): [lo, hi); the last bin is open-ended.
AMOUNT_EDGES = (0, 50, 100, 200, 500, 1000, 2000, 5000)


def _amount_bin(edge: str) -> str:
    """CASE expression: the AMOUNT_EDGES bin of r.amount_yuan, ``edge`` the SQL of each upper edge
    in turn (``?`` to bind AMOUNT_EDGES[1:], or ``{}`` to write them in)."""
    case = " ".join(f"WHEN r.amount_yuan < {edge.format(e)} THEN {i}" for i, e in enumerate(AMOUNT_EDGES[1:]))
    return f"CASE {case} ELSE {len(AMOUNT_EDGES) - 1} END"

FAILED_OUTCOME = "协商不成转办"   # ODR negotiation failed, handed to the traditional route
ODR_DAYS_LIMIT = 10               # platform rule: an ODR unit handles a dispute in 10 working days

RETURN_KEY = "coalesce(nullif(r.credit_code, ''), r.store_name)"
MERCHANT_KEY = "coalesce(nullif(m.credit_code, ''), m.name)"
GOODS_CATEGORY = "coalesce(nullif(trim(r.goods_category), ''), '')"


# --- fast path: returns and committed stores with numbered store keys (analytics/aggregates.py) ---

# Every store key of the returns and of the committed merchants, numbered once; both tables below
# number their keys with this same CTE, so equal keys get equal ids.
_STORE_IDS = f"""store_ids AS (
    SELECT store_key, row_number() OVER (ORDER BY store_key)::INTEGER AS store_id FROM (
        SELECT {RETURN_KEY} AS store_key FROM returns r
        UNION SELECT {MERCHANT_KEY} FROM merchants m WHERE m.return_commit_date IS NOT NULL))"""

# agg_prog_returns: one row per return (the columns the returns questions read, the store key as
# an integer, the goods category as GOODS_CATEGORY gives it), in return_date order so that a
# period reads only its own row groups. prev_date,
# prev_in_district, prev_in_category: the date of the store's previous return (any district and
# category / the same district / the same goods category; a same-day return counts as previous
# for all but one of them). A return dated in a period that starts at ``a`` is the store's first
# there when that date is null or before ``a``: counting first returns counts distinct stores.
# agg_prog_committed: one row per merchant that ever committed to no-reason returns.
# agg_prog_daily: grain (return_date, district_code, bin of AMOUNT_EDGES); n (returns),
# amount_yuan (yuan), n_completed (completed returns).
AGGREGATES = {
    "agg_prog_returns": f"""CREATE OR REPLACE TABLE agg_prog_returns AS WITH {_STORE_IDS},
        keyed AS (SELECT r.return_date, r.district_code, {GOODS_CATEGORY} AS goods_category, r.amount_yuan,
                         r.completed, s.store_id
                  FROM returns r JOIN store_ids s ON s.store_key = {RETURN_KEY})
        SELECT return_date, district_code, goods_category, amount_yuan, completed, store_id,
               lag(return_date) OVER (PARTITION BY store_id ORDER BY return_date) AS prev_date,
               lag(return_date) OVER (PARTITION BY store_id, district_code ORDER BY return_date) AS prev_in_district,
               lag(return_date) OVER (PARTITION BY store_id, goods_category ORDER BY return_date) AS prev_in_category
        FROM keyed ORDER BY return_date""",
    "agg_prog_daily": f"""CREATE OR REPLACE TABLE agg_prog_daily AS
        SELECT r.return_date, r.district_code, {_amount_bin("{}")} AS bin, count(*)::BIGINT AS n,
               sum(r.amount_yuan) AS amount_yuan, count(*) FILTER (WHERE r.completed)::BIGINT AS n_completed
        FROM returns r GROUP BY ALL ORDER BY return_date""",
    "agg_prog_committed": f"""CREATE OR REPLACE TABLE agg_prog_committed AS WITH {_STORE_IDS}
        SELECT m.district_code, m.return_commit_date, m.return_withdrawn_date, s.store_id
        FROM merchants m JOIN store_ids s ON s.store_key = {MERCHANT_KEY}
        WHERE m.return_commit_date IS NOT NULL""",
}


@dataclass(frozen=True)
class _Source:
    """Where the returns questions read: the returns (alias r) and the merchants (alias m) with
    the store key of each. The fast source has the same columns, numbered keys, and counts
    distinct stores by their first return of the period where its prev_* columns allow."""
    returns: str
    return_key: str
    category: str           # the goods category of a return ('' when blank)
    merchants: str
    merchant_key: str
    daily: str              # returns, or their counts per day, district and amount bin (alias r)
    n: str                  # aggregate expressions over ``daily``: returns, completed returns
    n_completed: str
    fast: bool = False

    def amount_bin(self, params: list) -> str:
        """The AMOUNT_EDGES bin of each row of ``daily`` (may append parameters)."""
        if self.fast:
            return "r.bin"
        params += list(AMOUNT_EDGES[1:])
        return _amount_bin("?")

    def _prev(self, f: Filters, group: str | None) -> str | None:
        """The prev_* column that marks each store's first return among the selected ones (per
        district / goods category when ``group`` says so), or None: count distinct keys."""
        if not self.fast:
            return None
        if group == "district" or (group is None and len(f.districts) == 1):
            return "prev_in_district"
        if f.districts:
            return None
        return "prev_in_category" if group == "category" else "prev_date"

    def stores(self, f: Filters, params: list, group: str | None = None) -> str:
        """Aggregate expression: distinct stores of the selected returns (of each district or
        goods category when the query groups by ``group``). May append a parameter."""
        col = self._prev(f, group)
        if col is None:
            return f"count(DISTINCT {self.return_key})"
        params.append(f.date_from)
        return f"count(*) FILTER (WHERE r.{col} IS NULL OR r.{col} < ?)"

    def keys(self, f: Filters, params: list) -> str:
        """SELECT of the distinct store keys (column store_key) with a return in the period."""
        where = _returns_where(f, params)
        col = self._prev(f, None)
        if col is None:
            return f"SELECT DISTINCT {self.return_key} AS store_key FROM {self.returns} WHERE {where}"
        params.append(f.date_from)
        return (f"SELECT {self.return_key} AS store_key FROM {self.returns} WHERE {where} "
                f"AND (r.{col} IS NULL OR r.{col} < ?)")


_PLAIN = _Source("returns r", RETURN_KEY, GOODS_CATEGORY, "merchants m", MERCHANT_KEY,
                 "returns r", "count(*)", "count(*) FILTER (WHERE r.completed)")
_FAST = _Source("agg_prog_returns r", "r.store_id", "r.goods_category", "agg_prog_committed m", "m.store_id",
                "agg_prog_daily r", "sum(r.n)::BIGINT", "sum(r.n_completed)::BIGINT", fast=True)


def _source(con, fast: bool) -> _Source:
    """The aggregates while they are usable (returns questions use no complaint facet), unless
    ``fast`` is False."""
    return _FAST if fast and aggregates.usable(con) else _PLAIN


def _dates(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for c in cols:
        if c in df.columns:
            df[c] = pd.to_datetime(df[c]).dt.date
    return df


def _ratio(num, den):
    return (num / den) if den else None


def _returns_where(f: Filters, params: list, alias: str = "r") -> str:
    params += [f.date_from, f.date_to]
    return f"{alias}.return_date BETWEEN ? AND ? AND " + district_where(f, f"{alias}.district_code", params)


def _active(alias: str, start: str, end: str) -> str:
    """Registry condition "as of ?": enrolled on or before it and not withdrawn on or before it
    (two parameters: the date twice)."""
    return f"{alias}.{start} <= ? AND ({alias}.{end} IS NULL OR {alias}.{end} > ?)"


# --- no-reason returns --------------------------------------------------------------------------

def returns_series(con, f: Filters, grain: str = "week", *, fast: bool = True) -> pd.DataFrame:
    """No-reason returns per day, ISO week or calendar month overlapping the period.

    Grain: one row per unit (``grain`` = day / week / month) overlapping [date_from, date_to],
    units without returns included. Columns: label (``YYYY-MM-DD`` / ``YYYY-Www`` by ISO year /
    ``YYYY-MM``), start, end (dates), returns (count), amount_yuan (yuan, 2 decimals), completed
    (count), partial (bool: the period or the data, [first complaint date, as-of], covers the unit
    only partly), cum_returns, cum_amount_yuan (running totals within the period)."""
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {tuple(GRAINS)}")
    unit, fmt, step, last = GRAINS[grain]
    src = _source(con, fast)
    first, as_of = data_coverage(con)
    lo = max(f.date_from, first) if first else f.date_from
    hi = min(f.date_to, as_of) if as_of else f.date_to
    params: list = [f.date_from, f.date_to]
    where = _returns_where(f, params)
    sql = f"""
        WITH units AS (
            SELECT u::DATE AS start, ({last})::DATE AS "end"
            FROM (SELECT ts::DATE AS u FROM generate_series(date_trunc('{unit}', ?::DATE), ?::DATE, {step}) t(ts))
        ), agg AS (
            SELECT date_trunc('{unit}', r.return_date)::DATE AS start, {src.n} AS returns,
                   sum(r.amount_yuan)::DOUBLE AS amount_yuan, {src.n_completed} AS completed
            FROM {src.daily} WHERE {where} GROUP BY 1
        )
        SELECT strftime(u.start, '{fmt}') AS label, u.start, u."end",
               coalesce(a.returns, 0) AS returns,
               round(coalesce(a.amount_yuan, 0), 2) AS amount_yuan,
               coalesce(a.completed, 0) AS completed,
               (u.start < ?::DATE OR u."end" > ?::DATE) AS partial
        FROM units u LEFT JOIN agg a USING (start)
        ORDER BY u.start"""
    df = query(con, sql, params + [lo, hi])
    _dates(df, "start", "end")
    df["cum_returns"] = df["returns"].cumsum()
    df["cum_amount_yuan"] = df["amount_yuan"].cumsum().round(2)
    return df


def returns_by_district(con, f: Filters, *, fast: bool = True) -> pd.DataFrame:
    """Returns of the period and committed stores as of the period's end, per district.

    Grain: every district of the database (those of the district filter), in code order.
    Columns: code, name, short_name, name_en, returns (count), amount_yuan (yuan), completed
    (count), completion_rate (fraction, null without returns), return_stores (stores with a return
    in the period), committed (stores committed as of the period's end), committed_with_return
    (committed stores with at least one return in the period), dormant (committed stores without
    a return in the period), dormant_share (fraction of committed, null without committed)."""
    src = _source(con, fast)
    p_ret: list = []
    stores = src.stores(f, p_ret, "district")
    w_ret = _returns_where(f, p_ret)
    p_keys: list = []
    keys = src.keys(f, p_keys)
    ref = reference_date(con, f)
    p_com: list = [ref, ref]
    w_com = _active("m", "return_commit_date", "return_withdrawn_date") + " AND " + \
        district_where(f, "m.district_code", p_com)
    p_d: list = []
    w_d = district_where(f, "d.code", p_d)
    sql = f"""
        WITH ra AS (
            SELECT r.district_code AS code, count(*) AS returns, sum(r.amount_yuan)::DOUBLE AS amount_yuan,
                   count(*) FILTER (WHERE r.completed) AS completed, {stores} AS return_stores
            FROM {src.returns} WHERE {w_ret} GROUP BY 1
        ), keys AS ({keys}),
        com AS (
            SELECT m.district_code AS code, count(*) AS committed,
                   count(k.store_key) AS committed_with_return
            FROM {src.merchants} LEFT JOIN keys k ON k.store_key = {src.merchant_key}
            WHERE {w_com} GROUP BY 1
        )
        SELECT d.code, d.name, d.short_name, d.name_en,
               coalesce(ra.returns, 0) AS returns,
               round(coalesce(ra.amount_yuan, 0), 2) AS amount_yuan,
               coalesce(ra.completed, 0) AS completed,
               coalesce(ra.return_stores, 0) AS return_stores,
               coalesce(com.committed, 0) AS committed,
               coalesce(com.committed_with_return, 0) AS committed_with_return
        FROM districts d LEFT JOIN ra USING (code) LEFT JOIN com USING (code)
        WHERE {w_d} ORDER BY d.code"""
    df = query(con, sql, p_ret + p_keys + p_com + p_d)
    df["dormant"] = df["committed"] - df["committed_with_return"]
    if ref < f.date_from:          # the whole period is after the as-of date: nothing to be dormant in
        df["dormant"] = pd.array([pd.NA] * len(df), dtype="Int64")
    df["completion_rate"] = [_ratio(a, b) for a, b in zip(df["completed"], df["returns"])]
    df["dormant_share"] = [None if pd.isna(a) else _ratio(a, b) for a, b in zip(df["dormant"], df["committed"])]
    return df


def returns_commitments(con, f: Filters, *, fast: bool = True) -> dict:
    """Committed stores (as of the period's end) against stores with a return in the period.

    Keys: committed (stores committed at the reference date, ``date_to`` or the as-of date when
    earlier; equals ``registry_counts`` return_stores),
    committed_with_return, dormant (committed, no return in the period; None when the whole
    period is after the as-of date), dormant_share (fraction, null without committed stores or
    dormant), return_stores (distinct stores with a return in the period;
    equals ``returns_summary`` stores), uncommitted_with_return (stores with a return in the
    period that are not committed as of ``date_to``: withdrawn since, or not in the registry)."""
    src = _source(con, fast)
    p_ret: list = []
    keys = src.keys(f, p_ret)
    ref = reference_date(con, f)
    p_com: list = [ref, ref]
    w_com = _active("m", "return_commit_date", "return_withdrawn_date") + " AND " + \
        district_where(f, "m.district_code", p_com)
    committed, with_ret, ret_stores, uncommitted = rows(con, f"""
        WITH keys AS ({keys}),
        com AS (SELECT {src.merchant_key} AS store_key FROM {src.merchants} WHERE {w_com}),
        hit AS (SELECT store_key FROM com JOIN keys USING (store_key))
        SELECT (SELECT count(*) FROM com),
               (SELECT count(*) FROM hit),
               (SELECT count(*) FROM keys),
               (SELECT count(*) FROM keys) - (SELECT count(DISTINCT store_key) FROM hit)""",
        p_ret + p_com)[0]
    # a period wholly after the as-of date has no data: no store can be called dormant in it
    dormant = None if ref < f.date_from else int(committed) - int(with_ret)
    return {
        "committed": int(committed),
        "committed_with_return": int(with_ret),
        "dormant": dormant,
        "dormant_share": None if dormant is None else _ratio(dormant, committed),
        "return_stores": int(ret_stores),
        "uncommitted_with_return": int(uncommitted),
    }


def returns_by_category(con, f: Filters, *, fast: bool = True) -> pd.DataFrame:
    """Returns of the period per goods category, largest amount first.

    Columns: goods_category ('' when blank), returns (count), amount_yuan (yuan), amount_share
    (fraction of the period's amount), median_yuan (median amount per return, linear
    interpolation), completed (count), completion_rate (fraction), stores (distinct stores)."""
    src = _source(con, fast)
    params: list = []
    stores = src.stores(f, params, "category")
    where = _returns_where(f, params)
    df = query(con, f"""
        SELECT {src.category} AS goods_category,
               count(*) AS returns, round(sum(r.amount_yuan)::DOUBLE, 2) AS amount_yuan,
               quantile_cont(r.amount_yuan::DOUBLE, 0.5) AS median_yuan,
               count(*) FILTER (WHERE r.completed) AS completed,
               {stores} AS stores
        FROM {src.returns} WHERE {where}
        GROUP BY 1 ORDER BY amount_yuan DESC, goods_category""", params)
    total = df["amount_yuan"].sum()
    df["amount_share"] = df["amount_yuan"] / total if total else None
    df["completion_rate"] = [_ratio(a, b) for a, b in zip(df["completed"], df["returns"])]
    return df


def returns_distribution(con, f: Filters, *, fast: bool = True) -> dict:
    """Distribution of the amount per return, returns of the period.

    Keys: count, amount_yuan (sum), mean_yuan, median_yuan, p90_yuan (linear-interpolation
    percentiles; null without returns), max_yuan, top_decile_n (the largest ceil(count / 10)
    returns), top_decile_yuan (their amount), top_decile_share (their share of the amount,
    fraction; null without returns). The fast path sums the largest amounts with ``max(x, n)``
    (the same sum: ties among the largest amounts do not change it)."""
    src = _source(con, fast)
    params: list = []
    where = _returns_where(f, params)
    n, amount, mean, (med, p90), mx = rows(con, f"""
        SELECT count(*), coalesce(sum(r.amount_yuan), 0)::DOUBLE, avg(r.amount_yuan)::DOUBLE,
               coalesce(quantile_cont(r.amount_yuan::DOUBLE, [0.5, 0.9]), [NULL, NULL]),
               max(r.amount_yuan)::DOUBLE
        FROM {src.returns} WHERE {where}""", params)[0]
    n = int(n)
    top_n = math.ceil(n / 10)
    top = 0.0
    if n and src is _FAST:
        top = float(scalar(con, f"""SELECT coalesce(list_sum(max(r.amount_yuan, ?)), 0)::DOUBLE
                                    FROM {src.returns} WHERE {where}""", [top_n] + params))
    elif n:
        top = float(scalar(con, f"""
            SELECT coalesce(sum(a), 0)::DOUBLE FROM (
                SELECT r.amount_yuan AS a FROM returns r WHERE {where}
                ORDER BY r.amount_yuan DESC, r.return_id LIMIT ?)""", params + [top_n]))
    return {
        "count": n,
        "amount_yuan": round(float(amount), 2),
        "mean_yuan": None if mean is None else round(float(mean), 2),
        "median_yuan": None if med is None else float(med),
        "p90_yuan": None if p90 is None else float(p90),
        "max_yuan": None if mx is None else float(mx),
        "top_decile_n": top_n,
        "top_decile_yuan": round(top, 2),
        "top_decile_share": _ratio(top, amount) if n else None,
    }


def returns_amount_bins(con, f: Filters, *, fast: bool = True) -> pd.DataFrame:
    """Returns of the period by amount bin (``AMOUNT_EDGES``, yuan, [lo, hi), last bin open).

    Grain: one row per bin, empty bins included, in amount order. Columns: bin (index), lo, hi
    (null for the last), returns (count), amount_yuan (yuan), share_returns, share_amount
    (fractions of the period's count / amount; null without returns)."""
    src = _source(con, fast)
    params: list = []
    amount_bin = src.amount_bin(params)
    where = _returns_where(f, params)
    edges = list(AMOUNT_EDGES)
    sql = f"""
        SELECT {amount_bin} AS bin, {src.n} AS returns, sum(r.amount_yuan)::DOUBLE AS amount_yuan
        FROM {src.daily} WHERE {where} GROUP BY 1"""
    got = query(con, sql, params).set_index("bin")
    out = pd.DataFrame({
        "bin": range(len(edges)),
        "lo": edges,
        "hi": edges[1:] + [None],
    })
    out["returns"] = [int(got["returns"].get(i, 0)) for i in out["bin"]]
    out["amount_yuan"] = [round(float(got["amount_yuan"].get(i, 0.0)), 2) for i in out["bin"]]
    n, a = out["returns"].sum(), out["amount_yuan"].sum()
    out["share_returns"] = out["returns"] / n if n else None
    out["share_amount"] = out["amount_yuan"] / a if a else None
    return out


# --- registries over time --------------------------------------------------------------------------

def registry_series(con, f: Filters, registry: str) -> pd.DataFrame:
    """A registry month by month, from the month of its first entry to the period's end.

    ``registry``: odr, returns (committed stores), street, chain_store, operator. Grain: one row
    per calendar month; the last month ends at the reference date (``date_to``, or the as-of date
    when earlier). Columns: month (``YYYY-MM``),
    month_start, month_end (dates; month_end capped at date_to), enrolled (entries dated in the
    month), withdrawn (withdrawals dated in the month), active (in the registry at month_end, the
    METRICS.md registry count as of that date), in_period (bool: the month overlaps the period).
    Empty when the registry has no entry on or before ``date_to``."""
    if registry not in REGISTRIES:
        raise ValueError(f"registry must be one of {tuple(REGISTRIES)}")
    table, start, end, fixed = REGISTRIES[registry]
    to = reference_date(con, f)
    params: list = [to]
    dw = district_where(f, "x.district_code", params)
    sql = f"""
        WITH x AS (SELECT x.{start} AS s, x.{end} AS e FROM {table} x
                   WHERE x.{start} IS NOT NULL AND x.{start} <= ? AND {dw} AND {fixed}),
        months AS (
            SELECT ms::DATE AS month_start, least((ms + INTERVAL 1 MONTH)::DATE - 1, ?::DATE) AS month_end
            FROM generate_series(date_trunc('month', (SELECT min(s) FROM x)), ?::DATE, INTERVAL 1 MONTH) t(ms)
        )
        SELECT strftime(mo.month_start, '%Y-%m') AS month, mo.month_start, mo.month_end,
               count(*) FILTER (WHERE x.s BETWEEN mo.month_start AND mo.month_end) AS enrolled,
               count(*) FILTER (WHERE x.e BETWEEN mo.month_start AND mo.month_end) AS withdrawn,
               count(*) FILTER (WHERE x.s <= mo.month_end AND (x.e IS NULL OR x.e > mo.month_end)) AS active
        FROM months mo CROSS JOIN x
        GROUP BY ALL ORDER BY mo.month_start"""
    df = query(con, sql, params + [to, to])
    _dates(df, "month_start", "month_end")
    df["in_period"] = [(e >= f.date_from) for e in df["month_end"]]
    return df


# --- ODR -------------------------------------------------------------------------------------------

def odr_by_group(con, f: Filters, by: str = "district") -> pd.DataFrame:
    """ODR enterprises and their cases per district or industry.

    ``by``: district (the enterprise's district code) or industry. Grain: one row per group that
    has an enterprise enrolled on or before the period's end. Columns: group, active (enrolled as
    of date_to), enrolled_in_period, withdrawn_in_period (registry events dated in the period),
    cases (ODR complaints received in the period against the group's enterprises), settled
    (和解/调解成功), failed (协商不成转办), enterprises_with_case (enterprises with at least one
    case in the period), cases_per_enterprise (cases ÷ active; null when none is active)."""
    if by not in ODR_GROUPS:
        raise ValueError(f"by must be one of {tuple(ODR_GROUPS)}")
    col = ODR_GROUPS[by]
    cw, cp = complaint_where(f.with_(route="odr"))
    ref = reference_date(con, f)
    p_m: list = [ref]
    w_m = district_where(f, "m.district_code", p_m)
    sql = f"""
        WITH ent AS (SELECT m.merchant_id, coalesce({col}, '') AS grp, m.odr_enrolled_date AS s,
                            m.odr_withdrawn_date AS e
                     FROM merchants m WHERE m.odr_enrolled_date <= ? AND {w_m}),
        cases AS (SELECT c.merchant_id, count(*) AS cases,
                         count(*) FILTER (WHERE {M.IS_SETTLED}) AS settled,
                         count(*) FILTER (WHERE c.outcome = ?) AS failed
                  FROM complaints c WHERE {cw} GROUP BY 1)
        SELECT grp AS "group",
               count(*) FILTER (WHERE e IS NULL OR e > ?) AS active,
               count(*) FILTER (WHERE s BETWEEN ? AND ?) AS enrolled_in_period,
               count(*) FILTER (WHERE e BETWEEN ? AND ?) AS withdrawn_in_period,
               coalesce(sum(cases.cases), 0)::BIGINT AS cases,
               coalesce(sum(cases.settled), 0)::BIGINT AS settled,
               coalesce(sum(cases.failed), 0)::BIGINT AS failed,
               count(cases.merchant_id) AS enterprises_with_case
        FROM ent LEFT JOIN cases USING (merchant_id)
        GROUP BY 1 ORDER BY active DESC, cases DESC, 1"""
    df = query(con, sql, p_m + [FAILED_OUTCOME] + cp
               + [ref, f.date_from, ref, f.date_from, ref])
    df["cases_per_enterprise"] = [_ratio(c, a) for c, a in zip(df["cases"], df["active"])]
    return df


def odr_enterprises(con, f: Filters) -> pd.DataFrame:
    """Every ODR enterprise enrolled on or before the period's end, with its cases.

    Grain: one row per enterprise (merchant). Columns: merchant_id, name, credit_code,
    district_code, industry, enrolled_date, withdrawn_date (dates), active (bool, as of
    date_to), cases (ODR complaints received in the period), settled, failed (counts),
    last_case_date (latest ODR complaint received on or before date_to, any time)."""
    cw, cp = complaint_where(f.with_(route="odr"))
    lw, lp = complaint_where(f.with_(route="odr"), period=False)
    ref = reference_date(con, f)
    p_m: list = [ref]
    w_m = district_where(f, "m.district_code", p_m)
    df = query(con, f"""
        WITH cases AS (SELECT c.merchant_id, count(*) AS cases,
                              count(*) FILTER (WHERE {M.IS_SETTLED}) AS settled,
                              count(*) FILTER (WHERE c.outcome = ?) AS failed
                       FROM complaints c WHERE {cw} GROUP BY 1),
        last AS (SELECT c.merchant_id, max(c.received_date) AS last_case_date
                 FROM complaints c WHERE {lw} AND c.received_date <= ? GROUP BY 1)
        SELECT m.merchant_id, m.name, m.credit_code, m.district_code, m.industry,
               m.odr_enrolled_date AS enrolled_date, m.odr_withdrawn_date AS withdrawn_date,
               (m.odr_withdrawn_date IS NULL OR m.odr_withdrawn_date > ?) AS active,
               coalesce(cases.cases, 0) AS cases, coalesce(cases.settled, 0) AS settled,
               coalesce(cases.failed, 0) AS failed, last.last_case_date
        FROM merchants m LEFT JOIN cases USING (merchant_id) LEFT JOIN last USING (merchant_id)
        WHERE m.odr_enrolled_date <= ? AND {w_m}
        ORDER BY cases DESC, m.name""",
        [FAILED_OUTCOME] + cp + lp + [ref, ref] + p_m)
    return _dates(df, "enrolled_date", "withdrawn_date", "last_case_date")


def odr_cases_histogram(con, f: Filters) -> pd.DataFrame:
    """How many ODR cases each enterprise active at the period's end received in the period.

    Grain: one row per case count from 0 to the maximum (gaps filled with 0). Columns: cases
    (cases per enterprise in the period), enterprises (number of active enterprises with that
    many cases)."""
    ent = odr_enterprises(con, f)
    ent = ent[ent["active"]]
    if ent.empty:
        return pd.DataFrame({"cases": pd.Series(dtype="int64"), "enterprises": pd.Series(dtype="int64")})
    counts = ent["cases"].value_counts()
    top = int(ent["cases"].max())
    return pd.DataFrame({"cases": range(top + 1),
                         "enterprises": [int(counts.get(i, 0)) for i in range(top + 1)]})


def odr_health(con, f: Filters) -> dict:
    """Participation health of the ODR enterprises.

    Keys:
    - enrolled: enterprises enrolled as of date_to (equals registry_counts odr_enterprises);
    - with_case_30 / with_case_90: of those, enterprises with at least one ODR complaint
      received in the 30 / 90 days ending on date_to (date_to − 29 … date_to, resp. − 89),
      whatever the period's start; share_30 / share_90 fractions of enrolled;
    - cases: ODR complaints received in the period; closed;
    - within_10: closed cases with resolution_wdays <= 10; within_10_base: closed cases plus open
      cases with more than 10 working days elapsed by the as-of date (open ones inside the limit are left
      out); within_10_rate = within_10 / within_10_base;
    - failed: cases with outcome 协商不成转办 (handed to the traditional route); failed_rate =
      failed / closed.
    Rates are fractions, null when their base is 0."""
    to = reference_date(con, f)
    p_e: list = [to, to]
    w_e = _active("m", "odr_enrolled_date", "odr_withdrawn_date") + " AND " + \
        district_where(f, "m.district_code", p_e)
    rw, rp = complaint_where(f.with_(route="odr", districts=()), period=False)
    d30, d90 = to - dt.timedelta(days=29), to - dt.timedelta(days=89)
    enrolled, w30, w90 = rows(con, f"""
        WITH ent AS (SELECT m.merchant_id FROM merchants m WHERE {w_e}),
        recent AS (SELECT c.merchant_id, max(c.received_date) AS last
                   FROM complaints c WHERE {rw} AND c.received_date BETWEEN ? AND ? GROUP BY 1)
        SELECT count(*), count(*) FILTER (WHERE recent.last >= ?), count(recent.last)
        FROM ent LEFT JOIN recent USING (merchant_id)""", p_e + rp + [d90, to, d30])[0]
    cw, cp = complaint_where(f.with_(route="odr"))
    cases, closed, within, open_past, failed = rows(con, f"""
        SELECT count(*),
               count(*) FILTER (WHERE {M.IS_CLOSED}),
               count(*) FILTER (WHERE {M.IS_CLOSED} AND c.resolution_wdays <= ?),
               count(*) FILTER (WHERE c.closed_date IS NULL
                                AND (SELECT wd_idx FROM calendar WHERE d = ?::DATE) - cr.wd_idx > ?),
               count(*) FILTER (WHERE c.outcome = ?)
        FROM complaints c LEFT JOIN calendar cr ON cr.d = c.received_date
        WHERE {cw}""", [ODR_DAYS_LIMIT, status_date(con, f), ODR_DAYS_LIMIT, FAILED_OUTCOME] + cp)[0]
    base = int(closed) + int(open_past)
    return {
        "enrolled": int(enrolled),
        "with_case_30": int(w30), "share_30": _ratio(w30, enrolled),
        "with_case_90": int(w90), "share_90": _ratio(w90, enrolled),
        "cases": int(cases), "closed": int(closed),
        "within_10": int(within), "within_10_base": base, "within_10_rate": _ratio(within, base),
        "open_past_10": int(open_past),
        "failed": int(failed), "failed_rate": _ratio(failed, closed),
    }


# --- demonstration units ------------------------------------------------------------------------

def demo_counts(con, f: Filters, as_of: dt.date | None = None) -> pd.DataFrame:
    """Demonstration units named on or before ``as_of`` (default date_to) and not withdrawn on or
    before it, per district and type.

    Grain: every district (of the district filter) × every type (street, chain_store, operator),
    zeros included, in code order. Columns: code, name, short_name, name_en, unit_type, units."""
    as_of = as_of or reference_date(con, f)
    p_d: list = []
    w_d = district_where(f, "d.code", p_d)
    df = query(con, f"""
        WITH t(unit_type, o) AS (VALUES ('street', 1), ('chain_store', 2), ('operator', 3)),
        u AS (SELECT u.district_code AS code, u.unit_type, count(*) AS units FROM demo_units u
              WHERE {_active('u', 'named_date', 'withdrawn_date')} GROUP BY 1, 2)
        SELECT d.code, d.name, d.short_name, d.name_en, t.unit_type, coalesce(u.units, 0) AS units
        FROM districts d CROSS JOIN t LEFT JOIN u ON u.code = d.code AND u.unit_type = t.unit_type
        WHERE {w_d} ORDER BY d.code, t.o""", [as_of, as_of] + p_d)
    return df


def demo_complaint_rates(con, f: Filters) -> pd.DataFrame:
    """Complaints per 1,000 stores: demonstration stores against other stores of the same
    industry. Descriptive, not causal.

    Stores are the merchants of the registry (district filter on the merchant's district); a
    demonstration store is a merchant with a chain-store or operator demonstration unit in force
    at date_to. Complaints are those of the period (route and facet filters apply) linked to the
    merchant by merchant_id. Grain: one row per industry ('' when blank), largest number of
    demonstration stores first. Columns: industry, demo_stores, demo_complaints, other_stores,
    other_complaints (counts), demo_rate, other_rate (complaints per 1,000 stores in the period,
    null when there is no store), ratio (demo_rate ÷ other_rate, null when other_rate is 0 or
    null)."""
    cw, cp = complaint_where(f.with_(districts=()))
    p_m: list = []
    w_m = district_where(f, "m.district_code", p_m)
    types = ", ".join("?" for _ in STORE_DEMO_TYPES)
    df = query(con, f"""
        WITH demo AS (SELECT DISTINCT u.merchant_id FROM demo_units u
                      WHERE u.merchant_id IS NOT NULL AND u.unit_type IN ({types})
                        AND {_active('u', 'named_date', 'withdrawn_date')}),
        cc AS (SELECT c.merchant_id, count(*) AS n FROM complaints c WHERE {cw} GROUP BY 1),
        st AS (SELECT coalesce(m.industry, '') AS industry, demo.merchant_id IS NOT NULL AS is_demo,
                      coalesce(cc.n, 0) AS n
               FROM merchants m LEFT JOIN demo USING (merchant_id) LEFT JOIN cc USING (merchant_id)
               WHERE {w_m})
        SELECT industry,
               count(*) FILTER (WHERE is_demo) AS demo_stores,
               coalesce(sum(n) FILTER (WHERE is_demo), 0)::BIGINT AS demo_complaints,
               count(*) FILTER (WHERE NOT is_demo) AS other_stores,
               coalesce(sum(n) FILTER (WHERE NOT is_demo), 0)::BIGINT AS other_complaints
        FROM st GROUP BY 1 ORDER BY demo_stores DESC, industry""",
        list(STORE_DEMO_TYPES) + [reference_date(con, f)] * 2 + cp + p_m)
    df["demo_rate"] = [None if s == 0 else c / s * 1000 for c, s in zip(df["demo_complaints"], df["demo_stores"])]
    df["other_rate"] = [None if s == 0 else c / s * 1000 for c, s in zip(df["other_complaints"], df["other_stores"])]
    df["ratio"] = [None if (o is None or o == 0 or d is None) else d / o
                   for d, o in zip(df["demo_rate"], df["other_rate"])]
    return df


def demo_rate_summary(rates: pd.DataFrame) -> dict:
    """Overall comparison from :func:`demo_complaint_rates` (pure function, no query).

    Keys: demo_stores, demo_complaints, demo_rate (complaints per 1,000 demonstration stores),
    other_stores, other_complaints, other_rate (crude, all other stores), expected_rate (the other
    stores' rate of each industry weighted by the demonstration stores of that industry: what
    the demonstration stores would show at the other stores' industry rates; industries without
    other stores are left out of both demo_rate_matched and expected_rate), demo_rate_matched."""
    r = rates
    ds, dc = int(r["demo_stores"].sum()), int(r["demo_complaints"].sum())
    os_, oc = int(r["other_stores"].sum()), int(r["other_complaints"].sum())
    m = r[(r["other_stores"] > 0) & (r["demo_stores"] > 0)]
    ms = int(m["demo_stores"].sum())
    expected = (m["demo_stores"] * m["other_complaints"] / m["other_stores"]).sum() / ms * 1000 if ms else None
    return {
        "demo_stores": ds, "demo_complaints": dc, "demo_rate": dc / ds * 1000 if ds else None,
        "other_stores": os_, "other_complaints": oc, "other_rate": oc / os_ * 1000 if os_ else None,
        "matched_demo_stores": ms,
        "demo_rate_matched": int(m["demo_complaints"].sum()) / ms * 1000 if ms else None,
        "expected_rate": None if expected is None else float(expected),
    }


# --- merchant lookup -----------------------------------------------------------------------------

def _like_pattern(q: str) -> str:
    """ILIKE pattern for a substring, wildcards and the escape character escaped."""
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def merchant_search(con, f: Filters, q: str, limit: int = 50) -> pd.DataFrame:
    """Merchants whose name contains ``q`` (case-insensitive) or whose credit code equals it.

    The search covers the whole registry (the district filter does not apply: a lookup finds
    the merchant wherever it is). Grain: one row per merchant, at most ``limit``: exact credit
    code first, then names starting with ``q``, then most complaints in the period, then name.
    Columns: merchant_id, name, credit_code, district_code, industry, odr_active,
    return_active, demo_active (bools, as of date_to), complaints (complaints of the period),
    returns (returns of the period), total_matches (all matching merchants)."""
    q = (q or "").strip()
    if not q:
        return pd.DataFrame(columns=["merchant_id", "name", "credit_code", "district_code", "industry",
                                     "odr_active", "return_active", "demo_active", "complaints",
                                     "returns", "total_matches"])
    cw, cp = complaint_where(f.with_(districts=(), route="all"))
    to = reference_date(con, f)
    pat = _like_pattern(q)
    sql = f"""
        WITH hit AS (
            SELECT m.*, CASE WHEN upper(m.credit_code) = upper(?) THEN 0
                             WHEN m.name ILIKE ? ESCAPE '\\' THEN 1 ELSE 2 END AS rank0
            FROM merchants m
            WHERE m.name ILIKE ? ESCAPE '\\' OR upper(m.credit_code) = upper(?)
        ), cc AS (SELECT c.merchant_id, count(*) AS n FROM complaints c
                  WHERE {cw} AND c.merchant_id IN (SELECT merchant_id FROM hit) GROUP BY 1),
        rr AS (SELECT r.merchant_id, count(*) AS n FROM returns r
               WHERE r.return_date BETWEEN ? AND ? AND r.merchant_id IN (SELECT merchant_id FROM hit) GROUP BY 1),
        demo AS (SELECT DISTINCT u.merchant_id FROM demo_units u
                 WHERE u.merchant_id IN (SELECT merchant_id FROM hit)
                   AND {_active('u', 'named_date', 'withdrawn_date')})
        SELECT h.merchant_id, h.name, h.credit_code, h.district_code, h.industry,
               coalesce({_active('h', 'odr_enrolled_date', 'odr_withdrawn_date')}, FALSE) AS odr_active,
               coalesce({_active('h', 'return_commit_date', 'return_withdrawn_date')}, FALSE) AS return_active,
               demo.merchant_id IS NOT NULL AS demo_active,
               coalesce(cc.n, 0) AS complaints, coalesce(rr.n, 0) AS returns,
               count(*) OVER () AS total_matches
        FROM hit h LEFT JOIN cc USING (merchant_id) LEFT JOIN rr USING (merchant_id)
                   LEFT JOIN demo USING (merchant_id)
        ORDER BY h.rank0, complaints DESC, h.name, h.merchant_id
        LIMIT ?"""
    params = [q, q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%", pat, q] + cp \
        + [f.date_from, f.date_to, to, to, to, to, to, to, int(limit)]
    return query(con, sql, params)


def merchant_profile(con, f: Filters, merchant_id: str) -> dict | None:
    """One merchant's registry entries and totals, or None when the id is unknown.

    Keys: merchant_id, name, credit_code, district_code, township, industry, is_chain,
    odr_enrolled_date, odr_withdrawn_date, odr_status, return_commit_date, return_withdrawn_date,
    return_commit_days, return_status (status as of date_to: active / withdrawn / not_yet /
    never), demo_units (list of dicts: unit_type, name, named_date, withdrawn_date, active),
    complaints_period, complaints_total (complaints of the merchant received on or before
    date_to), odr_period (ODR complaints of the period), returns_period, returns_yuan_period,
    returns_completed_period."""
    df = query(con, "SELECT * FROM merchants WHERE merchant_id = ?", [merchant_id])
    if df.empty:
        return None
    _dates(df, "odr_enrolled_date", "odr_withdrawn_date", "return_commit_date", "return_withdrawn_date")
    m = {k: (None if (not isinstance(v, (list, tuple)) and pd.isna(v)) else v)
         for k, v in df.iloc[0].to_dict().items()}
    to = reference_date(con, f)

    def status(start, end):
        if start is None:
            return "never"
        if start > to:
            return "not_yet"
        if end is not None and end <= to:
            return "withdrawn"
        return "active"
    m["odr_status"] = status(m["odr_enrolled_date"], m["odr_withdrawn_date"])
    m["return_status"] = status(m["return_commit_date"], m["return_withdrawn_date"])
    m["is_chain"] = bool(m.get("is_chain"))
    demo = query(con, """
        SELECT unit_type, name, named_date, withdrawn_date,
               (named_date <= ? AND (withdrawn_date IS NULL OR withdrawn_date > ?)) AS active
        FROM demo_units WHERE merchant_id = ? ORDER BY named_date""", [to, to, merchant_id])
    _dates(demo, "named_date", "withdrawn_date")
    m["demo_units"] = [{k: (None if pd.isna(v) else v) for k, v in r.items()}
                       for r in demo.to_dict("records")]
    cw, cp = complaint_where(f.with_(districts=(), route="all"))
    aw, ap = complaint_where(f.with_(districts=(), route="all"), period=False)
    mw, mp = _merchant_match("c", merchant_id, m.get("credit_code"))
    cper, odr_per = rows(con, f"""SELECT count(*), count(*) FILTER (WHERE c.is_odr)
                                  FROM complaints c WHERE {cw} AND {mw}""", cp + mp)[0]
    ctot = scalar(con, f"SELECT count(*) FROM complaints c WHERE {aw} AND c.received_date <= ? AND {mw}",
                  ap + [to] + mp)
    rw, rp = _merchant_match("r", merchant_id, m.get("credit_code"))
    rn, ry, rc = rows(con, f"""SELECT count(*), coalesce(sum(r.amount_yuan), 0)::DOUBLE,
                                      count(*) FILTER (WHERE r.completed)
                               FROM returns r WHERE r.return_date BETWEEN ? AND ? AND {rw}""",
                      [f.date_from, f.date_to] + rp)[0]
    m.update(complaints_period=int(cper), odr_period=int(odr_per), complaints_total=int(ctot),
             returns_period=int(rn), returns_yuan_period=round(float(ry), 2),
             returns_completed_period=int(rc))
    return m


def _merchant_match(alias: str, merchant_id: str, credit_code: str | None) -> tuple[str, list]:
    """Rows of a merchant: by merchant_id, or by its credit code when it has one."""
    if credit_code:
        return f"({alias}.merchant_id = ? OR {alias}.credit_code = ?)", [merchant_id, credit_code]
    return f"{alias}.merchant_id = ?", [merchant_id]


def _credit_code(con, merchant_id: str) -> str | None:
    return scalar(con, "SELECT nullif(credit_code, '') FROM merchants WHERE merchant_id = ?", [merchant_id])


def merchant_monthly(con, f: Filters, merchant_id: str) -> pd.DataFrame:
    """One merchant's complaints and returns per calendar month of the period.

    Grain: one row per month overlapping the period, zeros included. Columns: month (``YYYY-MM``),
    month_start (date), complaints, odr, traditional (complaints received in the month and the
    period; district and route filters do not apply to a chosen merchant), returns (count),
    amount_yuan (yuan)."""
    cw, cp = complaint_where(f.with_(districts=(), route="all"))
    code = _credit_code(con, merchant_id)
    mw, mp = _merchant_match("c", merchant_id, code)
    rw, rp = _merchant_match("r", merchant_id, code)
    df = query(con, f"""
        WITH months AS (SELECT ms::DATE AS month_start FROM generate_series(
                            date_trunc('month', ?::DATE), ?::DATE, INTERVAL 1 MONTH) t(ms)),
        c AS (SELECT date_trunc('month', c.received_date)::DATE AS month_start, count(*) AS complaints,
                     count(*) FILTER (WHERE c.is_odr) AS odr
              FROM complaints c WHERE {cw} AND {mw} GROUP BY 1),
        r AS (SELECT date_trunc('month', r.return_date)::DATE AS month_start, count(*) AS returns,
                     sum(r.amount_yuan)::DOUBLE AS amount_yuan
              FROM returns r WHERE r.return_date BETWEEN ? AND ? AND {rw} GROUP BY 1)
        SELECT strftime(mo.month_start, '%Y-%m') AS month, mo.month_start,
               coalesce(c.complaints, 0) AS complaints, coalesce(c.odr, 0) AS odr,
               coalesce(c.complaints, 0) - coalesce(c.odr, 0) AS traditional,
               coalesce(r.returns, 0) AS returns, round(coalesce(r.amount_yuan, 0), 2) AS amount_yuan
        FROM months mo LEFT JOIN c USING (month_start) LEFT JOIN r USING (month_start)
        ORDER BY mo.month_start""",
        [f.date_from, f.date_to] + cp + mp + [f.date_from, f.date_to] + rp)
    return _dates(df, "month_start")


def merchant_complaints(con, f: Filters, merchant_id: str) -> pd.DataFrame:
    """One merchant's complaints received in the period, newest first (no personal data).

    Columns: reg_no, received_date, closed_date, is_odr, category, problem, outcome,
    resolution_days, resolution_wdays, disputed_yuan, recovered_yuan."""
    cw, cp = complaint_where(f.with_(districts=(), route="all"))
    mw, mp = _merchant_match("c", merchant_id, _credit_code(con, merchant_id))
    df = query(con, f"""
        SELECT c.reg_no, c.received_date, c.closed_date, c.is_odr, c.category, c.problem, c.outcome,
               c.resolution_days, c.resolution_wdays, c.disputed_yuan::DOUBLE AS disputed_yuan,
               c.recovered_yuan::DOUBLE AS recovered_yuan
        FROM complaints c WHERE {cw} AND {mw}
        ORDER BY c.received_date DESC, c.reg_no""", cp + mp)
    return _dates(df, "received_date", "closed_date")
