"""First-party cookies, set one way: ``Secure`` in production, ``HttpOnly`` unless a
script must read it, ``SameSite=Lax``, and signed when they carry anything we later
believe. No cookie carries personal data in clear (see docs/security.md)."""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.http import HttpRequest, HttpResponse


def set_cookie(
    response: HttpResponse,
    name: str,
    value: str,
    *,
    max_age: int,
    salt: str | None = None,
    httponly: bool = True,
) -> None:
    """Set ``name``; with ``salt``, as a signed cookie (read it back with
    ``request.get_signed_cookie(name, salt=salt)``)."""
    secure: bool = settings.SESSION_COOKIE_SECURE
    if salt is None:
        response.set_cookie(
            name, value, max_age=max_age, secure=secure, httponly=httponly, samesite="Lax"
        )
    else:
        response.set_signed_cookie(
            name,
            value,
            salt=salt,
            max_age=max_age,
            secure=secure,
            httponly=httponly,
            samesite="Lax",
        )


# --- private cookies: encrypted and authenticated ---------------------------------------
#
# What a guest's browser keeps for them — the name and e-mail for their next comment,
# which comments they wrote, how far they have watched — is theirs, but it is personal:
# anyone who sees the cookie (a shared computer, a proxy log) must not read it. These
# cookies are encrypted with a key derived from SECRET_KEY (Fernet: AES with an HMAC),
# so they can be neither read nor forged.


def _fernet(name: str) -> Fernet:
    return _fernet_for(name, settings.SECRET_KEY)


@lru_cache(maxsize=16)
def _fernet_for(name: str, secret: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"watchworthy.core.cookies",
        info=name.encode(),
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def set_private_cookie(response: HttpResponse, name: str, value: Any, *, max_age: int) -> None:
    """Store ``value`` (anything JSON can hold) encrypted in cookie ``name``."""
    payload = json.dumps(value, separators=(",", ":")).encode()
    token = _fernet(name).encrypt(payload).decode()
    set_cookie(response, name, token, max_age=max_age)


def read_private_cookie(request: HttpRequest, name: str, *, max_age: int) -> Any:
    """What :func:`set_private_cookie` stored, or None when absent, expired, tampered
    with, or not ours."""
    token = request.COOKIES.get(name)
    if not token:
        return None
    try:
        payload = _fernet(name).decrypt(token.encode("ascii"), ttl=max_age)
        return json.loads(payload)
    except (InvalidToken, UnicodeError, ValueError):
        return None
