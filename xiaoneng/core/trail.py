"""The Event trail (全程留痕): the one place that appends events, hashes them and verifies them.

Every event is hash-chained per subject (`seq`, `prev_hash`, `hash`, computed by `event_hash` and
nowhere else). Four ways to append, all building exactly the same chain:

* `event_append` — one event, inside the action's transaction;
* `trail_batch()` — the events an action appends (also from other services) written with one read
  and one INSERT when the block ends;
* `events_append_many` / `events_append_new_rows` / `events_append_new_subjects` — many events at
  once for the scan and the bulk imports: hashed in memory, written with COPY on PostgreSQL and bulk
  INSERTs elsewhere.

Two checks (`manage.py verify_trail`):

* `trail_verify` — every subject's chain (or one subject's): content against its hash, each link
  against its predecessor, no gap in the sequence. It cannot see a subject's last events deleted,
  nor a whole chain rewritten with recomputed hashes; hence
* anchors (`TrailAnchor`): once a day `trail_anchor_record` seals every event committed so far with
  a digest chained over each event's id and hash in id order, and a keyed MAC over that digest
  (XIAONENG_TRAIL_KEY). `trail_anchor_verify` recomputes each sealed range: a deleted tail, a
  rewritten chain, an event inserted among sealed ones, or an anchor recomputed without the key is
  reported. The sealed digest pins every chain head (each head's hash is in it) and the number of
  events, and costs only the day's new events to record.
"""

from __future__ import annotations

__all__ = [
    "AnchorBreak",
    "EventEntry",
    "TrailBreak",
    "event_append",
    "event_hash",
    "events_append_many",
    "events_append_new_rows",
    "events_append_new_subjects",
    "trail_anchor_record",
    "trail_anchor_verify",
    "trail_batch",
    "trail_heads_verify",
    "trail_verify",
]

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from xiaoneng.core.models import Event, EventHead, TrailAnchor
from xiaoneng.core.partitions import event_heads_kept

# --- the hash ---------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """What the database will give back: the hash must be computed on exactly that."""
    if not value:
        return {}  # most events have an empty before or after: no round trip
    return json.loads(json.dumps(value or {}, ensure_ascii=False, default=str, sort_keys=True))


