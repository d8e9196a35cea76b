"""Returns, ODR and demonstration units: the merchant side of the programmes, with a merchant
lookup. Headline numbers come from analytics.queries (the functions behind ``figures``); the
breakdowns from analytics.programmes."""
from ui.page import begin

ctx = begin()

import datetime as dt  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from analytics import programmes as P  # noqa: E402
from analytics import queries  # noqa: E402
from ui import data, fmt, state  # noqa: E402
from ui.figures import programmes as figs  # noqa: E402
from ui.i18n import label, t  # noqa: E402
from ui.page import chart_block, downloads  # noqa: E402
from ui.text import md  # noqa: E402

f, lang = ctx.filters, ctx.lang
SMALL = 30  # stores: below this a per-1,000 rate is flagged as a small sample
GREY = dict(delta_color="off", delta_arrow="off")   # a metric's second line: its count, not a change

districts = data.call(queries.districts)
dname = dict(zip(districts["code"], districts["name_en" if lang == "en" else "short_name"]))


def dist(code) -> str:
    return dname.get(code, code or t("pg.blank"))


def cat(value) -> str:
    return label(value, "cat", lang) if value else t("pg.blank")


def day(d) -> str:
    """A date for a table cell or caption: 2024年1月8日 / Jan 8, 2024; "—" when missing."""
    return fmt.date(d, lang)


def yuan(x) -> str:
    return fmt.yuan(x, lang)


def kpi_yuan(x) -> str:
    """Money on a KPI card: whole 万元 from 1,000万 up (1,318万元), so that it fits a quarter of 1280 px."""
    return fmt.yuan(x, lang, nd=0 if not fmt.missing(x) and abs(float(x)) >= 1e7 else 1)


def big(x) -> str:
    """A count on a KPI: 4.52万 / 45,172."""
    return fmt.big(x, lang, nd=2)


def num(x, nd: int = 0) -> str:
    return fmt.num(x, nd)


def pct(x) -> str:
    return fmt.pct(x)


def lazy_tabs(name: str, keys: list[str], default: str) -> dict:
    """This page's tabs built only when chosen, kept in the URL (ui.state.url_tabs)."""
    return state.url_tabs(name, keys, default, [t(f"pg.tab.{k}") for k in keys])


def table(df: pd.DataFrame) -> None:
    """A small table of preformatted text (no data grid: nothing to sort or scroll)."""
    st.table(df, hide_index=True)


# --- headline: the figures contract ---------------------------------------------------------------
reg = data.call(queries.registry_counts, f)
ret = data.call(queries.returns_summary, f)
resolved = data.call(queries.odr_resolved, f)
commit = data.call(P.returns_commitments, f)

st.caption(t("pg.intro", to=day(f.date_to)))
# three to a row: at 1280 px a quarter of the pane cuts labels such as "Demonstration operators"
row1, row2, row3 = st.columns(3), st.columns(3), st.columns(3)
with row1[0]:
    st.metric(t("pg.kpi.odr_ent"), big(reg["odr_enterprises"]), border=True,
              help=t("pg.kpi.odr_ent.help", to=day(f.date_to)))
with row1[1]:
    st.metric(t("pg.kpi.odr_resolved"), big(resolved), border=True, help=t("pg.kpi.odr_resolved.help"))
with row1[2]:
    st.metric(t("pg.kpi.stores"), big(reg["return_stores"]), border=True,
              help=t("pg.kpi.stores.help", n=num(reg["return_stores"]), with_ret=num(commit["committed_with_return"]),
                     dormant=num(commit["dormant"])))     # "—": period after the as-of date
with row2[0]:
    st.metric(t("pg.kpi.amount"), kpi_yuan(ret["amount_yuan"]), border=True,
              help=t("pg.kpi.amount.help", yuan=num(ret["amount_yuan"], 2), n=num(ret["count"])))
with row2[1]:
    done = round((ret["completion_rate"] or 0) * ret["count"])
    st.metric(t("pg.kpi.returns"), big(ret["count"]),
              delta=t("pg.kpi.returns.delta", rate=pct(ret["completion_rate"])) if ret["count"] else None,
              **GREY, border=True,
              help=t("pg.kpi.returns.help", n=num(ret["count"]), done=num(done), stores=num(ret["stores"])))
