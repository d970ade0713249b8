"""Import: read a catalog file, parse its rows into items and check them all.

The file is an .xlsx workbook, a zip of one CSV per sheet, or a single items CSV. Import is
all-or-nothing per file: every problem is reported with sheet, row, column and a Chinese message
(`ImportFailed`), and nothing is written unless there are none; then `write.write_catalog` writes.
"""

from __future__ import annotations

__all__ = ["ImportFailed", "MissingDepartment", "catalog_import"]

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from xiaoneng.catalog.models import FeeCatalogEntry, Item
from xiaoneng.catalog.permissions import can_edit, can_register
from xiaoneng.catalog.selectors import fee_catalog_issue, fee_catalog_snapshot
from xiaoneng.catalog.services import THEME_MAX
from xiaoneng.catalog.spreadsheet.columns import (
    CODE,
    LIST_SHEETS,
    SHEETS,
    PendingItem,
    Problem,
    Row,
    cell_text,
    column_label,
    header_map,
    is_blank,
)
from xiaoneng.catalog.spreadsheet.write import ImportReport, existing_items, write_catalog
from xiaoneng.catalog.validation import (
    CONTENT_FIELDS,
    Issue,
    Lookups,
    check_codes,
    check_content,
    credit_code_owners,
    normalize,
    parse_implementing_code,
    region_codes12,
)
from xiaoneng.catalog.xlsx import XlsxError, xlsx_sheets
from xiaoneng.core.actors import actor_required
from xiaoneng.orgs.models import Department


class ImportFailed(Exception):
    """The file was not imported; `problems` lists every one found, `missing_departments` the
    departments the file names that the jurisdiction lacks (an administrator may create them)."""

    def __init__(self, problems: list[Problem], missing_departments: list[MissingDepartment] | None = None) -> None:
        self.problems = problems
        self.missing_departments = missing_departments or []
        super().__init__("\n".join(str(p) for p in problems))


def _rows_from(sheet: str, rows: Iterable[tuple[int, list[Any]]], problems: list[Problem]) -> list[Row]:
    """Rows as (row number, values by column key). Row 1 holds the headers; blank rows are skipped."""
    out: list[Row] = []
    mapping: dict[int, str] | None = None
    for n, values in rows:
        if mapping is None:
            mapping = header_map(sheet, values if n == 1 else [], problems)
            if n == 1:
                continue
        if all(is_blank(v) for v in values):
            continue
        width = len(values)
        out.append((n, {key: values[i] if i < width else None for i, key in mapping.items()}))
    return out


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = data.decode("utf-8-sig")
    return enumerate(csv.reader(io.StringIO(text)), start=1)


def read_sheets(data: bytes, filename: str) -> tuple[dict[str, list[Row]], list[Problem]]:
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


