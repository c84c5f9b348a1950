"""``reverse()`` for the hot pages, from an address shape worked out once per process.

Django's ``reverse()`` walks the URL resolver's possibilities, runs each converter and
checks the candidate against the pattern's regex on every call: about 25 look-ups
make up ~8% of the review page's CPU. :func:`reverse` here asks Django once per name
and shape of arguments (which positions, which keyword names) with stand-in values,
keeps the address split around them, and afterwards only joins the real values in.

It holds code and settings only (the URLconf, the script prefix), never content: the
values are the caller's. The short way is taken only for values Django would put in
the address unchanged: slugs made of ``[-a-zA-Z0-9_]`` (which every converter that
took the letter stand-in accepts and quoting leaves alone) or digits (for an ``int``
converter), decided for each value's place (a review's episode thread takes a slug and
two numbers). Anything else — another character, a namespace served under several
instances, an address the stand-ins do not fit — goes to Django's ``reverse()``.
``tests/core/test_links.py`` compares the two for every name of the site.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from django.utils.html import conditional_escape

_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_DIGITS = re.compile(r"[0-9]+\Z")

# A shape's address: the literal pieces around the values, and what each value may be
# (letters and digits, or digits only). None: this shape always goes to Django.
_Shape = tuple[tuple[str, ...], tuple[re.Pattern[str], ...]] | None
_shapes: dict[tuple[Any, ...], _Shape] = {}


@receiver(setting_changed)
def _forget(**kwargs: Any) -> None:
    """Tests change the URLconf or the script name: work the shapes out again."""
    _shapes.clear()
    if _this_request.get() is not None:  # in a request: read again at the next reverse
        _this_request.set(_UNREAD)


# The URLconf and script prefix of the request being served, read once per request.
# Django keeps both in asgiref Locals, and reading the two cost ~3 µs, more than the
# rest of a reverse(); a review page reverses ~30 addresses. Set from the first
# reverse() of a request (Django has set both by then: the script prefix before
# ``request_started``, the URLconf first thing in ``get_response``) and dropped when
# the request ends, so it never outlives it. Outside a request, or where the request
# signals run in another context (ASGI), every call reads the Locals as before. (A
# middleware that sets ``request.urlconf`` would have to do so before any reverse.)
# None: not in a request; _UNREAD: in one, not read yet.
_UNREAD: tuple[str, str] = ("", "")
_this_request: ContextVar[tuple[str, str] | None] = ContextVar("links_request", default=None)


def request_began(**kwargs: Any) -> None:
    """``request_started``."""
    _this_request.set(_UNREAD)


def request_ended(**kwargs: Any) -> None:
    """``request_finished``."""
    _this_request.set(None)


def _urlconf_and_prefix() -> tuple[str, str]:
    found = _this_request.get()
    if found is None or found is _UNREAD:
        read = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
        if found is _UNREAD:
            _this_request.set(read)
        return read
    return found


def reverse(
    viewname: str,
    args: Sequence[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    current_app: str | None = None,
) -> str:
    """What ``django.urls.reverse(viewname, args=args, kwargs=kwargs)`` answers."""
    if args and kwargs:
        return django_reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    found = _this_request.get()
    if found is None or found is _UNREAD:
        found = _urlconf_and_prefix()
    if kwargs:
        names: tuple[str, ...] = tuple(kwargs)
        values = [str(v) for v in kwargs.values()]
    else:
        names = ()
        values = [str(v) for v in args] if args else []
    key = (viewname, len(values), names, current_app, found)
    try:
        shape = _shapes[key]
    except KeyError:
        shape = _shapes[key] = _learn(viewname, len(values), names, current_app)
    if shape is None:
        return django_reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    pieces, patterns = shape
    if not values:
        return pieces[0]
    parts = [pieces[0]]
    for value, pattern, piece in zip(values, patterns, pieces[1:], strict=True):
        if pattern.match(value) is None:
            return django_reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
        parts += (value, piece)
    return "".join(parts)


def _learn(viewname: str, count: int, names: tuple[str, ...], current_app: str | None) -> _Shape:
    """The address of ``viewname`` split around its ``count`` values, with what each
    value may be (letters and digits, or digits only), or None."""
    letters = [f"zqx{i}-q_Z" for i in range(count)]
    digits = [f"7319{i}8642" for i in range(count)]
    by_digits = _split(viewname, digits, names, current_app)
    if by_digits is None:
        return None
    accepted = []
    for position in range(count):  # letters here, digits elsewhere: a slug's place?
        tried = [*digits[:position], letters[position], *digits[position + 1 :]]
        found = _split(viewname, tried, names, current_app)
        if found is None:  # an int converter: digits only
            accepted.append(_DIGITS)
        elif found == by_digits:
            accepted.append(_SLUG)
        else:
            return None  # letters and digits reach different patterns
    # Every slug's place with letters at once must give the same address too.
    mixed = [
        letter if pattern is _SLUG else digit
        for letter, digit, pattern in zip(letters, digits, accepted, strict=True)
    ]
    if _split(viewname, mixed, names, current_app) != by_digits:
        return None
    return by_digits, tuple(accepted)


def _split(
    viewname: str, values: list[str], names: tuple[str, ...], current_app: str | None
) -> tuple[str, ...] | None:
    try:
        if names:
            url = django_reverse(
                viewname, kwargs=dict(zip(names, values, strict=True)), current_app=current_app
            )
        else:
            url = django_reverse(viewname, args=values, current_app=current_app)
    except NoReverseMatch:
        return None
    pieces = []
    rest = url
    for value in values:
        if rest.count(value) != 1:
            return None
        before, rest = rest.split(value)
        pieces.append(before)
    pieces.append(rest)
    return tuple(pieces)


class URLNode(defaulttags.URLNode):
    """``{% url %}`` through :func:`reverse`; with ``as`` (which swallows a missing
    name) exactly Django's tag."""

    def render(self, context: template.Context) -> str:
        if self.asvar:
            return str(super().render(context))
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app  # type: ignore[attr-defined]
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace  # type: ignore[attr-defined]
            except AttributeError:
                current_app = None
        url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        if context.autoescape:
            return str(conditional_escape(url))
        return url


register = template.Library()


@register.tag
def url(parser: template.base.Parser, token: template.base.Token) -> URLNode:
    """Django's ``{% url %}``, answered by :func:`reverse` (a template builtin, so every
    template's ``{% url %}`` is this one)."""
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)
