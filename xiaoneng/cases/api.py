"""Cases API (/api/cases): apply, intake, steps, pauses, extensions, negative-decision reports,
decision, delivery, fees, enquiries, notices as PDF, the queue, the ledger, and the public tracking
look-up. The same services and permission checks as the pages; every read is scoped."""

from __future__ import annotations

__all__ = ["router"]

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.security import django_auth

from xiaoneng.cases.actions.decision import case_close, case_decide, case_deliver, case_withdraw
from xiaoneng.cases.actions.enquiries import enquiry_register
from xiaoneng.cases.actions.fees import fee_charge_record
from xiaoneng.cases.actions.intake import (
    case_accept,
    case_correct_on_the_spot,
    case_refuse_at_intake,
    case_register_at_window,
    case_submit,
)
from xiaoneng.cases.actions.negative import case_negative_report_review, case_negative_report_submit
from xiaoneng.cases.actions.steps import case_step_absent, case_step_sign
from xiaoneng.cases.actions.supplement import case_request_supplement, case_supplement
from xiaoneng.cases.actions.timing import case_extend, case_pause, case_resume
from xiaoneng.cases.ledger import ledger_workbook
from xiaoneng.cases.models import Case, Enquiry, Notice, StepTask
from xiaoneng.cases.pdf import notice_pdf
from xiaoneng.cases.permissions import (
    access_case_by_id,
    access_material_by_id,
    access_negative_report_by_id,
    access_notice_by_id,
    access_own_task_by_id,
    access_task_by_id,
    case_actions,
    task_ref,
)
from xiaoneng.cases.selectors import (
    case_clocks,
    case_timeline,
    cases_for_user,
    clock_title,
    enquiries_for_user,
    negative_reports_for_user,
    queue_for_user,
    track_lookup,
)
from xiaoneng.cases.views import ledger_allowed, public_clock, public_steps
from xiaoneng.catalog.models import Item, Material
from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.params import date_range
from xiaoneng.core.scoping import restrict
from xiaoneng.core.throttle import ApiThrottle
from xiaoneng.workdays.due import clock_due_date
from xiaoneng.workdays.explain import clock_explain
from xiaoneng.workdays.urgency import clock_urgency

router = Router(tags=["cases"], auth=django_auth)


# --- schemas ---------------------------------------------------------------------------------


class ClockOut(Schema):
    id: int
    kind: str
    label: str
    status: str
    limit: int
    statutory_limit: int | None
    extension_total: int
    due_date: date | None
    statutory_due_date: date | None
    explanation: list[str]


class OpinionOut(Schema):
    kind: str
    kind_label: str
    reasons: str
    is_system: bool
    is_written_followup: bool
    at: datetime


class CaseTaskOut(Schema):
    id: int
    stage_index: int
    stage_name: str
    name: str
    department: str
    assignee: str | None
    status: str
    parallel: bool
    join_policy: str
    opinions: list[OpinionOut]


class MaterialOut(Schema):
    id: int
    name: str
    original_name: str
    size: int
    is_supplement: bool
    download_url: str


class SupplementOut(Schema):
    missing: list[str]
    note: str
    issued_at: datetime
    supplied_at: datetime | None


class CaseDecisionOut(Schema):
    outcome: str
    reasons: str
    remedy: str
    decided_at: datetime


class DeliveryOut(Schema):
    method: str
    recipient: str
    delivered_at: datetime


class FeeChargeOut(Schema):
    fee: str
    amount: str
    receipt_number: str
    paid_at: datetime


class CaseNoticeOut(Schema):
    id: int
    kind: str
    title: str
    number: str
    issued_at: datetime
    pdf_url: str


class TimelineOut(Schema):
    at: datetime
    action: str
    actor: str
    reason: str
    clock: str


class CaseSummaryOut(Schema):
    id: int
    tracking_number: str
    item: str
    applicant_name: str
    department: str
    channel: str
    status: str
    status_label: str
    version: int
    received_at: datetime
    due_date: date | None


