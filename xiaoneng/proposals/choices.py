"""Choice lists and transition tables of proposals and major decisions."""

from __future__ import annotations

__all__ = [
    "DECISION_STEPS",
    "OFFICE_ROLES",
    "OPTIONAL_STEPS",
    "PROPOSAL_TRANSITIONS",
    "DecisionStatus",
    "LegalityResult",
    "ProposalKind",
    "ProposalStatus",
    "ReplyCategory",
    "Satisfaction",
    "StepKind",
    "StepStatus",
]

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaoneng.orgs.choices import Role

# PRP-1: who registers and assigns (the government office's 督查室), besides the administrator
OFFICE_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER, Role.ADMIN})


class ProposalKind(models.TextChoices):
    SUGGESTION = "suggestion", _("人大代表建议")
    PROPOSAL = "proposal", _("政协委员提案")


class ProposalStatus(models.TextChoices):
    HANDLING = "handling", _("办理中")
    REPLIED = "replied", _("已答复待反馈")
    REOPENED = "reopened", _("不满意重新办理")
    CLOSED = "closed", _("已办结")


class ReplyCategory(models.TextChoices):
    """PRP-4."""

    A = "A", _("A类：已解决或采纳")
    B = "B", _("B类：列入计划拟解决")
    C = "C", _("C类：留作参考")


class Satisfaction(models.TextChoices):
    """PRP-5."""

    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


# conventions §5: action -> (from states, to state)
PROPOSAL_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "reply": (frozenset({ProposalStatus.HANDLING, ProposalStatus.REOPENED}), ProposalStatus.REPLIED),
    "close": (frozenset({ProposalStatus.REPLIED}), ProposalStatus.CLOSED),
    "reopen": (frozenset({ProposalStatus.REPLIED}), ProposalStatus.REOPENED),
}


class DecisionStatus(models.TextChoices):
    DRAFTING = "drafting", _("决策程序进行中")
    ADOPTED = "adopted", _("已作出决定")
    WITHDRAWN = "withdrawn", _("已终止")


class StepKind(models.TextChoices):
    """DEC-1: the five statutory steps, in their order."""

    PUBLIC = "public", _("公众参与")
    EXPERT = "expert", _("专家论证")
    RISK = "risk", _("风险评估")
    LEGALITY = "legality", _("合法性审查")
    COLLECTIVE = "collective", _("集体讨论决定")


DECISION_STEPS = [StepKind.PUBLIC, StepKind.EXPERT, StepKind.RISK, StepKind.LEGALITY, StepKind.COLLECTIVE]
# DEC-1: 第十九条、第二十二条 — required where the matter calls for them
OPTIONAL_STEPS = frozenset({StepKind.EXPERT, StepKind.RISK})


class StepStatus(models.TextChoices):
    PENDING = "pending", _("未开始")
    OPEN = "open", _("公示中")
    DONE = "done", _("已完成")
    NOT_REQUIRED = "not_required", _("不适用")


class LegalityResult(models.TextChoices):
    """DEC-3."""

    LAWFUL = "lawful", _("合法")
    UNLAWFUL = "unlawful", _("不合法")
