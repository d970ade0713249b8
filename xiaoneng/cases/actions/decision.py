"""The decision and what follows it (CAS-3, CAS-5, CAS-6): decide (approve, or refuse with reasons
and the remedy clause), deliver (送达, which stops the delivery clock), close (办结归档), and the
applicant's withdrawal (撤回, which cancels every open clock)."""

from __future__ import annotations

__all__ = [
    "case_close",
    "case_decide",
    "case_deliver",
    "case_withdraw",
    "decision_checked",
    "decision_issue",
]

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.cases.actions.negative import approved_report_take
from xiaoneng.cases.actions.notices import REMEDY_TEXT, date_text, government_name, notice_issue
from xiaoneng.cases.actions.notifications import applicant_tell, staff_tell
from xiaoneng.cases.actions.transition import case_event, case_lock, case_save, fresh_check, status_move
from xiaoneng.cases.choices import (
    DecisionOutcome,
    DeliveryMethod,
    NegativeKind,
    NoticeKind,
    OpinionKind,
    Status,
    TaskStatus,
)
from xiaoneng.cases.clocks import DELIVERY_DAYS, KIND_DELIVERY
from xiaoneng.cases.models import Case, Decision, Delivery, Opinion
from xiaoneng.cases.permissions import can_decide, can_deliver, can_intake, can_withdraw
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import User
from xiaoneng.workdays.choices import ClockStatus
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_start, clock_stop


def decision_issue(
    locked: Case, actor: User, *, outcome: str, reasons: str, at: datetime, on_the_spot: bool = False
) -> Decision:
    target = Status.DECIDED_APPROVED if outcome == DecisionOutcome.APPROVE else Status.DECIDED_REFUSED
    before = status_move(locked, target)
    remedy = str(REMEDY_TEXT % {"government": government_name(locked)}) if outcome == DecisionOutcome.REFUSE else ""
    decision = Decision.objects.create(
        case=locked, outcome=outcome, reasons=reasons, remedy=remedy, decided_by=actor, decided_at=at
    )
    locked.decided_at = at
    if locked.decision_clock and locked.decision_clock.is_open:
        locked.decision_clock = clock_stop(clock=locked.decision_clock, actor=actor, at=at)
    # CAS-3: 行政许可法 第四十四条 — delivered within 10 working days of the decision
    locked.delivery_clock = clock_start(
        owner=locked,
        kind=KIND_DELIVERY,
        label=_("送达时限：%(n)s") % {"n": locked.tracking_number},
        limit=DELIVERY_DAYS,
        started_at=at,
        department=locked.department,
        legal_basis=_("《行政许可法》第四十四条：作出决定之日起10个工作日内送达"),
        actor=actor,
    )
    v = locked.version
    if outcome == DecisionOutcome.APPROVE:
        lines = [
            _("你（单位）于%(date)s提出的%(item)s申请（办件编号：%(n)s），经审查，符合法定条件、标准。")
            % {"date": date_text(locked.received_at), "item": v.name, "n": locked.tracking_number},
            _("根据《中华人民共和国行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。"),
        ]
        if v.result_name:
            lines.append(_("本机关将依法颁发%(r)s。") % {"r": v.result_name})
        if reasons:
            lines.append(reasons)
        kind = NoticeKind.APPROVAL
    else:
        lines = [
            _("你（单位）于%(date)s提出的%(item)s申请（办件编号：%(n)s），经审查，本机关决定不予行政许可。")
            % {"date": date_text(locked.received_at), "item": v.name, "n": locked.tracking_number},
            _("理由：%(r)s") % {"r": reasons},
            remedy,
        ]
        kind = NoticeKind.REFUSAL
    notice = notice_issue(
        kind=kind, department=locked.department, addressee=locked.applicant_name, lines=lines, actor=actor, case=locked
    )
    case_save(locked, "status", "decided_at", "delivery_clock")
    case_event(
        locked,
        "case.decided",
        actor,
        before={"status": before},
        after={"status": locked.status, "outcome": outcome, "notice": notice.number, "on_the_spot": on_the_spot},
        reason=reasons,
    )
    applicant_tell(
        locked,
        (_("准予许可：%(n)s") if outcome == DecisionOutcome.APPROVE else _("不予许可：%(n)s"))
        % {"n": locked.tracking_number},
        reasons,
    )
    # the window delivers the decision within 10 working days (CAS-3)
    staff_tell(locked, _("待送达：%(n)s") % {"n": locked.tracking_number}, roles=(Role.CLERK,))
    return decision


@transaction.atomic
def case_decide(*, case: Case, actor: User, outcome: str, reasons: str = "") -> Decision:
    """The decision once every stage is complete. A refusal needs written reasons and carries the
    right to reconsideration or litigation (CAS-5); a refusal, or a decision after the committed
    limit passed, is issued only after the leader reviewed the negative-decision report (CAS-6).
    (An approval by the department head on the last step is made by case_step_sign in the same
    action; this is the decision made on its own: a refusal, a referral up, a reviewer's decision.)"""
    locked = case_lock(case)
    fresh_check(case, locked)
    return decision_checked(locked, actor, outcome=outcome, reasons=reasons, given=case)


