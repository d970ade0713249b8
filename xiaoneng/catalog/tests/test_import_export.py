"""Excel import/export: all-or-nothing with a per-row report, idempotent re-import, round trip."""

import datetime as dt
import io
import re
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

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
from xiaoneng.catalog.selectors import version_content, version_contents
from xiaoneng.catalog.spreadsheet import write
from xiaoneng.catalog.spreadsheet.export import catalog_export_bytes, template_bytes
from xiaoneng.catalog.spreadsheet.read import ImportFailed, catalog_import
from xiaoneng.catalog.tests.factories import head, make_item, publish, published
from xiaoneng.core.models import Event
from xiaoneng.core.trail import trail_verify

pytestmark = pytest.mark.django_db


def _catalog(world):
    clerk, head, legal = world.user("clerk"), world.user("dept_head"), world.user("legal")
    publish(
        make_item(
            world.dept,
            clerk,
            name="食品经营许可",
            fees=[{"name": "工本费", "lower": "5", "upper": "10.5", "basis": "财税〔2020〕1号", "reducible": True}],
            special_procedures=[{"kind": "hearing", "max_days": 20, "note": "依申请组织听证"}],
            themes=["开办企业", "餐饮"],
        ),
        declarer=head,
        legal=legal,
    )
    make_item(
        world.dept,
        clerk,
        name="建筑工程施工许可（会签）",
        stages=[
            {"name": "受理", "steps": [{"name": "窗口受理", "role": "clerk", "limit_days": 1}]},
            {
                "name": "联合审查",
                "join_policy": "quorum",
                "quorum": 1,
                "steps": [
                    {
                        "name": "甲审查",
                        "department": world.dept.pk,
                        "role": "reviewer",
                        "limit_days": 5,
                        "on_timeout": "deemed_consent",
                    },
                    {
                        "name": "乙审查",
                        "department": world.other_dept.pk,
                        "role": "reviewer",
                        "limit_days": 5,
                        "on_timeout": "deemed_consent",
                    },
                ],
            },
        ],
    )
    make_item(
        world.dept,
        clerk,
        name="内部财务管理",
        item_type="internal",
        is_public=False,
        non_public_reason="内部管理事项",
        stages=[],
    )


def _snapshot():
    out = {}
    for item in Item.objects.select_related("head", "department"):
        out[item.implementing_code] = (
            item.department_id,
            item.base_code,
            sorted(t.name for t in item.themes.all()),
            version_content(head(item)),
        )
    return out


def test_template_has_a_readme_and_every_sheet():
    wb = load_workbook(io.BytesIO(template_bytes()))
    assert wb.sheetnames == ["README", "items", "legal_bases", "materials", "fees", "special_procedures", "steps"]
    readme = " ".join(str(c.value) for row in wb["README"].iter_rows() for c in row if c.value)
    assert "实施编码" in readme
    assert "收费依据" in readme
    # rule IDs (CAT-*) belong in code and tests, never in what users read (issue 9)
    assert not re.search(r"[A-Z]{3}-\d", readme.replace("G-000007-001", ""))


def test_export_then_import_round_trips_to_an_identical_catalog(world):
    # given a catalog, exported
    _catalog(world)
    before = _snapshot()
    data = catalog_export_bytes(Item.objects.all())
    # when the catalog is removed and the file imported again

    Item.objects.update(head=None, published=None)
    for model in (Step, Stage, ProcessDefinition, Fee, LegalBasis, Material, SpecialProcedure):
        model.objects.all()._raw_delete(model.objects.db)
    ItemVersion.objects.all()._raw_delete(ItemVersion.objects.db)
    Item.themes.through.objects.all().delete()
    Item.objects.all()._raw_delete(Item.objects.db)
    report = catalog_import(data=data, filename="catalog.xlsx", actor=world.user("admin"), department=world.dept)
    # then every item comes back with identical content
    assert report.created == 3
    assert _snapshot() == before


def test_reimporting_the_same_file_changes_nothing(world):
    # given a catalog and its export
    _catalog(world)
    data = catalog_export_bytes(Item.objects.all())
    before = _snapshot()
    versions = ItemVersion.objects.count()
    events = Event.objects.count()
    # when the file is imported again
    report = catalog_import(data=data, filename="catalog.xlsx", actor=world.user("clerk"), department=world.dept)
    # then nothing changed
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert _snapshot() == before
    assert ItemVersion.objects.count() == versions
    assert Event.objects.count() == events


