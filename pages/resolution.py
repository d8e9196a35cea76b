from ui.page import begin

ctx = begin()

# Resolution time: how fast disputes are settled, ODR against traditional, deadlines (issue 4).
# Above the fold: the key numbers and the curve that counts open cases. The other sections are
# lazy tabs (URL ``rs_tab``): only the chosen one is built, so the page is ready quickly; a deep
# link to a tab opens it with its content.
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit.runtime.scriptrunner import get_script_run_ctx  # noqa: E402

from analytics import queries  # noqa: E402
from analytics import resolution as R  # noqa: E402
from ui import data, fmt, state  # noqa: E402
from ui.figures import resolution as F  # noqa: E402
from ui.i18n import label, t  # noqa: E402
from ui.page import chart_block, downloads, fmt_int, fmt_pct  # noqa: E402
from ui.text import md  # noqa: E402

f, lang = ctx.filters, ctx.lang
as_of = ctx.as_of
as_of_text = fmt.date(as_of, lang)
name_col = "name_en" if lang == "en" else "short_name"
ROUTE_NAMES = {r: t(f"rs.route.{r}") for r in ("all", "odr", "traditional")}
SHORT = {r: t(f"rs.route.short.{r}") for r in ("all", "odr", "traditional")}   # for card labels
TABS = ("dist", "week", "gap", "deadlines")

st.caption(t("rs.intro"))

# --- calendar notice ---------------------------------------------------------------------------
cal = data.call(R.calendar_notice, f)
if cal["years"]:
    years = "、".join(str(y) for y in cal["years"]) if lang == "zh" else ", ".join(str(y) for y in cal["years"])
    msg = t("data.calendar_unknown", years=years) + "  \n" + t("rs.calendar.how")
    if cal["fixed_in_file"]:
        msg += "  \n" + t("rs.calendar.rebuild", years=", ".join(str(y) for y in cal["fixed_in_file"]))
    st.warning(msg, icon=":material/event_busy:")

# --- controls ---------------------------------------------------------------------------------
with st.container(horizontal=True, vertical_alignment="bottom"):
    unit = state.url_widget(st.segmented_control, "rs_unit", "days", options=list(R.UNITS),
                            label=t("rs.ctl.unit"), required=True,
                            format_func=lambda u: t(f"rs.ctl.unit.{u}", lang=lang))
    n_wd = state.url_widget(st.number_input, "rs_n", 10, parse=state.INT[0], dump=state.INT[1],
                            label=t("rs.ctl.n"), min_value=1, max_value=90, step=1, width=200,
                            help=t("rs.ctl.n.help"))
unit = unit or "days"
n_wd = int(max(1, min(90, n_wd or 10)))
ul = t(f"rs.unit.{unit}")
took = t(f"rs.axis.took.{unit}")          # axis title: time to close (unit)
DIST_MODES = ["hist", "ecdf"]
# the distribution chart's mode lives in its tab; read here too, so that a link keeps it whichever
# tab is open
dist_parse, dist_dump = state.choice(DIST_MODES)
state.record("rs_dist", state.url_value("rs_dist", "hist", dist_parse, dist_dump), "hist", dist_dump)


def fmt_t(x, u: str = unit) -> str:
    """A time in ``u`` (days / working days): whole numbers without decimals, else one decimal."""
    if fmt.missing(x):
        return "—"
    x = float(x)
    v = f"{int(x)}" if x == int(x) else f"{x:.1f}"
    return t(f"rs.fmt.{u}.one" if x == 1 else f"rs.fmt.{u}", v=v)


def fmt_ci(lo, hi, fmt_=fmt_t) -> str:
    if fmt.missing(lo) or fmt.missing(hi):
        return "—"
    return f"{fmt_(lo)} – {fmt_(hi)}"


def lazy_tabs(name: str, keys: tuple[str, ...], default: str) -> dict:
    """This page's tabs built only when chosen, kept in the URL (ui.state.url_tabs)."""
    return state.url_tabs(name, keys, default, [t(f"rs.tab.{k}") for k in keys])


