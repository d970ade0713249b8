"""Electronic supervision (电子监察): thresholds, alerts, recommendations and the obligations that
other systems register for supervision."""

from __future__ import annotations

__all__ = [
    "Alert",
    "DetectorCursor",
    "ExternalObligation",
    "ExternalSystem",
    "Irregularity",
    "Recommendation",
    "ThresholdPolicy",
]

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import TenantModel
from xiaoneng.core.scoping import ScopeRule
from xiaoneng.workdays.choices import ClockUnit

from .choices import AlertStatus, Escalation, IrregularityRule, IrregularityStatus, Level, ObligationStatus, Severity


class ThresholdPolicy(TenantModel):
    """SUP-1 thresholds for one jurisdiction, optionally narrowed to clocks whose kind starts with
    `kind_prefix` (e.g. "case.decision", "external."): offsets in working days relative to the due
    day for the reminder, yellow and red. The longest matching prefix wins; no row means the defaults
    (reminder −1, yellow 0, red 0)."""

    kind_prefix = models.CharField(_("时限类别前缀"), max_length=40, blank=True)
    remind_offset = models.SmallIntegerField(_("提醒（相对到期日，工作日）"), default=-1)
    yellow_offset = models.SmallIntegerField(_("黄牌（相对到期日，工作日）"), default=0)
    red_offset = models.SmallIntegerField(_("红牌（相对到期日，工作日）"), default=0)
    acknowledge_days = models.PositiveSmallIntegerField(_("签收时限（工作日）"), default=1)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("预警阈值")
        verbose_name_plural = _("预警阈值")
        ordering = ["tenant_id", "kind_prefix"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind_prefix"],
                name="supervision_threshold_unique_prefix",
                violation_error_message=_("该辖区已配置此类别的预警阈值。"),
            ),
            models.CheckConstraint(
                condition=Q(remind_offset__lte=models.F("yellow_offset"))
                & Q(yellow_offset__lte=models.F("red_offset")),
                name="supervision_threshold_ordered",
                violation_error_message=_("提醒不能晚于黄牌，黄牌不能晚于红牌。"),
            ),
        ]

    def __str__(self) -> str:
        return self.kind_prefix or str(_("全部时限"))


