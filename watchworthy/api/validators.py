"""ETag and Last-Modified for the read API, from the change signal.

Everything the API shows is public content, and every write to public content sends
:data:`core.changes.content_changed` once, after its commit (publishing, edits,
comment approval, a scheduled review going live: see docs/architecture.md). So the API
keeps one *version* in the site's cache, bumped by every change, and derives its
validators from it without touching the database:

* ``ETag`` — a digest of the version and the request's address (scheme, host, path
  and query: the links in a response are absolute), so each address has its own;
* ``Last-Modified`` — the moment of the last change, in whole seconds, and always a
  second later than the one before it, so that two changes within one second still
  give a client holding the first one's date a fresh answer.

The version is read *before* the response is made: a change committing while it is
being made leaves the response with the older validators, so the next conditional
request fetches it again (a newer answer under an older ETag costs a download; an
older answer under a newer ETag would be served stale for ever, and cannot happen).

A version missing from the cache (first request, eviction, a restart of a local
memory cache) is made anew: a random token and the current time. Clients then
download once more; they never keep a stale answer.

One version for the whole API is coarse — a comment anywhere makes every address
answer 200 once — but it is exact, costs one cache read per request, and needs no
map from changes to addresses.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

KEY = "api:version"
# Bumped by hand when the shape of the responses changes, so that validators issued
# by an older release stop matching.
SHAPE = "1"
CACHE_CONTROL = "public, max-age=0, must-revalidate"


@dataclass(frozen=True)
class Version:
    token: int
    modified: int  # seconds since the epoch


def current() -> Version:
    """The API's content version (made when the cache has none)."""
    value = cache.get(KEY)
    if isinstance(value, Version):
        return value
    cache.add(KEY, Version(secrets.randbelow(2**62), int(time.time())), None)
    value = cache.get(KEY)
    # A cache that keeps nothing (the dummy cache) still gets a usable version.
    return value if isinstance(value, Version) else Version(secrets.randbelow(2**62), 0)


def bump() -> None:
    """Public content changed: new validators for every address."""
    previous = cache.get(KEY)
    floor = previous.modified + 1 if isinstance(previous, Version) else 0
    cache.set(KEY, Version(secrets.randbelow(2**62), max(int(time.time()), floor)), None)


def content_moved(sender: object, **kwargs: Any) -> None:
    """Receiver of ``core.changes.content_changed``."""
    bump()


def etag_for(request: HttpRequest, version: Version) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(f"{SHAPE}\x1f{version.token}\x1f{address}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def conditional(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer a GET with a matching ``If-None-Match`` (or, without it, a recent enough
    ``If-Modified-Since``) with a 304 before the view runs; put the validators on every
    successful answer. Errors carry none, so they are never revalidated."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        version = current()
        etag = etag_for(request, version)
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=version.modified or None
        )
        if not_modified is not None:  # 304, or 412 for a failed If-Match
            if not_modified.status_code == 304:
                _with_validators(not_modified, etag, version)
            return not_modified
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            _with_validators(response, etag, version)
        return response

    return wrapper


def _with_validators(response: HttpResponse, etag: str, version: Version) -> HttpResponse:
    response["ETag"] = etag
    if version.modified:
        response["Last-Modified"] = http_date(version.modified)
    response["Cache-Control"] = CACHE_CONTROL
    return response
