"""Old WordPress links → their new addresses, as a fallback for 404s.

Like ``django.contrib.redirects``' middleware, this looks at a response only when it
is a 404, so every other request costs nothing (no query). The one exception is the
front page with a ``?p=``-style parameter (``/?p=42``): the home page exists here, so
those are looked up before it is served. A lookup tries, in order,
the ``replytocom``, ``p``, ``page_id`` and ``attachment_id`` query parameters and the
path itself (with and without its trailing slash), and answers **301** to the thing
the first match points to — if that thing is public. Drafts, held comments and the
like stay a 404, so a redirect never reveals what readers may not see. Then
WordPress's feed, category, tag and author addresses (``/feed/``, ``/tag/SLUG/``…;
``/?feed=rss2`` on the front page) go to their homes here (:mod:`.archives`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from watchworthy.core.text import parse_id
from watchworthy.discussion.paging import page_address

from .archives import archive_target, front_page_feed
from .common import LEGACY_QUERY_KEYS, path_candidates
from .models import LegacyRedirect

# Where a blog at the root answered ?p=ID, ?page_id=ID and ?replytocom=ID.
FRONT_DOORS = {"/", "/index.php"}


class LegacyRedirectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # WordPress's ?p=42 links point at the front page, which exists here too: look
        # them up first (one query, only when such a parameter is present).
        if request.path in FRONT_DOORS and request.method in ("GET", "HEAD"):
            if any(parse_id(request.GET.get(name, "")) for name in LEGACY_QUERY_KEYS):
                url = legacy_target(request)
                if url:
                    return HttpResponsePermanentRedirect(url)
            feed = front_page_feed(request.GET.get("feed", ""))  # ?feed=rss2: no query
            if feed:
                return HttpResponsePermanentRedirect(feed)
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        # An imported post or page first, then WordPress's feeds and archives
        # (/feed/, /category/SLUG/, /tag/SLUG/, /author/NAME/: see archives.py).
        url = legacy_target(request) or archive_target(request.path)
        return HttpResponsePermanentRedirect(url) if url else response


def lookup_keys(request: HttpRequest) -> list[str]:
    keys = []
    for name in LEGACY_QUERY_KEYS:
        value = parse_id(request.GET.get(name, ""))
        if value:
            keys.append(f"?{name}={value}")
    keys += path_candidates(request.path)
    return keys


def legacy_target(request: HttpRequest) -> str | None:
    """The new URL for an old one, or None."""
    keys = lookup_keys(request)
    if not keys:
        return None
    found = {
        redirect.old_path: redirect
        for redirect in LegacyRedirect.objects.filter(old_path__in=keys).select_related(
            "review", "page", "comment__review", "image"
        )
    }
    for key in keys:
        redirect = found.get(key)
        url = redirect and target_url(redirect)
        if url:
            return url
    return None


def target_url(redirect: LegacyRedirect) -> str | None:
    if redirect.review is not None:
        return redirect.review.get_absolute_url() if redirect.review.is_public else None
    if redirect.page is not None:
        return redirect.page.get_absolute_url() if redirect.page.is_public else None
    if redirect.comment is not None:
        comment = redirect.comment
        if comment.review.is_public and (comment.is_public or comment.is_removed):
            return page_address(comment)
        return comment.review.get_absolute_url() if comment.review.is_public else None
    if redirect.image is not None and redirect.image.file:
        return redirect.image.file.url
    return None
