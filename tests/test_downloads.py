"""Downloads keep their context (issue #17): file names carry the page, content, period and
filters; CSV headers (and coded values) are in the reader's language, with a codes version;
exported PNGs print period, filters, source, as-of date and data version under the chart."""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import pytest

from analytics.filters import Filters
from tests.apptest import errors, run_app
from ui import charts, export, fmt
from ui.i18n import CATALOGUE, current_lang, t

D0, D1 = dt.date(2024, 1, 1), dt.date(2024, 3, 14)
NAMES_ZH = {"620702": "甘州区", "620723": "临泽县", "620724": "高台县"}
NAMES_EN = {"620702": "Ganzhou", "620723": "Linze", "620724": "Gaotai"}
UNSAFE = set('/\\:*?"<>|')


def name_for(base, f, lang, page="总览", ext="csv", suffix=None):
    names = NAMES_EN if lang == "en" else NAMES_ZH
    return export.build_file_name(page=page, content=export.content_label(base, lang),
                                  period=export.period_part(f.date_from, f.date_to, lang),
                                  filters=export.filter_labels(f, lang, names), ext=ext, suffix=suffix)


# --- file names -------------------------------------------------------------------------------------

def test_name_carries_page_content_period_and_district():
    f = Filters(D0, D1, districts=("620702",))
    assert name_for("weekly_complaints", f, "zh") == "总览_每周投诉量_2024-01-01至2024-03-14_甘州区.csv"
    assert name_for("weekly_complaints", f, "en", page="overview") == \
        "overview_weekly-complaints_2024-01-01_to_2024-03-14_Ganzhou.csv"
    # no filter: no filter part
    assert name_for("weekly_complaints", Filters(D0, D1), "zh") == "总览_每周投诉量_2024-01-01至2024-03-14.csv"


def test_many_selections_are_summarised_and_all_filters_named():
    f = Filters(D0, D1, districts=("620702", "620723", "620724"), route="odr", channels=("12315热线",),
                categories=("食品", "药品"), status="open")
    zh = name_for("weekly_complaints", f, "zh")
    assert "3个区县" in zh and "ODR" in zh and "12315热线" in zh and "食品+药品" in zh and "未办结" in zh
    en = name_for("weekly_complaints", f, "en", page="overview")
    assert "3-districts" in en and "12315-hotline" in en and "Food+Medicines" in en and "open" in en
    assert not re.search(r"[\u4e00-\u9fff]", en), "no Chinese in an English name (labels exist)"
    two = name_for("weekly_complaints", Filters(D0, D1, districts=("620702", "620723")), "zh")
    assert two.endswith("_甘州区+临泽县.csv")


def test_route_and_variants_are_localised():
    f = Filters(D0, D1, route="traditional")
    assert name_for("km_wdays", f, "zh", page="办理时效") == "办理时效_办结时间曲线-工作日_2024-01-01至2024-03-14_传统渠道.csv"
    assert name_for("km_wdays", f, "en", page="resolution") == \
        "resolution_time-to-close-curve-working-days_2024-01-01_to_2024-03-14_Traditional.csv"
    assert export.period_part(None, D1, "zh") == "截至2024-03-14"
    assert name_for("weekly_complaints", f, "zh", suffix="代码版").endswith("_传统渠道_代码版.csv")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_unsafe_characters_and_length(lang):
    f = Filters(D0, D1, merchant='a/b\\c:d*e?f"g<h>i|j\tk  l', townships=("东街街道",))
    name = name_for("merchant_monthly", f, lang)
    assert not (set(name) & UNSAFE), name
    assert not any(ord(c) < 32 for c in name)
    assert name.endswith(".csv") and not name.startswith(("-", "."))
    # a very long merchant name and many filters stay within the byte limit, extension kept
    f = Filters(D0, D1, districts=("620702", "620723"), merchant="很长的商户名称" * 40,
                channels=("12315热线", "APP"), categories=("食品", "药品"), problems=("质量", "价格"),
                outcomes=("撤回", "和解"))
    name = name_for("merchant_monthly", f, lang, suffix="codes")
    stem = name[:-4]
    assert len(stem.encode()) <= export.MAX_STEM_BYTES and name.endswith("codes.csv"), name
    assert "2024-01-01" in name, "the period survives shortening"
    # a page-supplied text in any part is cleaned as well
    assert export.build_file_name(page="a/b", content="c:d", period="", filters=[" x|y "], ext="png") == "a-b_c-d_x-y.png"


