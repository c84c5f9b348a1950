"""HTTP signatures, both formats the fediverse uses, both ways.

* **draft-cavage** (``Signature: keyId=…,algorithm=…,headers=…,signature=…``): what
  most servers still send. We sign ``(request-target) host date digest`` with
  rsa-sha256 and a ``Digest: SHA-256=…`` of the body; we accept ``rsa-sha256`` and
  ``hs2019`` (RSA keys only), and require ``(request-target)``, ``host``, ``date`` and,
  for a body, ``digest`` to be covered.
* **RFC 9421** (``Signature-Input`` + ``Signature``, ``Content-Digest``), through the
  ``http-message-signatures`` package: ``rsa-v1_5-sha256`` covering ``@method``,
  ``@target-uri`` and, for a body, ``content-digest``.

Verification trusts nothing a client could bend: the host and address signed are
compared with *our* address (the caller passes the URL built from
``WATCHWORTHY_SITE_URL``), the body digest is recomputed, and the Date (or
``created``) must be within ``MAX_AGE`` in the past and ``MAX_FUTURE`` ahead. The key
comes from a resolver the caller supplies (the inbox fetches it by ``keyId``, after
checking the server is not blocked). Every failure is a :class:`SignatureError`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature as BadCrypto
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    algorithms,
)

MAX_AGE = dt.timedelta(hours=12)
MAX_FUTURE = dt.timedelta(hours=1)
CAVAGE = "draft-cavage"
RFC9421 = "rfc9421"
FORMATS = (CAVAGE, RFC9421)


def formats_to_try() -> list[str]:
    """The format we sign in first (``WATCHWORTHY_FEDIVERSE_SIGNATURE``), then the other:
    a server that cannot verify one answers 401, and we knock again in the other."""
    from django.conf import settings

    first = getattr(settings, "WATCHWORTHY_FEDIVERSE_SIGNATURE", CAVAGE)
    return [first, *[other for other in FORMATS if other != first]]


class Headers(MutableMapping[str, str]):
    """Header fields looked up without regard to case; names keep their spelling."""

    def __init__(self, fields: Mapping[str, str] | None = None) -> None:
        self._fields: dict[str, tuple[str, str]] = {}
        for name, value in (fields or {}).items():
            self[name] = value

    def __getitem__(self, name: str) -> str:
        return self._fields[name.lower()][1]

    def __setitem__(self, name: str, value: str) -> None:
        self._fields[name.lower()] = (name, value)

    def __delitem__(self, name: str) -> None:
        del self._fields[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._fields.values())

    def __len__(self) -> int:
        return len(self._fields)


class SignatureError(Exception):
    """The request is not signed, or not in a way we can check."""


@dataclass(frozen=True)
class Verified:
    key_id: str
    format: str


#: Given a keyId, the signer's public key (or raise SignatureError).
KeyResolver = Callable[[str], rsa.RSAPublicKey]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sha256_b64(body: bytes) -> str:
    return base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def _target(url: str) -> tuple[str, str]:
    """(host, path with query) of an absolute URL."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return parts.netloc.lower(), path + (f"?{parts.query}" if parts.query else "")


# --- signing -------------------------------------------------------------------


def sign(
    *,
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    private_key: rsa.RSAPrivateKey,
    format: str = CAVAGE,
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """The headers that sign this request (Host and Date included)."""
    if format == RFC9421:
        return _sign_rfc9421(method, url, body, key_id, private_key, now or _now())
    return _sign_cavage(method, url, body, key_id, private_key, now or _now())


def _sign_cavage(
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    key: rsa.RSAPrivateKey,
    now: dt.datetime,
) -> dict[str, str]:
    host, target = _target(url)
    headers = {"Host": host, "Date": format_datetime(now.astimezone(dt.UTC), usegmt=True)}
    covered = ["(request-target)", "host", "date"]
    if body is not None:
        headers["Digest"] = f"SHA-256={_sha256_b64(body)}"
        covered.append("digest")
    lowered = {name.lower(): value for name, value in headers.items()}
    text = _cavage_string(covered, method, target, lowered)
    signature = key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(covered)}",'
        f'signature="{base64.b64encode(signature).decode("ascii")}"'
    )
    return headers


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(
        self,
        private: rsa.RSAPrivateKey | None = None,
        public: Callable[[str], rsa.RSAPublicKey] | None = None,
    ) -> None:
        self.private = private
        self.public = public

    def resolve_private_key(self, key_id: str) -> Any:
        return self.private

    def resolve_public_key(self, key_id: str) -> Any:
        return self.public(key_id) if self.public else None


@dataclass
class _Message:
    """The request as http-message-signatures reads it."""

    method: str
    url: str
    headers: Headers


def _sign_rfc9421(
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    key: rsa.RSAPrivateKey,
    now: dt.datetime,
) -> dict[str, str]:
    host, _ = _target(url)
    headers = Headers({"Host": host, "Date": format_datetime(now.astimezone(dt.UTC), usegmt=True)})
    message = _Message(method.upper(), url, headers)
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=_OneKey(private=key)
    )
    signer.sign(
        message,
        key_id=key_id,
        created=now,
        label="sig1",
        covered_component_ids=("@method", "@target-uri"),
        body=body,
    )
    return dict(headers.items())


# --- verifying -----------------------------------------------------------------

_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')


def _ci(headers: Mapping[str, str]) -> Headers:
    return headers if isinstance(headers, Headers) else Headers(headers)


