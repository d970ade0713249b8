"""Every write of the disclosure app, one keyword-only atomic function per state change
(conventions §2): check permission, validate, write, append the Event, side effects on commit.

Requests (依申请公开):
- DIS-1: answer within 20 working days of receipt (a workdays Clock, kind `disclosure.answer`), +20 once
  with the department head's approval; ONE correction request within 7 working days of receipt, the
  period restarting on receipt of the corrected request; a consultation with a third party or another
  agency (15 working days, silence = consent) pauses the period.
- DIS-2: the answer types and their grounds (choices.AnswerType, choices.Ground), each with its notice.
- Fees (政府信息公开信息处理费管理办法, 国办函〔2020〕109号): none in general; an excessive request may
  be charged by count or by pages (fee_assess); the period is paused from the fee notice to payment.

Records (主动公开): DIS-3 publication within 20 working days of the information's creation or change
(a Clock, kind `disclosure.publish`); a late publication is kept (`published_late`) and shown.
"""

from __future__ import annotations

__all__ = [
    "CLOCK_ANSWER",
    "CLOCK_CONSULTATION",
    "CLOCK_PUBLISH",
    "MAX_ATTACHMENTS",
    "Submitted",
    "appeal_record",
    "consultation_reply",
    "consultation_start",
    "consultations_deem",
    "fee_assess",
    "guide_save",
    "record_create",
    "record_publish",
    "record_update",
    "record_withdraw",
    "report_issue",
    "report_scope_title",
    "request_answer",
    "request_attach",
    "request_correction_ask",
    "request_correction_receive",
    "request_extend",
    "request_fee_notify",
    "request_fee_paid",
    "request_register",
    "request_submit",
    "request_withdraw",
]

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.params import MAX_YEAR, MIN_YEAR
from xiaoneng.core.services import notify, sms_send_later, tracking_number_next
from xiaoneng.core.trail import event_append
from xiaoneng.core.uploads import upload_check
from xiaoneng.disclosure.choices import (
    ANSWER_GROUNDS,
    TRANSITIONS,
    AnswerType,
    AppealKind,
    AppealResult,
    ApplicantKind,
    AttachmentSide,
    Channel,
    ConsultationKind,
    ConsultationOpinion,
    RecordCategory,
    RecordStatus,
    RequestStatus,
    report_row,
)
from xiaoneng.disclosure.models import (
    ActiveRecord,
    AppealRecord,
    Consultation,
    DisclosureGuide,
    DisclosureRequest,
    IssuedReport,
    RequestAttachment,
)
from xiaoneng.disclosure.permissions import (
    can_approve_extension,
    can_handle,
    can_issue_report,
    can_publish,
    is_department_staff,
    require,
)
from xiaoneng.disclosure.report import annual_report, report_data
from xiaoneng.disclosure.selectors import code_hash, report_issued
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.choices import ClockStatus, ExtensionKind, PauseReason
from xiaoneng.workdays.deadline import day_start, local_date
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_extend, clock_pause, clock_restart, clock_resume, clock_start, clock_stop

CLOCK_ANSWER = "disclosure.answer"
CLOCK_CONSULTATION = "disclosure.consultation"
CLOCK_PUBLISH = "disclosure.publish"

ANSWER_DAYS = 20  # DIS-1 第三十三条
EXTENSION_DAYS = 20  # DIS-1 第三十三条
CORRECTION_NOTICE_DAYS = 7  # DIS-1 第三十条
CONSULTATION_DAYS = 15  # DIS-1 第三十二条、第三十三条
PUBLISH_DAYS = 20  # DIS-3 第二十六条
FEE_PAYMENT_DAYS = 20  # 信息处理费管理办法 第十条
DEFAULT_CORRECTION_PERIOD = 10  # a reasonable period for the applicant (working days); the clerk may set it

PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Submitted:
    request: DisclosureRequest
    code: str  # shown once; only its hash is stored


# --- small checks --------------------------------------------------------------------------------


