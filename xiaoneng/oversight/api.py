"""Rectification API: the same scoping and permissions as the workbench pages."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema

from xiaoneng.core.http import AuthedRequest
from xiaoneng.workdays.due import clock_due_date

from .selectors import rectification_for, rectifications_for
from .services import rectification_reject, rectification_submit, rectification_verify

router = Router(tags=["oversight"])


class RectificationOut(Schema):
    id: int
    title: str
    problem: str
    measures: str
    status: str
    department_id: int
    department: str
    due_date: date | None
    created_at: datetime


class TextIn(Schema):
    text: str = ""
    measures: str = ""


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str = ""


def _out(r) -> RectificationOut:
    return RectificationOut(
        id=r.pk,
        title=r.title,
        problem=r.problem,
        measures=r.measures,
        status=r.status,
        department_id=r.department_id,
        department=r.department.name,
        due_date=clock_due_date(r.clock),
        created_at=r.created_at,
    )


def _staff(request: AuthedRequest) -> None:
    from django.core.exceptions import PermissionDenied

    if not (request.user.is_staff_member or request.user.is_superuser):
        raise PermissionDenied


@router.get("/rectifications", response=list[RectificationOut], summary="Rectifications in the user's scope")
def list_rectifications(request: AuthedRequest, status: str = "") -> list[RectificationOut]:
    _staff(request)
    qs = rectifications_for(request.user)
    if status:
        qs = qs.filter(status=status)
    return [_out(r) for r in qs[:500]]


@router.get("/rectifications/{pk}", response=RectificationOut)
def get_rectification(request: AuthedRequest, pk: int) -> RectificationOut:
    _staff(request)
    return _out(rectification_for(request.user, pk))


@router.post("/rectifications/{pk}/submit", response=RectificationOut, summary="The department submits evidence")
def submit(request: AuthedRequest, pk: int, payload: TextIn) -> RectificationOut:
    _staff(request)
    r = rectification_for(request.user, pk)
    rectification_submit(rectification=r, actor=request.user, text=payload.text, measures=payload.measures)
    return _out(rectification_for(request.user, pk))


@router.post("/rectifications/{pk}/verify", response=RectificationOut, summary="A supervisor verifies and closes")
def verify(request: AuthedRequest, pk: int, payload: NoteIn) -> RectificationOut:
    _staff(request)
    r = rectification_for(request.user, pk)
    rectification_verify(rectification=r, actor=request.user, note=payload.note)
    return _out(rectification_for(request.user, pk))


@router.post("/rectifications/{pk}/reject", response=RectificationOut, summary="A supervisor sends it back")
def reject(request: AuthedRequest, pk: int, payload: ReasonIn) -> RectificationOut:
    _staff(request)
    r = rectification_for(request.user, pk)
    rectification_reject(rectification=r, actor=request.user, reason=payload.reason)
    return _out(rectification_for(request.user, pk))