def test_import_with_errors_in_several_rows_changes_nothing_and_reports_every_row(world):
    # given an exported catalog, then a file with errors in several rows of several sheets
    _catalog(world)
    wb = load_workbook(io.BytesIO(catalog_export_bytes(Item.objects.all())))
    items, fees, steps = wb["items"], wb["fees"], wb["steps"]
    headers = {c.value: c.column for c in items[1]}
    items.cell(2, headers["承诺办结时限"]).value = 19  # CAT-4 (statutory 20)
    items.cell(3, headers["事项类型"]).value = "行政许诺"  # unknown type
    new_row = [c.value for c in items[2]]
    new_row[0] = "BAD-CODE"
    items.append(new_row)  # malformed code
    fee_headers = {c.value: c.column for c in fees[1]}
    fees.cell(2, fee_headers["收费依据"]).value = ""  # CAT-7
    step_headers = {c.value: c.column for c in steps[1]}
    steps.cell(2, step_headers["时限（工作日）"]).value = "三天"
    buffer = io.BytesIO()
    wb.save(buffer)
    before = _snapshot()
    count = Item.objects.count()
    # when it is imported
    with pytest.raises(ImportFailed) as exc:
        catalog_import(data=buffer.getvalue(), filename="bad.xlsx", actor=world.user("clerk"), department=world.dept)
    # then every row is named with its sheet, row and column, in Chinese, and nothing changed
    found = {(p.sheet, p.row, p.column) for p in exc.value.problems}
    assert ("items", 2, "承诺办结时限") in found
    assert ("items", 3, "事项类型") in found
    assert ("items", 5, "实施编码") in found
    assert ("fees", 2, "收费依据") in found
    assert ("steps", 2, "时限（工作日）") in found
    assert any("收费依据" in p.message for p in exc.value.problems)
    assert not any("CAT-" in p.message for p in exc.value.problems)  # rule IDs stay out of messages
    assert Item.objects.count() == count
    assert _snapshot() == before


def test_import_of_a_changed_published_item_creates_a_new_draft(world):
    _catalog(world)
    wb = load_workbook(io.BytesIO(catalog_export_bytes(Item.objects.all())))
    items = wb["items"]
    headers = {c.value: c.column for c in items[1]}
    row = next(r for r in range(2, items.max_row + 1) if items.cell(r, headers["事项名称"]).value == "食品经营许可")
    items.cell(row, headers["办理时间"]).value = "工作日 8:30–17:30"
    buffer = io.BytesIO()
    wb.save(buffer)
    report = catalog_import(data=buffer.getvalue(), filename="c.xlsx", actor=world.user("clerk"), department=world.dept)
    assert (report.updated, report.unchanged) == (1, 2)
    item = Item.objects.get(head__name="食品经营许可")
    assert head(item).number == 2
    assert head(item).status == "draft"
    assert published(item).number == 1
    assert head(item).republish_clock is not None


def test_import_refuses_another_departments_items_for_a_clerk(world):
    _catalog(world)
    data = catalog_export_bytes(Item.objects.all())
    with pytest.raises(ImportFailed) as exc:
        catalog_import(data=data, filename="c.xlsx", actor=world.user("other_clerk"), department=world.other_dept)
    assert any("不一致" in p.message for p in exc.value.problems)


def test_publish_on_import_only_for_admin(world):

    _catalog(world)
    data = catalog_export_bytes(Item.objects.all())
    with pytest.raises(PermissionDenied):
        catalog_import(data=data, filename="c.xlsx", actor=world.user("dept_head"), department=world.dept, publish=True)
    report = catalog_import(
        data=data, filename="c.xlsx", actor=world.user("admin"), department=world.dept, publish=True
    )
    assert report.published == 2  # the two drafts; the published one is unchanged
    assert not ItemVersion.objects.exclude(status__in=["published", "superseded"]).exists()


