"""Working-day calendar API: public arithmetic and the calendar's state (CLK-1 … CLK-4), and the
administrator's confirmation of a year's schedule (CLK-4, CLK-5)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from xiaoneng.core.http import AuthedRequest
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.permissions import can_manage_calendar
from xiaoneng.workdays.selectors import calendar_years_overview
from xiaoneng.workdays.services import NoticeParseError, calendar_confirm_year, calendar_parse_notice

router = Router(tags=["workdays"])


class AddOut(Schema):
    start: date
    days: int
    due: date
    provisional: bool
    calendar_revision: int


class DayOut(Schema):
    date: date
    is_workday: bool
    provisional: bool


class YearOut(Schema):
    year: int
    status: str
    notice_ref: str
    revision: int | None


class YearIn(Schema):
    notice_ref: str
    text: str


class YearConfirmedOut(Schema):
    year: int
    revision: int
    notice_ref: str
    holidays: list[date]
    makeup: list[date]
    note: str


class LineErrorOut(Schema):
    line: int
    message: str


class NoticeErrorOut(Schema):
    detail: str
    errors: list[LineErrorOut]


class CalendarDetailOut(Schema):
    detail: str | dict[str, list[str]]


# CLK-2; summaries are public documentation: rule IDs stay in these comments
@router.get("/add", response=AddOut, auth=None, summary="N working days after a date (the start day excluded)")
def add_working_days(request: HttpRequest, start: date, days: int) -> AddOut:
    cal = get_calendar()
    if not (cal.first <= start <= cal.last):
        raise HttpError(400, _("日期超出工作日历范围。"))
    try:
        due = cal.add_working_days(start, days)
    except ValueError:
        raise HttpError(400, _("日期超出工作日历范围。")) from None
    return AddOut(start=start, days=days, due=due, provisional=cal.is_provisional(due), calendar_revision=cal.revision)


# CLK-3
@router.get("/day", response=DayOut, auth=None, summary="Whether a date is a working day")
def day(request: HttpRequest, on: date) -> DayOut:
    cal = get_calendar()
    if not (cal.first <= on <= cal.last):
        raise HttpError(400, _("日期超出工作日历范围。"))
    return DayOut(date=on, is_workday=cal.is_workday(on), provisional=cal.is_provisional(on))


# CLK-4
@router.get("/years", response=list[YearOut], auth=None, summary="Each year's schedule status")
def years(request: HttpRequest) -> list[YearOut]:
    return [
        YearOut(year=y.year, status=y.status, notice_ref=y.notice_ref, revision=y.revision)
        for y in calendar_years_overview()
    ]


@router.post(
    "/years/{year}",
    response={200: YearConfirmedOut, 400: NoticeErrorOut | CalendarDetailOut, 403: CalendarDetailOut},
    summary="Enter or replace a year's schedule from the State Council notice (administrators)",  # CLK-4, CLK-5
)
def year_confirm(request: AuthedRequest, year: int, payload: YearIn) -> YearConfirmedOut | Status[NoticeErrorOut]:
    """The same rules as the calendar screen: every bad line is reported with its number and nothing
    changes; on success the open clocks the year affects are recomputed."""
    if not can_manage_calendar(request.user):
        raise PermissionDenied(_("只有系统管理员可以确认工作日历。"))
    try:
        holidays, makeup = calendar_parse_notice(year=year, text=payload.text)
        rev = calendar_confirm_year(year=year, text=payload.text, notice_ref=payload.notice_ref, actor=request.user)
    except NoticeParseError as e:
        return Status(
            400,
            NoticeErrorOut(
                detail=_("放假安排有误，未做任何修改。"),
                errors=[LineErrorOut(line=x.line, message=x.message) for x in e.line_errors],
            ),
        )
    return YearConfirmedOut(
        year=year,
        revision=rev.number,
        notice_ref=payload.notice_ref.strip(),
        holidays=sorted(holidays),
        makeup=sorted(makeup),
        note=rev.note,
    )
