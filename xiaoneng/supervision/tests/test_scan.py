from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db import connection as conn
from django.test.utils import CaptureQueriesContext

from xiaoneng.core.models import Event, Notification
from xiaoneng.core.trail import trail_verify
from xiaoneng.oversight.models import Rectification
from xiaoneng.supervision.alerts.scan import scan
from xiaoneng.supervision.alerts.services import alert_acknowledge, threshold_policy_save
from xiaoneng.supervision.choices import AlertStatus, Escalation
from xiaoneng.supervision.models import Alert, Recommendation
from xiaoneng.supervision.tests.conftest import make_clock, run_scan
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.deadline import day_start
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_pause, clock_stop

S = timedelta(seconds=1)


def levels(clock):
    return sorted(Alert.objects.filter(clock=clock).values_list("level", flat=True))


def test_sup1_scan_raises_reminder_yellow_red_and_statutory_at_their_instants(world):
    # given a clock of 5 working days with a statutory limit of 10
    clock = make_clock(world, limit=5, statutory=10)
    assert clock.remind_at < clock.warn_at < clock.red_at < clock.statutory_due_at
    # when the scan runs just before the reminder, then nothing
    scan(now=clock.remind_at - S)
    assert levels(clock) == []
    # then each level appears at its instant, not before
    scan(now=clock.remind_at)
    assert levels(clock) == [1]
    scan(now=clock.warn_at - S)
    assert levels(clock) == [1]
    scan(now=clock.warn_at)
    assert levels(clock) == [1, 2]
    scan(now=clock.red_at - S)
    assert levels(clock) == [1, 2]
    scan(now=clock.red_at)
    assert levels(clock) == [1, 2, 3]
    assert Rectification.objects.count() == 1  # a red alert opens a rectification
    scan(now=clock.statutory_due_at)
    assert levels(clock) == [1, 2, 3, 4]
    # SUP-1: red past the statutory limit comes with a supervision recommendation (监察建议书)
    rec = Recommendation.objects.get()
    assert rec.alert.level == 4
    assert rec.number.startswith("JCJY-")
    clock.refresh_from_db()
    assert clock.alert_level == 4
    assert clock.next_alert_at is None


def test_scan_raises_every_passed_level_at_once_and_nothing_twice(world):
    # given a clock long overdue
    clock = make_clock(world, limit=3)
    now = clock.red_at + timedelta(days=3)
    # when the scan runs twice
    first = run_scan(now=now)
    events = Event.objects.count()
    notes = Notification.objects.count()
    second = run_scan(now=now)
    # then the first raised reminder, yellow and red; the second nothing, and no new events or messages
    assert levels(clock) == [1, 2, 3]
    assert first.alerts == 3
    assert second.alerts == 0
    assert Event.objects.count() == events
    assert Notification.objects.count() == notes
    assert Rectification.objects.count() == 1


def test_scan_alert_events_form_a_valid_hash_chain(world):
    # given alerts raised in bulk then escalated
    clock = make_clock(world, limit=3)
    scan(now=clock.red_at)
    escalate_at = Alert.objects.get(clock=clock, level=3).escalate_at
    scan(now=escalate_at)
    # then the bulk-appended events verify like any other
    assert Event.objects.filter(action="alert.raised").count() == 3
    assert Event.objects.filter(action="alert.escalated").count() == 1
    assert list(trail_verify()) == []


def test_scan_ignores_paused_and_stopped_clocks(world):
    # given a paused and a stopped clock, both past every threshold
    paused = make_clock(world, limit=3)
    stopped = make_clock(world, limit=3)
    clock_pause(clock=paused, reason="hearing", at=paused.started_at + timedelta(hours=1))
    clock_stop(clock=stopped, at=stopped.started_at + timedelta(hours=2))
    # when the scan runs far in the future
    result = scan(now=stopped.started_at + timedelta(days=60))
    # then nothing is raised
    assert result.alerts == 0
    assert Alert.objects.count() == 0


def test_scan_query_count_does_not_grow_with_open_clocks_not_due(world, django_assert_max_num_queries):
    # given one overdue clock among many that are not due
    due = make_clock(world, limit=3)
    now = due.red_at
    for _ in range(5):
        make_clock(world, start=now - timedelta(hours=1), limit=20)

    with CaptureQueriesContext(conn) as small:
        scan(now=now)
    Alert.objects.all().delete()
    Rectification.objects.all().delete()
    Clock.objects.filter(pk=due.pk).update(alert_level=0, next_alert_at=due.remind_at)
    for _ in range(60):
        make_clock(world, start=now - timedelta(hours=1), limit=20)
    # when the scan runs again with twelve times as many open clocks
    # then it needs no more queries than before
    with django_assert_max_num_queries(len(small.captured_queries)):
        result = scan(now=now)
    assert result.alerts == 3


