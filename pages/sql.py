"""SQL: read-only queries for power users — one SELECT, a separate locked-down connection, a
2-second limit and a 1,000-row cap; example queries and the data dictionary beside the editor."""
from ui.page import begin

ctx = begin()

import duckdb  # noqa: E402
import streamlit as st  # noqa: E402

from analytics import db, dictionary, sqlguard  # noqa: E402
from ui import data, state  # noqa: E402
from ui.i18n import t  # noqa: E402
from ui.page import downloads  # noqa: E402

lang = ctx.lang
DEFAULT = sqlguard.EXAMPLES["per_district"][2]
st.caption(t("ex.sql.intro"))


def _use(sql: str):
    st.session_state["qp:sql_q"] = sql


def _run(sql: str):
    """The result of ``sql`` on the guarded connection, remembered for this session until the
    statement or the database changes (a rerun does not run it again)."""
    key = (sql, data.data_key())
    memo = st.session_state.get("_sql_memo")
    if memo and memo[0] == key:
        return memo[1]
    try:
        out = ("ok", sqlguard.run(sql, data.database_path()))
    except sqlguard.Refused as exc:
        out = ("refused", exc)
    except db.QueryTimeout as exc:
        out = ("timeout", exc)
    except db.DatabaseUnavailable as exc:
        out = ("unavailable", exc)
    except duckdb.Error as exc:
        out = ("error", exc)
    st.session_state["_sql_memo"] = (key, out)
    return out


left, right = st.columns([3, 2], gap="large")
with left:
    sql = state.url_widget(st.text_area, "sql_q", DEFAULT, parse=lambda v: v[:sqlguard.MAX_LENGTH], dump=str,
                           label=t("ex.sql.editor"),
                           height=260, max_chars=sqlguard.MAX_LENGTH)
    st.button(t("ex.sql.run"), type="primary", icon=":material/play_arrow:")
    kind, res = _run(sql or "")
    if kind == "ok":
        st.caption(t("ex.sql.rows", n=len(res.frame), ms=res.elapsed * 1000))
        if res.truncated:
            st.warning(t("ex.sql.truncated"), icon=":material/content_cut:")
        if len(res.frame) == 0:
            st.info(t("ex.sql.no_rows"))
        else:
            st.dataframe(res.frame, hide_index=True, height=min(38 + 35 * len(res.frame), 480))
        downloads(None, res.frame, "sql_result", png=False, cite_title=t("ex.sql.result"))
    elif kind == "refused" and res.code == "empty":
        st.info(t("ex.sql.refused.empty"), icon=":material/edit:")
    elif kind == "refused":
        reason = t(f"ex.sql.refused.{res.code}", detail=res.detail)
        st.error(t("ex.sql.refused", reason=reason), icon=":material/block:")
    elif kind == "timeout":
        st.error(t("ex.sql.timeout"), icon=":material/timer_off:")
    elif kind == "unavailable":
        st.error(t("ex.sql.unavailable", error=res))
    else:
        st.error(t("ex.sql.error", error=str(res).split("\n")[0]))

with right:
    tab_ex, tab_dict = st.tabs([t("ex.sql.examples"), t("ex.sql.dictionary")])
    with tab_ex:
        for key, (zh, en, example) in sqlguard.EXAMPLES.items():
            with st.expander(en if lang == "en" else zh, icon=":material/code:"):
                st.code(example, language="sql", wrap_lines=True)
                st.button(t("ex.sql.use"), key=f"sql-use-{key}", on_click=_use, args=(example,),
                          icon=":material/edit_note:", type="tertiary")
    with tab_dict:
        tables = dictionary.tables()
        labels = dictionary.table_frame(lang).set_index("table")
        table = state.url_widget(st.selectbox, "sql_table", "complaints", options=tables, label=t("ex.sql.table"),
                                 format_func=lambda x: f"{x} · {labels.at[x, 'label']}")
        st.caption(labels.at[table, "meaning"])
        cols = dictionary.column_frame(lang, table).drop(columns=["table"])
        st.dataframe(cols.rename(columns={c: t(f"ex.sql.col.{c}") for c in cols.columns}), hide_index=True,
                     height=min(38 + 35 * len(cols), 520))
