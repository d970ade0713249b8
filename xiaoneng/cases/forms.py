"""Forms of the case pages. The application form is also what case_submit validates form data with,
so the page, the window and the API reject the same bad input with the same messages."""

from __future__ import annotations

__all__ = [
    "ApplicationForm",
    "DecideForm",
    "DeliverForm",
    "EnquiryForm",
    "ExtendForm",
    "FeeForm",
    "NegativeReportForm",
    "OpinionForm",
    "PauseForm",
    "RefuseForm",
    "ReviewForm",
    "TrackForm",
]

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xiaoneng.cases.choices import (
    DecisionOutcome,
    DeliveryMethod,
    EnquiryOutcome,
    NegativeKind,
    OpinionKind,
    RefusalGround,
)
from xiaoneng.catalog.choices import SPECIAL_PROCEDURE_KINDS
from xiaoneng.orgs.models import Department
from xiaoneng.orgs.validators import validate_id_number

PHONE_RE = re.compile(r"^1\d{10}$")


def validate_phone(value: str) -> None:
    if not PHONE_RE.match(value or ""):
        raise ValidationError(_("请填写11位手机号码。"), code="phone")


class ApplicationForm(forms.Form):
    applicant_name = forms.CharField(label=_("申请人（姓名或单位名称）"), max_length=100)
    id_number = forms.CharField(
        label=_("身份证号或统一社会信用代码"), max_length=18, required=False, validators=[validate_id_number]
    )
    phone = forms.CharField(label=_("手机号"), max_length=11, validators=[validate_phone])
    address = forms.CharField(label=_("联系地址"), max_length=200, required=False)
    description = forms.CharField(label=_("申请事项说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RefuseForm(forms.Form):
    ground = forms.ChoiceField(label=_("情形"), choices=RefusalGround.choices)
    reasons = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))
    competent_agency = forms.CharField(label=_("有权办理的行政机关"), required=False, max_length=200)


class OpinionForm(forms.Form):
    kind = forms.ChoiceField(label=_("意见"), choices=OpinionKind.choices)
    reasons = forms.CharField(label=_("理由/说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PauseForm(forms.Form):
    reason = forms.ChoiceField(label=_("特别程序"), choices=SPECIAL_PROCEDURE_KINDS)
    expected_days = forms.IntegerField(label=_("预计工作日"), min_value=1, max_value=365)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class ExtendForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("延期类型"),
        choices=[
            ("agency_head", _("本机关负责人批准延长10个工作日")),
            ("government", _("本级人民政府批准延长15个工作日")),
        ],
    )
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class NegativeReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("报备类型"), choices=NegativeKind.choices)
    reasons = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))
    applicant_contact = forms.CharField(label=_("申请人联系方式"), required=False, max_length=100)


class ReviewForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审核意见"), choices=[("1", _("同意出具")), ("0", _("退回"))], coerce=lambda v: v == "1"
    )
    comment = forms.CharField(label=_("意见"), required=False, max_length=1000)


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("决定"), choices=DecisionOutcome.choices)
    reasons = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeliverForm(forms.Form):
    method = forms.ChoiceField(label=_("送达方式"), choices=DeliveryMethod.choices)
    recipient = forms.CharField(label=_("签收人"), max_length=100)


class FeeForm(forms.Form):
    fee = forms.IntegerField(label=_("收费项目"))
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2)
    receipt_number = forms.CharField(label=_("票据号"), max_length=60)


class EnquiryForm(forms.Form):
    visitor_name = forms.CharField(label=_("来访人"), max_length=100)
    visitor_phone = forms.CharField(label=_("联系电话"), max_length=12, required=False)
    question = forms.CharField(label=_("咨询事项"), widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(label=_("处理结果"), choices=EnquiryOutcome.choices)
    answer = forms.CharField(label=_("答复内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    referred_department = forms.ModelChoiceField(
        label=_("从部门名录选择"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("（名录外的机关请在下面直接填写）"),
        help_text=_("选择后自动带出该部门的名称、地址和电话。"),
    )
    referred_office = forms.CharField(label=_("有权办理部门"), required=False, max_length=200)
    referred_address = forms.CharField(label=_("地址"), required=False, max_length=200)
    referred_contact = forms.CharField(label=_("联系方式"), required=False, max_length=100)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = Department.objects.select_related("region").order_by("region__code", "name")
        if user is not None and getattr(user, "department_id", None):
            qs = qs.filter(tenant_id=user.department.tenant_id).exclude(pk=user.department_id)
        field = self.fields["referred_department"]
        if not isinstance(field, forms.ModelChoiceField):
            raise TypeError("invariant: a ModelChoiceField")
        field.queryset = qs
        field.widget.attrs["data-fill"] = "referral"

    def clean(self) -> dict[str, Any]:
        """CAS-8: a department picked from the directory fills in its name, address and phone (what the
        clerk typed takes precedence)."""
        data = super().clean() or {}
        dept = data.pop("referred_department", None)
        if dept is not None:
            data["referred_office"] = data.get("referred_office") or dept.name
            data["referred_address"] = data.get("referred_address") or dept.address
            data["referred_contact"] = data.get("referred_contact") or dept.phone
        return data


class TrackForm(forms.Form):
    tracking_number = forms.CharField(label=_("办件编号"), max_length=40)
    code = forms.CharField(label=_("查询码"), max_length=6, min_length=6)
