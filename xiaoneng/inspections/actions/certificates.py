"""Enforcement certificates (执法证, INS-3): issue and revoke."""

from __future__ import annotations

__all__ = ["certificate_issue", "certificate_revoke"]

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.trail import event_append
from xiaoneng.inspections.actions.inputs import check_date, check_text
from xiaoneng.inspections.models import EnforcementCertificate
from xiaoneng.inspections.permissions import can_issue_certificate
from xiaoneng.orgs.models import Department, User

LATEST = date(2100, 12, 31)
MAX_YEARS = 10


def certificate_issue(
    *,
    actor: Any,
    holder: User | None,
    department: Department,
    number: str,
    scope_text: str,
    valid_from: Any,
    valid_to: Any,
) -> EnforcementCertificate:
    """Record a certificate for a staff member of `department`, valid for at most ten years."""
    if not can_issue_certificate(actor, department):
        raise PermissionDenied(_("只有法制机构或系统管理员可以登记执法证。"))
    if holder is None or holder.department_id != department.pk:
        raise ValidationError(_("持证人必须是该执法单位的工作人员。"), code="holder")
    num = check_text(number, label=_("执法证号"), max_length=30)
    scope = check_text(scope_text, label=_("执法范围"), max_length=200)
    start = check_date(valid_from, label=_("有效期起"), latest=LATEST)
    end = check_date(valid_to, label=_("有效期至"), latest=LATEST)
    if end < start:
        raise ValidationError(_("有效期至不能早于有效期起。"), code="valid_range")
    if (end - start).days > MAX_YEARS * 366:
        raise ValidationError(_("执法证有效期不能超过%(n)d年。") % {"n": MAX_YEARS}, code="valid_range")
    if EnforcementCertificate.objects.filter(tenant_id=department.tenant_id, number=num).exists():
        raise ValidationError(_("执法证号已存在。"), code="number_taken")
    try:
        with transaction.atomic():
            cert = EnforcementCertificate.objects.create(
                tenant_id=department.tenant_id,
                holder=holder,
                department=department,
                number=num,
                scope_text=scope,
                valid_from=start,
                valid_to=end,
            )
            event_append(
                subject=cert,
                action="certificate.issued",
                actor=actor,
                after={"holder": holder.pk, "number": num, "from": start.isoformat(), "to": end.isoformat()},
            )
    except IntegrityError:  # a concurrent registration of the same number won
        raise ValidationError(_("执法证号已存在。"), code="number_taken") from None
    return cert


def certificate_revoke(*, actor: Any, certificate: EnforcementCertificate, reason: str) -> EnforcementCertificate:
    """Revoke (注销) a certificate: from now on its holder's enforcement acts are refused (INS-3)."""
    if not can_issue_certificate(actor, certificate.department):
        raise PermissionDenied(_("只有法制机构或系统管理员可以注销执法证。"))
    text = check_text(reason, label=_("注销原因"), max_length=200)
    with transaction.atomic():
        cert = EnforcementCertificate.objects.select_for_update(of=("self",)).get(pk=certificate.pk)
        if cert.revoked_at is not None:
            raise ValidationError(_("该执法证已注销。"), code="state")
        cert.revoked_at = timezone.now()
        cert.revoke_reason = text
        cert.save(update_fields=["revoked_at", "revoke_reason", "updated_at"])
        event_append(subject=cert, action="certificate.revoked", actor=actor, after={"revoked": True}, reason=text)
    return cert
