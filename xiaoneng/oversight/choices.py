"""Choice lists and transition tables of oversight: rectification (整改), supervised tasks (督查督办),
accountability (问责, ACC-1/ACC-2) and fault tolerance (容错, ACC-3)."""

from __future__ import annotations

__all__ = [
    "ACCOUNTABILITY_TRANSITIONS",
    "ASSIGNMENT_TRANSITIONS",
    "LEADER_CADRE_ROLES",
    "LEADER_ONLY_SANCTIONS",
    "NEGATIVE_LIST_CONDITIONS",
    "SANCTION_AUTHORITY",
    "SANCTION_LADDER",
    "TRANSITIONS",
    "VERIFIER_ROLES",
    "AccountabilitySource",
    "AccountabilityStatus",
    "AssignmentStatus",
    "ExemptionCondition",
    "ExemptionDecision",
    "ExemptionStatus",
    "NegativeListCase",
    "RectificationOrigin",
    "RectificationStatus",
    "ReportKind",
    "Sanction",
    "TaskSource",
    "TaskStatus",
]

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaoneng.orgs.choices import Role

# --- rectification (整改) -----------------------------------------------------------------------


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    SUBMITTED = "submitted", _("已提交待核验")
    CLOSED = "closed", _("已核验销号")


class RectificationOrigin(models.TextChoices):
    """Where a rectification came from. Items opened by the system (a red alert, a complaint …) carry
    their source record too; items opened by hand name the kind of finding."""

    SYSTEM = "system", _("系统发现")
    VISIT = "visit", _("明察暗访")
    LEADER = "leader", _("领导交办")
    PUBLIC = "public", _("群众反映")
    TASK = "task", _("督查督办")
    OTHER = "other", _("其他")


# The one transition table (conventions §5): action -> (from states, to state).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({RectificationStatus.OPEN}), RectificationStatus.SUBMITTED),
    "verify": (frozenset({RectificationStatus.SUBMITTED}), RectificationStatus.CLOSED),
    "reject": (frozenset({RectificationStatus.SUBMITTED}), RectificationStatus.OPEN),
}

# Who verifies rectifications and opens them by hand: the efficiency office and leaders of the region.
VERIFIER_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})

# --- supervised tasks (督查督办) -----------------------------------------------------------------


class TaskSource(models.TextChoices):
    LEADER = "leader", _("领导批示")
    MEETING = "meeting", _("会议决定")
    BULLETIN = "bulletin", _("通报事项")
    PROPOSAL = "proposal", _("建议提案")
    OTHER = "other", _("其他")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("督办中")
    CLOSED = "closed", _("已销号")


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("办理中")
    COMPLETED = "completed", _("已报办结待核验")
    VERIFIED = "verified", _("已核验销号")


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("进展情况")
    COMPLETION = "completion", _("办结报告")


# action -> (from states, to state) for one department's share of a task
ASSIGNMENT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "progress": (frozenset({AssignmentStatus.ASSIGNED}), AssignmentStatus.ASSIGNED),
    "complete": (frozenset({AssignmentStatus.ASSIGNED}), AssignmentStatus.COMPLETED),
    "urge": (frozenset({AssignmentStatus.ASSIGNED}), AssignmentStatus.ASSIGNED),
    "verify": (frozenset({AssignmentStatus.COMPLETED}), AssignmentStatus.VERIFIED),
    "reject": (frozenset({AssignmentStatus.COMPLETED}), AssignmentStatus.ASSIGNED),
}

# --- accountability (问责) -----------------------------------------------------------------------


class Sanction(models.TextChoices):
    """ACC-1: the sanction ladder, lightest first; the last three apply to leaders only."""

    ORAL_WARNING = "oral_warning", _("口头告诫")
    WRITTEN_WARNING = "written_warning", _("书面告诫")
    WRITTEN_SELF_CRITICISM = "self_criticism", _("责令书面检查")
    CIRCULATED_CRITICISM = "circulated", _("通报批评")
    TRANSFER = "transfer", _("调离岗位/停职离岗培训")
    RESIGNATION = "resignation", _("责令辞职")
    DISCIPLINE_REFERRAL = "discipline_referral", _("移送纪检监察机关")
    ADMONITION_TALK = "admonition_talk", _("诫勉谈话")
    PUBLIC_APOLOGY = "public_apology", _("公开道歉")
    DISMISSAL_PROPOSAL = "dismissal_proposal", _("建议免职")


# ACC-1: the rung of each sanction (a mitigation must go to a lower rung). The leaders' measures sit
# beside the general ones of like weight: 诫勉谈话 ~ 书面检查, 公开道歉 ~ 通报批评, 建议免职 ~ 责令辞职.
SANCTION_LADDER: dict[str, int] = {
    Sanction.ORAL_WARNING: 1,
    Sanction.WRITTEN_WARNING: 2,
    Sanction.WRITTEN_SELF_CRITICISM: 3,
    Sanction.ADMONITION_TALK: 3,
    Sanction.CIRCULATED_CRITICISM: 4,
    Sanction.PUBLIC_APOLOGY: 4,
    Sanction.TRANSFER: 5,
    Sanction.RESIGNATION: 6,
    Sanction.DISMISSAL_PROPOSAL: 6,
    Sanction.DISCIPLINE_REFERRAL: 7,
}

