# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value"
# (tests follow nullable clocks and XML nodes that the fixtures always set)
"""Pages and API of complaints: scoping, wrong roles refused, the hidden-complainant promise."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from xiaoneng.complaints.models import Complaint

from .conftest import dispatched, submit

pytestmark = pytest.mark.django_db

OFFICE_PAGES = ["complaints:office", "complaints:office_register"]
DEPT_PAGES = ["complaints:department"]


def _login(client, world, role):
    client.force_login(world.user(role))
    return client


def test_public_pages_render(client, world):
    for name in ["complaints:complain", "complaints:track", "complaints:public_stats"]:
        r = client.get(reverse(name))
        assert r.status_code == 200, name
    assert "投诉" in client.get(reverse("complaints:complain")).content.decode()


def test_public_form_submits_and_shows_number_and_code_once(client, world):
    r = client.post(
        reverse("complaints:complain"),
        {
            "kind": "efficiency",
            "title": "窗口重复要材料",
            "content": "窗口工作人员两次要求提交同一份材料。",
            "name": "赵先生",
            "phone": "13900000021",
            "department": world.dept.pk,
            "hide_from_department": "on",
        },
    )
    assert r.status_code == 200 and "complaint-code" in r.content.decode()
    c = Complaint.objects.get()
    assert c.hide_from_department and c.channel == "web"


def test_public_form_bad_input_shows_chinese_message_and_writes_nothing(client, world):
    r = client.post(
        reverse("complaints:complain"),
        {"kind": "efficiency", "title": "标题", "content": "短", "name": "", "phone": ""},
    )
    assert r.status_code == 200 and "请填写内容" in r.content.decode()
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize("role", ["applicant", "clerk", "dept_head", "legal", "admin"])
def test_office_pages_refuse_other_roles(client, world, role):
    c = submit(world)
    _login(client, world, role)
    for name in OFFICE_PAGES:
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("complaints:office_detail", args=[c.pk])).status_code == 403
    assert client.post(reverse("complaints:office_detail", args=[c.pk]), {"action": "accept"}).status_code == 403


@pytest.mark.parametrize("role", ["applicant", "supervisor", "legal", "admin"])
def test_department_pages_refuse_other_roles(client, world, role):
    c = dispatched(world)
    _login(client, world, role)
    assert client.get(reverse("complaints:department")).status_code == 403
    assert client.get(reverse("complaints:department_detail", args=[c.pk])).status_code == 403


def test_another_department_gets_404_not_the_order(client, world):
    c = dispatched(world)
    _login(client, world, "other_clerk")
    assert client.get(reverse("complaints:department_detail", args=[c.pk])).status_code == 404
    assert client.get(f"/api/complaints/complaints/{c.pk}").status_code == 404


def test_hidden_complainant_is_not_shown_in_the_department_pages_or_api(client, world):
    # given 赵先生 asked to stay hidden from the department he complains about
    c = dispatched(world, hide_from_department=True)
    # when the department's staff open their pages and the API
    _login(client, world, "dept_head")
    pages = [
        client.get(reverse("complaints:department")).content.decode(),
        client.get(reverse("complaints:department_detail", args=[c.pk])).content.decode(),
    ]
    api_one = client.get(f"/api/complaints/complaints/{c.pk}").json()
    api_list = client.get("/api/complaints/complaints").json()
    # then neither his name nor his phone appears anywhere
    for text in [*pages, json.dumps(api_one, ensure_ascii=False), json.dumps(api_list, ensure_ascii=False)]:
        assert "赵先生" not in text and "13900000021" not in text
    assert "保密" in pages[1] and api_one["complainant_phone"] == ""
    # while the efficiency office, who calls him back, sees him
    _login(client, world, "supervisor")
    assert "赵先生" in client.get(reverse("complaints:office_detail", args=[c.pk])).content.decode()
    assert client.get(f"/api/complaints/complaints/{c.pk}").json()["complainant_phone"] == "13900000021"


def test_office_page_flow_accept_dispatch_with_suggestion(client, world):
    c = submit(world)
    _login(client, world, "supervisor")
    client.post(reverse("complaints:office_detail", args=[c.pk]), {"action": "accept"})
    page = client.get(reverse("complaints:office_detail", args=[c.pk])).content.decode()
    assert "建议派往" in page and world.dept.name in page
    client.post(reverse("complaints:office_detail", args=[c.pk]), {"action": "dispatch", "department": world.dept.pk})
    c.refresh_from_db()
    assert c.status == "dispatched" and c.handling_department == world.dept


def test_api_public_submit_and_track(client, world):
    r = client.post(
        "/api/complaints/submit",
        {
            "kind": "consultation",
            "title": "咨询办理时间",
            "content": "请问营业执照变更一般需要多少个工作日？",
            "anonymous": True,
        },
        content_type="application/json",
    )
    assert r.status_code == 200
    body = r.json()
    t = client.get("/api/complaints/track", {"number": body["number"], "code": body["code"]}).json()
    assert t["status"] == "registered"
    bad = client.get("/api/complaints/track", {"number": body["number"], "code": "XXXXXX"})
    assert bad.status_code == 400 and "查询码不正确" in str(bad.json())


def test_api_bad_input_rejected_in_chinese_nothing_written(client, world):
    r = client.post(
        "/api/complaints/submit",
        {"kind": "efficiency", "title": "x", "content": "太短"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "请填写" in str(r.json())
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize("role", ["applicant", "legal", "admin"])
def test_api_refuses_wrong_roles(client, world, role):
    c = submit(world)
    _login(client, world, role)
    assert client.get("/api/complaints/complaints").status_code == 403
    assert client.post(f"/api/complaints/complaints/{c.pk}/accept").status_code == 403
    assert client.get("/api/complaints/statistics").status_code == 403


def test_api_department_cannot_accept_and_office_can(client, world):
    c = submit(world)
    _login(client, world, "clerk")
    assert client.post(f"/api/complaints/complaints/{c.pk}/accept").status_code in (403, 404)
    _login(client, world, "supervisor")
    assert client.post(f"/api/complaints/complaints/{c.pk}/accept").json()["status"] == "accepted"
    r = client.post(
        f"/api/complaints/complaints/{c.pk}/dispatch", {"department_id": world.dept.pk}, content_type="application/json"
    )
    assert r.json()["status"] == "dispatched"


def test_stats_page_scoped_for_department_and_office(client, world):
    dispatched(world)
    _login(client, world, "other_clerk")
    assert world.dept.name not in client.get(reverse("complaints:stats")).content.decode()
    _login(client, world, "supervisor")
    assert world.dept.name in client.get(reverse("complaints:stats")).content.decode()
