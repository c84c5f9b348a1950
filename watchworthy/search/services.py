"""Search as the site offers it: a reader's words and filters in, one page of hits out,
each with its title and a snippet highlighted and every spoiler still a label."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.safestring import SafeString

from .backends import COUNT_CAP, Query, backend
from .index import comments_searchable
from .models import SearchEntry
from .words import SNIPPET_CHARACTERS, highlight, query_terms

PER_PAGE = 20


@dataclass(frozen=True)
class Filters:
    """Each set filter narrows the results (all must hold). Ids for the catalog and
    tags, as stored in the index's facets."""

    type: str = ""  # SearchEntry.Kind: review, work, character, comment
    verdict: str = ""
    kind: str = ""  # Work.Kind
    year: int | None = None
    platform: int | None = None
    genre: int | None = None
    tag: int | None = None

    def facets(self) -> tuple[str, ...]:
        tokens = [
            f"fe{self.type}" if self.type else "",
            f"fv{self.verdict}" if self.verdict else "",
            f"fk{self.kind}" if self.kind else "",
            f"fy{self.year}" if self.year else "",
            f"fp{self.platform}" if self.platform else "",
            f"fg{self.genre}" if self.genre else "",
            f"ft{self.tag}" if self.tag else "",
        ]
        return tuple(token for token in tokens if token)


@dataclass(frozen=True)
class Hit:
    entry: SearchEntry
    title: SafeString  # escaped, the query's words in <mark>
    snippet: SafeString

    @property
    def kind_label(self) -> str:
        return self.entry.get_kind_display()


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    total: int  # up to COUNT_CAP…
    more: bool  # …and more than that
    page: int
    pages: int
    terms: tuple[str, ...] = field(default=())

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def search_run(*, text: str, filters: Filters, page: int = 1) -> Results | None:
    """One page of results for ``text`` and ``filters``; None when there is nothing to
    search for (no word and no filter). Three queries whatever the index holds."""
    terms = query_terms(text)
    facets = filters.facets()
    if not (terms or facets):
        return None
    excluded = () if comments_searchable() else (f"fe{SearchEntry.Kind.COMMENT}",)
    query = Query(terms, facets, excluded)
    engine, now = backend(), timezone.now()
    page = max(1, page)
    matches = engine.match(query, now=now, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    pages = max(1, -(-min(matches.total, COUNT_CAP) // PER_PAGE))
    if page > pages and matches.total:  # past the end: the last page
        page = pages
        matches = engine.match(query, now=now, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    entries = SearchEntry.objects.defer("match_title", "match_body", "facets").in_bulk(matches.ids)
    hits = [
        Hit(
            entry,
            highlight(entry.title, terms),
            highlight(entry.text, terms, around=SNIPPET_CHARACTERS),
        )
        for entry in (entries.get(pk) for pk in matches.ids)
        if entry is not None
    ]
    return Results(hits, matches.total, matches.more, page, pages, terms)
