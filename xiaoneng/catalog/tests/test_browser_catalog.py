"""Browser journey (CAT-6): a department head registers an item, defines its steps and declares
it; the legal office returns it with reasons; it is fixed, declared, approved and published; the
public page shows the flowchart. Screenshots of each key page are checked by eye."""

import io

import pytest
from openpyxl import load_workbook

from conftest import screenshot
from xiaoneng.catalog.models import Item
from xiaoneng.catalog.spreadsheet.export import template_bytes

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


def _province_file(rows: list[dict[str, object]]) -> bytes:
    """The province's Excel template (our own template_bytes) with `rows` on its items sheet."""

    wb = load_workbook(io.BytesIO(template_bytes()))
    sheet = wb["items"]
    columns = {c.value: c.column for c in sheet[1] if c.value}
    for r, row in enumerate(rows, start=2):
        for name, value in row.items():
            sheet.cell(r, columns[name]).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_admin_imports_a_catalog_fixes_the_reported_rows_and_imports_again(page, world, tmp_path):
    """journeys.md 刘工 2: import a department's catalog from the Excel template; the report names
    every bad row and column and nothing is imported; she fixes those rows and imports again."""

    def row(n: int, name: str, kind: str, statutory: object, committed: object) -> dict[str, object]:
        base = f"{900 + n:012d}"
        return {
            "实施编码": f"{world.dept.credit_code}{base}001",
            "基本编码": base,
            "事项名称": name,
            "事项类型": kind,
            "服务区划代码": world.city.code,
            "法定办结时限": statutory,
            "承诺办结时限": committed,
            "办件类型": "承诺件",
        }

    bad = [
        row(1, "食品经营许可", "行政许可", 20, 19),  # CAT-4: not a third shorter
        row(2, "档案查询", "行政许诺", 5, 2),  # no such item type
        row(3, "食品生产许可", "行政许可", 20, 10),
    ]
    path = tmp_path / "市场监管局事项目录.xlsx"
    path.write_bytes(_province_file(bad))
    # given 刘工 on the import page, with the template to download
    _login(page, "admin")
    page.goto(page.base + "/workbench/catalog/import/")
    href = page.locator("#template-download").get_attribute("href")
    resp = page.request.get(page.base + href)
    assert resp.status == 200
    assert resp.body()[:2] == b"PK"
    assert "Select an option" not in page.content()
    # when she imports the department's file with two bad rows
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_department", str(world.dept.pk))
    page.click("main button[type=submit]")
    # then the report names each bad row and column, and nothing was imported
    report = page.locator("#import-problems")
    rows = {tuple(c.strip() for c in r.inner_text().split("\t")[:3]) for r in report.locator("tbody tr").all()}
    assert ("items", "2", "承诺办结时限") in rows, rows
    assert ("items", "3", "事项类型") in rows, rows
    assert "未导入任何内容" in report.inner_text()
    assert Item.objects.count() == 0
    screenshot(page, "catalog-07-import-errors")
    # when she fixes those two rows and imports again
    bad[0]["承诺办结时限"] = 10
    bad[1]["事项类型"] = "公共服务"
    path.write_bytes(_province_file(bad))
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_department", str(world.dept.pk))
    page.click("main button[type=submit]")
    # then all three are in, as drafts of the department
    assert "新增 3 个" in page.locator("#import-report").inner_text()
    assert Item.objects.filter(department=world.dept).count() == 3
    screenshot(page, "catalog-08-import-done")
    # and importing the same file again changes nothing
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_department", str(world.dept.pk))
    page.click("main button[type=submit]")
    assert "未变化 3 个" in page.locator("#import-report").inner_text()
