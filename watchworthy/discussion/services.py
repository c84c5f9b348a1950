"""Write paths of the discussion: posting, moderating, editing, removing.

Each one validates first, writes in one transaction, and schedules its side effects
(mail) for after the commit, so a rolled-back write never sends a notification.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from watchworthy.core.changes import COUNTS, mark_changed_ids
from watchworthy.core.markdown import render_comment_markdown
from watchworthy.core.models import SiteSettings
from watchworthy.reviews.models import Review
from watchworthy.spoilers.shield import Position

from . import episodes, header, notifications, queries
from .models import HEADER_FIELDS, Comment, EpisodeThread
from .moderation import ModerationPolicy
from .numbering import number_comments, thread_key


class CommentError(ValidationError):
    """A comment that cannot be accepted; the message is meant for the commenter."""


class AlreadySent(CommentError):
    """The form that would make this comment already made one (its submission key)."""

    def __init__(self) -> None:
        super().__init__(
            "This form was already sent. Your comment is on the page (or waiting for "
            "moderation); to write another, send this one again."
        )


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
    spoils: Position | None = None,
    episode: Position | None = None,
    seasons=None,
    policy: ModerationPolicy | None = None,
    posted_at: datetime | None = None,
    send_notifications: bool = True,
    trusted_comment_ids: Iterable[int] = (),
    site_url: str = "",
    body_html: str | None = None,
    author_actor: str = "",
    submission_key: str = "",
) -> Comment:
    """Accept a comment (approved, held or spam) or raise :class:`CommentError`.

    ``posted_at`` backdates a comment that was written elsewhere (the demo, a remote
    reply); ``send_notifications=False`` sends no mail about it. ``site_url``: the root the
    request came to (``core.siteurl.site_root``), where the links in its mail point.
    ``trusted_comment_ids``: comments the same browser wrote (see ModerationPolicy).
    ``episode``: post in that episode's thread (see ``episodes``; ``seasons``, the
    work's, are loaded when not given); a reply always goes to its parent's thread.
    ``body_html``: the body already as sanitized HTML (``core.sanitize.clean_html``,
    comment profile), for a comment written elsewhere; ``body`` is then its text.
    ``author_actor``: a fediverse author's actor id, their identity instead of an
    e-mail address (no address is asked for). ``submission_key``: the sent form's
    (``forms.submission_key``); a second comment with it is refused with
    :class:`AlreadySent` and nothing is written."""
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
        if not author_email.strip() and not author_actor:
            raise CommentError({"author_email": "An e-mail address is needed (it is never shown)."})
    if parent is not None and (parent.review_id != review.pk or not parent.is_public):
        raise CommentError("The comment you are replying to is no longer there.")
    posted_at = posted_at or timezone.now()
    episode_thread = _episode_thread(review, parent, episode, seasons, posted_at)
    if episode_thread is not None:
        # Whatever else it says, a comment in an episode's thread spoils that episode.
        spoils = max(filter(None, [spoils, episode_thread.position]), key=lambda p: p.key)

    decision = (policy or ModerationPolicy.current()).decide(
        review=review,
        user=user,
        author_email=author_email,
        text=f"{author_name}\n{author_url}\n{body}",
        honeypot_filled=honeypot_filled,
        fill_seconds=fill_seconds,
        trusted_comment_ids=trusted_comment_ids,
        author_actor=author_actor,
    )
    approves = decision.status == Comment.Status.APPROVED
    # Rendered before the transaction: writers wait for each other only while it runs.
    body_html = render_comment_markdown(body) if body_html is None else body_html
    comment = Comment(
        review=review,
        episode_thread=episode_thread,
        parent=parent,
        user=user,
        author_name=author_name.strip()[:80],
        author_email=author_email.strip(),
        author_url=author_url.strip(),
        author_actor=author_actor,
        ip_address=ip_address,
        user_agent=user_agent[:300],
        body=body,
        body_html=body_html,
        status=Comment.Status.APPROVED if approves else Comment.Status.PENDING,
        moderation_reason=decision.reason,
        spoils_season=spoils.season if spoils else None,
        spoils_episode=spoils.episode if spoils else None,
        notify_replies=notify_replies and bool(author_email),
        notify_confirmed=notify_replies and user is not None,
        created_at=posted_at,
        approved_at=posted_at if approves else None,  # approved the moment it came
        submission_key=submission_key or "",
    )
    try:
        _store(comment, decision.status, notify=send_notifications, site_url=site_url)
    except IntegrityError:
        # Rolled back (the number it took is free again). The form's comment exists:
        # a second sending of the same form, or two at once (the second waited for
        # the first's commit on the unique index).
        if submission_key and Comment.objects.filter(submission_key=submission_key).exists():
            raise AlreadySent from None
        raise
    return comment


def _store(comment: Comment, status: str, *, notify: bool, site_url: str) -> None:
    """Write the new comment (approved, held, or marked ``status``) with its number,
    place and counts, and its author's notice, in one transaction."""
    review, approves = comment.review, comment.status == Comment.Status.APPROVED
    notify = notify and status != Comment.Status.SPAM
    # Asked before the transaction: it needs no lock, and the review's is then held
    # for one statement less.
    mail_author = notify and notifications.author_mailed_at_once(comment, review.author)
    with transaction.atomic():
        if approves:
            # Counted first: the count's UPDATE takes the review's lock, under which
            # the id and the number are taken, so the thread's paths (made of ids)
            # run in the order of its numbers.
            try:
                _count_one(comment)
            except Review.DoesNotExist:  # deleted while the comment was on its way
                raise CommentError("This review is no longer there.") from None
        if approves and comment.parent_id is None:  # numbered: the thread's next number
            comment.pk, last = queries.next_comment_id_and_number(
                review.pk, comment.episode_thread_id
            )
            number_comments([comment], last={thread_key(comment): last})
        else:  # held, or a reply: no number
            comment.pk = queries.next_comment_id()
        queries.insert_comment(comment)  # with the path and header its id gives it
        # Where the new comment shows, for the change signal (see mark_changed_ids).
        mark_changed_ids(Comment, [comment.pk], places={comment.pk: review.pk})
        if not approves and status != Comment.Status.PENDING:
            Comment.objects.filter(pk=comment.pk).update(status=status)
            mark_changed_ids(Comment, [comment.pk])
            comment.status = status
        if notify:
            notifications.comment_posted(comment, review.author, site_url, mail_author=mail_author)


