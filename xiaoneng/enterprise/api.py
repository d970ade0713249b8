"""Enterprise-service API (issue 13): 挂点帮扶 pairings, visits and problems, 代办/帮办 projects and their
approvals, 发展环境监测点 and their reports. The same scoping and permissions as the pages (conventions §3):
every read through the selectors and `access_*_by_id` (404 outside the user's scope), every write
through the service that the page calls, which checks the permission again and validates its input
(ENT-8: a bad value is a translated 400, never a 500). Dates and choice values arrive as text so the
services' own checks answer them in the user's language; lists are paginated (`?page=`)."""

from __future__ import annotations

__all__ = ["router"]

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from xiaoneng.catalog.models import Item
from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.core.params import bounded_int
from xiaoneng.enterprise import services
from xiaoneng.enterprise.choices import ProblemStatus, ProjectStatus, ReportStatus
from xiaoneng.enterprise.models import (
    AgentProject,
    MonitoringPoint,
    MonitoringPointReport,
    Pairing,
    Problem,
    ProjectApproval,
)
from xiaoneng.enterprise.permissions import (
    access_pairing_by_id,
    access_problem_by_id,
    access_project_by_id,
    access_report_by_id,
    is_enterprise_user,
    is_office_for,
    is_staff_user,
)
from xiaoneng.enterprise.selectors import (
    monitoring_points_for,
    monitoring_reports_for,
    overdue_problems,
    pairings_for,
    problems_for,
    projects_for,
)
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, User
from xiaoneng.workdays.due import clock_due_date

router = Router(tags=["enterprise"])

DATE_DOC = "YYYY-MM-DD, between 2000-01-01 and today"


# --- who may call (the pages' checks) ------------------------------------------------------------


def _staff(request: AuthedRequest) -> None:
    if not is_staff_user(request.user):
        raise PermissionDenied


def _staff_or_enterprise(request: AuthedRequest) -> None:
    """Pairings, problems and projects: the workbench's staff, and the enterprise's own account (ENT-6)."""
    if not (is_staff_user(request.user) or is_enterprise_user(request.user)):
        raise PermissionDenied


def _own_points(user: User) -> QuerySet[MonitoringPoint]:
    return (
        MonitoringPoint.objects.filter(account=user) if user.role == Role.APPLICANT else MonitoringPoint.objects.none()
    )


def _staff_or_point(request: AuthedRequest) -> None:
    """Monitoring reports: the workbench's staff, and the account of a designated point (ENT-7)."""
    if not (is_staff_user(request.user) or _own_points(request.user).exists()):
        raise PermissionDenied


def _office(user: User) -> bool:
    return bool(user.is_superuser or (user.region_id is not None and is_office_for(user, user.region)))


def _department(user: User, pk: int | None, field: str, message: str) -> Department:
    """A department of the user's jurisdiction by id; an unknown one is a message keyed by `field`."""
    bounded_int(pk, field)
    qs = Department.objects.all() if user.is_superuser else Department.objects.filter(tenant_id=user.tenant_id)
    department = qs.filter(pk=pk).first() if pk is not None else None
    if department is None:
        raise ValidationError({field: message})
    return department


def _id(pk: int, name: str = "pk") -> int:
    bounded_int(pk, name)
    return pk


# --- schemas -------------------------------------------------------------------------------------


class EnterprisePairingOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    credit_code: str
    department_id: int
    department: str
    official_id: int
    official: str
    started_on: date
    ended_on: date | None
    active: bool


class EnterprisePairingPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[EnterprisePairingOut]


class EnterpriseVisitOut(Schema):
    id: int
    pairing_id: int
    visited_on: date
    content: str
    recorded_by: str


class EnterpriseVisitPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[EnterpriseVisitOut]


class EnterpriseReplyOut(Schema):
    id: int
    text: str
    solution: bool
    author: str
    created_at: datetime


class EnterpriseProblemOut(Schema):
    id: int
    number: str
    pairing_id: int
    enterprise: str
    credit_code: str
    title: str
    text: str
    status: str
    status_label: str
    department_id: int | None
    department: str | None
    assign_due_date: date | None = Field(description="ENT-3: the day the paired official must assign it by")
    due_date: date | None = Field(description="ENT-3/ENT-4: the day the responsible department must solve it by")
    solved_at: datetime | None
    satisfaction: int | None
    rating_comment: str
    reopened: bool
    created_at: datetime


