"""A comment's header as the thread shows it, rendered once when the comment is written.

The header of a comment — avatar, the writer's name (linked to their site), the
number or the permalink, the date, "(edited)" — is the same for every reader, so it is
rendered when the comment is written (posted, approved, edited, imported) and stored
in ``Comment.header_html``. A page then composes each row from that and the parts
that differ per reader (see :mod:`watchworthy.discussion.rendering`).

The Author / Staff badge is *not* stored: it follows the review's author and the
writer's staff flag, which change elsewhere. :data:`BADGE_SLOT` marks its place; it
cannot come from anything a person wrote, because every such value is escaped.

**Freshness.** ``Comment.header_key`` says what the header was rendered with
(:func:`current_key`): this layout's version, the site's time zone, the language,
and the secret the avatar colours are keyed with. A page renders a header whose key
is not the current one again for that request — the reader gets the right bytes,
only slower — until ``manage.py render_comments`` stores it. Change
:data:`LAYOUT_VERSION` whenever :func:`header_html` writes something different.

This module imports no model: the models (``Comment.save``), the services, imports
and migrations all call :func:`header_html` with plain field values.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from datetime import datetime
from html import escape  # what Django's escape() calls, without its lazy-string wrapper
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3

LAYOUT_VERSION = "1"
BADGE_SLOT = "<!--badge-->"
AVATAR_HUES = 12


@functools.lru_cache(maxsize=4096)
def _avatar_hue(identity: str, secret: str) -> str:
    source = identity.strip().lower().encode()
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return str(digest[0] % AVATAR_HUES)


def avatar(author_name: str, author_email: str) -> dict[str, str]:
    """A locally generated avatar: initials on a colour chosen by a keyed hash of
    the e-mail (no external service; the hash cannot be looked up elsewhere)."""
    words = [w for w in author_name.split() if w[:1].isalnum()]
    initials = "".join(w[0] for w in words[:2]).upper() or "?"
    return {
        "initials": initials,
        "hue": _avatar_hue(author_email or author_name, settings.SECRET_KEY),
    }


@functools.lru_cache(maxsize=16)
def _month_names(language: str) -> dict[int, str]:
    """The short month names in ``language`` (the active one: translating the twelve
    lazy names was most of what rendering one header cost)."""
    with translation.override(language or None):
        return {number: str(name).title() for number, name in MONTHS_3.items()}


class Dates:
    """``|date:'c'`` and ``|date:"j M Y, H:i"`` as the template wrote them (in the
    site's time zone and the active language), without a formatter object per call."""

    def __init__(self) -> None:
        self.months = _month_names(translation.get_language() or "")

    def __call__(self, moment: datetime) -> tuple[str, str]:
        local = timezone.localtime(moment)
        shown = (
            f"{local.day} {self.months[local.month]} {local.year:04d}, "
            f"{local.hour:02d}:{local.minute:02d}"
        )
        return local.isoformat(), shown


@functools.lru_cache(maxsize=16)
def _key(version: str, time_zone: str, language: str, secret: str) -> str:
    # The secret is represented by the colours it gives a few fixed names (what any
    # page shows anyway), so the stored key says nothing about the secret itself.
    colours = ",".join(_avatar_hue(f"probe-{n}", secret) for n in range(12))
    source = f"{version}|{time_zone}|{language}|{colours}"
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def current_key() -> str:
    """What a header rendered now is rendered with (see the module docstring)."""
    return _key(
        LAYOUT_VERSION,
        str(settings.TIME_ZONE),
        translation.get_language() or "",
        settings.SECRET_KEY,
    )


def header_html(
    *,
    pk: int,
    author_name: str,
    author_email: str,
    author_url: str,
    number: int | None,
    created_at: datetime,
    edited_at: datetime | None,
    dates: Dates | None = None,
) -> str:
    """The ``<header>`` of comment ``pk``, byte for byte what the thread template wrote,
    with :data:`BADGE_SLOT` where the badge goes."""
    anchor = f"comment-{pk}"
    shown_avatar = avatar(author_name, author_email)
    name = escape(author_name)
    if author_url:
        author = f'<a href="{escape(author_url)}" rel="nofollow ugc noopener">{name}</a>'
    else:
        author = name
    if number:
        numbered = (
            f'<a class="comment-number" href="#{anchor}" aria-label="Comment '
            f'{number}, link">#{number}</a>'
        )
    else:
        numbered = f'<a class="comment-permalink" href="#{anchor}">link</a>'
    iso, shown = (dates or Dates())(created_at)
    edited = '<span class="edited">(edited)</span>' if edited_at is not None else ""
    return (
        '\n    <header class="comment-meta">\n      '
        f'<span class="avatar avatar-h{escape(shown_avatar["hue"])}" aria-hidden="true">'
        f"{escape(shown_avatar['initials'])}</span>\n      "
        f'<span id="{anchor}-by" class="comment-author">{author}</span>\n      '
        f"{BADGE_SLOT}\n      {numbered}\n      "
        f'<time datetime="{iso}">{escape(shown)}</time>\n      {edited}\n    </header>\n    '
    )


def header_of(comment: Any, dates: Dates | None = None) -> str:
    """:func:`header_html` for a comment-like object (a Comment, or a historical
    Comment in a migration)."""
    return header_html(
        pk=comment.pk,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_url=comment.author_url,
        number=comment.number,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        dates=dates,
    )
