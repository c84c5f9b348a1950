"""`make bench`: server time and SQL queries per public page as content grows.

Builds a throw-away site in a temporary folder (SQLite by default, or the database
in BENCH_DATABASE_URL, which it must be allowed to fill), with 100 and then 1,000
published reviews, and renders each page through Django's test client. Prints one
table; numbers, not pass/fail. Later steps of the roadmap add their own sections
(comment threads, imports, throughput against nginx).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPEATS = 30
SCALES = (100, 1000)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.bootstrap import start_throwaway_site

    data_dir = start_throwaway_site("watchworthy-bench-")
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    engine = connection.vendor

    print(f"Watchworthy page benchmark — {engine}, {REPEATS} requests per cell, median ms\n")
    header = f"{'page':<28}" + "".join(f"{f'{n} reviews':>22}" for n in SCALES)
    print(header)
    print(f"{'':<28}" + "".join(f"{'ms':>12}{'queries':>10}" for _ in SCALES))
    rows: dict[str, list[tuple[float, int]]] = {}
    made = 0
    for scale in SCALES:
        made = grow(made, scale)
        client = Client()
        for name, url in pages().items():
            timings = []
            for _ in range(REPEATS):
                cache.clear()
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            rows.setdefault(name, []).append((statistics.median(timings), len(queries)))
    for name, cells in rows.items():
        print(f"{name:<28}" + "".join(f"{ms:>12.1f}{q:>10}" for ms, q in cells))
    print(f"\n(data in {data_dir})")

    from bench import adversarial, discussion, growth

    discussion.run(print)
    adversarial.run(print)
    growth.run(print)


def pages() -> dict[str, str]:
    from watchworthy.reviews.models import Review

    first = Review.objects.order_by("pk").first()
    return {
        "home": "/",
        "review": first.get_absolute_url(),
        "work (all its reviews)": first.work.get_absolute_url(),
        "all reviews, page 1": "/reviews/",
        "all reviews, last page": "/reviews/?page=last",
        "watch list": "/watch/",
        "avoid list": "/avoid/",
        "works index": "/works/",
    }


def grow(made: int, target: int) -> int:
    """Create reviews until there are `target`, spread over works of 4 seasons each."""
    from datetime import timedelta

    from django.utils import timezone

    from watchworthy.accounts.models import User
    from watchworthy.catalog.models import Character, Season, Work
    from watchworthy.reviews.models import Review, Tag, Verdict

    author, _ = User.objects.get_or_create(username="bench", defaults={"display_name": "Bench"})
    tags = [
        Tag.objects.get_or_create(slug=f"t{i}", defaults={"name": f"tag {i}"})[0] for i in range(5)
    ]
    verdicts = [Verdict.WATCH, Verdict.SKIP, Verdict.AVOID]
    paragraph = "A paragraph about pacing, music and *what the season is for*. " * 6
    body = "\n\n".join([paragraph] * 8 + ["## A heading", paragraph, "[^1]: a note", "Text.[^1]"])
    now = timezone.now()
    for n in range(made, target):
        work, _ = Work.objects.get_or_create(
            slug=f"work-{n // 4}", defaults={"title": f"Work {n // 4}"}
        )
        season, _ = Season.objects.get_or_create(work=work, number=n % 4 + 1)
        Character.objects.get_or_create(
            work=work, name=f"Person {n}", defaults={"first_season": season}
        )
        review = Review.objects.create(
            title=f"Review {n}",
            slug=f"review-{n}",
            work=work,
            season=season,
            author=author,
            verdict=verdicts[n % 3],
            score=n % 11,
            body=body,
            status=Review.Status.PUBLISHED,
            published_at=now - timedelta(hours=n),
        )
        review.tags.add(tags[n % 5])
    return target


if __name__ == "__main__":
    main()
