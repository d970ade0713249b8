"""Set-based recompute of open clocks after a calendar (or threshold) change, for a million of them
(CLK-5; bench/supervision.py (b): the target is under 20 s for 1,000,000 open clocks on PostgreSQL).

`services.clocks_recompute` loads each clock as a model, recomputes it and saves it with its own
Event: right for the few hundred clocks a year's confirmation usually touches, far too slow for a
full rescan. `clocks_recompute_bulk` gives each clock the same instants and alert level,
differently:

- it streams the open clocks in chunks of plain values in id order (keyset pagination): only the
  inputs of the computation — unit, limit, extension total, statutory limit, start, status, the
  alert level already raised — and the pause spans that count (one query per chunk);
- it computes the instants in Python with the in-memory WorkCalendar through the very same
  `deadline.compute_instants`, with the same threshold resolver `services._apply_instants` uses.
  A day-based deadline depends only on local dates (deadline.py), so the result is memoised per
  (unit, limits, start date, pause dates, offsets): a million clocks share a few thousand distinct
  computations: for plain day clocks (no pause, not hours) the database gets only those distinct
  instants and joins them to the clocks by key; an hour clock without a pause is elapsed-time
  arithmetic (no calendar, no thresholds), done in SQL; clocks with pauses get their own values
  (each distinct literal built once);
- it lowers the alert level exactly as `services._lower_alert_level` does and recomputes the next
  alert instant as `services.clock_next_alert_at` does;
- it writes back with one `UPDATE … FROM unnest(arrays)` per chunk on PostgreSQL, which compares
  old and new values in SQL and writes only the clocks whose instants, next alert or alert level
  changed (on SQLite, the development database, a guarded UPDATE per changed row);
- it appends ONE Event summarising the recompute (how many clocks were recomputed and how many
  changed) on the calendar revision it computed with, instead of one `clock.recomputed` per clock;
- with `workers=2` (what `manage.py supervision_rescan` passes) two chunks run at once on two
  connections, each in its own transaction: most of a chunk's time is the database rewriting the
  changed rows and their index entries, which one connection cannot spread over two cores.

Two deliberate differences from `services.clocks_recompute`, both for cost at a million clocks:

1. A clock whose instants, next alert and alert level come out exactly as they were is not
   written: it keeps the `calendar_revision` it was computed with. That stays true (CLK-5: "each
   deadline records the calendar revision it was computed with" — those instants were computed
   with that revision, and the new one gives the same), and the change "recomputes the open clocks
   it affects": those whose deadline moves. Rewriting every row to restamp it is what made the
   full rescan miss its target: on PostgreSQL an UPDATE that cannot be HOT (`due_date` and
   `next_alert_at` are indexed) writes an entry in every one of the clock table's indexes — seven
   since migration 0002 dropped three redundant ones — 20–35 µs per row here (docs/performance.md).
   A clock that does change gets every cached field, the new revision included, exactly as
   `clock_recompute` would write it (tests/test_bulk.py compares them).
2. One summary event instead of one per clock. CLK-5 asks that the calendar change be logged, and
   it is — by the revision's own event (who changed which days) and by this summary (on which
   revision, how many clocks, how many moved). A per-clock before/after for a million rows would
   write a million hash-chained rows per calendar change, an audit cost that adds no information:
   each clock's instants stay derivable from its history (start, pauses, extensions, each on the
   clock's own trail) and the calendar revision it records, and the revisions are on the trail.

No row locks are held while computing. Every UPDATE is guarded by the row version the chunk read
(PostgreSQL's `xmin`; on SQLite `updated_at` and the alert level): a clock that a pause, resume,
extension, stop or the supervision scan changed in the meantime is never overwritten with values
computed from its old state. Such a clock, if it changed before the UPDATE's snapshot, is computed
again under its row lock through `services.clock_recompute`; if its change was still in flight,
the service that changed it computed its instants from its new state itself.
"""

from __future__ import annotations

__all__ = ["ChunkWrite", "clocks_recompute_bulk", "write_chunk"]

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import BooleanField, DateTimeField, F, IntegerField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from xiaoneng.core.trail import event_append
from xiaoneng.workdays import services
from xiaoneng.workdays.calendar import WorkCalendar, get_calendar
from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES, ClockStatus, ClockUnit
from xiaoneng.workdays.deadline import Instants, PauseSpan, compute_instants, day_start, local_date
from xiaoneng.workdays.ladder import (
    RUNGS,
    SQL,
    level_at,
    level_expression,
    lowered_level,
    next_alert_expression,
    next_alert_level,
    rung_instant_expression,
    sql_text,
)
from xiaoneng.workdays.models import CalendarRevision, Clock, ClockPause
from xiaoneng.workdays.selectors import clocks_affected_by_years

