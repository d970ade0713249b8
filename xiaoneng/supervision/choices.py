from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaoneng.orgs.choices import Role
from xiaoneng.workdays.ladder import AlertLevel


class Level(models.IntegerChoices):
    """SUP-1 levels (the values of workdays.ladder.AlertLevel)."""

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
    # the obligation itself ended within its limit (finished, or withdrawn, on time): nothing is left
    # to answer for, so the scan closes the alert by itself (issue 9)
    LIFTED = "lifted", _("已解除")


OPEN_ALERT_STATUSES = (AlertStatus.RAISED, AlertStatus.ACKNOWLEDGED, AlertStatus.EXPLAINED, AlertStatus.ESCALATED)

# The one transition table (conventions §5): action -> (from states, to state).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({AlertStatus.RAISED, AlertStatus.ESCALATED}), AlertStatus.ACKNOWLEDGED),
    "explain": (frozenset({AlertStatus.ACKNOWLEDGED, AlertStatus.EXPLAINED}), AlertStatus.EXPLAINED),
    "resolve": (frozenset({AlertStatus.EXPLAINED}), AlertStatus.RESOLVED),
    "escalate": (frozenset({AlertStatus.RAISED, AlertStatus.ESCALATED}), AlertStatus.ESCALATED),
    "lift": (frozenset(OPEN_ALERT_STATUSES), AlertStatus.LIFTED),
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


class IrregularityRule(models.TextChoices):
    """SUP-2: the named irregularity rules. The value is the rule's ID, cited in code, tests and the
    API's `rule` field; pages and notifications show the label (the rule's name), never the ID.
    The description and severity of each live in supervision.irregularities."""

    NOT_ACCEPTED = "SUP-2.1", _("符合条件的申请不予受理")
    SECOND_SUPPLEMENT = "SUP-2.2", _("一次性告知后再次要求补正")
    NO_REASONS = "SUP-2.3", _("不予受理或不予许可未说明理由")
    FEE_OUT_OF_CATALOG = "SUP-2.4", _("收费不在目录内或高于收费标准下限")
    UNPUBLISHED_ITEM = "SUP-2.5", _("在未发布事项上办件")
    EXTRA_STEP = "SUP-2.6", _("流程图外增设环节")
    OUTSIDE_HALL = "SUP-2.7", _("体外循环：无受理记录即作出决定")
    NO_NEGATIVE_REPORT = "SUP-2.8", _("否定决定未经报备即作出")
    UNFILED_INSPECTION = "SUP-2.9", _("未经备案实施涉企检查或执法")


class Severity(models.IntegerChoices):
    MINOR = 1, _("一般")
    SERIOUS = 2, _("较重")
    GRAVE = 3, _("严重")


class IrregularityStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    CONFIRMED = "confirmed", _("已确认")
    DISMISSED = "dismissed", _("已排除")
    RECTIFIED = "rectified", _("已整改")


OPEN_IRREGULARITY_STATUSES = (IrregularityStatus.OPEN, IrregularityStatus.CONFIRMED)


# --- efficiency index (SUP-3, SUP-5) and bulletins ----------------------------------------------


class WarningLevel(models.IntegerChoices):
    """SUP-3: the three-level warning of a unit in one month (0: nothing to warn about)."""

    NONE = 0, _("无预警")
    SINGLE = 1, _("单项预警")
    COMPOSITE = 2, _("综合预警")
    PUBLIC = 3, _("公开预警")


class DeductionSource(models.TextChoices):
    """Where a deduction from the 100-point monthly base comes from (SUP-5)."""

    ALERT_REMIND = "alert_remind", _("连续预警提醒")
    ALERT_YELLOW = "alert_yellow", _("黄牌")
    ALERT_RED = "alert_red", _("红牌")
    IRREGULARITY = "irregularity", _("违规行为")
    COMPLAINT = "complaint", _("效能投诉属实")
    LATE_REPLY = "late_reply", _("投诉未按时答复")
    BAD_REVIEW = "bad_review", _("差评逾期未整改")
    SATISFACTION = "satisfaction", _("评价满意率未达标")
    TASK_OVERDUE = "task_overdue", _("督办事项逾期未办结")


class Grade(models.TextChoices):
    """SUP-5: the quarterly grade."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class BulletinKind(models.TextChoices):
    MONTHLY = "monthly", _("月度通报")
    QUARTERLY = "quarterly", _("季度通报")


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已印发")


# Who may issue a bulletin: the efficiency office (效能办). Leaders read them.
BULLETIN_ISSUER_ROLES = frozenset({Role.SUPERVISOR})