def _text(value: Any, *, field: str, label: str, max_length: int, min_length: int = 0) -> str:
    text = str(value if value is not None else "").strip()
    if "\x00" in text:
        raise ValidationError({field: _("%(label)s含有不允许的字符。") % {"label": label}})
    if len(text) < min_length:
        if min_length <= 1:
            raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
        raise ValidationError({field: _("%(label)s至少%(n)d个字。") % {"label": label, "n": min_length}})
    if len(text) > max_length:
        raise ValidationError({field: _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": max_length}})
    return text


def _date(value: Any, *, field: str, label: str, not_future: bool = True) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError({field: _("请填写有效的%(label)s。") % {"label": label}})
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(
            {
                field: _("%(label)s的年份须在%(min)d年至%(max)d年之间。")
                % {"label": label, "min": MIN_YEAR, "max": MAX_YEAR}
            }
        )
    if not_future and value > timezone.localdate():
        raise ValidationError({field: _("%(label)s不能晚于今天。") % {"label": label}})
    return value


def _move(req: DisclosureRequest, to: str) -> None:
    if to not in TRANSITIONS[req.status]:
        raise ValidationError(
            _("申请当前状态为“%(status)s”，不能执行此操作。") % {"status": req.get_status_display()}, code="state"
        )
    req.status = to


def _locked(req: DisclosureRequest) -> DisclosureRequest:
    return (
        DisclosureRequest.objects.select_for_update(of=("self",)).select_related("department", "clock").get(pk=req.pk)
    )


def _snapshot(req: DisclosureRequest) -> dict[str, Any]:
    return {"status": req.status, "answer_type": req.answer_type, "report_row": req.report_row}


def _tell_applicant(req: DisclosureRequest, title: str, body: str) -> None:
    if req.applicant_user_id:
        notify(recipients=[req.applicant_user], title=title, body=body, url="", channels=("inbox",))
    if req.phone and PHONE_RE.match(req.phone) and req.phone.startswith("1"):
        sms_send_later(phone=req.phone, text=f"{title} {body}".strip())


# --- intake --------------------------------------------------------------------------------------


def _intake(
    *,
    department: Department,
    channel: str,
    applicant_kind: str,
    applicant_name: str,
    id_number: str,
    phone: str,
    email: str,
    address: str,
    description: str,
    applicant_user: Any,
    registered_by: Any,
    actor: Any,
    files: Sequence[Any] = (),
) -> Submitted:
    errors: dict[str, list[str]] = {}

    def check(fn: Any, **kw: Any) -> str:
        try:
            return str(fn(**kw))
        except ValidationError as e:
            for k, v in e.message_dict.items():
                errors.setdefault(k, []).extend(v)
            return ""

    if not isinstance(department, Department):
        errors.setdefault("department", []).append(_("请选择受理机关。"))
    if channel not in Channel.values:
        errors.setdefault("channel", []).append(_("申请方式不正确。"))
    if applicant_kind not in ApplicantKind.values:
        errors.setdefault("applicant_kind", []).append(_("请选择申请人类型。"))
    applicant_name = check(
        _text, value=applicant_name, field="applicant_name", label=_("申请人姓名或名称"), max_length=100, min_length=1
    )
    id_number = check(_text, value=id_number, field="id_number", label=_("证件号码"), max_length=30)
    phone = check(_text, value=phone, field="phone", label=_("联系电话"), max_length=20, min_length=1).replace(" ", "")
    if phone and not PHONE_RE.match(phone):
        errors.setdefault("phone", []).append(_("联系电话格式不正确。"))
    email = check(_text, value=email, field="email", label=_("电子邮箱"), max_length=254)
    address = check(_text, value=address, field="address", label=_("通信地址"), max_length=200)
    description = check(
        _text, value=description, field="description", label=_("所需信息的描述"), max_length=5000, min_length=5
    )
    errors.update(_attachments_errors(files, already=0))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        number = tracking_number_next(tenant=department.tenant, prefix="GK")
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(6))
        req = DisclosureRequest.objects.create(
            tenant_id=department.tenant_id,
            number=number,
            verification_hash=code_hash(number, code),
            department=department,
            channel=channel,
            applicant_kind=applicant_kind,
            applicant_name=applicant_name,
            id_number=id_number,
            phone=phone,
            email=email,
            address=address,
            applicant_user=applicant_user,
            registered_by=registered_by,
            description=description,
            received_at=now,
        )
        # DIS-1: 20 working days from receipt (CLK-2: counted from the next day)
        req.clock = clock_start(
            owner=req,
            kind=CLOCK_ANSWER,
            label=_("政府信息公开申请 %(number)s 答复") % {"number": number},
            limit=ANSWER_DAYS,
            statutory_limit=ANSWER_DAYS,
            started_at=now,
            department=department,
            legal_basis=_("《政府信息公开条例》第三十三条"),
            actor=actor,
        )
        req.save(update_fields=["clock", "updated_at"])
        event_append(
            subject=req,
            action="disclosure.request_received",
            actor=actor,
            after={"number": number, "channel": channel, "department": department.pk},
        )
        _attachments_store(req, files, side=AttachmentSide.APPLICANT, actor=applicant_user)
    return Submitted(request=req, code=code)


def request_submit(
    *,
    department: Department,
    applicant_kind: str,
    applicant_name: str,
    phone: str,
    description: str,
    id_number: str = "",
    email: str = "",
    address: str = "",
    actor: Any = None,
    files: Sequence[Any] = (),
) -> Submitted:
    """An online request (网上申请) by anyone, signed in or not, like a complaint; a signed-in
    applicant finds it under 我的申请, everyone follows it by number and query code. `files` (an ID
    copy, supporting documents; at most MAX_ATTACHMENTS) pass core.uploads.upload_check in the same
    round as the fields."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if user is not None and user.role != Role.APPLICANT:
        user = None  # staff register at the window (request_register), not as applicants
    return _intake(
        department=department,
        channel=Channel.ONLINE,
        applicant_kind=applicant_kind,
        applicant_name=applicant_name,
        id_number=id_number,
        phone=phone,
        email=email,
        address=address,
        description=description,
        applicant_user=user,
        registered_by=None,
        actor=user,
        files=files,
    )


def request_register(
    *,
    actor: Any,
    channel: str,
    applicant_kind: str,
    applicant_name: str,
    phone: str,
    description: str,
    id_number: str = "",
    email: str = "",
    address: str = "",
) -> Submitted:
    """A request made at the window or by letter, registered by the department's staff."""
    require(
        getattr(actor, "is_authenticated", False)
        and actor.department_id is not None
        and is_department_staff(actor, actor.department_id),
        _("只有本机关工作人员可以登记政府信息公开申请。"),
    )
    if channel not in (Channel.WINDOW, Channel.LETTER):
        raise ValidationError({"channel": _("请选择当面申请或信函申请。")})
    return _intake(
        department=actor.department,
        channel=channel,
        applicant_kind=applicant_kind,
        applicant_name=applicant_name,
        id_number=id_number,
        phone=phone,
        email=email,
        address=address,
        description=description,
        applicant_user=None,
        registered_by=actor,
        actor=actor,
    )


# --- correction (补正), DIS-1 -----------------------------------------------------------------------


def request_correction_ask(
    *, request: DisclosureRequest, actor: Any, items: str, period_days: int = DEFAULT_CORRECTION_PERIOD
) -> DisclosureRequest:
    """DIS-1 (第三十条): ONE correction request, within 7 working days of receipt, naming everything
    to correct and a reasonable period. A second one is refused. The answer period is paused until the
    corrected request arrives (and then starts again)."""
    require(can_handle(actor, request), _("只有受理机关的工作人员可以告知补正。"))
    items = _text(items, field="items", label=_("需要补正的事项"), max_length=2000, min_length=2)
    if not isinstance(period_days, int) or isinstance(period_days, bool) or not 1 <= period_days <= 30:
        raise ValidationError({"period_days": _("补正期限须为1至30个工作日。")})
    with transaction.atomic():
        req = _locked(request)
        if req.correction_asked_at is not None:
            # DIS-1: the correction is requested once (一次性告知)
            raise ValidationError(_("已经告知过一次补正，不能再次要求补正。"), code="second_correction")
        cal = get_calendar()
        today = timezone.localdate()
        latest = cal.add_working_days(local_date(req.received_at), CORRECTION_NOTICE_DAYS)
        if today > latest:
            raise ValidationError(
                _("补正应在收到申请之日起7个工作日内告知（最迟%(date)s），现已超过。") % {"date": latest},
                code="correction_late",
            )
        before = _snapshot(req)
        _move(req, RequestStatus.CORRECTION)
        now = timezone.now()
        req.correction_asked_at = now
        req.correction_items = items
        req.correction_deadline = cal.add_working_days(today, period_days)
        req.save(
            update_fields=["status", "correction_asked_at", "correction_items", "correction_deadline", "updated_at"]
        )
        if req.clock is not None and req.clock.status == ClockStatus.RUNNING:
            clock_pause(
                clock=req.clock,
                reason=PauseReason.SUPPLEMENT,
                actor=actor,
                note=items[:200],
                expected_days=period_days,
                at=now,
            )
        event_append(
            subject=req,
            action="disclosure.correction_asked",
            actor=actor,
            before=before,
            after={**_snapshot(req), "items": items, "deadline": req.correction_deadline},
        )
        _tell_applicant(
            req,
            _("政府信息公开申请 %(number)s 需要补正") % {"number": req.number},
            _("请在%(date)s前补正：%(items)s") % {"date": req.correction_deadline, "items": items[:60]},
        )
    return req


def request_correction_receive(*, request: DisclosureRequest, actor: Any, text: str) -> DisclosureRequest:
    """DIS-1: the corrected request is received; the answer period starts again from today. The
    applicant (signed in, own request) or the department's staff record it."""
    owner = bool(
        getattr(actor, "is_authenticated", False)
        and request.applicant_user_id
        and request.applicant_user_id == actor.pk
    )
    require(owner or can_handle(actor, request), _("只有申请人或受理机关的工作人员可以提交补正。"))
    text = _text(text, field="text", label=_("补正内容"), max_length=5000, min_length=2)
    with transaction.atomic():
        req = _locked(request)
        if req.status != RequestStatus.CORRECTION:
            raise ValidationError(_("该申请不在待补正状态。"), code="state")
        before = _snapshot(req)
        _move(req, RequestStatus.PROCESSING)
        now = timezone.now()
        req.correction_received_at = now
        req.correction_text = text
        req.save(update_fields=["status", "correction_received_at", "correction_text", "updated_at"])
        if req.clock is not None:
            # DIS-1: 答复期限自行政机关收到补正的申请之日起计算 — a restart, not a resume
            clock_restart(clock=req.clock, at=now, actor=actor, reason=_("收到补正后的申请，答复期限重新计算"))
        event_append(
            subject=req, action="disclosure.correction_received", actor=actor, before=before, after=_snapshot(req)
        )
    return req


# --- extension, DIS-1 --------------------------------------------------------------------------------


def request_extend(*, request: DisclosureRequest, actor: Any, reason: str) -> DisclosureRequest:
    """DIS-1 (第三十三条): +20 working days, once, with the department head's consent, before the
    period runs out; the applicant is told."""
    require(can_approve_extension(actor, request), _("延期答复须经本机关负责人同意。"))
    reason = _text(reason, field="reason", label=_("延期理由"), max_length=1000, min_length=2)
    with transaction.atomic():
        req = _locked(request)
        if not req.is_open:
            raise ValidationError(_("该申请已办结，不能延期。"), code="state")
        if req.extended_at is not None:
            raise ValidationError(_("答复期限已经延长过一次，不能再次延长。"), code="second_extension")
        clock = req.clock
        if clock is None:
            raise ValidationError(_("该申请没有答复时限。"), code="state")
        if clock.due_at is not None and timezone.now() >= clock.due_at:
            raise ValidationError(_("答复期限已经届满，不能再延期。"), code="expired")
        clock_extend(clock=clock, days=EXTENSION_DAYS, kind=ExtensionKind.AGENCY_HEAD, reason=reason, approver=actor)
        req.extended_at = timezone.now()
        req.extension_reason = reason
        req.save(update_fields=["extended_at", "extension_reason", "updated_at"])
        event_append(
            subject=req, action="disclosure.extended", actor=actor, after={"days": EXTENSION_DAYS}, reason=reason
        )
        _tell_applicant(
            req,
            _("政府信息公开申请 %(number)s 延期答复") % {"number": req.number},
            _("答复期限延长%(n)d个工作日。") % {"n": EXTENSION_DAYS},
        )
    return req


# --- consultations, DIS-1 ----------------------------------------------------------------------------


def consultation_start(*, request: DisclosureRequest, actor: Any, kind: str, party: str) -> Consultation:
    """DIS-1 (第三十二、三十三条): consult a third party or another agency; the answer period is
    paused for it (not counted) and the consulted party has 15 working days."""
    require(can_handle(actor, request), _("只有受理机关的工作人员可以征求意见。"))
    if kind not in ConsultationKind.values:
        raise ValidationError({"kind": _("请选择征求意见的类型。")})
    party = _text(party, field="party", label=_("被征求意见方"), max_length=200, min_length=2)
    with transaction.atomic():
        req = _locked(request)
        before = _snapshot(req)
        _move(req, RequestStatus.CONSULTING)
        now = timezone.now()
        req.save(update_fields=["status", "updated_at"])
        consultation = Consultation.objects.create(request=req, kind=kind, party=party, started_at=now)
        # The consulted party's 15 days: no responsible department (silence is consent, not a fault of
        # the requested department); consultations_deem closes it when it runs out.
        consultation.clock = clock_start(
            owner=consultation,
            kind=CLOCK_CONSULTATION,
            label=_("政府信息公开申请 %(number)s 征求意见") % {"number": req.number},
            limit=CONSULTATION_DAYS,
            statutory_limit=CONSULTATION_DAYS,
            started_at=now,
            tenant_id=req.tenant_id,
            legal_basis=_("《政府信息公开条例》第三十二条、第三十三条"),
            actor=actor,
        )
        consultation.save(update_fields=["clock"])
        if req.clock is not None and req.clock.status == ClockStatus.RUNNING:
            clock_pause(
                clock=req.clock,
                reason=PauseReason.CONSULTATION,
                actor=actor,
                note=party,
                expected_days=CONSULTATION_DAYS,
                at=now,
            )
        event_append(
            subject=req,
            action="disclosure.consultation_started",
            actor=actor,
            before=before,
            after={**_snapshot(req), "kind": kind, "party": party},
        )
    return consultation


def _consultation_close(consultation: Consultation, *, opinion: str, text: str, actor: Any, at: datetime) -> None:
    req = _locked(consultation.request)
    consultation.opinion = opinion
    consultation.opinion_text = text
    consultation.replied_at = at
    consultation.save(update_fields=["opinion", "opinion_text", "replied_at"])
    if consultation.clock_id is not None:
        clock_stop(clock=consultation.clock_id, actor=actor, at=at)
    before = _snapshot(req)
    if req.status == RequestStatus.CONSULTING:
        _move(req, RequestStatus.PROCESSING)
        req.save(update_fields=["status", "updated_at"])
        if req.clock is not None and req.clock.status == ClockStatus.PAUSED:
            clock_resume(clock=req.clock, actor=actor, at=at)
    event_append(
        subject=req,
        action="disclosure.consultation_closed",
        actor=actor,
        before=before,
        after={**_snapshot(req), "opinion": opinion, "party": consultation.party},
        reason=text,
    )


def consultation_reply(*, consultation: Consultation, actor: Any, opinion: str, text: str = "") -> Consultation:
    """Record the consulted party's opinion; the answer period resumes."""
    require(can_handle(actor, consultation.request), _("只有受理机关的工作人员可以登记意见。"))
    if opinion not in (ConsultationOpinion.AGREE, ConsultationOpinion.DISAGREE):
        raise ValidationError({"opinion": _("请选择同意或不同意公开。")})
    text = _text(text, field="text", label=_("意见内容"), max_length=2000)
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update(of=("self",)).get(pk=consultation.pk)
        if consultation.replied_at is not None:
            raise ValidationError(_("该征求意见已经办结。"), code="state")
        _consultation_close(consultation, opinion=opinion, text=text, actor=actor, at=timezone.now())
    return consultation


def consultations_deem(*, now: datetime | None = None) -> int:
    """DIS-1: a consulted party silent past its 15 working days is deemed to consent (视为同意); the
    answer period resumes from the day the consultation ran out. Idempotent; returns how many."""
    now = now or timezone.now()
    ids = list(
        Consultation.objects.filter(
            replied_at__isnull=True, clock__status=ClockStatus.RUNNING, clock__due_at__lte=now
        ).values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            consultation = Consultation.objects.select_for_update(of=("self",)).select_related("clock").get(pk=pk)
            if consultation.replied_at is not None or consultation.clock is None or consultation.clock.due_at is None:
                continue
            at = min(now, consultation.clock.due_at)
            _consultation_close(
                consultation,
                opinion=ConsultationOpinion.DEEMED,
                text=_("逾期未提出意见，视为同意公开。"),
                actor=None,
                at=at,
            )
            done += 1
    return done


# --- fees ----------------------------------------------------------------------------------------------


def fee_assess(*, method: str, count_in_month: int = 0, pages: int = 0) -> Decimal:
    """The information processing fee (政府信息公开信息处理费管理办法, 国办函〔2020〕109号), charged only
    for requests beyond reasonable use; the department chooses the method.
    - by count (按件): the applicant's requests in one natural month, this one included: 1–10 free,
      11–30 CNY 100 each, from the 31st CNY 1,000 each — the fee of THIS request;
    - by pages (按量): of one request, 1–30 pages free, 31–100 CNY 10 a page, 101–200 CNY 20 a page,
      from the 201st CNY 40 a page."""
    if method == "count":
        if count_in_month <= 10:
            return Decimal(0)
        return Decimal(100) if count_in_month <= 30 else Decimal(1000)
    if method == "pages":
        fee = 0
        for low, high, rate in ((31, 100, 10), (101, 200, 20), (201, pages, 40)):
            if pages >= low:
                fee += (min(pages, high) - low + 1) * rate
        return Decimal(fee)
    raise ValidationError({"method": _("请选择按件或按量计收。")})


def _count_in_month(req: DisclosureRequest) -> int:
    first = local_date(req.received_at).replace(day=1)
    nxt = first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
    qs = DisclosureRequest.objects.filter(
        tenant_id=req.tenant_id, received_at__gte=day_start(first), received_at__lt=day_start(nxt)
    )
    qs = qs.filter(id_number=req.id_number) if req.id_number else qs.filter(phone=req.phone)
    return qs.filter(received_at__lte=req.received_at).count()


def request_fee_notify(*, request: DisclosureRequest, actor: Any, method: str, pages: int = 0) -> DisclosureRequest:
    """Send a fee notice for an excessive request; the period is paused until payment (办法 第九条).
    Refused when the rule gives no fee: there is no fee in general."""
    require(can_handle(actor, request), _("只有受理机关的工作人员可以发出收费通知。"))
    if not isinstance(pages, int) or isinstance(pages, bool) or not 0 <= pages <= 100000:
        raise ValidationError({"pages": _("页数须为0至100000之间的整数。")})
    with transaction.atomic():
        req = _locked(request)
        if req.fee_notified_at is not None:
            raise ValidationError(_("已经发出过收费通知。"), code="state")
        amount = fee_assess(method=method, count_in_month=_count_in_month(req), pages=pages)
        if amount <= 0:
            raise ValidationError(_("按照信息处理费标准，本申请不收费。"), code="no_fee")
        before = _snapshot(req)
        _move(req, RequestStatus.FEE)
        now = timezone.now()
        req.fee_amount = amount
        req.fee_notified_at = now
        req.save(update_fields=["status", "fee_amount", "fee_notified_at", "updated_at"])
        if req.clock is not None and req.clock.status == ClockStatus.RUNNING:
            clock_pause(clock=req.clock, reason=PauseReason.OTHER_LAW, actor=actor, note=_("信息处理费"), at=now)
        event_append(
            subject=req,
            action="disclosure.fee_notified",
            actor=actor,
            before=before,
            after={**_snapshot(req), "amount": amount},
        )
        _tell_applicant(
            req,
            _("政府信息公开申请 %(number)s 收费通知") % {"number": req.number},
            _("信息处理费%(amount)s元，请在20个工作日内缴纳。") % {"amount": amount},
        )
    return req


def request_fee_paid(*, request: DisclosureRequest, actor: Any) -> DisclosureRequest:
    require(can_handle(actor, request), _("只有受理机关的工作人员可以登记缴费。"))
    with transaction.atomic():
        req = _locked(request)
        if req.status != RequestStatus.FEE:
            raise ValidationError(_("该申请不在待缴费状态。"), code="state")
        before = _snapshot(req)
        _move(req, RequestStatus.PROCESSING)
        req.fee_paid_at = timezone.now()
        req.save(update_fields=["status", "fee_paid_at", "updated_at"])
        if req.clock is not None and req.clock.status == ClockStatus.PAUSED:
            clock_resume(clock=req.clock, actor=actor)
        event_append(subject=req, action="disclosure.fee_paid", actor=actor, before=before, after=_snapshot(req))
    return req


# --- the answer, DIS-2 ----------------------------------------------------------------------------------


def _answer_check(req: DisclosureRequest, answer_type: str, ground: str, right_agency: str) -> None:
    if answer_type not in AnswerType.values:
        raise ValidationError({"answer_type": _("请选择答复类型。")})
    allowed = ANSWER_GROUNDS.get(answer_type, ())
    if allowed and ground not in allowed:
        raise ValidationError({"ground": _("请选择该答复类型的理由。")})
    if not allowed and ground:
        raise ValidationError({"ground": _("该答复类型不需要选择理由。")})
    if answer_type == AnswerType.NOT_OURS and not right_agency:
        # DIS-2: name the agency that holds the information
        raise ValidationError({"right_agency": _("请写明负责公开该信息的机关名称和联系方式。")})
    today = timezone.localdate()
    cal = get_calendar()
    if answer_type == AnswerType.ABANDONED and not (
        req.status == RequestStatus.CORRECTION and req.correction_deadline and today > req.correction_deadline
    ):
        raise ValidationError({"answer_type": _("只有补正期限届满仍未补正的申请，才能视为放弃。")})
    if answer_type == AnswerType.UNCLEAR and req.correction_received_at is None:
        raise ValidationError({"answer_type": _("只有补正后内容仍不明确的申请，才能以此答复。")})
    if answer_type == AnswerType.FEE_UNPAID and not (
        req.status == RequestStatus.FEE
        and req.fee_notified_at is not None
        and today > cal.add_working_days(local_date(req.fee_notified_at), FEE_PAYMENT_DAYS)
    ):
        raise ValidationError({"answer_type": _("只有收费通知发出20个工作日后仍未缴费的申请，才能视为放弃。")})
    if req.status == RequestStatus.CORRECTION and answer_type != AnswerType.ABANDONED:
        raise ValidationError({"answer_type": _("申请正在等待补正，请在收到补正后再答复。")})
    if req.status == RequestStatus.FEE and answer_type != AnswerType.FEE_UNPAID:
        raise ValidationError({"answer_type": _("申请正在等待缴费，请在缴费后再答复。")})


def request_answer(
    *,
    request: DisclosureRequest,
    actor: Any,
    answer_type: str,
    text: str,
    ground: str = "",
    right_agency: str = "",
) -> DisclosureRequest:
    """DIS-2: answer the request with one of the national answer types, its ground where the type
    needs one (withholding, 不予处理) and the right agency for 非本机关; the period stops and the
    answer is counted in table 三's row (`report_row`)."""
    require(can_handle(actor, request), _("只有受理机关的工作人员可以答复。"))
    text = _text(text, field="text", label=_("答复内容"), max_length=5000, min_length=2)
    right_agency = _text(right_agency, field="right_agency", label=_("负责公开的机关"), max_length=200)
    ground = str(ground or "")
    with transaction.atomic():
        req = _locked(request)
        if not req.is_open:
            raise ValidationError(_("该申请已经答复或撤回。"), code="state")
        _answer_check(req, answer_type, ground, right_agency)
        before = _snapshot(req)
        _move(req, RequestStatus.ANSWERED)
        now = timezone.now()
        on_time = True
        if req.clock is not None:
            stopped = clock_stop(clock=req.clock.pk, actor=actor, at=now)
            on_time = bool(stopped.due_at is None or now <= stopped.due_at)
        req.answer_type = answer_type
        req.ground = ground
        req.right_agency = right_agency if answer_type == AnswerType.NOT_OURS else ""
        req.answer_text = text
        req.answered_at = now
        req.answered_by = actor
        req.answered_on_time = on_time
        req.report_row = report_row(answer_type, ground)
        req.save(
            update_fields=[
                "status",
                "answer_type",
                "ground",
                "right_agency",
                "answer_text",
                "answered_at",
                "answered_by",
                "answered_on_time",
                "report_row",
                "updated_at",
            ]
        )
        event_append(
            subject=req,
            action="disclosure.answered",
            actor=actor,
            before=before,
            after={**_snapshot(req), "ground": ground, "on_time": on_time},
        )
        _tell_applicant(
            req,
            _("政府信息公开申请 %(number)s 已答复") % {"number": req.number},
            _("答复类型：%(type)s。请凭申请编号和查询码下载答复告知书。") % {"type": req.get_answer_type_display()},
        )
    return req


def request_withdraw(*, request: DisclosureRequest, actor: Any, reason: str = "") -> DisclosureRequest:
    """The applicant withdraws (or the department records a written withdrawal); counted as 其他处理."""
    owner = bool(
        getattr(actor, "is_authenticated", False)
        and request.applicant_user_id
        and request.applicant_user_id == actor.pk
    )
    require(owner or can_handle(actor, request), _("只有申请人或受理机关的工作人员可以撤回申请。"))
    reason = _text(reason, field="reason", label=_("撤回说明"), max_length=500)
    with transaction.atomic():
        req = _locked(request)
        before = _snapshot(req)
        _move(req, RequestStatus.WITHDRAWN)
        now = timezone.now()
        if req.clock is not None:
            clock_stop(clock=req.clock.pk, actor=actor, at=now, cancelled=True)
        req.answer_type = AnswerType.OTHER
        req.answered_at = now
        req.answered_by = actor
        req.answer_text = reason or _("申请人撤回申请。")
        req.report_row = report_row(AnswerType.OTHER)
        req.save(
            update_fields=[
                "status",
                "answer_type",
                "answered_at",
                "answered_by",
                "answer_text",
                "report_row",
                "updated_at",
            ]
        )
        event_append(
            subject=req, action="disclosure.withdrawn", actor=actor, before=before, after=_snapshot(req), reason=reason
        )
    return req


# --- records (主动公开), DIS-3 -----------------------------------------------------------------------


def _record_fields(
    *, category: str, title: str, doc_number: str, body: str, link: str, amount: Any, repealed_on: Any
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if category not in RecordCategory.values:
        errors.setdefault("category", []).append(_("请选择类别。"))
    for name, value, label, max_length, min_length in (
        ("title", title, _("标题"), 200, 2),
        ("doc_number", doc_number, _("文号"), 60, 0),
        ("body", body, _("正文"), 50000, 0),
        ("link", link, _("链接"), 300, 0),
    ):
        try:
            out[name] = _text(value, field=name, label=label, max_length=max_length, min_length=min_length)
        except ValidationError as e:
            for k, v in e.message_dict.items():
                errors.setdefault(k, []).extend(v)
    if out.get("link") and not re.match(r"^https?://[^\s]+$", out["link"]):
        errors.setdefault("link", []).append(_("链接须以 http:// 或 https:// 开头。"))
    if not out.get("body") and not out.get("link") and "body" not in errors:
        errors.setdefault("body", []).append(_("请填写正文或链接。"))
    if amount in (None, ""):
        out["amount"] = None
    else:
        try:
            number = Decimal(str(amount))
            if not number.is_finite() or number < 0 or number >= Decimal("1e10"):
                raise InvalidOperation
            out["amount"] = number.quantize(Decimal("0.0001"))
        except (InvalidOperation, ValueError):
            errors.setdefault("amount", []).append(_("收费金额须为不小于0的数字。"))
    if repealed_on not in (None, ""):
        try:
            out["repealed_on"] = _date(repealed_on, field="repealed_on", label=_("废止日期"))
        except ValidationError as e:
            errors.setdefault("repealed_on", []).extend(e.message_dict["repealed_on"])
    else:
        out["repealed_on"] = None
    if errors:
        raise ValidationError(errors)
    out["category"] = category
    return out


def _publish_clock(record: ActiveRecord, *, start: date, actor: Any) -> Clock:
    # DIS-3: 20 working days from the day the information was created or changed (CLK-2: from the next day)
    return clock_start(
        owner=record,
        kind=CLOCK_PUBLISH,
        label=_("主动公开：%(title)s") % {"title": record.title[:80]},
        limit=PUBLISH_DAYS,
        statutory_limit=PUBLISH_DAYS,
        started_at=day_start(start),
        department=record.department,
        legal_basis=_("《政府信息公开条例》第二十六条"),
        actor=actor,
    )


def record_create(
    *,
    actor: Any,
    category: str,
    title: str,
    created_on: Any,
    doc_number: str = "",
    body: str = "",
    link: str = "",
    amount: Any = None,
    repealed_on: Any = None,
) -> ActiveRecord:
    """A record to publish of the actor's own department; its DIS-3 clock runs from `created_on`."""
    require(
        getattr(actor, "is_authenticated", False) and is_department_staff(actor, actor.department_id),
        _("只有部门工作人员可以录入主动公开信息。"),
    )
    fields = _record_fields(
        category=category,
        title=title,
        doc_number=doc_number,
        body=body,
        link=link,
        amount=amount,
        repealed_on=repealed_on,
    )
    created_on = _date(created_on, field="created_on", label=_("信息形成或变更日期"))
    with transaction.atomic():
        record = ActiveRecord.objects.create(
            tenant_id=actor.department.tenant_id,
            department=actor.department,
            created_on=created_on,
            created_by=actor,
            **fields,
        )
        record.clock = _publish_clock(record, start=created_on, actor=actor)
        record.save(update_fields=["clock", "updated_at"])
        event_append(subject=record, action="disclosure.record_created", actor=actor, after={"title": record.title})
    return record


def _stop_publish_clock(record: ActiveRecord, *, actor: Any, at: datetime) -> bool:
    """Stop the record's clock; True when it was published late (after its due instant)."""
    if record.clock_id is None:
        return False
    stopped = clock_stop(clock=record.clock_id, actor=actor, at=at)
    return bool(stopped.due_at is not None and at > stopped.due_at)


def record_publish(*, record: ActiveRecord, actor: Any) -> ActiveRecord:
    """DIS-3: publish after review; a publication after the 20 working days is kept as late."""
    require(can_publish(actor, record.department_id), _("只有部门审核人员或负责人可以公开信息。"))
    with transaction.atomic():
        record = ActiveRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
        if record.status != RecordStatus.DRAFT:
            raise ValidationError(_("只有待公开的信息可以公开。"), code="state")
        now = timezone.now()
        record.published_late = _stop_publish_clock(record, actor=actor, at=now)
        record.status = RecordStatus.PUBLISHED
        record.published_at = now
        record.save(update_fields=["status", "published_at", "published_late", "updated_at"])
        event_append(
            subject=record,
            action="disclosure.record_published",
            actor=actor,
            after={"late": record.published_late},
        )
    return record


def record_update(
    *,
    record: ActiveRecord,
    actor: Any,
    category: str,
    title: str,
    changed_on: Any,
    doc_number: str = "",
    body: str = "",
    link: str = "",
    amount: Any = None,
    repealed_on: Any = None,
) -> ActiveRecord:
    """Change a record. A draft keeps its place in the queue (a new `changed_on` restarts its DIS-3
    clock from that day). A published record's change is published at once (DIS-3: within 20 working
    days of the change: late if the change is older than that)."""
    require(
        getattr(actor, "is_authenticated", False) and is_department_staff(actor, record.department_id),
        _("只有本部门工作人员可以修改主动公开信息。"),
    )
    fields = _record_fields(
        category=category,
        title=title,
        doc_number=doc_number,
        body=body,
        link=link,
        amount=amount,
        repealed_on=repealed_on,
    )
    changed_on = _date(changed_on, field="changed_on", label=_("信息形成或变更日期"))
    with transaction.atomic():
        record = ActiveRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
        if record.status == RecordStatus.WITHDRAWN:
            raise ValidationError(_("已撤回的信息不能修改。"), code="state")
        before = {"title": record.title, "created_on": record.created_on, "revision": record.revision}
        for k, v in fields.items():
            setattr(record, k, v)
        new_clock = changed_on != record.created_on or record.status == RecordStatus.PUBLISHED
        record.created_on = changed_on
        if new_clock:
            if record.clock_id is not None and record.status == RecordStatus.DRAFT:
                clock_stop(clock=record.clock_id, actor=actor, cancelled=True)
            record.clock = _publish_clock(record, start=changed_on, actor=actor)
        if record.status == RecordStatus.PUBLISHED:
            require(can_publish(actor, record.department_id), _("修改已公开的信息须由部门审核人员或负责人发布。"))
            now = timezone.now()
            record.revision += 1
            record.published_at = now
            record.published_late = _stop_publish_clock(record, actor=actor, at=now)
        record.save()
        event_append(
            subject=record,
            action="disclosure.record_changed",
            actor=actor,
            before=before,
            after={"title": record.title, "created_on": record.created_on, "revision": record.revision},
        )
    return record


def record_withdraw(*, record: ActiveRecord, actor: Any, reason: str) -> ActiveRecord:
    require(can_publish(actor, record.department_id), _("只有部门审核人员或负责人可以撤回信息。"))
    reason = _text(reason, field="reason", label=_("撤回理由"), max_length=500, min_length=2)
    with transaction.atomic():
        record = ActiveRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
        if record.status == RecordStatus.WITHDRAWN:
            raise ValidationError(_("该信息已经撤回。"), code="state")
        if record.clock_id is not None:
            clock_stop(clock=record.clock_id, actor=actor, cancelled=True)
        before = {"status": record.status}
        record.status = RecordStatus.WITHDRAWN
        record.save(update_fields=["status", "updated_at"])
        event_append(
            subject=record,
            action="disclosure.record_withdrawn",
            actor=actor,
            before=before,
            after={"status": record.status},
            reason=reason,
        )
    return record


# --- guide and appeals -------------------------------------------------------------------------------


def guide_save(
    *,
    actor: Any,
    office: str,
    address: str = "",
    hours: str = "",
    phone: str = "",
    scope_text: str = "",
    apply_text: str = "",
    remedy_text: str = "",
) -> DisclosureGuide:
    """Write the actor's department's disclosure guide (公开指南)."""
    require(
        getattr(actor, "is_authenticated", False)
        and actor.role == Role.DEPT_HEAD
        and is_department_staff(actor, actor.department_id),
        _("只有部门负责人可以修改公开指南。"),
    )
    values = {
        "office": _text(office, field="office", label=_("受理机构"), max_length=100, min_length=2),
        "address": _text(address, field="address", label=_("办公地址"), max_length=200),
        "hours": _text(hours, field="hours", label=_("办公时间"), max_length=100),
        "phone": _text(phone, field="phone", label=_("联系电话"), max_length=40),
        "scope_text": _text(scope_text, field="scope_text", label=_("主动公开的范围和方式"), max_length=5000),
        "apply_text": _text(apply_text, field="apply_text", label=_("依申请公开的办理"), max_length=5000),
        "remedy_text": _text(remedy_text, field="remedy_text", label=_("监督和救济"), max_length=5000),
    }
    with transaction.atomic():
        guide, created = DisclosureGuide.objects.update_or_create(
            department=actor.department, defaults={**values, "tenant_id": actor.department.tenant_id}
        )
        event_append(subject=guide, action="disclosure.guide_saved", actor=actor, after={"created": created})
    return guide


def appeal_record(
    *,
    actor: Any,
    department: Department,
    kind: str,
    result: str,
    filed_on: Any,
    note: str = "",
    request: DisclosureRequest | None = None,
) -> AppealRecord:
    """Record a reconsideration or lawsuit about disclosure (table 四): the department's own staff or
    the legal office of its region."""
    allowed = bool(
        getattr(actor, "is_authenticated", False)
        and (
            actor.is_superuser
            or is_department_staff(actor, department.pk)
            or (
                actor.role == Role.LEGAL
                and actor.department is not None
                and actor.department.region_id == department.region_id
            )
        )
    )
    if not allowed:
        raise PermissionDenied(_("只有本部门工作人员或法制机构可以登记复议诉讼情况。"))
    if kind not in AppealKind.values:
        raise ValidationError({"kind": _("请选择复议或诉讼类型。")})
    if result not in AppealResult.values:
        raise ValidationError({"result": _("请选择结果。")})
    filed_on = _date(filed_on, field="filed_on", label=_("受理日期"))
    note = _text(note, field="note", label=_("说明"), max_length=200)
    if request is not None and request.department_id != department.pk:
        raise ValidationError({"request": _("相关申请不属于该部门。")})
    with transaction.atomic():
        appeal = AppealRecord.objects.create(
            tenant_id=department.tenant_id,
            department=department,
            request=request,
            kind=kind,
            result=result,
            filed_on=filed_on,
            note=note,
            recorded_by=actor,
        )
        event_append(
            subject=appeal, action="disclosure.appeal_recorded", actor=actor, after={"kind": kind, "result": result}
        )
    return appeal


# --- the annual report issued (DIS-3) ----------------------------------------------------------------


def report_scope_title(*, department: Department | None = None, region: Any = None) -> str:
    """The report's subject: the department, or the government of the region."""
    if department is not None:
        return department.name
    return _("%(region)s人民政府") % {"region": region.name} if region is not None else ""


def report_issue(*, actor: Any, year: int, department: Department | None = None, region: Any = None) -> IssuedReport:
    """Issue (freeze) the annual report of `year` for a department or a government's own region: the
    four tables are computed once more and stored; from then on the report shows those figures,
    whatever changes in the records. Issued once only; the year must be over and the table 三 check
    must pass (DIS-3: new + carried over = handled + carried forward)."""
    require(can_issue_report(actor, department=department, region=region), _("您无权发布该年度报告。"))
    if not MIN_YEAR <= year < timezone.localdate().year:
        raise ValidationError({"year": [_("年度结束后才能发布该年度报告。")]})
    if report_issued(year=year, department=department, region=region) is not None:
        raise ValidationError({"year": [_("该年度报告已发布，不能重复发布。")]})
    government = department is None
    if department is not None:
        departments = Department.objects.filter(pk=department.pk)
    else:  # the government's own report: the departments of its own region (as on the report page)
        departments = Department.objects.filter(region=region)
    title = report_scope_title(department=department, region=region)
    report = annual_report(year=year, departments=departments, title=title, government=government)
    if not report.check_ok:
        raise ValidationError(_("数据校验未通过，请核查后再发布。"))
    tenant_id = department.tenant_id if department is not None else region.tenant_id
    try:
        with transaction.atomic():
            issued = IssuedReport.objects.create(
                tenant_id=tenant_id,
                year=year,
                department=department,
                region=region if department is None else None,
                title=title,
                government=government,
                data=report_data(report),
                issued_at=timezone.now(),
                issued_by=actor,
            )
            event_append(
                subject=issued,
                action="disclosure.report_issued",
                actor=actor,
                after={"year": year, "department": department.pk if department else None, "title": title},
            )
    except IntegrityError:  # a concurrent issue of the same report won (the unique constraint decided)
        raise ValidationError({"year": [_("该年度报告已发布，不能重复发布。")]}) from None
    return issued


# --- attachments ------------------------------------------------------------------------------------

MAX_ATTACHMENTS = 10  # per side of one request


def _attachments_errors(files: Sequence[Any], *, already: int) -> dict[str, list[str]]:
    """Every bad file named in one round (the one upload check, core.uploads)."""
    messages: list[str] = []
    if already + len(files) > MAX_ATTACHMENTS:
        messages.append(_("每件申请最多上传%(n)d个附件。") % {"n": MAX_ATTACHMENTS})
    for f in files:
        try:
            upload_check(f)
        except ValidationError as e:
            messages.extend(e.messages)
    return {"attachments": messages} if messages else {}


def _attachments_store(
    req: DisclosureRequest, files: Sequence[Any], *, side: str, actor: Any
) -> list[RequestAttachment]:
    rows = []
    uploader = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    for f in files:
        original = PurePath(getattr(f, "name", "") or "").name[:200] or "file"
        ext = PurePath(original).suffix.lower()[:10]
        f.seek(0)
        row = RequestAttachment(
            request=req,
            side=side,
            original_name=original,
            size=int(getattr(f, "size", 0) or 0),
            content_type=(getattr(f, "content_type", "") or "application/octet-stream")[:100],
            uploaded_by=uploader,
        )
        row.file.save(f"r{req.pk}-{secrets.token_hex(8)}{ext}", f, save=False)
        row.save()
        rows.append(row)
    return rows


def request_attach(*, request: DisclosureRequest, actor: Any, files: Sequence[Any]) -> list[RequestAttachment]:
    """Add files to a request. The requested department's staff attach the answer's documents (any
    time but after a withdrawal); the applicant (the signed-in owner) adds supporting documents while
    the request is open. Nothing is written unless every file passes the upload check."""
    if can_handle(actor, request):
        side = AttachmentSide.ANSWER
        if request.status == RequestStatus.WITHDRAWN:
            raise ValidationError({"attachments": [_("申请已撤回，不能再上传文件。")]})
    elif actor is not None and request.applicant_user_id is not None and actor.pk == request.applicant_user_id:
        side = AttachmentSide.APPLICANT
        if not request.is_open:
            raise ValidationError({"attachments": [_("申请已办结，不能再补充材料。")]})
    else:
        raise PermissionDenied(_("只有申请人和受理机关可以上传附件。"))
    if not files:
        raise ValidationError({"attachments": [_("请选择要上传的文件。")]})
    errors = _attachments_errors(files, already=request.attachments.filter(side=side).count())
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rows = _attachments_store(request, files, side=side, actor=actor)
        event_append(
            subject=request,
            action="disclosure.attached",
            actor=actor,
            after={"side": side, "files": [r.original_name for r in rows]},
        )
    return rows
