"""Menus that apps extend without editing the layouts: each app registers its entries in its
AppConfig.ready(); the layouts show the entries the user's role may use."""

from __future__ import annotations

__all__ = [
    "PUBLIC",
    "MenuEntry",
    "portal_menu_for",
    "portal_public_menu_for",
    "register_portal",
    "register_workbench",
    "workbench_menu_for",
]

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class MenuEntry:
    label: Any  # a lazy translated string
    url_name: str
    roles: frozenset[str] | None = None  # None: every signed-in staff member (workbench) / everyone (portal)
    order: int = 100
    # portal only: "" for the services in the top bar; PUBLIC for the published figures and lists, which
    # the top bar reaches through one entry (信息公示) so that it stays one line
    group: str = ""
    hint: Any = ""  # one line under the label on the home page and the 信息公示 page


PUBLIC = "public"


_WORKBENCH: list[MenuEntry] = []
_PORTAL: list[MenuEntry] = []


def register_workbench(entry: MenuEntry) -> None:
    if entry not in _WORKBENCH:
        _WORKBENCH.append(entry)


def register_portal(entry: MenuEntry) -> None:
    if entry not in _PORTAL:
        _PORTAL.append(entry)


def _visible(entries: list[MenuEntry], user: Any) -> list[dict[str, Any]]:
    out = []
    for e in sorted(entries, key=lambda e: (e.order, str(e.label))):
        if e.roles is not None:
            if not getattr(user, "is_authenticated", False):
                continue
            if not (user.is_superuser or user.role in e.roles):
                continue
        try:
            out.append({"label": e.label, "url": reverse(e.url_name), "group": e.group, "hint": e.hint})
        except NoReverseMatch:
            continue
    return out


def workbench_menu_for(user: Any) -> list[dict[str, Any]]:
    return _visible(_WORKBENCH, user)


def portal_menu_for(user: Any) -> list[dict[str, Any]]:
    """The portal's services (the top bar)."""
    return [e for e in _visible(_PORTAL, user) if not e["group"]]


def portal_public_menu_for(user: Any) -> list[dict[str, Any]]:
    """What the government publishes (超期公示, 效能预警公示, 投诉办理公示, 好差评公示 …)."""
    return [e for e in _visible(_PORTAL, user) if e["group"] == PUBLIC]
