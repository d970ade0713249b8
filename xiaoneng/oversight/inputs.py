"""Checks on what users type into oversight's forms and API: texts within their lengths, a deadline
given as working days or as a date (turned into working days by the calendar, CAS-10 by default),
evidence files through core.uploads. Each failure is a ValidationError keyed by the field, with a
translated message; the actions call these before writing anything."""

from __future__ import annotations

__all__ = [
    "MAX_LIMIT_DAYS",
    "default_limit",
    "file_check",
    "limit_resolve",
    "text_clean",
]

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.params import MAX_YEAR, MIN_YEAR
from xiaoneng.core.uploads import upload_check
from xiaoneng.workdays.calendar import get_calendar

# No supervised obligation runs longer than a year of working days.
MAX_LIMIT_DAYS = 250


def default_limit() -> int:
    """CAS-10: a leader-assigned task (or a rectification) with no stated limit is due in 15 working
    days; a deployment may configure another default."""
    return int(getattr(settings, "XIAONENG_RECTIFICATION_DAYS", 15))


def text_clean(value: Any, *, field: str, label: str, max_length: int, min_length: int = 1) -> str:
    """The stripped text, refused when empty (or shorter than `min_length`), too long, or holding NUL."""
    text = value.strip() if isinstance(value, str) else ""
    if "\x00" in text:
        raise ValidationError({field: _("%(label)s含有不允许的字符。") % {"label": label}})
    if len(text) < min_length:
        if min_length <= 1:
            raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
        raise ValidationError({field: _("请填写%(label)s（至少%(n)d个字）。") % {"label": label, "n": min_length}})
    if len(text) > max_length:
        raise ValidationError({field: _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": max_length}})
    return text


def limit_resolve(*, days: Any = None, due: date | None = None, field: str = "limit") -> int:
    """The limit in working days: `days` when given, else the working days from today to `due`, else
    the CAS-10 default. Refuses zero, negative, non-integer and absurd values, dates in the past and
    dates outside the years the platform accepts."""
    if days is not None and days != "":
        if isinstance(days, bool) or not isinstance(days, int):
            try:
                days = int(str(days).strip())
            except (TypeError, ValueError):
                raise ValidationError({field: _("时限须为整数个工作日。")}) from None
        if not 1 <= days <= MAX_LIMIT_DAYS:
            raise ValidationError({field: _("时限须在1至%(max)d个工作日之间。") % {"max": MAX_LIMIT_DAYS}})
        return int(days)
    if due is not None:
        if not MIN_YEAR <= due.year <= MAX_YEAR:
            raise ValidationError(
                {"due": _("期限的年份须在%(min)d年至%(max)d年之间。") % {"min": MIN_YEAR, "max": MAX_YEAR}}
            )
        today = timezone.localdate()
        if due <= today:
            raise ValidationError({"due": _("期限须晚于今天。")})
        cal = get_calendar()
        try:
            n = cal.count_working_days(today, due)
        except ValidationError as e:  # the calendar's range error
            raise ValidationError({"due": e.messages}) from None
        if n < 1:
            raise ValidationError({"due": _("期限之前没有工作日，请另选日期。")})
        if n > MAX_LIMIT_DAYS:
            raise ValidationError({"due": _("时限须在1至%(max)d个工作日之间。") % {"max": MAX_LIMIT_DAYS}})
        return n
    return default_limit()


def file_check(file: Any, *, field: str = "file") -> None:
    """An evidence file: the shared type, size and content check (core.uploads)."""
    if file is None:
        return
    try:
        upload_check(file)
    except ValidationError as e:
        raise ValidationError({field: e.messages}) from None
