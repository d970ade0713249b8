from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import TestCase

from xiaoneng.supervision.alerts.scan import scan
from xiaoneng.supervision.alerts.thresholds import thresholds_invalidate
from xiaoneng.workdays.tests.factories import ClockFactory

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fresh_thresholds():
    # policies are cached per process; a rolled-back test must not leave its policies behind
    thresholds_invalidate()
    yield
    thresholds_invalidate()


def make_clock(
    world,
    *,
    start=datetime(2026, 10, 12, 9, 0, tzinfo=SH),
    limit=5,
    statutory=None,
    dept=None,
    kind="test.obligation",
    responsible=None,
):
    return ClockFactory(
        department=dept or world.dept,
        kind=kind,
        limit=limit,
        statutory_limit=statutory,
        started_at=start,
        responsible=responsible,
    )


def run_scan(**kwargs):
    """Run the scan and deliver its notifications (they are sent on commit; tests run inside one
    transaction)."""

    with TestCase.captureOnCommitCallbacks(execute=True):
        return scan(**kwargs)