def test_every_content_label_defined_in_both_languages():
    for key, (zh, en) in CATALOGUE.items():
        if key.startswith("file.") and not key.startswith(("file.png.", "file.source.")):
            assert zh and en and not (set(zh + en) & UNSAFE), key
            if "{" not in en:
                assert not re.search(r"[\u4e00-\u9fff]", en), key


# --- CSV headers --------------------------------------------------------------------------------------

def test_labelled_frame_headers_values_and_numbers():
    df = pd.DataFrame({"week": ["2024-W01"], "route": ["odr"], "channel": ["12315热线"], "complaints": [12],
                       "amount_yuan": [1234.5], "merchant_name": ["=HYPERLINK(1)"]})
    zh = export.labelled_frame(df, "zh")
    assert list(zh.columns) == [t("col.week", lang="zh"), t("col.route", lang="zh"), t("col.channel", lang="zh"),
                                t("col.complaints", lang="zh"), "金额（元）", t("col.merchant_name", lang="zh")]
    assert zh.iloc[0, 1] == "ODR" and zh.iloc[0, 2] == "12315热线"
    en = export.labelled_frame(df, "en")
    assert en.iloc[0, 2] == "12315 hotline" and en.columns[4] == "Amount (yuan)"
    assert en.iloc[0, 4] == 1234.5, "numbers stay numbers"
    data = charts.csv_bytes(zh)
    assert data.startswith("\ufeff".encode()), "UTF-8 BOM"
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("周,处理方式,")
    assert "'=HYPERLINK" in text, "formula cells neutralised"
    assert "1234.5" in text and "万" not in text


# --- every downloaded frame of every page has labelled columns ------------------------------------

def _runs(sample_con):
    m = sample_con.execute("SELECT merchant_id, name FROM merchants m WHERE EXISTS "
                           "(SELECT 1 FROM complaints c WHERE c.merchant_id = m.merchant_id) LIMIT 1").fetchone()
    return [
        ("pages/overview.py", {"ov_weekly": "1", "ov_districts": "1"}),
        ("pages/overview.py", {"district": "620702", "route": "odr", "ov_weekly": "1", "ov_districts": "1"}),
        ("pages/trends.py", {}),
        ("pages/trends.py", {"tr_by": "route", "tr_interval": "month"}),
        ("pages/trends.py", {"tr_by": "channel", "tr_dim": "merchant"}),
        ("pages/resolution.py", {}),
        ("pages/resolution.py", {"rs_unit": "wdays", "rs_dist": "ecdf"}),
        ("pages/programmes.py", {"pg_view": "returns"}),
        ("pages/programmes.py", {"pg_view": "returns", "pg_grain": "month"}),
        ("pages/programmes.py", {"pg_view": "odr"}),
        ("pages/programmes.py", {"pg_view": "odr", "pg_odr_by": "industry"}),
        ("pages/programmes.py", {"pg_view": "demo"}),
        ("pages/programmes.py", {"pg_view": "lookup", "pg_q": m[1], "pg_merchant": str(m[0])}),
        ("pages/districts.py", {}),
        ("pages/districts.py", {"dr_level": "township", "dr_metric": "median_days", "dr_bump": "week"}),
        # the views built only when chosen (lazy tabs), by link
        *[("pages/trends.py", {"tr_tab": v}) for v in ("unusual", "week")],
        *[("pages/resolution.py", {"rs_tab": v}) for v in ("week", "gap", "deadlines")],
        *[("pages/programmes.py", {"pg_view": "returns", "pg_ret_tab": v})
          for v in ("amounts", "stores", "category", "district")],
        *[("pages/programmes.py", {"pg_view": "odr", "pg_odr_tab": v}) for v in ("groups", "cases", "list")],
        *[("pages/programmes.py", {"pg_view": "demo", "pg_demo_tab": v}) for v in ("months", "rates")],
        *[("pages/districts.py", {"dr_view": v}) for v in ("all", "intervals", "funnel", "bump")],
        ("pages/briefing.py", {}),
        ("pages/explore.py", {}),
        ("pages/explore.py", {"ex_view": "chart"}),
        ("pages/sql.py", {"sql_q": "SELECT channel, is_odr, count(*) AS complaints FROM complaints GROUP BY ALL"}),
    ]