def test_csv_items_file_is_accepted(world):
    header = "实施编码,基本编码,事项名称,事项类型,服务区划代码,法定办结时限,承诺办结时限,办件类型\n"
    base = "000000000777"
    line = f"{world.dept.credit_code}{base}001,{base},档案查询,公共服务,339100,,0,即办件\n"
    report = catalog_import(
        data=(header + line).encode("utf-8-sig"), filename="items.csv", actor=world.user("clerk"), department=world.dept
    )
    assert report.created == 1
    v = head(Item.objects.get())
    assert (v.name, v.item_type, v.case_kind, v.committed_limit) == ("档案查询", "20", "on_the_spot", 0)


def test_management_commands_import_and_export(world, tmp_path):

    _catalog(world)
    path = tmp_path / "out.xlsx"
    out = io.StringIO()
    call_command("catalog_export", str(path), stdout=out)
    assert path.exists()
    out = io.StringIO()
    call_command("catalog_import", str(path), "--department", world.dept.name, stdout=out)
    assert "未变化 3" in out.getvalue()


def test_bulk_content_read_agrees_with_the_single_version_read(world):
    # given a catalog with fees, special procedures, a quorum stage of parallel steps and no process
    _catalog(world)

    heads = [head(item) for item in Item.objects.select_related("head__region")]
    # when the re-import's bulk read (five queries) is compared with version_content (seven per item)
    bulk = version_contents(heads)
    # then they agree on every version
    assert bulk == {v.pk: version_content(v) for v in heads}


def test_import_of_new_items_appends_one_verified_event_per_item_and_sets_head(world):
    # given an exported catalog, removed, then imported as new items by the administrator

    _catalog(world)
    data = catalog_export_bytes(Item.objects.all())
    before = _snapshot()
    codes = sorted(before)
    Item.objects.update(head=None, published=None)

    for model in (Step, Stage, ProcessDefinition, Fee, LegalBasis, Material, SpecialProcedure):
        model.objects.all()._raw_delete(model.objects.db)
    ItemVersion.objects.all()._raw_delete(ItemVersion.objects.db)
    Item.themes.through.objects.all().delete()
    Item.objects.all()._raw_delete(Item.objects.db)
    # when it is imported with publish=True
    report = catalog_import(
        data=data, filename="catalog.xlsx", actor=world.user("admin"), department=world.dept, publish=True
    )
    # then every item is published at version 1 with head and published pointing at it
    assert sorted(report.codes) == codes
    assert report.published == 3
    for item in Item.objects.select_related("head", "published"):
        assert head(item) == published(item)
        assert head(item).number == 1
        assert head(item).status == "published"
        events = list(Event.objects.for_subject(item))
        # issue 9: the publish action itself ran, so the trail shows the publish, by the importing user
        admin_pk = world.user("admin").pk
        assert [(e.seq, e.action, e.actor_id) for e in events] == [
            (1, "catalog.item_import", admin_pk),
            (2, "catalog.version_publish", admin_pk),
        ]
        assert events[0].after["status"] == "draft"
        assert events[0].after["file_row"] >= 2
        assert events[1].after["status"] == "published"
        assert events[1].reason == "批量登记导入"
    # and the trail verifies, and the content is what was exported
    assert list(trail_verify()) == []
    assert _snapshot() == before


def test_a_csv_file_that_is_not_utf8_is_reported_in_chinese_and_changes_nothing(world):
    data = "实施编码,事项名称\n123,档案查询\n".encode("gb18030")
    with pytest.raises(ImportFailed) as exc:
        catalog_import(data=data, filename="items.csv", actor=world.user("clerk"), department=world.dept)
    assert "UTF-8" in str(exc.value)
    assert not Item.objects.exists()


def test_a_file_that_is_not_a_workbook_is_reported_in_chinese(world):
    with pytest.raises(ImportFailed) as exc:
        catalog_import(data=b"PK\x03\x04 broken", filename="c.xlsx", actor=world.user("clerk"), department=world.dept)
    assert "无法读取该文件" in str(exc.value)


def test_import_reports_a_name_longer_than_its_column_at_its_cell(world):
    # given an exported catalog whose first item name is made 201 characters long
    _catalog(world)
    wb = load_workbook(io.BytesIO(catalog_export_bytes(Item.objects.all())))
    items = wb["items"]
    headers = {c.value: c.column for c in items[1]}
    items.cell(2, headers["事项名称"]).value = "许" * 201
    items.cell(3, headers["主题"]).value = "主" * 31
    buffer = io.BytesIO()
    wb.save(buffer)
    before = _snapshot()
    # when it is imported, then the cells are named and nothing changes
    with pytest.raises(ImportFailed) as exc:
        catalog_import(data=buffer.getvalue(), filename="c.xlsx", actor=world.user("clerk"), department=world.dept)
    found = {(p.sheet, p.row, p.column) for p in exc.value.problems}
    assert ("items", 2, "事项名称") in found
    assert ("items", 3, "主题") in found
    assert _snapshot() == before


