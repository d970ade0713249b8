"""Request hygiene before any view runs."""

from __future__ import annotations

__all__ = ["NulByteMiddleware"]

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

EXEMPT = ("/api/", "/open311/")


class NulByteMiddleware:
    """A NUL byte in the path, a query parameter or a form field is the client's error (400): no text
    we store or search may hold it, and PostgreSQL refuses it with a DataError that would surface as a
    500 in whichever view filtered on the value first. The API (/api/) and Open311 (/open311/) answer
    in their own formats (the API's DataError handler, Open311's parameter check), so they are left to
    themselves."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(EXEMPT):
            return self.get_response(request)
        if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, vs in request.GET.lists() for v in vs):
            raise BadRequest("NUL byte in the request")
        if (
            request.method == "POST"
            and request.content_type
            in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            )
            and any("\x00" in k or "\x00" in v for k, vs in request.POST.lists() for v in vs)
        ):
            raise BadRequest("NUL byte in a form field")
        return self.get_response(request)
