"""The one door to other servers: every fetch and every delivery goes through
:func:`transport`, an object with ``get`` and ``post``.

The default, :class:`HttpTransport`, speaks HTTP with the standard library, with
timeouts, a size cap, and refusal of addresses on this machine or a private network
(so a hostile keyId cannot make us probe the inside). It trusts the system's
certificate authorities, plus those in ``WATCHWORTHY_FEDIVERSE_EXTRA_CA`` when set
(a test peer's CA; refused in production, like ``WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE``).
Tests swap it with ``WATCHWORTHY_FEDIVERSE_TRANSPORT`` (a dotted path to a
class or factory), to serve documents from a local peer or a test double, and to
capture what is delivered.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
MAX_DOCUMENT = 1_000_000
TIMEOUT = 10


class NetworkError(Exception):
    """The remote server could not be reached or answered with something unusable;
    ``status`` is the HTTP status when it answered with one that is not a success."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Transport(Protocol):
    def get(self, url: str, headers: dict[str, str]) -> Response: ...

    def post(self, url: str, headers: dict[str, str], body: bytes) -> Response: ...


def _check_address(url: str) -> None:
    """NetworkError unless ``url`` is http(s) on a public address (each address its
    name resolves to). A name could resolve differently a moment later (DNS
    rebinding); a proxy that enforces the same rule closes that gap in production."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise NetworkError(f"not an address: {url[:200]}") from error
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise NetworkError(f"not an http(s) address: {url[:200]}")
    if getattr(settings, "WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:
        raise NetworkError(f"cannot resolve {parts.hostname}") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise NetworkError(f"{parts.hostname} is not a public address")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is followed only to an address that passes the same check."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        _check_address(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@lru_cache(maxsize=4)
def _opener(extra_ca: str) -> urllib.request.OpenerDirector:
    """An opener that follows only checked redirects and verifies certificates against
    the system's authorities and, when named, those in the file ``extra_ca``."""
    context = ssl.create_default_context()
    if extra_ca:
        context.load_verify_locations(cafile=extra_ca)
    return urllib.request.build_opener(
        _CheckedRedirects, urllib.request.HTTPSHandler(context=context)
    )


class HttpTransport:
    def _open(self, request: urllib.request.Request) -> Response:
        opener = _opener(getattr(settings, "WATCHWORTHY_FEDIVERSE_EXTRA_CA", ""))
        try:
            with opener.open(request, timeout=TIMEOUT) as answer:
                body = answer.read(MAX_DOCUMENT + 1)
                status = int(answer.status)
                headers = dict(answer.headers.items())
        except urllib.error.HTTPError as error:
            return Response(status=error.code, body=error.read(MAX_DOCUMENT)[:2000])
        except (OSError, ValueError, NetworkError) as error:
            raise NetworkError(str(error)[:200]) from error
        if len(body) > MAX_DOCUMENT:
            raise NetworkError("the document is too large")
        return Response(status=status, body=body, headers=headers)

    def _request(self, url: str, headers: dict[str, str], body: bytes | None) -> Response:
        _check_address(url)
        method = "GET" if body is None else "POST"
        try:
            request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - scheme checked
        except ValueError as error:
            raise NetworkError(f"not an address: {url[:200]}") from error
        return self._open(request)

    def get(self, url: str, headers: dict[str, str]) -> Response:
        return self._request(url, headers, None)

    def post(self, url: str, headers: dict[str, str], body: bytes) -> Response:
        return self._request(url, headers, body)


def transport() -> Transport:
    path = getattr(settings, "WATCHWORTHY_FEDIVERSE_TRANSPORT", "")
    if not path:
        return HttpTransport()
    made: Transport = import_string(path)()
    return made


def fetch_json(url: str, headers: dict[str, str]) -> dict[str, Any]:
    """GET an ActivityStreams document; NetworkError unless it is a JSON object."""
    answer = transport().get(url, {"Accept": f"{ACTIVITY_JSON}, {LD_JSON}", **headers})
    if answer.status != 200:
        raise NetworkError(f"{url[:200]} answered {answer.status}", status=answer.status)
    try:
        document = json.loads(answer.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise NetworkError("the document is not JSON") from error
    if not isinstance(document, dict):
        raise NetworkError("the document is not a JSON object")
    return document
