"""E-mail and SMS of notifications leave from the task worker, with bounded retries (issue 9)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from xiaoneng.core.services import notify, sms_send_later
from xiaoneng.core.sms import MemorySmsBackend
from xiaoneng.core.tasks import message_send, retry_delay_seconds

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def work(monkeypatch):
    """Run the database worker once over the due tasks, in the test's transaction (the worker closes
    connections between tasks, which on PostgreSQL would close the test's own)."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


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


@pytest.fixture
def flaky_sms(monkeypatch, sms_outbox):
    """The SMS gateway fails the first `fail[0]` sends with a connection error, then works."""
    fail = [0]
    calls: list[str] = []
    real = MemorySmsBackend.send

    def send(self, *, phone: str, text: str) -> None:
        calls.append(phone)
        if len(calls) <= fail[0]:
            raise ConnectionError("gateway unreachable")
        real(self, phone=phone, text=text)

    monkeypatch.setattr(MemorySmsBackend, "send", send)
    return fail, calls


def test_a_notification_enqueues_tasks_instead_of_sending_in_the_request(
    world, recipient, sms_outbox, settings, work, django_capture_on_commit_callbacks
):
    # given the database task backend (as deployed)
    settings.TASKS = DB_TASKS
    # when an action notifies and commits
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[recipient], title="受理通知", body="您的申请已受理。", url="/cases/1/")
    # then nothing was sent inside the request: one queued task per message
    assert mail.outbox == []
    assert sms_outbox == []
    rows = list(DBTaskResult.objects.order_by("args_kwargs"))
    assert [r.task_path for r in rows] == ["xiaoneng.core.tasks.message_send"] * 2
    assert {r.status for r in rows} == {"READY"}
    assert sorted(r.args_kwargs["kwargs"]["channel"] for r in rows) == ["email", "sms"]
    # when the worker runs
    work()
    # then both are delivered
    assert [m.to for m in mail.outbox] == [["applicant@example.invalid"]]
    assert "/cases/1/" in mail.outbox[0].body
    assert sms_outbox == [("13900000011", "受理通知\n您的申请已受理。")]


def test_the_immediate_backend_of_the_tests_still_delivers(
    world, recipient, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[recipient], title="办结通知", channels=("email", "sms"))
    assert len(mail.outbox) == 1
    assert len(sms_outbox) == 1


def test_a_transient_failure_is_retried_until_it_succeeds(
    world, recipient, flaky_sms, sms_outbox, django_capture_on_commit_callbacks
):
    # given a gateway that fails twice
    fail, calls = flaky_sms
    fail[0] = 2
    # when
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[recipient], title="补正通知", channels=("sms",))
    # then the third attempt delivers, once
    assert len(calls) == 3
    assert sms_outbox == [("13900000011", "补正通知")]


def test_a_permanent_failure_gives_up_after_the_configured_attempts_and_is_logged(
    world, recipient, flaky_sms, sms_outbox, settings, caplog, django_capture_on_commit_callbacks
):
    # given a gateway that never works, and three attempts allowed
    settings.XIAONENG_NOTIFY_MAX_ATTEMPTS = 3
    fail, calls = flaky_sms
    fail[0] = 100
    # when
    with (
        caplog.at_level(logging.WARNING, logger="xiaoneng.core.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(recipients=[recipient], title="补正通知", channels=("sms",))
    # then exactly three attempts, two warnings, then one error: the message is not lost silently
    assert len(calls) == 3
    assert sms_outbox == []
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "failed permanently after 3 attempts" in errors[0].getMessage()
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2


def test_retries_back_off_exponentially_in_the_database_backend(world, recipient, flaky_sms, settings, work):
    # given the database backend and a gateway that always fails
    settings.TASKS = DB_TASKS
    settings.XIAONENG_NOTIFY_MAX_ATTEMPTS = 4
    fail, _calls = flaky_sms
    fail[0] = 100
    assert [retry_delay_seconds(a) for a in (1, 2, 3, 4)] == [60, 120, 240, 480]
    message_send.enqueue(channel="sms", text="t", user_id=recipient.pk)
    for attempt in (1, 2, 3):
        # when the worker runs the due attempt
        before = timezone.now()
        work()
        # then the next attempt is queued for later, after a doubled delay
        nxt = DBTaskResult.objects.get(status="READY")
        assert nxt.args_kwargs["kwargs"]["attempt"] == attempt + 1
        delay = (nxt.run_after - before).total_seconds()
        assert retry_delay_seconds(attempt) - 5 <= delay <= retry_delay_seconds(attempt) + 5
        DBTaskResult.objects.filter(pk=nxt.pk).update(run_after=timezone.now() - timedelta(seconds=1))
    # when the last attempt fails
    work()
    # then nothing more is queued and the failure is recorded with its traceback
    assert not DBTaskResult.objects.filter(status="READY").exists()
    failed = DBTaskResult.objects.get(status="FAILED")
    assert failed.args_kwargs["kwargs"]["attempt"] == 4
    assert "gateway unreachable" in failed.traceback
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3  # attempts that handed on


def test_a_deactivated_user_is_not_sent_a_queued_message(world, recipient, sms_outbox, settings, work):
    settings.TASKS = DB_TASKS
    message_send.enqueue(channel="sms", text="t", user_id=recipient.pk)
    recipient.is_active = False
    recipient.save(update_fields=["is_active"])
    work()
    assert sms_outbox == []
    assert DBTaskResult.objects.get().return_value == "skipped"


def test_an_sms_to_a_bare_number_is_queued_too(db, sms_outbox, settings, work, django_capture_on_commit_callbacks):
    # given the database backend (e.g. a rating invitation to a window visitor's number, RAT-1)
    settings.TASKS = DB_TASKS
    # when
    with django_capture_on_commit_callbacks(execute=True):
        sms_send_later(phone="13800000001", text="欢迎评价")
    # then queued, not sent in the request; the worker sends it
    assert sms_outbox == []
    assert DBTaskResult.objects.get().args_kwargs["kwargs"]["to"] == "13800000001"
    work()
    assert sms_outbox == [("13800000001", "欢迎评价")]
