"""Electronic supervision (电子监察): thresholds, alerts, recommendations and the obligations that
other systems register for supervision."""

from __future__ import annotations

__all__ = [
    "Alert",
    "Bulletin",
    "Deduction",
    "DetectorCursor",
    "EfficiencyPolicy",
    "EfficiencyScore",
    "ExternalObligation",
    "ExternalSystem",
    "Irregularity",
    "QuarterGrade",
    "Recommendation",
    "ThresholdPolicy",
]

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.expressions import Combinable
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import TenantModel
from xiaoneng.core.scoping import ScopeRule
from xiaoneng.supervision.choices import (
    OPEN_ALERT_STATUSES,
    AlertStatus,
    BulletinKind,
    BulletinStatus,
    DeductionSource,
    Escalation,
    Grade,
    IrregularityRule,
    IrregularityStatus,
    Level,
    ObligationStatus,
    Severity,
    WarningLevel,
)
from xiaoneng.supervision.messages import bulletin_title, deduction_text, warning_reason_text
from xiaoneng.workdays.choices import ClockUnit


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
        return self.status in OPEN_ALERT_STATUSES


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


# --- efficiency index (SUP-3, SUP-5) and bulletins (通报) -----------------------------------------


def _points(verbose: Any, default: str) -> models.DecimalField[str | float | Decimal | Combinable, Decimal]:
    return models.DecimalField(verbose, max_digits=5, decimal_places=1, default=Decimal(default))


class EfficiencyPolicy(TenantModel):
    """SUP-3 / SUP-5 scoring for one jurisdiction. No row means the defaults below (the values of
    `supervision.efficiency.DEFAULT_POLICY`); the public warning page shows the values in force."""

    base = _points(_("月度基准分"), "100")
    remind_run = models.PositiveSmallIntegerField(_("连续提醒次数"), default=3)
    remind_points = _points(_("每次连续提醒扣分"), "3")
    yellow_points = _points(_("每张黄牌扣分"), "5")
    red_points = _points(_("每张红牌扣分"), "10")
    irregularity_minor_points = _points(_("一般违规扣分"), "2")
    irregularity_serious_points = _points(_("较重违规扣分"), "5")
    irregularity_grave_points = _points(_("严重违规扣分"), "10")
    complaint_points = _points(_("每件属实效能投诉扣分"), "5")
    late_reply_points = _points(_("每件未按时答复投诉扣分"), "1")
    bad_review_points = _points(_("每条逾期未整改差评扣分"), "2")
    # 督查督办 (issue 11, CAS-10 tasks): each task share overdue in the month; the default is the
    # fixed value used before it became configurable
    task_overdue_points = _points(_("每件逾期督办事项扣分"), "2")
    satisfaction_target = _points(_("评价满意率目标（%）"), "95")
    satisfaction_points = _points(_("满意率每低1个百分点扣分"), "1")
    satisfaction_cap = _points(_("满意率扣分上限"), "5")
    min_ratings = models.PositiveSmallIntegerField(_("计算满意率的最少评价数"), default=10)
    composite_below = _points(_("综合预警：月度得分低于"), "90")
    public_below = _points(_("公开预警：月度得分低于"), "80")
    grade_excellent = _points(_("优秀：季度平均分不低于"), "95")
    grade_good = _points(_("良好：季度平均分不低于"), "85")
    grade_pass = _points(_("合格：季度平均分不低于"), "70")
    note = models.CharField(_("依据文件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("效能指数计分规则")
        verbose_name_plural = _("效能指数计分规则")
        ordering = ["tenant_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"],
                name="supervision_effpolicy_one_per_tenant",
                violation_error_message=_("该辖区已配置效能指数计分规则。"),
            ),
            models.CheckConstraint(
                condition=Q(grade_pass__lte=models.F("grade_good")) & Q(grade_good__lte=models.F("grade_excellent")),
                name="supervision_effpolicy_grades_ordered",
                violation_error_message=_("等次分数线应为：合格 ≤ 良好 ≤ 优秀。"),
            ),
            models.CheckConstraint(
                condition=Q(public_below__lte=models.F("composite_below")),
                name="supervision_effpolicy_warnings_ordered",
                violation_error_message=_("公开预警分数线不能高于综合预警分数线。"),
            ),
            models.CheckConstraint(
                condition=Q(remind_run__gte=1),
                name="supervision_effpolicy_remind_run",
                violation_error_message=_("连续提醒次数至少为1。"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.tenant)


class EfficiencyScore(TenantModel):
    """One unit's efficiency index for one month (SUP-5): the 100-point base minus its itemised
    deductions, and its warning level (SUP-3). The current month is recomputed hourly; a closed month
    is frozen (`frozen`) and only the recompute command touches it again."""

    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划"))
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    base = models.DecimalField(_("基准分"), max_digits=5, decimal_places=1)
    deducted = models.DecimalField(_("扣分合计"), max_digits=6, decimal_places=1)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    warning = models.PositiveSmallIntegerField(_("预警级别"), choices=WarningLevel.choices, default=WarningLevel.NONE)
    warning_reason = models.CharField(_("预警原因"), max_length=200, blank=True)
    # the reason as a message key and parameters, rendered in the reader's language
    # (`warning_reason_text`); `warning_reason` keeps the Chinese wording, and is what rows computed
    # before the key existed show
    warning_message = models.JSONField(_("预警原因（消息）"), default=dict, blank=True)
    figures = models.JSONField(_("基础数据"), default=dict, blank=True)
    frozen = models.BooleanField(_("已封存"), default=False)
    computed_at = models.DateTimeField(_("计算时间"))

    # the public sees the public warning list (SUP-3 level 3) and nothing else
    scope = ScopeRule(department="department", region="region", public=Q(warning=WarningLevel.PUBLIC))

    class Meta:
        verbose_name = _("效能指数")
        verbose_name_plural = _("效能指数")
        ordering = ["-month", "score", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "month"],
                name="supervision_effscore_one_per_month",
                violation_error_message=_("同一单位同一月份只有一个效能指数。"),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=models.F("base")),
                name="supervision_effscore_range",
                violation_error_message=_("得分应在0分与基准分之间。"),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "month"], name="supervision_effscore_month")]

    def __str__(self) -> str:
        return f"{self.department} {self.month:%Y-%m} {self.score}"

    @property
    def warning_reason_text(self) -> str:
        return warning_reason_text(self)


