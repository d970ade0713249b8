"""Disclosure API (/api/disclosure): requests (public intake and tracking; the department's actions),
answers, records (public search; the department's writes) and the annual report. The same services,
permission checks and scoped reads as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status, UploadedFile

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.params import bounded_int
from xiaoneng.core.scoping import region_subtree_q
from xiaoneng.core.throttle import ApiThrottle
from xiaoneng.disclosure.choices import RecordCategory
from xiaoneng.disclosure.models import ActiveRecord, Consultation, DisclosureRequest
from xiaoneng.disclosure.permissions import access_record_by_id, access_request_by_id, can_read_report
from xiaoneng.disclosure.report import COLUMNS, AnnualReport, annual_report, report_from_issued
from xiaoneng.disclosure.selectors import records_for, records_public, report_issued, request_track, requests_for
from xiaoneng.disclosure.services import (
    appeal_record,
    consultation_reply,
    consultation_start,
    record_create,
    record_publish,
    report_issue,
    report_scope_title,
    request_answer,
    request_attach,
    request_correction_ask,
    request_correction_receive,
    request_extend,
    request_register,
    request_submit,
    request_withdraw,
)
from xiaoneng.orgs.choices import DEPARTMENT_ROLES
from xiaoneng.orgs.models import Department, Region
from xiaoneng.workdays.due import clock_due_date

router = Router(tags=["disclosure"])


class DisclosureSubmitIn(Schema):
    department_id: int
    applicant_kind: str
    applicant_name: str
    phone: str
    description: str
    id_number: str = ""
    email: str = ""
    address: str = ""


class DisclosureRegisterIn(Schema):
    channel: str
    applicant_kind: str
    applicant_name: str
    phone: str
    description: str
    id_number: str = ""
    email: str = ""
    address: str = ""


class DisclosureSubmitOut(Schema):
    id: int
    number: str
    code: str


class RequestOut(Schema):
    id: int
    number: str
    department_id: int
    channel: str
    status: str
    applicant_kind: str
    applicant_name: str
    description: str
    received_at: datetime
    due_date: date | None
    extended: bool
    correction_items: str
    correction_deadline: date | None
    answer_type: str
    ground: str
    right_agency: str
    answer_text: str
    answered_at: datetime | None
    answered_on_time: bool | None
    report_row: str


class DisclosureTrackOut(Schema):
    number: str
    status: str
    status_display: str
    department: str
    due_date: date | None
    answer_type: str
    answer_display: str


class CorrectionIn(Schema):
    items: str
    period_days: int = 10


class DisclosureTextIn(Schema):
    text: str


class DisclosureReasonIn(Schema):
    reason: str = ""


class ConsultIn(Schema):
    kind: str
    party: str


class ConsultOut(Schema):
    id: int
    kind: str
    party: str
    opinion: str
    due_date: date | None


class DisclosureOpinionIn(Schema):
    opinion: str
    text: str = ""


class AnswerIn(Schema):
    answer_type: str
    text: str
    ground: str = ""
    right_agency: str = ""


class DisclosureRecordIn(Schema):
    category: str
    title: str
    created_on: date
    doc_number: str = ""
    body: str = ""
    link: str = ""
    amount: float | None = None
    repealed_on: date | None = None


class DisclosureRecordOut(Schema):
    id: int
    department_id: int
    category: str
    title: str
    doc_number: str
    link: str
    created_on: date
    status: str
    published_at: datetime | None
    published_late: bool
    publish_due: date | None


class AppealIn(Schema):
    department_id: int
    kind: str
    result: str
    filed_on: date
    note: str = ""
    request_id: int | None = None


class ReportOut(Schema):
    year: int
    title: str
    due: date
    columns: list[str]
    overview: dict[str, int]
    table2: list[dict[str, Any]]
    table3: dict[str, dict[str, int]]
    table4: dict[str, dict[str, int]]
    check_ok: bool
    checks: list[dict[str, Any]]
    issued: bool = False  # the frozen figures of the issued report (DIS-3), not the live ones
    issued_at: datetime | None = None


class ReportIssueIn(Schema):
    year: int
    department_id: int | None = None


class AttachmentOut(Schema):
    id: int
    side: str
    name: str
    size: int
    content_type: str
    created_at: datetime


def _req_out(r: DisclosureRequest) -> RequestOut:
    return RequestOut(
        id=r.pk,
        number=r.number,
        department_id=r.department_id,
        channel=r.channel,
        status=r.status,
        applicant_kind=r.applicant_kind,
        applicant_name=r.applicant_name,
        description=r.description,
        received_at=r.received_at,
        due_date=clock_due_date(r.clock) if r.clock_id else None,
        extended=r.extended_at is not None,
        correction_items=r.correction_items,
        correction_deadline=r.correction_deadline,
        answer_type=r.answer_type,
        ground=r.ground,
        right_agency=r.right_agency,
        answer_text=r.answer_text,
        answered_at=r.answered_at,
        answered_on_time=r.answered_on_time,
        report_row=r.report_row,
    )


def _record_out(r: ActiveRecord) -> DisclosureRecordOut:
    return DisclosureRecordOut(
        id=r.pk,
        department_id=r.department_id,
        category=r.category,
        title=r.title,
        doc_number=r.doc_number,
        link=r.link,
        created_on=r.created_on,
        status=r.status,
        published_at=r.published_at,
        published_late=r.published_late,
        publish_due=clock_due_date(r.clock) if r.clock_id else None,
    )


def _id(value: int | None, name: str) -> int:
    checked = bounded_int(value, name, low=1)
    if checked is None:
        raise ValidationError({name: _("缺少参数。")})
    return checked


def _bounded(value: int, name: str, low: int, high: int) -> int:
    checked = bounded_int(value, name, low=low, high=high)
    return low if checked is None else checked


# --- requests ------------------------------------------------------------------------------------


@router.post("/requests", response=DisclosureSubmitOut, auth=None, summary="Public: request government information")
def submit(request: HttpRequest, payload: DisclosureSubmitIn) -> DisclosureSubmitOut:
    department = Department.objects.filter(pk=_id(payload.department_id, "department_id")).first()
    if department is None:
        raise ValidationError({"department_id": _("受理机关不存在。")})
    sub = request_submit(actor=request.user, department=department, **payload.dict(exclude={"department_id"}))
    return DisclosureSubmitOut(id=sub.request.pk, number=sub.request.number, code=sub.code)


@router.post(
    "/requests/register",
    response=DisclosureSubmitOut,
    summary="Department: register a request made at the window or by letter",
)
def register(request: AuthedRequest, payload: DisclosureRegisterIn) -> DisclosureSubmitOut:
    sub = request_register(actor=request.user, **payload.dict())
    return DisclosureSubmitOut(id=sub.request.pk, number=sub.request.number, code=sub.code)


@router.get(
    "/track",
    response=DisclosureTrackOut,
    auth=None,
    throttle=ApiThrottle("track"),
    summary="Public: follow a request by number + code",
)
def track(request: HttpRequest, number: str, code: str) -> DisclosureTrackOut:
    r = request_track(number, code)
    if r is None:
        raise ValidationError({"code": _("申请编号或查询码不正确。")})
    return DisclosureTrackOut(
        number=r.number,
        status=r.status,
        status_display=str(r.get_status_display()),
        department=r.department.name,
        due_date=clock_due_date(r.clock) if r.clock_id else None,
        answer_type=r.answer_type,
        answer_display=str(r.get_answer_type_display()) if r.answer_type else "",
    )


@router.get("/requests", response=list[RequestOut], summary="Requests in the user's scope (newest first)")
def request_list(request: AuthedRequest, status: str = "", limit: int = 50, offset: int = 0) -> list[RequestOut]:
    limit = _bounded(limit, "limit", 1, 200)
    offset = _bounded(offset, "offset", 0, 1_000_000)
    qs = requests_for(request.user)
    if status:
        qs = qs.filter(status=status[:12])
    return [_req_out(r) for r in qs[offset : offset + limit]]


@router.get("/requests/{pk}", response=RequestOut, summary="One request (404 outside scope)")
def request_get(request: AuthedRequest, pk: int) -> RequestOut:
    return _req_out(access_request_by_id(request.user, _id(pk, "pk")))


def _attachment_out(a: Any) -> AttachmentOut:
    return AttachmentOut(
        id=a.pk, side=a.side, name=a.original_name, size=a.size, content_type=a.content_type, created_at=a.created_at
    )


@router.get(
    "/requests/{pk}/attachments",
    response=list[AttachmentOut],
    summary="A request's files (the applicant's and the answer's; 404 outside scope)",
)
def attachment_list(request: AuthedRequest, pk: int) -> list[AttachmentOut]:
    req = access_request_by_id(request.user, _id(pk, "pk"))
    return [_attachment_out(a) for a in req.attachments.all()]


@router.post(
    "/requests/{pk}/attachments",
    response={201: list[AttachmentOut]},
    summary="Attach files: the department the answer's documents, the applicant supporting documents",
)
def attachment_add(request: AuthedRequest, pk: int, files: File[list[UploadedFile]]) -> Status[Any]:
    req = access_request_by_id(request.user, _id(pk, "pk"))
    rows = request_attach(request=req, actor=request.user, files=files)
    return Status(201, [_attachment_out(a) for a in rows])


@router.get(
    "/requests/{pk}/attachments/{aid}",
    response={200: None},
    summary="Download one file (the applicant and the staff in scope only)",
)
def attachment_get(request: AuthedRequest, pk: int, aid: int) -> FileResponse:
    req = access_request_by_id(request.user, _id(pk, "pk"))
    att = get_object_or_404(req.attachments.all(), pk=_id(aid, "aid"))
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.original_name)


def _act(request: AuthedRequest, pk: int) -> DisclosureRequest:
    return access_request_by_id(request.user, _id(pk, "pk"))


@router.post("/requests/{pk}/correction", response=RequestOut, summary="DIS-1: one correction request")
def correction(request: AuthedRequest, pk: int, payload: CorrectionIn) -> RequestOut:
    return _req_out(
        request_correction_ask(
            request=_act(request, pk), actor=request.user, items=payload.items, period_days=payload.period_days
        )
    )


@router.post("/requests/{pk}/correction/received", response=RequestOut, summary="DIS-1: corrected request received")
def correction_received(request: AuthedRequest, pk: int, payload: DisclosureTextIn) -> RequestOut:
    return _req_out(request_correction_receive(request=_act(request, pk), actor=request.user, text=payload.text))


@router.post("/requests/{pk}/extend", response=RequestOut, summary="DIS-1: +20 working days (department head)")
def extend(request: AuthedRequest, pk: int, payload: DisclosureReasonIn) -> RequestOut:
    return _req_out(request_extend(request=_act(request, pk), actor=request.user, reason=payload.reason))


@router.post("/requests/{pk}/consultations", response=ConsultOut, summary="DIS-1: consult a third party or agency")
def consult(request: AuthedRequest, pk: int, payload: ConsultIn) -> ConsultOut:
    c = consultation_start(request=_act(request, pk), actor=request.user, kind=payload.kind, party=payload.party)
    return ConsultOut(id=c.pk, kind=c.kind, party=c.party, opinion=c.opinion, due_date=clock_due_date(c.clock))


@router.post(
    "/requests/{pk}/consultations/{cid}/reply", response=ConsultOut, summary="Record the consulted party's opinion"
)
def consult_reply(request: AuthedRequest, pk: int, cid: int, payload: DisclosureOpinionIn) -> ConsultOut:
    req = _act(request, pk)
    c = Consultation.objects.filter(pk=_id(cid, "cid"), request=req).select_related("clock").first()
    if c is None:
        raise ValidationError({"cid": _("征求意见记录不存在。")})
    c = consultation_reply(consultation=c, actor=request.user, opinion=payload.opinion, text=payload.text)
    return ConsultOut(id=c.pk, kind=c.kind, party=c.party, opinion=c.opinion, due_date=None)


@router.post("/requests/{pk}/answer", response=RequestOut, summary="DIS-2: answer with a national answer type")
def answer(request: AuthedRequest, pk: int, payload: AnswerIn) -> RequestOut:
    return _req_out(request_answer(request=_act(request, pk), actor=request.user, **payload.dict()))


@router.post("/requests/{pk}/withdraw", response=RequestOut, summary="Withdraw (applicant, or staff recording it)")
def withdraw(request: AuthedRequest, pk: int, payload: DisclosureReasonIn) -> RequestOut:
    return _req_out(request_withdraw(request=_act(request, pk), actor=request.user, reason=payload.reason))


# --- records -------------------------------------------------------------------------------------


@router.get("/records", response=list[DisclosureRecordOut], auth=None, summary="Public: published records, searched")
def record_list(
    request: HttpRequest,
    q: str = "",
    category: str = "",
    department_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[DisclosureRecordOut]:
    limit = _bounded(limit, "limit", 1, 200)
    offset = _bounded(offset, "offset", 0, 1_000_000)
    if category and category not in RecordCategory.values:
        raise ValidationError({"category": _("类别不正确。")})
    dept = _id(department_id, "department_id") if department_id is not None else None
    qs = records_public(q=q, category=category, department_id=dept)
    return [_record_out(r) for r in qs.select_related("clock")[offset : offset + limit]]


@router.get("/records/mine", response=list[DisclosureRecordOut], summary="Records in the user's scope, drafts included")
def record_mine(request: AuthedRequest, limit: int = 50, offset: int = 0) -> list[DisclosureRecordOut]:
    if not request.user.is_staff_member and not request.user.is_superuser:
        raise PermissionDenied
    limit = _bounded(limit, "limit", 1, 200)
    offset = _bounded(offset, "offset", 0, 1_000_000)
    return [_record_out(r) for r in records_for(request.user).order_by("-created_on", "-id")[offset : offset + limit]]


@router.post("/records", response=DisclosureRecordOut, summary="Department: a record to publish (DIS-3 clock)")
def record_new(request: AuthedRequest, payload: DisclosureRecordIn) -> DisclosureRecordOut:
    return _record_out(record_create(actor=request.user, **payload.dict()))


@router.post("/records/{pk}/publish", response=DisclosureRecordOut, summary="Department reviewer/head: publish")
def record_pub(request: AuthedRequest, pk: int) -> DisclosureRecordOut:
    return _record_out(record_publish(record=access_record_by_id(request.user, _id(pk, "pk")), actor=request.user))


# --- annual report and appeals ---------------------------------------------------------------------


@router.post("/appeals", response={201: dict[str, int]}, summary="Record a reconsideration or lawsuit (table 四)")
def appeal(request: AuthedRequest, payload: AppealIn) -> Status[Any]:
    department = Department.objects.filter(pk=_id(payload.department_id, "department_id")).first()
    if department is None:
        raise ValidationError({"department_id": _("部门不存在。")})
    req = access_request_by_id(request.user, _id(payload.request_id, "request_id")) if payload.request_id else None
    a = appeal_record(
        actor=request.user,
        department=department,
        kind=payload.kind,
        result=payload.result,
        filed_on=payload.filed_on,
        note=payload.note,
        request=req,
    )
    return Status(201, {"id": a.pk})


def _report_scope(user: Any, department_id: int | None) -> tuple[Any, str, bool, Department | None, Region | None]:
    """(departments, title, government?, the department or region an issued report is filed under)."""
    if not can_read_report(user):
        raise PermissionDenied
    if user.role in DEPARTMENT_ROLES and not user.is_superuser:
        if department_id is not None and department_id != user.department_id:
            raise PermissionDenied
        dept = user.department
        return Department.objects.filter(pk=user.department_id or 0), (dept.name if dept else ""), False, dept, None
    scope = (
        Department.objects.all()
        if user.is_superuser or user.region is None
        else Department.objects.filter(region_subtree_q("region__path", user.region.path))
    )
    if user.region is None and not user.is_superuser:
        raise PermissionDenied
    if department_id is not None:
        departments = scope.filter(pk=_id(department_id, "department_id"))
        d = departments.first()
        if d is None:
            raise PermissionDenied
        return departments, d.name, False, d, None
    if user.region_id:
        return (
            scope.filter(region_id=user.region_id),
            report_scope_title(region=user.region),
            True,
            None,
            user.region,
        )
    return scope, "", True, None, None


def _report_out(r: AnnualReport) -> ReportOut:
    return ReportOut(
        year=r.year,
        title=r.title,
        due=r.due,
        columns=[str(c) for c, _l in COLUMNS],
        overview=r.overview,
        table2=[{"label": str(row["label"]), "values": [str(v) for v in row["values"]]} for row in r.table2],
        table3=r.table3,
        table4=r.table4,
        check_ok=r.check_ok,
        checks=[{**c, "column": str(c["column"])} for c in r.checks],
        issued=r.issued_at is not None,
        issued_at=r.issued_at,
    )


@router.get("/report", response=ReportOut, summary="The annual report tables (2021 national format) with the check")
def report(request: AuthedRequest, year: int, department_id: int | None = None, live: bool = False) -> ReportOut:
    """Once the report is issued its frozen figures are returned (issued=true); live=true computes
    the figures from the records as they are now."""
    user = request.user
    if not can_read_report(user):
        raise PermissionDenied
    year = _bounded(year, "year", 2000, timezone.localdate().year)
    departments, title, government, dept, region = _report_scope(user, department_id)
    issued = None if live else report_issued(year=year, department=dept, region=region)
    if issued is not None:
        return _report_out(report_from_issued(issued))
    return _report_out(annual_report(year=year, departments=departments, title=title, government=government))


@router.post(
    "/report/issue",
    response={201: ReportOut},
    summary="DIS-3: issue (freeze) a finished year's report; issued once only",
)
def report_issue_post(request: AuthedRequest, payload: ReportIssueIn) -> Status[Any]:
    year = _bounded(payload.year, "year", 2000, timezone.localdate().year)
    _departments, _title, _government, dept, region = _report_scope(request.user, payload.department_id)
    issued = report_issue(actor=request.user, year=year, department=dept, region=region)
    return Status(201, _report_out(report_from_issued(issued)))
