"""The writing desk's pages and the editor's JSON endpoints. Thin: the rules are in
``services`` and ``checklist``; every page works as a plain form."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from watchworthy.accounts.models import User
from watchworthy.catalog.models import Work
from watchworthy.core import panels
from watchworthy.core.models import SiteSettings
from watchworthy.core.text import parse_id
from watchworthy.discussion.models import Comment
from watchworthy.images.models import Image
from watchworthy.reviews.models import Review
from watchworthy.sharing.cards import card_text, render_card
from watchworthy.spoilers.shield import choices as progress_choices
from watchworthy.spoilers.shield import positions, scope_label

from . import checklist, services
from .forms import PublishForm, StartForm, TextForm, UploadForm, WorkForm, review_errors
from .models import Revision

View = Callable[..., HttpResponse]
DASHBOARD_ROWS = 50  # per list, newest changes first


def writer_page(view: View) -> View:
    """Pages: guests go to the sign-in page; signed-in readers get a 403."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not services.is_writer(request.user):
            return render(request, "desk/not_a_writer.html", status=403)
        return view(request, *args, **kwargs)

    return checked


def writer_endpoint(view: View) -> View:
    """JSON endpoints: 403 with a reason for anyone who is not a writer."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.is_writer(request.user):
            return JsonResponse({"error": "Only the site's writers can use the desk."}, status=403)
        return view(request, *args, **kwargs)

    return checked


def _writer(request: HttpRequest) -> User:
    """The signed-in writer (the decorators have made sure there is one)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _review(request: HttpRequest, pk: int) -> Review:
    """A review the signed-in writer may edit (others' reviews are a 404)."""
    review = get_object_or_404(
        Review.objects.select_related("work", "season", "author", "cover"), pk=pk
    )
    if not services.may_edit(request.user, review):
        raise Http404("No review of yours has this number.")
    return review


# --- the dashboard ------------------------------------------------------------------


@writer_page
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _writer(request)
    mine = services.reviews_for(user)
    listed = (
        mine.select_related("work", "season")
        .annotate(waiting=Count("comments", filter=Q(comments__status=Comment.Status.PENDING)))
        .order_by("-updated_at")
    )
    now = timezone.now()
    public = listed.exclude(status=Review.Status.DRAFT)
    waiting = Comment.objects.filter(status=Comment.Status.PENDING, review__in=mine).count()
    replies = (
        Comment.objects.approved()
        .filter(parent__user=user)
        .exclude(user=user)
        .select_related("review", "parent", "episode_thread")
        .order_by("-created_at")[:10]
    )
    return render(
        request,
        "desk/dashboard.html",
        {
            "drafts": listed.filter(status=Review.Status.DRAFT)[:DASHBOARD_ROWS],
            "scheduled": public.filter(published_at__gt=now)[:DASHBOARD_ROWS],
            "published": public.filter(published_at__lte=now)[:DASHBOARD_ROWS],
            "replies": replies,
            "waiting": waiting,
            "moderation_count": Comment.objects.pending().count() if user.is_staff else None,
            # What other apps show here (the fediverse: followers, remote replies).
            "panels": panels.for_page("desk-dashboard", user),
        },
    )


# --- a new review -----------------------------------------------------------------------


@writer_page
@require_http_methods(["GET", "HEAD", "POST"])
def new_review(request: HttpRequest) -> HttpResponse:
    """Step 1: the work (from the catalog, or a new one made here)."""
    form = WorkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            work = form.chosen_work()
        return redirect("desk:start", slug=work.slug)
    return render(request, "desk/new_work.html", {"form": form}, status=400 if form.errors else 200)


