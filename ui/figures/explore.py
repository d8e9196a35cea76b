"""Figures and download files of the explore page. Builders take DataFrames and labels; they
never query data and never import streamlit (the download callables run outside a script run)."""
from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go

from ui import charts, fmt
from ui.figmemo import memo
from ui.i18n import label, t

_DATETIME_COLS = ("received_at", "closed_at")
_DATE_COLS = ("accepted_date", "deadline_date")


def partial_months(months, start, end) -> list[str]:
    """The months (``YYYY-MM``) that ``[start, end]`` (the period within the data) covers only in part."""
    start, end = fmt.to_date(start), fmt.to_date(end)
    out = []
    for m in months:
        first = fmt.to_date(f"{m}-01")
        last = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
        if (start is not None and first < start) or (end is not None and last > end):
            out.append(m)
    return out


@memo
def monthly_bar(df: pd.DataFrame, *, title: str, y_label: str, odr_label: str, trad_label: str,
                partial_label: str, lang: str, start=None, end=None, split: bool = True) -> go.Figure:
    """Stacked monthly bars (traditional + ODR) of the matching complaints. A month that the period
    (``start``–``end``: the period within the data) covers only in part is one pale hatched bar
    with its own legend entry (like the weekly chart's partial weeks), never read as a whole month.
    Month ticks 2024年1月 / Jan 2024 (ui.fmt), hovers name the month the same way.

    ``df`` columns: month (YYYY-MM), odr, traditional, complaints."""
    fig = charts.new_figure(title, height=300)
    df = df.assign(x=pd.to_datetime(df["month"] + "-01"),
                   label=[fmt.month(m, lang) for m in df["month"]])
    part = df["month"].isin(partial_months(df["month"], start, end))
    whole, partial = df[~part], df[part]
    hover = "%{customdata}<br>%{fullData.name}: %{y:,}<extra></extra>"
    if split:
        fig.add_bar(x=whole["x"], y=whole["traditional"], name=trad_label, marker_color=charts.TRAD_COLOR,
                    customdata=whole["label"], hovertemplate=hover)
        fig.add_bar(x=whole["x"], y=whole["odr"], name=odr_label, marker_color=charts.ODR_COLOR,
                    customdata=whole["label"], hovertemplate=hover)
    else:
        fig.add_bar(x=whole["x"], y=whole["complaints"], name=y_label, marker_color=charts.TRAD_COLOR,
                    customdata=whole["label"], hovertemplate="%{customdata}: %{y:,}<extra></extra>",
                    showlegend=bool(len(partial)))
    if len(partial):
        fig.add_bar(x=partial["x"], y=partial["complaints"], name=partial_label, customdata=partial["label"],
                    marker=dict(color=charts.PARTIAL_COLOR, pattern=dict(shape="/", fgcolor="#7d8fa9")),
                    hovertemplate=hover)
    # legend under the plot: on a narrow screen a top-right legend runs into the title
    # (anchored to the bottom of the whole figure, below the month ticks)
    fig.update_layout(barmode="stack", xaxis_title=None, yaxis_title=y_label, bargap=0.2, height=330,
                      legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, xanchor="left", x=0),
                      margin=dict(b=72))
    fmt.date_ticks(fig, "x", df["x"], lang, grain="month", max_ticks=6)
    return fig


def export_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The records as they go into a file: timestamps and dates as ISO text, formula-like text
    cells neutralised (ui.charts.safe_frame)."""
    out = df.copy()
    for col in _DATETIME_COLS:
        if col in out:
            out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d %H:%M:%S").astype(object)
            out[col] = out[col].where(out[col].notna(), None)
    for col in _DATE_COLS:
        if col in out:
            out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d").astype(object)
            out[col] = out[col].where(out[col].notna(), None)
    return charts.safe_frame(out)


def records_csv(df: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with BOM, formula-like cells neutralised."""
    return charts.csv_bytes(export_frame(df))


