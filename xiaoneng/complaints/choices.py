"""Choice lists of complaints and work orders, and the ONE transition table every service checks."""

from __future__ import annotations

__all__ = [
    "CLOSED_STATUSES",
    "OFFICE_ROLES",
    "SATISFIED",
    "TRANSITIONS",
    "WHERE_TO_GO",
    "Channel",
    "Kind",
    "RefusalReason",
    "Sanction",
    "Satisfaction",
    "Status",
]

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaoneng.orgs.choices import Role

# ACC-1's ladder belongs to oversight, which owns accountability; re-exported for the complaint pages.
from xiaoneng.oversight.choices import Sanction

# The efficiency office (效能办) registers, accepts, dispatches and calls back; leaders may too.
OFFICE_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})


class Channel(models.TextChoices):
    WEB = "web", _("网上投诉")
    HOTLINE = "hotline", _("12345热线")
    MAILBOX = "mailbox", _("市长信箱")
    MEDIA = "media", _("媒体曝光")
    HALL = "hall", _("大厅现场")
    OPEN311 = "open311", _("Open311接口")


class Kind(models.TextChoices):
    EFFICIENCY = "efficiency", _("效能投诉")
    REQUEST = "request", _("诉求/求助")
    CONSULTATION = "consultation", _("咨询")
    REPORT = "report", _("举报")
    PRAISE = "praise", _("表扬")


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记待受理")
    REFUSED = "refused", _("不予受理")
    ACCEPTED = "accepted", _("已受理待派单")
    DISPATCHED = "dispatched", _("已派单办理中")
    RETURNED = "returned", _("已退单待改派")
    REPLIED = "replied", _("已答复待回访")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已合并")


S = Status
# CMP-1: the closed loop. Every service moves a complaint only along these edges.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REGISTERED: frozenset({S.ACCEPTED, S.REFUSED, S.MERGED}),
    S.ACCEPTED: frozenset({S.DISPATCHED, S.REPLIED, S.MERGED}),  # a consultation may be answered by the office
    S.DISPATCHED: frozenset({S.RETURNED, S.REPLIED}),
    S.RETURNED: frozenset({S.DISPATCHED, S.REPLIED}),
    # callback: satisfied → closed; unsatisfied → reopened (dispatched again); anonymous → closed
    S.REPLIED: frozenset({S.CLOSED, S.DISPATCHED}),
    S.REFUSED: frozenset(),
    S.CLOSED: frozenset(),
    S.MERGED: frozenset(),
}
CLOSED_STATUSES = frozenset({S.REFUSED, S.CLOSED, S.MERGED})


class RefusalReason(models.TextChoices):
    """CMP-3: matters not accepted through this channel; the reply says where to go instead."""

    LITIGATION = "litigation", _("属于诉讼程序解决的事项")
    ARBITRATION = "arbitration", _("属于仲裁程序解决的事项")
    RECONSIDERATION = "reconsideration", _("属于行政复议程序解决的事项")
    DISCIPLINE = "discipline", _("属于纪检监察机关管辖的事项")
    DISCLOSURE = "disclosure", _("属于政府信息公开申请事项")
    CONCLUDED = "concluded", _("已经依法处理终结的事项")
    STATE_SECRET = "state_secret", _("涉及国家秘密的事项")
    NO_FACTS = "no_facts", _("无具体事实和诉求")


WHERE_TO_GO = {
    RefusalReason.LITIGATION: _("请依法向有管辖权的人民法院提起诉讼。"),
    RefusalReason.ARBITRATION: _("请依照仲裁协议或法律规定向仲裁机构申请仲裁。"),
    RefusalReason.RECONSIDERATION: _("请在法定期限内向行政复议机关申请行政复议。"),
    RefusalReason.DISCIPLINE: _("请向同级纪委监委信访举报部门反映（12388）。"),
    RefusalReason.DISCLOSURE: _("请通过政府信息公开申请渠道向有关行政机关提出申请。"),
    RefusalReason.CONCLUDED: _("该事项已依法处理终结，如有新的事实和理由，可另行提出。"),
    RefusalReason.STATE_SECRET: _("涉及国家秘密的事项请向保密行政管理部门反映。"),
    RefusalReason.NO_FACTS: _("请补充具体的事实、时间、地点和诉求后重新提交。"),
}


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASIC})
