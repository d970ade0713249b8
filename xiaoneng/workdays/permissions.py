"""Who may do what with the working-day calendar."""

from __future__ import annotations

__all__ = ["can_manage_calendar"]

from typing import Any

from xiaoneng.orgs.choices import Role


def can_manage_calendar(user: Any) -> bool:
    """CLK-4: only system administrators (and superusers) enter or replace a year's schedule."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role == Role.ADMIN)
