"""What a reader finds: ranked, prefix-matched, only what is public, and never a
spoiler's words in what is shown. Runs on SQLite (FTS5) and on PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import CharacterFactory, ReviewFactory, SeasonFactory, WorkFactory
from tests.search.conftest import find, titles
from watchworthy.reviews.models import Review
from watchworthy.search import backends, services
from watchworthy.search.backends import PostgresSearch, SQLiteSearch, backend

pytestmark = pytest.mark.django_db


def test_the_engine_is_the_database_s_own():
    expected = {"sqlite": SQLiteSearch, "postgresql": PostgresSearch}[connection.vendor]
    assert isinstance(backend(), expected)


def test_the_start_of_a_word_finds_it(committed):
    with committed():
        ReviewFactory(title="Ferrylight Part 1 review", work=WorkFactory(title="Ferrylight"))
    assert "Ferrylight Part 1 review" in titles("ferry")
    assert "Ferrylight Part 1 review" in titles("FERRYL")
    assert titles("ferrylightx") == []


def test_accents_and_case_do_not_matter(committed):
    with committed():
        ReviewFactory(title="Le Café des Étoiles", body="Une série très réussie.")
    assert titles("cafe etoiles") == ["Le Café des Étoiles"]
    assert titles("SERIE") == ["Le Café des Étoiles"]


def test_a_title_match_outranks_a_body_match(committed):
    with committed():
        # Older, with the word in its title; newer ones only mention it, even often.
        ReviewFactory(
            title="Lighthouse keepers",
            body="A quiet show about the sea.",
            published_at=timezone.now() - timedelta(days=30),
        )
        for n in range(3):
            ReviewFactory(
                title=f"Harbour stories {n}",
                body="The lighthouse, the lighthouse, again the lighthouse.",
            )
    found = titles("lighthouse")
    assert found[0] == "Lighthouse keepers"
    assert titles("lighthouse", verdict="watch")[0] == "Lighthouse keepers"  # filtered too
    assert len(found) == 4  # fmt: skip


def test_every_word_must_be_there(committed):
    with committed():
        ReviewFactory(title="Zephyr and quill", body="Both words.")
        ReviewFactory(title="Only the zephyr", body="One word.")
    assert titles("zephyr quill") == ["Zephyr and quill"]


def test_drafts_and_future_schedules_are_never_found(committed):
    with committed():
        ReviewFactory(title="Quill draft", status=Review.Status.DRAFT, published_at=None)
        ReviewFactory(
            title="Quill later",
            status=Review.Status.SCHEDULED,
            published_at=timezone.now() + timedelta(hours=2),
        )
        ReviewFactory(title="Quill now")
    assert titles("quill") == ["Quill now"]  # fmt: skip


SPOILED = (
    "The ferry sails on.\n\n"
    "::: spoiler Part 2, episode 7\nKuroshio betrays the rowers at the levee.\n:::\n\n"
    "Later, ||Part 2 ep 3: Amagane drowns|| and the city mourns."
)


def test_a_word_inside_a_spoiler_finds_the_review_but_is_never_shown(committed):
    with committed():
        ReviewFactory(title="Ferrylight Part 2", body=SPOILED)
    for word in ("kuroshio", "betrays", "amagane", "drowns"):
        hits = find(word)
        assert [hit.entry.title for hit in hits] == ["Ferrylight Part 2"], word
        shown = (str(hits[0].title) + str(hits[0].snippet) + hits[0].entry.text).lower()
        assert word not in shown, (word, shown)
    assert "[Spoiler" in find("kuroshio")[0].entry.text  # a label where the words were
    # Words outside spoilers are shown and marked.
    assert "<mark>ferry</mark>" in str(find("ferry")[0].snippet)


def test_a_spoiler_character_is_found_by_name_but_not_named(committed):
    work = WorkFactory(title="Ferrylight")
    with committed():
        part_2 = SeasonFactory(work=work, number=2, label="Part 2")
        CharacterFactory(
            work=work,
            name="Mio Kuroshio",
            description="The broker's daughter.",
            first_season=part_2,
            first_episode=7,
        )
        CharacterFactory(work=work, name="Suzu Amagane", description="Rows the ferry.")
    hits = find("mio")
    assert [hit.entry.kind for hit in hits] == ["character"]
    shown = str(hits[0].title) + str(hits[0].snippet) + hits[0].entry.subtitle
    assert "Mio" not in shown and "daughter" not in shown
    assert "Part 2, ep 7" in shown
    assert titles("suzu") == ["Suzu Amagane"]  # met in the first episode: named


def test_works_and_characters_are_found_too(committed):
    with committed():
        work = WorkFactory(title="Ferrylight", original_title="Watashibune no Akari")
        CharacterFactory(work=work, name="Suzu Amagane")
    kinds = {hit.entry.kind: hit.entry.title for hit in find("watashibune")}
    assert kinds == {"work": "Ferrylight"}
    assert {hit.entry.kind for hit in find("suzu")} == {"character"}


def test_titles_and_snippets_are_escaped_with_only_our_marks(committed):
    with committed():
        ReviewFactory(
            title='<img src=x onerror=alert(1)> Quill "night"',
            body="<script>alert(2)</script> quill & zephyr",
        )
    hit = find("quill")[0]
    title, snippet = str(hit.title), str(hit.snippet)
    assert "<img" not in title and "&lt;img" in title
    assert "<mark>Quill</mark>" in title
    assert "<script" not in snippet
    assert snippet.count("<mark>") == 1 and "&amp; zephyr" in snippet


def test_a_long_review_shows_the_stretch_around_the_words(committed):
    filler = " ".join(f"word{n}" for n in range(400))
    with committed():
        ReviewFactory(title="Long one", body=f"{filler} the levee breaks here. {filler}")
    snippet = str(find("levee")[0].snippet)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>levee</mark> breaks" in snippet
    assert len(snippet) < 400


def test_many_matches_are_counted_up_to_a_cap(committed, monkeypatch):
    monkeypatch.setattr(backends, "COUNT_CAP", 3)
    monkeypatch.setattr(services, "COUNT_CAP", 3)
    with committed():
        for n in range(5):
            ReviewFactory(title=f"Zephyr {n}")
    results = services.search_run(text="zephyr", filters=services.Filters())
    assert results is not None
    assert (results.total, results.more, results.pages) == (3, True, 1)
