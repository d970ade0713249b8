"""Rectification items (整改): the third spine. Whatever finds a problem opens one; only verification
closes it."""

from __future__ import annotations

__all__ = ["Rectification", "RectificationEvidence"]

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import TenantModel, TimeStampedModel
from xiaoneng.core.scoping import ScopeRule

from .choices import RectificationStatus


class Rectification(TenantModel):
    """A problem a department must fix by a deadline: measures, an owner, a Clock (15 working days by
    default, CAS-10) and evidence. Opened by its source (a red alert, a complaint, …); closed only when
    a supervisor verifies the evidence; a rejected submission goes back to the department."""

    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("来源类型")
    )
    source_id = models.CharField(_("来源编号"), max_length=64, blank=True)
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="rectifications", verbose_name=_("责任部门")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications_owned",
        verbose_name=_("整改责任人"),
    )
    title = models.CharField(_("标题"), max_length=200)
    problem = models.TextField(_("问题描述"))
    measures = models.TextField(_("整改措施"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    clock = models.OneToOneField(
        "workdays.Clock",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改时限"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("核验人"),
    )
    verification_note = models.TextField(_("核验意见"), blank=True)
    rejections = models.PositiveSmallIntegerField(_("退回次数"), default=0)

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["-created_at", "-id"]
        constraints = [
            # one rectification per finding: a scan that runs twice cannot open two
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=Q(source_type__isnull=False),
                name="oversight_rectification_one_per_source",
                violation_error_message=_("该问题已经开具整改事项。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(verified_at__isnull=False),
                name="oversight_rectification_closed_verified",
                violation_error_message=_("整改事项必须经核验才能销号。"),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="oversight_rect_tenant_status")]

    def __str__(self) -> str:
        return self.title


def _evidence_path(instance: RectificationEvidence, filename: str) -> str:
    return f"oversight/evidence/{instance.rectification_id}/{filename}"


class RectificationEvidence(TimeStampedModel):
    """What the department submits to show the problem is fixed: a written account and optionally a
    file (stored under MEDIA_ROOT, served only through a permission check)."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("整改事项")
    )
    text = models.TextField(_("整改情况"))
    file = models.FileField(_("佐证材料"), upload_to=_evidence_path, blank=True, max_length=300)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提交人")
    )

    class Meta:
        verbose_name = _("整改佐证")
        verbose_name_plural = _("整改佐证")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]
