"""What a page says about itself in its ``<head>``: its canonical address, its feeds, and
the Open Graph / Twitter card of a review or a work.

Everything here is the same for every guest who reads the page (the page cache shares
it): it depends on the address asked for and on stored fields, never on the reader,
and all addresses are made absolute from the request (its scheme and host).
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from watchworthy.catalog.models import Work
from watchworthy.core.links import reverse
from watchworthy.core.text import parse_id
from watchworthy.images.models import Image
from watchworthy.reviews.feeds import verdict_words
from watchworthy.reviews.models import Review

from .cards import HEIGHT, WIDTH, card_digest
from .structured import Absolute

# Query parameters that make a different page of the same thing (kept in canonical
# addresses); every other parameter (tracking, sort order…) is dropped.
PAGE_PARAMETER = "page"

# A page's own feeds, by the view that drew it: (RSS, Atom, URL argument).
PAGE_FEEDS = {
    "work": ("reviews:work_feed_rss", "reviews:work_feed_atom", "slug"),
    "reviews:tag": ("reviews:tag_feed_rss", "reviews:tag_feed_atom", "slug"),
    "reviews:author": ("reviews:author_feed_rss", "reviews:author_feed_atom", "username"),
}


# An address Django's build_absolute_uri() would only prefix with the scheme and host:
# a path of letters, digits, "/", "-" and "_" (no dots, so no "/./" or "/../" to
# resolve, nothing to quote).
_PLAIN_PATH = re.compile(r"/(?!/)[A-Za-z0-9_/-]*\Z")


def absolute(request: HttpRequest) -> Absolute:
    """``request.build_absolute_uri``, the scheme and host worked out once for the
    plain paths a page names (the review's, its author's, its work's: ~10 a review
    page, each parsed and quoted again by Django)."""
    build = request.build_absolute_uri
    origin = build("/")[:-1]

    def to(location: str) -> str:
        if _PLAIN_PATH.match(location):
            return origin + location
        return build(location)

    return to


def canonical_url(request: HttpRequest) -> str:
    """The page's own address without tracking or sorting parameters; page 2 and on
    of a list keep their ``?page=N``."""
    path = request.path
    page = parse_id(request.GET.get(PAGE_PARAMETER, ""))
    if page and page > 1:
        path += f"?{PAGE_PARAMETER}={page}"
    return request.build_absolute_uri(path)


@dataclass(frozen=True)
class FeedLink:
    title: str
    url: str
    type: str


def feed_links(request: HttpRequest, site_name: str, context: Any, *, own: bool) -> list[FeedLink]:
    """The site's review feeds, then the page's own (a work's, a tag's, an author's)."""
    to = request.build_absolute_uri
    links = [
        FeedLink(f"{site_name}: reviews (RSS)", to(reverse("reviews:feed_rss")), "rss"),
        FeedLink(f"{site_name}: reviews (Atom)", to(reverse("reviews:feed_atom")), "atom"),
    ]
    match = request.resolver_match
    if not own or match is None or match.view_name not in PAGE_FEEDS:
        return links
    rss, atom, argument = PAGE_FEEDS[match.view_name]
    value = match.kwargs.get(argument)
    if not isinstance(value, str):
        return links
    kwargs = {argument: value}
    about = _feed_subject(match.view_name, value, context)
    links += [
        FeedLink(f"{about} (RSS)", to(reverse(rss, kwargs=kwargs)), "rss"),
        FeedLink(f"{about} (Atom)", to(reverse(atom, kwargs=kwargs)), "atom"),
    ]
    return links


def _feed_subject(view_name: str, value: str, context: Any) -> str:
    if view_name == "work":
        work = context.get("work")
        return f"Reviews of {work.title if isinstance(work, Work) else value}"
    if view_name == "reviews:author":
        author = context.get("author")
        return f"Reviews by {getattr(author, 'public_name', value)}"
    tag = context.get("tag")
    return f"Reviews tagged “{getattr(tag, 'name', value)}”"


@dataclass(frozen=True)
class Picture:
    url: str
    width: int
    height: int
    alt: str
    type: str


def image_picture(image: Image, to: Absolute) -> Picture | None:
    if not image.file:
        return None
    kind = mimetypes.guess_type(image.file.name or "")[0] or "image/jpeg"
    return Picture(to(image.file.url), image.width, image.height, image.alt_text, kind)


def review_picture(review: Review, to: Absolute, site_name: str) -> Picture:
    """The review's cover, or its generated card."""
    if review.cover is not None:
        cover = image_picture(review.cover, to)
        if cover is not None:
            return cover
    digest = card_digest(review, site_name)
    url = to(reverse("sharing:card", kwargs={"slug": review.slug, "digest": digest}))
    words = verdict_words(review)
    alt = f"{review.title}: {review.subject}" + (f" — {words}" if words else "")
    return Picture(url, WIDTH, HEIGHT, alt, "image/png")
