"""Figures and download files of the explore page. Builders take DataFrames and labels; they
never query data and never import streamlit (the download callables run outside a script run)."""
from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go

from ui import charts

_DATETIME_COLS = ("received_at", "closed_at")
_DATE_COLS = ("accepted_date", "deadline_date")


def monthly_bar(df: pd.DataFrame, *, title: str, x_label: str, y_label: str, odr_label: str,
                trad_label: str, split: bool = True) -> go.Figure:
    """Stacked monthly bars (traditional + ODR) of the matching complaints.

    ``df`` columns: month (YYYY-MM), odr, traditional, complaints."""
    fig = charts.new_figure(title, height=300)
    if split:
        fig.add_bar(x=df["month"], y=df["traditional"], name=trad_label, marker_color=charts.TRAD_COLOR,
                    hovertemplate="%{x}<br>" + trad_label + ": %{y:,}<extra></extra>")
        fig.add_bar(x=df["month"], y=df["odr"], name=odr_label, marker_color=charts.ODR_COLOR,
                    hovertemplate="%{x}<br>" + odr_label + ": %{y:,}<extra></extra>")
    else:
        fig.add_bar(x=df["month"], y=df["complaints"], name=y_label, marker_color=charts.TRAD_COLOR,
                    hovertemplate="%{x}: %{y:,}<extra></extra>", showlegend=False)
    # legend under the plot: on a narrow screen a top-right legend runs into the title
    # (the month labels speak for themselves: ``x_label`` names the axis in the hover only)
    fig.update_layout(barmode="stack", xaxis_title=None, yaxis_title=y_label, bargap=0.2,
                      legend=dict(orientation="h", yanchor="top", y=-0.14, xanchor="left", x=0),
                      margin=dict(b=64))
    fig.update_traces(hovertemplate=x_label + " %{x}<br>%{fullData.name}: %{y:,}<extra></extra>")
    fig.update_xaxes(type="category")
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
