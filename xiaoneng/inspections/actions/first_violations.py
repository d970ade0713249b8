"""首违不罚 / 首违告诫 (INS-8): the list of matters where it applies, and the notices."""

from __future__ import annotations

__all__ = [
    "NOTICE_CLOCK_KIND",
    "first_violation_entry_add",
    "first_violation_entry_withdraw",
    "first_violation_notice_close",
    "first_violation_notice_issue",
]

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.catalog.choices import ItemType
from xiaoneng.catalog.models import Item
from xiaoneng.core.services import tracking_number_next
from xiaoneng.core.trail import event_append
from xiaoneng.inspections.actions.filings import check_published_item
from xiaoneng.inspections.actions.inputs import check_credit_code, check_officials, check_text
from xiaoneng.inspections.choices import NOTICE_TRANSITIONS, NoticeStatus
from xiaoneng.inspections.models import FirstViolationEntry, FirstViolationNotice, Inspection
from xiaoneng.inspections.permissions import can_issue_certificate, can_record_for
from xiaoneng.orgs.models import User
from xiaoneng.workdays.services import clock_start, clock_stop

NOTICE_CLOCK_KIND = "inspections.first_violation"


def first_violation_entry_add(
    *, actor: Any, item: Item | None, circumstance: str, rectify_days: Any = 10
) -> FirstViolationEntry:
    """Put a penalty item's minor circumstance on the 首违不罚 list (the legal office of the region,
    or the administrator — the same people who register certificates)."""
    if item is None:
        raise ValidationError(_("请选择权力清单中的事项。"), code="item")
    department = item.department
    if not can_issue_certificate(actor, department):
        raise PermissionDenied(_("只有法制机构或系统管理员可以维护首违不罚清单。"))
    version = check_published_item(item, department=department, item_type=ItemType.PENALTY)  # INS-2
    text = check_text(circumstance, label=_("适用情形"), max_length=500)
    if not isinstance(rectify_days, int) or isinstance(rectify_days, bool) or not 1 <= rectify_days <= 90:
        raise ValidationError(_("整改期限应为1至90个工作日。"), code="rectify_days")
    with transaction.atomic():
        entry = FirstViolationEntry.objects.create(
            tenant_id=department.tenant_id,
            department=department,
            item=item,
            item_name=version.name,
            circumstance=text,
            rectify_days=rectify_days,
            created_by=actor,
        )
        event_append(
            subject=entry,
            action="first_violation_entry.added",
            actor=actor,
            after={"item": item.pk, "rectify_days": rectify_days},
            reason=text,
        )
    return entry


def first_violation_entry_withdraw(*, actor: Any, entry: FirstViolationEntry, reason: str) -> FirstViolationEntry:
    if not can_issue_certificate(actor, entry.department):
        raise PermissionDenied(_("只有法制机构或系统管理员可以维护首违不罚清单。"))
    text = check_text(reason, label=_("停止适用的理由"), max_length=500)
    with transaction.atomic():
        e = FirstViolationEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
        if not e.active:
            raise ValidationError(_("该事项已停止适用。"), code="state")
        e.active = False
        e.save(update_fields=["active", "updated_at"])
        event_append(
            subject=e, action="first_violation_entry.withdrawn", actor=actor, after={"active": False}, reason=text
        )
    return e


