"""E-mail about comments, sent outside the request through django-tasks.

* The review's author hears of every new comment (held ones with a link to the queue).
* A commenter who ticked "notify me of replies" first gets a confirmation mail
  (double opt-in); once confirmed, each approved reply to their comment is mailed,
  with a signed one-click unsubscribe link (also as a List-Unsubscribe header).

Tasks take ids, not objects, so a queue backend can serialise them.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from watchworthy.core.models import SiteSettings
from watchworthy.core.ratelimit import over_limit
from watchworthy.core.sanitize import html_to_text
from watchworthy.core.siteurl import absolute
from watchworthy.core.tasks import enqueue_for_write
from watchworthy.core.text import one_line

from . import queries
from .models import AuthorNotice, Comment

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


def comment_posted(
    comment: Comment, review_author: Any, site_url: str = "", *, mail_author: bool | None = None
) -> None:
    """Call in the transaction that wrote ``comment``: the review's author's notice is
    written with it (for the mail, or the digest), and the mail task is enqueued with
    it or after its commit (``core.tasks.enqueue_for_write``) — but only when the task
    may send something: the author's single mail while they are under their hourly
    share, a confirmation the commenter asked for, or a reply. In a flood the author
    gets their share, then the digest gathers the rest, and the worker no longer runs
    a task per comment that sends nothing. ``site_url``: the root the comment was
    posted on (links in the mail point there); empty for the configured
    WATCHWORTHY_SITE_URL. ``mail_author``: :func:`author_mailed_at_once`, when the
    caller asked before its transaction (asked here otherwise)."""
    if mail_author is None:
        mail_author = author_mailed_at_once(comment, review_author)
    if _tells_author(comment, review_author):
        queued_at = timezone.now() if mail_author else None
        notice = AuthorNotice(author=review_author, comment=comment, mail_queued_at=queued_at)
        queries.insert_notice(notice)
    if (
        mail_author
        or (comment.notify_replies and not comment.notify_confirmed)
        or (comment.is_public and comment.parent_id is not None)
    ):
        enqueue_for_write(send_comment_mail, "posted", comment.pk, site_url)


def author_mailed_at_once(comment: Comment, review_author: Any) -> bool:
    """Whether a post of ``comment`` queues a mail of its own to the review's author
    (not only the digest). A post asks before its transaction: the count of the
    author's queued mails of the last hour needs no lock, so the review's lock is not
    held while it runs."""
    return _tells_author(comment, review_author) and _may_mail_at_once(
        review_author.pk, queued=True
    )


def _tells_author(comment: Comment, review_author: Any) -> bool:
    return bool(review_author.email) and comment.user_id != review_author.pk


def _may_mail_at_once(author_id: int, *, queued: bool = False) -> bool:
    """Whether the site mails each comment at once and the author had fewer single
    mails than their hourly share in the last hour: mails sent (the worker asks before
    each), or with ``queued`` mails queued (a post asks whether to queue one: the
    worker sends later, and a flood counted by mails sent queued a task per post —
    184 for 960 posts in the posting bench, 20 of which sent anything)."""
    site = SiteSettings.current()
    if site.comment_mail != SiteSettings.CommentMail.IMMEDIATE:
        return False
    hour_ago = timezone.now() - timedelta(hours=1)
    mails = queries.author_mails_since(author_id, hour_ago, queued=queued)
    return mails < site.comment_mail_hourly_limit


def comment_approved(comment_id: int, site_url: str = "") -> None:
    """Call in the transaction that approved the comment: its mail task (the reply
    notification) is enqueued with it or after its commit."""
    enqueue_for_write(send_comment_mail, "approved", comment_id, site_url)


@task()
def send_comment_mail(event: str, comment_id: int, site_url: str = "") -> None:
    # The SQL compiled once (discussion.queries); the parent, which only a reply has,
    # is read when there is one (a join of every comment column cost a top-level
    # comment's mail about a third of its CPU).
    comment = queries.comment_for_mail(comment_id)
    if comment is None:
        return
    if event == "posted":
        _tell_review_author(comment, site_url)
        if comment.notify_replies and not comment.notify_confirmed:
            _ask_for_confirmation(comment, site_url)
    if comment.is_public:
        _tell_parent_commenter(comment, site_url)


def _send(*, to: str, subject: str, template: str, context: dict, headers=None) -> None:
    body = render_to_string(f"discussion/email/{template}", context)
    EmailMessage(subject=one_line(subject), body=body, to=[to], headers=headers or {}).send()


def _context(comment: Comment, site_url: str, **extra) -> dict:
    return {
        "comment": comment,
        "review": comment.review,
        "text": html_to_text(comment.travelling_html()),
        "comment_url": absolute(comment.get_absolute_url(), site_url),
        **extra,
    }


def _tell_review_author(comment: Comment, site_url: str) -> None:
    """At once, unless the site gathers comments into digests or the author already had
    their hourly share of single mails (a flood becomes one digest, not a thousand)."""
    author = comment.review.author
    if not _tells_author(comment, author):
        return
    # Written with the comment (comment_posted); a task queued before that was so
    # writes it here.
    notice = AuthorNotice.objects.filter(author=author, comment=comment).first()
    if notice is None:
        with transaction.atomic():  # a write transaction: on SQLite it queues with the others
            notice = AuthorNotice.objects.create(author=author, comment=comment)
    elif notice.sent_at is not None:
        return  # mailed already (the task ran twice)
    if not _may_mail_at_once(author.pk):
        return  # left for the digest
    held = comment.status == Comment.Status.PENDING
    _send(
        to=author.email,
        subject=f"{'[held] ' if held else ''}New comment on “{comment.review.title}”",
        template="new_comment.txt",
        context=_context(
            comment, site_url, held=held, queue_url=absolute(reverse("discussion:queue"), site_url)
        ),
    )
    with transaction.atomic():
        AuthorNotice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())


DIGEST_EVERY = {"immediate": 3600, "hourly": 3600, "daily": 24 * 3600}
DIGEST_MAX_LISTED = 100


def send_digests(now: datetime | None = None) -> int:
    """Mail each author the comments gathered for them, once their digest is due (an
    hour or a day after the last one, by the site setting). Returns mails sent."""
    now = now or timezone.now()
    every = timedelta(seconds=DIGEST_EVERY[SiteSettings.current().comment_mail])
    mails = 0
    waiting = AuthorNotice.objects.filter(sent_at__isnull=True)
    for author_id in waiting.values_list("author_id", flat=True).distinct():
        last = (
            AuthorNotice.objects.filter(author_id=author_id, sent_at__isnull=False)
            .order_by("-sent_at")
            .values_list("sent_at", flat=True)
            .first()
        )
        if last is not None and now - last < every:
            continue
        notices = list(
            waiting.filter(author_id=author_id)
            .select_related("author", "comment__review")
            .order_by("created_at")
        )
        if notices and _send_digest(notices, now):
            mails += 1
    return mails


def _send_digest(notices: list[AuthorNotice], now: datetime) -> bool:
    author = notices[0].author
    comments = [n.comment for n in notices]
    if author.email:
        held = sum(c.status == Comment.Status.PENDING for c in comments)
        listed = [
            {"comment": c, "text": html_to_text(c.travelling_html())[:300],
             "url": absolute(c.get_absolute_url())}
            for c in comments[:DIGEST_MAX_LISTED]
        ]  # fmt: skip
        _send(
            to=author.email,
            subject=f"{len(comments)} new comment{'s' if len(comments) != 1 else ''}"
            + (f", {held} waiting for you" if held else ""),
            template="digest.txt",
            context={
                "listed": listed,
                "more": max(0, len(comments) - DIGEST_MAX_LISTED),
                "held": held,
                "queue_url": absolute(reverse("discussion:queue")),
            },
        )
    AuthorNotice.objects.filter(pk__in=[n.pk for n in notices]).update(sent_at=now)
    return bool(author.email)


@task()
def send_digests_task() -> None:
    send_digests()


CONFIRMATIONS_PER_ADDRESS = (2, 24 * 3600)  # reply-notification confirmations a day


def _ask_for_confirmation(comment: Comment, site_url: str) -> None:
    """The double opt-in mail; at most a couple a day to one address, whoever asks."""
    limit, window = CONFIRMATIONS_PER_ADDRESS
    address = hashlib.sha256(comment.author_email.strip().lower().encode()).hexdigest()[:32]
    if over_limit(f"notify-confirm:{address}", limit=limit, window=window):
        return
    link = absolute(
        reverse("discussion:notify_confirm", args=[make_token(comment.pk, "confirm")]), site_url
    )
    _send(
        to=comment.author_email,
        subject=f"Confirm reply notifications for “{comment.review.title}”",
        template="confirm_notifications.txt",
        context=_context(comment, site_url, confirm_url=link),
    )


def _tell_parent_commenter(comment: Comment, site_url: str) -> None:
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
        reverse("discussion:notify_unsubscribe", args=[make_token(parent.pk, "unsubscribe")]),
        site_url,
    )
    _send(
        to=parent.author_email,
        subject=f"{comment.author_name} replied to you on “{comment.review.title}”",
        template="reply.txt",
        context=_context(comment, site_url, parent=parent, unsubscribe_url=unsubscribe),
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
