"""The working-day calendar (CLK-3, CLK-4) and the Clock: every timed obligation in the system."""

from __future__ import annotations

__all__ = ["CalendarDay", "CalendarRevision", "CalendarYear", "Clock", "ClockExtension", "ClockPause"]

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import TenantModel
from xiaoneng.core.scoping import ScopeRule
from xiaoneng.workdays.choices import (
    ClockStatus,
    ClockUnit,
    DayKind,
    ExtensionKind,
    PauseReason,
    YearSource,
    YearStatus,
)


class CalendarRevision(models.Model):
    """One change to the calendar. Every Clock records the revision its instants were computed with
    (CLK-5); a new revision recomputes the open clocks it affects."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("操作人")
    )
    years = models.JSONField(_("涉及年份"), default=list)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("日历版本")
        verbose_name_plural = _("日历版本")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"r{self.number}"


class CalendarYear(models.Model):
    """A year whose holidays and make-up working days are known. Years with no row are provisional
    (CLK-4): computed on Monday–Friday only until an administrator enters the notice."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    status = models.CharField(_("状态"), max_length=12, choices=YearStatus.choices, default=YearStatus.CONFIRMED)
    source = models.CharField(_("来源"), max_length=10, choices=YearSource.choices)
    notice_ref = models.CharField(_("通知文号"), max_length=100, blank=True)
    notice_text = models.TextField(_("录入原文"), blank=True)
    revision = models.ForeignKey(CalendarRevision, on_delete=models.PROTECT, verbose_name=_("日历版本"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("确认人")
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One day of a known year (CLK-3): working day = (Mon–Fri and not a holiday) or a make-up day."""

    date = models.DateField(_("日期"), primary_key=True)
    is_workday = models.BooleanField(_("工作日"))
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=30, blank=True)
    revision = models.ForeignKey(CalendarRevision, on_delete=models.PROTECT, verbose_name=_("日历版本"))

    class Meta:
        verbose_name = _("日历日")
        verbose_name_plural = _("日历日")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=["workday", "makeup"], is_workday=True))
                | (Q(kind__in=["weekend", "holiday"], is_workday=False)),
                name="workdays_calendarday_kind_matches",
                violation_error_message=_("日期类型与是否工作日不一致。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class Clock(TenantModel):
    """A timed obligation (限时办结): who owes what by when.

    The history (start, pauses, extensions, stop) is the truth; `due_at`, `remind_at`, `warn_at`,
    `red_at`, `statutory_due_at` and `next_alert_at` are a cache recomputed by
    `workdays.services.clock_recompute` whenever the history or the calendar changes, so the
    supervision scan is one indexed query on `next_alert_at`.
    """

    # No single-column indexes on `tenant` and `owner_type`: `workdays_clock_open_due` and
    # `workdays_clock_owner` start with them; nor a pattern-ops twin of `kind` (no LIKE on it). A
    # recomputed clock rewrites every index of the table (docs/performance.md, migration 0002).
    tenant = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属辖区"), db_index=False
    )
    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"), db_index=False)
    owner_id = models.PositiveBigIntegerField(_("对象编号"))
    kind = models.CharField(_("时限类别"), max_length=40)
    label = models.CharField(_("名称"), max_length=100)
    department = models.ForeignKey(
        "orgs.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clocks",
        verbose_name=_("责任部门"),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("责任人"),
    )
    unit = models.CharField(_("计时单位"), max_length=2, choices=ClockUnit.choices, default=ClockUnit.WORKING_DAYS)
    limit = models.PositiveIntegerField(_("时限"))
    statutory_limit = models.PositiveIntegerField(_("法定时限"), null=True, blank=True)
    legal_basis = models.CharField(_("时限依据"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("起算时间"))
    status = models.CharField(_("状态"), max_length=10, choices=ClockStatus.choices, default=ClockStatus.RUNNING)
    stopped_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    extension_total = models.PositiveIntegerField(_("延长合计"), default=0)

    # cached instants (recomputed, never edited by hand)
    due_date = models.DateField(_("到期日"), null=True, blank=True)
    due_at = models.DateTimeField(_("到期时刻"), null=True, blank=True)
    remind_at = models.DateTimeField(_("提醒时刻"), null=True, blank=True)
    warn_at = models.DateTimeField(_("黄牌时刻"), null=True, blank=True)
    red_at = models.DateTimeField(_("红牌时刻"), null=True, blank=True)
    statutory_due_date = models.DateField(_("法定到期日"), null=True, blank=True)
    statutory_due_at = models.DateTimeField(_("法定到期时刻"), null=True, blank=True)
    remaining = models.IntegerField(_("剩余时限"), null=True, blank=True)
    provisional = models.BooleanField(_("暂定日期"), default=False)
    calendar_revision = models.PositiveIntegerField(_("日历版本"), default=0)
    # supervision (SUP-1): the highest alert level already raised, and when the next one is due
    alert_level = models.PositiveSmallIntegerField(_("已触发预警级别"), default=0)
    next_alert_at = models.DateTimeField(_("下次预警时刻"), null=True, blank=True)

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["owner_type", "owner_id"], name="workdays_clock_owner"),
            models.Index(
                fields=["next_alert_at"],
                name="workdays_clock_next_alert",
                condition=Q(next_alert_at__isnull=False),
            ),
            models.Index(fields=["tenant", "status", "due_date"], name="workdays_clock_open_due"),
            models.Index(fields=["kind"], name="workdays_clock_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(limit__gte=0),
                name="workdays_clock_limit_nonneg",
                violation_error_message=_("时限不能为负。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.limit}{self.get_unit_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in (ClockStatus.RUNNING, ClockStatus.PAUSED)

    @property
    def effective_limit(self) -> int:
        return self.limit + self.extension_total


class ClockPause(models.Model):
    """A stretch excluded from the clock, with the reason the law allows (CAS-4) and the expected
    duration told to the applicant in writing."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("时限"))
    reason = models.CharField(_("暂停事由"), max_length=20, choices=PauseReason.choices)
    legal_basis = models.CharField(_("法律依据"), max_length=200)
    note = models.TextField(_("说明"), blank=True)
    expected_days = models.PositiveIntegerField(_("预计时长（工作日）"), null=True, blank=True)
    started_at = models.DateTimeField(_("暂停时间"))
    ended_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("暂停")
        verbose_name_plural = _("暂停")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock"],
                condition=Q(ended_at__isnull=True),
                name="workdays_clockpause_one_open",
                violation_error_message=_("该时限已处于暂停状态。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="workdays_clockpause_order",
                violation_error_message=_("恢复时间不能早于暂停时间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.started_at:%Y-%m-%d}"


class ClockExtension(models.Model):
    """An approved extension (延期, CAS-3) with who approved it and why."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("时限"))
    kind = models.CharField(_("类型"), max_length=20, choices=ExtensionKind.choices)
    days = models.PositiveIntegerField(_("延长时限"))
    reason = models.TextField(_("理由"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("批准人")
    )
    approved_at = models.DateTimeField(_("批准时间"))

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        ordering = ["approved_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gt=0),
                name="workdays_clockextension_positive",
                violation_error_message=_("延长时限必须大于零。"),
            )
        ]

    def __str__(self) -> str:
        return f"+{self.days} {self.get_kind_display()}"
