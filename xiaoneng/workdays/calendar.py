"""Working-day arithmetic (CLK-1 … CLK-4), in memory, from the calendar table.

A `WorkCalendar` holds the sorted ordinals of every working day from the first seeded year to ten
years past the last known one. Years with no confirmed schedule are listed in `provisional_years`
(CLK-4) and filled with Monday–Friday less the holidays the law itself fixes (holidays.py: 元旦,
春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节 and their 补假), each marked provisional with its name.
Adding N working days is then one bisect.

A date outside the calendar's span is an error (`CalendarRangeError`), never a silent guess.

`get_calendar()` returns the process-wide calendar for the current revision; it re-reads the table
when an administrator changes it (the revision number moves).
"""

from __future__ import annotations

__all__ = [
    "CalendarRangeError",
    "DayInfo",
    "WorkCalendar",
    "calendar_invalidate",
    "calendar_load",
    "get_calendar",
]

import threading
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoneng.workdays.holidays import statutory_holidays
from xiaoneng.workdays.models import CalendarDay, CalendarRevision, CalendarYear

_fromordinal = date.fromordinal


class CalendarRangeError(ValidationError, ValueError):
    """A working-day computation that leaves the calendar's span (its first seeded year to ten years
    past the last known one). A ValidationError, so a form shows it and the API answers 400 with its
    translated message; a ValueError, as the arithmetic raised before it had a name."""

    def __init__(self, first: date, last: date, detail: str = "") -> None:
        self.first, self.last, self.detail = first, last, detail
        super().__init__(
            _("日期超出工作日历范围（%(first)s 至 %(last)s），无法计算工作日。"),
            code="calendar_range",
            params={"first": first.isoformat(), "last": last.isoformat()},
        )

    def __str__(self) -> str:  # the detail for logs; users see the translated message
        return self.detail or f"outside the working-day calendar ({self.first} – {self.last})"


@dataclass(frozen=True)
class DayInfo:
    """A day that is not an ordinary Monday–Friday working day or Saturday/Sunday rest day."""

    kind: str  # "holiday" or "makeup"
    name: str
    provisional: bool = False  # a holiday by law in a year whose schedule is not announced (CLK-4)


