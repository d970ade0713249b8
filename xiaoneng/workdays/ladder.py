"""The alert ladder (SUP-1), written down once: which level a clock has reached, which level the
scan raises, when its next alert is due, and how far an extension lowers a level already raised.

A clock climbs four rungs, each an instant cached on the clock (`deadline.compute_instants`):

    1 提醒  remind_at          reminder, 1 working day before the committed limit (default)
    2 黄牌  warn_at            the last working day
    3 红牌  red_at             past the committed limit
    4 红牌＋监察建议书  statutory_due_at   past the statutory limit

The rules (every copy of them — the model services, the set-based recompute in bulk.py, the
scan's SQL, the colour pill and the dashboard — calls this module):

- LAD-REACH (SUP-1): at `now` a clock has reached the highest rung whose instant is at or before
  `now` (an instant equal to `now` counts); a rung without an instant is never reached; 0 below the
  first rung. `level_at`.
- LAD-RAISE (SUP-1): the scan raises every rung above the level already raised that is reached, and
  the clock's level becomes max(raised, reached). `passed_rungs`, `raised_level`.
- LAD-NEXT (SUP-1): the next alert is the instant of the first rung above the level raised that has
  an instant; none when the clock is not running (a paused, stopped or cancelled clock is not
  watched). `next_alert_level`, `next_alert_at`.
- LAD-LOWER (SUP-1, CLK-5, CAS-3): after an extension or a calendar change moved the instants, a
  level already raised is kept only as far as the new instants reach, min(raised, reached); a clock
  without a due instant (paused before it ran out) keeps its level. `lowered_level`.
- LAD-COLOUR (SUP-1): a level and the clock's status name one key of `urgency.URGENCY_LEVELS` (the
  one level → colour mapping). `urgency_key`.

The SQL form is built once from the same rung table as Django expressions: `level_expression`,
`next_alert_expression`, `rung_instant_expression`. Querysets annotate with them (`col=F`, the
default); hand-written statements (the scan's INSERT … SELECT, bulk.py's UPDATE … FROM) compile
them against their own aliases with `sql_text`. tests/test_ladder.py evaluates a table of edge
cases, and random clocks, with the Python functions and with the SQL on the database, and asserts
the same answers (SQLite and PostgreSQL).
"""

from __future__ import annotations

__all__ = [
    "RUNGS",
    "SQL",
    "URGENCY_BY_LEVEL",
    "AlertLevel",
    "LadderFields",
    "Rung",
    "level_at",
    "level_expression",
    "lowered_level",
    "next_alert_at",
    "next_alert_expression",
    "next_alert_level",
    "passed_rungs",
    "raised_level",
    "rung_instant_expression",
    "rungs_values_sql",
    "sql_text",
    "urgency_key",
]

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db import connection as default_connection
from django.db.models import DateTimeField, F, Field, IntegerField, Q, Value
from django.db.models.expressions import Case, Expression, When
from django.db.models.lookups import Exact, GreaterThan, IsNull, LessThanOrEqual
from django.db.models.sql import Query

from xiaoneng.workdays.choices import ClockStatus


class AlertLevel:
    """SUP-1 levels, in order. Stored on Clock.alert_level as the highest one raised."""

    NONE = 0
    REMIND = 1
    YELLOW = 2
    RED = 3
    STATUTORY = 4  # red plus a supervision recommendation (监察建议书)


@dataclass(frozen=True)
class Rung:
    level: int
    field: str  # the Clock field (and deadline.Instants attribute) holding the rung's instant
    urgency: str  # the key of urgency.URGENCY_LEVELS while the clock runs at this level


# SUP-1: the ladder, lowest rung first.
RUNGS: tuple[Rung, ...] = (
    Rung(AlertLevel.REMIND, "remind_at", "due_soon"),
    Rung(AlertLevel.YELLOW, "warn_at", "warning"),
    Rung(AlertLevel.RED, "red_at", "overdue"),
    Rung(AlertLevel.STATUTORY, "statutory_due_at", "statutory"),
)

# LAD-COLOUR: a running clock's level → its key in urgency.URGENCY_LEVELS (提醒 is yellow there).
URGENCY_BY_LEVEL: dict[int, str] = {AlertLevel.NONE: "normal", **{r.level: r.urgency for r in RUNGS}}
_URGENCY_BY_STATUS = {
    ClockStatus.PAUSED: "paused",
    ClockStatus.STOPPED: "finished",
    ClockStatus.CANCELLED: "cancelled",
}


class LadderFields(Protocol):
    """What the ladder reads: a Clock, a deadline.Instants, or any object with the four instants."""

    @property
    def remind_at(self) -> datetime | None: ...
    @property
    def warn_at(self) -> datetime | None: ...
    @property
    def red_at(self) -> datetime | None: ...
    @property
    def statutory_due_at(self) -> datetime | None: ...


def _instants(fields: LadderFields) -> tuple[datetime | None, ...]:
    return (fields.remind_at, fields.warn_at, fields.red_at, fields.statutory_due_at)


# --- Python ----------------------------------------------------------------------------------


def level_at(fields: LadderFields, now: datetime) -> int:
    """LAD-REACH (SUP-1): the highest rung reached at `now` (`at <= now`), 0 if none."""
    reached = AlertLevel.NONE
    for rung, at in zip(RUNGS, _instants(fields), strict=True):
        if at is not None and at <= now:
            reached = rung.level
    return reached


