"""Supervised tasks (督查督办): assign to departments with a deadline Clock each (CAS-10), progress and
completion reports with evidence, urging (催办), verification (销号) or return by the office."""

from __future__ import annotations

__all__ = [
    "CLOCK_KIND",
    "REDO_DAYS",
    "task_assign",
    "task_complete",
    "task_reject",
    "task_report_progress",
    "task_urge",
    "task_verify",
]

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.services import notify, tracking_number_next
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.models import Department, User
from xiaoneng.oversight.choices import ASSIGNMENT_TRANSITIONS, AssignmentStatus, ReportKind, TaskSource, TaskStatus
from xiaoneng.oversight.inputs import file_check, limit_resolve, text_clean
from xiaoneng.oversight.models import SupervisedTask, TaskAssignment, TaskReport
from xiaoneng.oversight.permissions import can_office_region, can_report, can_supervise
from xiaoneng.oversight.selectors import department_heads, region_supervisors
from xiaoneng.workdays.services import clock_start, clock_stop

CLOCK_KIND = "oversight.task"
# A share returned after verification is redone within this many working days unless the office says.
REDO_DAYS = 5
MAX_DEPARTMENTS = 50


def _url(task: SupervisedTask) -> str:
    return reverse("oversight:task_detail", args=[task.pk])


def _dept_staff(department_id: int) -> list[User]:
    """Who hears about a share: the department's head and its staff (the 督办 liaison is among them)."""
    return list(User.objects.filter(department_id=department_id, is_active=True, role__in=("dept_head", "clerk")))


def _transition(assignment: TaskAssignment, action: str) -> str:
    sources, target = ASSIGNMENT_TRANSITIONS[action]
    if assignment.status not in sources:
        raise ValidationError(
            _("承办任务当前状态为“%(status)s”，不能执行该操作。") % {"status": assignment.get_status_display()},
            code="state",
        )
    return target


def _locked(assignment: TaskAssignment) -> TaskAssignment:
    return (
        TaskAssignment.objects.select_for_update(of=("self",))
        .select_related("task", "task__region", "department", "clock")
        .get(pk=assignment.pk)
    )


def _start_clock(assignment: TaskAssignment, *, days: int, actor: Any, label: str) -> None:
    assignment.clock = clock_start(
        owner=assignment,
        kind=CLOCK_KIND,
        label=label[:100],
        limit=days,
        department=assignment.department,
        actor=actor,
        legal_basis=str(_("督查督办时限（未明确时限的默认15个工作日）")),
    )
    assignment.save(update_fields=["clock", "updated_at"])


