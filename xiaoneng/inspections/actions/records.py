"""Inspection records: an enterprise inspection (INS-3, INS-7) — and, from step 4, 明察暗访 /
交叉检查 / 自查自纠 with evidence and findings (INS-9)."""

from __future__ import annotations

__all__ = [
    "MAX_EVIDENCE",
    "MAX_FINDINGS",
    "act_evidence_add",
    "check_record",
    "evidence_add",
    "finding_add",
    "inspection_record",
    "store_evidence",
]

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.catalog.choices import ItemType
from xiaoneng.catalog.models import Item
from xiaoneng.core.actors import SYSTEM
from xiaoneng.core.trail import event_append
from xiaoneng.core.uploads import UPLOAD_SIGNATURES, Signature, upload_check
from xiaoneng.inspections.actions.filings import _transition, check_published_item
from xiaoneng.inspections.actions.inputs import check_credit_code, check_date, check_officials, check_text
from xiaoneng.inspections.choices import Exemption, FilingStatus, InspectionKind
from xiaoneng.inspections.models import (
    FirstViolationNotice,
    Inspection,
    InspectionEvidence,
    InspectionFiling,
    InspectionFinding,
    InspectionOfficial,
    PenaltyDecision,
)
from xiaoneng.inspections.permissions import can_record_for, may_check
from xiaoneng.orgs.models import Department, User
from xiaoneng.oversight.choices import VERIFIER_ROLES
from xiaoneng.oversight.services import rectification_open  # the Rectification spine (upward call)

MAX_FILES = 10
# 执法全过程记录 (audio recordings and body-camera video of the scene) besides the documents and
# photos every form takes; the content must still match the extension (upload_check). MP4 carries
# its mark at byte 4: the "ftyp" box that opens every ISO media file.
EVIDENCE_SIGNATURES: dict[str, tuple[Signature, ...]] = {
    **UPLOAD_SIGNATURES,
    ".mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    ".wav": (b"RIFF",),
    ".amr": (b"#!AMR",),
    ".mp4": ((4, b"ftyp"),),
}
# a few minutes of 执法记录仪 video at its usual 1080p bit rate; everything else keeps the common limit
EVIDENCE_MAX_BYTES_BY_TYPE = {".mp4": 200 * 1024 * 1024}
MAX_FINDINGS = 20
MAX_EVIDENCE = 50  # 执法全过程记录: files on one record in all


def evidence_check(upload: Any) -> str:
    """One evidence file: type, size and content (core.uploads.upload_check with the evidence types
    and the larger limit for video). Returns the extension."""
    return upload_check(upload, signatures=EVIDENCE_SIGNATURES, max_bytes_by_type=EVIDENCE_MAX_BYTES_BY_TYPE)


def check_files(files: Sequence[Any]) -> None:
    """Every file through evidence_check; all bad files reported at once."""
    if len(files) > MAX_FILES:
        raise ValidationError(_("一次最多上传%(n)d个文件。") % {"n": MAX_FILES}, code="too_many_files")
    errors: list[ValidationError] = []
    for f in files:
        try:
            evidence_check(f)
        except ValidationError as e:
            errors.append(e)
    if errors:
        raise ValidationError(errors)


def store_evidence(
    *, inspection: Inspection | None = None, files: Sequence[Any], actor: Any, parent: Any = None
) -> list[InspectionEvidence]:
    """Files kept as InspectionEvidence of an inspection or of `parent` (a notice or a penalty)."""
    stored = []
    for f in files:
        ev = InspectionEvidence(name=(f.name or "file")[-200:], uploaded_by=actor)
        if isinstance(parent, FirstViolationNotice):
            ev.notice = parent
        elif isinstance(parent, PenaltyDecision):
            ev.penalty = parent
        else:
            ev.inspection = inspection
        ev.file.save(f.name or "file", f, save=False)
        ev.save()
        stored.append(ev)
    return stored


def _is_filed(filing: InspectionFiling | None, *, credit_code: str, day: Any) -> bool:
    """INS-7: a filing approved on or before the inspection day, for the same enterprise."""
    return bool(
        filing is not None
        and filing.status in (FilingStatus.FILED, FilingStatus.DONE)
        and filing.decided_at is not None
        and timezone.localdate(filing.decided_at) <= day
        and filing.credit_code == credit_code
    )


