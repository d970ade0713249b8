"""Choice lists of cases and the ONE transition table every case service checks (conventions §5)."""

from __future__ import annotations

__all__ = [
    "APPLICABLE_ITEM_TYPES",
    "ONLINE_ACCEPTANCE_DEPTH",
    "OPEN_STATUSES",
    "REFUSAL_GROUNDS",
    "TRANSITIONS",
    "Channel",
    "DecisionOutcome",
    "DeliveryMethod",
    "EnquiryOutcome",
    "ExtensionRole",
    "NegativeKind",
    "NegativeStatus",
    "NoticeKind",
    "OpinionKind",
    "RefusalGround",
    "Status",
    "TaskStatus",
]

from django.db import models
from django.utils.translation import gettext_lazy as _

# which item types are applied for, and from which online depth (CAT-3): the catalog's rule, which
# its item page shows too; re-exported here for the case actions
from xiaoneng.catalog.choices import APPLICABLE_ITEM_TYPES, ONLINE_ACCEPTANCE_DEPTH


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已提交待受理")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("待补正")
    REFUSED_AT_INTAKE = "refused_at_intake", _("不予受理")
    ACCEPTED = "accepted", _("已受理")
    IN_REVIEW = "in_review", _("审查中")
    PENDING_NEGATIVE_REPORT = "pending_negative_report", _("否定报备审核中")
    DECIDED_APPROVED = "decided_approved", _("准予许可")
    DECIDED_REFUSED = "decided_refused", _("不予许可")
    DELIVERED = "delivered", _("已送达")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


S = Status
# The only allowed moves. A pause (CAS-4, supplement) is not a status: it lives on the clocks.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset(
        {S.SUPPLEMENT_REQUESTED, S.REFUSED_AT_INTAKE, S.ACCEPTED, S.PENDING_NEGATIVE_REPORT, S.WITHDRAWN}
    ),
    S.SUPPLEMENT_REQUESTED: frozenset({S.SUBMITTED, S.PENDING_NEGATIVE_REPORT, S.REFUSED_AT_INTAKE, S.WITHDRAWN}),
    # a negative-decision report returns the case to where it was, for the leader-reviewed issue
    S.PENDING_NEGATIVE_REPORT: frozenset({S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.IN_REVIEW}),
    S.ACCEPTED: frozenset({S.IN_REVIEW, S.DECIDED_APPROVED, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.DECIDED_APPROVED, S.DECIDED_REFUSED, S.PENDING_NEGATIVE_REPORT, S.WITHDRAWN}),
    S.DECIDED_APPROVED: frozenset({S.DELIVERED}),
    S.DECIDED_REFUSED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.CLOSED}),
    S.REFUSED_AT_INTAKE: frozenset({S.CLOSED}),
    S.WITHDRAWN: frozenset(),
    S.CLOSED: frozenset(),
}

OPEN_STATUSES = frozenset({S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.ACCEPTED, S.IN_REVIEW, S.PENDING_NEGATIVE_REPORT})


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    WINDOW = "window", _("窗口申请")


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("未开始")
    ACTIVE = "active", _("办理中")
    DONE = "done", _("已办理")
    DEEMED = "deemed", _("超时默认同意")
    CANCELLED = "cancelled", _("无需办理")


class OpinionKind(models.TextChoices):
    """CAS-7: the three answers of a co-handling department."""

    AGREE = "agree", _("同意")
    DISAGREE = "disagree", _("不同意")
    AGREE_REFER_UP = "agree_refer_up", _("同意并提请上级决定")


class NegativeKind(models.TextChoices):
    """CAS-6: what a negative-decision report (否定报备) covers."""

    NON_ACCEPTANCE = "non_acceptance", _("不予受理")
    REFUSAL = "refusal", _("不予许可")
    OVERDUE = "overdue", _("不能在承诺时限内办结")


class NegativeStatus(models.TextChoices):
    PENDING = "pending", _("待领导审核")
    APPROVED = "approved", _("领导已审核同意")
    RETURNED = "returned", _("领导退回")


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", _("准予")
    REFUSE = "refuse", _("不予")


class DeliveryMethod(models.TextChoices):
    IN_PERSON = "in_person", _("窗口领取")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子送达")


class EnquiryOutcome(models.TextChoices):
    HANDLED = "handled", _("当场办理/答复")
    REFERRED = "referred", _("告知有权办理的部门")


class RefusalGround(models.TextChoices):
    """CAS-1 (行政许可法 第三十二条 第一款 第一、二项): the two lawful grounds of a refusal at intake.
    The label opens the refusal's reasons (supervision reads it back to tell a lawful ground)."""

    NOT_LICENSING = "not_licensing", _("申请事项依法不需要取得行政许可")
    NOT_COMPETENT = "not_competent", _("申请事项依法不属于本行政机关职权范围")


# the grounds by value, for look-ups of a ground's words
REFUSAL_GROUNDS = {ground.value: ground.label for ground in RefusalGround}


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("受理通知书")
    REFUSAL_TO_ACCEPT = "refusal_to_accept", _("不予受理通知书")
    SUPPLEMENT = "supplement", _("补正材料一次性告知书")
    SPECIAL_PROCEDURE = "special_procedure", _("特别程序告知书")
    EXTENSION = "extension", _("延长审查期限告知书")
    APPROVAL = "approval", _("准予行政许可决定书")
    REFUSAL = "refusal", _("不予行政许可决定书")
    REFERRAL = "referral", _("首问负责告知单")


class ExtensionRole:
    """CAS-3 extensions, named as workdays.ExtensionKind: +10 by the agency head, +15 (joint handling)
    by the same-level government; each at most once."""

    AGENCY_HEAD = "agency_head"
    GOVERNMENT = "government"
    DAYS = {AGENCY_HEAD: 10, GOVERNMENT: 15}
