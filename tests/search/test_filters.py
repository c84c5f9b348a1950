"""Filters narrow the results: verdict, platform, genre, year, kind, tag and what is
shown; each alone, together, and without any words."""

import pytest

from tests.factories import CharacterFactory, ReviewFactory, TagFactory, WorkFactory
from tests.search.conftest import titles
from watchworthy.catalog.models import Genre, Platform, Work
from watchworthy.reviews.models import Verdict

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(committed):
    netflix = Platform.objects.create(name="Netflix", slug="netflix")
    crunchy = Platform.objects.create(name="Crunchyroll", slug="crunchyroll")
    drama = Genre.objects.create(name="Drama", slug="drama")
    comedy = Genre.objects.create(name="Comedy", slug="comedy")
    slow = TagFactory(name="slow burn", slug="slow-burn")
    with committed():
        anime = WorkFactory(title="Quillwater", kind=Work.Kind.ANIME, year=2024)
        anime.platforms.add(crunchy)
        anime.genres.add(drama)
        film = WorkFactory(title="Zephyr Road", kind=Work.Kind.FILM, year=2019)
        film.platforms.add(netflix)
        film.genres.add(comedy)
        ReviewFactory(title="Harbour watch", work=anime, verdict=Verdict.WATCH).tags.add(slow)
        ReviewFactory(title="Harbour avoid", work=film, verdict=Verdict.AVOID)
        CharacterFactory(work=anime, name="Harbour master")
    return {"netflix": netflix, "crunchy": crunchy, "drama": drama, "comedy": comedy,
            "slow": slow}  # fmt: skip


def test_each_filter_narrows(catalog):
    assert titles("harbour", verdict="watch") == ["Harbour watch"]
    assert titles("harbour", verdict="avoid") == ["Harbour avoid"]
    assert titles("harbour", platform=catalog["netflix"].pk) == ["Harbour avoid"]
    assert sorted(titles("harbour", genre=catalog["drama"].pk)) == ["Harbour master",
                                                                   "Harbour watch"]  # fmt: skip
    assert sorted(titles("harbour", year=2024)) == ["Harbour master", "Harbour watch"]
    assert titles("harbour", kind="film") == ["Harbour avoid"]
    assert titles("harbour", tag=catalog["slow"].pk) == ["Harbour watch"]
    assert titles("harbour", type="character") == ["Harbour master"]
    assert sorted(titles("harbour", type="review")) == ["Harbour avoid", "Harbour watch"]


def test_filters_combine(catalog):
    assert titles("harbour", kind="anime", type="review") == ["Harbour watch"]
    assert titles("harbour", kind="anime", verdict="avoid") == []


def test_filters_alone_list_the_newest(catalog):
    assert titles(platform=catalog["netflix"].pk, type="work") == ["Zephyr Road"]
    assert titles(verdict="watch") == ["Harbour watch"]


def test_a_filter_word_typed_as_a_query_finds_nothing(catalog):
    # Filter tokens are not words: typing one is a search like any other.
    assert titles(f"fp{catalog['netflix'].pk}") == []
    assert titles("fvwatch") == []
