"""How much of a limit a finished clock used: the working days between its start and its stop, less
the paused days — the same arithmetic as the due date (CLK-2: the start day is not counted; a day
on which the clock stood paused for any part of it is not counted, deadline.py), so "used" and
"limit" are comparable (提速率)."""

from __future__ import annotations

__all__ = ["clocks_days_used", "working_days_used"]

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from xiaoneng.workdays.calendar import WorkCalendar, get_calendar
from xiaoneng.workdays.deadline import local_date
from xiaoneng.workdays.models import ClockPause


def working_days_used(cal: WorkCalendar, start: date, stop: date, pauses: Iterable[tuple[date, date | None]]) -> int:
    """Working days in (start, stop] on which the clock did not stand paused (pause days from the
    day it began to the day it ended, both included)."""
    used = 0
    cursor = start
    for p_start, p_end in sorted(pauses):
        if p_start > stop:
            break
        used += cal.count_working_days(cursor, p_start - timedelta(days=1))
        cursor = max(cursor, min(p_end or stop, stop))
    return used + cal.count_working_days(cursor, stop)


def clocks_days_used(rows: list[tuple[int, object, object]]) -> dict[int, int]:
    """{clock id: working days used} for (id, started_at, stopped_at) rows of stopped working-day
    clocks, reading all their pauses in one query."""
    if not rows:
        return {}
    spans: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for clock_id, p_start, p_end in ClockPause.objects.filter(clock_id__in=[r[0] for r in rows]).values_list(
        "clock_id", "started_at", "ended_at"
    ):
        spans[clock_id].append((local_date(p_start), local_date(p_end) if p_end else None))
    cal = get_calendar()
    return {
        cid: working_days_used(cal, local_date(started), local_date(stopped), spans.get(cid, ()))  # type: ignore[arg-type]
        for cid, started, stopped in rows
    }
