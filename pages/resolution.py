from ui.page import begin

ctx = begin()

# Resolution time: how fast disputes are settled, ODR against traditional, deadlines (issue 4).
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from analytics import queries  # noqa: E402
from analytics import resolution as R  # noqa: E402
from ui import data, state  # noqa: E402
from ui.figures import resolution as F  # noqa: E402
from ui.i18n import label, t  # noqa: E402
from ui.page import chart_block, downloads, fmt_int, fmt_pct  # noqa: E402
from ui.text import md  # noqa: E402

f, lang = ctx.filters, ctx.lang
as_of = ctx.as_of
name_col = "name_en" if lang == "en" else "short_name"
ROUTE_NAMES = {r: t(f"rs.route.{r}") for r in ("all", "odr", "traditional")}
SHORT = {r: t(f"rs.route.short.{r}") for r in ("all", "odr", "traditional")}   # for card labels

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
    dist_mode = state.url_widget(st.segmented_control, "rs_dist", "hist", options=["hist", "ecdf"],
                                 label=t("rs.ctl.dist"), required=True,
                                 format_func=lambda m: t(f"rs.ctl.dist.{m}", lang=lang))
unit = unit or "days"
n_wd = int(max(1, min(90, n_wd or 10)))
ul = t(f"rs.unit.{unit}")


def fmt_t(x, u: str = unit) -> str:
    """A time in ``u`` (days / working days): whole numbers without decimals, else one decimal."""
    if x is None or pd.isna(x):
        return "—"
    x = float(x)
    v = f"{int(x)}" if x == int(x) else f"{x:.1f}"
    return t(f"rs.fmt.{u}.one" if x == 1 else f"rs.fmt.{u}", v=v)


def fmt_ci(lo, hi, fmt=fmt_t) -> str:
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return "—"
    return f"{fmt(lo)} – {fmt(hi)}"


kms = data.call(R.km_summary, f, unit, n_wd)
if not len(kms):
    st.info(t("data.no_rows"))
    st.stop()

present = [r for r in ("odr", "traditional") if r in set(kms["route"])]
routes = present if present else ["all"]
by_route = kms.set_index("route")

# --- 1. Kaplan–Meier ----------------------------------------------------------------------------
st.subheader(t("rs.km.header"), anchor=False)
for r in routes:
    k = by_route.loc[r]
    cols = st.columns(4)
    with cols[0]:
        st.metric(t("rs.km.median", route=SHORT[r]), fmt_t(k["km_median"]),
                  delta=t("rs.km.naive", v=fmt_t(k["naive_median"])), delta_color="off", delta_arrow="off",
                  border=True, help=t("rs.km.median.help", lo=fmt_t(k["km_median_lo"]), hi=fmt_t(k["km_median_hi"])))
    with cols[1]:
        st.metric(t("rs.km.p90", route=SHORT[r]), fmt_t(k["km_p90"]),
                  delta=t("rs.km.naive", v=fmt_t(k["naive_p90"])), delta_color="off", delta_arrow="off",
                  border=True, help=t("rs.km.p90.help"))
    with cols[2]:
        st.metric(t("rs.km.within", route=SHORT[r], n=n_wd), fmt_pct(k["within_n"]),
                  delta=t("rs.km.naive", v=fmt_pct(k["naive_within_n"])), delta_color="off", delta_arrow="off",
                  border=True, help=t("rs.km.within.help", n=n_wd, lo=fmt_pct(k["within_n_lo"]),
                                      hi=fmt_pct(k["within_n_hi"]), naive=fmt_pct(k["naive_within_n"])))
    with cols[3]:
        st.metric(t("rs.km.open", route=SHORT[r]),
                  t("rs.km.open.value", open=fmt_int(k["open"]), n=fmt_int(k["complaints"])),
                  delta=t("rs.km.open.delta", age=fmt_t(k["max_open_age"])) if k["open"] else None,
                  delta_color="off", delta_arrow="off", border=True,
                  help=t("rs.km.open.help", age=fmt_t(k["max_open_age"])))

curves = data.call(R.km_curves, f, unit)
fig = F.km_figure(curves, routes, ROUTE_NAMES, title=t("rs.km.chart"), x_label=ul, y_label=t("rs.km.y"),
                  median_label=t("rs.median"), p90_label=t("rs.p90"))
