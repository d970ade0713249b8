"""manage.py catalog_export FILE [--department NAME] — the newest version of every item, in the
import template's layout (export → import round-trips to an identical catalog)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Q

from xiaoneng.catalog.models import Item
from xiaoneng.catalog.spreadsheet.export import catalog_export_bytes, template_bytes


class Command(BaseCommand):
    help = "Export the catalog (or one department's part) to an Excel workbook; --template writes the empty template."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--department", help="only this department (name, short name or id)")
        parser.add_argument("--template", action="store_true", help="write the empty template with its README sheet")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if options["template"]:
            path.write_bytes(template_bytes())
            self.stdout.write(self.style.SUCCESS(f"模板已写入 {path}"))
            return
        items = Item.objects.all()
        ref = options["department"]
        if ref:
            q = Q(department__name=ref) | Q(department__short_name=ref)
            if ref.isdigit():
                q |= Q(department_id=int(ref))
            items = items.filter(q)
        path.write_bytes(catalog_export_bytes(items))
        self.stdout.write(self.style.SUCCESS(f"已导出 {items.count()} 个事项到 {path}"))
