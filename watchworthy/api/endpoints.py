"""The read API: works, seasons, characters, published reviews, approved comments.

Thin: each endpoint picks a queryset the owning app already defines
(``Review.objects.published()``, ``Comment.objects.approved()``), takes one page of it
(:mod:`.paging`) and hands the rows to :mod:`.represent`, which applies the spoiler
shield. Every endpoint runs a fixed number of queries whatever the amount of content
(tests/api/test_api_queries.py). Validators and 304s: :mod:`.validators`; CORS and
HEAD: :mod:`.middleware`. The OpenAPI 3 document is served at ``/api/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.params.functions import Query as QueryParam

from watchworthy.catalog.models import Work
from watchworthy.discussion.models import Comment
from watchworthy.reviews.models import Review, ReviewQuerySet, Tag
from watchworthy.spoilers.shield import Position, Shield, normalise

from . import represent
from .paging import MAX_PAGE, MAX_PER_PAGE, PER_PAGE, page_of
from .schemas import (
    CharacterPage,
    CommentPage,
    Error,
    ReviewDetailOut,
    ReviewPage,
    SeasonPage,
    VerdictName,
    WorkDetailOut,
    WorkPage,
)
from .validators import conditional

DESCRIPTION = """Read-only JSON for the site's works, seasons, characters, published
reviews and approved comments. No spoiler travels: review and comment bodies carry
every spoiler as its label, and a character the reader has not met is only where they
first appear, unless `progress` says how far the reader has watched. Lists are paged
(`page`, `per_page`, `next`/`previous`). Answers carry `ETag` and `Last-Modified`;
conditional requests get 304. Any origin may read (CORS, no credentials)."""

api = NinjaAPI(
    title="Watchworthy read API",
    version="1",
    description=DESCRIPTION,
    openapi_url="/openapi.json",
    docs_url=None,  # the Swagger page loads scripts from elsewhere; the CSP forbids it
    urls_namespace="api",
)
api.add_decorator(conditional, mode="view")

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
PROGRESS_PATTERN = r"^[0-9]{1,3}:[0-9]{0,4}$"

PROGRESS_HELP = (
    'How far the reader has watched, "SEASON:EPISODE": "2:7" is season (or part) 2 up '
    'to episode 7, "2:" all of season 2, "0:0" not started. Without it the answer is '
    "what a reader who has not said sees."
)


# Query parameters (module-level: a default is made once, not at each call).
PAGE: Any = QueryParam(1, ge=1, le=MAX_PAGE, description="The page, from 1.")
PER_PAGE_PARAM: Any = QueryParam(
    PER_PAGE, ge=1, le=MAX_PER_PAGE, description="Items per page, 1 to 100."
)
PROGRESS: Any = QueryParam(None, pattern=PROGRESS_PATTERN, description=PROGRESS_HELP)
WORK_FILTER: Any = QueryParam(
    None, max_length=200, pattern=SLUG_PATTERN, description="Only reviews of this work (slug)."
)
TAG_FILTER: Any = QueryParam(
    None, max_length=200, pattern=SLUG_PATTERN, description="Only reviews with this tag (slug)."
)
AUTHOR_FILTER: Any = QueryParam(
    None, max_length=150, description="Only reviews by the critic with this username."
)
VERDICT_FILTER: Any = QueryParam(None, description="Only reviews with this verdict.")


def _responses(schema: Any) -> dict[int, Any]:
    """What an endpoint may answer, for the OpenAPI document: 304 (no body) to a
    conditional request, 400 for bad parameters, 404 for an unknown slug or page."""
    return {200: schema, 304: None, 400: Error, 404: Error}


# --- errors: JSON with a sentence, never a 500 ----------------------------------------


@api.exception_handler(ValidationError)
def _bad_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return api.create_response(request, {"detail": "; ".join(problems)}, status=400)


# --- works -------------------------------------------------------------------------------


def _work_or_404(slug: str, *prefetch: str) -> Work:
    work = Work.objects.prefetch_related(*prefetch).filter(slug=slug).first()
    if work is None:
        raise HttpError(404, f"No work has the slug “{slug}”.")
    return work


@api.get("/works/", response=_responses(WorkPage), url_name="works")
def works(request: HttpRequest, page: int = PAGE, per_page: int = PER_PAGE_PARAM) -> dict[str, Any]:
    """Works with at least one published review, by title."""
    reviewed = Exists(Review.objects.published().filter(work=OuterRef("pk")))
    rows = (
        Work.objects.filter(reviewed)
        .prefetch_related("platforms", "genres")
        .order_by("title", "pk")
    )
    found = page_of(rows, page, per_page)
    return {**found.links(request), "items": [represent.work(request, w) for w in found.items]}


@api.get("/works/{slug}/", response=_responses(WorkDetailOut), url_name="work")
def work(request: HttpRequest, slug: str) -> dict[str, Any]:
    """One work with its seasons or parts (recaps: see its seasons)."""
    return represent.work_detail(request, _work_or_404(slug, "platforms", "genres", "seasons"))


@api.get("/works/{slug}/seasons/", response=_responses(SeasonPage), url_name="seasons")
def seasons(
    request: HttpRequest,
    slug: str,
    progress: str | None = PROGRESS,
    page: int = PAGE,
    per_page: int = PER_PAGE_PARAM,
) -> dict[str, Any]:
    """A work's seasons or parts in watching order; a recap only to a reader whose
    `progress` has finished that season."""
    target = _work_or_404(slug)
    all_seasons = list(target.seasons.all())
    shield = _shield(progress, all_seasons)
    found = page_of(target.seasons.order_by("number", "pk"), page, per_page)
    items = [represent.season_detail(request, s, shield) for s in found.items]
    return {**found.links(request), "items": items}


@api.get(
    "/works/{slug}/characters/",
    response=_responses(CharacterPage),
    url_name="characters",
)
def characters(
    request: HttpRequest,
    slug: str,
    progress: str | None = PROGRESS,
    page: int = PAGE,
    per_page: int = PER_PAGE_PARAM,
) -> dict[str, Any]:
    """Who is who. Without `progress`, as the work page shows a reader who has not
    said how far they are: those met in the first episode, or with no first
    appearance recorded; the rest only as where they first appear. With `progress`,
    everyone the reader has met."""
    target = _work_or_404(slug)
    all_seasons = list(target.seasons.all())
    shield = _shield(progress, all_seasons)
    rows = target.characters.select_related("first_season").order_by("position", "name", "pk")
    found = page_of(rows, page, per_page)
    return {
        **found.links(request),
        "progress": shield.position.encode() if shield.position else None,
        "items": [represent.character(row) for row in shield.characters(found.items)],
    }


def _shield(progress: str | None, seasons: list[Any]) -> Shield:
    position = Position.decode(progress) if progress else None
    return Shield(normalise(position, seasons), tuple(seasons))


# --- reviews -----------------------------------------------------------------------------


def _reviews() -> ReviewQuerySet:
    """Published reviews (never drafts, never before their time) with what a list
    item shows, in three queries: the reviews, their tags, their works' seasons."""
    return (
        Review.objects.published()
        .for_cards()
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")), "work__seasons")
    )


