"""Explore page: facets, records, exports (formula neutralisation), the data dictionary, the
citation block, and the explore / SQL / methodology pages in AppTest."""
from __future__ import annotations

import datetime as dt
import io
import json

import duckdb
import pandas as pd
import pytest

from analytics import build, db, dictionary, explore, metrics
from analytics.filters import Filters
from tests.apptest import errors, run_app, text_tables
from tests.fixtures import D, complaint, make_db, open_db
from ui import charts, cite
from ui.figures import explore as figs

F = Filters(D("2024-03-01"), D("2024-03-31"))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    p = tmp_path_factory.mktemp("explore") / "e.duckdb"
    make_db(p, complaints=[
        # R1 A: Ganzhou, traditional, goods/food, quality, closed (调解成功)
        complaint("2024-03-01 09:00", "2024-03-05", reg_no="R1", channel="12315热线", object_class="商品",
                  category="食品", problem="质量", merchant="甲食品店", credit_code="91620702TEST00001",
                  disputed=100, recovered=50),
        # R2 B: Ganzhou, ODR, services/catering, price, closed (和解); a formula-like merchant name
        complaint("2024-03-02 10:00", "2024-03-04", reg_no="R2", is_odr=True, channel="ODR", object_class="服务",
                  category="餐饮和住宿服务", problem="价格", merchant='=HYPERLINK("http://x","y")', disputed=300),
        # R3 C: Sunan, traditional, goods/food, contract, open
        complaint("2024-03-03 11:00", None, reg_no="R3", district="620721", channel="12345转办", category="食品",
                  problem="合同", merchant="+乙商店", disputed=100),
        # R4 D: Ganzhou, traditional, goods/appliances, quality, closed (调解不成功)
        complaint("2024-03-04 12:00", "2024-03-08", reg_no="R4", channel="12315平台", category="家用电器",
                  problem="质量", outcome="调解不成功", merchant="-丙电器", disputed=50),
        # R5 G: Sunan, traditional, services/tourism, quality, open, no disputed amount
        complaint("2024-03-05 13:00", None, reg_no="R5", district="620721", channel="12315热线", object_class="服务",
                  category="旅游服务", problem="质量", merchant="@丁旅行社", disputed=None),
        # excluded: a report, and a complaint outside the period
        complaint("2024-03-06", None, reg_no="X1", appeal_type="举报", merchant="甲食品店"),
        complaint("2024-02-01", "2024-02-02", reg_no="X2", merchant="甲食品店"),
    ])
    c = open_db(p)
    yield c
    c.close()


def _counts(df, facet):
    return dict(zip(df.loc[df["facet"] == facet, "value"], df.loc[df["facet"] == facet, "n"]))


def test_facet_counts_hand_computed(con):
    c = explore.facet_counts(con, F)
    # five complaints in March (R1–R5); the report X1 and February's X2 are not counted
    assert _counts(c, "route") == {"odr": 1, "traditional": 4}                     # R2 | R1 R3 R4 R5
    assert _counts(c, "districts") == {"620702": 3, "620721": 2}                   # R1 R2 R4 | R3 R5
    assert _counts(c, "channels") == {"12315热线": 2, "ODR": 1, "12345转办": 1, "12315平台": 1}
    assert _counts(c, "object_classes") == {"商品": 3, "服务": 2}                  # R1 R3 R4 | R2 R5
    assert _counts(c, "categories") == {"食品": 2, "餐饮和住宿服务": 1, "家用电器": 1, "旅游服务": 1}
    assert _counts(c, "problems") == {"质量": 3, "价格": 1, "合同": 1}             # R1 R4 R5 | R2 | R3
    assert _counts(c, "outcomes") == {"调解成功": 1, "和解": 1, "调解不成功": 1}   # open ones have none
    assert _counts(c, "status") == {"closed": 3, "open": 2}                        # R1 R2 R4 | R3 R5


def test_facet_counts_apply_the_other_facets(con):
    c = explore.facet_counts(con, F.with_(object_classes=("商品",)))
    # its own facet ignores the selection (so the other value stays selectable) …
    assert _counts(c, "object_classes") == {"商品": 3, "服务": 2}
    # … every other facet counts goods only: R1, R3, R4
    assert _counts(c, "categories") == {"食品": 2, "家用电器": 1}
    assert _counts(c, "route") == {"traditional": 3}
    assert _counts(c, "status") == {"closed": 2, "open": 1}                        # R1 R4 | R3
    assert _counts(c, "districts") == {"620702": 2, "620721": 1}
    c = explore.facet_counts(con, F.with_(route="odr", status="closed"))
    assert _counts(c, "route") == {"odr": 1, "traditional": 2}                     # closed: R2 | R1 R4
    assert _counts(c, "status") == {"closed": 1}                                   # ODR: R2 only
    assert explore.record_count(con, F.with_(route="odr", status="closed")) == 1