def first_violation_notice_issue(
    *,
    actor: Any,
    entry: FirstViolationEntry | None,
    enterprise_name: str,
    credit_code: str,
    facts: str,
    officials: list[User],
    inspection: Inspection | None = None,
) -> FirstViolationNotice:
    """INS-8: warn a first minor violation and order it rectified within the entry's period (a Clock);
    no penalty. A second one for the same enterprise and entry is refused (not a first violation)."""
    if entry is None:
        raise ValidationError(_("请选择首违不罚清单中的事项。"), code="entry")
    entry = FirstViolationEntry.objects.select_related("department__tenant").get(pk=entry.pk)  # fresh state
    department = entry.department
    if not can_record_for(actor, department):
        raise PermissionDenied(_("只有本单位执法人员可以下达首违告诫。"))
    if not entry.active:
        raise ValidationError(_("该事项已不在首违不罚清单中。"), code="entry_inactive")
    name = check_text(enterprise_name, label=_("企业名称"), max_length=200)
    code = check_credit_code(credit_code)
    text = check_text(facts, label=_("违法事实"))
    today = timezone.localdate()
    check_officials(officials, day=today)  # INS-3, INS-4
    if inspection is not None and inspection.department_id != department.pk:
        raise ValidationError(_("该检查记录不属于本单位。"), code="inspection")
    if FirstViolationNotice.objects.filter(entry=entry, credit_code=code).exists():
        raise ValidationError(_("该企业此前已就同一事项受过首违告诫，不再适用首违不罚。"), code="not_first")
    try:
        with transaction.atomic():
            notice = FirstViolationNotice.objects.create(
                tenant_id=department.tenant_id,
                number=tracking_number_next(tenant=department.tenant, prefix="SW"),
                entry=entry,
                department=department,
                inspection=inspection,
                enterprise_name=name,
                credit_code=code,
                facts=text,
                issued_on=today,
                issued_by=actor,
            )
            notice.officials.set(officials)
            notice.clock = clock_start(
                owner=notice,
                kind=NOTICE_CLOCK_KIND,
                label=_("首违告诫整改期限：%(number)s") % {"number": notice.number},
                limit=entry.rectify_days,
                department=department,
                responsible=actor,
                legal_basis=_("《中华人民共和国行政处罚法》第三十三条"),
                actor=actor,
            )
            notice.save(update_fields=["clock", "updated_at"])
            event_append(
                subject=notice,
                action="first_violation_notice.issued",
                actor=actor,
                after={
                    "entry": entry.pk,
                    "credit_code": code,
                    "limit": entry.rectify_days,
                    "officials": sorted(u.pk for u in officials),
                },
                reason=text,
            )
    except IntegrityError:  # a concurrent notice for the same enterprise and entry won
        raise ValidationError(_("该企业此前已就同一事项受过首违告诫，不再适用首违不罚。"), code="not_first") from None
    return notice


def first_violation_notice_close(
    *, actor: Any, notice: FirstViolationNotice, rectified: bool, note: str
) -> FirstViolationNotice:
    """After re-inspection: rectified on time → closed, no penalty; not rectified → closed, and a
    penalty may follow at the lower bound of its tier (INS-8, seed 002 §7 按规定的下限处罚)."""
    if not can_record_for(actor, notice.department):
        raise PermissionDenied(_("只有本单位执法人员可以办结首违告诫。"))
    text = check_text(note, label=_("复查情况"))
    action = "rectified" if rectified else "unrectified"
    with transaction.atomic():
        n = FirstViolationNotice.objects.select_for_update(of=("self",)).select_related("clock").get(pk=notice.pk)
        sources, target = NOTICE_TRANSITIONS[action]
        if n.status not in sources:
            raise ValidationError(
                _("告诫书当前状态为“%(status)s”，不能执行该操作。") % {"status": n.get_status_display()},
                code="state",
            )
        if not rectified and n.clock is not None and n.clock.due_at is not None and timezone.now() < n.clock.due_at:
            # the enterprise has until the end of its due day to rectify
            raise ValidationError(_("整改期限尚未届满，不能认定逾期未整改。"), code="not_due")
        n.status = target
        n.closed_at = timezone.now()
        n.closed_by = actor
        n.close_note = text
        n.save(update_fields=["status", "closed_at", "closed_by", "close_note", "updated_at"])
        if n.clock is not None:
            clock_stop(clock=n.clock, actor=actor)
        event_append(
            subject=n,
            action=f"first_violation_notice.{action}",
            actor=actor,
            before={"status": NoticeStatus.ISSUED},
            after={"status": n.status},
            reason=text,
        )
    return n


def notice_url(notice: FirstViolationNotice) -> str:
    return reverse("inspections:notice", args=[notice.pk])
