# mypy: disable-error-code="union-attr,operator"
"""Page-level checks behind the browser journeys: the written opinion owed after a deemed consent is
in the department's queue (CAS-7), the enquiry directory fills the referral (CAS-8), the leader sees
the departments' dissent in a negative-decision report (CAS-6), the trail says how a calendar change
moved a deadline (CLK-5), the item page offers online application only where the service allows it
(CAT-1), and the catalog template download is refused to the wrong role."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from xiaoneng.cases.actions.intake import case_accept
from xiaoneng.cases.actions.negative import case_negative_report_submit
from xiaoneng.cases.actions.steps import case_step_decide
from xiaoneng.cases.models import Enquiry, StepTask
from xiaoneng.cases.selectors import _detail, queue_for_user
from xiaoneng.cases.tasks import deemed_consent_run
from xiaoneng.cases.tests.conftest import later, submit
from xiaoneng.catalog.models import ItemVersion

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _joint_stage(world: Any, cw: Any) -> Any:
    case, _ = submit(world, cw.parallel)
    case = case_accept(case=case, actor=world.user("clerk"))
    case_step_decide(task=StepTask.objects.get(case=case, stage_index=0), actor=world.user("reviewer"), kind="agree")
    return case


def test_cas7_written_opinion_owed_after_deemed_consent_is_in_the_queue(world, cw):
    # given the joint stage where 人防办 stays silent past its limit
    case = _joint_stage(world, cw)
    silent = cw.co_departments[3]
    reviewer = cw.co_reviewers[silent.name]
    for dept in cw.co_departments[:3]:
        task = StepTask.objects.get(case=case, department=dept)
        case_step_decide(task=task, actor=cw.co_reviewers[dept.name], kind="agree")
    assert [r["what"] for r in queue_for_user(reviewer)] == ["人防办会签"]
    assert deemed_consent_run(now=later(14)) == 1
    # then its queue shows the written opinion it owes, driven by the 1-working-day clock
    rows = queue_for_user(reviewer)
    assert [r["what"] for r in rows] == ["补交书面意见：人防办会签"]
    task = StepTask.objects.get(case=case, department=silent)
    assert rows[0]["clock"] == task.written_clock
    # and another department's reviewer does not get it
    assert queue_for_user(cw.co_reviewers[cw.co_departments[0].name]) == []
    # once the written opinion is in, it leaves the queue
    case_step_decide(task=task, actor=reviewer, kind="agree", reasons="同意")
    assert queue_for_user(reviewer) == []


def test_cas8_enquiry_directory_fills_the_referral_and_the_form_lists_other_departments(world):
    world.other_dept.address = "青溪市行政服务中心3号窗口区"
    world.other_dept.phone = "0571-80030003"
    world.other_dept.save()
    c = client_for(world.user("clerk"))
    page = c.get("/workbench/cases/enquiries/").content.decode()
    # the directory lists the other departments of the jurisdiction, not the clerk's own
    assert f'<option value="{world.other_dept.pk}">' in page
    assert f'<option value="{world.dept.pk}">' not in page
    assert "0571-80030003" in page  # the data the picker fills in
    r = c.post(
        "/workbench/cases/enquiries/",
        {
            "visitor_name": "孙先生",
            "question": "施工许可怎么办？",
            "outcome": "referred",
            "referred_department": world.other_dept.pk,
        },
    )
    assert r.status_code == 302
    e = Enquiry.objects.get()
    assert (e.referred_office, e.referred_address, e.referred_contact) == (
        "住建局",
        "青溪市行政服务中心3号窗口区",
        "0571-80030003",
    )
    assert e.notices.count() == 1  # the referral slip


def test_cas8_enquiry_without_directory_or_typed_office_is_refused(world):
    c = client_for(world.user("clerk"))
    r = c.post("/workbench/cases/enquiries/", {"visitor_name": "孙先生", "question": "问", "outcome": "referred"})
    assert r.status_code == 200
    assert "请填写有权办理部门的名称。" in r.content.decode()
    assert not Enquiry.objects.exists()


def test_cas6_leader_sees_the_departments_dissent_in_the_report(world, cw):
    case = _joint_stage(world, cw)
    fire = cw.co_departments[2]
    case_step_decide(
        task=StepTask.objects.get(case=case, department=fire),
        actor=cw.co_reviewers[fire.name],
        kind="disagree",
        reasons="消防车道宽度不足",
    )
    case.refresh_from_db()
    case_negative_report_submit(case=case, actor=world.user("reviewer"), kind="refusal", reasons="拟不予许可")
    page = client_for(world.user("leader")).get("/workbench/cases/negative-reports/").content.decode()
    assert "消防支队" in page
    assert "消防车道宽度不足" in page
    # the wrong role is refused
    assert client_for(world.user("clerk")).get("/workbench/cases/negative-reports/").status_code == 403


def test_clk5_trail_detail_of_a_recompute_names_both_dates():
    detail = _detail(
        "clock.recomputed",
        {"due_date": "2027-01-05", "provisional": False, "calendar_revision": 2},
        {"due_date": "2027-01-04", "provisional": True},
    )
    assert detail == "到期日 2027-01-04 → 2027-01-05；按工作日历第2版；放假安排已确认，不再暂定"


def test_cat1_item_page_offers_online_application_only_for_applicable_items(world, cw):
    c = Client()
    page = c.get(f"/catalog/{cw.simple.implementing_code}/").content.decode()
    assert f'href="/cases/apply/{cw.simple.implementing_code}/"' in page
    assert "我要投诉" in page

    # 二级 (forms to download only) — set directly: a published version is immutable through the services
    ItemVersion.objects.filter(pk=cw.simple.published_id).update(online_depth="2")
    page = c.get(f"/catalog/{cw.simple.implementing_code}/").content.decode()
    assert "btn-apply-online" not in page


def test_catalog_template_download_for_admin_and_head_only(world):
    for who, status in (("admin", 200), ("dept_head", 200), ("clerk", 403), ("applicant", 403)):
        r = client_for(world.user(who)).get("/workbench/catalog/template.xlsx")
        assert r.status_code == status, who
    ok = client_for(world.user("admin")).get("/workbench/catalog/template.xlsx")
    assert ok.content[:2] == b"PK"
    assert "catalog-template.xlsx" in ok["Content-Disposition"]


def test_staff_case_page_has_unique_element_ids(world, cw):

    case = _joint_stage(world, cw)
    page = client_for(world.user("dept_head")).get(f"/workbench/cases/{case.pk}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
