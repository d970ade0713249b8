"""Enterprises, 挂点帮扶 pairings with visits and problems, 代办/帮办 projects with their approvals,
发展环境监测点 and their reports (rules ENT-1 … ENT-8 in the package docstring)."""

from __future__ import annotations

__all__ = [
    "AgentProject",
    "Enterprise",
    "MonitoringPoint",
    "MonitoringPointReport",
    "Pairing",
    "Problem",
    "ProblemReply",
    "ProjectApproval",
    "ProjectNote",
    "Visit",
]

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import TenantModel, TimeStampedModel
from xiaoneng.core.scoping import ScopeRule
from xiaoneng.enterprise.choices import (
    ApprovalStatus,
    PointKind,
    ProblemStatus,
    ProjectStatus,
    ReportStatus,
    Satisfaction,
    Severity,
)
from xiaoneng.orgs.validators import validate_credit_code


class Enterprise(TenantModel):
    """An enterprise served (ENT-1), named by its unified social credit code; its account is any
    enterprise applicant whose company credit code is this one (ENT-6)."""

    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_credit_code])
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划"))
    address = models.CharField(_("地址"), max_length=200, blank=True)

    scope = ScopeRule(region="region")

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "credit_code"],
                name="enterprise_credit_code_once",
                violation_error_message=_("该统一社会信用代码的企业已登记。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Pairing(TenantModel):
    """挂点帮扶 (ENT-1): an official of a department paired with an enterprise."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("企业")
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("挂点单位")
    )
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("挂点领导")
    )
    started_on = models.DateField(_("挂点开始日期"))
    ended_on = models.DateField(_("挂点结束日期"), null=True, blank=True)
    active = models.BooleanField(_("挂点中"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("挂点帮扶")
        verbose_name_plural = _("挂点帮扶")
        ordering = ["-active", "-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "enterprise"],
                condition=Q(active=True),
                name="enterprise_pairing_active_once",
                violation_error_message=_("该单位已在挂点帮扶这家企业。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} — {self.enterprise}"


class Visit(TimeStampedModel):
    """A visit to the paired enterprise (ENT-2)."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="visits", verbose_name=_("挂点帮扶"))
    visited_on = models.DateField(_("走访日期"))
    content = models.TextField(_("走访内容"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.pairing_id} {self.visited_on}"


class Problem(TenantModel):
    """A problem the enterprise raised to its paired official (ENT-3, ENT-4): assigned to the
    responsible department on a clock, solved on another, rated by the enterprise."""

    number = models.CharField(_("问题编号"), max_length=40, unique=True)
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="problems", verbose_name=_("挂点帮扶"))
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="problems", verbose_name=_("企业")
    )
    title = models.CharField(_("问题"), max_length=200)
    text = models.TextField(_("问题描述"))
    status = models.CharField(_("状态"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.RAISED)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("反映人")
    )
    department = models.ForeignKey(
        "orgs.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    assign_clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("交办时限")
    )
    clock = models.ForeignKey(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("办理时限")
    )
    solved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), choices=Satisfaction.choices, null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    reopened = models.BooleanField(_("已因不满意重办"), default=False)

    scope = ScopeRule(department="department", region="pairing__department__region")

    class Meta:
        verbose_name = _("企业反映问题")
        verbose_name_plural = _("企业反映问题")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "status"], name="enterprise_problem_status")]

    def __str__(self) -> str:
        return self.number


class ProblemReply(TimeStampedModel):
    """A reply on a problem: progress, or the solution (`solution=True`, ENT-4)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("答复内容"))
    solution = models.BooleanField(_("解决方案"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("问题答复")
        verbose_name_plural = _("问题答复")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class AgentProject(TenantModel):
    """代办/帮办 (ENT-5): an investment project of an enterprise with its agent (帮办员)."""

    number = models.CharField(_("项目编号"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="projects", verbose_name=_("企业")
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("帮办单位")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("帮办员")
    )
    description = models.TextField(_("项目概况"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("帮办项目")
        verbose_name_plural = _("帮办项目")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ProjectApproval(TimeStampedModel):
    """One approval a project needs: a published catalog item on its own clock (ENT-5), linked to
    the case when there is one."""

    project = models.ForeignKey(AgentProject, on_delete=models.CASCADE, related_name="approvals")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("审批事项"))
    item_name = models.CharField(_("事项名称"), max_length=200)
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("审批单位")
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("办件")
    )
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("办理时限")
    )
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目审批事项")
        verbose_name_plural = _("项目审批事项")
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "item"],
                name="enterprise_approval_once",
                violation_error_message=_("该事项已在项目的审批清单中。"),
            )
        ]

    def __str__(self) -> str:
        return self.item_name


class ProjectNote(TimeStampedModel):
    """A progress note on a project (ENT-5), visible to the enterprise."""

    project = models.ForeignKey(AgentProject, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("进展情况"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("项目进展")
        verbose_name_plural = _("项目进展")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]


class MonitoringPoint(TenantModel):
    """A designated 发展环境监测点 (ENT-7): an enterprise, association or deputy, with the account
    that submits its reports."""

    name = models.CharField(_("监测点名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=PointKind.choices)
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划"))
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code])
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报送账户"),
    )
    designated_on = models.DateField(_("设立日期"))
    active = models.BooleanField(_("在用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope = ScopeRule(region="region", owner="account")

    class Meta:
        verbose_name = _("发展环境监测点")
        verbose_name_plural = _("发展环境监测点")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class MonitoringPointReport(TenantModel):
    """A report from a 发展环境监测点 (ENT-7): which unit it concerns, when, what, how serious, then
    forwarded to that unit on a reply clock and closed by the office. A source of the warning index
    (SUP-3, 定点监测). Moved here from evaluation (issue 13): `point` keeps the point's name as
    recorded (the rows copied from evaluation have no `monitoring_point`)."""

    point = models.CharField(_("监测点"), max_length=100)
    monitoring_point = models.ForeignKey(
        MonitoringPoint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("监测点"),
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("涉及单位")
    )
    reported_on = models.DateField(_("报告日期"))
    text = models.TextField(_("反映情况"))
    severity = models.PositiveSmallIntegerField(_("严重程度"), choices=Severity.choices, default=Severity.MINOR)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("答复时限")
    )
    reply = models.TextField(_("答复内容"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    close_note = models.TextField(_("办结意见"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    scope = ScopeRule(department="department", region="department__region", owner="monitoring_point__account")

    class Meta:
        verbose_name = _("监测点报告")
        verbose_name_plural = _("监测点报告")
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["department", "reported_on"], name="enterprise_mpr_dept_day")]

    def __str__(self) -> str:
        return f"{self.point} {self.reported_on}"
