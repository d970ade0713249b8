"""Proposals (人大建议/政协提案) and major administrative decisions (重大行政决策): rules PRP-1 … PRP-6 and
DEC-1 … DEC-4 in the package docstring."""

from __future__ import annotations

__all__ = ["CoHandling", "DecisionComment", "DecisionStep", "MajorDecision", "Proposal"]

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import TenantModel, TimeStampedModel
from xiaoneng.core.scoping import ScopeRule
from xiaoneng.proposals.choices import (
    DecisionStatus,
    LegalityResult,
    ProposalKind,
    ProposalStatus,
    ReplyCategory,
    Satisfaction,
    StepKind,
    StepStatus,
)


class Proposal(TenantModel):
    """A deputy's suggestion or a member's proposal, assigned to a lead department on registration
    (PRP-1) with its reply Clock (PRP-2); replied (PRP-4), rated by the proposer (PRP-5)."""

    kind = models.CharField(_("类别"), max_length=10, choices=ProposalKind.choices)
    number = models.CharField(_("编号"), max_length=40)
    session = models.CharField(_("届次会议"), max_length=60)
    title = models.CharField(_("标题"), max_length=200)
    proposer = models.CharField(_("代表或委员"), max_length=200)
    content = models.TextField(_("内容"))
    urgent = models.BooleanField(_("紧急办理"), default=False)
    lead_department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="led_proposals", verbose_name=_("主办单位")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("交办人")
    )
    assigned_on = models.DateField(_("交办日期"))
    status = models.CharField(_("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.HANDLING)
    reply_clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("答复时限")
    )
    reply_category = models.CharField(_("答复类别"), max_length=1, choices=ReplyCategory.choices, blank=True)
    reply_text = models.TextField(_("答复内容"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签发人"),
    )
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reply_count = models.PositiveSmallIntegerField(_("答复次数"), default=0)
    satisfaction = models.CharField(_("代表委员意见"), max_length=12, choices=Satisfaction.choices, blank=True)
    satisfaction_note = models.TextField(_("反馈说明"), blank=True)

    scope = ScopeRule(department="lead_department", region="lead_department__region")

    class Meta:
        verbose_name = _("建议提案")
        verbose_name_plural = _("建议提案")
        ordering = ["-assigned_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "session", "number"],
                name="proposals_proposal_unique_number",
                violation_error_message=_("该届次会议已有此编号的建议或提案。"),
            ),
            models.CheckConstraint(
                condition=Q(reply_count__lte=2),
                name="proposals_proposal_two_replies_at_most",
                violation_error_message=_("一件建议或提案最多答复两次。"),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="proposals_proposal_status")]

    def __str__(self) -> str:
        return f"{self.session} {self.number}"


class CoHandling(TimeStampedModel):
    """A co-handling department's part (PRP-3): its opinion to the lead within 1 month, on a Clock."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cohandlings")
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="cohandled_proposals", verbose_name=_("协办单位")
    )
    clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("协办时限")
    )
    opinion = models.TextField(_("协办意见"), blank=True)
    answered_at = models.DateTimeField(_("提出意见时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("协办")
        verbose_name_plural = _("协办")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "department"], name="proposals_cohandling_once"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.department_id}"


class MajorDecision(TenantModel):
    """A major administrative decision (重大行政决策) and its statutory steps (DEC-1 … DEC-4). Public
    once its draft is published for comment (DEC-2)."""

    title = models.CharField(_("决策事项"), max_length=200)
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="major_decisions", verbose_name=_("决策承办单位")
    )
    description = models.TextField(_("决策草案说明"))
    status = models.CharField(_("状态"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.DRAFTING)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    published_on = models.DateField(_("公示日期"), null=True, blank=True)
    meeting = models.CharField(_("决定会议"), max_length=100, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_text = models.TextField(_("决定内容"), blank=True)

    scope = ScopeRule(department="department", region="department__region", public=Q(published_on__isnull=False))

    class Meta:
        verbose_name = _("重大行政决策")
        verbose_name_plural = _("重大行政决策")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class DecisionStep(TimeStampedModel):
    """One of the five statutory steps of a decision (DEC-1), recorded with its date and summary."""

    decision = models.ForeignKey(MajorDecision, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("程序"), max_length=10, choices=StepKind.choices)
    status = models.CharField(_("状态"), max_length=12, choices=StepStatus.choices, default=StepStatus.PENDING)
    not_required_reason = models.CharField(_("不适用理由"), max_length=500, blank=True)
    # DEC-2: the comment period of 公众参与
    starts_on = models.DateField(_("公示开始"), null=True, blank=True)
    ends_on = models.DateField(_("公示结束"), null=True, blank=True)
    short_reason = models.CharField(_("缩短公示期的理由"), max_length=500, blank=True)
    # DEC-3
    legality = models.CharField(_("审查结论"), max_length=10, choices=LegalityResult.choices, blank=True)
    summary = models.TextField(_("情况说明"), blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("决策程序")
        verbose_name_plural = _("决策程序")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "kind"], name="proposals_step_once"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="proposals_step_period",
                violation_error_message=_("公示结束日期应晚于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}:{self.kind}"


class DecisionComment(models.Model):
    """A comment from the public on a draft decision during its comment period (DEC-2)."""

    decision = models.ForeignKey(MajorDecision, on_delete=models.CASCADE, related_name="comments")
    name = models.CharField(_("称呼"), max_length=50, blank=True)
    text = models.TextField(_("意见"))
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公众意见")
        verbose_name_plural = _("公众意见")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.decision_id}:{self.pk}"
