"""Pages and API of proposals and decisions: scoped reads, wrong roles refused on every endpoint,
bad input answered with a message (never a 500), the public decision list with comment counts."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone

from xiaoneng.proposals.actions.decisions import decision_publish
from xiaoneng.proposals.models import DecisionComment, MajorDecision, Proposal
from xiaoneng.proposals.tests.conftest import register

JSON = "application/json"


@pytest.mark.parametrize("username", ["applicant", "county_clerk", "other_county_supervisor"])
def test_proposal_pages_and_api_refuse_users_outside_scope(world, proposal, client, username):
    client.force_login(world.user(username))
    for url in (f"/proposals/{proposal.pk}/", f"/api/proposals/proposals/{proposal.pk}"):
        assert client.get(url).status_code in (403, 404), url
    for action, payload in {
        "opinion": {"opinion": "x"},
        "reply": {"category": "A", "text": "x"},
        "feedback": {"satisfaction": "satisfied"},
    }.items():
        r = client.post(f"/api/proposals/proposals/{proposal.pk}/{action}", payload, content_type=JSON)
        assert r.status_code in (403, 404), action
        assert client.post(f"/proposals/{proposal.pk}/", {"action": action}).status_code in (403, 404)
    if username != "applicant":
        assert client.get("/api/proposals/proposals").json() == []
        assert proposal.title not in client.get("/proposals/").content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "handling"


def test_wrong_role_inside_scope_is_refused_each_action(world, proposal, client):
    # the co-handler's clerk may give the opinion, not reply; the lead's clerk may not reply
    client.force_login(world.user("clerk"))
    assert (
        client.post(f"/api/proposals/proposals/{proposal.pk}/opinion", {"opinion": "x"}, content_type=JSON).status_code
        == 403
    )
    r = client.post(f"/api/proposals/proposals/{proposal.pk}/reply", {"category": "A", "text": "x"}, content_type=JSON)
    assert r.status_code == 403
    r = client.post(f"/api/proposals/proposals/{proposal.pk}/feedback", {"satisfaction": "basic"}, content_type=JSON)
    assert r.status_code == 403
    assert client.post(f"/proposals/{proposal.pk}/", {"action": "reply"}).status_code == 403
    client.force_login(world.user("other_clerk"))
    r = client.post(f"/api/proposals/proposals/{proposal.pk}/opinion", {"opinion": "配合"}, content_type=JSON)
    assert r.status_code == 200
    assert r.json()["cohandlers"][0]["answered"] is True


def test_department_staff_cannot_register(world, client):
    for key in ("clerk", "dept_head", "legal"):
        client.force_login(world.user(key))
        assert client.get("/proposals/new/").status_code == 403
        r = client.post("/api/proposals/proposals", {}, content_type=JSON)
        assert r.status_code in (403, 422)
    assert not Proposal.objects.exists()


def test_anonymous(client, world, proposal, major):
    assert client.get("/proposals/").status_code == 302
    assert client.get("/proposals/decisions/").status_code == 302
    assert client.get("/api/proposals/proposals").status_code == 401
    assert client.get("/api/proposals/decisions").status_code == 401


def test_full_proposal_journey_through_the_pages(world, client):
    client.force_login(world.user("supervisor"))
    assert client.get("/proposals/new/").status_code == 200
    r = client.post(
        "/proposals/new/",
        {
            "kind": "proposal",
            "session": "政协青溪市十二届五次会议",
            "number": "第0101号",
            "title": "关于优化企业开办流程的提案",
            "proposer": "李委员",
            "content": "建议企业开办一日办结。",
            "lead_department": world.dept.pk,
        },
    )
    assert r.status_code == 302
    p = Proposal.objects.get()
    client.force_login(world.user("dept_head"))
    r = client.post(f"/proposals/{p.pk}/", {"action": "reply", "reply-category": "A", "reply-text": "已实现一日办结"})
    assert r.status_code == 302
    client.force_login(world.user("supervisor"))
    r = client.post(f"/proposals/{p.pk}/", {"action": "feedback", "feedback-satisfaction": "satisfied"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == "closed"
    assert "已办结" in client.get("/proposals/").content.decode()


@pytest.mark.parametrize(
    "patch",
    [
        {"number": "号" * 300},
        {"title": ""},
        {"kind": "x"},
        {"lead_department_id": -1},
        {"lead_department_id": 10**12},
        {"lead_department_id": "NaN"},
        {"cohandler_ids": [10**12]},
        {"urgent": "maybe"},
    ],
)
def test_register_api_bad_input_is_400_or_422(world, client, patch):
    client.force_login(world.user("supervisor"))
    payload = {
        "kind": "suggestion",
        "session": "十七届五次",
        "number": "1",
        "title": "t",
        "proposer": "p",
        "content": "c",
        "lead_department_id": world.dept.pk,
        **patch,
    }
    r = client.post("/api/proposals/proposals", payload, content_type=JSON)
    assert r.status_code in (400, 422), r.content
    assert not Proposal.objects.exists()


def test_register_form_bad_input_is_a_message(world, client):
    client.force_login(world.user("supervisor"))
    r = client.post(
        "/proposals/new/",
        {
            "kind": "suggestion",
            "session": "s",
            "number": "1",
            "title": "t",
            "proposer": "p",
            "content": "c",
            "lead_department": world.dept.pk,
            "cohandlers": [world.dept.pk],
        },
    )
    assert r.status_code == 200
    assert "errorlist" in r.content.decode()
    assert not Proposal.objects.exists()


# --- decisions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["applicant", "other_clerk", "county_clerk", "other_county_supervisor"])
def test_decision_pages_and_api_refuse_users_outside_scope(world, major, client, username):
    client.force_login(world.user(username))
    for url in (f"/proposals/decisions/{major.pk}/", f"/api/proposals/decisions/{major.pk}"):
        assert client.get(url).status_code in (403, 404), url
    for path, payload in {
        "publish": {"days": 30},
        "steps/expert": {"summary": "x"},
        "legality": {"result": "lawful", "summary": "x"},
        "adopt": {"meeting": "m", "decided_on": timezone.localdate().isoformat(), "text": "t"},
    }.items():
        r = client.post(f"/api/proposals/decisions/{major.pk}/{path}", payload, content_type=JSON)
        assert r.status_code in (403, 404), path
    for action in ("publish", "step", "legality", "adopt"):
        assert client.post(f"/proposals/decisions/{major.pk}/", {"action": action}).status_code in (403, 404)
    if username != "applicant":
        assert client.get("/api/proposals/decisions").json() == []


def test_wrong_role_inside_scope_cannot_review_or_adopt(world, major, client):
    client.force_login(world.user("dept_head"))
    r = client.post(
        f"/api/proposals/decisions/{major.pk}/legality", {"result": "lawful", "summary": "x"}, content_type=JSON
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/proposals/decisions/{major.pk}/adopt",
        {"meeting": "m", "decided_on": timezone.localdate().isoformat(), "text": "t"},
        content_type=JSON,
    )
    assert r.status_code == 403
    client.force_login(world.user("legal"))
    assert client.post(f"/api/proposals/decisions/{major.pk}/publish", {}, content_type=JSON).status_code == 403


def test_cannot_adopt_early_through_the_api(world, major, client):
    client.force_login(world.user("leader"))
    r = client.post(
        f"/api/proposals/decisions/{major.pk}/adopt",
        {"meeting": "m", "decided_on": timezone.localdate().isoformat(), "text": "t"},
        content_type=JSON,
    )
    assert r.status_code == 400
    assert "公众参与" in r.json()["detail"]["__all__"][0]


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("publish", {"days": "NaN"}),
        ("publish", {"days": -5}),
        ("publish", {"days": 10**12}),
        ("publish", {"days": 5}),
        ("steps/collective", {"summary": "x"}),
        ("steps/" + "x" * 300, {"summary": "x"}),
        ("steps/expert", {"summary": "说" * 6000}),
    ],
)
def test_decision_api_bad_input(world, major, client, path, payload):
    client.force_login(world.user("dept_head"))
    r = client.post(f"/api/proposals/decisions/{major.pk}/{path}", payload, content_type=JSON)
    assert r.status_code in (400, 422), r.content
    major.refresh_from_db()
    assert major.published_on is None


def test_public_list_and_comment_count(world, major, client):
    # DEC-2
    assert major.title not in client.get("/proposals/decisions/public/").content.decode()
    assert client.get(f"/proposals/decisions/public/{major.pk}/").status_code == 404
    decision_publish(actor=world.user("dept_head"), decision=major)
    r = client.post(f"/proposals/decisions/public/{major.pk}/", {"name": "", "text": "建议保留菜场"})
    assert r.status_code == 302
    r = client.post(f"/api/proposals/decisions/public/{major.pk}/comments", {"text": "支持"}, content_type=JSON)
    assert r.status_code == 201
    r = client.post(f"/proposals/decisions/public/{major.pk}/", {"text": "意" * 3000})
    assert r.status_code == 200
    assert "errorlist" in r.content.decode()
    assert DecisionComment.objects.count() == 2
    data = client.get("/api/proposals/decisions/public").json()
    assert data[0]["comment_count"] == 2
    assert "public-decisions" in client.get("/proposals/decisions/public/").content.decode()


@override_settings(XIAONENG_THROTTLE_RATES={"public_comment": "2/h"})
def test_public_comments_are_rate_limited(world, major, client):
    decision_publish(actor=world.user("dept_head"), decision=major)
    for _i in range(2):
        assert client.post(f"/proposals/decisions/public/{major.pk}/", {"text": "意见"}).status_code == 302
    assert client.post(f"/proposals/decisions/public/{major.pk}/", {"text": "意见"}).status_code == 429


def test_decision_registration_through_the_page(world, client):
    client.force_login(world.user("clerk"))
    r = client.post(
        "/proposals/decisions/new/",
        {"title": "青溪市停车收费调整方案", "description": "调整中心城区停车收费标准", "expert_not_required": ""},
    )
    assert r.status_code == 302
    d = MajorDecision.objects.get()
    body = client.get(f"/proposals/decisions/{d.pk}/").content.decode()
    assert "step-legality" in body
    assert "form-publish" in body


def test_lists_are_paginated(world, client):
    for i in range(51):
        register(world, number=f"第{i:04d}号", cohandlers=[])
    client.force_login(world.user("supervisor"))
    body = client.get("/proposals/").content.decode()
    assert "共 51 条" in body
    assert 'rel="next"' in body
