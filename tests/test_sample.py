"""The sample reproduces the article, is calibrated to domain.md §6, and the CLI works."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from analytics import build, db, queries, sample
from analytics.db import query, scalar
from analytics.filters import Filters
from tests.fixtures import D

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTICLE = Filters(D("2023-01-01"), D("2024-03-14"))


def test_article_figures(sample_con):
    out = queries.figures(sample_con, ARTICLE)
    assert out["odr_enterprises"] == 152
    assert out["odr_resolved"] == 516
    assert out["return_stores"] == 3725
    # the article: 322.60万余元, i.e. 3,226,000 ≤ x < 3,226,100 (shown as 322.60万元)
    assert 3_226_000 <= out["returns"]["amount_yuan"] < 3_226_100
    assert out["returns"]["completion_rate"] == 1.0
    assert out["demo_districts"] == 21
    assert out["demo_chain_stores"] == 200
    assert out["demo_operators"] == 10154


def test_calibration(sample_con):
    c = sample_con
    per_year = query(c, """SELECT year(received_date) y, count(*) n FROM complaints
                           WHERE appeal_type = '投诉' GROUP BY 1 ORDER BY 1""").set_index("y")["n"]
    assert 2500 <= per_year[2022] <= 3800 and 2500 <= per_year[2023] <= 3800
    k = queries.complaint_kpis(c, ARTICLE).iloc[0]
    assert k["median_days_odr"] <= 2
    assert 3 <= k["median_days_traditional"] <= 10
    assert 0.10 <= k["complaints_odr"] / k["complaints"] <= 0.25
    assert 150 <= k["recovered_yuan"] / k["complaints"] <= 550
    # ODR begins 2023-01-01
    assert scalar(c, "SELECT count(*) FROM complaints WHERE is_odr AND received_date < DATE '2023-01-01'") == 0
    # some complaints are still open at the as-of date
    assert scalar(c, "SELECT count(*) FROM complaints WHERE closed_date IS NULL") > 0
    # no closed date after the as-of date, none before the received date
    assert scalar(c, "SELECT count(*) FROM complaints WHERE closed_date > DATE '2024-03-14' "
                     "OR closed_at < received_at") == 0
    # reports are stored but not counted
    assert scalar(c, "SELECT count(*) FROM complaints WHERE appeal_type = '举报'") > 0


def test_seasonality(sample_con):
    w = queries.weekly_complaints(sample_con, Filters(D("2022-01-03"), D("2023-12-31")))
    w = w.set_index("week")["complaints"]
    typical = w.median()
    # 3·15 week (ISO week 11), +30 % on average over the two years (one year alone is noisy)
    assert (w["2022-W11"] + w["2023-W11"]) / 2 > 1.15 * typical
    # Spring Festival 2023: 21–27 January = ISO week 2023-W03/W04
    assert min(w["2023-W03"], w["2023-W04"]) < 0.75 * typical
    assert w["2022-W05"] < 0.75 * typical                 # 2022: 31 January – 6 February
    # summer tourism: catering/lodging/tourism/parking in 临泽/甘州/肃南 up in July–October
    t = query(sample_con, """
        SELECT month(received_date) BETWEEN 7 AND 10 AS summer, count(*) AS n
        FROM complaints WHERE category IN ('餐饮和住宿服务', '旅游服务', '停车服务')
          AND district_code IN ('620702', '620721', '620723') AND year(received_date) = 2023
        GROUP BY 1""").set_index("summer")["n"]
    assert t[True] / 4 > 1.5 * t[False] / 8               # per month
    weekday = query(sample_con, """SELECT isodow(received_date) >= 6 AS weekend, count(*) n
                                   FROM complaints GROUP BY 1""").set_index("weekend")["n"]
    assert 0.35 < (weekday[True] / 2) / (weekday[False] / 5) < 0.7


def test_sample_is_deterministic(tmp_path, sample_con):
    p = tmp_path / "again.duckdb"
    build.build_atomically(p, lambda con: sample.fill(con))
    c = db.connect(p, read_only=True)
    a = query(c, "SELECT reg_no, received_at, closed_at, outcome, merchant_name FROM complaints ORDER BY reg_no")
    b = query(sample_con, "SELECT reg_no, received_at, closed_at, outcome, merchant_name FROM complaints ORDER BY reg_no")
    pd.testing.assert_frame_equal(a, b)
    c.close()


def test_no_real_business_names(sample_con):
    names = query(sample_con, "SELECT name FROM merchants UNION SELECT name FROM demo_units")["name"]
    for real in ("德生堂", "国芳", "鑫汇", "新乐"):
        assert not names.str.contains(real).any()


def test_schema_has_no_personal_data(sample_con):
    cols = query(sample_con, "SELECT table_name, column_name FROM information_schema.columns")
    bad = ("complainant", "phone", "id_number", "address", "投诉人", "电话", "身份证", "consumer_name")
    assert not cols["column_name"].str.contains("|".join(bad)).any()


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=300)


def test_figures_command(sample_db):
    r = _cli("figures", "--from", "2023-01-01", "--to", "2024-03-14", "--db", str(sample_db), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)          # nothing but one JSON object on stdout
    assert out["odr_resolved"] == 516 and out["from"] == "2023-01-01"
    keys = {"from", "to", "complaints", "complaints_odr", "closed", "closure_rate", "on_time_rate",
            "median_days", "p90_days", "recovered_yuan", "disputed_yuan", "odr_resolved",
            "odr_enterprises", "return_stores", "returns", "demo_districts", "demo_chain_stores",
            "demo_operators", "districts", "weekly"}
    assert keys <= out.keys()
    assert [d["code"] for d in out["districts"]] == ["620702", "620721", "620722", "620723", "620724", "620725"]
    assert out["weekly"][0] == {"week": "2022-W52", "complaints": out["weekly"][0]["complaints"], "partial": True}
    assert out["weekly"][-1]["week"] == "2024-W11" and out["weekly"][-1]["partial"] is True
    # ODR_DB is honoured when --db is absent
    r2 = _cli("figures", "--from", "2023-01-01", "--to", "2024-03-14", "--json", env={"ODR_DB": str(sample_db)})
    assert json.loads(r2.stdout) == out


@pytest.mark.parametrize("args,needle", [
    (["figures", "--from", "2024-03-01", "--to", "2024-02-01", "--json"], "inverted"),
    (["figures", "--from", "2024-03-01", "--to", "2024-04-01", "--json", "--bogus"], "unrecognized"),
    (["figures", "--from", "2024-13-01", "--to", "2024-04-01", "--json"], "not a date"),
])
def test_figures_command_errors(sample_db, args, needle):
    r = _cli(*args, "--db", str(sample_db))
    assert r.returncode != 0 and r.stdout == ""
    assert needle in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_figures_unreadable_database(tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database")
    r = _cli("figures", "--from", "2024-01-01", "--to", "2024-01-31", "--db", str(bad), "--json")
    assert r.returncode != 0 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1
    r = _cli("figures", "--from", "2024-01-01", "--to", "2024-01-31", "--db", str(tmp_path / "none.duckdb"), "--json")
    assert r.returncode != 0 and "does not exist" in r.stderr


def test_init_empty_and_scaled_sample(tmp_path):
    empty = tmp_path / "empty.duckdb"
    r = _cli("init", "--db", str(empty))
    assert r.returncode == 0, r.stderr
    c = db.connect(empty, read_only=True)
    assert scalar(c, "SELECT count(*) FROM districts") == 6
    assert scalar(c, "SELECT count(*) FROM complaints") == 0
    assert scalar(c, "SELECT count(*) FROM calendar WHERE d = DATE '2024-02-18' AND is_workday") == 1
    out = queries.figures(c, ARTICLE)
    assert out["complaints"] == 0 and out["odr_enterprises"] == 0
    c.close()
    big = tmp_path / "scaled.duckdb"
    r = _cli("init", "--sample", "--rows", "20000", "--db", str(big))
    assert r.returncode == 0, r.stderr
    c = db.connect(big, read_only=True)
    assert scalar(c, "SELECT count(*) FROM complaints WHERE appeal_type = '投诉'") == 20000
    assert scalar(c, "SELECT count(*) FROM complaints WHERE appeal_type = '举报'") == 800   # 4 % on top
    c.close()
