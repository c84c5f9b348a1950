"""robots.txt, the sitemap and the review cards. Thin: the modules beside do the work."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from watchworthy.core.caching import cacheable
from watchworthy.core.changes import LISTS
from watchworthy.reviews.models import Review

from .cards import card_digest, stored_card
from .sitemaps import SITEMAPS

# Not for search engines: the admin, sign-in and account pages, the moderation queue,
# comment-mail confirmations, and search results (endless, thin pages).
DISALLOWED = ("/admin/", "/accounts/", "/moderation/", "/comments/notify/", "/search/")
YEAR = 365 * 24 * 3600


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    cacheable(request, tags=[])
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), ""]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sharing:sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def sitemap_index(request: HttpRequest) -> TemplateResponse:
    cacheable(request, tags=[LISTS])
    return sitemap_views.index(request, _sitemaps(), sitemap_url_name="sharing:sitemap_section")


@require_safe
def sitemap_section(request: HttpRequest, section: str) -> TemplateResponse:
    cacheable(request, tags=[LISTS])
    return sitemap_views.sitemap(request, _sitemaps(), section=section)


def _sitemaps() -> dict[str, type[Sitemap[Any]] | Sitemap[Any]]:
    return {name: sitemap() for name, sitemap in SITEMAPS.items()}


@require_safe
def review_card(request: HttpRequest, slug: str, digest: str) -> HttpResponseBase:
    """The card image of a published review, drawn and stored on first request. An
    old digest (the review changed since the link was shared) leads to the new one."""
    review = get_object_or_404(
        Review.objects.published().select_related("work", "season"), slug=slug
    )
    current = card_digest(review)
    if digest != current:
        return HttpResponseRedirect(
            reverse("sharing:card", kwargs={"slug": slug, "digest": current})
        )
    response = FileResponse(default_storage.open(stored_card(review, current), "rb"))
    response["Content-Type"] = "image/png"
    # The address changes with the card, so a copy never goes stale.
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response