class Deduction(models.Model):
    """One itemised deduction of a monthly score: its source, how many findings, the points, a plain
    explanation, and the ids of the alerts / irregularities / complaints / ratings behind it (`refs`),
    so every score explains itself down to the records."""

    score = models.ForeignKey(EfficiencyScore, on_delete=models.CASCADE, related_name="deductions")
    source = models.CharField(_("扣分来源"), max_length=16, choices=DeductionSource.choices)
    count = models.PositiveIntegerField(_("数量"))
    points = models.DecimalField(_("扣分"), max_digits=6, decimal_places=1)
    explanation = models.CharField(_("说明"), max_length=300)
    # the explanation as a message key and parameters, rendered in the reader's language
    # (`explanation_text`); `explanation` keeps the Chinese wording for rows computed before
    message = models.JSONField(_("说明（消息）"), default=dict, blank=True)
    refs = models.JSONField(_("关联记录"), default=list, blank=True)

    class Meta:
        verbose_name = _("扣分明细")
        verbose_name_plural = _("扣分明细")
        ordering = ["score_id", "-points", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["score", "source"],
                name="supervision_deduction_one_per_source",
                violation_error_message=_("同一得分的同一扣分来源只记一项。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} −{self.points}"

    @property
    def explanation_text(self) -> str:
        return deduction_text(self)


class QuarterGrade(TenantModel):
    """SUP-5: one unit's grade for one quarter (the mean of its monthly scores). 不合格 carries a
    supervision recommendation (监察建议) and opens a Rectification."""

    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划"))
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    score = models.DecimalField(_("季度平均分"), max_digits=5, decimal_places=1)
    months = models.PositiveSmallIntegerField(_("计分月数"))
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices)
    recommendation_number = models.CharField(_("监察建议文号"), max_length=40, blank=True)
    recommendation_text = models.TextField(_("监察建议"), blank=True)
    rectification = models.ForeignKey(
        "oversight.Rectification",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改事项"),
    )
    graded_at = models.DateTimeField(_("评定时间"))

    scope = ScopeRule(department="department", region="region")

    class Meta:
        verbose_name = _("季度等次")
        verbose_name_plural = _("季度等次")
        ordering = ["-year", "-quarter", "score"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "quarter"],
                name="supervision_grade_one_per_quarter",
                violation_error_message=_("同一单位同一季度只有一个等次。"),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4),
                name="supervision_grade_quarter_range",
                violation_error_message=_("季度应为1至4。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.year}Q{self.quarter} {self.get_grade_display()}"


class Bulletin(TenantModel):
    """A bulletin (通报) for one region and period. A draft shows the live figures; issuing numbers
    it and freezes a snapshot of the figures (`snapshot`), which the page, the PDF and the Excel file
    show from then on, whatever a later recompute changes."""

    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划"))
    kind = models.CharField(_("类型"), max_length=10, choices=BulletinKind.choices)
    period = models.DateField(_("期间"), help_text=_("月度为该月第一天，季度为该季度第一天"))
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(_("状态"), max_length=8, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT)
    number = models.CharField(_("文号"), max_length=40, null=True, blank=True, unique=True)
    remarks = models.TextField(_("通报意见"), blank=True)
    snapshot = models.JSONField(_("数据快照"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope = ScopeRule(region="region")

    class Meta:
        verbose_name = _("效能通报")
        verbose_name_plural = _("效能通报")
        ordering = ["-period", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "period"],
                name="supervision_bulletin_one_per_period",
                violation_error_message=_("该区划该期间的通报已存在。"),
            ),
            models.CheckConstraint(
                condition=Q(status=BulletinStatus.DRAFT) | (Q(number__isnull=False) & Q(issued_at__isnull=False)),
                name="supervision_bulletin_issued_numbered",
                violation_error_message=_("已印发的通报必须有文号和印发时间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title_text(self) -> str:
        """The title in the reader's language (`title` keeps the Chinese wording it was drafted with)."""
        return bulletin_title(self)
