"""Rectification items (整改): the third spine. Whatever finds a problem opens one; only verification
closes it."""

from __future__ import annotations

__all__ = [
    "AccountabilityRecord",
    "ExemptionApplication",
    "Rectification",
    "RectificationEvidence",
    "SupervisedTask",
    "TaskAssignment",
    "TaskReport",
]

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import TenantModel, TimeStampedModel
from xiaoneng.core.scoping import ScopeRule
from xiaoneng.oversight.choices import (
    AccountabilitySource,
    AccountabilityStatus,
    AssignmentStatus,
    ExemptionDecision,
    ExemptionStatus,
    NegativeListCase,
    RectificationOrigin,
    RectificationStatus,
    ReportKind,
    Sanction,
    TaskSource,
    TaskStatus,
)


class Rectification(TenantModel):
    """A problem a department must fix by a deadline: measures, an owner, a Clock (15 working days by
    default, CAS-10) and evidence. Opened by its source (a red alert, a complaint, …); closed only when
    a supervisor verifies the evidence; a rejected submission goes back to the department."""

    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("来源类型")
    )
    source_id = models.CharField(_("来源编号"), max_length=64, blank=True)
    origin = models.CharField(
        _("问题来源"), max_length=10, choices=RectificationOrigin.choices, default=RectificationOrigin.SYSTEM
    )
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


# --- supervised tasks (督查督办) -----------------------------------------------------------------


