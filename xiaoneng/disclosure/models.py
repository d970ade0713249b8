"""Government information disclosure (政务公开): each department's guide (公开指南), its proactively
disclosed records (主动公开, DIS-3) that make up its catalog (公开目录), requests on application
(依申请公开, DIS-1/DIS-2) with their consultations, and the reconsideration and litigation records
that table 四 of the annual report counts.

Every write goes through services.py; a request's status moves only along choices.TRANSITIONS."""

from __future__ import annotations

__all__ = [
    "ActiveRecord",
    "AppealRecord",
    "Consultation",
    "DisclosureGuide",
    "DisclosureRequest",
    "IssuedReport",
    "RequestAttachment",
]

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import TenantModel, TimeStampedModel
from xiaoneng.core.scoping import ScopeRule
from xiaoneng.disclosure.choices import (
    AnswerType,
    AppealKind,
    AppealResult,
    ApplicantKind,
    AttachmentSide,
    Channel,
    ConsultationKind,
    ConsultationOpinion,
    Ground,
    RecordCategory,
    RecordStatus,
    RequestStatus,
)


class DisclosureGuide(TenantModel):
    """One department's disclosure guide (政府信息公开指南): where and how to ask, what it publishes
    of its own accord, and the remedies. Public."""

    department = models.OneToOneField(
        "orgs.Department", on_delete=models.PROTECT, related_name="disclosure_guide", verbose_name=_("部门")
    )
    office = models.CharField(_("受理机构"), max_length=100)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    hours = models.CharField(_("办公时间"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    scope_text = models.TextField(_("主动公开的范围和方式"), blank=True)
    apply_text = models.TextField(_("依申请公开的办理"), blank=True)
    remedy_text = models.TextField(_("监督和救济"), blank=True)

    scope = ScopeRule(department="department", region="department__region", public=Q(pk__isnull=False))

    class Meta:
        verbose_name = _("政府信息公开指南")
        verbose_name_plural = _("政府信息公开指南")
        ordering = ["department_id"]

    def __str__(self) -> str:
        return str(self.department)


class ActiveRecord(TenantModel):
    """A proactively disclosed record (主动公开). `created_on` is the day the information was created
    or last changed; DIS-3 gives 20 working days from then to publish, timed by `clock`
    (kind disclosure.publish). `published_late` keeps whether it was published after that limit."""

    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="disclosure_records", verbose_name=_("发布部门")
    )
    category = models.CharField(_("类别"), max_length=20, choices=RecordCategory.choices)
    title = models.CharField(_("标题"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    body = models.TextField(_("正文"), blank=True)
    link = models.URLField(_("链接"), max_length=300, blank=True)
    created_on = models.DateField(_("信息形成或变更日期"))
    status = models.CharField(_("状态"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    published_late = models.BooleanField(_("逾期公开"), default=False)
    repealed_on = models.DateField(_("废止日期"), null=True, blank=True)
    amount = models.DecimalField(_("收费金额（万元）"), max_digits=14, decimal_places=4, null=True, blank=True)
    revision = models.PositiveSmallIntegerField(_("变更次数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )
    clock = models.ForeignKey(
        "workdays.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("公开时限")
    )

    scope = ScopeRule(department="department", region="department__region", public=Q(status=RecordStatus.PUBLISHED))

    class Meta:
        verbose_name = _("主动公开信息")
        verbose_name_plural = _("主动公开信息")
        ordering = ["-published_at", "-created_on", "-id"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="disclosure_record_published"),
            models.Index(fields=["department", "category"], name="disclosure_record_dept_cat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=RecordStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="disclosure_record_published_at",
                violation_error_message=_("已公开的信息必须有公开时间。"),
            ),
            models.CheckConstraint(
                condition=~Q(body="", link=""),
                name="disclosure_record_body_or_link",
                violation_error_message=_("请填写正文或链接。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DisclosureRequest(TenantModel):
    """A request for government information (依申请公开). DIS-1: `clock` (kind disclosure.answer)
    gives 20 working days from receipt, +20 on the department head's approval; a correction request
    pauses it and the corrected request restarts it; a consultation pauses it. DIS-2: the answer
    type, its ground and `report_row`, the row of the annual report's table 三 it counts in.

    The applicant's query code is shown once; only its hash is kept."""

    number = models.CharField(_("申请编号"), max_length=40, unique=True)
    verification_hash = models.CharField(_("查询码摘要"), max_length=64, editable=False)
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="disclosure_requests", verbose_name=_("受理机关")
    )
    channel = models.CharField(_("申请方式"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.PROCESSING)
    # the applicant (政府信息公开条例 第二十九条)
    applicant_kind = models.CharField(_("申请人类型"), max_length=15, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("申请人姓名或名称"), max_length=100)
    id_number = models.CharField(_("身份证件号码或统一社会信用代码"), max_length=30, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disclosure_requests",
        verbose_name=_("申请人账户"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    description = models.TextField(_("所需政府信息的名称、文号或特征描述"))
    received_at = models.DateTimeField(_("收到申请时间"), db_index=True)
    # DIS-1: one correction request within 7 working days of receipt
    correction_asked_at = models.DateTimeField(_("补正告知时间"), null=True, blank=True)
    correction_items = models.TextField(_("需要补正的事项"), blank=True)
    correction_deadline = models.DateField(_("补正期限"), null=True, blank=True)
    correction_received_at = models.DateTimeField(_("收到补正时间"), null=True, blank=True)
    correction_text = models.TextField(_("补正内容"), blank=True)
    extended_at = models.DateTimeField(_("延期时间"), null=True, blank=True)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    # the fee rule (政府信息公开信息处理费管理办法, 2020): none unless the request is excessive
    fee_amount = models.DecimalField(_("信息处理费（元）"), max_digits=10, decimal_places=2, default=0)
    fee_notified_at = models.DateTimeField(_("收费通知时间"), null=True, blank=True)
    fee_paid_at = models.DateTimeField(_("缴费时间"), null=True, blank=True)
    # DIS-2: the answer
    answer_type = models.CharField(_("答复类型"), max_length=15, choices=AnswerType.choices, blank=True)
    ground = models.CharField(_("理由"), max_length=20, choices=Ground.choices, blank=True)
    right_agency = models.CharField(_("负责公开的机关"), max_length=200, blank=True)
    answer_text = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("答复人"),
    )
    answered_on_time = models.BooleanField(_("按时答复"), null=True, blank=True)
    report_row = models.CharField(_("年报统计行"), max_length=5, blank=True)
    clock = models.ForeignKey(
        "workdays.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("答复时限")
    )

    scope = ScopeRule(department="department", region="department__region", owner="applicant_user")

    class Meta:
        verbose_name = _("政府信息公开申请")
        verbose_name_plural = _("政府信息公开申请")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["department", "received_at"], name="disclosure_req_dept_received"),
            models.Index(fields=["department", "status"], name="disclosure_req_dept_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.ANSWERED) | (~Q(answer_type="") & Q(answered_at__isnull=False)),
                name="disclosure_req_answered_has_type",
                violation_error_message=_("已答复的申请必须有答复类型和答复时间。"),
            ),
            models.CheckConstraint(
                condition=~Q(answer_type=AnswerType.NOT_OURS) | ~Q(right_agency=""),
                name="disclosure_req_not_ours_names_agency",
                violation_error_message=_("非本机关负责公开的，应当告知负责公开的机关。"),  # DIS-2
            ),
            models.CheckConstraint(
                condition=Q(fee_amount__gte=0),
                name="disclosure_req_fee_nonneg",
                violation_error_message=_("信息处理费不能为负。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.applicant_name}"

    @property
    def is_open(self) -> bool:
        return self.status not in (RequestStatus.ANSWERED, RequestStatus.WITHDRAWN)


class Consultation(models.Model):
    """DIS-1: a third party or another agency consulted on a request (第三十二、三十三条). Its own
    15-working-day clock (kind disclosure.consultation); the request's clock is paused meanwhile.
    Silence past the limit is recorded as consent (`opinion` = deemed)."""

    request = models.ForeignKey(
        DisclosureRequest, on_delete=models.CASCADE, related_name="consultations", verbose_name=_("申请")
    )
    kind = models.CharField(_("类型"), max_length=15, choices=ConsultationKind.choices)
    party = models.CharField(_("被征求意见方"), max_length=200)
    started_at = models.DateTimeField(_("征求意见时间"))
    opinion = models.CharField(_("意见"), max_length=10, choices=ConsultationOpinion.choices, blank=True)
    opinion_text = models.TextField(_("意见内容"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    clock = models.ForeignKey(
        "workdays.Clock",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("征求意见时限"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(replied_at__isnull=True),
                name="disclosure_consultation_one_open",
                violation_error_message=_("该申请已有正在征求的意见。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.party}"


class AppealRecord(TenantModel):
    """A reconsideration or lawsuit about a department's disclosure work (table 四): counted in the
    year it was filed, by its result."""

    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("被申请或被诉机关")
    )
    request = models.ForeignKey(
        DisclosureRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("相关申请"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=AppealKind.choices)
    result = models.CharField(_("结果"), max_length=10, choices=AppealResult.choices, default=AppealResult.PENDING)
    filed_on = models.DateField(_("受理日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("复议诉讼记录")
        verbose_name_plural = _("复议诉讼记录")
        ordering = ["-filed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filed_on}"


class RequestAttachment(TimeStampedModel):
    """A file on a request: the applicant's (an ID copy, supporting documents, attached online) or
    the department's (the answer's documents). Checked by core.uploads.upload_check on the way in;
    downloaded only by the applicant and the staff whose scope holds the request (requests_for)."""

    request = models.ForeignKey(
        DisclosureRequest, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("申请")
    )
    side = models.CharField(_("提交方"), max_length=10, choices=AttachmentSide.choices)
    file = models.FileField(_("文件"), upload_to="disclosure/%Y/%m/", max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )

    class Meta:
        verbose_name = _("申请附件")
        verbose_name_plural = _("申请附件")
        ordering = ["request_id", "side", "id"]

    def __str__(self) -> str:
        return self.original_name


class IssuedReport(TenantModel):
    """An annual report frozen when it was issued (DIS-3): the four tables as they stood, kept in
    `data` so that later changes to requests or records do not move the published figures. One per
    year and scope — a department's report (`department`) or a government's own (`region`); it is
    never issued twice."""

    year = models.PositiveSmallIntegerField(_("年度"))
    department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    region = models.ForeignKey(
        "orgs.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("本级政府")
    )
    title = models.CharField(_("报告主体"), max_length=200)
    government = models.BooleanField(_("政府年度报告"), default=False)
    data = models.JSONField(_("报告数据"))
    issued_at = models.DateTimeField(_("发布时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )

    class Meta:
        verbose_name = _("已发布的年度报告")
        verbose_name_plural = _("已发布的年度报告")
        ordering = ["-year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=True) ^ Q(region__isnull=True),
                name="disclosure_issued_one_scope",
                violation_error_message=_("年度报告应属于一个部门或一级政府。"),
            ),
            models.UniqueConstraint(
                fields=["year", "department"],
                condition=Q(department__isnull=False),
                name="disclosure_issued_once_dept",
                violation_error_message=_("该年度报告已发布，不能重复发布。"),
            ),
            models.UniqueConstraint(
                fields=["year", "region"],
                condition=Q(region__isnull=False),
                name="disclosure_issued_once_region",
                violation_error_message=_("该年度报告已发布，不能重复发布。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.year}"