def decision_checked(locked: Case, actor: User, *, outcome: str, reasons: str, given: Case | None) -> Decision:
    """case_decide's rules on the locked case: who may decide, every stage done, no approval over a
    disagreement, CAS-5 reasons and the CAS-6 reports; then the decision with its notice."""
    opinions = list(Opinion.objects.filter(task__case=locked, is_written_followup=False))
    referred_up = any(o.kind == OpinionKind.AGREE_REFER_UP for o in opinions)
    if not can_decide(actor, locked, referred_up=referred_up):
        raise PermissionDenied(
            _("有部门提请上级决定，须由部门负责人或领导作出决定。") if referred_up else _("您无权对该办件作出决定。")
        )
    reasons = (reasons or "").strip()
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": [_("请选择决定结果。")]})
    if locked.status != Status.IN_REVIEW:
        status_move(locked, Status.DECIDED_APPROVED, given)  # raises the right message
    if locked.tasks.filter(status__in=[TaskStatus.ACTIVE, TaskStatus.PENDING]).exists():
        raise ValidationError(_("还有办理环节未完成，不能作出决定。"), code="steps")
    if outcome == DecisionOutcome.APPROVE and any(o.kind == OpinionKind.DISAGREE for o in opinions):
        raise ValidationError(_("有部门不同意，不能作出准予决定；如不予许可，请先提交否定报备。"), code="disagree")
    if outcome == DecisionOutcome.REFUSE:
        if not reasons:
            raise ValidationError({"reasons": [_("不予许可必须说明理由。")]})  # CAS-5
        report = approved_report_take(locked, NegativeKind.REFUSAL)
        if report is None:
            raise ValidationError(_("不予许可决定须先经领导审核否定报备。"), code="cas6")  # CAS-6
        report.used = True
        report.save(update_fields=["used", "updated_at"])
    now = timezone.now()
    clock = locked.decision_clock
    if clock is not None and clock.due_at is not None and clock.due_at < now:
        overrun = approved_report_take(locked, NegativeKind.OVERDUE)
        if overrun is None:
            raise ValidationError(_("该办件已超过承诺时限，须先经领导审核否定报备。"), code="cas6_overdue")  # CAS-6
        overrun.used = True
        overrun.save(update_fields=["used", "updated_at"])
    return decision_issue(locked, actor, outcome=outcome, reasons=reasons, at=now)


@transaction.atomic
def case_deliver(*, case: Case, actor: User, method: str, recipient: str) -> Delivery:
    """Delivery of the decision (送达), which stops the 10-working-day delivery clock (CAS-3)."""
    locked = case_lock(case)
    fresh_check(case, locked)
    if not can_deliver(actor, locked):
        raise PermissionDenied(_("只有本部门窗口工作人员可以办理送达。"))
    recipient = (recipient or "").strip()
    errors: dict[str, list[str]] = {}
    if method not in DeliveryMethod.values:
        errors["method"] = [_("请选择送达方式。")]
    if not recipient:
        errors["recipient"] = [_("请填写签收人。")]
    if errors:
        raise ValidationError(errors)
    before = status_move(locked, Status.DELIVERED, case)
    now = timezone.now()
    delivery = Delivery.objects.create(
        case=locked, method=method, recipient=recipient[:100], delivered_by=actor, delivered_at=now
    )
    locked.delivered_at = now
    if locked.delivery_clock:
        locked.delivery_clock = clock_stop(clock=locked.delivery_clock, actor=actor, at=now)
    case_save(locked, "status", "delivered_at")
    case_event(
        locked, "case.delivered", actor, before={"status": before}, after={"status": locked.status, "method": method}
    )
    applicant_tell(locked, _("决定书已送达：%(n)s") % {"n": locked.tracking_number})
    return delivery


@transaction.atomic
def case_close(*, case: Case, actor: User) -> Case:
    """Close the case (办结归档) once its decision was delivered, or after a refusal at intake."""
    locked = case_lock(case)
    fresh_check(case, locked)
    if not can_intake(actor, locked):
        raise PermissionDenied(_("只有本部门窗口工作人员可以办结归档。"))
    before = status_move(locked, Status.CLOSED, case)
    locked.closed_at = timezone.now()
    case_save(locked, "status", "closed_at")
    case_event(locked, "case.closed", actor, before={"status": before}, after={"status": locked.status})
    applicant_tell(locked, _("已办结：%(n)s") % {"n": locked.tracking_number}, _("欢迎对本次服务作出评价。"))
    return locked


@transaction.atomic
def case_withdraw(*, case: Case, actor: User, reason: str = "") -> Case:
    """The applicant withdraws: every open clock of the case is cancelled."""
    locked = case_lock(case)
    if not can_withdraw(actor, locked):
        raise PermissionDenied(_("只有申请人本人可以撤回申请。"))
    fresh_check(case, locked)
    before = status_move(locked, Status.WITHDRAWN, case)
    now = timezone.now()
    locked.closed_at = now
    for t in locked.tasks.filter(status__in=[TaskStatus.ACTIVE, TaskStatus.PENDING]):
        t.status = TaskStatus.CANCELLED
        t.save(update_fields=["status", "updated_at"])
    for c in Clock.objects.filter(
        pk__in=[
            locked.acceptance_clock_id,
            locked.decision_clock_id,
            *locked.tasks.exclude(clock=None).values_list("clock_id", flat=True),
        ],
        status__in=[ClockStatus.RUNNING, ClockStatus.PAUSED],
    ):
        clock_stop(clock=c, actor=actor, at=now, cancelled=True)
    case_save(locked, "status", "closed_at")
    case_event(
        locked,
        "case.withdrawn",
        actor,
        before={"status": before},
        after={"status": locked.status},
        reason=(reason or "").strip(),
    )
    staff_tell(locked, _("申请人已撤回：%(n)s") % {"n": locked.tracking_number})
    return locked
