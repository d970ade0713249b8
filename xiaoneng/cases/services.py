"""Every write to a case, one function per action (conventions §2).

Each action takes the case's row lock first (`case_lock`), checks that the caller acted on the
version it saw (two clerks at once: one wins, the other is told "该办件已被他人处理，请刷新后重试"),
checks permission and the transition table, writes, appends the Event, and notifies on commit.

    submitted ─accept→ accepted ─(stages)→ in_review ─decide→ decided_approved/refused
        ─deliver→ delivered ─close→ closed
        │ └─request_supplement→ supplement_requested ─supplement→ submitted
        └─refuse_at_intake→ refused_at_intake      (withdrawn from any open state; pauses live on the clocks)
"""

from __future__ import annotations

__all__ = [
    "CONFLICT_MESSAGE",
    "ConflictError",
    "case_accept",
    "case_close",
    "case_correct_on_the_spot",
    "case_decide",
    "case_deliver",
    "case_extend",
    "case_lock",
    "case_negative_report_review",
    "case_negative_report_submit",
    "case_pause",
    "case_refuse_at_intake",
    "case_register_at_window",
    "case_request_supplement",
    "case_resume",
    "case_step_absent",
    "case_step_decide",
    "case_step_deemed_consent",
    "case_step_sign",
    "case_submit",
    "case_supplement",
    "case_withdraw",
    "enquiry_register",
    "fee_charge_record",
    "material_validate",
    "step_sign_decides",
    "verification_check",
]

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoneng.catalog.choices import CaseKind, JoinPolicy, OnTimeout, VersionStatus
from xiaoneng.catalog.models import Fee, Item, ItemVersion, Material, Step
from xiaoneng.core.services import notify, tracking_number_next
from xiaoneng.core.trail import event_append, trail_batch
from xiaoneng.core.uploads import upload_check
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import User
from xiaoneng.orgs.validators import mask_id_number
from xiaoneng.workdays.choices import ClockStatus, PauseReason
from xiaoneng.workdays.due import clock_due_date
from xiaoneng.workdays.models import Clock, ClockExtension
from xiaoneng.workdays.services import (
    clock_extend,
    clock_pause,
    clock_resume,
    clock_start,
    clock_stop,
    clock_stop_running,
)

from .choices import (
    APPLICABLE_ITEM_TYPES,
    ONLINE_ACCEPTANCE_DEPTH,
    TRANSITIONS,
    Channel,
    DecisionOutcome,
    DeliveryMethod,
    EnquiryOutcome,
    ExtensionRole,
    NegativeKind,
    NegativeStatus,
    NoticeKind,
    OpinionKind,
    RefusalGround,
    Status,
    TaskStatus,
)
from .models import (
    Case,
    CaseMaterial,
    Decision,
    Delivery,
    Enquiry,
    FeeCharge,
    NegativeReport,
    Notice,
    NoticeSequence,
    Opinion,
    StepTask,
    SupplementAttempt,
    SupplementNotice,
)
from .permissions import (
    can_decide,
    can_deliver,
    can_extend,
    can_intake,
    can_pause,
    can_report_negative,
    can_review_negative,
    can_step_decide,
    can_withdraw,
)

CONFLICT_MESSAGE = gettext_lazy("该办件已被他人处理，请刷新后重试")

# Clock kinds (supervision reads clocks by kind prefix, e.g. "case.decision").
KIND_ACCEPTANCE = "case.acceptance"
KIND_DECISION = "case.decision"
KIND_STEP = "case.step"
KIND_OPINION = "case.opinion"
KIND_WRITTEN = "case.written_opinion"
KIND_DELIVERY = "case.delivery"

ACCEPTANCE_DAYS = 5  # CAS-1: 行政许可法 第三十二条
DELIVERY_DAYS = 10  # CAS-3: 行政许可法 第四十四条
WRITTEN_OPINION_DAYS = 1  # CAS-7
DEFAULT_DECISION_DAYS = 20  # CAS-3: 行政许可法 第四十二条

# Uploads: the one validator and its limits live in core.uploads (shared with complaints).
MAX_FILES = 30

REMEDY_TEXT = gettext_lazy(
    "申请人如对本决定不服，可以自收到本决定书之日起六十日内向%(government)s申请行政复议，"
    "也可以在六个月内依法向人民法院提起行政诉讼。"
)


class ConflictError(ValidationError):
    """Someone else changed the case since the caller loaded it."""

    def __init__(self) -> None:
        super().__init__(str(CONFLICT_MESSAGE), code="conflict")


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


CASE_LOCK_RELATED = ("version", "department__region", "item", "applicant", "decision_clock", "acceptance_clock")


def case_lock(case: Case | int, *, related: Sequence[str] = CASE_LOCK_RELATED) -> Case:
    """The named lock helper (conventions §6): take the case's row lock, first in every action.
    `related` names what the action reads from the case (a step opinion reads none of it: joining
    six tables to the locked row would only cost time on the busiest path)."""
    pk = case.pk if isinstance(case, Case) else case
    qs = Case.objects.select_for_update(of=("self",))
    if related:
        qs = qs.select_related(*related)
    return qs.get(pk=pk)


def _fresh(given: Case, locked: Case) -> None:
    if given.lock_version != locked.lock_version:
        raise ConflictError()


def _move(case: Case, to: str, given: Case | None = None) -> str:
    """The transition table is the only authority on status moves."""
    if to not in TRANSITIONS[Status(case.status)]:
        if given is not None and given.status != case.status:
            raise ConflictError()
        raise ValidationError(
            _("办件当前状态为“%(status)s”，不能进行此操作。") % {"status": case.get_status_display()}, code="state"
        )
    before = case.status
    case.status = to
    return before


def _save(case: Case, *fields: str) -> None:
    """Write the fields and bump `lock_version` in the database. Django's save() reads the new
    version back with UPDATE … RETURNING (PostgreSQL, SQLite): no second query."""
    case.lock_version = F("lock_version") + 1
    case.save(update_fields=[*fields, "lock_version", "updated_at"])


def _event(case: Case, action: str, actor: Any, *, before: Any = None, after: Any = None, reason: str = "") -> None:
    event_append(
        subject=case,
        action=action,
        actor=actor,
        before=before or {},
        after=after or {},
        reason=reason,
        tenant_id=case.tenant_id,
    )


def _case_url(case: Case) -> str:
    return f"/cases/{case.pk}/"


def _staff_url(case: Case) -> str:
    return f"/workbench/cases/{case.pk}/"


def _tell_applicant(case: Case, title: str, body: str = "") -> None:
    if case.applicant_id:
        notify(recipients=[case.applicant], title=title, body=body, url=_case_url(case))


def _department_staff(department_id: int, roles: Iterable[str]) -> list[User]:
    return list(User.objects.filter(department_id=department_id, role__in=list(roles), is_active=True).order_by("pk"))


def _tell_staff(case: Case, title: str, roles: Iterable[str] = (Role.CLERK, Role.DEPT_HEAD), body: str = "") -> None:
    notify(
        recipients=_department_staff(case.department_id, roles),
        title=title,
        body=body,
        url=_staff_url(case),
        channels=("inbox",),
    )


def _hash_code(tracking_number: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{tracking_number}:{code.strip().upper()}".encode(), hashlib.sha256).hexdigest()


_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _i in range(6))


def verification_check(case: Case, code: str) -> bool:
    """The public look-up: only the holder of the code learns anything about the case."""
    return hmac.compare_digest(case.verification_hash, _hash_code(case.tracking_number, code or ""))


def _government_name(case: Case) -> str:
    region = case.department.region
    return _("%(region)s人民政府") % {"region": region.name}


