"""sitemap.xml: an index of sections (django.contrib.sitemaps), each with ``lastmod``.

==========  ======================================  ====================================
section     what                                    lastmod
==========  ======================================  ====================================
pages       home, about, lists, works index         newest change to a published review
reviews     every published review                  the review's last save
works       works with a published review           the work's or its newest review's
tags        tags with a published review            their newest review's last save
genres      genres with a published review          their newest review's last save
platforms   platforms with a published review       their newest review's last save
authors     critics with a published review         their newest review's last save
standalone  published standalone pages              the page's last save
==========  ======================================  ====================================

Drafts and scheduled items are never listed. Each section and the index cost a fixed
number of queries (a count, a page of rows, one aggregate for the index's lastmod),
however many rows exist; a section pages itself past 50,000 addresses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q, QuerySet
from django.urls import reverse

from watchworthy.catalog.models import Genre, Platform, Work
from watchworthy.pages.models import Page
from watchworthy.reviews.models import Review, Tag


def _published_reviews(through: str = "reviews") -> Q:
    return Q(**{f"{through}__in": Review.objects.published().values("pk")})


def _newest_review_change() -> datetime | None:
    latest: datetime | None = Review.objects.published().aggregate(at=Max("updated_at"))["at"]
    return latest


class ListPagesSitemap(Sitemap):  # type: ignore[type-arg]
    """The site's own pages: the home page, About, the lists and the works index."""

    changefreq = "daily"
    names = (
        "home",
        "about",
        "reviews:list",
        "reviews:watch_list",
        "reviews:avoid_list",
        "works",
        "reviews:browse",
    )

    def items(self) -> list[tuple[str, datetime | None]]:
        latest = _newest_review_change()
        return [(name, None if name == "about" else latest) for name in self.names]

    def location(self, item: tuple[str, datetime | None]) -> str:
        return reverse(item[0])

    def lastmod(self, item: tuple[str, datetime | None]) -> datetime | None:
        return item[1]

    def get_latest_lastmod(self) -> datetime | None:
        return _newest_review_change()


class ReviewSitemap(Sitemap):  # type: ignore[type-arg]
    def items(self) -> QuerySet[Review]:
        return Review.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, review: Review) -> datetime:
        return review.updated_at

    def get_latest_lastmod(self) -> datetime | None:
        return _newest_review_change()


class WorkSitemap(Sitemap):  # type: ignore[type-arg]
    def items(self) -> QuerySet[Work]:
        return (
            Work.objects.annotate(
                latest_review=Max("reviews__updated_at", filter=_published_reviews())
            )
            .filter(latest_review__isnull=False)
            .only("slug", "updated_at")
            .order_by("pk")
        )

    def lastmod(self, work: Any) -> datetime:
        moment: datetime = max(work.updated_at, work.latest_review)
        return moment

    def get_latest_lastmod(self) -> datetime | None:
        latest = self.items().aggregate(work=Max("updated_at"), review=Max("latest_review"))
        found = [moment for moment in latest.values() if moment is not None]
        return max(found) if found else None


class _ByReviewsSitemap(Sitemap):  # type: ignore[type-arg]
    """Things listed for their published reviews; lastmod is their newest review's."""

    reviews = "reviews"  # the path from a row to its reviews

    def rows(self) -> QuerySet[Any]:
        raise NotImplementedError

    def items(self) -> QuerySet[Any]:
        rows: QuerySet[Any] = (
            self.rows()
            .annotate(
                latest_review=Max(
                    f"{self.reviews}__updated_at", filter=_published_reviews(self.reviews)
                )
            )
            .filter(latest_review__isnull=False)
            .order_by("pk")
        )
        return rows

    def lastmod(self, row: Any) -> datetime:
        moment: datetime = row.latest_review
        return moment

    def get_latest_lastmod(self) -> datetime | None:
        return _newest_review_change()


class TagSitemap(_ByReviewsSitemap):
    def rows(self) -> QuerySet[Tag]:
        return Tag.objects.only("slug")


class GenreSitemap(_ByReviewsSitemap):
    reviews = "works__reviews"

    def rows(self) -> QuerySet[Genre]:
        return Genre.objects.only("slug")


class PlatformSitemap(_ByReviewsSitemap):
    reviews = "works__reviews"

    def rows(self) -> QuerySet[Platform]:
        return Platform.objects.only("slug")


class AuthorSitemap(_ByReviewsSitemap):
    def rows(self) -> QuerySet[Any]:
        return get_user_model().objects.only("username")


class PageSitemap(Sitemap):  # type: ignore[type-arg]
    def items(self) -> QuerySet[Page]:
        return Page.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, page: Page) -> datetime:
        return page.updated_at

    def get_latest_lastmod(self) -> datetime | None:
        latest: datetime | None = Page.objects.published().aggregate(at=Max("updated_at"))["at"]
        return latest


SITEMAPS: dict[str, type[Sitemap]] = {  # type: ignore[type-arg]
    "pages": ListPagesSitemap,
    "reviews": ReviewSitemap,
    "works": WorkSitemap,
    "tags": TagSitemap,
    "genres": GenreSitemap,
    "platforms": PlatformSitemap,
    "authors": AuthorSitemap,
    "standalone": PageSitemap,
}
