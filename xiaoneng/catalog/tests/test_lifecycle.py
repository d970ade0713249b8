"""CAT-6 lifecycle: create → declare → review (approve/return) → publish → edit → republish, with
the refusals for the wrong role, immutability of published versions and the re-publication clock."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaoneng.catalog.choices import VersionStatus
from xiaoneng.catalog.models import Fee
from xiaoneng.catalog.selectors import version_content
from xiaoneng.catalog.services import (
    item_create,
    item_edit,
    item_retire,
    version_declare,
    version_publish,
    version_review,
    version_update,
)
from xiaoneng.catalog.tests.factories import codes_for, content, head, make_item, publish, published
from xiaoneng.core.models import Event
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import DepartmentFactory, UserFactory
from xiaoneng.workdays.models import Clock

pytestmark = pytest.mark.django_db


def _actions(item):
    return list(Event.objects.for_subject(item).values_list("action", flat=True))


def test_full_lifecycle_appends_an_event_per_transition(world):
    # given a draft created by a clerk
    item = make_item(world.dept, world.user("clerk"))
    version = head(item)
    # when the head declares, the legal office approves and publishes
    version_declare(actor=world.user("dept_head"), version=version)
    version_review(actor=world.user("legal"), version=version, approve=True, comment="同意，注意材料表述")
    version_publish(actor=world.user("legal"), version=version)
    # then the version is published and in force, and each step is in the trail
    version.refresh_from_db()
    item.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert version.review_comment == "同意，注意材料表述"
    assert item.published_id == version.pk
    assert _actions(item) == [
        "catalog.item_create",
        "catalog.version_declare",
        "catalog.version_review",
        "catalog.version_publish",
    ]


def test_return_with_reasons_then_fix_and_declare_again(world):
    item = make_item(world.dept, world.user("clerk"))
    version = head(item)
    version_declare(actor=world.user("reviewer"), version=version)
    # when the legal office returns it with reasons
    version_review(actor=world.user("legal"), version=version, approve=False, comment="缺少设定依据条款")
    version.refresh_from_db()
    assert version.status == VersionStatus.RETURNED
    # then the department can fix it (back to draft) and declare again
    version_update(actor=world.user("clerk"), version=version, content=content(name="食品经营许可（修订）"))
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    version_declare(actor=world.user("reviewer"), version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.DECLARED
    review = Event.objects.for_subject(item).get(action="catalog.version_review")
    assert review.reason == "缺少设定依据条款"


def test_return_without_reasons_is_refused(world):
    item = make_item(world.dept, world.user("clerk"))
    version_declare(actor=world.user("dept_head"), version=head(item))
    with pytest.raises(ValidationError):
        version_review(actor=world.user("legal"), version=head(item), approve=False, comment="  ")


@pytest.mark.parametrize("role", ["clerk", "applicant", "legal", "supervisor", "other_clerk"])
def test_cat6_declare_refused_for_wrong_role(world, role):
    # given a draft of world.dept
    item = make_item(world.dept, world.user("clerk"))
    # when someone other than the department's head or reviewer declares
    with pytest.raises(PermissionDenied):
        version_declare(actor=world.user(role), version=head(item))
    head(item).refresh_from_db()
    assert head(item).status == VersionStatus.DRAFT


@pytest.mark.parametrize("role", ["clerk", "reviewer", "dept_head", "supervisor", "admin", "applicant"])
def test_cat6_review_refused_for_non_legal_roles(world, role):
    item = make_item(world.dept, world.user("clerk"))
    version_declare(actor=world.user("dept_head"), version=head(item))
    with pytest.raises(PermissionDenied):
        version_review(actor=world.user(role), version=head(item), approve=True)


def test_cat6_legal_office_of_another_county_cannot_review(world):
    # given an item of the 清河区 department and the legal office of 云山县
    county_head = UserFactory.create(role=Role.DEPT_HEAD, department=world.county_dept)
    item = make_item(world.county_dept, county_head, region_code=world.county.code)
    version_declare(actor=county_head, version=head(item))
    other_legal_dept = DepartmentFactory.create(region=world.other_county, name="云山县司法局", is_legal_office=True)
    other_legal = UserFactory.create(role=Role.LEGAL, department=other_legal_dept)
    own_legal_dept = DepartmentFactory.create(region=world.county, name="清河区司法局", is_legal_office=True)
    own_legal = UserFactory.create(role=Role.LEGAL, department=own_legal_dept)
    # when the other county's legal office reviews
    with pytest.raises(PermissionDenied):
        version_review(actor=other_legal, version=head(item), approve=True)
    # then the county's own legal office (and the city's, an ancestor) may
    version_review(actor=own_legal, version=head(item), approve=True)
    head(item).refresh_from_db()
    assert head(item).status == VersionStatus.REVIEWED


def test_county_legal_office_cannot_review_a_city_item(world):
    item = make_item(world.dept, world.user("clerk"))
    version_declare(actor=world.user("dept_head"), version=head(item))
    county_legal = UserFactory.create(role=Role.LEGAL, region=world.county)
    with pytest.raises(PermissionDenied):
        version_review(actor=county_legal, version=head(item), approve=True)


@pytest.mark.parametrize("role", ["clerk", "dept_head", "supervisor", "applicant"])
def test_publish_refused_for_wrong_role(world, role):
    item = make_item(world.dept, world.user("clerk"))
    version_declare(actor=world.user("dept_head"), version=head(item))
    version_review(actor=world.user("legal"), version=head(item), approve=True)
    with pytest.raises(PermissionDenied):
        version_publish(actor=world.user(role), version=head(item))


def test_admin_may_publish_a_reviewed_version(world):
    item = make_item(world.dept, world.user("clerk"))
    version_declare(actor=world.user("dept_head"), version=head(item))
    version_review(actor=world.user("legal"), version=head(item), approve=True)
    version_publish(actor=world.user("admin"), version=head(item))
    head(item).refresh_from_db()
    assert head(item).status == VersionStatus.PUBLISHED


def test_cannot_publish_an_unreviewed_version(world):
    item = make_item(world.dept, world.user("clerk"))
    version_declare(actor=world.user("dept_head"), version=head(item))
    with pytest.raises(ValidationError):
        version_publish(actor=world.user("legal"), version=head(item))


def test_other_department_cannot_create_or_edit(world):
    base, code = codes_for(world.dept)
    with pytest.raises(PermissionDenied):
        item_create(
            actor=world.user("other_clerk"),
            department=world.dept,
            base_code=base,
            implementing_code=code,
            content=content(),
        )
    item = make_item(world.dept, world.user("clerk"))
    with pytest.raises(PermissionDenied):
        version_update(actor=world.user("other_clerk"), version=head(item), content=content(name="篡改"))


def test_declare_requires_a_complete_version(world):
    # given a draft without legal basis or process
    item = make_item(world.dept, world.user("clerk"), legal_bases=[], stages=[])
    with pytest.raises(ValidationError) as exc:
        version_declare(actor=world.user("dept_head"), version=head(item))
    assert "legal_bases" in exc.value.message_dict
    assert "办理流程" in exc.value.message_dict["stages"][0]  # CAT-5, without the ID in the text


def test_published_version_is_immutable(world):
    # given a published item
    item = publish(
        make_item(world.dept, world.user("clerk")), declarer=world.user("dept_head"), legal=world.user("legal")
    )
    version = published(item)
    # then the service refuses to edit it
    with pytest.raises(ValidationError):
        version_update(actor=world.user("clerk"), version=version, content=content(name="改名"))
    # and the model refuses direct writes to it and to its lists
    version.name = "改名"
    with pytest.raises(PermissionDenied):
        version.save()
    fee = Fee(version=version, name="工本费", lower=1, upper=1, basis="依据")
    with pytest.raises(PermissionDenied):
        fee.save()
    material = version.materials.all()[0]
    material.name = "改"
    with pytest.raises(PermissionDenied):
        material.save()
    step = version.process.stages.all()[0].steps.all()[0]
    step.limit_days = 0
    with pytest.raises(PermissionDenied):
        step.save()
    version.refresh_from_db()
    assert version.name == "食品经营许可"


def test_cat6_editing_a_published_item_creates_a_draft_and_starts_the_republish_clock(world):
    # given a published item
    item = publish(
        make_item(world.dept, world.user("clerk")), declarer=world.user("dept_head"), legal=world.user("legal")
    )
    first = published(item)
    # when the department edits it
    draft = item_edit(actor=world.user("clerk"), item=item)
    # then a new draft version 2 carries the same content and a 20-working-day clock runs
    assert draft.number == 2
    assert draft.status == VersionStatus.DRAFT
    assert version_content(draft) == version_content(first)
    assert draft.republish_clock_id is not None
    clock = Clock.objects.get(pk=draft.republish_clock_id)
    assert (clock.kind, clock.limit, clock.status) == ("catalog.republish", 20, "running")
    # and editing again returns the same draft
    assert item_edit(actor=world.user("clerk"), item=item).pk == draft.pk
    # when the new version is published
    version_update(actor=world.user("clerk"), version=draft, content=content(name="食品经营许可（2026版）"))
    publish(item, declarer=world.user("dept_head"), legal=world.user("legal"))
    # then the clock stops and the first version is superseded but unchanged
    clock.refresh_from_db()
    first.refresh_from_db()
    item.refresh_from_db()
    assert clock.status == "stopped"
    assert first.status == VersionStatus.SUPERSEDED
    assert first.name == "食品经营许可"
    assert published(item).name == "食品经营许可（2026版）"


def test_new_item_draft_starts_no_republish_clock(world):
    item = make_item(world.dept, world.user("clerk"))
    assert head(item).republish_clock_id is None
    assert not Clock.objects.filter(kind="catalog.republish").exists()


def test_retire_needs_a_reason_and_the_right_role(world):
    item = publish(
        make_item(world.dept, world.user("clerk")), declarer=world.user("dept_head"), legal=world.user("legal")
    )
    with pytest.raises(PermissionDenied):
        item_retire(actor=world.user("dept_head"), item=item, reason="职能调整")
    with pytest.raises(ValidationError):
        item_retire(actor=world.user("legal"), item=item, reason="")
    item_retire(actor=world.user("legal"), item=item, reason="职能划转至市场监管局")
    item.refresh_from_db()
    assert item.published_id is None
    assert head(item).status == VersionStatus.RETIRED
    assert "catalog.item_retire" in _actions(item)


def test_cat6_non_public_item_goes_through_the_same_review(world):
    item = make_item(world.dept, world.user("clerk"), is_public=False, non_public_reason="涉及国家秘密")
    publish(item, declarer=world.user("dept_head"), legal=world.user("legal"))
    published(item).refresh_from_db()
    assert published(item).is_public is False
    assert _actions(item)[-1] == "catalog.version_publish"


def test_declared_version_cannot_be_edited(world):
    item = make_item(world.dept, world.user("clerk"))
    version_declare(actor=world.user("dept_head"), version=head(item))
    with pytest.raises(ValidationError):
        version_update(actor=world.user("clerk"), version=head(item), content=content())
    with pytest.raises(ValidationError):
        item_edit(actor=world.user("clerk"), item=item)
