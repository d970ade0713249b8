# mypy: disable-error-code="union-attr,operator"
"""Browser journeys of journeys.md, walked as the user sees them: 张女士 opens a restaurant (applicant
online), 李科员 at window 12 (clerk), and the construction permit's negative-decision report (the
four-department parallel stage with deemed consent is in test_browser_cases.py)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from conftest import login, screenshot
from xiaoneng.cases.actions.decision import case_deliver
from xiaoneng.cases.actions.intake import case_accept
from xiaoneng.cases.actions.steps import case_step_decide
from xiaoneng.cases.actions.supplement import case_request_supplement
from xiaoneng.cases.models import Case, Enquiry, StepTask
from xiaoneng.cases.tasks import deemed_consent_run
from xiaoneng.cases.tests.conftest import PDF, later, published_copies, submit
from xiaoneng.catalog.tests.factories import make_item, publish
from xiaoneng.core.models import Event
from xiaoneng.core.sms import MemorySmsBackend
from xiaoneng.ratings.actions.invitations import rating_invite_cases
from xiaoneng.workdays.forms import NOTICE_EXAMPLE_2027

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TZ = ZoneInfo("Asia/Shanghai")


def _as(page: Any, username: str, password: str = "pass-Word-2026") -> None:
    page.context.clear_cookies()
    login(page, username, password)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _clock_row(page: Any, title: str) -> Any:
    """The deadline row whose title is exactly `title` (受理时限, 办理时限 …)."""
    return page.locator("#deadlines tr").filter(has=page.locator("strong", has_text=re.compile(f"^{title}$"))).first


@contextmanager
def frozen(moment: str) -> Iterator[mock.MagicMock]:
    """Django's clock (and so the live server's) stands at `moment` (Beijing time); `.return_value`
    moves it on. The demo loader backdates its cases the same way."""
    with mock.patch("django.utils.timezone.now") as now:
        now.return_value = datetime.fromisoformat(moment).replace(tzinfo=TZ)
        yield now


def move(now: mock.MagicMock, moment: str) -> None:
    now.return_value = datetime.fromisoformat(moment).replace(tzinfo=TZ)


def _restaurant_item(world: Any) -> Any:
    item = make_item(
        world.dept,
        world.user("dept_head"),
        name="食品经营许可",
        statutory_limit=20,
        committed_limit=10,
        fees=[],
        materials=[
            {"name": n, "kind": "form", "form": "original", "required": True, "copies": 1}
            for n in ("食品经营许可申请书", "营业执照", "设备布局和操作流程", "从业人员健康证明")
        ],
        stages=[
            {
                "name": "审查",
                "join_policy": "all",
                "steps": [{"name": "材料审查", "role": "reviewer", "limit_days": 3}],
            },
            {
                "name": "决定",
                "join_policy": "all",
                "steps": [{"name": "审批决定", "role": "dept_head", "limit_days": 2}],
            },
        ],
    )
    return publish(item, declarer=world.user("dept_head"), legal=world.user("legal"))


def test_zhang_opens_a_restaurant(page, world, tmp_path):
    """journeys.md 张女士 1–5: find the item, register, apply, one supplement notice, follow every
    deadline with "why this date", the decision PDF, rate 满意 from the SMS link."""
    item = _restaurant_item(world)
    files = []
    for name in ("申请书.pdf", "营业执照.pdf", "平面布局图.pdf", "健康证明.pdf"):
        f = tmp_path / name
        f.write_bytes(PDF)
        files.append(f)
    MemorySmsBackend.outbox.clear()
    with frozen("2026-09-21 09:30") as now:
        # 1. the portal: she searches 食品经营许可 from the home page and opens the item
        page.goto(page.base + "/")
        page.fill("#home-q", "食品经营许可")
        page.click("#home-search button[type=submit]")
        page.click("a:has-text('食品经营许可')")
        page.wait_for_selector(".flowchart svg")
        content = page.locator("main").inner_text()
        for text in ("不收费", "法定办结时限", "20 工作日", "承诺办结时限", "10 工作日", "投诉渠道"):
            assert text in content, text
        assert page.locator("#btn-complain").count() == 1  # where to complain
        screenshot(page, "journey-zhang-01-item")
        # 2. she registers with her phone, comes back and applies
        page.goto(page.base + "/accounts/register/")
        page.fill("#id_display_name", "张丽")
        page.fill("#id_contact", "13912345678")
        page.fill("#id_password1", "Qingxi-2026!")
        page.fill("#id_password2", "Qingxi-2026!")
        page.click("form.stacked button[type=submit]")
        page.wait_for_selector(".messages")
        page.goto(page.base + f"/catalog/{item.implementing_code}/")
        page.click("#btn-apply-online")
        page.wait_for_selector("#btn-apply")
        assert page.input_value("#id_phone") == "13912345678"
        page.fill("#id_address", "青溪市城东街道人民路 18 号")
        page.fill("#id_description", "开办小型餐馆")
        inputs = page.locator("input[type=file][name^=material_]")
        assert inputs.count() == 4  # one upload per listed material
        for i in range(2):  # she has two of the four documents at hand
            inputs.nth(i).set_input_files(str(files[i]))
        screenshot(page, "journey-zhang-02-apply")
        page.click("#btn-apply")
        message = page.locator(".messages").inner_text()
        number = re.search(r"BJ-\d+-\d+-\d+", message).group(0)
        code = re.search(r"查询码 ([A-Z0-9]{6})", message).group(1)
        sms = [t for p, t in MemorySmsBackend.outbox if p == "13912345678"]
        assert any(number in t and code in t for t in sms), sms  # tracking number + code by SMS
        case = Case.objects.get(tracking_number=number)

        # 3. two days later: one notice listing everything missing at once
        move(now, "2026-09-23 10:00")
        missing = list(item.published.materials.order_by("pk").values_list("pk", flat=True))[2:]
        case_request_supplement(case=case, actor=world.user("clerk"), missing=missing, note="请一并补齐")
        move(now, "2026-09-28 10:00")  # she uploads the two files on Monday: 24, 25, 28 paused
        _as(page, "13912345678", "Qingxi-2026!")  # (her session of last week has timed out)
        page.goto(page.base + f"/cases/{case.pk}/")
        box = page.locator("#supplement").inner_text()
        assert "请一次性补正以下材料" in box
        assert "健康" in box
        page.set_input_files("#sup-files", [str(files[2]), str(files[3])])
        page.click("#supplement button[type=submit]")
        assert "补正材料已提交" in page.content()
        acceptance = _clock_row(page, "受理时限")
        acceptance.locator("details").first.evaluate("d => d.open = true")
        why = acceptance.inner_text()
        # paused while she was away, from the notice's day to the day she supplied: 09-23, 09-24 and
        # 09-28 (09-25 is the Mid-Autumn holiday; neither end day counts since commit 7686a85)
        assert "等待申请人补正" in why, why
        assert "共扣除3个工作日" in why, why
        screenshot(page, "journey-zhang-03-supplemented")

        # the clerk accepts the same day (through the window page: see the clerk journey)
        _as(page, "clerk")
        page.goto(page.base + f"/workbench/cases/{case.pk}/")
        page.click("#btn-accept")
        assert "已受理" in page.content()

        # 4. she follows the case: each step, who holds it, every deadline with "why this date"
        move(now, "2026-09-29 10:00")
        _as(page, "13912345678", "Qingxi-2026!")
        page.goto(page.base + f"/cases/{case.pk}/")
        steps = page.locator("#steps").inner_text()
        assert "材料审查" in steps
        assert "审批决定" in steps
        assert "承办人" in steps
        decision = _clock_row(page, "办理时限")
        decision.locator("details").first.evaluate("d => d.open = true")
        why = decision.inner_text()
        assert "国庆" in why, why  # National Day skipped
        page.locator("details.closed-clocks").evaluate("d => d.open = true")
        page.locator("details.closed-clocks details").first.evaluate("d => d.open = true")
        screenshot(page, "journey-zhang-04-deadlines")

        # the department reviews; the head approves on the last step, which makes the decision in
        # the same click (issue 9: no separate 作出决定); the clerk delivers
        move(now, "2026-10-12 10:00")
        review = StepTask.objects.get(case=case, stage_index=0)
        case_step_decide(task=review, actor=world.user("reviewer"), kind="agree", reasons="符合条件")
        _as(page, "dept_head")
        page.goto(page.base + f"/workbench/cases/{case.pk}/")
        approve = page.locator(".opinion-form[data-decides] button[type=submit]")
        assert approve.inner_text() == "同意并作出准予许可决定"
        assert page.locator("#btn-decide").count() == 0  # one action, not two
        page.locator(".opinion-form[data-decides] input[name=reasons]").fill("符合条件")
        approve.click()
        assert "准予行政许可决定已作出" in page.locator(".messages").inner_text()
        assert Case.objects.get(pk=case.pk).status == "decided_approved"
        case_deliver(
            case=Case.objects.get(pk=case.pk), actor=world.user("clerk"), method="electronic", recipient="张丽"
        )

        # 5. the decision arrives as a PDF
        move(now, "2026-10-13 10:00")
        _as(page, "13912345678", "Qingxi-2026!")
        page.goto(page.base + f"/cases/{case.pk}/")
        assert page.locator("#case-status").inner_text() == "已送达"
        assert page.locator("#decision h2").inner_text() == "决定：准予行政许可"
        link = page.locator("#decision-pdf")
        assert "准予行政许可决定书" in link.inner_text()
        resp = page.request.get(page.base + link.get_attribute("href"))
        assert resp.status == 200
        assert resp.body().startswith(b"%PDF")
        # and the PDF carries its Chinese font (embedded), so every reader shows the text
        decision_pdf = tmp_path / "decision.pdf"
        decision_pdf.write_bytes(resp.body())
        fonts = subprocess.run(["pdffonts", str(decision_pdf)], capture_output=True, check=True).stdout.decode()
        rows = fonts.splitlines()[2:]
        assert rows, fonts
        assert all(r.split()[-5] == "yes" for r in rows), fonts
        assert "STSong" not in fonts, fonts
        extracted = subprocess.run(["pdftotext", "-enc", "UTF-8", str(decision_pdf), "-"], capture_output=True)
        assert "准予行政许可决定书" in "".join(extracted.stdout.decode().split())
        screenshot(page, "journey-zhang-05-decided")

        # and she rates the service 满意 from the link in the SMS

        assert rating_invite_cases() == 1
        invite = [t for p, t in MemorySmsBackend.outbox if p == "13912345678" and "/rate/" in t][-1]
        path = re.search(r"/rate/[^\s/]+/(\?via=\w+)?", invite).group(0)
        page.context.clear_cookies()
        page.goto(page.base + path)
        page.check("input[name=level][value='4']")
        page.click("#btn-rate")
        assert "感谢" in page.content()
        screenshot(page, "journey-zhang-06-rated")


def test_clerk_at_window_12(page, world, cw, tmp_path):
    """journeys.md 李科员 1–3: the urgency-ordered coloured queue; an enquiry for another bureau with
    the printed referral (CAS-8); accept on the spot with the acceptance notice; tick the missing
    materials for the one-time notice, and no second notice (CAS-1)."""

    upload = tmp_path / "申请书.pdf"
    upload.write_bytes(PDF)
    world.other_dept.address = "青溪市行政服务中心3号窗口区"
    world.other_dept.phone = "0571-80030003"
    world.other_dept.save()
    # given three cases: one submitted two weeks ago (overdue), one today, one waiting for a supplement
    real = datetime.now(TZ)
    with mock.patch("django.utils.timezone.now", return_value=real - timedelta(days=14)):
        late, _ = submit(world, cw.simple, applicant_name="王五")
    fresh, _ = submit(world, cw.simple, applicant_name="赵六")
    waiting, _ = submit(world, cw.simple, applicant_name="钱七")
    case_request_supplement(case=waiting, actor=world.user("clerk"), missing=["申请书原件"])

    # 1. the morning queue: ordered by urgency, coloured by the clocks
    _as(page, "clerk")
    page.goto(page.base + "/workbench/cases/")
    rows = page.locator("#queue tbody tr")
    assert [rows.nth(i).get_attribute("data-case") for i in range(3)] == [str(late.pk), str(fresh.pk), str(waiting.pk)]
    assert [rows.nth(i).get_attribute("data-colour") for i in range(3)] == ["red", "green", "grey"]
    assert "已超期" in rows.nth(0).inner_text()
    assert "暂停" in rows.nth(2).inner_text()
    assert "红：已超期" in page.locator("#queue-legend").inner_text()
    screenshot(page, "journey-clerk-01-queue")

    # 2. a walk-in asks about a construction permit: recorded, referred to 住建局 with address and phone
    page.click("nav a:has-text('首问登记'), aside a:has-text('首问登记')")
    page.fill("#id_visitor_name", "孙先生")
    page.fill("#id_question", "新建厂房的建筑工程施工许可怎么办理？")
    page.select_option("#id_referred_department", str(world.other_dept.pk))
    assert page.input_value("#id_outcome") == "referred"
    assert page.input_value("#id_referred_address") == "青溪市行政服务中心3号窗口区"
    assert page.input_value("#id_referred_contact") == "0571-80030003"
    screenshot(page, "journey-clerk-02-enquiry")
    page.click("form.stacked button[type=submit]")
    assert "打印告知单" in page.locator(".messages").inner_text()
    enquiry = Enquiry.objects.get(visitor_name="孙先生")
    assert (enquiry.referred_office, enquiry.referred_contact) == ("住建局", "0571-80030003")
    slip = page.locator("tr", has_text="孙先生").locator("a.btn-print")
    resp = page.request.get(page.base + slip.get_attribute("href"))
    assert resp.status == 200
    assert resp.body().startswith(b"%PDF")

    # 3a. a complete application at the window: accepted on the spot, acceptance notice printed
    page.goto(page.base + "/workbench/cases/window/")
    page.select_option("#w-item", str(cw.simple.pk))
    page.fill("#id_applicant_name", "周八")
    page.fill("#id_phone", "13700000008")
    page.fill("#id_description", "开办餐饮店")
    page.set_input_files("#w-files", str(upload))
    page.click("form.stacked button[type=submit]")
    assert "已收件" in page.locator(".messages").inner_text()
    page.click("#btn-accept")
    assert "受理通知书已生成" in page.locator(".messages").inner_text()
    printed = page.locator("#notices li", has_text="受理通知书").locator("a.btn-print")
    resp = page.request.get(page.base + printed.get_attribute("href"))
    assert resp.status == 200
    assert resp.body().startswith(b"%PDF")
    screenshot(page, "journey-clerk-03-accepted")

    # 3b. an incomplete one: he ticks the missing materials and prints the one-time notice
    page.goto(page.base + f"/workbench/cases/{fresh.pk}/")
    page.click("summary:has-text('一次性告知补正')")
    boxes = page.locator("#actions input[name=missing]")
    boxes.first.check()
    page.fill("#sr-other", "食品安全管理制度")
    page.click("#btn-supplement-request")
    assert "一次性告知书已生成" in page.locator(".messages").inner_text()
    assert page.locator("#notices li", has_text="一次性告知书").locator("a.btn-print").count() == 1
    assert page.locator("#btn-supplement-request").count() == 0
    # the applicant brings the files; the form for a second notice never comes back
    page.set_input_files("#su-files", str(upload))
    page.click("#actions button:has-text('提交补正')")
    page.wait_for_selector("#supplement-once")
    assert page.locator("#btn-supplement-request").count() == 0
    assert "不能再次要求补正" in page.locator("#supplement-once").inner_text()
    screenshot(page, "journey-clerk-04-no-second-notice")
    # and a second notice sent anyway (an old tab) is refused, and the attempt kept for supervision
    token = page.locator("#actions input[name=csrfmiddlewaretoken]").first.input_value()
    resp = page.request.post(
        page.base + f"/workbench/cases/{fresh.pk}/supplement_request/",
        form={"csrfmiddlewaretoken": token, "missing_other": "再补一份"},
        headers={"Referer": page.base + f"/workbench/cases/{fresh.pk}/"},
    )
    assert resp.status == 200, resp.text()[:3000]
    assert "只能一次性告知" in resp.text(), resp.text()[:3000]
    assert Event.objects.filter(action="case.supplement_second_refused").count() == 1


def test_parallel_refusal_goes_to_the_leader_first(page, world, cw):
    """journeys.md construction permit 1–3: four departments each get a 5-working-day step; 消防 must
    give reasons to disagree; 人防 stays silent, is deemed to consent (CAS-7) and finds the written
    opinion it owes in its queue; the refusal goes to the leader as a negative-decision report
    (CAS-6) before the refusal decision is issued."""

    case, _ = submit(world, cw.parallel)
    case = case_accept(case=case, actor=world.user("clerk"))
    first = StepTask.objects.get(case=case, stage_index=0)
    case_step_decide(task=first, actor=world.user("reviewer"), kind="agree")
    # 1. each of the four departments has a step with a 5-working-day limit
    _as(page, "reviewer")
    page.goto(page.base + f"/workbench/cases/{case.pk}/")
    joint = page.locator("#steps tbody tr", has_text="会签")
    assert joint.count() == 4
    for i in range(4):
        assert "并联" in joint.nth(i).inner_text()
        assert "到期" in joint.nth(i).inner_text()
    screenshot(page, "journey-parallel-01-joint-stage")

    住建, 自然资源, 消防, 人防 = cw.co_departments
    for dept in (住建, 自然资源):
        _as(page, cw.co_reviewers[dept.name].username)
        page.goto(page.base + f"/workbench/cases/{case.pk}/")
        page.locator(".opinion-form button[type=submit]").first.click()
        assert "办理意见已签署" in page.content()
    # 消防 disagrees: without reasons it is refused with a clear message and nothing is written
    _as(page, cw.co_reviewers[消防.name].username)
    page.goto(page.base + f"/workbench/cases/{case.pk}/")
    page.locator(".opinion-form select").first.select_option("disagree")
    page.locator(".opinion-form button[type=submit]").first.click()
    assert "理由" in page.locator(".messages").inner_text()
    assert not StepTask.objects.get(case=case, department=消防).opinions.exists()
    page.locator(".opinion-form select").first.select_option("disagree")
    page.locator(".opinion-form input[name=reasons]").first.fill("消防车道宽度不足4米，不符合GB 50016")
    page.locator(".opinion-form button[type=submit]").first.click()
    assert "办理意见已签署" in page.content()

    # 2. 人防 stays silent: past its limit the system records its deemed consent …
    assert deemed_consent_run(now=later(14)) == 1
    _as(page, cw.co_reviewers[人防.name].username)
    page.goto(page.base + "/workbench/cases/")
    owed = page.locator("#queue tbody tr", has_text="补交书面意见")
    assert owed.count() == 1  # … and 人防 owes its written opinion within 1 working day
    owed.locator("a").first.click()
    row = page.locator("#steps tbody tr", has_text="人防办会签")
    assert "超时默认同意" in row.inner_text()
    assert "系统记录" in row.inner_text()
    page.locator(".opinion-form input[name=reasons]").first.fill("同意，人防工程按结建标准配建")
    page.locator(".opinion-form button[type=submit]").first.click()
    assert "办理意见已签署" in page.content()
    screenshot(page, "journey-parallel-02-written-opinion")

    # 3. the refusal cannot be issued before the leader has seen the report
    _as(page, "reviewer")
    page.goto(page.base + f"/workbench/cases/{case.pk}/")
    page.select_option("#id_outcome", "refuse")
    page.fill("#id_reasons", "消防设计审查不合格")
    page.click("#btn-decide")
    assert "否定报备" in page.locator(".messages").inner_text()
    assert Case.objects.get(pk=case.pk).status == "in_review"
    page.click("summary:has-text('否定报备')")
    page.select_option("#negative_kind", "refusal")
    page.fill("#negative_reasons", "消防设计审查不合格，拟不予许可")
    page.click("#actions button:has-text('报领导审核')")
    assert "否定报备已提交" in page.locator(".messages").inner_text()
    assert page.locator("[id]").evaluate_all("els => els.length === new Set(els.map(e => e.id)).size")
    _as(page, "leader")
    page.goto(page.base + "/workbench/cases/negative-reports/")
    report = page.locator("#reports tbody tr", has_text=case.tracking_number)
    assert "消防车道宽度不足4米" in report.inner_text()  # the department's own reasons
    screenshot(page, "journey-parallel-03-leader-report")
    report.locator("button[type=submit]").click()
    assert "审核意见已保存" in page.content()
    _as(page, "reviewer")
    page.goto(page.base + f"/workbench/cases/{case.pk}/")
    page.select_option("#id_outcome", "refuse")
    page.fill("#id_reasons", "消防设计审查不合格")
    page.click("#btn-decide")
    assert "决定已作出" in page.content()
    link = page.locator("#notices a", has_text="不予行政许可决定书").first
    resp = page.request.get(page.base + link.get_attribute("href"))
    assert resp.status == 200
    assert resp.body().startswith(b"%PDF")
    screenshot(page, "journey-parallel-04-refused")


def test_admin_confirms_next_year_and_the_case_trail_shows_the_recompute(page, world, cw):
    """journeys.md 刘工 1 (CLK-4, CLK-5): a deadline in 2027 is provisional; she enters the State
    Council notice, previews, confirms; the case's deadline is recomputed and the change is in the
    case's trail, with the dates before and after. The provisional year already skips the statutory
    holidays (除夕 to 初三 for 春节), so the recompute shows where the notice differs: the longer
    Spring Festival break and its make-up working days."""

    with frozen("2027-01-25 10:00"):
        case, _ = submit(world, cw.simple)
        case = case_accept(case=case, actor=world.user("clerk"))
        assert case.decision_clock.provisional
        before = case.decision_clock.due_date
        _as(page, "clerk")
        page.goto(page.base + f"/workbench/cases/{case.pk}/")
        headline = page.locator("#summary .clock").first
        assert "暂定" in headline.inner_text()
        screenshot(page, "journey-admin-01-provisional")

        _as(page, "admin")
        page.goto(page.base + "/workdays/calendar/")
        assert "2027年放假安排尚未录入" in page.locator("main").inner_text()
        page.fill("#id_year", "2027")
        page.fill("#id_notice_ref", "国办发明电〔2026〕7号")
        page.fill("#id_text", NOTICE_EXAMPLE_2027)
        page.click("#notice-form button[type=submit]")
        assert int(page.locator("#affected").inner_text()) >= 1
        page.click("#confirm-form button[type=submit]")
        assert "已确认2027年放假安排" in page.locator(".messages").inner_text()

        case.decision_clock.refresh_from_db()
        after = case.decision_clock.due_date
        assert not case.decision_clock.provisional
        assert after > before
        _as(page, "clerk")
        page.goto(page.base + f"/workbench/cases/{case.pk}/")
        assert "暂定" not in page.locator("#summary .clock").first.inner_text()
        trail = page.locator("#timeline li", has_text="重新计算").filter(has_text="办理时限").inner_text()
        assert f"到期日 {before.isoformat()} → {after.isoformat()}" in trail, trail
        assert "放假安排已确认，不再暂定" in trail, trail
        screenshot(page, "journey-admin-02-recomputed")


def test_applicant_finds_an_item_on_page_2_and_by_search(page, world):
    """Issue 9: 在线申请 no longer stops at 200 items: every item is reachable a page at a time (with
    the total), and the search box finds one by name, implementing code or department."""
    first = publish(
        make_item(world.dept, world.user("dept_head"), name="食品经营许可"),
        declarer=world.user("dept_head"),
        legal=world.user("legal"),
    )
    copies = published_copies(first, 54)
    target = copies[52]  # 第052号许可: past the first 50
    page.goto(page.base + "/cases/apply/")
    assert "共 55 条" in page.locator(".pagination-total").first.inner_text()
    assert page.locator("#apply-items tbody tr").count() == 50
    assert page.locator(f"a[href='/cases/apply/{target.implementing_code}/']").count() == 0
    page.locator("a[rel=next]").first.click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator("#apply-items tbody tr").count() == 5
    row = page.locator("#apply-items tbody tr", has_text="第052号许可")
    screenshot(page, "journey-apply-01-page-2")
    row.locator("a.btn").click()
    page.wait_for_url(re.compile("/accounts/login/"))  # applying needs the applicant's account
    page.fill("#id_username", "applicant")
    page.fill("#id_password", "pass-Word-2026")
    page.click("#main form button[type=submit]")
    page.wait_for_selector("#btn-apply")
    assert "第052号许可" in page.locator("h1").inner_text()
    # and by search: a piece of the implementing code finds exactly that item
    page.goto(page.base + "/cases/apply/")
    page.fill("#apply-q", target.implementing_code[-8:])
    page.click("form.cs-filter button[type=submit]")
    assert page.locator("#apply-items tbody tr").count() == 1
    assert "第052号许可" in page.locator("#apply-items").inner_text()
    assert "共 1 条" in page.locator(".pagination-total").first.inner_text()
    screenshot(page, "journey-apply-02-search")


def test_clerk_accepts_with_one_click_and_the_head_decides_with_one(page, world, tmp_path):
    """Issue 9: the window clerk's 受理 also completes the process's 窗口受理 step (no second
    signature), and the head's approval on the last step (审批决定) is the decision, with its notice."""

    item = publish(
        make_item(
            world.dept,
            world.user("dept_head"),
            name="食品经营许可",
            stages=[
                {
                    "name": "受理",
                    "join_policy": "all",
                    "steps": [{"name": "窗口受理", "role": "clerk", "limit_days": 1}],
                },
                {
                    "name": "审查",
                    "join_policy": "all",
                    "steps": [{"name": "材料审查", "role": "reviewer", "limit_days": 5}],
                },
                {
                    "name": "决定",
                    "join_policy": "all",
                    "steps": [{"name": "审批决定", "role": "dept_head", "limit_days": 2}],
                },
            ],
        ),
        declarer=world.user("dept_head"),
        legal=world.user("legal"),
    )
    case, _code = submit(world, item)
    # the clerk: one click on 受理
    _as(page, "clerk")
    page.goto(page.base + f"/workbench/cases/{case.pk}/")
    page.click("#btn-accept")
    assert "受理通知书已生成" in page.locator(".messages").inner_text()
    window_row = page.locator("#steps tbody tr", has_text="窗口受理")
    assert window_row.get_attribute("data-status") == "done"
    assert "同意" in window_row.inner_text()
    assert page.locator("#steps tbody tr", has_text="材料审查").get_attribute("data-status") == "active"
    assert page.locator(".opinion-form").count() == 0  # nothing left for the clerk to sign
    trail = page.locator("#timeline").inner_text()
    assert "受理" in trail
    assert "环节办理意见" in trail
    screenshot(page, "journey-one-step-01-accepted")
    # the reviewer signs the review
    _as(page, "reviewer")
    page.goto(page.base + f"/workbench/cases/{case.pk}/")
    page.locator(".opinion-form button[type=submit]").first.click()
    assert "办理意见已签署" in page.locator(".messages").inner_text()
    # the head: one click approves and decides
    _as(page, "dept_head")
    page.goto(page.base + f"/workbench/cases/{case.pk}/")
    assert page.locator("#btn-decide").count() == 0
    screenshot(page, "journey-one-step-02-head")
    page.locator(".opinion-form[data-decides] button[type=submit]").click()
    assert "准予行政许可决定已作出" in page.locator(".messages").inner_text()
    assert page.locator("#decision h2").inner_text() == "决定：准予行政许可"
    assert page.locator("#btn-deliver").count() == 1  # the next step is delivery
    link = page.locator("#notices a", has_text="准予行政许可决定书").first
    resp = page.request.get(page.base + link.get_attribute("href"))
    pdf = tmp_path / "d.pdf"
    pdf.write_bytes(resp.body())
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True).stdout.decode()
    assert all(r.split()[-5] == "yes" for r in fonts.splitlines()[2:]), fonts
    screenshot(page, "journey-one-step-03-decided")


