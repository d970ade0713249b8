"""Choice lists and transition tables of the evaluation app (绩效考评, 预警指数, 承诺践诺评诺)."""

from __future__ import annotations

__all__ = [
    "AWARD_ROLES",
    "COMMITMENT_TRANSITIONS",
    "OFFICE_ROLES",
    "SCHEME_TRANSITIONS",
    "AwardKind",
    "CommitmentKind",
    "CommitmentStatus",
    "IndicatorKind",
    "PanelGroup",
    "SchemeStatus",
    "Severity",
    "TalkStatus",
    "UnitCategory",
    "VoteChoice",
    "WarningLevel",
]

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaoneng.orgs.choices import Role


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草拟中")
    PUBLISHED = "published", _("考评中")
    CLOSED = "closed", _("已公布结果")


# action -> (from states, to state): the one transition table (conventions §5)
SCHEME_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({SchemeStatus.DRAFT}), SchemeStatus.PUBLISHED),
    "close": (frozenset({SchemeStatus.PUBLISHED}), SchemeStatus.CLOSED),
}


class UnitCategory(models.TextChoices):
    """EVA-1: each unit is evaluated within its category, with the category's indicator weights."""

    WINDOW = "window", _("窗口单位")
    ENFORCEMENT = "enforcement", _("执法单位")
    TOWNSHIP = "township", _("乡镇（街道）")
    COMPREHENSIVE = "general", _("综合部门")


class IndicatorKind(models.TextChoices):
    """EVA-1: the four sources of a composite score, and the groups that hold them."""

    GROUP = "group", _("指标分组")
    DATA = "data", _("数据指标")
    SELF = "self", _("自评")
    PANEL = "panel", _("评议组评分")
    SURVEY = "survey", _("社会测评")


class PanelGroup(models.TextChoices):
    """Who sits on the panel (seed 003: deputies, CPPCC members, democratic parties, special supervisors,
    the discipline offices of the departments)."""

    DEPUTY = "deputy", _("人大代表")
    CPPCC = "cppcc", _("政协委员")
    PARTY = "party", _("民主党派人士")
    SUPERVISOR = "supervisor", _("特邀监察员")
    OFFICE = "office", _("监察室主任")
    BUSINESS = "business", _("企业代表")
    OTHER = "other", _("其他")


class TalkStatus(models.TextChoices):
    PLANNED = "planned", _("待谈话")
    HELD = "held", _("已谈话")


class AwardKind(models.TextChoices):
    """Seed 004 (三个十佳): 十佳单位 and 先进单位 are blocked by the negative list (ACC-2)."""

    TOP_TEN = "top_ten", _("绩效考核十佳单位")
    ADVANCED = "advanced", _("绩效考核先进单位")
    SERVICE_BRAND = "brand", _("十佳服务品牌")


class Severity(models.IntegerChoices):
    MINOR = 1, _("一般")
    SERIOUS = 2, _("较重")
    GRAVE = 3, _("严重")


class WarningLevel(models.IntegerChoices):
    """SUP-3: 单项预警 → 综合预警 → 预警公示."""

    NONE = 0, _("正常")
    SINGLE = 1, _("单项预警")
    COMPOSITE = 2, _("综合预警")
    PUBLIC = 3, _("预警公示")


class CommitmentKind(models.TextChoices):
    ANNUAL = "annual", _("年度承诺")
    SERVICE = "service", _("窗口服务承诺")


class CommitmentStatus(models.TextChoices):
    DRAFT = "draft", _("草拟中")
    PUBLISHED = "published", _("已公开承诺")
    VOTING = "voting", _("年底评诺中")
    ASSESSED = "assessed", _("已评诺")


COMMITMENT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({CommitmentStatus.DRAFT}), CommitmentStatus.PUBLISHED),
    "open_vote": (frozenset({CommitmentStatus.PUBLISHED}), CommitmentStatus.VOTING),
    "assess": (frozenset({CommitmentStatus.VOTING}), CommitmentStatus.ASSESSED),
}


class VoteChoice(models.TextChoices):
    FULFILLED = "fulfilled", _("已兑现")
    PARTLY = "partly", _("基本兑现")
    NOT = "not", _("未兑现")


# the efficiency office (效能办) runs evaluations; leaders read everything in their region and grant awards
OFFICE_ROLES = frozenset({Role.SUPERVISOR})
AWARD_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})
