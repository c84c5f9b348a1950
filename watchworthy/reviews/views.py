"""Public review pages. Thin: the querysets say what each page needs."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from watchworthy.accounts.models import User
from watchworthy.core.caching import cacheable
from watchworthy.core.changes import LISTS
from watchworthy.core.clients import client_ip, rate_key
from watchworthy.core.csrf import shareable_form_view
from watchworthy.core.ratelimit import over_limit
from watchworthy.spoilers.progress import progress_for

from . import audience
from .audience import audience_vote
from .models import Review, Tag, Verdict

PAGE_SIZE = 20


def _paginate(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


VOTE_LIMIT = (30, 3600)  # votes per IP per hour


@shareable_form_view
@require_POST
def review_vote(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_object_or_404(Review.objects.published().select_related("season"), slug=slug)
    target = f"{review.get_absolute_url()}#audience"
    choice = request.POST.get("agrees")
    if review.verdict == Verdict.UNRATED or choice not in {"yes", "no"}:
        messages.error(request, "Choose Agree or Disagree with the verdict.")
        return redirect(target)
    limit, window = VOTE_LIMIT
    if over_limit(f"vote-ip:{rate_key(request)}", limit=limit, window=window):
        messages.error(request, "Too many votes from your network just now; try again later.")
        return redirect(target)
    seasons = list(review.work.seasons.all())
    position = progress_for(request, review.work)
    finished = bool(position and position.covers(review.covered_position(seasons)))
    response = redirect(target)
    voter: dict = {"user": request.user}
    if not request.user.is_authenticated:
        token = audience.guest_token(request) or audience.new_guest_token()
        audience.remember_guest_token(response, token)
        voter = {"guest_token": token}
    try:
        audience_vote(
            review=review,
            agrees=choice == "yes",
            finished=finished,
            ip_address=client_ip(request),
            **voter,
        )
    except audience.VoteRefused as refusal:
        messages.error(request, str(refusal))
        return response
    word = "agree with" if choice == "yes" else "disagree with"
    messages.success(request, f"Thanks: you {word} the verdict. You can change your mind any time.")
    return response


@require_safe
def review_list(request: HttpRequest) -> HttpResponse:
    cacheable(request, tags=[LISTS])
    page = _paginate(request, Review.objects.published().for_cards().newest_first())
    return render(request, "reviews/review_list.html", {"page": page, "heading": "All reviews"})


@require_safe
def verdict_list(request: HttpRequest, verdict: str) -> HttpResponse:
    """The Watch list and the Avoid list: best score first, then newest."""
    cacheable(request, tags=[LISTS])
    reviews = Review.objects.published().for_cards().verdict(verdict).ranked()
    return render(
        request,
        "reviews/verdict_list.html",
        {"page": _paginate(request, reviews), "verdict": Verdict(verdict)},
    )


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    cacheable(request, tags=[LISTS])
    tag = get_object_or_404(Tag, slug=slug)
    page = _paginate(request, tag.reviews.published().for_cards().newest_first())
    return render(request, "reviews/review_list.html", {"page": page, "heading": f"Tagged “{tag}”"})


@require_safe
def author_detail(request: HttpRequest, username: str) -> HttpResponse:
    cacheable(request, tags=[LISTS])
    author = get_object_or_404(
        User.objects.filter(reviews__isnull=False).distinct(), username=username
    )
    page = _paginate(request, author.reviews.published().for_cards().newest_first())
    return render(request, "reviews/author_detail.html", {"author": author, "page": page})
