from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from watchworthy.reviews.models import Review

from .models import Work


@require_safe
def work_detail(request: HttpRequest, slug: str) -> HttpResponse:
    work = get_object_or_404(Work.objects.for_page(), slug=slug)
    return render(
        request,
        "catalog/work_detail.html",
        {
            "work": work,
            "seasons": work.seasons.all(),
            "characters": work.characters.select_related("first_season"),
            "reviews": Review.objects.published().for_cards().filter(work=work).newest_first(),
        },
    )


@require_safe
def work_list(request: HttpRequest) -> HttpResponse:
    public = Q(
        reviews__status__in=[Review.Status.PUBLISHED, Review.Status.SCHEDULED],
        reviews__published_at__lte=timezone.now(),
    )
    works = (
        Work.objects.select_related("poster")
        .annotate(review_count=Count("reviews", filter=public))
        .filter(review_count__gt=0)
        .order_by("title")
    )
    return render(request, "catalog/work_list.html", {"works": works})