@api.get("/reviews/", response=_responses(ReviewPage), url_name="reviews")
def reviews(
    request: HttpRequest,
    work: str | None = WORK_FILTER,
    tag: str | None = TAG_FILTER,
    author: str | None = AUTHOR_FILTER,
    verdict: VerdictName | None = VERDICT_FILTER,
    page: int = PAGE,
    per_page: int = PER_PAGE_PARAM,
) -> dict[str, Any]:
    """Published reviews, newest first; filtered by work slug, tag slug, critic's
    username or verdict."""
    rows = _reviews()
    if work:
        rows = rows.filter(work__slug=work)
    if tag:
        rows = rows.filter(tags__slug=tag)
    if author:
        rows = rows.filter(author__username=author)
    if verdict:
        rows = rows.filter(verdict=verdict)
    found = page_of(rows.newest_first(), page, per_page)
    return {
        **found.links(request),
        "items": [represent.review(request, r) for r in found.items],
    }


def _review_or_404(slug: str) -> Review:
    review = _reviews().filter(slug=slug).first()
    if review is None:
        raise HttpError(404, f"No published review has the slug “{slug}”.")
    return review


@api.get("/reviews/{slug}/", response=_responses(ReviewDetailOut), url_name="review")
def review(request: HttpRequest, slug: str) -> dict[str, Any]:
    """One published review with its whole text, spoilers as labels."""
    return represent.review_detail(request, _review_or_404(slug))


# Only what a comment shows: never the address, e-mail, IP or user agent.
COMMENT_FIELDS = (
    "id",
    "number",
    "parent_id",
    "depth",
    "path",
    "author_name",
    "created_at",
    "edited_at",
    "spoils_season",
    "spoils_episode",
    "body_html",
    "episode_thread__season",
    "episode_thread__episode",
)


@api.get(
    "/reviews/{slug}/comments/",
    response=_responses(CommentPage),
    url_name="comments",
)
def comments(
    request: HttpRequest,
    slug: str,
    page: int = PAGE,
    per_page: int = PER_PAGE_PARAM,
) -> dict[str, Any]:
    """The approved comments under a published review, in thread order (each thread
    depth-first, replies in the order they came), from the main thread and every
    episode thread (``thread`` says which). Held, spam and deleted comments never
    appear."""
    target = Review.objects.published().select_related("work").filter(slug=slug).first()
    if target is None:
        raise HttpError(404, f"No published review has the slug “{slug}”.")
    work_seasons = list(target.work.seasons.all())
    approved: QuerySet[Comment] = Comment.objects.approved()
    rows = (
        approved.filter(review=target)
        .select_related("episode_thread")
        .only(*COMMENT_FIELDS)
        .order_by("path", "pk")
    )
    found = page_of(rows, page, per_page)
    return {
        **found.links(request),
        "items": [represent.comment(request, c, work_seasons) for c in found.items],
    }
