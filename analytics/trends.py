"""Case volume over time: series by interval and breakdown, weekly statistics with a
seasonality-aware expected band, calendar context, and the composition of one week.

Definitions (METRICS.md): a complaint belongs to the bucket of its received date; weeks are ISO
weeks labelled ``YYYY-Www`` by ISO year; a bucket the data ([first received date, as-of]) or the
period covers only partly is *partial* and is never compared as if it were whole.

Expected band of a week t (method shown on the page; the model and its constants are in
analytics/stats.py, section "expected-week model"): E = recent level × calendar factor × seasonal
term, the seasonal term learnt from every earlier year (holidays aligned by the holiday) and
shrunk toward 1; the week's count is predicted by a negative binomial with quasi-Poisson
overdispersion and the uncertainty of the estimated level and seasonal term. A whole week whose
count is outside its 99% prediction band (FLAG_CONF) is flagged ``high`` / ``low``; on data with
no unusual week about 1% of weeks or fewer are flagged (tests/test_trends_model.py). A week
without enough history (fewer than 6 of the 16 earlier weeks whole and non-event, or its ISO week / holiday
week never seen in an earlier year) has no band and is never flagged. Partial weeks are not
flagged.
"""
from __future__ import annotations

import datetime as dt
import math
import pandas as pd

from . import stats
from .db import query
from .filters import Filters, complaint_where
from .queries import agg_usable, agg_where, data_coverage

INTERVALS = ("day", "week", "month", "quarter")
# Breakdown name -> SQL expression over complaints c. The only expressions a breakdown may use.
BREAKDOWNS = {
    "total": "'total'",
    "route": "CASE WHEN c.is_odr THEN 'odr' ELSE 'traditional' END",
    "channel": "c.channel",
    "object_class": "c.object_class",
    "category": "c.category",
    "problem": "c.problem",
    "district": "c.district_code",
}
DIMENSIONS = {**{k: v for k, v in BREAKDOWNS.items() if k != "total"}, "merchant": "c.merchant_name"}
OTHER = "_other"      # series key of the values beyond the top N
MISSING = "_missing"  # value not recorded

# --- fast path: complaint counts per day, district, route (and one more dimension) ----------------
# agg_trend_days: one row per received date, district and route; agg_trend_<dim>: the same split
# further by the value of <dim>. Counts of complaints (appeal type 投诉); NULL values kept as NULL.
# At 10M complaints: days ~10k rows, channel ~90k, object_class ~20k, category ~170k, problem ~150k.
_AGG_DIMS = ("channel", "object_class", "category", "problem")
_AGG_SQL = """
    CREATE OR REPLACE TABLE {table} AS
    SELECT c.received_date, c.district_code, c.is_odr{value}, count(*)::BIGINT AS n
    FROM complaints c WHERE c.appeal_type = '投诉'
    GROUP BY ALL ORDER BY c.received_date
"""
AGGREGATES = {"agg_trend_days": _AGG_SQL.format(table="agg_trend_days", value=""),
              **{f"agg_trend_{d}": _AGG_SQL.format(table=f"agg_trend_{d}", value=f", c.{d} AS value")
                 for d in _AGG_DIMS}}
# agg_trend_merchant_weeks: complaints per ISO week, merchant (value, ``_missing`` when not
# recorded), district and route, for the "busy" merchants only: those with at least _BUSY
# complaints in some ISO week; every week of theirs is kept, so their counts are exact. Any other
# merchant has fewer than _BUSY complaints in every week, which bounds what it can contribute.
# At 10M complaints: ~3k merchants, ~290k rows.
_BUSY = 9
_MERCHANT_VALUE = f"coalesce(CAST({DIMENSIONS['merchant']} AS VARCHAR), '{MISSING}')"
AGGREGATES["agg_trend_merchant_weeks"] = f"""
    CREATE OR REPLACE TABLE agg_trend_merchant_weeks AS
    WITH w AS (
        SELECT date_trunc('week', c.received_date)::DATE AS week_start, {_MERCHANT_VALUE} AS value,
               c.district_code, c.is_odr, count(*)::BIGINT AS n
        FROM complaints c WHERE c.appeal_type = '投诉' GROUP BY ALL
    ), busy AS (SELECT value FROM w GROUP BY value, week_start HAVING sum(n) >= {_BUSY})
    SELECT * FROM w WHERE value IN (SELECT value FROM busy) ORDER BY week_start, value
"""
# Breakdown or dimension name -> (aggregate table, value expression over its alias a).
_AGG_SOURCES = {
    "total": ("agg_trend_days", BREAKDOWNS["total"]),
    "route": ("agg_trend_days", "CASE WHEN a.is_odr THEN 'odr' ELSE 'traditional' END"),
    "district": ("agg_trend_days", "a.district_code"),
    **{d: (f"agg_trend_{d}", "a.value") for d in _AGG_DIMS},
}


