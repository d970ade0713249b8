"""`manage.py backup DEST`: write a backup directory (database, media files, manifest) under DEST."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiaoneng.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format on PostgreSQL, SQLite's online backup API on the "
        "embedded database), the media files and a manifest of what a restore must reproduce (the Event "
        "trail's head, every open clock's due dates) into a new directory under DEST."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("dest", type=Path, help="directory that receives the backup directory")
        parser.add_argument("--no-media", action="store_true", help="leave the media files out")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            out = backup_create(options["dest"], alias=options["database"], with_media=not options["no_media"])
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(out))
