"""Working-day arithmetic on the official calendar (调休), hand-checked around the 2024 Spring
Festival, and the extension file data/holidays_extra.csv."""
from __future__ import annotations

import datetime as dt

import pytest

from analytics import build, db, workdays
from analytics import resolution as R
from analytics.filters import Filters
from tests.fixtures import D, complaint, make_db

# 2024 Spring Festival (State Council notice): off Sat 10 Feb – Sat 17 Feb 2024 (8 days);
# make-up working days Sunday 4 Feb and Sunday 18 Feb. Friday 9 Feb (除夕) is a working day.


def test_spring_festival_2024_days():
    assert workdays.is_workday(D("2024-02-04"))          # Sunday, make-up working day
    assert workdays.is_workday(D("2024-02-18"))          # Sunday, make-up working day
    assert workdays.is_workday(D("2024-02-09"))          # Friday, 除夕, officially a working day
    assert not workdays.is_workday(D("2024-02-03"))      # Saturday, ordinary weekend
    assert not workdays.is_workday(D("2024-02-24"))      # Saturday after the holiday
    for day in range(10, 18):                            # 10..17 Feb: holiday, weekdays included
        assert not workdays.is_workday(dt.date(2024, 2, day)), day


def test_working_days_between_spring_festival():
    # (Fri 2 Feb, Mon 5 Feb]: Sat 3 no, Sun 4 make-up yes, Mon 5 yes -> 2 (plain weekdays: 1)
    assert workdays.working_days_between(D("2024-02-02"), D("2024-02-05")) == 2
    # (Thu 8 Feb, Mon 19 Feb]: 9 (Fri), 18 (Sun make-up), 19 (Mon) -> 3 (plain weekdays: 7)
    assert workdays.working_days_between(D("2024-02-08"), D("2024-02-19")) == 3
    # (Fri 9 Feb, Sat 17 Feb]: the whole holiday -> 0
    assert workdays.working_days_between(D("2024-02-09"), D("2024-02-17")) == 0
    # same day -> 0, reversed -> negative
    assert workdays.working_days_between(D("2024-02-18"), D("2024-02-18")) == 0
    assert workdays.working_days_between(D("2024-02-19"), D("2024-02-08")) == -3


def test_add_working_days_spring_festival():
    # 1st working day after Thu 8 Feb is Fri 9 Feb, the 2nd the make-up Sunday 18 Feb
    assert workdays.add_working_days(D("2024-02-08"), 1) == D("2024-02-09")
    assert workdays.add_working_days(D("2024-02-08"), 2) == D("2024-02-18")
    # 7 working days after Mon 5 Feb: 6, 7, 8, 9 (4), 18 (5), 19 (6), 20 (7) -> Tue 20 Feb
    assert workdays.add_working_days(D("2024-02-05"), 7) == D("2024-02-20")
    # 1st working day after Fri 2 Feb is the make-up Sunday 4 Feb
    assert workdays.add_working_days(D("2024-02-02"), 1) == D("2024-02-04")
    with pytest.raises(ValueError):
        workdays.add_working_days(D("2024-02-02"), 0)


def test_derived_columns_use_the_official_calendar(tmp_path):
    """The database's derived columns follow the same calendar."""
    p = make_db(tmp_path / "sf.duckdb", complaints=[
        # received Thu 8 Feb, closed Mon 19 Feb: 11 calendar days, 3 working days (9, 18, 19)
        complaint("2024-02-08", "2024-02-19", reg_no="A", is_odr=True),
        # received Mon 5 Feb, open, traditional without acceptance date
        complaint("2024-02-05", None, reg_no="B", acceptance=None),
    ], meta={"as_of": "2024-03-20"})
    con = db.connect(p, read_only=True)
    try:
        got = dict((r[0], r[1:]) for r in db.rows(con, """SELECT reg_no, resolution_days, resolution_wdays,
                    deadline_date, accept_deadline FROM complaints ORDER BY reg_no"""))
        # ODR deadline: 10 working days after Thu 8 Feb: 9, 18, 19, 20, 21, 22, 23, 26, 27, 28 -> 28 Feb
        # accept deadline: 7 working days after 8 Feb: 9, 18, 19, 20, 21, 22, 23 -> 23 Feb
        assert got["A"] == (11, 3, D("2024-02-28"), D("2024-02-23"))
        # accept deadline of B: 7 working days after Mon 5 Feb -> Tue 20 Feb
        assert got["B"][3] == D("2024-02-20")
        # open traditional without acceptance date: 45 working days after 20 Feb (52 after 5 Feb)
        assert got["B"][2] == workdays.add_working_days(D("2024-02-20"), 45)
        # the open complaint's working-day age on 20 Mar, computed in SQL from calendar.wd_idx:
        # (5 Feb, 20 Mar]: Feb 6-9 (4), 18-23 (6), 26-29 (4), Mar 1 (1), 4-8 (5), 11-15 (5), 18-20 (3) = 28
        tc = R.time_counts(con, Filters(D("2024-02-01"), D("2024-03-20")), "wdays")
        assert tc[~tc["closed"]]["t"].tolist() == [28]
        assert tc[tc["closed"]]["t"].tolist() == [3]
        assert workdays.working_days_between(D("2024-02-05"), D("2024-03-20")) == 28
    finally:
        con.close()


