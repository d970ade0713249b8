"""Forms of oversight's pages. They give each page its fields and typed values; the rules live in
the actions, whose ValidationErrors the views attach to these forms (`errors_to_form`)."""

from __future__ import annotations

__all__ = [
    "AssignmentActionForm",
    "ExemptionApplyForm",
    "ExemptionDecideForm",
    "RecordForm",
    "RectificationOpenForm",
    "TaskAssignForm",
    "errors_to_form",
]

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.scoping import region_subtree_q
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, User
from xiaoneng.oversight.choices import (
    AccountabilitySource,
    ExemptionCondition,
    ExemptionDecision,
    NegativeListCase,
    RectificationOrigin,
    Sanction,
    TaskSource,
)
from xiaoneng.oversight.inputs import MAX_LIMIT_DAYS
from xiaoneng.oversight.permissions import sanctions_imposable

MESSAGES = {
    "required": _("请填写此项。"),
    "max_length": _("不能超过%(limit_value)d个字（现有%(show_value)d个字）。"),
    "invalid_choice": _("请从列表中选择。"),
    "invalid": _("填写的内容格式不正确。"),
    "invalid_list": _("请从列表中选择。"),
    "min_value": _("不能小于%(limit_value)s。"),
    "max_value": _("不能大于%(limit_value)s。"),
    "null_characters_not_allowed": _("内容中含有无法识别的字符。"),
}
EMPTY = _("请选择")


def _plain(form: forms.Form) -> None:
    for f in form.fields.values():
        f.error_messages = {**f.error_messages, **MESSAGES}


def departments_in_reach(user: Any) -> QuerySet[Department]:
    """Departments of the user's region subtree (the office, leaders), or the user's own (a head)."""
    qs = Department.objects.select_related("region").order_by("region__path", "name", "id")
    if user.is_superuser:
        return qs
    if user.region_id:
        return qs.filter(region_subtree_q("region__path", user.region.path))
    if user.department_id:
        return qs.filter(pk=user.department_id)
    return qs.none()


def staff_in_reach(user: Any) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, department__in=departments_in_reach(user))
        .exclude(role=Role.APPLICANT)
        .select_related("department")
        .order_by("department__name", "username")
    )


def leaders_in_reach(user: Any) -> QuerySet[User]:
    q = User.objects.filter(is_active=True, role__in=(Role.DEPT_HEAD, Role.LEADER))
    if user.is_superuser:
        return q.order_by("username")
    depts = departments_in_reach(user)
    region = user.region.path if user.region_id else None
    cond = Q(department__in=depts)
    if region:
        cond |= Q(role=Role.LEADER, region__path=region)
    return q.filter(cond).order_by("username")


class _UserChoice(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name}（{obj.department or obj.get_role_display()}）"


def errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError on the form: keyed messages next to their fields (when the form
    has them), the rest at the top."""
    if hasattr(exc, "error_dict"):
        for key, msgs in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, msgs)
    else:
        form.add_error(None, exc.messages)


class RectificationOpenForm(forms.Form):
    origin = forms.ChoiceField(
        label=_("问题来源"), choices=[c for c in RectificationOrigin.choices if c[0] != "system"]
    )
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=Department.objects.none(), empty_label=EMPTY)
    title = forms.CharField(label=_("标题"), max_length=200)
    problem = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    measures = forms.CharField(
        label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )
    owner = _UserChoice(label=_("整改责任人"), queryset=User.objects.none(), required=False, empty_label=EMPTY)
    limit = forms.IntegerField(
        label=_("整改时限（工作日）"),
        min_value=1,
        max_value=MAX_LIMIT_DAYS,
        required=False,
        help_text=_("不填写期限的，默认15个工作日。"),
    )
    due = forms.DateField(label=_("或整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_in_reach(user)  # type: ignore[attr-defined]
        self.fields["owner"].queryset = staff_in_reach(user)  # type: ignore[attr-defined]
        _plain(self)


class TaskAssignForm(forms.Form):
    title = forms.CharField(label=_("督办事项"), max_length=200)
    source = forms.ChoiceField(label=_("任务来源"), choices=[("", EMPTY), *TaskSource.choices])
    source_ref = forms.CharField(label=_("来源文号"), max_length=100, required=False)
    requirement = forms.CharField(label=_("督办要求"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    departments = forms.ModelMultipleChoiceField(
        label=_("承办部门"), queryset=Department.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    limit = forms.IntegerField(
        label=_("办理时限（工作日）"),
        min_value=1,
        max_value=MAX_LIMIT_DAYS,
        required=False,
        help_text=_("不填写期限的，默认15个工作日。"),
    )
    due = forms.DateField(label=_("或办结期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments_in_reach(user)  # type: ignore[attr-defined]
        _plain(self)


class AssignmentActionForm(forms.Form):
    """One form for the actions on a share (the page posts `action` and `assignment`)."""

    text = forms.CharField(max_length=5000, required=False)
    note = forms.CharField(max_length=2000, required=False)
    reason = forms.CharField(max_length=2000, required=False)
    days = forms.IntegerField(min_value=1, max_value=MAX_LIMIT_DAYS, required=False)
    file = forms.FileField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self)


class RecordForm(forms.Form):
    source_kind = forms.ChoiceField(label=_("问责来源"), choices=AccountabilitySource.choices)
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.none(), empty_label=EMPTY)
    person = _UserChoice(label=_("责任人（当事人）"), queryset=User.objects.none(), required=False, empty_label=EMPTY)
    leader = _UserChoice(label=_("相关领导"), queryset=User.objects.none(), required=False, empty_label=EMPTY)
    sanction = forms.ChoiceField(label=_("问责方式"), choices=[("", EMPTY), *Sanction.choices])
    reason = forms.CharField(label=_("问责事由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    negative_case = forms.ChoiceField(label=_("负面清单情形"), choices=NegativeListCase.choices, required=False)
    serious = forms.BooleanField(label=_("造成重大损失或不良影响"), required=False)
    wilful = forms.BooleanField(label=_("明知故犯或谋取私利"), required=False)
    publish = forms.BooleanField(label=_("通报曝光"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_in_reach(user)  # type: ignore[attr-defined]
        self.fields["person"].queryset = staff_in_reach(user)  # type: ignore[attr-defined]
        self.fields["leader"].queryset = leaders_in_reach(user)  # type: ignore[attr-defined]
        # ACC-1: only the rungs of the ladder this user may impose are offered; a value posted from
        # outside them gets a clear refusal (clean_sanction) instead of Django's "not a valid choice"
        self.allowed_sanctions = sanctions_imposable(user)
        self.fields["sanction"].widget.choices = [
            ("", EMPTY),
            *[(s, Sanction(s).label) for s in self.allowed_sanctions],
        ]
        _plain(self)

    def clean_sanction(self) -> str:
        value = str(self.cleaned_data["sanction"])
        if value not in self.allowed_sanctions:
            raise ValidationError(
                _("您无权作出“%(s)s”的问责决定，请从列表中选择。") % {"s": Sanction(value).label}, code="not_allowed"
            )
        return value


class ExemptionApplyForm(forms.Form):
    conditions = forms.MultipleChoiceField(
        label=_("申请容错的情形"), choices=ExemptionCondition.choices, widget=forms.CheckboxSelectMultiple
    )
    statement = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    file = forms.FileField(label=_("证明材料（可选）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self)


class ExemptionDecideForm(forms.Form):
    confirmed = forms.MultipleChoiceField(
        label=_("经审查认定成立的情形"),
        choices=ExemptionCondition.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    decision = forms.ChoiceField(label=_("审查决定"), choices=[("", EMPTY), *ExemptionDecision.choices])
    mitigated_to = forms.ChoiceField(
        label=_("从轻后的问责方式"), choices=[("", EMPTY), *Sanction.choices], required=False
    )
    note = forms.CharField(label=_("审查意见"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def __init__(self, *args: Any, claimed: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if claimed is not None:
            self.fields["confirmed"].choices = [c for c in ExemptionCondition.choices if c[0] in claimed]  # type: ignore[attr-defined]
        _plain(self)
