"""Case volume: the weekly series with comparisons, the seasonal expected band and unusual weeks,
the series by interval and breakdown with calendar context, and the drill-down into one week."""
from ui.page import begin

ctx = begin()

import datetime as dt  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from analytics import queries  # noqa: E402
from analytics import stats as S  # noqa: E402
from analytics import trends as T  # noqa: E402
from ui import data, fmt  # noqa: E402
from ui.figures import trends as FT  # noqa: E402
from ui.i18n import label, t  # noqa: E402
from ui.page import chart_block, delta_args, fmt_int, fmt_num, interactive_charts  # noqa: E402
from ui.state import BOOL, choice, record, url_value, url_widget  # noqa: E402

f, lang = ctx.filters, ctx.lang
st.caption(t("tr.intro"))

if ctx.first is None or max(f.date_from, ctx.first) > min(f.date_to, ctx.as_of):
    st.info(t("tr.no_data", first=fmt.date(ctx.first, lang), as_of=fmt.date(ctx.as_of, lang)))
    st.stop()
lo, hi = max(f.date_from, ctx.first), min(f.date_to, ctx.as_of)

# --- names of data values ----------------------------------------------------------------------
districts = data.call(queries.districts)
dist_names = dict(zip(districts["code"], districts["name_en" if lang == "en" else "short_name"]))
GROUP = {"channel": "channel", "object_class": "class", "category": "cat", "problem": "problem"}
TOP_NS = (3, 4, 5, 6, 8, 10, 12)   # "top N series": the rest combined into "Other"


def value_name(v: str, dim: str) -> str:
    if v == T.OTHER:
        return t("tr.other")
    if v == T.MISSING:
        return t("tr.missing")
    if dim == "total":
        return t("tr.series.total")
    if dim == "route":
        return t("common.odr") if v == "odr" else t("common.traditional")
    if dim == "district":
        return dist_names.get(v, v)
    if dim in GROUP:
        return label(v, GROUP[dim], lang)
    return v


def keep_valid(name: str, options: list) -> None:
    """A remembered choice that the current period no longer offers falls back to the default."""
    if st.session_state.get(f"qp:{name}") not in (None, *options):
        del st.session_state[f"qp:{name}"]


def names_for(values, dim: str) -> dict:
    return {v: value_name(v, dim) for v in values}


EVENT_NAMES = {e: t(f"tr.ev.{e}") for e in T.EVENTS}

stats = data.call(T.weekly_stats, f)
if int(stats["complaints"].sum()) == 0:
    st.info(t("tr.no_complaints"))
    st.stop()

