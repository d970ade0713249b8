"""Browser journey (CAT-DIS-2, CAT-FEE-1): the legal office cancels an item through its page; a
citizen opening the item and then its 在线申请 link sees the reason instead of a form; the public
fee catalog lists what the administrator published. Screenshots are checked by eye."""

import datetime as dt

import pytest

from conftest import screenshot
from xiaoneng.catalog.services import fee_entry_create, fee_entry_publish
from xiaoneng.catalog.tests.factories import make_item, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username):
    page.context.clear_cookies()
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-Word-2026")
    with page.expect_navigation():
        page.click("main button[type=submit]")


def test_a_citizen_trying_to_apply_for_a_cancelled_item_sees_the_reason(page, world):
    item = publish(
        make_item(world.dept, world.user("clerk"), name="食品经营许可"),
        declarer=world.user("dept_head"),
        legal=world.user("legal"),
    )
    entry = fee_entry_create(
        actor=world.user("admin"),
        tenant_id=world.city.pk,
        code="QX-01",
        name="工本费",
        legal_basis="《行政事业性收费标准管理办法》",
        standard="每证 10 元",
        approving_document="青价费〔2020〕1号",
        lower="10",
        upper="10",
        valid_from=dt.date(2026, 1, 1),
    )
    fee_entry_publish(actor=world.user("admin"), entry=entry)
    # given the legal office records the cancellation through the item's disposal page
    _login(page, "legal")
    page.goto(page.base + f"/workbench/catalog/items/{item.pk}/disposal/")
    page.select_option("#id_disposal", "cancelled")
    page.fill("#id_document", "国发〔2026〕1号")
    page.fill("#id_effective", "2026-01-01")
    page.fill("#id_note", "国务院决定取消该行政许可事项，改为备案管理。")
    screenshot(page, "catalog-disposal-01-form")
    with page.expect_navigation():
        page.click("#disposal-form button[type=submit]")
    # when a citizen opens the item: the notice is there, 在线申请 is not
    _login(page, "applicant")
    page.goto(page.base + f"/catalog/{item.implementing_code}/")
    notice = page.locator("#disposal-notice").inner_text()
    assert "依据《国发〔2026〕1号》取消" in notice
    assert page.locator("#btn-apply-online").count() == 0
    screenshot(page, "catalog-disposal-02-item-page")
    # and opens the apply link directly (a bookmark): the reason, not a form
    response = page.goto(page.base + f"/cases/apply/{item.implementing_code}/")
    assert response is not None
    assert response.status == 410
    assert "该事项不能申请" in page.locator("#apply-blocked").inner_text()
    assert "国发〔2026〕1号" in page.locator("#blocked-reason").inner_text()
    assert page.locator("#apply-form").count() == 0
    screenshot(page, "catalog-disposal-03-apply-blocked")
    # the public fee catalog lists the published entry
    page.goto(page.base + "/catalog/fees/")
    assert "青价费〔2020〕1号" in page.locator("#fee-catalog").inner_text()
    screenshot(page, "catalog-fees-01-public")
    # and the administrator's page lists it with its state and the form for a new entry
    _login(page, "admin")
    page.goto(page.base + "/workbench/catalog/fees/")
    assert "已公布" in page.locator("#fee-entries").inner_text()
    assert page.locator("#fee-entry-form").count() == 1
    screenshot(page, "catalog-fees-02-admin")