class CaseDetailOut(CaseSummaryOut):
    case_kind: str
    form_data: dict[str, Any]
    accepted_at: datetime | None
    deemed_accepted: bool
    decided_at: datetime | None
    delivered_at: datetime | None
    closed_at: datetime | None
    refusal_reason: str
    competent_agency: str
    tasks: list[CaseTaskOut]
    clocks: list[ClockOut]
    notices: list[CaseNoticeOut]
    materials: list[MaterialOut]
    supplement: SupplementOut | None
    decision: CaseDecisionOut | None
    delivery: DeliveryOut | None
    fee_charges: list[FeeChargeOut]
    timeline: list[TimelineOut]
    actions: list[str]  # what this user may do now (the same rule as the staff page's forms)
    opinion_tasks: list[int]  # the tasks this user may sign an opinion on now


class CreatedOut(Schema):
    id: int
    tracking_number: str
    verification_code: str


class OkOut(Schema):
    id: int
    status: str
    version: int


class VersionIn(Schema):
    version: int | None = None


class CaseRefuseIn(VersionIn):
    ground: str
    reasons: str
    competent_agency: str = ""


class SupplementRequestIn(VersionIn):
    missing: list[Any]
    note: str = ""


class CaseOpinionIn(Schema):
    kind: str
    reasons: str = ""


class PauseIn(VersionIn):
    reason: str
    expected_days: int
    note: str = ""


class CaseExtendIn(VersionIn):
    kind: str
    reason: str


class NegativeIn(VersionIn):
    kind: str
    reasons: str
    applicant_contact: str = ""


class CaseReviewIn(Schema):
    approve: bool
    comment: str = ""


class CaseDecideIn(VersionIn):
    outcome: str
    reasons: str = ""


class DeliverIn(VersionIn):
    method: str
    recipient: str


class WithdrawIn(VersionIn):
    reason: str = ""


class FeeIn(Schema):
    fee: int
    amount: str
    receipt_number: str


class EnquiryIn(Schema):
    visitor_name: str
    question: str
    outcome: str
    visitor_phone: str = ""
    answer: str = ""
    referred_office: str = ""
    referred_address: str = ""
    referred_contact: str = ""


class EnquiryOut(Schema):
    id: int
    number: str
    outcome: str
    referred_office: str
    referral_pdf_url: str | None


class NegativeOut(Schema):
    id: int
    case: int
    tracking_number: str
    kind: str
    status: str
    reasons: str
    handler: str
    applicant_contact: str


class QueueOut(Schema):
    case: int
    tracking_number: str
    item: str
    what: str
    status: str
    due_date: date | None
    colour: str


class CaseTrackOut(Schema):
    tracking_number: str
    item: str
    department: str
    status: str
    received_at: datetime
    due_date: date | None
    deadline: ClockOut | None
    steps: list[dict[str, str]]


# --- helpers ---------------------------------------------------------------------------------


def _summary(c: Case, staff: bool = True) -> dict[str, Any]:
    """A case in a list. For the applicant, the status as they see it on their pages (the leader's
    review of a negative-decision report, CAS-6, is internal)."""
    clock = c.decision_clock or c.acceptance_clock
    return {
        "id": c.pk,
        "tracking_number": c.tracking_number,
        "item": c.version.name,
        "applicant_name": c.applicant_name,
        "department": c.department.name,
        "channel": c.channel,
        "status": c.status if staff else c.public_status,
        "status_label": str(c.get_status_display()) if staff else c.public_status_label,
        "version": c.lock_version,
        "received_at": c.received_at,
        "due_date": clock_due_date(clock),
    }


