"""忘记密码 (issue 9): reset by e-mailed link and by SMS code, without revealing which accounts exist;
the lockout page tells a citizen what to do."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.utils import timezone

from xiaoneng.core.models import Event
from xiaoneng.core.sms import MemorySmsBackend
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import PasswordResetCode, User
from xiaoneng.orgs.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Word-2026"
NEW = "Qingxi-new-2026!"
CODE_INVALID = "验证码不正确或已失效"


@pytest.fixture
def sms():
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def zhang(db):
    return UserFactory(username="zhang", phone="13900000099", email="zhang@example.invalid", role=Role.APPLICANT)


def _login(client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _can_sign_in(client, username: str, password: str) -> bool:
    ok = _login(client, username, password).status_code == 302
    client.post("/accounts/logout/")
    return ok


def _request_code(client, phone: str):
    return client.post("/accounts/password/sms/", {"phone": phone})


def _code_from(sms_text: str) -> str:
    m = re.search(r"验证码(\d{6})", sms_text)
    assert m, sms_text
    return m[1]


def _confirm(client, code: str, password: str = NEW):
    return client.post(
        "/accounts/password/sms/verify/", {"code": code, "new_password1": password, "new_password2": password}
    )


# --- the login and lockout pages ------------------------------------------------------------------


def test_the_login_page_links_to_forgotten_password(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert "忘记密码？" in body
    assert 'href="/accounts/password/sms/"' in body


def test_the_lockout_page_tells_the_citizen_to_wait_or_reset_with_links(client, zhang):
    # given five failures
    for _ in range(5):
        r = _login(client, "zhang", "wrong")
    # then the lockout page says how long to wait and links to both resets
    assert r.status_code == 429
    body = r.content.decode()
    assert "请30分钟后再试" in body
    assert 'href="/accounts/password/sms/"' in body
    assert 'href="/accounts/password/reset/"' in body
    # and no longer sends a citizen to "the system administrator" as the only way out
    assert "或联系系统管理员" not in body


def test_a_reset_lifts_the_lockout(client, zhang, sms):
    # given a locked account
    for _ in range(5):
        _login(client, "13900000099", "wrong")
    assert _login(client, "13900000099", PASSWORD).status_code == 429
    # when the citizen resets the password by SMS
    _request_code(client, "13900000099")
    assert _confirm(client, _code_from(sms[-1][1])).status_code == 302
    # then the new password signs in at once
    assert _can_sign_in(client, "13900000099", NEW)
    assert not AccessAttempt.objects.filter(username="13900000099").exists()


# --- by e-mail --------------------------------------------------------------------------------------


def test_reset_by_email_end_to_end(client, zhang, settings):
    settings.XIAONENG_PUBLIC_URL = "https://zwfw.example.gov.cn"
    # given the forgotten-password page
    page = client.get("/accounts/password/reset/")
    assert "找回密码" in page.content.decode()
    # when zhang asks for a link (case-insensitively)
    r = client.post("/accounts/password/reset/", {"email": "Zhang@Example.invalid"}, HTTP_HOST="evil.example")
    assert r.status_code == 302
    assert r["Location"] == "/accounts/password/reset/sent/"
    # then one Chinese e-mail with a link on the public address (never the request's host)
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == ["zhang@example.invalid"]
    body = str(msg.body)
    assert "重置密码" in msg.subject
    assert "\n" not in msg.subject
    assert "evil.example" not in body
    link = re.search(r"https://zwfw\.example\.gov\.cn(/accounts/password/reset/[^/\s]+/[^/\s]+/)", body)
    assert link, body
    assert "60分钟内有效" in body
    # when the link is opened and a new password set
    r = client.get(link[1], follow=True)
    assert "设置新密码" in r.content.decode()
    r = client.post(r.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302
    assert r["Location"] == "/accounts/password/reset/complete/"
    assert "密码已重置" in client.get(r["Location"]).content.decode()
    # then the new password works, the old does not, and the reset is in the trail
    assert _can_sign_in(client, "zhang", NEW)
    assert not _can_sign_in(client, "zhang", PASSWORD)
    assert Event.objects.for_subject(zhang).filter(action="user.password_reset", after__via="email").exists()
    # and the link cannot be used twice
    r = client.get(link[1], follow=True)
    assert "该链接无效或已过期" in r.content.decode()


def test_reset_by_email_for_an_unknown_address_looks_the_same(client, zhang):
    known = client.post("/accounts/password/reset/", {"email": "zhang@example.invalid"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.invalid"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("email", ["a" * 290 + "@example.cn", "not-an-address", ""])
def test_reset_by_email_hostile_input_is_a_form_error(client, zhang, email):
    r = client.post("/accounts/password/reset/", {"email": email})
    assert r.status_code == 200
    assert 'class="errorlist' in r.content.decode()
    assert mail.outbox == []


# --- by SMS code ------------------------------------------------------------------------------------


def test_reset_by_sms_end_to_end(client, zhang, sms):
    # given the SMS page
    assert "短信找回密码" in client.get("/accounts/password/sms/").content.decode()
    # when zhang asks for a code
    r = _request_code(client, "13900000099")
    assert r.status_code == 302
    assert r["Location"] == "/accounts/password/sms/verify/"
    # then one SMS with a 6-digit code; only its hash is stored
    assert len(sms) == 1
    assert sms[0][0] == "13900000099"
    code = _code_from(sms[0][1])
    row = PasswordResetCode.objects.get(user=zhang)
    assert code not in row.code_hash
    assert timedelta(minutes=9) < row.expires_at - timezone.now() <= timedelta(minutes=10)
    page = client.get("/accounts/password/sms/verify/").content.decode()
    assert "139****0099" in page
    # when the code and a new password are entered
    r = _confirm(client, code)
    # then the password is changed, the code used up, and the reset in the trail
    assert r.status_code == 302
    assert r["Location"] == "/accounts/password/reset/complete/"
    assert _can_sign_in(client, "13900000099", NEW)
    row.refresh_from_db()
    assert row.used_at is not None
    assert Event.objects.for_subject(zhang).filter(action="user.password_reset", after__via="sms").exists()


def test_a_code_is_used_only_once(client, zhang, sms):
    _request_code(client, "13900000099")
    code = _code_from(sms[0][1])
    assert _confirm(client, code).status_code == 302
    # when someone replays it (same session state again)
    session = client.session
    session["password_reset_sms_phone"] = "13900000099"
    session.save()
    r = _confirm(client, code, "Another-pass-2026")
    assert r.status_code == 200
    assert CODE_INVALID in r.content.decode()
    assert _can_sign_in(client, "13900000099", NEW)


def test_a_wrong_code_is_refused_and_counted(client, zhang, sms):
    _request_code(client, "13900000099")
    code = _code_from(sms[0][1])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    r = _confirm(client, wrong)
    assert r.status_code == 200
    assert CODE_INVALID in r.content.decode()
    assert PasswordResetCode.objects.get().attempts == 1
    zhang.refresh_from_db()
    assert zhang.check_password(PASSWORD)


def test_an_expired_code_is_refused(client, zhang, sms):
    _request_code(client, "13900000099")
    code = _code_from(sms[0][1])
    PasswordResetCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    r = _confirm(client, code)
    assert r.status_code == 200
    assert CODE_INVALID in r.content.decode()
    zhang.refresh_from_db()
    assert zhang.check_password(PASSWORD)


def test_after_five_wrong_codes_even_the_right_one_is_refused(client, zhang, sms):
    _request_code(client, "13900000099")
    code = _code_from(sms[0][1])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        _confirm(client, wrong)
    # when the right code comes sixth
    r = _confirm(client, code)
    # then it is refused: a new code is needed
    assert r.status_code == 200
    assert CODE_INVALID in r.content.decode()
    assert PasswordResetCode.objects.get().attempts == 5
    zhang.refresh_from_db()
    assert zhang.check_password(PASSWORD)


def test_an_unknown_phone_gets_the_same_answer_and_no_sms(client, zhang, sms):
    known = _request_code(client, "13900000099")
    other = client.__class__()
    unknown = other.post("/accounts/password/sms/", {"phone": "13900000098"})
    # then the same redirect and the same next page (masked number aside)
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    page_known = client.get(known["Location"]).content.decode().replace("139****0099", "X")
    page_unknown = other.get(unknown["Location"]).content.decode().replace("139****0098", "X")
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
    assert strip.sub("", page_known) == strip.sub("", page_unknown)
    # and only the real account got an SMS; a code for the unknown number fails like a wrong one
    assert [p for p, _t in sms] == ["13900000099"]
    r = _confirm(other, "123456")
    assert r.status_code == 200
    assert CODE_INVALID in r.content.decode()


def test_sending_is_throttled_per_phone(client, zhang, sms, settings):
    # when the code is requested again within the minute, then no second SMS (but the same answer)
    assert _request_code(client, "13900000099").status_code == 302
    assert _request_code(client, "13900000099").status_code == 302
    assert len(sms) == 1
    # and at most 5 an hour
    for _ in range(6):
        PasswordResetCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
        _request_code(client, "13900000099")
    assert len(sms) == 5


def test_sending_is_throttled_per_client_address(client, db, sms, settings):
    settings.XIAONENG_RESET_CODES_PER_ADDRESS_HOUR = 3
    for i in range(5):
        UserFactory(username=f"u{i}", phone=f"1390000010{i}", role=Role.APPLICANT)
        _request_code(client, f"1390000010{i}")
    assert len(sms) == 3


def test_a_new_code_replaces_the_old_one(client, zhang, sms):
    _request_code(client, "13900000099")
    first = _code_from(sms[0][1])
    PasswordResetCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    _request_code(client, "13900000099")
    second = _code_from(sms[1][1])
    if first != second:
        assert CODE_INVALID in _confirm(client, first).content.decode()
    assert _confirm(client, second).status_code == 302


def test_a_weak_new_password_is_refused_and_the_code_stays_usable(client, zhang, sms):
    _request_code(client, "13900000099")
    code = _code_from(sms[0][1])
    r = _confirm(client, code, "12345678")
    assert r.status_code == 200
    body = r.content.decode()
    assert "errorlist" in body
    assert CODE_INVALID not in body
    assert _confirm(client, code).status_code == 302


@pytest.mark.parametrize(
    "data",
    [
        {"code": "abcdef"},
        {"code": "１２３４５６"},  # full-width digits
        {"code": "12345"},
        {"code": "1" * 300},
        {"code": "123456", "new_password2": "different-Pass-1"},
    ],
)
def test_sms_confirm_hostile_input_is_a_form_error(client, zhang, sms, data):
    _request_code(client, "13900000099")
    post = {"code": "", "new_password1": NEW, "new_password2": NEW, **data}
    r = client.post("/accounts/password/sms/verify/", post)
    assert r.status_code == 200
    assert "errorlist" in r.content.decode()
    assert PasswordResetCode.objects.get().attempts == 0  # a malformed entry does not reach the code


@pytest.mark.parametrize("phone", ["1" * 300, "abc", "12345678901", "１３９００００００９９", ""])
def test_sms_request_hostile_input_is_a_form_error(client, zhang, sms, phone):
    r = _request_code(client, phone)
    assert r.status_code == 200
    assert "errorlist" in r.content.decode()
    assert sms == []
    assert not PasswordResetCode.objects.exists()


def test_the_verify_page_without_a_requested_code_goes_back_to_step_one(client, db):
    r = client.get("/accounts/password/sms/verify/")
    assert r.status_code == 302
    assert r["Location"] == "/accounts/password/sms/"


def test_an_inactive_account_gets_no_code(client, zhang, sms):
    User.objects.filter(pk=zhang.pk).update(is_active=False)
    assert _request_code(client, "13900000099").status_code == 302
    assert sms == []


def test_reset_mails_to_one_address_are_limited_silently(client, zhang):
    # when the link is asked for four times within the hour (default 3 mails per address an hour)
    answers = [client.post("/accounts/password/reset/", {"email": "zhang@example.invalid"}) for _ in range(4)]
    # then every answer is the same "sent" page, but only three mails go out
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, "/accounts/password/reset/sent/")}
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/password/reset/", {"email": "zhang@example.invalid"}),
        ("/accounts/password/sms/", {"phone": "13900000099"}),
    ],
)
def test_reset_requests_from_one_address_are_limited(client, zhang, sms, settings, url, data):
    settings.XIAONENG_THROTTLE_RATES = {**settings.XIAONENG_THROTTLE_RATES, "password_reset": "2/h"}
    for _ in range(2):
        assert client.post(url, data).status_code == 302
    # when a third comes from the same address
    r = client.post(url, data)
    # then the same page, refused with the wait, and nothing more sent
    assert r.status_code == 429
    assert "尝试次数过多，请" in r.content.decode()
    assert int(r["Retry-After"]) > 0
    assert len(mail.outbox) + len(sms) <= 2
    # the page itself still opens
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("tail", ["x/y/", "MQ/" + "a" * 300 + "/", "9999999999/set-password/"])
def test_a_forged_reset_link_shows_the_invalid_link_page(client, zhang, tail):
    r = client.get("/accounts/password/reset/" + tail, follow=True)
    assert r.status_code == 200
    assert "该链接无效或已过期" in r.content.decode()
    zhang.refresh_from_db()
    assert zhang.check_password(PASSWORD)


def test_a_reset_link_with_a_nul_byte_is_a_bad_request(client, zhang):
    # a NUL byte anywhere in a page's path is refused before any view (xiaoneng.core.middleware)
    r = client.get("/accounts/password/reset/%00/set-password/")
    assert r.status_code == 400
    assert "请求无效" in r.content.decode()
    zhang.refresh_from_db()
    assert zhang.check_password(PASSWORD)
