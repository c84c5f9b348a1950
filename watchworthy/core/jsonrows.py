"""A subquery's rows carried in one column of the outer row, as a JSON array.

On PostgreSQL every statement is a round trip and a little work for the server (a
transaction, a snapshot, locks, a result to describe); a page that reads a review
and then its tags and its work's seasons paid that three times for a handful of
small rows. :class:`JSONRows` puts such a list in a column of the row it belongs
to, so one statement brings both:

    Review.objects.annotate(tag_rows=JSONRows(
        Tag.objects.filter(reviews=OuterRef("pk")).values(item=JSONArray("id", "name"))
    ))

The subquery selects exactly one column, named ``item``: a JSON array per row
(``JSONArray``); the outer column is the list of them (an empty list when there are
none). SQL leaves the order of an aggregate's input unspecified, so a caller that
needs an order puts a sort key in each row (``Window(RowNumber(), order_by=...)``
keeps the database's own collation) and sorts in Python, as :class:`RowShape` does:
it names the fields a row carries (the rest are deferred on the loaded objects) and
the objects it brings along through foreign keys, writes the subquery
(:meth:`RowShape.rows`) and loads the objects back as their queryset would
(:meth:`RowShape.load`). :func:`object_rows` and :func:`load_objects` are the shape
of every field of one model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from operator import itemgetter
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.db.models import JSONField, QuerySet, Subquery, Window
from django.db.models.functions import JSONArray, RowNumber

M = TypeVar("M", bound=models.Model)


class JSONRows(Subquery):
    """``queryset``'s rows (each a JSON array) as one JSON array; see the module."""

    output_field = JSONField()

    def __init__(self, queryset: Any, **extra: Any) -> None:
        if list(queryset.query.annotation_select) != ["item"] or queryset.query.values_select:
            raise ValueError(
                "JSONRows wants a queryset of one column, values(item=JSONArray(...))."
            )
        super().__init__(queryset, **extra)

    def as_sql(self, compiler: Any, connection: Any, template: Any = None, **extra: Any) -> Any:
        sql, params = super().as_sql(compiler, connection)
        if connection.vendor == "postgresql":
            # jsonb, which Django reads as text and decodes like any JSONField.
            # (sql: the subquery Django compiled, values in params)
            return f"(SELECT COALESCE(jsonb_agg(r.item), '[]'::jsonb) FROM {sql} r)", params  # noqa: S608
        if connection.vendor == "sqlite":
            # json() keeps each row an array instead of quoting it as a string.
            return f"(SELECT json_group_array(json(r.item)) FROM {sql} r)", params  # noqa: S608
        raise NotImplementedError(f"JSONRows has no SQL for {connection.vendor}.")


