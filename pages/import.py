"""Import (internal mode only): upload bureau exports, see how they are read — detected kind,
column mapping, cleaned preview, rejected rows — then confirm. The import itself is
analytics/importer.py: it writes a copy of the database and swaps it in, so the app keeps
serving while it runs and shows the new data afterwards."""
from ui.page import begin

ctx = begin(require_data=False)   # an empty database is filled here

import hashlib  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from analytics import db, importer  # noqa: E402
from analytics import headers as H  # noqa: E402
from ui import charts, data, export, state  # noqa: E402
from ui.i18n import CATALOGUE, t  # noqa: E402
from ui.page import fmt_int  # noqa: E402
from ui.text import md  # noqa: E402

lang = ctx.lang
target = data.database_path()
PREVIEW_ROWS = 20
REJECTS_SHOWN = 500

st.caption(t("im.intro"))
st.caption(t("im.target", path=str(target)))
if data.meta().get("dataset") == "sample":
    st.info(t("im.sample_target"), icon=":material/info:")

# --- the outcome of the last import (kept across the rerun that follows it) -------------------
done = st.session_state.pop("im_done", None)
if done:
    if done.get("error"):
        st.error(md(done["error"]), icon=":material/error:")
    else:
        st.success(t("im.done", imported=fmt_int(done["imported"]), updated=fmt_int(done["updated"]),
                     rejected=fmt_int(done["rejected"])), icon=":material/check_circle:")
        for line in done["lines"]:
            st.markdown(f"- {line}")

# --- choose files ---------------------------------------------------------------------------
kinds = ["auto", *H.KINDS]
kind_choice = state.url_widget(
    st.selectbox, "im_kind", "auto", options=kinds, label=t("im.kind"), help=t("im.kind.help"),
    format_func=lambda k, lang=lang: t("im.kind.auto", lang) if k == "auto" else t(f"im.k.{k}", lang))
files = st.file_uploader(t("im.upload"), type=["csv", "txt", "xlsx", "xlsm"], accept_multiple_files=True,
                         help=t("im.upload.help"), key=f"im_files_{st.session_state.get('im_gen', 0)}")
kind = None if kind_choice == "auto" else kind_choice


def _analysed(f) -> importer.FileReport:
    """Checking a file once per content and kind (kept in the session: large files take seconds)."""
    raw = f.getvalue()
    key = (hashlib.sha256(raw).hexdigest(), f.name, kind)
    cache = st.session_state.setdefault("im_reports", {})
    if key not in cache:
        bar = st.progress(0.0, text=t("im.stage.read"))

        def progress(frac, stage):
            bar.progress(min(max(frac, 0.0), 1.0), text=t(f"im.stage.{stage}"))
        rep = importer.analyse(raw, f.name, kind, preview_rows=PREVIEW_ROWS, progress=progress)
        bar.empty()
        cache.clear()  # keep only the current uploads' reports in memory
        cache[key] = rep
    return cache[key]


def _mapping_table(rep: importer.FileReport) -> pd.DataFrame:
    rows = []
    for h, fld in rep.mapping.items():
        rows.append((h, t(f"im.f.{fld}", lang), t("im.map.mapped", lang)))
    for h in rep.unknown:
        rows.append((h, "—", t("im.map.unknown", lang)))
    for h in rep.personal:
        rows.append((h, "—", t("im.map.personal", lang)))
    for m in rep.missing:
        rows.append((m, "—", t("im.map.missing", lang)))
    return pd.DataFrame(rows, columns=[t("im.map.header", lang), t("im.map.field", lang), t("im.map.status", lang)])


def _rejects_frame(rep: importer.FileReport) -> pd.DataFrame:
    r = rep.rejects
    reason = r["reason_en"] if lang == "en" else r["reason_zh"]
    out = pd.DataFrame({t("im.col.line", lang): r["line"], t("im.col.reason", lang): reason})
    return pd.concat([out, r.drop(columns=["line", "code", "reason_zh", "reason_en"])], axis=1)


