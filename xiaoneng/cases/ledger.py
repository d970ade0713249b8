"""The department's ledger (台账) for a period, exported to Excel with openpyxl: one row per case
received in the period, with its dates, limits, outcome and whether it finished on time."""

from __future__ import annotations

__all__ = ["HEADERS", "ledger_rows", "ledger_workbook"]

import io
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from xiaoneng.cases.selectors import cases_for_user
from xiaoneng.workdays.due import clock_due_date

HEADERS = [
    gettext_lazy("办件编号"),
    gettext_lazy("事项"),
    gettext_lazy("申请人"),
    gettext_lazy("渠道"),
    gettext_lazy("状态"),
    gettext_lazy("收件时间"),
    gettext_lazy("受理时间"),
    gettext_lazy("视为受理"),
    gettext_lazy("决定时间"),
    gettext_lazy("承诺到期日"),
    gettext_lazy("法定到期日"),
    gettext_lazy("是否按时"),
    gettext_lazy("暂停次数"),
    gettext_lazy("延期（工作日）"),
    gettext_lazy("送达时间"),
]


def _local(dt: datetime | None) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else ""


def ledger_rows(*, user: Any, start: date, end: date) -> list[list[Any]]:
    if end < start:
        raise ValidationError(_("结束日期不能早于开始日期。"))
    if (end - start).days > 366:
        raise ValidationError(_("导出期间不能超过一年。"))
    tz = timezone.get_current_timezone()
    lo = datetime.combine(start, time.min, tzinfo=tz)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    qs = (
        cases_for_user(user)
        .filter(received_at__gte=lo, received_at__lt=hi)
        .select_related("decision_clock")
        .prefetch_related("decision_clock__pauses")
        .order_by("received_at", "pk")
    )
    if user.department_id:
        qs = qs.filter(department_id=user.department_id)
    rows = []
    for c in qs:
        clock = c.decision_clock
        on_time = ""
        if clock is not None and clock.stopped_at and clock.due_at:
            on_time = _("是") if clock.stopped_at <= clock.due_at else _("否")
        rows.append(
            [
                c.tracking_number,
                c.version.name,
                c.applicant_name,
                c.get_channel_display(),
                c.get_status_display(),
                _local(c.received_at),
                _local(c.accepted_at),
                _("是") if c.deemed_accepted else "",
                _local(c.decided_at),
                str(clock_due_date(clock) or ""),
                str(clock.statutory_due_date) if clock and clock.statutory_due_date else "",
                on_time,
                len(clock.pauses.all()) if clock else 0,
                clock.extension_total if clock else 0,
                _local(c.delivered_at),
            ]
        )
    return rows


def ledger_workbook(*, user: Any, start: date, end: date) -> bytes:
    rows = ledger_rows(user=user, start=start, end=end)
    wb = Workbook()
    ws = wb.active
    if ws is None:
        raise RuntimeError("invariant: ws is not None")
    ws.title = _("办件台账")
    ws.append([_("%(dept)s 办件台账 %(s)s 至 %(e)s") % {"dept": user.department or "", "s": start, "e": end}])
    ws.append([str(h) for h in HEADERS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([str(v) if not isinstance(v, int) else v for v in r])
    for col, width in zip("ABCDEFGHIJKLMNO", [26, 24, 14, 10, 12, 17, 17, 8, 17, 12, 12, 8, 8, 10, 17], strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