CHUNK = 20_000  # clocks per chunk on the row path (SQLite)
PG_CHUNK = 100_000  # on PostgreSQL, where most clocks take the set-based path
_MEMO_MAX = 200_000  # distinct day-based computations kept at once (a few thousand in practice)

# the instants, in the order of services._CACHED_FIELDS (calendar_revision and next_alert_at apart)
_INSTANTS = (
    "due_date",
    "due_at",
    "remind_at",
    "warn_at",
    "red_at",
    "statutory_due_date",
    "statutory_due_at",
    "remaining",
    "provisional",
)
_PG_TYPES = ("date", "timestamptz", "timestamptz", "timestamptz", "timestamptz", "date", "timestamptz", "int", "bool")
# everything clock_recompute writes
_OUTPUTS = (*_INSTANTS, "calendar_revision", "next_alert_at", "alert_level")
if not (sorted([*services._CACHED_FIELDS, "alert_level"]) == sorted(_OUTPUTS)):
    raise RuntimeError("invariant: sorted([*services._CACHED_FIELDS, 'alert_level']) == sorted(_OUTPUTS)")
# what tells whether a clock changed: all of it but the revision stamp (see the module docstring)
_COMPARED = (*_INSTANTS, "next_alert_at", "alert_level")

# one clock as read: (id, version, tenant_id, kind, unit, limit, extension_total, statutory_limit,
# exact start or None for day clocks without pauses, local start date's ordinal, running?, level)
ClockIn = tuple[int, Any, int, str, str, int, int, int | None, datetime | None, int, bool, int]
Spans = dict[int, list[tuple[datetime, datetime | None]]]


@dataclass
class Chunk:
    """One chunk's result: the distinct instants, and per clock which of them applies with its new
    alert level and which instant (0 none, 1 remind … 4 statutory) is its next alert."""

    revision: int
    table: list[Instants] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    versions: list[Any] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)
    nexts: list[int] = field(default_factory=list)
    read_levels: list[int] = field(default_factory=list)

    def values(self, i: int) -> dict[str, Any]:
        """The fields clock_recompute would write for the i-th clock."""
        inst = self.table[self.index[i]]
        out = {f: getattr(inst, f) for f in _INSTANTS}
        nxt = self.nexts[i]
        out["next_alert_at"] = getattr(inst, RUNGS[nxt - 1].field) if nxt else None  # LAD-NEXT
        out["alert_level"] = self.levels[i]
        out["calendar_revision"] = self.revision
        return out


@dataclass(frozen=True)
class ChunkWrite:
    changed: int
    conflicts: list[int]  # clocks changed by someone else since the chunk was read