def _notice_issue(
    *,
    kind: str,
    department: Any,
    addressee: str,
    lines: list[str],
    actor: Any,
    case: Case | None = None,
    enquiry: Enquiry | None = None,
) -> Notice:
    """A numbered notice in the department's name: the number is taken under the sequence row's lock."""
    now = timezone.now()
    year = timezone.localdate(now).year
    seq_row, _created = NoticeSequence.objects.select_for_update().get_or_create(
        department=department, kind=kind, year=year
    )
    seq_row.last = F("last") + 1
    seq_row.save(update_fields=["last"])  # the new number comes back with UPDATE … RETURNING
    return Notice.objects.create(
        tenant_id=department.tenant_id,
        case=case,
        enquiry=enquiry,
        department=department,
        kind=kind,
        year=year,
        seq=seq_row.last,
        addressee=addressee,
        lines=[str(x) for x in lines],
        issued_at=now,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _d(dt: datetime | None) -> str:
    if dt is None:
        return ""
    local = timezone.localtime(dt)
    return _("%(y)d年%(m)d月%(d)d日") % {"y": local.year, "m": local.month, "d": local.day}


def _due(clock: Clock | None) -> str:
    d = clock_due_date(clock)  # the due day, never due_at as a date (issue 9)
    if d is None:
        return ""
    return _("%(y)d年%(m)d月%(d)d日") % {"y": d.year, "m": d.month, "d": d.day}


# ---------------------------------------------------------------------------------------------
# uploads and the application form
# ---------------------------------------------------------------------------------------------


def material_validate(upload: UploadedFile) -> str:
    """Size and type limits; the content must match its extension. Returns the extension."""
    return upload_check(upload)


def _validate_files(version: ItemVersion, files: Sequence[tuple[Material | None, UploadedFile]]) -> None:
    if len(files) > MAX_FILES:
        raise ValidationError(_("一次最多上传 %(n)d 个文件。") % {"n": MAX_FILES}, code="too_many")
    errors = []
    for material, upload in files:
        if material is not None and material.version_id != version.pk:
            errors.append(_("材料“%(name)s”不属于该事项。") % {"name": material.name})
            continue
        try:
            material_validate(upload)
        except ValidationError as e:
            errors.extend(e.messages)
    if errors:
        raise ValidationError(errors, code="files")


def _store_files(
    case: Case, files: Sequence[tuple[Material | None, UploadedFile]], actor: Any, *, supplement: bool = False
) -> list[CaseMaterial]:
    rows = []
    for material, upload in files:
        ext = Path(upload.name or "").suffix.lower()
        row = CaseMaterial(
            case=case,
            material=material,
            name=material.name if material else Path(upload.name or "").stem[:200],
            original_name=(upload.name or "")[:200],
            size=upload.size or 0,
            content_type=getattr(upload, "content_type", "") or "application/octet-stream",
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            is_supplement=supplement,
        )
        row.file.save(f"c{case.pk}-{secrets.token_hex(8)}{ext}", upload, save=False)
        row.save()
        rows.append(row)
    return rows


def _application_form_clean(form_data: dict[str, Any]) -> dict[str, str]:
    from .forms import ApplicationForm

    if not isinstance(form_data, dict):
        raise ValidationError(_("申请表格式不正确。"), code="form")
    form = ApplicationForm(data=form_data)
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return {k: str(v) for k, v in form.cleaned_data.items()}


def _published_version(item: Item, *, online: bool) -> ItemVersion:
    """CAT-1: only the item's published version in force may be exercised."""
    version = item.published
    if version is None or version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("该事项未公布或已废止，不能申请。"), code="cat1")  # CAT-1
    if version.item_type not in APPLICABLE_ITEM_TYPES:
        raise ValidationError(
            _("“%(type)s”类事项由行政机关依职权实施，不接受申请。") % {"type": version.get_item_type_display()},
            code="not_applicable",
        )
    if online and not version.is_public:
        raise ValidationError(_("该事项不在公开目录中，请到窗口办理。"), code="not_public")
    if online and version.online_depth < ONLINE_ACCEPTANCE_DEPTH:
        raise ValidationError(_("该事项暂不支持网上申请，请到窗口办理。"), code="not_online")
    return version


def _open_case(
    *,
    actor: Any,
    item: Item,
    version: ItemVersion,
    channel: str,
    form: dict[str, str],
    applicant: User | None,
    files: Sequence[tuple[Material | None, UploadedFile]],
) -> tuple[Case, str]:
    department = item.department
    code = _new_code()
    tenant = department.region.tenant or department.region
    number = tracking_number_next(tenant=tenant, prefix="BJ")
    now = timezone.now()
    case = Case.objects.create(
        tenant_id=item.tenant_id,
        tracking_number=number,
        verification_hash=_hash_code(number, code),
        applicant=applicant,
        applicant_name=form["applicant_name"],
        applicant_id_masked=mask_id_number(form.get("id_number", "")) if form.get("id_number") else "",
        applicant_phone=form["phone"],
        registered_by=actor if channel == Channel.WINDOW else None,
        item=item,
        version=version,
        department=department,
        channel=channel,
        case_kind=version.case_kind,
        status=Status.SUBMITTED,
        form_data=form,
        received_at=now,
    )
    _store_files(case, files, actor)
    # CAS-1: 行政许可法 第三十二条 — 5 working days from receipt to accept, refuse or notify once.
    case.acceptance_clock = clock_start(
        owner=case,
        kind=KIND_ACCEPTANCE,
        label=_("受理时限：%(n)s") % {"n": number},
        limit=ACCEPTANCE_DAYS,
        started_at=now,
        department=department,
        legal_basis=_("《行政许可法》第三十二条：5个工作日内作出受理决定或一次性告知补正"),
        actor=actor,
    )
    case.save(update_fields=["acceptance_clock"])
    _event(
        case,
        "case.submitted",
        actor,
        after={"status": case.status, "channel": channel, "version": version.number, "materials": len(files)},
    )
    return case, code


@transaction.atomic
def case_submit(
    *,
    actor: User,
    item: Item,
    form_data: dict[str, Any],
    files: Sequence[tuple[Material | None, UploadedFile]] = (),
) -> tuple[Case, str]:
    """An applicant applies online for a published item (CAT-1). Returns the case and its
    verification code, which is shown to the applicant once and sent by SMS; only its hash is kept."""
    if not getattr(actor, "is_authenticated", False) or actor.role != Role.APPLICANT:
        raise PermissionDenied(_("只有申请人账户可以在线申请。"))
    item = Item.objects.select_related("published", "department__region__tenant").get(pk=item.pk)
    version = _published_version(item, online=True)
    form = _application_form_clean(form_data)
    _validate_files(version, files)
    # every check is done before the first file reaches the disk: bad input writes nothing
    case, code = _open_case(
        actor=actor, item=item, version=version, channel=Channel.ONLINE, form=form, applicant=actor, files=files
    )
    notify(
        recipients=[actor],
        title=_("申请已提交：%(item)s") % {"item": version.name},
        body=_("办件编号 %(n)s，查询码 %(c)s。请妥善保管查询码。") % {"n": case.tracking_number, "c": code},
        url=_case_url(case),
    )
    _tell_staff(case, _("新的网上申请：%(n)s %(item)s") % {"n": case.tracking_number, "item": version.name})
    return case, code


@transaction.atomic
def case_register_at_window(
    *,
    actor: User,
    item: Item,
    form_data: dict[str, Any],
    files: Sequence[tuple[Material | None, UploadedFile]] = (),
) -> tuple[Case, str]:
    """A window clerk registers an application on the applicant's behalf (the applicant's account,
    if one has this phone number, is linked so the case shows under 我的办件)."""
    item = Item.objects.select_related("published", "department__region__tenant").get(pk=item.pk)
    if not getattr(actor, "is_authenticated", False) or not (
        actor.is_superuser or (actor.role in (Role.CLERK, Role.DEPT_HEAD) and actor.department_id == item.department_id)
    ):
        raise PermissionDenied(_("只有本部门窗口工作人员可以代为收件。"))
    version = _published_version(item, online=False)
    form = _application_form_clean(form_data)
    _validate_files(version, files)
    applicant = User.objects.filter(phone=form["phone"], role=Role.APPLICANT, is_active=True).first()
    case, code = _open_case(
        actor=actor, item=item, version=version, channel=Channel.WINDOW, form=form, applicant=applicant, files=files
    )
    if applicant is not None:
        notify(
            recipients=[applicant],
            title=_("窗口已收件：%(item)s") % {"item": version.name},
            body=_("办件编号 %(n)s，查询码 %(c)s。") % {"n": case.tracking_number, "c": code},
            url=_case_url(case),
        )
    return case, code


# ---------------------------------------------------------------------------------------------
# intake (CAS-1, CAS-2)
# ---------------------------------------------------------------------------------------------


def _negative_report_for(case: Case, kind: str) -> NegativeReport | None:
    return (
        NegativeReport.objects.select_for_update()
        .filter(case=case, kind=kind, status=NegativeStatus.APPROVED, used=False)
        .order_by("-reviewed_at")
        .first()
    )


@transaction.atomic
def case_refuse_at_intake(*, case: Case, actor: User, ground: str, reasons: str, competent_agency: str = "") -> Case:
    """CAS-1: not a licensing matter, or not this agency's competence → refuse at once, naming the
    competent agency. CAS-6: only after the leader reviewed the negative-decision report. CAS-2: a
    dated written notice."""
    locked = case_lock(case)
    _fresh(case, locked)
    if not can_intake(actor, locked):
        raise PermissionDenied(_("只有本部门窗口工作人员可以作出不予受理决定。"))
    reasons, competent_agency = (reasons or "").strip(), (competent_agency or "").strip()
    errors: dict[str, list[str]] = {}
    if ground not in RefusalGround.values:
        errors["ground"] = [_("请选择不予受理的情形。")]
    if not reasons:
        errors["reasons"] = [_("不予受理必须说明理由。")]  # CAS-1
    if ground == RefusalGround.NOT_COMPETENT and not competent_agency:
        errors["competent_agency"] = [_("不属于本机关职权的，必须告知申请人向有关行政机关申请。")]  # CAS-1
    if errors:
        raise ValidationError(errors)
    before = _move(locked, Status.REFUSED_AT_INTAKE, case)
    report = _negative_report_for(locked, NegativeKind.NON_ACCEPTANCE)
    if report is None:
        # CAS-6: 否定报备 before issue
        raise ValidationError(_("不予受理须先经领导审核否定报备。"), code="cas6")  # CAS-6
    report.used = True
    report.save(update_fields=["used", "updated_at"])
    locked.refusal_reason = f"{RefusalGround(ground).label}。{reasons}"
    locked.competent_agency = competent_agency
    _save(locked, "status", "refusal_reason", "competent_agency")
    if locked.acceptance_clock:
        locked.acceptance_clock = clock_stop(clock=locked.acceptance_clock, actor=actor)
    lines = [
        _("你（单位）于%(date)s提出的%(item)s申请（办件编号：%(n)s），经审查，%(ground)s。")
        % {
            "date": _d(locked.received_at),
            "item": locked.version.name,
            "n": locked.tracking_number,
            "ground": RefusalGround(ground).label,
        },
        _("理由：%(r)s") % {"r": reasons},
    ]
    if competent_agency:
        lines.append(_("请向%(agency)s提出申请。") % {"agency": competent_agency})
    lines.append(str(REMEDY_TEXT % {"government": _government_name(locked)}))
    notice = _notice_issue(
        kind=NoticeKind.REFUSAL_TO_ACCEPT,
        department=locked.department,
        addressee=locked.applicant_name,
        lines=lines,
        actor=actor,
        case=locked,
    )
    _event(
        locked,
        "case.refused_at_intake",
        actor,
        before={"status": before},
        after={
            "status": locked.status,
            "ground": ground,
            "competent_agency": competent_agency,
            "notice": notice.number,
        },
        reason=reasons,
    )
    _tell_applicant(locked, _("不予受理：%(n)s") % {"n": locked.tracking_number}, reasons)
    return locked


