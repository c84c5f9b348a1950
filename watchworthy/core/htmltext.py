"""Template output written in Python: what ``{{ value }}`` prints.

The review page's fixed parts (its sharing tags, the comment form, the progress form)
are composed in Python strings instead of templates; each value goes through
:func:`printed`, which does what the template engine does to a variable it prints
(``django.template.base.render_value_in_context``): local time, localized numbers and
dates, then autoescaping (``SafeString`` and form objects with ``__html__`` pass as
they are).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.dates import MONTHS
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

_SPECIAL = re.compile("[&<>\"']").search


def printed(value: Any) -> str:
    """``value`` as ``{{ value }}`` prints it: local time, localized, escaped."""
    if type(value) is str:  # most values; localizing leaves a plain str as it is
        # What Django's escape() does, without its wrapper; nothing to do (most
        # values: addresses, names) known from one search instead of five replaces.
        return escape(value) if _SPECIAL(value) else value
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize() makes of an int without grouping
    return str(conditional_escape(localize(template_localtime(value))))


def long_date(value: Any) -> str:
    """``{{ value|date:"j F Y" }}`` ("2 December 2026") of a date or a time, in local
    time: the day, the month's name (translated, as the filter's) and the year."""
    local = template_localtime(value)
    return f"{local.day} {MONTHS[local.month]} {local.year:04d}"


class HTMLParts:
    """Pieces of safe HTML kept apart until the page is encoded (:func:`utf8`): a
    thread of comments, say. Printed in a template or made a ``str``, it is their join
    (a SafeString)."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts

    def __html__(self) -> str:
        return mark_safe("".join(self.parts))  # noqa: S308 - pieces of safe HTML

    # A template prints str(value) when it is not a str: still safe HTML.
    __str__ = __html__

    def __bool__(self) -> bool:
        return any(self.parts)


def joined_html(pieces: list[str]) -> HTMLParts:
    """``pieces`` joined, as :class:`HTMLParts` of one piece; when the join holds a
    character beyond ASCII, runs of ASCII pieces joined and the others apart, so that
    one curly quote or emoji in a thousand comments does not make :func:`utf8`
    convert the whole thread. Every piece must be safe HTML."""
    whole = "".join(pieces)
    if whole.isascii():  # the common case, known without reading the text
        # (Not a SafeString: making one copies the text, a megabyte for a long thread.)
        return HTMLParts([whole])
    runs: list[str] = []
    ascii_run: list[str] = []
    for piece in pieces:
        if piece.isascii():
            ascii_run.append(piece)
            continue
        if ascii_run:
            runs.append("".join(ascii_run))
            ascii_run = []
        runs.append(piece)
    if ascii_run:
        runs.append("".join(ascii_run))
    return HTMLParts(runs)


def utf8(parts: Iterable[str | HTMLParts]) -> bytes:
    """A page given in pieces, as UTF-8 bytes, each piece encoded on its own (the
    pieces of :class:`HTMLParts` too). Python stores a string holding one character
    beyond Latin-1 (an ellipsis, a dash) at two or four bytes a character, and joining
    makes the whole page so; encoding that to UTF-8 cost ~7% of a review page's
    instructions. Apart, the ASCII pieces (nearly all of a page) are copied as they
    are and only the others are converted."""
    out: list[bytes] = []
    for part in parts:
        if isinstance(part, HTMLParts):
            out += [piece.encode() for piece in part.parts]
        else:
            out.append(part.encode())
    return b"".join(out)


def iso_time(value: Any) -> str:
    """``{{ value|date:"c" }}`` of a date or a time: the ISO 8601 text of its local
    time, which is all that the "c" format writes (without the filter's parsing of
    the format, ~10 µs a call)."""
    return str(template_localtime(value).isoformat())


def csrf_input(request: HttpRequest) -> str:
    """What ``{% csrf_token %}`` writes."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
