"""Proposals and major decisions API: the same scoping and permissions as the workbench pages
(conventions §3); the public list of decision drafts and the comment endpoint need no sign-in (DEC-2)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.params import MAX_OFFSET, bounded_int
from xiaoneng.core.throttle import ApiThrottle
from xiaoneng.orgs.models import Department
from xiaoneng.proposals.actions.decisions import (
    decision_adopt,
    decision_comment,
    decision_legality_review,
    decision_publish,
    decision_register,
    decision_step_complete,
)
from xiaoneng.proposals.actions.proposals import cohandling_answer, proposal_feedback, proposal_register, proposal_reply
from xiaoneng.proposals.choices import StepKind
from xiaoneng.proposals.models import MajorDecision, Proposal
from xiaoneng.proposals.permissions import (
    access_decision_by_id,
    access_proposal_by_id,
    can_answer_cohandling,
    is_department_user,
    is_office_user,
    is_staff_user,
)
from xiaoneng.proposals.selectors import assignable_departments, decisions_for, proposals_for, public_decisions
from xiaoneng.workdays.due import clock_due_date

router = Router(tags=["proposals"])

LIST_CAP = 500


def _staff(request: AuthedRequest) -> None:
    if not is_staff_user(request.user):
        raise PermissionDenied


class CoHandlingOut(Schema):
    department_id: int
    department: str
    due_date: date | None
    opinion: str
    answered: bool


class ProposalOut(Schema):
    id: int
    kind: str
    session: str
    number: str
    title: str
    proposer: str
    urgent: bool
    lead_department_id: int
    lead_department: str
    assigned_on: date
    status: str
    reply_due_date: date | None
    reply_category: str
    reply_text: str
    reply_count: int
    satisfaction: str
    cohandlers: list[CoHandlingOut]


class ProposalIn(Schema):
    kind: str = Field(max_length=10)
    session: str = Field(max_length=60)
    number: str = Field(max_length=40)
    title: str = Field(max_length=200)
    proposer: str = Field(max_length=200)
    content: str = Field(max_length=5000)
    urgent: bool = False
    lead_department_id: int
    cohandler_ids: list[int] = Field(default_factory=list, max_length=10)


class ProposalOpinionIn(Schema):
    opinion: str = Field(max_length=5000)


class ProposalReplyIn(Schema):
    category: str = Field(max_length=1)
    text: str = Field(max_length=5000)


class FeedbackIn(Schema):
    satisfaction: str = Field(max_length=12)
    note: str = Field("", max_length=5000)


class StepOut(Schema):
    kind: str
    status: str
    starts_on: date | None
    ends_on: date | None
    legality: str
    summary: str
    not_required_reason: str
    completed_on: date | None


class ProposalDecisionOut(Schema):
    id: int
    title: str
    department_id: int
    department: str
    status: str
    published_on: date | None
    decided_on: date | None
    meeting: str
    comment_count: int
    steps: list[StepOut]
    created_at: datetime


class ProposalDecisionIn(Schema):
    title: str = Field(max_length=200)
    description: str = Field(max_length=5000)
    expert_not_required: str = Field("", max_length=500)
    risk_not_required: str = Field("", max_length=500)


class ProposalPublishIn(Schema):
    days: int = Field(30, ge=1, le=366)
    short_reason: str = Field("", max_length=500)


class StepIn(Schema):
    summary: str = Field(max_length=5000)


class LegalityIn(Schema):
    result: str = Field(max_length=10)
    summary: str = Field(max_length=5000)


class AdoptIn(Schema):
    meeting: str = Field(max_length=100)
    decided_on: date
    text: str = Field(max_length=5000)


class CommentIn(Schema):
    name: str = Field("", max_length=50)
    text: str = Field(max_length=2000)


class PublicDecisionOut(Schema):
    id: int
    title: str
    department: str
    published_on: date | None
    status: str
    comment_count: int


def _proposal_out(p: Proposal) -> ProposalOut:
    return ProposalOut(
        id=p.pk,
        kind=p.kind,
        session=p.session,
        number=p.number,
        title=p.title,
        proposer=p.proposer,
        urgent=p.urgent,
        lead_department_id=p.lead_department_id,
        lead_department=p.lead_department.name,
        assigned_on=p.assigned_on,
        status=p.status,
        reply_due_date=clock_due_date(p.reply_clock),
        reply_category=p.reply_category,
        reply_text=p.reply_text,
        reply_count=p.reply_count,
        satisfaction=p.satisfaction,
        cohandlers=[
            CoHandlingOut(
                department_id=c.department_id,
                department=c.department.name,
                due_date=clock_due_date(c.clock),
                opinion=c.opinion,
                answered=c.answered_at is not None,
            )
            for c in p.cohandlings.select_related("department", "clock")
        ],
    )


def _decision_out(d: MajorDecision) -> ProposalDecisionOut:
    return ProposalDecisionOut(
        id=d.pk,
        title=d.title,
        department_id=d.department_id,
        department=d.department.name,
        status=d.status,
        published_on=d.published_on,
        decided_on=d.decided_on,
        meeting=d.meeting,
        comment_count=d.comments.count(),
        steps=[
            StepOut(
                kind=s.kind,
                status=s.status,
                starts_on=s.starts_on,
                ends_on=s.ends_on,
                legality=s.legality,
                summary=s.summary,
                not_required_reason=s.not_required_reason,
                completed_on=s.completed_on,
            )
            for s in d.steps.all()
        ],
        created_at=d.created_at,
    )


# --- proposals -------------------------------------------------------------------------------


@router.get("/proposals", response=list[ProposalOut], summary="Suggestions and proposals in the user's scope")
def list_proposals(request: AuthedRequest, status: str = "") -> list[ProposalOut]:
    _staff(request)
    qs = proposals_for(request.user)
    if status:
        qs = qs.filter(status=status[:10])
    return [_proposal_out(p) for p in qs[:LIST_CAP]]


@router.get("/proposals/{pk}", response=ProposalOut)
def get_proposal(request: AuthedRequest, pk: int) -> ProposalOut:
    _staff(request)
    return _proposal_out(access_proposal_by_id(request.user, pk))


@router.post("/proposals", response={201: ProposalOut}, summary="Register and assign (PRP-1, PRP-2)")
def register_proposal(request: AuthedRequest, payload: ProposalIn) -> Status[ProposalOut]:
    if not is_office_user(request.user):
        raise PermissionDenied
    departments = assignable_departments(request.user)
    lead = departments.filter(pk=bounded_int(payload.lead_department_id, "lead_department_id") or 0).first()
    ids = {bounded_int(i, "cohandler_ids") or 0 for i in payload.cohandler_ids}
    cohandlers: list[Department] = list(departments.filter(pk__in=ids))
    if len(cohandlers) != len(ids):
        raise ValidationError(_("协办单位必须是本辖区的单位。"))
    p = proposal_register(
        actor=request.user,
        kind=payload.kind,
        number=payload.number,
        session=payload.session,
        title=payload.title,
        proposer=payload.proposer,
        content=payload.content,
        urgent=payload.urgent,
        lead_department=lead,
        cohandlers=cohandlers,
    )
    return Status(201, _proposal_out(access_proposal_by_id(request.user, p.pk)))


@router.post("/proposals/{pk}/opinion", response=ProposalOut, summary="A co-handler's opinion (PRP-3)")
def proposal_opinion(request: AuthedRequest, pk: int, payload: ProposalOpinionIn) -> ProposalOut:
    _staff(request)
    p = access_proposal_by_id(request.user, pk)
    mine = next((c for c in p.cohandlings.select_related("department") if can_answer_cohandling(request.user, c)), None)
    if mine is None:
        raise PermissionDenied
    cohandling_answer(actor=request.user, cohandling=mine, opinion=payload.opinion)
    return _proposal_out(access_proposal_by_id(request.user, pk))


@router.post("/proposals/{pk}/reply", response=ProposalOut, summary="The formal reply (PRP-4)")
def reply_proposal(request: AuthedRequest, pk: int, payload: ProposalReplyIn) -> ProposalOut:
    _staff(request)
    p = access_proposal_by_id(request.user, pk)
    proposal_reply(actor=request.user, proposal=p, category=payload.category, text=payload.text)
    return _proposal_out(access_proposal_by_id(request.user, pk))


@router.post("/proposals/{pk}/feedback", response=ProposalOut, summary="The proposer's satisfaction (PRP-5)")
def feedback_proposal(request: AuthedRequest, pk: int, payload: FeedbackIn) -> ProposalOut:
    _staff(request)
    p = access_proposal_by_id(request.user, pk)
    proposal_feedback(actor=request.user, proposal=p, satisfaction=payload.satisfaction, note=payload.note)
    return _proposal_out(access_proposal_by_id(request.user, pk))


# --- decisions -------------------------------------------------------------------------------


@router.get("/decisions", response=list[ProposalDecisionOut], summary="Major decisions in the user's scope")
def list_decisions(request: AuthedRequest, status: str = "") -> list[ProposalDecisionOut]:
    _staff(request)
    qs = decisions_for(request.user).prefetch_related("steps")
    if status:
        qs = qs.filter(status=status[:10])
    return [_decision_out(d) for d in qs[:LIST_CAP]]


@router.get(
    "/decisions/public",
    response=list[PublicDecisionOut],
    auth=None,
    summary="Public: decision drafts published for comment, with comment counts (DEC-2)",
)
def list_public_decisions(request: HttpRequest, offset: int = 0) -> list[PublicDecisionOut]:
    offset = bounded_int(offset, "offset", high=MAX_OFFSET) or 0
    return [
        PublicDecisionOut(
            id=d.pk,
            title=d.title,
            department=d.department.name,
            published_on=d.published_on,
            status=d.status,
            comment_count=d.comment_count,  # type: ignore[attr-defined]
        )
        for d in public_decisions()[offset : offset + 100]
    ]


@router.post(
    "/decisions/public/{pk}/comments",
    response={201: dict},
    auth=None,
    throttle=ApiThrottle("public_comment"),
    summary="Public: comment on a draft during its comment period (DEC-2)",
)
def comment_decision(request: HttpRequest, pk: int, payload: CommentIn) -> Status[dict[str, str]]:
    decision = get_object_or_404(public_decisions(), pk=bounded_int(pk, "pk") or 0)
    decision_comment(decision=decision, name=payload.name, text=payload.text)
    return Status(201, {"detail": _("您的意见已提交，感谢参与。")})


@router.get("/decisions/{pk}", response=ProposalDecisionOut)
def get_decision(request: AuthedRequest, pk: int) -> ProposalDecisionOut:
    _staff(request)
    return _decision_out(access_decision_by_id(request.user, pk))


@router.post("/decisions", response={201: ProposalDecisionOut}, summary="Register a major decision (DEC-1)")
def register_decision(request: AuthedRequest, payload: ProposalDecisionIn) -> Status[ProposalDecisionOut]:
    if not is_department_user(request.user):
        raise PermissionDenied
    department = request.user.department
    if department is None:
        raise RuntimeError("invariant: department is not None")
    d = decision_register(
        actor=request.user,
        department=department,
        title=payload.title,
        description=payload.description,
        expert_not_required=payload.expert_not_required,
        risk_not_required=payload.risk_not_required,
    )
    return Status(201, _decision_out(access_decision_by_id(request.user, d.pk)))


@router.post("/decisions/{pk}/publish", response=ProposalDecisionOut, summary="Publish the draft for comment (DEC-2)")
def publish_decision(request: AuthedRequest, pk: int, payload: ProposalPublishIn) -> ProposalDecisionOut:
    _staff(request)
    d = access_decision_by_id(request.user, pk)
    decision_publish(actor=request.user, decision=d, days=payload.days, short_reason=payload.short_reason)
    return _decision_out(access_decision_by_id(request.user, pk))


@router.post("/decisions/{pk}/steps/{kind}", response=ProposalDecisionOut, summary="Record a step as done (DEC-1)")
def complete_step(request: AuthedRequest, pk: int, kind: str, payload: StepIn) -> ProposalDecisionOut:
    _staff(request)
    d = access_decision_by_id(request.user, pk)
    if kind[:12] not in (StepKind.PUBLIC, StepKind.EXPERT, StepKind.RISK):
        raise ValidationError(_("该程序不能在此登记。"))
    decision_step_complete(actor=request.user, decision=d, kind=kind[:12], summary=payload.summary)
    return _decision_out(access_decision_by_id(request.user, pk))


@router.post("/decisions/{pk}/legality", response=ProposalDecisionOut, summary="The legality review (DEC-3)")
def review_legality(request: AuthedRequest, pk: int, payload: LegalityIn) -> ProposalDecisionOut:
    _staff(request)
    d = access_decision_by_id(request.user, pk)
    decision_legality_review(actor=request.user, decision=d, result=payload.result, summary=payload.summary)
    return _decision_out(access_decision_by_id(request.user, pk))


@router.post("/decisions/{pk}/adopt", response=ProposalDecisionOut, summary="Adopt by collective discussion (DEC-4)")
def adopt_decision(request: AuthedRequest, pk: int, payload: AdoptIn) -> ProposalDecisionOut:
    _staff(request)
    d = access_decision_by_id(request.user, pk)
    decision_adopt(
        actor=request.user, decision=d, meeting=payload.meeting, decided_on=payload.decided_on, text=payload.text
    )
    return _decision_out(access_decision_by_id(request.user, pk))
