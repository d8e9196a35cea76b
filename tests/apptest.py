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
