"""Walk the dashboard's pages in Chromium and report everything a reader would trip over (issue #17).

Usage (standalone, no pytest needed)::

    python tests/browser/walkcheck.py --url http://127.0.0.1:8631 \\
        --pages overview trends --langs zh en --widths 1280 1400 390 [--shots DIR] [--db data/odr.duckdb]

Every page × language × width is opened in a fresh browser context, waited for (script run
finished, every Plotly chart and data grid drawn) and checked; ALL violations are printed, one a
line, as ``page lang width: kind: detail``; the exit status is 1 when there is any. Kinds:

- ``scroll-page`` / ``scroll-table`` / ``scroll`` / ``scroll-sidebar``: sideways scrolling of the page,
  a data grid (st.dataframe), a st.table or any other scrolling box (code blocks are exempt);
- ``cut``: text cut off (ellipsis or clipped: metric labels/values/deltas, inputs such as the date
  inputs, labels with ``text-overflow: ellipsis``), chart texts drawn outside their chart;
- ``toolbar``: a chart's toolbar overlaps its title;
- ``en-month`` / ``si-suffix`` / ``date-form`` (Chinese pages): English month names or k/M/G/B
  numbers in chart ticks, legends or annotations; date-axis ticks not written with 年/月/周/日;
- ``chinese`` (English pages): Chinese characters in visible text (main pane, sidebar, chart text)
  that are not data values. Data values are the free-text names in the database given by ``--db``
  (merchants, stores, townships, demonstration units, sub-categories, file names — see
  :data:`DATA_COLUMNS`) and the SQL console's result (query output, printed as the database holds it); fixed vocabularies (status, outcome, channel, category) and district
  names have English names and are violations. Without a database every Chinese run is reported;
- ``iso-date``: a raw ISO date, timestamp, month or week (2024-03-14, 2024-W10) in the main pane
  or sidebar text (dates go through ui/fmt.py);
- ``missing-word``: "None", "nan", "NaN", "NaT" or "undefined" on screen (both languages).

Canvas data grids (st.dataframe) draw their cells on a canvas; their cells are not read here
(only their width is checked). ``walk()`` / ``check_page()`` are used by tests/browser/test_walk.py.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = os.environ.get("ODR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ALL_PAGES = ["overview", "trends", "resolution", "programmes", "districts", "briefing", "explore", "sql",
             "methodology"]
DEFAULT_PAGE = "overview"          # served at "/"

# free-text data columns whose Chinese values may appear in English mode (table, column)
DATA_COLUMNS = [
    ("merchants", "name"), ("merchants", "township"), ("townships", "name"),
    ("complaints", "merchant_name"), ("complaints", "township"), ("complaints", "subcategory"),
    ("returns", "store_name"), ("demo_units", "name"), ("import_log", "file_name"),
    ("complaints", "source"), ("returns", "source"), ("demo_units", "source"),
]
# a table scrolling sideways inside its own frame is reported from this viewport width up (0: always;
# e.g. 600 would accept a wide table scrolling within itself on a phone, never the page)
TABLE_SCROLL_FROM = 0
# shown in English mode on purpose: the language selector names Chinese in Chinese
ALLOWED_EN = {"中文"}

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)(uary|ruary|ch|il|e|y|ust|tember|ober|"
                    r"ember)?\b")
SI = re.compile(r"(?<![\w.])[-−]?\d+(?:\.\d+)?\s?[kMGB]\b")
MISSING = re.compile(r"(?<![\w.])(None|nan|NaN|NaT|undefined)(?![\w])")
ZH_DATE = re.compile(r"[年月周日]")
ISO = re.compile(r"(?<![\w-])(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?|\d{4}-W\d{1,2}|\d{4}-\d{2}(?![\d-]))(?![\w-])")


@dataclass(frozen=True)
class Violation:
    page: str
    lang: str
    width: int
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.page} {self.lang} {self.width}: {self.kind}: {self.detail}"


# --- data values (English mode) -------------------------------------------------------------------

class DataValues:
    """The Chinese runs of the database's free-text values: a run on an English page is a data value
    when it equals one of them (runs of 1–2 characters) or is part of one (longer runs: names are
    shortened in charts)."""

    def __init__(self, db: str | os.PathLike | None):
        self.runs: set[str] = set()
        self.text = ""
        self.source = None
        if not db or not Path(db).exists():
            return
        import duckdb
        tmp = None
        try:
            try:
                con = duckdb.connect(str(db), read_only=True)
            except duckdb.Error:        # held by a writer: read a copy
                tmp = tempfile.mkdtemp(prefix="walkcheck-")
                cp = Path(tmp) / "db.duckdb"
                shutil.copy(db, cp)
                con = duckdb.connect(str(cp), read_only=True)
            values: set[str] = set()
            for table, col in DATA_COLUMNS:
                try:
                    rows = con.execute(f'SELECT DISTINCT "{col}" FROM "{table}" WHERE "{col}" IS NOT NULL').fetchall()
                except duckdb.Error:
                    continue
                values.update(str(r[0]) for r in rows)
            con.close()
        finally:
            if tmp:
                shutil.rmtree(tmp, ignore_errors=True)
        for v in values:
            self.runs.update(CJK.findall(v))
        self.text = "\n".join(sorted(self.runs))
        self.source = str(db)

    def allows(self, run: str) -> bool:
        if run in ALLOWED_EN or run in self.runs:
            return True
        return len(run) > 2 and run in self.text


# --- the in-page probe ----------------------------------------------------------------------------

_PROBE = r"""
() => {
  const out = [];
  const vis = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    if (el.closest('details:not([open])')) return false;
    if (el.checkVisibility && !el.checkVisibility({visibilityProperty: true})) return false;
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const heads = Array.from(document.querySelectorAll(
    '[data-testid=stMain] h1, [data-testid=stMain] h2, [data-testid=stMain] h3, [data-testid=stMain] h4,' +
    ' [data-testid=stMain] [data-testid=stWidgetLabel], [data-testid=stMain] [data-testid=stCaptionContainer]'));
  const where = el => {           // the nearest heading/label before el, to name it in a report
    let best = null;
    for (const h of heads) {
      if (h === el || h.contains(el)) continue;
      if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) best = h; else break;
    }
    const s = best ? best.innerText.trim().split('\n')[0].slice(0, 60) : '';
    return s ? ` (after “${s}”)` : '';
  };
  const short = s => (s || '').replace(/\s+/g, ' ').trim().slice(0, 80);
  const add = (kind, detail) => out.push([kind, detail]);

  // (a) sideways scrolling
  const de = document.documentElement;
  if (de.scrollWidth > de.clientWidth + 1) add('scroll-page', `document ${de.scrollWidth} > ${de.clientWidth} px`);
  for (const sel of ['[data-testid=stMain]', '[data-testid=stMainBlockContainer]', '[data-testid=stAppViewContainer]']) {
    const el = document.querySelector(sel);
    if (el && el.scrollWidth > el.clientWidth + 1) add('scroll-page', `${sel} ${el.scrollWidth} > ${el.clientWidth} px`);
  }
  const sbar = document.querySelector('[data-testid=stSidebar]');
  const sbOpen = !!sbar && sbar.getAttribute('aria-expanded') !== 'false' && sbar.getBoundingClientRect().right > 50;
  const sb = document.querySelector('[data-testid=stSidebarContent]');
  if (sb && sbOpen && vis(sb) && sb.scrollWidth > sb.clientWidth + 1)
    add('scroll-sidebar', `sidebar ${sb.scrollWidth} > ${sb.clientWidth} px`);
  document.querySelectorAll('[data-testid=stDataFrame], [data-testid=stDataEditor]').forEach((df, i) => {
    if (!vis(df)) return;
    const sc = df.querySelector('.dvn-scroller');
    if (sc && sc.scrollWidth > sc.clientWidth + 1)
      add('scroll-table', `data grid #${i + 1}${where(df)}: ${sc.scrollWidth} > ${sc.clientWidth} px`);
  });
  document.querySelectorAll('[data-testid=stTable]').forEach((tb, i) => {
    if (!vis(tb)) return;
    for (const el of [tb, ...tb.querySelectorAll('div')]) {
      if (el.scrollWidth > el.clientWidth + 1) {
        add('scroll-table', `table #${i + 1}${where(tb)}: ${el.scrollWidth} > ${el.clientWidth} px`); break;
      }
    }
  });
  const seen = new Set();
  document.querySelectorAll('[data-testid=stMain] *, [data-testid=stSidebar] *').forEach(el => {
    if (el.closest('[data-testid=stDataFrame], [data-testid=stDataEditor], [data-testid=stTable], ' +
                   '[data-testid=stCode], pre, .js-plotly-plot')) return;
    const s = getComputedStyle(el);
    if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1 && vis(el)) {
      const inSb = !!el.closest('[data-testid=stSidebar]');
      if (inSb && !sbOpen) return;
      if (inSb && el.matches('[data-testid=stSidebarContent]')) return;
      const d = `${el.getAttribute('data-testid') || el.tagName.toLowerCase()}${where(el)} “${short(el.innerText).slice(0, 40)}”: ${el.scrollWidth} > ${el.clientWidth} px`;
      if (!seen.has(d)) { seen.add(d); add(inSb ? 'scroll-sidebar' : 'scroll', d); }
    }
  });

  // (a) text cut off
  const cut = new Set();
  const cutAdd = (el, what) => {
    if (!sbOpen && el.closest('[data-testid=stSidebar]')) return;
    const d = `${what}${where(el)}: “${short(el.innerText || el.value)}”`;
    if (!cut.has(d)) { cut.add(d); add('cut', d); }
  };
  document.querySelectorAll('[data-testid=stMetricLabel], [data-testid=stMetricValue], [data-testid=stMetricDelta]')
    .forEach(m => {
      if (!vis(m)) return;
      for (const el of [m, ...m.querySelectorAll('*')]) {
        if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) { cutAdd(m, m.getAttribute('data-testid')); break; }
      }
    });
  document.querySelectorAll('[data-testid=stMain] input, [data-testid=stSidebar] input').forEach(el => {
    if (!vis(el) || el.type === 'hidden' || el.type === 'checkbox' || el.type === 'radio') return;
    if (el.value && el.scrollWidth > el.clientWidth + 1) cutAdd(el, `input ${el.getAttribute('aria-label') || ''}`.trim());
  });
  document.querySelectorAll('[data-testid=stMain] *, [data-testid=stSidebar] *').forEach(el => {
    if (el.children.length > 0 && el.innerText && el.innerText.length > 200) return;
    if (el.closest('[data-testid=stMetric]')) return;           // metrics are checked above
    const s = getComputedStyle(el);
    if (s.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && vis(el)
        && (el.innerText || '').trim())
      cutAdd(el, el.getAttribute('data-testid') || el.tagName.toLowerCase());
  });

  // Plotly charts: texts by role, texts outside the chart, toolbar over the title
  const charts = [];
  document.querySelectorAll('.js-plotly-plot').forEach((gd, i) => {
    if (!vis(gd)) return;
    const box = gd.getBoundingClientRect();
    const titleEl = gd.querySelector('.gtitle');
    const title = titleEl ? titleEl.textContent : '';
    // charts drawn by ui/page.chart_block carry their title as the text element just above
    const cont = gd.closest('[data-testid=stElementContainer]');
    const prev = cont && cont.previousElementSibling;
    const above = prev && prev.innerText && prev.innerText.trim().length < 120 ? prev.innerText.trim().split('\n')[0] : '';
    const name = title ? `chart “${short(title).slice(0, 50)}”`
               : above ? `chart “${short(above).slice(0, 50)}”` : `chart #${i + 1}${where(gd)}`;
    const texts = sel => Array.from(gd.querySelectorAll(sel)).map(e => e.textContent).filter(s => s && s.trim());
    const fl = gd._fullLayout || {};
    const dateAxes = [];
    for (const k of Object.keys(fl)) {
      if (/^[xy]axis\d*$/.test(k) && fl[k] && fl[k].type === 'date' && fl[k].visible !== false) dateAxes.push(k);
    }
    const dateTicks = [];
    for (const k of dateAxes) {
      const ax = fl[k]; const id = (ax._id || (k[0] + k.slice(5)));
      gd.querySelectorAll(`.${id}tick text, g.${id}tick text`).forEach(e => { if (e.textContent.trim()) dateTicks.push(e.textContent); });
    }
    charts.push({name, ticks: texts('.xtick text, .ytick text, .xtick, .ytick').filter((v, j, a) => a.indexOf(v) === j),
                 legend: texts('.legendtext'), annotations: texts('.annotation-text, .annotation text'),
                 all: texts('svg text'), dateTicks});
    for (const t of gd.querySelectorAll('.gtitle, .g-gtitle text, .xtitle, .ytitle, .legendtext, .annotation-text')) {
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.left < box.left - 2 || r.right > box.right + 2)
        add('cut', `${name}: text outside the chart: “${short(t.textContent).slice(0, 50)}”`);
    }
    const sz = fl._size;            // the plot area: texts clipped at its edges are cut
    if (sz) {
      const L = box.left + sz.l, R = L + sz.w, T = box.top + sz.t, B = T + sz.h;
      const clipped = [];
      for (const t of gd.querySelectorAll('.cartesianlayer .textpoint text, .cartesianlayer text.bartext')) {
        const r = t.getBoundingClientRect();
        if (r.width === 0) continue;
        if (r.right > R + 2 || r.left < L - 2 || r.top < T - 2 || r.bottom > B + 2)
          clipped.push(`“${short(t.textContent).slice(0, 40)}”`);
      }
      if (clipped.length)
        add('cut', `${name}: label clipped at the plot edge: ${clipped.slice(0, 4).join('、')}` +
            (clipped.length > 4 ? ` … (${clipped.length})` : ''));
    }
    // the legend drawn over tick labels (a legend placed a fraction of the plot height below it
    // covered the slanted week labels on a phone)
    const lg = gd.querySelector('.legend .bg') || gd.querySelector('.legend');
    if (lg) {
      const a = lg.getBoundingClientRect();
      const hit = Array.from(gd.querySelectorAll('.xtick text, .ytick text')).find(t => {
        const b = t.getBoundingClientRect();
        return b.width > 0 && a.width > 0 && a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
      });
      if (hit) add('cut', `${name}: the legend covers the tick label “${short(hit.textContent).slice(0, 30)}”`);
    }
    const mb = gd.querySelector('.modebar');
    if (mb && titleEl) {
      const a = mb.getBoundingClientRect(), b = titleEl.getBoundingClientRect();
      if (a.width > 0 && b.width > 0 && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
        add('toolbar', `${name}: the chart toolbar overlaps the title`);
    }
  });
  // charts drawn as SVG images (ui/figcache, the default): loaded, and their texts read like a
  // Plotly chart's (same rules: English months, k/M, ISO dates on Chinese charts …)
  document.querySelectorAll('[data-testid=stMain] img').forEach((im, i) => {
    if (!vis(im)) return;
    const cont = im.closest('[data-testid=stElementContainer]');
    const prev = cont && cont.previousElementSibling;
    const above = prev && prev.innerText ? prev.innerText.trim().split('\n')[0] : '';
    const name = above ? `chart image “${short(above).slice(0, 50)}”` : `image #${i + 1}${where(im)}`;
    if (!im.complete || im.naturalWidth === 0) { add('broken-image', `${name}: not drawn`); return; }
    const src = im.getAttribute('src') || '';
    const m = src.match(/^data:image\/svg\+xml;base64,(.*)$/);
    if (!m) return;
    let doc;
    try {
      const bytes = Uint8Array.from(atob(m[1]), c => c.charCodeAt(0));
      doc = new DOMParser().parseFromString(new TextDecoder().decode(bytes), 'image/svg+xml');
    } catch (e) { add('broken-image', `${name}: unreadable SVG`); return; }
    const texts = sel => Array.from(doc.querySelectorAll(sel)).map(e => e.textContent).filter(s => s && s.trim());
    const dateTicks = [];
    charts.push({name, ticks: texts('.xtick text, .ytick text').filter((v, j, a) => a.indexOf(v) === j),
                 legend: texts('.legendtext'), annotations: texts('.annotation-text, .annotation text'),
                 all: texts('text'), dateTicks});
    const r = im.getBoundingClientRect();
    if (r.right > window.innerWidth + 2) add('cut', `${name}: wider than the window`);
  });
  const text = sel => { const el = document.querySelector(sel); return el ? el.innerText : ''; };
  return {violations: out, charts, main: text('[data-testid=stMain]'),
          sidebar: sbOpen ? text('[data-testid=stSidebar]') : '',
          raw: Array.from(document.querySelectorAll('.st-key-sql-result')).map(e => e.innerText).join('\n')};
}
"""

_READY = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (!document.querySelector('[data-testid=stMain] h1')) return false;
  // hidden tabs and closed expanders draw later; data grids draw when scrolled into view
  const shown = el => { const r = el.getBoundingClientRect();
    if (el.closest('details:not([open])')) return false;
    if (el.checkVisibility && !el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})) return false;
    return el.getClientRects().length > 0 && r.height > 0 && r.bottom > 0 && r.top < window.innerHeight; };
  for (const p of document.querySelectorAll('[data-testid=stPlotlyChart]'))
    if (shown(p) && !p.querySelector('.main-svg')) return false;
  for (const im of document.querySelectorAll('[data-testid=stMain] img'))
    if (shown(im) && !im.complete) return false;
  for (const g of document.querySelectorAll('[data-testid=stDataFrame]'))
    if (shown(g) && !g.querySelector('.dvn-scroller, canvas')) return false;
  if (document.querySelector('[data-testid=stSkeleton]')) return false;
  return true;
}"""


