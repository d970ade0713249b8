# mypy: disable-error-code="union-attr,operator,misc"
# (tests read optional clocks that the assertions themselves check)
"""挂点帮扶: pairings (ENT-1), visits (ENT-2), problems on two clocks (ENT-3) rated by the enterprise
(ENT-4), read only in scope (ENT-6), bad input as messages (ENT-8)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoneng.core.models import Event
from xiaoneng.enterprise.choices import ProblemStatus
from xiaoneng.enterprise.selectors import overdue_problems, pairings_for, problems_for
from xiaoneng.enterprise.services import (
    ASSIGN_CLOCK_KIND,
    SOLVE_CLOCK_KIND,
    pairing_create,
    pairing_end,
    problem_assign,
    problem_raise,
    problem_rate,
    problem_reply,
    visit_log,
)
from xiaoneng.enterprise.tests.conftest import CODE, OTHER_CODE, refused
from xiaoneng.workdays.choices import ClockStatus


def _pair(world, **kw):
    args = {
        "actor": world.user("supervisor"),
        "department": world.other_dept,
        "official": world.user("leader"),
        "enterprise_name": "云山纺织有限公司",
        "credit_code": OTHER_CODE,
        "started_on": timezone.localdate(),
    }
    args.update(kw)
    return pairing_create(**args)


def test_pairing_by_the_office_only_and_once(world, ew):
    # ENT-1: the department staff, the legal office, an applicant cannot pair
    for key in ("clerk", "dept_head", "legal", "applicant", "county_supervisor"):
        assert isinstance(refused(_pair, world, actor=world.user(key)), PermissionDenied), key
    # the same department and enterprise only once while active
    e = refused(
        pairing_create,
        actor=world.user("supervisor"),
        department=world.dept,
        official=world.user("dept_head"),
        enterprise_name="x",
        credit_code=CODE,
        started_on=timezone.localdate(),
    )
    assert isinstance(e, ValidationError)
    assert "已在挂点帮扶" in str(e)
    # a leader of the region may be paired; a clerk of another department may not
    assert _pair(world).official == world.user("leader")
    e = refused(_pair, world, department=world.county_dept, official=world.user("clerk"), credit_code=CODE)
    assert isinstance(e, ValidationError)
    assert "official" in e.message_dict


@pytest.mark.parametrize(
    "code",
    [
        OTHER_CODE[:17] + ("0" if OTHER_CODE[17] != "0" else "1"),  # wrong check character (ENT-1)
        "91339100MA2FFFFF",  # too short
        "I" * 18,  # letters outside the alphabet
        "9" * 300,  # huge
        "",
        "NaN",
    ],
)
def test_pairing_refuses_bad_credit_codes(world, ew, code):
    e = refused(_pair, world, credit_code=code)
    assert isinstance(e, ValidationError)
    assert "credit_code" in e.message_dict


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-13-01", "abc", "NaN", ""])
def test_pairing_and_visit_refuse_bad_dates(world, ew, day):
    # ENT-8: a date outside 2000-01-01 … today is a message
    assert isinstance(refused(_pair, world, started_on=day), ValidationError)
    e = refused(visit_log, actor=world.user("dept_head"), pairing=ew.pairing, visited_on=day, content="走访")
    assert isinstance(e, ValidationError)
    assert "visited_on" in e.message_dict


def test_visit_logged_by_official_or_department(world, ew):
    # ENT-2: the official and the pairing department's staff; not another department, not the enterprise
    today = timezone.localdate()
    v = visit_log(actor=world.user("dept_head"), pairing=ew.pairing, visited_on=today, content="了解用工需求")
    assert v.visited_on == today
    visit_log(actor=world.user("clerk"), pairing=ew.pairing, visited_on=today, content="送政策上门")
    for user in (world.user("other_clerk"), ew.company, world.user("supervisor")):
        assert isinstance(
            refused(visit_log, actor=user, pairing=ew.pairing, visited_on=today, content="x"), PermissionDenied
        )
    # before the pairing started, and 300 characters over the limit
    e = refused(visit_log, actor=world.user("clerk"), pairing=ew.pairing, visited_on=date(2001, 1, 1), content="x")
    assert isinstance(e, ValidationError)
    e = refused(visit_log, actor=world.user("clerk"), pairing=ew.pairing, visited_on=today, content="长" * 2300)
    assert isinstance(e, ValidationError)
    assert "content" in e.message_dict


def test_problem_flow_on_two_clocks(world, ew):
    # given the enterprise raises a problem to its paired official
    p = problem_raise(actor=ew.company, pairing=ew.pairing, title="用电增容审批慢", text="新厂房用电增容三个月未批")
    # then the assign clock (ENT-3: 2 working days) runs for the pairing department
    assert p.status == ProblemStatus.RAISED
    assert (p.assign_clock.kind, p.assign_clock.limit, p.assign_clock.department_id) == (
        ASSIGN_CLOCK_KIND,
        2,
        world.dept.pk,
    )
    # another enterprise, another department's clerk cannot raise or assign
    assert isinstance(
        refused(problem_raise, actor=ew.other_company, pairing=ew.pairing, title="t", text="t"), PermissionDenied
    )
    assert isinstance(
        refused(problem_assign, actor=world.user("clerk"), problem=p, department=world.other_dept), PermissionDenied
    )
    # when the official assigns it to the responsible department
    p = problem_assign(actor=world.user("dept_head"), problem=p, department=world.other_dept)
    p.assign_clock.refresh_from_db()
    assert p.assign_clock.status == ClockStatus.STOPPED
    assert (p.clock.kind, p.clock.limit, p.clock.department_id) == (SOLVE_CLOCK_KIND, 10, world.other_dept.pk)
    # only the responsible department replies; progress keeps the clock, the solution stops it (ENT-4)
    assert isinstance(refused(problem_reply, actor=world.user("clerk"), problem=p, text="x"), PermissionDenied)
    problem_reply(actor=world.user("other_clerk"), problem=p, text="已协调供电公司")
    p.refresh_from_db()
    assert p.status == ProblemStatus.ASSIGNED
    problem_reply(actor=world.user("other_clerk"), problem=p, text="增容已批复", solution=True)
    p.refresh_from_db()
    p.clock.refresh_from_db()
    assert p.status == ProblemStatus.SOLVED
    assert p.clock.status == ClockStatus.STOPPED
    # the enterprise rates; another cannot; NaN and 9 are messages
    assert isinstance(refused(problem_rate, actor=ew.other_company, problem=p, satisfaction=1), PermissionDenied)
    for bad in ("NaN", "9", "-1", "", "1.5"):
        assert isinstance(refused(problem_rate, actor=ew.company, problem=p, satisfaction=bad), ValidationError)
    p = problem_rate(actor=ew.company, problem=p, satisfaction="1", comment="很及时")
    assert p.status == ProblemStatus.CLOSED
    assert p.satisfaction == 1
    actions = list(Event.objects.filter(subject_id=str(p.pk)).values_list("action", flat=True))
    assert {
        "enterprise.problem.raised",
        "enterprise.problem.assigned",
        "enterprise.problem.solved",
        "enterprise.problem.rated",
    } <= set(actions)


def test_bad_rating_reopens_once(world, ew):
    p = problem_raise(actor=world.user("dept_head"), pairing=ew.pairing, title="t", text="t")
    p = problem_assign(actor=world.user("dept_head"), problem=p, department=world.dept)
    problem_reply(actor=world.user("clerk"), problem=p, text="done", solution=True)
    # ENT-4: 不满意 reopens with a 5 working day clock
    p = problem_rate(actor=ew.company, problem=p, satisfaction=4)
    assert p.status == ProblemStatus.ASSIGNED
    assert p.reopened
    assert p.clock.limit == 5
    problem_reply(actor=world.user("clerk"), problem=p, text="again", solution=True)
    p = problem_rate(actor=ew.company, problem=p, satisfaction=5)
    assert p.status == ProblemStatus.CLOSED  # only once


def test_overdue_problems_visible_to_supervision(world, ew):
    # ENT-3: an unsolved problem past its clock is listed for the office, not for another region
    p = problem_raise(actor=ew.company, pairing=ew.pairing, title="t", text="t")
    p = problem_assign(actor=world.user("dept_head"), problem=p, department=world.other_dept)
    assert not overdue_problems(world.user("supervisor")).exists()
    type(p.clock).objects.filter(pk=p.clock_id).update(due_at=timezone.now() - timedelta(hours=1))
    assert list(overdue_problems(world.user("supervisor"))) == [p]
    assert not overdue_problems(world.user("other_county_supervisor")).exists()
    assert list(overdue_problems(world.user("other_clerk"))) == [p]


def test_scoped_reads(world, ew):
    # ENT-6
    p = problem_raise(actor=ew.company, pairing=ew.pairing, title="t", text="t")
    assert list(problems_for(ew.company)) == [p]
    assert list(pairings_for(ew.company)) == [ew.pairing]
    for key in ("other_clerk", "county_clerk", "other_county_supervisor", "applicant"):
        assert not problems_for(world.user(key)).exists(), key
    assert not problems_for(ew.other_company).exists()
    for key in ("clerk", "dept_head", "supervisor", "leader", "admin"):
        assert list(problems_for(world.user(key))) == [p], key
    # once assigned, the responsible department reads it too
    problem_assign(actor=world.user("dept_head"), problem=p, department=world.other_dept)
    assert list(problems_for(world.user("other_clerk"))) == [p]


def test_ended_pairing_takes_no_new_problem(world, ew):
    pairing_end(actor=world.user("supervisor"), pairing=ew.pairing, ended_on=timezone.localdate())
    e = refused(problem_raise, actor=ew.company, pairing=ew.pairing, title="t", text="t")
    assert isinstance(e, ValidationError)
    assert isinstance(
        refused(pairing_end, actor=world.user("supervisor"), pairing=ew.pairing, ended_on=timezone.localdate()),
        ValidationError,
    )