chart_block(fig, curves, f"km_{unit}")

lines = []
for r in routes:
    k = by_route.loc[r]
    if k["open"]:
        lines.append(t("rs.km.now", route=ROUTE_NAMES[r], open=fmt_int(k["open"]), age=fmt_t(k["max_open_age"]),
                       naive=fmt_t(k["naive_median"]), km=fmt_t(k["km_median"])))
    else:
        lines.append(t("rs.km.all_closed", route=ROUTE_NAMES[r]))
st.markdown("\n".join(f"- {x}" for x in lines))
st.markdown(t("rs.km.explain"))

with st.expander(t("rs.km.table")):
    tbl = pd.DataFrame({
        t("rs.col.route"): [ROUTE_NAMES[r] for r in kms["route"]],
        t("rs.col.complaints"): kms["complaints"],
        t("rs.col.closed"): kms["closed"],
        t("rs.col.open"): kms["open"],
        t("rs.col.naive_median"): [fmt_t(x) for x in kms["naive_median"]],
        t("rs.col.km_median"): [fmt_t(x) for x in kms["km_median"]],
        t("rs.col.km_median_ci"): [fmt_ci(a, b) for a, b in zip(kms["km_median_lo"], kms["km_median_hi"])],
        t("rs.col.naive_p90"): [fmt_t(x) for x in kms["naive_p90"]],
        t("rs.col.km_p90"): [fmt_t(x) for x in kms["km_p90"]],
        t("rs.col.within", n=n_wd): [fmt_pct(x) for x in kms["within_n"]],
        t("rs.col.within_ci"): [fmt_ci(a, b, fmt_pct) for a, b in zip(kms["within_n_lo"], kms["within_n_hi"])],
        t("rs.col.naive_within", n=n_wd): [fmt_pct(x) for x in kms["naive_within_n"]],
    })
    st.dataframe(tbl, hide_index=True)

# --- 2. distribution ---------------------------------------------------------------------------
st.subheader(t("rs.dist.header"), anchor=False)
counts = data.call(R.time_counts, f, unit)
if not counts["closed"].any():
    st.info(t("data.no_rows"))
else:
    cap = F.cap_for(counts)
    dfig = F.distribution_figure(counts, routes, ROUTE_NAMES, mode=dist_mode,
                                 title=t("rs.dist.ecdf" if dist_mode == "ecdf" else "rs.dist.hist"),
                                 x_label=ul, y_label=t("rs.dist.cum" if dist_mode == "ecdf" else "rs.dist.share"),
                                 cap=cap)
    chart_block(dfig, counts[counts["closed"]], f"resolution_distribution_{unit}")
    if dist_mode == "hist":
        st.caption(t("rs.dist.note", cap=fmt_t(cap)))
    catq = data.call(R.category_quantiles, f, unit)
    bfig = F.category_box_figure(catq, routes, ROUTE_NAMES, lambda c: label(c, "cat", lang),
                                 title=t("rs.box.title"), x_label=ul)
    chart_block(bfig, catq, f"resolution_by_category_{unit}")
    st.caption(t("rs.box.note"))

# --- 3. weekly ----------------------------------------------------------------------------------
st.subheader(t("rs.week.header"), anchor=False)
wq = data.call(R.weekly_quantiles, f, unit)
wfig = F.weekly_quantiles_figure(wq, routes, ROUTE_NAMES, title=t("rs.week.title"), y_label=ul,
                                 median_label=t("rs.median"), p90_label=t("rs.p90"),
                                 open_label=t("rs.col.open"), closed_label=t("rs.col.closed"))
chart_block(wfig, wq[wq["route"].isin(routes)], f"weekly_median_p90_{unit}")
st.caption(t("rs.week.note"))

# --- 4. ODR against traditional -----------------------------------------------------------------
st.subheader(t("rs.gap.header"), anchor=False)
MIN_STRATUM = 5
gap = data.call(R.route_gap, f, unit, min_stratum=MIN_STRATUM)
gs = gap["summary"].set_index("metric")
med, setl = gs.loc["median"], gs.loc["settled"]
if med["raw"] is None or pd.isna(med["raw"]):
    st.info(t("rs.gap.need_both"))