def _episode_thread(
    review: Review,
    parent: Comment | None,
    episode: Position | None,
    seasons,
    now: datetime,
) -> EpisodeThread | None:
    """The episode thread a new comment goes to (None: the main thread), or a
    CommentError saying why it cannot go where it was sent."""
    if parent is not None:
        return parent.episode_thread
    if episode is None:
        return None
    if seasons is None:
        seasons = list(review.work.seasons.all())
    found = episodes.find_episode(
        episodes.covered_episodes(review, seasons), episode.season, episode.episode or 0
    )
    if found is None:
        raise CommentError("This review has no discussion of that episode.")
    if not found.is_open(now):
        opens = timezone.localtime(found.opens_at).strftime("%-d %B %Y")
        raise CommentError(f"The {found.label} thread opens on {opens}, when it airs.")
    return episodes.thread_for(review, found)


def lock_reviews(review_ids: Iterable[int]) -> list[int]:
    """Lock the reviews' rows in pk order (two batches can then never deadlock).
    Every write that numbers or counts comments takes these locks first."""
    ids = sorted(set(review_ids))
    queries.lock_reviews(ids)
    return ids


def _count(review_ids: Iterable[int]) -> None:
    """Store the approved-comment counts of the reviews (all threads together) and
    of each of their episode threads (with the newest comment's time), and the
    top-level counts of each discussion (approved, removed ones included: paging)."""
    review_ids = list(review_ids)
    totals = dict.fromkeys(review_ids, 0)
    top_level = dict.fromkeys(review_ids, 0)  # of the main discussions
    per_thread: dict[int, tuple[int, int, datetime | None]] = {}
    shown = Q(is_removed=False)
    rows = (
        Comment.objects.filter(review_id__in=review_ids, status=Comment.Status.APPROVED)
        .values_list("review_id", "episode_thread_id")
        .annotate(
            count=Count("pk", filter=shown),
            top=Count("pk", filter=Q(parent__isnull=True)),
            newest=Max("created_at", filter=shown),
        )
        .order_by()
    )
    for review_id, thread_id, count, top, newest in rows:
        totals[review_id] += count
        if thread_id is None:
            top_level[review_id] = top
        else:
            per_thread[thread_id] = (count, top, newest)
    for review_id, total in totals.items():
        Review.objects.filter(pk=review_id).update(
            approved_comment_count=total, top_level_count=top_level[review_id]
        )
    changed = []  # only the threads whose numbers moved are written
    fields = ("approved_comment_count", "top_level_count", "last_comment_at")
    for thread in EpisodeThread.objects.filter(review_id__in=review_ids):
        fresh = per_thread.get(thread.pk, (0, 0, None))
        if tuple(getattr(thread, name) for name in fields) != fresh:
            for name, value in zip(fields, fresh, strict=True):
                setattr(thread, name, value)
            changed.append(thread)
    if changed:
        EpisodeThread.objects.bulk_update(changed, fields)
    mark_changed_ids(Review, review_ids, aspect=COUNTS)


