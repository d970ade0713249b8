"""Supervision API: alerts and dashboard numbers for staff (same permissions as the pages), and the
obligation API for other systems, authenticated with an API key (header X-API-Key)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import APIKeyHeader

from xiaoneng.core.http import AuthedRequest

from .choices import SUPERVISOR_ROLES
from .models import Alert, ExternalObligation, ExternalSystem
from .selectors import alert_for, alerts_for, dashboard_stats, filter_alerts
from .services import (
    alert_acknowledge,
    alert_escalate,
    alert_explain,
    alert_resolve,
    can_supervise,
    external_obligation_complete,
    external_obligation_register,
    external_system_authenticate,
)

router = Router(tags=["supervision"])


class AlertOut(Schema):
    id: int
    level: int
    level_label: str
    status: str
    clock_id: int
    label: str
    department_id: int | None
    due_date: date | None
    raised_at: datetime
    explanation: str
    escalation: int


class TextIn(Schema):
    text: str = ""


class ReasonIn(Schema):
    reason: str = ""


def _out(a: Alert) -> AlertOut:
    return AlertOut(
        id=a.pk,
        level=a.level,
        level_label=str(a.get_level_display()),
        status=a.status,
        clock_id=a.clock_id,
        label=a.clock.label,
        department_id=a.department_id,
        due_date=a.clock.due_date,
        raised_at=a.raised_at,
        explanation=a.explanation,
        escalation=a.escalation,
    )


def _staff(request: AuthedRequest) -> None:
    u = request.user
    if not (u.is_superuser or u.is_department_scoped or u.role in SUPERVISOR_ROLES):
        raise PermissionDenied


@router.get("/alerts", response=list[AlertOut], summary="Alerts in the user's scope")
def list_alerts(
    request: AuthedRequest, level: str = "", status: str = "", department: str = "", limit: int = 200
) -> list[AlertOut]:
    _staff(request)
    qs = filter_alerts(alerts_for(request.user), level=level, status=status, department=department)
    return [_out(a) for a in qs[: max(1, min(limit, 1000))]]


@router.get("/alerts/{pk}", response=AlertOut)
def get_alert(request: AuthedRequest, pk: int) -> AlertOut:
    _staff(request)
    return _out(alert_for(request.user, pk))


@router.post("/alerts/{pk}/acknowledge", response=AlertOut)
def acknowledge(request: AuthedRequest, pk: int) -> AlertOut:
    _staff(request)
    return _out(alert_acknowledge(alert=alert_for(request.user, pk), actor=request.user))


@router.post("/alerts/{pk}/explain", response=AlertOut)
def explain(request: AuthedRequest, pk: int, payload: TextIn) -> AlertOut:
    _staff(request)
    return _out(alert_explain(alert=alert_for(request.user, pk), actor=request.user, text=payload.text))


@router.post("/alerts/{pk}/resolve", response=AlertOut)
def resolve(request: AuthedRequest, pk: int, payload: TextIn) -> AlertOut:
    _staff(request)
    return _out(alert_resolve(alert=alert_for(request.user, pk), actor=request.user, note=payload.text))


@router.post("/alerts/{pk}/escalate", response=AlertOut)
def escalate(request: AuthedRequest, pk: int, payload: ReasonIn) -> AlertOut:
    _staff(request)
    return _out(alert_escalate(alert=alert_for(request.user, pk), actor=request.user, reason=payload.reason))


@router.get("/dashboard", summary="Dashboard numbers (supervisors and leaders, region-scoped)")
def dashboard(request: AuthedRequest) -> dict[str, Any]:
    if not can_supervise(request.user):
        raise PermissionDenied
    return dashboard_stats(request.user)


# --- other systems ---------------------------------------------------------------------------


class ApiKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ExternalSystem | None:
        return external_system_authenticate(key)


class ObligationIn(Schema):
    external_id: str
    title: str
    department_credit_code: str
    limit: int
    unit: str = "wd"
    started_at: datetime


class CompletionIn(Schema):
    completed_at: datetime | None = None
    cancelled: bool = False


class ObligationOut(Schema):
    id: int
    external_id: str
    title: str
    status: str
    due_date: date | None
    due_at: datetime | None
    alert_level: int
    completed_at: datetime | None


def _ob(ob: ExternalObligation) -> ObligationOut:
    clock = ob.clock
    return ObligationOut(
        id=ob.pk,
        external_id=ob.external_id,
        title=ob.title,
        status=ob.status,
        due_date=clock.due_date if clock else None,
        due_at=clock.due_at if clock else None,
        alert_level=clock.alert_level if clock else 0,
        completed_at=ob.completed_at,
    )


def _payload(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(_("请求体不是合法的JSON。")) from None
    if not isinstance(data, dict):
        raise ValidationError(_("请求体必须是JSON对象。"))
    return data


def _parse_obligation(data: dict[str, Any]) -> dict[str, Any]:
    """Parse by hand so that every bad payload gets a Chinese message and a 400 (not pydantic's 422)."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name in ("external_id", "title", "department_credit_code"):
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            errors[name] = _("缺少字段或不是字符串：%(name)s") % {"name": name}
        else:
            out[name] = value
    limit = data.get("limit")
    if not isinstance(limit, int) or isinstance(limit, bool):
        errors["limit"] = _("时限必须是整数。")
    else:
        out["limit"] = limit
    out["unit"] = data.get("unit", "wd")
    raw = data.get("started_at")
    try:
        out["started_at"] = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        out["started_at"] = None
    if out["started_at"] is None:
        errors["started_at"] = _("起算时间格式错误，应为ISO 8601，例如 2026-11-20T09:00:00+08:00。")
    if errors:
        raise ValidationError(errors)
    return out


@router.post(
    "/external/obligations",
    auth=ApiKey(),
    response={200: ObligationOut, 201: ObligationOut},
    summary="Another system registers a timed obligation",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": ObligationIn.model_json_schema()}},
            "required": True,
        }
    },
)
def register_obligation(request: HttpRequest) -> Status:
    system: ExternalSystem = request.auth  # type: ignore[attr-defined]
    fields = _parse_obligation(_payload(request))
    ob, created = external_obligation_register(system=system, **fields)
    return Status(201 if created else 200, _ob(ob))


@router.get("/external/obligations/{external_id}", auth=ApiKey(), response=ObligationOut)
def get_obligation(request: HttpRequest, external_id: str) -> ObligationOut:
    from django.shortcuts import get_object_or_404

    system: ExternalSystem = request.auth  # type: ignore[attr-defined]
    return _ob(
        get_object_or_404(ExternalObligation.objects.select_related("clock"), system=system, external_id=external_id)
    )


@router.post(
    "/external/obligations/{external_id}/complete",
    auth=ApiKey(),
    response=ObligationOut,
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": CompletionIn.model_json_schema()}}}},
)
def complete_obligation(request: HttpRequest, external_id: str) -> ObligationOut:
    system: ExternalSystem = request.auth  # type: ignore[attr-defined]
    data = _payload(request)
    raw = data.get("completed_at")
    try:
        at = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        raise ValidationError({"completed_at": _("办结时间格式错误，应为ISO 8601。")}) from None
    ob = external_obligation_complete(
        system=system, external_id=external_id, completed_at=at, cancelled=bool(data.get("cancelled", False))
    )
    ob.refresh_from_db()
    return _ob(ob)
