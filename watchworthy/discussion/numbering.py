"""Comment numbers: the one place they are handed out.

Readers refer to "comment 12", so a number, once given, never moves. A top-level
comment gets the next number of its thread (the review's main thread, or one of its
episode threads: each counts from 1) the first time it is approved;
replies have no number. Holding, removing or importing later comments never shifts
an earlier number, because a number is only ever *added* after the highest one the
thread already uses.

Posting and moderation (``services``), the importers and the demo all number through
:func:`number_comments`. The caller holds the review rows' lock
(``services.lock_reviews``; a post, the UPDATE of ``queries.count_one_more``) or is
the only writer (an import in one transaction), and saves the comments it gets back.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import queries
from .models import Comment

ThreadKey = tuple[int, int | None]  # (review id, episode thread id or None: the main one)


def thread_key(comment: Comment) -> ThreadKey:
    return (comment.review_id, comment.episode_thread_id)


def last_number(review_id: int, episode_thread_id: int | None = None) -> int:
    """The highest number a thread of the review uses (0 when none)."""
    # (SQL written once, queries.py: the ORM's aggregate cost more to build than to run)
    return queries.last_number(review_id, episode_thread_id)


def wants_number(comment: Comment) -> bool:
    """Top-level, approved, not removed, and not numbered yet."""
    return (
        comment.parent_id is None
        and comment.number is None
        and comment.status == Comment.Status.APPROVED
        and not comment.is_removed
    )


def number_comments(
    comments: Sequence[Comment], *, last: dict[ThreadKey, int] | None = None
) -> list[Comment]:
    """Give the comments that :func:`wants_number` the next numbers of their thread,
    in the order given, and take a number off any reply. Returns the comments changed
    (unsaved). One query per thread that gets new numbers, unless ``last`` already
    says the thread's highest number (``{(review_id, None): 0}`` for the main thread
    of a review the caller has just created, as an import does)."""
    changed: list[Comment] = []
    for comment in comments:
        if comment.parent_id is not None and comment.number is not None:
            comment.number = None
            changed.append(comment)
    last = dict(last or {})
    for comment in comments:
        if not wants_number(comment):
            continue
        key = thread_key(comment)
        if key not in last:
            last[key] = last_number(*key)
        last[key] += 1
        comment.number = last[key]
        changed.append(comment)
    return changed
