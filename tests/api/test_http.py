"""HTTP around the API: validators and 304s that follow every change, CORS for any
origin without credentials, HEAD, and the site's page cache and headers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from watchworthy.core.publishing import announce_due
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import comment_moderate
from watchworthy.reviews.audience import audience_vote
from watchworthy.reviews.models import Review

from .conftest import HELD_WORD

pytestmark = pytest.mark.django_db

REVIEWS = "/api/reviews/"
COMMENTS = "/api/reviews/ferrylight-part-2/comments/"


def test_a_conditional_get_is_a_304_until_something_changes(client, site, capture_changes):
    first = client.get(COMMENTS)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"

    again = client.get(COMMENTS, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag and not again.content
    assert client.get(COMMENTS, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

    with capture_changes():
        comment_moderate(comments=[site["held"]], status=Comment.Status.APPROVED)

    after = client.get(COMMENTS, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert HELD_WORD in after.content.decode()
    assert after["ETag"] != etag
    # A second change in the same second still moves Last-Modified on.
    assert client.get(COMMENTS, HTTP_IF_MODIFIED_SINCE=modified).status_code == 200


def _validators_move_after(client, capture_changes, change) -> None:
    before = client.get(REVIEWS)
    with capture_changes():
        change()
    after = client.get(REVIEWS, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert client.get(REVIEWS, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"]).status_code == 200


def test_publishing_a_draft_moves_the_validators(client, site, capture_changes):
    draft = site["draft"]

    def publish():
        draft.status = Review.Status.PUBLISHED
        draft.published_at = timezone.now() - timedelta(minutes=1)
        draft.save()

    _validators_move_after(client, capture_changes, publish)
    assert "a-draft" in client.get(REVIEWS).content.decode()


def test_editing_a_review_moves_the_validators(client, site, capture_changes):
    review = site["review"]

    def edit():
        review.title = "Ferrylight, Part 2 (revised)"
        review.save()

    _validators_move_after(client, capture_changes, edit)


def test_a_scheduled_review_going_live_moves_the_validators(client, site, capture_changes):
    before = client.get(REVIEWS)
    assert "tomorrow" not in before.content.decode()
    Review.objects.filter(pk=site["scheduled"].pk).update(
        published_at=timezone.now() - timedelta(seconds=1)
    )  # its time has come, which is no write: nothing has told the API yet
    with capture_changes():
        announce_due()  # what the next request does first (DueWorkMiddleware)
    after = client.get(REVIEWS, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "tomorrow" in after.content.decode()


def test_a_vote_moves_the_validators(client, site, capture_changes):
    """Counters change no text, only the tallies an answer shows (the change signal's
    counts aspect): the validators move all the same."""

    def vote():
        audience_vote(review=site["review"], agrees=True, finished=True, guest_token="t" * 32)

    _validators_move_after(client, capture_changes, vote)
    (item,) = [r for r in client.get(REVIEWS).json()["items"] if r["slug"] == site["review"].slug]
    assert item["audience"]["votes"] == 1


def test_every_address_has_its_own_etag(client, site):
    etags = {client.get(url)["ETag"] for url in (REVIEWS, f"{REVIEWS}?per_page=1", COMMENTS)}
    assert len(etags) == 3


def test_errors_carry_no_validators(client, site):
    for url in ("/api/reviews/nope/", f"{REVIEWS}?page=0"):
        response = client.get(url)
        assert response.status_code in (400, 404)
        assert not response.has_header("ETag") and not response.has_header("Last-Modified")


# --- CORS ------------------------------------------------------------------------------


def test_any_origin_may_read_without_credentials(client, site):
    response = client.get(REVIEWS, HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert not response.has_header("Access-Control-Allow-Credentials")
    error = client.get("/api/reviews/nope/", HTTP_ORIGIN="https://elsewhere.example")
    assert error["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_allows_reading_only(client, site):
    response = client.options(
        REVIEWS,
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert not response.has_header("Access-Control-Allow-Credentials")


def test_writes_are_refused(client, site):
    for method in (client.post, client.put, client.delete):
        response = method(REVIEWS)
        assert response.status_code == 405
        assert response.json()["detail"]


def test_pages_outside_the_api_get_no_cors_headers(client, site):
    response = client.get("/reviews/ferrylight-part-2/", HTTP_ORIGIN="https://elsewhere.example")
    assert response.status_code == 200
    assert not response.has_header("Access-Control-Allow-Origin")
    preflight = client.options("/reviews/", HTTP_ORIGIN="https://elsewhere.example")
    assert not preflight.has_header("Access-Control-Allow-Origin")


# --- HEAD, the page cache, headers -------------------------------------------------------


def test_head_is_get_without_the_body(client, site):
    get = client.get(REVIEWS)
    head = client.head(REVIEWS)
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Type"].startswith("application/json")


def test_the_page_cache_never_stores_api_answers(settings, site, critic):
    """The API sets its own validators and never calls ``cacheable``: guests and a
    signed-in critic get the same answer, rendered each time (or a 304)."""
    settings.WATCHWORTHY_PAGE_CACHE = True
    guest = Client().get(REVIEWS)
    assert not guest.has_header("X-Page-Cache")
    signed_in = Client()
    signed_in.force_login(critic)
    theirs = signed_in.get(REVIEWS)
    assert theirs.content == guest.content
    assert theirs["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Cookie" not in theirs.get("Vary", "")


def test_answers_are_json_with_the_site_headers(client, site):
    response = client.get(REVIEWS)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.has_header("Content-Security-Policy")
    missing = client.get("/api/nothing/")
    assert missing["Content-Type"] == "application/json"
    assert missing.has_header("Content-Security-Policy")