def inspection_record(
    *,
    actor: Any,
    department: Department,
    inspected_on: Any,
    summary: str,
    officials: list[User],
    filing: InspectionFiling | None = None,
    item: Item | None = None,
    enterprise_name: str = "",
    credit_code: str = "",
    exemption: str = "",
    files: Sequence[Any] = (),
) -> Inspection:
    """Record an enterprise inspection that took place. With its filing, the enterprise and the item
    come from the filing. INS-3/INS-4: two officials with certificates valid on the day, or refused.
    INS-7: no approved prior filing and no statutory exemption → recorded and flagged `unfiled`."""
    if filing is not None:
        # fresh state: whether it was approved, and when, decides INS-7
        filing = InspectionFiling.objects.select_related("department", "item__published").get(pk=filing.pk)
        department = filing.department
    if not can_record_for(actor, department):
        raise PermissionDenied(_("只有本单位执法人员可以记录检查情况。"))
    day = check_date(inspected_on, label=_("检查日期"), latest=timezone.localdate())
    text = check_text(summary, label=_("检查情况"))
    if exemption not in Exemption.values:
        raise ValidationError(_("免予备案情形不正确。"), code="exemption")
    if filing is not None:
        if filing.department_id != department.pk:
            raise ValidationError(_("该备案不属于本单位。"), code="filing_department")
        item, name, code = filing.item, filing.enterprise_name, filing.credit_code
    else:
        name = check_text(enterprise_name, label=_("企业名称"), max_length=200)
        code = check_credit_code(credit_code)
    check_published_item(item, department=department, item_type=ItemType.INSPECTION)  # INS-2
    certs = check_officials(officials, day=day)  # INS-3, INS-4
    check_files(files)
    unfiled = not _is_filed(filing, credit_code=code, day=day) and not exemption
    with transaction.atomic():
        inspection = Inspection.objects.create(
            tenant_id=department.tenant_id,
            kind=InspectionKind.ENTERPRISE,
            department=department,
            filing=filing,
            item=item,
            enterprise_name=name,
            credit_code=code,
            inspected_on=day,
            exemption=exemption,
            summary=text,
            unfiled=unfiled,
            recorded_by=actor,
        )
        InspectionOfficial.objects.bulk_create(
            [InspectionOfficial(inspection=inspection, official_id=pk, certificate=c) for pk, c in certs.items()]
        )
        evidence = store_evidence(inspection=inspection, files=files, actor=actor)
        if filing is not None:
            f = InspectionFiling.objects.select_for_update(of=("self",)).get(pk=filing.pk)
            if f.status == FilingStatus.FILED:
                f.status = _transition(f, "inspect")
                f.save(update_fields=["status", "updated_at"])
                event_append(
                    subject=f,
                    action="inspection_filing.inspected",
                    actor=actor,
                    before={"status": FilingStatus.FILED},
                    after={"status": f.status, "inspection": inspection.pk},
                )
        event_append(
            subject=inspection,
            action="inspection.recorded",
            actor=actor,
            after={
                "kind": inspection.kind,
                "filing": filing.pk if filing else None,
                "credit_code": code,
                "inspected_on": day.isoformat(),
                "officials": sorted(certs),
                "unfiled": unfiled,
                "exemption": exemption,
                "evidence": [e.pk for e in evidence],
            },
            reason=text,
        )
    return inspection


def check_record(
    *,
    actor: Any,
    kind: str,
    department: Department,
    inspected_on: Any,
    summary: str,
    files: Sequence[Any] = (),
    findings: Sequence[str] = (),
) -> Inspection:
    """INS-9: record a 明察暗访, 交叉检查 or 自查自纠 of `department` with evidence; each finding opens a
    Rectification for the department."""
    if kind not in (InspectionKind.UNANNOUNCED, InspectionKind.CROSS, InspectionKind.SELF):
        raise ValidationError(_("检查类型不正确。"), code="kind")
    if not may_check(actor, kind, department):
        raise PermissionDenied(_("您不能记录该单位的这类检查。"))
    day = check_date(inspected_on, label=_("检查日期"), latest=timezone.localdate())
    text = check_text(summary, label=_("检查情况"))
    problems = [check_text(f, label=_("发现问题"), max_length=1000) for f in findings if str(f or "").strip()]
    if len(problems) > MAX_FINDINGS:
        raise ValidationError(_("一次最多记录%(n)d个问题。") % {"n": MAX_FINDINGS}, code="too_many_findings")
    check_files(files)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            tenant_id=department.tenant_id,
            kind=kind,
            department=department,
            inspected_on=day,
            summary=text,
            recorded_by=actor,
        )
        evidence = store_evidence(inspection=inspection, files=files, actor=actor)
        event_append(
            subject=inspection,
            action="inspection.recorded",
            actor=actor,
            after={"kind": kind, "inspected_on": day.isoformat(), "evidence": [e.pk for e in evidence]},
            reason=text,
        )
        for problem in problems:
            _finding(actor=actor, inspection=inspection, text=problem)
    return inspection


