"""Demo: two rectifications the efficiency office opened by hand after an unannounced visit
(明察暗访) — one still open, one whose unit has submitted its evidence and which waits for
verification. (Red alerts open theirs in the supervision demo.) Idempotent: matched by title."""

from __future__ import annotations

from typing import Any

from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, Region, User

from .models import Rectification
from .services import rectification_open, rectification_submit

# (title, department short name, problem, measures, evidence submitted by the unit or "")
ITEMS = [
    (
        "明察暗访：窗口人员离岗未挂去向牌",
        "住建局",
        "2026年11月明察暗访发现，住建局窗口工作时间内有人员离岗且未放置去向牌，群众等候超过20分钟。",
        "",
        "",
    ),
    (
        "明察暗访：一次性告知单与办事指南不一致",
        "市场监管局",
        "食品经营许可窗口发放的一次性告知单要求提供“房屋产权证明原件”，办事指南未列此项。",
        "收回旧版告知单，按办事指南重新印制；窗口人员逐一培训。",
        "已收回旧版告知单共120份，新版告知单与办事指南一致，附培训签到表。",
    ),
]


def load(stdout: Any) -> None:
    city = Region.objects.filter(code="339100").first()
    supervisor = User.objects.filter(role=Role.SUPERVISOR, region=city).first()
    if city is None or supervisor is None:
        stdout.write("oversight demo: no demo jurisdiction, skipped")
        return
    opened = 0
    for title, short, problem, measures, evidence in ITEMS:
        dept = Department.objects.filter(short_name=short, region=city).first()
        if dept is None or Rectification.objects.filter(title=title).exists():
            continue
        rect = rectification_open(department=dept, title=title, problem=problem, actor=supervisor)
        opened += 1
        if evidence:
            clerk = User.objects.filter(department=dept, role=Role.CLERK, is_active=True).order_by("pk").first()
            if clerk is not None:
                rectification_submit(rectification=rect, actor=clerk, text=evidence, measures=measures)
    stdout.write(f"oversight demo: {opened} rectifications opened by hand")
