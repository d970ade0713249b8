"""Demo: a public-resource trading and treasury system registers timed obligations for supervision;
some are overdue, one is due today, one tomorrow, others still have time, two urgent payments count
in hours, two are already done (one late). Then one scan, so the dashboard shows every colour.
Idempotent: an obligation registered before is not registered again, and the scan raises nothing
twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from xiaoneng.orgs.models import Department, Region, User
from xiaoneng.supervision.alerts.external import (
    external_obligation_complete,
    external_obligation_register,
    external_system_create,
)
from xiaoneng.supervision.alerts.scan import scan
from xiaoneng.supervision.bulletins.services import bulletin_create, bulletin_issue
from xiaoneng.supervision.choices import BulletinKind
from xiaoneng.supervision.efficiency.services import efficiency_refresh
from xiaoneng.supervision.models import Bulletin, ExternalSystem
from xiaoneng.supervision.periods import month_start
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.deadline import day_start

# (external id, title, department short name, limit in working days, due so many working days from
# today: negative is overdue, 0 is due today (yellow), 1 is due tomorrow (reminder))
OBLIGATIONS = [
    ("GG-2026-0101", "青溪市第一中学改扩建工程招标文件备案", "住建局", 5, -6),
    ("GG-2026-0102", "城西污水管网改造项目中标结果公示", "住建局", 3, -2),
    ("GG-2026-0104", "土地使用权挂牌出让结果公示", "自然资源局", 3, -1),
    ("GK-2026-0201", "国库集中支付：道路养护款拨付", "交通运输局", 3, 0),
    ("GG-2026-0103", "市场监管执法装备采购合同备案", "市场监管局", 5, 1),
    ("GK-2026-0202", "国库集中支付：学生资助资金拨付", "教育局", 5, 3),
    ("GK-2026-0203", "国库集中支付：养老服务补贴拨付", "民政局", 10, 7),
    ("GK-2026-0204", "国库集中支付：城乡低保资金拨付", "民政局", 5, -3),
    ("GG-2026-0105", "人民防空工程建设项目招标文件备案", "人防办", 5, -4),
]
# hour clocks (urgent payments): yellow at 80 % of the limit whatever the day of the week, so the
# dashboard has a yellow card on a weekend too: (external id, title, department, hours, started hours ago)
HOURLY = [
    ("GK-2026-0301", "国库集中支付：防汛应急资金拨付", "交通运输局", 24, 21),
    ("GK-2026-0302", "国库集中支付：困难群众临时救助金拨付", "民政局", 48, 12),
]
# already done: (external id, completed so many working days after the start)
COMPLETED = {"GK-2026-0204": 4, "GG-2026-0105": 7}


def _started(limit: int, due_in: int) -> datetime:
    """A start that puts the due day `due_in` working days from today (CLK-2: the period starts the
    day after the start)."""
    cal = get_calendar()
    start = cal.add_working_days(timezone.localdate(), due_in - limit)
    return day_start(start) + timedelta(hours=9)


def load(stdout: Any) -> None:
    city = Region.objects.filter(code="339100").first()
    admin = User.objects.filter(role="admin", tenant=city).first() or User.objects.filter(is_superuser=True).first()
    if city is None or admin is None:
        stdout.write("supervision demo: no demo jurisdiction, skipped")
        return
    system = ExternalSystem.objects.filter(code="ggzy-demo").first()
    if system is None:
        system, _raw = external_system_create(
            actor=admin, tenant=city, code="ggzy-demo", name="公共资源交易与国库支付（演示）"
        )
    for ext_id, title, short, limit, due_in in OBLIGATIONS:
        dept = Department.objects.filter(short_name=short, region=city).first()
        if dept is None or system.obligations.filter(external_id=ext_id).exists():
            continue
        started = _started(limit, due_in)
        external_obligation_register(
            system=system,
            external_id=ext_id,
            title=title,
            department_credit_code=dept.credit_code,
            limit=limit,
            unit="wd",
            started_at=started,
        )
        if ext_id in COMPLETED:
            done = day_start(get_calendar().add_working_days(started.date(), COMPLETED[ext_id])) + timedelta(hours=15)
            external_obligation_complete(system=system, external_id=ext_id, completed_at=min(done, timezone.now()))
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for ext_id, title, short, hours, ago in HOURLY:
        dept = Department.objects.filter(short_name=short, region=city).first()
        if dept is None or system.obligations.filter(external_id=ext_id).exists():
            continue
        external_obligation_register(
            system=system,
            external_id=ext_id,
            title=title,
            department_credit_code=dept.credit_code,
            limit=hours,
            unit="h",
            started_at=now - timedelta(hours=ago),
        )
    result = scan()
    stdout.write(f"supervision demo: {system.obligations.count()} obligations, scan raised {result.alerts} alerts")
    _efficiency(city, stdout)


def _efficiency(city: Region, stdout: Any) -> None:
    """SUP-3 / SUP-5: compute the index (this month; last month frozen) and issue this month's
    bulletin for the city once, as 王主任 of the efficiency office would at month end."""

    stats = efficiency_refresh()
    office = User.objects.filter(username="supervisor", role="supervisor").first()
    period = month_start(timezone.localdate())
    if office is None:
        return
    b = Bulletin.objects.filter(region=city, kind=BulletinKind.MONTHLY, period=period).first()
    if b is None:
        b = bulletin_create(actor=office, region=city, kind=BulletinKind.MONTHLY, period=period)
        b = bulletin_issue(
            bulletin=b,
            actor=office,
            remarks="对本月效能指数排名靠后、被列入预警的单位予以通报，请对照扣分明细限期整改。",
        )
    stdout.write(f"supervision demo: efficiency index for {stats['units']} units, bulletin {b.number or b.title}")
