"""Browser journey (issue 12): a panel member scores a unit (and is refused for their own), the
efficiency office computes the ranking with its intervals, and the leader opens the year-end report."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import login, screenshot
from xiaoneng.evaluation.choices import IndicatorKind, PanelGroup, UnitCategory
from xiaoneng.evaluation.models import PanelScore, UnitResult
from xiaoneng.evaluation.services import indicator_add, panel_member_add, scheme_create, scheme_publish, unit_add
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import UserFactory
from xiaoneng.ratings.actions.surveys import survey_create, survey_question_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_panel_scores_office_computes_leader_opens_report(page, world):
    # given a published scheme with a panel indicator and a panel member from the legal department
    office = world.user("supervisor")
    scheme = scheme_create(actor=office, region=world.city, year=2026, name="2026年度市级机关绩效考评")
    indicator_add(
        actor=office,
        scheme=scheme,
        name="好差评满意率",
        kind=IndicatorKind.DATA,
        weight=40,
        data_key="ratings.satisfaction",
    )
    panel = indicator_add(actor=office, scheme=scheme, name="评议组评议", kind=IndicatorKind.PANEL, weight=60)
    for d in (world.dept, world.other_dept, world.legal_dept):
        unit_add(actor=office, scheme=scheme, department=d, category=UnitCategory.WINDOW)
    member = UserFactory(username="panelist", role=Role.REVIEWER, department=world.legal_dept)
    panel_member_add(actor=office, scheme=scheme, user=member, group=PanelGroup.DEPUTY)
    scheme_publish(actor=office, scheme=scheme)
    url = page.base + f"/evaluation/schemes/{scheme.pk}/"

    # when the panel member scores their own department: refused
    sign_in(page, "panelist")
    page.goto(url)
    page.select_option("#panel-unit", str(world.legal_dept.pk))
    page.fill("#panel-score", "99")
    page.click("#panel-form button[type=submit]")
    assert "不能为本单位评分" in page.content()  # conflict of interest, said on the page
    # with what was typed kept
    assert page.input_value("#panel-score") == "99"
    assert page.input_value("#panel-unit") == str(world.legal_dept.pk)
    # and scores two other units
    for dept, score in ((world.dept, "92"), (world.other_dept, "71")):
        page.select_option("#panel-unit", str(dept.pk))
        page.fill("#panel-score", score)
        page.click("#panel-form button[type=submit]")
        page.wait_for_selector("text=评分已提交")
    screenshot(page, "evaluation-panel")
    assert PanelScore.objects.filter(indicator=panel).count() == 2

    # the office computes the ranking
    sign_in(page, "supervisor")
    page.goto(url)
    page.click("#compute")
    page.wait_for_selector("#results")
    text = page.locator("#results").inner_text()
    assert "95%" in page.content()
    assert world.dept.name in text
    # one panel member each: the intervals overlap, so the two scored units are shown tied
    assert "第1–2名（并列）" in text
    screenshot(page, "evaluation-results")
    assert UnitResult.objects.filter(scheme=scheme).count() == 3

    # the leader opens the year-end report (PDF)
    sign_in(page, "leader")
    page.goto(url)
    with page.expect_download() as dl:
        page.click("#report-pdf")
    path = dl.value.path()
    assert path is not None
    assert Path(path).read_bytes()[:4] == b"%PDF"


def test_office_refused_forms_keep_what_was_typed(page, world):
    # given a draft scheme with a survey indicator, a unit, and a questionnaire with a question per unit
    office = world.user("supervisor")
    scheme = scheme_create(actor=office, region=world.city, year=2026, name="2026年度市级机关绩效考评")
    indicator_add(actor=office, scheme=scheme, name="社会测评", kind=IndicatorKind.SURVEY, weight=50)
    unit_add(actor=office, scheme=scheme, department=world.dept, category=UnitCategory.WINDOW)
    survey = survey_create(actor=office, title="2026年度社会测评（十个层次）")
    question = survey_question_add(survey=survey, actor=office, kind="rating", text="对市场监管局的满意度")
    sign_in(page, "supervisor")

    # when the office creates a scheme for the same year: refused, the name kept
    page.goto(page.base + "/evaluation/schemes/")
    page.fill("#f-year", "2026")
    page.fill("#f-name", "2026年度第二套方案")
    page.click("form.card button[type=submit]")
    assert "该辖区该年度已有考评方案" in page.content()
    assert page.input_value("#f-name") == "2026年度第二套方案"

    # when it adds a data indicator with a weight that is not a number: refused, every field kept
    page.goto(page.base + f"/evaluation/schemes/{scheme.pk}/")
    form = page.locator("#indicator-form")
    form.locator("input[name=name]").fill("依申请公开")
    form.locator("select[name=kind]").select_option("data")
    form.locator("input[name=weight]").fill("二十")
    form.locator("select[name=data_key]").select_option("disclosure.on_time")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=权重须是数字")
    form = page.locator("#indicator-form")
    assert form.locator("input[name=name]").input_value() == "依申请公开"
    assert form.locator("input[name=weight]").input_value() == "二十"
    assert form.locator("select[name=kind]").input_value() == "data"
    assert form.locator("select[name=data_key]").input_value() == "disclosure.on_time"
    screenshot(page, "evaluation-indicator-refused")

    # and with a number it is added, its source named by label
    form.locator("input[name=weight]").fill("50")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=指标已添加")
    assert "依申请公开按时答复率" in page.locator("table").first.inner_text()

    # the office ties the questionnaire's question to 市场监管局
    form = page.locator("#survey-form")
    form.locator("select[name=survey]").select_option(str(survey.pk))
    form.locator("select[name=department]").select_option(str(world.dept.pk))
    form.locator("select[name=question]").select_option(str(question.pk))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=问卷已关联被考评单位")
    ties = page.locator("#survey-targets").inner_text()
    assert "对市场监管局的满意度" in ties
    assert world.dept.name in ties
    page.locator("#survey-card").scroll_into_view_if_needed()
    screenshot(page, "evaluation-survey-tie")
