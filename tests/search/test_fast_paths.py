"""The shortcuts that keep search fast (bench/README.md) find exactly what the plain
query would: on SQLite and on PostgreSQL."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import ReviewFactory, WorkFactory
from tests.search.conftest import titles
from watchworthy.catalog.models import Platform
from watchworthy.search.backends import could_be_filter
from watchworthy.search.services import Filters

pytestmark = pytest.mark.django_db


def test_a_prefix_of_many_words_still_finds_each_of_them(committed):
    # "kar" begins many words, most in many reviews; the one review with "karst"
    # is found by the prefix, and alone by a longer one.
    with committed():
        for n in range(12):
            ReviewFactory(title=f"Karaoke night {n}", body="Karma and karaoke, karate.")
        ReviewFactory(title="Limestone", body="The karst country.")
    found = titles("kar")
    assert len(found) == 13 and "Limestone" in found
    assert titles("kars") == ["Limestone"]
    assert titles("karst") == ["Limestone"]
    assert titles("karstx") == []


def test_a_common_word_and_a_rare_one_need_both(committed):
    with committed():
        for n in range(10):
            ReviewFactory(title=f"The show {n}", body="The season, the episode.")
        ReviewFactory(title="Kelp", body="A quiet seaweed story.")
        ReviewFactory(title="The kelp forest", body="The divers stay.")
    assert titles("the kelp") == ["The kelp forest"]
    assert titles("kelp the") == ["The kelp forest"]
    assert sorted(titles("kelp")) == ["Kelp", "The kelp forest"]


def test_every_filter_token_starts_with_f():
    # Terms not starting with "f" are looked up in every column, filter tokens
    # included (faster); that is only the same search while this holds.
    tokens = (*Filters("review", "watch", "anime", 2024, 3, 4, 5).facets(), "fecomment")
    assert len(tokens) == 8
    assert all(could_be_filter(token) for token in tokens)
    assert not could_be_filter("kar") and could_be_filter("ferry")


def test_words_starting_with_f_are_words_not_filters(committed):
    netflix = Platform.objects.create(name="Netflix", slug="netflix")
    with committed():
        work = WorkFactory(title="Ferrylight")
        work.platforms.add(netflix)
        ReviewFactory(title="Ferrylight at last", work=work, body="Fvwatch is a made-up word.")
        ReviewFactory(title="Other", body="Nothing here.")
    assert "Ferrylight at last" in titles("ferry")
    assert titles("fvwatch") == ["Ferrylight at last"]  # a word in the body
    assert titles("fvwat") == ["Ferrylight at last"]
    assert titles(f"fp{netflix.pk}") == []  # a filter token is not a word
    assert titles("fe") == titles("fv") == []
    assert titles("ferry", platform=netflix.pk, verdict="watch") == ["Ferrylight at last"]


def test_a_scheduled_review_is_found_from_its_moment(committed, monkeypatch):
    later = timezone.now() + timedelta(hours=2)
    with committed():
        ReviewFactory(title="Quill later", status="scheduled", published_at=later)
        ReviewFactory(title="Quill now")
    assert titles("quill") == ["Quill now"]
    assert titles("quill", verdict="watch") == ["Quill now"]
    monkeypatch.setattr(timezone, "now", lambda: later + timedelta(seconds=1))
    assert sorted(titles("quill")) == ["Quill later", "Quill now"]


@pytest.mark.django_db(transaction=True)
def test_migration_0002_keeps_a_filled_index_working(committed):
    with committed():
        ReviewFactory(title="Seasonal harbour", body="Karst and kelp.")
    call_command("migrate", "search", "0001", verbosity=0)
    call_command("migrate", "search", verbosity=0)
    assert titles("seaso") == ["Seasonal harbour"]
    assert titles("kelp karst") == ["Seasonal harbour"]
    assert titles("kelp", verdict="watch") == ["Seasonal harbour"]
