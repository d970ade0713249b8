"""Browser journeys of issue 9: a citizen files a complaint with a file and a mistake (all errors at
once, the file kept), then refreshes the confirmation (no duplicate); a citizen gives a bad rating
without a reason (refused), then with one (RAT-1)."""

from __future__ import annotations

import pytest

from conftest import screenshot
from xiaoneng.complaints.models import Complaint, ComplaintAttachment
from xiaoneng.ratings.links import rating_token
from xiaoneng.ratings.models import Rating
from xiaoneng.ratings.tests.conftest import completed_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4 receipt of the window\n"


def test_complaint_with_file_and_mistakes_then_refresh_files_once(page, world, tmp_path):
    receipt = tmp_path / "收据.pdf"
    receipt.write_bytes(PDF)
    bad = tmp_path / "病毒.exe"
    bad.write_bytes(b"MZ....")
    # given the public form: plain words, 请选择, departments grouped by region
    page.goto(page.base + "/complaints/new/")
    assert page.locator("#id_department option").first.inner_text() == "请选择"
    assert page.locator("#id_department optgroup").first.get_attribute("label") == "青溪市"
    # when the citizen forgets the name, mistypes the phone, and chooses a good and a bad file
    page.fill("#id_title", "营业执照申请超期未办结")
    page.fill("#id_content", "太短")
    page.fill("#id_phone", "123")
    page.set_input_files("#id_attachments", [str(receipt), str(bad)])
    page.click("#btn-complain")
    # then every error comes at once, and the good file is kept
    errors = page.locator("#form-errors").inner_text()
    for what in ("投诉内容", "姓名", "联系电话", "附件"):
        assert what in errors, errors
    assert "病毒.exe" in errors
    assert "收据.pdf" in page.locator(".pending-uploads").inner_text()
    assert "已上传" in page.locator(".pending-uploads").inner_text()
    assert "变量" not in page.content()
    screenshot(page, "issue9-complaint-errors-file-kept")
    # when the citizen corrects the fields without choosing the file again
    page.fill("#id_content", "我的营业执照申请已超过承诺时限，窗口两次要求我提交同一份租赁合同。")
    page.fill("#id_name", "赵先生")
    page.fill("#id_phone", "13900000021")
    page.click("#btn-complain")
    # then the confirmation shows the number, and the kept file is attached
    number = page.locator("#complaint-number").inner_text()
    code = page.locator("#complaint-code").inner_text()
    assert "/complaints/submitted/" in page.url
    c = Complaint.objects.get(number=number)
    assert ComplaintAttachment.objects.get(complaint=c).original_name == "收据.pdf"
    # when the confirmation is refreshed (twice)
    page.reload()
    page.reload()
    # then nothing new is filed and the same number and code are shown
    assert page.locator("#complaint-number").inner_text() == number
    assert page.locator("#complaint-code").inner_text() == code
    assert Complaint.objects.count() == 1
    screenshot(page, "issue9-complaint-confirmation")


def test_bad_rating_refused_without_reason_then_accepted(page, world):
    case = completed_case(world)
    page.goto(page.base + f"/rate/{rating_token(case=case)}/?via=sms")
    # the reason field is hidden until a bad grade is chosen
    assert page.locator("#bad-reason").is_hidden()
    page.check("input[name=level][value='4']")
    assert page.locator("#bad-reason").is_hidden()
    page.check("input[name=level][value='1']")
    assert page.locator("#bad-reason").is_visible()
    # when the rater submits without a reason (the browser's own check bypassed: the server decides)
    page.locator("#id_reason").evaluate("el => el.required = false")
    page.click("#btn-rate")
    # then it is refused with a clear message, the grade still chosen
    assert "请说明遇到的问题" in page.locator("#err-reason").inner_text()
    assert page.locator("input[name=level][value='1']").is_checked()
    assert page.locator("#bad-reason").is_visible()
    assert Rating.objects.count() == 0
    screenshot(page, "issue9-bad-rating-refused")
    # when a reason is given
    page.fill("#id_reason", "窗口等候两个小时无人接待")
    page.click("#btn-rate")
    page.wait_for_selector("text=感谢您的评价")
    r = Rating.objects.get(case=case)
    assert r.level == 1
    assert r.reason == "窗口等候两个小时无人接待"
    # a refresh of the thanks page records nothing more
    page.reload()
    assert Rating.objects.count() == 1
