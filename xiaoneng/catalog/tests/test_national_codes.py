"""Issue 9: real catalog files. National implementing codes, several credit codes per department,
every problem of every row in one round, missing departments created only on an administrator's
confirmation, and the publish action (with its event) run by the import."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from xiaoneng.catalog.models import Item
from xiaoneng.catalog.services import departments_create_for_import
from xiaoneng.catalog.spreadsheet.columns import SHEETS
from xiaoneng.catalog.spreadsheet.read import ImportFailed, catalog_import
from xiaoneng.catalog.validation import check_codes, parse_implementing_code
from xiaoneng.core.models import Event
from xiaoneng.core.trail import trail_verify
from xiaoneng.orgs.models import Department
from xiaoneng.orgs.validators import credit_code_check_char

pytestmark = pytest.mark.django_db

# Published on 四川政务服务网 (广安区, 511602): the shapes real files carry.
REAL_CODES = [
    "511A0138000000-511602000000-000-115113010833722043-1-00",
    "511Z07001006-511602000000-000-11511301008778183N-1-00",
    "G-000007-001-511602000000-000-115113010833722043-1-00",
    "512C0053300008-511602000000-000-115113010833722043-1-00",
    "A-005818-5818-511602000000-000-115113010087783353-1-00",
    "511A72020001-511602000000-000-11511301MB051073XA-1-00",
    "51201700200002-511602000000-000-11511301008778255F-1-00",
]


def credit(seed: str) -> str:
    """A valid unified social credit code (GB 32100 check character) from 17 characters."""
    return seed + credit_code_check_char(seed)


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_implementing_codes_are_read_as_published(code):
    parts, problems = parse_implementing_code(code)
    assert problems == []
    assert parts is not None
    assert code == "-".join([parts.base_code, parts.region, parts.business, parts.credit_code, "1", "00"])
    assert len(parts.credit_code) == 18
    assert parts.region == "511602000000"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        # published with a 17-character code: a typo the report must name
        ("511A0080800002-511602000000-000-1151130000877869M-1-00", "17 位"),
        # the old 9-digit organisation code in place of the credit code
        ("512B0053300006-511602000000-000-083372204-1-00", "组织机构代码"),
        ("511A0138000000-5116020000-000-115113010833722043-1-00", "12 位数字"),
        ("511A0138000000-511602000000-00-115113010833722043-1-00", "3 位数字"),
        ("511A0138000000-511602000000-000-115113010833722044-1-00", "校验位"),
        ("511A0138000000-511602000000-000-115113010833722043", "如 511A0138000000"),
        ("51@A0138000000-511602000000-000-115113010833722043-1-00", "基本编码"),
    ],
)
def test_malformed_codes_get_a_message_naming_the_part(code, words):
    parts, problems = parse_implementing_code(code)
    assert parts is None, problems
    assert any(words in m for m in problems), problems
    assert not any("CAT-" in m for m in problems)


def test_the_compact_code_of_earlier_registrations_is_still_read(world):
    code = f"{world.dept.credit_code}000105315000001"
    parts, problems = parse_implementing_code(code)
    assert problems == []
    assert parts is not None
    assert parts.credit_code == world.dept.credit_code


def test_a_credit_code_of_another_department_is_refused(world):
    code = f"511A0138000000-339100000000-000-{world.other_dept.credit_code}-1-00"
    issues = check_codes(department=world.dept, base_code="511A0138000000", implementing_code=code)
    assert any("住建局" in i.message for i in issues)


def test_a_region_outside_the_jurisdiction_is_refused(world):
    code = f"511A0138000000-511602000000-000-{world.dept.credit_code}-1-00"
    issues = check_codes(department=world.dept, base_code="511A0138000000", implementing_code=code)
    assert [i.message for i in issues] == ["实施编码中的行政区划代码 511602000000 不在本辖区内。"]


# ---------------------------------------------------------------------------------------------
# A real-shaped workbook
# ---------------------------------------------------------------------------------------------

BASES = [
    "511A0138000000",
    "511A0138600000",
    "511A33038003",
    "511F33033003",
    "512B0053300004",
    "512B0156000000",
    "512C0051900002",
    "512C0052900007",
    "G-000007-001",
    "Z-000045-001",
    "A-005818-5818",
    "511Z07001006",
    "511Z31018001",
    "513A0102900001",
    "512031152001",
    "51201700200001",
    "511A0146000000",
    "511A0152300000",
    "511A72020001",
    "511Z0164100000",
]


def rows_for(world, *, unit_codes, dept_name="市场监管局", region="339100", start=0, count=None):
    """Item rows as a provincial export has them: the department by name, its items under several
    credit codes (its own and its units'), national implementing codes."""
    out = []
    for i, base in enumerate(BASES[start : start + (count or len(BASES))]):
        cc = unit_codes[i % len(unit_codes)]
        code = f"{base}-{region}000000-000-{cc}-1-00"
        out.append(
            {
                "code": code,
                "base": base,
                "dept": dept_name,
                "name": f"事项{start + i:02d}（真实编码样例）",
                "region": region,
            }
        )
    return out


def workbook(rows, *, committed=10, fee_basis="川发改价格〔2019〕1号", extra=None):
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {name: wb.create_sheet(name) for name in SHEETS}
    for name, cols in SHEETS.items():
        sheets[name].append([str(label) for _k, label, _h in cols])
    for r in rows:
        values = {
            "implementing_code": r["code"],
            "base_code": r["base"],
            "department": r["dept"],
            "name": r["name"],
            "item_type": "行政许可",
            "region": r["region"],
            "gov_level": "市级",
            "statutory_limit": 20,
            "statutory_unit": "工作日",
            "committed_limit": r.get("committed", committed),
            "committed_unit": "工作日",
            "case_kind": "承诺件",
            "visits": 1,
            "is_public": "是",
            **(extra or {}),
        }
        sheets["items"].append([values.get(k, "") for k, _l, _h in SHEETS["items"]])
        sheets["legal_bases"].append([r["code"], "《中华人民共和国行政许可法》", "第三十条", ""])
        sheets["fees"].append([r["code"], "工本费", "5", "10", r.get("fee_basis", fee_basis), "否"])
        sheets["steps"].append(
            [r["code"], 1, "受理", "全部完成", "", "窗口受理", "", "", "窗口工作人员", 1, "", "", ""]
        )
        sheets["steps"].append([r["code"], 2, "审查", "全部完成", "", "审查决定", "", "", "审核人员", 5, "", "", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def unit_codes(world):
    """The department's own code and two more it acts under (its units)."""
    return [world.dept.credit_code, credit("11339100MB0510730"), credit("12339100MB0510741")]


def test_a_real_shaped_workbook_imports_with_codes_kept_as_given(world):
    # given ~20 rows of one department under three credit codes
    rows = rows_for(world, unit_codes=unit_codes(world))
    # when the administrator imports it
    report = catalog_import(data=workbook(rows), filename="real.xlsx", actor=world.user("admin"))
    # then every row is registered, the codes stored exactly as in the file
    assert report.created == len(BASES) == 20
    items = {i.implementing_code: i for i in Item.objects.filter(department=world.dept)}
    assert sorted(items) == sorted(r["code"] for r in rows)
    assert {i.credit_code for i in items.values()} == set(unit_codes(world))
    assert items[rows[8]["code"]].base_code == "G-000007-001"


def test_before_the_fix_every_real_row_was_refused(world):
    # the old validator demanded 12 digits and 33 characters: guard against a return to it
    rows = rows_for(world, unit_codes=unit_codes(world), count=3)
    report = catalog_import(data=workbook(rows), filename="real.xlsx", actor=world.user("admin"))
    assert report.created == 3


# ---------------------------------------------------------------------------------------------
# Every problem in one round; missing departments
# ---------------------------------------------------------------------------------------------


def test_an_unknown_department_does_not_hide_the_other_problems_of_its_row(world):
    # given rows of a department the jurisdiction lacks, one with a CAT-4 and a CAT-7 problem too
    new_codes = [credit("11339100MB0520010"), credit("11339100MB0520029")]
    rows = rows_for(world, unit_codes=new_codes, dept_name="市数据局", count=3)
    rows[1]["committed"] = 18  # CAT-4: not a third shorter than 20
    rows[1]["fee_basis"] = ""  # CAT-7: no basis
    # when it is imported
    with pytest.raises(ImportFailed) as exc:
        catalog_import(data=workbook(rows), filename="real.xlsx", actor=world.user("admin"))
    # then the row's department, limit and fee are all reported in the same round
    found = {(p.sheet, p.row, p.column) for p in exc.value.problems}
    assert ("items", 3, "实施主体") in found
    assert ("items", 3, "承诺办结时限") in found
    assert ("fees", 3, "收费依据") in found
    assert {p.row for p in exc.value.problems if p.column == "实施主体"} == {2, 3, 4}
    # and the missing department is listed once, with its region and credit codes (most used first)
    [missing] = exc.value.missing_departments
    assert (missing.name, missing.region, missing.region_name) == ("市数据局", "339100", "青溪市")
    assert missing.credit_codes == new_codes
    assert missing.rows == [2, 3, 4]
    assert missing.problem == ""
    assert not Item.objects.exists()
    assert not Department.objects.filter(name="市数据局").exists()


def test_the_administrator_confirms_the_missing_department_then_the_file_imports(world):
    new_codes = [credit("11339100MB0520010"), credit("11339100MB0520029")]
    data = workbook(rows_for(world, unit_codes=new_codes, dept_name="市数据局", count=4))
    with pytest.raises(ImportFailed) as exc:
        catalog_import(data=data, filename="real.xlsx", actor=world.user("admin"))
    [missing] = exc.value.missing_departments
    # when the administrator confirms creating it as listed
    [dept] = departments_create_for_import(
        actor=world.user("admin"),
        tenant_id=world.city.pk,
        departments=[{"name": missing.name, "region": missing.region, "credit_code": missing.credit_code}],
    )
    # then it exists with the first code, with an event, and the same file now imports
    assert (dept.name, dept.region, dept.credit_code) == ("市数据局", world.city, new_codes[0])
    assert Event.objects.for_subject(dept).get().action == "orgs.department_create"
    report = catalog_import(data=data, filename="real.xlsx", actor=world.user("admin"))
    assert report.created == 4
    assert set(Item.objects.filter(department=dept).values_list("credit_code", flat=True)) == set(new_codes)


@pytest.mark.parametrize("role", ["dept_head", "clerk", "legal"])
def test_only_the_administrator_creates_departments(world, role):
    with pytest.raises(PermissionDenied):
        departments_create_for_import(
            actor=world.user(role),
            tenant_id=world.city.pk,
            departments=[{"name": "市数据局", "region": "339100", "credit_code": credit("11339100MB0520010")}],
        )
    assert not Department.objects.filter(name="市数据局").exists()


@pytest.mark.parametrize(
    "row",
    [
        {"name": "局" * 300, "region": "339100", "credit_code": credit("11339100MB0520010")},
        {"name": "市数据局", "region": "999999", "credit_code": credit("11339100MB0520010")},
        {"name": "市数据局", "region": "339100", "credit_code": "11339100MB05200100"},
        {"name": "住建局", "region": "339100", "credit_code": credit("11339100MB0520010")},  # name taken
        {"name": "市数据局", "region": "339100", "credit_code": "NaN"},
    ],
)
def test_hostile_department_rows_are_refused_and_nothing_is_written(world, row):
    before = Department.objects.count()
    with pytest.raises(ValidationError):
        departments_create_for_import(actor=world.user("admin"), tenant_id=world.city.pk, departments=[row])
    assert Department.objects.count() == before


def test_page_lists_missing_departments_and_only_the_admin_gets_the_button(world):
    data = workbook(rows_for(world, unit_codes=[credit("11339100MB0520010")], dept_name="市数据局", count=2))
    admin = Client()
    admin.force_login(world.user("admin"))
    r = admin.post("/workbench/catalog/import/", {"file": _upload(data)})
    html = r.content.decode()
    assert r.status_code == 200
    assert 'id="missing-departments"' in html
    assert 'id="create-departments"' in html
    assert "市数据局" in html
    assert "CAT-" not in html
    # a department head sees the list but no button, and the confirm endpoint refuses them
    head = Client()
    head.force_login(world.user("dept_head"))
    r = head.post("/workbench/catalog/import/", {"file": _upload(data)})
    assert 'id="missing-departments"' in r.content.decode()
    assert 'id="create-departments"' not in r.content.decode()
    post = {"name": "市数据局", "region": "339100", "credit_code": credit("11339100MB0520010")}
    assert head.post("/workbench/catalog/import/departments/", post).status_code == 403
    assert not Department.objects.filter(name="市数据局").exists()
    # the administrator's confirmation creates it
    r = admin.post("/workbench/catalog/import/departments/", post)
    assert r.status_code == 302
    assert Department.objects.filter(name="市数据局").exists()


def _upload(data):

    return SimpleUploadedFile("real.xlsx", data)


def test_api_import_reports_problems_and_missing_departments_then_imports(world):
    code = credit("11339100MB0520010")
    data = workbook(rows_for(world, unit_codes=[code], dept_name="市数据局", count=2))
    admin = Client()
    admin.force_login(world.user("admin"))
    r = admin.post("/api/catalog/import", {"file": _upload(data)})
    body = r.json()
    assert r.status_code == 400
    assert body["missing_departments"][0]["credit_code"] == code
    assert {p["row"] for p in body["problems"]} == {2, 3}
    # the wrong role is refused the department creation
    head = Client()
    head.force_login(world.user("dept_head"))
    payload = json.dumps({"departments": [{"name": "市数据局", "region": "339100", "credit_code": code}]})
    r = head.post("/api/catalog/import/departments", payload, content_type="application/json")
    assert r.status_code == 403
    clerk = Client()
    clerk.force_login(world.user("clerk"))
    assert clerk.post("/api/catalog/import", {"file": _upload(data)}).status_code == 403
    # hostile payloads are a 4xx, never a 500
    bad = json.dumps({"departments": [{"name": "x", "region": "339100", "credit_code": "9" * 300}]})
    assert admin.post("/api/catalog/import/departments", bad, content_type="application/json").status_code in (
        400,
        422,
    )
    r = admin.post("/api/catalog/import/departments", payload, content_type="application/json")
    assert r.status_code == 201
    assert r.json()[0]["credit_code"] == code
    r = admin.post("/api/catalog/import", {"file": _upload(data)})
    assert r.status_code == 200
    assert r.json()["created"] == 2


# ---------------------------------------------------------------------------------------------
# Publishing by import goes through the publish action
# ---------------------------------------------------------------------------------------------


def test_import_publish_appends_a_publish_event_per_version_by_the_importing_user(world):
    admin = world.user("admin")
    rows = rows_for(world, unit_codes=unit_codes(world), count=5)
    # new items, published at once
    report = catalog_import(data=workbook(rows), filename="real.xlsx", actor=admin, publish=True)
    assert report.published == 5
    events = Event.objects.filter(action="catalog.version_publish")
    assert events.count() == 5
    assert set(events.values_list("actor_id", flat=True)) == {admin.pk}
    # changed items: a new version each, published by the same action (the old one superseded)
    report = catalog_import(data=workbook(rows, committed=9), filename="real.xlsx", actor=admin, publish=True)
    assert report.updated == 5
    assert report.published == 5
    assert Event.objects.filter(action="catalog.version_publish").count() == 10
    for item in Item.objects.all():
        version = item.published
        assert version is not None
        assert version.number == 2
        assert version.committed_limit == 9
        actions = [e.action for e in Event.objects.for_subject(item)]
        assert actions.count("catalog.version_publish") == 2
    assert list(trail_verify()) == []


def test_import_publish_is_refused_for_a_department_head(world):
    rows = rows_for(world, unit_codes=[world.dept.credit_code], count=1)
    with pytest.raises(PermissionDenied):
        catalog_import(data=workbook(rows), filename="real.xlsx", actor=world.user("dept_head"), publish=True)
    assert not Item.objects.exists()
