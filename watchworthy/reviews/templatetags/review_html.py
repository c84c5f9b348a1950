"""``{% load review_html %}``: ``{% verdict_badge review %}`` and ``{% review_card
review "h3" %}`` (see reviews.html; the meter is only ever part of a card or the
review page, which call it directly)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from .. import html

register = template.Library()


# Safe: reviews.html escapes every value it prints.
@register.simple_tag
def verdict_badge(review: Any) -> SafeString:
    return mark_safe(html.verdict_badge(review))  # noqa: S308


@register.simple_tag
def review_card(review: Any, heading: str = "") -> SafeString:
    return mark_safe(html.review_card(review, heading))  # noqa: S308
