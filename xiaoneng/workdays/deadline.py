"""Pure deadline arithmetic for a Clock: from its history to its instants. No database access.

Day-based clocks (working or natural days) work on local dates (Asia/Shanghai):
- the period starts the day after the start (CLK-2, 民法典 第二百零一条);
- a pause from day P to day R excludes every day from P to R, both included: a day on which the
  clock stood paused for any part of it is not counted (行政许可法 第四十五条: the time a hearing,
  testing, expert review … needs is not counted in the limit), and counting resumes the day after
  the resumption (the same "next day" rule as the start). So a pause begun and ended on one working
  day excludes that working day; one from a Friday to the Monday excludes two. A pause that begins
  after the due day has passed cures nothing (the obligation is already overdue);
- a deadline is the end of its due day: the obligation is overdue from 00:00 the day after.

Thresholds (SUP-1 defaults): reminder from the start of the working day before the due day,
yellow from the start of the due day (the last working day), red once the due day has passed,
red with a supervision recommendation once the statutory limit has passed.
"""

from __future__ import annotations

__all__ = ["Instants", "PauseSpan", "compute_instants", "day_end", "day_start", "local_date", "natural_period_end"]

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from xiaoneng.workdays.calendar import WorkCalendar


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_date(dt: datetime) -> date:
    return dt.astimezone(_tz()).date()


def day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=_tz())


def day_end(d: date) -> datetime:
    """The instant a deadline on day `d` passes: 00:00 local time on the following day."""
    return day_start(d + timedelta(days=1))


@dataclass(frozen=True)
class PauseSpan:
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class Instants:
    due_date: date | None
    due_at: datetime | None
    remind_at: datetime | None
    warn_at: datetime | None
    red_at: datetime | None
    statutory_due_date: date | None
    statutory_due_at: datetime | None
    remaining: int | None  # units left when paused; None when running
    provisional: bool


def _due_days(
    cal: WorkCalendar,
    unit: str,
    limit: int,
    start: date,
    pauses: list[tuple[date, date | None]],
    roll: bool = True,
) -> tuple[date | None, int]:
    """(due date, units remaining). Due date is None while the clock stands paused before it ran out.
    With roll=False a natural-day period ends where it ends, even on a rest day (for explanations)."""
    working = unit == "wd"
    remaining = limit
    cursor = start
    for p_start, p_end in pauses:
        # the days counted before the pause: (cursor, p_start), the pause day itself excluded
        before = p_start - timedelta(days=1)
        used = cal.count_working_days(cursor, before) if working else max((before - cursor).days, 0)
        if used >= remaining:
            break  # ran out before this pause: later pauses cannot cure an overdue obligation
        remaining -= used
        if p_end is None:
            return None, remaining
        cursor = max(cursor, p_end)
    if working:
        return cal.add_working_days(cursor, remaining), remaining
    if not roll:
        return cursor + timedelta(days=remaining), remaining
    return cal.add_natural_days(cursor, remaining), remaining


def natural_period_end(*, cal: WorkCalendar, limit: int, started_at: datetime, pauses: list[PauseSpan]) -> date | None:
    """The last day of a natural-day period before CLK-2's rest-day rule moves it to the next
    working day (民法典 第二百零三条); None while paused."""
    spans = [(local_date(p.started_at), local_date(p.ended_at) if p.ended_at else None) for p in pauses]
    return _due_days(cal, "nd", limit, local_date(started_at), spans, roll=False)[0]


def _due_hours(limit: int, started_at: datetime, pauses: list[PauseSpan]) -> tuple[datetime | None, timedelta]:
    """(due instant, time remaining) for an hour clock; the instant is None while it stands paused
    before it ran out. As for day clocks, a pause that starts after the limit has run out does not
    cure the overdue obligation."""
    left = timedelta(hours=limit)
    cursor = started_at
    for p in pauses:
        used = max(p.started_at - cursor, timedelta())
        if used >= left:
            break
        left -= used
        if p.ended_at is None:
            return None, left
        cursor = max(cursor, p.ended_at)
    return cursor + left, left


def compute_instants(
    *,
    cal: WorkCalendar,
    unit: str,
    limit: int,
    statutory_limit: int | None,
    started_at: datetime,
    pauses: list[PauseSpan],
    remind_offset: int = -1,
    warn_offset: int = 0,
    red_offset: int = 0,
) -> Instants:
    """Offsets are in working days relative to the due day (day clocks) and move each threshold."""
    if unit == "h":
        return _compute_hours(limit, statutory_limit, started_at, pauses)
    start = local_date(started_at)
    spans = [(local_date(p.started_at), local_date(p.ended_at) if p.ended_at else None) for p in pauses]
    due_date, remaining = _due_days(cal, unit, limit, start, spans)
    stat_date = None
    if statutory_limit is not None:
        stat_date, _rem = _due_days(cal, unit, statutory_limit, start, spans)
    if due_date is None:
        return Instants(
            None,
            None,
            None,
            None,
            None,
            stat_date,
            day_end(stat_date) if stat_date else None,
            remaining,
            bool(stat_date and cal.is_provisional_span(start, stat_date)),
        )
    remind_date = cal.add_working_days(due_date, remind_offset)
    if remind_date <= start:
        remind_date = start  # a one-day obligation is "due soon" from the moment it starts
    warn_date = cal.add_working_days(due_date, warn_offset)
    red_date = cal.add_working_days(due_date, red_offset)
    last = max(d for d in (due_date, stat_date) if d is not None)
    return Instants(
        due_date=due_date,
        due_at=day_end(due_date),
        remind_at=day_start(remind_date),
        warn_at=day_start(warn_date),
        red_at=day_end(red_date),
        statutory_due_date=stat_date,
        statutory_due_at=day_end(stat_date) if stat_date else None,
        remaining=None,
        provisional=cal.is_provisional_span(start, last),  # CLK-4
    )


def _compute_hours(limit: int, statutory_limit: int | None, started_at: datetime, pauses: list[PauseSpan]) -> Instants:
    """Hour clocks run on elapsed time: pauses are subtracted exactly. Reminder at half the limit,
    yellow at 80 %, red at the limit."""
    due_at, left = _due_hours(limit, started_at, pauses)
    stat_at = _due_hours(statutory_limit, started_at, pauses)[0] if statutory_limit else None
    if due_at is None:
        hours_left = int(left.total_seconds() // 3600)
        return Instants(
            None,
            None,
            None,
            None,
            None,
            local_date(stat_at) if stat_at else None,
            stat_at,
            hours_left,
            False,
        )
    return Instants(
        due_date=local_date(due_at),
        due_at=due_at,
        remind_at=due_at - timedelta(hours=limit * 0.5),
        warn_at=due_at - timedelta(hours=limit * 0.2),
        red_at=due_at,
        statutory_due_date=local_date(stat_at) if stat_at else None,
        statutory_due_at=stat_at,
        remaining=None,
        provisional=False,
    )
