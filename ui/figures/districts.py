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
from ui.figmemo import memo

GEOJSON = Path(__file__).resolve().parent.parent.parent / "data" / "geo" / "zhangye_counties.geojson"
BETTER = "#2a9d8f"
WORSE = "#c44e52"
SAME = "#8c8c8c"
FEW = "#c9d1d9"        # too few cases: a value without an interval
FOCUS = "#e07b1a"


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


@memo
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


_POSITIONS = (("top center", 0, 1), ("bottom center", 0, -1), ("middle right", 1, 0), ("middle left", -1, 0),
              ("top right", 1, 1), ("top left", -1, 1), ("bottom right", 1, -1), ("bottom left", -1, -1))


def text_placement(xs, ys, texts, *, log_x: bool, width_px: float = 520.0, height_px: float = 260.0,
                   y_range: tuple[float, float] | None = None, marker_px: float = 7.0) -> list[tuple]:
    """For each point: (Plotly ``textposition``, label box, marker box) in pixels of an assumed plot
    area of ``width_px`` × ``height_px`` (a narrow column: on a wider one labels only get more
    room). Labels of the highest points are placed first, each at the first of eight positions
    around its point (top center preferred) that overlaps no other label and no marker; a label
    with no free spot keeps "top center"."""
    x = np.log10(np.maximum(np.asarray(xs, dtype=float), 1e-9)) if log_x else np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    if not len(x):
        return []
    xr = (x.min(), x.max()) if x.max() > x.min() else (x.min() - 1, x.max() + 1)
    yr = y_range or ((y.min(), y.max()) if y.max() > y.min() else (y.min() - 1, y.max() + 1))
    pad_x = (xr[1] - xr[0]) * 0.08
    px = (x - xr[0] + pad_x) / (xr[1] - xr[0] + 2 * pad_x) * width_px
    py = (y - yr[0]) / (yr[1] - yr[0]) * height_px
    marks = [(a - marker_px, b - marker_px, a + marker_px, b + marker_px) for a, b in zip(px, py)]
    placed: dict[int, tuple] = {}
    out = [("top center", None, m) for m in marks]
    for i in sorted(range(len(x)), key=lambda j: -py[j]):
        w, h = _text_px(str(texts[i])) + 4, LABEL_FONT + 4
        for name, dx, dy in _POSITIONS:
            cx = px[i] + dx * (marker_px + 2 + w / 2)
            cy = py[i] + dy * (marker_px + 2 + h / 2)
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if box[0] < -20 or box[2] > width_px + 20:
                continue
            others = [m for k, m in enumerate(marks) if k != i] + list(placed.values())
            if all(box[2] <= o[0] or box[0] >= o[2] or box[3] <= o[1] or box[1] >= o[3] for o in others):
                placed[i] = box
                out[i] = (name, box, marks[i])
                break
        else:
            cx, cy = px[i], py[i] + marker_px + 2 + h / 2
            out[i] = ("top center", (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), marks[i])
    return out


def text_positions(xs, ys, texts, **kw) -> list[str]:
    """The Plotly ``textposition`` of each point's label (:func:`text_placement`)."""
    return [p for p, _, _ in text_placement(xs, ys, texts, **kw)]