# --- KPIs: the latest whole week (first: on a phone the key numbers come before the controls) -------------------------------------------------------------------
whole = stats[~stats["partial"]]
cols = st.columns(2) + st.columns(2)        # 2 + 2: the deltas fit beside their numbers at 1280 px
if len(whole):
    last = whole.iloc[-1]
    prev_label = last["week_start"] - dt.timedelta(days=7)
    with cols[0]:
        d = None
        if pd.notna(last["wow_change"]):
            d = f"{int(last['wow_change']):+,}" + (f" ({last['wow_pct']:+.0%})" if pd.notna(last["wow_pct"]) else "")
        # two whole weeks (equal exposure): coloured only when the change is beyond chance (the test
        # through the cache: recorded and replayed at a start, so the first visitor does not wait for SciPy)
        differs = d is not None and S.beyond_chance(data.pure(
            S.two_count_p, int(last["complaints"]), int(last["complaints"] - last["wow_change"])))
        st.metric(t("tr.kpi.week.label", week=fmt.week(last["week"], lang, year=False)), fmt_int(last["complaints"]),
                  **delta_args(d, differs, "inverse"), border=True,
                  help=t("tr.kpi.week.help", week=fmt.week_span(last["week_start"], lang),
                         prev=fmt.week_span(prev_label, lang)))
    with cols[1]:
        d = None
        if pd.notna(last["yoy_change"]):
            d = f"{int(last['yoy_change']):+,}" + (f" ({last['yoy_pct']:+.0%})" if pd.notna(last["yoy_pct"]) else "")
        differs = d is not None and S.beyond_chance(data.pure(S.two_count_p, int(last["complaints"]),
                                                              int(last["last_year"])))
        ly = last["last_year_week"]
        st.metric(t("tr.kpi.last_year", week=fmt.week(ly, lang, year=False) if ly else fmt.DASH),
                  fmt_int(last["last_year"]), **delta_args(d, differs, "inverse"), border=True,
                  help=t("tr.kpi.last_year.help", week=fmt.week(ly, lang) if ly else fmt.DASH))
    with cols[2]:
        prev_ma = whole["ma4"].iloc[-2] if len(whole) >= 2 and whole.index[-2] == whole.index[-1] - 1 else None
        d = f"{last['ma4'] - prev_ma:+.1f}" if prev_ma is not None and pd.notna(prev_ma) and pd.notna(last["ma4"]) else None
        # a moving average's step is a smoothing, not a finding: never coloured
        st.metric(t("tr.kpi.ma4"), fmt_num(last["ma4"]), delta=d, delta_color="off", delta_arrow="off", border=True,
                  help=t("tr.kpi.ma4.help"))
    with cols[3]:
        if pd.notna(last["expected"]):
            status = t(f"tr.kpi.status.{last['flag'] or 'ok'}")
            st.metric(t("tr.kpi.expected"), fmt_num(last["expected"], 0),
                      delta=status, delta_color={"high": "inverse", "low": "normal"}.get(last["flag"], "off"),
                      delta_arrow={"high": "up", "low": "down"}.get(last["flag"], "off"), border=True,
                      help=t("tr.kpi.expected.help", e=fmt_num(last["expected"]), lo=fmt_num(last["lower"], 0),
                             hi=fmt_num(last["upper"], 0)))
        else:
            st.metric(t("tr.kpi.expected"), "—", delta=t("tr.kpi.status.none"), delta_color="off",
                      delta_arrow="off", border=True,
                      help=t(f"tr.history.{last['history']}") if last["history"] else None)
    if pd.notna(last["expected"]):
        st.caption(t("tr.kpi.band", week=fmt.week(last["week"], lang, year=False), lo=fmt_num(last["lower"], 0),
                     hi=fmt_num(last["upper"], 0)))
else:
    with cols[0]:
        st.metric(t("tr.kpi.week"), "—", border=True, help=t("tr.kpi.none"))
cur = stats.iloc[-1]
if bool(cur["partial"]) and cur["week_end"] > hi:
    st.caption(t("tr.current", week=fmt.week(cur["week"], lang, year=False), days=int(cur["days_covered"]),
                 n=fmt_int(cur["complaints"])))

# --- controls ------------------------------------------------------------------------------------
long_period = f.days > 366
intervals = [i for i in T.INTERVALS if not (long_period and i == "day")]
keep_valid("tr_interval", intervals)
# the breakdown's buttons on a line of their own (they wrap on a phone), then one row of controls
# that wraps onto the next line where the screen is narrow (no cut labels). Choices are buttons, not
# a drop-down or number field: those widgets' scripts cost a new visitor ~0.25 s (bench/pageready.py).
breakdown = url_widget(st.pills, "tr_by", "total", options=list(T.BREAKDOWNS), label=t("tr.by"),
                       format_func=lambda v: t(f"tr.by.{v}", lang=lang), required=True)
with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
    interval = url_widget(st.segmented_control, "tr_interval", "week", options=intervals, label=t("tr.interval"),
                          format_func=lambda v: t(f"tr.interval.{v}", lang=lang), required=True,
                          help=t("tr.interval.day_off") if long_period else None, width="content")
    view = url_widget(st.segmented_control, "tr_view", "line", options=["line", "stacked"], label=t("tr.view"),
                      format_func=lambda v: t(f"tr.view.{v}", lang=lang), required=True, width="content")
    top_n = url_widget(st.segmented_control, "tr_top", 6, options=list(TOP_NS), label=t("tr.top"),
                       help=t("tr.top.help"), required=True, disabled=breakdown == "total", width="content")
    show_cal = url_widget(st.toggle, "tr_cal", True, parse=BOOL[0], dump=BOOL[1], label=t("tr.cal"),
                          help=t("tr.cal.help"), width="content")
