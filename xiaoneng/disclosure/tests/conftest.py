# mypy: disable-error-code="union-attr,arg-type,misc,operator"
"""Helpers for the disclosure tests: a request submitted online to the city's 市场监管局."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xiaoneng.disclosure.choices import ApplicantKind
from xiaoneng.disclosure.models import DisclosureRequest
from xiaoneng.disclosure.services import Submitted, request_submit
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_recompute


def submit(world: Any, **kw: Any) -> Submitted:
    defaults: dict[str, Any] = dict(
        department=world.dept,
        applicant_kind=ApplicantKind.NATURAL,
        applicant_name="钱女士",
        phone="13900000031",
        description="2025年本市食品经营许可的发放数量和名单",
    )
    defaults.update(kw)
    return request_submit(**defaults)


def age(req: DisclosureRequest, days: int) -> DisclosureRequest:
    """Move the request's receipt and its clock's start `days` natural days back (time passing)."""
    then = timezone.now() - timedelta(days=days)
    DisclosureRequest.objects.filter(pk=req.pk).update(received_at=then)
    Clock.objects.filter(pk=req.clock_id).update(started_at=then)
    clock_recompute(clock=Clock.objects.get(pk=req.clock_id))
    return DisclosureRequest.objects.get(pk=req.pk)