def _where(pending: PendingItem, issue: Issue) -> Problem:
    path = issue.path
    if path and path[0] in LIST_SHEETS and len(path) >= 2 and isinstance(path[1], int):
        sheet, row = pending.origins.get((path[0], path[1]), ("items", pending.row))
        return Problem(sheet, row, column_label(sheet, str(path[2])) if len(path) > 2 else "", issue.message)
    if path and path[0] == "stages":
        if len(path) >= 4:
            sheet, row = pending.origins.get(("stages", path[1], path[3]), ("steps", pending.row))
            return Problem(sheet, row, column_label("steps", str(path[4])) if len(path) > 4 else "", issue.message)
        if len(path) >= 2:
            sheet, row = pending.origins.get(("stages", path[1], 0), ("steps", pending.row))
            col = {"name": "stage_name", "quorum": "quorum", "join_policy": "join_policy"}.get(
                str(path[2]) if len(path) > 2 else "", "stage_no"
            )
            return Problem(sheet, row, column_label("steps", col), issue.message)
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
    return Problem("items", pending.row, column_label("items", key) if key else "", issue.message)


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
) -> list[PendingItem]:
    pending: dict[str, PendingItem] = {}
    departments = _Departments(lookups)
    posts: dict[tuple[int, str], int] = {}
    for post in lookups.posts.values():
        posts.setdefault((post.department_id, post.name), post.pk)
    dept_col = column_label("items", "department")
    for n, row in sheets.get("items", []):
        # Every problem of a row is reported in the same round: a row goes on to the content checks
        # whatever is wrong with its code or its department.
        code = cell_text(row.get("implementing_code"))
        if not code:
            problems.append(Problem("items", n, column_label("items", "implementing_code"), _("请填写实施编码。")))
            code = f" row{n}"  # a key no cell gives (cells are stripped): the row's content is still checked
        elif code in pending:
            problems.append(
                Problem(
                    "items",
                    n,
                    column_label("items", "implementing_code"),
                    _("实施编码 %(code)s 在第 %(row)d 行已出现。") % {"code": code, "row": pending[code].row},
                )
            )
            continue
        dept_name = cell_text(row.get("department"))
        region_code = cell_text(row.get("region"))
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
        raw = {k: cell_text(row.get(k)) for k in CONTENT_FIELDS}
        themes_text = cell_text(row.get("themes"))
        themes = [t.strip() for t in themes_text.replace("，", "、").replace(",", "、").split("、") if t.strip()]
        too_long = [t for t in themes if len(t) > THEME_MAX]
        if too_long:
            problems.append(
                Problem(
                    "items",
                    n,
                    column_label("items", "themes"),
                    _("主题“%(name)s”超过 %(n)d 个字。") % {"name": too_long[0], "n": THEME_MAX},
                )
            )
        base_code = cell_text(row.get("base_code"))
        if not base_code and "-" in code:
            parts, _problems = parse_implementing_code(code)
            base_code = parts.base_code if parts else ""  # the national code carries the basic code
        p = PendingItem(code=code, row=n, department=dept, base_code=base_code, raw=raw, themes=themes, missing=missing)
        for list_name in LIST_SHEETS:
            p.raw[list_name] = []
        p.raw["stages"] = []
        pending[code] = p

    listed = {cell_text(r.get("implementing_code")) for _n, r in sheets.get("items", [])}

    def owner(sheet: str, n: int, row: dict[str, Any]) -> PendingItem | None:
        code = cell_text(row.get("implementing_code"))
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
            owned.raw[list_name].append({k: cell_text(row.get(k)) for k in fields})

    for n, row in sheets.get("steps", []):
        step_owner = owner("steps", n, row)
        if step_owner is None:
            continue
        p = step_owner
        stage_no_text = cell_text(row.get("stage_no")) or "1"
        if not stage_no_text.isdigit() or int(stage_no_text) < 1:
            problems.append(Problem("steps", n, column_label("steps", "stage_no"), _("阶段序号应为从 1 开始的整数。")))
            continue
        stage_no = int(stage_no_text)
        stages = p.raw["stages"]
        if stage_no > len(stages) + 1:
            problems.append(
                Problem(
                    "steps",
                    n,
                    column_label("steps", "stage_no"),
                    _("阶段序号不连续：应先有第 %(n)d 阶段。") % {"n": len(stages) + 1},
                )
            )
            continue
        if stage_no == len(stages) + 1:
            stages.append(
                {
                    "name": cell_text(row.get("stage_name")),
                    "join_policy": cell_text(row.get("join_policy")),
                    "quorum": cell_text(row.get("quorum")),
                    "steps": [],
                }
            )
        stage = stages[stage_no - 1]
        step_dept_name = cell_text(row.get("department"))
        step_dept: Department | None = None
        step_path = ("stages", stage_no - 1, "steps", len(stage["steps"]))
        if step_dept_name:
            step_dept, ambiguous = departments.find(step_dept_name, p.raw.get("region", ""))
            if step_dept is None:
                problems.append(
                    Problem(
                        "steps",
                        n,
                        column_label("steps", "department"),
                        _("本辖区有多个名为“%(name)s”的部门。") % {"name": step_dept_name}
                        if ambiguous
                        else _("本辖区没有名为“%(name)s”的部门。") % {"name": step_dept_name},
                    )
                )
                p.reported.add((*step_path, "department"))
        post_name = cell_text(row.get("post"))
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
                            column_label("steps", "post"),
                            _("办理部门内没有名为“%(name)s”的岗位。") % {"name": post_name},
                        )
                    )
                p.reported.add((*step_path, "post"))
        p.origins[("stages", stage_no - 1, len(stage["steps"]))] = ("steps", n)
        stage["steps"].append(
            {
                "name": cell_text(row.get("name")),
                "department": step_dept.pk if step_dept else None,
                "post": post_id,
                "role": cell_text(row.get("role")),
                "limit_days": cell_text(row.get("limit_days")),
                "supervision_point": cell_text(row.get("supervision_point")),
                "applicant_rights": cell_text(row.get("applicant_rights")),
                "on_timeout": cell_text(row.get("on_timeout")),
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
    through declare → review → publish (CAT-6). The operator's command line imports as the system
    actor (`xiaoneng.core.actors.SYSTEM`), which must then name the department."""
    actor_required(actor)
    if publish and not can_register(actor):
        raise PermissionDenied(_("只有系统管理员可以在导入时直接公布事项。"))
    tenant_id = department.tenant_id if department is not None else actor.tenant_id
    if tenant_id is None:
        raise ImportFailed([Problem("items", None, "", _("请指定实施主体部门。"))])
    sheets, problems = read_sheets(data, filename)
    if problems and not sheets:
        raise ImportFailed(problems)
    lookups = Lookups.load(tenant_id)
    pending = _parse(sheets, tenant_id=tenant_id, department=department, lookups=lookups, problems=problems)
    # CAT-FEE-1: the fee catalog in force today, read once for the whole file (None: never published)
    fee_entries = fee_catalog_snapshot(tenant_id)
    existing = existing_items(tenant_id, [p.code for p in pending])
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
        else:
            if dept.pk not in allowed:
                allowed[dept.pk] = can_edit(actor, Item(department=dept, tenant_id=dept.tenant_id))
            if not allowed[dept.pk]:
                problems.append(
                    Problem(
                        "items",
                        p.row,
                        column_label("items", "department"),
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
        if fee_entries is not None:
            issues += _fee_catalog_issues(content, fee_entries)
        problems += [_where(p, i) for i in issues if i.path not in p.reported]
        p.content = content
    missing_list = _missing_departments(missing, owners)
    if problems:
        problems.sort(key=lambda x: (list(SHEETS).index(x.sheet) if x.sheet in SHEETS else 99, x.row or 0))
        raise ImportFailed(problems, missing_list)
    return write_catalog(pending, existing, actor=actor, publish=publish, lookups=lookups, progress=progress)


def _fee_catalog_issues(content: dict[str, Any], entries: list[FeeCatalogEntry]) -> list[Issue]:
    """CAT-FEE-1: each fee of a row the published fee catalog in force does not cover — by name
    (收费项目) or by its range (the bound outside every entry of that name). A fee whose name or
    amounts are missing or invalid is already reported by check_content and not checked here."""
    out = []
    for i, fee in enumerate(content.get("fees") or []):
        name, lower, upper = fee.get("name") or "", fee.get("lower"), fee.get("upper")
        if not name or not isinstance(lower, Decimal) or not isinstance(upper, Decimal) or lower > upper:
            continue
        message = fee_catalog_issue(name, lower, upper, entries)
        if message is None:
            continue
        named = [e for e in entries if e.name == name.strip()]
        column = "name" if not named else "upper" if any(e.lower <= lower for e in named) else "lower"
        out.append(Issue(("fees", i, column), message))
    return out


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
