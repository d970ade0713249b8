# mypy: disable-error-code="union-attr,operator"
# (tests read clocks that the services always set; the Optional is a model-level fact only)
"""The browser journey of a construction permit: apply → one-time supplement → supplement → accept →
four-department parallel stage where one department stays silent and is deemed to consent →
approve → PDF decision → delivery → the public tracking page shows the case as done."""

from __future__ import annotations

import re

import pytest

from conftest import login, screenshot
from xiaoneng.cases.models import Case
from xiaoneng.cases.tasks import deemed_consent_run
from xiaoneng.cases.tests.conftest import PDF, later

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def test_construction_permit_journey(page, world, cw, tmp_path):
    item = cw.parallel
    upload = tmp_path / "申请表.pdf"
    upload.write_bytes(PDF)
    plan = tmp_path / "总平面图.pdf"
    plan.write_bytes(PDF)

    # 张女士 applies online
    _as(page, "applicant")
    page.goto(page.base + f"/cases/apply/{item.implementing_code}/")
    page.fill("#id_applicant_name", "张丽")
    page.fill("#id_phone", "13900000011")
    page.fill("#id_description", "新建门店装修工程，申请施工许可")
    page.set_input_files("input[type=file]", str(upload))
    screenshot(page, "cases-01-apply")
    page.click("#btn-apply")
    message = page.locator(".messages").inner_text()
    found_number = re.search(r"BJ-\d+-\d+-\d+", message)
    found_code = re.search(r"查询码 ([A-Z0-9]{6})", message)
    assert found_number, message
    assert found_code, message
    number, code = found_number.group(0), found_code.group(1)
    case = Case.objects.get(tracking_number=number)

    # 李科员 issues the one-time supplement notice
    _as(page, "clerk")
    page.goto(page.base + f"/workbench/cases/{case.pk}/")
    page.click("text=一次性告知补正")
    page.fill("#sr-other", "建设工程规划许可证\n总平面图")
    page.click("#btn-supplement-request")
    assert "一次性告知书已生成" in page.content()
    assert page.locator("#btn-supplement-request").count() == 0  # no second notice offered

    # she supplements; the clock shows the pause
    _as(page, "applicant")
    page.goto(page.base + f"/cases/{case.pk}/")
    assert "请一次性补正以下材料" in page.content()
    page.set_input_files("#sup-files", [str(plan)])
    page.click("#supplement button[type=submit]")
    assert "补正材料已提交" in page.content()
    screenshot(page, "cases-02-applicant-after-supplement")

    # the clerk accepts; the reviewer passes the first stage
    _as(page, "clerk")
    page.goto(page.base + f"/workbench/cases/{case.pk}/")
    page.click("#btn-accept")
    assert "已受理" in page.content()
    _as(page, "reviewer")
    page.goto(page.base + f"/workbench/cases/{case.pk}/")
    page.locator(".opinion-form button[type=submit]").first.click()
    assert "办理意见已签署" in page.content()

    # three co-handling departments agree, 人防办 stays silent
    for dept in cw.co_departments[:3]:
        _as(page, cw.co_reviewers[dept.name].username)
        page.goto(page.base + f"/workbench/cases/{case.pk}/")
        page.locator(".opinion-form button[type=submit]").first.click()
        assert "办理意见已签署" in page.content()
    # the periodic task runs with "now" past the 5-working-day limit
    assert deemed_consent_run(now=later(14)) == 1

    # the reviewer sees the deemed consent and approves
    _as(page, "reviewer")
    page.goto(page.base + f"/workbench/cases/{case.pk}/")
    assert "超时默认同意" in page.content()
    screenshot(page, "cases-03-staff-deemed-consent")
    page.select_option("#id_outcome", "approve")
    page.click("#btn-decide")
    assert "决定已作出" in page.content()

    # the decision is a PDF
    link = page.locator("#notices a", has_text="准予行政许可决定书")
    href = link.get_attribute("href")
    resp = page.request.get(page.base + href)
    assert resp.status == 200
    assert resp.body().startswith(b"%PDF")

    # the clerk delivers
    _as(page, "clerk")
    page.goto(page.base + f"/workbench/cases/{case.pk}/")
    page.fill("#id_recipient", "张丽")
    page.click("#btn-deliver")
    assert "已送达" in page.content()
    screenshot(page, "cases-04-staff-delivered")

    # anyone with the number and code sees it done, with no personal data
    page.context.clear_cookies()
    page.goto(page.base + "/track/")
    page.fill("#id_tracking_number", number)
    page.fill("#id_code", code)
    page.click("#btn-track")
    status = page.locator("#track-status").inner_text()
    assert status == "已送达"
    assert "张丽" not in page.content()
    screenshot(page, "cases-05-track")
