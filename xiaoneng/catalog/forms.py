"""Forms of the staff editor. They only convert input; every rule is checked by the services."""

from __future__ import annotations

__all__ = [
    "DisposalForm",
    "FeeEntryForm",
    "FeeFormSet",
    "ImportForm",
    "ItemNewForm",
    "LegalBasisFormSet",
    "MaterialFormSet",
    "ReviewForm",
    "SpecialFormSet",
    "StageFormSet",
    "StepFormSet",
    "VersionForm",
]

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoneng.catalog.choices import (
    SPECIAL_PROCEDURE_KINDS,
    CaseKind,
    Disposal,
    GovLevel,
    ItemType,
    JoinPolicy,
    LimitUnit,
    MaterialForm,
    MaterialKind,
    MaterialSource,
    OnlineDepth,
    OnTimeout,
    ResultType,
)
from xiaoneng.orgs.choices import Role

TEXTAREA = forms.Textarea(attrs={"rows": 2})
STEP_ROLES = [("", "—")] + [(r.value, r.label) for r in Role if r != Role.APPLICANT]


class VersionForm(forms.Form):
    name = forms.CharField(label=_("事项名称"), max_length=200)
    item_type = forms.ChoiceField(label=_("事项类型"), choices=ItemType.choices)
    region = forms.CharField(label=_("服务区划代码"), max_length=12)
    gov_level = forms.ChoiceField(label=_("行使层级"), choices=GovLevel.choices, initial=GovLevel.CITY)
    statutory_limit = forms.IntegerField(label=_("法定办结时限"), required=False, min_value=0)
    statutory_unit = forms.ChoiceField(label=_("法定时限单位"), choices=LimitUnit.choices)
    statutory_note = forms.CharField(label=_("法定时限说明"), required=False, max_length=300)
    committed_limit = forms.IntegerField(label=_("承诺办结时限"), required=False, min_value=0)
    committed_unit = forms.ChoiceField(label=_("承诺时限单位"), choices=LimitUnit.choices)
    committed_note = forms.CharField(label=_("承诺时限说明"), required=False, max_length=300)
    committed_justification = forms.CharField(
        label=_("承诺时限未压缩三分之一的理由"),
        required=False,
        widget=TEXTAREA,  # CAT-4
    )
    acceptance_conditions = forms.CharField(label=_("受理条件"), required=False, widget=TEXTAREA)
    quantity_limits = forms.CharField(label=_("数量限制"), required=False, widget=TEXTAREA)
    case_kind = forms.ChoiceField(label=_("办件类型"), choices=CaseKind.choices, initial=CaseKind.COMMITTED)
    visits = forms.IntegerField(label=_("到办事现场次数"), min_value=0, initial=1)
    place = forms.CharField(label=_("办理地点"), required=False, max_length=300)
    hours = forms.CharField(label=_("办理时间"), required=False, max_length=300)
    enquiry_channel = forms.CharField(label=_("咨询方式"), required=False, max_length=300)
    complaint_channel = forms.CharField(label=_("投诉渠道"), required=False, max_length=300)
    online_depth = forms.ChoiceField(label=_("网上办理深度"), choices=OnlineDepth.choices, initial=OnlineDepth.ACCEPT)
    result_type = forms.ChoiceField(label=_("办理结果类型"), choices=[("", "—"), *ResultType.choices], required=False)
    result_name = forms.CharField(label=_("办理结果名称"), required=False, max_length=200)
    is_public = forms.BooleanField(label=_("向社会公开"), required=False, initial=True)
    non_public_reason = forms.CharField(label=_("不予公开理由"), required=False, widget=TEXTAREA)
    themes = forms.CharField(label=_("主题（用顿号分隔）"), required=False, max_length=300)


class ItemNewForm(VersionForm):
    department: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("实施主体"), queryset=None)
    base_code = forms.CharField(
        label=_("基本编码"), max_length=20, help_text=_("如 511A0138000000、511Z07001006 或 G-000007-001。")
    )
    implementing_code = forms.CharField(
        label=_("实施编码"),
        max_length=64,
        help_text=_("如 511A0138000000-511602000000-000-115113010833722043-1-00，原样保存。"),
    )
    field_order = ["department", "base_code", "implementing_code"]

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class LegalBasisForm(forms.Form):
    law = forms.CharField(label=_("法律法规名称"), required=False, max_length=200)
    article = forms.CharField(label=_("条款"), required=False, max_length=100)
    text = forms.CharField(label=_("条款内容"), required=False, widget=TEXTAREA)