class EnterpriseProblemDetailOut(EnterpriseProblemOut):
    replies: list[EnterpriseReplyOut]


class EnterpriseProblemPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[EnterpriseProblemOut]


class EnterpriseApprovalOut(Schema):
    id: int
    item_id: int
    item_name: str
    department_id: int
    department: str
    case_number: str
    status: str
    due_date: date | None
    done_at: datetime | None


class EnterpriseNoteOut(Schema):
    id: int
    text: str
    author: str
    created_at: datetime


class EnterpriseProjectOut(Schema):
    id: int
    number: str
    name: str
    enterprise: str
    credit_code: str
    department_id: int
    department: str
    agent_id: int
    agent: str
    description: str
    status: str
    created_at: datetime


class EnterpriseProjectDetailOut(EnterpriseProjectOut):
    approvals: list[EnterpriseApprovalOut]
    notes: list[EnterpriseNoteOut]


class EnterpriseProjectPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[EnterpriseProjectOut]


class EnterpriseReportOut(Schema):
    id: int
    point: str
    monitoring_point_id: int | None
    department_id: int
    department: str
    reported_on: date
    text: str
    severity: int
    status: str
    due_date: date | None = Field(description="ENT-7: the day the department must reply by")
    reply: str
    replied_at: datetime | None
    close_note: str
    closed_at: datetime | None


class EnterpriseReportPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[EnterpriseReportOut]


class EnterprisePointOut(Schema):
    id: int
    name: str
    kind: str
    region: str
    credit_code: str
    account: str | None
    designated_on: date
    active: bool


class EnterprisePointPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[EnterprisePointOut]


class EnterprisePairingIn(Schema):
    department_id: int
    official_id: int
    enterprise_name: str = Field(description="at most 200 characters")
    credit_code: str = Field(description="unified social credit code, 18 characters with its check character")
    started_on: str = Field(description=DATE_DOC, examples=["2026-03-02"])


class EnterprisePairingEndIn(Schema):
    ended_on: str = Field(description="YYYY-MM-DD, between the pairing's start and today", examples=["2026-03-02"])


class EnterpriseVisitIn(Schema):
    visited_on: str = Field(description="YYYY-MM-DD, between the pairing's start and today", examples=["2026-03-02"])
    content: str = Field(description="at most 2000 characters")


class EnterpriseProblemIn(Schema):
    title: str = Field(description="at most 200 characters")
    text: str = Field(description="at most 2000 characters")


class EnterpriseAssignIn(Schema):
    department_id: int


class EnterpriseProblemReplyIn(Schema):
    text: str = Field(description="at most 2000 characters")
    solution: bool = Field(False, description="true: the solution, which stops the solve clock (ENT-4)")


class EnterpriseRateIn(Schema):
    satisfaction: int | float | str = Field(description="1 非常满意 … 5 非常不满意 (RAT-1)", examples=[2])
    comment: str = Field("", description="at most 500 characters")


class EnterpriseProjectIn(Schema):
    department_id: int | None = Field(None, description="the agent's department; the caller's own when omitted")
    agent_id: int
    name: str = Field(description="at most 200 characters")
    enterprise_name: str = Field(description="at most 200 characters")
    credit_code: str
    description: str = ""


class EnterpriseApprovalIn(Schema):
    item_id: int


class EnterpriseCaseLinkIn(Schema):
    case_number: str = Field(description="the case's tracking number")


class EnterpriseApprovalOutcomeIn(Schema):
    approved: bool
    note: str = ""


class EnterpriseProjectNoteIn(Schema):
    text: str = Field(description="at most 2000 characters")


class EnterprisePointIn(Schema):
    name: str = Field(description="at most 100 characters")
    kind: str = Field(description="enterprise, association or deputy", examples=["association"])
    credit_code: str = Field("", description="required unless the point is a deputy")
    account: str = Field("", description="username of the applicant account that submits its reports")


class EnterpriseReportSubmitIn(Schema):
    point_id: int
    department_id: int
    text: str = Field(description="at most 2000 characters")
    severity: int | float | str = Field(description="1 一般, 2 较重, 3 严重", examples=[1])


class EnterpriseReportRecordIn(Schema):
    point: str = Field(description="the point's name as received, at most 100 characters")
    department_id: int
    reported_on: str = Field(description=DATE_DOC, examples=["2026-03-02"])
    text: str = Field(description="at most 2000 characters")
    severity: int | float | str = Field(description="1 一般, 2 较重, 3 严重", examples=[1])