def passed_rungs(fields: LadderFields, raised: int, now: datetime) -> list[tuple[int, datetime]]:
    """LAD-RAISE (SUP-1): the rungs above `raised` reached at `now`, lowest first, with their
    instants: one alert each."""
    return [
        (rung.level, at)
        for rung, at in zip(RUNGS, _instants(fields), strict=True)
        if rung.level > raised and at is not None and at <= now
    ]


def raised_level(fields: LadderFields, raised: int, now: datetime) -> int:
    """LAD-RAISE (SUP-1): the level a clock stands at once the scan has raised what `now` reached."""
    return max(raised, level_at(fields, now))


def next_alert_level(fields: LadderFields, raised: int, running: bool) -> int:
    """LAD-NEXT (SUP-1): the first rung above `raised` with an instant; 0 when there is none or the
    clock is not running."""
    if running:
        for rung, at in zip(RUNGS, _instants(fields), strict=True):
            if rung.level > raised and at is not None:
                return rung.level
    return AlertLevel.NONE


def next_alert_at(fields: LadderFields, raised: int, running: bool) -> datetime | None:
    """LAD-NEXT (SUP-1): the instant of `next_alert_level`, None when there is none."""
    level = next_alert_level(fields, raised, running)
    return _instants(fields)[level - 1] if level else None


def lowered_level(fields: LadderFields, raised: int, now: datetime, due_at: datetime | None) -> int:
    """LAD-LOWER (SUP-1, CLK-5, CAS-3): the level still held once the instants moved; `due_at` None
    (paused before the limit ran out) keeps it."""
    if due_at is None:
        return raised
    return min(raised, level_at(fields, now))


def urgency_key(status: str, level: int) -> str:
    """LAD-COLOUR (SUP-1): the key of urgency.URGENCY_LEVELS for a clock with `status` at `level`
    (the level reached, or the one raised): grey keys for a clock that is not running."""
    return _URGENCY_BY_STATUS.get(ClockStatus(status), URGENCY_BY_LEVEL[level])


# --- SQL -------------------------------------------------------------------------------------


class SQL(Expression):
    """A fragment of hand-written SQL — a column of a CTE (`v.remind_at`), a placeholder
    (`%(now)s`) or a literal — so that the ladder's expressions compile into statements that name
    their own aliases. Never built from user input."""

    def __init__(self, sql: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.sql = sql

    def __repr__(self) -> str:
        return f"SQL({self.sql!r})"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return self.sql, ()

    def get_group_by_cols(self) -> list[Any]:
        return []


def _int(n: int) -> SQL:
    # a literal, not a parameter: the compiled text then needs no parameters of its own
    return SQL(str(int(n)), IntegerField())


Column = Callable[[str], Any]


def _now(now: Any) -> Any:
    return now if hasattr(now, "resolve_expression") else Value(now, output_field=DateTimeField())


def level_expression(now: Any, *, col: Column = F) -> Case:
    """LAD-REACH in SQL: CASE WHEN statutory_due_at <= now THEN 4 WHEN red_at <= now THEN 3 …
    ELSE 0 END. `now` is a datetime (a parameter) or an expression (`SQL("%(now)s", …)`); `col`
    names a rung's column (`F` for a queryset of clocks)."""
    return Case(
        *(When(LessThanOrEqual(col(r.field), _now(now)), then=_int(r.level)) for r in reversed(RUNGS)),
        default=_int(AlertLevel.NONE),
        output_field=IntegerField(),
    )


def next_alert_expression(raised: Any, *, col: Column = F, running: Any = None, level: bool = False) -> Case:
    """LAD-NEXT in SQL: CASE WHEN raised < 1 AND remind_at IS NOT NULL THEN remind_at WHEN raised < 2
    … END (NULL when no rung is left); with `running` (a boolean expression), NULL unless it holds.
    `level=True` gives the rung's level instead of its instant (0 for none)."""
    whens = [
        When(
            Q(GreaterThan(_int(r.level), raised), IsNull(col(r.field), False)),
            then=_int(r.level) if level else col(r.field),
        )
        for r in RUNGS
    ]
    out = IntegerField() if level else DateTimeField()
    inner = Case(*whens, default=_int(0) if level else None, output_field=out)
    if running is None:
        return inner
    return Case(When(running, then=inner), default=_int(0) if level else None, output_field=out)


def rung_instant_expression(level: Any, *, col: Column = F) -> Case:
    """The instant of rung `level` (an integer expression; NULL for 0): CASE level WHEN 1 THEN
    remind_at WHEN 2 THEN warn_at … END."""
    return Case(
        *(When(Exact(level, _int(r.level)), then=col(r.field)) for r in RUNGS),
        default=None,
        output_field=DateTimeField(),
    )


def rungs_values_sql(col: Column) -> str:
    """The rungs as rows (level, instant) for a LATERAL VALUES list, in the order of RUNGS:
    `(1, v.remind_at), (2, v.warn_at), …` (`col` gives each rung's SQL column text)."""
    return ", ".join(f"({r.level}, {col(r.field)})" for r in RUNGS)


def sql_text(expression: Expression, connection: Any = None) -> tuple[str, list[Any]]:
    """Compile a ladder expression built on `SQL` columns into SQL text and its parameters, for a
    hand-written statement on `connection` (default: the default connection)."""
    connection = connection or default_connection
    query = Query(None)
    compiler = query.get_compiler(connection=connection)
    resolved = expression.resolve_expression(query)
    sql, params = compiler.compile(resolved)
    return sql, list(params)
