import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xiaoneng.api.api import api

SNAPSHOT = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def current_schema() -> str:

    return json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI schema to docs/openapi.json, or with --check fail if it differs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        schema = current_schema()
        if options["check"]:
            if not SNAPSHOT.exists() or SNAPSHOT.read_text(encoding="utf-8") != schema:
                raise CommandError(
                    "docs/openapi.json is out of date with the API: review the change, then run "
                    "`python manage.py openapi_snapshot` and commit the file."
                )
            self.stdout.write("OpenAPI schema matches docs/openapi.json")
            return
        SNAPSHOT.write_text(schema, encoding="utf-8")
        self.stdout.write(f"wrote {SNAPSHOT}")
