"""Thin views over the discussion services: post, edit, remove, notify, moderate."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from watchworthy.core.clients import client_ip, rate_key
from watchworthy.core.csrf import shareable_form_view
from watchworthy.core.models import SiteSettings
from watchworthy.core.ratelimit import over_limit
from watchworthy.core.siteurl import site_root
from watchworthy.core.text import parse_id
from watchworthy.reviews.models import Review

from . import identity, queries
from .episodes import thread_url
from .forms import CommentEditForm, CommentForm, submission_key
from .models import Comment, VerifiedAddress
from .notifications import read_token
from .paging import page_address
from .services import (
    CommentError,
    comment_edit,
    comment_moderate,
    comment_post,
    comment_remove,
    may_change,
)

SLOW_DOWN = (
    "You are commenting faster than anyone can read. Please wait a minute and send "
    "again — your text is still in the form."
)


def _rate_limited(request: HttpRequest, email: str) -> bool:
    rates = settings.WATCHWORTHY_COMMENTS
    ip_limit, ip_window = rates["RATE_PER_IP"]
    limited = over_limit(f"comment-ip:{rate_key(request)}", limit=ip_limit, window=ip_window)
    if email:
        # Hashed: the typed address is unvalidated and may be any length.
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        email_limit, email_window = rates["RATE_PER_EMAIL"]
        limited |= over_limit(f"comment-email:{digest}", limit=email_limit, window=email_window)
    return limited


@shareable_form_view
@require_POST
def comment_create(request: HttpRequest, slug: str) -> HttpResponse:
    review = queries.published_review(slug)
    if review is None:
        raise Http404("No such review")
    # The work's parts are needed only for a comment that says how far it spoils or
    # goes to an episode's thread (most say neither), or to show the form again.
    wants_seasons = bool(request.POST.get("spoils") or request.POST.get("episode"))
    seasons = list(review.work.seasons.all()) if wants_seasons else None
    form = CommentForm(request.POST, review=review, user=request.user, seasons=seasons)
    email = (
        request.user.email
        if request.user.is_authenticated
        else request.POST.get("author_email", "")
    )
    if _rate_limited(request, email):
        form.is_valid()
        form.add_error(None, SLOW_DOWN)
        form.fresh_token()
        return _form_again(request, review, form, status=429)
    if form.is_valid():
        data = form.cleaned_data
        parent = None
        if data.get("parent"):
            parent = (
                Comment.objects.select_related("episode_thread")
                .filter(pk=data["parent"], review=review)
                .first()
            )
        try:
            if data.get("parent") and parent is None:
                raise CommentError("The comment you are replying to is no longer there.")
            comment = comment_post(
                review=review,
                body=data["body"],
                author_name=data.get("author_name", ""),
                author_email=data.get("author_email", ""),
                author_url=data.get("author_url", ""),
                user=request.user,
                parent=parent,
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                notify_replies=data["notify_replies"],
                honeypot_filled=form.honeypot_filled,
                fill_seconds=form.fill_seconds,
                spoils=form.spoils_position,
                episode=form.episode_position,
                seasons=seasons,
                trusted_comment_ids=identity.my_comment_ids(request),
                site_url=site_root(request),
                submission_key=submission_key(form.data.get("token", ""), rate_key(request)),
            )
        except CommentError as error:
            form.add_error(None, error)
        else:
            return _after_post(request, review, comment, form)
    form.fresh_token()
    return _form_again(request, review, form, status=400)


def _form_again(request: HttpRequest, review: Review, form: CommentForm, *, status: int):
    """The form with what was wrong and everything the commenter typed, on a page of
    its own: an answer that costs the same however long the thread is."""
    if not form.has_seasons:
        form.show_seasons(list(review.work.seasons.all()))
    parent_id = parse_id(str(form["parent"].value() or ""))
    reply_to = None
    if parent_id:
        reply_to = Comment.objects.approved().filter(pk=parent_id, review=review).first()
    site = SiteSettings.current()
    context = {
        "review": review,
        "comment_form": form,
        "reply_to": reply_to,
        "form_page": True,
        "comments_open": review.accepts_comments(close_after_days=site.comments_close_after_days),
    }
    return render(request, "discussion/form_page.html", context, status=status)


def _after_post(request, review, comment: Comment, form: CommentForm) -> HttpResponse:
    if comment.is_public:
        messages.success(request, "Thanks — your comment is up.")
    else:  # held or spam: the same words, so robots learn nothing
        messages.info(request, "Thanks — your comment is awaiting moderation.")
    response = redirect(page_address(comment))
    if comment.notify_replies and not comment.notify_confirmed:
        messages.info(request, "Check your e-mail to confirm reply notifications.")
    if not form.signed_in:
        identity.remember_commenter(
            response,
            name=form.cleaned_data["author_name"],
            email=form.cleaned_data["author_email"],
            url=form.cleaned_data.get("author_url", ""),
        )
    if comment.status != Comment.Status.SPAM:
        identity.remember_comment(request, response, comment.pk)
    return response


@require_http_methods(["GET", "HEAD"])
def comment_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """``/comments/<id>/``: to the page of the review that shows the comment now.
    Held comments only for their writer (who sees them there); others are a 404."""
    comment = get_object_or_404(
        Comment.objects.select_related("review", "episode_thread").filter(
            review__in=Review.objects.published()
        ),
        pk=pk,
    )
    visible = comment.status == Comment.Status.APPROVED or (
        comment.status == Comment.Status.PENDING and comment.pk in identity.my_comment_ids(request)
    )
    if not visible:
        raise Http404("No such comment")
    return redirect(page_address(comment))


@require_http_methods(["GET", "HEAD"])
def comment_newest(request: HttpRequest, slug: str) -> HttpResponse:
    """``/reviews/<slug>/comments/newest/``: to the newest public comment, on whichever
    page shows it (in the reader's ``?order=``), so "Jump to newest" needs no script."""
    review = get_object_or_404(Review.objects.published(), slug=slug)
    newest = (
        Comment.objects.approved()
        .filter(review=review, is_removed=False, episode_thread=None)
        .select_related("review")
        .order_by("-created_at", "-pk")
        .first()
    )
    if newest is None:
        return redirect(f"{review.get_absolute_url()}#comments")
    return redirect(page_address(newest, order=request.GET.get("order", "")))


def _own_comment(request: HttpRequest, pk: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("review", "episode_thread"), pk=pk)
    user = request.user if request.user.is_authenticated else None
    if not may_change(comment, user=user, guest_comment_ids=identity.my_comment_ids(request)):
        raise PermissionError
    return comment


@require_http_methods(["GET", "HEAD", "POST"])
def comment_change(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        comment = _own_comment(request, pk)
    except PermissionError:
        return render(request, "discussion/edit_closed.html", status=403)
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        comment_edit(comment=comment, body=form.cleaned_data["body"])
        messages.success(request, "Your comment was updated.")
        return redirect(comment.get_absolute_url())
    return render(request, "discussion/edit.html", {"comment": comment, "form": form},
                  status=400 if form.is_bound else 200)  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Deleting asks first: the page says what goes and what stays, and only a POST
    with ``confirm=yes`` (its button) deletes."""
    try:
        comment = _own_comment(request, pk)
    except PermissionError:
        return render(request, "discussion/edit_closed.html", status=403)
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return render(request, "discussion/delete_confirm.html", {"comment": comment})
    comment_remove(comment=comment)
    messages.success(request, "Your comment was deleted.")
    thread = comment.episode_thread
    base = (
        thread_url(comment.review, thread.position) if thread else comment.review.get_absolute_url()
    )
    return redirect(f"{base}#comments")


@require_http_methods(["GET", "HEAD"])
def notify_confirm(request: HttpRequest, token: str) -> HttpResponse:
    comment_id = read_token(token, "confirm")
    # A bad token gives None, and pk=None matches no row: the "invalid" answer below.
    comment = Comment.objects.filter(pk=comment_id).select_related("review").first()  # type: ignore[misc]
    if comment is None:
        return render(request, "discussion/notify.html", {"state": "invalid"}, status=400)
    Comment.objects.filter(pk=comment.pk).update(notify_replies=True, notify_confirmed=True)
    VerifiedAddress.verify(comment.author_email)  # the link reached its owner
    return render(request, "discussion/notify.html", {"state": "confirmed", "comment": comment})


@csrf_exempt  # a mail client's one-click POST has no CSRF token; the signed token is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def notify_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click from the mail (GET) or the mail client's one-click POST (RFC 8058)."""
    comment_id = read_token(token, "unsubscribe")
    # As in notify_confirm: a bad token (None) matches no row.
    comment = Comment.objects.filter(pk=comment_id).select_related("review").first()  # type: ignore[misc]
    if comment is None:
        return render(request, "discussion/notify.html", {"state": "invalid"}, status=400)
    Comment.objects.filter(pk=comment.pk).update(notify_replies=False)
    return render(request, "discussion/notify.html", {"state": "unsubscribed", "comment": comment})


QUEUE_TABS = [
    Comment.Status.PENDING,
    Comment.Status.SPAM,
    Comment.Status.TRASH,
    Comment.Status.APPROVED,
]
ACTIONS = {
    "approve": Comment.Status.APPROVED,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
}


@staff_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def moderation_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Comment.Status.PENDING)
    if status not in QUEUE_TABS:
        status = Comment.Status.PENDING
    if request.method == "POST":
        one = request.POST.get("one", "")  # a comment's own button: "approve:42"
        if one:
            name, _, pk_text = one.partition(":")
            action = ACTIONS.get(name)
            ids = [pk for pk in [parse_id(pk_text)] if pk]
        else:
            action = ACTIONS.get(request.POST.get("action", ""))
            ids = [pk for pk in map(parse_id, request.POST.getlist("comment")) if pk]
        if action is None or not ids:
            messages.error(request, "Tick at least one comment and choose an action.")
        else:
            changed = comment_moderate(
                comments=Comment.objects.filter(pk__in=ids),
                status=action,
                site_url=site_root(request),
            )
            messages.success(
                request, f"{changed} comment{'s' if changed != 1 else ''} marked {action}."
            )
        return redirect(f"{request.path}?status={status}")
    comments = (
        Comment.objects.filter(status=status, is_removed=False)
        .select_related("review", "parent", "episode_thread")
        .order_by("-created_at")
    )
    page = Paginator(comments, 50).get_page(request.GET.get("page"))
    return render(
        request, "discussion/queue.html", {"page": page, "status": status, "tabs": QUEUE_TABS}
    )
