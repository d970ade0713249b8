"""Validation of an item's codes and of a version's content (CAT-4, CAT-5, CAT-7), with Chinese
messages tied to the field that is wrong. The same checks serve the services, the API and the Excel
import, whose report names the sheet, row and column of each problem.

Content is a plain dict (see `CONTENT_FIELDS` and `normalize`): scalar fields, then the lists
`legal_bases`, `materials`, `fees`, `special_procedures` and `stages` (each with `steps`). Regions
are referred to by code, departments and posts by primary key.
"""

from __future__ import annotations

__all__ = [
    "BASE_CODE_RE",
    "CONTENT_FIELDS",
    "IMPLEMENTING_CODE_EXAMPLE",
    "IMPLEMENTING_CODE_RE",
    "CodeParts",
    "Issue",
    "Lookups",
    "check_codes",
    "check_content",
    "credit_code_owners",
    "critical_path",
    "issues_to_error",
    "normalize",
    "parse_implementing_code",
    "region_codes12",
]

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from xiaoneng.catalog.choices import (
    SPECIAL_PROCEDURE_KINDS,
    CaseKind,
    GovLevel,
    ItemType,
    JoinPolicy,
    LimitUnit,
    MaterialForm,
    MaterialKind,
    MaterialSource,
    OnlineDepth,
    OnTimeout,
    ResultType,
)
from xiaoneng.catalog.models import Fee, Item, ItemVersion, LegalBasis, Material, SpecialProcedure, Stage, Step
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, Post, Region
from xiaoneng.orgs.validators import validate_credit_code

# 政务服务事项编码 (国务院办公厅 政务服务事项基本目录及实施清单; GB/T 39554.1-2020 编码要求). The shape
# is the one the provincial platforms publish, e.g. on 四川政务服务网:
#
#   511A0138000000-511602000000-000-115113010833722043-1-00
#   基本编码        行政区划代码  业务  实施主体统一社会信用代码 (18)  two trailing segments
#                  (12 digits)  办理项                                   (1 digit, 2 digits)
#                               (3)
#
# 基本编码: level/region digits and the item-type letter, then serials — 12 or 14 characters
# (511A0138000000, 511Z07001006, 512031152001), or a dashed national form (G-000007-001,
# A-005818-5818). Because the basic code may itself hold dashes, an implementing code is read from
# the right. The compact form this system used before (credit code 18 + basic code 12 + 3 digits,
# no dashes) is still read, so items registered with it stay valid.
BASE_CODE_RE = re.compile(r"^(?:[0-9A-Z]{4}\d{8}(?:\d{2})?|[A-Z]-\d{6}-\d{3,4})$")
IMPLEMENTING_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}\d{12}\d{3}$")  # the compact form
IMPLEMENTING_CODE_EXAMPLE = "511A0138000000-511602000000-000-115113010833722043-1-00"
_REGION12_RE = re.compile(r"^\d{12}$")
_BUSINESS_RE = re.compile(r"^\d{3}$")
_ORG_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{8}[0-9X]$")


@dataclass(frozen=True)
class CodeParts:
    """An implementing code read into its parts; `region` is empty for the compact form."""

    base_code: str
    region: str
    business: str
    credit_code: str


def _credit_code_problem(value: str) -> str | None:
    """Why `value` is not a unified social credit code (GB 32100-2015), or None."""

    if len(value) == 9 and _ORG_CODE_RE.match(value):
        return _(
            "“%(code)s”是 9 位组织机构代码；实施编码中应填写实施主体的 18 位统一社会信用代码"
            "（其第 9–17 位即组织机构代码）。"
        ) % {"code": value}
    try:
        validate_credit_code(value)
    except ValidationError as e:
        return _("实施主体统一社会信用代码“%(code)s”（%(n)d 位）无效：%(why)s") % {
            "code": value,
            "n": len(value),
            "why": " ".join(str(m) for m in e.messages),
        }
    return None


