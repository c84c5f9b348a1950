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
keeps the database's own collation) and sorts in Python, as :func:`object_rows` and
:func:`load_objects` do.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models
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


# Field kinds whose values JSON carries as text or numbers that the field reads back
# (a date as ISO text, a flag as 0/1 on SQLite); times are left out (SQLite's are
# naive text).
_READ_BACK = (models.DateField, models.BooleanField)
_AS_IS = (models.AutoField, models.IntegerField, models.CharField, models.TextField,
          models.ForeignKey)  # fmt: skip


def object_rows(queryset: QuerySet[Any], *, order_by: Any) -> JSONRows:
    """Whole objects of ``queryset``'s model for :func:`load_objects`: each row holds
    its place by ``order_by`` (the database's order, collation included), then every
    concrete field. Refuses a model with a field JSON would not bring back exactly."""
    fields = queryset.model._meta.concrete_fields
    unsure = [
        f.name
        for f in fields
        if not isinstance(f, _READ_BACK + _AS_IS) or isinstance(f, models.DateTimeField)
    ]
    if unsure:
        raise ImproperlyConfigured(f"object_rows cannot carry {', '.join(unsure)} through JSON.")
    place = Window(RowNumber(), order_by=order_by)
    return JSONRows(queryset.order_by().values(item=JSONArray(place, *(f.attname for f in fields))))


def load_objects(model: type[M], rows: list[list[Any]], using: str) -> list[M]:
    """The objects of :func:`object_rows`' rows, in their order, as a queryset loads
    them (``from_db``: not new, on ``using``)."""
    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]
    read_back = [(i, f.to_python) for i, f in enumerate(fields) if isinstance(f, _READ_BACK)]
    found = []
    for row in sorted(rows, key=itemgetter(0)):
        values = row[1:]
        for i, to_python in read_back:
            values[i] = to_python(values[i])
        found.append(model.from_db(using, names, values))
    return found
