"""Figures of the programmes page (returns, ODR, demonstration units, merchant lookup).

Every builder takes DataFrames and already-translated labels (and ``lang`` where it formats
ticks or hovers through ui/fmt.py) and returns a Plotly figure on the project template
(ui.charts.new_figure / charts.TEMPLATE); none queries data. Hovers show preformatted text
(customdata) so that dates, weeks and money read as on the rest of the page (1月8日, 第10周,
32.3万元 / Jan 8, Week 10, ¥323,000)."""
from __future__ import annotations

import plotly.graph_objects as go
import pandas as pd
from plotly.subplots import make_subplots

from ui import charts, fmt
from ui.figmemo import memo


def _legend_under_title(fig: go.Figure) -> go.Figure:
    """Legend in its own row between the title and the plot: on a narrow screen a legend at the
    top right runs into the title."""
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
                      margin=dict(t=84))
    return fig


_HATCH = dict(color=charts.PARTIAL_COLOR, pattern=dict(shape="/", fgcolor="#7d8fa9"))
GRID = "#e6ebf1"
# hovers: two lines of preformatted text; the line break lives in the template (plot_safe turns a
# "<br>" inside data into literal text)
HT2 = "%{customdata[0]}<br>%{customdata[1]}<extra></extra>"


def _cd(first, second) -> list[list[str]]:
    return [[a, b] for a, b in zip(first, second)]


def value_text(v, lang: str, money: bool) -> str:
    """A bar's value as a reader reads it: money 32.3万元 / ¥323,000, counts 3.2万 / 32,260."""
    return fmt.yuan(v, lang) if money else fmt.big(v, lang)


def money_axis(fig: go.Figure, axis: str, values, lang: str, title: str, n: int = 4) -> None:
    """A money value axis: in Chinese in 万元 when the amounts reach 1万 (title says so, ticks are
    plain numbers of 万元), else in 元; in English in yuan with thousands separators."""
    nums = [float(v) for v in values if not fmt.missing(v)]
    top = max(nums or [0.0])
    name = axis if "axis" in axis else axis + "axis"
    ticks = fmt.nice_ticks(0.0, top or 1.0, n)
    if lang == "zh" and top >= 1e4:
        text = [fmt.num(v / 1e4, 0 if float(v / 1e4).is_integer() else 1) for v in ticks]
    else:
        text = [fmt.num(v, 0 if float(v).is_integer() else 2) for v in ticks]
    fig.layout[name].update(tickvals=ticks, ticktext=text, title_text=title)


def money_title(values, lang: str, zh_wan: str, zh_yuan: str, en: str) -> str:
    """The money axis title matching money_axis: 金额（万元） / 金额（元） / Amount (yuan)."""
    top = max([float(v) for v in values if not fmt.missing(v)] or [0.0])
    if lang == "zh":
        return zh_wan if top >= 1e4 else zh_yuan
    return en


def period_labels(df: pd.DataFrame, grain: str, lang: str) -> list[str]:
    """Hover text of a week / month / day of returns_series."""
    if grain == "week":
        return [fmt.week_span(s, lang) for s in df["start"]]
    if grain == "month":
        return [fmt.month(s, lang) for s in df["start"]]
    return [fmt.date(s, lang) for s in df["start"]]


