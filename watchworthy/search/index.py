"""Keeping the index in step with what readers can see.

:func:`follow_changes` receives every ``content_changed`` (after commit) and re-indexes
what the ChangeSet touched: a review, its comments; a work, everything under it
(its title, platforms, genres, year and kind are on all of them); a character; a
comment. A transaction too large to list (a big import) rebuilds what it swept.
:func:`rebuild` redoes the whole index (``manage.py rebuild_search_index``).

A scheduled review is indexed with its time and found from that moment (the query
compares it with the clock), and is re-indexed when ``core.publishing`` announces it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction

from watchworthy.catalog.models import Character, Season, Work
from watchworthy.core.changes import ChangeSet
from watchworthy.discussion.models import Comment
from watchworthy.reviews.models import Review

from . import documents
from .backends import forget_stray_words
from .models import SearchEntry

logger = logging.getLogger(__name__)

Kind = SearchEntry.Kind
BATCH = 500
_M = TypeVar("_M", bound=models.Model)

# Too many of these changed to list (a large import): the whole index is rebuilt.
_SWEEPING = ("catalog.work", "catalog.season", "catalog.character", "reviews.review")


def comments_searchable() -> bool:
    return bool(getattr(settings, "WATCHWORTHY_SEARCH_COMMENTS", False))


# --- loading what the documents need, in a fixed number of queries per batch --------


def reviews(ids: Iterable[int] | None = None) -> models.QuerySet[Review]:
    """Reviews, without their work: :class:`_Works` attaches it."""
    queryset = Review.objects.exclude(status=Review.Status.DRAFT)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return (
        queryset.select_related("season")
        .prefetch_related("tags")
        .defer("body", "body_format")
        .order_by("published_at", "pk")
    )


def works(ids: Iterable[int] | None = None) -> models.QuerySet[Work]:
    queryset = Work.objects.all() if ids is None else Work.objects.filter(pk__in=list(ids))
    return queryset.prefetch_related("platforms", "genres", "seasons").order_by("pk")


def characters(ids: Iterable[int] | None = None) -> models.QuerySet[Character]:
    """Characters, without their work: :class:`_Works` attaches it."""
    queryset = Character.objects.all() if ids is None else Character.objects.filter(pk__in=ids)
    return queryset.select_related("first_season").order_by("pk")


def comments(ids: Iterable[int] | None = None) -> models.QuerySet[Comment]:
    """Approved comments with their review, without its work: :class:`_Works`."""
    queryset: models.QuerySet[Comment] = Comment.objects.approved()
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.select_related("review", "review__season").order_by("pk")


class _Works:
    """Each work once, with its platforms, genres and seasons, shared by every entry
    under it that one refresh or rebuild writes (they all carry its title and
    facets). Loading them through each review cost a copy of the work, and of its
    platform and genre lists, per review: a third of a rebuild's time."""

    LIMIT = 5000  # works kept at once (a rebuild of a large catalog)

    def __init__(self) -> None:
        self.loaded: dict[int, Work] = {}

    def attach(self, kind: str, chunk: list[Any]) -> None:
        if kind == Kind.WORK:  # loaded as they are indexed
            if len(self.loaded) + len(chunk) > self.LIMIT:
                self.loaded.clear()
            self.loaded.update((work.pk, work) for work in chunk)
            return
        holders = [obj.review for obj in chunk] if kind == Kind.COMMENT else chunk
        missing = {holder.work_id for holder in holders} - self.loaded.keys()
        if missing:
            if len(self.loaded) + len(missing) > self.LIMIT:
                self.loaded.clear()
            for work in works(missing):
                self.loaded[work.pk] = work
        for holder in holders:
            holder.work = self.loaded[holder.work_id]


def _chunks(queryset: models.QuerySet[_M], size: int = BATCH) -> Iterator[list[_M]]:
    """``queryset`` in lists of ``size``, by primary key ranges (prefetches apply)."""
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        order = {pk: n for n, pk in enumerate(chunk)}
        yield sorted(queryset.filter(pk__in=chunk), key=lambda obj: order[obj.pk])


_BUILDERS: dict[str, Callable[[Any], SearchEntry | None]] = {
    Kind.REVIEW: documents.review_entry,
    Kind.WORK: documents.work_entry,
    Kind.CHARACTER: documents.character_entry,
    Kind.COMMENT: documents.comment_entry,
}


def _loader(kind: str) -> Callable[[Iterable[int] | None], models.QuerySet[Any]]:
    loaders: dict[str, Callable[[Iterable[int] | None], models.QuerySet[Any]]] = {
        Kind.REVIEW: reviews,
        Kind.WORK: works,
        Kind.CHARACTER: characters,
        Kind.COMMENT: comments,
    }
    return loaders[kind]


# --- writing ----------------------------------------------------------------------


def refresh(kind: str, ids: Iterable[int]) -> int:
    """Re-index the ``kind`` objects ``ids``: updated in place, added, or removed when
    they are gone or must not be found. Returns how many are now in the index."""
    ids = set(ids)
    if not ids:
        return 0
    if kind == Kind.COMMENT and not comments_searchable():
        SearchEntry.objects.filter(kind=kind).delete()
        return 0
    build = _BUILDERS[kind]
    shared = _Works()
    with transaction.atomic():
        existing = dict(
            SearchEntry.objects.filter(kind=kind, object_id__in=ids).values_list("object_id", "pk")
        )
        written = 0
        # Written chunk by chunk, so that a large import's refresh holds one chunk's
        # entries (their whole text) at a time, not all of them.
        for chunk in _chunks(_loader(kind)(ids)):
            shared.attach(kind, chunk)
            fresh: list[SearchEntry] = []
            changed: list[SearchEntry] = []
            for obj in chunk:
                entry = build(obj)
                if entry is None:
                    continue
                entry.pk = existing.pop(obj.pk, None)
                (fresh if entry.pk is None else changed).append(entry)
            SearchEntry.objects.bulk_create(fresh, batch_size=BATCH)
            SearchEntry.objects.bulk_update(changed, _CONTENT_FIELDS, batch_size=BATCH)
            written += len(fresh) + len(changed)
        SearchEntry.objects.filter(pk__in=existing.values()).delete()
    return written