def _counts_source(con, f: Filters, name: str, fast: bool, *, period: bool = True) -> tuple[str, str, str, tuple]:
    """(FROM clause, value expression, count expression, WHERE clause + its params) selecting the
    complaints of ``f`` grouped by breakdown/dimension ``name``: the aggregate table when it can
    answer (``fast``, filters on period, districts and route only, table current), else complaints.
    The count expression is an aggregate: ``count(*)`` or ``sum(n)``; wrap it in
    ``coalesce(..., 0)`` where it may run over no rows with a FILTER."""
    if fast and name in _AGG_SOURCES and agg_usable(con, f):
        table, expr = _AGG_SOURCES[name]
        where, params = agg_where(f, period=period)
        return f"{table} a", expr, "sum(a.n)", (where, params)
    expr = BREAKDOWNS.get(name) or DIMENSIONS[name]
    return "complaints c", expr, "count(*)", complaint_where(f, period=period)

# the expected-week model and its constants live in analytics/stats.py (WEEK_*)
FLAG_CONF = stats.WEEK_FLAG_CONF    # the level a week is flagged at (outside its 99% prediction band)
HISTORY_YEARS = 5                   # earlier years read for the seasonal terms (the model uses them all)

EVENTS = ("w315", "spring_festival", "may_day", "national_day")
_HOLIDAY_EVENT = {"Spring Festival": "spring_festival", "Labour Day": "may_day",
                  "National Day": "national_day"}


def monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def week_label(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def _bucket_start(d: dt.date, interval: str) -> dt.date:
    if interval == "day":
        return d
    if interval == "week":
        return monday(d)
    if interval == "month":
        return d.replace(day=1)
    return dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _bucket_next(d: dt.date, interval: str) -> dt.date:
    if interval == "day":
        return d + dt.timedelta(days=1)
    if interval == "week":
        return d + dt.timedelta(days=7)
    months = 1 if interval == "month" else 3
    m = d.month - 1 + months
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


def bucket_label(d: dt.date, interval: str) -> str:
    if interval == "day":
        return d.isoformat()
    if interval == "week":
        return week_label(d)
    if interval == "month":
        return f"{d.year}-{d.month:02d}"
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def buckets(lo: dt.date, hi: dt.date, interval: str) -> list[tuple[dt.date, dt.date]]:
    """(start, end) of every bucket overlapping [lo, hi]."""
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}")
    out, s = [], _bucket_start(lo, interval)
    while s <= hi:
        n = _bucket_next(s, interval)
        out.append((s, n - dt.timedelta(days=1)))
        s = n
    return out


def _coverage(con, f: Filters):
    """(lo, hi, first, as_of): the part of the period the data covers, and the data's span."""
    first, as_of = data_coverage(con)
    if first is None:
        return None, None, None, None
    return max(f.date_from, first), min(f.date_to, as_of), first, as_of


# --- series ------------------------------------------------------------------------------------

