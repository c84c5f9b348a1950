from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from watchworthy.core.spoilers import Position
from watchworthy.reviews.models import Review

from . import progress
from .models import Work
from .progress import progress_context, shielded_characters

WORKS_PER_PAGE = 50


@require_safe
def work_detail(request: HttpRequest, slug: str) -> HttpResponse:
    work = get_object_or_404(Work.objects.for_page(), slug=slug)
    seasons = list(work.seasons.all())
    context = progress_context(request, work, seasons)
    characters = work.characters.select_related("first_season")
    return render(
        request,
        "catalog/work_detail.html",
        {
            "work": work,
            "seasons": seasons,
            "characters": shielded_characters(characters, context["progress"], seasons),
            "reviews": Review.objects.published().for_cards().filter(work=work).newest_first(),
            **context,
        },
    )


@require_POST
def progress_update(request: HttpRequest, slug: str) -> HttpResponse:
    work = get_object_or_404(Work, slug=slug)
    seasons = list(work.seasons.all())
    value = request.POST.get("position", "")
    allowed = dict(progress.choices(work, seasons))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = work.get_absolute_url()
    if value not in allowed:
        messages.error(request, "That is not a point in this work; nothing was changed.")
        return redirect(target)
    position = progress.normalise(Position.decode(value) if value else None, seasons)
    response = redirect(target)
    progress.progress_save(request, response, work=work, position=position)
    if position is None:
        messages.success(request, f"Progress for {work.title} cleared: every spoiler stays closed.")
    else:
        messages.success(
            request,
            f"Saved: {progress.describe(position, seasons)} of {work.title}. "
            "Spoilers up to there now open by themselves.",
        )
    return response


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
