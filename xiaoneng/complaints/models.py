"""Complaints and work orders (效能投诉 / 12345 工单): one model family with a `kind` and a `channel`,
the dispatch rules that suggest a department, the history of returns, replies and callbacks, and the
Open311 services and API keys. (Accountability records a substantiated complaint opens live in
oversight, which owns 问责 from every source.)

Every write goes through the actions (complaints.actions and the topic modules apikeys, publication,
accountability); the status moves only along choices.TRANSITIONS.
"""

from __future__ import annotations

__all__ = [
    "ApiKey",
    "Complaint",
    "ComplaintAttachment",
    "ComplaintCallback",
    "ComplaintReply",
    "ComplaintReturn",
    "DispatchRule",
    "MonthlyFigure",
    "Open311Service",
    "WorkOrder",
]

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.complaints.choices import Channel, Kind, RefusalReason, Satisfaction, Status
from xiaoneng.core.models import TenantModel, TimeStampedModel
from xiaoneng.core.scoping import ScopeRule


class Complaint(TenantModel):
    """One complaint or hotline work order (CMP-1). `region` is the jurisdiction whose efficiency office
    handles it; `department` is the department complained about (if known); `handling_department` is
    where it was dispatched. The complainant may be anonymous (no callback) or hidden from the
    department's staff (`hide_from_department`): selectors and the API then never show who it is.

    The tracking code is shown once; only its hash is kept. `replied_on_time`, `satisfaction` and the
    timestamps are kept on the row so that the statistics are one aggregate query."""

    number = models.CharField(_("工单编号"), max_length=40, unique=True)
    verification_hash = models.CharField(_("查询码摘要"), max_length=64, editable=False)
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("受理辖区"))
    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("类型"), max_length=15, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("内容"))
    # the complainant (never shown to department staff when hidden or anonymous)
    anonymous = models.BooleanField(_("匿名"), default=False)
    hide_from_department = models.BooleanField(_("对被投诉部门保密"), default=False)
    complainant_name = models.CharField(_("投诉人"), max_length=100, blank=True)
    complainant_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    complainant_email = models.EmailField(_("电子邮箱"), blank=True)
    complainant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=_("投诉人账户"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    # what it is about
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("相关办件")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("被投诉工作人员"),
    )
    department = models.ForeignKey(
        "orgs.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
        verbose_name=_("被投诉部门"),
    )
    handling_department = models.ForeignKey(
        "orgs.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_handling",
        verbose_name=_("承办部门"),
    )
    # Open311
    service = models.ForeignKey(
        "complaints.Open311Service",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
        verbose_name=_("Open311服务"),
    )
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    media_url = models.URLField(_("图片链接"), blank=True)
    # the loop
    received_at = models.DateTimeField(_("登记时间"), db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    refused_at = models.DateTimeField(_("不予受理时间"), null=True, blank=True)
    refusal_reason = models.CharField(_("不予受理理由"), max_length=20, choices=RefusalReason.choices, blank=True)
    refusal_note = models.TextField(_("告知去向"), blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    dispatch_note = models.TextField(_("派单说明"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    replied_on_time = models.BooleanField(_("按时答复"), null=True, blank=True)
    substantiated = models.BooleanField(_("投诉属实"), null=True, blank=True)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates", verbose_name=_("合并至")
    )
    report_count = models.PositiveIntegerField(_("反映次数"), default=1)
    # issue 9: the submission's one-time token (web form) or Idempotency-Key (API), hashed with its
    # channel; a second submission with the same key returns this complaint instead of a new one.
    idempotency_key = models.CharField(_("提交幂等键"), max_length=64, null=True, blank=True, editable=False)
    flagged_for_oversight = models.BooleanField(_("列入督办"), default=False)
    escalation_level = models.PositiveSmallIntegerField(_("逾期升级级别"), default=0)
    accept_clock = models.ForeignKey(
        "workdays.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("受理时限")
    )
    return_clock = models.ForeignKey(
        "workdays.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("退单时限")
    )
    reply_clock = models.ForeignKey(
        "workdays.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("答复时限")
    )

    # Department staff see what was dispatched to them; the efficiency office its region's subtree;
    # a signed-in complainant their own.
    scope = ScopeRule(department="handling_department", region="region", owner="complainant_user")

    class Meta:
        verbose_name = _("投诉工单")
        verbose_name_plural = _("投诉工单")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "received_at"], name="complaints_tenant_received"),
            models.Index(fields=["handling_department", "received_at"], name="complaints_dept_received"),
            models.Index(fields=["region", "status"], name="complaints_region_status"),
            models.Index(fields=["status"], name="complaints_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
                name="complaints_refused_has_reason",
                violation_error_message=_("不予受理必须说明理由并告知去向。"),  # CMP-3
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                name="complaints_idempotency_key_unique",
                violation_error_message=_("该投诉已经提交过了。"),
            ),
            models.CheckConstraint(
                condition=~Q(anonymous=True) | Q(satisfaction=""),
                name="complaints_anonymous_no_callback",
                violation_error_message=_("匿名投诉无法回访。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.REFUSED, Status.CLOSED, Status.MERGED)


class ComplaintAttachment(TimeStampedModel):
    """A file the complainant attached (a photo, a receipt, a notice). Shown to whoever may see the
    complainant (complaints.selectors.complainant_shown): a file may identify its author."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("工单")
    )
    file = models.FileField(_("文件"), upload_to="complaints/%Y/%m/", max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    content_type = models.CharField(_("类型"), max_length=100)

    class Meta:
        verbose_name = _("投诉附件")
        verbose_name_plural = _("投诉附件")
        ordering = ["complaint_id", "id"]

    def __str__(self) -> str:
        return self.original_name


# Glossary: a 12345 work order is the same model family as an efficiency complaint.
WorkOrder = Complaint


class DispatchRule(TenantModel):
    """A simple rule that suggests where to dispatch: by the linked item's department, by the
    department complained about, and by keywords in the title or content. Highest priority wins;
    the efficiency office still decides."""

    name = models.CharField(_("规则名称"), max_length=100)
    target = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("建议承办部门")
    )
    kind = models.CharField(_("适用类型"), max_length=15, choices=Kind.choices, blank=True)
    about_department = models.ForeignKey(
        "orgs.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("被投诉部门或事项所属部门"),
    )
    keywords = models.CharField(_("关键词（逗号分隔）"), max_length=300, blank=True)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        ordering = ["-priority", "id"]

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.replace("，", ",").split(",") if k.strip()]


class ComplaintReturn(TimeStampedModel):
    """A mis-dispatched order sent back by the department, with its reasons (CMP-2: within 2 working days)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="returns", verbose_name=_("工单"))
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    reasons = models.TextField(_("退单理由"))
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("退单人")
    )

    class Meta:
        verbose_name = _("退单记录")
        verbose_name_plural = _("退单记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} ← {self.department_id}"


class ComplaintReply(TimeStampedModel):
    """One reply by the handling department; a reopened complaint gets another (`round`)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="replies", verbose_name=_("工单"))
    department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    text = models.TextField(_("答复内容"))
    substantiated = models.BooleanField(_("投诉属实"), null=True, blank=True)
    on_time = models.BooleanField(_("按时"), default=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("答复人")
    )

    class Meta:
        verbose_name = _("答复记录")
        verbose_name_plural = _("答复记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}#{self.round}"


class ComplaintCallback(TimeStampedModel):
    """The efficiency office's call back to the complainant and their satisfaction."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="callbacks", verbose_name=_("工单"))
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices)
    note = models.TextField(_("回访记录"), blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("回访人")
    )

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}#{self.round} {self.satisfaction}"


