"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), so that existing 311 clients work
unchanged. Services map to complaint kinds and departments (Open311Service); a posted request becomes
a Complaint on channel "open311" and enters the same loop (CMP-1). JSON and XML; `jurisdiction_id` is
the code of the top-level region; errors use the standard's format. No personal data is ever returned:
a request's description is published only for requests that were themselves submitted through Open311."""

from __future__ import annotations

__all__ = ["discovery", "request_detail", "requests_view", "service_definition", "services"]

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from xiaoneng.complaints.actions.intake import complaint_intake
from xiaoneng.complaints.apikeys import api_key_check
from xiaoneng.complaints.choices import CLOSED_STATUSES, Channel
from xiaoneng.complaints.clocks import accept_days
from xiaoneng.complaints.models import Complaint, Open311Service
from xiaoneng.core.params import checked_datetime
from xiaoneng.core.throttle import throttle
from xiaoneng.orgs.models import Region
from xiaoneng.workdays.due import clock_due_deadline

FORMATS = ("json", "xml")
MAX_RESULTS = 1000
# GeoReport v2, GET Service Requests: start_date/end_date "may not span more than 90 days"
MAX_SPAN = timedelta(days=90)
# a WGS84 coordinate written as a decimal number (an exponent is allowed; NaN, inf and hex are not)
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")
# characters XML 1.0 cannot carry (control characters other than tab, newline, carriage return)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _render(fmt: str, root: str, item: str, rows: list[dict[str, Any]], status: int = 200) -> HttpResponse:
    if fmt == "xml":
        el = ET.Element(root)
        for row in rows:
            el.append(_xml(item, row))
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(el, encoding="utf-8")
        return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)
    return HttpResponse(
        json.dumps(rows, ensure_ascii=False), content_type="application/json; charset=utf-8", status=status
    )


def _xml(tag: str, value: Any) -> ET.Element:
    el = ET.Element(tag)
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, list):
                wrap = ET.SubElement(el, k)
                child = k[:-1] if k.endswith("s") else "item"
                for x in v:
                    wrap.append(_xml(child, x))
            else:
                el.append(_xml(k, v))
    elif value is None:
        pass
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    else:
        # a stored text may hold a control character that XML 1.0 cannot carry: drop it rather than
        # send a document no client can parse
        el.text = _XML_ILLEGAL.sub("", str(value))
    return el


def _error(fmt: str, err: Open311Error) -> HttpResponse:
    return _render(
        fmt if fmt in FORMATS else "json",
        "errors",
        "error",
        [{"code": err.code, "description": err.description}],
        err.code,
    )


