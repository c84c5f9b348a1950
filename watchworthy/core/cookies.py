"""First-party cookies, set one way: ``Secure`` in production, ``HttpOnly`` unless a
script must read it, ``SameSite=Lax``, and signed when they carry anything we later
believe. No cookie carries personal data in clear (see docs/security.md)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse


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
