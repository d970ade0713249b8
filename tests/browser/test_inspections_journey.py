# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value"
"""Issue 13 journey in a real browser (screenshots under test-results/screenshots/): an official files an
enterprise inspection (INS-1), the head approves, the enterprise verifies the filing by number and credit
code (INS-6), the inspection is recorded against the filing and finds a problem, which opens a
rectification (INS-9); the head downloads the filing receipt (PDF, embedded font) and the clerk adds a
photo to the record (执法全过程记录)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import login, screenshot
from xiaoneng.catalog.tests.factories import make_item, publish
from xiaoneng.inspections.actions.certificates import certificate_issue
from xiaoneng.inspections.models import InspectionFiling, InspectionFinding
from xiaoneng.inspections.tests.conftest import ENTERPRISE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_file_verify_inspect_and_rectify(page, world):
    # given a published inspection item and two certified officials of the market regulator
    today = timezone.localdate()
    item = make_item(world.dept, world.user("dept_head"), name="对食品经营者的监督检查", item_type="06")
    publish(item, declarer=world.user("dept_head"), legal=world.user("legal"))
    for key in ("clerk", "reviewer"):
        certificate_issue(
            actor=world.user("legal"),
            holder=world.user(key),
            department=world.dept,
            number=f"33910000{key.upper()}",
            scope_text="市场监管",
            valid_from=today - timedelta(days=30),
            valid_to=today + timedelta(days=365),
        )

    # when the clerk files the inspection
    sign_in(page, "clerk")
    page.goto(page.base + "/inspections/")
    page.click("#new-filing")
    page.select_option("#id_item", str(item.pk))
    page.fill("#id_enterprise_name", "青溪市好味餐饮有限公司")
    page.fill("#id_credit_code", ENTERPRISE)
    page.fill("#id_planned_date", today.isoformat())
    page.fill("#id_purpose", "群众反映后厨卫生问题的核查")
    for key in ("clerk", "reviewer"):
        page.check(f"input[name=officials][value='{world.user(key).pk}']")
    page.click("#filing-form button[type=submit]")
    page.wait_for_selector("#filing-number")
    number = page.inner_text("#filing-number")
    assert page.inner_text("#filing-status") == "待审批"
    screenshot(page, "inspections-filing-pending")

    # and the head approves it
    sign_in(page, "dept_head")
    page.goto(page.base + f"/inspections/filings/{InspectionFiling.objects.get().pk}/")
    page.fill("#id_note", "同意，注意出示执法证件")
    page.click("#btn-approve")
    page.wait_for_selector("#filing-status:has-text('已备案')")
    screenshot(page, "inspections-filing-approved")

    # and downloads the filing receipt: a PDF with its number, its font embedded
    with page.expect_download() as download_info:
        page.click("#filing-pdf")
    receipt = download_info.value.path()
    assert download_info.value.suggested_filename == f"{number}.pdf"
    assert shutil.which("pdftotext"), "poppler-utils is required"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(receipt), "-"], capture_output=True, check=True)
    compact = "".join(text.stdout.decode().split())
    assert "涉企检查备案回执" in compact
    assert number in compact
    fonts = subprocess.run(["pdffonts", str(receipt)], capture_output=True, check=True).stdout.decode()
    assert all(" yes " in row for row in fonts.splitlines()[2:]), fonts

    # then the enterprise verifies the filing on the public page
    page.context.clear_cookies()
    page.goto(page.base + "/inspections/verify/")
    page.fill("#id_number", number)
    page.fill("#id_credit_code", ENTERPRISE.lower())
    page.click("main form button[type=submit]")
    page.wait_for_selector("#verify-result")
    result = page.inner_text("#verify-result")
    assert "已备案" in page.inner_text("#verify-status")
    assert "33910000CLERK" in result
    assert "33910000REVIEWER" in result
    assert "后厨卫生" not in result  # the purpose is internal
    screenshot(page, "inspections-verify")

    # when the clerk records the inspection against the filing, and a problem found
    sign_in(page, "clerk")
    page.goto(page.base + f"/inspections/filings/{InspectionFiling.objects.get().pk}/")
    page.click("#record-inspection")
    page.fill("#id_inspected_on", today.isoformat())
    page.fill("#id_summary", "检查后厨、冷库和进货查验记录。")
    for key in ("clerk", "reviewer"):
        page.check(f"input[name=officials][value='{world.user(key).pk}']")
    page.click("#inspection-form button[type=submit]")
    page.wait_for_selector("#finding-form")
    assert page.locator("#unfiled").count() == 0
    page.fill("#id_text", "冷库温度记录缺失三天")
    page.click("#btn-finding")
    page.wait_for_selector("#findings a")
    screenshot(page, "inspections-finding")

    # and adds a photo of the scene to the record (执法全过程记录), listed with its uploader
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    page.set_input_files("#id_files", files=[{"name": "后厨现场.png", "mimeType": "image/png", "buffer": png}])
    page.click("#btn-evidence")
    page.wait_for_selector("#evidence a:has-text('后厨现场.png')")
    screenshot(page, "inspections-evidence")

    # then a rectification is open for the department, reachable from the inspection
    page.click("#findings a")
    page.wait_for_selector("#rect-status")
    assert "冷库温度记录缺失三天" in page.inner_text("main")
    assert page.inner_text("#rect-status") == "整改中"
    finding = InspectionFinding.objects.get()
    assert finding.rectification.department == world.dept
