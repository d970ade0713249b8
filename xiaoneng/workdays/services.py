"""Every write to the calendar and to clocks. One function per action (conventions §2)."""

from __future__ import annotations

__all__ = [
    "AlertLevel",
    "NoticeLineError",
    "NoticeParseError",
    "calendar_confirm_year",
    "calendar_missing_next_year",
    "calendar_parse_notice",
    "calendar_seed",
    "calendar_year_check",
    "clock_extend",
    "clock_next_alert_at",
    "clock_pause",
    "clock_recompute",
    "clock_restart",
    "clock_resume",
    "clock_start",
    "clock_stop",
    "clock_stop_running",
    "clocks_recompute",
    "set_threshold_resolver",
]

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

import chinese_calendar
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.rowload import row_insert, row_shape
from xiaoneng.core.trail import event_append
from xiaoneng.workdays.calendar import WorkCalendar, calendar_invalidate, calendar_load, get_calendar
from xiaoneng.workdays.choices import (
    OPEN_CLOCK_STATUSES,
    PAUSE_LEGAL_BASIS,
    ClockStatus,
    DayKind,
    ExtensionKind,
    PauseReason,
    YearSource,
    YearStatus,
)
from xiaoneng.workdays.deadline import PauseSpan, compute_instants
from xiaoneng.workdays.ladder import AlertLevel, lowered_level, next_alert_at
from xiaoneng.workdays.models import CalendarDay, CalendarRevision, CalendarYear, Clock, ClockExtension, ClockPause
from xiaoneng.workdays.permissions import can_manage_calendar
from xiaoneng.workdays.selectors import clocks_affected_by_years

# ---------------------------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------------------------

_HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    # The official name (中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日) does not fit
    # CalendarDay.name (30 characters) once a make-up day is labelled "调休上班（…）": PostgreSQL
    # refused the whole seed. The short form is the one the 2015 notice itself uses in its title.
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# CalendarDay.name
_NAME_MAX = 30


def _new_revision(*, actor: Any, years: list[int], note: str) -> CalendarRevision:
    last = CalendarRevision.objects.select_for_update(of=("self",)).order_by("-number").first()
    return CalendarRevision.objects.create(number=(last.number + 1) if last else 1, actor=actor, years=years, note=note)


def calendar_seed(*, first_year: int = 2004, last_year: int = 2026, actor: Any = None) -> CalendarRevision | None:
    """CLK-4: seed the calendar from the chinese-calendar package. Years already present are kept
    (an administrator's confirmation wins over the package)."""

    with transaction.atomic():
        present = set(CalendarYear.objects.values_list("year", flat=True))
        years = [y for y in range(first_year, last_year + 1) if y not in present]
        if not years:
            return None
        rev = _new_revision(actor=actor, years=years, note="seed: chinese-calendar")
        rows = []
        for y in years:
            d = date(y, 1, 1)
            while d.year == y:
                is_work = chinese_calendar.is_workday(d)
                _on_holiday, name = chinese_calendar.get_holiday_detail(d)
                if is_work:
                    kind = DayKind.MAKEUP if d.weekday() >= 5 else DayKind.WORKDAY
                else:
                    kind = DayKind.HOLIDAY if name else DayKind.WEEKEND
                label = _HOLIDAY_NAMES_ZH.get(name or "", name or "")
                if kind == DayKind.MAKEUP:
                    label = f"调休上班（{label}）" if label else "调休上班"
                rows.append(CalendarDay(date=d, is_workday=is_work, kind=kind, name=label, revision=rev))
                d += timedelta(days=1)
        CalendarDay.objects.bulk_create(rows, batch_size=2000)
        CalendarYear.objects.bulk_create(
            [CalendarYear(year=y, status=YearStatus.CONFIRMED, source=YearSource.SEED, revision=rev) for y in years]
        )
        event_append(subject=rev, action="calendar.seeded", actor=actor, after={"years": years})
    calendar_invalidate()
    return rev


@dataclass(frozen=True)
class NoticeLineError:
    line: int  # 1-based; 0 for an error about the whole text
    message: str

    def __str__(self) -> str:
        if self.line == 0:
            return self.message
        return _("第%(line)d行：%(message)s") % {"line": self.line, "message": self.message}


class NoticeParseError(ValidationError):
    """The notice text has errors; `line_errors` lists each one with its line number."""

    def __init__(self, errors: list[NoticeLineError]) -> None:
        self.line_errors = errors
        super().__init__([str(e) for e in errors], code="notice")