def task_assign(
    *,
    actor: Any,
    title: str,
    source: str,
    requirement: str,
    departments: Sequence[Department],
    source_ref: str = "",
    days: Any = None,
    due: date | None = None,
) -> SupervisedTask:
    """The office assigns a task to one or more departments of its region (or below), each share
    with its own Clock: `days` working days, or until `due`, or CAS-10's 15 working days."""
    if actor is None or not can_office_region(actor, actor.region.path if actor.region_id else "-"):
        raise PermissionDenied(_("只有效能办或领导可以交办督办事项。"))
    title = text_clean(title, field="title", label=_("督办事项"), max_length=200)
    requirement = text_clean(requirement, field="requirement", label=_("督办要求"), max_length=5000)
    source_ref = text_clean(source_ref, field="source_ref", label=_("来源文号"), max_length=100, min_length=0)
    if source not in TaskSource.values:
        raise ValidationError({"source": _("请选择任务来源。")})
    depts = list({d.pk: d for d in departments}.values())
    if not depts:
        raise ValidationError({"departments": _("请至少选择一个承办部门。")})
    if len(depts) > MAX_DEPARTMENTS:
        raise ValidationError({"departments": _("承办部门不能超过%(n)d个。") % {"n": MAX_DEPARTMENTS}})
    for d in depts:
        if not can_office_region(actor, d.region.path):
            raise PermissionDenied(_("只能向本辖区的部门交办督办事项。"))
    limit = limit_resolve(days=days, due=due)
    tenant_ids = {d.tenant_id for d in depts}
    if len(tenant_ids) != 1:
        raise ValidationError({"departments": _("承办部门必须属于同一辖区。")})
    with transaction.atomic():
        region = actor.region if actor.region_id else depts[0].region
        task = SupervisedTask.objects.create(
            tenant_id=depts[0].tenant_id,
            number=tracking_number_next(tenant=depts[0].tenant, prefix="DB"),
            title=title,
            source=source,
            source_ref=source_ref,
            requirement=requirement,
            region=region,
            assigned_by=actor,
        )
        for d in depts:
            a = TaskAssignment.objects.create(tenant_id=task.tenant_id, task=task, department=d)
            _start_clock(a, days=limit, actor=actor, label=_("督办：%(title)s") % {"title": title[:80]})
        event_append(
            subject=task,
            action="task.assigned",
            actor=actor,
            after={"source": source, "departments": [d.pk for d in depts], "limit": limit},
            reason=requirement[:500],
        )
        notify(
            recipients=[u for d in depts for u in _dept_staff(d.pk)],
            title=_("新的督办事项：%(title)s") % {"title": title},
            body=_("请在%(days)d个工作日内办结并报送办理情况。") % {"days": limit},
            url=_url(task),
        )
    return task


def _report(
    *, assignment: TaskAssignment, actor: Any, text: str, file: Any, kind: str, action: str
) -> tuple[TaskAssignment, TaskReport]:
    if not can_report(actor, assignment):
        raise PermissionDenied(_("只有承办部门可以报送办理情况。"))
    text = text_clean(text, field="text", label=_("办理情况"), max_length=5000)
    file_check(file)
    a = _locked(assignment)
    target = _transition(a, action)
    report = TaskReport(assignment=a, kind=kind, text=text, submitted_by=actor)
    if file is not None:
        report.file.save(file.name or "evidence", file, save=False)
    report.save()
    a.status = target
    return a, report


def task_report_progress(*, assignment: TaskAssignment, actor: Any, text: str, file: Any = None) -> TaskReport:
    """The department reports progress (进展) on its share; the share stays open."""
    with transaction.atomic():
        a, report = _report(
            assignment=assignment, actor=actor, text=text, file=file, kind=ReportKind.PROGRESS, action="progress"
        )
        event_append(
            subject=a,
            action="task.progress",
            actor=actor,
            after={"report": report.pk, "file": bool(report.file)},
            reason=report.text[:500],
        )
    return report


def task_complete(*, assignment: TaskAssignment, actor: Any, text: str, file: Any = None) -> TaskReport:
    """The department reports its share completed (办结) with evidence: its Clock stops (on time or
    late, as the trail records) and the office is asked to verify."""
    with transaction.atomic():
        a, report = _report(
            assignment=assignment, actor=actor, text=text, file=file, kind=ReportKind.COMPLETION, action="complete"
        )
        a.completed_at = timezone.now()
        a.save(update_fields=["status", "completed_at", "updated_at"])
        if a.clock_id is not None:
            clock_stop(clock=a.clock_id, actor=actor)
        event_append(
            subject=a,
            action="task.completed",
            actor=actor,
            before={"status": AssignmentStatus.ASSIGNED},
            after={"status": a.status, "report": report.pk, "file": bool(report.file)},
            reason=report.text[:500],
        )
        notify(
            recipients=region_supervisors(a.task.region.path),
            title=_("督办事项待核验：%(title)s") % {"title": a.task.title},
            body=_("%(dept)s已报送办结情况，请核验销号。") % {"dept": a.department},
            url=_url(a.task),
        )
    return report