def test_clerk_forgets_a_field_at_the_window_and_the_file_survives(page, world, cw, tmp_path):
    """Issue 9, 李科员 at window 12: he types a phone number one digit short and chooses a wrong-type
    file next to the application form; every error comes in one round, the good file is listed as
    "已上传：…（移除）" and is not chosen again; the corrected registration carries it."""
    upload = tmp_path / "申请书.pdf"
    upload.write_bytes(PDF)
    wrong = tmp_path / "照片.gif"
    wrong.write_bytes(b"GIF89a not allowed")
    _as(page, "clerk")
    page.goto(page.base + "/workbench/cases/window/")
    page.select_option("#w-item", str(cw.simple.pk))
    page.fill("#id_applicant_name", "吴九")
    page.fill("#id_phone", "1370000009")
    page.fill("#id_description", "开办餐饮店")
    page.set_input_files("#w-files", [str(upload), str(wrong)])
    page.click("#btn-window")
    # every error at once: the phone and the wrong file, nothing registered
    page.wait_for_selector("#window-files .pending-uploads")
    assert "请填写11位手机号码" in page.content()
    assert "照片.gif" in page.locator("#window-files .errorlist").inner_text()
    kept = page.locator("#window-files .pending-uploads").inner_text()
    assert "已上传：" in kept
    assert "申请书.pdf" in kept
    assert "照片.gif" not in kept
    assert page.locator("#window-files button[name=remove_upload]").count() == 1
    assert page.input_value("#w-item") == str(cw.simple.pk)
    assert page.input_value("#id_description") == "开办餐饮店"
    assert Case.objects.count() == 0
    screenshot(page, "journey-clerk-05-window-file-kept")
    # he corrects the phone only and registers: the case has the kept file
    page.fill("#id_phone", "13700000009")
    page.click("#btn-window")
    assert "已收件" in page.locator(".messages").inner_text()
    case = Case.objects.get()
    assert [m.original_name for m in case.materials.all()] == ["申请书.pdf"]
    assert case.materials.get().file.read() == PDF
