"""Excel (and CSV) import and export of the catalog — the bulk registration departments do.

The template has the sheets items, legal_bases, materials, fees, special_procedures and steps,
plus a README sheet that explains every column in Chinese (docs/catalog-import.md). Child rows
refer to their item by 实施编码. Import is all-or-nothing per file: every problem is reported with
sheet, row, column and a Chinese message, and nothing is written unless there are none.
Re-importing the same file changes nothing: an item whose implementing code exists and whose
content is identical is left alone. Export → import gives an identical catalog.
"""

from __future__ import annotations

__all__ = [
    "SHEETS",
    "ImportFailed",
    "ImportReport",
    "MissingDepartment",
    "Problem",
    "catalog_export_bytes",
    "catalog_import",
    "template_bytes",
]

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from xiaoneng.core.trail import event_append, events_append_new_subjects
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department

from .bulkinsert import insert_rows
from .choices import EDITABLE_STATUSES, FROZEN_STATUSES, VersionStatus
from .models import Item, ItemVersion, Theme
from .permissions import can_edit
from .selectors import content_plain, version_content, version_contents
from .services import THEME_MAX, _delete_children, _scalars, item_edit, versions_publish, write_children
from .validation import (
    CONTENT_FIELDS,
    FEE_FIELDS,
    LEGAL_BASIS_FIELDS,
    MATERIAL_FIELDS,
    SPECIAL_FIELDS,
    Issue,
    Lookups,
    check_codes,
    check_content,
    credit_code_owners,
    normalize,
    parse_implementing_code,
    region_codes12,
)
from .xlsx import XlsxError, xlsx_sheets

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


class ImportFailed(Exception):
    """The file was not imported; `problems` lists every one found, `missing_departments` the
    departments the file names that the jurisdiction lacks (an administrator may create them)."""

    def __init__(self, problems: list[Problem], missing_departments: list[MissingDepartment] | None = None) -> None:
        self.problems = problems
        self.missing_departments = missing_departments or []
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    codes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------

Row = tuple[int, dict[str, Any]]  # (row number in the sheet, values by key)


def _header_map(sheet: str, header: Iterable[Any], problems: list[Problem]) -> dict[int, str]:
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


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _rows_from(sheet: str, rows: Iterable[tuple[int, list[Any]]], problems: list[Problem]) -> list[Row]:
    """Rows as (row number, values by column key). Row 1 holds the headers; blank rows are skipped."""
    out: list[Row] = []
    mapping: dict[int, str] | None = None
    for n, values in rows:
        if mapping is None:
            mapping = _header_map(sheet, values if n == 1 else [], problems)
            if n == 1:
                continue
        if all(_blank(v) for v in values):
            continue
        width = len(values)
        out.append((n, {key: values[i] if i < width else None for i, key in mapping.items()}))
    return out


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = data.decode("utf-8-sig")
    return enumerate(csv.reader(io.StringIO(text)), start=1)


def _read(data: bytes, filename: str) -> tuple[dict[str, list[Row]], list[Problem]]:
    problems: list[Problem] = []
    sheets: dict[str, list[Row]] = {}
    name = filename.lower()
    try:
        if name.endswith(".csv"):
            sheets["items"] = _rows_from("items", _csv_rows(data), problems)
        elif name.endswith(".zip"):
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile:
                return {}, [Problem(filename, None, "", _("无法读取该 ZIP 文件。"))]
            for member in archive.namelist():
                sheet = member.rsplit("/", 1)[-1].removesuffix(".csv")
                if sheet in SHEETS and member.endswith(".csv"):
                    sheets[sheet] = _rows_from(sheet, _csv_rows(archive.read(member)), problems)
        else:
            # openpyxl builds an object per cell even in read-only mode; xlsx_sheets reads the same
            # values several times faster (docs/performance.md, catalog import).
            for sheet, rows in xlsx_sheets(io.BytesIO(data), list(SHEETS)).items():
                sheets[sheet] = _rows_from(sheet, rows, problems)
    except UnicodeDecodeError:
        return {}, [Problem(filename, None, "", _("CSV 文件应为 UTF-8 编码。"))]
    except XlsxError:
        return {}, [Problem(filename, None, "", _("无法读取该文件，请上传 .xlsx、.zip（CSV）或 .csv 文件。"))]
    if "items" not in sheets:
        problems.append(Problem("items", None, "", _("文件中没有 items（事项）工作表。")))
    return sheets, problems


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