@writer_page
@require_http_methods(["GET", "HEAD", "POST"])
def start_review(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 2: the part, the verdict and score, a title; then the editor."""
    work = get_object_or_404(Work, slug=slug)
    form = StartForm(request.POST or None, work=work)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            review = Review(
                work=work,
                season=form.chosen_season(),
                author=_writer(request),
                status=Review.Status.DRAFT,
                title=data["title"],
                slug=services.free_slug(Review, slugify(data["title"]) or "review"),
                verdict=data["verdict"],
                score=data.get("score"),
                body="",
            )
            review.save()
            services.save_text(review, services.live_text(review), base=0, user=request.user)
        return redirect("desk:edit", pk=review.pk)
    context = {"form": form, "work": work}
    return render(request, "desk/start.html", context, status=400 if form.errors else 200)


# --- the editor -------------------------------------------------------------------------


def _scopes(seasons: list[Any]) -> list[list[str]]:
    """The spoiler tool's choices: each episode and each whole part, in watching order,
    written as the Markdown syntax reads them back."""
    return [
        [position.encode(), scope_label(position, seasons)] for position, _ in positions(seasons)
    ]


def _editor_context(
    request: HttpRequest, review: Review, form: TextForm, preview_html: str = ""
) -> dict[str, Any]:
    seasons = list(review.work.seasons.all())
    return {
        "review": review,
        "form": form,
        "preview_html": preview_html,
        "scopes_json": json.dumps(_scopes(seasons)),
        "preview_choices": progress_choices(seasons),
        "preview_as": request.POST.get("preview_as", ""),
        "unsaved": services.has_unsaved_changes(review),
        "upload_form": UploadForm(),
        "cover": review.cover,
    }


@writer_page
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    if request.method != "POST":
        text, number = services.working_text(review)
        form = TextForm(initial={**text, "revision": number, "cover": review.cover_id})
        return render(request, "desk/edit.html", _editor_context(request, review, form))
    form = TextForm(request.POST)
    preview_html = ""
    if form.is_valid():
        text = form.text()
        if request.POST.get("action") == "preview":
            seasons = list(review.work.seasons.all())
            shown = checklist.preview(
                review, text, seasons=seasons, as_reader=request.POST.get("preview_as", "")
            )
            preview_html = shown["html"]
        else:
            for field, problems in review_errors(review, text).items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
            if form.is_valid():
                try:
                    with transaction.atomic():
                        services.save_text(
                            review, text, base=form.cleaned_data["revision"], user=request.user
                        )
                        _set_cover(review, form.cleaned_data.get("cover"))
                except services.Conflict as conflict:
                    form.add_error(
                        None,
                        "This review was saved from another tab or device since you opened "
                        "it. Your text is below, unsaved; the other version is under it. "
                        "Copy what you need, then reload.",
                    )
                    context = _editor_context(request, review, form)
                    context["theirs"] = conflict.theirs
                    return render(request, "desk/edit.html", context, status=409)
                messages.success(request, "Saved.")
                return redirect("desk:edit", pk=review.pk)
    status = 200 if form.is_valid() else 400
    context = _editor_context(request, review, form, preview_html)
    return render(request, "desk/edit.html", context, status=status)


def _set_cover(review: Review, cover_id: int | None) -> None:
    if cover_id != review.cover_id:
        review.cover_id = cover_id
        review.save()


def _form_errors(form: TextForm) -> JsonResponse:
    return JsonResponse({"errors": form.errors.get_json_data()}, status=400)


@writer_endpoint
@require_POST
def autosave(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = TextForm(request.POST)
    if not form.is_valid():
        return _form_errors(form)
    try:
        revision = services.save_text(
            review,
            form.text(),
            base=form.cleaned_data["revision"],
            user=request.user,
            kind=Revision.Kind.AUTOSAVE,
        )
    except services.Conflict as conflict:
        return JsonResponse(
            {
                "conflict": True,
                "revision": conflict.number,
                "theirs": {k: str(v) if v is not None else "" for k, v in conflict.theirs.items()},
                "merged": conflict.merged,
                "clean": conflict.clean,
            },
            status=409,
        )
    _set_cover(review, form.cleaned_data.get("cover"))  # a choice made, not typing
    local = timezone.localtime(revision.saved_at)
    return JsonResponse(
        {
            "revision": revision.number,
            "saved_at": revision.saved_at.isoformat(),
            "saved_label": f"Saved {date_format(local, 'H:i')}",
        }
    )


@writer_endpoint
@require_POST
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    text = {name: request.POST.get(name, "") for name in ("title", "body", "excerpt")}
    text["spoils_up_to"] = request.POST.get("spoils_up_to", "")[:40]
    seasons = list(review.work.seasons.all())
    shown = checklist.preview(
        review, text, seasons=seasons, as_reader=request.POST.get("preview_as", "")
    )
    return JsonResponse(shown)


@writer_endpoint
@require_POST
def copy(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = TextForm(request.POST)
    if not form.is_valid():
        return _form_errors(form)
    with transaction.atomic():
        new = services.copy_as_draft(review, form.text(), user=request.user)
    return JsonResponse({"url": f"/desk/reviews/{new.pk}/", "id": new.pk})


@writer_endpoint
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """An image pasted or dropped in the editor (or sent by the upload form): stored
    now, its WebP sizes made by the task worker."""
    form = UploadForm(request.POST, request.FILES)
    wants_json = "application/json" in request.headers.get("Accept", "")
    back = request.POST.get("next", "")
    if not form.is_valid():
        if wants_json or not back.startswith("/desk/"):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, f"The image was not uploaded: {problem}")
        return redirect(back)
    data = form.cleaned_data
    image = Image(file=data["file"], alt_text=data["alt_text"], caption=data["caption"])
    review_id = parse_id(request.POST.get("review", ""))
    review = _review(request, review_id) if review_id else None
    image.renditions_later = True  # type: ignore[attr-defined]
    with transaction.atomic():
        image.save()
        if review is not None and request.POST.get("as_cover"):
            _set_cover(review, image.pk)
    markdown = image_markdown(image)
    if not wants_json and back.startswith("/desk/"):
        messages.success(request, f"Uploaded. Put this line where the image goes: {markdown}")
        return redirect(back)
    return JsonResponse(
        {"id": image.pk, "key": image.key, "markdown": markdown, "thumbnail": image.file.url}
    )


def image_markdown(image: Image) -> str:
    alt = image.alt_text.replace("]", "").replace("\n", " ")
    caption = image.caption.replace('"', "'").replace("\n", " ")
    title = f' "{caption}"' if caption else ""
    return f"![{alt}](image:{image.key}{title})"


@writer_endpoint
@require_GET
def cite(request: HttpRequest) -> HttpResponse:
    """The writer's reviews whose title holds the words typed, newest first."""
    words = request.GET.get("q", "").split()[:6]
    reviews = services.reviews_for(request.user).filter(author=_writer(request))
    for word in words:
        reviews = reviews.filter(Q(title__icontains=word) | Q(work__title__icontains=word))
    found = reviews.order_by("-updated_at").values_list("slug", "title", "verdict")[:10]
    return JsonResponse(
        {
            "results": [
                {"slug": slug, "title": title, "verdict": verdict.title()}
                for slug, title, verdict in found
            ]
        }
    )


# --- revisions ------------------------------------------------------------------------


@writer_page
@require_http_methods(["GET", "HEAD", "POST"])
def revisions(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    if request.method == "POST":
        revision = get_object_or_404(
            Revision, review=review, number=parse_id(request.POST.get("restore", "")) or 0
        )
        services.restore(review, revision, user=request.user)
        messages.success(request, f"Revision {revision.number} is the text again.")
        return redirect("desk:edit", pk=review.pk)
    history = list(Revision.objects.filter(review=review).select_related("author"))
    current = history[0] if history else None
    shown = None
    diff: list[tuple[str, str]] = []
    wanted = request.GET.get("show", "")
    if wanted.isdigit():
        shown = next((r for r in history if r.number == int(wanted)), None)
    if shown is not None and current is not None:
        diff = _diff(shown.body, current.body)
    return render(
        request,
        "desk/revisions.html",
        {"review": review, "history": history, "shown": shown, "current": current, "diff": diff},
    )


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    """Lines of a unified diff from ``old`` to ``new``, each with its kind."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), "revision", "now", lineterm="")
    kinds = {"+": "added", "-": "removed", "@": "place"}
    return [(kinds.get(line[:1], "same"), line) for line in list(lines)[2:]]


# --- publishing -----------------------------------------------------------------------


@writer_page
@require_http_methods(["GET", "HEAD", "POST"])
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    text, number = services.working_text(review)
    draft = checklist.rendered(review, text)
    checks = checklist.publish_checklist(draft)
    form = PublishForm(
        request.POST or None, initial={"federate": review.federate, "federate_shown": True}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        if form.cleaned_data["federate_shown"]:
            review.federate = form.cleaned_data["federate"]
        if action == "unpublish":
            review.status = Review.Status.DRAFT
            review.save()
            messages.success(request, "Unpublished: only you and staff can see it now.")
            return redirect("desk:edit", pk=review.pk)
        problems = [check for check in checks if not check.ok]
        errors = review_errors(review, text)
        if problems or errors:
            for field_problems in errors.values():
                for problem in field_problems:
                    form.add_error(None, problem)
            if problems:
                form.add_error(None, "Fix what the checklist says first.")
            status = 400
        else:
            if action == "publish":
                review.status = Review.Status.PUBLISHED
                if review.published_at is None or review.published_at > timezone.now():
                    review.published_at = timezone.now()
            else:
                review.status = Review.Status.SCHEDULED
                review.published_at = form.cleaned_data["when"]
            try:
                services.save_text(
                    review, text, base=number, user=request.user, kind=Revision.Kind.PUBLISH
                )
            except services.Conflict:
                messages.error(request, "The text changed meanwhile: check it, then publish.")
                return redirect("desk:publish", pk=review.pk)
            if action == "publish":
                messages.success(request, "Published.")
                return redirect(review.get_absolute_url())
            when = date_format(timezone.localtime(review.published_at), "j F Y, H:i")
            messages.success(request, f"Scheduled for {when}.")
            return redirect("desk:edit", pk=review.pk)
    elif request.method == "POST":
        status = 400
    context = {
        "review": review,
        "draft": draft,
        "checks": checks,
        "ready": all(check.ok for check in checks),
        "form": form,
        "time_zone": timezone.get_current_timezone_name(),
        "address": request.build_absolute_uri(f"/reviews/{review.slug}/"),
    }
    return render(request, "desk/publish.html", context, status=status)


@writer_page
@require_GET
def card(request: HttpRequest, pk: int) -> HttpResponse:
    """The social card a shared link will show, drawn from the working copy."""
    review = _review(request, pk)
    text, _number = services.working_text(review)
    draft = checklist.rendered(review, text)
    draft.work, draft.season = review.work, review.season
    picture = render_card(card_text(draft, SiteSettings.current().site_name))
    return HttpResponse(picture, content_type="image/png", headers={"Cache-Control": "no-store"})
