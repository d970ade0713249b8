"""Forms of the complaint pages. Validation that matters lives in the services; these forms give the
page its fields and show the services' messages next to them.

The public form speaks to citizens: every message is plain Chinese (Django's own zh-hans messages
say "确保该变量…", which a citizen cannot read), the empty choice says 请选择, and departments are
grouped by their region (<optgroup>), ordered by region then name (issue 9)."""

from __future__ import annotations

__all__ = ["CallbackForm", "ComplainForm", "DepartmentByRegionField", "RegisterForm"]

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from xiaoneng.complaints.actions.intake import MAX_ATTACHMENTS
from xiaoneng.complaints.choices import Channel, Kind, Satisfaction
from xiaoneng.core.uploads import MultipleFileField
from xiaoneng.orgs.choices import DEPARTMENT_ROLES
from xiaoneng.orgs.models import Department, User

EMPTY_LABEL = _("请选择")

# the messages of Django's fields, in words a citizen understands
PLAIN_MESSAGES = {
    "required": _("请填写此项。"),
    "max_length": _("不能超过%(limit_value)d个字（现有%(show_value)d个字）。"),
    "min_length": _("至少需要%(limit_value)d个字（现有%(show_value)d个字）。"),
    "invalid_choice": _("请从列表中选择。"),
    "invalid": _("填写的内容格式不正确。"),
    "null_characters_not_allowed": _("内容中含有无法识别的字符。"),
}


class _ByRegion(ModelChoiceIterator[Department]):
    """Departments as one <optgroup> per region, ordered by region then name."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list[Any]] = {}
        for dept in self.queryset.select_related("region").order_by("region__path", "name", "id"):
            groups.setdefault(dept.region.name, []).append(self.choice(dept))
        yield from groups.items()


class DepartmentByRegionField(forms.ModelChoiceField[Department]):
    iterator = _ByRegion

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Department.objects.select_related("region").order_by("region__path", "name"))
        kwargs.setdefault("empty_label", EMPTY_LABEL)
        super().__init__(**kwargs)


class _PlainMessages:
    """Give every field the plain messages above (a field's own messages win)."""

    fields: dict[str, forms.Field]

    def _plain(self) -> None:
        for field in self.fields.values():
            if isinstance(field, forms.FileField):
                continue  # its messages take other placeholders; files are checked by upload_check
            for code, message in PLAIN_MESSAGES.items():
                # max_length / min_length come from the validators: a field message with their code wins
                if field.error_messages.get(code) in (None, _django_default(field, code)):
                    field.error_messages[code] = message


def _django_default(field: forms.Field, code: str) -> Any:
    for klass in type(field).__mro__:
        default = getattr(klass, "default_error_messages", {}).get(code)
        if default is not None:
            return default
    return None


class ComplainForm(_PlainMessages, forms.Form):
    # issue 9: one-time token of this form: a refresh or second click returns the first complaint
    submission_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, initial=Kind.EFFICIENCY)
    title = forms.CharField(label=_("标题"), max_length=200)
    content = forms.CharField(label=_("投诉内容"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    case_number = forms.CharField(label=_("相关办件编号（可选）"), max_length=40, required=False)
    department = DepartmentByRegionField(label=_("被投诉部门（可选）"), required=False)
    anonymous = forms.BooleanField(label=_("匿名投诉（匿名投诉无法回访）"), required=False)
    hide_from_department = forms.BooleanField(
        label=_("对被投诉部门保密我的身份"),
        required=False,
        help_text=_("被投诉部门看不到您的姓名、电话和相关办件，只有投诉受理机构（效能办）为回访而知悉。"),
    )
    name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    attachments = MultipleFileField(
        label=_("附件（可选）"),
        help_text=_("照片、通知书、收据等，最多%(n)d个，每个不超过10 MB；支持 PDF、JPG、PNG、OFD、Word、Excel。")
        % {"n": MAX_ATTACHMENTS},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # Chinese labels take no ASCII colon (a class attribute is ignored)
        super().__init__(*args, **kwargs)
        self._plain()


class RegisterForm(ComplainForm):
    channel = forms.ChoiceField(
        label=_("来源渠道"),
        choices=[(c.value, c.label) for c in Channel if c not in (Channel.WEB, Channel.OPEN311)],
    )
    staff = forms.ModelChoiceField(
        label=_("被投诉工作人员（可选）"),
        queryset=User.objects.filter(role__in=DEPARTMENT_ROLES, is_active=True)
        .select_related("department")
        .order_by("department__name", "id"),
        required=False,
        empty_label=EMPTY_LABEL,
        help_text=_("选择工作人员时，被投诉部门默认为其所在部门。"),
    )
    field_order = ["channel", "kind", "title", "content", "case_number", "department", "staff"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the office registers calls and letters: no one-time token, no files on this form
        del self.fields["submission_token"]
        del self.fields["attachments"]
        self.fields["staff"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: f"{u.department} · {u}" if u.department_id else str(u)
        )


class CallbackForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=Satisfaction.choices)
    note = forms.CharField(label=_("回访记录"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