# A date: 2027-02-05, 2027/2/5, 2027.2.5, 2027年2月5日; the year may be left out (2月5日, 02-05).
_DATE_RE = re.compile(r"(?:(\d{4})\s*[-./年]\s*)?(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")
_RANGE_SEP = re.compile(r"\s*(?:至|到|~|～|—|–)\s*")
_ITEM_SEP = re.compile(r"[,，、;；\s]+")
_ANNOTATION = re.compile(r"（[^）]*）|\([^)]*\)")  # "（周五）", "(星期六)": the weekday a notice adds
_MAKEUP_WORDS = ("上班", "补班", "调休工作日")
_MAX_RANGE_DAYS = 15


def _parse_date(text: str, year: int) -> date | None:
    m = _DATE_RE.fullmatch(text.strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)) if m.group(1) else year, int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def calendar_year_check(year: int) -> None:
    """The years an administrator may enter: from the first seeded year to five years ahead."""
    first = settings.XIAONENG_CALENDAR_SEED_YEARS[0]
    last = timezone.localdate().year + 5
    if not first <= year <= last:
        raise ValidationError(
            _("年份必须在%(first)d年至%(last)d年之间。") % {"first": first, "last": last}, code="year"
        )


def calendar_parse_notice(*, year: int, text: str) -> tuple[dict[date, str], dict[date, str]]:
    """Parse an administrator's transcription of the State Council notice (CLK-3, CLK-4).

    One line per holiday or per list of make-up days, `名称：日期[、日期…]`, where a date may be a
    range `2027-02-05 至 2027-02-13`; the year may be left out; an annotation in brackets such as
    "（周五）" is ignored; text after # is a comment. A name containing 上班 or 补班 (调休上班, 上班,
    补班) marks make-up working days, which must fall on a Saturday or Sunday. Returns (holidays,
    make-up days), each mapping date → name, or raises NoticeParseError listing every bad line;
    nothing is written here.
    """
    calendar_year_check(year)
    holidays: dict[date, str] = {}
    makeup: dict[date, str] = {}
    errors: list[NoticeLineError] = []
    seen_line: dict[date, int] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if not re.search(r"[:：]", line):
            errors.append(NoticeLineError(n, _("缺少“名称：日期”中的冒号。")))
            continue
        name, _sep, rest = re.split(r"([:：])", line, maxsplit=1)
        name = name.strip()
        if not name:
            errors.append(NoticeLineError(n, _("缺少节日名称。")))
            continue
        if len(name) > _NAME_MAX:
            errors.append(NoticeLineError(n, _("名称“%(name)s”超过%(max)d个字。") % {"name": name, "max": _NAME_MAX}))
            continue
        rest = _RANGE_SEP.sub("至", _ANNOTATION.sub("", rest)).strip().rstrip("。.")
        items = [i for i in _ITEM_SEP.split(rest) if i]
        if not items:
            errors.append(NoticeLineError(n, _("没有日期。")))
            continue
        is_makeup = any(word in name for word in _MAKEUP_WORDS)
        line_dates: list[date] = []
        for item in items:
            parts = item.split("至")
            first = _parse_date(parts[0], year)
            last = _parse_date(parts[-1], year)
            if len(parts) > 2 or first is None or last is None:
                errors.append(NoticeLineError(n, _("无法识别的日期“%(item)s”。") % {"item": item}))
                continue
            if last < first:
                errors.append(NoticeLineError(n, _("日期范围“%(item)s”起止颠倒。") % {"item": item}))
                continue
            if (last - first).days > _MAX_RANGE_DAYS:
                errors.append(
                    NoticeLineError(
                        n, _("日期范围“%(item)s”超过%(max)d天，请核对。") % {"item": item, "max": _MAX_RANGE_DAYS}
                    )
                )
                continue
            d = first
            while d <= last:
                line_dates.append(d)
                d += timedelta(days=1)
        for d in line_dates:
            if d.year != year:
                errors.append(NoticeLineError(n, _("%(date)s 不属于%(year)d年。") % {"date": d, "year": year}))
            elif d in seen_line:
                errors.append(
                    NoticeLineError(n, _("%(date)s 已在第%(other)d行出现。") % {"date": d, "other": seen_line[d]})
                )
            elif is_makeup and d.weekday() < 5:
                errors.append(NoticeLineError(n, _("%(date)s 是周一至周五，不能作为调休上班日。") % {"date": d}))
            else:
                seen_line[d] = n
                (makeup if is_makeup else holidays)[d] = name
    if not holidays and not errors:
        errors.append(NoticeLineError(0, _("没有录入任何节假日。")))
    if errors:
        raise NoticeParseError(errors)
    return holidays, makeup


