"""Browser journey (INS-10, 执法全过程记录): a clerk opens a penalty decision from the penalty list,
uploads a photo and a bad file, sees the good one kept, and submits again. Screenshot checked by eye."""

from __future__ import annotations

import pytest

from conftest import screenshot
from xiaoneng.inspections.tests.test_act_evidence import PNG, _penalty

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_penalty_page_keeps_the_good_file_after_a_failed_round(page, world, iw, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    penalty = _penalty(world, iw)
    good = tmp_path / "现场.png"
    good.write_bytes(PNG)
    bad = tmp_path / "坏.pdf"
    bad.write_bytes(b"MZ\x90\x00")
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pass-Word-2026")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(page.base + "/inspections/penalties/")
    with page.expect_navigation():
        page.click(f"text={penalty.number}")
    assert page.locator("#penalty-pdf").is_visible()
    page.set_input_files("#id_files", [str(good), str(bad)])
    with page.expect_navigation():
        page.click("#btn-evidence")
    assert "坏.pdf" in page.locator("#upload-errors").inner_text()
    assert "现场.png" in page.locator("#evidence-form").inner_text()
    screenshot(page, "inspections_penalty_evidence_failed_round")
    with page.expect_navigation():
        page.click("#btn-evidence")
    assert "现场.png" in page.locator("#evidence").inner_text()
    assert list(penalty.evidence.values_list("name", flat=True)) == ["现场.png"]
    screenshot(page, "inspections_penalty_evidence")
