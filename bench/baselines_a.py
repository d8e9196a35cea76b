"""pandas baselines for the pages ``trends`` and ``resolution`` (analytics/trends.py,
analytics/resolution.py), in the style of bench/baselines.py: every table in memory once, each
question answered with boolean masks, groupby and merges on the frames.

The data access and aggregation are pandas. The statistics the analytics functions run *after*
their SQL on small aggregates (Kaplan–Meier, bootstrap, the expected band, bucket and event
calendars) are the same pure-Python/NumPy helpers, imported from analytics, so that both sides
are checked on the same numbers.

These questions also need the ``calendar`` table (working-day index, official holidays).
:class:`Tables` (a subclass of bench.baselines.Tables) loads it with the others; given a plain
bench.baselines.Tables, :func:`calendar` loads it once from the database the benchmark runs on
($ODR_DB, checked against the loaded ``meta``) and keeps it on the object.

``BASELINES`` maps analytics functions (module.name) to the pandas functions, same arguments
minus the connection.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics import metrics as M
from analytics import resolution as R
from analytics import trends as T
from analytics import workdays
from analytics.filters import Filters

# bench.baselines is imported at the end of this file: it may itself import this module (to
# merge BASELINES) and must find BASELINES defined by then, whichever module is imported first.

_ONE_WEEK = dt.timedelta(days=7)


def _ts(d) -> pd.Timestamp:
    return pd.Timestamp(d)


def calendar(t) -> pd.DataFrame:
    """The calendar table of ``t`` (d as datetime64), loading it once when ``t`` lacks it."""
    cal = getattr(t, "calendar", None)
    if cal is None:
        from analytics import db as adb
        con = adb.connect(adb.db_path(), read_only=True)
        try:
            if dict(con.execute("SELECT key, value FROM meta").fetchall()) != t.meta:
                raise RuntimeError("calendar: $ODR_DB is not the database the tables were loaded from")
            cal = _load_calendar(con)
        finally:
            con.close()
        t.calendar = cal
    return cal


def _load_calendar(con) -> pd.DataFrame:
    cal = con.execute("SELECT * FROM calendar ORDER BY d").df()
    cal["d"] = pd.to_datetime(cal["d"])
    return cal


def _wd_idx(t) -> pd.Series:
    """wd_idx by date (index: datetime64)."""
    cal = calendar(t)
    s = getattr(t, "_wd_idx", None)
    if s is None:
        s = t._wd_idx = cal.set_index("d")["wd_idx"].astype("int64")
    return s


def complaints(t, f: Filters, *, cols: list | None = None, **kw) -> pd.DataFrame:
    """The complaints of ``f`` (bench.baselines.complaint_mask), only the columns ``cols`` when given."""
    from bench.baselines import complaint_mask
    m = complaint_mask(t, f, **kw)
    c = t.complaints
    return c.loc[m, list(dict.fromkeys(cols))] if cols else c[m]


def _route(c: pd.DataFrame) -> pd.Series:
    return pd.Series(np.where(c["is_odr"], "odr", "traditional"), index=c.index)


def _week_start(d: pd.Series) -> pd.Series:
    return d - pd.to_timedelta(d.dt.dayofweek, unit="D")


def _coverage(t, f: Filters):
    first, as_of = B.data_coverage(t)
    if first is None:
        return None, None, None, None
    return max(f.date_from, first), min(f.date_to, as_of), first, as_of


# === trends ======================================================================================

_BREAKDOWN_COLS = {"channel": "channel", "object_class": "object_class", "category": "category",
                   "problem": "problem", "district": "district_code", "merchant": "merchant_name"}


def _values(c: pd.DataFrame, name: str) -> pd.Series:
    """The breakdown / dimension value of each complaint (``_missing`` when not recorded)."""
    if name == "total":
        return pd.Series("total", index=c.index)
    if name == "route":
        return _route(c)
    return c[_BREAKDOWN_COLS[name]].astype(object).where(c[_BREAKDOWN_COLS[name]].notna(), T.MISSING)


def _bucket_starts(d: pd.Series, interval: str) -> pd.Series:
    if interval == "day":
        return d
    if interval == "week":
        return _week_start(d)
    return d.dt.to_period("M" if interval == "month" else "Q").dt.start_time


def volume_series(t, f: Filters, interval: str = "week", breakdown: str = "total", top_n: int = 6):
    if breakdown not in T.BREAKDOWNS:
        raise ValueError(f"breakdown must be one of {list(T.BREAKDOWNS)}")
    if interval not in T.INTERVALS:
        raise ValueError(f"interval must be one of {T.INTERVALS}")
    cols = ["bucket", "bucket_start", "bucket_end", "series", "complaints", "days", "covered_days", "partial"]
    lo, hi, _, _ = _coverage(t, f)
    if lo is None or lo > hi:
        return pd.DataFrame(columns=cols)
    c = complaints(t, f, cols=["received_date", "is_odr", _BREAKDOWN_COLS.get(breakdown, "is_odr")])
    bks = T.buckets(lo, hi, interval)
    frame = pd.DataFrame({"bucket_start": [b[0] for b in bks], "bucket_end": [b[1] for b in bks]})
    frame["bucket"] = [T.bucket_label(s, interval) for s in frame["bucket_start"]]
    frame["days"] = [(e - s).days + 1 for s, e in bks]
    frame["covered_days"] = [(min(e, hi) - max(s, lo)).days + 1 for s, e in bks]
    frame["partial"] = frame["covered_days"] < frame["days"]
    if len(c):
        series = _values(c, breakdown)
        totals = series.value_counts().rename_axis("series").reset_index(name="complaints")
        totals = totals.sort_values(["complaints", "series"], ascending=[False, True], kind="stable")
        keep = list(totals["series"])
        if len(keep) > top_n + 1:
            keep = keep[:top_n]
            series = series.where(series.isin(keep), T.OTHER)
            keep.append(T.OTHER)
        agg = (pd.DataFrame({"bucket_start": _bucket_starts(c["received_date"], interval).dt.date,
                             "series": series})
               .groupby(["bucket_start", "series"]).size().reset_index(name="complaints"))
    else:
        keep = ["total"] if breakdown == "total" else []
        agg = pd.DataFrame(columns=["bucket_start", "series", "complaints"])
    if not keep:
        return pd.DataFrame(columns=cols)
    out = (frame.merge(pd.DataFrame({"series": keep}), how="cross")
           .merge(agg, on=["bucket_start", "series"], how="left"))
    out["complaints"] = out["complaints"].fillna(0).astype(int)
    out["_o"] = out["series"].map({s: i for i, s in enumerate(keep)})
    return out.sort_values(["bucket_start", "_o"]).reset_index(drop=True)[cols]


_HOLIDAYS = ("Spring Festival", "Labour Day", "National Day", "Mid-autumn Festival")


def calendar_events(t, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    lo, hi = date_from - dt.timedelta(days=10), date_to + dt.timedelta(days=10)
    cal = calendar(t)
    h = cal[cal["d"].between(_ts(lo), _ts(hi)) & ~cal["is_workday"] & cal["holiday"].isin(_HOLIDAYS)]
    out = []
    if len(h):
        block = (h["d"].diff() > pd.Timedelta(days=1)).cumsum()     # consecutive holiday days
        for _, b in h.groupby(block, sort=True):
            names = set(b["holiday"])
            for name, ev in T._HOLIDAY_EVENT.items():
                if name in names:
                    start = b["d"].iloc[0].date()
                    out.append((ev, start.year, start, b["d"].iloc[-1].date()))
                    break
    for y in range(lo.year, hi.year + 1):
        s = T.monday(dt.date(y, 3, 15))
        out.append(("w315", y, s, s + dt.timedelta(days=6)))
    df = pd.DataFrame(out, columns=["event", "year", "start", "end"])
    df = df[(df["end"] >= date_from) & (df["start"] <= date_to)]
    return df.sort_values(["start", "event"]).reset_index(drop=True)


def unknown_calendar_years(t, date_from: dt.date, date_to: dt.date) -> list[int]:
    cal = calendar(t)
    d = cal.loc[cal["d"].between(_ts(date_from), _ts(date_to)) & ~cal["known"], "d"]
    return sorted(int(y) for y in d.dt.year.unique())


def weekly_stats(t, f: Filters) -> pd.DataFrame:
    lo, hi, first, as_of = _coverage(t, f)
    cols = ["week", "week_start", "week_end", "iso_year", "iso_week", "complaints", "days_covered",
            "partial", "event", "previous_week", "wow_change", "wow_pct", "last_year_week", "last_year",
            "yoy_change", "yoy_pct", "ma4", "level", "calendar", "rest_day_ratio", "dispersion", "seasonal_raw",
            "seasonal_index", "shrinkage", "seasonal_refs", "expected", "log_var", "lower", "upper", "flag",
            "history", "baseline"]
    if lo is None or lo > hi:
        return pd.DataFrame(columns=cols)
    h_from = max(first, T.monday(lo) - dt.timedelta(weeks=T.HISTORY_YEARS * 53 + T.stats.WEEK_PHI_WEEKS
                                                     + T.stats.WEEK_LEVEL_LOOKBACK + 2))
    rd = complaints(t, f, received=(h_from, as_of), cols=["received_date"])["received_date"]
    daily = rd.value_counts().sort_index()                      # complaints per received date
    counts = {d: int(n) for d, n in zip(pd.DatetimeIndex(daily.index).date, daily.to_numpy())}
    keys = T.event_keys(calendar_events(t, T.monday(h_from), as_of))
    cal = calendar(t)
    cal = cal[cal["d"].between(_ts(T.monday(h_from)), _ts(as_of))]
    workday = dict(zip(pd.DatetimeIndex(cal["d"]).date, cal["is_workday"].astype(bool)))
    period = T.buckets(lo, hi, "week")
    targets = [s for s, e in period if (s, e) == (max(s, lo), min(e, hi))]
    # the model itself is the analytics helper (statistics on weekly counts, no data access)
    hist, whole, hweeks, model = T.model_weeks(counts, first, as_of, h_from, keys, workday, targets)
    at = {x: i for i, x in enumerate(hweeks)}

    def hwhole(x):
        return whole.get(x, False)

    rows = []
    for s, e in period:
        a, b = max(s, lo), min(e, hi)
        n = int(daily.loc[_ts(a):_ts(b)].sum())
        cov = (b - a).days + 1
        part = cov < 7
        y, wn, _ = s.isocalendar()
        r = {"week": T.week_label(s), "week_start": s, "week_end": e, "iso_year": y, "iso_week": wn,
             "complaints": n, "days_covered": cov, "partial": part, "event": keys.get(s, ("",))[0]}
        if not part:
            p = s - _ONE_WEEK
            if hwhole(p):
                r.update(previous_week=hist[p], wow_change=n - hist[p],
                         wow_pct=(n - hist[p]) / hist[p] if hist[p] else None)
            try:
                ly = dt.date.fromisocalendar(y - 1, wn, 1)
            except ValueError:
                ly = None
            if ly is not None:
                r["last_year_week"] = T.week_label(ly)
                if hwhole(ly):
                    r.update(last_year=hist[ly], yoy_change=n - hist[ly],
                             yoy_pct=(n - hist[ly]) / hist[ly] if hist[ly] else None)
            prev3 = [s - k * _ONE_WEEK for k in (1, 2, 3)]
            if all(hwhole(x) for x in prev3):
                r["ma4"] = (n + sum(hist[x] for x in prev3)) / 4
        i = at.get(s)
        if i is not None and i in model.index:
            m = model.loc[i]
            r.update(history=m["history"], baseline=",".join(hweeks[j].isoformat() for j in m["level_weeks"]))
            if m["history"] != T.stats.NO_BAND_FEW_WEEKS:
                r.update(level=m["level"], calendar=m["calendar"], dispersion=m["dispersion"])
            if not m["history"]:
                r.update(rest_day_ratio=m["rest_day_ratio"])
                r.update({c: m[c] for c in ("level", "calendar", "dispersion", "seasonal_raw", "seasonal_index",
                                            "shrinkage", "seasonal_refs", "expected", "log_var", "lower", "upper")},
                         flag=T.stats.week_flag(n, m["lower"], m["upper"]))
        rows.append(r)
    df = pd.DataFrame(rows).reindex(columns=cols)
    for col in ("flag", "history", "baseline", "last_year_week"):
        df[col] = df[col].astype(object).fillna("").astype(str)
    for col in ("previous_week", "wow_change", "wow_pct", "last_year", "yoy_change", "yoy_pct", "ma4", "level",
                "calendar", "rest_day_ratio", "dispersion", "seasonal_raw", "seasonal_index", "shrinkage",
                "seasonal_refs", "expected", "log_var", "lower", "upper"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df


def week_detail(t, f: Filters, week_start: dt.date, dimension: str, baseline: tuple = (),
                expected_total: float | None = None, *, limit: int | None = None) -> pd.DataFrame:
    if dimension not in T.DIMENSIONS:
        raise ValueError(f"dimension must be one of {list(T.DIMENSIONS)}")
    ws = T.monday(week_start)
    we = ws + dt.timedelta(days=6)
    a, b = max(ws, f.date_from), min(we, f.date_to)
    ps, pe = ws - _ONE_WEEK, ws - dt.timedelta(days=1)
    base = sorted({T.monday(dt.date.fromisoformat(str(x))) for x in baseline if str(x)})
    lo = min([ps] + base)
    c = complaints(t, f, received=(lo, we),
                   cols=["received_date", "is_odr", _BREAKDOWN_COLS.get(dimension, "is_odr")])
    rd = c["received_date"]
    df = (pd.DataFrame({"value": _values(c, dimension),
                        "complaints": rd.between(_ts(a), _ts(b)),
                        "previous_week": rd.between(_ts(ps), _ts(pe)),
                        "baseline_total": _week_start(rd).isin([_ts(x) for x in base])})
          .groupby("value").sum().astype("int64").reset_index())
    df = df[(df["complaints"] > 0) | (df["previous_week"] > 0) | (df["baseline_total"] > 0)].copy()
    total = df["complaints"].sum()
    df["share"] = df["complaints"] / total if total else float("nan")
    df["change_previous"] = df["complaints"] - df["previous_week"]
    df["baseline_weekly"] = df["baseline_total"] / len(base) if base else float("nan")
    btotal = df["baseline_total"].sum()
    df["expected"] = expected_total * df["baseline_total"] / btotal if expected_total is not None and btotal \
        else float("nan")
    df["change_expected"] = df["complaints"] - df["expected"]
    df = df.sort_values(["complaints", "previous_week", "value"], ascending=[False, False, True], kind="stable")
    df = df[["value", "complaints", "share", "previous_week", "change_previous", "baseline_weekly",
             "expected", "change_expected"]].reset_index(drop=True)
    return df if limit is None else df.head(limit)


def week_contributors(t, f: Filters, week_start: dt.date, dimension: str, baseline: tuple,
                      expected_total: float | None, direction: str, by: str = "change_expected",
                      n: int = 5) -> pd.DataFrame:
    return T.top_contributors(week_detail(t, f, week_start, dimension, baseline, expected_total), direction, by, n)


# === resolution ==================================================================================

_TIME_COL = {"days": "resolution_days", "wdays": "resolution_wdays"}


def _as_of(t) -> dt.date | None:
    return B.data_coverage(t)[1]


def time_counts(t, f: Filters, unit: str = "days") -> pd.DataFrame:
    R._unit(unit)
    ao = _ts(_as_of(t))
    c = complaints(t, f, cols=["received_date", "closed_date", "is_odr", _TIME_COL[unit]])
    closed = c["closed_date"].notna()
    if unit == "days":
        age = (ao - c["received_date"]).dt.days
    else:   # DuckDB greatest() ignores NULL: a date outside the calendar gives age 0
        wd = _wd_idx(t)
        age = wd.get(ao, np.nan) - c["received_date"].map(wd)
    age = age.astype(float).clip(lower=0).fillna(0)
    tt = c[_TIME_COL[unit]].astype(float).where(closed, age)
    df = (pd.DataFrame({"route": _route(c), "t": tt, "closed": closed})
          .dropna(subset=["t"])
          .groupby(["route", "t", "closed"]).size().reset_index(name="n"))
    df["t"] = df["t"].astype("int64")
    df["n"] = df["n"].astype("int64")
    df["closed"] = df["closed"].astype(bool)
    return df


def km_curves(t, f: Filters, unit: str = "days") -> pd.DataFrame:
    cols = ["route", "t", "n_risk", "events", "censored", "surv", "surv_lo", "surv_hi"]
    parts = [R._km_of(part).assign(route=r) for r, part in R._route_frames(time_counts(t, f, unit)).items()]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def km_summary(t, f: Filters, unit: str = "days", n_wdays: int = 10) -> pd.DataFrame:
    counts = time_counts(t, f, unit)
    wcounts = counts if unit == "wdays" else time_counts(t, f, "wdays")
    wparts = R._route_frames(wcounts)
    out = []
    for r, part in R._route_frames(counts).items():
        closed, opened = part[part["closed"]], part[~part["closed"]]
        curve = R._km_of(part)
        wpart = wparts.get(r)
        wcurve = R._km_of(wpart) if wpart is not None else None
        s_n, s_lo, s_hi = (R.km_surv_at(wcurve, n_wdays, col) for col in ("surv", "surv_lo", "surv_hi"))
        wclosed = wpart[wpart["closed"]] if wpart is not None else wcounts.head(0)
        n_wclosed = int(wclosed["n"].sum())
        km_med = R.km_quantile(curve, 0.5)
        lo, hi = R.km_time_at(curve, 0.5, "surv_lo"), R.km_time_at(curve, 0.5, "surv_hi")
        out.append({
            "route": r, "complaints": int(part["n"].sum()), "closed": int(closed["n"].sum()),
            "open": int(opened["n"].sum()),
            "naive_median": R.quantile_from_counts(closed["t"], closed["n"], 0.5),
            "naive_p90": R.quantile_from_counts(closed["t"], closed["n"], 0.9),
            "km_median": km_med,
            "km_median_lo": None if km_med is None or lo is None else min(lo, km_med),
            "km_median_hi": None if km_med is None or hi is None else max(hi, km_med),
            "km_p90": R.km_quantile(curve, 0.9),
            "within_n": None if s_n is None else 1.0 - s_n,
            "within_n_lo": None if s_hi is None else 1.0 - s_hi,
            "within_n_hi": None if s_lo is None else 1.0 - s_lo,
            "naive_within_n": (int(wclosed.loc[wclosed["t"] <= n_wdays, "n"].sum()) / n_wclosed
                               if n_wclosed else None),
            "max_open_age": int(opened["t"].max()) if len(opened) else None,
        })
    cols = ["route", "complaints", "closed", "open", "naive_median", "naive_p90", "km_median",
            "km_median_lo", "km_median_hi", "km_p90", "within_n", "within_n_lo", "within_n_hi",
            "naive_within_n", "max_open_age"]
    return pd.DataFrame(out, columns=cols)


def _closed_times(t, f: Filters, unit: str) -> pd.DataFrame:
    """Closed complaints of ``f`` with a time: route, category ('其他' when missing), t, accepted
    (not 不予受理), settled (and accepted)."""
    R._unit(unit)
    c = complaints(t, f, cols=["closed_date", "is_odr", "category", "outcome", "acceptance", _TIME_COL[unit]])
    c = c[c["closed_date"].notna() & c[_TIME_COL[unit]].notna()]
    return pd.DataFrame({"route": _route(c), "category": c["category"].astype(object).fillna("其他"),
                         "t": c[_TIME_COL[unit]].astype("int64"),
                         "accepted": (c["acceptance"] != "不予受理").fillna(True).to_numpy(dtype=bool),
                         "settled": (c["outcome"].isin(M.SETTLED_OUTCOMES) & (c["acceptance"] != "不予受理").fillna(True))
                         .to_numpy(dtype=bool)})


def route_gap(t, f: Filters, unit: str = "days", *, min_stratum: int = 5, n_boot: int = 2000,
              seed: int = R.BOOT_SEED) -> dict:
    rng = np.random.default_rng(seed)
    d = _closed_times(t, f, unit)
    values = np.sort(d["t"].unique()).astype(float) if len(d) else np.array([0.0])

    def vec(part: pd.DataFrame) -> np.ndarray:
        return part["t"].value_counts().reindex(values, fill_value=0).to_numpy(dtype=np.int64)

    by_route = {r: d[d["route"] == r] for r in ("odr", "traditional")}
    n_r = {r: len(p) for r, p in by_route.items()}
    med = {r: (float(p["t"].median()) if len(p) else None) for r, p in by_route.items()}
    acc_r = {r: int(p["accepted"].sum()) for r, p in by_route.items()}
    rate = {r: (float(p["settled"].sum() / acc_r[r]) if acc_r[r] else None) for r, p in by_route.items()}

    # strata: per category and route
    g = d.groupby(["category", "route"]).agg(n=("t", "size"), median=("t", "median"),
                                             accepted=("accepted", "sum"), n_settled=("settled", "sum"))
    st = g.unstack("route")
    st.columns = [f"{a}_{b}" for a, b in st.columns]
    st = st.reindex(columns=[f"{a}_{r}" for a in ("n", "median", "accepted", "n_settled")
                             for r in ("odr", "traditional")])
    st = st.reset_index().sort_values("category").reset_index(drop=True)
    for c in ("n", "accepted", "n_settled"):
        st[[f"{c}_odr", f"{c}_traditional"]] = st[[f"{c}_odr", f"{c}_traditional"]].fillna(0).astype("int64")
    for r in ("odr", "traditional"):
        st[f"settled_{r}"] = np.where(st[f"accepted_{r}"] > 0, st[f"n_settled_{r}"] / st[f"accepted_{r}"].where(
            st[f"accepted_{r}"] > 0, 1), np.nan)
    st["included"] = (st["n_odr"] >= min_stratum) & (st["n_traditional"] >= min_stratum)
    st["included_settled"] = (st["accepted_odr"] >= min_stratum) & (st["accepted_traditional"] >= min_stratum)
    acc_pooled = (st["accepted_odr"] + st["accepted_traditional"]).astype(float)
    acc_total = float(acc_pooled[st["included_settled"]].sum())
    st["weight_settled"] = np.where(st["included_settled"], acc_pooled / acc_total, 0.0) if acc_total else 0.0
    coverage_s = acc_total / float(acc_pooled.sum()) if float(acc_pooled.sum()) else None
    st = st[["category", "n_odr", "n_traditional", "median_odr", "median_traditional", "accepted_odr",
             "accepted_traditional", "n_settled_odr", "n_settled_traditional", "settled_odr",
             "settled_traditional", "included", "included_settled", "weight_settled"]]
    inc = st[st["included"]]
    pooled = (inc["n_odr"] + inc["n_traditional"]).astype(float)
    w_total = float(pooled.sum())
    st["weight"] = 0.0
    if w_total:
        st.loc[inc.index, "weight"] = pooled / w_total
    n_all = n_r["odr"] + n_r["traditional"]
    coverage = w_total / n_all if n_all else None
    w = st.loc[inc.index, "weight"].to_numpy()

    # median gap, percentile bootstrap (same resampling order as analytics.resolution.route_gap)
    raw_med = None if med["odr"] is None or med["traditional"] is None else med["traditional"] - med["odr"]
    raw_med_ci = (None, None)
    if raw_med is not None:
        raw_med_ci = R.median_gap_interval(values, vec(by_route["odr"]), vec(by_route["traditional"])) or (None, None)
    adj_med, adj_med_ci = None, (None, None)
    if len(inc):
        adj_med = float(np.dot(w, (inc["median_traditional"] - inc["median_odr"]).to_numpy(dtype=float)))
        strata = [vec(by_route[r][by_route[r]["category"] == cat]) for cat in inc["category"]
                  for r in ("odr", "traditional")]
        boot = R._boot_medians(rng, values, np.vstack(strata), n_boot)
        adj_med_ci = R._ci(w @ (boot[1::2] - boot[0::2]))

    # settlement-rate gap over accepted complaints, Wilson-MOVER (stats.wilson_mover_difference)
    raw_set, raw_set_ci = None, (None, None)
    if rate["odr"] is not None and rate["traditional"] is not None:
        raw_set, lo, hi = R.wilson_mover_difference(by_route["odr"]["settled"].sum(), acc_r["odr"],
                                                    by_route["traditional"]["settled"].sum(), acc_r["traditional"])
        raw_set_ci = (lo, hi)
    adj_set, adj_set_ci = None, (None, None)
    inc_s = st[st["included_settled"]]
    if len(inc_s):
        adj_set, lo, hi = R.wilson_mover_difference(inc_s["n_settled_odr"], inc_s["accepted_odr"],
                                                    inc_s["n_settled_traditional"], inc_s["accepted_traditional"],
                                                    inc_s["weight_settled"])
        adj_set_ci = (lo, hi)

    summary = pd.DataFrame([
        {"metric": "median", "odr": med["odr"], "traditional": med["traditional"],
         "n_odr": n_r["odr"], "n_traditional": n_r["traditional"],
         "raw": raw_med, "raw_lo": raw_med_ci[0], "raw_hi": raw_med_ci[1],
         "adjusted": adj_med, "adj_lo": adj_med_ci[0], "adj_hi": adj_med_ci[1],
         "coverage": coverage, "strata": int(len(inc)), "excluded": 0},
        {"metric": "settled", "odr": rate["odr"], "traditional": rate["traditional"],
         "n_odr": acc_r["odr"], "n_traditional": acc_r["traditional"],
         "raw": raw_set, "raw_lo": raw_set_ci[0], "raw_hi": raw_set_ci[1],
         "adjusted": adj_set, "adj_lo": adj_set_ci[0], "adj_hi": adj_set_ci[1],
         "coverage": coverage_s, "strata": int(len(inc_s)),
         "excluded": n_r["traditional"] - acc_r["traditional"]},
    ])
    st = st[["category", "n_odr", "n_traditional", "median_odr", "median_traditional", "accepted_odr",
             "accepted_traditional", "settled_odr", "settled_traditional", "included", "weight",
             "included_settled", "weight_settled"]]
    return {"summary": summary, "strata": st}


def _weekly_frame(t, f: Filters) -> pd.DataFrame:
    weeks = B.weekly_complaints(t, f)[["week", "week_start", "partial"]]
    return weeks.merge(pd.DataFrame({"route": ["all", "odr", "traditional"]}), how="cross")


def _by_week_and_route(x: pd.DataFrame, agg) -> pd.DataFrame:
    """``agg`` (a groupby -> DataFrame function) per week, and per week and route ('all' = both)."""
    both = agg(x.groupby("week_start")).assign(route="all").reset_index()
    per = agg(x.groupby(["week_start", "route"])).reset_index()
    out = pd.concat([both, per], ignore_index=True)
    out["week_start"] = out["week_start"].dt.date
    return out


def weekly_quantiles(t, f: Filters, unit: str = "days") -> pd.DataFrame:
    R._unit(unit)
    c = complaints(t, f, cols=["received_date", "closed_date", "is_odr", _TIME_COL[unit]])
    x = pd.DataFrame({"week_start": _week_start(c["received_date"]), "route": _route(c),
                      "closed": c["closed_date"].notna(), "v": c[_TIME_COL[unit]].astype(float)})

    def agg(g):
        return pd.DataFrame({"complaints": g.size(), "closed": g["closed"].sum(),
                             "median": g["v"].quantile(0.5), "p90": g["v"].quantile(0.9)})

    out = _weekly_frame(t, f).merge(_by_week_and_route(x, agg), on=["week_start", "route"], how="left")
    for col in ("complaints", "closed"):
        out[col] = out[col].fillna(0).astype("int64")
    out["open"] = out["complaints"] - out["closed"]
    return out[["week", "week_start", "partial", "route", "complaints", "closed", "open", "median", "p90"]]


def category_quantiles(t, f: Filters, unit: str = "days") -> pd.DataFrame:
    d = _closed_times(t, f, unit)
    cols = ["category", "route", "closed", "p10", "q1", "median", "q3", "p90", "mean"]
    if not len(d):
        return pd.DataFrame(columns=cols)
    g = d.groupby(["category", "route"])["t"]
    df = g.quantile([0.1, 0.25, 0.5, 0.75, 0.9]).unstack()
    df.columns = ["p10", "q1", "median", "q3", "p90"]
    df.insert(0, "closed", g.size().astype("int64"))
    df["mean"] = g.mean()
    df = df.reset_index()
    df["_order"] = df["category"].map(d.groupby("category")["t"].median())
    df = df.sort_values(["_order", "category", "route"], ascending=[False, True, True]).drop(columns="_order")
    return df[cols].reset_index(drop=True)


def on_time_weekly(t, f: Filters) -> pd.DataFrame:
    c = complaints(t, f, cols=["received_date", "closed_date", "deadline_date", "is_odr"])
    closed = c["closed_date"].notna()
    x = pd.DataFrame({"week_start": _week_start(c["received_date"]), "route": _route(c),
                      "on_time": closed & (c["closed_date"] <= c["deadline_date"]),
                      "base": closed | (c["deadline_date"] < _ts(_as_of(t) or f.date_to))})

    def agg(g):
        return pd.DataFrame({"complaints": g.size(), "on_time": g["on_time"].sum(), "base": g["base"].sum()})

    out = _weekly_frame(t, f).merge(_by_week_and_route(x, agg), on=["week_start", "route"], how="left")
    for col in ("complaints", "on_time", "base"):
        out[col] = out[col].fillna(0).astype("int64")
    out["rate"] = out["on_time"].where(out["base"] > 0) / out["base"].where(out["base"] > 0)
    out["pending"] = out["complaints"] - out["base"]
    return out[["week", "week_start", "partial", "route", "complaints", "on_time", "base", "rate", "pending"]]


def acceptance_decisions(t, f: Filters) -> pd.DataFrame:
    ao = _ts(_as_of(t))
    c = complaints(t, f, cols=["district_code", "is_odr", "acceptance", "accepted_date", "closed_date",
                               "accept_deadline"])
    c = c[~c["is_odr"]]                                    # traditional complaints only
    rejected = (c["acceptance"] == "不予受理").fillna(False)
    decision = c["accepted_date"].where(~rejected, c["accepted_date"].fillna(c["closed_date"]))
    x = pd.DataFrame({"district_code": c["district_code"], "traditional": 1,
                      "decided": decision.notna(), "on_time": decision <= c["accept_deadline"],
                      "undecided": decision.isna(),
                      "undecided_late": decision.isna() & (c["accept_deadline"] < ao)})
    per = x.groupby("district_code", dropna=False).sum().reset_index()   # NULL district last
    per["is_total"] = False
    total = x.drop(columns="district_code").sum().to_frame().T.assign(district_code=None, is_total=True)
    df = pd.concat([per, total], ignore_index=True)
    df = df[["district_code", "is_total", "traditional", "decided", "on_time", "undecided", "undecided_late"]]
    for col in ("traditional", "decided", "on_time", "undecided", "undecided_late"):
        df[col] = df[col].astype("int64")
    df["is_total"] = df["is_total"].astype(bool)
    df["rate"] = df["on_time"].where(df["decided"] > 0) / df["decided"].where(df["decided"] > 0)
    if not (df["traditional"] > 0).any():
        return df.head(0)
    return df


def _overdue(c: pd.DataFrame, ao: pd.Timestamp) -> pd.DataFrame:
    return c[c["closed_date"].isna() & (c["deadline_date"] < ao)]


def overdue_open(t, f: Filters, *, all_periods: bool = False, limit: int = 5000) -> pd.DataFrame:
    ao = _ts(_as_of(t))
    wd = _wd_idx(t)
    c = _overdue(complaints(t, f, period=not all_periods, cols=[
        "district_code", "reg_no", "is_odr", "received_date", "category", "merchant_name", "acceptance",
        "deadline_date", "closed_date"]), ao)
    c = c.sort_values(["district_code", "received_date", "reg_no"]).head(int(limit))
    ao_idx = wd.get(ao, np.nan)
    return pd.DataFrame({
        "district_code": c["district_code"], "reg_no": c["reg_no"], "route": _route(c),
        "received_date": c["received_date"].dt.date, "category": c["category"],
        "merchant_name": c["merchant_name"], "acceptance": c["acceptance"],
        "deadline_date": c["deadline_date"].dt.date,
        "age_days": (ao - c["received_date"]).dt.days,
        "age_wdays": ao_idx - c["received_date"].map(wd),
        "overdue_wdays": ao_idx - c["deadline_date"].map(wd),
    }).reset_index(drop=True)


def overdue_open_count(t, f: Filters, *, all_periods: bool = False) -> int:
    return len(_overdue(complaints(t, f, period=not all_periods, cols=["closed_date", "deadline_date"]),
                        _ts(_as_of(t))))


def deadline_by_district(t, f: Filters) -> pd.DataFrame:
    dist = B.district_summary(t, f)[["code", "name", "short_name", "name_en", "complaints",
                                     "on_time", "on_time_base", "on_time_rate"]]
    acc_cols = ["code", "accept_decided", "accept_on_time", "accept_rate", "accept_undecided_late"]
    acc = acceptance_decisions(t, f)
    acc = acc[~acc["is_total"]].rename(columns={
        "district_code": "code", "decided": "accept_decided", "on_time": "accept_on_time",
        "rate": "accept_rate", "undecided_late": "accept_undecided_late"})
    out = dist.merge(acc[acc_cols] if len(acc) else pd.DataFrame(columns=acc_cols), on="code", how="left")
    od = _overdue(complaints(t, f, cols=["district_code", "closed_date", "deadline_date"]),
                  _ts(_as_of(t)))["district_code"].value_counts()
    out["overdue_open"] = out["code"].map(od).fillna(0).astype("int64")
    for col in ("accept_decided", "accept_on_time", "accept_undecided_late"):
        out[col] = pd.to_numeric(out[col]).fillna(0).astype("int64")
    out["accept_rate"] = pd.to_numeric(out["accept_rate"])
    return out


def calendar_notice(t, f: Filters) -> dict:
    c = complaints(t, f, cols=["received_date", "closed_date", "deadline_date"])
    rd = c["received_date"]
    hi = pd.concat([rd, c["closed_date"].fillna(rd), c["deadline_date"].fillna(rd)]).max()
    hi = None if pd.isna(hi) else hi.date()
    ao = _as_of(t)
    start = f.date_from
    end = max(d for d in (f.date_to, hi, ao) if d is not None)
    cal = calendar(t)
    years = sorted(int(y) for y in
                   cal.loc[~cal["known"] & cal["d"].between(_ts(start), _ts(end)), "d"].dt.year.unique())
    cal_end = cal["d"].max().date() if len(cal) else None
    if cal_end is None or end > cal_end:
        first = (cal_end.year + 1) if cal_end else start.year
        years = sorted(set(years) | set(range(max(first, start.year), end.year + 1)))
    now_unknown = set(workdays.unknown_years(start, end))
    return {"years": years, "fixed_in_file": [y for y in years if y not in now_unknown],
            "start": start, "end": end}


BASELINES = {
    "analytics.trends.volume_series": volume_series,
    "analytics.trends.calendar_events": calendar_events,
    "analytics.trends.unknown_calendar_years": unknown_calendar_years,
    "analytics.trends.weekly_stats": weekly_stats,
    "analytics.trends.week_detail": week_detail,
    "analytics.trends.week_contributors": week_contributors,
    "analytics.resolution.time_counts": time_counts,
    "analytics.resolution.km_curves": km_curves,
    "analytics.resolution.km_summary": km_summary,
    "analytics.resolution.route_gap": route_gap,
    "analytics.resolution.weekly_quantiles": weekly_quantiles,
    "analytics.resolution.category_quantiles": category_quantiles,
    "analytics.resolution.on_time_weekly": on_time_weekly,
    "analytics.resolution.acceptance_decisions": acceptance_decisions,
    "analytics.resolution.overdue_open": overdue_open,
    "analytics.resolution.overdue_open_count": overdue_open_count,
    "analytics.resolution.deadline_by_district": deadline_by_district,
    "analytics.resolution.calendar_notice": calendar_notice,
}

from bench import baselines as B  # noqa: E402  (see the note at the top)


class Tables(B.Tables):
    """bench.baselines.Tables plus the calendar table (d as datetime64)."""

    def __init__(self, con):
        super().__init__(con)
        self.calendar = _load_calendar(con)

    def memory_bytes(self) -> int:
        return super().memory_bytes() + int(self.calendar.memory_usage(deep=True).sum())