def _endpoint(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """An Open311 view serving `methods` (HEAD goes with GET): errors in the standard's format, and any
    other method a 405 with an Allow header (RFC 9110 §15.5.6) in that format too."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def wrap(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        def wrapper(request: HttpRequest, fmt: str, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in allowed:
                    resp = _error(fmt, Open311Error(405, _("不支持的请求方法：%(m)s。") % {"m": request.method}))
                    resp["Allow"] = ", ".join(methods)
                    return resp
                if fmt not in FORMATS:
                    raise Open311Error(400, _("不支持的格式：%(fmt)s（仅支持 json 或 xml）") % {"fmt": fmt})
                # a NUL byte cannot be stored or compared by PostgreSQL (DataError): the client's error
                if any("\x00" in k or "\x00" in v for k, vs in request.GET.lists() for v in vs):
                    raise Open311Error(400, _("请求参数不能包含空字符（NUL）。"))
                return func(request, fmt, *args, **kwargs)
            except Open311Error as e:
                return _error(fmt, e)

        wrapper.__name__ = func.__name__
        wrapper.__doc__ = func.__doc__
        return csrf_exempt(wrapper)

    return wrap


def _param(request: HttpRequest, name: str) -> str:
    # a POST carries its parameters in the form body; some clients put api_key or jurisdiction_id
    # in the query string, which the standard's examples also show
    return (request.POST.get(name) if request.method == "POST" else None) or request.GET.get(name) or ""


def _jurisdiction(request: HttpRequest) -> Region:
    code = _param(request, "jurisdiction_id").strip()
    tops = Region.objects.filter(parent__isnull=True)
    if code:
        region = tops.filter(code=code).first()
        if region is None:
            raise Open311Error(404, _("jurisdiction_id 不存在：%(code)s") % {"code": code})
        return region
    only = list(tops[:2])
    if len(only) != 1:
        raise Open311Error(400, _("请提供 jurisdiction_id。"))
    return only[0]


def _iso(dt: datetime | None) -> str | None:
    return timezone.localtime(dt).isoformat(timespec="seconds") if dt else None


def _service_row(s: Open311Service) -> dict[str, Any]:
    return {
        "service_code": s.service_code,
        "service_name": s.service_name,
        "description": s.description,
        "metadata": False,
        "type": "realtime",
        "keywords": s.keywords,
        "group": s.group,
    }


@_endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """GeoReport v2 Service Discovery: where the endpoint is and which formats it speaks."""
    base = request.build_absolute_uri(reverse("open311:services", args=["json"])).rsplit("services.json", 1)[0]
    changeset = _iso(Open311Service.objects.order_by("-updated_at").values_list("updated_at", flat=True).first())
    row = {
        "changeset": changeset or "",
        "contact": _("效能投诉与12345热线工单（Open311 GeoReport v2）"),
        "key_service": _("接口密钥由系统管理员或效能办签发。"),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base.rstrip("/"),
                "changeset": changeset or "",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    if fmt == "xml":
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(_xml("discovery", row), encoding="utf-8")
        return HttpResponse(body, content_type="text/xml; charset=utf-8")
    return HttpResponse(json.dumps(row, ensure_ascii=False), content_type="application/json; charset=utf-8")


@_endpoint("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET Service List."""
    region = _jurisdiction(request)
    rows = [_service_row(s) for s in Open311Service.objects.filter(tenant=region, is_active=True)]
    return _render(fmt, "services", "service", rows)


@_endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    """GET Service Definition: our services carry no extra attributes (metadata=false)."""
    region = _jurisdiction(request)
    s = Open311Service.objects.filter(tenant=region, is_active=True, service_code=code).first()
    if s is None:
        raise Open311Error(404, _("服务编码不存在：%(code)s") % {"code": code})
    row = {"service_code": s.service_code, "attributes": []}
    if fmt == "xml":
        el = _xml("service_definition", row)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(el, encoding="utf-8")
        return HttpResponse(body, content_type="text/xml; charset=utf-8")
    return HttpResponse(json.dumps(row, ensure_ascii=False), content_type="application/json; charset=utf-8")


def _request_row(c: Complaint) -> dict[str, Any]:
    closed = c.status in CLOSED_STATUSES
    expected = None
    if not closed:
        clock = c.reply_clock if c.reply_clock_id else c.accept_clock
        # the last instant that meets the obligation: its date is the due day (issue 9)
        expected = clock_due_deadline(clock)
    notes = str(c.get_status_display())
    if c.refusal_note and c.channel == Channel.OPEN311:
        # where to go instead (CMP-3); other channels' notes may speak of the person, so stay private
        notes += "：" + c.refusal_note
    return {
        "service_request_id": c.number,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": c.service.service_name if c.service else str(c.get_kind_display()),
        "service_code": c.service.service_code if c.service else "",
        "description": c.content if c.channel == Channel.OPEN311 else "",
        "agency_responsible": c.handling_department.name if c.handling_department else "",
        "service_notice": "",
        "requested_datetime": _iso(c.received_at),
        "updated_datetime": _iso(c.updated_at),
        "expected_datetime": _iso(expected),
        "address": c.address,
        "address_id": "",
        "zipcode": "",
        "lat": float(c.lat) if c.lat is not None else None,
        "long": float(c.long) if c.long is not None else None,
        "media_url": c.media_url,
    }


def _base(region: Region) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(tenant=region)
        .exclude(status="merged")
        .select_related("service", "handling_department", "reply_clock", "accept_clock")
        .order_by("-received_at", "-id")
    )


def _dt(value: str, name: str) -> datetime:
    try:
        # a "+" in a query string arrives as a space
        dt = parse_datetime(value.replace(" ", "+")) if value else None
    except ValueError:  # well-formed but impossible (month 13, day 45)
        dt = None
    if dt is None:
        raise Open311Error(400, _("%(name)s 不是有效的 ISO 8601 时间。") % {"name": name})
    try:
        # the shared year bounds: 0001-01-01 or 9999-12-31 overflowed in the time-zone conversion
        checked = checked_datetime(dt, name)
    except ValidationError as e:
        raise Open311Error(400, "；".join(e.messages)) from e
    if checked is None:
        raise RuntimeError("invariant: checked is not None")
    return checked


def _decimal(value: str, name: str, bound: int) -> Decimal | None:
    """A WGS84 coordinate within ±bound degrees, rounded to the stored 6 decimals. NaN (which compared
    with a bound raised InvalidOperation, a 500), infinities, hex and overflowing exponents are 400s."""
    value = value.strip()
    if not value:
        return None
    f = float(value) if len(value) <= 40 and _NUMBER_RE.fullmatch(value) else math.nan
    if not math.isfinite(f):
        raise Open311Error(400, _("%(name)s 不是有效的坐标。") % {"name": name})
    if abs(f) > bound:
        raise Open311Error(400, _("%(name)s 超出范围。") % {"name": name})
    return Decimal(f"{f:.6f}")


def _email(value: str) -> str:
    """The optional e-mail: Django's validator and the 254 characters of RFC 5321 (the model field)."""
    value = value.strip()
    if not value:
        return ""
    if len(value) > 254:
        raise Open311Error(400, _("email 过长（不超过254个字符）。"))
    try:
        EmailValidator()(value)
    except ValidationError as e:
        raise Open311Error(400, _("email 不是有效的电子邮箱地址。")) from e
    return value


