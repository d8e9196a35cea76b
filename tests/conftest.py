"""Shared fixtures. Databases are built in code (tests/fixtures.py) or from the seeded sample."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics import build, db, sample  # noqa: E402

# Readers get charts as SVG images (ui/figcache); most tests read the Plotly figures themselves, so
# they run with interactive charts by default (servers started by the browser tests inherit this).
# tests/test_static_charts.py and tests/browser/test_static_charts.py check the images.
os.environ.setdefault("ODR_CHARTS", "interactive")
# the figure cache and the landing-page record of a test run stay out of the checkout's data/
import tempfile  # noqa: E402
os.environ.setdefault("ODR_FIGURE_CACHE", os.path.join(tempfile.mkdtemp(prefix="odr-test-cache-"), "figures"))


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The default sample database (built once per test session)."""
    p = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    build.build_atomically(p, lambda con: sample.fill(con))
    return p


@pytest.fixture(scope="session")
def sample_con(sample_db):
    con = db.connect(sample_db, read_only=True)
    yield con
    con.close()


@pytest.fixture
def clean_streamlit(monkeypatch):
    """Streamlit caches persist across AppTest runs in one process: clear them around each test,
    and drop the process's shared connections."""
    import streamlit as st

    def clear():
        from ui import data, figcache, figmemo
        st.cache_data.clear()
        figmemo.clear()
        st.cache_resource.clear()
        db.reset_shared()
        data._examples.clear()                  # the SQL page's example outcomes, in memory and on disk
        for f in figcache.cache_dir().parent.glob("sql-examples-*.pkl"):
            f.unlink(missing_ok=True)
    clear()
    yield
    clear()


@pytest.fixture
def app_env(sample_db, monkeypatch, clean_streamlit):
    """Point the app at the sample database."""
    monkeypatch.setenv("ODR_DB", str(sample_db))
    monkeypatch.delenv("ODR_MODE", raising=False)
    return sample_db