with row2[2]:
    st.metric(t("pg.kpi.streets"), big(reg["demo_districts"]), border=True, help=t("pg.kpi.demo.help"))
with row3[0]:
    st.metric(t("pg.kpi.chains"), big(reg["demo_chain_stores"]), border=True, help=t("pg.kpi.demo.help"))
with row3[1]:
    st.metric(t("pg.kpi.operators"), big(reg["demo_operators"]), border=True, help=t("pg.kpi.demo.help"))
if f.districts or f.route != "all":
    st.caption(t("pg.filters_scope"))

# --- section switch (URL-bound) ----------------------------------------------------------------------
VIEWS = ["returns", "odr", "demo", "lookup"]
_qp = st.query_params
default_view = "lookup" if ("pg_view" not in _qp and (_qp.get("pg_q") or _qp.get("pg_merchant"))) else "returns"
view = state.url_widget(st.segmented_control, "pg_view", default_view, options=VIEWS, label=t("pg.view"),
                        format_func=lambda v: t(f"pg.view.{v}", lang=lang), required=True,
                        label_visibility="collapsed") or default_view
st.divider()


# --- no-reason returns -------------------------------------------------------------------------------
def returns_view():
    if ret["count"] == 0:
        st.info(t("pg.ret.none"))
        return
    dist_ = data.call(P.returns_distribution, f)
    c = st.columns(4)
    with c[0]:
        st.metric(t("pg.ret.median"), yuan(dist_["median_yuan"]), border=True,
                  help=t("pg.ret.median.help", mean=yuan(dist_["mean_yuan"]), p90=yuan(dist_["p90_yuan"]),
                         max=yuan(dist_["max_yuan"])))
    with c[1]:
        st.metric(t("pg.ret.top"), pct(dist_["top_decile_share"]), border=True,
                  help=t("pg.ret.top.help", n=num(dist_["top_decile_n"]), yuan=yuan(dist_["top_decile_yuan"])))
    with c[2]:
        done = round((ret["completion_rate"] or 0) * ret["count"])
        st.metric(t("pg.ret.completion"), pct(ret["completion_rate"]),
                  delta=t("pg.ret.completion.delta", done=num(done), n=num(ret["count"])), **GREY,
                  border=True, help=t("pg.ret.completion.help"))
    with c[3]:
        st.metric(t("pg.ret.dormant"), big(commit["dormant"]),
                  delta=t("pg.ret.dormant.delta", share=pct(commit["dormant_share"])), **GREY,
                  border=True, help=t("pg.ret.dormant.help", dormant=num(commit["dormant"]),
                                      n=num(commit["committed"])) + " " + t("pg.ret.commit.note"))

    tabs = lazy_tabs("pg_ret_tab", ["trend", "amounts", "stores", "category", "district"], "trend")
    if tabs["open"] == "trend":
        with tabs["trend"]:
            returns_trend()
    elif tabs["open"] == "amounts":
        with tabs["amounts"]:
            bins = data.call(P.returns_amount_bins, f)
            names = [f"{num(lo)}–{num(hi)}" if not fmt.missing(hi) else t("pg.ret.bins.open", lo=num(lo))
                     for lo, hi in zip(bins["lo"], bins["hi"])]
            fig = figs.amount_bins(bins, title=t("pg.ret.bins.title"), bin_labels=names,
                                   count_label=t("pg.ret.bins.count"), amount_label=t("pg.ret.bins.amount"),
                                   x_label=t("pg.ret.bins.x"), y_label=t("pg.ret.bins.y"), lang=lang)
            chart_block(fig, bins, "returns_amount_bands")
    elif tabs["open"] == "stores":
        with tabs["stores"]:
            by_d = data.call(P.returns_by_district, f)
            fig = figs.commitments(by_d, [dist(c) for c in by_d["code"]], title=t("pg.ret.commit.title"),
                                   with_label=t("pg.ret.with_return"), none_label=t("pg.ret.dormant.bar"),
                                   x_label=t("pg.ret.commit.x"), lang=lang)
            chart_block(fig, by_d[["code", "name", "committed", "committed_with_return", "dormant", "dormant_share"]],
                        "returns_commitments")
            st.caption(t("pg.ret.commit.note") + " "
                       + t("pg.ret.uncommitted.caption", n=num(commit["uncommitted_with_return"])))
    elif tabs["open"] == "category":
        with tabs["category"]:
            cats = data.call(P.returns_by_category, f)
            names = [cat(v) for v in cats["goods_category"]]
            fig = figs.hbar(names, cats["amount_yuan"], [yuan(a) for a in cats["amount_yuan"]],
                            title=t("pg.ret.category.title"),
                            x_label=figs.money_title(cats["amount_yuan"], lang, t("pg.ret.wan"), t("pg.ret.yuan"),
                                                     t("pg.ret.yuan")),
                            hovers=[[n, t("pg.ret.hover.line", n=num(r), share=pct(s))]
                                    for n, r, s in zip(names, cats["returns"], cats["amount_share"])],
                            money_lang=lang)
            chart_block(fig, cats, "returns_by_category")
            table(pd.DataFrame({
                t("pg.col.category"): names,
                t("pg.col.returns"): [num(v) for v in cats["returns"]],
                t("pg.col.amount"): [yuan(v) for v in cats["amount_yuan"]],
                t("pg.col.share"): [pct(v) for v in cats["amount_share"]],
                t("pg.col.median"): [yuan(v) for v in cats["median_yuan"]],
                t("pg.col.stores"): [num(v) for v in cats["stores"]],
                t("pg.col.completion"): [pct(v) for v in cats["completion_rate"]],
            }))
    else:
        with tabs["district"]:
            by_d = data.call(P.returns_by_district, f)
            d = by_d.sort_values("amount_yuan", ascending=False)
            names = [dist(c) for c in d["code"]]
            fig = figs.hbar(names, d["amount_yuan"], [yuan(a) for a in d["amount_yuan"]],
                            title=t("pg.ret.district.title"),
                            x_label=figs.money_title(d["amount_yuan"], lang, t("pg.ret.wan"), t("pg.ret.yuan"),
                                                     t("pg.ret.yuan")),
                            hovers=[[n, t("pg.ret.hover.line", n=num(r), share=pct(a / d["amount_yuan"].sum()))]
                                    for n, r, a in zip(names, d["returns"], d["amount_yuan"])],
                            height=300, money_lang=lang)
            chart_block(fig, d[["code", "name", "returns", "amount_yuan", "completed", "completion_rate"]],
                        "returns_by_district")
            table(pd.DataFrame({
                t("pg.col.district"): [dist(c) for c in by_d["code"]],
                t("pg.col.returns"): [num(v) for v in by_d["returns"]],
                t("pg.col.amount"): [yuan(v) for v in by_d["amount_yuan"]],
                t("pg.col.completion"): [pct(v) for v in by_d["completion_rate"]],
                t("pg.col.committed"): [num(v) for v in by_d["committed"]],
                t("pg.col.with_return"): [num(v) for v in by_d["committed_with_return"]],
                t("pg.col.dormant"): [num(v) for v in by_d["dormant"]],
                t("pg.col.dormant_share"): [pct(v) for v in by_d["dormant_share"]],
            }))
            st.caption(t("pg.ret.commit.note"))


