"""Public review pages. Thin: the querysets say what each page needs."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from watchworthy.accounts.models import User
from watchworthy.catalog import progress
from watchworthy.catalog.progress import progress_context, progress_for, shielded_characters
from watchworthy.core.models import SupportLink
from watchworthy.core.ratelimit import over_limit
from watchworthy.core.sanitize import stored_html
from watchworthy.core.spoilers import Position, apply_shield
from watchworthy.discussion.context import discussion_context

from .audience import audience_vote, current_vote
from .models import Review, Tag, Verdict

PAGE_SIZE = 20


def _paginate(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def render_review(
    request: HttpRequest, review: Review, *, comment_form=None, status: int = 200
) -> HttpResponse:
    """The review page; the discussion app calls this to show a form with errors."""
    more_on_work = (
        Review.objects.published().for_cards().filter(work=review.work_id).exclude(pk=review.pk)
    )
    seasons = list(review.work.seasons.all())
    reader = progress_context(request, review.work, seasons)
    position = reader["progress"]
    scope = review.spoiler_scope
    context = {
        "review": review,
        "body": review.shielded_body(position),
        "spoiler_banner": progress.scope_label(scope, seasons) if scope else "",
        "catch_up": catch_up(review, seasons, position),
        "my_vote": current_vote(request, review),
        "covered_label": progress.describe(covered_by_review(review, seasons), seasons),
        "more_on_work": more_on_work.newest_first()[:6],
        "support_links": SupportLink.objects.filter(is_active=True),
        **reader,
        **discussion_context(
            request, review, form=comment_form, progress=position, seasons=seasons
        ),
    }
    return render(request, "reviews/review_detail.html", context, status=status)


def get_review(request: HttpRequest, slug: str) -> Review:
    return get_object_or_404(
        Review.objects.visible_to(request.user)
        .for_cards()
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name"))),
        slug=slug,
    )


def covered_by_review(review: Review, seasons: list) -> Position:
    """The point a reader must have reached to have "finished what the review covers"."""
    if review.season_id:
        return Position(review.season.number, None)
    return Position(max((s.number for s in seasons), default=1), None)


def catch_up(review: Review, seasons: list, position: Position | None) -> dict | None:
    """For a review of part N > 1: the previous part's verdict, recap and cast so far."""
    earlier = [s for s in seasons if review.season_id and s.number < review.season.number]
    if not earlier:
        return None
    previous = max(earlier, key=lambda s: s.number)
    earlier_review = (
        Review.objects.published()
        .filter(work=review.work_id, season=previous)
        .select_related("season", "work")
        .newest_first()
        .first()
    )
    characters = review.work.characters.select_related("first_season").filter(
        first_season__number__lt=review.season.number
    )
    return {
        "previous": previous,
        "review": earlier_review,
        "recap": stored_html(apply_shield(previous.recap_html, position)),
        "recap_hidden": not (position and position.covers(Position(previous.number, None))),
        "characters": shielded_characters(characters, position, seasons),
    }


@require_safe
def review_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render_review(request, get_review(request, slug))


VOTE_LIMIT = (30, 3600)  # votes per IP per hour


@require_POST
def review_vote(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_object_or_404(Review.objects.published().select_related("season"), slug=slug)
    target = f"{review.get_absolute_url()}#audience"
    choice = request.POST.get("agrees")
    if review.verdict == Verdict.UNRATED or choice not in {"yes", "no"}:
        messages.error(request, "Choose Agree or Disagree with the verdict.")
        return redirect(target)
    limit, window = VOTE_LIMIT
    if over_limit(f"vote-ip:{request.META.get('REMOTE_ADDR')}", limit=limit, window=window):
        messages.error(request, "Too many votes from your network just now; try again later.")
        return redirect(target)
    seasons = list(review.work.seasons.all())
    position = progress_for(request, review.work)
    finished = bool(position and position.covers(covered_by_review(review, seasons)))
    response = redirect(target)
    audience_vote(request, response, review=review, agrees=choice == "yes", finished=finished)
    word = "agree with" if choice == "yes" else "disagree with"
    messages.success(request, f"Thanks: you {word} the verdict. You can change your mind any time.")
    return response


@require_safe
def review_list(request: HttpRequest) -> HttpResponse:
    page = _paginate(request, Review.objects.published().for_cards().newest_first())
    return render(request, "reviews/review_list.html", {"page": page, "heading": "All reviews"})


@require_safe
def verdict_list(request: HttpRequest, verdict: str) -> HttpResponse:
    """The Watch list and the Avoid list: best score first, then newest."""
    reviews = Review.objects.published().for_cards().verdict(verdict).ranked()
    return render(
        request,
        "reviews/verdict_list.html",
        {"page": _paginate(request, reviews), "verdict": Verdict(verdict)},
    )


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    page = _paginate(request, tag.reviews.published().for_cards().newest_first())
    return render(request, "reviews/review_list.html", {"page": page, "heading": f"Tagged “{tag}”"})


@require_safe
def author_detail(request: HttpRequest, username: str) -> HttpResponse:
    author = get_object_or_404(
        User.objects.filter(reviews__isnull=False).distinct(), username=username
    )
    page = _paginate(request, author.reviews.published().for_cards().newest_first())
    return render(request, "reviews/author_detail.html", {"author": author, "page": page})
