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
from ui import data, state  # noqa: E402
from ui.figures import programmes as figs  # noqa: E402
from ui.i18n import label, t  # noqa: E402
from ui.page import chart_block, downloads, fmt_int, fmt_num, fmt_pct, fmt_yuan  # noqa: E402
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


def iso(d) -> str:
    """A date for a table cell; blank when missing (None / NaT)."""
    return d.isoformat() if d is not None and not pd.isna(d) else ""


def yuan(x) -> str:
    return fmt_yuan(x, lang)


def pct_col(label_: str):
    return st.column_config.ProgressColumn(label_, format="%.1f%%", min_value=0, max_value=100)


def tag(name: str) -> str:
    """File-name stem of a download: the view plus the period (and districts when filtered)."""
    d = ("_" + "-".join(f.districts)) if f.districts else ""
    return f"{name}_{f.date_from}_{f.date_to}{d}"


# --- headline: the figures contract ---------------------------------------------------------------
reg = data.call(queries.registry_counts, f)
ret = data.call(queries.returns_summary, f)
resolved = data.call(queries.odr_resolved, f)
commit = data.call(P.returns_commitments, f)

st.caption(t("pg.intro", to=f.date_to.isoformat()))
row1, row2 = st.columns(4), st.columns(4)
with row1[0]:
    st.metric(t("pg.kpi.odr_ent"), fmt_int(reg["odr_enterprises"]), border=True,
              help=t("pg.kpi.odr_ent.help", to=f.date_to.isoformat()))
with row1[1]:
    st.metric(t("pg.kpi.odr_resolved"), fmt_int(resolved), border=True, help=t("pg.kpi.odr_resolved.help"))
with row1[2]:
    st.metric(t("pg.kpi.stores"), fmt_int(reg["return_stores"]), border=True,
              help=t("pg.kpi.stores.help", with_ret=f"{commit['committed_with_return']:,}",
                     dormant=fmt_int(commit["dormant"])))     # None: period after the as-of date
with row1[3]:
    st.metric(t("pg.kpi.amount"), yuan(ret["amount_yuan"]), border=True,
              help=t("pg.kpi.amount.help", yuan=f"{ret['amount_yuan']:,.2f}", n=f"{ret['count']:,}"))
with row2[0]:
    done = round((ret["completion_rate"] or 0) * ret["count"])
    st.metric(t("pg.kpi.returns"), fmt_int(ret["count"]),
              delta=t("pg.kpi.returns.delta", rate=fmt_pct(ret["completion_rate"])) if ret["count"] else None,
              **GREY, border=True,
              help=t("pg.kpi.returns.help", n=f"{ret['count']:,}", done=f"{done:,}", stores=f"{ret['stores']:,}"))
with row2[1]:
    st.metric(t("pg.kpi.streets"), fmt_int(reg["demo_districts"]), border=True, help=t("pg.kpi.demo.help"))
with row2[2]:
    st.metric(t("pg.kpi.chains"), fmt_int(reg["demo_chain_stores"]), border=True, help=t("pg.kpi.demo.help"))
with row2[3]:
    st.metric(t("pg.kpi.operators"), fmt_int(reg["demo_operators"]), border=True, help=t("pg.kpi.demo.help"))