def _finding(*, actor: Any, inspection: Inspection, text: str) -> InspectionFinding:

    finding = InspectionFinding.objects.create(
        inspection=inspection, text=text, department=inspection.department, created_by=actor
    )
    # Department staff may not open rectifications by hand (oversight: office and leaders only); a
    # finding of their own inspection opens it as the system would, and the finding's event names them.
    # a department's own finding: its rectification is opened by the system on the record's behalf
    opener = actor if (actor.is_superuser or actor.role in VERIFIER_ROLES) else SYSTEM
    rect = rectification_open(
        department=inspection.department,
        title=_("%(kind)s发现问题：%(text)s") % {"kind": inspection.get_kind_display(), "text": text[:60]},
        problem=text,
        source=finding,
        actor=opener,
    )
    finding.rectification = rect
    finding.save(update_fields=["rectification", "updated_at"])
    event_append(
        subject=inspection,
        action="inspection.finding_added",
        actor=actor,
        after={"finding": finding.pk, "rectification": rect.pk},
        reason=text,
    )
    return finding


def finding_add(*, actor: Any, inspection: Inspection, text: str) -> InspectionFinding:
    """INS-9: a problem found by an inspection (of any kind) opens one Rectification for the
    department whose record it is — for an enterprise inspection, the inspecting department, which
    follows the enterprise's rectification up."""
    if not may_check(actor, inspection.kind, inspection.department):
        raise PermissionDenied(_("您不能为该检查记录问题。"))
    problem = check_text(text, label=_("发现问题"), max_length=1000)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update(of=("self",)).select_related("department").get(pk=inspection.pk)
        if locked.findings.count() >= MAX_FINDINGS:
            raise ValidationError(_("一次最多记录%(n)d个问题。") % {"n": MAX_FINDINGS}, code="too_many_findings")
        return _finding(actor=actor, inspection=locked, text=problem)


def evidence_add(*, actor: Any, inspection: Inspection, files: Sequence[Any]) -> list[InspectionEvidence]:
    """执法全过程记录: photos, audio/video and documents added to an inspection record after it was
    recorded, by those who may record it (INS-9 may_check). Every file passes core.uploads.upload_check
    (all bad files reported at once); at most MAX_EVIDENCE per record. One event names the files."""
    if not may_check(actor, inspection.kind, inspection.department):
        raise PermissionDenied(_("您不能为该检查记录上传材料。"))
    if not files:
        raise ValidationError(_("请选择要上传的文件。"), code="no_files")
    check_files(files)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update(of=("self",)).get(pk=inspection.pk)
        if locked.evidence.count() + len(files) > MAX_EVIDENCE:
            raise ValidationError(
                _("每条检查记录最多%(n)d个佐证材料。") % {"n": MAX_EVIDENCE}, code="too_many_evidence"
            )
        stored = store_evidence(inspection=locked, files=files, actor=actor)
        event_append(
            subject=locked,
            action="inspection.evidence_added",
            actor=actor,
            after={"evidence": [e.pk for e in stored], "names": [e.name for e in stored]},
        )
    return stored


def act_evidence_add(
    *, actor: Any, act: FirstViolationNotice | PenaltyDecision, files: Sequence[Any]
) -> list[InspectionEvidence]:
    """执法全过程记录 of a first-violation notice (首违告诫书) or a penalty decision, by those who may
    record for its department (can_record_for). Every file through core.uploads.upload_check (all bad
    files reported at once); at most MAX_EVIDENCE per act; one event names the files."""
    if not can_record_for(actor, act.department):
        raise PermissionDenied(_("您不能为该执法文书上传材料。"))
    if not files:
        raise ValidationError(_("请选择要上传的文件。"), code="no_files")
    check_files(files)
    model = type(act)
    with transaction.atomic():
        locked = model.objects.select_for_update(of=("self",)).get(pk=act.pk)
        if locked.evidence.count() + len(files) > MAX_EVIDENCE:
            raise ValidationError(
                _("每份执法文书最多%(n)d个佐证材料。") % {"n": MAX_EVIDENCE}, code="too_many_evidence"
            )
        stored = store_evidence(parent=locked, files=files, actor=actor)
        prefix = "first_violation_notice" if isinstance(locked, FirstViolationNotice) else "penalty"
        event_append(
            subject=locked,
            action=f"{prefix}.evidence_added",
            actor=actor,
            after={"evidence": [e.pk for e in stored], "names": [e.name for e in stored]},
        )
    return stored
