"""The site's public address, for absolute links in mail.

Where there is a request, the address is the one the reader used
(``request.build_absolute_uri``: scheme, host and port as they reached us, the host
checked against ALLOWED_HOSTS, and behind a proxy as it forwarded them). Mail sent
with no request at hand — digests from the worker, management commands — uses the
``WATCHWORTHY_SITE_URL`` setting, which production requires (config/settings.py).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site_root(request: HttpRequest | None = None) -> str:
    """The site's root, ending in ``/``: from ``request`` when there is one."""
    if request is not None:
        return request.build_absolute_uri("/")
    return configured_root()


def configured_root() -> str:
    root: str = settings.WATCHWORTHY_SITE_URL
    return root.rstrip("/") + "/"


def absolute(path: str, root: str = "") -> str:
    """``path`` ("/comments/7/") on the site at ``root``, else at the configured one."""
    return (root or configured_root()).rstrip("/") + path
