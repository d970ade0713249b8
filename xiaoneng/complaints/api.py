"""Complaints API (/api/complaints): the same scoping, permissions and hidden-complainant promise as
the pages. Submitting and tracking are public; everything else needs a session."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from xiaoneng.complaints.accountability import accountability_record_open
from xiaoneng.complaints.actions.acceptance import complaint_accept, complaint_merge, complaint_refuse
from xiaoneng.complaints.actions.closure import complaint_callback, complaint_close
from xiaoneng.complaints.actions.dispatch import (
    complaint_dispatch,
    complaint_extend,
    complaint_return,
    complaint_suggest,
)
from xiaoneng.complaints.actions.intake import complaint_register, complaint_submit
from xiaoneng.complaints.actions.reply import complaint_reply
from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.permissions import access_complaint_by_id, is_office_user, is_staff_user
from xiaoneng.complaints.selectors import (
    complainant_shown,
    complaint_track,
    complaints_for,
    department_stats,
    public_due,
)
from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.params import date_range
from xiaoneng.core.throttle import ApiThrottle
from xiaoneng.core.uploads import submission_token_valid
from xiaoneng.orgs.choices import DEPARTMENT_ROLES
from xiaoneng.orgs.models import Department, User
from xiaoneng.workdays.due import clock_due_date

router = Router(tags=["complaints"])


class ComplaintOut(Schema):
    id: int
    number: str
    kind: str
    channel: str
    status: str
    title: str
    content: str
    complainant: str
    complainant_phone: str
    anonymous: bool
    department_id: int | None
    handling_department_id: int | None
    received_at: datetime
    reply_due: date | None
    reply: str
    satisfaction: str
    flagged_for_oversight: bool


class ComplaintSubmitIn(Schema):
    kind: str
    title: str
    content: str
    anonymous: bool = False
    hide_from_department: bool = False
    name: str = ""
    phone: str = ""
    case_number: str = ""
    department_id: int | None = None


class ComplaintRegisterIn(Schema):
    """A hotline call, mayor's-mailbox letter, media report or in-hall complaint entered by the office."""

    channel: str
    kind: str
    title: str
    content: str
    anonymous: bool = False
    hide_from_department: bool = False
    name: str = ""
    phone: str = ""
    case_number: str = ""
    department_id: int | None = None
    staff_id: int | None = None


class RegisterOut(Schema):
    id: int
    number: str
    code: str


class ComplaintExtendIn(Schema):
    days: int
    reason: str


class ComplaintCloseIn(Schema):
    note: str = ""


class MergeIn(Schema):
    into_number: str


class AccountabilityIn(Schema):
    sanction: str
    reason: str


class AccountabilityOut(Schema):
    id: int
    department_id: int
    sanction: str
    reason: str
    decided_at: datetime


class ComplaintSubmitOut(Schema):
    number: str
    code: str


class ComplaintTrackOut(Schema):
    number: str
    status: str
    status_display: str
    kind: str
    received_at: datetime
    handling_department: str
    reply: str
    refusal_note: str
    # the limit the complainant is waiting on, as the tracking page shows it (issue 9)
    due_label: str = ""
    due_date: date | None = None


class ComplaintRefuseIn(Schema):
    reason: str
    note: str = ""


class DispatchIn(Schema):
    department_id: int
    note: str = ""


class ReturnIn(Schema):
    reasons: str


class ComplaintReplyIn(Schema):
    text: str
    substantiated: bool | None = None


class ComplaintCallbackIn(Schema):
    satisfaction: str
    note: str = ""


class SuggestionOut(Schema):
    department_id: int | None
    department: str
    reason: str


class FiguresOut(Schema):
    department: str
    total: int
    acceptance_rate: float | None
    reply_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    replied: int
    callbacks: int


def _staff(request: AuthedRequest) -> None:
    if not is_staff_user(request.user):
        raise PermissionDenied


def _out(request: AuthedRequest, c: Complaint) -> ComplaintOut:
    who = complainant_shown(request.user, c)
    return ComplaintOut(
        id=c.pk,
        number=c.number,
        kind=c.kind,
        channel=c.channel,
        status=c.status,
        title=c.title,
        content=c.content,
        complainant=who["name"],
        complainant_phone=who["phone"],
        anonymous=c.anonymous,
        department_id=c.department_id,
        handling_department_id=c.handling_department_id,
        received_at=c.received_at,
        reply_due=clock_due_date(c.reply_clock) if c.reply_clock_id else None,
        reply=c.reply,
        satisfaction=c.satisfaction,
        flagged_for_oversight=c.flagged_for_oversight,
    )


