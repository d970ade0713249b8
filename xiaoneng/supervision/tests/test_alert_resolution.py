# mypy: disable-error-code="union-attr,arg-type,misc,operator"
# (tests follow nullable clocks that the fixtures always set)
"""An alert names and links what it is about, and ends when its obligation is met on time: the page
shows 已解除 with how it ended, offers no escalation, the service refuses it, and the scan closes the
alert (issue 9: a case finished on time still showed 已触发 and offered 升级督办)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from xiaoneng.cases.tests.conftest import _media, accepted, cw  # noqa: F401  (fixtures)
from xiaoneng.core.models import Event
from xiaoneng.supervision.alerts.services import alert_escalate
from xiaoneng.supervision.choices import AlertStatus, Escalation, Level
from xiaoneng.supervision.models import Alert
from xiaoneng.supervision.tests.conftest import run_scan
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_stop

pytestmark = pytest.mark.django_db


def _yellow(world, clock: Clock) -> Alert:
    now = timezone.now()
    return Alert.objects.create(
        tenant=world.city, clock=clock, level=Level.YELLOW, department=clock.department, region=world.city,
        raised_at=now, threshold_at=now, escalate_at=now - timedelta(minutes=1),
    )  # fmt: skip


def test_a_met_obligations_alert_is_resolved_names_its_case_and_cannot_be_escalated(world, cw):  # noqa: F811
    # given a yellow card on a case's decision clock, and the case then decided within its limit
    case = accepted(world, cw.simple)
    clock = case.decision_clock
    alert = _yellow(world, clock)
    clock_stop(clock=clock, at=min(timezone.now(), clock.due_at - timedelta(minutes=1)))
    office = world.user("supervisor")
    c = Client()
    c.force_login(office)
    # when the office opens the alert (before the scan has recorded anything)
    page = c.get(f"/supervision/alerts/{alert.pk}/").content.decode()
    # then it names and links the case, says how it ended and offers no escalation
    assert f'href="/workbench/cases/{case.pk}/"' in page
    assert case.tracking_number in page
    assert '<span id="alert-status">已解除</span>' in page
    assert "在时限内办结" in page
    assert "升级督办" not in page
    assert "已触发" not in page
    # and the service refuses to escalate it, writing nothing
    with pytest.raises(ValidationError, match="预警已解除"):
        alert_escalate(alert=alert, actor=office, reason="催办")
    r = c.post(f"/supervision/alerts/{alert.pk}/", {"action": "escalate", "reason": "催办"}, follow=True)
    assert "预警已解除" in r.content.decode()
    alert.refresh_from_db()
    assert (alert.status, alert.escalation) == (AlertStatus.RAISED, Escalation.NONE)
    # when the scan runs (its escalation deadline has passed too), it lifts the alert instead
    result = run_scan()
    alert.refresh_from_db()
    assert result.lifted == 1
    assert result.escalated == 0
    assert alert.status == AlertStatus.LIFTED
    assert alert.escalation == Escalation.NONE
    clock.refresh_from_db()
    assert alert.resolved_at == clock.stopped_at
    assert Event.objects.for_subject(alert).filter(action="alert.lifted").exists()
    assert run_scan().lifted == 0  # idempotent
    # and the API says so
    assert c.get(f"/api/supervision/alerts/{alert.pk}").json()["status"] == "lifted"
    r = c.post(f"/api/supervision/alerts/{alert.pk}/escalate", {"reason": "催办"}, content_type="application/json")
    assert r.status_code == 400


def test_an_open_obligations_alert_still_offers_escalation_and_links_its_case(world, cw):  # noqa: F811
    case = accepted(world, cw.simple)
    alert = _yellow(world, case.decision_clock)
    c = Client()
    c.force_login(world.user("supervisor"))
    page = c.get(f"/supervision/alerts/{alert.pk}/").content.decode()
    assert f'href="/workbench/cases/{case.pk}/"' in page
    assert '<span id="alert-status">已触发</span>' in page
    assert "升级督办" in page
    assert "alert-resolution" not in page
    # the scan escalates it (nobody signed for it), it does not lift it
    result = run_scan()
    alert.refresh_from_db()
    assert result.lifted == 0
    assert alert.status == AlertStatus.ESCALATED


def test_a_late_obligations_red_alert_stays_open(world, cw):  # noqa: F811
    # given a red card, and the case decided only after its limit
    case = accepted(world, cw.simple)
    clock = case.decision_clock
    now = timezone.now()
    alert = Alert.objects.create(
        tenant=world.city, clock=clock, level=Level.RED, department=clock.department, region=world.city,
        raised_at=now, threshold_at=now,
    )  # fmt: skip
    Clock.objects.filter(pk=clock.pk).update(due_at=now - timedelta(days=2))
    clock.refresh_from_db()
    clock_stop(clock=clock, at=now)
    run_scan()
    alert.refresh_from_db()
    # then the unit still has to explain it (SUP-4)
    assert alert.status == AlertStatus.RAISED
