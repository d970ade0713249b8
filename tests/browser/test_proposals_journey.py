"""Browser journeys of proposals (PRP-1 … PRP-5) and of a major decision's public comment (DEC-2)."""

from __future__ import annotations

import pytest

from conftest import login, screenshot
from xiaoneng.proposals.actions.decisions import decision_publish, decision_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    login(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_register_reply_and_unsatisfied_reopens(page, world):
    # the office registers and assigns (PRP-1, PRP-2)
    sign_in(page, "supervisor")
    page.goto(page.base + "/proposals/new/")
    page.select_option("#id_kind", "suggestion")
    page.fill("#id_session", "青溪市十七届人大五次会议")
    page.fill("#id_number", "第0012号")
    page.fill("#id_title", "关于加强农贸市场快检的建议")
    page.fill("#id_proposer", "王代表")
    page.fill("#id_content", "建议增设快检室。")
    page.select_option("#id_lead_department", str(world.dept.pk))
    page.click("#proposal-form button[type=submit]")
    page.wait_for_selector("#reply-due")
    url = page.url
    page.context.clear_cookies()
    # the lead's head replies (PRP-4)
    sign_in(page, "dept_head")
    page.goto(url)
    page.check("#form-reply input[value=C]")
    page.fill("#form-reply textarea", "留作参考")
    page.click("#btn-reply")
    page.wait_for_selector("#reply-category")
    page.context.clear_cookies()
    # the proposer is not satisfied: reopened once (PRP-5)
    sign_in(page, "supervisor")
    page.goto(url)
    page.check("#form-feedback input[value=unsatisfied]")
    page.fill("#form-feedback textarea", "未回应快检公开问题")
    page.click("#btn-feedback")
    page.wait_for_selector("#proposal-status")
    assert page.locator("#proposal-status").inner_text() == "不满意重新办理"
    assert page.locator("#reply-due").inner_text()
    screenshot(page, "proposals-reopened")


def test_public_comments_on_a_draft_decision(page, world):
    d = decision_register(
        actor=world.user("dept_head"), department=world.dept, title="农贸市场布局规划", description="新建12处。"
    )
    decision_publish(actor=world.user("dept_head"), decision=d)
    page.goto(page.base + "/proposals/decisions/public/")
    assert page.locator("#public-decisions .comment-count").inner_text() == "0"
    page.click("text=农贸市场布局规划")
    page.fill("#id_text", "建议保留早市")
    page.click("#btn-comment")
    page.wait_for_selector("#comment-count")
    assert page.locator("#comment-count").inner_text() == "1"
    screenshot(page, "proposals-public-decision")