class SupervisedTask(TenantModel):
    """A task the efficiency office supervises (督查督办): from a leader's instruction, a meeting
    decision, a bulletin or a proposal, assigned to one or more departments, each with its own Clock
    (CAS-10: 15 working days when no limit is given). Closed (销号) only when every department's share
    has been verified by the office."""

    number = models.CharField(_("督办编号"), max_length=40, unique=True)
    title = models.CharField(_("督办事项"), max_length=200)
    source = models.CharField(_("任务来源"), max_length=10, choices=TaskSource.choices)
    source_ref = models.CharField(_("来源文号"), max_length=100, blank=True)
    requirement = models.TextField(_("督办要求"))
    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("督办辖区"), db_index=False
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("交办人")
    )
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)

    # departments see the tasks they hold a share of; the office and leaders their region's subtree
    scope = ScopeRule(department="assignments__department", region="region")

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="oversight_task_closed_at",
                violation_error_message=_("督办事项必须经核验才能销号。"),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="oversight_task_tenant_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class TaskAssignment(TenantModel):
    """One department's share of a supervised task, with its deadline Clock, its reports and its
    verification (销号) by the office; a rejected verification returns it to the department."""

    task = models.ForeignKey(
        SupervisedTask, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("督办事项")
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="task_assignments", verbose_name=_("承办部门")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED
    )
    clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("办理时限")
    )
    urges = models.PositiveSmallIntegerField(_("催办次数"), default=0)
    last_urged_at = models.DateTimeField(_("最近催办时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("报结时间"), null=True, blank=True)
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

    scope = ScopeRule(department="department", region="task__region")

    class Meta:
        verbose_name = _("承办任务")
        verbose_name_plural = _("承办任务")
        ordering = ["task_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "department"],
                name="oversight_assignment_one_per_department",
                violation_error_message=_("同一督办事项不能重复交办给同一部门。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(verified_at__isnull=False),
                name="oversight_assignment_verified_at",
                violation_error_message=_("承办任务必须经核验才能销号。"),
            ),
        ]
        indexes = [models.Index(fields=["department", "status"], name="oversight_assign_dept_status")]

    def __str__(self) -> str:
        return f"{self.task_id} · {self.department_id}"


def _report_path(instance: TaskReport, filename: str) -> str:
    return f"oversight/tasks/{instance.assignment_id}/{filename}"


class TaskReport(TimeStampedModel):
    """What a department reports on its share: progress (进展) or completion (办结) with evidence."""

    assignment = models.ForeignKey(
        TaskAssignment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("承办任务")
    )
    kind = models.CharField(_("类别"), max_length=10, choices=ReportKind.choices)
    text = models.TextField(_("办理情况"))
    file = models.FileField(_("佐证材料"), upload_to=_report_path, blank=True, max_length=300)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报送人")
    )

    class Meta:
        verbose_name = _("办理情况报告")
        verbose_name_plural = _("办理情况报告")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


# --- accountability (问责) and fault tolerance (容错) ---------------------------------------------


class AccountabilityRecord(TenantModel):
    """An accountability decision (问责) on the ACC-1 ladder, from any source (an alert, an
    irregularity, a complaint, an inspection, a supervised task). ACC-2: a serious case of the
    negative list holds the person and the leader responsible, is published and disqualifies the
    unit from awards for the evaluation year. ACC-3: a 容错 decision may exempt or mitigate it."""

    source_kind = models.CharField(_("问责来源"), max_length=12, choices=AccountabilitySource.choices)
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("来源类型")
    )
    source_id = models.CharField(_("来源编号"), max_length=64, blank=True)
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="accountability_records", verbose_name=_("部门")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任人"),
    )
    person_name = models.CharField(_("责任人姓名"), max_length=50, blank=True)
    person_is_leader = models.BooleanField(_("责任人为领导干部"), default=False)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("相关领导"),
    )
    sanction = models.CharField(_("问责方式"), max_length=20, choices=Sanction.choices)
    original_sanction = models.CharField(_("原问责方式"), max_length=20, choices=Sanction.choices, blank=True)
    reason = models.TextField(_("问责事由"))
    negative_case = models.CharField(
        _("负面清单情形"), max_length=20, choices=NegativeListCase.choices, blank=True, default=NegativeListCase.NONE
    )
    serious = models.BooleanField(_("造成重大损失或不良影响"), default=False)
    wilful = models.BooleanField(_("明知故犯或谋取私利"), default=False)
    published = models.BooleanField(_("已通报曝光"), default=False)
    published_at = models.DateTimeField(_("通报时间"), null=True, blank=True)
    disqualified_year = models.PositiveSmallIntegerField(_("取消评先评优年度"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=AccountabilityStatus.choices, default=AccountabilityStatus.DECIDED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人")
    )
    decided_at = models.DateTimeField(_("决定时间"))

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("问责记录")
        verbose_name_plural = _("问责记录")
        ordering = ["-decided_at", "-id"]
        constraints = [
            # ACC-2: the "four always" for a serious negative-list case, held by the database too
            models.CheckConstraint(
                condition=Q(serious=False)
                | Q(negative_case="")
                | Q(status="exempted")
                | (
                    Q(person__isnull=False)
                    & Q(leader__isnull=False)
                    & Q(published=True)
                    & Q(disqualified_year__isnull=False)
                ),
                name="oversight_accountability_four_always",
                violation_error_message=_(
                    "负面清单情形造成重大损失或不良影响的，必须追究当事人和相关领导责任、通报曝光并取消评先评优资格。"
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "disqualified_year"], name="oversight_acc_disqualified"),
            models.Index(fields=["source_type", "source_id"], name="oversight_acc_source"),
        ]

    def __str__(self) -> str:
        return f"{self.get_sanction_display()} · {self.department}"

    @property
    def four_always(self) -> bool:
        """ACC-2: a serious negative-list case is held to the "four always"."""
        return bool(self.negative_case) and self.serious


def _exemption_path(instance: ExemptionApplication, filename: str) -> str:
    return f"oversight/exemptions/{instance.record_id}/{filename}"


class ExemptionApplication(TenantModel):
    """ACC-3: an application for fault tolerance (容错) against an accountability record: the
    conditions the applicant claims, the reviewer's findings on each, and the decision — exempted
    (免责), mitigated (从轻, to a lower rung of the ladder) or refused. Wilful violations cannot be
    exempted."""

    record = models.ForeignKey(
        AccountabilityRecord, on_delete=models.PROTECT, related_name="exemptions", verbose_name=_("问责记录")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    conditions = models.JSONField(_("申请容错的情形"), default=list)
    statement = models.TextField(_("情况说明"))
    file = models.FileField(_("证明材料"), upload_to=_exemption_path, blank=True, max_length=300)
    status = models.CharField(
        _("状态"), max_length=10, choices=ExemptionStatus.choices, default=ExemptionStatus.SUBMITTED
    )
    confirmed = models.JSONField(_("经审查认定的情形"), default=list)
    decision = models.CharField(_("决定"), max_length=10, choices=ExemptionDecision.choices, blank=True)
    mitigated_to = models.CharField(_("从轻后的问责方式"), max_length=20, choices=Sanction.choices, blank=True)
    review_note = models.TextField(_("审查意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审查人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    scope = ScopeRule(department="record__department", region="record__department__region")

    class Meta:
        verbose_name = _("容错申请")
        verbose_name_plural = _("容错申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(status="submitted"),
                name="oversight_exemption_one_pending",
                violation_error_message=_("该问责记录已有待审查的容错申请。"),
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | (~Q(decision="") & Q(decided_at__isnull=False)),
                name="oversight_exemption_decided",
                violation_error_message=_("容错申请的决定不完整。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} · {self.get_status_display()}"
