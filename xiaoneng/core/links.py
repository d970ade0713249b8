"""Addresses of pages that belong to an app above the caller (issue 10: imports run downward only).

A lower app that must print or send such an address — a case's decision notice carries the QR code
of the case's rating page (RAT-1), and ratings sits above cases — asks `public_link(name, ...)`;
the app that owns the page installs its provider when it starts (`RatingsConfig.ready` installs
"rating"). Without the provider installed, asking raises at once rather than printing a notice
with no link.
"""

from __future__ import annotations

__all__ = ["LinkProvider", "link_provider_set", "public_link"]

from collections.abc import Callable

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
