"""District rankings: a fair comparison of the six counties (and their townships) — every rate with
its 95% interval and count, a "not distinguishable from the city average" mark, a composite index
with user weights and rank change against the previous period in one table that fits the screen;
below it, one view at a time (tabs built only when chosen, kept in the link as ``dr_view``): a
county map (the default), every metric, that sets the page's focus county when clicked, the intervals of the chosen metric with
their counts, a funnel plot and a bump chart of the last 8 weeks or months."""
from ui.page import begin

ctx = begin()

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from analytics import queries  # noqa: E402
from analytics import rankings as R  # noqa: E402
from ui import data, fmt  # noqa: E402
from ui.figures import districts as F  # noqa: E402
from ui.i18n import t  # noqa: E402
from ui.page import chart_block, column_notes, downloads, interactive_charts, on_phone, text_table  # noqa: E402
from ui.state import BOOL, INT, choice, from_link, record, url_value, url_widget  # noqa: E402

f, lang = ctx.filters, ctx.lang
en = lang == "en"
districts = data.call(queries.districts)
short = dict(zip(districts["code"], districts["name_en" if en else "short_name"]))
codes = list(districts["code"])
WEIGHT_PARAMS = {"per_100k": "dr_w_pc", "closure_rate": "dr_w_cl", "on_time_rate": "dr_w_ot",
                 "median_days": "dr_w_md", "odr_share": "dr_w_odr", "recovered_per_complaint": "dr_w_rec",
                 "returns_per_store": "dr_w_ret"}
VIEWS = ("map", "all", "intervals", "funnel", "bump")

st.caption(t("dr.intro"))

# --- controls -----------------------------------------------------------------------------------
c1, c2, c3, c4 = st.columns([1.3, 1.6, 1.3, 1.3], vertical_alignment="bottom")
with c1:
    level = url_widget(st.segmented_control, "dr_level", "county", options=list(R.LEVELS), label=t("dr.level"),
                       format_func=lambda v: t(f"dr.level.{v}", lang=lang), required=True)
with c2:
    metric = url_widget(st.selectbox, "dr_metric", "per_100k", options=list(R.METRIC_KEYS), label=t("dr.metric"),
                        format_func=lambda m: t(f"dr.m.{m}", lang=lang), help=t("dr.metric.help"))
with c3:
    focus = url_widget(st.selectbox, "dr_focus", "", options=[""] + codes, label=t("dr.focus"),
                       format_func=lambda c: t("dr.focus.none", lang=lang) if not c else short.get(c, c),
                       help=t("dr.focus.help"))
    focus = focus or None
with c4:
    fair = url_widget(st.toggle, "dr_fair", True, parse=BOOL[0], dump=BOOL[1], label=t("dr.fair"),
                      help=t("dr.fair.help"))


def _reset_weights():
    for m, p in WEIGHT_PARAMS.items():
        st.session_state[f"qp:{p}"] = R.DEFAULT_WEIGHTS[m]


# The weights' sliders are built only while their section is open (a link with weights opens it);
# closed, the weights still come from the link or this session's choices.
if any(from_link(p) for p in WEIGHT_PARAMS.values()):
    st.session_state["dr_weights_open"] = True
weights = {}
wbox = st.expander(t("dr.weights"), icon=":material/tune:", key="dr_weights_open", on_change="rerun")
if wbox.open:
    with wbox:
        st.caption(t("dr.weights.intro"))
        cols = st.columns(4)
        for i, (m, p) in enumerate(WEIGHT_PARAMS.items()):
            with cols[i % 4]:
                weights[m] = url_widget(st.slider, p, R.DEFAULT_WEIGHTS[m], parse=INT[0], dump=INT[1],
                                        label=t(f"dr.m.{m}"), min_value=0, max_value=100, step=5)
        st.button(t("dr.weights.reset"), on_click=_reset_weights, icon=":material/restart_alt:")
        if level == "township":
            st.caption(t("dr.weights.township"))
        if f.route != "all":
            st.caption(t("dr.weights.route", route=t(f"filter.route.{f.route}")))
