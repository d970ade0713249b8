# mypy: disable-error-code="union-attr,operator"
"""Issue 9: a failed application shows every error in one round — the form's fields and each bad
file — and keeps the files already chosen (xiaoneng.core.uploads), so the applicant corrects and
submits again without choosing them again; 移除 drops a kept file. Nobody else can use them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xiaoneng.cases.models import Case, CaseMaterial
from xiaoneng.cases.tests.conftest import FORM, PDF, PNG
from xiaoneng.catalog.tests.factories import make_item, publish
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def item(world) -> Any:

    it = make_item(
        world.dept,
        world.user("dept_head"),
        materials=[
            {"name": n, "kind": "form", "form": "original", "required": True, "copies": 1}
            for n in ("申请书", "营业执照", "平面图")
        ],
    )
    return publish(it, declarer=world.user("dept_head"), legal=world.user("legal"))


def _token(html: str) -> str:
    return re.search(r'name="submission_token" value="([^"]+)"', html).group(1)


def test_every_error_in_one_round_and_the_chosen_files_are_kept(world, item):
    c = client_for(world.user("applicant"))
    url = f"/cases/apply/{item.implementing_code}/"
    form_page = c.get(url).content.decode()
    token = _token(form_page)
    m1, m2, m3 = item.published.materials.order_by("pk")
    # when the applicant submits a bad phone, no description, a fake PDF and two good files
    r = c.post(
        url,
        {
            **FORM,
            "submission_token": token,
            "phone": "12345",
            "description": "",
            f"material_{m1.pk}": SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf"),
            f"material_{m2.pk}": SimpleUploadedFile("执照.pdf", b"GIF89a not a pdf"),
            f"material_{m3.pk}": SimpleUploadedFile("平面图.png", PNG, content_type="image/png"),
        },
    )
    body = r.content.decode()
    # then every problem is reported at once: both fields and the bad file (next to its material)
    assert r.status_code == 200
    assert "请填写11位手机号码" in body
    assert "这个字段是必填项" in body
    bad = body.split(f'id="material-{m2.pk}"', 1)[1].split("</div>", 1)[0]
    assert "内容与扩展名不符" in bad
    # and the two good files are kept, each under its material, with 移除
    assert "已上传：" in body.split(f'id="material-{m1.pk}"', 1)[1].split("</div>", 1)[0]
    assert "申请书.pdf" in body
    assert "平面图.png" in body
    assert "已上传" not in bad
    assert body.count('name="remove_upload"') == 2
    assert Case.objects.count() == 0
    assert CaseMaterial.objects.count() == 0
    # when the applicant corrects the fields and adds the missing file only
    r = c.post(
        url,
        {
            **FORM,
            "submission_token": _token(body),
            f"material_{m2.pk}": SimpleUploadedFile("执照.pdf", PDF, content_type="application/pdf"),
        },
    )
    # then the application goes in with all three files, each as its material
    assert r.status_code == 302
    case = Case.objects.get()
    stored = {(m.material_id, m.original_name) for m in case.materials.all()}
    assert stored == {(m1.pk, "申请书.pdf"), (m2.pk, "执照.pdf"), (m3.pk, "平面图.png")}
    assert case.materials.get(material=m3).file.read() == PNG


def test_remove_drops_a_kept_file_without_error_messages(world, item):
    c = client_for(world.user("applicant"))
    url = f"/cases/apply/{item.implementing_code}/"
    token = _token(c.get(url).content.decode())
    m1 = item.published.materials.order_by("pk").first()
    upload = SimpleUploadedFile("错的文件.pdf", PDF, content_type="application/pdf")
    body = c.post(url, {**FORM, "submission_token": token, "phone": "1", f"material_{m1.pk}": upload}).content.decode()
    file_id = re.search(r'name="remove_upload" value="([a-f0-9]+)"', body).group(1)
    # when the applicant presses 移除
    body = c.post(url, {**FORM, "submission_token": token, "remove_upload": file_id}).content.decode()
    # then the file is gone, the fields are as typed, and no error is shown
    assert "错的文件.pdf" not in body
    assert 'name="remove_upload"' not in body
    assert 'value="13900000011"' in body
    assert "errorlist" not in body
    # and a submission now carries no file
    assert c.post(url, {**FORM, "submission_token": token}).status_code == 302
    assert Case.objects.get().materials.count() == 0


def test_kept_files_belong_to_the_session_that_chose_them(world, item):

    url = f"/cases/apply/{item.implementing_code}/"
    c = client_for(world.user("applicant"))
    token = _token(c.get(url).content.decode())
    m1 = item.published.materials.order_by("pk").first()
    upload = SimpleUploadedFile("私人.pdf", PDF, content_type="application/pdf")
    c.post(url, {**FORM, "submission_token": token, "phone": "1", f"material_{m1.pk}": upload})
    # when another applicant posts the same token
    other = client_for(UserFactory(username="someone_else", role=Role.APPLICANT))
    assert other.post(url, {**FORM, "submission_token": token}).status_code == 302
    # then the case is filed without the first applicant's file
    assert Case.objects.get().materials.count() == 0


@pytest.mark.parametrize("token", ["", "x", "../../etc/passwd", "a" * 300, "好" * 20])
def test_a_bad_token_is_replaced_not_a_failure(world, item, token):
    c = client_for(world.user("applicant"))
    r = c.post(f"/cases/apply/{item.implementing_code}/", {**FORM, "submission_token": token, "phone": "1"})
    assert r.status_code == 200
    assert "请填写11位手机号码" in r.content.decode()
    assert _token(r.content.decode()) != token
