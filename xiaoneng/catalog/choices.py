"""Choice lists of the catalog (CAT-3 item types, lifecycle states, process settings)."""

from __future__ import annotations

__all__ = [
    "APPLICABLE_ITEM_TYPES",
    "EDITABLE_STATUSES",
    "FROZEN_STATUSES",
    "ONLINE_ACCEPTANCE_DEPTH",
    "SPECIAL_PROCEDURE_KINDS",
    "CaseKind",
    "Disposal",
    "FeeEntryStatus",
    "FeeUnit",
    "GovLevel",
    "ItemType",
    "JoinPolicy",
    "LimitUnit",
    "MaterialForm",
    "MaterialKind",
    "MaterialSource",
    "OnTimeout",
    "OnlineDepth",
    "ResultType",
    "VersionStatus",
]

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaoneng.workdays.choices import PauseReason


class ItemType(models.TextChoices):
    """CAT-3: the national type codes 01–10 and 20, plus 行政备案 and 内部管理权 (no national code)."""

    LICENSING = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    COERCION = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    BENEFIT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")
    FILING = "filing", _("行政备案")
    INTERNAL = "internal", _("内部管理权")


class VersionStatus(models.TextChoices):
    """CAT-6: draft → declared (申报) → reviewed (审核通过) → published (公布); returned (退回) goes
    back to the department; a published version is superseded by the next one or retired."""

    DRAFT = "draft", _("草稿")
    DECLARED = "declared", _("已申报")
    REVIEWED = "reviewed", _("审核通过")
    PUBLISHED = "published", _("已公布")
    RETURNED = "returned", _("已退回")
    SUPERSEDED = "superseded", _("已被新版本替代")
    RETIRED = "retired", _("已废止")


EDITABLE_STATUSES = frozenset({VersionStatus.DRAFT, VersionStatus.RETURNED})
# A published version never changes (conventions §5): cases pin it.
FROZEN_STATUSES = frozenset({VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED, VersionStatus.RETIRED})


class GovLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "wd", _("工作日")
    NATURAL_DAYS = "nd", _("自然日")


class CaseKind(models.TextChoices):
    ON_THE_SPOT = "on_the_spot", _("即办件")
    COMMITTED = "committed", _("承诺件")


class OnlineDepth(models.TextChoices):
    OFFLINE = "0", _("线下办理")
    INFO = "1", _("一级：网上咨询")
    PRE_REVIEW = "2", _("二级：网上预审")
    ACCEPT = "3", _("三级：网上受理")
    FULL = "4", _("四级：全程网办")


# The item types a person or company applies for (CAT-3 codes). Penalties, coercion, levies,
# inspections and internal powers are exercised by the agency on its own initiative: no case.
# (Here rather than in cases: the catalog's item page offers 在线申请 by the same rule.)
APPLICABLE_ITEM_TYPES = frozenset({"01", "05", "07", "08", "09", "10", "20", "filing"})
# Online applications need at least 三级·网上受理 (OnlineDepth "3"); below that, at the window.
ONLINE_ACCEPTANCE_DEPTH = "3"


class ResultType(models.TextChoices):
    LICENSE = "license", _("证照")
    APPROVAL = "approval", _("批准文书")
    CERTIFICATE = "certificate", _("证明文件")
    DECISION = "decision", _("决定书")
    OTHER = "other", _("其他")


class MaterialKind(models.TextChoices):
    FORM = "form", _("申请表格")
    IDENTITY = "identity", _("身份证明")
    LICENSE = "license", _("证照批文")
    TECHNICAL = "technical", _("技术资料")
    OTHER = "other", _("其他材料")


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    BOTH = "both", _("原件和复印件")
    ELECTRONIC = "electronic", _("电子材料")


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("申请人自备")
    GOVERNMENT = "government", _("政府部门核发（可共享获取）")
    THIRD_PARTY = "third_party", _("中介或其他机构出具")


class FeeUnit(models.TextChoices):
    YUAN = "yuan", _("元")


class JoinPolicy(models.TextChoices):
    """How a stage with parallel steps finishes: every step, any one, or a quorum of them."""

    ALL = "all", _("全部完成")
    ANY = "any", _("任一完成")
    QUORUM = "quorum", _("达到法定人数")


class OnTimeout(models.TextChoices):
    """What happens when a step's limit passes. Deemed consent is CAS-7 (超时默认)."""

    DEEMED_CONSENT = "deemed_consent", _("超时默认同意")
    ESCALATE = "escalate", _("逐级督办")
    NONE = "none", _("不作处理")


# CAS-4: the special procedures an item may list are the pause reasons the law allows, minus
# waiting for the applicant (not a procedure) and the disclosure-only consultation.
SPECIAL_PROCEDURE_KINDS = [
    (value, label)
    for value, label in PauseReason.choices
    if value not in (PauseReason.SUPPLEMENT, PauseReason.CONSULTATION)
]


class Disposal(models.TextChoices):
    """What became of an item by a later decision (CAT-DIS-1): cancelled (取消), delegated to a lower
    level (下放) or entrusted to another body (委托, 行政许可法 第二十四条). Blank: exercised here."""

    ACTIVE = "", _("正常实施")
    CANCELLED = "cancelled", _("已取消")
    DELEGATED = "delegated", _("已下放")
    ENTRUSTED = "entrusted", _("已委托")


class FeeEntryStatus(models.TextChoices):
    """A fee catalog entry (收费目录): drafted by the administrator, published, withdrawn (撤销)."""

    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已公布")
    WITHDRAWN = "withdrawn", _("已撤销")
