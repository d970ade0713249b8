"""Pages and API of filings, inspections and certificates: scoped reads, wrong roles refused, bad input
answered with a message (never a 500), the public verification rate-limited (INS-6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from xiaoneng.inspections.actions.filings import filing_approve, filing_submit
from xiaoneng.inspections.actions.records import inspection_record
from xiaoneng.inspections.models import InspectionFiling
from xiaoneng.inspections.tests.conftest import ENTERPRISE, OTHER_ENTERPRISE, PDF, filing_args


@pytest.fixture
def filing(world, iw):
    return filing_submit(**filing_args(world, iw))


def _record(world, iw):
    return inspection_record(
        actor=world.user("clerk"),
        department=world.dept,
        item=iw.inspection_item,
        enterprise_name="企业",
        credit_code=ENTERPRISE,
        inspected_on=iw.today,
        summary="现场检查",
        officials=[world.user("clerk"), world.user("reviewer")],
    )


@pytest.mark.parametrize("username", ["applicant", "other_clerk", "county_clerk", "other_county_supervisor"])
def test_pages_and_api_refuse_users_outside_scope(world, iw, filing, client, username):
    inspection = _record(world, iw)
    client.force_login(world.user(username))
    urls = [
        f"/inspections/filings/{filing.pk}/",
        f"/inspections/records/{inspection.pk}/",
        f"/api/inspections/filings/{filing.pk}",
        f"/api/inspections/records/{inspection.pk}",
    ]
    for url in urls:
        assert client.get(url).status_code in (403, 404), url
    for action in ("approve", "refuse"):
        r = client.post(
            f"/api/inspections/filings/{filing.pk}/{action}", {"reason": "x"}, content_type="application/json"
        )
        assert r.status_code in (403, 404)
    r = client.post(f"/inspections/filings/{filing.pk}/", {"action": "approve"})
    assert r.status_code in (403, 404)
    # lists show nothing of the department's
    if username != "applicant":
        assert filing.number not in client.get("/inspections/").content.decode()
        assert client.get("/api/inspections/filings").json() == []
        assert client.get("/api/inspections/records").json() == []


def test_applicant_cannot_reach_any_workbench_page(world, iw, client):
    client.force_login(world.user("applicant"))
    for url in ("/inspections/", "/inspections/filings/new/", "/inspections/records/", "/inspections/certificates/"):
        assert client.get(url).status_code == 403, url
    for url in ("/api/inspections/filings", "/api/inspections/records", "/api/inspections/certificates"):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_login_and_api_says_401(client, world, iw, filing):
    assert client.get("/inspections/").status_code == 302
    assert client.get("/api/inspections/filings").status_code == 401


def test_clerk_files_through_the_page_and_the_head_approves(world, iw, client):
    client.force_login(world.user("clerk"))
    page = client.get("/inspections/filings/new/")
    assert page.status_code == 200
    assert "对食品经营者的监督检查" in page.content.decode()
    data = {
        "item": iw.inspection_item.pk,
        "enterprise_name": "青溪市好味餐饮有限公司",
        "credit_code": ENTERPRISE,
        "planned_date": (iw.today + timedelta(days=2)).isoformat(),
        "purpose": "双随机抽查",
        "officials": [world.user("clerk").pk, world.user("reviewer").pk],
    }
    r = client.post("/inspections/filings/new/", data)
    assert r.status_code == 302
    filing = InspectionFiling.objects.get()
    client.force_login(world.user("dept_head"))
    r = client.post(f"/inspections/filings/{filing.pk}/", {"action": "approve", "note": "同意"})
    assert r.status_code == 302
    filing.refresh_from_db()
    assert filing.status == "filed"
    assert filing.number in client.get("/inspections/").content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("credit_code", "91339100MA2XXXXX0A", "校验位"),
        ("credit_code", "abc", "统一社会信用代码"),
        ("planned_date", "0001-01-01", "计划检查日期"),
        ("planned_date", "9999-12-31", "计划检查日期"),
        ("planned_date", "2026-02-30", ""),
        ("enterprise_name", "企" * 300, ""),
        ("purpose", "事" * 3000, ""),
        ("officials", [], "不得少于两人"),
    ],
)
def test_filing_form_bad_input_is_a_message_not_a_500(world, iw, client, field, value, message):
    client.force_login(world.user("clerk"))
    data = {
        "item": iw.inspection_item.pk,
        "enterprise_name": "企业",
        "credit_code": ENTERPRISE,
        "planned_date": (iw.today + timedelta(days=2)).isoformat(),
        "purpose": "抽查",
        "officials": [world.user("clerk").pk, world.user("reviewer").pk],
        field: value,
    }
    r = client.post("/inspections/filings/new/", data)
    assert r.status_code == 200
    body = r.content.decode()
    assert "errorlist" in body
    assert message in body
    assert not InspectionFiling.objects.exists()


@pytest.mark.parametrize(
    "patch",
    [
        {"credit_code": "91339100MA2XXXXX0A"},
        {"planned_date": "0001-01-01"},
        {"planned_date": "9999-12-31"},
        {"enterprise_name": "企" * 300},
        {"item_id": 10**12},
        {"item_id": -1},
        {"official_ids": [-5, 10**12]},
    ],
)
def test_filing_api_bad_input_is_400_or_422(world, iw, client, patch):
    client.force_login(world.user("clerk"))
    payload = {
        "item_id": iw.inspection_item.pk,
        "enterprise_name": "企业",
        "credit_code": ENTERPRISE,
        "planned_date": (iw.today + timedelta(days=2)).isoformat(),
        "purpose": "抽查",
        "official_ids": [world.user("clerk").pk, world.user("reviewer").pk],
        **patch,
    }
    r = client.post("/api/inspections/filings", payload, content_type="application/json")
    assert r.status_code in (400, 422), r.content
    assert not InspectionFiling.objects.exists()


def test_filing_api_creates_and_only_the_head_approves(world, iw, client):
    client.force_login(world.user("clerk"))
    payload = {
        "item_id": iw.inspection_item.pk,
        "enterprise_name": "企业",
        "credit_code": ENTERPRISE,
        "planned_date": (iw.today + timedelta(days=2)).isoformat(),
        "purpose": "抽查",
        "official_ids": [world.user("clerk").pk, world.user("reviewer").pk],
    }
    r = client.post("/api/inspections/filings", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["due_date"] is not None
    assert client.post(f"/api/inspections/filings/{pk}/approve", {}, content_type="application/json").status_code == 403
    client.force_login(world.user("dept_head"))
    r = client.post(f"/api/inspections/filings/{pk}/approve", {"note": "同意"}, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["status"] == "filed"
    client.force_login(world.user("supervisor"))
    assert [f["id"] for f in client.get("/api/inspections/filings").json()] == [pk]


def test_public_verify_page_shows_only_what_the_enterprise_may_see(world, iw, filing, client):
    filing_approve(actor=world.user("dept_head"), filing=filing, note="内部意见：重点查冷库")
    r = client.get("/inspections/verify/", {"number": filing.number, "credit_code": ENTERPRISE})
    body = r.content.decode()
    assert r.status_code == 200
    assert "已备案" in body
    assert "33910000CLE" in body
    assert "重点查冷库" not in body
    assert "双随机抽查" not in body
    r = client.get("/inspections/verify/", {"number": filing.number, "credit_code": OTHER_ENTERPRISE})
    assert "没有找到该备案" in r.content.decode()
    assert "33910000CLE" not in r.content.decode()
    r = client.get("/inspections/verify/", {"number": "x" * 500, "credit_code": "y" * 500})
    assert r.status_code == 200
    r = client.get("/api/inspections/verify", {"number": filing.number, "credit_code": ENTERPRISE})
    assert r.status_code == 200
    assert r.json()["status"] == "filed"
    assert client.get("/api/inspections/verify", {"number": "x", "credit_code": "y"}).status_code == 404


@override_settings(XIAONENG_THROTTLE_RATES={"track": "3/h"})
def test_ins6_public_verify_is_rate_limited(world, iw, filing, client):
    for _ in range(3):
        assert client.get("/inspections/verify/", {"number": "JC-1", "credit_code": ENTERPRISE}).status_code == 200
    r = client.get("/inspections/verify/", {"number": filing.number, "credit_code": ENTERPRISE})
    assert r.status_code == 429
    assert "Retry-After" in r
    assert client.get("/inspections/verify/").status_code == 200  # the empty form is not counted


def test_inspection_page_records_with_evidence_and_flags_unfiled(world, iw, client):

    client.force_login(world.user("clerk"))
    data = {
        "item": iw.inspection_item.pk,
        "enterprise_name": "企业",
        "credit_code": ENTERPRISE,
        "inspected_on": iw.today.isoformat(),
        "summary": "现场检查",
        "officials": [world.user("clerk").pk, world.user("reviewer").pk],
        "evidence": [SimpleUploadedFile("记录.pdf", PDF)],
    }
    r = client.post("/inspections/records/new/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    detail = client.get(r["Location"]).content.decode()
    assert "未备案检查" in detail
    assert "记录.pdf" in detail
    client.force_login(world.user("supervisor"))
    listing = client.get("/inspections/records/", {"unfiled": "1"}).content.decode()
    assert "未备案" in listing
    assert len(client.get("/api/inspections/records", {"unfiled": True}).json()) == 1
    # a bad file is refused with its name, nothing written
    client.force_login(world.user("clerk"))
    data["evidence"] = [SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00")]
    r = client.post("/inspections/records/new/", data)
    assert r.status_code == 200
    assert "病毒.pdf" in r.content.decode()
