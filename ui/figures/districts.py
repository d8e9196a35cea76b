"""Figures of the district rankings page: interval (forest) chart, funnel plot, county map,
bump chart. Every builder takes DataFrames from analytics/rankings.py and already translated
labels, and returns a Plotly figure on the project template (ui.charts)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui import charts

GEOJSON = Path(__file__).resolve().parent.parent.parent / "data" / "geo" / "zhangye_counties.geojson"
BETTER = "#2a9d8f"
WORSE = "#c44e52"
SAME = "#8c8c8c"
FEW = "#c9d1d9"        # too few cases: a value without an interval
FOCUS = "#e07b1a"
# light to medium blue: dark enough to read as "better", light enough for black labels on top
MAP_SCALE = [[0.0, "#f2f6fb"], [0.5, "#b3cde8"], [1.0, "#5a8fcb"]]


def verdict_color(vs, better) -> str:
    if vs in (None, "same") or better is None or (isinstance(better, float) and np.isnan(better)):
        return SAME
    return BETTER if better else WORSE


def _scale(metric: str) -> float:
    return 100.0 if metric in ("closure_rate", "on_time_rate", "odr_share") else 1.0


def _fmt(metric: str) -> str:
    """d3 format of the metric's value as shown (after _scale)."""
    return {"per_100k": ",.1f", "median_days": ".1f", "recovered_per_complaint": ",.0f",
            "returns_per_store": ".2f"}.get(metric, ".1f")


def interval_chart(df: pd.DataFrame, metric: str, *, title: str, x_label: str, city: float | None,
                   city_label: str, verdict_labels: dict, label_col: str, focus: str | None = None) -> go.Figure:
    """Dot and 95% interval per unit, sorted by value, coloured by the comparison with the city
    (better / worse / not distinguishable / too few cases: a dot without an interval), dashed
    vertical line at the city value. ``verdict_labels``: keys better, worse, same, few.

    ``df`` columns: unit, district_code, ``label_col``, <metric>, <metric>_lo, <metric>_hi,
    <metric>_n, <metric>_vs_city, <metric>_better."""
    d = df[df[metric].notna()].sort_values(metric)
    k = _scale(metric)
    height = max(260, 34 * len(d) + 110)
    fig = charts.new_figure(title, height=height)
    groups = {}
    for r in d.itertuples(index=False):
        vs, better = getattr(r, f"{metric}_vs_city"), getattr(r, f"{metric}_better")
        key = vs if vs in (None, "same", "few") else ("better" if better else "worse")
        groups.setdefault(key or "same", []).append(r)
    for key in ("better", "same", "worse", "few"):
        rows = groups.get(key, [])
        if not rows:
            continue
        v = np.array([getattr(r, metric) for r in rows], dtype=float) * k
        lo = np.array([getattr(r, f"{metric}_lo") for r in rows], dtype=float) * k
        hi = np.array([getattr(r, f"{metric}_hi") for r in rows], dtype=float) * k
        names = [getattr(r, label_col) for r in rows]
        n = [int(getattr(r, f"{metric}_n")) if pd.notna(getattr(r, f"{metric}_n")) else 0 for r in rows]
        foc = [focus is not None and r.district_code == focus for r in rows]
        color = {"better": BETTER, "worse": WORSE, "same": SAME, "few": FEW}[key]
        fig.add_scatter(
            x=v, y=names, mode="markers", name=verdict_labels[key],
            marker=dict(color=color, size=[13 if f_ else 9 for f_ in foc],
                        line=dict(color=[FOCUS if f_ else "#ffffff" for f_ in foc], width=[3 if f_ else 1 for f_ in foc])),
            error_x=dict(type="data", symmetric=False, array=np.nan_to_num(hi - v), arrayminus=np.nan_to_num(v - lo),
                         color=color, thickness=2, width=4, visible=key != "few"),
            customdata=np.column_stack([lo, hi, n]),
            hovertemplate="%{y}: %{x:" + _fmt(metric) + "}<br>95%: %{customdata[0]:" + _fmt(metric) +
                          "} – %{customdata[1]:" + _fmt(metric) + "}<br>n=%{customdata[2]}<extra></extra>")
    if city is not None and not pd.isna(city):
        fig.add_vline(x=city * k, line=dict(color="#1f2933", dash="dash", width=1.5))
        # legend entry for the dashed city line (a vline has none)
        fig.add_scatter(x=[None], y=[None], mode="lines", name=city_label,
                        line=dict(color="#1f2933", dash="dash", width=1.5))
    fig.update_layout(xaxis_title=x_label, yaxis_title=None, margin=dict(l=8, r=16, t=80, b=48))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=[getattr(r, label_col) for r in
                                                                            d.itertuples(index=False)],
                     showgrid=True, gridcolor="#f0f3f7")
    # rates per resident / per store from zero; proportions, days and yuan zoom to the intervals
    fig.update_xaxes(showgrid=True, gridcolor="#e6ebf1",
                     rangemode="tozero" if metric in ("per_100k", "returns_per_store") else "normal")
    return fig


