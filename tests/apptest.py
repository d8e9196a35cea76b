"""Running the real app (app.py and its navigation) in AppTest, on a given page."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def run_app(page: str | None = None, query: dict | None = None, timeout: float = 120) -> AppTest:
    """Open ``page`` (e.g. "pages/trends.py"; None = the default page) the way a deep link does:
    app.py runs with ``query`` as URL query parameters and that page as the first page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    if page:
        at.switch_page(str(ROOT / page))
    at.run()
    return at


def errors(at: AppTest) -> list[str]:
    """Exceptions and error elements shown on the page."""
    return [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]


def chart_specs(at) -> list[dict]:
    """The Plotly specs of the charts on the page, in page order, each with ``layout.title.text``
    set to the title ``ui.page.chart_block`` draws as text right above it (the on-screen figure
    has none), so tests can find charts by title as before."""
    import json
    import re

    out, last_md = [], None

    def walk(node):
        nonlocal last_md
        for child in getattr(node, "children", {}).values():
            kind = getattr(child, "type", None)
            if kind == "markdown":
                last_md = child.value
            elif kind == "plotly_chart":
                spec = json.loads(child.proto.spec)
                lay = spec.setdefault("layout", {})
                if not (lay.get("title") or {}).get("text") and last_md and last_md.startswith("**"):
                    text = re.sub(r"\\(.)", r"\1", last_md.split("**")[1])
                    lay["title"] = {**(lay.get("title") or {}), "text": text}
                out.append(spec)
                last_md = None
            else:
                walk(child)
    walk(at.main)
    return out


def text_tables(at) -> list:
    """The Markdown tables on the page (ui.page.text_table), as DataFrames of their cell texts
    (escapes removed), in page order."""
    import re

    import pandas as pd
    out = []
    for m in at.markdown:
        lines = [ln for ln in m.value.splitlines() if ln.startswith("| ")]
        if len(lines) < 2 or not re.fullmatch(r"\|( :?---:? \|)+", lines[1]):
            continue

        def cells(line):
            parts = re.split(r"(?<!\\)\|", line)[1:-1]
            return [re.sub(r"\\(.)", r"\1", p.strip()) for p in parts]
        out.append(pd.DataFrame([cells(ln) for ln in lines[2:]], columns=cells(lines[0])))
    return out