def _year_schedule(year: int) -> dict[str, list[str]]:
    rows = CalendarDay.objects.filter(date__year=year, kind__in=[DayKind.HOLIDAY, DayKind.MAKEUP]).order_by("date")
    out: dict[str, list[str]] = {"holidays": [], "makeup": []}
    for d, kind in rows.values_list("date", "kind"):
        out["holidays" if kind == DayKind.HOLIDAY else "makeup"].append(str(d))
    return out


def calendar_confirm_year(*, year: int, text: str, notice_ref: str, actor: Any) -> CalendarRevision:
    """CLK-4/CLK-5: enter or replace one year's schedule from the State Council notice, then
    recompute every open clock the change affects and log the change. All or nothing: a bad line,
    a missing notice reference or a concurrent change leaves the calendar and every clock as they were."""
    if not can_manage_calendar(actor):
        raise PermissionDenied(_("只有系统管理员可以确认工作日历。"))
    notice_ref = notice_ref.strip()
    if not notice_ref:
        raise ValidationError(_("请填写通知文号。"), code="notice_ref")
    if len(notice_ref) > 100:
        raise ValidationError(_("通知文号不能超过100个字。"), code="notice_ref")
    holidays, makeup = calendar_parse_notice(year=year, text=text)
    try:
        with transaction.atomic():
            rev = _calendar_write_year(
                year=year, text=text, notice_ref=notice_ref, actor=actor, holidays=holidays, makeup=makeup
            )
    except IntegrityError:
        # two administrators confirmed at the same moment: the revision number is unique
        raise ValidationError(_("工作日历刚被其他管理员修改，请刷新后重试。"), code="conflict") from None
    return rev


def _calendar_write_year(
    *, year: int, text: str, notice_ref: str, actor: Any, holidays: dict[date, str], makeup: dict[date, str]
) -> CalendarRevision:
    previous = CalendarYear.objects.select_for_update(of=("self",)).filter(year=year).first()
    before: dict[str, Any] = {}
    if previous is not None:
        before = {
            "status": previous.status,
            "source": previous.source,
            "notice_ref": previous.notice_ref,
            "revision": previous.revision.number,
            **_year_schedule(year),
        }
    rev = _new_revision(actor=actor, years=[year], note=notice_ref)
    CalendarDay.objects.filter(date__year=year).delete()
    rows = []
    d = date(year, 1, 1)
    while d.year == year:
        if d in holidays:
            rows.append(CalendarDay(date=d, is_workday=False, kind=DayKind.HOLIDAY, name=holidays[d], revision=rev))
        elif d in makeup:
            rows.append(CalendarDay(date=d, is_workday=True, kind=DayKind.MAKEUP, name=makeup[d], revision=rev))
        elif d.weekday() >= 5:
            rows.append(CalendarDay(date=d, is_workday=False, kind=DayKind.WEEKEND, revision=rev))
        else:
            rows.append(CalendarDay(date=d, is_workday=True, kind=DayKind.WORKDAY, revision=rev))
        d += timedelta(days=1)
    CalendarDay.objects.bulk_create(rows, batch_size=2000)
    CalendarYear.objects.update_or_create(
        year=year,
        defaults={
            "status": YearStatus.CONFIRMED,
            "source": YearSource.NOTICE,
            "notice_ref": notice_ref,
            "notice_text": text,
            "revision": rev,
            "confirmed_by": actor,
            "confirmed_at": timezone.now(),
        },
    )
    # CLK-5: recompute with the calendar as this transaction sees it, without publishing it to the
    # process-wide cache before it is committed.
    count = clocks_recompute(years=[year], actor=actor, cal=calendar_load(rev.number))
    rev.note = _("%(ref)s（重算%(n)d个时限）") % {"ref": notice_ref, "n": count}
    rev.save(update_fields=["note"])
    event_append(
        subject=rev,
        action="calendar.year_confirmed",
        actor=actor,
        before=before,
        after={
            "year": year,
            "notice_ref": notice_ref,
            "holidays": sorted(str(d) for d in holidays),
            "makeup": sorted(str(d) for d in makeup),
            "recomputed": count,
        },
    )
    transaction.on_commit(calendar_invalidate)
    return rev