@transaction.atomic
def _record_second_supplement(case_pk: int, actor: User, missing: list[dict[str, Any]]) -> None:
    case = Case.objects.get(pk=case_pk)
    SupplementAttempt.objects.create(case=case, actor=actor, missing=missing)
    # SUP-2: "a second supplement request after the one-time notice" — the trail keeps the attempt.
    _event(case, "case.supplement_second_refused", actor, after={"missing": missing})


def _missing_clean(version: ItemVersion, missing: Iterable[Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    by_id = {m.pk: m for m in version.materials.all()}
    for entry in missing:
        if isinstance(entry, int | str) and str(entry).isdigit() and int(entry) in by_id:
            m = by_id[int(entry)]
            rows.append({"material": m.pk, "name": m.name, "note": ""})
        elif isinstance(entry, dict) and (entry.get("name") or entry.get("material")):
            mid = entry.get("material")
            if mid is not None and int(mid) not in by_id:
                raise ValidationError(_("所列材料不属于该事项。"), code="missing")
            name = by_id[int(mid)].name if mid is not None else str(entry["name"]).strip()
            rows.append({"material": mid, "name": name[:200], "note": str(entry.get("note", ""))[:500]})
        elif isinstance(entry, str) and entry.strip():
            rows.append({"material": None, "name": entry.strip()[:200], "note": ""})
        else:
            raise ValidationError(_("需补正的材料填写不正确。"), code="missing")
    return rows


def case_request_supplement(*, case: Case, actor: User, missing: Iterable[Any], note: str = "") -> SupplementNotice:
    """CAS-1: one notice listing ALL missing items, once. A second request on the same case is
    refused and recorded for supervision (SUP-2). The acceptance clock pauses (PauseReason.SUPPLEMENT)."""
    attempt: list[dict[str, Any]] | None = None
    try:
        with transaction.atomic():
            locked = case_lock(case)
            if not can_intake(actor, locked):
                raise PermissionDenied(_("只有本部门窗口工作人员可以一次性告知补正。"))
            rows = _missing_clean(locked.version, missing)
            if SupplementNotice.objects.filter(case=locked).exists():
                attempt = rows
                raise ValidationError(_("补正材料只能一次性告知，不能再次要求补正。"), code="second")  # CAS-1
            _fresh(case, locked)
            if not rows:
                raise ValidationError(_("请列明需要补正的全部材料。"), code="missing")
            before = _move(locked, Status.SUPPLEMENT_REQUESTED, case)
            now = timezone.now()
            try:
                with transaction.atomic():
                    sn = SupplementNotice.objects.create(
                        case=locked, missing=rows, note=(note or "").strip(), issued_by=actor, issued_at=now
                    )
            except IntegrityError:
                attempt = rows
                raise ValidationError(_("补正材料只能一次性告知，不能再次要求补正。"), code="second") from None  # CAS-1
            _save(locked, "status")
            if locked.acceptance_clock and locked.acceptance_clock.status == ClockStatus.RUNNING:
                clock_pause(
                    clock=locked.acceptance_clock,
                    reason=PauseReason.SUPPLEMENT,
                    actor=actor,
                    note=_("等待申请人补正材料"),
                    at=now,
                )
            lines = [
                _("你（单位）于%(date)s提出的%(item)s申请（办件编号：%(n)s），申请材料不齐全或者不符合法定形式。")
                % {"date": _d(locked.received_at), "item": locked.version.name, "n": locked.tracking_number},
                _("根据《中华人民共和国行政许可法》第三十二条的规定，现一次性告知需要补正的全部内容如下："),
                *[f"{i}. {r['name']}" + (f"（{r['note']}）" if r["note"] else "") for i, r in enumerate(rows, start=1)],
                _("补正期间不计入办理时限。请补齐上述材料后重新提交。"),
            ]
            if sn.note:
                lines.append(sn.note)
            notice = _notice_issue(
                kind=NoticeKind.SUPPLEMENT,
                department=locked.department,
                addressee=locked.applicant_name,
                lines=lines,
                actor=actor,
                case=locked,
            )
            _event(
                locked,
                "case.supplement_requested",
                actor,
                before={"status": before},
                after={"status": locked.status, "missing": rows, "notice": notice.number},
            )
            _tell_applicant(
                locked,
                _("请补正材料：%(n)s") % {"n": locked.tracking_number},
                "；".join(r["name"] for r in rows),
            )
            return sn
    except ValidationError:
        if attempt is not None:
            _record_second_supplement(case.pk, actor, attempt)
        raise


@transaction.atomic
def case_supplement(*, case: Case, actor: User, files: Sequence[tuple[Material | None, UploadedFile]]) -> Case:
    """The applicant (or the window on their behalf) hands in the missing materials: the acceptance
    clock resumes and the case is back in the intake queue."""
    locked = case_lock(case)
    if not (can_withdraw(actor, locked) or can_intake(actor, locked)):
        raise PermissionDenied(_("只有申请人或本部门窗口可以提交补正材料。"))
    if not files:
        raise ValidationError(_("请上传补正材料。"), code="files")
    _validate_files(locked.version, files)
    before = _move(locked, Status.SUBMITTED, case)
    _store_files(locked, files, actor, supplement=True)
    _save(locked, "status")
    now = timezone.now()
    SupplementNotice.objects.filter(case=locked).update(supplied_at=now, updated_at=now)
    if locked.acceptance_clock and locked.acceptance_clock.status == ClockStatus.PAUSED:
        clock_resume(clock=locked.acceptance_clock, actor=actor, at=now)
    _event(
        locked,
        "case.supplemented",
        actor,
        before={"status": before},
        after={"status": locked.status, "files": len(files)},
    )
    _tell_staff(locked, _("申请人已补正：%(n)s") % {"n": locked.tracking_number})
    return locked


def _first_stage_tasks(case: Case) -> None:
    """One task per step of the pinned definition (conventions §5: the case keeps its version)."""
    steps = list(
        Step.objects.filter(stage__process__version_id=case.version_id)
        .select_related("stage", "post")
        .order_by("stage__order", "stage_id", "order", "id")
    )
    stage_ids: list[int] = []
    for s in steps:
        if s.stage_id not in stage_ids:
            stage_ids.append(s.stage_id)
    counts: dict[int, int] = {}
    for s in steps:
        counts[s.stage_id] = counts.get(s.stage_id, 0) + 1
    StepTask.objects.bulk_create(
        [
            StepTask(
                case=case,
                step=s,
                stage_index=stage_ids.index(s.stage_id),
                stage_name=s.stage.name,
                name=s.name,
                parallel=counts[s.stage_id] > 1,
                join_policy=s.stage.join_policy,
                quorum=s.stage.quorum,
                department_id=s.department_id or case.department_id,
                role=s.role or (s.post.role if s.post else ""),
            )
            for s in steps
        ]
    )


def _open_stage(case: Case, index: int, actor: Any, at: datetime) -> bool:
    """Activate the tasks of stage `index`: assign them (CAS-9) and start one clock each. False if
    there is no such stage (the case is ready for its decision)."""
    qs = StepTask.objects.filter(case_id=case.pk, stage_index=index).select_related("step__post", "department")
    tasks = sorted(qs.order_by(), key=lambda t: t.pk)
    if not tasks:
        case.current_stage = None
        return False
    case.current_stage = index
    # the posts' A and B holders in one query (joining two user rows per task costs more)
    posts = [t.step.post for t in tasks if t.step.post is not None]
    holders = User.objects.in_bulk({h for p in posts for h in (p.holder_a_id, p.holder_b_id) if h is not None})
    for p in posts:
        p.holder_a = holders.get(p.holder_a_id) if p.holder_a_id else None
        p.holder_b = holders.get(p.holder_b_id) if p.holder_b_id else None
    staff: dict[tuple[int, tuple[str, ...]], list[User]] = {}
    for t in tasks:
        post = t.step.post
        # CAS-9: the A holder, or the B holder while A is absent
        t.assignee = post.assignee if post is not None else None
        t.status = TaskStatus.ACTIVE
        t.opened_at = at
        t.clock = clock_start(
            owner=t,
            kind=KIND_OPINION if t.parallel else KIND_STEP,
            label=_("%(stage)s·%(step)s（%(dept)s）")
            % {"stage": t.stage_name, "step": t.name, "dept": t.department.name},
            limit=t.step.limit_days,
            started_at=at,
            tenant_id=case.tenant_id,
            department=t.department,
            responsible=t.assignee,
            legal_basis=_("办理流程环节时限"),
            actor=actor,
        )
        t.save(update_fields=["assignee", "status", "opened_at", "clock", "updated_at"])
        if t.assignee:
            recipients = [t.assignee]
        else:  # one query per department and role, not per task
            key = (t.department_id, (t.role,) if t.role else tuple(DEPARTMENT_ROLES))
            if key not in staff:
                staff[key] = _department_staff(*key)
            recipients = staff[key]
        notify(
            recipients=recipients,
            title=_("待办：%(step)s %(n)s") % {"step": t.name, "n": case.tracking_number},
            url=_staff_url(case),
            channels=("inbox",),
        )
    return True


def _window_step_sign(locked: Case, actor: Any, at: datetime) -> bool:
    """Many processes begin with the window's own acceptance step (窗口受理: one step of the case's
    department for the window clerk). Accepting at the window *is* that step, so the clerk who
    accepts signs it in the same action instead of being asked to sign it again: an "agree" opinion,
    the step's clock started and stopped at the acceptance (on time), and case.step_decided and
    case.stage_completed in the trail, as for any step. True if stage 0 was such a step."""
    tasks = sorted(
        StepTask.objects.filter(case_id=locked.pk, stage_index=0).select_related("step", "department").order_by(),
        key=lambda t: t.pk,
    )
    if not tasks or any(t.parallel or t.department_id != locked.department_id or t.role != Role.CLERK for t in tasks):
        return False
    for t in tasks:
        label = _("%(stage)s·%(step)s（%(dept)s）") % {"stage": t.stage_name, "step": t.name, "dept": t.department.name}
        clock = clock_start(
            owner=t,
            kind=KIND_STEP,
            label=label,
            limit=t.step.limit_days,
            started_at=at,
            tenant_id=locked.tenant_id,
            department=t.department,
            responsible=actor,
            legal_basis=_("办理流程环节时限"),
            actor=actor,
        )
        t.clock = clock_stop(clock=clock, actor=actor, at=at)
        t.assignee = actor if getattr(actor, "is_authenticated", False) else None
        t.status = TaskStatus.DONE
        t.opened_at = t.completed_at = at
        t.save(update_fields=["assignee", "status", "opened_at", "completed_at", "clock", "updated_at"])
        reason = _("受理时一并完成")
        Opinion.objects.create(task=t, kind=OpinionKind.AGREE, reasons=reason, author=t.assignee)
        _event(
            locked,
            "case.step_decided",
            actor,
            after={"task": t.pk, "step": t.name, "department": t.department.name, "kind": OpinionKind.AGREE},
            reason=reason,
        )
    first = tasks[0]
    _event(
        locked, "case.stage_completed", actor, after={"stage": 0, "name": first.stage_name, "policy": first.join_policy}
    )
    return True


def _accept(
    locked: Case, actor: Any, *, at: datetime, deemed: bool, given: Case | None, sign_window_step: bool = False
) -> Case:
    before = _move(locked, Status.ACCEPTED, given)
    locked.accepted_at = at
    locked.deemed_accepted = deemed
    if locked.acceptance_clock and locked.acceptance_clock.is_open:
        locked.acceptance_clock = clock_stop(clock=locked.acceptance_clock, actor=actor)
    v = locked.version
    limit = v.committed_limit if v.committed_limit is not None else (v.statutory_limit or DEFAULT_DECISION_DAYS)
    # CAS-3: the decision clock tracks both the committed and the statutory limit.
    locked.decision_clock = clock_start(
        owner=locked,
        kind=KIND_DECISION,
        label=_("办理时限：%(n)s") % {"n": locked.tracking_number},
        limit=limit,
        statutory_limit=v.statutory_limit,
        unit=v.committed_unit,
        started_at=at,
        department=locked.department,
        legal_basis=_("承诺%(c)s个工作日，法定%(s)s个工作日（《行政许可法》第四十二条）")
        % {"c": limit, "s": v.statutory_limit or "—"},
        actor=actor,
    )
    lines = [
        _("你（单位）于%(date)s提出的%(item)s申请（办件编号：%(n)s），申请材料齐全、符合法定形式，本机关决定予以受理。")
        % {"date": _d(locked.received_at), "item": v.name, "n": locked.tracking_number},
        _("受理日期：%(d)s。本机关将在%(limit)s个工作日内（至%(due)s前）作出决定，法定期限为%(s)s个工作日。")
        % {"d": _d(at), "limit": limit, "due": _due(locked.decision_clock), "s": v.statutory_limit or limit},
    ]
    if deemed:
        # CAS-1: 行政许可法 第三十二条 — no notice within 5 working days means accepted on receipt
        lines.append(_("本机关未在收到申请之日起5个工作日内告知补正，依法自收到申请材料之日起即为受理。"))
    notice = _notice_issue(
        kind=NoticeKind.ACCEPTANCE,
        department=locked.department,
        addressee=locked.applicant_name,
        lines=lines,
        actor=actor,
        case=locked,
    )
    _event(
        locked,
        "case.deemed_accepted" if deemed else "case.accepted",
        actor,
        before={"status": before},
        after={"status": locked.status, "accepted_at": at, "notice": notice.number},
    )
    _first_stage_tasks(locked)
    signed = sign_window_step and _window_step_sign(locked, actor, at)
    if _open_stage(locked, 1 if signed else 0, actor, at):
        _move(locked, Status.IN_REVIEW)
    elif signed:  # the acceptance step was the whole process: the case waits for its decision
        _move(locked, Status.IN_REVIEW)
        notify(
            recipients=_department_staff(locked.department_id, [Role.REVIEWER, Role.DEPT_HEAD]),
            title=_("待决定：%(n)s") % {"n": locked.tracking_number},
            url=_staff_url(locked),
            channels=("inbox",),
        )
    _save(locked, "status", "accepted_at", "deemed_accepted", "decision_clock", "current_stage")
    _tell_applicant(
        locked,
        _("已受理：%(n)s") % {"n": locked.tracking_number},
        _("预计%(due)s前办结。") % {"due": _due(locked.decision_clock)},
    )
    return locked


CORRECTABLE = ("applicant_name", "id_number", "phone", "address", "description")


@transaction.atomic
def case_correct_on_the_spot(*, case: Case, actor: User, form_data: dict[str, Any]) -> Case:
    """CAS-1 (行政许可法 第三十二条第一款第三项): an error that can be corrected on the spot is corrected
    at the window with the applicant present, instead of a refusal or a supplement notice. Only while
    the application awaits intake; the trail keeps what was changed (the ID number masked)."""
    locked = case_lock(case)
    _fresh(case, locked)
    if not can_intake(actor, locked):
        raise PermissionDenied(_("只有本部门窗口工作人员可以当场更正申请内容。"))
    if locked.status != Status.SUBMITTED:
        raise ValidationError(_("只有待受理的申请可以当场更正。"), code="state")
    form = _application_form_clean({**locked.form_data, **(form_data or {})})
    old = {k: str(locked.form_data.get(k, "") or "") for k in CORRECTABLE}
    changed = [k for k in CORRECTABLE if form.get(k, "") != old[k]]
    if not changed:
        raise ValidationError(_("申请内容没有变化，无需更正。"), code="unchanged")
    locked.form_data = {**locked.form_data, **form}
    locked.applicant_name = form["applicant_name"]
    locked.applicant_phone = form["phone"]
    locked.applicant_id_masked = mask_id_number(form["id_number"]) if form.get("id_number") else ""

    def shown(key: str, value: str) -> str:
        return mask_id_number(value) if key == "id_number" and value else value

    _save(locked, "form_data", "applicant_name", "applicant_phone", "applicant_id_masked")
    _event(
        locked,
        "case.corrected",
        actor,
        before={k: shown(k, old[k]) for k in changed},
        after={k: shown(k, form.get(k, "")) for k in changed},
        reason=_("当场更正"),
    )
    return locked


@transaction.atomic
def case_accept(*, case: Case, actor: User) -> Case:
    """CAS-1/CAS-2: accept a complete application with a dated acceptance notice. One click: when
    the process begins with the window's acceptance step (窗口受理), accepting signs it too
    (_window_step_sign). An on-the-spot item (即办件) is accepted and approved in the same sitting."""
    locked = case_lock(case)
    _fresh(case, locked)
    if not can_intake(actor, locked):
        raise PermissionDenied(_("只有本部门窗口工作人员可以受理。"))
    now = timezone.now()
    on_the_spot = locked.case_kind == CaseKind.ON_THE_SPOT
    _accept(locked, actor, at=now, deemed=False, given=case, sign_window_step=not on_the_spot)
    if locked.case_kind == CaseKind.ON_THE_SPOT:
        locked.tasks.filter(status__in=[TaskStatus.ACTIVE, TaskStatus.PENDING]).update(
            status=TaskStatus.DONE, completed_at=now, updated_at=now
        )
        for t in locked.tasks.exclude(clock=None).select_related("clock"):
            clock_stop(clock=t.clock, actor=actor, at=now)  # type: ignore[arg-type]
        if locked.status == Status.IN_REVIEW:
            locked.current_stage = None
            _save(locked, "current_stage")
        _decide(locked, actor, outcome=DecisionOutcome.APPROVE, reasons="", at=now, on_the_spot=True)
    return locked


def case_deem_accepted(*, case: Case, now: datetime | None = None) -> bool:
    """CAS-1: no decision within 5 working days of receipt → accepted on the day of receipt
    (行政许可法 第三十二条). Run by the periodic task; idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = case_lock(case)
        clock = locked.acceptance_clock
        if locked.status != Status.SUBMITTED or clock is None or clock.status != ClockStatus.RUNNING:
            return False
        if clock.due_at is None or clock.due_at > now:
            return False
        _accept(locked, None, at=locked.received_at, deemed=True, given=None)
        if locked.case_kind == CaseKind.ON_THE_SPOT:
            _tell_staff(locked, _("即办件被视为受理，请尽快办结：%(n)s") % {"n": locked.tracking_number})
    return True


# ---------------------------------------------------------------------------------------------
# processing: steps, opinions, joins (CAS-7, CAS-9)
# ---------------------------------------------------------------------------------------------


def _stage_tasks(case_id: int, index: int, *related: str) -> list[StepTask]:
    """Every task of one stage (they carry the stage's join policy) with each task's department: one
    query, under the case lock. Clocks are stopped by pk (the clock service reads what it needs)."""
    qs = StepTask.objects.filter(case_id=case_id, stage_index=index).select_related("department", *related)
    # ordered here, not by the model's three-column ordering (a third of the query's cost in Python)
    return sorted(qs.order_by(), key=lambda t: t.pk)


def _join(case: Case, index: int, actor: Any, at: datetime, tasks: list[StepTask] | None = None) -> bool:
    """Complete stage `index` when its join policy is met (all / any / quorum) and open the next one;
    True if it completed (the case moved on). `tasks` are the stage's tasks as loaded under the lock,
    with the caller's changes applied."""
    tasks = tasks if tasks is not None else _stage_tasks(case.pk, index)
    if not tasks:
        return False
    policy, quorum, name = tasks[0].join_policy, tasks[0].quorum, tasks[0].stage_name
    live = [t for t in tasks if t.status != TaskStatus.CANCELLED]
    done = [t for t in live if t.status in (TaskStatus.DONE, TaskStatus.DEEMED)]
    if policy == JoinPolicy.ANY:
        complete = len(done) >= 1
    elif policy == JoinPolicy.QUORUM:
        complete = len(done) >= min(quorum or len(live), len(live))
    else:
        complete = len(done) == len(live)
    if not complete:
        return False
    for t in live:
        if t.status == TaskStatus.ACTIVE:
            t.status = TaskStatus.CANCELLED
            t.completed_at = at
            t.save(update_fields=["status", "completed_at", "updated_at"])
            if t.clock_id:
                clock_stop(clock=t.clock_id, actor=actor, at=at, cancelled=True)
    _event(case, "case.stage_completed", actor, after={"stage": index, "name": name, "policy": policy})
    if not _open_stage(case, index + 1, actor, at):
        # Asked after the commit: when the head's approval made the decision in the same transaction
        # (case_step_sign), nobody is told a decided case still waits for its decision.
        transaction.on_commit(lambda: _announce_awaiting_decision(case.pk))
    return True


def _announce_awaiting_decision(case_id: int) -> None:
    """The inbox note to the department's reviewers and head that a case's stages are done and it
    awaits the decision, if it still does."""
    case = Case.objects.filter(pk=case_id, status=Status.IN_REVIEW, current_stage__isnull=True).first()
    if case is None:
        return
    notify(
        recipients=_department_staff(case.department_id, [Role.REVIEWER, Role.DEPT_HEAD]),
        title=_("待决定：%(n)s") % {"n": case.tracking_number},
        url=_staff_url(case),
        channels=("inbox",),
    )


@transaction.atomic
def case_step_decide(*, task: StepTask, actor: User, kind: str, reasons: str = "") -> Opinion:
    """An opinion on a step: agree, disagree (reasons required) or agree but refer up (CAS-7). On a
    step deemed to consent, this is the department's written opinion owed within 1 working day."""
    locked = case_lock(task.case_id, related=())
    # the task as it is now (under the case lock) with its stage siblings for the join check
    stage = _stage_tasks(locked.pk, task.stage_index)
    fresh = next((t for t in stage if t.pk == task.pk), None)
    if fresh is None:
        raise ValidationError(_("该环节不属于该办件。"), code="task")
    fresh.case = locked
    if not can_step_decide(actor, fresh):
        raise PermissionDenied(_("该环节不由您办理。"))
    reasons = (reasons or "").strip()
    if kind not in OpinionKind.values:
        raise ValidationError({"kind": [_("请选择办理意见。")]})
    if kind == OpinionKind.DISAGREE and not reasons:
        raise ValidationError({"reasons": [_("不同意必须说明理由。")]})  # CAS-7
    now = timezone.now()
    # (the written-opinion clock is read only for a task deemed to consent)
    written = fresh.status == TaskStatus.DEEMED and fresh.written_clock is not None and fresh.written_clock.is_open
    if not written and (fresh.status != TaskStatus.ACTIVE or locked.status != Status.IN_REVIEW):
        if task.status == TaskStatus.ACTIVE and fresh.status != TaskStatus.ACTIVE:
            raise ConflictError()
        raise ValidationError(_("该环节当前不能签署意见。"), code="state")
    opinion = Opinion.objects.create(task=fresh, kind=kind, reasons=reasons, author=actor, is_written_followup=written)
    with trail_batch():  # the clock's and the case's events: one read and one insert
        if written:
            clock_stop(clock=fresh.written_clock, actor=actor, at=now)  # type: ignore[arg-type]
            _event(
                locked,
                "case.written_opinion",
                actor,
                after={"task": fresh.pk, "step": fresh.name, "department": fresh.department.name, "kind": kind},
                reason=reasons,
            )
            return opinion  # the case itself did not change: its version stays (see below)
        fresh.status = TaskStatus.DONE
        fresh.completed_at = fresh.updated_at = now
        # one UPDATE by key, without save()'s per-field pipeline (the busiest write; no signals)
        StepTask.objects.filter(pk=fresh.pk).update(status=fresh.status, completed_at=now, updated_at=now)
        if fresh.clock_id is not None:
            clock_stop_running(clock=fresh.clock_id, actor=actor, at=now)  # one UPDATE … RETURNING
        _event(
            locked,
            "case.step_decided",
            actor,
            after={"task": fresh.pk, "step": fresh.name, "department": fresh.department.name, "kind": kind},
            reason=reasons,
        )
        # The case row changes (and its version grows) only when the stage completes. One department's
        # opinion does not change the case: another department answering at the same moment, or a
        # reviewer pausing the clocks, must not be told "someone else changed the case". The task's
        # own status is what a concurrent opinion on the same step is checked against.
        if _join(locked, fresh.stage_index, actor, now, tasks=stage):
            _save(locked, "current_stage")
    return opinion


def _deem_consent(
    locked: Case, task: StepTask, stage: list[StepTask], actor: Any, at: datetime, reason: str, action: str
) -> Opinion:
    with trail_batch():
        return _deem_consent_write(locked, task, stage, actor, at, reason, action)


def _deem_consent_write(
    locked: Case, task: StepTask, stage: list[StepTask], actor: Any, at: datetime, reason: str, action: str
) -> Opinion:
    task.case = locked
    opinion = Opinion.objects.create(task=task, kind=OpinionKind.AGREE, reasons=reason, author=None, is_system=True)
    task.status = TaskStatus.DEEMED
    task.completed_at = at
    if task.clock_id:
        clock_stop(clock=task.clock_id, actor=actor, at=at)  # a no-op on a clock already closed
    # CAS-7: the department deemed to consent owes its written opinion within 1 working day.
    task.written_clock = clock_start(
        owner=task,
        kind=KIND_WRITTEN,
        label=_("补交书面意见：%(step)s（%(dept)s）") % {"step": task.name, "dept": task.department.name},
        limit=WRITTEN_OPINION_DAYS,
        started_at=at,
        tenant_id=locked.tenant_id,
        department=task.department,
        responsible=task.assignee,
        legal_basis=_("并联审批超时默认同意后，1个工作日内出具书面意见"),  # CAS-7
        actor=actor,
    )
    task.save(update_fields=["status", "completed_at", "written_clock", "updated_at"])
    _event(
        locked,
        action,
        actor,
        after={"task": task.pk, "step": task.name, "department": task.department.name},
        reason=reason,
    )
    notify(
        recipients=[task.assignee] if task.assignee else _department_staff(task.department_id, DEPARTMENT_ROLES),
        title=_("已视为同意，请于1个工作日内补交书面意见：%(n)s") % {"n": locked.tracking_number},
        body=reason,
        url=_staff_url(locked),
        channels=("inbox", "sms"),
    )
    if _join(locked, task.stage_index, actor, at, tasks=stage):
        _save(locked, "current_stage")
    return opinion


def _locked_task(task: StepTask) -> tuple[Case, StepTask, list[StepTask]]:
    """The case's row lock, then the task as it is now with its stage siblings."""
    locked = case_lock(task.case_id)
    stage = _stage_tasks(locked.pk, task.stage_index, "step", "clock", "assignee")
    fresh = next((t for t in stage if t.pk == task.pk), None)
    if fresh is None:
        raise ValidationError(_("该环节不属于该办件。"), code="task")
    return locked, fresh, stage


def case_step_deemed_consent(*, task: StepTask, now: datetime | None = None) -> Opinion | None:
    """CAS-7 超时默认: a step whose limit passed and whose definition says deemed consent gets a
    system opinion "agree". Run by the periodic task; idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        locked, fresh, stage = _locked_task(task)
        if fresh.status != TaskStatus.ACTIVE or locked.status != Status.IN_REVIEW:
            return None
        if fresh.step.on_timeout != OnTimeout.DEEMED_CONSENT or fresh.clock is None:
            return None
        if fresh.clock.status != ClockStatus.RUNNING or fresh.clock.due_at is None or fresh.clock.due_at > now:
            return None
        reason = _("%(dept)s逾期未提出意见，视为同意（超时默认）。") % {"dept": fresh.department.name}
        return _deem_consent(locked, fresh, stage, None, now, reason, "case.deemed_consent")


@transaction.atomic
def case_step_absent(*, task: StepTask, actor: User) -> Opinion:
    """CAS-7 缺席默认: a co-handling department absent from the joint review is deemed to agree;
    recorded by the head of the lead department."""
    locked, fresh, stage = _locked_task(task)
    if not (actor.is_superuser or (actor.role == Role.DEPT_HEAD and actor.department_id == locked.department_id)):
        raise PermissionDenied(_("只有牵头部门负责人可以登记缺席默认。"))
    if not fresh.parallel or fresh.status != TaskStatus.ACTIVE or locked.status != Status.IN_REVIEW:
        raise ValidationError(_("只有并联审批中尚未答复的部门可以登记缺席默认。"), code="state")
    reason = _("%(dept)s缺席联合审查，视为同意（缺席默认）。") % {"dept": fresh.department.name}
    return _deem_consent(locked, fresh, stage, actor, timezone.now(), reason, "case.absent_consent")


# ---------------------------------------------------------------------------------------------
# pauses and extensions (CAS-3, CAS-4)
# ---------------------------------------------------------------------------------------------


def _case_clocks(case: Case, statuses: Iterable[str]) -> list[Clock]:
    clocks = [case.decision_clock] if case.decision_clock else []
    clocks += [
        t.clock for t in case.tasks.filter(status=TaskStatus.ACTIVE).select_related("clock") if t.clock is not None
    ]
    return [c for c in clocks if c.status in set(statuses)]


@transaction.atomic
def case_pause(*, case: Case, actor: User, reason: str, expected_days: int, note: str = "") -> Case:
    """CAS-4 (行政许可法 第四十五条): a special procedure the item lists stops the clocks; the expected
    duration is told to the applicant in writing (a special-procedure notice)."""
    locked = case_lock(case)
    _fresh(case, locked)
    if not can_pause(actor, locked):
        raise PermissionDenied(_("只有本部门审核人员或负责人可以启动特别程序。"))
    if locked.status != Status.IN_REVIEW or locked.decision_clock is None:
        raise ValidationError(_("只有审查中的办件可以启动特别程序。"), code="state")
    procedures = {p.kind: p for p in locked.version.special_procedures.all()}
    if reason not in procedures:
        raise ValidationError({"reason": [_("该事项未列明此特别程序，不能据此暂停计时。")]})  # CAS-4
    try:
        days = int(expected_days)
    except (TypeError, ValueError):
        raise ValidationError({"expected_days": [_("请填写预计所需工作日数。")]}) from None
    if days < 1 or days > procedures[reason].max_days:
        raise ValidationError(
            {"expected_days": [_("预计时长应在1至%(max)d个工作日之间。") % {"max": procedures[reason].max_days}]}
        )
    if locked.decision_clock.status != ClockStatus.RUNNING:
        raise ValidationError(_("办理时限已处于暂停状态。"), code="paused")
    now = timezone.now()
    for clock in _case_clocks(locked, [ClockStatus.RUNNING]):
        clock_pause(clock=clock, reason=reason, actor=actor, note=note, expected_days=days, at=now)
    label = PauseReason(reason).label
    notice = _notice_issue(
        kind=NoticeKind.SPECIAL_PROCEDURE,
        department=locked.department,
        addressee=locked.applicant_name,
        lines=[
            _(
                "你（单位）申请的%(item)s（办件编号：%(n)s），因需要进行%(proc)s，根据《中华人民共和国行政许可法》第四十五条的规定，所需时间不计算在办理期限内。"
            )
            % {"item": locked.version.name, "n": locked.tracking_number, "proc": label},
            _("特别程序自%(d)s开始，预计需要%(days)d个工作日。") % {"d": _d(now), "days": days},
            *([note.strip()] if note.strip() else []),
        ],
        actor=actor,
        case=locked,
    )
    _save(locked, "status")
    _event(
        locked,
        "case.paused",
        actor,
        after={"reason": reason, "expected_days": days, "notice": notice.number},
        reason=note,
    )
    _tell_applicant(
        locked,
        _("办件进入特别程序：%(n)s") % {"n": locked.tracking_number},
        _("%(proc)s，预计%(days)d个工作日，期间不计入办理时限。") % {"proc": label, "days": days},
    )
    return locked


@transaction.atomic
def case_resume(*, case: Case, actor: User) -> Case:
    """The special procedure is over: every paused clock of the case runs again."""
    locked = case_lock(case)
    _fresh(case, locked)
    if not can_pause(actor, locked):
        raise PermissionDenied(_("只有本部门审核人员或负责人可以结束特别程序。"))
    clocks = _case_clocks(locked, [ClockStatus.PAUSED])
    if locked.status != Status.IN_REVIEW or not clocks:
        raise ValidationError(_("该办件没有处于暂停状态的时限。"), code="state")
    now = timezone.now()
    for clock in clocks:
        clock_resume(clock=clock, actor=actor, at=now)
    _save(locked, "status")
    _event(locked, "case.resumed", actor, after={"clocks": len(clocks)})
    _tell_applicant(locked, _("特别程序结束，恢复计时：%(n)s") % {"n": locked.tracking_number})
    return locked


@transaction.atomic
def case_extend(*, case: Case, actor: User, kind: str, reason: str) -> Case:
    """CAS-3 (行政许可法 第四十二条): +10 working days with the agency head's approval; +15 for joint or
    parallel handling with the same-level government's approval; each at most once; the reasons
    are told to the applicant (extension notice)."""
    locked = case_lock(case)
    _fresh(case, locked)
    if kind not in ExtensionRole.DAYS:
        raise ValidationError({"kind": [_("请选择延期类型。")]})
    if not can_extend(actor, locked, kind):
        raise PermissionDenied(
            _("延长10个工作日须经本机关负责人批准；联合办理延长15个工作日须经本级人民政府负责人批准。")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("延期必须说明理由，并告知申请人。")]})  # CAS-3
    if locked.status != Status.IN_REVIEW or locked.decision_clock is None or not locked.decision_clock.is_open:
        raise ValidationError(_("只有审查中的办件可以延期。"), code="state")
    if kind == ExtensionRole.GOVERNMENT and not locked.tasks.filter(parallel=True).exists():
        raise ValidationError(_("只有联合办理、并联审批的办件可以经本级人民政府批准延长15个工作日。"))  # CAS-3
    if ClockExtension.objects.filter(clock=locked.decision_clock, kind=kind).exists():
        raise ValidationError(_("同一类型的延期只能批准一次。"), code="twice")  # CAS-3
    days = ExtensionRole.DAYS[kind]
    clock_extend(clock=locked.decision_clock, days=days, kind=kind, reason=reason, approver=actor)
    locked.decision_clock.refresh_from_db()
    notice = _notice_issue(
        kind=NoticeKind.EXTENSION,
        department=locked.department,
        addressee=locked.applicant_name,
        lines=[
            _("你（单位）申请的%(item)s（办件编号：%(n)s），因%(reason)s，不能在规定期限内作出决定。")
            % {"item": locked.version.name, "n": locked.tracking_number, "reason": reason},
            _("经%(who)s批准，办理期限延长%(days)d个工作日，延长后的期限至%(due)s。")
            % {
                "who": _("本机关负责人") if kind == ExtensionRole.AGENCY_HEAD else _government_name(locked),
                "days": days,
                "due": _due(locked.decision_clock),
            },
            _("根据：《中华人民共和国行政许可法》第四十二条。"),
        ],
        actor=actor,
        case=locked,
    )
    _save(locked, "status")
    _event(locked, "case.extended", actor, after={"kind": kind, "days": days, "notice": notice.number}, reason=reason)
    _tell_applicant(
        locked,
        _("办理期限延长%(days)d个工作日：%(n)s") % {"days": days, "n": locked.tracking_number},
        reason,
    )
    return locked


# ---------------------------------------------------------------------------------------------
# negative-decision report (CAS-6)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def case_negative_report_submit(
    *, case: Case, actor: User, kind: str, reasons: str, applicant_contact: str = ""
) -> NegativeReport:
    """CAS-6 否定报备: a refusal, a non-acceptance, or a case that cannot finish within its committed
    limit is reported to the responsible leader, with the handler, the reasons and the applicant's
    contact, before anything is issued."""
    locked = case_lock(case)
    _fresh(case, locked)
    if not can_report_negative(actor, locked):
        raise PermissionDenied(_("只有本部门工作人员可以提交否定报备。"))
    reasons = (reasons or "").strip()
    if kind not in NegativeKind.values:
        raise ValidationError({"kind": [_("请选择报备类型。")]})
    if not reasons:
        raise ValidationError({"reasons": [_("否定报备必须写明理由。")]})  # CAS-6
    allowed = {
        NegativeKind.NON_ACCEPTANCE: {Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED},
        NegativeKind.REFUSAL: {Status.IN_REVIEW},
        NegativeKind.OVERDUE: {Status.IN_REVIEW},
    }[NegativeKind(kind)]
    if locked.status not in allowed:
        raise ValidationError(_("办件当前状态不能提交此类否定报备。"), code="state")
    if NegativeReport.objects.filter(case=locked, status=NegativeStatus.PENDING).exists():
        raise ValidationError(_("该办件已有待审核的否定报备。"), code="pending")
    contact = (applicant_contact or "").strip() or f"{locked.applicant_name} {locked.applicant_phone}".strip()
    report = NegativeReport.objects.create(
        case=locked,
        kind=kind,
        handler=actor,
        reasons=reasons,
        applicant_contact=contact[:100],
        from_status=locked.status,
    )
    before = locked.status
    if kind != NegativeKind.OVERDUE:
        # the refusal waits for the leader; an overrun report does not stop the work
        _move(locked, Status.PENDING_NEGATIVE_REPORT, case)
    _save(locked, "status")
    _event(
        locked,
        "case.negative_report_submitted",
        actor,
        before={"status": before},
        after={"status": locked.status, "report": report.pk, "kind": kind},
        reason=reasons,
    )
    leaders = _department_staff(locked.department_id, [Role.DEPT_HEAD])
    notify(
        recipients=[u for u in leaders if u.pk != actor.pk],
        title=_("否定报备待审核：%(n)s") % {"n": locked.tracking_number},
        body=reasons,
        url="/workbench/cases/negative-reports/",
        channels=("inbox", "sms"),
    )
    return report


@transaction.atomic
def case_negative_report_review(
    *, report: NegativeReport, actor: User, approve: bool, comment: str = ""
) -> NegativeReport:
    """CAS-6: the responsible leader (department head or region leader) reviews the report; the case
    returns to where it was, and only an approved report lets the refusal be issued."""
    locked = case_lock(report.case_id)
    fresh = NegativeReport.objects.select_for_update().select_related("case__department__region").get(pk=report.pk)
    if not can_review_negative(actor, fresh):
        raise PermissionDenied(_("只有负责领导可以审核否定报备，且不能审核本人提交的报备。"))
    if fresh.status != NegativeStatus.PENDING:
        raise ConflictError()
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": [_("退回必须说明意见。")]})
    fresh.case = locked
    fresh.status = NegativeStatus.APPROVED if approve else NegativeStatus.RETURNED
    fresh.leader = actor
    fresh.reviewed_at = timezone.now()
    fresh.review_comment = comment
    fresh.save(update_fields=["status", "leader", "reviewed_at", "review_comment", "updated_at"])
    before = locked.status
    if locked.status == Status.PENDING_NEGATIVE_REPORT:
        _move(locked, fresh.from_status)
    _save(locked, "status")
    _event(
        locked,
        "case.negative_report_reviewed",
        actor,
        before={"status": before},
        after={"status": locked.status, "report": fresh.pk, "approved": approve},
        reason=comment,
    )
    notify(
        recipients=[fresh.handler],
        title=(_("否定报备已审核同意：%(n)s") if approve else _("否定报备被退回：%(n)s"))
        % {"n": locked.tracking_number},
        body=comment,
        url=_staff_url(locked),
        channels=("inbox",),
    )
    return fresh


# ---------------------------------------------------------------------------------------------
# decision, delivery, close, withdraw (CAS-3, CAS-5)
# ---------------------------------------------------------------------------------------------


def _decide(
    locked: Case, actor: User, *, outcome: str, reasons: str, at: datetime, on_the_spot: bool = False
) -> Decision:
    target = Status.DECIDED_APPROVED if outcome == DecisionOutcome.APPROVE else Status.DECIDED_REFUSED
    before = _move(locked, target)
    remedy = str(REMEDY_TEXT % {"government": _government_name(locked)}) if outcome == DecisionOutcome.REFUSE else ""
    decision = Decision.objects.create(
        case=locked, outcome=outcome, reasons=reasons, remedy=remedy, decided_by=actor, decided_at=at
    )
    locked.decided_at = at
    if locked.decision_clock and locked.decision_clock.is_open:
        locked.decision_clock = clock_stop(clock=locked.decision_clock, actor=actor, at=at)
    # CAS-3: 行政许可法 第四十四条 — delivered within 10 working days of the decision
    locked.delivery_clock = clock_start(
        owner=locked,
        kind=KIND_DELIVERY,
        label=_("送达时限：%(n)s") % {"n": locked.tracking_number},
        limit=DELIVERY_DAYS,
        started_at=at,
        department=locked.department,
        legal_basis=_("《行政许可法》第四十四条：作出决定之日起10个工作日内送达"),
        actor=actor,
    )
    v = locked.version
    if outcome == DecisionOutcome.APPROVE:
        lines = [
            _("你（单位）于%(date)s提出的%(item)s申请（办件编号：%(n)s），经审查，符合法定条件、标准。")
            % {"date": _d(locked.received_at), "item": v.name, "n": locked.tracking_number},
            _("根据《中华人民共和国行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。"),
        ]
        if v.result_name:
            lines.append(_("本机关将依法颁发%(r)s。") % {"r": v.result_name})
        if reasons:
            lines.append(reasons)
        kind = NoticeKind.APPROVAL
    else:
        lines = [
            _("你（单位）于%(date)s提出的%(item)s申请（办件编号：%(n)s），经审查，本机关决定不予行政许可。")
            % {"date": _d(locked.received_at), "item": v.name, "n": locked.tracking_number},
            _("理由：%(r)s") % {"r": reasons},
            remedy,
        ]
        kind = NoticeKind.REFUSAL
    notice = _notice_issue(
        kind=kind, department=locked.department, addressee=locked.applicant_name, lines=lines, actor=actor, case=locked
    )
    _save(locked, "status", "decided_at", "delivery_clock")
    _event(
        locked,
        "case.decided",
        actor,
        before={"status": before},
        after={"status": locked.status, "outcome": outcome, "notice": notice.number, "on_the_spot": on_the_spot},
        reason=reasons,
    )
    _tell_applicant(
        locked,
        (_("准予许可：%(n)s") if outcome == DecisionOutcome.APPROVE else _("不予许可：%(n)s"))
        % {"n": locked.tracking_number},
        reasons,
    )
    # the window delivers the decision within 10 working days (CAS-3)
    _tell_staff(locked, _("待送达：%(n)s") % {"n": locked.tracking_number}, roles=(Role.CLERK,))
    return decision


@transaction.atomic
def case_decide(*, case: Case, actor: User, outcome: str, reasons: str = "") -> Decision:
    """The decision once every stage is complete. A refusal needs written reasons and carries the
    right to reconsideration or litigation (CAS-5); a refusal, or a decision after the committed
    limit passed, is issued only after the leader reviewed the negative-decision report (CAS-6).
    (An approval by the department head on the last step is made by case_step_sign in the same
    action; this is the decision made on its own: a refusal, a referral up, a reviewer's decision.)"""
    locked = case_lock(case)
    _fresh(case, locked)
    return _decide_checked(locked, actor, outcome=outcome, reasons=reasons, given=case)


def _decide_checked(locked: Case, actor: User, *, outcome: str, reasons: str, given: Case | None) -> Decision:
    """case_decide's rules on the locked case: who may decide, every stage done, no approval over a
    disagreement, CAS-5 reasons and the CAS-6 reports; then the decision with its notice."""
    opinions = list(Opinion.objects.filter(task__case=locked, is_written_followup=False))
    referred_up = any(o.kind == OpinionKind.AGREE_REFER_UP for o in opinions)
    if not can_decide(actor, locked, referred_up=referred_up):
        raise PermissionDenied(
            _("有部门提请上级决定，须由部门负责人或领导作出决定。") if referred_up else _("您无权对该办件作出决定。")
        )
    reasons = (reasons or "").strip()
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": [_("请选择决定结果。")]})
    if locked.status != Status.IN_REVIEW:
        _move(locked, Status.DECIDED_APPROVED, given)  # raises the right message
    if locked.tasks.filter(status__in=[TaskStatus.ACTIVE, TaskStatus.PENDING]).exists():
        raise ValidationError(_("还有办理环节未完成，不能作出决定。"), code="steps")
    if outcome == DecisionOutcome.APPROVE and any(o.kind == OpinionKind.DISAGREE for o in opinions):
        raise ValidationError(_("有部门不同意，不能作出准予决定；如不予许可，请先提交否定报备。"), code="disagree")
    if outcome == DecisionOutcome.REFUSE:
        if not reasons:
            raise ValidationError({"reasons": [_("不予许可必须说明理由。")]})  # CAS-5
        report = _negative_report_for(locked, NegativeKind.REFUSAL)
        if report is None:
            raise ValidationError(_("不予许可决定须先经领导审核否定报备。"), code="cas6")  # CAS-6
        report.used = True
        report.save(update_fields=["used", "updated_at"])
    now = timezone.now()
    clock = locked.decision_clock
    if clock is not None and clock.due_at is not None and clock.due_at < now:
        overrun = _negative_report_for(locked, NegativeKind.OVERDUE)
        if overrun is None:
            raise ValidationError(_("该办件已超过承诺时限，须先经领导审核否定报备。"), code="cas6_overdue")  # CAS-6
        overrun.used = True
        overrun.save(update_fields=["used", "updated_at"])
    return _decide(locked, actor, outcome=outcome, reasons=reasons, at=now)


def step_sign_decides(actor: Any, case: Case, task: StepTask) -> bool:
    """Whether the head's "agree" on `task` is the approval that makes the decision: a step of the
    case's own department (not a co-handling department's opinion), signed by the department head,
    who may decide this case. Whether it completes the last stage is known once it is signed."""
    if not getattr(actor, "is_authenticated", False) or task.parallel or task.department_id != case.department_id:
        return False
    if not (actor.is_superuser or actor.role == Role.DEPT_HEAD):
        return False
    return can_decide(actor, case, referred_up=True)


def case_step_sign(*, task: StepTask, actor: User, kind: str, reasons: str = "") -> tuple[Opinion, Decision | None]:
    """Sign a step, as the pages and the API do: the opinion (case_step_decide) and — when it is the
    department head's approval that completes the last stage — the approval decision with its notice
    in the same transaction. The head means one thing; the trail keeps both acts: case.step_decided,
    case.stage_completed, case.decided; the step's clock and the decision clock stop, the delivery
    clock starts (CAS-3). Otherwise (a refusal, an opinion that leaves stages open, a decision that
    may not be made yet: an approval over a disagreement, or past the committed limit without the
    leader's review, CAS-6) the opinion alone is recorded and the case waits for case_decide."""
    head = getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == Role.DEPT_HEAD
    if kind != OpinionKind.AGREE or not head:
        # the opinion alone, in its own transaction: nothing added on the busy parallel path
        return case_step_decide(task=task, actor=actor, kind=kind, reasons=reasons), None
    with transaction.atomic():
        opinion = case_step_decide(task=task, actor=actor, kind=kind, reasons=reasons)
        signed = opinion.task  # as case_step_decide left it, with the case it locked
        case = signed.case
        if (
            opinion.is_written_followup
            or case.status != Status.IN_REVIEW
            or case.current_stage is not None  # stages remain: no decision yet
            or not step_sign_decides(actor, case, signed)
        ):
            return opinion, None
        locked = case_lock(case.pk)
        try:
            with transaction.atomic():  # a savepoint: a decision that may not be made yet leaves the opinion
                decision = _decide_checked(
                    locked, actor, outcome=DecisionOutcome.APPROVE, reasons=(reasons or "").strip(), given=None
                )
        except ValidationError:
            return opinion, None
        return opinion, decision


@transaction.atomic
def case_deliver(*, case: Case, actor: User, method: str, recipient: str) -> Delivery:
    """Delivery of the decision (送达), which stops the 10-working-day delivery clock (CAS-3)."""
    locked = case_lock(case)
    _fresh(case, locked)
    if not can_deliver(actor, locked):
        raise PermissionDenied(_("只有本部门窗口工作人员可以办理送达。"))
    recipient = (recipient or "").strip()
    errors: dict[str, list[str]] = {}
    if method not in DeliveryMethod.values:
        errors["method"] = [_("请选择送达方式。")]
    if not recipient:
        errors["recipient"] = [_("请填写签收人。")]
    if errors:
        raise ValidationError(errors)
    before = _move(locked, Status.DELIVERED, case)
    now = timezone.now()
    delivery = Delivery.objects.create(
        case=locked, method=method, recipient=recipient[:100], delivered_by=actor, delivered_at=now
    )
    locked.delivered_at = now
    if locked.delivery_clock:
        locked.delivery_clock = clock_stop(clock=locked.delivery_clock, actor=actor, at=now)
    _save(locked, "status", "delivered_at")
    _event(
        locked, "case.delivered", actor, before={"status": before}, after={"status": locked.status, "method": method}
    )
    _tell_applicant(locked, _("决定书已送达：%(n)s") % {"n": locked.tracking_number})
    return delivery


@transaction.atomic
def case_close(*, case: Case, actor: User) -> Case:
    """Close the case (办结归档) once its decision was delivered, or after a refusal at intake."""
    locked = case_lock(case)
    _fresh(case, locked)
    if not can_intake(actor, locked):
        raise PermissionDenied(_("只有本部门窗口工作人员可以办结归档。"))
    before = _move(locked, Status.CLOSED, case)
    locked.closed_at = timezone.now()
    _save(locked, "status", "closed_at")
    _event(locked, "case.closed", actor, before={"status": before}, after={"status": locked.status})
    _tell_applicant(locked, _("已办结：%(n)s") % {"n": locked.tracking_number}, _("欢迎对本次服务作出评价。"))
    return locked


@transaction.atomic
def case_withdraw(*, case: Case, actor: User, reason: str = "") -> Case:
    """The applicant withdraws: every open clock of the case is cancelled."""
    locked = case_lock(case)
    if not can_withdraw(actor, locked):
        raise PermissionDenied(_("只有申请人本人可以撤回申请。"))
    _fresh(case, locked)
    before = _move(locked, Status.WITHDRAWN, case)
    now = timezone.now()
    locked.closed_at = now
    for t in locked.tasks.filter(status__in=[TaskStatus.ACTIVE, TaskStatus.PENDING]):
        t.status = TaskStatus.CANCELLED
        t.save(update_fields=["status", "updated_at"])
    for c in Clock.objects.filter(
        pk__in=[
            locked.acceptance_clock_id,
            locked.decision_clock_id,
            *locked.tasks.exclude(clock=None).values_list("clock_id", flat=True),
        ],
        status__in=[ClockStatus.RUNNING, ClockStatus.PAUSED],
    ):
        clock_stop(clock=c, actor=actor, at=now, cancelled=True)
    _save(locked, "status", "closed_at")
    _event(
        locked,
        "case.withdrawn",
        actor,
        before={"status": before},
        after={"status": locked.status},
        reason=(reason or "").strip(),
    )
    _tell_staff(locked, _("申请人已撤回：%(n)s") % {"n": locked.tracking_number})
    return locked


# ---------------------------------------------------------------------------------------------
# fees (CAT-7) and enquiries (CAS-8)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def fee_charge_record(*, case: Case, actor: User, fee: Fee | int, amount: Any, receipt_number: str) -> FeeCharge:
    """CAT-7: only a fee listed for the item's pinned version, at the lower bound of its standard,
    with the payment recorded."""
    locked = case_lock(case)
    if not can_intake(actor, locked):
        raise PermissionDenied(_("只有本部门窗口工作人员可以登记收费。"))
    fee_id = fee.pk if isinstance(fee, Fee) else fee
    fee_obj = Fee.objects.filter(pk=fee_id, version_id=locked.version_id).first()
    if fee_obj is None:
        raise ValidationError({"fee": [_("该收费项目不在本事项公布的收费目录中，不得收取。")]})  # CAT-7
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": [_("金额格式不正确。")]}) from None
    if value != fee_obj.lower:
        raise ValidationError(
            {"amount": [_("收费应按标准下限 %(lower)s 元收取。") % {"lower": fee_obj.lower}]}  # CAT-7
        )
    receipt_number = (receipt_number or "").strip()
    if not receipt_number:
        raise ValidationError({"receipt_number": [_("请填写票据号。")]})
    if locked.status in (Status.WITHDRAWN, Status.REFUSED_AT_INTAKE, Status.CLOSED):
        raise ValidationError(_("该办件已终止，不能收费。"), code="state")
    if FeeCharge.objects.filter(case=locked, fee=fee_obj).exists():
        raise ValidationError(_("该收费项目已收取，不能重复收费。"), code="twice")
    charge = FeeCharge.objects.create(
        case=locked,
        fee=fee_obj,
        amount=value,
        receipt_number=receipt_number[:60],
        paid_at=timezone.now(),
        recorded_by=actor,
    )
    _save(locked, "status")
    _event(
        locked, "case.fee_charged", actor, after={"fee": fee_obj.name, "amount": str(value), "receipt": receipt_number}
    )
    return charge


@transaction.atomic
def enquiry_register(
    *,
    actor: User,
    visitor_name: str,
    question: str,
    outcome: str,
    visitor_phone: str = "",
    answer: str = "",
    referred_office: str = "",
    referred_address: str = "",
    referred_contact: str = "",
) -> Enquiry:
    """CAS-8 首问负责: the first staff member registers the enquiry and either handles it or names the
    competent office with its address and contact (a referral slip is printed)."""
    if (
        not getattr(actor, "is_authenticated", False)
        or actor.role not in DEPARTMENT_ROLES
        or actor.department_id is None
    ):
        raise PermissionDenied(_("只有部门工作人员可以登记首问。"))
    data = {
        "visitor_name": (visitor_name or "").strip(),
        "question": (question or "").strip(),
        "answer": (answer or "").strip(),
        "referred_office": (referred_office or "").strip(),
        "referred_address": (referred_address or "").strip(),
        "referred_contact": (referred_contact or "").strip(),
    }
    errors: dict[str, list[str]] = {}
    if not data["visitor_name"]:
        errors["visitor_name"] = [_("请填写来访人。")]
    if not data["question"]:
        errors["question"] = [_("请填写咨询事项。")]
    if outcome not in EnquiryOutcome.values:
        errors["outcome"] = [_("请选择处理结果。")]
    elif outcome == EnquiryOutcome.HANDLED and not data["answer"]:
        errors["answer"] = [_("当场答复的，请填写答复内容。")]
    elif outcome == EnquiryOutcome.REFERRED:
        for f, msg in (
            ("referred_office", _("请填写有权办理部门的名称。")),  # CAS-8
            ("referred_address", _("请填写有权办理部门的地址。")),  # CAS-8
            ("referred_contact", _("请填写有权办理部门的联系方式。")),  # CAS-8
        ):
            if not data[f]:
                errors[f] = [msg]
    if visitor_phone and not (visitor_phone.isdigit() and 7 <= len(visitor_phone) <= 12):
        errors["visitor_phone"] = [_("联系电话格式不正确。")]
    if errors:
        raise ValidationError(errors)
    department = actor.department
    assert department is not None
    tenant = department.region.tenant or department.region
    enquiry = Enquiry.objects.create(
        tenant_id=department.tenant_id,
        number=tracking_number_next(tenant=tenant, prefix="SW"),
        department=department,
        registered_by=actor,
        visitor_phone=visitor_phone or "",
        outcome=outcome,
        **data,
    )
    if outcome == EnquiryOutcome.REFERRED:
        _notice_issue(
            kind=NoticeKind.REFERRAL,
            department=department,
            addressee=data["visitor_name"],
            lines=[
                _("您咨询的事项：%(q)s") % {"q": data["question"]},
                _("该事项不属于本部门职责，请前往有权办理的部门办理："),
                _("部门：%(o)s") % {"o": data["referred_office"]},
                _("地址：%(a)s") % {"a": data["referred_address"]},
                _("联系方式：%(c)s") % {"c": data["referred_contact"]},
                _("首问责任人：%(who)s（%(dept)s）") % {"who": actor, "dept": department.name},
            ],
            actor=actor,
            enquiry=enquiry,
        )
    event_append(
        subject=enquiry,
        action="enquiry.registered",
        actor=actor,
        after={"outcome": outcome, "referred_office": data["referred_office"]},
        tenant_id=enquiry.tenant_id,
    )
    return enquiry
