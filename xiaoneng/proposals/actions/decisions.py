"""重大行政决策 (国务院令第713号): register with the five steps (DEC-1), publish the draft for comment
(DEC-2), comments from the public, record each step, the legality review (DEC-3) and adoption by
collective discussion once every mandatory step is done (DEC-4). Every step is an Event."""

from __future__ import annotations

__all__ = [
    "MIN_COMMENT_DAYS",
    "decision_adopt",
    "decision_comment",
    "decision_legality_review",
    "decision_publish",
    "decision_register",
    "decision_step_complete",
]

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.trail import event_append
from xiaoneng.orgs.models import Department
from xiaoneng.proposals.choices import (
    DECISION_STEPS,
    OPTIONAL_STEPS,
    DecisionStatus,
    LegalityResult,
    StepKind,
    StepStatus,
)
from xiaoneng.proposals.inputs import check_choice, check_date, check_text
from xiaoneng.proposals.models import DecisionComment, DecisionStep, MajorDecision
from xiaoneng.proposals.permissions import can_adopt, can_record_step, can_register_decision, can_review_legality

MIN_COMMENT_DAYS = 30  # DEC-2: 第十五条 一般不少于30日


def comment_days() -> int:
    return int(getattr(settings, "XIAONENG_DECISION_COMMENT_DAYS", MIN_COMMENT_DAYS))


def _locked(decision: MajorDecision) -> MajorDecision:
    d = MajorDecision.objects.select_for_update(of=("self",)).select_related("department__region").get(pk=decision.pk)
    if d.status != DecisionStatus.DRAFTING:
        raise ValidationError(
            _("决策当前状态为“%(status)s”，不能执行该操作。") % {"status": d.get_status_display()}, code="state"
        )
    return d


def _step(decision: MajorDecision, kind: str) -> DecisionStep:
    return DecisionStep.objects.select_for_update(of=("self",)).get(decision=decision, kind=kind)


def decision_register(
    *,
    actor: Any,
    department: Department,
    title: str,
    description: str,
    expert_not_required: str = "",
    risk_not_required: str = "",
) -> MajorDecision:
    """DEC-1: the department carrying the decision registers it; the five steps are created, 专家论证
    and 风险评估 marked not applicable only with the reason stated."""
    if not can_register_decision(actor, department):
        raise PermissionDenied(_("只有决策承办单位可以登记重大行政决策。"))
    name = check_text(title, label=_("决策事项"), max_length=200)
    text = check_text(description, label=_("决策草案说明"))
    reasons = {
        StepKind.EXPERT: check_text(expert_not_required, label=_("不需专家论证的理由"), max_length=500, required=False),
        StepKind.RISK: check_text(risk_not_required, label=_("不需风险评估的理由"), max_length=500, required=False),
    }
    with transaction.atomic():
        decision = MajorDecision.objects.create(
            tenant_id=department.tenant_id, department=department, title=name, description=text, registered_by=actor
        )
        steps = []
        for kind in DECISION_STEPS:
            reason = reasons.get(kind, "") if kind in OPTIONAL_STEPS else ""
            steps.append(
                DecisionStep(
                    decision=decision,
                    kind=kind,
                    status=StepStatus.NOT_REQUIRED if reason else StepStatus.PENDING,
                    not_required_reason=reason,
                )
            )
        DecisionStep.objects.bulk_create(steps)
        event_append(
            subject=decision,
            action="decision.registered",
            actor=actor,
            after={
                "title": name,
                "department": department.pk,
                "not_required": {str(k): v for k, v in reasons.items() if v},
            },
        )
    return decision


