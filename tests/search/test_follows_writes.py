"""The index follows every write path through the change signal: publish, edit,
unpublish, delete, import, a scheduled review's moment, and catalog edits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import CharacterFactory, ReviewFactory, WorkFactory
from tests.imports.builders import item, wxr
from tests.imports.conftest import import_path
from tests.search.conftest import find, titles
from watchworthy.catalog.models import Platform
from watchworthy.core.publishing import announce_due
from watchworthy.reviews.models import Review
from watchworthy.search.models import SearchEntry

pytestmark = pytest.mark.django_db


def test_publishing_a_draft_makes_it_findable(committed):
    with committed():
        review = ReviewFactory(title="Quill draft", status=Review.Status.DRAFT, published_at=None)
    assert titles("quill") == []
    with committed():
        review.status = Review.Status.PUBLISHED
        review.save()
    assert titles("quill") == ["Quill draft"]


def test_an_edit_is_found_by_its_new_words_only(committed):
    with committed():
        review = ReviewFactory(title="Quill", body="The zephyr blows.")
    with committed():
        review.title = "Marigold"
        review.body = "Calm water."
        review.save()
    assert titles("quill") == [] and titles("zephyr") == []
    assert titles("marigold calm") == ["Marigold"]


def test_unpublishing_and_deleting_remove_it(committed):
    with committed():
        kept = ReviewFactory(title="Quill one")
        gone = ReviewFactory(title="Quill two")
    with committed():
        kept.status = Review.Status.DRAFT
        kept.save()
    assert titles("quill") == ["Quill two"]
    with committed():
        gone.delete()
    assert titles("quill") == []
    assert not SearchEntry.objects.filter(kind="review").exists()


def test_a_scheduled_review_is_found_from_its_moment(committed):
    moment = timezone.now() + timedelta(minutes=5)
    with committed():
        ReviewFactory(title="Quill scheduled", status=Review.Status.SCHEDULED, published_at=moment)
    assert titles("quill") == []
    # Later: the search compares the time with the clock, before anything announces it…
    Review.objects.update(published_at=timezone.now() - timedelta(seconds=1))
    SearchEntry.objects.update(published_at=timezone.now() - timedelta(seconds=1))
    assert titles("quill") == ["Quill scheduled"]
    # …and the announcement (a write, so a change) keeps the entry in step.
    with committed():
        assert announce_due() == 1
    assert titles("quill") == ["Quill scheduled"]


def test_a_work_edit_reaches_everything_under_it(committed):
    with committed():
        work = WorkFactory(title="Quillwater")
        ReviewFactory(title="A review", work=work)
        CharacterFactory(work=work, name="Suzu")
    assert len(find("quillwater")) == 3  # the work, and the others by its title
    netflix = Platform.objects.create(name="Netflix", slug="netflix")
    with committed():
        work.title = "Marigold"
        work.save()
        work.platforms.add(netflix)
    assert find("quillwater") == []
    assert len(find("marigold", platform=netflix.pk)) == 3
    with committed():
        netflix.name = "Netflix Japan"
        netflix.save()
    assert titles("japan") == ["Marigold"]  # platform names are words of their works
    with committed():
        work.reviews.all().delete()
        work.delete()
    assert not SearchEntry.objects.exists()


def test_an_import_is_findable(committed, tmp_path):
    export = wxr(item(10, "Quillwater, part two", name="quillwater-2",
                      content="<p>The zephyr returns.</p>"))  # fmt: skip
    with committed():
        path = tmp_path / "export.xml"
        path.write_text(export, encoding="utf-8")
        import_path(path)
    assert titles("zephyr") == ["Quillwater, part two"]
    assert titles("quillwater part") == ["Quillwater, part two"]