else:
    for m, p in WEIGHT_PARAMS.items():
        weights[m] = url_value(p, R.DEFAULT_WEIGHTS[m], *INT, lo=0, hi=100, step=5)
        record(p, weights[m], R.DEFAULT_WEIGHTS[m], INT[1])
weights_arg = tuple((m, int(weights[m])) for m in R.METRIC_KEYS)
eff = R.effective_weights(dict(weights_arg), level, f.route)

city = data.call(R.city_reference, f)
if city["complaints"] == 0:
    st.info(t("dr.empty"), icon=":material/info:")
    st.stop()
if sum(eff.values()) == 0:
    st.warning(t("dr.weights.zero"))

metrics_here = [m for m in R.METRIC_KEYS if level == "county" or m not in R.COUNTY_ONLY]
tab = data.call(R.ranking, f, level, weights_arg, fair)
prev = queries.previous_period(f)


def unit_label(r) -> str:
    if level == "county":
        return r["name_en"] if en else r["short_name"]
    return f"{r['township']} ({r['county_en']})" if en else f"{r['township']}（{r['county']}）"


tab = tab.copy()
tab["label"] = [unit_label(r) for _, r in tab.iterrows()] if len(tab) else []
if level == "township" and focus:
    tab = tab[tab["district_code"] == focus].reset_index(drop=True)


def mark(r, m) -> str:
    vs = r.get(f"{m}_vs_city")
    s = {"same": " ≈", "above": " ▲", "below": " ▼", "few": " ◦"}.get(vs, "")
    return s + ("*" if bool(r.get(f"{m}_small")) else "")


def value_text(v, m, compact: bool = False) -> str:
    """A metric's value as a reader sees it (fmt): 11,079 / 90.8% / 5.0天 / 360元 / 1.54
    (``compact``: days without the unit, which the table header carries)."""
    if v is None or pd.isna(v):
        return fmt.DASH
    if m == "per_100k":
        return fmt.num(v, 0 if v >= 1000 else 1)
    if m in R.PROPORTIONS:
        return fmt.pct(v)
    if m == "median_days":
        return fmt.num(v, 1) if compact else fmt.days(v, lang)
    if m == "recovered_per_complaint":
        return fmt.yuan(v, lang)
    return fmt.num(v, 2)


def cell(r, m) -> str:
    v = r.get(m)
    if v is None or pd.isna(v):
        return fmt.DASH
    return value_text(v, m, compact=True) + mark(r, m)


def city_cell(m) -> str:
    v = city.get(m)
    if v is None or pd.isna(v):
        return fmt.DASH
    if m == "returns_per_store":
        return value_text(v, m) + (" （" if not en else " (") + t("dr.stores", r=city["returns"], s=city["stores"]) \
            + ("）" if not en else ")")
    return value_text(v, m)


def change(r) -> str:
    if pd.isna(r["rank"]):
        return fmt.DASH
    if pd.isna(r["prev_rank"]):
        return t("dr.new")
    c = int(r["rank_change"])
    if not bool(r.get("rank_moved")):       # within chance: the rank intervals of the two periods overlap
        return "→ 0" if c == 0 else t("dr.change.same", c=f"{c:+d}")
    return f"↑ {c}" if c > 0 else f"↓ {-c}"


def rank_text(r) -> str:
    """The rank with its 95% rank interval: 1（1–5）/ 1 (1–5)."""
    if pd.isna(r["rank"]):
        return fmt.DASH
    rk = str(int(r["rank"]))
    if pd.isna(r.get("rank_lo")):
        return rk
    lo, hi = int(r["rank_lo"]), int(r["rank_hi"])
    span = str(lo) if lo == hi else f"{lo}–{hi}"
    return f"{rk}（{span}）" if not en else f"{rk} ({span})"


# --- ranking table ------------------------------------------------------------------------------------
st.subheader(t("dr.table.title"), anchor=False)
if level == "township":
    st.info(t("dr.township.no_pop"), icon=":material/info:")
    cov = data.call(R.township_coverage, f)
    st.caption(t("dr.township.coverage", k=cov["with_township"], n=cov["complaints"]))
    if focus:
        st.caption(t("dr.township.focus", county=short.get(focus, focus)))

