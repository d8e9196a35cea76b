"""ui/fmt.py: the one formatting module (numbers, 万/亿, dates, ISO weeks, Plotly axes)."""
import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui import fmt


def test_numbers_and_money():
    assert fmt.num(1234567) == "1,234,567"
    assert fmt.num(3.14159, 2) == "3.14"
    assert fmt.num(None) == fmt.num(float("nan")) == fmt.num(pd.NA) == "—"
    assert fmt.big(8500, "zh") == "8,500"
    assert fmt.big(32_260, "zh") == "3.2万"
    assert fmt.big(120_000_000, "zh") == "1.2亿"
    assert fmt.big(32_260, "en") == "32,260"
    assert fmt.big(3_226_012.5, "en") == "3.23 million"
    assert fmt.yuan(3_226_012.50, "zh") == "322.6万元"
    assert fmt.yuan(3_226_012.50, "zh", nd=2) == "322.60万元"
    assert fmt.yuan(323_000, "zh") == "32.3万元"
    assert fmt.yuan(8500, "zh") == "8,500元"
    assert fmt.yuan(3_226_012.50, "en") == "¥3.23 million"
    assert fmt.yuan(8500, "en") == "¥8,500"
    assert fmt.pct(0.96512) == "96.5%"
    assert fmt.pp(-3.8, "zh") == "-3.8个百分点" and fmt.pp(-0.01, "en") == "+0.0 pp"
    assert fmt.pp(None, "en") is None
    assert fmt.days(3.24, "zh") == "3.2天" and fmt.days(3.24, "en") == "3.2 days"
    for lang in ("zh", "en"):
        for f in (fmt.big, fmt.yuan, fmt.days):
            assert f(None, lang) == "—" and f(np.nan, lang) == "—"


def test_dates_and_weeks():
    d = dt.date(2024, 1, 8)
    assert fmt.date(d, "zh") == "2024年1月8日" and fmt.short_date(d, "zh") == "1月8日"
    assert fmt.date(d, "en") == "Jan 8, 2024" and fmt.short_date(d, "en") == "Jan 8"
    assert fmt.month(d, "zh") == "2024年1月" and fmt.month("2024-01", "en") == "Jan 2024"
    assert fmt.week("2024-W10", "zh") == "2024年第10周" and fmt.week(dt.date(2024, 3, 6), "zh", year=False) == "第10周"
    assert fmt.week("2024-W10", "en") == "Week 10, 2024"
    assert fmt.week_span("2024-W10", "zh") == "2024年第10周（3月4日–3月10日）"
    # ISO week year differs from the calendar year at the edges
    assert fmt.week(dt.date(2024, 12, 30), "zh") == "2025年第1周"
    assert fmt.date_range(dt.date(2024, 1, 1), dt.date(2024, 3, 14), "zh") == "2024年1月1日–3月14日"
    assert fmt.date_range(dt.date(2023, 12, 1), dt.date(2024, 3, 14), "zh") == "2023年12月1日–2024年3月14日"
    assert fmt.date_range(dt.date(2024, 1, 1), dt.date(2024, 3, 14), "en") == "Jan 1 – Mar 14, 2024"
    assert fmt.date_range(dt.date(2023, 12, 1), dt.date(2024, 3, 14), "en") == "Dec 1, 2023 – Mar 14, 2024"
    assert fmt.timestamp("2024-03-14T09:30:12", "zh") == "2024年3月14日 09:30"
    assert fmt.timestamp(None, "en") == "—"
    assert fmt.date(pd.Timestamp("2024-01-08"), "zh") == fmt.date(np.datetime64("2024-01-08"), "zh") == "2024年1月8日"


def _bar(x, y, **kw):
    fig = go.Figure(go.Bar(x=x, y=y, **kw))
    return fig


def test_localize_zh_large_counts_use_wan_not_si():
    fig = _bar(["a", "b"], [120_000, 800_000])
    fmt.localize_figure(fig, "zh")
    ax = fig.layout.yaxis
    assert ax.ticktext and all(("万" in s or s == "0") for s in ax.ticktext)
    assert not any(s.endswith(("k", "M")) for s in ax.ticktext)
    assert ax.tickvals[0] == 0 and ax.tickvals[-1] >= 800_000


def test_localize_en_uses_separators_not_si():
    fig = _bar(["a", "b"], [120_000, 800_000])
    fmt.localize_figure(fig, "en")
    assert fig.layout.yaxis.exponentformat == "none" and fig.layout.yaxis.separatethousands


def test_localize_stacked_bars_sum_per_category():
    fig = go.Figure([go.Bar(x=["a"], y=[6_000]), go.Bar(x=["a"], y=[6_000])])
    fig.update_layout(barmode="stack")
    fmt.localize_figure(fig, "zh")
    assert max(fig.layout.yaxis.tickvals) >= 12_000


def test_localize_date_axis_formats():
    x = pd.date_range("2024-01-01", periods=10, freq="W-MON")
    for lang, day in (("zh", "%-m月%-d日"), ("en", "%b %-d")):
        fig = _bar(x, list(range(10)))
        fmt.localize_figure(fig, lang)
        stops = [s.value for s in fig.layout.xaxis.tickformatstops]
        assert day in stops
        assert ("年" in fig.layout.xaxis.hoverformat) == (lang == "zh")


def test_localize_leaves_explicit_ticks_and_log_axis():
    fig = _bar(["a", "b"], [120_000, 800_000])
    fig.update_yaxes(tickvals=[0, 1], ticktext=["x", "y"])
    fmt.localize_figure(fig, "zh")
    assert list(fig.layout.yaxis.ticktext) == ["x", "y"]
    fig = go.Figure(go.Scatter(x=[20, 300_000], y=[0.5, 0.9], mode="markers"))
    fig.update_xaxes(type="log")
    fmt.localize_figure(fig, "zh")
    assert "10万" in fig.layout.xaxis.ticktext and not any("k" in s for s in fig.layout.xaxis.ticktext)


def test_date_ticks_weeks_align_with_bars():
    starts = pd.date_range("2024-01-01", periods=12, freq="W-MON")
    fig = _bar(starts, list(range(12)))
    fmt.date_ticks(fig, "x", starts, "zh", grain="week", max_ticks=6)
    vals = [pd.Timestamp(v) for v in fig.layout.xaxis.tickvals]
    assert all(v.weekday() == 0 for v in vals)           # Mondays: the bars' own positions
    assert fig.layout.xaxis.ticktext[0] == "2024年第1周" and fig.layout.xaxis.ticktext[1] == "第3周"
    fig = _bar(["2023-W52", "2024-W01", "2024-W02"], [1, 2, 3])
    fmt.week_category_ticks(fig, "x", ["2023-W52", "2024-W01", "2024-W02"], "en")
    assert list(fig.layout.xaxis.ticktext) == ["Week 52, 2023", "Week 1, 2024", "Week 2"]


def test_nice_ticks():
    assert fmt.nice_ticks(0, 100, 5) == [0, 20, 40, 60, 80, 100]
    t = fmt.nice_ticks(0, 837_000)
    assert t[0] == 0 and t[-1] >= 837_000 and len(t) <= 7


def test_grid_date_format():
    from ui import fmt
    assert fmt.grid_date_format("zh") == "YYYY年M月D日"
    assert fmt.grid_date_format("en", time=True) == "MMM D, YYYY HH:mm"
