"""Browser journey (CAT-6): a department head registers an item, defines its steps and declares
it; the legal office returns it with reasons; it is fixed, declared, approved and published; the
public page shows the flowchart. Screenshots of each key page are checked by eye."""

import pytest

from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.context.clear_cookies()


def _login(page, username):
    # conftest.login clicks the first submit button on the page, which is now the language
    # switcher in the top bar; sign in through the login form's own button instead.
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-Word-2026")
    with page.expect_navigation():
        page.click("main button[type=submit]")


def test_catalog_item_from_draft_to_public_flowchart(page, world):
    base = "000000000101"
    code = f"{world.dept.credit_code}{base}001"
    # given the department head creates an item
    _login(page, "dept_head")
    page.goto(page.base + "/workbench/catalog/new/")
    page.fill("#id_base_code", base)
    page.fill("#id_implementing_code", code)
    page.fill("#id_name", "食品经营许可")
    page.select_option("#id_item_type", "01")
    page.fill("#id_statutory_limit", "20")
    page.fill("#id_committed_limit", "10")
    page.fill("#id_place", "青溪市民中心二楼 12 号窗口")
    page.fill("#id_complaint_channel", "12345 政务服务便民热线")
    page.fill("#id_themes", "开办企业、餐饮")
    screenshot(page, "catalog-01-new-item")
    page.click("button[type=submit]:has-text('保存草稿')")
    # when she defines the process: 受理 (1 day) and 审查决定 (7 days)
    page.wait_for_selector("#process-form")
    page.fill("#id_stage-0-name", "受理")
    page.fill("#id_stage-1-name", "审查决定")
    for i, (stage, name, role, days, point, rights) in enumerate(
        [
            ("1", "窗口受理", "clerk", "1", "是否一次性告知补正材料", "知情、申请补正"),
            ("2", "审查并决定", "dept_head", "7", "不予许可须说明理由", "陈述、申辩、申请听证"),
        ]
    ):
        page.fill(f"#id_step-{i}-stage", stage)
        page.fill(f"#id_step-{i}-name", name)
        page.select_option(f"#id_step-{i}-role", role)
        page.fill(f"#id_step-{i}-limit_days", days)
        page.fill(f"#id_step-{i}-supervision_point", point)
        page.fill(f"#id_step-{i}-applicant_rights", rights)
    page.click("button:has-text('保存办理流程')")
    assert "办理流程已保存" in page.content()
    # and adds the legal basis and a material, then declares
    page.click("a:has-text('编辑事项信息')")
    page.fill("#id_lb-0-law", "《中华人民共和国食品安全法》")
    page.fill("#id_lb-0-article", "第三十五条")
    page.fill("#id_mat-0-name", "食品经营许可申请书")
    page.click("button:has-text('保存')")
    page.click("button:has-text('申报')")
    assert "已申报" in page.content()
    screenshot(page, "catalog-02-declared")
    _logout(page)

    # when the legal office returns it with reasons
    _login(page, "legal")
    page.goto(page.base + "/workbench/catalog/review/")
    page.click("a:has-text('食品经营许可')")
    page.check("input[value=return]")
    page.fill("#id_comment", "请补充办理时间和咨询电话")
    screenshot(page, "catalog-03-review-return")
    page.click("button:has-text('提交审核意见')")
    assert "已退回申报部门" in page.content()
    _logout(page)

    # then the head sees the reasons, fixes the item and declares again
    _login(page, "dept_head")
    page.goto(page.base + "/workbench/catalog/")
    page.click("a:has-text('食品经营许可')")
    assert "请补充办理时间和咨询电话" in page.content()
    page.click("a:has-text('编辑事项信息')")
    page.fill("#id_hours", "工作日 9:00–17:00")
    page.fill("#id_enquiry_channel", "0571-88001234")
    page.click("button:has-text('保存')")
    page.click("button:has-text('申报')")
    assert "已申报" in page.content()
    _logout(page)

    # and the legal office approves and publishes
    _login(page, "legal")
    page.goto(page.base + "/workbench/catalog/review/")
    page.click("a:has-text('食品经营许可')")
    page.check("input[value=approve]")
    page.fill("#id_comment", "同意公布")
    page.click("button:has-text('提交审核意见')")
    page.click("a:has-text('食品经营许可')")
    page.click("button:has-text('公布')")
    _logout(page)

    # then the public page shows every field and the flowchart
    page.goto(page.base + "/catalog/")
    page.fill("#q", "经营许")
    page.click("button:has-text('搜索')")
    screenshot(page, "catalog-04-public-list")
    page.click("a:has-text('食品经营许可')")
    page.wait_for_selector(".flowchart svg")
    content = page.content()
    for text in ["食品经营许可", "第三十五条", "0571-88001234", "50%", "窗口受理", "审查并决定", "不收费"]:
        assert text in content, text
    assert page.locator(".flowchart svg text", has_text="投诉渠道").count() == 1
    screenshot(page, "catalog-05-public-item")
    page.locator(".flowchart").screenshot(
        path=str(screenshot(page, "catalog-06-flowchart").with_name("catalog-06-flowchart.png"))
    )