def returns_trend():
    with st.container(horizontal=True):
        grain = state.url_widget(st.segmented_control, "pg_grain", "week", options=["week", "month", "cum"],
                                 label=t("pg.ret.grain"), required=True,
                                 format_func=lambda g: t(f"pg.ret.grain.{g}", lang=lang)) or "week"
        measure = state.url_widget(st.segmented_control, "pg_measure", "amount", options=["amount", "count"],
                                   label=t("pg.ret.measure"), required=True,
                                   format_func=lambda m: t(f"pg.ret.measure.{m}", lang=lang)) or "amount"
    money = measure == "amount"
    if grain == "cum":
        daily = data.call(P.returns_series, f, "day")
        value = "cum_amount_yuan" if money else "cum_returns"
        y_label = (figs.money_title(daily[value], lang, t("pg.ret.cum.amount.wan"), t("pg.ret.cum.amount"),
                                    t("pg.ret.cum.amount")) if money else t("pg.ret.cum.count"))
        fig = figs.cumulative(daily, value=value, title=t(f"pg.ret.cum.title.{measure}"), y_label=y_label,
                              money=money, lang=lang)
        chart_block(fig, daily[["label", "returns", "amount_yuan", "cum_returns", "cum_amount_yuan"]],
                    "returns_cumulative")
        return
    series = data.call(P.returns_series, f, grain)
    value = "amount_yuan" if money else "returns"
    y_label = (figs.money_title(series[value], lang, t("pg.ret.wan"), t("pg.ret.yuan"), t("pg.ret.yuan"))
               if money else t("pg.ret.count"))
    fig = figs.series_bar(series, grain=grain, value=value,
                          title=t(f"pg.ret.series.title.{measure}", per=t(f"pg.ret.per.{grain}")),
                          y_label=y_label, whole_label=t("pg.ret.series.whole"),
                          partial_label=t("pg.ret.series.partial"), money=money, lang=lang)
    chart_block(fig, series, f"returns_{grain}")
    if series["partial"].any():
        st.caption(t("pg.ret.series.note"))


