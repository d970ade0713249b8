"""Processing: the steps of the pinned process definition, their opinions and the stages' joins
(CAS-7, CAS-9). A stage's tasks open together, each with its clock and assignee; a stage completes
by its join policy (all / any / quorum) and opens the next; with no stage left the case awaits its
decision. A department's opinion (`case_step_decide`) is the busiest write of the system: it reads
and writes as little as it can (docs/performance.md). Timeouts and absences are deemed consent,
with a written opinion owed within 1 working day (CAS-7)."""

from __future__ import annotations

__all__ = [
    "case_step_absent",
    "case_step_decide",
    "case_step_deemed_consent",
    "case_step_sign",
    "stage_open",
    "stage_tasks_create",
    "window_step_sign",
]

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.cases.actions.decision import decision_checked
from xiaoneng.cases.actions.notifications import department_staff, staff_url
from xiaoneng.cases.actions.transition import ConflictError, case_event, case_lock, case_save
from xiaoneng.cases.choices import DecisionOutcome, OpinionKind, Status, TaskStatus
from xiaoneng.cases.clocks import KIND_OPINION, KIND_STEP, KIND_WRITTEN, WRITTEN_OPINION_DAYS
from xiaoneng.cases.models import Case, Decision, Opinion, StepTask
from xiaoneng.cases.permissions import can_step_decide, step_sign_decides
from xiaoneng.catalog.choices import JoinPolicy, OnTimeout
from xiaoneng.catalog.models import Step
from xiaoneng.core.rowload import row_insert, row_shape, row_update
from xiaoneng.core.services import notify
from xiaoneng.core.trail import trail_batch
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import Department, User
from xiaoneng.workdays.choices import ClockStatus
from xiaoneng.workdays.services import clock_start, clock_stop, clock_stop_running


def stage_tasks_create(case: Case) -> None:
    """One task per step of the pinned definition (conventions §5: the case keeps its version)."""
    steps = list(
        Step.objects.filter(stage__process__version_id=case.version_id)
        .select_related("stage", "post")
        .order_by("stage__order", "stage_id", "order", "id")
    )
    stage_ids: list[int] = []
    for s in steps:
        if s.stage_id not in stage_ids:
            stage_ids.append(s.stage_id)
    counts: dict[int, int] = {}
    for s in steps:
        counts[s.stage_id] = counts.get(s.stage_id, 0) + 1
    StepTask.objects.bulk_create(
        [
            StepTask(
                case=case,
                step=s,
                stage_index=stage_ids.index(s.stage_id),
                stage_name=s.stage.name,
                name=s.name,
                parallel=counts[s.stage_id] > 1,
                join_policy=s.stage.join_policy,
                quorum=s.stage.quorum,
                department_id=s.department_id or case.department_id,
                role=s.role or (s.post.role if s.post else ""),
            )
            for s in steps
        ]
    )


def stage_open(case: Case, index: int, actor: Any, at: datetime) -> bool:
    """Activate the tasks of stage `index`: assign them (CAS-9) and start one clock each. False if
    there is no such stage (the case is ready for its decision)."""
    qs = StepTask.objects.filter(case_id=case.pk, stage_index=index).select_related("step__post", "department")
    tasks = sorted(qs.order_by(), key=lambda t: t.pk)
    if not tasks:
        case.current_stage = None
        return False
    case.current_stage = index
    using = router.db_for_write(StepTask)
    # the posts' A and B holders in one query (joining two user rows per task costs more)
    posts = [t.step.post for t in tasks if t.step.post is not None]
    holders = User.objects.in_bulk({h for p in posts for h in (p.holder_a_id, p.holder_b_id) if h is not None})
    for p in posts:
        p.holder_a = holders.get(p.holder_a_id) if p.holder_a_id else None
        p.holder_b = holders.get(p.holder_b_id) if p.holder_b_id else None
    # tasks without a named holder go to their department's staff of the step's role, read after the
    # commit (outside the case lock; one query per department and role, not per task)
    unassigned: dict[tuple[int, tuple[str, ...]], list[str]] = {}
    url = staff_url(case)
    for t in tasks:
        post = t.step.post
        # CAS-9: the A holder, or the B holder while A is absent
        t.assignee = post.assignee if post is not None else None
        t.status = TaskStatus.ACTIVE
        t.opened_at = at
        t.clock = clock_start(
            owner=t,
            kind=KIND_OPINION if t.parallel else KIND_STEP,
            label=_("%(stage)s·%(step)s（%(dept)s）")
            % {"stage": t.stage_name, "step": t.name, "dept": t.department.name},
            limit=t.step.limit_days,
            started_at=at,
            tenant_id=case.tenant_id,
            department=t.department,
            responsible=t.assignee,
            legal_basis=_("办理流程环节时限"),
            actor=actor,
        )
        t.updated_at = timezone.now()
        fields = ("assignee_id", "status", "opened_at", "clock_id", "updated_at")  # save(update_fields=…) by hand
        row_update(StepTask, t.pk, {f: getattr(t, f) for f in fields}, using)
        title = _("待办：%(step)s %(n)s") % {"step": t.name, "n": case.tracking_number}
        if t.assignee:
            notify(recipients=[t.assignee], title=title, url=url, channels=("inbox",))
        else:
            key = (t.department_id, (t.role,) if t.role else tuple(DEPARTMENT_ROLES))
            unassigned.setdefault(key, []).append(title)
    if unassigned:
        transaction.on_commit(lambda: _tell_department_staff(unassigned, url))
    return True


