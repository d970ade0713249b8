"""The periodic reminder that next year's schedule is missing (CLK-4)."""

from typing import cast

import pytest

from xiaoneng.core.models import Notification
from xiaoneng.orgs.models import User
from xiaoneng.orgs.tests.factories import UserFactory
from xiaoneng.workdays.forms import NOTICE_EXAMPLE_2027
from xiaoneng.workdays.services import calendar_confirm_year
from xiaoneng.workdays.tasks import calendar_warn_missing_year
from xiaoneng.workdays.tests.conftest import at

pytestmark = pytest.mark.django_db


def _run(capture) -> object:
    with capture(execute=True):
        return calendar_warn_missing_year.call()


def test_clk4_admins_are_reminded_once_a_day_from_1_november(world, freeze_now, django_capture_on_commit_callbacks):
    root = cast(User, UserFactory(username="root", is_superuser=True))
    admins = {world.user("admin").pk, root.pk}
    # given 31 October: nothing yet
    freeze_now(at("2026-10-31", 9))
    assert _run(django_capture_on_commit_callbacks) is None
    assert not Notification.objects.exists()
    # when the task runs on 1 November, several times (it is scheduled every 6 hours)
    freeze_now(at("2026-11-01", 0, 30))
    assert _run(django_capture_on_commit_callbacks) == 2027
    freeze_now(at("2026-11-01", 18))
    _run(django_capture_on_commit_callbacks)
    # then each administrator got exactly one reminder that day, and nobody else did
    notes = Notification.objects.filter(title="请录入2027年节假日安排")
    assert sorted(notes.values_list("recipient_id", flat=True)) == sorted(admins)
    assert set(notes.values_list("url", flat=True)) == {"/workdays/calendar/"}
    # when it runs the next day
    freeze_now(at("2026-11-02", 7))
    _run(django_capture_on_commit_callbacks)
    # then one more each
    assert notes.count() == 4


def test_clk4_no_reminder_once_the_year_is_confirmed(world, freeze_now, django_capture_on_commit_callbacks):
    calendar_confirm_year(year=2027, text=NOTICE_EXAMPLE_2027, notice_ref="x", actor=world.user("admin"))
    freeze_now(at("2026-11-15", 9))
    assert _run(django_capture_on_commit_callbacks) is None
    assert not Notification.objects.exists()
