"""Chinese labels for content paths and values: error reports, the diff and the import report
speak the user's language, not field names."""

from __future__ import annotations

__all__ = ["LIST_LABELS", "action_label", "field_label", "path_label", "value_label"]

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from xiaoneng.catalog.models import Fee, ItemVersion, LegalBasis, Material, SpecialProcedure, Stage, Step

LIST_LABELS = {
    "legal_bases": _("法律依据"),
    "materials": _("申请材料"),
    "fees": _("收费项目"),
    "special_procedures": _("特别程序"),
    "stages": _("办理流程"),
    "steps": _("环节"),
}
_MODELS = {
    "legal_bases": LegalBasis,
    "materials": Material,
    "fees": Fee,
    "special_procedures": SpecialProcedure,
    "stages": Stage,
    "steps": Step,
}
_EXTRA = {
    "base_code": _("基本编码"),
    "implementing_code": _("实施编码"),
    "department": _("办理部门"),
    "post": _("岗位或角色"),
    "comment": _("审核意见"),
    "reason": _("理由"),
    "themes": _("主题"),
    "__all__": _("事项"),
}


def field_label(name: str, model: Any = ItemVersion) -> str:
    if model is ItemVersion and name in _EXTRA:
        return str(_EXTRA[name])
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return str(_EXTRA.get(name, name))


def path_label(key: str) -> str:
    """'fees.0.basis' → '收费项目 第1行 · 收费依据'."""
    parts = key.split(".")
    out: list[str] = []
    model: Any = ItemVersion
    i = 0
    while i < len(parts):
        part = parts[i]
        if part in LIST_LABELS:
            label = str(LIST_LABELS[part])
            model = _MODELS[part]
            if i + 1 < len(parts) and parts[i + 1].isdigit():
                noun = _("第%(n)s阶段") if part == "stages" else _("第%(n)s行") if part != "steps" else _("第%(n)s个")
                label += " " + str(noun) % {"n": int(parts[i + 1]) + 1}
                i += 1
            out.append(label)
        else:
            out.append(field_label(part, model))
        i += 1
    return " · ".join(out)


def value_label(name: str, value: Any, model: Any = ItemVersion) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("是")) if value else str(_("否"))
    try:
        f = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    return str(value)


ACTION_LABELS = {
    "catalog.item_create": _("登记事项"),
    "catalog.item_import": _("导入"),
    "catalog.version_create": _("新建草稿版本"),
    "catalog.version_update": _("修改内容"),
    "catalog.version_declare": _("申报"),
    "catalog.version_publish": _("公布"),
    "catalog.item_retire": _("废止"),
    "catalog.material_file": _("上传材料文件"),
}


def action_label(action: str, after: Any) -> str:
    """An event's action in words for the item's trail (留痕记录): 申报, 审核通过, 退回修改 …"""
    if action == "catalog.version_review":
        approved = isinstance(after, dict) and after.get("approved")
        return str(_("审核通过")) if approved else str(_("退回修改"))
    return str(ACTION_LABELS.get(action, action))
