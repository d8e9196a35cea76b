"""Command line: ``python -m analytics COMMAND``.

  init [--sample] [--rows N] [--db PATH]        build the sample database, or an empty one
  figures --from D --to D [--db PATH] --json    the METRICS.md figures as one JSON object
  import FILE... [--kind K] [--db PATH] [--dry-run]   load bureau exports (see README)

The database defaults to $ODR_DB, else data/odr.duckdb.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, non-zero exit
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(2)


def _date(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {s!r}")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m analytics", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    i = sub.add_parser("init", help="build a database")
    i.add_argument("--sample", action="store_true", help="fill with the synthetic Zhangye sample")
    i.add_argument("--rows", type=int, help="number of sample complaints (benchmarks)")
    i.add_argument("--db", help="database file (default: $ODR_DB or data/odr.duckdb)")
    f = sub.add_parser("figures", help="print the METRICS.md figures")
    f.add_argument("--from", dest="date_from", type=_date, required=True)
    f.add_argument("--to", dest="date_to", type=_date, required=True)
    f.add_argument("--db")
    f.add_argument("--json", action="store_true", help="print JSON (the only format)")
    m = sub.add_parser("import", help="import bureau exports")
    m.add_argument("files", nargs="+")
    m.add_argument("--kind")
    m.add_argument("--db")
    m.add_argument("--dry-run", action="store_true")
    return p


def cmd_init(a) -> int:
    from . import build, db, sample
    path = db.db_path(a.db)
    if a.rows is not None and a.rows < 1:
        sys.stderr.write("error: --rows must be at least 1\n")
        return 2
    if a.rows is not None and not a.sample:
        sys.stderr.write("error: --rows needs --sample\n")
        return 2
    t0 = time.perf_counter()
    if a.sample:
        def progress(done, total):
            if total >= 1_000_000:
                sys.stderr.write(f"  {done:,} / {total:,} complaints\n")
        build.build_atomically(path, lambda con: sample.fill(con, rows=a.rows, progress=progress))
        what = f"sample ({a.rows or sample.DEFAULT_ROWS:,} complaints)"
    else:
        build.init_empty(path)
        what = "empty database (reference data only)"
    sys.stderr.write(f"built {what} at {path} in {time.perf_counter() - t0:.1f} s\n")
    return 0


def cmd_figures(a) -> int:
    from . import db, queries
    from .filters import Filters
    if a.date_from > a.date_to:
        sys.stderr.write(f"error: inverted period: --from {a.date_from} is after --to {a.date_to}\n")
        return 2
    path = db.db_path(a.db)
    try:
        con = db.connect(path, read_only=True)
        out = queries.figures(con, Filters(a.date_from, a.date_to))
    except Exception as exc:  # unreadable database, missing tables …
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        sys.stderr.write(f"error: cannot read database {path}: {msg}\n")
        return 1
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0


def cmd_import(a) -> int:
    from . import importer
    return importer.main(a)


def main(argv=None) -> int:
    a = _parser().parse_args(argv)
    return {"init": cmd_init, "figures": cmd_figures, "import": cmd_import}[a.cmd](a)


if __name__ == "__main__":
    raise SystemExit(main())
