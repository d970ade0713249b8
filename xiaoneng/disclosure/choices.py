"""Choice lists of the disclosure app (政务公开): record categories, request channels and states,
applicant kinds and the answer types with their grounds (DIS-2), each tied to a row of the national
annual-report table (国办公开办函〔2021〕30号, table 三)."""

from __future__ import annotations

__all__ = [
    "ANSWER_BASIS",
    "ANSWER_GROUNDS",
    "TRANSITIONS",
    "AnswerType",
    "AppealKind",
    "AppealResult",
    "ApplicantKind",
    "AttachmentSide",
    "Channel",
    "ConsultationKind",
    "ConsultationOpinion",
    "Ground",
    "RecordCategory",
    "RecordStatus",
    "RequestStatus",
    "report_row",
]

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordCategory(models.TextChoices):
    """What a proactively disclosed record is (政府信息公开条例 第二十条). The first five feed table 二
    of the annual report."""

    REGULATION = "regulation", _("规章")
    NORMATIVE = "normative", _("行政规范性文件")
    LICENSING = "licensing", _("行政许可")
    PENALTY = "penalty", _("行政处罚")
    COERCION = "coercion", _("行政强制")
    FEE = "fee", _("行政事业性收费")
    FUNCTIONS = "functions", _("机构职能")
    PLANNING = "planning", _("规划计划")
    BUDGET = "budget", _("财政预决算")
    PERSONNEL = "personnel", _("人事信息")
    SERVICE = "service", _("公共服务")
    OTHER = "other", _("其他")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("待公开")
    PUBLISHED = "published", _("已公开")
    WITHDRAWN = "withdrawn", _("已撤回")


class AttachmentSide(models.TextChoices):
    """Who attached a file to a request."""

    APPLICANT = "applicant", _("申请人提交")
    ANSWER = "answer", _("答复文书")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    WINDOW = "window", _("当面申请")
    LETTER = "letter", _("信函申请")


class ApplicantKind(models.TextChoices):
    """The columns of table 三: 自然人, then 法人或其他组织 in five kinds."""

    NATURAL = "natural", _("自然人")
    COMMERCIAL = "commercial", _("商业企业")
    RESEARCH = "research", _("科研机构")
    WELFARE = "welfare", _("社会公益组织")
    LEGAL_SERVICE = "legal_service", _("法律服务机构")
    OTHER = "other", _("其他")


class RequestStatus(models.TextChoices):
    PROCESSING = "processing", _("办理中")
    CORRECTION = "correction", _("待申请人补正")
    CONSULTING = "consulting", _("征求意见中")
    FEE = "fee", _("待缴纳信息处理费")
    ANSWERED = "answered", _("已答复")
    WITHDRAWN = "withdrawn", _("已撤回")


# One transition table (conventions §5): from each status, the statuses an action may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.PROCESSING: frozenset(
        {
            RequestStatus.CORRECTION,
            RequestStatus.CONSULTING,
            RequestStatus.FEE,
            RequestStatus.ANSWERED,
            RequestStatus.WITHDRAWN,
        }
    ),
    RequestStatus.CORRECTION: frozenset({RequestStatus.PROCESSING, RequestStatus.ANSWERED, RequestStatus.WITHDRAWN}),
    RequestStatus.CONSULTING: frozenset({RequestStatus.PROCESSING, RequestStatus.WITHDRAWN}),
    RequestStatus.FEE: frozenset({RequestStatus.PROCESSING, RequestStatus.ANSWERED, RequestStatus.WITHDRAWN}),
    RequestStatus.ANSWERED: frozenset(),
    RequestStatus.WITHDRAWN: frozenset(),
}


class AnswerType(models.TextChoices):
    """DIS-2 (政府信息公开条例 第三十六条 and 第三十条、第三十五条、第三十八条、第三十九条)."""

    ALREADY_PUBLIC = "already_public", _("已主动公开")
    DISCLOSED = "disclosed", _("予以公开")
    PARTIAL = "partial", _("部分公开")
    WITHHELD = "withheld", _("不予公开")
    NOT_EXIST = "not_exist", _("信息不存在")
    NOT_OURS = "not_ours", _("非本机关负责公开")
    NEEDS_MAKING = "needs_making", _("没有现成信息需要另行制作")
    UNCLEAR = "unclear", _("补正后申请内容仍不明确")
    REPEAT = "repeat", _("重复申请")
    SPECIAL_LAW = "special_law", _("特殊法律规定（行政查询事项）")
    NOT_PROCESSED = "not_processed", _("不予处理")
    ABANDONED = "abandoned", _("逾期不补正视为放弃")
    FEE_UNPAID = "fee_unpaid", _("逾期未缴费视为放弃")
    OTHER = "other", _("其他处理")


class Ground(models.TextChoices):
    """The grounds of a withholding (不予公开, and the withheld part of 部分公开) and of 不予处理,
    each citing the article of the 条例 it rests on."""

    STATE_SECRET = "state_secret", _("属于国家秘密（第十四条）")
    LAW_PROHIBITS = "law_prohibits", _("其他法律行政法规禁止公开（第十四条）")
    SAFETY = "safety", _("危及“三安全一稳定”（第十四条）")
    THIRD_PARTY = "third_party", _("保护第三方合法权益（第十五条）")
    INTERNAL = "internal", _("属于三类内部事务信息（第十六条第一款）")
    PROCESS = "process", _("属于四类过程性信息（第十六条第二款）")
    ENFORCEMENT_FILE = "enforcement_file", _("属于行政执法案卷（第十六条第二款）")
    PETITION = "petition", _("信访举报投诉类申请（第三十九条第一款）")
    PUBLICATION = "publication", _("要求提供公开出版物（第三十九条第二款）")
    MASSIVE = "massive", _("无正当理由大量反复申请（第三十五条）")
    CONFIRM = "confirm", _("要求行政机关确认或重新出具已获取信息（第三十九条第二款）")