class EnterpriseReportReplyIn(Schema):
    text: str = Field(description="at most 2000 characters")


class EnterpriseReportCloseIn(Schema):
    note: str = Field(description="at most 2000 characters")


# --- output ---------------------------------------------------------------------------------------


def _name(user: User | None) -> str:
    return (user.display_name or user.username) if user is not None else ""


def _pairing_out(p: Pairing) -> EnterprisePairingOut:
    return EnterprisePairingOut(
        id=p.pk,
        enterprise_id=p.enterprise_id,
        enterprise=p.enterprise.name,
        credit_code=p.enterprise.credit_code,
        department_id=p.department_id,
        department=p.department.name,
        official_id=p.official_id,
        official=_name(p.official),
        started_on=p.started_on,
        ended_on=p.ended_on,
        active=p.active,
    )


def _problem_fields(p: Problem) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "pairing_id": p.pairing_id,
        "enterprise": p.enterprise.name,
        "credit_code": p.enterprise.credit_code,
        "title": p.title,
        "text": p.text,
        "status": p.status,
        "status_label": str(p.get_status_display()),
        "department_id": p.department_id,
        "department": p.department.name if p.department else None,
        "assign_due_date": clock_due_date(p.assign_clock) if p.status == ProblemStatus.RAISED else None,
        "due_date": clock_due_date(p.clock),
        "solved_at": p.solved_at,
        "satisfaction": p.satisfaction,
        "rating_comment": p.rating_comment,
        "reopened": p.reopened,
        "created_at": p.created_at,
    }


def _problem_detail(p: Problem) -> EnterpriseProblemDetailOut:
    replies = [
        EnterpriseReplyOut(id=r.pk, text=r.text, solution=r.solution, author=_name(r.author), created_at=r.created_at)
        for r in p.replies.select_related("author")
    ]
    return EnterpriseProblemDetailOut(**_problem_fields(p), replies=replies)


def _project_fields(p: AgentProject) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "name": p.name,
        "enterprise": p.enterprise.name,
        "credit_code": p.enterprise.credit_code,
        "department_id": p.department_id,
        "department": p.department.name,
        "agent_id": p.agent_id,
        "agent": _name(p.agent),
        "description": p.description,
        "status": p.status,
        "created_at": p.created_at,
    }


def _approval_out(a: ProjectApproval) -> EnterpriseApprovalOut:
    return EnterpriseApprovalOut(
        id=a.pk,
        item_id=a.item_id,
        item_name=a.item_name,
        department_id=a.department_id,
        department=a.department.name,
        case_number=a.case_number,
        status=a.status,
        due_date=clock_due_date(a.clock) if a.status == "pending" else None,
        done_at=a.done_at,
    )


def _project_detail(p: AgentProject) -> EnterpriseProjectDetailOut:
    return EnterpriseProjectDetailOut(
        **_project_fields(p),
        approvals=[_approval_out(a) for a in p.approvals.select_related("department", "clock")],
        notes=[
            EnterpriseNoteOut(id=n.pk, text=n.text, author=_name(n.author), created_at=n.created_at)
            for n in p.notes.select_related("author")[:100]
        ],
    )


def _report_out(r: MonitoringPointReport) -> EnterpriseReportOut:
    return EnterpriseReportOut(
        id=r.pk,
        point=r.point,
        monitoring_point_id=r.monitoring_point_id,
        department_id=r.department_id,
        department=r.department.name,
        reported_on=r.reported_on,
        text=r.text,
        severity=r.severity,
        status=r.status,
        due_date=clock_due_date(r.clock) if r.status == ReportStatus.FORWARDED else None,
        reply=r.reply,
        replied_at=r.replied_at,
        close_note=r.close_note,
        closed_at=r.closed_at,
    )


def _point_out(p: MonitoringPoint) -> EnterprisePointOut:
    return EnterprisePointOut(
        id=p.pk,
        name=p.name,
        kind=p.kind,
        region=p.region.name,
        credit_code=p.credit_code,
        account=p.account.username if p.account else None,
        designated_on=p.designated_on,
        active=p.active,
    )


def _page(request: AuthedRequest, qs: Any) -> tuple[Any, dict[str, int]]:
    page = paginate(request, qs)
    return page.object_list, {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages}


# --- 挂点帮扶: pairings and visits (ENT-1, ENT-2) -----------------------------------------------------