def parse_implementing_code(code: str) -> tuple[CodeParts | None, list[str]]:
    """Read an implementing code into its parts, or say what is wrong with it (every part at once).
    The code itself is never changed: it is stored as given."""
    code = code or ""
    if not code:
        return None, [_("请填写实施编码。")]
    if "-" not in code and IMPLEMENTING_CODE_RE.match(code):
        return CodeParts(base_code=code[18:30], region="", business=code[30:], credit_code=code[:18]), []
    shape = _(
        "实施编码应为“基本编码-行政区划代码（12 位）-业务办理项（3 位）-实施主体统一社会信用代码（18 位）-1 位-2 位”，"
        "如 %(example)s。"
    ) % {"example": IMPLEMENTING_CODE_EXAMPLE}
    parts = code.split("-")
    if len(parts) < 6 or not all(parts):
        return None, [shape + _("收到“%(code)s”。") % {"code": code}]
    base, region, business, credit, first, second = "-".join(parts[:-5]), *parts[-5:]
    problems = []
    if not BASE_CODE_RE.match(base):
        problems.append(_("实施编码中的基本编码“%(code)s”格式不正确。") % {"code": base} + _base_code_hint())
    if not _REGION12_RE.match(region):
        problems.append(_("实施编码中的行政区划代码应为 12 位数字，收到“%(code)s”。") % {"code": region})
    if not _BUSINESS_RE.match(business):
        problems.append(_("实施编码中的业务办理项应为 3 位数字，收到“%(code)s”。") % {"code": business})
    credit_problem = _credit_code_problem(credit)
    if credit_problem:
        problems.append(credit_problem)
    if not (re.fullmatch(r"\d", first) and re.fullmatch(r"\d{2}", second)):
        problems.append(shape + _("末两段应为 1 位和 2 位数字，收到“%(a)s-%(b)s”。") % {"a": first, "b": second})
    if problems:
        return None, problems
    return CodeParts(base_code=base, region=region, business=business, credit_code=credit), []


def _base_code_hint() -> str:
    return _("基本编码为 12 或 14 位（如 511A0138000000、511Z07001006），或形如 G-000007-001。")


Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    path: Path
    message: str

    @property
    def key(self) -> str:
        return ".".join(str(p) for p in self.path) or "__all__"


# name → (default, kind, choices)
CONTENT_FIELDS: dict[str, tuple[Any, str, Any]] = {
    "name": ("", "str", None),
    "item_type": ("", "choice", ItemType),
    "region": ("", "str", None),
    "gov_level": (GovLevel.CITY.value, "choice", GovLevel),
    "statutory_limit": (None, "int?", None),
    "statutory_unit": (LimitUnit.WORKING_DAYS.value, "choice", LimitUnit),
    "statutory_note": ("", "str", None),
    "committed_limit": (None, "int?", None),
    "committed_unit": (LimitUnit.WORKING_DAYS.value, "choice", LimitUnit),
    "committed_note": ("", "str", None),
    "committed_justification": ("", "str", None),
    "acceptance_conditions": ("", "str", None),
    "quantity_limits": ("", "str", None),
    "case_kind": (CaseKind.COMMITTED.value, "choice", CaseKind),
    "visits": (1, "int", None),
    "place": ("", "str", None),
    "hours": ("", "str", None),
    "enquiry_channel": ("", "str", None),
    "complaint_channel": ("", "str", None),
    "online_depth": (OnlineDepth.OFFLINE.value, "choice", OnlineDepth),
    "result_type": ("", "choice?", ResultType),
    "result_name": ("", "str", None),
    "is_public": (True, "bool", None),
    "non_public_reason": ("", "str", None),
}

LEGAL_BASIS_FIELDS: dict[str, tuple[Any, str, Any]] = {
    "law": ("", "str", None),
    "article": ("", "str", None),
    "text": ("", "str", None),
}
MATERIAL_FIELDS: dict[str, tuple[Any, str, Any]] = {
    "name": ("", "str", None),
    "kind": (MaterialKind.OTHER.value, "choice", MaterialKind),
    "form": (MaterialForm.ORIGINAL.value, "choice", MaterialForm),
    "required": (True, "bool", None),
    "source": (MaterialSource.APPLICANT.value, "choice", MaterialSource),
    "copies": (1, "int", None),
    "instructions": ("", "str", None),
    "legal_basis": ("", "str", None),
}
FEE_FIELDS: dict[str, tuple[Any, str, Any]] = {
    "name": ("", "str", None),
    "lower": (None, "decimal", None),
    "upper": (None, "decimal", None),
    "basis": ("", "str", None),
    "reducible": (False, "bool", None),
}
SPECIAL_FIELDS: dict[str, tuple[Any, str, Any]] = {
    "kind": ("", "choice", SPECIAL_PROCEDURE_KINDS),
    "max_days": (None, "int", None),
    "note": ("", "str", None),
}
STAGE_FIELDS: dict[str, tuple[Any, str, Any]] = {
    "name": ("", "str", None),
    "join_policy": (JoinPolicy.ALL.value, "choice", JoinPolicy),
    "quorum": (None, "int?", None),
}
STEP_FIELDS: dict[str, tuple[Any, str, Any]] = {
    "name": ("", "str", None),
    "department": (None, "int?", None),
    "post": (None, "int?", None),
    "role": ("", "choice?", Role),
    "limit_days": (None, "int?", None),
    "supervision_point": ("", "str", None),
    "applicant_rights": ("", "str", None),
    "on_timeout": (OnTimeout.ESCALATE.value, "choice", OnTimeout),
}
LISTS: dict[str, dict[str, tuple[Any, str, Any]]] = {
    "legal_bases": LEGAL_BASIS_FIELDS,
    "materials": MATERIAL_FIELDS,
    "fees": FEE_FIELDS,
    "special_procedures": SPECIAL_FIELDS,
}

