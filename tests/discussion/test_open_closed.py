"""A critic can close a review's comments, or have the site close them after some days.
Closed means: the discussion so far stays readable, but there is no form and a post
is refused."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests import dom
from tests.factories import ReviewFactory
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.models import Comment
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db

CLOSED = "Comments are closed"


def view(review) -> dom.Element:
    response = Client().get(review.get_absolute_url())
    assert response.status_code == 200
    return dom.page(response)


def assert_closed(root) -> None:
    assert dom.comment_form(root) is None
    assert root.find("textarea") is None
    assert CLOSED in root.by_id("comments").text
    assert root.find("a", cls="reply-link") is None


def assert_open(root) -> None:
    assert dom.comment_form(root) is not None
    assert CLOSED not in root.by_id("comments").text


def test_closed_review_shows_its_discussion_but_no_form(review, make_comment):
    make_comment(review, "Said before closing.")
    review.comments_open = False
    review.save()

    root = view(review)
    assert_closed(root)
    assert [s.body for s in dom.shown_comments(root)] == ["Said before closing."]


def test_post_to_a_closed_review_is_refused(client, post_comment, approved_email, review):
    review.comments_open = False
    review.save()

    response = post_comment(client, review, body="Let me in.")
    assert response.status_code in (400, 403)
    root = dom.page(response, status=None)
    assert CLOSED in root.text
    assert not Comment.objects.filter(review=review).exists()


def test_reply_to_a_closed_review_is_refused(
    client, post_comment, approved_email, review, make_comment
):
    top = make_comment(review, "Top.")
    review.comments_open = False
    review.save()
    response = post_comment(client, review, body="A late reply.", parent=top.pk)
    assert response.status_code in (400, 403)
    assert not Comment.objects.filter(body="A late reply.").exists()


def test_site_closes_comments_some_days_after_publishing(
    client, post_comment, approved_email, critic
):
    SiteSettings.objects.create(comments_close_after_days=7)
    now = timezone.now()
    old = ReviewFactory(author=critic, published_at=now - timedelta(days=8))
    recent = ReviewFactory(author=critic, published_at=now - timedelta(days=6))

    assert_closed(view(old))
    assert_open(view(recent))

    response = post_comment(client, old, body="Too late.")
    assert response.status_code in (400, 403)
    assert CLOSED in dom.page(response, status=None).text
    assert post_comment(client, recent, body="Just in time.").status_code == 302
    assert list(
        Comment.objects.filter(body__in=["Too late.", "Just in time."]).values_list(
            "body", flat=True
        )
    ) == ["Just in time."]


def test_zero_days_means_comments_never_close(critic):
    SiteSettings.objects.create(comments_close_after_days=0)
    ancient = ReviewFactory(author=critic, published_at=timezone.now() - timedelta(days=3650))
    assert_open(view(ancient))


def test_unpublished_reviews_take_no_comments(client, post_comment, approved_email, critic):
    draft = ReviewFactory(author=critic, status=Review.Status.DRAFT)
    response = post_comment(client, draft, body="Sneaky.")
    assert response.status_code == 404
    assert not Comment.objects.filter(body="Sneaky.").exists()


def test_comment_endpoint_accepts_only_post(client, review):
    assert client.get(f"/reviews/{review.slug}/comments/").status_code == 405
