"""Threaded reader discussion under a review.

**The tree.** A comment may reply to another comment, to any depth. Every comment
stores its ``depth`` and a materialized ``path``: the zero-padded ids of its
ancestors and itself, ``"0000000042/0000000057/"``. Sorting a review's comments by
``path`` lists each thread depth-first with replies in the order they came, so a
whole thread — a thousand comments or ten — loads in *one* query and is arranged in
Python. The path is written right after the row gets its id (same transaction).

**Numbers.** Readers refer to "comment 12". A top-level comment gets its ``number``
the first time it is approved (the next number under that review), so numbers never
shift when a later comment is held, removed or imported; replies have none.

**Episode threads.** Besides its main thread, a review of a part (or of a whole
work) has one :class:`EpisodeThread` per episode it covers, made when its first
comment comes. ``Comment.episode_thread`` is empty for the main thread; a reply is
always in its parent's thread. Numbers and counts are per thread. A comment in an
episode thread spoils that episode at least (its ``spoils_*`` say so), so every place
that shields comments — the page, feeds, mail, the API, search — treats it as such.

**States.** ``status`` is the moderation decision (pending / approved / spam / trash).
``is_removed`` is the commenter's own deletion: the row stays as a tombstone so that
replies under it keep their place under a "deleted" placeholder.
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from watchworthy.core.sanitize import stored_html
from watchworthy.spoilers.shield import Position, staff_view, travelling_comment

from . import header

PATH_DIGITS = 10

HEADER_FIELDS = ("header_html", "header_key")

# Columns the thread on the page never reads (see CommentQuerySet.for_thread).
THREAD_DEFERRED = ("body", "ip_address", "user_agent", "moderation_reason", "approved_at")


class CommentQuerySet(models.QuerySet):
    def approved(self) -> Self:
        return self.filter(status=Comment.Status.APPROVED, is_removed=False)

    def pending(self) -> Self:
        """Waiting for a moderator (a held comment its author deleted waits no more)."""
        return self.filter(status=Comment.Status.PENDING, is_removed=False)

    def for_thread(self, review):
        """Everything the thread of ``review`` shows, in tree order, in one query.

        Approved comments plus removed ones (as placeholders, dropped later if no
        approved reply hangs under them). Only what the page shows is read: the
        writer's staff flag (for the badge) rather than the whole account, and not the
        Markdown source, address or user agent."""
        return (
            self.filter(review=review, status=Comment.Status.APPROVED)
            .annotate(writer_is_staff=models.F("user__is_staff"))
            .defer(*THREAD_DEFERRED)
            .order_by("path")
        )


class EpisodeThread(models.Model):
    """The discussion of one episode under a review ("Part 2, ep 3"): made on demand,
    with its own numbers and stored count. See ``discussion.episodes``."""

    review = models.ForeignKey(
        "reviews.Review", on_delete=models.CASCADE, related_name="discussion_threads"
    )
    season = models.PositiveSmallIntegerField(help_text="The part's number (Season.number).")
    episode = models.PositiveSmallIntegerField()
    approved_comment_count = models.PositiveIntegerField(default=0, editable=False)
    # Its approved top-level comments, removed ones included (see Review.top_level_count).
    top_level_count = models.PositiveIntegerField(default=0, editable=False)
    last_comment_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["review", "season", "episode"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "season", "episode"], name="episode_thread_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(season__gte=1, episode__gte=1),
                name="episode_thread_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.season}:{self.episode}"

    @property
    def position(self) -> Position:
        return Position(self.season, self.episode)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    episode_thread = models.ForeignKey(
        EpisodeThread,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
        help_text="Empty: the review's main thread.",
    )
    path = models.CharField(max_length=2200, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    number = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="Top-level comments, from 1."
    )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    author_name = models.CharField(max_length=80)
    author_email = models.EmailField(blank=True)
    author_url = models.URLField(blank=True)
    # A fediverse author's actor id: their identity for moderation, as the e-mail
    # address is a guest's (see ModerationPolicy). Empty for local comments.
    author_actor = models.URLField(max_length=2000, blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    body = models.TextField()
    body_html = models.TextField(editable=False, blank=True)
    # The header the thread shows, rendered when the comment is written (see header.py).
    header_html = models.TextField(editable=False, blank=True, default="")
    header_key = models.CharField(max_length=16, editable=False, blank=True, default="")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    moderation_reason = models.CharField(max_length=200, blank=True)
    is_removed = models.BooleanField(default=False)

    # "My comment spoils up to …": readers behind that point see it folded.
    spoils_season = models.PositiveSmallIntegerField(null=True, blank=True)
    spoils_episode = models.PositiveSmallIntegerField(null=True, blank=True)

    notify_replies = models.BooleanField(default=False)
    notify_confirmed = models.BooleanField(default=False)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Which sent form made the comment (``forms.submission_key``: the form's signed token
    # and the client that sent it): unique, so a form sent twice — a double click, a
    # replay — makes one comment. Empty for comments from elsewhere.
    submission_key = models.CharField(max_length=40, blank=True, default="", editable=False)

    # Not stored: set by comment_post on a new approved top-level comment, from the stored
    # count it raised — how many of its discussion's top-level comments come before it
    # (it is the newest), so its page is found without counting them (paging.page_of).
    top_level_before: int | None = None

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(
                fields=["review", "episode_thread", "status", "path"],
                name="comment_thread_idx",
            ),
            models.Index(fields=["status", "created_at"], name="comment_queue_idx"),
            models.Index(fields=["author_email", "status"], name="comment_author_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "number"],
                condition=models.Q(number__isnull=False, episode_thread__isnull=True),
                name="comment_number_unique_per_review",
            ),
            models.UniqueConstraint(
                fields=["episode_thread", "number"],
                condition=models.Q(number__isnull=False),
                name="comment_number_unique_per_episode",
            ),
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=~models.Q(submission_key=""),
                name="comment_submission_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_name} on {self.review_id} ({self.status})"

    def save(self, **kwargs) -> None:
        """Every save of a comment that has an id stores its header again, so a
        change of name, number or date made anywhere shows on the page. (A posted
        comment gets its id before its row is written, and the header with it:
        ``queries.insert_comment``.)"""
        if self.pk is not None:
            self.refresh_header()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], *HEADER_FIELDS}
        super().save(**kwargs)

    def get_absolute_url(self) -> str:
        """The comment's lasting address; it redirects to the page that shows it."""
        return reverse("discussion:permalink", kwargs={"pk": self.pk})

    def get_edit_url(self) -> str:
        return reverse("discussion:edit", kwargs={"pk": self.pk})

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def body_markup(self) -> SafeString:
        return stored_html(self.body_html)

    def staff_markup(self) -> SafeString:
        """The body for moderators: every spoiler open and visibly labelled."""
        return staff_view(self.body_html)

    @property
    def spoiler_scope(self) -> Position | None:
        if self.spoils_season is None:
            return None
        return Position(self.spoils_season, self.spoils_episode)

    def travelling_html(self, seasons=None) -> str:
        """The comment as it may travel (feeds, mail): spoilers become placeholders,
        and a comment that says it spoils a point is replaced by a note naming it in
        the work's own words (``seasons``: the work's seasons, loaded if not given)."""
        if self.spoils_season is not None and seasons is None:
            seasons = list(self.review.work.seasons.all())
        return travelling_comment(self.body_html, self.spoiler_scope, seasons or ())

    @property
    def was_edited(self) -> bool:
        return self.edited_at is not None

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED and not self.is_removed

    def avatar(self) -> dict[str, str]:
        """A locally generated avatar: initials on a colour chosen by a keyed hash of
        the e-mail (no external service; the hash cannot be looked up elsewhere)."""
        return header.avatar(self.author_name, self.author_email)

    def refresh_header(self, dates: header.Dates | None = None) -> None:
        """Render the header the thread shows (the comment needs its id first)."""
        self.header_html = header.header_of(self, dates)
        self.header_key = header.current_key()

    def set_path(self) -> None:
        prefix = self.parent.path if self.parent is not None else ""
        self.path = f"{prefix}{self.pk:0{PATH_DIGITS}d}/"
        self.depth = self.parent.depth + 1 if self.parent is not None else 0


