"""Plotly figures with the project's own template.

``import streamlit`` replaces Plotly's default template with one that exports black PNGs, so
every figure here sets ``template=TEMPLATE`` explicitly: white paper, CJK-capable fonts, a
colour-blind-safe palette. Figure builders take a DataFrame and labels and return a figure; they
never query data.
"""
from __future__ import annotations

import io

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from .figmemo import memo

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
PALETTE = ["#1f5fa8", "#e07b1a", "#2a9d8f", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#64b5cd",
           "#8c8c8c", "#ccb974"]
ODR_COLOR = "#2a9d8f"
TRAD_COLOR = "#1f5fa8"
PARTIAL_COLOR = "#b8c4d6"
MUTED = "#8c8c8c"

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=13, color="#1f2933"),
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        colorway=PALETTE,
        margin=dict(l=56, r=24, t=48, b=48),
        title=dict(font=dict(size=15), x=0, xanchor="left"),
        xaxis=dict(showgrid=False, linecolor="#c9d1db", ticks="outside", tickcolor="#c9d1db",
                   zeroline=False, automargin=True),
        yaxis=dict(gridcolor="#e6ebf1", zeroline=False, rangemode="tozero", automargin=True),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1, title=None),
        hoverlabel=dict(font=dict(family=FONT)),
        separators=".,",
    )
)
pio.templates["odr"] = TEMPLATE


def new_figure(title: str | None = None, height: int = 360) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, height=height, title=title)
    return fig


@memo
def weekly_bar(df: pd.DataFrame, *, title: str, y_label: str, partial_label: str, whole_label: str,
               odr_label: str, trad_label: str, split: bool = True, lang: str = "zh") -> go.Figure:
    """Weekly complaints: stacked ODR / traditional bars for whole weeks, partial weeks drawn in a
    pale hatched colour and labelled so they are never read as whole weeks. The category axis of
    ISO weeks (``2024-W10``) reads 第10周 / Week 10 under the bars, hovers 2024年第10周 / Week 10, 2024.

    ``df`` columns: week, week_start, complaints, odr, traditional, partial."""
    from . import fmt

    fig = new_figure(title)
    whole = df[~df["partial"]]
    part = df[df["partial"]]

    def hover(d, name: str | None):
        return dict(customdata=[fmt.week(w, lang) for w in d["week"]],
                    hovertemplate="%{customdata}<br>" + (name + ": " if name else "") + "%{y:,}<extra></extra>")

    if split:
        fig.add_bar(x=whole["week"], y=whole["traditional"], name=trad_label, marker_color=TRAD_COLOR,
                    **hover(whole, trad_label))
        fig.add_bar(x=whole["week"], y=whole["odr"], name=odr_label, marker_color=ODR_COLOR,
                    **hover(whole, odr_label))
    else:
        fig.add_bar(x=whole["week"], y=whole["complaints"], name=whole_label, marker_color=TRAD_COLOR,
                    **hover(whole, None))
    if len(part):
        fig.add_bar(x=part["week"], y=part["complaints"], name=partial_label,
                    marker=dict(color=PARTIAL_COLOR, pattern=dict(shape="/", fgcolor="#7d8fa9")),
                    **hover(part, partial_label))
    # the legend under the plot: on a phone a legend beside the title wraps over it
    fig.update_layout(barmode="stack", yaxis_title=y_label, xaxis_title=None, bargap=0.25, height=380,
                      legend=dict(orientation="h", yref="container", y=0, yanchor="bottom", xanchor="left", x=0),
                      margin=dict(b=96))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(df["week"]))
    fmt.week_category_ticks(fig, "x", list(df["week"]), lang, max_ticks=6)
    return fig


def to_png(fig: go.Figure, width: int = 1100, height: int | None = None, scale: float = 2, *,
           title: str | None = None, footer: list[str] | None = None) -> bytes:
    """Static PNG through kaleido (Debian's chromium), always with the project's template.

    ``title`` is drawn when the figure has none of its own (the page may show it above the chart
    instead). ``footer`` lines (ui/export.footer_lines: period and filters, source, as-of date and
    data version) are printed under the chart, and the image gets a white margin so the title
    never touches its edge. The figure passed in is not changed."""
    fig = export_figure(fig, title)
    h = height or fig.layout.height or 420
    png = fig.to_image(format="png", width=width, height=h, scale=scale)
    if not footer:
        return png
    return with_footer(png, footer, scale)


def export_figure(fig: go.Figure, title: str | None = None) -> go.Figure:
    """A copy of ``fig`` for export: the project template, and ``title`` when it has none."""
    fig = go.Figure(fig)
    fig.update_layout(template=TEMPLATE)
    if title and not (fig.layout.title and fig.layout.title.text):
        fig.update_layout(title=dict(text=title))
    if fig.layout.title and fig.layout.title.text:
        top = fig.layout.margin.t if fig.layout.margin.t is not None else TEMPLATE.layout.margin.t
        fig.update_layout(margin=dict(t=max(top, 56)))
    return fig


PNG_PAD = 24            # white margin around the exported chart (CSS px, times the scale)
PNG_FOOTER_FONT = 12    # footer text size (CSS px, times the scale)
PNG_FOOTER_COLOR = (92, 102, 115)
_FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
               "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
               "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf")


def _footer_font(size: int):
    from PIL import ImageFont
    import shutil
    import subprocess
    paths = list(_FONT_FILES)
    if shutil.which("fc-match"):
        try:
            paths.append(subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans CJK SC"], capture_output=True,
                                        text=True, timeout=5).stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    for p in paths:
        try:
            return ImageFont.truetype(p, size, index=2 if p.endswith(".ttc") else 0)   # .ttc index 2: SC
        except (OSError, ValueError):
            continue
    return ImageFont.load_default(size)


def _wrap(draw, text: str, font, width: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` pixels (at spaces where possible, else
    between any two characters: Chinese has no spaces)."""
    lines, cur = [], ""
    for ch in text:
        if draw.textlength(cur + ch, font=font) <= width or not cur:
            cur += ch
            continue
        cut = cur.rfind(" ")
        if cut > len(cur) // 2:
            lines.append(cur[:cut])
            cur = cur[cut + 1:] + ch
        else:
            lines.append(cur)
            cur = ch
    if cur:
        lines.append(cur)
    return lines


def with_footer(png: bytes, footer: list[str], scale: float = 2) -> bytes:
    """The chart image with a white margin around it and ``footer`` lines printed under it."""
    from PIL import Image, ImageDraw
    chart = Image.open(io.BytesIO(png)).convert("RGB")
    pad = round(PNG_PAD * scale)
    font = _footer_font(round(PNG_FOOTER_FONT * scale))
    probe = ImageDraw.Draw(chart)
    lines = [ln for text in footer for ln in _wrap(probe, text, font, chart.width)]
    line_h = round(PNG_FOOTER_FONT * scale * 1.6)
    gap = round(16 * scale)
    out = Image.new("RGB", (chart.width + 2 * pad, pad + chart.height + gap + line_h * len(lines) + pad),
                    (255, 255, 255))
    out.paste(chart, (pad, pad))
    draw = ImageDraw.Draw(out)
    y = pad + chart.height + gap // 2
    draw.line([(pad, y), (pad + chart.width, y)], fill=(201, 209, 219), width=max(1, round(scale / 2)))
    y += gap // 2
    for ln in lines:
        draw.text((pad, y), ln, font=font, fill=PNG_FOOTER_COLOR)
        y += line_h
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with BOM (Excel on Chinese Windows opens it), formula-like cells neutralised."""
    buf = io.StringIO()
    safe_frame(df).to_csv(buf, index=False)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out