@memo
def funnel_chart(df: pd.DataFrame, limits: pd.DataFrame, metric: str, *, title: str, x_label: str, y_label: str,
                 label_col: str, labels: dict, focus: str | None = None, log_x: bool = True,
                 lang: str = "zh") -> go.Figure:
    """Funnel plot: each unit's value against its exposure (population, stores or the
    denominator), the city average and 95% / 99.8% control limits around it. Up to 12 units are
    labelled, each label placed clear of the others (:func:`text_positions`); more are named in
    the hover only. The log exposure axis has readable, localized ticks (fmt.log_ticks: 10万 /
    100,000).

    ``limits``: rankings.funnel columns exposure, lo_95, hi_95, lo_998, hi_998, city.
    ``labels``: keys l95, l998, city, better, worse, same."""
    from ui import fmt
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
    yrange = None
    if metric not in ("per_100k", "returns_per_store") and len(d):
        lo = min(float((d[metric] * k).min()), float((limits["lo_998"] * k).min()) if len(limits) else 100)
        if k == 100:
            yrange = (max(0, lo - 5), 102.0)
    with_text = len(d) <= 12
    if with_text:
        ys = d[metric] * k
        yr = yrange or (min(0.0, float(ys.min())), float(ys.max()) * 1.08)
        pos = dict(zip(d.index, text_positions(d[f"{metric}_den"], ys, list(d[label_col]), log_x=log_x,
                                               y_range=yr)))
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
            x=sel[f"{metric}_den"], y=sel[metric] * k, mode="markers+text" if with_text else "markers",
            name=labels[key], text=sel[label_col] if with_text else None,
            textposition=[pos[i] for i in sel.index] if with_text else None,
            textfont=dict(size=LABEL_FONT, color="#1f2933"), cliponaxis=False,
            marker=dict(color=color, size=np.where(foc, 14, 10),
                        line=dict(color=np.where(foc, FOCUS, "#ffffff"), width=np.where(foc, 3, 1))),
            customdata=np.column_stack([sel[label_col], sel[f"{metric}_num"].fillna(0)]),
            hovertemplate="%{customdata[0]}<br>" + y_label + ": %{y:" + _fmt(metric) + "}<br>" + x_label +
                          ": %{x:,.0f}<extra></extra>")
    fig.update_layout(xaxis_title=x_label, yaxis_title=y_label, margin=dict(l=56, r=24, t=56, b=110),
                      legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0))
    fig.update_xaxes(type="log" if log_x else "linear", showgrid=True, gridcolor="#f0f3f7")
    xs = pd.concat([limits["exposure"] if len(limits) else pd.Series(dtype=float), d[f"{metric}_den"]])
    xs = xs[xs > 0]
    if log_x and len(xs):
        tv, tt = fmt.log_ticks(float(xs.min()), float(xs.max()), lang)
        fig.update_xaxes(tickvals=tv, ticktext=tt)
    if yrange is not None:
        fig.update_yaxes(range=list(yrange), rangemode="normal")
    return fig


# --- map ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def load_geojson() -> dict | None:
    """The shipped county boundaries (data/geo/zhangye_counties.geojson), or None when missing."""
    if not GEOJSON.exists():
        return None
    return json.loads(GEOJSON.read_text(encoding="utf-8"))


