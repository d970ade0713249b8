"""`manage.py restore BACKUP_DIR --yes`: replace the database and media files with a backup, then
check that the trail verifies and every open clock's due date is unchanged."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiaoneng.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` over the current database and media files, then "
        "verify it: the Event trail (every chain and anchor) and the manifest's fingerprints (number of "
        "events and newest hash, every open clock's due dates). Exits with an error naming any difference."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("src", type=Path, help="a directory written by `manage.py backup`")
        parser.add_argument("--yes", action="store_true", help="confirm: the current data is replaced")
        parser.add_argument("--no-media", action="store_true", help="leave the media files as they are")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("restore replaces the current database and files: run again with --yes")
        try:
            report = backup_restore(options["src"], alias=options["database"], with_media=not options["no_media"])
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        for line in report.differences + report.trail_problems:
            self.stdout.write(f"DIFFERENT {line}")
        if not report.ok:
            raise CommandError("the restored site does not match the backup's manifest (see above)")
        fp = report.manifest.get("fingerprints", {})
        self.stdout.write(f"restored {options['src']} (made {report.manifest.get('created_at')}); verified: {fp}")
