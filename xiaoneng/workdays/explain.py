"""clock_explain(clock): why a due date is what it is, in words a citizen can check."""

from __future__ import annotations

__all__ = ["ClockExplanation", "clock_explain", "date_with_weekday"]

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES
from xiaoneng.workdays.deadline import PauseSpan, local_date, natural_period_end
from xiaoneng.workdays.models import Clock

WEEKDAYS = [
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
]


def date_with_weekday(d: date) -> str:
    """ "2026-02-15（周日）" in Chinese, "2026-02-15 (Sun)" in English."""
    return _("%(date)s（%(weekday)s）") % {"date": f"{d:%Y-%m-%d}", "weekday": WEEKDAYS[d.weekday()]}


_d = date_with_weekday


def _t(dt: datetime) -> str:
    # the configured zone (Asia/Shanghai), not the server's
    return f"{timezone.localtime(dt):%Y-%m-%d %H:%M}"


def _hours(delta: timedelta) -> str:
    h = delta.total_seconds() / 3600
    return f"{h:.0f}" if h == int(h) else f"{h:.1f}"


@dataclass
class ClockExplanation:
    summary: str
    lines: list[str] = field(default_factory=list)
    provisional: bool = False

    def __str__(self) -> str:
        return "\n".join([self.summary, *self.lines])


def _runs(days: list[tuple[date, str, str]]) -> list[tuple[date, date, str, str]]:
    """Group consecutive rest days of the same kind and name into runs."""
    runs: list[tuple[date, date, str, str]] = []
    for d, kind, name in days:
        if runs and runs[-1][2] == kind and runs[-1][3] == name and runs[-1][1] + timedelta(days=1) == d:
            runs[-1] = (runs[-1][0], d, kind, name)
        else:
            runs.append((d, d, kind, name))
    return runs


