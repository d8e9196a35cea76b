"""The Monday briefing (每周简报): ``python -m briefing [--week 2024-W10] [--db PATH] [--out DIR]
[--lang zh|en] [--partial] [--base-url URL]``.

Writes the briefing of an ISO week as Word (.docx), PDF and HTML into DIR (default briefings/)
and prints the three paths, one a line. Without --week: the latest whole ISO week of the data.
Errors are one line on stderr; exit codes: 2 bad arguments or week, 3 a week not yet complete
(without --partial) or after the data, 4 no data for the week, 5 the database cannot be read.

Cron, every Monday at 08:00:  0 8 * * 1 cd /path && .venv/bin/python -m briefing --out /srv/briefings
"""
from __future__ import annotations

import argparse
import sys

EXIT = {"bad_week": 2, "partial": 3, "future": 3, "no_data": 4, "database": 5}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, non-zero exit
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(2)


def main(argv=None) -> int:
    p = _Parser(prog="python -m briefing", description="Write the weekly briefing (docx, pdf, html).")
    p.add_argument("--week", help="ISO week YYYY-Www (default: the latest whole week of the data)")
    p.add_argument("--db", help="database file (default: $ODR_DB or data/odr.duckdb)")
    p.add_argument("--out", default="briefings", help="output folder (default: briefings/)")
    p.add_argument("--lang", default="zh", choices=["zh", "en"])
    p.add_argument("--partial", action="store_true", help="allow a week the data cover only partly (labelled 截至…)")
    p.add_argument("--base-url", help="dashboard address for the link (default: $ODR_PUBLIC_URL or http://localhost:8501)")
    a = p.parse_args(argv)

    from . import facts as F
    try:
        con = F.open_database(a.db)
        try:
            facts = F.gather(con, a.week, partial=a.partial, lang=a.lang, base_url=a.base_url)
        finally:
            con.close()
    except F.BriefingError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT.get(exc.kind, 1)
    from . import render
    paths = render.write_all(facts, a.out, a.lang)
    for key in ("docx", "pdf", "html"):
        print(paths[key])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
