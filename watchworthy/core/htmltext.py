"""Template output written in Python: what ``{{ value }}`` prints.

The review page's fixed parts (its sharing tags, the comment form, the progress form)
are composed in Python strings instead of templates; each value goes through
:func:`printed`, which does what the template engine does to a variable it prints
(``django.template.base.render_value_in_context``): local time, localized numbers and
dates, then autoescaping (``SafeString`` and form objects with ``__html__`` pass as
they are).
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]


def printed(value: Any) -> str:
    """``value`` as ``{{ value }}`` prints it: local time, localized, escaped."""
    if type(value) is str:  # most values; localizing leaves a plain str as it is
        return escape(value)  # what Django's escape() does, without its wrapper
    return str(conditional_escape(localize(template_localtime(value))))


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