def _count_one(comment: Comment) -> None:
    """A new post approved at once in one thread, counted before it is written: the
    review's count and that thread's one higher (``queries.count_one_more``, whose
    UPDATE takes the review's lock; the review's other threads did not move). The id
    taken after it under that lock is the highest of its discussion: a top-level
    comment is then the last of its discussion's top-level comments, and the count
    says how many come before it (``Comment.top_level_before``, for the page it shows
    on). The review's ``work_id``, read under the lock, is where the counts show."""
    review_id, thread_id = comment.review_id, comment.episode_thread_id
    top_level = comment.parent_id is None
    work_id, count = queries.count_one_more(
        review_id, thread_id, comment.created_at, top_level=top_level
    )
    if top_level:
        comment.top_level_before = count - 1
    mark_changed_ids(Review, [review_id], aspect=COUNTS, places={review_id: work_id})


def refresh_comment_counts(review_ids: Iterable[int]) -> None:
    _count(lock_reviews(review_ids))


def _approve(comments: list[Comment]) -> list[Comment]:
    """Approve and number top-level comments in the order they came; refresh counts.

    Runs inside the caller's transaction. The reviews are locked first and the
    comments re-read, so one approved meanwhile by someone else is neither renumbered
    nor announced twice. Returns the comments it changed (and updates ``comments``)."""
    now = timezone.now()
    review_ids = lock_reviews(c.review_id for c in comments)
    fresh = list(
        Comment.objects.filter(pk__in=[c.pk for c in comments])
        .exclude(status=Comment.Status.APPROVED)
        .order_by("pk")
    )
    for comment in fresh:
        comment.status = Comment.Status.APPROVED
        comment.approved_at = comment.approved_at or now
    number_comments(fresh)
    dates = header.Dates()
    for comment in fresh:
        comment.refresh_header(dates)  # the number is in it
    Comment.objects.bulk_update(fresh, ["status", "approved_at", "number", *HEADER_FIELDS])
    mark_changed_ids(Comment, [c.pk for c in fresh])
    changed = {c.pk: c for c in fresh}
    for comment in comments:
        if comment.pk in changed:
            comment.status = changed[comment.pk].status
            comment.approved_at = changed[comment.pk].approved_at
            comment.number = changed[comment.pk].number
    _count(review_ids)
    return fresh


