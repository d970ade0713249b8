"""Browser journey (INS-10, 执法全过程记录): a clerk opens a penalty decision from the penalty list,
uploads a photo, a body-camera video and two bad files, sees the good ones kept and the types the form
takes, and submits again. Screenshot checked by eye."""

from __future__ import annotations

import pytest

from conftest import screenshot
from xiaoneng.inspections.tests.test_act_evidence import PNG, _penalty
from xiaoneng.inspections.tests.test_documents_evidence import MP4

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_penalty_page_keeps_the_good_file_after_a_failed_round(page, world, iw, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    penalty = _penalty(world, iw)
    good = tmp_path / "现场.png"
    good.write_bytes(PNG)
    video = tmp_path / "执法记录仪.mp4"
    video.write_bytes(MP4)
    bad = tmp_path / "坏.pdf"
    bad.write_bytes(b"MZ\x90\x00")
    wrong = tmp_path / "录像.avi"
    wrong.write_bytes(b"RIFF" + bytes(32))
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pass-Word-2026")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(page.base + "/inspections/penalties/")
    with page.expect_navigation():
        page.click(f"text={penalty.number}")
    assert page.locator("#penalty-pdf").is_visible()
    assert "MP4" in page.locator("#evidence-form").inner_text()
    page.set_input_files("#id_files", [str(good), str(video), str(bad), str(wrong)])
    with page.expect_navigation():
        page.click("#btn-evidence")
    errors = page.locator("#upload-errors").inner_text()
    assert "坏.pdf" in errors
    assert "录像.avi" in errors
    assert "MP4" in errors  # the refusal names the types the form takes
    assert "现场.png" in page.locator("#evidence-form").inner_text()
    assert "执法记录仪.mp4" in page.locator("#evidence-form").inner_text()
    screenshot(page, "inspections_penalty_evidence_failed_round")
    with page.expect_navigation():
        page.click("#btn-evidence")
    assert "执法记录仪.mp4" in page.locator("#evidence").inner_text()
    assert set(penalty.evidence.values_list("name", flat=True)) == {"现场.png", "执法记录仪.mp4"}
    screenshot(page, "inspections_penalty_evidence")
