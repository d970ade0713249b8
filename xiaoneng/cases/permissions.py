"""Who may do what with a case, and the scoped look-ups by id (conventions §3). Actions check the
can_* rules; pages and the API use the same functions to decide which actions to offer, and find
every row a request names by id through an access_*_by_id helper: a row outside the user's scope is
a 404, never a 403 that would confirm it exists."""

from __future__ import annotations

__all__ = [
    "access_case_by_id",
    "access_material_by_id",
    "access_negative_report_by_id",
    "access_notice_by_id",
    "access_own_task_by_id",
    "access_task_by_id",
    "can_decide",
    "can_deliver",
    "can_extend",
    "can_intake",
    "can_pause",
    "can_report_negative",
    "can_review_negative",
    "can_step_decide",
    "can_withdraw",
    "case_actions",
    "in_region_of",
    "step_sign_decides",
    "task_ref",
]

from typing import Any

from django.shortcuts import get_object_or_404

from xiaoneng.cases.choices import (
    TRANSITIONS,
    ExtensionRole,
    NegativeKind,
    NegativeStatus,
    OpinionKind,
    Status,
    TaskStatus,
)
from xiaoneng.cases.models import Case, CaseMaterial, NegativeReport, Notice, Opinion, StepTask
from xiaoneng.cases.selectors import cases_for_user, enquiries_for_user, negative_reports_for_user
from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.choices import Role

# what the actions compare before they lock and read the task again (they never trust this copy)
TASK_FIELDS = ("id", "case_id", "stage_index", "status")


def access_case_by_id(user: Any, pk: int) -> Case:
    """The case if the user may see it (cases_for_user: own applications, the department's and
    region's cases, the cases the department co-handles), else 404."""
    return get_object_or_404(cases_for_user(user), pk=pk)


def access_task_by_id(user: Any, pk: int, *, case_id: int) -> StepTask:
    """A step task of a case the user may see, in one query (the case scope is a subquery). Only what
    the actions compare under their lock is read: they load the task again there."""
    scoped = StepTask.objects.filter(case__in=cases_for_user(user).values("pk")).only(*TASK_FIELDS)
    return get_object_or_404(scoped, pk=pk, case_id=case_id)


def access_own_task_by_id(user: Any, pk: int, *, case_id: int) -> StepTask:
    """A step task in its own scope (StepTask.scope: its department's staff), the only ones who may
    sign its opinion (CAS-9): one cheap query on the busiest endpoint; everyone else gets 404."""
    return get_object_or_404(restrict(StepTask.objects.only(*TASK_FIELDS), user), pk=pk, case_id=case_id)


def task_ref(pk: int, *, case_id: int) -> StepTask:
    """A step task named by id only, for an opinion (the busiest write): no query here. The action
    reads it once, under the case lock, with its stage (case_step_decide), and checks who may sign it
    (can_step_decide, CAS-9: narrower than the task's scope); the caller turns a refusal into a 404
    when the task lies outside the user's scope (access_own_task_by_id), and a task that does not
    exist in that case (StepTask.DoesNotExist) into a 404 too."""
    return StepTask(pk=pk, case_id=case_id, status="")  # no default: stage_index is None


def access_material_by_id(user: Any, pk: int, *, case_id: int) -> CaseMaterial:
    """A material of a case the user may see (materials live outside the web root)."""
    return get_object_or_404(CaseMaterial, pk=pk, case=access_case_by_id(user, case_id))


def access_notice_by_id(user: Any, pk: int) -> Notice:
    """A notice of a case, or of an enquiry, that the user may see."""
    notice = get_object_or_404(Notice.objects.select_related("department", "case"), pk=pk)
    if notice.case_id:
        access_case_by_id(user, notice.case_id)
    else:
        get_object_or_404(enquiries_for_user(user), pk=notice.enquiry_id)
    return notice


def access_negative_report_by_id(user: Any, pk: int, *, pending_only: bool = True) -> NegativeReport:
    """A negative-decision report that the user is the responsible leader for (CAS-6)."""
    return get_object_or_404(negative_reports_for_user(user, pending_only=pending_only), pk=pk)


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _of_department(user: Any, department_id: int, roles: set[Any]) -> bool:
    return user.role in roles and user.department_id == department_id


def in_region_of(user: Any, department: Any) -> bool:
    """The user's region is the department's region or one of its ancestors."""
    if user.region_id is None:
        return False
    path, dpath = user.region.path, department.region.path
    return bool(dpath == path or dpath.startswith(path + "/"))


def can_intake(user: Any, case: Case) -> bool:
    """Window work (受理, 不予受理, 一次性告知, 送达): the case department's clerks and its head."""
    if not _active(user):
        return False
    return user.is_superuser or _of_department(user, case.department_id, {Role.CLERK, Role.DEPT_HEAD})


can_deliver = can_intake


def can_step_decide(user: Any, task: StepTask) -> bool:
    """CAS-9: the holder the task was assigned to (A, or B while A is absent); with no named holder,
    anyone of the step's role in its department; the department head always."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if user.department_id != task.department_id:
        return False
    if user.role == Role.DEPT_HEAD:
        return True
    if task.assignee_id is not None:
        return bool(task.assignee_id == user.pk)
    return not task.role or user.role == task.role


def can_decide(user: Any, case: Case, *, referred_up: bool = False) -> bool:
    """Reviewers and the head of the case department decide; an opinion "agree but refer up" leaves
    the decision to the head (or a leader of the region)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if user.role == Role.LEADER:
        return in_region_of(user, case.department)
    roles = {Role.DEPT_HEAD} if referred_up else {Role.DEPT_HEAD, Role.REVIEWER}
    return _of_department(user, case.department_id, roles)


