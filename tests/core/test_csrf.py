"""Guest forms on shared pages prove their origin the way browsers say it; signed-in
readers keep Django's token. Clients here enforce CSRF as a browser's server would."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.commenting import post_url, token_for
from tests.factories import ReviewFactory, UserFactory
from watchworthy.discussion.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(generous_comment_limits):
    return ReviewFactory()


def post(review, client=None, **headers):
    client = client or Client(enforce_csrf_checks=True)
    data = {
        "author_name": "Ann Reader",
        "author_email": "ann@example.org",
        "body": "From where?",
        "token": token_for(review),
    }
    return client.post(post_url(review), data, **headers)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_REFERER": "http://testserver/reviews/x/"},
    ],
)
def test_a_guest_form_from_our_own_page_is_accepted(review, headers):
    response = post(review, **headers)
    assert response.status_code == 302
    assert Comment.objects.filter(review=review).count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "https://evil.example/page"},
        {},
    ],
)
def test_a_guest_form_from_anywhere_else_is_refused(review, headers):
    response = post(review, **headers)
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_a_signed_in_reader_still_needs_the_token(review):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = post(review, client, HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 403
    page = client.get(review.get_absolute_url())
    token = page.content.split(b'name="csrfmiddlewaretoken" value="')[1].split(b'"')[0]
    data = {"body": "With the token.", "token": token_for(review)}
    data["csrfmiddlewaretoken"] = token.decode()
    accepted = client.post(post_url(review), data, HTTP_SEC_FETCH_SITE="same-origin")
    assert accepted.status_code == 302
    assert Comment.objects.filter(body="With the token.").exists()


def test_a_guest_page_carries_no_per_visitor_token(review):
    page = Client().get(review.get_absolute_url())
    assert b"csrfmiddlewaretoken" not in page.content
    assert "csrftoken" not in page.cookies
