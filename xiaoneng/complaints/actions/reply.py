"""The reply (CMP-2: within 5 working days of dispatch). A substantiated efficiency complaint opens a
Rectification in oversight (architecture: spine 3)."""

from __future__ import annotations

__all__ = [
    "complaint_reply",
]


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.complaints.actions.loop import complaint_lock, office_url, office_users, status_move, text_clean
from xiaoneng.complaints.choices import Kind, Status
from xiaoneng.complaints.clocks import clock_stop_open
from xiaoneng.complaints.models import Complaint, ComplaintReply
from xiaoneng.complaints.permissions import can_handle, can_office
from xiaoneng.core.actors import SYSTEM
from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.models import User
from xiaoneng.oversight.services import rectification_open
from xiaoneng.workdays.models import Clock


def complaint_reply(*, complaint: Complaint, actor: User, text: str, substantiated: bool | None = None) -> Complaint:
    """The department replies (CMP-2: within 5 working days of dispatch). A substantiated efficiency
    complaint opens a Rectification in oversight (the third spine)."""
    complaint = Complaint.objects.get(pk=complaint.pk)
    office = can_office(actor, complaint) and complaint.status in (Status.ACCEPTED, Status.RETURNED)
    if not (can_handle(actor, complaint) or office):
        raise PermissionDenied(_("只有承办部门可以答复该工单。"))
    text = text_clean(text, field="text", label=_("答复内容"), max_length=5000, min_length=10)
    if complaint.kind == Kind.EFFICIENCY and substantiated is None and not office:
        raise ValidationError({"substantiated": _("请说明投诉是否属实。")})
    with transaction.atomic():
        c = complaint_lock(complaint)
        if not (office or c.handling_department_id == complaint.handling_department_id):
            raise PermissionDenied(_("只有承办部门可以答复该工单。"))
        before = status_move(c, Status.REPLIED)
        now = timezone.now()
        clock = Clock.objects.get(pk=c.reply_clock_id) if c.reply_clock_id and not office else None
        on_time = bool(clock is None or (clock.due_at is not None and now <= clock.due_at))
        c.replied_at = now
        c.reply = text
        c.replied_on_time = on_time if c.replied_on_time is None else (c.replied_on_time and on_time)
        c.substantiated = substantiated
        c.save(update_fields=["status", "replied_at", "reply", "replied_on_time", "substantiated", "updated_at"])
        ComplaintReply.objects.create(
            complaint=c,
            department=c.handling_department,
            round=c.reopen_count + 1,
            text=text,
            substantiated=substantiated,
            on_time=on_time,
            replied_by=actor,
        )
        clock_stop_open(clock, actor)
        if c.return_clock_id:
            clock_stop_open(Clock.objects.get(pk=c.return_clock_id), actor)
        event_append(
            subject=c,
            action="complaint.replied",
            actor=actor,
            before={"status": before},
            after={"status": c.status, "on_time": on_time, "substantiated": substantiated},
        )
        if c.kind == Kind.EFFICIENCY and substantiated:
            _open_rectification(c)
        notify(
            recipients=office_users(c),
            title=_("工单已答复待回访：%(number)s") % {"number": c.number},
            url=office_url(c),
            channels=("inbox",),
        )
        if c.complainant_user_id:
            notify(
                recipients=[c.complainant_user],
                title=_("您的投诉 %(number)s 已答复") % {"number": c.number},
                body=text,
                url=reverse("complaints:track"),
            )
    return c


def _open_rectification(c: Complaint) -> None:
    """A substantiated efficiency complaint becomes a rectification item (architecture: spine 3)."""
    department = c.department or c.handling_department
    if department is None:
        return
    rectification_open(
        department=department,
        title=_("投诉属实整改：%(title)s") % {"title": c.title[:80]},
        problem=_("效能投诉 %(number)s 经核查属实：%(content)s") % {"number": c.number, "content": c.content[:500]},
        source=c,
        actor=SYSTEM,  # opened by the system on the department's finding
    )
