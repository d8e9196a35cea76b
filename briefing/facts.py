"""Every number of the Monday briefing, gathered by calling the analytics functions the pages
call, with the same Filters, and returned as a plain data structure (dicts, lists, numbers,
dates, strings). No sentence is made here (text.py does that) and no SQL is written here.

Each fact has its own small function (a *seam*): when an analytics function is replaced, only
that seam changes. ``SOURCES`` names the analytics function behind each fact; the briefing's
method note and the report list them.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import re
from urllib.parse import urlencode


from analytics import db, queries, rankings, resolution, stats
from analytics import trends as T
from analytics.filters import Filters

DEFAULT_PUBLIC_URL = "http://localhost:8501"
# district metrics the briefing reports when a district differs from the city beyond chance
DISTRICT_METRICS = ("per_100k", "closure_rate", "on_time_rate", "median_days")
TOP_N = 3                  # top categories / problems named
CHART_WEEKS = 13           # weeks in the weekly chart (the briefing's week last)

SOURCES = {
    "volume": "analytics.trends.weekly_stats (expected-week model, 99% prediction band)",
    "volume_change": "analytics.stats.two_count_p + beyond_chance (as the overview's weekly delta)",
    "kpis": "analytics.queries.complaint_kpis",
    "on_time_change": "analytics.stats.two_proportion_p + beyond_chance (as the overview)",
    "closure_change": "analytics.queries.closure_at_equal_age (as the overview)",
    "route_gap": "analytics.resolution.route_gap",
    "composition": "analytics.trends.week_detail",
    "districts": "analytics.rankings.unit_metrics + city_reference + compare_to_city (ranks: exact intervals, 'few')",
    "overdue": "analytics.resolution.deadline_by_district (statuses at the as-of date)",
    "returns": "analytics.queries.returns_summary",
    "registry": "analytics.queries.registry_counts",
}

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")


class BriefingError(Exception):
    """A briefing that cannot be made; ``kind`` is bad_week, partial, future, no_data or database
    (the CLI maps it to an exit code), ``args[0]`` the one-line message (English: the CLI's)."""

    def __init__(self, kind: str, message: str, **info):
        super().__init__(message)
        self.kind = kind
        self.info = info


# --- weeks ------------------------------------------------------------------------------------

def parse_week(label: str) -> tuple[dt.date, dt.date]:
    """(Monday, Sunday) of the ISO week ``YYYY-Www``; BriefingError(bad_week) otherwise."""
    m = _WEEK_RE.match((label or "").strip())
    if not m:
        raise BriefingError("bad_week", f"not an ISO week (YYYY-Www, e.g. 2024-W10): {label!r}")
    y, w = int(m.group(1)), int(m.group(2))
    try:
        start = dt.date.fromisocalendar(y, w, 1)
    except ValueError:
        raise BriefingError("bad_week", f"{y} has no ISO week {w}: {label!r}")
    return start, start + dt.timedelta(days=6)


def latest_whole_week(con) -> str:
    """The latest ISO week that the data covers whole (ends on or before the as-of date)."""
    first, as_of = coverage(con)
    if as_of is None:
        raise BriefingError("no_data", "the database holds no complaints")
    end = as_of - dt.timedelta(days=(as_of.weekday() + 1) % 7)    # the last Sunday <= as_of
    start = end - dt.timedelta(days=6)
    if start < first:
        raise BriefingError("no_data", f"the data ({first} – {as_of}) cover no whole ISO week")
    return T.week_label(start)


def whole_weeks(con) -> list[str]:
    """Every whole ISO week of the data, latest first (the page's choices)."""
    first, as_of = coverage(con)
    if as_of is None:
        return []
    out, s = [], T.monday(first) + (dt.timedelta(days=7) if first.weekday() else dt.timedelta(0))
    while s + dt.timedelta(days=6) <= as_of:
        out.append(T.week_label(s))
        s += dt.timedelta(days=7)
    return out[::-1]


def coverage(con) -> tuple[dt.date | None, dt.date | None]:
    return queries.data_coverage(con)


def week_window(con, label: str, *, partial: bool = False) -> dict:
    """The week's dates checked against the data: start, end (Sunday), period_end (the as-of date
    for a partial week), partial (bool). Raises BriefingError for a week the data do not cover
    (no_data), a week after the data (future) and, without ``partial``, a week the data cover
    only partly (partial)."""
    start, end = parse_week(label)
    first, as_of = coverage(con)
    if as_of is None:
        raise BriefingError("no_data", "the database holds no complaints")
    if end < first:
        raise BriefingError("no_data", f"no data for {label}: the data begin on {first}", first=first, as_of=as_of)
    if start > as_of:
        raise BriefingError("future", f"{label} ({start} – {end}) is after the data, which end on {as_of}",
                            as_of=as_of)
    is_partial = end > as_of or start < first
    if is_partial and not partial:
        raise BriefingError("partial", f"{label} is not complete: the data end on {as_of} "
                            f"(use --partial for a briefing up to that date)", as_of=as_of)
    return {"label": T.week_label(start), "iso_year": start.isocalendar()[0], "iso_week": start.isocalendar()[1],
            "start": start, "end": end, "period_start": max(start, first), "period_end": min(end, as_of),
            "partial": is_partial, "days": (min(end, as_of) - max(start, first)).days + 1}


def dashboard_link(week: dict, lang: str = "zh", base: str | None = None) -> str:
    """The overview page of the dashboard for the week (custom period = the week)."""
    base = (base or os.environ.get("ODR_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")
    q = {"period": "custom", "from": week["period_start"].isoformat(), "to": week["period_end"].isoformat()}
    if lang == "en":
        q["lang"] = "en"
    return f"{base}/overview?{urlencode(q)}"


# --- helpers ------------------------------------------------------------------------------------

def _num(x):
    """A plain float or None (NaN, NA and None become None): the figures command's rule."""
    return queries._num(x)


def _int(x):
    v = _num(x)
    return None if v is None else int(round(v))


def direction(p_value, a, b, level: float = 0.05) -> str:
    """"up" / "down" when a test's p-value says a and b differ beyond chance (stats.beyond_chance
    at ``level``), else "same" (the text says 基本持平)."""
    if not stats.beyond_chance(p_value, level) or a == b:
        return "same"
    return "up" if a > b else "down"


def count_direction(a, b, level: float = 0.05) -> str:
    """Two counts of equal exposure (two whole weeks): the overview's test (stats.two_count_p)."""
    return direction(stats.two_count_p(a, b), a, b, level)


def rises(values, complaints, previous, level: float = 0.05) -> list[int]:
    """Positions of the values whose count rose against the week before beyond chance, with a
    Bonferroni correction over the values compared (the family of tests flags at most ``level``
    on data with no change), largest rise first (then most complaints)."""
    m = len(values)
    if not m:
        return []
    ups = [i for i, (c, p) in enumerate(zip(complaints, previous)) if count_direction(c, p, level / m) == "up"]
    return sorted(ups, key=lambda i: (-(complaints[i] - previous[i]), -complaints[i]))


# --- the facts, one seam each ------------------------------------------------------------------------

def fact_volume(con, f: Filters, week: dict) -> dict:
    """The week's count against the week before, the same week last year and the expected band
    (trends.weekly_stats, the trends page's numbers for the week), with the noise verdicts."""
    s = T.weekly_stats(con, f)
    r = s.iloc[-1]
    n = int(r["complaints"])
    out = {"complaints": n, "previous": _int(r["previous_week"]),
           "previous_label": T.week_label(week["start"] - dt.timedelta(days=7)),
           "last_year": _int(r["last_year"]), "last_year_label": r["last_year_week"] or None,
           "expected": _num(r["expected"]), "lower": _num(r["lower"]), "upper": _num(r["upper"]),
           "flag": r["flag"] or "", "event": r["event"] or "",
           "history": (r["history"] or "") if "history" in r.index else "",
           "band_conf": T.FLAG_CONF}          # the band is the trends model's prediction band at FLAG_CONF
    out["wow"] = None if out["previous"] is None or week["partial"] else count_direction(n, out["previous"])
    out["yoy"] = None if out["last_year"] is None or week["partial"] else count_direction(n, out["last_year"])
    out["band"] = out["expected"] is not None and not week["partial"]
    return out


def fact_weekly_series(con, week: dict) -> list[dict]:
    """The weekly chart: trends.weekly_stats over the CHART_WEEKS weeks ending with the week."""
    start = week["start"] - dt.timedelta(weeks=CHART_WEEKS - 1)
    s = T.weekly_stats(con, Filters(start, week["period_end"]))
    keep = ["week", "week_start", "week_end", "complaints", "days_covered", "partial", "event", "last_year",
            "last_year_week", "ma4", "expected", "lower", "upper", "flag"]
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()}
            for rec in s[keep].to_dict("records")]


