"""One escalation policy owned by supervision (SUP-1; supervision.escalation ESC-CHAIN, ESC-ACK,
ESC-DAY), asked by the scan's alerts and by complaints' overdue orders through
workdays.escalation; and the dashboard's colours from the one level → colour mapping (LAD-COLOUR)."""

from __future__ import annotations

import ast
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from xiaoneng.complaints.actions.escalation import complaints_escalate
from xiaoneng.complaints.tests.conftest import dispatched
from xiaoneng.core.models import Notification
from xiaoneng.supervision.alerts.escalation import acknowledge_deadline, escalation_policy
from xiaoneng.supervision.alerts.selectors import dashboard_stats
from xiaoneng.supervision.choices import Escalation
from xiaoneng.supervision.models import Alert
from xiaoneng.supervision.tests.conftest import SH, make_clock, run_scan
from xiaoneng.workdays import escalation as contract
from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES
from xiaoneng.workdays.escalation import Audience, EscalationStep, Track
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_pause, clock_start
from xiaoneng.workdays.urgency import clock_urgency

H = timedelta(hours=1)
DUE = datetime(2026, 11, 2, 23, 59, 59, 999999, tzinfo=SH)


def _decide(track: Track, *, since: datetime, step: int, now: datetime, dept: bool = True) -> EscalationStep:
    return escalation_policy(
        track=track, tenant_id=0, kind="complaint.reply", since=since, step=step, now=now, has_department=dept
    )


# --- the policy itself ---------------------------------------------------------------------------


def test_esc_day_one_step_per_day_overdue_up_the_chain(world):
    # ESC-DAY: step 1 within the first 24 hours overdue, 2 within the next, 3 from then on
    assert _decide(Track.OVERDUE, since=DUE, step=0, now=DUE) == EscalationStep(0, None, DUE)
    assert _decide(Track.OVERDUE, since=DUE, step=0, now=DUE + H) == EscalationStep(
        1, Audience.DEPT_HEAD, DUE + timedelta(days=1)
    )
    assert _decide(Track.OVERDUE, since=DUE, step=0, now=DUE + 25 * H).audience == Audience.OFFICE
    assert _decide(Track.OVERDUE, since=DUE, step=1, now=DUE + 49 * H) == EscalationStep(3, Audience.LEADERS_UP, None)
    # never down, and ESC-CHAIN: nobody below the office owes an acceptance
    assert _decide(Track.OVERDUE, since=DUE, step=3, now=DUE + H).step == 3
    assert _decide(Track.OVERDUE, since=DUE, step=0, now=DUE + H, dept=False).audience == Audience.OFFICE


def test_esc_ack_one_step_per_missed_deadline(world):
    # ESC-ACK: the department head, then the offices of the region and above, then no further deadline
    now = datetime(2026, 11, 2, 10, 0, tzinfo=SH)
    first = _decide(Track.UNACKNOWLEDGED, since=now, step=0, now=now)
    assert first == EscalationStep(1, Audience.DEPT_HEAD, acknowledge_deadline(now, 1))
    assert first.next_at == datetime(2026, 11, 4, 0, 0, tzinfo=SH)  # the end of the next working day
    assert _decide(Track.UNACKNOWLEDGED, since=now, step=1, now=now) == EscalationStep(2, Audience.OFFICES_UP, None)
    assert _decide(Track.UNACKNOWLEDGED, since=now, step=0, now=now, dept=False).audience == Audience.OFFICES_UP


def test_supervision_installs_the_one_policy_and_complaints_do_not_import_supervision():
    assert contract._policy is escalation_policy
    # layer order: complaints (and workdays) sit below supervision and never import it
    root = Path(__file__).resolve().parents[2]
    for app in ("complaints", "workdays"):
        for path in (root / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                assert not any(n.startswith("xiaoneng.supervision") for n in names), path


# --- both callers ask it -------------------------------------------------------------------------


def test_complaints_escalate_asks_supervisions_policy(world, monkeypatch, django_capture_on_commit_callbacks):
    # given an order whose reply limit passed an hour ago, and a policy that says "the office, step 2"
    c = dispatched(world)
    assert c.reply_clock_id is not None
    clock = Clock.objects.get(pk=c.reply_clock_id)
    assert clock.due_at is not None
    asked: list[dict] = []

    def policy(**kw):
        asked.append(kw)
        return EscalationStep(2, Audience.OFFICE, None)

    monkeypatch.setattr(contract, "_policy", policy)
    # when the periodic task runs
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_escalate(now=clock.due_at + H) == 1
    # then the complaint took the policy's step and the office was told; the policy was asked about
    # this obligation, overdue since its due instant, owed by a department
    c.refresh_from_db()
    assert c.escalation_level == 2
    assert Notification.objects.filter(recipient=world.user("supervisor"), title__contains="第2级").exists()
    assert asked[0]["track"] == Track.OVERDUE
    assert asked[0]["since"] == clock.due_at
    assert asked[0]["kind"] == "complaint.reply"
    assert asked[0]["has_department"] is True


def test_an_alert_no_department_owes_escalates_to_the_office_first(world):
    # given a red alert on an obligation without a responsible department (ESC-CHAIN)
    clock = clock_start(
        owner=world.dept, kind="test.office", label="无责任部门的时限", limit=3, department=None,
        started_at=datetime(2026, 10, 12, 9, 0, tzinfo=SH),
    )  # fmt: skip
    run_scan(now=clock.red_at)
    alert = Alert.objects.get(clock=clock, level=3)
    # when nobody signs for it in time
    run_scan(now=alert.escalate_at)
    alert.refresh_from_db()
    # then the first step goes to the efficiency office (before: to the head of no department, nobody)
    assert alert.escalation == Escalation.DEPT_HEAD
    assert Notification.objects.filter(recipient=world.user("supervisor"), title__contains="升级").exists()


# --- the dashboard's colours are the pills' ------------------------------------------------------


def test_dashboard_colours_are_the_pills_colours_reminder_yellow_paused_grey(world):
    # given, at one instant after the scan ran: a normal clock, one in its reminder (提醒), one yellow,
    # one red, and a paused one that had gone red
    now = datetime(2026, 10, 22, 10, 0, tzinfo=SH)
    start = datetime(2026, 10, 12, 9, 0, tzinfo=SH)
    clocks = [make_clock(world, start=start, limit=n) for n in (20, 9, 8, 3, 2)]
    run_scan(now=now)
    clock_pause(clock=clocks[-1], reason="supplement", at=now)
    open_clocks = list(Clock.objects.filter(pk__in=[c.pk for c in clocks]))
    assert sorted(c.alert_level for c in open_clocks) == [0, 1, 2, 3, 3]
    # when the dashboard counts them (with the two rectifications the red alerts opened)
    stats = dashboard_stats(world.user("supervisor"), now=now)
    # then each clock has the colour of its pill (a reminder is yellow, not green; paused is grey)
    pills = Counter(clock_urgency(c, now).colour for c in Clock.objects.filter(status__in=OPEN_CLOCK_STATUSES))
    assert stats["clocks_by_colour"] == {"green": 0, "yellow": 0, "red": 0, "grey": 0, **pills}
    row = next(r for r in stats["by_kind"] if r["family"] == "test")
    assert (row["green"], row["yellow"], row["red"], row["grey"], row["total"]) == (1, 2, 1, 1, 5)
