"""Permission-scoped reads of cases (conventions §3)."""

from __future__ import annotations

__all__ = [
    "case_clocks",
    "case_timeline",
    "cases_for_user",
    "clock_title",
    "enquiries_for_user",
    "negative_reports_for_user",
    "queue_for_user",
    "track_lookup",
]

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoneng.cases.choices import DecisionOutcome, NegativeStatus, OpinionKind, TaskStatus
from xiaoneng.cases.models import Case, Enquiry, NegativeReport, StepTask
from xiaoneng.cases.verification import verification_check
from xiaoneng.core.models import Event
from xiaoneng.core.scoping import region_subtree_q, restrict
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.workdays.choices import ClockStatus, PauseReason
from xiaoneng.workdays.models import Clock


def cases_for_user(user: Any) -> QuerySet[Case]:
    """restrict() on Case, plus — for department staff — the cases their department co-handles
    through a step task (parallel approval). Everyone else's cases stay invisible."""
    base = Case.objects.select_related("version", "department", "decision_clock", "acceptance_clock")
    scoped = restrict(base, user)
    if getattr(user, "is_authenticated", False) and user.role in DEPARTMENT_ROLES and user.department_id:
        co = Case.objects.filter(tasks__department_id=user.department_id).values("pk")
        scoped = base.filter(Q(pk__in=scoped.values("pk")) | Q(pk__in=co))
    return scoped


def queue_for_user(user: Any, *, status: str = "", item: str = "", overdue: bool = False) -> list[dict[str, Any]]:
    """ "My queue" ordered by urgency (next due first): the step tasks the user may act on, plus the
    intake and decision work of their department. Each row carries the clock that drives it."""
    rows: list[dict[str, Any]] = []
    dept = user.department_id
    tasks = StepTask.objects.filter(status=TaskStatus.ACTIVE, department_id=dept).select_related(
        "case__version", "clock", "assignee"
    )
    if user.role != Role.DEPT_HEAD:
        tasks = tasks.filter(Q(assignee=user) | Q(assignee__isnull=True, role__in=["", user.role]))
    for t in tasks:
        rows.append({"case": t.case, "what": t.name, "clock": t.clock, "task": t})
    # CAS-7: a department deemed to consent still owes its written opinion within 1 working day
    owed = StepTask.objects.filter(
        status=TaskStatus.DEEMED,
        department_id=dept,
        written_clock__status__in=[ClockStatus.RUNNING, ClockStatus.PAUSED],
    ).select_related("case__version", "written_clock", "assignee")
    if user.role != Role.DEPT_HEAD:
        owed = owed.filter(Q(assignee=user) | Q(assignee__isnull=True, role__in=["", user.role]))
    for t in owed:
        label = str(_("补交书面意见：%(step)s")) % {"step": t.name}
        rows.append({"case": t.case, "what": label, "clock": t.written_clock, "task": t})
    if user.role in (Role.CLERK, Role.DEPT_HEAD):
        for c in Case.objects.filter(
            department_id=dept, status__in=["submitted", "supplement_requested"]
        ).select_related("version", "acceptance_clock"):
            what = _("受理审查") if c.status == "submitted" else _("等待申请人补正")
            rows.append({"case": c, "what": what, "clock": c.acceptance_clock, "task": None})
        for c in Case.objects.filter(
            department_id=dept, status__in=["decided_approved", "decided_refused"]
        ).select_related("version", "delivery_clock"):
            rows.append({"case": c, "what": _("送达"), "clock": c.delivery_clock, "task": None})
    if user.role in (Role.REVIEWER, Role.DEPT_HEAD):
        for c in Case.objects.filter(department_id=dept, status="in_review", current_stage__isnull=True).select_related(
            "version", "decision_clock"
        ):
            rows.append({"case": c, "what": _("待决定"), "clock": c.decision_clock, "task": None})
    if status:
        rows = [r for r in rows if r["case"].status == status]
    if item:
        rows = [r for r in rows if item in r["case"].version.name]
    now = timezone.now()
    if overdue:
        rows = [r for r in rows if r["clock"] is not None and r["clock"].due_at and r["clock"].due_at < now]
    far = datetime.max.replace(tzinfo=now.tzinfo)

    def urgency(r: dict[str, Any]) -> tuple[int, datetime, int]:
        # running clocks first, the one due soonest (so the overdue, red ones) on top; then paused
        # clocks (their time does not run); then work without a clock
        clock = r["clock"]
        if clock is None or clock.due_at is None:
            return (2, far, r["case"].pk)
        return (0 if clock.status == ClockStatus.RUNNING else 1, clock.due_at, r["case"].pk)

    rows.sort(key=urgency)
    return rows


