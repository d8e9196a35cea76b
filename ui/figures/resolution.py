"""Figures of the resolution-time page. Each takes DataFrames from analytics/resolution.py and
display labels, and returns a Plotly figure on the project template (ui.charts). Kept light for
the browser: a route's curve and its 95% band are two traces (the band one closed outline), week
axes carry exact 第10周 / Week 10 ticks (ui.fmt) and hovers their week with dates."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui import charts, fmt
from ui.figmemo import memo

ROUTE_COLORS = {"odr": charts.ODR_COLOR, "traditional": charts.TRAD_COLOR, "all": charts.PALETTE[4]}
_LEGEND = dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0)
_TOP = 84       # top margin: the title, then the legend on its own line
_GRID = "#e6ebf1"


def _legend_under_title(fig: go.Figure) -> go.Figure:
    fig.update_layout(legend=_LEGEND, margin=dict(t=_TOP), title=dict(y=0.98, yanchor="top"))
    return fig


_FILL = {"odr": "rgba(42,157,143,0.18)", "traditional": "rgba(31,95,168,0.15)", "all": "rgba(129,114,179,0.15)"}


def _steps(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The corner points of a step function (value y[i] from x[i] until x[i+1]), drawn with
    straight lines: x0 x1 x1 x2 x2 …, y0 y0 y1 y1 y2 …"""
    if len(x) < 2:
        return x, y
    xs = np.repeat(x, 2)[1:]
    ys = np.repeat(y, 2)[:-1]
    return xs, ys


def _week_hover(weeks, lang: str) -> list[str]:
    return [fmt.week_span(w, lang) for w in weeks]


@memo
def km_figure(curves: pd.DataFrame, routes: list[str], names: dict[str, str], *, title: str, x_label: str,
              y_label: str, median_label: str, p90_label: str, open_label: str = "n") -> go.Figure:
    """Step curves of the share still open (Kaplan–Meier) with shaded 95% bands, per route: two
    traces a route (the band is one closed outline, upper edge forward and lower edge back)."""
    fig = charts.new_figure(title, height=380)
    for r in routes:
        c = curves[curves["route"] == r].sort_values("t")
        if not len(c):
            continue
        t = c["t"].to_numpy(dtype=float)
        s, lo, hi = (c[k].to_numpy(dtype=float) for k in ("surv", "surv_lo", "surv_hi"))
        n_risk = c["n_risk"].to_numpy()
        if t[0] > 0:   # nobody closed before the first time: the curve starts at 100%
            t, s, lo, hi = (np.concatenate([[a], b]) for a, b in ((0.0, t), (1.0, s), (1.0, lo), (1.0, hi)))
            n_risk = np.concatenate([[n_risk[0]], n_risk])
        bx, bhi = _steps(t, hi)
        _, blo = _steps(t, lo)
        ok = ~(np.isnan(bhi) | np.isnan(blo))
        if ok.any():
            fig.add_scatter(x=np.concatenate([bx[ok], bx[ok][::-1]]), y=np.concatenate([bhi[ok], blo[ok][::-1]]),
                            mode="lines", line=dict(width=0), fill="toself", fillcolor=_FILL[r],
                            hoverinfo="skip", showlegend=False, legendgroup=r)
        fig.add_scatter(x=t, y=s, mode="lines", name=names[r], legendgroup=r,
                        line=dict(color=ROUTE_COLORS[r], width=2.4, shape="hv"),
                        customdata=np.stack([lo, hi, n_risk], axis=1),
                        hovertemplate=(names[r] + "<br>" + x_label + ": %{x}<br>" + y_label + ": %{y:.1%} "
                                       "(%{customdata[0]:.1%} – %{customdata[1]:.1%})<br>" + open_label
                                       + ": %{customdata[2]:,}<extra></extra>"))
    for level, lab in ((0.5, median_label), (0.1, p90_label)):
        fig.add_hline(y=level, line=dict(color=charts.MUTED, dash="dot", width=1),
                      annotation_text=lab, annotation_position="top right",
                      annotation_font=dict(size=11, color=charts.MUTED))
    fig.update_layout(xaxis_title=x_label, yaxis_title=y_label, hovermode="closest")
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    # show up to a little past the last closing: beyond it the curves only run flat (open cases'
    # ages, which can be years for an old period); zooming out still shows them
    shown = curves[curves["route"].isin(routes)]
    last_event = shown.loc[shown["events"] > 0, "t"].max() if len(shown) else None
    if last_event is not None and not pd.isna(last_event) and shown["t"].max() > last_event * 1.5 + 5:
        fig.update_xaxes(range=[0, max(10.0, float(last_event) * 1.15)])
    else:
        fig.update_xaxes(rangemode="tozero")
    return _legend_under_title(fig)


