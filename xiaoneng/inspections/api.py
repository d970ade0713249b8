"""Inspections API: the same scoping and permissions as the workbench pages (conventions §3)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status, UploadedFile

from xiaoneng.catalog.models import Item
from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.throttle import ApiThrottle
from xiaoneng.inspections.actions.filings import filing_approve, filing_refuse, filing_submit
from xiaoneng.inspections.actions.first_violations import first_violation_notice_close, first_violation_notice_issue
from xiaoneng.inspections.actions.penalties import penalty_decide
from xiaoneng.inspections.actions.records import act_evidence_add, evidence_add, finding_add
from xiaoneng.inspections.models import (
    DiscretionTier,
    EnforcementCertificate,
    FirstViolationEntry,
    FirstViolationNotice,
    Inspection,
    InspectionEvidence,
    InspectionFiling,
    PenaltyDecision,
)
from xiaoneng.inspections.permissions import (
    EVIDENCE_FIELDS,
    access_filing_by_id,
    access_inspection_by_id,
    access_notice_by_id,
    access_penalty_by_id,
    evidence_access,
    is_department_user,
    is_staff_user,
)
from xiaoneng.inspections.selectors import (
    baselines_public,
    certificates_for,
    filing_verify,
    filings_for,
    first_violation_entries_public,
    inspections_for,
    notices_for,
    penalties_for,
    unfiled_inspections,
)
from xiaoneng.inspections.views import filing_document, notice_document, penalty_document
from xiaoneng.orgs.models import User
from xiaoneng.workdays.due import clock_due_date

router = Router(tags=["inspections"])

LIST_CAP = 500


def _staff(request: AuthedRequest) -> None:
    if not is_staff_user(request.user):
        raise PermissionDenied


class FilingOut(Schema):
    id: int
    number: str
    status: str
    department_id: int
    department: str
    item_id: int
    item: str
    enterprise_name: str
    credit_code: str
    planned_date: date
    purpose: str
    officials: list[str]
    due_date: date | None
    created_at: datetime


class FilingIn(Schema):
    item_id: int
    enterprise_name: str = Field(max_length=200)
    credit_code: str = Field(max_length=18)
    planned_date: date
    purpose: str = Field(max_length=2000)
    official_ids: list[int] = Field(max_length=20)


class InspectionNoteIn(Schema):
    note: str = Field("", max_length=2000)


class InspectionReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class InspectionOut(Schema):
    id: int
    kind: str
    department_id: int
    department: str
    filing_number: str | None
    enterprise_name: str
    credit_code: str
    inspected_on: date
    exemption: str
    unfiled: bool
    summary: str


class CertificateOut(Schema):
    id: int
    number: str
    holder_id: int
    holder: str
    department_id: int
    scope_text: str
    valid_from: date
    valid_to: date
    revoked: bool


class PublicOfficialOut(Schema):
    name: str
    certificate: str
    valid_to: date
    valid_on_planned_date: bool


class VerifyOut(Schema):
    number: str
    status: str
    status_label: str
    department: str
    item: str
    planned_date: date
    enterprise_name: str
    officials: list[PublicOfficialOut]


def _filing_out(f: InspectionFiling) -> FilingOut:
    return FilingOut(
        id=f.pk,
        number=f.number,
        status=f.status,
        department_id=f.department_id,
        department=f.department.name,
        item_id=f.item_id,
        item=f.item_version.name,
        enterprise_name=f.enterprise_name,
        credit_code=f.credit_code,
        planned_date=f.planned_date,
        purpose=f.purpose,
        officials=[fo.certificate.number for fo in f.officials.select_related("certificate")],
        due_date=clock_due_date(f.clock),
        created_at=f.created_at,
    )


def _inspection_out(i: Inspection) -> InspectionOut:
    return InspectionOut(
        id=i.pk,
        kind=i.kind,
        department_id=i.department_id,
        department=i.department.name,
        filing_number=i.filing.number if i.filing else None,
        enterprise_name=i.enterprise_name,
        credit_code=i.credit_code,
        inspected_on=i.inspected_on,
        exemption=i.exemption,
        unfiled=i.unfiled,
        summary=i.summary,
    )


def _cert_out(c: EnforcementCertificate) -> CertificateOut:
    return CertificateOut(
        id=c.pk,
        number=c.number,
        holder_id=c.holder_id,
        holder=c.holder.display_name or c.holder.username,
        department_id=c.department_id,
        scope_text=c.scope_text,
        valid_from=c.valid_from,
        valid_to=c.valid_to,
        revoked=c.revoked_at is not None,
    )


@router.get("/filings", response=list[FilingOut], summary="Enterprise inspection filings in the user's scope")
def list_filings(request: AuthedRequest, status: str = "") -> list[FilingOut]:
    _staff(request)
    qs = filings_for(request.user)
    if status:
        qs = qs.filter(status=status[:10])
    return [_filing_out(f) for f in qs[:LIST_CAP]]


@router.get("/filings/{pk}", response=FilingOut)
def get_filing(request: AuthedRequest, pk: int) -> FilingOut:
    _staff(request)
    return _filing_out(access_filing_by_id(request.user, pk))


@router.get("/filings/{pk}/pdf", summary="The filing receipt as PDF (INS-1, INS-6)")
def get_filing_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    return filing_document(request.user, pk)


@router.get("/notices/{pk}/pdf", summary="The first-violation notice as PDF (INS-8)")
def get_notice_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    return notice_document(request.user, pk)


@router.get("/penalties/{pk}/pdf", summary="The penalty decision as PDF (INS-10)")
def get_penalty_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    return penalty_document(request.user, pk)


@router.post("/filings", response={201: FilingOut}, summary="File an enterprise inspection (INS-1)")
def create_filing(request: AuthedRequest, payload: FilingIn) -> Status[Any]:
    if not is_department_user(request.user):
        raise PermissionDenied
    department = request.user.department
    if department is None:
        raise RuntimeError("invariant: department is not None")
    item = Item.objects.filter(pk=payload.item_id, department=department).select_related("published").first()
    officials = list(User.objects.filter(pk__in=payload.official_ids, department=department))
    if len(officials) != len(set(payload.official_ids)):
        raise ValidationError(_("检查人员必须是本单位的执法人员。"))
    filing = filing_submit(
        actor=request.user,
        department=department,
        item=item,
        enterprise_name=payload.enterprise_name,
        credit_code=payload.credit_code,
        planned_date=payload.planned_date,
        purpose=payload.purpose,
        officials=officials,
    )
    return Status(201, _filing_out(access_filing_by_id(request.user, filing.pk)))


@router.post("/filings/{pk}/approve", response=FilingOut, summary="The department head approves a filing")
def approve_filing(request: AuthedRequest, pk: int, payload: InspectionNoteIn) -> FilingOut:
    _staff(request)
    filing_approve(actor=request.user, filing=access_filing_by_id(request.user, pk), note=payload.note)
    return _filing_out(access_filing_by_id(request.user, pk))


@router.post("/filings/{pk}/refuse", response=FilingOut, summary="The department head refuses a filing")
def refuse_filing(request: AuthedRequest, pk: int, payload: InspectionReasonIn) -> FilingOut:
    _staff(request)
    filing_refuse(actor=request.user, filing=access_filing_by_id(request.user, pk), reason=payload.reason)
    return _filing_out(access_filing_by_id(request.user, pk))


@router.get("/records", response=list[InspectionOut], summary="Inspection records in the user's scope")
def list_inspections(request: AuthedRequest, kind: str = "", unfiled: bool = False) -> list[InspectionOut]:
    _staff(request)
    qs = unfiled_inspections(request.user) if unfiled else inspections_for(request.user)
    if kind:
        qs = qs.filter(kind=kind[:12])
    return [_inspection_out(i) for i in qs[:LIST_CAP]]


@router.get("/records/{pk}", response=InspectionOut)
def get_inspection(request: AuthedRequest, pk: int) -> InspectionOut:
    _staff(request)
    return _inspection_out(access_inspection_by_id(request.user, pk))


class EvidenceOut(Schema):
    id: int
    name: str
    size: int | None
    uploaded_by: str
    created_at: datetime
    url: str


def _evidence_out(e: InspectionEvidence) -> EvidenceOut:
    try:
        size: int | None = e.file.size
    except OSError:
        size = None
    return EvidenceOut(
        id=e.pk,
        name=e.name,
        size=size,
        uploaded_by=e.uploaded_by.display_name or e.uploaded_by.username,
        created_at=e.created_at,
        url=f"/api/inspections/evidence/{e.pk}/file",
    )


@router.get("/records/{pk}/evidence", response=list[EvidenceOut], summary="执法全过程记录: files of a record")
def list_evidence(request: AuthedRequest, pk: int) -> list[EvidenceOut]:
    _staff(request)
    inspection = access_inspection_by_id(request.user, pk)
    return [_evidence_out(e) for e in inspection.evidence.select_related("uploaded_by")[:LIST_CAP]]


@router.post(
    "/records/{pk}/evidence", response={201: list[EvidenceOut]}, summary="执法全过程记录: add files to a record"
)
def add_evidence(request: AuthedRequest, pk: int, files: File[list[UploadedFile]]) -> Status[Any]:
    _staff(request)
    inspection = access_inspection_by_id(request.user, pk)
    stored = evidence_add(actor=request.user, inspection=inspection, files=files)
    return Status(201, [_evidence_out(e) for e in stored])


@router.get("/evidence/{pk}/file", summary="Download one file of a record (in the user's scope)")
def get_evidence_file(request: AuthedRequest, pk: int) -> FileResponse:
    _staff(request)
    ev = get_object_or_404(InspectionEvidence.objects.only(*EVIDENCE_FIELDS), pk=pk)
    evidence_access(request.user, ev)  # 404 outside the user's scope
    return FileResponse(ev.file.open("rb"), as_attachment=True, filename=ev.name)


@router.get("/notices/{pk}/evidence", response=list[EvidenceOut], summary="执法全过程记录: files of a notice")
def list_notice_evidence(request: AuthedRequest, pk: int) -> list[EvidenceOut]:
    _staff(request)
    notice = access_notice_by_id(request.user, pk)
    return [_evidence_out(e) for e in notice.evidence.select_related("uploaded_by")[:LIST_CAP]]


@router.post(
    "/notices/{pk}/evidence",
    response={201: list[EvidenceOut]},
    summary="执法全过程记录: add files to a notice",
)
def add_notice_evidence(request: AuthedRequest, pk: int, files: File[list[UploadedFile]]) -> Status[Any]:
    _staff(request)
    notice = access_notice_by_id(request.user, pk)
    stored = act_evidence_add(actor=request.user, act=notice, files=files)
    return Status(201, [_evidence_out(e) for e in stored])


@router.get("/penalties/{pk}/evidence", response=list[EvidenceOut], summary="执法全过程记录: files of a penalty")
def list_penalty_evidence(request: AuthedRequest, pk: int) -> list[EvidenceOut]:
    _staff(request)
    penalty = access_penalty_by_id(request.user, pk)
    return [_evidence_out(e) for e in penalty.evidence.select_related("uploaded_by")[:LIST_CAP]]


@router.post(
    "/penalties/{pk}/evidence", response={201: list[EvidenceOut]}, summary="执法全过程记录: add files to a penalty"
)
def add_penalty_evidence(request: AuthedRequest, pk: int, files: File[list[UploadedFile]]) -> Status[Any]:
    _staff(request)
    penalty = access_penalty_by_id(request.user, pk)
    stored = act_evidence_add(actor=request.user, act=penalty, files=files)
    return Status(201, [_evidence_out(e) for e in stored])


@router.get("/certificates", response=list[CertificateOut], summary="Enforcement certificates in the user's scope")
def list_certificates(request: AuthedRequest) -> list[CertificateOut]:
    _staff(request)
    return [_cert_out(c) for c in certificates_for(request.user)[:LIST_CAP]]


@router.get(
    "/verify",
    response={200: VerifyOut, 404: dict},
    auth=None,
    throttle=ApiThrottle("track"),
    summary="Public: an enterprise verifies a filing by number and its credit code (INS-6)",
)
def verify_filing(request: HttpRequest, number: str, credit_code: str) -> Status[Any]:
    found = filing_verify(number, credit_code)
    if found is None:
        return Status(404, {"detail": _("没有找到该备案：请核对备案编号和本企业的统一社会信用代码。")})
    return Status(
        200,
        VerifyOut(
            number=found.number,
            status=found.status,
            status_label=found.status_label,
            department=found.department,
            item=found.item,
            planned_date=found.planned_date,
            enterprise_name=found.enterprise_name,
            officials=[PublicOfficialOut(**o.__dict__) for o in found.officials],
        ),
    )


# --- 首违不罚 (INS-8) -------------------------------------------------------------------------


class EntryOut(Schema):
    id: int
    item_id: int
    item_name: str
    circumstance: str
    rectify_days: int
    department: str


class InspectionNoticeOut(Schema):
    id: int
    number: str
    entry_id: int
    item_name: str
    department_id: int
    enterprise_name: str
    credit_code: str
    facts: str
    issued_on: date
    status: str
    due_date: date | None


class NoticeIn(Schema):
    entry_id: int
    enterprise_name: str = Field(max_length=200)
    credit_code: str = Field(max_length=18)
    facts: str = Field(max_length=2000)
    official_ids: list[int] = Field(max_length=20)
    inspection_id: int | None = None


class InspectionCloseIn(Schema):
    rectified: bool
    note: str = Field("", max_length=2000)


def _entry_out(e: FirstViolationEntry) -> EntryOut:
    return EntryOut(
        id=e.pk,
        item_id=e.item_id,
        item_name=e.item_name,
        circumstance=e.circumstance,
        rectify_days=e.rectify_days,
        department=e.department.name,
    )


def _notice_out(n: FirstViolationNotice) -> InspectionNoticeOut:
    return InspectionNoticeOut(
        id=n.pk,
        number=n.number,
        entry_id=n.entry_id,
        item_name=n.entry.item_name,
        department_id=n.department_id,
        enterprise_name=n.enterprise_name,
        credit_code=n.credit_code,
        facts=n.facts,
        issued_on=n.issued_on,
        status=n.status,
        due_date=clock_due_date(n.clock),
    )


@router.get("/first-violation-list", response=list[EntryOut], auth=None, summary="Public: the 首违不罚 list (INS-8)")
def first_violation_list(request: HttpRequest) -> list[EntryOut]:
    return [_entry_out(e) for e in first_violation_entries_public()[:LIST_CAP]]


@router.get("/notices", response=list[InspectionNoticeOut], summary="First-violation notices in the user's scope")
def list_notices(request: AuthedRequest) -> list[InspectionNoticeOut]:
    _staff(request)
    return [_notice_out(n) for n in notices_for(request.user)[:LIST_CAP]]


@router.get("/notices/{pk}", response=InspectionNoticeOut)
def get_notice(request: AuthedRequest, pk: int) -> InspectionNoticeOut:
    _staff(request)
    return _notice_out(access_notice_by_id(request.user, pk))


@router.post("/notices", response={201: InspectionNoticeOut}, summary="Issue a first-violation warning (INS-8)")
def create_notice(request: AuthedRequest, payload: NoticeIn) -> Status[Any]:
    if not is_department_user(request.user):
        raise PermissionDenied
    department = request.user.department
    entry = FirstViolationEntry.objects.filter(pk=payload.entry_id, department=department).first()
    officials = list(User.objects.filter(pk__in=payload.official_ids, department=department))
    if len(officials) != len(set(payload.official_ids)):
        raise ValidationError(_("执法人员必须是本单位的工作人员。"))
    inspection = None
    if payload.inspection_id is not None:
        inspection = inspections_for(request.user).filter(pk=payload.inspection_id).first()
        if inspection is None:
            raise ValidationError(_("检查记录不存在。"))
    notice = first_violation_notice_issue(
        actor=request.user,
        entry=entry,
        enterprise_name=payload.enterprise_name,
        credit_code=payload.credit_code,
        facts=payload.facts,
        officials=officials,
        inspection=inspection,
    )
    return Status(201, _notice_out(access_notice_by_id(request.user, notice.pk)))


@router.post("/notices/{pk}/close", response=InspectionNoticeOut, summary="Close a notice after re-inspection")
def close_notice(request: AuthedRequest, pk: int, payload: InspectionCloseIn) -> InspectionNoticeOut:
    _staff(request)
    notice = access_notice_by_id(request.user, pk)
    first_violation_notice_close(actor=request.user, notice=notice, rectified=payload.rectified, note=payload.note)
    return _notice_out(access_notice_by_id(request.user, pk))


# --- 明察暗访 / 交叉检查 / 自查自纠 and findings (INS-9) -----------------------------------------


class FindingIn(Schema):
    text: str = Field(max_length=1000)


class FindingOut(Schema):
    id: int
    text: str
    department_id: int
    rectification_id: int | None


@router.post("/records/{pk}/findings", response={201: FindingOut}, summary="A finding opens a rectification (INS-9)")
def add_finding(request: AuthedRequest, pk: int, payload: FindingIn) -> Status[Any]:
    _staff(request)
    finding = finding_add(actor=request.user, inspection=access_inspection_by_id(request.user, pk), text=payload.text)
    return Status(
        201,
        FindingOut(
            id=finding.pk,
            text=finding.text,
            department_id=finding.department_id,
            rectification_id=finding.rectification_id,
        ),
    )


# --- 自由裁量基准 and penalties (INS-10) -------------------------------------------------------


class TierOut(Schema):
    id: int
    tier: str
    circumstance: str
    fine_min: Decimal
    fine_max: Decimal


class BaselineOut(Schema):
    id: int
    item_id: int
    item_name: str
    department: str
    basis: str
    tiers: list[TierOut]


class PenaltyIn(Schema):
    tier_id: int
    enterprise_name: str = Field(max_length=200)
    credit_code: str = Field(max_length=18)
    facts: str = Field(max_length=2000)
    amount: str = Field(max_length=20)
    official_ids: list[int] = Field(max_length=20)
    notice_id: int | None = None


class PenaltyOut(Schema):
    id: int
    number: str
    tier: str
    item_name: str
    enterprise_name: str
    credit_code: str
    amount: Decimal
    decided_on: date


def _penalty_out(p: PenaltyDecision) -> PenaltyOut:
    return PenaltyOut(
        id=p.pk,
        number=p.number,
        tier=p.tier.tier,
        item_name=p.tier.baseline.item_name,
        enterprise_name=p.enterprise_name,
        credit_code=p.credit_code,
        amount=p.amount,
        decided_on=p.decided_on,
    )


@router.get("/baselines", response=list[BaselineOut], auth=None, summary="Public: discretion baselines (INS-10)")
def list_baselines(request: HttpRequest) -> list[BaselineOut]:
    return [
        BaselineOut(
            id=b.pk,
            item_id=b.item_id,
            item_name=b.item_name,
            department=b.department.name,
            basis=b.basis,
            tiers=[
                TierOut(id=t.pk, tier=t.tier, circumstance=t.circumstance, fine_min=t.fine_min, fine_max=t.fine_max)
                for t in b.tiers.all()
            ],
        )
        for b in baselines_public()[:LIST_CAP]
    ]


@router.get("/penalties", response=list[PenaltyOut], summary="Penalty decisions in the user's scope")
def list_penalties(request: AuthedRequest) -> list[PenaltyOut]:
    _staff(request)
    return [_penalty_out(p) for p in penalties_for(request.user)[:LIST_CAP]]


@router.post("/penalties", response={201: PenaltyOut}, summary="Record a penalty decision within its baseline (INS-10)")
def create_penalty(request: AuthedRequest, payload: PenaltyIn) -> Status[Any]:
    if not is_department_user(request.user):
        raise PermissionDenied
    department = request.user.department
    tier = DiscretionTier.objects.filter(pk=payload.tier_id, baseline__department=department).first()
    officials = list(User.objects.filter(pk__in=payload.official_ids, department=department))
    if len(officials) != len(set(payload.official_ids)):
        raise ValidationError(_("执法人员必须是本单位的工作人员。"))
    notice = None
    if payload.notice_id is not None:
        notice = notices_for(request.user).filter(pk=payload.notice_id).first()
        if notice is None:
            raise ValidationError(_("首违告诫不存在。"))
    decision = penalty_decide(
        actor=request.user,
        tier=tier,
        enterprise_name=payload.enterprise_name,
        credit_code=payload.credit_code,
        facts=payload.facts,
        amount=payload.amount,
        officials=officials,
        notice=notice,
    )
    return Status(201, _penalty_out(penalties_for(request.user).get(pk=decision.pk)))