# --- ODR --------------------------------------------------------------------------------------------
def odr_view():
    h = data.call(P.odr_health, f)
    timeline = data.call(P.registry_series, f, "odr")
    if h["enrolled"] == 0 and timeline.empty:
        st.info(t("pg.odr.none"))
        return
    st.subheader(t("pg.odr.health"), anchor=False)
    c = st.columns(4)
    with c[0]:
        st.metric(t("pg.odr.share30"), pct(h["share_30"]), **GREY,
                  delta=t("pg.odr.share.ent", n=num(h["with_case_30"]), d=num(h["enrolled"])), border=True,
                  help=t("pg.odr.share.help", to=day(f.date_to), days=30))
    with c[1]:
        st.metric(t("pg.odr.share90"), pct(h["share_90"]), **GREY,
                  delta=t("pg.odr.share.ent", n=num(h["with_case_90"]), d=num(h["enrolled"])), border=True,
                  help=t("pg.odr.share.help", to=day(f.date_to), days=90))
    with c[2]:
        st.metric(t("pg.odr.within10"), pct(h["within_10_rate"]), **GREY,
                  delta=t("pg.odr.share.cases", n=num(h["within_10"]), d=num(h["within_10_base"])), border=True,
                  help=t("pg.odr.within10.help", open=num(h["open_past_10"])))
    with c[3]:
        st.metric(t("pg.odr.failed"), pct(h["failed_rate"]), **GREY,
                  delta=t("pg.odr.share.cases", n=num(h["failed"]), d=num(h["closed"])), border=True,
                  help=t("pg.odr.failed.help"))
    st.caption(t("pg.odr.cases_note", cases=num(h["cases"]), closed=num(h["closed"])))

    tabs = lazy_tabs("pg_odr_tab", ["timeline", "groups", "cases", "list"], "timeline")
    if tabs["open"] == "timeline":
        with tabs["timeline"]:
            if timeline.empty:
                st.info(t("pg.odr.none"))
            else:
                fig = figs.registry_timeline(timeline, title=t("pg.odr.timeline.title"),
                                             active_label=t("pg.odr.active"), enrolled_label=t("pg.odr.enrolled"),
                                             withdrawn_label=t("pg.odr.withdrawn"), period_label=t("pg.period"),
                                             lang=lang)
                chart_block(fig, timeline, "odr_enrolment")
    elif tabs["open"] == "groups":
        with tabs["groups"]:
            by = state.url_widget(st.segmented_control, "pg_odr_by", "district", options=["district", "industry"],
                                  label=t("pg.odr.by"), required=True,
                                  format_func=lambda b: t(f"pg.odr.by.{b}", lang=lang)) or "district"
            groups = data.call(P.odr_by_group, f, by)
            name = dist if by == "district" else cat
            g = groups.sort_values(["active", "cases"], ascending=False)
            names = [name(v) for v in g["group"]]
            fig = figs.hbar(names, g["active"], [num(a) for a in g["active"]],
                            hovers=[[n, t("pg.odr.group.hover", n=num(a), c=num(c))]
                                    for n, a, c in zip(names, g["active"], g["cases"])],
                            title=t("pg.odr.group.title"), x_label=t("pg.odr.group.x"), color="#2a9d8f")
            chart_block(fig, groups, f"odr_by_{by}")
            table(pd.DataFrame({
                t("pg.col.group"): [name(v) for v in g["group"]],
                t("pg.col.active"): [num(v) for v in g["active"]],
                t("pg.col.enrolled_in"): [num(v) for v in g["enrolled_in_period"]],
                t("pg.col.withdrawn_in"): [num(v) for v in g["withdrawn_in_period"]],
                t("pg.col.cases"): [num(v) for v in g["cases"]],
                t("pg.col.per_ent"): [num(v, 2) for v in g["cases_per_enterprise"]],
                t("pg.col.with_case"): [num(v) for v in g["enterprises_with_case"]],
                t("pg.col.settled"): [num(v) for v in g["settled"]],
                t("pg.col.failed"): [num(v) for v in g["failed"]],
            }))
    elif tabs["open"] == "cases":
        with tabs["cases"]:
            hist = data.call(P.odr_cases_histogram, f)
            if not len(hist):
                st.info(t("pg.odr.none"))
            else:
                ent = data.call(P.odr_enterprises, f)
                active = ent[ent["active"]]
                fig = figs.cases_histogram(hist, title=t("pg.odr.hist.title"), x_label=t("pg.odr.hist.x"),
                                           y_label=t("pg.odr.hist.y"), lang=lang)
                chart_block(fig, hist, "odr_cases_per_enterprise")
                st.caption(t("pg.odr.hist.note", n=num(hist["enterprises"].iloc[0]),
                             mean=num(active["cases"].mean(), 2), median=num(active["cases"].median(), 1)))
    else:
        with tabs["list"]:
            ent = data.call(P.odr_enterprises, f)
            status = [t("pg.status.active") if a else t("pg.status.withdrawn") for a in ent["active"]]
            etable = pd.DataFrame({
                t("pg.col.name"): ent["name"],
                t("pg.col.district"): [dist(c) for c in ent["district_code"]],
                t("pg.col.industry"): [cat(v) for v in ent["industry"]],
                t("pg.col.status"): status,
                t("pg.col.cases"): ent["cases"], t("pg.col.settled"): ent["settled"],
                t("pg.col.failed"): ent["failed"],
                t("pg.col.last_case"): [day(d) for d in ent["last_case_date"]],
            })
            small = st.column_config.Column(width="small")
            st.dataframe(etable, hide_index=True, height=360, column_config={
                t("pg.col.name"): st.column_config.Column(width="medium"),
                t("pg.col.district"): small, t("pg.col.industry"): small,
                t("pg.col.status"): st.column_config.Column(width="small", help=t("pg.col.status.help")),
                t("pg.col.cases"): st.column_config.NumberColumn(width="small", format="localized"),
                t("pg.col.settled"): st.column_config.NumberColumn(width="small", format="localized"),
                t("pg.col.failed"): st.column_config.NumberColumn(width="small", format="localized"),
                t("pg.col.last_case"): small})
            st.caption(t("pg.odr.list.note"))
            downloads(None, ent, "odr_enterprises", png=False)


