"""Browser journeys for issue 9: an administrator imports a real-shaped provincial file naming a
department the jurisdiction lacks, sees every problem at once, confirms creating the department and
imports again; and the English flowchart, whose text must stay inside its boxes."""

import pytest

from conftest import screenshot
from xiaoneng.catalog.models import Item
from xiaoneng.catalog.tests.factories import make_item, publish
from xiaoneng.catalog.tests.test_national_codes import credit, rows_for, workbook
from xiaoneng.orgs.models import Department

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username):
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-Word-2026")
    with page.expect_navigation():
        page.click("main button[type=submit]")


def _import(page, path):
    page.goto(page.base + "/workbench/catalog/import/")
    page.set_input_files("#id_file", str(path))
    with page.expect_navigation():
        page.click("#import-form button[type=submit]")


def test_admin_imports_real_file_creates_missing_department_and_imports_again(page, world, tmp_path):

    # given a provincial file: a known department under three credit codes, and 市数据局 (missing)
    # with two codes, one of its rows also with a limit not a third shorter (CAT-4)
    known = rows_for(world, unit_codes=[world.dept.credit_code, credit("11339100MB0510730")], count=6)
    codes = [credit("11339100MB0520010"), credit("11339100MB0520029")]
    new = rows_for(world, unit_codes=codes, dept_name="市数据局", start=6, count=4)
    new[1]["committed"] = 18
    path = tmp_path / "四川样例事项目录.xlsx"
    path.write_bytes(workbook(known + new))
    # when the administrator imports it
    _login(page, "admin")
    _import(page, path)
    # then every problem is listed at once: the department of each of its rows, and the limit too
    report = page.locator("#import-problems")
    rows = {tuple(c.strip() for c in r.inner_text().split("\t")[:3]) for r in report.locator("tbody tr").all()}
    assert {("items", str(n), "实施主体") for n in (8, 9, 10, 11)} <= rows, rows
    assert ("items", "9", "承诺办结时限") in rows, rows
    missing = page.locator("#missing-departments")
    assert "市数据局" in missing.inner_text()
    assert codes[0] in missing.inner_text()
    assert "CAT-" not in page.content()
    assert Item.objects.count() == 0
    screenshot(page, "catalog-09-import-missing-department")
    # when the administrator confirms creating the department
    with page.expect_navigation():
        page.click("#create-departments button[type=submit]")
    # then it exists, with the file's first code, and nothing else was imported
    dept = Department.objects.get(name="市数据局")
    assert dept.credit_code == codes[0]
    assert dept.region == world.city
    assert "已创建 1 个部门" in page.content()
    assert Item.objects.count() == 0
    # when the limit is fixed and the file imported again
    new[1]["committed"] = 10
    path.write_bytes(workbook(known + new))
    _import(page, path)
    # then all ten items are in, under their departments, with the codes as in the file
    assert "新增 10 个" in page.locator("#import-report").inner_text()
    assert Item.objects.filter(department=dept).count() == 4
    assert set(Item.objects.filter(department=dept).values_list("credit_code", flat=True)) == set(codes)
    assert Item.objects.filter(implementing_code=known[0]["code"]).exists()
    screenshot(page, "catalog-10-import-done")


def test_english_flowchart_text_stays_inside_its_boxes(page, world):

    step = {"role": "reviewer", "limit_days": 5, "on_timeout": "escalate", "applicant_rights": "陈述、申辩"}
    item = make_item(
        world.dept,
        world.user("clerk"),
        name="食品经营许可",
        stages=[
            {"name": "受理", "steps": [{**step, "name": "窗口受理", "role": "clerk", "limit_days": 1}]},
            {
                "name": "联合审查",
                "steps": [
                    {**step, "name": "市场监管审查", "department": world.dept.pk},
                    {**step, "name": "住建审查", "department": world.other_dept.pk, "on_timeout": "deemed_consent"},
                ],
            },
            {"name": "决定", "steps": [{**step, "name": "审批决定", "role": "dept_head", "limit_days": 2}]},
        ],
    )
    publish(item, declarer=world.user("dept_head"), legal=world.user("legal"))
    # given the English UI
    page.goto(page.base + "/")
    page.select_option("#lang-select", "en")
    page.click("#lang-submit")
    page.wait_for_selector("html[lang=en]")
    # when the item's flowchart is opened
    resp = page.request.get(page.base + f"/catalog/{item.implementing_code}/flowchart.svg")
    svg = resp.text()
    assert resp.status == 200, svg[:500]
    assert "Time limit" in svg, svg[:500]
    page.set_content("<!doctype html><html lang=en><body style='margin:0'>" + svg.split("?>", 1)[1] + "</body></html>")
    # then the browser's own measure of every text line fits its box
    overflow = page.evaluate(
        """() => {
        const out = [];
        for (const g of document.querySelectorAll('g.step, g.node')) {
          const r = g.querySelector('rect').getBBox();
          for (const t of g.querySelectorAll('text')) {
            const b = t.getBBox();
            if (b.x < r.x + 2 || b.x + b.width > r.x + r.width - 2) out.push(t.textContent);
          }
        }
        return out;
    }"""
    )
    assert overflow == [], overflow
    screenshot(page, "catalog-11-flowchart-english")