_TRUE = {"true", "1", "yes", "y", "是", "需要", "必需", "必要", "公开", "可减免"}
_FALSE = {"false", "0", "no", "n", "否", "不需要", "非必需", "不公开", "不可减免", ""}


_CHOICE_CACHE: dict[tuple[int, str], tuple[dict[str, str], str]] = {}


def _choices(spec: Any, language: str) -> tuple[dict[str, str], str]:
    """Stored value and label → stored value, and the labels listed for an error message. A large
    import coerces hundreds of thousands of values: the translated labels are built once per
    language, and the first choice (in order) that has a text as value or label wins, as before."""
    key = (id(spec), language)
    cached = _CHOICE_CACHE.get(key)
    if cached is None:
        pairs = [(str(v), str(label)) for v, label in (spec.choices if hasattr(spec, "choices") else spec)]
        lookup: dict[str, str] = {}
        for stored, label in pairs:
            lookup.setdefault(stored, stored)
            lookup.setdefault(label, stored)
        cached = _CHOICE_CACHE[key] = (lookup, "、".join(label for _stored, label in pairs))
    return cached


def _coerce(value: Any, kind: str, spec: Any, default: Any, path: Path, issues: list[Issue], language: str) -> Any:
    """One value to its canonical type; choices accept the stored value or the Chinese label."""
    if value is None:
        return default
    if isinstance(value, str):
        text = value.strip()
        if not text and kind != "bool":
            return default
        if kind == "str":
            return text
        if text.isdecimal() and kind in ("int", "int?"):
            return int(text)  # the common case, same result as the Decimal route below
    if kind == "str":
        return str(value).strip()
    if kind in ("int", "int?"):
        if isinstance(value, bool):
            issues.append(Issue(path, _("应为整数。")))
            return default
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            issues.append(Issue(path, _("应为整数，收到“%(value)s”。") % {"value": value}))
            return default
        if not number.is_finite() or number != number.to_integral_value() or number < 0:
            issues.append(Issue(path, _("应为非负整数，收到“%(value)s”。") % {"value": value}))
            return default
        return int(number)
    if kind == "decimal":
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            issues.append(Issue(path, _("应为金额数字，收到“%(value)s”。") % {"value": value}))
            return default
        if not amount.is_finite():
            issues.append(Issue(path, _("应为金额数字，收到“%(value)s”。") % {"value": value}))
            return default
        return amount.quantize(Decimal("0.01"))
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False if text else default
        issues.append(Issue(path, _("应填“是”或“否”，收到“%(value)s”。") % {"value": value}))
        return default
    # choices
    text = str(value).strip()
    lookup, allowed = _choices(spec, language)
    stored = lookup.get(text)
    if stored is not None:
        return stored
    issues.append(Issue(path, _("取值“%(value)s”无效，可选：%(allowed)s。") % {"value": text, "allowed": allowed}))
    return default


def _normalize_row(
    raw: dict[str, Any],
    fields: dict[str, tuple[Any, str, Any]],
    prefix: Path,
    issues: list[Issue],
    language: str,
) -> dict[str, Any]:
    row = {}
    for name, (default, kind, spec) in fields.items():
        value = raw.get(name)
        if kind == "str" and type(value) is str:
            row[name] = value.strip()  # most values: no type to check, no path to build
        else:
            row[name] = _coerce(value, kind, spec, default, (*prefix, name), issues, language)
    return row