def fact_kpis(con, f: Filters) -> dict:
    """complaint_kpis of the week (the overview page's numbers for the same period)."""
    k = queries.complaint_kpis(con, f).iloc[0]
    return {c: (_num(k[c]) if c.endswith(("rate", "days_all", "days_odr", "days_traditional", "yuan"))
                else _int(k[c])) for c in k.index}


def fact_rates(con, f: Filters, kpis: dict, week: dict) -> dict:
    """Closure and on-time rates of the week, compared with the week before as the overview does:
    the closure rate at equal age (queries.closure_at_equal_age), the on-time rate directly
    (it needs no age adjustment, METRICS.md) by stats.two_proportion_p."""
    out = {"closure_rate": kpis["closure_rate"], "closed": kpis["closed"], "complaints": kpis["complaints"],
           "on_time_rate": kpis["on_time_rate"], "on_time": kpis["on_time"], "on_time_base": kpis["on_time_base"],
           "overdue_open": kpis["overdue_open"]}
    eq = queries.closure_at_equal_age(con, f)
    out["closure_prev"] = _num(eq["prev_rate"])
    out["closure_lag_days"] = eq["lag_days"]
    out["closure_change"] = (None if week["partial"] or eq["rate"] is None or eq["prev_rate"] is None
                             else "same" if not eq["differs"]
                             else "up" if eq["rate"] > eq["prev_rate"] else "down")
    prev = queries.complaint_kpis(con, queries.previous_period(f)).iloc[0]
    out["on_time_prev"] = _num(prev["on_time_rate"])
    out["on_time_change"] = None
    if not week["partial"] and kpis["on_time_base"] and int(prev["on_time_base"]):
        p = stats.two_proportion_p(kpis["on_time"], kpis["on_time_base"], int(prev["on_time"]),
                                   int(prev["on_time_base"]))
        out["on_time_change"] = direction(p, kpis["on_time_rate"], out["on_time_prev"])
    return out