# ACC-1: measures that only apply to a leader (领导干部).
LEADER_ONLY_SANCTIONS = frozenset({Sanction.ADMONITION_TALK, Sanction.PUBLIC_APOLOGY, Sanction.DISMISSAL_PROPOSAL})

# Who counts as a leader cadre when a person is held accountable: heads of departments and leaders.
LEADER_CADRE_ROLES = frozenset({Role.DEPT_HEAD, Role.LEADER})

# ACC-1: who may impose each rung. A department head may warn their own staff and order a written
# self-examination; the efficiency office (监察室) adds circulated criticism and referral to discipline
# inspection; personnel measures (transfer, resignation, the leaders' measures) are the leaders' (党组).
SANCTION_AUTHORITY: dict[str, frozenset[str]] = {
    Sanction.ORAL_WARNING: frozenset({Role.DEPT_HEAD, Role.SUPERVISOR, Role.LEADER}),
    Sanction.WRITTEN_WARNING: frozenset({Role.DEPT_HEAD, Role.SUPERVISOR, Role.LEADER}),
    Sanction.WRITTEN_SELF_CRITICISM: frozenset({Role.DEPT_HEAD, Role.SUPERVISOR, Role.LEADER}),
    Sanction.CIRCULATED_CRITICISM: frozenset({Role.SUPERVISOR, Role.LEADER}),
    Sanction.DISCIPLINE_REFERRAL: frozenset({Role.SUPERVISOR, Role.LEADER}),
    Sanction.TRANSFER: frozenset({Role.LEADER}),
    Sanction.RESIGNATION: frozenset({Role.LEADER}),
    Sanction.ADMONITION_TALK: frozenset({Role.LEADER}),
    Sanction.PUBLIC_APOLOGY: frozenset({Role.LEADER}),
    Sanction.DISMISSAL_PROPOSAL: frozenset({Role.LEADER}),
}


class AccountabilitySource(models.TextChoices):
    ALERT = "alert", _("预警")
    IRREGULARITY = "irregularity", _("违规行为")
    COMPLAINT = "complaint", _("投诉")
    INSPECTION = "inspection", _("检查")
    TASK = "task", _("督查督办")
    OTHER = "other", _("其他")


class NegativeListCase(models.TextChoices):
    """ACC-2: the five cases of the negative list (seed 004)."""

    NONE = "", _("不属于负面清单")
    NON_PERFORMANCE = "non_performance", _("工作执行不力、推诿扯皮、失职渎职")
    UNLAWFUL_ADMIN = "unlawful_admin", _("不依法行政，违规审批、处罚、收费")
    PETITIONS = "petitions", _("未按规定处置信访、维稳工作")
    OBSTRUCTION = "obstruction", _("服务意识淡薄、“中梗阻”、态度粗暴、作风不实")
    ABUSE = "abuse", _("滥用职权、吃拿卡要、以权谋私、违纪违规")


# ACC-2: the "four always" (四个一律) a serious negative-list record must satisfy.
NEGATIVE_LIST_CONDITIONS = ("person", "leader", "published", "disqualified")


class AccountabilityStatus(models.TextChoices):
    DECIDED = "decided", _("已决定")
    EXEMPTED = "exempted", _("容错免责")
    MITIGATED = "mitigated", _("容错从轻")


ACCOUNTABILITY_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "exempt": (frozenset({AccountabilityStatus.DECIDED}), AccountabilityStatus.EXEMPTED),
    "mitigate": (frozenset({AccountabilityStatus.DECIDED}), AccountabilityStatus.MITIGATED),
}

# --- fault tolerance (容错, ACC-3) ----------------------------------------------------------------


class ExemptionCondition(models.TextChoices):
    """ACC-3: the conditions of 容错 (seed 004, "四区分")."""

    EXPLORATORY = "exploratory", _("因缺乏经验、先行先试或探索性试验出现失误")
    NOT_PROHIBITED = "not_prohibited", _("上级尚无明确限制，不属于明令禁止后仍我行我素")
    NO_PERSONAL_GAIN = "no_personal_gain", _("为推动发展的无意过失，未谋取私利")
    PROCEDURES_FOLLOWED = "procedures", _("决策和实施履行了规定程序")
    LOSSES_REMEDIED = "remedied", _("积极采取措施挽回损失、消除影响")


class ExemptionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审查")
    DECIDED = "decided", _("已决定")


class ExemptionDecision(models.TextChoices):
    EXEMPTED = "exempted", _("予以免责")
    MITIGATED = "mitigated", _("从轻或减轻问责")
    REFUSED = "refused", _("不予容错")
