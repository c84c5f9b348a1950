"""One sent comment form makes at most one comment per client: the comment carries the
form's submission key (its signed token with the client that sent it), unique in the
database, so a double click or a replayed form is refused, says so, keeps the text
and writes nothing; the same cached form sent by another reader still works."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from tests.commenting import HoldEverything, post_url, token_for
from tests.factories import ReviewFactory
from watchworthy.discussion.forms import submission_key
from watchworthy.discussion.models import Comment, VerifiedAddress
from watchworthy.discussion.services import AlreadySent, comment_moderate, comment_post

pytestmark = pytest.mark.django_db


def form(review, token: str, body: str) -> dict[str, str]:
    return {"author_name": "Ann", "author_email": "ann@example.org", "body": body, "token": token}


def test_a_held_comments_form_sent_again_is_refused_and_keeps_the_text(monkeypatch):
    monkeypatch.setattr(
        "watchworthy.discussion.moderation.ModerationPolicy.current", lambda: HoldEverything()
    )
    review = ReviewFactory()
    token = token_for(review)
    assert Client().post(post_url(review), form(review, token, "Held once.")).status_code == 302
    again = Client().post(post_url(review), form(review, token, "Held twice?"))
    assert again.status_code == 400
    page = again.content.decode()
    assert "already sent" in page and "Held twice?" in page
    assert list(Comment.objects.values_list("body", "status")) == [("Held once.", "pending")]


def test_the_same_cached_form_works_once_for_each_reader():
    """A cached page gives every guest the same token: it is spent per client."""
    review = ReviewFactory()
    VerifiedAddress.verify("ann@example.org")
    token = token_for(review)
    first = Client(REMOTE_ADDR="203.0.113.5").post(post_url(review), form(review, token, "One."))
    other = Client(REMOTE_ADDR="203.0.113.6").post(post_url(review), form(review, token, "Two."))
    replay = Client(REMOTE_ADDR="203.0.113.5").post(post_url(review), form(review, token, "3."))
    assert (first.status_code, other.status_code, replay.status_code) == (302, 302, 400)
    assert sorted(Comment.objects.values_list("body", flat=True)) == ["One.", "Two."]
    keys = set(Comment.objects.values_list("submission_key", flat=True))
    assert keys == {submission_key(token, "203.0.113.5"), submission_key(token, "203.0.113.6")}


def test_a_refused_sending_takes_no_number_and_changes_no_count():
    review = ReviewFactory()
    VerifiedAddress.verify("ann@example.org")
    kwargs = {"review": review, "author_name": "Ann", "author_email": "ann@example.org"}
    first = comment_post(body="First.", submission_key="k1", **kwargs)
    comment_moderate(comments=[first], status=Comment.Status.APPROVED)  # a regular now
    kept = comment_post(body="Second.", submission_key="k2", **kwargs)
    assert kept.status == Comment.Status.APPROVED and kept.number == 2
    with pytest.raises(AlreadySent):
        comment_post(body="Second again.", submission_key="k2", **kwargs)
    third = comment_post(body="Third.", submission_key="k3", **kwargs)
    assert third.number == 3
    review.refresh_from_db()
    assert review.approved_comment_count == 3
    assert not Comment.objects.filter(body="Second again.").exists()


def test_comments_from_elsewhere_carry_no_key_and_never_collide():
    review = ReviewFactory()
    for body in ("From an import.", "From the fediverse."):
        comment_post(review=review, body=body, author_name="Bo", author_email="bo@example.org")
    assert list(Comment.objects.values_list("submission_key", flat=True)) == ["", ""]


def test_posts_leave_no_entry_per_post_in_the_cache_folder(tmp_path, post_comment):
    """Spent tokens were a cache entry each: a new file per post in the production
    cache folder (and evicted cached pages once it filled). Now a reader's posts
    reuse the same few entries (rate limits, page versions)."""
    folder = tmp_path / "cache"
    caches = {
        "default": {
            "BACKEND": "watchworthy.core.filecache.FolderCache",
            "LOCATION": str(folder),
        }
    }
    review = ReviewFactory()
    VerifiedAddress.verify("ann@example.org")
    with override_settings(CACHES=caches):
        cache.clear()
        client = Client()
        assert post_comment(client, review, body="Warm.").status_code == 302
        entries = len(os.listdir(folder))
        for n in range(3):
            assert post_comment(client, review, body=f"Post {n}.").status_code == 302
        assert len(os.listdir(folder)) == entries
    assert Comment.objects.filter(review=review).count() == 4