def clock_explain(clock: Clock) -> ClockExplanation:
    """Each step from the start to the due date: the CLK-2 next-day rule, the limit and its basis,
    extensions, pauses (and which ones could not count), the holidays skipped (CLK-1, CLK-3), the
    rest-day rule for natural days, the provisional years (CLK-4) and the calendar revision (CLK-5).
    Rule IDs stay in these comments: the lines are read by citizens and cite the law instead."""
    cal = get_calendar()
    unit = clock.get_unit_display()
    hours = clock.unit == "h"
    start = local_date(clock.started_at)
    lines: list[str] = []
    if hours:
        lines.append(_("起算：%(at)s，按小时连续计算。") % {"at": _t(clock.started_at)})
    else:
        lines.append(_("起算：%(start)s 发生，期限自次日起算（《民法典》第二百零一条）。") % {"start": _d(start)})
    limit_line = _("时限：%(limit)d个%(unit)s") % {"limit": clock.limit, "unit": unit}
    if clock.statutory_limit:
        limit_line += _("（法定时限%(limit)d个%(unit)s）") % {"limit": clock.statutory_limit, "unit": unit}
    if clock.legal_basis:
        limit_line += _("，依据：%(basis)s") % {"basis": clock.legal_basis}
    lines.append(limit_line + "。")
    for ext in clock.extensions.all():
        lines.append(
            _("延期：+%(days)d个%(unit)s，%(kind)s（%(approver)s，%(at)s），理由：%(reason)s")
            % {
                "days": ext.days,
                "unit": unit,
                "kind": ext.get_kind_display(),
                "approver": ext.approver,
                "at": f"{local_date(ext.approved_at):%Y-%m-%d}",
                "reason": ext.reason,
            }
        )
    pauses = [p for p in clock.pauses.all() if p.started_at >= clock.started_at]
    for p in pauses:
        p0 = local_date(p.started_at)
        # A pause that starts once the limit has run out does not count: an overdue obligation is
        # not cured by pausing it (see deadline._due_days). A pause begun on the due day itself
        # still counts: that day is not counted (the pause convention below).
        too_late = (
            (clock.due_at is not None and p.started_at >= clock.due_at)
            if hours
            else (clock.due_date is not None and p0 > clock.due_date)
        )
        if too_late:
            lines.append(
                _("暂停：%(p0)s 起，%(reason)s；暂停时期限已届满，不影响到期日，超期不因暂停而消除。")
                % {"p0": _t(p.started_at) if hours else _d(p0), "reason": p.get_reason_display()}
            )
        elif p.ended_at and hours:
            lines.append(
                _("暂停：%(p0)s 至 %(p1)s，%(reason)s（%(basis)s），不计入期限，共扣除%(n)s小时。")
                % {
                    "p0": _t(p.started_at),
                    "p1": _t(p.ended_at),
                    "reason": p.get_reason_display(),
                    "basis": p.legal_basis,
                    "n": _hours(p.ended_at - p.started_at),
                }
            )
        elif p.ended_at:
            # 行政许可法 第四十五条: the time the procedure needs is not counted. Convention
            # (deadline.py): every day from the pause day to the resumption day, both included, is
            # left out, so a pause begun and ended on one working day excludes that day.
            p1 = local_date(p.ended_at)
            excluded = cal.count_working_days(p0 - timedelta(days=1), p1) if clock.unit == "wd" else (p1 - p0).days + 1
            lines.append(
                _(
                    "暂停：%(p0)s 至 %(p1)s，%(reason)s（%(basis)s）；暂停当日至恢复当日均不计入期限，"
                    "共扣除%(n)d个%(unit)s。"
                )
                % {
                    "p0": _d(p0),
                    "p1": _d(p1),
                    "reason": p.get_reason_display(),
                    "basis": p.legal_basis,
                    "n": excluded,
                    "unit": unit,
                }
            )
        else:
            lines.append(
                _(
                    "暂停中：自 %(p0)s 起，%(reason)s（%(basis)s）%(expected)s；暂停当日起不计入期限，"
                    "恢复当日也不计入，自恢复次日起继续计算剩余%(rem)s个%(unit)s。"
                )
                % {
                    "p0": _t(p.started_at) if hours else _d(p0),
                    "reason": p.get_reason_display(),
                    "basis": p.legal_basis,
                    "expected": (_("，预计%(n)d个工作日") % {"n": p.expected_days}) if p.expected_days else "",
                    "rem": clock.remaining if clock.remaining is not None else "-",
                    "unit": unit,
                }
            )
    end = clock.due_date
    last = max([d for d in (clock.due_date, clock.statutory_due_date) if d] or [start])
    if clock.unit == "wd" and last > start:
        # CLK-1/CLK-3: holidays and weekends are skipped, make-up working days count (unless the
        # clock stood paused that day: the pause line already accounts for it)
        paused_days = [(local_date(p.started_at), local_date(p.ended_at) if p.ended_at else last) for p in pauses]
        days = [
            (d, kind, name)
            for d, kind, name in cal.rest_days(start, last)
            if kind != "makeup" or not any(p0 <= d <= p1 for p0, p1 in paused_days)
        ]
        for r0, r1, kind, name in _runs(days):
            n = (r1 - r0).days + 1
            span = _d(r0) if r0 == r1 else _("%(first)s 至 %(last)s") % {"first": _d(r0), "last": _d(r1)}
            info = cal.day_info(r0)
            if kind == "holiday" and info is not None and info.provisional:
                # CLK-4: a year with no announced schedule rests on the holidays the law fixes
                lines.append(
                    _(
                        "跳过：%(span)s %(name)s，共%(n)d天"
                        "（该年放假安排尚未公布，按《全国年节及纪念日放假办法》暂定）。"
                    )
                    % {"span": span, "name": name, "n": n}
                )
            elif kind == "holiday":
                lines.append(_("跳过：%(span)s %(name)s放假，共%(n)d天。") % {"span": span, "name": name, "n": n})
            elif kind == "makeup":
                lines.append(_("计入：%(span)s 为调休上班日。") % {"span": span})
            else:
                lines.append(_("跳过：%(span)s 周末。") % {"span": span})
    elif clock.unit == "nd" and end is not None:
        # CLK-2: natural days run through holidays; only a period ending on a rest day moves
        natural_end = natural_period_end(
            cal=cal,
            limit=clock.effective_limit,
            started_at=clock.started_at,
            pauses=[PauseSpan(p.started_at, p.ended_at) for p in pauses],
        )
        if natural_end is not None and natural_end != end:
            info = cal.day_info(natural_end)
            rest = info.name if info is not None and info.kind == "holiday" else _("周末")
            lines.append(
                _("期满日 %(natural)s 为休息日（%(rest)s），顺延至下一个工作日 %(due)s（《民法典》第二百零三条）。")
                % {"natural": _d(natural_end), "rest": rest, "due": _d(end)}
            )
        else:
            lines.append(_("按自然日连续计算，期间的节假日照常计入。"))
    if clock.status == "paused":
        summary = _("暂停中，剩余%(rem)s个%(unit)s。") % {"rem": clock.remaining, "unit": unit}
    elif hours and clock.due_at:
        summary = _("到期时刻：%(at)s。") % {"at": _t(clock.due_at)}
        if clock.statutory_due_at and clock.statutory_due_at != clock.due_at:
            summary += _("法定到期时刻：%(at)s。") % {"at": _t(clock.statutory_due_at)}
    elif end:
        summary = _("到期日：%(date)s，当日24时前办结。") % {"date": _d(end)}
        if clock.statutory_due_date and clock.statutory_due_date != end:
            summary += _("法定到期日：%(date)s。") % {"date": _d(clock.statutory_due_date)}
    else:
        summary = _("未计算到期日。")
    if clock.status == "stopped" and clock.stopped_at:
        on_time = clock.due_at is not None and clock.stopped_at <= clock.due_at
        lines.append(
            (_("已于 %(at)s 办结，按时。") if on_time else _("已于 %(at)s 办结，超期。"))
            % {"at": f"{local_date(clock.stopped_at):%Y-%m-%d}"}
        )
    # CLK-4: only an open obligation is provisional; a finished one is never recomputed, its due
    # date is final (due.clock_shows_provisional)
    provisional = clock.provisional and clock.status in OPEN_CLOCK_STATUSES
    if provisional:
        years = sorted(y for y in cal.provisional_years if start.year <= y <= last.year)
        lines.append(
            _(
                "暂定：%(years)s年放假安排尚未公布，按周一至周五并跳过《全国年节及纪念日放假办法》规定的"
                "节假日推算，调休上班日尚不可知；公布后系统自动重算。"
            )
            % {"years": "、".join(str(y) for y in years)}
        )
    lines.append(_("计算所用日历版本：第%(rev)d版。") % {"rev": clock.calendar_revision})
    return ClockExplanation(summary=summary, lines=lines, provisional=provisional)
