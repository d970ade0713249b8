# mypy: disable-error-code="union-attr,misc"
"""The enterprise-service API (issue 13): every flow the pages offer, through the same services;
reads scoped (ENT-6); every endpoint refuses the wrong role; hostile input (NaN, year 0001 / 9999,
300-character strings, unknown and huge ids) is a 4xx with a translated message and writes nothing
(ENT-8)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import pytest
from django.test import Client
from django.utils import timezone

from xiaoneng.core.models import Event
from xiaoneng.enterprise.choices import ApprovalStatus, ProblemStatus, ProjectStatus, ReportStatus
from xiaoneng.enterprise.models import (
    AgentProject,
    MonitoringPoint,
    MonitoringPointReport,
    Pairing,
    Problem,
    ProblemReply,
    ProjectApproval,
    ProjectNote,
    Visit,
)
from xiaoneng.enterprise.services import (
    REPLY_CLOCK_KIND,
    SOLVE_CLOCK_KIND,
    approval_add,
    monitoring_point_designate,
    monitoring_report_forward,
    monitoring_report_submit,
    problem_assign,
    problem_raise,
    problem_reply,
    project_create,
)
from xiaoneng.enterprise.tests.conftest import CODE, OTHER_CODE, EntWorld, credit
from xiaoneng.orgs.choices import ApplicantKind, Role
from xiaoneng.orgs.models import User
from xiaoneng.orgs.tests.factories import UserFactory
from xiaoneng.workdays.choices import ClockStatus

API = "/api/enterprise"
ASSOCIATION_CODE = credit("51339100MA2GGGGG2")  # 5…: a social organisation (行业协会)


def _as(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def _post(client: Client, url: str, body: Any = None) -> Any:
    return client.post(API + url, json.dumps(body or {}), content_type="application/json")


def _get(client: Client, url: str) -> Any:
    return client.get(API + url)


def _written() -> tuple[int, ...]:
    """Rows any write of this app leaves behind, and the trail."""
    return tuple(
        m.objects.count()
        for m in (
            Event,
            Pairing,
            Visit,
            Problem,
            ProblemReply,
            AgentProject,
            ProjectApproval,
            ProjectNote,
            MonitoringPoint,
            MonitoringPointReport,
        )
    )


@dataclass
class Stage:
    """One row in each state an endpoint acts on."""

    raised: Problem
    assigned: Problem
    solved: Problem
    project: AgentProject
    approval: ProjectApproval
    point: MonitoringPoint
    point_account: Any
    submitted: MonitoringPointReport
    forwarded: MonitoringPointReport


@pytest.fixture
def stage(world, ew: EntWorld) -> Stage:
    head, clerk = world.user("dept_head"), world.user("clerk")
    raised = problem_raise(actor=ew.company, pairing=ew.pairing, title="用地手续", text="厂房用地手续办理慢")
    assigned = problem_raise(actor=ew.company, pairing=ew.pairing, title="用电增容", text="三个月未批")
    assigned = problem_assign(actor=head, problem=assigned, department=world.dept)
    solved = problem_raise(actor=ew.company, pairing=ew.pairing, title="招工难", text="缺技术工人")
    solved = problem_assign(actor=head, problem=solved, department=world.dept)
    problem_reply(actor=clerk, problem=solved, text="已对接职业技术学院", solution=True)
    project = project_create(
        actor=head,
        department=world.dept,
        agent=clerk,
        name="年产十万台数控机床项目",
        enterprise_name="青溪精密机械有限公司",
        credit_code=CODE,
    )
    approval = approval_add(actor=clerk, project=project, item=ew.item)
    account = cast(
        User,
        UserFactory(
            username="association",
            role=Role.APPLICANT,
            applicant_kind=ApplicantKind.COMPANY,
            company_name="青溪市机械行业协会",
            company_credit_code=ASSOCIATION_CODE,
        ),
    )
    point = monitoring_point_designate(
        actor=world.user("supervisor"),
        region=world.city,
        name="机械行业协会监测点",
        kind="association",
        credit_code=ASSOCIATION_CODE,
        account=account,
    )
    submitted = monitoring_report_submit(
        actor=account, point=point, department=world.dept, text="食品经营许可现场核查排期长", severity=2
    )
    forwarded = monitoring_report_submit(
        actor=account, point=point, department=world.dept, text="窗口午休无人值守", severity=1
    )
    forwarded = monitoring_report_forward(actor=world.user("supervisor"), report=forwarded)
    return Stage(raised, assigned, solved, project, approval, point, account, submitted, forwarded)


# --- flows -----------------------------------------------------------------------------------------


def test_pairing_visit_and_problem_solved_within_its_clock(client, world, ew):
    today = timezone.localdate().isoformat()
    # given the office pairs the city leader with an enterprise (ENT-1)
    r = _post(
        _as(client, world.user("supervisor")),
        "/pairings",
        {
            "department_id": world.other_dept.pk,
            "official_id": world.user("leader").pk,
            "enterprise_name": "云山纺织有限公司",
            "credit_code": OTHER_CODE,
            "started_on": today,
        },
    )
    assert r.status_code == 201, r.content
    pairing = r.json()
    assert (pairing["credit_code"], pairing["official_id"], pairing["active"]) == (
        OTHER_CODE,
        world.user("leader").pk,
        True,
    )
    pk = pairing["id"]
    # when the official logs a visit (ENT-2)
    r = _post(_as(client, world.user("leader")), f"/pairings/{pk}/visits", {"visited_on": today, "content": "走访"})
    assert r.status_code == 201, r.content
    visits = _get(client, f"/pairings/{pk}/visits").json()
    assert (visits["count"], visits["results"][0]["content"]) == (1, "走访")
    # and the enterprise raises a problem to him (ENT-3)
    r = _post(_as(client, ew.other_company), f"/pairings/{pk}/problems", {"title": "用水报装", "text": "新厂区未通水"})
    assert r.status_code == 201, r.content
    problem = r.json()
    assert (problem["status"], problem["department_id"]) == (ProblemStatus.RAISED, None)
    assert problem["assign_due_date"] >= today
    # the official assigns it to the responsible department: its 10 working-day clock starts
    r = _post(_as(client, world.user("leader")), f"/problems/{problem['id']}/assign", {"department_id": world.dept.pk})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["department_id"], r.json()["assign_due_date"]) == (
        ProblemStatus.ASSIGNED,
        world.dept.pk,
        None,
    )
    due = r.json()["due_date"]
    assert due > today
    # the department replies with progress, then the solution, which stops the clock (ENT-4)
    clerk = _as(client, world.user("clerk"))
    assert _post(clerk, f"/problems/{problem['id']}/reply", {"text": "已协调水务集团"}).json()["status"] == "assigned"
    r = _post(clerk, f"/problems/{problem['id']}/reply", {"text": "已通水", "solution": True})
    assert r.json()["status"] == ProblemStatus.SOLVED
    assert [x["solution"] for x in r.json()["replies"]] == [False, True]
    p = Problem.objects.select_related("clock").get(pk=problem["id"])
    assert (p.clock.kind, p.clock.status) == (SOLVE_CLOCK_KIND, ClockStatus.STOPPED)
    assert p.solved_at is not None
    assert p.clock.due_date is not None
    assert p.solved_at.date() <= p.clock.due_date  # solved within its clock
    # the enterprise rates it (RAT-1 levels, a number or its text)
    r = _post(_as(client, ew.other_company), f"/problems/{problem['id']}/rate", {"satisfaction": 2, "comment": "及时"})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["satisfaction"]) == (ProblemStatus.CLOSED, 2)
    # the office ends the pairing
    r = _post(_as(client, world.user("supervisor")), f"/pairings/{pk}/end", {"ended_on": today})
    assert (r.status_code, r.json()["active"]) == (200, False)


def test_reads_are_scoped_and_paginated(client, world, ew, stage):
    # ENT-6: the enterprise reads its own pairing and problems only
    mine = _get(_as(client, ew.company), "/problems").json()
    assert mine["count"] == 3
    assert {p["credit_code"] for p in mine["results"]} == {CODE}
    assert _get(client, "/pairings").json()["results"][0]["id"] == ew.pairing.pk
    assert _get(client, f"/projects/{stage.project.pk}").json()["approvals"][0]["item_id"] == ew.item.pk
    other = _as(client, ew.other_company)
    assert _get(other, "/problems").json()["count"] == 0
    assert _get(other, f"/problems/{stage.raised.pk}").status_code == 404
    # staff through their department or region
    assert _get(_as(client, world.user("county_clerk")), f"/pairings/{ew.pairing.pk}").status_code == 404
    assert _get(_as(client, world.user("other_county_supervisor")), "/problems").json()["count"] == 0
    office = _as(client, world.user("supervisor"))
    assert _get(office, "/problems?status=raised").json()["count"] == 1
    assert _get(office, "/problems?overdue=true").json()["count"] == 0
    assert _get(office, "/monitoring/reports?status=forwarded").json()["count"] == 1
    detail = _get(office, f"/problems/{stage.solved.pk}").json()
    assert detail["replies"][0]["text"] == "已对接职业技术学院"
    # ENT-3: a problem past its solve clock is listed as overdue
    type(stage.assigned.clock).objects.filter(pk=stage.assigned.clock_id).update(
        due_at=timezone.now() - timedelta(hours=1)
    )
    assert [p["id"] for p in _get(office, "/problems?overdue=true").json()["results"]] == [stage.assigned.pk]
    # the point's account reads its own reports, not another's
    assert _get(_as(client, stage.point_account), "/monitoring/reports").json()["count"] == 2
    assert _get(client, "/monitoring/points").json()["results"][0]["name"] == "机械行业协会监测点"
    # pages: 50 a page, ?page beyond the end gives the last page
    for i in range(51):
        MonitoringPointReport.objects.create(
            tenant_id=world.dept.tenant_id,
            point="p",
            department=world.dept,
            reported_on=timezone.localdate(),
            text=str(i),
            reported_by=world.user("supervisor"),
        )
    office = _as(client, world.user("supervisor"))
    page = _get(office, "/monitoring/reports?page=2").json()
    assert (page["count"], page["page"], page["pages"], len(page["results"])) == (53, 2, 2, 3)
    assert _get(office, "/monitoring/reports?page=99").json()["page"] == 2


def test_project_flow(client, world, ew, published_item):
    # ENT-5: the head of the agent's department opens a project with its agent
    r = _post(
        _as(client, world.user("dept_head")),
        "/projects",
        {
            "agent_id": world.user("clerk").pk,
            "name": "新建冷链物流中心",
            "enterprise_name": "青溪精密机械有限公司",
            "credit_code": CODE,
            "description": "总投资2亿元",
        },
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["department_id"] == world.dept.pk
    agent = _as(client, world.user("clerk"))
    r = _post(agent, f"/projects/{pk}/approvals", {"item_id": ew.item.pk})
    assert r.status_code == 201, r.content
    approval = r.json()
    assert approval["status"] == ApprovalStatus.PENDING
    assert approval["due_date"] > timezone.localdate().isoformat()
    # the same item twice, an unknown case number: messages
    assert _post(agent, f"/projects/{pk}/approvals", {"item_id": ew.item.pk}).status_code == 400
    r = _post(agent, f"/projects/{pk}/approvals/{approval['id']}/case", {"case_number": "XK-0000"})
    assert r.status_code == 400
    assert "case_number" in r.json()["detail"]
    assert _post(agent, f"/projects/{pk}/notes", {"text": "已完成环评公示"}).status_code == 201
    # not completed while an approval is pending
    assert _post(agent, f"/projects/{pk}/complete").status_code == 400
    r = _post(agent, f"/projects/{pk}/approvals/{approval['id']}/outcome", {"approved": True, "note": "已发证"})
    assert (r.status_code, r.json()["status"], r.json()["due_date"]) == (200, ApprovalStatus.APPROVED, None)
    assert ProjectApproval.objects.get(pk=approval["id"]).clock.status == ClockStatus.STOPPED
    r = _post(agent, f"/projects/{pk}/complete")
    assert (r.status_code, r.json()["status"]) == (200, ProjectStatus.COMPLETED)
    # the enterprise follows it
    r = _get(_as(client, ew.company), f"/projects/{pk}")
    assert r.json()["notes"][0]["text"] == "已完成环评公示"
    assert _get(client, "/projects?status=completed").json()["count"] == 1


def test_monitoring_flow(client, world, ew):
    account = UserFactory(
        username="deputy", role=Role.APPLICANT, applicant_kind=ApplicantKind.PERSON, display_name="赵代表"
    )
    office = _as(client, world.user("supervisor"))
    # ENT-7: the office designates a deputy as a point with its account
    r = _post(office, "/monitoring/points", {"name": "赵代表监测点", "kind": "deputy", "account": "deputy"})
    assert r.status_code == 201, r.content
    point = r.json()
    assert (point["account"], point["credit_code"]) == ("deputy", "")
    # the point's account submits a report
    r = _post(
        _as(client, account),
        "/monitoring/reports",
        {"point_id": point["id"], "department_id": world.dept.pk, "text": "证照办理要求重复提交材料", "severity": "3"},
    )
    assert r.status_code == 201, r.content
    report = r.json()
    assert (report["status"], report["severity"], report["point"]) == (ReportStatus.SUBMITTED, 3, "赵代表监测点")
    # the office forwards it on a 5 working-day clock, the department replies, the office closes
    office = _as(client, world.user("supervisor"))
    r = _post(office, f"/monitoring/reports/{report['id']}/forward")
    assert (r.json()["status"], r.json()["due_date"] is not None) == (ReportStatus.FORWARDED, True)
    clock = MonitoringPointReport.objects.get(pk=report["id"]).clock
    assert (clock.kind, clock.limit) == (REPLY_CLOCK_KIND, 5)
    r = _post(_as(client, world.user("clerk")), f"/monitoring/reports/{report['id']}/reply", {"text": "已精简材料"})
    assert r.json()["status"] == ReportStatus.REPLIED
    r = _post(_as(client, world.user("supervisor")), f"/monitoring/reports/{report['id']}/close", {"note": "核实"})
    assert r.json()["status"] == ReportStatus.CLOSED
    # the office records a report received by phone
    r = _post(
        client,
        "/monitoring/reports/record",
        {
            "point": "开发区监测点",
            "department_id": world.other_dept.pk,
            "reported_on": timezone.localdate().isoformat(),
            "text": "施工许可材料反复补正",
            "severity": 2,
        },
    )
    assert (r.status_code, r.json()["monitoring_point_id"]) == (201, None)
    assert _get(_as(client, account), "/monitoring/reports").json()["count"] == 1


# --- refusals ----------------------------------------------------------------------------------------


def _endpoints(world: Any, ew: EntWorld, s: Stage) -> list[tuple[str, str, dict[str, Any] | None, str, int]]:
    """(method, url, body, refused user key, expected status) for every endpoint of the router."""
    today = timezone.localdate().isoformat()
    p, pr, a = ew.pairing.pk, s.project.pk, s.approval.pk
    return [
        ("get", "/pairings", None, "applicant", 403),
        ("get", f"/pairings/{p}", None, "applicant", 403),
        ("get", f"/pairings/{p}", None, "county_clerk", 404),
        (
            "post",
            "/pairings",
            {
                "department_id": world.other_dept.pk,
                "official_id": world.user("leader").pk,
                "enterprise_name": "云山纺织有限公司",
                "credit_code": OTHER_CODE,
                "started_on": today,
            },
            "dept_head",
            403,
        ),
        ("post", f"/pairings/{p}/end", {"ended_on": today}, "dept_head", 403),
        ("get", f"/pairings/{p}/visits", None, "company", 403),
        ("post", f"/pairings/{p}/visits", {"visited_on": today, "content": "走访"}, "supervisor", 403),
        ("post", f"/pairings/{p}/visits", {"visited_on": today, "content": "走访"}, "other_clerk", 404),
        ("get", "/problems", None, "applicant", 403),
        ("get", f"/problems/{s.raised.pk}", None, "other_company", 404),
        ("post", f"/pairings/{p}/problems", {"title": "t", "text": "t"}, "supervisor", 403),
        ("post", f"/pairings/{p}/problems", {"title": "t", "text": "t"}, "other_company", 404),
        ("post", f"/problems/{s.raised.pk}/assign", {"department_id": world.dept.pk}, "clerk", 403),
        ("post", f"/problems/{s.assigned.pk}/reply", {"text": "t", "solution": True}, "supervisor", 403),
        ("post", f"/problems/{s.solved.pk}/rate", {"satisfaction": 1}, "clerk", 403),
        ("post", f"/problems/{s.solved.pk}/rate", {"satisfaction": 1}, "other_company", 404),
        ("get", "/projects", None, "applicant", 403),
        ("get", f"/projects/{pr}", None, "other_clerk", 404),
        (
            "post",
            "/projects",
            {"agent_id": world.user("clerk").pk, "name": "n", "enterprise_name": "e", "credit_code": CODE},
            "clerk",
            403,
        ),
        ("post", f"/projects/{pr}/approvals", {"item_id": ew.item.pk}, "reviewer", 403),
        ("post", f"/projects/{pr}/approvals/{a}/case", {"case_number": "XK-1"}, "reviewer", 403),
        ("post", f"/projects/{pr}/approvals/{a}/outcome", {"approved": True}, "reviewer", 403),
        ("post", f"/projects/{pr}/notes", {"text": "t"}, "reviewer", 403),
        ("post", f"/projects/{pr}/complete", None, "reviewer", 403),
        ("get", "/monitoring/points", None, "applicant", 403),
        ("post", "/monitoring/points", {"name": "n", "kind": "deputy"}, "clerk", 403),
        ("get", "/monitoring/reports", None, "company", 403),
        ("get", f"/monitoring/reports/{s.submitted.pk}", None, "other_clerk", 404),
        (
            "post",
            "/monitoring/reports",
            {"point_id": s.point.pk, "department_id": world.dept.pk, "text": "t", "severity": 1},
            "company",
            403,
        ),
        (
            "post",
            "/monitoring/reports/record",
            {"point": "p", "department_id": world.dept.pk, "reported_on": today, "text": "t", "severity": 1},
            "clerk",
            403,
        ),
        ("post", f"/monitoring/reports/{s.submitted.pk}/forward", None, "clerk", 403),
        ("post", f"/monitoring/reports/{s.forwarded.pk}/reply", {"text": "t"}, "supervisor", 403),
        ("post", f"/monitoring/reports/{s.submitted.pk}/close", {"note": "t"}, "clerk", 403),
    ]


def _user(world: Any, ew: EntWorld, key: str) -> Any:
    return {"company": ew.company, "other_company": ew.other_company}.get(key) or world.user(key)


def test_every_endpoint_refuses_the_wrong_role_and_writes_nothing(client, world, ew, stage):
    endpoints = _endpoints(world, ew, stage)
    # every operation of the router is in the table
    from xiaoneng.api.api import api  # noqa: PLC0415 (the whole API, only to list its paths)

    documented = {
        (method, path.removeprefix(API))
        for path, ops in api.get_openapi_schema()["paths"].items()
        if path.startswith(API + "/")
        for method in ops
    }
    assert documented == {(m, _template(u)) for m, u, *_ in endpoints}
    before = _written()
    for method, url, body, key, expected in endpoints:
        c = _as(Client(), _user(world, ew, key))
        r = _post(c, url, body) if method == "post" else _get(c, url)
        assert r.status_code == expected, (method, url, key, r.status_code, r.content)
        # and nobody signed in: 401
        r = _post(Client(), url, body) if method == "post" else _get(Client(), url)
        assert r.status_code == 401, (method, url)
    assert _written() == before


def _template(url: str) -> str:
    """The documented path of a concrete URL: ids back to {pk} and {approval_id}."""
    parts = url.split("/")
    out = []
    for i, part in enumerate(parts):
        if part.isdigit():
            out.append("{approval_id}" if i > 0 and parts[i - 1] == "approvals" else "{pk}")
        else:
            out.append(part)
    return "/".join(out)


# --- hostile input ------------------------------------------------------------------------------------

HUGE = 2**70
LONG = "长" * 300


def _hostile(world: Any, ew: EntWorld, s: Stage) -> list[tuple[str, str, str, Any]]:
    """(user key, method, url, body) that must each be a 4xx, never a 500, writing nothing."""
    today = timezone.localdate().isoformat()
    p = ew.pairing.pk

    def pairing(**kw: Any) -> dict[str, Any]:
        body = {
            "department_id": world.other_dept.pk,
            "official_id": world.user("leader").pk,
            "enterprise_name": "云山纺织有限公司",
            "credit_code": OTHER_CODE,
            "started_on": today,
        }
        return body | kw

    def record(**kw: Any) -> dict[str, Any]:
        body = {"point": "p", "department_id": world.dept.pk, "reported_on": today, "text": "t", "severity": 1}
        return body | kw

    def submit(**kw: Any) -> dict[str, Any]:
        return {"point_id": s.point.pk, "department_id": world.dept.pk, "text": "t", "severity": 1} | kw

    cases: list[tuple[str, str, str, Any]] = []
    for day in ("0001-01-01", "9999-12-31", "2026-13-45", "NaN", "", "x" * 300):
        cases += [
            ("supervisor", "post", "/pairings", pairing(started_on=day)),
            ("dept_head", "post", f"/pairings/{p}/visits", {"visited_on": day, "content": "走访"}),
            ("supervisor", "post", f"/pairings/{p}/end", {"ended_on": day}),
            ("supervisor", "post", "/monitoring/reports/record", record(reported_on=day)),
        ]
    for bad in ("NaN", float("nan"), float("inf"), 1e308, -1, 0, 6, "1.5", "", "x" * 300):
        cases += [
            ("company", "post", f"/problems/{s.solved.pk}/rate", {"satisfaction": bad}),
            ("supervisor", "post", "/monitoring/reports/record", record(severity=bad)),
            ("association", "post", "/monitoring/reports", submit(severity=bad)),
        ]
    for n in (999_999, HUGE, -1):
        cases += [
            ("supervisor", "post", "/pairings", pairing(department_id=n)),
            ("supervisor", "post", "/pairings", pairing(official_id=n)),
            ("dept_head", "post", f"/problems/{s.raised.pk}/assign", {"department_id": n}),
            (
                "dept_head",
                "post",
                "/projects",
                {"agent_id": n, "name": "n", "enterprise_name": "e", "credit_code": CODE},
            ),
            (
                "dept_head",
                "post",
                "/projects",
                {"department_id": n, "agent_id": 1, "name": "n", "enterprise_name": "e", "credit_code": CODE},
            ),
            ("clerk", "post", f"/projects/{s.project.pk}/approvals", {"item_id": n}),
            ("clerk", "post", f"/projects/{s.project.pk}/approvals/{n}/outcome", {"approved": True}),
            ("association", "post", "/monitoring/reports", submit(point_id=n)),
            ("association", "post", "/monitoring/reports", submit(department_id=n)),
            ("supervisor", "post", "/monitoring/reports/record", record(department_id=n)),
            ("supervisor", "get", f"/pairings/{n}", None),
            ("supervisor", "get", f"/problems/{n}", None),
            ("supervisor", "get", f"/projects/{n}", None),
            ("supervisor", "get", f"/monitoring/reports/{n}", None),
            ("supervisor", "post", f"/monitoring/reports/{n}/forward", None),
            ("dept_head", "post", f"/pairings/{n}/problems", {"title": "t", "text": "t"}),
        ]
    for code in ("9" * 300, "NaN", "", OTHER_CODE[:17] + ("0" if OTHER_CODE[17] != "0" else "1")):
        cases += [
            ("supervisor", "post", "/pairings", pairing(credit_code=code)),
            ("supervisor", "post", "/monitoring/points", {"name": "n", "kind": "association", "credit_code": code}),
        ]
    cases += [
        # 300 characters where 200 (names, titles) or 100 (points) are allowed, 3000 for 2000
        ("supervisor", "post", "/pairings", pairing(enterprise_name=LONG)),
        ("company", "post", f"/pairings/{p}/problems", {"title": LONG, "text": "t"}),
        ("company", "post", f"/pairings/{p}/problems", {"title": "t", "text": "长" * 3000}),
        ("dept_head", "post", f"/pairings/{p}/visits", {"visited_on": today, "content": "长" * 3000}),
        ("clerk", "post", f"/problems/{s.assigned.pk}/reply", {"text": "长" * 3000}),
        ("company", "post", f"/problems/{s.solved.pk}/rate", {"satisfaction": 1, "comment": LONG * 2}),
        (
            "dept_head",
            "post",
            "/projects",
            {"agent_id": world.user("clerk").pk, "name": LONG, "enterprise_name": "e", "credit_code": CODE},
        ),
        ("clerk", "post", f"/projects/{s.project.pk}/approvals/{s.approval.pk}/case", {"case_number": LONG}),
        ("clerk", "post", f"/projects/{s.project.pk}/notes", {"text": "长" * 3000}),
        ("supervisor", "post", "/monitoring/points", {"name": LONG, "kind": "deputy"}),
        ("supervisor", "post", "/monitoring/points", {"name": "n", "kind": LONG}),
        ("supervisor", "post", "/monitoring/points", {"name": "n", "kind": "deputy", "account": LONG}),
        ("supervisor", "post", "/monitoring/reports/record", record(point=LONG)),
        ("clerk", "post", f"/monitoring/reports/{s.forwarded.pk}/reply", {"text": "长" * 3000}),
        ("supervisor", "post", f"/monitoring/reports/{s.submitted.pk}/close", {"note": ""}),
        # empty required texts
        ("company", "post", f"/pairings/{p}/problems", {"title": "  ", "text": "t"}),
        # wrong state: a raised problem cannot be replied to or rated, a submitted report not replied to
        ("dept_head", "post", f"/problems/{s.assigned.pk}/assign", {"department_id": world.dept.pk}),
        ("company", "post", f"/problems/{s.raised.pk}/rate", {"satisfaction": 1}),
        ("clerk", "post", f"/monitoring/reports/{s.submitted.pk}/reply", {"text": "t"}),
        ("supervisor", "post", f"/monitoring/reports/{s.forwarded.pk}/forward", None),
        # bad query parameters
        ("supervisor", "get", "/problems?status=" + LONG, None),
        ("supervisor", "get", "/problems?overdue=NaN", None),
        ("supervisor", "get", "/projects?status=bogus", None),
        ("supervisor", "get", "/monitoring/reports?status=bogus&page=NaN", None),
        ("supervisor", "get", f"/pairings?page={HUGE}", None),
        # not JSON, or the wrong shape
        ("supervisor", "post", "/pairings", "not json"),
        ("supervisor", "post", "/pairings", [1, 2]),
    ]
    return cases


def test_hostile_input_is_a_4xx_and_writes_nothing(client, world, ew, stage):
    users = {"company": ew.company, "association": stage.point_account}
    before = _written()
    messages = 0
    for key, method, url, body in _hostile(world, ew, stage):
        c = _as(Client(), users.get(key) or world.user(key))
        if method == "get":
            r = _get(c, url)
        elif isinstance(body, str):
            r = c.post(API + url, body, content_type="application/json")
        else:
            r = c.post(API + url, json.dumps(body), content_type="application/json")
        assert 400 <= r.status_code < 500 or (method == "get" and r.status_code == 200), (key, url, body, r.content)
        if method == "get" and r.status_code == 200:
            # only a page number past the end is answered (with the last page)
            assert "page=" in url, url
        if r.status_code == 400 and not isinstance(body, str):  # (ninja's own words for a body that is not JSON)
            detail = json.dumps(r.json()["detail"], ensure_ascii=False)
            # a translated message, in Chinese by default
            assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), (url, detail)
            messages += 1
    assert messages > 100
    assert _written() == before
