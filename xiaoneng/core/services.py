"""Writes owned by core: tracking numbers and notifications."""

from __future__ import annotations

__all__ = ["notification_mark_read", "notify", "tracking_number_next"]

import logging
from collections.abc import Iterable
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Notification, TrackingSequence
from .sms import get_sms_backend

log = logging.getLogger(__name__)
MAILER = "default"  # the settings.MAILERS alias notifications are sent with


def tracking_number_next(*, tenant: Any, prefix: str) -> str:
    """A human-friendly number unique in the jurisdiction: PREFIX-<region code>-<yyyymmdd>-<nnnnn>,
    e.g. XK-330100-20261122-00017. Takes the sequence row's lock for the rest of the caller's
    transaction, so two clerks never get the same number."""
    today = timezone.localdate()
    with transaction.atomic():
        seq, _created = TrackingSequence.objects.select_for_update().get_or_create(
            tenant_id=tenant.pk, prefix=prefix, day=today
        )
        TrackingSequence.objects.filter(pk=seq.pk).update(last=F("last") + 1)
        seq.refresh_from_db(fields=["last"])
    return f"{prefix}-{tenant.code}-{today:%Y%m%d}-{seq.last:05d}"


def _deliver(user_ids: list[int], title: str, body: str, url: str, channels: tuple[str, ...]) -> None:
    from xiaoneng.orgs.models import User

    if set(channels) <= {"inbox"}:
        # in-app only (most staff notifications): the ids were taken from active users by notify(),
        # so no need to read the users again — one INSERT after the commit
        Notification.objects.bulk_create(
            [Notification(recipient_id=uid, title=title, body=body, url=url) for uid in user_ids]
        )
        return
    users = list(User.objects.filter(pk__in=user_ids, is_active=True))
    if "inbox" in channels:
        Notification.objects.bulk_create([Notification(recipient=u, title=title, body=body, url=url) for u in users])
    text = f"{title}\n{body}".strip()
    subject = " ".join(title.split())  # a header: a line break in a title would make send_mail raise
    for u in users:
        if "email" in channels and u.email:
            try:
                send_mail(subject, f"{body}\n{url}".strip(), None, [u.email], using=MAILER)
            except OSError:  # a mail outage must not undo the state change that triggered it
                log.exception("email to user %s failed", u.pk)
        if "sms" in channels and u.phone:
            try:
                get_sms_backend().send(phone=u.phone, text=text)
            except OSError:
                log.exception("SMS to user %s failed", u.pk)


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
