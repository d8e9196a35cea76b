"""The explore page's questions: facet counts, the complaint records behind the current filters
(paged, sortable), exports, and the facts the methodology page shows about the data.

No personal data exists in the schema; the records carry only the complaint's own fields and the
business complained about.
"""
from __future__ import annotations

import pandas as pd

from .db import query, rows, scalar
from .filters import Filters, complaint_where

EXPORT_CAP = 100_000
PAGE_SIZES = (25, 50, 100, 200)

# Facet -> (SQL value expression over alias c, the Filters fields that clear its own restriction).
# Counts of a facet are computed with every OTHER restriction applied (standard faceted search).
FACETS: dict[str, tuple[str, dict]] = {
    "route": ("CASE WHEN c.is_odr THEN 'odr' ELSE 'traditional' END", {"route": "all"}),
    "districts": ("c.district_code", {"districts": ()}),
    "channels": ("c.channel", {"channels": ()}),
    "object_classes": ("c.object_class", {"object_classes": ()}),
    "categories": ("c.category", {"categories": ()}),
    "problems": ("c.problem", {"problems": ()}),
    "outcomes": ("c.outcome", {"outcomes": ()}),
    "status": ("CASE WHEN c.closed_date IS NULL THEN 'open' ELSE 'closed' END", {"status": "all"}),
}

# Sort key -> ORDER BY expression. The only sort columns a caller can choose.
SORTS: dict[str, str] = {
    "received": "c.received_at",
    "closed": "c.closed_at",
    "days": "c.resolution_days",
    "disputed": "c.disputed_yuan",
    "recovered": "c.recovered_yuan",
    "merchant": "c.merchant_name",
    "district": "c.district_code",
    "reg_no": "c.reg_no",
}

RECORD_COLUMNS = [
    "reg_no", "received_at", "accepted_date", "acceptance", "closed_at", "status", "district_code",
    "district", "township", "channel", "is_odr", "object_class", "category", "subcategory", "problem",
    "outcome", "outcome_raw", "merchant_name", "credit_code", "disputed_yuan", "recovered_yuan",
    "resolution_days", "resolution_wdays", "deadline_date", "source",
]
_SELECT = """
    c.reg_no, c.received_at, c.accepted_date, c.acceptance, c.closed_at,
    CASE WHEN c.closed_date IS NULL THEN 'open' ELSE 'closed' END AS status,
    c.district_code, d.name AS district, c.township, c.channel, c.is_odr, c.object_class,
    c.category, c.subcategory, c.problem, c.outcome, c.outcome_raw, c.merchant_name, c.credit_code,
    c.disputed_yuan::DOUBLE AS disputed_yuan, c.recovered_yuan::DOUBLE AS recovered_yuan,
    c.resolution_days, c.resolution_wdays, c.deadline_date, c.source"""


def facet_counts(con, f: Filters) -> pd.DataFrame:
    """Counts of complaints per facet value under ``f``, each facet counted with every OTHER
    restriction of ``f`` applied and its own left out.

    Grain: one row per (facet, value) with at least one complaint; empty values are left out.
    Columns: facet (a key of FACETS), value (text), n (complaints)."""
    parts, params = [], []
    for name, (expr, clear) in FACETS.items():
        where, p = complaint_where(f.with_(**clear))
        parts.append(f"SELECT '{name}' AS facet, {expr} AS value, count(*) AS n "
                     f"FROM complaints c WHERE {where} AND {expr} IS NOT NULL GROUP BY 2")
        params += p
    df = query(con, " UNION ALL ".join(parts) + " ORDER BY facet, n DESC, value", params)
    df["n"] = df["n"].astype("int64")
    return df


def facet_values(con) -> pd.DataFrame:
    """Every value each facet can take in the database (all complaints, any period), most frequent
    first: the stable option lists of the facet controls.

    Columns: facet, value, total (complaints with this value, all periods)."""
    parts = []
    for name, (expr, _) in FACETS.items():
        if name in ("route", "status", "districts"):
            continue
        parts.append(f"SELECT '{name}' AS facet, {expr} AS value, count(*) AS total FROM complaints c "
                     f"WHERE c.appeal_type = '投诉' AND {expr} IS NOT NULL GROUP BY 2")
    df = query(con, " UNION ALL ".join(parts) + " ORDER BY facet, total DESC, value")
    fixed = [("route", "odr"), ("route", "traditional"), ("status", "open"), ("status", "closed")]
    codes = [("districts", c) for (c,) in rows(con, "SELECT code FROM districts ORDER BY code")]
    extra = pd.DataFrame(fixed + codes, columns=["facet", "value"]).assign(total=0)
    out = pd.concat([df, extra], ignore_index=True)
    out["total"] = out["total"].astype("int64")
    return out