@router.post(
    "/submit",
    response=ComplaintSubmitOut,
    auth=None,
    summary="Public: submit a complaint (returns number + code once)",
    description=(
        "An optional `Idempotency-Key` header (16–64 characters of A–Z, a–z, 0–9, '-' or '_'; a UUID "
        "fits) makes retries safe: a second request with the same key creates nothing and returns the "
        "first complaint's number and code, with the response header `Idempotent-Replayed: true`."
    ),
)
def submit(request: HttpRequest, payload: ComplaintSubmitIn, response: HttpResponse) -> ComplaintSubmitOut:
    key = request.headers.get("Idempotency-Key", "")
    if key and not submission_token_valid(key):
        raise ValidationError(
            {"Idempotency-Key": _("请求头 Idempotency-Key 须为16至64位字母、数字、连字符或下划线（可使用UUID）。")}
        )
    department = _tenant_department(payload.department_id)
    reg = complaint_submit(
        kind=payload.kind,
        title=payload.title,
        content=payload.content,
        actor=request.user,
        anonymous=payload.anonymous,
        hide_from_department=payload.hide_from_department,
        name=payload.name,
        phone=payload.phone,
        case_number=payload.case_number,
        department=department,
        idempotency_key=key,
        idempotency_scope="api",
    )
    if reg.replayed:
        response["Idempotent-Replayed"] = "true"
    return ComplaintSubmitOut(number=reg.complaint.number, code=reg.code)


def _office_only(request: AuthedRequest) -> None:
    if not is_office_user(request.user):
        raise PermissionDenied


