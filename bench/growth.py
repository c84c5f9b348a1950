"""The growth section of `make bench` (called at the end of bench/run.py's main()).

1. **Cost per comment.** One review's thread grows to 10, 100, 1,000 and 5,000
   approved comments, every one posted through ``comment_post`` (so paths, numbers
   and whatever is stored at approval are the real ones), about 30% replies nested up
   to depth 5 like the WordPress content. The site shows a whole thread on one page
   (``comments_per_page = 0``) and the page cache is off, so each request renders all
   the comments. Server time = the request through Django's full middleware stack
   (test client, no network), median of repeated requests, as wall time and as this
   process's CPU time (the latter hardly moves when other programs share the cores;
   with SQLite it includes the SQL, with PostgreSQL the server's share is not in it).
   Then the least-squares line through (comments, median): its slope is the cost of
   one more comment, its intercept the cost of the page around the thread.
2. **Posting throughput.** ``bench/posting.py`` in a separate process per database:
   16 concurrent clients post through the real form to a production-mode gunicorn,
   and every accepted post is checked to be in the database, numbered without gaps.

Numbers only, no pass/fail. Django must already be set up and migrated on a throw-away
database (bench/run.py does that; ``python bench/growth.py`` runs this section alone on
a temporary SQLite file, or on BENCH_DATABASE_URL).
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

SIZES = (10, 100, 1_000, 5_000)
REPEATS = {10: 30, 100: 20, 1_000: 10, 5_000: 5}
MAX_DEPTH = 5
REPLY_SHARE = 0.3


def run(out: Callable[..., None] = print) -> None:
    started = time.perf_counter()
    out("\nGrowth\n")
    cost_per_comment(out)
    out("")
    posting(out)
    out(f"\n(growth section took {time.perf_counter() - started:.0f} s)")


def synthetic_comments(first_id: int, count: int, rng: random.Random, depths: dict[int, int]):
    """``count`` comments in gen_content.py's shape, ids from ``first_id``; about 30%
    reply to one of the last 20 comments (never deeper than MAX_DEPTH)."""
    from bench.discussion import BODY  # the same comment text as the thread benchmark

    base = datetime(2024, 1, 1, tzinfo=UTC)
    for number in range(first_id, first_id + count):
        parent = 0
        if depths and rng.random() < REPLY_SHARE:
            recent = [i for i in range(max(1, number - 20), number) if depths[i] < MAX_DEPTH]
            parent = rng.choice(recent) if recent else 0
        depths[number] = depths[parent] + 1 if parent else 1
        reader = number % 97
        yield {
            "id": number,
            "parent": parent,
            "author": f"Reader {reader}",
            "email": f"reader{reader}@bench.example",
            "url": "https://example.org/blog" if number % 7 == 0 else "",
            "date": base + timedelta(minutes=number),
            "content": f"{BODY}\n\n(comment {number})",
        }


def cost_per_comment(out: Callable[..., None]) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.content import critic, make_review, one_page_threads, post_comments

    settings.WATCHWORTHY_PAGE_CACHE = False  # every request renders the whole page
    one_page_threads()
    review = make_review(
        slug="growth-bench",
        title="A thread that grows",
        body="A review people argue about.\n\nA second paragraph.",
        date=datetime(2023, 12, 31, tzinfo=UTC),
        author=critic(),
    )
    url = review.get_absolute_url()
    out("Review page by thread size: uncached, all comments on one page, per request")
    out(
        f"{'comments':>10}{'post s':>9}{'requests':>10}{'median ms':>11}{'min ms':>9}"
        f"{'cpu ms':>9}{'queries':>9}"
    )
    rng = random.Random(15)
    depths: dict[int, int] = {}
    rows: dict[int, object] = {}
    client = Client()
    walls: list[tuple[int, float]] = []
    cpus: list[tuple[int, float]] = []
    posted = 0
    for size in SIZES:
        began = time.perf_counter()
        more = synthetic_comments(posted + 1, size - posted, rng, depths)
        posted += post_comments(review, more, rows)
        seconds = time.perf_counter() - began
        client.get(url)  # the first request after a change loads code paths once
        timings, cpu = [], []
        for _ in range(REPEATS[size]):
            with CaptureQueriesContext(connection) as queries:
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                cpu.append((time.process_time() - began_cpu) * 1000)
                timings.append((time.perf_counter() - began) * 1000)
        shown = response.content.count(b"data-comment-id=")
        walls.append((size, statistics.median(timings)))
        cpus.append((size, statistics.median(cpu)))
        out(
            f"{size:>10,}{seconds:>9.1f}{len(timings):>10}{walls[-1][1]:>11.1f}"
            f"{min(timings):>9.1f}{cpus[-1][1]:>9.1f}{len(queries):>9}"
            + ("" if shown == size else f"   (the page shows {shown} comments, not {size})")
        )
    for name, points in (("median ms", walls), ("cpu ms", cpus)):
        slope, intercept = least_squares(points)
        out(
            f"fitted to {name}: {slope:.3f} ms per comment + {intercept:.1f} ms "
            f"(least squares over {len(points)} sizes)"
        )


def least_squares(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Slope and intercept of the line that fits ``points`` best (ordinary least squares)."""
    xs = [float(x) for x, _ in points]
    ys = [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    return slope, mean_y - slope * mean_x


def posting(out: Callable[..., None]) -> None:
    """bench/posting.py per database, each in its own process (its own settings)."""
    script = Path(__file__).resolve().parent / "posting.py"
    out("Comment posts through the form, 16 concurrent clients, the production server")
    for database in ("sqlite", "postgresql"):
        run = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, str(script), database],
            capture_output=True,
            text=True,
            env=os.environ,
        )
        lines = (run.stdout.strip() or run.stderr.strip() or "no output").splitlines()
        if run.returncode != 0:
            lines = [f"{database}: failed ({run.returncode}): {lines[-1]}"]
        for line in lines:
            out(line)


def main() -> None:
    """This section alone, set up as bench/run.py sets up the whole benchmark."""
    import logging

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.bootstrap import start_throwaway_site

    start_throwaway_site("watchworthy-growth-")
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    run(print)


if __name__ == "__main__":
    main()