def records_json(df: pd.DataFrame, info: dict) -> bytes:
    """JSON object ``{...info, "records": [...]}`` in UTF-8.

    Text values are neutralised like the CSV (a leading apostrophe before = + - @ tab CR): a JSON
    file is often opened in a spreadsheet through an import wizard or Power Query, and the files
    should agree cell for cell. ``info`` says so (``formula_cells_neutralised``)."""
    body = export_frame(df).to_json(orient="records", force_ascii=False, date_format="iso")
    head = json.dumps({**info, "formula_cells_neutralised": True}, ensure_ascii=False, default=str)
    return (head[:-1] + ', "records": ' + body + "}").encode("utf-8")


# --- the records on screen ----------------------------------------------------------------------

# the columns of the records table: the complaint at a glance; the rest on demand (record_fields)
# (an open complaint's outcome reads “open”: one column tells open from closed and how it ended)
TABLE_COLUMNS = ["reg_no", "received_at", "district", "merchant_name", "category", "outcome"]
# a sort key's column joins the table, so the order the reader chose is visible
SORT_COLUMN = {"closed": "closed_at", "days": "resolution_days", "disputed": "disputed_yuan",
               "recovered": "recovered_yuan"}
# fixed vocabularies: column -> catalogue group of their display names (ui/strings/values.py)
VOCAB = {"channel": "channel", "object_class": "class", "category": "cat", "problem": "problem",
         "outcome": "outcome", "acceptance": "acceptance"}


def _vocab(v, group: str, lang: str) -> str:
    if fmt.missing(v) or v == "":
        return fmt.DASH
    return label(str(v), group, lang) if lang == "en" else str(v)


def table_columns(sort: str) -> list[str]:
    extra = SORT_COLUMN.get(sort)
    return TABLE_COLUMNS + ([extra] if extra else [])


def records_view(rec: pd.DataFrame, lang: str, district_names: dict, sort: str = "received") -> pd.DataFrame:
    """The records as the table shows them: the columns of :func:`table_columns`, districts by
    name in ``lang``, status and the fixed vocabularies (channel, category, outcome …) in ``lang``,
    missing text as "—" (never "None"). Times stay timestamps (the column formats them), numbers
    stay numbers (a missing one shows as an empty cell)."""
    cols = table_columns(sort)
    out = rec.copy()
    out["district"] = out["district_code"].map(lambda c: district_names.get(c, fmt.DASH if fmt.missing(c) else c))
    out["status"] = out["status"].map(lambda v: t(f"ex.status.{v}", lang=lang))
    for col, grp in VOCAB.items():
        if col in out:
            out[col] = out[col].map(lambda v, g=grp: _vocab(v, g, lang))
    is_open = rec["status"].eq("open")
    out.loc[is_open, "outcome"] = t("ex.status.open", lang=lang)
    for col in cols:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: fmt.DASH if fmt.missing(v) or v == "" else v)
    return out[cols].reset_index(drop=True)


RIGHT_COLUMNS = ("resolution_days", "disputed_yuan", "recovered_yuan")


def records_text(show: pd.DataFrame, lang: str, short: bool = False) -> pd.DataFrame:
    """:func:`records_view` as the text the records table prints, headed by the columns' names in
    ``lang``: times as dates (``short``, a phone: 24年3月1日 / Mar 1, 24), amounts in yuan with two
    decimals, days as whole numbers; anything missing as "—"."""
    def when(v):
        d = fmt.to_date(v)
        if d is None or not short:
            return fmt.date(d, lang)
        return f"{d:%y}年{d.month}月{d.day}日" if lang == "zh" else f"{fmt.short_date(d, lang)}, {d:%y}"

    out = pd.DataFrame(index=show.index)
    for c in show.columns:
        if c in _DATETIME_COLS:
            out[c] = show[c].map(when)
        elif c in ("disputed_yuan", "recovered_yuan"):
            out[c] = show[c].map(lambda v: fmt.num(v, 2))
        elif c == "resolution_days":
            out[c] = show[c].map(fmt.num)
        else:
            out[c] = show[c].map(lambda v: fmt.DASH if fmt.missing(v) or v == "" else str(v))
    return out.rename(columns={c: t(f"ex.col.{c}", lang=lang) for c in show.columns})


