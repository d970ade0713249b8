"""SUP-1 thresholds per jurisdiction and clock kind, installed into the clock computation
(workdays.services.set_threshold_resolver). Policies are few and read on every clock computation, so
they are cached per process and re-read at most every XIAONENG_THRESHOLD_RECHECK_SECONDS (and at once
after a change made in this process)."""

from __future__ import annotations

__all__ = [
    "DEFAULT_ACK_DAYS",
    "DEFAULT_OFFSETS",
    "DEFAULT_POLICY",
    "Policy",
    "policies_by_tenant",
    "policy_for",
    "thresholds_for",
    "thresholds_invalidate",
]

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from xiaoneng.supervision.models import ThresholdPolicy

DEFAULT_OFFSETS = (-1, 0, 0)  # SUP-1 default: reminder 1 working day before, yellow on the due day, red after
DEFAULT_ACK_DAYS = 1


@dataclass(frozen=True)
class Policy:
    kind_prefix: str
    offsets: tuple[int, int, int]
    acknowledge_days: int


DEFAULT_POLICY = Policy("", DEFAULT_OFFSETS, DEFAULT_ACK_DAYS)

_lock = threading.Lock()
_cache: dict[int, list[Policy]] | None = None
_loaded_at = 0.0


def _load() -> dict[int, list[Policy]]:
    out: dict[int, list[Policy]] = {}
    for p in ThresholdPolicy.objects.all():
        out.setdefault(p.tenant_id, []).append(
            Policy(p.kind_prefix, (p.remind_offset, p.yellow_offset, p.red_offset), p.acknowledge_days)
        )
    for policies in out.values():
        policies.sort(key=lambda p: len(p.kind_prefix), reverse=True)  # longest prefix first
    return out


def _policies() -> dict[int, list[Policy]]:
    global _cache, _loaded_at
    ttl = getattr(settings, "XIAONENG_THRESHOLD_RECHECK_SECONDS", 30)
    now = time.monotonic()
    cache = _cache
    if cache is not None and now - _loaded_at < ttl:
        return cache
    with _lock:
        _cache = _load()
        _loaded_at = now
        return _cache


def thresholds_invalidate() -> None:
    global _cache
    with _lock:
        _cache = None


def policies_by_tenant() -> dict[int, list[Policy]]:
    """Every jurisdiction's policies, longest prefix first (what policy_for searches); the scan
    hands them to its SQL so the database picks each clock's policy the same way."""
    return _policies()


def policy_for(tenant_id: int | None, kind: str) -> Policy:
    for p in _policies().get(tenant_id or 0, ()):
        if kind.startswith(p.kind_prefix):
            return p
    return DEFAULT_POLICY


def thresholds_for(clock: Any) -> tuple[int, int, int]:
    """The resolver installed into workdays: (reminder, yellow, red) offsets for `clock`."""
    return policy_for(clock.tenant_id, clock.kind).offsets
