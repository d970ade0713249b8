"""Writes owned by core: tracking numbers and notifications."""

from __future__ import annotations

__all__ = [
    "notification_mark_read",
    "notify",
    "sms_send_later",
    "tracking_number_next",
]

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xiaoneng.core.models import Notification, TrackingSequence
from xiaoneng.core.tasks import message_send

log = logging.getLogger(__name__)


def tracking_number_next(*, tenant: Any, prefix: str) -> str:
    """A human-friendly number unique in the jurisdiction: PREFIX-<region code>-<yyyymmdd>-<nnnnn>,
    e.g. XK-330100-20261122-00017. Takes the sequence row's lock for the rest of the caller's
    transaction, so two clerks never get the same number."""
    today = timezone.localdate()
    with transaction.atomic():
        seq, _created = TrackingSequence.objects.select_for_update(of=("self",)).get_or_create(
            tenant_id=tenant.pk, prefix=prefix, day=today
        )
        TrackingSequence.objects.filter(pk=seq.pk).update(last=F("last") + 1)
        seq.refresh_from_db(fields=["last"])
    return f"{prefix}-{tenant.code}-{today:%Y%m%d}-{seq.last:05d}"


def _deliver(user_ids: list[int], title: str, body: str, url: str, channels: tuple[str, ...]) -> None:
    """After the commit: write the inbox rows, and enqueue one `message_send` task per e-mail and SMS
    (the worker sends them, with retries; the web request never waits for a relay or a gateway)."""
    User = get_user_model()  # core sits below orgs: the user model by setting, not by import

    if set(channels) <= {"inbox"}:
        # in-app only (most staff notifications): the ids were taken from active users by notify(),
        # so no need to read the users again — one INSERT after the commit
        Notification.objects.bulk_create(
            [Notification(recipient_id=uid, title=title, body=body, url=url) for uid in user_ids]
        )
        return
    users = list(User.objects.filter(pk__in=user_ids, is_active=True).only("pk", "email", "phone"))
    if "inbox" in channels:
        Notification.objects.bulk_create([Notification(recipient=u, title=title, body=body, url=url) for u in users])
    text = f"{title}\n{body}".strip()
    subject = " ".join(title.split())  # a header: a line break in a title would make send_mail raise
    mail_text = f"{body}\n{url}".strip()
    with transaction.atomic():  # one commit for all the enqueued rows (database task backend)
        for u in users:
            if "email" in channels and u.email:
                message_send.enqueue(channel="email", subject=subject, text=mail_text, user_id=u.pk)
            if "sms" in channels and u.phone:
                message_send.enqueue(channel="sms", text=text, user_id=u.pk)


def notify(
    *,
    recipients: Iterable[Any],
    title: str,
    body: str = "",
    url: str = "",
    channels: tuple[str, ...] = ("inbox", "email", "sms"),
) -> None:
    """Notify users after the current transaction commits (nothing is sent for a rolled-back action)."""
    user_ids = sorted({u.pk for u in recipients if u is not None and getattr(u, "is_active", True)})
    if not user_ids:
        return
    transaction.on_commit(lambda: _deliver(user_ids, str(title), str(body), url, channels))


def notification_mark_read(*, user: Any, notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def sms_send_later(*, phone: str, text: str) -> None:
    """Send one SMS to a number that is not (necessarily) an account's, from the worker after the
    commit, with the same retries as notifications."""

    transaction.on_commit(lambda: message_send.enqueue(channel="sms", text=text, to=phone))
