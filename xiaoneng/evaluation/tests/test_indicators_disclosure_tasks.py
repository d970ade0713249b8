# mypy: disable-error-code="union-attr,arg-type,misc,operator"
"""EVA-1 data indicators from disclosure (依申请公开按时答复率) and supervised tasks (督查督办按时办结率):
worked numbers, the sample size behind each rate, what counts and what does not, and the scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xiaoneng.disclosure.choices import AnswerType
from xiaoneng.disclosure.services import request_answer, request_withdraw
from xiaoneng.disclosure.tests.conftest import age, submit
from xiaoneng.evaluation.choices import IndicatorKind, UnitCategory
from xiaoneng.evaluation.indicators import Period, measure_all, provider
from xiaoneng.evaluation.services import indicator_add, scheme_compute, scheme_create, scheme_publish, unit_add
from xiaoneng.oversight.choices import TaskSource
from xiaoneng.oversight.services import task_assign, task_complete
from xiaoneng.workdays.models import Clock


def _period(world, viewer="supervisor", days=150):
    today = timezone.localdate()
    return Period(start=today - timedelta(days=days), end=today, region=world.city, viewer=world.user(viewer))


def _answer(world, req):
    return request_answer(request=req, actor=world.user("clerk"), answer_type=AnswerType.DISCLOSED, text="予以公开")


@pytest.fixture
def disclosure_requests(world):
    """市场监管局: 3 answered on time, 1 answered late, 1 still open past its 20 working days,
    1 open and not yet due, 1 withdrawn — and 住建局 none."""
    for _i in range(3):
        _answer(world, submit(world).request)
    _answer(world, age(submit(world).request, 45))
    age(submit(world).request, 45)  # open and overdue
    submit(world)  # open, due in the future: not decided yet
    request_withdraw(request=submit(world).request, actor=world.user("clerk"), reason="申请人撤回")


def test_disclosure_on_time_rate_counts_answers_and_overdue_open_requests(world, disclosure_requests):
    # when the office measures the period
    got = measure_all(["disclosure.on_time"], [world.dept, world.other_dept], _period(world))["disclosure.on_time"]
    # then 3 on time of 5 decided (1 late answer, 1 open past its deadline): 60 %, Wilson 23.07–88.24
    m = got[world.dept.pk].as_dict()
    assert m["value"] == 60.0
    assert m["n"] == 5
    assert (m["lower"], m["upper"]) == (23.07, 88.24)
    assert m["method"] == "wilson"
    assert m["raw"] == {"successes": 3, "late": 1, "overdue_open": 1}
    # and a unit without requests has no data (its weight goes to its siblings), not 0 nor 100
    assert got[world.other_dept.pk].value is None
    assert got[world.other_dept.pk].n == 0


def test_disclosure_rate_reads_only_the_period_and_the_viewers_scope(world, disclosure_requests):
    # a period that ended before any request was received has no data
    today = timezone.localdate()
    old = Period(start=today - timedelta(days=400), end=today - timedelta(days=300), region=world.city,
                 viewer=world.user("supervisor"))  # fmt: skip
    assert measure_all(["disclosure.on_time"], [world.dept], old)["disclosure.on_time"][world.dept.pk].n == 0
    # the county's office does not read a city department's requests
    county = _period(world, viewer="county_supervisor")
    assert measure_all(["disclosure.on_time"], [world.dept], county)["disclosure.on_time"][world.dept.pk].n == 0


def _task(world, departments):
    return task_assign(
        actor=world.user("supervisor"),
        title="落实窗口延时服务",
        source=TaskSource.LEADER,
        requirement="市长批示：窗口单位实行午间和周末延时服务。",
        departments=departments,
    )


def _due(assignment, days_ago):
    Clock.objects.filter(pk=assignment.clock_id).update(due_at=timezone.now() - timedelta(days=days_ago))


def test_task_on_time_rate_counts_completions_and_overdue_open_shares(world):
    # given four tasks shared by 市场监管局 and 住建局
    tasks = [_task(world, [world.dept, world.other_dept]) for _i in range(4)]
    mine = [t.assignments.get(department=world.dept) for t in tasks]
    theirs = [t.assignments.get(department=world.other_dept) for t in tasks]
    # 市场监管局: one completed before its deadline, one completed after it, one open past it, one open in time
    task_complete(assignment=mine[0], actor=world.user("clerk"), text="已办结")
    _due(mine[1], 2)
    task_complete(assignment=mine[1], actor=world.user("clerk"), text="已办结")
    _due(mine[2], 2)
    # 住建局: two completed on time, one open past its deadline
    task_complete(assignment=theirs[0], actor=world.user("other_clerk"), text="已办结")
    task_complete(assignment=theirs[1], actor=world.user("other_clerk"), text="已办结")
    _due(theirs[2], 1)
    # when measured
    got = measure_all(["oversight.tasks_on_time"], [world.dept, world.other_dept], _period(world))
    m = got["oversight.tasks_on_time"]
    # then 市场监管局 1 of 3 decided (33.33 %, Wilson 6.15–79.23) and 住建局 2 of 3 (66.67 %, 20.77–93.85)
    d = m[world.dept.pk].as_dict()
    assert (d["value"], d["n"], d["lower"], d["upper"]) == (33.33, 3, 6.15, 79.23)
    assert d["raw"] == {"successes": 1, "late": 1, "overdue_open": 1}
    o = m[world.other_dept.pk].as_dict()
    assert (o["value"], o["n"], o["lower"], o["upper"]) == (66.67, 3, 20.77, 93.85)
    # and the county's office reads none of the city's tasks
    county = measure_all(["oversight.tasks_on_time"], [world.dept], _period(world, viewer="county_supervisor"))
    assert county["oversight.tasks_on_time"][world.dept.pk].n == 0


def test_both_sources_are_registered_with_labels_and_score_a_scheme(world, disclosure_requests):
    # the registry names them (the scheme page and the API list them)
    assert str(provider("disclosure.on_time").label) == "依申请公开按时答复率"
    assert str(provider("oversight.tasks_on_time").label) == "督查督办按时办结率"
    # a scheme whose only indicator is the disclosure rate scores the unit by it (60 with n = 5, the
    # year's figures, unless the aged requests fall in last year: early January)
    office = world.user("supervisor")
    scheme = scheme_create(actor=office, region=world.city, year=timezone.localdate().year, name="公开考评")
    indicator_add(
        actor=office,
        scheme=scheme,
        name="依申请公开",
        kind=IndicatorKind.DATA,
        weight=100,
        data_key="disclosure.on_time",
    )
    unit_add(actor=office, scheme=scheme, department=world.dept, category=UnitCategory.COMPREHENSIVE)
    scheme_publish(actor=office, scheme=scheme)
    (result,) = scheme_compute(actor=office, scheme=scheme)
    year = Period(start=scheme.start, end=scheme.end, region=world.city, viewer=office)
    expected = measure_all(["disclosure.on_time"], [world.dept], year)["disclosure.on_time"][world.dept.pk]
    assert expected.n >= 4
    assert float(result.score) == round(expected.value, 2)
    assert result.details[0]["n"] == expected.n
    if timezone.localdate().month > 3:
        assert (float(result.score), expected.n) == (60.0, 5)
