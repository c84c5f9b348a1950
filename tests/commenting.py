"""Posting comments in tests, for the discussion and spoiler tests (the fixtures that
use these helpers, ``post_comment`` and ``make_comment``, are in tests/conftest.py).

* :func:`token_for` is the comment form's token as the page issued it some seconds ago
  (a younger token counts as a robot).
* :class:`HoldEverything` is a moderation policy that leaves the decision to the test.
"""

from __future__ import annotations

import time
from unittest import mock

from watchworthy.discussion.forms import form_token
from watchworthy.discussion.models import Comment
from watchworthy.discussion.moderation import Decision

PERSON_SECONDS = 10  # how long a person takes to write a short comment


def token_for(review, *, age: float = PERSON_SECONDS) -> str:
    """A form token as the page issued it ``age`` seconds ago."""
    with mock.patch("time.time", return_value=time.time() - age):
        return form_token(review.pk)


def post_url(review) -> str:
    return f"/reviews/{review.slug}/comments/"


class HoldEverything:
    """A moderation policy that holds everything: the test decides the state after."""

    def decide(self, **_):
        return Decision(Comment.Status.PENDING, "held by the test")


def assert_stored_counts_match_the_rows() -> None:
    """Every review's and episode thread's stored counts are what counting the
    comments again gives: approved ones (not removed), and approved top-level ones
    (removed included: they keep their place on the page)."""
    from django.db.models import Count, Q

    from watchworthy.discussion.models import EpisodeThread
    from watchworthy.reviews.models import Review

    approved = Q(comments__status=Comment.Status.APPROVED)
    top = approved & Q(comments__parent__isnull=True)
    reviews = Review.objects.annotate(
        shown=Count("comments", filter=approved & Q(comments__is_removed=False)),
        top=Count("comments", filter=top & Q(comments__episode_thread__isnull=True)),
    )
    for review in reviews:
        stored = (review.approved_comment_count, review.top_level_count)
        assert stored == (review.shown, review.top), f"review {review.pk} ({review.slug})"
    threads = EpisodeThread.objects.annotate(
        shown=Count("comments", filter=approved & Q(comments__is_removed=False)),
        top=Count("comments", filter=top),
    )
    for thread in threads:
        stored = (thread.approved_comment_count, thread.top_level_count)
        assert stored == (thread.shown, thread.top), f"episode thread {thread}"