@dataclass
class WorkCalendar:
    revision: int
    first: date
    last: date
    work_ords: list[int]
    special: dict[int, DayInfo] = field(default_factory=dict)
    provisional_years: frozenset[int] = frozenset()
    # the ordinals of the day before `first` and the day after `last` (see the queries below)
    _lo: int = field(init=False, repr=False, compare=False)
    _hi: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._lo = self.first.toordinal() - 1
        self._hi = self.last.toordinal() + 1

    @classmethod
    def build(
        cls,
        *,
        revision: int,
        days: dict[date, tuple[bool, str, str]],
        known_years: set[int],
        provisional_years: set[int],
        horizon_years: int = 10,
    ) -> WorkCalendar:
        """`days` maps each date of a known year to (is_workday, kind, name). Any year between the
        first known one and `horizon_years` past the last is provisional if unknown: weekdays less
        the statutory holidays of holidays.py (CLK-4)."""
        this_year = timezone.localdate().year
        first_year = min(known_years) if known_years else this_year
        last_year = max([*known_years, this_year]) + horizon_years
        first, last = date(first_year, 1, 1), date(last_year, 12, 31)
        ords: list[int] = []
        special: dict[int, DayInfo] = {}
        unknown: set[int] = set(provisional_years)
        by_law: dict[date, str] = {}
        by_law_year = 0
        o, end = first.toordinal(), last.toordinal()
        while o <= end:
            d = date.fromordinal(o)
            info = days.get(d)
            if info is None:
                if d.year not in known_years:
                    unknown.add(d.year)
                if d.year != by_law_year:
                    by_law, by_law_year = {h.day: h.name for h in statutory_holidays(d.year)}, d.year
                law_name = by_law.get(d)
                if law_name is not None:
                    # CLK-4: a provisional year still rests on the holidays the law fixes
                    special[o] = DayInfo("holiday", law_name, provisional=True)
                elif d.weekday() < 5:
                    ords.append(o)
            else:
                is_work, kind, name = info
                if is_work:
                    ords.append(o)
                if kind in ("holiday", "makeup"):
                    special[o] = DayInfo(kind, name)
            o += 1
        return cls(revision, first, last, ords, special, frozenset(unknown))

    # --- queries --------------------------------------------------------------------------------
    # Every query refuses a date the calendar does not cover (CalendarRangeError): before the first
    # seeded year the bisect would start counting at the first known working day, past the last
    # one it would count weekdays nobody computed. The day before `first` and the day after `last`
    # are allowed where only the days after (or before) them are read: "N working days after
    # 31 December" of the year before the first reads nothing of that year.

    def _range_error(self, detail: str) -> CalendarRangeError:
        return CalendarRangeError(self.first, self.last, detail)

    def _check(self, d: date) -> None:
        if not (self.first <= d <= self.last):
            raise self._range_error(f"{d} is outside the working-day calendar ({self.first} – {self.last})")

    def is_workday(self, d: date) -> bool:
        self._check(d)
        o = d.toordinal()
        i = bisect_left(self.work_ords, o)
        return i < len(self.work_ords) and self.work_ords[i] == o

    def add_working_days(self, start: date, n: int) -> date:
        """CLK-2: the N-th working day after `start`, the start day itself excluded. n = 0 gives
        `start`; a negative n counts back (the N-th working day before `start`). Raises
        CalendarRangeError when `start` or the result lies outside the calendar.

        The hot path of every deadline: one bisect, written so that the common case (n > 0) costs
        little more than the bare bisect (bench/workdays.py keeps it within 3× of that floor)."""
        o = start.toordinal()
        if n > 0:
            ords = self.work_ords
            if o < self._lo:
                raise self._range_error(f"{n} working days from {start}: it is before the calendar")
            try:
                return _fromordinal(ords[bisect_right(ords, o) + n - 1])
            except IndexError:
                raise self._range_error(f"{n} working days from {start} leave the calendar") from None
        if n == 0:
            self._check(start)
            return start
        ords = self.work_ords
        if o > self._hi:
            raise self._range_error(f"{n} working days from {start}: it is after the calendar")
        i = bisect_left(ords, o) + n
        if i < 0:
            raise self._range_error(f"{n} working days from {start} leave the calendar")
        return _fromordinal(ords[i])

    def count_working_days(self, after: date, until: date) -> int:
        """Working days in the half-open span (after, until]; 0 when until <= after. Raises
        CalendarRangeError when the span reaches outside the calendar."""
        if until <= after:
            return 0
        if after.toordinal() < self._lo or until > self.last:
            raise self._range_error(f"({after}, {until}] reaches outside the calendar")
        return bisect_right(self.work_ords, until.toordinal()) - bisect_right(self.work_ords, after.toordinal())

    def next_workday_on_or_after(self, d: date) -> date:
        self._check(d)
        i = bisect_left(self.work_ords, d.toordinal())
        if i >= len(self.work_ords):
            raise self._range_error(f"no working day on or after {d} in the calendar")
        return date.fromordinal(self.work_ords[i])

    def add_natural_days(self, start: date, n: int) -> date:
        """N natural days after `start`; a period ending on a rest day ends on the next working day
        (民法典 第二百零三条, CLK-2)."""
        return self.next_workday_on_or_after(start + timedelta(days=n))

    def rest_days(self, after: date, until: date) -> list[tuple[date, str, str]]:
        """Each rest day in (after, until] as (date, kind, name): kind is "holiday" or "weekend".
        Also each make-up working day (kind "makeup"), since an explanation must say it counted."""
        out: list[tuple[date, str, str]] = []
        if until > after:
            self._check(after + timedelta(days=1))
            self._check(until)
        d = after + timedelta(days=1)
        while d <= until:
            info = self.special.get(d.toordinal())
            if info is not None and info.kind == "makeup":
                out.append((d, "makeup", info.name))
            elif not self.is_workday(d):
                if info is not None:
                    out.append((d, "holiday", info.name))
                else:
                    out.append((d, "weekend", ""))
            d += timedelta(days=1)
        return out

    def is_provisional(self, d: date) -> bool:
        return d.year in self.provisional_years

    def is_provisional_span(self, first: date, last: date) -> bool:
        """CLK-4: a period is provisional when any year it runs through has no confirmed schedule
        (a 2026 start due in 2028 depends on 2027 even if 2028 were confirmed)."""
        return any(first.year <= y <= last.year for y in self.provisional_years)

    def day_info(self, d: date) -> DayInfo | None:
        """The holiday or make-up working day on `d`, if any (with its name)."""
        return self.special.get(d.toordinal())


_lock = threading.Lock()
_cached: WorkCalendar | None = None
_cached_key: tuple[int, object] | None = None
_checked_at = 0.0


def _current_revision() -> tuple[int, object]:
    """The latest revision's number and creation instant. The instant is part of the key because a
    rolled-back confirmation frees its number for the next one: a calendar cached inside the rolled-back
    transaction must not pass for the new revision with the same number."""

    row = CalendarRevision.objects.order_by("-number").values_list("number", "created_at").first()
    return (row[0], row[1]) if row else (0, None)


def calendar_load(revision: int) -> WorkCalendar:
    """Build a calendar from the table as the current transaction sees it. The confirmation of a
    year uses this to recompute clocks with the uncommitted calendar without publishing it to the
    process-wide cache (a rolled-back confirmation must leave no trace, not even in memory)."""

    years = {y.year: y for y in CalendarYear.objects.all()}
    confirmed = {y for y, row in years.items() if row.status == "confirmed"}
    days = {d: (w, k, n) for d, w, k, n in CalendarDay.objects.values_list("date", "is_workday", "kind", "name")}
    return WorkCalendar.build(
        revision=revision,
        days=days,
        known_years=confirmed,
        provisional_years=set(years) - confirmed,
    )


def get_calendar() -> WorkCalendar:
    """The calendar of the current revision, re-read at most every
    XIAONENG_CALENDAR_RECHECK_SECONDS (0 in tests: always checked)."""
    global _cached, _cached_key, _checked_at
    recheck = getattr(settings, "XIAONENG_CALENDAR_RECHECK_SECONDS", 5)
    now = time.monotonic()
    cal = _cached
    if cal is not None and now - _checked_at < recheck:
        return cal
    with _lock:
        key = _current_revision()
        if _cached is None or _cached_key != key:
            _cached = calendar_load(key[0])
            _cached_key = key
        _checked_at = now
        return _cached


def calendar_invalidate() -> None:
    global _cached, _cached_key
    with _lock:
        _cached = None
        _cached_key = None
