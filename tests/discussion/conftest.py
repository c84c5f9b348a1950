"""Fixtures for the discussion tests.

* ``post_comment(client, review, **fields)`` sends the comment form the way a browser
  does: with a form token issued some seconds ago (a younger token counts as a robot).
* ``make_comment(review, ...)`` creates a comment through the services (numbers, paths
  and counts are the real ones) in whatever moderation state the test needs.
* ``approved_email`` is an address whose owner has had a comment approved already,
  so their next comment is published at once.
"""

from __future__ import annotations

import json
import time
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.http import HttpResponse

from tests.factories import ReviewFactory, UserFactory
from watchworthy.discussion import identity
from watchworthy.discussion.forms import form_token
from watchworthy.discussion.models import Comment
from watchworthy.discussion.moderation import Decision
from watchworthy.discussion.services import comment_moderate, comment_post

PERSON_SECONDS = 10  # how long a person takes to write a short comment


def token_for(review, *, age: float = PERSON_SECONDS) -> str:
    """A form token as the page issued it ``age`` seconds ago."""
    with mock.patch("time.time", return_value=time.time() - age):
        return form_token(review.pk)


def post_url(review) -> str:
    return f"/reviews/{review.slug}/comments/"


def local(url: str) -> str:
    """An absolute link from a mail, as a path on the test server."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return parts.path + query + (f"#{parts.fragment}" if parts.fragment else "")


def mine_cookie(client, comment_ids) -> None:
    """Give ``client`` the signed "comments I wrote" cookie a browser gets on posting."""
    response = HttpResponse()
    response.set_signed_cookie(
        identity.MINE_COOKIE, json.dumps(list(comment_ids)), salt=identity.SALT
    )
    client.cookies[identity.MINE_COOKIE] = response.cookies[identity.MINE_COOKIE].value


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """Most tests post more than the default 5 comments a minute from 127.0.0.1; the
    rate-limit tests set their own limits again."""
    settings.WATCHWORTHY_COMMENTS = {
        **settings.WATCHWORTHY_COMMENTS,
        "RATE_PER_IP": (1000, 60),
        "RATE_PER_EMAIL": (1000, 60),
    }


@pytest.fixture
def critic(db):
    return UserFactory(username="mara", display_name="Mara Quill", email="mara@example.org")


@pytest.fixture
def review(critic):
    return ReviewFactory(title="Ferrylight, Part 1", slug="ferrylight-part-1", author=critic)


@pytest.fixture
def post_comment():
    def post(client, review, *, token_age=PERSON_SECONDS, ip=None, follow=False, **fields):
        data = {
            "author_name": "Ann Reader",
            "author_email": "ann@example.org",
            "body": "Hello *there*",
            "token": token_for(review, age=token_age),
        }
        data.update(fields)
        data = {key: value for key, value in data.items() if value is not None}
        extra = {"REMOTE_ADDR": ip} if ip else {}
        return client.post(post_url(review), data, follow=follow, **extra)

    return post


class HoldEverything:
    """A moderation policy that holds everything: the test decides the state after."""

    def decide(self, **_):
        return Decision(Comment.Status.PENDING, "held by the test")


@pytest.fixture
def make_comment(db):
    counter = iter(range(1, 10**6))

    def make(
        review,
        body: str | None = None,
        *,
        parent: Comment | None = None,
        user=None,
        name: str | None = None,
        email: str | None = None,
        status: str = Comment.Status.APPROVED,
        **extra,
    ) -> Comment:
        n = next(counter)
        comment = comment_post(
            review=review,
            body=body or f"Comment body {n}.",
            author_name=name or f"Reader {n}",
            author_email=email or f"reader{n}@example.org",
            user=user,
            parent=parent,
            policy=HoldEverything(),
            **extra,
        )
        if status != Comment.Status.PENDING:
            comment_moderate(comments=[comment], status=status)
        comment.refresh_from_db()
        return comment

    return make


@pytest.fixture
def approved_email(review, make_comment):
    """ann@example.org has had a comment approved (on another review)."""
    other = ReviewFactory(author=review.author)
    make_comment(other, "An earlier comment.", name="Ann Reader", email="ann@example.org")
    return "ann@example.org"