st.caption(t("pg.figures_note", start=f.date_from.isoformat(), end=f.date_to.isoformat())
           + ("" if not f.districts and f.route == "all" else "  \n" + t("pg.filters_scope")))

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
        st.metric(t("pg.ret.top"), fmt_pct(dist_["top_decile_share"]), border=True,
                  help=t("pg.ret.top.help", n=f"{dist_['top_decile_n']:,}", yuan=yuan(dist_["top_decile_yuan"])))
    with c[2]:
        done = round((ret["completion_rate"] or 0) * ret["count"])
        st.metric(t("pg.ret.completion"), fmt_pct(ret["completion_rate"]),
                  delta=t("pg.ret.completion.delta", done=f"{done:,}", n=f"{ret['count']:,}"), **GREY,
                  border=True, help=t("pg.ret.completion.help"))
    with c[3]:
        st.metric(t("pg.ret.dormant"), fmt_int(commit["dormant"]),
                  delta=t("pg.ret.dormant.delta", share=fmt_pct(commit["dormant_share"])), **GREY,
                  border=True, help=t("pg.kpi.stores.help", with_ret=f"{commit['committed_with_return']:,}",
                                      dormant=f"{commit['dormant']:,}") + " " + t("pg.ret.commit.note"))

    with st.container(horizontal=True):
        grain = state.url_widget(st.segmented_control, "pg_grain", "week", options=["week", "month"],
                                 label=t("pg.ret.grain"), required=True,
                                 format_func=lambda g: t(f"pg.ret.grain.{g}", lang=lang)) or "week"
        measure = state.url_widget(st.segmented_control, "pg_measure", "amount", options=["amount", "count"],
                                   label=t("pg.ret.measure"), required=True,
                                   format_func=lambda m: t(f"pg.ret.measure.{m}", lang=lang)) or "amount"
    series = data.call(P.returns_series, f, grain)
    money = measure == "amount"
    fig = figs.series_bar(series, value="amount_yuan" if money else "returns",
                          title=t(f"pg.ret.series.title.{measure}", grain=t(f"pg.ret.grain.{grain}")),
                          y_label=t("pg.ret.yuan") if money else t("pg.ret.count"),
                          whole_label=t("pg.ret.series.whole"), partial_label=t("pg.ret.series.partial"),
                          money=money)
    chart_block(fig, series, f"returns_{grain}")
    st.caption(t("pg.ret.series.note"))

    daily = data.call(P.returns_series, f, "day")
    fig = figs.cumulative(daily, title=t("pg.ret.cum.title"), amount_label=t("pg.ret.cum.amount"),
                          count_label=t("pg.ret.cum.count"))
    chart_block(fig, daily[["label", "returns", "amount_yuan", "cum_returns", "cum_amount_yuan"]],
                "returns_cumulative")

    left, right = st.columns(2)
    with left:
        st.subheader(t("pg.ret.dist.header"), anchor=False)
        bins = data.call(P.returns_amount_bins, f)
        names = [f"{int(lo):,}–{int(hi):,}" if hi == hi and hi is not None else t("pg.ret.bins.open", lo=f"{int(lo):,}")
                 for lo, hi in zip(bins["lo"], bins["hi"])]
        fig = figs.amount_bins(bins, title=t("pg.ret.bins.title"), bin_labels=names,
                               count_label=t("pg.ret.bins.count"), amount_label=t("pg.ret.bins.amount"),
                               x_label=t("pg.ret.bins.x"), y_label=t("pg.ret.bins.y"))
        chart_block(fig, bins, "returns_amount_bands")
    with right:
        st.subheader(t("pg.ret.commit.header"), anchor=False)
        by_d = data.call(P.returns_by_district, f)
        fig = figs.commitments(by_d, [dist(c) for c in by_d["code"]], title=t("pg.ret.commit.title"),
                               with_label=t("pg.ret.with_return"), dormant_label=t("pg.ret.dormant"),
                               x_label=t("pg.ret.commit.x"))
        chart_block(fig, by_d[["code", "name", "committed", "committed_with_return", "dormant", "dormant_share"]],
                    "returns_commitments")
        st.caption(t("pg.ret.commit.note") + " "
                   + t("pg.ret.uncommitted.caption", n=f"{commit['uncommitted_with_return']:,}"))

    left, right = st.columns(2)
    with left:
        cats = data.call(P.returns_by_category, f)
        fig = figs.hbar([cat(v) for v in cats["goods_category"]], cats["amount_yuan"],
                        [f"{s:.1%}" for s in cats["amount_share"]], title=t("pg.ret.category.title"),
                        x_label=t("pg.ret.category.x"), hover="%{y}: %{x:,.2f}")
        chart_block(fig, cats, "returns_by_category")
    with right:
        d = by_d.sort_values("amount_yuan", ascending=False)
        fig = figs.hbar([dist(c) for c in d["code"]], d["amount_yuan"],
                        [f"{n:,}" for n in d["returns"]], title=t("pg.ret.district.title"),
                        x_label=t("pg.ret.category.x"), hover="%{y}: %{x:,.2f}", height=300)
        chart_block(fig, d[["code", "name", "returns", "amount_yuan", "completed", "completion_rate"]],
                    "returns_by_district")

    st.subheader(t("pg.ret.table.header"), anchor=False)
    table = pd.DataFrame({
        t("pg.col.district"): [dist(c) for c in by_d["code"]],
        t("pg.col.returns"): by_d["returns"],
        t("pg.col.amount"): by_d["amount_yuan"],
        t("pg.col.completion"): by_d["completion_rate"].astype(float) * 100,
        t("pg.col.committed"): by_d["committed"],
        t("pg.col.with_return"): by_d["committed_with_return"],
        t("pg.col.dormant"): by_d["dormant"],
        t("pg.col.dormant_share"): by_d["dormant_share"].astype(float) * 100,
    })
    st.dataframe(table, hide_index=True, column_config={
        t("pg.col.amount"): st.column_config.NumberColumn(format="localized"),
        t("pg.col.returns"): st.column_config.NumberColumn(format="localized"),
        t("pg.col.committed"): st.column_config.NumberColumn(format="localized"),
        t("pg.col.with_return"): st.column_config.NumberColumn(format="localized"),
        t("pg.col.completion"): pct_col(t("pg.col.completion")),
        t("pg.col.dormant_share"): pct_col(t("pg.col.dormant_share")),
    })
    st.subheader(t("pg.ret.category.header"), anchor=False)
    ctable = pd.DataFrame({
        t("pg.col.category"): [cat(v) for v in cats["goods_category"]],
        t("pg.col.returns"): cats["returns"],
        t("pg.col.amount"): cats["amount_yuan"],
        t("pg.col.share"): cats["amount_share"].astype(float) * 100,
        t("pg.col.median"): cats["median_yuan"],
        t("pg.col.stores"): cats["stores"],
        t("pg.col.completion"): cats["completion_rate"].astype(float) * 100,
    })
    st.dataframe(ctable, hide_index=True, column_config={
        t("pg.col.amount"): st.column_config.NumberColumn(format="localized"),
        t("pg.col.returns"): st.column_config.NumberColumn(format="localized"),
        t("pg.col.median"): st.column_config.NumberColumn(format="%.2f"),
        t("pg.col.share"): pct_col(t("pg.col.share")),
        t("pg.col.completion"): pct_col(t("pg.col.completion")),
    })


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
        st.metric(t("pg.odr.share30"), fmt_pct(h["share_30"]), **GREY,
                  delta=t("pg.odr.share.ent", n=f"{h['with_case_30']:,}", d=f"{h['enrolled']:,}"), border=True, help=t("pg.odr.share.help", to=f.date_to.isoformat(), days=30))
    with c[1]:
        st.metric(t("pg.odr.share90"), fmt_pct(h["share_90"]), **GREY,
                  delta=t("pg.odr.share.ent", n=f"{h['with_case_90']:,}", d=f"{h['enrolled']:,}"), border=True, help=t("pg.odr.share.help", to=f.date_to.isoformat(), days=90))
    with c[2]:
        st.metric(t("pg.odr.within10"), fmt_pct(h["within_10_rate"]), **GREY,
                  delta=t("pg.odr.share.cases", n=f"{h['within_10']:,}", d=f"{h['within_10_base']:,}"), border=True, help=t("pg.odr.within10.help", open=f"{h['open_past_10']:,}"))
    with c[3]:
        st.metric(t("pg.odr.failed"), fmt_pct(h["failed_rate"]), **GREY,
                  delta=t("pg.odr.share.cases", n=f"{h['failed']:,}", d=f"{h['closed']:,}"), border=True, help=t("pg.odr.failed.help"))
    st.caption(t("pg.odr.cases_note", cases=f"{h['cases']:,}", closed=f"{h['closed']:,}"))

    if not timeline.empty:
        fig = figs.registry_timeline(timeline, title=t("pg.odr.timeline.title"), active_label=t("pg.odr.active"),
                                     enrolled_label=t("pg.odr.enrolled"), withdrawn_label=t("pg.odr.withdrawn"),
                                     period_label=t("pg.period"), period=(f.date_from, f.date_to))
        chart_block(fig, timeline, "odr_enrolment")

    by = state.url_widget(st.segmented_control, "pg_odr_by", "district", options=["district", "industry"],
                          label=t("pg.odr.by"), required=True,
                          format_func=lambda b: t(f"pg.odr.by.{b}", lang=lang)) or "district"
    groups = data.call(P.odr_by_group, f, by)
    name = dist if by == "district" else cat
    g = groups.sort_values(["active", "cases"], ascending=False)
    fig = figs.hbar([name(v) for v in g["group"]], g["active"],
                    [f"{a:,} ({c:,})" for a, c in zip(g["active"], g["cases"])],
                    title=t("pg.odr.group.title"), x_label=t("pg.odr.group.x"), color="#2a9d8f")
    chart_block(fig, groups, f"odr_by_{by}")
    table = pd.DataFrame({
        t("pg.col.group"): [name(v) for v in groups["group"]],
        t("pg.col.active"): groups["active"],
        t("pg.col.enrolled_in"): groups["enrolled_in_period"],
        t("pg.col.withdrawn_in"): groups["withdrawn_in_period"],
        t("pg.col.cases"): groups["cases"],
        t("pg.col.per_ent"): groups["cases_per_enterprise"].astype(float),
        t("pg.col.with_case"): groups["enterprises_with_case"],
        t("pg.col.settled"): groups["settled"],
        t("pg.col.failed"): groups["failed"],
    })
    st.dataframe(table, hide_index=True, column_config={
        t("pg.col.per_ent"): st.column_config.NumberColumn(format="%.2f")})

    ent = data.call(P.odr_enterprises, f)
    hist = data.call(P.odr_cases_histogram, f)
    if len(hist):
        active = ent[ent["active"]]
        fig = figs.cases_histogram(hist, title=t("pg.odr.hist.title"), x_label=t("pg.odr.hist.x"),
                                   y_label=t("pg.odr.hist.y"))
        chart_block(fig, hist, "odr_cases_per_enterprise")
        st.caption(t("pg.odr.hist.note", n=f"{int(hist['enterprises'].iloc[0]):,}",
                     mean=fmt_num(active["cases"].mean(), 2), median=fmt_num(active["cases"].median(), 1)))
    st.subheader(t("pg.odr.table.header"), anchor=False)
    status = [t("pg.status.active") if a else t("pg.status.withdrawn") for a in ent["active"]]
    etable = pd.DataFrame({
        t("pg.col.name"): ent["name"], t("pg.col.credit"): ent["credit_code"],
        t("pg.col.district"): [dist(c) for c in ent["district_code"]],
        t("pg.col.industry"): [cat(v) for v in ent["industry"]],
        t("pg.col.enrolled_date"): ent["enrolled_date"],
        t("pg.col.withdrawn_date"): [iso(d) for d in ent["withdrawn_date"]],
        t("pg.col.status"): status, t("pg.col.cases"): ent["cases"], t("pg.col.settled"): ent["settled"],
        t("pg.col.failed"): ent["failed"],
        t("pg.col.last_case"): [iso(d) for d in ent["last_case_date"]],
    })
    st.dataframe(etable, hide_index=True, height=360)
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
            st.metric(t(f"pg.type.{typ}"), fmt_int(reg_at[key]), border=True,
                      delta=(f"{delta:+,}" if as_of != f.date_to else None), delta_color="off",
                      delta_description=t("pg.demo.vs_end", date=f.date_to.isoformat()) if as_of != f.date_to else None,
                      help=t("pg.kpi.demo.help"))
    counts = data.call(P.demo_counts, f, as_of)
    if counts["units"].sum() == 0:
        st.info(t("pg.demo.none", date=as_of.isoformat()))
    else:
        panels = []
        for typ in P.DEMO_TYPES:
            sub = counts[counts["unit_type"] == typ]
            panels.append((t(f"pg.type.{typ}"), [dist(x) for x in sub["code"]], list(sub["units"]),
                           [f"{v:,}" for v in sub["units"]]))
        fig = figs.small_multiples(panels, title=t("pg.demo.counts.title", date=as_of.isoformat()),
                                   x_label=t("pg.demo.units"))
        chart_block(fig, counts, "demo_units", period=as_of)
    series = {typ: data.call(P.registry_series, f, typ) for typ in P.DEMO_TYPES}
    if any(len(s) for s in series.values()):
        panels = [(t(f"pg.type.{typ}"), list(s["month"]), list(s["active"]), []) for typ, s in series.items()]
        fig = figs.small_multiples(panels, title=t("pg.demo.timeline.title"), x_label="", orientation="v",
                                   height=300)
        long = pd.concat([s.assign(unit_type=typ) for typ, s in series.items()], ignore_index=True)
        chart_block(fig, long, "demo_units_monthly")

    st.subheader(t("pg.demo.rates.header"), anchor=False)
    st.caption(t("pg.demo.rates.caption"))
    rates = data.call(P.demo_complaint_rates, f)
    if rates.empty or (rates["demo_stores"].sum() + rates["other_stores"].sum()) == 0:
        st.info(t("pg.demo.no_stores"))
        return
    s = P.demo_rate_summary(rates)
    c = st.columns(3)
    with c[0]:
        st.metric(t("pg.demo.rate_demo"), fmt_num(s["demo_rate"], 1), border=True,
                  help=t("pg.demo.rate_demo.help", c=f"{s['demo_complaints']:,}", s=f"{s['demo_stores']:,}"))
    with c[1]:
        st.metric(t("pg.demo.rate_expected"), fmt_num(s["expected_rate"], 1), border=True,
                  help=t("pg.demo.rate_expected.help"))
    with c[2]:
        st.metric(t("pg.demo.rate_other"), fmt_num(s["other_rate"], 1), border=True,
                  help=t("pg.demo.rate_other.help", c=f"{s['other_complaints']:,}", s=f"{s['other_stores']:,}"))
    shown = rates[(rates["demo_stores"] > 0) | (rates["other_stores"] > 0)]
    fig = figs.rate_comparison(shown, [cat(v) for v in shown["industry"]], title=t("pg.demo.rates.title"),
                               demo_label=t("pg.demo.demo_stores"), other_label=t("pg.demo.other_stores"),
                               x_label=t("pg.demo.rates.x"))
    chart_block(fig, rates, "demo_complaint_rates")
    small = (rates["demo_stores"] < SMALL) | (rates["other_stores"] < SMALL)
    table = pd.DataFrame({
        t("pg.col.industry"): [cat(v) for v in rates["industry"]],
        t("pg.col.demo_stores"): rates["demo_stores"], t("pg.col.demo_complaints"): rates["demo_complaints"],
        t("pg.col.demo_rate"): rates["demo_rate"].astype(float),
        t("pg.col.other_stores"): rates["other_stores"], t("pg.col.other_complaints"): rates["other_complaints"],
        t("pg.col.other_rate"): rates["other_rate"].astype(float),
        t("pg.col.ratio"): rates["ratio"].astype(float),
        t("pg.col.small"): small,
    })
    st.dataframe(table, hide_index=True, column_config={
        t("pg.col.demo_stores"): st.column_config.NumberColumn(format="localized"),
        t("pg.col.other_stores"): st.column_config.NumberColumn(format="localized"),
        t("pg.col.demo_rate"): st.column_config.NumberColumn(format="%.1f"),
        t("pg.col.other_rate"): st.column_config.NumberColumn(format="%.1f"),
        t("pg.col.ratio"): st.column_config.NumberColumn(format="%.2f"),
    })
    if small.any():
        st.caption(t("pg.demo.small", n=SMALL))


