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