def cap_for(counts: pd.DataFrame, default: int = 30) -> int:
    """Where the distribution's last (pooled) bar starts: the P99 of closed times, at least 10,
    at most ``default``."""
    c = counts[counts["closed"]]
    if not len(c):
        return default
    return int(max(10, min(default, np.ceil(weighted_percentile(c["t"], c["n"], 99)))))


def weighted_percentile(values, counts, q: float) -> float:
    """``np.percentile`` (linear) of ``values`` each repeated ``counts`` times, without building the
    repeated array (a year of closed complaints is millions of values; the counts are a few hundred)."""
    v, n = np.asarray(values, dtype=float), np.asarray(counts, dtype=np.int64)
    keep = n > 0
    v, n = v[keep], n[keep]
    order = np.argsort(v, kind="stable")
    v, cum = v[order], np.cumsum(n[order])
    pos = q / 100 * (cum[-1] - 1)                  # the position in the sorted, repeated values
    lo, hi = int(np.floor(pos)), int(np.ceil(pos))
    at = lambda i: v[np.searchsorted(cum, i, side="right")]  # noqa: E731 — the i-th value (from 0)
    return float(at(lo) + (pos - lo) * (at(hi) - at(lo)))


@memo
def distribution_figure(counts: pd.DataFrame, routes: list[str], names: dict[str, str], *, mode: str,
                        title: str, x_label: str, y_label: str, cap: int, legend_name=None) -> go.Figure:
    """Histogram (share per time, the last bar pooling t >= cap) or ECDF (cumulative share) of the
    closed complaints' time to close, per route. ``counts``: analytics.resolution.time_counts.
    ``legend_name(route name, closed count)`` names a route's trace (default: the route name)."""
    fig = charts.new_figure(title, height=360)
    closed = counts[counts["closed"]]
    for r in routes:
        c = closed[closed["route"] == r].groupby("t")["n"].sum()
        total = c.sum()
        if not total:
            continue
        name = legend_name(names[r], int(total)) if legend_name else names[r]
        if mode == "ecdf":
            cum = c.sort_index().cumsum() / total
            fig.add_scatter(x=cum.index, y=cum.values, mode="lines", name=name,
                            line=dict(color=ROUTE_COLORS[r], width=2.2, shape="hv"),
                            hovertemplate=names[r] + "<br>≤ %{x}: %{y:.1%}<extra></extra>")
        else:
            pooled = c[c.index < cap].reindex(range(cap), fill_value=0)
            pooled.loc[cap] = c[c.index >= cap].sum()
            labels = [str(i) for i in range(cap)] + [f"≥{cap}"]
            share = pooled.values / total
            fig.add_bar(x=labels, y=share, name=name, marker_color=ROUTE_COLORS[r],
                        customdata=pooled.values,
                        hovertemplate=names[r] + "<br>%{x}: %{y:.1%} (%{customdata:,})<extra></extra>")
    fig.update_layout(xaxis_title=x_label, yaxis_title=y_label, barmode="group", bargap=0.15)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    if mode != "ecdf":
        fig.update_xaxes(type="category")
    else:
        fig.update_yaxes(range=[0, 1.02])
    return _legend_under_title(fig)


