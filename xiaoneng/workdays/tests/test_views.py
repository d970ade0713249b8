"""The administrator's calendar screen (CLK-4, CLK-5)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiaoneng.core.models import Event
from xiaoneng.orgs.tests.factories import UserFactory
from xiaoneng.workdays.forms import NOTICE_EXAMPLE_2027
from xiaoneng.workdays.models import CalendarDay, CalendarRevision, CalendarYear
from xiaoneng.workdays.tests.conftest import at

pytestmark = pytest.mark.django_db

REF = "国办发明电〔2026〕7号"
NON_ADMIN_ROLES = ["applicant", "clerk", "reviewer", "dept_head", "legal", "supervisor", "leader"]


def _state() -> tuple[int, int, int, int]:
    return (
        CalendarDay.objects.count(),
        CalendarRevision.objects.count(),
        CalendarYear.objects.count(),
        Event.objects.count(),
    )


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.user("admin"))
    return client


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_clk4_calendar_screens_refuse_everyone_but_administrators(client, world, role):
    # given a signed-in user who is not an administrator
    client.force_login(world.user(role))
    before = _state()
    # when they open or post to any calendar page
    responses = [
        client.get(reverse("workdays:calendar")),
        client.get(reverse("workdays:calendar_year", args=[2026])),
        client.post(
            reverse("workdays:calendar_preview"), {"year": 2027, "notice_ref": REF, "text": NOTICE_EXAMPLE_2027}
        ),
        client.post(
            reverse("workdays:calendar_confirm"), {"year": 2027, "notice_ref": REF, "text": NOTICE_EXAMPLE_2027}
        ),
    ]
    # then every one is refused and nothing changed
    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert _state() == before


def test_calendar_screen_needs_sign_in(client, world):
    response = client.get(reverse("workdays:calendar"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_superuser_may_manage_the_calendar(client, world):
    client.force_login(UserFactory(username="root", role="applicant", is_superuser=True))
    assert client.get(reverse("workdays:calendar")).status_code == 200


def test_calendar_screen_lists_years_with_status_and_shows_the_format(admin_client, freeze_now):
    freeze_now(at("2026-06-01"))
    response = admin_client.get(reverse("workdays:calendar"))
    html = response.content.decode()
    assert response.status_code == 200
    years = {y.year: y for y in response.context["recent_years"] + response.context["older_years"]}
    assert years[2027].status == "missing"
    assert years[2026].status == "confirmed"
    assert years[2026].source == "chinese-calendar 数据包"
    assert years[2004].status == "confirmed"
    assert "未录入（按周一至周五并跳过法定节假日暂定）" in html
    assert "调休上班：2027-01-31、2027-02-20" in html  # the 2027 example
    assert "由 chinese-calendar 数据包初始化" in html  # the seed revision
    assert response.context["form"].initial["year"] == 2027


def test_clk4_missing_year_warning_appears_from_1_november_only(client, world, freeze_now):
    # given 2027 not entered
    # when the administrator opens the screen on 31 October
    freeze_now(at("2026-10-31", 12))
    client.force_login(world.user("admin"))
    html = client.get(reverse("workdays:calendar")).content.decode()
    # then there is no warning
    assert 'id="missing-year"' not in html
    # when she opens it on 1 November
    freeze_now(at("2026-11-01", 8))
    client.force_login(world.user("admin"))  # a new day, a new session
    html = client.get(reverse("workdays:calendar")).content.decode()
    # then the warning names 2027
    assert 'id="missing-year"' in html
    assert "2027年放假安排尚未录入" in html


def test_clk4_preview_shows_what_will_change_and_writes_nothing(admin_client, make_clock):
    # given one open provisional clock running into 2027
    make_clock(limit=10, started_at=at("2026-12-21"))
    before = _state()
    # when the administrator previews the 2027 schedule
    response = admin_client.post(
        reverse("workdays:calendar_preview"), {"year": 2027, "notice_ref": REF, "text": NOTICE_EXAMPLE_2027}
    )
    # then she sees the holidays, the make-up days and the clock that will be recomputed
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["holiday_count"] == 3 + 9 + 3 + 5 + 1 + 1 + 7
    assert response.context["makeup_days"][0] == date(2027, 1, 31)
    assert response.context["affected"] == 1
    assert response.context["affected_provisional"] == 1
    assert "春节" in html
    assert "2027-02-05 至 2027-02-13" in html
    assert REF in html
    assert _state() == before


def test_clk4_preview_accepts_a_csv_upload(admin_client):
    csv_bytes = (
        "名称,日期\n元旦,2027-01-01 至 2027-01-03\n春节,2027-02-05 至 2027-02-13\n调休上班,2027-01-31,2027-02-20\n"
    )
    upload = SimpleUploadedFile("2027.csv", csv_bytes.encode("gb18030"), content_type="text/csv")
    response = admin_client.post(
        reverse("workdays:calendar_preview"), {"year": 2027, "notice_ref": REF, "text": "", "file": upload}
    )
    assert response.status_code == 200
    assert response.context["holiday_count"] == 12
    assert response.context["makeup_days"] == [date(2027, 1, 31), date(2027, 2, 20)]
    # the confirmation form carries the file's content as text
    assert "元旦：2027-01-01 至 2027-01-03" in response.context["text"]


def test_clk4_upload_must_be_text_or_csv(admin_client):
    before = _state()
    upload = SimpleUploadedFile("2027.xlsx", b"PK\x03\x04", content_type="application/octet-stream")
    response = admin_client.post(
        reverse("workdays:calendar_preview"), {"year": 2027, "notice_ref": REF, "text": "", "file": upload}
    )
    assert response.status_code == 400
    assert "只能上传 .txt 或 .csv 文件。" in response.content.decode()
    assert _state() == before


def test_clk4_bad_lines_are_shown_in_chinese_and_nothing_changes(admin_client):
    before = _state()
    text = "元旦：2027-01-01\n春节：2027-02-30\n调休上班：2027-01-04\n清明节 2027-04-05"
    for url in ("workdays:calendar_preview", "workdays:calendar_confirm"):
        response = admin_client.post(reverse(url), {"year": 2027, "notice_ref": REF, "text": text})
        html = response.content.decode()
        assert response.status_code == 400
        assert "未做任何修改" in html
        assert "第2行：无法识别的日期“2027-02-30”。" in html
        assert "第3行：2027-01-04 是周一至周五，不能作为调休上班日。" in html
        assert "第4行：缺少“名称：日期”中的冒号。" in html
    assert _state() == before


def test_clk4_missing_notice_reference_is_refused(admin_client):
    before = _state()
    response = admin_client.post(
        reverse("workdays:calendar_confirm"), {"year": 2027, "notice_ref": "", "text": NOTICE_EXAMPLE_2027}
    )
    assert response.status_code == 400
    assert "通知文号" in response.content.decode()
    assert _state() == before


def test_clk4_clk5_confirm_enters_the_year_recomputes_and_lists_the_revision(admin_client, world, make_clock):
    # given a provisional clock due 2027-01-04
    clock = make_clock(limit=10, started_at=at("2026-12-21"))
    # when the administrator confirms the previewed schedule
    response = admin_client.post(
        reverse("workdays:calendar_confirm"), {"year": 2027, "notice_ref": REF, "text": NOTICE_EXAMPLE_2027}
    )
    # then she is sent back to the calendar with a confirmation naming the revision
    assert response.status_code == 302
    page = admin_client.get(response["Location"])
    html = page.content.decode()
    rev = CalendarRevision.objects.order_by("-number").first()
    assert rev is not None
    assert rev.actor == world.user("admin")
    assert f"已确认2027年放假安排（日历第{rev.number}版）" in html
    # and 2027 is confirmed, the revision is listed with who and what
    assert CalendarYear.objects.get(year=2027).notice_ref == REF
    assert f'data-revision="{rev.number}"' in html
    assert "节假日 29 天，调休上班 6 天" in html
    assert "重算1个时限" in html
    # and the clock was recomputed
    clock.refresh_from_db()
    assert (clock.due_date, clock.provisional) == (date(2027, 1, 5), False)


def test_month_view_shows_holidays_with_names_and_makeup_days(admin_client):
    response = admin_client.get(reverse("workdays:calendar_year", args=[2026]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-date="2026-02-17" data-kind="holiday"' in html
    assert 'data-date="2026-02-14" data-kind="makeup"' in html
    assert 'data-date="2026-02-10" data-kind="workday"' in html
    assert "春节" in html
    assert response.context["workdays"] == 248
    months = response.context["months"]
    assert ("holiday", date(2026, 2, 15), date(2026, 2, 23), "春节") in months[1].notes


def test_month_view_of_a_missing_year_is_provisional_and_out_of_range_is_404(admin_client):
    response = admin_client.get(reverse("workdays:calendar_year", args=[2027]))
    assert response.status_code == 200
    assert response.context["provisional"] is True
    assert admin_client.get(reverse("workdays:calendar_year", args=[1990])).status_code == 404