def volume_series(con, f: Filters, interval: str = "week", breakdown: str = "total",
                  top_n: int = 6, *, fast: bool = True) -> pd.DataFrame:
    """Complaints per bucket (day, ISO week, month, quarter) and breakdown value.

    Grain: one row per bucket overlapping the covered part of the period (the period ∩ [first
    received date, as-of]) and series; zero rows included. Columns: bucket (label: 2024-03-11,
    2024-W11, 2024-03, 2024-Q1), bucket_start, bucket_end (dates), series (breakdown value; the
    values beyond the ``top_n`` largest over the period are summed into ``_other``, a missing
    value is ``_missing``; ``total`` without breakdown), complaints (count of complaints received
    in the bucket and the period), days (days in the bucket), covered_days (days of the bucket
    inside the period and the data), partial (covered_days < days). ``fast=False`` forces the
    query on complaints instead of the aggregate tables."""
    if breakdown not in BREAKDOWNS:
        raise ValueError(f"breakdown must be one of {list(BREAKDOWNS)}")
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}")
    cols = ["bucket", "bucket_start", "bucket_end", "series", "complaints", "days", "covered_days", "partial"]
    lo, hi, _, _ = _coverage(con, f)
    if lo is None or lo > hi:
        return pd.DataFrame(columns=cols)
    src, expr, n, (where, params) = _counts_source(con, f, breakdown, fast)
    daily = query(con, f"""
        SELECT received_date AS d, coalesce(CAST({expr} AS VARCHAR), '{MISSING}') AS series,
               {n}::BIGINT AS complaints
        FROM {src} WHERE {where} GROUP BY 1, 2""", params)
    bks = buckets(lo, hi, interval)
    frame = pd.DataFrame({"bucket_start": [b[0] for b in bks], "bucket_end": [b[1] for b in bks]})
    frame["bucket"] = [bucket_label(s, interval) for s in frame["bucket_start"]]
    frame["days"] = [(e - s).days + 1 for s, e in bks]
    frame["covered_days"] = [(min(e, hi) - max(s, lo)).days + 1 for s, e in bks]
    frame["partial"] = frame["covered_days"] < frame["days"]
    if len(daily):
        daily["d"] = pd.to_datetime(daily["d"]).dt.date
        daily["bucket_start"] = [_bucket_start(d, interval) for d in daily["d"]]
        totals = daily.groupby("series", as_index=False)["complaints"].sum()
        totals = totals.sort_values(["complaints", "series"], ascending=[False, True], kind="stable")
        keep = list(totals["series"])
        if len(keep) > top_n + 1:
            keep = keep[:top_n]
            daily["series"] = daily["series"].where(daily["series"].isin(keep), OTHER)
            keep.append(OTHER)
        agg = daily.groupby(["bucket_start", "series"], as_index=False)["complaints"].sum()
    else:
        keep = ["total"] if breakdown == "total" else []
        agg = pd.DataFrame(columns=["bucket_start", "series", "complaints"])
    if not keep:
        return pd.DataFrame(columns=cols)
    grid = frame.merge(pd.DataFrame({"series": keep}), how="cross")
    out = grid.merge(agg, on=["bucket_start", "series"], how="left")
    out["complaints"] = out["complaints"].fillna(0).astype(int)
    order = {s: i for i, s in enumerate(keep)}
    out["_o"] = out["series"].map(order)
    out = out.sort_values(["bucket_start", "_o"]).drop(columns="_o").reset_index(drop=True)
    return out[cols]


# --- calendar context -----------------------------------------------------------------------

