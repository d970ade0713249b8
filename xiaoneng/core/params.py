"""Checks for the query parameters every API module shares (issue 9): dates and date ranges, and
bounded integers. Each raises Django's ValidationError keyed by the parameter's name with a
translated message, which the API root turns into a 400 ({"detail": {name: [message]}}); Open311
turns it into its own error list. One place decides the accepted years, so year 0001 or 9999 never
reaches a time-zone conversion or the database (both overflow there and gave 500s)."""

from __future__ import annotations

__all__ = [
    "MAX_DB_INT",
    "MAX_OFFSET",
    "MAX_YEAR",
    "MIN_YEAR",
    "bounded_int",
    "checked_date",
    "checked_datetime",
    "date_range",
]

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# No record predates the platform's calendar seed (2004) by much; 2000 leaves room for imported
# history. 2100 is far beyond any deadline. Dates outside are refused rather than answered empty, so a
# typo (0226 for 2026) is told, not silently matched with nothing.
MIN_YEAR = 2000
MAX_YEAR = 2100
# The largest value a database integer key can hold (PostgreSQL bigint, SQLite INTEGER).
MAX_DB_INT = 2**63 - 1
# The furthest a list may be paged into.
MAX_OFFSET = 1_000_000


def _year_error(name: str) -> ValidationError:
    return ValidationError(
        {name: _("%(name)s 的年份须在%(min)d年至%(max)d年之间。") % {"name": name, "min": MIN_YEAR, "max": MAX_YEAR}}
    )


def checked_date(value: date | None, name: str) -> date | None:
    """The date itself when its year is in [MIN_YEAR, MAX_YEAR]; None stays None."""
    if value is None:
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _year_error(name)
    return value


def checked_datetime(value: datetime | None, name: str) -> datetime | None:
    """An aware datetime in [MIN_YEAR, MAX_YEAR] (naive values are taken in the current time zone)."""
    if value is None:
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _year_error(name)
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def date_range(
    start: date | None,
    end: date | None,
    *,
    default_start: date | None = None,
    default_end: date | None = None,
    max_days: int | None = None,
    names: tuple[str, str] = ("start", "end"),
) -> tuple[date, date]:
    """A checked (start, end) period: both years in range, start ≤ end, and at most `max_days` long
    when given. Missing ends take the defaults (today when no default is given)."""
    today = timezone.localdate()
    s = checked_date(start, names[0]) or default_start or today
    e = checked_date(end, names[1]) or default_end or today
    if s > e:
        raise ValidationError({names[0]: _("开始日期不能晚于结束日期。")})
    if max_days is not None and e - s > timedelta(days=max_days):
        raise ValidationError({names[1]: _("查询期间不能超过%(days)d天。") % {"days": max_days}})
    return s, e


def bounded_int(value: int | None, name: str, *, low: int = 0, high: int = MAX_DB_INT) -> int | None:
    """The integer itself when low ≤ value ≤ high (None stays None): an id beyond the database's
    integer range overflowed in the driver, a negative limit broke slicing."""
    if value is None:
        return None
    if not low <= value <= high:
        raise ValidationError(
            {name: _("%(name)s 须在%(low)d至%(high)d之间。") % {"name": name, "low": low, "high": high}}
        )
    return value
