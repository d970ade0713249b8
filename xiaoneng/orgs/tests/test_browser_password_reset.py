"""Browser journey (issue 9): 张女士 is locked out, follows the lockout page to 忘记密码, resets her
password with the SMS code, and signs in with the new one."""

from __future__ import annotations

import re

import pytest

from conftest import login, screenshot
from xiaoneng.core.sms import MemorySmsBackend
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW = "Qingxi-new-2026!"


def test_locked_out_citizen_resets_the_password_by_sms_and_signs_in(page, db):
    MemorySmsBackend.outbox.clear()
    UserFactory(username="13912345678", phone="13912345678", display_name="张丽", role=Role.APPLICANT)
    # given 张女士 has mistyped her password five times
    for _ in range(5):
        login(page, "13912345678", "wrong-password")
        page.wait_for_load_state()
    # then the lockout page tells her to wait or reset, not to call an administrator
    assert page.locator("h1").inner_text() == "账号已锁定"
    assert "请30分钟后再试" in page.content()
    screenshot(page, "reset-locked-out")
    # when she follows the SMS reset link and asks for a code
    page.click("text=用短信验证码重置密码")
    assert page.locator("h1").inner_text() == "短信找回密码"
    page.fill("#id_phone", "13912345678")
    page.click("#main form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/password/sms/verify/$"))
    assert "验证码已发送" in page.content()
    assert "139****5678" in page.content()
    # and enters a wrong code first
    (phone, text) = MemorySmsBackend.outbox[-1]
    assert phone == "13912345678"
    code = re.search(r"验证码(\d{6})", text)[1]  # type: ignore[index]
    page.fill("#id_code", f"{(int(code) + 1) % 10**6:06d}")
    page.fill("#id_new_password1", NEW)
    page.fill("#id_new_password2", NEW)
    page.click("#main form button[type=submit]")
    page.wait_for_selector(".errorlist")
    assert "验证码不正确或已失效" in page.content()
    screenshot(page, "reset-sms-wrong-code")
    # then the right one
    page.fill("#id_code", code)
    page.fill("#id_new_password1", NEW)
    page.fill("#id_new_password2", NEW)
    page.click("#main form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/password/reset/complete/$"))
    assert page.locator("h1").inner_text() == "密码已重置"
    screenshot(page, "reset-sms-done")
    # and she signs in at once with the new password (the lockout was lifted)
    page.click("#main a.btn")
    page.fill("#id_username", "13912345678")
    page.fill("#id_password", NEW)
    page.click("#main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert "张丽" in page.locator("header").inner_text()


def test_the_login_page_links_to_forgotten_password(page, db):
    page.goto(page.base + "/accounts/login/")
    page.click("#forgot-password")
    assert page.locator("h1").inner_text() == "短信找回密码"
    page.click("text=用电子邮箱找回密码")
    assert page.locator("h1").inner_text() == "找回密码"
    screenshot(page, "reset-email-form")
