"""Explore: the complaint records behind any number — facet filters with counts, merchant
search, paged and sortable records, CSV/JSON downloads and a citation."""
from ui.page import begin

ctx = begin()

import datetime as dt  # noqa: E402

import streamlit as st  # noqa: E402

from analytics import explore, queries  # noqa: E402
from ui import charts, cite, data, export, state  # noqa: E402
from ui.figures import explore as figs  # noqa: E402
from ui.i18n import CATALOGUE, label, t  # noqa: E402
from ui.page import chart_block, column_notes, fmt_int, fmt_pct, on_phone, text_table  # noqa: E402
from ui.text import md  # noqa: E402

f, lang = ctx.filters, ctx.lang
st.caption(t("ex.intro"))

# --- facet state (read before drawing, so the counts can go into the labels) -----------------
values = data.call(explore.facet_values)
opts = {k: list(g["value"]) for k, g in values.groupby("facet", sort=False)}
GROUP = {"channels": "channel", "object_classes": "class", "categories": "cat", "problems": "problem",
         "outcomes": "outcome"}
URL = {"channels": "ex_channel", "object_classes": "ex_class", "categories": "ex_cat", "problems": "ex_problem",
       "outcomes": "ex_outcome"}
sel = {k: state.url_value(URL[k], [], *state.multi(opts.get(k, []))) or [] for k in URL}
status = state.url_value("ex_status", None, *state.choice(["open", "closed"]))
def _merchant_parse(v: str) -> str:
    return v[:100]


merchant = state.url_value("ex_merchant", "", _merchant_parse, str) or ""
fx = f.with_(**{k: tuple(v) for k, v in sel.items()}, status=status or "all", merchant=merchant.strip()[:100])

counts = data.call(explore.facet_counts, fx)
cnt = {(r.facet, r.value): int(r.n) for r in counts.itertuples()}
districts = data.call(queries.districts)
dname = dict(zip(districts["code"], districts["name_en" if lang == "en" else "name"]))
dshort = dict(zip(districts["code"], districts["name_en" if lang == "en" else "short_name"]))   # table cells


def _fmt(facet, show):
    def fmt(v):
        n = cnt.get((facet, v), 0)
        return f"{show(v)} ({n:,})" if lang == "en" else f"{show(v)}（{n:,}）"
    return fmt


def _ordered(facet):
    """Options with a count first (most first), then those with none under the other filters."""
    o = opts.get(facet, [])
    return sorted(o, key=lambda v: (-cnt.get((facet, v), 0), o.index(v)))


def _set_global(name, wkey):
    """A facet of a global (sidebar) filter: write the sidebar's state, the sidebar follows."""
    v = st.session_state[wkey]
    if name == "route":
        st.session_state["qp:route"] = v or "all"
    else:
        st.session_state["qp:district"] = sorted(v or [])


# --- the key numbers first, as one line (on a phone it comes before the filter box); the facets'
# counts below give the same numbers for every other choice
total = data.call(explore.record_count, fx)
if total:
    n_odr = cnt.get(("route", "odr"), 0) if fx.route == "all" else (total if fx.route == "odr" else 0)
    n_closed = cnt.get(("status", "closed"), 0) if fx.status == "all" else (total if fx.status == "closed" else 0)
    st.markdown(t("ex.summary", total=fmt_int(total), odr=fmt_int(n_odr), odr_pct=fmt_pct(n_odr / total),
                  closed=fmt_int(n_closed), closed_pct=fmt_pct(n_closed / total)), help=t("ex.total.help"))

