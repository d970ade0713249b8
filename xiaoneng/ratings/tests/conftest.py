# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value"
# (tests follow nullable clocks and XML nodes that the fixtures always set)
"""A completed case and an in-hall service to rate."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from xiaoneng.cases.choices import Status as CaseStatus
from xiaoneng.cases.models import Case
from xiaoneng.catalog.tests.factories import make_item, publish

_n = [0]


def completed_case(world: Any, *, status: str = CaseStatus.DELIVERED, applicant: Any = None, **kw: Any) -> Case:
    """A case at the end of its life, created directly: rating only needs its department and status."""
    item = make_item(world.dept, world.user("dept_head"))
    item = publish(item, declarer=world.user("dept_head"), legal=world.user("legal"))
    _n[0] += 1
    now = timezone.now()
    return Case.objects.create(
        tenant=world.dept.tenant,
        tracking_number=f"XK-339100-20260101-{_n[0]:05d}",
        verification_hash="x" * 64,
        applicant=applicant or world.user("applicant"),
        applicant_name="赵先生",
        item=item,
        version=item.published,
        department=world.dept,
        channel="online",
        case_kind="committed",
        status=status,
        received_at=now,
        delivered_at=kw.pop("delivered_at", now),
        **kw,
    )


@pytest.fixture
def case(world) -> Case:
    return completed_case(world)
