"""core.services: tracking numbers and notifications."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core import mail
from django.db import transaction

from xiaoneng.core.models import Notification
from xiaoneng.core.services import notification_mark_read, notify, tracking_number_next
from xiaoneng.core.sms import MemorySmsBackend
from xiaoneng.orgs.choices import RegionLevel
from xiaoneng.orgs.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


# --- tracking numbers ----------------------------------------------------------------------------


def test_tracking_number_format(world, monkeypatch):
    # given a fixed local day
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 11, 22))
    # when
    number = tracking_number_next(tenant=world.city, prefix="XK")
    # then PREFIX-<region code>-<yyyymmdd>-<nnnnn>
    assert number == "XK-339100-20261122-00001"
    assert re.fullmatch(r"XK-339100-\d{8}-\d{5}", tracking_number_next(tenant=world.city, prefix="XK"))


def test_tracking_numbers_increase_and_are_unique_per_tenant_and_day(world, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 11, 22))
    # when
    numbers = [tracking_number_next(tenant=world.city, prefix="XK") for _ in range(25)]
    # then
    assert len(set(numbers)) == 25
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, 26))
    assert numbers == sorted(numbers)


def test_tracking_numbers_restart_each_day_and_per_prefix(world, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 11, 22))
    tracking_number_next(tenant=world.city, prefix="XK")
    tracking_number_next(tenant=world.city, prefix="XK")
    # when the day changes, and for another prefix
    assert tracking_number_next(tenant=world.city, prefix="TS") == "TS-339100-20261122-00001"
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 11, 23))
    # then
    assert tracking_number_next(tenant=world.city, prefix="XK") == "XK-339100-20261123-00001"


def test_tracking_numbers_of_different_tenants_are_independent(world, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 11, 22))
    other_city = RegionFactory(code="339200", name="邻市", level=RegionLevel.CITY)
    # when both tenants number cases on the same day
    a1 = tracking_number_next(tenant=world.city, prefix="XK")
    b1 = tracking_number_next(tenant=other_city, prefix="XK")
    a2 = tracking_number_next(tenant=world.city, prefix="XK")
    # then each has its own sequence and the region code keeps them apart
    assert (a1, a2) == ("XK-339100-20261122-00001", "XK-339100-20261122-00002")
    assert b1 == "XK-339200-20261122-00001"


# --- notifications -----------------------------------------------------------------------------


@pytest.fixture
def sms_outbox():
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def recipient(world):
    user = world.user("applicant")  # phone 13900000011
    user.email = "applicant@example.invalid"
    user.save(update_fields=["email"])
    return user


def test_notify_delivers_inbox_email_and_sms_only_after_commit(
    world, recipient, sms_outbox, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        # when a service notifies inside its transaction
        notify(recipients=[recipient, recipient, None], title="受理通知", body="您的申请已受理。", url="/cases/1/")
        # then nothing is delivered before the commit
        assert Notification.objects.count() == 0
        assert mail.outbox == []
        assert sms_outbox == []
    # and after the commit everything is, once per recipient
    assert len(callbacks) == 1
    n = Notification.objects.get()
    assert (n.recipient, n.title, n.body, n.url) == (recipient, "受理通知", "您的申请已受理。", "/cases/1/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["applicant@example.invalid"]
    assert mail.outbox[0].subject == "受理通知"
    assert "/cases/1/" in mail.outbox[0].body
    assert sms_outbox == [("13900000011", "受理通知\n您的申请已受理。")]


def test_notify_sends_nothing_when_the_action_rolls_back(
    world, recipient, sms_outbox, django_capture_on_commit_callbacks
):
    # given / when the action that notified fails and rolls back
    def failing_action() -> None:
        with transaction.atomic():
            notify(recipients=[recipient], title="受理通知")
            raise RuntimeError("the action failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_action()
    # then nothing is sent on any channel
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []
    assert sms_outbox == []


def test_notify_respects_channels_and_skips_inactive_users(
    world, recipient, sms_outbox, django_capture_on_commit_callbacks
):
    inactive = world.user("other_applicant")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[recipient, inactive], title="仅站内信", channels=("inbox",))
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["applicant"]
    assert mail.outbox == []
    assert sms_outbox == []


def test_a_title_with_a_line_break_still_mails(world, recipient, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[recipient], title="第一行\n第二行", channels=("email",))
    assert mail.outbox[0].subject == "第一行 第二行"


def test_notification_mark_read_only_marks_the_recipients_own(world, recipient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[recipient], title="消息", channels=("inbox",))
    n = Notification.objects.get()
    # when someone else tries to mark it read
    notification_mark_read(user=world.user("clerk"), notification_id=n.pk)
    n.refresh_from_db()
    assert n.read_at is None
    # when the recipient does
    notification_mark_read(user=recipient, notification_id=n.pk)
    n.refresh_from_db()
    assert n.read_at is not None


def test_inbox_only_notification_is_one_insert_after_commit(
    world, recipient, sms_outbox, django_capture_on_commit_callbacks, django_assert_num_queries
):
    # given a staff notification (in-app only) of two active users and an inactive one
    inactive = world.user("other_applicant")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks() as callbacks:
        notify(recipients=[recipient, world.user("clerk"), inactive], title="待办", channels=("inbox",))
    # when it is delivered after the commit, then it costs one INSERT (the users are not read again)
    with django_assert_num_queries(1):
        for callback in callbacks:
            callback()
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["applicant", "clerk"]
    assert mail.outbox == []
    assert sms_outbox == []