def _collect(monkeypatch, runs, lang):
    """Run each page in AppTest, recording each download's base name, frame and file names."""
    seen = []
    orig_label, orig_name = export.labelled_frame, export.current_file_name

    def labelled(df, lang_):
        seen.append(("frame", list(df.columns), list(orig_label(df, lang_).columns)))
        return orig_label(df, lang_)

    def named(base, ext, **kw):
        out = orig_name(base, ext, **kw)
        seen.append(("name", base, out))
        return out
    from ui import page as ui_page
    orig_downloads = ui_page.downloads

    def downloads(fig, df, name, **kw):          # files are made on click: label each frame here
        if df is not None:
            labelled(df, current_lang())
        return orig_downloads(fig, df, name, **kw)
    monkeypatch.setattr(export, "labelled_frame", labelled)
    monkeypatch.setattr(export, "current_file_name", named)
    monkeypatch.setattr(ui_page, "downloads", downloads)
    for page, query in runs:
        start = len(seen)
        at = run_app(page, {"lang": lang, **query})
        if page.endswith("sql.py"):
            at.button(key="sql-run").click().run()
        assert errors(at) == [], (page, query)
        # a SQL result's columns are the visitor's own names: labelled where known, not required
        if page.endswith("sql.py"):
            seen[start:] = [s for s in seen[start:] if s[0] != "frame"]
        seen.append(("page", page, query))
    return seen


def _is_chinese(s):
    return bool(re.search(r"[\u4e00-\u9fff]", s))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_downloaded_column_and_name_is_labelled(app_env, sample_con, monkeypatch, lang):
    seen = _collect(monkeypatch, _runs(sample_con), lang)
    frames = [s for s in seen if s[0] == "frame"]
    names = [s for s in seen if s[0] == "name"]
    assert len(frames) >= 30 and len(names) >= 60, "the runs reach the pages' downloads"
    values = {v[0 if lang == "zh" else 1] for v in CATALOGUE.values()}
    missing = set()
    for _, cols, labelled in frames:
        for col, lab in zip(cols, labelled):
            # a column is labelled by the registry, or the page already named it in the reader's language
            if f"col.{col}" not in CATALOGUE and str(col) not in values:
                missing.add(str(col))
            if lang == "en":
                assert not _is_chinese(str(lab)), lab
    assert not missing, f"columns without a col.<name> label in ui/strings/columns.py: {sorted(missing)}"
    bases = {b for _, b, _ in names}
    assert not [b for b in bases if not export.has_content_label(b)], "base names without file.<name> strings"
    for _, base, fname in names:
        assert not (set(fname) & UNSAFE) and len(fname.encode()) < 200, fname
        assert re.search(r"\d{4}-\d{2}-\d{2}|\d{4}-W\d{2}", fname) or base in ("sql_result",), fname
        if lang == "en":
            assert not _is_chinese(fname) or "商户" not in fname, fname


# --- PNG: title, period, filters, source, as-of date, data version in the image ----------------------

