"""The Clock's arithmetic through its services: pauses, extensions, natural days, hours (CLK-1, CLK-2)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

import xiaoneng.workdays.services as services
from xiaoneng.core.models import Event
from xiaoneng.core.trail import trail_batch
from xiaoneng.workdays.choices import ClockStatus, ExtensionKind, PauseReason
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import (
    AlertLevel,
    clock_extend,
    clock_pause,
    clock_restart,
    clock_resume,
    clock_stop,
    clock_stop_running,
)
from xiaoneng.workdays.tests.conftest import at

pytestmark = pytest.mark.django_db


def test_clk1_clk2_working_days_start_the_day_after_and_end_of_due_day(make_clock):
    # given a 10-working-day obligation triggered on Monday 2026-11-02
    # when it starts
    clock = make_clock(limit=10, started_at=at("2026-11-02", 16))
    # then day 1 is 11-03 and day 10 is Monday 11-16; it is overdue from 00:00 on 11-17
    assert clock.due_date == date(2026, 11, 16)
    assert clock.due_at == at("2026-11-17", 0)
    assert clock.warn_at == at("2026-11-16", 0)
    assert clock.remind_at == at("2026-11-13", 0)
    assert not clock.provisional


def test_clk1_twenty_working_days_skip_the_spring_festival(make_clock):
    # given the rules' own example: 20 working days after accepting on 2026-02-10
    clock = make_clock(limit=20, started_at=at("2026-02-10"))
    # then the Spring Festival (02-15 … 02-23) is skipped and the make-up Saturdays count
    assert clock.due_date == date(2026, 3, 16)


def test_clk1_pause_on_working_days_moves_due_by_the_excluded_working_days(make_clock, world):
    # given a 10-working-day clock from Monday 2026-11-02 (due 11-16)
    clock = make_clock(limit=10, started_at=at("2026-11-02"))
    # when it is paused on Wednesday 11-04 for an expert review and resumed on Monday 11-09
    clock_pause(clock=clock, reason=PauseReason.EXPERT_REVIEW, at=at("2026-11-04", 15), actor=world.user("reviewer"))
    clock.refresh_from_db()
    assert clock.status == ClockStatus.PAUSED
    assert clock.due_date is None
    assert clock.remaining == 9
    clock_resume(clock=clock, at=at("2026-11-09", 10))
    clock.refresh_from_db()
    # then 11-04 (paused that afternoon), 11-05, 11-06 and 11-09 (resumed that morning) do not
    # count: due four working days later, Friday 11-20
    assert clock.status == ClockStatus.RUNNING
    assert clock.due_date == date(2026, 11, 20)


def test_clk1_pause_spanning_the_spring_festival_excludes_only_its_working_days(make_clock):
    # given 20 working days from 2026-02-10 (due 03-16)
    clock = make_clock(limit=20, started_at=at("2026-02-10"))
    # when paused from Friday 02-13 to Wednesday 02-25, across the whole holiday
    clock_pause(clock=clock, reason=PauseReason.SUPPLEMENT, at=at("2026-02-13", 15))
    clock_resume(clock=clock, at=at("2026-02-25", 9))
    clock.refresh_from_db()
    # then only the working days inside the pause (02-13, make-up Saturday 02-14, 02-24, 02-25) are
    # excluded: 4 working days later than without the pause, Friday 03-20
    assert clock.due_date == date(2026, 3, 20)


def test_clk1_several_pauses_add_up(make_clock):
    # given a 10-working-day clock from 2026-11-02
    clock = make_clock(limit=10, started_at=at("2026-11-02"))
    # when paused 11-03 → 11-05 and again 11-10 → 11-12
    clock_pause(clock=clock, reason=PauseReason.SUPPLEMENT, at=at("2026-11-03", 11))
    clock_resume(clock=clock, at=at("2026-11-05", 9))
    clock_pause(clock=clock, reason=PauseReason.TESTING, at=at("2026-11-10", 11))
    clock_resume(clock=clock, at=at("2026-11-12", 9))
    clock.refresh_from_db()
    # then 3 + 3 working days are excluded (each pause from its day to the resumption day): 11-16
    # becomes Tuesday 11-24
    assert clock.due_date == date(2026, 11, 24)
    assert clock.pauses.count() == 2


def test_pauses_cannot_nest_or_overlap(make_clock):
    # given a paused clock
    clock = make_clock(limit=10, started_at=at("2026-11-02"))
    clock_pause(clock=clock, reason=PauseReason.SUPPLEMENT, at=at("2026-11-03"))
    # when a second pause is attempted while the first is open
    # then it is refused
    with pytest.raises(ValidationError):
        clock_pause(clock=clock, reason=PauseReason.TESTING, at=at("2026-11-04"))
    # and after resuming, a pause dated before the resumption (overlapping the first) is refused
    clock_resume(clock=clock, at=at("2026-11-06"))
    with pytest.raises(ValidationError):
        clock_pause(clock=clock, reason=PauseReason.TESTING, at=at("2026-11-05"))
    # and so is a pause before the clock started, and a reason the law does not allow
    with pytest.raises(ValidationError):
        clock_pause(clock=clock, reason=PauseReason.TESTING, at=at("2026-11-01"))
    with pytest.raises(ValidationError):
        clock_pause(clock=clock, reason="holiday_mood", at=at("2026-11-09"))
    assert clock.pauses.count() == 1


def test_clk1_pause_after_overdue_does_not_cure_it(make_clock):
    # given a 3-working-day clock from Monday 2026-11-02: due Thursday 11-05
    clock = make_clock(limit=3, started_at=at("2026-11-02"))
    assert clock.due_date == date(2026, 11, 5)
    # when it is paused on Monday 11-09, after it ran out
    clock_pause(clock=clock, reason=PauseReason.EXPERT_REVIEW, at=at("2026-11-09"))
    clock.refresh_from_db()
    # then it keeps its due date while paused (still overdue) …
    assert clock.due_date == date(2026, 11, 5)
    # … and after resuming
    clock_resume(clock=clock, at=at("2026-11-20"))
    clock.refresh_from_db()
    assert clock.due_date == date(2026, 11, 5)


def test_clk1_pause_starting_on_the_due_day_still_counts(make_clock):
    # given a clock due Thursday 2026-11-05
    clock = make_clock(limit=3, started_at=at("2026-11-02"))
    # when paused on the due day itself, at 09:00, and resumed on 11-10
    clock_pause(clock=clock, reason=PauseReason.EXPERT_REVIEW, at=at("2026-11-05", 9))
    clock_resume(clock=clock, at=at("2026-11-10"))
    clock.refresh_from_db()
    # then (issue 9) the due day was not yet used up: 11-05 … 11-10 are not counted and the last
    # working day is the day after the resumption, Wednesday 11-11
    assert clock.due_date == date(2026, 11, 11)


def test_extension_moves_due_and_statutory_due(make_clock, world):
    # given a committed limit of 15 and a statutory limit of 20 working days from 2026-02-10
    clock = make_clock(limit=15, statutory_limit=20, started_at=at("2026-02-10"))
    assert clock.due_date == date(2026, 3, 9)
    assert clock.statutory_due_date == date(2026, 3, 16)
    # when the agency head approves 10 more working days (行政许可法 第四十二条)
    clock_extend(
        clock=clock, days=10, kind=ExtensionKind.AGENCY_HEAD, reason="需现场核查", approver=world.user("dept_head")
    )
    clock.refresh_from_db()
    # then both move by 10 working days: 25 → 03-23, 30 → 03-30
    assert clock.extension_total == 10
    assert clock.due_date == date(2026, 3, 23)
    assert clock.statutory_due_date == date(2026, 3, 30)
    assert clock.statutory_due_at == at("2026-03-31", 0)
    assert Event.objects.for_subject(clock).filter(action="clock.extended").count() == 1


def test_extension_needs_reason_positive_days_and_an_open_clock(make_clock, world):
    clock = make_clock(limit=5, started_at=at("2026-11-02"))
    approver = world.user("dept_head")
    with pytest.raises(ValidationError):
        clock_extend(clock=clock, days=0, kind=ExtensionKind.AGENCY_HEAD, reason="x", approver=approver)
    with pytest.raises(ValidationError):
        clock_extend(clock=clock, days=5, kind=ExtensionKind.AGENCY_HEAD, reason="  ", approver=approver)
    clock_stop(clock=clock, at=at("2026-11-03"))
    with pytest.raises(ValidationError):
        clock_extend(clock=clock, days=5, kind=ExtensionKind.AGENCY_HEAD, reason="x", approver=approver)


def test_extension_keeps_alert_levels_still_reached_and_lowers_the_others(make_clock, world):
    # given a clock long overdue on which the scan raised red (SUP-1)
    clock = make_clock(limit=5, started_at=at("2026-01-05"))
    type(clock).objects.filter(pk=clock.pk).update(alert_level=AlertLevel.RED)
    clock.refresh_from_db()
    # when it is extended by 1 working day (still overdue)
    clock_extend(clock=clock, days=1, kind=ExtensionKind.OTHER, reason="补充", approver=world.user("dept_head"))
    clock.refresh_from_db()
    # then red still holds: it is not raised a second time
    assert clock.alert_level == AlertLevel.RED
    assert clock.next_alert_at is None  # no statutory limit: nothing above red
    # when it is extended far beyond today
    clock_extend(clock=clock, days=2000, kind=ExtensionKind.OTHER, reason="补充", approver=world.user("dept_head"))
    clock.refresh_from_db()
    # then no threshold is reached any more and the reminder is the next alert
    assert clock.alert_level == AlertLevel.NONE
    assert clock.next_alert_at == clock.remind_at


def test_clk2_natural_days_ending_on_a_holiday_roll_to_the_next_working_day(make_clock):
    # given 5 natural days from Monday 2026-09-28: the period ends on 10-03, in the National Day holiday
    clock = make_clock(limit=5, unit="nd", started_at=at("2026-09-28"))
    # then it ends on the next working day, Thursday 10-08 (民法典 第二百零三条)
    assert clock.due_date == date(2026, 10, 8)


def test_clk2_natural_days_run_through_holidays_and_may_end_on_a_makeup_saturday(make_clock):
    # given 10 natural days from Wednesday 2026-09-30: the holiday counts, the period ends on Saturday
    # 10-10, which is a make-up working day
    clock = make_clock(limit=10, unit="nd", started_at=at("2026-09-30"))
    # then it ends that Saturday
    assert clock.due_date == date(2026, 10, 10)


def test_clk2_natural_days_ending_on_a_weekend_roll_to_monday(make_clock):
    # 4 natural days from Tuesday 2026-11-03 end on Saturday 11-07 → Monday 11-09
    clock = make_clock(limit=4, unit="nd", started_at=at("2026-11-03"))
    assert clock.due_date == date(2026, 11, 9)


def test_hour_clock_runs_on_elapsed_time_and_subtracts_pauses(make_clock):
    # given a 24-hour clock from 2026-11-02 10:00
    clock = make_clock(limit=24, unit="h", started_at=at("2026-11-02", 10))
    assert clock.due_at == at("2026-11-03", 10)
    assert clock.warn_at == clock.due_at - timedelta(hours=24 * 0.2)
    # when paused 14:00 → 18:00 the same day
    clock_pause(clock=clock, reason=PauseReason.CONSULTATION, at=at("2026-11-02", 14))
    clock.refresh_from_db()
    assert clock.remaining == 20
    clock_resume(clock=clock, at=at("2026-11-02", 18))
    clock.refresh_from_db()
    # then the due instant moves by 4 hours
    assert clock.due_at == at("2026-11-03", 14)


def test_hour_clock_pause_after_overdue_does_not_cure_it(make_clock):
    # given a 24-hour clock due 2026-11-03 10:00
    clock = make_clock(limit=24, unit="h", started_at=at("2026-11-02", 10))
    # when it is paused at 15:00 on 11-03, after it ran out, and resumed the next day
    clock_pause(clock=clock, reason=PauseReason.CONSULTATION, at=at("2026-11-03", 15))
    clock_resume(clock=clock, at=at("2026-11-04", 15))
    clock.refresh_from_db()
    # then it is still due at 10:00 on 11-03
    assert clock.due_at == at("2026-11-03", 10)


def test_hour_clock_restart_forgets_earlier_pauses(make_clock, world):
    # given a 24-hour clock paused 4 hours before being restarted (DIS-1: corrected request received)
    clock = make_clock(limit=24, unit="h", started_at=at("2026-11-02", 10))
    clock_pause(clock=clock, reason=PauseReason.SUPPLEMENT, at=at("2026-11-02", 14))
    clock_resume(clock=clock, at=at("2026-11-02", 18))
    clock_restart(clock=clock, at=at("2026-11-05", 10))
    clock.refresh_from_db()
    assert clock.due_at == at("2026-11-06", 10)
    # when it is later extended by one hour
    clock_extend(clock=clock, days=1, kind=ExtensionKind.OTHER, reason="补充", approver=world.user("dept_head"))
    clock.refresh_from_db()
    # then the pause before the restart is not subtracted again: 25 hours from the restart
    assert clock.due_at == at("2026-11-06", 11)


def test_stop_while_paused_counts_as_on_time_when_time_was_left(make_clock):
    # given a 10-working-day clock paused on its second day
    clock = make_clock(limit=10, started_at=at("2026-11-02"))
    clock_pause(clock=clock, reason=PauseReason.EXPERT_REVIEW, at=at("2026-11-04", 9))
    # when the obligation is met during the pause
    clock = clock_stop(clock=clock, at=at("2026-11-06", 9))
    # then the pause ends, the due date is computed (9 working days after 11-06: only 11-03 was
    # used, 11-04 … 11-06 stood paused) and it was on time
    assert clock.status == ClockStatus.STOPPED
    assert clock.due_date == date(2026, 11, 19)
    assert clock.next_alert_at is None
    stopped = Event.objects.for_subject(clock).get(action="clock.stopped")
    assert stopped.after["on_time"] is True


def test_clock_start_and_stop_inside_an_action_take_no_savepoint_and_stop_takes_a_pk(make_clock):

    # given an action's transaction with its events batched (as every case transition runs)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, trail_batch():
        # when a clock is started and then stopped by its pk
        clock = make_clock(limit=10, started_at=at("2026-11-02"))
        stopped = clock_stop(clock=clock.pk, at=at("2026-11-03"))
    # then no SAVEPOINT round trip was spent: a failed write fails the whole action anyway
    assert not any("SAVEPOINT" in q["sql"] for q in queries.captured_queries)
    # and the clock stopped, with its trail
    assert stopped.status == ClockStatus.STOPPED
    assert list(Event.objects.for_subject(clock).values_list("action", flat=True)) == [
        "clock.started",
        "clock.stopped",
    ]


def test_clock_start_failing_after_its_insert_leaves_no_clock_for_a_caller_that_recovers(make_clock, monkeypatch):

    # given the trail refuses the event (any failure after the clock row is written)
    def refuse(**kwargs):
        raise IntegrityError("refused")

    monkeypatch.setattr(services, "event_append", refuse)
    before = Clock.objects.count()
    # when a caller that catches the error in its own atomic block starts a clock
    with pytest.raises(IntegrityError), transaction.atomic():
        make_clock(limit=10, started_at=at("2026-11-02"))
    # then its transaction is still usable and the clock row is not left behind
    assert Clock.objects.count() == before


def test_clock_stop_running_is_one_conditional_update_with_its_event(make_clock):

    # given a running clock, as read by its owner's action
    clock = make_clock(limit=10, started_at=at("2026-11-02"))
    # when it is stopped on time, given by its pk
    with CaptureQueriesContext(connection) as queries:
        clock_stop_running(clock=clock.pk, at=at("2026-11-05"))
    # then no read of the clock was needed: one UPDATE … RETURNING of its row
    clock_sql = [q["sql"] for q in queries.captured_queries if "workdays_clock" in q["sql"]]
    assert len(clock_sql) == 1
    assert clock_sql[0].startswith("UPDATE")
    assert "RETURNING" in clock_sql[0]
    stopped = type(clock).objects.get(pk=clock.pk)
    assert stopped.status == ClockStatus.STOPPED
    assert stopped.next_alert_at is None
    assert stopped.stopped_at == at("2026-11-05")
    event = Event.objects.for_subject(clock).get(action="clock.stopped")
    assert event.before["status"] == ClockStatus.RUNNING
    assert event.after["on_time"] is True
    # and the trail records the same snapshot clock_stop would have (only the status differs)
    assert {k: v for k, v in event.before.items() if k != "status"} == {
        k: v for k, v in event.after.items() if k not in ("status", "on_time")
    }
    assert event.after["due_date"] == str(stopped.due_date)
    assert event.after["limit"] == 10


def test_clock_stop_running_falls_back_to_clock_stop_for_a_clock_no_longer_running(make_clock):

    # given a clock read as running, then paused by someone else before the stop
    clock = make_clock(limit=10, started_at=at("2026-11-02"))
    stale = type(clock).objects.get(pk=clock.pk)
    clock_pause(clock=clock, reason=PauseReason.EXPERT_REVIEW, at=at("2026-11-04", 9))
    # when the stale copy is stopped
    assert stale.status == ClockStatus.RUNNING
    stopped = clock_stop_running(clock=stale, at=at("2026-11-06", 9))
    # then it is stopped as a paused clock is (the pause ends, the due date is recomputed)
    assert stopped.status == ClockStatus.STOPPED
    assert stopped.due_date == date(2026, 11, 19)
    assert stopped.pauses.get().ended_at == at("2026-11-06", 9)
    assert Event.objects.for_subject(clock).get(action="clock.stopped").before["status"] == ClockStatus.PAUSED
