"""Ratings API (/api/ratings): rating by token is public; the rest follows the pages' permissions,
and department staff never receive who rated (RAT-1)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from xiaoneng.core.http import AuthedRequest
from xiaoneng.orgs.choices import DEPARTMENT_ROLES

from .models import Rating
from .selectors import rater_shown, rating_for, rating_metrics, ratings_for
from .services import OFFICE_ROLES, rating_appeal, rating_callback, rating_submit, rating_target, rating_verify

router = Router(tags=["ratings"])


class RatingOut(Schema):
    id: int
    department_id: int
    level: int
    level_display: str
    comment: str
    source: str
    defaulted: bool
    rated_at: datetime
    handling: str
    appeal_status: str
    removed: bool
    rater: str
    rater_phone: str


class RateIn(Schema):
    token: str
    level: int
    comment: str = ""
    source: str = "web"


class NoteIn(Schema):
    note: str


class CallbackIn(Schema):
    note: str
    satisfied: bool = True


class ReasonIn(Schema):
    reason: str


class MetricsOut(Schema):
    department: str
    total: int
    active_rate: float | None
    satisfaction_rate: float | None
    bad: int
    rectification_rate: float | None
    callback_rate: float | None


def _staff(request: AuthedRequest) -> None:
    if not (request.user.is_superuser or request.user.role in OFFICE_ROLES or request.user.role in DEPARTMENT_ROLES):
        raise PermissionDenied


def _out(request: AuthedRequest, r: Rating) -> RatingOut:
    who = rater_shown(request.user, r)
    return RatingOut(
        id=r.pk,
        department_id=r.department_id,
        level=r.level,
        level_display=str(r.get_level_display()),
        comment=r.comment,
        source=r.source,
        defaulted=r.defaulted,
        rated_at=r.rated_at,
        handling=r.handling,
        appeal_status=r.appeal_status,
        removed=r.removed,
        rater=who["name"],
        rater_phone=who["phone"],
    )


@router.post("/rate", response={201: dict}, auth=None, summary="Public: rate by a signed token (SMS link, QR code)")
def rate(request: HttpRequest, payload: RateIn) -> Status:
    case, service = rating_target(payload.token)
    r = rating_submit(
        level=payload.level,
        source=payload.source,
        case=case,
        service=service,
        comment=payload.comment,
        actor=request.user,
    )
    return Status(201, {"id": r.pk, "level": r.level})


@router.get("/ratings", response=list[RatingOut], summary="Ratings in the user's scope")
def list_ratings(request: AuthedRequest, bad: bool = False) -> list[RatingOut]:
    _staff(request)
    qs = ratings_for(request.user)
    if bad:
        qs = qs.filter(level__lte=2)
    return [_out(request, r) for r in qs[:500]]


@router.get("/ratings/{pk}", response=RatingOut)
def get_rating(request: AuthedRequest, pk: int) -> RatingOut:
    _staff(request)
    return _out(request, rating_for(request.user, pk))


@router.post("/ratings/{pk}/verify", response=RatingOut)
def verify(request: AuthedRequest, pk: int, payload: NoteIn) -> RatingOut:
    _staff(request)
    return _out(request, rating_verify(rating=rating_for(request.user, pk), actor=request.user, note=payload.note))


@router.post("/ratings/{pk}/callback", response=RatingOut)
def callback(request: AuthedRequest, pk: int, payload: CallbackIn) -> RatingOut:
    _staff(request)
    r = rating_callback(
        rating=rating_for(request.user, pk), actor=request.user, note=payload.note, satisfied=payload.satisfied
    )
    return _out(request, r)


@router.post("/ratings/{pk}/appeal", response=RatingOut)
def appeal(request: AuthedRequest, pk: int, payload: ReasonIn) -> RatingOut:
    _staff(request)
    return _out(request, rating_appeal(rating=rating_for(request.user, pk), actor=request.user, reason=payload.reason))


@router.get("/metrics", response=list[MetricsOut], auth=None, summary="Public: RAT-4 figures per department")
def metrics(request: HttpRequest, start: date | None = None, end: date | None = None) -> list[MetricsOut]:
    today = timezone.localdate()
    rows = rating_metrics(Rating.objects.all(), start=start or today.replace(day=1), end=end or today)
    return [
        MetricsOut(
            department=m.label,
            total=m.total,
            active_rate=m.active_rate,
            satisfaction_rate=m.satisfaction_rate,
            bad=m.bad,
            rectification_rate=m.rectification_rate,
            callback_rate=m.callback_rate,
        )
        for m in rows
    ]
