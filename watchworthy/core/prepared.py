"""Querysets compiled to SQL once per database, then run with each request's values.

Turning a queryset into SQL is most of what the ORM costs on a page: the review
page's own row (four ``select_related`` tables) took longer to compile than to run.
The SQL of a query of one shape is the same on every request; only the values
change (a slug, the current time, a primary key). :class:`PreparedQuery` builds the
queryset once per database with stand-in values, keeps the compiled SQL, the
positions of the stand-ins among its parameters, the compiler and what Django's
``ModelIterable`` works out on every run to turn a row into objects (the model's
columns, the ``select_related`` populators), and then each call only prepares the
new values as the field would, runs the SQL and builds the objects with Django's own
``Model.from_db`` and populators, so what comes back is what the queryset would have
returned::

    PAGE = PreparedQuery(
        lambda slug, now: Review.objects.published(now=now).filter(slug=slug)[:2],
        slug=Review._meta.get_field("slug"),
        now=Review._meta.get_field("published_at"),
    )
    rows = PAGE.fetch(slug="a-review", now=timezone.now())

On PostgreSQL the server then prepares each such statement once per connection
(:func:`prepared_cursor`): Django binds values in the client, so PostgreSQL planned
every query of every page again — about 1 ms of its CPU per review page, more than
running them.

This is compiled code, not kept content: nothing a request reads is stored, and the
answer always comes from the database. A stand-in that does not show up among the
compiled parameters (a value folded into the SQL text, or prepared by a lookup in
another way than ``field.get_db_prep_value``) is refused when the query is first
compiled, rather than silently running with the stand-in.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.utils import CursorDebugWrapper
from django.db.models.query import get_related_populators
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery
from django.db.models.sql.compiler import SQLCompiler, SQLInsertCompiler

M = TypeVar("M", bound=models.Model)


def prepared_cursor(connection: Any) -> Any:
    """A cursor for SQL run again and again: on PostgreSQL with prepared statements on
    (``prepare_threshold`` in the database OPTIONS, config/settings.py), a cursor
    that binds values on the server, so psycopg prepares the statement the first
    time a connection runs it and then only executes it; elsewhere the usual cursor.
    Wrapped as Django wraps its own (query logging, execute wrappers)."""
    # The connection itself, not ``django.db.connection``'s proxy, which looks the
    # thread's connection up again on every attribute (about ten here).
    connection = connections[connection.alias]
    if connection.vendor != "postgresql" or (
        connection.settings_dict["OPTIONS"].get("prepare_threshold") is None
    ):
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)  # type: ignore[call-arg]
    if connection.queries_logged:
        return _LoggedStatement(raw, connection)
    return connection.make_cursor(raw)


def plan_once_per_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On a new PostgreSQL connection with prepared statements on, plan each prepared
    statement once (``plan_cache_mode``): left to itself PostgreSQL plans a statement
    again on every run while its generic plan's estimate (made for an average
    review's thread) is worse than a plan for the values at hand (a small thread),
    and that planning was about a third of its CPU on a review page. Only the statements
    of :class:`PreparedQuery` and :func:`prepared_cursor` are prepared; every other
    query binds its values in the client and is planned as before. A ``SET`` once per
    connection, not a startup ``options`` parameter, which poolers such as PgBouncer
    refuse. (``connection_created``, connected in ``CoreConfig.ready``.)"""
    if connection.vendor != "postgresql" or (
        connection.settings_dict["OPTIONS"].get("prepare_threshold") is None
    ):
        return
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")


class _LoggedStatement(CursorDebugWrapper):
    """Django's query log for a server-bound cursor: it logs the SQL with its values
    written in, as for any other query (psycopg keeps no client-side text of a
    statement it bound on the server, which Django's log would read)."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return self._execute_with_wrappers(sql, params, many=False, executor=self._execute)


def _converted(
    compiler: SQLCompiler, converters: dict[int, Any], rows: list[Any], using: str
) -> Any:
    """The rows with Django's converters applied, by a copy of the compiled statement's
    compiler on this thread's connection (``apply_converters`` reads only its
    connection)."""
    runner = copy.copy(compiler)
    runner.connection = connections[using]
    return runner.apply_converters(rows, converters)


def _stand_in(field: models.Field[Any, Any], number: int) -> Any:
    """A value of ``field``'s kind that no real query would use."""
    if isinstance(field, models.DateTimeField):
        return datetime(1001, 1, 1, 0, 0, 0, 1000 + number, tzinfo=UTC)
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return -(10**9) - number
    if isinstance(field, models.CharField | models.TextField):
        return f"\x1fprepared-{number}\x1f"
    raise ImproperlyConfigured(f"PreparedQuery has no stand-in for {type(field).__name__}.")


