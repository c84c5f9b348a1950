"""Who gets a stored page, and what it costs: guests share one copy per URL and reading
position; signed-in readers and guests with their own state never get a shared copy."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tests.spoilers.conftest import set_progress

from .conftest import READ_PAST_IT, SECRET

pytestmark = pytest.mark.django_db


def spoiler_open(html: str) -> bool:
    """Whether the Part 1, episode 5 spoiler block is open on this page."""
    assert SECRET in html  # closed or open, the block is on the page
    return '<details open class="spoiler"' in html


def test_a_second_guest_gets_the_same_bytes_without_a_query(review):
    first = Client().get(review.get_absolute_url())
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = Client().get(review.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Cookie" in second["Vary"]


def test_a_stored_page_keeps_the_security_headers(review):
    first = Client().get(review.get_absolute_url())
    second = Client().get(review.get_absolute_url())
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert second.get(header) == first.get(header), header


def test_a_browser_that_has_the_page_gets_304(review):
    etag = Client().get(review.get_absolute_url())["ETag"]
    again = Client().get(review.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    changed = Client().get(review.get_absolute_url(), HTTP_IF_NONE_MATCH='"something-else"')
    assert changed.status_code == 200


def test_each_reading_position_has_its_own_copy(review):
    ahead, fresh = Client(), Client()
    set_progress(ahead, review.work, READ_PAST_IT)
    ahead.get(review.get_absolute_url())  # shows (and spends) the "Saved" notice

    for _ in range(2):  # the first round fills the cache, the second reads it
        page_ahead = ahead.get(review.get_absolute_url())
        page_fresh = fresh.get(review.get_absolute_url())
        assert spoiler_open(page_ahead.content.decode())
        assert not spoiler_open(page_fresh.content.decode())
    assert page_ahead["X-Page-Cache"] == page_fresh["X-Page-Cache"] == "hit"
    assert page_ahead.content != page_fresh.content


def test_signed_in_readers_never_get_or_fill_a_shared_copy(review):
    Client().get(review.get_absolute_url())  # a guest fills the cache
    member = Client()
    member.force_login(UserFactory(username="wren"))
    response = member.get(review.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert response["Cache-Control"] == "private, no-cache"
    assert b"wren" in response.content.lower() or b"Sign out" in response.content
    assert b"csrfmiddlewaretoken" in response.content
    guest = Client().get(review.get_absolute_url())
    assert guest["X-Page-Cache"] == "hit"
    assert b"csrfmiddlewaretoken" not in guest.content


def test_a_guest_with_a_held_comment_sees_it_and_nobody_else_does(
    review, post_comment, generous_comment_limits
):
    Client().get(review.get_absolute_url())
    writer = Client()
    response = post_comment(writer, review, body="Held words: sandpiper.", follow=True)
    assert response.status_code == 200
    assert b"sandpiper" in writer.get(review.get_absolute_url()).content
    assert "X-Page-Cache" not in writer.get(review.get_absolute_url())
    other = Client().get(review.get_absolute_url())
    assert other["X-Page-Cache"] == "hit"
    assert b"sandpiper" not in other.content


def test_pages_that_do_not_ask_for_it_are_never_stored(review):
    for _ in range(2):
        response = Client().get("/accounts/login/")
        assert "X-Page-Cache" not in response


def test_a_preview_of_an_unpublished_review_is_never_stored(review):
    review.status = review.Status.DRAFT
    review.save()
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert staff.get(review.get_absolute_url()).status_code == 200
    assert Client().get(review.get_absolute_url()).status_code == 404


def test_switched_off_nothing_is_stored(review, settings):
    settings.WATCHWORTHY_PAGE_CACHE = False
    for _ in range(2):
        assert "X-Page-Cache" not in Client().get(review.get_absolute_url())
