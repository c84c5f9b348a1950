"""The rows the review page reads, as SQL compiled once per database.

Each function returns what the queryset in its docstring returns, through
:class:`~watchworthy.core.prepared.PreparedQuery`: on a review page, compiling these
querysets cost more CPU than running them (see bench/README.md, "Review page CPU").
Each is one query; the review's comes with its tags and its work's seasons in two
columns of its row (core.jsonrows), where the querysets took three.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import OuterRef
from django.utils import timezone

from watchworthy.catalog.models import Season
from watchworthy.core.jsonrows import load_objects, object_rows
from watchworthy.core.prepared import PreparedQuery
from watchworthy.reviews.models import Review, Tag

_SLUG = Review._meta.get_field("slug")
_TIME = Review._meta.get_field("published_at")
_REVIEW = Review._meta.pk
_WORK = Review._meta.get_field("work")


def _page_row(reviews: Any, slug: str) -> Any:
    """The review with its tags and its work's seasons in two columns of the same row
    (core.jsonrows): one statement instead of three."""
    return (
        reviews.for_cards()
        .select_related("work__poster")
        .annotate(
            tag_rows=object_rows(Tag.objects.filter(reviews=OuterRef("pk")), order_by="name"),
            season_rows=object_rows(
                Season.objects.filter(work=OuterRef("work_id")), order_by="number"
            ),
        )
        .filter(slug=slug)
        # The Markdown source is the desk's: the page shows body_html (as long again,
        # so reading both sent and unpacked the review's text twice).
        .defer("body")
        .order_by()[:1]
    )


_PUBLIC_REVIEW: PreparedQuery[Review] = PreparedQuery(
    lambda slug, now: _page_row(Review.objects.published(now=now), slug), slug=_SLUG, now=_TIME
)
_ANY_REVIEW: PreparedQuery[Review] = PreparedQuery(
    lambda slug: _page_row(Review.objects.all(), slug), slug=_SLUG
)
_MORE_ON_WORK: PreparedQuery[Review] = PreparedQuery(
    lambda work, review, now: (
        Review.objects.published(now=now)
        .for_cards()
        .filter(work=work)
        .exclude(pk=review)
        .defer("body", "body_html")  # a card shows the teaser
        .newest_first()[:6]
    ),
    work=_WORK,
    review=_REVIEW,
    now=_TIME,
)


def review_for_page(
    slug: str, *, staff: bool, now: datetime | None = None, using: str = DEFAULT_DB_ALIAS
) -> Review | None:
    """``Review.objects.visible_to(user).for_cards().select_related("work__poster")
    .prefetch_related(tags by name).filter(slug=slug).first()``, with the work's
    seasons for :func:`seasons_of`: one query."""
    if staff:
        found = _ANY_REVIEW.fetch(slug=slug, using=using)
    else:
        found = _PUBLIC_REVIEW.fetch(slug=slug, now=now or timezone.now(), using=using)
    if not found:
        return None
    review = found[0]
    # What prefetch_related("tags") leaves on the review: ``review.tags.all()`` is
    # then the fetched list, with no query.
    tag_list = load_objects(Tag, review.tag_rows, using)  # type: ignore[attr-defined]
    tags = review.tags.all()
    tags._result_cache = tag_list
    tags._prefetch_done = True  # type: ignore[attr-defined]
    review._prefetched_objects_cache = {"tags": tags}  # type: ignore[attr-defined]
    review.tag_list = tag_list  # what Review.tag_list would read from that cache
    seasons = load_objects(Season, review.season_rows, using)  # type: ignore[attr-defined]
    for season in seasons:
        season.work = review.work
    review.work_seasons = seasons  # type: ignore[attr-defined]
    del review.tag_rows, review.season_rows  # type: ignore[attr-defined]
    return review


def seasons_of(review: Review) -> list[Season]:
    """``list(review.work.seasons.all())``, each season's ``work`` being the review's:
    read with the review's row by :func:`review_for_page`."""
    return list(review.work_seasons)  # type: ignore[attr-defined]


def more_on_work(review: Review, *, now: datetime | None = None) -> list[Review]:
    """The work's six newest other public reviews, ready for cards."""
    return _MORE_ON_WORK.fetch(work=review.work_id, review=review.pk, now=now or timezone.now())
