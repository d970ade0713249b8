"""Request types for views and API operations behind a login: `request.user` is our User."""

from __future__ import annotations

__all__ = ["AuthedRequest"]

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from xiaoneng.orgs.models import User


class AuthedRequest(HttpRequest):
    user: User
