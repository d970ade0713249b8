"""Choice lists of ratings (好差评) and surveys (社会测评)."""

from __future__ import annotations

__all__ = [
    "BAD_LEVELS",
    "SATISFIED_LEVELS",
    "AppealStatus",
    "Handling",
    "Level",
    "QuestionKind",
    "RespondentGroup",
    "Source",
    "SurveyStatus",
]

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """RAT-1: five levels; the last two are bad reviews."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    UNSATISFIED = 2, _("不满意")
    VERY_UNSATISFIED = 1, _("非常不满意")


BAD_LEVELS = frozenset({Level.UNSATISFIED, Level.VERY_UNSATISFIED})
SATISFIED_LEVELS = frozenset({Level.VERY_SATISFIED, Level.SATISFIED, Level.BASIC})


class Source(models.TextChoices):
    WEB = "web", _("网上评价")
    SMS = "sms", _("短信评价")
    TERMINAL = "terminal", _("窗口评价器")
    QR = "qr", _("扫码评价")
    DEFAULT = "default", _("超期默认")


class Handling(models.TextChoices):
    """RAT-3: a bad review is verified with the rater, rectified, and the rater is called back."""

    NONE = "", _("无需处理")
    PENDING = "pending", _("待核实")
    RECTIFYING = "rectifying", _("整改中")
    CALLED_BACK = "called_back", _("已回访")


class AppealStatus(models.TextChoices):
    NONE = "", _("无申诉")
    PENDING = "pending", _("申诉审核中")
    UPHELD = "upheld", _("申诉成立，评价已撤销")
    REJECTED = "rejected", _("申诉不成立")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("收集中")
    CLOSED = "closed", _("已结束")


class QuestionKind(models.TextChoices):
    RATING = "rating", _("评分题（1-5分）")
    CHOICE = "choice", _("选择题")
    TEXT = "text", _("文字题")


class RespondentGroup(models.TextChoices):
    """Who answers a public survey (社会测评, EVA-1). The first ten are the ten groups (十个层次) of
    seed 003 in its order: 市人大代表、政协委员、民主党派人士、外来投资者、机关干部、新闻媒体工作者、群众组织、
    个体工商户、一县三区政府、企业人员; residents, invited supervisors and others stay for the surveys
    that used them."""

    DEPUTY = "deputy", _("人大代表")
    CPPCC = "cppcc", _("政协委员")
    PARTY = "party", _("民主党派人士")
    INVESTOR = "investor", _("外来投资者")
    CADRE = "cadre", _("机关干部")
    MEDIA = "media", _("新闻媒体工作者")
    MASS_ORG = "mass_org", _("群众组织")
    INDIVIDUAL = "individual", _("个体工商户")
    GOVERNMENT = "government", _("县（区）政府")
    BUSINESS = "business", _("企业")
    RESIDENT = "resident", _("居民")
    SUPERVISOR = "supervisor", _("特邀监督员")
    OTHER = "other", _("其他")
