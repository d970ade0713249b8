"""Forms of the workbench pages: they parse input; the actions validate the rules."""

from __future__ import annotations

__all__ = [
    "BaselineForm",
    "CertificateForm",
    "CheckForm",
    "EntryForm",
    "FilingForm",
    "InspectionForm",
    "NoticeForm",
    "PenaltyForm",
    "officials_field",
]

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xiaoneng.catalog.choices import ItemType, VersionStatus
from xiaoneng.catalog.models import Item
from xiaoneng.core.uploads import MultipleFileField
from xiaoneng.inspections.choices import Exemption, FilingStatus, InspectionKind, Tier
from xiaoneng.inspections.models import (
    DiscretionTier,
    FirstViolationEntry,
    FirstViolationNotice,
    Inspection,
    InspectionFiling,
)
from xiaoneng.orgs.choices import STAFF_ROLES
from xiaoneng.orgs.models import Department, User

DATE = forms.DateInput(attrs={"type": "date"})


class _UserChoices(forms.ModelMultipleChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name or obj.username)


class _ItemChoice(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.published.name if obj.published else obj.implementing_code)


def published_items(department: Department | None, item_type: str) -> QuerySet[Item]:
    if department is None:
        return Item.objects.none()
    return Item.objects.filter(
        department=department, published__status=VersionStatus.PUBLISHED, published__item_type=item_type
    ).select_related("published")


def officials_field(department: Department | None) -> _UserChoices:
    qs = (
        User.objects.filter(department=department, is_active=True, role__in=STAFF_ROLES)
        if department
        else User.objects.none()
    )
    return _UserChoices(
        label=_("执法人员"), queryset=qs.order_by("username"), widget=forms.CheckboxSelectMultiple, required=False
    )


