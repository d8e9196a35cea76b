"""Built figures kept per process (ui/figmemo): the same arguments give the same figure without
building it again, any different input gives a new one, and nothing is shared by mistake."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from ui import charts, figmemo
from ui.figures import resolution as F

CALLS = []


@figmemo.memo
def _builder(df, *, title, label=None, scale=1.0):
    # (no global state here: a builder's key includes the values of the globals it reads)
    fig = charts.new_figure(title, height=300)
    names = [label(x) if label else x for x in df["name"]]
    fig.add_bar(x=names, y=df["n"] * scale, name="n")
    return fig


@pytest.fixture(autouse=True)
def fresh():
    figmemo.clear()
    CALLS.clear()
    yield
    figmemo.clear()


def builds() -> int:
    """Figures built so far (memo misses)."""
    return figmemo.stats()["misses"]


def _df(n=(3, 5, 7)):
    return pd.DataFrame({"name": ["甲", "乙", "丙"], "n": list(n)})


def _same(a: go.Figure, b: go.Figure) -> bool:
    return json.loads(a.to_json()) == json.loads(b.to_json())


def test_equal_arguments_build_once_and_give_equal_new_figures():
    n = builds()
    a = _builder(_df(), title="T")
    b = _builder(_df(), title="T")            # an equal frame, not the same object
    assert builds() == n + 1
    assert a is not b and _same(a, b)
    # the figure is the builder's own, as drawn (data and layout)
    direct = _builder.unmemoised(_df(), title="T")
    assert _same(a, direct)
    # values read back from the figure are its numbers (not an encoded array)
    assert [float(v) for v in a.data[0].y] == [3.0, 5.0, 7.0]
    # a caller changing its figure changes nothing for the next reader
    a.layout.title.text = "changed"
    a.data[0].x = ["x", "y", "z"]
    c = _builder(_df(), title="T")
    assert c.layout.title.text == "T" and list(c.data[0].x) == ["甲", "乙", "丙"]
    assert figmemo.stats()["hits"] >= 2


@pytest.mark.parametrize("change", [
    dict(df=_df((3, 5, 8))),                                  # one value in the data
    dict(df=_df().rename(columns={"n": "n"}).astype({"n": "float64"})),   # its type
    dict(title="T2"),                                         # a label
    dict(scale=2.0),                                          # an option
])
def test_any_different_input_builds_again(change):
    base = dict(df=_df(), title="T")
    n = builds()
    _builder(base["df"], title=base["title"])
    args = {**base, **change}
    df = args.pop("df")
    fig = _builder(df, **args)
    assert builds() == n + 2
    assert _same(fig, _builder.unmemoised(df, **args))


def test_the_readers_language_is_part_of_the_key(monkeypatch):
    from ui import i18n
    n = builds()
    _builder(_df(), title="T")
    monkeypatch.setattr(i18n, "current_lang", lambda: "en")
    _builder(_df(), title="T")
    assert builds() == n + 2


def test_functions_are_keyed_by_code_closure_and_the_globals_they_read():
    # a formatter closing over a value: another value is another figure
    def fmt_with(suffix):
        return lambda x: x + suffix
    n = builds()
    a = _builder(_df(), title="T", label=fmt_with("!"))
    b = _builder(_df(), title="T", label=fmt_with("?"))
    assert [list(f.data[0].x) for f in (a, b)] == [["甲!", "乙!", "丙!"], ["甲?", "乙?", "丙?"]]
    assert builds() == n + 2
    # the same code and values: built once
    _builder(_df(), title="T", label=fmt_with("!"))
    assert builds() == n + 2
    # a formatter reading a module-level name (a page's `lang`): its value is part of the key
    g = {"SUFFIX": "·zh"}
    reader = eval("lambda x: x + SUFFIX", g)                  # noqa: S307 — a function with its own globals
    assert list(_builder(_df(), title="T", label=reader).data[0].x)[0] == "甲·zh"
    g["SUFFIX"] = "·en"
    assert list(_builder(_df(), title="T", label=reader).data[0].x)[0] == "甲·en"
    assert builds() == n + 4


def test_an_argument_without_a_stable_value_is_built_every_time():
    class Opaque:
        pass
    unkeyed = figmemo.stats()["unkeyed"]

    @figmemo.memo
    def build(obj, title):
        CALLS.append(title)
        return charts.new_figure(title)
    build(Opaque(), "A")
    build(Opaque(), "A")
    assert CALLS == ["A", "A"]
    assert figmemo.stats()["unkeyed"] == unkeyed + 2


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(figmemo, "MAX_ITEMS", 3)
    for i in range(6):
        _builder(_df(), title=f"T{i}")
    assert len(figmemo._store) == 3
    n = builds()
    _builder(_df(), title="T5")               # kept
    assert builds() == n
    _builder(_df(), title="T0")               # evicted: built again
    assert builds() == n + 1


def test_page_figures_are_memoised_and_equal_to_the_builders():
    """The resolution page's distribution chart, as the page calls it (a legend formatter included)."""
    counts = pd.DataFrame({"route": ["odr"] * 4 + ["traditional"] * 4, "t": [0, 1, 2, 40] * 2,
                           "n": [5, 9, 3, 1, 2, 7, 8, 4], "closed": [True] * 8})
    kw = dict(mode="hist", title="T", x_label="x", y_label="y", cap=F.cap_for(counts),
              legend_name=lambda name, n: f"{name} ({n})")
    names = {"odr": "ODR", "traditional": "Trad"}
    misses = figmemo.stats()["misses"]
    a = F.distribution_figure(counts, ["odr", "traditional"], names, **kw)
    b = F.distribution_figure(counts, ["odr", "traditional"], names, **kw)
    assert figmemo.stats()["misses"] == misses + 1
    assert _same(a, b) and _same(a, F.distribution_figure.unmemoised(counts, ["odr", "traditional"], names, **kw))
    assert [tr.name for tr in a.data] == ["ODR (18)", "Trad (21)"]


def test_weighted_percentile_is_numpys_percentile_of_the_repeated_values():
    rng = np.random.default_rng(7)
    for _ in range(500):
        k = int(rng.integers(1, 25))
        v, n = rng.integers(0, 90, k), rng.integers(0, 40, k)
        if n.sum() == 0:
            continue
        q = float(rng.choice([0, 1, 50, 90, 99, 100, rng.uniform(0, 100)]))
        assert F.weighted_percentile(v, n, q) == pytest.approx(np.percentile(np.repeat(v, n), q), abs=1e-9)


def test_keys_see_the_order_of_categories_and_the_index():
    df = _df()
    a = df.assign(name=pd.Categorical(df["name"], categories=["甲", "乙", "丙"]))
    b = df.assign(name=pd.Categorical(df["name"], categories=["丙", "乙", "甲"]))
    assert figmemo.key_of(_builder, (a,), {"title": "T"}, "zh") != figmemo.key_of(_builder, (b,), {"title": "T"}, "zh")
    assert figmemo.key_of(_builder, (df,), {"title": "T"}, "zh") != \
        figmemo.key_of(_builder, (df.set_index(pd.Index([5, 6, 7])),), {"title": "T"}, "zh")
    assert figmemo.key_of(_builder, (df,), {"title": "T"}, "zh") == figmemo.key_of(_builder, (df.copy(),), {"title": "T"}, "zh")