def fact_routes(con, f: Filters, kpis: dict) -> dict:
    """ODR against traditional: the medians of complaint_kpis (overview) and the gap's 95%
    interval of resolution.route_gap (resolution page); the gap is named only when its interval
    excludes 0."""
    g = resolution.route_gap(con, f)["summary"].set_index("metric")
    med = g.loc["median"]
    lo, hi = _num(med["raw_lo"]), _num(med["raw_hi"])
    verdict = None
    if lo is not None and hi is not None:
        verdict = "odr_faster" if lo > 0 else "odr_slower" if hi < 0 else "same"
    return {"median_odr": kpis["median_days_odr"], "median_traditional": kpis["median_days_traditional"],
            "n_odr": _int(med["n_odr"]), "n_traditional": _int(med["n_traditional"]),
            "gap": _num(med["raw"]), "gap_lo": lo, "gap_hi": hi, "verdict": verdict}


def fact_composition(con, f: Filters, week: dict, dimension: str) -> dict:
    """Top values of ``dimension`` in the week (trends.week_detail, the trends page's drill-down)
    and the value that rose most against the week before among those whose rise is beyond chance
    (exact test per value, Bonferroni over the values compared)."""
    d = T.week_detail(con, f, week["start"], dimension)
    d = d[d["value"] != T.MISSING]
    top = [{"value": r.value, "complaints": int(r.complaints), "share": float(r.share),
            "previous_week": int(r.previous_week)} for r in d[d["complaints"] > 0].head(TOP_N).itertuples()]
    rise = None
    m = len(d)
    if m and not week["partial"]:
        ups = rises(list(d["value"]), [int(x) for x in d["complaints"]], [int(x) for x in d["previous_week"]])
        if ups:
            r = d.iloc[ups[0]]
            rise = {"value": r["value"], "complaints": int(r["complaints"]), "previous_week": int(r["previous_week"]),
                    "change": int(r["change_previous"])}
    rows = [{"value": r.value, "complaints": int(r.complaints), "previous_week": int(r.previous_week)}
            for r in d[d["complaints"] > 0].head(10).itertuples()]
    return {"top": top, "rise": rise, "compared": m, "rows": rows}


