"""The scoped look-ups by id (cases.permissions.access_*_by_id, conventions §3): every row a page or
the API names by id is found only in the user's scope; anyone else gets 404, the same answer as for a
row that does not exist, and nothing is written."""

from __future__ import annotations

import json

import pytest
from django.http import Http404
from django.test import Client

from xiaoneng.cases.actions.enquiries import enquiry_register
from xiaoneng.cases.actions.negative import case_negative_report_submit
from xiaoneng.cases.choices import NegativeKind, TaskStatus
from xiaoneng.cases.models import Opinion
from xiaoneng.cases.permissions import (
    access_case_by_id,
    access_material_by_id,
    access_negative_report_by_id,
    access_notice_by_id,
    access_own_task_by_id,
    access_task_by_id,
)
from xiaoneng.cases.tests.conftest import accepted, submit

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_case_and_its_material_only_in_scope(world, cw):
    # given an application with one material
    case, _code = submit(world, cw.simple)
    material = case.materials.get()
    # then its applicant and its department find both
    for key in ("applicant", "clerk"):
        assert access_case_by_id(world.user(key), case.pk) == case
        assert access_material_by_id(world.user(key), material.pk, case_id=case.pk) == material
    # and another applicant, another department's clerk, a county clerk do not
    for key in ("other_applicant", "other_clerk", "county_clerk"):
        with pytest.raises(Http404):
            access_case_by_id(world.user(key), case.pk)
        with pytest.raises(Http404):
            access_material_by_id(world.user(key), material.pk, case_id=case.pk)
    # and a material named under another case is not found through this one
    other, _code = submit(world, cw.simple)
    with pytest.raises(Http404):
        access_material_by_id(world.user("applicant"), material.pk, case_id=other.pk)
    # and an id that names no row is the same 404
    with pytest.raises(Http404):
        access_case_by_id(world.user("clerk"), 0)


def test_tasks_in_the_case_scope_and_in_their_own_scope(world, cw):
    # given a case in its first review stage (a reviewer of the case department)
    case = accepted(world, cw.parallel)
    task = case.tasks.get(status=TaskStatus.ACTIVE)
    # then its department finds the task both ways
    assert access_task_by_id(world.user("dept_head"), task.pk, case_id=case.pk).pk == task.pk
    assert access_own_task_by_id(world.user("reviewer"), task.pk, case_id=case.pk).pk == task.pk
    # and a task of the joint stage is in the co-handling department's own scope only
    joint = case.tasks.filter(department=world.other_dept).get()
    reviewer_other = cw.co_reviewers[world.other_dept.name]
    assert access_own_task_by_id(reviewer_other, joint.pk, case_id=case.pk).pk == joint.pk
    with pytest.raises(Http404):
        access_own_task_by_id(reviewer_other, task.pk, case_id=case.pk)
    # and under another case id, or for the applicant or another county, nothing is found
    with pytest.raises(Http404):
        access_task_by_id(world.user("dept_head"), task.pk, case_id=case.pk + 1)
    for key in ("other_applicant", "county_clerk"):
        with pytest.raises(Http404):
            access_task_by_id(world.user(key), task.pk, case_id=case.pk)
        with pytest.raises(Http404):
            access_own_task_by_id(world.user(key), task.pk, case_id=case.pk)


def test_notices_and_negative_reports_only_in_scope(world, cw):
    # given a case with its acceptance notice, and a refusal report awaiting the head
    case = accepted(world, cw.simple)
    notice = case.notices.get()
    report = case_negative_report_submit(
        case=case, actor=world.user("reviewer"), kind=NegativeKind.REFUSAL, reasons="材料虚假"
    )
    enquiry = enquiry_register(
        actor=world.user("clerk"),
        visitor_name="王五",
        question="办理建筑许可",
        outcome="referred",
        referred_office="住建局",
        referred_address="人民路 1 号",
        referred_contact="0571-1234567",
    )
    slip = enquiry.notices.get()
    # then the applicant and the department see the case's notice; the department its referral slip
    assert access_notice_by_id(world.user("applicant"), notice.pk) == notice
    assert access_notice_by_id(world.user("clerk"), slip.pk) == slip
    # and the head (the responsible leader) finds the report
    assert access_negative_report_by_id(world.user("dept_head"), report.pk) == report
    # and nobody else finds any of them
    for key in ("other_applicant", "other_clerk"):
        with pytest.raises(Http404):
            access_notice_by_id(world.user(key), notice.pk)
        with pytest.raises(Http404):
            access_notice_by_id(world.user(key), slip.pk)
    for key in ("reviewer", "clerk", "other_clerk", "applicant"):
        with pytest.raises(Http404):
            access_negative_report_by_id(world.user(key), report.pk)


def test_pages_and_api_answer_404_outside_scope_and_write_nothing(world, cw):
    # given a case in its joint stage
    case = accepted(world, cw.parallel)
    first = case.tasks.get(status=TaskStatus.ACTIVE)
    joint = case.tasks.filter(department=world.other_dept).get()
    material = case.materials.get()
    notice = case.notices.get()
    stranger = client_for(world.user("county_clerk"))
    # when a user outside the scope names its rows, then every page and endpoint answers 404
    for url in (
        f"/workbench/cases/{case.pk}/",
        f"/cases/{case.pk}/materials/{material.pk}/",
        f"/cases/notices/{notice.pk}.pdf",
        f"/api/cases/{case.pk}",
        f"/api/cases/{case.pk}/materials/{material.pk}",
        f"/api/cases/notices/{notice.pk}.pdf",
    ):
        assert stranger.get(url).status_code == 404, url
    body = json.dumps({"kind": "agree"})
    r = stranger.post(f"/api/cases/{case.pk}/tasks/{first.pk}/opinion", body, content_type="application/json")
    assert r.status_code == 404
    r = stranger.post(f"/api/cases/{case.pk}/tasks/{joint.pk}/absent", "{}", content_type="application/json")
    assert r.status_code == 404
    # and a co-handling reviewer may not sign another department's task (not in its own scope)
    co = client_for(cw.co_reviewers[world.other_dept.name])
    r = co.post(f"/api/cases/{case.pk}/tasks/{first.pk}/opinion", body, content_type="application/json")
    assert r.status_code == 404
    # and the staff page's form with a task id that is not a number, or too large, is a 404 too
    head = client_for(world.user("dept_head"))
    for raw in ("abc", "9" * 30, "-1"):
        r = head.post(f"/workbench/cases/{case.pk}/opinion/", {"task": raw, "kind": "agree"})
        assert r.status_code == 404, raw
    assert not Opinion.objects.filter(task__case=case).exists()
