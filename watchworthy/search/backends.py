"""One small interface over two full-text engines, with one result contract.

:func:`backend` picks the engine of the default database: SQLite's FTS5 (the
embedded default) or PostgreSQL's full-text search. Each answers :meth:`match`
with a :class:`Matches`: the entry ids of one page, best first, and how many
entries match (counted up to :data:`COUNT_CAP`, then "more than").

**Why it stays fast when a word is everywhere.** Ranking every entry that holds a
common word costs time in proportion to the matches (100,000 reviews all say
"season"). So a search first lists the ids of the newest matches straight off the
full-text index, newest first, stopping at :data:`COUNT_CAP` + 1 (that list is the
count: "more than 1,000 results"), and then ranks only the :data:`CANDIDATES` newest
of them — an id range FTS5 seeks to, or those ids read by primary key — with bm25
(SQLite) or ts_rank (PostgreSQL), a title word weighing :data:`TITLE_WEIGHT` body
words. A word found in fewer entries than that is ranked exactly; past the ranked
ones, pages list the rest newest first. Two queries, whatever the index holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db import connection

from .words import is_prefix

CANDIDATES = 500
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


class _Ranked:
    """The ranking both engines share. An engine lists the ids of the newest matches
    (:meth:`newest`, up to :data:`COUNT_CAP` + 1: that is the count) and ranks the
    matches from a given id on (:meth:`ranked`): the :data:`CANDIDATES` newest, best
    first, a title word weighing :data:`TITLE_WEIGHT` body words, ties newest first."""

    def newest(self, query: Query, now: datetime, *, offset: int, limit: int) -> list[int]:
        raise NotImplementedError

    def ranked(
        self, query: Query, now: datetime, *, candidates: list[int], limit: int
    ) -> list[int]:
        """The best of ``candidates`` (the newest matches, newest first), best first."""
        raise NotImplementedError

    def match(self, query: Query, *, now: datetime, offset: int, limit: int) -> Matches:
        if not query.terms:  # filters only: the newest first
            newest = self.newest(query, now, offset=0, limit=COUNT_CAP + 1)
            total = len(newest)
            return Matches(
                newest[offset : offset + limit], min(total, COUNT_CAP), total > COUNT_CAP
            )
        newest = self.newest(query, now, offset=0, limit=COUNT_CAP + 1)
        total = len(newest)
        shown = min(total, COUNT_CAP)
        if not total or offset >= shown:
            return Matches([], shown, total > COUNT_CAP)
        candidates = newest[:CANDIDATES]
        if offset + limit > CANDIDATES:  # past the ranked ones: the rest, newest first
            ranked = self.ranked(query, now, candidates=candidates, limit=CANDIDATES)
            seen = set(ranked)
            ordered = ranked + [pk for pk in newest[:shown] if pk not in seen]
            return Matches(ordered[offset : offset + limit], shown, total > COUNT_CAP)
        ranked = self.ranked(query, now, candidates=candidates, limit=offset + limit)
        return Matches(ranked[offset : offset + limit], shown, total > COUNT_CAP)


def could_be_filter(term: str) -> bool:
    """Whether ``term`` (a word or a prefix) could match a filter token: they all
    start with "f" (``fvwatch``, ``fp3``: see ``services.Filters``). Only such terms
    need the index told to look at the title and body alone; that costs both engines
    (FTS5 decodes every position list to check the column, PostgreSQL rechecks each
    row's weights), so other terms go without."""
    return term.startswith("f")


class SQLiteSearch(_Ranked):
    """FTS5 over ``search_fts`` (external content: ``search_searchentry``)."""

    @staticmethod
    def expression(query: Query) -> str:
        """An FTS5 query: the terms (as prefixes) in the title or body, every facet,
        none of the excluded ones. Terms and facets are letters and digits only, so
        quoting them is plain. A term that cannot be a filter token is looked up in
        every column: the same rows, and cheaper (see :func:`could_be_filter`)."""
        parts = []
        for term in query.terms:
            phrase = f'"{term}"*' if is_prefix(term) else f'"{term}"'
            parts.append(
                f"{{match_title match_body}} : {phrase}" if could_be_filter(term) else phrase
            )
        if query.facets:
            parts.append("{facets} : (" + " AND ".join(f'"{f}"' for f in query.facets) + ")")
        expression = " AND ".join(parts)
        for facet in query.exclude_facets:
            expression = f'({expression}) NOT {{facets}} : "{facet}"'
        return expression

    # Only the FTS table is read: an entry found only from a later moment (a scheduled
    # review, rare) is left out by its id, listed once through the index on its time.
    # (Reading each match's own row for its time cost a page or two per row: the
    # time is stored after the texts.)
    FROM = (
        "FROM search_fts f WHERE search_fts MATCH %s AND f.rowid NOT IN "
        "(SELECT id FROM search_searchentry WHERE published_at > %s)"
    )

    @staticmethod
    def _now(now: datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(now)  # stored as text here

    def newest(self, query: Query, now: datetime, *, offset: int, limit: int) -> list[int]:
        sql = f"SELECT f.rowid {self.FROM} ORDER BY f.rowid DESC LIMIT %s OFFSET %s"
        params = [self.expression(query), self._now(now), limit, offset]
        return [int(row[0]) for row in _run(sql, params)]

    def ranked(
        self, query: Query, now: datetime, *, candidates: list[int], limit: int
    ) -> list[int]:
        # A rowid range, which FTS5 seeks to: bm25 is computed for those rows only (a
        # list of ids would make FTS5 redo bm25's per-word counts for each one).
        sql = (
            f"SELECT f.rowid {self.FROM} AND f.rowid >= %s "
            f"ORDER BY bm25(search_fts, {TITLE_WEIGHT}, 1.0, 0.0), f.rowid DESC LIMIT %s"
        )
        params = [self.expression(query), self._now(now), min(candidates), limit]
        return [int(row[0]) for row in _run(sql, params)]


class PostgresSearch(_Ranked):
    """A stored ``tsvector`` (``document``: title words at weight A, body words at B,
    filter tokens at D) with a GIN index for the words, and one of the filter tokens
    alone (``filters``, with its own GIN index; migration 0002)."""

    # ts_rank's weights are listed {D, C, B, A}: filter tokens count nothing.
    WEIGHTS = f"{{0, 0, {1 / TITLE_WEIGHT}, 1}}"

    @staticmethod
    def expression(query: Query, *, weighted: bool = False) -> str:
        """A tsquery of the terms (as prefixes). Only a term that could be a filter
        token is limited to the title and body (weights A, B), or when ``weighted``:
        a weight in the query makes PostgreSQL recheck every row the GIN index
        returns, reading its whole ``document``. Letters and digits only; quoted."""
        return " & ".join(
            f"'{t}':{'*' if is_prefix(t) else ''}{'AB' if weighted or could_be_filter(t) else ''}"
            for t in query.terms
        )

    @staticmethod
    def where(query: Query) -> tuple[str, list[Any]]:
        """The filters first: when PostgreSQL walks the entries newest first (a
        common word), each row's small ``filters`` is checked before its large
        ``document`` is read (it keeps the written order of equally costed tests)."""
        clauses, params = [], []
        if query.facets:
            clauses.append("e.filters @@ to_tsquery('simple', %s)")
            params.append(" & ".join(f"'{f}'" for f in query.facets))
        if query.exclude_facets:
            clauses.append("NOT (e.filters @@ to_tsquery('simple', %s))")
            params.append(" | ".join(f"'{f}'" for f in query.exclude_facets))
        if query.terms:
            # search_reads_document() is always true; its declared cost (migration
            # 0002) is that of reading the row's document, which the planner would
            # otherwise take as nothing when it weighs walking the entries newest
            # first against the GIN index.
            clauses.append("e.document @@ to_tsquery('simple', %s) AND search_reads_document(e.id)")
            params.append(PostgresSearch.expression(query))
        return " AND ".join(clauses), params

    def newest(self, query: Query, now: datetime, *, offset: int, limit: int) -> list[int]:
        where, params = self.where(query)
        # The clauses are fixed text; every value is a parameter.
        sql = (
            f"SELECT e.id FROM search_searchentry e WHERE {where} "  # noqa: S608
            "AND (e.published_at IS NULL OR e.published_at <= %s) "
            "ORDER BY e.id DESC LIMIT %s OFFSET %s"
        )
        return [int(row[0]) for row in _run(sql, [*params, now, limit, offset])]

    def ranked(
        self, query: Query, now: datetime, *, candidates: list[int], limit: int
    ) -> list[int]:
        # The candidates are matches already (same query, same moment): only their
        # rank is computed, by the words alone at their weights (ts_rank of an AND
        # with filter tokens, weight 0, would be zero for every row).
        sql = (
            "SELECT e.id FROM search_searchentry e WHERE e.id = ANY(%s) "
            "ORDER BY ts_rank(%s, e.document, to_tsquery('simple', %s)) DESC, e.id DESC "
            "LIMIT %s"
        )
        words = self.expression(query, weighted=True)
        return [int(row[0]) for row in _run(sql, [candidates, self.WEIGHTS, words, limit])]


def backend() -> SearchBackend:
    """The engine for the default database."""
    if connection.vendor == "postgresql":
        return PostgresSearch()
    if connection.vendor == "sqlite":
        return SQLiteSearch()
    raise NotImplementedError(f"search supports SQLite and PostgreSQL, not {connection.vendor}")
