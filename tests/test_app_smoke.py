"""Every page of the app runs in AppTest without an exception, in both languages."""
import pytest

from tests.apptest import errors, run_app
from ui.pages_registry import PAGES


@pytest.mark.parametrize("spec", [p for p in PAGES if not p.internal], ids=lambda p: p.url_path)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_runs(app_env, spec, lang):
    at = run_app(spec.path, {"lang": lang})
    assert errors(at) == []
    assert at.title, "the page shows its title"


def test_overview_kpis_and_url_filters(app_env):
    at = run_app(None, {"lang": "en", "period": "4w", "district": "620721"})
    assert errors(at) == []
    assert at.title[0].value == "Overview"
    labels = [m.label for m in at.metric]
    assert any(l.startswith("Complaints last week") for l in labels)
    assert "ODR enterprises" in labels
    # the district filter reached the widgets: Sunan only
    assert at.sidebar.pills(key="w:district").value == ["620721"]
    assert at.sidebar.pills(key="w:period").value == "4w"
    # synthetic-data notice is shown for the sample
    assert any("synthetic" in w.value.lower() for w in at.warning)


def test_first_run_builds_the_sample(tmp_path, monkeypatch, clean_streamlit):
    target = tmp_path / "fresh" / "odr.duckdb"
    monkeypatch.setenv("ODR_DB", str(target))
    at = run_app(None, {"lang": "zh"})
    assert errors(at) == []
    assert target.exists()
    assert any("合成" in w.value for w in at.warning)      # synthetic-data notice


def test_empty_database_shows_a_notice(tmp_path, monkeypatch, clean_streamlit):
    from analytics import build
    p = tmp_path / "empty.duckdb"
    build.init_empty(p)
    monkeypatch.setenv("ODR_DB", str(p))
    at = run_app(None, {"lang": "en"})
    assert errors(at) == []
    assert any("no complaints" in i.value.lower() for i in at.info)
