"""The explicit system actor (issue 10): every catalog action requires an actor; `None` raises
instead of silently skipping the permission check, and the operator's processes pass SYSTEM."""

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from xiaoneng.catalog import services
from xiaoneng.catalog.models import (
    Fee,
    Item,
    ItemVersion,
    LegalBasis,
    Material,
    ProcessDefinition,
    SpecialProcedure,
    Stage,
    Step,
)
from xiaoneng.catalog.permissions import can_declare, can_edit, can_publish, can_register, can_review
from xiaoneng.catalog.spreadsheet.export import catalog_export_bytes
from xiaoneng.catalog.spreadsheet.read import ImportFailed, catalog_import
from xiaoneng.catalog.tests.factories import codes_for, content, head, make_item
from xiaoneng.core.actors import SYSTEM, SystemActor, actor_required, is_system
from xiaoneng.core.models import Event
from xiaoneng.core.scoping import restrict
from xiaoneng.core.trail import trail_verify

pytestmark = pytest.mark.django_db


def test_the_system_actor_is_one_object_and_nobody_in_particular():
    assert SystemActor() is SYSTEM
    assert is_system(SYSTEM)
    assert not is_system(None)
    assert SYSTEM.pk is None
    assert not SYSTEM.is_authenticated
    assert not SYSTEM.is_superuser
    with pytest.raises(TypeError):
        actor_required(None)
    actor_required(SYSTEM)


def _calls(world) -> dict[str, Callable[[Any], Any]]:
    """Each catalog action, called with the given actor on a fresh draft."""

    def draft():
        return make_item(world.dept, world.user("clerk"))

    def create(actor):
        base, code = codes_for(world.dept)
        return services.item_create(
            actor=actor, department=world.dept, base_code=base, implementing_code=code, content=content()
        )

    return {
        "item_create": create,
        "item_edit": lambda actor: services.item_edit(actor=actor, item=draft()),
        "version_update": lambda actor: services.version_update(actor=actor, version=head(draft()), content=content()),
        "material_file_attach": lambda actor: services.material_file_attach(
            actor=actor,
            material=head(draft()).materials.get(),
            field="blank_form",
            upload=SimpleUploadedFile("form.pdf", b"%PDF-1.4"),
        ),
        "version_declare": lambda actor: services.version_declare(actor=actor, version=head(draft())),
        "version_review": lambda actor: services.version_review(
            actor=actor, version=head(draft()), approve=False, comment="退回"
        ),
        "version_publish": lambda actor: services.version_publish(actor=actor, version=head(draft())),
        "versions_publish": lambda actor: services.versions_publish(
            actor=actor, versions=[head(draft())], registration=True
        ),
        "item_retire": lambda actor: services.item_retire(actor=actor, item=draft(), reason="整合"),
        "departments_create_for_import": lambda actor: services.departments_create_for_import(
            actor=actor, tenant_id=world.dept.tenant_id, departments=[{"name": "新部门", "region": "339100"}]
        ),
        "catalog_import": lambda actor: catalog_import(
            data=catalog_export_bytes(Item.objects.filter(pk=draft().pk)),
            filename="c.xlsx",
            actor=actor,
            department=world.dept,
        ),
    }


@pytest.mark.parametrize(
    "action",
    [
        "item_create",
        "item_edit",
        "version_update",
        "material_file_attach",
        "version_declare",
        "version_review",
        "version_publish",
        "versions_publish",
        "item_retire",
        "departments_create_for_import",
        "catalog_import",
    ],
)
def test_every_action_refuses_a_missing_actor_before_writing(world, action):
    # given an action of the catalog (and whatever draft it acts on)
    call = _calls(world)[action]
    events = Event.objects.count()
    items = Item.objects.count()
    # when it is called with actor=None, it raises at once
    with pytest.raises(TypeError, match="actor is required"):
        call(None)
    # then nothing was written by the refused call (a draft made to call it on aside)
    made = Item.objects.count() - items
    assert Event.objects.count() - events == made  # only the drafts' own creation events


