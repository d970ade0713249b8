"""Helpers for the working-day and Clock tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.tests.factories import ClockFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(d: str, hh: int = 10, mm: int = 0) -> datetime:
    """An aware instant in Asia/Shanghai: at("2026-11-02", 15) is 15:00 local time."""
    return datetime.combine(date.fromisoformat(d), time(hh, mm), tzinfo=SHANGHAI)


@pytest.fixture
def make_clock(world) -> Callable[..., Clock]:
    """Start a clock owned by a department of the `world` jurisdiction."""

    def make(**kwargs: Any) -> Clock:
        kwargs.setdefault("label", "测试时限")
        return cast(Clock, ClockFactory(department=world.dept, owner=world.dept, **kwargs))

    return make


@pytest.fixture
def freeze_now(monkeypatch) -> Callable[[datetime], None]:
    """Make django.utils.timezone.now() return a fixed instant (localdate() follows it)."""

    def freeze(instant: datetime) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: instant)

    return freeze
