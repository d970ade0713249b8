"""Review and closure (CMP-1's last steps): the callback — satisfied closes, unsatisfied reopens the
order with a new reply Clock — and the closure of an anonymous complaint that cannot be called back."""

from __future__ import annotations

__all__ = [
    "complaint_callback",
    "complaint_close",
]


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.complaints.actions.loop import complaint_lock, department_url, department_users, status_move
from xiaoneng.complaints.choices import SATISFIED, Satisfaction, Status
from xiaoneng.complaints.clocks import CLOCK_REPLY, reply_days
from xiaoneng.complaints.models import Complaint, ComplaintCallback
from xiaoneng.complaints.permissions import require_office
from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.models import User
from xiaoneng.workdays.services import clock_start


def complaint_callback(*, complaint: Complaint, actor: User, satisfaction: str, note: str = "") -> Complaint:
    """The office calls the complainant back: satisfied → closed; unsatisfied → reopened and sent back
    to the department with a new reply limit. Anonymous complaints cannot be called back."""
    require_office(actor, complaint)
    if complaint.anonymous:
        raise ValidationError(_("匿名投诉无法回访，请直接办结。"))
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("请选择投诉人的满意度。")})
    with transaction.atomic():
        c = complaint_lock(complaint)
        if c.status != Status.REPLIED:
            raise ValidationError(_("只有已答复的工单可以回访。"))
        now = timezone.now()
        ComplaintCallback.objects.create(
            complaint=c, round=c.reopen_count + 1, satisfaction=satisfaction, note=note.strip(), called_by=actor
        )
        c.callback_at = now
        c.satisfaction = satisfaction
        reopen = satisfaction not in SATISFIED and c.handling_department_id is not None
        if reopen:
            before = status_move(c, Status.DISPATCHED)
            c.reopen_count += 1
            c.escalation_level = 0
            c.reply_clock = clock_start(
                owner=c,
                kind=CLOCK_REPLY,
                label=_("投诉重办答复：%(number)s") % {"number": c.number},
                limit=reply_days(),
                started_at=now,
                department=c.handling_department,
                legal_basis=_("重办之日起5个工作日内答复"),  # CMP-2
                actor=actor,
            )
            action = "complaint.reopened"
        else:
            before = status_move(c, Status.CLOSED)
            c.closed_at = now
            action = "complaint.closed"
        c.save(
            update_fields=[
                "status",
                "callback_at",
                "satisfaction",
                "reopen_count",
                "escalation_level",
                "reply_clock",
                "closed_at",
                "updated_at",
            ]
        )
        event_append(
            subject=c,
            action="complaint.callback",
            actor=actor,
            after={"satisfaction": satisfaction},
            reason=note.strip(),
        )
        event_append(subject=c, action=action, actor=actor, before={"status": before}, after={"status": c.status})
        if reopen:
            notify(
                recipients=department_users(c.handling_department_id),
                title=_("投诉人不满意，工单重办：%(number)s") % {"number": c.number},
                body=note.strip(),
                url=department_url(c),
            )
    return c


def complaint_close(*, complaint: Complaint, actor: User, note: str = "") -> Complaint:
    """Close a replied complaint that cannot be called back (anonymous) — CMP-1's last step."""
    require_office(actor, complaint)
    if not complaint.anonymous:
        raise ValidationError(_("实名投诉须经回访后办结。"))
    with transaction.atomic():
        c = complaint_lock(complaint)
        before = status_move(c, Status.CLOSED)
        c.closed_at = timezone.now()
        c.save(update_fields=["status", "closed_at", "updated_at"])
        event_append(
            subject=c,
            action="complaint.closed",
            actor=actor,
            before={"status": before},
            after={"status": c.status},
            reason=note,
        )
    return c