_SCROLLER = """() => { for (const sel of ['[data-testid=stMain]', '[data-testid=stAppViewContainer]']) {
    const el = document.querySelector(sel);
    if (el && el.scrollHeight > el.clientHeight + 4 && getComputedStyle(el).overflowY !== 'visible') return sel; }
  return null; }"""


def _scroll(pg, y: int) -> int:
    """Scroll the page's scrolling box to ``y``; returns its scroll height."""
    return pg.evaluate("""([sel, y]) => { const el = sel ? document.querySelector(sel) : document.scrollingElement;
        el.scrollTop = y; return el.scrollHeight; }""", [pg.evaluate(_SCROLLER), y])


def wait_ready(pg, timeout: float = 90_000) -> None:
    """The script run has finished, the title is there and every chart and grid is drawn: the page
    is scrolled through once (data grids draw when they come into view), then back to the top;
    checked again half a second later (a page may rerun once after it first finishes)."""
    pg.wait_for_function(_READY, timeout=timeout)
    height, y, step = _scroll(pg, 0), 0, 600
    while y < height:
        y += step
        height = _scroll(pg, y)
        pg.wait_for_timeout(120)
        pg.wait_for_function(_READY, timeout=timeout)
    _scroll(pg, 0)
    pg.wait_for_timeout(500)
    pg.wait_for_function(_READY, timeout=timeout)
    pg.wait_for_timeout(300)


