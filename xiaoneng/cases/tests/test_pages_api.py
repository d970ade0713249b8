# mypy: disable-error-code="union-attr,operator"
# (tests read clocks that the services always set; the Optional is a model-level fact only)
"""Pages and API: scoping, wrong roles refused, bad input rejected with clear messages and nothing
written, the public look-up shows no personal data, the ledger and PDFs."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from xiaoneng.cases.actions.negative import case_negative_report_review, case_negative_report_submit
from xiaoneng.cases.actions.steps import case_step_decide
from xiaoneng.cases.actions.timing import case_pause
from xiaoneng.cases.choices import Status
from xiaoneng.cases.models import Case, CaseMaterial, Enquiry
from xiaoneng.cases.tests.conftest import FORM, PDF, accepted, submit
from xiaoneng.cases.verification import verification_check
from xiaoneng.catalog.models import ItemVersion
from xiaoneng.core import uploads

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- scoping ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_clerk", "county_clerk", "other_applicant"])
def test_scoping_other_department_and_other_applicant_cannot_see_case(world, cw, who):
    # given a case of world.dept by "applicant"
    case, _code = submit(world, cw.simple)
    c = client_for(world.user(who))
    # when others open it (page and API) — then 404, nothing leaks
    page = "cases:case" if who == "other_applicant" else "cases:staff_case"

    assert c.get(reverse(page, args=[case.pk])).status_code == 404
    assert c.get(f"/api/cases/{case.pk}").status_code == 404
    assert case.pk not in [r["id"] for r in c.get("/api/cases").json()]
    mat = case.materials.first()
    assert c.get(f"/cases/{case.pk}/materials/{mat.pk}/").status_code == 404


def test_parallel_department_sees_case_through_its_task(world, cw):
    case = accepted(world, cw.parallel)
    c = client_for(world.user("other_clerk"))  # 住建局 co-handles the joint stage
    assert c.get(f"/workbench/cases/{case.pk}/").status_code == 200


def test_owner_and_department_see_case_and_material(world, cw):
    case, _code = submit(world, cw.simple)
    mat = case.materials.first()
    for who, url in [("applicant", f"/cases/{case.pk}/"), ("clerk", f"/workbench/cases/{case.pk}/")]:
        c = client_for(world.user(who))
        assert c.get(url).status_code == 200
        r = c.get(f"/cases/{case.pk}/materials/{mat.pk}/")
        assert r.status_code == 200
        assert r.getvalue().startswith(b"%PDF")


# --- wrong roles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("clerk", "/cases/mine/"),
        ("applicant", "/workbench/cases/"),
        ("applicant", "/workbench/cases/window/"),
        ("reviewer", "/workbench/cases/window/"),
        ("applicant", "/workbench/cases/enquiries/"),
        ("supervisor", "/workbench/cases/enquiries/"),
        ("clerk", "/workbench/cases/negative-reports/"),
        ("applicant", "/workbench/cases/ledger/"),
        ("supervisor", "/workbench/cases/ledger/"),
    ],
)
def test_wrong_role_refused_on_pages(world, cw, who, url):
    assert client_for(world.user(who)).get(url).status_code == 403


def test_apply_page_refuses_staff_and_anonymous(world, cw):
    url = f"/cases/apply/{cw.simple.implementing_code}/"
    assert client_for(world.user("clerk")).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to login


@pytest.mark.parametrize(
    ("who", "action", "payload"),
    [
        ("applicant", "accept", {}),
        ("reviewer", "accept", {}),
        ("other_clerk", "accept", {}),
        ("clerk", "decide", {"outcome": "approve"}),
        ("clerk", "extend", {"kind": "agency_head", "reason": "x"}),
        ("clerk", "pause", {"reason": "expert_review", "expected_days": 3}),
        ("reviewer", "withdraw", {}),
    ],
)
def test_wrong_role_refused_on_api(world, cw, who, action, payload):
    # given a submitted case (and one in review for the review actions)
    case, _code = submit(world, cw.simple)
    if action in ("decide", "extend", "pause"):
        case = accepted(world, cw.simple)
    r = client_for(world.user(who)).post(
        f"/api/cases/{case.pk}/{action}", json.dumps(payload), content_type="application/json"
    )
    assert r.status_code in (403, 404)
    assert Case.objects.get(pk=case.pk).status == case.status


def test_staff_action_by_wrong_role_shows_message_and_writes_nothing(world, cw):
    case, _code = submit(world, cw.simple)
    c = client_for(world.user("reviewer"))
    r = c.post(f"/workbench/cases/{case.pk}/accept/", {"version": case.lock_version}, follow=True)
    assert "只有本部门窗口工作人员可以受理" in r.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED


def test_api_requires_login(world, cw):
    assert Client().get("/api/cases").status_code == 401


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ....", "类型不允许"),
        ("fake.pdf", b"GIF89a not a pdf", "内容与扩展名不符"),
        ("empty.pdf", b"", "空文件"),
    ],
)
def test_bad_upload_rejected_with_message_and_nothing_written(world, cw, name, content, message):
    c = client_for(world.user("applicant"))
    m = cw.simple.published.materials.first()
    data = {**FORM, f"material_{m.pk}": SimpleUploadedFile(name, content)}
    r = c.post(f"/cases/apply/{cw.simple.implementing_code}/", data)
    assert r.status_code == 200
    assert message in r.content.decode()
    assert Case.objects.count() == 0
    assert CaseMaterial.objects.count() == 0


def test_oversized_upload_rejected(world, cw, settings):

    c = client_for(world.user("applicant"))
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (uploads.MAX_UPLOAD_BYTES + 1))
    r = c.post(f"/cases/apply/{cw.simple.implementing_code}/", {**FORM, "extra": big})
    assert "大小限制" in r.content.decode()
    assert Case.objects.count() == 0


def test_malformed_form_rejected_with_clear_message(world, cw):
    c = client_for(world.user("applicant"))
    r = c.post(f"/cases/apply/{cw.simple.implementing_code}/", {**FORM, "phone": "12345", "description": ""})
    body = r.content.decode()
    assert "请填写11位手机号码" in body
    assert "这个字段是必填项" in body
    assert Case.objects.count() == 0


def test_api_malformed_payload_400_and_nothing_written(world, cw):
    case, _code = submit(world, cw.simple)
    c = client_for(world.user("clerk"))
    r = c.post(
        f"/api/cases/{case.pk}/refuse", json.dumps({"ground": "bogus", "reasons": ""}), content_type="application/json"
    )
    assert r.status_code == 400
    assert "reasons" in r.json()["detail"]
    r = c.post(f"/api/cases/{case.pk}/supplement-request", "{not json", content_type="application/json")
    assert r.status_code in (400, 422)
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED


# --- API flow ---------------------------------------------------------------------------------


def test_api_apply_accept_and_stale_version_conflict(world, cw):
    # given an applicant applying over the API
    c = client_for(world.user("applicant"))
    m = cw.simple.published.materials.first()
    r = c.post(
        "/api/cases",
        {**FORM, "item": cw.simple.implementing_code, "materials": [m.pk], "files": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert len(body["verification_code"]) == 6
    clerk = client_for(world.user("clerk"))
    # when the clerk accepts with the version seen
    detail = clerk.get(f"/api/cases/{body['id']}").json()
    r = clerk.post(
        f"/api/cases/{body['id']}/accept", json.dumps({"version": detail["version"]}), content_type="application/json"
    )
    assert r.status_code == 200
    assert r.json()["status"] == "in_review"
    # then a second clerk with the stale version gets the clear message
    r = clerk.post(
        f"/api/cases/{body['id']}/supplement-request",
        json.dumps({"version": detail["version"], "missing": ["身份证明"]}),
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "该办件已被他人处理，请刷新后重试" in json.dumps(r.json(), ensure_ascii=False)


def test_api_track_shows_no_personal_data(world, cw):
    case, code = submit(world, cw.simple)
    r = Client().get("/api/cases/track", {"tracking_number": case.tracking_number, "code": code})
    assert r.status_code == 200
    text = json.dumps(r.json(), ensure_ascii=False)
    assert "张丽" not in text
    assert "13900000011" not in text
    assert (
        Client().get("/api/cases/track", {"tracking_number": case.tracking_number, "code": "XXXXXX"}).status_code == 404
    )


def test_track_page_wrong_code_reveals_nothing(world, cw):
    case, code = submit(world, cw.simple)
    r = Client().get("/track/", {"tracking_number": case.tracking_number, "code": "AAAAAA"})
    assert "办件编号或查询码不正确" in r.content.decode()
    assert cw.simple.published.name not in r.content.decode()
    r = Client().get("/track/", {"tracking_number": case.tracking_number, "code": code.lower()})
    body = r.content.decode()
    assert "已提交待受理" in body
    assert "张丽" not in body


def test_queue_orders_by_next_due_and_filters(world, cw):
    a, _ = submit(world, cw.simple)
    b = accepted(world, cw.simple)
    c = client_for(world.user("clerk"))
    rows = c.get("/api/cases/queue").json()
    dues = [r["due_date"] or "9999" for r in rows]
    assert dues == sorted(dues)
    assert a.pk in [r["case"] for r in rows]
    assert all(r["status"] == "submitted" for r in c.get("/api/cases/queue?status=submitted").json())
    page = c.get("/workbench/cases/").content.decode()
    assert a.tracking_number in page
    assert 'data-colour="green"' in page
    assert b.pk  # accepted case goes to the step holder, not to the clerk


def test_enquiry_page_registers_referral_with_printable_slip(world, cw):
    c = client_for(world.user("clerk"))
    r = c.post(
        "/workbench/cases/enquiries/",
        {
            "visitor_name": "王先生",
            "question": "建筑施工许可",
            "outcome": "referred",
            "referred_office": "青溪市住房和城乡建设局",
            "referred_address": "人民路8号",
            "referred_contact": "0571-88880000",
        },
    )
    assert r.status_code == 302
    e = Enquiry.objects.get()
    pdf = c.get(f"/cases/notices/{e.notices.get().pk}.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert client_for(world.user("other_clerk")).get(f"/cases/notices/{e.notices.get().pk}.pdf").status_code == 404


def test_ledger_exports_department_cases_for_period(world, cw):

    case = accepted(world, cw.simple)
    today = timezone.localdate().isoformat()
    head = client_for(world.user("dept_head"))
    page = head.get("/workbench/cases/ledger/", {"start": today, "end": today}).content.decode()
    assert case.tracking_number in page
    assert 'id="ledger"' in page
    r = head.get("/workbench/cases/ledger/", {"start": today, "end": today, "format": "xlsx"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [c.value for row in ws.iter_rows(min_row=3) for c in row]
    assert case.tracking_number in values
    other = client_for(world.user("other_clerk")).get("/api/cases/ledger.xlsx", {"start": today, "end": today})
    ws2 = load_workbook(io.BytesIO(other.content)).active
    assert case.tracking_number not in [c.value for row in ws2.iter_rows(min_row=3) for c in row]


# --- API parity: what the pages show, the API returns ---------------------------------------------


def test_api_detail_has_materials_decision_actions_and_hides_staff_names_from_the_applicant(world, cw):

    # given a case in review whose first step is held by a named reviewer
    case = accepted(world, cw.simple)
    staff = client_for(cw.holder_a).get(f"/api/cases/{case.pk}").json()
    # then staff see who holds each step and what they may do now
    assert staff["tasks"][0]["assignee"]
    assert staff["tasks"][0]["join_policy"] == "all"
    assert staff["opinion_tasks"] == [staff["tasks"][0]["id"]]
    assert "pause" in staff["actions"]
    assert "accept" not in staff["actions"]
    # and the applicant sees the department, never the staff member's name
    mine = client_for(world.user("applicant")).get(f"/api/cases/{case.pk}").json()
    assert all(t["assignee"] is None for t in mine["tasks"])
    assert "withdraw" in mine["actions"]
    assert mine["opinion_tasks"] == []
    # and the materials with a download link that only those who see the case can use
    url = mine["materials"][0]["download_url"]
    assert client_for(world.user("applicant")).get(url).getvalue().startswith(b"%PDF")
    assert client_for(world.user("other_applicant")).get(url).status_code == 404
    # when the steps are done and the case decided, the decision and its opinions are in the detail
    case_step_decide(task=case.tasks.get(status="active"), actor=cw.holder_a, kind="agree", reasons="材料齐全")
    case_step_decide(task=case.tasks.get(status="active"), actor=world.user("dept_head"), kind="agree")
    r = client_for(world.user("reviewer")).post(
        f"/api/cases/{case.pk}/decide", json.dumps({"outcome": "approve"}), content_type="application/json"
    )
    assert r.status_code == 200
    assert r.json()["status"] == "decided_approved"
    detail = client_for(world.user("applicant")).get(f"/api/cases/{case.pk}").json()
    assert detail["decision"]["outcome"] == "approve"
    assert detail["decided_at"]
    assert detail["tasks"][0]["opinions"][0]["reasons"] == "材料齐全"
    assert {n["kind"] for n in detail["notices"]} >= {"acceptance", "approval"}


def test_api_correct_on_the_spot_and_refused_to_other_roles(world, cw):
    case, _code = submit(world, cw.simple)
    body = json.dumps({"phone": "13900000099"})
    for who in ("applicant", "reviewer", "other_clerk"):
        r = client_for(world.user(who)).post(f"/api/cases/{case.pk}/correct", body, content_type="application/json")
        assert r.status_code in (403, 404)
    r = client_for(world.user("clerk")).post(f"/api/cases/{case.pk}/correct", body, content_type="application/json")
    assert r.status_code == 200
    assert Case.objects.get(pk=case.pk).applicant_phone == "13900000099"
    r = client_for(world.user("clerk")).post(
        f"/api/cases/{case.pk}/correct", json.dumps({"phone": "123"}), content_type="application/json"
    )
    assert r.status_code == 400
    assert "请填写11位手机号码" in json.dumps(r.json(), ensure_ascii=False)


def test_staff_page_corrects_on_the_spot_and_offers_refusal_only_after_the_leader_approved(world, cw):

    case, _code = submit(world, cw.simple)
    c = client_for(world.user("clerk"))
    page = c.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert "当场更正申请内容" in page
    assert "btn-correct" in page
    # the refusal form is not offered before the negative-decision report was approved (CAS-6)
    assert "出具不予受理通知书" not in page
    assert "否定报备" in page
    data = {
        "version": case.lock_version,
        **{f"correct-{k}": v for k, v in FORM.items()},
        "correct-address": "人民路9号",
    }
    r = c.post(f"/workbench/cases/{case.pk}/correct/", data, follow=True)
    assert "申请内容已当场更正" in r.content.decode()
    assert Case.objects.get(pk=case.pk).form_data["address"] == "人民路9号"
    report = case_negative_report_submit(
        case=Case.objects.get(pk=case.pk), actor=world.user("clerk"), kind="non_acceptance", reasons="不属于本机关"
    )
    case_negative_report_review(report=report, actor=world.user("dept_head"), approve=True)
    assert "出具不予受理通知书" in c.get(f"/workbench/cases/{case.pk}/").content.decode()


def test_queue_puts_running_clocks_before_paused_ones(world, cw):

    # given two cases in review at the head's department: the older one paused for an expert review
    first = accepted(world, cw.simple)
    second = accepted(world, cw.simple)
    case_pause(case=first, actor=world.user("dept_head"), reason="expert_review", expected_days=3)
    # when the head opens the queue
    rows = [r["case"] for r in client_for(world.user("dept_head")).get("/api/cases/queue").json()]
    # then the running one comes first although the paused one was due earlier
    assert rows.index(second.pk) < rows.index(first.pk)


# --- applying: only items people apply for, online only where the item is online ----------------


def test_apply_index_lists_items_open_for_online_application_only(world, cw):

    # given a penalty item and an item served at the window only, both published
    ItemVersion.objects.filter(pk=cw.on_the_spot.published_id).update(item_type="02")
    ItemVersion.objects.filter(pk=cw.parallel.published_id).update(online_depth="2")
    # when anyone opens 在线申请
    page = Client().get("/cases/apply/", {"q": ""}).content.decode()
    # then only the item open for online application is offered, with its guide and apply links
    assert cw.simple.published.name in page
    assert f"/cases/apply/{cw.simple.implementing_code}/" in page
    assert cw.on_the_spot.published.name not in page
    assert cw.parallel.published.name not in page
    # and the apply page and the service refuse the others with a clear message, writing nothing
    c = client_for(world.user("applicant"))
    assert c.get(f"/cases/apply/{cw.on_the_spot.implementing_code}/").status_code == 404
    r = c.post("/api/cases", {**FORM, "item": cw.on_the_spot.implementing_code})
    assert r.status_code == 400
    assert "不接受申请" in json.dumps(r.json(), ensure_ascii=False)
    r = c.post("/api/cases", {**FORM, "item": cw.parallel.implementing_code})
    assert r.status_code == 400
    assert "请到窗口办理" in json.dumps(r.json(), ensure_ascii=False)
    assert Case.objects.count() == 0
    # but the window may still register the window-only item
    r = client_for(world.user("clerk")).post("/api/cases/window", {**FORM, "item": cw.parallel.implementing_code})
    assert r.status_code == 201


# --- what the applicant and the public see --------------------------------------------------------


def test_applicant_and_public_do_not_see_the_internal_negative_decision_report(world, cw):

    # given a refusal at intake waiting for the leader's review (CAS-6, internal)
    case, code = submit(world, cw.simple)
    case_negative_report_submit(case=case, actor=world.user("clerk"), kind="non_acceptance", reasons="内部理由ABC")
    # then the applicant's page, list and API, and the public look-up show the case as awaiting intake
    applicant = client_for(world.user("applicant"))
    for body in (
        applicant.get(f"/cases/{case.pk}/").content.decode(),
        applicant.get("/cases/mine/").content.decode(),
        Client().get("/track/", {"tracking_number": case.tracking_number, "code": code}).content.decode(),
    ):
        assert "已提交待受理" in body
        assert "否定报备" not in body
        assert "内部理由ABC" not in body
    detail = applicant.get(f"/api/cases/{case.pk}").json()
    assert detail["status"] == "submitted"
    assert "内部理由ABC" not in json.dumps(detail, ensure_ascii=False)
    # while the staff see it as it is
    staff = client_for(world.user("clerk")).get(f"/workbench/cases/{case.pk}/").content.decode()
    assert "否定报备审核中" in staff
    assert "内部理由ABC" in staff


def test_public_tracking_shows_each_step_with_its_date_and_the_deadline(world, cw):
    case = accepted(world, cw.simple)
    code_case, code = submit(world, cw.simple)

    assert verification_check(code_case, code)
    r = Client().get("/api/cases/track", {"tracking_number": code_case.tracking_number, "code": code}).json()
    assert r["deadline"]["label"] == "受理时限"
    assert r["due_date"]
    assert r["steps"][0]["name"] == "收件"
    assert r["steps"][0]["date"]
    page = Client().get("/track/", {"tracking_number": code_case.tracking_number, "code": code}).content.decode()
    assert "受理时限" in page
    assert "为什么是这一天" in page
    assert case.pk  # an accepted case of the same applicant does not appear
    assert case.tracking_number not in page
