"""Serve guests stored pages; store the pages views mark cacheable.

The middleware sits inside sessions, authentication and CSRF, which load nothing until
asked, so a hit costs a few cache reads and no database query, and leaves with the
same headers as a fresh page. Who gets a shared copy, and who never does:

=======================================  ================================================
request                                  page cache
=======================================  ================================================
GET or HEAD, no cookies of ours          shared copy for the URL
… with ``ww_progress``                   shared copy for the URL *and* the reader's
                                         position in the page's work (spoilers differ)
a session (signed in), ``ww_commenter``  never: the page is theirs (their name in the
``ww_mine``, ``ww_voter``, ``messages``  form, their held comments, their vote, a notice)
anything but GET or HEAD                 never
=======================================  ================================================

Responses carry an ``ETag``; a matching ``If-None-Match`` gets a 304. Shared copies
say ``Cache-Control: public, max-age=0, must-revalidate`` (browsers ask again each
time and get a 304 when nothing changed); personal pages ``private, no-cache``.

With ``WATCHWORTHY_PAGE_FILES`` set, a shared copy is also written as a file that the
nginx front serves without asking the app (files.py, docs/deploy.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from watchworthy.core.caching import PagePolicy, page_policy
from watchworthy.discussion.identity import COMMENTER_COOKIE, MINE_COOKIE
from watchworthy.reviews.audience import VOTER_COOKIE
from watchworthy.spoilers.progress import COOKIE as PROGRESS_COOKIE
from watchworthy.spoilers.progress import guest_positions

from . import files, store

# Named by their owners, so that a renamed cookie cannot turn a personal page shared.
PERSONAL_COOKIES = (COMMENTER_COOKIE, MINE_COOKIE, VOTER_COOKIE, CookieStorage.cookie_name)
SHARED = "public, max-age=0, must-revalidate"
PERSONAL = "private, no-cache"


def _enabled() -> bool:
    return bool(getattr(settings, "WATCHWORTHY_PAGE_CACHE", True))


def shares_pages(request: HttpRequest) -> bool:
    """Whether this request may get (and fill) a shared copy."""
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES  # an emptied cookie (a spent notice) counts as none
    if cookies.get(settings.SESSION_COOKIE_NAME):
        return False
    return not any(cookies.get(name) for name in PERSONAL_COOKIES)


def _position(request: HttpRequest, work_id: int | None) -> str:
    if not work_id or PROGRESS_COOKIE not in request.COOKIES:
        return ""
    return guest_positions(request).get(str(work_id), "")


def _varies_only_by_cookie(response: HttpResponse) -> bool:
    """Pages vary by cookie (sessions mark them so), and this cache already decides by
    the request's cookies who may share a copy; a page varying on anything else is
    not shared."""
    varies = {part.strip().lower() for part in response.get("Vary", "").split(",")}
    return varies <= {"", "cookie", "accept-encoding"}


def _unchanged_since(before: int) -> Callable[[], bool]:
    return lambda: store.sequence() == before


def _url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}{request.get_full_path()}"


def _respond(request: HttpRequest, page: store.StoredPage) -> HttpResponse:
    if request.META.get("HTTP_IF_NONE_MATCH") == page.etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(page.content, content_type=page.content_type)
    response["ETag"] = page.etag
    response["Cache-Control"] = SHARED
    response["Vary"] = "Cookie"  # a cache in front must not hand it to a signed-in reader
    response["X-Page-Cache"] = "hit"
    return response


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _enabled() or not shares_pages(request):
            return self._personal(request, self.get_response(request))
        url = _url(request)
        known = store.meta(url)
        # Read before the versions and before rendering. A hit needs it only to write
        # the page file nginx is missing (a new time bucket, a page stored before).
        before = store.sequence() if files.folder() else None
        if known is not None:
            position = _position(request, known.work_id)
            key = store.page_key(url, position, store.versions(known.tags))
            page = store.get_page(key)
            if page is not None:
                if before is not None and getattr(page, "front", False):
                    policy = PagePolicy(frozenset(known.tags), known.work_id)
                    files.write(
                        request, page.content, policy, _unchanged_since(before), if_missing=True
                    )
                return _respond(request, page)
        if before is None:
            before = store.sequence()  # read before rendering: a hit never needs it
        response = self.get_response(request)
        return self._fill(request, url, response, before)

    def _fill(
        self, request: HttpRequest, url: str, response: HttpResponse, before: int
    ) -> HttpResponse:
        policy = page_policy(request)
        if (
            policy is None
            or response.status_code != 200
            or response.streaming
            or response.cookies
            or not _varies_only_by_cookie(response)
        ):
            return response
        content = bytes(response.content)
        etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
        front = files.servable(request, response)
        page = store.StoredPage(content, response.get("Content-Type", "text/html"), etag, front)
        tag_versions = store.versions(policy.tags)
        if store.sequence() == before:  # nothing changed while the page was rendered
            store.remember_meta(url, tags=policy.tags, work_id=policy.work_id)
            key = store.page_key(url, _position(request, policy.work_id), tag_versions)
            store.put_page(key, page)
            if front:  # and as a file for the nginx front, when configured (files.py)
                files.write(request, content, policy, _unchanged_since(before))
        response["ETag"] = etag
        response["Cache-Control"] = SHARED
        response["X-Page-Cache"] = "miss"
        if request.META.get("HTTP_IF_NONE_MATCH") == etag:
            return _respond(request, page)
        return response

    @staticmethod
    def _personal(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if page_policy(request) is not None and not response.has_header("Cache-Control"):
            response["Cache-Control"] = PERSONAL
        return response