def funnel_chart(df: pd.DataFrame, limits: pd.DataFrame, metric: str, *, title: str, x_label: str, y_label: str,
                 label_col: str, labels: dict, focus: str | None = None, log_x: bool = True) -> go.Figure:
    """Funnel plot: each unit's value against its exposure (population, stores or the
    denominator), the city average and 95% / 99.8% control limits around it.

    ``limits``: rankings.funnel columns exposure, lo_95, hi_95, lo_998, hi_998, city.
    ``labels``: keys l95, l998, city, better, worse, same."""
    k = _scale(metric)
    fig = charts.new_figure(title, height=420)
    if len(limits):
        x = limits["exposure"]
        for tag, dash, name in (("95", "solid", labels["l95"]), ("998", "dash", labels["l998"])):
            fig.add_scatter(x=x, y=limits[f"hi_{tag}"] * k, mode="lines", name=name, legendgroup=tag,
                            line=dict(color="#7d8fa9", dash=dash, width=1.5), hoverinfo="skip")
            fig.add_scatter(x=x, y=limits[f"lo_{tag}"] * k, mode="lines", name=name, legendgroup=tag,
                            showlegend=False, line=dict(color="#7d8fa9", dash=dash, width=1.5), hoverinfo="skip")
        fig.add_scatter(x=x, y=limits["city"] * k, mode="lines", name=labels["city"],
                        line=dict(color="#1f2933", width=1.5), hoverinfo="skip")
    d = df[df[metric].notna() & (df[f"{metric}_den"] > 0)]
    for key, color in (("better", BETTER), ("same", SAME), ("worse", WORSE)):
        if key == "same":
            sel = d[d[f"{metric}_vs_city"].isin(["same"]) | d[f"{metric}_vs_city"].isna()]
        else:
            want = key == "better"
            sel = d[(d[f"{metric}_vs_city"] != "same") & d[f"{metric}_vs_city"].notna()
                    & (d[f"{metric}_better"] == want)]
        if not len(sel):
            continue
        foc = (sel["district_code"] == focus) if focus else pd.Series(False, index=sel.index)
        fig.add_scatter(
            x=sel[f"{metric}_den"], y=sel[metric] * k, mode="markers+text" if len(d) <= 12 else "markers",
            name=labels[key], text=sel[label_col], textposition="top center", textfont=dict(size=11),
            marker=dict(color=color, size=np.where(foc, 14, 10),
                        line=dict(color=np.where(foc, FOCUS, "#ffffff"), width=np.where(foc, 3, 1))),
            customdata=np.column_stack([sel[label_col], sel[f"{metric}_num"].fillna(0)]),
            hovertemplate="%{customdata[0]}<br>" + y_label + ": %{y:" + _fmt(metric) + "}<br>" + x_label +
                          ": %{x:,.0f}<extra></extra>")
    fig.update_layout(xaxis_title=x_label, yaxis_title=y_label, margin=dict(l=56, r=24, t=48, b=110),
                      legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0))
    fig.update_xaxes(type="log" if log_x else "linear", showgrid=True, gridcolor="#f0f3f7")
    if metric not in ("per_100k", "returns_per_store") and len(d):
        lo = min(float((d[metric] * k).min()), float((limits["lo_998"] * k).min()) if len(limits) else 100)
        fig.update_yaxes(range=[max(0, lo - 5), min(100, 100) + 2] if k == 100 else None, rangemode="normal")
    return fig


# --- map ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def load_geojson() -> dict | None:
    """The shipped county boundaries (data/geo/zhangye_counties.geojson), or None when missing."""
    if not GEOJSON.exists():
        return None
    return json.loads(GEOJSON.read_text(encoding="utf-8"))


