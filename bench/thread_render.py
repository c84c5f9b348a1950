"""CPU time of one uncached review page by thread size, all comments on one page.

    .venv/bin/python bench/thread_render.py              # SQLite, 20 / 1,000 / 5,000
    BENCH_DATABASE_URL=postgres://… .venv/bin/python bench/thread_render.py
    .venv/bin/python bench/thread_render.py --profile 1000   # cProfile of one size
    .venv/bin/python bench/thread_render.py --production     # production settings
    .venv/bin/python bench/thread_render.py --episodes 12 --sizes 5000
        # the comments spread over the main thread and 12 episode threads: the review
        # page and an episode thread's page, for a reader who has reached them all

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


def setup(production: bool = False) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.bootstrap import start_throwaway_site

    environment = {"WATCHWORTHY_PAGE_CACHE": "0"}
    if production:  # what bench/server.py gives a production server, in this process
        import secrets
        import tempfile

        environment.update(
            WATCHWORTHY_ENV="production",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="testserver",
            DJANGO_SECURE_SSL_REDIRECT="0",
            WATCHWORTHY_SITE_URL="http://testserver",
            WATCHWORTHY_STATIC_ROOT=tempfile.mkdtemp(prefix="watchworthy-render-static-"),
            EMAIL_URL="console://",
            WATCHWORTHY_LOG_LEVEL="WARNING",
        )
    start_throwaway_site("watchworthy-render-", **environment)
    from django.conf import settings
    from django.core.management import call_command

    # Not setup_test_environment(): it instruments every template render (a signal
    # per template), which would be measured too. The test client's host is allowed.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    if production:
        call_command("collectstatic", interactive=False, verbosity=0)


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


def spread_over_episodes(url: str, episodes: int) -> tuple[str, str]:
    """Move whole threads of the review at ``url`` into ``episodes`` episode threads
    (every thread in turn: main, ep 1, ep 2, …) of a part with that many episodes.
    Returns the URL of the first episode's thread and the progress that reaches all."""
    from django.db import transaction

    from watchworthy.catalog.models import Season
    from watchworthy.discussion.models import Comment, EpisodeThread
    from watchworthy.discussion.services import refresh_comment_counts
    from watchworthy.reviews.models import Review

    review = Review.objects.select_related("work").get(slug=url.strip("/").split("/")[-1])
    work = review.work
    work.kind = work.Kind.ANIME
    work.save()
    season, _ = Season.objects.update_or_create(
        work=work, number=1, defaults={"episode_count": episodes, "label": "Part 1"}
    )
    Review.objects.filter(pk=review.pk).update(season=season, episode_threads=True)
    threads = [None] + [
        EpisodeThread.objects.create(review=review, season=1, episode=n)
        for n in range(1, episodes + 1)
    ]
    roots = Comment.objects.filter(review=review, parent=None).order_by("path")
    for index, root in enumerate(roots.values_list("path", flat=True)):
        thread = threads[index % len(threads)]
        if thread is not None:
            Comment.objects.filter(review=review, path__startswith=root).update(
                episode_thread=thread, spoils_season=1, spoils_episode=thread.episode
            )
    with transaction.atomic():
        refresh_comment_counts([review.pk])
    return f"{url}ep/1/", "1:"


def measure(url: str, repeats: int, progress: str = "") -> tuple[float, float, int, int]:
    """Median CPU ms, median wall ms, queries, bytes of the page at ``url``."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if progress:  # the reader's progress, as the form sets it
        work_slug = "discussion-bench"
        client.post(f"/works/{work_slug}/progress/", {"position": progress, "next": url})
        client.get(url)  # spends the "Saved" notice
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
    parser.add_argument(
        "--episodes", type=int, default=0, help="spread the comments over N episode threads"
    )
    parser.add_argument(
        "--production",
        action="store_true",
        help="production settings (WATCHWORTHY_ENV=production: the folder cache, "
        "compressed manifest static files, secure cookies), still in this process",
    )
    args = parser.parse_args()
    setup(production=args.production)
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
    mode = "production settings" if args.production else "development settings"
    print(f"Review page, uncached, all comments on one page — {connection.vendor}, {mode}")
    print(f"{'comments':>9}{'requests':>10}{'cpu ms':>9}{'wall ms':>9}{'queries':>9}{'KiB':>8}")
    for size in args.sizes:
        url = prepare(size)
        repeats = REPEATS.get(size, 9)
        pages = [("", url, "")]
        if args.episodes:
            episode_url, progress = spread_over_episodes(url, args.episodes)
            pages = [(" main", url, progress), (" ep 1", episode_url, progress)]
        for label, page_url, progress in pages:
            cpu, wall, queries, length = measure(page_url, repeats, progress)
            print(
                f"{size:>9,}{repeats:>10}{cpu:>9.1f}{wall:>9.1f}{queries:>9}"
                f"{length / 1024:>8.0f}{label}"
            )


if __name__ == "__main__":
    main()
