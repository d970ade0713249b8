"""Input checks of the proposal and decision actions: every bad value becomes one clear translated
message (never a 500, nothing half-written), and the month arithmetic of reply periods (PRP-2)."""

from __future__ import annotations

__all__ = ["EARLIEST", "MAX_TEXT", "add_months", "check_choice", "check_date", "check_text"]

import calendar
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_TEXT = 5000
EARLIEST = date(2000, 1, 1)


def check_text(value: Any, *, label: str, max_length: int = MAX_TEXT, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(_("请填写%(label)s。") % {"label": label}, code="required")
    if len(text) > max_length:
        raise ValidationError(_("%(label)s不能超过%(n)d个字。") % {"label": label, "n": max_length}, code="max_length")
    if "\x00" in text:
        raise ValidationError(_("%(label)s含有不能识别的字符。") % {"label": label}, code="control")
    return text


def check_date(value: Any, *, label: str, earliest: date = EARLIEST, latest: date) -> date:
    if not isinstance(value, date):
        raise ValidationError(_("请填写正确的%(label)s。") % {"label": label}, code="date")
    if value < earliest or value > latest:
        raise ValidationError(
            _("%(label)s应在%(a)s至%(b)s之间。") % {"label": label, "a": earliest, "b": latest}, code="date_range"
        )
    return value


def check_choice(value: Any, *, choices: Any, label: str) -> str:
    text = str(value or "")
    if text not in choices.values:
        raise ValidationError(_("请选择%(label)s。") % {"label": label}, code="choice")
    return text


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, on the same day of the month or the month's last day
    (2026-08-31 + 6 months = 2027-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
