"""Write paths of the discussion: posting, moderating, editing, removing.

Each one validates first, writes in one transaction, and schedules its side effects
(mail) for after the commit, so a rolled-back write never sends a notification.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from watchworthy.core.markdown import render_comment_markdown
from watchworthy.core.models import SiteSettings
from watchworthy.reviews.models import Review

from . import notifications
from .models import Comment
from .moderation import ModerationPolicy


class CommentError(ValidationError):
    """A comment that cannot be accepted; the message is meant for the commenter."""


def check_body(body: str) -> str:
    """The body, stripped, or a CommentError that says what is wrong with it."""
    body = (body or "").strip()
    limit = settings.WATCHWORTHY_COMMENTS["MAX_LENGTH"]
    if not body:
        raise CommentError("Write something first.")
    if len(body) > limit:
        raise CommentError(
            f"Comments can be up to {limit:,} characters; this one has {len(body):,}."
        )
    return body


def comment_post(
    *,
    review: Review,
    body: str,
    author_name: str = "",
    author_email: str = "",
    author_url: str = "",
    user=None,
    parent: Comment | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    notify_replies: bool = False,
    honeypot_filled: bool = False,
    fill_seconds: float | None = None,
    policy: ModerationPolicy | None = None,
) -> Comment:
    """Accept a comment (approved, held or spam) or raise :class:`CommentError`."""
    site = SiteSettings.current()
    if not review.accepts_comments(close_after_days=site.comments_close_after_days):
        raise CommentError("Comments on this review are closed.")
    body = check_body(body)
    if user is not None and user.is_authenticated:
        author_name = user.public_name
        author_email = user.email
    else:
        user = None
        if not author_name.strip():
            raise CommentError({"author_name": "Tell us a name to show with your comment."})
        if not author_email.strip():
            raise CommentError({"author_email": "An e-mail address is needed (it is never shown)."})
    if parent is not None and (parent.review_id != review.pk or not parent.is_public):
        raise CommentError("The comment you are replying to is no longer there.")

    decision = (policy or ModerationPolicy.current()).decide(
        review=review,
        user=user,
        author_email=author_email,
        text=f"{author_name}\n{author_url}\n{body}",
        honeypot_filled=honeypot_filled,
        fill_seconds=fill_seconds,
    )
    with transaction.atomic():
        comment = Comment(
            review=review,
            parent=parent,
            user=user,
            author_name=author_name.strip()[:80],
            author_email=author_email.strip(),
            author_url=author_url.strip(),
            ip_address=ip_address,
            user_agent=user_agent[:300],
            body=body,
            body_html=render_comment_markdown(body),
            status=Comment.Status.PENDING,
            moderation_reason=decision.reason,
            notify_replies=notify_replies and bool(author_email),
            notify_confirmed=notify_replies and user is not None,
        )
        comment.save()
        comment.set_path()
        comment.save(update_fields=["path", "depth"])
        if decision.status == Comment.Status.APPROVED:
            _approve([comment])
        elif decision.status != Comment.Status.PENDING:
            Comment.objects.filter(pk=comment.pk).update(status=decision.status)
            comment.status = decision.status
    if comment.status != Comment.Status.SPAM:
        transaction.on_commit(lambda: notifications.comment_posted(comment.pk))
    return comment


def _approve(comments: list[Comment]) -> None:
    """Approve, number top-level comments in the order they came, refresh counts.
    Runs inside the caller's transaction; the review row is locked while numbering."""
    now = timezone.now()
    by_review: dict[int, list[Comment]] = {}
    for comment in comments:
        by_review.setdefault(comment.review_id, []).append(comment)
    for review_id, group in by_review.items():
        Review.objects.select_for_update().filter(pk=review_id).first()
        last = Comment.objects.filter(review_id=review_id).aggregate(n=Max("number"))["n"] or 0
        for comment in sorted(group, key=lambda c: c.pk):
            comment.status = Comment.Status.APPROVED
            comment.approved_at = comment.approved_at or now
            if comment.parent_id is None and comment.number is None:
                last += 1
                comment.number = last
        Comment.objects.bulk_update(group, ["status", "approved_at", "number"])
    refresh_comment_counts(by_review)


def refresh_comment_counts(review_ids: Iterable[int]) -> None:
    for review_id in set(review_ids):
        count = Comment.objects.approved().filter(review_id=review_id).count()
        Review.objects.filter(pk=review_id).update(approved_comment_count=count)


def comment_moderate(*, comments: Iterable[Comment], status: str) -> int:
    """Bulk approve / spam / trash. Returns how many changed."""
    if status not in Comment.Status.values:
        raise CommentError(f"Unknown status {status!r}.")
    changing = [c for c in comments if c.status != status]
    if not changing:
        return 0
    newly_approved = [c.pk for c in changing if status == Comment.Status.APPROVED]
    with transaction.atomic():
        if status == Comment.Status.APPROVED:
            _approve(changing)
        else:
            Comment.objects.filter(pk__in=[c.pk for c in changing]).update(status=status)
            refresh_comment_counts(c.review_id for c in changing)
    for pk in newly_approved:
        transaction.on_commit(lambda pk=pk: notifications.comment_approved(pk))
    return len(changing)


def may_change(comment: Comment, *, user=None, guest_comment_ids: Iterable[int] = ()) -> bool:
    """The commenter may edit or delete for a short while after posting."""
    window = timedelta(minutes=settings.WATCHWORTHY_COMMENTS["EDIT_MINUTES"])
    if comment.is_removed or timezone.now() - comment.created_at > window:
        return False
    if user is not None and user.is_authenticated and comment.user_id == user.pk:
        return True
    return comment.user_id is None and comment.pk in set(guest_comment_ids)


def comment_edit(*, comment: Comment, body: str) -> Comment:
    body = check_body(body)
    comment.body = body
    comment.body_html = render_comment_markdown(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    return comment


def comment_remove(*, comment: Comment) -> None:
    """The commenter's own deletion: a tombstone, so replies keep their place."""
    with transaction.atomic():
        comment.is_removed = True
        comment.notify_replies = False
        comment.save(update_fields=["is_removed", "notify_replies"])
        refresh_comment_counts([comment.review_id])
