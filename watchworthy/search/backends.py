"""One small interface over two full-text engines, with one result contract.

:func:`backend` picks the engine of the default database: SQLite's FTS5 (the
embedded default) or PostgreSQL's full-text search. Each answers :meth:`match`
with a :class:`Matches`: the entry ids of one page, best first, and how many
entries match (counted up to :data:`COUNT_CAP`, then "more than").

**Why it stays fast when a word is everywhere.** Ranking every entry that holds a
common word costs time in proportion to the matches (100,000 reviews all say
"season"). So each of the two ranking tiers (see :class:`_TwoTiers`) ranks only its
:data:`CANDIDATES` newest matching entries: they come straight off the full-text index
in id order and stop early, and bm25 (SQLite) or ts_rank (PostgreSQL) is computed for
them alone. A word found in fewer entries than that is ranked exactly. Counting stops
at :data:`COUNT_CAP` + 1 for the same reason ("more than 1,000 results").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db import connection

from .words import is_prefix

CANDIDATES = 1000
COUNT_CAP = 1000
TITLE_WEIGHT = 10.0  # a title word counts ten body words


@dataclass(frozen=True)
class Query:
    """What to find: every term (folded words, see ``words.query_terms``) and every
    filter token (``fp3``). No terms: the newest entries with those facets."""

    terms: tuple[str, ...]
    facets: tuple[str, ...] = ()
    exclude_facets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (self.terms or self.facets):
            raise ValueError("a search needs a word or a filter")


@dataclass(frozen=True)
class Matches:
    ids: list[int]  # SearchEntry ids of the page asked for, best first
    total: int  # how many match, up to COUNT_CAP; more than that when ``more``
    more: bool


class SearchBackend(Protocol):
    def match(self, query: Query, *, now: datetime, offset: int, limit: int) -> Matches: ...


def _run(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


class _TwoTiers:
    """The ranking both engines share. Tier one: the :data:`CANDIDATES` newest entries
    holding every term in their title, best title match first. Tier two: the
    :data:`CANDIDATES` newest entries holding every term anywhere, less tier one, best
    match first (a title word weighs :data:`TITLE_WEIGHT` body words). Ties: newest
    first. An engine supplies :meth:`count` and :meth:`ranked`."""

    def count(self, query: Query, now: datetime) -> int:
        raise NotImplementedError

    def ranked(self, query: Query, now: datetime, *, title: bool, limit: int) -> list[int]:
        raise NotImplementedError

    def newest(self, query: Query, now: datetime, *, offset: int, limit: int) -> list[int]:
        raise NotImplementedError

    def match(self, query: Query, *, now: datetime, offset: int, limit: int) -> Matches:
        total = self.count(query, now)
        if not total or offset >= min(total, COUNT_CAP):
            return Matches([], min(total, COUNT_CAP), total > COUNT_CAP)
        if not query.terms:
            ids = self.newest(query, now, offset=offset, limit=limit)
        else:
            # Both tiers always run, so the page costs the same queries whatever matches.
            first = self.ranked(query, now, title=True, limit=offset + limit)
            seen = set(first)
            rest = self.ranked(query, now, title=False, limit=offset + limit + len(first))
            ids = (first + [pk for pk in rest if pk not in seen])[offset : offset + limit]
        return Matches(ids, min(total, COUNT_CAP), total > COUNT_CAP)


class SQLiteSearch(_TwoTiers):
    """FTS5 over ``search_fts`` (external content: ``search_searchentry``)."""

    @staticmethod
    def expression(query: Query, *, title: bool) -> str:
        """An FTS5 query: the terms (as prefixes) in the title (or anywhere), every
        facet, none of the excluded ones. Terms and facets are letters and digits
        only, so quoting them is plain."""
        columns = "match_title" if title else "match_title match_body"
        parts = []
        if query.terms:
            terms = " AND ".join(f'"{t}"*' if is_prefix(t) else f'"{t}"' for t in query.terms)
            parts.append(f"{{{columns}}} : ({terms})")
        if query.facets:
            parts.append("{facets} : (" + " AND ".join(f'"{f}"' for f in query.facets) + ")")
        expression = " AND ".join(parts)
        for facet in query.exclude_facets:
            expression = f'({expression}) NOT {{facets}} : "{facet}"'
        return expression

    # The FTS table stays the outer loop (CROSS JOIN): it walks its index newest first
    # and stops at the limit; each row looks up its own entry by id for its time.
    FROM = (
        "FROM search_fts f CROSS JOIN search_searchentry e ON e.id = f.rowid "
        "WHERE search_fts MATCH %s AND (e.published_at IS NULL OR e.published_at <= %s)"
    )
    NEWEST = f"SELECT f.rowid {FROM} ORDER BY f.rowid DESC LIMIT %s"

    @staticmethod
    def _now(now: datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(now)  # stored as text here

    def count(self, query: Query, now: datetime) -> int:
        rows = _run(
            f"SELECT count(*) FROM ({self.NEWEST})",  # noqa: S608 - no input in it
            [self.expression(query, title=False), self._now(now), COUNT_CAP + 1],
        )
        return int(rows[0][0])

    def newest(self, query: Query, now: datetime, *, offset: int, limit: int) -> list[int]:
        params = [self.expression(query, title=False), self._now(now), limit, offset]
        return [int(row[0]) for row in _run(self.NEWEST + " OFFSET %s", params)]

    def ranked(self, query: Query, now: datetime, *, title: bool, limit: int) -> list[int]:
        # The candidates are every match from the CANDIDATES-th newest on: a rowid
        # range, which FTS5 seeks to, so bm25 is computed for those rows only.
        expression, moment = self.expression(query, title=title), self._now(now)
        sql = (
            f"SELECT f.rowid {self.FROM} AND f.rowid >= "  # noqa: S608 - no input in it
            f"(SELECT coalesce(min(rowid), 0) FROM ({self.NEWEST})) "
            f"ORDER BY bm25(search_fts, {TITLE_WEIGHT}, 1.0, 0.0), f.rowid DESC LIMIT %s"
        )
        params = [expression, moment, expression, moment, CANDIDATES, limit]
        return [int(row[0]) for row in _run(sql, params)]


class PostgresSearch(_TwoTiers):
    """A stored ``tsvector`` (``document``) with a GIN index: title words at weight A,
    body words at B, filter tokens at D."""

    NEWEST = (
        "SELECT e.id, e.document FROM search_searchentry e "
        "WHERE e.document @@ to_tsquery('simple', %s) "
        "AND (e.published_at IS NULL OR e.published_at <= %s) ORDER BY e.id DESC LIMIT %s"
    )

    @staticmethod
    def expression(query: Query, *, title: bool) -> str:
        """A tsquery: terms as prefixes in the title (weight A) or anywhere (A, B),
        facets at D. Terms and facets are letters and digits only; still quoted."""
        weights = "A" if title else "AB"
        parts = [f"'{t}':{'*' if is_prefix(t) else ''}{weights}" for t in query.terms]
        parts += [f"'{f}':D" for f in query.facets]
        parts += [f"!'{f}':D" for f in query.exclude_facets]
        return " & ".join(parts)

    def count(self, query: Query, now: datetime) -> int:
        sql = f"SELECT count(*) FROM ({self.NEWEST}) c"  # noqa: S608 - no input in it
        rows = _run(sql, [self.expression(query, title=False), now, COUNT_CAP + 1])
        return int(rows[0][0])

    def newest(self, query: Query, now: datetime, *, offset: int, limit: int) -> list[int]:
        params = [self.expression(query, title=False), now, limit, offset]
        return [int(row[0]) for row in _run(self.NEWEST + " OFFSET %s", params)]

    def ranked(self, query: Query, now: datetime, *, title: bool, limit: int) -> list[int]:
        # ts_rank's weights are listed {D, C, B, A}; filter tokens count nothing.
        weights = "{0, 0, 0, 1}" if title else f"{{0, 0, {1 / TITLE_WEIGHT}, 1}}"
        expression = self.expression(query, title=title)
        sql = (
            f"SELECT c.id FROM ({self.NEWEST}) c "  # noqa: S608 - no input in it
            "ORDER BY ts_rank(%s, c.document, to_tsquery('simple', %s)) DESC, c.id DESC "
            "LIMIT %s"
        )
        params = [expression, now, CANDIDATES, weights, expression, limit]
        return [int(row[0]) for row in _run(sql, params)]


def backend() -> SearchBackend:
    """The engine for the default database."""
    if connection.vendor == "postgresql":
        return PostgresSearch()
    if connection.vendor == "sqlite":
        return SQLiteSearch()
    raise NotImplementedError(f"search supports SQLite and PostgreSQL, not {connection.vendor}")