@dataclass
class _Pending:
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


@dataclass
class MissingDepartment:
    """A department the file names that the jurisdiction lacks, with what the file says about it.
    `credit_codes` are the codes of its rows' implementing codes, most used first; the department
    is created with the first (the others stay on the items, see Item.credit_code). `problem` says
    why it cannot be created from the file as it is (empty when it can)."""

    name: str
    region: str
    region_name: str = ""
    credit_codes: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    problem: str = ""

    @property
    def credit_code(self) -> str:
        return self.credit_codes[0] if self.credit_codes else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "region": self.region,
            "region_name": self.region_name,
            "credit_code": self.credit_code,
            "credit_codes": self.credit_codes,
            "rows": self.rows,
            "problem": self.problem,
        }


def _column_label(sheet: str, key: str) -> str:
    for k, label, _h in SHEETS[sheet]:
        if k == key:
            return str(label)
    return key


def _where(pending: _Pending, issue: Issue) -> Problem:
    path = issue.path
    if path and path[0] in LIST_SHEETS and len(path) >= 2 and isinstance(path[1], int):
        sheet, row = pending.origins.get((path[0], path[1]), ("items", pending.row))
        return Problem(sheet, row, _column_label(sheet, str(path[2])) if len(path) > 2 else "", issue.message)
    if path and path[0] == "stages":
        if len(path) >= 4:
            sheet, row = pending.origins.get(("stages", path[1], path[3]), ("steps", pending.row))
            return Problem(sheet, row, _column_label("steps", str(path[4])) if len(path) > 4 else "", issue.message)
        if len(path) >= 2:
            sheet, row = pending.origins.get(("stages", path[1], 0), ("steps", pending.row))
            col = {"name": "stage_name", "quorum": "quorum", "join_policy": "join_policy"}.get(
                str(path[2]) if len(path) > 2 else "", "stage_no"
            )
            return Problem(sheet, row, _column_label("steps", col), issue.message)
        return Problem(
            "steps",
            None,
            "",
            _("事项 %(code)s（items 第 %(row)d 行）：%(msg)s")
            % {"code": pending.code, "row": pending.row, "msg": issue.message},
        )
    key = str(path[0]) if path else ""
    if key in LIST_SHEETS:
        return Problem(
            key,
            None,
            "",
            _("事项 %(code)s（items 第 %(row)d 行）：%(msg)s")
            % {"code": pending.code, "row": pending.row, "msg": issue.message},
        )
    return Problem("items", pending.row, _column_label("items", key) if key else "", issue.message)


class _Departments:
    """Finds the department a row names: by full or short name within the row's region first
    (names are unique per region), then by name alone when only one department of the jurisdiction
    has it."""

    def __init__(self, lookups: Lookups) -> None:
        self.by_region: dict[tuple[str, str], Department] = {}
        self.by_name: dict[str, list[Department]] = {}
        for d in lookups.departments.values():
            for name in {d.name, d.short_name} - {""}:
                self.by_region.setdefault((name, d.region.code), d)
                self.by_name.setdefault(name, []).append(d)

    def find(self, name: str, region: str = "") -> tuple[Department | None, bool]:
        """(department, ambiguous): None and False when no department has the name."""
        found = self.by_region.get((name, region))
        if found is not None:
            return found, False
        candidates = self.by_name.get(name, [])
        if len(candidates) == 1:
            return candidates[0], False
        return None, len(candidates) > 1