def task_urge(*, assignment: TaskAssignment, actor: Any, note: str = "") -> TaskAssignment:
    """催办: the office presses a department on an open share (a notice to its staff and an Event)."""
    if not can_supervise(actor, assignment.task):
        raise PermissionDenied(_("只有效能办或领导可以催办。"))
    note = text_clean(note, field="note", label=_("催办意见"), max_length=1000, min_length=0)
    with transaction.atomic():
        a = _locked(assignment)
        _transition(a, "urge")
        a.urges += 1
        a.last_urged_at = timezone.now()
        a.save(update_fields=["urges", "last_urged_at", "updated_at"])
        event_append(subject=a, action="task.urged", actor=actor, after={"urges": a.urges}, reason=note)
        notify(
            recipients=_dept_staff(a.department_id),
            title=_("催办通知：%(title)s") % {"title": a.task.title},
            body=note or _("请抓紧办理并及时报送办理情况。"),
            url=_url(a.task),
        )
    return a


def _close_if_done(task: SupervisedTask, actor: Any) -> None:
    task = SupervisedTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if task.status == TaskStatus.CLOSED:
        return
    if task.assignments.exclude(status=AssignmentStatus.VERIFIED).exists():
        return
    task.status = TaskStatus.CLOSED
    task.closed_at = timezone.now()
    task.save(update_fields=["status", "closed_at", "updated_at"])
    event_append(
        subject=task,
        action="task.closed",
        actor=actor,
        before={"status": TaskStatus.OPEN},
        after={"status": task.status},
    )


def task_verify(*, assignment: TaskAssignment, actor: Any, note: str = "") -> TaskAssignment:
    """销号: the office checks the completion evidence and closes the share; the task closes when
    every share is verified."""
    if not can_supervise(actor, assignment.task):
        raise PermissionDenied(_("只有效能办或领导可以核验销号。"))
    note = text_clean(note, field="note", label=_("核验意见"), max_length=2000, min_length=0)
    with transaction.atomic():
        a = _locked(assignment)
        a.status = _transition(a, "verify")
        a.verified_at = timezone.now()
        a.verified_by = actor
        a.verification_note = note
        a.save(update_fields=["status", "verified_at", "verified_by", "verification_note", "updated_at"])
        event_append(
            subject=a,
            action="task.verified",
            actor=actor,
            before={"status": AssignmentStatus.COMPLETED},
            after={"status": a.status},
            reason=note,
        )
        _close_if_done(a.task, actor)
        notify(
            recipients=department_heads([a.department_id]),
            title=_("督办事项已核验销号：%(title)s") % {"title": a.task.title},
            url=_url(a.task),
        )
    return a


def task_reject(*, assignment: TaskAssignment, actor: Any, reason: str, days: Any = None) -> TaskAssignment:
    """The completion is not accepted: the share returns to the department with the reason in writing
    and a new Clock to redo it (REDO_DAYS working days unless the office gives another limit)."""
    if not can_supervise(actor, assignment.task):
        raise PermissionDenied(_("只有效能办或领导可以核验销号。"))
    reason = text_clean(reason, field="reason", label=_("退回理由"), max_length=2000)
    limit = limit_resolve(days=days if days not in (None, "") else REDO_DAYS, field="days")
    with transaction.atomic():
        a = _locked(assignment)
        a.status = _transition(a, "reject")
        a.rejections += 1
        a.completed_at = None  # the completion was not accepted: the share is not done
        a.verification_note = reason
        a.save(update_fields=["status", "rejections", "completed_at", "verification_note", "updated_at"])
        _start_clock(a, days=limit, actor=actor, label=_("督办（退回重办）：%(title)s") % {"title": a.task.title[:70]})
        event_append(
            subject=a,
            action="task.rejected",
            actor=actor,
            before={"status": AssignmentStatus.COMPLETED},
            after={"status": a.status, "limit": limit},
            reason=reason,
        )
        notify(
            recipients=_dept_staff(a.department_id),
            title=_("督办事项被退回：%(title)s") % {"title": a.task.title},
            body=reason,
            url=_url(a.task),
        )
    return a
