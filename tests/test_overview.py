"""Overview page: reads right in both languages (weeks as 第10周 / Week 10, changes in 个百分点 / pp,
a plain district table that fits), and its weekly chart's axis and hovers."""
from __future__ import annotations

import re

import pandas as pd

from analytics import queries
from analytics.filters import Filters
from tests.apptest import errors, run_app, text_tables
from tests.fixtures import D
from ui import charts

CJK = re.compile(r"[\u4e00-\u9fff]")
OPEN = {"ov_weekly": "1", "ov_districts": "1"}          # both sections below the figures opened
ISO_WEEK = re.compile(r"\d{4}-W\d{2}")


def _texts(at) -> list[str]:
    out = []
    for m in at.metric:
        out += [m.label, str(m.value), str(m.proto.delta or ""), m.proto.help or ""]
    out += [c.value for c in at.caption] + [s.value for s in at.subheader]
    return out


def test_english_overview_has_no_chinese_codes_or_missing_words(app_env):
    at = run_app(None, {"lang": "en", **OPEN})
    assert errors(at) == []
    texts = _texts(at) + [e.label for e in at.expander]
    table = text_tables(at)[0]
    texts += [str(c) for c in table.columns] + [str(v) for v in table.to_numpy().ravel()]
    for s in texts:
        assert not CJK.search(s), s
        assert not ISO_WEEK.search(s), s
        assert not re.search(r"\b(None|nan|NaN|NaT)\b", s), s
    labels = [m.label for m in at.metric]
    assert "Complaints last week · Week 10" in labels
    # rate changes in percentage points
    closure = next(m for m in at.metric if m.label == "Closure rate")
    assert re.search(r"[+-]\d+\.\d pp\)?$", str(closure.proto.delta)), closure.proto.delta


def test_chinese_overview_weeks_points_and_table(app_env):
    at = run_app(None, {"lang": "zh", **OPEN})
    assert errors(at) == []
    texts = _texts(at)
    assert not any(ISO_WEEK.search(s) for s in texts)
    assert "上周投诉量 · 第10周" in [m.label for m in at.metric]
    on_time = next(m for m in at.metric if m.label == "按期办结率")
    assert str(on_time.proto.delta).rstrip("）)").endswith("个百分点"), on_time.proto.delta
    assert not any(" pp" in s for s in texts)
    assert any(c.value.startswith("本周（第11周，不完整）至今") for c in at.caption)
    # the district table: a plain text table (no data grid, no Arrow table), six districts, formatted
    # cells, highest rate first
    assert len(at.dataframe) == 0 and len(at.table) == 0 and len(text_tables(at)) == 1
    table = text_tables(at)[0]
    assert list(table.columns) == ["区县", "件数", "每十万人", "办结率", "按期办结率", "中位天数"]
    assert len(table) == 6
    assert all(v.endswith("%") for v in table["办结率"])
    rates = [float(v.replace(",", "")) for v in table["每十万人"]]
    assert rates == sorted(rates, reverse=True)


def _charts(node) -> int:
    """Charts drawn in ``node``: Plotly charts and chart images."""
    return len(node.get("plotly_chart")) + len(node.get("image"))


def test_sections_below_the_figures_are_built_only_when_opened(app_env, monkeypatch):
    """The weekly chart and the district comparison are sections the reader opens: closed (the
    default), their queries do not run and nothing of them is sent; a link opens either with its
    content, and the URL the app writes keeps it open."""
    from ui import data
    calls = []
    monkeypatch.setattr(data, "RECORDER", calls)
    at = run_app(None, {"lang": "zh"})
    assert errors(at) == []
    assert [(e.label, e.proto.expanded) for e in at.expander] == [
        ("每周投诉量图", False), ("各区县对比：每十万人投诉量、办结率与办理天数", False)]
    assert len(at.metric) == 6
    names = {fn.__name__ for fn, _, _ in calls}
    assert "complaint_kpis" in names
    assert not names & {"weekly_complaints", "district_summary"}
    assert text_tables(at) == [] and _charts(at) == 0
    assert not at.download_button
    assert "ov_weekly" not in at.query_params and "ov_districts" not in at.query_params

    calls.clear()
    at = run_app(None, {"lang": "zh", "ov_weekly": "1"})
    assert errors(at) == []
    assert [e.proto.expanded for e in at.expander] == [True, False]
    names = {fn.__name__ for fn, _, _ in calls}
    assert "weekly_complaints" in names and "district_summary" not in names
    weekly = at.expander[0]
    assert _charts(weekly) == 1 and len(weekly.download_button) >= 2 and text_tables(at) == []
    assert at.query_params["ov_weekly"] in ("1", ["1"])

    at = run_app(None, {"lang": "en", "ov_districts": "1"})
    assert errors(at) == []
    assert [e.proto.expanded for e in at.expander] == [False, True]
    assert len(text_tables(at)) == 1
    assert _charts(at.expander[1]) == 1 and _charts(at.expander[0]) == 0

    # a value that is not a switch: the section stays closed, with the usual notice
    at = run_app(None, {"lang": "en", "ov_weekly": "maybe"})
    assert errors(at) == []
    assert [e.proto.expanded for e in at.expander] == [False, False]
    assert any("ov_weekly" in str(t.proto.body) for t in at.toast)