if long_period:
    st.caption(t("tr.interval.day_off"))

unknown = data.call(T.unknown_calendar_years, lo, hi)
if unknown:
    st.info(t("data.calendar_unknown", years="、".join(map(str, unknown)) if lang == "zh"
              else ", ".join(map(str, unknown))))

events = data.call(T.calendar_events, lo, hi)
if not show_cal:
    events = events.head(0)

# --- series by interval and breakdown --------------------------------------------------------------
series = data.call(T.volume_series, f, interval, breakdown, int(top_n))
snames = names_for(series["series"].unique(), breakdown)
vfig = FT.volume_chart(series, mode=view, title=t("tr.volume.title", interval=t(f"tr.interval.{interval}")),
                       y_label=t("common.complaints"), partial_label=t("tr.partial"), series_names=snames,
                       events=events, event_names=EVENT_NAMES, interval=interval, lang=lang)
vcsv = series.assign(series_name=series["series"].map(snames))
chart_block(vfig, vcsv, f"complaints_{interval}_{breakdown}")
st.caption(t("tr.volume.note"))

# --- the weekly band, the unusual weeks and one week's detail: one tab each, built only when chosen --------
weeks = list(stats["week"])
default_week = whole["week"].iloc[-1] if len(whole) else weeks[-1]
by_week = stats.set_index("week")
TABS = ("band", "unusual", "week")
# a week clicked on the band chart opens that week's detail (once per new selection)
picked = None
try:
    points = st.session_state["tr_band"]["selection"]["points"]
    picked = T.week_label(FT.monday_of(points[0]["x"])) if points else None
except (KeyError, IndexError, TypeError, ValueError):
    picked = None
if picked != st.session_state.get("tr_band_seen"):
    st.session_state["tr_band_seen"] = picked
    if picked in weeks:
        st.session_state["qp:tr_week"] = picked
        st.session_state["qp:tr_tab"] = "week"
keep_valid("tr_week", weeks)
current_week = url_value("tr_week", default_week, *choice(weeks))   # the link's week, before its widget
tab = url_value("tr_tab", "band", *choice(TABS))
tab_names = {c: t(f"tr.tab.{c}") for c in TABS}
chosen = st.session_state.get("w:tr_tab")
if chosen is not None and chosen != st.session_state.get("tr_tab_shown") and chosen in tab_names.values():
    tab = next(c for c, n in tab_names.items() if n == chosen)      # the reader opened another tab
    st.session_state["qp:tr_tab"] = tab
st.session_state["w:tr_tab"] = st.session_state["tr_tab_shown"] = tab_names[tab]
tab_band, tab_unusual, tab_week = st.tabs(list(tab_names.values()), key="w:tr_tab", on_change="rerun")
record("tr_tab", tab, "band", str)


def week_name(w, year: bool = True) -> str:
    return fmt.week(w, lang, year=year)