def _inside_many(x: np.ndarray, y: np.ndarray, ring) -> np.ndarray:
    """Even-odd ray casting of many points at once against one closed ring."""
    r = np.asarray(ring, dtype=float)
    x1, y1, x2, y2 = r[:-1, 0], r[:-1, 1], r[1:, 0], r[1:, 1]
    x, y = np.asarray(x, dtype=float)[:, None], np.asarray(y, dtype=float)[:, None]
    crosses = (y1 > y) != (y2 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xint = (x2 - x1) * (y - y1) / (y2 - y1) + x1
    return ((crosses & (x < xint)).sum(axis=1) % 2) == 1


def _inside(x: float, y: float, ring) -> bool:
    return bool(_inside_many(np.array([x]), np.array([y]), ring)[0])


def _dist_many(px: np.ndarray, py: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Distance of each point to the nearest edge of ``ring``."""
    a, b = ring[:-1], ring[1:]
    ab = b - a
    P = np.column_stack([px, py])[:, None, :]
    ap = P - a[None]
    L2 = (ab ** 2).sum(axis=1)
    t = np.clip((ap * ab[None]).sum(axis=2) / np.where(L2 > 0, L2, 1), 0, 1)
    proj = a[None] + ab[None] * t[:, :, None]
    return np.sqrt(((proj - P) ** 2).sum(axis=2)).min(axis=1)


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
        gx, gy = np.meshgrid(np.linspace(arr[:, 0].min(), arr[:, 0].max(), 40),
                             np.linspace(arr[:, 1].min(), arr[:, 1].max(), 40))
        gx, gy = gx.ravel(), gy.ravel()
        ins = _inside_many(gx, gy, arr)
        if ins.any():
            dist = _dist_many(gx[ins], gy[ins], arr)
            i = int(np.argmax(dist))
            where = (float(gx[ins][i]), float(gy[ins][i]))
        else:
            where = (float(arr[:, 0].mean()), float(arr[:, 1].mean()))
        out[feat["properties"]["adcode"]] = where
    return out


def _area(ring) -> float:
    a = np.array(ring, dtype=float)
    return 0.5 * float(np.sum(a[:-1, 0] * a[1:, 1] - a[1:, 0] * a[:-1, 1]))


# Diverging around the city value: green = better, red = worse, near-white = about the city.
# Medium tones at the ends so that black labels with a white halo stay readable on top.
MAP_BETTER, MAP_MID, MAP_WORSE = "#5bb3a6", "#f4f4f1", "#d9656a"
LABEL_FONT = 11


def _text_px(line: str) -> float:
    """Rough width in pixels of one label line at LABEL_FONT (CJK glyphs are about square)."""
    return sum(LABEL_FONT * (1.0 if ord(ch) > 0x2e80 else 0.58) for ch in line)


@lru_cache(maxsize=1)
def _shapes() -> dict[str, list[np.ndarray]]:
    """Exterior rings of every county, in the map's plane (lon · cos φ0, lat)."""
    gj = load_geojson()
    if gj is None:
        return {}
    lat0 = np.radians(39.0)
    out = {}
    for feat in gj["features"]:
        rings = []
        for poly in feat["geometry"]["coordinates"]:
            a = np.array(poly[0], dtype=float)
            rings.append(np.column_stack([a[:, 0] * np.cos(lat0), a[:, 1]]))
        out[feat["properties"]["adcode"]] = rings
    return out


def _in_county(code: str, x: float, y: float) -> bool:
    """Whether a point of the map's plane lies in the county."""
    return any(_inside(x, y, r) for r in _shapes().get(code, []))


@lru_cache(maxsize=1)
def _grid() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], tuple[float, float, float, float]]:
    """Candidate label centres (a grid over the counties' extent in the map's plane), which county
    each lies in, and the extent."""
    shapes = _shapes()
    allp = np.vstack([r for rings in shapes.values() for r in rings])
    (x0, y0), (x1, y1) = allp.min(axis=0), allp.max(axis=0)
    gx, gy = np.meshgrid(np.linspace(x0, x1, 64), np.linspace(y0, y1, 44))
    gx, gy = gx.ravel(), gy.ravel()
    inside = {c: np.any([_inside_many(gx, gy, r) for r in rings], axis=0) for c, rings in shapes.items()}
    return gx, gy, inside, (float(x0), float(y0), float(x1), float(y1))


@lru_cache(maxsize=64)
def label_layout(labels: tuple, width_px: float = 420.0, height_px: float = 400.0) -> dict:
    """Where each county's label goes so that no two labels overlap: ``labels`` is a tuple of
    (code, text) with lines separated by ``<br>``. Each label starts at its county's label point
    (:func:`label_points`) and moves, when it would overlap a label already placed, to the nearest
    free spot inside its own county, else outside it with a leader line back to its label point.
    Small counties are placed first (they have the least room). The map is assumed to be fitted
    into ``width_px`` × ``height_px`` (the plot area of a narrow column or a phone: on a wider
    screen labels only get more room).

    Returns code -> (lon, lat of the label centre, lon, lat of the label point, needs a leader)."""
    shapes, pts = _shapes(), label_points()
    if not shapes:
        return {}
    cos0 = float(np.cos(np.radians(39.0)))
    gx, gy, inside, (x0, y0, x1, y1) = _grid()
    scale = min(width_px / (x1 - x0), height_px / (y1 - y0))          # pixels per unit of the plane
    area = {c: sum(abs(_area(r.tolist())) for r in rings) for c, rings in shapes.items()}
    boxes = np.empty((0, 4))
    out = {}
    for code, text in sorted(labels, key=lambda kv: area.get(kv[0], 0.0)):
        if code not in pts:
            continue
        lines = text.split("<br>")
        w = (max(_text_px(ln) for ln in lines) + 6) / scale
        h = (len(lines) * (LABEL_FONT + 3) + 2) / scale
        ax, ay = pts[code][0] * cos0, pts[code][1]

        def free(cx, cy):
            cx, cy = np.atleast_1d(cx)[:, None], np.atleast_1d(cy)[:, None]
            hit = ~((cx + w / 2 < boxes[:, 0]) | (cx - w / 2 > boxes[:, 2]) |
                    (cy + h / 2 < boxes[:, 1]) | (cy - h / 2 > boxes[:, 3]))
            return ~hit.any(axis=1)

        cx, cy = ax, ay
        if not free(ax, ay)[0]:
            ok = free(gx, gy) & (gx >= x0 + w / 2) & (gx <= x1 - w / 2) & (gy >= y0 + h / 2) & (gy <= y1 - h / 2)
            if ok.any():
                own = inside.get(code, np.zeros_like(gx, dtype=bool))
                cost = np.hypot(gx - ax, gy - ay) + np.where(own, 0.0, 0.6 * (y1 - y0))
                i = int(np.argmin(np.where(ok, cost, np.inf)))
                cx, cy = float(gx[i]), float(gy[i])
        boxes = np.vstack([boxes, [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]])
        leader = (cx, cy) != (ax, ay) and not _in_county(code, cx, cy)
        out[code] = (float(cx / cos0), float(cy), float(ax / cos0), float(ay), bool(leader))
    return out


