"""Browser journeys: 赵先生 complains about a slow case and follows it to closure (CMP-1), and a bad
review is verified, rectified and called back (RAT-3)."""

from __future__ import annotations

import re

import pytest

from conftest import login, screenshot
from xiaoneng.complaints.models import Complaint
from xiaoneng.ratings.links import rating_token
from xiaoneng.ratings.models import Rating
from xiaoneng.ratings.tests.conftest import completed_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_slow_case_complaint_dispatch_reply_unsatisfied_reopen_reply_satisfied_closed(page, world):
    # given 赵先生 on the public complaint form
    page.goto(page.base + "/complaints/new/")
    assert page.locator("h1").inner_text() == "效能投诉 · 12345"
    page.select_option("#id_kind", "efficiency")
    page.fill("#id_title", "营业执照申请超期未办结")
    page.fill("#id_content", "我的营业执照申请已超过承诺时限，窗口两次要求我提交同一份租赁合同。")
    page.select_option("#id_department", label=world.dept.name)
    page.check("#id_hide_from_department")
    page.fill("#id_name", "赵先生")
    page.fill("#id_phone", "13900000021")
    screenshot(page, "complaints-form")
    page.click("#btn-complain")
    number = page.locator("#complaint-number").inner_text()
    code = page.locator("#complaint-code").inner_text()
    screenshot(page, "complaints-submitted")
    c = Complaint.objects.get(number=number)

    # when the efficiency office accepts and dispatches with the suggestion
    sign_in(page, "supervisor")
    page.goto(page.base + f"/workbench/complaints/{c.pk}/")
    page.click("#btn-accept")
    page.wait_for_selector("#suggestion")
    assert world.dept.name in page.locator("#suggestion").inner_text()
    screenshot(page, "complaints-office-dispatch")
    page.click("#btn-dispatch")
    page.wait_for_selector("text=已派单办理中")

    # and the department replies — without ever seeing who complained
    sign_in(page, "dept_head")
    page.goto(page.base + "/workbench/orders/")
    assert "赵先生" not in page.content()
    page.click(f"text={number}")
    assert "保密" in page.locator("#complainant").inner_text()
    page.fill("#id_text", "经核查属实，已督促窗口当日办结并向您致歉。")
    page.check("input[name=substantiated][value=yes]")
    screenshot(page, "complaints-department-reply")
    page.click("#btn-reply")
    page.wait_for_selector("text=已答复待回访")

    # the callback: not satisfied → reopened
    sign_in(page, "supervisor")
    page.goto(page.base + f"/workbench/complaints/{c.pk}/")
    page.select_option("#id_satisfaction", "unsatisfied")
    page.fill("#id_note", "希望退还重复提交的材料")
    page.click("#btn-callback")
    page.wait_for_selector("#status:has-text('已派单办理中')")

    # the second reply, then satisfied → closed
    sign_in(page, "dept_head")
    page.goto(page.base + f"/workbench/orders/{c.pk}/")
    page.fill("#id_text", "已退还重复材料，窗口已实行一次性告知制度。")
    page.check("input[name=substantiated][value=yes]")
    page.click("#btn-reply")
    page.wait_for_selector("text=已答复待回访")
    sign_in(page, "supervisor")
    page.goto(page.base + f"/workbench/complaints/{c.pk}/")
    page.select_option("#id_satisfaction", "satisfied")
    page.click("#btn-callback")
    page.wait_for_selector("#status:has-text('已办结')")
    assert "整改事项" in page.content()
    screenshot(page, "complaints-office-closed")

    # then anyone with the number and code follows it, with no personal data
    page.context.clear_cookies()
    page.goto(page.base + f"/complaints/track/?number={number}&code={code}")
    assert "已办结" in page.content()
    assert "赵先生" not in page.content()
    assert "13900000021" not in page.content()
    screenshot(page, "complaints-track")
    page.goto(page.base + "/complaints/statistics/")
    assert re.search("满意率", page.content())
    screenshot(page, "complaints-public-stats")


def test_bad_review_verified_rectified_and_called_back(page, world):
    # given a completed case and its SMS rating link
    case = completed_case(world)
    page.goto(page.base + f"/rate/{rating_token(case=case)}/?via=sms")
    page.check("input[name=level][value='1']")
    page.fill("#id_reason", "窗口等候两个小时无人接待")
    screenshot(page, "ratings-rate")
    page.click("#btn-rate")
    page.wait_for_selector("text=感谢您的评价")
    r = Rating.objects.get(case=case)

    # when the office verifies it with the rater → a rectification opens
    sign_in(page, "supervisor")
    page.goto(page.base + f"/workbench/ratings/{r.pk}/")
    page.fill("#id_note", "电话核实：当日窗口人员离岗，情况属实")
    page.click("#btn-verify-rating")
    page.wait_for_selector("#handling:has-text('整改中')")
    screenshot(page, "ratings-detail-rectifying")
    rect_href = page.locator("main a:has-text('差评整改')").get_attribute("href")

    # the department submits its rectification, the office verifies it
    sign_in(page, "dept_head")
    page.goto(page.base + f"/workbench/ratings/{r.pk}/")
    assert "受保护" in page.locator("#rater").inner_text()
    page.goto(page.base + rect_href)
    page.fill("#id_text", "已建立离岗替岗制度，窗口全天有人值守。")
    page.click("text=提交核验")
    sign_in(page, "supervisor")
    page.goto(page.base + rect_href)
    page.click("#btn-verify")

    # then the rater is called back
    page.goto(page.base + f"/workbench/ratings/{r.pk}/")
    page.fill("#id_cnote", "回访评价人，对整改表示满意")
    page.click("#btn-rating-callback")
    page.wait_for_selector("#handling:has-text('已回访')")
    screenshot(page, "ratings-called-back")
    r.refresh_from_db()
    assert r.handling == "called_back"
    assert r.rectified