def _preview_frame(rep: importer.FileReport) -> pd.DataFrame:
    df = rep.preview.copy()
    # the derived day columns repeat the timestamps; merchant ids are linked on writing
    df = df.drop(columns=[c for c in ("merchant_id", "source", "received_date", "closed_date") if c in df.columns])
    names = {"line": t("im.col.line", lang)}
    for c in df.columns:
        if f"im.f.{c}" in CATALOGUE:
            names[c] = t(f"im.f.{c}", lang)
    return df.rename(columns=names)


reports: list[importer.FileReport] = []
if not files:
    st.info(t("im.none"), icon=":material/upload_file:")
else:
    for f in files:
        reports.append(_analysed(f))
    ok = [r for r in reports if r.ok]
    if ok:
        try:
            importer.check_against(data.con(), ok)
        except Exception:  # noqa: BLE001 — no or an older database: every accepted row is new
            for r in ok:
                r.imported, r.updated, r.already = r.accepted, 0, None

    for i, rep in enumerate(reports):
        with st.container(border=True):
            st.subheader(t("im.file", name=md(rep.file_name)), anchor=False)
            if not rep.ok:
                st.error(t("im.error", error=rep.error), icon=":material/error:")
                if rep.missing or rep.unknown or rep.personal:
                    st.dataframe(_mapping_table(rep), hide_index=True, width="stretch")
                continue
            klabel = t(f"im.k.{rep.kind}")
            if rep.kind != rep.kind_detected:
                dlabel = t(f"im.k.{rep.kind_detected}") if rep.kind_detected else "—"
                st.markdown(t("im.overridden", kind=klabel, detected=dlabel))
            else:
                st.markdown(t("im.detected", kind=klabel))
            st.caption(t("im.format", encoding=rep.encoding, row=rep.header_row))
            if rep.already:
                st.info(t("im.already", when=rep.already), icon=":material/history:")
            cols = st.columns(5)
            cols[0].metric(t("im.m.read"), fmt_int(rep.rows_read), border=True)
            cols[1].metric(t("im.m.new"), fmt_int(rep.imported), border=True)
            cols[2].metric(t("im.m.updated"), fmt_int(rep.updated), border=True)
            cols[3].metric(t("im.m.rejected"), fmt_int(rep.rejected), border=True, help=t("im.m.rejected.help"))
            cols[4].metric(t("im.m.skipped"), fmt_int(rep.skipped), border=True, help=t("im.m.skipped.help"))
            st.caption(t("im.accounting", read=fmt_int(rep.rows_read), imported=fmt_int(rep.imported),
                         updated=fmt_int(rep.updated), rejected=fmt_int(rep.rejected), skipped=fmt_int(rep.skipped)))
            if not rep.accepted:
                st.warning(t("im.nothing"), icon=":material/info:")
            notes = []
            if rep.blank_rows or rep.total_rows:
                notes.append(t("im.skipped", blank=rep.blank_rows, total=rep.total_rows))
            if rep.date_range:
                notes.append(t("im.range", lo=rep.date_range[0].isoformat(), hi=rep.date_range[1].isoformat()))
            if notes:
                st.caption(" ".join(notes))

            tab_map, tab_prev, tab_rej = st.tabs([t("im.mapping"), t("im.preview", n=PREVIEW_ROWS),
                                                  t("im.rejects", n=fmt_int(rep.rejected))])
            with tab_map:
                st.dataframe(_mapping_table(rep), hide_index=True, width="stretch")
            with tab_prev:
                if rep.preview is None or not len(rep.preview):
                    st.info(t("im.preview.empty"))
                else:
                    st.dataframe(_preview_frame(rep), hide_index=True, width="stretch")
            with tab_rej:
                if not rep.rejected:
                    st.success(t("im.rejects.none"), icon=":material/check:")
                else:
                    rej = _rejects_frame(rep)
                    if len(rej) > REJECTS_SHOWN:
                        st.caption(t("im.rejects.shown", shown=REJECTS_SHOWN, n=fmt_int(len(rej))))
                    st.dataframe(rej.head(REJECTS_SHOWN), hide_index=True, width="stretch")
                    st.download_button(t("im.rejects.download"), data=charts.csv_bytes(rej),
                                       file_name=export.current_file_name("import_rejects", "csv", lang=lang, scope=False,
                                                                          extra=[Path(rep.file_name).stem]),
                                       mime="text/csv",
                                       icon=":material/download:", key=f"im_rej_{i}_{rep.content_hash[:8]}",
                                       on_click="ignore")

    todo = [r for r in reports if r.ok and not r.already and r.accepted]
    if not todo:
        st.button(t("im.confirm", n=0), disabled=True, help=t("im.confirm.none"), key="im_confirm_off")
    elif st.button(t("im.confirm", n=len(todo)), type="primary", icon=":material/upload:", key="im_confirm"):
        bar = st.progress(0.0, text=t("im.running"))

        def progress(frac, stage):
            bar.progress(min(max(frac, 0.0), 1.0), text=t(f"im.stage.{stage}"))
        outcome: dict = {}
        try:
            importer.import_reports(todo, target, progress=progress)
            lines = []
            for r in todo:
                if r.already:
                    lines.append(t("im.done.already", name=md(r.file_name)))
                    continue
                lines.append(t("im.done.file", name=md(r.file_name), imported=fmt_int(r.imported),
                               updated=fmt_int(r.updated), rejected=fmt_int(r.rejected)))
                if r.rejects_file:
                    lines.append(t("im.done.rejects", path=md(str(importer.rejects_dir(target) / r.rejects_file))))
            outcome = {"imported": sum(r.imported for r in todo), "updated": sum(r.updated for r in todo),
                       "rejected": sum(r.rejected for r in todo if not r.already), "lines": lines}
        except importer.ImportLocked:
            outcome = {"error": t("im.locked")}
        except Exception as exc:  # noqa: BLE001 — the database is unchanged; say why
            outcome = {"error": t("im.failed", error=f"{type(exc).__name__}: {exc}")}
        bar.empty()
        # new data: drop every cached result and the shared read-only connection, clear the uploads
        st.cache_data.clear()
        db.reset_shared()
        st.session_state.pop("im_reports", None)
        st.session_state["im_gen"] = st.session_state.get("im_gen", 0) + 1
        st.session_state["im_done"] = outcome
        st.rerun()