if tab_band.open:
    with tab_band:
        band_labels = {"count": t("tr.band.count"), "partial": t("tr.partial"), "high": t("tr.band.high"),
                       "low": t("tr.band.low"), "band": t("tr.band.band"), "expected": t("tr.band.expected"),
                       "no_band": t("tr.band.no_band"),
                       "ma4": t("tr.band.ma4"), "last_year": t("tr.band.last_year"), "y": t("common.complaints")}
        bfig = FT.band_chart(stats, title=t("tr.band.title"), labels=band_labels, events=events,
                             event_names=EVENT_NAMES, selected=current_week if current_week in weeks else default_week,
                             lang=lang)
        bcsv = stats.drop(columns=["baseline"])
        chart_block(bfig, bcsv, "weekly_band", on_select="rerun", key="tr_band")
        st.caption(t("tr.band.note" if interactive_charts() else "tr.band.note.static"))
        table_box = st.expander(t("tr.table.title"), key="tr_table_open", on_change="rerun")
        if table_box.open:
            with table_box:
                def _flag(r) -> str:
                    if r["partial"]:
                        return t("tr.partial")
                    if r["flag"]:
                        return t(f"tr.band.{r['flag']}")
                    return t("tr.col.no_band") if r["history"] else t("tr.kpi.status.ok")

                st.table(pd.DataFrame({
                    t("tr.col.week"): [week_name(w) for w in stats["week"]],
                    t("tr.col.start"): [fmt.date(d, lang) for d in stats["week_start"]],
                    t("tr.col.complaints"): [fmt_int(v) for v in stats["complaints"]],
                    t("tr.detail.prev"): ["—" if pd.isna(v) else f"{int(v):+,}" for v in stats["wow_change"]],
                    t("tr.band.last_year"): [fmt_int(v) for v in stats["last_year"]],
                    t("tr.band.ma4"): [fmt_num(v) for v in stats["ma4"]],
                    t("tr.col.expected"): [fmt_num(v) for v in stats["expected"]],
                    t("tr.col.band"): [fmt.DASH if pd.isna(a) else f"{fmt_num(a, 0)}–{fmt_num(b, 0)}"
                                       for a, b in zip(stats["lower"], stats["upper"])],
                    t("tr.col.flag"): [_flag(r) for _, r in stats.iterrows()],
                    t("tr.col.event"): [EVENT_NAMES.get(e if e in EVENT_NAMES else e.rstrip("0123456789"), e) if e
                                        else "" for e in stats["event"]],
                }), hide_index=True)

if tab_unusual.open:
    with tab_unusual:
        flagged = stats[stats["flag"] != ""]
        st.caption(t("tr.flags.count", n=len(flagged), whole=len(whole), banded=int(stats["expected"].notna().sum())))
        if not len(flagged):
            st.success(t("tr.flags.none"), icon=":material/check_circle:")
        else:
            fweeks = list(flagged["week"])
            keep_valid("tr_flag", fweeks)
            fw = url_widget(st.selectbox, "tr_flag", fweeks[-1], options=fweeks, label=t("tr.flags.pick"),
                            format_func=lambda w: week_name(w) + " · "
                            + t("tr.band." + flagged.set_index("week").at[w, "flag"], lang=lang))
            r = flagged.set_index("week").loc[fw]
            st.markdown(t("tr.flags.why", week=week_name(fw), n=fmt_int(r["complaints"]), e=fmt_num(r["expected"]),
                          lo=fmt_num(r["lower"], 0), hi=fmt_num(r["upper"], 0), dir=t(f"tr.flags.dir.{r['flag']}"),
                          diff=fmt_num(abs(r["complaints"] - r["expected"]))))
            baseline = tuple(x for x in r["baseline"].split(",") if x)
            ccols = st.columns(3)
            for col, dim in zip(ccols, ("category", "district", "merchant")):
                with col:
                    top = data.call(T.week_contributors, f, r["week_start"], dim, baseline, float(r["expected"]),
                                    r["flag"], "change_expected", 5)
                    if not len(top):
                        st.caption(f"{t('tr.by.' + dim)}: {t('tr.flags.none_dim')}")
                        continue
                    cfig = FT.contribution_chart(top, title=t("tr.contrib.title", dim=t(f"tr.by.{dim}")),
                                                 names=names_for(top["value"], dim), by="change_expected",
                                                 x_label=t("tr.contrib.x" if r["flag"] == "high" else "tr.contrib.x_low"),
                                                 direction=r["flag"])
                    chart_block(cfig, top.assign(name=top["value"].map(names_for(top["value"], dim))),
                                f"unusual_{dim}", period=fw)

