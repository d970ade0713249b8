"""Working-day arithmetic (CLK-1 … CLK-4), in memory, from the calendar table.

A `WorkCalendar` holds the sorted ordinals of every working day from the first seeded year to ten
years past the last known one. Years with no confirmed schedule are filled with Monday–Friday and
listed in `provisional_years` (CLK-4). Adding N working days is then one bisect.

`get_calendar()` returns the process-wide calendar for the current revision; it re-reads the table
when an administrator changes it (the revision number moves).
"""

from __future__ import annotations

__all__ = [
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
from django.utils import timezone

_fromordinal = date.fromordinal


@dataclass(frozen=True)
class DayInfo:
    """A day that is not an ordinary Monday–Friday working day or Saturday/Sunday rest day."""

    kind: str  # "holiday" or "makeup"
    name: str


@dataclass
class WorkCalendar:
    revision: int
    first: date
    last: date
    work_ords: list[int]
    special: dict[int, DayInfo] = field(default_factory=dict)
    provisional_years: frozenset[int] = frozenset()

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
        first known one and `horizon_years` past the last is filled with weekdays if unknown."""
        this_year = timezone.localdate().year
        first_year = min(known_years) if known_years else this_year
        last_year = max([*known_years, this_year]) + horizon_years
        first, last = date(first_year, 1, 1), date(last_year, 12, 31)
        ords: list[int] = []
        special: dict[int, DayInfo] = {}
        unknown: set[int] = set(provisional_years)
        o, end = first.toordinal(), last.toordinal()
        while o <= end:
            d = date.fromordinal(o)
            info = days.get(d)
            if info is None:
                if d.year not in known_years:
                    unknown.add(d.year)
                if d.weekday() < 5:
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

    def _check(self, d: date) -> None:
        if not (self.first <= d <= self.last):
            raise ValueError(f"{d} is outside the working-day calendar ({self.first} – {self.last})")

    def is_workday(self, d: date) -> bool:
        o = d.toordinal()
        i = bisect_left(self.work_ords, o)
        return i < len(self.work_ords) and self.work_ords[i] == o

    def add_working_days(self, start: date, n: int) -> date:
        """CLK-2: the N-th working day after `start`, the start day itself excluded. n = 0 gives
        `start`; a negative n counts back (the N-th working day before `start`).

        The hot path of every deadline: one bisect, written so that the common case (n > 0) costs
        little more than the bare bisect (bench/workdays.py keeps it within 3× of that floor)."""
        if n > 0:
            ords = self.work_ords
            try:
                return _fromordinal(ords[bisect_right(ords, start.toordinal()) + n - 1])
            except IndexError:
                raise ValueError(
                    f"{n} working days from {start} leave the calendar ({self.first} – {self.last})"
                ) from None
        if n == 0:
            return start
        ords = self.work_ords
        i = bisect_left(ords, start.toordinal()) + n
        if i < 0:
            raise ValueError(f"{n} working days from {start} leave the calendar ({self.first} – {self.last})")
        return _fromordinal(ords[i])

    def count_working_days(self, after: date, until: date) -> int:
        """Working days in the half-open span (after, until]; 0 when until <= after."""
        if until <= after:
            return 0
        return bisect_right(self.work_ords, until.toordinal()) - bisect_right(self.work_ords, after.toordinal())

    def next_workday_on_or_after(self, d: date) -> date:
        i = bisect_left(self.work_ords, d.toordinal())
        if i >= len(self.work_ords):
            raise ValueError(f"{d} is outside the working-day calendar")
        return date.fromordinal(self.work_ords[i])

    def add_natural_days(self, start: date, n: int) -> date:
        """N natural days after `start`; a period ending on a rest day ends on the next working day
        (民法典 第二百零三条, CLK-2)."""
        return self.next_workday_on_or_after(start + timedelta(days=n))

    def rest_days(self, after: date, until: date) -> list[tuple[date, str, str]]:
        """Each rest day in (after, until] as (date, kind, name): kind is "holiday" or "weekend".
        Also each make-up working day (kind "makeup"), since an explanation must say it counted."""
        out: list[tuple[date, str, str]] = []
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
    from .models import CalendarRevision

    row = CalendarRevision.objects.order_by("-number").values_list("number", "created_at").first()
    return (row[0], row[1]) if row else (0, None)


def calendar_load(revision: int) -> WorkCalendar:
    """Build a calendar from the table as the current transaction sees it. The confirmation of a
    year uses this to recompute clocks with the uncommitted calendar without publishing it to the
    process-wide cache (a rolled-back confirmation must leave no trace, not even in memory)."""
    from .models import CalendarDay, CalendarYear

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
