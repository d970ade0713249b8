"""执法全过程记录 on first-violation notices (首违告诫书, INS-8) and penalty decisions (INS-10): files
through core.uploads.upload_check, kept on a failed page round, one event per upload, listed and
downloaded only in scope (page and API), wrong roles refused; exactly one parent per file."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from xiaoneng.core.models import Event
from xiaoneng.inspections.actions.first_violations import first_violation_notice_issue
from xiaoneng.inspections.actions.penalties import baseline_set, penalty_decide
from xiaoneng.inspections.models import InspectionEvidence
from xiaoneng.inspections.tests.conftest import OTHER_ENTERPRISE, PDF, entry_for, notice_args

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MP3 = b"ID3\x03\x00\x00\x00\x00" + b"\x00" * 32
TIERS = [{"tier": "general", "circumstance": "一般情形", "fine_min": "1000", "fine_max": "5000"}]
OUTSIDERS = ("other_clerk", "county_clerk", "other_county_supervisor", "applicant")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _notice(world: Any, iw: Any) -> Any:
    return first_violation_notice_issue(**notice_args(world, entry_for(world, iw)))


def _penalty(world: Any, iw: Any) -> Any:
    baseline = baseline_set(actor=world.user("legal"), item=iw.penalty_item, basis="食品安全法", tiers=TIERS)
    return penalty_decide(
        actor=world.user("dept_head"),
        tier=baseline.tiers.get(),
        enterprise_name="青溪市鲜果店",
        credit_code=OTHER_ENTERPRISE,
        facts="销售过期食品",
        amount="2000",
        officials=[world.user("clerk"), world.user("reviewer")],
    )


# (factory, page path, API path, event action)
PARENTS = {
    "notice": (
        _notice,
        "/inspections/first-violations/{pk}/",
        "/api/inspections/notices/{pk}/evidence",
        "first_violation_notice.evidence_added",
    ),
    "penalty": (
        _penalty,
        "/inspections/penalties/{pk}/",
        "/api/inspections/penalties/{pk}/evidence",
        "penalty.evidence_added",
    ),
}


def _token(client: Any, page_url: str) -> str:
    page = client.get(page_url)
    assert page.status_code == 200
    return page.content.decode().split('name="submission_token" value="')[1].split('"')[0]


@pytest.mark.parametrize("kind", sorted(PARENTS))
def test_page_upload_is_listed_downloaded_with_one_event(world, iw, client, kind):
    make, page_tpl, api_tpl, action = PARENTS[kind]
    act = make(world, iw)
    page_url = page_tpl.format(pk=act.pk)
    client.force_login(world.user("clerk"))
    r = client.post(
        page_url + "evidence/",
        {
            "submission_token": _token(client, page_url),
            "files": [SimpleUploadedFile("现场.png", PNG), SimpleUploadedFile("录音.mp3", MP3)],
        },
    )
    assert r.status_code == 302
    assert r["Location"] == page_url
    assert set(act.evidence.values_list("name", flat=True)) == {"现场.png", "录音.mp3"}
    assert Event.objects.filter(action=action, subject_id=str(act.pk)).count() == 1
    assert not InspectionEvidence.objects.filter(inspection__isnull=False).exists()
    assert "现场.png" in client.get(page_url).content.decode()
    ev = act.evidence.get(name="录音.mp3")
    download = client.get(f"/inspections/evidence/{ev.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"ID3")
    # another reader in scope (the department head) lists and downloads through the API
    client.force_login(world.user("dept_head"))
    listed = client.get(api_tpl.format(pk=act.pk)).json()
    assert {e["name"] for e in listed} == {"现场.png", "录音.mp3"}
    api_download = client.get(f"/api/inspections/evidence/{ev.pk}/file")
    assert api_download.status_code == 200
    assert b"".join(api_download.streaming_content).startswith(b"ID3")


@pytest.mark.parametrize("kind", sorted(PARENTS))
def test_a_failed_round_keeps_the_good_file_and_writes_nothing(world, iw, client, kind):
    make, page_tpl, _api, action = PARENTS[kind]
    act = make(world, iw)
    page_url = page_tpl.format(pk=act.pk)
    client.force_login(world.user("clerk"))
    token = _token(client, page_url)
    r = client.post(
        page_url + "evidence/",
        {
            "submission_token": token,
            "files": [SimpleUploadedFile("好.pdf", PDF), SimpleUploadedFile("坏.pdf", b"MZ\x90")],
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "坏.pdf" in body
    assert "已上传：" in body
    assert "好.pdf" in body
    assert not act.evidence.exists()
    assert not Event.objects.filter(action=action).exists()
    r = client.post(page_url + "evidence/", {"submission_token": token})
    assert r.status_code == 302
    assert list(act.evidence.values_list("name", flat=True)) == ["好.pdf"]
    assert Event.objects.filter(action=action, subject_id=str(act.pk)).count() == 1


@pytest.mark.parametrize("kind", sorted(PARENTS))
def test_api_bad_file_400_and_wrong_roles_refused(world, iw, client, kind):
    make, page_tpl, api_tpl, _action = PARENTS[kind]
    act = make(world, iw)
    url = api_tpl.format(pk=act.pk)
    page_url = page_tpl.format(pk=act.pk)
    client.force_login(world.user("clerk"))
    bad = client.post(url, {"files": [SimpleUploadedFile("x.exe", b"MZ\x90\x00")]})
    assert bad.status_code == 400
    assert "x.exe" in bad.content.decode()
    assert not act.evidence.exists()
    assert client.post(url, {}).status_code in (400, 422)
    assert not act.evidence.exists()
    ok = client.post(url, {"files": [SimpleUploadedFile("笔录.pdf", PDF)]})
    assert ok.status_code == 201
    ev = act.evidence.get()
    # the office of the region reads the act but may not add to a department's record
    client.force_login(world.user("supervisor"))
    assert client.get(url).status_code == 200
    assert client.post(url, {"files": [SimpleUploadedFile("a.pdf", PDF)]}).status_code == 403
    assert client.post(page_url + "evidence/", {"files": [SimpleUploadedFile("a.pdf", PDF)]}).status_code == 403
    assert 'id="evidence-form"' not in client.get(page_url).content.decode()
    for username in OUTSIDERS:
        client.force_login(world.user(username))
        assert client.get(url).status_code in (403, 404), username
        assert client.post(url, {"files": [SimpleUploadedFile("a.pdf", PDF)]}).status_code in (403, 404), username
        assert client.get(f"/api/inspections/evidence/{ev.pk}/file").status_code in (403, 404), username
        assert client.get(f"/inspections/evidence/{ev.pk}/file/").status_code in (403, 404), username
        assert client.get(page_url).status_code in (403, 404), username
        page = client.post(page_url + "evidence/", {"files": [SimpleUploadedFile("a.pdf", PDF)]})
        assert page.status_code in (403, 404), username
    assert act.evidence.count() == 1


def test_a_file_has_exactly_one_parent(world, iw):
    notice = _notice(world, iw)
    penalty = _penalty(world, iw)
    user = world.user("clerk")
    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionEvidence.objects.create(name="a", file="x", uploaded_by=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionEvidence.objects.create(name="a", file="x", uploaded_by=user, notice=notice, penalty=penalty)
    InspectionEvidence.objects.create(name="a", file="x", uploaded_by=user, penalty=penalty)
