"""Demo: normative documents of the city market regulator at each stage — one under legality review,
one rejected with reasons, one published and filed, one published whose filing period is running.
Every clock is within its period (nothing overdue by accident). Idempotent: matched by title."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xiaoneng.normative.models import NormativeDocument
from xiaoneng.normative.services import document_file, document_publish, document_review, document_submit
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, Region, User

# (title, summary, review outcome or "", review opinion, number or "", filed)
DOCUMENTS = [
    ("青溪市食品小作坊登记管理办法", "规范食品小作坊登记条件、程序、有效期和监督检查。", "", "", "", False),
    (
        "青溪市农贸市场经营户信用积分管理规定",
        "对农贸市场经营户实行信用积分，积分低于60分的暂停经营。",
        "failed",
        "“暂停经营”属于行政处罚，规范性文件不得设定；请删除该条款后重新报审。",
        "",
        False,
    ),
    (
        "青溪市市场监管领域轻微违法行为不予处罚清单",
        "列明32项首次违法、危害后果轻微并及时改正的不予处罚情形。",
        "passed",
        "",
        "青市监规〔2026〕1号",
        True,
    ),
    (
        "青溪市网络餐饮服务食品安全监督管理办法",
        "明确网络餐饮服务第三方平台和入网餐饮服务提供者的责任。",
        "amended",
        "第十二条“平台须缴纳保证金”无上位法依据，修改为“平台应建立赔付机制”后通过。",
        "青市监规〔2026〕2号",
        False,
    ),
]


def load(stdout: Any) -> None:
    city = Region.objects.filter(code="339100").first()
    dept = Department.objects.filter(short_name="市场监管局", region=city).first()
    clerk = User.objects.filter(username="clerk").first()
    head = User.objects.filter(department=dept, role=Role.DEPT_HEAD, is_active=True).order_by("pk").first()
    legal = User.objects.filter(username="legal").first()
    if city is None or dept is None or clerk is None or head is None or legal is None:
        stdout.write("normative demo: no demo jurisdiction, skipped\n")
        return
    today = timezone.localdate()
    made = 0
    for title, summary, outcome, opinion, number, filed in DOCUMENTS:
        if NormativeDocument.objects.filter(title=title).exists():
            continue
        doc = document_submit(actor=clerk, department=dept, title=title, summary=summary)
        made += 1
        if not outcome:
            continue
        doc = document_review(actor=legal, document=doc, outcome=outcome, opinion=opinion)
        if not number:
            continue
        doc = document_publish(
            actor=head,
            document=doc,
            number=number,
            published_on=today,
            effective_from=today if filed else today + timedelta(days=30),
        )
        if filed:
            document_file(
                actor=head, document=doc, filed_with="government", filed_on=today, filing_ref="青备〔2026〕15号"
            )
    stdout.write(f"normative demo: {made} documents\n")
