import pytest

from conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_signs_in_and_sees_the_workbench_in_chinese(page, world):
    # given a window clerk
    # when she signs in
    login(page, "clerk")
    page.goto(page.base + "/workbench/")
    # then the workbench greets her in Chinese with her role and department
    assert page.locator("h1").inner_text() == "我的工作台"
    assert "窗口工作人员" in page.content()
    assert "市场监管局" in page.content()
    shot = screenshot(page, "workbench")
    assert shot.stat().st_size > 10_000