def _clock_out(c: Any) -> dict[str, Any]:
    ex = clock_explain(c)
    return {
        "id": c.pk,
        "kind": c.kind,
        "label": clock_title(c),
        "status": c.status,
        "limit": c.limit,
        "statutory_limit": c.statutory_limit,
        "extension_total": c.extension_total,
        "due_date": clock_due_date(c),
        "statutory_due_date": c.statutory_due_date,
        "explanation": [str(ex.summary), *[str(x) for x in ex.lines]],
    }


def _ok(c: Case) -> dict[str, Any]:
    return {"id": c.pk, "status": c.status, "version": c.lock_version}


def _case(request: AuthedRequest, case_id: int, payload: VersionIn | None = None) -> Case:
    """The case in the user's scope; the client's `version` (if sent) is what the service compares
    with the locked row, so a stale client gets the conflict message."""
    case = access_case_by_id(request.user, case_id)
    if payload is not None and payload.version is not None:
        case.lock_version = payload.version
    return case


def _notice_url(n: Notice) -> str:
    return f"/api/cases/notices/{n.pk}.pdf"


def _files(materials: list[int] | None, uploads: list[UploadedFile]) -> list[tuple[Material | None, Any]]:
    mats = materials or []
    out: list[tuple[Material | None, Any]] = []
    for i, f in enumerate(uploads):
        m = Material.objects.filter(pk=mats[i]).first() if i < len(mats) and mats[i] else None
        out.append((m, f))
    return out


# --- reads -----------------------------------------------------------------------------------


@router.get("", response=list[CaseSummaryOut], summary="Cases the user may see (applicant: own; staff: scoped)")
def cases_list(request: AuthedRequest, status: str = "", limit: int = 100) -> list[dict[str, Any]]:
    qs = cases_for_user(request.user)
    if status:
        qs = qs.filter(status=status)
    staff = request.user.is_staff_member or request.user.is_superuser
    return [_summary(c, staff) for c in qs[: max(1, min(limit, 500))]]


@router.get("/queue", response=list[QueueOut], summary="My queue, next due first, with the clock colour")
def queue(request: AuthedRequest, status: str = "", item: str = "", overdue: bool = False) -> list[dict[str, Any]]:

    if not request.user.is_department_scoped:
        raise PermissionDenied(_("只有部门工作人员有待办队列。"))
    out = []
    for r in queue_for_user(request.user, status=status, item=item, overdue=overdue):
        c, clock = r["case"], r["clock"]
        out.append(
            {
                "case": c.pk,
                "tracking_number": c.tracking_number,
                "item": c.version.name,
                "what": str(r["what"]),
                "status": c.status,
                "due_date": clock_due_date(clock),
                "colour": clock_urgency(clock).colour if clock else "grey",
            }
        )
    return out


@router.get("/negative-reports", response=list[NegativeOut], summary="Negative-decision reports awaiting me (CAS-6)")
def negative_reports(request: AuthedRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": r.pk,
            "case": r.case_id,
            "tracking_number": r.case.tracking_number,
            "kind": r.kind,
            "status": r.status,
            "reasons": r.reasons,
            "handler": str(r.handler),
            "applicant_contact": r.applicant_contact,
        }
        for r in negative_reports_for_user(request.user)
    ]


@router.get("/ledger.xlsx", summary="The department's ledger (台账) for a period, as Excel")
def ledger(request: AuthedRequest, start: date, end: date) -> HttpResponse:
    if not ledger_allowed(request.user):
        raise PermissionDenied(_("只有部门工作人员可以导出台账。"))
    # issue 9: years in range and start ≤ end (the service limits the span to a year)
    start, end = date_range(start, end)
    data = ledger_workbook(user=request.user, start=start, end=end)
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="ledger-{start}-{end}.xlsx"'
    return resp