class _Computer:
    """The computation, with its memo and resolver cache kept across chunks."""

    def __init__(self, cal: WorkCalendar) -> None:
        self.cal = cal
        self.memo: dict[tuple[Any, ...], Instants] = {}
        self.offsets: dict[tuple[int, str], tuple[int, int, int]] = {}
        # the resolver installed into services (supervision's per-jurisdiction thresholds), read at
        # call time as services._apply_instants does
        self.resolver: Callable[[Clock], tuple[int, int, int]] = services._threshold_resolver

    def _offsets(self, tenant_id: int, kind: str) -> tuple[int, int, int]:
        # The resolver's contract: thresholds per jurisdiction and kind of obligation (SUP-1).
        off = self.offsets[(tenant_id, kind)] = self.resolver(Clock(tenant_id=tenant_id, kind=kind))
        return off

    def _instants(
        self,
        unit: str,
        limit: int,
        stat: int | None,
        started: datetime | None,
        start_ord: int,
        spans: list[tuple[datetime, datetime | None]] | None,
        off: tuple[int, int, int],
    ) -> Instants:
        pauses = [PauseSpan(s, e) for s, e in spans] if spans else []
        if unit == ClockUnit.HOURS:
            if started is None:
                raise RuntimeError("invariant: started is not None")
            # elapsed time: depends on the exact instants, nothing to share
            return compute_instants(
                cal=self.cal,
                unit=unit,
                limit=limit,
                statutory_limit=stat,
                started_at=started,
                pauses=pauses,
                remind_offset=off[0],
                warn_offset=off[1],
                red_offset=off[2],
            )
        # working and natural days: compute_instants reads only the local dates of the start and of
        # each pause, so equal dates give equal instants
        key = (
            unit,
            limit,
            stat,
            start_ord,
            tuple((local_date(p.started_at), local_date(p.ended_at) if p.ended_at else None) for p in pauses),
            off,
        )
        inst = self.memo.get(key)
        if inst is None:
            if len(self.memo) >= _MEMO_MAX:
                self.memo.clear()
            inst = self.memo[key] = compute_instants(
                cal=self.cal,
                unit=unit,
                limit=limit,
                statutory_limit=stat,
                started_at=started or day_start(date.fromordinal(start_ord)),
                pauses=pauses,
                remind_offset=off[0],
                warn_offset=off[1],
                red_offset=off[2],
            )
        return inst

    def chunk(self, clocks: Sequence[ClockIn], spans: Spans, now: datetime) -> Chunk:
        """services._apply_instants then services._lower_alert_level, on plain values."""
        out = Chunk(self.cal.revision)
        positions: dict[int, int] = {}  # id(Instants) -> position in out.table
        levels: dict[tuple[int, int, bool], tuple[int, int]] = {}
        offsets = self.offsets
        for pk, version, tenant_id, kind, unit, limit, ext, stat, started, start_ord, running, level in clocks:
            off = offsets.get((tenant_id, kind)) or self._offsets(tenant_id, kind)
            inst = self._instants(
                unit, limit + ext, (stat + ext) if stat else None, started, start_ord, spans.get(pk), off
            )
            pos = positions.get(id(inst))
            if pos is None:
                pos = positions[id(inst)] = len(out.table)
                out.table.append(inst)
            lk = (pos, level, running)
            new = levels.get(lk)
            if new is None:
                new = levels[lk] = _level_and_next(inst, level, running, now)
            out.ids.append(pk)
            out.versions.append(version)
            out.index.append(pos)
            out.levels.append(new[0])
            out.nexts.append(new[1])
            out.read_levels.append(level)
        return out


def _level_and_next(inst: Instants, level: int, running: bool, now: datetime) -> tuple[int, int]:
    """services._apply_instants then services._lower_alert_level on plain values: the level still
    held (ladder.lowered_level, LAD-LOWER) and the rung of the next alert (LAD-NEXT, 0 none)."""
    level = lowered_level(inst, level, now, inst.due_at)
    return level, next_alert_level(inst, level, running)


# --- reading ------------------------------------------------------------------------------------


def _read_pg(base: models.QuerySet[Clock], last: int, size: int) -> tuple[list[ClockIn], Spans]:
    """PostgreSQL: the row version (xmin) guards the write; the local start date comes as an
    ordinal, the exact start only for hour clocks (no timestamp to parse for the others)."""
    tz = settings.TIME_ZONE
    qs = (
        base.filter(pk__gt=last)
        .order_by("pk")
        .annotate(
            _version=RawSQL(f'"{Clock._meta.db_table}"."xmin"::text::bigint', []),
            _start_ord=RawSQL("((started_at AT TIME ZONE %s)::date - DATE '0001-01-01') + 1", [tz]),
            _running=RawSQL("status = %s", [ClockStatus.RUNNING.value]),
            # a day clock needs only local dates (its pauses are filtered below, in SQL)
            _started=RawSQL("CASE WHEN unit = %s THEN started_at END", [ClockUnit.HOURS.value]),
        )
        .values_list(
            "pk",
            "_version",
            "tenant_id",
            "kind",
            "unit",
            "limit",
            "extension_total",
            "statutory_limit",
            "_started",
            "_start_ord",
            "_running",
            "alert_level",
        )[:size]
    )
    clocks = list(qs)
    if not clocks:
        return [], {}
    spans: Spans = {}
    # DIS-1: pauses before the (re)start no longer count (services._apply_instants), filtered here
    with connection.cursor() as c:
        c.execute(
            f"""SELECT p.clock_id, p.started_at, p.ended_at
                FROM {ClockPause._meta.db_table} AS p JOIN {Clock._meta.db_table} AS k ON k.id = p.clock_id
                WHERE p.clock_id BETWEEN %s AND %s AND p.started_at >= k.started_at
                ORDER BY p.clock_id, p.started_at, p.id""",
            [clocks[0][0], clocks[-1][0]],
        )
        for clock_id, started, ended in c.fetchall():
            spans.setdefault(clock_id, []).append((started, ended))
    return clocks, spans


