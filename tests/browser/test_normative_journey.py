"""Browser journey of a normative document (NOR-1 … NOR-6): the clerk submits a draft, the legal
office passes it, the head publishes and files it, the public list shows it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    login(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_draft_review_publish_file_and_public_list(page, world):
    today = timezone.localdate().isoformat()
    # the clerk submits a draft (NOR-1)
    sign_in(page, "clerk")
    page.goto(page.base + "/normative/new/")
    page.fill("#id_title", "青溪市食品小作坊登记管理办法")
    page.fill("#id_summary", "规范小作坊登记条件和程序。")
    page.click("#document-form button[type=submit]")
    page.wait_for_selector("#document-status")
    assert page.locator("#document-status").inner_text() == "合法性审核中"
    assert page.locator("#review-due").inner_text()  # NOR-2: the review clock's due date
    url = page.url
    page.context.clear_cookies()
    # the legal office passes it with changes (NOR-3)
    sign_in(page, "legal")
    page.goto(url)
    page.check("#form-review input[value=amended]")
    page.fill("#form-review textarea", "删除第八条保证金规定")
    page.click("#btn-review")
    page.wait_for_selector("#review-outcome")
    assert page.locator("#review-outcome").inner_text() == "修改后通过"
    page.context.clear_cookies()
    # the head publishes and files it (NOR-4, NOR-5)
    sign_in(page, "dept_head")
    page.goto(url)
    page.fill("#id_publish-number", "青市监规〔2026〕1号")
    page.fill("#id_publish-published_on", today)
    page.fill("#id_publish-effective_from", today)
    page.click("#btn-publish")
    page.wait_for_selector("#filing-due")
    page.select_option("#id_file-filed_with", "government")
    page.fill("#id_file-filed_on", today)
    page.click("#btn-file")
    page.wait_for_selector("#filed")
    screenshot(page, "normative-detail")
    # the public list shows it in force (NOR-6)
    page.context.clear_cookies()
    page.goto(page.base + "/normative/public/")
    table = page.locator("#public-documents").inner_text()
    assert "青市监规〔2026〕1号" in table
    assert "现行有效" in table
    screenshot(page, "normative-public")
