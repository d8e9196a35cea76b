"""The usual approach, for comparison: every table loaded into pandas once, each question
answered with idiomatic pandas on the in-memory frames.

``BASELINES`` maps an analytics function (module.name) to a pandas function taking the loaded
``Tables`` and the same arguments (minus the connection). The benchmark checks that each baseline
returns the same numbers as the analytics function before timing it.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics import metrics as M
from analytics import queries
from analytics.filters import FACET_COLUMNS, Filters


class Tables:
    """All tables as pandas DataFrames (dates as datetime64)."""

    def __init__(self, con):
        self.complaints = con.execute("SELECT * FROM complaints").df()
        self.merchants = con.execute("SELECT * FROM merchants").df()
        self.returns = con.execute("SELECT * FROM returns").df()
        self.demo_units = con.execute("SELECT * FROM demo_units").df()
        self.districts = con.execute("SELECT * FROM districts ORDER BY code").df()
        self.meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        for df in (self.complaints, self.merchants, self.returns, self.demo_units):
            for c in df.columns:
                if c.endswith("_date"):
                    df[c] = pd.to_datetime(df[c])

    def memory_bytes(self) -> int:
        return int(sum(df.memory_usage(deep=True).sum() for df in
                       (self.complaints, self.merchants, self.returns, self.demo_units, self.districts)))


def _ts(d: dt.date) -> pd.Timestamp:
    return pd.Timestamp(d)


def complaint_mask(t: Tables, f: Filters, *, period: bool = True, date_col: str = "received_date",
                   received: tuple | None = None, route: bool = True, facets: bool = True) -> pd.Series:
    """Boolean mask of the complaints ``analytics.filters.complaint_where`` selects (same
    options; ``received``: (from, to) received in those dates instead of the period)."""
    c = t.complaints
    m = c["appeal_type"] == "投诉"
    if received:
        m &= c["received_date"].between(_ts(received[0]), _ts(received[1]))
    elif period:
        m &= c[date_col].between(_ts(f.date_from), _ts(f.date_to))
    if f.districts:
        m &= c["district_code"].isin(f.districts)
    if route and f.route == "odr":
        m &= c["is_odr"]
    elif route and f.route == "traditional":
        m &= ~c["is_odr"]
    if facets:
        for name, col in FACET_COLUMNS.items():
            if getattr(f, name):
                m &= c[col].isin(getattr(f, name))
        if f.status == "open":
            m &= c["closed_date"].isna()
        elif f.status == "closed":
            m &= c["closed_date"].notna()
        if f.merchant:   # ILIKE '%merchant%' OR credit_code = merchant
            m &= (c["merchant_name"].str.contains(f.merchant, case=False, regex=False, na=False)
                  | (c["credit_code"] == f.merchant).fillna(False))
    return m


def complaints_of(t: Tables, f: Filters, date_col: str = "received_date") -> pd.DataFrame:
    return t.complaints[complaint_mask(t, f, date_col=date_col)]


def _q(s: pd.Series, q: float):
    s = s.dropna()
    return float(np.quantile(s.astype(float), q)) if len(s) else None


def complaint_kpis(t: Tables, f: Filters) -> pd.DataFrame:
    c = complaints_of(t, f)
    closed = c["closed_date"].notna()
    to = _ts(data_coverage(t)[1] or f.date_to)       # statuses at the as-of date
    on_time = closed & (c["closed_date"] <= c["deadline_date"])
    base = closed | (c["deadline_date"] < to)
    out = {"complaints": len(c), "complaints_odr": int(c["is_odr"].sum()), "closed": int(closed.sum()),
           "on_time": int(on_time.sum()), "on_time_base": int(base.sum()),
           "overdue_open": int((~closed & (c["deadline_date"] < to)).sum())}
    for q, name in ((0.5, "median_days"), (0.9, "p90_days")):
        out[f"{name}_all"] = _q(c["resolution_days"], q)
        out[f"{name}_odr"] = _q(c.loc[c["is_odr"], "resolution_days"], q)
        out[f"{name}_traditional"] = _q(c.loc[~c["is_odr"], "resolution_days"], q)
    out["recovered_yuan"] = float(c["recovered_yuan"].astype(float).sum())
    out["disputed_yuan"] = float(c["disputed_yuan"].astype(float).sum())
    out["closure_rate"] = out["closed"] / out["complaints"] if out["complaints"] else None
    out["on_time_rate"] = out["on_time"] / out["on_time_base"] if out["on_time_base"] else None
    out["within_deadline"] = out["complaints"] - out["on_time_base"]
    return pd.DataFrame([out])


def odr_resolved(t: Tables, f: Filters) -> int:
    c = complaints_of(t, f.with_(route="odr"), date_col="closed_date")
    return int(c["outcome"].isin(M.SETTLED_OUTCOMES).sum())


def data_coverage(t: Tables):
    if t.meta.get("data_from") and t.meta.get("as_of"):
        return dt.date.fromisoformat(t.meta["data_from"]), dt.date.fromisoformat(t.meta["as_of"])
    c = t.complaints[t.complaints["appeal_type"] == "投诉"]
    return c["received_date"].min().date(), max(c["received_date"].max(), c["closed_date"].max()).date()


def weekly_complaints(t: Tables, f: Filters) -> pd.DataFrame:
    first, as_of = data_coverage(t)
    lo, hi = max(f.date_from, first), min(f.date_to, as_of)
    c = complaints_of(t, f)
    start = _ts(f.date_from) - pd.Timedelta(days=f.date_from.weekday())
    weeks = pd.date_range(start, _ts(f.date_to), freq="7D")
    ws = c["received_date"] - pd.to_timedelta(c["received_date"].dt.weekday, unit="D")
    g = c.assign(week_start=ws).groupby("week_start").agg(complaints=("reg_no", "size"), odr=("is_odr", "sum"))
    g = g.reindex(weeks, fill_value=0)
    iso = weeks.isocalendar()
    out = pd.DataFrame({
        "week": [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"])],
        "week_start": weeks.date, "week_end": (weeks + pd.Timedelta(days=6)).date,
        "complaints": g["complaints"].to_numpy(), "odr": g["odr"].to_numpy()})
    out["traditional"] = out["complaints"] - out["odr"]
    out["partial"] = (weeks < _ts(lo)) | (weeks + pd.Timedelta(days=6) > _ts(hi))
    return out


def latest_weeks(t: Tables, f: Filters) -> pd.DataFrame:
    return queries.pick_latest_weeks(weekly_complaints(t, queries.latest_weeks_window(f)))


def district_summary(t: Tables, f: Filters) -> pd.DataFrame:
    c = complaints_of(t, f.with_(districts=()))
    to = _ts(data_coverage(t)[1] or f.date_to)       # statuses at the as-of date
    closed = c["closed_date"].notna()
    c = c.assign(closed=closed, on_time=closed & (c["closed_date"] <= c["deadline_date"]),
                 on_time_base=closed | (c["deadline_date"] < to))
    g = c.groupby("district_code").agg(complaints=("reg_no", "size"), closed=("closed", "sum"),
                                       on_time=("on_time", "sum"), on_time_base=("on_time_base", "sum"),
                                       odr=("is_odr", "sum"), median_days=("resolution_days", "median"))
    d = t.districts
    if f.districts:
        d = d[d["code"].isin(f.districts)]
    out = d[["code", "name", "short_name", "name_en", "population"]].merge(
        g, left_on="code", right_index=True, how="left")
    for col in ("complaints", "closed", "on_time", "on_time_base", "odr"):
        out[col] = out[col].fillna(0).astype(int)
    out["per_100k"] = (out["complaints"] / out["population"] * 100_000).round(2)
    out["closure_rate"] = out["closed"] / out["complaints"].where(out["complaints"] > 0)
    out["on_time_rate"] = out["on_time"] / out["on_time_base"].where(out["on_time_base"] > 0)
    return out.reset_index(drop=True)


def _active(df, start_col, end_col, to, districts):
    m = (df[start_col] <= _ts(to)) & (df[end_col].isna() | (df[end_col] > _ts(to)))
    if districts:
        m &= df["district_code"].isin(districts)
    return df[m]


def registry_counts(t: Tables, f: Filters) -> dict:
    ref = min(f.date_to, data_coverage(t)[1] or f.date_to)     # the reference date
    demo = _active(t.demo_units, "named_date", "withdrawn_date", ref, f.districts)["unit_type"].value_counts()
    return {
        "odr_enterprises": len(_active(t.merchants, "odr_enrolled_date", "odr_withdrawn_date", ref, f.districts)),
        "return_stores": len(_active(t.merchants, "return_commit_date", "return_withdrawn_date", ref, f.districts)),
        "demo_districts": int(demo.get("street", 0)),
        "demo_chain_stores": int(demo.get("chain_store", 0)),
        "demo_operators": int(demo.get("operator", 0)),
    }


def returns_summary(t: Tables, f: Filters) -> dict:
    r = t.returns
    m = r["return_date"].between(_ts(f.date_from), _ts(f.date_to))
    if f.districts:
        m &= r["district_code"].isin(f.districts)
    r = r[m]
    n = len(r)
    key = r["credit_code"].where(r["credit_code"].fillna("") != "", r["store_name"])
    return {"count": n, "amount_yuan": round(float(r["amount_yuan"].astype(float).sum()), 2),
            "stores": int(key.nunique()), "completion_rate": (r["completed"].sum() / n) if n else None}


def districts(t: Tables) -> pd.DataFrame:
    return t.districts[["code", "name", "short_name", "name_en", "population"]]


def meta(t: Tables) -> dict:
    return dict(t.meta)


BASELINES = {
    "analytics.queries.complaint_kpis": complaint_kpis,
    "analytics.queries.odr_resolved": odr_resolved,
    "analytics.queries.data_coverage": data_coverage,
    "analytics.queries.weekly_complaints": weekly_complaints,
    "analytics.queries.latest_weeks": latest_weeks,
    "analytics.queries.district_summary": district_summary,
    "analytics.queries.registry_counts": registry_counts,
    "analytics.queries.returns_summary": returns_summary,
    "analytics.queries.districts": districts,
    "analytics.db.meta": meta,
}

# Baselines of the other pages' questions.
from bench import baselines_a  # noqa: E402  (pages trends and resolution)

BASELINES.update(baselines_a.BASELINES)
Tables = baselines_a.Tables  # noqa: F811  (also loads the calendar, counted in the load time)
from bench import baselines_b  # noqa: E402  (pages programmes, districts, explore, methodology, sql)

BASELINES.update(baselines_b.BASELINES)