with st.container(border=True):
    merchant = state.url_widget(st.text_input, "ex_merchant", "", parse=_merchant_parse, dump=str,
                                label=t("ex.merchant"), placeholder=t("ex.merchant.placeholder"),
                                max_chars=100, icon=":material/search:")
    st.caption(t("ex.facets"))
    pills = st.columns(3)
    with pills[0]:
        st.session_state["ex_g_route"] = None if f.route == "all" else f.route
        st.pills(t("ex.facet.route"), ["odr", "traditional"], key="ex_g_route", wrap=True,
                 format_func=_fmt("route", lambda v: t(f"filter.route.{v}", lang=lang)),
                 on_change=_set_global, args=("route", "ex_g_route"))
    with pills[1]:
        class_opts = opts.get("object_classes", [])
        state.url_widget(st.pills, "ex_class", [], options=class_opts, parse=state.multi(class_opts)[0],
                         dump=state.multi(class_opts)[1], selection_mode="multi", wrap=True,
                         label=t("ex.facet.object_classes"),
                         format_func=_fmt("object_classes", lambda v: md(label(v, "class", lang))))
    with pills[2]:
        state.url_widget(st.pills, "ex_status", None, options=["open", "closed"], label=t("ex.facet.status"), wrap=True,
                         format_func=_fmt("status", lambda v: t(f"ex.status.{v}", lang=lang)))
    # the rest in a section built when opened (a link that sets one of them opens it): districts (also
    # in the sidebar), channels and outcomes as buttons with their counts, the two long lists as
    # drop-downs. Closed, none of their widgets is sent (bench/interleave.py --cpu: ~50 ms of a new
    # visitor's main thread)
    MORE = ("channels", "outcomes", "categories", "problems")
    if any(sel[k] for k in MORE):
        st.session_state["ex_more_open"] = True
    more = st.expander(t("ex.facet.more"), icon=":material/filter_list:", key="ex_more_open", on_change="rerun")
    if more.open:
        with more:
            st.session_state["ex_g_district"] = list(f.districts)
            st.pills(t("ex.facet.districts"), _ordered("districts"), key="ex_g_district", selection_mode="multi",
                     format_func=_fmt("districts", lambda v: dname.get(v, v)), on_change=_set_global,
                     args=("district", "ex_g_district"))
            for facet, group in (("channels", "channel"), ("outcomes", "outcome")):
                options = _ordered(facet)
                parse, dump = state.multi(options)
                state.url_widget(st.pills, URL[facet], [], options=options, parse=parse, dump=dump,
                                 selection_mode="multi", label=t(f"ex.facet.{facet}"),
                                 format_func=_fmt(facet, lambda v, g=group: label(v, g, lang)))
            cols = st.columns(2)
            for col, (facet, group) in zip(cols, (("categories", "cat"), ("problems", "problem"))):
                with col:
                    state.url_widget(st.multiselect, URL[facet], [], options=_ordered(facet),
                                     label=t(f"ex.facet.{facet}"), placeholder=t("ex.facet.any"),
                                     format_func=_fmt(facet, lambda v, g=group: label(v, g, lang)))
    else:                                    # closed: none chosen; the URL keeps nothing for them
        for facet in MORE:
            state.record(URL[facet], sel[facet], [], state.multi(opts.get(facet, []))[1])

    def _clear():
        for name in list(URL.values()) + ["ex_status", "ex_merchant", "ex_page"]:
            st.session_state[f"qp:{name}"] = {"ex_status": None, "ex_merchant": "", "ex_page": 1}.get(name, [])
    st.button(t("ex.clear"), icon=":material/filter_alt_off:", on_click=_clear,
              disabled=not (any(sel.values()) or status or merchant))

# --- results ---------------------------------------------------------------------------------
if total == 0:
    st.info(t("ex.empty"), icon=":material/search_off:")
    st.stop()

views = ["records", "chart"]
view = state.url_value("ex_view", "records", *state.choice(views))
tab_labels = {v: t(f"ex.tab.{v}", lang=lang) for v in views}
tab_key = f"ex_tabs_{lang}"                  # labels differ by language: one state per language
st.session_state[tab_key] = tab_labels[view]


def _tab_changed():
    chosen = st.session_state[tab_key]
    st.session_state["qp:ex_view"] = next(v for v in views if tab_labels[v] == chosen)


# the chart is drawn only when its tab is chosen (a lazy tab; ?ex_view=chart opens it)
tab_records, tab_chart = st.tabs([tab_labels[v] for v in views], key=tab_key, on_change=_tab_changed)
state.record("ex_view", view, "records", str)

with tab_chart:
    if tab_chart.open:
        monthly = data.call(explore.monthly_records, fx)
        start = max(f.date_from, ctx.first) if ctx.first else f.date_from
        end = min(f.date_to, ctx.as_of) if ctx.as_of else f.date_to
        fig = figs.monthly_bar(monthly, title=t("ex.chart.title"), y_label=t("common.complaints"),
                               odr_label=t("common.odr"), trad_label=t("common.traditional"),
                               partial_label=t("ex.chart.partial"), lang=lang, start=start, end=end,
                               split=fx.route == "all")
        chart_block(fig, monthly, "complaints_by_month", filters=fx)

