"""Figures of the programmes page (returns, ODR, demonstration units, merchant lookup).

Every builder takes DataFrames and already-translated labels and returns a Plotly figure on the
project template (ui.charts.new_figure / charts.TEMPLATE); none queries data."""
from __future__ import annotations

import plotly.graph_objects as go
import pandas as pd
from plotly.subplots import make_subplots

from ui import charts



def _legend_under_title(fig: go.Figure) -> go.Figure:
    """Legend in its own row between the title and the plot: on a narrow screen a legend at the
    top right runs into the title."""
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
                      margin=dict(t=84))
    return fig

_HATCH = dict(color=charts.PARTIAL_COLOR, pattern=dict(shape="/", fgcolor="#7d8fa9"))


def _hover_value(money: bool) -> str:
    return "%{y:,.2f}" if money else "%{y:,}"


def series_bar(df: pd.DataFrame, *, value: str, title: str, y_label: str, whole_label: str,
               partial_label: str, money: bool) -> go.Figure:
    """Returns per week or month: whole units solid, partial units hatched and labelled.

    ``df``: returns_series columns (label, partial, ``value``)."""
    fig = charts.new_figure(title)
    whole, part = df[~df["partial"]], df[df["partial"]]
    fig.add_bar(x=whole["label"], y=whole[value], name=whole_label, marker_color=charts.TRAD_COLOR,
                hovertemplate="%{x}<br>" + _hover_value(money) + "<extra></extra>")
    if len(part):
        fig.add_bar(x=part["label"], y=part[value], name=partial_label, marker=_HATCH,
                    hovertemplate="%{x}<br>" + partial_label + ": " + _hover_value(money) + "<extra></extra>")
    fig.update_layout(barmode="overlay", yaxis_title=y_label, xaxis_title=None, bargap=0.25)
    _legend_under_title(fig)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(df["label"]))
    return fig


def cumulative(df: pd.DataFrame, *, title: str, amount_label: str, count_label: str) -> go.Figure:
    """Running total of the amount (left axis) and of the count (right axis) over the period.

    ``df``: returns_series at day grain (start, cum_amount_yuan, cum_returns)."""
    fig = charts.new_figure(title)
    fig.add_scatter(x=df["start"], y=df["cum_amount_yuan"], name=amount_label, mode="lines",
                    line=dict(color=charts.TRAD_COLOR, width=2.5), fill="tozeroy",
                    fillcolor="rgba(31,95,168,0.10)",
                    hovertemplate="%{x|%Y-%m-%d}<br>" + amount_label + ": %{y:,.2f}<extra></extra>")
    fig.add_scatter(x=df["start"], y=df["cum_returns"], name=count_label, mode="lines", yaxis="y2",
                    line=dict(color=charts.PALETTE[1], width=1.5, dash="dot"),
                    hovertemplate="%{x|%Y-%m-%d}<br>" + count_label + ": %{y:,}<extra></extra>")
    fig.update_layout(yaxis=dict(title=amount_label),
                      yaxis2=dict(title=count_label, overlaying="y", side="right", showgrid=False,
                                      tickmode="auto", tickformat=",~r",
                                  rangemode="tozero", automargin=True),
                      hovermode="x unified")
    _legend_under_title(fig)
    return fig


def amount_bins(df: pd.DataFrame, *, title: str, bin_labels: list[str], count_label: str,
                amount_label: str, x_label: str, y_label: str) -> go.Figure:
    """Share of returns and share of the amount per amount bin (side by side)."""
    fig = charts.new_figure(title)
    fig.add_bar(x=bin_labels, y=df["share_returns"], name=count_label, marker_color=charts.TRAD_COLOR,
                customdata=df["returns"], hovertemplate="%{x}<br>%{y:.1%} (%{customdata:,})<extra></extra>")
    fig.add_bar(x=bin_labels, y=df["share_amount"], name=amount_label, marker_color=charts.PALETTE[1],
                customdata=df["amount_yuan"],
                hovertemplate="%{x}<br>%{y:.1%} (%{customdata:,.2f})<extra></extra>")
    fig.update_layout(barmode="group", xaxis_title=x_label, yaxis_title=y_label, bargap=0.2)
    _legend_under_title(fig)
    fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(type="category")
    return fig


def hbar(labels, values, texts, *, title: str, x_label: str, color: str = charts.TRAD_COLOR,
         hover: str = "%{y}: %{x:,}", height: int | None = None) -> go.Figure:
    """Horizontal bars, largest at the top, value text outside the bar."""
    labels, values, texts = list(labels), list(values), list(texts)
    fig = charts.new_figure(title, height=height or max(260, 60 + 26 * len(labels)))
    fig.add_bar(y=labels[::-1], x=values[::-1], orientation="h", marker_color=color, text=texts[::-1],
                textposition="outside", cliponaxis=False, hovertemplate=hover + "<extra></extra>")
    fig.update_layout(xaxis_title=x_label, yaxis_title=None, showlegend=False)
    top = max([v for v in values if v == v] or [0])
    fig.update_xaxes(showgrid=True, gridcolor="#e6ebf1", range=[0, top * 1.22 if top else 1])
    fig.update_yaxes(type="category")
    return fig