# ---------------------------------------------------------------------------------------------
# One code path (issue 10): the import publishes through services.versions_publish, the batch form
# of version_publish, and replaces a draft's content through services.version_content_replace, the
# write step of version_update.
# ---------------------------------------------------------------------------------------------


def _changed_export(world, **changes):
    wb = load_workbook(io.BytesIO(catalog_export_bytes(Item.objects.all())))
    items = wb["items"]
    headers = {c.value: c.column for c in items[1]}
    row = next(r for r in range(2, items.max_row + 1) if items.cell(r, headers["事项名称"]).value == "食品经营许可")
    for header, value in changes.items():
        items.cell(row, headers[header]).value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_import_publish_of_a_changed_item_is_the_publish_action(world):
    """CAT-6: what version_publish does to a published item's next version — supersede the old one,
    stop the re-publication clock, one catalog.version_publish event of the same shape — the
    import's publish does too, because it is the same function."""

    # given a published item and a reviewed second version published by the action
    _catalog(world)
    admin = world.user("admin")
    item = Item.objects.get(head__name="食品经营许可")
    catalog_import(
        data=_changed_export(world, 办理时间="工作日 8:30–17:30"), filename="c.xlsx", actor=admin, department=world.dept
    )
    item.refresh_from_db()
    by_action = head(item)
    assert by_action.number == 2
    assert by_action.republish_clock is not None
    services.version_declare(actor=world.user("dept_head"), version=by_action)
    services.version_review(actor=world.user("legal"), version=by_action, approve=True, comment="同意")
    services.version_publish(actor=admin, version=by_action)
    action_event = Event.objects.filter(action="catalog.version_publish").order_by("-pk").first()
    # when a third version is imported and published at once
    assert write.versions_publish is services.versions_publish  # type: ignore[attr-defined]
    with mock.patch.object(write, "versions_publish", wraps=services.versions_publish) as spy:
        report = catalog_import(
            data=_changed_export(world, 办理时间="工作日 8:00–18:00"),
            filename="c.xlsx",
            actor=admin,
            department=world.dept,
            publish=True,
        )
    # then the publish action ran once for the batch (this item and the two drafts), as a
    # registration by the importing user
    assert report.published == 3
    assert spy.call_count == 1
    assert len(spy.call_args.kwargs["versions"]) == 3
    assert spy.call_args.kwargs["actor"] == admin
    assert spy.call_args.kwargs["registration"] is True
    item.refresh_from_db()
    third = published(item)
    assert third.number == 3
    assert third.hours == "工作日 8:00–18:00"
    assert third.published_by == admin
    assert ItemVersion.objects.get(pk=by_action.pk).status == "superseded"
    assert third.republish_clock is not None
    assert third.republish_clock.stopped_at is not None
    import_event = Event.objects.filter(action="catalog.version_publish").order_by("-pk").first()
    assert import_event is not None
    assert action_event is not None
    assert import_event.pk != action_event.pk
    assert set(import_event.after) == set(action_event.after)
    assert import_event.before == {"published_version": 2}
    assert import_event.after["status"] == "published"


def test_import_replaces_a_draft_through_the_update_write_step(world):
    """A draft changed by the import is rewritten by version_content_replace (the write step of
    version_update): lists replaced, a material's attached files carried over by name."""

    # given a draft whose material has a blank form attached
    _catalog(world)
    item = Item.objects.get(head__name="建筑工程施工许可（会签）")
    material = head(item).materials.get()
    material.blank_form.save("form.pdf", ContentFile(b"%PDF-1.4"), save=True)
    data = catalog_export_bytes(Item.objects.filter(pk=item.pk))
    wb = load_workbook(io.BytesIO(data))
    wb["items"].cell(2, 21).value = "0571-87654321"  # 咨询方式
    buffer = io.BytesIO()
    wb.save(buffer)
    # when the changed file is imported
    with mock.patch.object(write, "version_content_replace", wraps=services.version_content_replace) as spy:
        report = catalog_import(
            data=buffer.getvalue(), filename="c.xlsx", actor=world.user("clerk"), department=world.dept
        )
    # then the same version was rewritten by the shared write step, the file kept
    assert report.updated == 1
    assert spy.call_count == 1
    version = head(Item.objects.get(pk=item.pk))
    assert version.number == 1
    assert version.status == "draft"
    assert version.enquiry_channel == "0571-87654321"
    assert version.materials.get().blank_form.name == material.blank_form.name


