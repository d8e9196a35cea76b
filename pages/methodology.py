"""Methodology: every metric with its formula, numerator and denominator; conventions; the
statistical methods behind the pages' plain words (anchors #km, #unusual-weeks,
#poisson-intervals, #fair-scoring); data sources, version and as-of date; caveats; the data
dictionary (each table built when its section is opened)."""
from ui.page import begin

ctx = begin()

import re  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from analytics import dictionary, explore, metrics  # noqa: E402
from ui import cite, data, fmt  # noqa: E402
from ui.figures import explore as figs  # noqa: E402
from ui.i18n import CATALOGUE, t  # noqa: E402
from ui.text import md  # noqa: E402
from ui.page import text_table  # noqa: E402

lang = ctx.lang
meta = data.meta()
st.caption(t("ex.me.intro"))
if meta.get("dataset") == "sample":
    st.info(t("ex.me.synthetic"), icon=":material/science:")


def _nd(text: str) -> str:
    """A numerator / denominator in the page's language (the definitions hold Chinese)."""
    key = f"ex.me.nd.{text}"
    return t(key) if key in CATALOGUE else text


def _col(table: str, column: str) -> str:
    """A column's name in the page's language (the data dictionary's)."""
    return dictionary.COLUMNS[(table, column)][1 if lang == "en" else 2]


def pop_note(note) -> str:
    """The population note of districts.csv (English there) in the page's language."""
    if fmt.missing(note) or not str(note).strip():
        return fmt.DASH
    note = str(note).strip()
    key = f"ex.me.popnote.{note}"
    if key in CATALOGUE:
        return t(key)
    m = re.fullmatch(r"derived: city total (\d+) minus the other five counties", note)
    if m:
        return t("ex.me.popnote.derived", total=fmt.num(int(m.group(1))))
    return note


def table_name(name: str) -> str:
    """``complaints`` → 投诉举报记录 / Complaints; ``complaints:投诉`` → 投诉举报记录：其中投诉."""
    base, _, typ = name.partition(":")
    label = dictionary.TABLES[base][1 if lang == "en" else 0] if base in dictionary.TABLES else base
    if not typ:
        return label
    key = f"ex.me.appeal.{typ}"
    return t("ex.me.sizes.of_type", table=label, type=t(key) if key in CATALOGUE else typ)


# --- metrics -----------------------------------------------------------------------------------
st.header(t("ex.me.metrics"), anchor="metrics")
cols = st.columns(2)
for i, (key, zh, en, fzh, fen, num, den) in enumerate(metrics.DEFINITIONS):
    with cols[i % 2], st.container(border=True):
        st.markdown(f"**{en if lang == 'en' else zh}**", help=t("ex.me.key.help", field=key))
        st.markdown(fen if lang == "en" else fzh)
        parts = [f"{t(f'ex.me.col.{which}')}: {_nd(v)}" for which, v in (("numerator", num), ("denominator", den))
                 if v and v != "—"]
        if parts:
            st.markdown("  \n".join(parts))
with st.expander(t("ex.me.conventions"), expanded=False):
    st.markdown(t("ex.me.conventions.body"))

# --- methods (the pages' tooltips point here) ------------------------------------------------------
st.header(t("ex.me.methods"), anchor="methods")
st.caption(t("ex.me.methods.intro"))
for key, anchor in (("km", "km"), ("weeks", "unusual-weeks"), ("poisson", "poisson-intervals"),
                    ("fair", "fair-scoring")):
    st.subheader(t(f"ex.me.m.{key}"), anchor=anchor)
    st.markdown(t(f"ex.me.m.{key}.body"))

# --- sources -------------------------------------------------------------------------------------
st.header(t("ex.me.sources"), anchor="sources")
dataset = meta.get("dataset", "")
kind = {"sample": t("ex.me.source.sample"), "empty": t("ex.me.source.empty")}.get(dataset, t("ex.me.source.imported"))
m = st.columns([3, 2])
with m[0], st.container(border=True):     # dates as text: a metric's large type cuts 2024年3月14日 at 1280 px
    st.markdown(f"**{t('ex.me.source.as_of')}**: {fmt.date(ctx.as_of, lang)}  \n"
                f"**{t('ex.me.source.from')}**: {fmt.date(ctx.first, lang)}")
with m[1], st.container(border=True):
    st.markdown(t("ex.me.source.version"), help=t("ex.me.source.version.help"))
    # plain text to select and copy: st.code would load a 1.5 MB syntax highlighter for one line
    st.text(cite.data_version())
st.markdown(f"**{t('ex.me.source.dataset')}**: {kind}" +
            (f"  \n{t('ex.me.source.built')}: {md(fmt.timestamp(meta['created_at'], lang))}"
             if meta.get("created_at") else ""))
st.markdown(t("ex.me.source.origin"))
cal = data.call(explore.calendar_coverage)
if cal["known_until"]:
    st.caption(t("ex.me.calendar", date=fmt.date(cal["known_until"], lang)))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("ex.me.population"), anchor=False)
    pop = data.call(explore.district_populations)
    shown = pd.DataFrame({
        _col("districts", "name"): list(pop["name_en"] if lang == "en" else pop["name"]),
        _col("districts", "population"): [fmt.num(v) for v in pop["population"]],
        _col("districts", "pop_note"): [pop_note(v) for v in pop["pop_note"]],
    })
    # small static tables: text (escaped by text_table), no data grid, no Arrow decoder to load
    text_table(shown, right=(_col("districts", "population"),))
with right:
    st.subheader(t("ex.me.sizes"), anchor=False)
    sizes = data.call(explore.table_sizes)
    text_table(pd.DataFrame({t("ex.sql.col.table"): [table_name(n) for n in sizes["table"]],
                             t("ex.me.col.rows"): [fmt.num(v) for v in sizes["rows"]]}), right=(t("ex.me.col.rows"),))
st.subheader(t("ex.me.imports"), anchor=False)
imports = data.call(explore.import_history)
if len(imports):
    imports = imports.assign(
        imported_at=[fmt.timestamp(v, lang) for v in imports["imported_at"]],
        kind=[table_name(v) if v in dictionary.TABLES else v for v in imports["kind"]])
    st.dataframe(imports.rename(columns={c: _col("import_log", c) for c in imports.columns}), hide_index=True,
                 placeholder="—")
else:
    st.caption(t("ex.me.imports.none"))

# --- caveats -------------------------------------------------------------------------------------
st.header(t("ex.me.caveats"), anchor="caveats")
st.markdown(t("ex.me.caveats.body"))

# --- dictionary: each table's columns are built only when its section is opened ------------------
st.header(t("ex.me.dictionary"), anchor="dictionary")
st.caption(t("ex.me.dictionary.intro"))
tables = dictionary.table_frame(lang).set_index("table")
for name in dictionary.tables():
    box = st.expander(f"`{name}` · {tables.at[name, 'label']} ({tables.at[name, 'columns']})",
                      key=f"me-dict-{name}", on_change="rerun")
    with box:
        st.caption(tables.at[name, "meaning"])
        if box.open:
            st.table(figs.dictionary_table(dictionary.column_frame(lang, name), lang), hide_index=True)
