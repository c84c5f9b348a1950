"""Every kind of write empties exactly the stored pages that show it, the moment it
commits. These tests commit for real (``transaction=True``): the change signal, and
so the page cache's forgetting, happens only after a commit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests.factories import ReviewFactory
from watchworthy.core.models import SiteSettings
from watchworthy.core.publishing import NEXT_DUE_KEY
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import comment_moderate, comment_post, comment_remove
from watchworthy.reviews.audience import audience_vote
from watchworthy.spoilers.shield import Position

pytestmark = pytest.mark.django_db(transaction=True)


def cached_read(url: str) -> bytes:
    """Read a page as a new guest, twice; the second read is served from the cache."""
    Client().get(url)
    second = Client().get(url)
    assert second["X-Page-Cache"] == "hit"
    return second.content


def fresh_read(url: str) -> bytes:
    return Client().get(url).content


def test_an_approved_comment_shows_at_once(review):
    held = comment_post(
        review=review, body="The ferry scene: wonderful.", author_name="Ivo",
        author_email="ivo@example.org",
    )  # fmt: skip
    assert held.status == Comment.Status.PENDING
    assert b"wonderful" not in cached_read(review.get_absolute_url())
    comment_moderate(comments=[held], status=Comment.Status.APPROVED)
    assert b"wonderful" in fresh_read(review.get_absolute_url())


def test_a_deleted_comment_leaves_at_once(review):
    comment = comment_post(
        review=review, body="Delete-me words.", author_name="Ivo", author_email="ivo@example.org"
    )
    comment_moderate(comments=[comment], status=Comment.Status.APPROVED)
    assert b"Delete-me" in cached_read(review.get_absolute_url())
    comment_remove(comment=Comment.objects.get(pk=comment.pk))
    assert b"Delete-me" not in fresh_read(review.get_absolute_url())


def test_an_edited_review_shows_the_new_words_on_its_page_and_the_lists(review):
    assert b"Gulls" not in cached_read(review.get_absolute_url())
    assert b"Saltmarsh, Part 1" in cached_read("/")
    review.title = "Saltmarsh, Part 1: Gulls"
    review.body = review.body + "\n\nGulls everywhere."
    review.save()
    assert fresh_read(review.get_absolute_url()).count(b"Gulls") >= 2
    assert b"Saltmarsh, Part 1: Gulls" in fresh_read("/")


def test_a_vote_changes_the_meter(review):
    audience_vote(
        review=review, agrees=True, finished=False, guest_token="a", ip_address="10.1.1.1"
    )
    assert b"1 vote" in cached_read(review.get_absolute_url())
    audience_vote(
        review=review, agrees=False, finished=False, guest_token="b", ip_address="10.2.2.2"
    )
    assert b"2 votes" in fresh_read(review.get_absolute_url())


def test_an_unpublished_review_disappears(review):
    assert b"Saltmarsh" in cached_read("/")
    cached_read(review.get_absolute_url())
    review.status = review.Status.DRAFT
    review.save()
    assert Client().get(review.get_absolute_url()).status_code == 404
    assert b"Saltmarsh" not in fresh_read("/")


def test_a_scheduled_review_appears_at_its_time(review):
    later = ReviewFactory(
        title="Mudflat Dawn",
        slug="mudflat-dawn",
        status=review.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(seconds=2),
    )
    assert b"Mudflat Dawn" not in cached_read("/")
    later.published_at = timezone.now() - timedelta(seconds=1)  # its time has come
    type(later).objects.filter(pk=later.pk).update(published_at=later.published_at)
    cache.delete(NEXT_DUE_KEY)  # as if the hour-long reminder had run out
    assert b"Mudflat Dawn" in fresh_read("/")


def test_a_site_setting_reaches_every_page(review):
    cached_read(review.get_absolute_url())
    cached_read("/")
    site = SiteSettings.current()
    site.site_name = "Marsh Notes"
    site.save()
    assert b"Marsh Notes" in fresh_read(review.get_absolute_url())
    assert b"Marsh Notes" in fresh_read("/")


def test_a_change_elsewhere_keeps_this_page_stored(review):
    other = ReviewFactory(title="Another Show", slug="another-show")
    cached_read(review.get_absolute_url())
    comment = comment_post(
        review=other, body="Unrelated.", author_name="Ivo", author_email="ivo@example.org"
    )
    comment_moderate(comments=[comment], status=Comment.Status.APPROVED)
    assert Client().get(review.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_comment_in_an_episode_thread_shows_at_once_in_its_thread_and_the_index(review):
    from tests.spoilers.conftest import set_progress

    thread_url = f"{review.get_absolute_url()}ep/3/"

    ahead = Client()
    set_progress(ahead, review.work, "1:6")  # past episode 3
    ahead.get(review.get_absolute_url())  # shows (and spends) the "Saved" notice

    def read_at(url: str, *, twice: bool) -> str:
        """The guest at Part 1, ep 6 reads ``url`` (twice: the second from the cache)."""
        response = ahead.get(url)
        if twice:
            response = ahead.get(url)
            assert response["X-Page-Cache"] == "hit"
        return response.content.decode()

    assert "No comments yet" in read_at(thread_url, twice=True)
    assert '1, ep 3</a> <span class="episode-meta">· 0 comments' in read_at(
        review.get_absolute_url(), twice=True
    )
    held = comment_post(
        review=review, body="Episode three, in its thread.", author_name="Ivo",
        author_email="ivo@example.org", episode=Position(1, 3),
    )  # fmt: skip
    comment_moderate(comments=[held], status=Comment.Status.APPROVED)
    assert "Episode three, in its thread." in read_at(thread_url, twice=False)
    assert '1, ep 3</a> <span class="episode-meta">· 1 comment' in read_at(
        review.get_absolute_url(), twice=False
    )


def test_pages_of_a_part_still_airing_are_not_stored(review):
    season = review.season
    season.air_dates = f"{timezone.localdate()} {timezone.localdate() + timedelta(days=7)}"
    season.save()
    for url in (review.get_absolute_url(), f"{review.get_absolute_url()}ep/2/"):
        Client().get(url)
        assert Client().get(url).get("X-Page-Cache") != "hit", url
    season.air_dates = ""
    season.save()
    assert cached_read(review.get_absolute_url())


def test_the_places_a_post_names_give_the_tags_a_lookup_gives(review, django_assert_num_queries):
    """The page cache takes a comment's review and a review's work from the change
    (``ChangeSet.places``) instead of asking: the same tags, no queries; a row whose
    place was not said is still looked up."""
    from watchworthy.core.changes import COUNTS, ChangeSet, aspect_label
    from watchworthy.pagecache.invalidation import tags_for

    comment = comment_post(
        review=review, body="Placed.", author_name="Ivo", author_email="ivo@example.org"
    )
    by_label = {
        "discussion.comment": frozenset({comment.pk}),
        aspect_label("reviews.review", COUNTS): frozenset({review.pk}),
    }
    looked_up = tags_for(ChangeSet(by_label))
    assert looked_up >= {f"review:{review.pk}", f"work:{review.work_id}", "comments", "lists"}
    placed = ChangeSet(
        by_label,
        places={
            "discussion.comment": {comment.pk: review.pk},
            "reviews.review": {review.pk: review.work_id},
        },
    )
    with django_assert_num_queries(0):
        assert tags_for(placed) == looked_up
    half = ChangeSet(by_label, places={"discussion.comment": {comment.pk: review.pk}})
    with django_assert_num_queries(1):  # the review's work
        assert tags_for(half) == looked_up