def _weekly_fig(title="每周投诉量"):
    df = pd.DataFrame({"week": ["2024-W01", "2024-W02"], "week_start": [D0, D0 + dt.timedelta(7)],
                       "complaints": [5, 7], "odr": [2, 3], "traditional": [3, 4], "partial": [False, True]})
    return charts.weekly_bar(df, title=title, y_label="件", partial_label="不完整周", whole_label="周",
                             odr_label="ODR", trad_label="传统渠道")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_footer_lines_name_everything(lang):
    f = Filters(D0, D1, districts=("620702",), route="odr")
    names = NAMES_EN if lang == "en" else NAMES_ZH
    lines = export.footer_lines(lang=lang, date_from=D0, date_to=D1, filters=export.filter_labels(f, lang, names),
                                dataset="sample", as_of=D1, version="v-123")
    text = "\n".join(lines)
    assert fmt.date_range(D0, D1, lang) in text and fmt.date(D1, lang) in text       # dates as readers write them
    assert names["620702"] in text and "ODR" in text
    assert "v-123" in text
    assert ("合成" in text) if lang == "zh" else ("synthetic" in text)
    imported = "\n".join(export.footer_lines(lang=lang, date_to=D1, filters=[], dataset="imported", as_of=D1,
                                             version="v"))
    assert "12315" in imported and ("合成" not in imported and "synthetic" not in imported)
    assert ("全市" in imported) if lang == "zh" else ("whole city" in imported)
    week = "\n".join(export.footer_lines(lang=lang, period_label="2024-W10", dataset="sample", as_of=D1, version="v"))
    assert fmt.week_span("2024-W10", lang) in week
    if lang == "en":
        assert not _is_chinese(text + imported + week)


def test_export_figure_adds_a_missing_title_and_leaves_the_figure_alone():
    fig = _weekly_fig(title=None)
    out = charts.export_figure(fig, "每周投诉量")
    assert out.layout.title.text == "每周投诉量" and out.layout.margin.t >= 56
    assert not fig.layout.title.text, "the on-screen figure is not changed"
    own = charts.export_figure(_weekly_fig("自己的标题"), "别的")
    assert own.layout.title.text == "自己的标题"


def test_png_has_margin_and_footer():
    from PIL import Image
    fig = _weekly_fig()
    plain = Image.open(io.BytesIO(charts.to_png(fig, width=600, height=300, scale=1)))
    assert plain.size == (600, 300)
    lines = ["统计期间：2024-01-01 至 2024-03-14 · 筛选：甘州区", "数据来源：合成样例数据", "数据截至 2024-03-14 · 数据版本 v"]
    img = Image.open(io.BytesIO(charts.to_png(fig, width=600, height=300, scale=1, footer=lines))).convert("L")
    pad = charts.PNG_PAD
    assert img.width == 600 + 2 * pad and img.height > 300 + 2 * pad + 3 * charts.PNG_FOOTER_FONT
    px = img.load()
    # a white frame around the chart: nothing touches the left and top edges
    assert all(px[x, y] == 255 for x in range(pad - 2) for y in range(img.height))
    assert all(px[x, y] == 255 for x in range(img.width) for y in range(pad - 2))
    # the footer band below the chart holds text (dark pixels)
    band = [px[x, y] for x in range(pad, img.width - pad) for y in range(pad + 300 + 4, img.height - pad // 2)]
    assert min(band) < 160
    # the same chart without a footer keeps the on-screen figure untouched
    assert fig.layout.height == _weekly_fig().layout.height and not fig.layout.annotations


def test_content_labels_of_variant_names():
    assert export.content_label("district_map_per_100k", "zh") == "区县地图-每十万人投诉量"
    assert export.content_label("district_intervals_median_days_township", "en") == "intervals-median-days-township"
    assert export.content_label("odr_by_industry", "en") == "odr-enterprises-by-industry"
    assert export.has_content_label("complaints_week_channel")
    assert not export.has_content_label("complaints_week_nonsense")
    assert not export.has_content_label("no_such_download")


def test_footer_names_every_district():
    f = Filters(D0, D1, districts=("620702", "620723", "620724"))
    assert export.filter_labels(f, "zh", NAMES_ZH) == ["3个区县"]
    assert export.filter_labels(f, "zh", NAMES_ZH, compact=False) == ["甘州区、临泽县、高台县"]
    assert export.filter_labels(f, "en", NAMES_EN, compact=False) == ["Ganzhou, Linze, Gaotai"]