_CONTENT_FIELDS = [
    f.name for f in SearchEntry._meta.concrete_fields if f.name not in ("id", "kind", "object_id")
]


def refresh_works(work_ids: Iterable[int]) -> dict[str, set[int]]:
    """A work and everything under it (they all carry its title and facets). Returns
    the ids re-indexed per kind, so that a caller does not index them twice."""
    work_ids = set(work_ids)
    if not work_ids:
        return {}
    under: dict[str, set[int]] = {
        Kind.REVIEW: set(Review.objects.filter(work__in=work_ids).values_list("pk", flat=True)),
        Kind.CHARACTER: set(
            Character.objects.filter(work__in=work_ids).values_list("pk", flat=True)
        ),
    }
    refresh(Kind.WORK, work_ids)
    refresh(Kind.REVIEW, under[Kind.REVIEW])
    refresh(Kind.CHARACTER, under[Kind.CHARACTER])
    if comments_searchable():
        under[Kind.COMMENT] = set(
            Comment.objects.filter(review__work__in=work_ids).values_list("pk", flat=True)
        )
        refresh(Kind.COMMENT, under[Kind.COMMENT])
    return under


def follow_changes(sender: object, changes: ChangeSet, **kwargs: object) -> None:
    """The ``content_changed`` receiver."""
    sweeping = [label for label in changes.labels if changes.everything(label)]
    if any(label in _SWEEPING for label in sweeping) or (
        "discussion.comment" in sweeping and comments_searchable()
    ):
        rebuild()
        return
    # Each look-up below runs only when the changes name rows of its kind: a comment
    # post (the most frequent change) then costs this receiver no query at all.
    work_ids = set(changes.ids(Work))
    if season_ids := changes.ids(Season):
        work_ids |= set(Season.objects.filter(pk__in=season_ids).values_list("work_id", flat=True))
    # A platform or genre is named only in its works' own entries (the others hold
    # its id, which does not change); linking one to a work marks that work too.
    platform_ids, genre_ids = changes.ids("catalog.platform"), changes.ids("catalog.genre")
    if platform_ids or genre_ids:
        renamed = Work.objects.filter(
            models.Q(platforms__in=platform_ids) | models.Q(genres__in=genre_ids)
        )
        refresh(Kind.WORK, set(renamed.values_list("pk", flat=True)) - work_ids)
    done: dict[str, set[int]] = {}
    if work_ids:
        # A work's rows that are gone: what was indexed under it goes too.
        found = set(Work.objects.filter(pk__in=work_ids).values_list("pk", flat=True))
        missing = work_ids - found
        if missing:
            SearchEntry.objects.filter(work_id__in=missing).delete()
        # What was re-indexed under a work is not indexed a second time below (an
        # import creates its placeholder work and thousands of reviews under it at once).
        done = refresh_works(found)

    # Tags are filters (by id), not words: a renamed tag changes no entry, and one
    # added to a review marks that review.
    review_ids = set(changes.ids(Review))
    refresh(Kind.REVIEW, review_ids - done.get(Kind.REVIEW, set()))
    refresh(Kind.CHARACTER, set(changes.ids(Character)) - done.get(Kind.CHARACTER, set()))
    if comments_searchable():
        comment_ids = set(changes.ids(Comment))
        if review_ids:
            comment_ids |= set(
                Comment.objects.filter(review__in=review_ids).values_list("pk", flat=True)
            )
        refresh(Kind.COMMENT, comment_ids - done.get(Kind.COMMENT, set()))


# --- rebuilding -------------------------------------------------------------------

Progress = Callable[[str, int, int], None]  # kind, done, total


def rebuild(progress: Progress | None = None) -> dict[str, int]:
    """Empty the index and index everything again, oldest first (so that the newest
    entries have the highest ids, which the search's candidate set prefers).
    Returns how many entries of each kind were written."""
    kinds = [Kind.WORK, Kind.CHARACTER, Kind.REVIEW]
    if comments_searchable():
        kinds.append(Kind.COMMENT)
    written: dict[str, int] = {}
    SearchEntry.objects.all().delete()
    forget_stray_words()
    shared = _Works()
    for kind in kinds:
        queryset = _loader(kind)(None)
        total = queryset.count()
        done = count = 0
        build = _BUILDERS[kind]
        if progress:
            progress(kind, 0, total)
        for chunk in _chunks(queryset):
            shared.attach(kind, chunk)
            entries = [entry for entry in map(build, chunk) if entry is not None]
            with transaction.atomic():
                SearchEntry.objects.bulk_create(entries, batch_size=BATCH)
            done += len(chunk)
            count += len(entries)
            if progress:
                progress(kind, done, total)
        written[str(kind)] = count
    return written


def fill_if_empty(using: str = "default") -> None:
    """After ``migrate``: a site that had content before search existed gets its index
    (an empty index with works in the catalog can only mean that)."""
    if using != "default" or SearchEntry.objects.exists() or not Work.objects.exists():
        return
    logger.info("search: the index is empty; indexing the site")
    rebuild()