if tab_week.open:
    with tab_week:
        d1, d2 = st.columns(2, vertical_alignment="bottom")
        with d1:
            wk = url_widget(st.selectbox, "tr_week", default_week, options=weeks, label=t("tr.detail.pick"),
                            format_func=lambda w: week_name(w) + (f" · {t('tr.partial', lang=lang)}"
                                                                  if bool(by_week.at[w, 'partial']) else ""))
        dims = ["category", "district", "channel", "problem", "object_class", "route"]
        with d2:
            dim = url_widget(st.selectbox, "tr_dim", "category", options=dims, label=t("tr.detail.dim"),
                             format_func=lambda v: t(f"tr.by.{v}", lang=lang))
        row = by_week.loc[wk]
        ws = row["week_start"]
        st.markdown("**" + t("tr.detail.head", week=week_name(wk),
                             span=fmt.date_range(max(ws, lo), min(row["week_end"], hi), lang)) + "**")
        partial = bool(row["partial"])
        m1, m2, m3 = st.columns(3)
        with m1:
            st.metric(t("tr.detail.n"), fmt_int(row["complaints"]), border=True)
        with m2:
            differs = pd.notna(row["wow_change"]) and S.beyond_chance(
                data.pure(S.two_count_p, int(row["complaints"]), int(row["complaints"] - row["wow_change"])))
            st.metric(t("tr.detail.prev"), "—" if pd.isna(row["wow_change"]) else f"{int(row['wow_change']):+,}",
                      **delta_args(None if pd.isna(row["wow_pct"]) else f"{row['wow_pct']:+.0%}", differs, "inverse"),
                      border=True)
        with m3:
            if pd.notna(row["expected"]):
                # the arithmetic behind the expectation (and its technical terms) in the tooltip
                st.metric(t("tr.detail.vs_expected"), f"{row['complaints'] - row['expected']:+.1f}",
                          delta=t(f"tr.kpi.status.{row['flag'] or 'ok'}"),
                          delta_color={"high": "inverse", "low": "normal"}.get(row["flag"], "off"),
                          delta_arrow={"high": "up", "low": "down"}.get(row["flag"], "off"), border=True,
                          help=t("tr.detail.calc", level=fmt_num(row["level"]), cal=f"{row['calendar']:.2f}",
                                 si=f"{row['seasonal_index']:.2f}", refs=int(row["seasonal_refs"]),
                                 raw=f"{row['seasonal_raw']:.2f}", b=f"{row['shrinkage']:.0%}",
                                 e=fmt_num(row["expected"]), phi=f"{row['dispersion']:.2f}",
                                 lo=fmt_num(row["lower"], 0), hi=fmt_num(row["upper"], 0)))
            else:
                st.metric(t("tr.detail.vs_expected"), "—", delta=t("tr.kpi.status.none"), delta_color="off",
                          delta_arrow="off", border=True)
        if pd.notna(row["expected"]):
            st.caption(t("tr.detail.expected", e=fmt_num(row["expected"]), lo=fmt_num(row["lower"], 0),
                         hi=fmt_num(row["upper"], 0)))
        elif row["history"]:
            st.info(t(f"tr.history.{row['history']}"))
        if partial:
            st.info(t("tr.detail.partial", days=int(row["days_covered"])))
        if int(row["complaints"]) == 0:
            st.info(t("tr.detail.none"))
        else:
            left, right = st.columns(2)
            prev_lbl = None if partial else t("tr.detail.prev_week")
            with left:
                det = data.call(T.week_detail, f, ws, dim)
                cfig = FT.composition_chart(det, title=t("tr.detail.comp.title", week=week_name(wk, False),
                                                         dim=t(f"tr.by.{dim}")),
                                            names=names_for(det["value"], dim), this_label=t("tr.detail.this"),
                                            prev_label=prev_lbl, n=12)
                chart_block(cfig, det.assign(name=det["value"].map(names_for(det["value"], dim))).drop(
                    columns=["baseline_weekly", "expected", "change_expected"]), f"week_{dim}", period=wk)
            with right:
                mer = data.call(T.week_detail, f, ws, "merchant", limit=50)     # the chart and the CSV show 50 at most
                mer = mer[mer["complaints"] > 0]
                mfig = FT.composition_chart(mer, title=t("tr.detail.merchants.title", week=week_name(wk, False)),
                                            names={}, this_label=t("tr.detail.this"), prev_label=prev_lbl, n=10)
                chart_block(mfig, mer.head(50).drop(columns=["baseline_weekly", "expected", "change_expected"]),
                            "week_merchants", period=wk)
else:
    record("tr_week", current_week, default_week, str)     # a linked week survives while its tab is closed

method = st.expander(t("tr.method.title"), key="tr_method_open", on_change="rerun")
if method.open:
    with method:
        st.markdown(t("tr.method.body"))