class Open311Service(TenantModel):
    """A GeoReport v2 service: what an Open311 client may report, mapped to a complaint kind and,
    optionally, a department the request is suggested for."""

    service_code = models.CharField(_("服务编码"), max_length=40)
    service_name = models.CharField(_("服务名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    group = models.CharField(_("分组"), max_length=60, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    kind = models.CharField(_("对应投诉类型"), max_length=15, choices=Kind.choices, default=Kind.REQUEST)
    department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("对应部门")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("Open311服务")
        verbose_name_plural = _("Open311服务")
        ordering = ["group", "service_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "service_code"],
                name="complaints_open311_code_unique",
                violation_error_message=_("同一辖区内服务编码不能重复。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_code} {self.service_name}"


class ApiKey(TenantModel):
    """An Open311 client's key. Only the SHA-256 of the key is stored; `prefix` identifies it in lists."""

    name = models.CharField(_("客户端名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=8, unique=True)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class MonthlyFigure(TenantModel):
    """The CMP-4 figures of one complete month, published once after the month ends (the public page
    shows these snapshots with their sample sizes). `department` null = the whole jurisdiction."""

    month = models.DateField(_("月份"))
    department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办部门")
    )
    label = models.CharField(_("名称"), max_length=100)
    total = models.PositiveIntegerField(_("登记量"))
    decided = models.PositiveIntegerField(_("已作受理决定"))
    accepted = models.PositiveIntegerField(_("受理"))
    due_reply = models.PositiveIntegerField(_("应答复"))
    replied = models.PositiveIntegerField(_("已答复"))
    on_time = models.PositiveIntegerField(_("按时答复"))
    callbacks = models.PositiveIntegerField(_("已回访"))
    satisfied = models.PositiveIntegerField(_("满意"))
    published_at = models.DateTimeField(_("公布时间"))

    class Meta:
        verbose_name = _("投诉月度公布数据")
        verbose_name_plural = _("投诉月度公布数据")
        ordering = ["month", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "month", "department"],
                condition=Q(department__isnull=False),
                name="complaints_monthly_unique_dept",
                violation_error_message=_("该月数据已经公布。"),
            ),
            models.UniqueConstraint(
                fields=["tenant", "month"],
                condition=Q(department__isnull=True),
                name="complaints_monthly_unique_whole",
                violation_error_message=_("该月数据已经公布。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.label}"
