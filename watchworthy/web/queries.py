"""The rows the review page reads, as SQL compiled once per database.

Each function returns what the queryset in its docstring returns, through
:class:`~watchworthy.core.prepared.PreparedQuery`: on a review page, compiling these
querysets cost more CPU than running them (see bench/README.md, "Review page CPU").
The query count is the same as the querysets'.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from watchworthy.catalog.models import Season, Work
from watchworthy.core.models import SupportLink
from watchworthy.core.prepared import PreparedQuery
from watchworthy.reviews.models import Review, Tag

_SLUG = Review._meta.get_field("slug")
_TIME = Review._meta.get_field("published_at")
_REVIEW = Review._meta.pk
_WORK = Review._meta.get_field("work")


def _page_row(reviews: Any, slug: str) -> Any:
    return reviews.for_cards().select_related("work__poster").filter(slug=slug).order_by()[:1]


_PUBLIC_REVIEW: PreparedQuery[Review] = PreparedQuery(
    lambda slug, now: _page_row(Review.objects.published(now=now), slug), slug=_SLUG, now=_TIME
)
_ANY_REVIEW: PreparedQuery[Review] = PreparedQuery(
    lambda slug: _page_row(Review.objects.all(), slug), slug=_SLUG
)
_TAGS: PreparedQuery[Tag] = PreparedQuery(
    lambda review: Tag.objects.filter(reviews=review).order_by("name"), review=_REVIEW
)
_SEASONS: PreparedQuery[Season] = PreparedQuery(
    lambda work: Season.objects.filter(work=work), work=Season._meta.get_field("work")
)
_MORE_ON_WORK: PreparedQuery[Review] = PreparedQuery(
    lambda work, review, now: (
        Review.objects.published(now=now)
        .for_cards()
        .filter(work=work)
        .exclude(pk=review)
        .newest_first()[:6]
    ),
    work=_WORK,
    review=_REVIEW,
    now=_TIME,
)
_SUPPORT_LINKS: PreparedQuery[SupportLink] = PreparedQuery(
    lambda: SupportLink.objects.filter(is_active=True)
)


def review_for_page(slug: str, *, staff: bool, now: datetime | None = None) -> Review | None:
    """``Review.objects.visible_to(user).for_cards().select_related("work__poster")
    .prefetch_related(tags by name).filter(slug=slug).first()``: two queries."""
    if staff:
        found = _ANY_REVIEW.fetch(slug=slug)
    else:
        found = _PUBLIC_REVIEW.fetch(slug=slug, now=now or timezone.now())
    if not found:
        return None
    review = found[0]
    # What prefetch_related("tags") leaves on the review: ``review.tags.all()`` is
    # then the fetched list, with no query.
    tags = review.tags.all()
    tags._result_cache = _TAGS.fetch(review=review.pk)
    tags._prefetch_done = True  # type: ignore[attr-defined]
    review._prefetched_objects_cache = {"tags": tags}  # type: ignore[attr-defined]
    return review


def seasons_of(work: Work) -> list[Season]:
    """``list(work.seasons.all())``, each season's ``work`` being ``work``."""
    seasons = _SEASONS.fetch(work=work.pk)
    for season in seasons:
        season.work = work
    return seasons


def more_on_work(review: Review, *, now: datetime | None = None) -> list[Review]:
    """The work's six newest other public reviews, ready for cards."""
    return _MORE_ON_WORK.fetch(work=review.work_id, review=review.pk, now=now or timezone.now())


def support_links() -> list[SupportLink]:
    """``SupportLink.objects.filter(is_active=True)`` in their order."""
    return _SUPPORT_LINKS.fetch()