@router.get("/pairings", response=EnterprisePairingPageOut, summary="Pairings in the user's scope (ENT-1, ENT-6)")
def list_pairings(request: AuthedRequest, active: bool | None = None, page: int = 1) -> EnterprisePairingPageOut:
    _staff_or_enterprise(request)
    qs = pairings_for(request.user)
    if active is not None:
        qs = qs.filter(active=active)
    rows, meta = _page(request, qs)
    return EnterprisePairingPageOut(**meta, results=[_pairing_out(p) for p in rows])


@router.get("/pairings/{pk}", response=EnterprisePairingOut)
def get_pairing(request: AuthedRequest, pk: int) -> EnterprisePairingOut:
    _staff_or_enterprise(request)
    return _pairing_out(access_pairing_by_id(request.user, _id(pk)))


@router.post("/pairings", response={201: EnterprisePairingOut}, summary="The office pairs an official (ENT-1)")
def create_pairing(request: AuthedRequest, payload: EnterprisePairingIn) -> Status[EnterprisePairingOut]:
    user = request.user
    if not _office(user):
        raise PermissionDenied(_("只有本辖区效能办可以确定挂点帮扶关系。"))
    department = _department(user, payload.department_id, "department_id", _("请选择挂点单位。"))
    bounded_int(payload.official_id, "official_id")
    official = User.objects.filter(pk=payload.official_id).first()
    pairing = services.pairing_create(
        actor=user,
        department=department,
        official=official,
        enterprise_name=payload.enterprise_name,
        credit_code=payload.credit_code,
        started_on=payload.started_on,
    )
    return Status(201, _pairing_out(access_pairing_by_id(user, pairing.pk)))


@router.post("/pairings/{pk}/end", response=EnterprisePairingOut, summary="The office ends a pairing (ENT-1)")
def end_pairing(request: AuthedRequest, pk: int, payload: EnterprisePairingEndIn) -> EnterprisePairingOut:
    _staff(request)
    pairing = access_pairing_by_id(request.user, _id(pk))
    services.pairing_end(actor=request.user, pairing=pairing, ended_on=payload.ended_on)
    return _pairing_out(access_pairing_by_id(request.user, pk))


@router.get("/pairings/{pk}/visits", response=EnterpriseVisitPageOut, summary="Visits of a pairing (ENT-2)")
def list_visits(request: AuthedRequest, pk: int, page: int = 1) -> EnterpriseVisitPageOut:
    _staff(request)
    pairing = access_pairing_by_id(request.user, _id(pk))
    rows, meta = _page(request, pairing.visits.select_related("recorded_by"))
    return EnterpriseVisitPageOut(
        **meta,
        results=[
            EnterpriseVisitOut(
                id=v.pk,
                pairing_id=v.pairing_id,
                visited_on=v.visited_on,
                content=v.content,
                recorded_by=_name(v.recorded_by),
            )
            for v in rows
        ],
    )


@router.post("/pairings/{pk}/visits", response={201: EnterpriseVisitOut}, summary="Log a visit (ENT-2)")
def log_visit(request: AuthedRequest, pk: int, payload: EnterpriseVisitIn) -> Status[EnterpriseVisitOut]:
    _staff(request)
    pairing = access_pairing_by_id(request.user, _id(pk))
    v = services.visit_log(actor=request.user, pairing=pairing, visited_on=payload.visited_on, content=payload.content)
    return Status(
        201,
        EnterpriseVisitOut(
            id=v.pk,
            pairing_id=v.pairing_id,
            visited_on=v.visited_on,
            content=v.content,
            recorded_by=_name(v.recorded_by),
        ),
    )


# --- 挂点帮扶: problems (ENT-3, ENT-4) ----------------------------------------------------------------


@router.get("/problems", response=EnterpriseProblemPageOut, summary="Problems in the user's scope (ENT-3, ENT-6)")
def list_problems(
    request: AuthedRequest, status: str = "", overdue: bool = False, page: int = 1
) -> EnterpriseProblemPageOut:
    _staff_or_enterprise(request)
    qs = overdue_problems(request.user) if overdue else problems_for(request.user)
    if status:
        if status not in ProblemStatus.values:
            raise ValidationError({"status": _("请选择有效的%(label)s。") % {"label": _("状态")}})
        qs = qs.filter(status=status)
    rows, meta = _page(request, qs)
    return EnterpriseProblemPageOut(**meta, results=[EnterpriseProblemOut(**_problem_fields(p)) for p in rows])


