# mypy: disable-error-code="union-attr,arg-type,misc,operator"
"""Issue 11 gaps: files on a request (the applicant's and the answer's) and the annual report frozen
when it is issued (DIS-3)."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xiaoneng.disclosure.choices import AnswerType, AttachmentSide
from xiaoneng.disclosure.models import DisclosureRequest, IssuedReport, RequestAttachment
from xiaoneng.disclosure.report import annual_report
from xiaoneng.disclosure.services import report_issue, request_answer, request_attach
from xiaoneng.disclosure.tests.conftest import submit
from xiaoneng.orgs.models import Department

PDF = b"%PDF-1.4 a copy of the ID card\n"
PNG = b"\x89PNG\r\n\x1a\n fake image"


def _pdf(name: str = "身份证复印件.pdf", body: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _apply_data(world, **kw):
    data = {
        "department": world.dept.pk,
        "applicant_kind": "natural",
        "applicant_name": "钱女士",
        "phone": "13900000031",
        "description": "2025年本市食品经营许可的发放数量和名单",
        "submission_token": "t" * 32,
    }
    data.update(kw)
    return data


# --- attachments -------------------------------------------------------------------------------------


def test_the_online_applicant_attaches_files_with_the_request(world, client):
    # given a signed-in applicant on the online form
    client.force_login(world.user("applicant"))
    # when they submit with an ID copy and a supporting document
    r = client.post(
        "/disclosure/apply/",
        {**_apply_data(world), "attachments": [_pdf(), SimpleUploadedFile("证明.png", PNG)]},
    )
    # then the request carries both, on the applicant's side
    assert r.status_code == 302
    req = DisclosureRequest.objects.get()
    files = list(req.attachments.order_by("id"))
    assert [f.original_name for f in files] == ["身份证复印件.pdf", "证明.png"]
    assert {f.side for f in files} == {AttachmentSide.APPLICANT}
    assert files[0].uploaded_by == world.user("applicant")


def test_a_failed_form_keeps_the_valid_file_and_names_the_bad_one(world, client):
    # given a form with a missing description, one good file and one whose content lies about its type
    data = _apply_data(world, description="")
    fake = SimpleUploadedFile("伪装.pdf", b"MZ not a pdf")
    # when it is submitted
    r = client.post("/disclosure/apply/", {**data, "attachments": [_pdf(), fake]})
    # then nothing is filed, both problems are shown in one round and the good file is kept
    body = html.unescape(r.content.decode())
    assert r.status_code == 200
    assert not DisclosureRequest.objects.exists()
    assert "伪装.pdf" in body
    assert "与扩展名不符" in body
    assert "已上传" in body
    assert "身份证复印件.pdf" in body
    # when the corrected form is sent without choosing the file again
    r = client.post("/disclosure/apply/", _apply_data(world))
    # then the kept file is stored with the request
    assert r.status_code == 302
    assert [a.original_name for a in RequestAttachment.objects.all()] == ["身份证复印件.pdf"]


def test_a_bad_file_through_the_service_writes_nothing(world):
    with pytest.raises(ValidationError) as e:
        submit(world, files=[_pdf(), SimpleUploadedFile("病毒.exe", b"MZ")])
    assert "attachments" in e.value.message_dict
    assert not DisclosureRequest.objects.exists()
    assert not RequestAttachment.objects.exists()


def test_the_department_attaches_the_answers_documents_on_page_and_api(world, client):
    # given an answered request
    req = submit(world, actor=world.user("applicant")).request
    request_answer(request=req, actor=world.user("reviewer"), answer_type=AnswerType.DISCLOSED, text="予以公开")
    # when the department's clerk uploads the answer letter on the page and another through the API
    client.force_login(world.user("clerk"))
    r = client.post(
        f"/workbench/disclosure/requests/{req.pk}/", {"action": "attach", "attachments": [_pdf("答复书.pdf")]}
    )
    assert r.status_code == 302
    api = client.post(f"/api/disclosure/requests/{req.pk}/attachments", {"files": [_pdf("附件一.pdf")]})
    # then both are the answer's documents and listed for the applicant
    assert api.status_code == 201, api.content
    assert api.json()[0]["side"] == "answer"
    assert set(req.attachments.values_list("side", flat=True)) == {AttachmentSide.ANSWER}
    client.force_login(world.user("applicant"))
    names = [a["name"] for a in client.get(f"/api/disclosure/requests/{req.pk}/attachments").json()]
    assert names == ["答复书.pdf", "附件一.pdf"]
    page = client.get(f"/workbench/disclosure/requests/{req.pk}/").content.decode()
    assert "答复书.pdf" in page


def test_a_bad_file_on_the_request_page_is_refused_clearly(world, client):
    req = submit(world).request
    client.force_login(world.user("clerk"))
    r = client.post(
        f"/workbench/disclosure/requests/{req.pk}/",
        {"action": "attach", "attachments": [SimpleUploadedFile("a.txt", b"hello")]},
        follow=True,
    )
    assert r.status_code == 200
    assert "类型不允许上传" in html.unescape(r.content.decode())
    api = client.post(
        f"/api/disclosure/requests/{req.pk}/attachments", {"files": [SimpleUploadedFile("a.txt", b"hello")]}
    )
    assert api.status_code == 400
    assert "attachments" in api.json()["detail"]
    assert not RequestAttachment.objects.exists()


def test_downloads_only_for_the_applicant_and_the_staff_in_scope(world, client):
    # given a request of world.dept with the applicant's file
    req = submit(world, actor=world.user("applicant"), files=[_pdf()]).request
    att = req.attachments.get()
    page_url = f"/workbench/disclosure/requests/{req.pk}/files/{att.pk}/"
    api_url = f"/api/disclosure/requests/{req.pk}/attachments/{att.pk}"
    # then the applicant, the department's staff and the city's efficiency office download it
    for username in ("applicant", "clerk", "dept_head", "supervisor"):
        client.force_login(world.user(username))
        for url in (page_url, api_url):
            r = client.get(url)
            assert r.status_code == 200, (username, url)
            assert b"".join(r.streaming_content) == PDF
    # and another applicant, another department's and another county's staff get 404
    for username in ("other_applicant", "other_clerk", "county_clerk", "other_county_supervisor"):
        client.force_login(world.user(username))
        for url in (page_url, api_url, f"/api/disclosure/requests/{req.pk}/attachments"):
            assert client.get(url).status_code == 404, (username, url)
    # and an anonymous visitor is sent to sign in (page) or refused (API)
    client.logout()
    assert client.get(page_url).status_code == 302
    assert client.get(api_url).status_code in (401, 403)


def test_the_tracking_page_gives_the_applicant_its_files_by_signed_link(world, client):
    sub = submit(world, files=[_pdf()])
    body = client.get("/disclosure/track/", {"number": sub.request.number, "code": sub.code}).content.decode()
    assert "身份证复印件.pdf" in body
    link = body.split('href="/disclosure/track/file/', 1)[1].split('"', 1)[0]
    r = client.get(f"/disclosure/track/file/{link}")
    assert r.status_code == 200
    assert client.get("/disclosure/track/file/forged/1/").status_code == 404


def test_wrong_role_cannot_attach(world, client):
    req = submit(world, actor=world.user("applicant")).request
    # a clerk of another department cannot even see the request; one in scope but not of the department
    # (the city's supervisor) reads it but may not attach
    client.force_login(world.user("other_clerk"))
    assert client.post(f"/api/disclosure/requests/{req.pk}/attachments", {"files": [_pdf()]}).status_code == 404
    client.force_login(world.user("supervisor"))
    assert client.post(f"/api/disclosure/requests/{req.pk}/attachments", {"files": [_pdf()]}).status_code == 403
    with pytest.raises(PermissionDenied):
        request_attach(request=req, actor=world.user("supervisor"), files=[_pdf()])
    assert not RequestAttachment.objects.exists()


def test_the_applicant_adds_documents_while_open_only(world):
    req = submit(world, actor=world.user("applicant")).request
    rows = request_attach(request=req, actor=world.user("applicant"), files=[_pdf()])
    assert rows[0].side == AttachmentSide.APPLICANT
    request_answer(request=req, actor=world.user("reviewer"), answer_type=AnswerType.DISCLOSED, text="予以公开")
    req.refresh_from_db()
    with pytest.raises(ValidationError, match="已办结"):
        request_attach(request=req, actor=world.user("applicant"), files=[_pdf()])
    assert req.attachments.count() == 1


# --- the annual report issued (DIS-3) ----------------------------------------------------------------


def _last_year_request(world, **kw):
    """A request received last year (still open at the year's end: carried forward)."""
    req = submit(world, **kw).request
    then = timezone.now().replace(year=timezone.localdate().year - 1, month=6, day=15)
    DisclosureRequest.objects.filter(pk=req.pk).update(received_at=then)
    return req


def test_an_issued_report_keeps_its_figures_when_records_change(world):
    # given one request of last year, and the department head issues last year's report
    year = timezone.localdate().year - 1
    _last_year_request(world)
    issued = report_issue(actor=world.user("dept_head"), year=year, department=world.dept)
    assert issued.data["table3"]["new"]["total"] == 1
    # when another request of last year turns up afterwards
    _last_year_request(world)
    # then the live figures move and the issued ones do not
    live = annual_report(
        year=year, departments=Department.objects.filter(pk=world.dept.pk), title="x", government=False
    )
    assert live.table3["new"]["total"] == 2
    issued.refresh_from_db()
    assert issued.data["table3"]["new"]["total"] == 1


def test_re_issue_is_refused_and_the_year_must_be_over(world):
    year = timezone.localdate().year
    with pytest.raises(ValidationError, match="年度结束后"):
        report_issue(actor=world.user("dept_head"), year=year, department=world.dept)
    report_issue(actor=world.user("dept_head"), year=year - 1, department=world.dept)
    with pytest.raises(ValidationError, match="不能重复发布"):
        report_issue(actor=world.user("dept_head"), year=year - 1, department=world.dept)
    assert IssuedReport.objects.count() == 1


def test_who_may_issue(world):
    year = timezone.localdate().year - 1
    # a clerk, another department's head-less staff and another county's supervisor may not
    for username in ("clerk", "reviewer", "other_clerk"):
        with pytest.raises(PermissionDenied):
            report_issue(actor=world.user(username), year=year, department=world.dept)
    with pytest.raises(PermissionDenied):
        report_issue(actor=world.user("other_county_supervisor"), year=year, region=world.city)
    # the city's efficiency office issues the government's own report
    issued = report_issue(actor=world.user("supervisor"), year=year, region=world.city)
    assert issued.government
    assert issued.title.endswith("人民政府")


def test_a_report_whose_check_fails_is_not_issued(world):
    year = timezone.localdate().year - 1
    req = _last_year_request(world)
    request_answer(request=req, actor=world.user("reviewer"), answer_type=AnswerType.DISCLOSED, text="予以公开")
    DisclosureRequest.objects.filter(pk=req.pk).update(
        report_row="", answered_at=timezone.now().replace(year=year, month=7, day=1)
    )
    with pytest.raises(ValidationError, match="校验未通过"):
        report_issue(actor=world.user("dept_head"), year=year, department=world.dept)
    assert not IssuedReport.objects.exists()


def test_report_page_issues_then_shows_issued_vs_live(world, client):
    year = timezone.localdate().year - 1
    _last_year_request(world)
    client.force_login(world.user("dept_head"))
    url = f"/workbench/disclosure/report/?year={year}"
    # before: live figures, with the issue button
    body = client.get(url).content.decode()
    assert 'id="btn-issue"' in body
    assert "实时数据（未发布）" in body
    # when the head issues it
    r = client.post(url, {"action": "issue"})
    assert r.status_code == 302
    assert IssuedReport.objects.filter(year=year, department=world.dept).count() == 1
    # and a record changes afterwards
    _last_year_request(world)
    # then the page shows the issued figures, says so, and notes the live ones moved
    body = client.get(url).content.decode()
    assert 'id="btn-issue"' not in body
    assert "已发布" in body
    assert 'id="report-moved"' in body
    new_row = body.split('data-row="new"', 1)[1].split("</tr>", 1)[0]
    assert "<td>1</td>" in new_row
    # and the live view shows the new count
    live = client.get(url + "&live=1").content.decode()
    assert "<td>2</td>" in live.split('data-row="new"', 1)[1].split("</tr>", 1)[0]
    # and a second issue is refused with a message, nothing written
    r = client.post(url, {"action": "issue"}, follow=True)
    assert "不能重复发布" in html.unescape(r.content.decode())
    assert IssuedReport.objects.count() == 1


def test_report_api_issue_and_wrong_role(world, client):
    year = timezone.localdate().year - 1
    _last_year_request(world)
    client.force_login(world.user("clerk"))
    assert (
        client.post("/api/disclosure/report/issue", {"year": year}, content_type="application/json").status_code == 403
    )
    client.force_login(world.user("applicant"))
    assert (
        client.post("/api/disclosure/report/issue", {"year": year}, content_type="application/json").status_code == 403
    )
    client.force_login(world.user("dept_head"))
    r = client.post("/api/disclosure/report/issue", {"year": year}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["issued"] is True
    again = client.post("/api/disclosure/report/issue", {"year": year}, content_type="application/json")
    assert again.status_code == 400
    _last_year_request(world)
    frozen = client.get(f"/api/disclosure/report?year={year}").json()
    live = client.get(f"/api/disclosure/report?year={year}&live=true").json()
    assert frozen["issued"] is True
    assert frozen["table3"]["new"]["total"] == 1
    assert live["issued"] is False
    assert live["table3"]["new"]["total"] == 2
    # a department head cannot issue another department's report
    other = client.post(
        "/api/disclosure/report/issue",
        {"year": year, "department_id": world.other_dept.pk},
        content_type="application/json",
    )
    assert other.status_code == 403
    assert IssuedReport.objects.count() == 1


def test_issued_report_exports_the_frozen_figures(world, client):
    year = timezone.localdate().year - 1
    _last_year_request(world)
    report_issue(actor=world.user("dept_head"), year=year, department=world.dept)
    client.force_login(world.user("dept_head"))
    r = client.get(f"/workbench/disclosure/report/?year={year}&format=xlsx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
