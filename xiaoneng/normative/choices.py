"""Choice lists and the transition table of normative documents."""

from __future__ import annotations

__all__ = ["DOCUMENT_TRANSITIONS", "DocumentStatus", "EvaluationOutcome", "FilingBody", "ReviewOutcome"]

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentStatus(models.TextChoices):
    REVIEWING = "reviewing", _("合法性审核中")
    APPROVED = "approved", _("审核通过待发布")
    REJECTED = "rejected", _("审核不予通过")
    PUBLISHED = "published", _("已发布")
    REPEALED = "repealed", _("已废止")


class ReviewOutcome(models.TextChoices):
    """NOR-3."""

    PASSED = "passed", _("通过")
    PASSED_AMENDED = "amended", _("修改后通过")
    FAILED = "failed", _("不予通过")


class FilingBody(models.TextChoices):
    """NOR-5: where a document is filed (备案)."""

    GOVERNMENT = "government", _("上一级人民政府")
    CONGRESS = "congress", _("本级人大常委会")
    SAME_GOVERNMENT = "same_government", _("本级人民政府")


class EvaluationOutcome(models.TextChoices):
    """NOR-6 评估清理."""

    CONTINUE = "continue", _("继续有效")
    REPEAL = "repeal", _("废止")


# conventions §5: action -> (from states, to state)
DOCUMENT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({DocumentStatus.REVIEWING}), DocumentStatus.APPROVED),
    "reject": (frozenset({DocumentStatus.REVIEWING}), DocumentStatus.REJECTED),
    "publish": (frozenset({DocumentStatus.APPROVED}), DocumentStatus.PUBLISHED),
    "file": (frozenset({DocumentStatus.PUBLISHED}), DocumentStatus.PUBLISHED),
    "continue": (frozenset({DocumentStatus.PUBLISHED}), DocumentStatus.PUBLISHED),
    "repeal": (frozenset({DocumentStatus.PUBLISHED}), DocumentStatus.REPEALED),
}
