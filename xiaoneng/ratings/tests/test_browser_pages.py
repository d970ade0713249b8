# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value"
"""Every rating and survey page looked at in a real browser (screenshots under
test-results/screenshots/): the survey builder, the answer page, the results with their ECharts
charts, the rating page from the web and an SMS link, the window terminal, the bad-review page."""

from __future__ import annotations

import pytest

from conftest import login, screenshot
from xiaoneng.ratings.actions.rating import rating_submit
from xiaoneng.ratings.choices import Level, Source
from xiaoneng.ratings.links import rating_token
from xiaoneng.ratings.models import Rating, Survey
from xiaoneng.ratings.tests.conftest import completed_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_survey_builder_answer_and_results_with_charts(page, world):
    # given the efficiency office builds a survey in the browser
    sign_in(page, "supervisor")
    page.goto(page.base + "/workbench/surveys/")
    page.fill("#id_title", "2026年度政务服务满意度测评")
    page.fill("#id_description", "请对本年度政务服务工作作出评价。")
    page.click("#btn-survey-create")
    page.wait_for_selector("h1:has-text('2026年度政务服务满意度测评')")
    for kind, text, options in [
        ("rating", "您对窗口服务态度的评价", ""),
        ("choice", "您通常通过什么渠道办事", "线上，窗口，自助终端"),
        ("text", "您对改进工作的建议", ""),
    ]:
        page.select_option("#id_qkind", kind)
        page.fill("#id_qtext", text)
        if options:
            page.fill("#id_qoptions", options)
        page.click("#btn-question")
        page.wait_for_selector(f"#questions li:has-text('{text}')")
    page.select_option("#id_group", "deputy")
    page.fill("#id_label", "市人大代表")
    page.click("#btn-link")
    page.wait_for_selector("#links code")
    page.click("#btn-open")
    page.wait_for_selector(".pill:has-text('收集中')")
    screenshot(page, "ratings-survey-builder")
    link = page.locator("#links code").first.inner_text()

    # when respondents answer through the link (one per browser)
    for score, channel in [("5", "线上"), ("4", "窗口"), ("2", "线上")]:
        page.context.clear_cookies()
        page.goto(link)
        if score == "5":
            # a missing answer is refused in Chinese and what was entered stays
            page.check(f"fieldset:nth-of-type(1) input[value='{score}']")
            page.click("#btn-survey")
            assert "未回答" in page.locator("[role=alert]").inner_text()
            assert "请回答" in page.locator("fieldset.invalid").first.inner_text()
            assert page.locator(f"fieldset:nth-of-type(1) input[value='{score}']").is_checked()
            screenshot(page, "ratings-survey-respond-error")
        page.check(f"fieldset:nth-of-type(1) input[value='{score}']")
        page.check(f"fieldset:nth-of-type(2) input[value='{channel}']")
        page.fill("fieldset:nth-of-type(3) textarea", "希望延长周末窗口时间")
        if score == "5":
            screenshot(page, "ratings-survey-respond")
        page.click("#btn-survey")
        page.wait_for_selector("text=感谢")
    survey = Survey.objects.get()
    assert survey.responses.count() == 3

    # then the results page draws one chart per rating and choice question
    sign_in(page, "supervisor")
    page.goto(page.base + f"/workbench/surveys/{survey.pk}/results/")
    page.wait_for_selector(".chart canvas")
    assert page.locator(".chart canvas").count() == 2
    assert "3" in page.locator("#responses").inner_text()
    # (5 + 4 + 2) / 3 = 3.67 → 66.7 on the 0–100 scale the evaluation reads
    assert "66.7" in page.locator("#survey-score").inner_text()
    screenshot(page, "ratings-survey-results")


def test_rating_pages_web_sms_terminal_and_bad_review(page, world):
    # the web rating page and the SMS link
    case = completed_case(world)
    page.goto(page.base + f"/rate/{rating_token(case=case)}/?via=sms")
    assert world.dept.name in page.content()
    screenshot(page, "ratings-rate-sms")
    # a case not yet completed says so up front
    unfinished = completed_case(world, status="in_review", delivered_at=None)
    page.goto(page.base + f"/rate/{rating_token(case=unfinished)}/")
    assert "办结后" in page.content()
    assert page.locator("#btn-rate").count() == 0
    assert "赵先生" not in page.content()  # the link may be held by anyone: it names nobody
    screenshot(page, "ratings-rate-unfinished")

    # the window terminal: the clerk records a service, the person rates it at the window
    sign_in(page, "clerk")
    page.goto(page.base + "/workbench/terminal/")
    page.fill("#id_service_name", "营业执照领取")
    page.fill("#id_window", "A3")
    page.fill("#id_person_phone", "13900000088")
    screenshot(page, "ratings-terminal")
    page.click("#btn-terminal")
    page.wait_for_selector("#btn-terminal-rate")
    screenshot(page, "ratings-terminal-rate")
    page.click("label:has-text('非常满意')")
    page.click("#btn-terminal-rate")
    page.wait_for_selector("text=感谢您的评价")
    r = Rating.objects.get(service__service_name="营业执照领取")
    assert r.source == Source.TERMINAL
    assert r.rater is None

    # the bad-review list and detail for the office and for the department (rater hidden)
    bad = rating_submit(
        level=Level.VERY_UNSATISFIED, source=Source.WEB, case=case, reason="等候两小时", actor=world.user("applicant")
    )
    sign_in(page, "supervisor")
    page.goto(page.base + "/workbench/ratings/")
    screenshot(page, "ratings-list-office")
    page.goto(page.base + f"/workbench/ratings/{bad.pk}/")
    screenshot(page, "ratings-detail-office")
    applicant = world.user("applicant")
    assert applicant.phone
    assert applicant.phone in page.locator("#rater").inner_text()
    sign_in(page, "dept_head")
    page.goto(page.base + f"/workbench/ratings/{bad.pk}/")
    shown = page.locator("main").inner_text()
    assert applicant.phone not in shown
    assert str(applicant) not in shown
    assert "受保护" in shown
    screenshot(page, "ratings-detail-department")
    page.goto(page.base + "/ratings/statistics/")
    screenshot(page, "ratings-public-stats")
