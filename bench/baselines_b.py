"""Pandas baselines (see bench/baselines.py) for the programmes, districts, explore, methodology
and sql pages: every analytics function those pages call through ``ui.data.call`` that
bench/baselines.py does not already cover (analytics.programmes, analytics.rankings,
analytics.explore).

Each baseline takes the loaded ``Tables`` and the analytics function's arguments minus the
connection, and answers with pandas/numpy on the in-memory frames (boolean masks, groupby, merge,
searchsorted, np.quantile). Pure statistics applied after the data access (exact binomial / Poisson /
order-statistic / mean intervals, rank intervals, funnel limits, comparison with the city, composite index,
ranks, bucket boundaries) are imported from analytics.rankings: the point of the comparison is the
data access and the aggregation.

The few small extra tables these pages read (townships, calendar, import_log) are loaded on
first use from the database the benchmark runs on ($ODR_DB, checked against the loaded ``meta``)
and kept on the ``Tables`` object; a ``calendar`` already loaded (bench/baselines_a.py's Tables)
is reused.

Merge into the benchmark's table with ``BASELINES.update(baselines_b.BASELINES)``. bench.baselines
is imported at the end of this file, so either module may be imported first.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from analytics import explore as EX
from analytics import metrics as M
from analytics import programmes as P
from analytics import queries
from analytics import rankings as R
from analytics.filters import FACET_COLUMNS, Filters

# --- extra tables -----------------------------------------------------------------------------------

_EXTRA = ("townships", "calendar", "import_log")


def table(t, name: str) -> pd.DataFrame:
    """A small table bench.baselines.Tables does not load, loaded once and kept on ``t``."""
    if name not in _EXTRA:
        raise ValueError(f"unknown extra table {name!r}")
    df = getattr(t, name, None)
    if df is None:
        from analytics import db as adb
        con = adb.connect(adb.db_path(), read_only=True)
        try:
            if dict(con.execute("SELECT key, value FROM meta").fetchall()) != t.meta:
                raise RuntimeError(f"{name}: $ODR_DB is not the database the tables were loaded from")
            df = con.execute(f"SELECT * FROM {name}").df()
        finally:
            con.close()
        if name == "calendar":
            df["d"] = pd.to_datetime(df["d"])
        setattr(t, name, df)
    return df


# --- shared helpers ----------------------------------------------------------------------------------

def _ts(d) -> pd.Timestamp:
    return pd.Timestamp(d)


def _ratio(num, den):
    return (num / den) if den else None


def _dates(s) -> np.ndarray:
    """datetime64 values as python dates (None for missing), as the analytics functions return."""
    s = pd.Series(s)
    return np.array([None if pd.isna(v) else v.date() for v in s], dtype=object)


def cmask(t: B.Tables, f: Filters, **kw) -> pd.Series:
    """Boolean mask of the complaints selected by ``complaint_where(f, ...)``."""
    return B.complaint_mask(t, f, **kw)


def complaints(t: B.Tables, f: Filters, **kw) -> pd.DataFrame:
    return t.complaints[cmask(t, f, **kw)]


def _in_districts(df: pd.DataFrame, f: Filters, col: str = "district_code") -> pd.Series:
    if f.districts:
        return df[col].isin(f.districts)
    return pd.Series(True, index=df.index)


def _active(df: pd.DataFrame, start: str, end: str, as_of) -> pd.Series:
    """Registry "as of": started on or before it and not ended on or before it."""
    a = _ts(as_of)
    return (df[start] <= a) & (df[end].isna() | (df[end] > a))


def returns_of(t: B.Tables, f: Filters) -> pd.DataFrame:
    r = t.returns
    return r[r["return_date"].between(_ts(f.date_from), _ts(f.date_to)) & _in_districts(r, f)]


def _store_key(r: pd.DataFrame) -> pd.Series:
    return r["credit_code"].where(r["credit_code"].fillna("") != "", r["store_name"])


def _merchant_key(m: pd.DataFrame) -> pd.Series:
    return m["credit_code"].where(m["credit_code"].fillna("") != "", m["name"])


def _month_start(s: pd.Series) -> pd.Series:
    return s.dt.to_period("M").dt.start_time


def _districts(t: B.Tables, f: Filters) -> pd.DataFrame:
    d = t.districts
    return d[_in_districts(d, f, "code")]


# --- analytics.programmes: no-reason returns ---------------------------------------------------------

def returns_series(t: B.Tables, f: Filters, grain: str = "week") -> pd.DataFrame:
    if grain not in P.GRAINS:
        raise ValueError(f"grain must be one of {tuple(P.GRAINS)}")
    first, as_of = B.data_coverage(t)
    lo = max(f.date_from, first) if first else f.date_from
    hi = min(f.date_to, as_of) if as_of else f.date_to
    r = returns_of(t, f)
    d0 = _ts(f.date_from)
    if grain == "day":
        starts = pd.date_range(d0, _ts(f.date_to), freq="D")
        ends = starts
        key = r["return_date"]
        labels = starts.strftime("%Y-%m-%d")
    elif grain == "week":
        starts = pd.date_range(d0 - pd.Timedelta(days=d0.weekday()), _ts(f.date_to), freq="7D")
        ends = starts + pd.Timedelta(days=6)
        key = r["return_date"] - pd.to_timedelta(r["return_date"].dt.weekday, unit="D")
        iso = starts.isocalendar()
        labels = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"])]
    else:
        starts = pd.date_range(d0.replace(day=1), _ts(f.date_to), freq="MS")
        ends = starts + pd.offsets.MonthEnd(0)
        key = _month_start(r["return_date"])
        labels = starts.strftime("%Y-%m")
    g = r.groupby(key).agg(returns=("return_id", "size"), amount_yuan=("amount_yuan", "sum"),
                           completed=("completed", "sum")).reindex(starts, fill_value=0)
    out = pd.DataFrame({
        "label": list(labels), "start": starts.date, "end": ends.date,
        "returns": g["returns"].to_numpy().astype("int64"),
        "amount_yuan": g["amount_yuan"].astype(float).round(2).to_numpy(),
        "completed": g["completed"].to_numpy().astype("int64"),
        "partial": (starts < _ts(lo)) | (ends > _ts(hi)),
    })
    out["cum_returns"] = out["returns"].cumsum()
    out["cum_amount_yuan"] = out["amount_yuan"].cumsum().round(2)
    return out


def _committed(t: B.Tables, f: Filters) -> pd.DataFrame:
    """Stores committed to no-reason returns as of date_to (district filter on the merchant)."""
    m = t.merchants
    return m[_active(m, "return_commit_date", "return_withdrawn_date", f.date_to) & _in_districts(m, f)]


def returns_by_district(t: B.Tables, f: Filters) -> pd.DataFrame:
    r = returns_of(t, f)
    r = r.assign(store_key=_store_key(r))
    ra = r.groupby("district_code").agg(returns=("return_id", "size"), amount_yuan=("amount_yuan", "sum"),
                                        completed=("completed", "sum"), return_stores=("store_key", "nunique"))
    com = _committed(t, f)
    com = com.assign(with_return=_merchant_key(com).isin(set(r["store_key"])))
    ca = com.groupby("district_code").agg(committed=("merchant_id", "size"),
                                          committed_with_return=("with_return", "sum"))
    out = _districts(t, f)[["code", "name", "short_name", "name_en"]]
    out = out.merge(ra, left_on="code", right_index=True, how="left").merge(
        ca, left_on="code", right_index=True, how="left").reset_index(drop=True)
    for c in ("returns", "completed", "return_stores", "committed", "committed_with_return"):
        out[c] = out[c].fillna(0).astype("int64")
    out["amount_yuan"] = out["amount_yuan"].astype(float).fillna(0.0).round(2)
    out["dormant"] = out["committed"] - out["committed_with_return"]
    out["completion_rate"] = [_ratio(a, b) for a, b in zip(out["completed"], out["returns"])]
    out["dormant_share"] = [_ratio(a, b) for a, b in zip(out["dormant"], out["committed"])]
    return out


def returns_commitments(t: B.Tables, f: Filters) -> dict:
    keys = set(_store_key(returns_of(t, f)))
    com = _merchant_key(_committed(t, f))
    committed = len(com)
    with_ret = int(com.isin(keys).sum())
    dormant = committed - with_ret
    return {
        "committed": committed,
        "committed_with_return": with_ret,
        "dormant": dormant,
        "dormant_share": _ratio(dormant, committed),
        "return_stores": len(keys),
        "uncommitted_with_return": len(keys - set(com)),
    }


def returns_by_category(t: B.Tables, f: Filters) -> pd.DataFrame:
    r = returns_of(t, f)
    r = r.assign(goods_category=r["goods_category"].fillna("").str.strip(" "), store_key=_store_key(r))
    g = r.groupby("goods_category").agg(returns=("return_id", "size"), amount_yuan=("amount_yuan", "sum"),
                                        median_yuan=("amount_yuan", "median"), completed=("completed", "sum"),
                                        stores=("store_key", "nunique")).reset_index()
    g["amount_yuan"] = g["amount_yuan"].astype(float).round(2)
    g = g.sort_values(["amount_yuan", "goods_category"], ascending=[False, True]).reset_index(drop=True)
    total = g["amount_yuan"].sum()
    g["amount_share"] = g["amount_yuan"] / total if total else None
    g["completion_rate"] = [_ratio(a, b) for a, b in zip(g["completed"], g["returns"])]
    return g


def returns_distribution(t: B.Tables, f: Filters) -> dict:
    a = returns_of(t, f)["amount_yuan"].astype(float)
    n = len(a)
    amount = float(a.sum())
    top_n = math.ceil(n / 10)
    top = float(a.nlargest(top_n).sum()) if n else 0.0
    return {
        "count": n,
        "amount_yuan": round(amount, 2),
        # the mean from whole cents, as avg() of the DECIMAL column: a float mean can land on the
        # other side of a half cent (114.335 vs 114.33500000000001)
        "mean_yuan": round(int((a * 100).round().astype("int64").sum()) / (n * 100), 2) if n else None,
        "median_yuan": float(np.quantile(a, 0.5)) if n else None,
        "p90_yuan": float(np.quantile(a, 0.9)) if n else None,
        "max_yuan": float(a.max()) if n else None,
        "top_decile_n": top_n,
        "top_decile_yuan": round(top, 2),
        "top_decile_share": _ratio(top, amount) if n else None,
    }


def returns_amount_bins(t: B.Tables, f: Filters) -> pd.DataFrame:
    edges = list(P.AMOUNT_EDGES)
    a = returns_of(t, f)["amount_yuan"].astype(float)
    bins = np.searchsorted(np.asarray(edges[1:], dtype=float), a.to_numpy(), side="right")
    k = len(edges)
    out = pd.DataFrame({"bin": range(k), "lo": edges, "hi": edges[1:] + [None]})
    out["returns"] = np.bincount(bins, minlength=k).astype("int64")
    out["amount_yuan"] = np.round(np.bincount(bins, weights=a.to_numpy(), minlength=k), 2)
    n, s = out["returns"].sum(), out["amount_yuan"].sum()
    out["share_returns"] = out["returns"] / n if n else None
    out["share_amount"] = out["amount_yuan"] / s if s else None
    return out


# --- analytics.programmes: registries -----------------------------------------------------------------

_REGISTRIES = {
    "odr": ("merchants", "odr_enrolled_date", "odr_withdrawn_date", None),
    "returns": ("merchants", "return_commit_date", "return_withdrawn_date", None),
    "street": ("demo_units", "named_date", "withdrawn_date", "street"),
    "chain_store": ("demo_units", "named_date", "withdrawn_date", "chain_store"),
    "operator": ("demo_units", "named_date", "withdrawn_date", "operator"),
}


def registry_series(t: B.Tables, f: Filters, registry: str) -> pd.DataFrame:
    if registry not in _REGISTRIES:
        raise ValueError(f"registry must be one of {tuple(_REGISTRIES)}")
    table, start, end, unit_type = _REGISTRIES[registry]
    df = getattr(t, table)
    to = _ts(f.date_to)
    m = df[start].notna() & (df[start] <= to) & _in_districts(df, f)
    if unit_type:
        m &= df["unit_type"] == unit_type
    x = df[m]
    cols = ["month", "month_start", "month_end", "enrolled", "withdrawn", "active", "in_period"]
    if x.empty:
        return pd.DataFrame(columns=cols)
    starts = pd.date_range(x[start].min().replace(day=1), to, freq="MS")
    ends = (starts + pd.offsets.MonthEnd(0)).where(starts + pd.offsets.MonthEnd(0) <= to, to)
    s = np.sort(x[start].to_numpy())
    e = np.sort(x[end].dropna().to_numpy())
    # rows ended by a month's end: both their start and their end are on or before it
    se = np.sort(np.maximum(x[start], x[end]).dropna().to_numpy())
    ms, me = starts.to_numpy(), ends.to_numpy()
    out = pd.DataFrame({
        "month": starts.strftime("%Y-%m"), "month_start": starts.date, "month_end": ends.date,
        "enrolled": np.searchsorted(s, me, "right") - np.searchsorted(s, ms, "left"),
        "withdrawn": np.searchsorted(e, me, "right") - np.searchsorted(e, ms, "left"),
        "active": np.searchsorted(s, me, "right") - np.searchsorted(se, me, "right"),
    })
    out["in_period"] = [e_ >= f.date_from for e_ in out["month_end"]]
    return out


# --- analytics.programmes: ODR -------------------------------------------------------------------------

def _odr_cases(t: B.Tables, f: Filters) -> pd.DataFrame:
    """ODR complaints of the period per merchant: cases, settled, failed."""
    c = complaints(t, f.with_(route="odr"))
    c = c.assign(settled=c["outcome"].isin(M.SETTLED_OUTCOMES), failed=c["outcome"] == P.FAILED_OUTCOME)
    return c.groupby("merchant_id").agg(cases=("reg_no", "size"), settled=("settled", "sum"),
                                        failed=("failed", "sum"))


def _odr_enrolled(t: B.Tables, f: Filters) -> pd.DataFrame:
    m = t.merchants
    return m[(m["odr_enrolled_date"] <= _ts(f.date_to)) & _in_districts(m, f)]


def odr_by_group(t: B.Tables, f: Filters, by: str = "district") -> pd.DataFrame:
    if by not in P.ODR_GROUPS:
        raise ValueError(f"by must be one of {tuple(P.ODR_GROUPS)}")
    col = {"district": "district_code", "industry": "industry"}[by]
    to, fr = _ts(f.date_to), _ts(f.date_from)
    ent = _odr_enrolled(t, f)
    s, e = ent["odr_enrolled_date"], ent["odr_withdrawn_date"]
    ent = pd.DataFrame({
        "merchant_id": ent["merchant_id"], "group": ent[col].fillna(""),
        "active": e.isna() | (e > to), "enrolled_in_period": s.between(fr, to),
        "withdrawn_in_period": e.between(fr, to)})
    cases = _odr_cases(t, f)
    ent = ent.merge(cases, left_on="merchant_id", right_index=True, how="left")
    ent["has_case"] = ent["cases"].notna()
    g = ent.groupby("group").agg(active=("active", "sum"), enrolled_in_period=("enrolled_in_period", "sum"),
                                 withdrawn_in_period=("withdrawn_in_period", "sum"), cases=("cases", "sum"),
                                 settled=("settled", "sum"), failed=("failed", "sum"),
                                 enterprises_with_case=("has_case", "sum")).reset_index()
    for c in g.columns[1:]:
        g[c] = g[c].astype("int64")
    g = g.sort_values(["active", "cases", "group"], ascending=[False, False, True]).reset_index(drop=True)
    g["cases_per_enterprise"] = [_ratio(c, a) for c, a in zip(g["cases"], g["active"])]
    return g


def odr_enterprises(t: B.Tables, f: Filters) -> pd.DataFrame:
    to = _ts(f.date_to)
    ent = _odr_enrolled(t, f)
    cases = _odr_cases(t, f)
    odr_any = complaints(t, f.with_(route="odr"), period=False)
    last = odr_any.loc[odr_any["received_date"] <= to].groupby("merchant_id")["received_date"].max()
    out = pd.DataFrame({
        "merchant_id": ent["merchant_id"], "name": ent["name"], "credit_code": ent["credit_code"],
        "district_code": ent["district_code"], "industry": ent["industry"],
        "enrolled_date": ent["odr_enrolled_date"], "withdrawn_date": ent["odr_withdrawn_date"],
        "active": ent["odr_withdrawn_date"].isna() | (ent["odr_withdrawn_date"] > to)})
    out = out.merge(cases, left_on="merchant_id", right_index=True, how="left")
    for c in ("cases", "settled", "failed"):
        out[c] = out[c].fillna(0).astype("int64")
    out["last_case_date"] = last.reindex(out["merchant_id"]).to_numpy()
    out = out.sort_values(["cases", "name"], ascending=[False, True]).reset_index(drop=True)
    for c in ("enrolled_date", "withdrawn_date", "last_case_date"):
        out[c] = _dates(out[c])
    return out


def odr_cases_histogram(t: B.Tables, f: Filters) -> pd.DataFrame:
    ent = odr_enterprises(t, f)
    ent = ent[ent["active"]]
    if ent.empty:
        return pd.DataFrame({"cases": pd.Series(dtype="int64"), "enterprises": pd.Series(dtype="int64")})
    counts = ent["cases"].value_counts().reindex(range(int(ent["cases"].max()) + 1), fill_value=0)
    return pd.DataFrame({"cases": counts.index.astype("int64"), "enterprises": counts.to_numpy().astype("int64")})


def odr_health(t: B.Tables, f: Filters) -> dict:
    to = _ts(f.date_to)
    m = t.merchants
    ent = m.loc[_active(m, "odr_enrolled_date", "odr_withdrawn_date", f.date_to) & _in_districts(m, f),
                "merchant_id"]
    d30, d90 = to - pd.Timedelta(days=29), to - pd.Timedelta(days=89)
    rc = complaints(t, f.with_(route="odr", districts=()), period=False)
    last = rc.loc[rc["received_date"].between(d90, to)].groupby("merchant_id")["received_date"].max()
    last = last.reindex(ent)
    enrolled, w30, w90 = len(ent), int((last >= d30).sum()), int(last.notna().sum())
    c = complaints(t, f.with_(route="odr"))
    closed = c["closed_date"].notna()
    wd = table(t, "calendar").set_index("d")["wd_idx"]
    wd_to = wd.get(to)
    elapsed = (wd_to - c["received_date"].map(wd)) if wd_to is not None else pd.Series(np.nan, index=c.index)
    cases = len(c)
    n_closed = int(closed.sum())
    within = int((closed & (c["resolution_wdays"] <= P.ODR_DAYS_LIMIT).fillna(False)).sum())
    open_past = int((~closed & (elapsed > P.ODR_DAYS_LIMIT).fillna(False)).sum())
    failed = int((c["outcome"] == P.FAILED_OUTCOME).sum())
    base = n_closed + open_past
    return {
        "enrolled": enrolled,
        "with_case_30": w30, "share_30": _ratio(w30, enrolled),
        "with_case_90": w90, "share_90": _ratio(w90, enrolled),
        "cases": cases, "closed": n_closed,
        "within_10": within, "within_10_base": base, "within_10_rate": _ratio(within, base),
        "open_past_10": open_past,
        "failed": failed, "failed_rate": _ratio(failed, n_closed),
    }


# --- analytics.programmes: demonstration units --------------------------------------------------------

def demo_counts(t: B.Tables, f: Filters, as_of: dt.date | None = None) -> pd.DataFrame:
    as_of = as_of or f.date_to
    u = t.demo_units
    u = u[_active(u, "named_date", "withdrawn_date", as_of)]
    n = u.groupby(["district_code", "unit_type"]).size().rename("units")
    grid = _districts(t, f)[["code", "name", "short_name", "name_en"]].merge(
        pd.DataFrame({"unit_type": list(P.DEMO_TYPES)}), how="cross")
    grid = grid.merge(n, left_on=["code", "unit_type"], right_index=True, how="left")
    grid["units"] = grid["units"].fillna(0).astype("int64")
    return grid.reset_index(drop=True)


def demo_complaint_rates(t: B.Tables, f: Filters) -> pd.DataFrame:
    u = t.demo_units
    demo = set(u.loc[u["merchant_id"].notna() & u["unit_type"].isin(P.STORE_DEMO_TYPES)
                     & _active(u, "named_date", "withdrawn_date", f.date_to), "merchant_id"])
    cc = complaints(t, f.with_(districts=()))["merchant_id"].value_counts()
    m = t.merchants
    m = m[_in_districts(m, f)]
    st = pd.DataFrame({"industry": m["industry"].fillna(""), "is_demo": m["merchant_id"].isin(demo),
                       "n": m["merchant_id"].map(cc).fillna(0).astype("int64")})
    st["demo_n"] = st["n"].where(st["is_demo"], 0)
    st["other_n"] = st["n"].where(~st["is_demo"], 0)
    g = st.groupby("industry").agg(demo_stores=("is_demo", "sum"), demo_complaints=("demo_n", "sum"),
                                   all_stores=("is_demo", "size"), other_complaints=("other_n", "sum")
                                   ).reset_index()
    g["other_stores"] = g["all_stores"] - g["demo_stores"]
    g = g[["industry", "demo_stores", "demo_complaints", "other_stores", "other_complaints"]].astype(
        {"demo_stores": "int64", "demo_complaints": "int64", "other_stores": "int64", "other_complaints": "int64"})
    g = g.sort_values(["demo_stores", "industry"], ascending=[False, True]).reset_index(drop=True)
    g["demo_rate"] = [None if s == 0 else c / s * 1000 for c, s in zip(g["demo_complaints"], g["demo_stores"])]
    g["other_rate"] = [None if s == 0 else c / s * 1000 for c, s in zip(g["other_complaints"], g["other_stores"])]
    g["ratio"] = [None if (o is None or pd.isna(o) or o == 0 or d is None or pd.isna(d)) else d / o
                  for d, o in zip(g["demo_rate"], g["other_rate"])]
    return g


# --- analytics.programmes: merchant lookup --------------------------------------------------------------

def merchant_search(t: B.Tables, f: Filters, q: str, limit: int = 50) -> pd.DataFrame:
    q = (q or "").strip()
    cols = ["merchant_id", "name", "credit_code", "district_code", "industry", "odr_active", "return_active",
            "demo_active", "complaints", "returns", "total_matches"]
    if not q:
        return pd.DataFrame(columns=cols)
    m = t.merchants
    name_l = m["name"].str.lower()
    by_code = m["credit_code"].str.upper() == q.upper()
    hit = m[name_l.str.contains(q.lower(), regex=False, na=False) | by_code.fillna(False)].copy()
    hit["rank0"] = np.where(by_code[hit.index].fillna(False), 0,
                            np.where(name_l[hit.index].str.startswith(q.lower()), 1, 2))
    ids = set(hit["merchant_id"])
    c = complaints(t, f.with_(districts=(), route="all"))
    cc = c.loc[c["merchant_id"].isin(ids), "merchant_id"].value_counts()
    r = t.returns
    rr = r.loc[r["return_date"].between(_ts(f.date_from), _ts(f.date_to)) & r["merchant_id"].isin(ids),
               "merchant_id"].value_counts()
    u = t.demo_units
    demo = set(u.loc[u["merchant_id"].isin(ids) & _active(u, "named_date", "withdrawn_date", f.date_to),
                     "merchant_id"])
    hit["odr_active"] = _active(hit, "odr_enrolled_date", "odr_withdrawn_date", f.date_to)
    hit["return_active"] = _active(hit, "return_commit_date", "return_withdrawn_date", f.date_to)
    hit["demo_active"] = hit["merchant_id"].isin(demo)
    hit["complaints"] = hit["merchant_id"].map(cc).fillna(0).astype("int64")
    hit["returns"] = hit["merchant_id"].map(rr).fillna(0).astype("int64")
    hit["total_matches"] = len(hit)
    hit = hit.sort_values(["rank0", "complaints", "name", "merchant_id"], ascending=[True, False, True, True])
    return hit[cols].head(int(limit)).reset_index(drop=True)


def _match(df: pd.DataFrame, merchant_id: str, credit_code) -> pd.Series:
    m = df["merchant_id"] == merchant_id
    if credit_code:
        m |= df["credit_code"] == credit_code
    return m.fillna(False)


def _credit_code(t: B.Tables, merchant_id: str):
    cc = t.merchants.loc[t.merchants["merchant_id"] == merchant_id, "credit_code"]
    return cc.iloc[0] if len(cc) and not pd.isna(cc.iloc[0]) and cc.iloc[0] != "" else None


def _status(start, end, to) -> str:
    if start is None:
        return "never"
    if start > to:
        return "not_yet"
    if end is not None and end <= to:
        return "withdrawn"
    return "active"


def merchant_profile(t: B.Tables, f: Filters, merchant_id: str) -> dict | None:
    row = t.merchants[t.merchants["merchant_id"] == merchant_id]
    if row.empty:
        return None
    m = {}
    for k, v in row.iloc[0].to_dict().items():
        if pd.isna(v):
            m[k] = None
        elif isinstance(v, pd.Timestamp):
            m[k] = v.date()
        else:
            m[k] = v
    to = f.date_to
    m["odr_status"] = _status(m["odr_enrolled_date"], m["odr_withdrawn_date"], to)
    m["return_status"] = _status(m["return_commit_date"], m["return_withdrawn_date"], to)
    m["is_chain"] = bool(m.get("is_chain"))
    u = t.demo_units
    u = u[u["merchant_id"] == merchant_id].sort_values("named_date", kind="stable")
    active = _active(u, "named_date", "withdrawn_date", to)
    m["demo_units"] = [{"unit_type": r.unit_type, "name": r.name,
                        "named_date": None if pd.isna(r.named_date) else r.named_date.date(),
                        "withdrawn_date": None if pd.isna(r.withdrawn_date) else r.withdrawn_date.date(),
                        "active": bool(a)}
                       for r, a in zip(u.itertuples(index=False), active)]
    code = m.get("credit_code")
    fa = f.with_(districts=(), route="all")
    c = t.complaints
    mm = _match(c, merchant_id, code)
    cp = c[cmask(t, fa) & mm]
    ctot = int((cmask(t, fa, period=False) & (c["received_date"] <= _ts(to)) & mm).sum())
    r = t.returns
    r = r[r["return_date"].between(_ts(f.date_from), _ts(to)) & _match(r, merchant_id, code)]
    m.update(complaints_period=len(cp), odr_period=int(cp["is_odr"].sum()), complaints_total=ctot,
             returns_period=len(r), returns_yuan_period=round(float(r["amount_yuan"].astype(float).sum()), 2),
             returns_completed_period=int(r["completed"].sum()))
    return m


def merchant_monthly(t: B.Tables, f: Filters, merchant_id: str) -> pd.DataFrame:
    code = _credit_code(t, merchant_id)
    c = complaints(t, f.with_(districts=(), route="all"))
    c = c[_match(c, merchant_id, code)]
    r = t.returns
    r = r[r["return_date"].between(_ts(f.date_from), _ts(f.date_to)) & _match(r, merchant_id, code)]
    months = pd.date_range(_ts(f.date_from).replace(day=1), _ts(f.date_to), freq="MS")
    cg = c.groupby(_month_start(c["received_date"])).agg(complaints=("reg_no", "size"), odr=("is_odr", "sum"))
    rg = r.groupby(_month_start(r["return_date"])).agg(returns=("return_id", "size"),
                                                       amount_yuan=("amount_yuan", "sum"))
    cg = cg.reindex(months, fill_value=0)
    rg = rg.reindex(months, fill_value=0)
    out = pd.DataFrame({"month": months.strftime("%Y-%m"), "month_start": months.date,
                        "complaints": cg["complaints"].to_numpy().astype("int64"),
                        "odr": cg["odr"].to_numpy().astype("int64")})
    out["traditional"] = out["complaints"] - out["odr"]
    out["returns"] = rg["returns"].to_numpy().astype("int64")
    out["amount_yuan"] = rg["amount_yuan"].astype(float).round(2).to_numpy()
    return out


def merchant_complaints(t: B.Tables, f: Filters, merchant_id: str) -> pd.DataFrame:
    c = complaints(t, f.with_(districts=(), route="all"))
    c = c[_match(c, merchant_id, _credit_code(t, merchant_id))]
    c = c.sort_values(["received_date", "reg_no"], ascending=[False, True])
    out = c[["reg_no", "received_date", "closed_date", "is_odr", "category", "problem", "outcome",
             "resolution_days", "resolution_wdays", "disputed_yuan", "recovered_yuan"]].reset_index(drop=True)
    out["received_date"] = _dates(out["received_date"])
    out["closed_date"] = _dates(out["closed_date"])
    return out


# --- analytics.rankings -----------------------------------------------------------------------------------

def _complaint_rows(t: B.Tables, f: Filters) -> pd.DataFrame:
    c = complaints(t, f)
    closed = c["closed_date"].notna()
    status = B.data_coverage(t)[1] or f.date_to      # statuses at the as-of date (METRICS.md)
    return pd.DataFrame({
        "district_code": c["district_code"], "township": c["township"], "closed": closed,
        "on_time": closed & (c["closed_date"] <= c["deadline_date"]),
        "on_time_base": closed | (c["deadline_date"] < _ts(status)),
        "is_odr": c["is_odr"], "resolution_days": c["resolution_days"],
        "recovered": c["recovered_yuan"].astype(float).fillna(0.0),
    }).reset_index(drop=True)


def unit_metrics(t: B.Tables, f: Filters, level: str = "county", conf: float = 0.95) -> pd.DataFrame:
    if level not in R.LEVELS:
        raise ValueError(f"level must be one of {R.LEVELS}")
    rows = _complaint_rows(t, f)
    city_rows = _complaint_rows(t, f.with_(districts=())) if f.districts else rows
    dist = B.district_summary(t, f)
    if level == "county":
        df = dist[["code", "name", "short_name", "name_en", "population", "complaints", "closed", "on_time",
                   "on_time_base", "odr", "median_days"]].copy()
        df = df.rename(columns={"code": "district_code"})
        df.insert(0, "unit", df["district_code"])
        df["township"] = None
        df["recovered_yuan"] = df["district_code"].map(rows.groupby("district_code")["recovered"].sum()
                                                       ).fillna(0.0).astype(float)
        # per district: returns of the period, stores committed at its end (queries.returns_summary
        # and queries.registry_counts per district, grouped in one pass)
        r = t.returns
        ret = r.loc[r["return_date"].between(_ts(f.date_from), _ts(f.date_to)), "district_code"].value_counts()
        m = t.merchants
        stores = m.loc[_active(m, "return_commit_date", "return_withdrawn_date", f.date_to),
                       "district_code"].value_counts()
        df["returns"] = df["district_code"].map(ret).fillna(0).astype("int64")
        df["stores"] = df["district_code"].map(stores).fillna(0).astype("int64")
        df = R._add_intervals(df, rows, ["district_code"], conf, city_rows)
    else:
        tw = table(t, "townships")
        ref = tw.loc[_in_districts(tw, f), ["district_code", "name"]].rename(columns={"name": "township"})
        ref = ref.sort_values(["district_code", "township"]).reset_index(drop=True)
        df = R.township_table(rows, ref, dist, conf, city_rows)
    return R.finish_units(df)


def township_coverage(t: B.Tables, f: Filters) -> dict:
    tw = complaints(t, f)["township"]
    return {"complaints": int(len(tw)), "with_township": int((tw.notna() & (tw != "")).sum())}


def city_reference(t: B.Tables, f: Filters) -> dict:
    fc = f.with_(districts=())
    k = B.complaint_kpis(t, fc).iloc[0]
    pop = float(t.districts["population"].sum())
    ret = B.returns_summary(t, fc)
    reg = B.registry_counts(t, fc)
    n = int(k["complaints"])

    def num(x):
        return None if x is None or pd.isna(x) else float(x)
    return {
        "complaints": n,
        "population": pop,
        "returns": int(ret["count"]),
        "stores": int(reg["return_stores"]),
        "per_100k": n / pop * 100_000 if pop else None,
        "closure_rate": num(k["closure_rate"]),
        "on_time_rate": num(k["on_time_rate"]),
        "median_days": num(k["median_days_all"]),
        "odr_share": int(k["complaints_odr"]) / n if n else None,
        "recovered_per_complaint": float(k["recovered_yuan"]) / n if n else None,
        "returns_per_store": ret["count"] / reg["return_stores"] if reg["return_stores"] else None,
    }


def _ranked(t: B.Tables, f: Filters, level: str, w: dict, fair: bool, conf: float = 0.95) -> pd.DataFrame:
    city = city_reference(t, f)
    df = R.composite_index(R.compare_to_city(unit_metrics(t, f, level, conf), city), w, city, fair)
    df["rank"] = R.rank_units(df["index"])
    df["rank_lo"], df["rank_hi"] = R._rank_interval(df, w, city, conf)
    return df


def ranking(t: B.Tables, f: Filters, level: str = "county", weights=None, fair: bool = True,
            conf: float = 0.95) -> pd.DataFrame:
    w = R.effective_weights(dict(weights) if weights is not None else R.DEFAULT_WEIGHTS, level, f.route)
    cur = _ranked(t, f, level, w, fair, conf)
    prev = _ranked(t, queries.previous_period(f), level, w, fair, conf)
    prev = prev[["unit", "index", "rank", "rank_lo", "rank_hi"]].rename(
        columns={"index": "prev_index", "rank": "prev_rank", "rank_lo": "prev_rank_lo", "rank_hi": "prev_rank_hi"})
    out = cur.merge(prev, on="unit", how="left")
    out["rank_change"] = (out["prev_rank"] - out["rank"]).astype("Int64")
    out["rank_moved"] = R.rank_change_beyond_chance(out["rank_lo"], out["rank_hi"], out["prev_rank_lo"],
                                                    out["prev_rank_hi"]) & out["rank_change"].fillna(0).ne(0).to_numpy()
    return out.sort_values(["rank", "unit"], na_position="last").reset_index(drop=True)


def funnel(t: B.Tables, f: Filters, metric: str, level: str = "county", conf_levels=(0.95, 0.998),
           points: int = 80) -> pd.DataFrame:
    empty = pd.DataFrame(columns=["exposure", "lo_95", "hi_95", "lo_998", "hi_998", "city"])
    if R.KINDS.get(metric) not in ("poisson", "binomial"):
        return empty
    units = unit_metrics(t, f, level)
    city = city_reference(t, f)
    x = units[f"{metric}_den"].astype(float)
    top = float(x.max()) if len(x) and x.notna().any() else 0.0
    if top <= 0 or city[metric] is None or pd.isna(city[metric]):
        return empty
    positive = x[x > 0]
    lo_x = max(1.0, float(positive.min()) / 2) if len(positive) else 1.0
    grid = np.unique(np.round(np.geomspace(lo_x, top * 1.15, points)))
    if metric in R.PROPORTIONS:
        grid = np.unique(np.maximum(grid, 1).astype(int))
    out = pd.DataFrame({"exposure": grid.astype(float)})
    for conf, tag in zip(conf_levels, ("95", "998")):
        if metric in R.PROPORTIONS:
            lim = R.binomial_funnel(city[metric], grid, conf)
        else:
            lim = R.poisson_funnel(city[metric], grid, conf, scale=100_000.0 if metric == "per_100k" else 1.0)
        out[f"lo_{tag}"] = lim["lo"].to_numpy()
        out[f"hi_{tag}"] = lim["hi"].to_numpy()
    out["city"] = city[metric]
    return out


def rank_history(t: B.Tables, f: Filters, grain: str = "week", n: int = 8, weights=None,
                 fair: bool = True) -> pd.DataFrame:
    first, _ = B.data_coverage(t)
    w = R.effective_weights(dict(weights) if weights is not None else R.DEFAULT_WEIGHTS, "county", f.route)
    parts = []
    for label, s, e, partial in R.buckets(f.date_to, grain, n, first):
        df = _ranked(t, f.with_(date_from=s, date_to=e), "county", w, fair)
        part = df[["district_code", "name", "short_name", "name_en", "complaints", "index", "rank", "rank_lo",
                   "rank_hi"]].copy()
        part.insert(0, "partial", partial)
        part.insert(0, "bucket_end", e)
        part.insert(0, "bucket_start", s)
        part.insert(0, "bucket", label)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["bucket", "bucket_start", "bucket_end", "partial", "district_code", "name",
                                     "short_name", "name_en", "complaints", "index", "rank", "rank_lo", "rank_hi",
                                     "rank_moved"])
    out = pd.concat(parts, ignore_index=True)
    prev = out.groupby("district_code", sort=False)[["rank_lo", "rank_hi", "rank"]].shift(1)
    out["rank_moved"] = (R.rank_change_beyond_chance(out["rank_lo"], out["rank_hi"], prev["rank_lo"], prev["rank_hi"])
                         & (prev["rank"] != out["rank"]).fillna(False).to_numpy(dtype=bool))
    return out


# --- analytics.explore ---------------------------------------------------------------------------------

def _facet_value(c: pd.DataFrame, facet: str) -> pd.Series:
    if facet == "route":
        return pd.Series(np.where(c["is_odr"], "odr", "traditional"), index=c.index)
    if facet == "status":
        return pd.Series(np.where(c["closed_date"].isna(), "open", "closed"), index=c.index)
    return c[{"districts": "district_code", **FACET_COLUMNS}[facet]]


def facet_counts(t: B.Tables, f: Filters) -> pd.DataFrame:
    parts = []
    for name, (_, clear) in EX.FACETS.items():
        v = _facet_value(complaints(t, f.with_(**clear)), name)
        n = v.dropna().value_counts()
        parts.append(pd.DataFrame({"facet": name, "value": n.index.astype(object), "n": n.to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out["n"] = out["n"].astype("int64")
    # analytics.explore.facet_counts has no ORDER BY (its row order is DuckDB's hash order, which
    # changes with the thread count); this is the order "ORDER BY facet, n DESC, value" gives
    return out.sort_values(["facet", "n", "value"], ascending=[True, False, True], ignore_index=True)


def facet_values(t: B.Tables) -> pd.DataFrame:
    c = t.complaints[t.complaints["appeal_type"] == "投诉"]
    parts = []
    for name, col in FACET_COLUMNS.items():
        if name not in EX.FACETS:
            continue
        n = c[col].dropna().value_counts()
        parts.append(pd.DataFrame({"facet": name, "value": n.index.astype(object), "total": n.to_numpy()}))
    df = pd.concat(parts, ignore_index=True).sort_values(["facet", "total", "value"],
                                                         ascending=[True, False, True])
    fixed = [("route", "odr"), ("route", "traditional"), ("status", "open"), ("status", "closed")]
    codes = [("districts", c_) for c_ in t.districts["code"]]
    extra = pd.DataFrame(fixed + codes, columns=["facet", "value"]).assign(total=0)
    out = pd.concat([df, extra], ignore_index=True)
    out["total"] = out["total"].astype("int64")
    return out


def record_count(t: B.Tables, f: Filters) -> int:
    return int(cmask(t, f).sum())


_SORT_COLUMNS = {"received": "received_at", "closed": "closed_at", "days": "resolution_days",
                 "disputed": "disputed_yuan", "recovered": "recovered_yuan", "merchant": "merchant_name",
                 "district": "district_code", "reg_no": "reg_no"}


def records(t: B.Tables, f: Filters, sort: str = "received", descending: bool = True, limit: int = 50,
            offset: int = 0) -> pd.DataFrame:
    if sort not in _SORT_COLUMNS:
        raise ValueError(f"unknown sort {sort!r}; one of {sorted(_SORT_COLUMNS)}")
    limit = max(0, min(int(limit), EX.EXPORT_CAP + 1))
    offset = max(0, int(offset))
    c = complaints(t, f)
    key = _SORT_COLUMNS[sort]
    by = [key] if key == "reg_no" else [key, "reg_no"]
    c = c.sort_values(by, ascending=not descending, na_position="last").iloc[offset:offset + limit]
    out = c.assign(status=np.where(c["closed_date"].isna(), "open", "closed"),
                   district=c["district_code"].map(t.districts.set_index("code")["name"]))
    return out[EX.RECORD_COLUMNS].reset_index(drop=True)


def export_records(t: B.Tables, f: Filters, sort: str = "received", descending: bool = True,
                   cap: int = EX.EXPORT_CAP) -> pd.DataFrame:
    return records(t, f, sort, descending, limit=cap, offset=0)


def monthly_records(t: B.Tables, f: Filters) -> pd.DataFrame:
    c = complaints(t, f)
    g = c.groupby(c["received_date"].dt.strftime("%Y-%m").rename("month")).agg(
        odr=("is_odr", "sum"), complaints=("reg_no", "size"))
    g["traditional"] = g["complaints"] - g["odr"]
    return g.reset_index()[["month", "odr", "traditional", "complaints"]].astype(
        {"odr": "int64", "traditional": "int64", "complaints": "int64"})


def import_history(t: B.Tables) -> pd.DataFrame:
    log = table(t, "import_log").sort_values(["imported_at", "import_id"], ascending=False)
    return log[["file_name", "kind", "imported_at", "rows_read", "rows_imported", "rows_updated",
                "rows_rejected"]].reset_index(drop=True)


def district_populations(t: B.Tables) -> pd.DataFrame:
    return t.districts[["code", "name", "name_en", "population", "pop_note"]].reset_index(drop=True)


def table_sizes(t: B.Tables) -> pd.DataFrame:
    out = [(name, len(getattr(t, name))) for name in ("complaints", "merchants", "returns", "demo_units", "districts")]
    out += [(name, len(table(t, name))) for name in ("townships", "calendar")]
    out += [(f"complaints:{typ}", int(n)) for typ, n in t.complaints["appeal_type"].value_counts().items()]
    return pd.DataFrame(out, columns=["table", "rows"])


def calendar_coverage(t: B.Tables) -> dict:
    cal = table(t, "calendar")
    d = cal["d"]
    known = d[cal["known"]]
    return {"first": d.min().date() if len(d) else None, "last": d.max().date() if len(d) else None,
            "known_until": known.max().date() if len(known) else None}


BASELINES = {
    "analytics.programmes.returns_series": returns_series,
    "analytics.programmes.returns_by_district": returns_by_district,
    "analytics.programmes.returns_commitments": returns_commitments,
    "analytics.programmes.returns_by_category": returns_by_category,
    "analytics.programmes.returns_distribution": returns_distribution,
    "analytics.programmes.returns_amount_bins": returns_amount_bins,
    "analytics.programmes.registry_series": registry_series,
    "analytics.programmes.odr_by_group": odr_by_group,
    "analytics.programmes.odr_enterprises": odr_enterprises,
    "analytics.programmes.odr_cases_histogram": odr_cases_histogram,
    "analytics.programmes.odr_health": odr_health,
    "analytics.programmes.demo_counts": demo_counts,
    "analytics.programmes.demo_complaint_rates": demo_complaint_rates,
    "analytics.programmes.merchant_search": merchant_search,
    "analytics.programmes.merchant_profile": merchant_profile,
    "analytics.programmes.merchant_monthly": merchant_monthly,
    "analytics.programmes.merchant_complaints": merchant_complaints,
    "analytics.rankings.unit_metrics": unit_metrics,
    "analytics.rankings.township_coverage": township_coverage,
    "analytics.rankings.city_reference": city_reference,
    "analytics.rankings.ranking": ranking,
    "analytics.rankings.funnel": funnel,
    "analytics.rankings.rank_history": rank_history,
    "analytics.explore.facet_counts": facet_counts,
    "analytics.explore.facet_values": facet_values,
    "analytics.explore.record_count": record_count,
    "analytics.explore.records": records,
    "analytics.explore.export_records": export_records,
    "analytics.explore.monthly_records": monthly_records,
    "analytics.explore.import_history": import_history,
    "analytics.explore.district_populations": district_populations,
    "analytics.explore.table_sizes": table_sizes,
    "analytics.explore.calendar_coverage": calendar_coverage,
}

from bench import baselines as B  # noqa: E402  (see the module's docstring)