def test_the_system_actor_takes_an_item_through_its_lifecycle(world):
    # given a draft registered by the operator's process
    base, code = codes_for(world.dept)
    item = services.item_create(
        actor=SYSTEM, department=world.dept, base_code=base, implementing_code=code, content=content()
    )
    version = head(item)
    # when it declares, reviews, publishes and retires it
    services.version_declare(actor=SYSTEM, version=version)
    services.version_review(actor=SYSTEM, version=version, approve=True, comment="同意")
    services.version_publish(actor=SYSTEM, version=version)
    services.item_retire(actor=SYSTEM, item=item, reason="职能调整")
    # then every step is in the trail with no person as its actor, and nobody is the publisher
    events = list(Event.objects.for_subject(item))
    assert [e.action for e in events] == [
        "catalog.item_create",
        "catalog.version_declare",
        "catalog.version_review",
        "catalog.version_publish",
        "catalog.item_retire",
    ]
    assert {e.actor_id for e in events} == {None}
    version.refresh_from_db()
    assert version.published_by is None
    assert version.status == "retired"
    assert list(trail_verify()) == []


def test_the_system_actor_is_allowed_by_the_catalog_checks_only(world):
    item = make_item(world.dept, world.user("clerk"))
    assert all(check(SYSTEM, item) for check in (can_edit, can_declare, can_review, can_publish))
    assert can_register(SYSTEM)
    assert can_register(SYSTEM, world.dept.tenant_id)
    # it is no user: the scoped reads show it what they show the public (here, no draft), and the
    # wrong people are still refused
    assert not restrict(Item.objects.all(), SYSTEM).exists()
    assert not can_register(world.user("dept_head"))
    assert not can_publish(world.user("clerk"), item)


def _wipe():
    """Remove the catalog (published versions are protected from deletion by design)."""
    Item.objects.update(head=None, published=None)
    for model in (Step, Stage, ProcessDefinition, Fee, LegalBasis, Material, SpecialProcedure, ItemVersion):
        model.objects.all()._raw_delete(model.objects.db)
    Item.themes.through.objects.all().delete()
    Item.objects.all()._raw_delete(Item.objects.db)


def test_an_import_as_the_system_actor_needs_the_department(world):
    make_item(world.dept, world.user("clerk"))
    data = catalog_export_bytes(Item.objects.all())
    _wipe()
    with pytest.raises(ImportFailed) as exc:
        catalog_import(data=data, filename="c.xlsx", actor=SYSTEM)
    assert exc.value.problems[0].message == "请指定实施主体部门。"
    report = catalog_import(data=data, filename="c.xlsx", actor=SYSTEM, department=world.dept, publish=True)
    assert (report.created, report.published) == (1, 1)
    item = Item.objects.get()
    assert [(e.action, e.actor_id) for e in Event.objects.for_subject(item)] == [
        ("catalog.item_import", None),
        ("catalog.version_publish", None),
    ]


def test_the_import_command_acts_as_the_system_actor_unless_a_user_is_named(world, tmp_path):
    # given an exported catalog, emptied from the database
    make_item(world.dept, world.user("clerk"))
    path = tmp_path / "c.xlsx"
    path.write_bytes(catalog_export_bytes(Item.objects.all()))
    _wipe()
    # when the operator imports it with --publish, as the system actor
    out = io.StringIO()
    call_command("catalog_import", str(path), "--department", world.dept.name, "--publish", stdout=out)
    # then it is registered and published
    assert "公布 1" in out.getvalue()
    assert Item.objects.get().published is not None
    # and with --user the named user's permissions apply (a clerk may not publish on import)
    _wipe()
    with pytest.raises(Exception, match="只有系统管理员"):
        call_command(
            "catalog_import", str(path), "--department", world.dept.name, "--publish", "--user", "clerk", stdout=out
        )
    assert not Item.objects.exists()
