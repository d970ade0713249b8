"""The Event trail: append an event, and verify a subject's hash chain."""

from __future__ import annotations

__all__ = [
    "TrailBreak",
    "event_append",
    "event_hash",
    "events_append_new_subjects",
    "trail_batch",
    "trail_verify",
]

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from .models import Event


def _jsonable(value: Any) -> Any:
    """What the database will give back: the hash must be computed on exactly that."""
    return json.loads(json.dumps(value or {}, ensure_ascii=False, default=str, sort_keys=True))


def event_hash(
    *,
    tenant_id: int | None,
    subject_type_id: int,
    subject_id: str,
    seq: int,
    actor_id: int | None,
    at_iso: str,
    action: str,
    before: Any,
    after: Any,
    reason: str,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        # the tenant is hashed too: moving an event to another jurisdiction breaks its chain
        [tenant_id, subject_type_id, subject_id, seq, actor_id, at_iso, action, before, after, reason, prev_hash],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _at_iso(at: Any) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_append(
    *,
    subject: models.Model,
    action: str,
    actor: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    tenant_id: int | None = None,
) -> Event:
    """Append one event to `subject`'s trail. Call inside the action's transaction: the caller holds
    the subject's row lock, and the unique (subject, seq) constraint catches any race regardless."""
    ct = ContentType.objects.get_for_model(subject)
    subject_id = str(subject.pk)
    if tenant_id is None:
        tenant_id = getattr(subject, "tenant_id", None)
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    pending = _batch.get()
    if pending is not None:
        # inside trail_batch(): seq and hashes are computed when the block ends, in append order
        event = Event(
            tenant_id=tenant_id,
            subject_type=ct,
            subject_id=subject_id,
            seq=0,
            actor_id=actor_id,
            at=timezone.now(),
            action=action,
            before=_jsonable(before),
            after=_jsonable(after),
            reason=reason,
        )
        pending.append(event)
        return event
    with transaction.atomic():
        last = (
            Event.objects.filter(subject_type=ct, subject_id=subject_id)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, "")
        at = timezone.now()
        before_j, after_j = _jsonable(before), _jsonable(after)
        digest = event_hash(
            tenant_id=tenant_id,
            subject_type_id=ct.pk,
            subject_id=subject_id,
            seq=seq,
            actor_id=actor_id,
            at_iso=_at_iso(at),
            action=action,
            before=before_j,
            after=after_j,
            reason=reason,
            prev_hash=prev_hash,
        )
        event = Event(
            tenant_id=tenant_id,
            subject_type=ct,
            subject_id=subject_id,
            seq=seq,
            actor_id=actor_id,
            at=at,
            action=action,
            before=before_j,
            after=after_j,
            reason=reason,
            prev_hash=prev_hash,
            hash=digest,
        )
        event.save(force_insert=True)
    return event


_batch: ContextVar[list[Event] | None] = ContextVar("xiaoneng_trail_batch", default=None)


@contextmanager
def trail_batch() -> Iterator[None]:
    """Write the events appended inside the block (by event_append, also from other services such as
    the clock functions) with ONE read of their subjects' last (seq, hash) and ONE INSERT when the
    block ends, instead of a savepoint, a read and an insert per event. The hash chain is the one
    event_append builds, per subject and in append order. Enter it inside the action's transaction
    (the caller holds the subjects' row locks; the unique (subject, seq) constraint still catches
    any race). Nothing is written if the block raises; a nested block is part of the outer one.
    Events appended inside the block have no seq, hash or pk until it ends."""
    if _batch.get() is not None:
        yield
        return
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("trail_batch() must run inside the action's transaction")
    pending: list[Event] = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    if pending:
        _flush(pending)


def _last_links(keys: set[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, str]]:
    """The newest (seq, hash) of each subject, in one indexed query. Written in SQL because it runs on
    every case transition and the ORM's OR-of-pairs plus correlated subquery cost more to build than
    to run; the unique (subject_type, subject_id, seq) index answers the MAX."""
    meta = Event._meta
    qn = transaction.get_connection().ops.quote_name
    table = qn(meta.db_table)
    type_col, id_col = qn(meta.get_field("subject_type").column), qn(meta.get_field("subject_id").column)
    seq_col, hash_col = qn(meta.get_field("seq").column), qn(meta.get_field("hash").column)
    pairs = sorted(keys)
    match = " OR ".join([f"(e.{type_col} = %s AND e.{id_col} = %s)"] * len(pairs))
    sql = (
        f"SELECT e.{type_col}, e.{id_col}, e.{seq_col}, e.{hash_col} FROM {table} e WHERE ({match}) "
        f"AND e.{seq_col} = (SELECT MAX(m.{seq_col}) FROM {table} m "
        f"WHERE m.{type_col} = e.{type_col} AND m.{id_col} = e.{id_col})"
    )
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(sql, [v for pair in pairs for v in pair])
        return {(t, s): (seq, h) for t, s, seq, h in cursor.fetchall()}


def _flush(pending: list[Event]) -> None:
    last = _last_links({(e.subject_type_id, e.subject_id) for e in pending})
    for e in pending:
        key = (e.subject_type_id, e.subject_id)
        seq, prev_hash = last.get(key, (0, ""))
        e.seq, e.prev_hash = seq + 1, prev_hash
        e.hash = event_hash(
            tenant_id=e.tenant_id,
            subject_type_id=e.subject_type_id,
            subject_id=e.subject_id,
            seq=e.seq,
            actor_id=e.actor_id,
            at_iso=_at_iso(e.at),
            action=e.action,
            before=e.before,
            after=e.after,
            reason=e.reason,
            prev_hash=prev_hash,
        )
        last[key] = (e.seq, e.hash)
    _insert(pending)


def _insert(events: list[Event]) -> None:
    """One multi-row INSERT … RETURNING id, with each value prepared by its model field exactly as
    the ORM would (half the Python time of bulk_create for the two to four events of a transition)."""
    connection = transaction.get_connection()
    if not connection.features.can_return_rows_from_bulk_insert:
        Event.objects.bulk_create(events)
        return
    fields = [f for f in Event._meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {qn(Event._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES {', '.join([row] * len(events))} RETURNING {qn(Event._meta.pk.column)}"
    )
    params = [f.get_db_prep_save(getattr(e, f.attname), connection) for e in events for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for event, (pk,) in zip(events, cursor.fetchall(), strict=True):
            event.pk = pk
            event._state.adding = False


def events_append_new_subjects(
    *,
    subjects: Sequence[models.Model],
    action: str,
    actor: Any = None,
    afters: Sequence[dict[str, Any] | None] | None = None,
    reason: str = "",
    batch_size: int = 1000,
) -> list[Event]:
    """Append the first event of each of many subjects created in the caller's transaction (a bulk
    import): the same hash chain as `event_append`, each starting at seq 1 with an empty prev_hash,
    written with bulk INSERTs instead of a savepoint, a read and an insert per subject. `afters[i]`
    is the after-state of `subjects[i]`. A subject that already has events makes the insert fail
    on the unique (subject, seq) constraint, so a chain can never fork."""
    if afters is not None and len(afters) != len(subjects):
        raise ValueError("afters must match subjects one to one")
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    at = timezone.now()
    at_iso = _at_iso(at)
    types: dict[type[models.Model], int] = {}
    events = []
    for i, subject in enumerate(subjects):
        ct_id = types.get(type(subject))
        if ct_id is None:
            ct_id = types[type(subject)] = ContentType.objects.get_for_model(subject).pk
        subject_id = str(subject.pk)
        after_j = _jsonable(afters[i] if afters is not None else None)
        digest = event_hash(
            tenant_id=getattr(subject, "tenant_id", None),
            subject_type_id=ct_id,
            subject_id=subject_id,
            seq=1,
            actor_id=actor_id,
            at_iso=at_iso,
            action=action,
            before={},
            after=after_j,
            reason=reason,
            prev_hash="",
        )
        events.append(
            Event(
                tenant_id=getattr(subject, "tenant_id", None),
                subject_type_id=ct_id,
                subject_id=subject_id,
                seq=1,
                actor_id=actor_id,
                at=at,
                action=action,
                before={},
                after=after_j,
                reason=reason,
                prev_hash="",
                hash=digest,
            )
        )
    with transaction.atomic():
        Event.objects.bulk_create(events, batch_size=batch_size)
    return events


@dataclass(frozen=True)
class TrailBreak:
    event_id: int
    subject: str
    seq: int
    problem: str


def trail_verify(queryset: models.QuerySet[Event] | None = None) -> Iterator[TrailBreak]:
    """Yield every broken link: a row whose content no longer matches its hash, a `prev_hash` that
    does not match the previous row, or a gap in the sequence (a deleted row)."""
    qs = (queryset if queryset is not None else Event.objects.all()).order_by("subject_type_id", "subject_id", "seq")
    prev_key: tuple[int, str] | None = None
    prev_hash, prev_seq = "", 0
    for e in qs.iterator(chunk_size=5000):
        key = (e.subject_type_id, e.subject_id)
        if key != prev_key:
            prev_key, prev_hash, prev_seq = key, "", 0
        label = f"{e.subject_type_id}:{e.subject_id}"
        if e.seq != prev_seq + 1:
            yield TrailBreak(e.pk, label, e.seq, f"gap: expected #{prev_seq + 1}")
        if e.prev_hash != prev_hash:
            yield TrailBreak(e.pk, label, e.seq, "prev_hash does not match the previous event")
        expected = event_hash(
            tenant_id=e.tenant_id,
            subject_type_id=e.subject_type_id,
            subject_id=e.subject_id,
            seq=e.seq,
            actor_id=e.actor_id,
            at_iso=_at_iso(e.at),
            action=e.action,
            before=_jsonable(e.before),
            after=_jsonable(e.after),
            reason=e.reason,
            prev_hash=e.prev_hash,
        )
        if expected != e.hash:
            yield TrailBreak(e.pk, label, e.seq, "content does not match its hash")
        prev_hash, prev_seq = e.hash, e.seq
