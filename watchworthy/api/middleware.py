"""Cross-origin reads of the API, and HEAD.

Any site may read the API from a browser: it is public, read-only and uses no
credentials, so every answer under ``/api/`` says ``Access-Control-Allow-Origin: *``
(never with credentials: a browser then sends no cookies, and the API reads none),
and a preflight ``OPTIONS`` is answered here for GET and HEAD with the conditional
headers a client may send. Nothing outside ``/api/`` is touched.

These few lines stand in for a dependency (django-cors-headers) whose settings would
have to be narrowed to exactly this; here the scope cannot widen by a setting.

HEAD is answered as GET without the body (with the same headers and validators),
as Django's own class-based views do. An error made outside the API's own code (an
unknown address under ``/api/``, a NUL character refused up front, a server error)
is turned into the API's JSON error shape, ``{"detail": "..."}``, so a client never
has to read an HTML page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

PREFIX = "/api/"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
# Request headers a cross-origin script may send (the CORS-safelisted ones need no
# mention): the conditional-request headers.
ALLOWED_HEADERS = "If-None-Match, If-Modified-Since"
# Response headers a cross-origin script may read beyond the safelisted ones.
EXPOSED_HEADERS = "ETag, Last-Modified"
PREFLIGHT_SECONDS = 86400


def _as_json(response: HttpResponse) -> HttpResponse:
    """An error page made elsewhere (HTML, plain text) as the API's JSON error."""
    kind = response.get("Content-Type", "")
    if response.status_code < 400 or kind.startswith("application/json") or response.streaming:
        return response
    detail = response.reason_phrase
    if kind.startswith("text/plain") and 0 < len(response.content) <= 300:
        detail = response.content.decode("utf-8", "replace").strip()
    converted = JsonResponse({"detail": detail}, status=response.status_code)
    for header, value in response.items():  # security headers, Allow, Retry-After…
        if header.lower() not in ("content-type", "content-length"):
            converted[header] = value
    converted["Content-Length"] = str(len(converted.content))
    return converted


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


class ApiCorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            return self._preflight()
        if request.method == "HEAD":
            request.method = "GET"
            response = _as_json(self.get_response(request))
            request.method = "HEAD"
            if not response.streaming:
                response.content = b""
            return _cors(response)
        return _cors(_as_json(self.get_response(request)))

    @staticmethod
    def _preflight() -> HttpResponse:
        response = HttpResponse(status=204)
        del response["Content-Type"]  # no body, so no type
        response["Allow"] = ALLOWED_METHODS
        response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response["Access-Control-Max-Age"] = str(PREFLIGHT_SECONDS)
        return _cors(response)
