"""Workbench pages of proposals (PRP-*) and major decisions (DEC-*), and the public pages of decision
drafts published for comment (DEC-2)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.core.throttle import throttle
from xiaoneng.proposals.actions.decisions import (
    decision_adopt,
    decision_comment,
    decision_legality_review,
    decision_publish,
    decision_register,
    decision_step_complete,
    missing_steps,
)
from xiaoneng.proposals.actions.proposals import cohandling_answer, proposal_feedback, proposal_register, proposal_reply
from xiaoneng.proposals.choices import DecisionStatus, ProposalStatus, StepKind, StepStatus
from xiaoneng.proposals.forms import (
    AdoptForm,
    CommentForm,
    DecisionForm,
    FeedbackForm,
    LegalityForm,
    OpinionForm,
    ProposalForm,
    PublishForm,
    ReplyForm,
    StepForm,
)
from xiaoneng.proposals.models import DecisionStep
from xiaoneng.proposals.permissions import (
    access_decision_by_id,
    access_proposal_by_id,
    can_adopt,
    can_answer_cohandling,
    can_record_feedback,
    can_record_step,
    can_reply,
    can_review_legality,
    is_department_user,
    is_office_user,
    is_staff_user,
)
from xiaoneng.proposals.selectors import assignable_departments, decisions_for, proposals_for, public_decisions
from xiaoneng.workdays.due import clock_due_date


def _staff(request: AuthedRequest) -> None:
    if not is_staff_user(request.user):
        raise PermissionDenied


def _form_error(form: Any, e: ValidationError) -> None:
    for message in e.messages:
        form.add_error(None, message)


# --- proposals (PRP-1 … PRP-6) -----------------------------------------------------------------


@login_required
def proposal_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    qs = proposals_for(request.user)
    status = request.GET.get("status", "")
    if status in ProposalStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(
        request,
        "proposals/proposal_list.html",
        {
            "items": page.object_list,
            "page": page,
            "statuses": ProposalStatus.choices,
            "status": status,
            "may_register": is_office_user(request.user),
        },
    )


@login_required
def proposal_new(request: AuthedRequest) -> HttpResponse:
    if not is_office_user(request.user):
        raise PermissionDenied
    form = ProposalForm(request.POST or None, departments=assignable_departments(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            proposal = proposal_register(
                actor=request.user,
                kind=d["kind"],
                number=d["number"],
                session=d["session"],
                title=d["title"],
                proposer=d["proposer"],
                content=d["content"],
                urgent=d["urgent"],
                lead_department=d["lead_department"],
                cohandlers=list(d["cohandlers"]),
            )
        except ValidationError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("已登记并交办。"))
            return redirect("proposals:proposal", pk=proposal.pk)
    return render(request, "proposals/proposal_new.html", {"form": form})


@login_required
def proposal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    proposal = access_proposal_by_id(request.user, pk)
    cohandlings = list(proposal.cohandlings.select_related("department", "clock"))
    mine = next((c for c in cohandlings if c.answered_at is None and can_answer_cohandling(request.user, c)), None)
    may = {
        "opinion": mine is not None and proposal.status != ProposalStatus.CLOSED,
        "reply": can_reply(request.user, proposal)
        and proposal.status in (ProposalStatus.HANDLING, ProposalStatus.REOPENED),
        "feedback": can_record_feedback(request.user, proposal) and proposal.status == ProposalStatus.REPLIED,
    }
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = {
        "opinion": OpinionForm(request.POST if action == "opinion" else None, prefix="opinion"),
        "reply": ReplyForm(request.POST if action == "reply" else None, prefix="reply"),
        "feedback": FeedbackForm(request.POST if action == "feedback" else None, prefix="feedback"),
    }
    if request.method == "POST":
        if action not in forms or not may[action]:
            raise PermissionDenied
        form = forms[action]
        if form.is_valid():
            d = form.cleaned_data
            try:
                if action == "opinion":
                    if mine is None:
                        raise RuntimeError("invariant: mine is not None")
                    cohandling_answer(actor=request.user, cohandling=mine, opinion=d["opinion"])
                elif action == "reply":
                    proposal_reply(actor=request.user, proposal=proposal, category=d["category"], text=d["text"])
                else:
                    proposal_feedback(
                        actor=request.user, proposal=proposal, satisfaction=d["satisfaction"], note=d["note"]
                    )
            except ValidationError as e:
                _form_error(form, e)
            else:
                messages.success(request, _("已登记。"))
                return redirect("proposals:proposal", pk=proposal.pk)
    return render(
        request,
        "proposals/proposal_detail.html",
        {
            "proposal": proposal,
            "cohandlings": cohandlings,
            "reply_due": clock_due_date(proposal.reply_clock),
            "forms": forms,
            "may": may,
        },
    )


# --- major decisions (DEC-1 … DEC-4) ------------------------------------------------------------


@login_required
def decision_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    qs = decisions_for(request.user)
    status = request.GET.get("status", "")
    if status in DecisionStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(
        request,
        "proposals/decision_list.html",
        {
            "items": page.object_list,
            "page": page,
            "statuses": DecisionStatus.choices,
            "status": status,
            "may_register": is_department_user(request.user),
        },
    )


@login_required
def decision_new(request: AuthedRequest) -> HttpResponse:
    if not is_department_user(request.user):
        raise PermissionDenied
    department = request.user.department
    if department is None:
        raise RuntimeError("invariant: department is not None")
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            decision = decision_register(
                actor=request.user,
                department=department,
                title=d["title"],
                description=d["description"],
                expert_not_required=d["expert_not_required"],
                risk_not_required=d["risk_not_required"],
            )
        except ValidationError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("重大行政决策已登记。"))
            return redirect("proposals:decision", pk=decision.pk)
    return render(request, "proposals/decision_new.html", {"form": form})


_DECISION_FORMS: dict[str, type[Any]] = {
    "publish": PublishForm,
    "step": StepForm,
    "legality": LegalityForm,
    "adopt": AdoptForm,
}


@login_required
def decision_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    decision = access_decision_by_id(request.user, pk)
    steps = {s.kind: s for s in decision.steps.all()}
    drafting = decision.status == DecisionStatus.DRAFTING
    public = steps[StepKind.PUBLIC]
    may = {
        "publish": drafting and can_record_step(request.user, decision) and public.status == StepStatus.PENDING,
        "step": drafting and can_record_step(request.user, decision),
        "legality": drafting and can_review_legality(request.user, decision),
        "adopt": drafting and can_adopt(request.user, decision),
    }
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = {
        name: cls(request.POST if action == name else None, prefix=name, initial={"decided_on": timezone.localdate()})
        for name, cls in _DECISION_FORMS.items()
    }
    if request.method == "POST":
        if action not in forms or not may[action]:
            raise PermissionDenied
        form = forms[action]
        if form.is_valid():
            d = form.cleaned_data
            try:
                if action == "publish":
                    decision_publish(
                        actor=request.user, decision=decision, days=d["days"], short_reason=d["short_reason"]
                    )
                elif action == "step":
                    decision_step_complete(actor=request.user, decision=decision, kind=d["kind"], summary=d["summary"])
                elif action == "legality":
                    decision_legality_review(
                        actor=request.user, decision=decision, result=d["result"], summary=d["summary"]
                    )
                else:
                    decision_adopt(
                        actor=request.user,
                        decision=decision,
                        meeting=d["meeting"],
                        decided_on=d["decided_on"],
                        text=d["text"],
                    )
            except ValidationError as e:
                _form_error(form, e)
            else:
                messages.success(request, _("已登记。"))
                return redirect("proposals:decision", pk=decision.pk)
    missing = missing_steps(decision) if drafting else []
    return render(
        request,
        "proposals/decision_detail.html",
        {
            "decision": decision,
            "steps": [steps[k] for k in steps],
            "missing": missing,
            "missing_text": "、".join(missing),
            "comment_count": decision.comments.count(),
            "forms": forms,
            "may": may,
        },
    )


def public_decisions_list(request: HttpRequest) -> HttpResponse:
    """DEC-2: the decision drafts published for comment, with their comment counts."""
    page = paginate(request, public_decisions())
    ids = [d.pk for d in page.object_list]

    periods = {s.decision_id: s for s in DecisionStep.objects.filter(decision_id__in=ids, kind=StepKind.PUBLIC)}
    rows = [(d, periods.get(d.pk)) for d in page.object_list]
    return render(
        request,
        "proposals/public_decisions.html",
        {"rows": rows, "page": page, "today": timezone.localdate()},
    )


def _comment_posted(request: HttpRequest) -> bool:
    return request.method == "POST"


@throttle("public_comment", when=_comment_posted)
def public_decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(public_decisions(), pk=pk)
    period = decision.steps.get(kind=StepKind.PUBLIC)
    today = timezone.localdate()
    is_open = (
        period.status == StepStatus.OPEN
        and period.starts_on is not None
        and period.ends_on is not None
        and period.starts_on <= today <= period.ends_on
    )
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision_comment(decision=decision, name=form.cleaned_data["name"], text=form.cleaned_data["text"])
        except ValidationError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("您的意见已提交，感谢参与。"))
            return redirect("proposals:public_decision", pk=decision.pk)
    return render(
        request,
        "proposals/public_decision.html",
        {"decision": decision, "period": period, "is_open": is_open, "form": form},
    )