@dataclass(frozen=True)
class _Objects:
    """How Django's ``ModelIterable`` turns a row of this SQL into objects, worked out
    once: the model's columns, the ``select_related`` populators (which keep nothing
    of a row) and the annotations' columns."""

    model: type[models.Model]
    names: list[str]  # the model's own columns, as Model.from_db takes them
    start: int
    end: int
    related: list[Any]  # django.db.models.query.RelatedPopulator
    annotations: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, compiler: SQLCompiler, alias: str) -> _Objects:
        klass_info = compiler.klass_info
        assert klass_info is not None  # (a model query: as_sql() has filled it)
        columns = klass_info["select_fields"]
        start, end = columns[0], columns[-1] + 1
        return cls(
            model=klass_info["model"],
            names=[column[0].target.attname for column in compiler.select[start:end]],
            start=start,
            end=end,
            related=get_related_populators(klass_info, compiler.select, alias),  # type: ignore[call-arg]
            annotations=tuple(compiler.annotation_col_map.items()),
        )

    def build(self, rows: Any, alias: str) -> list[models.Model]:
        """What ``ModelIterable`` yields for these (converted) rows."""
        from_db = self.model.from_db
        names, start, end = self.names, self.start, self.end
        related, annotations = self.related, self.annotations
        found = []
        for row in rows:
            obj = from_db(alias, names, row[start:end])
            for populator in related:
                populator.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, value name)
    compiler: SQLCompiler
    converters: dict[int, Any]  # what results_iter would work out on each run
    objects: _Objects


