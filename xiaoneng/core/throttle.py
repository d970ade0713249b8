"""Rate limits on public look-ups and anonymous writes (issue 9): case and complaint tracking by number
and query code (guessing a 6-character code must not be cheap) and Open311 POST. One fixed-window
counter per scope and client address, kept in Django's cache so every web process shares the counts
(settings.CACHES: a database table by default, Redis when XIAONENG_CACHE_URL says so; docs/operations.md).

- `throttle(scope)` decorates a plain view (or an Open311 handler) and answers 429 with Retry-After;
- `ApiThrottle(scope)` is a django-ninja throttle for API operations (`throttle=ApiThrottle("track")`);
  the API root turns ninja's Throttled into the same translated message.

Rates are "count/period" strings (period s, m, h or d, optionally with a multiplier: "20/10m") in
settings.XIAONENG_THROTTLE_RATES; a scope missing there (or set to "") is not limited."""

from __future__ import annotations

__all__ = ["ApiThrottle", "Rate", "client_address", "hit", "limit_message", "parse_rate", "rate_for", "throttle"]

import hashlib
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja.throttling import BaseThrottle

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE_RE = re.compile(r"(\d+)/(\d*)([smhd])")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(value: str) -> Rate | None:
    """'20/10m' → Rate(20, 600); '' → None (no limit)."""
    value = (value or "").strip()
    if not value:
        return None
    m = _RATE_RE.fullmatch(value)
    if m is None:
        raise ValueError(f"invalid throttle rate {value!r}: expected count/period such as 20/10m")
    return Rate(int(m[1]), int(m[2] or 1) * _PERIODS[m[3]])


def rate_for(scope: str) -> Rate | None:
    return parse_rate(getattr(settings, "XIAONENG_THROTTLE_RATES", {}).get(scope, ""))


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind the reverse proxy (docs/operations.md: gunicorn on 127.0.0.1) every
    request comes from the proxy, which would make one count for everybody; so when the peer is a
    trusted proxy (XIAONENG_TRUSTED_PROXIES, default the loopback addresses), the right-most
    X-Forwarded-For entry that is not a trusted proxy counts (the left ones are the client's to forge)."""
    peer: str = request.META.get("REMOTE_ADDR", "")
    trusted = set(getattr(settings, "XIAONENG_TRUSTED_PROXIES", ("127.0.0.1", "::1")))
    if peer in trusted:
        forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        for hop in reversed(hops):
            if hop not in trusted:
                return hop
    return peer


def hit(scope: str, ident: str) -> int | None:
    """Count one attempt of `ident` in `scope`. None while within the rate; otherwise the seconds until
    the current window ends (for Retry-After). Fixed windows: at most twice the rate can pass around
    a window's edge, which is plenty against guessing and costs one cache key per client and window."""
    rate = rate_for(scope)
    if rate is None:
        return None
    now = time.time()
    window = int(now // rate.seconds)
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"xn:throttle:{scope}:{window}:{digest}"
    cache = caches[getattr(settings, "XIAONENG_THROTTLE_CACHE", "default")]
    count = 1
    if not cache.add(key, 1, timeout=rate.seconds + 1):
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            cache.add(key, 1, timeout=rate.seconds + 1)
    if count > rate.count:
        return max(1, math.ceil((window + 1) * rate.seconds - now))
    return None


def limit_message(wait: int | float | None) -> str:
    minutes = max(1, math.ceil((wait or 60) / 60))
    return _("尝试次数过多，请%(minutes)d分钟后再试。") % {"minutes": minutes}


# the decorated view: throttle returns it with its own signature (the wrapper takes and returns what it does)
_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def _page_429(request: HttpRequest, *args: Any, message: str) -> HttpResponse:
    return render(request, "429.html", {"message": message}, status=429)


def throttle(
    scope: str,
    *,
    when: Callable[[HttpRequest], bool] | None = None,
    on_limit: Callable[..., HttpResponse] | None = None,
) -> Callable[[_View], _View]:
    """Limit a view to its scope's rate per client address. `when(request)` chooses which requests
    count (e.g. only a look-up, not the empty form); `on_limit(request, *view_args, message=...)` builds
    the 429 (default: the 429 page). Retry-After is always set."""

    def decorate(view: _View) -> _View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if when is None or when(request):
                wait = hit(scope, client_address(request))
                if wait is not None:
                    resp = (on_limit or _page_429)(request, *args, message=limit_message(wait))
                    resp.status_code = 429
                    resp["Retry-After"] = str(wait)
                    return resp
            return view(request, *args, **kwargs)

        return cast(_View, wrapper)

    return decorate


class ApiThrottle(BaseThrottle):
    """django-ninja throttle over the same counters: `@router.get(..., throttle=ApiThrottle("track"))`."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self._local = threading.local()  # one instance serves every thread of the process

    def allow_request(self, request: HttpRequest) -> bool:
        self._local.wait = hit(self.scope, client_address(request))
        return self._local.wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
