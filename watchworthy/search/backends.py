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


def _run(sql: str, params: list[Any] | dict[str, Any]) -> list[tuple[Any, ...]]:
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
    need FTS5 told to look at the title and body alone, which costs it (it decodes
    every position list to check the column), so other terms go without. (PostgreSQL
    matches words in a vector of the title and body alone: migration 0003.)"""
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
    """Matching on ``search_words`` (migration 0003): per entry its title and body
    words (a ``tsvector`` without weights, kept in the row) and its filter tokens,
    each with a GIN index. Ranking on the entry's ``document`` (title words at weight
    A, body words at B), for the candidates only.

    **How the newest matches are found.** Two ways, and which is cheap depends on
    how many entries match, which the planner misjudges (it takes the prefix "kar",
    in a third of the entries, for a rare word):

    - *walk* the entries newest first, checking each row (about 1.5 µs: the vectors
      are in it) until enough match: the cost is the rows walked, 1,001 ÷ the share
      that matches everything;
    - ask a GIN index for what matches one or two *parts* of the query (a term; the
      filters), then fetch and check each of those rows (about 3.5 µs) and sort
      them: the cost is every posting read (about 0.2 µs) and every row fetched.

    So one statement first checks the :data:`PROBE` newest entries against the whole
    query and against each part, estimates from those shares what each way costs
    (:data:`POSTING` and :data:`FETCH` in walked rows; the entries counted as the span
    of their ids, which a rebuild makes contiguous, because table statistics are
    stale just after a rebuild), and runs the cheapest of: the walk, the rarest
    part's index, the two rarest parts' indexes together. "kar" walks 3,500 rows; a
    rare word fetches its few rows; "the" with a rare word fetches the rare word's
    rows and checks each for "the"; "season" with a verdict and a platform fetches
    the rows with both filters and checks each for "season".
    """

    # ts_rank's weights are listed {D, C, B, A}: filter tokens count nothing.
    WEIGHTS = f"{{0, 0, {1 / TITLE_WEIGHT}, 1}}"
    PROBE = 1000  # the newest entries checked to estimate shares
    # Costs in rows walked, measured (bench/README.md): a posting read from the GIN
    # index, a row fetched and checked after it.
    POSTING = 0.15
    FETCH = 2.5

    @staticmethod
    def expression(query: Query, *, weighted: bool = False) -> str:
        """A tsquery of the terms (as prefixes), for ``search_words.words`` (title and
        body words only: no filter token can match) or, ``weighted``, for the entry's
        ``document``, whose filter tokens are at weight D: limited to A and B there.
        Letters and digits only; quoted."""
        weights = "AB" if weighted else ""
        return " & ".join(f"'{t}':{'*' if is_prefix(t) else ''}{weights}" for t in query.terms)

    @staticmethod
    def checked(query: Query) -> tuple[str, list[str]]:
        """Every test of a ``search_words w`` row, as functions that no index answers
        (``ts_match_vq()`` is what ``@@`` runs): checked on each row read. And each
        part's test alone, the terms first (``%(term1)s``…), then the filters."""
        parts = [
            f"ts_match_vq(w.words, to_tsquery('simple', %(term{n})s))"
            for n in range(1, len(query.terms) + 1)
        ]
        if query.facets:
            parts.append("ts_match_vq(w.filters, to_tsquery('simple', %(facets)s))")
        clauses = ["(w.published_at IS NULL OR w.published_at <= %(now)s)"]
        if query.terms:  # one test for every term: cheaper than one a term
            clauses.append("ts_match_vq(w.words, to_tsquery('simple', %(words)s))")
        clauses += parts[len(query.terms) :]
        if query.exclude_facets:
            clauses.append("NOT ts_match_vq(w.filters, to_tsquery('simple', %(exclude)s))")
        return " AND ".join(clauses), parts

    def newest(self, query: Query, now: datetime, *, offset: int, limit: int) -> list[int]:
        checked, parts = self.checked(query)
        terms = len(query.terms)
        values: dict[str, Any] = {
            "now": now,
            "words": self.expression(query),
            "probe": self.PROBE,
            "posting": self.POSTING,
            "fetch": self.FETCH,
            "terms": terms,
            "wanted": offset + limit,
            "limit": limit,
            "offset": offset,
            "facets": " & ".join(f"'{f}'" for f in query.facets),
            "exclude": " | ".join(f"'{f}'" for f in query.exclude_facets),
        }
        values.update(
            (f"term{n}", self.expression(Query((term,))))
            for n, term in enumerate(query.terms, start=1)
        )
        term_queries = ", ".join(f"to_tsquery('simple', %(term{n})s)" for n in range(1, terms + 1))
        words = "(SELECT words FROM choice)"
        facets = "to_tsquery('simple', %(facets)s)"
        indexed = {  # how the index ways ask the GIN indexes, by the parts they use
            "words": f"w.words @@ {words}",
            "filters": f"w.filters @@ {facets}",
            "both": f"w.words @@ {words} AND w.filters @@ {facets}",
        }
        if not query.facets:
            del indexed["filters"], indexed["both"]
        elif not terms:
            del indexed["words"], indexed["both"]
        index_ways = " UNION ALL ".join(
            f"SELECT w.id FROM search_words w WHERE {test} AND {checked} "  # noqa: S608
            f"AND (SELECT way FROM choice) = '{way}'"
            for way, test in indexed.items()
        )
        # Only the way chosen runs: the others' guards, computed once, are false. The
        # index ways are a materialized CTE so that the planner cannot turn them into
        # a walk (misjudging the shares, as it does): it can only use the indexes.
        # The clauses are fixed text; every value is a parameter.
        sql = f"""
            WITH probe AS MATERIALIZED (
                SELECT count(*) FILTER (WHERE {checked}) AS found,
                    ARRAY[{", ".join(f"count(*) FILTER (WHERE {p})" for p in parts)}] AS counts
                FROM (SELECT * FROM search_words ORDER BY id DESC LIMIT %(probe)s) w
            ),
            share AS MATERIALIZED (  -- of the entries matching: all, the rarest part, the next
                SELECT rarest,
                    greatest(found, 0.5)::float8 / %(probe)s AS everything,
                    greatest(counts[rarest[1]], 0.5)::float8 / %(probe)s AS first,
                    CASE WHEN cardinality(counts) > 1
                        THEN greatest(counts[rarest[2]], 0.5)::float8 / %(probe)s
                        ELSE 1 END AS second,
                    span AS entries
                FROM probe, LATERAL (
                    SELECT coalesce(max(id) - min(id) + 1, 1)::float8 AS span FROM search_words
                ) s, LATERAL (
                    SELECT array_agg(n ORDER BY c, n) AS rarest
                    FROM unnest(counts) WITH ORDINALITY AS u(c, n)
                ) r
            ),
            cost AS MATERIALIZED (
                SELECT rarest,
                    least(entries, %(wanted)s / everything) AS walk,
                    entries * first * (%(posting)s + %(fetch)s) AS one,
                    entries * ((first + second) * %(posting)s + first * second * %(fetch)s)
                        AS two
                FROM share
            ),
            picked AS MATERIALIZED (  -- the parts whose indexes are asked (none: walk)
                SELECT CASE
                    WHEN walk <= least(one, two) THEN '{{}}'::int[]
                    WHEN cardinality(rarest) > 1 AND two < one THEN rarest[1:2]
                    ELSE rarest[1:1]
                END AS parts
                FROM cost
            ),
            choice AS MATERIALIZED (
                SELECT CASE  -- the filters are part number terms + 1
                    WHEN parts = '{{}}' THEN 'walk'
                    WHEN NOT %(terms)s + 1 = ANY(parts) THEN 'words'
                    WHEN cardinality(parts) = 1 THEN 'filters'
                    ELSE 'both'
                END AS way,
                CASE  -- the terms picked, together
                    WHEN parts[1] <= %(terms)s AND parts[2] <= %(terms)s
                        THEN term[parts[1]] && term[parts[2]]
                    WHEN parts[1] <= %(terms)s THEN term[parts[1]]
                    WHEN parts[2] <= %(terms)s THEN term[parts[2]]
                END AS words
                FROM picked, (SELECT ARRAY[{term_queries}]::tsquery[] AS term) t
            ),
            indexed AS MATERIALIZED ({index_ways})
            (SELECT w.id FROM search_words w
             WHERE {checked} AND (SELECT way FROM choice) = 'walk'
             ORDER BY w.id DESC LIMIT %(wanted)s)
            UNION ALL
            (SELECT id FROM indexed ORDER BY id DESC LIMIT %(wanted)s)
            ORDER BY 1 DESC LIMIT %(limit)s OFFSET %(offset)s
        """  # noqa: S608
        return [int(row[0]) for row in _run(sql, values)]

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


def forget_stray_words() -> None:
    """PostgreSQL: delete the rows of ``search_words`` whose entry is gone. Its
    triggers leave none, but a copy restored with triggers off could; a rebuild starts
    with this, after emptying the entries. (Entries written meanwhile keep theirs.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM search_words w WHERE NOT EXISTS "
                "(SELECT FROM search_searchentry e WHERE e.id = w.id)"
            )


def backend() -> SearchBackend:
    """The engine for the default database."""
    if connection.vendor == "postgresql":
        return PostgresSearch()
    if connection.vendor == "sqlite":
        return SQLiteSearch()
    raise NotImplementedError(f"search supports SQLite and PostgreSQL, not {connection.vendor}")
