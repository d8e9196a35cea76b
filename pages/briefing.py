"""Weekly briefing (每周简报): the briefing of any whole ISO week (``?week=2024-W10``), its
sentences, charts and the three downloads (Word, PDF, HTML). The same facts, sentences and files
as ``python -m briefing``; the sidebar filters do not apply (the briefing is city-wide)."""
from ui.page import begin

ctx = begin()

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from briefing import facts as F  # noqa: E402
from briefing import render as RD  # noqa: E402
from briefing import text as X  # noqa: E402
from ui import data, export, fmt  # noqa: E402
from ui.i18n import t  # noqa: E402
from ui.page import chart_block  # noqa: E402
from ui.state import url_widget  # noqa: E402
from ui.text import md  # noqa: E402

lang = ctx.lang
st.caption(t("bf.intro"))


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _pngs(key: tuple, week: str, lang: str) -> dict:
    return RD.chart_pngs(data.call(F.gather, week, lang=lang), lang)


key = data.data_key()
weeks = data.call(F.whole_weeks)          # through the shared cache: recorded and replayed at a start
if not weeks:
    st.info(t("bf.none"))
    st.stop()

raw = st.query_params.get("week")
if raw is not None and raw not in weeks and st.session_state.get("_bf_reported") != raw:
    st.session_state["_bf_reported"] = raw
    try:
        F.week_window(data.con(), raw)
        reason = t("bf.reason.no_data")
    except F.BriefingError as exc:
        as_of = exc.info.get("as_of")
        reason = t(f"bf.reason.{exc.kind}", as_of=fmt.date(as_of, lang) if as_of else fmt.DASH)
    st.warning(t("bf.invalid", week=md(raw), reason=reason), icon=":material/event_busy:")

with st.columns([2, 3])[0]:
    week = url_widget(st.selectbox, "week", weeks[0], options=weeks, label=t("bf.week"), help=t("bf.week.help"),
                      format_func=lambda w: fmt.week_span(w, lang))
facts = data.call(F.gather, week, lang=lang)
doc = X.compose(facts, lang)
head = doc["head"]

st.subheader(head["title"], anchor=False)
st.text(head["week"])
st.caption(md(head["meta"]))            # holds the data version
if head["sample"]:
    st.caption(head["sample"])

stem = export.current_file_name("briefing_document", "x", lang=lang, scope=False, period=week).rsplit(".", 1)[0]
with st.container(horizontal=True):
    st.download_button(t("bf.download.docx"), data=lambda: RD.to_docx(facts, lang, _pngs(key, week, lang)),
                       file_name=f"{stem}.docx", icon=":material/description:", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    st.download_button(t("bf.download.pdf"),
                       data=lambda: RD.to_pdf(RD.to_html(facts, lang, _pngs(key, week, lang))),
                       file_name=f"{stem}.pdf", mime="application/pdf", icon=":material/picture_as_pdf:",
                       on_click="ignore")
    st.download_button(t("bf.download.html"), data=lambda: RD.to_html(facts, lang, _pngs(key, week, lang)),
                       file_name=f"{stem}.html", mime="text/html", icon=":material/language:", on_click="ignore")

figs = {k: fig for k, fig, _, _ in RD.figures(facts, lang)}
series = pd.DataFrame(facts["series"])
for i, (title, sentences) in enumerate(doc["sections"]):
    st.markdown(f"#### {title}")          # a template heading, never data
    for s in sentences:
        st.text(s)                        # sentences hold data values: plain text only
    if i == 0 and "weekly" in figs:
        chart_block(figs["weekly"], series, "briefing_weekly", period=week)
    if i == 2 and ("categories" in figs or "overdue" in figs):
        # below the fold: drawn when the reader opens them, one above the other (their titles are long)
        box = st.expander(t("bf.charts"), icon=":material/bar_chart:", key="bf-charts", on_change="rerun")
        with box:
            if box.open:
                if "categories" in figs:
                    chart_block(figs["categories"], pd.DataFrame(facts["categories"]["rows"]),
                                "briefing_categories", period=week)
                if "overdue" in figs:
                    chart_block(figs["overdue"], pd.DataFrame(facts["overdue"]["by_district"]),
                                "briefing_overdue", period=week)

method = st.expander(t("bf.method"), key="bf-method", on_change="rerun")
with method:
    if method.open:
        for n, s in enumerate(doc["method"], 1):
            st.text(f"{n}. {s}")
        st.caption(t("bf.schedule"))
st.link_button(t("bf.link"), facts["link"], icon=":material/open_in_new:")