def fragment_rerun() -> bool:
    """Whether this run is a fragment's own rerun (app.py does not run, so the fragment writes
    its URL parameter itself)."""
    c = get_script_run_ctx()
    return bool(c and c.fragment_ids_this_run)


kms = data.call(R.km_summary, f, unit, n_wd)
if not len(kms):
    st.info(t("data.no_rows"))
    st.stop()

present = [r for r in ("odr", "traditional") if r in set(kms["route"])]
routes = present if present else ["all"]
by_route = kms.set_index("route")

# --- 1. time to close, counting the open cases (Kaplan–Meier) --------------------------------------
st.subheader(t("rs.km.header"), anchor=False)
for r in routes:
    k = by_route.loc[r]
    st.markdown(f"**{ROUTE_NAMES[r]}**")
    cols = st.columns(3)
    with cols[0]:
        st.metric(t("rs.km.median"), fmt_t(k["km_median"]),
                  delta=t("rs.km.naive", v=fmt_t(k["naive_median"])), delta_color="off", delta_arrow="off",
                  border=True, help=t("rs.km.median.help", lo=fmt_t(k["km_median_lo"]), hi=fmt_t(k["km_median_hi"])))
    with cols[1]:
        st.metric(t("rs.km.p90"), fmt_t(k["km_p90"]),
                  delta=t("rs.km.naive", v=fmt_t(k["naive_p90"])), delta_color="off", delta_arrow="off",
                  border=True, help=t("rs.km.p90.help"))
    with cols[2]:
        st.metric(t("rs.km.within", n=n_wd), fmt_pct(k["within_n"]),
                  delta=t("rs.km.naive", v=fmt_pct(k["naive_within_n"])), delta_color="off", delta_arrow="off",
                  border=True, help=t("rs.km.within.help", n=n_wd, lo=fmt_pct(k["within_n_lo"]),
                                      hi=fmt_pct(k["within_n_hi"]), naive=fmt_pct(k["naive_within_n"])))

curves = data.call(R.km_curves, f, unit)
fig = F.km_figure(curves, routes, ROUTE_NAMES, title=t("rs.km.chart"), x_label=t(f"rs.axis.since.{unit}"),
                  y_label=t("rs.km.y"), median_label=t("rs.median"), p90_label=t("rs.p90"),
                  open_label=t("rs.km.hover.open"))
chart_block(fig, curves, f"km_{unit}")
st.caption(t("rs.km.band"))

lines = []
for r in routes:
    k = by_route.loc[r]
    if k["open"]:
        lines.append(t("rs.km.now", route=ROUTE_NAMES[r], open=fmt_int(k["open"]), n=fmt_int(k["complaints"]),
                       age=fmt_t(k["max_open_age"]), naive=fmt_t(k["naive_median"]), km=fmt_t(k["km_median"])))
    else:
        lines.append(t("rs.km.all_closed", route=ROUTE_NAMES[r], n=fmt_int(k["complaints"])))
st.markdown("\n".join(f"- {x}" for x in lines))

how = st.expander(t("rs.km.how"), key="rs_km_how", on_change="rerun")
if how.open:
    with how:
        st.markdown(t("rs.km.explain"))
        # both ways of counting, one column per route (fits a phone)
        rows = [("rs.row.complaints", lambda k: fmt_int(k["complaints"])),
                ("rs.row.closed", lambda k: fmt_int(k["closed"])),
                ("rs.row.open", lambda k: fmt_int(k["open"])),
                ("rs.row.naive_median", lambda k: fmt_t(k["naive_median"])),
                ("rs.row.km_median", lambda k: fmt_t(k["km_median"])),
                ("rs.row.km_median_ci", lambda k: fmt_ci(k["km_median_lo"], k["km_median_hi"])),
                ("rs.row.naive_p90", lambda k: fmt_t(k["naive_p90"])),
                ("rs.row.km_p90", lambda k: fmt_t(k["km_p90"])),
                ("rs.row.naive_within", lambda k: fmt_pct(k["naive_within_n"])),
                ("rs.row.within", lambda k: fmt_pct(k["within_n"])),
                ("rs.row.within_ci", lambda k: fmt_ci(k["within_n_lo"], k["within_n_hi"], fmt_pct))]
        ktbl = pd.DataFrame({t("rs.col.measure"): [t(key, n=n_wd) for key, _ in rows],
                             **{ROUTE_NAMES[r]: [fn(by_route.loc[r]) for _, fn in rows] for r in kms["route"]}})
        st.markdown(f"**{t('rs.km.table')}**")
        st.table(ktbl, hide_index=True)