def fact_districts(con, f: Filters) -> dict:
    """Districts whose value differs from the city beyond chance, per metric of DISTRICT_METRICS:
    the rankings page's compare_to_city ("above"/"below": the 95% interval excludes the city
    value; "few", too few cases, is never flagged; on no-difference data a unit is flagged at most
    5% of the time, tests/test_stats.py)."""
    units = rankings.unit_metrics(con, f)
    city = rankings.city_reference(con, f)
    cmp = rankings.compare_to_city(units, city)
    flags = []
    for m in DISTRICT_METRICS:
        for r in cmp.itertuples():
            vs = getattr(r, f"{m}_vs_city")
            value = _num(getattr(r, m))
            if vs in ("above", "below"):          # "few" (too few cases) is never flagged
                flags.append({"metric": m, "code": r.district_code, "name": r.name, "name_en": r.name_en,
                              "value": value, "city": _num(city[m]),
                              "better": bool(getattr(r, f"{m}_better"))})
    return {"flags": flags, "city": {m: _num(city.get(m)) for m in DISTRICT_METRICS}}


def fact_overdue(con, week: dict) -> dict:
    """Complaints received up to the week's end still open past their deadline at the as-of date,
    by district (resolution.deadline_by_district over [first data day, week end], the resolution
    page's district table for that period)."""
    first, as_of = coverage(con)
    d = resolution.deadline_by_district(con, Filters(first, week["period_end"]))
    rows = [{"code": r.code, "name": r.name, "short_name": r.short_name, "name_en": r.name_en,
             "overdue_open": int(r.overdue_open)} for r in d.itertuples()]
    return {"total": sum(r["overdue_open"] for r in rows), "by_district": rows, "as_of": as_of,
            "from": first}


def fact_programmes(con, f: Filters) -> dict:
    """Returns of the week (queries.returns_summary) and the registries at the week's end against
    the end of the week before (queries.registry_counts)."""
    prev = queries.previous_period(f)
    ret, ret_prev = queries.returns_summary(con, f), queries.returns_summary(con, prev)
    reg, reg_prev = queries.registry_counts(con, f), queries.registry_counts(con, prev)
    return {"returns": ret, "returns_prev": ret_prev, "returns_change": count_direction(ret["count"], ret_prev["count"]),
            "registry": reg, "registry_change": {k: reg[k] - reg_prev[k] for k in reg}}


# --- everything -------------------------------------------------------------------------------------

def gather(con, label: str | None = None, *, partial: bool = False, lang: str = "zh",
           base_url: str | None = None) -> dict:
    """All facts of the briefing of ISO week ``label`` (default: the latest whole week)."""
    label = label or latest_whole_week(con)
    week = week_window(con, label, partial=partial)
    f = Filters(week["period_start"], week["period_end"])
    m = db.meta(con)
    first, as_of = coverage(con)
    kpis = fact_kpis(con, f)
    out = {"week": week, "as_of": as_of, "data_from": first, "version": m.get("data_version", ""),
           "sample": m.get("dataset") == "sample", "link": dashboard_link(week, lang, base_url),
           "volume": fact_volume(con, f, week), "kpis": kpis, "sources": dict(SOURCES)}
    out["series"] = fact_weekly_series(con, week)
    out["empty"] = kpis["complaints"] == 0
    out["rates"] = fact_rates(con, f, kpis, week)
    out["routes"] = fact_routes(con, f, kpis)
    out["categories"] = fact_composition(con, f, week, "category")
    out["problems"] = fact_composition(con, f, week, "problem")
    out["districts"] = fact_districts(con, f)
    out["overdue"] = fact_overdue(con, week)
    out["programmes"] = fact_programmes(con, f)
    return out


def open_database(path=None):
    """A read-only connection to the database, or BriefingError(database)."""
    p = db.db_path(path)
    if not p.exists():
        raise BriefingError("database", f"cannot open the database {p}: no such file")
    try:
        con = db.connect(p, read_only=True)
        queries.data_coverage(con)
    except Exception as exc:     # unreadable file, not a DuckDB database, wrong schema
        raise BriefingError("database", f"cannot read the database {p}: {str(exc).splitlines()[0]}")
    return con
