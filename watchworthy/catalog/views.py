from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from watchworthy.reviews.models import Review

from .models import Work

WORKS_PER_PAGE = 50


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
    public = Q(reviews__in=Review.objects.published().values("pk"))
    works = (
        Work.objects.select_related("poster")
        .annotate(review_count=Count("reviews", filter=public))
        .filter(review_count__gt=0)
        .order_by("title")
    )
    page = Paginator(works, WORKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "catalog/work_list.html", {"page": page})
