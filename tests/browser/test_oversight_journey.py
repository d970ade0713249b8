"""Issue 11 journeys in a real browser: a supervisor assigns, urges and verifies a task (督查督办);
an official applies for 容错 (ACC-3) and the reviewer decides."""

import pytest

from conftest import login, screenshot
from xiaoneng.oversight.choices import AccountabilityStatus, AssignmentStatus, TaskStatus
from xiaoneng.oversight.models import AccountabilityRecord, ExemptionApplication, SupervisedTask
from xiaoneng.oversight.services import accountability_record_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page, username):
    page.context.clear_cookies()
    login(page, username)


def test_supervisor_assigns_urges_and_verifies_a_task(page, world):
    # given the city's efficiency office
    _as(page, "supervisor")
    # when it assigns a task from a leader's instruction to the market regulator, without a limit
    page.goto(page.base + "/oversight/tasks/new/")
    page.fill("#id_title", "落实窗口午间延时服务")
    page.select_option("#id_source", "leader")
    page.fill("#id_requirement", "市委主要领导批示：窗口单位实行午间不间断服务。")
    page.check(f"input[name=departments][value='{world.dept.pk}']")
    page.click("#btn-save")
    page.wait_for_url("**/oversight/tasks/*/")
    task = SupervisedTask.objects.get()
    share = task.assignments.get()
    assert share.clock.limit == 15  # CAS-10
    # and urges the department
    page.fill(f"#urge-{share.pk}", "请本周内报送进展")
    page.click(f"#share-{share.pk} .btn-urge")
    page.wait_for_load_state()
    assert page.locator(f"#share-{share.pk} .urges").inner_text() == "1"
    screenshot(page, "oversight-task-urged")
    # when the department's clerk reports completion
    _as(page, "clerk")
    page.goto(page.base + f"/oversight/tasks/{task.pk}/")
    page.fill(f"#text-{share.pk}", "已实行午间轮班，附排班表。")
    page.click(f"#share-{share.pk} .btn-complete")
    page.wait_for_load_state()
    share.refresh_from_db()
    assert share.status == AssignmentStatus.COMPLETED
    # then the office verifies and the task is closed (销号)
    _as(page, "supervisor")
    page.goto(page.base + f"/oversight/tasks/{task.pk}/")
    page.fill(f"#note-{share.pk}", "经抽查属实")
    page.click(f"#share-{share.pk} .btn-verify")
    page.wait_for_load_state()
    assert page.locator("#task-status").inner_text() == "已销号"
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED
    assert "催办" in page.locator("table.trail").inner_text()
    screenshot(page, "oversight-task-closed")


def test_official_applies_for_fault_tolerance_and_the_reviewer_decides(page, world):
    # given a written warning to the clerk
    rec = accountability_record_open(
        actor=world.user("supervisor"),
        department=world.dept,
        sanction="written_warning",
        reason="试行容缺受理时未按规定留存承诺书",
        source_kind="inspection",
        person=world.user("clerk"),
    )
    # when the clerk applies for 容错 with every condition
    _as(page, "clerk")
    page.goto(page.base + f"/oversight/accountability/{rec.pk}/")
    for box in page.locator("input[name=conditions]").all():
        box.check()
    page.fill("#id_statement", "容缺受理为市里试点事项，因缺乏经验未留存承诺书，已补签并未造成损失。")
    page.click("#btn-apply")
    page.wait_for_url("**/oversight/exemptions/*/")
    app = ExemptionApplication.objects.get()
    assert page.locator("#exemption-status").inner_text() == "待审查"
    # then the reviewer establishes every condition and exempts
    _as(page, "supervisor")
    page.goto(page.base + f"/oversight/exemptions/{app.pk}/")
    for box in page.locator("input[name=confirmed]").all():
        box.check()
    page.select_option("#id_decision", "exempted")
    page.fill("#id_note", "经调查核实，符合容错情形，予以免责。")
    page.click("#btn-decide")
    page.wait_for_load_state()
    assert page.locator("#decision").inner_text() == "予以免责"
    rec = AccountabilityRecord.objects.get()
    assert rec.status == AccountabilityStatus.EXEMPTED
    page.goto(page.base + f"/oversight/accountability/{rec.pk}/")
    assert page.locator("#record-status").inner_text() == "容错免责"
    screenshot(page, "oversight-exemption-decided")