@memo
def series_bar(df: pd.DataFrame, *, grain: str, value: str, title: str, y_label: str, whole_label: str,
               partial_label: str, money: bool, lang: str) -> go.Figure:
    """Returns per week or month: whole units solid, partial units hatched and labelled.

    ``df``: returns_series columns (label, start, partial, ``value``)."""
    fig = charts.new_figure(title)
    hover = [[f"{p}", f"{value_text(v, lang, money)}"] for p, v in zip(period_labels(df, grain, lang), df[value])]
    df = df.assign(_hover=hover)
    whole, part = df[~df["partial"]], df[df["partial"]]
    fig.add_bar(x=whole["label"], y=whole[value], name=whole_label, marker_color=charts.TRAD_COLOR,
                customdata=list(whole["_hover"]), hovertemplate=HT2)
    if len(part):
        fig.add_bar(x=part["label"], y=part[value], name=partial_label, marker=_HATCH,
                    customdata=list(part["_hover"]),
                    hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>" + partial_label + "<extra></extra>")
    fig.update_layout(barmode="overlay", xaxis_title=None, bargap=0.25)
    _legend_under_title(fig)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(df["label"]))
    if grain == "week":
        fmt.week_category_ticks(fig, "x", df["label"], lang, max_ticks=8)
    else:
        fig.update_xaxes(tickvals=list(df["label"]),
                         ticktext=[fmt.month(s, lang, year=i == 0 or s.month == 1)
                                   for i, s in enumerate(df["start"])])
    if money:
        money_axis(fig, "y", df[value], lang, y_label)
    else:
        fig.update_yaxes(title_text=y_label)
    return fig


@memo
def cumulative(df: pd.DataFrame, *, value: str, title: str, y_label: str, money: bool, lang: str) -> go.Figure:
    """Running total over the period of the amount or of the count (one line).

    ``df``: returns_series at day grain (start, ``value``)."""
    fig = charts.new_figure(title)
    hover = [[f"{p}", f"{value_text(v, lang, money)}"] for p, v in zip(period_labels(df, "day", lang), df[value])]
    fig.add_scatter(x=df["start"], y=df[value], mode="lines", line=dict(color=charts.TRAD_COLOR, width=2.5),
                    fill="tozeroy", fillcolor="rgba(31,95,168,0.10)", customdata=hover,
                    hovertemplate=HT2)
    fig.update_layout(showlegend=False)
    fmt.date_ticks(fig, "x", df["start"], lang, grain="day", max_ticks=6)
    if money:
        money_axis(fig, "y", df[value], lang, y_label)
    else:
        fig.update_yaxes(title_text=y_label, rangemode="tozero")
    return fig


@memo
def amount_bins(df: pd.DataFrame, *, title: str, bin_labels: list[str], count_label: str,
                amount_label: str, x_label: str, y_label: str, lang: str) -> go.Figure:
    """Share of returns and share of the amount per amount bin (side by side)."""
    fig = charts.new_figure(title)
    n_text = [[f"{b}", f"{count_label} {fmt.pct(s)}（{fmt.big(n, lang)}）"] if lang == "zh"
              else [f"{b}", f"{count_label} {fmt.pct(s)} ({fmt.big(n, lang)})"]
              for b, s, n in zip(bin_labels, df["share_returns"], df["returns"])]
    a_text = [[f"{b}", f"{amount_label} {fmt.pct(s)}（{fmt.yuan(a, lang)}）"] if lang == "zh"
              else [f"{b}", f"{amount_label} {fmt.pct(s)} ({fmt.yuan(a, lang)})"]
              for b, s, a in zip(bin_labels, df["share_amount"], df["amount_yuan"])]
    fig.add_bar(x=bin_labels, y=df["share_returns"], name=count_label, marker_color=charts.TRAD_COLOR,
                customdata=n_text, hovertemplate=HT2)
    fig.add_bar(x=bin_labels, y=df["share_amount"], name=amount_label, marker_color=charts.PALETTE[1],
                customdata=a_text, hovertemplate=HT2)
    fig.update_layout(barmode="group", xaxis_title=x_label, yaxis_title=y_label, bargap=0.2)
    _legend_under_title(fig)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(type="category")
    return fig


