"""Demo: two rectifications the efficiency office opened by hand after an unannounced visit
(明察暗访) — one still open, one whose unit has submitted its evidence and which waits for
verification (red alerts open theirs in the supervision demo); two supervised tasks (督查督办) — one
from a leader's instruction on two departments with a progress report, one from a meeting decision
completed and waiting for verification (销号); one accountability record (书面告诫 after the visit)
with a 容错 application waiting for review. Idempotent: matched by title / reason."""

from __future__ import annotations

from typing import Any

from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, Region, User
from xiaoneng.oversight.choices import AccountabilitySource, RectificationOrigin, Sanction, TaskSource
from xiaoneng.oversight.models import AccountabilityRecord, Rectification, SupervisedTask
from xiaoneng.oversight.services import (
    accountability_record_open,
    exemption_apply,
    rectification_open,
    rectification_submit,
    task_assign,
    task_complete,
    task_report_progress,
)

# (title, source, requirement, department short names, progress by the first unit, completed by it)
TASKS = [
    (
        "落实窗口午间延时服务",
        TaskSource.LEADER,
        "市委主要领导批示：窗口单位实行午间不间断服务，请各承办单位制定方案并报送落实情况。",
        ["市场监管局", "住建局"],
        "已制定午间轮班方案，下周一起实行。",
        "",
    ),
    (
        "清理办事指南中的兜底条款",
        TaskSource.MEETING,
        "市政府常务会议决定：清理办事指南中“其他材料”等兜底条款，逐项明确。",
        ["市场监管局"],
        "",
        "已清理食品经营许可等12个事项的兜底条款，修订后的办事指南已发布。",
    ),
]
ACC_REASON = "2026年11月明察暗访发现窗口人员工作时间离岗且未挂去向牌，群众等候超过20分钟。"

# (title, department short name, problem, measures, evidence submitted by the unit or "")
ITEMS = [
    (
        "明察暗访：窗口人员离岗未挂去向牌",
        "住建局",
        "2026年11月明察暗访发现，住建局窗口工作时间内有人员离岗且未放置去向牌，群众等候超过20分钟。",
        "",
        "",
    ),
    (
        "明察暗访：一次性告知单与办事指南不一致",
        "市场监管局",
        "食品经营许可窗口发放的一次性告知单要求提供“房屋产权证明原件”，办事指南未列此项。",
        "收回旧版告知单，按办事指南重新印制；窗口人员逐一培训。",
        "已收回旧版告知单共120份，新版告知单与办事指南一致，附培训签到表。",
    ),
]


def load(stdout: Any) -> None:
    city = Region.objects.filter(code="339100").first()
    supervisor = User.objects.filter(role=Role.SUPERVISOR, region=city).first()
    if city is None or supervisor is None:
        stdout.write("oversight demo: no demo jurisdiction, skipped")
        return
    opened = 0
    for title, short, problem, measures, evidence in ITEMS:
        dept = Department.objects.filter(short_name=short, region=city).first()
        if dept is None or Rectification.objects.filter(title=title).exists():
            continue
        rect = rectification_open(
            department=dept, title=title, problem=problem, actor=supervisor, origin=RectificationOrigin.VISIT
        )
        opened += 1
        if evidence:
            clerk = User.objects.filter(department=dept, role=Role.CLERK, is_active=True).order_by("pk").first()
            if clerk is not None:
                rectification_submit(rectification=rect, actor=clerk, text=evidence, measures=measures)
    stdout.write(f"oversight demo: {opened} rectifications opened by hand")
    _load_tasks(city, supervisor, stdout)
    _load_accountability(city, supervisor, stdout)


def _staff(dept: Department, role: str) -> User | None:
    return User.objects.filter(department=dept, role=role, is_active=True).order_by("pk").first()


def _load_tasks(city: Region, supervisor: User, stdout: Any) -> None:
    made = 0
    for title, source, requirement, shorts, progress, completion in TASKS:
        if SupervisedTask.objects.filter(title=title).exists():
            continue
        depts = [d for d in (Department.objects.filter(short_name=s, region=city).first() for s in shorts) if d]
        if not depts:
            continue
        task = task_assign(actor=supervisor, title=title, source=source, requirement=requirement, departments=depts)
        made += 1
        first = task.assignments.get(department=depts[0])
        clerk = _staff(depts[0], Role.CLERK)
        if clerk is not None and progress:
            task_report_progress(assignment=first, actor=clerk, text=progress)
        if clerk is not None and completion:
            task_complete(assignment=first, actor=clerk, text=completion)
    stdout.write(f"oversight demo: {made} supervised tasks assigned")


def _load_accountability(city: Region, supervisor: User, stdout: Any) -> None:
    if AccountabilityRecord.objects.filter(reason=ACC_REASON).exists():
        return
    dept = Department.objects.filter(short_name="住建局", region=city).first()
    clerk = _staff(dept, Role.CLERK) if dept else None
    if dept is None or clerk is None:
        return
    rec = accountability_record_open(
        actor=supervisor,
        department=dept,
        sanction=Sanction.WRITTEN_WARNING,
        reason=ACC_REASON,
        source_kind=AccountabilitySource.INSPECTION,
        person=clerk,
    )
    exemption_apply(
        record=rec,
        actor=clerk,
        conditions=["no_personal_gain", "remedied"],
        statement="当日临时被抽调参加系统切换培训，未及时安排替岗；事后已向等候群众致歉并当场办结。",
    )
    stdout.write("oversight demo: 1 accountability record with a 容错 application")
