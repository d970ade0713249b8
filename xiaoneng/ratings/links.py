"""The rating page's address (RAT-1): a signed token naming the case or window service to be rated,
printed as a QR code on the decision notice, sent by SMS or shown at the window terminal. Cases, which
sit below ratings, ask for the link through `core.links.public_link("rating", ...)`; `RatingsConfig`
installs `rating_link` there."""

from __future__ import annotations

__all__ = [
    "public_base_url",
    "rating_link",
    "rating_target",
    "rating_token",
]

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from xiaoneng.cases.models import Case
from xiaoneng.ratings.choices import Source
from xiaoneng.ratings.models import InHallService

_SALT = "xiaoneng.ratings"


def rating_token(*, case: Any = None, service: InHallService | None = None) -> str:
    """A signed token naming what is to be rated; printed as a QR code or sent by SMS."""
    if case is not None:
        return signing.dumps({"k": "case", "id": case.pk}, salt=_SALT, compress=True)
    if service is not None:
        return signing.dumps({"k": "svc", "id": service.pk}, salt=_SALT, compress=True)
    raise ValueError("a case or a service")


def public_base_url() -> str:
    """The public site's address, for links that leave the site (a QR code on paper, an SMS):
    settings.XIAONENG_PUBLIC_URL (from the environment value of that name)."""
    return str(settings.XIAONENG_PUBLIC_URL).rstrip("/")


def rating_link(*, case: Any = None, service: InHallService | None = None, via: str = Source.WEB) -> str:
    """RAT-1: the absolute address of the rating page of a case or window service, marked with the
    channel it is printed on or sent by (`?via=qr` on the decision notice, `?via=sms` in an SMS)."""
    token = rating_token(case=case, service=service)
    return f"{public_base_url()}{reverse('ratings:rate', args=[token])}?via={via}"


def rating_target(token: str) -> tuple[Any, InHallService | None]:
    """(case, None) or (None, service) for a valid token; ValidationError otherwise."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=timedelta(days=90))
    except signing.BadSignature as e:
        raise ValidationError(_("评价链接无效或已过期。")) from e
    if data.get("k") == "case":
        case = Case.objects.filter(pk=data.get("id")).select_related("department").first()
        if case is None:
            raise ValidationError(_("评价链接无效或已过期。"))
        return case, None
    service = InHallService.objects.filter(pk=data.get("id")).select_related("department").first()
    if service is None:
        raise ValidationError(_("评价链接无效或已过期。"))
    return None, service