def test_weekly_bar_reads_weeks_on_the_bars(sample_con):
    f = Filters(D("2023-12-18"), D("2024-03-14"))
    weekly = queries.weekly_complaints(sample_con, f)
    for lang, first, other in (("zh", "2023年第51周", "周"), ("en", "Week 51, 2023", "Week ")):
        fig = charts.weekly_bar(weekly, title="t", y_label="y", partial_label="p", whole_label="w",
                                odr_label="o", trad_label="r", lang=lang)
        ax = fig.layout.xaxis
        # ticks are categories of the bars themselves (centred on them), labelled in words
        assert set(ax.tickvals) <= set(weekly["week"])
        assert ax.ticktext[0] == first
        assert all(other in t and not ISO_WEEK.search(t) for t in ax.ticktext[1:])
        # hovers name the week with its year, never the ISO code
        for tr in fig.data:
            assert "%{x}" not in tr.hovertemplate
            assert all(not ISO_WEEK.search(c) for c in tr.customdata)
        assert fig.data[0].customdata[0] == ("2023年第51周" if lang == "zh" else "Week 51, 2023")
        # the legend sits under the plot (not over the title on a phone)
        assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0


def test_district_bar_label_has_room(app_env):
    """The longest bar's outside label ("122.2（34件）") stays inside the axis range."""
    at = run_app(None, {"lang": "zh", "district": "620721", "ov_districts": "1", "charts": "1"})
    assert errors(at) == []
    import base64
    import json

    import numpy as np

    def values(a):          # Plotly sends numeric arrays as typed arrays
        if isinstance(a, dict) and "bdata" in a:
            return np.frombuffer(base64.b64decode(a["bdata"]), dtype=np.dtype(a["dtype"])).tolist()
        return list(a)
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    bar = next(f for f in figs if f["data"][0].get("orientation") == "h")
    top = max(values(bar["data"][0]["x"]))
    assert pd.notna(top) and top > 0
    assert bar["layout"]["xaxis"]["range"][1] >= top * 1.3
    assert all(t.endswith("件）") for t in bar["data"][0]["text"])


def test_district_table_on_a_phone_comes_in_two_narrow_parts(app_env, monkeypatch):
    import ui.page
    monkeypatch.setattr(ui.page, "on_phone", lambda: True)
    import pages  # noqa: F401 — the page imports on_phone from ui.page at run time
    at = run_app(None, {"lang": "zh", "ov_districts": "1"})
    assert errors(at) == []
    a, b = text_tables(at)
    assert list(a.columns) == ["区县", "件数", "每十万人", "中位天数"]
    assert list(b.columns) == ["区县", "办结率", "按期办结率"]
    assert list(a["区县"]) == list(b["区县"]) and len(a) == 6


def test_text_table_prints_data_literally(app_env):
    """A name with Markdown or a link in it prints as text (ui.page.text_table escapes every cell)."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_string(
        "import pandas as pd\n"
        "from ui.page import text_table\n"
        "text_table(pd.DataFrame({'名称': ['[点我](http://e.x) | **x**', None], 'n': ['1', '2']}), right=('n',))\n")
    at.run()
    assert not at.exception
    (t,) = text_tables(at)
    assert list(t["名称"]) == ["[点我](http://e.x) | **x**", "—"]
    assert "](http" not in at.markdown[0].value.replace("\\](", "")