def test_facet_values_are_stable_option_lists(con):
    v = explore.facet_values(con)
    cats = list(v.loc[v["facet"] == "categories", "value"])
    # all periods (X2 in February adds a 食品), most frequent first: 食品 3, then ties by value
    assert cats[0] == "食品"
    assert set(cats) == {"食品", "餐饮和住宿服务", "家用电器", "旅游服务"}
    assert list(v.loc[v["facet"] == "districts", "value"]) == ["620702", "620721", "620722", "620723",
                                                               "620724", "620725"]


def test_record_count_and_merchant_search(con):
    assert explore.record_count(con, F) == 5
    assert explore.record_count(con, F.with_(merchant="食品店")) == 1              # R1 (X1, X2 excluded)
    assert explore.record_count(con, F.with_(merchant="91620702TEST00001")) == 1   # exact credit code
    assert explore.record_count(con, F.with_(merchant="%")) == 0                   # a literal %, not a wildcard
    assert explore.record_count(con, F.with_(merchant="hyperlink")) == 1           # case-insensitive
    assert explore.record_count(con, F.with_(districts=("620721",), status="open")) == 2


def test_records_sorted_and_paged(con):
    # disputed: R2 300, R1 100, R3 100, R4 50, R5 null. Ties broken by reg_no in the same
    # direction, nulls always last.
    desc = explore.records(con, F, "disputed", True, 10, 0)
    assert list(desc["reg_no"]) == ["R2", "R3", "R1", "R4", "R5"]
    asc = explore.records(con, F, "disputed", False, 10, 0)
    assert list(asc["reg_no"]) == ["R4", "R1", "R3", "R2", "R5"]
    page2 = explore.records(con, F, "disputed", True, 2, 2)
    assert list(page2["reg_no"]) == ["R1", "R4"]
    assert list(desc.columns) == explore.RECORD_COLUMNS
    r1 = desc.set_index("reg_no").loc["R1"]
    assert r1["district"] == "甘州区" and r1["status"] == "closed" and r1["resolution_days"] == 4
    with pytest.raises(ValueError):
        explore.records(con, F, "merchant_name; DROP TABLE complaints", True, 10, 0)


def test_records_hold_no_personal_data():
    personal = ("phone", "mobile", "id_card", "id_no", "address", "complainant", "consumer", "name_of")
    assert not [c for c in explore.RECORD_COLUMNS if any(p in c for p in personal)]


def test_export_cap(con):
    assert len(explore.export_records(con, F, cap=3)) == 3
    assert len(explore.export_records(con, F)) == 5


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("safe", "safe"), ("a=b", "a=b"), (-5, -5), (None, None),
])
def test_neutralise(value, expected):
    assert charts.neutralise(value) == expected


def test_csv_export_bom_and_neutralised(con):
    df = explore.export_records(con, F, "reg_no", False)
    raw = figs.records_csv(df)
    assert raw.startswith("\ufeff".encode("utf-8"))
    back = pd.read_csv(io.StringIO(raw.decode("utf-8-sig")), dtype=str, keep_default_na=False)
    names = dict(zip(back["reg_no"], back["merchant_name"]))
    assert names == {"R1": "甲食品店", "R2": "'=HYPERLINK(\"http://x\",\"y\")", "R3": "'+乙商店",
                     "R4": "'-丙电器", "R5": "'@丁旅行社"}
    assert back.loc[back["reg_no"] == "R1", "received_at"].iat[0] == "2024-03-01 09:00:00"
    assert back.loc[back["reg_no"] == "R3", "closed_at"].iat[0] == ""
    assert back.loc[back["reg_no"] == "R1", "disputed_yuan"].iat[0] == "100.0"   # numbers untouched


def test_json_export_neutralised_and_described(con):
    df = explore.export_records(con, F, "reg_no", False, cap=4)
    info = {"total": 5, "exported": 4, "truncated": True, "data_version": "fixture-1"}
    doc = json.loads(figs.records_json(df, info).decode("utf-8"))
    assert doc["truncated"] is True and doc["total"] == 5 and doc["exported"] == 4
    assert doc["formula_cells_neutralised"] is True
    assert [r["reg_no"] for r in doc["records"]] == ["R1", "R2", "R3", "R4"]
    r2 = doc["records"][1]
    assert r2["merchant_name"].startswith("'=")
    assert r2["is_odr"] is True and r2["disputed_yuan"] == 300.0
    assert doc["records"][2]["closed_at"] is None
    assert doc["records"][0]["deadline_date"] == df["deadline_date"].iloc[0].strftime("%Y-%m-%d")