def test_escalation_goes_to_department_head_then_efficiency_office(world):
    # given a yellow alert nobody acknowledges
    clock = make_clock(world, limit=3)
    run_scan(now=clock.warn_at)
    alert = Alert.objects.get(clock=clock, level=2)
    assert alert.escalate_at is not None
    # when the acknowledgement deadline passes
    run_scan(now=alert.escalate_at - S)
    alert.refresh_from_db()
    assert alert.escalation == Escalation.NONE
    t1 = alert.escalate_at
    run_scan(now=t1)
    alert.refresh_from_db()
    # then the department head hears of it
    assert alert.status == AlertStatus.ESCALATED
    assert alert.escalation == Escalation.DEPT_HEAD
    assert Notification.objects.filter(recipient=world.user("dept_head"), title__contains="升级").exists()
    # and after a second deadline the efficiency office
    run_scan(now=alert.escalate_at)
    alert.refresh_from_db()
    assert alert.escalation == Escalation.OFFICE
    assert alert.escalate_at is None
    assert Notification.objects.filter(recipient=world.user("supervisor"), title__contains="升级").exists()
    assert not Notification.objects.filter(recipient=world.user("other_county_supervisor")).exists()


def test_acknowledged_alert_is_not_escalated(world):

    # given a yellow alert the unit acknowledged
    clock = make_clock(world, limit=3)
    scan(now=clock.warn_at)
    alert = Alert.objects.get(clock=clock, level=2)
    deadline = alert.escalate_at
    assert deadline is not None
    alert_acknowledge(alert=alert, actor=world.user("clerk"))
    # when the deadline passes
    result = scan(now=deadline + timedelta(days=3))
    # then nothing escalates
    alert.refresh_from_db()
    assert result.escalated == 0
    assert alert.escalation == Escalation.NONE


def test_red_alert_opens_one_rectification_with_a_15_day_clock(world):
    # given an overdue clock
    clock = make_clock(world, limit=3)
    # when the scan raises red
    run_scan(now=clock.red_at)
    # then one rectification for the department, with its own clock of 15 working days (CAS-10 default)
    rect = Rectification.objects.get()
    assert rect.clock is not None
    assert rect.department == world.dept
    assert rect.clock.limit == 15
    assert rect.clock.kind == "oversight.rectification"
    assert rect.source_id == str(Alert.objects.get(clock=clock, level=3).pk)
    assert Notification.objects.filter(recipient=world.user("dept_head"), title__contains="整改").exists()


def test_overdue_rectification_does_not_open_a_rectification_of_itself(world):
    # given a rectification whose own clock runs out
    clock = make_clock(world, limit=3)
    scan(now=clock.red_at)
    rect = Rectification.objects.get()
    assert rect.clock is not None
    # when the scan reaches its red instant
    scan(now=rect.clock.red_at)
    # then it is red, and still only one rectification exists
    assert Alert.objects.filter(clock=rect.clock, level=3).exists()
    assert Rectification.objects.count() == 1


def test_sup1_threshold_policy_moves_the_yellow_card(world):

    # given a policy for the city: yellow 2 working days before the due day, for kind "test."
    threshold_policy_save(
        actor=world.user("admin"), tenant=world.city, kind_prefix="test.", remind_offset=-3, yellow_offset=-2
    )
    # when a clock of that kind starts
    clock = make_clock(world, limit=10)
    # then its yellow instant is 2 working days before the due day
    assert clock.warn_at == day_start(get_calendar().add_working_days(clock.due_date, -2))
    other = make_clock(world, limit=10, kind="other.kind")
    assert other.warn_at == day_start(other.due_date)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="两个并发扫描的幂等性需要 PostgreSQL（SQLite 写入本就串行）"
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_raise_each_alert_once(world):
    # given 300 overdue clocks
    clocks = [make_clock(world, limit=3) for _ in range(300)]
    now = clocks[0].red_at
    results = []
    errors = []

    def run():
        try:
            results.append(scan(now=now, batch_size=50))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    # when two scans run at the same time
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then each (clock, level) has one alert, one event, one rectification per clock
    assert errors == []
    assert Alert.objects.count() == 900
    assert sum(r.alerts for r in results) == 900
    assert Event.objects.filter(action="alert.raised").count() == 900
    assert Rectification.objects.count() == 300


def test_clk5_rescan_command_recomputes_stale_clocks_then_scans(world):

    # given an overdue clock whose cached instants are stale (as after a calendar change)
    clock = make_clock(world, limit=3)
    Clock.objects.filter(pk=clock.pk).update(red_at=None, warn_at=None, remind_at=None, next_alert_at=None)
    out = StringIO()
    # when the rescan command runs
    call_command("supervision_rescan", stdout=out)
    # then the clock is recomputed, progress is printed, and the scan raised its alerts
    text = out.getvalue()
    assert "recomputed 1/1" in text
    assert "clocks changed: 1" in text
    assert levels(clock) == [1, 2, 3]


def test_sup1_threshold_policy_recomputes_open_clocks_with_one_event(world):

    # given an open clock under the default thresholds
    clock = make_clock(world, limit=10)
    assert clock.warn_at == day_start(clock.due_date)
    # when the city moves the yellow card 2 working days earlier for its kind
    policy = threshold_policy_save(
        actor=world.user("admin"), tenant=world.city, kind_prefix="test.", remind_offset=-3, yellow_offset=-2
    )
    # then the open clock follows at once, and the recompute is logged once, on the policy
    clock.refresh_from_db()
    assert clock.warn_at == day_start(get_calendar().add_working_days(clock.due_date, -2))
    actions = list(Event.objects.for_subject(policy).values_list("action", flat=True))
    assert actions == ["threshold.saved", "clocks.recomputed"]
    assert not Event.objects.filter(action="clock.recomputed").exists()