def calendar_events(con, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """Calendar context overlapping [date_from, date_to]: the 3·15 week (ISO week containing
    15 March) of every year and the official Spring Festival, May Day and National Day holidays
    (consecutive official holiday days; a Mid-autumn holiday adjoining National Day is part of
    it, as in 2023).

    Grain: one row per occurrence. Columns: event (w315, spring_festival, may_day,
    national_day), year (the event's year), start, end (dates, inclusive)."""
    lo, hi = date_from - dt.timedelta(days=10), date_to + dt.timedelta(days=10)
    days = query(con, """
        SELECT d, holiday FROM calendar
        WHERE d BETWEEN ? AND ? AND NOT is_workday
          AND holiday IN ('Spring Festival', 'Labour Day', 'National Day', 'Mid-autumn Festival')
        ORDER BY d""", [lo, hi])
    out = []
    block: list = []

    def close(block):
        names = {h for _, h in block}
        for name, ev in _HOLIDAY_EVENT.items():
            if name in names:
                out.append((ev, block[0][0].year, block[0][0], block[-1][0]))
                return

    for d, h in days.itertuples(index=False):
        d = pd.Timestamp(d).date()
        if block and (d - block[-1][0]).days > 1:
            close(block)
            block = []
        block.append((d, h))
    if block:
        close(block)
    for y in range(lo.year, hi.year + 1):
        s = monday(dt.date(y, 3, 15))
        out.append(("w315", y, s, s + dt.timedelta(days=6)))
    df = pd.DataFrame(out, columns=["event", "year", "start", "end"])
    df = df[(df["end"] >= date_from) & (df["start"] <= date_to)]
    return df.sort_values(["start", "event"]).reset_index(drop=True)


def unknown_calendar_years(con, date_from: dt.date, date_to: dt.date) -> list[int]:
    """Years in [date_from, date_to] without a known official holiday calendar."""
    df = query(con, """SELECT DISTINCT year(d) AS y FROM calendar
                       WHERE d BETWEEN ? AND ? AND NOT known ORDER BY 1""", [date_from, date_to])
    return [int(y) for y in df["y"]]


def event_keys(events: pd.DataFrame) -> dict[dt.date, tuple[str, int]]:
    """Week start -> (event key, event year) for event weeks: every ISO week a holiday overlaps
    (``spring_festival0``, ``spring_festival1`` …) and the week after it, and the 3·15 week
    (``w315``). Priority when two events share a week: 3·15 > Spring Festival > National Day >
    May Day."""
    keys: dict[dt.date, tuple[str, int]] = {}
    for ev in ("may_day", "national_day", "spring_festival", "w315"):
        for r in events[events["event"] == ev].itertuples():
            w0, w1 = monday(r.start), monday(r.end)
            if ev == "w315":
                keys[w0] = ("w315", int(r.year))
                continue
            i, w = 0, w0
            while w <= w1 + dt.timedelta(days=7):
                keys[w] = (f"{ev}{i}", int(r.year))
                w += dt.timedelta(days=7)
                i += 1
    return keys


# --- weekly statistics ----------------------------------------------------------------------

def week_positions(week_starts, keys: dict) -> tuple[list[str], list[bool]]:
    """Seasonal position of each week for the expected-week model: its event key when it is an
    event week (holidays aligned by the holiday, not by the week number), else its ISO week
    ``Www`` (week 53 counts as W52); and whether it is an event week."""
    pos, ev = [], []
    for s in week_starts:
        k = keys.get(s)
        if k:
            pos.append(k[0])
            ev.append(True)
        else:
            pos.append(f"W{min(s.isocalendar()[1], 52):02d}")
            ev.append(False)
    return pos, ev


def model_weeks(counts: dict, first: dt.date, as_of: dt.date, h_from: dt.date, keys: dict, workday: dict,
                targets) -> tuple[dict, dict, list, pd.DataFrame]:
    """The expected-week model on daily counts: (hist, whole, week starts, model).

    ``counts``: complaints per date from ``h_from`` to ``as_of``; ``first``: the data's first
    date; ``keys``: :func:`event_keys`; ``workday``: date -> official working day (a date it lacks
    is a working day when Monday–Friday); ``targets``: start dates of the weeks to judge (those
    that are not whole in the data are left out). hist / whole: week start -> count / covered
    fully by the data. model: :func:`analytics.stats.week_model` indexed by week position, with
    lower and upper (the FLAG_CONF band) and rest_day_ratio (ρ)."""
    hist: dict[dt.date, int] = {}
    whole: dict[dt.date, bool] = {}
    w = monday(h_from)
    while w <= as_of:
        hist[w] = sum(counts.get(w + dt.timedelta(days=i), 0) for i in range(7))
        whole[w] = w >= first and w + dt.timedelta(days=6) <= as_of
        w += dt.timedelta(days=7)
    # calendar factor of every week: working days per the official calendar; ρ from the daily
    # counts of the days the data covers
    sums = [0, 0, 0, 0]                     # workday count, other count, workdays, other days
    d = h_from
    while d <= as_of:
        k = 0 if workday.get(d, d.weekday() < 5) else 1
        sums[k] += counts.get(d, 0)
        sums[2 + k] += 1
        d += dt.timedelta(days=1)
    rho = stats.rest_day_ratio(*sums)
    hweeks = list(hist)
    nwd = [sum(workday.get(x + dt.timedelta(days=i), i < 5) for i in range(7)) for x in hweeks]
    factor = stats.calendar_factor(nwd, [7 - k for k in nwd], rho)
    at = {x: i for i, x in enumerate(hweeks)}
    pos, ev = week_positions(hweeks, keys)
    idx = [at[s] for s in targets if s in at and whole[s]]
    model = stats.week_model([hist[x] for x in hweeks], [whole[x] for x in hweeks], pos, ev, idx, factor)
    model = model.set_index("index")
    lower, upper = stats.week_band(model["expected"].to_numpy(), model["dispersion"].to_numpy(),
                                   model["log_var"].to_numpy(), FLAG_CONF)
    model["lower"], model["upper"], model["rest_day_ratio"] = lower, upper, rho
    return hist, whole, hweeks, model


def weekly_stats(con, f: Filters, *, fast: bool = True) -> pd.DataFrame:
    """Per ISO week of the period: count, comparisons and the expected band.

    Grain: one row per ISO week overlapping the covered part of the period. History before the
    period (up to HISTORY_YEARS years) is read for comparisons and the model, with the same
    filters except the period. Columns: week (label), week_start, week_end, iso_year, iso_week,
    complaints (received in the week and the period), days_covered, partial (bool), event (event
    key of the week, '' for none); comparisons, null for partial weeks or when the other week is
    not whole: previous_week (count of the week before), wow_change, wow_pct (fraction),
    last_year_week (label of ISO week w of year Y−1), last_year, yoy_change, yoy_pct, ma4 (mean of
    this and the 3 previous whole weeks); the expected-week model (analytics.stats.week_model):
    level (count per ordinary week of the level weeks), calendar (the week's calendar factor),
    rest_day_ratio (ρ), dispersion (φ) — these three also for a week whose seasonal term is unknown —, seasonal_raw, seasonal_index (S, shrunk),
    shrinkage, seasonal_refs (earlier weeks in the same position), expected (E), log_var, lower,
    upper (the FLAG_CONF prediction band, whole counts), null without a band; flag (high / low /
    ''), history ('' with a band; for a whole week without one, why: few_weeks, no_earlier_year,
    event_one_year — "not enough history"; '' for partial weeks), baseline (comma-separated start
    dates of the weeks in the level). ``fast=False`` forces the query on complaints instead of the
    aggregate tables."""
    lo, hi, first, as_of = _coverage(con, f)
    cols = ["week", "week_start", "week_end", "iso_year", "iso_week", "complaints", "days_covered",
            "partial", "event", "previous_week", "wow_change", "wow_pct", "last_year_week", "last_year",
            "yoy_change", "yoy_pct", "ma4", "level", "calendar", "rest_day_ratio", "dispersion", "seasonal_raw", "seasonal_index", "shrinkage",
            "seasonal_refs", "expected", "log_var", "lower", "upper", "flag", "history", "baseline"]
    if lo is None or lo > hi:
        return pd.DataFrame(columns=cols)
    h_from = max(first, monday(lo) - dt.timedelta(weeks=HISTORY_YEARS * 53 + stats.WEEK_PHI_WEEKS
                                                   + stats.WEEK_LEVEL_LOOKBACK + 2))
    src, _, n, (where, params) = _counts_source(con, f, "total", fast, period=False)
    daily = query(con, f"""
        SELECT received_date AS d, {n}::BIGINT AS n FROM {src}
        WHERE {where} AND received_date BETWEEN ? AND ? GROUP BY 1""", params + [h_from, as_of])
    counts: dict[dt.date, int] = {}
    for d, n in daily.itertuples(index=False):
        counts[pd.Timestamp(d).date()] = int(n)

    keys = event_keys(calendar_events(con, monday(h_from), as_of))
    cal = query(con, "SELECT d, is_workday FROM calendar WHERE d BETWEEN ? AND ?", [monday(h_from), as_of])
    workday = {pd.Timestamp(d).date(): bool(x) for d, x in cal.itertuples(index=False)}
    period = buckets(lo, hi, "week")
    targets = [s for s, e in period if (s, e) == (max(s, lo), min(e, hi))]
    hist, whole, hweeks, model = model_weeks(counts, first, as_of, h_from, keys, workday, targets)
    at = {x: i for i, x in enumerate(hweeks)}
    week = dt.timedelta(days=7)

    def hwhole(x):
        return whole.get(x, False)

    rows = []
    for s, e in period:
        n = sum(counts.get(d, 0) for d in pd.date_range(max(s, lo), min(e, hi)).date)
        cov = (min(e, hi) - max(s, lo)).days + 1
        part = cov < 7
        y, wn, _ = s.isocalendar()
        r = {"week": week_label(s), "week_start": s, "week_end": e, "iso_year": y, "iso_week": wn,
             "complaints": n, "days_covered": cov, "partial": part, "event": keys.get(s, ("",))[0]}
        if not part:
            p = s - week
            if hwhole(p):
                r["previous_week"] = hist[p]
                r["wow_change"] = n - hist[p]
                r["wow_pct"] = (n - hist[p]) / hist[p] if hist[p] else None
            try:
                ly = dt.date.fromisocalendar(y - 1, wn, 1)
            except ValueError:
                ly = None
            if ly is not None:
                r["last_year_week"] = week_label(ly)
                if hwhole(ly):
                    r["last_year"] = hist[ly]
                    r["yoy_change"] = n - hist[ly]
                    r["yoy_pct"] = (n - hist[ly]) / hist[ly] if hist[ly] else None
            prev3 = [s - k * week for k in (1, 2, 3)]
            if all(hwhole(x) for x in prev3):
                r["ma4"] = (n + sum(hist[x] for x in prev3)) / 4
        i = at.get(s)
        if i is not None and i in model.index:
            m = model.loc[i]
            r.update(history=m["history"], baseline=",".join(hweeks[j].isoformat() for j in m["level_weeks"]))
            if m["history"] != stats.NO_BAND_FEW_WEEKS:     # a level even when the seasonal term is unknown
                r.update(level=m["level"], calendar=m["calendar"], dispersion=m["dispersion"])
            if not m["history"]:
                r.update(rest_day_ratio=m["rest_day_ratio"])
                r.update({c: m[c] for c in ("level", "calendar", "dispersion", "seasonal_raw", "seasonal_index", "shrinkage",
                                            "seasonal_refs", "expected", "log_var", "lower", "upper")},
                         flag=stats.week_flag(n, m["lower"], m["upper"]))
        rows.append(r)
    df = pd.DataFrame(rows).reindex(columns=cols)
    for c in ("flag", "history", "baseline", "last_year_week"):
        df[c] = df[c].astype(object).fillna("").astype(str)
    for c in ("previous_week", "wow_change", "wow_pct", "last_year", "yoy_change", "yoy_pct", "ma4", "level",
              "calendar", "rest_day_ratio", "dispersion", "seasonal_raw", "seasonal_index", "shrinkage", "seasonal_refs", "expected", "log_var",
              "lower", "upper"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    return df


def expected_week(con, f: Filters, week_start: dt.date, *, fast: bool = True) -> pd.DataFrame:
    """The :func:`weekly_stats` row of the ISO week starting on (the Monday of) ``week_start``, judged
    as a whole week whatever the period of ``f`` (the overview's latest-week comparison): one row,
    or none when the data does not cover the week."""
    ws = monday(week_start)
    return weekly_stats(con, f.with_(date_from=ws, date_to=ws + dt.timedelta(days=6)), fast=fast)


# --- one week ---------------------------------------------------------------------------------

_DETAIL_COLS = ["value", "complaints", "share", "previous_week", "change_previous", "baseline_weekly",
                "expected", "change_expected"]
_DETAIL_ORDER = "complaints DESC, previous_week DESC, value"   # value is unique: a total order
_CONTRIBUTION_BY = ("change_expected", "change_previous")


class _Week:
    """The dates of a week_detail question: the week [ws, we], its part in the period [a, b], the
    week before [ps, pe], the baseline week starts and the first day read (lo)."""

    def __init__(self, f: Filters, week_start: dt.date, baseline: tuple):
        self.ws = monday(week_start)
        self.we = self.ws + dt.timedelta(days=6)
        self.a, self.b = max(self.ws, f.date_from), min(self.we, f.date_to)
        self.ps, self.pe = self.ws - dt.timedelta(days=7), self.ws - dt.timedelta(days=1)
        self.base = sorted({monday(dt.date.fromisoformat(str(x))) for x in baseline if str(x)})
        self.lo = min([self.ps] + self.base)

    def in_base(self, week_start_sql: str) -> str:
        return f"{week_start_sql} IN ({', '.join('?' for _ in self.base)})" if self.base else "FALSE"


def _counts_sql(con, f: Filters, w: _Week, name: str, fast: bool, *, only: int = 0) -> tuple[str, list]:
    """Per value of ``name``: complaints (in the week and the period), previous_week, baseline_total;
    ``only``: restricted to the values bound as that many extra parameters (appended by the caller)."""
    src, expr, n, (where, params) = _counts_source(con, f, name, fast, period=False)
    value = f"coalesce(CAST({expr} AS VARCHAR), '{MISSING}')"
    restrict = f" AND {value} IN ({', '.join('?' for _ in range(only))})" if only else ""
    sql = f"""
        SELECT {value} AS value,
               coalesce({n} FILTER (WHERE received_date BETWEEN ? AND ?), 0)::BIGINT AS complaints,
               coalesce({n} FILTER (WHERE received_date BETWEEN ? AND ?), 0)::BIGINT AS previous_week,
               coalesce({n} FILTER (WHERE {w.in_base("date_trunc('week', received_date)::DATE")}), 0)::BIGINT
                   AS baseline_total
        FROM {src} WHERE {where} AND received_date BETWEEN ? AND ?{restrict}
        GROUP BY 1"""
    return sql, [w.a, w.b, w.ps, w.pe] + w.base + params + [w.lo, w.we]


def _busy_counts_sql(f: Filters, w: _Week) -> tuple[str, list]:
    """:func:`_counts_sql` for merchants, the busy ones only, from agg_trend_merchant_weeks (every
    week of a busy merchant is there). The week's counts come from complaints when the period
    cuts the week."""
    awhere, aparams = agg_where(f, period=False)
    whole = (w.a, w.b) == (w.ws, w.we)
    other = f"""
            SELECT a.value, sum(a.n) FILTER (WHERE a.week_start = ?) AS complaints,
                   sum(a.n) FILTER (WHERE a.week_start = ?) AS previous_week,
                   sum(a.n) FILTER (WHERE {w.in_base("a.week_start")}) AS baseline_total
            FROM agg_trend_merchant_weeks a WHERE {awhere} AND a.week_start BETWEEN ? AND ? GROUP BY 1"""
    oparams = [w.ws, w.ps] + w.base + aparams + [w.lo, w.ws]
    if whole:
        sql = f"""
        SELECT value, coalesce(complaints, 0)::BIGINT AS complaints, coalesce(previous_week, 0)::BIGINT AS previous_week,
               coalesce(baseline_total, 0)::BIGINT AS baseline_total
        FROM ({other})"""
        return sql, oparams
    cwhere, cparams = complaint_where(f, period=False)
    sql = f"""
        WITH wk AS (
            SELECT {_MERCHANT_VALUE} AS value, count(*) AS n FROM complaints c
            WHERE {cwhere} AND c.received_date BETWEEN ? AND ? GROUP BY 1
        ), other AS ({other})
        SELECT value, coalesce(wk.n, 0)::BIGINT AS complaints,
               coalesce(other.previous_week, 0)::BIGINT AS previous_week,
               coalesce(other.baseline_total, 0)::BIGINT AS baseline_total
        FROM other LEFT JOIN wk USING (value)"""
    return sql, cparams + [w.a, w.b] + oparams


def _detail_sql(con, f: Filters, w: _Week, counts: tuple[str, list], expected_total: float | None,
                fast: bool) -> tuple[str, list]:
    """SELECT (unordered) of the rows of :func:`week_detail` from ``counts`` (SQL and parameters of
    value, complaints, previous_week, baseline_total), and its parameters. Totals come from all
    complaints of the filters, so ``counts`` may be a subset of the values. The derived columns use
    the double arithmetic pandas would: share = c / Σc, baseline_weekly = b / weeks, expected =
    (E × b) / Σb, change_expected = c − expected."""
    src, _, n, (where, params) = _counts_source(con, f, "total", fast, period=False)
    e = None if expected_total is None or math.isnan(expected_total) else float(expected_total)
    sql = f"""
        WITH k AS ({counts[0]}
        ), v AS (
            SELECT * FROM k WHERE complaints > 0 OR previous_week > 0 OR baseline_total > 0
        ), t AS (
            SELECT nullif({n} FILTER (WHERE received_date BETWEEN ? AND ?), 0)::DOUBLE AS total,
                   nullif({n} FILTER (WHERE {w.in_base("date_trunc('week', received_date)::DATE")}), 0)::DOUBLE
                       AS btotal
            FROM {src} WHERE {where} AND received_date BETWEEN ? AND ?
        ), d AS (
            SELECT v.value, v.complaints, v.complaints::DOUBLE / t.total AS share, v.previous_week,
                   v.complaints - v.previous_week AS change_previous,
                   v.baseline_total::DOUBLE / ?::DOUBLE AS baseline_weekly,
                   ?::DOUBLE * v.baseline_total::DOUBLE / t.btotal AS expected
            FROM v, t
        )
        SELECT {', '.join(_DETAIL_COLS[:-1])}, complaints::DOUBLE - expected AS change_expected FROM d"""
    return sql, counts[1] + [w.a, w.b] + w.base + params + [w.lo, w.we, len(w.base) or None, e]


def _ranked(con, f: Filters, week_start: dt.date, dimension: str, baseline: tuple,
            expected_total: float | None, fast: bool, cond: str, order: str, limit: int | None,
            bound: str | None) -> pd.DataFrame:
    """The rows of week_detail meeting ``cond``, in ``order``, the first ``limit``.

    Merchants (hundreds of thousands a week at national scale) take a shortcut when ``bound`` names
    the column ``order`` ranks by first, descending, and that column is at most a merchant's
    complaints of the week: the busy merchants are ranked from agg_trend_merchant_weeks; any other
    merchant has fewer than _BUSY complaints in the week, so when the last row's ``bound`` exceeds
    _BUSY − 1 none can enter the list. Otherwise the non-busy merchants with enough complaints in the
    week are read from complaints and ranked with them; a list with fewer than ``limit`` rows, or
    ending at 0, is answered by the plain query."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {list(DIMENSIONS)}")
    w = _Week(f, week_start, baseline)
    tail = f" WHERE {cond} ORDER BY {order}" + (" LIMIT ?" if limit is not None else "")
    lim = [int(limit)] if limit is not None else []

    def run(counts):
        sql, params = _detail_sql(con, f, w, counts, expected_total, fast)
        return query(con, f"SELECT * FROM ({sql}){tail}", params + lim)[_DETAIL_COLS].reset_index(drop=True)

    if (dimension == "merchant" and bound and limit and fast and agg_usable(con, f)):
        busy = _busy_counts_sql(f, w)
        df = run(busy)
        theta = float(df[bound].iloc[-1]) if len(df) == limit else 0.0
        if theta > 0:
            if theta > _BUSY - 1:
                return df
            cwhere, cparams = complaint_where(f, period=False)
            extra = [v for (v,) in query(con, f"""
                SELECT {_MERCHANT_VALUE} AS value FROM complaints c
                WHERE {cwhere} AND c.received_date BETWEEN ? AND ? GROUP BY 1 HAVING count(*) >= ?
                EXCEPT SELECT value FROM agg_trend_merchant_weeks""",
                cparams + [w.a, w.b, theta]).itertuples(index=False)]
            if not extra:
                return df
            sql, params = _counts_sql(con, f, w, dimension, False, only=len(extra))
            return run((f"{busy[0]} UNION ALL {sql}", busy[1] + params + extra))
    return run(_counts_sql(con, f, w, dimension, fast))


def week_detail(con, f: Filters, week_start: dt.date, dimension: str, baseline: tuple = (),
                expected_total: float | None = None, *, limit: int | None = None,
                fast: bool = True) -> pd.DataFrame:
    """Composition of one ISO week by ``dimension`` and its change.

    Grain: one row per value of the dimension seen in the week, the week before or the baseline
    weeks. Columns: value (``_missing`` when not recorded), complaints (received in the week and
    the period), share (fraction of the week's complaints), previous_week (count in the week
    before, whole, period ignored), change_previous, baseline_weekly (mean count per baseline
    week; ``baseline`` = start dates of the weeks in the recent level), expected
    (``expected_total`` × the value's share of the baseline), change_expected (complaints −
    expected). Sorted by complaints, previous_week (both descending), value. ``limit``: only the
    first rows (merchants run into hundreds of thousands). ``fast=False`` forces the queries on
    complaints instead of the aggregate tables."""
    return _ranked(con, f, week_start, dimension, baseline, expected_total, fast, "TRUE", _DETAIL_ORDER,
                   limit, "complaints")


def week_contributors(con, f: Filters, week_start: dt.date, dimension: str, baseline: tuple,
                      expected_total: float | None, direction: str, by: str = "change_expected",
                      n: int = 5, *, fast: bool = True) -> pd.DataFrame:
    """``top_contributors(week_detail(...), direction, by, n)`` (same rows, same order), computed
    by the database: the ``n`` values that moved the week most in ``direction`` (high: largest
    increases, low: largest decreases) by ``by``; columns as week_detail."""
    if by not in _CONTRIBUTION_BY:
        raise ValueError("by must be change_expected or change_previous")
    if direction == "low":
        cond, order, bound = f"{by} < 0", by, None
    else:                       # an increase is at most the week's complaints (expected >= 0)
        ok = by == "change_previous" or expected_total is None or not expected_total < 0
        cond, order, bound = f"{by} > 0", f"{by} DESC", by if ok else None
    return _ranked(con, f, week_start, dimension, baseline, expected_total, fast, cond,
                   f"{order}, {_DETAIL_ORDER}", n, bound)


def top_contributors(detail: pd.DataFrame, direction: str, by: str = "change_expected",
                     n: int = 5) -> pd.DataFrame:
    """The ``n`` values that moved the week most in ``direction`` (high: largest increases,
    low: largest decreases) by column ``by``; values that moved the other way are left out."""
    if by not in _CONTRIBUTION_BY:
        raise ValueError("by must be change_expected or change_previous")
    d = detail.dropna(subset=[by])
    if direction == "low":
        d = d[d[by] < 0].sort_values(by, kind="stable")
    else:
        d = d[d[by] > 0].sort_values(by, ascending=False, kind="stable")
    return d.head(n).reset_index(drop=True)
