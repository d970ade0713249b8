"""The complainant's tracking code (查询码): only its keyed hash is stored, and a submission made with
an idempotency key gets a code derived from the key, so that a replay returns the same one (CMP-1,
issue 9). Selectors (the public look-up) and intake both read this module; it imports neither."""

from __future__ import annotations

__all__ = [
    "CODE_ALPHABET",
    "code_for_key",
    "code_hash",
    "idempotency_hash",
    "verification_check",
]

import hashlib
import hmac

from django.conf import settings

from xiaoneng.complaints.models import Complaint

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def code_hash(number: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"complaint:{number}:{code.strip().upper()}".encode(), hashlib.sha256).hexdigest()


def verification_check(complaint: Complaint, code: str) -> bool:
    """The public look-up: only the holder of the code learns anything about the complaint (CMP-1)."""
    return hmac.compare_digest(complaint.verification_hash, code_hash(complaint.number, code or ""))


def idempotency_hash(scope: str, key: str) -> str:
    """The stored form of a submission token / Idempotency-Key, namespaced by where it came from."""
    return hashlib.sha256(f"complaint:{scope}:{key}".encode()).hexdigest()


def code_for_key(key_hash: str) -> str:
    """The tracking code of a submission made with an idempotency key is derived from the key (keyed
    with SECRET_KEY), so a replay by the key's holder gets the same code back although only its hash
    is stored; nobody without the key can compute it."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"complaint-code:{key_hash}".encode(), hashlib.sha256).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:6])
