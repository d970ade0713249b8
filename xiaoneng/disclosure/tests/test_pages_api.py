# mypy: disable-error-code="union-attr,arg-type,misc,operator,index,attr-defined"
"""Pages and API: the citizen's online request, tracking and notice download, the department's desk,
records and report (page, Excel, PDF), and every endpoint refused to the wrong role."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from xiaoneng.disclosure.choices import AnswerType, Ground, RequestStatus
from xiaoneng.disclosure.models import DisclosureRequest
from xiaoneng.disclosure.services import record_create, record_publish, request_answer
from xiaoneng.disclosure.tests.conftest import submit

pytestmark = pytest.mark.django_db


def _client(world, key=None) -> Client:
    c = Client()
    if key:
        c.force_login(world.user(key))
    return c


def test_public_pages_render_and_search(world):
    rec = record_create(
        actor=world.user("clerk"),
        category="normative",
        title="食品经营许可办理指引",
        body="正文",
        created_on=timezone.localdate(),
    )
    record_publish(record=rec, actor=world.user("reviewer"))
    draft = record_create(
        actor=world.user("clerk"), category="other", title="尚未公开的草稿", body="x", created_on=timezone.localdate()
    )
    c = _client(world)
    page = c.get(reverse("disclosure:index"), {"q": "食品"}).content.decode()
    assert "食品经营许可办理指引" in page
    assert "尚未公开的草稿" not in page
    assert (
        c.get(reverse("disclosure:index"), {"page": "abc", "department": "x" * 300, "category": "bogus"}).status_code
        == 200
    )
    assert c.get(reverse("disclosure:record", args=[rec.pk])).status_code == 200
    assert c.get(reverse("disclosure:record", args=[draft.pk])).status_code == 404
    assert c.get(reverse("disclosure:guide", args=[world.dept.pk])).status_code == 200


def test_citizen_applies_online_tracks_and_downloads_the_notice(world):
    c = _client(world)
    data = {
        "department": world.dept.pk,
        "applicant_kind": "natural",
        "applicant_name": "钱女士",
        "phone": "13900000031",
        "description": "2025年食品经营许可名单",
    }
    r = c.post(reverse("disclosure:apply"), data)
    assert r.status_code == 302
    req = DisclosureRequest.objects.get()
    page = c.get(r["Location"]).content.decode()
    code = page.split('id="req-code">')[1].split("<")[0]
    assert c.get(r["Location"]).status_code == 404  # the code is shown once
    request_answer(
        request=req,
        actor=world.user("clerk"),
        answer_type=AnswerType.PARTIAL,
        ground=Ground.THIRD_PARTY,
        text="部分公开",
    )
    track = c.get(reverse("disclosure:track"), {"number": req.number, "code": code}).content.decode()
    assert "notice-answer" in track
    url = track.split('id="notice-answer"')[0].rsplit('href="', 1)[1].split('"')[0]
    pdf = c.get(url)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert (
        "notice-answer"
        not in c.get(reverse("disclosure:track"), {"number": req.number, "code": "XXXXXX"}).content.decode()
    )
    assert c.get(reverse("disclosure:track_notice", args=["forged", "answer"])).status_code == 404


def test_bad_online_request_shows_errors_and_writes_nothing(world):
    c = _client(world)
    r = c.post(
        reverse("disclosure:apply"),
        {"department": "999999", "applicant_kind": "x", "applicant_name": "名" * 300, "phone": "1", "description": ""},
    )
    assert r.status_code == 200
    assert "form-errors" in r.content.decode()
    r = c.post(
        reverse("disclosure:apply"),
        {
            "department": world.dept.pk,
            "applicant_kind": "natural",
            "applicant_name": "钱",
            "phone": "12",
            "description": "足够长的描述内容",
        },
    )
    assert r.status_code == 200
    assert "form-errors" in r.content.decode()
    assert DisclosureRequest.objects.count() == 0


def test_department_desk_extends_and_answers(world):
    req = submit(world).request
    head = _client(world, "dept_head")
    assert head.get(reverse("disclosure:request", args=[req.pk])).status_code == 200
    head.post(reverse("disclosure:request", args=[req.pk]), {"action": "extend", "reason": "检索档案"})
    req.refresh_from_db()
    assert req.extended_at is not None
    clerk = _client(world, "clerk")
    clerk.post(
        reverse("disclosure:request", args=[req.pk]),
        {"action": "answer", "answer_type": "partial", "ground": "third_party", "text": "部分公开"},
    )
    req.refresh_from_db()
    assert req.status == RequestStatus.ANSWERED
    for kind in ("answer", "extension"):
        r = clerk.get(reverse("disclosure:notice", args=[req.pk, kind]))
        assert r.status_code == 200
        assert r.content.startswith(b"%PDF")
    assert clerk.get(reverse("disclosure:notice", args=[req.pk, "correction"])).status_code == 404


def test_pages_refuse_the_wrong_role(world):
    req = submit(world, actor=world.user("applicant")).request
    url = reverse("disclosure:request", args=[req.pk])
    for key in ("other_clerk", "county_clerk", "other_applicant", "other_county_supervisor"):
        assert _client(world, key).get(url).status_code == 404, key
        assert _client(world, key).get(reverse("disclosure:notice", args=[req.pk, "answer"])).status_code == 404
    assert _client(world, "applicant").get(url).status_code == 200  # their own
    assert _client(world, "supervisor").get(url).status_code == 200  # region scope, read only
    # a supervisor cannot act
    _client(world, "supervisor").post(url, {"action": "answer", "answer_type": "disclosed", "text": "予以公开"})
    req.refresh_from_db()
    assert req.status == RequestStatus.PROCESSING
    for name in ("disclosure:staff_requests", "disclosure:staff_records", "disclosure:report"):
        assert _client(world, "applicant").get(reverse(name)).status_code == 403
        assert _client(world).get(reverse(name)).status_code == 302  # to the login page
    assert _client(world, "applicant").get(reverse("disclosure:staff_register")).status_code == 403
    assert _client(world, "supervisor").get(reverse("disclosure:staff_register")).status_code == 403
    assert _client(world, "clerk").get(reverse("disclosure:guide_edit")).status_code == 403
    assert _client(world, "dept_head").get(reverse("disclosure:guide_edit")).status_code == 200


def test_report_page_and_exports(world):
    req = submit(world).request
    request_answer(request=req, actor=world.user("clerk"), answer_type=AnswerType.DISCLOSED, text="予以公开")
    year = timezone.localdate().year
    for key in ("clerk", "supervisor", "leader"):
        c = _client(world, key)
        page = c.get(reverse("disclosure:report"), {"year": year})
        assert page.status_code == 200
        assert 'id="report-check"' in page.content.decode()
    c = _client(world, "supervisor")
    x = c.get(reverse("disclosure:report"), {"year": year, "department": world.dept.pk, "format": "xlsx"})
    wb = load_workbook(io.BytesIO(x.content))
    assert wb.active.max_row > 30
    p = c.get(reverse("disclosure:report"), {"year": year, "format": "pdf"})
    assert p.content.startswith(b"%PDF")
    assert c.get(reverse("disclosure:report"), {"year": "0001"}).status_code == 200
    assert c.get(reverse("disclosure:report"), {"department": world.county_dept.pk}).status_code == 200
    assert (
        _client(world, "other_county_supervisor")
        .get(reverse("disclosure:report"), {"department": world.dept.pk})
        .status_code
        == 404
    )


def _post(c: Client, url: str, data: dict) -> object:
    return c.post(url, json.dumps(data), content_type="application/json")


def test_api_public_submit_and_track(world):
    c = _client(world)
    r = _post(
        c,
        "/api/disclosure/requests",
        {
            "department_id": world.dept.pk,
            "applicant_kind": "commercial",
            "applicant_name": "某公司",
            "phone": "13900000033",
            "description": "某项行政许可决定",
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    t = c.get("/api/disclosure/track", {"number": body["number"], "code": body["code"]})
    assert t.status_code == 200
    assert t.json()["status"] == "processing"
    assert c.get("/api/disclosure/track", {"number": body["number"], "code": "nope"}).status_code == 400
    bad = _post(
        c,
        "/api/disclosure/requests",
        {"department_id": 2**70, "applicant_kind": "x", "applicant_name": "", "phone": "", "description": ""},
    )
    assert bad.status_code in (400, 422)
    bad = _post(
        c,
        "/api/disclosure/requests",
        {
            "department_id": world.dept.pk,
            "applicant_kind": "natural",
            "applicant_name": "名" * 300,
            "phone": "13900000033",
            "description": "足够长的描述",
        },
    )
    assert bad.status_code == 400
    assert DisclosureRequest.objects.count() == 1


def test_api_every_endpoint_refuses_the_wrong_role(world):
    req = submit(world).request
    pk = req.pk
    anon, applicant, other = _client(world), _client(world, "applicant"), _client(world, "other_clerk")
    supervisor = _client(world, "supervisor")
    writes = [
        (f"/api/disclosure/requests/{pk}/correction", {"items": "补正事项"}),
        (f"/api/disclosure/requests/{pk}/correction/received", {"text": "补正内容"}),
        (f"/api/disclosure/requests/{pk}/extend", {"reason": "延期"}),
        (f"/api/disclosure/requests/{pk}/consultations", {"kind": "third_party", "party": "某公司"}),
        (f"/api/disclosure/requests/{pk}/consultations/1/reply", {"opinion": "agree"}),
        (f"/api/disclosure/requests/{pk}/answer", {"answer_type": "disclosed", "text": "予以公开"}),
        (f"/api/disclosure/requests/{pk}/withdraw", {"reason": ""}),
    ]
    for url, data in writes:
        assert _post(anon, url, data).status_code == 401, url
        assert _post(applicant, url, data).status_code == 404, url  # not theirs: invisible
        assert _post(other, url, data).status_code == 404, url  # another department
        assert _post(supervisor, url, data).status_code in (403, 400), url  # sees it, may not act
    assert anon.get(f"/api/disclosure/requests/{pk}").status_code == 401
    assert other.get(f"/api/disclosure/requests/{pk}").status_code == 404
    assert applicant.get("/api/disclosure/requests").json() == []
    assert supervisor.get(f"/api/disclosure/requests/{pk}").status_code == 200
    reg = {
        "channel": "window",
        "applicant_kind": "natural",
        "applicant_name": "孙先生",
        "phone": "13900000034",
        "description": "某项信息描述",
    }
    assert _post(anon, "/api/disclosure/requests/register", reg).status_code == 401
    assert _post(applicant, "/api/disclosure/requests/register", reg).status_code == 403
    assert _post(supervisor, "/api/disclosure/requests/register", reg).status_code == 403
    assert _post(_client(world, "clerk"), "/api/disclosure/requests/register", reg).status_code == 200
    rec = {"category": "normative", "title": "某规范性文件", "created_on": str(timezone.localdate()), "body": "正文"}
    assert _post(anon, "/api/disclosure/records", rec).status_code == 401
    assert _post(applicant, "/api/disclosure/records", rec).status_code == 403
    assert _post(supervisor, "/api/disclosure/records", rec).status_code == 403
    r = _post(_client(world, "clerk"), "/api/disclosure/records", rec)
    assert r.status_code == 200
    rid = r.json()["id"]
    assert _post(_client(world, "clerk"), f"/api/disclosure/records/{rid}/publish", {}).status_code == 403
    assert _post(other, f"/api/disclosure/records/{rid}/publish", {}).status_code == 404
    assert _post(_client(world, "reviewer"), f"/api/disclosure/records/{rid}/publish", {}).status_code == 200
    assert anon.get("/api/disclosure/records", {"q": "规范性"}).json()[0]["id"] == rid
    assert anon.get("/api/disclosure/records", {"limit": -1}).status_code == 400
    assert anon.get("/api/disclosure/records/mine").status_code == 401
    assert applicant.get("/api/disclosure/records/mine").status_code == 403
    year = timezone.localdate().year
    assert anon.get("/api/disclosure/report", {"year": year}).status_code == 401
    assert applicant.get("/api/disclosure/report", {"year": year}).status_code == 403
    assert (
        _client(world, "clerk")
        .get("/api/disclosure/report", {"year": year, "department_id": world.other_dept.pk})
        .status_code
        == 403
    )
    assert (
        _client(world, "other_county_supervisor")
        .get("/api/disclosure/report", {"year": year, "department_id": world.dept.pk})
        .status_code
        == 403
    )
    assert _client(world, "clerk").get("/api/disclosure/report", {"year": 9999}).status_code == 400
    ok = supervisor.get("/api/disclosure/report", {"year": year})
    assert ok.status_code == 200
    assert ok.json()["check_ok"] is True
    appeal = {
        "department_id": world.dept.pk,
        "kind": "reconsideration",
        "result": "pending",
        "filed_on": str(timezone.localdate()),
    }
    assert _post(anon, "/api/disclosure/appeals", appeal).status_code == 401
    assert _post(applicant, "/api/disclosure/appeals", appeal).status_code == 403
    assert _post(other, "/api/disclosure/appeals", appeal).status_code == 403
    assert _post(_client(world, "clerk"), "/api/disclosure/appeals", appeal).status_code == 201
    assert (
        _post(_client(world, "clerk"), "/api/disclosure/appeals", {**appeal, "filed_on": "0001-01-01"}).status_code
        == 400
    )
