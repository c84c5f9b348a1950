"""The discussion section of `make bench` (called at the end of bench/run.py's main()).

1. **Thread size.** Server time and SQL queries to render one review page carrying
   10 / 100 / 1,000 / 5,000 approved comments, nested up to depth 8 (the page indents
   to WATCHWORTHY_COMMENTS["NESTING_DEPTH"] and flattens the rest). Threads are built
   with bulk_create, a level at a time, and the paths assigned as Comment.set_path
   does, so building 5,000 comments takes a second or two, not minutes.
2. **Posting throughput.** Comments per second through the service
   ``comment_post`` (moderation, Markdown, the row and its path, numbering under the
   review lock, the count, the after-commit mail) with 1 and with 8 threads, each on
   its own connection, on the configured database: SQLite unless BENCH_DATABASE_URL
   picks another (bench/run.py sets DATABASE_URL from it).

Numbers only: nothing here asserts a timing. Django must already be set up, migrated,
and in the test environment (locmem mail), as bench/run.py does.
"""

from __future__ import annotations

import logging
import random
import statistics
import threading
import time
from collections.abc import Callable
from datetime import timedelta

THREAD_SIZES = (10, 100, 1_000, 5_000)
MAX_DEPTH = 8
# Requests per size: enough for a stable median, few enough for the big pages.
REPEATS = {10: 15, 100: 15, 1_000: 7, 5_000: 3}
POSTS = 500
POSTER_THREADS = (1, 8)
KNOWN_EMAIL = "regular@bench.example"
BODY = (
    "I think the *second half* of the season earns its ending — the ferry scene in "
    "episode 7 especially. Did anyone else catch the callback to the pilot?\n\n"
    "> the tide keeps its own time\n\nAnyway: watch it."
)


def run(out: Callable[..., None] = print) -> None:
    from django.db import connection

    started = time.perf_counter()
    out(f"\nDiscussion benchmark — {connection.vendor}\n")
    # django-tasks logs every mail task at INFO (twice); 1,000 posts would bury the table.
    tasks_log = logging.getLogger("django_tasks")
    level = tasks_log.level
    tasks_log.setLevel(logging.WARNING)
    try:
        thread_pages(out)
        out("")
        posting_throughput(out)
    finally:
        tasks_log.setLevel(level)
    out(f"\n(discussion benchmark took {time.perf_counter() - started:.0f} s)")


# --- 1. review page by thread size -----------------------------------------------------


def thread_pages(out: Callable[..., None]) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out("Review page by thread size (anonymous reader, median server time)")
    out(f"{'comments':>10}{'depth':>7}{'build s':>9}{'requests':>10}{'ms':>10}{'queries':>9}")
    author = _author()
    client = Client()
    for size in THREAD_SIZES:
        review = _review(author, f"discussion-bench-{size}", f"Thread of {size}")
        began = time.perf_counter()
        depth = build_thread(review, size, author=author)
        built = time.perf_counter() - began
        url = review.get_absolute_url()
        timings = []
        queries = 0
        for _ in range(REPEATS[size]):
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - began) * 1000)
            queries = len(captured)
            if response.status_code != 200:
                out(f"  {url} answered {response.status_code}")
                break
        shown = response.content.count(b"data-comment-id=")
        out(
            f"{size:>10,}{depth:>7}{built:>9.2f}{len(timings):>10}"
            f"{statistics.median(timings):>10.1f}{queries:>9}"
            + ("" if shown >= size else f"   (only {shown} comments on the page)")
        )


