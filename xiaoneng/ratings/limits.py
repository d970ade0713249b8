"""The numbers and states the rating rules turn on: the rating window (RAT-2), the bad-review
rectification limit (RAT-3) and which cases count as completed, so rateable (RAT-1)."""

from __future__ import annotations

__all__ = ["RATING_WINDOW_DAYS", "completed_case_statuses", "rectification_days"]

from django.conf import settings

from xiaoneng.cases.choices import Status as CaseStatus

RATING_WINDOW_DAYS = 7  # RAT-2: natural days


def rectification_days() -> int:
    """RAT-3: working days to rectify a verified bad review (XIAONENG_BAD_REVIEW_RECTIFICATION_DAYS)."""
    return int(getattr(settings, "XIAONENG_BAD_REVIEW_RECTIFICATION_DAYS", 5))  # RAT-3 default


def completed_case_statuses() -> tuple[str, ...]:
    """RAT-1: a case may be rated once it is delivered or closed."""
    return (CaseStatus.DELIVERED, CaseStatus.CLOSED)