def normalize(raw: dict[str, Any]) -> tuple[dict[str, Any], list[Issue]]:
    """Coerce raw content (form, API or spreadsheet values) to canonical types. Returns the content
    and the type problems found (a bad value is replaced by its default so checks can go on)."""
    issues: list[Issue] = []
    language = get_language() or ""
    content = _normalize_row(raw, CONTENT_FIELDS, (), issues, language)
    for list_name, fields in LISTS.items():
        content[list_name] = [
            _normalize_row(row, fields, (list_name, i), issues, language)
            for i, row in enumerate(raw.get(list_name) or [])
        ]
    stages = []
    for i, raw_stage in enumerate(raw.get("stages") or []):
        stage = _normalize_row(raw_stage, STAGE_FIELDS, ("stages", i), issues, language)
        stage["steps"] = [
            _normalize_row(s, STEP_FIELDS, ("stages", i, "steps", j), issues, language)
            for j, s in enumerate(raw_stage.get("steps") or [])
        ]
        stages.append(stage)
    content["stages"] = stages
    return content, issues


@dataclass
class Lookups:
    """The regions, departments and posts of one jurisdiction, loaded once for many checks."""

    tenant_id: int
    regions: dict[str, Region] = field(default_factory=dict)
    departments: dict[int, Department] = field(default_factory=dict)
    posts: dict[int, Post] = field(default_factory=dict)

    @classmethod
    def load(cls, tenant_id: int) -> Lookups:
        return cls(
            tenant_id=tenant_id,
            regions={r.code: r for r in Region.objects.filter(tenant_id=tenant_id)},
            departments={d.pk: d for d in Department.objects.filter(tenant_id=tenant_id).select_related("region")},
            posts={p.pk: p for p in Post.objects.filter(tenant_id=tenant_id)},
        )


def region_codes12(lookups: Lookups) -> set[str]:
    """The jurisdiction's region codes in the 12-digit form implementing codes use (511602 →
    511602000000)."""
    return {code.ljust(12, "0") for code in lookups.regions}


def credit_code_owners(tenant_id: int, codes: Iterable[str]) -> dict[str, Department]:
    """Credit code → the department that already acts under it in the jurisdiction: its own code,
    or the code of an item registered for it (a department may act under several codes)."""
    codes = sorted({c for c in codes if c})
    owners: dict[str, Department] = {}
    for start in range(0, len(codes), 500):
        part = codes[start : start + 500]
        for d in Department.objects.filter(tenant_id=tenant_id, credit_code__in=part):
            owners[d.credit_code] = d

        for item in (
            Item.objects.filter(tenant_id=tenant_id, credit_code__in=part)
            .exclude(credit_code__in=list(owners))
            .select_related("department")
            .only("credit_code", "department")
        ):
            owners.setdefault(item.credit_code, item.department)
    return owners


def check_codes(
    *,
    department: Department,
    base_code: str,
    implementing_code: str,
    exclude_item_id: int | None = None,
    check_unique: bool = True,
    regions12: set[str] | None = None,
    credit_owners: dict[str, Department] | None = None,
) -> list[Issue]:
    """Codes are well-formed (national coding scheme, see parse_implementing_code), agree with each
    other, name a region of the jurisdiction, use a credit code no other department acts under, and
    the implementing code is unique in the jurisdiction. `regions12` and `credit_owners` are passed
    by the import (loaded once for the file); without them they are looked up here."""

    code_path, base_path = ("implementing_code",), ("base_code",)
    parts, problems = parse_implementing_code(implementing_code)
    issues = [Issue(code_path, m) for m in problems]
    if not base_code:
        issues.append(Issue(base_path, _("请填写基本编码。")))
    elif not BASE_CODE_RE.match(base_code):
        issues.append(Issue(base_path, _("基本编码“%(code)s”格式不正确。") % {"code": base_code} + _base_code_hint()))
    if parts is None:
        return issues
    if base_code and parts.base_code != base_code:
        issues.append(
            Issue(
                code_path,
                _("实施编码中的基本编码“%(a)s”与“基本编码”“%(b)s”不一致。") % {"a": parts.base_code, "b": base_code},
            )
        )
    if parts.region:
        if regions12 is None:
            regions12 = region_codes12(Lookups.load(department.tenant_id))
        if parts.region not in regions12:
            issues.append(
                Issue(code_path, _("实施编码中的行政区划代码 %(code)s 不在本辖区内。") % {"code": parts.region})
            )
    if credit_owners is None:
        credit_owners = credit_code_owners(department.tenant_id, [parts.credit_code])
    owner = credit_owners.get(parts.credit_code)
    if owner is not None and owner.pk != department.pk:
        issues.append(
            Issue(
                code_path,
                _("统一社会信用代码 %(code)s 属于“%(owner)s”，不能用于“%(dept)s”的事项。")
                % {"code": parts.credit_code, "owner": owner.name, "dept": department.name},
            )
        )
    if not check_unique:
        return issues
    taken = Item.objects.filter(tenant_id=department.tenant_id, implementing_code=implementing_code)
    if exclude_item_id is not None:
        taken = taken.exclude(pk=exclude_item_id)
    if taken.exists():
        issues.append(Issue(code_path, _("实施编码 %(code)s 在本辖区已被使用。") % {"code": implementing_code}))
    return issues


