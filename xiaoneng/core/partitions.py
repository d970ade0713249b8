"""Monthly partitions of the Event trail on PostgreSQL (docs/operations.md, "Partitions and retention").

`core_event` grows with every action of every user and is never updated or deleted, which is what
range partitioning by month is for: each month is a table of its own with its own indexes, so a
month's indexes stay small, vacuum and backups can work month by month, a statistic over a period
reads only that period's months (partition pruning on `at`), and a closed month can be archived as
one table. Only PostgreSQL is partitioned; the embedded SQLite default keeps one table.

What changes on PostgreSQL, and why:

* The primary key is (id, at): a partitioned table's unique constraints must contain the partition
  key. `id` still comes from one sequence, so it stays unique; Django keeps addressing rows by `id`.
* The rule "one seq per subject" (`core_event_unique_seq`) cannot be a unique constraint over the
  whole table for the same reason; and finding a subject's newest event would mean a probe of every
  month. Both are answered by `core_eventhead` (model EventHead): one row per subject with the seq and
  hash of its newest event, kept by a row trigger on `core_event`, which moves the subject's head to
  each event inserted and refuses the statement unless the event continues the chain (its seq one
  past the head's, or 1 with no head; its prev_hash the head's hash). Two writers of one subject
  meet on its head row: the second waits for the first and is then refused, as the unique
  constraint refused it. The error is a unique violation named `core_event_unique_seq` (Django's
  IntegrityError). Appends read the head (core.trail), one key look-up however many months there are.
* Every month also has a unique index on (subject_type_id, subject_id, seq): it serves a subject's
  history and keeps the rule within the month even for a writer that bypasses the trigger.
* Rows whose month has no partition yet land in `core_event_default` rather than fail; the daily
  `event_partitions_ensure` creates the coming months and moves any such rows into their month.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_PARTITION",
    "MONTHS_AHEAD",
    "EventPartition",
    "event_heads_kept",
    "event_partitions",
    "event_partitions_ensure",
    "event_table_partition",
    "event_table_partitioned",
    "event_table_unpartition",
]

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

PARENT = "core_event"
DEFAULT_PARTITION = "core_event_default"
UNIQUE_SEQ = "core_event_unique_seq"
# months created ahead of today by the daily job: a stopped scheduler has three months to be noticed
# before events start landing in the default partition (where they are still kept, and moved later)
MONTHS_AHEAD = 3
# a fixed key for the advisory lock that keeps two partition maintenances apart ("xn-parts")
_LOCK_KEY = int.from_bytes(b"xn-parts", "big") & 0x7FFF_FFFF_FFFF_FFFF

HEADS = "core_eventhead"

# A row trigger, not a statement trigger over the inserted rows: its two statements are planned once
# per connection and cost a key look-up each, where a set-based check over a transition table is
# planned anew on every INSERT (measured: bench/partitions.py). Rows of one statement are checked in
# order, so a COPY carrying several events of one subject chains them one after the other. The UPDATE
# waits on a head row another transaction holds and then re-checks it against the committed head
# (READ COMMITTED): a racing writer of the same subject is refused.
_CHAIN_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {UNIQUE_SEQ}_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head integer;
BEGIN
    IF NEW.seq = 1 AND NEW.prev_hash = '' THEN
        INSERT INTO {HEADS} (subject_type_id, subject_id, seq, hash)
        VALUES (NEW.subject_type_id, NEW.subject_id, 1, NEW.hash)
        ON CONFLICT DO NOTHING;
    ELSE
        UPDATE {HEADS} SET seq = NEW.seq, hash = NEW.hash
        WHERE subject_type_id = NEW.subject_type_id AND subject_id = NEW.subject_id
          AND seq = NEW.seq - 1 AND hash = NEW.prev_hash;
    END IF;
    IF NOT FOUND THEN
        SELECT h.seq INTO head FROM {HEADS} h
        WHERE h.subject_type_id = NEW.subject_type_id AND h.subject_id = NEW.subject_id;
        RAISE EXCEPTION 'duplicate key value violates unique constraint "{UNIQUE_SEQ}"'
            USING ERRCODE = 'unique_violation', CONSTRAINT = '{UNIQUE_SEQ}', TABLE = '{PARENT}',
                  DETAIL = format('Key (subject_type_id, subject_id, seq)=(%s, %s, %s) does not continue '
                                  'its chain, whose newest event is #%s.',
                                  NEW.subject_type_id, NEW.subject_id, NEW.seq, COALESCE(head, 0));
    END IF;
    RETURN NEW;
END
$$
"""

