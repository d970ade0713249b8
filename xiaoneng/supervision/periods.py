"""Months, quarters and bulletin periods (Asia/Shanghai calendar months): the period arithmetic
shared by the alert cards, the efficiency index and the bulletins. Pure: no database access.
"""

from __future__ import annotations

__all__ = [
    "add_months",
    "month_bounds",
    "month_param",
    "month_param_or",
    "month_start",
    "next_month",
    "period_label",
    "period_months",
    "period_start",
    "previous_month",
    "quarter_months",
    "quarter_of",
]

from datetime import date, datetime

from django.utils.translation import gettext as _

from xiaoneng.supervision.choices import BulletinKind
from xiaoneng.workdays.deadline import day_start


# --- periods ----------------------------------------------------------------------------------
def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(month: date, n: int) -> date:
    i = month.year * 12 + month.month - 1 + n
    return date(i // 12, i % 12 + 1, 1)


def previous_month(month: date) -> date:
    return add_months(month_start(month), -1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) in local time (Asia/Shanghai)."""
    m = month_start(month)
    return day_start(m), day_start(add_months(m, 1))


def quarter_months(year: int, quarter: int) -> list[date]:
    first = date(year, 3 * (quarter - 1) + 1, 1)
    return [add_months(first, i) for i in range(3)]


def quarter_of(month: date) -> tuple[int, int]:
    return month.year, (month.month - 1) // 3 + 1


def next_month(m: date) -> date:
    return date(m.year + (m.month == 12), m.month % 12 + 1, 1)


def month_param(value: str) -> date | None:
    """ "YYYY-MM" → the first of that month; anything else (or an absurd year) → None."""
    try:
        y, m = (int(x) for x in (value or "").split("-")[:2])
        return date(y, m, 1) if 2000 <= y <= 2100 else None
    except (TypeError, ValueError):
        return None


# --- efficiency index, warnings, leader's page, bulletins (SUP-3, SUP-5) ------------------------
def month_param_or(value: str, default: date) -> date:
    # a month outside 2000–2100 (year 0001 or 9999) is no month of the index: the default instead of
    # a date overflow (a 500) further down
    return month_param(value[:10]) or default


# --- periods --------------------------------------------------------------------------------------
def period_start(kind: str, d: date) -> date:
    if kind == BulletinKind.QUARTERLY:
        return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    return d.replace(day=1)


def period_months(kind: str, period: date) -> list[date]:
    if kind == BulletinKind.QUARTERLY:
        return quarter_months(period.year, (period.month - 1) // 3 + 1)
    return [period]


def period_label(kind: str, period: date) -> str:
    if kind == BulletinKind.QUARTERLY:
        return _("%(y)s年第%(q)s季度") % {"y": period.year, "q": (period.month - 1) // 3 + 1}
    return _("%(y)s年%(m)s月") % {"y": period.year, "m": period.month}
