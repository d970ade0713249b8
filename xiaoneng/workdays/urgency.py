"""How urgent a Clock is right now, for the colour pill every list and page shows (SUP-1 colours)."""

from __future__ import annotations

__all__ = ["ClockUrgency", "clock_urgency"]

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .calendar import get_calendar
from .choices import ClockStatus, ClockUnit
from .explain import date_with_weekday
from .models import Clock


@dataclass(frozen=True)
class ClockUrgency:
    colour: str  # "green", "yellow", "red" or "grey" (the .pill classes of xiaoneng.css)
    label: str
    due_text: str  # the due date (day clocks) or instant (hour clocks), "" while paused
    remaining_text: str  # "剩余3个工作日", "超期2个工作日", "剩余5小时" …
    rank: int  # for ordering a queue: higher is more urgent


def _due_text(clock: Clock) -> str:
    if clock.due_at is None or clock.due_date is None:
        return ""
    if clock.unit == ClockUnit.HOURS:
        return f"{timezone.localtime(clock.due_at):%Y-%m-%d %H:%M}"
    return date_with_weekday(clock.due_date)


def _remaining_text(clock: Clock, now: datetime) -> str:
    unit = clock.get_unit_display()
    if clock.status == ClockStatus.PAUSED:
        return _("剩余%(n)s个%(unit)s") % {"n": clock.remaining if clock.remaining is not None else "-", "unit": unit}
    if clock.due_at is None or clock.due_date is None:
        return ""
    if clock.unit == ClockUnit.HOURS:
        hours = int(abs((clock.due_at - now).total_seconds()) // 3600)
        if now < clock.due_at:
            return _("剩余%(n)d小时") % {"n": hours}
        return _("超期%(n)d小时") % {"n": hours}
    today = timezone.localdate(now)
    cal = get_calendar()
    if clock.unit == ClockUnit.WORKING_DAYS:
        left = cal.count_working_days(today, clock.due_date) if clock.due_date >= today else 0
        late = cal.count_working_days(clock.due_date, today) if clock.due_date < today else 0
    else:
        left = max((clock.due_date - today).days, 0)
        late = max((today - clock.due_date).days, 0)
    if late:
        return _("超期%(n)d个%(unit)s") % {"n": late, "unit": unit}
    if clock.due_date == today:
        return _("今日到期")
    return _("剩余%(n)d个%(unit)s") % {"n": left, "unit": unit}


def clock_urgency(clock: Clock, now: datetime | None = None) -> ClockUrgency:
    """Grey when stopped, cancelled or paused ("暂停"); while running: green until the yellow
    instant (labelled "即将到期" once the reminder instant has passed), yellow from `warn_at`, red from
    `red_at`, and "超过法定时限" past the statutory limit."""
    now = now or timezone.now()
    due, left = _due_text(clock), _remaining_text(clock, now)
    if clock.status == ClockStatus.STOPPED:
        on_time = clock.due_at is not None and clock.stopped_at is not None and clock.stopped_at <= clock.due_at
        return ClockUrgency("grey", _("按时办结") if on_time else _("超期办结"), due, "", 0)
    if clock.status == ClockStatus.CANCELLED:
        return ClockUrgency("grey", _("已撤销"), due, "", 0)
    if clock.status == ClockStatus.PAUSED:
        return ClockUrgency("grey", _("暂停"), due, left, 1)
    if clock.statutory_due_at is not None and now >= clock.statutory_due_at:
        return ClockUrgency("red", _("超过法定时限"), due, left, 6)
    if clock.red_at is not None and now >= clock.red_at:
        return ClockUrgency("red", _("已超期"), due, left, 5)
    if clock.warn_at is not None and now >= clock.warn_at:
        return ClockUrgency("yellow", _("临期预警"), due, left, 4)
    if clock.remind_at is not None and now >= clock.remind_at:
        return ClockUrgency("green", _("即将到期"), due, left, 3)
    return ClockUrgency("green", _("正常"), due, left, 2)
