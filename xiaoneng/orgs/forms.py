"""Forms of the organisations app: applicant self-registration and the A/B absence form."""

from __future__ import annotations

__all__ = ["PostAbsenceForm", "RegistrationForm", "SmsResetConfirmForm", "SmsResetRequestForm"]

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from xiaoneng.orgs.choices import ApplicantKind
from xiaoneng.orgs.models import User
from xiaoneng.orgs.services import PHONE_RE, applicant_contact_validate
from xiaoneng.orgs.validators import validate_credit_code, validate_id_number


class RegistrationForm(forms.Form):
    """Applicant self-registration with a mobile number or an e-mail address."""

    applicant_kind = forms.ChoiceField(
        label=_("申请人类型"), choices=ApplicantKind.choices, initial=ApplicantKind.PERSON
    )
    display_name = forms.CharField(
        label=_("姓名"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact = forms.CharField(
        label=_("手机号或电子邮箱"),
        max_length=254,
        help_text=_("用于登录和接收办件通知。"),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    id_number = forms.CharField(
        label=_("身份证号（选填）"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    company_name = forms.CharField(
        label=_("单位名称（法人填写）"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    company_credit_code = forms.CharField(label=_("统一社会信用代码（法人填写）"), max_length=18, required=False)
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        help_text=_("至少8位，不能全是数字，不能是常见密码，也不能与姓名或账号过于相似。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_contact(self) -> str:
        value: str = self.cleaned_data["contact"].strip()
        applicant_contact_validate(value)
        return value

    def clean_id_number(self) -> str:
        value: str = self.cleaned_data["id_number"].strip().upper()
        if value:
            validate_id_number(value)
        return value

    def clean_company_credit_code(self) -> str:
        value: str = self.cleaned_data["company_credit_code"].strip().upper()
        if value:
            validate_credit_code(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("applicant_kind") == ApplicantKind.COMPANY and not (
            data.get("company_name") and data.get("company_credit_code")
        ):
            self.add_error("company_name", _("法人申请人须填写单位名称和统一社会信用代码。"))
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        if p1 and not self.errors.get("password1"):
            try:
                validate_password(p1, User(username=data.get("contact", ""), display_name=data.get("display_name", "")))
            except forms.ValidationError as e:
                self.add_error("password1", e)
        return data


class PostAbsenceForm(forms.Form):
    """CAS-9: why the A holder of a post is absent (the B holder takes over meanwhile)."""

    reason = forms.CharField(
        label=_("缺岗原因"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("如：休假、出差、培训")}),
    )


class SmsResetRequestForm(forms.Form):
    """忘记密码 by SMS, step 1: the mobile number the account was registered with."""

    phone = forms.CharField(
        label=_("手机号"),
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
        error_messages={"max_length": _("请输入11位手机号。")},
    )

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"].strip()
        if not PHONE_RE.fullmatch(value):
            raise forms.ValidationError(_("请输入11位手机号。"), code="format")
        return value


class SmsResetConfirmForm(forms.Form):
    """忘记密码 by SMS, step 2: the 6-digit code and the new password (checked by the password
    validators against the account, once the code has been found good)."""

    code = forms.CharField(
        label=_("短信验证码"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"min_length": _("验证码为6位数字。"), "max_length": _("验证码为6位数字。")},
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        help_text=_("至少8位，不能全是数字，不能是常见密码，也不能与姓名或账号过于相似。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("确认新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_code(self) -> str:
        value: str = self.cleaned_data["code"].strip()
        if not (len(value) == 6 and value.isascii() and value.isdigit()):
            raise forms.ValidationError(_("验证码为6位数字。"), code="format")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("两次输入的密码不一致。"))
        return data