def _datetime(value: Any) -> datetime | None:
    """A time as JSON carries it: ISO text with its offset (PostgreSQL), or SQLite's
    stored text, which is UTC without one."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _reader(field: models.Field[Any, Any], vendor: str) -> Callable[[Any], Any] | None:
    """How a value of ``field`` read from JSON becomes what its queryset gives (None:
    as it is); raises ImproperlyConfigured for a kind JSON would not bring back."""
    if isinstance(field, models.DateTimeField):
        if not settings.USE_TZ:  # naive local times: no rule here reads them back
            raise ImproperlyConfigured(f"JSON rows carry {field.name} only with USE_TZ.")
        return _datetime
    if isinstance(field, models.DateField | models.BooleanField):
        return field.to_python  # ISO text; SQLite's flags are 0/1
    if isinstance(field, models.DecimalField):
        # A JSON number (7 on SQLite, 7.0 on PostgreSQL) at the field's places, as
        # Django's converters give it (Decimal("7.0")).
        places = Decimal(1).scaleb(-(field.decimal_places or 0))
        return lambda value: None if value is None else Decimal(str(value)).quantize(places)
    if isinstance(field, models.JSONField):
        # PostgreSQL nests the value; SQLite carries the stored JSON text.
        return _decoded if vendor == "sqlite" else None
    if isinstance(field, _AS_IS):
        return None
    raise ImproperlyConfigured(f"JSON rows cannot carry {field.name} ({type(field).__name__}).")


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


_AS_IS = (models.AutoField, models.IntegerField, models.CharField, models.TextField,
          models.ForeignKey, models.FileField)  # fmt: skip


@dataclass(frozen=True)
class RowShape:
    """What a JSON row of ``model`` carries: its place, then ``fields`` (attnames; all
    concrete fields by default), then for each of ``related`` (a foreign key's name,
    with the attnames of its model to carry, or None for all) that object's fields.
    Fields left out are deferred on the loaded objects, as with ``only()``."""

    model: type[models.Model]
    fields: tuple[str, ...] | None = None
    related: tuple[tuple[str, tuple[str, ...] | None], ...] = ()

    def _parts(self) -> list[tuple[str, type[models.Model], list[models.Field[Any, Any]]]]:
        """(prefix, model, fields) for the object and each related one."""
        parts = [("", self.model, _chosen(self.model, self.fields))]
        for name, names in self.related:
            related_model = self.model._meta.get_field(name).related_model
            parts.append((f"{name}__", related_model, _chosen(related_model, names)))  # type: ignore[arg-type]
        return parts

    def rows(self, queryset: QuerySet[Any], *, order_by: Any, limit: int | None = None) -> JSONRows:
        """The JSON column of ``queryset``'s rows in this shape, placed by ``order_by``
        (the database's order, collation included); the first ``limit`` of them."""
        parts = self._parts()
        for field in (f for _, _, fields in parts for f in fields):
            _reader(field, "postgresql")  # refuses what JSON would not bring back
        columns = [f"{prefix}{f.attname}" for prefix, _, fields in parts for f in fields]
        order = order_by if isinstance(order_by, list | tuple) else [order_by]
        place = Window(RowNumber(), order_by=list(order))
        if limit is None:
            return JSONRows(queryset.order_by().values(item=JSONArray(place, *columns)))
        return JSONRows(queryset.order_by(*order).values(item=JSONArray(place, *columns))[:limit])

    def load(self, rows: list[list[Any]], using: str) -> list[Any]:
        """The objects of :meth:`rows`' rows, in their order, as a queryset loads them
        (``from_db``: not new, on ``using``), each related object in its place."""
        parts = _loading(self, connections[using].vendor)
        found = []
        for row in sorted(rows, key=itemgetter(0)):
            at = 1
            objects = []
            for model, names, readers, pk_at in parts:
                values = row[at : at + len(names)]
                at += len(names)
                for i, read in readers:
                    values[i] = read(values[i])
                objects.append(
                    None if values[pk_at] is None else model.from_db(using, names, values)
                )
            main = objects[0]
            for (name, _), related in zip(self.related, objects[1:], strict=True):
                self.model._meta.get_field(name).set_cached_value(main, related)  # type: ignore[union-attr,arg-type]
            found.append(main)
        return found


@cache
def _loading(shape: RowShape, vendor: str) -> list[tuple[Any, list[str], list[Any], int]]:
    """(model, attnames, readers by position, the primary key's position) for each
    object of a row of ``shape``: worked out once per shape and database kind."""
    loading = []
    for _, model, fields in shape._parts():
        names = [f.attname for f in fields]
        readers = [(i, r) for i, f in enumerate(fields) if (r := _reader(f, vendor)) is not None]
        loading.append((model, names, readers, names.index(model._meta.pk.attname)))
    return loading


def _chosen(
    model: type[models.Model], names: tuple[str, ...] | None
) -> list[models.Field[Any, Any]]:
    """The fields of ``model`` named (its primary key always), in the model's order."""
    fields = model._meta.concrete_fields
    if names is None:
        return list(fields)
    missing = set(names) - {f.attname for f in fields}
    if missing:
        raise ImproperlyConfigured(f"{model.__name__} has no field {', '.join(sorted(missing))}.")
    return [f for f in fields if f.attname in names or f.primary_key]


def object_rows(queryset: QuerySet[Any], *, order_by: Any) -> JSONRows:
    """Whole objects of ``queryset``'s model for :func:`load_objects` (a
    :class:`RowShape` of every concrete field)."""
    return RowShape(queryset.model).rows(queryset, order_by=order_by)


def load_objects(model: type[M], rows: list[list[Any]], using: str) -> list[M]:
    """The objects of :func:`object_rows`' rows, in their order."""
    return RowShape(model).load(rows, using)