def _read_portable(base: models.QuerySet[Clock], last: int, size: int) -> tuple[list[ClockIn], Spans]:
    rows = list(
        base.filter(pk__gt=last)
        .order_by("pk")
        .values_list(
            "pk",
            "updated_at",
            "tenant_id",
            "kind",
            "unit",
            "limit",
            "extension_total",
            "statutory_limit",
            "started_at",
            "status",
            "alert_level",
        )[:size]
    )
    if not rows:
        return [], {}
    starts = {r[0]: r[8] for r in rows}
    spans: Spans = {}
    pauses = (
        ClockPause.objects.filter(clock_id__gte=rows[0][0], clock_id__lte=rows[-1][0])
        .order_by("clock_id", "started_at", "id")
        .values_list("clock_id", "started_at", "ended_at")
    )
    for clock_id, started, ended in pauses:
        if clock_id in starts and started >= starts[clock_id]:  # DIS-1, as in services._apply_instants
            spans.setdefault(clock_id, []).append((started, ended))
    clocks: list[ClockIn] = [
        (pk, ver, t, kind, unit, lim, ext, stat, started, local_date(started).toordinal(), st == "running", lvl)
        for pk, ver, t, kind, unit, lim, ext, stat, started, st, lvl in rows
    ]
    return clocks, spans


# --- writing ------------------------------------------------------------------------------------


def _columns(prefix: str) -> Callable[[str], SQL]:
    """The ladder's rung columns in a hand-written statement: `prefix` + the Clock field."""
    return lambda f: SQL(prefix + f, DateTimeField())


def _literal(v: Any) -> str:
    if v is None:
        return "NULL"
    if v is True or v is False:
        return "t" if v else "f"
    if isinstance(v, date):  # dates and aware datetimes: ISO 8601, no character needs quoting
        return v.isoformat()
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(v)


