"""RSS 2.0 and Atom feeds of published reviews: the whole site, one work, one tag, one
author. Each entry carries the verdict and score (in its title, its summary and as a
category) and, by the site setting ``feed_content``, the whole review or its excerpt.

Spoilers never travel: the full text goes through :func:`spoilers.shield.travelling`
(every spoiler becomes its label) and the excerpt is the stored teaser, redacted the
same way when the review was saved. Links inside the text are made absolute against
the request, so feed readers can follow them and load the images.

A feed costs the same number of queries however many reviews exist: the subject (work,
tag or author), the newest ``FEED_SIZE`` reviews with what an entry shows, their tags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.xmlutils import SimplerXMLGenerator

from watchworthy.accounts.models import User
from watchworthy.catalog.models import Work
from watchworthy.core.caching import cacheable
from watchworthy.core.changes import LISTS
from watchworthy.core.models import SiteSettings
from watchworthy.spoilers.shield import travelling

from .models import Review, ReviewQuerySet, Tag, Verdict

FEED_SIZE = 20
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
# Attribute values that hold addresses in stored (sanitized, double-quoted) HTML.
_URL_ATTRIBUTE = re.compile(r'\b(href|src|srcset)="([^"]*)"')


def verdict_words(review: Review) -> str:
    """ "Avoid, 3.5/10", "Watch", "6.0/10" or "" (unrated, no score)."""
    parts = []
    if review.verdict != Verdict.UNRATED:
        parts.append(review.get_verdict_display())
    if review.score is not None:
        parts.append(f"{review.score}/10")
    return ", ".join(parts)


def absolute_links(html: str, base: str, page: str = "") -> str:
    """``html`` with site-relative addresses (``/media/…``) made absolute on ``base``
    (``https://host``), and fragments (``#part-2``) on ``page``, the address the text
    lives at. Other addresses are left as they are."""

    def one(url: str) -> str:
        url = url.strip()
        if url.startswith("#") and page:
            return page + url
        return base + url if url.startswith("/") and not url.startswith("//") else url

    def attribute(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        if name == "srcset":
            entries = []
            for entry in value.split(","):
                url, _, width = entry.strip().partition(" ")
                entries.append(f"{one(url)} {width}".strip())
            return f'{name}="{", ".join(entries)}"'
        return f'{name}="{one(value)}"'

    return _URL_ATTRIBUTE.sub(attribute, html)


@dataclass(frozen=True)
class Entry:
    """One review as a feed entry, with what its text needs from the request."""

    review: Review
    base: str  # scheme and host of the request: https://example.org
    full: bool  # the whole review, or the excerpt


@dataclass(frozen=True)
class Subject:
    """What a feed is about (None: the whole site) and the request's scheme and host."""

    base: str
    work: Work | None = None
    tag: Tag | None = None
    author: User | None = None


# --- the XML: summary always, the whole text as content:encoded / <content> -------------


class ReviewRss(Rss201rev2Feed):
    def rss_attributes(self) -> dict[str, str]:
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS}

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class ReviewAtom(Atom1Feed):
    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


# --- the feeds -----------------------------------------------------------------------