def _map_ticks(lo: float, hi: float, metric: str, lang: str) -> tuple[list[float], list[str]]:
    from ui import fmt
    ticks = [v for v in fmt.nice_ticks(lo, hi, 4) if lo - 1e-9 <= v <= hi + 1e-9]
    if metric in ("closure_rate", "on_time_rate", "odr_share"):
        text = [fmt.num(v, 0 if float(v).is_integer() else 1) + "%" for v in ticks]
    elif metric in ("median_days", "returns_per_store"):
        text = [fmt.num(v, 0 if float(v).is_integer() else 2) for v in ticks]
    else:
        text = [fmt.tick_text(v, lang) for v in ticks]
    return ticks, text


@memo
def county_map(df: pd.DataFrame, metric: str, *, title: str, value_label: str, higher_is_better: bool,
               label_col: str, city: float | None = None, worse_label: str = "", lang: str = "zh",
               value_text: list | None = None, focus: str | None = None, height: int = 460) -> go.Figure:
    """Choropleth of the counties (no tiles: go.Choropleth on the shipped GeoJSON, fitted to the
    counties) coloured by ``metric`` on a diverging scale centred on the ``city`` value: the worse
    (by the metric's direction), the redder; the better, the greener. The colour bar's ticks are
    localized and its title says which way is worse (``worse_label``). Labels (name and value,
    ``value_text`` or a plain number) never overlap (:func:`label_layout`); a label moved out of its
    county has a leader line. The focus county gets a thick orange outline. ``df`` columns:
    district_code, ``label_col``, <metric>, <metric>_lo, <metric>_hi, <metric>_n."""
    gj = load_geojson()
    k = _scale(metric)
    fig = charts.new_figure(title, height=height)
    if gj is None:
        return fig
    d = df.reset_index(drop=True)
    v = d[metric].astype(float) * k
    fmt_ = _fmt(metric)
    unit = "%" if k == 100 else ""
    text = list(value_text) if value_text is not None else \
        [("—" if pd.isna(x) else format(x, fmt_) + unit) for x in v]
    has = v.notna()
    cd = np.column_stack([d[label_col], text, (d[f"{metric}_lo"] * k).round(2), (d[f"{metric}_hi"] * k).round(2),
                          d[f"{metric}_n"].fillna(0).astype(int), d["district_code"]])
    # The text trace comes first on purpose: plotly.js downloads its world topojson from the CDN
    # when the FIRST geo trace has a locationmode (a choropleth always has one). With a
    # lon/lat trace first nothing is fetched, so the map draws offline from our GeoJSON alone.
    pts = label_points()
    text_of = dict(zip(d["district_code"], text))
    name_of = dict(zip(d["district_code"], d[label_col]))
    codes = [c for c in d["district_code"] if c in pts]
    place = label_layout(tuple((c, f"{name_of[c]}<br>{text_of[c]}") for c in codes))
    lead = [c for c in codes if place[c][4]]
    if lead:     # leader lines from the county to a label that had to move out of it (one trace)
        lon, lat = [], []
        for c in lead:
            lon += [place[c][2], place[c][0], None]
            lat += [place[c][3], place[c][1], None]
        fig.add_trace(go.Scattergeo(lon=lon, lat=lat, mode="lines", line=dict(color="#52606d", width=1),
                                    hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scattergeo(
        lon=[place[c][0] for c in codes], lat=[place[c][1] for c in codes],
        mode="text", text=[f"<b>{name_of[c]}</b><br>{text_of[c]}" for c in codes],
        textfont=dict(size=LABEL_FONT, color="#1f2933", shadow="0 0 3px #ffffff, 0 0 2px #ffffff"),
        hoverinfo="skip", showlegend=False, meta="markup"))
    z = v[has]
    scale = [[0.0, MAP_WORSE], [0.5, MAP_MID], [1.0, MAP_BETTER]] if higher_is_better else \
        [[0.0, MAP_BETTER], [0.5, MAP_MID], [1.0, MAP_WORSE]]
    mid = float(city) * k if city is not None and not pd.isna(city) else float(z.median()) if len(z) else 0.0
    half = float(max(abs(z - mid).max(), 1e-9)) if len(z) else 1.0
    tv, tt = _map_ticks(mid - half, mid + half, metric, lang)
    cb_title = value_label + (f"<br><span style='font-size:11px;color:{MAP_WORSE}'>{worse_label}"
                              f" {'↓' if higher_is_better else '↑'}</span>" if worse_label else "")
    fig.add_trace(go.Choropleth(
        geojson=gj, locations=d.loc[has, "district_code"], featureidkey="properties.adcode", z=z,
        colorscale=scale, zmin=mid - half, zmax=mid + half,
        marker=dict(line=dict(color=[FOCUS if c == focus else "#ffffff" for c in d.loc[has, "district_code"]],
                              width=[4 if c == focus else 1.2 for c in d.loc[has, "district_code"]])),
        colorbar=dict(title=dict(text=cb_title, side="top"), thickness=12, len=0.75, x=1.0,
                      tickvals=tv, ticktext=tt),
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


def bucket_labels(buckets, partial, lang: str) -> dict[str, str]:
    """Readable names of rank_history buckets (``2024-03`` / ``2024-W10``): 2023年8月, 9月 … /
    Aug 2023, Sep …; 2024年第10周, 第11周 … / Week 10, 2024, Week 11 …; the year on the first
    label and where it changes; a partial bucket gets a *."""
    from ui import fmt
    out, last_year = {}, None
    part = dict(zip(buckets, partial))
    for b in dict.fromkeys(buckets):
        b = str(b)
        week = "-W" in b
        year = fmt.iso_week(b)[0] if week else int(b[:4])
        show = year != last_year
        last_year = year
        label = fmt.week(b, lang, year=show) if week else fmt.month(b, lang, year=show)
        out[b] = label + ("*" if bool(part.get(b)) else "")
    return out


@memo
def bump_chart(hist: pd.DataFrame, *, title: str, label_col: str, rank_label: str, focus: str | None = None,
               n_units: int = 6, lang: str = "zh") -> go.Figure:
    """Ranks over time: one line per county, rank 1 at the top; buckets named in ``lang``
    (:func:`bucket_labels`), partial ones with *; thin vertical bars: 95% rank intervals; an open
    ring around a rank that moved beyond chance (its interval does not overlap the previous
    bucket's).

    ``hist``: rankings.rank_history columns bucket, partial, district_code, ``label_col``, rank, index,
    complaints, rank_lo, rank_hi, rank_moved."""
    fig = charts.new_figure(title, height=380)
    order = list(dict.fromkeys(hist["bucket"]))
    ticks = bucket_labels(list(hist["bucket"]), list(hist["partial"]), lang)
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
