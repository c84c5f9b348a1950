"""``{% load comment_form %}{% comment_form %}``: the comment form (discussion.formhtml)
from the page's context: ``comment_form``, ``review``, ``reply_to``,
``discussion_episode``, ``form_page``."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from ..formhtml import comment_form_html

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_form(context: template.Context) -> SafeString:
    return comment_form_html(
        context["request"],
        context["comment_form"],
        review=context["review"],
        reply_to=context.get("reply_to"),
        episode=context.get("discussion_episode"),
        form_page=bool(context.get("form_page")),
    )