class _ReviewFeed(Feed):  # type: ignore[type-arg]
    feed_type: type[SyndicationFeed] = ReviewRss
    description_template = None

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cacheable(request, tags=[LISTS])  # forgotten when any review changes
        return super().__call__(request, *args, **kwargs)

    # the subject ----------------------------------------------------------------------

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Subject:
        return Subject(base=f"{request.scheme}://{request.get_host()}")

    def reviews(self, subject: Subject) -> ReviewQuerySet:
        return Review.objects.published()

    def items(self, subject: Subject) -> list[Entry]:
        full = SiteSettings.current().feed_content == SiteSettings.FeedContent.FULL
        reviews = (
            self.reviews(subject)
            .for_cards()
            .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
            .newest_first()[:FEED_SIZE]
        )
        return [Entry(review, subject.base, full) for review in reviews]

    def site_name(self) -> str:
        return SiteSettings.current().site_name

    def title(self, subject: Subject) -> str:
        return f"{self.site_name()}: reviews"

    def link(self, subject: Subject) -> str:
        return reverse("home")

    def subtitle(self, subject: Subject) -> str:
        return SiteSettings.current().tagline or "New reviews"

    def description(self, subject: Subject) -> str:
        return self.subtitle(subject)

    # the entries ----------------------------------------------------------------------

    def item_title(self, entry: Entry) -> str:
        words = verdict_words(entry.review)
        return f"{entry.review.title} · {words}" if words else entry.review.title

    def item_link(self, entry: Entry) -> str:
        return entry.review.get_absolute_url()

    def item_guid(self, entry: Entry) -> str:
        return entry.base + entry.review.get_absolute_url()

    def item_description(self, entry: Entry) -> str:
        """The verdict line and the teaser (spoilers were replaced when it was made)."""
        review = entry.review
        return f"{_verdict_line(review)}<p>{escape(review.teaser)}</p>"

    def item_extra_kwargs(self, entry: Entry) -> dict[str, Any]:
        if not entry.full:
            return {}
        review = entry.review
        subtitle = f"<p><em>{escape(review.subtitle)}</em></p>" if review.subtitle else ""
        page = entry.base + review.get_absolute_url()
        body = absolute_links(travelling(review.body_html), entry.base, page)
        return {"content_html": f"{_verdict_line(review)}{subtitle}{body}"}

    def item_author_name(self, entry: Entry) -> str:
        return str(entry.review.author.public_name)

    def item_author_link(self, entry: Entry) -> str:
        return entry.base + entry.review.author.get_absolute_url()

    def item_pubdate(self, entry: Entry) -> datetime | None:
        return entry.review.published_at

    def item_updateddate(self, entry: Entry) -> datetime:
        return max(entry.review.updated_at, entry.review.published_at or entry.review.updated_at)

    def item_categories(self, entry: Entry) -> Sequence[str]:
        review = entry.review
        return [review.get_verdict_display(), *(tag.name for tag in review.tags.all())]


def _verdict_line(review: Review) -> str:
    verdict = escape(review.get_verdict_display())
    score = f" · {review.score}/10" if review.score is not None else ""
    return f"<p><strong>Verdict: {verdict}</strong>{score} · {escape(review.subject)}</p>"


class SiteReviewsFeed(_ReviewFeed):
    pass


class WorkReviewsFeed(_ReviewFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Subject:
        work = get_object_or_404(Work, slug=kwargs["slug"])
        return Subject(base=f"{request.scheme}://{request.get_host()}", work=work)

    def reviews(self, subject: Subject) -> ReviewQuerySet:
        return Review.objects.published().filter(work=subject.work)

    def title(self, subject: Subject) -> str:
        assert subject.work is not None
        return f"{self.site_name()}: reviews of {subject.work.title}"

    def link(self, subject: Subject) -> str:
        assert subject.work is not None
        return subject.work.get_absolute_url()


class TagReviewsFeed(_ReviewFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Subject:
        tag = get_object_or_404(Tag, slug=kwargs["slug"])
        return Subject(base=f"{request.scheme}://{request.get_host()}", tag=tag)

    def reviews(self, subject: Subject) -> ReviewQuerySet:
        return Review.objects.published().filter(tags=subject.tag)

    def title(self, subject: Subject) -> str:
        return f"{self.site_name()}: reviews tagged “{subject.tag}”"

    def link(self, subject: Subject) -> str:
        assert subject.tag is not None
        return subject.tag.get_absolute_url()


class AuthorReviewsFeed(_ReviewFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Subject:
        author = get_object_or_404(
            User.objects.filter(reviews__isnull=False).distinct(), username=kwargs["username"]
        )
        return Subject(base=f"{request.scheme}://{request.get_host()}", author=author)

    def reviews(self, subject: Subject) -> ReviewQuerySet:
        return Review.objects.published().filter(author=subject.author)

    def title(self, subject: Subject) -> str:
        assert subject.author is not None
        return f"{self.site_name()}: reviews by {subject.author.public_name}"

    def link(self, subject: Subject) -> str:
        assert subject.author is not None
        return subject.author.get_absolute_url()


def atom(feed: type[_ReviewFeed]) -> _ReviewFeed:
    """The Atom twin of an RSS review feed."""
    instance = feed()
    instance.feed_type = ReviewAtom
    return instance
