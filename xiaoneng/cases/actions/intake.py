"""Intake (CAS-1, CAS-2): an application online or at the window, correction on the spot, acceptance
(with the window's own acceptance step signed in the same action, and an on-the-spot item decided at
once), deemed acceptance after 5 working days, and refusal at intake.

    submitted ─accept→ accepted ─(stages)→ in_review ─decide→ decided_approved/refused
        ─deliver→ delivered ─close→ closed
        │ └─request_supplement→ supplement_requested ─supplement→ submitted
        └─refuse_at_intake→ refused_at_intake      (withdrawn from any open state; pauses live on the clocks)"""

from __future__ import annotations

__all__ = [
    "CORRECTABLE",
    "application_form_clean",
    "case_accept",
    "case_correct_on_the_spot",
    "case_deem_accepted",
    "case_refuse_at_intake",
    "case_register_at_window",
    "case_submit",
    "published_version",
]

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.cases.actions.decision import decision_issue
from xiaoneng.cases.actions.materials import files_store, files_validate
from xiaoneng.cases.actions.negative import approved_report_take
from xiaoneng.cases.actions.notices import REMEDY_TEXT, date_text, due_text, government_name, notice_issue
from xiaoneng.cases.actions.notifications import applicant_tell, case_url, department_staff, staff_tell, staff_url
from xiaoneng.cases.actions.steps import stage_open, stage_tasks_create, window_step_sign
from xiaoneng.cases.actions.transition import case_event, case_lock, case_save, fresh_check, status_move
from xiaoneng.cases.choices import (
    APPLICABLE_ITEM_TYPES,
    ONLINE_ACCEPTANCE_DEPTH,
    Channel,
    DecisionOutcome,
    NegativeKind,
    NoticeKind,
    RefusalGround,
    Status,
    TaskStatus,
)
from xiaoneng.cases.clocks import ACCEPTANCE_DAYS, DEFAULT_DECISION_DAYS, KIND_ACCEPTANCE, KIND_DECISION
from xiaoneng.cases.forms import ApplicationForm
from xiaoneng.cases.models import Case
from xiaoneng.cases.permissions import can_intake
from xiaoneng.cases.verification import code_hash, code_new
from xiaoneng.catalog.choices import CaseKind, VersionStatus
from xiaoneng.catalog.models import Item, ItemVersion, Material
from xiaoneng.catalog.selectors import disposal_blocks, disposal_notice
from xiaoneng.core.services import notify, tracking_number_next
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import User
from xiaoneng.orgs.validators import mask_id_number
from xiaoneng.workdays.choices import ClockStatus
from xiaoneng.workdays.services import clock_start, clock_stop


def application_form_clean(form_data: dict[str, Any]) -> dict[str, str]:
    if not isinstance(form_data, dict):
        raise ValidationError(_("申请表格式不正确。"), code="form")
    form = ApplicationForm(data=form_data)
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return {k: str(v) for k, v in form.cleaned_data.items()}


