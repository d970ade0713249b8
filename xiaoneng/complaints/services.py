"""Every write to complaints and work orders (conventions §2). The closed loop (CMP-1):

register → accept or refuse (5 working days, CMP-2; CMP-3 refusals say where to go) → dispatch (with
a suggestion from DispatchRule) → the department may return within 2 working days → reply within 5
working days (extension ≤ 10) → callback → satisfied: close / unsatisfied: reopen. Each limit is a
Clock (kinds complaint.accept, complaint.return, complaint.reply) that supervision watches; an order
that runs out escalates up the supervisor chain (complaints_escalate, a periodic task).
"""

from __future__ import annotations

__all__ = [
    "CLOCK_ACCEPT",
    "CLOCK_REPLY",
    "CLOCK_RETURN",
    "MAX_ATTACHMENTS",
    "Suggestion",
    "accountability_record_open",
    "api_key_check",
    "api_key_create",
    "can_handle",
    "can_office",
    "complaint_accept",
    "complaint_callback",
    "complaint_close",
    "complaint_dispatch",
    "complaint_extend",
    "complaint_merge",
    "complaint_refuse",
    "complaint_register",
    "complaint_reply",
    "complaint_return",
    "complaint_submit",
    "complaint_submit_check",
    "complaint_submitted_with",
    "complaint_suggest",
    "complaints_escalate",
    "figures_publish",
    "verification_check",
]

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.scoping import restrict
from xiaoneng.core.services import notify, tracking_number_next
from xiaoneng.core.trail import event_append
from xiaoneng.core.uploads import upload_check
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import Department, Region, User
from xiaoneng.workdays.choices import ClockStatus, ExtensionKind
from xiaoneng.workdays.escalation import Audience, Track, escalation_decide
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_extend, clock_start, clock_stop

from .choices import (
    OFFICE_ROLES,
    SATISFIED,
    TRANSITIONS,
    WHERE_TO_GO,
    Channel,
    Kind,
    RefusalReason,
    Sanction,
    Satisfaction,
    Status,
)
from .models import (
    AccountabilityRecord,
    ApiKey,
    Complaint,
    ComplaintAttachment,
    ComplaintCallback,
    ComplaintReply,
    ComplaintReturn,
    DispatchRule,
)

CLOCK_ACCEPT = "complaint.accept"
CLOCK_RETURN = "complaint.return"
CLOCK_REPLY = "complaint.reply"
PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def accept_days() -> int:
    return _days("XIAONENG_COMPLAINT_ACCEPT_DAYS", 5)  # CMP-2


def return_days() -> int:
    return _days("XIAONENG_COMPLAINT_RETURN_DAYS", 2)  # CMP-2


def reply_days() -> int:
    return _days("XIAONENG_COMPLAINT_REPLY_DAYS", 5)  # CMP-2


def max_extension_days() -> int:
    return _days("XIAONENG_COMPLAINT_MAX_EXTENSION_DAYS", 10)  # CMP-2


def oversight_threshold() -> int:
    return _days("XIAONENG_COMPLAINT_OVERSIGHT_REPORTS", 3)


# --- permissions ---------------------------------------------------------------------------------


def can_office(actor: Any, complaint: Complaint | None = None) -> bool:
    """The efficiency office (or a leader) of the complaint's region or a region above it."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if actor.role not in OFFICE_ROLES:
        return False
    if complaint is None:
        return actor.region_id is not None
    return restrict(Complaint.objects.filter(pk=complaint.pk), actor).exists()


def can_handle(actor: Any, complaint: Complaint) -> bool:
    """Staff of the department the order was dispatched to."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return (
        actor.role in DEPARTMENT_ROLES
        and complaint.handling_department_id is not None
        and actor.department_id == complaint.handling_department_id
    )


def _require_office(actor: Any, complaint: Complaint | None = None) -> None:
    if not can_office(actor, complaint):
        raise PermissionDenied(_("只有效能办（投诉受理机构）可以执行此操作。"))


# --- helpers -------------------------------------------------------------------------------------


def _hash_code(number: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"complaint:{number}:{code.strip().upper()}".encode(), hashlib.sha256).hexdigest()


