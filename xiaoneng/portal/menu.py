"""Menus that apps extend without editing the layouts: each app registers its entries in its
AppConfig.ready(); the layouts show the entries the user's role may use."""

from __future__ import annotations

__all__ = ["MenuEntry", "portal_menu_for", "register_portal", "register_workbench", "workbench_menu_for"]

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class MenuEntry:
    label: Any  # a lazy translated string
    url_name: str
    roles: frozenset[str] | None = None  # None: every signed-in staff member (workbench) / everyone (portal)
    order: int = 100


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
            out.append({"label": e.label, "url": reverse(e.url_name)})
        except NoReverseMatch:
            continue
    return out


def workbench_menu_for(user: Any) -> list[dict[str, Any]]:
    return _visible(_WORKBENCH, user)


def portal_menu_for(user: Any) -> list[dict[str, Any]]:
    return _visible(_PORTAL, user)