# sections a page draws only when the reader opens them: the walk opens them by their URL parameters
# (the closed view shows a subset of the same texts)
OPEN_SECTIONS = {"overview": {"ov_weekly": "1", "ov_districts": "1"}}


def page_url(base: str, page: str, lang: str) -> str:
    path = "" if page == DEFAULT_PAGE else page
    query = {**({"lang": "en"} if lang == "en" else {}), **OPEN_SECTIONS.get(page, {})}
    return f"{base.rstrip('/')}/{path}" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _text_checks(page: str, lang: str, width: int, probe: dict, data: DataValues) -> list[Violation]:
    out: list[Violation] = []
    v = lambda kind, detail: out.append(Violation(page, lang, width, kind, detail))  # noqa: E731
    seen: set[tuple[str, str]] = set()

    def once(kind, detail):
        if (kind, detail) not in seen:
            seen.add((kind, detail))
            v(kind, detail)

    screens = [("main pane", probe["main"]), ("sidebar", probe["sidebar"])]
    for ch in probe["charts"]:
        screens.append((ch["name"], "\n".join(ch["all"])))
        if lang != "zh":
            continue
        bad: dict[tuple[str, str], list[str]] = {}     # one line per chart, kind and role
        for role, items in (("tick", ch["ticks"]), ("legend", ch["legend"]), ("annotation", ch["annotations"])):
            for s in items:
                if MONTHS.search(s):
                    bad.setdefault(("en-month", role), []).append(s)
                if SI.search(s):
                    bad.setdefault(("si-suffix", role), []).append(s)
                if role == "tick" and s not in ch["dateTicks"] and ISO.search(s):
                    bad.setdefault(("date-form", "tick (ISO date or week)"), []).append(s)
        for s in ch["dateTicks"]:
            if not ZH_DATE.search(s):
                bad.setdefault(("date-form", "date tick (not 年/月/周/日)"), []).append(s)
        for (kind, role), items in bad.items():
            items = list(dict.fromkeys(items))
            shown = "、".join(f"“{x}”" for x in items[:4]) + (f" … ({len(items)})" if len(items) > 4 else "")
            once(kind, f"{ch['name']}: {role} {shown}")
    chart_text = {s.strip() for ch in probe["charts"] for s in ch["all"]}
    raw_output = {s.strip() for s in (probe.get("raw") or "").splitlines() if s.strip()}
    for where, text in screens:
        for line in text.splitlines():
            if where in ("main pane", "sidebar") and line.strip() in chart_text:
                continue                 # checked with its chart
            m = ISO.search(line)
            if m and where in ("main pane", "sidebar"):
                once("iso-date", f"{where}: “{m.group(1)}” in “{line.strip()[:80]}”")
            m = MISSING.search(line)
            if m:
                once("missing-word", f"{where}: “{m.group(1)}” in “{line.strip()[:80]}”")
            if lang == "en" and line.strip() not in raw_output:
                for run in CJK.findall(line):
                    if not data.allows(run):
                        once("chinese", f"{where}: “{run}” in “{line.strip()[:80]}”")
    return out


