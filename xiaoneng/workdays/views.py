"""The administrator's calendar screen (CLK-4, CLK-5): years and their status, the missing-year
warning, entering a year from the State Council notice with a preview, the revisions, a month view."""

from __future__ import annotations

__all__ = ["calendar_confirm", "calendar_index", "calendar_preview", "calendar_year"]

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiaoneng.core.http import AuthedRequest
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.choices import DayKind
from xiaoneng.workdays.forms import NOTICE_EXAMPLE_2027, CalendarNoticeForm
from xiaoneng.workdays.models import CalendarDay, CalendarYear
from xiaoneng.workdays.permissions import access_calendar_year_by_number, require_calendar_manager
from xiaoneng.workdays.selectors import (
    calendar_months,
    calendar_revisions_recent,
    calendar_years_overview,
    clocks_affected_by_years,
)
from xiaoneng.workdays.services import calendar_confirm_year, calendar_missing_next_year


def _require_admin(request: AuthedRequest) -> None:
    require_calendar_manager(request.user)


def _index(request: AuthedRequest, form: CalendarNoticeForm, status: int = 200) -> HttpResponse:
    years = calendar_years_overview()
    return render(
        request,
        "workdays/calendar.html",
        {
            "missing_year": calendar_missing_next_year(),
            "recent_years": years[:6],
            "older_years": years[6:],
            "revisions": calendar_revisions_recent(),
            "form": form,
            "example": NOTICE_EXAMPLE_2027,
        },
        status=status,
    )


@login_required
@require_GET
def calendar_index(request: AuthedRequest) -> HttpResponse:
    _require_admin(request)
    year = calendar_missing_next_year() or timezone.localdate().year + 1
    return _index(request, CalendarNoticeForm(initial={"year": year}))


def _runs(days: dict[date, str]) -> list[dict[str, Any]]:
    """Consecutive days with the same name as one row: 春节 2027-02-05 至 2027-02-13, 9天."""
    runs: list[dict[str, Any]] = []
    for d in sorted(days):
        last = runs[-1] if runs else None
        if last and last["name"] == days[d] and last["last"] + timedelta(days=1) == d:
            last["last"] = d
            last["days"] += 1
        else:
            runs.append({"name": days[d], "first": d, "last": d, "days": 1})
    return runs


@login_required
@require_POST
def calendar_preview(request: AuthedRequest) -> HttpResponse:
    """Parse and show what would change; nothing is written until the administrator confirms."""
    _require_admin(request)
    form = CalendarNoticeForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, form, status=400)
    year: int = form.cleaned_data["year"]
    holidays, makeup = form.parsed
    existing = CalendarYear.objects.filter(year=year).first()
    added: list[date] = []
    removed: list[date] = []
    if existing is not None:
        old = dict(
            CalendarDay.objects.filter(date__year=year, kind__in=[DayKind.HOLIDAY, DayKind.MAKEUP]).values_list(
                "date", "kind"
            )
        )
        new = {**{d: DayKind.HOLIDAY for d in holidays}, **{d: DayKind.MAKEUP for d in makeup}}
        added = sorted(d for d in new if old.get(d) != new[d])
        removed = sorted(d for d in old if d not in new)
    weekdays = sum(
        1
        for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
        if (date(year, 1, 1) + timedelta(i)).weekday() < 5
    )
    workdays = weekdays - sum(1 for d in holidays if d.weekday() < 5) + len(makeup)
    affected = clocks_affected_by_years([year])
    return render(
        request,
        "workdays/calendar_preview.html",
        {
            "form": form,
            "year": year,
            "notice_ref": form.cleaned_data["notice_ref"],
            "text": form.cleaned_data["text"],
            "holiday_runs": _runs(holidays),
            "holiday_count": len(holidays),
            "makeup_days": sorted(makeup),
            "workdays": workdays,
            "existing": existing,
            "added": added,
            "removed": removed,
            "affected": affected.count(),
            "affected_provisional": affected.filter(provisional=True).count(),
        },
    )


@login_required
@require_POST
def calendar_confirm(request: AuthedRequest) -> HttpResponse:
    _require_admin(request)
    form = CalendarNoticeForm(request.POST)
    if form.is_valid():
        year = form.cleaned_data["year"]
        try:
            rev = calendar_confirm_year(
                year=year,
                text=form.cleaned_data["text"],
                notice_ref=form.cleaned_data["notice_ref"],
                actor=request.user,
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(
                request,
                _("已确认%(year)d年放假安排（日历第%(rev)d版）：%(note)s。")
                % {"year": year, "rev": rev.number, "note": rev.note},
            )
            return redirect("workdays:calendar")
    return _index(request, form, status=400)


@login_required
@require_GET
def calendar_year(request: AuthedRequest, year: int) -> HttpResponse:
    """A year month by month: working days, weekends, holidays with their names, make-up days."""
    provisional, row = access_calendar_year_by_number(request.user, year)
    cal = get_calendar()
    return render(
        request,
        "workdays/calendar_year.html",
        {
            "year": year,
            "row": row,
            "provisional": provisional,
            "months": calendar_months(year, cal),
            "workdays": cal.count_working_days(date(year - 1, 12, 31), date(year, 12, 31)),
            "prev_year": year - 1 if year - 1 >= cal.first.year else None,
            "next_year": year + 1 if year + 1 <= cal.last.year else None,
        },
    )