def commitments(df: pd.DataFrame, labels: list[str], *, title: str, with_label: str,
                dormant_label: str, x_label: str) -> go.Figure:
    """Committed stores per district split into "had a return" and "dormant" (stacked)."""
    fig = charts.new_figure(title, height=max(280, 80 + 40 * len(df)))
    fig.add_bar(y=labels[::-1], x=list(df["committed_with_return"])[::-1], orientation="h", name=with_label,
                marker_color=charts.TRAD_COLOR, hovertemplate="%{y}: %{x:,}<extra>" + with_label + "</extra>")
    share = [("" if s is None or s != s else f"{s:.0%}") for s in df["dormant_share"]]
    fig.add_bar(y=labels[::-1], x=list(df["dormant"])[::-1], orientation="h", name=dormant_label,
                marker_color=charts.PARTIAL_COLOR, text=share[::-1], textposition="outside", cliponaxis=False,
                hovertemplate="%{y}: %{x:,}<extra>" + dormant_label + "</extra>")
    fig.update_layout(barmode="stack", xaxis_title=x_label, yaxis_title=None, legend_traceorder="normal")
    _legend_under_title(fig)
    top = max([int(v) for v in df["committed"]] or [0])
    fig.update_xaxes(showgrid=True, gridcolor="#e6ebf1", range=[0, top * 1.15 if top else 1])
    fig.update_yaxes(type="category")
    return fig


def registry_timeline(df: pd.DataFrame, *, title: str, active_label: str, enrolled_label: str,
                      withdrawn_label: str, period_label: str, period: tuple) -> go.Figure:
    """Registry month by month: units in force at month end (line), entries (bars up) and
    withdrawals (bars down); the selected period shaded."""
    fig = charts.new_figure(title, height=380)
    x = df["month"]
    fig.add_bar(x=x, y=df["enrolled"], name=enrolled_label, marker_color=charts.ODR_COLOR, opacity=0.75,
                hovertemplate="%{x}<br>" + enrolled_label + ": %{y:,}<extra></extra>")
    fig.add_bar(x=x, y=-df["withdrawn"], name=withdrawn_label, marker_color=charts.PALETTE[3], opacity=0.75,
                customdata=df["withdrawn"],
                hovertemplate="%{x}<br>" + withdrawn_label + ": %{customdata:,}<extra></extra>")
    fig.add_scatter(x=x, y=df["active"], name=active_label, mode="lines+markers", yaxis="y2",
                    line=dict(color=charts.TRAD_COLOR, width=2.5),
                    hovertemplate="%{x}<br>" + active_label + ": %{y:,}<extra></extra>")
    inside = df[df["in_period"]]
    if len(inside) and len(inside) < len(df):
        fig.add_vrect(x0=inside["month"].iloc[0], x1=inside["month"].iloc[-1], fillcolor="#f1f4f8",
                      opacity=0.9, layer="below", line_width=0, annotation_text=period_label,
                      annotation_position="top left", annotation_font_size=11)
    # both axes put 0 at the same height: bars go below 0 (withdrawals), the line never does
    top = max(1.0, float(df["enrolled"].max() if len(df) else 0)) * 1.12
    bottom = -float(df["withdrawn"].max() if len(df) else 0) * 1.12
    top2 = max(1.0, float(df["active"].max() if len(df) else 0)) * 1.12
    fig.update_layout(barmode="relative",
                      yaxis=dict(title=f"{enrolled_label} / {withdrawn_label}", range=[bottom, top]),
                      yaxis2=dict(title=active_label, overlaying="y", side="right", showgrid=False,
                                  tickmode="auto", tickformat=",~r", range=[top2 * bottom / top, top2],
                                  automargin=True))
    fig.update_xaxes(type="category")
    return _legend_under_title(fig)


def cases_histogram(df: pd.DataFrame, *, title: str, x_label: str, y_label: str) -> go.Figure:
    """Number of active ODR enterprises by number of cases in the period (0 highlighted)."""
    fig = charts.new_figure(title, height=320)
    colors = [charts.PALETTE[3] if c == 0 else charts.ODR_COLOR for c in df["cases"]]
    fig.add_bar(x=df["cases"], y=df["enterprises"], marker_color=colors,
                hovertemplate=x_label + " %{x}: %{y:,}<extra></extra>")
    fig.update_layout(xaxis_title=x_label, yaxis_title=y_label, showlegend=False, bargap=0.15)
    fig.update_xaxes(dtick=1 if len(df) <= 20 else None)
    return fig