def _at_iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _actor_id(actor: Any) -> int | None:
    return actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None


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
    """The hash of one event: every column but the id, and the previous event's hash."""
    payload = json.dumps(
        # the tenant is hashed too: moving an event to another jurisdiction breaks its chain
        [tenant_id, subject_type_id, subject_id, seq, actor_id, at_iso, action, before, after, reason, prev_hash],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _seal(e: Event, *, seq: int, prev_hash: str) -> None:
    """Give `e` its place in its subject's chain: seq, prev_hash and hash."""
    e.seq, e.prev_hash = seq, prev_hash
    e.hash = event_hash(
        tenant_id=e.tenant_id,
        subject_type_id=e.subject_type_id,
        subject_id=e.subject_id,
        seq=seq,
        actor_id=e.actor_id,
        at_iso=_at_iso(e.at),
        action=e.action,
        before=e.before,
        after=e.after,
        reason=e.reason,
        prev_hash=prev_hash,
    )


# --- one event --------------------------------------------------------------------------------


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
    if tenant_id is None:
        tenant_id = getattr(subject, "tenant_id", None)
    event = Event(
        tenant_id=tenant_id,
        subject_type=ct,
        subject_id=str(subject.pk),
        seq=0,
        actor_id=_actor_id(actor),
        at=timezone.now(),
        action=action,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
    )
    pending = _batch.get()
    if pending is not None:
        # inside trail_batch(): seq and hashes are computed when the block ends, in append order
        pending.append(event)
        return event
    with transaction.atomic():
        if event_heads_kept(transaction.get_connection()):
            # the chain's head (core.partitions): one key look-up, not a probe of every month
            last = (
                EventHead.objects.filter(subject_type=ct, subject_id=event.subject_id)
                .values_list("seq", "hash")
                .first()
            )
        else:
            last = (
                Event.objects.filter(subject_type=ct, subject_id=event.subject_id)
                .order_by("-seq")
                .values_list("seq", "hash")
                .first()
            )
        _seal(event, seq=last[0] + 1 if last else 1, prev_hash=last[1] if last else "")
        event.save(force_insert=True)
    return event


# --- a batch of one action's events -----------------------------------------------------------

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
    to run. On PostgreSQL the chains' heads (core.partitions: one key look-up per subject, however
    many months the trail spans); elsewhere the unique (subject_type, subject_id, seq) index answers
    the MAX."""
    connection = transaction.get_connection()
    meta = Event._meta
    qn = connection.ops.quote_name
    type_col, id_col = qn(meta.get_field("subject_type").column), qn(meta.get_field("subject_id").column)
    seq_col, hash_col = qn(meta.get_field("seq").column), qn(meta.get_field("hash").column)
    pairs = sorted(keys)
    if event_heads_kept(connection):
        values = ", ".join(["(%s::integer, %s::text)"] * len(pairs))
        sql = (
            f"SELECT h.{type_col}, h.{id_col}, h.{seq_col}, h.{hash_col} FROM {qn(EventHead._meta.db_table)} h "
            f"JOIN (VALUES {values}) AS k(t, s) ON h.{type_col} = k.t AND h.{id_col} = k.s"
        )
    else:
        table = qn(meta.db_table)
        match = " OR ".join([f"(e.{type_col} = %s AND e.{id_col} = %s)"] * len(pairs))
        sql = (
            f"SELECT e.{type_col}, e.{id_col}, e.{seq_col}, e.{hash_col} FROM {table} e WHERE ({match}) "
            f"AND e.{seq_col} = (SELECT MAX(m.{seq_col}) FROM {table} m "
            f"WHERE m.{type_col} = e.{type_col} AND m.{id_col} = e.{id_col})"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [v for pair in pairs for v in pair])
        return {(t, s): (seq, h) for t, s, seq, h in cursor.fetchall()}


def _flush(pending: list[Event]) -> None:
    last = _last_links({(e.subject_type_id, e.subject_id) for e in pending})
    for e in pending:
        key = (e.subject_type_id, e.subject_id)
        seq, prev_hash = last.get(key, (0, ""))
        _seal(e, seq=seq + 1, prev_hash=prev_hash)
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


# --- many events at once (the scan, bulk imports) ---------------------------------------------


@dataclass
class EventEntry:
    """One event for `events_append_many`."""

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


def _row(
    *,
    tenant_id: int | None,
    subject_type_id: int,
    subject_id: str,
    seq: int,
    actor_id: int | None,
    at: datetime,
    at_iso: str,
    action: str,
    before: Any,
    after: Any,
    reason: str,
    prev_hash: str,
) -> EventRow:
    """One event as a row of _COLUMNS, hashed (`before`/`after` already as the database gives them)."""
    digest = event_hash(
        tenant_id=tenant_id,
        subject_type_id=subject_type_id,
        subject_id=subject_id,
        seq=seq,
        actor_id=actor_id,
        at_iso=at_iso,
        action=action,
        before=before,
        after=after,
        reason=reason,
        prev_hash=prev_hash,
    )
    return (tenant_id, subject_type_id, subject_id, seq, actor_id, at, action, before, after, reason, prev_hash, digest)


def _write_rows(rows: list[EventRow], *, batch_size: int = 2000) -> None:
    """Insert the events inside the caller's transaction: COPY on PostgreSQL (the rows are final,
    hashes included, so nothing needs to come back; psycopg's C `write_row` measured faster than
    building the COPY text in Python), bulk INSERTs elsewhere. A duplicate (subject, seq) raises
    Django's IntegrityError on both."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        Event.objects.bulk_create([Event(**dict(zip(_COLUMNS, r, strict=True))) for r in rows], batch_size=batch_size)
        return
    dumps = json.dumps
    sql = f"COPY {Event._meta.db_table} ({', '.join(_COLUMNS)}) FROM STDIN"
    with connection.cursor() as c, connection.wrap_database_errors, c.cursor.copy(sql) as copy:
        for r in rows:
            before = dumps(r[7], ensure_ascii=False) if r[7] else "{}"
            copy.write_row((*r[:7], before, dumps(r[8], ensure_ascii=False), *r[9:]))