def _parse(
    sheets: dict[str, list[Row]],
    *,
    tenant_id: int,
    department: Department | None,
    lookups: Lookups,
    problems: list[Problem],
) -> list[_Pending]:
    pending: dict[str, _Pending] = {}
    departments = _Departments(lookups)
    posts: dict[tuple[int, str], int] = {}
    for post in lookups.posts.values():
        posts.setdefault((post.department_id, post.name), post.pk)
    dept_col = _column_label("items", "department")
    for n, row in sheets.get("items", []):
        # Every problem of a row is reported in the same round: a row goes on to the content checks
        # whatever is wrong with its code or its department.
        code = _text(row.get("implementing_code"))
        if not code:
            problems.append(Problem("items", n, _column_label("items", "implementing_code"), _("请填写实施编码。")))
            code = f" row{n}"  # a key no cell gives (cells are stripped): the row's content is still checked
        elif code in pending:
            problems.append(
                Problem(
                    "items",
                    n,
                    _column_label("items", "implementing_code"),
                    _("实施编码 %(code)s 在第 %(row)d 行已出现。") % {"code": code, "row": pending[code].row},
                )
            )
            continue
        dept_name = _text(row.get("department"))
        region_code = _text(row.get("region"))
        dept = department
        missing: tuple[str, str] | None = None
        if dept_name:
            found, ambiguous = departments.find(dept_name, region_code)
            if found is None and ambiguous:
                problems.append(
                    Problem(
                        "items",
                        n,
                        dept_col,
                        _("本辖区有多个名为“%(name)s”的部门，请核对服务区划代码。") % {"name": dept_name},
                    )
                )
            elif found is None:
                missing = (dept_name, region_code)
                problems.append(
                    Problem(
                        "items",
                        n,
                        dept_col,
                        _("本辖区（区划 %(region)s）没有名为“%(name)s”的部门。")
                        % {"name": dept_name, "region": region_code or "—"},
                    )
                )
            elif department is not None and found.pk != department.pk:
                problems.append(
                    Problem(
                        "items",
                        n,
                        dept_col,
                        _("实施主体“%(name)s”与导入指定的部门“%(dept)s”不一致。")
                        % {"name": dept_name, "dept": department.name},
                    )
                )
            dept = found
        elif dept is None:
            problems.append(Problem("items", n, dept_col, _("请填写实施主体。")))
        raw = {k: _text(row.get(k)) for k in CONTENT_FIELDS}
        themes_text = _text(row.get("themes"))
        themes = [t.strip() for t in themes_text.replace("，", "、").replace(",", "、").split("、") if t.strip()]
        too_long = [t for t in themes if len(t) > THEME_MAX]
        if too_long:
            problems.append(
                Problem(
                    "items",
                    n,
                    _column_label("items", "themes"),
                    _("主题“%(name)s”超过 %(n)d 个字。") % {"name": too_long[0], "n": THEME_MAX},
                )
            )
        base_code = _text(row.get("base_code"))
        if not base_code and "-" in code:
            parts, _problems = parse_implementing_code(code)
            base_code = parts.base_code if parts else ""  # the national code carries the basic code
        p = _Pending(code=code, row=n, department=dept, base_code=base_code, raw=raw, themes=themes, missing=missing)
        for list_name in LIST_SHEETS:
            p.raw[list_name] = []
        p.raw["stages"] = []
        pending[code] = p

    listed = {_text(r.get("implementing_code")) for _n, r in sheets.get("items", [])}

    def owner(sheet: str, n: int, row: dict[str, Any]) -> _Pending | None:
        code = _text(row.get("implementing_code"))
        p = pending.get(code)
        if p is None and code:
            # the item row itself may have failed; report only codes that appear nowhere
            if code not in listed:
                problems.append(
                    Problem(sheet, n, str(CODE[1]), _("实施编码 %(code)s 在 items 工作表中不存在。") % {"code": code})
                )
        elif not code:
            problems.append(Problem(sheet, n, str(CODE[1]), _("请填写实施编码。")))
        return p

    for sheet, (list_name, fields) in LIST_SHEETS.items():
        for n, row in sheets.get(sheet, []):
            owned = owner(sheet, n, row)
            if owned is None:
                continue
            owned.origins[(list_name, len(owned.raw[list_name]))] = (sheet, n)
            owned.raw[list_name].append({k: _text(row.get(k)) for k in fields})

    for n, row in sheets.get("steps", []):
        step_owner = owner("steps", n, row)
        if step_owner is None:
            continue
        p = step_owner
        stage_no_text = _text(row.get("stage_no")) or "1"
        if not stage_no_text.isdigit() or int(stage_no_text) < 1:
            problems.append(Problem("steps", n, _column_label("steps", "stage_no"), _("阶段序号应为从 1 开始的整数。")))
            continue
        stage_no = int(stage_no_text)
        stages = p.raw["stages"]
        if stage_no > len(stages) + 1:
            problems.append(
                Problem(
                    "steps",
                    n,
                    _column_label("steps", "stage_no"),
                    _("阶段序号不连续：应先有第 %(n)d 阶段。") % {"n": len(stages) + 1},
                )
            )
            continue
        if stage_no == len(stages) + 1:
            stages.append(
                {
                    "name": _text(row.get("stage_name")),
                    "join_policy": _text(row.get("join_policy")),
                    "quorum": _text(row.get("quorum")),
                    "steps": [],
                }
            )
        stage = stages[stage_no - 1]
        step_dept_name = _text(row.get("department"))
        step_dept: Department | None = None
        step_path = ("stages", stage_no - 1, "steps", len(stage["steps"]))
        if step_dept_name:
            step_dept, ambiguous = departments.find(step_dept_name, p.raw.get("region", ""))
            if step_dept is None:
                problems.append(
                    Problem(
                        "steps",
                        n,
                        _column_label("steps", "department"),
                        _("本辖区有多个名为“%(name)s”的部门。") % {"name": step_dept_name}
                        if ambiguous
                        else _("本辖区没有名为“%(name)s”的部门。") % {"name": step_dept_name},
                    )
                )
                p.reported.add((*step_path, "department"))
        post_name = _text(row.get("post"))
        post_id = None
        acting = step_dept or p.department
        if post_name:
            post_id = posts.get((acting.pk, post_name)) if acting is not None else None
            if post_id is None:
                if acting is not None and not (step_dept_name and step_dept is None):
                    problems.append(
                        Problem(
                            "steps",
                            n,
                            _column_label("steps", "post"),
                            _("办理部门内没有名为“%(name)s”的岗位。") % {"name": post_name},
                        )
                    )
                p.reported.add((*step_path, "post"))
        p.origins[("stages", stage_no - 1, len(stage["steps"]))] = ("steps", n)
        stage["steps"].append(
            {
                "name": _text(row.get("name")),
                "department": step_dept.pk if step_dept else None,
                "post": post_id,
                "role": _text(row.get("role")),
                "limit_days": _text(row.get("limit_days")),
                "supervision_point": _text(row.get("supervision_point")),
                "applicant_rights": _text(row.get("applicant_rights")),
                "on_timeout": _text(row.get("on_timeout")),
            }
        )
    return list(pending.values())


