"""The nginx front's configuration (nginx-front.conf), filled in from the settings.

One template for docs/deploy.md, the tests that run a real nginx, and
``make bench-compare``: the cookies that make a page personal and the security
headers come from the same settings the app answers with, so a page served from its
file carries the headers the app would have sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from csp.utils import build_policy
from django.conf import settings

from .middleware import PERSONAL_COOKIES

TEMPLATE = Path(__file__).with_name("nginx-front.conf")
SAFE_VALUE = re.compile(r"[^\"\\$\n]*\Z")  # what may stand inside "..." in nginx


@dataclass(frozen=True)
class Front:
    pages: str  # WATCHWORTHY_PAGE_FILES
    app: str = "127.0.0.1:8000"  # where the app listens (host:port)
    listen: str = "listen 80;"  # the server's listen (and TLS) lines
    server_name: str = "_"
    https: bool = False  # adds HSTS as the app sends it on https
    media: str = ""  # the folder nginx serves /media/ from ("" : none)


def headers(*, https: bool) -> list[tuple[str, str]]:
    """The security headers the app's middleware adds to a shared page."""
    out = [
        # The app's directive order follows a set (it varies between processes): sorted
        # here, the same policy.
        ("Content-Security-Policy", "; ".join(sorted(build_policy().split("; ")))),
        ("X-Frame-Options", settings.X_FRAME_OPTIONS),
    ]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        out.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        out.append(("Referrer-Policy", policy if isinstance(policy, str) else ",".join(policy)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        out.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    out.append(("Permissions-Policy", settings.WATCHWORTHY_PERMISSIONS_POLICY))
    if https and settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        out.append(("Strict-Transport-Security", hsts))
    return out


def _quoted(value: str) -> str:
    if not SAFE_VALUE.match(value):
        raise ValueError(f"cannot put {value!r} in the nginx configuration")
    return f'"{value}"'


def render(front: Front) -> str:
    cookies = [settings.SESSION_COOKIE_NAME, *PERSONAL_COOKIES]
    for name in cookies:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            raise ValueError(f"cookie name {name!r} cannot go into the nginx map")
    lines = [
        f"        add_header {name} {_quoted(value)};" for name, value in headers(https=front.https)
    ]
    media = ""
    if front.media:
        media = (
            "\n    location /media/ {\n"
            f"        alias {_quoted(front.media.rstrip('/') + '/')};\n"
            "        expires 30d;\n"
            "        add_header X-Content-Type-Options nosniff;\n"
            "    }\n"
        )
    values = {
        "@PERSONAL_COOKIES@": "|".join(cookies),
        "@LISTEN@": "\n".join(f"    {line.strip()}" for line in front.listen.strip().splitlines()),
        "@SERVER_NAME@": front.server_name,
        "@PAGES@": _quoted(front.pages.rstrip("/"))[1:-1],
        "@APP@": front.app,
        "@MEDIA@": media,
        "@HEADERS@": "\n".join(lines),
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace(key, value)
    return text