def test_monthly_records(con):
    m = explore.monthly_records(con, F)
    assert m.to_dict("records") == [{"month": "2024-03", "odr": 1, "traditional": 4, "complaints": 5}]


# --- the data dictionary ------------------------------------------------------------------

def _schema_columns() -> dict[str, list[tuple[str, str]]]:
    con = duckdb.connect(":memory:")
    con.execute(db.SCHEMA_FILE.read_text(encoding="utf-8"))
    out = {}
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall():
        out[table] = [(r[0], r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall()]
    con.close()
    return out


def test_dictionary_covers_every_column_of_schema_sql():
    schema = _schema_columns()
    assert schema, "schema.sql defines tables"
    for table, cols in schema.items():
        assert table in dictionary.TABLES, table
        for col, typ in cols:
            assert (table, col) in dictionary.COLUMNS, f"{table}.{col} missing from the dictionary"
            declared = dictionary.COLUMNS[(table, col)][0]
            assert declared.replace(" ", "") == typ.replace(" ", ""), f"{table}.{col}: {declared} vs {typ}"
    # and nothing stale: every described column exists (schema.sql, or the workdays view)
    for (table, col) in dictionary.COLUMNS:
        if table == "workdays":
            continue
        assert col in [c for c, _ in schema[table]], f"{table}.{col} is not in schema.sql"
    for key, (typ, en, zh, mzh, men) in dictionary.COLUMNS.items():
        assert en and zh and mzh and men, key


def test_dictionary_frames():
    cols = dictionary.column_frame("en", "complaints")
    assert list(cols.columns) == ["table", "column", "type", "name_en", "label_zh", "meaning"]
    assert cols.iloc[0]["column"] == "reg_no" and cols.iloc[0]["label_zh"] == "登记编号"
    tables = dictionary.table_frame("zh")
    assert list(tables["table"]) == dictionary.tables()
    assert tables.set_index("table").at["complaints", "columns"] == len(cols)


# --- citation ------------------------------------------------------------------------------

def test_build_permalink():
    assert cite.build_permalink("http://h:1/explore", {}) == "http://h:1/explore"
    url = cite.build_permalink("http://h:1/explore", {"lang": "en", "district": "620702,620721",
                                                      "ex_cat": "食品", "ex_status": None, "from": "2024-01-01"})
    assert url == ("http://h:1/explore?district=620702,620721&ex_cat=%E9%A3%9F%E5%93%81"
                   "&from=2024-01-01&lang=en")


def test_pin_period():
    p = cite.pin_period({"period": "13w", "lang": "en"}, D("2023-12-18"), D("2024-03-14"))
    assert p == {"period": "custom", "from": "2023-12-18", "to": "2024-03-14", "lang": "en"}


def test_format_citation():
    zh = cite.format_citation("每周<b>投诉</b>量", dt.date(2024, 3, 14), "v-7", "http://x/?a=1",
                              dt.date(2024, 3, 20), "zh")
    assert zh == ("张掖市消费维权数据看板：《每周 投诉 量》，数据截至 2024-03-14，数据版本 v-7。"
                  "http://x/?a=1（访问日期：2024-03-20）")
    en = cite.format_citation("Weekly complaints", dt.date(2024, 3, 14), "v-7", "http://x/?a=1",
                              dt.date(2024, 3, 20), "en")
    assert en == ("Zhangye Consumer Dispute Dashboard, “Weekly complaints”, data as of 2024-03-14, "
                  "data version v-7. http://x/?a=1 (accessed 2024-03-20)")
    assert "\n" not in zh and "\n" not in en


def test_bilingual_title():
    assert cite.bilingual("Matching complaints by month received") == ("符合条件的投诉（按登记月份）",
                                                                        "Matching complaints by month received")
    assert cite.bilingual("符合条件的投诉（按登记月份）")[1] == "Matching complaints by month received"
    assert cite.bilingual("Some <b>free</b> title") == ("Some free title", "Some free title")


def _codes(at) -> list[str]:
    return [c.value for c in at.code]


def test_every_chart_offers_a_citation(app_env):
    at = run_app(None, {"lang": "en", "period": "4w", "district": "620721", "ov_weekly": "1", "ov_districts": "1"})
    assert errors(at) == []
    codes = _codes(at)
    links = [c for c in codes if c.startswith("/")]
    assert len(links) >= 2                                          # both overview charts
    # the relative period "last 4 weeks" is pinned to its dates, so the link survives new data
    for u in links:
        # (with the overview's sections open, so that the link shows the charts cited)
        assert u == "/?district=620721&from=2024-02-19&lang=en&ov_districts=1&ov_weekly=1&period=custom&to=2024-03-14"
    en = [c for c in codes if c.startswith("Zhangye Consumer Dispute Dashboard")]
    zh = [c for c in codes if c.startswith("张掖市消费维权数据看板")]
    assert len(en) == len(zh) == len(links)
    assert all("data as of 2024-03-14" in c and "data version sample-" in c for c in en)
    assert all("数据截至 2024-03-14" in c for c in zh)
    # each citation names the chart in its own language (the title is a catalogue string)
    from ui.i18n import t
    assert any(f"“{t('ov.weekly.title', lang='en')}”" in c for c in en)
    assert any(f"《{t('ov.weekly.title', lang='zh')}》" in c for c in zh)


def _page(page, query):
    """Open ``page`` with ``query`` as a fresh link (AppTest clears the URL on the page switch)."""
    at = run_app(page, query)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    return at


def test_citation_names_the_data_version(tmp_path, monkeypatch, clean_streamlit):
    """The data version in the citation is the database's: an import (a new version) changes it."""
    rows = [complaint("2024-03-01", "2024-03-02"), complaint("2024-03-04", None)]
    for version in ("import-1", "import-2"):
        p = make_db(tmp_path / f"{version}.duckdb", complaints=rows, meta={"as_of": "2024-03-10"})
        w = db.connect(p)                  # what an import does: a new data version in meta
        try:
            build.set_meta(w, data_version=version)
            w.execute("CHECKPOINT")
        finally:
            w.close()
        monkeypatch.setenv("ODR_DB", str(p))
        at = _page("pages/explore.py", {"lang": "en"})
        assert errors(at) == []
        en = [c for c in _codes(at) if c.startswith("Zhangye")]
        assert en and all(f"data version {version}" in c and "as of 2024-03-10" in c for c in en)


# --- pages ---------------------------------------------------------------------------------

def _period_13w(as_of=D("2024-03-14")) -> Filters:
    from ui.state import preset_range
    return Filters(*preset_range("13w", as_of))


def _records(at, lang: str) -> pd.DataFrame:
    """The records table on the page, its columns renamed back to their codes."""
    from ui.i18n import t
    table = text_tables(at)[0]
    codes = {t(f"ex.col.{c}", lang=lang): c for c in figs.TABLE_COLUMNS + list(figs.SORT_COLUMN.values())}
    return table.rename(columns=codes)


def _summary(at) -> dict:
    """The one-line summary above the facets: {"total", "odr", "closed"} as shown (with separators)."""
    import re
    for m in at.markdown:
        hit = (re.fullmatch(r"\*\*([\d,]+)\*\* matching complaints, of which ODR ([\d,]+) \([^)]*\) and "
                            r"closed ([\d,]+) \([^)]*\)", m.value)
               or re.fullmatch(r"符合条件的投诉 \*\*([\d,万.]+)\*\* 件，其中 ODR ([\d,万.]+) 件（[^）]*），"
                               r"已办结 ([\d,万.]+) 件（[^）]*）", m.value))
        if hit:
            return dict(zip(("total", "odr", "closed"), hit.groups()))
    raise AssertionError("no summary line on the page")


def test_explore_page_url_reproduces_view(app_env, sample_con):
    q = {"lang": "en", "ex_cat": "食品", "ex_status": "closed", "district": "620702", "ex_sort": "disputed",
         "ex_order": "asc", "ex_size": "25", "ex_page": "2"}
    at = _page("pages/explore.py", q)
    assert errors(at) == []
    f = _period_13w().with_(categories=("食品",), status="closed", districts=("620702",))
    total = explore.record_count(sample_con, f)
    assert total > 25
    assert _summary(at)["total"] == f"{total:,}"
    expected = explore.records(sample_con, f, "disputed", False, 25, 25)
    shown = _records(at, "en")
    assert list(shown["reg_no"]) == list(expected["reg_no"])
    # the sort column joins the table; the rest of a record is on demand
    assert list(shown.columns) == figs.table_columns("disputed") and "disputed_yuan" in shown.columns
    # a plain text table (no data grid): amounts in yuan with two decimals, right-aligned
    assert list(shown["disputed_yuan"]) == [f"{v:,.2f}" if pd.notna(v) else "—" for v in expected["disputed_yuan"]]
    assert len(at.dataframe) == 0
    rule = next(m.value for m in at.markdown if m.value.startswith("| ")).splitlines()[1]
    assert rule.endswith("| ---: |") and rule.startswith("| :--- |")     # the amount column right-aligned
    assert any(c.value.startswith(f"Page 2 of {-(-total // 25):,}") for c in at.caption)
    assert at.multiselect(key="w:ex_cat").value == ["食品"]
    # the facet labels carry counts under the other filters
    opts = at.multiselect(key="w:ex_cat").options
    assert any(o.startswith("Food (") for o in opts)
    # the permalink reproduces this view
    link = next(c for c in _codes(at) if c.startswith("/explore?"))
    for part in ("ex_cat=%E9%A3%9F%E5%93%81", "ex_status=closed", "district=620702", "ex_sort=disputed",
                 "ex_order=asc", "ex_page=2"):
        assert part in link
    assert "ex_size" not in link                       # 25 rows a page is the default
    # downloads are offered (deferred), with the citation
    labels = [b.label for b in at.get("download_button")]
    assert "Download records (CSV)" in labels and "Download records (JSON)" in labels


def test_explore_page_route_facet_drives_the_global_filter(app_env, sample_con):
    at = _page("pages/explore.py", {"lang": "en"})
    assert errors(at) == []
    at.button_group(key="ex_g_route").set_value("odr").run()
    assert errors(at) == []
    assert at.query_params["route"] == ["odr"] or at.query_params["route"] == "odr"
    total = explore.record_count(sample_con, _period_13w().with_(route="odr"))
    assert _summary(at) == {"total": f"{total:,}", "odr": f"{total:,}",      # all of them are ODR
                            "closed": _summary(at)["closed"]}


def test_explore_page_empty_state(app_env):
    at = _page("pages/explore.py", {"lang": "en", "ex_merchant": "no such merchant xyz"})
    assert errors(at) == []
    assert any("No complaint matches" in i.value for i in at.info)
    assert len(at.dataframe) == 0 and text_tables(at) == []


def test_explore_page_chinese(app_env):
    at = _page("pages/explore.py", {"ex_class": "服务"})
    assert errors(at) == []
    assert int(_summary(at)["total"].replace(",", "")) > 0 and len(at.metric) == 0
    assert "服务" in at.button_group(key="w:ex_class").value


def test_sql_page_url_query_and_refusals(app_env, sample_con):
    sql = "SELECT count(*) AS n FROM complaints WHERE appeal_type = '投诉'"
    at = _page("pages/sql.py", {"lang": "en", "sql_q": sql})
    assert errors(at) == []
    at.button(key="sql-run").click().run()         # a query from a link runs when Run is pressed
    n = sample_con.execute(sql).fetchone()[0]
    assert int(text_tables(at)[0]["n"].iloc[0]) == n and len(at.dataframe) == 0   # small: a plain table
    at.text_area(key="w:sql_q").set_value("COPY complaints TO '/tmp/x.csv'").run()
    assert any("Not run" in e and "COPY" in e for e in errors(at))
    at.text_area(key="w:sql_q").set_value("SELECT * FROM read_csv('/etc/passwd')").run()
    assert any("read_csv" in e for e in errors(at))
    at.text_area(key="w:sql_q").set_value("SELECT * FROM complaints").run()
    assert errors(at) == []
    assert any("more than 1,000 rows" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == 1000
    at.text_area(key="w:sql_q").set_value("SELECT sum(range) FROM range(1000000000000)").run()
    assert any("2 seconds" in e for e in errors(at))
    # an example's section is built when opened (lazy), and its button puts it into the editor
    assert at.button(key="sql-run") and "sql-use-top_merchants" not in [b.key for b in at.button]
    at.session_state["sql-ex-top_merchants"] = True
    at.run()
    at.button(key="sql-use-top_merchants").click().run()
    assert errors(at) == []
    assert at.text_area(key="w:sql_q").value.startswith("SELECT merchant_name")


def test_methodology_page(app_env):
    at = _page("pages/methodology.py", {"lang": "en"})
    assert errors(at) == []
    text = "\n".join(m.value for m in at.markdown)
    for key, _zh, en, _fzh, fen, num, den in metrics.DEFINITIONS:
        assert en in text and fen in text, key
    assert any(str(x.value).startswith("sample-") for x in at.text)     # the data version, as plain text
    # numerators and denominators in English too
    from ui.i18n import CATALOGUE
    for key, *_rest, num, den in metrics.DEFINITIONS:
        for v in (num, den):
            if v != "—":
                assert f"ex.me.nd.{v}" in CATALOGUE, f"add an English name for {v!r} (ui/strings/explore.py)"
                assert CATALOGUE[f"ex.me.nd.{v}"][1] in text
    assert any("not a statistical sample" in m.value for m in at.markdown)
    assert any("2020 census" in m.value for m in at.markdown)
    assert any("synthetic sample" in i.value for i in at.info)
    assert len(at.expander) >= len(dictionary.tables())


def test_sql_page_dictionary_tab_is_lazy_and_fits(app_env):
    at = _page("pages/sql.py", {"lang": "en"})
    assert errors(at) == []
    assert len(at.table) == 0                        # the dictionary tab is not built until chosen
    at = _page("pages/sql.py", {"lang": "en", "sql_table": "districts"})   # a link opens it
    assert errors(at) == []
    shown = at.table[0].value
    assert list(shown.columns) == ["Column", "Name", "Meaning"]
    assert "code \\(VARCHAR\\)" in list(shown["Column"])   # escaped: printed literally
    assert at.selectbox(key="w:sql_table").value == "districts"


def _no_chinese(texts):
    import re
    return [s for s in texts if re.search(r"[\u4e00-\u9fff]", s)]


def test_explore_records_in_english_have_no_chinese_codes_and_no_none(app_env, sample_con):
    at = _page("pages/explore.py", {"lang": "en", "ex_sort": "closed"})
    assert errors(at) == []
    shown = _records(at, "en")
    assert list(shown.columns) == figs.table_columns("closed")
    for col in ("category", "outcome", "district"):
        assert _no_chinese(shown[col].astype(str)) == [], col
    assert not shown[["category", "outcome", "district"]].isin(["None", "nan", ""]).any().any()
    assert "Open" in set(shown["outcome"]) or "Open" not in shown["outcome"].values   # open rows read Open
    # the period (the frame's line under the title) is a localized date, never ISO
    assert any("Dec 18, 2023 – Mar 14, 2024" in m.value.replace("\\", "") for m in at.markdown)


def test_records_view_translates_vocabularies_and_marks_missing():
    rec = pd.DataFrame([
        {"reg_no": "R1", "received_at": pd.Timestamp("2024-03-01 09:00"), "status": "closed", "district_code": "620702",
         "merchant_name": "甲店", "category": "食品", "outcome": "调解成功", "closed_at": pd.Timestamp("2024-03-02")},
        {"reg_no": "R2", "received_at": pd.Timestamp("2024-03-02 09:00"), "status": "open", "district_code": None,
         "merchant_name": None, "category": None, "outcome": None, "closed_at": pd.NaT},
        {"reg_no": "R3", "received_at": pd.Timestamp("2024-03-03 09:00"), "status": "closed", "district_code": "620721",
         "merchant_name": "乙店", "category": "旅游服务", "outcome": None, "closed_at": pd.Timestamp("2024-03-04")},
    ])
    en = figs.records_view(rec, "en", {"620702": "Ganzhou", "620721": "Sunan"})
    assert list(en["category"]) == ["Food", "—", "Tourism"]
    assert list(en["outcome"]) == ["Mediated", "Open", "—"]          # open → Open; closed without outcome → —
    assert list(en["district"]) == ["Ganzhou", "—", "Sunan"]
    assert list(en["merchant_name"]) == ["甲店", "—", "乙店"]          # a data value stays as it is
    zh = figs.records_view(rec, "zh", {"620702": "甘州", "620721": "肃南"})
    assert list(zh["outcome"]) == ["调解成功", "未办结", "—"]
    fields = dict((c, text) for c, _name, text in figs.record_fields(
        rec.iloc[0].reindex(explore.RECORD_COLUMNS), "en", {"620702": "Ganzhou"}))
    assert fields["received_at"] == "Mar 1, 2024 09:00" and fields["status"] == "Closed"
    assert fields["disputed_yuan"] == "—" and fields["acceptance"] == "—"


def test_records_text_prints_dates_amounts_and_missing_values():
    show = pd.DataFrame({"reg_no": ["R1", "R2"], "received_at": [pd.Timestamp("2024-03-01 09:00"), pd.NaT],
                         "merchant_name": ["[链接](http://x)", "—"], "disputed_yuan": [1234.5, None],
                         "resolution_days": [3.0, None]})
    zh = figs.records_text(show, "zh")
    assert list(zh.columns) == ["登记编号", "登记时间", "经营者", "争议金额（元）", "办理天数"]
    assert list(zh["登记时间"]) == ["2024年3月1日", "—"] and list(zh["争议金额（元）"]) == ["1,234.50", "—"]
    assert list(zh["办理天数"]) == ["3", "—"] and zh["经营者"][0] == "[链接](http://x)"   # escaped when printed
    assert list(figs.records_text(show, "zh", short=True)["登记时间"]) == ["24年3月1日", "—"]
    en = figs.records_text(show, "en", short=True)
    assert list(en["Received"]) == ["Mar 1, 24", "—"] and "None" not in en.to_string()


def test_explore_records_on_a_phone_show_three_columns_with_the_sort_column(app_env, monkeypatch):
    import ui.page
    monkeypatch.setattr(ui.page, "on_phone", lambda: True)
    at = _page("pages/explore.py", {"lang": "en", "ex_sort": "disputed"})
    assert errors(at) == []
    assert list(_records(at, "en").columns) == ["disputed_yuan", "merchant_name", "outcome"]
    # the sort popover's button in a few words (a sentence would be cut off)
    assert [p.proto.popover.label for p in at.get("popover") if "per page" in p.proto.popover.label] == \
        ["Disputed amount ↓ · 25 per page"]
    at = _page("pages/explore.py", {"lang": "en"})
    assert list(_records(at, "en").columns) == ["received_at", "merchant_name", "outcome"]
    at = _page("pages/explore.py", {"ex_order": "asc", "ex_size": "50"})
    assert [p.proto.popover.label for p in at.get("popover") if "每页" in p.proto.popover.label] == \
        ["登记时间 ↑ · 每页 50 行"]


def test_explore_more_facets_are_built_when_opened_or_set_by_a_link(app_env, sample_con):
    # on arrival: search, route, class and status only; the rest waits in a closed section
    at = _page("pages/explore.py", {"lang": "en"})
    assert errors(at) == [] and len(at.multiselect) == 0
    keys = {b.key for b in at.button_group}
    assert {"ex_g_route", "w:ex_class", "w:ex_status"} <= keys
    assert not keys & {"w:ex_channel", "w:ex_outcome", "ex_g_district"}
    assert any(e.label == "More: district, channel, outcome, category, problem" for e in at.expander)
    # a link that sets a short facet of that section opens it: the buttons with counts, the choice kept
    at = _page("pages/explore.py", {"lang": "en", "ex_channel": "12315热线", "ex_outcome": "调解成功"})
    assert errors(at) == [] and at.session_state["ex_more_open"] is True
    ch = at.button_group(key="w:ex_channel")
    assert ch.value == ["12315热线"] and any(o.startswith("12315 hotline (") for o in ch.options)
    assert at.button_group(key="w:ex_outcome").value == ["调解成功"]
    assert at.button_group(key="ex_g_district").value == []
    f = _period_13w().with_(channels=("12315热线",), outcomes=("调解成功",))
    assert _summary(at)["total"] == f"{explore.record_count(sample_con, f):,}"
    assert at.query_params["ex_channel"] == "12315热线" or at.query_params["ex_channel"] == ["12315热线"]
    # a link that sets a long facet opens it too, with the choice in place and kept in the URL
    at = _page("pages/explore.py", {"lang": "en", "ex_problem": "质量"})
    assert errors(at) == [] and at.multiselect(key="w:ex_problem").value == ["质量"]
    assert at.query_params["ex_problem"] == "质量"
    # the sidebar's district filter shows in the section's buttons when it is opened
    at = _page("pages/explore.py", {"lang": "en", "district": "620702"})
    at.session_state["ex_more_open"] = True
    at.run()
    assert errors(at) == [] and at.button_group(key="ex_g_district").value == ["620702"]


def test_explore_record_detail_is_built_when_opened(app_env, sample_con):
    at = _page("pages/explore.py", {"lang": "en"})
    assert errors(at) == [] and len(at.selectbox) == 0       # no drop-down on arrival (sort, size: buttons)
    assert at.button_group(key="w:ex_sort").value == "received" and at.button_group(key="w:ex_size").value == 25
    assert len(_records(at, "en")) == 25
    # the order and page size are chosen in a popover whose button names them
    box = next(p.proto.popover for p in at.get("popover") if "rows per page" in p.proto.popover.label)
    assert box.label == "Sorted by date received, descending; 25 rows per page"
    at.button_group(key="w:ex_size").set_value(50).run()
    assert errors(at) == [] and len(_records(at, "en")) == 50 and at.query_params["ex_size"] in ("50", ["50"])
    box = next(p.proto.popover for p in at.get("popover") if "rows per page" in p.proto.popover.label)
    assert box.label == "Sorted by date received, descending; 50 rows per page"
    at.session_state["ex_detail_open"] = True
    at.run()
    pick = at.selectbox(key="ex_detail")
    reg = pick.options[3]
    assert reg == _records(at, "en")["reg_no"].iloc[3]
    pick.set_value(reg).run()
    assert errors(at) == []
    texts = [x.value for x in at.text]
    assert reg in texts and any(c.value == "Registration number" for c in at.caption)


def test_monthly_chart_marks_partial_months():
    df = pd.DataFrame({"month": ["2023-12", "2024-01", "2024-02", "2024-03"], "odr": [1, 2, 3, 1],
                       "traditional": [5, 6, 7, 2], "complaints": [6, 8, 10, 3]})
    assert figs.partial_months(df["month"], D("2023-12-18"), D("2024-03-14")) == ["2023-12", "2024-03"]
    assert figs.partial_months(df["month"], D("2023-12-01"), D("2024-03-31")) == []
    fig = figs.monthly_bar(df, title="t", y_label="Complaints", odr_label="ODR", trad_label="Traditional",
                           partial_label="Partial month", lang="zh", start=D("2023-12-18"), end=D("2024-03-14"))
    names = [tr.name for tr in fig.data]
    assert names == ["Traditional", "ODR", "Partial month"]
    part = fig.data[2]
    assert part.marker.color == charts.PARTIAL_COLOR and part.marker.pattern.shape == "/"
    assert list(part.y) == [6, 3] and list(fig.data[0].y) == [6, 7]
    assert list(fig.layout.xaxis.ticktext)[0] == "2023年12月" and "2024年1月" in fig.layout.xaxis.ticktext
    assert all("%{x" not in tr.hovertemplate for tr in fig.data)      # hovers name the month via fmt
    assert list(part.customdata) == ["2023年12月", "2024年3月"]


def test_explore_chart_tab_is_lazy_and_opens_from_a_link(app_env):
    at = _page("pages/explore.py", {"lang": "en"})
    assert errors(at) == [] and len(at.get("plotly_chart")) == 0 and len(text_tables(at)) == 1
    at = _page("pages/explore.py", {"lang": "en", "ex_view": "chart"})
    assert errors(at) == [] and len(at.get("plotly_chart")) == 1 and len(text_tables(at)) == 0


def test_methodology_page_in_both_languages(app_env):
    import re
    en = _page("pages/methodology.py", {"lang": "en"})
    assert errors(en) == []
    # census notes and table sizes in the page's language, no "complaints:投诉"
    zh = _page("pages/methodology.py", {})
    assert errors(zh) == []
    zh_cells = [str(v) for tb in text_tables(zh) for v in tb.to_numpy().ravel()]
    assert not any("census" in v or "derived" in v for v in zh_cells)
    assert any("2020 年人口普查" in v for v in zh_cells)
    assert not any(v.startswith("complaints:") for v in zh_cells)
    assert any("其中投诉" in v for v in zh_cells)
    en_text = [m.value for m in en.markdown] + [str(v) for tb in text_tables(en) for v in tb.to_numpy().ravel()]
    assert _no_chinese(en_text) == []
    # the methods section, with anchors the pages' tooltips can point to
    for anchor in ("km", "unusual-weeks", "poisson-intervals", "fair-scoring"):
        assert any(h.proto.anchor == anchor for h in en.subheader), anchor
    assert any("overdispersion" in m.value for m in en.markdown)
    assert any("过度离散参数" in m.value for m in zh.markdown) and not any("离散系数" in m.value for m in zh.markdown)
    # dates through fmt, never ISO
    assert any("**Data as of**: Mar 14, 2024" in m.value and "**Data from**: Jan 1, 2022" in m.value
               for m in en.markdown)
    assert any(c.value.startswith("The official holiday calendar is known up to ") for c in en.caption)
    page_captions = [c.value for c in en.main.caption] if hasattr(en, "main") else []
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}", c) and "Data as of" not in c for c in page_captions)
    # the population and table-size tables are text; the dictionary's are built only when opened
    assert len(text_tables(en)) == 2 and len(en.table) == 0
    en.session_state["me-dict-complaints"] = True
    en.run()
    assert len(en.table) == 1 and "reg\\_no \\(VARCHAR\\)" in list(en.table[0].value["Column"])