class FilingForm(forms.Form):
    item = _ItemChoice(label=_("检查事项（权力清单）"), queryset=Item.objects.none())
    enterprise_name = forms.CharField(label=_("企业名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    planned_date = forms.DateField(label=_("计划检查日期"), widget=DATE)
    purpose = forms.CharField(label=_("检查事由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, department: Department | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = published_items(department, ItemType.INSPECTION)
        cast("forms.ModelChoiceField[Any]", self.fields["item"]).queryset = items
        self.fields["officials"] = officials_field(department)


class InspectionForm(forms.Form):
    filing = forms.ModelChoiceField(label=_("检查备案"), queryset=InspectionFiling.objects.none(), required=False)
    item = _ItemChoice(label=_("检查事项（无备案时填写）"), queryset=Item.objects.none(), required=False)
    enterprise_name = forms.CharField(label=_("企业名称（无备案时填写）"), max_length=200, required=False)
    credit_code = forms.CharField(label=_("统一社会信用代码（无备案时填写）"), max_length=18, required=False)
    inspected_on = forms.DateField(label=_("检查日期"), widget=DATE)
    exemption = forms.ChoiceField(label=_("免予备案情形"), choices=Exemption.choices, required=False)
    summary = forms.CharField(label=_("检查情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    evidence = MultipleFileField(label=_("佐证材料"))

    def __init__(self, *args: Any, department: Department | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["filing"]).queryset = InspectionFiling.objects.filter(
            department=department, status=FilingStatus.FILED
        )
        items = published_items(department, ItemType.INSPECTION)
        cast("forms.ModelChoiceField[Any]", self.fields["item"]).queryset = items
        self.fields["officials"] = officials_field(department)


class CertificateForm(forms.Form):
    holder = forms.ModelChoiceField(label=_("持证人"), queryset=User.objects.none())
    number = forms.CharField(label=_("执法证号"), max_length=30)
    scope_text = forms.CharField(label=_("执法范围"), max_length=200)
    valid_from = forms.DateField(label=_("有效期起"), widget=DATE)
    valid_to = forms.DateField(label=_("有效期至"), widget=DATE)

    def __init__(self, *args: Any, holders: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["holder"]).queryset = holders


class _EntryChoice(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.item_name} — {obj.circumstance[:40]}"


class NoticeForm(forms.Form):
    entry = _EntryChoice(label=_("首违不罚事项"), queryset=FirstViolationEntry.objects.none())
    enterprise_name = forms.CharField(label=_("企业名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    facts = forms.CharField(label=_("违法事实"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    inspection = forms.ModelChoiceField(label=_("检查记录（可选）"), queryset=Inspection.objects.none(), required=False)

    def __init__(self, *args: Any, department: Department | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["entry"]).queryset = FirstViolationEntry.objects.filter(
            department=department, active=True
        )
        cast("forms.ModelChoiceField[Any]", self.fields["inspection"]).queryset = Inspection.objects.filter(
            department=department, kind=InspectionKind.ENTERPRISE
        )
        self.fields["officials"] = officials_field(department)


class EntryForm(forms.Form):
    item = _ItemChoice(label=_("处罚事项（权力清单）"), queryset=Item.objects.none())
    circumstance = forms.CharField(label=_("适用情形"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    rectify_days = forms.IntegerField(label=_("整改期限（工作日）"), min_value=1, max_value=90, initial=10)

    def __init__(self, *args: Any, items: QuerySet[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["item"]).queryset = items


class CheckForm(forms.Form):
    """INS-9: 明察暗访 / 交叉检查 (the office) or 自查自纠 (the department)."""

    kind = forms.ChoiceField(label=_("检查类型"))
    department = forms.ModelChoiceField(label=_("被检查单位"), queryset=Department.objects.none())
    inspected_on = forms.DateField(label=_("检查日期"), widget=DATE)
    summary = forms.CharField(label=_("检查情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    findings = forms.CharField(
        label=_("发现问题（每行一个，每个问题开具一项整改）"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence = MultipleFileField(label=_("佐证材料"))

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], departments: QuerySet[Department], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = kinds
        cast("forms.ModelChoiceField[Any]", self.fields["department"]).queryset = departments


class _TierChoice(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.baseline.item_name} · {obj.get_tier_display()} · {obj.fine_min}–{obj.fine_max}"


class PenaltyForm(forms.Form):
    tier = _TierChoice(label=_("裁量阶次"), queryset=DiscretionTier.objects.none())
    enterprise_name = forms.CharField(label=_("企业名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    facts = forms.CharField(label=_("违法事实"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    # a CharField: the action turns NaN, negative or oversized amounts into one clear message
    amount = forms.CharField(label=_("罚款金额（元）"), max_length=20)
    notice = forms.ModelChoiceField(
        label=_("首违告诫（逾期未整改的）"), queryset=FirstViolationNotice.objects.none(), required=False
    )

    def __init__(self, *args: Any, department: Department | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["tier"]).queryset = DiscretionTier.objects.filter(
            baseline__department=department
        ).select_related("baseline")
        cast("forms.ModelChoiceField[Any]", self.fields["notice"]).queryset = FirstViolationNotice.objects.filter(
            department=department
        )
        self.fields["officials"] = officials_field(department)


class BaselineForm(forms.Form):
    item = _ItemChoice(label=_("处罚事项（权力清单）"), queryset=Item.objects.none())
    basis = forms.CharField(label=_("裁量依据"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, items: QuerySet[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["item"]).queryset = items
        for value, label in Tier.choices:
            self.fields[f"{value}_circumstance"] = forms.CharField(
                label=_("%(tier)s：适用情形") % {"tier": label}, max_length=500, required=False
            )
            self.fields[f"{value}_min"] = forms.CharField(
                label=_("%(tier)s：罚款下限") % {"tier": label}, max_length=20, required=False
            )
            self.fields[f"{value}_max"] = forms.CharField(
                label=_("%(tier)s：罚款上限") % {"tier": label}, max_length=20, required=False
            )

    def tiers(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        return [
            {"tier": v, "circumstance": d[f"{v}_circumstance"], "fine_min": d[f"{v}_min"], "fine_max": d[f"{v}_max"]}
            for v in Tier.values
            if d.get(f"{v}_circumstance") or d.get(f"{v}_min") or d.get(f"{v}_max")
        ]
