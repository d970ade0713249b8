"""Choice lists and transition tables of the enterprise-service app (rules in the package docstring)."""

from __future__ import annotations

__all__ = [
    "APPROVAL_TRANSITIONS",
    "BAD_SATISFACTION",
    "PROBLEM_TRANSITIONS",
    "REPORT_TRANSITIONS",
    "ApprovalStatus",
    "PointKind",
    "ProblemStatus",
    "ProjectStatus",
    "ReportStatus",
    "Satisfaction",
    "Severity",
]

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProblemStatus(models.TextChoices):
    RAISED = "raised", _("待交办")
    ASSIGNED = "assigned", _("办理中")
    SOLVED = "solved", _("已解决待评价")
    CLOSED = "closed", _("已评价办结")


# conventions §5: action -> (from states, to state)
PROBLEM_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "assign": (frozenset({ProblemStatus.RAISED}), ProblemStatus.ASSIGNED),
    "solve": (frozenset({ProblemStatus.ASSIGNED}), ProblemStatus.SOLVED),
    "rate": (frozenset({ProblemStatus.SOLVED}), ProblemStatus.CLOSED),
    "reopen": (frozenset({ProblemStatus.SOLVED}), ProblemStatus.ASSIGNED),
}


class Satisfaction(models.IntegerChoices):
    """RAT-1's five levels; the last two are bad (ENT-4)."""

    VERY_SATISFIED = 1, _("非常满意")
    SATISFIED = 2, _("满意")
    BASIC = 3, _("基本满意")
    UNSATISFIED = 4, _("不满意")
    VERY_UNSATISFIED = 5, _("非常不满意")


BAD_SATISFACTION = frozenset({Satisfaction.UNSATISFIED, Satisfaction.VERY_UNSATISFIED})


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("帮办中")
    COMPLETED = "completed", _("已办结")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("办理中")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


APPROVAL_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approved": (frozenset({ApprovalStatus.PENDING}), ApprovalStatus.APPROVED),
    "refused": (frozenset({ApprovalStatus.PENDING}), ApprovalStatus.REFUSED),
}


class PointKind(models.TextChoices):
    """ENT-7: who may be designated a 发展环境监测点."""

    ENTERPRISE = "enterprise", _("企业")
    ASSOCIATION = "association", _("行业协会")
    DEPUTY = "deputy", _("人大代表、政协委员")


class Severity(models.IntegerChoices):
    """Severity of a monitoring-point report; the same values as the warning index always read (ENT-7)."""

    MINOR = 1, _("一般")
    SERIOUS = 2, _("较重")
    GRAVE = 3, _("严重")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待处理")
    FORWARDED = "forwarded", _("已转办")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


REPORT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "forward": (frozenset({ReportStatus.SUBMITTED}), ReportStatus.FORWARDED),
    "reply": (frozenset({ReportStatus.FORWARDED}), ReportStatus.REPLIED),
    "close": (frozenset({ReportStatus.SUBMITTED, ReportStatus.REPLIED}), ReportStatus.CLOSED),
}
