"""PostgreSQL's word table (migration 0003): kept in step with the entries by its
triggers on every write and on a rebuild, and the three ways of finding the newest
matches (a walk, the rarest part's index, the two rarest parts' indexes) find the
same entries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import ReviewFactory, WorkFactory
from tests.imports.builders import item, wxr
from tests.imports.conftest import import_path
from tests.search.conftest import titles
from watchworthy.catalog.models import Platform
from watchworthy.reviews.models import Review
from watchworthy.search.backends import PostgresSearch
from watchworthy.search.index import rebuild
from watchworthy.search.models import SearchEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the word table is PostgreSQL's")


def word_table() -> dict[int, tuple[set[str], set[str], object]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, tsvector_to_array(words), tsvector_to_array(filters), published_at "
            "FROM search_words"
        )
        return {pk: (set(words), set(filters), at) for pk, words, filters, at in cursor}


def expected() -> dict[int, tuple[set[str], set[str], object]]:
    """What the table should hold, from the entries (their words are already folded)."""
    return {
        e.pk: (
            set(e.match_title.split()) | set(e.match_body.split()),
            set(e.facets.split()),
            e.published_at,
        )
        for e in SearchEntry.objects.all()
    }


def test_the_word_table_follows_every_write(committed, tmp_path):
    with committed():
        kept = ReviewFactory(title="Quill harbour", body="The zephyr blows.")
        gone = ReviewFactory(title="Marigold", body="Calm water.")
    assert word_table() == expected()
    assert len(word_table()) == SearchEntry.objects.count() == 4  # two works too

    with committed():  # an edit
        kept.title = "Quill lighthouse"
        kept.verdict = "avoid"
        kept.save()
    assert word_table() == expected()
    words, filters, _ = word_table()[SearchEntry.objects.get(title="Quill lighthouse").pk]
    assert "lighthouse" in words and "harbour" not in words and "fvavoid" in filters

    with committed():  # unpublished: the entry and its row go
        gone.status = Review.Status.DRAFT
        gone.save()
    assert word_table() == expected() and len(word_table()) == 3

    later = timezone.now() + timedelta(hours=1)
    with committed():  # scheduled: its time is copied
        ReviewFactory(title="Quill later", status=Review.Status.SCHEDULED, published_at=later)
    assert word_table() == expected()
    assert later in {at for _, _, at in word_table().values()}

    path = tmp_path / "export.xml"
    path.write_text(wxr(item(10, "Imported quill", content="<p>Zephyr.</p>")), encoding="utf-8")
    with committed():  # an import
        import_path(path)
    assert word_table() == expected() and len(word_table()) == 7  # a review and its work

    with connection.cursor() as cursor:  # out of step on purpose: a rebuild repairs it
        cursor.execute("DELETE FROM search_words WHERE id = (SELECT min(id) FROM search_words)")
        cursor.execute(  # and a row with no entry, which would be found
            "INSERT INTO search_words VALUES "
            "(999999, NULL, to_tsvector('simple', 'quill stray'), ''::tsvector)"
        )
    table = word_table()
    assert 999999 in table and len(table) == len(expected())  # one missing, one stray
    ids_before = set(expected())
    assert rebuild()["review"] == 3
    assert word_table() == expected() and len(word_table()) == 7
    assert not ids_before & set(word_table())  # every entry written again

    with committed():  # a delete
        kept.delete()
    assert word_table() == expected() and len(word_table()) == 6
    assert titles("quill") == ["Imported quill"]


def make_entries():
    """Twelve reviews: "zephyr" in all (dense), "quill" in three, two on Netflix."""
    netflix = Platform.objects.create(name="Netflix", slug="netflix")
    work = WorkFactory(title="Harbour")
    work.platforms.add(netflix)
    for n in range(9):
        ReviewFactory(title=f"Zephyr {n}", body="The zephyr blows.")
    ReviewFactory(title="Quill one", body="The zephyr and a quill.")
    ReviewFactory(title="Quill two", body="Zephyr, quill.", work=work)
    ReviewFactory(title="Quillon", body="A zephyr.", work=work, verdict="skip")
    ReviewFactory(
        title="Quill later",
        body="Zephyr.",
        status=Review.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=1),
    )
    return netflix


@pytest.mark.parametrize(
    ("probe", "posting", "fetch"),
    [
        (1000, 1e6, 1e6),  # the walk: any index costs too much
        (1000, 0, 0),  # the rarest part's index: both cost nothing, one is tried first
        (1000, 0, 1),  # the two rarest parts' indexes: fewer rows to fetch
        (1000, PostgresSearch.POSTING, PostgresSearch.FETCH),  # as estimated
        (3, PostgresSearch.POSTING, PostgresSearch.FETCH),  # from the three newest
    ],
)
def test_every_way_finds_the_same(committed, monkeypatch, probe, posting, fetch):
    with committed():
        netflix = make_entries()
    with connection.cursor() as cursor:  # the table's size, which the costs are of
        cursor.execute("ANALYZE search_words")
    monkeypatch.setattr(PostgresSearch, "PROBE", probe)
    monkeypatch.setattr(PostgresSearch, "POSTING", posting)
    monkeypatch.setattr(PostgresSearch, "FETCH", fetch)
    assert sorted(titles("quill")) == ["Quill one", "Quill two", "Quillon"]
    assert sorted(titles("quill zephyr")) == ["Quill one", "Quill two", "Quillon"]
    assert sorted(titles("zephyr quill")) == ["Quill one", "Quill two", "Quillon"]
    assert sorted(titles("quill", platform=netflix.pk)) == ["Quill two", "Quillon"]
    assert titles("quill", platform=netflix.pk, verdict="skip") == ["Quillon"]
    assert titles("zephyr", verdict="skip") == ["Quillon"]
    assert len(titles("zephyr")) == 12
    assert titles("", platform=netflix.pk, verdict="skip") == ["Quillon"]
    assert titles("quill kelp") == titles("kelp") == []
