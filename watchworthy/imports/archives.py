"""WordPress's archive and feed addresses → their homes here.

A WordPress blog answers, besides its posts and pages, at addresses made from names:

========================================  =============================================
old address                               new home
========================================  =============================================
``/feed/`` (``rss2/``, ``rss/``, ``rdf/``)  the site's review feed, RSS (``/reviews.rss``)
``/feed/atom/``                           the site's review feed, Atom
``/comments/feed/``                       the comment feed (``/comments.atom``)
``/category/[PARENT/]SLUG/``              the tag the category became (``/tags/SLUG/``)
``/tag/SLUG/``                            the tag the post tag became
``/author/NAME/``                         the author's page (``/authors/USERNAME/``)
… + ``feed/[atom/]``                      that tag's or author's review feed
… + ``page/N/``                           that page of the list (``?page=N``)
``/?feed=rss2`` (``atom``, ``comments-…``)  the feeds above
========================================  =============================================

Categories and tags are found through the import's own records (``ImportedObject``
rows of kind *term*, keyed ``category:NICENAME`` / ``post_tag:NICENAME``, which also
know a tag renamed here since), then by slug; authors through the *author* rows
(keyed by lower-case login; WordPress's NAME is the login made URL-safe), then by
username. A name that leads nowhere stays a 404. Only 404s get here (see
:mod:`.middleware`), so none of this costs a query on any other page.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify

from watchworthy.reviews.models import Tag

from .models import ImportedObject

# /category/a/b/ · /tag/x/ · /author/name/ , then optionally feed/[kind]/ or page/N/.
ARCHIVE = re.compile(
    r"^/(?P<kind>category|tag|author)/(?P<names>[^?#]+?)"
    r"(?:/feed(?:/(?P<feed>rss2|rss|rdf|atom))?|/page/(?P<page>[0-9]{1,6}))?/?$"
)
SITE_FEED = re.compile(r"^/feed(?:/(?P<feed>rss2|rss|rdf|atom))?/?$")
COMMENT_FEED = re.compile(r"^/comments/feed(?:/(?:rss2|rss|rdf|atom))?/?$")
# ?feed=… on the front page (WordPress without pretty permalinks).
QUERY_FEEDS = {
    "rss2": "reviews:feed_rss",
    "rss": "reviews:feed_rss",
    "rdf": "reviews:feed_rss",
    "atom": "reviews:feed_atom",
    "comments-rss2": "discussion:recent_feed",
    "comments-atom": "discussion:recent_feed",
}
MAX_AUTHORS = 1000  # author rows compared in Python (a blog has a handful)


def front_page_feed(query_value: str) -> str | None:
    """Where ``/?feed=VALUE`` goes, or None."""
    name = QUERY_FEEDS.get(query_value.strip().lower())
    return reverse(name) if name else None


def archive_target(path: str) -> str | None:
    """The new address of a WordPress feed or archive ``path``, or None."""
    if SITE_FEED.match(path):
        match = SITE_FEED.match(path)
        assert match is not None
        return reverse("reviews:feed_atom" if match["feed"] == "atom" else "reviews:feed_rss")
    if COMMENT_FEED.match(path):
        return reverse("discussion:recent_feed")
    match = ARCHIVE.match(path)
    if match is None:
        return None
    names = [name for name in match["names"].split("/") if name]
    if not names or len(names) > 10:
        return None
    kind, name = match["kind"], names[-1]  # a child category's own name comes last
    if kind == "author":
        username = _username(name)
        if username is None:
            return None
        page, rss, atom = "reviews:author", "reviews:author_feed_rss", "reviews:author_feed_atom"
        kwargs = {"username": username}
    else:
        slug = _tag_slug("category" if kind == "category" else "post_tag", name)
        if slug is None:
            return None
        page, rss, atom = "reviews:tag", "reviews:tag_feed_rss", "reviews:tag_feed_atom"
        kwargs = {"slug": slug}
    if match["page"]:
        number = int(match["page"])
        return reverse(page, kwargs=kwargs) + (f"?page={number}" if number > 1 else "")
    if "/feed" in path[match.end("names") :]:
        return reverse(atom if match["feed"] == "atom" else rss, kwargs=kwargs)
    return reverse(page, kwargs=kwargs)


def _spellings(name: str) -> list[str]:
    """A WordPress nicename as the request has it (decoded) and as WordPress stores a
    non-ASCII one (percent-encoded, lower case)."""
    encoded = quote(name, safe="-_.~").lower()
    return [name] if encoded == name else [name, encoded]


def _tag_slug(taxonomy: str, name: str) -> str | None:
    spellings = _spellings(name)
    row = (
        ImportedObject.objects.filter(
            kind=ImportedObject.Kind.TERM,
            external_id__in=[f"{taxonomy}:{spelling}" for spelling in spellings],
            tag__isnull=False,
        )
        .select_related("tag")
        .first()
    )
    if row is not None and row.tag is not None:
        return row.tag.slug
    tag = Tag.objects.filter(slug__in=[slugify(name), name.lower()]).first()
    return tag.slug if tag is not None else None


def _nicename(login: str) -> str:
    """WordPress's user_nicename for a login: lower case, dots and spaces to dashes."""
    return slugify(login.replace(".", "-").replace("@", ""))


def _username(name: str) -> str | None:
    wanted = name.lower()
    rows = ImportedObject.objects.filter(
        kind=ImportedObject.Kind.AUTHOR, user__isnull=False
    ).values_list("external_id", "user__username")[:MAX_AUTHORS]
    for login, username in rows:
        if login == wanted or _nicename(login) == wanted:
            return str(username)
    user = (
        get_user_model()
        .objects.filter(Q(username__iexact=name), reviews__isnull=False)
        .values_list("username", flat=True)
        .first()
    )
    return str(user) if user is not None else None