def _array(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal: psycopg adapts a Python list element by element (several µs per
    datetime); one string is parsed by the server in C."""
    return "{" + ",".join(map(_literal, values)) + "}"


def _write_pg(chunk: Chunk, now: datetime) -> ChunkWrite:
    """One statement per chunk: each clock's new values as arrays (the literal of each distinct
    instant is built once and repeated per clock), joined to the table by primary key, compared,
    and only the clocks that differ and are still as read are written.

    Each clock carries its own values rather than an index into a table of distinct instants: a
    join between two unnest() results has no row estimate, and the 50-fold overestimate it made
    turned the UPDATE's join to the table into a hash of all its rows — a full scan of the clock
    table per chunk, whenever any clock of the chunk changed (docs/performance.md)."""
    table = Clock._meta.db_table
    inst_cols = ", ".join(_INSTANTS)
    inst_arrays = ", ".join(f"%s::{t}[]" for t in _PG_TYPES)
    sets = ", ".join(f"{c} = n.{c}" for c in _OUTPUTS)
    old = ", ".join(f"k.{c}" for c in _COMPARED)
    new = ", ".join(f"n.{c}" for c in _COMPARED)
    # LAD-NEXT: the instant of the rung computed in Python (Chunk.nexts)
    next_alert, _none = sql_text(rung_instant_expression(SQL("v.nxt", IntegerField()), col=_columns("v.")))
    sql = f"""
        WITH n AS (
            SELECT v.*, %s::int AS calendar_revision, {next_alert} AS next_alert_at
            FROM unnest(%s::bigint[], %s::bigint[], %s::smallint[], %s::smallint[], {inst_arrays})
                AS v(id, version, alert_level, nxt, {inst_cols})
        ),
        cmp AS (
            SELECT n.*, k.xmin::text::bigint = n.version AS same, ({old}) IS DISTINCT FROM ({new}) AS differs
            FROM n JOIN {table} AS k ON k.id = n.id
        ),
        upd AS (
            UPDATE {table} AS k SET {sets}, updated_at = %s
            FROM cmp AS n
            WHERE n.same AND n.differs AND k.id = n.id AND k.xmin::text::bigint = n.version
            RETURNING k.id
        )
        SELECT (SELECT count(*) FROM upd), ARRAY(SELECT id FROM cmp WHERE NOT same ORDER BY id)
    """
    index = chunk.index

    def per_clock(f: str) -> str:
        lits = [_literal(getattr(inst, f)) for inst in chunk.table]
        return "{" + ",".join([lits[j] for j in index]) + "}"

    params: list[Any] = [
        chunk.revision,
        _array(chunk.ids),
        _array(chunk.versions),
        _array(chunk.levels),
        _array(chunk.nexts),
        *(per_clock(f) for f in _INSTANTS),
        now,
    ]
    with connection.cursor() as c:
        c.execute(sql, params)
        changed, conflicts = c.fetchone()
    return ChunkWrite(changed, list(conflicts))


def _write_portable(chunk: Chunk, now: datetime) -> ChunkWrite:
    """Other databases (SQLite in development): compare in Python, one guarded UPDATE per changed
    row (the guard: `updated_at`, which every clock service saves, and the alert level, which the
    supervision scan moves)."""
    current = {r[0]: r[1:] for r in Clock.objects.filter(pk__in=chunk.ids).values_list("pk", "updated_at", *_COMPARED)}
    changed, conflicts = 0, []
    for i, pk in enumerate(chunk.ids):
        row = current.get(pk)
        if row is None:
            continue
        if row[0] != chunk.versions[i] or row[-1] != chunk.read_levels[i]:
            conflicts.append(pk)
            continue
        values = chunk.values(i)
        if tuple(row[1:]) == tuple(values[f] for f in _COMPARED):
            continue
        guarded = Clock.objects.filter(pk=pk, updated_at=chunk.versions[i], alert_level=chunk.read_levels[i])
        if guarded.update(**values, updated_at=now):
            changed += 1
        else:
            conflicts.append(pk)
    return ChunkWrite(changed, conflicts)


def write_chunk(chunk: Chunk, now: datetime) -> ChunkWrite:
    """Store a computed chunk: only clocks that changed, and only if still as they were read."""
    if not chunk.ids:
        return ChunkWrite(0, [])
    if connection.vendor == "postgresql":
        return _write_pg(chunk, now)
    return _write_portable(chunk, now)


def _recompute_locked(ids: list[int], *, actor: Any, cal: WorkCalendar) -> int:
    # someone changed these while we computed: compute them again the slow way, under their lock
    changed = 0
    chunk = (
        Clock.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, status__in=OPEN_CLOCK_STATUSES)
        .order_by("pk")
        .prefetch_related("pauses")
    )
    for clock in chunk:
        if services.clock_recompute(clock=clock, actor=actor, cal=cal):
            changed += 1
    return changed


# --- PostgreSQL: plain day clocks, set-based ------------------------------------------------------
#
# A working- or natural-day clock with no pause that counts (none, or only before a restart) is a
# pure function of (unit, limit + extension, statutory limit + extension, local start date,
# jurisdiction, kind): the database lists the distinct keys of a range of clocks, Python computes
# each key once, and one UPDATE joins the clocks to that small table, lowers the alert level and
# moves the next alert instant as services._lower_alert_level and clock_next_alert_at do, and
# writes the clocks whose values differ. An hour clock with no pause is plain arithmetic on its
# exact start (no calendar, no thresholds): computed in the same kind of statement (_hours_path).
# Clocks with a pause take the row path above (which pauses count is decided in Python).

_START_ORD = "((started_at AT TIME ZONE %s)::date - DATE '0001-01-01') + 1"


def _paused_ids(lo: int, hi: int) -> Any:
    # clocks of the range that have any pause: they take the row path, which keeps only the pauses
    # that count (a restart drops the earlier ones); a plain subquery, hashed once per statement
    return ClockPause.objects.filter(clock_id__gt=lo, clock_id__lte=hi).values("clock_id")


def _plain(qs: models.QuerySet[Clock], lo: int, hi: int) -> models.QuerySet[Clock]:
    return qs.filter(pk__gt=lo, pk__lte=hi).exclude(unit=ClockUnit.HOURS).exclude(pk__in=_paused_ids(lo, hi))


def _plain_hours(qs: models.QuerySet[Clock], lo: int, hi: int) -> models.QuerySet[Clock]:
    return qs.filter(pk__gt=lo, pk__lte=hi, unit=ClockUnit.HOURS).exclude(pk__in=_paused_ids(lo, hi))


def _not_plain(qs: models.QuerySet[Clock], lo: int, hi: int) -> models.QuerySet[Clock]:
    # clocks with a pause: which pauses count (a restart drops the earlier ones) is Python's call
    return qs.filter(pk__gt=lo, pk__lte=hi).filter(pk__in=_paused_ids(lo, hi))


def _where(qs: models.QuerySet[Clock]) -> tuple[str, list[Any]]:
    """The WHERE clause of a clock queryset, on the unaliased table (for hand-written SQL)."""
    sql, params = qs.query.get_compiler(connection=connection).compile(qs.query.where)
    return sql, list(params)


_TAIL = """
        m AS (
            SELECT n.*, %s::int AS calendar_revision, {next_alert} AS next_alert_at
            FROM n
        ),
        -- in id order: the UPDATE then visits the table's pages and the primary key in order
        d AS (SELECT * FROM m WHERE ({old_m}) IS DISTINCT FROM ({new}) ORDER BY id),
        upd AS (
            -- the row version read above guards against a change committed since (then skipped:
            -- the service that changed the clock computed its instants itself)
            UPDATE {clock} AS k SET {sets}, updated_at = %s
            FROM d AS m
            WHERE k.id = m.id AND k.xmin::text::bigint = m.version
            RETURNING k.id
        )
        SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM upd)
