"""The power and service catalog (权力清单/事项目录): items, their versions, and each version's legal
basis, materials, fees, special procedures and process definition (stages and steps).

An Item is the identity (codes, department, themes); every content field lives on an ItemVersion.
A published version never changes (conventions §5): cases pin the version they were opened under,
and editing a published item makes a new draft (see services.item_edit).
"""

from __future__ import annotations

__all__ = [
    "Fee",
    "FeeCatalogEntry",
    "Item",
    "ItemVersion",
    "LegalBasis",
    "Material",
    "ProcessDefinition",
    "SpecialProcedure",
    "Stage",
    "Step",
    "Theme",
]

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from xiaoneng.catalog.choices import (
    FROZEN_STATUSES,
    SPECIAL_PROCEDURE_KINDS,
    CaseKind,
    Disposal,
    FeeEntryStatus,
    GovLevel,
    ItemType,
    JoinPolicy,
    LimitUnit,
    MaterialForm,
    MaterialKind,
    MaterialSource,
    OnlineDepth,
    OnTimeout,
    ResultType,
    VersionStatus,
)
from xiaoneng.core.models import TenantModel, TimeStampedModel
from xiaoneng.core.scoping import ScopeRule

# Fields a frozen (published, superseded, retired) version may still change: its lifecycle only.
LIFECYCLE_FIELDS = frozenset(
    {"status", "published_at", "published_by", "retired_at", "republish_clock", "updated_at", "review_comment"}
)


class Theme(TimeStampedModel):
    """A theme tag for browsing (e.g. 开办企业, 工程建设)."""

    name = models.CharField(_("主题"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("主题")
        verbose_name_plural = _("主题")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Item(TenantModel):
    """One power or service item (事项): its identity. Codes are unique per jurisdiction.

    `head` is the newest version (whatever its status); `published` the version in force, if any.
    Both are maintained by catalog.services only.
    """

    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="catalog_items", verbose_name=_("实施主体")
    )
    # Codes are kept exactly as registered (validation.parse_implementing_code reads them): the
    # national form is 基本编码-行政区划代码-业务办理项-实施主体统一社会信用代码-…, up to ~60 characters.
    base_code = models.CharField(_("基本编码"), max_length=20)
    implementing_code = models.CharField(_("实施编码"), max_length=64)
    # The implementing subject's unified social credit code, read from the implementing code. One
    # department may act under several credit codes (its own and those of units acting in its name).
    credit_code = models.CharField(_("实施主体统一社会信用代码"), max_length=18, blank=True, db_index=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="items", verbose_name=_("主题"))
    head = models.ForeignKey(
        "ItemVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("最新版本")
    )
    published = models.ForeignKey(
        "ItemVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("现行版本")
    )
    # CAT-DIS-1: cancelled (取消), delegated (下放) or entrusted (委托) by a later decision, from its
    # effective date on; set only by services.item_disposal_set (an event on the trail). On the item,
    # not on a version: a published version never changes, and the decision is about the power.
    disposal = models.CharField(_("实施状态"), max_length=10, choices=Disposal.choices, blank=True, default="")
    disposal_document = models.CharField(_("决定文件"), max_length=300, blank=True)
    disposal_date = models.DateField(_("生效日期"), null=True, blank=True)
    disposal_region = models.ForeignKey(
        "orgs.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("下放至区划")
    )
    disposal_body = models.CharField(_("承接机关"), max_length=200, blank=True)
    disposal_item = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("承接事项")
    )
    disposal_note = models.TextField(_("说明"), blank=True)

    scope = ScopeRule(
        department="department",
        region="department__region",
        public=Q(published__isnull=False, published__is_public=True),
    )

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        ordering = ["department_id", "implementing_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "implementing_code"],
                name="catalog_item_unique_code",
                violation_error_message=_("同一辖区内实施编码不能重复。"),
            ),
            # CAT-DIS-1: a disposal names its document and effective date; a delegation its region;
            # an entrustment the body entrusted.
            models.CheckConstraint(
                condition=Q(disposal="") | (~Q(disposal_document="") & Q(disposal_date__isnull=False)),
                name="catalog_item_disposal_document",
                violation_error_message=_("取消、下放或委托事项须注明决定文件和生效日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(disposal="delegated") | Q(disposal_region__isnull=False),
                name="catalog_item_delegated_region",
                violation_error_message=_("下放事项须注明下放至哪个区划。"),
            ),
            models.CheckConstraint(
                condition=~Q(disposal="entrusted") | ~Q(disposal_body=""),
                name="catalog_item_entrusted_body",
                violation_error_message=_("委托事项须注明受委托的机关或组织。"),
            ),
        ]

    def __str__(self) -> str:
        return self.implementing_code


