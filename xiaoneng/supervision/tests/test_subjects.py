# mypy: disable-error-code="union-attr,arg-type,misc,operator"
"""Every clock's alert names and links what it is about (issues 10/11/12; SUP-1 王主任 step 3): the
owner app describes its clocks through the core.links subject registry — supervision imports none of
disclosure, oversight, inspections or evaluation for it — and the link is given only to a user who
may open the page."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from xiaoneng.core.links import clock_group_of, subject_describe
from xiaoneng.disclosure.tests.conftest import submit
from xiaoneng.oversight.choices import TaskSource
from xiaoneng.oversight.services import task_assign
from xiaoneng.supervision.alerts.selectors import alert_subject
from xiaoneng.supervision.choices import Level
from xiaoneng.supervision.models import Alert
from xiaoneng.supervision.tests.conftest import make_clock
from xiaoneng.workdays.models import Clock

pytestmark = pytest.mark.django_db


def _alert(world, clock: Clock, level: int = Level.RED) -> Alert:
    Clock.objects.filter(pk=clock.pk).update(alert_level=level)
    now = timezone.now()
    return Alert.objects.create(
        tenant=world.city, clock=clock, level=level, department=clock.department, region=world.city,
        raised_at=now, threshold_at=now,
    )  # fmt: skip


def _task(world):
    return task_assign(
        actor=world.user("supervisor"),
        title="落实窗口延时服务",
        source=TaskSource.LEADER,
        requirement="市长批示：窗口单位实行午间和周末延时服务。",
        departments=[world.dept],
    )


def test_an_alert_on_a_disclosure_request_names_and_links_it_for_the_supervisor(world):
    # given a red card on a disclosure request's answer clock (DIS-1)
    req = submit(world).request
    alert = _alert(world, req.clock)
    # when the city's supervisor reads what the alert is about
    subject = alert_subject(world.user("supervisor"), alert)
    # then it is the request, by number, linked to its staff page
    assert subject == {
        "kind": "政府信息公开申请",
        "label": f"政府信息公开申请 {req.number}",
        "url": f"/workbench/disclosure/requests/{req.pk}/",
    }
    # and the page says so
    c = Client()
    c.force_login(world.user("supervisor"))
    page = c.get(f"/supervision/alerts/{alert.pk}/").content.decode()
    assert f'href="/workbench/disclosure/requests/{req.pk}/"' in page
    assert req.number in page


def test_an_alert_on_a_supervised_task_names_and_links_it_for_the_supervisor(world):
    # given a red card on a department's share of a supervised task
    task = _task(world)
    share = task.assignments.get()
    alert = _alert(world, share.clock)
    # then the supervisor sees the task (not the share) by number and title, linked
    subject = alert_subject(world.user("supervisor"), alert)
    assert subject == {
        "kind": "督办事项",
        "label": f"{task.number} 落实窗口延时服务",
        "url": f"/oversight/tasks/{task.pk}/",
    }
    c = Client()
    c.force_login(world.user("supervisor"))
    page = c.get(f"/supervision/alerts/{alert.pk}/").content.decode()
    assert f'href="/oversight/tasks/{task.pk}/"' in page


@pytest.mark.parametrize("role", ["other_county_supervisor", "other_clerk", "applicant", "county_clerk"])
def test_a_role_that_may_not_open_the_subject_gets_its_label_but_no_link(world, role):
    req = submit(world).request
    task = _task(world)
    user = world.user(role)
    for owner in (req, task.assignments.get()):
        subject = subject_describe(user, owner)
        assert subject is not None
        assert subject["label"]
        assert subject["url"] == ""


def test_the_handling_department_gets_the_link_to_its_own_request_and_task(world):
    req = submit(world).request
    task = _task(world)
    clerk = world.user("clerk")
    on_request, on_task = subject_describe(clerk, req), subject_describe(clerk, task.assignments.get())
    assert on_request is not None
    assert on_request["url"] == f"/workbench/disclosure/requests/{req.pk}/"
    assert on_task is not None
    assert on_task["url"] == f"/oversight/tasks/{task.pk}/"


def test_clock_kinds_fall_into_the_groups_their_apps_installed():
    assert str(clock_group_of("case.decision").name) == "办件"
    assert str(clock_group_of("complaint.reply").name) == "投诉工单"
    assert clock_group_of("disclosure.answer").key == clock_group_of("disclosure.consultation").key
    assert str(clock_group_of("disclosure.answer").name) == "依申请公开"
    assert str(clock_group_of("oversight.task").name) == "督办任务"
    assert str(clock_group_of("oversight.rectification").name) == "整改"
    assert str(clock_group_of("inspections.filing").name) == "涉企检查备案"
    assert str(clock_group_of("evaluation.self_assessment").name) == "绩效考评自评"
    assert str(clock_group_of("external.gov-abc").name) == "外部系统监察事项"
    assert str(clock_group_of("normative.filing").name) == "规范性文件"
    assert str(clock_group_of("proposals.cohandling").name) == "建议提案"
    # a kind no app installed is its own family
    assert clock_group_of("newapp.obligation").key == "newapp"


def test_supervision_imports_no_owner_app_for_subjects():
    """Layers (issue 10): supervision reads the owners through the registry, never by import."""
    banned = {"disclosure", "inspections", "evaluation", "normative", "proposals", "enterprise"}
    root = Path(__file__).resolve().parents[1]
    for path in [root / "alerts" / "selectors.py", root / "alerts" / "views.py", root / "api.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                assert not (len(parts) > 1 and parts[0] == "xiaoneng" and parts[1] in banned), (path, node.module)


# --- every late clock in one place: the dashboard, the late list and the API count alike (SUP-1) ---


def _late_world(world):
    """Late clocks of several kinds in the city: a disclosure request, a supervised task, a complaint-
    like clock and a case decision — and one yellow (not late) and one paused (grey) clock."""

    req = submit(world).request
    task = _task(world)
    share = task.assignments.get()
    _alert(world, req.clock)
    _alert(world, share.clock)
    _alert(world, make_clock(world, kind="case.decision"))
    _alert(world, make_clock(world, kind="case.step"))
    _alert(world, make_clock(world, kind="complaint.reply"), Level.YELLOW)
    return req, task


def test_per_kind_late_counts_are_the_same_on_the_dashboard_the_late_list_and_the_api(world):
    # given late clocks of three kinds
    req, task = _late_world(world)
    c = Client()
    c.force_login(world.user("supervisor"))
    # when the supervisor reads the dashboard (page and API), the late list and its API
    api_dash = c.get("/api/supervision/dashboard").json()
    api_late = c.get("/api/supervision/late").json()
    page_dash = c.get("/supervision/").content.decode()
    page_late = c.get("/supervision/late/").content.decode()
    # then every one shows the same per-kind numbers
    dash = {r["family"]: r["late"] for r in api_dash["by_kind"] if r["late"]}
    assert dash == {"case": 2, "disclosure.request": 1, "oversight.task": 1}
    assert {r["family"]: r["late"] for r in api_late["by_kind"]} == dash
    assert api_dash["late"] == api_late["total"] == len(api_late["items"]) == 4
    assert {r["name"] for r in api_late["by_kind"]} == {"办件", "依申请公开", "督办任务"}
    for family, n in dash.items():
        assert f'<span class="late-count" data-kind="{family}">{n}</span>' in page_late
        assert f'<tr data-kind="{family}">' in page_dash
    assert 'id="n-late"><a href="/supervision/late/">4</a>' in page_dash
    assert '<span id="late-total">4</span>' in page_late
    # and each late row is named and linked by its app
    assert f'href="/workbench/disclosure/requests/{req.pk}/"' in page_late
    assert f'href="/oversight/tasks/{task.pk}/"' in page_late
    urls = {i["subject_url"] for i in api_late["items"]}
    assert {f"/workbench/disclosure/requests/{req.pk}/", f"/oversight/tasks/{task.pk}/"} <= urls
    # and one kind can be listed alone
    only = c.get("/api/supervision/late?kind=disclosure.request").json()["items"]
    assert [i["subject_label"] for i in only] == [f"政府信息公开申请 {req.number}"]
    assert req.number in c.get("/supervision/late/?kind=disclosure.request").content.decode()
    assert task.number not in c.get("/supervision/late/?kind=disclosure.request").content.decode()
    # the alert list's kind filter knows the groups too
    assert c.get("/api/supervision/alerts?kind=disclosure.request").json()[0]["clock_id"] == req.clock_id


def test_the_late_list_is_scoped_and_refused_to_the_wrong_roles(world):
    _late_world(world)
    c = Client()
    # another county's supervisor sees none of the city's late clocks
    c.force_login(world.user("other_county_supervisor"))
    assert c.get("/api/supervision/late").json() == {"total": 0, "by_kind": [], "items": []}
    assert '<span id="late-total">0</span>' in c.get("/supervision/late/").content.decode()
    # an applicant is refused, page and API; an anonymous visitor is sent to log in
    c.force_login(world.user("applicant"))
    assert c.get("/supervision/late/").status_code == 403
    assert c.get("/api/supervision/late").status_code in (401, 403)
    c.logout()
    assert c.get("/supervision/late/").status_code == 302
    assert c.get("/api/supervision/late").status_code in (401, 403)


@pytest.mark.parametrize("bad", ["x" * 300, "NaN", "-1", "disclosure", "0001-01-01", "%00"])
def test_bad_kind_or_page_input_is_never_a_500(world, bad):
    _late_world(world)
    c = Client()
    c.force_login(world.user("supervisor"))
    assert c.get("/supervision/late/", {"kind": bad, "page": bad}).status_code == 200
    assert c.get("/api/supervision/late", {"kind": bad}).status_code == 200
    assert c.get("/api/supervision/late", {"limit": "NaN"}).status_code in (400, 422)


def test_the_public_overdue_list_names_the_kind_of_each_obligation(world, client):
    _late_world(world)
    page = client.get("/supervision/overdue/").content.decode()
    assert "<td>依申请公开</td>" in page
    assert "<td>督办任务</td>" in page
    assert "<td>办件</td>" in page
