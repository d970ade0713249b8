# mypy: disable-error-code="union-attr,misc"
"""代办/帮办 (ENT-5), 发展环境监测点 (ENT-7) and the pages' scope and refusals (ENT-6, ENT-8)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from xiaoneng.enterprise.choices import ApprovalStatus, ReportStatus
from xiaoneng.enterprise.selectors import monitoring_reports_for, projects_for
from xiaoneng.enterprise.services import (
    REPLY_CLOCK_KIND,
    approval_add,
    approval_complete,
    approval_link_case,
    monitoring_point_designate,
    monitoring_report_close,
    monitoring_report_forward,
    monitoring_report_reply,
    monitoring_report_submit,
    problem_raise,
    project_complete,
    project_create,
    project_note_add,
)
from xiaoneng.enterprise.tests.conftest import CODE, refused
from xiaoneng.workdays.choices import ClockStatus


def _project(world, ew, **kw):
    args = {
        "actor": world.user("dept_head"),
        "department": world.dept,
        "agent": world.user("clerk"),
        "name": "年产十万台数控机床项目",
        "enterprise_name": "青溪精密机械有限公司",
        "credit_code": CODE,
    }
    args.update(kw)
    return project_create(**args)


def test_project_approvals_on_their_own_clocks(world, ew):
    project = _project(world, ew)
    assert isinstance(refused(_project, world, ew, actor=world.user("other_clerk")), PermissionDenied)
    assert isinstance(refused(_project, world, ew, agent=world.user("other_clerk")), ValidationError)
    # ENT-5: the item's committed limit (10 working days) runs for the item's department
    a = approval_add(actor=world.user("clerk"), project=project, item=ew.item)
    assert (a.clock.limit, a.clock.department_id, a.status) == (10, world.dept.pk, ApprovalStatus.PENDING)
    assert isinstance(refused(approval_add, actor=world.user("clerk"), project=project, item=ew.item), ValidationError)
    assert isinstance(
        refused(approval_add, actor=world.user("other_clerk"), project=project, item=ew.item), PermissionDenied
    )
    # an unknown case number is a message
    e = refused(approval_link_case, actor=world.user("clerk"), approval=a, case_number="XK-0000")
    assert isinstance(e, ValidationError)
    assert "case_number" in e.message_dict
    project_note_add(actor=world.user("clerk"), project=project, text="已完成环评公示")
    assert isinstance(refused(project_complete, actor=world.user("clerk"), project=project), ValidationError)
    a = approval_complete(actor=world.user("clerk"), approval=a, approved=True)
    a.clock.refresh_from_db()
    assert a.status == ApprovalStatus.APPROVED
    assert a.clock.status == ClockStatus.STOPPED
    project_complete(actor=world.user("clerk"), project=project)
    # ENT-6: the enterprise follows its project; another enterprise, another department do not
    assert list(projects_for(ew.company)) == [project]
    assert not projects_for(ew.other_company).exists()
    assert not projects_for(world.user("other_clerk")).exists()


def test_monitoring_point_reports(world, ew):
    office = world.user("supervisor")
    point = monitoring_point_designate(
        actor=office,
        region=world.city,
        name="青溪工业园监测点",
        kind="enterprise",
        credit_code=CODE,
        account=ew.company,
    )
    assert isinstance(
        refused(monitoring_point_designate, actor=world.user("clerk"), region=world.city, name="x", kind="deputy"),
        PermissionDenied,
    )
    for kind in ("NaN", "", "x" * 300):
        assert isinstance(
            refused(monitoring_point_designate, actor=office, region=world.city, name="x", kind=kind), ValidationError
        )
    # ENT-7: only the point's account submits; severity NaN is a message
    assert isinstance(
        refused(
            monitoring_report_submit, actor=ew.other_company, point=point, department=world.dept, text="t", severity=1
        ),
        PermissionDenied,
    )
    assert isinstance(
        refused(
            monitoring_report_submit, actor=ew.company, point=point, department=world.dept, text="t", severity="NaN"
        ),
        ValidationError,
    )
    r = monitoring_report_submit(actor=ew.company, point=point, department=world.dept, text="多头检查", severity=2)
    assert list(monitoring_reports_for(ew.company)) == [r]
    assert not monitoring_reports_for(world.user("other_clerk")).exists()
    assert isinstance(refused(monitoring_report_forward, actor=world.user("clerk"), report=r), PermissionDenied)
    r = monitoring_report_forward(actor=office, report=r)
    assert (r.clock.kind, r.clock.limit, r.clock.department_id) == (REPLY_CLOCK_KIND, 5, world.dept.pk)
    assert isinstance(
        refused(monitoring_report_reply, actor=world.user("other_clerk"), report=r, text="x"), PermissionDenied
    )
    r = monitoring_report_reply(actor=world.user("clerk"), report=r, text="已合并检查")
    r = monitoring_report_close(actor=office, report=r, note="核实已整改")
    assert r.status == ReportStatus.CLOSED


def test_pages_scope_and_refusals(client, world, ew):
    p = problem_raise(actor=ew.company, pairing=ew.pairing, title="用地手续", text="土地证办理慢")
    project = _project(world, ew)
    urls = [
        "/enterprise/",
        f"/enterprise/problems/{p.pk}/",
        "/enterprise/pairings/",
        f"/enterprise/pairings/{ew.pairing.pk}/",
        "/enterprise/projects/",
        f"/enterprise/projects/{project.pk}/",
        "/enterprise/monitoring/",
    ]
    # staff in scope read every page
    client.force_login(world.user("dept_head"))
    for url in urls:
        assert client.get(url + "?page=abc&status=x").status_code == 200, url
    # the enterprise and a citizen are refused on the workbench (403); another department gets 404 on details
    for key in ("applicant",):
        client.force_login(world.user(key))
        for url in urls:
            assert client.get(url).status_code == 403, url
        assert client.get("/enterprise/mine/").status_code == 403
    client.force_login(world.user("other_clerk"))
    for url in (
        f"/enterprise/problems/{p.pk}/",
        f"/enterprise/pairings/{ew.pairing.pk}/",
        f"/enterprise/projects/{project.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    # the enterprise's own page shows its problem and project, not another's
    client.force_login(ew.company)
    body = client.get("/enterprise/mine/").content.decode()
    assert "用地手续" in body
    assert "年产十万台数控机床项目" in body
    client.force_login(ew.other_company)
    body = client.get("/enterprise/mine/").content.decode()
    assert "用地手续" not in body
    # another enterprise cannot rate this problem by posting its id (404), bad input is a message
    assert client.post("/enterprise/mine/", {"action": "rate", "problem": p.pk, "satisfaction": "1"}).status_code == 404
    client.force_login(world.user("supervisor"))
    r = client.post(
        "/enterprise/pairings/",
        {
            "department": world.other_dept.pk,
            "official": world.user("leader").pk,
            "enterprise_name": "x" * 300,
            "credit_code": CODE,
            "started_on": "9999-12-31",
        },
        follow=True,
    )
    assert r.status_code == 200
    assert "不能超过" in r.content.decode()