class MaterialRowForm(forms.Form):
    name = forms.CharField(label=_("材料名称"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("材料类型"), choices=MaterialKind.choices, initial=MaterialKind.OTHER)
    form = forms.ChoiceField(label=_("材料形式"), choices=MaterialForm.choices)
    required = forms.BooleanField(label=_("必需"), required=False, initial=True)
    source = forms.ChoiceField(label=_("来源渠道"), choices=MaterialSource.choices)
    copies = forms.IntegerField(label=_("份数"), min_value=1, initial=1)
    instructions = forms.CharField(label=_("填报须知"), required=False, widget=TEXTAREA)
    legal_basis = forms.CharField(label=_("材料依据"), required=False, max_length=300)


class FeeForm(forms.Form):
    name = forms.CharField(label=_("收费项目"), required=False, max_length=200)
    lower = forms.DecimalField(label=_("下限（元）"), required=False, min_value=0, decimal_places=2)
    upper = forms.DecimalField(label=_("上限（元）"), required=False, min_value=0, decimal_places=2)
    basis = forms.CharField(label=_("收费依据"), required=False, max_length=300)  # CAT-7
    reducible = forms.BooleanField(label=_("可减免"), required=False)


class SpecialForm(forms.Form):
    kind = forms.ChoiceField(label=_("特别程序"), choices=[("", "—"), *SPECIAL_PROCEDURE_KINDS], required=False)
    max_days = forms.IntegerField(label=_("最长时限（工作日）"), required=False, min_value=1)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class StageForm(forms.Form):
    name = forms.CharField(label=_("阶段名称"), required=False, max_length=100)
    join_policy = forms.ChoiceField(label=_("会签方式"), choices=JoinPolicy.choices)
    quorum = forms.IntegerField(label=_("法定人数"), required=False, min_value=1)


def _post_label(post: Any) -> str:
    department = post.department
    return f"{department.short_name or department.name} · {post.name}"


class StepForm(forms.Form):
    stage = forms.IntegerField(label=_("所属阶段序号"), required=False, min_value=1)
    name = forms.CharField(label=_("环节名称"), required=False, max_length=100)
    department: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("办理部门"), queryset=None, required=False, empty_label=_("（实施主体）")
    )
    post: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("岗位"), queryset=None, required=False, empty_label="—"
    )
    role = forms.ChoiceField(label=_("角色"), choices=STEP_ROLES, required=False)
    limit_days = forms.IntegerField(label=_("时限（工作日）"), required=False, min_value=0)
    supervision_point = forms.CharField(label=_("监察点"), required=False, max_length=300)
    applicant_rights = forms.CharField(label=_("申请人权利"), required=False, max_length=300)
    on_timeout = forms.ChoiceField(label=_("超时处理"), choices=OnTimeout.choices, initial=OnTimeout.ESCALATE)

    def __init__(self, *args: Any, departments: Any = None, posts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["post"].queryset = posts  # type: ignore[attr-defined]
        # the department's short name keeps the post legible in a narrow select
        self.fields["post"].label_from_instance = _post_label  # type: ignore[attr-defined]


LegalBasisFormSet = forms.formset_factory(LegalBasisForm, extra=2, can_delete=True)
MaterialFormSet = forms.formset_factory(MaterialRowForm, extra=2, can_delete=True)
FeeFormSet = forms.formset_factory(FeeForm, extra=1, can_delete=True)
SpecialFormSet = forms.formset_factory(SpecialForm, extra=1, can_delete=True)
StageFormSet = forms.formset_factory(StageForm, extra=2, can_delete=True)
StepFormSet = forms.formset_factory(StepForm, extra=3, can_delete=True)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"), choices=[("approve", _("审核通过")), ("return", _("退回修改"))], widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("审核意见 / 退回理由"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("事项目录文件（.xlsx、.zip 或 .csv）"))
    department: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("实施主体（文件未填写时使用）"), queryset=None, required=False, empty_label=_("按文件填写的实施主体")
    )
    publish = forms.BooleanField(label=_("直接公布（仅限系统管理员集中登记）"), required=False)

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class FeeEntryForm(forms.Form):
    """A new entry of the fee catalog (收费目录); the service checks the rules."""

    code = forms.CharField(label=_("目录编号"), max_length=40, required=False)
    name = forms.CharField(label=_("收费项目名称"), max_length=200)
    collector = forms.CharField(label=_("执收单位"), max_length=200, required=False)
    legal_basis = forms.CharField(label=_("政策依据"), max_length=300)
    standard = forms.CharField(label=_("收费标准"), widget=TEXTAREA, required=False, max_length=2000)
    lower = forms.DecimalField(label=_("收费标准下限（元）"), min_value=0, max_digits=12, decimal_places=2)
    upper = forms.DecimalField(label=_("收费标准上限（元）"), min_value=0, max_digits=12, decimal_places=2)
    approving_document = forms.CharField(label=_("批准文件"), max_length=300)
    valid_from = forms.DateField(label=_("执行起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("执行截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class DisposalForm(forms.Form):
    """Cancel, delegate or entrust an item (CAT-DIS-1); the service checks the rules."""

    disposal = forms.ChoiceField(label=_("实施状态"), choices=Disposal.choices, required=False)
    document = forms.CharField(label=_("决定文件"), max_length=300, required=False)
    effective = forms.DateField(label=_("生效日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.CharField(label=_("下放至区划（区划代码）"), max_length=12, required=False)
    body = forms.CharField(label=_("承接机关"), max_length=200, required=False)
    target = forms.CharField(label=_("承接事项（实施编码）"), max_length=64, required=False)
    note = forms.CharField(label=_("说明"), widget=TEXTAREA, required=False, max_length=2000)
