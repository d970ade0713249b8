"""Normative documents (规范性文件): review, publication, filing, validity (rules NOR-1 … NOR-7 in the
package docstring)."""

from __future__ import annotations

__all__ = ["NormativeDocument"]

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import TenantModel
from xiaoneng.core.scoping import ScopeRule
from xiaoneng.normative.choices import DocumentStatus, EvaluationOutcome, FilingBody, ReviewOutcome

PUBLIC_STATUSES = (DocumentStatus.PUBLISHED, DocumentStatus.REPEALED)


class NormativeDocument(TenantModel):
    """A normative document from its draft to its end: the department submits the draft, the legal
    office reviews it on a Clock (NOR-1 … NOR-3), the department publishes it with a number and a
    validity (NOR-4) and files it on a Clock (NOR-5); it is evaluated before it expires (NOR-6)."""

    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="normative_documents", verbose_name=_("起草单位")
    )
    title = models.CharField(_("文件名称"), max_length=200)
    summary = models.TextField(_("主要内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.REVIEWING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报送人")
    )
    review_clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("审核时限")
    )
    review_outcome = models.CharField(_("审核结论"), max_length=10, choices=ReviewOutcome.choices, blank=True)
    review_opinion = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # NOR-4 publication
    number = models.CharField(_("文号"), max_length=60, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    effective_from = models.DateField(_("施行日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    evaluation_due_on = models.DateField(_("评估清理日期"), null=True, blank=True)
    # NOR-5 filing
    filing_clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("备案时限")
    )
    filed_with = models.CharField(_("备案机关"), max_length=20, choices=FilingBody.choices, blank=True)
    filed_on = models.DateField(_("报送备案日期"), null=True, blank=True)
    filing_ref = models.CharField(_("备案登记号"), max_length=60, blank=True)
    # NOR-6 evaluation
    last_evaluation = models.CharField(_("最近评估结论"), max_length=10, choices=EvaluationOutcome.choices, blank=True)
    last_evaluated_on = models.DateField(_("最近评估日期"), null=True, blank=True)
    repealed_on = models.DateField(_("废止日期"), null=True, blank=True)
    repeal_reason = models.TextField(_("废止理由"), blank=True)

    scope = ScopeRule(department="department", region="department__region", public=Q(status__in=PUBLIC_STATUSES))

    class Meta:
        verbose_name = _("规范性文件")
        verbose_name_plural = _("规范性文件")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "number"],
                condition=~Q(number=""),
                name="normative_document_unique_number",
                violation_error_message=_("该文号已被使用。"),
            ),
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True)
                | Q(published_on__isnull=True)
                | Q(effective_from__gte=F("published_on")),
                name="normative_effective_after_published",
                violation_error_message=_("施行日期不能早于发布日期。"),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(valid_until__gt=F("effective_from")),
                name="normative_valid_after_effective",
                violation_error_message=_("有效期至应晚于施行日期。"),
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "valid_until"], name="normative_doc_status_valid"),
        ]

    def __str__(self) -> str:
        return self.number or self.title

    def is_effective_on(self, day: date) -> bool:
        """NOR-6: published, not repealed, and `day` within [effective_from, valid_until]."""
        return (
            self.status == DocumentStatus.PUBLISHED
            and self.effective_from is not None
            and self.valid_until is not None
            and self.effective_from <= day <= self.valid_until
        )

    def validity_label(self, day: date) -> str:
        """What the public list shows: 现行有效, 尚未施行, 已失效 or 已废止."""
        if self.status == DocumentStatus.REPEALED:
            return str(_("已废止"))
        if self.status != DocumentStatus.PUBLISHED or self.valid_until is None or self.effective_from is None:
            return str(self.get_status_display())
        if day > self.valid_until:
            return str(_("已失效"))
        if day < self.effective_from:
            return str(_("尚未施行"))
        return str(_("现行有效"))