def record_count(con, f: Filters) -> int:
    """Number of complaints under ``f``."""
    where, params = complaint_where(f)
    return int(scalar(con, f"SELECT count(*) FROM complaints c WHERE {where}", params))


def _order(sort: str, descending: bool) -> str:
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; one of {sorted(SORTS)}")
    direction = "DESC" if descending else "ASC"
    return f"{SORTS[sort]} {direction} NULLS LAST, c.reg_no {direction}"


def records(con, f: Filters, sort: str = "received", descending: bool = True, limit: int = 50,
            offset: int = 0) -> pd.DataFrame:
    """The complaints under ``f``, one row per complaint, sorted by ``sort`` (a key of SORTS; ties
    broken by registration number, so pages never overlap), ``limit`` rows from ``offset``.

    Columns: RECORD_COLUMNS (times local, money in yuan, days as integers; status open/closed)."""
    limit = max(0, min(int(limit), EXPORT_CAP + 1))
    offset = max(0, int(offset))
    where, params = complaint_where(f)
    sql = f"""SELECT {_SELECT}
        FROM complaints c LEFT JOIN districts d ON d.code = c.district_code
        WHERE {where}
        ORDER BY {_order(sort, descending)}
        LIMIT ? OFFSET ?"""
    return query(con, sql, params + [limit, offset])


def export_records(con, f: Filters, sort: str = "received", descending: bool = True,
                   cap: int = EXPORT_CAP) -> pd.DataFrame:
    """The records for a download: as :func:`records`, at most ``cap`` rows (the first ``cap`` in
    the chosen order). Compare with :func:`record_count` to tell whether it was capped."""
    return records(con, f, sort, descending, limit=cap, offset=0)


def monthly_records(con, f: Filters) -> pd.DataFrame:
    """Complaints under ``f`` per calendar month of receipt (the explore page's overview chart).

    Grain: one row per month with at least one complaint. Columns: month (``YYYY-MM``), odr,
    traditional, complaints (counts)."""
    where, params = complaint_where(f)
    return query(con, f"""
        SELECT strftime(c.received_date, '%Y-%m') AS month,
               count(*) FILTER (WHERE c.is_odr) AS odr,
               count(*) FILTER (WHERE NOT c.is_odr) AS traditional,
               count(*) AS complaints
        FROM complaints c WHERE {where} GROUP BY 1 ORDER BY 1""", params)


# --- facts about the data (methodology page) --------------------------------------------------

def import_history(con) -> pd.DataFrame:
    """Files imported into the database, latest first. Columns: file_name, kind, imported_at,
    rows_read, rows_imported, rows_updated, rows_rejected."""
    return query(con, """SELECT file_name, kind, imported_at, rows_read, rows_imported, rows_updated,
        rows_rejected FROM import_log ORDER BY imported_at DESC, import_id DESC""")


def district_populations(con) -> pd.DataFrame:
    """The per-capita denominators. Columns: code, name, name_en, population, pop_note."""
    return query(con, "SELECT code, name, name_en, population, pop_note FROM districts ORDER BY code")


def table_sizes(con) -> pd.DataFrame:
    """Rows per table. Columns: table, rows. Complaints are split by appeal type in
    ``complaints_by_type`` (table ``complaints:<type>``)."""
    out = []
    for t in ("complaints", "merchants", "returns", "demo_units", "districts", "townships", "calendar"):
        out.append((t, int(scalar(con, f"SELECT count(*) FROM {t}"))))
    for typ, n in rows(con, "SELECT appeal_type, count(*) FROM complaints GROUP BY 1 ORDER BY 2 DESC"):
        out.append((f"complaints:{typ}", int(n)))
    return pd.DataFrame(out, columns=["table", "rows"])


def calendar_coverage(con) -> dict:
    """First and last date of the calendar, and the last date whose official holidays are known
    (working days after it assume Monday–Friday). Keys: first, last, known_until."""
    first, last, known = rows(con, "SELECT min(d), max(d), max(d) FILTER (WHERE known) FROM calendar")[0]
    return {"first": first, "last": last, "known_until": known}
