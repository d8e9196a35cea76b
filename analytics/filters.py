"""The filter object every analytics function takes, and its translation to a WHERE clause.

Values are always bound as parameters. Column names come from the allow-list below, never
from the caller.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

ROUTES = ("all", "odr", "traditional")
STATUSES = ("all", "open", "closed")

# Facet name -> complaints column. The only columns a filter may touch.
FACET_COLUMNS = {
    "channels": "channel",
    "object_classes": "object_class",
    "categories": "category",
    "problems": "problem",
    "outcomes": "outcome",
    "townships": "township",
}


@dataclass(frozen=True)
class Filters:
    """Period [date_from, date_to] (inclusive calendar dates) plus optional restrictions.

    Empty tuples mean "no restriction"."""
    date_from: dt.date
    date_to: dt.date
    districts: tuple[str, ...] = ()
    route: str = "all"
    channels: tuple[str, ...] = ()
    object_classes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    townships: tuple[str, ...] = ()
    status: str = "all"
    merchant: str = ""          # substring of the merchant name, or an exact credit code

    def __post_init__(self):
        if self.date_from > self.date_to:
            raise ValueError(f"period starts after it ends: {self.date_from} > {self.date_to}")
        if self.route not in ROUTES:
            raise ValueError(f"route must be one of {ROUTES}")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")

    def with_(self, **kw) -> "Filters":
        return replace(self, **kw)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1


def _in(col: str, values, params: list) -> str:
    params.extend(values)
    return f"{col} IN ({', '.join('?' for _ in values)})"


def complaint_where(f: Filters, alias: str = "c", *, period: bool = True,
                    date_col: str = "received_date", route: bool = True,
                    facets: bool = True) -> tuple[str, list]:
    """WHERE clause (without the keyword) selecting the complaints of ``f``.

    ``date_col`` is ``received_date`` (cohort view, the default) or ``closed_date``.
    Only complaints (appeal type 投诉) are ever selected."""
    if date_col not in ("received_date", "closed_date"):
        raise ValueError("date_col must be received_date or closed_date")
    a = alias + "." if alias else ""
    parts, params = [f"{a}appeal_type = '投诉'"], []
    if period:
        parts.append(f"{a}{date_col} BETWEEN ? AND ?")
        params += [f.date_from, f.date_to]
    if f.districts:
        parts.append(_in(f"{a}district_code", f.districts, params))
    if route and f.route == "odr":
        parts.append(f"{a}is_odr")
    elif route and f.route == "traditional":
        parts.append(f"NOT {a}is_odr")
    if facets:
        for name, col in FACET_COLUMNS.items():
            values = getattr(f, name)
            if values:
                parts.append(_in(f"{a}{col}", values, params))
        if f.status == "open":
            parts.append(f"{a}closed_date IS NULL")
        elif f.status == "closed":
            parts.append(f"{a}closed_date IS NOT NULL")
        if f.merchant:
            parts.append(f"({a}merchant_name ILIKE ? ESCAPE '\\' OR {a}credit_code = ?)")
            params += ["%" + f.merchant.replace("%", r"\%").replace("_", r"\_") + "%", f.merchant]
    return " AND ".join(parts), params


def district_where(f: Filters, col: str, params: list) -> str:
    """Restriction of a district column (``col`` is a trusted column reference)."""
    if not f.districts:
        return "TRUE"
    return _in(col, f.districts, params)
