"""Public and staff pages and the API: visibility of public and non-public items, the flowchart,
and refusals for the wrong role."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xiaoneng.catalog.choices import VersionStatus
from xiaoneng.catalog.flowchart import flowchart_svg
from xiaoneng.catalog.services import item_edit, material_file_attach, version_declare, version_update
from xiaoneng.catalog.tests.factories import codes_for, content, head, make_item, publish

pytestmark = pytest.mark.django_db


def _client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def catalog(world):
    clerk, head, legal = world.user("clerk"), world.user("dept_head"), world.user("legal")
    public = publish(make_item(world.dept, clerk, name="食品经营许可"), declarer=head, legal=legal)
    secret = publish(
        make_item(
            world.dept, clerk, name="涉密专项检查", is_public=False, non_public_reason="涉及国家秘密，依法不予公开"
        ),
        declarer=head,
        legal=legal,
    )
    draft = make_item(world.dept, clerk, name="酒类经营备案草稿")
    return {"public": public, "secret": secret, "draft": draft}


def test_public_catalog_lists_public_items_and_searches_chinese_substrings(world, catalog):
    c = _client()
    page = c.get("/catalog/").content.decode()
    assert "食品经营许可" in page
    assert "涉密专项检查" not in page
    assert "酒类经营备案草稿" not in page
    # any Chinese substring finds it; a code finds it
    assert "食品经营许可" in c.get("/catalog/", {"q": "经营许"}).content.decode()
    assert "食品经营许可" in c.get("/catalog/", {"q": catalog["public"].implementing_code[-10:]}).content.decode()
    assert "食品经营许可" not in c.get("/catalog/", {"q": "建筑"}).content.decode()
    # browse by type and theme
    assert "食品经营许可" in c.get("/catalog/", {"type": "01"}).content.decode()
    assert "食品经营许可" not in c.get("/catalog/", {"type": "02"}).content.decode()
    assert "食品经营许可" in c.get("/catalog/", {"theme": "开办企业"}).content.decode()


def test_item_page_shows_cat2_fields_speedup_and_inline_flowchart(world, catalog):
    code = catalog["public"].implementing_code
    page = _client().get(f"/catalog/{code}/").content.decode()
    for text in [
        "食品经营许可",
        "《中华人民共和国食品安全法》",
        "第三十五条",
        "食品经营许可申请书",
        "不收费",
        "12345",
        "50%",
        "<svg",
        "窗口受理",
    ]:
        assert text in page, text


def test_non_public_item_hidden_from_public_but_listed_with_reason(world, catalog):
    code = catalog["secret"].implementing_code
    assert _client().get(f"/catalog/{code}/").status_code == 404
    assert _client(world.user("applicant")).get(f"/catalog/{code}/").status_code == 404
    assert _client(world.user("other_clerk")).get(f"/catalog/{code}/").status_code == 404
    assert _client(world.user("clerk")).get(f"/catalog/{code}/").status_code == 200
    listing = _client().get("/catalog/non-public/").content.decode()
    assert "涉密专项检查" in listing
    assert "涉及国家秘密，依法不予公开" in listing
    assert "行政许可" in listing


def test_draft_item_page_is_404_for_public(world, catalog):
    assert _client().get(f"/catalog/{catalog['draft'].implementing_code}/").status_code == 404


def test_flowchart_download_is_well_formed_svg_with_step_names(world, catalog):
    code = catalog["public"].implementing_code
    response = _client().get(f"/catalog/{code}/flowchart.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "attachment" in response["Content-Disposition"]
    root = ET.fromstring(response.content)
    texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "窗口受理" in texts
    assert "审核" in texts
    assert "承诺时限：10 个工作日" in texts
    assert "投诉渠道" in texts


def test_flowchart_escapes_markup_in_names(world):
    item = make_item(
        world.dept,
        world.user("clerk"),
        name="A&B <许可>",
        stages=[
            {
                "name": "审查 <1>",
                "steps": [
                    {"name": "审核 & 决定", "role": "reviewer", "limit_days": 2, "applicant_rights": '陈述"申辩"'}
                ],
            }
        ],
    )
    svg = flowchart_svg(head(item))
    root = ET.fromstring(svg.encode())
    texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "审核 & 决定" in texts
    assert "A&B <许可>" in texts


def test_parallel_stage_is_drawn_side_by_side(world):
    stages = [
        {
            "name": "联合审查",
            "join_policy": "all",
            "steps": [
                {
                    "name": "规划审查",
                    "department": world.dept.pk,
                    "role": "reviewer",
                    "limit_days": 5,
                    "on_timeout": "deemed_consent",
                },
                {
                    "name": "消防审查",
                    "department": world.other_dept.pk,
                    "role": "reviewer",
                    "limit_days": 5,
                    "on_timeout": "deemed_consent",
                },
            ],
        }
    ]
    item = make_item(world.dept, world.user("clerk"), stages=stages)
    svg = flowchart_svg(head(item))
    root = ET.fromstring(svg.encode())
    assert len(root.findall(".//{http://www.w3.org/2000/svg}g[@class='step']")) == 2
    assert "并联审批" in svg
    assert "超时视为同意" in svg


def test_file_download_checks_visibility(world, catalog, settings, tmp_path):

    settings.MEDIA_ROOT = tmp_path
    draft_material = catalog["draft"].head.materials.first()
    material_file_attach(
        actor=world.user("clerk"),
        material=draft_material,
        field="blank_form",
        upload=SimpleUploadedFile("表格.pdf", b"%PDF-1.4"),
    )
    assert _client().get(f"/catalog/files/form/{draft_material.pk}/").status_code == 404
    assert _client(world.user("clerk")).get(f"/catalog/files/form/{draft_material.pk}/").status_code == 200


def test_upload_of_a_disallowed_file_type_is_refused(world, catalog):

    with pytest.raises(ValidationError):
        material_file_attach(
            actor=world.user("clerk"),
            material=catalog["draft"].head.materials.first(),
            field="blank_form",
            upload=SimpleUploadedFile("x.html", b"<script>"),
        )


@pytest.mark.parametrize(
    ("name", "data", "accepted"),
    [
        ("表格.pdf", b"<html><script>alert(1)</script>", False),  # content does not match the extension
        ("空.pdf", b"", False),
        ("表格集.zip", b"PK\x03\x04rest-of-archive", True),  # several forms in one archive
        ("样表.docx", b"PK\x03\x04word", True),
    ],
)
def test_material_files_go_through_the_one_upload_check(world, catalog, settings, tmp_path, name, data, accepted):
    """Blank forms and samples are checked by core.uploads.upload_check (type by content, not only
    by extension), with the catalog's additions (zip, 20 MB)."""

    settings.MEDIA_ROOT = tmp_path
    material = catalog["draft"].head.materials.first()
    upload = SimpleUploadedFile(name, data)
    if accepted:
        material_file_attach(actor=world.user("clerk"), material=material, field="sample", upload=upload)
        material.refresh_from_db()
        assert material.sample.name
    else:
        with pytest.raises(ValidationError):
            material_file_attach(actor=world.user("clerk"), material=material, field="sample", upload=upload)
        material.refresh_from_db()
        assert not material.sample


