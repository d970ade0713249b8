"""RAT-1 invitations: one SMS per completed case or window service with the link to its rating page,
sent after the commit by the task worker."""

from __future__ import annotations

__all__ = [
    "rating_invite",
    "rating_invite_cases",
]

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.cases.models import Case
from xiaoneng.core.services import sms_send_later
from xiaoneng.core.trail import event_append
from xiaoneng.ratings.choices import Source
from xiaoneng.ratings.limits import RATING_WINDOW_DAYS, completed_case_statuses
from xiaoneng.ratings.links import rating_link
from xiaoneng.ratings.models import InHallService, RatingInvitation


def _sms_invite(*, phone: str, department_name: str, what: str, link: str) -> None:
    """Send the rating invitation after the commit, from the task worker with retries (issue 9: no SMS
    gateway call inside the web request); a carrier outage must not undo the service."""
    text = _("【%(dept)s】您办理的“%(what)s”已办结，欢迎对本次服务作出评价（自愿，评价人信息受保护）：%(link)s") % {
        "dept": department_name,
        "what": what[:40],
        "link": link,
    }
    sms_send_later(phone=phone, text=text)


def rating_invite(*, case: Any = None, service: InHallService | None = None, phone: str, now: datetime) -> bool:
    """RAT-1: one SMS invitation per case or window service (the RatingInvitation row is the guard)."""
    target = case if case is not None else service
    if target is None:
        raise RuntimeError("invariant: target is not None")
    try:
        with transaction.atomic():
            inv = RatingInvitation.objects.create(
                tenant_id=target.department.tenant_id, case=case, service=service, sent_at=now
            )
            event_append(subject=target, action="rating.invited", after={"channel": Source.SMS, "invitation": inv.pk})
            _sms_invite(
                phone=phone,
                department_name=target.department.name,
                what=case.version.name if case is not None else service.service_name,  # type: ignore[union-attr]
                link=rating_link(case=case, service=service, via=Source.SMS),
            )
    except IntegrityError:  # already invited (a concurrent run)
        return False
    return True


def rating_invite_cases(*, now: datetime | None = None) -> int:
    """RAT-1: every case completed within the rating window (7 natural days, RAT-2), not yet rated nor
    invited, whose applicant left a mobile number gets one SMS with the link to its rating page.
    Idempotent (periodic task `ratings.invite`)."""
    now = now or timezone.now()
    cases = (
        Case.objects.filter(status__in=completed_case_statuses(), rating__isnull=True)
        .annotate(done_at=Coalesce("delivered_at", "closed_at"))
        .filter(done_at__gt=now - timedelta(days=RATING_WINDOW_DAYS), done_at__lte=now)
        .exclude(pk__in=RatingInvitation.objects.filter(case__isnull=False).values("case_id"))
        .select_related("department", "applicant", "version")
    )
    sent = 0
    for case in cases.iterator():
        phone = _mobile(case.applicant_phone) or _mobile(getattr(case.applicant, "phone", "") or "")
        if phone and rating_invite(case=case, phone=phone, now=now):
            sent += 1
    return sent


def _mobile(phone: str) -> str:
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    return phone if len(phone) == 11 and phone.isdigit() and phone.startswith("1") else ""
