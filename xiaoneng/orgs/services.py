"""Writes on organisations and people."""

from __future__ import annotations

__all__ = [
    "RESET_CODE_INVALID",
    "applicant_contact_validate",
    "applicant_register",
    "login_lockout_clear",
    "password_reset_by_code",
    "password_reset_code_send",
    "password_reset_recorded",
    "post_can_manage",
    "post_mark_absent",
    "post_mark_present",
]

import logging
import re
import secrets
from datetime import timedelta
from typing import Any

from axes.utils import reset
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoneng.core.services import notify
from xiaoneng.core.sms import get_sms_backend
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.choices import ApplicantKind, Role
from xiaoneng.orgs.models import PasswordResetCode, Post, User

PHONE_RE = re.compile(r"1[3-9]\d{9}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
log = logging.getLogger(__name__)
# One message for every way a code can fail (wrong, expired, used, too many tries, no such account):
# telling them apart would tell a stranger which phone numbers have accounts.
RESET_CODE_INVALID = gettext_lazy("验证码不正确或已失效。输错次数过多或超过有效期后，请重新获取验证码。")


def applicant_contact_validate(contact: str) -> str:
    """Check that `contact` is a mainland mobile number or an e-mail address that no account uses yet;
    return its kind ("phone" or "email")."""
    if PHONE_RE.fullmatch(contact):
        kind = "phone"
        if User.objects.filter(phone=contact).exists():
            raise ValidationError(_("该手机号已注册。"), code="duplicate")
    elif EMAIL_RE.fullmatch(contact):
        kind = "email"
        if User.objects.filter(email__iexact=contact).exists():
            raise ValidationError(_("该电子邮箱已注册。"), code="duplicate")
    else:
        raise ValidationError(_("请输入11位手机号或有效的电子邮箱。"), code="format")
    if User.objects.filter(username__iexact=contact).exists():
        raise ValidationError(_("该账号已存在。"), code="duplicate")
    return kind


def applicant_register(
    *,
    contact: str,
    password: str,
    display_name: str,
    applicant_kind: str,
    id_number: str = "",
    company_name: str = "",
    company_credit_code: str = "",
) -> User:
    """Self-registration of an applicant with a mobile number or an e-mail address. Nothing is
    written unless every check passes (the ID number and credit code are checked by the model)."""
    contact = contact.strip()
    if applicant_kind not in ApplicantKind.values:
        raise ValidationError({"applicant_kind": _("申请人类型不正确。")})
    if applicant_kind == ApplicantKind.COMPANY and not (company_name.strip() and company_credit_code.strip()):
        raise ValidationError({"company_name": _("法人申请人须填写单位名称和统一社会信用代码。")})
    with transaction.atomic():
        try:
            kind = applicant_contact_validate(contact)
        except ValidationError as e:
            raise ValidationError({"contact": e.messages}) from None
        is_phone = kind == "phone"
        user = User(
            username=contact,
            role=Role.APPLICANT,
            display_name=display_name.strip(),
            applicant_kind=applicant_kind,
            phone=contact if is_phone else None,
            email="" if is_phone else contact,
            id_number=id_number.strip().upper(),
            company_name=company_name.strip(),
            company_credit_code=company_credit_code.strip().upper(),
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        event_append(
            subject=user,
            action="user.registered",
            actor=user,
            after={"role": user.role, "kind": applicant_kind, "contact": kind},
        )
    return user


def post_can_manage(actor: Any, post: Post) -> bool:
    """CAS-9: the head of the post's department, an administrator of its tenant, or a superuser
    decides who stands in for an absent A holder."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if actor.role == Role.ADMIN:
        return actor.tenant_id is not None and actor.tenant_id == post.tenant_id
    return bool(actor.role == Role.DEPT_HEAD and actor.department_id == post.department_id)


def post_mark_absent(*, post: Post, actor: Any, reason: str) -> Post:
    """CAS-9: mark the A holder absent; from now on `post.assignee` is the B holder, who is told."""
    if not post_can_manage(actor, post):
        raise PermissionDenied(_("只有本部门负责人或系统管理员可以设置A角缺岗。"))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写A角缺岗的原因。")})
    if len(reason) > Post._meta.get_field("a_absent_reason").max_length:  # type: ignore[operator]
        raise ValidationError({"reason": _("缺岗原因不能超过100个字。")})
    with transaction.atomic():
        post = Post.objects.select_for_update(of=("self",)).select_related("holder_a", "holder_b").get(pk=post.pk)
        if post.a_absent:
            raise ValidationError(_("该岗位A角已处于缺岗状态。"))
        if post.holder_b is None or not post.holder_b.is_active:
            raise ValidationError(_("该岗位没有在职的B角，不能设置A角缺岗，请先指定B角。"))
        post.a_absent, post.a_absent_reason = True, reason
        post.save(update_fields=["a_absent", "a_absent_reason", "updated_at"])
        event_append(
            subject=post,
            action="post.a_absent",
            actor=actor,
            before={"assignee": post.holder_a_id},
            after={"assignee": post.holder_b_id},
            reason=reason,
        )
        notify(
            recipients=[post.holder_b],
            title=_("您已接替%(post)s的A角工作") % {"post": post},
            body=_("A角缺岗原因：%(reason)s。缺岗期间该岗位的工作自动转给您办理。") % {"reason": reason},
            channels=("inbox",),
        )
    return post


def post_mark_present(*, post: Post, actor: Any) -> Post:
    """CAS-9: the A holder is back; work goes to the A holder again."""
    if not post_can_manage(actor, post):
        raise PermissionDenied(_("只有本部门负责人或系统管理员可以设置A角到岗。"))
    with transaction.atomic():
        post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
        if not post.a_absent:
            raise ValidationError(_("该岗位A角已在岗。"))
        reason = post.a_absent_reason
        post.a_absent, post.a_absent_reason = False, ""
        post.save(update_fields=["a_absent", "a_absent_reason", "updated_at"])
        event_append(
            subject=post,
            action="post.a_present",
            actor=actor,
            before={"assignee": post.holder_b_id, "reason": reason},
            after={"assignee": post.holder_a_id},
        )
    return post


# --- forgotten passwords ------------------------------------------------------------------------------


def login_lockout_clear(user: User) -> None:
    """Lift the django-axes lockout of every login string that names `user` (user name, phone,
    e-mail): after a password reset the citizen can sign in at once instead of waiting."""

    for login in {user.username, user.phone or "", user.email or "", (user.email or "").lower()} - {""}:
        reset(username=login)


def password_reset_recorded(*, user: User, via: str) -> None:
    """After a password was reset (by e-mail link or SMS code): trail event and lockout lifted."""
    event_append(subject=user, action="user.password_reset", actor=user, after={"via": via})
    login_lockout_clear(user)


def password_reset_code_send(*, phone: str, ip: str | None) -> bool:
    """Send a 6-digit reset code to `phone` if an active account has it and the sending limits allow:
    at most one code per phone every XIAONENG_RESET_CODE_RESEND_SECONDS, XIAONENG_RESET_CODES_PER_HOUR
    per phone and XIAONENG_RESET_CODES_PER_ADDRESS_HOUR per client address an hour. The caller shows
    the same page whatever happens (no account, throttled, sent), so the answer reveals nothing; the
    return value is for tests and logs.

    The code is sent directly (not through the task queue): the queue's table would keep it in clear."""
    now = timezone.now()
    user = User.objects.filter(phone=phone, is_active=True).first()
    code = f"{secrets.randbelow(10**6):06d}"
    code_hash = make_password(code)  # also for an unknown number: the same work either way
    if user is None:
        return False
    recent = PasswordResetCode.objects.filter(created_at__gte=now - timedelta(hours=1))
    per_hour = settings.XIAONENG_RESET_CODES_PER_HOUR
    resend = timedelta(seconds=settings.XIAONENG_RESET_CODE_RESEND_SECONDS)
    if (
        recent.filter(user=user, created_at__gte=now - resend).exists()
        or recent.filter(user=user).count() >= per_hour
        or (ip and recent.filter(requested_ip=ip).count() >= settings.XIAONENG_RESET_CODES_PER_ADDRESS_HOUR)
    ):
        log.warning("password reset code for user %s not sent: sending limit", user.pk)
        return False
    with transaction.atomic():
        # a new code replaces any earlier one still open
        PasswordResetCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        PasswordResetCode.objects.create(
            user=user,
            code_hash=code_hash,
            expires_at=now + timedelta(minutes=settings.XIAONENG_RESET_CODE_MINUTES),
            requested_ip=ip or None,
        )

    text = _("【%(site)s】您正在重置密码，验证码%(code)s，%(minutes)d分钟内有效。如非本人操作，请忽略本短信。") % {
        "site": settings.XIAONENG_SITE_NAME,
        "code": code,
        "minutes": settings.XIAONENG_RESET_CODE_MINUTES,
    }
    try:
        get_sms_backend().send(phone=phone, text=text)
    except OSError:
        log.exception("password reset SMS to user %s failed", user.pk)
        return False
    return True


def password_reset_by_code(*, phone: str, code: str, new_password: str) -> User:
    """Set a new password with the SMS code; use the code once. Raises ValidationError
    {"code": RESET_CODE_INVALID} when the code is not good — a wrong entry counts against the code's
    attempts — or {"new_password1": the password validators' messages}, and then the code stays usable."""
    now = timezone.now()
    max_attempts = settings.XIAONENG_RESET_CODE_MAX_ATTEMPTS
    with transaction.atomic():
        row = (
            PasswordResetCode.objects.select_for_update(of=("self",))
            .filter(user__phone=phone, user__is_active=True, used_at__isnull=True, expires_at__gt=now)
            .select_related("user")
            .order_by("-created_at")
            .first()
        )
        if row is None or row.attempts >= max_attempts:
            check_password(code, make_password("0"))  # the same work as a real check
            ok = False
        else:
            ok = check_password(code, row.code_hash)
            if not ok:
                row.attempts += 1
                row.save(update_fields=["attempts", "updated_at"])
    if not ok:  # outside the block: the counted attempt is committed
        raise ValidationError({"code": [RESET_CODE_INVALID]})
    if row is None:
        raise RuntimeError("invariant: row is not None")
    user = row.user
    try:
        validate_password(new_password, user)
    except ValidationError as e:
        raise ValidationError({"new_password1": e.messages}) from None
    with transaction.atomic():
        # one use: only the first of two simultaneous submissions marks the row used
        if not PasswordResetCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now, updated_at=now):
            raise ValidationError({"code": [RESET_CODE_INVALID]})
        user.set_password(new_password)
        user.save(update_fields=["password"])
        password_reset_recorded(user=user, via="sms")
    return user