class Alert(TenantModel):
    """One SUP-1 alert on one timed obligation. The database holds at most one alert per clock and
    level (`supervision_alert_one_per_level`): that is what makes the scan idempotent."""

    clock = models.ForeignKey("workdays.Clock", on_delete=models.PROTECT, related_name="+", verbose_name=_("时限"))
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    department = models.ForeignKey(
        "orgs.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划"))
    raised_at = models.DateTimeField(_("触发时间"), db_index=True)
    threshold_at = models.DateTimeField(_("阈值时刻"))
    status = models.CharField(_("状态"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.RAISED)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    explanation = models.TextField(_("情况说明"), blank=True)
    explained_at = models.DateTimeField(_("说明时间"), null=True, blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalation = models.PositiveSmallIntegerField(_("升级"), choices=Escalation.choices, default=Escalation.NONE)
    # when the next escalation is due if nobody acknowledges; None once acknowledged or at the top
    escalate_at = models.DateTimeField(_("升级时刻"), null=True, blank=True)
    # the scan run that inserted the row: tells a run which of its INSERTs actually created rows
    scan_token = models.CharField(max_length=32, blank=True, editable=False)

    scope = ScopeRule(department="department", region="region")

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "level"],
                name="supervision_alert_one_per_level",
                violation_error_message=_("同一时限同一级别只能有一条预警。"),
            )
        ]
        indexes = [
            models.Index(
                fields=["escalate_at"], name="supervision_alert_escalate", condition=Q(escalate_at__isnull=False)
            ),
            models.Index(fields=["tenant", "status", "level"], name="supervision_alert_status"),
            models.Index(fields=["department", "status"], name="supervision_alert_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.clock_id}"

    @property
    def is_open(self) -> bool:
        return self.status != AlertStatus.RESOLVED


class Recommendation(TenantModel):
    """A supervision recommendation (监察建议书) issued with a level-4 alert: the statutory limit passed."""

    alert = models.OneToOneField(Alert, on_delete=models.PROTECT, related_name="recommendation")
    number = models.CharField(_("文号"), max_length=40, unique=True)
    department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    text = models.TextField(_("建议内容"))
    issued_at = models.DateTimeField(_("发出时间"))

    class Meta:
        verbose_name = _("监察建议书")
        verbose_name_plural = _("监察建议书")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number


class ExternalSystem(TenantModel):
    """Another system that registers timed obligations for supervision (公共资源交易, 国库支付 …).
    It authenticates with an API key (header X-API-Key); only the key's SHA-256 is stored."""

    code = models.SlugField(_("系统代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, db_index=True, editable=False)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    last_used_at = models.DateTimeField(_("最近调用"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("外部系统")
        verbose_name_plural = _("外部系统")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ExternalObligation(TenantModel):
    """A timed obligation registered by another system; it owns a Clock (kind
    "external.<system code>") and is supervised exactly like internal clocks."""

    system = models.ForeignKey(ExternalSystem, on_delete=models.PROTECT, related_name="obligations")
    external_id = models.CharField(_("外部编号"), max_length=64)
    title = models.CharField(_("事项名称"), max_length=200)
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任部门")
    )
    limit = models.PositiveIntegerField(_("时限"))
    unit = models.CharField(_("计时单位"), max_length=2, choices=ClockUnit.choices)
    started_at = models.DateTimeField(_("起算时间"))
    status = models.CharField(_("状态"), max_length=10, choices=ObligationStatus.choices, default=ObligationStatus.OPEN)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    clock = models.OneToOneField("workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("外部监察事项")
        verbose_name_plural = _("外部监察事项")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "external_id"],
                name="supervision_external_unique_id",
                violation_error_message=_("该系统已登记此编号的事项。"),
            )
        ]

    def __str__(self) -> str:
        return self.title


class Irregularity(TenantModel):
    """One SUP-2 irregularity flag: rule `rule` found broken on one subject (a case, a fee, a step
    task …). The database holds at most one flag per rule, subject and `key` (`key` tells apart
    several findings of one rule on one subject, e.g. two fees), so detectors may run again safely."""

    rule = models.CharField(_("规则"), max_length=12, choices=IrregularityRule.choices)
    severity = models.PositiveSmallIntegerField(_("严重程度"), choices=Severity.choices)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("对象类型")
    )
    subject_id = models.CharField(_("对象编号"), max_length=64)
    key = models.CharField(_("区分键"), max_length=64, blank=True)
    subject_label = models.CharField(_("对象"), max_length=200, help_text=_("如办件编号，供列表显示"))
    department = models.ForeignKey(
        "orgs.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划"))
    detected_at = models.DateTimeField(_("发现时间"), db_index=True)
    detail = models.TextField(_("发现情况"))
    status = models.CharField(
        _("状态"), max_length=10, choices=IrregularityStatus.choices, default=IrregularityStatus.OPEN
    )
    handled_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handling_note = models.TextField(_("核查意见"), blank=True)

    scope = ScopeRule(department="department", region="region")

    class Meta:
        verbose_name = _("违规预警")
        verbose_name_plural = _("违规预警")
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id", "key"],
                name="supervision_irregularity_once",
                violation_error_message=_("同一对象的同一违规情形只记录一次。"),
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "rule"], name="supervision_irreg_status"),
            models.Index(fields=["department", "status"], name="supervision_irreg_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.subject_label}"


class DetectorCursor(models.Model):
    """How far an incremental detector (SUP-2 irregularity rules) has read the Event trail: the id of
    the last event it has evaluated. Detectors advance it in the same transaction as the flags they
    raise, so a crash between the two cannot lose or double a finding."""

    name = models.CharField(_("检测器"), max_length=40, unique=True)
    position = models.BigIntegerField(_("已读到的留痕编号"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("检测进度")
        verbose_name_plural = _("检测进度")

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"
