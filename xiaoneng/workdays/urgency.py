"""How urgent a Clock is right now, for the colour pill every list and page shows (SUP-1 colours).

One mapping, `URGENCY_LEVELS`, gives each level its colour; the pill (`clock_urgency`) and every
legend (`urgency_legend`, workdays/_clock_legend.html) are drawn from it, so a "due soon" pill cannot
be green while the legend says yellow.
"""

from __future__ import annotations

__all__ = ["URGENCY_LEVELS", "ClockUrgency", "LegendEntry", "UrgencyLevel", "clock_urgency", "urgency_legend"]

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.choices import ClockStatus, ClockUnit
from xiaoneng.workdays.due import clock_due_text
from xiaoneng.workdays.ladder import level_at, urgency_key
from xiaoneng.workdays.models import Clock


@dataclass(frozen=True)
class UrgencyLevel:
    colour: str  # "green", "yellow", "red" or "grey" (the .pill classes of xiaoneng.css)
    rank: int  # for ordering a queue: higher is more urgent


# SUP-1: green while running normally; yellow from the reminder (1 working day before, "即将到期") and
# on the last working day ("临期预警"); red past the committed limit and past the statutory one;
# grey when paused or finished.
URGENCY_LEVELS: dict[str, UrgencyLevel] = {
    "statutory": UrgencyLevel("red", 6),
    "overdue": UrgencyLevel("red", 5),
    "warning": UrgencyLevel("yellow", 4),
    "due_soon": UrgencyLevel("yellow", 3),
    "normal": UrgencyLevel("green", 2),
    "paused": UrgencyLevel("grey", 1),
    "finished": UrgencyLevel("grey", 0),
    "cancelled": UrgencyLevel("grey", 0),
}


@dataclass(frozen=True)
class LegendEntry:
    colour: str
    label: str | Promise


# What each colour means, in the legend's order; a colour's text covers every level mapped to it.
_LEGEND_TEXT: dict[str, str | Promise] = {
    "red": gettext_lazy("红：已超期"),
    "yellow": gettext_lazy("黄：临近到期"),
    "green": gettext_lazy("绿：正常"),
    "grey": gettext_lazy("灰：暂停或未计时"),
}


def urgency_legend() -> list[LegendEntry]:
    """The colour legend of clock pills: one entry per colour URGENCY_LEVELS uses."""
    used = {level.colour for level in URGENCY_LEVELS.values()}
    return [LegendEntry(colour, text) for colour, text in _LEGEND_TEXT.items() if colour in used]


@dataclass(frozen=True)
class ClockUrgency:
    colour: str  # "green", "yellow", "red" or "grey" (the .pill classes of xiaoneng.css)
    label: str
    due_text: str  # the due date (day clocks) or instant (hour clocks), "" while paused
    remaining_text: str  # "剩余3个工作日", "超期2个工作日", "剩余5小时" …
    rank: int  # for ordering a queue: higher is more urgent
    level: str = "normal"  # the key of URGENCY_LEVELS


def _urgency(level: str, label: str, due: str, left: str) -> ClockUrgency:
    spec = URGENCY_LEVELS[level]
    return ClockUrgency(spec.colour, label, due, left, spec.rank, level)


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


_RUNNING_LABELS: dict[str, str | Promise] = {
    "statutory": gettext_lazy("超过法定时限"),
    "overdue": gettext_lazy("已超期"),
    "warning": gettext_lazy("临期预警"),
    "due_soon": gettext_lazy("即将到期"),
    "normal": gettext_lazy("正常"),
}


def clock_urgency(clock: Clock, now: datetime | None = None) -> ClockUrgency:
    """Grey when stopped, cancelled or paused ("暂停"); while running: green, then yellow from the
    reminder instant ("即将到期") and from `warn_at` ("临期预警"), red from `red_at`, and "超过法定时限"
    past the statutory limit. Colours from URGENCY_LEVELS."""
    now = now or timezone.now()
    due, left = clock_due_text(clock), _remaining_text(clock, now)
    if clock.status == ClockStatus.STOPPED:
        on_time = clock.due_at is not None and clock.stopped_at is not None and clock.stopped_at <= clock.due_at
        return _urgency("finished", _("按时办结") if on_time else _("超期办结"), due, "")
    if clock.status == ClockStatus.CANCELLED:
        return _urgency("cancelled", _("已撤销"), due, "")
    if clock.status == ClockStatus.PAUSED:
        return _urgency("paused", _("暂停"), due, left)
    # the rung reached now (ladder.level_at, LAD-REACH) and its colour (LAD-COLOUR)
    key = urgency_key(clock.status, level_at(clock, now))
    return _urgency(key, str(_RUNNING_LABELS[key]), due, left)
