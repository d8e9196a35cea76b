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
    data._warm_up(wait=0, later=0)
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
    data._warm_up(wait=0, later=0)
    assert not missing.exists()


def test_landing_calls_are_recorded_once_and_replayed_at_the_next_start(app_env, tmp_path, monkeypatch):
    """The overview opened without parameters records its calls and results; a new process's warm-up
    puts them back in the cache (results as they were while the database file is the same one)."""
    import pickle

    from tests.apptest import errors, run_app
    from ui import data
    monkeypatch.setenv("ODR_FIGURE_CACHE", str(tmp_path / "figures"))
    data._landing_saved.clear()
    for old in data.landing_file().parent.glob('landing-calls-*'):
        old.unlink()
    at = run_app(None)
    assert errors(at) == []
    path = data.landing_file()
    calls = pickle.loads(path.read_bytes())
    names = {(m, n) for m, n, *_ in calls}
    assert ("analytics.queries", "complaint_kpis") in names and ("analytics.stats", "two_count_p") in names
    assert all(key == data.data_key() for *_, key, _res in calls)
    # once per process: a later landing run does not write again
    mtime = path.stat().st_mtime_ns
    run_app(None)
    assert path.stat().st_mtime_ns == mtime
    # recorded once per page and process
    assert data.record_landing_calls("") is False
    data.save_landing_calls(keep=False)
    # another page opened without parameters has a record of its own; all are replayed
    run_app("pages/methodology.py")
    assert data.landing_file("methodology").exists()
    data.landing_file("methodology").unlink()

    # the next start: an empty cache, filled by the replay without running a query
    import streamlit as st
    st.cache_data.clear()
    ran = []
    real = data.db.shared
    monkeypatch.setattr(data.db, "shared", lambda *a, **k: ran.append(1) or real(*a, **k))
    data._replayed.clear()
    assert data.replay_landing_calls() == len(calls)
    assert data.replay_landing_calls() == 0                 # once per process
    assert ran == []
    import analytics.queries as Q
    f = next(args[0] for m, n, args, *_ in calls if n == "complaint_kpis")
    before = len(ran)
    data.call(Q.complaint_kpis, f)              # a cache hit
    assert len(ran) == before

    # results recorded against another database file are recomputed, not trusted
    st.cache_data.clear()
    stale = [(m, n, a, k, ("other",) + key[1:], r) for m, n, a, k, key, r in calls]
    path.write_bytes(pickle.dumps(stale))
    data._replayed.clear()
    assert data.replay_page("") == len(calls)               # a page's own record, before it runs
    assert ran, "the queries ran again"


def test_a_damaged_landing_file_only_means_less_warming(app_env, tmp_path, monkeypatch):
    from ui import data
    monkeypatch.setenv("ODR_FIGURE_CACHE", str(tmp_path / "figures"))
    data.landing_file().parent.mkdir(parents=True, exist_ok=True)
    data.landing_file().write_bytes(b"not a pickle")
    data._replayed.clear()
    assert data.replay_landing_calls() == 0
    import pickle
    data.landing_file().write_bytes(pickle.dumps([("os", "system", ("echo x",), (), None, None), (1, 2)]))
    data._replayed.clear()
    assert data.replay_landing_calls() == 0


def test_a_landing_record_without_its_database_is_ignored(tmp_path, monkeypatch, clean_streamlit):
    """A record left in the cache while the database is gone (deleted, a fresh build pending) warms
    nothing and breaks nothing."""
    import pickle

    from ui import data
    monkeypatch.setenv("ODR_DB", str(tmp_path / "gone.duckdb"))
    monkeypatch.setenv("ODR_FIGURE_CACHE", str(tmp_path / "figures"))
    data.landing_file().parent.mkdir(parents=True, exist_ok=True)
    data.landing_file().write_bytes(pickle.dumps([("analytics.queries", "districts", (), (), ("x",), None)]))
    data._replayed.clear()
    assert data.replay_page("") == 0


