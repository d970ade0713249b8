"""Periodic tasks: apps register them; `manage.py run_scheduler` enqueues each when it is due.

The scheduler only enqueues (through Django's task backend); the worker runs. Every periodic task
must be idempotent, so two schedulers running at once do no harm."""

from __future__ import annotations

__all__ = ["Periodic", "periodic_tasks", "register_periodic"]

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Any  # a django.tasks Task
    every_seconds: int


_REGISTRY: dict[str, Periodic] = {}


def register_periodic(name: str, task: Any, every_seconds: int) -> None:
    _REGISTRY[name] = Periodic(name, task, every_seconds)


def periodic_tasks() -> list[Periodic]:
    return list(_REGISTRY.values())
