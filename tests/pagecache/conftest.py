"""The page cache switched on (the rest of the suite runs with it off), on a clean
cache, and a small work whose review page differs by reading progress."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.factories import ReviewFactory, SeasonFactory, WorkFactory

SECRET = "tidewright"  # inside a Part 1, episode 5 spoiler block of the review
READ_PAST_IT = "1:6"  # a reading position past that spoiler (the form's value)


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Overrides the suite-wide fixture of the same name: here the cache is on."""
    settings.WATCHWORTHY_PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def review(db):
    work = WorkFactory(title="Saltmarsh", slug="saltmarsh")
    season = SeasonFactory(work=work, number=1, label="Part 1", episode_count=10)
    return ReviewFactory(
        title="Saltmarsh, Part 1",
        slug="saltmarsh-part-1",
        work=work,
        season=season,
        body=(
            "The marsh is the main character.\n\n"
            f"::: spoiler Part 1, episode 5\nThe lighthouse keeper is {SECRET}.\n:::\n\n"
            "Watch it."
        ),
    )
