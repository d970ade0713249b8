"""Export: the items' newest versions as a workbook in the import template's layout, and the
empty template with its README sheet. Export → import gives an identical catalog."""

from __future__ import annotations

__all__ = ["catalog_export_bytes", "template_bytes"]

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from xiaoneng.catalog.labels import value_label
from xiaoneng.catalog.models import Fee, Item, ItemVersion, LegalBasis, Material, SpecialProcedure, Stage, Step
from xiaoneng.catalog.selectors import version_content
from xiaoneng.catalog.spreadsheet.columns import ITEM_COLUMNS, LIST_SHEETS, SHEET_TITLES, SHEETS
from xiaoneng.catalog.validation import CONTENT_FIELDS
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, Post

_PLAIN = {"name", "law", "article", "text", "instructions", "legal_basis", "basis", "note", "lower", "upper", "region"}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    return value


def _shown(key: str, value: Any, model: Any) -> Any:
    if key in _PLAIN or value is None or value == "" or (isinstance(value, int) and not isinstance(value, bool)):
        return _cell(value)
    return value_label(key, value, model)


def _sheet_rows(items: Iterable[Item]) -> dict[str, list[list[Any]]]:
    """Rows of every sheet for the items' newest versions, values as the template expects them."""
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
    if readme is None:
        raise RuntimeError("invariant: readme is not None")
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