tab = lazy_tabs("rs_tab", TABS, "dist")

# --- 2. distribution ---------------------------------------------------------------------------


@st.fragment
def distribution_section() -> None:
    """The distribution chart and its mode (histogram / cumulative): changing the mode reruns only this."""
    dist_mode = state.url_widget(st.segmented_control, "rs_dist", "hist", options=DIST_MODES,
                                 label=t("rs.ctl.dist"), required=True,
                                 format_func=lambda m: t(f"rs.ctl.dist.{m}", lang=lang)) or "hist"
    if fragment_rerun():
        state.write_url()
    cap = F.cap_for(counts)
    dfig = F.distribution_figure(counts, routes, ROUTE_NAMES, mode=dist_mode,
                                 title=t("rs.dist.ecdf" if dist_mode == "ecdf" else "rs.dist.hist"),
                                 x_label=took, y_label=t("rs.dist.cum" if dist_mode == "ecdf" else "rs.dist.share"),
                                 cap=cap, legend_name=lambda name, n: t("rs.legend.n", route=name, n=fmt_int(n)))
    chart_block(dfig, counts[counts["closed"]], f"resolution_distribution_{unit}")
    if dist_mode == "hist":
        st.caption(t("rs.dist.note", cap=fmt_t(cap)))


if tab["dist"].open:
    with tab["dist"]:
        st.subheader(t("rs.dist.header"), anchor=False)
        counts = data.call(R.time_counts, f, unit)
        if not counts["closed"].any():
            st.info(t("data.no_rows"))
        else:
            distribution_section()
            # the per-category boxes are a tall chart (two boxes a category): drawn when opened
            by_cat = st.expander(t("rs.box.title"), key="rs_box", on_change="rerun")
            if by_cat.open:
                with by_cat:
                    catq = data.call(R.category_quantiles, f, unit)
                    box_hover = t("rs.box.hover", n="%{customdata:,}", p10="%{lowerfence}", q1="%{q1}",
                                  med="%{median}", q3="%{q3}", p90="%{upperfence}")
                    bfig = F.category_box_figure(catq, routes, ROUTE_NAMES, lambda c: label(c, "cat", lang),
                                                 title=t("rs.box.title"), x_label=took, hover=box_hover)
                    chart_block(bfig, catq, f"resolution_by_category_{unit}")
                    st.caption(t("rs.box.note"))

# --- 3. weekly ----------------------------------------------------------------------------------
if tab["week"].open:
    with tab["week"]:
        st.subheader(t("rs.week.header"), anchor=False)
        wq = data.call(R.weekly_quantiles, f, unit)
        wfig = F.weekly_quantiles_figure(wq, routes, ROUTE_NAMES, title=t("rs.week.title"), y_label=took,
                                         median_label=t("rs.median"), p90_label=t("rs.p90"),
                                         open_label=t("rs.row.open"), closed_label=t("rs.row.closed"), lang=lang)
        chart_block(wfig, wq[wq["route"].isin(routes)], f"weekly_median_p90_{unit}")
        st.caption(t("rs.week.note"))

# --- 4. ODR against traditional -----------------------------------------------------------------
MIN_STRATUM = 5


