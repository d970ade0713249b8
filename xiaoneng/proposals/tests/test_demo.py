"""The demo loader is lawful and idempotent: no clock is overdue (PRP-2, PRP-3), the decision in its
comment period has its comment (DEC-2)."""

from __future__ import annotations

import io

from django.utils import timezone

from xiaoneng.proposals import demo
from xiaoneng.proposals.models import DecisionComment, MajorDecision, Proposal
from xiaoneng.proposals.selectors import public_decisions
from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES
from xiaoneng.workdays.models import Clock


def test_demo_loads_twice_and_nothing_is_overdue(world):
    world.dept.short_name = "市场监管局"
    world.dept.save(update_fields=["short_name"])
    world.other_dept.short_name = "住建局"
    world.other_dept.save(update_fields=["short_name"])
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    assert Proposal.objects.count() == 3
    assert MajorDecision.objects.count() == 2
    assert public_decisions().count() == 1
    assert DecisionComment.objects.count() == 1
    assert Proposal.objects.filter(status="closed").count() == 1
    today = timezone.localdate()
    assert not Clock.objects.filter(status__in=OPEN_CLOCK_STATUSES, due_date__lt=today).exists()
