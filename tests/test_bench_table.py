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


def test_main_thread_cpu_counts_the_page_renderers_top_level_tasks():
    """bench/interleave.py --cpu: the thread time of the renderer main thread's top-level tasks, of
    the renderer with the most (the page's); other threads and processes are not counted."""
    from bench.interleave import main_thread_cpu_ms, table

    def name(pid, tid, n):
        return {"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": n}}

    def task(pid, tid, tdur, n="ThreadControllerImpl::RunTask"):
        return {"ph": "X", "name": n, "pid": pid, "tid": tid, "dur": tdur * 3, "tdur": tdur}
    events = [name(1, 10, "CrRendererMain"), name(1, 11, "Compositor"), name(2, 20, "CrRendererMain"),
              name(3, 30, "CrBrowserMain"),
              task(1, 10, 400_000), task(1, 10, 100_000, "RunTask"), task(1, 11, 900_000),
              task(2, 20, 50_000), task(3, 30, 700_000),
              {"ph": "X", "name": "V8.Execute", "pid": 1, "tid": 10, "tdur": 999_000}]
    assert main_thread_cpu_ms(events) == 500.0
    assert main_thread_cpu_ms([name(3, 30, "CrBrowserMain"), task(3, 30, 1)]) is None
    text = table(["f", "p"], {"f": [1.0, 1.2, 0.8], "p": [1.5, None, 1.6]},
                 {"f": [300.0, 310.0, 290.0], "p": [600.0, None, 630.0]})
    rows = text.splitlines()
    assert rows[0].endswith("| main-thread CPU ms | min | max | × first |")
    assert rows[2] == "| f | 1.00 | 0.80 | 1.20 | 1.00× | 300 | 290 | 310 | 1.00× |"
    assert rows[3] == "| p | 1.55 | 1.50 | 1.60 | 1.55× | 615 | 600 | 630 | 2.05× |"
