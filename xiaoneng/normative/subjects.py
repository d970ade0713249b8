"""What normative documents' clocks are about, for supervision's alerts and late lists (core.links
registry). Installed by `NormativeConfig.ready()` on import: the legality review clock (NOR-1) and the
filing clock (NOR-5) name the document and link to its staff page for those who may open it."""

from __future__ import annotations

__all__ = ["describe_document"]

from typing import Any

from django.utils.translation import gettext_lazy as _

from xiaoneng.core.links import Subject, clock_group_set, subject_describer_set, subject_link
from xiaoneng.normative.models import NormativeDocument
from xiaoneng.normative.permissions import access_document_by_id, is_staff_user


def describe_document(user: Any, document: NormativeDocument) -> Subject:
    staff = bool(getattr(user, "is_authenticated", False) and is_staff_user(user))
    return {
        "kind": str(NormativeDocument._meta.verbose_name),
        "label": f"{document.number} {document.title}".strip(),
        "url": subject_link(user, access_document_by_id, document.pk, "normative:document", allowed=staff),
    }


subject_describer_set("normative.normativedocument", describe_document)
clock_group_set("normative", _("规范性文件"), "normative", order=70)