@router.get(
    "/track",
    response={200: CaseTrackOut, 404: dict[str, str]},
    auth=None,
    throttle=ApiThrottle("track"),
    summary="Public tracking look-up",
)
def track(request: HttpRequest, tracking_number: str, code: str) -> Any:
    case = track_lookup(tracking_number, code)
    if case is None:
        return Status(404, {"detail": str(_("办件编号或查询码不正确。"))})
    clock = public_clock(case)
    return {
        "tracking_number": case.tracking_number,
        "item": case.version.name,
        "department": case.department.name,
        "status": case.public_status_label,
        "received_at": case.received_at,
        "due_date": clock_due_date(clock),
        "deadline": _clock_out(clock) if clock else None,
        "steps": public_steps(case),
    }


@router.get("/notices/{int:notice_id}.pdf", summary="A notice as PDF (to those who may see its case or enquiry)")
def notice_download(request: AuthedRequest, notice_id: int) -> HttpResponse:
    notice = access_notice_by_id(request.user, notice_id)
    resp = HttpResponse(notice_pdf(notice), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return resp


@router.get("/{int:case_id}", response=CaseDetailOut, summary="One case with tasks, clocks, notices and timeline")
def case_detail(request: AuthedRequest, case_id: int) -> dict[str, Any]:
    case = access_case_by_id(request.user, case_id)
    clocks = case_clocks(case)
    staff = request.user.is_staff_member or request.user.is_superuser
    tasks = list(case.tasks.select_related("department", "assignee", "written_clock").prefetch_related("opinions"))
    allowed = case_actions(request.user, case, tasks)
    supplement = case.supplement_notices.first()
    decision = getattr(case, "decision", None)
    delivery = getattr(case, "delivery", None)

    return {
        **_summary(case, staff),
        "case_kind": case.case_kind,
        "form_data": case.form_data if (staff or case.applicant_id == request.user.pk) else {},
        "accepted_at": case.accepted_at,
        "deemed_accepted": case.deemed_accepted,
        "decided_at": case.decided_at,
        "delivered_at": case.delivered_at,
        "closed_at": case.closed_at,
        "refusal_reason": case.refusal_reason,
        "competent_agency": case.competent_agency,
        "tasks": [
            {
                "id": t.pk,
                "stage_index": t.stage_index,
                "stage_name": t.stage_name,
                "name": t.name,
                "department": t.department.name,
                # staff names are for staff; the applicant sees the department (as on the page)
                "assignee": str(t.assignee) if (staff and t.assignee) else None,
                "status": t.status,
                "parallel": t.parallel,
                "join_policy": t.join_policy,
                "opinions": [
                    {
                        "kind": o.kind,
                        "kind_label": str(o.get_kind_display()),
                        "reasons": o.reasons,
                        "is_system": o.is_system,
                        "is_written_followup": o.is_written_followup,
                        "at": o.created_at,
                    }
                    for o in t.opinions.all()
                ],
            }
            for t in tasks
        ],
        "clocks": [_clock_out(c) for c in clocks],
        "notices": [
            {
                "id": n.pk,
                "kind": n.kind,
                "title": n.title,
                "number": n.number,
                "issued_at": n.issued_at,
                "pdf_url": _notice_url(n),
            }
            for n in case.notices.all()
        ],
        "materials": [
            {
                "id": m.pk,
                "name": m.name,
                "original_name": m.original_name,
                "size": m.size,
                "is_supplement": m.is_supplement,
                "download_url": f"/api/cases/{case.pk}/materials/{m.pk}",
            }
            for m in case.materials.all()
        ],
        "supplement": {
            "missing": [str(m.get("name", "")) for m in supplement.missing],
            "note": supplement.note,
            "issued_at": supplement.issued_at,
            "supplied_at": supplement.supplied_at,
        }
        if supplement
        else None,
        "decision": {
            "outcome": decision.outcome,
            "reasons": decision.reasons,
            "remedy": decision.remedy,
            "decided_at": decision.decided_at,
        }
        if decision
        else None,
        "delivery": {"method": delivery.method, "recipient": delivery.recipient, "delivered_at": delivery.delivered_at}
        if delivery
        else None,
        "fee_charges": [
            {"fee": f.fee.name, "amount": str(f.amount), "receipt_number": f.receipt_number, "paid_at": f.paid_at}
            for f in case.fee_charges.select_related("fee")
        ],
        "timeline": [
            {"at": e.at, "action": e.action, "actor": e.actor, "reason": e.reason, "clock": e.clock_label}
            for e in case_timeline(case, clocks, staff=staff)
        ],
        "actions": sorted(k for k, v in allowed.items() if v is True),
        "opinion_tasks": [t.pk for t in allowed["opinion_tasks"]],
    }


@router.get("/{int:case_id}/materials/{int:material_id}", summary="Download a material (to those who see the case)")
def material_download(request: AuthedRequest, case_id: int, material_id: int) -> FileResponse:
    row = access_material_by_id(request.user, material_id, case_id=case_id)
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.original_name)


