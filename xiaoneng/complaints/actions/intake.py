"""Intake (CMP-1's first step): the public form and API (`complaint_submit`, anyone, named or
anonymous, idempotent), the office's registration of calls, letters and media reports
(`complaint_register`), and the Open311 endpoint (`complaint_intake`). Every new complaint starts
its acceptance Clock (CMP-2: 5 working days)."""

from __future__ import annotations

__all__ = [
    "MAX_ATTACHMENTS",
    "PHONE_RE",
    "Registered",
    "complaint_intake",
    "complaint_register",
    "complaint_submit",
    "complaint_submit_check",
    "complaint_submitted_with",
    "intake_clean",
]

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.cases.models import Case
from xiaoneng.complaints.actions.loop import office_url, office_users, text_clean
from xiaoneng.complaints.choices import Channel, Kind
from xiaoneng.complaints.clocks import CLOCK_ACCEPT, accept_days
from xiaoneng.complaints.codes import CODE_ALPHABET, code_for_key, code_hash, idempotency_hash
from xiaoneng.complaints.models import Complaint, ComplaintAttachment
from xiaoneng.complaints.permissions import require_office
from xiaoneng.core.services import notify, tracking_number_next
from xiaoneng.core.trail import event_append
from xiaoneng.core.uploads import upload_check
from xiaoneng.orgs.models import Department, Region, User
from xiaoneng.workdays.services import clock_start

PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


@dataclass(frozen=True)
class Registered:
    complaint: Complaint
    code: str  # shown once; only its hash is stored
    replayed: bool = False  # the same idempotency key was submitted before: this is the first complaint


MAX_ATTACHMENTS = 5


def intake_clean(
    *,
    region: Region,
    channel: str,
    kind: str,
    title: str,
    content: str,
    anonymous: bool,
    hide_from_department: bool,
    name: str,
    phone: str,
    email: str,
    case_number: str,
    case: Any,
    department: Department | None,
    complainant_user: User | None,
    files: Sequence[Any] = (),
) -> dict[str, Any]:
    """Every intake rule, checked in one round (issue 9): all the messages by field at once, never
    the first one only. Returns the cleaned values."""
    errors: dict[str, list[str]] = {}

    def add(field: str, exc: ValidationError) -> None:
        errors.setdefault(field, []).extend(exc.messages)

    if channel not in Channel.values:
        errors.setdefault("channel", []).append(_("来源渠道不正确。"))
    if kind not in Kind.values:
        errors.setdefault("kind", []).append(_("请选择投诉类型。"))
    try:
        title = text_clean(title, field="title", label=_("标题"), max_length=200, min_length=2)
    except ValidationError as e:
        add("title", e)
    try:
        content = text_clean(content, field="content", label=_("内容"), max_length=5000, min_length=10)
    except ValidationError as e:
        add("content", e)
    name, phone = (name or "").strip(), (phone or "").strip().replace(" ", "")
    if anonymous:
        # anonymous: nothing that identifies the complainant is kept, so no callback is possible
        name, phone, email, complainant_user = "", "", "", None
        hide_from_department = True
    else:
        if not name:
            errors.setdefault("name", []).append(_("实名投诉请填写姓名，或选择匿名投诉。"))
        elif len(name) > 100:
            errors.setdefault("name", []).append(_("姓名不能超过100个字。"))
        if not phone:
            errors.setdefault("phone", []).append(_("实名投诉请填写联系电话，以便回访。"))
    if phone and not PHONE_RE.match(phone):
        errors.setdefault("phone", []).append(_("联系电话格式不正确。"))
    case_number = (case_number or "").strip()
    if case is None and case_number:
        case = Case.objects.filter(tracking_number=case_number[:40]).select_related("department").first()
        if case is None:
            errors.setdefault("case_number", []).append(_("办件编号不存在，请核对后重新填写。"))
    if case is not None and department is None:
        department = case.department
    if department is not None and department.tenant_id != region.tenant_id:
        errors.setdefault("department", []).append(_("被投诉部门不属于本辖区。"))
    if len(files) > MAX_ATTACHMENTS:
        errors.setdefault("attachments", []).append(_("最多上传%(n)d个附件。") % {"n": MAX_ATTACHMENTS})
    for f in files:
        try:
            upload_check(f)
        except ValidationError as e:
            add("attachments", e)
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "content": content,
        "name": name,
        "phone": phone,
        "email": (email or "").strip(),
        "anonymous": anonymous,
        "hide_from_department": hide_from_department,
        "case": case,
        "department": department,
        "complainant_user": complainant_user,
    }


