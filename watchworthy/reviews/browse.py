"""Browsing published reviews: which ones a list shows, and in what order.

A list page (``/reviews/``, a tag, a genre, a platform) narrows the published reviews
by any of the filters below and sorts them one of a few ways. The filters and the
sort live in the address (``/reviews/?verdict=watch&genre=drama&sort=score``), so a
list can be bookmarked or shared, and work without JavaScript. The form that reads
them is :class:`watchworthy.reviews.forms.BrowseForm`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from watchworthy.catalog.models import Genre, Platform

from .models import ReviewQuerySet, Tag

# name in the address -> (label, ordering). Every ordering ends in the primary key, so
# that pages never repeat or skip a review whose other keys tie.
SORTS: dict[str, tuple[str, tuple[str | models.OrderBy, ...]]] = {
    "newest": ("Newest first", ("-published_at", "-pk")),
    "oldest": ("Oldest first", ("published_at", "pk")),
    "score": (
        "Highest score",
        (models.F("score").desc(nulls_last=True), "-published_at", "-pk"),
    ),
    "lowest": (
        "Lowest score",
        (models.F("score").asc(nulls_last=True), "-published_at", "-pk"),
    ),
    "discussed": ("Most discussed", ("-approved_comment_count", "-published_at", "-pk")),
    "title": ("Title A to Z", ("title", "pk")),
}
DEFAULT_SORT = "newest"

# The "score at least" choices.
SCORE_STEPS = (9, 8, 7, 6, 5)


@dataclass(frozen=True)
class Browse:
    """What a list shows: every field left empty means "any"."""

    verdict: str = ""
    kind: str = ""
    year: int | None = None
    platform: Platform | None = None
    genre: Genre | None = None
    tag: Tag | None = None
    min_score: Decimal | None = None
    sort: str = DEFAULT_SORT

    def apply(self, reviews: ReviewQuerySet) -> ReviewQuerySet:
        """Narrow and order ``reviews`` (published ones, as a rule). Each filter on a
        many-to-many relation matches at most one row per review, so no review is
        listed twice and no ``DISTINCT`` is needed."""
        if self.verdict:
            reviews = reviews.verdict(self.verdict)
        if self.kind:
            reviews = reviews.filter(work__kind=self.kind)
        if self.year is not None:
            reviews = reviews.filter(work__year=self.year)
        if self.platform is not None:
            reviews = reviews.filter(work__platforms=self.platform)
        if self.genre is not None:
            reviews = reviews.filter(work__genres=self.genre)
        if self.tag is not None:
            reviews = reviews.filter(tags=self.tag)
        if self.min_score is not None:
            reviews = reviews.filter(score__gte=self.min_score)
        _label, ordering = SORTS.get(self.sort, SORTS[DEFAULT_SORT])
        return reviews.order_by(*ordering)

    @property
    def by_time(self) -> bool:
        """Whether the list runs newest to oldest (the pages then say Newer/Older)."""
        return self.sort == DEFAULT_SORT
