"""Enterprise inspection filings, inspection records, enforcement certificates (rules INS-1 … INS-10
in the package docstring)."""

from __future__ import annotations

__all__ = [
    "DiscretionBaseline",
    "DiscretionTier",
    "EnforcementCertificate",
    "FilingOfficial",
    "FirstViolationEntry",
    "FirstViolationNotice",
    "Inspection",
    "InspectionEvidence",
    "InspectionFiling",
    "InspectionFinding",
    "InspectionOfficial",
    "PenaltyDecision",
]

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import TenantModel, TimeStampedModel
from xiaoneng.core.scoping import ScopeRule
from xiaoneng.inspections.choices import Exemption, FilingStatus, InspectionKind, NoticeStatus, Tier
from xiaoneng.orgs.validators import validate_credit_code


class EnforcementCertificate(TenantModel):
    """An enforcement certificate (执法证): its holder may take part in enforcement acts between
    `valid_from` and `valid_to` unless it is revoked (INS-3 持证上岗)."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="enforcement_certificates",
        verbose_name=_("持证人"),
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("执法单位")
    )
    number = models.CharField(_("执法证号"), max_length=30)
    scope_text = models.CharField(_("执法范围"), max_length=200)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期至"))
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("注销原因"), max_length=200, blank=True)

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("执法证")
        verbose_name_plural = _("执法证")
        ordering = ["department_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "number"],
                name="inspections_certificate_unique_number",
                violation_error_message=_("执法证号已存在。"),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")),
                name="inspections_certificate_valid_range",
                violation_error_message=_("有效期至不能早于有效期起。"),
            ),
        ]
        indexes = [models.Index(fields=["holder", "valid_to"], name="inspections_cert_holder_to")]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: date) -> bool:
        """INS-3: valid on `day` (inclusive) and not revoked before it."""
        if self.revoked_at is not None:
            return False
        return self.valid_from <= day <= self.valid_to


class InspectionFiling(TenantModel):
    """涉企检查备案 (INS-1): who inspects which enterprise, on which catalog item, when. Filed by an
    official, approved by the department head; the enterprise verifies it by number (INS-6)."""

    number = models.CharField(_("备案编号"), max_length=40, unique=True)
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="inspection_filings", verbose_name=_("检查单位")
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("检查事项"))
    item_version = models.ForeignKey(
        "catalog.ItemVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("事项版本")
    )
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, validators=[validate_credit_code], db_index=True
    )
    planned_date = models.DateField(_("计划检查日期"))
    purpose = models.TextField(_("检查事由"))
    status = models.CharField(_("状态"), max_length=10, choices=FilingStatus.choices, default=FilingStatus.PENDING)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("备案人")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("审批时限")
    )

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("涉企检查备案")
        verbose_name_plural = _("涉企检查备案")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "status"], name="inspections_filing_status")]

    def __str__(self) -> str:
        return self.number


class FilingOfficial(models.Model):
    """An official named on a filing, with the certificate checked when it was filed (INS-3)."""

    filing = models.ForeignKey(InspectionFiling, on_delete=models.CASCADE, related_name="officials")
    official = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    certificate = models.ForeignKey(EnforcementCertificate, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("备案检查人员")
        verbose_name_plural = _("备案检查人员")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["filing", "official"], name="inspections_filing_official_once")]

    def __str__(self) -> str:
        return f"{self.filing_id}:{self.official_id}"


class Inspection(TenantModel):
    """One inspection that took place. An enterprise inspection (涉企检查) names its filing (INS-7:
    without one it is flagged `unfiled`); 明察暗访, 交叉检查 and 自查自纠 inspect a department (INS-9).
    `department` is the inspecting department for an enterprise inspection and the inspected one
    otherwise: the department whose record it is."""

    kind = models.CharField(_("检查类型"), max_length=12, choices=InspectionKind.choices)
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="inspections", verbose_name=_("单位")
    )
    filing = models.ForeignKey(
        InspectionFiling,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("检查备案"),
    )
    item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查事项")
    )
    enterprise_name = models.CharField(_("企业名称"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code], db_index=True
    )
    inspected_on = models.DateField(_("检查日期"))
    exemption = models.CharField(_("免予备案情形"), max_length=20, choices=Exemption.choices, blank=True)
    summary = models.TextField(_("检查情况"))
    unfiled = models.BooleanField(_("未备案检查"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="enterprise") | (~Q(credit_code="") & ~Q(enterprise_name="")),
                name="inspections_enterprise_named",
                violation_error_message=_("涉企检查必须写明企业名称和统一社会信用代码。"),
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "unfiled"], name="inspections_unfiled"),
            models.Index(fields=["tenant", "kind", "inspected_on"], name="inspections_kind_on"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.inspected_on}"


class InspectionOfficial(models.Model):
    """An official who took part in an enterprise inspection, with the certificate checked (INS-3)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="officials")
    official = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    certificate = models.ForeignKey(
        EnforcementCertificate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("检查人员")
        verbose_name_plural = _("检查人员")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "official"], name="inspections_inspection_official_once")
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.official_id}"


def _evidence_path(instance: InspectionEvidence, filename: str) -> str:
    if instance.notice_id:
        return f"inspections/evidence/notice/{instance.notice_id}/{filename}"
    if instance.penalty_id:
        return f"inspections/evidence/penalty/{instance.penalty_id}/{filename}"
    return f"inspections/evidence/{instance.inspection_id}/{filename}"