def _newest_links(subject_type_id: int, subject_ids: list[str]) -> dict[str, tuple[int, str]]:
    """The newest (seq, hash) of each of many subjects of one type, one query per 5,000. On
    PostgreSQL the chains' heads (core.partitions), so neither a long chain nor many months cost more
    than a short one (on a plain PostgreSQL table: one LIMIT 1 probe of the unique (type, subject,
    seq) index per subject); elsewhere every link is read and the last one kept."""
    connection = transaction.get_connection()
    meta = Event._meta
    qn = connection.ops.quote_name
    type_col, id_col = qn(meta.get_field("subject_type").column), qn(meta.get_field("subject_id").column)
    seq_col, hash_col = qn(meta.get_field("seq").column), qn(meta.get_field("hash").column)
    if event_heads_kept(connection):
        sql: str | None = (
            f"SELECT h.{id_col}, h.{seq_col}, h.{hash_col} FROM {qn(EventHead._meta.db_table)} h "
            f"WHERE h.{id_col} = ANY(%s::text[]) AND h.{type_col} = %s"
        )
    elif connection.vendor == "postgresql":
        sql = (
            f"SELECT s.id, e.{seq_col}, e.{hash_col} FROM unnest(%s::text[]) AS s(id) CROSS JOIN LATERAL "
            f"(SELECT {seq_col}, {hash_col} FROM {qn(meta.db_table)} WHERE {type_col} = %s AND {id_col} = s.id "
            f"ORDER BY {seq_col} DESC LIMIT 1) AS e"
        )
    else:
        sql = None
    last: dict[str, tuple[int, str]] = {}
    for i in range(0, len(subject_ids), 5000):
        chunk = subject_ids[i : i + 5000]
        if sql is not None:
            with connection.cursor() as cursor:
                cursor.execute(sql, [chunk, subject_type_id])
                last.update((sid, (seq, digest)) for sid, seq, digest in cursor.fetchall())
            continue
        for sid, seq, digest in (
            Event.objects.filter(subject_type_id=subject_type_id, subject_id__in=chunk)
            .order_by("subject_id", "seq")
            .values_list("subject_id", "seq", "hash")
        ):
            last[sid] = (seq, digest)
    return last


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
        ct_id = ContentType.objects.get_for_model(model).pk
        last = {} if new_subjects else _newest_links(ct_id, sorted({str(e.subject.pk) for e in group}))
        for e in group:
            sid = str(e.subject.pk)
            seq, prev_hash = last.get(sid, (0, ""))
            row = _row(
                tenant_id=getattr(e.subject, "tenant_id", None),
                subject_type_id=ct_id,
                subject_id=sid,
                seq=seq + 1,
                actor_id=actor_id,
                at=at,
                at_iso=at_iso,
                action=e.action,
                before=_jsonable(e.before),
                after=_jsonable(e.after),
                reason=e.reason,
                prev_hash=prev_hash,
            )
            rows.append(row)
            last[sid] = (seq + 1, row[-1])
    _write_rows(rows, batch_size=batch_size)
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
    out = [
        _row(
            tenant_id=tenant_id,
            subject_type_id=ct_id,
            subject_id=str(pk),
            seq=1,
            actor_id=actor_id,
            at=at,
            at_iso=at_iso,
            action=action,
            before={},
            after=after,
            reason="",
            prev_hash="",
        )
        for pk, tenant_id, after in rows
    ]
    _write_rows(out)
    return len(out)


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
    written like `events_append_many` instead of a savepoint, a read and an insert per subject.
    `afters[i]` is the after-state of `subjects[i]`. A subject that already has events makes the
    write fail on the unique (subject, seq) constraint (IntegrityError), so a chain can never fork.
    Returns the events as written (their ids are not read back)."""
    if afters is not None and len(afters) != len(subjects):
        raise ValueError("afters must match subjects one to one")
    actor_id = _actor_id(actor)
    at = timezone.now()
    at_iso = _at_iso(at)
    types: dict[type[models.Model], int] = {}
    rows: list[EventRow] = []
    for i, subject in enumerate(subjects):
        ct_id = types.get(type(subject))
        if ct_id is None:
            ct_id = types[type(subject)] = ContentType.objects.get_for_model(subject).pk
        rows.append(
            _row(
                tenant_id=getattr(subject, "tenant_id", None),
                subject_type_id=ct_id,
                subject_id=str(subject.pk),
                seq=1,
                actor_id=actor_id,
                at=at,
                at_iso=at_iso,
                action=action,
                before={},
                after=_jsonable(afters[i] if afters is not None else None),
                reason=reason,
                prev_hash="",
            )
        )
    with transaction.atomic():
        _write_rows(rows, batch_size=batch_size)
    return [Event(**dict(zip(_COLUMNS, r, strict=True))) for r in rows]


# --- verifying the chains ---------------------------------------------------------------------


@dataclass(frozen=True)
class TrailBreak:
    event_id: int
    subject: str
    seq: int
    problem: str


_VERIFY_FIELDS = (
    "pk",
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


def trail_verify(
    queryset: models.QuerySet[Event] | None = None, *, subject: models.Model | None = None
) -> Iterator[TrailBreak]:
    """Yield every broken link of every chain (or of `subject`'s, or of the subjects `queryset`
    selects): a row whose content no longer matches its hash, a `prev_hash` that does not match the
    previous row, or a gap in the sequence (a deleted row). A deleted tail or a consistently
    rewritten chain is invisible here: `trail_anchor_verify` sees those."""
    qs = queryset if queryset is not None else Event.objects.all()
    if subject is not None:
        qs = qs.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk))
    rows = qs.order_by("subject_type_id", "subject_id", "seq").values_list(*_VERIFY_FIELDS)
    prev_key: tuple[int, str] | None = None
    prev_hash, prev_seq = "", 0
    for row in rows.iterator(chunk_size=5000):
        pk, tenant_id, type_id, subject_id, seq, actor_id, at, action, before, after, reason, e_prev, e_hash = row
        key = (type_id, subject_id)
        if key != prev_key:
            prev_key, prev_hash, prev_seq = key, "", 0
        label = f"{type_id}:{subject_id}"
        if seq != prev_seq + 1:
            yield TrailBreak(pk, label, seq, f"gap: expected #{prev_seq + 1}")
        if e_prev != prev_hash:
            yield TrailBreak(pk, label, seq, "prev_hash does not match the previous event")
        expected = event_hash(
            tenant_id=tenant_id,
            subject_type_id=type_id,
            subject_id=subject_id,
            seq=seq,
            actor_id=actor_id,
            at_iso=_at_iso(at),
            action=action,
            # as the database gave them back: _jsonable would only copy them
            before=before or {},
            after=after or {},
            reason=reason,
            prev_hash=e_prev,
        )
        if expected != e_hash:
            yield TrailBreak(pk, label, seq, "content does not match its hash")
        prev_hash, prev_seq = e_hash, seq


def trail_heads_verify() -> Iterator[TrailBreak]:
    """On PostgreSQL's partitioned trail (core.partitions), yield every subject whose chain head
    (`core_eventhead`) is not its newest event: a tail deleted (the head is ahead of the chain), a
    chain or a head written outside the trigger. One pass over the trail's (subject, seq) index and the
    heads, merged by the database. Nothing to check where no heads are kept."""
    connection = transaction.get_connection()
    if not event_heads_kept(connection):
        return
    sql = (
        "SELECT COALESCE(t.subject_type_id, h.subject_type_id), COALESCE(t.subject_id, h.subject_id), "
        "t.id, t.seq, h.seq FROM (SELECT DISTINCT ON (subject_type_id, subject_id) subject_type_id, "
        "subject_id, id, seq, hash FROM core_event ORDER BY subject_type_id, subject_id, seq DESC) t "
        "FULL JOIN core_eventhead h ON h.subject_type_id = t.subject_type_id AND h.subject_id = t.subject_id "
        "WHERE t.seq IS DISTINCT FROM h.seq OR t.hash IS DISTINCT FROM h.hash"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for type_id, subject_id, event_id, tail, head in cursor.fetchall():
            label = f"{type_id}:{subject_id}"
            if tail is None:
                problem = f"the chain's head is #{head} but the subject has no event"
            elif head is None:
                problem = f"the chain ends at #{tail} but has no head"
            else:
                problem = f"the chain's head is #{head} but its newest event is #{tail}"
            yield TrailBreak(event_id or 0, label, tail or 0, problem)


# --- anchors ----------------------------------------------------------------------------------

_ANCHOR_SALT = "xiaoneng.core.trail.anchor"


def _anchor_secret() -> str:
    """XIAONENG_TRAIL_KEY, or (unset) the SECRET_KEY: salted_hmac derives a key of its own from it
    with the salt, so the MAC never reuses the session signing key as such."""
    return settings.XIAONENG_TRAIL_KEY or settings.SECRET_KEY


def _anchor_key_id() -> str:
    """A fingerprint of the key (not the key): tells "made with another key" from "altered"."""
    return salted_hmac(_ANCHOR_SALT + ".key-id", "", secret=_anchor_secret(), algorithm="sha256").hexdigest()[:16]


def _anchor_mac(a: TrailAnchor) -> str:
    fields = ("v1", a.day.isoformat(), a.first_event_id, a.last_event_id, a.events, a.total_events, a.digest)
    message = "|".join(str(f) for f in fields)
    return salted_hmac(_ANCHOR_SALT, message, secret=_anchor_secret(), algorithm="sha256").hexdigest()


def _range_digest(prev_digest: str, links: Iterable[tuple[int, str]]) -> tuple[str, int]:
    """The digest chained over (id, hash) of each event in id order, from the previous anchor's
    digest; and how many events it covered."""
    h = hashlib.sha256(prev_digest.encode("ascii"))
    n = 0
    for pk, digest in links:
        h.update(f"{pk}:{digest};".encode("ascii"))
        n += 1
    return h.hexdigest(), n


def _links(first_exclusive: int, last: int) -> Iterator[tuple[int, str]]:
    return (
        Event.objects.filter(pk__gt=first_exclusive, pk__lte=last)
        .order_by("pk")
        .values_list("pk", "hash")
        .iterator(chunk_size=10000)
    )


def _committed_watermark() -> int:
    """The highest event id below which every event is committed (none will appear later).

    PostgreSQL hands out ids when a row is inserted, not when it commits: a transaction still open
    may hold a lower id than a committed one. A SHARE lock on the event table waits for every
    transaction that has inserted events to finish (an INSERT or COPY takes ROW EXCLUSIVE on the
    table before it draws an id) and keeps new ones out for the moment it takes to read MAX(id);
    ids drawn later are higher. `lock_timeout` bounds how long writers can queue behind it: on
    timeout the task fails and the next hourly run tries again. SQLite has one writer at a time, so
    the committed MAX(id) is already the watermark."""
    connection = transaction.get_connection()
    table = connection.ops.quote_name(Event._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL lock_timeout = '10s'")
            cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(Event._meta.pk.column)}), 0) FROM {table}")
        return int(cursor.fetchone()[0])


def trail_anchor_record(*, day: date | None = None) -> TrailAnchor:
    """Seal every event committed so far that no anchor covers yet, once per day (`day`, default
    today in Asia/Shanghai); idempotent: an existing anchor of that day is returned unchanged.
    Costs one pass over the events appended since the previous anchor."""
    day = day or timezone.localdate()
    existing = TrailAnchor.objects.filter(day=day).first()
    if existing is not None:
        return existing
    prev = TrailAnchor.objects.order_by("-last_event_id", "-day").first()
    if prev is not None and prev.day > day:
        raise ValueError(f"an anchor of a later day ({prev.day}) exists")
    watermark = max(_committed_watermark(), prev.last_event_id if prev else 0)
    first = prev.last_event_id if prev else 0
    digest, n = _range_digest(prev.digest if prev else "", _links(first, watermark))
    anchor = TrailAnchor(
        day=day,
        first_event_id=first,
        last_event_id=watermark,
        events=n,
        total_events=(prev.total_events if prev else 0) + n,
        digest=digest,
        key_id=_anchor_key_id(),
    )
    anchor.mac = _anchor_mac(anchor)
    anchor.save(force_insert=True)
    return anchor


@dataclass(frozen=True)
class AnchorBreak:
    day: date
    problem: str


def trail_anchor_verify(*, since: date | None = None) -> Iterator[AnchorBreak]:
    """Yield every anchor that no longer holds: its MAC (altered, or recomputed without the key),
    its place in the sequence (an anchor deleted), or its range of events (an event of it deleted —
    a subject's tail, say —, inserted, or its hash rewritten, as a chain recomputed to hide an edit
    would be). With `since`, only anchors of that day and later are re-read, chained from the
    stored digest of the anchor before (itself checked by its MAC)."""
    key_id = _anchor_key_id()
    anchors = list(TrailAnchor.objects.order_by("last_event_id", "day"))
    prev: TrailAnchor | None = None
    for a in anchors:
        if a.key_id != key_id:
            yield AnchorBreak(a.day, f"sealed with another key ({a.key_id}); cannot be checked with this one")
        elif not constant_time_compare(a.mac, _anchor_mac(a)):
            yield AnchorBreak(a.day, "the anchor's MAC does not match: altered or recomputed without the key")
        expected_first = prev.last_event_id if prev else 0
        chained = a.first_event_id == expected_first
        if not chained:
            # the digest chains from the missing anchor's: the range cannot be recomputed
            yield AnchorBreak(
                a.day,
                f"starts after event #{a.first_event_id} but the anchor before ends at #{expected_first}: "
                "an anchor is missing",
            )
        if prev is not None and a.day <= prev.day:
            yield AnchorBreak(a.day, f"out of order after the anchor of {prev.day}")
        if chained and (since is None or a.day >= since):
            digest, n = _range_digest(prev.digest if prev else "", _links(a.first_event_id, a.last_event_id))
            if n != a.events:
                yield AnchorBreak(
                    a.day,
                    f"events #{a.first_event_id + 1}–#{a.last_event_id}: {a.events} sealed, {n} found "
                    "(deleted or inserted since)",
                )
            elif digest != a.digest:
                yield AnchorBreak(
                    a.day,
                    f"events #{a.first_event_id + 1}–#{a.last_event_id}: the digest differs "
                    "(an event rewritten since it was sealed)",
                )
        prev = a
