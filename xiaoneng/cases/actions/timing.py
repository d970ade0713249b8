"""Pauses and extensions of a case's clocks: a special procedure the item lists (CAS-4, 行政许可法
第四十五条) pauses them with a written notice, and resumes them; an extension of the decision limit
(CAS-3, 行政许可法 第四十二条) by the agency head (+10) or the same-level government (+15)."""

from __future__ import annotations

__all__ = [
    "case_extend",
    "case_pause",
    "case_resume",
]

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.cases.actions.notices import date_text, due_text, government_name, notice_issue
from xiaoneng.cases.actions.notifications import applicant_tell
from xiaoneng.cases.actions.transition import case_event, case_lock, case_save, fresh_check
from xiaoneng.cases.choices import ExtensionRole, NoticeKind, Status, TaskStatus
from xiaoneng.cases.models import Case
from xiaoneng.cases.permissions import can_extend, can_pause
from xiaoneng.orgs.models import User
from xiaoneng.workdays.choices import ClockStatus, PauseReason
from xiaoneng.workdays.models import Clock, ClockExtension
from xiaoneng.workdays.services import clock_extend, clock_pause, clock_resume


def _case_clocks(case: Case, statuses: Iterable[str]) -> list[Clock]:
    clocks = [case.decision_clock] if case.decision_clock else []
    clocks += [
        t.clock for t in case.tasks.filter(status=TaskStatus.ACTIVE).select_related("clock") if t.clock is not None
    ]
    return [c for c in clocks if c.status in set(statuses)]


@transaction.atomic
def case_pause(*, case: Case, actor: User, reason: str, expected_days: int, note: str = "") -> Case:
    """CAS-4 (行政许可法 第四十五条): a special procedure the item lists stops the clocks; the expected
    duration is told to the applicant in writing (a special-procedure notice)."""
    locked = case_lock(case)
    fresh_check(case, locked)
    if not can_pause(actor, locked):
        raise PermissionDenied(_("只有本部门审核人员或负责人可以启动特别程序。"))
    if locked.status != Status.IN_REVIEW or locked.decision_clock is None:
        raise ValidationError(_("只有审查中的办件可以启动特别程序。"), code="state")
    procedures = {p.kind: p for p in locked.version.special_procedures.all()}
    if reason not in procedures:
        raise ValidationError({"reason": [_("该事项未列明此特别程序，不能据此暂停计时。")]})  # CAS-4
    try:
        days = int(expected_days)
    except (TypeError, ValueError):
        raise ValidationError({"expected_days": [_("请填写预计所需工作日数。")]}) from None
    if days < 1 or days > procedures[reason].max_days:
        raise ValidationError(
            {"expected_days": [_("预计时长应在1至%(max)d个工作日之间。") % {"max": procedures[reason].max_days}]}
        )
    if locked.decision_clock.status != ClockStatus.RUNNING:
        raise ValidationError(_("办理时限已处于暂停状态。"), code="paused")
    now = timezone.now()
    for clock in _case_clocks(locked, [ClockStatus.RUNNING]):
        clock_pause(clock=clock, reason=reason, actor=actor, note=note, expected_days=days, at=now)
    label = PauseReason(reason).label
    notice = notice_issue(
        kind=NoticeKind.SPECIAL_PROCEDURE,
        department=locked.department,
        addressee=locked.applicant_name,
        lines=[
            _(
                "你（单位）申请的%(item)s（办件编号：%(n)s），因需要进行%(proc)s，根据《中华人民共和国行政许可法》第四十五条的规定，所需时间不计算在办理期限内。"
            )
            % {"item": locked.version.name, "n": locked.tracking_number, "proc": label},
            _("特别程序自%(d)s开始，预计需要%(days)d个工作日。") % {"d": date_text(now), "days": days},
            *([note.strip()] if note.strip() else []),
        ],
        actor=actor,
        case=locked,
    )
    case_save(locked, "status")
    case_event(
        locked,
        "case.paused",
        actor,
        after={"reason": reason, "expected_days": days, "notice": notice.number},
        reason=note,
    )
    applicant_tell(
        locked,
        _("办件进入特别程序：%(n)s") % {"n": locked.tracking_number},
        _("%(proc)s，预计%(days)d个工作日，期间不计入办理时限。") % {"proc": label, "days": days},
    )
    return locked