@pytest.mark.parametrize("role", ["applicant", "supervisor", "leader"])
def test_staff_pages_refused_for_wrong_roles(world, catalog, role):
    c = _client(world.user(role))
    assert c.get("/workbench/catalog/").status_code == 403
    assert c.get("/workbench/catalog/review/").status_code == 403
    assert c.get("/workbench/catalog/import/").status_code == 403


def test_staff_pages_require_login(world, catalog):
    assert _client().get("/workbench/catalog/").status_code == 302


def test_clerk_cannot_open_the_review_queue_or_another_departments_item(world, catalog):
    c = _client(world.user("clerk"))
    assert c.get("/workbench/catalog/review/").status_code == 403
    other = make_item(world.other_dept, world.user("other_clerk"))
    assert c.get(f"/workbench/catalog/items/{other.pk}/").status_code == 404
    assert c.get(f"/workbench/catalog/versions/{head(other).pk}/").status_code == 404
    assert c.post(f"/workbench/catalog/versions/{head(other).pk}/declare/").status_code == 404


def test_staff_item_list_is_scoped_to_my_department(world, catalog):
    make_item(world.other_dept, world.user("other_clerk"), name="建设工程规划许可")
    page = _client(world.user("clerk")).get("/workbench/catalog/").content.decode()
    assert "酒类经营备案草稿" in page
    assert "建设工程规划许可" not in page