def signature_format(headers: Mapping[str, str]) -> str | None:
    headers = _ci(headers)
    if headers.get("Signature-Input"):
        return RFC9421
    if headers.get("Signature") or headers.get("Authorization", "").startswith("Signature "):
        return CAVAGE
    return None


def cavage_params(headers: Mapping[str, str]) -> dict[str, str]:
    headers = _ci(headers)
    raw = headers.get("Signature") or headers.get("Authorization", "").removeprefix("Signature ")
    params: dict[str, str] = {}
    position = 0
    while position < len(raw):
        match = _PARAM.match(raw, position)
        if match is None or match.end() == position:
            raise SignatureError("malformed Signature header")
        params[match.group(1)] = match.group(2)
        position = match.end()
    return params


def key_id_of(headers: Mapping[str, str]) -> str:
    """The keyId a request names (before anything is verified)."""
    headers = _ci(headers)
    kind = signature_format(headers)
    if kind == CAVAGE:
        key_id = cavage_params(headers).get("keyId", "")
    elif kind == RFC9421:
        match = re.search(r';\s*keyid="([^"]*)"', headers.get("Signature-Input", ""))
        key_id = match.group(1) if match else ""
    else:
        raise SignatureError("the request is not signed")
    if not key_id.startswith(("https://", "http://")):
        raise SignatureError("keyId is not an http(s) address")
    return key_id


def verify(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    resolve: KeyResolver,
    now: dt.datetime | None = None,
) -> Verified:
    """Check the request's signature (either format); raise SignatureError if it fails.

    ``url`` is the absolute address the request was meant for, on *our* host.
    """
    headers = _ci(headers)
    kind = signature_format(headers)
    if kind == RFC9421:
        return _verify_rfc9421(method, url, headers, body, resolve, now or _now())
    if kind == CAVAGE:
        return _verify_cavage(method, url, headers, body, resolve, now or _now())
    raise SignatureError("the request is not signed")


def _cavage_string(covered: list[str], method: str, target: str, headers: Mapping[str, str]) -> str:
    lines = []
    for name in covered:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        elif name.startswith("("):
            raise SignatureError(f"unsupported pseudo-header {name}")
        else:
            if name not in headers:
                raise SignatureError(f"signed header {name} is missing")
            lines.append(f"{name}: {headers[name]}")
    return "\n".join(lines)


def _check_date(value: str, now: dt.datetime) -> None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError) as error:
        raise SignatureError("Date is not an HTTP date") from error
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if when < now - MAX_AGE or when > now + MAX_FUTURE:
        raise SignatureError("Date is too far from now")


def _check_digest(value: str, body: bytes) -> None:
    for part in value.split(","):
        algorithm, _, digest = part.strip().partition("=")
        if algorithm.lower() == "sha-256":
            if digest != _sha256_b64(body):
                raise SignatureError("Digest does not match the body")
            return
        if algorithm.lower() == "sha-512":
            expected = base64.b64encode(hashlib.sha512(body).digest()).decode("ascii")
            if digest != expected:
                raise SignatureError("Digest does not match the body")
            return
    raise SignatureError("Digest uses no algorithm we check")


def _verify_cavage(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    resolve: KeyResolver,
    now: dt.datetime,
) -> Verified:
    params = cavage_params(headers)
    key_id = key_id_of(headers)
    if params.get("algorithm", "hs2019").lower() not in {"rsa-sha256", "hs2019"}:
        raise SignatureError("unsupported algorithm")
    covered = params.get("headers", "date").lower().split()
    required = {"(request-target)", "host", "date"} | ({"digest"} if body else set())
    if missing := required - set(covered):
        raise SignatureError(f"the signature must cover {', '.join(sorted(missing))}")
    host, target = _target(url)
    values = {name.lower(): value for name, value in headers.items()}
    values["host"] = host  # our own name, whatever Host the request came with
    _check_date(values.get("date", ""), now)
    if "digest" in covered:
        _check_digest(values.get("digest", ""), body)
    try:
        signature = base64.b64decode(params.get("signature", ""), validate=True)
    except ValueError as error:
        raise SignatureError("signature is not base64") from error
    text = _cavage_string(covered, method, target, values)
    key = resolve(key_id)
    try:
        key.verify(signature, text.encode(), padding.PKCS1v15(), hashes.SHA256())
    except (BadCrypto, ValueError) as error:
        raise SignatureError("the signature does not verify") from error
    return Verified(key_id=key_id, format=CAVAGE)


class _Verifier(HTTPMessageVerifier):
    max_clock_skew = MAX_FUTURE


def _verify_rfc9421(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    resolve: KeyResolver,
    now: dt.datetime,
) -> Verified:
    key_id = key_id_of(headers)
    message = _Message(method.upper(), url, Headers(headers))
    verifier = _Verifier(
        signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=_OneKey(public=resolve)
    )
    required = ["@method", "@target-uri"]
    if body:
        required.append("content-digest")
    try:
        results = verifier.verify(message, max_age=MAX_AGE, require_components=required, body=body)
    except SignatureError:
        raise
    except (HTTPMessageSignaturesException, ValueError, KeyError, TypeError) as error:
        raise SignatureError(f"the signature does not verify: {error}") from error
    if [result.parameters.get("keyid") for result in results] != [key_id]:
        raise SignatureError("one signature by the named key is expected")
    if "date" in headers:
        _check_date(headers["date"], now)
    return Verified(key_id=key_id, format=RFC9421)