WITHHOLD_GROUNDS = (
    Ground.STATE_SECRET,
    Ground.LAW_PROHIBITS,
    Ground.SAFETY,
    Ground.THIRD_PARTY,
    Ground.INTERNAL,
    Ground.PROCESS,
    Ground.ENFORCEMENT_FILE,
)
NOT_PROCESSED_GROUNDS = (Ground.PETITION, Ground.PUBLICATION, Ground.MASSIVE, Ground.CONFIRM)

# DIS-2: which grounds each answer type needs (empty: none).
ANSWER_GROUNDS: dict[str, tuple[str, ...]] = {
    AnswerType.PARTIAL: WITHHOLD_GROUNDS,
    AnswerType.WITHHELD: WITHHOLD_GROUNDS,
    AnswerType.NOT_PROCESSED: NOT_PROCESSED_GROUNDS,
}

# The article each answer cites on its notice.
ANSWER_BASIS: dict[str, object] = {
    AnswerType.ALREADY_PUBLIC: _("《中华人民共和国政府信息公开条例》第三十六条第（一）项"),
    AnswerType.DISCLOSED: _("《中华人民共和国政府信息公开条例》第三十六条第（二）项"),
    AnswerType.PARTIAL: _("《中华人民共和国政府信息公开条例》第三十七条"),
    AnswerType.WITHHELD: _("《中华人民共和国政府信息公开条例》第三十六条第（三）项"),
    AnswerType.NOT_EXIST: _("《中华人民共和国政府信息公开条例》第三十六条第（四）项"),
    AnswerType.NOT_OURS: _("《中华人民共和国政府信息公开条例》第三十六条第（五）项"),
    AnswerType.NEEDS_MAKING: _("《中华人民共和国政府信息公开条例》第三十八条"),
    AnswerType.UNCLEAR: _("《中华人民共和国政府信息公开条例》第三十条"),
    AnswerType.REPEAT: _("《中华人民共和国政府信息公开条例》第三十六条第（六）项"),
    AnswerType.SPECIAL_LAW: _("《中华人民共和国政府信息公开条例》第三十六条第（七）项"),
    AnswerType.NOT_PROCESSED: _("《中华人民共和国政府信息公开条例》第三十五条、第三十九条"),
    AnswerType.ABANDONED: _("《中华人民共和国政府信息公开条例》第三十条"),
    AnswerType.FEE_UNPAID: _("《政府信息公开信息处理费管理办法》第十条"),
    AnswerType.OTHER: _("《中华人民共和国政府信息公开条例》"),
}


def report_row(answer_type: str, ground: str = "") -> str:
    """The row of table 三 (三、本年度办理结果) an answer is counted in (2021 national format).
    部分公开 counts only there, whatever its grounds; 已主动公开 counts as 予以公开 (the applicant is
    told where to get it); 信息不存在 and 非本机关 are both 本机关不掌握相关政府信息; 特殊法律规定 is
    属于行政查询事项; 重复申请 is 不予处理 2; a withdrawal is 其他处理 3."""
    if answer_type in (AnswerType.ALREADY_PUBLIC, AnswerType.DISCLOSED):
        return "1"
    if answer_type == AnswerType.PARTIAL:
        return "2"
    if answer_type == AnswerType.WITHHELD:
        return f"3.{WITHHOLD_GROUNDS.index(Ground(ground)) + 1}"
    if answer_type == AnswerType.SPECIAL_LAW:
        return "3.8"
    if answer_type in (AnswerType.NOT_EXIST, AnswerType.NOT_OURS):
        return "4.1"
    if answer_type == AnswerType.NEEDS_MAKING:
        return "4.2"
    if answer_type == AnswerType.UNCLEAR:
        return "4.3"
    if answer_type == AnswerType.NOT_PROCESSED:
        return {Ground.PETITION: "5.1", Ground.PUBLICATION: "5.3", Ground.MASSIVE: "5.4", Ground.CONFIRM: "5.5"}[
            Ground(ground)
        ]
    if answer_type == AnswerType.REPEAT:
        return "5.2"
    if answer_type == AnswerType.ABANDONED:
        return "6.1"
    if answer_type == AnswerType.FEE_UNPAID:
        return "6.2"
    return "6.3"


class ConsultationKind(models.TextChoices):
    """DIS-1: whom a request is consulted with (第三十二条 third party, 第三十三条 other agency)."""

    THIRD_PARTY = "third_party", _("征求第三方意见")
    CO_AGENCY = "co_agency", _("征求其他机关意见")


class ConsultationOpinion(models.TextChoices):
    AGREE = "agree", _("同意公开")
    DISAGREE = "disagree", _("不同意公开")
    DEEMED = "deemed", _("逾期未答复，视为同意")


class AppealKind(models.TextChoices):
    """Table 四: 行政复议, 行政诉讼（未经复议直接起诉 / 复议后起诉）."""

    RECONSIDERATION = "reconsideration", _("行政复议")
    LITIGATION = "litigation", _("行政诉讼（未经复议直接起诉）")
    LITIGATION_AFTER = "litigation_after", _("行政诉讼（复议后起诉）")


class AppealResult(models.TextChoices):
    UPHELD = "upheld", _("结果维持")
    CORRECTED = "corrected", _("结果纠正")
    OTHER = "other", _("其他结果")
    PENDING = "pending", _("尚未审结")