def record_fields(row: pd.Series, lang: str, district_names: dict) -> list[tuple[str, str, str]]:
    """Every field of one record as (column, label, text) in ``lang``: dates through ui.fmt,
    vocabularies translated, money in yuan, missing as "—"."""
    from analytics import dictionary
    out = []
    for col, v in row.items():
        if col == "district_code":
            continue
        if col == "district":
            v = district_names.get(row.get("district_code"), v)
        meta = dictionary.COLUMNS.get(("complaints", col))
        name = t(f"ex.col.{col}", lang=lang) if col in ("status", "district") else \
            (meta[1] if lang == "en" else meta[2]) if meta else col
        if col in ("received_at", "closed_at"):
            text = fmt.timestamp(v, lang)
        elif col in ("accepted_date", "deadline_date"):
            text = fmt.date(v, lang)
        elif col == "status":
            text = t(f"ex.status.{v}", lang=lang)
        elif col in VOCAB:
            text = _vocab(v, VOCAB[col], lang)
        elif col == "is_odr":
            text = fmt.DASH if fmt.missing(v) else t("ex.yes" if v else "ex.no", lang=lang)
        elif col in ("disputed_yuan", "recovered_yuan"):
            text = fmt.DASH if fmt.missing(v) else t("ex.yuan", lang=lang, v=fmt.num(v, 2))
        elif col in ("resolution_days", "resolution_wdays"):
            text = fmt.DASH if fmt.missing(v) else fmt.num(v)
        elif col == "source" and v == "sample":
            text = t("ex.source.sample", lang=lang)
        else:
            text = fmt.DASH if fmt.missing(v) or v == "" else str(v)
        out.append((col, name, text))
    return out


TEXT_RESULT_ROWS = 100            # a SQL result this small prints as a plain table (no data grid) …
TEXT_RESULT_CHARS = 50_000        # … unless its text is long (wide or long cells): the grid


def result_text(frame: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, tuple[str, ...]] | None:
    """A SQL result as the text a plain table prints, and its numeric columns (right-aligned):
    numbers exactly as stored (no rounding, no separators: a console's result), dates and times
    through ui.fmt, anything missing as "—". None when the result is too large for a plain table."""
    if len(frame) > TEXT_RESULT_ROWS:
        return None
    out = pd.DataFrame(index=frame.index)
    numeric = []
    for c in frame.columns:
        col = frame[c]
        if pd.api.types.is_bool_dtype(col):
            out[c] = col.map(lambda v: fmt.DASH if fmt.missing(v) else str(bool(v)).lower())
        elif pd.api.types.is_numeric_dtype(col):
            numeric.append(c)
            out[c] = col.map(lambda v: fmt.DASH if fmt.missing(v) else
                             str(int(v)) if float(v).is_integer() and abs(v) < 2 ** 53 else repr(float(v)))
        elif pd.api.types.is_datetime64_any_dtype(col):
            known = col.dropna()
            dates = bool((known == known.dt.normalize()).all())          # every value at midnight: dates
            out[c] = col.map(lambda v: fmt.DASH if fmt.missing(v) else
                             fmt.date(v, lang) if dates else fmt.timestamp(v, lang))
        else:
            def text(v):
                if v is None or (not isinstance(v, (list, dict, tuple)) and fmt.missing(v)):
                    return fmt.DASH
                if hasattr(v, "isoformat") and not isinstance(v, str):
                    return fmt.date(v, lang) if type(v).__name__ == "date" else fmt.timestamp(v, lang)
                return str(v)
            out[c] = col.map(text)
    if sum(len(v) for c in out.columns for v in out[c]) > TEXT_RESULT_CHARS:
        return None
    return out, tuple(str(c) for c in numeric)


def dictionary_table(cols: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The columns of one table of the data dictionary (``analytics.dictionary.column_frame``) for a
    static, wrapping table: field (with its type), name in ``lang`` and meaning, every cell escaped
    so that it prints literally (st.table renders Markdown)."""
    from ui.text import md
    name = cols["name_en"] if lang == "en" else cols["label_zh"]
    return pd.DataFrame({
        t("ex.sql.col.column", lang=lang): [md(f"{c} ({typ})") for c, typ in zip(cols["column"], cols["type"])],
        t("ex.sql.col.label", lang=lang): [md(v) for v in name],
        t("ex.sql.col.meaning", lang=lang): [md(v) for v in cols["meaning"]],
    })
