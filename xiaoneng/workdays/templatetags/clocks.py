"""{% load clocks %}: a Clock's urgency, due date and provisional marker for templates.

Every page shows a due date through the `clock_due_date` filter — `{{ case.clock|clock_due_date|date:"Y-m-d" }}`
— never from `clock.due_at`, which is the instant the day AFTER the due day begins (workdays/due.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template

from xiaoneng.workdays.due import clock_due_date as _clock_due_date
from xiaoneng.workdays.due import clock_due_text as _clock_due_text
from xiaoneng.workdays.due import clock_shows_provisional
from xiaoneng.workdays.explain import ClockExplanation
from xiaoneng.workdays.explain import clock_explain as _clock_explain
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.urgency import ClockUrgency, LegendEntry, urgency_legend
from xiaoneng.workdays.urgency import clock_urgency as _clock_urgency

register = template.Library()


@register.simple_tag
def clock_urgency(clock: Clock) -> ClockUrgency:
    return _clock_urgency(clock)


@register.filter
def clock_explain(clock: Clock) -> ClockExplanation:
    """Why the due date is what it is: `{% with ex=clock|clock_explain %}`."""
    return _clock_explain(clock)


@register.filter
def clock_due_date(clock: Any) -> date | None:
    """The day the obligation is due (one Clock, one date, everywhere)."""
    return _clock_due_date(clock)


@register.filter
def clock_due_text(clock: Any) -> str:
    """ "2026-12-11（周五）" (day clocks) or "2026-12-11 15:00" (hour clocks)."""
    return _clock_due_text(clock) if clock is not None else ""


@register.filter
def clock_provisional(clock: Any) -> bool:
    """Whether to show 暂定 (CLK-4): an open clock whose due date depends on an unannounced year."""
    return clock_shows_provisional(clock)


@register.simple_tag
def clock_legend() -> list[LegendEntry]:
    """The colour legend of clock pills, from the same mapping as the pills (urgency.URGENCY_LEVELS)."""
    return urgency_legend()
