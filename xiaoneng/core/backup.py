"""Backup and restore of a deployment: the database, the uploaded and generated files, and a manifest
that proves the restore (docs/operations.md, "Backup and restore").

A backup is one directory:

* `database.dump` — `pg_dump --format=custom` on PostgreSQL, or `database.sqlite3` — a consistent
  copy taken with SQLite's online backup API (the site may keep running while it is taken);
* `media.tar.gz` — the files under MEDIA_ROOT (materials, notices, bulletins) when the default
  storage is the local filesystem (with object storage the bucket has its own versioning);
* `manifest.json` — when, which engine, the migration state, and *fingerprints*: what must read the
  same after a restore. Apps register them (`fingerprint_register`) so that this module, at the bottom
  of the house, needs no import of the apps above it: core fingerprints the Event trail (number of
  events, newest id and hash), workdays every open clock's due instants.

`backup_restore` loads the database and the files back, then recomputes every fingerprint, runs the
trail's verification (each chain and each daily anchor) and reports any difference: a restore that
does not reproduce the trail or moves a due date fails loudly.
"""

from __future__ import annotations

__all__ = [
    "BACKUP_FORMAT",
    "BackupError",
    "RestoreReport",
    "backup_create",
    "backup_restore",
    "fingerprint_register",
    "fingerprints",
]

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from xiaoneng.core.models import Event
from xiaoneng.core.trail import trail_anchor_verify, trail_heads_verify, trail_verify

BACKUP_FORMAT = 1
_FINGERPRINTS: dict[str, Callable[[], Any]] = {}


class BackupError(Exception):
    """A backup or a restore that cannot be made; the message says why and what to do."""


def fingerprint_register(name: str, compute: Callable[[], Any]) -> None:
    """Register what must read the same after a restore (a JSON-serialisable value)."""
    _FINGERPRINTS[name] = compute


def fingerprints() -> dict[str, Any]:
    return {name: compute() for name, compute in sorted(_FINGERPRINTS.items())}


def _trail_fingerprint() -> dict[str, Any]:

    newest = Event.objects.order_by("-id").values("id", "hash").first()
    return {
        "events": Event.objects.count(),
        "newest_id": newest["id"] if newest else None,
        "newest_hash": newest["hash"] if newest else None,
    }


fingerprint_register("trail", _trail_fingerprint)


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    differences: list[str] = field(default_factory=list)
    trail_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences and not self.trail_problems


def _pg_env(alias: str) -> tuple[dict[str, str], list[str]]:
    db: dict[str, Any] = dict(settings.DATABASES[alias])
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    for opt, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args.append(f"{opt}={db[key]}")
    return env, args


def _run(cmd: list[str], env: dict[str, str]) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"{cmd[0]} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_on_filesystem() -> bool:
    return isinstance(default_storage, FileSystemStorage) or (
        settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    )


def backup_create(dest: Path, *, alias: str = "default", with_media: bool = True) -> Path:
    """Write a backup directory under `dest` and return its path."""
    conn = connections[alias]
    if conn.in_atomic_block:
        # SQLite's backup waits for the copy to be consistent, which an open write transaction on the
        # same connection never lets happen; and a dump inside a transaction would not see its writes
        raise BackupError("a backup cannot be taken inside a transaction")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    out = Path(dest) / f"xiaoneng-backup-{stamp}"
    out.mkdir(parents=True, exist_ok=False)
    manifest: dict[str, Any] = {
        "format": BACKUP_FORMAT,
        "created_at": timezone.now().isoformat(),
        "vendor": conn.vendor,
        "migrations": _migration_heads(alias),
        # taken before the copy: a change between the two would show as a difference on restore, and
        # that is the honest answer (take backups when the scheduler is quiet, or from a replica)
        "fingerprints": fingerprints(),
    }
    if conn.vendor == "postgresql":
        env, args = _pg_env(alias)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--file={out / 'database.dump'}",
                *args,
                str(settings.DATABASES[alias]["NAME"]),
            ],
            env,
        )
    elif conn.vendor == "sqlite":
        conn.ensure_connection()
        target = sqlite3.connect(out / "database.sqlite3")
        try:
            conn.connection.backup(target)  # SQLite's online backup API: a consistent copy
        finally:
            target.close()
    else:
        raise BackupError(f"no backup method for the {conn.vendor} engine")
    media = _media_root()
    if not _media_on_filesystem():
        # object storage (XIAONENG_STORAGE=s3): the bucket is backed up by its own versioning/replication
        manifest["media"] = "object storage"
    elif with_media and media.is_dir():
        with tarfile.open(out / "media.tar.gz", "w:gz") as tar:
            tar.add(media, arcname="media")
        manifest["media"] = True
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return out