def _tell_department_staff(titles: dict[tuple[int, tuple[str, ...]], list[str]], url: str) -> None:
    """After the commit: each department's staff of the role are told of their new tasks."""
    for (department_id, roles), by_task in titles.items():
        staff = department_staff(department_id, roles)
        for title in by_task:
            notify(recipients=staff, title=title, url=url, channels=("inbox",))


def window_step_sign(locked: Case, actor: Any, at: datetime) -> bool:
    """Many processes begin with the window's own acceptance step (窗口受理: one step of the case's
    department for the window clerk). Accepting at the window *is* that step, so the clerk who
    accepts signs it in the same action instead of being asked to sign it again: an "agree" opinion,
    the step's clock started and stopped at the acceptance (on time), and case.step_decided and
    case.stage_completed in the trail, as for any step. True if stage 0 was such a step."""
    tasks = sorted(
        StepTask.objects.filter(case_id=locked.pk, stage_index=0).select_related("step", "department").order_by(),
        key=lambda t: t.pk,
    )
    if not tasks or any(t.parallel or t.department_id != locked.department_id or t.role != Role.CLERK for t in tasks):
        return False
    for t in tasks:
        label = _("%(stage)s·%(step)s（%(dept)s）") % {"stage": t.stage_name, "step": t.name, "dept": t.department.name}
        clock = clock_start(
            owner=t,
            kind=KIND_STEP,
            label=label,
            limit=t.step.limit_days,
            started_at=at,
            tenant_id=locked.tenant_id,
            department=t.department,
            responsible=actor,
            legal_basis=_("办理流程环节时限"),
            actor=actor,
        )
        t.clock = clock_stop(clock=clock, actor=actor, at=at)
        t.assignee = actor if getattr(actor, "is_authenticated", False) else None
        t.status = TaskStatus.DONE
        t.opened_at = t.completed_at = at
        t.save(update_fields=["assignee", "status", "opened_at", "completed_at", "clock", "updated_at"])
        reason = _("受理时一并完成")
        Opinion.objects.create(task=t, kind=OpinionKind.AGREE, reasons=reason, author=t.assignee)
        case_event(
            locked,
            "case.step_decided",
            actor,
            after={"task": t.pk, "step": t.name, "department": t.department.name, "kind": OpinionKind.AGREE},
            reason=reason,
        )
    first = tasks[0]
    case_event(
        locked, "case.stage_completed", actor, after={"stage": 0, "name": first.stage_name, "policy": first.join_policy}
    )
    return True


def _stage_tasks(case_id: int, index: int, *related: str) -> list[StepTask]:
    """Every task of one stage (they carry the stage's join policy) with each task's department: one
    query, under the case lock. Clocks are stopped by pk (the clock service reads what it needs)."""
    qs = StepTask.objects.filter(case_id=case_id, stage_index=index).select_related("department", *related)
    # ordered here, not by the model's three-column ordering (a third of the query's cost in Python)
    return sorted(qs.order_by(), key=lambda t: t.pk)