class InspectionEvidence(TimeStampedModel):
    """执法全过程记录: a file (photos, recordings, documents) of one enforcement act — an inspection
    record, a first-violation notice or a penalty decision; exactly one parent is set (check
    constraint). Checked by upload_check."""

    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    notice = models.ForeignKey(
        "FirstViolationNotice", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    penalty = models.ForeignKey(
        "PenaltyDecision", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("佐证材料"), upload_to=_evidence_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("检查佐证材料")
        verbose_name_plural = _("检查佐证材料")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(inspection__isnull=False, notice__isnull=True, penalty__isnull=True)
                    | models.Q(inspection__isnull=True, notice__isnull=False, penalty__isnull=True)
                    | models.Q(inspection__isnull=True, notice__isnull=True, penalty__isnull=False)
                ),
                name="inspections_evidence_one_parent",
            )
        ]

    def __str__(self) -> str:
        return self.name


class InspectionFinding(TimeStampedModel):
    """A problem an inspection found; it opens one Rectification for the responsible department (INS-9)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField(_("发现问题"))
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("整改责任部门")
    )
    rectification = models.OneToOneField(
        "oversight.Rectification",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改事项"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("检查发现问题")
        verbose_name_plural = _("检查发现问题")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:40]


class FirstViolationEntry(TenantModel):
    """One line of the published 首违不罚 list (INS-8): a penalty item of the catalog and the minor
    circumstance in which a first violation is warned, not fined, with the rectification period."""

    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("执法单位")
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("处罚事项"))
    item_name = models.CharField(_("事项名称"), max_length=200)
    circumstance = models.TextField(_("适用情形"))
    rectify_days = models.PositiveSmallIntegerField(_("整改期限（工作日）"), default=10)
    active = models.BooleanField(_("适用中"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope = ScopeRule(department="department", region="department__region", public=Q(active=True))

    class Meta:
        verbose_name = _("首违不罚事项")
        verbose_name_plural = _("首违不罚事项清单")
        ordering = ["department_id", "item_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rectify_days__gte=1) & Q(rectify_days__lte=90),
                name="inspections_entry_rectify_days",
                violation_error_message=_("整改期限应为1至90个工作日。"),
            )
        ]

    def __str__(self) -> str:
        return self.item_name


class FirstViolationNotice(TenantModel):
    """首违告诫: a warning and a rectification notice (整改通知书) with a deadline on a Clock, no
    penalty (INS-8). Only the first per enterprise and list entry."""

    number = models.CharField(_("告诫书编号"), max_length=40, unique=True)
    entry = models.ForeignKey(
        FirstViolationEntry, on_delete=models.PROTECT, related_name="notices", verbose_name=_("首违不罚事项")
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("执法单位")
    )
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查记录")
    )
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, validators=[validate_credit_code], db_index=True
    )
    facts = models.TextField(_("违法事实"))
    issued_on = models.DateField(_("告诫日期"))
    officials = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("执法人员"))
    status = models.CharField(_("状态"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED)
    clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("整改期限")
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.TextField(_("复查情况"), blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("首违告诫")
        verbose_name_plural = _("首违告诫")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "credit_code"],
                name="inspections_notice_first_only",
                violation_error_message=_("该企业此前已就同一事项受过首违告诫，不再适用首违不罚。"),
            )
        ]

    def __str__(self) -> str:
        return self.number


class DiscretionBaseline(TenantModel):
    """自由裁量基准 of one penalty item (INS-10): fine ranges by circumstance tier. Public."""

    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("执法单位")
    )
    item = models.OneToOneField("catalog.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("处罚事项"))
    item_name = models.CharField(_("事项名称"), max_length=200)
    basis = models.TextField(_("裁量依据"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope = ScopeRule(department="department", region="department__region", public=Q(pk__isnull=False))

    class Meta:
        verbose_name = _("自由裁量基准")
        verbose_name_plural = _("自由裁量基准")
        ordering = ["department_id", "item_name", "id"]

    def __str__(self) -> str:
        return self.item_name


class DiscretionTier(TimeStampedModel):
    """One tier of a baseline: the circumstance and the fine range, both bounds included."""

    baseline = models.ForeignKey(DiscretionBaseline, on_delete=models.CASCADE, related_name="tiers")
    tier = models.CharField(_("裁量阶次"), max_length=10, choices=Tier.choices)
    circumstance = models.CharField(_("适用情形"), max_length=500)
    fine_min = models.DecimalField(_("罚款下限（元）"), max_digits=12, decimal_places=2)
    fine_max = models.DecimalField(_("罚款上限（元）"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("裁量阶次")
        verbose_name_plural = _("裁量阶次")
        ordering = ["baseline_id", "fine_min", "id"]
        constraints = [
            models.UniqueConstraint(fields=["baseline", "tier"], name="inspections_tier_once"),
            models.CheckConstraint(
                condition=Q(fine_min__gte=0) & Q(fine_max__gte=F("fine_min")),
                name="inspections_tier_range",
                violation_error_message=_("罚款上限不能低于下限，且都不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} {self.fine_min}–{self.fine_max}"


class PenaltyDecision(TenantModel):
    """A penalty decision's fine, within its baseline tier (INS-10), by certified officials (INS-3)."""

    number = models.CharField(_("处罚决定书编号"), max_length=40, unique=True)
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("执法单位")
    )
    tier = models.ForeignKey(DiscretionTier, on_delete=models.PROTECT, related_name="+", verbose_name=_("裁量阶次"))
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, validators=[validate_credit_code], db_index=True
    )
    facts = models.TextField(_("违法事实"))
    amount = models.DecimalField(_("罚款金额（元）"), max_digits=12, decimal_places=2)
    decided_on = models.DateField(_("决定日期"))
    notice = models.ForeignKey(
        FirstViolationNotice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("首违告诫"),
    )
    officials = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("执法人员"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("行政处罚决定")
        verbose_name_plural = _("行政处罚决定")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="inspections_penalty_amount",
                violation_error_message=_("罚款金额不能为负数。"),
            )
        ]

    def __str__(self) -> str:
        return self.number