@memo
def category_box_figure(catq: pd.DataFrame, routes: list[str], names: dict[str, str], cat_label, *,
                        title: str, x_label: str, hover: str | None = None) -> go.Figure:
    """Horizontal boxes per category and route from precomputed quantiles (whiskers P10/P90).
    ``hover``: the hover line after "route · category", a template over %{customdata} (closed
    count), %{lowerfence}, %{q1}, %{median}, %{q3}, %{upperfence}."""
    cats = list(dict.fromkeys(catq["category"]))
    fig = charts.new_figure(title, height=max(360, 100 + 20 * len(cats) * max(1, len(routes))))
    hover = hover or ("n = %{customdata:,}<br>P10 %{lowerfence} · Q1 %{q1} · median %{median} · Q3 %{q3} · "
                      "P90 %{upperfence}")
    for r in routes:
        d = catq[catq["route"] == r]
        if not len(d):
            continue
        y = [cat_label(c) for c in d["category"]]
        fig.add_trace(go.Box(
            y=y, q1=d["q1"], median=d["median"], q3=d["q3"], lowerfence=d["p10"], upperfence=d["p90"],
            mean=d["mean"], orientation="h", name=names[r], marker_color=ROUTE_COLORS[r],
            customdata=d["closed"], boxpoints=False,
            hovertemplate=names[r] + " · %{y}<br>" + hover + "<extra></extra>",
        ))
    order = [cat_label(c) for c in cats]
    fig.update_layout(boxmode="group", xaxis_title=x_label, yaxis_title=None)
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], type="category")
    fig.update_xaxes(rangemode="tozero", showgrid=True, gridcolor=_GRID)
    return _legend_under_title(fig)


@memo
def weekly_quantiles_figure(wq: pd.DataFrame, routes: list[str], names: dict[str, str], *, title: str,
                            y_label: str, median_label: str, p90_label: str, open_label: str,
                            closed_label: str, lang: str = "zh") -> go.Figure:
    """Median (solid) and P90 (dashed) per week and route; hollow markers for partial weeks and
    weeks with complaints still open. Week ticks 第10周 / Week 10, hovers with the week's dates."""
    fig = charts.new_figure(title, height=360)
    weeks = list(dict.fromkeys(wq["week"]))
    span = dict(zip(weeks, _week_hover(weeks, lang)))
    for r in routes:
        d = wq[wq["route"] == r]
        hollow = d["partial"] | (d["open"] > 0)
        symbols = np.where(hollow, "circle-open", "circle")
        custom = np.stack([[span[w] for w in d["week"]], d["closed"], d["open"]], axis=1)
        for col, lab, dash in (("median", median_label, "solid"), ("p90", p90_label, "dash")):
            fig.add_scatter(x=d["week"], y=d[col], mode="lines+markers", name=f"{names[r]} · {lab}",
                            line=dict(color=ROUTE_COLORS[r], width=2 if dash == "solid" else 1.5, dash=dash),
                            marker=dict(symbol=symbols, size=7), connectgaps=False, customdata=custom,
                            hovertemplate=(names[r] + " · " + lab + "<br>%{customdata[0]}: %{y:.1f}<br>"
                                           + closed_label + " %{customdata[1]:,} · " + open_label
                                           + " %{customdata[2]:,}<extra></extra>"))
    fig.update_layout(yaxis_title=y_label, xaxis_title=None)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=weeks)
    fig.update_yaxes(rangemode="tozero")
    fmt.week_category_ticks(fig, "x", weeks, lang)
    return _legend_under_title(fig)


@memo
def gap_figure(summary: pd.DataFrame, *, title: str, raw_label: str, adj_label: str, median_title: str,
               settled_title: str, days_label: str, pp_label: str, exact_label: str | None = None,
               too_few_label: str | None = None) -> go.Figure:
    """Dot-and-whisker plot of the raw and adjusted gaps, one panel above the other (median time;
    settlement rate in percentage points), so it reads the same on a phone. In the hover, an
    interval that is one value reads ``exact_label`` (a hover template, e.g. "%{x:+.0f} (exact to
    the day)") and a missing one ``too_few_label``."""
    fig = make_subplots(rows=2, cols=1, vertical_spacing=0.3,
                        subplot_titles=(f"{median_title} ({days_label})", f"{settled_title} ({pp_label})"))
    fig.update_layout(template=charts.TEMPLATE, height=340, title=title, showlegend=False,
                      margin=dict(l=56, r=24, t=72, b=40))
    for row_i, metric, scale, unit in ((1, "median", 1.0, days_label), (2, "settled", 100.0, pp_label)):
        row = summary[summary["metric"] == metric].iloc[0]
        for lab, v, lo, hi, color in ((raw_label, row["raw"], row["raw_lo"], row["raw_hi"], charts.MUTED),
                                      (adj_label, row["adjusted"], row["adj_lo"], row["adj_hi"], charts.PALETTE[1])):
            if v is None or pd.isna(v):
                continue
            missing = lo is None or pd.isna(lo) or hi is None or pd.isna(hi)
            lo = v if missing else lo
            hi = v if missing else hi
            if missing:
                ci = too_few_label or "—"
            elif lo == hi and exact_label:
                ci = exact_label
            else:
                ci = f"{lo * scale:+.1f} – {hi * scale:+.1f}"
            fig.add_scatter(x=[v * scale], y=[lab], mode="markers", marker=dict(size=11, color=color),
                            error_x=dict(type="data", symmetric=False, array=[(hi - v) * scale],
                                         arrayminus=[(v - lo) * scale], color=color, thickness=2, width=6),
                            hovertemplate=f"{lab}: %{{x:+.1f}} {unit}<br>95%: {ci}<extra></extra>",
                            row=row_i, col=1)
        fig.add_vline(x=0, line=dict(color="#c9d1db", width=1), row=row_i, col=1)
        fig.update_xaxes(row=row_i, col=1, zeroline=False, showgrid=True, gridcolor=_GRID)
        fig.update_yaxes(type="category", categoryorder="array", categoryarray=[adj_label, raw_label],
                         row=row_i, col=1)
    for a in fig.layout.annotations:
        a.font = dict(size=12)
    return fig


