"""Each discussion's stored count of approved top-level comments (the review's main
one, and each episode thread's) stays what counting them again gives through every
write, and a post's redirect finds the new comment's page from it, without counting
the thread: the same page the count over the thread gives, in either order."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.commenting import assert_stored_counts_match_the_rows
from tests.factories import ReviewFactory, SeasonFactory
from watchworthy.core.models import SiteSettings
from watchworthy.discussion import paging
from watchworthy.discussion.models import Comment, VerifiedAddress
from watchworthy.discussion.services import (
    comment_moderate,
    comment_post,
    comment_remove,
    refresh_comment_counts,
)
from watchworthy.reviews.models import Review
from watchworthy.spoilers.shield import Position

pytestmark = pytest.mark.django_db

REGULAR = "regular@example.org"


@pytest.fixture
def regular():
    """An address whose comments are approved at once (approved before, confirmed)."""
    earlier = ReviewFactory()
    first = comment_post(review=earlier, body="Hi.", author_name="Reg", author_email=REGULAR)
    comment_moderate(comments=[first], status=Comment.Status.APPROVED)
    VerifiedAddress.verify(REGULAR)
    return REGULAR


def test_the_counts_hold_through_posts_moderation_removal_and_episode_threads(
    regular, make_comment
):
    review = ReviewFactory()
    season = SeasonFactory(work=review.work, number=1, episode_count=3)
    Review.objects.filter(pk=review.pk).update(season=season)
    review = Review.objects.select_related("season", "work").get(pk=review.pk)

    def post(body, **extra):
        return comment_post(
            review=review, body=body, author_name="Reg", author_email=regular, **extra
        )

    steps = []
    top = post("Top, approved at once.")
    steps.append(post("A reply.", parent=top))
    steps.append(post("In episode 2.", episode=Position(1, 2)))
    held = make_comment(review, status=Comment.Status.PENDING)
    held_in_episode = make_comment(review, status=Comment.Status.PENDING, episode=Position(1, 2))
    assert_stored_counts_match_the_rows()
    comment_moderate(comments=[held, held_in_episode], status=Comment.Status.APPROVED)
    assert_stored_counts_match_the_rows()
    comment_remove(comment=Comment.objects.get(pk=top.pk))  # a tombstone keeps its place
    assert_stored_counts_match_the_rows()
    comment_moderate(comments=[Comment.objects.get(pk=held.pk)], status=Comment.Status.SPAM)
    assert_stored_counts_match_the_rows()
    comment_moderate(comments=[Comment.objects.get(pk=top.pk)], status=Comment.Status.TRASH)
    assert_stored_counts_match_the_rows()
    review.refresh_from_db()
    assert review.top_level_count == 0  # the tombstone trashed, the held one spam
    thread = review.discussion_threads.get()
    assert thread.top_level_count == 2
    Comment.objects.filter(pk=held.pk).delete()
    refresh_comment_counts([review.pk])
    assert_stored_counts_match_the_rows()


@pytest.mark.parametrize("newest_first", [False, True])
def test_a_posts_redirect_shows_the_page_with_the_comment_without_counting_the_thread(
    client, regular, post_comment, newest_first
):
    SiteSettings.objects.update_or_create(
        pk=1, defaults={"comments_per_page": 2, "comments_newest_first": newest_first}
    )
    review = ReviewFactory()
    for n in range(1, 6):
        with CaptureQueriesContext(connection) as captured:
            response = post_comment(client, review, author_email=regular, body=f"Number {n}.")
        assert response.status_code == 302
        comment = Comment.objects.get(body=f"Number {n}.")
        assert comment.status == Comment.Status.APPROVED
        location = urlparse(response["Location"])
        shown = int(parse_qs(location.query).get("page", ["1"])[0])
        counted = paging.page_of(
            Comment.objects.get(pk=comment.pk), per_page=2, newest_first=newest_first
        )
        assert shown == counted == (1 if newest_first else (n + 1) // 2)
        assert location.fragment == comment.anchor
        page = client.get(response["Location"]).content.decode()
        assert f'id="{comment.anchor}"' in page
        counts = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)")]
        assert not [sql for sql in counts if '"discussion_comment"' in sql], counts


def test_a_replys_redirect_still_finds_its_threads_page(client, regular, post_comment):
    SiteSettings.objects.update_or_create(pk=1, defaults={"comments_per_page": 1})
    review = ReviewFactory()
    for n in range(3):
        post_comment(client, review, author_email=regular, body=f"Top {n}.")
    first = Comment.objects.get(body="Top 0.")
    response = post_comment(
        client, review, author_email=regular, body="Reply.", parent=str(first.pk)
    )
    assert response.status_code == 302
    assert "page=" not in response["Location"]  # the first thread: page 1
    reply = Comment.objects.get(body="Reply.")
    assert reply.parent_id == first.pk and response["Location"].endswith(f"#{reply.anchor}")
