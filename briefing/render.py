"""The briefing as HTML, Word (.docx, python-docx) and PDF (the HTML printed by headless Chromium,
which embeds the Noto CJK fonts).

Charts are built by the pages' figure functions (ui.figures.*) on the project template and
exported to PNG by ui.charts.to_png (kaleido), exactly like the app's PNG download. Every text
is escaped: data values (category, district names) are never interpreted as HTML.
"""
from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import pandas as pd

from ui import charts
from ui.figures import programmes as FP
from ui.figures import trends as FT

from . import text as X

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-component-update", "--disable-background-networking"]
RED = "#b3150f"
SERIF = "'Noto Serif CJK SC', 'Source Han Serif SC', 'SimSun', serif"
SANS = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"

# --- charts -----------------------------------------------------------------------------------------

_EVENTS = pd.DataFrame(columns=["event", "year", "start", "end"])


def figures(facts: dict, lang: str) -> list[tuple[str, object, int, int]]:
    """(key, figure, width px, height px) of the briefing's charts, Chinese (or English) labels."""
    tr = X.tr
    out = []
    s = pd.DataFrame(facts["series"])
    if len(s):
        labels = {"count": tr("chart.count", lang), "partial": tr("chart.partial", lang),
                  "high": tr("chart.high", lang), "low": tr("chart.low", lang),
                  "expected": tr("chart.expected", lang), "ma4": tr("chart.ma4", lang),
                  "last_year": tr("chart.last_year", lang), "y": tr("chart.y", lang)}
        conf = X.fmt_pct(facts["volume"]["band_conf"], 0)     # the trends model's prediction band
        labels["band"] = tr("chart.band99", lang, conf=conf)
        title = tr("chart.band99.title", lang, conf=conf, n=len(s))
        fig = FT.band_chart(s, title=title, labels=labels, events=_EVENTS,
                            event_names={}, selected=facts["week"]["label"], height=360, lang=lang)
        fig.update_layout(font=dict(size=16), title=dict(font=dict(size=18)))
        out.append(("weekly", fig, 1100, 380))
    rows = pd.DataFrame(facts["categories"].get("rows") or [])
    if len(rows):
        names = {v: X.value_name(v, "category", lang) for v in rows["value"]}
        prev = None if facts["week"]["partial"] else tr("chart.prev", lang)
        fig = FT.composition_chart(rows, title=tr("chart.category", lang), names=names,
                                   this_label=tr("chart.this", lang), prev_label=prev, n=10)
        fig.update_layout(font=dict(size=17), title=dict(font=dict(size=18)), height=520)
        out.append(("categories", fig, 640, 520))
    o = facts["overdue"]["by_district"]
    if o:
        d = sorted(o, key=lambda r: r["overdue_open"])
        fig = FP.hbar([X.district_name(r, lang, short=True) for r in d], [r["overdue_open"] for r in d],
                      [X.fmt_int(r["overdue_open"]) for r in d],
                      title=tr("chart.overdue", lang, as_of=X.fmt_date(facts["overdue"]["as_of"], lang)),
                      x_label=tr("chart.overdue.x", lang), color="#c44e52")
        fig.update_layout(font=dict(size=17), title=dict(font=dict(size=18)), height=520)
        if max(r["overdue_open"] for r in d) <= 8:
            fig.update_xaxes(dtick=1)
        out.append(("overdue", fig, 640, 520))
    return out


def chart_pngs(facts: dict, lang: str) -> dict[str, bytes]:
    """The charts as PNG (ui.charts.to_png, the app's PNG export)."""
    return {key: charts.to_png(fig, width=w, height=h, scale=2) for key, fig, w, h in figures(facts, lang)}


# --- HTML -------------------------------------------------------------------------------------------