@router.get("/problems/{pk}", response=EnterpriseProblemDetailOut)
def get_problem(request: AuthedRequest, pk: int) -> EnterpriseProblemDetailOut:
    _staff_or_enterprise(request)
    return _problem_detail(access_problem_by_id(request.user, _id(pk)))


@router.post(
    "/pairings/{pk}/problems",
    response={201: EnterpriseProblemDetailOut},
    summary="The enterprise (or its paired official for it) raises a problem (ENT-3)",
)
def raise_problem(request: AuthedRequest, pk: int, payload: EnterpriseProblemIn) -> Status[EnterpriseProblemDetailOut]:
    _staff_or_enterprise(request)
    pairing = access_pairing_by_id(request.user, _id(pk))
    problem = services.problem_raise(actor=request.user, pairing=pairing, title=payload.title, text=payload.text)
    return Status(201, _problem_detail(access_problem_by_id(request.user, problem.pk)))


@router.post(
    "/problems/{pk}/assign",
    response=EnterpriseProblemDetailOut,
    summary="The paired official assigns the responsible department (ENT-3)",
)
def assign_problem(request: AuthedRequest, pk: int, payload: EnterpriseAssignIn) -> EnterpriseProblemDetailOut:
    _staff(request)
    problem = access_problem_by_id(request.user, _id(pk))
    department = _department(request.user, payload.department_id, "department_id", _("请选择本辖区的责任单位。"))
    services.problem_assign(actor=request.user, problem=problem, department=department)
    return _problem_detail(access_problem_by_id(request.user, pk))


@router.post(
    "/problems/{pk}/reply",
    response=EnterpriseProblemDetailOut,
    summary="The responsible department replies; a solution stops the clock (ENT-4)",
)
def reply_problem(request: AuthedRequest, pk: int, payload: EnterpriseProblemReplyIn) -> EnterpriseProblemDetailOut:
    _staff(request)
    problem = access_problem_by_id(request.user, _id(pk))
    services.problem_reply(actor=request.user, problem=problem, text=payload.text, solution=payload.solution)
    return _problem_detail(access_problem_by_id(request.user, pk))


@router.post(
    "/problems/{pk}/rate",
    response=EnterpriseProblemDetailOut,
    summary="The enterprise rates a solved problem; a bad rating reopens it once (ENT-4)",
)
def rate_problem(request: AuthedRequest, pk: int, payload: EnterpriseRateIn) -> EnterpriseProblemDetailOut:
    if not is_enterprise_user(request.user):
        raise PermissionDenied(_("只有反映问题的企业可以评价。"))
    problem = access_problem_by_id(request.user, _id(pk))
    services.problem_rate(
        actor=request.user, problem=problem, satisfaction=payload.satisfaction, comment=payload.comment
    )
    return _problem_detail(access_problem_by_id(request.user, pk))


# --- 代办/帮办 (ENT-5) ------------------------------------------------------------------------------


@router.get("/projects", response=EnterpriseProjectPageOut, summary="代办/帮办 projects in the user's scope (ENT-5)")
def list_projects(request: AuthedRequest, status: str = "", page: int = 1) -> EnterpriseProjectPageOut:
    _staff_or_enterprise(request)
    qs = projects_for(request.user)
    if status:
        if status not in ProjectStatus.values:
            raise ValidationError({"status": _("请选择有效的%(label)s。") % {"label": _("状态")}})
        qs = qs.filter(status=status)
    rows, meta = _page(request, qs)
    return EnterpriseProjectPageOut(**meta, results=[EnterpriseProjectOut(**_project_fields(p)) for p in rows])


@router.get("/projects/{pk}", response=EnterpriseProjectDetailOut, summary="A project with its approvals and notes")
def get_project(request: AuthedRequest, pk: int) -> EnterpriseProjectDetailOut:
    _staff_or_enterprise(request)
    return _project_detail(access_project_by_id(request.user, _id(pk)))


