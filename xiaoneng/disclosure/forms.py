"""Forms of the disclosure pages: they parse and bound the input; the rules live in services."""

from __future__ import annotations

__all__ = ["AnswerForm", "RecordForm", "RequestForm", "WindowRequestForm"]

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.uploads import MultipleFileField
from xiaoneng.disclosure.choices import AnswerType, ApplicantKind, Channel, Ground, RecordCategory
from xiaoneng.orgs.models import Department


class RequestForm(forms.Form):
    department = forms.ModelChoiceField(
        # no agency is preselected: a citizen who does not choose one is asked to, rather than filing
        # silently with the first agency of the list
        label=_("向哪个机关申请"),
        queryset=Department.objects.order_by("region__path", "name"),
        empty_label=_("请选择受理机关"),
    )
    applicant_kind = forms.ChoiceField(label=_("申请人类型"), choices=ApplicantKind.choices)
    applicant_name = forms.CharField(label=_("申请人姓名或名称"), max_length=100)
    id_number = forms.CharField(label=_("身份证件号码或统一社会信用代码"), max_length=30, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    email = forms.EmailField(label=_("电子邮箱"), required=False, max_length=254)
    address = forms.CharField(label=_("通信地址"), max_length=200, required=False)
    description = forms.CharField(
        label=_("所需政府信息的名称、文号或便于查询的其他特征性描述"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    # the applicant's files (core.uploads: checked, kept across a failed round by the view)
    attachments = MultipleFileField(
        label=_("附件（可选）"),
        help_text=_("可上传身份证件复印件和证明材料，PDF、JPG、PNG、OFD、Word 或 Excel，每个不超过 10 MB。"),
    )
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class WindowRequestForm(RequestForm):
    channel = forms.ChoiceField(label=_("申请方式"), choices=[c for c in Channel.choices if c[0] != Channel.ONLINE])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["department"]  # the clerk's own department
        del self.fields["attachments"]  # paper documents stay with the file at the window
        del self.fields["submission_token"]


class RecordForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=RecordCategory.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    doc_number = forms.CharField(label=_("文号"), max_length=60, required=False)
    created_on = forms.DateField(label=_("信息形成或变更日期"), widget=forms.DateInput(attrs={"type": "date"}))
    body = forms.CharField(label=_("正文"), max_length=50000, required=False, widget=forms.Textarea(attrs={"rows": 6}))
    link = forms.CharField(label=_("链接"), max_length=300, required=False)
    repealed_on = forms.DateField(label=_("废止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(
        label=_("收费金额（万元）"), required=False, max_digits=14, decimal_places=4, min_value=0
    )


class AnswerForm(forms.Form):
    answer_type = forms.ChoiceField(label=_("答复类型"), choices=AnswerType.choices)
    ground = forms.ChoiceField(label=_("理由"), choices=[("", "—"), *Ground.choices], required=False)
    right_agency = forms.CharField(label=_("负责公开的机关（非本机关负责公开时填写）"), max_length=200, required=False)
    text = forms.CharField(label=_("答复内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
