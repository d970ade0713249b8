"""Sign-in with the user name, the mobile number or the e-mail address."""

from __future__ import annotations

__all__ = ["PhoneOrUsernameBackend"]

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from xiaoneng.orgs.models import User


class PhoneOrUsernameBackend(ModelBackend):
    """Sign in with the user name, the mobile number or the e-mail address.

    One login string could name two accounts (staff e-mail addresses are not unique, and a user name
    may look like someone else's phone number), so the match is taken in a fixed order — user name,
    then phone, then e-mail — and an e-mail address shared by several accounts signs nobody in."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or not password:
            return None
        login = username.strip()
        candidates = list(User.objects.filter(Q(username=login) | Q(phone=login) | Q(email__iexact=login))[:10])
        user = next((u for u in candidates if u.username == login), None) or next(
            (u for u in candidates if u.phone == login), None
        )
        if user is None:
            by_email = [u for u in candidates if u.email and u.email.lower() == login.lower()]
            user = by_email[0] if len(by_email) == 1 else None
        if user is None:
            User().set_password(password)  # same cost as a real check: no timing oracle on accounts
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
