"""Browser journeys: sign in, register, my account, A/B post management (CAS-9), English."""

from __future__ import annotations

import pytest

from conftest import login, screenshot
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Post, User
from xiaoneng.orgs.tests.factories import PostFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    """`login` and wait until the redirect away from the login page has happened."""
    login(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_login_page_in_chinese_and_wrong_password(page, world):
    # given the login page
    page.goto(page.base + "/accounts/login/")
    assert page.locator("h1").inner_text() == "登录"
    assert "连续输错密码5次，账号将锁定30分钟。" in page.content()
    screenshot(page, "auth-login")
    # when a wrong password is given
    login(page, "clerk", "wrong-password")
    # then a Chinese message, still on the login page
    page.wait_for_selector(".errorlist")
    assert "请输入一个正确的" in page.content()
    assert page.url.startswith(page.base + "/accounts/login/")


def test_register_with_phone_then_my_account_shows_masked_numbers(page, world):
    # given the registration page
    page.goto(page.base + "/accounts/register/")
    assert page.locator("h1").inner_text() == "注册申请人账号"
    # when 张女士 registers with her phone and a bad ID number
    page.fill("#id_display_name", "张丽")
    page.fill("#id_contact", "13912345678")
    page.fill("#id_id_number", "110105194912310021")
    page.fill("#id_password1", "Qingxi-2026!")
    page.fill("#id_password2", "Qingxi-2026!")
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector(".errorlist")
    # then she is told in Chinese and nothing is written
    assert "居民身份证号码校验位不正确。" in page.content()
    assert not User.objects.filter(username="13912345678").exists()
    screenshot(page, "auth-register-error")
    # when she corrects it (the form keeps her other answers, not the passwords)
    page.fill("#id_id_number", "11010519491231002X")
    page.fill("#id_password1", "Qingxi-2026!")
    page.fill("#id_password2", "Qingxi-2026!")
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector(".messages")
    # then she is signed in and finds her account page from her name in the header
    assert "注册成功，欢迎使用。" in page.content()
    page.click("header a.who")
    assert page.locator("h1").inner_text() == "我的账户"
    assert page.locator("[data-testid=masked-id]").inner_text() == "110***********002X"
    assert page.locator("[data-testid=masked-phone]").inner_text() == "139****5678"
    assert "11010519491231002X" not in page.content()
    screenshot(page, "auth-profile")


def test_department_head_marks_the_a_holder_absent_and_back(page, world):
    # given a post of the head's department with A and B holders
    b = UserFactory(username="reviewer_b", display_name="周审核B", role=Role.REVIEWER, department=world.dept)
    post = PostFactory(
        department=world.dept, name="业务审核岗", role=Role.REVIEWER, holder_a=world.user("reviewer"), holder_b=b
    )
    PostFactory(department=world.dept, name="窗口受理岗", role=Role.CLERK, holder_a=world.user("clerk"))
    # when the head opens A/B management from the workbench menu
    sign_in(page, "dept_head")
    page.goto(page.base + "/workbench/")
    page.click("nav.sidebar >> text=A、B角管理")
    assert page.locator("h1").inner_text() == "A、B角管理"
    row = page.locator(f"#post-{post.pk}")
    assert "A角在岗" in row.inner_text()
    # and marks A absent with a reason (htmx swaps the row)
    row.locator("input[name=reason]").fill("年休假")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(f"#post-{post.pk} .pill.yellow")
    # then B receives the work
    assert "年休假" in page.locator(f"#post-{post.pk}").inner_text()
    assert Post.objects.get(pk=post.pk).assignee == b
    screenshot(page, "orgs-posts")
    # when A is back
    page.locator(f"#post-{post.pk} button[type=submit]").click()
    page.wait_for_selector(f"#post-{post.pk} .pill.green")
    assert Post.objects.get(pk=post.pk).assignee == world.user("reviewer")


def test_switch_to_english_and_back(page, world):
    # given the home page in Chinese
    page.goto(page.base + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    # when the visitor chooses English
    page.select_option("#lang-select", "en")
    page.click("#lang-submit")
    page.wait_for_selector("html[lang=en]")
    # then the navigation and the site name are English
    nav = page.locator("header").inner_text()
    assert "Home" in nav
    assert "Sign in" in nav
    assert "Register" in nav
    assert "Xiaoneng Government Services Platform" in nav
    screenshot(page, "shell-english")
    # and the login page too
    page.click("header >> text=Sign in")
    assert page.locator("h1").inner_text() == "Sign in"
    screenshot(page, "auth-login-english")
    # when switching back
    page.select_option("#lang-select", "zh-hans")
    page.click("#lang-submit")
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.locator("h1").inner_text() == "登录"


def test_skip_link_moves_focus_to_the_content(page, world):
    page.goto(page.base + "/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.inner_text() == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