CSS = f"""
@page {{ size: A4; margin: 18mm 18mm 16mm 18mm; }}
* {{ box-sizing: border-box; }}
html {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ font-family: {SERIF}; font-size: 10.5pt; line-height: 1.62; color: #111; margin: 0 auto;
        max-width: 174mm; padding: 6mm 0; background: #fff; }}
.masthead {{ text-align: center; color: {RED}; font-family: {SERIF}; font-weight: 700; font-size: 24pt;
             letter-spacing: 0.08em; margin: 0 0 1.5mm; }}
.week {{ text-align: center; font-family: {SANS}; font-size: 12pt; margin: 0 0 2mm; }}
.rule {{ border: 0; border-top: 2.2px solid {RED}; margin: 0 0 0.6mm; }}
.rule2 {{ border: 0; border-top: 0.6px solid {RED}; margin: 0 0 2.5mm; }}
.meta {{ font-family: {SANS}; font-size: 9pt; color: #444; display: flex; justify-content: space-between; }}
.sample {{ font-family: {SANS}; font-size: 9pt; color: {RED}; margin: 1mm 0 0; }}
h2 {{ font-family: {SANS}; font-size: 11.5pt; font-weight: 700; margin: 3mm 0 0.8mm; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; }}
body.en p {{ text-indent: 0; margin-bottom: 1mm; }}
body.en .masthead {{ font-size: 19pt; letter-spacing: 0; }}
figure {{ margin: 2mm 0 0; break-inside: avoid; }}
figure img {{ width: 100%; display: block; }}
.pair {{ display: flex; gap: 4mm; break-inside: avoid; }}
.pair figure {{ flex: 1 1 0; }}
.method {{ border-top: 0.6px solid #999; margin-top: 3mm; padding-top: 1.2mm; font-size: 8.5pt;
           line-height: 1.5; color: #333; break-inside: avoid; }}
.method h3 {{ font-family: {SANS}; font-size: 9pt; margin: 0 0 0.5mm; }}
.method ol {{ margin: 0; padding-left: 5mm; }}
.link {{ font-family: {SANS}; font-size: 8.5pt; margin-top: 1.2mm; word-break: break-all; }}
.link a {{ color: #1f5fa8; }}
"""


def _img(png: bytes, alt: str) -> str:
    return (f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode()}"></figure>')


def to_html(facts: dict, lang: str = "zh", pngs: dict[str, bytes] | None = None) -> str:
    """A self-contained HTML document (charts inline as PNG)."""
    doc = X.compose(facts, lang)
    pngs = chart_pngs(facts, lang) if pngs is None else pngs
    e = html.escape
    h = doc["head"]
    parts = [f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
             f"<title>{e(h['title'])} · {e(facts['week']['label'])}</title><style>{CSS}</style></head>",
             f'<body class="{lang}">',
             f'<div class="masthead">{e(h["title"])}</div>',
             f'<div class="week">{e(h["week"])}</div>',
             '<hr class="rule"><hr class="rule2">',
             f'<div class="meta"><span>{e(h["meta"])}</span><span>{e(facts["week"]["label"])}</span></div>']
    if h["sample"]:
        parts.append(f'<div class="sample">{e(h["sample"])}</div>')
    titles = {k: (fig.layout.title.text or k) for k, fig, _, _ in figures(facts, lang)} if pngs else {}
    for i, (head, sentences) in enumerate(doc["sections"]):
        parts.append(f"<h2>{e(head)}</h2>")
        parts.append(f"<p>{e(X.paragraph(sentences, lang))}</p>")
        if i == 0 and "weekly" in pngs:
            parts.append(_img(pngs["weekly"], titles.get("weekly", "")))
    if "categories" in pngs or "overdue" in pngs:
        pair = [_img(pngs[k], titles.get(k, "")) for k in ("categories", "overdue") if k in pngs]
        parts.append('<div class="pair">' + "".join(pair) + "</div>")
    parts.append(f'<div class="method"><h3>{e(doc["method_title"])}</h3><ol>'
                 + "".join(f"<li>{e(s)}</li>" for s in doc["method"]) + "</ol>"
                 + f'<div class="link">{e(doc["link"].replace(doc["url"], ""))}'
                 + f'<a href="{e(doc["url"])}">{e(doc["url"])}</a></div></div>')
    parts.append("</body></html>")
    return "\n".join(parts)


# --- PDF --------------------------------------------------------------------------------------------

def to_pdf(html_text: str) -> bytes:
    """The HTML printed to an A4 PDF by headless Chromium (fonts embedded), page numbers below."""
    from playwright.sync_api import sync_playwright
    footer = ('<div style="width:100%;text-align:center;font-size:8pt;color:#666;'
              "font-family:'Noto Sans CJK SC',sans-serif\">"
              '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content(html_text, wait_until="load")
            page.emulate_media(media="print")
            return page.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                            display_header_footer=True, header_template="<div></div>", footer_template=footer,
                            margin={"top": "18mm", "bottom": "16mm", "left": "18mm", "right": "18mm"})
        finally:
            browser.close()


# --- Word -------------------------------------------------------------------------------------------

def _font(run, name_east: str, name_west: str, size: float | None = None, bold: bool = False, color=None):
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor
    run.font.name = name_west
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name_east)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color.lstrip("#").upper())


