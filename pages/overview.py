"""Overview: the Monday numbers — latest week, closure and on-time rates, ODR vs traditional,
returns, ODR enterprises — and the weekly series."""
from ui.page import begin

ctx = begin()

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from analytics import queries, stats  # noqa: E402
from analytics import resolution as R  # noqa: E402
from analytics import trends as T  # noqa: E402
from ui import charts, data, fmt, state  # noqa: E402
from ui.i18n import t  # noqa: E402
from ui.page import (chart_block, delta_args, fmt_days, fmt_int, fmt_num, fmt_pct, fmt_yuan,  # noqa: E402
                     on_phone, text_table)

f, lang = ctx.filters, ctx.lang
prev = queries.previous_period(f)

k = data.call(queries.complaint_kpis, f).iloc[0]
kp = data.call(queries.complaint_kpis, prev).iloc[0]
closure = data.call(queries.closure_at_equal_age, f)     # the previous period at equal age
weeks = data.call(queries.latest_weeks, f)
ret = data.call(queries.returns_summary, f)
ret_prev = data.call(queries.returns_summary, prev)
reg = data.call(queries.registry_counts, f)
reg_start = data.call(queries.registry_counts, f.with_(date_to=prev.date_to, date_from=prev.date_from))


def _pp(a, b):
    """Change of a rate in percentage points (个百分点 / pp), or None."""
    if fmt.missing(a) or fmt.missing(b):
        return None
    return fmt.pp((a - b) * 100, lang)


cols = st.columns(3) + st.columns(3)
with cols[0]:
    latest = weeks[weeks["which"] == "latest"]
    previous = weeks[weeks["which"] == "previous"]
    current = weeks[weeks["which"] == "current"]
    if len(latest):
        n = int(latest["complaints"].iat[0])
        delta, differs = None, False
        if len(previous):
            p = int(previous["complaints"].iat[0])
            delta = f"{n - p:+,}" + (f" ({(n - p) / p:+.0%})" if p else "")
            differs = stats.beyond_chance(data.pure(stats.two_count_p, n, p))     # two whole weeks: equal exposure
        st.metric(t("ov.kpi.week") + " · " + fmt.week(latest["week"].iat[0], lang, year=False), fmt_int(n),
                  **delta_args(delta, differs, "inverse"), border=True,
                  help=t("ov.kpi.week.help", week=fmt.week_span(latest["week_start"].iat[0], lang),
                         prev=fmt.week_span(previous["week_start"].iat[0], lang) if len(previous) else fmt.DASH))
        # the latest week against its expected band (the case volume page's model)
        band = data.call(T.expected_week, f, latest["week_start"].iat[0])
        if len(band) and band["expected"].notna().iat[0]:
            b = band.iloc[0]
            st.caption(t("ov.kpi.week.band", e=fmt_num(b["expected"]), lo=fmt_num(b["lower"], 0),
                         hi=fmt_num(b["upper"], 0), status=t(f"tr.kpi.status.{b['flag'] or 'ok'}")))
        elif len(band):
            st.caption(t("ov.kpi.week.no_band"))
    else:
        st.metric(t("ov.kpi.week"), "—", border=True, help=t("ov.kpi.week.none"))
    if len(current):
        st.caption(t("ov.kpi.current", week=fmt.week(current["week"].iat[0], lang, year=False),
                     n=fmt_int(current["complaints"].iat[0])))
with cols[1]:
    st.metric(t("ov.kpi.closure"), fmt_pct(k["closure_rate"]),
              **delta_args(_pp(closure["rate"], closure["prev_rate"]), closure["differs"]), border=True,
              help=t("ov.kpi.closure.help", prev=fmt_pct(closure["prev_rate"]),
                     start=fmt.date(closure["prev_from"], lang), end=fmt.date(closure["prev_to"], lang),
                     cutoff=fmt.date(closure["cutoff"], lang), days=closure["lag_days"]))
    st.caption(t("ov.kpi.closure.pending", n=fmt_int(k["within_deadline"]), overdue=fmt_int(k["overdue_open"])))
with cols[2]:
    on_time_differs = stats.beyond_chance(data.pure(
        stats.two_proportion_p, int(k["on_time"]), int(k["on_time_base"]), int(kp["on_time"]), int(kp["on_time_base"])))
    st.metric(t("ov.kpi.on_time"), fmt_pct(k["on_time_rate"]),
              **delta_args(_pp(k["on_time_rate"], kp["on_time_rate"]), on_time_differs), border=True,
              help=t("ov.kpi.on_time.help"))
with cols[3]:
    mo, mt = k["median_days_odr"], k["median_days_traditional"]
    gap = None if mo != mo or mt != mt or mo is None or mt is None else mt - mo
    # a finding only when the gap's 95% interval (the resolution page's) excludes 0
    ci = data.call(R.median_gap_interval_raw, f) if gap is not None else None
    st.metric(t("ov.kpi.median"),
              t("ov.kpi.median.value", odr=fmt_num(mo), trad=fmt_days(mt, lang)),
              **delta_args(t("ov.kpi.median.gap", d=f"{gap:.1f}") if gap is not None else None,
                           ci is not None and (ci[0] > 0 or ci[1] < 0), "normal" if (gap or 0) >= 0 else "inverse"),
              border=True, help=t("ov.kpi.median.help"))
