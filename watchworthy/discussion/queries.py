"""The queries of a comment post, as SQL built once per database.

On a post, turning querysets into SQL cost more CPU than running them (about 0.3 to
0.5 ms each, bench/README.md "Comment posts"). The lookups go through
:class:`~watchworthy.core.prepared.PreparedQuery` (each returns what the queryset in
its docstring returns) and the new rows through
:class:`~watchworthy.core.prepared.PreparedInsert` (``save()`` of a new row); the
numbering, counting and locking statements, whose ORM form builds subquery expressions
on every call, are plain SQL written from the models' own table and column names, run
on the prepared cursor (PostgreSQL plans each once per connection). Each is one query,
as its ORM form was.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Exists
from django.utils import timezone

from watchworthy.core.prepared import PreparedInsert, PreparedQuery, prepared_cursor
from watchworthy.core.prepared import concrete_field as _concrete
from watchworthy.core.prepared import quoted_column as _column
from watchworthy.core.prepared import quoted_table as _table
from watchworthy.reviews.models import Review

from .models import AuthorNotice, Comment, EpisodeThread, VerifiedAddress

_EMAIL = Comment._meta.get_field("author_email")

# A post reads none of these (a review's text and its HTML are often tens of kilobytes):
# left in the database, loaded only if something asks (the form page shown again).
_LONG_TEXTS = ("body", "body_html", "excerpt", "work__synopsis", "work__synopsis_html")

_POSTING_REVIEW: PreparedQuery[Review] = PreparedQuery(
    lambda slug, now: (
        Review.objects.published(now=now)
        .select_related("work", "author")
        .defer(*_LONG_TEXTS)
        .filter(slug=slug)
        .order_by()[:1]
    ),
    slug=Review._meta.get_field("slug"),
    now=Review._meta.get_field("published_at"),
)


def _known_address(email: str, verified: str) -> Any:  # a values_list queryset
    return (
        Comment.objects.filter(status=Comment.Status.APPROVED, author_email__iexact=email)
        .filter(Exists(VerifiedAddress.objects.filter(email=verified)))
        .order_by()
        .values_list("pk")[:1]
    )


_KNOWN_ADDRESS: PreparedQuery[Any] = PreparedQuery(
    _known_address, email=_EMAIL, verified=VerifiedAddress._meta.get_field("email")
)


_NEW_COMMENT: PreparedInsert[Comment] = PreparedInsert(Comment)
_NEW_NOTICE: PreparedInsert[AuthorNotice] = PreparedInsert(AuthorNotice)


def next_comment_id() -> int:
    """The id the next comment takes, given to it before its row is written, so that
    the row goes in once with the path and header the id gives it (:func:`insert_comment`).
    Call in the transaction that inserts it: on PostgreSQL the id comes from the table's
    own sequence, as the INSERT would have taken it (and never waits: a sequence is not
    locked); on SQLite from the table's AUTOINCREMENT counter, read under the write
    lock the transaction holds (``BEGIN IMMEDIATE``), so no other writer takes it first.

    (Writing the row and then its path, two statements, left a dead version of every
    comment in each of the table's indexes, since the path is indexed.)"""
    with prepared_cursor(connection) as cursor:
        cursor.execute(_sql(connection.vendor)["next_comment_id"])
        row = cursor.fetchone()
    return int(row[0])


def next_comment_id_and_number(review_id: int, episode_thread_id: int | None) -> tuple[int, int]:
    """:func:`next_comment_id` and :func:`last_number` of the thread in one statement
    (one trip to the database less for a post approved at once). The caller holds the
    review's lock, as for each of them."""
    row = _in_thread("next_id_last_{thread}", review_id, episode_thread_id)
    return int(row[0]), int(row[1] or 0)


def _in_thread(key: str, review_id: int, episode_thread_id: int | None, *more: Any) -> Any:
    """The one row of statement ``key`` (``{thread}``: its main-thread or its episode
    form) for the review's thread, then ``more`` parameters."""
    thread = "main" if episode_thread_id is None else "episode"
    params = [review_id, *([] if episode_thread_id is None else [episode_thread_id]), *more]
    with prepared_cursor(connection) as cursor:
        cursor.execute(_sql(connection.vendor)[key.format(thread=thread)], params)
        return cursor.fetchone()


def insert_comment(comment: Comment) -> None:
    """``comment.save()`` of a new comment with its id (:func:`next_comment_id`): its
    path, depth and header are set here, then one INSERT writes the row, the change
    signal hearing of it through ``post_save`` as from any save. (``Comment.save``
    would render the header again; here it is rendered once.)"""
    comment.set_path()
    comment.refresh_header()
    _NEW_COMMENT.insert(comment)


def insert_notice(notice: AuthorNotice) -> None:
    """``notice.save()`` of a new author's notice."""
    _NEW_NOTICE.insert(notice)


def author_mails_since(author_id: int, since: datetime, *, queued: bool = False) -> int:
    """``AuthorNotice.objects.filter(author_id=author_id, sent_at__gte=since).count()``:
    the single mails the author was sent since ``since``; ``queued``: those posts
    queued (``mail_queued_at``) instead."""
    column = "mail_queued_at" if queued else "sent_at"
    when = _concrete(AuthorNotice, column).get_db_prep_value(since, connection, prepared=False)
    with prepared_cursor(connection) as cursor:
        cursor.execute(_sql(connection.vendor)[f"notices_{column}_since"], [author_id, when])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


_COMMENT_FOR_MAIL: PreparedQuery[Comment] = PreparedQuery(
    lambda pk: Comment.objects.select_related("review__author").filter(pk=pk).order_by(),
    pk=Comment._meta.pk,
)


def comment_for_mail(comment_id: int) -> Comment | None:
    """``Comment.objects.select_related("review__author").filter(pk=comment_id)
    .first()``: what the mail task about a comment reads (the worker runs one per
    post; compiling this three-table query was a third of its CPU)."""
    found = _COMMENT_FOR_MAIL.fetch(pk=comment_id)
    return found[0] if found else None


def published_review(slug: str, now: datetime | None = None) -> Review | None:
    """``Review.objects.published().select_related("work", "author")
    .defer(<long texts>).filter(slug=slug).first()`` (slugs are unique; the author is
    told of the post)."""
    found = _POSTING_REVIEW.fetch(slug=slug, now=now or timezone.now())
    return found[0] if found else None


def known_address(author_email: str) -> bool:
    """``Comment.objects.filter(status=APPROVED, author_email__iexact=author_email)
    .filter(Exists(VerifiedAddress with the address in lower case)).exists()``."""
    # The iexact lookup escapes the value for LIKE (SQLite) as the ORM would.
    email = connection.ops.prep_for_iexact_query(author_email)
    return bool(_KNOWN_ADDRESS.rows(email=email, verified=author_email.strip().lower()))


@cache
def _sql(vendor: str) -> dict[str, str]:
    """The statements, written once per database kind."""
    c, r, t = _table(Comment), _table(Review), _table(EpisodeThread)
    # (names from the model, as string literals: the sequence's and the counter's keys)
    table, pk = Comment._meta.db_table, Comment._meta.pk.column

    def col(name: str) -> str:
        return _column(Comment, name)

    roots = (
        f"SELECT COUNT(*) FROM {c} WHERE {col('review')} = %s AND {{thread}} "  # noqa: S608
        f"AND {col('status')} = %s AND {col('parent')} IS NULL AND {col('path')} {{op}} %s"
    )
    main, episode = f"{col('episode_thread')} IS NULL", f"{col('episode_thread')} = %s"
    last = f"SELECT MAX({col('number')}) FROM {c} WHERE {col('review')} = %s AND "  # noqa: S608
    last_main, last_episode = last + main, last + episode
    next_id = (
        f"nextval(pg_get_serial_sequence('{table}', '{pk}'))"
        if vendor == "postgresql"
        else f"(SELECT COALESCE(MAX(seq), 0) + 1 FROM sqlite_sequence WHERE name = '{table}')"  # noqa: S608
    )
    n = _table(AuthorNotice)
    return {
        "next_comment_id": f"SELECT {next_id}",
        "next_id_last_main": f"SELECT {next_id}, ({last_main})",
        "next_id_last_episode": f"SELECT {next_id}, ({last_episode})",
        **{
            f"notices_{column}_since": (
                f"SELECT COUNT(*) FROM {n} WHERE {_column(AuthorNotice, 'author')} = %s "  # noqa: S608
                f"AND {_column(AuthorNotice, column)} >= %s"
            )
            for column in ("sent_at", "mail_queued_at")
        },
        "roots_main_gt": roots.format(thread=main, op=">"),
        "roots_main_lt": roots.format(thread=main, op="<"),
        "roots_episode_gt": roots.format(thread=episode, op=">"),
        "roots_episode_lt": roots.format(thread=episode, op="<"),
        "last_main": last_main,
        "last_episode": last_episode,
        # PostgreSQL's: one statement (so one prepared plan) for any number of reviews,
        # locked in id order so that two batches never deadlock.
        "lock_reviews": (
            f"SELECT {_column(Review, 'id')} FROM {r} "  # noqa: S608
            f"WHERE {_column(Review, 'id')} = ANY(%s) ORDER BY 1 FOR UPDATE"
        ),
        # One approved comment more (a post; the UPDATE takes the review's lock): counted
        # up, not again, so a post costs the same in a thread of ten comments or ten
        # thousand.
        "one_more_review": (
            f"UPDATE {r} SET {_column(Review, 'approved_comment_count')} = "  # noqa: S608
            f"{_column(Review, 'approved_comment_count')} + 1, "
            f"{_column(Review, 'top_level_count')} = {_column(Review, 'top_level_count')} + %s "
            f"WHERE {_column(Review, 'id')} = %s "
            f"RETURNING {_column(Review, 'work')}, {_column(Review, 'top_level_count')}"
        ),
        "one_more_thread": (
            f"UPDATE {t} SET {_column(EpisodeThread, 'approved_comment_count')} = "  # noqa: S608
            f"{_column(EpisodeThread, 'approved_comment_count')} + 1, "
            f"{_column(EpisodeThread, 'top_level_count')} = "
            f"{_column(EpisodeThread, 'top_level_count')} + %s, "
            f"{_column(EpisodeThread, 'last_comment_at')} = CASE WHEN "
            f"{_column(EpisodeThread, 'last_comment_at')} IS NULL OR "
            f"{_column(EpisodeThread, 'last_comment_at')} < %s THEN %s ELSE "
            f"{_column(EpisodeThread, 'last_comment_at')} END "
            f"WHERE {_column(EpisodeThread, 'id')} = %s "
            f"RETURNING {_column(EpisodeThread, 'top_level_count')}"
        ),
    }


def last_number(review_id: int, episode_thread_id: int | None) -> int:
    """``Comment.objects.filter(review_id=…, episode_thread_id=…)
    .aggregate(n=Max("number"))["n"] or 0``."""
    row = _in_thread("last_{thread}", review_id, episode_thread_id)
    return int(row[0] or 0) if row else 0


def lock_reviews(review_ids: list[int]) -> None:
    """``Review.objects.select_for_update().filter(pk__in=review_ids).order_by("pk")``
    on PostgreSQL: the rows stay locked until the transaction ends. SQLite has no row
    locks: its write transactions run one at a time (``BEGIN IMMEDIATE``), so the
    transaction that asks already holds the only lock there is."""
    if connection.vendor != "postgresql":
        return
    with prepared_cursor(connection) as cursor:
        cursor.execute(_sql(connection.vendor)["lock_reviews"], [list(review_ids)])
        cursor.fetchall()


def count_one_more(
    review_id: int, thread_id: int | None, created_at: datetime, *, top_level: bool
) -> tuple[int, int]:
    """One approved comment more in the review (and in ``thread_id``, whose newest
    comment's time moves to ``created_at`` if that is later; ``top_level``: one more
    top-level comment there): one UPDATE each, counting up from the stored counts.
    Returns the review's work and the top-level count of the comment's discussion
    (the review's main one, or ``thread_id``) after it.

    The review's UPDATE is also the post's lock: on PostgreSQL it locks the row until
    the transaction ends (a second post waits for it here, then counts up from the
    first one's committed count), on SQLite the write transaction (``BEGIN
    IMMEDIATE``) already holds the only lock there is; either way no other write can
    move the review to another work or count past this one before it commits. Call it
    first in the transaction that adds a comment that was not approved before (the
    comment's id and number are taken after it, under the lock), or with the lock
    already held (:func:`lock_reviews`). Raises ``Review.DoesNotExist`` when the review
    is gone."""
    sql = _sql(connection.vendor)
    more = int(top_level)
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql["one_more_review"], [more if thread_id is None else 0, review_id])
        row = cursor.fetchone()
        if row is None:
            raise Review.DoesNotExist(f"No review {review_id}")
        work_id, count = row
        if thread_id is not None:
            field = EpisodeThread._meta.get_field("last_comment_at")
            when = field.get_db_prep_value(created_at, connection, prepared=False)
            cursor.execute(sql["one_more_thread"], [more, when, when, thread_id])
            count = cursor.fetchone()[0]
    return int(work_id), int(count)


def roots_before(
    review_id: int, episode_thread_id: int | None, root_path: str, *, newest_first: bool
) -> int:
    """How many approved top-level comments of the thread come before the one whose
    path starts with ``root_path`` (``paging._roots(…).filter(path__gt or __lt).count()``)."""
    key = f"roots_{{thread}}_{'gt' if newest_first else 'lt'}"
    row = _in_thread(key, review_id, episode_thread_id, Comment.Status.APPROVED.value, root_path)
    return int(row[0]) if row else 0