class VerifiedAddress(models.Model):
    """An e-mail address whose owner proved it by following a link we mailed to it (the
    reply-notification confirmation). Only then does a guest's approved history with
    that address make their later comments skip the queue from any browser."""

    email = models.EmailField(unique=True)  # lower case
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "verified commenter address"

    def __str__(self) -> str:
        return self.email

    @classmethod
    def verify(cls, email: str) -> None:
        if email:
            cls.objects.get_or_create(email=email.strip().lower())

    @classmethod
    def is_verified(cls, email: str) -> bool:
        return bool(email) and cls.objects.filter(email=email.strip().lower()).exists()


class AuthorNotice(models.Model):
    """A comment the review's author is to hear about: mailed at once, or gathered into
    a digest (hourly, daily, or when too many came in an hour; see notifications)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_notices"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a post queued a mail task to tell the author of this comment at once: a post
    # queues one only while the author's queued mails of the last hour are under their
    # hourly share (the worker then checks the mails actually sent), so a flood does
    # not queue a task per comment that the worker would find past the share.
    mail_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["author", "sent_at"], name="notice_author_sent_idx"),
            # Only the few notices whose mail was queued (at most the hourly share an
            # hour): the index costs nothing to the many that go to the digest.
            models.Index(
                fields=["author", "mail_queued_at"],
                name="notice_author_queued_idx",
                condition=models.Q(mail_queued_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"comment {self.comment_id} for {self.author_id}"
