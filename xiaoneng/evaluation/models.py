"""Performance evaluation (绩效考评, EVA-1), the 效能廉勤 warning index (SUP-3) and public commitments
(承诺践诺评诺, seed 004). Data and invariants only; every write is in services.py."""

from __future__ import annotations

__all__ = [
    "Award",
    "Commitment",
    "CommitmentPanelScore",
    "CommitmentProgress",
    "CommitmentVote",
    "EvaluatedUnit",
    "Indicator",
    "Interview",
    "PanelMember",
    "PanelScore",
    "PhoneVerification",
    "Scheme",
    "SelfAssessment",
    "SurveyTarget",
    "UnitResult",
    "WarningIndex",
    "WarningTalk",
]

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import TenantModel, TimeStampedModel
from xiaoneng.core.scoping import ScopeRule
from xiaoneng.evaluation.choices import (
    AwardKind,
    CommitmentKind,
    CommitmentStatus,
    IndicatorKind,
    PanelGroup,
    SchemeStatus,
    Severity,
    TalkStatus,
    UnitCategory,
    VoteChoice,
    WarningLevel,
)


class Scheme(TenantModel):
    """One jurisdiction's evaluation scheme for one year (EVA-1): its indicator tree, the units it
    evaluates (each in a category), and, once computed, their results. Department staff see the
    schemes of their region; the public sees closed ones (the published ranking)."""

    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("辖区"))
    year = models.PositiveSmallIntegerField(_("考评年度"))
    name = models.CharField(_("方案名称"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    self_days = models.PositiveSmallIntegerField(_("自评期限（工作日）"), default=10)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)

    scope = ScopeRule(region="region", public=Q(status=SchemeStatus.CLOSED))

    class Meta:
        verbose_name = _("考评方案")
        verbose_name_plural = _("考评方案")
        ordering = ["-year", "region__path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"],
                name="evaluation_scheme_one_per_year",
                violation_error_message=_("该辖区该年度已有考评方案。"),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="evaluation_scheme_year_range",
                violation_error_message=_("考评年度须在2000年至2100年之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)


class EvaluatedUnit(TimeStampedModel):
    """A unit under evaluation in a scheme, with its category; its self-assessment obligation is a
    workdays Clock started when the scheme is published and stopped when the unit submits."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="units", verbose_name=_("考评方案"))
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    category = models.CharField(_("单位类别"), max_length=12, choices=UnitCategory.choices)
    self_clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("自评时限")
    )
    self_submitted_at = models.DateTimeField(_("自评提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("被考评单位")
        verbose_name_plural = _("被考评单位")
        ordering = ["scheme_id", "category", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "department"],
                name="evaluation_unit_once",
                violation_error_message=_("该单位已在考评名单中。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} ({self.get_category_display()})"


class Indicator(TimeStampedModel):
    """A node of the indicator tree. Groups hold children; leaves are data indicators (computed by a
    registered provider, `data_key`), self-assessment, panel scores or survey scores. `category` blank
    means every category. EVA-1: within one parent and one category the weights sum to 100."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("考评方案"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name=_("上级指标")
    )
    name = models.CharField(_("指标名称"), max_length=100)
    kind = models.CharField(_("指标类型"), max_length=8, choices=IndicatorKind.choices)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2)
    category = models.CharField(_("适用单位类别"), max_length=12, choices=UnitCategory.choices, blank=True)
    data_key = models.CharField(_("数据来源"), max_length=60, blank=True)
    description = models.TextField(_("考评标准"), blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)

    class Meta:
        verbose_name = _("考评指标")
        verbose_name_plural = _("考评指标")
        ordering = ["scheme_id", "parent_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0, weight__lte=100),
                name="evaluation_indicator_weight_range",
                violation_error_message=_("权重须大于0且不超过100。"),
            ),
            models.CheckConstraint(
                condition=Q(kind=IndicatorKind.DATA, data_key__gt="") | (~Q(kind=IndicatorKind.DATA) & Q(data_key="")),
                name="evaluation_indicator_data_key",
                violation_error_message=_("数据指标必须选择数据来源，其他指标不能选择。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def applies_to(self, category: str) -> bool:
        return not self.category or self.category == category


class SelfAssessment(TimeStampedModel):
    """A unit's own score (0–100) on a self-assessment indicator, with its statement and evidence."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="self_scores", verbose_name=_("指标")
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    score = models.DecimalField(_("自评分"), max_digits=6, decimal_places=2)
    statement = models.TextField(_("自评说明"))
    evidence = models.FileField(_("佐证材料"), upload_to="evaluation/self/", blank=True, max_length=300)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )

    class Meta:
        verbose_name = _("自评")
        verbose_name_plural = _("自评")
        ordering = ["indicator_id", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "department"],
                name="evaluation_self_once",
                violation_error_message=_("该指标已自评。"),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100),
                name="evaluation_self_range",
                violation_error_message=_("分数须在0至100之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department_id}:{self.indicator_id}={self.score}"


class PanelMember(TimeStampedModel):
    """A member of the evaluation panel (评议组). `home_department` is the department the member
    belongs to (their own staff department by default): they may not score it (conflict of interest)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="panel", verbose_name=_("考评方案"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("成员")
    )
    group = models.CharField(_("成员类别"), max_length=12, choices=PanelGroup.choices, default=PanelGroup.OTHER)
    home_department = models.ForeignKey(
        "orgs.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在单位（回避）"),
    )

    class Meta:
        verbose_name = _("评议组成员")
        verbose_name_plural = _("评议组成员")
        ordering = ["scheme_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "user"],
                name="evaluation_panel_once",
                violation_error_message=_("该成员已在评议组中。"),
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class PanelScore(TimeStampedModel):
    """One panel member's score (0–100) of one unit on one panel indicator."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="panel_scores", verbose_name=_("指标")
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="scores", verbose_name=_("评议人"))
    score = models.DecimalField(_("评分"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("评议意见"), blank=True)

    class Meta:
        verbose_name = _("评议组评分")
        verbose_name_plural = _("评议组评分")
        ordering = ["indicator_id", "department_id", "member_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "department", "member"],
                name="evaluation_panel_score_once",
                violation_error_message=_("您已对该单位该指标评分。"),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100),
                name="evaluation_panel_score_range",
                violation_error_message=_("分数须在0至100之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}→{self.department_id}: {self.score}"


class SurveyTarget(TimeStampedModel):
    """Ties a public survey (ratings.Survey) to the unit it rates, for a survey indicator. With a
    `question`, only that question's answers rate the unit (one questionnaire listing many units);
    without, every rating question of the survey does (one questionnaire per unit)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="survey_targets", verbose_name=_("指标")
    )
    survey = models.ForeignKey("ratings.Survey", on_delete=models.PROTECT, related_name="+", verbose_name=_("问卷"))
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    question = models.ForeignKey(
        "ratings.Question", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("题目")
    )

    class Meta:
        verbose_name = _("测评对象")
        verbose_name_plural = _("测评对象")
        ordering = ["indicator_id", "department_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "survey", "department", "question"],
                name="evaluation_survey_target_once",
                violation_error_message=_("该问卷已关联该单位。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}→{self.department_id}"


class UnitResult(TimeStampedModel):
    """A unit's composite score for a scheme, with its 95% interval, its rank band (units whose
    intervals overlap share one band: B8) and the figures behind every indicator (`details`)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="results", verbose_name=_("考评方案"))
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    category = models.CharField(_("单位类别"), max_length=12, choices=UnitCategory.choices)
    # None: no indicator had data for the unit (not ranked)
    score = models.DecimalField(_("综合得分"), null=True, blank=True, max_digits=6, decimal_places=2)
    lower = models.DecimalField(_("置信下限"), null=True, blank=True, max_digits=6, decimal_places=2)
    upper = models.DecimalField(_("置信上限"), null=True, blank=True, max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("名次（起）"))
    rank_to = models.PositiveSmallIntegerField(_("名次（止）"))
    band = models.PositiveSmallIntegerField(_("档次"))
    bottom = models.BooleanField(_("末位"), default=False)
    coverage = models.DecimalField(_("有数据指标权重"), max_digits=6, decimal_places=2)
    details = models.JSONField(_("指标明细"), default=list, blank=True)

    class Meta:
        verbose_name = _("考评结果")
        verbose_name_plural = _("考评结果")
        ordering = ["scheme_id", "category", "rank", "-score", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "department"],
                name="evaluation_result_once",
                violation_error_message=_("同一方案中每个单位只有一个结果。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.score}"

    @property
    def tied(self) -> bool:
        return self.rank_to > self.rank


class WarningTalk(TenantModel):
    """末位 consequence (EVA-1, ACC-1 诫勉谈话): a warning talk with the bottom unit's head, and the
    Rectification opened with it."""

    result = models.OneToOneField(UnitResult, on_delete=models.PROTECT, related_name="talk", verbose_name=_("考评结果"))
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    status = models.CharField(_("状态"), max_length=8, choices=TalkStatus.choices, default=TalkStatus.PLANNED)
    held_on = models.DateField(_("谈话日期"), null=True, blank=True)
    talked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("谈话人"),
    )
    note = models.TextField(_("谈话记录"), blank=True)
    rectification = models.ForeignKey(
        "oversight.Rectification",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改事项"),
    )

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("诫勉谈话")
        verbose_name_plural = _("诫勉谈话")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.department} {self.get_status_display()}"


class Award(TenantModel):
    """An award (十佳/先进) granted on a scheme's results; refused for units on the negative list or
    with accountability records in the year (ACC-2 四个一律: 一律取消评先评优资格)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="awards", verbose_name=_("考评方案"))
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    kind = models.CharField(_("奖项"), max_length=10, choices=AwardKind.choices)
    citation = models.CharField(_("表彰理由"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("授予人")
    )

    scope = ScopeRule(department="department", region="department__region", public=Q())

    class Meta:
        verbose_name = _("表彰")
        verbose_name_plural = _("表彰")
        ordering = ["scheme_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "department", "kind"],
                name="evaluation_award_once",
                violation_error_message=_("该单位已获得该奖项。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.department}"


class Interview(TenantModel):
    """A 纠风约谈 (an interview of a unit's leaders about conduct problems): a source of the warning index."""

    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("约谈单位")
    )
    held_on = models.DateField(_("约谈日期"))
    reason = models.TextField(_("约谈事由"))
    severity = models.PositiveSmallIntegerField(_("严重程度"), choices=Severity.choices, default=Severity.MINOR)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("约谈人")
    )

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("纠风约谈")
        verbose_name_plural = _("纠风约谈")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["department", "held_on"], name="evaluation_itv_dept_day")]

    def __str__(self) -> str:
        return f"{self.department} {self.held_on}"


class WarningIndex(TenantModel):
    """The 效能廉勤预警指数 of one unit for one month (seed 002 "五位一体"): a 0–100 score per source
    (电子监察, 终端评议, 定点监测, 行风热线, 纠风约谈) in `sources`, their weighted index and the warning
    level (SUP-3). The public sees the rows on the public warning list."""

    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    month = models.DateField(_("月份"))
    index = models.DecimalField(_("预警指数"), max_digits=6, decimal_places=2)
    level = models.PositiveSmallIntegerField(_("预警级别"), choices=WarningLevel.choices, default=WarningLevel.NONE)
    sources = models.JSONField(_("分项"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"))

    scope = ScopeRule(department="department", region="department__region", public=Q(level=WarningLevel.PUBLIC))

    class Meta:
        verbose_name = _("效能廉勤预警指数")
        verbose_name_plural = _("效能廉勤预警指数")
        ordering = ["-month", "index", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "month"],
                name="evaluation_warning_once",
                violation_error_message=_("同一单位同一月份只有一个预警指数。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.month:%Y-%m} {self.index}"


class Commitment(TenantModel):
    """A public commitment (承诺, seed 004 年初承诺 → 过程践诺 → 年底评诺): a yearly commitment of a
    department, or a window's service commitment (服务承诺), with a measurable target."""

    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("承诺单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("承诺类型"), max_length=8, choices=CommitmentKind.choices, default=CommitmentKind.ANNUAL)
    window = models.CharField(_("窗口"), max_length=30, blank=True)
    title = models.CharField(_("承诺事项"), max_length=200)
    target = models.TextField(_("量化目标"))
    target_value = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    target_unit = models.CharField(_("计量单位"), max_length=20)
    higher_is_better = models.BooleanField(_("数值越大越好"), default=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.DRAFT
    )
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    # year-end assessment (年底评诺), written by commitment_assess
    vote_count = models.PositiveIntegerField(_("投票人数"), default=0)
    vote_fulfilled = models.PositiveIntegerField(_("认为兑现人数"), default=0)
    panel_count = models.PositiveIntegerField(_("评议人数"), default=0)
    panel_mean = models.DecimalField(_("评议组平均分"), null=True, blank=True, max_digits=6, decimal_places=2)
    final_score = models.DecimalField(_("评诺得分"), null=True, blank=True, max_digits=6, decimal_places=2)

    scope = ScopeRule(
        department="department",
        region="department__region",
        public=Q(status__in=[CommitmentStatus.PUBLISHED, CommitmentStatus.VOTING, CommitmentStatus.ASSESSED]),
    )

    class Meta:
        verbose_name = _("公开承诺")
        verbose_name_plural = _("公开承诺")
        ordering = ["-year", "department_id", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="evaluation_commitment_year_range",
                violation_error_message=_("年度须在2000年至2100年之间。"),
            ),
            models.CheckConstraint(
                condition=Q(kind=CommitmentKind.ANNUAL) | ~Q(window=""),
                name="evaluation_commitment_service_window",
                violation_error_message=_("窗口服务承诺须写明窗口。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CommitmentProgress(TimeStampedModel):
    """过程践诺: a progress report with the value reached so far and evidence."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="progress", verbose_name=_("承诺")
    )
    reported_on = models.DateField(_("报告日期"))
    actual_value = models.DecimalField(_("完成值"), max_digits=12, decimal_places=2)
    text = models.TextField(_("践诺情况"))
    evidence = models.FileField(_("佐证材料"), upload_to="evaluation/progress/", blank=True, max_length=300)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )

    class Meta:
        verbose_name = _("践诺进展")
        verbose_name_plural = _("践诺进展")
        ordering = ["commitment_id", "reported_on", "id"]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.reported_on}"


class CommitmentVote(TimeStampedModel):
    """年底评诺 by the public: one vote per verified person per commitment (the account and its
    verified mobile number are each unique per commitment, so a second account on the same phone
    cannot vote again)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="votes", verbose_name=_("承诺"))
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("投票人")
    )
    phone = models.CharField(_("验证手机号"), max_length=11)
    choice = models.CharField(_("评价"), max_length=10, choices=VoteChoice.choices)

    class Meta:
        verbose_name = _("评诺投票")
        verbose_name_plural = _("评诺投票")
        ordering = ["commitment_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "voter"],
                name="evaluation_vote_once",
                violation_error_message=_("您已对该承诺投过票。"),
            ),
            models.UniqueConstraint(
                fields=["commitment", "phone"],
                name="evaluation_vote_once_per_phone",
                violation_error_message=_("该手机号已对该承诺投过票。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.choice}"


class CommitmentPanelScore(TimeStampedModel):
    """年底评诺 by the panel: a member's score (0–100) of a commitment's fulfilment."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="panel_scores", verbose_name=_("承诺")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("评议人")
    )
    score = models.DecimalField(_("评分"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("评诺评分")
        verbose_name_plural = _("评诺评分")
        ordering = ["commitment_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "member"],
                name="evaluation_commitment_score_once",
                violation_error_message=_("您已对该承诺评分。"),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100),
                name="evaluation_commitment_score_range",
                violation_error_message=_("分数须在0至100之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.score}"


class PhoneVerification(TimeStampedModel):
    """A 6-digit code sent by SMS that proves a citizen holds the mobile number of their account
    (the account's phone is taken at registration without a code). Only its hash is stored; it
    expires, allows 5 wrong entries and, once verified, lets the person vote."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    phone = models.CharField(_("手机号"), max_length=11)
    code_hash = models.CharField(_("验证码哈希"), max_length=128)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("手机号验证")
        verbose_name_plural = _("手机号验证")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="evaluation_phone_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.phone[:3]}****"
