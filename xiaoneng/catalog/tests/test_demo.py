"""The demo catalog loads, is valid (every item passed CAT-4/5/7 and CAT-FEE-1 through the services) and is
idempotent."""

import io

import pytest
from django.db.models import F

from xiaoneng.catalog import demo
from xiaoneng.catalog.models import FeeCatalogEntry, Item, ItemVersion
from xiaoneng.catalog.selectors import fees_outside_catalog
from xiaoneng.orgs import demo as orgs_demo

pytestmark = pytest.mark.django_db


def test_demo_catalog_loads_idempotently_with_the_required_items():
    orgs_demo.load(io.StringIO())
    demo.load(io.StringIO())
    count = Item.objects.count()
    demo.load(io.StringIO())
    assert Item.objects.count() == count >= 30
    assert Item.objects.values("department").distinct().count() >= 8
    permit = ItemVersion.objects.get(name="建筑工程施工许可", status="published")
    joint = permit.process.stages.get(name="联合审查")
    assert joint.steps.count() == 4
    assert set(joint.steps.values_list("on_timeout", flat=True)) == {"deemed_consent"}
    food = ItemVersion.objects.get(name="食品经营许可")
    assert (food.statutory_limit, food.committed_limit, food.fees.count()) == (20, 10, 0)
    assert ItemVersion.objects.filter(case_kind="on_the_spot", status="published").exists()
    assert ItemVersion.objects.filter(item_type="internal").exists()
    assert ItemVersion.objects.filter(is_public=False, status="published").exclude(non_public_reason="").exists()
    assert ItemVersion.objects.filter(special_procedures__kind="hearing").exists()
    assert ItemVersion.objects.filter(special_procedures__kind="expert_review").exists()
    assert ItemVersion.objects.filter(fees__lower__lt=models_F_upper()).exists()
    assert ItemVersion.objects.filter(status="draft").exists()
    assert ItemVersion.objects.filter(status="declared").exists()
    # the demo's fee catalog is published and covers every fee of its items (CAT-FEE-1)
    assert FeeCatalogEntry.objects.filter(status="published").count() == len(demo.FEE_CATALOG)
    assert fees_outside_catalog(permit.tenant_id) == []


def models_F_upper():

    return F("fees__upper")
