"""Every public page runs a fixed number of SQL queries, however much content exists.

Each page is measured with a little content and again with ten times as much; the
exact count is asserted both times, so an N+1 shows up as a failure here.
"""

import pytest
from django.core.cache import cache

from tests.conftest import png_bytes
from tests.factories import (
    CharacterFactory,
    ImageFactory,
    ReviewFactory,
    SeasonFactory,
    SupportLinkFactory,
    TagFactory,
    UserFactory,
    WorkFactory,
)
from watchworthy.catalog.models import Genre, Platform
from watchworthy.discussion.services import comment_post
from watchworthy.reviews.models import Review, Verdict

pytestmark = pytest.mark.django_db

VERDICTS = [Verdict.WATCH, Verdict.AVOID, Verdict.SKIP]


def grow(scale: int, *, work, author, tag) -> None:
    """Add `scale` of everything a page could loop over."""
    for n in range(scale):
        season = SeasonFactory(work=work)
        CharacterFactory(work=work, first_season=season, first_episode=1)
        work.platforms.add(
            Platform.objects.create(name=f"Platform {season.pk}", slug=f"p-{season.pk}")
        )
        work.genres.add(Genre.objects.create(name=f"Genre {season.pk}", slug=f"g-{season.pk}"))
        review = ReviewFactory(
            work=work,
            season=season,
            author=author,
            verdict=VERDICTS[n % 3],
            score=n % 10,
            cover=ImageFactory(file=png_bytes(320, 180)),
        )
        review.tags.add(tag, TagFactory())
        SupportLinkFactory()
        # Reviews of other works, by other critics, citing the first review.
        ReviewFactory(body="::: cite anchor-review\n:::", verdict=VERDICTS[n % 3])
        # A thread under the first review: a comment and a reply to it.
        anchor = Review.objects.get(slug="anchor-review")
        top = comment_post(review=anchor, body=f"Comment {n}", user=author)
        comment_post(review=anchor, body=f"Reply {n}", user=author, parent=top)


@pytest.fixture
def site_content():
    work = WorkFactory(slug="the-work", poster=ImageFactory(file=png_bytes(320, 180)))
    author = UserFactory(username="mara")
    tag = TagFactory(slug="anime")
    work.genres.add(Genre.objects.create(name="Drama", slug="drama"))
    work.platforms.add(Platform.objects.create(name="Streamer", slug="streamer"))
    anchor = ReviewFactory(slug="anchor-review", work=work, author=author, verdict=Verdict.WATCH)
    anchor.tags.add(tag)
    return {"work": work, "author": author, "tag": tag}


PAGES = {
    # url: queries (the next scheduled moment and the site settings, both cached and
    # counted here with a cold cache; then what the page itself needs)
    "/": 3,
    # lists: and the filter form's options (platforms, genres, tags, years), in one
    # query each, which also check what was typed
    "/reviews/": 8,
    "/reviews/?verdict=watch&genre=drama&platform=streamer&tag=anime&year=2025&sort=score": 8,
    "/genres/drama/?verdict=watch&sort=title": 8,  # the genre, and no genre options
    "/platforms/streamer/": 8,
    "/browse/": 4,
    "/reviews/anchor-review/": 6,  # and the stored counts of its episode threads
    "/works/": 5,  # and each listed work's published reviews, for their verdicts
    "/works/the-work/": 8,
    "/watch/": 4,
    "/avoid/": 4,
    "/tags/anime/": 8,
    "/authors/mara/": 5,
}


@pytest.mark.parametrize(("url", "expected"), PAGES.items())
def test_page_query_count_does_not_grow_with_content(
    client, django_assert_num_queries, site_content, url, expected
):
    for scale in (2, 20):  # then ten times as much
        grow(scale, **site_content)
        cache.clear()  # count the site-settings query every time
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code == 200