# --- writes ----------------------------------------------------------------------------------


@router.post(
    "", response={201: CreatedOut}, summary="Apply online for a published item (multipart: form fields + files)"
)
def case_create(
    request: AuthedRequest,
    item: Form[str],
    applicant_name: Form[str],
    phone: Form[str],
    description: Form[str],
    id_number: Form[str] = "",
    address: Form[str] = "",
    materials: Form[list[int]] | None = None,
    files: File[list[UploadedFile]] | None = None,
) -> Status[dict[str, Any]]:
    obj = get_object_or_404(restrict(Item.objects.all(), request.user), implementing_code=item)
    form = {
        "applicant_name": applicant_name,
        "phone": phone,
        "description": description,
        "id_number": id_number,
        "address": address,
    }
    case, code = case_submit(actor=request.user, item=obj, form_data=form, files=_files(materials, files or []))
    return Status(201, {"id": case.pk, "tracking_number": case.tracking_number, "verification_code": code})


@router.post("/window", response={201: CreatedOut}, summary="Register an application at the window (clerk)")
def case_window(
    request: AuthedRequest,
    item: Form[str],
    applicant_name: Form[str],
    phone: Form[str],
    description: Form[str],
    id_number: Form[str] = "",
    address: Form[str] = "",
    materials: Form[list[int]] | None = None,
    files: File[list[UploadedFile]] | None = None,
) -> Status[dict[str, Any]]:
    obj = get_object_or_404(restrict(Item.objects.all(), request.user), implementing_code=item)
    form = {
        "applicant_name": applicant_name,
        "phone": phone,
        "description": description,
        "id_number": id_number,
        "address": address,
    }
    case, code = case_register_at_window(
        actor=request.user, item=obj, form_data=form, files=_files(materials, files or [])
    )
    return Status(201, {"id": case.pk, "tracking_number": case.tracking_number, "verification_code": code})


class CorrectIn(VersionIn):
    applicant_name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    description: str | None = None


@router.post("/{int:case_id}/correct", response=OkOut, summary="Correct the application on the spot (CAS-1)")
def correct(request: AuthedRequest, case_id: int, payload: CorrectIn) -> dict[str, Any]:
    data = {k: v for k, v in payload.dict(exclude={"version"}).items() if v is not None}
    case = _case(request, case_id, payload)
    return _ok(case_correct_on_the_spot(case=case, actor=request.user, form_data=data))


@router.post("/{int:case_id}/accept", response=OkOut, summary="Accept (CAS-1/CAS-2); on-the-spot items decided at once")
def accept(request: AuthedRequest, case_id: int, payload: VersionIn) -> dict[str, Any]:
    return _ok(case_accept(case=_case(request, case_id, payload), actor=request.user))


@router.post("/{int:case_id}/refuse", response=OkOut, summary="Refuse at intake, naming the competent agency (CAS-1)")
def refuse(request: AuthedRequest, case_id: int, payload: CaseRefuseIn) -> dict[str, Any]:
    c = case_refuse_at_intake(
        case=_case(request, case_id, payload),
        actor=request.user,
        ground=payload.ground,
        reasons=payload.reasons,
        competent_agency=payload.competent_agency,
    )
    return _ok(c)