# --- history --------------------------------------------------------------------------------
st.subheader(t("im.history"), anchor=False)
log = data.call(importer.import_log)


def _name(v) -> str | None:
    """A file name as shown (rows written by older versions held server paths; NaN = none)."""
    return Path(v.replace("\\", "/")).name if isinstance(v, str) and v else None


if not len(log):
    st.info(t("im.history.empty"))
else:
    view = pd.DataFrame({
        t("im.h.when"): log["imported_at"],
        t("im.h.file"): [_name(v) for v in log["file_name"]],
        t("im.h.kind"): [t(f"im.k.{k}") if k in H.KINDS else k for k in log["kind"]],
        t("im.h.read"): log["rows_read"],
        t("im.h.imported"): log["rows_imported"],
        t("im.h.updated"): log["rows_updated"],
        t("im.h.rejected"): log["rows_rejected"],
        t("im.h.rejects"): [_name(v) or "—" for v in log["rejects_file"]],
    })
    st.dataframe(view, hide_index=True, width="stretch")
    shown = set()
    allowed = importer.rejects_dir(target)
    for r in log.itertuples():
        # an import without rejects has no rejects file (read back as None or NaN)
        if not isinstance(r.rejects_file, str) or not r.rejects_file or r.rejects_file in shown or len(shown) >= 5:
            continue
        p = allowed / Path(r.rejects_file.replace("\\", "/")).name   # older rows held paths
        if p.exists():
            shown.add(r.rejects_file)
            st.download_button(t("im.h.download", file=md(r.file_name)), data=p.read_bytes(),
                               file_name=export.current_file_name("import_rejects", "csv", lang=lang, scope=False,
                                                                  extra=[Path(r.file_name).stem]),
                               mime="text/csv", icon=":material/download:", key=f"im_hist_{r.import_id}",
                               on_click="ignore")
st.caption(t("im.cli"))
