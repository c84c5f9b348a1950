"""``EMAIL_URL``: where mail goes, as one URL (read by config/settings.py).

    console://                          print each mail to standard output (default)
    smtp://USER:PASSWORD@HOST:PORT      plain SMTP (port 25 unless given)
    smtp+tls://USER:PASSWORD@HOST:587   SMTP, then STARTTLS (port 587 unless given)
    smtp+ssl://USER:PASSWORD@HOST:465   SMTP over TLS from the first byte (port 465)

User and password are percent-encoded where they hold ``@``, ``:`` or ``/``
(``p%40ss`` for ``p@ss``). ``?timeout=SECONDS`` changes how long a mail server may
take to answer (default 20), so a stuck server fails a mail instead of a worker.
"""

from __future__ import annotations

from typing import TypedDict
from urllib.parse import parse_qs, unquote, urlsplit

CONSOLE = "django.core.mail.backends.console.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"
# scheme: (default port, STARTTLS, TLS from the start)
SMTP_SCHEMES = {
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "smtp+ssl": (465, False, True),
}
DEFAULT_TIMEOUT = 20


class EmailSettings(TypedDict):
    EMAIL_BACKEND: str
    EMAIL_HOST: str
    EMAIL_PORT: int
    EMAIL_HOST_USER: str
    EMAIL_HOST_PASSWORD: str
    EMAIL_USE_TLS: bool
    EMAIL_USE_SSL: bool
    EMAIL_TIMEOUT: int


class EmailURLError(ValueError):
    """What is wrong with the URL, in words that never repeat its password."""


def parse_email_url(url: str) -> EmailSettings:
    """Django's EMAIL_* settings for ``url``, or :class:`EmailURLError`."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:  # a port that is not a number, or out of range
        raise EmailURLError(f"it cannot be read ({error})") from None
    scheme = parts.scheme.lower()
    if scheme == "console":
        if parts.netloc or parts.path or parts.query:
            raise EmailURLError("console:// takes nothing after it")
        return EmailSettings(
            EMAIL_BACKEND=CONSOLE,
            EMAIL_HOST="localhost",
            EMAIL_PORT=25,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=DEFAULT_TIMEOUT,
        )
    if scheme not in SMTP_SCHEMES:
        raise EmailURLError(
            f"the scheme {scheme or '(none)'!r} is not one of console, smtp, smtp+tls, smtp+ssl"
        )
    if not parts.hostname:
        raise EmailURLError("it names no mail server host (smtp://user:password@host:port)")
    default_port, use_tls, use_ssl = SMTP_SCHEMES[scheme]
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - {"timeout"}
    if unknown:
        raise EmailURLError(f"it has unknown options {', '.join(sorted(unknown))} (only timeout)")
    timeout_text = (query.get("timeout") or [str(DEFAULT_TIMEOUT)])[-1]
    if not (timeout_text.isascii() and timeout_text.isdigit() and int(timeout_text) > 0):
        raise EmailURLError(f"timeout={timeout_text!r} is not a whole number of seconds")
    return EmailSettings(
        EMAIL_BACKEND=SMTP,
        EMAIL_HOST=parts.hostname,
        EMAIL_PORT=port or default_port,
        EMAIL_HOST_USER=unquote(parts.username or ""),
        EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
        EMAIL_USE_TLS=use_tls,
        EMAIL_USE_SSL=use_ssl,
        EMAIL_TIMEOUT=int(timeout_text),
    )


def without_password(url: str) -> str:
    """``url`` with any password replaced by ``***``, for error messages."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "(unreadable)"
    if not password:
        return url
    netloc = parts.netloc.replace(f":{password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