def _migration_heads(alias: str) -> dict[str, str]:
    heads: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        if name > heads.get(app, ""):
            heads[app] = name
    return dict(sorted(heads.items()))


def _read_manifest(src: Path) -> dict[str, Any]:
    path = Path(src) / "manifest.json"
    if not path.is_file():
        raise BackupError(f"{src} is not a backup directory (no manifest.json)")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BackupError(f"{path} is not valid JSON: {exc}") from exc
    if manifest.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{path}: backup format {manifest.get('format')!r}, expected {BACKUP_FORMAT}")
    return manifest


def backup_restore(src: Path, *, alias: str = "default", with_media: bool = True) -> RestoreReport:
    """Replace the database (and the media files) with the backup at `src`, then check it."""
    src = Path(src)
    manifest = _read_manifest(src)
    conn = connections[alias]
    if manifest["vendor"] != conn.vendor:
        raise BackupError(f"the backup is of a {manifest['vendor']} database, this site uses {conn.vendor}")
    if conn.vendor == "postgresql":
        dump = src / "database.dump"
        if not dump.is_file():
            raise BackupError(f"{dump} is missing")
        conn.close()
        env, args = _pg_env(alias)
        # Not `pg_restore --clean`: it drops a partition's inherited primary key before its table and
        # fails on the partitioned trail (core.partitions). Instead the dump becomes SQL and psql runs
        # it after emptying the schema, in ONE transaction: all of it or nothing, the old data kept on
        # any error. The site's role must own the schema (it owns the database it migrated).
        with tempfile.TemporaryDirectory() as tmp:
            script, reset = Path(tmp) / "restore.sql", Path(tmp) / "reset.sql"
            reset.write_text("DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n", encoding="utf-8")
            _run(["pg_restore", "--no-owner", f"--file={script}", str(dump)], env)
            _run(
                [
                    "psql",
                    "--no-psqlrc",
                    "--quiet",
                    "--single-transaction",
                    "--set=ON_ERROR_STOP=1",
                    f"--dbname={settings.DATABASES[alias]['NAME']}",
                    *args,
                    f"--file={reset}",
                    f"--file={script}",
                ],
                env,
            )
    else:
        copy = src / "database.sqlite3"
        if not copy.is_file():
            raise BackupError(f"{copy} is missing")
        conn.ensure_connection()
        source = sqlite3.connect(copy)
        try:
            source.backup(conn.connection)  # page by page into the live file, under SQLite's lock
        finally:
            source.close()
    if with_media and manifest.get("media") is True and (src / "media.tar.gz").is_file():
        media = _media_root()
        media.mkdir(parents=True, exist_ok=True)
        with tarfile.open(src / "media.tar.gz", "r:gz") as tar:
            members = [m for m in tar.getmembers() if m.name == "media" or m.name.startswith("media/")]
            for m in members:
                m.name = m.name.removeprefix("media").lstrip("/") or "."
            # the "data" filter refuses absolute paths, links out of the tree and device files
            tar.extractall(media, members=members, filter="data")
    return restore_check(manifest)


def restore_check(manifest: dict[str, Any]) -> RestoreReport:
    """Compare the restored site with the manifest: every fingerprint equal, the trail intact."""

    report = RestoreReport(manifest=manifest)
    now = fingerprints()
    for name, expected in manifest.get("fingerprints", {}).items():
        if now.get(name) != expected:
            report.differences.append(f"{name}: expected {expected!r}, found {now.get(name)!r}")
    report.trail_problems += [f"event {b.event_id} ({b.subject}): {b.problem}" for b in trail_verify()]
    report.trail_problems += [f"subject {b.subject}: {b.problem}" for b in trail_heads_verify()]
    report.trail_problems += [f"anchor {a.day}: {a.problem}" for a in trail_anchor_verify()]
    return report