def case_clocks(case: Case) -> list[Clock]:
    """Every clock owned by the case or one of its step tasks, with their history prefetched."""
    ct_case = ContentType.objects.get_for_model(Case)
    ct_task = ContentType.objects.get_for_model(StepTask)
    task_ids = list(case.tasks.values_list("pk", flat=True))
    return list(
        Clock.objects.filter(Q(owner_type=ct_case, owner_id=case.pk) | Q(owner_type=ct_task, owner_id__in=task_ids))
        .prefetch_related("pauses", "extensions")
        .order_by("started_at", "id")
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str
    actor: str
    reason: str
    after: dict[str, Any]
    clock_label: str = ""
    detail: str = ""  # what the step was about: the step and department, the opinion, the notice …


# the case-level clocks by kind; a step's clock keeps its own label (stage · step (department))
CLOCK_TITLES = {
    "case.acceptance": _("受理时限"),
    "case.decision": _("办理时限"),
    "case.delivery": _("送达时限"),
}


def clock_title(clock: Clock) -> str:
    """The name of a clock on its case's pages (the stored label also names the case, for lists)."""
    return str(CLOCK_TITLES.get(clock.kind, clock.label))


# kept from the applicant and the public: internal control steps (CAS-6 before issue; SUP-2 evidence)
INTERNAL_ACTIONS = frozenset(
    {"case.negative_report_submitted", "case.negative_report_reviewed", "case.supplement_second_refused"}
)


ACTION_LABELS = {
    "case.submitted": _("提交申请"),
    "case.supplement_requested": _("一次性告知补正"),
    "case.supplement_second_refused": _("再次要求补正被拒绝（已记录）"),
    "case.supplemented": _("补正材料"),
    "case.corrected": _("当场更正"),
    "case.accepted": _("受理"),
    "case.deemed_accepted": _("视为受理"),
    "case.refused_at_intake": _("不予受理"),
    "case.step_decided": _("环节办理意见"),
    "case.stage_completed": _("阶段完成"),
    "case.deemed_consent": _("超时默认同意"),
    "case.absent_consent": _("缺席默认同意"),
    "case.written_opinion": _("补交书面意见"),
    "case.paused": _("特别程序（暂停计时）"),
    "case.resumed": _("恢复计时"),
    "case.extended": _("延长期限"),
    "case.negative_report_submitted": _("提交否定报备"),
    "case.negative_report_reviewed": _("领导审核否定报备"),
    "case.decided": _("作出决定"),
    "case.delivered": _("送达"),
    "case.closed": _("办结"),
    "case.withdrawn": _("撤回"),
    "case.fee_charged": _("收费"),
    "clock.started": _("开始计时"),
    "clock.paused": _("暂停计时"),
    "clock.resumed": _("恢复计时"),
    "clock.extended": _("延长时限"),
    "clock.stopped": _("计时结束"),
    "clock.cancelled": _("计时撤销"),
    "clock.recomputed": _("重新计算"),
}


def case_timeline(case: Case, clocks: list[Clock] | None = None, *, staff: bool = True) -> list[TimelineEntry]:
    """The Event trail of the case and of its clocks, oldest first."""
    clocks = clocks if clocks is not None else case_clocks(case)
    ct_case = ContentType.objects.get_for_model(Case)
    ct_clock = ContentType.objects.get_for_model(Clock)
    labels = {str(c.pk): clock_title(c) for c in clocks}
    events = (
        Event.objects.filter(
            Q(subject_type=ct_case, subject_id=str(case.pk)) | Q(subject_type=ct_clock, subject_id__in=list(labels))
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    if not staff:
        events = events.exclude(action__in=INTERNAL_ACTIONS)
    out = []
    for e in events:
        actor = "" if e.actor is None else (str(e.actor) if staff else e.actor.get_role_display())
        out.append(
            TimelineEntry(
                at=e.at,
                action=str(ACTION_LABELS.get(e.action, e.action)),
                actor=actor or str(_("系统")),
                reason=e.reason,
                after=e.after,
                clock_label=labels.get(e.subject_id, "") if e.subject_type_id == ct_clock.pk else "",
                detail=_detail(e.action, e.after or {}, e.before or {}),
            )
        )
    return out


def _detail(action: str, after: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    """One line saying what an event was about, from its recorded after-state (and before-state)."""
    parts: list[str] = []
    if action == "clock.recomputed":
        # CLK-5: a calendar change moved the deadline; the trail says from what to what, and why
        old, new = (before or {}).get("due_date"), after.get("due_date")
        if old and new and old != new:
            parts.append(str(_("到期日 %(old)s → %(new)s")) % {"old": old, "new": new})
        elif new:
            parts.append(str(_("到期日 %(new)s 不变")) % {"new": new})
        if after.get("calendar_revision"):
            parts.append(str(_("按工作日历第%(n)s版")) % {"n": after["calendar_revision"]})
        if (before or {}).get("provisional") and not after.get("provisional"):
            parts.append(str(_("放假安排已确认，不再暂定")))
    if after.get("step"):
        parts.append(f"{after['step']}（{after.get('department', '')}）" if after.get("department") else after["step"])
    if after.get("kind") in OpinionKind.values and action.startswith("case.") and "step" in after:
        parts.append(str(OpinionKind(after["kind"]).label))
    if action == "case.decided" and after.get("outcome") in DecisionOutcome.values:
        parts.append(str(DecisionOutcome(after["outcome"]).label))
    if action == "case.paused" and after.get("reason") in PauseReason.values:
        parts.append(
            _("%(proc)s，预计%(days)s个工作日")
            % {"proc": PauseReason(after["reason"]).label, "days": after.get("expected_days")}
        )
    if action == "case.extended" and after.get("days"):
        parts.append(_("延长%(days)s个工作日") % {"days": after["days"]})
    if action == "case.stage_completed" and after.get("name"):
        parts.append(str(after["name"]))
    if after.get("notice"):
        parts.append(_("文书 %(n)s") % {"n": after["notice"]})
    return "；".join(str(p) for p in parts)


def track_lookup(tracking_number: str, code: str) -> Case | None:
    """The public look-up: a case only for the right pair (tracking number, verification code)."""
    case = Case.objects.select_related("version", "department").filter(tracking_number=tracking_number.strip()).first()
    if case is None or not verification_check(case, code):
        return None
    return case


def negative_reports_for_user(user: Any, *, pending_only: bool = True) -> QuerySet[NegativeReport]:
    qs = NegativeReport.objects.select_related("case__version", "case__department", "handler", "leader")
    if pending_only:
        qs = qs.filter(status=NegativeStatus.PENDING)
    if user.is_superuser:
        return qs
    if user.role == Role.DEPT_HEAD and user.department_id:
        return qs.filter(case__department_id=user.department_id)
    if user.role == Role.LEADER and user.region_id:
        return qs.filter(region_subtree_q("case__department__region__path", user.region.path))
    return qs.none()


def enquiries_for_user(user: Any) -> QuerySet[Enquiry]:
    return restrict(Enquiry.objects.select_related("registered_by", "department"), user)
