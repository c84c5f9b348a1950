"""Fixtures for the discussion tests (``post_comment``, ``make_comment`` and ``critic``
are shared with the spoiler tests, in tests/conftest.py).

* ``approved_email`` is an address whose owner has had a comment approved already,
  so their next comment is published at once.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.http import HttpResponse

from tests.factories import ReviewFactory
from watchworthy.core.cookies import set_private_cookie
from watchworthy.discussion import identity
from watchworthy.discussion.models import VerifiedAddress


def local(url: str) -> str:
    """An absolute link from a mail, as a path on the test server."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return parts.path + query + (f"#{parts.fragment}" if parts.fragment else "")


def mine_cookie(client, comment_ids) -> None:
    """Give ``client`` the signed "comments I wrote" cookie a browser gets on posting."""
    response = HttpResponse()
    set_private_cookie(response, identity.MINE_COOKIE, list(comment_ids), max_age=3600)
    client.cookies[identity.MINE_COOKIE] = response.cookies[identity.MINE_COOKIE].value


@pytest.fixture(autouse=True)
def _generous_rate_limits(generous_comment_limits):
    """Most tests post more than the default 5 comments a minute from 127.0.0.1; the
    rate-limit tests set their own limits again."""


@pytest.fixture
def review(critic):
    return ReviewFactory(title="Ferrylight, Part 1", slug="ferrylight-part-1", author=critic)


@pytest.fixture
def approved_email(review, make_comment):
    """ann@example.org has had a comment approved (on another review) and confirmed her
    address by the link we mailed her."""
    other = ReviewFactory(author=review.author)
    make_comment(other, "An earlier comment.", name="Ann Reader", email="ann@example.org")
    VerifiedAddress.verify("ann@example.org")
    return "ann@example.org"