def verification_check(complaint: Complaint, code: str) -> bool:
    """The public look-up: only the holder of the code learns anything about the complaint (CMP-1)."""
    return hmac.compare_digest(complaint.verification_hash, _hash_code(complaint.number, code or ""))


def _move(c: Complaint, to: str) -> str:
    """CMP-1: one transition table decides every move."""
    if to not in TRANSITIONS[c.status]:
        raise ValidationError(
            _("工单当前状态为“%(status)s”，不能执行该操作。") % {"status": c.get_status_display()}, code="state"
        )
    before = c.status
    c.status = to
    return before


def _locked(c: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=c.pk)


def _office_url(c: Complaint) -> str:
    return reverse("complaints:office_detail", args=[c.pk])


def _dept_url(c: Complaint) -> str:
    return reverse("complaints:department_detail", args=[c.pk])


def _office_users(c: Complaint) -> list[User]:
    return list(User.objects.filter(role=Role.SUPERVISOR, is_active=True, region_id=c.region_id))


def _dept_users(department_id: int | None) -> list[User]:
    if department_id is None:
        return []
    return list(User.objects.filter(role__in=DEPARTMENT_ROLES, is_active=True, department_id=department_id))


def _stop(clock: Clock | None, actor: Any, *, cancelled: bool = False, at: datetime | None = None) -> None:
    if clock is not None and clock.status in (ClockStatus.RUNNING, ClockStatus.PAUSED):
        clock_stop(clock=clock, actor=actor, cancelled=cancelled, at=at)


