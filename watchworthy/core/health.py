"""``/healthz``: may a load balancer send readers to this app server?

Answers 200 ``{"database": "ok", "cache": "ok"}`` when a ``SELECT 1`` and a cache
write and read-back both work, else 503 with the failing part marked
``"unavailable"`` (the cause goes to the log, not to the caller). Never cached, no
sign-in.

It is a middleware placed first, not a view, so that nothing it checks is needed to
reach it: the periodic-work middleware reads the cache on every request (it would
turn a cache outage into a 500), the HTTPS redirect would send a plain-HTTP probe
away, and a load balancer probing by IP address sends a Host header that is not in
``ALLOWED_HOSTS``. Its answer carries nothing taken from the request.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("watchworthy.health")

PATH = "/healthz"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row: tuple[int] | None = cursor.fetchone()
        return row == (1,)
    except Exception:  # any failure means "do not send readers here"
        logger.exception("Health check: the database does not answer")
        return False


def cache_ok() -> bool:
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, 30)
        ok: bool = cache.get(key) == value
        cache.delete(key)
    except Exception:
        logger.exception("Health check: the cache does not answer")
        return False
    return ok


def health() -> tuple[int, dict[str, str]]:
    parts = {"database": database_ok(), "cache": cache_ok()}
    body = {name: "ok" if ok else "unavailable" for name, ok in parts.items()}
    return (200 if all(parts.values()) else 503), body


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response: HttpResponse = HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        else:
            status, body = health()
            response = JsonResponse(body, status=status)
        add_never_cache_headers(response)
        return response
