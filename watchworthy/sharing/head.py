"""What a page puts in its ``<head>`` for feed readers, link previews and search
engines, written in Python (docs/sharing.md): the canonical and feed links of every
page (``{% canonical_link %}``, ``{% feed_links %}`` in base.html) and a review page's
Open Graph, Twitter card and schema.org block (web.review_page). Every value goes
through :func:`~watchworthy.core.htmltext.printed`, as ``{{ value }}`` printed it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from watchworthy.core.htmltext import iso_time
from watchworthy.core.htmltext import printed as _text
from watchworthy.core.models import SiteSettings
from watchworthy.reviews.feeds import verdict_words
from watchworthy.reviews.models import Review

from . import meta, structured


def canonical_link(request: HttpRequest) -> str:
    """``<link rel="canonical">``."""
    return f'<link rel="canonical" href="{_text(meta.canonical_url(request))}">\n'


def feed_links(request: HttpRequest, context: Any, *, own: bool = True) -> str:
    """The site's review feeds, and the page's own on a work, tag or author page (named
    from the page's ``context``: a template's, or a dict)."""
    site = SiteSettings.current()
    feeds = meta.feed_links(request, site.site_name, context, own=own)
    return (
        "".join(
            f'<link rel="alternate" type="application/{_text(feed.type)}+xml" '
            f'title="{_text(feed.title)}" href="{_text(feed.url)}">\n'
            for feed in feeds
        )
        + "\n"
    )


def review_meta(request: HttpRequest, review: Review) -> str:
    """Open Graph, Twitter card and schema.org ``Review`` of a review page. Built from
    stored fields only: the teaser (spoilers removed), title, verdict, score.

    Written in Python rather than a template (it was ~0.3 ms of the review page's CPU):
    each value printed as ``{{ value }}`` prints it (:func:`_text`; the JSON-LD escapes
    itself). The template it replaced is kept in tests/web/reference/, and the review
    page's output test compares the two for every kind of reader."""
    site = SiteSettings.current()
    to = meta.absolute(request)
    picture = meta.review_picture(review, to, site.site_name)
    data = structured.review_data(
        review, absolute=to, site_name=site.site_name, image_url=picture.url
    )
    words = verdict_words(review)
    title = _text(review.title) + (f" · {_text(words)}" if words else "")
    teaser = _text(review.teaser)
    url = _text(to(review.get_absolute_url()))
    image, alt = _text(picture.url), _text(picture.alt)
    lines = [
        f'<meta property="og:site_name" content="{_text(site.site_name)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{title}">',
        f'<meta property="og:description" content="{teaser}">',
        f'<meta property="og:url" content="{url}">',
        f'<meta property="og:image" content="{image}">',
        f'<meta property="og:image:type" content="{_text(picture.type)}">',
    ]
    if picture.width:
        lines += [
            f'<meta property="og:image:width" content="{_text(picture.width)}">',
            f'<meta property="og:image:height" content="{_text(picture.height)}">',
        ]
    lines.append(f'<meta property="og:image:alt" content="{alt}">')
    if review.published_at:
        published = _text(iso_time(review.published_at))
        lines.append(f'<meta property="article:published_time" content="{published}">')
    modified = _text(iso_time(review.updated_at))
    author_url = _text(to(review.author.get_absolute_url()))
    lines += [
        f'<meta property="article:modified_time" content="{modified}">',
        f'<meta property="article:author" content="{author_url}">',
        f'<meta property="article:section" content="{_text(review.work.title)}">',
        *(f'<meta property="article:tag" content="{_text(t.name)}">' for t in review.tag_list),
        '<meta name="twitter:card" content="summary_large_image">',
        f'<meta name="twitter:title" content="{title}">',
        f'<meta name="twitter:description" content="{teaser}">',
        f'<meta name="twitter:image" content="{image}">',
        f'<meta name="twitter:image:alt" content="{alt}">',
        '<meta name="twitter:label1" content="Verdict">',
        f'<meta name="twitter:data1" content="{_text(review.get_verdict_display())}">',
    ]
    if review.score is not None:
        lines += [
            '<meta name="twitter:label2" content="Score">',
            f'<meta name="twitter:data2" content="{_text(review.score)}/10">',
        ]
    lines.append(structured.json_ld(data) + "\n")
    return "\n".join(lines)
