"""Site-wide request guards that belong to no app."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden

from . import periodic, publishing


class LoopbackDebugMiddleware:
    """With DEBUG on (a developer asked for it), answer only this computer: debug pages
    list every URL and setting. Uses the connection's own address, never a header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG and not _is_loopback(request.META.get("REMOTE_ADDR", "")):
            return HttpResponseForbidden(
                "This site runs in debug mode and answers only the computer it runs on.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class NulCharacterMiddleware:
    """No address, query or cookie of this site holds a NUL character, and PostgreSQL
    cannot even compare text with one (it raises instead of finding nothing): refuse
    such a request up front, with a 400 that says why, before any lookup."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            return HttpResponseBadRequest(
                "This request contains a NUL character, which no address here uses.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _holds_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return True
    return any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items())


class DueWorkMiddleware:
    """Scheduled reviews whose time has come are announced, and periodic jobs run, as
    requests arrive (each check is one cache read; see core.publishing and
    core.periodic). A site with a worker also runs ``manage.py run_periodic``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        publishing.announce_if_due()
        periodic.run_due()
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Switch off browser features the site never uses (camera, microphone, location,
    payment…), so that no injected or embedded content can ask for them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.WATCHWORTHY_PERMISSIONS_POLICY)
        return response
