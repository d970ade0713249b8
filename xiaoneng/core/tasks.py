"""Background tasks owned by core: sending one notification message (e-mail or SMS) with retries,
and pruning finished rows of the task table.

A web request never talks to the SMTP relay or the SMS gateway: `core.services.notify` enqueues
`message_send` after the commit, and the worker (`manage.py db_worker`) sends. A transient failure
(the relay or gateway unreachable: any OSError, which includes smtplib's errors) is retried with
exponential backoff — 1, 2, 4, 8 minutes by default — up to `XIAONENG_NOTIFY_MAX_ATTEMPTS`
attempts; the last failure is logged at ERROR and re-raised, so the task row is kept as FAILED with
its traceback (visible in the admin under 任务结果, pruned after `XIAONENG_TASK_FAILURES_KEEP_DAYS`).
"""

from __future__ import annotations

__all__ = [
    "message_send",
    "retry_delay_seconds",
    "task_results_prune_task",
    "task_results_recover_task",
    "trail_anchor_task",
    "trail_partitions_task",
]

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.tasks import task
from django.utils import timezone

from xiaoneng.core.housekeeping import task_results_prune, task_results_recover
from xiaoneng.core.partitions import event_partitions_ensure
from xiaoneng.core.sms import get_sms_backend
from xiaoneng.core.trail import trail_anchor_record

log = logging.getLogger(__name__)
MAILER = "default"  # the settings.MAILERS alias notifications are sent with
CHANNELS = ("email", "sms")


def max_attempts() -> int:
    return max(1, settings.XIAONENG_NOTIFY_MAX_ATTEMPTS)


def retry_delay_seconds(attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1-based): base × 2^(attempt-1)."""
    base: int = settings.XIAONENG_NOTIFY_RETRY_BASE_SECONDS
    factor: int = 2 ** (attempt - 1)  # typeshed types int ** int as Any (a negative power is a float)
    return base * factor


def _address(channel: str, user_id: int | None, to: str) -> str:
    """The e-mail address or phone to send to: the user's current one (read at send time, so a
    deactivated user or a changed address is respected), or the explicit `to`."""
    if user_id is None:
        return to
    User = get_user_model()  # core sits below orgs: the user model by setting, not by import

    user = User.objects.filter(pk=user_id, is_active=True).only("email", "phone").first()
    if user is None:
        return ""
    return (user.email if channel == "email" else user.phone) or ""


@task()
def message_send(
    *, channel: str, subject: str = "", text: str, user_id: int | None = None, to: str = "", attempt: int = 1
) -> str:
    """Send one message on one channel; on a transient failure enqueue the next attempt."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    address = _address(channel, user_id, to)
    if not address:
        return "skipped"
    try:
        if channel == "email":
            send_mail(subject, text, None, [address], using=MAILER)
        else:
            get_sms_backend().send(phone=address, text=text)
    except smtplib.SMTPRecipientsRefused:
        # permanent: the relay refuses the address; retrying cannot help
        log.error("%s to user %s: address refused, not retried", channel, user_id, exc_info=True)
        raise
    except OSError:
        if attempt >= max_attempts():
            log.error("%s to user %s failed permanently after %d attempts", channel, user_id, attempt, exc_info=True)
            raise  # the task row is recorded as FAILED with the traceback
        delay = retry_delay_seconds(attempt)
        log.warning("%s to user %s failed (attempt %d), retrying in %d s", channel, user_id, attempt, delay)
        retry = message_send
        if retry.get_backend().supports_defer:
            retry = retry.using(run_after=timezone.now() + timedelta(seconds=delay))
        # the immediate backend (tests) cannot defer: it retries at once, still bounded by max_attempts
        retry.enqueue(channel=channel, subject=subject, text=text, user_id=user_id, to=to, attempt=attempt + 1)
        return "retrying"
    return "sent"


@task()
def task_results_prune_task() -> int:
    """Delete finished task rows older than the configured age (scheduled daily)."""

    return task_results_prune()


@task()
def task_results_recover_task() -> int:
    """Re-queue the tasks of a worker that died mid-task (core.housekeeping.task_results_recover)."""

    return task_results_recover()


@task()
def trail_partitions_task() -> list[str]:
    """Create the coming months' partitions of the Event trail and move rows stranded in the default
    partition into their month (core.partitions.event_partitions_ensure; PostgreSQL only, daily)."""

    created = event_partitions_ensure()
    if created:
        log.info("trail partitions created: %s", ", ".join(created))
    return created


@task()
def trail_anchor_task() -> str:
    """Seal the Event trail once a day (core.trail.trail_anchor_record; scheduled hourly, idempotent:
    only the first run of a day records, a run that could not take the table lock is retried by the
    next one)."""

    anchor = trail_anchor_record()
    # a copy outside the database: whoever deletes the newest anchors and events cannot delete the log
    log.info(
        "trail anchor %s: events #%d-#%d (%d), digest %s, mac %s",
        anchor.day,
        anchor.first_event_id + 1,
        anchor.last_event_id,
        anchor.events,
        anchor.digest,
        anchor.mac,
    )
    return str(anchor.day)
