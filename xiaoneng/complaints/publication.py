"""Monthly publication (公示) of the complaint figures (CMP-4): snapshots per jurisdiction and per
handling department, read by the public statistics page."""

from __future__ import annotations

__all__ = [
    "figures_publish",
]

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from xiaoneng.complaints.models import Complaint, MonthlyFigure
from xiaoneng.complaints.selectors import department_stats, monthly_figures
from xiaoneng.orgs.models import Region

_FIGURE_FIELDS = ("total", "decided", "accepted", "due_reply", "replied", "on_time", "callbacks", "satisfied")


def figures_publish(*, now: datetime | None = None, months_back: int = 24) -> int:
    """Publish the CMP-4 figures of every complete month not yet published (per jurisdiction, the
    whole and each handling department), as snapshots for the public page. Idempotent."""
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