# Short headers (each one's full name and definition in the popover under the table) and compact cells (value and
# comparison mark; counts and intervals of the chosen metric are under "Intervals"). On arrival the
# table shows the rank, its change, the index and the chosen metric (fits a phone); every metric is
# one tab away ("All metrics", fits 1280 px; a phone scrolls it sideways, so it is not the default).
# Every view below is a tab built only when chosen: on arrival only the map is drawn.
unit_col = t("dr.col.county") if level == "county" else t("dr.col.township")
head = {m: t(f"dr.short.{m}") for m in metrics_here}
focus_rows = [bool(focus) and level == "county" and r["district_code"] == focus for _, r in tab.iterrows()]


def _tight(text: str) -> str:
    """2（1–5）→ 2(1–5), ≈ (+2) → ≈(+2): the same text in the narrowest form (a phone)."""
    return text.replace("（", "(").replace("）", ")").replace(" (", "(").replace("≈ ", "≈")


def ranking_table(metrics: list[str], complaints: bool, key: str) -> None:
    """The ranking as a plain table (a data grid would add ~0.6 s of script before the page is ready):
    the focused county's row in bold; the columns' definitions one click away; many rows or columns
    scroll inside the table's own box."""
    rows = []
    for _, r in tab.iterrows():
        row = {unit_col: r["label"], t("dr.col.rank"): rank_text(r), t("dr.col.change"): change(r),
               t("dr.col.index"): fmt.num(r["index"], 1)}
        if complaints:
            row[t("dr.col.complaints")] = fmt.big(r["complaints"], lang, nd=2)
        for m in metrics:
            row[head[m]] = cell(r, m)
        rows.append(row)
    table = pd.DataFrame(rows)
    wide = level == "township" or len(metrics) > 1          # many rows or columns: scrolls in its own box
    tight = on_phone() and not wide     # the arrival table fits 390 px: narrow padding, narrow brackets
    if tight:
        narrow = {t("dr.col.rank"), t("dr.col.change")}
        table = table.apply(lambda col: col.map(_tight) if col.name in narrow else col)
    text_table(table, right=tuple(c for c in table.columns if c != unit_col), key=key,
               nowrap=tuple(table.columns),
               strong={i for i, on in enumerate(focus_rows) if on}, tight=tight,
               height=min(48 + 40 * len(rows), 620) if wide else None)
    period = t("dr.table.caption", start=fmt.date(f.date_from, lang), end=fmt.date(f.date_to, lang),
               pstart=fmt.date(prev.date_from, lang), pend=fmt.date(prev.date_to, lang))
    notes = [(t("dr.col.rank"), t("dr.col.rank.help")), (t("dr.col.change"), period),
             (t("dr.col.index"), t("dr.weights.intro"))]
    if complaints:
        notes.append((t("dr.col.complaints"), t("dr.col.complaints.help")))
    notes += [(head[m], t(f"dr.m.{m}") + ("：" if not en else ": ") + t(f"dr.m.{m}.help")) for m in metrics]
    column_notes(notes, key=f"{key}-help")


if tab.empty:
    st.info(t("data.no_rows"), icon=":material/info:")
    st.stop()
ranking_table([metric] if metric in metrics_here else [], complaints=False, key="dr-ranking")
sep = "；" if not en else "; "
city_line = t("dr.city_line", items=sep.join(
    [f"{t('dr.col.complaints')} {fmt.big(city['complaints'], lang, nd=2)}"]
    + [f"{t(f'dr.m.{m}')} {city_cell(m)}" for m in metrics_here]))
st.caption(t("dr.city_line", items=f"{t(f'dr.m.{metric}')} {city_cell(metric)}") + "  \n"
           + t("dr.table.caption", start=fmt.date(f.date_from, lang), end=fmt.date(f.date_to, lang),
               pstart=fmt.date(prev.date_from, lang), pend=fmt.date(prev.date_to, lang))
           + "  \n" + t("dr.legend", n=R.SMALL_N) + "  \n" + t("dr.detail.caption"))
