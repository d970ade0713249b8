"""Backup and restore (docs/operations.md): after a restore the trail verifies and every open clock's due
date is where it was; a restore that does not reproduce them fails."""

import io
import json
import tarfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from xiaoneng.core.backup import BackupError, backup_create, backup_restore, fingerprints, restore_check
from xiaoneng.core.models import Event
from xiaoneng.core.trail import event_append
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_start

START = timezone.make_aware(datetime(2026, 3, 2, 9, 0))


@pytest.fixture
def site(transactional_db, world, settings, tmp_path):
    # given: a department with two open clocks, events on its trail, and an uploaded file
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "materials").mkdir(parents=True)
    (tmp_path / "media" / "materials" / "申请书.pdf").write_bytes(b"%PDF-1.4 original")
    clocks = [
        clock_start(owner=world.dept, kind="test", label="测试", limit=limit, department=world.dept, started_at=START)
        for limit in (5, 20)
    ]
    event_append(subject=world.dept, action="test.note", after={"n": 1})
    return world, clocks, tmp_path


def _damage(world, clocks, tmp_path):
    """What a bad day does: a due date moved, an event appended, a file overwritten."""
    Clock.objects.filter(pk=clocks[0].pk).update(due_at=clocks[0].due_at + timedelta(days=3))
    Clock.objects.filter(pk=clocks[1].pk).delete()
    event_append(subject=world.dept, action="test.note", after={"n": 2})
    (tmp_path / "media" / "materials" / "申请书.pdf").write_bytes(b"overwritten")


def test_a_restore_brings_back_the_due_dates_the_trail_and_the_files(site):
    world, clocks, tmp_path = site
    before = fingerprints()
    out = backup_create(tmp_path / "backups")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["fingerprints"] == before
    assert manifest["fingerprints"]["open_clocks"]["open_clocks"] >= 2
    # when
    _damage(world, clocks, tmp_path)
    assert fingerprints() != before
    report = backup_restore(out)
    # then
    assert report.ok, report.differences + report.trail_problems
    assert fingerprints() == before
    assert Clock.objects.get(pk=clocks[0].pk).due_at == clocks[0].due_at
    assert Clock.objects.filter(pk=clocks[1].pk).exists()
    assert (tmp_path / "media" / "materials" / "申请书.pdf").read_bytes() == b"%PDF-1.4 original"


def test_the_check_names_a_moved_due_date_and_a_changed_trail(site):
    world, clocks, tmp_path = site
    manifest = {"format": 1, "fingerprints": fingerprints()}
    _damage(world, clocks, tmp_path)
    report = restore_check(manifest)
    assert not report.ok
    names = {d.split(":")[0] for d in report.differences}
    assert names == {"open_clocks", "trail"}


def test_a_tampered_trail_fails_the_restore_check(site):
    _world, _clocks, _tmp_path = site
    manifest = {"format": 1, "fingerprints": fingerprints()}
    newest = Event.objects.order_by("-id").values_list("id", flat=True).first()
    with connection.cursor() as cur:  # an edit outside the application (the model refuses updates)
        cur.execute("UPDATE core_event SET action = %s WHERE id = %s", ["test.rewritten", newest])
    report = restore_check(manifest)
    assert report.trail_problems
    assert not report.ok


def test_the_commands_back_up_and_restore(site, capsys):
    world, clocks, tmp_path = site
    call_command("backup", str(tmp_path / "b"))
    out = Path(capsys.readouterr().out.strip())
    _damage(world, clocks, tmp_path)
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(out))
    call_command("restore", str(out), "--yes")
    assert "verified" in capsys.readouterr().out
    assert Clock.objects.get(pk=clocks[0].pk).due_at == clocks[0].due_at


def test_what_is_not_a_backup_is_refused_with_a_reason(db, tmp_path):
    with pytest.raises(BackupError, match=r"manifest\.json"):
        backup_restore(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(BackupError, match="not valid JSON"):
        backup_restore(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": 99}), encoding="utf-8")
    with pytest.raises(BackupError, match="format"):
        backup_restore(tmp_path)
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    (tmp_path / "manifest.json").write_text(json.dumps({"format": 1, "vendor": other}), encoding="utf-8")
    with pytest.raises(BackupError, match=other):
        backup_restore(tmp_path)
    with pytest.raises(CommandError, match=r"manifest\.json"):
        call_command("restore", str(tmp_path / "missing"), "--yes")


def test_a_hostile_media_archive_cannot_write_outside_the_media_root(site):
    _world, _clocks, tmp_path = site
    out = backup_create(tmp_path / "backups")
    # a media archive whose member climbs out of the tree
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        data = b"owned"
        info = tarfile.TarInfo("media/../../escaped.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    (out / "media.tar.gz").write_bytes(buf.getvalue())
    with pytest.raises(tarfile.OutsideDestinationError):
        backup_restore(out)
    assert not (tmp_path / "escaped.txt").exists()