def published_version(item: Item, *, online: bool) -> ItemVersion:
    """CAT-1: only the item's published version in force may be exercised. CAT-DIS-2: from its
    effective date a cancelled, delegated or entrusted item takes no case, whatever the channel (the
    online page, the window, the API all come here); the message gives the reason and, for a
    delegated or entrusted item, where to apply now."""
    if disposal_blocks(item):
        notice = disposal_notice(item)
        if notice is None:
            raise RuntimeError("invariant: a blocking disposal has a notice")
        raise ValidationError(" ".join(p for p in (notice["reason"], notice["where"]) if p), code="disposed")
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
    files: Sequence[tuple[Material | None, UploadedFile[Any]]],
) -> tuple[Case, str]:
    department = item.department
    code = code_new()
    tenant = department.region.tenant or department.region
    number = tracking_number_next(tenant=tenant, prefix="BJ")
    now = timezone.now()
    case = Case.objects.create(
        tenant_id=item.tenant_id,
        tracking_number=number,
        verification_hash=code_hash(number, code),
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
    files_store(case, files, actor)
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
    case_event(
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
    files: Sequence[tuple[Material | None, UploadedFile[Any]]] = (),
) -> tuple[Case, str]:
    """An applicant applies online for a published item (CAT-1). Returns the case and its
    verification code, which is shown to the applicant once and sent by SMS; only its hash is kept."""
    if not getattr(actor, "is_authenticated", False) or actor.role != Role.APPLICANT:
        raise PermissionDenied(_("只有申请人账户可以在线申请。"))
    item = Item.objects.select_related("published", "department__region__tenant").get(pk=item.pk)
    version = published_version(item, online=True)
    form = application_form_clean(form_data)
    files_validate(version, files)
    # every check is done before the first file reaches the disk: bad input writes nothing
    case, code = _open_case(
        actor=actor, item=item, version=version, channel=Channel.ONLINE, form=form, applicant=actor, files=files
    )
    notify(
        recipients=[actor],
        title=_("申请已提交：%(item)s") % {"item": version.name},
        body=_("办件编号 %(n)s，查询码 %(c)s。请妥善保管查询码。") % {"n": case.tracking_number, "c": code},
        url=case_url(case),
    )
    staff_tell(case, _("新的网上申请：%(n)s %(item)s") % {"n": case.tracking_number, "item": version.name})
    return case, code


@transaction.atomic
def case_register_at_window(
    *,
    actor: User,
    item: Item,
    form_data: dict[str, Any],
    files: Sequence[tuple[Material | None, UploadedFile[Any]]] = (),
) -> tuple[Case, str]:
    """A window clerk registers an application on the applicant's behalf (the applicant's account,
    if one has this phone number, is linked so the case shows under 我的办件)."""
    item = Item.objects.select_related("published", "department__region__tenant").get(pk=item.pk)
    if not getattr(actor, "is_authenticated", False) or not (
        actor.is_superuser or (actor.role in (Role.CLERK, Role.DEPT_HEAD) and actor.department_id == item.department_id)
    ):
        raise PermissionDenied(_("只有本部门窗口工作人员可以代为收件。"))
    version = published_version(item, online=False)
    form = application_form_clean(form_data)
    files_validate(version, files)
    applicant = User.objects.filter(phone=form["phone"], role=Role.APPLICANT, is_active=True).first()
    case, code = _open_case(
        actor=actor, item=item, version=version, channel=Channel.WINDOW, form=form, applicant=applicant, files=files
    )
    if applicant is not None:
        notify(
            recipients=[applicant],
            title=_("窗口已收件：%(item)s") % {"item": version.name},
            body=_("办件编号 %(n)s，查询码 %(c)s。") % {"n": case.tracking_number, "c": code},
            url=case_url(case),
        )
    return case, code


@transaction.atomic
def case_refuse_at_intake(*, case: Case, actor: User, ground: str, reasons: str, competent_agency: str = "") -> Case:
    """CAS-1: not a licensing matter, or not this agency's competence → refuse at once, naming the
    competent agency. CAS-6: only after the leader reviewed the negative-decision report. CAS-2: a
    dated written notice."""
    locked = case_lock(case)
    fresh_check(case, locked)
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
    before = status_move(locked, Status.REFUSED_AT_INTAKE, case)
    report = approved_report_take(locked, NegativeKind.NON_ACCEPTANCE)
    if report is None:
        # CAS-6: 否定报备 before issue
        raise ValidationError(_("不予受理须先经领导审核否定报备。"), code="cas6")  # CAS-6
    report.used = True
    report.save(update_fields=["used", "updated_at"])
    locked.refusal_reason = f"{RefusalGround(ground).label}。{reasons}"
    locked.competent_agency = competent_agency
    case_save(locked, "status", "refusal_reason", "competent_agency")
    if locked.acceptance_clock:
        locked.acceptance_clock = clock_stop(clock=locked.acceptance_clock, actor=actor)
    lines = [
        _("你（单位）于%(date)s提出的%(item)s申请（办件编号：%(n)s），经审查，%(ground)s。")
        % {
            "date": date_text(locked.received_at),
            "item": locked.version.name,
            "n": locked.tracking_number,
            "ground": RefusalGround(ground).label,
        },
        _("理由：%(r)s") % {"r": reasons},
    ]
    if competent_agency:
        lines.append(_("请向%(agency)s提出申请。") % {"agency": competent_agency})
    lines.append(str(REMEDY_TEXT % {"government": government_name(locked)}))
    notice = notice_issue(
        kind=NoticeKind.REFUSAL_TO_ACCEPT,
        department=locked.department,
        addressee=locked.applicant_name,
        lines=lines,
        actor=actor,
        case=locked,
    )
    case_event(
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
    applicant_tell(locked, _("不予受理：%(n)s") % {"n": locked.tracking_number}, reasons)
    return locked


def _accept(
    locked: Case, actor: Any, *, at: datetime, deemed: bool, given: Case | None, sign_window_step: bool = False
) -> Case:
    before = status_move(locked, Status.ACCEPTED, given)
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
        % {"date": date_text(locked.received_at), "item": v.name, "n": locked.tracking_number},
        _("受理日期：%(d)s。本机关将在%(limit)s个工作日内（至%(due)s前）作出决定，法定期限为%(s)s个工作日。")
        % {"d": date_text(at), "limit": limit, "due": due_text(locked.decision_clock), "s": v.statutory_limit or limit},
    ]
    if deemed:
        # CAS-1: 行政许可法 第三十二条 — no notice within 5 working days means accepted on receipt
        lines.append(_("本机关未在收到申请之日起5个工作日内告知补正，依法自收到申请材料之日起即为受理。"))
    notice = notice_issue(
        kind=NoticeKind.ACCEPTANCE,
        department=locked.department,
        addressee=locked.applicant_name,
        lines=lines,
        actor=actor,
        case=locked,
    )
    case_event(
        locked,
        "case.deemed_accepted" if deemed else "case.accepted",
        actor,
        before={"status": before},
        after={"status": locked.status, "accepted_at": at, "notice": notice.number},
    )
    stage_tasks_create(locked)
    signed = sign_window_step and window_step_sign(locked, actor, at)
    if stage_open(locked, 1 if signed else 0, actor, at):
        status_move(locked, Status.IN_REVIEW)
    elif signed:  # the acceptance step was the whole process: the case waits for its decision
        status_move(locked, Status.IN_REVIEW)
        notify(
            recipients=department_staff(locked.department_id, [Role.REVIEWER, Role.DEPT_HEAD]),
            title=_("待决定：%(n)s") % {"n": locked.tracking_number},
            url=staff_url(locked),
            channels=("inbox",),
        )
    case_save(locked, "status", "accepted_at", "deemed_accepted", "decision_clock", "current_stage")
    applicant_tell(
        locked,
        _("已受理：%(n)s") % {"n": locked.tracking_number},
        _("预计%(due)s前办结。") % {"due": due_text(locked.decision_clock)},
    )
    return locked


CORRECTABLE = ("applicant_name", "id_number", "phone", "address", "description")


@transaction.atomic
def case_correct_on_the_spot(*, case: Case, actor: User, form_data: dict[str, Any]) -> Case:
    """CAS-1 (行政许可法 第三十二条第一款第三项): an error that can be corrected on the spot is corrected
    at the window with the applicant present, instead of a refusal or a supplement notice. Only while
    the application awaits intake; the trail keeps what was changed (the ID number masked)."""
    locked = case_lock(case)
    fresh_check(case, locked)
    if not can_intake(actor, locked):
        raise PermissionDenied(_("只有本部门窗口工作人员可以当场更正申请内容。"))
    if locked.status != Status.SUBMITTED:
        raise ValidationError(_("只有待受理的申请可以当场更正。"), code="state")
    form = application_form_clean({**locked.form_data, **(form_data or {})})
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

    case_save(locked, "form_data", "applicant_name", "applicant_phone", "applicant_id_masked")
    case_event(
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
    (window_step_sign). An on-the-spot item (即办件) is accepted and approved in the same sitting."""
    locked = case_lock(case)
    fresh_check(case, locked)
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
            case_save(locked, "current_stage")
        decision_issue(locked, actor, outcome=DecisionOutcome.APPROVE, reasons="", at=now, on_the_spot=True)
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
            staff_tell(locked, _("即办件被视为受理，请尽快办结：%(n)s") % {"n": locked.tracking_number})
    return True
