"""Demo: the city's evaluation scheme for this year (data indicators, self-assessment, the panel and
the survey), published, with the panel's scores and the market regulator's self-assessment, computed;
monitoring-point reports, a 纠风约谈 and this month's warning index; two public commitments of the
market regulator, one in its year-end vote. Idempotent: skipped when the scheme exists."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from xiaoneng.evaluation.choices import CommitmentKind, IndicatorKind, PanelGroup, Severity, UnitCategory
from xiaoneng.evaluation.models import Scheme
from xiaoneng.evaluation.services import (
    commitment_create,
    commitment_panel_score,
    commitment_progress_report,
    commitment_publish,
    commitment_voting_open,
    indicator_add,
    interview_record,
    monitoring_report_record,
    panel_member_add,
    panel_score_submit,
    scheme_compute,
    scheme_create,
    scheme_publish,
    self_assessment_submit,
    unit_add,
    warning_index_compute,
)
from xiaoneng.orgs.models import Department, Region, User

UNITS = [
    ("市场监管局", UnitCategory.WINDOW),
    ("住建局", UnitCategory.WINDOW),
    ("自然资源局", UnitCategory.WINDOW),
    ("人防办", UnitCategory.WINDOW),
    ("交通运输局", UnitCategory.ENFORCEMENT),
    ("生态环境局", UnitCategory.ENFORCEMENT),
    ("消防支队", UnitCategory.ENFORCEMENT),
    ("卫健委", UnitCategory.ENFORCEMENT),
]
PANEL_SCORES = {
    "市场监管局": 92,
    "住建局": 78,
    "自然资源局": 85,
    "人防办": 88,
    "交通运输局": 81,
    "生态环境局": 74,
    "消防支队": 90,
    "卫健委": 83,
}


def load(stdout: Any) -> None:
    city = Region.objects.filter(code="339100").first()
    office = User.objects.filter(username="supervisor").first()
    head = User.objects.filter(username="head").first()
    legal = User.objects.filter(username="legal").first()
    if city is None or office is None or head is None or legal is None:
        stdout.write("evaluation demo: no demo jurisdiction, skipped")
        return
    year = timezone.localdate().year
    if Scheme.objects.filter(region=city, year=year).exists():
        stdout.write("evaluation demo: already loaded")
        return
    scheme = scheme_create(actor=office, region=city, year=year, name=f"{year}年度青溪市市级机关绩效考评")
    data = indicator_add(actor=office, scheme=scheme, name="系统数据指标", kind=IndicatorKind.GROUP, weight=50)
    for name, key, w in [
        ("效能指数", "supervision.efficiency_index", 30),
        ("电子监察预警", "supervision.alert_cards", 20),
        ("投诉按时答复率", "complaints.on_time", 20),
        ("好差评满意率", "ratings.satisfaction", 30),
    ]:
        indicator_add(
            actor=office, scheme=scheme, name=name, kind=IndicatorKind.DATA, weight=w, parent=data, data_key=key
        )
    self_ind = indicator_add(actor=office, scheme=scheme, name="年度目标自评", kind=IndicatorKind.SELF, weight=10)
    panel_ind = indicator_add(actor=office, scheme=scheme, name="评议组评议", kind=IndicatorKind.PANEL, weight=40)
    depts = {d.short_name: d for d in Department.objects.filter(region=city)}
    for short, cat in UNITS:
        if short in depts:
            unit_add(actor=office, scheme=scheme, department=depts[short], category=cat)
    panel_member_add(actor=office, scheme=scheme, user=legal, group=PanelGroup.SUPERVISOR)
    panel_member_add(actor=office, scheme=scheme, user=User.objects.get(username="leader"), group=PanelGroup.OTHER)
    scheme_publish(actor=office, scheme=scheme)
    self_assessment_submit(
        actor=head, indicator=self_ind, score=95, statement="全年承诺事项全部兑现，企业开办压缩至1个工作日。"
    )
    for short, score in PANEL_SCORES.items():
        if short in depts:
            panel_score_submit(actor=legal, indicator=panel_ind, department=depts[short], score=score, comment="")
            panel_score_submit(
                actor=User.objects.get(username="leader"), indicator=panel_ind, department=depts[short], score=score - 4
            )
    scheme_compute(actor=office, scheme=scheme)
    today = timezone.localdate()
    if "住建局" in depts:
        for point in ("青溪经济开发区监测点", "城东工业园监测点"):
            monitoring_report_record(
                actor=office,
                point=point,
                department=depts["住建局"],
                reported_on=today,
                text="施工许可材料反复要求补正，企业多次往返。",
                severity=Severity.SERIOUS,
            )
        interview_record(
            actor=office,
            department=depts["住建局"],
            held_on=today,
            reason="窗口推诿扯皮问题集中，约谈分管领导。",
            severity=Severity.SERIOUS,
        )
    warning_index_compute(actor=office, region=city, month=today)
    c = commitment_create(
        actor=head,
        year=year,
        title="企业开办一日办结",
        target="企业开办（营业执照、印章、发票、社保登记）全程1个工作日内办结",
        target_value=1,
        target_unit="个工作日",
        higher_is_better=False,
    )
    commitment_publish(actor=head, commitment=c)
    commitment_progress_report(
        actor=head, commitment=c, reported_on=today, actual_value="0.8", text="全年平均0.8个工作日办结，附月度统计表。"
    )
    commitment_voting_open(actor=office, commitment=c)
    commitment_panel_score(actor=legal, commitment=c, score=90)
    window_commitment = commitment_create(
        actor=head,
        year=year,
        title="食品经营许可窗口即来即办",
        target="材料齐全的食品经营许可当场办结率不低于95%",
        target_value=95,
        target_unit="%",
        kind=CommitmentKind.SERVICE,
        window="A3",
    )
    commitment_publish(actor=head, commitment=window_commitment)
    stdout.write(
        f"evaluation demo: scheme {scheme.name} with {len(UNITS)} units computed; 2 commitments; warning index"
    )
