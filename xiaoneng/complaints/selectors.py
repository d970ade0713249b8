"""Scoped reads for complaints, the hidden-complainant promise, and the statistics (CMP-4)."""

from __future__ import annotations

__all__ = [
    "CMP4_REPLY_TARGET",
    "CMP4_SATISFACTION_TARGET",
    "complainant_shown",
    "complaint_track",
    "complaints_for",
    "department_stats",
    "monthly_figures",
    "public_due",
    "published_figures",
    "reply_due_q",
    "reply_late_q",
]

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.complaints.choices import SATISFIED, Status
from xiaoneng.complaints.codes import verification_check
from xiaoneng.complaints.models import Complaint, MonthlyFigure
from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.choices import DEPARTMENT_ROLES
from xiaoneng.orgs.models import Department
from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES
from xiaoneng.workdays.due import clock_due_date

# CMP-4 targets: reply rate 100%, satisfaction ≥ 95% (seed 004)
CMP4_REPLY_TARGET = 100.0
CMP4_SATISFACTION_TARGET = 95.0


def complaints_for(user: Any) -> QuerySet[Complaint]:
    return restrict(
        Complaint.objects.select_related("department", "handling_department", "region", "reply_clock", "accept_clock"),
        user,
    )


def complainant_shown(user: Any, complaint: Complaint) -> dict[str, str]:
    """Who complained, as this user may see it. Department staff never see a complainant who asked
    to stay hidden from the department (nor an anonymous one) — not even the linked case, whose
    applicant would name them (`show_case` is then empty); the office sees who to call back."""
    department_user = user is None or getattr(user, "role", None) in DEPARTMENT_ROLES
    concealed = department_user and (complaint.anonymous or complaint.hide_from_department)
    show_case = "" if concealed else "yes"
    if complaint.anonymous:
        return {"name": _("匿名"), "phone": "", "hidden": "anonymous", "show_case": show_case}
    if concealed:
        return {"name": _("（投诉人要求对被投诉部门保密）"), "phone": "", "hidden": "hidden", "show_case": show_case}
    return {
        "name": complaint.complainant_name,
        "phone": complaint.complainant_phone,
        "hidden": "",
        "show_case": show_case,
    }


def complaint_track(number: str, code: str) -> Complaint | None:
    c = Complaint.objects.filter(number=(number or "").strip()).select_related("handling_department").first()
    if c is None or not verification_check(c, code):
        return None
    return c