def step_sign_decides(actor: Any, case: Case, task: StepTask) -> bool:
    """Whether the head's "agree" on `task` is the approval that makes the decision: a step of the
    case's own department (not a co-handling department's opinion), signed by the department head,
    who may decide this case. Whether it completes the last stage is known once it is signed."""
    if not getattr(actor, "is_authenticated", False) or task.parallel or task.department_id != case.department_id:
        return False
    if not (actor.is_superuser or actor.role == Role.DEPT_HEAD):
        return False
    return can_decide(actor, case, referred_up=True)


def can_pause(user: Any, case: Case) -> bool:
    if not _active(user):
        return False
    return user.is_superuser or _of_department(user, case.department_id, {Role.REVIEWER, Role.DEPT_HEAD})


def can_report_negative(user: Any, case: Case) -> bool:
    if not _active(user):
        return False
    return user.is_superuser or _of_department(user, case.department_id, {Role.CLERK, Role.REVIEWER, Role.DEPT_HEAD})


def can_review_negative(user: Any, report: NegativeReport) -> bool:
    """CAS-6: the responsible leader — the head of the case department, or a leader of its region."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if report.handler_id == user.pk:
        return False  # nobody reviews their own report
    if user.role == Role.DEPT_HEAD:
        return bool(user.department_id == report.case.department_id)
    return bool(user.role == Role.LEADER and in_region_of(user, report.case.department))


def can_extend(user: Any, case: Case, kind: str) -> bool:
    """CAS-3: +10 by the agency head (the department head); +15 by the same-level government (a leader)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if kind == ExtensionRole.AGENCY_HEAD:
        return _of_department(user, case.department_id, {Role.DEPT_HEAD})
    return user.role == Role.LEADER and in_region_of(user, case.department)


def can_withdraw(user: Any, case: Case) -> bool:
    return _active(user) and case.applicant_id is not None and case.applicant_id == user.pk


def case_actions(user: Any, case: Case, tasks: list[StepTask]) -> dict[str, Any]:
    """Which actions to offer on a case: exactly the ones its services would let this user perform
    now. The staff page shows these forms; the API lists them (CaseDetailOut.actions)."""
    s = case.status
    open_tasks = [t for t in tasks if t.status in (TaskStatus.ACTIVE, TaskStatus.PENDING)]
    clock = case.decision_clock
    intake = can_intake(user, case)
    approved = set(
        NegativeReport.objects.filter(case=case, status=NegativeStatus.APPROVED, used=False).values_list(
            "kind", flat=True
        )
    )
    pending_report = s == Status.PENDING_NEGATIVE_REPORT or (
        s == Status.IN_REVIEW and NegativeReport.objects.filter(case=case, status=NegativeStatus.PENDING).exists()
    )
    referred_up = (
        s == Status.IN_REVIEW
        and not open_tasks
        and Opinion.objects.filter(task__case=case, kind=OpinionKind.AGREE_REFER_UP, is_written_followup=False).exists()
    )
    return {
        "correct": intake and s == Status.SUBMITTED,
        "accept": intake and s == Status.SUBMITTED,
        "supplement_request": intake and s == Status.SUBMITTED and not case.supplement_notices.exists(),
        "supplement_upload": intake and s == Status.SUPPLEMENT_REQUESTED,
        # CAS-6: a refusal at intake is issued only on a report the leader approved
        "refuse": intake
        and s in (Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED)
        and NegativeKind.NON_ACCEPTANCE in approved,
        "negative": can_report_negative(user, case)
        and not pending_report
        and s in (Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED, Status.IN_REVIEW),
        "pause": can_pause(user, case) and s == Status.IN_REVIEW and clock is not None and clock.status == "running",
        "resume": can_pause(user, case) and s == Status.IN_REVIEW and clock is not None and clock.status == "paused",
        "extend": s == Status.IN_REVIEW
        and clock is not None
        and clock.is_open
        and (can_extend(user, case, ExtensionRole.AGENCY_HEAD) or can_extend(user, case, ExtensionRole.GOVERNMENT)),
        "decide": s == Status.IN_REVIEW and not open_tasks and can_decide(user, case, referred_up=referred_up),
        "deliver": can_deliver(user, case) and s in (Status.DECIDED_APPROVED, Status.DECIDED_REFUSED),
        "close": intake and s in (Status.DELIVERED, Status.REFUSED_AT_INTAKE),
        "fee": intake
        and case.version.fees.exists()
        and s not in (Status.WITHDRAWN, Status.CLOSED, Status.REFUSED_AT_INTAKE),
        "absent": s == Status.IN_REVIEW
        and _active(user)
        and (user.is_superuser or (user.role == Role.DEPT_HEAD and user.department_id == case.department_id))
        and any(t.parallel and t.status == TaskStatus.ACTIVE for t in tasks),
        "withdraw": can_withdraw(user, case) and Status.WITHDRAWN in TRANSITIONS[Status(s)],
        "opinion_tasks": [
            t
            for t in tasks
            if can_step_decide(user, t)
            and (
                (t.status == TaskStatus.ACTIVE and s == Status.IN_REVIEW)
                or (t.status == TaskStatus.DEEMED and t.written_clock is not None and t.written_clock.is_open)
            )
        ],
    }
