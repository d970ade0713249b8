"""Addresses of pages that belong to an app above the caller (issue 10: imports run downward only).

A lower app that must print or send such an address — a case's decision notice carries the QR code
of the case's rating page (RAT-1), and ratings sits above cases — asks `public_link(name, ...)`;
the app that owns the page installs its provider when it starts (`RatingsConfig.ready` installs
"rating"). Without the provider installed, asking raises at once rather than printing a notice
with no link.

The same holds for what a Clock is about: supervision (above the apps that own clocks) names and
links an alert's obligation through the subject registry below, which each owner app fills.
"""

from __future__ import annotations

__all__ = [
    "ClockGroup",
    "LinkProvider",
    "Subject",
    "SubjectDescriber",
    "clock_group_get",
    "clock_group_of",
    "clock_group_set",
    "clock_groups",
    "link_provider_set",
    "public_link",
    "subject_describe",
    "subject_describer_set",
    "subject_link",
]

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

LinkProvider = Callable[..., str]

_providers: dict[str, LinkProvider] = {}


def link_provider_set(name: str, provider: LinkProvider) -> None:
    """Install (or replace) the provider of the absolute address called `name`."""
    _providers[name] = provider


def public_link(name: str, **kwargs: object) -> str:
    """The absolute address `name` for `kwargs` (e.g. `public_link("rating", case=case, via="qr")`)."""
    try:
        provider = _providers[name]
    except KeyError:
        raise LookupError(f"no provider of the link {name!r} is installed") from None
    return provider(**kwargs)


# --- what a clock is about: the subject registry (issue 10/11/12: every clock watched in one place) ---
#
# Supervision sits above the apps that own clocks (cases, complaints, disclosure, oversight, …) and may
# not import them. Each owner app installs, in its AppConfig.ready(), a describer per model that owns
# clocks — `subject_describer_set("disclosure.disclosurerequest", describe)` — and the clock groups its
# kinds belong to (`clock_group_set`). Supervision then names and links an alert's obligation, and
# counts late clocks by group, through `subject_describe` and `clock_group_of` alone.


class Subject(TypedDict):
    """What a clock is about, for one user: its kind (办件, 投诉工单 …), a label, and the address of its
    page if THIS user may open it ("" otherwise)."""

    kind: str
    label: str
    url: str


SubjectDescriber = Callable[[Any, Any], Subject]

_describers: dict[str, SubjectDescriber] = {}


def subject_describer_set(model_label: str, describer: SubjectDescriber) -> None:
    """Install (or replace) how an owner of clocks of `model_label` ("app_label.modelname") is named
    and linked: `describer(user, obj) -> Subject`."""
    _describers[model_label.lower()] = describer


def subject_describe(user: Any, obj: Any) -> Subject | None:
    """`obj` named and linked for `user` by its app's describer, or None when no app describes it."""
    describer = _describers.get(obj._meta.label_lower)
    return describer(user, obj) if describer is not None else None


def subject_link(
    user: Any, access: Callable[[Any, int], object], pk: int, url_name: str, *, allowed: bool = True
) -> str:
    """The page `url_name` of object `pk` if the page's role gate lets the user in (`allowed`) and
    `access(user, pk)` (the app's `access_<entity>_by_id`, which raises Http404 or PermissionDenied
    outside the user's scope) finds it, else "": a link is shown only to who may open it."""
    if not allowed or user is None or not getattr(user, "is_authenticated", False):
        return ""
    try:
        access(user, pk)
    except (Http404, PermissionDenied):
        return ""
    return reverse(url_name, args=[pk])


@dataclass(frozen=True)
class ClockGroup:
    """A group of clock kinds watched together (依申请公开 = the answer and the consultation clocks)."""

    key: str
    name: Any  # a lazy translation
    prefixes: tuple[str, ...]
    order: int = 100


_groups: dict[str, ClockGroup] = {}


def clock_group_set(key: str, name: Any, *prefixes: str, order: int = 100) -> None:
    """Install (or replace) the clock group `key`: the kinds equal to, or under, one of `prefixes`
    ("oversight.task" covers "oversight.task" and "oversight.task.…"; default: the key itself)."""
    _groups[key] = ClockGroup(key, name, tuple(prefixes) or (key,), order)


def _covers(prefix: str, kind: str) -> bool:
    return kind == prefix or kind.startswith(prefix + ".")


def clock_group_of(kind: str) -> ClockGroup:
    """The group of a clock kind: the installed group with the longest matching prefix; a kind no app
    installed a group for is its own family ("catalog.republish" → "catalog"), named by that key."""
    best: tuple[int, ClockGroup] | None = None
    for group in _groups.values():
        for prefix in group.prefixes:
            if _covers(prefix, kind) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), group)
    if best is not None:
        return best[1]
    family = kind.split(".", 1)[0]
    return ClockGroup(family, family, (family,), 1000)


def clock_group_get(key: str) -> ClockGroup | None:
    """The installed group `key`, or None."""
    return _groups.get(key)


def clock_groups() -> list[ClockGroup]:
    """Every installed group, in display order."""
    return sorted(_groups.values(), key=lambda g: (g.order, g.key))
