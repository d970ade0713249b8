"""Supervision API: alerts and dashboard numbers for staff (same permissions as the pages), and the
obligation API for other systems, authenticated with an API key (header X-API-Key)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import APIKeyHeader

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.params import checked_date
from xiaoneng.orgs.models import Region
from xiaoneng.supervision.alerts.external import (
    external_obligation_complete,
    external_obligation_register,
    external_system_authenticate,
)
from xiaoneng.supervision.alerts.selectors import (
    clock_subjects,
    clocks_by_kind,
    dashboard_stats,
    filter_alerts,
    late_clocks,
)
from xiaoneng.supervision.alerts.services import alert_acknowledge, alert_escalate, alert_explain, alert_resolve
from xiaoneng.supervision.bulletins.documents import bulletin_file_response
from xiaoneng.supervision.bulletins.figures import figures_of
from xiaoneng.supervision.bulletins.services import bulletin_create, bulletin_issue
from xiaoneng.supervision.choices import SUPERVISOR_ROLES
from xiaoneng.supervision.efficiency.selectors import index_rows, public_warnings
from xiaoneng.supervision.irregularities.rules import RULES
from xiaoneng.supervision.irregularities.selectors import filter_irregularities, irregularity_rectification
from xiaoneng.supervision.irregularities.services import (
    irregularity_confirm,
    irregularity_dismiss,
    irregularity_rectify,
)
from xiaoneng.supervision.models import Alert, ExternalObligation, ExternalSystem
from xiaoneng.supervision.periods import month_start
from xiaoneng.supervision.permissions import (
    access_alert_by_id,
    access_bulletin_by_id,
    access_irregularity_by_id,
    access_obligation_by_external_id,
    access_score_by_id,
    alerts_for,
    bulletins_for,
    can_read_bulletins,
    can_supervise,
    irregularities_for,
    scores_for,
)
from xiaoneng.workdays.due import clock_due_date

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


class SupervisionTextIn(Schema):
    text: str = ""


class SupervisionReasonIn(Schema):
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
        due_date=clock_due_date(a.clock),
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
    request: AuthedRequest,
    level: str = "",
    status: str = "",
    department: str = "",
    kind: str = "",
    item: str = "",
    card: str = "",
    month: str = "",
    limit: int = 200,
) -> list[AlertOut]:
    """Filters: level (1–4), status (or "open"), department id, kind (a clock kind or its family such
    as "case" or "complaint"), item (catalog item id: alerts on that item's cases), month (YYYY-MM)
    and card (remind / yellow / red): the month's cards, one alert per obligation at its highest
    level — the figures of the dashboard, the leader's page and the bulletins."""
    _staff(request)
    qs = filter_alerts(
        alerts_for(request.user),
        level=level[:4],
        status=status[:20],
        department=department[:12],
        kind=kind[:40],
        item=item[:12],
        card=card[:10],
        month=month[:10],
    )
    return [_out(a) for a in qs[: max(1, min(limit, 1000))]]


@router.get("/alerts/{pk}", response=AlertOut)
def get_alert(request: AuthedRequest, pk: int) -> AlertOut:
    _staff(request)
    return _out(access_alert_by_id(request.user, pk))


@router.post("/alerts/{pk}/acknowledge", response=AlertOut)
def acknowledge(request: AuthedRequest, pk: int) -> AlertOut:
    _staff(request)
    return _out(alert_acknowledge(alert=access_alert_by_id(request.user, pk), actor=request.user))


@router.post("/alerts/{pk}/explain", response=AlertOut)
def explain(request: AuthedRequest, pk: int, payload: SupervisionTextIn) -> AlertOut:
    _staff(request)
    return _out(alert_explain(alert=access_alert_by_id(request.user, pk), actor=request.user, text=payload.text))


@router.post("/alerts/{pk}/resolve", response=AlertOut)
def resolve(request: AuthedRequest, pk: int, payload: SupervisionTextIn) -> AlertOut:
    _staff(request)
    return _out(alert_resolve(alert=access_alert_by_id(request.user, pk), actor=request.user, note=payload.text))


@router.post("/alerts/{pk}/escalate", response=AlertOut)
def escalate(request: AuthedRequest, pk: int, payload: SupervisionReasonIn) -> AlertOut:
    _staff(request)
    return _out(alert_escalate(alert=access_alert_by_id(request.user, pk), actor=request.user, reason=payload.reason))


@router.get("/dashboard", summary="Dashboard numbers (supervisors and leaders, region-scoped)")
def dashboard(request: AuthedRequest) -> dict[str, Any]:
    if not can_supervise(request.user):
        raise PermissionDenied
    return dashboard_stats(request.user)


class LateKindOut(Schema):
    family: str
    name: str
    late: int


class LateClockOut(Schema):
    clock_id: int
    kind: str
    label: str
    department_id: int | None
    due_date: date | None
    subject_kind: str
    subject_label: str
    subject_url: str


class LateOut(Schema):
    total: int
    by_kind: list[LateKindOut]
    items: list[LateClockOut]


@router.get("/late", response=LateOut, summary="Clocks running past their limit, of every kind")
def late(request: AuthedRequest, kind: str = "", limit: int = 200) -> LateOut:
    """The late list: every clock running past its limit in the user's scope (cases, complaints,
    disclosure requests, supervised tasks, rectifications, inspection filings …). `by_kind` are the
    dashboard's per-kind late counts (one selector); `kind` (a `family` of by_kind) narrows the items,
    each named and linked by its app for this user (subject_url is "" when the user may not open it)."""
    _staff(request)
    groups = [g for g in clocks_by_kind(request.user) if g["late"]]
    kind = kind[:40] if kind[:40] in {g["family"] for g in groups} else ""
    clocks = list(late_clocks(request.user, kind=kind)[: max(1, min(limit, 1000))])
    items = [
        LateClockOut(
            clock_id=c.pk,
            kind=c.kind,
            label=c.label,
            department_id=c.department_id,
            due_date=clock_due_date(c),
            subject_kind=s["kind"],
            subject_label=s["label"],
            subject_url=s["url"],
        )
        for c, s in zip(clocks, clock_subjects(request.user, clocks), strict=True)
    ]
    return LateOut(
        total=sum(g["late"] for g in groups),
        by_kind=[LateKindOut(family=g["family"], name=g["name"], late=g["late"]) for g in groups],
        items=items,
    )


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
        due_date=clock_due_date(clock),
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
def register_obligation(request: HttpRequest) -> Status[ObligationOut]:
    system: ExternalSystem = request.auth  # type: ignore[attr-defined]
    fields = _parse_obligation(_payload(request))
    ob, created = external_obligation_register(system=system, **fields)
    return Status(201 if created else 200, _ob(ob))


@router.get("/external/obligations/{external_id}", auth=ApiKey(), response=ObligationOut)
def get_obligation(request: HttpRequest, external_id: str) -> ObligationOut:
    system: ExternalSystem = request.auth  # type: ignore[attr-defined]
    return _ob(access_obligation_by_external_id(system, external_id))


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


# --- SUP-2 irregularity flags (same scope and permissions as the pages) ------------------------


class IrregularityOut(Schema):
    id: int
    rule: str
    rule_name: str
    severity: int
    severity_label: str
    status: str
    status_label: str
    case_id: int | None
    subject_type: str  # "cases.case", "inspections.inspection", "inspections.penaltydecision" …
    subject_id: str
    subject_label: str
    department_id: int | None
    detected_at: datetime
    detail: str
    description: str
    basis: str
    handled_at: datetime | None
    handling_note: str
    rectification_id: int | None


class IrregularityNoteIn(Schema):
    note: str = ""


class IrregularityRectifyIn(Schema):
    measures: str = ""
    limit: int | None = None


class RectificationRef(Schema):
    id: int
    title: str
    status: str


def _irr_out(i: Any, rect_id: int | None = None) -> IrregularityOut:
    spec = RULES[i.rule]
    return IrregularityOut(
        id=i.pk,
        rule=i.rule,
        rule_name=spec.name,
        severity=i.severity,
        severity_label=str(i.get_severity_display()),
        status=i.status,
        status_label=str(i.get_status_display()),
        case_id=int(i.subject_id) if i.subject_type.model == "case" and i.subject_id.isdigit() else None,
        subject_type=f"{i.subject_type.app_label}.{i.subject_type.model}",
        subject_id=i.subject_id,
        subject_label=i.subject_label,
        department_id=i.department_id,
        detected_at=i.detected_at,
        detail=i.detail,
        description=str(spec.description),
        basis=str(spec.basis),
        handled_at=i.handled_at,
        handling_note=i.handling_note,
        rectification_id=rect_id,
    )


@router.get("/irregularities", response=list[IrregularityOut], summary="SUP-2 irregularity flags in the user's scope")
def list_irregularities(
    request: AuthedRequest,
    rule: str = "",
    status: str = "",
    department: str = "",
    date_from: str = "",
    date_to: str = "",
    limit: int = 200,
) -> list[IrregularityOut]:
    qs = filter_irregularities(
        irregularities_for(request.user).select_related("subject_type"),
        rule=rule,
        status=status,
        department=department,
        date_from=date_from,
        date_to=date_to,
    )
    return [_irr_out(i) for i in qs[: max(1, min(limit, 1000))]]


@router.get("/irregularities/{pk}", response=IrregularityOut)
def get_irregularity(request: AuthedRequest, pk: int) -> IrregularityOut:
    i = access_irregularity_by_id(request.user, pk)
    rect = irregularity_rectification(i)
    return _irr_out(i, rect.pk if rect else None)


@router.post("/irregularities/{pk}/confirm", response=IrregularityOut)
def confirm_irregularity(request: AuthedRequest, pk: int, payload: IrregularityNoteIn) -> IrregularityOut:
    return _irr_out(
        irregularity_confirm(
            irregularity=access_irregularity_by_id(request.user, pk), actor=request.user, note=payload.note
        )
    )


@router.post("/irregularities/{pk}/dismiss", response=IrregularityOut)
def dismiss_irregularity(request: AuthedRequest, pk: int, payload: SupervisionReasonIn) -> IrregularityOut:
    return _irr_out(
        irregularity_dismiss(
            irregularity=access_irregularity_by_id(request.user, pk), actor=request.user, reason=payload.reason
        )
    )


@router.post("/irregularities/{pk}/rectify", response=RectificationRef)
def rectify_irregularity(request: AuthedRequest, pk: int, payload: IrregularityRectifyIn) -> RectificationRef:
    rect = irregularity_rectify(
        irregularity=access_irregularity_by_id(request.user, pk),
        actor=request.user,
        measures=payload.measures,
        limit=payload.limit,
    )
    return RectificationRef(id=rect.pk, title=rect.title, status=rect.status)


# --- efficiency index, warning list, bulletins (SUP-3, SUP-5) -----------------------------------


class DeductionOut(Schema):
    id: int
    source: str
    source_label: str
    count: int
    points: float
    explanation: str  # in the request's language
    message: dict[str, Any] = {}  # the explanation as a message key and parameters
    refs: list[int]


class ScoreOut(Schema):
    id: int
    department_id: int
    department: str
    region: str
    month: date
    base: float
    deducted: float
    score: float
    warning: int
    warning_label: str
    warning_reason: str  # in the request's language
    warning_message: dict[str, Any] = {}  # the reason as a message key and parameters
    frozen: bool
    computed_at: datetime
    rank: int | None = None
    deductions: list[DeductionOut] | None = None


class PublicWarningOut(Schema):
    department: str
    region: str
    month: date
    score: float
    reason: str
    frozen: bool
    items: list[dict[str, Any]]


class BulletinOut(Schema):
    id: int
    title: str
    kind: str
    region: str
    period: date
    status: str
    number: str | None
    issued_at: datetime | None


class BulletinDetailOut(BulletinOut):
    remarks: str
    figures: dict[str, Any]


class BulletinIn(Schema):
    region_id: int
    kind: str
    period: date
    remarks: str = ""


class IssueIn(Schema):
    remarks: str | None = None


def _score_out(s: Any, with_deductions: bool = False) -> ScoreOut:
    return ScoreOut(
        id=s.pk,
        department_id=s.department_id,
        department=s.department.name,
        region=s.region.name,
        month=s.month,
        base=float(s.base),
        deducted=float(s.deducted),
        score=float(s.score),
        warning=s.warning,
        warning_label=str(s.get_warning_display()),
        warning_reason=s.warning_reason_text,
        warning_message=s.warning_message or {},
        frozen=s.frozen,
        computed_at=s.computed_at,
        rank=getattr(s, "rank", None),
        deductions=[
            DeductionOut(
                id=d.pk,
                source=d.source,
                source_label=str(d.get_source_display()),
                count=d.count,
                points=float(d.points),
                explanation=d.explanation_text,
                message=d.message or {},
                refs=[int(i) for i in d.refs],
            )
            for d in s.deductions.all()
        ]
        if with_deductions
        else None,
    )


def _bulletin_out(b: Any) -> BulletinOut:
    return BulletinOut(
        id=b.pk,
        title=b.title_text,
        kind=b.kind,
        region=b.region.name,
        period=b.period,
        status=b.status,
        number=b.number,
        issued_at=b.issued_at,
    )


def _month(value: str) -> date | None:
    try:
        y, m = (int(x) for x in value.split("-")[:2])
        return date(y, m, 1)
    except (AttributeError, ValueError):
        return None


@router.get("/efficiency", response=list[ScoreOut], summary="Efficiency index by unit for a month (SUP-5)")
def efficiency_index(request: AuthedRequest, month: str = "", region: int | None = None) -> list[ScoreOut]:

    _staff(request)
    m = _month(month)
    if m is None:
        m = scores_for(request.user).order_by("-month").values_list("month", flat=True).first()
        m = m or month_start(timezone.localdate())
    reg = None
    if region is not None:
        reg = Region.objects.filter(pk=region).first()
        if reg is None:
            raise ValidationError({"region": _("区划不存在。")})
    return [_score_out(s) for s in index_rows(request.user, m, reg)]


@router.get("/efficiency/warnings", response=list[PublicWarningOut], auth=None, summary="Public warning list (SUP-3)")
def efficiency_warnings(request: HttpRequest, month: str = "") -> list[PublicWarningOut]:

    _m, rows, _months = public_warnings(_month(month))
    return [
        PublicWarningOut(
            department=r["department"],
            region=r["region"],
            month=r["month"],
            score=float(r["score"]),
            reason=r["reason"],
            frozen=r["frozen"],
            items=[{"source": i["source"], "count": i["count"], "points": float(i["points"])} for i in r["items"]],
        )
        for r in rows
    ]


@router.get("/efficiency/{pk}", response=ScoreOut, summary="One unit's monthly score with its deductions")
def efficiency_score(request: AuthedRequest, pk: int) -> ScoreOut:

    _staff(request)
    return _score_out(access_score_by_id(request.user, pk), with_deductions=True)


@router.get("/bulletins", response=list[BulletinOut], summary="Bulletins in the user's region (leaders, office)")
def bulletin_list(request: AuthedRequest) -> list[BulletinOut]:

    if not can_read_bulletins(request.user):
        raise PermissionDenied
    return [_bulletin_out(b) for b in bulletins_for(request.user)[:500]]


@router.post("/bulletins", response={201: BulletinDetailOut}, summary="Draft a bulletin (efficiency office)")
def bulletin_create_api(request: AuthedRequest, payload: BulletinIn) -> Status[BulletinDetailOut]:

    checked_date(payload.period, "period")  # issue 9: year 0001 drafted a bulletin for year 1 on PostgreSQL
    region = Region.objects.filter(pk=payload.region_id).first()
    if region is None:
        raise ValidationError({"region_id": _("区划不存在。")})
    b = bulletin_create(
        actor=request.user, region=region, kind=payload.kind, period=payload.period, remarks=payload.remarks
    )
    return Status(201, BulletinDetailOut(**_bulletin_out(b).model_dump(), remarks=b.remarks, figures=figures_of(b)))


@router.get("/bulletins/{pk}", response=BulletinDetailOut)
def bulletin_detail(request: AuthedRequest, pk: int) -> BulletinDetailOut:

    if not can_read_bulletins(request.user):
        raise PermissionDenied
    b = access_bulletin_by_id(request.user, pk)
    return BulletinDetailOut(**_bulletin_out(b).model_dump(), remarks=b.remarks, figures=figures_of(b))


@router.post("/bulletins/{pk}/issue", response=BulletinDetailOut, summary="Issue: number and freeze the figures")
def bulletin_issue_api(request: AuthedRequest, pk: int, payload: IssueIn) -> BulletinDetailOut:

    if not can_read_bulletins(request.user):
        raise PermissionDenied
    b = bulletin_issue(bulletin=access_bulletin_by_id(request.user, pk), actor=request.user, remarks=payload.remarks)
    return BulletinDetailOut(**_bulletin_out(b).model_dump(), remarks=b.remarks, figures=figures_of(b))


@router.get("/bulletins/{pk}/download", summary="Download a bulletin as PDF (fmt=pdf) or Excel (fmt=xlsx)")
def bulletin_download_api(request: AuthedRequest, pk: int, fmt: str = "pdf") -> HttpResponse:

    return bulletin_file_response(request.user, pk, fmt)
