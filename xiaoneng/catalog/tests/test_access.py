"""Lookups by the id or code in a URL (conventions §3): `permissions.access_*` return the row in the
user's scope and 404 outside it, so an id outside the scope reveals nothing. The pages and the API
use nothing else."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from xiaoneng.catalog.permissions import (
    access_item_by_code,
    access_item_by_id,
    access_material_by_id,
    access_review_version_by_id,
    access_version_by_id,
    access_version_by_number,
    access_visible_material_by_id,
    access_visible_version_by_id,
)
from xiaoneng.catalog.services import version_declare
from xiaoneng.catalog.tests.factories import head, make_item, publish, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(world):
    """A draft and a published item of the market department, and a draft of another department."""
    clerk = world.user("clerk")
    draft = make_item(world.dept, clerk, name="草稿事项")
    live = publish(
        make_item(world.dept, clerk, name="公布事项"), declarer=world.user("dept_head"), legal=world.user("legal")
    )
    other = make_item(world.other_dept, world.user("other_clerk"), name="住建事项")
    return draft, live, other


def test_workbench_items_by_id(world, items):
    draft, live, other = items
    # department staff reach their department's items, the administrator the tenant's
    assert access_item_by_id(world.user("clerk"), draft.pk) == draft
    assert access_item_by_id(world.user("admin"), other.pk) == other
    # the other department's clerk, an applicant and the public get 404, even for a published item
    for user in (world.user("other_clerk"), world.user("applicant"), AnonymousUser()):
        with pytest.raises(Http404):
            access_item_by_id(user, draft.pk)
    with pytest.raises(Http404):
        access_item_by_id(world.user("other_clerk"), live.pk)
    with pytest.raises(Http404):
        access_item_by_id(world.user("clerk"), 10**9)


def test_workbench_versions_and_materials_by_id(world, items):
    draft, _live, other = items
    version = head(draft)
    material = version.materials.get()
    assert access_version_by_id(world.user("reviewer"), version.pk) == version
    assert access_material_by_id(world.user("dept_head"), material.pk) == material
    for user in (world.user("other_clerk"), world.user("applicant"), AnonymousUser()):
        with pytest.raises(Http404):
            access_version_by_id(user, version.pk)
        with pytest.raises(Http404):
            access_material_by_id(user, material.pk)
    with pytest.raises(Http404):
        access_version_by_id(world.user("clerk"), head(other).pk)


def test_review_queue_versions_by_id(world, items):
    draft, _live, _other = items
    version = head(draft)
    # a draft is in nobody's queue
    with pytest.raises(Http404):
        access_review_version_by_id(world.user("legal"), version.pk)
    version_declare(actor=world.user("dept_head"), version=version)
    assert access_review_version_by_id(world.user("legal"), version.pk) == version
    assert access_review_version_by_id(world.user("admin"), version.pk) == version
    for user in (world.user("clerk"), world.user("dept_head"), world.user("supervisor")):
        with pytest.raises(Http404):
            access_review_version_by_id(user, version.pk)


def test_visible_items_and_versions_by_code_and_number(world, items):
    draft, live, _other = items
    public = AnonymousUser()
    # the public sees a published public item and its version in force, never a draft
    assert access_item_by_code(public, live.implementing_code) == live
    assert access_version_by_number(public, live, published(live).number) == published(live)
    with pytest.raises(Http404):
        access_item_by_code(public, draft.implementing_code)
    with pytest.raises(Http404):
        access_item_by_code(public, "no-such-code")
    # staff of the department see the draft; the public cannot reach it by number either
    assert access_item_by_code(world.user("clerk"), draft.implementing_code) == draft
    with pytest.raises(Http404):
        access_version_by_number(public, draft, 1)
    with pytest.raises(Http404):
        access_version_by_number(world.user("clerk"), live, 99)


def test_visible_versions_and_materials_by_id(world, items):
    draft, live, _other = items
    public = AnonymousUser()
    version = published(live)
    assert access_visible_version_by_id(public, version.pk) == version
    assert access_visible_material_by_id(public, version.materials.get().pk) == version.materials.get()
    with pytest.raises(Http404):
        access_visible_version_by_id(public, head(draft).pk)
    with pytest.raises(Http404):
        access_visible_material_by_id(world.user("other_clerk"), head(draft).materials.get().pk)


@pytest.mark.parametrize(
    "url",
    [
        "/workbench/catalog/items/{item}/",
        "/workbench/catalog/versions/{version}/",
        "/workbench/catalog/versions/{version}/process/",
        "/workbench/catalog/items/{item}/diff/",
    ],
)
def test_pages_answer_404_for_an_item_of_another_department(client, world, items, url):
    draft, _live, _other = items
    client.force_login(world.user("other_clerk"))
    r = client.get(url.format(item=draft.pk, version=head(draft).pk))
    assert r.status_code == 404
    client.force_login(world.user("clerk"))
    assert client.get(url.format(item=draft.pk, version=head(draft).pk)).status_code in (200, 302)
