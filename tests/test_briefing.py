"""The Monday briefing (briefing/): CLI files, PDF text, numbers equal to the analytics functions
and to the pages, noise rules, errors, and the Briefing page."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analytics import queries, rankings, resolution, stats
from analytics import trends as T
from analytics.filters import Filters
from briefing import facts as F
from briefing import text as X
from briefing.__main__ import main
from tests.apptest import errors, run_app
from tests.fixtures import complaint, make_db, open_db

ROOT = Path(__file__).resolve().parent.parent
W10 = Filters(dt.date(2024, 3, 4), dt.date(2024, 3, 10))


def _flat(s: str) -> str:
    """Text without any whitespace (pdftotext breaks lines and spaces CJK text freely)."""
    return re.sub(r"\s+", "", s)


# --- the CLI writes the three files -----------------------------------------------------------------

@pytest.fixture(scope="module")
def cli_run(sample_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("briefings")
    r = subprocess.run([sys.executable, "-m", "briefing", "--week", "2024-W10", "--db", str(sample_db),
                        "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    return r, out


def test_cli_writes_docx_pdf_html(cli_run):
    r, out = cli_run
    assert r.returncode == 0, r.stderr
    paths = [Path(p) for p in r.stdout.split()]
    assert [p.suffix for p in paths] == [".docx", ".pdf", ".html"]
    assert all(p.exists() and p.parent == out and p.stat().st_size > 10_000 for p in paths)
    import docx
    d = docx.Document(str(paths[0]))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "2024年第10周，3月4日—3月10日" in text
    assert len(d.inline_shapes) == 3                      # three charts
    assert abs(d.sections[0].page_width.cm - 21.0) < 0.01 and abs(d.sections[0].page_height.cm - 29.7) < 0.01
    page = paths[2].read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 3 and "3月4日—3月10日" in page


def test_pdf_page_one_renders_and_holds_the_weeks_figures(cli_run, sample_con, tmp_path):
    r, out = cli_run
    pdf = out / "briefing_2024-W10.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 1 <= pages <= 2 and "(A4)" in info
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    w, h = _png_size(png.read_bytes())
    assert abs(h / w - 297 / 210) < 0.01                  # an A4 page
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert fonts.count(" yes ") >= 1                      # fonts embedded
    txt = _flat(subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                               text=True, check=True).stdout)
    k = queries.complaint_kpis(sample_con, W10).iloc[0]
    assert f"本周共登记投诉{int(k['complaints'])}件" in txt
    assert "2024年第10周，3月4日—3月10日" in txt
    assert f"按期办结率{k['on_time_rate'] * 100:.1f}%" in txt
    assert "数据截至2024年3月14日" in txt


def _png_size(b: bytes) -> tuple[int, int]:
    return int.from_bytes(b[16:20], "big"), int.from_bytes(b[20:24], "big")


# --- every number equals the analytics function's value -------------------------------------------

def test_numbers_in_sentences_equal_the_analytics_values(sample_con):
    facts = F.gather(sample_con, "2024-W10")
    con, f = sample_con, W10
    k = queries.complaint_kpis(con, f).iloc[0]
    prev = queries.complaint_kpis(con, queries.previous_period(f)).iloc[0]
    s = T.weekly_stats(con, f).iloc[-1]
    cat = T.week_detail(con, f, f.date_from, "category")
    prob = T.week_detail(con, f, f.date_from, "problem")
    first, as_of = queries.data_coverage(con)
    od = resolution.deadline_by_district(con, Filters(first, f.date_to))
    ret = queries.returns_summary(con, f)
    ret_prev = queries.returns_summary(con, queries.previous_period(f))
    reg = queries.registry_counts(con, f)
    reg_prev = queries.registry_counts(con, queries.previous_period(f))
    gap = resolution.route_gap(con, f)["summary"].set_index("metric").loc["median"]
    units = rankings.compare_to_city(rankings.unit_metrics(con, f), rankings.city_reference(con, f))
    city = rankings.city_reference(con, f)

    expected = {
        X.fmt_int(k["complaints"]), X.fmt_int(k["complaints_odr"]), X.fmt_int(k["closed"]),
        X.fmt_pct(k["closure_rate"]), X.fmt_pct(k["on_time_rate"]), X.fmt_int(k["on_time"]),
        X.fmt_int(k["on_time_base"]), X.fmt_pct(prev["on_time_rate"]),
        X.fmt_pct(queries.closure_at_equal_age(con, f)["prev_rate"]),
        X.fmt_num(k["median_days_odr"]), X.fmt_num(k["median_days_traditional"]),
        X.fmt_int(s["previous_week"]), X.fmt_int(s["last_year"]), X.fmt_num(s["expected"]), X.fmt_num(s["lower"], 0), X.fmt_num(s["upper"], 0),
        X.fmt_int(abs(s["wow_change"])), X.fmt_int(abs(s["yoy_change"])),
        X.fmt_int(od["overdue_open"].sum()), X.fmt_int(ret["count"]), X.fmt_int(ret_prev["count"]),
        X.fmt_yuan(ret["amount_yuan"], "zh"), X.fmt_pct(ret["completion_rate"]),
        X.fmt_int(reg["odr_enterprises"]), X.fmt_int(reg["return_stores"]),
        X.fmt_int(abs(reg["odr_enterprises"] - reg_prev["odr_enterprises"])),
        X.fmt_int(abs(reg["return_stores"] - reg_prev["return_stores"])),
        X.fmt_num(abs(gap["raw"])), X.fmt_num(gap["raw_lo"]), X.fmt_num(gap["raw_hi"]),
    }
    expected |= {X.fmt_int(v) for v in od["overdue_open"]}
    for d in (cat, prob):
        top = d[(d["complaints"] > 0) & (d["value"] != T.MISSING)].head(3)
        expected |= {X.fmt_int(v) for v in top["complaints"]} | {X.fmt_pct(v) for v in top["share"]}
        expected |= {X.fmt_int(v) for v in d["complaints"]} | {X.fmt_int(v) for v in d["previous_week"]}
    for m in F.DISTRICT_METRICS:
        expected |= {X._metric_value(m, v, "zh").rstrip("件天") for v in units[m].dropna()}
        expected.add(X._metric_value(m, city[m], "zh").rstrip("件天"))

    doc = X.compose(facts, "zh")
    sentences = X.all_sentences(doc)
    assert sentences
    for sent in sentences:
        bare = re.sub(r"\d{4}年第\d{1,2}周|Week \d{1,2}, \d{4}", "", sent)   # week labels
        bare = re.sub(r"(\d{4}年)?\d{1,2}月\d{1,2}日", "", bare)             # dates
        bare = re.sub(r"(?<![\d.])(95|99)%", "", bare)                    # an interval's level
        for num in re.findall(r"\d[\d,]*(?:\.\d+)?(?:%|万元|元)?", bare):
            assert num in expected, (num, sent)
    text = "".join(sentences)
    assert f"本周共登记投诉{int(k['complaints'])}件" in text
    assert f"按期办结率{X.fmt_pct(k['on_time_rate'])}" in text
    assert f"办结率{X.fmt_pct(k['closure_rate'])}" in text


def test_numbers_equal_those_on_the_overview_and_trends_pages(app_env, sample_con):
    """The overview and trends pages for the custom period = the week show the same numbers."""
    facts = F.gather(sample_con, "2024-W10")
    text = "".join(X.all_sentences(X.compose(facts, "zh")))
    q = {"period": "custom", "from": "2024-03-04", "to": "2024-03-10"}
    ov = run_app("pages/overview.py", q)
    assert errors(ov) == []
    metrics = {m.label: m.value for m in ov.metric}
    assert f"办结率{metrics['办结率']}" in text
    assert f"按期办结率{metrics['按期办结率']}" in text
    odr, trad = metrics["中位办理天数 ODR / 传统"].split(" / ")
    assert f"ODR 渠道{odr}天，传统渠道{trad.removesuffix('天').strip()}天" in text
    tr = run_app("pages/trends.py", q)
    assert errors(tr) == []
    m = {x.label: x.value for x in tr.metric}
    assert f"本周共登记投诉{m['上周（第10周）']}件" in text
    # the verdicts too: the pages' deltas read 基本持平 exactly where the briefing says so
    deltas = {x.label: str(x.delta or "") for x in tr.metric}
    assert deltas["上周（第10周）"].startswith("基本持平") == (facts["volume"]["wow"] == "same")
    assert deltas["去年同周（第10周）"].startswith("基本持平") == (facts["volume"]["yoy"] == "same")
    ov_deltas = {x.label: str(x.delta or "") for x in ov.metric}
    assert ov_deltas["办结率"].startswith("基本持平") == (facts["rates"]["closure_change"] == "same")
    assert ov_deltas["按期办结率"].startswith("基本持平") == (facts["rates"]["on_time_change"] == "same")
    band = next(c.value for c in tr.caption if c.value.startswith("上周（第10周）的 99% 预测区间"))
    lo, hi = re.findall(r"\d[\d,]*", band.split("：")[1])[:2]
    assert f"预测区间为{lo}至{hi}件" in text


# --- noise rules -------------------------------------------------------------------------------------

def _weeks_db(path, this_week: int, last_week: int):
    """Complaints on Wednesdays: ``last_week`` in 2024-W09, ``this_week`` in 2024-W10."""
    rows = [complaint("2024-02-28 09:00", "2024-03-01") for _ in range(last_week)]
    rows += [complaint("2024-03-06 09:00", "2024-03-08") for _ in range(this_week)]
    return make_db(path, complaints=rows, meta={"as_of": "2024-03-17", "data_from": "2024-02-19"})


def test_about_the_same_when_within_noise(tmp_path, clean_streamlit):
    con = open_db(_weeks_db(tmp_path / "flat.duckdb", 31, 29))
    facts = F.gather(con, "2024-W10")
    assert facts["volume"]["wow"] == "same"
    zh = X.compose(facts, "zh")["sections"][0][1]
    assert "与上周（2024年第9周，29件）基本持平。" in zh
    assert not any("增加" in s or "减少" in s for s in zh)
    # two weeks of data: no band, and the trends page's own "not enough history" reason says why
    from ui.i18n import t
    assert not facts["volume"]["band"] and facts["volume"]["history"]
    assert t(f"tr.history.{facts['volume']['history']}", "zh") in zh
    en = X.compose(facts, "en")["sections"][0][1]
    assert "About the same as the week before (Week 9, 2024: 29)." in en


def test_change_named_when_beyond_noise(tmp_path, clean_streamlit):
    con = open_db(_weeks_db(tmp_path / "up.duckdb", 60, 20))
    facts = F.gather(con, "2024-W10")
    assert facts["volume"]["wow"] == "up"
    zh = "".join(X.compose(facts, "zh")["sections"][0][1])
    assert "较上周（2024年第9周，20件）增加40件，增长200.0%" in zh
    assert "基本持平" not in zh.split("去年")[0]


def test_empty_week_inside_the_data_says_so(tmp_path, clean_streamlit):
    con = open_db(_weeks_db(tmp_path / "empty.duckdb", 0, 5))
    facts = F.gather(con, "2024-W10")
    doc = X.compose(facts, "zh")
    assert facts["empty"] and "本周未登记投诉。" in X.all_sentences(doc)
    assert [h for h, _ in doc["sections"]][1] != "二、办理情况"   # no handling section without complaints


def test_rises_flag_at_most_the_nominal_rate_over_all_categories():
    """On data with no change (every category's count in both weeks from the same Poisson mean,
    means like the sample's categories), the Bonferroni-corrected "rose most" sentence appears in
    at most 5% of weeks."""
    rng = np.random.default_rng(20240304)
    means = np.array([9, 8, 7, 6, 5, 4, 4, 3, 3, 2, 2, 2, 1.5, 1, 1, 1, 0.5, 0.5, 0.5, 0.3])
    draws = 400
    a, b = rng.poisson(means, (draws, len(means))), rng.poisson(means, (draws, len(means)))
    values = [f"c{i}" for i in range(len(means))]
    named = np.mean([bool(F.rises(values, list(x), list(y))) for x, y in zip(a, b)])
    assert named <= 0.05
    # a real tripling of one category is named
    assert F.rises(values, [30] + [2] * 19, [10] + [2] * 19) == [0]


def test_verdicts_use_the_overviews_tests():
    assert F.count_direction(31, 29) == "same" and F.count_direction(60, 20) == "up"
    assert F.count_direction(20, 60) == "down"
    assert F.direction(stats.two_proportion_p(40, 40, 40, 40), 1.0, 1.0) == "same"
    assert F.direction(stats.two_proportion_p(40, 40, 20, 40), 1.0, 0.5) == "up"


# --- bad, partial, future and empty weeks ----------------------------------------------------------

@pytest.mark.parametrize("week,code,words", [
    ("2024-W60", 2, "no ISO week 60"),
    ("2024-10", 2, "not an ISO week"),
    ("2024-W11", 3, "not complete"),
    ("2030-W01", 3, "after the data"),
    ("2019-W01", 4, "no data for 2019-W01"),
])
def test_cli_refuses_bad_weeks_with_one_line(sample_db, tmp_path, capsys, week, code, words):
    rc = main(["--week", week, "--db", str(sample_db), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == code
    assert words in err and err.count("\n") == 1 and err.startswith("error: ")
    assert not list(tmp_path.iterdir())


def test_cli_refuses_a_missing_or_broken_database(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path)]) == 5
    bad = tmp_path / "bad.duckdb"
    bad.write_text("not a database")
    assert main(["--db", str(bad), "--out", str(tmp_path)]) == 5
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(e.startswith("error: cannot") for e in err)


def test_partial_week_is_labelled_up_to_the_as_of_date(sample_con):
    facts = F.gather(sample_con, "2024-W11", partial=True)
    assert facts["week"]["partial"] and facts["week"]["period_end"] == dt.date(2024, 3, 14)
    doc = X.compose(facts, "zh")
    assert doc["head"]["week"] == "2024年第11周，3月11日—3月17日（不完整周，截至3月14日）"
    k = queries.complaint_kpis(sample_con, Filters(dt.date(2024, 3, 11), dt.date(2024, 3, 14))).iloc[0]
    assert f"本周共登记投诉{int(k['complaints'])}件" in X.all_sentences(doc)[0]
    assert not any("上周" in s and "持平" in s for s in X.all_sentences(doc))   # partial weeks are not compared


def test_default_week_is_the_latest_whole_week(sample_con):
    assert F.latest_whole_week(sample_con) == "2024-W10"          # as-of date: Thursday 2024-03-14
    assert F.whole_weeks(sample_con)[0] == "2024-W10"
    assert F.gather(sample_con)["week"]["label"] == "2024-W10"


def test_link_opens_the_week_on_the_dashboard(sample_con, monkeypatch):
    monkeypatch.setenv("ODR_PUBLIC_URL", "https://odr.example.org/")
    facts = F.gather(sample_con, "2024-W10", lang="en")
    assert facts["link"] == "https://odr.example.org/overview?period=custom&from=2024-03-04&to=2024-03-10&lang=en"


# --- the page ----------------------------------------------------------------------------------------

def test_briefing_page_shows_the_week(app_env, sample_con):
    at = run_app("pages/briefing.py", {"week": "2024-W10"})
    assert errors(at) == []
    assert at.selectbox[0].value == "2024-W10"
    shown = [x.value for x in at.text]
    doc = X.compose(F.gather(sample_con, "2024-W10"), "zh")
    assert doc["head"]["week"] in shown
    assert all(s in shown for s in X.all_sentences(doc))
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"下载 Word", "下载 PDF", "下载网页版"} <= set(labels)


def test_briefing_page_explains_a_refused_week(app_env):
    at = run_app("pages/briefing.py", {"week": "2024-W11", "lang": "en"})
    assert errors(at) == []
    assert any("not complete" in w.value for w in at.warning)
    assert at.selectbox[0].value == "2024-W10"


def test_briefing_page_weeks_read_as_dates_and_charts_on_demand(app_env):
    at = run_app("pages/briefing.py", {"week": "2024-W10", "lang": "en"})
    assert errors(at) == []
    assert "Week 10, 2024 (Mar 4 – Mar 10)" in at.selectbox[0].options     # no raw 2024-W10 on screen
    assert len(at.get("plotly_chart")) == 1                                # the weekly chart; the rest on demand
    assert not any("python -m" in c.value or "cron" in c.value for c in at.caption)
    at.session_state["bf-charts"] = True
    at.run()
    assert errors(at) == [] and len(at.get("plotly_chart")) == 3
