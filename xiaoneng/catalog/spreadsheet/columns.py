"""The import template's columns, and how a cell is read.

One list per sheet of (key, Chinese header, explanation): the README sheet of the template, the
header row of each sheet and the import's error messages all come from here. A header may be
given as its Chinese label or as its English key (docs/catalog-import.md). `cell_text` is the one
rule for turning a cell into text; `PendingItem` is an items row with its child rows, as parsed.
"""

from __future__ import annotations

__all__ = [
    "CODE",
    "ITEM_COLUMNS",
    "LIST_SHEETS",
    "SHEETS",
    "SHEET_TITLES",
    "STEP_COLUMNS",
    "PendingItem",
    "Problem",
    "Row",
    "cell_text",
    "column_label",
    "header_map",
    "is_blank",
]

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoneng.catalog.validation import FEE_FIELDS, LEGAL_BASIS_FIELDS, MATERIAL_FIELDS, SPECIAL_FIELDS
from xiaoneng.orgs.models import Department

L = gettext_lazy

# sheet → [(key, Chinese header, explanation)]
ITEM_COLUMNS = [
    (
        "implementing_code",
        L("实施编码"),
        L(
            "必填，按国家政务服务事项编码填写，如 511A0138000000-511602000000-000-115113010833722043-1-00："
            "基本编码-行政区划代码（12 位）-业务办理项（3 位）-实施主体统一社会信用代码（18 位）-1 位-2 位。"
            "原样保存，不作改动。"
        ),
    ),
    ("base_code", L("基本编码"), L("如 511A0138000000、511Z07001006 或 G-000007-001；不填则取自实施编码。")),
    (
        "department",
        L("实施主体"),
        L("部门全称或简称，按“服务区划代码”所在区划匹配；不填则使用导入时指定的部门。"),
    ),
    ("name", L("事项名称"), L("必填。")),
    (
        "item_type",
        L("事项类型"),
        L(
            "行政许可、行政处罚、行政强制、行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力、公共服务、行政备案、内部管理权；也可填代码 01…10、20。"  # noqa: E501 — a legal text reads best unbroken
        ),
    ),
    ("region", L("服务区划代码"), L("必填。6 位或 9 位行政区划代码，如 339100。")),
    ("gov_level", L("行使层级"), L("国家级、省级、市级、县级、乡级。")),
    ("statutory_limit", L("法定办结时限"), L("非负整数；无法定时限可不填。")),
    ("statutory_unit", L("法定时限单位"), L("工作日 或 自然日。")),
    ("statutory_note", L("法定时限说明"), L("")),
    ("committed_limit", L("承诺办结时限"), L("非负整数，0 表示当场办结。应比法定时限缩短三分之一以上。")),  # CAT-4
    ("committed_unit", L("承诺时限单位"), L("工作日 或 自然日，须与法定时限单位一致。")),
    ("committed_note", L("承诺时限说明"), L("")),
    ("committed_justification", L("承诺时限未压缩三分之一的理由"), L("承诺时限超过法定时限三分之二时必填。")),
    ("acceptance_conditions", L("受理条件"), L("")),
    ("quantity_limits", L("数量限制"), L("")),
    ("case_kind", L("办件类型"), L("即办件 或 承诺件。")),
    ("visits", L("到办事现场次数"), L("非负整数。")),
    ("place", L("办理地点"), L("")),
    ("hours", L("办理时间"), L("")),
    ("enquiry_channel", L("咨询方式"), L("")),
    ("complaint_channel", L("投诉渠道"), L("")),
    (
        "online_depth",
        L("网上办理深度"),
        L("线下办理、一级：网上咨询、二级：网上预审、三级：网上受理、四级：全程网办；或 0–4。"),
    ),
    ("result_type", L("办理结果类型"), L("证照、批准文书、证明文件、决定书、其他。")),
    ("result_name", L("办理结果名称"), L("")),
    ("is_public", L("是否公开"), L("是 或 否。")),
    ("non_public_reason", L("不予公开理由"), L("不公开时必填。")),  # CAT-6
    ("themes", L("主题"), L("多个主题用顿号“、”分隔。")),
]
CODE = ("implementing_code", L("实施编码"), L("必填。所属事项的实施编码。"))
LEGAL_BASIS_COLUMNS = [
    CODE,
    ("law", L("法律法规名称"), L("必填，如《中华人民共和国行政许可法》。")),
    ("article", L("条款"), L("如 第三十条。")),
    ("text", L("条款内容"), L("")),
]
MATERIAL_COLUMNS = [
    CODE,
    ("name", L("材料名称"), L("必填。")),
    ("kind", L("材料类型"), L("申请表格、身份证明、证照批文、技术资料、其他材料。")),
    ("form", L("材料形式"), L("原件、复印件、原件和复印件、电子材料。")),
    ("required", L("是否必需"), L("是 或 否。")),
    ("source", L("来源渠道"), L("申请人自备、政府部门核发（可共享获取）、中介或其他机构出具。")),
    ("copies", L("份数"), L("正整数。")),
    ("instructions", L("填报须知"), L("")),
    ("legal_basis", L("材料依据"), L("")),
]
FEE_COLUMNS = [
    CODE,
    ("name", L("收费项目"), L("必填。")),
    ("lower", L("收费标准下限（元）"), L("必填，按下限收取。")),  # CAT-7
    ("upper", L("收费标准上限（元）"), L("必填，不低于下限。")),
    ("basis", L("收费依据"), L("必填；没有依据的收费不予登记。")),  # CAT-7
    ("reducible", L("是否可减免"), L("是 或 否。")),
]
SPECIAL_COLUMNS = [
    CODE,
    ("kind", L("特别程序"), L("听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审、法律、法规规定的其他情形。")),
    ("max_days", L("最长时限（工作日）"), L("必填，正整数。")),
    ("note", L("说明"), L("")),
]
STEP_COLUMNS = [
    CODE,
    ("stage_no", L("阶段序号"), L("必填，从 1 开始；同一序号的多行为并联环节（会签）。")),
    ("stage_name", L("阶段名称"), L("同一阶段各行填写一致。")),
    ("join_policy", L("会签方式"), L("全部完成、任一完成、达到法定人数。")),
    ("quorum", L("法定人数"), L("会签方式为“达到法定人数”时必填。")),
    ("name", L("环节名称"), L("必填。")),
    ("department", L("办理部门"), L("部门全称或简称；不填为实施主体。并联环节须为不同部门。")),  # CAT-5
    ("post", L("岗位"), L("办理部门内的岗位名称；与“角色”至少填一项。")),  # CAT-5
    ("role", L("角色"), L("窗口工作人员、审核人员、部门负责人、法制办等。")),
    ("limit_days", L("时限（工作日）"), L("必填；关键路径合计不超过承诺时限。")),  # CAT-5
    ("supervision_point", L("监察点"), L("")),
    ("applicant_rights", L("申请人权利"), L("如 陈述、申辩、听证。")),
    ("on_timeout", L("超时处理"), L("超时默认同意、逐级督办、不作处理。")),
]
SHEETS: dict[str, list[tuple[str, Any, Any]]] = {
    "items": ITEM_COLUMNS,
    "legal_bases": LEGAL_BASIS_COLUMNS,
    "materials": MATERIAL_COLUMNS,
    "fees": FEE_COLUMNS,
    "special_procedures": SPECIAL_COLUMNS,
    "steps": STEP_COLUMNS,
}
SHEET_TITLES = {
    "items": L("事项"),
    "legal_bases": L("法律依据"),
    "materials": L("申请材料"),
    "fees": L("收费项目"),
    "special_procedures": L("特别程序"),
    "steps": L("办理流程环节"),
}
LIST_SHEETS = {
    "legal_bases": ("legal_bases", LEGAL_BASIS_FIELDS),
    "materials": ("materials", MATERIAL_FIELDS),
    "fees": ("fees", FEE_FIELDS),
    "special_procedures": ("special_procedures", SPECIAL_FIELDS),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, where it is (sheet, row, column header) and what, in Chinese."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = _("工作表 %(sheet)s") % {"sheet": self.sheet}
        if self.row:
            where += _(" 第 %(row)d 行") % {"row": self.row}
        if self.column:
            where += _("「%(col)s」列") % {"col": self.column}
        return f"{where}：{self.message}"


Row = tuple[int, dict[str, Any]]  # (row number in the sheet, values by key)


def header_map(sheet: str, header: Iterable[Any], problems: list[Problem]) -> dict[int, str]:
    known = {}
    for key, label, _help in SHEETS[sheet]:
        known[str(label)] = key
        known[key] = key
    if sheet == "steps":
        known.update({str(label): key for key, label, _h in STEP_COLUMNS})
    mapping = {}
    for i, cell in enumerate(header):
        text = str(cell).strip() if cell is not None else ""
        if text in known:
            mapping[i] = known[text]
    if "implementing_code" not in mapping.values():
        problems.append(Problem(sheet, 1, str(CODE[1]), _("缺少“实施编码”列。")))
    return mapping


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class PendingItem:
    """An items row with its child rows, as parsed: `raw` holds the cell texts by content field,
    `content` the normalized content once checked, `origins` the sheet and row each list entry came
    from (so a problem found in the content names its cell)."""

    code: str
    row: int
    department: Department | None  # None: not in the jurisdiction (see `missing`)
    base_code: str
    raw: dict[str, Any]
    themes: list[str]
    origins: dict[tuple[Any, ...], tuple[str, int]] = field(default_factory=dict)
    content: dict[str, Any] | None = None
    missing: tuple[str, str] | None = None  # (name, region code) of a department the file names
    # issue paths already reported by the parser (a step's unknown department or post): the content
    # check would only repeat them in other words
    reported: set[tuple[Any, ...]] = field(default_factory=set)


def column_label(sheet: str, key: str) -> str:
    for k, label, _h in SHEETS[sheet]:
        if k == key:
            return str(label)
    return key
