"""Comment numbers: the one place they are handed out.

Readers refer to "comment 12", so a number, once given, never moves. A top-level
comment gets the next number of its review's thread the first time it is approved;
replies have no number. Holding, removing or importing later comments never shifts
an earlier number, because a number is only ever *added* after the highest one the
thread already uses.

Posting and moderation (``services``), the importers and the demo all number through
:func:`number_comments`. The caller holds the review rows' lock
(:func:`watchworthy.discussion.services.lock_reviews`) or is the only writer (an
import in one transaction), and saves the comments it gets back.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Max

from .models import Comment


def last_number(review_id: int) -> int:
    """The highest number the review's thread uses (0 when none)."""
    return Comment.objects.filter(review_id=review_id).aggregate(n=Max("number"))["n"] or 0


def wants_number(comment: Comment) -> bool:
    """Top-level, approved, not removed, and not numbered yet."""
    return (
        comment.parent_id is None
        and comment.number is None
        and comment.status == Comment.Status.APPROVED
        and not comment.is_removed
    )


def number_comments(
    comments: Sequence[Comment], *, last: dict[int, int] | None = None
) -> list[Comment]:
    """Give the comments that :func:`wants_number` the next numbers of their review's
    thread, in the order given, and take a number off any reply. Returns the comments
    changed (unsaved). One query per review that gets new numbers, unless ``last``
    already says the review's highest number (0 for a review the caller has just
    created, as an import does)."""
    changed: list[Comment] = []
    for comment in comments:
        if comment.parent_id is not None and comment.number is not None:
            comment.number = None
            changed.append(comment)
    last = dict(last or {})
    for comment in comments:
        if not wants_number(comment):
            continue
        if comment.review_id not in last:
            last[comment.review_id] = last_number(comment.review_id)
        last[comment.review_id] += 1
        comment.number = last[comment.review_id]
        changed.append(comment)
    return changed
