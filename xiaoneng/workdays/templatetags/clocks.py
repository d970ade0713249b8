"""{% load clocks %}: the urgency of a Clock for templates (used by workdays/_clock.html)."""

from __future__ import annotations

from django import template

from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.urgency import ClockUrgency
from xiaoneng.workdays.urgency import clock_urgency as _clock_urgency

register = template.Library()


@register.simple_tag
def clock_urgency(clock: Clock) -> ClockUrgency:
    return _clock_urgency(clock)
