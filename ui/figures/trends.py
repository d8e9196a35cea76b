"""Figures of the case-volume page. Builders take DataFrames and already translated labels and
return Plotly figures on the project template; they never query data."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from ui import fmt
from ui.charts import MUTED, PALETTE, PARTIAL_COLOR, TRAD_COLOR, new_figure
from ui.figmemo import memo
from ui.text import plot_text

EVENT_COLORS = {"w315": "#e07b1a", "spring_festival": "#c44e52", "may_day": "#2a9d8f",
                "national_day": "#8172b3"}
FLAG_COLORS = {"high": "#c44e52", "low": "#e07b1a"}
BAND_FILL = "rgba(11, 61, 117, 0.10)"
BAND_LINE = "rgba(11, 61, 117, 0.35)"
WEEK_COLOR = "#8fb3dc"
OTHER_COLOR = "#b0b0b0"
# legends below the plot: the title and the calendar labels use the top edge
# the legend at the bottom of the figure, below the tick labels: anchored to the container (a legend
# placed a fraction of the plot height below it overlapped the slanted week labels on a phone)
BOTTOM_LEGEND = dict(orientation="h", yref="container", y=0, yanchor="bottom", xanchor="left", x=0)


def _span(starts, ends) -> int:
    """Days from the first start to the last end (the x range of a chart)."""
    if not len(starts):
        return 7
    return (pd.Timestamp(max(ends)) - pd.Timestamp(min(starts))).days + 1


def bucket_name(start, interval: str, lang: str, year: bool = True) -> str:
    """A bucket (by its start date) in the reader's language: 2024年1月8日 / 第10周 / 2024年1月 / 第1季度."""
    if interval == "day":
        return fmt.date(start, lang, year=year)
    if interval == "week":
        return fmt.week(start, lang, year=year)
    if interval == "month":
        return fmt.month(start, lang, year=year)
    return fmt.quarter(start, lang, year=year)


