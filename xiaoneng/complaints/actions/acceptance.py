"""The office's decision on a registered complaint: accept (CMP-2, within 5 working days), refuse with
where to go instead (CMP-3), or merge a duplicate into the original (repeated reports → 督办)."""

from __future__ import annotations

__all__ = [
    "complaint_accept",
    "complaint_merge",
    "complaint_refuse",
]


from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.complaints.actions.loop import complaint_lock, office_url, office_users, status_move
from xiaoneng.complaints.choices import WHERE_TO_GO, RefusalReason, Status
from xiaoneng.complaints.clocks import clock_stop_open, oversight_threshold
from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.permissions import require_office
from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import User
from xiaoneng.workdays.models import Clock


def complaint_accept(*, complaint: Complaint, actor: User) -> Complaint:
    """CMP-2: accepted within 5 working days; the acceptance clock stops."""
    require_office(actor, complaint)
    with transaction.atomic():
        c = complaint_lock(complaint)
        before = status_move(c, Status.ACCEPTED)
        c.accepted_at = timezone.now()
        c.save(update_fields=["status", "accepted_at", "updated_at"])
        clock_stop_open(c.accept_clock, actor)
        event_append(
            subject=c, action="complaint.accepted", actor=actor, before={"status": before}, after={"status": c.status}
        )
    return c


def complaint_refuse(*, complaint: Complaint, actor: User, reason: str, note: str = "") -> Complaint:
    """CMP-3: refuse a matter that belongs elsewhere; the reply says where to go instead."""
    require_office(actor, complaint)
    if reason not in RefusalReason.values:
        raise ValidationError({"reason": _("请选择不予受理的理由。")})
    where = str(WHERE_TO_GO[RefusalReason(reason)])
    text = (where + ("\n" + note.strip() if note.strip() else "")).strip()
    with transaction.atomic():
        c = complaint_lock(complaint)
        before = status_move(c, Status.REFUSED)
        c.refused_at = timezone.now()
        c.refusal_reason = reason
        c.refusal_note = text
        c.closed_at = c.refused_at
        c.save(update_fields=["status", "refused_at", "refusal_reason", "refusal_note", "closed_at", "updated_at"])
        clock_stop_open(c.accept_clock, actor)
        event_append(
            subject=c,
            action="complaint.refused",
            actor=actor,
            before={"status": before},
            after={"status": c.status, "reason": reason},
            reason=text,
        )
        if c.complainant_user_id:
            notify(
                recipients=[c.complainant_user],
                title=_("您的投诉 %(number)s 不予受理") % {"number": c.number},
                body=f"{RefusalReason(reason).label}。{text}",
                url=reverse("complaints:track"),
            )
    return c


def complaint_merge(*, duplicate: Complaint, into: Complaint, actor: User) -> Complaint:
    """Merge a duplicate into the original. A matter reported `XIAONENG_COMPLAINT_OVERSIGHT_REPORTS`
    (3) times or more is flagged for oversight (督办) and the region's office and leaders are told."""
    require_office(actor, duplicate)
    require_office(actor, into)
    if duplicate.pk == into.pk:
        raise ValidationError(_("不能把工单合并到它自己。"))
    if into.status == Status.MERGED or into.merged_into_id:
        raise ValidationError(_("目标工单已被合并，请合并到原始工单。"))
    with transaction.atomic():
        first, second = sorted([duplicate.pk, into.pk])
        locked = {
            c.pk: c
            for c in Complaint.objects.select_for_update(of=("self",)).filter(pk__in=[first, second]).order_by("pk")
        }
        dup, orig = locked[duplicate.pk], locked[into.pk]
        before = status_move(dup, Status.MERGED)
        dup.merged_into = orig
        dup.closed_at = timezone.now()
        dup.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
        if dup.accept_clock_id:
            clock_stop_open(Clock.objects.get(pk=dup.accept_clock_id), actor, cancelled=True)
        orig.report_count += dup.report_count
        newly_flagged = orig.report_count >= oversight_threshold() and not orig.flagged_for_oversight
        if newly_flagged:
            orig.flagged_for_oversight = True
        orig.save(update_fields=["report_count", "flagged_for_oversight", "updated_at"])
        event_append(
            subject=dup, action="complaint.merged", actor=actor, before={"status": before}, after={"into": orig.number}
        )
        event_append(
            subject=orig,
            action="complaint.duplicate_added",
            actor=actor,
            after={"report_count": orig.report_count, "flagged_for_oversight": orig.flagged_for_oversight},
        )
        if newly_flagged:
            leaders = User.objects.filter(role=Role.LEADER, is_active=True, region_id=orig.region_id)
            notify(
                recipients=[*office_users(orig), *leaders],
                title=_("重复反映事项列入督办：%(number)s") % {"number": orig.number},
                body=_("该事项已被反映%(n)d次。") % {"n": orig.report_count},
                url=office_url(orig),
            )
    return orig