def to_docx(facts: dict, lang: str = "zh", pngs: dict[str, bytes] | None = None) -> bytes:
    """The briefing as a Word document (A4, 仿宋/黑体 as Chinese officials use, editable text)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc_text = X.compose(facts, lang)
    pngs = chart_pngs(facts, lang) if pngs is None else pngs
    body_east = "仿宋" if lang == "zh" else "Times New Roman"
    head_east = "黑体" if lang == "zh" else "Arial"
    title_east = "方正小标宋简体" if lang == "zh" else "Times New Roman"

    d = Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(2.0), Cm(1.8)
    sec.left_margin = sec.right_margin = Cm(2.0)
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), body_east)
    h = doc_text["head"]

    def para(text="", *, align=None, east=body_east, west="Times New Roman", size=11, bold=False, color=None,
             indent=True, space_after=2):
        p = d.add_paragraph()
        if align is not None:
            p.alignment = align
        pf = p.paragraph_format
        pf.space_after = Pt(space_after)
        pf.space_before = Pt(0)
        pf.line_spacing = 1.35
        if indent and lang == "zh":
            pf.first_line_indent = Pt(size * 2)
        if text:
            _font(p.add_run(text), east, west, size, bold, color)
        return p

    para(h["title"], align=WD_ALIGN_PARAGRAPH.CENTER, east=title_east, size=22, bold=True, color=RED,
         indent=False, space_after=4)
    para(h["week"], align=WD_ALIGN_PARAGRAPH.CENTER, east=head_east, west="Arial", size=12, indent=False)
    rule = para(indent=False, space_after=4)
    pbdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("val", "thickThinSmallGap"), ("sz", "18"), ("space", "1"), ("color", RED.lstrip("#"))):
        bottom.set(qn(f"w:{k}"), v)
    pbdr.append(bottom)
    rule._p.get_or_add_pPr().append(pbdr)
    para(f"{h['meta']} · {facts['week']['label']}", east=head_east, west="Arial", size=9, indent=False)
    if h["sample"]:
        para(h["sample"], east=head_east, west="Arial", size=9, color=RED, indent=False)

    def picture(key: str, width_cm: float, cell=None):
        if key not in pngs:
            return
        target = cell.paragraphs[0] if cell is not None else para(indent=False)
        target.alignment = WD_ALIGN_PARAGRAPH.CENTER
        target.add_run().add_picture(io.BytesIO(pngs[key]), width=Cm(width_cm))

    for i, (head, sentences) in enumerate(doc_text["sections"]):
        para(head, east=head_east, west="Arial", size=12, bold=True, indent=False, space_after=1)
        para(X.paragraph(sentences, lang))
        if i == 0:
            picture("weekly", 16.5)
    if "categories" in pngs or "overdue" in pngs:
        keys = [k for k in ("categories", "overdue") if k in pngs]
        table = d.add_table(rows=1, cols=len(keys))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for k, cell in zip(keys, table.rows[0].cells):
            picture(k, 8.0 if len(keys) == 2 else 12.0, cell)
    para(doc_text["method_title"], east=head_east, west="Arial", size=9.5, bold=True, indent=False, space_after=0)
    for n, s in enumerate(doc_text["method"], 1):
        para(f"{n}. {s}", size=8.5, indent=False, space_after=0)
    para(doc_text["link"], east=head_east, west="Arial", size=8.5, indent=False)
    buf = io.BytesIO()
    core = d.core_properties
    core.title = f"{h['title']} {facts['week']['label']}"
    core.author = X.city(lang)
    d.save(buf)
    return buf.getvalue()


# --- files ------------------------------------------------------------------------------------------

def file_stem(facts: dict, lang: str) -> str:
    return f"briefing_{facts['week']['label']}" + ("_partial" if facts["week"]["partial"] else "") + \
        ("" if lang == "zh" else "_en")


def write_all(facts: dict, out_dir, lang: str = "zh") -> dict[str, Path]:
    """Write the .docx, .pdf and .html of the briefing into ``out_dir``; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pngs = chart_pngs(facts, lang)
    stem = file_stem(facts, lang)
    page = to_html(facts, lang, pngs)
    paths = {"docx": out / f"{stem}.docx", "pdf": out / f"{stem}.pdf", "html": out / f"{stem}.html"}
    paths["html"].write_text(page, encoding="utf-8")
    paths["docx"].write_bytes(to_docx(facts, lang, pngs))
    paths["pdf"].write_bytes(to_pdf(page))
    return paths


__all__ = ["to_html", "to_docx", "to_pdf", "write_all", "chart_pngs", "figures"]
