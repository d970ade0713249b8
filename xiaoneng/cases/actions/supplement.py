"""The one-time supplement notice (一次性告知, CAS-1): one notice listing everything missing, once (a
second request is refused and recorded for supervision, SUP-2); the acceptance clock pauses until the
applicant hands the materials in."""

from __future__ import annotations

__all__ = [
    "case_request_supplement",
    "case_supplement",
]

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.cases.actions.materials import files_store, files_validate
from xiaoneng.cases.actions.notices import date_text, notice_issue
from xiaoneng.cases.actions.notifications import applicant_tell, staff_tell
from xiaoneng.cases.actions.transition import case_event, case_lock, case_save, fresh_check, status_move
from xiaoneng.cases.choices import NoticeKind, Status
from xiaoneng.cases.models import Case, SupplementAttempt, SupplementNotice
from xiaoneng.cases.permissions import can_intake, can_withdraw
from xiaoneng.catalog.models import ItemVersion, Material
from xiaoneng.orgs.models import User
from xiaoneng.workdays.choices import ClockStatus, PauseReason
from xiaoneng.workdays.services import clock_pause, clock_resume


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


@transaction.atomic
def _record_second_supplement(case_pk: int, actor: User, missing: list[dict[str, Any]]) -> None:
    case = Case.objects.get(pk=case_pk)
    SupplementAttempt.objects.create(case=case, actor=actor, missing=missing)
    # SUP-2: "a second supplement request after the one-time notice" — the trail keeps the attempt.
    case_event(case, "case.supplement_second_refused", actor, after={"missing": missing})


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
            fresh_check(case, locked)
            if not rows:
                raise ValidationError(_("请列明需要补正的全部材料。"), code="missing")
            before = status_move(locked, Status.SUPPLEMENT_REQUESTED, case)
            now = timezone.now()
            try:
                with transaction.atomic():
                    sn = SupplementNotice.objects.create(
                        case=locked, missing=rows, note=(note or "").strip(), issued_by=actor, issued_at=now
                    )
            except IntegrityError:
                attempt = rows
                raise ValidationError(_("补正材料只能一次性告知，不能再次要求补正。"), code="second") from None  # CAS-1
            case_save(locked, "status")
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
                % {"date": date_text(locked.received_at), "item": locked.version.name, "n": locked.tracking_number},
                _("根据《中华人民共和国行政许可法》第三十二条的规定，现一次性告知需要补正的全部内容如下："),
                *[f"{i}. {r['name']}" + (f"（{r['note']}）" if r["note"] else "") for i, r in enumerate(rows, start=1)],
                _("补正期间不计入办理时限。请补齐上述材料后重新提交。"),
            ]
            if sn.note:
                lines.append(sn.note)
            notice = notice_issue(
                kind=NoticeKind.SUPPLEMENT,
                department=locked.department,
                addressee=locked.applicant_name,
                lines=lines,
                actor=actor,
                case=locked,
            )
            case_event(
                locked,
                "case.supplement_requested",
                actor,
                before={"status": before},
                after={"status": locked.status, "missing": rows, "notice": notice.number},
            )
            applicant_tell(
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
def case_supplement(*, case: Case, actor: User, files: Sequence[tuple[Material | None, UploadedFile[Any]]]) -> Case:
    """The applicant (or the window on their behalf) hands in the missing materials: the acceptance
    clock resumes and the case is back in the intake queue."""
    locked = case_lock(case)
    if not (can_withdraw(actor, locked) or can_intake(actor, locked)):
        raise PermissionDenied(_("只有申请人或本部门窗口可以提交补正材料。"))
    if not files:
        raise ValidationError(_("请上传补正材料。"), code="files")
    files_validate(locked.version, files)
    before = status_move(locked, Status.SUBMITTED, case)
    files_store(locked, files, actor, supplement=True)
    case_save(locked, "status")
    now = timezone.now()
    SupplementNotice.objects.filter(case=locked).update(supplied_at=now, updated_at=now)
    if locked.acceptance_clock and locked.acceptance_clock.status == ClockStatus.PAUSED:
        clock_resume(clock=locked.acceptance_clock, actor=actor, at=now)
    case_event(
        locked,
        "case.supplemented",
        actor,
        before={"status": before},
        after={"status": locked.status, "files": len(files)},
    )
    staff_tell(locked, _("申请人已补正：%(n)s") % {"n": locked.tracking_number})
    return locked
