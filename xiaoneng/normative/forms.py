"""Forms of the normative workbench pages: they parse input; the actions validate the rules."""

from __future__ import annotations

__all__ = ["EvaluateForm", "FileForm", "PublishForm", "ReviewForm", "SubmitForm"]

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoneng.normative.choices import EvaluationOutcome, FilingBody, ReviewOutcome

DATE = forms.DateInput(attrs={"type": "date"})


class SubmitForm(forms.Form):
    title = forms.CharField(label=_("文件名称"), max_length=200)
    summary = forms.CharField(label=_("主要内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("审核结论"), choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(
        label=_("审核意见（修改后通过须写明修改意见，不予通过须写明理由）"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PublishForm(forms.Form):
    number = forms.CharField(label=_("文号"), max_length=60)
    published_on = forms.DateField(label=_("发布日期"), widget=DATE)
    effective_from = forms.DateField(label=_("施行日期"), widget=DATE)
    valid_years = forms.IntegerField(label=_("有效期（年）"), min_value=1, max_value=5, initial=5)


class FileForm(forms.Form):
    filed_with = forms.ChoiceField(label=_("备案机关"), choices=FilingBody.choices)
    filed_on = forms.DateField(label=_("报送备案日期"), widget=DATE)
    filing_ref = forms.CharField(label=_("备案登记号"), max_length=60, required=False)


class EvaluateForm(forms.Form):
    outcome = forms.ChoiceField(label=_("评估结论"), choices=EvaluationOutcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("评估意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    valid_until = forms.DateField(label=_("新的有效期至（继续有效时填写）"), required=False, widget=DATE)