@router.post("/{int:case_id}/supplement-request", response=OkOut, summary="One-time supplement notice (CAS-1)")
def supplement_request(request: AuthedRequest, case_id: int, payload: SupplementRequestIn) -> dict[str, Any]:
    case = _case(request, case_id, payload)
    sn = case_request_supplement(case=case, actor=request.user, missing=payload.missing, note=payload.note)
    return _ok(sn.case)  # the locked row, as written


@router.post("/{int:case_id}/supplement", response=OkOut, summary="Hand in the missing materials (multipart)")
def supplement(
    request: AuthedRequest,
    case_id: int,
    files: File[list[UploadedFile]],
    materials: Form[list[int]] | None = None,
    version: Form[int] | None = None,
) -> dict[str, Any]:
    case = _case(request, case_id, VersionIn(version=version))
    return _ok(case_supplement(case=case, actor=request.user, files=_files(materials, files)))


@router.post("/{int:case_id}/tasks/{int:task_id}/opinion", response=OkOut, summary="Opinion on a step (CAS-7)")
def opinion(request: AuthedRequest, case_id: int, task_id: int, payload: CaseOpinionIn) -> dict[str, Any]:
    # The busiest endpoint: the task is read once, by the action, under the case lock and with its
    # stage (task_ref: no look-up before). Only the task's own department (CAS-9: its holder, or
    # anyone of its role; the head) may sign it; a refusal is a 404 unless the task lies in the
    # user's scope (StepTask.scope: its department's staff), so nobody else learns that it exists.
    try:
        # the head's approval on the last step also makes the decision (as on the page)
        op, decision = case_step_sign(
            task=task_ref(task_id, case_id=case_id), actor=request.user, kind=payload.kind, reasons=payload.reasons
        )
    except (Case.DoesNotExist, StepTask.DoesNotExist):
        raise Http404 from None
    except PermissionDenied:
        access_own_task_by_id(request.user, task_id, case_id=case_id)
        raise
    return _ok(decision.case if decision else op.task.case)  # the row the service locked and wrote


@router.post(
    "/{int:case_id}/tasks/{int:task_id}/absent",
    response=OkOut,
    summary="Record an absent department's deemed consent (CAS-7)",
)
def absent(request: AuthedRequest, case_id: int, task_id: int) -> dict[str, Any]:
    op = case_step_absent(task=access_task_by_id(request.user, task_id, case_id=case_id), actor=request.user)
    return _ok(op.task.case)


@router.post("/{int:case_id}/pause", response=OkOut, summary="Special procedure: pause the clocks (CAS-4)")
def pause(request: AuthedRequest, case_id: int, payload: PauseIn) -> dict[str, Any]:
    c = case_pause(
        case=_case(request, case_id, payload),
        actor=request.user,
        reason=payload.reason,
        expected_days=payload.expected_days,
        note=payload.note,
    )
    return _ok(c)


@router.post("/{int:case_id}/resume", response=OkOut, summary="End the special procedure")
def resume(request: AuthedRequest, case_id: int, payload: VersionIn) -> dict[str, Any]:
    return _ok(case_resume(case=_case(request, case_id, payload), actor=request.user))


@router.post("/{int:case_id}/extend", response=OkOut, summary="Extend the decision limit (CAS-3)")
def extend(request: AuthedRequest, case_id: int, payload: CaseExtendIn) -> dict[str, Any]:
    c = case_extend(case=_case(request, case_id, payload), actor=request.user, kind=payload.kind, reason=payload.reason)
    return _ok(c)