def critical_path(stages: list[dict[str, Any]]) -> int:
    """CAT-5: the sum over stages of the stage's duration — the longest step when every step (or a
    quorum) must finish, the shortest when any one suffices."""
    total = 0
    for stage in stages:
        limits = [s["limit_days"] for s in stage["steps"] if s.get("limit_days") is not None]
        if not limits:
            continue
        total += min(limits) if stage["join_policy"] == JoinPolicy.ANY else max(limits)
    return total


def check_content(
    content: dict[str, Any], *, lookups: Lookups, department: Department, for_declare: bool = False
) -> list[Issue]:
    """Every rule on a version's content. `for_declare` adds what a complete version needs."""
    issues: list[Issue] = []
    add = issues.append
    if not content["name"]:
        add(Issue(("name",), _("请填写事项名称。")))
    if not content["item_type"]:
        add(Issue(("item_type",), _("请选择事项类型。")))  # CAT-3
    if not content["region"]:
        add(Issue(("region",), _("请填写服务区划代码。")))
    elif content["region"] not in lookups.regions:
        add(Issue(("region",), _("服务区划代码“%(code)s”不在本辖区内。") % {"code": content["region"]}))
    if not content["is_public"] and not content["non_public_reason"]:
        # CAT-6: the non-public catalog lists each item with the reason it is not public.
        add(Issue(("non_public_reason",), _("不予公开的事项必须说明理由。")))  # CAT-6

    statutory, committed = content["statutory_limit"], content["committed_limit"]
    if statutory is not None and committed is not None:
        if content["statutory_unit"] != content["committed_unit"]:
            add(Issue(("committed_unit",), _("承诺时限与法定时限的计时单位应一致，才能比较压缩幅度。")))  # CAT-4
        elif committed > statutory:
            add(
                Issue(
                    ("committed_limit",),
                    _("承诺时限（%(c)d）不能超过法定时限（%(s)d）。") % {"c": committed, "s": statutory},
                )
            )
        elif committed * 3 > statutory * 2 and not content["committed_justification"]:
            # CAT-4: at least one third shorter than the statutory limit, or a recorded justification.
            add(
                Issue(
                    ("committed_limit",),
                    _(
                        "承诺时限（%(c)d）应比法定时限（%(s)d）缩短三分之一以上，即不超过 %(max)d；"
                        "否则请在“承诺时限未压缩三分之一的理由”中说明。"  # CAT-4
                    )
                    % {"c": committed, "s": statutory, "max": statutory * 2 // 3},
                )
            )
    # Applications (licensing, benefits, confirmations, services, filings) promise a limit; powers
    # exercised ex officio (penalty, inspection, internal management) may have none.
    applied_for = content["item_type"] in ("01", "04", "05", "07", "20", ItemType.FILING)
    if for_declare and applied_for and content["case_kind"] == CaseKind.COMMITTED and committed is None:
        add(Issue(("committed_limit",), _("承诺件必须填写承诺办结时限。")))

    for i, basis in enumerate(content["legal_bases"]):
        if not basis["law"]:
            add(Issue(("legal_bases", i, "law"), _("请填写法律法规名称。")))
    if for_declare and not content["legal_bases"]:
        add(Issue(("legal_bases",), _("至少填写一条法律依据。")))  # CAT-2
    for i, material in enumerate(content["materials"]):
        if not material["name"]:
            add(Issue(("materials", i, "name"), _("请填写材料名称。")))
        if material["copies"] < 1:
            add(Issue(("materials", i, "copies"), _("材料份数至少为 1。")))
    for i, fee in enumerate(content["fees"]):
        if not fee["name"]:
            add(Issue(("fees", i, "name"), _("请填写收费项目名称。")))
        if not fee["basis"]:
            # CAT-7: fees only as listed, each with its basis (行政许可法 第五十八条).
            add(
                Issue(
                    ("fees", i, "basis"),
                    _("收费项目“%(name)s”没有收费依据，不予收费。") % {"name": fee["name"]},  # CAT-7
                )
            )
        lower, upper = fee["lower"], fee["upper"]
        if lower is None:
            add(Issue(("fees", i, "lower"), _("请填写收费标准下限。")))
        if upper is None:
            add(Issue(("fees", i, "upper"), _("请填写收费标准上限。")))
        if lower is not None and lower < 0:
            add(Issue(("fees", i, "lower"), _("收费标准不能为负数。")))
        if lower is not None and upper is not None and lower > upper:
            add(
                Issue(
                    ("fees", i, "lower"),
                    _("收费标准下限（%(l)s）高于上限（%(u)s）。") % {"l": lower, "u": upper},  # CAT-7
                )
            )
    seen_kinds: set[str] = set()
    for i, sp in enumerate(content["special_procedures"]):
        if not sp["kind"]:
            add(Issue(("special_procedures", i, "kind"), _("请选择特别程序种类。")))
        elif sp["kind"] in seen_kinds:
            add(Issue(("special_procedures", i, "kind"), _("同一特别程序不能重复列出。")))
        seen_kinds.add(sp["kind"])
        if not sp["max_days"]:
            add(Issue(("special_procedures", i, "max_days"), _("请填写特别程序的最长时限（工作日）。")))

    issues.extend(_check_process(content, lookups=lookups, department=department, for_declare=for_declare))
    issues.extend(_check_sizes(content))
    return issues


# The largest values the columns hold (PostgreSQL refuses anything larger; SQLite would store it).
_INT_MAX = {"PositiveSmallIntegerField": 32767, "PositiveIntegerField": 2147483647}
_SIZES: dict[str, dict[str, tuple[str, int]]] = {}


def _sizes() -> dict[str, dict[str, tuple[str, int]]]:
    """Per content list ("" for the version's own fields): field → ("len", max_length) or
    ("max", largest value), read from the models once."""
    if not _SIZES:
        lists = {
            "": (ItemVersion, CONTENT_FIELDS),
            "legal_bases": (LegalBasis, LEGAL_BASIS_FIELDS),
            "materials": (Material, MATERIAL_FIELDS),
            "fees": (Fee, FEE_FIELDS),
            "special_procedures": (SpecialProcedure, SPECIAL_FIELDS),
            "stages": (Stage, STAGE_FIELDS),
            "steps": (Step, STEP_FIELDS),
        }
        for key, (model, fields) in lists.items():
            limits: dict[str, tuple[str, int]] = {}
            for name in fields:
                f = model._meta.get_field(name)
                if not isinstance(f, models.Field):
                    raise TypeError("invariant: a model field")
                kind = f.get_internal_type()
                if f.max_length and not f.is_relation and not f.choices:
                    limits[name] = ("len", f.max_length)
                elif kind in _INT_MAX:
                    limits[name] = ("max", _INT_MAX[kind])
                elif isinstance(f, models.DecimalField) and f.max_digits is not None:
                    limits[name] = ("max", 10 ** (f.max_digits - (f.decimal_places or 0)) - 1)
            _SIZES[key] = limits
    return _SIZES


def _check_sizes(content: dict[str, Any]) -> list[Issue]:
    """Texts within their column's length and numbers within its range, with the cell named."""
    issues: list[Issue] = []
    sizes = _sizes()

    def check(row: dict[str, Any], limits: dict[str, tuple[str, int]], path: Path) -> None:
        for name, (kind, limit) in limits.items():
            value = row.get(name)
            if kind == "len" and isinstance(value, str) and len(value) > limit:
                issues.append(
                    Issue(
                        (*path, name), _("不能超过 %(n)d 个字（现有 %(len)d 个）。") % {"n": limit, "len": len(value)}
                    )
                )
            elif kind == "max" and value is not None and not isinstance(value, str) and value > limit:
                issues.append(Issue((*path, name), _("数值过大，不能超过 %(n)d。") % {"n": limit}))

    check(content, sizes[""], ())
    for list_name in LISTS:
        for i, row in enumerate(content[list_name]):
            check(row, sizes[list_name], (list_name, i))
    for i, stage in enumerate(content["stages"]):
        check(stage, sizes["stages"], ("stages", i))
        for j, step in enumerate(stage["steps"]):
            check(step, sizes["steps"], ("stages", i, "steps", j))
    return issues


def _check_process(
    content: dict[str, Any], *, lookups: Lookups, department: Department, for_declare: bool
) -> list[Issue]:
    """CAT-5: every step names a post or role and a limit; parallel steps belong to different
    departments; the critical path of step limits fits within the committed limit."""
    issues: list[Issue] = []
    add = issues.append
    stages = content["stages"]
    if for_declare and content["item_type"] != ItemType.INTERNAL and not any(s["steps"] for s in stages):
        add(Issue(("stages",), _("请定义办理流程：至少一个阶段、一个环节。")))  # CAT-5
    for i, stage in enumerate(stages):
        if not stage["name"]:
            add(Issue(("stages", i, "name"), _("请填写阶段名称。")))
        steps = stage["steps"]
        if not steps:
            add(Issue(("stages", i, "steps"), _("阶段“%(name)s”没有环节。") % {"name": stage["name"]}))
        if stage["join_policy"] == JoinPolicy.QUORUM:
            if not stage["quorum"] or stage["quorum"] > len(steps):
                add(
                    Issue(
                        ("stages", i, "quorum"), _("法定人数应在 1 到本阶段环节数（%(n)d）之间。") % {"n": len(steps)}
                    )
                )
        elif stage["quorum"] is not None:
            add(Issue(("stages", i, "quorum"), _("只有按法定人数会签时才填写人数。")))
        departments_seen: dict[int, int] = {}
        for j, step in enumerate(steps):
            path: Path = ("stages", i, "steps", j)
            if not step["name"]:
                add(Issue((*path, "name"), _("请填写环节名称。")))
            if step["post"] is None and not step["role"]:
                add(Issue((*path, "post"), _("环节“%(name)s”未指定办理岗位或角色。") % {"name": step["name"]}))  # CAT-5
            if step["limit_days"] is None:
                add(Issue((*path, "limit_days"), _("环节“%(name)s”未设定办理时限。") % {"name": step["name"]}))  # CAT-5
            dept_id = step["department"]
            if dept_id is not None and dept_id not in lookups.departments:
                add(Issue((*path, "department"), _("办理部门不在本辖区内。")))
            if step["post"] is not None:
                post = lookups.posts.get(step["post"])
                if post is None:
                    add(Issue((*path, "post"), _("岗位不存在或不在本辖区内。")))
                elif post.department_id != (dept_id or department.pk):
                    add(Issue((*path, "post"), _("岗位“%(post)s”不属于该环节的办理部门。") % {"post": post.name}))
            if len(steps) > 1:
                # CAT-5: parallel steps (会签) belong to different departments.
                effective = dept_id or department.pk
                if effective in departments_seen:
                    add(
                        Issue(
                            (*path, "department"),
                            _("并联环节“%(name)s”与同阶段其他环节属于同一部门；并联会签须由不同部门办理。")  # CAT-5
                            % {"name": step["name"]},
                        )
                    )
                departments_seen[effective] = j
    committed = content["committed_limit"]
    if any(s["steps"] for s in stages):
        total = critical_path(stages)
        if committed is not None:
            if content["committed_unit"] != LimitUnit.WORKING_DAYS:
                add(Issue(("committed_unit",), _("定义了办理流程的事项，承诺时限应以工作日计。")))  # CAT-5
            elif total > committed:
                add(
                    Issue(
                        ("stages",),
                        _("各环节时限的关键路径合计 %(total)d 个工作日，超过承诺时限 %(c)d 个工作日。")  # CAT-5
                        % {"total": total, "c": committed},
                    )
                )
    return issues


def issues_to_error(issues: list[Issue]) -> ValidationError:
    errors: dict[str, list[str]] = {}
    for issue in issues:
        errors.setdefault(issue.key, []).append(issue.message)
    return ValidationError(errors)
