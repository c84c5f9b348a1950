"""A reader never sees a stale page: while comments are approved, the review is edited
and votes are cast, guests (with and without reading progress) keep loading the page,
and every read that starts after a change has committed shows that change.

Real commits (``transaction=True``), real threads each on its own database
connection, the real middleware and cache; on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from tests.spoilers.conftest import set_progress
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import comment_moderate, comment_post
from watchworthy.reviews.audience import audience_vote
from watchworthy.reviews.models import Review

from .conftest import READ_PAST_IT

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 4  # each round: one comment approved, one edit, one vote
VOTES = re.compile(rb"(\d+) votes?\b")


def test_every_read_after_a_commit_shows_it(review):
    url = review.get_absolute_url()
    held = [
        comment_post(
            review=review, body=f"comment-marker-{i}", author_name=f"Reader {i}",
            author_email=f"reader{i}@example.org",
        )
        for i in range(ROUNDS)
    ]  # fmt: skip
    assert {c.status for c in held} == {Comment.Status.PENDING}
    ahead = Client()
    set_progress(ahead, review.work, READ_PAST_IT)
    ahead.get(url)  # spends the "Saved" notice
    readers = [Client(), ahead, Client(raise_request_exception=True)]

    # (moment the write returned, what every later page must show)
    committed: list[tuple[float, bytes | int]] = []
    reads: list[tuple[float, bytes, str]] = []
    lock = threading.Lock()
    writing = threading.Event()
    writing.set()
    errors: list[BaseException] = []

    def read(client: Client) -> None:
        try:
            while writing.is_set():
                started = time.monotonic()
                response = client.get(url)
                assert response.status_code == 200
                with lock:
                    reads.append((started, response.content, response.get("X-Page-Cache", "")))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def after_last_change() -> int:
        with lock:
            return sum(1 for started, _, _ in reads if started > committed[-1][0])

    threads = [threading.Thread(target=read, args=(client,)) for client in readers]
    for thread in threads:
        thread.start()
    try:
        for i in range(ROUNDS):
            time.sleep(0.15)
            comment_moderate(comments=[held[i]], status=Comment.Status.APPROVED)
            committed.append((time.monotonic(), f"comment-marker-{i}".encode()))
            time.sleep(0.15)
            fresh = Review.objects.get(pk=review.pk)
            fresh.body += f"\n\nedit-marker-{i}"
            fresh.save()
            committed.append((time.monotonic(), f"edit-marker-{i}".encode()))
            time.sleep(0.15)
            audience_vote(
                review=review, agrees=True, finished=False, guest_token=f"guest-{i}",
                ip_address=f"10.{i}.{i}.1",
            )  # fmt: skip
            committed.append((time.monotonic(), i + 1))
        # Let every reader finish reads that started after the last change.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and after_last_change() < 2 * len(readers):
            time.sleep(0.05)
    finally:
        writing.clear()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors

    stale = []
    for started, content, source in reads:
        for moment, expected in committed:
            if moment >= started:
                continue
            if isinstance(expected, int):
                found = VOTES.search(content)
                if not found or int(found.group(1)) < expected:
                    stale.append((source, f"{expected} votes"))
            elif expected not in content:
                stale.append((source, expected.decode()))
    assert stale == [], f"{len(stale)} stale reads of {len(reads)}: {stale[:5]}"
    sources = [source for _, _, source in reads]
    assert sources.count("hit") >= 3, "the cache was hardly used: the test proves nothing"
    assert after_last_change() >= 2 * len(readers)
