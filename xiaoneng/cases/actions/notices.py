"""Numbered written notices in the department's name (受理通知书, 一次性告知书, 决定书 …), the dates
and due dates as they are written in them, and the remedy clause of a negative decision."""

from __future__ import annotations

__all__ = [
    "REMEDY_TEXT",
    "date_text",
    "due_text",
    "government_name",
    "notice_issue",
]

from datetime import datetime
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoneng.cases.models import Case, Enquiry, Notice, NoticeSequence
from xiaoneng.workdays.due import clock_due_date
from xiaoneng.workdays.models import Clock

REMEDY_TEXT = gettext_lazy(
    "申请人如对本决定不服，可以自收到本决定书之日起六十日内向%(government)s申请行政复议，"
    "也可以在六个月内依法向人民法院提起行政诉讼。"
)


def government_name(case: Case) -> str:
    region = case.department.region
    return _("%(region)s人民政府") % {"region": region.name}


def notice_issue(
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
    seq_row, _created = NoticeSequence.objects.select_for_update(of=("self",)).get_or_create(
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


def date_text(dt: datetime | None) -> str:
    if dt is None:
        return ""
    local = timezone.localtime(dt)
    return _("%(y)d年%(m)d月%(d)d日") % {"y": local.year, "m": local.month, "d": local.day}


def due_text(clock: Clock | None) -> str:
    d = clock_due_date(clock)  # the due day, never due_at as a date (issue 9)
    if d is None:
        return ""
    return _("%(y)d年%(m)d月%(d)d日") % {"y": d.year, "m": d.month, "d": d.day}
