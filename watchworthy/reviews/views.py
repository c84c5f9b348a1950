"""Public review pages. Thin: the querysets say what each page needs."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from watchworthy.accounts.models import User
from watchworthy.core.models import SupportLink
from watchworthy.discussion.context import discussion_context

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
    context = {
        "review": review,
        "more_on_work": more_on_work.newest_first()[:6],
        "support_links": SupportLink.objects.filter(is_active=True),
        **discussion_context(request, review, form=comment_form),
    }
    return render(request, "reviews/review_detail.html", context, status=status)


def get_review(request: HttpRequest, slug: str) -> Review:
    return get_object_or_404(
        Review.objects.visible_to(request.user)
        .for_cards()
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name"))),
        slug=slug,
    )


@require_safe
def review_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render_review(request, get_review(request, slug))


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
