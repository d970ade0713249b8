"""Permission-scoped reads of the disclosure app (conventions §3): only these querysets reach users."""

from __future__ import annotations

__all__ = [
    "code_hash",
    "guides_public",
    "records_for",
    "records_public",
    "report_issued",
    "request_track",
    "request_trail",
    "requests_for",
]

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import Event
from xiaoneng.core.scoping import restrict
from xiaoneng.disclosure.choices import RecordStatus
from xiaoneng.disclosure.models import ActiveRecord, DisclosureGuide, DisclosureRequest, IssuedReport


def code_hash(number: str, code: str) -> str:
    """The stored form of a request's query code (keyed with SECRET_KEY)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"disclosure:{number}:{code.strip().upper()}".encode(), hashlib.sha256).hexdigest()


def requests_for(user: Any) -> QuerySet[DisclosureRequest]:
    """Requests this user may read: the department's own, the region subtree's for the efficiency
    office, legal office and leaders, an applicant's own."""
    return restrict(DisclosureRequest.objects.select_related("department", "clock"), user)


def request_track(number: str, code: str) -> DisclosureRequest | None:
    """The public look-up: only the holder of the query code learns anything about the request."""
    number, code = (number or "").strip()[:40], (code or "").strip()[:20]
    if not number or not code:
        return None
    req = DisclosureRequest.objects.select_related("department", "clock").filter(number=number).first()
    if req is None or not hmac.compare_digest(req.verification_hash, code_hash(req.number, code)):
        return None
    return req


def records_for(user: Any) -> QuerySet[ActiveRecord]:
    """Records this user may read: published ones, and drafts of their own department (or region)."""
    return restrict(ActiveRecord.objects.select_related("department", "clock"), user)


def records_public(*, q: str = "", category: str = "", department_id: int | None = None) -> QuerySet[ActiveRecord]:
    """Published records, searched by title, document number or body; newest first."""
    qs = ActiveRecord.objects.filter(status=RecordStatus.PUBLISHED).select_related("department")
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(doc_number__icontains=q) | Q(body__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs.order_by("-published_at", "-id")


def guides_public() -> QuerySet[DisclosureGuide]:
    return DisclosureGuide.objects.select_related("department", "department__region").order_by(
        "department__region__path", "department__name"
    )


# What each trail action is called on the request page: staff read what happened, not an action code.
ACTION_LABELS = {
    "disclosure.request_received": _("收到申请"),
    "disclosure.correction_asked": _("一次性告知补正"),
    "disclosure.correction_received": _("收到补正"),
    "disclosure.extended": _("延长答复期限"),
    "disclosure.consultation_started": _("征求意见"),
    "disclosure.consultation_closed": _("征求意见结束"),
    "disclosure.fee_notified": _("通知收取信息处理费"),
    "disclosure.fee_paid": _("缴纳信息处理费"),
    "disclosure.answered": _("作出答复"),
    "disclosure.withdrawn": _("撤回申请"),
    "disclosure.appeal_recorded": _("登记复议诉讼"),
    "disclosure.attached": _("上传附件"),
}


def request_trail(req: DisclosureRequest) -> list[dict[str, Any]]:
    """The request's Event trail, oldest first, each step with its label (an unknown action keeps a
    neutral label rather than its code)."""

    return [
        {
            "at": e.at,
            "label": ACTION_LABELS.get(e.action, _("办理")),
            "actor": e.actor or _("系统"),
            "reason": e.reason,
        }
        for e in Event.objects.for_subject(req).select_related("actor").order_by("seq")
    ]


def report_issued(*, year: int, department: Any = None, region: Any = None) -> IssuedReport | None:
    """The issued (frozen) annual report of one year and scope, if any (DIS-3)."""
    if (department is None) == (region is None):
        return None
    qs = IssuedReport.objects.select_related("issued_by").filter(year=year)
    if department is not None:
        return qs.filter(department=department).first()
    return qs.filter(region=region).first()
