"""Public review pages. Thin: the querysets say what each page needs."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from watchworthy.accounts.models import User
from watchworthy.catalog.models import Genre, Platform
from watchworthy.core.caching import cacheable
from watchworthy.core.changes import LISTS
from watchworthy.core.clients import client_ip, rate_key
from watchworthy.core.csrf import shareable_form_view
from watchworthy.core.ratelimit import over_limit
from watchworthy.spoilers.progress import progress_for

from . import audience
from .audience import audience_vote
from .browse import Browse
from .forms import BrowseForm
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


def _browse_page(
    request: HttpRequest, template: str, context: dict, fixed: Browse | None = None
) -> HttpResponse:
    """A list of published reviews narrowed and sorted by the address's filters."""
    cacheable(request, tags=[LISTS])
    form = BrowseForm(request.GET, fixed=fixed)
    browse = form.browse()
    reviews = browse.apply(Review.objects.published().for_cards())
    context = {**context, "form": form, "browse": browse, "page": _paginate(request, reviews)}
    return render(request, template, context)


@require_safe
def review_list(request: HttpRequest) -> HttpResponse:
    return _browse_page(request, "reviews/review_list.html", {"heading": "All reviews"})


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
    tag = get_object_or_404(Tag, slug=slug)
    context = {"heading": f"Tagged “{tag}”", "tag": tag}
    return _browse_page(request, "reviews/review_list.html", context, Browse(tag=tag))


@require_safe
def genre_detail(request: HttpRequest, slug: str) -> HttpResponse:
    genre = get_object_or_404(Genre, slug=slug)
    context = {"heading": genre.name, "genre": genre}
    return _browse_page(request, "reviews/genre_detail.html", context, Browse(genre=genre))


@require_safe
def platform_detail(request: HttpRequest, slug: str) -> HttpResponse:
    platform = get_object_or_404(Platform, slug=slug)
    context = {"heading": f"On {platform.name}", "platform": platform}
    return _browse_page(request, "reviews/platform_detail.html", context, Browse(platform=platform))


@require_safe
def browse_index(request: HttpRequest) -> HttpResponse:
    """Every genre and platform with its number of published reviews."""
    cacheable(request, tags=[LISTS])
    published = Review.objects.published().values("pk")
    counted = Count("works__reviews", filter=Q(works__reviews__in=published))
    genres = Genre.objects.annotate(review_count=counted).filter(review_count__gt=0)
    platforms = Platform.objects.annotate(review_count=counted).filter(review_count__gt=0)
    return render(request, "reviews/browse_index.html", {"genres": genres, "platforms": platforms})


@require_safe
def author_detail(request: HttpRequest, username: str) -> HttpResponse:
    cacheable(request, tags=[LISTS])
    author = get_object_or_404(
        User.objects.filter(reviews__isnull=False).distinct(), username=username
    )
    page = _paginate(request, author.reviews.published().for_cards().newest_first())
    return render(request, "reviews/author_detail.html", {"author": author, "page": page})