def build_thread(review, size: int, *, author, seed: int = 7) -> int:
    """``size`` approved comments under ``review``: about one in five starts a thread,
    the rest reply to a recent comment, no deeper than MAX_DEPTH. Returns the depth
    reached. Top-level comments are numbered 1..n in order, as approving them would."""
    from django.utils import timezone

    from watchworthy.core.markdown import render_comment_markdown
    from watchworthy.discussion.models import Comment
    from watchworthy.discussion.services import store_headers

    rng = random.Random(seed)
    body_html = render_comment_markdown(BODY)
    # The shape first: parent index (or None) of every comment, in posting order.
    parents: list[int | None] = []
    depths: list[int] = []
    for index in range(size):
        if index == 0 or rng.random() < 0.2:
            parents.append(None)
            depths.append(0)
            continue
        # Mostly answer one of the last few comments: deep chains form naturally.
        candidates = [i for i in range(max(0, index - 6), index) if depths[i] < MAX_DEPTH] or [
            rng.randrange(index)
        ]
        parent = rng.choice(candidates)
        if depths[parent] >= MAX_DEPTH:
            parent = 0
        parents.append(parent)
        depths.append(depths[parent] + 1)

    now = timezone.now()
    rows: list[Comment] = []
    number = 0
    for index in range(size):
        top = parents[index] is None
        if top:
            number += 1
        by_critic = index % 10 == 3
        rows.append(
            Comment(
                review=review,
                user=author if by_critic else None,
                author_name=author.public_name if by_critic else f"Reader {index % 97}",
                author_email=author.email if by_critic else f"reader{index % 97}@bench.example",
                author_url="https://example.org/blog" if index % 7 == 0 else "",
                body=BODY,
                body_html=body_html,
                status=Comment.Status.APPROVED,
                moderation_reason="known commenter",
                number=number if top else None,
                created_at=now - timedelta(minutes=size - index),
                approved_at=now - timedelta(minutes=size - index),
            )
        )
    # A level at a time: the parents' ids and paths exist before their replies'.
    for level in range(max(depths) + 1):
        batch = [rows[i] for i in range(size) if depths[i] == level]
        for i in range(size):
            if depths[i] == level and parents[i] is not None:
                rows[i].parent = rows[parents[i]]
        Comment.objects.bulk_create(batch, batch_size=500)
        for comment in batch:
            comment.set_path()
        Comment.objects.bulk_update(batch, ["path", "depth"], batch_size=500)
    store_headers(rows)  # as approving them would (bulk_create skips Comment.save)
    type(review).objects.filter(pk=review.pk).update(approved_comment_count=size)
    return max(depths)


# --- 2. posting throughput ----------------------------------------------------------


def posting_throughput(out: Callable[..., None]) -> None:
    from watchworthy.discussion.models import Comment, VerifiedAddress
    from watchworthy.discussion.services import comment_moderate, comment_post

    author = _author()
    # A regular: an approved comment and a verified address (an unverified one waits
    # for moderation whatever its history, discussion/moderation.py).
    VerifiedAddress.verify(KNOWN_EMAIL)
    out(f"Posting through comment_post: {POSTS} posts by a known reader (approved at once)")
    out(f"{'threads':>10}{'seconds':>10}{'comments/s':>12}{'stored':>8}{'numbers ok':>12}  errors")
    earlier = _review(author, "discussion-bench-earlier", "Earlier")
    if not Comment.objects.filter(author_email=KNOWN_EMAIL, status="approved").exists():
        first = comment_post(
            review=earlier, body="First", author_name="Regular", author_email=KNOWN_EMAIL
        )
        comment_moderate(comments=[first], status=Comment.Status.APPROVED)
    for threads in POSTER_THREADS:
        review = _review(author, f"discussion-bench-posting-{threads}", f"{threads} posters")
        seconds, errors = _post_concurrently(review.pk, threads)
        stored = Comment.objects.filter(review=review).count()
        numbers = sorted(
            number
            for number in Comment.objects.filter(review=review).values_list("number", flat=True)
            if number is not None  # held comments have none: they make the check fail
        )
        first_error = f"{len(errors)}: {errors[0]!r}"[:70] if errors else "0"
        out(
            f"{threads:>10}{seconds:>10.2f}{stored / seconds:>12.1f}{stored:>8}"
            f"{'yes' if numbers == list(range(1, stored + 1)) else 'NO':>12}  {first_error}"
        )


def _post_concurrently(review_pk: int, threads: int) -> tuple[float, list[BaseException]]:
    """POSTS comments from ``threads`` threads released together; wall time and errors."""
    from django.db import connection

    from watchworthy.discussion.services import comment_post
    from watchworthy.reviews.models import Review

    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)

    def poster(worker: int) -> None:
        try:
            review = Review.objects.get(pk=review_pk)
            barrier.wait()
            for n in range(worker, POSTS, threads):
                try:
                    comment_post(
                        review=review,
                        body=f"{BODY}\n\n(post {n})",
                        author_name="Regular",
                        author_email=KNOWN_EMAIL,
                        ip_address="127.0.0.1",
                        fill_seconds=30,
                    )
                except Exception as error:
                    with lock:
                        errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=poster, args=(w,)) for w in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    return time.perf_counter() - began, errors


# --- helpers ------------------------------------------------------------------------


def _author():
    from watchworthy.accounts.models import User

    author, _ = User.objects.get_or_create(
        username="bench-critic",
        defaults={"display_name": "Bench Critic", "email": "critic@bench.example"},
    )
    return author


def _review(author, slug: str, title: str):
    from django.utils import timezone

    from watchworthy.catalog.models import Work
    from watchworthy.reviews.models import Review

    work, _ = Work.objects.get_or_create(
        slug="discussion-bench", defaults={"title": "Discussion bench"}
    )
    Review.objects.filter(slug=slug).delete()  # a fresh one on every run (comments cascade)
    return Review.objects.create(
        title=title,
        slug=slug,
        work=work,
        author=author,
        body="A review people argue about.\n\nA second paragraph.",
        status=Review.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
    )
