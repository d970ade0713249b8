"""Supervised tasks (督查督办): CAS-10 default limit, reports, urging, verification (销号), return,
the efficiency selector, and every page and endpoint refused to the wrong role."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xiaoneng.core.models import Event, Notification
from xiaoneng.oversight.choices import AssignmentStatus, TaskSource, TaskStatus
from xiaoneng.oversight.models import SupervisedTask, TaskAssignment, TaskReport
from xiaoneng.oversight.selectors import overdue_task_assignments
from xiaoneng.oversight.services import (
    task_assign,
    task_complete,
    task_reject,
    task_report_progress,
    task_urge,
    task_verify,
)
from xiaoneng.supervision.choices import DeductionSource
from xiaoneng.supervision.efficiency.scoring import policy_for
from xiaoneng.supervision.efficiency.services import efficiency_compute, efficiency_policy_save
from xiaoneng.supervision.models import Deduction, EfficiencyPolicy
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.choices import ClockStatus


def _assign(world, **kw):
    args = {
        "actor": world.user("supervisor"),
        "title": "落实窗口延时服务",
        "source": TaskSource.LEADER,
        "requirement": "市长批示：窗口单位实行午间和周末延时服务。",
        "departments": [world.dept, world.other_dept],
    }
    args.update(kw)
    return task_assign(**args)


def test_cas10_a_task_without_a_limit_is_due_in_15_working_days(world):
    """CAS-10: leader-assigned tasks with no stated limit are due in 15 working days."""
    # when the office assigns a task without a limit
    task = _assign(world)
    # then each department's share has its own running Clock of 15 working days
    shares = list(task.assignments.select_related("clock"))
    assert len(shares) == 2
    for a in shares:
        assert a.clock.limit == 15
        assert a.clock.unit == "wd"
        assert a.clock.status == ClockStatus.RUNNING
        assert a.clock.kind == "oversight.task"
        started = timezone.localdate(a.clock.started_at)
        assert a.clock.due_date == get_calendar().add_working_days(started, 15)
    assert task.number.startswith("DB-339100-")
    assert list(Event.objects.for_subject(task).values_list("action", flat=True)) == ["task.assigned"]


def test_a_due_date_becomes_its_working_days(world):
    due = get_calendar().add_working_days(timezone.localdate(), 7)
    task = _assign(world, due=due, departments=[world.dept])
    clock = task.assignments.get().clock
    assert clock.limit == 7
    assert clock.due_date == due


def test_supervisor_urges_then_verifies_and_the_task_closes(world, django_capture_on_commit_callbacks):
    task = _assign(world)
    a1, a2 = task.assignments.order_by("id")
    # when the office urges the first department
    with django_capture_on_commit_callbacks(execute=True):
        task_urge(assignment=a1, actor=world.user("supervisor"), note="请本周内报送进展")
    # then its staff get a notice and the trail holds the urge
    a1.refresh_from_db()
    assert a1.urges == 1
    assert a1.last_urged_at is not None
    assert Notification.objects.filter(recipient=world.user("clerk"), title__contains="催办").exists()
    assert Event.objects.for_subject(a1).filter(action="task.urged", reason="请本周内报送进展").exists()
    # when both departments report completion with evidence and the office verifies both
    task_report_progress(assignment=a1, actor=world.user("clerk"), text="已制定延时服务方案")
    task_complete(
        assignment=a1,
        actor=world.user("dept_head"),
        text="已实行午间延时服务",
        file=SimpleUploadedFile("方案.pdf", b"%PDF-1.4 plan"),
    )
    task_complete(assignment=a2, actor=world.user("other_clerk"), text="已实行周末延时服务")
    a1.refresh_from_db()
    assert a1.status == AssignmentStatus.COMPLETED
    assert a1.clock.status == ClockStatus.STOPPED
    task_verify(assignment=a1, actor=world.user("supervisor"), note="经核实")
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN  # one share still waits for verification
    task_verify(assignment=a2, actor=world.user("leader"))
    # then the task is closed (销号)
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED
    assert task.closed_at is not None
    assert TaskReport.objects.filter(assignment=a1).count() == 2
    assert str(TaskReport.objects.get(assignment=a1, kind="completion").file.name).startswith(
        f"oversight/tasks/{a1.pk}/"
    )
    assert list(Event.objects.for_subject(task).values_list("action", flat=True)) == ["task.assigned", "task.closed"]


def test_a_rejected_verification_returns_the_share_with_a_new_clock(world):
    task = _assign(world, departments=[world.dept])
    a = task.assignments.get()
    first_clock = a.clock_id
    task_complete(assignment=a, actor=world.user("clerk"), text="已办结")
    with pytest.raises(ValidationError):
        task_reject(assignment=a, actor=world.user("supervisor"), reason="  ")
    task_reject(assignment=a, actor=world.user("supervisor"), reason="佐证材料不足", days=3)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.ASSIGNED
    assert a.rejections == 1
    assert a.completed_at is None
    assert a.clock_id != first_clock
    assert a.clock.limit == 3
    assert a.clock.status == ClockStatus.RUNNING
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    # a share not completed cannot be verified
    with pytest.raises(ValidationError):
        task_verify(assignment=a, actor=world.user("supervisor"))


def test_wrong_roles_are_refused(world):
    with pytest.raises(PermissionDenied):
        _assign(world, actor=world.user("clerk"))
    with pytest.raises(PermissionDenied):
        _assign(world, actor=world.user("dept_head"))
    with pytest.raises(PermissionDenied):  # a county office cannot task city departments
        _assign(world, actor=world.user("county_supervisor"))
    task = _assign(world, departments=[world.dept])
    a = task.assignments.get()
    with pytest.raises(PermissionDenied):
        task_report_progress(assignment=a, actor=world.user("other_clerk"), text="x")
    with pytest.raises(PermissionDenied):
        task_urge(assignment=a, actor=world.user("clerk"))
    with pytest.raises(PermissionDenied):
        task_urge(assignment=a, actor=world.user("other_county_supervisor"))
    task_complete(assignment=a, actor=world.user("clerk"), text="已办结")
    with pytest.raises(PermissionDenied):
        task_verify(assignment=a, actor=world.user("dept_head"))


@pytest.mark.parametrize(
    "kw",
    [
        {"title": "x" * 300},
        {"title": "   "},
        {"requirement": ""},
        {"source": "rumour"},
        {"departments": []},
        {"days": -3},
        {"days": 0},
        {"days": "NaN"},
        {"days": 10**9},
        {"due": date(1, 1, 1)},
        {"due": date(9999, 12, 31)},
        {"due": date(2020, 1, 1)},
    ],
)
def test_bad_input_is_refused_and_nothing_written(world, kw):
    with pytest.raises(ValidationError):
        _assign(world, **kw)
    assert not SupervisedTask.objects.exists()
    assert not TaskAssignment.objects.exists()


def test_bad_report_file_is_refused_and_nothing_written(world):
    a = _assign(world, departments=[world.dept]).assignments.get()
    with pytest.raises(ValidationError):
        task_complete(assignment=a, actor=world.user("clerk"), text="已办结", file=SimpleUploadedFile("a.exe", b"MZ"))
    with pytest.raises(ValidationError):  # a PDF whose content is not a PDF
        task_complete(assignment=a, actor=world.user("clerk"), text="已办结", file=SimpleUploadedFile("a.pdf", b"MZ"))
    a.refresh_from_db()
    assert a.status == AssignmentStatus.ASSIGNED
    assert not a.reports.exists()


def test_overdue_shares_are_selected_for_the_efficiency_index(world):
    task = _assign(world, days=1)
    a1, a2 = task.assignments.order_by("id").select_related("clock")
    due_at = a1.clock.due_at
    task_complete(assignment=a2, actor=world.user("other_clerk"), text="按时办结")
    start, end = due_at - timedelta(days=1), due_at + timedelta(days=1)
    # before the due instant nothing is overdue; after it, only the share not completed on time
    assert overdue_task_assignments(tenant=world.city, start=start, end=end, now=due_at - timedelta(seconds=1)) == []
    later = due_at + timedelta(hours=1)
    assert overdue_task_assignments(tenant=world.city, start=start, end=end, now=later) == [(a1.pk, world.dept.pk)]


# --- pages and API ------------------------------------------------------------------------------


def test_pages_assign_urge_report_and_verify(world, client):
    client.force_login(world.user("supervisor"))
    r = client.post(
        "/oversight/tasks/new/",
        {
            "title": "整治窗口推诿",
            "source": "meeting",
            "requirement": "常务会议决定：开展窗口作风专项整治。",
            "departments": [world.dept.pk],
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    task = SupervisedTask.objects.get()
    a = task.assignments.get()
    assert a.clock is not None
    assert a.clock.limit == 15
    assert (
        client.post(f"/oversight/tasks/{task.pk}/", {"assignment": a.pk, "action": "urge", "note": "抓紧"}).status_code
        == 302
    )
    client.force_login(world.user("clerk"))
    assert "整治窗口推诿" in client.get("/oversight/tasks/").content.decode()
    r = client.post(f"/oversight/tasks/{task.pk}/", {"assignment": a.pk, "action": "complete", "text": "已完成整治"})
    assert r.status_code == 302
    client.force_login(world.user("supervisor"))
    page = client.get(f"/oversight/tasks/{task.pk}/").content.decode()
    assert "核验通过并销号" in page
    assert "催办" in page
    client.post(f"/oversight/tasks/{task.pk}/", {"assignment": a.pk, "action": "verify", "note": "属实"})
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED
    assert client.get("/oversight/workbench/").status_code == 200


def test_page_form_shows_translated_errors_and_writes_nothing(world, client):
    client.force_login(world.user("supervisor"))
    r = client.post(
        "/oversight/tasks/new/",
        {"title": "x" * 300, "source": "meeting", "requirement": "r", "departments": [world.dept.pk], "limit": "NaN"},
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "不能超过200个字" in body
    assert "格式不正确" in body
    r = client.post(
        "/oversight/tasks/new/",
        {"title": "t", "source": "meeting", "requirement": "r", "departments": [world.dept.pk], "due": "0001-01-01"},
    )
    assert r.status_code == 200
    assert "年份" in r.content.decode()
    assert not SupervisedTask.objects.exists()


def test_api_assign_report_urge_verify(world, client):
    client.force_login(world.user("supervisor"))
    r = client.post(
        "/api/oversight/tasks",
        {
            "title": "落实营商环境建议",
            "source": "proposal",
            "requirement": "办理人大代表建议第12号",
            "department_ids": [world.dept.pk],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    share = body["assignments"][0]["id"]
    assert body["assignments"][0]["due_date"]
    assert (
        client.post(
            f"/api/oversight/assignments/{share}/urge", {"note": "请加快"}, content_type="application/json"
        ).status_code
        == 200
    )
    client.force_login(world.user("clerk"))
    r = client.post(
        f"/api/oversight/assignments/{share}/complete", {"text": "已答复代表"}, content_type="application/json"
    )
    assert r.status_code == 200
    assert r.json()["status"] == "completed"
    client.force_login(world.user("supervisor"))
    r = client.post(f"/api/oversight/assignments/{share}/verify", {}, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["status"] == "verified"
    assert client.get(f"/api/oversight/tasks/{body['id']}").json()["status"] == "closed"


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "x" * 300, "source": "leader", "requirement": "r", "department_ids": [1]},
        {"title": "t", "source": "leader", "requirement": "r", "department_ids": [], "limit": 5},
        {"title": "t", "source": "leader", "requirement": "r", "department_ids": [2**70]},
        {"title": "t", "source": "leader", "requirement": "r", "department_ids": [999999]},
        {"title": "t", "source": "leader", "requirement": "r", "department_ids": [1], "limit": -1},
        {"title": "t", "source": "leader", "requirement": "r", "department_ids": [1], "limit": "NaN"},
        {"title": "t", "source": "leader", "requirement": "r", "department_ids": [1], "due": "0001-01-01"},
        {"title": "t", "source": "leader", "requirement": "r", "department_ids": [1], "due": "9999-12-31"},
        {"title": "t", "source": "nope", "requirement": "r", "department_ids": [1]},
    ],
)
def test_api_bad_input_is_a_4xx_and_writes_nothing(world, client, payload):
    client.force_login(world.user("supervisor"))
    payload = {**payload, "department_ids": [world.dept.pk if i == 1 else i for i in payload["department_ids"]]}
    r = client.post("/api/oversight/tasks", payload, content_type="application/json")
    assert r.status_code in (400, 422), r.content
    assert not SupervisedTask.objects.exists()


@pytest.mark.parametrize("username", ["applicant", "clerk", "dept_head", "county_clerk", "other_county_supervisor"])
def test_every_task_endpoint_refuses_the_wrong_role(world, client, username):
    task = _assign(world, departments=[world.other_dept])
    share = task.assignments.get()
    client.force_login(world.user(username))
    # creating is the office's (403); reading and acting outside scope is a 404 (or 403)
    # (another county's office may open the form, but not for this city's departments)
    assert client.get("/oversight/tasks/new/").status_code in ((200,) if username.endswith("supervisor") else (403,))
    r = client.post(
        "/api/oversight/tasks",
        {"title": "t", "source": "leader", "requirement": "r", "department_ids": [world.dept.pk]},
        content_type="application/json",
    )
    assert r.status_code in (400, 403)
    assert not SupervisedTask.objects.exclude(pk=task.pk).exists()
    assert client.get(f"/oversight/tasks/{task.pk}/").status_code in (403, 404)
    assert client.get(f"/api/oversight/tasks/{task.pk}").status_code in (403, 404)
    for action in ("progress", "complete", "urge", "verify", "reject"):
        r = client.post(
            f"/api/oversight/assignments/{share.pk}/{action}",
            {"text": "x", "reason": "x"},
            content_type="application/json",
        )
        assert r.status_code in (403, 404), (action, r.status_code)
        r = client.post(f"/oversight/tasks/{task.pk}/", {"assignment": share.pk, "action": action, "text": "x"})
        assert r.status_code in (302, 403, 404)
    share.refresh_from_db()
    assert share.status == AssignmentStatus.ASSIGNED
    assert share.urges == 0
    assert not share.reports.exists()
    if username == "applicant":
        assert client.get("/api/oversight/tasks").status_code == 403
    else:
        assert client.get("/api/oversight/tasks").json() == []


def test_department_sees_only_its_own_share(world, client):
    task = _assign(world)
    client.force_login(world.user("clerk"))
    body = client.get(f"/api/oversight/tasks/{task.pk}").json()
    assert [a["department_id"] for a in body["assignments"]] == [world.dept.pk]
    other = task.assignments.get(department=world.other_dept)
    assert (
        client.post(
            f"/api/oversight/assignments/{other.pk}/progress", {"text": "x"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_an_overdue_share_is_a_deduction_in_the_efficiency_index(world):
    # given a share of 1 working day that nobody reported done

    task = _assign(world, days=1, departments=[world.dept])
    due_at = task.assignments.get().clock.due_at
    later = due_at + timedelta(hours=1)
    # when the month of its due date is scored after it
    efficiency_compute(tenant=world.city, month=timezone.localdate(due_at).replace(day=1), now=later)
    # then the unit carries one 督办 deduction
    d = Deduction.objects.get(source=DeductionSource.TASK_OVERDUE)
    assert d.count == 1
    assert d.score.department_id == world.dept.pk


def test_the_overdue_task_deduction_follows_the_jurisdictions_policy(world):
    # given the city's administrator sets 督办 overdue points to 3.5 (default 2)
    policy = EfficiencyPolicy(tenant=world.city, task_overdue_points=Decimal("3.5"))
    efficiency_policy_save(actor=world.user("admin"), policy=policy)
    task = _assign(world, days=1, departments=[world.dept])
    due_at = task.assignments.get().clock.due_at
    # when the month is scored after the share fell due
    efficiency_compute(
        tenant=world.city, month=timezone.localdate(due_at).replace(day=1), now=due_at + timedelta(hours=1)
    )
    # then the deduction uses the configured points, not the old fixed 2
    d = Deduction.objects.get(source=DeductionSource.TASK_OVERDUE)
    assert d.points == Decimal("3.5")


def test_the_overdue_task_points_default_to_two_and_only_the_administrator_sets_them(world):
    # given no policy row, the default is the value that used to be fixed
    assert policy_for(world.city.pk).task_overdue_points == Decimal("2")
    # when a supervisor tries to configure it, or an administrator gives a value too large for the field
    with pytest.raises(PermissionDenied):
        efficiency_policy_save(
            actor=world.user("supervisor"), policy=EfficiencyPolicy(tenant=world.city, task_overdue_points=5)
        )
    with pytest.raises(ValidationError):
        efficiency_policy_save(
            actor=world.user("admin"), policy=EfficiencyPolicy(tenant=world.city, task_overdue_points=Decimal("1e5"))
        )
    # then nothing was written
    assert not EfficiencyPolicy.objects.filter(tenant=world.city).exists()
