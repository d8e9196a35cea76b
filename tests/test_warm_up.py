"""The server's start-up warm-up (ui/data.start_warm_up): it does the first visitor's one-off work
— the aggregate-table check, the read-only connection and its reference lookups, the drawing
modules — so that work is done when the first session arrives."""
from __future__ import annotations

import sys

from analytics import build, db


def test_warm_up_does_the_first_visitors_work(app_env, sample_db):
    from ui import data
    build._checked.clear()
    data.warm_up_done.clear()
    for name in ("ui.figures.programmes", "briefing.render"):
        sys.modules.pop(name, None)
    data._warm_up(wait=0)
    assert data.warm_up_done.is_set()
    st = sample_db.stat()
    assert (str(sample_db.resolve()), st.st_ino, st.st_mtime_ns, st.st_size) in build._checked
    con = db.shared()
    assert "meta" in db._memos[con]           # the reference lookups are remembered for the snapshot
    assert "ui.figures.programmes" in sys.modules and "briefing.render" in sys.modules


def test_warm_up_switched_off(monkeypatch):
    from ui import data
    monkeypatch.setenv("ODR_WARM_UP", "0")
    assert data.start_warm_up() is None


def test_warm_up_leaves_a_missing_database_to_the_first_session(monkeypatch, tmp_path, clean_streamlit):
    from ui import data
    missing = tmp_path / "none.duckdb"
    monkeypatch.setenv("ODR_DB", str(missing))
    data._warm_up(wait=0)
    assert not missing.exists()
