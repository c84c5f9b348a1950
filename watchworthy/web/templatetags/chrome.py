"""``{% load chrome %}``: ``{% site_header %}``, ``{% site_nav %}`` and
``{% site_messages %}`` for base.html and the 500 page (see web.chrome)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from .. import chrome

register = template.Library()


# Safe: web.chrome escapes every value it prints.
@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    return mark_safe(  # noqa: S308
        chrome.site_header(
            context["request"], context["site"], context.get("pending_comment_count")
        )
    )


@register.simple_tag(takes_context=True)
def site_nav(context: template.Context) -> SafeString:
    """The 500 page's links: no request there, nothing marked current."""
    return mark_safe(chrome.site_nav(context.get("request")))  # noqa: S308


@register.simple_tag(takes_context=True)
def site_messages(context: template.Context) -> SafeString:
    return mark_safe(chrome.messages(context["request"]))  # noqa: S308