def complaint_intake(
    *,
    region: Region,
    channel: str,
    kind: str,
    title: str,
    content: str,
    anonymous: bool,
    hide_from_department: bool,
    name: str,
    phone: str,
    email: str,
    case_number: str,
    case: Any,
    staff: User | None,
    department: Department | None,
    actor: Any,
    registered_by: User | None,
    complainant_user: User | None,
    service: Any = None,
    lat: Any = None,
    long: Any = None,
    address: str = "",
    media_url: str = "",
    files: Sequence[Any] = (),
    idempotency_key: str | None = None,
) -> Registered:
    """Register one complaint. `idempotency_key` is the hashed key (see `idempotency_hash`): the
    unique constraint on it makes two concurrent submissions with one key create one complaint."""
    cleaned = intake_clean(
        region=region,
        channel=channel,
        kind=kind,
        title=title,
        content=content,
        anonymous=anonymous,
        hide_from_department=hide_from_department,
        name=name,
        phone=phone,
        email=email,
        case_number=case_number,
        case=case,
        department=department,
        complainant_user=complainant_user,
        files=files,
    )
    title, content, name, phone, email = (cleaned[k] for k in ("title", "content", "name", "phone", "email"))
    hide_from_department, case, department = (cleaned[k] for k in ("hide_from_department", "case", "department"))
    complainant_user = cleaned["complainant_user"]
    now = timezone.now()
    tenant = Region.objects.get(pk=region.tenant_id or region.pk)
    code = (
        code_for_key(idempotency_key) if idempotency_key else "".join(secrets.choice(CODE_ALPHABET) for _i in range(6))
    )
    with transaction.atomic():
        number = tracking_number_next(tenant=tenant, prefix="TS")
        c = Complaint.objects.create(
            tenant_id=tenant.pk,
            number=number,
            verification_hash=code_hash(number, code),
            region=region,
            channel=channel,
            kind=kind,
            title=title,
            content=content,
            anonymous=anonymous,
            hide_from_department=hide_from_department,
            complainant_name=name,
            complainant_phone=phone,
            complainant_email=(email or "").strip(),
            complainant_user=complainant_user,
            registered_by=registered_by,
            case=case,
            staff=staff,
            department=department,
            service=service,
            lat=lat,
            long=long,
            address=address,
            media_url=media_url,
            received_at=now,
            idempotency_key=idempotency_key or None,
        )
        _attachments_store(c, files)
        # CMP-2: decide whether to accept within 5 working days
        c.accept_clock = clock_start(
            owner=c,
            kind=CLOCK_ACCEPT,
            label=_("投诉受理：%(number)s") % {"number": number},
            limit=accept_days(),
            started_at=now,
            tenant_id=c.tenant_id,
            legal_basis=_("5个工作日内决定是否受理"),  # CMP-2
            actor=actor,
        )
        c.save(update_fields=["accept_clock", "updated_at"])
        event_append(
            subject=c,
            action="complaint.registered",
            actor=actor,
            after={"status": c.status, "channel": channel, "kind": kind, "anonymous": anonymous},
        )
        notify(
            recipients=office_users(c),
            title=_("新投诉工单待受理：%(number)s") % {"number": number},
            body=title,
            url=office_url(c),
            channels=("inbox",),
        )
    return Registered(c, code)


def _default_region(department: Department | None) -> Region:
    if department is not None:
        return department.region
    region = Region.objects.filter(parent__isnull=True).order_by("id").first()
    if region is None:
        raise ValidationError(_("系统尚未设置行政区划。"))
    return region


def _attachments_store(c: Complaint, files: Sequence[Any]) -> list[ComplaintAttachment]:
    rows = []
    for f in files:
        original = PurePath(getattr(f, "name", "") or "").name[:200] or "file"
        ext = PurePath(original).suffix.lower()[:10]
        f.seek(0)
        row = ComplaintAttachment(
            complaint=c,
            original_name=original,
            size=int(getattr(f, "size", 0) or 0),
            content_type=(getattr(f, "content_type", "") or "application/octet-stream")[:100],
        )
        row.file.save(f"t{c.pk}-{secrets.token_hex(8)}{ext}", f, save=False)
        row.save()
        rows.append(row)
    return rows