def catalog_import(
    *,
    data: bytes,
    filename: str,
    actor: Any,
    department: Department | None = None,
    publish: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a catalog file. All-or-nothing: raises ImportFailed with every problem found, and
    writes nothing, unless the whole file is valid. `publish=True` (bulk registration by the
    administrator) publishes the imported versions directly; otherwise they are drafts that go
    through declare → review → publish (CAT-6). `actor=None` is the operator's command line."""
    if publish and actor is not None and not (actor.is_superuser or actor.role == Role.ADMIN):
        raise PermissionDenied(_("只有系统管理员可以在导入时直接公布事项。"))
    tenant_id = department.tenant_id if department is not None else getattr(actor, "tenant_id", None)
    if tenant_id is None:
        raise ImportFailed([Problem("items", None, "", _("请指定实施主体部门。"))])
    sheets, problems = _read(data, filename)
    if problems and not sheets:
        raise ImportFailed(problems)
    lookups = Lookups.load(tenant_id)
    pending = _parse(sheets, tenant_id=tenant_id, department=department, lookups=lookups, problems=problems)
    existing = _existing_items(tenant_id, [p.code for p in pending])
    codes = {p.code: parse_implementing_code(p.code)[0] for p in pending}
    owners = credit_code_owners(tenant_id, [parts.credit_code for parts in codes.values() if parts])
    regions12 = region_codes12(lookups)
    missing: dict[tuple[str, str], MissingDepartment] = {}
    first_user: dict[str, tuple[Any, str]] = {}  # credit code → (department key, name) of its first row
    allowed: dict[int, bool] = {}  # department → may the actor register items for it
    for p in pending:
        dept = p.department
        issues: list[Issue] = []
        if dept is None:
            # Unknown (or not given): the row is still checked in full against a stand-in, so one
            # round lists all its problems; an administrator may create the missing department.
            dept = Department(tenant_id=tenant_id, name=p.missing[0] if p.missing else "")
        elif actor is not None:
            if dept.pk not in allowed:
                allowed[dept.pk] = can_edit(actor, Item(department=dept, tenant_id=dept.tenant_id))
            if not allowed[dept.pk]:
                problems.append(
                    Problem(
                        "items",
                        p.row,
                        _column_label("items", "department"),
                        _("您无权为“%(dept)s”登记事项。") % {"dept": dept.name},
                    )
                )
        parts = codes.get(p.code)
        if not p.code.startswith(" "):
            issues += check_codes(
                department=dept,
                base_code=p.base_code,
                implementing_code=p.code,
                check_unique=False,
                regions12=regions12,
                credit_owners=owners,
            )
        if parts is not None:
            key: Any = dept.pk if dept.pk is not None else p.missing
            first = first_user.setdefault(parts.credit_code, (key, dept.name))
            if first[0] != key and parts.credit_code not in owners:
                issues.append(
                    Issue(
                        ("implementing_code",),
                        _("统一社会信用代码 %(code)s 在本文件中已用于“%(other)s”，不能同时用于“%(dept)s”。")
                        % {"code": parts.credit_code, "other": first[1], "dept": dept.name},
                    )
                )
        if p.missing is not None:
            entry = missing.setdefault(
                p.missing,
                MissingDepartment(
                    name=p.missing[0],
                    region=p.missing[1],
                    region_name=lookups.regions[p.missing[1]].name if p.missing[1] in lookups.regions else "",
                ),
            )
            entry.rows.append(p.row)
            if parts is not None:
                entry.credit_codes.append(parts.credit_code)
        current = existing.get(p.code)
        if current is not None:
            if current.department_id != dept.pk:
                issues.append(
                    Issue(
                        ("department",),
                        _("该实施编码已属于“%(dept)s”，不能改为其他部门。") % {"dept": current.department.name},
                    )
                )
            if current.base_code != p.base_code:
                issues.append(
                    Issue(
                        ("base_code",), _("该事项已登记的基本编码为 %(code)s，不能修改。") % {"code": current.base_code}
                    )
                )
        content, type_issues = normalize(p.raw)
        issues += type_issues + check_content(content, lookups=lookups, department=dept, for_declare=publish)
        problems += [_where(p, i) for i in issues if i.path not in p.reported]
        p.content = content
    missing_list = _missing_departments(missing, owners)
    if problems:
        problems.sort(key=lambda x: (list(SHEETS).index(x.sheet) if x.sheet in SHEETS else 99, x.row or 0))
        raise ImportFailed(problems, missing_list)
    return _write(pending, existing, actor=actor, publish=publish, lookups=lookups, progress=progress)


def _missing_departments(
    missing: dict[tuple[str, str], MissingDepartment], owners: dict[str, Department]
) -> list[MissingDepartment]:
    """The missing departments with their credit codes, most used first, and why one cannot be
    created from the file as it is."""
    out = []
    for entry in missing.values():
        counts = Counter(entry.credit_codes)
        entry.credit_codes = [code for code, _n in counts.most_common()]
        if not entry.region_name:
            entry.problem = _("区划代码“%(code)s”不在本辖区内。") % {"code": entry.region or "—"}
        elif not entry.credit_codes:
            entry.problem = _("文件中没有该部门有效的统一社会信用代码（取自实施编码）。")
        elif entry.credit_code in owners:
            entry.problem = _("统一社会信用代码 %(code)s 已属于“%(owner)s”。") % {
                "code": entry.credit_code,
                "owner": owners[entry.credit_code].name,
            }
        out.append(entry)
    return sorted(out, key=lambda e: e.rows[0])


# New items are written CHUNK at a time: one bulk INSERT per table per chunk, then a progress report.
CHUNK = 1000


def _existing_items(tenant_id: int, codes: list[str]) -> dict[str, Item]:
    """The jurisdiction's items with these implementing codes (one query per CHUNK codes)."""
    found: dict[str, Item] = {}
    for start in range(0, len(codes), CHUNK):
        for item in Item.objects.filter(
            tenant_id=tenant_id, implementing_code__in=codes[start : start + CHUNK]
        ).select_related("head__region", "department"):
            found[item.implementing_code] = item
    return found


@transaction.atomic
def _write(
    pending: list[_Pending],
    existing: dict[str, Item],
    *,
    actor: Any,
    publish: bool,
    lookups: Lookups,
    progress: Callable[[int, int], None] | None,
) -> ImportReport:
    report = ImportReport()
    new = [p for p in pending if p.code not in existing]
    total = len(pending)
    for start in range(0, len(new), CHUNK):
        _create(new[start : start + CHUNK], actor=actor, publish=publish, lookups=lookups, report=report)
        if progress:
            progress(report.created, total)
    # existing items: compare, then update the draft or start a new version
    done = len(new)
    old = [p for p in pending if p.code in existing]
    for start in range(0, len(old), CHUNK):
        part = old[start : start + CHUNK]
        items = [existing[p.code] for p in part]
        # the newest versions' content in five queries, not seven per item
        contents = version_contents([item.head for item in items if item.head is not None])
        themes = _theme_names([item.pk for item in items])
        to_publish = []
        for p, item in zip(part, items, strict=True):
            done += 1
            version = _update(
                p, item, contents, themes[item.pk], actor=actor, publish=publish, lookups=lookups, report=report
            )
            if version is not None:
                to_publish.append(version)
            if progress and done % 500 == 0:
                progress(done, total)
        _publish(to_publish, actor=actor, report=report)
    if progress:
        progress(total, total)
    return report


def _create(part: list[_Pending], *, actor: Any, publish: bool, lookups: Lookups, report: ImportReport) -> None:
    """New items with their first version: a bulk INSERT per table, ids wired in memory (bulk_create
    returns primary keys on PostgreSQL and SQLite ≥ 3.35), one import event per item."""
    status = VersionStatus.DRAFT
    departments = [_department(p) for p in part]
    item_ids = insert_rows(
        Item,
        [
            {
                "tenant_id": dept.tenant_id,
                "department_id": dept.pk,
                "base_code": p.base_code,
                "implementing_code": p.code,  # kept exactly as in the file
                "credit_code": _credit_code(p.code),
            }
            for p, dept in zip(part, departments, strict=True)
        ],
        returning=True,
    )
    # the subjects of the import events and theme links: only their ids and tenant are needed
    items = [Item(pk=pk, tenant_id=dept.tenant_id) for pk, dept in zip(item_ids, departments, strict=True)]
    version_ids = insert_rows(
        ItemVersion,
        [
            {
                "tenant_id": item.tenant_id,
                "item_id": item.pk,
                "number": 1,
                "status": status,
                **_scalar_columns(p.content or {}, lookups),
            }
            for item, p in zip(items, part, strict=True)
        ],
        returning=True,
    )
    write_children([(pk, p.content or {}) for pk, p in zip(version_ids, part, strict=True)])
    # Item.head points at the version just made: one UPDATE, not a CASE per row.
    first = ItemVersion.objects.filter(item_id=OuterRef("pk"), number=1).values("pk")[:1]
    Item.objects.filter(pk__in=[item.pk for item in items]).update(head_id=Subquery(first))
    _bulk_themes(list(zip(items, [p.themes for p in part], strict=True)))
    events_append_new_subjects(
        subjects=items,
        action="catalog.item_import",
        actor=actor,
        afters=[{"version": 1, "status": status.value, "file_row": p.row} for p in part],
    )
    report.created += len(items)
    report.codes += [p.code for p in part]
    if publish:
        _publish([ItemVersion(pk=pk) for pk in version_ids], actor=actor, report=report)


def _department(p: _Pending) -> Department:
    assert p.department is not None  # rows without a department never get past validation
    return p.department


def _credit_code(code: str) -> str:
    parts, _problems = parse_implementing_code(code)
    return parts.credit_code if parts else ""


def _publish(versions: list[ItemVersion], *, actor: Any, report: ImportReport) -> None:
    """Bulk registration (--publish): the one publish action, for the whole chunk at once, with the
    importing user (or the operator, None) as its actor; one catalog.version_publish event each."""
    if versions:
        versions_publish(actor=actor, versions=versions, registration=True, reason=_("批量登记导入"))
        report.published += len(versions)


def _scalar_columns(content: dict[str, Any], lookups: Lookups) -> dict[str, Any]:
    values = {name: content[name] for name in CONTENT_FIELDS if name != "region"}
    values["region_id"] = lookups.regions[content["region"]].pk
    return values


def _update(
    p: _Pending,
    item: Item,
    contents: dict[int, dict[str, Any]],
    theme_names: list[str],
    *,
    actor: Any,
    publish: bool,
    lookups: Lookups,
    report: ImportReport,
) -> ItemVersion | None:
    """An item already in the catalog: unchanged (nothing written), or its draft updated / a new
    draft. Returns the version to publish (with `publish`), which the caller publishes in a batch."""
    head = item.head
    assert head is not None and p.content is not None
    same_content = contents[head.pk] == content_plain(p.content)
    same_themes = sorted(theme_names) == sorted(set(p.themes))
    if same_content and same_themes and (not publish or head.status in FROZEN_STATUSES):
        report.unchanged += 1
        return None
    if not same_content:
        version = head if head.status in EDITABLE_STATUSES else item_edit(actor=actor, item=item)
        version = ItemVersion.objects.get(pk=version.pk)
        _delete_children(version)
        for name, value in _scalars(p.content, lookups).items():
            setattr(version, name, value)
        version.status = VersionStatus.DRAFT
        version.save()
        write_children([(version.pk, p.content)])
    else:
        version = head
    if not same_themes:
        _bulk_themes([(item, p.themes)], replace=True)
    event_append(
        subject=item,
        action="catalog.item_import",
        actor=actor,
        after={"version": version.number, "status": version.status, "file_row": p.row},
        tenant_id=item.tenant_id,
    )
    report.updated += 1
    report.codes.append(p.code)
    return version if publish and version.status not in FROZEN_STATUSES else None


def _bulk_themes(pairs: list[tuple[Item, list[str]]], replace: bool = False) -> None:
    names = sorted({n for _item, themes in pairs for n in themes})
    known = dict(Theme.objects.filter(name__in=names).values_list("name", "pk"))
    missing = [n for n in names if n not in known]
    if missing:
        insert_rows(Theme, [{"name": n} for n in missing])
        known = dict(Theme.objects.filter(name__in=names).values_list("name", "pk"))
    through = Item.themes.through
    if replace:
        through.objects.filter(item_id__in=[i.pk for i, _t in pairs]).delete()
    insert_rows(
        through, [{"item_id": item.pk, "theme_id": known[n]} for item, themes in pairs for n in sorted(set(themes))]
    )


def _theme_names(item_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {pk: [] for pk in item_ids}
    for item_id, name in Item.themes.through.objects.filter(item_id__in=item_ids).values_list("item_id", "theme__name"):
        names[item_id].append(name)
    return names


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


_PLAIN = {"name", "law", "article", "text", "instructions", "legal_basis", "basis", "note", "lower", "upper", "region"}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    return value


def _shown(key: str, value: Any, model: Any) -> Any:
    from .labels import value_label

    if key in _PLAIN or value is None or value == "" or (isinstance(value, int) and not isinstance(value, bool)):
        return _cell(value)
    return value_label(key, value, model)


def _sheet_rows(items: Iterable[Item]) -> dict[str, list[list[Any]]]:
    """Rows of every sheet for the items' newest versions, values as the template expects them."""
    from xiaoneng.orgs.models import Post

    from .models import Fee, LegalBasis, Material, SpecialProcedure, Stage, Step

    models = {"legal_bases": LegalBasis, "materials": Material, "fees": Fee, "special_procedures": SpecialProcedure}
    rows: dict[str, list[list[Any]]] = {s: [] for s in SHEETS}
    dept_names = dict(Department.objects.values_list("pk", "name"))
    post_names = dict(Post.objects.values_list("pk", "name"))
    for item in items:
        version = item.head
        if version is None:
            continue
        c = version_content(version)
        code = item.implementing_code
        values = {**c, "implementing_code": code, "base_code": item.base_code, "department": item.department.name}
        values["themes"] = "、".join(sorted(t.name for t in item.themes.all()))
        rows["items"].append(
            [
                _shown(key, values.get(key), ItemVersion) if key in CONTENT_FIELDS else _cell(values.get(key))
                for key, _l, _h in ITEM_COLUMNS
            ]
        )
        for sheet, (list_name, _fields) in LIST_SHEETS.items():
            for r in c[list_name]:
                rows[sheet].append(
                    [code] + [_shown(key, r.get(key), models[sheet]) for key, _l, _h in SHEETS[sheet][1:]]
                )
        for i, stage in enumerate(c["stages"], start=1):
            for st in stage["steps"]:
                rows["steps"].append(
                    [
                        code,
                        i,
                        stage["name"],
                        _shown("join_policy", stage["join_policy"], Stage),
                        _cell(stage["quorum"]),
                        st["name"],
                        dept_names.get(st["department"], "") if st["department"] else "",
                        post_names.get(st["post"], "") if st["post"] else "",
                        str(Role(st["role"]).label) if st["role"] in Role.values else st["role"],
                        _cell(st["limit_days"]),
                        st["supervision_point"],
                        st["applicant_rights"],
                        _shown("on_timeout", st["on_timeout"], Step),
                    ]
                )
    return rows


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _workbook(rows: dict[str, list[list[Any]]]) -> Workbook:
    wb = Workbook(write_only=False)
    readme = wb.active
    assert readme is not None
    readme.title = "README"
    readme.append([_("事项目录导入模板填写说明")])
    readme.append(
        [
            _(
                "每个工作表第一行为列名，请勿修改；子表通过“实施编码”关联到 items 工作表中的事项。整份文件全部校验通过才会导入。"  # noqa: E501 — a legal text reads best unbroken
            )
        ]
    )
    readme.append([])
    readme.append([_("工作表"), _("列名"), _("说明")])
    for sheet, columns in SHEETS.items():
        for _key, label, help_text in columns:
            readme.append([f"{sheet}（{SHEET_TITLES[sheet]}）", str(label), str(help_text)])
    readme.column_dimensions["A"].width = 26
    readme.column_dimensions["B"].width = 28
    readme.column_dimensions["C"].width = 100
    for sheet, columns in SHEETS.items():
        ws = wb.create_sheet(sheet)
        ws.append([str(label) for _k, label, _h in columns])
        for cell in ws[1]:
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
        for row in rows.get(sheet, []):
            ws.append(row)
        for idx in range(1, len(columns) + 1):
            ws.column_dimensions[ws.cell(1, idx).column_letter].width = 18
        ws.freeze_panes = "A2"
    return wb


def template_bytes() -> bytes:
    """The empty template with its README sheet."""
    buffer = io.BytesIO()
    _workbook({}).save(buffer)
    return buffer.getvalue()


def catalog_export_bytes(items: Iterable[Item]) -> bytes:
    """The items' newest versions as a workbook in the import template's layout."""
    qs = items
    if hasattr(items, "select_related"):
        qs = (
            items.select_related("head__region", "department")
            .prefetch_related(
                "themes", "head__legal_bases", "head__materials", "head__fees", "head__special_procedures"
            )
            .order_by("department__name", "implementing_code")
        )
    buffer = io.BytesIO()
    _workbook(_sheet_rows(qs)).save(buffer)
    return buffer.getvalue()