def _clean_text(value: str, *, field: str, label: str, max_length: int, min_length: int = 1) -> str:
    value = (value or "").strip()
    if len(value) < min_length:
        raise ValidationError({field: _("请填写%(label)s（至少%(n)d个字）。") % {"label": label, "n": min_length}})
    if len(value) > max_length:
        raise ValidationError({field: _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": max_length}})
    return value


# --- intake --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registered:
    complaint: Complaint
    code: str  # shown once; only its hash is stored
    replayed: bool = False  # the same idempotency key was submitted before: this is the first complaint


MAX_ATTACHMENTS = 5


def _idempotency_hash(scope: str, key: str) -> str:
    """The stored form of a submission token / Idempotency-Key, namespaced by where it came from."""
    return hashlib.sha256(f"complaint:{scope}:{key}".encode()).hexdigest()


def _code_for_key(key_hash: str) -> str:
    """The tracking code of a submission made with an idempotency key is derived from the key (keyed
    with SECRET_KEY), so a replay by the key's holder gets the same code back although only its hash
    is stored; nobody without the key can compute it."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"complaint-code:{key_hash}".encode(), hashlib.sha256).digest()
    return "".join(_CODE_ALPHABET[b % len(_CODE_ALPHABET)] for b in digest[:6])


def _intake_clean(
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
        title = _clean_text(title, field="title", label=_("标题"), max_length=200, min_length=2)
    except ValidationError as e:
        add("title", e)
    try:
        content = _clean_text(content, field="content", label=_("内容"), max_length=5000, min_length=10)
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
        from xiaoneng.cases.models import Case

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


def _intake(
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
    """Register one complaint. `idempotency_key` is the hashed key (see `_idempotency_hash`): the
    unique constraint on it makes two concurrent submissions with one key create one complaint."""
    cleaned = _intake_clean(
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
        _code_for_key(idempotency_key)
        if idempotency_key
        else "".join(secrets.choice(_CODE_ALPHABET) for _i in range(6))
    )
    with transaction.atomic():
        number = tracking_number_next(tenant=tenant, prefix="TS")
        c = Complaint.objects.create(
            tenant_id=tenant.pk,
            number=number,
            verification_hash=_hash_code(number, code),
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
            recipients=_office_users(c),
            title=_("新投诉工单待受理：%(number)s") % {"number": number},
            body=title,
            url=_office_url(c),
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
    return Registered(first, _code_for_key(key_hash), replayed=True) if first is not None else None


def complaint_submitted_with(idempotency_key: str, scope: str = "form") -> Registered | None:
    """The complaint already submitted with this one-time token / Idempotency-Key, if any."""
    return _replay(_idempotency_hash(scope, idempotency_key)) if idempotency_key else None


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
    _intake_clean(
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
    key_hash = _idempotency_hash(idempotency_scope, idempotency_key) if idempotency_key else None
    if key_hash is not None and (first := _replay(key_hash)) is not None:
        return first
    try:
        return _intake(
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
    _require_office(actor)
    if channel in (Channel.WEB, Channel.OPEN311):
        raise ValidationError({"channel": _("请选择热线、市长信箱、媒体曝光或大厅现场。")})
    if staff is not None and department is None:
        department = staff.department
    if staff is not None and department is not None and staff.department_id != department.pk:
        raise ValidationError({"staff": _("被投诉工作人员不属于所选的被投诉部门。")})
    return _intake(
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


# --- accept / refuse -----------------------------------------------------------------------------


def complaint_accept(*, complaint: Complaint, actor: User) -> Complaint:
    """CMP-2: accepted within 5 working days; the acceptance clock stops."""
    _require_office(actor, complaint)
    with transaction.atomic():
        c = _locked(complaint)
        before = _move(c, Status.ACCEPTED)
        c.accepted_at = timezone.now()
        c.save(update_fields=["status", "accepted_at", "updated_at"])
        _stop(c.accept_clock, actor)
        event_append(
            subject=c, action="complaint.accepted", actor=actor, before={"status": before}, after={"status": c.status}
        )
    return c


def complaint_refuse(*, complaint: Complaint, actor: User, reason: str, note: str = "") -> Complaint:
    """CMP-3: refuse a matter that belongs elsewhere; the reply says where to go instead."""
    _require_office(actor, complaint)
    if reason not in RefusalReason.values:
        raise ValidationError({"reason": _("请选择不予受理的理由。")})
    where = str(WHERE_TO_GO[RefusalReason(reason)])
    text = (where + ("\n" + note.strip() if note.strip() else "")).strip()
    with transaction.atomic():
        c = _locked(complaint)
        before = _move(c, Status.REFUSED)
        c.refused_at = timezone.now()
        c.refusal_reason = reason
        c.refusal_note = text
        c.closed_at = c.refused_at
        c.save(update_fields=["status", "refused_at", "refusal_reason", "refusal_note", "closed_at", "updated_at"])
        _stop(c.accept_clock, actor)
        event_append(
            subject=c,
            action="complaint.refused",
            actor=actor,
            before={"status": before},
            after={"status": c.status, "reason": reason},
            reason=text,
        )
        if c.complainant_user_id:
            notify(
                recipients=[c.complainant_user],
                title=_("您的投诉 %(number)s 不予受理") % {"number": c.number},
                body=f"{RefusalReason(reason).label}。{text}",
                url=reverse("complaints:track"),
            )
    return c


# --- dispatch ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    department: Department
    reason: str
    rule: DispatchRule | None = None


def complaint_suggest(complaint: Complaint) -> Suggestion | None:
    """Suggest the department to dispatch to: the first active DispatchRule (by priority) whose
    department matches the one complained about (or the linked case's item) and whose keywords occur
    in the text; otherwise the department complained about. The office decides."""
    text = f"{complaint.title}\n{complaint.content}"
    about = {d for d in (complaint.department_id, getattr(complaint.case, "department_id", None)) if d}
    if complaint.case_id is not None:
        item_dept = getattr(getattr(complaint.case, "item", None), "department_id", None)
        if item_dept:
            about.add(item_dept)
    rules = DispatchRule.objects.filter(tenant_id=complaint.tenant_id, is_active=True).select_related("target")
    for rule in rules:
        if rule.kind and rule.kind != complaint.kind:
            continue
        keywords = rule.keyword_list()
        if rule.about_department_id is None and not keywords:
            continue
        if rule.about_department_id is not None and rule.about_department_id not in about:
            continue
        hits = [k for k in keywords if k in text]
        if keywords and not hits:
            continue
        why = _("规则“%(name)s”") % {"name": rule.name}
        if hits:
            why += _("（关键词：%(words)s）") % {"words": "、".join(hits)}
        return Suggestion(rule.target, why, rule)
    if complaint.department is not None:
        return Suggestion(complaint.department, _("被投诉部门"))
    return None


def complaint_dispatch(*, complaint: Complaint, actor: User, department: Department, note: str = "") -> Complaint:
    """Dispatch (派单) to a department: it may return a mis-dispatched order within 2 working days
    and must reply within 5 working days (CMP-2); both are Clocks."""
    _require_office(actor, complaint)
    if department.tenant_id != complaint.tenant_id:
        raise ValidationError({"department": _("承办部门不属于本辖区。")})
    with transaction.atomic():
        c = _locked(complaint)
        before = _move(c, Status.DISPATCHED)
        now = timezone.now()
        c.handling_department = department
        c.dispatched_at = now
        c.dispatch_note = note.strip()
        c.escalation_level = 0
        c.return_clock = clock_start(
            owner=c,
            kind=CLOCK_RETURN,
            label=_("退单期限：%(number)s") % {"number": c.number},
            limit=return_days(),
            started_at=now,
            department=department,
            legal_basis=_("派错的工单2个工作日内退回"),  # CMP-2
            actor=actor,
        )
        c.reply_clock = clock_start(
            owner=c,
            kind=CLOCK_REPLY,
            label=_("投诉答复：%(number)s") % {"number": c.number},
            limit=reply_days(),
            started_at=now,
            department=department,
            legal_basis=_("派单之日起5个工作日内答复"),  # CMP-2
            actor=actor,
        )
        c.save(
            update_fields=[
                "status",
                "handling_department",
                "dispatched_at",
                "dispatch_note",
                "escalation_level",
                "return_clock",
                "reply_clock",
                "updated_at",
            ]
        )
        event_append(
            subject=c,
            action="complaint.dispatched",
            actor=actor,
            before={"status": before},
            after={"status": c.status, "department": department.pk},
            reason=c.dispatch_note,
        )
        notify(
            recipients=_dept_users(department.pk),
            title=_("新派单：%(number)s") % {"number": c.number},
            body=_("请在%(days)d个工作日内答复；派错的工单请在%(ret)d个工作日内退回。")
            % {"days": reply_days(), "ret": return_days()},
            url=_dept_url(c),
        )
    return c


def complaint_return(*, complaint: Complaint, actor: User, reasons: str) -> Complaint:
    """CMP-2: the department returns a mis-dispatched order within 2 working days, with reasons.
    After the window the return is refused: the department must handle it."""
    complaint = Complaint.objects.get(pk=complaint.pk)
    if not can_handle(actor, complaint):
        raise PermissionDenied(_("只有承办部门可以退单。"))
    reasons = _clean_text(reasons, field="reasons", label=_("退单理由"), max_length=2000, min_length=4)
    with transaction.atomic():
        c = _locked(complaint)
        clock = Clock.objects.get(pk=c.return_clock_id) if c.return_clock_id else None
        now = timezone.now()
        if clock is None or clock.due_at is None or now > clock.due_at or clock.status == ClockStatus.STOPPED:
            raise ValidationError(
                _("已超过派单后%(days)d个工作日的退单期限，不能退单，请依法办理。") % {"days": return_days()}
            )
        department = c.handling_department
        assert department is not None  # a dispatched order has one
        before = _move(c, Status.RETURNED)
        c.return_count += 1
        c.handling_department = None
        c.save(update_fields=["status", "return_count", "handling_department", "updated_at"])
        ComplaintReturn.objects.create(complaint=c, department=department, reasons=reasons, returned_by=actor)
        _stop(clock, actor)
        reply_clock = Clock.objects.get(pk=c.reply_clock_id) if c.reply_clock_id else None
        _stop(reply_clock, actor, cancelled=True)
        event_append(
            subject=c,
            action="complaint.returned",
            actor=actor,
            before={"status": before, "department": department.pk if department else None},
            after={"status": c.status},
            reason=reasons,
        )
        notify(
            recipients=_office_users(c),
            title=_("工单被退回：%(number)s") % {"number": c.number},
            body=reasons,
            url=_office_url(c),
        )
    return c


def complaint_extend(*, complaint: Complaint, actor: User, days: int, reason: str) -> Complaint:
    """CMP-2: the reply limit may be extended, at most 10 working days in all, with the office's approval."""
    _require_office(actor, complaint)
    complaint = Complaint.objects.get(pk=complaint.pk)
    if complaint.reply_clock_id is None or complaint.status != Status.DISPATCHED:
        raise ValidationError(_("只有办理中的工单可以延期。"))
    clock = Clock.objects.get(pk=complaint.reply_clock_id)
    if days <= 0 or clock.extension_total + days > max_extension_days():
        raise ValidationError(
            {
                "days": _("延期合计不能超过%(max)d个工作日（已延期%(used)d个）。")
                % {"max": max_extension_days(), "used": clock.extension_total}
            }
        )
    with transaction.atomic():
        clock_extend(clock=clock, days=days, kind=ExtensionKind.OTHER, reason=reason, approver=actor)
        event_append(subject=complaint, action="complaint.extended", actor=actor, after={"days": days}, reason=reason)
    return complaint


def complaint_reply(*, complaint: Complaint, actor: User, text: str, substantiated: bool | None = None) -> Complaint:
    """The department replies (CMP-2: within 5 working days of dispatch). A substantiated efficiency
    complaint opens a Rectification in oversight (the third spine)."""
    complaint = Complaint.objects.get(pk=complaint.pk)
    office = can_office(actor, complaint) and complaint.status in (Status.ACCEPTED, Status.RETURNED)
    if not (can_handle(actor, complaint) or office):
        raise PermissionDenied(_("只有承办部门可以答复该工单。"))
    text = _clean_text(text, field="text", label=_("答复内容"), max_length=5000, min_length=10)
    if complaint.kind == Kind.EFFICIENCY and substantiated is None and not office:
        raise ValidationError({"substantiated": _("请说明投诉是否属实。")})
    with transaction.atomic():
        c = _locked(complaint)
        if not (office or c.handling_department_id == complaint.handling_department_id):
            raise PermissionDenied(_("只有承办部门可以答复该工单。"))
        before = _move(c, Status.REPLIED)
        now = timezone.now()
        clock = Clock.objects.get(pk=c.reply_clock_id) if c.reply_clock_id and not office else None
        on_time = bool(clock is None or (clock.due_at is not None and now <= clock.due_at))
        c.replied_at = now
        c.reply = text
        c.replied_on_time = on_time if c.replied_on_time is None else (c.replied_on_time and on_time)
        c.substantiated = substantiated
        c.save(update_fields=["status", "replied_at", "reply", "replied_on_time", "substantiated", "updated_at"])
        ComplaintReply.objects.create(
            complaint=c,
            department=c.handling_department,
            round=c.reopen_count + 1,
            text=text,
            substantiated=substantiated,
            on_time=on_time,
            replied_by=actor,
        )
        _stop(clock, actor)
        if c.return_clock_id:
            _stop(Clock.objects.get(pk=c.return_clock_id), actor)
        event_append(
            subject=c,
            action="complaint.replied",
            actor=actor,
            before={"status": before},
            after={"status": c.status, "on_time": on_time, "substantiated": substantiated},
        )
        if c.kind == Kind.EFFICIENCY and substantiated:
            _open_rectification(c)
        notify(
            recipients=_office_users(c),
            title=_("工单已答复待回访：%(number)s") % {"number": c.number},
            url=_office_url(c),
            channels=("inbox",),
        )
        if c.complainant_user_id:
            notify(
                recipients=[c.complainant_user],
                title=_("您的投诉 %(number)s 已答复") % {"number": c.number},
                body=text,
                url=reverse("complaints:track"),
            )
    return c


def _open_rectification(c: Complaint) -> None:
    """A substantiated efficiency complaint becomes a rectification item (architecture: spine 3)."""
    from xiaoneng.oversight.services import rectification_open  # upward call, by design of the spine

    department = c.department or c.handling_department
    if department is None:
        return
    rectification_open(
        department=department,
        title=_("投诉属实整改：%(title)s") % {"title": c.title[:80]},
        problem=_("效能投诉 %(number)s 经核查属实：%(content)s") % {"number": c.number, "content": c.content[:500]},
        source=c,
        actor=None,  # opened by the system on the department's finding
    )


# --- callback and closure ------------------------------------------------------------------------


def complaint_callback(*, complaint: Complaint, actor: User, satisfaction: str, note: str = "") -> Complaint:
    """The office calls the complainant back: satisfied → closed; unsatisfied → reopened and sent back
    to the department with a new reply limit. Anonymous complaints cannot be called back."""
    _require_office(actor, complaint)
    if complaint.anonymous:
        raise ValidationError(_("匿名投诉无法回访，请直接办结。"))
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("请选择投诉人的满意度。")})
    with transaction.atomic():
        c = _locked(complaint)
        if c.status != Status.REPLIED:
            raise ValidationError(_("只有已答复的工单可以回访。"))
        now = timezone.now()
        ComplaintCallback.objects.create(
            complaint=c, round=c.reopen_count + 1, satisfaction=satisfaction, note=note.strip(), called_by=actor
        )
        c.callback_at = now
        c.satisfaction = satisfaction
        reopen = satisfaction not in SATISFIED and c.handling_department_id is not None
        if reopen:
            before = _move(c, Status.DISPATCHED)
            c.reopen_count += 1
            c.escalation_level = 0
            c.reply_clock = clock_start(
                owner=c,
                kind=CLOCK_REPLY,
                label=_("投诉重办答复：%(number)s") % {"number": c.number},
                limit=reply_days(),
                started_at=now,
                department=c.handling_department,
                legal_basis=_("重办之日起5个工作日内答复"),  # CMP-2
                actor=actor,
            )
            action = "complaint.reopened"
        else:
            before = _move(c, Status.CLOSED)
            c.closed_at = now
            action = "complaint.closed"
        c.save(
            update_fields=[
                "status",
                "callback_at",
                "satisfaction",
                "reopen_count",
                "escalation_level",
                "reply_clock",
                "closed_at",
                "updated_at",
            ]
        )
        event_append(
            subject=c,
            action="complaint.callback",
            actor=actor,
            after={"satisfaction": satisfaction},
            reason=note.strip(),
        )
        event_append(subject=c, action=action, actor=actor, before={"status": before}, after={"status": c.status})
        if reopen:
            notify(
                recipients=_dept_users(c.handling_department_id),
                title=_("投诉人不满意，工单重办：%(number)s") % {"number": c.number},
                body=note.strip(),
                url=_dept_url(c),
            )
    return c


def complaint_close(*, complaint: Complaint, actor: User, note: str = "") -> Complaint:
    """Close a replied complaint that cannot be called back (anonymous) — CMP-1's last step."""
    _require_office(actor, complaint)
    if not complaint.anonymous:
        raise ValidationError(_("实名投诉须经回访后办结。"))
    with transaction.atomic():
        c = _locked(complaint)
        before = _move(c, Status.CLOSED)
        c.closed_at = timezone.now()
        c.save(update_fields=["status", "closed_at", "updated_at"])
        event_append(
            subject=c,
            action="complaint.closed",
            actor=actor,
            before={"status": before},
            after={"status": c.status},
            reason=note,
        )
    return c


def complaint_merge(*, duplicate: Complaint, into: Complaint, actor: User) -> Complaint:
    """Merge a duplicate into the original. A matter reported `XIAONENG_COMPLAINT_OVERSIGHT_REPORTS`
    (3) times or more is flagged for oversight (督办) and the region's office and leaders are told."""
    _require_office(actor, duplicate)
    _require_office(actor, into)
    if duplicate.pk == into.pk:
        raise ValidationError(_("不能把工单合并到它自己。"))
    if into.status == Status.MERGED or into.merged_into_id:
        raise ValidationError(_("目标工单已被合并，请合并到原始工单。"))
    with transaction.atomic():
        first, second = sorted([duplicate.pk, into.pk])
        locked = {c.pk: c for c in Complaint.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")}
        dup, orig = locked[duplicate.pk], locked[into.pk]
        before = _move(dup, Status.MERGED)
        dup.merged_into = orig
        dup.closed_at = timezone.now()
        dup.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
        if dup.accept_clock_id:
            _stop(Clock.objects.get(pk=dup.accept_clock_id), actor, cancelled=True)
        orig.report_count += dup.report_count
        newly_flagged = orig.report_count >= oversight_threshold() and not orig.flagged_for_oversight
        if newly_flagged:
            orig.flagged_for_oversight = True
        orig.save(update_fields=["report_count", "flagged_for_oversight", "updated_at"])
        event_append(
            subject=dup, action="complaint.merged", actor=actor, before={"status": before}, after={"into": orig.number}
        )
        event_append(
            subject=orig,
            action="complaint.duplicate_added",
            actor=actor,
            after={"report_count": orig.report_count, "flagged_for_oversight": orig.flagged_for_oversight},
        )
        if newly_flagged:
            leaders = User.objects.filter(role=Role.LEADER, is_active=True, region_id=orig.region_id)
            notify(
                recipients=[*_office_users(orig), *leaders],
                title=_("重复反映事项列入督办：%(number)s") % {"number": orig.number},
                body=_("该事项已被反映%(n)d次。") % {"n": orig.report_count},
                url=_office_url(orig),
            )
    return orig


def accountability_record_open(
    *, complaint: Complaint, actor: User, sanction: str, reason: str, person: User | None = None
) -> AccountabilityRecord:
    """ACC-1: an accountability decision on a substantiated complaint."""
    _require_office(actor, complaint)
    complaint = Complaint.objects.get(pk=complaint.pk)
    if not complaint.substantiated:
        raise ValidationError(_("只有经核查属实的投诉可以启动问责。"))
    if sanction not in Sanction.values:
        raise ValidationError({"sanction": _("请选择问责方式。")})
    reason = _clean_text(reason, field="reason", label=_("问责事由"), max_length=2000, min_length=4)
    department = complaint.department or complaint.handling_department
    if department is None:
        raise ValidationError(_("该投诉没有可问责的部门。"))
    with transaction.atomic():
        rec = AccountabilityRecord.objects.create(
            tenant_id=complaint.tenant_id,
            complaint=complaint,
            department=department,
            person=person or complaint.staff,
            sanction=sanction,
            reason=reason,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        event_append(
            subject=complaint,
            action="complaint.accountability",
            actor=actor,
            after={"sanction": sanction},
            reason=reason,
        )
    return rec


# --- escalation (periodic) -----------------------------------------------------------------------


def _escalation_recipients(c: Complaint, audience: Audience | None) -> list[User]:
    """The people of the complaint's region that `audience` (the escalation policy's answer) names:
    the handling department's head, the region's efficiency office, or the region's leaders and the
    offices of every region above."""
    from xiaoneng.oversight.selectors import region_ancestor_paths

    region_path = c.region.path
    if audience == Audience.DEPT_HEAD and c.handling_department_id:
        return list(User.objects.filter(role=Role.DEPT_HEAD, is_active=True, department_id=c.handling_department_id))
    if audience in (Audience.DEPT_HEAD, Audience.OFFICE):
        return _office_users(c)
    above = [p for p in region_ancestor_paths(region_path) if p != region_path]
    return list(
        User.objects.filter(is_active=True).filter(
            Q(role=Role.LEADER, region_id=c.region_id) | Q(role=Role.SUPERVISOR, region__path__in=above)
        )
    )


def complaints_escalate(*, now: datetime | None = None) -> int:
    """Escalate overdue orders up the supervisor chain and close expired return windows. Who and
    when is supervision's one escalation policy (workdays.escalation.escalation_decide, Track.OVERDUE:
    one level per overdue day, max 3; the acceptance, which no department owes, starts at the
    office); this function does the complaint's own part: its level, its event, the notification.
    Idempotent: the level reached is stored on the complaint."""
    now = now or timezone.now()
    # the return window is a right, not an obligation: when it ends the clock simply stops at its due time
    for clock in Clock.objects.filter(kind=CLOCK_RETURN, status=ClockStatus.RUNNING, due_at__lt=now):
        clock_stop(clock=clock, at=clock.due_at)
    escalated = 0
    overdue = Clock.objects.filter(
        kind__in=[CLOCK_ACCEPT, CLOCK_REPLY], status=ClockStatus.RUNNING, due_at__lt=now
    ).only("id", "owner_id", "kind", "due_at", "tenant_id")
    by_owner = {c.owner_id: c for c in overdue}
    if not by_owner:
        return 0
    for c in Complaint.objects.filter(pk__in=list(by_owner)).select_related("region"):
        clock = by_owner[c.pk]
        if clock.pk not in (c.accept_clock_id, c.reply_clock_id) or clock.due_at is None:
            continue
        decision = escalation_decide(
            track=Track.OVERDUE,
            tenant_id=clock.tenant_id,
            kind=clock.kind,
            since=clock.due_at,
            step=c.escalation_level,
            now=now,
            has_department=clock.kind != CLOCK_ACCEPT and c.handling_department_id is not None,
        )
        level = decision.step
        if level <= c.escalation_level:
            continue
        with transaction.atomic():
            locked = _locked(c)
            if level <= locked.escalation_level:
                continue
            before = locked.escalation_level
            locked.escalation_level = level
            locked.save(update_fields=["escalation_level", "updated_at"])
            event_append(
                subject=locked,
                action="complaint.escalated",
                before={"level": before},
                after={"level": level, "clock": clock.kind},
            )
            notify(
                recipients=_escalation_recipients(c, decision.audience),
                title=_("投诉工单逾期（第%(level)d级督促）：%(number)s") % {"level": level, "number": c.number},
                body=c.title,
                url=_office_url(c),
            )
        escalated += 1
    return escalated


# --- Open311 API keys ----------------------------------------------------------------------------


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_create(*, actor: User, tenant: Region, name: str) -> tuple[ApiKey, str]:
    """Issue an Open311 API key; the clear key is returned once and only its hash is kept."""
    if not (actor.is_superuser or actor.role in (Role.ADMIN, Role.SUPERVISOR)):
        raise PermissionDenied(_("只有系统管理员或效能办可以签发接口密钥。"))
    name = _clean_text(name, field="name", label=_("客户端名称"), max_length=100)
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            tenant_id=tenant.tenant_id or tenant.pk,
            name=name,
            prefix=key[:8],
            key_hash=_key_hash(key),
            created_by=actor,
        )
        event_append(subject=api_key, action="apikey.created", actor=actor, after={"name": name, "prefix": key[:8]})
    return api_key, key


def api_key_check(key: str) -> ApiKey | None:
    if not key:
        return None
    api_key = ApiKey.objects.filter(key_hash=_key_hash(key), is_active=True).first()
    if api_key is not None:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    return api_key


# --- monthly publication (CMP-4) -----------------------------------------------------------------


_FIGURE_FIELDS = ("total", "decided", "accepted", "due_reply", "replied", "on_time", "callbacks", "satisfied")


def figures_publish(*, now: datetime | None = None, months_back: int = 24) -> int:
    """Publish the CMP-4 figures of every complete month not yet published (per jurisdiction, the
    whole and each handling department), as snapshots for the public page. Idempotent."""
    from datetime import date

    from .models import MonthlyFigure
    from .selectors import department_stats, monthly_figures

    now = now or timezone.now()
    today = timezone.localdate(now)
    this_month = today.replace(day=1)
    made = 0
    for tenant in Region.objects.filter(parent__isnull=True):
        first = (
            Complaint.objects.filter(tenant=tenant)
            .order_by("received_at")
            .values_list("received_at", flat=True)
            .first()
        )
        if first is None:
            continue
        m = max(timezone.localdate(first).replace(day=1), date(this_month.year - months_back // 12 - 1, 1, 1))
        done = set(MonthlyFigure.objects.filter(tenant=tenant, department__isnull=True).values_list("month", flat=True))
        while m < this_month:
            nxt = (m.replace(day=28) + timedelta(days=4)).replace(day=1)
            if m not in done:
                qs = Complaint.objects.filter(tenant=tenant)
                whole = [f for f in monthly_figures(qs, year=m.year) if f.label == m.strftime("%Y-%m")]
                # undispatched orders count in the whole but have no department row
                depts = [d for d in department_stats(qs, start=m, end=nxt - timedelta(days=1)) if d.key is not None]
                empty = dict.fromkeys(_FIGURE_FIELDS, 0)
                rows = [
                    MonthlyFigure(
                        tenant=tenant,
                        month=m,
                        department_id=dept_id,
                        label=label,
                        published_at=now,
                        **({k: getattr(f, k) for k in _FIGURE_FIELDS} if f is not None else empty),
                    )
                    for f, dept_id, label in [
                        (whole[0] if whole else None, None, m.strftime("%Y-%m")),
                        *[(d, d.key, d.label) for d in depts],
                    ]
                ]
                with transaction.atomic():
                    MonthlyFigure.objects.bulk_create(rows)
                made += 1
            m = nxt
    return made
