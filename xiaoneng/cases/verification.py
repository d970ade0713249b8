"""The verification code of a case (查询码): shown to the applicant once, kept only as a keyed hash;
the public tracking look-up (selectors.track_lookup) checks it."""

from __future__ import annotations

__all__ = [
    "code_hash",
    "code_new",
    "verification_check",
]

import hashlib
import hmac
import secrets

from django.conf import settings

from xiaoneng.cases.models import Case


def code_hash(tracking_number: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{tracking_number}:{code.strip().upper()}".encode(), hashlib.sha256).hexdigest()


_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def code_new() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _i in range(6))


def verification_check(case: Case, code: str) -> bool:
    """The public look-up: only the holder of the code learns anything about the case."""
    return hmac.compare_digest(case.verification_hash, code_hash(case.tracking_number, code or ""))
