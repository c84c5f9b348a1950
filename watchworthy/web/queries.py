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
from django.db.models import F, OuterRef
from django.utils import timezone

from watchworthy.catalog.models import Season
from watchworthy.core.jsonrows import RowShape, load_objects, object_rows
from watchworthy.core.prepared import PreparedQuery
from watchworthy.reviews.models import Review, Tag

_SLUG = Review._meta.get_field("slug")
_TIME = Review._meta.get_field("published_at")
_REVIEW = Review._meta.pk
_WORK = Review._meta.get_field("work")
_SEASON = Review._meta.get_field("season")


# The other reviews of the work, as their cards show them (no text but the teaser; the
# author's name; the cover), carried in the review's row (core.jsonrows).
_NOT_ON_CARDS = ("body", "body_html", "excerpt", "created_at", "updated_at")
_CARD = RowShape(
    Review,
    fields=tuple(f.attname for f in Review._meta.concrete_fields if f.attname not in _NOT_ON_CARDS),
    related=(
        ("author", ("username", "first_name", "last_name", "display_name")),
        ("cover", None),
    ),
)
MORE_ON_WORK = 6
# What the review page never shows of the author, the work and the part: the account's
# private fields, the Markdown sources (the page shows the HTML; the catch-up reads
# the previous part's recap from the work's seasons), the work's timestamps. Not read,
# they cost neither the database nor the converters (SQLite's times are text).
_NOT_ON_PAGE = (
    *(
        f"author__{name}"
        for name in (
            "password",
            "last_login",
            "is_superuser",
            "email",
            "is_active",
            "date_joined",
            "bio",
        )
    ),
    "work__synopsis",
    "work__created_at",
    "work__updated_at",
    "season__recap",
    "season__recap_html",
)
_NEWEST_FIRST = [F("published_at").desc(), F("pk").desc()]  # Review...newest_first()


def _page_row(reviews: Any, slug: str, now: datetime) -> Any:
    """The review with its tags, its work's seasons and the work's other public
    reviews in three columns of the same row (core.jsonrows): one statement instead
    of four."""
    others = Review.objects.published(now=now).filter(work=OuterRef("work_id"))
    return (
        reviews.for_cards()
        .select_related("work__poster")
        .annotate(
            tag_rows=object_rows(Tag.objects.filter(reviews=OuterRef("pk")), order_by="name"),
            season_rows=object_rows(
                Season.objects.filter(work=OuterRef("work_id")), order_by="number"
            ),
            other_rows=_CARD.rows(
                others.exclude(pk=OuterRef("pk")), order_by=_NEWEST_FIRST, limit=MORE_ON_WORK
            ),
        )
        .filter(slug=slug)
        # The Markdown source is the desk's: the page shows body_html (as long again,
        # so reading both sent and unpacked the review's text twice).
        .defer("body", *_NOT_ON_PAGE)
        .order_by()[:1]
    )


_PUBLIC_REVIEW: PreparedQuery[Review] = PreparedQuery(
    lambda slug, now: _page_row(Review.objects.published(now=now), slug, now),
    slug=_SLUG,
    now=_TIME,
)
_ANY_REVIEW: PreparedQuery[Review] = PreparedQuery(
    lambda slug, now: _page_row(Review.objects.all(), slug, now), slug=_SLUG, now=_TIME
)
_MORE_ON_WORK: PreparedQuery[Review] = PreparedQuery(
    lambda work, review, now: (
        Review.objects.published(now=now)
        .for_cards()
        .filter(work=work)
        .exclude(pk=review)
        .defer(*_NOT_ON_CARDS)  # as _CARD
        .newest_first()[:MORE_ON_WORK]
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
    seasons for :func:`seasons_of` and its other public reviews at ``now`` for
    :func:`more_on_work`: one query."""
    now = now or timezone.now()
    found = (_ANY_REVIEW if staff else _PUBLIC_REVIEW).fetch(slug=slug, now=now, using=using)
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
    by_id = {season.pk: season for season in seasons}
    others = _CARD.load(review.other_rows, using)  # type: ignore[attr-defined]
    for other in others:  # as for_cards() gives them: their work and season read
        _WORK.set_cached_value(other, review.work)
        if other.season_id is None or other.season_id in by_id:  # (else read if shown)
            _SEASON.set_cached_value(other, by_id.get(other.season_id))
    review.other_reviews = others, now  # type: ignore[attr-defined]
    del review.tag_rows, review.season_rows, review.other_rows  # type: ignore[attr-defined]
    return review


def seasons_of(review: Review) -> list[Season]:
    """``list(review.work.seasons.all())``, each season's ``work`` being the review's:
    read with the review's row by :func:`review_for_page`."""
    return list(review.work_seasons)  # type: ignore[attr-defined]


def more_on_work(review: Review, *, now: datetime | None = None) -> list[Review]:
    """The work's six newest other public reviews, ready for cards: read with the
    review's row by :func:`review_for_page` (when asked for that moment, or for
    none), else one query."""
    loaded, loaded_at = getattr(review, "other_reviews", (None, None))
    if loaded is not None and now in (None, loaded_at):
        return list(loaded)
    return _MORE_ON_WORK.fetch(work=review.work_id, review=review.pk, now=now or timezone.now())
