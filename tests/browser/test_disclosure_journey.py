"""Browser journey (issue 11): a citizen requests government information online, the department
head extends the period (DIS-1), the clerk answers 部分公开 with its ground (DIS-2), and the citizen
follows the request by number and code and downloads the answer notice (PDF)."""

from __future__ import annotations

import pytest

from conftest import login, screenshot
from xiaoneng.disclosure.models import DisclosureRequest
from xiaoneng.workdays.models import Clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_citizen_requests_department_extends_and_answers_partly_citizen_downloads_notice(page, world):
    # given 钱女士 on the public request form
    page.goto(page.base + "/disclosure/apply/")
    page.select_option("#id_department", label=world.dept.name)
    page.select_option("#id_applicant_kind", "natural")
    page.fill("#id_applicant_name", "钱女士")
    page.fill("#id_phone", "13900000031")
    page.fill("#id_description", "2025年本市食品经营许可的发放数量和名单")
    screenshot(page, "disclosure-apply")
    page.click("#btn-apply")
    number = page.locator("#req-number").inner_text()
    code = page.locator("#req-code").inner_text()
    req = DisclosureRequest.objects.get(number=number)
    due_before = Clock.objects.get(pk=req.clock_id).due_date

    # when the department head extends the period by 20 working days
    sign_in(page, "dept_head")
    page.goto(page.base + f"/workbench/disclosure/requests/{req.pk}/")
    page.fill("#e-reason", "涉及多个年度的许可档案，需检索汇总")
    page.click("#btn-extend")
    page.wait_for_selector("text=已延长答复期限20个工作日。")
    clock = Clock.objects.get(pk=req.clock_id)
    assert clock.effective_limit == 40
    assert clock.due_date > due_before

    # and the clerk answers 部分公开, withholding a third party's data
    sign_in(page, "clerk")
    page.goto(page.base + f"/workbench/disclosure/requests/{req.pk}/")
    page.select_option("#a-type", "partial")
    page.select_option("#a-ground", "third_party")
    page.fill("#a-text", "发放数量予以公开；名单中涉及个人的信息不予公开。")
    screenshot(page, "disclosure-answer")
    page.click("#btn-answer")
    page.wait_for_selector("text=已答复。")

    # then the citizen follows the request and downloads the answer notice
    page.context.clear_cookies()
    page.goto(page.base + "/disclosure/track/")
    page.fill("#t-number", number)
    page.fill("#t-code", code)
    page.click("#btn-track")
    assert "部分公开" in page.locator("#req-answer").inner_text()
    assert page.locator("#notice-extension").count() == 1
    screenshot(page, "disclosure-track")
    with page.expect_download() as info:
        page.click("#notice-answer")
    path = info.value.path()
    with open(path, "rb") as f:
        assert f.read(5) == b"%PDF-"
