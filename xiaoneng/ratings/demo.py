"""Demo ratings in every state (good, defaulted, bad pending / rectifying / called back, appealed)
and a public survey with responses. Idempotent."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from xiaoneng.cases.models import Case
from xiaoneng.orgs.models import Region, User
from xiaoneng.oversight.services import rectification_submit, rectification_verify
from xiaoneng.ratings.actions.bad_reviews import rating_appeal, rating_appeal_decide, rating_callback, rating_verify
from xiaoneng.ratings.actions.rating import hall_service_record, rating_submit, ratings_default
from xiaoneng.ratings.actions.surveys import (
    survey_create,
    survey_link_create,
    survey_question_add,
    survey_respond,
    survey_set_status,
)
from xiaoneng.ratings.choices import Level, Source
from xiaoneng.ratings.models import InHallService, Rating, Survey
from xiaoneng.ratings.selectors import rectification_of

SURVEY_TITLE = "2026年度部门作风与营商环境满意度测评"


def load(stdout: Any) -> None:
    city = Region.objects.filter(code="339100").first()
    office = User.objects.filter(username="supervisor", role="supervisor").first()
    clerk = User.objects.filter(username="clerk").first()
    if city is None or office is None or clerk is None or clerk.department_id is None:
        stdout.write("ratings demo: no demo jurisdiction, skipped")
        return
    if Survey.objects.filter(title=SURVEY_TITLE).exists():
        stdout.write("ratings demo: already loaded")
        return
    head = User.objects.filter(department_id=clerk.department_id, role="dept_head").first() or clerk
    services = ["营业执照设立登记", "食品经营许可咨询", "个体工商户变更", "证照领取", "企业年报指导", "股权出质登记"]
    levels = [5, 5, 4, 5, 4, 3, 5, 4, 2, 1, 1, 2]
    made: list[Rating] = []
    for i, level in enumerate(levels):
        svc = hall_service_record(actor=clerk, service_name=services[i % len(services)], window=f"A{1 + i % 4}")
        made.append(
            rating_submit(
                level=level,
                source=[Source.TERMINAL, Source.SMS, Source.QR, Source.WEB][i % 4],
                service=svc,
                reason="" if level > 2 else "等候时间太长，窗口解释不清楚",
            )
        )
    # completed cases from the cases demo, if any
    try:
        for case in Case.objects.filter(status__in=["delivered", "closed"], rating__isnull=True)[:5]:
            rating_submit(level=random.Random(case.pk).choice([5, 4, 4, 3]), source=Source.WEB, case=case)
    except Exception as e:
        stdout.write(f"ratings demo: cases not rated ({e})")
    # defaulted: a service nobody rated for 8 days
    old = hall_service_record(actor=clerk, service_name="档案查询", window="B2")
    InHallService.objects.filter(pk=old.pk).update(served_at=timezone.now() - timedelta(days=8))
    ratings_default()
    bad = [r for r in made if r.level <= Level.UNSATISFIED]
    # bad review 1: verified, rectified, called back
    r1 = rating_verify(rating=bad[0], actor=office, note="电话核实：等候一小时无人引导，情况属实")
    rect = rectification_of(r1)
    rectification_submit(rectification=rect, actor=head, text="增设导办岗，高峰时段增开窗口")
    rectification_verify(rectification=rect, actor=office, note="现场核验落实")
    rating_callback(rating=r1, actor=office, note="回访评价人，对整改表示满意", satisfied=True)
    # bad review 2: rectifying
    rating_verify(rating=bad[1], actor=office, note="核实属实：材料清单解释不清")
    # bad review 3: appealed and upheld (mistaken)
    rating_appeal(rating=bad[2], actor=head, reason="评价人误按了非常不满意，本人已来电说明并有通话记录")
    rating_appeal_decide(rating=bad[2], actor=office, uphold=True, note="经与评价人核实为误评")
    # bad review 4 stays pending verification
    # survey
    s = survey_create(
        actor=office, title=SURVEY_TITLE, description="请对市直部门的服务效率和作风作出评价。", max_per_hour=500
    )
    q1 = survey_question_add(survey=s, actor=office, kind="rating", text="办事效率")
    q2 = survey_question_add(survey=s, actor=office, kind="rating", text="服务态度")
    q3 = survey_question_add(survey=s, actor=office, kind="choice", text="是否一次办成", options=["是", "否", "不清楚"])
    q4 = survey_question_add(survey=s, actor=office, kind="text", text="意见建议", required=False)
    survey_set_status(survey=s, actor=office, status="open")
    rnd = random.Random(2026)
    for group, n in [("deputy", 8), ("cppcc", 6), ("business", 15), ("resident", 20)]:
        link = survey_link_create(survey=s, actor=office, group=group, label="演示链接")
        for k in range(n):
            survey_respond(
                link=link,
                answers={
                    f"q{q1.pk}": str(rnd.choice([3, 4, 4, 5, 5])),
                    f"q{q2.pk}": str(rnd.choice([2, 4, 5, 5])),
                    f"q{q3.pk}": rnd.choice(["是", "是", "是", "否", "不清楚"]),
                    f"q{q4.pk}": rnd.choice(["", "希望延长周末服务时间", "网上办事指南再细一些"]),
                },
                session_key=f"demo-{group}-{k}",
                ip=f"10.0.{len(group)}.{k}",
            )
    survey_link_create(survey=s, actor=office, group="deputy", label="一次性链接（未使用）", single_use=True)
    stdout.write(
        f"ratings demo: {Rating.objects.filter(tenant=city).count()} ratings, "
        f"survey with {s.responses.count()} responses"
    )
