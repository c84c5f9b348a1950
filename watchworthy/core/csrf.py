"""Forgery protection that lets pages for guests be cached and shared.

Django's CSRF defence puts a per-visitor token in every form. A page that carries one
cannot be cached and handed to the next reader, and a review page for guests is the
page we most want to cache (the comment form, the audience vote and the progress form
all sit on it). So the few forms a guest can send from a shared page prove where they
come from the way browsers now say it themselves (the Fetch Metadata and Origin
headers, with the Referer for older browsers), and signed-in readers — whose pages
are never shared — keep Django's token check as everywhere else:

================================  =========================================
the request                       decision
================================  =========================================
signed in (a session)             Django's token check, as for any form
``Sec-Fetch-Site: same-origin``   from our page: accepted
``Sec-Fetch-Site`` anything else  from another site: refused
``Origin`` our own                accepted
``Origin`` another, or ``null``   refused
neither, ``Referer`` on our host  accepted
none of them                      refused: nothing shows it came from us
================================  =========================================

The anonymous forms are also protected by what they do not allow: they cannot act
as an account, and the comment form carries its own signed, single-use token.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.csrf import csrf_failure
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _our_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def came_from_this_site(request: HttpRequest) -> bool:
    """What the browser says about where this request was made (see the table)."""
    fetch_site: str | None = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin: str | None = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        return origin == _our_origin(request)
    referer: str | None = request.META.get("HTTP_REFERER")
    if referer:
        parts = urlsplit(referer)
        schemes = {"https"} if request.is_secure() else {"http", "https"}
        return parts.scheme in schemes and parts.netloc == request.get_host()
    return False


def shareable_form_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the views behind forms on pages shared between guests (see above)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in SAFE_METHODS or getattr(request, "_dont_enforce_csrf_checks", False):
            return view(request, *args, **kwargs)
        if request.user.is_authenticated:
            refusal = CsrfViewMiddleware(view).process_view(request, view, args, kwargs)
            if refusal is not None:
                return refusal
        elif not came_from_this_site(request):
            return csrf_failure(request, reason="This form did not come from a page of this site.")
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)
