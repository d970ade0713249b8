"""Who may do what with the working-day calendar, and the one lookup of a calendar year by its number
(conventions §3). Clocks are never looked up by id from user input: each is reached through the
record that owns it, in that record's app and scope."""

from __future__ import annotations

__all__ = ["access_calendar_year_by_number", "can_manage_calendar", "require_calendar_manager"]

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from xiaoneng.orgs.choices import Role
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.models import CalendarYear


def can_manage_calendar(user: Any) -> bool:
    """CLK-4: only system administrators (and superusers) enter or replace a year's schedule."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role == Role.ADMIN)


def require_calendar_manager(user: Any) -> None:
    """403 for everyone but the calendar's managers (CLK-4)."""
    if not can_manage_calendar(user):
        raise PermissionDenied(_("只有系统管理员可以管理工作日历。"))


def access_calendar_year_by_number(user: Any, year: int) -> tuple[bool, CalendarYear | None]:
    """A year of the calendar for its managers: 403 for anyone else, 404 for a year outside the
    calendar's range; else whether it is provisional (CLK-4) and its confirmed row, None while the
    year is computed from the statutory rules only."""
    require_calendar_manager(user)
    cal = get_calendar()
    if not cal.first.year <= year <= cal.last.year:
        raise Http404(_("该年份不在工作日历范围内。"))
    row = CalendarYear.objects.select_related("revision", "confirmed_by").filter(year=year).first()
    return cal.is_provisional(date(year, 1, 1)), row
