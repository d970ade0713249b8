"""Sign-in, lockout, sessions, password change, registration and the masked identity number."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

from config.settings import base
from xiaoneng.core.models import Event
from xiaoneng.orgs.choices import ApplicantKind, Role
from xiaoneng.orgs.models import User
from xiaoneng.orgs.services import applicant_register
from xiaoneng.orgs.tests.factories import UserFactory
from xiaoneng.orgs.validators import credit_code_check_char, id_number_check_char

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Word-2026"
ID_NUMBER = "11010519491231002X"


def _login(client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _signed_in_as(client) -> str | None:
    r = client.get("/api/orgs/me")
    return r.json()["username"] if r.status_code == 200 else None


# --- sign-in ---------------------------------------------------------------------------------------


@pytest.fixture
def zhang(db):
    return UserFactory(username="zhang", phone="13900000099", email="Zhang@Example.invalid", role=Role.APPLICANT)


@pytest.mark.parametrize("login", ["zhang", "13900000099", "zhang@example.invalid"])
def test_sign_in_with_username_phone_or_email(client, zhang, login):
    # when
    r = _login(client, login)
    # then
    assert r.status_code == 302
    assert _signed_in_as(client) == "zhang"


def test_wrong_password_is_refused_with_a_chinese_message(client, zhang):
    r = _login(client, "zhang", "wrong-password")
    assert r.status_code == 200
    assert "请输入一个正确的" in r.content.decode()
    assert _signed_in_as(client) is None


def test_username_match_wins_over_someone_elses_phone(client, zhang):
    # given an account whose user name is zhang's phone number
    UserFactory(username="13900000099", role=Role.APPLICANT, password="other-Pass-2026")
    # when / then the login string names that account, not zhang's
    _login(client, "13900000099", "other-Pass-2026")
    assert _signed_in_as(client) == "13900000099"


def test_an_email_shared_by_two_accounts_signs_nobody_in(client, zhang):
    UserFactory(username="zhang2", email="zhang@example.invalid", role=Role.APPLICANT)
    _login(client, "zhang@example.invalid")
    assert _signed_in_as(client) is None


def test_argon2_is_the_first_password_hasher_in_base_settings(settings):
    # given the deployed hashers (tests use a fast one)
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    # when a password is set, then it is hashed with argon2 (argon2-cffi installed)
    encoded = make_password("pass-Word-2026")
    assert encoded.startswith("argon2$argon2id$")
    assert identify_hasher(encoded).algorithm == "argon2"


# --- lockout (django-axes) --------------------------------------------------------------------------


def test_five_failures_lock_the_account_and_the_right_password_is_refused_while_locked(client, zhang):
    # given four failures: not locked yet
    for _ in range(4):
        assert _login(client, "zhang", "wrong").status_code == 200
    # when the fifth fails
    r = _login(client, "zhang", "wrong")
    # then the lockout page is shown
    assert r.status_code == 429
    assert "账号已锁定" in r.content.decode()
    assert "30分钟" in r.content.decode()
    # and the correct password is refused while locked
    r = _login(client, "zhang", PASSWORD)
    assert r.status_code == 429
    assert "账号已锁定" in r.content.decode()
    assert _signed_in_as(client) is None


def test_a_success_before_the_limit_resets_the_failure_count(client, zhang):
    for _ in range(4):
        _login(client, "zhang", "wrong")
    assert _login(client, "zhang").status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert _login(client, "zhang", "wrong").status_code == 200
    assert _login(client, "zhang").status_code == 302


def test_login_page_states_the_configured_lockout_policy(client):
    body = client.get("/accounts/login/").content.decode()
    assert "连续输错密码5次，账号将锁定30分钟。" in body


def test_login_page_shows_the_platform_name_not_the_host(client, db):
    # LoginView puts the host in `site_name`; the layout must keep the platform's name
    body = client.get("/accounts/login/").content.decode()
    assert "<title>登录 · 效能政务服务平台</title>" in body
    assert "testserver" not in body


# --- sessions ------------------------------------------------------------------------------------


def test_session_times_out_after_30_idle_minutes_and_slides_with_each_request():
    assert base.SESSION_COOKIE_AGE == 1800
    assert base.SESSION_SAVE_EVERY_REQUEST is True
    assert base.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_an_expired_session_is_signed_out(client, world):
    # given a signed-in clerk
    assert _login(client, "clerk").status_code == 302
    assert client.get("/workbench/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.expire_date > timezone.now() + timedelta(minutes=29)
    # when 31 minutes pass without a request
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(minutes=1))
    # then the next request is anonymous
    r = client.get("/workbench/")
    assert r.status_code == 302
    assert r.url.startswith("/accounts/login/")


# --- password change -----------------------------------------------------------------------------


def test_password_change_works(client, zhang):
    client.force_login(zhang)
    # when
    r = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "neues-Kennwort-77", "new_password2": "neues-Kennwort-77"},
    )
    # then
    assert r.status_code == 302
    assert r.url == "/accounts/password/done/"
    client.post("/accounts/logout/")
    assert _login(client, "zhang", PASSWORD).status_code == 200  # the old one no longer works
    assert _login(client, "zhang", "neues-Kennwort-77").status_code == 302


def test_password_change_needs_the_old_password(client, zhang):
    client.force_login(zhang)
    r = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "neues-Kennwort-77", "new_password2": "neues-Kennwort-77"},
    )
    assert r.status_code == 200
    zhang.refresh_from_db()
    assert zhang.check_password(PASSWORD)


# --- registration --------------------------------------------------------------------------------


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "applicant_kind": ApplicantKind.PERSON,
        "display_name": "张丽",
        "contact": "13912345678",
        "id_number": "",
        "company_name": "",
        "company_credit_code": "",
        "password1": "Qingxi-2026!",
        "password2": "Qingxi-2026!",
    }
    data.update(overrides)
    return data


def test_register_with_a_phone_number_signs_in(client, db):
    # when
    r = client.post("/accounts/register/", _form(id_number=ID_NUMBER))
    # then
    assert r.status_code == 302
    user = User.objects.get(username="13912345678")
    assert (user.phone, user.email, user.role, user.id_number) == ("13912345678", "", Role.APPLICANT, ID_NUMBER)
    assert _signed_in_as(client) == "13912345678"
    assert Event.objects.for_subject(user).get().action == "user.registered"


def test_register_with_an_email_address(client, db):
    r = client.post("/accounts/register/", _form(contact="li@example.invalid"))
    assert r.status_code == 302
    user = User.objects.get(username="li@example.invalid")
    assert (user.phone, user.email) == (None, "li@example.invalid")


def test_register_a_company_needs_its_name_and_credit_code(client, db):
    # given a company without its credit code
    before = User.objects.count()
    r = client.post("/accounts/register/", _form(applicant_kind=ApplicantKind.COMPANY, company_name="青溪云帆"))
    assert r.status_code == 200
    assert "法人申请人须填写单位名称和统一社会信用代码。" in r.content.decode()
    assert User.objects.count() == before
    # when both are given
    first17 = "91339100MA2B00001"
    code = first17 + credit_code_check_char(first17)
    r = client.post(
        "/accounts/register/",
        _form(applicant_kind=ApplicantKind.COMPANY, company_name="青溪云帆", company_credit_code=code.lower()),
    )
    assert r.status_code == 302
    assert User.objects.get(username="13912345678").company_credit_code == code


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", ID_NUMBER[:17] + "1", "居民身份证号码校验位不正确。"),
        ("contact", "12345", "请输入11位手机号或有效的电子邮箱。"),
        ("password2", "something-else-1", "两次输入的密码不一致。"),
    ],
)
def test_bad_registration_input_gets_a_chinese_message_and_writes_nothing(client, db, field, value, message):
    users, events = User.objects.count(), Event.objects.count()
    r = client.post("/accounts/register/", _form(**{field: value}))
    assert r.status_code == 200
    assert message in r.content.decode()
    assert (User.objects.count(), Event.objects.count()) == (users, events)
    assert _signed_in_as(client) is None


def test_duplicate_phone_or_email_is_refused(client, zhang):
    r = client.post("/accounts/register/", _form(contact="13900000099"))
    assert "该手机号已注册。" in r.content.decode()
    r = client.post("/accounts/register/", _form(contact="ZHANG@example.invalid"))
    assert "该电子邮箱已注册。" in r.content.decode()
    assert User.objects.filter(role=Role.APPLICANT).count() == 1


def test_the_registration_service_refuses_what_the_form_would(db, zhang):

    users = User.objects.count()
    with pytest.raises(ValidationError) as exc:
        applicant_register(contact="13900000099", password="x", display_name="某", applicant_kind="person")
    assert exc.value.message_dict == {"contact": ["该手机号已注册。"]}
    with pytest.raises(ValidationError) as exc:
        applicant_register(contact="13900000088", password="x", display_name="某", applicant_kind="company")
    assert "company_name" in exc.value.message_dict
    first17 = "11010519491231002"
    with pytest.raises(ValidationError) as exc:
        applicant_register(
            contact="13900000088",
            password="x",
            display_name="某",
            applicant_kind="person",
            id_number=first17 + ("1" if id_number_check_char(first17) != "1" else "2"),
        )
    assert exc.value.message_dict == {"id_number": ["居民身份证号码校验位不正确。"]}
    assert User.objects.count() == users


# --- the identity number is never shown in full --------------------------------------------------


@pytest.fixture
def applicant_with_id(world):
    user = world.user("applicant")
    user.id_number = ID_NUMBER
    user.save(update_fields=["id_number"])
    return user


def test_api_me_masks_the_identity_number_and_phone(client, applicant_with_id):
    client.force_login(applicant_with_id)
    data = client.get("/api/orgs/me").json()
    assert data["masked_id_number"] == "110***********002X"
    assert data["masked_phone"] == "139****0011"
    assert ID_NUMBER not in str(data)
    assert "13900000011" not in str(data)


def test_profile_page_shows_the_masked_identity_number_and_phone(client, applicant_with_id):
    client.force_login(applicant_with_id)
    # when
    r = client.get("/accounts/profile/")
    body = r.content.decode()
    # then
    assert r.status_code == 200
    assert "我的账户" in body
    assert "110***********002X" in body
    assert "139****0011" in body
    assert ID_NUMBER not in body
    assert "13900000011" not in body


def test_profile_page_of_staff_uses_the_workbench_and_header_links_to_it(client, world):
    client.force_login(world.user("clerk"))
    body = client.get("/accounts/profile/").content.decode()
    assert 'aria-label="工作台导航"' in body
    assert 'class="who" href="/accounts/profile/"' in body


def test_profile_page_needs_a_sign_in(client, db):
    r = client.get("/accounts/profile/")
    assert r.status_code == 302
    assert r.url.startswith("/accounts/login/")
