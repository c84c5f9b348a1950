"""CPU time of one uncached review page by thread size, all comments on one page.

    .venv/bin/python bench/thread_render.py              # SQLite, 20 / 1,000 / 5,000
    BENCH_DATABASE_URL=postgres://… .venv/bin/python bench/thread_render.py
    .venv/bin/python bench/thread_render.py --profile 1000   # cProfile of one size

The machine this runs on is shared (two cores, several processes), so wall time says
more about the neighbours than about the page. This reports ``time.process_time()``
per request (the CPU this process spent: Python, the template, the database driver;
not SQLite's or PostgreSQL's own work in another process), median of repeats, with
the page cache off and the SQL query count. Numbers only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

SIZES = (20, 1_000, 5_000)
REPEATS = {20: 41, 1_000: 15, 5_000: 7}


def setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.bootstrap import start_throwaway_site

    start_throwaway_site("watchworthy-render-", WATCHWORTHY_PAGE_CACHE="0")
    from django.conf import settings
    from django.core.management import call_command

    # Not setup_test_environment(): it instruments every template render (a signal
    # per template), which would be measured too. The test client's host is allowed.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)


def prepare(size: int) -> str:
    """A review carrying ``size`` approved comments (bench/discussion.py's shape); its URL."""
    from bench.discussion import _author, _review, build_thread
    from watchworthy.core.models import SiteSettings

    site = SiteSettings.current()
    if site.comments_per_page != 0:
        site.comments_per_page = 0  # the whole thread on one page, as WordPress is set
        site.save()
    author = _author()
    review = _review(author, f"render-bench-{size}", f"Thread of {size}")
    build_thread(review, size, author=author)
    return review.get_absolute_url()


def measure(url: str, repeats: int) -> tuple[float, float, int, int]:
    """Median CPU ms, median wall ms, queries, bytes of the page at ``url``."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get(url)  # warm: templates compiled, imports done
    cpu, wall = [], []
    queries = size = 0
    for _ in range(repeats):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            began_cpu, began_wall = time.process_time(), time.perf_counter()
            response = client.get(url)
            cpu.append((time.process_time() - began_cpu) * 1000)
            wall.append((time.perf_counter() - began_wall) * 1000)
        assert response.status_code == 200, response.status_code
        queries, size = len(captured), len(response.content)
    return statistics.median(cpu), statistics.median(wall), queries, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--profile", type=int, help="cProfile one request at this size")
    args = parser.parse_args()
    setup()
    from django.db import connection

    if args.profile:
        import cProfile
        import pstats

        from django.test import Client

        url = prepare(args.profile)
        client = Client()
        client.get(url)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(5):
            client.get(url)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(35)
        return
    print(f"Review page, uncached, all comments on one page — {connection.vendor}")
    print(f"{'comments':>9}{'requests':>10}{'cpu ms':>9}{'wall ms':>9}{'queries':>9}{'KiB':>8}")
    for size in args.sizes:
        url = prepare(size)
        repeats = REPEATS.get(size, 9)
        cpu, wall, queries, length = measure(url, repeats)
        print(f"{size:>9,}{repeats:>10}{cpu:>9.1f}{wall:>9.1f}{queries:>9}{length / 1024:>8.0f}")


if __name__ == "__main__":
    main()
