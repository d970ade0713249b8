# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value,index"
"""Issue 9, the public complaint form and the public submit API: POST-redirect-GET with a one-time
token (no duplicate on refresh, double click or concurrent retry), every error in one round with the
chosen files kept, plain Chinese on the form, departments grouped by region (CMP-1)."""

from __future__ import annotations

import os
import re
import threading
import time

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from xiaoneng.complaints.actions import intake
from xiaoneng.complaints.actions.acceptance import complaint_accept
from xiaoneng.complaints.actions.dispatch import complaint_dispatch
from xiaoneng.complaints.actions.intake import complaint_submit
from xiaoneng.complaints.choices import Kind
from xiaoneng.complaints.codes import verification_check
from xiaoneng.complaints.models import Complaint, ComplaintAttachment
from xiaoneng.complaints.tests.conftest import submit
from xiaoneng.core.uploads import SESSION_KEY, pending_uploads_purge
from xiaoneng.orgs.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 a receipt\n"
PNG = b"\x89PNG\r\n\x1a\n photo"
URL = "/complaints/new/"


def _token(client) -> str:
    html = client.get(URL).content.decode()
    return re.search(r'name="submission_token" value="([^"]+)"', html).group(1)


def _good(token: str, **kw) -> dict:
    data = {
        "submission_token": token,
        "kind": "efficiency",
        "title": "窗口重复要材料",
        "content": "窗口工作人员两次要求提交同一份材料。",
        "name": "赵先生",
        "phone": "13900000021",
    }
    data.update(kw)
    return data


# --- 1. POST-redirect-GET and the one-time token ----------------------------------------------------


def test_post_redirects_to_confirmation_and_refreshing_it_files_nothing(client, world):
    # given the public form
    token = _token(client)
    # when it is submitted
    r = client.post(URL, _good(token))
    # then the POST redirects to the confirmation by number
    c = Complaint.objects.get()
    assert r.status_code == 302
    assert r["Location"] == reverse("complaints:submitted", args=[c.number])
    # and refreshing the confirmation shows the same number and code and files nothing
    first = client.get(r["Location"]).content.decode()
    again = client.get(r["Location"]).content.decode()
    code = re.search(r'id="complaint-code">([A-Z0-9]+)<', first).group(1)
    assert c.number in first
    assert code in again
    assert verification_check(c, code)
    assert Complaint.objects.count() == 1


def test_second_post_with_the_same_token_returns_the_first_complaint(client, world):
    # given a submitted form
    token = _token(client)
    first = client.post(URL, _good(token))
    # when the same form is posted again (back button, double click)
    second = client.post(URL, _good(token, title="又提交一次"))
    # then nothing new is filed and the browser lands on the first complaint
    assert Complaint.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]


def test_a_new_form_gets_a_new_token_and_files_a_new_complaint(client, world):
    client.post(URL, _good(_token(client)))
    client.post(URL, _good(_token(client)))
    assert Complaint.objects.count() == 2


def test_confirmation_of_another_browser_is_404(client, world):
    # the number is guessable; the code is only in the session of the browser that submitted
    c = submit(world)
    assert client.get(reverse("complaints:submitted", args=[c.number])).status_code == 404
    assert client.get(reverse("complaints:submitted", args=["x" * 300])).status_code == 404


@pytest.mark.parametrize("token", ["", "short", "x" * 300, "<script>alert(1)</script>-padding-padding"])
def test_missing_or_hostile_token_files_nothing_and_asks_to_submit_again(client, world, token):
    r = client.post(URL, _good(token))
    assert r.status_code == 200
    html = r.content.decode()
    assert "页面已过期" in html
    assert Complaint.objects.count() == 0
    # the re-rendered form carries a fresh, valid token: submitting it again works
    fresh = re.search(r'name="submission_token" value="([^"]+)"', html).group(1)
    assert client.post(URL, _good(fresh)).status_code == 302
    assert Complaint.objects.count() == 1