def _fee_entry(world, name, lower, upper):
    entry = services.fee_entry_create(
        actor=world.user("admin"),
        tenant_id=world.city.pk,
        name=name,
        legal_basis="《行政事业性收费标准管理办法》",
        approving_document="青价费〔2020〕1号",
        lower=lower,
        upper=upper,
        valid_from=dt.date(2026, 1, 1),
    )
    return services.fee_entry_publish(actor=world.user("admin"), entry=entry)


def _with_fee_rows(world):
    """The exported catalog with a second fee, 检测费, on the item that has 工本费 (5–10.5 元), and a
    committed limit over two thirds of the statutory one on the first item."""
    _catalog(world)
    wb = load_workbook(io.BytesIO(catalog_export_bytes(Item.objects.all())))
    fees, items = wb["fees"], wb["items"]
    row = [c.value for c in fees[2]]
    fee_headers = {c.value: c.column - 1 for c in fees[1]}
    row[fee_headers["收费项目"]] = "检测费"
    fees.append(row)
    headers = {c.value: c.column for c in items[1]}
    items.cell(2, headers["承诺办结时限"]).value = 19  # CAT-4 (statutory 20)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("publish_it", [False, True])
def test_cat_fee_1_import_reports_each_fee_outside_the_fee_catalog_with_the_other_problems(world, publish_it):
    # given a published fee catalog with 工本费 up to 8 元 only, and a file whose 工本费 is 5–10.5 元,
    # with a 检测费 the catalog does not list, and a CAT-4 problem in the items sheet
    data = _with_fee_rows(world)
    _fee_entry(world, "工本费", "0", "8")
    before = _snapshot()
    events = Event.objects.count()
    # when it is imported (as drafts, or as the administrator's bulk registration)
    with CaptureQueriesContext(connection) as queries, pytest.raises(ImportFailed) as exc:
        catalog_import(
            data=data, filename="fees.xlsx", actor=world.user("admin"), department=world.dept, publish=publish_it
        )
    # then each fee row is named in the same report as the other problems, and nothing is written
    found = {(p.sheet, p.row, p.column): p.message for p in exc.value.problems}
    assert "超出收费目录核定的 0.00–8.00 元" in found["fees", 2, "收费标准上限（元）"]
    assert "不在本辖区公布的收费目录中" in found["fees", 3, "收费项目"]
    assert ("items", 2, "承诺办结时限") in found
    assert not any("CAT-" in m for m in found.values())
    assert _snapshot() == before
    assert Event.objects.count() == events
    # and the fee catalog is read once for the file, not once per row
    assert sum("feecatalogentry" in q["sql"].lower() for q in queries.captured_queries) == 1


def test_cat_fee_1_import_of_fees_the_catalog_covers_goes_through(world):
    # given a catalog listing both fees with a wide enough range
    _fee_entry(world, "工本费", "0", "20")
    _fee_entry(world, "检测费", "0", "20")
    data = _with_fee_rows(world)
    wb = load_workbook(io.BytesIO(data))
    headers = {c.value: c.column for c in wb["items"][1]}
    wb["items"].cell(2, headers["承诺办结时限"]).value = 13
    buffer = io.BytesIO()
    wb.save(buffer)
    # when it is imported, then it is written (the 检测费 added to the item as a new draft)
    report = catalog_import(
        data=buffer.getvalue(), filename="ok.xlsx", actor=world.user("clerk"), department=world.dept
    )
    assert report.updated >= 1
    assert sorted(
        f.name for f in Fee.objects.filter(version__item__head__name="食品经营许可", version__status="draft")
    ) == [
        "工本费",
        "检测费",
    ]
