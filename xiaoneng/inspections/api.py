"""Inspections API: the same scoping and permissions as the workbench pages (conventions §3)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from xiaoneng.catalog.models import Item
from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.throttle import ApiThrottle
from xiaoneng.orgs.models import User
from xiaoneng.workdays.due import clock_due_date

from .actions.filings import filing_approve, filing_refuse, filing_submit
from .models import EnforcementCertificate, Inspection, InspectionFiling
from .permissions import access_filing_by_id, access_inspection_by_id, is_department_user, is_staff_user
from .selectors import certificates_for, filing_verify, filings_for, inspections_for, unfiled_inspections

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


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class ReasonIn(Schema):
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


@router.post("/filings", response={201: FilingOut}, summary="File an enterprise inspection (INS-1)")
def create_filing(request: AuthedRequest, payload: FilingIn) -> Status:
    if not is_department_user(request.user):
        raise PermissionDenied
    department = request.user.department
    assert department is not None
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
def approve_filing(request: AuthedRequest, pk: int, payload: NoteIn) -> FilingOut:
    _staff(request)
    filing_approve(actor=request.user, filing=access_filing_by_id(request.user, pk), note=payload.note)
    return _filing_out(access_filing_by_id(request.user, pk))


@router.post("/filings/{pk}/refuse", response=FilingOut, summary="The department head refuses a filing")
def refuse_filing(request: AuthedRequest, pk: int, payload: ReasonIn) -> FilingOut:
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
def verify_filing(request: HttpRequest, number: str, credit_code: str) -> Status:
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
