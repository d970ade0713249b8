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
