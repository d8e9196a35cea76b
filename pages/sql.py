"""SQL: read-only queries for power users — one SELECT, run in a worker process bounded by the
operating system (1 GB of memory, 2 seconds), at most 1,000 rows and 5 MB; example queries and
the data dictionary beside the editor. A query that arrives in a link is shown, not run, until
the visitor presses Run (unless it is one of the examples)."""
from ui.page import begin

ctx = begin()


import duckdb  # noqa: E402
import streamlit as st  # noqa: E402

from analytics import db, dictionary, sqlguard  # noqa: E402
from ui import data, state  # noqa: E402
from ui.i18n import t  # noqa: E402
from ui.figures import explore as figs  # noqa: E402
from ui.page import downloads, on_phone, text_table  # noqa: E402

lang = ctx.lang
DEFAULT = sqlguard.EXAMPLES["per_district"][2]
EXAMPLE_TEXTS = {sql.strip() for _zh, _en, sql in sqlguard.EXAMPLES.values()}
LINKED = "_sql_linked"      # the text of a query that came in a link and has not been run yet
st.caption(t("ex.sql.intro"))


def _use(sql: str):
    st.session_state["qp:sql_q"] = sql


def _approve():
    """Run pressed: the editor's text is the visitor's to run, wherever it came from."""
    st.session_state.pop(LINKED, None)


def _run(sql: str):
    """The result of ``sql`` (run in a worker process by sqlguard), remembered for this session until the
    statement or the database changes (a rerun does not run it again)."""
    key = (sql, data.data_key())
    memo = st.session_state.get("_sql_memo")
    if memo and memo[0] == key:
        return memo[1]
    if sql.strip() in EXAMPLE_TEXTS:
        return _example(key)
    return _execute(key, sqlguard.TIME_LIMIT)


def _example(key):
    """An example's outcome: computed once per database file for every session (and kept for the
    next start: ui.data.example_result)."""
    out = data.example_result(key[0], lambda: _execute(key, sqlguard.EXAMPLE_TIME_LIMIT))
    st.session_state["_sql_memo"] = (key, out)
    return out


def _execute(key, time_limit: float):
    sql = key[0]
    try:
        out = ("ok", sqlguard.run(sql, data.database_path(), time_limit=time_limit))
    except sqlguard.Refused as exc:
        out = ("refused", exc)
    except db.QueryTimeout as exc:
        out = ("timeout", exc)
    except sqlguard.QueryStopped as exc:
        out = ("memory" if exc.reason == "memory" else "crash", exc)
    except sqlguard.Busy as exc:
        return ("busy", exc)                 # not remembered: Run again tries again
    except db.DatabaseUnavailable as exc:
        out = ("unavailable", exc)
    except duckdb.Error as exc:
        out = ("error", exc)
    st.session_state["_sql_memo"] = (key, out)
    return out


