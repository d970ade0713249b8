"""What a restore must reproduce of the Clock spine: every open clock's due instants
(registered with xiaoneng.core.backup in WorkdaysConfig.ready)."""

from __future__ import annotations

__all__ = ["open_clocks_fingerprint"]

import hashlib
from typing import Any

from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES
from xiaoneng.workdays.models import Clock


def open_clocks_fingerprint() -> dict[str, Any]:
    """The number of open clocks and a digest of each one's id, status, due and statutory due instants:
    a restore that moved one due date by a second changes the digest."""
    digest = hashlib.sha256()
    count = 0
    rows = (
        Clock.objects.filter(status__in=OPEN_CLOCK_STATUSES)
        .order_by("id")
        .values_list("id", "status", "due_at", "statutory_due_at")
    )
    for pk, status, due_at, statutory_due_at in rows.iterator(chunk_size=5000):
        count += 1
        due = due_at.isoformat() if due_at else ""
        statutory = statutory_due_at.isoformat() if statutory_due_at else ""
        digest.update(f"{pk}|{status}|{due}|{statutory}\n".encode())
    return {"open_clocks": count, "due_digest": digest.hexdigest()}