def test_staff_editor_pages_render_and_save(world, catalog):
    c = _client(world.user("clerk"))
    draft = catalog["draft"]
    assert c.get(f"/workbench/catalog/items/{draft.pk}/").status_code == 200
    assert c.get(f"/workbench/catalog/versions/{draft.head.pk}/").status_code == 200
    assert c.get(f"/workbench/catalog/versions/{draft.head.pk}/process/").status_code == 200
    assert c.get("/workbench/catalog/new/").status_code == 200


def test_staff_item_trail_names_actions_in_chinese(world, catalog):
    # given a published item (created, declared, approved, published)
    page = _client(world.user("clerk")).get(f"/workbench/catalog/items/{catalog['public'].pk}/").content.decode()
    # then its trail (留痕记录) says what happened in words, not in action codes
    for label in ("登记事项", "申报", "审核通过", "公布"):
        assert f"{label} · v1" in page
    assert "catalog.version_" not in page


def test_material_and_step_rows_are_cards_with_a_label_per_field(world, catalog):
    # the eight material columns and the ten step columns are laid out as labelled cards
    c = _client(world.user("clerk"))
    version = catalog["draft"].head.pk
    editor = c.get(f"/workbench/catalog/versions/{version}/").content.decode()
    assert editor.count('class="row-card"') >= 3
    assert '<label for="id_mat-0-name">' in editor
    process = c.get(f"/workbench/catalog/versions/{version}/process/").content.decode()
    assert '<label for="id_step-0-department">' in process
    assert "（实施主体）" in process
    assert "Select an option" not in process


def test_review_page_and_diff_render(world, catalog):

    item = catalog["public"]
    draft = item_edit(actor=world.user("clerk"), item=item)
    version_update(
        actor=world.user("clerk"),
        version=draft,
        content=content(
            name="食品经营许可（新）",
            fees=[{"name": "工本费", "lower": "5", "upper": "10", "basis": "财税〔2020〕1号"}],
        ),
    )
    version_declare(actor=world.user("dept_head"), version=draft)
    legal = _client(world.user("legal"))
    assert "食品经营许可（新）" in legal.get("/workbench/catalog/review/").content.decode()
    page = legal.get(f"/workbench/catalog/review/{draft.pk}/").content.decode()
    assert "与现行版本的差异" in page
    assert "工本费" in page
    diff = _client(world.user("clerk")).get(f"/workbench/catalog/items/{item.pk}/diff/?a=1&b=2").content.decode()
    assert "食品经营许可（新）" in diff
    assert "收费项目" in diff
    # a clerk may not post a review
    response = _client(world.user("clerk")).post(f"/workbench/catalog/review/{draft.pk}/", {"decision": "approve"})
    assert response.status_code == 403
    # the legal office returns it with reasons through the page
    legal.post(f"/workbench/catalog/review/{draft.pk}/", {"decision": "return", "comment": "收费依据文号有误"})
    draft.refresh_from_db()
    assert draft.status == VersionStatus.RETURNED
    assert draft.review_comment == "收费依据文号有误"


# --- API -------------------------------------------------------------------------------------


def test_api_lists_public_items_anonymously_with_filters(world, catalog):
    c = _client()
    rows = c.get("/api/catalog/items").json()
    assert [r["name"] for r in rows] == ["食品经营许可"]
    assert c.get("/api/catalog/items", {"q": "经营"}).json()[0]["committed_limit"] == 10
    assert c.get("/api/catalog/items", {"type": "02"}).json() == []
    assert len(c.get("/api/catalog/items", {"theme": "开办企业", "department": world.dept.pk}).json()) == 1


