"""Dispatch (派单, CMP-2): the rule-based suggestion, the dispatch with its return and reply Clocks, the
department's return of a mis-dispatched order within 2 working days, and the extension of the reply
limit (at most 10 working days in all)."""

from __future__ import annotations

__all__ = [
    "Suggestion",
    "complaint_dispatch",
    "complaint_extend",
    "complaint_return",
    "complaint_suggest",
]

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.complaints.actions.loop import (
    complaint_lock,
    department_url,
    department_users,
    office_url,
    office_users,
    status_move,
    text_clean,
)
from xiaoneng.complaints.choices import Status
from xiaoneng.complaints.clocks import (
    CLOCK_REPLY,
    CLOCK_RETURN,
    clock_stop_open,
    max_extension_days,
    reply_days,
    return_days,
)
from xiaoneng.complaints.models import Complaint, ComplaintReturn, DispatchRule
from xiaoneng.complaints.permissions import can_handle, require_office
from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.models import Department, User
from xiaoneng.workdays.choices import ClockStatus, ExtensionKind
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_extend, clock_start


@dataclass(frozen=True)
class Suggestion:
    department: Department
    reason: str
    rule: DispatchRule | None = None


def complaint_suggest(complaint: Complaint) -> Suggestion | None:
    """Suggest the department to dispatch to: the first active DispatchRule (by priority) whose
    department matches the one complained about (or the linked case's item) and whose keywords occur
    in the text; otherwise the department complained about. The office decides."""
    text = f"{complaint.title}\n{complaint.content}"
    about = {d for d in (complaint.department_id, getattr(complaint.case, "department_id", None)) if d}
    if complaint.case_id is not None:
        item_dept = getattr(getattr(complaint.case, "item", None), "department_id", None)
        if item_dept:
            about.add(item_dept)
    rules = DispatchRule.objects.filter(tenant_id=complaint.tenant_id, is_active=True).select_related("target")
    for rule in rules:
        if rule.kind and rule.kind != complaint.kind:
            continue
        keywords = rule.keyword_list()
        if rule.about_department_id is None and not keywords:
            continue
        if rule.about_department_id is not None and rule.about_department_id not in about:
            continue
        hits = [k for k in keywords if k in text]
        if keywords and not hits:
            continue
        why = _("规则“%(name)s”") % {"name": rule.name}
        if hits:
            why += _("（关键词：%(words)s）") % {"words": "、".join(hits)}
        return Suggestion(rule.target, why, rule)
    if complaint.department is not None:
        return Suggestion(complaint.department, _("被投诉部门"))
    return None


def complaint_dispatch(*, complaint: Complaint, actor: User, department: Department, note: str = "") -> Complaint:
    """Dispatch (派单) to a department: it may return a mis-dispatched order within 2 working days
    and must reply within 5 working days (CMP-2); both are Clocks."""
    require_office(actor, complaint)
    if department.tenant_id != complaint.tenant_id:
        raise ValidationError({"department": _("承办部门不属于本辖区。")})
    with transaction.atomic():
        c = complaint_lock(complaint)
        before = status_move(c, Status.DISPATCHED)
        now = timezone.now()
        c.handling_department = department
        c.dispatched_at = now
        c.dispatch_note = note.strip()
        c.escalation_level = 0
        c.return_clock = clock_start(
            owner=c,
            kind=CLOCK_RETURN,
            label=_("退单期限：%(number)s") % {"number": c.number},
            limit=return_days(),
            started_at=now,
            department=department,
            legal_basis=_("派错的工单2个工作日内退回"),  # CMP-2
            actor=actor,
        )
        c.reply_clock = clock_start(
            owner=c,
            kind=CLOCK_REPLY,
            label=_("投诉答复：%(number)s") % {"number": c.number},
            limit=reply_days(),
            started_at=now,
            department=department,
            legal_basis=_("派单之日起5个工作日内答复"),  # CMP-2
            actor=actor,
        )
        c.save(
            update_fields=[
                "status",
                "handling_department",
                "dispatched_at",
                "dispatch_note",
                "escalation_level",
                "return_clock",
                "reply_clock",
                "updated_at",
            ]
        )
        event_append(
            subject=c,
            action="complaint.dispatched",
            actor=actor,
            before={"status": before},
            after={"status": c.status, "department": department.pk},
            reason=c.dispatch_note,
        )
        notify(
            recipients=department_users(department.pk),
            title=_("新派单：%(number)s") % {"number": c.number},
            body=_("请在%(days)d个工作日内答复；派错的工单请在%(ret)d个工作日内退回。")
            % {"days": reply_days(), "ret": return_days()},
            url=department_url(c),
        )
    return c


def complaint_return(*, complaint: Complaint, actor: User, reasons: str) -> Complaint:
    """CMP-2: the department returns a mis-dispatched order within 2 working days, with reasons.
    After the window the return is refused: the department must handle it."""
    complaint = Complaint.objects.get(pk=complaint.pk)
    if not can_handle(actor, complaint):
        raise PermissionDenied(_("只有承办部门可以退单。"))
    reasons = text_clean(reasons, field="reasons", label=_("退单理由"), max_length=2000, min_length=4)
    with transaction.atomic():
        c = complaint_lock(complaint)
        clock = Clock.objects.get(pk=c.return_clock_id) if c.return_clock_id else None
        now = timezone.now()
        if clock is None or clock.due_at is None or now > clock.due_at or clock.status == ClockStatus.STOPPED:
            raise ValidationError(
                _("已超过派单后%(days)d个工作日的退单期限，不能退单，请依法办理。") % {"days": return_days()}
            )
        department = c.handling_department
        if department is None:  # a dispatched order has one
            raise RuntimeError("invariant: department is not None")
        before = status_move(c, Status.RETURNED)
        c.return_count += 1
        c.handling_department = None
        c.save(update_fields=["status", "return_count", "handling_department", "updated_at"])
        ComplaintReturn.objects.create(complaint=c, department=department, reasons=reasons, returned_by=actor)
        clock_stop_open(clock, actor)
        reply_clock = Clock.objects.get(pk=c.reply_clock_id) if c.reply_clock_id else None
        clock_stop_open(reply_clock, actor, cancelled=True)
        event_append(
            subject=c,
            action="complaint.returned",
            actor=actor,
            before={"status": before, "department": department.pk if department else None},
            after={"status": c.status},
            reason=reasons,
        )
        notify(
            recipients=office_users(c),
            title=_("工单被退回：%(number)s") % {"number": c.number},
            body=reasons,
            url=office_url(c),
        )
    return c


def complaint_extend(*, complaint: Complaint, actor: User, days: int, reason: str) -> Complaint:
    """CMP-2: the reply limit may be extended, at most 10 working days in all, with the office's approval."""
    require_office(actor, complaint)
    complaint = Complaint.objects.get(pk=complaint.pk)
    if complaint.reply_clock_id is None or complaint.status != Status.DISPATCHED:
        raise ValidationError(_("只有办理中的工单可以延期。"))
    clock = Clock.objects.get(pk=complaint.reply_clock_id)
    if days <= 0 or clock.extension_total + days > max_extension_days():
        raise ValidationError(
            {
                "days": _("延期合计不能超过%(max)d个工作日（已延期%(used)d个）。")
                % {"max": max_extension_days(), "used": clock.extension_total}
            }
        )
    with transaction.atomic():
        clock_extend(clock=clock, days=days, kind=ExtensionKind.OTHER, reason=reason, approver=actor)
        event_append(subject=complaint, action="complaint.extended", actor=actor, after={"days": days}, reason=reason)
    return complaint
