"""Uploaded materials: the limits checked before anything is written (one validator, core.uploads),
and storing the files of a case."""

from __future__ import annotations

__all__ = [
    "MAX_FILES",
    "files_store",
    "files_validate",
    "material_validate",
]

import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from xiaoneng.cases.models import Case, CaseMaterial
from xiaoneng.catalog.models import ItemVersion, Material
from xiaoneng.core.uploads import upload_check

# Uploads: the one validator and its limits live in core.uploads (shared with complaints).
MAX_FILES = 30


def material_validate(upload: UploadedFile[Any]) -> str:
    """Size and type limits; the content must match its extension. Returns the extension."""
    return upload_check(upload)


def files_validate(version: ItemVersion, files: Sequence[tuple[Material | None, UploadedFile[Any]]]) -> None:
    if len(files) > MAX_FILES:
        raise ValidationError(_("一次最多上传 %(n)d 个文件。") % {"n": MAX_FILES}, code="too_many")
    errors = []
    for material, upload in files:
        if material is not None and material.version_id != version.pk:
            errors.append(_("材料“%(name)s”不属于该事项。") % {"name": material.name})
            continue
        try:
            material_validate(upload)
        except ValidationError as e:
            errors.extend(e.messages)
    if errors:
        raise ValidationError(errors, code="files")


def files_store(
    case: Case, files: Sequence[tuple[Material | None, UploadedFile[Any]]], actor: Any, *, supplement: bool = False
) -> list[CaseMaterial]:
    rows = []
    for material, upload in files:
        ext = Path(upload.name or "").suffix.lower()
        row = CaseMaterial(
            case=case,
            material=material,
            name=material.name if material else Path(upload.name or "").stem[:200],
            original_name=(upload.name or "")[:200],
            size=upload.size or 0,
            content_type=getattr(upload, "content_type", "") or "application/octet-stream",
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            is_supplement=supplement,
        )
        row.file.save(f"c{case.pk}-{secrets.token_hex(8)}{ext}", upload, save=False)
        row.save()
        rows.append(row)
    return rows
