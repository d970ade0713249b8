from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaoneng.orgs.choices import Role
from xiaoneng.workdays.services import AlertLevel


class Level(models.IntegerChoices):
    """SUP-1 levels (the values of workdays.services.AlertLevel)."""

    REMIND = AlertLevel.REMIND, _("提醒")
    YELLOW = AlertLevel.YELLOW, _("黄牌")
    RED = AlertLevel.RED, _("红牌")
    STATUTORY = AlertLevel.STATUTORY, _("红牌（监察建议）")


LEVEL_COLOURS = {
    Level.REMIND: "blue",
    Level.YELLOW: "yellow",
    Level.RED: "red",
    Level.STATUTORY: "red",
}


class AlertStatus(models.TextChoices):
    RAISED = "raised", _("已触发")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    EXPLAINED = "explained", _("已说明")
    RESOLVED = "resolved", _("已办结")
    ESCALATED = "escalated", _("已升级督办")


OPEN_ALERT_STATUSES = (AlertStatus.RAISED, AlertStatus.ACKNOWLEDGED, AlertStatus.EXPLAINED, AlertStatus.ESCALATED)

# The one transition table (conventions §5): action -> (from states, to state).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({AlertStatus.RAISED, AlertStatus.ESCALATED}), AlertStatus.ACKNOWLEDGED),
    "explain": (frozenset({AlertStatus.ACKNOWLEDGED, AlertStatus.EXPLAINED}), AlertStatus.EXPLAINED),
    "resolve": (frozenset({AlertStatus.EXPLAINED}), AlertStatus.RESOLVED),
    "escalate": (frozenset({AlertStatus.RAISED, AlertStatus.ESCALATED}), AlertStatus.ESCALATED),
}


class Escalation(models.IntegerChoices):
    NONE = 0, _("未升级")
    DEPT_HEAD = 1, _("已升级至部门负责人")
    OFFICE = 2, _("已升级至效能办")


class ObligationStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    COMPLETED = "completed", _("已办结")
    CANCELLED = "cancelled", _("已撤销")


# Who supervises (dashboard, resolve, escalate): the efficiency office and leaders of the region.
SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})