class ItemVersion(TenantModel):
    """One version of an item's content: every CAT-2 field. Frozen once published."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="versions", verbose_name=_("事项"))
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT, db_index=True
    )
    name = models.CharField(_("事项名称"), max_length=200, db_index=True)
    item_type = models.CharField(_("事项类型"), max_length=10, choices=ItemType.choices)
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务区划"))
    gov_level = models.CharField(_("行使层级"), max_length=10, choices=GovLevel.choices, default=GovLevel.CITY)
    statutory_limit = models.PositiveIntegerField(_("法定办结时限"), null=True, blank=True)
    statutory_unit = models.CharField(
        _("法定时限单位"), max_length=2, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    statutory_note = models.CharField(_("法定时限说明"), max_length=300, blank=True)
    committed_limit = models.PositiveIntegerField(_("承诺办结时限"), null=True, blank=True)
    committed_unit = models.CharField(
        _("承诺时限单位"), max_length=2, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    committed_note = models.CharField(_("承诺时限说明"), max_length=300, blank=True)
    committed_justification = models.TextField(_("承诺时限未压缩三分之一的理由"), blank=True)
    acceptance_conditions = models.TextField(_("受理条件"), blank=True)
    quantity_limits = models.TextField(_("数量限制"), blank=True)
    case_kind = models.CharField(_("办件类型"), max_length=12, choices=CaseKind.choices, default=CaseKind.COMMITTED)
    visits = models.PositiveSmallIntegerField(_("到办事现场次数"), default=1)
    place = models.CharField(_("办理地点"), max_length=300, blank=True)
    hours = models.CharField(_("办理时间"), max_length=300, blank=True)
    enquiry_channel = models.CharField(_("咨询方式"), max_length=300, blank=True)
    complaint_channel = models.CharField(_("投诉渠道"), max_length=300, blank=True)
    online_depth = models.CharField(
        _("网上办理深度"), max_length=1, choices=OnlineDepth.choices, default=OnlineDepth.OFFLINE
    )
    result_type = models.CharField(_("办理结果类型"), max_length=12, choices=ResultType.choices, blank=True)
    result_name = models.CharField(_("办理结果名称"), max_length=200, blank=True)
    result_sample = models.FileField(_("办理结果样本"), upload_to="catalog/results/%Y/", blank=True)
    is_public = models.BooleanField(_("是否公开"), default=True)
    non_public_reason = models.TextField(_("不予公开理由"), blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        "orgs.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("公布人")
    )
    retired_at = models.DateTimeField(_("废止时间"), null=True, blank=True)
    republish_clock = models.ForeignKey(
        "workdays.Clock",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("重新公布时限"),
    )

    scope = ScopeRule(
        department="item__department",
        region="item__department__region",
        public=Q(status=VersionStatus.PUBLISHED, is_public=True),
    )

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "number"],
                name="catalog_version_unique_number",
                violation_error_message=_("同一事项的版本号不能重复。"),
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="published"),
                name="catalog_version_one_published",
                violation_error_message=_("一个事项同时只能有一个现行公布版本。"),
            ),
            models.CheckConstraint(
                condition=Q(is_public=True) | ~Q(non_public_reason=""),
                name="catalog_version_non_public_reason",
                violation_error_message=_("不予公开的事项必须说明理由。"),
            ),
            # CAT-4: committed ≤ statutory × 2/3 unless a justification is recorded.
            models.CheckConstraint(
                condition=Q(committed_limit__isnull=True)
                | Q(statutory_limit__isnull=True)
                | ~Q(committed_justification="")
                | Q(LessThanOrEqual(F("committed_limit") * 3, F("statutory_limit") * 2)),
                name="catalog_version_cat4_committed_shorter",
                violation_error_message=_("承诺时限应比法定时限缩短三分之一以上，否则须说明理由。"),  # CAT-4
            ),
            models.CheckConstraint(
                condition=Q(committed_limit__isnull=True)
                | Q(statutory_limit__isnull=True)
                | Q(committed_limit__lte=F("statutory_limit")),
                name="catalog_version_committed_within_statutory",
                violation_error_message=_("承诺时限不能超过法定时限。"),
            ),
        ]
        indexes = [models.Index(fields=["status", "item_type"], name="catalog_version_status_type")]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    @property
    def speedup_percent(self) -> int | None:
        """How much shorter the committed limit is than the statutory one, in percent."""
        if not self.statutory_limit or self.committed_limit is None or self.statutory_unit != self.committed_unit:
            return None
        return round((self.statutory_limit - self.committed_limit) * 100 / self.statutory_limit)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A published version never changes: only its lifecycle fields may move on.
        if self.pk is not None:
            stored = ItemVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            fields = kwargs.get("update_fields")
            if stored in FROZEN_STATUSES and (fields is None or not set(fields) <= LIFECYCLE_FIELDS):
                raise PermissionDenied(_("已公布的事项版本不能修改；请新建一个草稿版本。"))
        super().save(*args, **kwargs)


class VersionPart(TimeStampedModel):
    """A row that belongs to one version's content and freezes with it."""

    order = models.PositiveSmallIntegerField(_("序号"), default=0)

    class Meta:
        abstract = True

    def _frozen(self) -> bool:
        raise NotImplementedError

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._frozen():
            raise PermissionDenied(_("已公布的事项版本不能修改；请新建一个草稿版本。"))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._frozen():
            raise PermissionDenied(_("已公布的事项版本不能修改；请新建一个草稿版本。"))
        return super().delete(*args, **kwargs)