@transaction.atomic
def case_resume(*, case: Case, actor: User) -> Case:
    """The special procedure is over: every paused clock of the case runs again."""
    locked = case_lock(case)
    fresh_check(case, locked)
    if not can_pause(actor, locked):
        raise PermissionDenied(_("只有本部门审核人员或负责人可以结束特别程序。"))
    clocks = _case_clocks(locked, [ClockStatus.PAUSED])
    if locked.status != Status.IN_REVIEW or not clocks:
        raise ValidationError(_("该办件没有处于暂停状态的时限。"), code="state")
    now = timezone.now()
    for clock in clocks:
        clock_resume(clock=clock, actor=actor, at=now)
    case_save(locked, "status")
    case_event(locked, "case.resumed", actor, after={"clocks": len(clocks)})
    applicant_tell(locked, _("特别程序结束，恢复计时：%(n)s") % {"n": locked.tracking_number})
    return locked


@transaction.atomic
def case_extend(*, case: Case, actor: User, kind: str, reason: str) -> Case:
    """CAS-3 (行政许可法 第四十二条): +10 working days with the agency head's approval; +15 for joint or
    parallel handling with the same-level government's approval; each at most once; the reasons
    are told to the applicant (extension notice)."""
    locked = case_lock(case)
    fresh_check(case, locked)
    if kind not in ExtensionRole.DAYS:
        raise ValidationError({"kind": [_("请选择延期类型。")]})
    if not can_extend(actor, locked, kind):
        raise PermissionDenied(
            _("延长10个工作日须经本机关负责人批准；联合办理延长15个工作日须经本级人民政府负责人批准。")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("延期必须说明理由，并告知申请人。")]})  # CAS-3
    if locked.status != Status.IN_REVIEW or locked.decision_clock is None or not locked.decision_clock.is_open:
        raise ValidationError(_("只有审查中的办件可以延期。"), code="state")
    if kind == ExtensionRole.GOVERNMENT and not locked.tasks.filter(parallel=True).exists():
        raise ValidationError(_("只有联合办理、并联审批的办件可以经本级人民政府批准延长15个工作日。"))  # CAS-3
    if ClockExtension.objects.filter(clock=locked.decision_clock, kind=kind).exists():
        raise ValidationError(_("同一类型的延期只能批准一次。"), code="twice")  # CAS-3
    days = ExtensionRole.DAYS[kind]
    clock_extend(clock=locked.decision_clock, days=days, kind=kind, reason=reason, approver=actor)
    locked.decision_clock.refresh_from_db()
    notice = notice_issue(
        kind=NoticeKind.EXTENSION,
        department=locked.department,
        addressee=locked.applicant_name,
        lines=[
            _("你（单位）申请的%(item)s（办件编号：%(n)s），因%(reason)s，不能在规定期限内作出决定。")
            % {"item": locked.version.name, "n": locked.tracking_number, "reason": reason},
            _("经%(who)s批准，办理期限延长%(days)d个工作日，延长后的期限至%(due)s。")
            % {
                "who": _("本机关负责人") if kind == ExtensionRole.AGENCY_HEAD else government_name(locked),
                "days": days,
                "due": due_text(locked.decision_clock),
            },
            _("根据：《中华人民共和国行政许可法》第四十二条。"),
        ],
        actor=actor,
        case=locked,
    )
    case_save(locked, "status")
    case_event(
        locked, "case.extended", actor, after={"kind": kind, "days": days, "notice": notice.number}, reason=reason
    )
    applicant_tell(
        locked,
        _("办理期限延长%(days)d个工作日：%(n)s") % {"days": days, "n": locked.tracking_number},
        reason,
    )
    return locked
