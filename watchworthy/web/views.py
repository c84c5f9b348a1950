"""The pages that compose several apps. Thin: querysets and the shield do the work."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.static import serve

from watchworthy.catalog.models import Season, Work
from watchworthy.core.caching import cacheable
from watchworthy.core.changes import LISTS, review_tag, work_tag
from watchworthy.core.models import SiteSettings
from watchworthy.discussion import episodes as episode_threads
from watchworthy.discussion.context import discussion_context, render_with_thread
from watchworthy.discussion.models import EpisodeThread
from watchworthy.reviews.audience import current_vote
from watchworthy.reviews.models import Review, Verdict
from watchworthy.spoilers.progress import reader_shield
from watchworthy.spoilers.shield import Shield

from . import queries
from .review_page import review_page

HOME_CARDS = 12
WORKS_PER_PAGE = 50


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    cacheable(request, tags=[LISTS])
    latest = Review.objects.published().for_cards().newest_first()[:HOME_CARDS]
    return render(request, "web/home.html", {"reviews": latest, "verdicts": Verdict})


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    cacheable(request, tags=[])
    return render(request, "web/about.html")


@require_safe
def review_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    now = timezone.now()
    review = queries.review_for_page(slug, staff=user.is_authenticated and user.is_staff, now=now)
    if review is None:
        raise Http404("No review here.")
    seasons = queries.seasons_of(review)
    episodes = episode_threads.covered_episodes(review, seasons)
    _cacheable_review_page(request, review, episodes)
    shield = reader_shield(request, review.work, seasons)
    index = episode_threads.index_context(review, episodes, shield)
    scope = review.spoiler_scope
    context = {
        "review": review,
        "body": shield.html(review.body_html),
        "spoiler_banner": shield.label(scope) if scope else "",
        "catch_up": _catch_up(review, shield, seasons),
        "my_vote": current_vote(request, review),
        "covered_label": shield.description_of(review.covered_position(seasons)),
        "more_on_work": queries.more_on_work(review, now=now),
        "support_links": SiteSettings.current().support_links,
        **shield.form_context(),
        **index,
        **discussion_context(request, review, shield=shield, count=index["main_thread_count"]),
    }
    return review_page(request, context)


def _cacheable_review_page(
    request: HttpRequest, review: Review, episodes: list[episode_threads.Episode]
) -> None:
    """A public review's pages are kept for guests, one copy per reading position,
    except while one of its episode threads is still to open by the clock."""
    if review.is_public and not episode_threads.opening_later(episodes):
        cacheable(
            request,
            tags=[review_tag(review.pk), work_tag(review.work_id)],
            work_id=review.work_id,
        )


@require_safe
def episode_thread(
    request: HttpRequest, slug: str, episode: int, part: int | None = None
) -> HttpResponse:
    """One episode's discussion under a review: open to readers who have reached the
    episode; to everyone else its label, count and the progress form, no words."""
    review = get_object_or_404(Review.objects.visible_to(request.user).for_cards(), slug=slug)
    seasons = list(review.work.seasons.all())
    episodes = episode_threads.covered_episodes(review, seasons)
    found = episode_threads.episode_at(review, episodes, seasons, part, episode)
    if found is None:
        raise Http404("This review has no thread for that episode.")
    if request.path != found.url:  # the part named where it is implied, or left out
        return redirect(found.url, permanent=True)
    _cacheable_review_page(request, review, episodes)
    shield = reader_shield(request, review.work, seasons)
    thread = EpisodeThread.objects.filter(
        review=review, season=found.part, episode=found.number
    ).first()
    count = thread.approved_comment_count if thread is not None else 0
    reached = shield.covers(found.position)
    at = episodes.index(found)
    context = {
        "review": review,
        "episode": found,
        "reached": reached,
        "thread_count": count,
        "previous_episode": episodes[at - 1] if at > 0 else None,
        "next_episode": episodes[at + 1] if at + 1 < len(episodes) else None,
        **shield.form_context(),
    }
    if reached:
        context.update(
            discussion_context(
                request, review, shield=shield, count=count, episode=found, episode_thread=thread
            )
        )
    return render_with_thread(request, "web/episode_thread.html", context)


def _catch_up(review: Review, shield: Shield, seasons: list[Season]) -> dict[str, Any] | None:
    """For a review of part N > 1: the previous part's verdict, recap and cast so far."""
    previous = review.previous_season(seasons)
    if previous is None or review.season is None:
        return None
    characters = review.work.characters.select_related("first_season").filter(
        first_season__number__lt=review.season.number
    )
    return shield.catch_up(
        previous=previous,
        previous_review=Review.objects.published().of_season(previous).first(),
        characters=characters,
    )


@require_safe
def work_detail(request: HttpRequest, slug: str) -> HttpResponse:
    work = get_object_or_404(Work.objects.for_page(), slug=slug)
    cacheable(request, tags=[work_tag(work.pk), LISTS], work_id=work.pk)
    seasons = list(work.seasons.all())
    shield = reader_shield(request, work, seasons)
    characters = work.characters.select_related("first_season")
    return render(
        request,
        "web/work_detail.html",
        {
            "work": work,
            "seasons": seasons,
            "characters": shield.characters(characters),
            "reviews": Review.objects.published().for_cards().filter(work=work).newest_first(),
            **shield.form_context(),
        },
    )


@require_safe
def work_list(request: HttpRequest) -> HttpResponse:
    cacheable(request, tags=[LISTS])
    public = Q(reviews__in=Review.objects.published().values("pk"))
    verdicts = (
        Review.objects.published()
        .select_related("season")
        .order_by("season__number", "published_at")
    )
    works = (
        Work.objects.select_related("poster")
        .prefetch_related(Prefetch("reviews", queryset=verdicts, to_attr="verdicts"))
        .annotate(review_count=Count("reviews", filter=public))
        .filter(review_count__gt=0)
        .order_by("title")
    )
    page = Paginator(works, WORKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/work_list.html", {"page": page})


def media(request: HttpRequest, path: str) -> FileResponse | HttpResponse:
    """Uploads from the local media folder (embedded set-up; see WATCHWORTHY_SERVE_MEDIA)."""
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A 404 that helps: the latest reviews and the ways in."""
    latest = Review.objects.published().for_cards().newest_first()[:6]
    return render(request, "404.html", {"reviews": latest}, status=404)
