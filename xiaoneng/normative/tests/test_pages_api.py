"""Pages and API of normative documents: scoped reads, wrong roles refused on every endpoint (NOR-7),
bad input answered with a message (never a 500), the public list (NOR-6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xiaoneng.normative.models import NormativeDocument
from xiaoneng.normative.tests.conftest import submit


def _today() -> str:
    return timezone.localdate().isoformat()


@pytest.mark.parametrize("username", ["applicant", "other_clerk", "county_clerk", "other_county_supervisor"])
def test_pages_and_api_refuse_users_outside_scope(world, draft, client, username):
    client.force_login(world.user(username))
    for url in (f"/normative/{draft.pk}/", f"/api/normative/documents/{draft.pk}"):
        assert client.get(url).status_code in (403, 404), url
    payloads = {
        "review": {"outcome": "passed", "opinion": ""},
        "publish": {"number": "X", "published_on": _today(), "effective_from": _today()},
        "file": {"filed_with": "government", "filed_on": _today()},
        "evaluate": {"outcome": "repeal", "note": "x"},
    }
    for action, payload in payloads.items():
        r = client.post(f"/api/normative/documents/{draft.pk}/{action}", payload, content_type="application/json")
        assert r.status_code in (403, 404), action
        r = client.post(f"/normative/{draft.pk}/", {"action": action})
        assert r.status_code in (403, 404), action
    if username != "applicant":
        assert draft.title not in client.get("/normative/").content.decode()
        assert client.get("/api/normative/documents").json() == []
    draft.refresh_from_db()
    assert draft.status == "reviewing"


def test_applicant_and_anonymous_cannot_reach_the_workbench(world, draft, client):
    assert client.get("/normative/").status_code == 302
    assert client.get("/api/normative/documents").status_code == 401
    assert client.post("/api/normative/documents", {}, content_type="application/json").status_code == 401
    client.force_login(world.user("applicant"))
    for url in ("/normative/", "/normative/new/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/api/normative/documents").status_code == 403
    r = client.post("/api/normative/documents", {"title": "x", "summary": "y"}, content_type="application/json")
    assert r.status_code == 403


@pytest.mark.parametrize("username", ["legal", "supervisor", "leader"])
def test_region_roles_cannot_submit_drafts(world, client, username):
    client.force_login(world.user(username))
    assert client.get("/normative/new/").status_code == 403
    r = client.post("/api/normative/documents", {"title": "x", "summary": "y"}, content_type="application/json")
    assert r.status_code == 403
    assert not NormativeDocument.objects.exists()


def test_the_clerk_submits_the_legal_office_reviews_the_head_publishes_and_files_through_pages(world, client):
    client.force_login(world.user("clerk"))
    r = client.post("/normative/new/", {"title": "青溪市城市道路挖掘管理规定", "summary": "挖掘审批与修复"})
    assert r.status_code == 302
    doc = NormativeDocument.objects.get()
    # the wrong role sees the page but no review form, and a forged post is refused
    assert "form-review" not in client.get(f"/normative/{doc.pk}/").content.decode()
    assert client.post(f"/normative/{doc.pk}/", {"action": "review", "review-outcome": "passed"}).status_code == 403
    client.force_login(world.user("legal"))
    page = client.get(f"/normative/{doc.pk}/").content.decode()
    assert "form-review" in page
    r = client.post(f"/normative/{doc.pk}/", {"action": "review", "review-outcome": "failed", "review-opinion": ""})
    assert r.status_code == 200
    assert "errorlist" in r.content.decode()
    r = client.post(f"/normative/{doc.pk}/", {"action": "review", "review-outcome": "passed", "review-opinion": ""})
    assert r.status_code == 302
    client.force_login(world.user("dept_head"))
    today = timezone.localdate()
    r = client.post(
        f"/normative/{doc.pk}/",
        {
            "action": "publish",
            "publish-number": "青政规〔2026〕5号",
            "publish-published_on": today.isoformat(),
            "publish-effective_from": today.isoformat(),
            "publish-valid_years": "5",
        },
    )
    assert r.status_code == 302
    r = client.post(
        f"/normative/{doc.pk}/",
        {"action": "file", "file-filed_with": "government", "file-filed_on": today.isoformat()},
    )
    assert r.status_code == 302
    doc.refresh_from_db()
    assert doc.status == "published"
    assert doc.filed_on == today
    # the public list shows it, to everyone
    client.logout()
    body = client.get("/normative/public/").content.decode()
    assert "青政规〔2026〕5号" in body
    assert client.get(f"/normative/public/{doc.pk}/").status_code == 200
    data = client.get("/api/normative/public").json()
    assert [d["number"] for d in data] == ["青政规〔2026〕5号"]
    assert data[0]["validity"] == "现行有效"


def test_a_draft_is_not_on_the_public_pages(world, draft, client):
    assert draft.title not in client.get("/normative/public/?all=1").content.decode()
    assert client.get(f"/normative/public/{draft.pk}/").status_code == 404
    assert client.get("/api/normative/public?all=true").json() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("publish-published_on", "0001-01-01"),
        ("publish-published_on", "9999-12-31"),
        ("publish-effective_from", "9999-12-31"),
        ("publish-published_on", "2026-02-30"),
        ("publish-number", "号" * 300),
        ("publish-valid_years", "NaN"),
        ("publish-valid_years", "-1"),
        ("publish-valid_years", "99999999999999999999"),
    ],
)
def test_publish_form_bad_input_is_a_message_not_a_500(world, approved, client, field, value):
    client.force_login(world.user("dept_head"))
    data = {
        "action": "publish",
        "publish-number": "青政规〔2026〕6号",
        "publish-published_on": _today(),
        "publish-effective_from": _today(),
        "publish-valid_years": "5",
        field: value,
    }
    r = client.post(f"/normative/{approved.pk}/", data)
    assert r.status_code == 200
    assert "errorlist" in r.content.decode()
    approved.refresh_from_db()
    assert approved.status == "approved"


@pytest.mark.parametrize(
    "patch",
    [
        {"published_on": "0001-01-01"},
        {"published_on": "9999-12-31"},
        {"effective_from": "0001-01-01"},
        {"number": "号" * 300},
        {"number": ""},
        {"valid_years": "NaN"},
        {"valid_years": 10**12},
        {"valid_years": -3},
    ],
)
def test_publish_api_bad_input_is_400_or_422(world, approved, client, patch):
    client.force_login(world.user("dept_head"))
    payload = {"number": "青政规〔2026〕7号", "published_on": _today(), "effective_from": _today(), **patch}
    r = client.post(f"/api/normative/documents/{approved.pk}/publish", payload, content_type="application/json")
    assert r.status_code in (400, 422), r.content
    approved.refresh_from_db()
    assert approved.status == "approved"


@pytest.mark.parametrize(
    "payload",
    [{"title": "文" * 300, "summary": "x"}, {"title": "", "summary": "x"}, {"title": "x", "summary": "内" * 6000}],
)
def test_submit_api_bad_input(world, client, payload):
    client.force_login(world.user("clerk"))
    r = client.post("/api/normative/documents", payload, content_type="application/json")
    assert r.status_code in (400, 422)
    assert not NormativeDocument.objects.exists()


def test_api_flow_and_late_filing_filter(world, client):
    client.force_login(world.user("clerk"))
    r = client.post("/api/normative/documents", {"title": "办法", "summary": "内容"}, content_type="application/json")
    assert r.status_code == 201
    pk = r.json()["id"]
    assert r.json()["review_due_date"] is not None
    client.force_login(world.user("legal"))
    r = client.post(f"/api/normative/documents/{pk}/review", {"outcome": "passed"}, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["status"] == "approved"
    client.force_login(world.user("dept_head"))
    r = client.post(
        f"/api/normative/documents/{pk}/publish",
        {"number": "N1", "published_on": _today(), "effective_from": _today()},
        content_type="application/json",
    )
    assert r.status_code == 200
    due = timezone.localdate() + timedelta(days=30)
    assert r.json()["filing_due_date"] == due.isoformat()
    client.force_login(world.user("supervisor"))
    assert client.get("/api/normative/documents?late_filing=true").json() == []


def test_public_api_offset_is_bounded(client, world):
    assert client.get("/api/normative/public?offset=-1").status_code == 400
    assert client.get("/api/normative/public?offset=99999999999999999999").status_code in (400, 422)


def test_workbench_list_is_paginated(world, client):
    for i in range(51):  # one more than a page (core.pagination: 50)
        submit(world, title=f"文件{i:02d}")
    client.force_login(world.user("legal"))
    body = client.get("/normative/").content.decode()
    assert "共 51 条" in body
    assert 'rel="next"' in body