def _tenant_department(department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise ValidationError({"department_id": _("被投诉部门不存在。")})
    return department


def _staff_member(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    staff = User.objects.filter(pk=user_id, role__in=DEPARTMENT_ROLES, is_active=True).first()
    if staff is None:
        raise ValidationError({"staff_id": _("被投诉工作人员不存在。")})
    return staff


@router.post("/register", response=RegisterOut, summary="Office: register a hotline call, letter, media report …")
def register(request: AuthedRequest, payload: ComplaintRegisterIn) -> RegisterOut:
    _office_only(request)
    reg = complaint_register(
        actor=request.user,
        channel=payload.channel,
        kind=payload.kind,
        title=payload.title,
        content=payload.content,
        anonymous=payload.anonymous,
        hide_from_department=payload.hide_from_department,
        name=payload.name,
        phone=payload.phone,
        case_number=payload.case_number,
        department=_tenant_department(payload.department_id),
        staff=_staff_member(payload.staff_id),
    )
    return RegisterOut(id=reg.complaint.pk, number=reg.complaint.number, code=reg.code)


@router.get(
    "/track",
    response=ComplaintTrackOut,
    auth=None,
    throttle=ApiThrottle("track"),
    summary="Public: follow a complaint by number + code",
)
def track(request: HttpRequest, number: str, code: str) -> ComplaintTrackOut:
    c = complaint_track(number, code)
    if c is None:
        raise ValidationError({"code": _("编号或查询码不正确。")})
    due = public_due(c)
    return ComplaintTrackOut(
        number=c.number,
        status=c.status,
        status_display=str(c.get_status_display()),
        kind=c.kind,
        received_at=c.received_at,
        handling_department=c.handling_department.name if c.handling_department else "",
        reply=c.reply,
        refusal_note=c.refusal_note,
        due_label=str(due["label"]) if due else "",
        due_date=due["date"] if due else None,
    )


@router.get("/complaints", response=list[ComplaintOut], summary="Complaints in the user's scope")
def list_complaints(request: AuthedRequest, status: str = "") -> list[ComplaintOut]:
    _staff(request)
    qs = complaints_for(request.user)
    if status:
        qs = qs.filter(status=status)
    return [_out(request, c) for c in qs[:500]]


@router.get("/complaints/{pk}", response=ComplaintOut)
def get_complaint(request: AuthedRequest, pk: int) -> ComplaintOut:
    _staff(request)
    return _out(request, access_complaint_by_id(request.user, pk))


@router.get(
    "/complaints/{pk}/suggestion", response=SuggestionOut, summary="Where the dispatch rules suggest sending it"
)
def suggestion(request: AuthedRequest, pk: int) -> SuggestionOut:
    if not is_office_user(request.user):
        raise PermissionDenied
    s = complaint_suggest(access_complaint_by_id(request.user, pk))
    if s is None:
        return SuggestionOut(department_id=None, department="", reason="")
    return SuggestionOut(department_id=s.department.pk, department=s.department.name, reason=s.reason)


@router.post("/complaints/{pk}/accept", response=ComplaintOut)
def accept(request: AuthedRequest, pk: int) -> ComplaintOut:
    _staff(request)
    return _out(request, complaint_accept(complaint=access_complaint_by_id(request.user, pk), actor=request.user))


@router.post("/complaints/{pk}/refuse", response=ComplaintOut)
def refuse(request: AuthedRequest, pk: int, payload: ComplaintRefuseIn) -> ComplaintOut:
    _staff(request)
    c = complaint_refuse(
        complaint=access_complaint_by_id(request.user, pk), actor=request.user, reason=payload.reason, note=payload.note
    )
    return _out(request, c)


@router.post("/complaints/{pk}/dispatch", response=ComplaintOut)
def dispatch(request: AuthedRequest, pk: int, payload: DispatchIn) -> ComplaintOut:
    _staff(request)
    c = access_complaint_by_id(request.user, pk)
    department = get_object_or_404(Department.objects.filter(tenant_id=c.tenant_id), pk=payload.department_id)
    return _out(request, complaint_dispatch(complaint=c, actor=request.user, department=department, note=payload.note))


@router.post("/complaints/{pk}/return", response=ComplaintOut)
def return_order(request: AuthedRequest, pk: int, payload: ReturnIn) -> ComplaintOut:
    _staff(request)
    c = complaint_return(
        complaint=access_complaint_by_id(request.user, pk), actor=request.user, reasons=payload.reasons
    )
    return _out(request, c)


@router.post("/complaints/{pk}/reply", response=ComplaintOut)
def reply(request: AuthedRequest, pk: int, payload: ComplaintReplyIn) -> ComplaintOut:
    _staff(request)
    c = complaint_reply(
        complaint=access_complaint_by_id(request.user, pk),
        actor=request.user,
        text=payload.text,
        substantiated=payload.substantiated,
    )
    return _out(request, c)


@router.post("/complaints/{pk}/callback", response=ComplaintOut)
def callback(request: AuthedRequest, pk: int, payload: ComplaintCallbackIn) -> ComplaintOut:
    _staff(request)
    c = complaint_callback(
        complaint=access_complaint_by_id(request.user, pk),
        actor=request.user,
        satisfaction=payload.satisfaction,
        note=payload.note,
    )
    return _out(request, c)


@router.post("/complaints/{pk}/extend", response=ComplaintOut, summary="Office: extend the reply limit (≤ 10 in all)")
def extend(request: AuthedRequest, pk: int, payload: ComplaintExtendIn) -> ComplaintOut:
    _office_only(request)
    c = complaint_extend(
        complaint=access_complaint_by_id(request.user, pk), actor=request.user, days=payload.days, reason=payload.reason
    )
    return _out(request, access_complaint_by_id(request.user, c.pk))


@router.post("/complaints/{pk}/close", response=ComplaintOut, summary="Office: close a replied anonymous complaint")
def close(request: AuthedRequest, pk: int, payload: ComplaintCloseIn) -> ComplaintOut:
    _office_only(request)
    return _out(
        request,
        complaint_close(complaint=access_complaint_by_id(request.user, pk), actor=request.user, note=payload.note),
    )


@router.post("/complaints/{pk}/merge", response=ComplaintOut, summary="Office: merge a duplicate into the original")
def merge(request: AuthedRequest, pk: int, payload: MergeIn) -> ComplaintOut:
    _office_only(request)
    into = complaints_for(request.user).filter(number=payload.into_number.strip()).first()
    if into is None:
        raise ValidationError({"into_number": _("未找到要合并到的工单编号。")})
    orig = complaint_merge(duplicate=access_complaint_by_id(request.user, pk), into=into, actor=request.user)
    return _out(request, access_complaint_by_id(request.user, orig.pk))


@router.post(
    "/complaints/{pk}/accountability",
    response=AccountabilityOut,
    summary="Office: record accountability (问责) on a substantiated complaint",
)
def accountability(request: AuthedRequest, pk: int, payload: AccountabilityIn) -> AccountabilityOut:
    _office_only(request)
    rec = accountability_record_open(
        complaint=access_complaint_by_id(request.user, pk),
        actor=request.user,
        sanction=payload.sanction,
        reason=payload.reason,
    )
    return AccountabilityOut(
        id=rec.pk, department_id=rec.department_id, sanction=rec.sanction, reason=rec.reason, decided_at=rec.decided_at
    )


@router.get("/statistics", response=list[FiguresOut], summary="CMP-4 figures by department in the user's scope")
def statistics(request: AuthedRequest, start: date | None = None, end: date | None = None) -> list[FiguresOut]:
    _staff(request)
    # issue 9: year range and start ≤ end checked in one place (0001-01-01 was a 500)
    start, end = date_range(start, end, default_start=timezone.localdate().replace(day=1))
    rows = department_stats(complaints_for(request.user), start=start, end=end)
    return [
        FiguresOut(
            department=f.label,
            total=f.total,
            acceptance_rate=f.acceptance_rate,
            reply_rate=f.reply_rate,
            on_time_rate=f.on_time_rate,
            satisfaction_rate=f.satisfaction_rate,
            replied=f.replied,
            callbacks=f.callbacks,
        )
        for f in rows
    ]
