"""Choice lists and the transition tables of the inspections app."""

from __future__ import annotations

__all__ = [
    "FILING_TRANSITIONS",
    "NOTICE_TRANSITIONS",
    "OFFICE_ROLES",
    "Exemption",
    "FilingStatus",
    "InspectionKind",
    "NoticeStatus",
    "Tier",
]

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaoneng.orgs.choices import Role


class FilingStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    FILED = "filed", _("已备案")
    REFUSED = "refused", _("未同意")
    DONE = "done", _("已检查")


# conventions §5: action -> (from states, to state)
FILING_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({FilingStatus.PENDING}), FilingStatus.FILED),
    "refuse": (frozenset({FilingStatus.PENDING}), FilingStatus.REFUSED),
    "inspect": (frozenset({FilingStatus.FILED}), FilingStatus.DONE),
}


class InspectionKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("涉企检查")
    UNANNOUNCED = "unannounced", _("明察暗访")
    CROSS = "cross", _("交叉检查")
    SELF = "self", _("自查自纠")


class Exemption(models.TextChoices):
    """INS-7: inspections that need no prior filing (seed 002 §6)."""

    NONE = "", _("无")
    NATIONAL_SECURITY = "national_security", _("国家安全")
    WORK_SAFETY = "work_safety", _("安全生产")
    ENVIRONMENT = "environment", _("环境保护")
    CRIME = "crime", _("涉嫌犯罪")


# INS-9: who records 明察暗访 and 交叉检查 (the efficiency office and leaders of the region)
OFFICE_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})


class NoticeStatus(models.TextChoices):
    """INS-8: a first-violation notice runs until the deadline, then is closed either way."""

    ISSUED = "issued", _("限期整改中")
    RECTIFIED = "rectified", _("已按期整改，不予处罚")
    UNRECTIFIED = "unrectified", _("逾期未整改")


NOTICE_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "rectified": (frozenset({NoticeStatus.ISSUED}), NoticeStatus.RECTIFIED),
    "unrectified": (frozenset({NoticeStatus.ISSUED}), NoticeStatus.UNRECTIFIED),
}


class Tier(models.TextChoices):
    """INS-10: circumstance tiers of a discretion baseline (自由裁量基准)."""

    SLIGHT = "slight", _("轻微")
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("较重")
    GRAVE = "grave", _("严重")