@memo
def on_time_weekly_figure(ot: pd.DataFrame, routes: list[str], names: dict[str, str], *, title: str,
                          y_label: str, lang: str = "zh") -> go.Figure:
    """On-time rate per week and route, with numerator/denominator in the hover. The rate axis
    always runs from 0% to 100%: a week with one late case out of fifty stays near the top
    instead of looking like a collapse."""
    fig = charts.new_figure(title, height=340)
    weeks = list(dict.fromkeys(ot["week"]))
    span = dict(zip(weeks, _week_hover(weeks, lang)))
    for r in routes:
        d = ot[ot["route"] == r]
        symbols = np.where(d["partial"], "circle-open", "circle")
        fig.add_scatter(x=d["week"], y=d["rate"], mode="lines+markers", name=names[r],
                        line=dict(color=ROUTE_COLORS[r], width=2), marker=dict(symbol=symbols, size=7),
                        customdata=np.stack([[span[w] for w in d["week"]], d["on_time"], d["base"]], axis=1),
                        hovertemplate=(names[r] + "<br>%{customdata[0]}: %{y:.1%} "
                                       "(%{customdata[1]:,} / %{customdata[2]:,})<extra></extra>"))
    fig.update_layout(yaxis_title=y_label, xaxis_title=None)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.04], tickvals=[0, 0.25, 0.5, 0.75, 1.0],
                     showgrid=True, gridcolor=_GRID)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=weeks)
    fmt.week_category_ticks(fig, "x", weeks, lang)
    return _legend_under_title(fig)


@memo
def district_on_time_figure(dist: pd.DataFrame, name_col: str, *, title: str, x_label: str,
                            lang: str = "zh") -> go.Figure:
    """Horizontal bars of the on-time rate per district, labelled with rate and counts."""
    d = dist.sort_values(["on_time_rate", "on_time_base"], ascending=[True, True], na_position="first")
    fig = charts.new_figure(title, height=320)
    o, c = ("（", "）") if lang == "zh" else (" (", ")")
    text = [f"{fmt.pct(r)}{o}{fmt.num(n)} / {fmt.num(b)}{c}"
            for r, n, b in zip(d["on_time_rate"], d["on_time"], d["on_time_base"])]
    fig.add_bar(y=d[name_col], x=d["on_time_rate"].fillna(0), orientation="h", marker_color=charts.TRAD_COLOR,
                text=text, textposition="auto", insidetextanchor="end", cliponaxis=False,
                insidetextfont=dict(color="white"), hovertemplate="%{y}: %{text}<extra></extra>")
    # the labels sit inside their bars (rates are mostly high) and outside only where a bar is too
    # short for its label, so a phone's narrow chart does not clip them
    fig.update_layout(xaxis_title=x_label, yaxis_title=None, showlegend=False, margin=dict(r=16),
                      uniformtext=dict(minsize=10, mode="show"))
    fig.update_xaxes(tickformat=".0%", range=[0, 1.02], tickvals=[0, 0.25, 0.5, 0.75, 1.0], showgrid=True,
                     gridcolor=_GRID)
    return fig
