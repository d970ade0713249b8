"""manage.py catalog_import FILE --department NAME [--publish] [--user USERNAME]

Imports a catalog workbook (.xlsx), a zip of CSV files or a single items CSV. All-or-nothing: on
any problem, every one is printed (sheet, row, column, message) and nothing is written. With
--publish (bulk registration by the administrator) the versions are published directly instead of
being left as drafts for declare → review → publish. See docs/catalog-import.md."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from xiaoneng.catalog.spreadsheet.read import ImportFailed, catalog_import
from xiaoneng.core.actors import SYSTEM, SystemActor
from xiaoneng.orgs.models import Department, User


class Command(BaseCommand):
    help = "Import a catalog file (xlsx, zip of CSVs, or items CSV); all-or-nothing with a per-row report."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--department", required=True, help="implementing department: name, short name or id")
        parser.add_argument("--publish", action="store_true", help="publish directly (administrator bulk registration)")
        parser.add_argument("--user", help="act as this user (permissions checked); default: the operator (system)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        ref = options["department"]
        q = Q(name=ref) | Q(short_name=ref)
        if ref.isdigit():
            q |= Q(pk=int(ref))
        departments = list(Department.objects.filter(q)[:2])
        if len(departments) != 1:
            raise CommandError(f"找不到唯一的部门：{ref}")
        actor: User | SystemActor = SYSTEM  # the operator's own process, explicitly
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"找不到用户：{options['user']}")
            actor = user
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  已写入 {done}/{total} 个事项（{time.perf_counter() - started:.1f} 秒）")

        self.stdout.write(f"读取并校验 {path.name} …")
        try:
            report = catalog_import(
                data=path.read_bytes(),
                filename=path.name,
                actor=actor,
                department=departments[0],
                publish=options["publish"],
                progress=progress,
            )
        except ImportFailed as e:
            for problem in e.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"发现 {len(e.problems)} 处问题，未导入任何内容。") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：新增 {report.created}，更新 {report.updated}，未变化 {report.unchanged}，"
                f"公布 {report.published}（{time.perf_counter() - started:.1f} 秒）"
            )
        )
