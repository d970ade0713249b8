"""Appending many Events at once for the scan: the same hash chain as core.trail.event_append
(per subject: seq, prev_hash, hash), computed in memory and written at once: with COPY on PostgreSQL
(psycopg's `cursor.copy`), with bulk INSERTs elsewhere. `core.trail.trail_verify` checks these
rows like any other."""

from __future__ import annotations

__all__ = ["EventEntry", "events_append_many", "events_append_new_rows"]

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone

from xiaoneng.core.models import Event
from xiaoneng.core.trail import event_hash


@dataclass
class EventEntry:
    subject: models.Model
    action: str
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


# one event as written: the columns of _COLUMNS, in that order
EventRow = tuple[int | None, int, str, int, int | None, datetime, str, Any, Any, str, str, str]

_COLUMNS = (
    "tenant_id",
    "subject_type_id",
    "subject_id",
    "seq",
    "actor_id",
    "at",
    "action",
    "before",
    "after",
    "reason",
    "prev_hash",
    "hash",
)


def _jsonable(value: Any) -> Any:
    # exactly what core.trail hashes: the value as the database will give it back
    return json.loads(json.dumps(value or {}, ensure_ascii=False, default=str, sort_keys=True))


def _at_iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _actor_id(actor: Any) -> int | None:
    return actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None


def _write(rows: list[EventRow], *, batch_size: int = 2000) -> None:
    """Insert the events inside the caller's transaction: COPY on PostgreSQL (the rows are final,
    hashes included, so nothing needs to come back; psycopg's C `write_row` measured faster than
    building the COPY text in Python), bulk INSERTs elsewhere."""
    if connection.vendor != "postgresql":
        Event.objects.bulk_create([Event(**dict(zip(_COLUMNS, r, strict=True))) for r in rows], batch_size=batch_size)
        return
    dumps = json.dumps
    sql = f"COPY {Event._meta.db_table} ({', '.join(_COLUMNS)}) FROM STDIN"
    with connection.cursor() as c, c.cursor.copy(sql) as copy:
        for r in rows:
            before = dumps(r[7], ensure_ascii=False) if r[7] else "{}"
            copy.write_row((*r[:7], before, dumps(r[8], ensure_ascii=False), *r[9:]))


def events_append_many(
    *, entries: list[EventEntry], actor: Any = None, new_subjects: bool = False, batch_size: int = 2000
) -> int:
    """Append one event per entry (several entries may share a subject: they chain in order). With
    `new_subjects=True` the caller guarantees no subject has events yet (rows it just created), so the
    previous-link lookup is skipped: each starts at seq 1 with an empty prev_hash. Call inside the
    caller's transaction; the unique (subject, seq) constraint still catches any race."""
    if not entries:
        return 0
    actor_id = _actor_id(actor)
    at = timezone.now()
    at_iso = _at_iso(at)
    by_model: dict[type[models.Model], list[EventEntry]] = {}
    for e in entries:
        by_model.setdefault(type(e.subject), []).append(e)
    rows: list[EventRow] = []
    for model, group in by_model.items():
        ct = ContentType.objects.get_for_model(model)
        last: dict[str, tuple[int, str]] = {}
        if not new_subjects:
            ids = sorted({str(e.subject.pk) for e in group})
            for i in range(0, len(ids), 5000):
                for sid, seq, digest in (
                    Event.objects.filter(subject_type=ct, subject_id__in=ids[i : i + 5000])
                    .order_by("subject_id", "seq")
                    .values_list("subject_id", "seq", "hash")
                ):
                    last[sid] = (seq, digest)
        for e in group:
            sid = str(e.subject.pk)
            seq, prev_hash = last.get(sid, (0, ""))
            seq += 1
            before_j, after_j = _jsonable(e.before), _jsonable(e.after)
            tenant_id = getattr(e.subject, "tenant_id", None)
            digest = event_hash(
                tenant_id=tenant_id,
                subject_type_id=ct.pk,
                subject_id=sid,
                seq=seq,
                actor_id=actor_id,
                at_iso=at_iso,
                action=e.action,
                before=before_j,
                after=after_j,
                reason=e.reason,
                prev_hash=prev_hash,
            )
            rows.append(
                (tenant_id, ct.pk, sid, seq, actor_id, at, e.action, before_j, after_j, e.reason, prev_hash, digest)
            )
            last[sid] = (seq, digest)
    _write(rows, batch_size=batch_size)
    return len(rows)


def events_append_new_rows(
    *,
    model: type[models.Model],
    action: str,
    rows: list[tuple[Any, int | None, dict[str, Any]]],
    actor: Any = None,
) -> int:
    """The first event of each of many subjects the caller just created, given as plain
    (pk, tenant_id, after) rows instead of model instances (the scan raises thousands of alerts at
    once). `after` must already be what the database gives back (str for instants, see
    `_jsonable`); each chain starts at seq 1 with an empty prev_hash. The unique (subject, seq)
    constraint makes the write fail if a subject already had events, so a chain never forks."""
    if not rows:
        return 0
    ct_id = ContentType.objects.get_for_model(model).pk
    actor_id = _actor_id(actor)
    at = timezone.now()
    at_iso = _at_iso(at)
    out: list[EventRow] = []
    for pk, tenant_id, after in rows:
        sid = str(pk)
        digest = event_hash(
            tenant_id=tenant_id,
            subject_type_id=ct_id,
            subject_id=sid,
            seq=1,
            actor_id=actor_id,
            at_iso=at_iso,
            action=action,
            before={},
            after=after,
            reason="",
            prev_hash="",
        )
        out.append((tenant_id, ct_id, sid, 1, actor_id, at, action, {}, after, "", "", digest))
    _write(out)
    return len(out)
