"""Input checks shared by the services (ENT-8): each bad value becomes one clear translated message
keyed by its field, never a 500, nothing half-written."""

from __future__ import annotations

__all__ = ["EARLIEST", "MAX_TEXT", "check_choice", "check_credit_code", "check_date", "check_text"]

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.orgs.validators import validate_credit_code

MAX_TEXT = 2000
EARLIEST = date(2000, 1, 1)


def check_text(value: Any, *, field: str, label: str, max_length: int = MAX_TEXT, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}}, code="required")
    if len(text) > max_length:
        raise ValidationError(
            {field: _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": max_length}}, code="max_length"
        )
    return text


def check_credit_code(value: Any, *, field: str = "credit_code") -> str:
    """ENT-1: 18 characters of the GB 32100-2015 alphabet with a correct check character."""
    code = str(value or "").strip().upper()
    if not code:
        raise ValidationError({field: _("请填写统一社会信用代码。")}, code="required")
    if len(code) > 18:
        raise ValidationError({field: _("统一社会信用代码应为18位。")}, code="format")
    try:
        validate_credit_code(code)
    except ValidationError as e:
        raise ValidationError({field: e.messages}) from None
    return code


def check_date(value: Any, *, field: str, label: str, earliest: date = EARLIEST, latest: date | None = None) -> date:
    """A date between `earliest` and `latest` (today unless given): ENT-8."""
    day: date
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value or "").strip()[:10])
        except ValueError:
            raise ValidationError(
                {field: _("%(label)s格式不正确，应为年-月-日。") % {"label": label}}, code="date"
            ) from None
    latest = latest or timezone.localdate()
    if day < earliest or day > latest:
        raise ValidationError(
            {field: _("%(label)s应在%(a)s至%(b)s之间。") % {"label": label, "a": earliest, "b": latest}},
            code="date_range",
        )
    return day


def check_choice(value: Any, choices: Any, *, field: str, label: str) -> Any:
    """A value of an IntegerChoices or TextChoices; "3", 3 and 3.0 are the same integer, NaN is not one."""
    if isinstance(choices.values[0], int):
        try:
            number = float(str(value).strip())
            v: Any = int(number) if number == int(number) else None
        except (TypeError, ValueError, OverflowError):
            v = None
    else:
        v = str(value or "")
    if v not in choices.values:
        raise ValidationError({field: _("请选择有效的%(label)s。") % {"label": label}}, code="choice")
    return choices(v)
