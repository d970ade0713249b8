"""Open311 client keys: issued by an administrator or the efficiency office, shown once, stored as a
hash; the Open311 endpoint checks them on every POST."""

from __future__ import annotations

__all__ = [
    "api_key_check",
    "api_key_create",
]

import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.complaints.actions.loop import text_clean
from xiaoneng.complaints.models import ApiKey
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Region, User


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_create(*, actor: User, tenant: Region, name: str) -> tuple[ApiKey, str]:
    """Issue an Open311 API key; the clear key is returned once and only its hash is kept."""
    if not (actor.is_superuser or actor.role in (Role.ADMIN, Role.SUPERVISOR)):
        raise PermissionDenied(_("只有系统管理员或效能办可以签发接口密钥。"))
    name = text_clean(name, field="name", label=_("客户端名称"), max_length=100)
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            tenant_id=tenant.tenant_id or tenant.pk,
            name=name,
            prefix=key[:8],
            key_hash=_key_hash(key),
            created_by=actor,
        )
        event_append(subject=api_key, action="apikey.created", actor=actor, after={"name": name, "prefix": key[:8]})
    return api_key, key


def api_key_check(key: str) -> ApiKey | None:
    if not key:
        return None
    api_key = ApiKey.objects.filter(key_hash=_key_hash(key), is_active=True).first()
    if api_key is not None:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    return api_key