def test_api_staff_in_scope_see_non_public_and_drafts(world, catalog):
    names = {r["name"] for r in _client(world.user("clerk")).get("/api/catalog/items").json()}
    assert names == {"食品经营许可", "涉密专项检查", "酒类经营备案草稿"}
    other = {r["name"] for r in _client(world.user("other_clerk")).get("/api/catalog/items").json()}
    assert other == {"食品经营许可"}


def test_api_detail_versions_and_flowchart_respect_visibility(world, catalog):
    code, secret = catalog["public"].implementing_code, catalog["secret"].implementing_code
    anon = _client()
    detail = anon.get(f"/api/catalog/items/{code}").json()
    assert detail["content"]["legal_bases"][0]["article"] == "第三十五条"
    assert detail["speedup_percent"] == 50
    assert [v["number"] for v in anon.get(f"/api/catalog/items/{code}/versions").json()] == [1]
    assert anon.get(f"/api/catalog/items/{code}/flowchart.svg").status_code == 200
    for path in ["", "/versions", "/flowchart.svg"]:
        assert anon.get(f"/api/catalog/items/{secret}{path}").status_code == 404
        assert _client(world.user("other_clerk")).get(f"/api/catalog/items/{secret}{path}").status_code == 404
        assert _client(world.user("legal")).get(f"/api/catalog/items/{secret}{path}").status_code == 200


def test_api_write_lifecycle_and_refusals(world):
    base, code = codes_for(world.dept)
    payload = {
        "department_id": world.dept.pk,
        "base_code": base,
        "implementing_code": code,
        "themes": ["开办企业"],
        "content": content(),
    }
    # anonymous and applicants cannot create
    assert _client().post("/api/catalog/items", json.dumps(payload), content_type="application/json").status_code in (
        401,
        403,
    )
    r = _client(world.user("applicant")).post(
        "/api/catalog/items", json.dumps(payload), content_type="application/json"
    )
    assert r.status_code == 403
    # a bad payload is a 400 with Chinese messages, and nothing is written
    bad = {**payload, "content": content(committed_limit=18)}
    r = _client(world.user("clerk")).post("/api/catalog/items", json.dumps(bad), content_type="application/json")
    body = json.dumps(r.json(), ensure_ascii=False)
    assert r.status_code == 400
    assert "三分之一" in body
    assert "CAT-" not in body
    # the clerk creates; the clerk cannot declare; the head declares
    clerk, head, legal = _client(world.user("clerk")), _client(world.user("dept_head")), _client(world.user("legal"))
    assert clerk.post("/api/catalog/items", json.dumps(payload), content_type="application/json").status_code == 201
    assert clerk.post(f"/api/catalog/items/{code}/declare").status_code == 403
    assert head.post(f"/api/catalog/items/{code}/declare").json()["status"] == "declared"

    # the head cannot review; the legal office returns, the clerk fixes, the head declares again
    def review(c, body):
        return c.post(f"/api/catalog/items/{code}/review", json.dumps(body), content_type="application/json")

    assert review(head, {"approve": True}).status_code == 403
    assert review(legal, {"approve": False}).status_code == 400
    assert review(legal, {"approve": False, "comment": "依据不全"}).json()["status"] == "returned"
    r = clerk.put(
        f"/api/catalog/items/{code}/draft",
        json.dumps({"content": content(name="食品经营许可（改）")}),
        content_type="application/json",
    )
    assert r.json()["status"] == "draft"
    head.post(f"/api/catalog/items/{code}/declare")
    assert review(legal, {"approve": True, "comment": "同意"}).json()["status"] == "reviewed"
    assert head.post(f"/api/catalog/items/{code}/publish").status_code == 403
    assert legal.post(f"/api/catalog/items/{code}/publish").json()["status"] == "published"
    assert _client().get(f"/api/catalog/items/{code}").json()["content"]["name"] == "食品经营许可（改）"