else:
    def signed_t(x):
        if x is None or pd.isna(x):
            return "—"
        return f"{x:+.0f} {ul}" if x == int(x) else f"{x:+.1f} {ul}"

    def signed_pp(x):
        return "—" if x is None or pd.isna(x) else f"{x * 100:+.1f} pp"

    exact = not pd.isna(med["raw_lo"]) and med["raw_lo"] == med["raw_hi"]
    if exact:       # whole days, the middle of both routes in one run of equal days
        raw_med_ci = t("rs.gap.exact.short", v=signed_t(med["raw_lo"]))
    elif pd.isna(med["raw_lo"]):
        raw_med_ci = t("rs.gap.too_few")
    else:
        raw_med_ci = fmt_ci(med["raw_lo"], med["raw_hi"], signed_t)
    gtbl = pd.DataFrame({
        t("rs.gap.col.measure"): [t("rs.gap.median.row", unit=ul), t("rs.gap.settled.row")],
        t("rs.gap.col.odr"): [fmt_t(med["odr"]) + f" (n={fmt_int(med['n_odr'])})",
                              fmt_pct(setl["odr"]) + f" (n={fmt_int(setl['n_odr'])})"],
        t("rs.gap.col.trad"): [fmt_t(med["traditional"]) + f" (n={fmt_int(med['n_traditional'])})",
                               fmt_pct(setl["traditional"]) + f" (n={fmt_int(setl['n_traditional'])})"],
        t("rs.gap.col.raw"): [signed_t(med["raw"]), signed_pp(setl["raw"])],
        t("rs.gap.col.raw_ci"): [raw_med_ci, fmt_ci(setl["raw_lo"], setl["raw_hi"], signed_pp)],
        t("rs.gap.col.adj"): [signed_t(med["adjusted"]), signed_pp(setl["adjusted"])],
        t("rs.gap.col.adj_ci"): [fmt_ci(med["adj_lo"], med["adj_hi"], signed_t),
                                 fmt_ci(setl["adj_lo"], setl["adj_hi"], signed_pp)],
    })
    st.dataframe(gtbl, hide_index=True)
    help_a = t("rs.gap.adjusted.help", k=int(med["strata"]), min=MIN_STRATUM, cov=fmt_pct(med["coverage"]),
               k2=int(setl["strata"]), cov2=fmt_pct(setl["coverage"]))
    st.caption(t("rs.gap.method", excluded=fmt_int(setl["excluded"])) + " " + help_a)
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
    with st.expander(t("rs.gap.strata")):
        s = gap["strata"]
        stbl = pd.DataFrame({
            t("rs.col.category"): [label(x, "cat", lang) for x in s["category"]],
            t("rs.col.n_odr"): s["n_odr"], t("rs.col.n_trad"): s["n_traditional"],
            t("rs.col.med_odr"): s["median_odr"], t("rs.col.med_trad"): s["median_traditional"],
            t("rs.col.acc_odr"): s["accepted_odr"], t("rs.col.acc_trad"): s["accepted_traditional"],
            t("rs.col.set_odr"): s["settled_odr"] * 100, t("rs.col.set_trad"): s["settled_traditional"] * 100,
            t("rs.col.weight"): s["weight"] * 100, t("rs.col.included"): s["included"],
            t("rs.col.weight_settled"): s["weight_settled"] * 100,
        })
        st.dataframe(stbl, hide_index=True, column_config={
            t("rs.col.med_odr"): st.column_config.NumberColumn(format="%.1f"),
            t("rs.col.med_trad"): st.column_config.NumberColumn(format="%.1f"),
            t("rs.col.set_odr"): st.column_config.NumberColumn(format="%.1f%%"),
            t("rs.col.set_trad"): st.column_config.NumberColumn(format="%.1f%%"),
            t("rs.col.weight"): st.column_config.NumberColumn(format="%.1f%%"),
            t("rs.col.weight_settled"): st.column_config.NumberColumn(format="%.1f%%"),
        })

# --- 5. deadlines -------------------------------------------------------------------------------
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
                  help=t("rs.dl.accept.help", undecided=fmt_int(a["undecided"]), late=fmt_int(a["undecided_late"])))
    else:
        st.metric(t("rs.dl.accept"), "—", border=True, help=t("rs.dl.accept.none"))
