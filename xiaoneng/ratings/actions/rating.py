"""Ratings (RAT-1, RAT-2): a window service recorded for rating, a rating submitted from the web, an
SMS link, a QR code or the terminal, and the default rating of what was not rated in time."""

from __future__ import annotations

__all__ = [
    "hall_service_record",
    "rating_submit",
    "ratings_default",
]

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.cases.models import Case
from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import User
from xiaoneng.ratings.actions.invitations import rating_invite
from xiaoneng.ratings.choices import BAD_LEVELS, Handling, Level, Source
from xiaoneng.ratings.limits import RATING_WINDOW_DAYS, completed_case_statuses
from xiaoneng.ratings.models import InHallService, Rating
from xiaoneng.ratings.selectors import rating_office_users


def hall_service_record(
    *, actor: User, service_name: str, window: str = "", person_phone: str = "", case: Any = None
) -> InHallService:
    """A window clerk records a service so that the person can rate it at the terminal or by SMS."""
    if actor.role not in DEPARTMENT_ROLES or actor.department_id is None:
        raise PermissionDenied(_("只有窗口工作人员可以登记窗口服务。"))
    service_name = (service_name or "").strip()
    if not service_name:
        raise ValidationError({"service_name": _("请填写服务内容。")})
    if len(service_name) > 200:
        raise ValidationError({"service_name": _("服务内容不能超过200个字。")})
    phone = (person_phone or "").strip()
    if phone and (len(phone) != 11 or not phone.isdigit() or not phone.startswith("1")):
        raise ValidationError({"person_phone": _("手机号格式不正确。")})
    department = actor.department
    if department is None:
        raise RuntimeError("invariant: department is not None")
    with transaction.atomic():
        svc = InHallService.objects.create(
            tenant_id=department.tenant_id,
            department_id=actor.department_id,
            clerk=actor,
            window=window.strip()[:30],
            service_name=service_name,
            served_at=timezone.now(),
            person_phone=phone,
            case=case,
        )
        event_append(subject=svc, action="hall_service.recorded", actor=actor, after={"service": service_name})
        if phone:
            # RAT-1: the person may also rate later from the SMS link (the terminal is one channel)
            rating_invite(service=svc, phone=phone, now=svc.served_at)
    return svc


def rating_submit(
    *,
    level: int,
    source: str,
    case: Any = None,
    service: InHallService | None = None,
    comment: str = "",
    reason: str = "",
    actor: Any = None,
    rater_phone: str = "",
) -> Rating:
    """RAT-1: one rating per completed case or in-hall service; voluntary; the rater is protected.
    A bad review (不满意/非常不满意) must state the problem in `reason` (国办发〔2019〕51号: 差评须
    说明问题) and goes to the efficiency office for verification (RAT-3). Every input rule is checked
    in one round, so the rater sees all that is missing at once (issue 9)."""
    errors: dict[str, list[str]] = {}
    try:
        level = int(level)
    except (TypeError, ValueError, OverflowError):
        level = 0
    if level not in Level.values:
        errors.setdefault("level", []).append(_("请选择五个评价等级之一。"))
    if source not in Source.values or source == Source.DEFAULT:
        errors.setdefault("source", []).append(_("评价渠道不正确。"))
    comment = (comment or "").strip() if isinstance(comment, str) else ""
    if len(comment) > 1000:
        errors.setdefault("comment", []).append(_("评价意见不能超过1000个字。"))
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if level in BAD_LEVELS:
        if not reason:  # RAT-1 / 国办发〔2019〕51号
            errors.setdefault("reason", []).append(_("选择“不满意”或“非常不满意”时，请说明遇到的问题。"))
        elif len(reason) > 1000:
            errors.setdefault("reason", []).append(_("差评原因不能超过1000个字。"))
    else:
        reason = ""  # only a bad review carries a reason
    if errors:
        raise ValidationError(errors)
    if (case is None) == (service is None):
        raise ValidationError(_("请选择要评价的办件或窗口服务。"))
    if case is not None:
        if case.status not in completed_case_statuses():
            raise ValidationError(_("办件办结后才能评价。"))
        department = case.department
        user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        if user is not None and user.role == Role.APPLICANT and case.applicant_id not in (None, user.pk):
            raise PermissionDenied(_("只能评价本人的办件。"))
    else:
        if service is None:
            raise RuntimeError("invariant: service is not None")
        department = service.department
        user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        if user is not None and user.role in DEPARTMENT_ROLES:
            user = None  # a terminal at the window: the clerk's session is not the rater
    existing = Rating.objects.filter(case=case) if case is not None else Rating.objects.filter(service=service)
    if existing.exists():
        raise ValidationError(_("该服务已经评价过了（每项服务只能评价一次）。"))
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                tenant_id=department.tenant_id,
                case=case,
                service=service,
                department=department,
                level=level,
                comment=comment,
                reason=reason,
                source=source,
                rated_at=timezone.now(),
                rater=user,
                rater_phone=rater_phone or (user.phone if user is not None and user.phone else "")[:11],
                handling=Handling.PENDING if level in (Level.UNSATISFIED, Level.VERY_UNSATISFIED) else Handling.NONE,
            )
            event_append(subject=rating, action="rating.submitted", after={"level": level, "source": source})
            if rating.handling == Handling.PENDING:
                notify(
                    recipients=rating_office_users(rating),
                    title=_("收到差评，请核实：%(dept)s") % {"dept": department.name},
                    body=reason,
                    url=reverse("ratings:detail", args=[rating.pk]),
                )
    except IntegrityError as e:  # a concurrent rating of the same target won (unique constraint)
        raise ValidationError(_("该服务已经评价过了（每项服务只能评价一次）。")) from e
    return rating


def ratings_default(*, now: datetime | None = None) -> int:
    """RAT-2: a completed case or in-hall service with no rating within 7 natural days is recorded as
    基本满意, marked as defaulted. Idempotent (the one-per-target constraint)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=RATING_WINDOW_DAYS)
    made = 0
    cases = (
        Case.objects.filter(status__in=completed_case_statuses(), rating__isnull=True)
        .annotate(done_at=Coalesce("delivered_at", "closed_at"))
        .filter(done_at__lte=cutoff)
        .select_related("department")
    )
    services = InHallService.objects.filter(rating__isnull=True, served_at__lte=cutoff).select_related("department")
    targets: list[tuple[Any, InHallService | None]] = [(c, None) for c in cases.iterator()]
    targets += [(None, s) for s in services.iterator()]
    for case, service in targets:
        department = case.department if case is not None else service.department  # type: ignore[union-attr]
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    tenant_id=department.tenant_id,
                    case=case,
                    service=service,
                    department=department,
                    level=Level.BASIC,
                    source=Source.DEFAULT,
                    defaulted=True,
                    rated_at=now,
                )
                event_append(subject=rating, action="rating.defaulted", after={"level": Level.BASIC})
        except IntegrityError:
            continue
        made += 1
    return made