def small_multiples(panels: list[tuple[str, list, list, list]], *, title: str, x_label: str,
                    orientation: str = "h", height: int = 340) -> go.Figure:
    """One panel per (panel title, categories, values, texts); independent value axes, because the
    types differ by orders of magnitude (21 streets, 10,154 operators)."""
    n = len(panels)
    fig = make_subplots(rows=1, cols=n, subplot_titles=[p[0] for p in panels], shared_yaxes=orientation == "h",
                        horizontal_spacing=0.06)
    for i, (_, cats, vals, texts) in enumerate(panels, start=1):
        color = charts.PALETTE[(i - 1) % len(charts.PALETTE)]
        if orientation == "h":
            fig.add_bar(y=cats[::-1], x=vals[::-1], orientation="h", marker_color=color, text=texts[::-1],
                        textposition="auto", hovertemplate="%{y}: %{x:,}<extra></extra>", row=1, col=i)
        else:
            fig.add_scatter(x=cats, y=vals, mode="lines", line=dict(color=color, width=2.5, shape="hv"),
                            hovertemplate="%{x}: %{y:,}<extra></extra>", row=1, col=i)
    fig.update_layout(template=charts.TEMPLATE, height=height, title=title, showlegend=False)
    fig.update_xaxes(title_text=None)
    fig.update_annotations(font_size=12)
    if orientation == "h":
        fig.update_xaxes(showgrid=True, gridcolor="#e6ebf1", rangemode="tozero")
        fig.update_yaxes(type="category")
    else:
        fig.update_xaxes(type="category", nticks=6)
        fig.update_yaxes(rangemode="tozero", gridcolor="#e6ebf1")
    return fig


def rate_comparison(df: pd.DataFrame, labels: list[str], *, title: str, demo_label: str, other_label: str,
                    x_label: str) -> go.Figure:
    """Complaints per 1,000 stores, demonstration vs other stores, per industry (dumbbell)."""
    fig = charts.new_figure(title, height=max(320, 70 + 24 * len(df)))
    y = labels[::-1]
    demo, other = list(df["demo_rate"])[::-1], list(df["other_rate"])[::-1]
    for yy, a, b in zip(y, demo, other):
        if a is not None and b is not None and a == a and b == b:
            fig.add_shape(type="line", x0=a, x1=b, y0=yy, y1=yy, line=dict(color="#c9d1db", width=3),
                          layer="below")
    fig.add_scatter(y=y, x=other, mode="markers", name=other_label,
                    marker=dict(color=charts.MUTED, size=10, symbol="circle-open", line=dict(width=2)),
                    customdata=list(zip(df["other_complaints"], df["other_stores"]))[::-1],
                    hovertemplate="%{y}<br>%{x:.1f} (%{customdata[0]:,} / %{customdata[1]:,})<extra>"
                                  + other_label + "</extra>")
    fig.add_scatter(y=y, x=demo, mode="markers", name=demo_label,
                    marker=dict(color=charts.ODR_COLOR, size=10),
                    customdata=list(zip(df["demo_complaints"], df["demo_stores"]))[::-1],
                    hovertemplate="%{y}<br>%{x:.1f} (%{customdata[0]:,} / %{customdata[1]:,})<extra>"
                                  + demo_label + "</extra>")
    fig.update_layout(xaxis_title=x_label, yaxis_title=None)
    _legend_under_title(fig)
    fig.update_xaxes(showgrid=True, gridcolor="#e6ebf1", rangemode="tozero")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=y)
    return fig


def merchant_monthly(df: pd.DataFrame, *, title: str, odr_label: str, trad_label: str,
                     returns_label: str, y_label: str, y2_label: str) -> go.Figure:
    """One merchant per month: complaints (stacked ODR / traditional bars) and the returns'
    amount (line, right axis)."""
    fig = charts.new_figure(title, height=340)
    fig.add_bar(x=df["month"], y=df["traditional"], name=trad_label, marker_color=charts.TRAD_COLOR,
                hovertemplate="%{x}<br>" + trad_label + ": %{y}<extra></extra>")
    fig.add_bar(x=df["month"], y=df["odr"], name=odr_label, marker_color=charts.ODR_COLOR,
                hovertemplate="%{x}<br>" + odr_label + ": %{y}<extra></extra>")
    if df["returns"].sum() > 0:
        fig.add_scatter(x=df["month"], y=df["amount_yuan"], name=returns_label, yaxis="y2",
                        mode="lines+markers", line=dict(color=charts.PALETTE[1], width=2),
                        customdata=df["returns"],
                        hovertemplate="%{x}<br>" + returns_label + ": %{y:,.2f} (%{customdata})<extra></extra>")
        fig.update_layout(yaxis2=dict(title=y2_label, overlaying="y", side="right", showgrid=False,
                                      tickmode="auto", tickformat=",~r",
                                      rangemode="tozero", automargin=True))
    fig.update_layout(barmode="stack", yaxis_title=y_label, xaxis_title=None)
    _legend_under_title(fig)
    if df["complaints"].max() <= 6:
        fig.layout.yaxis.dtick = 1
    fig.update_xaxes(type="category")
    return fig
