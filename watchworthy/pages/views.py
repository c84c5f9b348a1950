from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from watchworthy.core.caching import cacheable

from .models import Page


@require_safe
def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(Page.objects.visible_to(request.user), slug=slug)
    if page.is_public:
        cacheable(request, tags=[])  # pages change with the site (core.changes.SITE)
    return render(request, "pages/page_detail.html", {"page": page})