@router.post(
    "/projects",
    response={201: EnterpriseProjectDetailOut},
    summary="The agent department's head or the office opens a project (ENT-5)",
)
def create_project(request: AuthedRequest, payload: EnterpriseProjectIn) -> Status[EnterpriseProjectDetailOut]:
    user = request.user
    _staff(request)
    if payload.department_id is None and user.department is not None:
        department = user.department
    else:
        department = _department(user, payload.department_id, "department_id", _("请选择帮办单位。"))
    bounded_int(payload.agent_id, "agent_id")
    agent = User.objects.filter(pk=payload.agent_id, department=department).first()
    project = services.project_create(
        actor=user,
        department=department,
        agent=agent,
        name=payload.name,
        enterprise_name=payload.enterprise_name,
        credit_code=payload.credit_code,
        description=payload.description,
    )
    return Status(201, _project_detail(access_project_by_id(user, project.pk)))


@router.post(
    "/projects/{pk}/approvals",
    response={201: EnterpriseApprovalOut},
    summary="Add an approval the project needs: a published catalog item on its own clock (ENT-5)",
)
def add_approval(request: AuthedRequest, pk: int, payload: EnterpriseApprovalIn) -> Status[EnterpriseApprovalOut]:
    _staff(request)
    project = access_project_by_id(request.user, _id(pk))
    bounded_int(payload.item_id, "item_id")
    item = Item.objects.filter(pk=payload.item_id, tenant_id=project.tenant_id).first()
    approval = services.approval_add(actor=request.user, project=project, item=item)
    return Status(201, _approval_out(approval))


def _approval(request: AuthedRequest, pk: int, approval_id: int) -> ProjectApproval:
    project = access_project_by_id(request.user, _id(pk))
    return get_object_or_404(
        project.approvals.select_related("project", "department"), pk=_id(approval_id, "approval_id")
    )


@router.post(
    "/projects/{pk}/approvals/{approval_id}/case",
    response=EnterpriseApprovalOut,
    summary="Link the approval's case by its tracking number (ENT-5)",
)
def link_case(
    request: AuthedRequest, pk: int, approval_id: int, payload: EnterpriseCaseLinkIn
) -> EnterpriseApprovalOut:
    _staff(request)
    approval = _approval(request, pk, approval_id)
    services.approval_link_case(actor=request.user, approval=approval, case_number=payload.case_number)
    return _approval_out(_approval(request, pk, approval_id))


@router.post(
    "/projects/{pk}/approvals/{approval_id}/outcome",
    response=EnterpriseApprovalOut,
    summary="Record the approval's outcome; its clock stops (ENT-5)",
)
def complete_approval(
    request: AuthedRequest, pk: int, approval_id: int, payload: EnterpriseApprovalOutcomeIn
) -> EnterpriseApprovalOut:
    _staff(request)
    approval = _approval(request, pk, approval_id)
    services.approval_complete(actor=request.user, approval=approval, approved=payload.approved, note=payload.note)
    return _approval_out(_approval(request, pk, approval_id))


@router.post("/projects/{pk}/notes", response={201: EnterpriseNoteOut}, summary="A progress note (ENT-5)")
def add_project_note(request: AuthedRequest, pk: int, payload: EnterpriseProjectNoteIn) -> Status[EnterpriseNoteOut]:
    _staff(request)
    project = access_project_by_id(request.user, _id(pk))
    note = services.project_note_add(actor=request.user, project=project, text=payload.text)
    return Status(
        201, EnterpriseNoteOut(id=note.pk, text=note.text, author=_name(note.author), created_at=note.created_at)
    )


@router.post(
    "/projects/{pk}/complete",
    response=EnterpriseProjectDetailOut,
    summary="Complete a project once no approval is pending (ENT-5)",
)
def complete_project(request: AuthedRequest, pk: int) -> EnterpriseProjectDetailOut:
    _staff(request)
    project = access_project_by_id(request.user, _id(pk))
    services.project_complete(actor=request.user, project=project)
    return _project_detail(access_project_by_id(request.user, pk))


# --- 发展环境监测点 (ENT-7) ------------------------------------------------------------------------


@router.get("/monitoring/points", response=EnterprisePointPageOut, summary="Monitoring points in the user's scope")
def list_points(request: AuthedRequest, page: int = 1) -> EnterprisePointPageOut:
    _staff_or_point(request)
    rows, meta = _page(request, monitoring_points_for(request.user))
    return EnterprisePointPageOut(**meta, results=[_point_out(p) for p in rows])


