import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load the fictional demo jurisdiction (idempotent). Each app may provide a `demo` module with "
        "load(stdout); they run in INSTALLED_APPS order, so lower apps load first."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for config in apps.get_app_configs():
            if not config.name.startswith("xiaoneng."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as e:
                if e.name == f"{config.name}.demo":
                    continue
                raise
            with transaction.atomic():
                module.load(self.stdout)
