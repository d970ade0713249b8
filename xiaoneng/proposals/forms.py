"""Forms of the proposals and decisions pages: they parse input; the actions validate the rules."""

from __future__ import annotations

__all__ = [
    "AdoptForm",
    "CommentForm",
    "DecisionForm",
    "FeedbackForm",
    "LegalityForm",
    "OpinionForm",
    "ProposalForm",
    "PublishForm",
    "ReplyForm",
    "StepForm",
]

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoneng.orgs.models import Department
from xiaoneng.proposals.choices import LegalityResult, ProposalKind, ReplyCategory, Satisfaction, StepKind

DATE = forms.DateInput(attrs={"type": "date"})


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=ProposalKind.choices)
    session = forms.CharField(label=_("届次会议"), max_length=60)
    number = forms.CharField(label=_("编号"), max_length=40)
    title = forms.CharField(label=_("标题"), max_length=200)
    proposer = forms.CharField(label=_("代表或委员"), max_length=200)
    content = forms.CharField(label=_("内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    urgent = forms.BooleanField(label=_("紧急办理"), required=False)
    lead_department = forms.ModelChoiceField(label=_("主办单位"), queryset=Department.objects.none())
    cohandlers = forms.ModelMultipleChoiceField(
        label=_("协办单位"), queryset=Department.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["cohandlers"].queryset = departments  # type: ignore[attr-defined]


class OpinionForm(forms.Form):
    opinion = forms.CharField(label=_("协办意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(forms.Form):
    category = forms.ChoiceField(label=_("答复类别"), choices=ReplyCategory.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("答复内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class FeedbackForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("代表委员意见"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("反馈说明（不满意时必填）"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("决策事项"), max_length=200)
    description = forms.CharField(label=_("决策草案说明"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    expert_not_required = forms.CharField(
        label=_("不需专家论证的理由（需要论证的请留空）"), max_length=500, required=False
    )
    risk_not_required = forms.CharField(
        label=_("不需风险评估的理由（需要评估的请留空）"), max_length=500, required=False
    )


class PublishForm(forms.Form):
    days = forms.IntegerField(label=_("征求意见天数"), min_value=1, max_value=366, initial=30)
    short_reason = forms.CharField(label=_("少于30日的理由"), max_length=500, required=False)


class StepForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("程序"),
        choices=[(k.value, k.label) for k in (StepKind.PUBLIC, StepKind.EXPERT, StepKind.RISK)],
    )
    summary = forms.CharField(label=_("情况说明"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class LegalityForm(forms.Form):
    result = forms.ChoiceField(label=_("审查结论"), choices=LegalityResult.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("审查意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class AdoptForm(forms.Form):
    meeting = forms.CharField(label=_("决定会议"), max_length=100)
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE)
    text = forms.CharField(label=_("决定内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    name = forms.CharField(label=_("称呼（可不填）"), max_length=50, required=False)
    text = forms.CharField(label=_("意见建议"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
