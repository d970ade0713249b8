"""Cancelled, delegated and entrusted items (取消 / 下放 / 委托): CAT-DIS-1, one action on the Event
trail, refused for the wrong role; the item page and the API tell the reason and where to apply."""

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from xiaoneng.catalog.choices import Disposal
from xiaoneng.catalog.models import Item
from xiaoneng.catalog.selectors import disposal_blocks
from xiaoneng.catalog.services import item_disposal_set
from xiaoneng.catalog.tests.factories import make_item, publish
from xiaoneng.core.actors import SYSTEM as _SYSTEM
from xiaoneng.core.models import Event

pytestmark = pytest.mark.django_db

SYSTEM: Any = _SYSTEM  # the operator's actor: the catalog helpers are typed for a User

PAST = dt.date(2026, 1, 1)


def _client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def items(world):
    city = publish(
        make_item(world.dept, world.user("clerk"), name="食品经营许可"),
        declarer=world.user("dept_head"),
        legal=world.user("legal"),
    )
    county = publish(make_item(world.county_dept, SYSTEM, name="食品经营许可（区级）"), declarer=SYSTEM, legal=SYSTEM)
    return city, county


def test_cat_dis_1_delegation_is_one_action_on_the_trail(world, items):
    city, county = items
    # when the legal office records the delegation to the county, naming the county's item
    item_disposal_set(
        actor=world.user("legal"),
        item=city,
        disposal=Disposal.DELEGATED,
        document="青政发〔2026〕3号",
        effective=PAST,
        region=world.county,
        body="清河区市场监管局",
        target=county,
    )
    city.refresh_from_db()
    # then the item carries it, blocks from the effective date, and the trail records it
    assert (city.disposal, city.disposal_region_id, city.disposal_item_id) == ("delegated", world.county.pk, county.pk)
    assert disposal_blocks(city)
    event = Event.objects.for_subject(city).filter(action="catalog.item_disposal").get()
    assert event.after["region"] == "339102"
    assert event.after["target"] == county.implementing_code


def test_cat_dis_1_refuses_the_wrong_role_and_bad_input_writing_nothing(world, items):
    city, _county = items
    for role in ("clerk", "dept_head", "supervisor", "applicant"):
        with pytest.raises(PermissionDenied):
            item_disposal_set(actor=world.user(role), item=city, disposal="cancelled", document="文件", effective=PAST)
    with pytest.raises(ValidationError) as e:
        item_disposal_set(actor=world.user("legal"), item=city, disposal="cancelled")
    assert set(e.value.message_dict) == {"document", "effective"}
    with pytest.raises(ValidationError, match="只能下放至本级以下的区划"):
        item_disposal_set(
            actor=world.user("legal"),
            item=city,
            disposal="delegated",
            document="文件",
            effective=PAST,
            region=world.city,
        )
    with pytest.raises(ValidationError, match="受委托"):
        item_disposal_set(actor=world.user("legal"), item=city, disposal="entrusted", document="文件", effective=PAST)
    with pytest.raises(ValidationError):
        item_disposal_set(actor=world.user("legal"), item=city, disposal="bogus", document="文件", effective=PAST)
    city.refresh_from_db()
    assert city.disposal == ""
    assert not Event.objects.filter(action="catalog.item_disposal").exists()


def test_cat_dis_1_the_database_refuses_a_disposal_without_its_document(world, items):
    city, _county = items
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=city.pk).update(disposal="cancelled")


def test_a_future_effective_date_announces_without_blocking(world, items):
    city, _county = items
    item_disposal_set(
        actor=world.user("admin"),
        item=city,
        disposal="cancelled",
        document="国发〔2026〕1号",
        effective=dt.date(2099, 1, 1),
    )
    city.refresh_from_db()
    assert not disposal_blocks(city)
    page = _client().get(f"/catalog/{city.implementing_code}/").content.decode()
    assert "自 2099-01-01 起生效" in page
    assert 'id="btn-apply-online"' in page


def test_item_page_shows_the_reason_and_links_to_the_lower_level_item(world, items):
    city, county = items
    item_disposal_set(
        actor=world.user("legal"),
        item=city,
        disposal="delegated",
        document="青政发〔2026〕3号",
        effective=PAST,
        region=world.county,
        target=county,
    )
    page = _client().get(f"/catalog/{city.implementing_code}/").content.decode()
    assert "该事项已于 2026-01-01 依据《青政发〔2026〕3号》下放" in page
    assert "请向 清河区" in page
    assert f'href="/catalog/{county.implementing_code}/"' in page
    assert 'id="btn-apply-online"' not in page


def test_disposal_page_refuses_the_wrong_role_and_records_a_cancellation(world, items):
    city, _county = items
    url = f"/workbench/catalog/items/{city.pk}/disposal/"
    for role in ("clerk", "dept_head", "supervisor"):
        assert _client(world.user(role)).get(url).status_code in (403, 404)
    legal = _client(world.user("legal"))
    assert legal.get(url).status_code == 200
    r = legal.post(url, {"disposal": "cancelled", "document": "", "effective": ""})
    assert r.status_code == 400
    assert "请填写决定文件" in r.content.decode()
    r = legal.post(url, {"disposal": "cancelled", "document": "国发〔2026〕1号", "effective": "2026-01-01"})
    assert r.status_code == 302
    city.refresh_from_db()
    assert city.disposal == "cancelled"


def test_api_sets_and_reads_the_disposal_and_refuses_the_wrong_role(world, items):
    city, _county = items
    url = f"/api/catalog/items/{city.implementing_code}/disposal"
    body = {
        "disposal": "entrusted",
        "document": "青政发〔2026〕4号",
        "effective": "2026-01-01",
        "body": "城东街道办事处",
    }
    r = _client(world.user("clerk")).post(url, json.dumps(body), content_type="application/json")
    assert r.status_code == 403
    r = _client(world.user("legal")).post(url, json.dumps({**body, "body": ""}), content_type="application/json")
    assert r.status_code == 400
    r = _client(world.user("legal")).post(url, json.dumps(body), content_type="application/json")
    assert r.status_code == 200
    out = _client().get(url).json()
    assert out["disposal"] == "entrusted"
    assert out["in_force"] is True
    assert "城东街道办事处" in out["where"]