@memo
def hbar(labels, values, texts, *, title: str, x_label: str, color: str = charts.TRAD_COLOR,
         hovers=None, height: int | None = None, money_lang: str | None = None) -> go.Figure:
    """Horizontal bars, largest at the top, value text outside the bar; ``hovers`` one text per bar
    (a pair of lines; default: the category and the bar's text). With ``money_lang`` the value axis is a money axis (money_axis)."""
    labels, values, texts = list(labels), list(values), list(texts)
    hovers = [list(h) for h in hovers] if hovers is not None else _cd(labels, texts)
    fig = charts.new_figure(title, height=height or max(260, 60 + 26 * len(labels)))
    fig.add_bar(y=labels[::-1], x=values[::-1], orientation="h", marker_color=color, text=texts[::-1],
                textposition="outside", cliponaxis=False, customdata=hovers[::-1],
                hovertemplate=HT2)
    fig.update_layout(xaxis_title=x_label, yaxis_title=None, showlegend=False)
    top = max([v for v in values if v == v] or [0])
    fig.update_xaxes(showgrid=True, gridcolor=GRID, range=[0, top * 1.3 if top else 1])
    fig.update_yaxes(type="category")
    if money_lang:
        money_axis(fig, "x", values, money_lang, x_label)
    return fig


@memo
def commitments(df: pd.DataFrame, labels: list[str], *, title: str, with_label: str,
                none_label: str, x_label: str, lang: str) -> go.Figure:
    """Committed stores per district split into "had a return" and "no return in the period"
    (stacked); the share without a return written beside each bar."""
    fig = charts.new_figure(title, height=max(280, 80 + 40 * len(df)))
    hv_with = [[f"{d}", f"{with_label}: {fmt.big(v, lang)}"] for d, v in zip(labels, df["committed_with_return"])]
    hv_none = [[f"{d}", f"{none_label}: {fmt.big(v, lang)}（{fmt.pct(s)}）"] if lang == "zh"
               else [f"{d}", f"{none_label}: {fmt.big(v, lang)} ({fmt.pct(s)})"]
               for d, v, s in zip(labels, df["dormant"], df["dormant_share"])]
    fig.add_bar(y=labels[::-1], x=list(df["committed_with_return"])[::-1], orientation="h", name=with_label,
                marker_color=charts.TRAD_COLOR, customdata=hv_with[::-1], hovertemplate=HT2)
    share = [("" if fmt.missing(s) else fmt.pct(s, 0)) for s in df["dormant_share"]]
    fig.add_bar(y=labels[::-1], x=list(df["dormant"])[::-1], orientation="h", name=none_label,
                marker_color=charts.PARTIAL_COLOR, text=share[::-1], textposition="outside", cliponaxis=False,
                customdata=hv_none[::-1], hovertemplate=HT2)
    fig.update_layout(barmode="stack", xaxis_title=x_label, yaxis_title=None, legend_traceorder="normal")
    _legend_under_title(fig)
    top = max([int(v) for v in df["committed"]] or [0])
    fig.update_xaxes(showgrid=True, gridcolor=GRID, range=[0, top * 1.2 if top else 1])
    fmt.value_ticks(fig, "x", [0, top], lang, n=4)            # 1万 / 10,000
    fig.update_yaxes(type="category")
    return fig


