"""涉企检查备案 (INS-1, INS-2): submit, approve, refuse."""

from __future__ import annotations

__all__ = ["FILING_CLOCK_KIND", "filing_approve", "filing_refuse", "filing_submit"]

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.catalog.choices import ItemType, VersionStatus
from xiaoneng.catalog.models import Item
from xiaoneng.core.services import notify, tracking_number_next
from xiaoneng.core.trail import event_append
from xiaoneng.inspections.actions.inputs import check_credit_code, check_date, check_officials, check_text
from xiaoneng.inspections.choices import FILING_TRANSITIONS, FilingStatus
from xiaoneng.inspections.models import FilingOfficial, InspectionFiling
from xiaoneng.inspections.permissions import can_approve_filing, can_record_for
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, User
from xiaoneng.workdays.services import clock_start, clock_stop

FILING_CLOCK_KIND = "inspections.filing"


def _approval_days() -> int:
    # INS-1 default: the head decides on a filing within 2 working days (configurable)
    return int(getattr(settings, "XIAONENG_INSPECTION_FILING_DAYS", 2))


def check_published_item(item: Item | None, *, department: Department, item_type: str) -> Any:
    """INS-2 / CAT-1: a published catalog item of the given type, of this department. Returns the
    version in force."""
    if item is None:
        raise ValidationError(_("请选择权力清单中的事项。"), code="item")
    version = item.published
    if version is None or version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("该事项不在已公布的权力清单中，不能据此执法。"), code="item_unpublished")
    if version.item_type != item_type:
        raise ValidationError(
            _("该事项的类型是“%(type)s”，应选择“%(want)s”类事项。")
            % {"type": version.get_item_type_display(), "want": ItemType(item_type).label},
            code="item_type",
        )
    if item.department_id != department.pk:
        raise ValidationError(_("该事项不属于本单位的权力清单。"), code="item_department")
    return version


def _transition(filing: InspectionFiling, action: str) -> str:
    sources, target = FILING_TRANSITIONS[action]
    if filing.status not in sources:
        raise ValidationError(
            _("备案当前状态为“%(status)s”，不能执行该操作。") % {"status": filing.get_status_display()},
            code="state",
        )
    return target


def _url(filing: InspectionFiling) -> str:
    return reverse("inspections:filing", args=[filing.pk])


def filing_submit(
    *,
    actor: Any,
    department: Department,
    item: Item | None,
    enterprise_name: str,
    credit_code: str,
    planned_date: Any,
    purpose: str,
    officials: list[User],
) -> InspectionFiling:
    """INS-1: an official files an enterprise inspection before it takes place; it waits for the
    department head's approval on a Clock."""
    if not can_record_for(actor, department):
        raise PermissionDenied(_("只有本单位执法人员可以提交检查备案。"))
    name = check_text(enterprise_name, label=_("企业名称"), max_length=200)
    code = check_credit_code(credit_code)
    today = timezone.localdate()
    # INS-1: filed before the inspection: the planned date is today or later, within a year
    day = check_date(planned_date, label=_("计划检查日期"), earliest=today, latest=today + timedelta(days=366))
    reason = check_text(purpose, label=_("检查事由"))
    version = check_published_item(item, department=department, item_type=ItemType.INSPECTION)
    foreign = [u for u in officials if u is not None and u.department_id != department.pk]
    if foreign:
        raise ValidationError(_("检查人员必须是本单位的执法人员。"), code="officials_department")
    certs = check_officials(officials, day=day)  # INS-3, INS-4
    if item is None:  # check_published_item
        raise RuntimeError("invariant: item is not None")
    with transaction.atomic():
        filing = InspectionFiling.objects.create(
            tenant_id=department.tenant_id,
            number=tracking_number_next(tenant=department.tenant, prefix="JC"),
            department=department,
            item=item,
            item_version=version,
            enterprise_name=name,
            credit_code=code,
            planned_date=day,
            purpose=reason,
            submitted_by=actor,
        )
        FilingOfficial.objects.bulk_create(
            [FilingOfficial(filing=filing, official_id=pk, certificate=cert) for pk, cert in certs.items()]
        )
        days = _approval_days()
        filing.clock = clock_start(
            owner=filing,
            kind=FILING_CLOCK_KIND,
            label=_("检查备案审批：%(number)s") % {"number": filing.number},
            limit=days,
            department=department,
            actor=actor,
        )
        filing.save(update_fields=["clock", "updated_at"])
        event_append(
            subject=filing,
            action="inspection_filing.submitted",
            actor=actor,
            after={
                "status": filing.status,
                "item": item.pk if item else None,
                "credit_code": code,
                "planned_date": day.isoformat(),
                "officials": sorted(certs),
                "certificates": sorted(c.number for c in certs.values()),
            },
            reason=reason,
        )
        notify(
            recipients=User.objects.filter(role=Role.DEPT_HEAD, department=department, is_active=True),
            title=_("涉企检查备案待审批：%(number)s") % {"number": filing.number},
            body=_("%(name)s，计划检查日期%(day)s。") % {"name": name, "day": day},
            url=_url(filing),
        )
    return filing


def _locked(filing: InspectionFiling) -> InspectionFiling:
    return InspectionFiling.objects.select_for_update(of=("self",)).select_related("clock").get(pk=filing.pk)


def filing_approve(*, actor: Any, filing: InspectionFiling, note: str = "") -> InspectionFiling:
    """INS-1: the department head agrees; the filing can now be verified as 已备案. The officials'
    certificates are checked again (one may have been revoked since)."""
    if not can_approve_filing(actor, filing):
        raise PermissionDenied(_("只有本单位负责人可以审批检查备案。"))
    text = check_text(note, label=_("审批意见"), required=False)
    with transaction.atomic():
        f = _locked(filing)
        target = _transition(f, "approve")
        if f.planned_date < timezone.localdate():
            raise ValidationError(_("计划检查日期已过，请重新备案。"), code="planned_date_passed")
        check_officials([fo.official for fo in f.officials.select_related("official")], day=f.planned_date)
        f.status = target
        f.decided_by = actor
        f.decided_at = timezone.now()
        f.decision_note = text
        f.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
        if f.clock is not None:
            clock_stop(clock=f.clock, actor=actor)
        event_append(
            subject=f,
            action="inspection_filing.approved",
            actor=actor,
            before={"status": FilingStatus.PENDING},
            after={"status": f.status},
            reason=text,
        )
        notify(
            recipients=[f.submitted_by],
            title=_("检查备案已同意：%(number)s") % {"number": f.number},
            url=_url(f),
        )
    return f


def filing_refuse(*, actor: Any, filing: InspectionFiling, reason: str) -> InspectionFiling:
    """INS-1: the department head does not agree, with the reason in writing."""
    if not can_approve_filing(actor, filing):
        raise PermissionDenied(_("只有本单位负责人可以审批检查备案。"))
    text = check_text(reason, label=_("不同意的理由"))
    with transaction.atomic():
        f = _locked(filing)
        target = _transition(f, "refuse")
        f.status = target
        f.decided_by = actor
        f.decided_at = timezone.now()
        f.decision_note = text
        f.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
        if f.clock is not None:
            clock_stop(clock=f.clock, actor=actor)
        event_append(
            subject=f,
            action="inspection_filing.refused",
            actor=actor,
            before={"status": FilingStatus.PENDING},
            after={"status": f.status},
            reason=text,
        )
        notify(
            recipients=[f.submitted_by],
            title=_("检查备案未同意：%(number)s") % {"number": f.number},
            body=text,
            url=_url(f),
        )
    return f
