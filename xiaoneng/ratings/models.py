"""Ratings (好差评) of completed cases and in-hall services, and public surveys (社会测评).

The rater is protected (RAT-1): `rater` and `rater_phone` are never shown to department staff —
selectors and the API drop them for department roles."""

from __future__ import annotations

__all__ = [
    "Answer",
    "InHallService",
    "Question",
    "Rating",
    "RatingInvitation",
    "Survey",
    "SurveyLink",
    "SurveyResponse",
]

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import TenantModel, TimeStampedModel
from xiaoneng.core.scoping import ScopeRule
from xiaoneng.ratings.choices import AppealStatus, Handling, Level, QuestionKind, RespondentGroup, Source, SurveyStatus


class InHallService(TenantModel):
    """One service given at a hall window (a consultation, a pick-up, an on-the-spot case): rated once."""

    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="hall_services", verbose_name=_("部门")
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("窗口人员"),
    )
    window = models.CharField(_("窗口"), max_length=30, blank=True)
    service_name = models.CharField(_("服务内容"), max_length=200)
    served_at = models.DateTimeField(_("服务时间"), db_index=True)
    person_phone = models.CharField(_("服务对象手机号"), max_length=11, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("相关办件")
    )

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("窗口服务")
        verbose_name_plural = _("窗口服务")
        ordering = ["-served_at", "-id"]

    def __str__(self) -> str:
        return f"{self.window} {self.service_name}"


class Rating(TenantModel):
    """One rating (RAT-1): per completed case or per in-hall service, never both, never twice.

    A rating defaulted after 7 natural days (RAT-2) is 基本满意 with `defaulted=True`. A bad review
    (levels 1–2) moves through `handling` (RAT-3); an upheld appeal sets `removed`, which takes it out
    of every published figure."""

    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="rating", verbose_name=_("办件")
    )
    service = models.OneToOneField(
        InHallService,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rating",
        verbose_name=_("窗口服务"),
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    comment = models.TextField(_("评价意见"), blank=True)
    # 国办发〔2019〕51号: a bad review states the problem (required for 不满意 / 非常不满意, RAT-1)
    reason = models.TextField(_("差评原因"), blank=True)
    source = models.CharField(_("评价渠道"), max_length=10, choices=Source.choices)
    defaulted = models.BooleanField(_("默认评价"), default=False)
    rated_at = models.DateTimeField(_("评价时间"), db_index=True)
    # protected: never shown to department staff
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("评价人"),
    )
    rater_phone = models.CharField(_("评价人电话"), max_length=11, blank=True)
    # RAT-3
    handling = models.CharField(_("差评处理"), max_length=12, choices=Handling.choices, blank=True, default="")
    verification_note = models.TextField(_("核实情况"), blank=True)
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    rectified = models.BooleanField(_("整改完成"), default=False)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_note = models.TextField(_("回访记录"), blank=True)
    callback_satisfied = models.BooleanField(_("回访满意"), null=True, blank=True)
    appeal_status = models.CharField(_("申诉"), max_length=10, choices=AppealStatus.choices, blank=True, default="")
    appeal_reason = models.TextField(_("申诉理由"), blank=True)
    appeal_note = models.TextField(_("申诉审核意见"), blank=True)
    removed = models.BooleanField(_("已撤销"), default=False)

    scope = ScopeRule(department="department", region="department__region", owner="rater")

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-rated_at", "-id"]
        indexes = [models.Index(fields=["department", "rated_at"], name="ratings_dept_rated")]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, service__isnull=True) | Q(case__isnull=True, service__isnull=False),
                name="ratings_one_target",
                violation_error_message=_("一条评价只能对应一个办件或一次窗口服务。"),
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5),
                name="ratings_level_range",
                violation_error_message=_("评价等级必须是五级之一。"),
            ),
            models.CheckConstraint(
                condition=Q(defaulted=False) | Q(level=3),
                name="ratings_default_is_basic",
                violation_error_message=_("默认评价只能是基本满意。"),  # RAT-2
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.department_id}"

    @property
    def is_bad(self) -> bool:
        return self.level <= Level.UNSATISFIED


class RatingInvitation(TenantModel):
    """RAT-1: the SMS that invited the person served to rate (a link to the rating page), sent once per
    completed case or window service. The phone number is not copied here (the rater is protected)."""

    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("办件")
    )
    service = models.OneToOneField(
        InHallService, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("窗口服务")
    )
    sent_at = models.DateTimeField(_("发送时间"))

    class Meta:
        verbose_name = _("评价邀请短信")
        verbose_name_plural = _("评价邀请短信")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, service__isnull=True) | Q(case__isnull=True, service__isnull=False),
                name="ratings_invitation_one_target",
                violation_error_message=_("一条评价邀请只能对应一个办件或一次窗口服务。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id or self.service_id} @ {self.sent_at:%Y-%m-%d}"


class Survey(TenantModel):
    """A public survey (社会测评): questions, respondent groups reached by links, anonymous responses."""

    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("辖区"))
    title = models.CharField(_("问卷标题"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    max_per_hour = models.PositiveIntegerField(_("同一来源每小时最多提交"), default=20)

    scope = ScopeRule(region="region")

    class Meta:
        verbose_name = _("社会测评问卷")
        verbose_name_plural = _("社会测评问卷")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Question(TimeStampedModel):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("问卷"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    kind = models.CharField(_("题型"), max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    options = models.JSONField(_("选项"), default=list, blank=True)
    required = models.BooleanField(_("必答"), default=True)

    class Meta:
        verbose_name = _("问卷题目")
        verbose_name_plural = _("问卷题目")
        ordering = ["survey_id", "order", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyLink(TimeStampedModel):
    """A distribution link for one respondent group; a single-use link accepts one response."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="links", verbose_name=_("问卷"))
    group = models.CharField(_("测评群体"), max_length=12, choices=RespondentGroup.choices)
    label = models.CharField(_("说明"), max_length=100, blank=True)
    token = models.CharField(_("链接令牌"), max_length=40, unique=True)
    single_use = models.BooleanField(_("一次性链接"), default=False)

    class Meta:
        verbose_name = _("问卷链接")
        verbose_name_plural = _("问卷链接")
        ordering = ["survey_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_group_display()} {self.label}"


class SurveyResponse(TimeStampedModel):
    """An anonymous response. `fingerprint` (a hash of the single-use link, or of session + address)
    is unique per survey: the same browser or link cannot answer twice. Nothing identifies a person."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("问卷"))
    link = models.ForeignKey(SurveyLink, on_delete=models.PROTECT, related_name="responses", verbose_name=_("链接"))
    group = models.CharField(_("测评群体"), max_length=12, choices=RespondentGroup.choices)
    fingerprint = models.CharField(_("防重复摘要"), max_length=64)
    ip_hash = models.CharField(_("来源摘要"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "fingerprint"],
                name="ratings_response_once",
                violation_error_message=_("您已提交过本问卷，感谢参与。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    score = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    choice = models.CharField(_("选项"), max_length=200, blank=True)
    text = models.TextField(_("文字"), blank=True)

    class Meta:
        verbose_name = _("答案")
        verbose_name_plural = _("答案")
        ordering = ["response_id", "question_id"]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.score or self.choice or self.text[:20]}"
