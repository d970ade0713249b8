"""Demo: certificates for the market regulator's officials, a filing awaiting the head, a filed and
completed inspection whose finding opened a rectification, an unfiled inspection (flagged), the
首违不罚 list with one notice, a discretion baseline, and an unannounced visit (明察暗访) of the
housing bureau's window. Idempotent: skipped once the first certificate exists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xiaoneng.catalog.models import Item
from xiaoneng.inspections.actions.certificates import certificate_issue
from xiaoneng.inspections.actions.filings import filing_approve, filing_submit
from xiaoneng.inspections.actions.first_violations import first_violation_entry_add, first_violation_notice_issue
from xiaoneng.inspections.actions.penalties import baseline_set
from xiaoneng.inspections.actions.records import check_record, finding_add, inspection_record
from xiaoneng.inspections.choices import InspectionKind
from xiaoneng.inspections.models import EnforcementCertificate
from xiaoneng.orgs.models import Department, User
from xiaoneng.orgs.validators import credit_code_check_char


def _code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


# fictional enterprises (valid check characters, INS-5)
HAOWEI = ("青溪市好味餐饮有限公司", _code("91339100MA2H0W1E0"))
XINXIAN = ("青溪市鑫鲜超市有限公司", _code("91339100MA2X1NX10"))
LVYUAN = ("青溪市绿源食品厂", _code("92339100MA2LY0001"))


def load(stdout: Any) -> None:
    dept = Department.objects.filter(short_name="市场监管局", region__code="339100").first()
    housing = Department.objects.filter(short_name="住建局", region__code="339100").first()
    users = {
        u.username: u for u in User.objects.filter(username__in=["clerk", "reviewer", "head", "legal", "supervisor"])
    }
    inspection_item = Item.objects.filter(department=dept, published__name="对食品经营者的监督检查").first()
    penalty_item = Item.objects.filter(
        department=dept, published__name="对销售不符合食品安全标准食品的行政处罚"
    ).first()
    if dept is None or housing is None or len(users) < 5 or inspection_item is None or penalty_item is None:
        stdout.write("inspections demo: the orgs or catalog demo has not run; skipped")
        return
    if EnforcementCertificate.objects.filter(number="33910020260001").exists():
        stdout.write("inspections demo: already loaded")
        return
    today = timezone.localdate()
    for n, key in enumerate(["clerk", "reviewer", "head"], start=1):
        certificate_issue(
            actor=users["legal"],
            holder=users[key],
            department=dept,
            number=f"3391002026{n:04d}",
            scope_text="市场监管（食品安全）",
            valid_from=today - timedelta(days=400),
            valid_to=today + timedelta(days=1400),
        )
    officials = [users["clerk"], users["reviewer"]]
    # a filing waiting for the head
    filing_submit(
        actor=users["clerk"],
        department=dept,
        item=inspection_item,
        enterprise_name=XINXIAN[0],
        credit_code=XINXIAN[1],
        planned_date=today + timedelta(days=3),
        purpose="年度食品安全“双随机、一公开”抽查",
        officials=officials,
    )
    # a filed inspection that took place and found a problem
    filed = filing_submit(
        actor=users["clerk"],
        department=dept,
        item=inspection_item,
        enterprise_name=HAOWEI[0],
        credit_code=HAOWEI[1],
        planned_date=today,
        purpose="群众反映后厨卫生问题的核查",
        officials=officials,
    )
    filing_approve(actor=users["head"], filing=filed, note="同意，注意出示执法证件")
    done = inspection_record(
        actor=users["clerk"],
        department=dept,
        filing=filed,
        inspected_on=today,
        summary="检查后厨、冷库和进货查验记录；冷库温度记录缺失三天。",
        officials=officials,
    )
    finding_add(actor=users["clerk"], inspection=done, text="冷库温度记录缺失，需督促企业建立每日记录制度")
    # an inspection without a filing: flagged for the efficiency office (INS-7)
    inspection_record(
        actor=users["reviewer"],
        department=dept,
        item=inspection_item,
        enterprise_name=LVYUAN[0],
        credit_code=LVYUAN[1],
        inspected_on=today - timedelta(days=1),
        summary="顺路进厂查看生产环境（未备案）。",
        officials=officials,
    )
    entry = first_violation_entry_add(
        actor=users["legal"],
        item=penalty_item,
        circumstance="首次未按规定在经营场所显著位置公示食品经营许可证，未造成危害后果",
        rectify_days=10,
    )
    first_violation_notice_issue(
        actor=users["clerk"],
        entry=entry,
        enterprise_name=HAOWEI[0],
        credit_code=HAOWEI[1],
        facts="经营场所未悬挂食品经营许可证。",
        officials=officials,
        inspection=done,
    )
    baseline_set(
        actor=users["legal"],
        item=penalty_item,
        basis="《中华人民共和国食品安全法》第一百二十四条；青溪市市场监管行政处罚裁量基准（试行）",
        tiers=[
            {
                "tier": "slight",
                "circumstance": "货值金额不足一万元，及时召回",
                "fine_min": "50000",
                "fine_max": "60000",
            },
            {"tier": "general", "circumstance": "货值金额不足一万元", "fine_min": "60000", "fine_max": "80000"},
            {"tier": "serious", "circumstance": "货值金额一万元以上", "fine_min": "80000", "fine_max": "100000"},
        ],
    )
    check_record(
        actor=users["supervisor"],
        kind=InspectionKind.UNANNOUNCED,
        department=housing,
        inspected_on=today - timedelta(days=2),
        summary="上午10时暗访政务服务中心住建窗口。",
        findings=["窗口人员离岗未放置去向牌，群众等候超过20分钟"],
    )
    stdout.write("inspections demo: 3 certificates, 2 filings, 3 inspections (1 unfiled), 1 notice, 1 baseline")
