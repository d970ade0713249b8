"""The negative-decision report (否定报备, CAS-6): a refusal, a non-acceptance or an overrun of the
committed limit is reported to the responsible leader before anything is issued; the leader reviews
it; an approved report is used up by the one refusal (or late decision) it allowed."""

from __future__ import annotations

__all__ = [
    "approved_report_take",
    "case_negative_report_review",
    "case_negative_report_submit",
]


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.cases.actions.notifications import department_staff, staff_url
from xiaoneng.cases.actions.transition import ConflictError, case_event, case_lock, case_save, fresh_check, status_move
from xiaoneng.cases.choices import NegativeKind, NegativeStatus, Status
from xiaoneng.cases.models import Case, NegativeReport
from xiaoneng.cases.permissions import can_report_negative, can_review_negative
from xiaoneng.core.services import notify
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import User


def approved_report_take(case: Case, kind: str) -> NegativeReport | None:
    return (
        NegativeReport.objects.select_for_update(of=("self",))
        .filter(case=case, kind=kind, status=NegativeStatus.APPROVED, used=False)
        .order_by("-reviewed_at")
        .first()
    )


@transaction.atomic
def case_negative_report_submit(
    *, case: Case, actor: User, kind: str, reasons: str, applicant_contact: str = ""
) -> NegativeReport:
    """CAS-6 否定报备: a refusal, a non-acceptance, or a case that cannot finish within its committed
    limit is reported to the responsible leader, with the handler, the reasons and the applicant's
    contact, before anything is issued."""
    locked = case_lock(case)
    fresh_check(case, locked)
    if not can_report_negative(actor, locked):
        raise PermissionDenied(_("只有本部门工作人员可以提交否定报备。"))
    reasons = (reasons or "").strip()
    if kind not in NegativeKind.values:
        raise ValidationError({"kind": [_("请选择报备类型。")]})
    if not reasons:
        raise ValidationError({"reasons": [_("否定报备必须写明理由。")]})  # CAS-6
    allowed = {
        NegativeKind.NON_ACCEPTANCE: {Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED},
        NegativeKind.REFUSAL: {Status.IN_REVIEW},
        NegativeKind.OVERDUE: {Status.IN_REVIEW},
    }[NegativeKind(kind)]
    if locked.status not in allowed:
        raise ValidationError(_("办件当前状态不能提交此类否定报备。"), code="state")
    if NegativeReport.objects.filter(case=locked, status=NegativeStatus.PENDING).exists():
        raise ValidationError(_("该办件已有待审核的否定报备。"), code="pending")
    contact = (applicant_contact or "").strip() or f"{locked.applicant_name} {locked.applicant_phone}".strip()
    report = NegativeReport.objects.create(
        case=locked,
        kind=kind,
        handler=actor,
        reasons=reasons,
        applicant_contact=contact[:100],
        from_status=locked.status,
    )
    before = locked.status
    if kind != NegativeKind.OVERDUE:
        # the refusal waits for the leader; an overrun report does not stop the work
        status_move(locked, Status.PENDING_NEGATIVE_REPORT, case)
    case_save(locked, "status")
    case_event(
        locked,
        "case.negative_report_submitted",
        actor,
        before={"status": before},
        after={"status": locked.status, "report": report.pk, "kind": kind},
        reason=reasons,
    )
    leaders = department_staff(locked.department_id, [Role.DEPT_HEAD])
    notify(
        recipients=[u for u in leaders if u.pk != actor.pk],
        title=_("否定报备待审核：%(n)s") % {"n": locked.tracking_number},
        body=reasons,
        url="/workbench/cases/negative-reports/",
        channels=("inbox", "sms"),
    )
    return report


@transaction.atomic
def case_negative_report_review(
    *, report: NegativeReport, actor: User, approve: bool, comment: str = ""
) -> NegativeReport:
    """CAS-6: the responsible leader (department head or region leader) reviews the report; the case
    returns to where it was, and only an approved report lets the refusal be issued."""
    locked = case_lock(report.case_id)
    fresh = (
        NegativeReport.objects.select_for_update(of=("self",))
        .select_related("case__department__region")
        .get(pk=report.pk)
    )
    if not can_review_negative(actor, fresh):
        raise PermissionDenied(_("只有负责领导可以审核否定报备，且不能审核本人提交的报备。"))
    if fresh.status != NegativeStatus.PENDING:
        raise ConflictError()
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": [_("退回必须说明意见。")]})
    fresh.case = locked
    fresh.status = NegativeStatus.APPROVED if approve else NegativeStatus.RETURNED
    fresh.leader = actor
    fresh.reviewed_at = timezone.now()
    fresh.review_comment = comment
    fresh.save(update_fields=["status", "leader", "reviewed_at", "review_comment", "updated_at"])
    before = locked.status
    if locked.status == Status.PENDING_NEGATIVE_REPORT:
        status_move(locked, fresh.from_status)
    case_save(locked, "status")
    case_event(
        locked,
        "case.negative_report_reviewed",
        actor,
        before={"status": before},
        after={"status": locked.status, "report": fresh.pk, "approved": approve},
        reason=comment,
    )
    notify(
        recipients=[fresh.handler],
        title=(_("否定报备已审核同意：%(n)s") if approve else _("否定报备被退回：%(n)s"))
        % {"n": locked.tracking_number},
        body=comment,
        url=staff_url(locked),
        channels=("inbox",),
    )
    return fresh