_CHAIN_TRIGGER = (
    f"CREATE TRIGGER {UNIQUE_SEQ} BEFORE INSERT ON {PARENT} FOR EACH ROW EXECUTE FUNCTION {UNIQUE_SEQ}_check()"
)


@dataclass(frozen=True)
class EventPartition:
    name: str
    month: date | None  # None: the default partition
    rows: int  # PostgreSQL's estimate (pg_class.reltuples), or exact when asked
    bytes: int  # table, indexes and TOAST


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _month(d: date) -> date:
    return date(d.year, d.month, 1)


def _next_month(m: date, n: int = 1) -> date:
    index = m.year * 12 + m.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _partition_name(month: date) -> str:
    return f"{PARENT}_y{month.year:04d}m{month.month:02d}"


def _bound(month: date) -> str:
    """The month's first instant in the deployment's time zone, as a timestamptz literal: a month of the
    trail is a calendar month in Beijing time, as every statistic counts it."""
    return datetime(month.year, month.month, 1, tzinfo=_tz()).isoformat(sep=" ")


def _is_postgresql() -> bool:
    return bool(connection.vendor == "postgresql")


def event_table_partitioned() -> bool:
    """True when `core_event` is a partitioned table (PostgreSQL after core migration 0006)."""
    if not _is_postgresql():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [PARENT])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


_HEADS_FLAG = "_xiaoneng_event_heads_kept"


def event_heads_kept(conn: Any = None) -> bool:
    """Whether this database keeps the chains' heads (PostgreSQL after migration 0006), so that an
    append reads the head instead of the newest event. Asked once per connection object (Django keeps
    one per thread for the life of the process); the migration that changes it resets the answer."""
    conn = conn if conn is not None else connection
    cached = getattr(conn, _HEADS_FLAG, None)
    if cached is None:
        cached = False
        if conn.vendor == "postgresql":
            with conn.cursor() as cursor:
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [HEADS])
                cached = bool(cursor.fetchone()[0])
        setattr(conn, _HEADS_FLAG, cached)
    return bool(cached)


def _forget(conn: Any) -> None:
    if hasattr(conn, _HEADS_FLAG):
        delattr(conn, _HEADS_FLAG)


def _unique_seq_index(cursor: Any, partition: str) -> None:
    """The month's own unique (subject, seq) index: a partitioned table cannot have one over all months."""
    cursor.execute(f"CREATE UNIQUE INDEX {partition}_unique_seq ON {partition} (subject_type_id, subject_id, seq)")


def _create_month(cursor: Any, month: date) -> str:
    name = _partition_name(month)
    cursor.execute(
        f"CREATE TABLE {name} PARTITION OF {PARENT} "
        f"FOR VALUES FROM ('{_bound(month)}') TO ('{_bound(_next_month(month))}')"
    )
    _unique_seq_index(cursor, name)
    return name


def _create_default(cursor: Any) -> None:
    cursor.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {PARENT} DEFAULT")
    _unique_seq_index(cursor, DEFAULT_PARTITION)


_PARTITIONS_SQL = (
    "SELECT c.relname, c.reltuples, pg_total_relation_size(c.oid) FROM pg_inherits i "
    "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY c.relname"
)


def _existing_months(cursor: Any) -> set[str]:
    cursor.execute(_PARTITIONS_SQL, [PARENT])
    return {r[0] for r in cursor.fetchall()}


def _months_in(cursor: Any, table: str) -> list[date]:
    run = cursor.execute
    run(f"SELECT DISTINCT date_trunc('month', at AT TIME ZONE %s)::date FROM {table}", [settings.TIME_ZONE])
    return sorted(r[0] for r in cursor.fetchall())