def _inside(x: float, y: float, ring: list) -> bool:
    c = False
    n = len(ring)
    for i in range(n - 1):
        x1, y1 = ring[i]
        x2, y2 = ring[i + 1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            c = not c
    return c


def _seg_dist(px, py, ring: np.ndarray) -> float:
    a, b = ring[:-1], ring[1:]
    ab = b - a
    ap = np.array([px, py]) - a
    L2 = (ab ** 2).sum(axis=1)
    t = np.clip(np.where(L2 > 0, (ap * ab).sum(axis=1) / np.where(L2 > 0, L2, 1), 0), 0, 1)
    proj = a + ab * t[:, None]
    return float(np.sqrt(((proj - [px, py]) ** 2).sum(axis=1)).min())


@lru_cache(maxsize=1)
def label_points() -> dict[str, tuple[float, float]]:
    """A point well inside each county (the grid point of its largest polygon farthest from the
    border), for the map's labels."""
    gj = load_geojson()
    out = {}
    if gj is None:
        return out
    for feat in gj["features"]:
        polys = feat["geometry"]["coordinates"]
        ring = max((p[0] for p in polys), key=lambda r: abs(_area(r)))
        arr = np.array(ring, dtype=float)
        xs = np.linspace(arr[:, 0].min(), arr[:, 0].max(), 40)
        ys = np.linspace(arr[:, 1].min(), arr[:, 1].max(), 40)
        best, where = -1.0, (float(arr[:, 0].mean()), float(arr[:, 1].mean()))
        for x in xs:
            for y in ys:
                if _inside(x, y, ring):
                    d = _seg_dist(x, y, arr)
                    if d > best:
                        best, where = d, (float(x), float(y))
        out[feat["properties"]["adcode"]] = where
    return out


def _area(ring) -> float:
    a = np.array(ring, dtype=float)
    return 0.5 * float(np.sum(a[:-1, 0] * a[1:, 1] - a[1:, 0] * a[:-1, 1]))


def county_map(df: pd.DataFrame, metric: str, *, title: str, value_label: str, higher_is_better: bool,
               label_col: str, focus: str | None = None, height: int = 460) -> go.Figure:
    """Choropleth of the counties (no tiles: go.Choropleth on the shipped GeoJSON, fitted to the
    counties) coloured by ``metric``; darker = better. The focus county gets a thick orange
    outline. ``df`` columns: district_code, ``label_col``, <metric>, <metric>_lo, <metric>_hi,
    <metric>_n, complaints."""
    gj = load_geojson()
    k = _scale(metric)
    fig = charts.new_figure(title, height=height)
    if gj is None:
        return fig
    d = df.copy()
    v = d[metric].astype(float) * k
    fmt = _fmt(metric)
    unit = "%" if k == 100 else ""
    text = [("—" if pd.isna(x) else format(x, fmt) + unit) for x in v]
    has = v.notna()
    cd = np.column_stack([d[label_col], text, (d[f"{metric}_lo"] * k).round(2), (d[f"{metric}_hi"] * k).round(2),
                          d[f"{metric}_n"].fillna(0).astype(int), d["district_code"]])
    # The text trace comes first on purpose: plotly.js downloads its world topojson from the CDN
    # when the FIRST geo trace has a locationmode (a choropleth always has one). With a
    # lon/lat trace first nothing is fetched, so the map draws offline from our GeoJSON alone.
    pts = label_points()
    text_of = dict(zip(d["district_code"], text))
    lab = d[d["district_code"].isin(pts)]
    fig.add_trace(go.Scattergeo(
        lon=[pts[c][0] for c in lab["district_code"]], lat=[pts[c][1] for c in lab["district_code"]],
        mode="text", text=[f"<b>{n}</b><br>{text_of[c]}" for n, c in zip(lab[label_col], lab["district_code"])],
        textfont=dict(size=11, color="#1f2933", shadow="0 0 3px #ffffff, 0 0 2px #ffffff"),
        hoverinfo="skip", showlegend=False, meta="markup"))
    fig.add_trace(go.Choropleth(
        geojson=gj, locations=d.loc[has, "district_code"], featureidkey="properties.adcode", z=v[has],
        colorscale=MAP_SCALE, reversescale=not higher_is_better,
        marker=dict(line=dict(color=[FOCUS if c == focus else "#ffffff" for c in d.loc[has, "district_code"]],
                              width=[4 if c == focus else 1.2 for c in d.loc[has, "district_code"]])),
        colorbar=dict(title=dict(text=value_label, side="right"), thickness=12, len=0.8, x=1.0),
        customdata=cd[has.to_numpy()],
        hovertemplate="%{customdata[0]}<br>" + value_label + ": %{customdata[1]}<br>95%: %{customdata[2]} – "
                      "%{customdata[3]}<br>n=%{customdata[4]}<extra></extra>",
        name=value_label))
    missing = d.loc[~has, "district_code"]
    if len(missing):
        fig.add_trace(go.Choropleth(
            geojson=gj, locations=missing, featureidkey="properties.adcode", z=[0] * len(missing),
            colorscale=[[0, "#eef1f5"], [1, "#eef1f5"]], showscale=False,
            marker=dict(line=dict(color="#ffffff", width=1.2)), customdata=cd[(~has).to_numpy()],
            hovertemplate="%{customdata[0]}: —<extra></extra>"))
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator", bgcolor="#ffffff")
    fig.update_layout(margin=dict(l=0, r=0, t=48, b=0), clickmode="event+select", dragmode=False,
                      showlegend=False)
    return fig


def bump_chart(hist: pd.DataFrame, *, title: str, label_col: str, rank_label: str, focus: str | None = None,
               n_units: int = 6) -> go.Figure:
    """Ranks over time: one line per county, rank 1 at the top; partial buckets labelled with *;
    thin vertical bars: 95% rank intervals; an open ring around a rank that moved beyond chance
    (its interval does not overlap the previous bucket's).

    ``hist``: rankings.rank_history columns bucket, partial, district_code, ``label_col``, rank, index,
    complaints, rank_lo, rank_hi, rank_moved."""
    fig = charts.new_figure(title, height=380)
    order = list(dict.fromkeys(hist["bucket"]))
    ticks = {b: (b + "*" if bool(p) else b) for b, p in zip(hist["bucket"], hist["partial"])}
    ends: dict[tuple, list] = {}
    for i, (code, g) in enumerate(hist.groupby("district_code", sort=True)):
        g = g.set_index("bucket").reindex(order)
        name = g[label_col].dropna().iloc[0] if g[label_col].notna().any() else code
        is_focus = focus is not None and code == focus
        dim = focus is not None and not is_focus
        color = charts.PALETTE[i % len(charts.PALETTE)]
        y = g["rank"].astype("Float64").astype(float)
        lo, hi = g["rank_lo"].astype(float), g["rank_hi"].astype(float)
        # the rank intervals, slightly offset per county so that they do not hide each other
        fig.add_scatter(
            x=[ticks[b] for b in order], y=y, mode="markers", showlegend=False, hoverinfo="skip",
            marker=dict(size=1, color=color, opacity=0), opacity=0.1 if dim else 0.35,
            error_y=dict(type="data", symmetric=False, array=(hi - y).fillna(0), arrayminus=(y - lo).fillna(0),
                         color=color, thickness=4, width=0))
        fig.add_scatter(
            x=[ticks[b] for b in order], y=y, mode="lines+markers+text", name=name,
            text=[("" if pd.isna(r) else str(int(r))) for r in y], textposition="middle center",
            textfont=dict(size=10, color="#ffffff"),
            line=dict(color=color, width=5 if is_focus else 3, shape="linear"),
            marker=dict(size=20 if is_focus else 17, color=color, line=dict(color="#ffffff", width=1)),
            opacity=0.3 if dim else 1.0, connectgaps=False,
            customdata=np.column_stack([g["index"].astype(float).round(1), g["complaints"].fillna(0).astype(int),
                                        lo.fillna(0).astype(int), hi.fillna(0).astype(int)]),
            hovertemplate=name + " %{x}<br>" + rank_label + ": %{y} (95%: %{customdata[2]}–%{customdata[3]})"
                                 "<br>%{customdata[0]} · n=%{customdata[1]}<extra></extra>")
        moved = g["rank_moved"].fillna(False).astype(bool).to_numpy()
        if moved.any():
            fig.add_scatter(x=[ticks[b] for b, m in zip(order, moved) if m], y=y[moved], mode="markers",
                            showlegend=False, hoverinfo="skip", opacity=0.3 if dim else 1.0,
                            marker=dict(size=28, color="rgba(0,0,0,0)", line=dict(color=color, width=3)))
        last = y.dropna()
        if len(last):
            ends.setdefault((last.index[-1], float(last.iloc[-1])), []).append((name, color))
    for (bucket, rank), who in ends.items():   # tied units share one label: "A / B"
        fig.add_annotation(x=ticks[bucket], y=rank, xanchor="left", xshift=14, showarrow=False,
                           text=" / ".join(f"<span style='color:{c}'>{n}</span>" for n, c in who),
                           font=dict(size=11))
    fig.update_yaxes(autorange=False, range=[n_units + 0.6, 0.4], dtick=1, title=rank_label, rangemode="normal",
                     showgrid=False)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=[ticks[b] for b in order])
    fig.update_layout(margin=dict(l=56, r=72, t=64, b=48), showlegend=False)
    return fig