@router.post(
    "/{int:case_id}/negative-reports", response={201: NegativeOut}, summary="Submit a negative-decision report (CAS-6)"
)
def negative_submit(request: AuthedRequest, case_id: int, payload: NegativeIn) -> Status[dict[str, Any]]:
    r = case_negative_report_submit(
        case=_case(request, case_id, payload),
        actor=request.user,
        kind=payload.kind,
        reasons=payload.reasons,
        applicant_contact=payload.applicant_contact,
    )
    return Status(
        201,
        {
            "id": r.pk,
            "case": r.case_id,
            "tracking_number": r.case.tracking_number,
            "kind": r.kind,
            "status": r.status,
            "reasons": r.reasons,
            "handler": str(r.handler),
            "applicant_contact": r.applicant_contact,
        },
    )


@router.post("/negative-reports/{int:report_id}/review", response=OkOut, summary="The leader reviews a report (CAS-6)")
def negative_review(request: AuthedRequest, report_id: int, payload: CaseReviewIn) -> dict[str, Any]:
    report = access_negative_report_by_id(request.user, report_id, pending_only=False)
    reviewed = case_negative_report_review(
        report=report, actor=request.user, approve=payload.approve, comment=payload.comment
    )
    return _ok(reviewed.case)


@router.post("/{int:case_id}/decide", response=OkOut, summary="Decide: approve, or refuse with reasons (CAS-5)")
def decide(request: AuthedRequest, case_id: int, payload: CaseDecideIn) -> dict[str, Any]:
    case = _case(request, case_id, payload)
    decision = case_decide(case=case, actor=request.user, outcome=payload.outcome, reasons=payload.reasons)
    return _ok(decision.case)


@router.post("/{int:case_id}/deliver", response=OkOut, summary="Record delivery of the decision (CAS-3)")
def deliver(request: AuthedRequest, case_id: int, payload: DeliverIn) -> dict[str, Any]:
    case = _case(request, case_id, payload)
    delivery = case_deliver(case=case, actor=request.user, method=payload.method, recipient=payload.recipient)
    return _ok(delivery.case)


@router.post("/{int:case_id}/close", response=OkOut, summary="Close (办结)")
def close(request: AuthedRequest, case_id: int, payload: VersionIn) -> dict[str, Any]:
    return _ok(case_close(case=_case(request, case_id, payload), actor=request.user))


@router.post("/{int:case_id}/withdraw", response=OkOut, summary="The applicant withdraws")
def withdraw(request: AuthedRequest, case_id: int, payload: WithdrawIn) -> dict[str, Any]:
    return _ok(case_withdraw(case=_case(request, case_id, payload), actor=request.user, reason=payload.reason))


@router.post("/{int:case_id}/fees", response=OkOut, summary="Record a fee payment (CAT-7)")
def fee(request: AuthedRequest, case_id: int, payload: FeeIn) -> dict[str, Any]:
    case = access_case_by_id(request.user, case_id)
    charge = fee_charge_record(
        case=case, actor=request.user, fee=payload.fee, amount=payload.amount, receipt_number=payload.receipt_number
    )
    return _ok(charge.case)


@router.get("/enquiries/", response=list[EnquiryOut], summary="Enquiries registered in my scope (CAS-8)")
def enquiries(request: AuthedRequest) -> list[dict[str, Any]]:
    return [_enquiry(e) for e in enquiries_for_user(request.user)[:200]]


def _enquiry(e: Enquiry) -> dict[str, Any]:
    n = e.notices.first()
    return {
        "id": e.pk,
        "number": e.number,
        "outcome": e.outcome,
        "referred_office": e.referred_office,
        "referral_pdf_url": _notice_url(n) if n else None,
    }


@router.post(
    "/enquiries/", response={201: EnquiryOut}, summary="Register an enquiry under first-contact responsibility (CAS-8)"
)
def enquiry_create(request: AuthedRequest, payload: EnquiryIn) -> Status[dict[str, Any]]:
    e = enquiry_register(actor=request.user, **payload.dict())
    return Status(201, _enquiry(e))