# --- demonstration units -------------------------------------------------------------------------------
def demo_view():
    with st.columns([1, 2])[0]:
        as_of = state.url_widget(st.date_input, "pg_demo_date", f.date_to, parse=state.DATE[0],
                                 dump=state.DATE[1], label=t("pg.demo.as_of"), help=t("pg.demo.as_of.help"),
                                 min_value=dt.date(2000, 1, 1), max_value=dt.date(2035, 12, 31))
    if not isinstance(as_of, dt.date):
        as_of = f.date_to
    f_at = f.with_(date_from=min(f.date_from, as_of), date_to=as_of)
    reg_at = data.call(queries.registry_counts, f_at)
    c = st.columns(3)
    for col, (key, typ) in zip(c, [("demo_districts", "street"), ("demo_chain_stores", "chain_store"),
                                   ("demo_operators", "operator")]):
        with col:
            delta = reg_at[key] - reg[key]
            st.metric(t(f"pg.type.{typ}"), big(reg_at[key]), border=True,
                      delta=(f"{delta:+,}" if as_of != f.date_to else None), delta_color="off",
                      delta_description=t("pg.demo.vs_end", date=day(f.date_to)) if as_of != f.date_to else None,
                      help=t("pg.kpi.demo.help"))

    tabs = lazy_tabs("pg_demo_tab", ["units", "months", "rates"], "units")
    if tabs["open"] == "units":
        with tabs["units"]:
            counts = data.call(P.demo_counts, f, as_of)
            if counts["units"].sum() == 0:
                st.info(t("pg.demo.none", date=day(as_of)))
            else:
                panels = []
                for typ in P.DEMO_TYPES:
                    sub = counts[counts["unit_type"] == typ]
                    panels.append((t(f"pg.type.short.{typ}"), [dist(x) for x in sub["code"]], list(sub["units"]),
                                   [fmt.big(v, lang) for v in sub["units"]]))
                fig = figs.small_multiples(panels, title=t("pg.demo.counts.title", date=day(as_of)), lang=lang)
                chart_block(fig, counts,
                            "demo_units", period=as_of)
    elif tabs["open"] == "months":
        with tabs["months"]:
            series = {typ: data.call(P.registry_series, f, typ) for typ in P.DEMO_TYPES}
            if not any(len(s) for s in series.values()):
                st.info(t("pg.demo.none", date=day(f.date_to)))
            else:
                panels = [(t(f"pg.type.short.{typ}"), list(s["month"]), list(s["active"]), [])
                          for typ, s in series.items()]
                fig = figs.small_multiples(panels, title=t("pg.demo.timeline.title"), lang=lang, orientation="v",
                                           height=300)
                long = pd.concat([s.assign(unit_type=typ) for typ, s in series.items()], ignore_index=True)
                chart_block(fig, long, "demo_units_monthly")
    else:
        with tabs["rates"]:
            demo_rates()


