"""Forms of the complaint pages. Validation that matters lives in the services; these forms give the
page its fields and show the services' messages next to them."""

from __future__ import annotations

__all__ = ["CallbackForm", "ComplainForm", "RegisterForm"]

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoneng.orgs.choices import DEPARTMENT_ROLES
from xiaoneng.orgs.models import Department, User

from .choices import Channel, Kind, Satisfaction


class ComplainForm(forms.Form):
    label_suffix = ""  # Chinese labels take no ASCII colon
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, initial=Kind.EFFICIENCY)
    title = forms.CharField(label=_("标题"), max_length=200)
    content = forms.CharField(label=_("投诉内容"), widget=forms.Textarea(attrs={"rows": 6}))
    case_number = forms.CharField(label=_("相关办件编号（可选）"), max_length=40, required=False)
    department = forms.ModelChoiceField(
        label=_("被投诉部门（可选）"), queryset=Department.objects.order_by("name"), required=False
    )
    anonymous = forms.BooleanField(label=_("匿名投诉（匿名投诉无法回访）"), required=False)
    hide_from_department = forms.BooleanField(
        label=_("对被投诉部门保密我的身份"),
        required=False,
        help_text=_("被投诉部门看不到您的姓名、电话和相关办件，只有投诉受理机构（效能办）为回访而知悉。"),
    )
    name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class RegisterForm(ComplainForm):
    channel = forms.ChoiceField(
        label=_("来源渠道"),
        choices=[(c.value, c.label) for c in Channel if c not in (Channel.WEB, Channel.OPEN311)],
    )
    staff = forms.ModelChoiceField(
        label=_("被投诉工作人员（可选）"),
        queryset=User.objects.filter(role__in=DEPARTMENT_ROLES, is_active=True).order_by("department__name", "id"),
        required=False,
        help_text=_("选择工作人员时，被投诉部门默认为其所在部门。"),
    )
    field_order = ["channel", "kind", "title", "content", "case_number", "department", "staff"]


class CallbackForm(forms.Form):
    label_suffix = ""
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=Satisfaction.choices)
    note = forms.CharField(label=_("回访记录"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
