"""Bad-review handling (RAT-3): verified with the rater by the efficiency office, rectified within its
own Clock (a Rectification in oversight, the third spine), the rater called back; the department may
appeal once, and an upheld appeal removes the review from every published figure."""

from __future__ import annotations

__all__ = [
    "rating_appeal",
    "rating_appeal_decide",
    "rating_callback",
    "rating_verify",
]


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.choices import DEPARTMENT_ROLES
from xiaoneng.orgs.models import User
from xiaoneng.oversight.services import rectification_open
from xiaoneng.ratings.choices import AppealStatus, Handling
from xiaoneng.ratings.limits import rectification_days
from xiaoneng.ratings.models import Rating
from xiaoneng.ratings.permissions import can_office
from xiaoneng.ratings.selectors import rating_office_users, rectification_of


def rating_lock(rating: Rating) -> Rating:
    return Rating.objects.select_for_update(of=("self",)).select_related("department__region").get(pk=rating.pk)


def rating_verify(*, rating: Rating, actor: User, note: str) -> Rating:
    """RAT-3: the office verifies the bad review with the rater, then a Rectification opens with its
    own Clock (5 working days by default)."""
    if not can_office(actor, rating):
        raise PermissionDenied(_("只有效能办可以核实差评。"))
    note = (note or "").strip()
    if len(note) < 4:
        raise ValidationError({"note": _("请填写与评价人核实的情况（至少4个字）。")})
    with transaction.atomic():
        r = rating_lock(rating)
        if r.handling != Handling.PENDING or r.removed:
            raise ValidationError(_("该评价不在待核实状态。"))
        r.handling = Handling.RECTIFYING
        r.verification_note = note
        r.verified_at = timezone.now()
        r.save(update_fields=["handling", "verification_note", "verified_at", "updated_at"])
        rectification_open(
            department=r.department,
            title=_("差评整改：%(level)s") % {"level": r.get_level_display()},
            problem=_("服务对象评价“%(level)s”：%(comment)s\n核实情况：%(note)s")
            % {"level": r.get_level_display(), "comment": r.comment or "—", "note": note},
            source=r,
            limit=rectification_days(),
            actor=actor,
        )
        event_append(subject=r, action="rating.verified", actor=actor, after={"handling": r.handling}, reason=note)
    return r


def rating_callback(*, rating: Rating, actor: User, note: str, satisfied: bool) -> Rating:
    """RAT-3: after the rectification is verified, the office calls the rater back."""
    if not can_office(actor, rating):
        raise PermissionDenied(_("只有效能办可以回访评价人。"))
    note = (note or "").strip()
    if len(note) < 4:
        raise ValidationError({"note": _("请填写回访记录（至少4个字）。")})
    rect = rectification_of(rating)
    if rect is None or rect.status != "closed":
        raise ValidationError(_("整改核验销号后才能回访评价人。"))
    with transaction.atomic():
        r = rating_lock(rating)
        if r.handling != Handling.RECTIFYING:
            raise ValidationError(_("该评价不在整改中，不能回访。"))
        r.handling = Handling.CALLED_BACK
        r.rectified = True
        r.callback_at = timezone.now()
        r.callback_note = note
        r.callback_satisfied = satisfied
        r.save(
            update_fields=["handling", "rectified", "callback_at", "callback_note", "callback_satisfied", "updated_at"]
        )
        event_append(subject=r, action="rating.called_back", actor=actor, after={"satisfied": satisfied}, reason=note)
    return r


def rating_appeal(*, rating: Rating, actor: User, reason: str) -> Rating:
    """RAT-3: the department appeals a mistaken or malicious review, with reasons."""
    if actor.role not in DEPARTMENT_ROLES or actor.department_id != rating.department_id:
        raise PermissionDenied(_("只有被评价部门可以申诉。"))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("请写明申诉理由（至少10个字）。")})
    with transaction.atomic():
        r = rating_lock(rating)
        if r.removed or r.appeal_status or not r.is_bad:
            raise ValidationError(_("该评价不能申诉（只能对差评申诉一次）。"))
        r.appeal_status = AppealStatus.PENDING
        r.appeal_reason = reason
        r.save(update_fields=["appeal_status", "appeal_reason", "updated_at"])
        event_append(subject=r, action="rating.appealed", actor=actor, reason=reason)
        notify(
            recipients=rating_office_users(r),
            title=_("差评申诉待审核：%(dept)s") % {"dept": r.department.name},
            url=reverse("ratings:detail", args=[r.pk]),
        )
    return r


def rating_appeal_decide(*, rating: Rating, actor: User, uphold: bool, note: str) -> Rating:
    """The office reviews the appeal: upheld removes the review from every published figure."""
    if not can_office(actor, rating):
        raise PermissionDenied(_("只有效能办可以审核申诉。"))
    note = (note or "").strip()
    if len(note) < 4:
        raise ValidationError({"note": _("请填写审核意见（至少4个字）。")})
    with transaction.atomic():
        r = rating_lock(rating)
        if r.appeal_status != AppealStatus.PENDING:
            raise ValidationError(_("该评价没有待审核的申诉。"))
        r.appeal_status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
        r.appeal_note = note
        fields = ["appeal_status", "appeal_note", "updated_at"]
        if uphold:
            r.removed = True
            if r.handling == Handling.PENDING:
                r.handling = Handling.NONE
            fields += ["removed", "handling"]
        r.save(update_fields=fields)
        event_append(subject=r, action="rating.appeal_decided", actor=actor, after={"upheld": uphold}, reason=note)
    return r