overdue_slot = c[2].empty()

ot = data.call(R.on_time_weekly, f)
ofig = F.on_time_weekly_figure(ot, routes, ROUTE_NAMES, title=t("rs.dl.weekly"),
                               y_label=t("rs.dl.on_time"))
chart_block(ofig, ot[ot["route"].isin(routes)], "on_time_weekly")
st.caption(t("rs.dl.weekly.note"))

dd = data.call(R.deadline_by_district, f)
dfig = F.district_on_time_figure(dd, name_col, title=t("rs.dl.district"), x_label=t("rs.dl.on_time"))
chart_block(dfig, dd, "on_time_by_district")
st.markdown(f"**{t('rs.dl.district.table')}**")
dtbl = pd.DataFrame({
    t("rs.col.district"): dd[name_col],
    t("rs.col.on_time_rate"): dd["on_time_rate"] * 100,
    t("rs.col.on_time"): dd["on_time"],
    t("rs.col.on_time_base"): dd["on_time_base"],
    t("rs.col.accept_rate"): dd["accept_rate"] * 100,
    t("rs.col.accept_decided"): dd["accept_decided"],
    t("rs.col.accept_late"): dd["accept_undecided_late"],
})
st.dataframe(dtbl, hide_index=True, column_config={
    t("rs.col.on_time_rate"): st.column_config.ProgressColumn(format="%.1f%%", min_value=0, max_value=100),
    t("rs.col.accept_rate"): st.column_config.ProgressColumn(format="%.1f%%", min_value=0, max_value=100),
})

st.markdown(f"**{t('rs.dl.list')}**")
overdue_period = state.url_widget(st.toggle, "rs_overdue_period", False, parse=state.BOOL[0], dump=state.BOOL[1],
                                  label=t("rs.dl.list.period"))
OVERDUE_LIMIT = 1000      # list (district, received-date order); the metric is the full count
overdue = data.call(R.overdue_open, f, all_periods=not overdue_period, limit=OVERDUE_LIMIT)
n_overdue = len(overdue) if len(overdue) < OVERDUE_LIMIT else \
    data.call(R.overdue_open_count, f, all_periods=not overdue_period)
with overdue_slot:
    st.metric(t("rs.dl.overdue.period" if overdue_period else "rs.dl.overdue"), fmt_int(n_overdue), border=True,
              help=t("rs.dl.overdue.help" if not overdue_period else "rs.dl.overdue.help.period",
                     date=as_of.isoformat() if as_of else "—"))
st.caption(t("rs.dl.list.note", date=as_of.isoformat() if as_of else "—"))
if not len(overdue):
    st.success(t("rs.dl.list.none"), icon=":material/check_circle:")
else:
    dnames = dict(zip(dd["code"], dd[name_col]))
    show = overdue.assign(route=[ROUTE_NAMES[r] for r in overdue["route"]],
                          category=[label(x, "cat", lang) for x in overdue["category"]])
    for code, grp in show.groupby("district_code", sort=True, dropna=False):
        name = dnames.get(code, code if isinstance(code, str) else "—")
        with st.expander(t("rs.dl.list.group", district=md(name), n=len(grp),
                           age=fmt_int(grp["age_wdays"].max())), expanded=len(show) <= 15):
            st.dataframe(grp.drop(columns=["district_code"]).sort_values("age_wdays", ascending=False).rename(columns={
                "reg_no": t("rs.col.reg_no"), "route": t("rs.col.route"), "received_date": t("rs.col.received"),
                "category": t("rs.col.category"), "merchant_name": t("rs.col.merchant"),
                "acceptance": t("rs.col.acceptance"), "deadline_date": t("rs.col.deadline"),
                "age_days": t("rs.col.age_days"), "age_wdays": t("rs.col.age_wdays"),
                "overdue_wdays": t("rs.col.overdue_wdays")}), hide_index=True)
    downloads(None, overdue, "overdue_open", png=False, period=as_of)
    if n_overdue > len(overdue):
        st.caption(t("rs.dl.list.limit", n=fmt_int(len(overdue)), total=fmt_int(n_overdue)))