def _version_frozen(version_id: int | None) -> bool:
    if version_id is None:
        return False
    return ItemVersion.objects.filter(pk=version_id, status__in=FROZEN_STATUSES).exists()


class LegalBasis(VersionPart):
    """A structured legal reference (设定依据/实施依据): law, article, text."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="legal_bases")
    law = models.CharField(_("法律法规名称"), max_length=200)
    article = models.CharField(_("条款"), max_length=100, blank=True)
    text = models.TextField(_("条款内容"), blank=True)

    class Meta:
        verbose_name = _("法律依据")
        verbose_name_plural = _("法律依据")
        ordering = ["version_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.law}{self.article}"

    def _frozen(self) -> bool:
        return _version_frozen(self.version_id)


class Material(VersionPart):
    """A material the applicant submits (申请材料), with its blank form and a filled sample."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=200)
    kind = models.CharField(_("材料类型"), max_length=12, choices=MaterialKind.choices, default=MaterialKind.OTHER)
    form = models.CharField(_("材料形式"), max_length=12, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL)
    required = models.BooleanField(_("是否必需"), default=True)
    source = models.CharField(
        _("来源渠道"), max_length=12, choices=MaterialSource.choices, default=MaterialSource.APPLICANT
    )
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    blank_form = models.FileField(_("空白表格"), upload_to="catalog/forms/%Y/", blank=True)
    sample = models.FileField(_("示例样表"), upload_to="catalog/samples/%Y/", blank=True)
    instructions = models.TextField(_("填报须知"), blank=True)
    legal_basis = models.CharField(_("材料依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["version_id", "order", "id"]

    def __str__(self) -> str:
        return self.name

    def _frozen(self) -> bool:
        return _version_frozen(self.version_id)


class Fee(VersionPart):
    """A fee (收费项目). CAT-7: only with a basis, charged at the lower bound of its standard."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("收费项目"), max_length=200)
    lower = models.DecimalField(_("收费标准下限（元）"), max_digits=12, decimal_places=2)
    upper = models.DecimalField(_("收费标准上限（元）"), max_digits=12, decimal_places=2)
    basis = models.CharField(_("收费依据"), max_length=300)
    reducible = models.BooleanField(_("是否可减免"), default=False)

    class Meta:
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        ordering = ["version_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(basis=""),
                name="catalog_fee_cat7_basis",
                violation_error_message=_("收费项目必须有收费依据。"),  # CAT-7
            ),
            models.CheckConstraint(
                condition=Q(lower__gte=0) & Q(lower__lte=F("upper")),
                name="catalog_fee_lower_le_upper",
                violation_error_message=_("收费标准下限不能为负数，也不能高于上限。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def _frozen(self) -> bool:
        return _version_frozen(self.version_id)


class FeeCatalogEntry(TenantModel):
    """One entry of the jurisdiction's fee catalog (收费目录清单): an administrative fee with its
    legal basis, standard and amount range, approving document and validity. CAT-FEE-1: an item's
    fee must match an entry in force (by name, its range within the entry's). A published entry is
    not edited: it is withdrawn (撤销) and a new one published, so what was in force stays known."""

    code = models.CharField(_("目录编号"), max_length=40, blank=True)
    name = models.CharField(_("收费项目名称"), max_length=200, db_index=True)
    collector = models.CharField(_("执收单位"), max_length=200, blank=True)
    legal_basis = models.CharField(_("政策依据"), max_length=300)
    standard = models.TextField(_("收费标准"), blank=True)
    lower = models.DecimalField(_("收费标准下限（元）"), max_digits=12, decimal_places=2)
    upper = models.DecimalField(_("收费标准上限（元）"), max_digits=12, decimal_places=2)
    approving_document = models.CharField(_("批准文件"), max_length=300)
    valid_from = models.DateField(_("执行起始日期"))
    valid_to = models.DateField(_("执行截止日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=FeeEntryStatus.choices, default=FeeEntryStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdraw_reason = models.TextField(_("撤销理由"), blank=True)

    scope = ScopeRule(region="tenant", public=Q(status=FeeEntryStatus.PUBLISHED))

    class Meta:
        verbose_name = _("收费目录项目")
        verbose_name_plural = _("收费目录")
        ordering = ["tenant_id", "code", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lower__gte=0) & Q(lower__lte=F("upper")),
                name="catalog_feeentry_lower_le_upper",
                violation_error_message=_("收费标准下限不能为负数，也不能高于上限。"),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="catalog_feeentry_valid_range",
                violation_error_message=_("执行截止日期不能早于起始日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(legal_basis="") & ~Q(approving_document=""),
                name="catalog_feeentry_basis_document",
                violation_error_message=_("收费目录项目必须有政策依据和批准文件。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SpecialProcedure(VersionPart):
    """A special procedure that excludes time from the clock (CAS-4), with its maximum duration."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="special_procedures")
    kind = models.CharField(_("特别程序"), max_length=20, choices=SPECIAL_PROCEDURE_KINDS)
    max_days = models.PositiveIntegerField(_("最长时限（工作日）"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")
        ordering = ["version_id", "order", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def _frozen(self) -> bool:
        return _version_frozen(self.version_id)


class ProcessDefinition(TimeStampedModel):
    """The process (办理流程) of one item version: ordered stages of steps."""

    version = models.OneToOneField(ItemVersion, on_delete=models.CASCADE, related_name="process")

    class Meta:
        verbose_name = _("办理流程")
        verbose_name_plural = _("办理流程")
        ordering = ["version_id"]

    def __str__(self) -> str:
        return str(self.version)


class Stage(VersionPart):
    """A stage: one step, or several parallel steps (会签) joined by all / any / a quorum."""

    process = models.ForeignKey(ProcessDefinition, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("阶段名称"), max_length=100)
    join_policy = models.CharField(_("会签方式"), max_length=8, choices=JoinPolicy.choices, default=JoinPolicy.ALL)
    quorum = models.PositiveSmallIntegerField(_("法定人数"), null=True, blank=True)

    class Meta:
        verbose_name = _("流程阶段")
        verbose_name_plural = _("流程阶段")
        ordering = ["process_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(join_policy="quorum") & Q(quorum__gte=1)) | (~Q(join_policy="quorum") & Q(quorum=None)),
                name="catalog_stage_quorum",
                violation_error_message=_("按法定人数会签时须填写人数（至少 1），其他方式不填。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def _frozen(self) -> bool:
        vid = ProcessDefinition.objects.filter(pk=self.process_id).values_list("version_id", flat=True).first()
        return _version_frozen(vid)


class Step(VersionPart):
    """A step (办理环节): who acts (post or role), the limit in working days, the supervision point,
    the applicant's rights there, and what happens on timeout (CAT-5, CAS-7)."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("环节名称"), max_length=100)
    department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("办理部门")
    )
    post = models.ForeignKey(
        "orgs.Post", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("岗位")
    )
    role = models.CharField(_("角色"), max_length=20, blank=True)
    limit_days = models.PositiveIntegerField(_("时限（工作日）"))
    supervision_point = models.CharField(_("监察点"), max_length=300, blank=True)
    applicant_rights = models.CharField(_("申请人权利"), max_length=300, blank=True)
    on_timeout = models.CharField(_("超时处理"), max_length=16, choices=OnTimeout.choices, default=OnTimeout.ESCALATE)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["stage_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False) | ~Q(role=""),
                name="catalog_step_cat5_actor",
                violation_error_message=_("每个环节都必须指定办理岗位或角色。"),  # CAT-5
            )
        ]

    def __str__(self) -> str:
        return self.name

    def _frozen(self) -> bool:
        vid = (
            Stage.objects.filter(pk=self.stage_id).values_list("process__version_id", flat=True).first()
            if self.stage_id
            else None
        )
        return _version_frozen(vid)
