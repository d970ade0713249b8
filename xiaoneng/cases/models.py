"""Cases (办件): the application, its materials, the one-time supplement notice, one task per step of
the pinned process definition with its opinions, the negative-decision report, the decision, the
delivery, fees, numbered notices, and enquiries under first-contact responsibility.

Every write goes through an action of cases.actions; the status moves only along choices.TRANSITIONS.
"""

from __future__ import annotations

__all__ = [
    "Case",
    "CaseMaterial",
    "Decision",
    "Delivery",
    "Enquiry",
    "FeeCharge",
    "NegativeReport",
    "Notice",
    "NoticeSequence",
    "Opinion",
    "StepTask",
    "SupplementAttempt",
    "SupplementNotice",
]

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.cases.choices import (
    Channel,
    DecisionOutcome,
    DeliveryMethod,
    EnquiryOutcome,
    NegativeKind,
    NegativeStatus,
    NoticeKind,
    OpinionKind,
    Status,
    TaskStatus,
)
from xiaoneng.catalog.choices import JoinPolicy
from xiaoneng.core.models import TenantModel, TimeStampedModel
from xiaoneng.core.scoping import ScopeRule


class Case(TenantModel):
    """One application (办件) under one published item version (CAT-1), which it pins with its
    process definition. `lock_version` grows with every write: a stale form loses cleanly."""

    tracking_number = models.CharField(_("办件编号"), max_length=40, unique=True)
    verification_hash = models.CharField(_("查询码摘要"), max_length=64, editable=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("申请人账户"),
    )
    applicant_name = models.CharField(_("申请人"), max_length=200)
    applicant_id_masked = models.CharField(_("证件号（脱敏）"), max_length=40, blank=True)
    applicant_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("收件人"),
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="cases", verbose_name=_("事项"))
    version = models.ForeignKey(
        "catalog.ItemVersion", on_delete=models.PROTECT, related_name="cases", verbose_name=_("事项版本")
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="cases", verbose_name=_("受理部门")
    )
    channel = models.CharField(_("申请渠道"), max_length=10, choices=Channel.choices)
    case_kind = models.CharField(_("办件类型"), max_length=12)
    status = models.CharField(_("状态"), max_length=30, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    lock_version = models.PositiveIntegerField(_("版本"), default=1)
    form_data = models.JSONField(_("申请表"), default=dict, blank=True)
    received_at = models.DateTimeField(_("收件时间"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("视为受理"), default=False)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    current_stage = models.PositiveSmallIntegerField(_("当前阶段"), null=True, blank=True)
    refusal_reason = models.TextField(_("不予受理理由"), blank=True)
    competent_agency = models.CharField(_("有权办理机关"), max_length=200, blank=True)
    acceptance_clock = models.ForeignKey(
        "workdays.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("受理时限")
    )
    decision_clock = models.ForeignKey(
        "workdays.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("办理时限")
    )
    delivery_clock = models.ForeignKey(
        "workdays.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("送达时限")
    )

    # The department's staff, region roles over the subtree, the applicant their own. Departments
    # co-handling a parallel stage see the case through their tasks (selectors.cases_for_user).
    scope = ScopeRule(department="department", region="department__region", owner="applicant")

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["department", "status"], name="cases_case_dept_status"),
            models.Index(fields=["tenant", "received_at"], name="cases_case_tenant_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="refused_at_intake") | ~Q(refusal_reason=""),
                name="cases_case_refusal_has_reason",
                violation_error_message=_("不予受理必须说明理由。"),  # CAS-1
            )
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def title(self) -> str:
        return f"{self.version.name} · {self.applicant_name}"

    @property
    def public_status(self) -> str:
        """The status as the applicant and the public see it. The leader's review of a negative-
        decision report (CAS-6) is an internal control before anything is issued: outside, the case
        is still where it was."""
        if self.status == Status.PENDING_NEGATIVE_REPORT:
            return Status.IN_REVIEW if self.accepted_at else Status.SUBMITTED
        return self.status

    @property
    def public_status_label(self) -> str:
        return str(Status(self.public_status).label)


class CaseMaterial(TimeStampedModel):
    """An uploaded material, stored under MEDIA_ROOT (outside the web root) and served only by
    the download view to those who may see the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials", verbose_name=_("办件"))
    material = models.ForeignKey(
        "catalog.Material", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("材料")
    )
    name = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/", max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    is_supplement = models.BooleanField(_("补正材料"), default=False)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return self.name


class SupplementNotice(TimeStampedModel):
    """CAS-1: the one-time notice (一次性告知) listing ALL missing items. One per case, enforced by
    the database; a second attempt is refused and kept as a SupplementAttempt (SUP-2)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supplement_notices", verbose_name=_("办件"))
    missing = models.JSONField(_("需补正内容"), default=list)
    note = models.TextField(_("说明"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("告知人")
    )
    issued_at = models.DateTimeField(_("告知时间"))
    supplied_at = models.DateTimeField(_("补正时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("一次性告知")
        verbose_name_plural = _("一次性告知")
        ordering = ["case_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                name="cases_supplement_one_per_case",
                violation_error_message=_("补正材料只能一次性告知，不能再次要求补正。"),  # CAS-1
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} 一次性告知"


class SupplementAttempt(TimeStampedModel):
    """A refused second supplement request: evidence for supervision (SUP-2 flags it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supplement_attempts", verbose_name=_("办件"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    missing = models.JSONField(_("欲补正内容"), default=list)

    class Meta:
        verbose_name = _("重复补正尝试")
        verbose_name_plural = _("重复补正尝试")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case} #{self.pk}"


class StepTask(TimeStampedModel):
    """One step of the pinned process definition for this case: who holds it (CAS-9) and its clock."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("办件"))
    step = models.ForeignKey("catalog.Step", on_delete=models.PROTECT, related_name="+", verbose_name=_("环节"))
    stage_index = models.PositiveSmallIntegerField(_("阶段序号"))
    stage_name = models.CharField(_("阶段"), max_length=100)
    name = models.CharField(_("环节"), max_length=100)
    parallel = models.BooleanField(_("并联"), default=False)
    # the stage's join policy, pinned with the definition like the names above: the join check after
    # every opinion reads it from the task rows it has locked anyway
    join_policy = models.CharField(_("会签方式"), max_length=8, choices=JoinPolicy.choices, default=JoinPolicy.ALL)
    quorum = models.PositiveSmallIntegerField(_("法定人数"), null=True, blank=True)
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="case_tasks", verbose_name=_("办理部门")
    )
    role = models.CharField(_("角色"), max_length=20, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_tasks",
        verbose_name=_("承办人"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    opened_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    clock = models.ForeignKey(
        "workdays.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("环节时限")
    )
    written_clock = models.ForeignKey(
        "workdays.Clock",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("书面意见时限"),
    )

    scope = ScopeRule(department="department", region="department__region", owner="case__applicant")

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["case_id", "stage_index", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step"],
                name="cases_steptask_one_per_step",
                violation_error_message=_("同一办件的每个环节只有一个办理任务。"),
            )
        ]
        indexes = [models.Index(fields=["department", "status"], name="cases_task_dept_status")]

    def __str__(self) -> str:
        return f"{self.case} · {self.name}"


class Opinion(TimeStampedModel):
    """An answer on a step (CAS-7): agree, disagree (reasons required) or agree but refer up. A
    system opinion records deemed consent; the department's written opinion follows within 1 wd."""

    task = models.ForeignKey(StepTask, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("环节"))
    kind = models.CharField(_("意见"), max_length=20, choices=OpinionKind.choices)
    reasons = models.TextField(_("理由"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签署人"),
    )
    is_system = models.BooleanField(_("系统意见（超时默认）"), default=False)
    is_written_followup = models.BooleanField(_("补交书面意见"), default=False)

    class Meta:
        verbose_name = _("办理意见")
        verbose_name_plural = _("办理意见")
        ordering = ["task_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="disagree") | ~Q(reasons=""),
                name="cases_opinion_disagree_reasons",
                violation_error_message=_("不同意必须说明理由。"),  # CAS-7
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class NegativeReport(TimeStampedModel):
    """CAS-6 否定报备: reported to the responsible leader before a refusal, a non-acceptance, or an
    overrun of the committed limit is issued."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="negative_reports", verbose_name=_("办件"))
    kind = models.CharField(_("类型"), max_length=20, choices=NegativeKind.choices)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    reasons = models.TextField(_("理由"))
    applicant_contact = models.CharField(_("申请人联系方式"), max_length=100)
    from_status = models.CharField(_("报备前状态"), max_length=30, choices=Status.choices)
    status = models.CharField(
        _("审核状态"), max_length=10, choices=NegativeStatus.choices, default=NegativeStatus.PENDING
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核领导"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    used = models.BooleanField(_("已据此出具文书"), default=False)

    class Meta:
        verbose_name = _("否定报备")
        verbose_name_plural = _("否定报备")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reasons=""),
                name="cases_negative_report_reasons",
                violation_error_message=_("否定报备必须写明理由。"),  # CAS-6
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"


class Decision(TimeStampedModel):
    """The decision (CAS-5): a refusal carries its reasons and the right to reconsideration or litigation."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="decision", verbose_name=_("办件"))
    outcome = models.CharField(_("决定"), max_length=10, choices=DecisionOutcome.choices)
    reasons = models.TextField(_("理由"), blank=True)
    remedy = models.TextField(_("救济途径"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人")
    )
    decided_at = models.DateTimeField(_("决定时间"))

    class Meta:
        verbose_name = _("决定")
        verbose_name_plural = _("决定")
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="approve") | (~Q(reasons="") & ~Q(remedy="")),
                name="cases_decision_refusal_reasons_remedy",
                violation_error_message=_("不予许可决定必须说明理由并告知复议、诉讼权利。"),  # CAS-5
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_outcome_display()}"


class Delivery(TimeStampedModel):
    """Delivery (送达) of the decision, within 10 working days (CAS-3)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="delivery", verbose_name=_("办件"))
    method = models.CharField(_("送达方式"), max_length=12, choices=DeliveryMethod.choices)
    recipient = models.CharField(_("签收人"), max_length=100)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("送达人")
    )
    delivered_at = models.DateTimeField(_("送达时间"))

    class Meta:
        verbose_name = _("送达")
        verbose_name_plural = _("送达")
        ordering = ["-delivered_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_method_display()}"


class FeeCharge(TimeStampedModel):
    """A fee charged on a case (CAT-7): only a fee the pinned version lists, at its lower bound."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="fee_charges", verbose_name=_("办件"))
    fee = models.ForeignKey("catalog.Fee", on_delete=models.PROTECT, related_name="+", verbose_name=_("收费项目"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    receipt_number = models.CharField(_("票据号"), max_length=60)
    paid_at = models.DateTimeField(_("缴费时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    class Meta:
        verbose_name = _("收费记录")
        verbose_name_plural = _("收费记录")
        ordering = ["case_id", "paid_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "fee"],
                name="cases_feecharge_once",
                violation_error_message=_("该收费项目已收取，不能重复收费。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.amount}"


class NoticeSequence(models.Model):
    """The last number of one kind of notice issued by one department in one year."""

    department = models.ForeignKey("orgs.Department", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("文书编号序列")
        verbose_name_plural = _("文书编号序列")
        ordering = ["department_id", "kind", "year"]
        constraints = [
            models.UniqueConstraint(fields=["department", "kind", "year"], name="cases_noticesequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}:{self.last}"


# the mark of each kind of notice in its number (受理 → 受字〔2026〕第17号)
NOTICE_MARKS: dict[str, str] = {
    NoticeKind.ACCEPTANCE: "受字",
    NoticeKind.REFUSAL_TO_ACCEPT: "不受字",
    NoticeKind.SUPPLEMENT: "补字",
    NoticeKind.SPECIAL_PROCEDURE: "特字",
    NoticeKind.EXTENSION: "延字",
    NoticeKind.APPROVAL: "准字",
    NoticeKind.REFUSAL: "不准字",
    NoticeKind.REFERRAL: "首问字",
}


class Notice(TenantModel):
    """A numbered, dated written notice (CAS-2, CAS-4, CAS-5 …) in the agency's name. The PDF is
    rendered from these stored lines, so it can be printed again identically."""

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="notices", verbose_name=_("办件")
    )
    enquiry = models.ForeignKey(
        "Enquiry", null=True, blank=True, on_delete=models.CASCADE, related_name="notices", verbose_name=_("咨询")
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("出具机关")
    )
    kind = models.CharField(_("文书类型"), max_length=20, choices=NoticeKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    seq = models.PositiveIntegerField(_("序号"))
    addressee = models.CharField(_("受文人"), max_length=200)
    lines = models.JSONField(_("正文"), default=list)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("出具人"),
    )

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "kind", "year", "seq"],
                name="cases_notice_unique_number",
                violation_error_message=_("文书编号不能重复。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def number(self) -> str:
        """The document number: a kind mark, the year in 〔〕 and the sequence, e.g. 受字〔2026〕第17号
        (numbered per department, kind and year)."""
        return f"{NOTICE_MARKS.get(self.kind, '')}〔{self.year}〕第{self.seq}号"

    @property
    def title(self) -> str:
        return str(self.get_kind_display())


class Enquiry(TenantModel):
    """CAS-8 首问负责: the first staff member registers the enquiry and either handles it or names the
    competent office with its address and contact."""

    number = models.CharField(_("登记编号"), max_length=40, unique=True)
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("首问部门")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("首问责任人")
    )
    visitor_name = models.CharField(_("来访人"), max_length=100)
    visitor_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    question = models.TextField(_("咨询事项"))
    outcome = models.CharField(_("处理结果"), max_length=10, choices=EnquiryOutcome.choices)
    answer = models.TextField(_("答复内容"), blank=True)
    referred_office = models.CharField(_("有权办理部门"), max_length=200, blank=True)
    referred_address = models.CharField(_("地址"), max_length=200, blank=True)
    referred_contact = models.CharField(_("联系方式"), max_length=100, blank=True)

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("首问登记")
        verbose_name_plural = _("首问登记")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="handled", answer__gt="")
                | (Q(outcome="referred") & ~Q(referred_office="") & ~Q(referred_address="") & ~Q(referred_contact="")),
                name="cases_enquiry_cas8_outcome",
                violation_error_message=_("首问登记必须当场答复，或写明有权办理部门的名称、地址和联系方式。"),  # CAS-8
            )
        ]

    def __str__(self) -> str:
        return self.number