def decision_publish(*, actor: Any, decision: MajorDecision, days: Any = None, short_reason: str = "") -> DecisionStep:
    """DEC-2: publish the draft for comment from today for `days` days (at least 30 unless a reason
    for a shorter period is stated; at most a year)."""
    if not can_record_step(actor, decision):
        raise PermissionDenied(_("只有决策承办单位可以发布征求意见公告。"))
    period = comment_days() if days is None else days
    if not isinstance(period, int) or isinstance(period, bool) or not 1 <= period <= 366:
        raise ValidationError(_("公示期应为1至366日。"), code="days")
    reason = check_text(short_reason, label=_("缩短公示期的理由"), max_length=500, required=period < MIN_COMMENT_DAYS)
    today = timezone.localdate()
    with transaction.atomic():
        d = _locked(decision)
        step = _step(d, StepKind.PUBLIC)
        if step.status != StepStatus.PENDING:
            raise ValidationError(_("决策草案已经公示过。"), code="published")
        step.status = StepStatus.OPEN
        step.starts_on = today
        # CLK-2: a period of N days counts from the next day
        step.ends_on = today + timedelta(days=period)
        step.short_reason = reason
        step.recorded_by = actor
        step.save(update_fields=["status", "starts_on", "ends_on", "short_reason", "recorded_by", "updated_at"])
        d.published_on = today
        d.save(update_fields=["published_on", "updated_at"])
        event_append(
            subject=d,
            action="decision.published",
            actor=actor,
            after={"starts_on": today.isoformat(), "ends_on": step.ends_on.isoformat(), "days": period},
            reason=reason,
        )
    return step


def decision_comment(*, decision: MajorDecision, name: str, text: str) -> DecisionComment:
    """DEC-2: a comment from the public while the comment period runs (anonymous allowed)."""
    who = check_text(name, label=_("称呼"), max_length=50, required=False)
    body = check_text(text, label=_("意见"), max_length=2000)
    today = timezone.localdate()
    with transaction.atomic():
        step = DecisionStep.objects.select_for_update(of=("self",)).get(decision=decision, kind=StepKind.PUBLIC)
        if step.status != StepStatus.OPEN or step.starts_on is None or step.ends_on is None:
            raise ValidationError(_("该决策草案不在征求意见期内。"), code="closed")
        if not step.starts_on <= today <= step.ends_on:
            raise ValidationError(_("该决策草案不在征求意见期内。"), code="closed")
        return DecisionComment.objects.create(decision=decision, name=who, text=body)


def decision_step_complete(*, actor: Any, decision: MajorDecision, kind: str, summary: str) -> DecisionStep:
    """DEC-1, DEC-2: record 公众参与 (after its period has ended), 专家论证 or 风险评估 as done, with
    its summary (意见采纳情况, 论证意见, 评估结论)."""
    if not can_record_step(actor, decision):
        raise PermissionDenied(_("只有决策承办单位可以登记决策程序。"))
    step_kind = check_choice(kind, choices=StepKind, label=_("程序"))
    if step_kind not in (StepKind.PUBLIC, StepKind.EXPERT, StepKind.RISK):
        raise ValidationError(_("该程序不能在此登记。"), code="kind")
    text = check_text(summary, label=_("情况说明"))
    today = timezone.localdate()
    with transaction.atomic():
        d = _locked(decision)
        step = _step(d, step_kind)
        if step_kind == StepKind.PUBLIC:
            if step.status != StepStatus.OPEN:
                raise ValidationError(_("决策草案尚未公开征求意见。"), code="not_published")
            if step.ends_on is None:
                raise RuntimeError("invariant: step.ends_on is not None")
            if today <= step.ends_on:
                # DEC-2: the period runs to its end
                raise ValidationError(
                    _("征求意见期至%(day)s结束，结束后才能登记公众参与情况。") % {"day": step.ends_on},
                    code="period_running",
                )
        elif step.status != StepStatus.PENDING:
            raise ValidationError(_("该程序已经登记或不适用。"), code="state")
        before = step.status
        step.status = StepStatus.DONE
        step.summary = text
        step.completed_on = today
        step.recorded_by = actor
        step.save(update_fields=["status", "summary", "completed_on", "recorded_by", "updated_at"])
        event_append(
            subject=d,
            action="decision.step_done",
            actor=actor,
            before={"kind": step_kind, "status": before},
            after={"kind": step_kind, "status": step.status, "comments": d.comments.count()},
            reason=text,
        )
    return step


