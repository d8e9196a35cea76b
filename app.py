"""消费维权数据看板 — the frame: language, navigation, global filters, data notices.

Run: ``streamlit run app.py``. The database is $ODR_DB or data/odr.duckdb; on a fresh checkout
the synthetic sample is built on first run. ``ODR_MODE=internal`` adds the import page.

This file has two roles. ``streamlit run app.py`` finds the ``st.App`` below and imports this
module once, at server start (``__name__ == "app"``): that is the moment to switch off
Streamlit's legacy multipage mode, which it would otherwise pick for every session that starts
before some session has called ``st.navigation`` (a ``pages/`` folder sits next to this script),
serving the page scripts by file name without this frame. Every session then runs this file as
its script (``__name__ == "__main__"``, also in AppTest), which draws the frame: :func:`frame`.
"""
from __future__ import annotations

import os
import sys
import threading

import streamlit as st

from ui.pages_registry import PAGES, ROOT, disable_legacy_pages, skip_component_scan


def prepare_database() -> None:
    """Make sure the database exists (the first run builds the sample, 15–35 s). While that runs,
    every session shows the same progress: the step and the time so far, in its language."""
    box = None

    def show(step: str, fraction, elapsed: float) -> None:
        nonlocal box
        if box is None:
            holder = st.empty()
            with holder.container():
                # not ``with status:`` — leaving that block marks the status complete
                status = st.status(t("build.title"), state="running", expanded=True)
                status.caption(t("build.note"))
                bar = status.progress(0.0)
            box = (holder, status, bar)
        share = {"sample": 0.05 + 0.75 * (fraction or 0.0), "summary": 0.85, "refresh": 0.5}.get(step, 0.0)
        pct = fmt.pct(fraction or 0.0, 0) if step == "sample" else ""
        box[2].progress(min(share, 1.0), text=t(f"build.{step}", pct=pct, s=int(elapsed)))

    data.ensure_database(on_progress=show)
    if box is not None:
        box[1].update(label=t("build.done"), state="complete", expanded=False)
        box[0].empty()


def frame() -> None:
    st.set_page_config(page_title="消费维权数据看板", page_icon=":material/balance:", layout="wide",
                       initial_sidebar_state="auto")

    state.begin_run()
    with st.sidebar:
        state.language_selector()

    internal = os.environ.get("ODR_MODE", "public").lower() == "internal"
    sections: dict[str, list] = {}
    for spec in PAGES:
        if spec.internal and not internal:
            continue
        page = st.Page(str(ROOT / spec.path), title=t(spec.title_key), icon=spec.icon,
                       url_path=spec.url_path, default=spec.default)
        sections.setdefault(t(spec.section_key), []).append(page)
    nav = st.navigation(sections, position="sidebar", expanded=True)
    st.set_page_config(page_title=f"{nav.title} · {t('app.title')}")
    # a page opened without parameters: its queries are replayed at the next start (ui/data.py)
    landing = not st.query_params and data.record_landing_calls(nav.url_path)
    data.replay_page(nav.url_path)          # this page's record, if the warm-up has not reached it

    try:
        prepare_database()
        filters = state.sidebar_filters()
        state.chart_mode_toggle()
        version = data.meta().get("data_version", "")
    except db.DatabaseUnavailable as exc:
        st.error(t("data.unavailable", error=md(exc)))
        st.stop()

    st.title(nav.title, anchor=False)
    lang = st.session_state.get("lang") or "zh"
    first, as_of = data.coverage()
    past_as_of = filters is not None and as_of is not None and filters.date_to > as_of
    if past_as_of:
        # METRICS.md: a period past the as-of date is measured over [from, as-of] (registries at the
        # as-of date); every page gets the measured period, so no number changes, and says so below
        chosen = filters
        filters = data.call(queries.measured_period, filters)
    st.session_state["_filters"] = filters
    if filters is not None:
        # the period and active filters in the main pane: on a phone the sidebar is hidden
        st.markdown(":material/date_range: " + state.filter_summary(
            filters, lang, st.session_state.get("_district_names")))
    bits = []
    if as_of:
        bits.append(t("data.as_of", date=fmt.date(as_of, lang)))
    if version:
        bits.append(t("data.version", version=md(version)))
    st.caption(" · ".join(bits) + ("  \n" if bits else "") + t("app.subtitle"))
    if data.meta().get("dataset") == "sample":
        st.warning(t("data.synthetic"), icon=":material/science:", title=t("data.synthetic.title"))
    if past_as_of:
        key = "data.past_as_of.all" if chosen.date_from > as_of else "data.past_as_of"
        st.info(t(key, start=fmt.date(chosen.date_from, lang), end=fmt.date(chosen.date_to, lang),
                  as_of=fmt.date(as_of, lang)), icon=":material/event_busy:")

    finished = False
    try:
        nav.run()
        finished = True
    finally:
        if landing:
            data.save_landing_calls(keep=finished)
        state.write_url()


def _warm_up_in_background() -> None:
    """At server start: pandas, DuckDB, the analytics and drawing modules are imported, the database
    checked and the landing page's queries run in a background thread (ui.data.start_warm_up), not
    before the server answers: the browser spends about a second loading the front end meanwhile."""
    if os.environ.get("ODR_WARM_UP", "1") == "0":
        return

    def run():
        import time

        from streamlit import runtime
        deadline = time.monotonic() + 30
        while not runtime.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        _wait_until_serving(deadline=time.monotonic() + 5)             # the server answers first
        from ui import data, figcache
        data.start_warm_up()
        figcache.start_renderer_later()
    threading.Thread(target=run, name="odr-warm-up-imports", daemon=True).start()


def _wait_until_serving(deadline: float) -> None:
    """Until this server answers its health check on the loopback (or ``deadline``)."""
    import time
    import urllib.request
    try:
        url = f"http://127.0.0.1:{int(st.get_option('server.port'))}/_stcore/health"
    except (TypeError, ValueError):
        return
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.02)


if __name__ == "__main__":
    # a session's run: what the frame needs (already imported by the warm-up, unless it is still busy)
    from analytics import db, queries  # noqa: E402
    from ui import data, fmt, state  # noqa: E402
    from ui.i18n import t  # noqa: E402
    from ui.text import md  # noqa: E402
    frame()
else:
    disable_legacy_pages()
    skip_component_scan()
    app = st.App(__file__)
    if sys.argv and os.path.abspath(sys.argv[0]) == os.path.abspath(__file__):   # served, not imported by a test
        _warm_up_in_background()
