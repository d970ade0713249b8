"""Model rows read by hand-written SQL, for the few reads on the busiest write path (a department's
opinion: the case row lock and the stage's tasks). Building such a query through the ORM costs more
Python than running it (about 0.9 ms for the lock and 2 ms for the stage read with its subquery and
join, against 0.1 ms each to run; docs/performance.md, issue 9). Here the column list is built once
per model and connection from `_meta`, and each row becomes a model instance the way the ORM makes
it: the backend's and the field's converters, then `Model.from_db` (so `_state` says "from the
database" and deferred-field tracking works). Everything else keeps using the ORM."""

from __future__ import annotations

__all__ = ["RowShape", "row_insert", "row_shape", "row_update"]

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Field, Model

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class RowShape:
    """One model's concrete columns as selected under `alias`, and how to turn them back into an
    instance."""

    model: type[Model]
    alias: str
    columns: str  # '"alias"."col", …' in the model's field order
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]  # (position, converters, expression)
    width: int

    def load(self, row: Sequence[Any], offset: int = 0, *, using: str = "default") -> Model:
        """The instance from `row[offset : offset + width]`."""
        values = list(row[offset : offset + self.width])
        connection = connections[using]
        for i, convs, expr in self.converters:
            v = values[i]
            for c in convs:
                v = c(v, expr, connection)
            values[i] = v
        return self.model.from_db(using, self.attnames, values)


@functools.cache
def _shape(model: type[Model], alias: str, using: str, vendor: str, names: tuple[str, ...] | None) -> RowShape:
    connection = connections[using]
    qn = connection.ops.quote_name
    fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
    if names is not None:  # in the model's order: from_db() matches values to fields by position
        fields = [f for f in fields if f.name in names or f.attname in names]
    converters = []
    for i, f in enumerate(fields):
        col = f.get_col(alias)
        # the compiler's own order (SQLCompiler.get_converters): the backend's, then the field's
        convs = tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        if convs:
            converters.append((i, convs, col))
    return RowShape(
        model=model,
        alias=alias,
        columns=", ".join(f"{qn(alias)}.{qn(str(f.column))}" for f in fields),
        attnames=tuple(f.attname for f in fields),
        converters=tuple(converters),
        width=len(fields),
    )


def row_shape(model: type[Model], alias: str, using: str = "default", names: tuple[str, ...] | None = None) -> RowShape:
    """The shape of `model` selected as `alias` on database `using`: every concrete field, or the
    fields `names` (then `load` gives an instance with only those fields set; the rest deferred)."""
    return _shape(model, alias, using, connections[using].vendor, names)


def row_insert(instance: Model, using: str) -> None:
    """INSERT the instance as save(force_insert=True) would — each field's pre_save (auto_now and
    auto_now_add take the time now) and its database value — but without the compiler, and with no
    signals (as bulk_create); its key comes back from RETURNING, so it is "from the database" after."""
    meta = instance._meta
    connection = connections[using]
    qn = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
    columns = ", ".join(qn(str(f.column)) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    pk = qn(str(meta.pk.column))
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {pk}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = using


def row_update(model: type[Model], pk: Any, values: dict[str, Any], using: str) -> int:
    """UPDATE one row by key, the values given by attname; the number of rows written."""
    meta = model._meta
    connection = connections[using]
    qn = connection.ops.quote_name
    sets: list[tuple[Any, Any]] = [(meta.get_field(a), v) for a, v in values.items()]
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {', '.join(f'{qn(f.column)} = %s' for f, _v in sets)}"
        f" WHERE {qn(str(meta.pk.column))} = %s"
    )
    params = [f.get_db_prep_save(v, connection) for f, v in sets]
    params.append(meta.pk.get_db_prep_value(pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)
