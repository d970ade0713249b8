"""The system actor: who acts when no person does.

An action takes the acting user as `actor`. The operator's own processes — the demo loader, a
management command run without `--user`, a benchmark — pass `SYSTEM` instead, explicitly. `None`
is not an actor: `actor_required` refuses it, so that a forgotten actor cannot silently skip a
permission check.

`SYSTEM` is not a user and no database row: never authenticated, no id, tenant, region, department
or role. The Event trail records it as no actor (`actor_id` NULL), as the trail always recorded the
operator's processes. Each app's permission functions say what `SYSTEM` may do (`is_system`).
"""

from __future__ import annotations

__all__ = ["SYSTEM", "SystemActor", "actor_required", "is_system"]

from typing import Any, Final, final


@final
class SystemActor:
    """The one system actor (use `SYSTEM`). It answers the attributes permission checks read on a
    user with the values of nobody in particular, so a check that does not know it refuses it."""

    pk: Final = None
    id: Final = None
    is_authenticated: Final = False
    is_anonymous: Final = False
    is_active: Final = True
    is_superuser: Final = False
    role: Final = ""
    tenant_id: Final = None
    region_id: Final = None
    department_id: Final = None
    username: Final = "system"

    _instance: SystemActor | None = None

    def __new__(cls) -> SystemActor:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SYSTEM"

    def __copy__(self) -> SystemActor:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> SystemActor:
        return self

    def __reduce__(self) -> str:
        return "SYSTEM"  # unpickles as this module's SYSTEM


SYSTEM: Final = SystemActor()


def is_system(actor: object) -> bool:
    """Whether `actor` is the system actor."""
    return actor is SYSTEM


def actor_required(actor: object) -> None:
    """Refuse a missing actor: an action needs the acting user, or `SYSTEM` said explicitly."""
    if actor is None:
        raise TypeError("actor is required: pass the acting user, or xiaoneng.core.actors.SYSTEM")