export_cols = (["unit", "district_code", "name", "township", "population", "complaints", "index", "rank",
                "rank_lo", "rank_hi", "prev_rank", "prev_rank_lo", "prev_rank_hi", "rank_change", "rank_moved"]
               + [c for m in metrics_here for c in (m, f"{m}_lo", f"{m}_hi", f"{m}_num", f"{m}_den", f"{m}_vs_city",
                                                     f"{m}_small")])
downloads(None, tab[[c for c in export_cols if c in tab.columns]],
          f"district_ranking_{level}", png=False)

# --- one chart at a time: tabs built only when chosen ----------------------------------------------------
mname = t(f"dr.m.{metric}")
unit_suffix = " (%)" if metric in R.PROPORTIONS else ""
view_labels = [t(f"dr.view.{v}") for v in VIEWS]
view = url_value("dr_view", "map", *choice(VIEWS))
if st.session_state.get("dr_views") not in (view_labels[VIEWS.index(view)],):
    st.session_state["dr_views"] = view_labels[VIEWS.index(view)]


def _view_changed():
    label = st.session_state.get("dr_views")
    if label in view_labels:
        st.session_state["qp:dr_view"] = VIEWS[view_labels.index(label)]


panes = dict(zip(VIEWS, st.tabs(view_labels, key="dr_views", on_change=_view_changed)))
record("dr_view", view, "map", str)

if panes["map"].open:
    with panes["map"]:
        if F.load_geojson() is None:
            st.warning(t("dr.map.missing"))
        else:
            county_tab = tab if level == "county" else data.call(R.ranking, f, "county", weights_arg, fair)
            county_tab = county_tab.copy()
            county_tab["label"] = county_tab["name_en" if en else "short_name"]
            map_key = f"dr_map_{focus or 'all'}_{metric}"

            def _on_map_select():
                ev = st.session_state.get(map_key)
                try:
                    pts = ev["selection"]["points"]
                except (KeyError, TypeError):
                    pts = []
                for p in pts:
                    code = p.get("location")
                    if code is None and p.get("customdata"):
                        code = p["customdata"][-1]
                    if code in short:
                        st.session_state["qp:dr_focus"] = code

            fig = F.county_map(county_tab, metric, title=t("dr.map.title", metric=mname),
                               value_label=mname + unit_suffix, higher_is_better=R.HIGHER_IS_BETTER[metric],
                               label_col="label", city=city.get(metric), worse_label=t("dr.map.worse"), lang=lang,
                               value_text=[value_text(v, metric) for v in county_tab[metric]], focus=focus)
            chart_block(fig, county_tab[["district_code", "name", metric, f"{metric}_lo", f"{metric}_hi",
                                         f"{metric}_num", f"{metric}_den", f"{metric}_vs_city"]],
                        f"district_map_{metric}", on_select=_on_map_select, key=map_key)
            st.caption(t("dr.map.note" if interactive_charts() else "dr.map.note.static"))

if panes["all"].open:
    with panes["all"]:
        ranking_table(metrics_here, complaints=True, key="dr-ranking-all")
        st.caption(city_line)

