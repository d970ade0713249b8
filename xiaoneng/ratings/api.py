"""Ratings API (/api/ratings): rating by token is public; the rest follows the pages' permissions,
and department staff never receive who rated (RAT-1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.params import date_range
from xiaoneng.core.throttle import client_address
from xiaoneng.ratings.actions.bad_reviews import rating_appeal, rating_appeal_decide, rating_callback, rating_verify
from xiaoneng.ratings.actions.rating import hall_service_record, rating_submit
from xiaoneng.ratings.actions.surveys import (
    survey_create,
    survey_link_create,
    survey_question_add,
    survey_respond,
    survey_set_status,
)
from xiaoneng.ratings.choices import Source
from xiaoneng.ratings.links import rating_link, rating_target, rating_token
from xiaoneng.ratings.models import Rating, SurveyLink
from xiaoneng.ratings.permissions import (
    access_hall_service_by_id,
    access_rating_by_id,
    access_survey_by_id,
    is_department_user,
    is_office_user,
    is_staff_user,
)
from xiaoneng.ratings.selectors import rater_shown, rating_metrics, ratings_for, survey_results, surveys_for

router = Router(tags=["ratings"])


class RatingOut(Schema):
    id: int
    department_id: int
    level: int
    level_display: str
    comment: str
    reason: str
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
    reason: str = ""  # required for a bad level (1, 2): the problem the rater met (国办发〔2019〕51号)
    source: str = "web"


class RatingNoteIn(Schema):
    note: str


class RatingCallbackIn(Schema):
    note: str
    satisfied: bool = True


class RatingReasonIn(Schema):
    reason: str


class RatingDecideIn(Schema):
    uphold: bool
    note: str


class HallServiceIn(Schema):
    service_name: str
    window: str = ""
    person_phone: str = ""


class HallServiceOut(Schema):
    id: int
    token: str
    rating_url: str


class TerminalRateIn(Schema):
    level: int
    comment: str = ""
    reason: str = ""  # required for a bad level (1, 2)


class SurveyIn(Schema):
    title: str
    description: str = ""
    max_per_hour: int = 20


class SurveyOut(Schema):
    id: int
    title: str
    status: str
    responses: int


class QuestionIn(Schema):
    kind: str
    text: str
    options: list[str] = []
    required: bool = True


class LinkIn(Schema):
    group: str
    label: str = ""
    single_use: bool = False


class LinkOut(Schema):
    id: int
    group: str
    token: str
    url: str


class StatusIn(Schema):
    status: str


class RespondIn(Schema):
    answers: dict[str, str]


class MetricsOut(Schema):
    department: str
    total: int
    active_rate: float | None
    satisfaction_rate: float | None
    bad: int
    rectification_rate: float | None
    callback_rate: float | None


def _staff(request: AuthedRequest) -> None:
    if not is_staff_user(request.user):
        raise PermissionDenied


def _out(request: AuthedRequest, r: Rating) -> RatingOut:
    who = rater_shown(request.user, r)
    return RatingOut(
        id=r.pk,
        department_id=r.department_id,
        level=r.level,
        level_display=str(r.get_level_display()),
        comment=r.comment,
        reason=r.reason,
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
def rate(request: HttpRequest, payload: RateIn) -> Status[dict[str, int]]:
    if payload.source not in (Source.WEB, Source.SMS, Source.QR):  # the terminal has its own endpoint
        raise ValidationError({"source": _("评价渠道不正确。")})
    case, service = rating_target(payload.token)
    r = rating_submit(
        level=payload.level,
        source=payload.source,
        case=case,
        service=service,
        comment=payload.comment,
        reason=payload.reason,
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
    return _out(request, access_rating_by_id(request.user, pk))


@router.post("/ratings/{pk}/verify", response=RatingOut)
def verify(request: AuthedRequest, pk: int, payload: RatingNoteIn) -> RatingOut:
    _staff(request)
    return _out(
        request, rating_verify(rating=access_rating_by_id(request.user, pk), actor=request.user, note=payload.note)
    )


@router.post("/ratings/{pk}/callback", response=RatingOut)
def callback(request: AuthedRequest, pk: int, payload: RatingCallbackIn) -> RatingOut:
    _staff(request)
    r = rating_callback(
        rating=access_rating_by_id(request.user, pk), actor=request.user, note=payload.note, satisfied=payload.satisfied
    )
    return _out(request, r)


@router.post("/ratings/{pk}/appeal", response=RatingOut)
def appeal(request: AuthedRequest, pk: int, payload: RatingReasonIn) -> RatingOut:
    _staff(request)
    return _out(
        request, rating_appeal(rating=access_rating_by_id(request.user, pk), actor=request.user, reason=payload.reason)
    )


@router.post("/ratings/{pk}/appeal/decide", response=RatingOut, summary="Office: uphold or reject an appeal (RAT-3)")
def appeal_decide(request: AuthedRequest, pk: int, payload: RatingDecideIn) -> RatingOut:
    _staff(request)
    r = rating_appeal_decide(
        rating=access_rating_by_id(request.user, pk), actor=request.user, uphold=payload.uphold, note=payload.note
    )
    return _out(request, r)


def _window(request: AuthedRequest) -> None:
    if not is_department_user(request.user):
        raise PermissionDenied


@router.post("/hall-services", response={201: HallServiceOut}, summary="Window: record a service to be rated")
def hall_service(request: AuthedRequest, payload: HallServiceIn) -> Status[HallServiceOut]:
    _window(request)
    svc = hall_service_record(
        actor=request.user, service_name=payload.service_name, window=payload.window, person_phone=payload.person_phone
    )

    token = rating_token(service=svc)
    return Status(201, HallServiceOut(id=svc.pk, token=token, rating_url=rating_link(service=svc, via=Source.QR)))


@router.post(
    "/hall-services/{pk}/rate", response={201: dict}, summary="Window terminal: the person served rates (RAT-1)"
)
def terminal_rate(request: AuthedRequest, pk: int, payload: TerminalRateIn) -> Status[dict[str, int]]:
    _window(request)
    svc = access_hall_service_by_id(request.user, pk)
    r = rating_submit(
        level=payload.level,
        source=Source.TERMINAL,
        service=svc,
        comment=payload.comment,
        reason=payload.reason,
        actor=request.user,
    )
    return Status(201, {"id": r.pk, "level": r.level})


def _office(request: AuthedRequest) -> None:
    if not is_office_user(request.user):
        raise PermissionDenied


def _survey_out(s: Any) -> SurveyOut:
    return SurveyOut(id=s.pk, title=s.title, status=s.status, responses=s.responses.count())


@router.get("/surveys", response=list[SurveyOut], summary="Office: surveys in the user's region")
def list_surveys(request: AuthedRequest) -> list[SurveyOut]:
    _office(request)
    return [_survey_out(s) for s in surveys_for(request.user)[:200]]


@router.post("/surveys", response={201: SurveyOut}, summary="Office: create a survey (社会测评)")
def create_survey(request: AuthedRequest, payload: SurveyIn) -> Status[SurveyOut]:
    _office(request)
    s = survey_create(
        actor=request.user, title=payload.title, description=payload.description, max_per_hour=payload.max_per_hour
    )
    return Status(201, _survey_out(s))


@router.post("/surveys/{pk}/questions", response={201: dict}, summary="Office: add a rating, choice or text question")
def add_question(request: AuthedRequest, pk: int, payload: QuestionIn) -> Status[dict[str, int]]:
    _office(request)
    s = access_survey_by_id(request.user, pk)
    q = survey_question_add(
        survey=s,
        actor=request.user,
        kind=payload.kind,
        text=payload.text,
        options=payload.options,
        required=payload.required,
    )
    return Status(201, {"id": q.pk, "order": q.order})


@router.post("/surveys/{pk}/links", response={201: LinkOut}, summary="Office: a distribution link for a group")
def add_link(request: AuthedRequest, pk: int, payload: LinkIn) -> Status[LinkOut]:
    _office(request)
    s = access_survey_by_id(request.user, pk)
    link = survey_link_create(
        survey=s, actor=request.user, group=payload.group, label=payload.label, single_use=payload.single_use
    )
    url = request.build_absolute_uri(reverse("ratings:survey_respond", args=[link.token]))
    return Status(201, LinkOut(id=link.pk, group=link.group, token=link.token, url=url))


@router.post("/surveys/{pk}/status", response=SurveyOut, summary="Office: open or close the survey")
def set_status(request: AuthedRequest, pk: int, payload: StatusIn) -> SurveyOut:
    _office(request)
    s = access_survey_by_id(request.user, pk)
    return _survey_out(survey_set_status(survey=s, actor=request.user, status=payload.status))


@router.get("/surveys/{pk}/results", response=dict, summary="Office: results per question and respondent group")
def results(request: AuthedRequest, pk: int) -> dict[str, Any]:
    _office(request)
    return survey_results(access_survey_by_id(request.user, pk))


@router.post("/surveys/respond/{token}", response={201: dict}, auth=None, summary="Public: an anonymous answer by link")
def respond(request: HttpRequest, token: str, payload: RespondIn) -> Status[dict[str, int]]:
    link = get_object_or_404(SurveyLink.objects.select_related("survey"), token=token)
    if not request.session.session_key:
        request.session.save()
    resp = survey_respond(
        link=link,
        answers=payload.answers,
        session_key=request.session.session_key or "",
        ip=client_address(request),
    )
    return Status(201, {"id": resp.pk})


@router.get("/metrics", response=list[MetricsOut], auth=None, summary="Public: RAT-4 figures per department")
def metrics(request: HttpRequest, start: date | None = None, end: date | None = None) -> list[MetricsOut]:
    # issue 9: year range and start ≤ end checked in one place (0001-01-01 was a 500)
    start, end = date_range(start, end, default_start=timezone.localdate().replace(day=1))
    rows = rating_metrics(Rating.objects.all(), start=start, end=end)
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