def demo_rates():
    st.caption(t("pg.demo.rates.caption"))
    rates = data.call(P.demo_complaint_rates, f)
    if rates.empty or (rates["demo_stores"].sum() + rates["other_stores"].sum()) == 0:
        st.info(t("pg.demo.no_stores"))
        return
    s = P.demo_rate_summary(rates)
    c = st.columns(3)
    with c[0]:
        st.metric(t("pg.demo.rate_demo"), num(s["demo_rate"], 1), border=True,
                  help=t("pg.demo.rate_demo.help", c=num(s["demo_complaints"]), s=num(s["demo_stores"])))
    with c[1]:
        st.metric(t("pg.demo.rate_expected"), num(s["expected_rate"], 1), border=True,
                  help=t("pg.demo.rate_expected.help"))
    with c[2]:
        st.metric(t("pg.demo.rate_other"), num(s["other_rate"], 1), border=True,
                  help=t("pg.demo.rate_other.help", c=num(s["other_complaints"]), s=num(s["other_stores"])))
    shown = rates[(rates["demo_stores"] > 0) | (rates["other_stores"] > 0)]
    fig = figs.rate_comparison(shown, [cat(v) for v in shown["industry"]], title=t("pg.demo.rates.title"),
                               demo_label=t("pg.demo.demo_stores"), other_label=t("pg.demo.other_stores"),
                               x_label=t("pg.demo.rates.x"))
    chart_block(fig, rates, "demo_complaint_rates")
    small = (rates["demo_stores"] < SMALL) | (rates["other_stores"] < SMALL)
    table(pd.DataFrame({
        t("pg.col.industry"): [cat(v) + (" *" if sm else "") for v, sm in zip(rates["industry"], small)],
        t("pg.col.demo_stores"): [num(v) for v in rates["demo_stores"]],
        t("pg.col.demo_complaints"): [num(v) for v in rates["demo_complaints"]],
        t("pg.col.demo_rate"): [num(v, 1) for v in rates["demo_rate"]],
        t("pg.col.other_stores"): [num(v) for v in rates["other_stores"]],
        t("pg.col.other_complaints"): [num(v) for v in rates["other_complaints"]],
        t("pg.col.other_rate"): [num(v, 1) for v in rates["other_rate"]],
        t("pg.col.ratio"): [num(v, 2) for v in rates["ratio"]],
    }))
    if small.any():
        st.caption(t("pg.demo.small", n=SMALL))