@router.post("/monitoring/points", response={201: EnterprisePointOut}, summary="The office designates a point (ENT-7)")
def designate_point(request: AuthedRequest, payload: EnterprisePointIn) -> Status[EnterprisePointOut]:
    user = request.user
    if not _office(user) or user.region is None:
        raise PermissionDenied(_("只有本辖区效能办可以设立监测点。"))
    account = None
    username = payload.account.strip()
    if username:
        account = User.objects.filter(username=username[:150]).first()
        if account is None:
            raise ValidationError({"account": _("没有找到该报送账户。")})
    point = services.monitoring_point_designate(
        actor=user,
        region=user.region,
        name=payload.name,
        kind=payload.kind,
        credit_code=payload.credit_code,
        account=account,
    )
    return Status(201, _point_out(point))


@router.get(
    "/monitoring/reports", response=EnterpriseReportPageOut, summary="Monitoring-point reports in the user's scope"
)
def list_reports(request: AuthedRequest, status: str = "", page: int = 1) -> EnterpriseReportPageOut:
    _staff_or_point(request)
    qs = monitoring_reports_for(request.user)
    if status:
        if status not in ReportStatus.values:
            raise ValidationError({"status": _("请选择有效的%(label)s。") % {"label": _("状态")}})
        qs = qs.filter(status=status)
    rows, meta = _page(request, qs)
    return EnterpriseReportPageOut(**meta, results=[_report_out(r) for r in rows])


@router.post(
    "/monitoring/reports",
    response={201: EnterpriseReportOut},
    summary="A monitoring point's account submits a report (ENT-7)",
)
def submit_report(request: AuthedRequest, payload: EnterpriseReportSubmitIn) -> Status[EnterpriseReportOut]:
    user = request.user
    bounded_int(payload.point_id, "point_id")
    point = _own_points(user).filter(pk=payload.point_id, active=True).first()
    if point is None:
        raise PermissionDenied(_("只有监测点的报送账户可以报送。"))
    bounded_int(payload.department_id, "department_id")
    department = Department.objects.filter(pk=payload.department_id, tenant_id=point.tenant_id).first()
    report = services.monitoring_report_submit(
        actor=user, point=point, department=department, text=payload.text, severity=payload.severity
    )
    return Status(201, _report_out(access_report_by_id(user, report.pk)))


@router.post(
    "/monitoring/reports/record",
    response={201: EnterpriseReportOut},
    summary="The office records a report it received otherwise (ENT-7)",
)
def record_report(request: AuthedRequest, payload: EnterpriseReportRecordIn) -> Status[EnterpriseReportOut]:
    user = request.user
    if not _office(user):
        raise PermissionDenied(_("只有本辖区效能办可以执行此操作。"))
    department = _department(user, payload.department_id, "department_id", _("请选择涉及的单位。"))
    report = services.monitoring_report_record(
        actor=user,
        point=payload.point,
        department=department,
        reported_on=payload.reported_on,
        text=payload.text,
        severity=payload.severity,
    )
    return Status(201, _report_out(access_report_by_id(user, report.pk)))


@router.get("/monitoring/reports/{pk}", response=EnterpriseReportOut)
def get_report(request: AuthedRequest, pk: int) -> EnterpriseReportOut:
    _staff_or_point(request)
    return _report_out(access_report_by_id(request.user, _id(pk)))


@router.post(
    "/monitoring/reports/{pk}/forward",
    response=EnterpriseReportOut,
    summary="The office forwards a report to the department (reply clock, ENT-7)",
)
def forward_report(request: AuthedRequest, pk: int) -> EnterpriseReportOut:
    _staff(request)
    report = access_report_by_id(request.user, _id(pk))
    services.monitoring_report_forward(actor=request.user, report=report)
    return _report_out(access_report_by_id(request.user, pk))


@router.post("/monitoring/reports/{pk}/reply", response=EnterpriseReportOut, summary="The department replies (ENT-7)")
def reply_report(request: AuthedRequest, pk: int, payload: EnterpriseReportReplyIn) -> EnterpriseReportOut:
    _staff(request)
    report = access_report_by_id(request.user, _id(pk))
    services.monitoring_report_reply(actor=request.user, report=report, text=payload.text)
    return _report_out(access_report_by_id(request.user, pk))


@router.post(
    "/monitoring/reports/{pk}/close", response=EnterpriseReportOut, summary="The office closes a report (ENT-7)"
)
def close_report(request: AuthedRequest, pk: int, payload: EnterpriseReportCloseIn) -> EnterpriseReportOut:
    _staff(request)
    report = access_report_by_id(request.user, _id(pk))
    services.monitoring_report_close(actor=request.user, report=report, note=payload.note)
    return _report_out(access_report_by_id(request.user, pk))
