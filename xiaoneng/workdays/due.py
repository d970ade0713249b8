"""The due date as every page, PDF and API shows it: one Clock, one date, everywhere.

A day-based Clock is due at the END of its due day: `Clock.due_at` is 00:00 (Asia/Shanghai) of the
FOLLOWING day, the instant the obligation becomes overdue (deadline.py). Formatting that instant as
a date shows the day after the due date — on the complaint tracking page a reply due on Friday
2026-12-11 showed Saturday 2026-12-12 while the staff page showed the Friday. So nothing shows a
due date from `due_at`: pages (the `clock_due_date` filter of `{% load clocks %}`), PDFs and API
schemas read it through `clock_due_date`, and an API that must give an instant gives
`clock_due_deadline`, the last moment that still meets the obligation.
"""

from __future__ import annotations

__all__ = ["clock_due_date", "clock_due_deadline", "clock_due_text", "clock_shows_provisional"]

from datetime import date, datetime, time

from django.utils import timezone

from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES, ClockUnit
from xiaoneng.workdays.deadline import day_start
from xiaoneng.workdays.explain import date_with_weekday
from xiaoneng.workdays.models import Clock


def clock_due_date(clock: Clock | None) -> date | None:
    """The day the obligation is due (Asia/Shanghai), or None (no clock, or paused before it ran
    out). For hour clocks the local date of the due instant; both cached by the recompute."""
    if clock is None:
        return None
    return clock.due_date


def clock_due_deadline(clock: Clock | None) -> datetime | None:
    """The last instant that still meets the obligation, for an API that speaks in instants (Open311's
    expected_datetime): 23:59:59 local time on the due day for day clocks, the due instant itself
    for hour clocks. Its local date is always `clock_due_date`."""
    if clock is None or clock.due_date is None:
        return None
    if clock.unit == ClockUnit.HOURS:
        return clock.due_at
    return datetime.combine(clock.due_date, time(23, 59, 59), tzinfo=day_start(clock.due_date).tzinfo)


def clock_due_text(clock: Clock | None) -> str:
    """ "2026-12-11（周五）" for day clocks, "2026-12-11 15:00" for hour clocks, "" without a due date."""
    d = clock_due_date(clock)
    if clock is None or d is None or clock.due_at is None:
        return ""
    if clock.unit == ClockUnit.HOURS:
        return f"{timezone.localtime(clock.due_at):%Y-%m-%d %H:%M}"
    return date_with_weekday(d)


def clock_shows_provisional(clock: Clock | None) -> bool:
    """Whether the due date is shown as provisional (暂定, CLK-4): only while the obligation is open.
    A stopped or cancelled clock is never recomputed again (CLK-5 recomputes open clocks only): its
    due date — the one "on time" was judged against — is final even if it lay in a year whose
    schedule was not yet announced, so "暂定, recomputed once announced" would no longer be true."""
    return bool(clock is not None and clock.provisional and clock.status in OPEN_CLOCK_STATUSES)
