"""E-mail about comments, sent outside the request through django-tasks.

* The review's author hears of every new comment (held ones with a link to the queue).
* A commenter who ticked "notify me of replies" first gets a confirmation mail
  (double opt-in); once confirmed, each approved reply to their comment is mailed,
  with a signed one-click unsubscribe link (also as a List-Unsubscribe header).

Tasks take ids, not objects, so a queue backend can serialise them.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from watchworthy.core.sanitize import html_to_text

from .models import Comment

TOKEN_SALT = "watchworthy.discussion.notify"  # noqa: S105 - a signing salt
CONFIRM_MAX_AGE = 7 * 24 * 3600


def make_token(comment_id: int, action: str) -> str:
    return signing.dumps({"c": comment_id, "a": action}, salt=TOKEN_SALT, compress=True)


def read_token(token: str, action: str) -> int | None:
    """The comment id in a valid token for ``action``, else None."""
    max_age = CONFIRM_MAX_AGE if action == "confirm" else None
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return data.get("c") if data.get("a") == action else None


def absolute(path: str) -> str:
    return settings.WATCHWORTHY_SITE_URL.rstrip("/") + path


def comment_posted(comment_id: int) -> None:
    send_comment_mail.enqueue("posted", comment_id)


def comment_approved(comment_id: int) -> None:
    send_comment_mail.enqueue("approved", comment_id)


@task()
def send_comment_mail(event: str, comment_id: int) -> None:
    comment = (
        Comment.objects.select_related("review__author", "parent").filter(pk=comment_id).first()
    )
    if comment is None:
        return
    if event == "posted":
        _tell_review_author(comment)
        if comment.notify_replies and not comment.notify_confirmed:
            _ask_for_confirmation(comment)
    if comment.is_public:
        _tell_parent_commenter(comment)


def _send(*, to: str, subject: str, template: str, context: dict, headers=None) -> None:
    body = render_to_string(f"discussion/email/{template}", context)
    EmailMessage(subject=subject, body=body, to=[to], headers=headers or {}).send()


def _context(comment: Comment, **extra) -> dict:
    return {
        "comment": comment,
        "review": comment.review,
        "text": html_to_text(comment.travelling_html()),
        "comment_url": absolute(comment.get_absolute_url()),
        **extra,
    }


def _tell_review_author(comment: Comment) -> None:
    author = comment.review.author
    if not author.email or comment.user_id == author.pk:
        return
    held = comment.status == Comment.Status.PENDING
    _send(
        to=author.email,
        subject=f"{'[held] ' if held else ''}New comment on “{comment.review.title}”",
        template="new_comment.txt",
        context=_context(comment, held=held, queue_url=absolute(reverse("discussion:queue"))),
    )


def _ask_for_confirmation(comment: Comment) -> None:
    link = absolute(reverse("discussion:notify_confirm", args=[make_token(comment.pk, "confirm")]))
    _send(
        to=comment.author_email,
        subject=f"Confirm reply notifications for “{comment.review.title}”",
        template="confirm_notifications.txt",
        context=_context(comment, confirm_url=link),
    )


def _tell_parent_commenter(comment: Comment) -> None:
    parent = comment.parent
    if (
        parent is None
        or not (parent.notify_replies and parent.notify_confirmed)
        or parent.is_removed
        or not parent.author_email
        or parent.author_email.lower() == comment.author_email.lower()
    ):
        return
    unsubscribe = absolute(
        reverse("discussion:notify_unsubscribe", args=[make_token(parent.pk, "unsubscribe")])
    )
    _send(
        to=parent.author_email,
        subject=f"{comment.author_name} replied to you on “{comment.review.title}”",
        template="reply.txt",
        context=_context(comment, parent=parent, unsubscribe_url=unsubscribe),
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