"""


def _compare_and_write(n_sql: str, n_params: list[Any], revision: int, now: datetime) -> tuple[int, int]:
    """The common end of both set-based statements: `n_sql` defines CTE(s) ending in `n` (id, row
    version, the new instants, the lowered alert level, running?, and the old values as old_<column>);
    the database derives the next alert instant as services.clock_next_alert_at does (LAD-NEXT, the
    ladder's own SQL), compares, and writes the clocks that differ and are still as read. Returns
    (how many, how many changed)."""
    clock = Clock._meta.db_table
    next_alert, _none = sql_text(
        next_alert_expression(
            SQL("n.alert_level", IntegerField()), col=_columns("n."), running=SQL("n.running", BooleanField())
        )
    )
    sql = (
        n_sql
        + ","
        + _TAIL.format(
            next_alert=next_alert,
            clock=clock,
            sets=", ".join(f"{c} = m.{c}" for c in _OUTPUTS),
            old_m=", ".join(f"m.old_{c}" for c in _COMPARED),
            new=", ".join(f"m.{c}" for c in _COMPARED),
        )
    )
    with connection.cursor() as c:
        c.execute(sql, [*n_params, revision, now])
        seen, changed = c.fetchone()
    return seen, changed


def _old_columns() -> str:
    clock = Clock._meta.db_table
    return ", ".join(f'"{clock}".{c} AS old_{c}' for c in _COMPARED)


def _set_path(computer: _Computer, in_range: models.QuerySet[Clock], now: datetime) -> tuple[int, int]:
    """Recompute the plain day clocks of `in_range`; returns (how many, how many changed)."""
    tz = settings.TIME_ZONE
    keys = list(
        in_range.annotate(
            _lim=F("limit") + F("extension_total"),
            _stat=Coalesce(NullIf(F("statutory_limit"), 0) + F("extension_total"), -1),
            _start_ord=RawSQL(_START_ORD, [tz]),
        )
        .order_by()
        .values_list("unit", "_lim", "_stat", "_start_ord", "tenant_id", "kind")
        .distinct()
    )
    if not keys:
        return 0, 0
    offsets = computer.offsets
    table: list[Instants] = []
    reached: list[int] = []
    for unit, lim, stat, start_ord, tenant_id, kind in keys:
        off = offsets.get((tenant_id, kind)) or computer._offsets(tenant_id, kind)
        inst = computer._instants(unit, lim, stat if stat >= 0 else None, None, start_ord, None, off)
        table.append(inst)
        reached.append(level_at(inst, now))  # LAD-REACH; LAD-LOWER below, in SQL
    clock = Clock._meta.db_table
    where, where_params = _where(in_range)
    inst_cols = ", ".join(_INSTANTS)
    inst_arrays = ", ".join(f"%s::{t}[]" for t in _PG_TYPES)
    t_inst = ", ".join(f"t.{c}" for c in _INSTANTS)
    n_sql = f"""
        WITH t AS (
            SELECT * FROM unnest(%s::text[], %s::int[], %s::int[], %s::int[], %s::bigint[], %s::text[],
                                 {inst_arrays}, %s::smallint[])
                AS t(unit, lim, stat, start_ord, tenant_id, kind, {inst_cols}, reached)
        ),
        n AS (
            SELECT "{clock}".id, "{clock}".xmin::text::bigint AS version, {t_inst},
                   CASE WHEN t.due_at IS NULL THEN "{clock}".alert_level
                        ELSE LEAST("{clock}".alert_level, t.reached) END AS alert_level,
                   "{clock}".status = %s AS running, {_old_columns()}
            FROM "{clock}" JOIN t
              ON t.unit = "{clock}".unit AND t.lim = "{clock}"."limit" + "{clock}".extension_total
             AND t.stat = COALESCE(NULLIF("{clock}".statutory_limit, 0) + "{clock}".extension_total, -1)
             AND t.start_ord = {_START_ORD.replace("started_at", f'"{clock}".started_at')}
             AND t.tenant_id = "{clock}".tenant_id AND t.kind = "{clock}".kind
            WHERE {where}
        )"""
    params: list[Any] = [
        *(_array([k[i] for k in keys]) for i in range(6)),
        *(_array([getattr(inst, f) for inst in table]) for f in _INSTANTS),
        _array(reached),
        ClockStatus.RUNNING.value,
        tz,
        *where_params,
    ]
    return _compare_and_write(n_sql, params, computer.cal.revision, now)


def _hours_path(in_range: models.QuerySet[Clock], revision: int, now: datetime) -> tuple[int, int]:
    """Recompute the hour clocks of `in_range` that have no pause, in SQL: without pauses
    deadline._compute_hours is plain arithmetic on the exact start — due at start + limit hours,
    reminder at half the limit before it, yellow at a fifth, red at the due instant, statutory at
    start + statutory limit — and reads neither the calendar nor the thresholds. Whole seconds
    (limit × 1,800 s, limit × 720 s) give what Python's timedelta(hours=limit × 0.5) gives to
    the microsecond. tests/test_bulk.py compares the result with clock_recompute's."""
    clock = Clock._meta.db_table
    tz = settings.TIME_ZONE
    where, where_params = _where(in_range)
    # LAD-LOWER on the new instants: the level reached at `now` (LAD-REACH, the ladder's own SQL)
    new = {"remind_at": "i.new_remind_at", "warn_at": "i.new_warn_at", "red_at": "i.new_due_at"}
    new["statutory_due_at"] = "i.new_stat_at"
    reached, now_params = sql_text(
        level_expression(SQL("%s", DateTimeField()), col=lambda f: SQL(new[f], DateTimeField()))
    )
    if now_params:
        raise RuntimeError("invariant: not now_params")
    n_sql = f"""
        WITH h AS (
            SELECT "{clock}".*, "{clock}".xmin::text::bigint AS version,
                   "{clock}".started_at + make_interval(hours => "{clock}"."limit" + "{clock}".extension_total)
                       AS new_due_at,
                   CASE WHEN COALESCE("{clock}".statutory_limit, 0) <> 0
                        THEN "{clock}".started_at
                             + make_interval(hours => "{clock}".statutory_limit + "{clock}".extension_total)
                   END AS new_stat_at
            FROM "{clock}"
            WHERE {where}
        ),
        i AS (
            SELECT h.*,
                   h.new_due_at - make_interval(secs => (h."limit" + h.extension_total) * 1800) AS new_remind_at,
                   h.new_due_at - make_interval(secs => (h."limit" + h.extension_total) * 720) AS new_warn_at
            FROM h
        ),
        n AS (
            SELECT i.id, i.version,
                   (i.new_due_at AT TIME ZONE %s)::date AS due_date, i.new_due_at AS due_at,
                   i.new_remind_at AS remind_at, i.new_warn_at AS warn_at, i.new_due_at AS red_at,
                   (i.new_stat_at AT TIME ZONE %s)::date AS statutory_due_date,
                   i.new_stat_at AS statutory_due_at, NULL::int AS remaining, false AS provisional,
                   LEAST(i.alert_level, {reached}) AS alert_level,
                   i.status = %s AS running,
                   {", ".join(f"i.{c} AS old_{c}" for c in _COMPARED)}
            FROM i
        )"""
    params: list[Any] = [*where_params, tz, tz, *[now] * reached.count("%s"), ClockStatus.RUNNING.value]
    return _compare_and_write(n_sql, params, revision, now)


def _recompute_range(
    computer: _Computer, base: models.QuerySet[Clock], last: int, hi: int, *, pg: bool, actor: Any
) -> tuple[int, int]:
    """Recompute the clocks with ids in (last, hi], in one transaction on the calling thread's
    connection; returns (how many were read, how many changed)."""
    done = changed = 0
    with transaction.atomic():
        now = timezone.now()
        if pg:
            with connection.cursor() as c:
                # Big one-off statements: no JIT (its ~300 ms of compilation costs more than it
                # saves here), hashes in memory, and a hash join to the small key table rather
                # than sorting 100,000 clocks on text keys for a merge join (3× slower here).
                c.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'; SET LOCAL enable_mergejoin = off")
            seen, n = _set_path(computer, _plain(base, last, hi), now)
            seen_h, n_h = _hours_path(_plain_hours(base, last, hi), computer.cal.revision, now)
            done += seen + seen_h
            changed += n + n_h
            rest = _not_plain(base, last, hi)
        else:
            rest = base.filter(pk__lte=hi)
        clocks, spans = (_read_pg if pg else _read_portable)(rest, last, hi - last)
        if clocks:
            result = write_chunk(computer.chunk(clocks, spans, now), now)
            changed += result.changed
            if result.conflicts:
                changed += _recompute_locked(result.conflicts, actor=actor, cal=computer.cal)
        done += len(clocks)
    return done, changed


def _run_parallel(
    ranges: list[tuple[int, int]],
    work: Callable[[int, int], tuple[int, int]],
    workers: int,
    report: Callable[[int, int], None],
) -> None:
    """Run `work` over the id ranges on `workers` threads, each with its own database connection
    (Django's connections are per thread), closed when the thread is done."""
    todo = iter(ranges)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while not errors:
                with lock:
                    nxt = next(todo, None)
                if nxt is None:
                    return
                seen, n = work(*nxt)
                with lock:
                    report(seen, n)
        except BaseException as e:  # re-raised on the calling thread
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, name=f"clocks-recompute-{i}") for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def clocks_recompute_bulk(
    *,
    years: list[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    actor: Any = None,
    cal: WorkCalendar | None = None,
    subject: models.Model | None = None,
    chunk_size: int | None = None,
    workers: int = 1,
) -> int:
    """CLK-5: recompute every open clock (with `years`, those whose span touches them, selected as
    `services.clocks_recompute` selects them) and lower the alert levels that no longer hold. Each
    clock that changes gets exactly what `services.clock_recompute` would give it; see the module
    docstring for the two deliberate differences. Returns how many clocks changed.

    Appends one `clocks.recomputed` Event on `subject` (default: the calendar revision computed
    with) saying how many clocks were recomputed and how many changed. `progress(done, total)` is
    called after each chunk of clocks.

    `workers` > 1 (PostgreSQL, outside a transaction: `manage.py supervision_rescan`) recomputes
    that many chunks at once, each on its own connection in its own transaction: the chunks are
    disjoint ranges of ids, and most of a chunk's time is the database's (its UPDATE rewrites the
    changed rows and their index entries), so two connections keep two cores busy. Inside a
    transaction, or on SQLite, it runs on the caller's connection, one chunk after another."""
    cal = cal or get_calendar()
    computer = _Computer(cal)
    pg = connection.vendor == "postgresql"
    size = chunk_size or (PG_CHUNK if pg else CHUNK)
    base = clocks_affected_by_years(years)
    total = base.count()
    top = base.order_by("-pk").values_list("pk", flat=True).first() or 0
    first = (base.order_by("pk").values_list("pk", flat=True).first() or 1) - 1
    ranges = [(lo, min(lo + size, top)) for lo in range(first, top, size)]  # each (last, hi]
    counts = [0, 0]  # done, changed

    def report(seen: int, n: int) -> None:
        counts[0] += seen
        counts[1] += n
        if progress:
            progress(counts[0], total)

    def work(last: int, hi: int) -> tuple[int, int]:
        return _recompute_range(computer, base, last, hi, pg=pg, actor=actor)

    if pg and workers > 1 and not connection.in_atomic_block and len(ranges) > 1:
        _run_parallel(ranges, work, min(workers, len(ranges)), report)
    else:
        for last, hi in ranges:
            report(*work(last, hi))
    done, changed = counts
    if subject is None:
        subject = CalendarRevision.objects.filter(number=cal.revision).first()
    if subject is not None:
        event_append(
            subject=subject,
            action="clocks.recomputed",
            actor=actor,
            after={
                "calendar_revision": cal.revision,
                "years": sorted(years) if years else "all",
                "recomputed": done,
                "changed": changed,
                "method": "bulk",
            },
        )
    return changed
