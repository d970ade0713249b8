"""The complaint loop's Clocks (CMP-2): their kinds and their limits in working days, read from
settings so that a jurisdiction can set its own."""

from __future__ import annotations

__all__ = [
    "CLOCK_ACCEPT",
    "CLOCK_REPLY",
    "CLOCK_RETURN",
    "accept_days",
    "clock_stop_open",
    "max_extension_days",
    "oversight_threshold",
    "reply_days",
    "return_days",
]

from datetime import datetime
from typing import Any

from django.conf import settings

from xiaoneng.workdays.choices import ClockStatus
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_stop

CLOCK_ACCEPT = "complaint.accept"
CLOCK_RETURN = "complaint.return"
CLOCK_REPLY = "complaint.reply"


def _days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def accept_days() -> int:
    return _days("XIAONENG_COMPLAINT_ACCEPT_DAYS", 5)  # CMP-2


def return_days() -> int:
    return _days("XIAONENG_COMPLAINT_RETURN_DAYS", 2)  # CMP-2


def reply_days() -> int:
    return _days("XIAONENG_COMPLAINT_REPLY_DAYS", 5)  # CMP-2


def max_extension_days() -> int:
    return _days("XIAONENG_COMPLAINT_MAX_EXTENSION_DAYS", 10)  # CMP-2


def oversight_threshold() -> int:
    return _days("XIAONENG_COMPLAINT_OVERSIGHT_REPORTS", 3)


def clock_stop_open(clock: Clock | None, actor: Any, *, cancelled: bool = False, at: datetime | None = None) -> None:
    if clock is not None and clock.status in (ClockStatus.RUNNING, ClockStatus.PAUSED):
        clock_stop(clock=clock, actor=actor, cancelled=cancelled, at=at)
