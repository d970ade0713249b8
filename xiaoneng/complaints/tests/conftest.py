# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value"
# (tests follow nullable clocks and XML nodes that the fixtures always set)
"""Helpers for the complaint tests: a complaint walked to a given point of the loop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xiaoneng.complaints.actions.acceptance import complaint_accept
from xiaoneng.complaints.actions.dispatch import complaint_dispatch
from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.tests.factories import ComplaintFactory
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_recompute


def submit(world, **kw) -> Complaint:
    defaults = dict(
        content="我在市场监管局窗口办理营业执照，工作人员两次要求我提交同一份租赁合同。",
        phone="13900000021",
        department=world.dept,
    )
    defaults.update(kw)
    return ComplaintFactory(**defaults)


def dispatched(world, **kw) -> Complaint:
    c = submit(world, **kw)
    complaint_accept(complaint=c, actor=world.user("supervisor"))
    return complaint_dispatch(complaint=c, actor=world.user("supervisor"), department=world.dept)


def age_clock(clock_id: int, days: int) -> Clock:
    """Move a clock's start `days` natural days back and recompute its instants (time passing)."""
    Clock.objects.filter(pk=clock_id).update(started_at=timezone.now() - timedelta(days=days))
    clock = Clock.objects.get(pk=clock_id)
    clock_recompute(clock=clock)
    return Clock.objects.get(pk=clock_id)


@pytest.fixture
def office(world):
    return world.user("supervisor")