def test_the_briefing_page_is_recorded_and_replayed_too(app_env, tmp_path, monkeypatch):
    """The briefing's one heavy step (gathering a week's facts, ~1.4 s at 10M complaints on a cold
    database) goes through the shared cache: its first visitor after a start gets the recorded result."""
    import pickle

    import streamlit as st

    from tests.apptest import errors, run_app
    from ui import data
    monkeypatch.setenv("ODR_FIGURE_CACHE", str(tmp_path / "figures"))
    data._landing_saved.clear()
    at = run_app("pages/briefing.py")
    assert errors(at) == []
    path = data.landing_file("briefing")
    calls = pickle.loads(path.read_bytes())
    names = {(m, n) for m, n, *_ in calls}
    assert {("briefing.facts", "whole_weeks"), ("briefing.facts", "gather")} <= names
    st.cache_data.clear()
    ran = []
    real = data.db.shared
    monkeypatch.setattr(data.db, "shared", lambda *a, **k: ran.append(1) or real(*a, **k))
    data._replayed.clear()
    assert data.replay_page("briefing") == len(calls)
    assert ran == []                                          # every result came from the record
    path.unlink()
    # only the allow-listed modules are called through the cache (the record is the app's own file)
    assert data.callable_module("briefing.facts") and data.callable_module("analytics.trends")
    assert not data.callable_module("os") and not data.callable_module("briefing.render")
    assert not data.callable_module("analyticsx")


def test_the_database_check_is_remembered_for_the_same_file_and_code(sample_db, tmp_path, monkeypatch):
    """A server start does not open the database a second time to re-check aggregate tables that an
    earlier process found current for this very file (path, inode, mtime, size) and aggregate code."""
    import os
    import shutil

    from analytics import aggregates
    p = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_db, p)
    build._checked.clear()
    assert build.refresh_if_stale(p) is False
    marker = p.with_name(".copy.duckdb.checked")
    assert marker.exists()
    opened = []
    real = db.connect
    monkeypatch.setattr(db, "connect", lambda *a, **k: opened.append(a) or real(*a, **k))
    build._checked.clear()                          # a new process
    assert build.refresh_if_stale(p) is False and opened == []
    # the file changed (a new mtime): checked again
    build._checked.clear()
    os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 1_000_000))
    assert build.refresh_if_stale(p) is False and len(opened) == 1
    # other aggregate code (a new layout hash): checked again, and rebuilt since its stamp differs
    build._checked.clear()
    monkeypatch.setattr(aggregates, "_layout", "other-layout")
    opened.clear()
    assert build.refresh_if_stale(p) is True and opened
    # a damaged note only means checking again
    build._checked.clear()
    marker.write_bytes(b"\xff\xfe")
    opened.clear()
    assert build.refresh_if_stale(p) is False and opened


def test_the_trends_headline_tests_are_recorded_for_the_next_start(app_env, tmp_path, monkeypatch):
    """The trends page's two headline tests (SciPy's exact test, ~0.9 s to import on a first run) go
    through the cache, so its landing record replays them and a first visitor after a start does
    not wait for SciPy (measured: the first trends visit 3.5 s, 3.6× the floor, before)."""
    import pickle

    from tests.apptest import errors, run_app
    from ui import data
    monkeypatch.setenv("ODR_FIGURE_CACHE", str(tmp_path / "figures"))
    data._landing_saved.clear()
    for old in data.landing_file().parent.glob('landing-calls-*'):
        old.unlink()
    at = run_app("pages/trends.py")
    assert errors(at) == []
    calls = pickle.loads(data.landing_file("trends").read_bytes())
    tests = [args for m, n, args, *_ in calls if (m, n) == ("analytics.stats", "two_count_p")]
    assert len(tests) == 2 and all(isinstance(x, int) for args in tests for x in args)
    data.landing_file("trends").unlink()


def test_no_page_calls_scipy_tests_outside_the_cache():
    """A headline test called directly on a page would import SciPy in the first visitor's run."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    direct = re.compile(r"(?<!data\.pure\()\b(?:S|stats)\.(two_count_p|two_proportion_p)\(")
    found = [f"{p.name}:{i}" for p in sorted((root / "pages").glob("*.py"))
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if direct.search(line)]
    assert found == []
