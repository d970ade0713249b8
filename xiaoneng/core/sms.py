"""SMS delivery is pluggable (settings.XIAONENG_SMS_BACKEND): a deployment plugs in its carrier's
gateway; the console backend prints, the memory backend keeps messages for tests."""

from __future__ import annotations

__all__ = ["ConsoleSmsBackend", "MemorySmsBackend", "SmsBackend", "get_sms_backend"]

import sys
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string


class SmsBackend:
    def send(self, *, phone: str, text: str) -> None:
        raise NotImplementedError  # an interface: each backend implements it


class ConsoleSmsBackend(SmsBackend):
    def send(self, *, phone: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {phone}] {text}\n")
        sys.stdout.flush()


class MemorySmsBackend(SmsBackend):
    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


def get_sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.XIAONENG_SMS_BACKEND)()  # the class named in settings
    return backend
