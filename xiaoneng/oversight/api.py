"""Oversight API: rectifications (opened by hand too), supervised tasks (督查督办), accountability
records (问责) and 容错 applications — the same scoping, permissions and actions as the pages. Lists
are paged with `limit`/`offset`; bad input is a translated 400 (422 for malformed JSON) and writes
nothing; a record outside the user's scope is a 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.params import MAX_OFFSET, bounded_int
from xiaoneng.orgs.models import User
from xiaoneng.oversight.choices import SANCTION_LADDER, Sanction
from xiaoneng.oversight.forms import departments_in_reach, leaders_in_reach, staff_in_reach
from xiaoneng.oversight.models import (
    AccountabilityRecord,
    ExemptionApplication,
    Rectification,
    SupervisedTask,
    TaskAssignment,
)
from xiaoneng.oversight.permissions import (
    access_assignment_by_id,
    access_exemption_by_id,
    access_record_by_id,
    access_rectification_by_id,
    access_task_by_id,
    is_office_user,
    require_staff,
    sanctions_imposable,
)
from xiaoneng.oversight.selectors import assignments_for, exemptions_for, records_for, rectifications_for, tasks_for
from xiaoneng.oversight.services import (
    accountability_record_open,
    exemption_apply,
    exemption_decide,
    rectification_open,
    rectification_reject,
    rectification_submit,
    rectification_verify,
    task_assign,
    task_complete,
    task_reject,
    task_report_progress,
    task_urge,
    task_verify,
)
from xiaoneng.workdays.due import clock_due_date

router = Router(tags=["oversight"])
MAX_PAGE = 200


def _page[M: Any](qs: QuerySet[M], limit: int, offset: int) -> list[M]:
    limit = bounded_int(limit, "limit", low=1, high=MAX_PAGE) or 50
    offset = bounded_int(offset, "offset", low=0, high=MAX_OFFSET) or 0
    return list(qs[offset : offset + limit])


def _pick[M: Any](qs: QuerySet[M], pk: int | None, field: str, message: str) -> M | None:
    if pk is None:
        return None
    bounded_int(pk, field, low=1)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: message})
    return found


# --- rectifications -------------------------------------------------------------------------------


class RectificationOut(Schema):
    id: int
    title: str
    problem: str
    measures: str
    status: str
    origin: str
    department_id: int
    department: str
    owner_id: int | None
    due_date: date | None
    created_at: datetime


class RectificationIn(Schema):
    department_id: int
    title: str
    problem: str
    measures: str = ""
    origin: str = "other"
    owner_id: int | None = None
    limit: int | None = None
    due: date | None = None


class OversightTextIn(Schema):
    text: str = ""
    measures: str = ""


class OversightNoteIn(Schema):
    note: str = ""


class OversightReasonIn(Schema):
    reason: str = ""
    days: int | None = None


def _rect_out(r: Rectification) -> RectificationOut:
    return RectificationOut(
        id=r.pk,
        title=r.title,
        problem=r.problem,
        measures=r.measures,
        status=r.status,
        origin=r.origin,
        department_id=r.department_id,
        department=r.department.name,
        owner_id=r.owner_id,
        due_date=clock_due_date(r.clock),
        created_at=r.created_at,
    )


@router.get("/rectifications", response=list[RectificationOut], summary="Rectifications in the user's scope")
def list_rectifications(
    request: AuthedRequest, status: str = "", limit: int = 50, offset: int = 0
) -> list[RectificationOut]:
    require_staff(request.user)
    qs = rectifications_for(request.user)
    if status:
        qs = qs.filter(status=status[:20])
    return [_rect_out(r) for r in _page(qs, limit, offset)]


@router.post("/rectifications", response={201: RectificationOut}, summary="The office opens a rectification by hand")
def open_rectification(request: AuthedRequest, payload: RectificationIn) -> Status[Any]:
    if not is_office_user(request.user):
        raise PermissionDenied(_("只有效能办或领导可以开具整改事项。"))
    dept = _pick(
        departments_in_reach(request.user), payload.department_id, "department_id", _("部门不存在或不在您的辖区。")
    )
    owner = _pick(staff_in_reach(request.user), payload.owner_id, "owner_id", _("整改责任人不存在或不在您的辖区。"))
    if dept is None:
        raise RuntimeError("invariant: dept is not None")
    r = rectification_open(
        department=dept,
        title=payload.title,
        problem=payload.problem,
        measures=payload.measures,
        owner=owner,
        origin=payload.origin,
        limit=bounded_int(payload.limit, "limit", low=1, high=10_000),
        due=payload.due,
        actor=request.user,
    )
    return Status(201, _rect_out(access_rectification_by_id(request.user, r.pk)))


@router.get("/rectifications/{pk}", response=RectificationOut)
def get_rectification(request: AuthedRequest, pk: int) -> RectificationOut:
    require_staff(request.user)
    return _rect_out(access_rectification_by_id(request.user, bounded_int(pk, "pk") or 0))


@router.post("/rectifications/{pk}/submit", response=RectificationOut, summary="The department submits evidence")
def submit(request: AuthedRequest, pk: int, payload: OversightTextIn) -> RectificationOut:
    require_staff(request.user)
    r = access_rectification_by_id(request.user, bounded_int(pk, "pk") or 0)
    rectification_submit(rectification=r, actor=request.user, text=payload.text, measures=payload.measures)
    return _rect_out(access_rectification_by_id(request.user, r.pk))


@router.post("/rectifications/{pk}/verify", response=RectificationOut, summary="A supervisor verifies and closes")
def verify(request: AuthedRequest, pk: int, payload: OversightNoteIn) -> RectificationOut:
    require_staff(request.user)
    r = access_rectification_by_id(request.user, bounded_int(pk, "pk") or 0)
    rectification_verify(rectification=r, actor=request.user, note=payload.note)
    return _rect_out(access_rectification_by_id(request.user, r.pk))


@router.post("/rectifications/{pk}/reject", response=RectificationOut, summary="A supervisor sends it back")
def reject(request: AuthedRequest, pk: int, payload: OversightReasonIn) -> RectificationOut:
    require_staff(request.user)
    r = access_rectification_by_id(request.user, bounded_int(pk, "pk") or 0)
    rectification_reject(rectification=r, actor=request.user, reason=payload.reason)
    return _rect_out(access_rectification_by_id(request.user, r.pk))


# --- supervised tasks -----------------------------------------------------------------------------


class AssignmentOut(Schema):
    id: int
    task_id: int
    department_id: int
    department: str
    status: str
    due_date: date | None
    urges: int
    rejections: int
    completed_at: datetime | None
    verified_at: datetime | None


class OversightTaskOut(Schema):
    id: int
    number: str
    title: str
    source: str
    source_ref: str
    requirement: str
    status: str
    created_at: datetime
    closed_at: datetime | None
    assignments: list[AssignmentOut]


class TaskIn(Schema):
    title: str
    source: str
    requirement: str
    department_ids: list[int]
    source_ref: str = ""
    limit: int | None = None
    due: date | None = None


class ReportIn(Schema):
    text: str = ""


def _share_out(a: TaskAssignment) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk,
        task_id=a.task_id,
        department_id=a.department_id,
        department=a.department.name,
        status=a.status,
        due_date=clock_due_date(a.clock),
        urges=a.urges,
        rejections=a.rejections,
        completed_at=a.completed_at,
        verified_at=a.verified_at,
    )


def _task_out(user: User, t: SupervisedTask) -> OversightTaskOut:
    shares = assignments_for(user).filter(task=t).order_by("id")
    return OversightTaskOut(
        id=t.pk,
        number=t.number,
        title=t.title,
        source=t.source,
        source_ref=t.source_ref,
        requirement=t.requirement,
        status=t.status,
        created_at=t.created_at,
        closed_at=t.closed_at,
        assignments=[_share_out(a) for a in shares],
    )


@router.get("/tasks", response=list[OversightTaskOut], summary="Supervised tasks (督查督办) in the user's scope")
def list_tasks(request: AuthedRequest, status: str = "", limit: int = 50, offset: int = 0) -> list[OversightTaskOut]:
    require_staff(request.user)
    qs = tasks_for(request.user).order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status[:20])
    return [_task_out(request.user, t) for t in _page(qs, limit, offset)]


@router.post(
    "/tasks", response={201: OversightTaskOut}, summary="The office assigns a task to departments (CAS-10 default)"
)
def assign_task(request: AuthedRequest, payload: TaskIn) -> Status[Any]:
    if not is_office_user(request.user):
        raise PermissionDenied(_("只有效能办或领导可以交办督办事项。"))
    ids = {bounded_int(i, "department_ids", low=1) or 0 for i in payload.department_ids[:100]}
    depts = list(departments_in_reach(request.user).filter(pk__in=ids))
    if len(depts) != len(ids) or len(payload.department_ids) > 100:
        raise ValidationError({"department_ids": _("部门不存在或不在您的辖区。")})
    t = task_assign(
        actor=request.user,
        title=payload.title,
        source=payload.source,
        source_ref=payload.source_ref,
        requirement=payload.requirement,
        departments=depts,
        days=bounded_int(payload.limit, "limit", low=1, high=10_000),
        due=payload.due,
    )
    return Status(201, _task_out(request.user, access_task_by_id(request.user, t.pk)))


@router.get("/tasks/{pk}", response=OversightTaskOut)
def get_task(request: AuthedRequest, pk: int) -> OversightTaskOut:
    require_staff(request.user)
    return _task_out(request.user, access_task_by_id(request.user, bounded_int(pk, "pk") or 0))


def _share(request: AuthedRequest, pk: int) -> TaskAssignment:
    require_staff(request.user)
    return access_assignment_by_id(request.user, bounded_int(pk, "pk") or 0)


@router.post("/assignments/{pk}/progress", response=AssignmentOut, summary="The department reports progress")
def share_progress(request: AuthedRequest, pk: int, payload: ReportIn) -> AssignmentOut:
    a = _share(request, pk)
    task_report_progress(assignment=a, actor=request.user, text=payload.text)
    return _share_out(_share(request, pk))


@router.post("/assignments/{pk}/complete", response=AssignmentOut, summary="The department reports completion")
def share_complete(request: AuthedRequest, pk: int, payload: ReportIn) -> AssignmentOut:
    a = _share(request, pk)
    task_complete(assignment=a, actor=request.user, text=payload.text)
    return _share_out(_share(request, pk))


@router.post("/assignments/{pk}/urge", response=AssignmentOut, summary="The office urges (催办) a department")
def share_urge(request: AuthedRequest, pk: int, payload: OversightNoteIn) -> AssignmentOut:
    a = _share(request, pk)
    task_urge(assignment=a, actor=request.user, note=payload.note)
    return _share_out(_share(request, pk))


@router.post("/assignments/{pk}/verify", response=AssignmentOut, summary="The office verifies and closes (销号)")
def share_verify(request: AuthedRequest, pk: int, payload: OversightNoteIn) -> AssignmentOut:
    a = _share(request, pk)
    task_verify(assignment=a, actor=request.user, note=payload.note)
    return _share_out(_share(request, pk))


@router.post("/assignments/{pk}/reject", response=AssignmentOut, summary="The office returns a completion")
def share_reject(request: AuthedRequest, pk: int, payload: OversightReasonIn) -> AssignmentOut:
    a = _share(request, pk)
    task_reject(assignment=a, actor=request.user, reason=payload.reason, days=payload.days)
    return _share_out(_share(request, pk))


# --- accountability and 容错 -----------------------------------------------------------------------


class OversightRecordOut(Schema):
    id: int
    source_kind: str
    department_id: int
    department: str
    person_id: int | None
    person_name: str
    person_is_leader: bool
    leader_id: int | None
    sanction: str
    original_sanction: str
    reason: str
    negative_case: str
    serious: bool
    wilful: bool
    published: bool
    disqualified_year: int | None
    status: str
    decided_at: datetime


class OversightRecordIn(Schema):
    department_id: int
    sanction: str
    reason: str
    source_kind: str = "other"
    person_id: int | None = None
    leader_id: int | None = None
    negative_case: str = ""
    serious: bool = False
    wilful: bool = False
    publish: bool = False


class ExemptionOut(Schema):
    id: int
    record_id: int
    applicant_id: int
    conditions: list[str]
    statement: str
    status: str
    decision: str
    confirmed: list[str]
    mitigated_to: str
    review_note: str
    decided_at: datetime | None
    created_at: datetime


class ExemptionIn(Schema):
    conditions: list[str]
    statement: str


class OversightDecisionIn(Schema):
    decision: str
    confirmed: list[str] = []
    note: str = ""
    mitigated_to: str = ""


def _record_out(r: AccountabilityRecord) -> OversightRecordOut:
    return OversightRecordOut(
        id=r.pk,
        source_kind=r.source_kind,
        department_id=r.department_id,
        department=r.department.name,
        person_id=r.person_id,
        person_name=r.person_name,
        person_is_leader=r.person_is_leader,
        leader_id=r.leader_id,
        sanction=r.sanction,
        original_sanction=r.original_sanction,
        reason=r.reason,
        negative_case=r.negative_case,
        serious=r.serious,
        wilful=r.wilful,
        published=r.published,
        disqualified_year=r.disqualified_year,
        status=r.status,
        decided_at=r.decided_at,
    )


def _exemption_out(e: ExemptionApplication) -> ExemptionOut:
    return ExemptionOut(
        id=e.pk,
        record_id=e.record_id,
        applicant_id=e.applicant_id,
        conditions=list(e.conditions),
        statement=e.statement,
        status=e.status,
        decision=e.decision,
        confirmed=list(e.confirmed),
        mitigated_to=e.mitigated_to,
        review_note=e.review_note,
        decided_at=e.decided_at,
        created_at=e.created_at,
    )


@router.get("/accountability", response=list[OversightRecordOut], summary="Accountability records (问责) in scope")
def list_records(
    request: AuthedRequest, status: str = "", limit: int = 50, offset: int = 0
) -> list[OversightRecordOut]:
    require_staff(request.user)
    qs = records_for(request.user)
    if status:
        qs = qs.filter(status=status[:20])
    return [_record_out(r) for r in _page(qs, limit, offset)]


class SanctionOut(Schema):
    value: str
    label: str
    rung: int


@router.get(
    "/accountability/sanctions",
    response=list[SanctionOut],
    summary="ACC-1: the sanctions this user may impose, lowest rung first",
)
def sanction_choices(request: AuthedRequest) -> list[SanctionOut]:
    require_staff(request.user)
    return [
        SanctionOut(value=s, label=str(Sanction(s).label), rung=SANCTION_LADDER[s])
        for s in sanctions_imposable(request.user)
    ]


@router.post(
    "/accountability", response={201: OversightRecordOut}, summary="Record an accountability decision (ACC-1/2)"
)
def open_record(request: AuthedRequest, payload: OversightRecordIn) -> Status[Any]:
    require_staff(request.user)
    dept = _pick(
        departments_in_reach(request.user), payload.department_id, "department_id", _("部门不存在或不在您的辖区。")
    )
    person = _pick(staff_in_reach(request.user), payload.person_id, "person_id", _("责任人不存在或不在您的辖区。"))
    leader = _pick(leaders_in_reach(request.user), payload.leader_id, "leader_id", _("相关领导不存在或不在您的辖区。"))
    if dept is None:
        raise RuntimeError("invariant: dept is not None")
    rec = accountability_record_open(
        actor=request.user,
        department=dept,
        sanction=payload.sanction,
        reason=payload.reason,
        source_kind=payload.source_kind,
        person=person,
        leader=leader,
        negative_case=payload.negative_case,
        serious=payload.serious,
        wilful=payload.wilful,
        publish=payload.publish,
    )
    return Status(201, _record_out(access_record_by_id(request.user, rec.pk)))


@router.get("/accountability/{pk}", response=OversightRecordOut)
def get_record(request: AuthedRequest, pk: int) -> OversightRecordOut:
    require_staff(request.user)
    return _record_out(access_record_by_id(request.user, bounded_int(pk, "pk") or 0))


@router.post("/accountability/{pk}/exemptions", response={201: ExemptionOut}, summary="Apply for 容错 (ACC-3)")
def apply_exemption(request: AuthedRequest, pk: int, payload: ExemptionIn) -> Status[Any]:
    require_staff(request.user)
    rec = access_record_by_id(request.user, bounded_int(pk, "pk") or 0)
    app = exemption_apply(
        record=rec, actor=request.user, conditions=payload.conditions[:20], statement=payload.statement
    )
    return Status(201, _exemption_out(app))


@router.get("/exemptions", response=list[ExemptionOut], summary="容错 applications in scope")
def list_exemptions(request: AuthedRequest, status: str = "", limit: int = 50, offset: int = 0) -> list[ExemptionOut]:
    require_staff(request.user)
    qs = exemptions_for(request.user)
    if status:
        qs = qs.filter(status=status[:20])
    return [_exemption_out(e) for e in _page(qs, limit, offset)]


@router.get("/exemptions/{pk}", response=ExemptionOut)
def get_exemption(request: AuthedRequest, pk: int) -> ExemptionOut:
    require_staff(request.user)
    return _exemption_out(access_exemption_by_id(request.user, bounded_int(pk, "pk") or 0))


@router.post("/exemptions/{pk}/decide", response=ExemptionOut, summary="The reviewer decides a 容错 application")
def decide_exemption(request: AuthedRequest, pk: int, payload: OversightDecisionIn) -> ExemptionOut:
    require_staff(request.user)
    app = access_exemption_by_id(request.user, bounded_int(pk, "pk") or 0)
    exemption_decide(
        application=app,
        actor=request.user,
        decision=payload.decision,
        confirmed=payload.confirmed[:20],
        note=payload.note,
        mitigated_to=payload.mitigated_to,
    )
    return _exemption_out(access_exemption_by_id(request.user, app.pk))