def _mid(start, days) -> pd.Series:
    """Middle day of each bucket (bars and points are drawn there, so calendar bands line up)."""
    return pd.to_datetime(start) + pd.to_timedelta([int(d) // 2 for d in days], unit="D")


def add_events(fig: go.Figure, events: pd.DataFrame, names: dict[str, str], span_days: int = 365) -> None:
    """Shaded bands for the calendar events (rows: event, year, start, end), labelled at the top;
    labels of events close together (within 9% of the ``span_days`` shown) are staggered."""
    last_x, shifted = None, False
    for r in events.sort_values("start").itertuples():
        color = EVENT_COLORS.get(r.event, MUTED)
        x0 = pd.Timestamp(r.start)
        x1 = pd.Timestamp(r.end) + pd.Timedelta(days=1)
        fig.add_vrect(x0=x0, x1=x1, fillcolor=color, opacity=0.12, line_width=0, layer="below")
        xm = x0 + (x1 - x0) / 2
        shifted = (last_x is not None and (xm - last_x).days < 0.09 * max(span_days, 7) and not shifted)
        fig.add_annotation(x=xm, y=1.0, yref="paper", yanchor="bottom", showarrow=False, yshift=14 if shifted else 0,
                           text=names.get(r.event, r.event), font=dict(size=11, color=color))
        last_x = xm


@memo
def volume_chart(df: pd.DataFrame, *, mode: str, title: str, y_label: str, partial_label: str,
                 series_names: dict[str, str], events: pd.DataFrame, event_names: dict[str, str],
                 height: int = 420, interval: str = "week", lang: str = "zh") -> go.Figure:
    """Complaints per bucket and series. ``df``: rows of analytics.trends.volume_series.

    ``mode`` line: one line per series over whole buckets, partial buckets as open markers on a
    dotted line (never joined to the whole ones); stacked: stacked bars, partial buckets pale and
    hatched. The x ticks sit on the buckets (第10周 under the week's bar or point)."""
    fig = new_figure(title, height=height)
    order = list(dict.fromkeys(df["series"]))
    colors = {}
    i = 0
    for s in order:
        if s == "_other":
            colors[s] = OTHER_COLOR
        else:
            colors[s] = TRAD_COLOR if len(order) == 1 else PALETTE[i % len(PALETTE)]
            i += 1
    for s in order:
        d = df[df["series"] == s].sort_values("bucket_start")
        x = _mid(d["bucket_start"], d["days"])
        name = plot_text(series_names.get(s, s))        # a category from the data goes into the hover template
        custom = list(zip([bucket_name(b, interval, lang) for b in d["bucket_start"]], d["covered_days"], d["days"]))
        hover = "%{customdata[0]}<br>" + name + ": %{y:,}<extra></extra>"
        phover = ("%{customdata[0]} (" + partial_label + " %{customdata[1]}/%{customdata[2]})<br>" + name
                  + ": %{y:,}<extra></extra>")
        if mode == "stacked":
            part = d["partial"].astype(bool).tolist()
            fig.add_bar(x=x, y=d["complaints"], name=name, customdata=custom, legendgroup=s,
                        width=[int(n) * 0.85 * 86_400_000 for n in d["days"]],
                        marker=dict(color=colors[s], opacity=[0.5 if p else 1.0 for p in part],
                                    pattern=dict(shape=["/" if p else "" for p in part], fgcolor="#1f2933",
                                                 fgopacity=0.6, size=7, solidity=0.25)),
                        hovertemplate=hover if not any(part) else
                        "%{customdata[0]} · %{customdata[1]}/%{customdata[2]}<br>" + name + ": %{y:,}<extra></extra>")
        else:
            whole = d["complaints"].where(~d["partial"].astype(bool))
            fig.add_scatter(x=x, y=whole, mode="lines+markers", name=name, line=dict(color=colors[s], width=2),
                            marker=dict(size=5), customdata=custom, legendgroup=s, connectgaps=False,
                            hovertemplate=hover)
            p = d[d["partial"].astype(bool)]
            if len(p):
                fig.add_scatter(x=_mid(p["bucket_start"], p["days"]), y=p["complaints"], mode="markers",
                                name=f"{name} · {partial_label}", showlegend=False, legendgroup=s,
                                marker=dict(symbol="circle-open", size=10, color=colors[s], line=dict(width=2)),
                                customdata=list(zip([bucket_name(b, interval, lang) for b in p["bucket_start"]],
                                                    p["covered_days"], p["days"])),
                                hovertemplate=phover)
    if df["partial"].astype(bool).any():
        fig.add_scatter(x=[None], y=[None], mode="markers", name=partial_label,
                        marker=dict(symbol="circle-open" if mode != "stacked" else "square",
                                    size=10, color=PARTIAL_COLOR, line=dict(width=2, color="#7d8fa9")))
    add_events(fig, events, event_names, _span(df["bucket_start"], df["bucket_end"]))
    if len(df) and (df.groupby("bucket_start")["complaints"].sum().max() if mode == "stacked"
                    else df["complaints"].max()) <= 8:
        fig.update_yaxes(dtick=1)       # small counts: whole numbers on the axis
    if len(df):
        fig.update_xaxes(range=[pd.Timestamp(df["bucket_start"].min()) - pd.Timedelta(days=1),
                                pd.Timestamp(df["bucket_end"].max()) + pd.Timedelta(days=2)])
        b = df.drop_duplicates("bucket_start").sort_values("bucket_start")
        fmt.date_ticks(fig, "x", list(_mid(b["bucket_start"], b["days"])), lang, grain=interval, max_ticks=6)
    fig.update_layout(barmode="stack", bargap=0.15, yaxis_title=y_label, xaxis_title=None, hovermode="closest",
                      legend=BOTTOM_LEGEND, margin=dict(b=72, t=72))
    return fig


@memo
def band_chart(stats: pd.DataFrame, *, title: str, labels: dict[str, str], events: pd.DataFrame,
               event_names: dict[str, str], selected: str | None = None, height: int = 440,
               lang: str = "zh") -> go.Figure:
    """Weekly complaints with the expected band, the 4-week moving average and the same ISO week
    last year; flagged weeks in colour, partial weeks pale and hatched.

    ``stats``: rows of analytics.trends.weekly_stats. ``labels`` keys: count, partial, high, low,
    band, expected, ma4, last_year, y, and optionally no_band (shown on whole weeks without a band)."""
    fig = new_figure(title, height=height)
    x = pd.to_datetime(stats["week_start"]) + pd.Timedelta(days=3)   # Thursday: the ISO week's middle
    wname = pd.Series([fmt.week(w, lang) for w in stats["week"]], index=stats.index)
    part = stats["partial"].astype(bool)
    whole = ~part

    def bar_line(sel):
        return dict(width=[2.5 if w == selected else 0 for w in stats.loc[sel, "week"]], color="#1f2933")

    colors = [FLAG_COLORS.get(fl, WEEK_COLOR) for fl in stats.loc[whole, "flag"]]
    nob = stats.loc[whole, "history"] if "history" in stats else pd.Series("", index=stats.index[whole])
    kinds = [labels.get(fl, "") or (f"({labels['no_band']})" if h and "no_band" in labels else "")
             for fl, h in zip(stats.loc[whole, "flag"], nob)]
    width = 6 * 86_400_000          # bar width on the date axis: 6 of the week's 7 days (ms)
    fig.add_bar(x=x[whole], y=stats.loc[whole, "complaints"], name=labels["count"], width=width,
                customdata=list(zip(wname[whole], kinds)),
                marker=dict(color=colors, line=bar_line(whole)),
                hovertemplate="%{customdata[0]} %{customdata[1]}<br>" + labels["count"] + ": %{y:,}<extra></extra>")
    if part.any():
        fig.add_bar(x=x[part], y=stats.loc[part, "complaints"], name=labels["partial"], width=width,
                    customdata=list(zip(wname[part], stats.loc[part, "days_covered"])),
                    marker=dict(color=PARTIAL_COLOR, pattern=dict(shape="/", fgcolor="#7d8fa9"), line=bar_line(part)),
                    hovertemplate="%{customdata[0]} " + labels["partial"] + " (%{customdata[1]}/7)<br>"
                    + labels["count"] + ": %{y:,}<extra></extra>")
    has_band = stats["upper"].notna()
    if has_band.any():
        # the band over the bars, translucent, one closed shape per run of weeks with a band
        run_id = (has_band != has_band.shift()).cumsum()
        first = True
        for _, idx in stats[has_band].groupby(run_id[has_band]).groups.items():
            xs = list(x[idx])
            fig.add_scatter(x=xs + xs[::-1], y=list(stats.loc[idx, "upper"]) + list(stats.loc[idx, "lower"])[::-1],
                            mode="lines", fill="toself", fillcolor=BAND_FILL, line=dict(width=1, color=BAND_LINE),
                            name=labels["band"], legendgroup="band", showlegend=first, hoverinfo="skip")
            first = False
        fig.add_scatter(x=x, y=stats["expected"], mode="lines", name=labels["expected"],
                        line=dict(color="#0b3d75", dash="dash", width=1.5), connectgaps=False,
                        customdata=list(zip(wname, stats["lower"], stats["upper"])),
                        hovertemplate="%{customdata[0]}<br>" + labels["expected"]
                        + ": %{y:.1f}<br>" + labels["band"] + ": %{customdata[1]:.0f}–%{customdata[2]:.0f}<extra></extra>")
    if stats["ma4"].notna().any():
        fig.add_scatter(x=x, y=stats["ma4"], mode="lines", name=labels["ma4"], connectgaps=False,
                        line=dict(color="#2a9d8f", width=2.5), customdata=list(wname),
                        hovertemplate="%{customdata}<br>" + labels["ma4"] + ": %{y:.1f}<extra></extra>")
    if stats["last_year"].notna().any():
        fig.add_scatter(x=x, y=stats["last_year"], mode="lines", name=labels["last_year"], connectgaps=False,
                        line=dict(color="#5f6b7a", width=1.5, dash="dot"),
                        customdata=[fmt.week(w, lang) if isinstance(w, str) and w else fmt.DASH
                                    for w in stats["last_year_week"]],
                        hovertemplate="%{customdata}: %{y:,}<extra>" + labels["last_year"] + "</extra>")
    for key in ("high", "low"):
        if (stats["flag"] == key).any():
            fig.add_scatter(x=[None], y=[None], mode="markers", name=labels[key],
                            marker=dict(symbol="square", size=11, color=FLAG_COLORS[key]))
    add_events(fig, events, event_names, _span(stats["week_start"], stats["week_end"]))
    fig.update_layout(yaxis_title=labels["y"], xaxis_title=None, bargap=0.2, barmode="overlay", hovermode="closest",
                      legend=BOTTOM_LEGEND, clickmode="event+select", margin=dict(b=72, t=72))
    if len(stats) and max(stats["complaints"].max(), stats["upper"].max(skipna=True) or 0) <= 8:
        fig.update_yaxes(dtick=1)       # small counts: whole numbers on the axis
    if len(stats):
        fig.update_xaxes(range=[pd.Timestamp(stats["week_start"].min()) - pd.Timedelta(days=1),
                                pd.Timestamp(stats["week_end"].max()) + pd.Timedelta(days=2)])
        fmt.date_ticks(fig, "x", list(x), lang, grain="week", max_ticks=6)    # on the bars (Thursdays)
    return fig


@memo
def composition_chart(detail: pd.DataFrame, *, title: str, names: dict[str, str], this_label: str,
                      prev_label: str | None, n: int = 10) -> go.Figure:
    """Horizontal bars: the week's count per value next to the week before (largest first);
    without ``prev_label`` (a partial week) the week before is not drawn."""
    d = detail[detail["complaints"] > 0].head(n).iloc[::-1]
    y = [names.get(v, v) for v in d["value"]]
    fig = new_figure(title, height=max(220, 70 + (34 if prev_label else 24) * len(d)))
    if prev_label:
        fig.add_bar(y=y, x=d["previous_week"], orientation="h", name=prev_label, marker_color="#c9d1db",
                    hovertemplate="%{y}: %{x:,}<extra>" + prev_label + "</extra>")
    fig.add_bar(y=y, x=d["complaints"], orientation="h", name=this_label, marker_color=TRAD_COLOR,
                text=[f"{int(v):,}" for v in d["complaints"]], textposition="outside", cliponaxis=False,
                textfont=dict(size=12), constraintext="none",
                hovertemplate="%{y}: %{x:,}<extra>" + this_label + "</extra>")
    fig.update_layout(barmode="group", xaxis_title=None, yaxis_title=None, bargap=0.25,
                      margin=dict(l=8, r=32, t=64, b=32))
    top = max([0, *d["complaints"], *(d["previous_week"] if prev_label else [])])
    if top <= 8:
        fig.update_xaxes(dtick=1)       # counts: no half complaints on the axis
    fig.update_yaxes(automargin=True)
    return fig


@memo
def contribution_chart(top: pd.DataFrame, *, title: str, names: dict[str, str], by: str, x_label: str,
                       direction: str) -> go.Figure:
    """Bars of each value's share of the gap to the expected (or previous) week, largest first.
    For a week below its band the bars show the shortfall (expected − this week) so that they
    grow to the right and their labels stay clear of the names; ``x_label`` says which."""
    d = top.iloc[::-1]
    y = [names.get(v, v) for v in d["value"]]
    sign = -1 if direction == "low" else 1
    color = FLAG_COLORS["high"] if direction == "high" else FLAG_COLORS["low"]
    fig = new_figure(title, height=max(200, 60 + 36 * len(d)))
    fig.add_bar(y=y, x=sign * d[by], orientation="h", marker_color=color,
                text=[f"{v:+.1f}" for v in d[by]], textposition="outside", cliponaxis=False, textfont=dict(size=12),
                constraintext="none", customdata=d[["complaints", by]].to_numpy(),
                hovertemplate="%{y}: %{customdata[1]:+.1f} (%{customdata[0]:,})<extra></extra>", showlegend=False)
    fig.update_layout(xaxis_title=x_label, yaxis_title=None, margin=dict(l=8, r=48, t=48, b=40))
    fig.update_xaxes(rangemode="tozero")
    fig.update_yaxes(automargin=True)
    return fig


def monday_of(label_or_date) -> dt.date:
    """Monday of the week a chart x value (a date or a 'YYYY-MM-DD…' string) falls in."""
    d = pd.Timestamp(str(label_or_date)[:10]).date()
    return d - dt.timedelta(days=d.weekday())