def store_headers(comments: Iterable[Comment], *, batch_size: int = 500) -> int:
    """Render and store the thread header of ``comments`` (which have ids): for
    writers that bypass ``Comment.save`` — bulk imports, fixtures, benchmarks — and
    for ``manage.py render_comments``. Marks them changed. Returns how many."""
    comments = [c for c in comments if c.pk is not None]
    dates = header.Dates()
    for comment in comments:
        comment.refresh_header(dates)
    Comment.objects.bulk_update(comments, list(HEADER_FIELDS), batch_size=batch_size)
    mark_changed_ids(Comment, [c.pk for c in comments])
    return len(comments)


def comment_moderate(*, comments: Iterable[Comment], status: str, site_url: str = "") -> int:
    """Bulk approve / spam / trash. Returns how many changed. ``site_url`` as for
    :func:`comment_post`, for the reply mails an approval sends."""
    if status not in Comment.Status.values:
        raise CommentError(f"Unknown status {status!r}.")
    comments = list(comments)
    if not any(c.status != status for c in comments):
        return 0
    with transaction.atomic():
        if status == Comment.Status.APPROVED:
            changed = _approve(comments)
        else:
            review_ids = lock_reviews(c.review_id for c in comments)
            changed = list(
                Comment.objects.filter(pk__in=[c.pk for c in comments]).exclude(status=status)
            )
            Comment.objects.filter(pk__in=[c.pk for c in changed]).update(status=status)
            mark_changed_ids(Comment, [c.pk for c in changed])
            _count(review_ids)
        if status == Comment.Status.APPROVED:
            for comment in changed:
                notifications.comment_approved(comment.pk, site_url)
    return len(changed)


def may_change(comment: Comment, *, user=None, guest_comment_ids: Iterable[int] = ()) -> bool:
    """The commenter may edit or delete for a short while after posting."""
    window = timedelta(minutes=settings.WATCHWORTHY_COMMENTS["EDIT_MINUTES"])
    if comment.is_removed or timezone.now() - comment.created_at > window:
        return False
    if user is not None and user.is_authenticated and comment.user_id == user.pk:
        return True
    return comment.user_id is None and comment.pk in set(guest_comment_ids)


def comment_edit(
    *,
    comment: Comment,
    body: str,
    policy: ModerationPolicy | None = None,
    body_html: str | None = None,
    spoils: Position | None = None,
) -> Comment:
    """Change the text. The new text meets the same rules as a new comment: an edit
    that adds links or a blocked word sends a public comment back to the queue.
    ``body_html`` and ``spoils``: as for :func:`comment_post` (a remote edit says
    again how far it spoils; a local one keeps what was chosen)."""
    body = check_body(body)
    decision = (policy or ModerationPolicy.current()).decide(
        review=comment.review,
        user=comment.user,
        author_email=comment.author_email,
        text=f"{comment.author_name}\n{comment.author_url}\n{body}",
        trusted_comment_ids=[comment.pk],  # its writer, within the edit window
        author_actor=comment.author_actor,
    )
    with transaction.atomic():
        review_ids = lock_reviews([comment.review_id])
        comment.body = body
        comment.body_html = render_comment_markdown(body) if body_html is None else body_html
        comment.edited_at = timezone.now()
        fields = ["body", "body_html", "edited_at"]
        if body_html is not None:
            thread = comment.episode_thread
            if thread is not None:
                spoils = max(filter(None, [spoils, thread.position]), key=lambda p: p.key)
            comment.spoils_season = spoils.season if spoils else None
            comment.spoils_episode = spoils.episode if spoils else None
            fields += ["spoils_season", "spoils_episode"]
        if comment.status == Comment.Status.APPROVED and decision.status != Comment.Status.APPROVED:
            comment.status = Comment.Status.PENDING
            comment.moderation_reason = f"edited: {decision.reason}"
            fields += ["status", "moderation_reason"]
        comment.save(update_fields=fields)
        _count(review_ids)
    return comment


def comment_remove(*, comment: Comment) -> None:
    """The commenter's own deletion: a tombstone, so replies keep their place."""
    with transaction.atomic():
        review_ids = lock_reviews([comment.review_id])
        comment.is_removed = True
        comment.notify_replies = False
        comment.save(update_fields=["is_removed", "notify_replies"])
        _count(review_ids)
