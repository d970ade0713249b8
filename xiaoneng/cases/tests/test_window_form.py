# mypy: disable-error-code="union-attr,operator"
"""Issue 9 at the window: a failed intake shows every error in one round — the item, the fields, each
bad file and the service's rules — and keeps the files the clerk already chose (xiaoneng.core.uploads),
so the clerk corrects and registers without choosing them again; 移除 drops a kept file. The kept
files are the clerk's own: another session cannot claim them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xiaoneng.cases.models import Case, CaseMaterial
from xiaoneng.cases.tests.conftest import FORM, PDF, PNG
from xiaoneng.catalog.models import ItemVersion
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/workbench/cases/window/"


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _token(html: str) -> str:
    return re.search(r'name="submission_token" value="([^"]+)"', html).group(1)


def _files_block(html: str) -> str:
    return html.split('id="window-files"', 1)[1].split("</div>", 1)[0]


def test_a_missing_field_keeps_the_chosen_file_and_the_next_round_registers_it(world, cw):
    c = client_for(world.user("clerk"))
    token = _token(c.get(URL).content.decode())
    # when the clerk forgets the description but chose a good file
    upload = SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf")
    r = c.post(URL, {**FORM, "description": "", "item": cw.simple.pk, "submission_token": token, "files": upload})
    body = r.content.decode()
    # then the error is shown, nothing is registered, and the file is kept with 移除
    assert r.status_code == 200
    assert "这个字段是必填项" in body
    assert Case.objects.count() == 0
    assert CaseMaterial.objects.count() == 0
    kept = _files_block(body)
    assert "已上传：" in kept
    assert "申请书.pdf" in kept
    assert kept.count('name="remove_upload"') == 1
    assert "已选择的文件已保存" in body
    kept_path = c.session["xn_pending_uploads"][token]["files"][0]["path"]
    assert default_storage.exists(kept_path)
    # and the chosen item stays chosen
    assert f'<option value="{cw.simple.pk}" selected>' in body
    # when the clerk fills the description and submits without choosing the file again
    r = c.post(URL, {**FORM, "item": cw.simple.pk, "submission_token": _token(body)})
    # then the case is registered with that file, and the kept copy is gone
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.channel == "window"
    assert case.registered_by == world.user("clerk")
    material = case.materials.get()
    assert material.original_name == "申请书.pdf"
    assert material.file.read() == PDF
    assert c.session.get("xn_pending_uploads", {}).get(token) is None
    assert not default_storage.exists(kept_path)


@pytest.mark.parametrize(
    ("hostile", "message"),
    [
        (SimpleUploadedFile("脚本.exe", b"MZ\x90\x00"), "类型不允许上传"),
        (SimpleUploadedFile("空的.pdf", b""), "是空文件"),
        (SimpleUploadedFile("假的.pdf", b"GIF89a not a pdf"), "内容与扩展名不符"),
    ],
)
def test_a_hostile_file_is_reported_with_the_field_errors_in_one_round(world, cw, hostile, message):
    c = client_for(world.user("clerk"))
    token = _token(c.get(URL).content.decode())
    good = SimpleUploadedFile("平面图.png", PNG, content_type="image/png")
    # when the clerk picks no item, types a bad phone and posts a bad file with a good one
    r = c.post(URL, {**FORM, "phone": "12345", "item": "", "submission_token": token, "files": [hostile, good]})
    body = r.content.decode()
    # then every problem is reported at once: the item, the field and the bad file
    assert r.status_code == 200
    assert "请选择本部门已公布的事项" in body
    assert "请填写11位手机号码" in body
    files = _files_block(body)
    assert message in files
    assert hostile.name in files
    # and only the good file is kept; nothing is written
    assert "平面图.png" in files
    assert files.count('name="remove_upload"') == 1
    assert Case.objects.count() == 0
    assert CaseMaterial.objects.count() == 0


def test_a_not_applicable_item_comes_with_the_other_errors(world, cw):

    # given a published penalty item (the service refuses it: applied for by nobody)
    ItemVersion.objects.filter(pk=cw.on_the_spot.published_id).update(item_type="02")
    c = client_for(world.user("clerk"))
    token = _token(c.get(URL).content.decode())
    r = c.post(URL, {**FORM, "description": "", "item": cw.on_the_spot.pk, "submission_token": token})
    body = r.content.decode()
    # then the item's rule and the missing field are reported in the same round
    assert r.status_code == 200
    assert "不接受申请" in body
    assert "这个字段是必填项" in body
    assert Case.objects.count() == 0


def test_remove_drops_a_kept_file_without_error_messages(world, cw):
    c = client_for(world.user("clerk"))
    token = _token(c.get(URL).content.decode())
    upload = SimpleUploadedFile("错的文件.pdf", PDF, content_type="application/pdf")
    body = c.post(
        URL, {**FORM, "phone": "1", "item": cw.simple.pk, "submission_token": token, "files": upload}
    ).content.decode()
    file_id = re.search(r'name="remove_upload" value="([a-f0-9]+)"', body).group(1)
    # when the clerk presses 移除
    body = c.post(
        URL, {**FORM, "item": cw.simple.pk, "submission_token": token, "remove_upload": file_id}
    ).content.decode()
    # then the file is gone, the fields and item are as entered, and no error is shown
    assert "错的文件.pdf" not in body
    assert 'name="remove_upload"' not in body
    assert 'value="13900000011"' in body
    assert "errorlist" not in body
    assert f'<option value="{cw.simple.pk}" selected>' in body
    # and a registration now carries no file
    assert c.post(URL, {**FORM, "item": cw.simple.pk, "submission_token": token}).status_code == 302
    assert Case.objects.get().materials.count() == 0


def test_another_clerks_session_cannot_claim_the_kept_file(world, cw):

    c = client_for(world.user("clerk"))
    token = _token(c.get(URL).content.decode())
    upload = SimpleUploadedFile("私人.pdf", PDF, content_type="application/pdf")
    body = c.post(
        URL, {**FORM, "phone": "1", "item": cw.simple.pk, "submission_token": token, "files": upload}
    ).content.decode()
    file_id = re.search(r'name="remove_upload" value="([a-f0-9]+)"', body).group(1)
    # when a colleague at the next window posts the same token (and tries to remove the file)
    other = client_for(UserFactory(username="clerk_next_window", role=Role.CLERK, department=world.dept))
    page = other.post(URL, {**FORM, "item": cw.simple.pk, "submission_token": token, "remove_upload": file_id})
    assert "私人.pdf" not in page.content.decode()
    assert other.post(URL, {**FORM, "item": cw.simple.pk, "submission_token": token}).status_code == 302
    # then the case is registered without the first clerk's file, which is still the first clerk's
    assert Case.objects.get().materials.count() == 0
    assert "私人.pdf" in _files_block(c.post(URL, {**FORM, "phone": "1", "submission_token": token}).content.decode())


@pytest.mark.parametrize("token", ["", "x", "../../etc/passwd", "a" * 300, "好" * 20])
def test_a_bad_token_is_replaced_not_a_failure(world, cw, token):
    c = client_for(world.user("clerk"))
    r = c.post(URL, {**FORM, "item": cw.simple.pk, "submission_token": token, "phone": "1"})
    assert r.status_code == 200
    assert "请填写11位手机号码" in r.content.decode()
    assert _token(r.content.decode()) != token


@pytest.mark.parametrize("item", ["abc", "-1", "9" * 300, "99999999999999999999", "1.5", "²"])
def test_a_hostile_item_is_a_clear_error_not_a_failure(world, cw, item):
    r = client_for(world.user("clerk")).post(URL, {**FORM, "item": item})
    assert r.status_code == 200
    assert "请选择本部门已公布的事项" in r.content.decode()
    assert Case.objects.count() == 0
