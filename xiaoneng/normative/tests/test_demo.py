"""The demo loader is lawful and idempotent: no clock of its documents is overdue (NOR-2, NOR-5)."""

from __future__ import annotations

import io

from django.utils import timezone

from xiaoneng.normative import demo
from xiaoneng.normative.models import NormativeDocument
from xiaoneng.normative.selectors import public_documents
from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES
from xiaoneng.workdays.models import Clock


def test_demo_loads_twice_and_nothing_is_overdue(world):
    world.dept.short_name = "市场监管局"
    world.dept.save(update_fields=["short_name"])
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    assert NormativeDocument.objects.count() == 4
    assert public_documents().count() == 1
    today = timezone.localdate()
    assert not Clock.objects.filter(status__in=OPEN_CLOCK_STATUSES, due_date__lt=today).exists()
