"""Every URL parameter of every page, fuzzed: out of range, wrong type, huge, empty, repeated.

The parameters are not listed by hand: each page runs once in AppTest and reports the parameters
it declared (ui.state records every url_value/url_widget call with its kind, options and bounds);
a page is also run once per value of each of its choice parameters, which brings out parameters
that only exist in one view (e.g. ``pg_demo_date`` in the demonstration view, ``from``/``to`` with
``period=custom``). Then every parameter gets every bad value, in a few runs per page and view:
no exception may show, and every value the test's own rules call invalid must be named in the
notice."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.apptest import errors, run_app


def _exceptions(at) -> list[str]:
    return [str(e.message) + str(e.stack_trace[-3:]) for e in at.exception]
from ui.i18n import t
from ui.pages_registry import ALL_PAGES, PAGES

GLOBAL = {"lang", "period", "from", "to", "district", "route"}
BAD = {
    "out_of_range_low": lambda p: {"int": "-99999", "date": "0001-01-01"}.get(p["kind"], "zz-nope"),
    "out_of_range_high": lambda p: {"int": "1000000", "date": "9999-12-31"}.get(p["kind"], "999999"),
    "wrong_type": lambda p: "abc<a href='x'>**x**</a>",
    "huge": lambda p: "9" * 40 if p["kind"] in ("int", "date") else "x" * 20000,
    "empty": lambda p: "",
    "repeated": lambda p: None,          # see _query
}


def _declared(at) -> dict:
    return dict(at.session_state["_qp_declared"]) if "_qp_declared" in at.session_state else {}


def _discover(spec) -> list[tuple[dict, dict]]:
    """(context query, parameters declared under it) for a page: its default view and, for each
    choice parameter, each of its other values."""
    base_q = {"lang": "en"}
    at = run_app(spec.path, base_q)
    assert errors(at) == []
    seen = _declared(at)
    out = [(base_q, dict(seen))]
    contexts = [{"period": "custom"}] if spec.default else []
    for name, p in seen.items():
        if p["kind"] == "choice" and name not in GLOBAL:
            contexts += [{name: o} for o in p["options"] if o != str(p["default"])]
    for ctx in contexts:
        at = run_app(spec.path, {**base_q, **ctx})
        assert errors(at) == [], (spec.path, ctx)
        found = _declared(at)
        new = {k: v for k, v in found.items() if k not in seen}
        if new:
            seen.update(new)
            out.append(({**base_q, **ctx}, found))
    return out


def _invalid(p: dict, raw: str) -> bool:
    """The test's own rule: would ``raw`` be rejected or changed for parameter ``p``?"""
    kind = p["kind"]
    try:
        if kind == "choice":
            return raw not in p["options"]
        if kind == "multi":
            if raw == "":
                return False                     # an empty selection
            items = raw.split(",")
            return any(x not in p["options"] for x in items) or len(set(items)) != len(items)
        if kind == "int":
            v = int(raw)
            return (p["min"] is not None and v < p["min"]) or (p["max"] is not None and v > p["max"])
        if kind == "date":
            v = dt.date.fromisoformat(raw)
            return v < (p["min"] or dt.date(2000, 1, 1)) or v > (p["max"] or dt.date(2035, 12, 31))
        if kind == "bool":
            return raw.lower() not in ("0", "1", "true", "false")
    except ValueError:
        return True
    return False        # free text: any value is allowed (long ones are shortened, not checked here)


def _notice(at) -> str:
    return " ".join(str(x.value) for x in at.toast)


CASES = []
for _spec in [p for p in PAGES if not p.internal] + [p for p in ALL_PAGES if p.internal and p in PAGES]:
    CASES.append(_spec)


@pytest.mark.parametrize("spec", CASES, ids=lambda s: s.url_path)
def test_every_url_parameter_fuzzed(app_env, monkeypatch, spec):
    if spec.internal:
        monkeypatch.setenv("ODR_MODE", "internal")
    views = _discover(spec)
    total = 0
    for ctx, params in views:
        names = [n for n in params if n not in ctx and (spec.default or n not in GLOBAL)]
        for bad_name, make in BAD.items():
            query = dict(ctx)
            expect = []
            for n in names:
                p = params[n]
                if bad_name == "repeated":
                    good = str(p["default"]) if p["kind"] not in ("multi", "bool") else None
                    if p["kind"] == "bool":
                        good = "1" if p["default"] else "0"
                    if p["kind"] == "multi":
                        good = ",".join(p["options"][:1])
                    if p["kind"] == "date" or good in (None, "None"):
                        good = "2024-01-01" if p["kind"] == "date" else "x"
                    query[n] = [good, good]
                    expect.append(n)
                else:
                    raw = make(p)
                    query[n] = raw
                    if _invalid(p, raw):
                        expect.append(n)
            at = run_app(spec.path, query)
            total += 1
            assert _exceptions(at) == [], (spec.url_path, bad_name, ctx)
            assert at.title, (spec.url_path, bad_name)
            notice = _notice(at)
            read = _declared(at)        # a page that stops early (no records) reads fewer parameters
            missing = [n for n in expect if n in read and n not in notice]
            assert not missing, (spec.url_path, bad_name, ctx, missing, notice)
    assert total >= len(BAD)


def test_notice_names_the_parameter_and_clamps(app_env):
    at = run_app("pages/districts.py", {"lang": "en", "dr_w_cl": "-50", "dr_w_pc": "99999999999999999999"})
    assert errors(at) == []
    notice = _notice(at)
    assert "dr_w_cl" in notice and "dr_w_pc" in notice
    assert notice.startswith(t("url.invalid", "en", names="")[:20])
    sliders = {s.label: s.value for s in at.slider}
    assert 0 in sliders.values()                    # -50 clamped to the minimum
    at = run_app(None, {"period": "custom", "from": "9999-01-01", "to": "9999-12-31"})
    assert errors(at) == []
    assert {d.value for d in at.sidebar.date_input} == {dt.date(2035, 12, 31)}
    # a valid link gives no notice
    at = run_app(None, {"lang": "en", "period": "4w"})
    assert _notice(at) == ""