def calendar_missing_next_year(today: date | None = None) -> int | None:
    """CLK-4: from 1 November, the next year if its schedule has not been confirmed yet. The warning
    does not stop on 1 January: a current year still unconfirmed is returned in any month."""
    today = today or timezone.localdate()
    confirmed = set(
        CalendarYear.objects.filter(year__in=[today.year, today.year + 1], status=YearStatus.CONFIRMED).values_list(
            "year", flat=True
        )
    )
    if today.year not in confirmed:
        return today.year
    if today.month >= 11 and today.year + 1 not in confirmed:
        return today.year + 1
    return None


# ---------------------------------------------------------------------------------------------
# Clocks
# ---------------------------------------------------------------------------------------------

ThresholdResolver = Callable[[Clock], tuple[int, int, int]]


def _default_thresholds(clock: Clock) -> tuple[int, int, int]:
    # SUP-1 defaults: reminder 1 working day before, yellow on the last day, red once it passed.
    return (-1, 0, 0)


_threshold_resolver: ThresholdResolver = _default_thresholds


def set_threshold_resolver(resolver: ThresholdResolver | None) -> None:
    """Supervision installs its per-jurisdiction, per-item-type thresholds here (SUP-1)."""
    global _threshold_resolver
    _threshold_resolver = resolver or _default_thresholds


def clock_next_alert_at(clock: Clock) -> datetime | None:
    """SUP-1: the instant of the next alert level above the one already raised; None when the clock
    is not running (ladder.next_alert_at, LAD-NEXT). Pure (no write): the supervision scan calls it
    after raising a level."""
    return next_alert_at(clock, clock.alert_level, clock.status == ClockStatus.RUNNING)


_CACHED_FIELDS = [
    "due_date",
    "due_at",
    "remind_at",
    "warn_at",
    "red_at",
    "statutory_due_date",
    "statutory_due_at",
    "remaining",
    "provisional",
    "calendar_revision",
    "next_alert_at",
]


def _lower_alert_level(clock: Clock) -> None:
    """After an extension or a calendar change moved the thresholds later, an alert level already
    raised may no longer hold: keep only what the new instants have reached, so the scan raises the
    rest when they come (and nothing twice that still holds). ladder.lowered_level (LAD-LOWER)."""
    if clock.due_at is not None:
        clock.alert_level = lowered_level(clock, clock.alert_level, timezone.now(), clock.due_at)
        clock.next_alert_at = clock_next_alert_at(clock)


def _apply_instants(clock: Clock, pauses: Iterable[ClockPause] | None = None, cal: WorkCalendar | None = None) -> None:
    cal = cal or get_calendar()
    # Pauses before the (re)start no longer count (DIS-1 restart). Hour clocks would otherwise
    # subtract them again on the next pause or extension.
    spans = [
        PauseSpan(p.started_at, p.ended_at)
        for p in (pauses if pauses is not None else clock.pauses.all())
        if p.started_at >= clock.started_at
    ]
    remind, warn, red = _threshold_resolver(clock)
    inst = compute_instants(
        cal=cal,
        unit=clock.unit,
        limit=clock.limit + clock.extension_total,
        statutory_limit=(clock.statutory_limit + clock.extension_total) if clock.statutory_limit else None,
        started_at=clock.started_at,
        pauses=spans,
        remind_offset=remind,
        warn_offset=warn,
        red_offset=red,
    )
    clock.due_date = inst.due_date
    clock.due_at = inst.due_at
    clock.remind_at = inst.remind_at
    clock.warn_at = inst.warn_at
    clock.red_at = inst.red_at
    clock.statutory_due_date = inst.statutory_due_date
    clock.statutory_due_at = inst.statutory_due_at
    clock.remaining = inst.remaining
    clock.provisional = inst.provisional
    clock.calendar_revision = cal.revision
    clock.next_alert_at = clock_next_alert_at(clock)


def _clock_snapshot(clock: Clock) -> dict[str, Any]:
    return {
        "status": clock.status,
        "limit": clock.limit,
        "extension_total": clock.extension_total,
        "due_date": clock.due_date,
        "statutory_due_date": clock.statutory_due_date,
        "provisional": clock.provisional,
        "calendar_revision": clock.calendar_revision,
    }


