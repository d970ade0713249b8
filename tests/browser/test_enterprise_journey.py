"""Browser journey of the enterprise services (issue 13): the efficiency office pairs the market
regulator's head with an enterprise (ENT-1); he logs a visit (ENT-2); the enterprise raises a problem
from its own page, the official assigns it to the housing bureau, which solves it within its clock
(ENT-3, ENT-4) and the enterprise rates it; the office designates a monitoring point whose account
submits a report that the office forwards (ENT-7)."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.utils import timezone

from conftest import login, screenshot
from xiaoneng.enterprise.choices import ProblemStatus, ReportStatus
from xiaoneng.enterprise.models import MonitoringPointReport, Problem
from xiaoneng.enterprise.tests.conftest import credit
from xiaoneng.orgs.choices import ApplicantKind, Role
from xiaoneng.orgs.models import User
from xiaoneng.orgs.tests.factories import UserFactory
from xiaoneng.workdays.choices import ClockStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = credit("91339100MA2EEEEE0")
ASSOCIATION_CODE = credit("51339100MJ8Q2W4X6")


def sign_in(page: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _applicant(username: str, name: str, code: str) -> User:
    return cast(
        User,
        UserFactory(
            username=username,
            role=Role.APPLICANT,
            applicant_kind=ApplicantKind.COMPANY,
            company_name=name,
            company_credit_code=code,
        ),
    )


def test_visit_problem_solved_in_time_and_monitoring_report(page, world):
    today = timezone.localdate().isoformat()
    _applicant("company", "青溪精密机械有限公司", CODE)
    _applicant("association", "青溪市机械行业协会", ASSOCIATION_CODE)
    # the office pairs the market regulator's head with the enterprise (ENT-1)
    sign_in(page, "supervisor")
    page.goto(page.base + "/enterprise/pairings/")
    page.select_option("#id_department", str(world.dept.pk))
    page.select_option("#id_official", str(world.user("dept_head").pk))
    page.fill("#id_enterprise_name", "青溪精密机械有限公司")
    page.fill("#id_credit_code", CODE)
    page.fill("#id_started_on", today)
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/enterprise/pairings/*/")
    pairing_url = page.url
    assert "青溪精密机械有限公司" in page.locator("h1").inner_text()
    # the paired official logs a visit (ENT-2)
    sign_in(page, "dept_head")
    page.goto(pairing_url)
    page.fill("#id_visited_on", today)
    page.fill("#id_content", "走访企业，了解新厂区用水报装进度。")
    page.click("form:has(input[value=visit]) button[type=submit]")
    page.wait_for_selector("text=走访已登记。")
    assert "了解新厂区用水报装进度" in page.locator("main").inner_text()
    screenshot(page, "enterprise-pairing")
    # the enterprise raises a problem to its official from its own page (ENT-3)
    sign_in(page, "company")
    page.goto(page.base + "/enterprise/mine/")
    page.fill("#raise-form #id_title", "新厂区用水报装迟迟未办")
    page.fill("#raise-form #id_text", "报装申请已提交三周，尚未安排现场勘察。")
    page.click("#btn-raise")
    page.wait_for_selector("text=问题已提交给挂点领导。")
    assert "待交办" in page.locator("#my-problems").inner_text()
    problem = Problem.objects.get(title="新厂区用水报装迟迟未办")
    # the official assigns it to the responsible department: its solve clock starts
    sign_in(page, "dept_head")
    page.goto(page.base + f"/enterprise/problems/{problem.pk}/")
    page.select_option("#id_department", str(world.other_dept.pk))
    page.click("#btn-assign")
    page.wait_for_selector("#problem-due")
    assert page.locator("#problem-status").inner_text() == "办理中"
    # the housing bureau solves it (ENT-4)
    sign_in(page, "other_clerk")
    page.goto(page.base + f"/enterprise/problems/{problem.pk}/")
    page.fill("#id_text", "已协调水务集团，明日现场勘察并当周通水。")
    page.click("#btn-solve")
    page.wait_for_selector("#problem-status")
    assert page.locator("#problem-status").inner_text() == "已解决待评价"
    screenshot(page, "enterprise-problem")
    problem.refresh_from_db()
    clock = problem.clock
    assert clock is not None
    assert clock.status == ClockStatus.STOPPED
    assert problem.solved_at is not None
    assert clock.due_date is not None
    assert problem.solved_at.date() <= clock.due_date  # within its clock
    # the enterprise rates it
    sign_in(page, "company")
    page.goto(page.base + "/enterprise/mine/")
    page.locator("#my-problems select[name=satisfaction]").select_option("1")
    page.locator("#my-problems .btn-rate").click()
    page.wait_for_selector("text=感谢您的评价。")
    assert "非常满意" in page.locator("#my-problems").inner_text()
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED
    # the office designates a monitoring point with its account (ENT-7)
    sign_in(page, "supervisor")
    page.goto(page.base + "/enterprise/monitoring/")
    page.fill("#id_name", "机械行业协会监测点")
    page.select_option("#id_kind", "association")
    page.fill("#id_credit_code", ASSOCIATION_CODE)
    page.fill("#id_account", "association")
    page.click("form:has(input[value=point]) button[type=submit]")
    page.wait_for_selector("text=监测点已设立。")
    # the point's account submits a report
    sign_in(page, "association")
    page.goto(page.base + "/enterprise/mine/")
    page.select_option("form:has(input[value=report]) #id_department", str(world.dept.pk))
    page.select_option("#id_severity", "2")
    page.fill("#id_rtext", "食品经营许可现场核查预约要等一周以上。")
    page.click("form:has(input[value=report]) button[type=submit]")
    page.wait_for_selector("text=报告已报送。")
    screenshot(page, "enterprise-monitoring-point")
    report = MonitoringPointReport.objects.get(text="食品经营许可现场核查预约要等一周以上。")
    assert (report.status, report.point, report.severity) == (ReportStatus.SUBMITTED, "机械行业协会监测点", 2)
    # the office sees it and forwards it to the department on its reply clock
    sign_in(page, "supervisor")
    page.goto(page.base + "/enterprise/monitoring/")
    assert "机械行业协会监测点" in page.locator("main table").inner_text()
    page.goto(page.base + f"/enterprise/monitoring/{report.pk}/")
    page.click("form:has(input[value=forward]) button[type=submit]")
    page.wait_for_selector("text=已保存。")
    assert page.locator("#report-status").inner_text() == "已转办"
    screenshot(page, "enterprise-report")
    report.refresh_from_db()
    assert report.clock is not None
    assert report.clock.status == ClockStatus.RUNNING
