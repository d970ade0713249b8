"""Query-count budgets (conventions §9): the busiest transition and the two list pages must not
grow their query count with the data, nor creep up unnoticed. Each budget is the count measured
when it was set; a change that needs more queries must say why here."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from xiaoneng.cases.actions.steps import case_step_decide
from xiaoneng.cases.choices import TaskStatus
from xiaoneng.cases.tests.conftest import accepted, submit
from xiaoneng.workdays.calendar import get_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_calendar_cache(settings):
    """As in production: the calendar is re-checked at most every 5 s (tests use 0 elsewhere)."""
    settings.XIAONENG_CALENDAR_RECHECK_SECONDS = 5
    get_calendar()


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _joint_stage(world, cw):
    case = accepted(world, cw.parallel)
    case_step_decide(task=case.tasks.get(status=TaskStatus.ACTIVE), actor=world.user("reviewer"), kind="agree")
    return case, list(case.tasks.filter(status=TaskStatus.ACTIVE).select_related("department").order_by("pk"))


def _opinion(c: Client, case, task):
    return c.post(
        f"/api/cases/{case.pk}/tasks/{task.pk}/opinion", json.dumps({"kind": "agree"}), content_type="application/json"
    )


def test_opinion_budget_in_a_parallel_stage(world, cw, django_assert_max_num_queries):
    # given a case in its four-department joint stage
    case, joint = _joint_stage(world, cw)
    # when a department gives its opinion (the stage goes on)
    c = client_for(cw.co_reviewers[joint[0].department.name])
    # then 10 statements: session and user (2); the case lock and the stage's tasks, the task in it
    # found by a subquery (2: the scoped look-up before the lock is folded into the stage read, issue
    # 9); opinion, task, clock (3); the trail's last links and its one insert (2); the session (1) —
    # plus 4 SAVEPOINT/RELEASE (BEGIN/COMMIT outside tests). It was 29 before the tuning of 2026-11-22
    # and 11 until 2026-12-05 (docs/performance.md).
    with django_assert_max_num_queries(10 + 4):
        assert _opinion(c, case, joint[0]).status_code == 200
    # and the opinion that completes the stage (all four answered): +1 the next stage's tasks (none
    # here), +1 the reviewers and head to tell that the decision is due, +1 the case's new version
    # (their inbox is one INSERT after the commit, which a test transaction never reaches)
    for t in joint[1:3]:
        assert _opinion(client_for(cw.co_reviewers[t.department.name]), case, t).status_code == 200
    last = client_for(cw.co_reviewers[joint[3].department.name])
    with django_assert_max_num_queries(13 + 4):
        assert _opinion(last, case, joint[3]).status_code == 200


@pytest.mark.parametrize("n", [2, 6])
def test_staff_queue_budget_does_not_grow_with_the_queue(world, cw, n, django_assert_max_num_queries):
    # given n cases waiting for intake and n in review (2 and 6: the count must not depend on n)
    for _i in range(n):
        submit(world, cw.simple)
        accepted(world, cw.simple)
    c = client_for(world.user("dept_head"))
    # when the head opens the queue, then 11 queries render every row: session and user (2); the
    # step tasks, the written opinions owed after a deemed consent (CAS-7), the intake, delivery and
    # decision work of the department (5); the unread inbox
    # count (1); the session (1 + 2 SAVEPOINT/RELEASE). No query per row: each row's clock comes with
    # its case or task, and its colour from the calendar in memory.
    with django_assert_max_num_queries(11):
        r = c.get("/workbench/cases/")
    assert r.status_code == 200
    assert r.content.decode().count('class="clock"') >= 2 * n


@pytest.mark.parametrize("n", [2, 6])
def test_applicant_case_list_budget_does_not_grow_with_the_list(world, cw, n, django_assert_max_num_queries):
    for _i in range(n):
        submit(world, cw.simple)
        accepted(world, cw.simple)
    c = client_for(world.user("applicant"))
    c.get("/cases/mine/")  # warm: one-time costs (a reconnect, per-process caches) are not the list's
    # session and user (2); the inbox count (1); the count of the cases for the pager (1, since the
    # list is paginated: issue 9); the page of cases with their item and clocks (1); the session
    # (1 + 2 SAVEPOINT/RELEASE)
    with django_assert_max_num_queries(8):
        r = c.get("/cases/mine/")
    assert r.status_code == 200
    assert r.content.decode().count("/cases/") >= 2 * n


def test_opinion_budget_from_the_case_page(world, cw, django_assert_max_num_queries):
    """The same opinion signed from the staff case page (issue 9): its form POST must not cost more
    than the measured count either, whatever the stage's size."""
    # given a case in its four-department joint stage
    case, joint = _joint_stage(world, cw)
    c = client_for(cw.co_reviewers[joint[0].department.name])
    # when the first department signs from the page, then 16 statements: session and user (2); the
    # case in the user's scope and the task of that case (2); the case lock, the stage's tasks,
    # opinion, task, clock, the trail's last links and its insert (7); the session (1) — plus 4
    # SAVEPOINT/RELEASE. Measured 2026-12-05 (docs/performance.md); none of them locks a task row.
    with django_assert_max_num_queries(16) as captured:
        r = c.post(f"/workbench/cases/{case.pk}/opinion/", {"task": joint[0].pk, "kind": "agree", "reasons": ""})
    assert r.status_code == 302
    joint[0].refresh_from_db()
    assert joint[0].status == TaskStatus.DONE
    assert not any("FOR UPDATE" in q["sql"] and "cases_steptask" in q["sql"] for q in captured.captured_queries)