db_path = data.database_path()
cap = explore.EXPORT_CAP
SIZE0 = 25                              # rows per page unless the URL says otherwise: a screenful and
                                        # a half; fewer rows to build for a new visitor
# the records' URL state: default and (parse, dump) of each parameter
REC = {"ex_sort": ("received", state.choice(list(explore.SORTS))), "ex_order": ("desc", state.choice(["desc", "asc"])),
       "ex_size": (SIZE0, state.choice(list(explore.PAGE_SIZES))), "ex_page": (1, state.INT)}


@st.fragment
def records_section():
    """Sorting, paging, the records table, a record's details and the downloads: their widgets
    change only this section, so it reruns alone (the filters, counts and chart stay as drawn)."""
    # the order and rows per page are chosen in a popover whose button names them (built only when
    # opened in the browser: ~25 ms less of a new visitor's main thread, bench/interleave.py --cpu);
    # the one number field is the page (drop-downs' scripts would cost a new visitor ~0.25 s before
    # the page is ready, bench/pageready.py)
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    sort, order, size = (state.url_value(k, REC[k][0], *REC[k][1]) for k in ("ex_sort", "ex_order", "ex_size"))
    if on_phone():                           # a sentence would be cut off at 390 px: key ↓ · rows
        box = t("ex.sorted.short", sort=t(f"ex.sort.{sort}", lang=lang), arrow="↓" if order == "desc" else "↑",
                size=size)
    else:
        low = str.lower if lang == "en" else str
        box = t("ex.sorted", sort=low(t(f"ex.sort.{sort}", lang=lang)), order=low(t(f"ex.order.{order}", lang=lang)),
                size=size)
    with c1, st.popover(box, icon=":material/sort:", key="ex-sort-box"):
        sort = state.url_widget(st.pills, "ex_sort", REC["ex_sort"][0], options=list(explore.SORTS),
                                label=t("ex.sort"),
                                format_func=lambda k: t(f"ex.sort.{k}", lang=lang), required=True)
        order = state.url_widget(st.segmented_control, "ex_order", REC["ex_order"][0], options=["desc", "asc"],
                                 label=t("ex.order"), format_func=lambda k: t(f"ex.order.{k}", lang=lang),
                                 required=True)
        size = state.url_widget(st.segmented_control, "ex_size", REC["ex_size"][0], options=list(explore.PAGE_SIZES),
                                label=t("ex.size"), required=True)
    pages = max(1, -(-total // size))
    if not 1 <= state.url_value("ex_page", 1, *state.INT) <= pages:   # a stale link or rows per page changed
        st.session_state["qp:ex_page"] = min(max(1, st.session_state["qp:ex_page"]), pages)
        if "ex_page" in st.query_params:
            st.query_params["ex_page"] = str(st.session_state["qp:ex_page"])
    with c2:
        page = state.url_widget(st.number_input, "ex_page", 1, parse=state.INT[0], dump=state.INT[1],
                                label=t("ex.page"), min_value=1, max_value=pages, step=1)
    offset = (page - 1) * size
    rec = data.call(explore.records, fx, sort, order == "desc", size, offset)
    st.caption(t("ex.page.of", page=page, pages=pages, first=offset + 1, last=offset + len(rec), total=total))

    show = figs.records_view(rec, lang, dshort, sort)
    phone = on_phone()
    if phone:   # three narrow columns fit 390 px: the date (or what the rows are sorted by), merchant, outcome;
        # every field of a record is below, on demand
        keep = (figs.SORT_COLUMN.get(sort, "received_at"), "merchant_name", "outcome")
        show = show[list(keep)]
    # a plain table: the order and the page are chosen above (a data grid would only add ~0.6 s of
    # script a new visitor's browser loads before the page is ready; bench/pageready.py)
    table = figs.records_text(show, lang, short=phone)
    # on a phone the page scrolls; elsewhere the table scrolls in its own box (sideways too, if the
    # window is narrow), so the details and downloads below stay close
    # (every column but the merchant's keeps its cells on one line: no date or district broken in two)
    name = {c: t(f"ex.col.{c}") for c in show.columns}
    text_table(table, right=tuple(name[c] for c in figs.RIGHT_COLUMNS if c in name),
               height=None if phone else min(560, 48 + 40 * len(table)), key="ex-records",
               nowrap=tuple(n for c, n in name.items() if c != "merchant_name" and not (phone and c == "outcome")))
    column_notes([(name[c], t(f"ex.col.{c}.help")) for c in show.columns if f"ex.col.{c}.help" in CATALOGUE],
                 key="ex-cols")
    st.caption(t("ex.records.note"))

    # every field of one record, on demand (the picker is built when its section is opened)
    box = st.expander(t("ex.detail"), icon=":material/description:", key="ex_detail_open", on_change="rerun")
    if box.open:
        with box:
            reg = st.selectbox(t("ex.detail.pick"), list(rec["reg_no"]), index=None,
                               placeholder=t("ex.detail.placeholder"), key="ex_detail")
            if reg is not None and reg in set(rec["reg_no"]):
                fields = figs.record_fields(rec[rec["reg_no"] == reg].iloc[0], lang, dname)
                grid = st.columns(3)
                for k, (_col, name, text) in enumerate(fields):
                    with grid[k % 3]:
                        st.caption(name)
                        st.text(text)

    _downloads(sort, order)
    state.write_url()                        # a rerun of this section alone still keeps the URL in step


def _downloads(sort, order):
    """The records as CSV / JSON (computed only when clicked) and the citation."""
    if total > cap:
        st.warning(t("ex.download.capped", total=total, cap=cap), icon=":material/warning:")
    else:
        st.caption(t("ex.download.note", n=total))
    url, _, _ = cite.citations(t("ex.records.title"))
    info = {
        "title": t("ex.records.title", lang="en"),
        "dataset": data.meta().get("dataset"),
        "data_version": cite.data_version(),
        "as_of": ctx.as_of.isoformat() if ctx.as_of else None,
        "permalink": url,
        "exported_at": dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds"),
        "filters": {"from": f.date_from.isoformat(), "to": f.date_to.isoformat(), "districts": list(fx.districts),
                    "route": fx.route, "channels": list(fx.channels), "object_classes": list(fx.object_classes),
                    "categories": list(fx.categories), "problems": list(fx.problems), "outcomes": list(fx.outcomes),
                    "status": fx.status, "merchant": fx.merchant},
        "sort": sort, "order": order,
        "total": total, "exported": min(total, cap), "truncated": total > cap,
        "notice": (t("ex.download.capped", lang="en", total=total, cap=cap) if total > cap else None),
    }

    def _rows():
        from analytics import db
        return explore.export_records(db.shared(db_path), fx, sort, order == "desc", cap)

    def stem(ext, suffix=None):         # page, content, period, facets (ui/export.py)
        return export.current_file_name("complaint_records", ext, lang=lang, filters=fx, suffix=suffix,
                                        extra=[t("file.first", lang=lang, n=cap)] if total > cap else [])

    with st.container(horizontal=True):
        st.download_button(t("ex.download.csv"), data=lambda: charts.csv_bytes(export.labelled_frame(
                           figs.export_frame(_rows()), lang)), file_name=stem("csv"),
                           mime="text/csv", icon=":material/download:", key="ex-dl-csv", on_click="ignore")
        st.download_button(t("ex.download.json"), data=lambda: figs.records_json(_rows(), info),
                           file_name=stem("json"), mime="application/json", icon=":material/data_object:",
                           key="ex-dl-json", on_click="ignore")
        with st.popover(t("dl.more"), icon=":material/data_object:", key="ex-dl-more"):
            st.caption(t("dl.codes.help"))
            st.download_button(t("dl.codes"), data=lambda: figs.records_csv(_rows()), file_name=stem("csv", "codes"),
                               mime="text/csv", icon=":material/download:", key="ex-dl-csv-codes", on_click="ignore")
        cite.cite_popover(t("ex.records.title"), key="ex-cite-records")


with tab_records:
    if tab_records.open:
        records_section()
    else:                                    # the records' URL state is kept while the chart is shown
        for name, (default, parse_dump) in REC.items():
            state.record(name, state.url_value(name, default, *parse_dump), default, parse_dump[1])
