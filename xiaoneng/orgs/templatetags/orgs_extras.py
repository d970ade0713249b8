"""Template filters of the organisations app."""

from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """A cool-off period (django-axes passes a timedelta to the lockout page) in whole minutes."""
    if not isinstance(value, timedelta):
        return 0
    return max(1, round(value.total_seconds() / 60))
