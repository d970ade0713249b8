"""clock_explain(clock) and the workdays/_clock.html partial: every due date explains itself."""

from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string

from xiaoneng.workdays.choices import PauseReason
from xiaoneng.workdays.explain import clock_explain
from xiaoneng.workdays.services import clock_pause, clock_resume, clock_stop
from xiaoneng.workdays.tests.conftest import at
from xiaoneng.workdays.urgency import clock_urgency

pytestmark = pytest.mark.django_db


def test_clk1_explain_names_the_skipped_spring_festival_and_the_pause(make_clock):
    # given 20 working days from 2026-02-10, paused from 02-26 to 03-03 for an expert review
    clock = make_clock(limit=20, started_at=at("2026-02-10"), legal_basis="《行政许可法》第四十二条")
    clock_pause(clock=clock, reason=PauseReason.EXPERT_REVIEW, at=at("2026-02-26", 15))
    clock_resume(clock=clock, at=at("2026-03-03", 9))
    clock.refresh_from_db()
    # when it explains itself
    ex = clock_explain(clock)
    text = str(ex)
    # then it says the period starts the next day (CLK-2), skips the Spring Festival (CLK-1/CLK-3),
    # counts the make-up Saturday, excludes the pause with its legal basis, and names the revision
    assert clock.due_date == date(2026, 3, 23)
    assert ex.summary == "到期日：2026-03-23（周一），当日24时前办结。"
    assert "期限自次日起算" in text
    assert "跳过：2026-02-15（周日） 至 2026-02-23（周一） 春节放假，共9天。" in ex.lines
    assert "计入：2026-02-14（周六） 为调休上班日。" in ex.lines
    assert not any("2026-02-28（周六） 为调休上班日" in line for line in ex.lines)  # it fell in the pause
    pause_line = next(line for line in ex.lines if line.startswith("暂停："))
    assert "专家评审" in pause_line
    assert "《行政许可法》第四十五条" in pause_line
    # issue 9 convention: the pause day and the resumption day are not counted either
    assert "暂停当日至恢复当日均不计入期限" in pause_line
    assert "共扣除5个工作日" in pause_line  # 02-26, 02-27, make-up Saturday 02-28, 03-02, 03-03
    assert f"第{clock.calendar_revision}版" in ex.lines[-1]


def test_explain_says_a_pause_after_overdue_changed_nothing(make_clock):
    clock = make_clock(limit=3, started_at=at("2026-11-02"))
    clock_pause(clock=clock, reason=PauseReason.TESTING, at=at("2026-11-09"))
    clock_resume(clock=clock, at=at("2026-11-12"))
    clock.refresh_from_db()
    lines = clock_explain(clock).lines
    assert any("暂停时期限已届满，不影响到期日" in line for line in lines)
    assert not any("不计入期限" in line for line in lines)


def test_clk2_explain_of_natural_days_names_the_rest_day_rule(make_clock):
    # 5 natural days from 2026-09-28 end on 10-03 (National Day) and move to 10-08
    clock = make_clock(limit=5, unit="nd", started_at=at("2026-09-28"))
    lines = clock_explain(clock).lines
    assert any("期满日 2026-10-03（周六） 为休息日（国庆节）" in line and "2026-10-08" in line for line in lines)
    assert not any(line.startswith("跳过") for line in lines)  # natural days skip nothing


def test_clk4_explain_of_a_provisional_clock_says_so(make_clock):
    clock = make_clock(limit=10, started_at=at("2026-12-21"))
    ex = clock_explain(clock)
    assert ex.provisional
    assert any(line.startswith("暂定：2027年放假安排尚未公布") for line in ex.lines)


def test_explain_hour_clock_in_local_time(make_clock):
    clock = make_clock(limit=24, unit="h", started_at=at("2026-11-02", 10))
    clock_pause(clock=clock, reason=PauseReason.CONSULTATION, at=at("2026-11-02", 14))
    clock_resume(clock=clock, at=at("2026-11-02", 18, 30))
    clock.refresh_from_db()
    ex = clock_explain(clock)
    assert ex.summary == "到期时刻：2026-11-03 14:30。"
    assert "起算：2026-11-02 10:00，按小时连续计算。" in ex.lines
    assert any("2026-11-02 14:00 至 2026-11-02 18:30" in line and "共扣除4.5小时" in line for line in ex.lines)


def test_urgency_colours_follow_the_thresholds(make_clock):
    # given a clock due 2026-11-16 (remind 11-13, yellow 11-16, red from 11-17)
    clock = make_clock(limit=10, started_at=at("2026-11-02"))
    # then
    assert clock_urgency(clock, at("2026-11-05")).colour == "green"
    assert clock_urgency(clock, at("2026-11-05")).label == "正常"
    assert clock_urgency(clock, at("2026-11-05")).remaining_text == "剩余7个工作日"
    assert clock_urgency(clock, at("2026-11-13", 9)).label == "即将到期"
    assert clock_urgency(clock, at("2026-11-16", 9)).colour == "yellow"
    assert clock_urgency(clock, at("2026-11-16", 9)).remaining_text == "今日到期"
    late = clock_urgency(clock, at("2026-11-18", 9))
    assert (late.colour, late.label, late.remaining_text) == ("red", "已超期", "超期2个工作日")
    assert clock_urgency(clock, at("2026-11-17", 0) - timedelta(seconds=1)).colour == "yellow"


def test_partial_renders_due_date_pill_provisional_mark_and_explanation(make_clock):
    # given a provisional clock and a paused one and a stopped one
    provisional = make_clock(limit=10, started_at=at("2026-12-21"))
    paused = make_clock(limit=10, started_at=at("2026-11-02"))
    clock_pause(clock=paused, reason=PauseReason.HEARING, at=at("2026-11-04"))
    paused.refresh_from_db()
    stopped = clock_stop(clock=make_clock(limit=10, started_at=at("2026-11-02")), at=at("2026-11-03"))
    # when each is rendered with the reusable partial
    html = render_to_string("workdays/_clock.html", {"clock": provisional})
    # then the due date, the provisional mark and the "why this day" explanation are there
    # (2027-01-01 is 元旦 by law even before the 2027 schedule is announced: issue 9)
    assert "2027-01-05（周二）" in html
    assert "暂定" in html
    assert "<summary>为什么是这一天</summary>" in html
    assert "按周一至周五并跳过《全国年节及纪念日放假办法》规定的节假日推算" in html
    paused_html = render_to_string("workdays/_clock.html", {"clock": paused})
    assert 'class="pill grey">暂停<' in paused_html
    assert "剩余9个工作日" in paused_html  # only 11-03 was used: the pause day is not counted
    stopped_html = render_to_string("workdays/_clock.html", {"clock": stopped, "explain": False})
    assert 'class="pill grey">按时办结<' in stopped_html
    assert "为什么是这一天" not in stopped_html
