"""Accountability (问责, ACC-1) on a substantiated complaint. Kept in its own module so that it can be
lifted into the oversight app, which owns accountability from every source."""

from __future__ import annotations

__all__ = [
    "accountability_record_open",
]


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.trail import event_append
from xiaoneng.orgs.models import User

from .actions.loop import text_clean
from .choices import (
    Sanction,
)
from .models import (
    AccountabilityRecord,
    Complaint,
)
from .permissions import require_office


def accountability_record_open(
    *, complaint: Complaint, actor: User, sanction: str, reason: str, person: User | None = None
) -> AccountabilityRecord:
    """ACC-1: an accountability decision on a substantiated complaint."""
    require_office(actor, complaint)
    complaint = Complaint.objects.get(pk=complaint.pk)
    if not complaint.substantiated:
        raise ValidationError(_("只有经核查属实的投诉可以启动问责。"))
    if sanction not in Sanction.values:
        raise ValidationError({"sanction": _("请选择问责方式。")})
    reason = text_clean(reason, field="reason", label=_("问责事由"), max_length=2000, min_length=4)
    department = complaint.department or complaint.handling_department
    if department is None:
        raise ValidationError(_("该投诉没有可问责的部门。"))
    with transaction.atomic():
        rec = AccountabilityRecord.objects.create(
            tenant_id=complaint.tenant_id,
            complaint=complaint,
            department=department,
            person=person or complaint.staff,
            sanction=sanction,
            reason=reason,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        event_append(
            subject=complaint,
            action="complaint.accountability",
            actor=actor,
            after={"sanction": sanction},
            reason=reason,
        )
    return rec