def event_partitions_ensure(*, today: date | None = None, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create the partitions of this month and the next `months_ahead`, and of every month that has
    rows in the default partition (moved into their month in the same transaction). Returns the names
    created. Idempotent; a no-op off PostgreSQL or on an unpartitioned table. Waits at most 10 s for the
    table lock (the next daily run tries again)."""
    if not event_table_partitioned():
        return []
    this_month = _month(today or timezone.localdate())
    wanted = {_next_month(this_month, n) for n in range(months_ahead + 1)}
    created: list[str] = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        cursor.execute("SET LOCAL lock_timeout = '10s'")
        existing = _existing_months(cursor)
        stranded = [m for m in _months_in(cursor, DEFAULT_PARTITION) if _partition_name(m) not in existing]
        missing = sorted(m for m in wanted if _partition_name(m) not in existing)
        if stranded:
            # a month's bounds may not overlap rows of the default partition: take it out, fill each
            # stranded month's table from it (plain tables: the rows are not inserted anew through
            # the trail, so the chain trigger does not see them twice), attach them, put it back
            cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {DEFAULT_PARTITION}")
            for month in stranded:
                name = _partition_name(month)
                lo, hi = _bound(month), _bound(_next_month(month))
                cursor.execute(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                where = f"at >= '{lo}' AND at < '{hi}'"
                cursor.execute(f"INSERT INTO {name} SELECT * FROM {DEFAULT_PARTITION} WHERE {where}")
                cursor.execute(f"DELETE FROM {DEFAULT_PARTITION} WHERE {where}")
                cursor.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES FROM ('{lo}') TO ('{hi}')")
                _unique_seq_index(cursor, name)
                created.append(name)
            cursor.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {DEFAULT_PARTITION} DEFAULT")
        for month in missing:
            if _partition_name(month) not in created:
                created.append(_create_month(cursor, month))
    return created


def event_partitions(*, exact: bool = False) -> list[EventPartition]:
    """The partitions of `core_event`, oldest month first and the default partition last."""
    if not event_table_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(_PARTITIONS_SQL, [PARENT])
        rows = cursor.fetchall()
        parts = []
        for name, estimate, size in rows:
            count = max(int(estimate), 0)
            if exact:
                cursor.execute(f"SELECT COUNT(*) FROM {name}")
                count = int(cursor.fetchone()[0])
            month = None if name == DEFAULT_PARTITION else date(int(name[-7:-3]), int(name[-2:]), 1)
            parts.append(EventPartition(name, month, count, int(size)))
    return sorted(parts, key=lambda p: (p.month is None, p.month or date.min))


def _table_definitions(cursor: Any, table: str) -> tuple[list[str], list[str]]:
    """The secondary indexes and the foreign keys of `table`, as SQL that recreates them."""
    run = cursor.execute
    run(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
        "AND indexname NOT IN (%s, %s) ORDER BY indexname",
        [table, f"{PARENT}_pkey", UNIQUE_SEQ],
    )
    indexes = [r[0] for r in cursor.fetchall()]
    run(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [table],
    )
    fks = [f"ALTER TABLE {PARENT} ADD CONSTRAINT {n} {d}" for n, d in cursor.fetchall()]
    return indexes, fks


def _drop_definitions(cursor: Any, table: str) -> None:
    run = cursor.execute
    run(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('f', 'p', 'u')",
        [table],
    )
    for (name,) in cursor.fetchall():
        run(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    run("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s", [table])
    for (name,) in cursor.fetchall():
        run(f"DROP INDEX IF EXISTS {name}")


def _set_aside(cursor: Any, old: str) -> tuple[list[str], int]:
    """Lock the trail, note how to recreate its indexes and foreign keys and its highest id, strip them
    and rename the table to `old` (both directions of migration 0006 then build the new table)."""
    run = cursor.execute
    run(f"LOCK TABLE {PARENT} IN ACCESS EXCLUSIVE MODE")
    indexes, fks = _table_definitions(cursor, PARENT)
    run(f"SELECT COALESCE(MAX(id), 0) FROM {PARENT}")
    last_id = int(cursor.fetchone()[0])
    if old.endswith("_partitioned"):
        run(f"DROP TRIGGER IF EXISTS {UNIQUE_SEQ} ON {PARENT}")
        run(f"DROP FUNCTION IF EXISTS {UNIQUE_SEQ}_check()")
        run(f"TRUNCATE {HEADS}")
    _drop_definitions(cursor, PARENT)
    run(f"ALTER TABLE {PARENT} RENAME TO {old}")
    return [*indexes, *fks], last_id


def event_table_partition(schema_editor: object) -> None:
    """Turn the plain `core_event` into the partitioned one, keeping every row, id, index and foreign
    key (core migration 0006). The rows are copied once (a million in about 20 s on this machine)."""
    _forget(connection)
    with connection.cursor() as cursor:
        run = cursor.execute
        old = f"{PARENT}_unpartitioned"
        definitions, last_id = _set_aside(cursor, old)
        run(f"ALTER TABLE {old} ALTER COLUMN id DROP IDENTITY IF EXISTS")
        run(f"CREATE TABLE {PARENT} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (at)")
        run(f"CREATE SEQUENCE {PARENT}_id_seq OWNED BY {PARENT}.id")
        run(f"SELECT setval('{PARENT}_id_seq', %s, %s)", [max(last_id, 1), last_id > 0])
        run(f"ALTER TABLE {PARENT} ALTER COLUMN id SET DEFAULT nextval('{PARENT}_id_seq')")
        run(f"ALTER TABLE {PARENT} ADD CONSTRAINT {PARENT}_pkey PRIMARY KEY (id, at)")
        for sql in definitions:
            run(sql)
        _create_default(cursor)
        this_month = _month(timezone.localdate())
        months = set(_months_in(cursor, old)) | {_next_month(this_month, n) for n in range(MONTHS_AHEAD + 1)}
        for month in sorted(months):
            _create_month(cursor, month)
        run(f"INSERT INTO {PARENT} SELECT * FROM {old}")
        run(f"DROP TABLE {old}")
        # the heads of the chains as they stand; from now on the trigger keeps them
        run(
            f"INSERT INTO {HEADS} (subject_type_id, subject_id, seq, hash) "
            f"SELECT DISTINCT ON (subject_type_id, subject_id) subject_type_id, subject_id, seq, hash "
            f"FROM {PARENT} ORDER BY subject_type_id, subject_id, seq DESC"
        )
        run(_CHAIN_FUNCTION)
        run(_CHAIN_TRIGGER)
        run(f"ANALYZE {PARENT}")
        run(f"ANALYZE {HEADS}")


def event_table_unpartition(schema_editor: object) -> None:
    """The way back (core migration 0006 reversed): one plain table with the unique constraint."""
    _forget(connection)
    with connection.cursor() as cursor:
        run = cursor.execute
        old = f"{PARENT}_partitioned"
        definitions, last_id = _set_aside(cursor, old)
        run(f"ALTER TABLE {old} ALTER COLUMN id DROP DEFAULT")
        run(f"DROP SEQUENCE IF EXISTS {PARENT}_id_seq")
        run(f"CREATE TABLE {PARENT} (LIKE {old} INCLUDING CONSTRAINTS)")
        run(f"ALTER TABLE {PARENT} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
        run(f"INSERT INTO {PARENT} SELECT * FROM {old}")
        run(f"DROP TABLE {old} CASCADE")
        run(f"SELECT setval(pg_get_serial_sequence('{PARENT}', 'id'), %s, %s)", [max(last_id, 1), last_id > 0])
        run(f"ALTER TABLE {PARENT} ADD CONSTRAINT {PARENT}_pkey PRIMARY KEY (id)")
        run(f"ALTER TABLE {PARENT} ADD CONSTRAINT {UNIQUE_SEQ} UNIQUE (subject_type_id, subject_id, seq)")
        for sql in definitions:
            run(sql.replace(" ONLY ", " "))
