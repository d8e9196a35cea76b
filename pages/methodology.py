"""Methodology: every metric with its formula, numerator and denominator; conventions; data
sources, version and as-of date; caveats; the data dictionary."""
from ui.page import begin

ctx = begin()

import streamlit as st  # noqa: E402

from analytics import dictionary, explore, metrics  # noqa: E402
from ui import cite, data  # noqa: E402
from ui.i18n import CATALOGUE, t  # noqa: E402
from ui.page import fmt_int  # noqa: E402
from ui.text import md  # noqa: E402

lang = ctx.lang
meta = data.meta()
st.caption(t("ex.me.intro"))
if meta.get("dataset") == "sample":
    st.info(t("ex.me.synthetic"), icon=":material/science:")

def _nd(text: str) -> str:
    """A numerator / denominator in the page's language (the definitions hold Chinese)."""
    key = f"ex.me.nd.{text}"
    return t(key) if key in CATALOGUE else text


# --- metrics -----------------------------------------------------------------------------------
st.header(t("ex.me.metrics"), anchor="metrics")
cols = st.columns(2)
for i, (key, zh, en, fzh, fen, num, den) in enumerate(metrics.DEFINITIONS):
    with cols[i % 2], st.container(border=True):
        st.markdown(f"**{en if lang == 'en' else zh}** · `{key}`" + (f"  \n{zh}" if lang == "en" else f"  \n{en}"))
        st.markdown(fen if lang == "en" else fzh)
        parts = [f"{t(f'ex.me.col.{which}')}: {_nd(v)}" for which, v in (("numerator", num), ("denominator", den))
                 if v and v != "—"]
        if parts:
            st.markdown("  \n".join(parts))
with st.expander(t("ex.me.conventions"), expanded=False):
    st.markdown(t("ex.me.conventions.body"))

# --- sources -------------------------------------------------------------------------------------
st.header(t("ex.me.sources"), anchor="sources")
dataset = meta.get("dataset", "")
kind = {"sample": t("ex.me.source.sample"), "empty": t("ex.me.source.empty")}.get(dataset, t("ex.me.source.imported"))
m = st.columns([1, 1, 2])
m[0].metric(t("ex.me.source.as_of"), ctx.as_of.isoformat() if ctx.as_of else "—", border=True)
m[1].metric(t("ex.me.source.from"), ctx.first.isoformat() if ctx.first else "—", border=True)
with m[2], st.container(border=True):
    st.markdown(t("ex.me.source.version"), help=t("ex.me.source.version.help"))
    st.code(cite.data_version(), language=None)
st.markdown(f"**{t('ex.me.source.dataset')}**: {kind}" +
            (f"  \n{t('ex.me.source.built')}: {md(meta['created_at'])}" if meta.get("created_at") else ""))
st.markdown(t("ex.me.source.origin"))
cal = data.call(explore.calendar_coverage)
if cal["known_until"]:
    st.caption(t("ex.me.calendar", date=cal["known_until"].isoformat()))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("ex.me.population"), anchor=False)
    pop = data.call(explore.district_populations)
    pop = pop.assign(name=pop["name_en"] if lang == "en" else pop["name"]).drop(columns=["name_en"])
    st.dataframe(pop.rename(columns={"code": dictionary.COLUMNS[("districts", "code")][1 if lang == "en" else 2],
                                     "name": dictionary.COLUMNS[("districts", "name")][1 if lang == "en" else 2],
                                     "population": dictionary.COLUMNS[("districts", "population")][1 if lang == "en" else 2],
                                     "pop_note": dictionary.COLUMNS[("districts", "pop_note")][1 if lang == "en" else 2]}),
                 hide_index=True)
with right:
    st.subheader(t("ex.me.sizes"), anchor=False)
    sizes = data.call(explore.table_sizes)
    sizes["rows"] = sizes["rows"].map(fmt_int)
    st.dataframe(sizes.rename(columns={"table": t("ex.sql.col.table"), "rows": t("common.count")}), hide_index=True)
st.subheader(t("ex.me.imports"), anchor=False)
imports = data.call(explore.import_history)
if len(imports):
    st.dataframe(imports.rename(columns={c: dictionary.COLUMNS[("import_log", c)][1 if lang == "en" else 2]
                                         for c in imports.columns}), hide_index=True)
else:
    st.caption(t("ex.me.imports.none"))

# --- caveats -------------------------------------------------------------------------------------
st.header(t("ex.me.caveats"), anchor="caveats")
st.markdown(t("ex.me.caveats.body"))

# --- dictionary ----------------------------------------------------------------------------------
st.header(t("ex.me.dictionary"), anchor="dictionary")
st.caption(t("ex.me.dictionary.intro"))
tables = dictionary.table_frame(lang).set_index("table")
for name in dictionary.tables():
    with st.expander(f"`{name}` · {tables.at[name, 'label']} ({tables.at[name, 'columns']})",
                     expanded=name == "complaints"):
        st.caption(tables.at[name, "meaning"])
        cols_df = dictionary.column_frame(lang, name).drop(columns=["table"])
        st.dataframe(cols_df.rename(columns={c: t(f"ex.sql.col.{c}") for c in cols_df.columns}), hide_index=True)