def _month_ticks(fig: go.Figure, axis: str, months, lang: str, max_ticks: int = 8) -> None:
    """Ticks of a category axis of ``2024-01`` months: 2024年1月 / Jan 2024 (year on the first and
    at each January in Chinese), thinned to ``max_ticks``."""
    ms = [str(m) for m in months]
    if not ms:
        return
    step = max(1, -(-len(ms) // max_ticks))
    picked = ms[::step]
    text = [fmt.month(m, lang, year=i == 0 or m.endswith("-01")) for i, m in enumerate(picked)]
    fig.layout[axis if "axis" in axis else axis + "axis"].update(tickvals=picked, ticktext=text)


@memo
def registry_timeline(df: pd.DataFrame, *, title: str, active_label: str, enrolled_label: str,
                      withdrawn_label: str, period_label: str, lang: str) -> go.Figure:
    """Registry month by month: units in force at month end (line), entries (bars up) and
    withdrawals (bars down); the selected period shaded."""
    fig = charts.new_figure(title, height=380)
    x = df["month"]
    mon = [fmt.month(m, lang) for m in x]
    fig.add_bar(x=x, y=df["enrolled"], name=enrolled_label, marker_color=charts.ODR_COLOR, opacity=0.75,
                customdata=[[f"{m}", f"{enrolled_label}: {fmt.num(v)}"] for m, v in zip(mon, df["enrolled"])],
                hovertemplate=HT2)
    fig.add_bar(x=x, y=-df["withdrawn"], name=withdrawn_label, marker_color=charts.PALETTE[3], opacity=0.75,
                customdata=[[f"{m}", f"{withdrawn_label}: {fmt.num(v)}"] for m, v in zip(mon, df["withdrawn"])],
                hovertemplate=HT2)
    fig.add_scatter(x=x, y=df["active"], name=active_label, mode="lines", yaxis="y2",
                    line=dict(color=charts.TRAD_COLOR, width=2.5),
                    customdata=[[f"{m}", f"{active_label}: {fmt.num(v)}"] for m, v in zip(mon, df["active"])],
                    hovertemplate=HT2)
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
    _month_ticks(fig, "x", x, lang, max_ticks=6)
    return _legend_under_title(fig)


@memo
def cases_histogram(df: pd.DataFrame, *, title: str, x_label: str, y_label: str, lang: str) -> go.Figure:
    """Number of active ODR enterprises by number of cases in the period (0 highlighted)."""
    fig = charts.new_figure(title, height=320)
    colors = [charts.PALETTE[3] if c == 0 else charts.ODR_COLOR for c in df["cases"]]
    fig.add_bar(x=df["cases"], y=df["enterprises"], marker_color=colors,
                customdata=[f"{x_label} {fmt.num(c)}: {fmt.big(n, lang)}" for c, n in zip(df["cases"], df["enterprises"])],
                hovertemplate="%{customdata}<extra></extra>")
    fig.update_layout(xaxis_title=x_label, yaxis_title=y_label, showlegend=False, bargap=0.15)
    fig.update_xaxes(dtick=1 if len(df) <= 20 else None)
    return fig


@memo
def small_multiples(panels: list[tuple[str, list, list, list]], *, title: str, lang: str,
                    orientation: str = "h", height: int = 340) -> go.Figure:
    """One panel per (panel title, categories, values, texts); independent value axes, because the
    types differ by orders of magnitude (21 streets, 10,154 operators). Vertical panels are
    month-end lines over ``2024-01`` month categories."""
    n = len(panels)
    fig = make_subplots(rows=1, cols=n, subplot_titles=[p[0] for p in panels], shared_yaxes=orientation == "h",
                        horizontal_spacing=0.08)
    for i, (name, cats, vals, texts) in enumerate(panels, start=1):
        color = charts.PALETTE[(i - 1) % len(charts.PALETTE)]
        if orientation == "h":
            hv = [[f"{c}", f"{name}: {fmt.num(v)}"] for c, v in zip(cats, vals)]
            fig.add_bar(y=cats[::-1], x=vals[::-1], orientation="h", marker_color=color, text=texts[::-1],
                        textposition="auto", customdata=hv[::-1], hovertemplate=HT2,
                        row=1, col=i)
        else:
            hv = [[f"{fmt.month(c, lang)}", f"{name}: {fmt.num(v)}"] for c, v in zip(cats, vals)]
            fig.add_scatter(x=cats, y=vals, mode="lines", line=dict(color=color, width=2.5, shape="hv"),
                            customdata=hv, hovertemplate=HT2, row=1, col=i)
            _month_ticks(fig, "xaxis" + ("" if i == 1 else str(i)), cats, lang, max_ticks=3)
    fig.update_layout(template=charts.TEMPLATE, height=height, title=title, showlegend=False)
    fig.update_xaxes(title_text=None)
    fig.update_annotations(font_size=12)
    if orientation == "h":
        fig.update_xaxes(showgrid=True, gridcolor=GRID, rangemode="tozero", nticks=3)
        fig.update_yaxes(type="category")
    else:
        fig.update_xaxes(type="category")
        fig.update_yaxes(rangemode="tozero", gridcolor=GRID)
    return fig


@memo
def rate_comparison(df: pd.DataFrame, labels: list[str], *, title: str, demo_label: str, other_label: str,
                    x_label: str) -> go.Figure:
    """Complaints per 1,000 stores, demonstration vs other stores, per industry (dumbbell: the
    connecting lines are one trace, not one shape per industry)."""
    fig = charts.new_figure(title, height=max(320, 70 + 24 * len(df)))
    y = labels[::-1]
    demo, other = list(df["demo_rate"])[::-1], list(df["other_rate"])[::-1]
    lx, ly = [], []
    for yy, a, b in zip(y, demo, other):
        if not fmt.missing(a) and not fmt.missing(b):
            lx += [a, b, None]
            ly += [yy, yy, None]
    if lx:
        fig.add_scatter(x=lx, y=ly, mode="lines", line=dict(color="#c9d1db", width=3), hoverinfo="skip",
                        showlegend=False)
    def hv(rates, c, s):
        return [[f"{d}", f"{fmt.num(r, 1)} ({fmt.num(cc)} / {fmt.num(ss)})"] for d, r, cc, ss in
                zip(labels, rates, c, s)][::-1]
    fig.add_scatter(y=y, x=other, mode="markers", name=other_label,
                    marker=dict(color=charts.MUTED, size=10, symbol="circle-open", line=dict(width=2)),
                    customdata=hv(df["other_rate"], df["other_complaints"], df["other_stores"]),
                    hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra>" + other_label + "</extra>")
    fig.add_scatter(y=y, x=demo, mode="markers", name=demo_label,
                    marker=dict(color=charts.ODR_COLOR, size=10),
                    customdata=hv(df["demo_rate"], df["demo_complaints"], df["demo_stores"]),
                    hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra>" + demo_label + "</extra>")
    fig.update_layout(xaxis_title=x_label, yaxis_title=None)
    _legend_under_title(fig)
    # a dot plot compares positions, not lengths: the axis spans the rates, not 0 to the rates
    fig.update_xaxes(showgrid=True, gridcolor=GRID)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=y)
    return fig


@memo
def merchant_monthly(df: pd.DataFrame, *, title: str, odr_label: str, trad_label: str,
                     returns_label: str, y_label: str, y2_label: str, lang: str) -> go.Figure:
    """One merchant per month: complaints (stacked ODR / traditional bars) and the returns'
    amount (line, right axis)."""
    fig = charts.new_figure(title, height=340)
    mon = [fmt.month(m, lang) for m in df["month"]]
    fig.add_bar(x=df["month"], y=df["traditional"], name=trad_label, marker_color=charts.TRAD_COLOR,
                customdata=[[f"{m}", f"{trad_label}: {fmt.num(v)}"] for m, v in zip(mon, df["traditional"])],
                hovertemplate=HT2)
    fig.add_bar(x=df["month"], y=df["odr"], name=odr_label, marker_color=charts.ODR_COLOR,
                customdata=[[f"{m}", f"{odr_label}: {fmt.num(v)}"] for m, v in zip(mon, df["odr"])],
                hovertemplate=HT2)
    if df["returns"].sum() > 0:
        fig.add_scatter(x=df["month"], y=df["amount_yuan"], name=returns_label, yaxis="y2",
                        mode="lines+markers", line=dict(color=charts.PALETTE[1], width=2),
                        customdata=[[f"{m}", f"{returns_label}: {fmt.yuan(a, lang)}（{fmt.num(n)}）"] if lang == "zh"
                                    else [f"{m}", f"{returns_label}: {fmt.yuan(a, lang)} ({fmt.num(n)})"]
                                    for m, a, n in zip(mon, df["amount_yuan"], df["returns"])],
                        hovertemplate=HT2)
        fig.update_layout(yaxis2=dict(title=y2_label, overlaying="y", side="right", showgrid=False,
                                      tickmode="auto", tickformat=",~r",
                                      rangemode="tozero", automargin=True))
    fig.update_layout(barmode="stack", yaxis_title=y_label, xaxis_title=None)
    _legend_under_title(fig)
    if df["complaints"].max() <= 6:
        fig.layout.yaxis.dtick = 1
    fig.update_xaxes(type="category")
    _month_ticks(fig, "x", df["month"], lang, max_ticks=8)
    return fig