def _replay(key_hash: str) -> Registered | None:
    first = Complaint.objects.filter(idempotency_key=key_hash).first()
    return Registered(first, code_for_key(key_hash), replayed=True) if first is not None else None


def complaint_submitted_with(idempotency_key: str, scope: str = "form") -> Registered | None:
    """The complaint already submitted with this one-time token / Idempotency-Key, if any."""
    return _replay(idempotency_hash(scope, idempotency_key)) if idempotency_key else None


def complaint_submit_check(
    *,
    kind: str,
    title: str,
    content: str,
    actor: Any = None,
    anonymous: bool = False,
    hide_from_department: bool = False,
    name: str = "",
    phone: str = "",
    email: str = "",
    case_number: str = "",
    department: Department | None = None,
    region: Region | None = None,
    files: Sequence[Any] = (),
) -> None:
    """Every rule `complaint_submit` applies, without writing: the public form calls it even when some
    fields failed already, so that the complainant sees every problem in one round (issue 9)."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    intake_clean(
        region=region or _default_region(department),
        channel=Channel.WEB,
        kind=kind,
        title=title,
        content=content,
        anonymous=anonymous,
        hide_from_department=hide_from_department,
        name=name,
        phone=phone,
        email=email,
        case_number=case_number,
        case=None,
        department=department,
        complainant_user=user,
        files=files,
    )


def complaint_submit(
    *,
    kind: str,
    title: str,
    content: str,
    actor: Any = None,
    anonymous: bool = False,
    hide_from_department: bool = False,
    name: str = "",
    phone: str = "",
    email: str = "",
    case_number: str = "",
    department: Department | None = None,
    region: Region | None = None,
    files: Sequence[Any] = (),
    idempotency_key: str = "",
    idempotency_scope: str = "form",
) -> Registered:
    """The public web form (and the public API): anyone may complain, signed in or not, named or
    anonymous, with up to MAX_ATTACHMENTS files.

    `idempotency_key` (issue 9) is the form's one-time token or the API's Idempotency-Key header: a
    second submission with the same key — a refresh, a double click, a client's retry, even two at
    once — returns the first complaint (`replayed=True`, the same tracking code) and writes nothing."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    key_hash = idempotency_hash(idempotency_scope, idempotency_key) if idempotency_key else None
    if key_hash is not None and (first := _replay(key_hash)) is not None:
        return first
    try:
        return complaint_intake(
            region=region or _default_region(department),
            channel=Channel.WEB,
            kind=kind,
            title=title,
            content=content,
            anonymous=anonymous,
            hide_from_department=hide_from_department,
            name=name,
            phone=phone,
            email=email,
            case_number=case_number,
            case=None,
            staff=None,
            department=department,
            actor=user,
            registered_by=None,
            complainant_user=user if not anonymous else None,
            files=files,
            idempotency_key=key_hash,
        )
    except IntegrityError:
        # a concurrent submission with the same key committed first (the unique constraint held)
        if key_hash is not None and (first := _replay(key_hash)) is not None:
            return first
        raise


def complaint_register(
    *,
    actor: User,
    channel: str,
    kind: str,
    title: str,
    content: str,
    anonymous: bool = False,
    hide_from_department: bool = False,
    name: str = "",
    phone: str = "",
    case_number: str = "",
    staff: User | None = None,
    department: Department | None = None,
) -> Registered:
    """An operator of the efficiency office registers a hotline call, a mayor's-mailbox letter, a media
    report or an in-hall complaint."""
    require_office(actor)
    if channel in (Channel.WEB, Channel.OPEN311):
        raise ValidationError({"channel": _("请选择热线、市长信箱、媒体曝光或大厅现场。")})
    if staff is not None and department is None:
        department = staff.department
    if staff is not None and department is not None and staff.department_id != department.pk:
        raise ValidationError({"staff": _("被投诉工作人员不属于所选的被投诉部门。")})
    return complaint_intake(
        region=actor.region if actor.region is not None else _default_region(department),
        channel=channel,
        kind=kind,
        title=title,
        content=content,
        anonymous=anonymous,
        hide_from_department=hide_from_department,
        name=name,
        phone=phone,
        email="",
        case_number=case_number,
        case=None,
        staff=staff,
        department=department,
        actor=actor,
        registered_by=actor,
        complainant_user=None,
    )