def gap_section() -> None:
    st.subheader(t("rs.gap.header"), anchor=False)
    gap = data.call(R.route_gap, f, unit, min_stratum=MIN_STRATUM)
    gs = gap["summary"].set_index("metric")
    med, setl = gs.loc["median"], gs.loc["settled"]
    if fmt.missing(med["raw"]):
        st.info(t("rs.gap.need_both"))
        return

    def signed_t(x):
        if fmt.missing(x):
            return "—"
        return f"{x:+.0f} {ul}" if x == int(x) else f"{x:+.1f} {ul}"

    def signed_pp(x):
        return fmt.pp(x * 100, lang) or "—"

    def with_ci(v: str, ci: str) -> str:
        return v if ci == v or ci == "—" and v == "—" else t("rs.gap.with_ci", v=v, ci=ci)

    exact = not fmt.missing(med["raw_lo"]) and med["raw_lo"] == med["raw_hi"]
    if exact:       # whole days, the middle of both routes in one run of equal days
        raw_med = t("rs.gap.exact.short", v=signed_t(med["raw_lo"]))
    elif fmt.missing(med["raw_lo"]):
        raw_med = with_ci(signed_t(med["raw"]), t("rs.gap.too_few"))
    else:
        raw_med = with_ci(signed_t(med["raw"]), fmt_ci(med["raw_lo"], med["raw_hi"], signed_t))
    # one column per measure, one row per route and gap: three narrow columns fit a phone
    gtbl = pd.DataFrame({
        t("rs.gap.col.measure"): [t("rs.gap.row.odr"), t("rs.gap.row.trad"), t("rs.gap.row.raw"),
                                  t("rs.gap.row.adj")],
        t("rs.gap.median.row", unit=ul): [
            t("rs.gap.n", v=fmt_t(med["odr"]), n=fmt_int(med["n_odr"])),
            t("rs.gap.n", v=fmt_t(med["traditional"]), n=fmt_int(med["n_traditional"])),
            raw_med,
            with_ci(signed_t(med["adjusted"]), fmt_ci(med["adj_lo"], med["adj_hi"], signed_t))],
        t("rs.gap.settled.row"): [
            t("rs.gap.n", v=fmt_pct(setl["odr"]), n=fmt_int(setl["n_odr"])),
            t("rs.gap.n", v=fmt_pct(setl["traditional"]), n=fmt_int(setl["n_traditional"])),
            with_ci(signed_pp(setl["raw"]), fmt_ci(setl["raw_lo"], setl["raw_hi"], signed_pp)),
            with_ci(signed_pp(setl["adjusted"]), fmt_ci(setl["adj_lo"], setl["adj_hi"], signed_pp))],
    })
    st.table(gtbl, hide_index=True)
    st.caption(t("rs.gap.method", excluded=fmt_int(setl["excluded"])))
    if exact:
        st.caption(t("rs.gap.exact", v=signed_t(med["raw_lo"]), n_odr=fmt_int(med["n_odr"]), m_odr=fmt_t(med["odr"]),
                     n_trad=fmt_int(med["n_traditional"]), m_trad=fmt_t(med["traditional"])))
    if not med["strata"]:
        st.warning(t("rs.gap.no_strata", min=MIN_STRATUM))
    gfig = F.gap_figure(gap["summary"], title=t("rs.gap.chart"), raw_label=t("rs.gap.raw"),
                        adj_label=t("rs.gap.adjusted.short"), median_title=t("rs.gap.median.short"),
                        settled_title=t("rs.gap.settled.short"), days_label=ul, pp_label=t("rs.gap.pp"),
                        exact_label=t("rs.gap.exact.short", v="%{x:+.4~f}"), too_few_label=t("rs.gap.too_few"))
    chart_block(gfig, gap["summary"], f"odr_gap_{unit}")
    st.markdown(t("rs.gap.explain"))
    method = st.expander(t("rs.gap.how"), key="rs_gap_how", on_change="rerun")
    if method.open:
        with method:
            st.markdown(t("rs.gap.adjusted.help", k=int(med["strata"]), min=MIN_STRATUM,
                          cov=fmt_pct(med["coverage"]), k2=int(setl["strata"]), cov2=fmt_pct(setl["coverage"])))
            st.markdown(t("rs.gap.intervals"))
    strata = st.expander(t("rs.gap.strata"), key="rs_gap_strata", on_change="rerun")
    if strata.open:
        with strata:
            s = gap["strata"]
            yes, no = t("rs.yes"), t("rs.no")
            stbl = pd.DataFrame({
                t("rs.col.category"): [md(label(x, "cat", lang)) for x in s["category"]],
                t("rs.col.n_odr"): [fmt_int(x) for x in s["n_odr"]],
                t("rs.col.n_trad"): [fmt_int(x) for x in s["n_traditional"]],
                t("rs.col.med_odr"): [fmt_t(x) for x in s["median_odr"]],
                t("rs.col.med_trad"): [fmt_t(x) for x in s["median_traditional"]],
                t("rs.col.set_odr"): [t("rs.col.rate_of", rate=fmt_pct(r), n=fmt_int(n))
                                      for r, n in zip(s["settled_odr"], s["accepted_odr"])],
                t("rs.col.set_trad"): [t("rs.col.rate_of", rate=fmt_pct(r), n=fmt_int(n))
                                       for r, n in zip(s["settled_traditional"], s["accepted_traditional"])],
                t("rs.col.weight"): [fmt_pct(x) for x in s["weight"]],
                t("rs.col.weight_settled"): [fmt_pct(x) for x in s["weight_settled"]],
                t("rs.col.included"): [yes if x else no for x in s["included"]],
            })
            st.table(stbl, hide_index=True)


