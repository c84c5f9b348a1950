"""schema.org data (JSON-LD) for search engines: a ``Review`` on every review page and a
``WebSite`` with a ``SearchAction`` on the home page.

What is reviewed (``itemReviewed``) follows the catalog:

==================================  ====================================================
the review is of                    ``itemReviewed``
==================================  ====================================================
a film                              ``Movie``
a series or anime, as a whole       ``TVSeries``
one season of it                    ``TVSeason`` with ``partOfSeries`` (the ``TVSeries``)
one *part* ("Part 2", "Cour 2")     ``CreativeWorkSeason`` with ``partOfSeries``
a special                           ``CreativeWork``
==================================  ====================================================

A season counts as a part when its label says so (``Part``, ``Cour``); its
``seasonNumber`` is given only when it is a plain "Season N", because ``Season.number``
is the watching order, not the broadcaster's numbering. The rating is the score on its
0-10 scale, named by the verdict ("Avoid"); a review with neither has none.

Nothing here comes from the review's body: the description is the stored teaser, from
which spoilers were removed when it was made. :func:`json_ld` writes the data for a
``<script type="application/ld+json">`` block with ``<``, ``>`` and ``&`` escaped, so no
text can close the element; such a data block is not executed, so a
Content-Security-Policy without ``'unsafe-inline'`` allows it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from watchworthy.catalog.models import Season, Work
from watchworthy.reviews.models import Review, Verdict

Absolute = Callable[[str], str]
JsonDict = dict[str, Any]

SCHEMA = "https://schema.org"
SEARCH_PATH = "/search/"  # the search page (docs/sharing.md)
BEST_SCORE, WORST_SCORE = 10, 0
WORK_TYPES: dict[str, str] = {
    Work.Kind.FILM: "Movie",
    Work.Kind.SERIES: "TVSeries",
    Work.Kind.ANIME: "TVSeries",
    Work.Kind.SPECIAL: "CreativeWork",
}
PART = re.compile(r"\b(part|cour)\b", re.IGNORECASE)
PLAIN_SEASON = re.compile(r"^\s*season\s+(\d{1,4})\s*$", re.IGNORECASE)


def json_ld(data: JsonDict) -> SafeString:
    """``data`` as a JSON-LD script element, safe to put in any HTML page."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Three replaces, not str.translate: with any character beyond ASCII in the text,
    # translate looks each character up in Python (~40 µs a review page, 30x these).
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # Safe: the JSON is escaped above so that it cannot end the element or open markup.
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def _external_ids(work: Work) -> list[str]:
    movie = work.kind == Work.Kind.FILM
    links = []
    if work.imdb_id:
        links.append(f"https://www.imdb.com/title/{work.imdb_id}/")
    if work.tmdb_id:
        links.append(f"https://www.themoviedb.org/{'movie' if movie else 'tv'}/{work.tmdb_id}")
    if work.anilist_id:
        links.append(f"https://anilist.co/anime/{work.anilist_id}")
    if work.mal_id:
        links.append(f"https://myanimelist.net/anime/{work.mal_id}")
    return links


def work_node(work: Work, absolute: Absolute) -> JsonDict:
    node: JsonDict = {
        "@type": WORK_TYPES.get(work.kind, "CreativeWork"),
        "name": work.title,
        "url": absolute(work.get_absolute_url()),
    }
    if work.original_title:
        node["alternateName"] = work.original_title
    if work.year:
        node["datePublished"] = str(work.year)
    if work.poster_id and work.poster is not None and work.poster.file:
        node["image"] = absolute(work.poster.file.url)
    same_as = _external_ids(work)
    if same_as:
        node["sameAs"] = same_as
    return node


def is_part(season: Season) -> bool:
    return bool(PART.search(season.label))


def season_node(season: Season, work: Work, absolute: Absolute) -> JsonDict:
    series = work_node(work, absolute)
    node: JsonDict = {
        "@type": "CreativeWorkSeason" if is_part(season) else "TVSeason",
        "name": f"{work.title} — {season.display_label}",
        "url": absolute(work.get_absolute_url()),
        "partOfSeries": series,
    }
    plain = PLAIN_SEASON.match(season.label) if season.label else None
    if not is_part(season) and (not season.label or plain):
        node["seasonNumber"] = int(plain.group(1)) if plain else season.number
    if season.episode_count:
        node["numberOfEpisodes"] = season.episode_count
    if season.release_date:
        node["startDate"] = season.release_date.isoformat()
    return node


def item_reviewed(review: Review, absolute: Absolute) -> JsonDict:
    """What the review is about, as schema.org types it (see the module's table)."""
    if review.season is not None and review.work.is_episodic:
        return season_node(review.season, review.work, absolute)
    return work_node(review.work, absolute)


def rating(review: Review) -> JsonDict | None:
    if review.score is None and review.verdict == Verdict.UNRATED:
        return None
    node: JsonDict = {"@type": "Rating"}
    if review.verdict != Verdict.UNRATED:
        node["name"] = review.get_verdict_display()
    if review.score is not None:
        node["ratingValue"] = float(review.score)
        node["bestRating"] = BEST_SCORE
        node["worstRating"] = WORST_SCORE
    return node


def publisher(site_name: str, absolute: Absolute) -> JsonDict:
    return {"@type": "Organization", "name": site_name, "url": absolute("/")}


def review_data(
    review: Review, *, absolute: Absolute, site_name: str, image_url: str = ""
) -> JsonDict:
    """The schema.org ``Review`` of a review page. ``review`` comes with its work,
    season, author and cover loaded (``for_cards()``), and its tags prefetched."""
    url = absolute(review.get_absolute_url())
    data: JsonDict = {
        "@context": SCHEMA,
        "@type": "Review",
        "name": review.title,
        "headline": review.title,
        "url": url,
        "mainEntityOfPage": url,
        "itemReviewed": item_reviewed(review, absolute),
        "author": {
            "@type": "Person",
            "name": review.author.public_name,
            "url": absolute(review.author.get_absolute_url()),
        },
        "publisher": publisher(site_name, absolute),
    }
    if review.teaser:
        data["description"] = review.teaser
    if review.published_at:
        data["datePublished"] = review.published_at.isoformat()
    data["dateModified"] = review.updated_at.isoformat()
    found = rating(review)
    if found is not None:
        data["reviewRating"] = found
    if image_url:
        data["image"] = image_url
    keywords = [tag.name for tag in review.tag_list]
    if keywords:
        data["keywords"] = ", ".join(keywords)
    return data


def website_data(*, absolute: Absolute, site_name: str, tagline: str) -> JsonDict:
    """The schema.org ``WebSite`` of the home page, with its search."""
    data: JsonDict = {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": site_name,
        "url": absolute("/"),
        "publisher": publisher(site_name, absolute),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": absolute(SEARCH_PATH) + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }
    if tagline:
        data["description"] = tagline
    return data