# --- merchant lookup ---------------------------------------------------------------------------------
def _status_text(status: str, start, end) -> str:
    s = t(f"pg.status.{status}")
    if status == "never" or start is None:
        return s
    if end is not None:
        return t("pg.lk.between", status=s, start=start.isoformat(), end=end.isoformat())
    return t("pg.lk.since", status=s, start=start.isoformat())


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
        st.caption(t("pg.lk.results", n=f"{total:,}") if total <= len(results)
                   else t("pg.lk.results_more", n=f"{total:,}", k=len(results)))
        yes, no = t("pg.yes"), t("pg.no")
        table = pd.DataFrame({
            t("pg.col.name"): results["name"], t("pg.col.credit"): results["credit_code"],
            t("pg.col.district"): [dist(c) for c in results["district_code"]],
            t("pg.col.industry"): [cat(v) for v in results["industry"]],
            t("pg.col.odr"): [yes if v else no for v in results["odr_active"]],
            t("pg.col.return_commit"): [yes if v else no for v in results["return_active"]],
            t("pg.col.demo"): [yes if v else no for v in results["demo_active"]],
            t("pg.col.complaints"): results["complaints"], t("pg.col.returns_n"): results["returns"],
        })
        st.dataframe(table, hide_index=True, height=min(400, 38 + 35 * len(table)))
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
        st.metric(t("pg.lk.complaints"), fmt_int(p["complaints_period"]), border=True,
                  help=t("pg.lk.complaints.help", total=f"{p['complaints_total']:,}"))
    with c[1]:
        st.metric(t("pg.lk.odr_cases"), fmt_int(p["odr_period"]), border=True)
    with c[2]:
        st.metric(t("pg.lk.returns"), yuan(p["returns_yuan_period"]), **GREY,
                  delta=t("pg.lk.returns.delta", n=f"{p['returns_period']:,}"), border=True,
                  help=t("pg.lk.returns.help", n=f"{p['returns_period']:,}", done=f"{p['returns_completed_period']:,}"))
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
                                y_label=t("common.complaints"), y2_label=t("pg.ret.yuan"))
    chart_block(fig, monthly, "merchant_monthly", filters=f.with_(merchant=str(labels.get(chosen, chosen))))

    st.subheader(t("pg.lk.list"), anchor=False)
    comp = data.call(P.merchant_complaints, f, chosen)
    if comp.empty:
        st.info(t("pg.lk.no_complaints"))
        return
    ctable = pd.DataFrame({
        t("pg.col.reg_no"): comp["reg_no"], t("pg.col.received"): comp["received_date"],
        t("pg.col.closed"): [iso(d) for d in comp["closed_date"]],
        t("pg.col.route"): [t("common.odr") if v else t("common.traditional") for v in comp["is_odr"]],
        t("pg.col.category"): [cat(v) for v in comp["category"]],
        t("pg.col.problem"): [label(v, "problem", lang) if v else "" for v in comp["problem"]],
        t("pg.col.outcome"): [label(v, "outcome", lang) if isinstance(v, str) else "—" for v in comp["outcome"]],
        t("pg.col.days"): comp["resolution_days"], t("pg.col.wdays"): comp["resolution_wdays"],
        t("pg.col.disputed"): comp["disputed_yuan"], t("pg.col.recovered"): comp["recovered_yuan"],
    })
    st.dataframe(ctable, hide_index=True, column_config={
        t("pg.col.disputed"): st.column_config.NumberColumn(format="%.2f"),
        t("pg.col.recovered"): st.column_config.NumberColumn(format="%.2f"),
    })


{"returns": returns_view, "odr": odr_view, "demo": demo_view, "lookup": lookup_view}[view]()
