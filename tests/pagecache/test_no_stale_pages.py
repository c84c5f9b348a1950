"""A reader never sees a stale page: while comments are approved, the review is edited
and votes are cast, guests (with and without reading progress) keep loading the page,
and every read that starts after a change has committed shows that change: from the
Python page cache, from the page files an nginx front serves (and, in
test_nginx_front.py, through a real nginx).

Real commits (``transaction=True``), real threads each on its own database
connection, the real middleware and cache; on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from tests.spoilers.conftest import set_progress
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import comment_moderate, comment_post
from watchworthy.pagecache import files
from watchworthy.reviews.audience import audience_vote
from watchworthy.reviews.models import Review

from .conftest import READ_PAST_IT

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 4  # each round: one comment approved, one edit, one vote
VOTES = re.compile(rb"(\d+) votes?\b")


Reader = Callable[[], tuple[int, bytes, str]]  # one page load: status, body, source


def guest_readers(review) -> tuple[Client, Client]:
    """A guest without progress, and one whose progress opens the spoiler."""
    ahead = Client()
    set_progress(ahead, review.work, READ_PAST_IT)
    ahead.get(review.get_absolute_url())  # spends the "Saved" notice
    return Client(), ahead


def client_reader(client: Client, url: str) -> Reader:
    def read() -> tuple[int, bytes, str]:
        response = client.get(url)
        return response.status_code, response.content, response.get("X-Page-Cache", "")

    return read


def test_every_read_after_a_commit_shows_it(review):
    url = review.get_absolute_url()
    plain, ahead = guest_readers(review)
    readers = [client_reader(c, url) for c in (plain, ahead, Client(raise_request_exception=True))]
    sources = read_while_changing(review, readers)
    assert sources.count("hit") >= 3, "the cache was hardly used: the test proves nothing"


def test_every_page_file_after_a_commit_shows_it(review, settings, tmp_path):
    """The same with page files (files.py): each guest gets the file nginx would serve
    them (same path rules as nginx-front.conf), or, when there is none, the app."""
    settings.WATCHWORTHY_PAGE_FILES = str(tmp_path / "pages")
    url = review.get_absolute_url()
    plain, ahead = guest_readers(review)

    def through_files(client: Client, variant: str) -> Reader:
        def read() -> tuple[int, bytes, str]:
            live = tmp_path / "pages" / "current" / files.bucket() / "http" / "testserver"
            try:
                return 200, Path(f"{live}{url}~/{variant}.html").read_bytes(), "front"
            except FileNotFoundError:
                return client_reader(client, url)()

        return read

    token = ahead.cookies["ww_progress"].value
    readers = [through_files(plain, "default"), through_files(ahead, f"p-{token}"),
               through_files(Client(), "default")]  # fmt: skip
    sources = read_while_changing(review, readers)
    assert sources.count("front") >= 3, "the files were hardly used: the test proves nothing"


def read_while_changing(review, readers: list[Reader]) -> list[str]:
    """Approve comments, edit the review and cast votes while ``readers`` load the page
    in threads; assert that every read that started after a change committed shows it.
    Returns where each read came from."""
    held = [
        comment_post(
            review=review, body=f"comment-marker-{i}", author_name=f"Reader {i}",
            author_email=f"reader{i}@example.org",
        )
        for i in range(ROUNDS)
    ]  # fmt: skip
    assert {c.status for c in held} == {Comment.Status.PENDING}

    # (moment the write returned, what every later page must show)
    committed: list[tuple[float, bytes | int]] = []
    reads: list[tuple[float, bytes, str]] = []
    lock = threading.Lock()
    writing = threading.Event()
    writing.set()
    errors: list[BaseException] = []

    def read(reader: Reader) -> None:
        try:
            while writing.is_set():
                started = time.monotonic()
                status, content, source = reader()
                assert status == 200, status
                with lock:
                    reads.append((started, content, source))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def after_last_change() -> int:
        with lock:
            return sum(1 for started, _, _ in reads if started > committed[-1][0])

    threads = [threading.Thread(target=read, args=(reader,)) for reader in readers]
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
    assert after_last_change() >= 2 * len(readers)
    return [source for _, _, source in reads]
