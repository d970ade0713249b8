"""Reads for the calendar screens and the clock recomputation.

The calendar is national data: every signed-in user may read it, only administrators change it
(see permissions.py). Clocks are jurisdiction data: anything that lists clocks to a user goes through
`core.scoping.restrict` (Clock declares its ScopeRule); the count below is a number for the
administrator's preview, not a list.
"""

from __future__ import annotations

__all__ = [
    "CalendarYearRow",
    "MonthGrid",
    "RevisionRow",
    "calendar_months",
    "calendar_revisions_recent",
    "calendar_years_overview",
    "clocks_affected_by_years",
]

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.models import Event
from xiaoneng.workdays.calendar import WorkCalendar, get_calendar
from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES, YearStatus
from xiaoneng.workdays.deadline import day_start
from xiaoneng.workdays.models import CalendarDay, CalendarRevision, CalendarYear, Clock


def clocks_affected_by_years(years: list[int] | None) -> QuerySet[Clock]:
    """CLK-5: the open clocks a change to `years` may move: those started before the last day of
    the span and due on or after its first day, or standing paused (no due date yet), or still
    provisional. Without `years`, every open clock."""
    qs = Clock.objects.filter(status__in=OPEN_CLOCK_STATUSES)
    if years:
        lo, hi = date(min(years), 1, 1), date(max(years), 12, 31)
        qs = qs.filter(
            Q(due_date__gte=lo) | Q(due_date__isnull=True) | Q(provisional=True) | Q(statutory_due_date__gte=lo)
        ).filter(started_at__lt=day_start(hi + timedelta(days=1)))
    return qs


@dataclass(frozen=True)
class CalendarYearRow:
    year: int
    status: str  # "confirmed", "provisional" or "missing"
    status_label: str
    source: str
    notice_ref: str
    revision: int | None
    confirmed_by: str
    confirmed_at: Any
    holidays: int
    makeup: int


def calendar_years_overview(today: date | None = None) -> list[CalendarYearRow]:
    """Every known year, and every missing year up to next year, newest first."""
    today = today or timezone.localdate()
    rows = {y.year: y for y in CalendarYear.objects.select_related("revision", "confirmed_by")}
    counts: dict[tuple[int, str], int] = {}
    for d, kind in CalendarDay.objects.filter(kind__in=["holiday", "makeup"]).values_list("date", "kind"):
        counts[(d.year, kind)] = counts.get((d.year, kind), 0) + 1
    first = min(rows) if rows else today.year
    out = []
    for y in range(max([*rows, today.year + 1]), first - 1, -1):
        row = rows.get(y)
        if row is None:
            out.append(
                CalendarYearRow(
                    y, "missing", _("未录入（按周一至周五并跳过法定节假日暂定）"), "", "", None, "", None, 0, 0
                )
            )
            continue
        out.append(
            CalendarYearRow(
                year=y,
                status=row.status,
                status_label=str(YearStatus(row.status).label),
                source=row.get_source_display(),
                notice_ref=row.notice_ref,
                revision=row.revision.number,
                confirmed_by=str(row.confirmed_by) if row.confirmed_by else "",
                confirmed_at=row.confirmed_at,
                holidays=counts.get((y, "holiday"), 0),
                makeup=counts.get((y, "makeup"), 0),
            )
        )
    return out


@dataclass(frozen=True)
class RevisionRow:
    number: int
    created_at: Any
    actor: str
    years: list[int]
    note: str
    action: str
    holidays: list[str] = field(default_factory=list)
    makeup: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    recomputed: int | None = None


def calendar_revisions_recent(limit: int = 20) -> list[RevisionRow]:
    """The latest calendar revisions with who, when and what (from their Event)."""
    revs = list(CalendarRevision.objects.select_related("actor").order_by("-number")[:limit])
    ct = ContentType.objects.get_for_model(CalendarRevision)
    events: dict[str, Event] = {}
    for event in Event.objects.filter(subject_type=ct, subject_id__in=[str(r.pk) for r in revs]).order_by("seq"):
        events.setdefault(event.subject_id, event)
    out = []
    for r in revs:
        e = events.get(str(r.pk))
        after: dict[str, Any] = e.after if e else {}
        before: dict[str, Any] = e.before if e else {}
        new_days = set(after.get("holidays", [])) | set(after.get("makeup", []))
        old_days = set(before.get("holidays", [])) | set(before.get("makeup", []))
        out.append(
            RevisionRow(
                number=r.number,
                created_at=r.created_at,
                actor=str(r.actor) if r.actor else "",
                years=list(r.years),
                note=r.note,
                action=e.action if e else "",
                holidays=list(after.get("holidays", [])),
                makeup=list(after.get("makeup", [])),
                added=sorted(new_days - old_days) if before else [],
                removed=sorted(old_days - new_days) if before else [],
                recomputed=after.get("recomputed"),
            )
        )
    return out


@dataclass(frozen=True)
class DayCell:
    day: date
    kind: str  # workday, weekend, holiday, makeup
    name: str
    today: bool


@dataclass
class MonthGrid:
    month: int
    weeks: list[list[DayCell | None]]
    workdays: int
    notes: list[tuple[str, date, date, str]] = field(default_factory=list)  # (kind, first, last, name)


def calendar_months(year: int, cal: WorkCalendar | None = None, today: date | None = None) -> list[MonthGrid]:
    """Twelve month grids (weeks from Monday) of `year`, each day with its kind and holiday name."""
    cal = cal or get_calendar()
    today = today or timezone.localdate()
    months = []
    for m in range(1, 13):
        weeks: list[list[DayCell | None]] = []
        count = 0
        notes: list[tuple[str, date, date, str]] = []
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, m):
            row: list[DayCell | None] = []
            for d in week:
                if d.month != m:
                    row.append(None)
                    continue
                info = cal.day_info(d)
                work = cal.is_workday(d)
                count += work
                if info is not None:
                    kind, name = info.kind, info.name
                    last = notes[-1] if notes else None
                    if last and last[0] == kind and last[3] == name and last[2] + timedelta(days=1) == d:
                        notes[-1] = (kind, last[1], d, name)
                    else:
                        notes.append((kind, d, d, name))
                else:
                    kind, name = ("workday" if work else "weekend"), ""
                row.append(DayCell(d, kind, name, d == today))
            weeks.append(row)
        months.append(MonthGrid(m, weeks, count, notes))
    return months
