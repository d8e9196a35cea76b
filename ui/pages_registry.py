"""The app's pages, in navigation order. A page is listed once its script exists in pages/."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    path: str
    title_key: str
    icon: str
    url_path: str
    section_key: str
    default: bool = False
    internal: bool = False   # only with ODR_MODE=internal


ALL_PAGES = [
    PageSpec("pages/overview.py", "nav.overview", ":material/dashboard:", "overview",
             "nav.section.officials", default=True),
    PageSpec("pages/trends.py", "nav.trends", ":material/show_chart:", "trends", "nav.section.officials"),
    PageSpec("pages/resolution.py", "nav.resolution", ":material/timer:", "resolution", "nav.section.officials"),
    PageSpec("pages/programmes.py", "nav.programmes", ":material/storefront:", "programmes",
             "nav.section.officials"),
    PageSpec("pages/districts.py", "nav.districts", ":material/leaderboard:", "districts",
             "nav.section.officials"),
    PageSpec("pages/briefing.py", "nav.briefing", ":material/article:", "briefing", "nav.section.officials"),
    PageSpec("pages/explore.py", "nav.explore", ":material/table_view:", "explore", "nav.section.public"),
    PageSpec("pages/sql.py", "nav.sql", ":material/terminal:", "sql", "nav.section.public"),
    PageSpec("pages/methodology.py", "nav.methodology", ":material/menu_book:", "methodology",
             "nav.section.public"),
    PageSpec("pages/import.py", "nav.import", ":material/upload_file:", "import", "nav.section.admin",
             internal=True),
]
PAGES = [p for p in ALL_PAGES if (ROOT / p.path).exists()]


def disable_legacy_pages() -> None:
    """Streamlit decides once per process, when the first session starts, whether the app uses
    the legacy ``pages/`` folder mode (a ``pages/`` folder next to the main script) and keeps that
    until some session calls ``st.navigation``. This app always navigates with ``st.navigation``
    (app.py), so the decision is made here, before any session exists (app.py calls this when
    ``streamlit run`` imports it at server start)."""
    from streamlit.runtime.pages_manager import PagesManager
    PagesManager.uses_pages_directory = False


def skip_component_scan() -> None:
    """At its start, before answering, Streamlit reads the metadata of every installed Python package
    looking for custom-component manifests (0.16–0.27 s measured here, with ~150 packages). This app
    uses no custom components (tests/test_frame.py checks that no module refers to them), so the
    scan finds nothing: it is replaced by its empty answer. Called with :func:`disable_legacy_pages`."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:                 # a Streamlit without it: nothing to skip
        return
    manifest_scanner.scan_component_manifests = _no_component_manifests


def _no_component_manifests(max_workers=None) -> list:
    return []