with cols[4]:
    a, b = ret["amount_yuan"], ret_prev["amount_yuan"]
    # amounts have no test here: the change is shown in neutral grey
    st.metric(t("ov.kpi.returns"), fmt_yuan(a, lang),
              delta=(f"{(a - b) / b:+.1%}" if b else None), delta_color="off", border=True,
              help=t("ov.kpi.returns.help", n=fmt_int(ret["count"]), rate=fmt_pct(ret["completion_rate"])))
with cols[5]:
    st.metric(t("ov.kpi.odr_ent"), fmt_int(reg["odr_enterprises"]),
              delta=f"{reg['odr_enterprises'] - reg_start['odr_enterprises']:+,}", delta_color="off", border=True,
              help=t("ov.kpi.odr_ent.help"))

# Below the figures, two sections the reader opens (closed, nothing in them is computed or sent:
# a new visitor's page is ready sooner); a link keeps them open (ov_weekly=1, ov_districts=1)
weekly_section = state.url_section("ov_weekly", t("ov.sec.weekly"), icon=":material/bar_chart:")
with weekly_section:
    if weekly_section.open:
        weekly = data.call(queries.weekly_complaints, f)
        fig = charts.weekly_bar(weekly, title=t("ov.weekly.title"), y_label=t("common.complaints"),
                                partial_label=t("chart.partial"), whole_label=t("chart.whole"),
                                odr_label=t("common.odr"), trad_label=t("common.traditional"),
                                split=f.route == "all", lang=lang)
        chart_block(fig, weekly, "weekly_complaints")
        st.caption(t("ov.weekly.note"))

districts_section = state.url_section("ov_districts", t("ov.sec.districts"), icon=":material/location_city:")
with districts_section:
    if districts_section.open:
        dist = data.call(queries.district_summary, f).sort_values("per_100k", ascending=False, na_position="last")
        name_col = "name_en" if lang == "en" else "short_name"
        left, right = st.columns([1, 1])
        with left:
            d = dist.iloc[::-1]                   # highest rate on top (as in the table)
            bar = charts.new_figure(t("ov.district.title"), height=320)
            bar.add_bar(y=d[name_col], x=d["per_100k"], orientation="h", marker_color=charts.TRAD_COLOR,
                        text=[t("ov.district.bar_label", v=fmt_num(v, 0 if v >= 1000 else 1), n=fmt_int(n)) for v, n in zip(d["per_100k"], d["complaints"])],
                        # inside a bar long enough to hold it, else beside it: never cut at the plot's edge on a phone
                        textposition="auto", insidetextanchor="end", cliponaxis=False, constraintext="none",
                        insidetextfont=dict(color="#ffffff"), outsidetextfont=dict(color="#1f2933"),
                        customdata=[fmt_int(n) for n in d["complaints"]],
                        hovertemplate="%{y}<br>" + t("ov.col.per_100k") + ": %{x:.1f}<br>" + t("ov.col.complaints")
                        + ": %{customdata}<extra></extra>")
            top = float(d["per_100k"].max()) if len(d) and d["per_100k"].notna().any() else 1.0
            # room on the right for the longest label ("122.2（34件）") beside the longest bar
            bar.update_xaxes(range=[0, top * 1.35 or 1], showgrid=True, gridcolor="#e6ebf1")
            bar.update_layout(xaxis_title=t("ov.col.per_100k.axis"), yaxis_title=None, showlegend=False,
                              margin=dict(l=8, r=16, t=48, b=48))
            chart_block(bar, dist[["code", "name", "population", "complaints", "per_100k"]],
                        "district_per_100k")
            st.caption(t("ov.district.note"))
        with right:
            st.subheader(t("ov.table.title"), anchor=False)
            # a plain table (six rows): formatted in the reader's language; on a phone in two parts, so
            # that neither scrolls sideways
            table = pd.DataFrame({
                # a word joiner between the characters keeps a Chinese name on one line in a narrow table
                t("ov.col.district"): ["\u2060".join(n) if lang == "zh" else n for n in dist[name_col]],
                t("ov.col.complaints"): [fmt_int(v) for v in dist["complaints"]],
                t("ov.col.per_100k"): [fmt_num(v, 0 if v >= 1000 else 1) for v in dist["per_100k"]],
                t("ov.col.closure"): [fmt_pct(v) for v in dist["closure_rate"]],
                t("ov.col.on_time"): [fmt_pct(v) for v in dist["on_time_rate"]],
                t("ov.col.median"): [fmt_num(v) for v in dist["median_days"]],
            })
            numeric = tuple(table.columns[1:])
            if on_phone():
                text_table(table.iloc[:, [0, 1, 2, 5]], right=numeric)
                text_table(table.iloc[:, [0, 3, 4]], right=numeric)
            else:
                text_table(table, right=numeric)
            st.caption(t("ov.table.note"))
