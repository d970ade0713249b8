"""Writes on organisations and people."""

from __future__ import annotations

__all__ = [
    "applicant_contact_validate",
    "applicant_register",
    "post_can_manage",
    "post_mark_absent",
    "post_mark_present",
]

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append

from .choices import ApplicantKind, Role
from .models import Post, User

PHONE_RE = re.compile(r"1[3-9]\d{9}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


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
    return actor.role == Role.DEPT_HEAD and actor.department_id == post.department_id


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
        post = Post.objects.select_for_update().get(pk=post.pk)
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