def clock_start(
    *,
    owner: models.Model,
    kind: str,
    label: str,
    limit: int,
    unit: str = "wd",
    statutory_limit: int | None = None,
    started_at: datetime | None = None,
    tenant_id: int | None = None,
    department: Any = None,
    responsible: Any = None,
    legal_basis: str = "",
    actor: Any = None,
) -> Clock:
    """Start a timed obligation on `owner`. `started_at` is the triggering event (receipt,
    acceptance, dispatch …): day periods count from the next day (CLK-2)."""
    tenant_id = tenant_id or getattr(owner, "tenant_id", None) or (department.tenant_id if department else None)
    if tenant_id is None:
        raise ValueError("a clock needs a tenant (the owning jurisdiction)")
    clock = Clock(
        tenant_id=tenant_id,
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=owner.pk,
        kind=kind,
        label=label,
        unit=unit,
        limit=limit,
        statutory_limit=statutory_limit,
        legal_basis=legal_basis,
        started_at=started_at or timezone.now(),
        department=department,
        responsible=responsible,
    )
    _apply_instants(clock, pauses=[])
    # No savepoint inside the caller's transaction: only writes happen in this block, and a failed
    # write fails the caller's action anyway (two round trips saved on every case transition).
    with transaction.atomic(savepoint=False):
        row_insert(clock, router.db_for_write(Clock))  # save(force_insert=True) without the compiler
        event_append(subject=clock, action="clock.started", actor=actor, after=_clock_snapshot(clock))
    return clock


def _locked(clock: Clock) -> Clock:
    return Clock.objects.select_for_update(of=("self",)).get(pk=clock.pk)


def clock_pause(
    *,
    clock: Clock,
    reason: str,
    actor: Any = None,
    note: str = "",
    expected_days: int | None = None,
    at: datetime | None = None,
) -> ClockPause:
    """CAS-4: stop the clock for a reason the law allows; the expected duration is what the
    applicant is told in writing."""
    if reason not in PauseReason.values:
        raise ValidationError(_("暂停事由不合法：%(reason)s") % {"reason": reason}, code="reason")
    at = at or timezone.now()
    with transaction.atomic():
        clock = _locked(clock)
        if clock.status != ClockStatus.RUNNING:
            raise ValidationError(_("只有计时中的时限可以暂停。"), code="state")
        if at < clock.started_at:
            raise ValidationError(_("暂停时间不能早于起算时间。"), code="at")
        last_end = (
            clock.pauses.filter(started_at__gte=clock.started_at, ended_at__isnull=False)
            .order_by("-ended_at")
            .values_list("ended_at", flat=True)
            .first()
        )
        if last_end is not None and at < last_end:
            raise ValidationError(_("暂停时间不能早于上一次恢复计时的时间。"), code="at")
        before = _clock_snapshot(clock)
        pause = ClockPause.objects.create(
            clock=clock,
            reason=reason,
            legal_basis=str(PAUSE_LEGAL_BASIS[PauseReason(reason)]),
            note=note,
            expected_days=expected_days,
            started_at=at,
            started_by=actor if actor and actor.is_authenticated else None,
        )
        clock.status = ClockStatus.PAUSED
        _apply_instants(clock)
        clock.save(update_fields=["status", *_CACHED_FIELDS, "updated_at"])
        event_append(
            subject=clock,
            action="clock.paused",
            actor=actor,
            before=before,
            after={**_clock_snapshot(clock), "reason": reason, "expected_days": expected_days},
            reason=note,
        )
    return pause


def clock_resume(*, clock: Clock, actor: Any = None, at: datetime | None = None) -> Clock:
    with transaction.atomic():
        clock = _locked(clock)
        if clock.status != ClockStatus.PAUSED:
            raise ValidationError(_("该时限未处于暂停状态。"), code="state")
        before = _clock_snapshot(clock)
        pause = clock.pauses.get(ended_at__isnull=True)
        pause.ended_at = max(at or timezone.now(), pause.started_at)
        pause.ended_by = actor if actor and actor.is_authenticated else None
        pause.save(update_fields=["ended_at", "ended_by"])
        clock.status = ClockStatus.RUNNING
        _apply_instants(clock)
        clock.save(update_fields=["status", *_CACHED_FIELDS, "updated_at"])
        event_append(subject=clock, action="clock.resumed", actor=actor, before=before, after=_clock_snapshot(clock))
    return clock


