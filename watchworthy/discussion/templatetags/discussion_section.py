"""``{% load discussion_section %}{% thread_section %}``: the discussion's section of a
page from the page's context (see discussion.section)."""

from __future__ import annotations

from typing import Any, cast

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..section import thread_section as section_html

register = template.Library()


@register.simple_tag(takes_context=True)
def thread_section(context: template.Context) -> SafeString:
    # Safe: discussion.section escapes every value it prints; the thread is stored HTML.
    return mark_safe(section_html(cast(dict[str, Any], context.flatten())))  # noqa: S308