EXTRA = """# test extension
date,kind,name
2030-01-01,holiday,元旦
2030-01-05,workday,调休
2024-03-04,holiday,test override
"""


def test_extension_file(tmp_path):
    path = tmp_path / "holidays_extra.csv"
    path.write_text(EXTRA, encoding="utf-8")
    extra = workdays.load_extra(path)
    assert extra[D("2030-01-01")] == (False, "元旦")
    assert extra[D("2030-01-05")] == (True, "调休")
    days = {d.d: d for d in workdays.calendar_days(D("2024-03-01"), D("2030-01-07"), extra_path=path)}
    # 2030: Tue 1 Jan off (file), Sat 5 Jan a make-up working day (file), Mon 7 Jan plain weekday;
    # the whole year counts as known once the file has a line for it
    assert not days[D("2030-01-01")].is_workday and days[D("2030-01-01")].known
    assert days[D("2030-01-05")].is_workday and days[D("2030-01-05")].known
    assert days[D("2030-01-07")].is_workday and days[D("2030-01-07")].known
    # a line overrides the package: Mon 4 Mar 2024 becomes a holiday
    assert not days[D("2024-03-04")].is_workday
    # without the file, 2030 is unknown (weekdays assumed: Tue 1 Jan counted as a working day)
    plain = {d.d: d for d in workdays.calendar_days(D("2030-01-01"), D("2030-01-07"),
                                                    extra_path=tmp_path / "missing.csv")}
    assert plain[D("2030-01-01")].is_workday and not plain[D("2030-01-01")].known
    # wd_idx arithmetic with the file: working days in (31 Dec 2029, 7 Jan 2030]
    # = 2, 3, 4 (Wed-Fri), 5 (Sat make-up), 7 (Mon) = 5
    rows = {r[0]: r for r in workdays.calendar_rows(D("2029-12-31"), D("2030-01-07"), extra_path=path)}
    assert rows[D("2030-01-07")][2] - rows[D("2029-12-31")][2] == 5


def test_extension_file_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2030-02-30,holiday,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unreadable date"):
        workdays.load_extra(bad)
    bad.write_text("date,kind,name\n2030-02-03,off,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="kind must be"):
        workdays.load_extra(bad)


def test_unknown_years_and_the_extension(tmp_path, monkeypatch):
    first, last = workdays.package_years()
    assert first <= 2024 <= last
    monkeypatch.setattr(workdays, "EXTRA_FILE", tmp_path / "none.csv")
    y = last + 4
    assert workdays.unknown_years(dt.date(last, 1, 1), dt.date(y + 1, 1, 1)) == list(range(last + 1, y + 2))
    path = tmp_path / "holidays_extra.csv"
    path.write_text(f"date,kind,name\n{y}-01-01,holiday,元旦\n", encoding="utf-8")
    monkeypatch.setattr(workdays, "EXTRA_FILE", path)
    assert y not in workdays.unknown_years(dt.date(last, 1, 1), dt.date(y + 1, 1, 1))
    assert workdays.unknown_years(dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == []


def test_calendar_notice_reads_the_database_calendar(tmp_path, monkeypatch):
    """The page's notice lists the years the database's calendar does not know, and a database
    built with an extension file knows them."""
    monkeypatch.setattr(workdays, "EXTRA_FILE", tmp_path / "none.csv")
    y = workdays.package_years()[1] + 1
    f = Filters(dt.date(y, 1, 2), dt.date(y, 1, 20))
    p = make_db(tmp_path / "unknown.duckdb", complaints=[complaint(f"{y}-01-05", f"{y}-01-12")],
                meta={"as_of": f"{y}-01-20"})
    con = db.connect(p, read_only=True)
    try:
        note = R.calendar_notice(con, f)
        assert note["years"] == [y] and note["fixed_in_file"] == []
    finally:
        con.close()
    # 2024 only: nothing to say
    p2 = make_db(tmp_path / "known.duckdb", complaints=[complaint("2024-02-05", "2024-02-20")],
                 meta={"as_of": "2024-03-01"})
    con = db.connect(p2, read_only=True)
    try:
        assert R.calendar_notice(con, Filters(D("2024-02-01"), D("2024-03-01")))["years"] == []
    finally:
        con.close()
    # the extension file now knows the year, the database not yet: "rebuild to apply"
    path = tmp_path / "holidays_extra.csv"
    path.write_text(f"date,kind,name\n{y}-01-01,holiday,元旦\n", encoding="utf-8")
    monkeypatch.setattr(workdays, "EXTRA_FILE", path)
    con = db.connect(p, read_only=True)
    try:
        assert R.calendar_notice(con, f)["fixed_in_file"] == [y]
    finally:
        con.close()
    # a database whose calendar was built with the file knows the year
    con = db.connect(p, read_only=False)
    try:
        build.load_reference(con, extra_holidays=path)
        note = R.calendar_notice(con, f)
        assert note["years"] == []
    finally:
        con.close()