# --- merchant lookup ---------------------------------------------------------------------------------
def _status_text(status: str, start, end) -> str:
    s = t(f"pg.status.{status}")
    if status == "never" or fmt.missing(start):
        return s
    if not fmt.missing(end):
        return t("pg.lk.between", status=s, start=day(start), end=day(end))
    return t("pg.lk.since", status=s, start=day(start))


def lookup_view():
    q = state.url_widget(st.text_input, "pg_q", "", parse=str, dump=str, label=t("pg.lk.q"),
                         placeholder=t("pg.lk.q.placeholder"), max_chars=100)
    q = (q or "").strip()
    last = st.session_state.get("pg:last_q")
    if last is not None and last != q:
        st.session_state["qp:pg_merchant"] = None       # a new search starts without a chosen merchant
    st.session_state["pg:last_q"] = q
    st.caption(t("pg.lk.scope"))

    results = data.call(P.merchant_search, f, q)
    current = state.url_value("pg_merchant", None, str, str)
    ids = list(results["merchant_id"])
    labels = {r.merchant_id: f"{r.name} · {r.credit_code or '—'} · {dist(r.district_code)}"
              for r in results.itertuples()}
    profile = data.call(P.merchant_profile, f, current) if current else None
    if current and profile is None:
        st.warning(t("pg.lk.unknown", id=md(current)))
    if profile is not None and current not in ids:
        ids = [current] + ids
        labels[current] = f"{profile['name']} · {profile.get('credit_code') or '—'} · {dist(profile['district_code'])}"

    if q and results.empty:
        st.info(t("pg.lk.none", q=md(q)))
    elif q:
        total = int(results["total_matches"].iloc[0])
        st.caption(t("pg.lk.results", n=num(total)) if total <= len(results)
                   else t("pg.lk.results_more", n=num(total), k=len(results)))
        yes, no = t("pg.yes"), t("pg.no")
        table = pd.DataFrame({
            t("pg.col.name"): results["name"],
            t("pg.col.district"): [dist(c) for c in results["district_code"]],
            t("pg.col.industry"): [cat(v) for v in results["industry"]],
            t("pg.col.odr"): [yes if v else no for v in results["odr_active"]],
            t("pg.col.return_commit"): [yes if v else no for v in results["return_active"]],
            t("pg.col.demo"): [yes if v else no for v in results["demo_active"]],
            t("pg.col.complaints"): results["complaints"], t("pg.col.returns_n"): results["returns"],
        })
        small = st.column_config.Column(width="small")
        st.dataframe(table, hide_index=True, height=min(400, 38 + 35 * len(table)), column_config={
            t("pg.col.name"): st.column_config.Column(width="medium", help=t("pg.lk.credit.help")),
            **{t(k): small for k in ("pg.col.district", "pg.col.industry", "pg.col.odr", "pg.col.return_commit",
                                     "pg.col.demo", "pg.col.complaints", "pg.col.returns_n")}})
    elif profile is None:
        st.info(t("pg.lk.hint"))

    if not ids:
        return
    chosen = state.url_widget(st.selectbox, "pg_merchant", None, options=ids, label=t("pg.lk.pick"),
                              format_func=lambda i: labels.get(i, i), placeholder=t("pg.lk.pick.placeholder"))
    if not chosen:
        return
    p = profile if (profile is not None and chosen == current) else data.call(P.merchant_profile, f, chosen)
    if p is None:
        return
    st.subheader(md(p["name"]), anchor=False)
    st.caption(t("pg.lk.facts", code=md(p.get("credit_code") or "—"), district=md(dist(p.get("district_code"))),
                 township=md(p.get("township") or ""), industry=md(cat(p.get("industry"))),
                 chain=t("pg.lk.chain") if p.get("is_chain") else ""))
    c = st.columns(3)
    with c[0]:
        st.metric(t("pg.lk.complaints"), num(p["complaints_period"]), border=True,
                  help=t("pg.lk.complaints.help", total=num(p["complaints_total"])))
    with c[1]:
        st.metric(t("pg.lk.odr_cases"), num(p["odr_period"]), border=True)
    with c[2]:
        st.metric(t("pg.lk.returns"), yuan(p["returns_yuan_period"]), **GREY,
                  delta=t("pg.lk.returns.delta", n=num(p["returns_period"])), border=True,
                  help=t("pg.lk.returns.help", n=num(p["returns_period"]), done=num(p["returns_completed_period"])))
    commit_days = t("pg.lk.commit_days", d=int(p["return_commit_days"])) \
        if p.get("return_commit_days") and p["return_status"] != "never" else ""
    demo_units = p["demo_units"]
    demo_txt = "；".join(
        f"{t('pg.type.' + u['unit_type'])} · " + _status_text("active" if u["active"] else
                                                                ("not_yet" if u["named_date"] > f.date_to else "withdrawn"),
                                                                u["named_date"], u["withdrawn_date"])
        for u in demo_units) if demo_units else t("pg.lk.demo_none")
    facts = pd.DataFrame({
        "k": [t("pg.lk.odr_status"), t("pg.lk.return_status"), t("pg.lk.demo_status")],
        "v": [_status_text(p["odr_status"], p["odr_enrolled_date"], p["odr_withdrawn_date"]),
              _status_text(p["return_status"], p["return_commit_date"], p["return_withdrawn_date"]) + commit_days,
              demo_txt],
    })
    st.table(facts.set_index("k").rename_axis(None).rename(columns={"v": t("pg.col.status")}))

    monthly = data.call(P.merchant_monthly, f, chosen)
    fig = figs.merchant_monthly(monthly, title=t("pg.lk.monthly.title"), odr_label=t("common.odr"),
                                trad_label=t("common.traditional"), returns_label=t("pg.lk.returns_line"),
                                y_label=t("common.complaints"), y2_label=t("pg.ret.yuan"), lang=lang)
    chart_block(fig, monthly, "merchant_monthly", filters=f.with_(merchant=str(labels.get(chosen, chosen))))

    st.subheader(t("pg.lk.list"), anchor=False)
    comp = data.call(P.merchant_complaints, f, chosen)
    if comp.empty:
        st.info(t("pg.lk.no_complaints"))
        return
    ctable = pd.DataFrame({
        t("pg.col.reg_no"): comp["reg_no"], t("pg.col.received"): [day(d) for d in comp["received_date"]],
        t("pg.col.closed"): [day(d) for d in comp["closed_date"]],
        t("pg.col.route"): [t("common.odr") if v else t("common.traditional") for v in comp["is_odr"]],
        t("pg.col.problem"): [label(v, "problem", lang) if v else "" for v in comp["problem"]],
        t("pg.col.outcome"): [label(v, "outcome", lang) if isinstance(v, str) else "—" for v in comp["outcome"]],
        t("pg.col.days"): [fmt.days(v, lang, 0) for v in comp["resolution_days"]],
        t("pg.col.disputed"): [yuan(v) for v in comp["disputed_yuan"]],
        t("pg.col.recovered"): [yuan(v) for v in comp["recovered_yuan"]],
    })
    small = st.column_config.Column(width="small")
    st.dataframe(ctable, hide_index=True, column_config={
        t("pg.col.reg_no"): st.column_config.Column(width="medium"),
        **{t(k): small for k in ("pg.col.received", "pg.col.closed", "pg.col.route", "pg.col.problem",
                                 "pg.col.outcome", "pg.col.disputed", "pg.col.recovered")},
        t("pg.col.days"): st.column_config.Column(width="small", help=t("pg.col.days.help")),
    })
    downloads(None, comp, "merchant_complaints", png=False, filters=f.with_(merchant=str(labels.get(chosen, chosen))))


{"returns": returns_view, "odr": odr_view, "demo": demo_view, "lookup": lookup_view}[view]()
