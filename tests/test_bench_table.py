"""The benchmark's page-ready table (bench/bench.py): ratios to the floor page with two decimals (a
target such as 1.5× is met or missed by hundredths), the widget floor as a reference row."""
from bench.bench import page_ready_table
from bench.pageready import PageReady, ReadyResult


def _result(widgets=True):
    pages = {"floor": PageReady("floor", first_s=0.8, warm=[0.9, 1.0, 0.95]),
             "overview": PageReady("overview", first_s=1.7, warm=[1.40, 1.43, 1.45])}
    r = ReadyResult(pages, rounds=3)
    if widgets:
        r.floor_widgets = PageReady("floor_widgets", warm=[1.2, 1.25, 1.3])
    return r


def test_ratios_have_two_decimals_and_the_widget_floor_is_a_reference_row():
    text = page_ready_table([{"page": "overview", "duckdb_ms": 93.4}], _result())
    rows = [l for l in text.splitlines() if l.startswith("| ")]
    assert rows[1] == "| overview | 93 | 1.70 | 1.43 | 2.12× | 1.51× |"     # 1.43 / 0.95 = 1.505…
    assert rows[2] == "| *floor (one-line page)* | — | 0.80 | 0.95 | 1.00× | 1.00× |"
    assert rows[3] == "| *floor with widgets (bench/floor_widgets_app.py)* | — | — | 1.25 | — | 1.32× |"


def test_without_the_widget_floor_the_table_ends_with_the_floor():
    text = page_ready_table([], _result(widgets=False))
    assert text.splitlines()[-1].startswith("| *floor (one-line page)*")
    assert "| overview | — |" in text