def _pct(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


@dataclass
class Figures:
    label: str
    total: int
    decided: int
    accepted: int
    due_reply: int
    replied: int
    on_time: int
    callbacks: int
    satisfied: int
    key: int | None = None  # the department, for rows by department

    @property
    def acceptance_rate(self) -> float | None:
        return _pct(self.accepted, self.decided)

    @property
    def reply_rate(self) -> float | None:
        return _pct(self.replied, self.due_reply)

    @property
    def late(self) -> int:
        """Replies due and not given on time: replied late, or still open past the limit."""
        return max(self.due_reply - self.on_time, 0)

    @property
    def on_time_rate(self) -> float | None:
        # on time ÷ replies due (reply_due_q): an open complaint past its limit counts against it
        return _pct(self.on_time, self.due_reply)

    @property
    def satisfaction_rate(self) -> float | None:
        return _pct(self.satisfied, self.callbacks)

    @property
    def meets_reply_target(self) -> bool:
        return self.reply_rate is None or self.reply_rate >= CMP4_REPLY_TARGET

    @property
    def meets_satisfaction_target(self) -> bool:
        return self.satisfaction_rate is None or self.satisfaction_rate >= CMP4_SATISFACTION_TARGET


def reply_late_q(now: datetime | None = None) -> Q:
    """CMP-2 / CMP-4, the ONE definition of a late reply: the reply Clock's due time passed before the
    reply — replied after it, or still unreplied with the clock running past it. The on-time rate,
    the statistics pages (staff and public) and the efficiency index all count through this, and it
    is the instant at which the supervision scan raises the red card that puts the complaint on the
    public overdue list (SUP-4, default thresholds). Issue 9: an open complaint past its due date
    used to be left out, so a department with one on the overdue list showed 100 % on time."""
    now = now or timezone.now()
    return Q(replied_at__isnull=False, replied_on_time=False) | Q(
        replied_at__isnull=True, reply_clock__status__in=OPEN_CLOCK_STATUSES, reply_clock__due_at__lt=now
    )


def reply_due_q(now: datetime | None = None) -> Q:
    """A reply has fallen due (应答复): it was given, or it is late (`reply_late_q`). A complaint still
    within its reply time is not yet due and counts in neither rate."""
    return Q(replied_at__isnull=False) | reply_late_q(now)


def _agg(now: datetime | None = None) -> dict[str, Any]:
    return {
        "total": Count("id"),
        "decided": Count("id", filter=Q(accepted_at__isnull=False) | Q(refused_at__isnull=False)),
        "accepted": Count("id", filter=Q(accepted_at__isnull=False)),
        "due_reply": Count("id", filter=reply_due_q(now)),
        "replied": Count("id", filter=Q(replied_at__isnull=False)),
        "on_time": Count("id", filter=Q(replied_on_time=True)),
        "callbacks": Count("id", filter=~Q(satisfaction="")),
        "satisfied": Count("id", filter=Q(satisfaction__in=list(SATISFIED))),
    }


# the figure names, in order (MonthlyFigure stores the same fields)
_AGG = tuple(_agg())


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(start, time.min, tz), datetime.combine(end, time.max, tz)


def department_stats(qs: QuerySet[Complaint], *, start: date, end: date, now: datetime | None = None) -> list[Figures]:
    """CMP-4 figures by handling department for complaints received in [start, end]: one GROUP BY on
    the department key (names are looked up afterwards, not joined per row)."""
    lo, hi = _bounds(start, end)
    rows = [
        cast(dict[str, Any], r)
        for r in qs.filter(received_at__gte=lo, received_at__lte=hi)
        .exclude(status=Status.MERGED)
        .order_by()
        .values("handling_department_id")
        .annotate(**_agg(now))
    ]
    names = dict(
        Department.objects.filter(pk__in=[r["handling_department_id"] for r in rows if r["handling_department_id"]])
        .order_by()  # no join for the model's default ordering: the rows are sorted below
        .values_list("pk", "name")
    )
    out = [
        Figures(
            label=names.get(r["handling_department_id"]) or _("（未派单）"),
            key=r["handling_department_id"],
            **{k: r[k] for k in _AGG},
        )
        for r in rows
    ]
    return sorted(out, key=lambda f: (-f.total, f.label))


def monthly_figures(qs: QuerySet[Complaint], *, year: int, now: datetime | None = None) -> list[Figures]:
    """CMP-4 figures per month of `year` (published on the public page with sample sizes)."""
    lo, hi = _bounds(date(year, 1, 1), date(year, 12, 31))
    rows = (
        qs.filter(received_at__gte=lo, received_at__lte=hi)
        .exclude(status=Status.MERGED)
        .order_by()
        .annotate(month=TruncMonth("received_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values("month")
        .annotate(**_agg(now))
        .order_by("month")
    )
    out = []
    for row in rows:
        r = cast(dict[str, Any], row)
        out.append(Figures(label=r["month"].strftime("%Y-%m"), **{k: r[k] for k in _AGG}))
    return out


def published_figures(tenant_id: int, *, year: int) -> tuple[list[Any], list[Any], date | None]:
    """The published monthly snapshots (MonthlyFigure) of `year`: the jurisdiction's row per month, and
    the departments of the latest published month."""
    rows = list(MonthlyFigure.objects.filter(tenant_id=tenant_id, month__year=year).order_by("month", "label"))
    months = [r for r in rows if r.department_id is None]
    latest = months[-1].month if months else None
    depts = sorted(
        (r for r in rows if r.department_id is not None and r.month == latest), key=lambda r: (-r.total, r.label)
    )
    return [_as_figures(r) for r in months], [_as_figures(r) for r in depts], latest


def _as_figures(r: Any) -> Figures:
    return Figures(label=r.label if r.department_id else r.month.strftime("%Y-%m"), **{k: getattr(r, k) for k in _AGG})


def public_due(c: Complaint | None) -> dict[str, Any] | None:
    """The limit the complainant is waiting on (CMP-2): the acceptance decision or the reply. The
    date is the clock's due day (issue 9: `due_at` is 00:00 of the day after, shown as a date it was
    one day late); the tracking API gives the same."""
    if c is None:
        return None
    if c.status == Status.REGISTERED and c.accept_clock is not None:
        return {"label": _("受理决定期限"), "date": clock_due_date(c.accept_clock)}
    if c.status == Status.DISPATCHED and c.reply_clock is not None:
        return {"label": _("答复期限"), "date": clock_due_date(c.reply_clock)}
    return None