left, right = st.columns([3, 2], gap="large")
with left:
    linked = state.from_link("sql_q")      # read before url_widget applies it
    sql = state.url_widget(st.text_area, "sql_q", DEFAULT, parse=lambda v: v[:sqlguard.MAX_LENGTH], dump=str,
                           label=t("ex.sql.editor"),
                           height=260, max_chars=sqlguard.MAX_LENGTH)
    sql = sql or ""
    if linked:
        st.session_state[LINKED] = sql
    st.button(t("ex.sql.run"), type="primary", icon=":material/play_arrow:", key="sql-run", on_click=_approve)
    # a query from a link runs only when the visitor presses Run, or when it is one of the examples;
    # a query typed here (or an example put in the editor) runs as before
    if sql == st.session_state.get(LINKED) and sql.strip() not in EXAMPLE_TEXTS:
        kind, res = "pending", None
    else:
        kind, res = _run(sql)
    if kind == "pending":
        st.info(t("ex.sql.pending"), icon=":material/play_arrow:")
    elif kind == "ok":
        st.caption(t("ex.sql.rows", n=len(res.frame), ms=res.elapsed * 1000))
        if res.truncated:
            st.warning(t("ex.sql.truncated"), icon=":material/content_cut:")
        if res.capped:
            st.warning(t("ex.sql.capped", n=len(res.frame), mb=sqlguard.BYTE_CAP / 1e6),
                       icon=":material/content_cut:")
        if len(res.frame) == 0 and not res.capped:
            st.info(t("ex.sql.no_rows"))
        elif (small := figs.result_text(res.frame, lang)) is not None:
            # a small result is a plain table (scrolling in its own box): a data grid's script would
            # cost a new visitor ~0.6 s before the page is ready; larger results get the grid
            table, numeric = small
            # (text cells wrap, so the table fits the editor's column; narrow padding on a phone)
            text_table(table, right=numeric, height=min(48 + 40 * len(table), 480), key="sql-result",
                       tight=on_phone())
        else:
            narrow = {c: st.column_config.Column(width="small") for c in res.frame.columns} if on_phone() else None
            st.dataframe(res.frame, hide_index=True, height=min(38 + 35 * len(res.frame), 480), placeholder="—",
                         column_config=narrow)
        downloads(None, res.frame, "sql_result", png=False, scope=False, cite_title=t("ex.sql.result"))
    elif kind == "refused" and res.code == "empty":
        st.info(t("ex.sql.refused.empty"), icon=":material/edit:")
    elif kind == "refused":
        reason = t(f"ex.sql.refused.{res.code}", detail=res.detail)
        st.error(t("ex.sql.refused", reason=reason), icon=":material/block:")
    elif kind == "timeout":
        st.error(t("ex.sql.timeout"), icon=":material/timer_off:")
    elif kind == "memory":
        st.error(t("ex.sql.memory", limit=sqlguard.MEMORY_LABEL), icon=":material/memory:")
    elif kind == "crash":
        st.error(t("ex.sql.crash", limit=sqlguard.MEMORY_LABEL), icon=":material/memory:")
    elif kind == "busy":
        st.warning(t("ex.sql.busy"), icon=":material/hourglass_top:")
    elif kind == "unavailable":
        st.error(t("ex.sql.unavailable", error=res))
    else:
        st.error(t("ex.sql.error", error=str(res).split("\n")[0]))

with right:
    # both tabs are lazy: an example's code is built when its section is opened, the dictionary when
    # its tab is chosen (?sql_table=… opens it)
    tab_labels = {"examples": t("ex.sql.examples"), "dictionary": t("ex.sql.dictionary")}
    first = "dictionary" if "sql_table" in st.query_params else "examples"
    tabs = dict(zip(tab_labels, st.tabs(list(tab_labels.values()), key=f"sql_tabs_{lang}", on_change="rerun",
                                        default=tab_labels[first])))
    with tabs["examples"]:
        if tabs["examples"].open:
            for key, (zh, en, example) in sqlguard.EXAMPLES.items():
                box = st.expander(en if lang == "en" else zh, icon=":material/code:", key=f"sql-ex-{key}",
                                  on_change="rerun")
                with box:
                    if box.open:
                        st.code(example, language="sql", wrap_lines=True)
                        st.button(t("ex.sql.use"), key=f"sql-use-{key}", on_click=_use, args=(example,),
                                  icon=":material/edit_note:", type="tertiary")
    with tabs["dictionary"]:
        if tabs["dictionary"].open:
            tables = dictionary.tables()
            labels = dictionary.table_frame(lang).set_index("table")
            table = state.url_widget(st.selectbox, "sql_table", "complaints", options=tables,
                                     label=t("ex.sql.table"), format_func=lambda x: f"{x} · {labels.at[x, 'label']}")
            st.caption(labels.at[table, "meaning"])
            # a static table wraps its text, so it fits the narrow column (cells escaped: no Markdown)
            st.table(figs.dictionary_table(dictionary.column_frame(lang, table), lang), hide_index=True)