def test_service_returns_the_first_complaint_when_a_concurrent_submission_won(world, monkeypatch):
    # given a complaint submitted with a key
    first = complaint_submit(
        kind=Kind.EFFICIENCY,
        title="窗口重复要材料",
        content="窗口工作人员两次要求提交同一份材料。",
        anonymous=True,
        idempotency_key="k" * 32,
    )
    # when a second submission with the same key got past the look-up before the first committed
    real = intake._replay
    calls = []

    def late(key_hash):
        calls.append(key_hash)
        return None if len(calls) == 1 else real(key_hash)

    monkeypatch.setattr(intake, "_replay", late)
    second = complaint_submit(
        kind=Kind.EFFICIENCY,
        title="窗口重复要材料",
        content="窗口工作人员两次要求提交同一份材料。",
        anonymous=True,
        idempotency_key="k" * 32,
    )
    # then the unique constraint held and the first complaint (same code) comes back
    assert second.replayed
    assert second.complaint.pk == first.complaint.pk
    assert second.code == first.code
    assert Complaint.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_with_one_key_make_one_complaint(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the constraint path is covered by the test above")
    barrier = threading.Barrier(2)
    results = []

    def go():
        barrier.wait()
        try:
            results.append(
                complaint_submit(
                    kind=Kind.EFFICIENCY,
                    title="窗口重复要材料",
                    content="窗口工作人员两次要求提交同一份材料。",
                    anonymous=True,
                    idempotency_key="c" * 32,
                ).complaint.pk
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert Complaint.objects.count() == 1


# --- the API: Idempotency-Key -----------------------------------------------------------------------


def _api(client, key=None, **kw):
    body = {
        "kind": "efficiency",
        "title": "窗口重复要材料",
        "content": "窗口工作人员两次要求提交同一份材料。",
        "anonymous": True,
    }
    body.update(kw)
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/complaints/submit", body, content_type="application/json", headers=headers)


def test_api_retry_with_the_same_idempotency_key_returns_the_first_complaint(client, world):
    key = "3f1c2a9e-8c1d-4f5e-9a7b-1234567890ab"
    first = _api(client, key)
    retry = _api(client, key)
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Complaint.objects.count() == 1
    # without a key every request is a new complaint, as before
    _api(client)
    _api(client)
    assert Complaint.objects.count() == 3


def test_api_and_form_keys_do_not_collide(client, world):
    token = _token(client)
    client.post(URL, _good(token))
    assert _api(client, token).status_code == 200
    assert Complaint.objects.count() == 2


@pytest.mark.parametrize("key", ["short", "x" * 300, "has space in it 123456"])
def test_api_bad_idempotency_key_is_a_translated_400_and_writes_nothing(client, world, key):
    r = _api(client, key)
    assert r.status_code == 400
    assert "Idempotency-Key" in r.json()["detail"]
    assert "16" in r.json()["detail"]["Idempotency-Key"][0]
    assert Complaint.objects.count() == 0


# --- 2. every error in one round, files kept --------------------------------------------------------


def test_all_errors_at_once_and_the_valid_file_is_kept(client, world):
    # given a form with field errors, a business-rule error, one good and one bad file
    token = _token(client)
    r = client.post(
        URL,
        {
            "submission_token": token,
            "kind": "efficiency",
            "title": "x" * 300,  # the form's length rule
            "content": "短",  # the service's rule
            "case_number": "BJ-NOPE",  # the service's look-up
            "name": "",
            "phone": "123",  # the service's format rule
            "attachments": [
                SimpleUploadedFile("收据.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("virus.exe", b"MZ...."),
            ],
        },
    )
    html = r.content.decode()
    # then every message comes at once
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert set(errors) >= {"title", "content", "case_number", "name", "phone", "attachments"}, errors
    assert "virus.exe" in " ".join(errors["attachments"])
    assert "办件编号不存在" in html
    assert "联系电话格式不正确" in html
    assert "请填写内容" in html
    # and the good file is kept and shown, the bad one is not
    assert "已上传：" in html
    assert "收据.pdf" in html
    assert Complaint.objects.count() == 0
    # when the citizen corrects the fields without choosing the file again
    r = client.post(URL, _good(token))
    # then the complaint carries the kept file
    assert r.status_code == 302
    att = ComplaintAttachment.objects.get()
    assert att.original_name == "收据.pdf"
    assert att.size == len(PDF)
    assert att.file.read() == PDF
    # and nothing stays pending
    assert not client.session.get(SESSION_KEY)


def test_remove_a_kept_file(client, world):
    token = _token(client)
    client.post(URL, _good(token, name="", attachments=[SimpleUploadedFile("a.png", PNG)]))
    kept = client.session[SESSION_KEY][token]["files"][0]
    assert default_storage.exists(kept["path"])
    # when 移除 is pressed
    r = client.post(URL, _good(token, name="", remove_upload=kept["id"]))
    # then the file is gone, the form comes back without error messages and with what was typed
    assert r.status_code == 200
    assert "a.png" not in r.content.decode()
    assert "请修改以下" not in r.content.decode()
    assert "窗口重复要材料" in r.content.decode()
    assert not default_storage.exists(kept["path"])
    assert client.post(URL, _good(token)).status_code == 302
    assert ComplaintAttachment.objects.count() == 0


def test_another_session_cannot_claim_kept_files(client, world, django_user_model):

    token = _token(client)
    client.post(URL, _good(token, name="", attachments=[SimpleUploadedFile("a.pdf", PDF)]))
    # a stranger who somehow has the token posts it from another browser
    stranger = Client()
    stranger.post(URL, _good(token))
    # the first browser's token was not used by a complaint, and the stranger's complaint has no file
    assert ComplaintAttachment.objects.count() == 0


def test_at_most_five_files(client, world):
    token = _token(client)
    files = [SimpleUploadedFile(f"p{i}.pdf", PDF) for i in range(6)]
    r = client.post(URL, _good(token, attachments=files))
    assert r.status_code == 200
    assert "p5.pdf" in " ".join(r.context["form"].errors["attachments"])
    assert len(client.session[SESSION_KEY][token]["files"]) == 5


def test_old_pending_files_are_purged(client, world):

    token = _token(client)
    client.post(URL, _good(token, name="", attachments=[SimpleUploadedFile("a.pdf", PDF)]))
    path = client.session[SESSION_KEY][token]["files"][0]["path"]
    assert pending_uploads_purge() == 0
    old = time.time() - 2 * 86400
    os.utime(default_storage.path(path), (old, old))
    assert pending_uploads_purge() == 1
    assert not default_storage.exists(path)


# --- attachments on the staff pages -----------------------------------------------------------------


def _with_file(client, world, **kw):
    client.post(
        URL, _good(_token(client), department=world.dept.pk, attachments=[SimpleUploadedFile("a.pdf", PDF)], **kw)
    )
    return Complaint.objects.get()


def test_office_sees_and_downloads_the_attachment(client, world):
    c = _with_file(client, world)
    client.force_login(world.user("supervisor"))
    att = c.attachments.get()
    url = reverse("complaints:attachment", args=[c.pk, att.pk])
    assert url in client.get(reverse("complaints:office_detail", args=[c.pk])).content.decode()
    r = client.get(url)
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == PDF


@pytest.mark.parametrize("hidden", [True, False])
def test_department_sees_attachments_only_when_the_complainant_is_not_hidden(client, world, hidden):

    c = _with_file(client, world, **({"hide_from_department": "on"} if hidden else {}))
    complaint_accept(complaint=c, actor=world.user("supervisor"))
    complaint_dispatch(complaint=c, actor=world.user("supervisor"), department=world.dept)
    att = c.attachments.get()
    url = reverse("complaints:attachment", args=[c.pk, att.pk])
    client.force_login(world.user("dept_head"))
    page = client.get(reverse("complaints:department_detail", args=[c.pk])).content.decode()
    assert (url in page) is (not hidden)
    assert client.get(url).status_code == (404 if hidden else 200)


@pytest.mark.parametrize("role", ["applicant", "other_clerk", "county_supervisor"])
def test_attachment_refused_to_other_roles_and_scopes(client, world, role):
    c = _with_file(client, world)
    att = c.attachments.get()
    client.force_login(world.user(role))
    assert client.get(reverse("complaints:attachment", args=[c.pk, att.pk])).status_code in (403, 404)


# --- 4. plain words, 请选择, departments by region ---------------------------------------------------


def test_form_speaks_plainly_and_groups_departments_by_region(client, world):
    DepartmentFactory(region=world.county, name="教育局")
    html = client.get(URL).content.decode()
    assert "Select an option" not in html
    assert "---------" not in html
    assert '<option value="" selected>请选择</option>' in html
    # one optgroup per region, region order (city before its county), names sorted within
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', html, re.S)
    assert [g for g, _o in groups] == ["青溪市", "清河区"]
    city = re.findall(r">([^<]+)</option>", groups[0][1])
    assert city == sorted(city)
    assert "市场监管局" in city
    assert re.findall(r">([^<]+)</option>", groups[1][1]) == sorted(["清河区市场监管局", "教育局"])


def test_too_long_input_gets_plain_words_not_jargon(client, world):
    r = client.post(URL, _good(_token(client), name="赵" * 300, phone="1" * 300, case_number="x" * 300))
    html = r.content.decode()
    assert "变量" not in html
    assert "不能超过100个字" in html
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize("dept", ["NaN", "-1", "99999999", "1e9", "x" * 300])
def test_hostile_department_is_a_plain_message(client, world, dept):
    r = client.post(URL, _good(_token(client), department=dept))
    assert r.status_code == 200
    assert "请从列表中选择" in r.content.decode()
    assert Complaint.objects.count() == 0
