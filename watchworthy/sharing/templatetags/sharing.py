"""``{% load sharing %}``: what pages put in their ``<head>`` for feed readers, link
previews and search engines (see docs/sharing.md)."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from watchworthy.catalog.models import Work
from watchworthy.core.models import SiteSettings
from watchworthy.core.sanitize import html_to_text
from watchworthy.spoilers.shield import travelling

from .. import head, meta, structured

register = template.Library()


def _request(context: template.Context) -> HttpRequest:
    request = context.get("request")
    assert isinstance(request, HttpRequest), "the request context processor is needed"
    return request


@register.simple_tag(takes_context=True)
def canonical_link(context: template.Context) -> SafeString:
    # Safe: sharing.head escapes every value it prints.
    return mark_safe(head.canonical_link(_request(context)))  # noqa: S308


@register.simple_tag(takes_context=True)
def feed_links(context: template.Context, own: bool = True) -> SafeString:
    return mark_safe(head.feed_links(_request(context), context, own=own))  # noqa: S308


@register.inclusion_tag("sharing/site_meta.html", takes_context=True)
def site_meta(context: template.Context) -> dict[str, Any]:
    """Open Graph and Twitter tags for any page: the site itself."""
    site = SiteSettings.current()
    return {"site": site, "url": meta.canonical_url(_request(context))}


@register.inclusion_tag("sharing/work_meta.html", takes_context=True)
def work_meta(context: template.Context, work: Work) -> dict[str, Any]:
    request = _request(context)
    to = meta.absolute(request)
    picture = meta.image_picture(work.poster, to) if work.poster is not None else None
    return {
        "site": SiteSettings.current(),
        "work": work,
        "url": to(work.get_absolute_url()),
        "description": Truncator(html_to_text(travelling(work.synopsis_html))).words(40),
        "picture": picture,
        "og_type": "video.movie" if work.kind == Work.Kind.FILM else "video.tv_show",
    }


@register.simple_tag(takes_context=True)
def website_json_ld(context: template.Context) -> SafeString:
    """The schema.org ``WebSite`` with its ``SearchAction`` (the home page)."""
    site = SiteSettings.current()
    data = structured.website_data(
        absolute=meta.absolute(_request(context)),
        site_name=site.site_name,
        tagline=site.tagline,
    )
    return structured.json_ld(data)