def check_page(pg, base: str, page: str, lang: str, width: int, data: DataValues, shots: str | None = None,
               timeout: float = 90_000) -> list[Violation]:
    """Open one page in ``pg`` (a Playwright page) at ``width`` and return its violations."""
    pg.set_viewport_size({"width": width, "height": 900})
    pg.goto(page_url(base, page, lang))
    try:
        wait_ready(pg, timeout)
    except Exception as exc:  # noqa: BLE001 — a page that never gets ready is a violation too
        return [Violation(page, lang, width, "not-ready", str(exc).splitlines()[0][:200])]
    errs = pg.locator("[data-testid=stException]")
    out = [Violation(page, lang, width, "exception", errs.nth(i).inner_text()[:200]) for i in range(errs.count())]
    probe = pg.evaluate(_PROBE)
    out += [Violation(page, lang, width, k, d) for k, d in probe["violations"]
            if not (k == "scroll-table" and width < TABLE_SCROLL_FROM)]
    out += _text_checks(page, lang, width, probe, data)
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        h = pg.evaluate("() => { const m = document.querySelector('[data-testid=stMain]');"
                        " return Math.max(m ? m.scrollHeight : 0, document.documentElement.scrollHeight); }")
        pg.set_viewport_size({"width": width, "height": max(900, min(int(h), 16000))})
        pg.wait_for_timeout(700)
        pg.screenshot(path=str(Path(shots) / f"{page}-{lang}-{width}.png"))
        pg.set_viewport_size({"width": width, "height": 900})
    return out


PHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Mobile/15E148 MicroMessenger/8.0.49(0x18003130) NetType/WIFI Language/zh_CN")


def context_options(lang: str, width: int) -> dict:
    """Browser context for one view: below 600 px a phone (WeChat's browser on an iPhone: its
    User-Agent, touch, 3× pixels), as officials open links; wider, a desktop window."""
    opts = dict(viewport={"width": width, "height": 900}, locale="en-US" if lang == "en" else "zh-CN")
    if width < 600:
        opts.update(user_agent=PHONE_UA, is_mobile=True, has_touch=True, device_scale_factor=3)
    return opts


def walk(browser, base: str, pages, langs, widths, *, db=None, shots=None, data: DataValues | None = None,
         report=None) -> list[Violation]:
    """Check every page × language × width, each in a fresh context; ``report`` is called with each
    page's violations as they come."""
    data = data if data is not None else DataValues(db)
    out: list[Violation] = []
    for page in pages:
        for lang in langs:
            for width in widths:
                ctx = browser.new_context(**context_options(lang, width))
                try:
                    found = check_page(ctx.new_page(), base, page, lang, width, data, shots)
                finally:
                    ctx.close()
                if report:
                    report(page, lang, width, found)
                out += found
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="the running app, e.g. http://127.0.0.1:8631")
    ap.add_argument("--pages", nargs="+", default=ALL_PAGES, help="url paths (overview = /)")
    ap.add_argument("--langs", nargs="+", default=["zh", "en"], choices=["zh", "en"])
    ap.add_argument("--widths", nargs="+", type=int, default=[1280, 1400, 390])
    ap.add_argument("--shots", help="write a full-page screenshot per page × language × width here")
    ap.add_argument("--db", default=os.environ.get("ODR_DB", "data/odr.duckdb"),
                    help="the server's database, for the data values allowed in English mode (default $ODR_DB)")
    a = ap.parse_args(argv)
    data = DataValues(a.db)
    if data.source is None:
        print(f"note: no database at {a.db}: every Chinese run in English mode is reported", file=sys.stderr)
    from playwright.sync_api import sync_playwright

    def report(page, lang, width, found):
        for x in found:
            print(x, flush=True)
        print(f"# {page} {lang} {width}: {len(found)} violation(s)", file=sys.stderr, flush=True)

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            found = walk(b, a.url, a.pages, a.langs, a.widths, shots=a.shots, data=data, report=report)
        finally:
            b.close()
    print(f"# {len(found)} violation(s)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
