"""The fee catalog (收费目录): CAT-FEE-1 (a fee outside the published catalog, or outside an entry's
range, is refused at declaration and at review), CAT-FEE-2 (no catalog yet: flagged, not refused),
CAT-FEE-3 (a published fee that falls out of the catalog is flagged); the public page, the API and
the refusal of the wrong role."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from xiaoneng.catalog.choices import FeeEntryStatus, VersionStatus
from xiaoneng.catalog.models import FeeCatalogEntry
from xiaoneng.catalog.selectors import fee_catalog_issues, fees_outside_catalog
from xiaoneng.catalog.services import (
    fee_entry_create,
    fee_entry_publish,
    fee_entry_withdraw,
    version_declare,
    version_review,
)
from xiaoneng.catalog.tests.factories import head, make_item, publish
from xiaoneng.core.models import Event

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 1)


def _client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _entry(world, name="工本费", lower="5", upper="20", publish_it=True, **kw):
    entry = fee_entry_create(
        actor=world.user("admin"),
        tenant_id=world.city.pk,
        name=name,
        legal_basis="《行政事业性收费标准管理办法》",
        approving_document="青价费〔2020〕1号",
        lower=lower,
        upper=upper,
        valid_from=kw.pop("valid_from", TODAY),
        **kw,
    )
    return fee_entry_publish(actor=world.user("admin"), entry=entry) if publish_it else entry


def _fee(name="工本费", lower="10", upper="10"):
    return [{"name": name, "lower": lower, "upper": upper, "basis": "青价费〔2020〕1号"}]


def test_cat_fee_1_a_fee_outside_the_published_catalog_is_refused_at_declaration(world):
    # given a published fee catalog with 工本费 5–20 元
    _entry(world)
    item = make_item(world.dept, world.user("clerk"), fees=_fee("检测费"))
    # when the department declares an item charging 检测费, which the catalog does not list
    with pytest.raises(ValidationError) as e:
        version_declare(actor=world.user("dept_head"), version=head(item))
    # then it is refused with the reason, and the draft stays a draft
    assert "不在本辖区公布的收费目录中" in str(e.value.message_dict["fees"])
    head(item).refresh_from_db()
    assert head(item).status == VersionStatus.DRAFT


def test_cat_fee_1_a_fee_above_the_entry_range_is_refused_and_one_within_passes(world):
    _entry(world)
    over = make_item(world.dept, world.user("clerk"), fees=_fee(lower="10", upper="30"))
    with pytest.raises(ValidationError, match=r"超出收费目录核定的 5\.00–20\.00 元"):
        version_declare(actor=world.user("dept_head"), version=head(over))
    within = make_item(world.dept, world.user("clerk"), fees=_fee(lower="10", upper="20"))
    assert version_declare(actor=world.user("dept_head"), version=head(within)).status == VersionStatus.DECLARED


def test_cat_fee_1_review_refuses_approval_when_the_entry_was_withdrawn_after_declaration(world):
    # given an item declared while its fee was in the catalog
    entry = _entry(world)
    item = make_item(world.dept, world.user("clerk"), fees=_fee())
    version_declare(actor=world.user("dept_head"), version=head(item))
    # when the entry is withdrawn before the legal office approves
    fee_entry_withdraw(actor=world.user("admin"), entry=entry, reason="国家取消该收费")
    # then approval is refused with the reason (returning stays possible)
    with pytest.raises(ValidationError, match="不在本辖区公布的收费目录中"):
        version_review(actor=world.user("legal"), version=head(item), approve=True)
    # and the review page flags it
    page = _client(world.user("legal")).get(f"/workbench/catalog/review/{head(item).pk}/").content.decode()
    assert 'id="fee-issues"' in page
    assert version_review(actor=world.user("legal"), version=head(item), approve=False, comment="请调整收费")


def test_cat_fee_1_an_expired_or_future_entry_does_not_cover(world):
    _entry(world, valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2021, 12, 31))
    _entry(world, name="检测费", valid_from=dt.date(2099, 1, 1))
    item = make_item(world.dept, world.user("clerk"), fees=_fee() + _fee("检测费"))
    assert len(fee_catalog_issues(head(item))) == 2


def test_cat_fee_2_no_published_catalog_flags_instead_of_refusing(world):
    # given a jurisdiction with only a draft entry (nothing published)
    _entry(world, publish_it=False)
    item = make_item(world.dept, world.user("clerk"), fees=_fee("检测费"))
    # when the item is declared: it passes (fees lawful before the catalog was entered here)
    version_declare(actor=world.user("dept_head"), version=head(item))
    # then the legal office's review page says the fees were not checked against a catalog
    page = _client(world.user("legal")).get(f"/workbench/catalog/review/{head(item).pk}/").content.decode()
    assert 'id="fee-unchecked"' in page


def test_cat_fee_3_a_published_fee_that_falls_out_of_the_catalog_is_flagged(world):
    entry = _entry(world)
    item = publish(
        make_item(world.dept, world.user("clerk"), fees=_fee()),
        declarer=world.user("dept_head"),
        legal=world.user("legal"),
    )
    assert fees_outside_catalog(world.city.pk) == []
    fee_entry_withdraw(actor=world.user("admin"), entry=entry, reason="停征")
    flagged = fees_outside_catalog(world.city.pk)
    assert [f.version.item_id for f, _why in flagged] == [item.pk]
    page = _client(world.user("admin")).get("/workbench/catalog/fees/").content.decode()
    assert 'id="fees-outside"' in page


def test_fee_entry_lifecycle_is_on_the_event_trail_and_refuses_the_wrong_role(world):
    entry = _entry(world, publish_it=False)
    for role in ("legal", "dept_head", "clerk", "supervisor"):
        with pytest.raises(PermissionDenied):
            fee_entry_publish(actor=world.user(role), entry=entry)
    fee_entry_publish(actor=world.user("admin"), entry=entry)
    with pytest.raises(ValidationError):
        fee_entry_withdraw(actor=world.user("admin"), entry=entry, reason="  ")
    fee_entry_withdraw(actor=world.user("admin"), entry=entry, reason="停征")
    actions = list(Event.objects.for_subject(entry).order_by("seq").values_list("action", flat=True))
    assert actions == ["catalog.fee_entry_create", "catalog.fee_entry_publish", "catalog.fee_entry_withdraw"]
    with pytest.raises(ValidationError):  # a bad range is refused and writes nothing
        _entry(world, lower="30", upper="20")
    assert FeeCatalogEntry.objects.count() == 1


def test_public_page_lists_published_entries_with_search_and_pagination(world):
    _entry(world)
    _entry(world, name="草稿收费", publish_it=False)
    for n in range(55):
        _entry(world, name=f"测试收费{n:02d}", code=f"C{n:02d}")
    c = _client()
    page = c.get("/catalog/fees/").content.decode()
    assert "工本费" in page
    assert "青价费〔2020〕1号" in page
    assert "草稿收费" not in page
    assert "测试收费54" not in page  # the second page
    assert "测试收费54" in c.get("/catalog/fees/", {"page": "2"}).content.decode()
    found = c.get("/catalog/fees/", {"q": "工本"}).content.decode()
    assert "工本费" in found
    assert "测试收费01" not in found
    assert c.get("/catalog/fees/", {"page": "abc"}).status_code == 200


def test_api_lists_public_and_manages_for_the_administrator_only(world):
    _entry(world)
    r = _client().get("/api/catalog/fee-catalog", {"q": "工本"})
    assert r.status_code == 200
    assert r.json()["count"] == 1
    body = {
        "name": "检测费",
        "legal_basis": "依据",
        "approving_document": "青价费〔2021〕2号",
        "lower": "50",
        "upper": "80",
        "valid_from": "2026-01-01",
    }
    for role in ("legal", "clerk", "applicant"):
        r = _client(world.user(role)).post(
            "/api/catalog/fee-catalog", json.dumps(body), content_type="application/json"
        )
        assert r.status_code == 403
    assert _client().post(
        "/api/catalog/fee-catalog", json.dumps(body), content_type="application/json"
    ).status_code in (
        401,
        403,
    )
    admin = _client(world.user("admin"))
    bad = admin.post("/api/catalog/fee-catalog", json.dumps({**body, "lower": "90"}), content_type="application/json")
    assert bad.status_code == 400
    r = admin.post("/api/catalog/fee-catalog", json.dumps(body), content_type="application/json")
    assert r.status_code == 201
    pk = r.json()["id"]
    assert _client(world.user("legal")).post(f"/api/catalog/fee-catalog/{pk}/publish").status_code == 403
    assert admin.post(f"/api/catalog/fee-catalog/{pk}/publish").json()["status"] == FeeEntryStatus.PUBLISHED
    assert admin.get("/api/catalog/fee-catalog/manage").json()["count"] == 2
    assert _client(world.user("legal")).get("/api/catalog/fee-catalog/manage").status_code == 403


def test_staff_page_refuses_the_wrong_role_and_creates_a_draft(world):
    for role in ("legal", "clerk", "supervisor"):
        assert _client(world.user(role)).get("/workbench/catalog/fees/").status_code == 403
    admin = _client(world.user("admin"))
    r = admin.post("/workbench/catalog/fees/", {"name": "工本费", "lower": "x"})
    assert r.status_code == 400
    assert FeeCatalogEntry.objects.count() == 0
    r = admin.post(
        "/workbench/catalog/fees/",
        {
            "name": "工本费",
            "legal_basis": "依据",
            "approving_document": "青价费〔2020〕1号",
            "lower": "5",
            "upper": "20",
            "valid_from": "2026-01-01",
        },
    )
    assert r.status_code == 302
    entry = FeeCatalogEntry.objects.get()
    assert entry.status == FeeEntryStatus.DRAFT
    admin.post(f"/workbench/catalog/fees/{entry.pk}/publish/")
    entry.refresh_from_db()
    assert entry.status == FeeEntryStatus.PUBLISHED


def test_public_fee_catalog_page_costs_the_same_for_one_entry_or_a_full_page(world, django_assert_max_num_queries):
    _entry(world)
    c = _client()
    with django_assert_max_num_queries(6) as one:
        c.get("/catalog/fees/")
    for n in range(60):
        _entry(world, name=f"测试收费{n:02d}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        c.get("/catalog/fees/")
