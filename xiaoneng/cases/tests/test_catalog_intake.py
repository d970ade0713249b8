"""The catalog's rules at intake and at the till. CAT-DIS-2: from its effective date a cancelled,
delegated or entrusted item takes no case — not
online (the apply page, the API), not at the window — and the applicant is told why and where to
apply now. Nothing is written. CAT-FEE-3: a fee the fee catalog no longer covers is not charged."""

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from xiaoneng.cases.actions.fees import fee_charge_record
from xiaoneng.cases.actions.intake import case_register_at_window, case_submit
from xiaoneng.cases.models import Case, FeeCharge
from xiaoneng.cases.tests.conftest import FORM, accepted
from xiaoneng.catalog.services import fee_entry_create, fee_entry_publish, fee_entry_withdraw, item_disposal_set
from xiaoneng.catalog.tests.factories import make_item, publish
from xiaoneng.core.actors import SYSTEM as _SYSTEM

pytestmark = pytest.mark.django_db

SYSTEM: Any = _SYSTEM  # the operator's actor: the catalog helpers are typed for a User

PAST = dt.date(2026, 1, 1)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def county_item(world):
    return publish(make_item(world.county_dept, SYSTEM, name="食品经营许可（区级）"), declarer=SYSTEM, legal=SYSTEM)


def _delegate(world, item, target=None):
    return item_disposal_set(
        actor=world.user("legal"),
        item=item,
        disposal="delegated",
        document="青政发〔2026〕3号",
        effective=PAST,
        region=world.county,
        body="清河区市场监管局",
        target=target,
    )


def test_a_cancelled_item_is_refused_online_and_at_the_window_with_the_reason(world, cw):
    item_disposal_set(
        actor=world.user("admin"), item=cw.simple, disposal="cancelled", document="国发〔2026〕1号", effective=PAST
    )
    with pytest.raises(ValidationError, match="依据《国发〔2026〕1号》取消"):
        case_submit(actor=world.user("applicant"), item=cw.simple, form_data=FORM)
    with pytest.raises(ValidationError, match="取消"):
        case_register_at_window(actor=world.user("clerk"), item=cw.simple, form_data=FORM)
    assert Case.objects.count() == 0


def test_the_apply_page_shows_the_reason_and_the_lower_level_item(world, cw, county_item):
    _delegate(world, cw.simple, target=county_item)
    c = client_for(world.user("applicant"))
    r = c.get(f"/cases/apply/{cw.simple.implementing_code}/")
    assert r.status_code == 410
    page = r.content.decode()
    assert "依据《青政发〔2026〕3号》下放" in page
    assert "请向 清河区清河区市场监管局 申请" in page
    assert f'href="/catalog/{county_item.implementing_code}/"' in page
    # a POST is refused the same way, writing nothing
    assert c.post(f"/cases/apply/{cw.simple.implementing_code}/", FORM).status_code == 410
    # and the list of items open for online application no longer offers it
    assert f"/cases/apply/{cw.simple.implementing_code}/" not in Client().get("/cases/apply/").content.decode()
    assert Case.objects.count() == 0


def test_the_api_refuses_a_delegated_item_with_the_reason(world, cw):
    _delegate(world, cw.simple)
    r = client_for(world.user("applicant")).post("/api/cases", {**FORM, "item": cw.simple.implementing_code})
    assert r.status_code == 400
    body = json.dumps(r.json(), ensure_ascii=False)
    assert "下放" in body
    assert "清河区" in body
    r = client_for(world.user("clerk")).post("/api/cases/window", {**FORM, "item": cw.simple.implementing_code})
    assert r.status_code == 400
    assert Case.objects.count() == 0


def test_the_window_page_tells_the_clerk_why(world, cw):
    item_disposal_set(
        actor=world.user("legal"),
        item=cw.simple,
        disposal="entrusted",
        document="青政发〔2026〕4号",
        effective=PAST,
        body="城东街道办事处",
    )
    r = client_for(world.user("clerk")).post("/workbench/cases/window/", {**FORM, "item": cw.simple.pk})
    page = r.content.decode()
    assert "委托实施" in page
    assert "城东街道办事处" in page
    assert Case.objects.count() == 0


def test_an_item_exercised_here_again_takes_cases(world, cw):
    # given a cancellation recorded by mistake, then restored with a reason
    item_disposal_set(
        actor=world.user("legal"), item=cw.simple, disposal="cancelled", document="国发〔2026〕1号", effective=PAST
    )
    item_disposal_set(actor=world.user("legal"), item=cw.simple, disposal="", note="误登记，恢复实施")
    case, _code = case_submit(actor=world.user("applicant"), item=cw.simple, form_data=FORM)
    assert case.pk is not None


def test_cat_fee_3_a_fee_withdrawn_from_the_fee_catalog_is_not_charged(world, cw):
    # given the item's 工本费 (10–20 元) covered by the published fee catalog
    entry = fee_entry_create(
        actor=world.user("admin"),
        tenant_id=world.city.pk,
        name="工本费",
        legal_basis="依据",
        approving_document="青价费〔2020〕1号",
        lower="10",
        upper="20",
        valid_from=PAST,
    )
    fee_entry_publish(actor=world.user("admin"), entry=entry)
    case = accepted(world, cw.simple)
    fee = cw.simple.published.fees.get()
    # when the entry is withdrawn, the published (frozen) version still lists the fee
    fee_entry_withdraw(actor=world.user("admin"), entry=entry, reason="停征")
    # then the window may not charge it, and nothing is written
    with pytest.raises(ValidationError, match="不在本辖区公布的收费目录中"):
        fee_charge_record(case=case, actor=world.user("clerk"), fee=fee, amount="10.00", receipt_number="R1")
    assert FeeCharge.objects.count() == 0


def test_the_window_form_no_longer_offers_a_disposed_item_but_still_an_announced_one(world, cw):
    # given one item cancelled from a past date and another whose entrustment is only announced
    item_disposal_set(
        actor=world.user("legal"), item=cw.simple, disposal="cancelled", document="国发〔2026〕1号", effective=PAST
    )
    later = dt.date.today() + dt.timedelta(days=30)
    item_disposal_set(
        actor=world.user("legal"),
        item=cw.parallel,
        disposal="entrusted",
        document="青政发〔2026〕4号",
        effective=later,
        body="城东街道办事处",
    )
    page = client_for(world.user("clerk")).get("/workbench/cases/window/").content.decode()
    # CAT-DIS-2: the dropdown leaves the cancelled item out and keeps the one not yet in force
    assert f'<option value="{cw.simple.pk}"' not in page
    assert f'<option value="{cw.parallel.pk}"' in page
