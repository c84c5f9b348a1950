from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.static import serve

from watchworthy.reviews.models import Review, Verdict

HOME_CARDS = 12


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    latest = Review.objects.published().for_cards().newest_first()[:HOME_CARDS]
    return render(request, "core/home.html", {"reviews": latest, "verdicts": Verdict})


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


def media(request: HttpRequest, path: str) -> HttpResponse:
    """Uploads from the local media folder (embedded set-up; see WATCHWORTHY_SERVE_MEDIA)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """A 404 that helps: the latest reviews and the ways in."""
    latest = Review.objects.published().for_cards().newest_first()[:6]
    return render(request, "404.html", {"reviews": latest}, status=404)
