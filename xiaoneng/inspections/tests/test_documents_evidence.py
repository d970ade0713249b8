"""The PDFs (filing receipt INS-1/INS-6, first-violation notice INS-8, penalty decision INS-10) with
their font embedded, and 执法全过程记录: files added to a record through core.uploads.upload_check,
kept on a failed form, listed and downloaded only in scope (page and API), wrong roles refused."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xiaoneng.core.models import Event
from xiaoneng.inspections.actions.filings import filing_approve, filing_submit
from xiaoneng.inspections.actions.first_violations import first_violation_notice_issue
from xiaoneng.inspections.actions.penalties import baseline_set, penalty_decide
from xiaoneng.inspections.actions.records import inspection_record
from xiaoneng.inspections.models import Inspection, InspectionEvidence
from xiaoneng.inspections.tests.conftest import ENTERPRISE, OTHER_ENTERPRISE, PDF, entry_for, filing_args, notice_args

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MP3 = b"ID3\x03\x00\x00\x00\x00" + b"\x00" * 32
TIERS = [{"tier": "general", "circumstance": "一般情形", "fine_min": "1000", "fine_max": "5000"}]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _text_and_fonts(data: bytes, tmp_path: Path) -> tuple[str, str]:
    if not (shutil.which("pdftotext") and shutil.which("pdffonts")):
        pytest.fail("poppler-utils (pdftotext, pdffonts) is required")
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True)
    return text.stdout.decode(), fonts.stdout.decode()


def _assert_embedded(fonts: str) -> None:
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    for row in rows:
        # columns: name type encoding emb sub uni …: every font embedded
        assert " yes " in row, fonts
    assert "Helvetica" not in fonts


def _filed(world: Any, iw: Any) -> Any:
    filing = filing_submit(**filing_args(world, iw))
    return filing_approve(actor=world.user("dept_head"), filing=filing, note="同意")


def _record(world: Any, iw: Any) -> Inspection:
    return inspection_record(
        actor=world.user("clerk"),
        department=world.dept,
        item=iw.inspection_item,
        enterprise_name="青溪市好味餐饮有限公司",
        credit_code=ENTERPRISE,
        inspected_on=iw.today,
        summary="现场检查",
        officials=[world.user("clerk"), world.user("reviewer")],
    )


# --- PDFs ---------------------------------------------------------------------------------------


def test_filing_receipt_pdf_has_number_enterprise_officials_and_verification(world, iw, client, tmp_path):
    filing = _filed(world, iw)
    client.force_login(world.user("clerk"))
    r = client.get(f"/inspections/filings/{filing.pk}/pdf/")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    text, fonts = _text_and_fonts(r.content, tmp_path)
    compact = "".join(text.split())
    assert "涉企检查备案回执" in compact
    assert filing.number in compact
    assert ENTERPRISE in compact
    assert "33910000CLE" in compact  # the officials' certificate numbers
    assert "核验" in compact
    assert "/inspections/verify/?number=" in compact  # the QR code's address, in words too
    _assert_embedded(fonts)
    # the API gives the same document
    api = client.get(f"/api/inspections/filings/{filing.pk}/pdf")
    assert api.status_code == 200
    assert api.content.startswith(b"%PDF")


def test_pending_filing_has_no_receipt(world, iw, client):
    filing = filing_submit(**filing_args(world, iw))
    client.force_login(world.user("clerk"))
    r = client.get(f"/inspections/filings/{filing.pk}/pdf/")
    assert r.status_code == 400
    assert "尚未" in r.content.decode()
    assert client.get(f"/api/inspections/filings/{filing.pk}/pdf").status_code == 400


def test_notice_and_penalty_pdfs(world, iw, client, tmp_path):
    notice = first_violation_notice_issue(**notice_args(world, entry_for(world, iw)))
    baseline = baseline_set(actor=world.user("legal"), item=iw.penalty_item, basis="食品安全法", tiers=TIERS)
    decision = penalty_decide(
        actor=world.user("dept_head"),
        tier=baseline.tiers.get(),
        enterprise_name="青溪市鲜果店",
        credit_code=OTHER_ENTERPRISE,
        facts="销售过期食品",
        amount="2000",
        officials=[world.user("clerk"), world.user("reviewer")],
    )
    client.force_login(world.user("reviewer"))
    text, fonts = _text_and_fonts(client.get(f"/inspections/first-violations/{notice.pk}/pdf/").content, tmp_path)
    compact = "".join(text.split())
    assert "首违不罚告诫书" in compact
    assert notice.number in compact
    assert "第三十三条" in compact
    _assert_embedded(fonts)
    text, fonts = _text_and_fonts(client.get(f"/inspections/penalties/{decision.pk}/pdf/").content, tmp_path)
    compact = "".join(text.split())
    assert "行政处罚决定书" in compact
    assert decision.number in compact
    assert "2000" in compact
    assert "行政复议" in compact
    _assert_embedded(fonts)
    assert client.get(f"/api/inspections/penalties/{decision.pk}/pdf").status_code == 200
    assert client.get(f"/api/inspections/notices/{notice.pk}/pdf").status_code == 200


@pytest.mark.parametrize("username", ["other_clerk", "county_clerk", "other_county_supervisor", "applicant"])
def test_pdfs_refused_outside_scope(world, iw, client, username):
    filing = _filed(world, iw)
    notice = first_violation_notice_issue(**notice_args(world, entry_for(world, iw)))
    baseline = baseline_set(actor=world.user("legal"), item=iw.penalty_item, basis="食品安全法", tiers=TIERS)
    decision = penalty_decide(
        actor=world.user("dept_head"),
        tier=baseline.tiers.get(),
        enterprise_name="青溪市鲜果店",
        credit_code=OTHER_ENTERPRISE,
        facts="销售过期食品",
        amount="2000",
        officials=[world.user("clerk"), world.user("reviewer")],
    )
    client.force_login(world.user(username))
    for url in (
        f"/inspections/filings/{filing.pk}/pdf/",
        f"/inspections/first-violations/{notice.pk}/pdf/",
        f"/inspections/penalties/{decision.pk}/pdf/",
        f"/api/inspections/filings/{filing.pk}/pdf",
        f"/api/inspections/notices/{notice.pk}/pdf",
        f"/api/inspections/penalties/{decision.pk}/pdf",
    ):
        assert client.get(url).status_code in (403, 404), url


# --- 执法全过程记录 -------------------------------------------------------------------------------


def test_files_added_on_the_page_are_listed_and_downloaded(world, iw, client):
    inspection = _record(world, iw)
    client.force_login(world.user("reviewer"))
    page = client.get(f"/inspections/records/{inspection.pk}/").content.decode()
    token = page.split('name="submission_token" value="')[1].split('"')[0]
    r = client.post(
        f"/inspections/records/{inspection.pk}/evidence/",
        {
            "submission_token": token,
            "files": [SimpleUploadedFile("现场.png", PNG), SimpleUploadedFile("录音.mp3", MP3)],
        },
    )
    assert r.status_code == 302
    names = set(inspection.evidence.values_list("name", flat=True))
    assert names == {"现场.png", "录音.mp3"}
    assert Event.objects.filter(action="inspection.evidence_added", subject_id=str(inspection.pk)).count() == 1
    page = client.get(f"/inspections/records/{inspection.pk}/").content.decode()
    assert "现场.png" in page
    ev = inspection.evidence.get(name="录音.mp3")
    download = client.get(f"/inspections/evidence/{ev.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"ID3")
    listed = client.get(f"/api/inspections/records/{inspection.pk}/evidence").json()
    assert {e["name"] for e in listed} == names
    assert client.get(listed[0]["url"]).status_code == 200


def test_a_failed_round_keeps_the_good_file_and_writes_nothing(world, iw, client):
    inspection = _record(world, iw)
    client.force_login(world.user("clerk"))
    page = client.get(f"/inspections/records/{inspection.pk}/").content.decode()
    token = page.split('name="submission_token" value="')[1].split('"')[0]
    r = client.post(
        f"/inspections/records/{inspection.pk}/evidence/",
        {
            "submission_token": token,
            "files": [SimpleUploadedFile("好.pdf", PDF), SimpleUploadedFile("坏.pdf", b"MZ\x90\x00")],
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "坏.pdf" in body  # the message names the bad file
    assert "已上传：" in body
    assert "好.pdf" in body  # kept, listed on the form
    assert not InspectionEvidence.objects.filter(inspection=inspection).exists()
    # the next round with the same token stores the kept file without choosing it again
    r = client.post(f"/inspections/records/{inspection.pk}/evidence/", {"submission_token": token})
    assert r.status_code == 302
    assert list(inspection.evidence.values_list("name", flat=True)) == ["好.pdf"]


def test_api_upload_checks_files_and_refuses_wrong_roles(world, iw, client):
    inspection = _record(world, iw)
    client.force_login(world.user("clerk"))
    url = f"/api/inspections/records/{inspection.pk}/evidence"
    bad = client.post(url, {"files": [SimpleUploadedFile("x.exe", b"MZ\x90\x00")]})
    assert bad.status_code == 400
    assert not inspection.evidence.exists()
    ok = client.post(url, {"files": [SimpleUploadedFile("笔录.pdf", PDF)]})
    assert ok.status_code == 201
    ev = inspection.evidence.get()
    # the office of the region reads but may not add to a department's enterprise inspection
    client.force_login(world.user("supervisor"))
    assert client.get(url).status_code == 200
    assert client.post(url, {"files": [SimpleUploadedFile("a.pdf", PDF)]}).status_code == 403
    for username in ("other_clerk", "county_clerk", "other_county_supervisor", "applicant"):
        client.force_login(world.user(username))
        assert client.get(url).status_code in (403, 404), username
        assert client.post(url, {"files": [SimpleUploadedFile("a.pdf", PDF)]}).status_code in (403, 404), username
        assert client.get(f"/api/inspections/evidence/{ev.pk}/file").status_code in (403, 404), username
        assert client.get(f"/inspections/evidence/{ev.pk}/file/").status_code in (403, 404), username
        page = client.post(f"/inspections/records/{inspection.pk}/evidence/", {"files": []})
        assert page.status_code in (403, 404), username
    assert inspection.evidence.count() == 1


# body-camera video (执法记录仪): an ISO media file marks itself with the "ftyp" box at byte 4
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 32


def test_body_camera_video_is_evidence_on_the_page_and_through_the_api(world, iw, client):
    inspection = _record(world, iw)
    client.force_login(world.user("reviewer"))
    page = client.get(f"/inspections/records/{inspection.pk}/").content.decode()
    assert "MP4" in page  # the form says video may be uploaded
    token = page.split('name="submission_token" value="')[1].split('"')[0]
    r = client.post(
        f"/inspections/records/{inspection.pk}/evidence/",
        {"submission_token": token, "files": [SimpleUploadedFile("执法记录仪.mp4", MP4)]},
    )
    assert r.status_code == 302
    ev = inspection.evidence.get(name="执法记录仪.mp4")
    assert b"".join(client.get(f"/inspections/evidence/{ev.pk}/file/").streaming_content) == MP4
    url = f"/api/inspections/records/{inspection.pk}/evidence"
    assert client.post(url, {"files": [SimpleUploadedFile("复查.mp4", MP4)]}).status_code == 201
    assert inspection.evidence.filter(name="复查.mp4").exists()


def test_a_file_named_mp4_that_is_not_video_is_refused_and_the_allowed_types_are_named(world, iw, client):
    inspection = _record(world, iw)
    client.force_login(world.user("reviewer"))
    url = f"/api/inspections/records/{inspection.pk}/evidence"
    fake = client.post(url, {"files": [SimpleUploadedFile("视频.mp4", b"MZ\x90\x00" + b"\x00" * 32)]})
    assert fake.status_code == 400
    assert "视频.mp4" in str(fake.json())
    wrong = client.post(url, {"files": [SimpleUploadedFile("录像.avi", b"RIFF" + b"\x00" * 32)]})
    assert wrong.status_code == 400
    assert "MP4" in str(wrong.json())
    assert "AMR" in str(wrong.json())
    assert not inspection.evidence.exists()
