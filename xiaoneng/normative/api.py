"""Normative documents API: the same scoping and permissions as the workbench pages (conventions §3),
and the public list (NOR-6) without sign-in."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.params import MAX_OFFSET, bounded_int
from xiaoneng.normative.models import NormativeDocument
from xiaoneng.normative.permissions import access_document_by_id, is_department_user, is_staff_user
from xiaoneng.normative.selectors import documents_for, late_filings, public_documents
from xiaoneng.normative.services import (
    document_evaluate,
    document_file,
    document_publish,
    document_review,
    document_submit,
)
from xiaoneng.workdays.due import clock_due_date

router = Router(tags=["normative"])

LIST_CAP = 500


def _staff(request: AuthedRequest) -> None:
    if not is_staff_user(request.user):
        raise PermissionDenied


class DocumentOut(Schema):
    id: int
    title: str
    department_id: int
    department: str
    status: str
    review_outcome: str
    review_opinion: str
    review_due_date: date | None
    number: str
    published_on: date | None
    effective_from: date | None
    valid_until: date | None
    evaluation_due_on: date | None
    filing_due_date: date | None
    filed_with: str
    filed_on: date | None
    created_at: datetime


class PublicDocumentOut(Schema):
    id: int
    number: str
    title: str
    department: str
    published_on: date | None
    effective_from: date | None
    valid_until: date | None
    evaluation_due_on: date | None
    validity: str


class NormativeSubmitIn(Schema):
    title: str = Field(max_length=200)
    summary: str = Field(max_length=5000)


class NormativeReviewIn(Schema):
    outcome: str = Field(max_length=10)
    opinion: str = Field("", max_length=5000)


class NormativePublishIn(Schema):
    number: str = Field(max_length=60)
    published_on: date
    effective_from: date
    valid_years: int = Field(5, ge=1, le=5)


class FileIn(Schema):
    filed_with: str = Field(max_length=20)
    filed_on: date
    filing_ref: str = Field("", max_length=60)


class EvaluateIn(Schema):
    outcome: str = Field(max_length=10)
    note: str = Field(max_length=5000)
    valid_until: date | None = None


def _out(d: NormativeDocument) -> DocumentOut:
    return DocumentOut(
        id=d.pk,
        title=d.title,
        department_id=d.department_id,
        department=d.department.name,
        status=d.status,
        review_outcome=d.review_outcome,
        review_opinion=d.review_opinion,
        review_due_date=clock_due_date(d.review_clock),
        number=d.number,
        published_on=d.published_on,
        effective_from=d.effective_from,
        valid_until=d.valid_until,
        evaluation_due_on=d.evaluation_due_on,
        filing_due_date=clock_due_date(d.filing_clock),
        filed_with=d.filed_with,
        filed_on=d.filed_on,
        created_at=d.created_at,
    )


@router.get("/documents", response=list[DocumentOut], summary="Normative documents in the user's scope")
def list_documents(request: AuthedRequest, status: str = "", late_filing: bool = False) -> list[DocumentOut]:
    _staff(request)
    qs = late_filings(request.user) if late_filing else documents_for(request.user)
    if status:
        qs = qs.filter(status=status[:10])
    return [_out(d) for d in qs[:LIST_CAP]]


@router.get("/documents/{pk}", response=DocumentOut)
def get_document(request: AuthedRequest, pk: int) -> DocumentOut:
    _staff(request)
    return _out(access_document_by_id(request.user, pk))


@router.post("/documents", response={201: DocumentOut}, summary="Submit a draft for legality review (NOR-1)")
def submit_document(request: AuthedRequest, payload: NormativeSubmitIn) -> Status[DocumentOut]:
    if not is_department_user(request.user):
        raise PermissionDenied
    department = request.user.department
    if department is None:
        raise RuntimeError("invariant: department is not None")
    d = document_submit(actor=request.user, department=department, title=payload.title, summary=payload.summary)
    return Status(201, _out(access_document_by_id(request.user, d.pk)))


@router.post("/documents/{pk}/review", response=DocumentOut, summary="The legal office's conclusion (NOR-3)")
def review_document(request: AuthedRequest, pk: int, payload: NormativeReviewIn) -> DocumentOut:
    _staff(request)
    d = access_document_by_id(request.user, pk)
    document_review(actor=request.user, document=d, outcome=payload.outcome, opinion=payload.opinion)
    return _out(access_document_by_id(request.user, pk))


@router.post("/documents/{pk}/publish", response=DocumentOut, summary="Publish an approved document (NOR-4)")
def publish_document(request: AuthedRequest, pk: int, payload: NormativePublishIn) -> DocumentOut:
    _staff(request)
    d = access_document_by_id(request.user, pk)
    document_publish(
        actor=request.user,
        document=d,
        number=payload.number,
        published_on=payload.published_on,
        effective_from=payload.effective_from,
        valid_years=payload.valid_years,
    )
    return _out(access_document_by_id(request.user, pk))


@router.post("/documents/{pk}/file", response=DocumentOut, summary="Record the filing (NOR-5)")
def file_document(request: AuthedRequest, pk: int, payload: FileIn) -> DocumentOut:
    _staff(request)
    d = access_document_by_id(request.user, pk)
    document_file(
        actor=request.user,
        document=d,
        filed_with=payload.filed_with,
        filed_on=payload.filed_on,
        filing_ref=payload.filing_ref,
    )
    return _out(access_document_by_id(request.user, pk))


@router.post("/documents/{pk}/evaluate", response=DocumentOut, summary="Evaluation and clean-up (NOR-6)")
def evaluate_document(request: AuthedRequest, pk: int, payload: EvaluateIn) -> DocumentOut:
    _staff(request)
    d = access_document_by_id(request.user, pk)
    document_evaluate(
        actor=request.user, document=d, outcome=payload.outcome, note=payload.note, valid_until=payload.valid_until
    )
    return _out(access_document_by_id(request.user, pk))


@router.get(
    "/public",
    response=list[PublicDocumentOut],
    auth=None,
    summary="Public: normative documents in force, or all published ones with all=true (NOR-6)",
)
def public_list(request: HttpRequest, all: bool = False, offset: int = 0) -> list[PublicDocumentOut]:
    offset = bounded_int(offset, "offset", high=MAX_OFFSET) or 0
    today = timezone.localdate()
    qs = public_documents(effective_only=not all, today=today)[offset : offset + 100]
    return [
        PublicDocumentOut(
            id=d.pk,
            number=d.number,
            title=d.title,
            department=d.department.name,
            published_on=d.published_on,
            effective_from=d.effective_from,
            valid_until=d.valid_until,
            evaluation_due_on=d.evaluation_due_on,
            validity=d.validity_label(today),
        )
        for d in qs
    ]