def _stage_tasks_of(case_id: int, task_id: int) -> list[StepTask]:
    """_stage_tasks for the stage of task `task_id` (found by a subquery in the same statement), by
    hand-written SQL (core.rowload): the opinion's read on every request, where the ORM's
    compilation of the subquery and the join cost ten times the query (docs/performance.md)."""
    using = router.db_for_write(StepTask)  # under the case lock: the primary, as the ORM would
    connection = connections[using]
    qn = connection.ops.quote_name
    t, d = row_shape(StepTask, "t", using), row_shape(Department, "d", using)
    table = qn(StepTask._meta.db_table)
    sql = (
        f"SELECT {t.columns}, {d.columns} FROM {table} t INNER JOIN {qn(Department._meta.db_table)} d"
        f" ON d.{qn('id')} = t.{qn('department_id')} WHERE t.{qn('case_id')} = %s AND t.{qn('stage_index')} ="
        f" (SELECT s.{qn('stage_index')} FROM {table} s WHERE s.{qn('id')} = %s AND s.{qn('case_id')} = %s)"
        f" ORDER BY t.{qn('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id, task_id, case_id])
        rows = cursor.fetchall()
    tasks = []
    for row in rows:
        task = t.load(row, using=using)
        task.department = d.load(row, t.width, using=using)  # type: ignore[attr-defined]
        tasks.append(task)
    return tasks  # type: ignore[return-value]


def _join(case: Case, index: int, actor: Any, at: datetime, tasks: list[StepTask] | None = None) -> bool:
    """Complete stage `index` when its join policy is met (all / any / quorum) and open the next one;
    True if it completed (the case moved on). `tasks` are the stage's tasks as loaded under the lock,
    with the caller's changes applied."""
    tasks = tasks if tasks is not None else _stage_tasks(case.pk, index)
    if not tasks:
        return False
    policy, quorum, name = tasks[0].join_policy, tasks[0].quorum, tasks[0].stage_name
    live = [t for t in tasks if t.status != TaskStatus.CANCELLED]
    done = [t for t in live if t.status in (TaskStatus.DONE, TaskStatus.DEEMED)]
    if policy == JoinPolicy.ANY:
        complete = len(done) >= 1
    elif policy == JoinPolicy.QUORUM:
        complete = len(done) >= min(quorum or len(live), len(live))
    else:
        complete = len(done) == len(live)
    if not complete:
        return False
    for t in live:
        if t.status == TaskStatus.ACTIVE:
            t.status = TaskStatus.CANCELLED
            t.completed_at = at
            t.save(update_fields=["status", "completed_at", "updated_at"])
            if t.clock_id:
                clock_stop(clock=t.clock_id, actor=actor, at=at, cancelled=True)
    case_event(case, "case.stage_completed", actor, after={"stage": index, "name": name, "policy": policy})
    if not stage_open(case, index + 1, actor, at):
        # Asked after the commit: when the head's approval made the decision in the same transaction
        # (case_step_sign), nobody is told a decided case still waits for its decision.
        transaction.on_commit(lambda: _announce_awaiting_decision(case.pk))
    return True


def _announce_awaiting_decision(case_id: int) -> None:
    """The inbox note to the department's reviewers and head that a case's stages are done and it
    awaits the decision, if it still does."""
    case = Case.objects.filter(pk=case_id, status=Status.IN_REVIEW, current_stage__isnull=True).first()
    if case is None:
        return
    notify(
        recipients=department_staff(case.department_id, [Role.REVIEWER, Role.DEPT_HEAD]),
        title=_("待决定：%(n)s") % {"n": case.tracking_number},
        url=staff_url(case),
        channels=("inbox",),
    )


@transaction.atomic
def case_step_decide(
    *, task: StepTask, actor: User, kind: str, reasons: str = "", seen_status: str | None = None
) -> Opinion:
    """An opinion on a step: agree, disagree (reasons required) or agree but refer up (CAS-7). On a
    step deemed to consent, this is the department's written opinion owed within 1 working day.
    `seen_status`: the task's status as the user saw it (the page posts it back), so that a task decided
    by someone else meanwhile gives the conflict message rather than a state error."""
    locked = case_lock(task.case_id, related=())
    # the task as it is now (under the case lock) with its stage siblings for the join check; a task
    # named by id only (permissions.task_ref: the API's look-up folded into this read) finds its
    # stage by a subquery in the same statement (the page names it the same way)
    by_id = task.stage_index is None
    stage = _stage_tasks_of(locked.pk, task.pk)
    fresh = next((t for t in stage if t.pk == task.pk), None)
    if fresh is None:
        if by_id:
            raise StepTask.DoesNotExist
        raise ValidationError(_("该环节不属于该办件。"), code="task")
    fresh.case = locked
    if not can_step_decide(actor, fresh):
        raise PermissionDenied(_("该环节不由您办理。"))
    reasons = (reasons or "").strip()
    if kind not in OpinionKind.values:
        raise ValidationError({"kind": [_("请选择办理意见。")]})
    if kind == OpinionKind.DISAGREE and not reasons:
        raise ValidationError({"reasons": [_("不同意必须说明理由。")]})  # CAS-7
    now = timezone.now()
    # (the written-opinion clock is read only for a task deemed to consent)
    written = fresh.status == TaskStatus.DEEMED and fresh.written_clock is not None and fresh.written_clock.is_open
    if not written and (fresh.status != TaskStatus.ACTIVE or locked.status != Status.IN_REVIEW):
        if (seen_status or task.status) == TaskStatus.ACTIVE and fresh.status != TaskStatus.ACTIVE:
            raise ConflictError()
        raise ValidationError(_("该环节当前不能签署意见。"), code="state")
    using = router.db_for_write(Opinion)
    opinion = Opinion(task=fresh, kind=kind, reasons=reasons, author=actor, is_written_followup=written)
    row_insert(opinion, using)  # the ORM's INSERT without its compiler (core.rowload: the busiest write)
    with trail_batch():  # the clock's and the case's events: one read and one insert
        if written:
            clock_stop(clock=fresh.written_clock, actor=actor, at=now)  # type: ignore[arg-type]
            case_event(
                locked,
                "case.written_opinion",
                actor,
                after={"task": fresh.pk, "step": fresh.name, "department": fresh.department.name, "kind": kind},
                reason=reasons,
            )
            return opinion  # the case itself did not change: its version stays (see below)
        fresh.status = TaskStatus.DONE
        fresh.completed_at = fresh.updated_at = now
        # one UPDATE by key, without save()'s per-field pipeline (the busiest write; no signals)
        row_update(StepTask, fresh.pk, {"status": fresh.status, "completed_at": now, "updated_at": now}, using)
        if fresh.clock_id is not None:
            clock_stop_running(clock=fresh.clock_id, actor=actor, at=now)  # one UPDATE … RETURNING
        case_event(
            locked,
            "case.step_decided",
            actor,
            after={"task": fresh.pk, "step": fresh.name, "department": fresh.department.name, "kind": kind},
            reason=reasons,
        )
        # The case row changes (and its version grows) only when the stage completes. One department's
        # opinion does not change the case: another department answering at the same moment, or a
        # reviewer pausing the clocks, must not be told "someone else changed the case". The task's
        # own status is what a concurrent opinion on the same step is checked against.
        if _join(locked, fresh.stage_index, actor, now, tasks=stage):
            case_save(locked, "current_stage")
    return opinion


def _deem_consent(
    locked: Case, task: StepTask, stage: list[StepTask], actor: Any, at: datetime, reason: str, action: str
) -> Opinion:
    with trail_batch():
        return _deem_consent_write(locked, task, stage, actor, at, reason, action)


def _deem_consent_write(
    locked: Case, task: StepTask, stage: list[StepTask], actor: Any, at: datetime, reason: str, action: str
) -> Opinion:
    task.case = locked
    opinion = Opinion.objects.create(task=task, kind=OpinionKind.AGREE, reasons=reason, author=None, is_system=True)
    task.status = TaskStatus.DEEMED
    task.completed_at = at
    if task.clock_id:
        clock_stop(clock=task.clock_id, actor=actor, at=at)  # a no-op on a clock already closed
    # CAS-7: the department deemed to consent owes its written opinion within 1 working day.
    task.written_clock = clock_start(
        owner=task,
        kind=KIND_WRITTEN,
        label=_("补交书面意见：%(step)s（%(dept)s）") % {"step": task.name, "dept": task.department.name},
        limit=WRITTEN_OPINION_DAYS,
        started_at=at,
        tenant_id=locked.tenant_id,
        department=task.department,
        responsible=task.assignee,
        legal_basis=_("并联审批超时默认同意后，1个工作日内出具书面意见"),  # CAS-7
        actor=actor,
    )
    task.save(update_fields=["status", "completed_at", "written_clock", "updated_at"])
    case_event(
        locked,
        action,
        actor,
        after={"task": task.pk, "step": task.name, "department": task.department.name},
        reason=reason,
    )
    notify(
        recipients=[task.assignee] if task.assignee else department_staff(task.department_id, DEPARTMENT_ROLES),
        title=_("已视为同意，请于1个工作日内补交书面意见：%(n)s") % {"n": locked.tracking_number},
        body=reason,
        url=staff_url(locked),
        channels=("inbox", "sms"),
    )
    if _join(locked, task.stage_index, actor, at, tasks=stage):
        case_save(locked, "current_stage")
    return opinion


def _locked_task(task: StepTask) -> tuple[Case, StepTask, list[StepTask]]:
    """The case's row lock, then the task as it is now with its stage siblings."""
    locked = case_lock(task.case_id)
    stage = _stage_tasks(locked.pk, task.stage_index, "step", "clock", "assignee")
    fresh = next((t for t in stage if t.pk == task.pk), None)
    if fresh is None:
        raise ValidationError(_("该环节不属于该办件。"), code="task")
    return locked, fresh, stage


def case_step_deemed_consent(*, task: StepTask, now: datetime | None = None) -> Opinion | None:
    """CAS-7 超时默认: a step whose limit passed and whose definition says deemed consent gets a
    system opinion "agree". Run by the periodic task; idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        locked, fresh, stage = _locked_task(task)
        if fresh.status != TaskStatus.ACTIVE or locked.status != Status.IN_REVIEW:
            return None
        if fresh.step.on_timeout != OnTimeout.DEEMED_CONSENT or fresh.clock is None:
            return None
        if fresh.clock.status != ClockStatus.RUNNING or fresh.clock.due_at is None or fresh.clock.due_at > now:
            return None
        reason = _("%(dept)s逾期未提出意见，视为同意（超时默认）。") % {"dept": fresh.department.name}
        return _deem_consent(locked, fresh, stage, None, now, reason, "case.deemed_consent")


@transaction.atomic
def case_step_absent(*, task: StepTask, actor: User) -> Opinion:
    """CAS-7 缺席默认: a co-handling department absent from the joint review is deemed to agree;
    recorded by the head of the lead department."""
    locked, fresh, stage = _locked_task(task)
    if not (actor.is_superuser or (actor.role == Role.DEPT_HEAD and actor.department_id == locked.department_id)):
        raise PermissionDenied(_("只有牵头部门负责人可以登记缺席默认。"))
    if not fresh.parallel or fresh.status != TaskStatus.ACTIVE or locked.status != Status.IN_REVIEW:
        raise ValidationError(_("只有并联审批中尚未答复的部门可以登记缺席默认。"), code="state")
    reason = _("%(dept)s缺席联合审查，视为同意（缺席默认）。") % {"dept": fresh.department.name}
    return _deem_consent(locked, fresh, stage, actor, timezone.now(), reason, "case.absent_consent")


def case_step_sign(
    *, task: StepTask, actor: User, kind: str, reasons: str = "", seen_status: str | None = None
) -> tuple[Opinion, Decision | None]:
    """Sign a step, as the pages and the API do: the opinion (case_step_decide) and — when it is the
    department head's approval that completes the last stage — the approval decision with its notice
    in the same transaction. The head means one thing; the trail keeps both acts: case.step_decided,
    case.stage_completed, case.decided; the step's clock and the decision clock stop, the delivery
    clock starts (CAS-3). Otherwise (a refusal, an opinion that leaves stages open, a decision that
    may not be made yet: an approval over a disagreement, or past the committed limit without the
    leader's review, CAS-6) the opinion alone is recorded and the case waits for case_decide."""
    head = getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == Role.DEPT_HEAD
    if kind != OpinionKind.AGREE or not head:
        # the opinion alone, in its own transaction: nothing added on the busy parallel path
        return case_step_decide(task=task, actor=actor, kind=kind, reasons=reasons, seen_status=seen_status), None
    with transaction.atomic():
        opinion = case_step_decide(task=task, actor=actor, kind=kind, reasons=reasons, seen_status=seen_status)
        signed = opinion.task  # as case_step_decide left it, with the case it locked
        case = signed.case
        if (
            opinion.is_written_followup
            or case.status != Status.IN_REVIEW
            or case.current_stage is not None  # stages remain: no decision yet
            or not step_sign_decides(actor, case, signed)
        ):
            return opinion, None
        locked = case_lock(case.pk)
        try:
            with transaction.atomic():  # a savepoint: a decision that may not be made yet leaves the opinion
                decision = decision_checked(
                    locked, actor, outcome=DecisionOutcome.APPROVE, reasons=(reasons or "").strip(), given=None
                )
        except ValidationError:
            return opinion, None
        return opinion, decision