def clock_extend(*, clock: Clock, days: int, kind: str, reason: str, approver: Any) -> ClockExtension:
    """CAS-3: lengthen the limit. The caller checks the law's ceiling for its kind of obligation;
    here every extension needs an approver and a reason."""
    if days <= 0:
        raise ValidationError(_("延长时限必须大于零。"), code="days")
    if not reason.strip():
        raise ValidationError(_("延期必须说明理由。"), code="reason")
    if kind not in ExtensionKind.values:
        raise ValidationError(_("延期类型不合法。"), code="kind")
    with transaction.atomic():
        clock = _locked(clock)
        if not clock.is_open:
            raise ValidationError(_("已结束的时限不能延期。"), code="state")
        before = _clock_snapshot(clock)
        ext = ClockExtension.objects.create(
            clock=clock, kind=kind, days=days, reason=reason, approver=approver, approved_at=timezone.now()
        )
        clock.extension_total += days
        _apply_instants(clock)
        # an extension may lower the alert level already raised: the next threshold is recomputed
        _lower_alert_level(clock)
        clock.save(update_fields=["extension_total", "alert_level", *_CACHED_FIELDS, "updated_at"])
        event_append(
            subject=clock,
            action="clock.extended",
            actor=approver,
            before=before,
            after={**_clock_snapshot(clock), "days": days, "kind": kind},
            reason=reason,
        )
    return ext


def clock_stop(*, clock: Clock | int, actor: Any = None, at: datetime | None = None, cancelled: bool = False) -> Clock:
    """The obligation was met (or withdrawn): the clock stops and leaves the scan. `clock` may be
    given by its pk: the row is locked and read again here in any case."""
    with transaction.atomic(savepoint=False):  # no savepoint: see clock_start
        clock = Clock.objects.select_for_update(of=("self",)).get(pk=clock if isinstance(clock, int) else clock.pk)
        if not clock.is_open:
            return clock
        before = _clock_snapshot(clock)
        at = at or timezone.now()
        clock.status = ClockStatus.CANCELLED if cancelled else ClockStatus.STOPPED
        clock.stopped_at = at
        fields = ["status", "stopped_at", "next_alert_at", "updated_at"]
        if before["status"] == ClockStatus.PAUSED:
            # Stopped while paused (e.g. decided during an expert review): the pause ends now and the
            # due date is computed again, so "on time" compares with a real due date, not with none.
            clock.pauses.filter(ended_at__isnull=True).update(ended_at=max(at, clock.started_at))
            _apply_instants(clock)
            fields = ["status", "stopped_at", *_CACHED_FIELDS, "updated_at"]
        clock.next_alert_at = None
        clock.save(update_fields=fields)  # a running clock's instants did not change: not rewritten
        event_append(
            subject=clock,
            action="clock.cancelled" if cancelled else "clock.stopped",
            actor=actor,
            before=before,
            after={
                **_clock_snapshot(clock),
                "on_time": bool(clock.due_at and clock.stopped_at <= clock.due_at),
            },
        )
    return clock


# what the trail records of a clock (_clock_snapshot), plus what "on time" and the event need
_STOP_RETURNING = (
    "id",
    "tenant",
    "limit",
    "extension_total",
    "due_date",
    "statutory_due_date",
    "provisional",
    "calendar_revision",
    "due_at",
    "started_at",
)