if tab["gap"].open:
    with tab["gap"]:
        gap_section()

# --- 5. deadlines -------------------------------------------------------------------------------


def deadlines_section() -> None:
    st.subheader(t("rs.dl.header"), anchor=False)
    k = data.call(queries.complaint_kpis, f).iloc[0]
    acc = data.call(R.acceptance_decisions, f)
    c = st.columns(3)
    with c[0]:
        pending = int(k["complaints"] - k["on_time_base"])
        st.metric(t("rs.dl.on_time"), fmt_pct(k["on_time_rate"]),
                  delta=t("rs.dl.on_time.value", num=fmt_int(k["on_time"]), den=fmt_int(k["on_time_base"])),
                  delta_color="off", delta_arrow="off", border=True,
                  help=t("rs.dl.on_time.help", pending=fmt_int(pending)))
    with c[1]:
        if len(acc):
            a = acc[acc["is_total"]].iloc[0]
            st.metric(t("rs.dl.accept"), fmt_pct(a["rate"]),
                      delta=t("rs.dl.on_time.value", num=fmt_int(a["on_time"]), den=fmt_int(a["decided"])),
                      delta_color="off", delta_arrow="off", border=True,
                      help=t("rs.dl.accept.help", undecided=fmt_int(a["undecided"]),
                             late=fmt_int(a["undecided_late"])))
        else:
            st.metric(t("rs.dl.accept"), "—", border=True, help=t("rs.dl.accept.none"))
    overdue_slot = c[2].empty()

    ot = data.call(R.on_time_weekly, f)
    ofig = F.on_time_weekly_figure(ot, routes, ROUTE_NAMES, title=t("rs.dl.weekly"),
                                   y_label=t("rs.dl.on_time"), lang=lang)
    chart_block(ofig, ot[ot["route"].isin(routes)], "on_time_weekly")
    st.caption(t("rs.dl.weekly.note"))

    dd = data.call(R.deadline_by_district, f)
    dfig = F.district_on_time_figure(dd, name_col, title=t("rs.dl.district"), x_label=t("rs.dl.on_time"), lang=lang)
    chart_block(dfig, dd, "on_time_by_district")
    st.markdown(f"**{t('rs.dl.district.table')}**")
    dtbl = pd.DataFrame({
        t("rs.col.district"): [md(x) for x in dd[name_col]],
        t("rs.col.on_time_rate"): [t("rs.col.rate_n", rate=fmt_pct(r), num=fmt_int(a), den=fmt_int(b))
                                   for r, a, b in zip(dd["on_time_rate"], dd["on_time"], dd["on_time_base"])],
        t("rs.col.accept_rate"): [t("rs.col.rate_n", rate=fmt_pct(r), num=fmt_int(a), den=fmt_int(b))
                                  for r, a, b in zip(dd["accept_rate"], dd["accept_on_time"], dd["accept_decided"])],
        t("rs.col.accept_late"): [fmt_int(x) for x in dd["accept_undecided_late"]],
    })
    st.table(dtbl, hide_index=True)

    st.markdown(f"**{t('rs.dl.list')}**")
    overdue_period = state.url_widget(st.toggle, "rs_overdue_period", False, parse=state.BOOL[0],
                                      dump=state.BOOL[1], label=t("rs.dl.list.period"))
    limit = 1000      # list (district, received-date order); the metric is the full count
    overdue = data.call(R.overdue_open, f, all_periods=not overdue_period, limit=limit)
    n_overdue = len(overdue) if len(overdue) < limit else \
        data.call(R.overdue_open_count, f, all_periods=not overdue_period)
    with overdue_slot:
        st.metric(t("rs.dl.overdue"), fmt_int(n_overdue), border=True,
                  delta=t("rs.dl.overdue.period" if overdue_period else "rs.dl.overdue.any"),
                  delta_color="off", delta_arrow="off",
                  help=t("rs.dl.overdue.help" if not overdue_period else "rs.dl.overdue.help.period",
                         date=as_of_text))
    st.caption(t("rs.dl.list.note", date=as_of_text))
    if not len(overdue):
        st.success(t("rs.dl.list.none"), icon=":material/check_circle:")
        return
    dnames = dict(zip(dd["code"], dd[name_col]))
    columns = {"reg_no": t("rs.col.reg_no"), "received_date": t("rs.col.received"), "route": t("rs.col.route"),
               "category": t("rs.col.category"), "merchant_name": t("rs.col.merchant"),
               "acceptance": t("rs.col.acceptance"), "deadline_date": t("rs.col.deadline"),
               "overdue_wdays": t("rs.col.overdue_wdays"), "age_wdays": t("rs.col.age_wdays")}
    for code, grp in overdue.groupby("district_code", sort=True, dropna=False):
        name = dnames.get(code, code if isinstance(code, str) else "—")
        box = st.expander(t("rs.dl.list.group", district=md(name), n=len(grp), age=fmt_int(grp["age_wdays"].max())),
                          expanded=len(overdue) <= 15, key=f"rs_overdue_{code}", on_change="rerun")
        if not box.open:
            continue
        g = grp.sort_values("age_wdays", ascending=False)
        show = pd.DataFrame({
            "reg_no": g["reg_no"].fillna("—"),
            "received_date": [fmt.date(d, lang) for d in g["received_date"]],
            "route": [ROUTE_NAMES[r] for r in g["route"]],
            "category": [label(x, "cat", lang) if not fmt.missing(x) else "—" for x in g["category"]],
            "merchant_name": g["merchant_name"].fillna("—"),
            "acceptance": [label(a, "acceptance", lang) if not fmt.missing(a)
                           else t("rs.acc.none" if r == "odr" else "rs.acc.pending")
                           for a, r in zip(g["acceptance"], g["route"])],
            "deadline_date": [fmt.date(d, lang) for d in g["deadline_date"]],
            "overdue_wdays": g["overdue_wdays"], "age_wdays": g["age_wdays"],
        }).rename(columns=columns)
        with box:
            st.dataframe(show, hide_index=True, column_config={
                columns["reg_no"]: st.column_config.TextColumn(width="small"),
                columns["received_date"]: st.column_config.TextColumn(width="small"),
                columns["deadline_date"]: st.column_config.TextColumn(width="small"),
                columns["overdue_wdays"]: st.column_config.NumberColumn(width="small"),
                columns["age_wdays"]: st.column_config.NumberColumn(width="small"),
            })
    downloads(None, overdue, "overdue_open", png=False, period=as_of)
    if n_overdue > len(overdue):
        st.caption(t("rs.dl.list.limit", n=fmt_int(len(overdue)), total=fmt_int(n_overdue)))


if tab["deadlines"].open:
    with tab["deadlines"]:
        deadlines_section()