class PreparedQuery(Generic[M]):
    """A queryset shape (``build``, called with keyword values) whose SQL is compiled
    once per database; ``fields`` name the field that prepares each value."""

    def __init__(
        self, build: Callable[..., models.QuerySet[M]], **fields: models.Field[Any, Any]
    ) -> None:
        self.build = build
        self.fields = fields
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> _Compiled:
        connection = connections[alias]
        stand_ins = {
            name: _stand_in(field, number)
            for number, (name, field) in enumerate(self.fields.items())
        }
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        prepared = {
            name: self.fields[name].get_db_prep_value(value, connection, prepared=False)
            for name, value in stand_ins.items()
        }
        slots = tuple(
            (position, name)
            for position, param in enumerate(params)
            for name, value in prepared.items()
            if type(param) is type(value) and param == value
        )
        missing = set(self.fields) - {name for _, name in slots}
        if missing:
            raise ImproperlyConfigured(
                f"PreparedQuery: {', '.join(sorted(missing))} not found among the SQL's parameters."
            )
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        if queryset._known_related_objects or compiler.has_composite_fields(fields):  # type: ignore[attr-defined]
            raise ImproperlyConfigured(
                "PreparedQuery builds objects as ModelIterable does for a plain queryset:"
                " not from a related manager, nor with composite fields."
            )
        objects = _Objects.of(compiler, alias)
        return _Compiled(sql, tuple(params), slots, compiler, converters, objects)

    def compiled(self, using: str = DEFAULT_DB_ALIAS) -> _Compiled:
        found = self._compiled.get(using)
        if found is None:
            with self._lock:
                found = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = found
        return found

    def _params(self, compiled: _Compiled, connection: Any, values: dict[str, Any]) -> list[Any]:
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = self.fields[name].get_db_prep_value(
                values[name], connection, prepared=False
            )
        return params

    def rows(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[tuple[Any, ...]]:
        """The rows as the driver gives them (no converters: SQLite's flags stay 0/1,
        its times text), for callers that read plain values."""
        compiled = self.compiled(using)
        connection = connections[using]
        with prepared_cursor(connection) as cursor:
            cursor.execute(compiled.sql, self._params(compiled, connection, values))
            found: list[tuple[Any, ...]] = cursor.fetchall()
            return found

    def values(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[tuple[Any, ...]]:
        """The rows with Django's converters applied, as ``values_list()`` gives them."""
        compiled = self.compiled(using)
        rows = self.rows(using=using, **values)
        if not compiled.converters:
            return rows
        return [
            tuple(row) for row in _converted(compiled.compiler, compiled.converters, rows, using)
        ]

    def fetch(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[M]:
        """The objects the queryset built with ``values`` would give, in its order."""
        rows = self.rows(using=using, **values)
        if not rows:  # (no queryset, iterable or related populators to set up for none)
            return []
        compiled = self.compiled(using)
        if compiled.converters:
            rows = _converted(compiled.compiler, compiled.converters, rows, using)
        return compiled.objects.build(rows, using)  # type: ignore[return-value]


@dataclass(frozen=True)
class _CompiledInsert:
    sql: str
    fields: tuple[Any, ...]  # the columns given, in the SQL's order
    returning: tuple[Any, ...]  # the columns the database hands back (the id)
    returning_params: tuple[Any, ...]
    compiler: SQLInsertCompiler
    converters: dict[int, Any]


class PreparedInsert(Generic[M]):
    """``obj.save()`` of a new ``model`` row, with the INSERT compiled once per database
    (and per whether the primary key is given, as Django leaves it out when not).

    What ``Model.save`` does for a new row of a plain model, in its order: the related
    objects checked, the ``pre_save`` signal, each field's ``pre_save`` (so
    ``auto_now_add`` and defaults work as with the ORM) and ``get_db_prep_save``, the
    INSERT with ``RETURNING`` the generated columns, then ``_state`` and ``post_save``
    (``created=True``): the change signal and other receivers see the save as any
    other. Only the SQL is not built again. A model with parents (multi-table
    inheritance) or ``order_with_respect_to``, and a value that is an expression, are
    refused: Django's own ``save()`` does more for those. The model's own ``save()``
    is not called: use this only for models whose ``save()`` adds nothing for a new
    row."""

    def __init__(self, model: type[M]) -> None:
        meta = model._meta
        if meta.parents or meta.order_with_respect_to or meta.proxy or len(meta.pk_fields) != 1:
            raise ImproperlyConfigured(
                f"PreparedInsert: {meta.label} needs Django's own save() (parents, proxy, "
                "order_with_respect_to or a composite key)."
            )
        self.model = model
        # The columns given, as Model._save_table lists them: all but the generated
        # ones and, when the primary key is left to the database, the auto field.
        self._fields = {
            pk_given: tuple(
                field
                for field in meta.local_concrete_fields
                if not field.generated and (pk_given or field is not meta.auto_field)
            )
            for pk_given in (True, False)
        }
        self._compiled: dict[tuple[str, bool], _CompiledInsert] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str, obj: M, pk_given: bool) -> _CompiledInsert:
        meta = self.model._meta
        if (
            meta.db_returning_fields
            and not connections[alias].features.can_return_columns_from_insert
        ):
            raise ImproperlyConfigured("PreparedInsert needs INSERT … RETURNING (SQLite ≥ 3.35).")
        fields = self._fields[pk_given]
        query = InsertQuery(self.model)
        # A copy: compiling calls each field's pre_save again (a later auto_now_add).
        query.insert_values(list(fields), [copy.copy(obj)])
        compiler = query.get_compiler(using=alias)
        assert isinstance(compiler, SQLInsertCompiler)
        compiler.returning_fields = meta.db_returning_fields
        [(sql, params)] = compiler.as_sql()
        if len(params) != len(fields) or any(hasattr(f, "get_placeholder") for f in fields):
            raise ImproperlyConfigured(
                f"PreparedInsert: the INSERT of {meta.label} does not take one plain value "
                "per column."
            )
        returning = tuple(meta.db_returning_fields)
        converters = compiler.get_converters([f.get_col(meta.db_table) for f in returning])
        return _CompiledInsert(
            sql, fields, returning, tuple(compiler.returning_params), compiler, converters
        )

    def compiled(self, obj: M, using: str, pk_given: bool) -> _CompiledInsert:
        key = (using, pk_given)
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                found = self._compiled.get(key) or self._compile(using, obj, pk_given)
                self._compiled[key] = found
        return found

    def insert(self, obj: M, *, using: str = DEFAULT_DB_ALIAS) -> M:
        """Write ``obj`` (a new instance) as its row; the database's generated values
        (the id) are set on it, as ``save()`` sets them. Returns ``obj``."""
        if not isinstance(obj, self.model) or not obj._state.adding:
            raise ValueError(f"PreparedInsert writes new {self.model._meta.label} objects only.")
        meta = self.model._meta
        obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
        pre_save.send(sender=self.model, instance=obj, raw=False, using=using, update_fields=None)
        if not obj._is_pk_set(meta):  # type: ignore[attr-defined]
            setattr(obj, meta.pk.attname, meta.pk.get_pk_value_on_save(obj))
        pk_given = obj._is_pk_set(meta)  # type: ignore[attr-defined]
        connection = connections[using]
        params = []
        for field in self._fields[pk_given]:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                raise ValueError(
                    f"PreparedInsert takes plain values; {field.name} is an expression."
                )
            params.append(field.get_db_prep_save(value, connection))
        compiled = self.compiled(obj, using, pk_given)
        with (
            transaction.mark_for_rollback_on_error(using=using),
            prepared_cursor(connection) as cursor,
        ):
            cursor.execute(compiled.sql, params)
            returned = (
                connection.ops.fetch_returned_insert_columns(  # type: ignore[attr-defined]
                    cursor, compiled.returning_params
                )
                if compiled.returning
                else ()
            )
        if compiled.converters:
            [returned] = _converted(compiled.compiler, compiled.converters, [returned], using)
        for value, field in zip(returned, compiled.returning, strict=True):
            setattr(obj, field.attname, value)
        obj._state.db = using
        obj._state.adding = False
        post_save.send(
            sender=self.model,
            instance=obj,
            created=True,
            update_fields=None,
            raw=False,
            using=using,
        )
        return obj


# --- names for SQL written by hand ------------------------------------------------


def concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The field ``name`` of ``model``, which must have a column of its own."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column  # a concrete column
    return field


def quoted_table(model: type[models.Model]) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(model._meta.db_table)


def quoted_column(model: type[models.Model], name: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(str(concrete_field(model, name).column))