def clock_stop_running(*, clock: Clock | int, actor: Any = None, at: datetime | None = None) -> Clock:
    """clock_stop in ONE statement for the common case, a running clock:
    UPDATE … SET status = stopped WHERE pk = … AND status = running RETURNING what the trail
    records. The row is locked by the UPDATE itself and the snapshot comes from the row as it was
    updated, so the event's before/after are exact without reading the clock first. A clock that is
    not running (paused, already stopped) goes through clock_stop. Returns the clock with the
    fields of its snapshot (not a full row)."""
    pk = clock if isinstance(clock, int) else clock.pk
    at = at or timezone.now()
    using = router.db_for_write(Clock)
    connection = connections[using]
    if not connection.features.can_return_rows_from_update:
        return clock_stop(clock=pk, actor=actor, at=at)
    shape = row_shape(Clock, str(Clock._meta.db_table), using, names=_STOP_RETURNING)
    with transaction.atomic(savepoint=False):  # no savepoint: see clock_start
        # UPDATE … RETURNING by hand (core.rowload): the QuerySet API has no public form of it, and
        # the ORM's compiler cost more than the statement; the row comes back through the fields'
        # converters (core.rowload.RowShape)
        qn = connection.ops.quote_name
        sql = (
            f"UPDATE {qn(Clock._meta.db_table)} SET {qn('status')} = %s, {qn('stopped_at')} = %s,"
            f" {qn('next_alert_at')} = NULL, {qn('updated_at')} = %s WHERE {qn('id')} = %s AND {qn('status')} = %s"
            f" RETURNING {shape.columns}"
        )
        ops = connection.ops
        params = [ClockStatus.STOPPED, ops.adapt_datetimefield_value(at), ops.adapt_datetimefield_value(timezone.now())]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, pk, ClockStatus.RUNNING])
            row = cursor.fetchone()
        if row is None:
            return clock_stop(clock=pk, actor=actor, at=at)
        stopped = cast("Clock", shape.load(row, using=using))  # the snapshot's fields; the rest deferred
        stopped.status, stopped.stopped_at, stopped.next_alert_at = ClockStatus.STOPPED, at, None
        before = {**_clock_snapshot(stopped), "status": ClockStatus.RUNNING}
        event_append(
            subject=stopped,
            action="clock.stopped",
            actor=actor,
            before=before,
            after={**_clock_snapshot(stopped), "on_time": bool(stopped.due_at and at <= stopped.due_at)},
        )
    return stopped


def clock_restart(*, clock: Clock, at: datetime | None = None, actor: Any = None, reason: str = "") -> Clock:
    """DIS-1: the period starts again (e.g. on receipt of a corrected request); pauses so far no
    longer count."""
    with transaction.atomic():
        clock = _locked(clock)
        if not clock.is_open:
            raise ValidationError(_("已结束的时限不能重新起算。"), code="state")
        before = _clock_snapshot(clock)
        now = at or timezone.now()
        clock.pauses.filter(ended_at__isnull=True).update(ended_at=now)
        clock.started_at = now
        clock.status = ClockStatus.RUNNING
        clock.alert_level = 0
        _apply_instants(clock)
        clock.save(update_fields=["started_at", "status", "alert_level", *_CACHED_FIELDS, "updated_at"])
        event_append(
            subject=clock,
            action="clock.restarted",
            actor=actor,
            before=before,
            after=_clock_snapshot(clock),
            reason=reason,
        )
    return clock


def clock_recompute(*, clock: Clock, actor: Any = None, cal: WorkCalendar | None = None) -> bool:
    """Recompute the cached instants from the history; True if anything changed (CLK-5). The caller
    holds the clock's row lock (clocks_recompute does)."""
    before = _clock_snapshot(clock)
    cached_before = [getattr(clock, f) for f in _CACHED_FIELDS]
    level_before = clock.alert_level
    _apply_instants(clock, cal=cal)
    _lower_alert_level(clock)
    if [getattr(clock, f) for f in _CACHED_FIELDS] == cached_before and clock.alert_level == level_before:
        return False
    clock.save(update_fields=[*_CACHED_FIELDS, "alert_level", "updated_at"])
    event_append(subject=clock, action="clock.recomputed", actor=actor, before=before, after=_clock_snapshot(clock))
    return True


def clocks_recompute(
    *, years: list[int] | None = None, actor: Any = None, progress: Any = None, cal: WorkCalendar | None = None
) -> int:
    """CLK-5: recompute open clocks after a calendar change; with `years`, only those whose span
    touches them (see selectors.clocks_affected_by_years). Each chunk of clocks is row-locked while
    it is recomputed, so a pause or resume at the same moment is not overwritten. Returns how many
    changed."""
    cal = cal or get_calendar()
    ids = list(clocks_affected_by_years(years).order_by("pk").values_list("pk", flat=True))
    changed = 0
    done = 0
    for i in range(0, len(ids), 500):
        with transaction.atomic():
            chunk = (
                Clock.objects.select_for_update(of=("self",))
                .filter(pk__in=ids[i : i + 500], status__in=OPEN_CLOCK_STATUSES)
                .order_by("pk")
                .prefetch_related("pauses")
            )
            for clock in chunk:
                if clock_recompute(clock=clock, actor=actor, cal=cal):
                    changed += 1
                done += 1
        if progress:
            progress(done, len(ids))
    return changed