if panes["intervals"].open:
    with panes["intervals"]:
        if level == "township" and metric in R.COUNTY_ONLY:
            st.info(t("dr.township.no_pop"), icon=":material/info:")
        else:
            k = 100 if metric in R.PROPORTIONS else 1
            cv = city.get(metric)
            city_txt = value_text(cv, metric)
            verdicts = {"better": t("dr.better"), "worse": t("dr.worse"), "same": t("dr.v.same"),
                        "few": t("dr.v.few")}
            fig = F.interval_chart(tab, metric, title=t("dr.interval.title", metric=mname, city=city_txt),
                                   x_label=mname + unit_suffix, city=cv, city_label=t("dr.city_row") + " " + city_txt,
                                   verdict_labels=verdicts, label_col="label",
                                   focus=focus if level == "county" else None)
            detail = pd.DataFrame({
                unit_col: tab["label"],
                t("dr.col.value"): tab[metric] * k,
                t("dr.col.lo"): tab[f"{metric}_lo"] * k,
                t("dr.col.hi"): tab[f"{metric}_hi"] * k,
                t("dr.col.num"): tab[f"{metric}_num"],
                t("dr.col.den"): tab[f"{metric}_den"],
                t("dr.col.city"): None if cv is None else cv * k,
                t("dr.col.verdict"): [t(f"dr.v.{v}") if v in ("same", "above", "below", "few") else t("dr.v.none")
                                      for v in tab[f"{metric}_vs_city"]],
            })
            chart_block(fig, detail, f"district_intervals_{metric}_{level}")
            # the same numbers as a light table, formatted for reading
            def cases(num, den) -> str:
                """The counts behind a value: numerator / denominator of a rate, else the n."""
                if metric in R.PROPORTIONS or metric == "returns_per_store":
                    return fmt.DASH if pd.isna(num) or pd.isna(den) else \
                        f"{fmt.count(num, lang)} / {fmt.count(den, lang)}"
                return fmt.count(num if metric == "per_100k" else den, lang)

            shown = pd.DataFrame({
                unit_col: tab["label"],
                t("dr.col.value"): [value_text(v, metric) for v in tab[metric]],
                t("dr.col.interval"): [fmt.DASH if pd.isna(lo) or pd.isna(hi) else
                                       f"{value_text(lo, metric)} – {value_text(hi, metric)}"
                                       for lo, hi in zip(tab[f"{metric}_lo"], tab[f"{metric}_hi"])],
                t("dr.col.count"): [cases(n, dn) for n, dn in zip(tab[f"{metric}_num"], tab[f"{metric}_den"])],
                t("dr.col.verdict"): detail[t("dr.col.verdict")],
            })
            st.table(shown.set_index(unit_col))
            st.caption(t("dr.interval.note"))
            if tab[f"{metric}_small"].any():
                st.caption(t("dr.small_warn", n=R.SMALL_N))

if panes["funnel"].open:
    with panes["funnel"]:
        if R.KINDS[metric] not in ("poisson", "binomial"):
            st.info(t("dr.funnel.none", metric=mname), icon=":material/info:")
        elif level == "township" and metric in R.COUNTY_ONLY:
            st.info(t("dr.funnel.township_pop"), icon=":material/info:")
        else:
            limits = data.call(R.funnel, f, metric, level)
            xkey = metric if metric in ("per_100k", "returns_per_store") else "count"
            xl = t(f"dr.funnel.x.{xkey}")
            fig = F.funnel_chart(tab, limits, metric, title=t("dr.funnel.title", metric=mname, x=xl), x_label=xl,
                                 y_label=mname + unit_suffix, label_col="label", lang=lang,
                                 labels={"l95": t("dr.funnel.l95"), "l998": t("dr.funnel.l998"),
                                         "city": t("dr.funnel.city"), "better": t("dr.better"),
                                         "worse": t("dr.worse"), "same": t("dr.v.same")},
                                 focus=focus if level == "county" else None)
            chart_block(fig, limits, f"district_funnel_{metric}_{level}")
            st.caption(t("dr.funnel.note"))

# months by default: weekly ranks of a handful of cases are almost all noise
if panes["bump"].open:
    with panes["bump"]:
        grain = url_widget(st.segmented_control, "dr_bump", "month", options=list(R.GRAINS),
                           label=t("dr.bump.grain"), format_func=lambda g: t(f"dr.bump.{g}", lang=lang),
                           required=True)
        gname = t(f"dr.bump.{grain}")
        hist = data.call(R.rank_history, f, grain, 8, weights_arg, fair)
        if hist.empty or hist["rank"].isna().all():
            st.info(t("dr.bump.empty", grain=gname), icon=":material/info:")
        else:
            hist = hist.copy()
            hist["label"] = hist["name_en" if en else "short_name"]
            fig = F.bump_chart(hist, title=t("dr.bump.title", grain=gname), label_col="label",
                               rank_label=t("dr.rank_axis"), focus=focus, lang=lang,
                               n_units=len(hist["district_code"].unique()))
            chart_block(fig, hist.drop(columns=["label"]), f"district_rank_history_{grain}", period=f.date_to)
            st.caption(t("dr.bump.note", grain=t(f"dr.bump.{grain}.one"), end=fmt.date(f.date_to, lang)))
else:       # the link keeps the grain while the chart is not shown
    record("dr_bump", url_value("dr_bump", "month", *choice(R.GRAINS)), "month", str)
