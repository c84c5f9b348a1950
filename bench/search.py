"""`make bench-search`: search latency with 100,000 reviews, and the index rebuild rate.

Builds a throw-away site (SQLite in a temporary folder, or the database in
BENCH_DATABASE_URL, which it fills) with REVIEWS published reviews of 500 works,
written in bulk: bodies of about 250 words drawn from a Zipf-distributed vocabulary
(a few real words such as "the", "season" and "episode" in almost every review, a long
tail of rare ones), one review in five with an inline and a block spoiler in the
stored spoiler markup, tags, platforms and genres. Then:

1. **Rebuild** — ``search.index.rebuild()`` (what ``manage.py rebuild_search_index``
   runs): entries per second.
2. **Latency** — ``search.services.search_run`` (the ranked page of 20 hits, the
   capped count, the entries, titles and snippets highlighted: everything the page
   needs but the template), each query of each class REPEATS times after one warm-up;
   p50 and p95 of the wall time in ms, per class and over all. Classes: a word in
   nearly every review, a mid-frequency word, a rare word, a three-letter prefix, two
   words, a word with a verdict and a platform filter, a word found nowhere.
3. **The page** — ``/search/?q=…`` through Django's test client (whole middleware
   stack, no network) for a common word: median ms and SQL queries.

    python bench/search.py [REVIEWS]          # default 100,000; SCALE=0.1 for 10,000
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REVIEWS = 100_000
WORKS = 500
REPEATS = 20
COMMON = [
    "the",
    "and",
    "of",
    "a",
    "to",
    "is",
    "in",
    "it",
    "that",
    "this",
    "season",
    "episode",
    "show",
    "series",
    "but",
    "with",
    "as",
    "its",
    "for",
    "was",
    "on",
    "are",
    "not",
    "at",
    "be",
    "by",
    "story",
    "one",
    "has",
    "an",
    "characters",
    "you",
]


def vocabulary(rng: random.Random, size: int = 30_000) -> list[str]:
    syllables = [
        "ka",
        "ri",
        "to",
        "mo",
        "na",
        "shi",
        "ra",
        "lu",
        "ve",
        "po",
        "sen",
        "dor",
        "mil",
        "tak",
        "ber",
        "quin",
        "zu",
        "fal",
        "gor",
        "ne",
    ]
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return COMMON + sorted(words)


class Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary(rng)
        # Zipf-like weights: the n-th word is 1/n as likely as the first.
        self.cumulative = []
        total = 0.0
        for n in range(1, len(self.words) + 1):
            total += 1 / n
            self.cumulative.append(total)

    def sentence(self, length: int) -> str:
        picked = self.rng.choices(self.words, cum_weights=self.cumulative, k=length)
        return " ".join(picked).capitalize() + "."

    def paragraph(self, sentences: int = 5) -> str:
        return " ".join(self.sentence(self.rng.randint(8, 16)) for _ in range(sentences))

    def body_html(self, spoiler: bool) -> str:
        paragraphs = [f"<p>{self.paragraph()}</p>" for _ in range(3)]
        if spoiler:
            secret = self.sentence(6)
            paragraphs[1] = (
                f'<p>{self.sentence(8)} <span class="spoiler-inline" data-spoiler-season="2" '
                'data-spoiler-episode="3" data-spoiler-label="Part 2, ep 3" tabindex="0">'
                '<span class="visually-hidden">Spoiler for Part 2, ep 3: </span>'
                f'<span class="spoiler-text">{secret}</span></span> {self.sentence(8)}</p>'
            )
            paragraphs.append(
                '<details class="spoiler" data-spoiler-season="2" data-spoiler-episode="7" '
                'data-spoiler-label="Part 2, ep 7"><summary>Spoils Part 2, ep 7</summary>'
                f'<div class="spoiler-body"><p>{self.paragraph(2)}</p>\n</div></details>'
            )
        return "\n".join(paragraphs)


def build_site(count: int, out) -> None:
    from django.db import transaction

    from watchworthy.accounts.models import User
    from watchworthy.catalog.models import Genre, Platform, Work
    from watchworthy.reviews.models import Review, Tag, Verdict

    rng = random.Random(9)
    writer = Writer(rng)
    started = time.perf_counter()
    critic = User.objects.create(username="bench-critic", display_name="Bench Critic")
    platforms = Platform.objects.bulk_create(
        Platform(name=f"Platform {n}", slug=f"platform-{n}") for n in range(12)
    )
    genres = Genre.objects.bulk_create(
        Genre(name=f"Genre {n}", slug=f"genre-{n}") for n in range(20)
    )
    tags = Tag.objects.bulk_create(Tag(name=f"tag {n}", slug=f"tag-{n}") for n in range(200))
    kinds = [k for k, _ in Work.Kind.choices]
    works = Work.objects.bulk_create(
        Work(
            title=writer.sentence(rng.randint(1, 3)).rstrip(".").title(),
            slug=f"work-{n}",
            kind=kinds[n % len(kinds)],
            year=1990 + n % 35,
            synopsis_html=f"<p>{writer.paragraph(2)}</p>",
        )
        for n in range(WORKS)
    )
    # Through the link tables: nothing is indexed until the rebuild below.
    Work.platforms.through.objects.bulk_create(
        Work.platforms.through(work_id=work.pk, platform_id=platforms[n % 12].pk)
        for n, work in enumerate(works)
    )
    Work.genres.through.objects.bulk_create(
        Work.genres.through(work_id=work.pk, genre_id=genres[g].pk)
        for n, work in enumerate(works)
        for g in {n % 20, (n * 7 + 3) % 20}
    )
    verdicts = [Verdict.WATCH, Verdict.SKIP, Verdict.AVOID]
    start = datetime(2015, 1, 1, tzinfo=UTC)
    through = Review.tags.through
    batch = 2000
    for first in range(0, count, batch):
        rows = []
        for n in range(first, min(first + batch, count)):
            rows.append(
                Review(
                    title=writer.sentence(rng.randint(3, 8)).rstrip("."),
                    slug=f"review-{n}",
                    work=works[n % WORKS],
                    verdict=verdicts[n % 3],
                    score=n % 11,
                    body="(bench)",
                    body_html=writer.body_html(spoiler=n % 5 == 0),
                    teaser="",
                    author=critic,
                    status=Review.Status.PUBLISHED,
                    published_at=start + timedelta(minutes=50 * n),
                )
            )
        with transaction.atomic():
            made = Review.objects.bulk_create(rows)
            through.objects.bulk_create(
                through(review_id=review.pk, tag_id=tags[(review.pk * 13 + k) % len(tags)].pk)
                for review in made
                for k in range(2)
            )
    out(f"built {count:,} reviews of {WORKS} works in {time.perf_counter() - started:.0f} s")


def queries(rng: random.Random) -> dict[str, list[tuple[str, dict]]]:
    from watchworthy.catalog.models import Platform
    from watchworthy.search.models import SearchEntry

    platform = Platform.objects.order_by("pk").first()
    # Mid and rare words, by how many entries hold them (from a sample of titles/bodies).
    # In id order: the same words on both databases and from one run to the next.
    sample = list(
        SearchEntry.objects.filter(kind="review")
        .order_by("pk")
        .values_list("match_body", flat=True)[:2000]
    )
    seen: dict[str, int] = {}
    for text in sample:
        for word in dict.fromkeys(text.split()):  # in text order, not a set's (hash seed)
            seen[word] = seen.get(word, 0) + 1
    mid = [w for w, n in seen.items() if 20 <= n <= 60][:10]
    rare = [w for w, n in seen.items() if n == 1 and len(w) > 6][:10]
    filters = {"verdict": "avoid", "platform": platform.pk if platform else None}
    return {
        "common word": [(w, {}) for w in ("the", "season", "episode", "show", "story")],
        "mid-frequency word": [(w, {}) for w in mid[:5]],
        "rare word": [(w, {}) for w in rare[:5]],
        "3-letter prefix": [(p, {}) for p in ("kar", "rim", "mol", "sen", "pot")],
        "two words": [(f"the {w}", {}) for w in mid[5:8]] + [("season episode", {})],
        "word + 2 filters": [(w, filters) for w in ("the", "season", mid[0])],
        "no match": [(w, {}) for w in ("xylophonic", "qqqzzz")],
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(count: int, out=print) -> None:
    from django.db import connection

    from watchworthy.search.index import rebuild

    engine = connection.vendor
    out(f"Watchworthy search benchmark — {engine}, {count:,} reviews\n")
    build_site(count, out)
    started = time.perf_counter()
    written = rebuild()
    took = time.perf_counter() - started
    entries = sum(written.values())
    out(f"rebuild: {entries:,} entries in {took:.1f} s = {entries / took:,.0f} entries/s")
    measure(out)


def measure(out=print) -> None:
    """The latency part alone, on the site Django is set up with."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from watchworthy.search.services import Filters, search_run

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_searchentry")
    rng = random.Random(3)
    everything: list[float] = []
    out(f"\n{'query class':<22}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  example")
    for name, cases in queries(rng).items():
        timings: list[float] = []
        first = None
        for text, filters in cases:
            warm = search_run(text=text, filters=Filters(**filters))  # warm-up
            first = first or warm
            for _ in range(REPEATS):
                t0 = time.perf_counter()
                search_run(text=text, filters=Filters(**filters))
                timings.append((time.perf_counter() - t0) * 1000)
        everything += timings
        assert first is not None
        example = f"{cases[0][0]!r}: {first.total}{'+' if first.more else ''} hits"
        out(
            f"{name:<22}{len(timings):>8}{statistics.median(timings):>9.1f}"
            f"{percentile(timings, 0.95):>9.1f}{max(timings):>9.1f}  {example}"
        )
    out(
        f"{'all':<22}{len(everything):>8}{statistics.median(everything):>9.1f}"
        f"{percentile(everything, 0.95):>9.1f}{max(everything):>9.1f}"
    )
    client = Client()
    timings = []
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.get("/search/", {"q": "season"})
            timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    out(
        f"\n/search/?q=season page: median {statistics.median(timings):.1f} ms, "
        f"p95 {percentile(timings, 0.95):.1f} ms, {len(captured)} queries"
    )


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.bootstrap import start_throwaway_site

    if sys.argv[1:2] == ["--measure-only"]:  # again, on an existing site (DATA_DIR / URL)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django
        from django.test.utils import setup_test_environment

        django.setup()
        setup_test_environment()
        measure()
        return
    scale = float(os.environ.get("SCALE") or "1")
    count = int(sys.argv[1]) if len(sys.argv) > 1 else round(REVIEWS * scale)
    data_dir = start_throwaway_site("watchworthy-bench-search-", WATCHWORTHY_PAGE_CACHE="0")
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    run(count)
    print(f"\n(data in {data_dir})")


if __name__ == "__main__":
    main()