def decision_legality_review(*, actor: Any, decision: MajorDecision, result: str, summary: str) -> DecisionStep:
    """DEC-3: the legal office's review. 不合法 keeps the draft from collective discussion; a revised
    draft may be reviewed again."""
    if not can_review_legality(actor, decision):
        raise PermissionDenied(_("只有法制审核机构可以进行合法性审查。"))
    outcome = check_choice(result, choices=LegalityResult, label=_("审查结论"))
    text = check_text(summary, label=_("审查意见"))
    with transaction.atomic():
        d = _locked(decision)
        step = _step(d, StepKind.LEGALITY)
        if step.status == StepStatus.DONE and step.legality == LegalityResult.LAWFUL:
            raise ValidationError(_("合法性审查已经完成。"), code="state")
        step.status = StepStatus.DONE
        step.legality = outcome
        step.summary = text
        step.completed_on = timezone.localdate()
        step.recorded_by = actor
        step.save(update_fields=["status", "legality", "summary", "completed_on", "recorded_by", "updated_at"])
        event_append(
            subject=d,
            action="decision.legality_reviewed",
            actor=actor,
            after={"kind": StepKind.LEGALITY, "result": outcome},
            reason=text,
        )
    return step


def missing_steps(decision: MajorDecision) -> list[str]:
    """DEC-4: the labels of the mandatory steps not yet done before collective discussion."""
    missing = []
    for step in decision.steps.all():
        if step.kind == StepKind.COLLECTIVE:
            continue
        if step.status == StepStatus.NOT_REQUIRED:
            continue
        if step.status != StepStatus.DONE:
            missing.append(str(step.get_kind_display()))
        elif step.kind == StepKind.LEGALITY and step.legality != LegalityResult.LAWFUL:
            missing.append(str(_("合法性审查（审查结论为不合法）")))
    return missing


def decision_adopt(*, actor: Any, decision: MajorDecision, meeting: str, decided_on: Any, text: str) -> MajorDecision:
    """DEC-4: collective discussion decides (集体讨论决定), only after every mandatory step."""
    if not can_adopt(actor, decision):
        raise PermissionDenied(_("只有本级政府领导或督查部门可以登记集体讨论决定。"))
    where = check_text(meeting, label=_("决定会议"), max_length=100)
    body = check_text(text, label=_("决定内容"))
    today = timezone.localdate()
    with transaction.atomic():
        d = _locked(decision)
        missing = missing_steps(d)
        if missing:
            raise ValidationError(
                _("以下法定程序尚未完成，不能作出决定：%(steps)s。") % {"steps": "、".join(missing)},
                code="steps_missing",
            )
        legality = DecisionStep.objects.get(decision=d, kind=StepKind.LEGALITY)
        if legality.completed_on is None:
            raise RuntimeError("invariant: legality.completed_on is not None")
        day = check_date(decided_on, label=_("决定日期"), earliest=legality.completed_on, latest=today)
        step = _step(d, StepKind.COLLECTIVE)
        step.status = StepStatus.DONE
        step.summary = body
        step.completed_on = day
        step.recorded_by = actor
        step.save(update_fields=["status", "summary", "completed_on", "recorded_by", "updated_at"])
        d.status = DecisionStatus.ADOPTED
        d.meeting = where
        d.decided_on = day
        d.decision_text = body
        d.save(update_fields=["status", "meeting", "decided_on", "decision_text", "updated_at"])
        event_append(
            subject=d,
            action="decision.adopted",
            actor=actor,
            before={"status": DecisionStatus.DRAFTING},
            after={"status": d.status, "meeting": where, "decided_on": day.isoformat()},
            reason=body[:500],
        )
    return d