@_endpoint("GET", "POST")
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET Service Requests (with the standard filters) or POST Service Request (api_key required)."""
    if request.method == "POST":
        return _post_request(request, fmt)
    region = _jurisdiction(request)
    qs = _base(region)
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        qs = qs.filter(number__in=ids)
    else:
        if code := request.GET.get("service_code", ""):
            qs = qs.filter(service__service_code__in=[c.strip() for c in code.split(",")])
        start = _dt(request.GET["start_date"], "start_date") if request.GET.get("start_date") else None
        end = _dt(request.GET["end_date"], "end_date") if request.GET.get("end_date") else None
        if start is None and end is None:
            start = timezone.now() - MAX_SPAN  # the standard's default window
        if start is not None and end is not None:
            if start > end:
                raise Open311Error(400, _("start_date 不能晚于 end_date。"))
            if end - start > MAX_SPAN:
                raise Open311Error(400, _("start_date 与 end_date 相隔不能超过90天。"))
        if start is not None:
            qs = qs.filter(received_at__gte=start)
        if end is not None:
            qs = qs.filter(received_at__lte=end)
        statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status 只能是 open 或 closed。"))
        if statuses == {"open"}:
            qs = qs.exclude(status__in=list(CLOSED_STATUSES))
        elif statuses == {"closed"}:
            qs = qs.filter(status__in=list(CLOSED_STATUSES))
    return _render(fmt, "service_requests", "request", [_request_row(c) for c in qs[:MAX_RESULTS]])


@throttle("open311_post", on_limit=lambda request, fmt, message: _error(fmt, Open311Error(429, message)))
def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    key = api_key_check(_param(request, "api_key"))
    if key is None:
        raise Open311Error(403, _("api_key 缺失或无效。"))
    region = _jurisdiction(request)
    if key.tenant_id != region.pk:
        raise Open311Error(403, _("该 api_key 不属于此 jurisdiction_id。"))
    code = request.POST.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("缺少 service_code。"))
    service = Open311Service.objects.filter(tenant=region, is_active=True, service_code=code).first()
    if service is None:
        raise Open311Error(404, _("服务编码不存在：%(code)s") % {"code": code})
    lat = _decimal(request.POST.get("lat", ""), "lat", 90)
    long = _decimal(request.POST.get("long", ""), "long", 180)
    address = request.POST.get("address_string", "").strip()[:200]
    if (lat is None or long is None) and not address and not request.POST.get("address_id"):
        raise Open311Error(400, _("请提供位置：lat 与 long，或 address_string。"))
    media_url = request.POST.get("media_url", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError as e:
            raise Open311Error(400, _("media_url 不是有效的图片链接。")) from e
        if len(media_url) > 200:
            raise Open311Error(400, _("media_url 图片链接过长（不超过200个字符）。"))
    email = _email(request.POST.get("email", ""))
    name = (request.POST.get("last_name", "") + request.POST.get("first_name", "")).strip()
    phone = request.POST.get("phone", "").strip()
    anonymous = not (name and phone)
    description = request.POST.get("description", "").strip()
    where = address or (
        f"{lat}, {long}" if lat is not None and long is not None else request.POST.get("address_id", "")
    )
    title = f"{service.service_name}：{address or description[:30] or where}"
    if len(description) < 10:
        # description is optional in GeoReport v2: a bare request still states what and where
        description = _("%(service)s（位置：%(where)s）%(text)s") % {
            "service": service.service_name,
            "where": where,
            "text": description,
        }
    try:
        reg = complaint_intake(
            region=region,
            channel=Channel.OPEN311,
            kind=service.kind,
            title=title[:200],
            content=description,
            anonymous=anonymous,
            hide_from_department=False,
            name=name,
            phone=phone,
            email=email,
            case_number="",
            case=None,
            staff=None,
            department=service.department,
            actor=None,
            registered_by=None,
            complainant_user=None,
            service=service,
            lat=lat,
            long=long,
            address=address,
            media_url=media_url,
        )
    except ValidationError as e:
        msgs = [m for ms in e.message_dict.values() for m in ms] if hasattr(e, "error_dict") else e.messages
        raise Open311Error(400, "；".join(msgs)) from e
    row = {
        "service_request_id": reg.complaint.number,
        "service_notice": _("将在%(days)d个工作日内决定是否受理。") % {"days": accept_days()},
        "account_id": None,
    }
    return _render(fmt, "service_requests", "request", [row], status=201)


@_endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    """GET Service Request: one request by its id (always a list, as the standard says)."""
    region = _jurisdiction(request)
    c = _base(region).filter(number=request_id).first()
    if c is None:
        raise Open311Error(404, _("服务请求不存在：%(id)s") % {"id": request_id})
    return _render(fmt, "service_requests", "request", [_request_row(c)])
