"""Browser journey (issue 11 gaps): a citizen attaches an ID copy to the online request, a bad file
is named while the good one is kept across the failed round; the department uploads the answer's
document; the department head issues last year's annual report and the page then shows the issued
figures, not the live ones."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import login, screenshot
from xiaoneng.disclosure.models import DisclosureRequest, IssuedReport
from xiaoneng.disclosure.tests.conftest import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4 a copy of the ID card\n"


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_citizen_attaches_files_and_department_answers_with_a_document(page, world, tmp_path):
    good = tmp_path / "身份证复印件.pdf"
    good.write_bytes(PDF)
    bad = tmp_path / "说明.txt"
    bad.write_bytes(b"plain text")
    # given the public form filled in without the description, with one good and one bad file
    page.goto(page.base + "/disclosure/apply/")
    page.select_option("#id_department", label=world.dept.name)
    page.select_option("#id_applicant_kind", "natural")
    page.fill("#id_applicant_name", "钱女士")
    page.fill("#id_phone", "13900000031")
    page.set_input_files("#id_attachments", [str(good), str(bad)])
    page.click("#btn-apply")
    # then the bad file is named and the good one kept
    page.wait_for_selector(".pending-uploads")
    assert "身份证复印件.pdf" in page.locator(".pending-uploads").inner_text()
    assert "说明.txt" in page.locator("#form-errors").inner_text()
    screenshot(page, "disclosure-apply-kept-file")
    # when the description is added and the form sent again without choosing the file again
    page.fill("#id_description", "2025年本市食品经营许可的发放数量和名单")
    page.click("#btn-apply")
    number = page.locator("#req-number").inner_text()
    req = DisclosureRequest.objects.get(number=number)
    assert [a.original_name for a in req.attachments.all()] == ["身份证复印件.pdf"]

    # and the clerk uploads the answer letter on the request page
    letter = tmp_path / "答复书.pdf"
    letter.write_bytes(PDF)
    sign_in(page, "clerk")
    page.goto(page.base + f"/workbench/disclosure/requests/{req.pk}/")
    page.click("#attach summary")
    page.set_input_files("#f-files", str(letter))
    page.click("#btn-attach")
    page.wait_for_selector("text=已上传 1 个文件。")
    assert "答复书.pdf" in page.locator("#attachments").inner_text()
    screenshot(page, "disclosure-request-files")
    with page.expect_download() as dl:
        page.click("#attachments >> text=身份证复印件.pdf")
    assert dl.value.suggested_filename == "身份证复印件.pdf"


def test_department_head_issues_the_annual_report(page, world):
    # given a request of last year
    year = timezone.localdate().year - 1
    req = submit(world).request
    DisclosureRequest.objects.filter(pk=req.pk).update(received_at=timezone.now().replace(year=year, month=6, day=15))
    sign_in(page, "dept_head")
    page.goto(page.base + f"/workbench/disclosure/report/?year={year}")
    assert "实时数据（未发布）" in page.locator("#report-state").inner_text()
    # when the head issues it
    page.click("#btn-issue")
    page.wait_for_selector("#report-issued")
    # then the page marks it issued; a request added later shows only under the live figures
    assert IssuedReport.objects.filter(year=year, department=world.dept).exists()
    later = submit(world).request
    DisclosureRequest.objects.filter(pk=later.pk).update(received_at=timezone.now().replace(year=year, month=7, day=1))
    page.reload()
    assert page.locator("#report-state").inner_text() == "已发布"
    assert page.locator('tr[data-row="new"] td').nth(7).inner_text() == "1"
    assert page.locator("#report-moved").is_visible()
    screenshot(page, "disclosure-report-issued")
    page.click("#show-live")
    page.wait_for_selector("text=以下为按当前记录计算的实时数据")
    assert page.locator('tr[data-row="new"] td').nth(7).inner_text() == "2"
    assert page.locator("#btn-issue").count() == 0
