"""Site-wide request guards that belong to no app."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseForbidden,
)

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
    requests arrive (both checks from one cache read; see core.publishing and
    core.periodic). A site with a worker also runs ``manage.py run_periodic``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # One read for both moments: with Redis each read is a round trip, and a page
        # served from the page cache makes only three more.
        moments = cache.get_many([publishing.NEXT_DUE_KEY, periodic.NEXT_KEY])
        publishing.announce_if_due(moment=moments.get(publishing.NEXT_DUE_KEY))
        periodic.run_due(upcoming=moments.get(periodic.NEXT_KEY))
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


# The per-response attributes with which a view changes its policy (django-csp's
# decorators); a nonce (once a template asked for one) is checked on the request.
_CSP_CHANGES = tuple(
    f"_csp_{kind}{ro}" for kind in ("config", "update", "replace") for ro in ("", "_ro")
)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the headers of a response that changes nothing in
    the policy (no nonce asked for, no decorator's changes) built once per settings:
    django-csp copies and rebuilds both policies from the settings on every response
    (~60 µs of a review page). A response that changes anything gets django-csp's own
    path; tests/core/test_csp.py compares the headers of both."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _CSP_CHANGES
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (500, 404):
            return response
        path = request.path_info
        for header, setting, exempt, policy in _static_policies():
            excluded = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not path.startswith(tuple(excluded))
            ):
                response[header] = policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


_Policies = tuple[tuple[str, str, str, str], ...]
_static: _Policies | None = None


def _static_policies() -> _Policies:
    """(header, setting, exemption attribute, policy) for the policy and the
    report-only one, as django-csp builds them with no per-response changes."""
    global _static
    if _static is None:
        _static = (
            (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", build_policy()),
            (
                HEADER_REPORT_ONLY,
                "CONTENT_SECURITY_POLICY_REPORT_ONLY",
                "_csp_exempt_ro",
                build_policy(report_only=True),
            ),
        )
    return _static


@receiver(setting_changed)
def _forget_static_policies(**kwargs: object) -> None:
    global _static
    _static = None
