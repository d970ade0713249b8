# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value"
# (tests follow nullable clocks and XML nodes that the fixtures always set)
"""Pages and API of complaints: scoping, wrong roles refused, the hidden-complainant promise."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from xiaoneng.cases.models import Case
from xiaoneng.complaints.actions.acceptance import complaint_accept
from xiaoneng.complaints.actions.closure import complaint_callback
from xiaoneng.complaints.actions.dispatch import complaint_dispatch
from xiaoneng.complaints.actions.intake import complaint_submit
from xiaoneng.complaints.actions.reply import complaint_reply
from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.tests.conftest import dispatched, submit
from xiaoneng.core.models import Notification
from xiaoneng.oversight.models import AccountabilityRecord
from xiaoneng.ratings.tests.conftest import completed_case
from xiaoneng.workdays.models import Clock

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
    html = client.get(reverse("complaints:complain")).content.decode()
    token = re.search(r'name="submission_token" value="([^"]+)"', html).group(1)
    r = client.post(
        reverse("complaints:complain"),
        {
            "submission_token": token,
            "kind": "efficiency",
            "title": "窗口重复要材料",
            "content": "窗口工作人员两次要求提交同一份材料。",
            "name": "赵先生",
            "phone": "13900000021",
            "department": world.dept.pk,
            "hide_from_department": "on",
        },
        follow=True,
    )
    assert r.status_code == 200
    assert "complaint-code" in r.content.decode()
    c = Complaint.objects.get()
    assert c.hide_from_department
    assert c.channel == "web"


def test_public_form_bad_input_shows_chinese_message_and_writes_nothing(client, world):
    r = client.post(
        reverse("complaints:complain"),
        {"kind": "efficiency", "title": "标题", "content": "短", "name": "", "phone": ""},
    )
    assert r.status_code == 200
    assert "请填写内容" in r.content.decode()
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
        assert "赵先生" not in text
        assert "13900000021" not in text
    assert "保密" in pages[1]
    assert api_one["complainant_phone"] == ""
    # while the efficiency office, who calls him back, sees him
    _login(client, world, "supervisor")
    assert "赵先生" in client.get(reverse("complaints:office_detail", args=[c.pk])).content.decode()
    assert client.get(f"/api/complaints/complaints/{c.pk}").json()["complainant_phone"] == "13900000021"


def test_office_page_flow_accept_dispatch_with_suggestion(client, world):
    c = submit(world)
    _login(client, world, "supervisor")
    client.post(reverse("complaints:office_detail", args=[c.pk]), {"action": "accept"})
    page = client.get(reverse("complaints:office_detail", args=[c.pk])).content.decode()
    assert "建议派往" in page
    assert world.dept.name in page
    client.post(reverse("complaints:office_detail", args=[c.pk]), {"action": "dispatch", "department": world.dept.pk})
    c.refresh_from_db()
    assert c.status == "dispatched"
    assert c.handling_department == world.dept


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
    assert bad.status_code == 400
    assert "查询码不正确" in str(bad.json())


def test_api_bad_input_rejected_in_chinese_nothing_written(client, world):
    r = client.post(
        "/api/complaints/submit",
        {"kind": "efficiency", "title": "x", "content": "太短"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "请填写" in str(r.json())
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


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_api_office_registers_extends_merges_and_records_accountability(client, world):

    # given the office signed in to the API
    _login(client, world, "supervisor")
    # when it registers a hotline call
    r = _post(
        client,
        "/api/complaints/register",
        {
            "channel": "hotline",
            "kind": "efficiency",
            "title": "电话反映窗口推诿",
            "content": "市民来电反映市场监管局窗口人员推诿，不予解释。",
            "name": "钱女士",
            "phone": "13700000001",
            "department_id": world.dept.pk,
        },
    )
    assert r.status_code == 200, r.content
    pk, number = r.json()["id"], r.json()["number"]
    assert len(r.json()["code"]) == 6
    assert Complaint.objects.get(pk=pk).channel == "hotline"
    # and a bad channel is refused in Chinese, writing nothing
    bad = _post(
        client, "/api/complaints/register", {"channel": "web", "kind": "efficiency", "title": "x", "content": "y"}
    )
    assert bad.status_code in (400, 422)
    assert "热线" in json.dumps(bad.json(), ensure_ascii=False)
    assert Complaint.objects.count() == 1
    # when it is accepted, dispatched and extended by 4 then 7 working days
    _post(client, f"/api/complaints/complaints/{pk}/accept")
    _post(client, f"/api/complaints/complaints/{pk}/dispatch", {"department_id": world.dept.pk})
    assert (
        _post(client, f"/api/complaints/complaints/{pk}/extend", {"days": 4, "reason": "需现场核查"}).status_code == 200
    )
    over = _post(client, f"/api/complaints/complaints/{pk}/extend", {"days": 7, "reason": "再延"})
    assert over.status_code in (400, 422)
    assert "10" in json.dumps(over.json(), ensure_ascii=False)
    assert Clock.objects.get(pk=Complaint.objects.get(pk=pk).reply_clock_id).extension_total == 4
    # when a duplicate is merged into it
    dup = submit(world, title="窗口推诿", content="又有人反映市场监管局窗口推诿的问题。")
    merged = _post(client, f"/api/complaints/complaints/{dup.pk}/merge", {"into_number": number})
    assert merged.status_code == 200
    assert merged.json()["number"] == number
    assert Complaint.objects.get(pk=dup.pk).status == "merged"
    # when the department finds it substantiated, the office records accountability
    complaint_reply(
        complaint=Complaint.objects.get(pk=pk),
        actor=world.user("clerk"),
        text="经核查属实，已批评教育。",
        substantiated=True,
    )
    acc = _post(
        client,
        f"/api/complaints/complaints/{pk}/accountability",
        {"sanction": "oral_warning", "reason": "窗口推诿属实"},
    )
    assert acc.status_code == 200
    assert AccountabilityRecord.objects.get().sanction == "oral_warning"


def test_api_close_anonymous_and_office_actions_refused_to_the_department(client, world):

    c = dispatched(world, anonymous=True, name="", phone="")
    complaint_reply(complaint=c, actor=world.user("clerk"), text="已核实并改进窗口服务。", substantiated=False)
    # the department may not close, extend, merge or record accountability
    _login(client, world, "dept_head")
    for action, body in [
        ("close", {}),
        ("extend", {"days": 1, "reason": "x"}),
        ("merge", {"into_number": c.number}),
        ("accountability", {"sanction": "oral_warning", "reason": "xxxx"}),
    ]:
        assert _post(client, f"/api/complaints/complaints/{c.pk}/{action}", body).status_code == 403, action
    assert (
        _post(
            client, "/api/complaints/register", {"channel": "hotline", "kind": "praise", "title": "x", "content": "y"}
        ).status_code
        == 403
    )
    # the office closes the anonymous complaint (no callback possible)
    _login(client, world, "supervisor")
    assert (
        _post(client, f"/api/complaints/complaints/{c.pk}/close", {"note": "匿名，无法回访"}).json()["status"]
        == "closed"
    )


def test_hidden_complainant_promise_holds_in_case_link_notifications_and_track(
    client, world, django_capture_on_commit_callbacks
):

    # given 赵先生, signed in, complains about his own case and asks to stay hidden
    case: Case = completed_case(world)
    office = world.user("supervisor")
    with django_capture_on_commit_callbacks(execute=True):
        c = submit(world, case_number=case.tracking_number, actor=world.user("applicant"))
        complaint_accept(complaint=c, actor=office)
        complaint_dispatch(complaint=c, actor=office, department=world.dept)
        complaint_reply(complaint=c, actor=world.user("clerk"), text="已提醒窗口人员一次性告知。", substantiated=True)
        complaint_callback(complaint=c, actor=office, satisfaction="unsatisfied", note="认为答复敷衍")
    # when the department's staff read their pages, the API and their notifications
    _login(client, world, "clerk")
    texts = [
        client.get(reverse("complaints:department")).content.decode(),
        client.get(reverse("complaints:department_detail", args=[c.pk])).content.decode(),
        json.dumps(client.get(f"/api/complaints/complaints/{c.pk}").json(), ensure_ascii=False),
        *[f"{n.title} {n.body}" for n in Notification.objects.filter(recipient__department=world.dept)],
    ]
    # then nothing names him: not his name, phone, nor the case whose applicant he is
    for text in texts:
        assert "赵先生" not in text
        assert "13900000021" not in text
        assert case.tracking_number not in text
    # while the office sees the case to look into it
    _login(client, world, "supervisor")
    assert case.tracking_number in client.get(reverse("complaints:office_detail", args=[c.pk])).content.decode()


def test_track_page_names_the_steps_in_plain_chinese(client, world):

    reg = complaint_submit(
        kind="efficiency",
        title="窗口重复要材料",
        content="窗口工作人员两次要求提交同一份材料。",
        name="赵先生",
        phone="13900000021",
    )
    complaint_accept_page = client.get(reverse("complaints:track"), {"number": reg.complaint.number, "code": reg.code})
    page = complaint_accept_page.content.decode()
    assert "已登记" in page
    assert "complaint.registered" not in page
    assert "赵先生" not in page


def test_office_links_the_staff_member_complained_about_in_the_page_and_the_api(client, world):
    _login(client, world, "supervisor")
    clerk = world.user("clerk")
    client.post(
        reverse("complaints:office_register"),
        {
            "channel": "hall",
            "kind": "efficiency",
            "title": "窗口人员态度差",
            "content": "大厅现场反映窗口人员态度生硬。",
            "name": "孙女士",
            "phone": "13700000003",
            "staff": clerk.pk,
        },
    )
    c = Complaint.objects.get()
    assert c.staff == clerk
    assert c.department_id == clerk.department_id
    assert c.channel == "hall"
    r = _post(
        client,
        "/api/complaints/register",
        {
            "channel": "mailbox",
            "kind": "efficiency",
            "title": "来信反映",
            "content": "市长信箱来信反映窗口人员推诿。",
            "anonymous": True,
            "staff_id": clerk.pk,
            "department_id": world.other_dept.pk,
        },
    )
    assert r.status_code == 400
    assert "不属于" in json.dumps(r.json(), ensure_ascii=False)
    assert Complaint.objects.count() == 1
