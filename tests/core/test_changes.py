"""The change signal itself: once per transaction, after commit, nothing on rollback.

These run in real transactions (``transaction=True``), not inside the test's own
transaction, so commit and rollback behave as they do in production."""

from contextlib import contextmanager

import pytest
from django.db import transaction

from tests.factories import TagFactory, WorkFactory
from watchworthy.core.changes import (
    ChangeSet,
    content_changed,
    mark_changed,
    mark_changed_ids,
    tracked_labels,
)
from watchworthy.reviews.models import Tag

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def listening():
    delivered: list[ChangeSet] = []

    def receiver(sender, changes, **kwargs):
        delivered.append(changes)

    content_changed.connect(receiver, weak=False, dispatch_uid="test_changes")
    try:
        yield delivered
    finally:
        content_changed.disconnect(dispatch_uid="test_changes")


def test_one_delivery_per_transaction_after_commit():
    with listening() as delivered:
        with transaction.atomic():
            first = TagFactory()
            second = TagFactory()
            mark_changed_ids("catalog.work", [7])
            assert delivered == []  # nothing before the commit
        assert len(delivered) == 1
    changes = delivered[0]
    assert changes.ids(Tag) == {first.pk, second.pk}
    assert changes.ids("catalog.work") == {7}
    assert "catalog.work" in changes and "pages.page" not in changes


def test_a_rolled_back_transaction_delivers_nothing():
    with listening() as delivered:
        with pytest.raises(RuntimeError), transaction.atomic():
            TagFactory()
            raise RuntimeError("boom")
        assert delivered == []
        with transaction.atomic():  # the next transaction starts afresh
            tag = TagFactory()
        assert [set(c.ids(Tag)) for c in delivered] == [{tag.pk}]


def test_outside_a_transaction_each_write_is_delivered_at_once():
    with listening() as delivered:
        tag = TagFactory()
        assert [c.ids(Tag) for c in delivered] == [{tag.pk}]
        tag.delete()
        assert len(delivered) == 2


def test_marks_in_a_rolled_back_savepoint_with_no_outer_mark_deliver_nothing():
    with listening() as delivered:
        with transaction.atomic():
            with pytest.raises(RuntimeError), transaction.atomic():
                TagFactory()
                raise RuntimeError("boom")
            work = WorkFactory()
        assert len(delivered) == 1
        assert delivered[0].labels == {"catalog.work"}
        assert delivered[0].ids("catalog.work") == {work.pk}


def test_a_failing_subscriber_does_not_stop_the_others_or_the_write(caplog):
    def broken(sender, changes, **kwargs):
        raise ValueError("subscriber bug")

    content_changed.connect(broken, weak=False, dispatch_uid="broken")
    try:
        with listening() as delivered:
            with transaction.atomic():
                tag = TagFactory()
            assert [c.ids(Tag) for c in delivered] == [{tag.pk}]
    finally:
        content_changed.disconnect(dispatch_uid="broken")
    assert Tag.objects.filter(pk=tag.pk).exists()
    assert "content_changed receiver" in caplog.text


def test_unsaved_objects_and_empty_marks_are_ignored():
    with listening() as delivered:
        with transaction.atomic():
            mark_changed(Tag(name="never saved"))
            mark_changed_ids(Tag, [])
        assert delivered == []


def test_every_content_model_is_tracked():
    assert tracked_labels() >= {
        "reviews.review",
        "reviews.tag",
        "catalog.work",
        "catalog.season",
        "catalog.character",
        "catalog.platform",
        "catalog.genre",
        "images.image",
        "discussion.comment",
        "pages.page",
        "accounts.user",
        "core.sitesettings",
        "core.supportlink",
        "imports.legacyredirect",
    }


def test_a_huge_transaction_says_everything_changed_instead_of_listing_ids(monkeypatch):
    from watchworthy.core import changes

    monkeypatch.setattr(changes, "MANY", 5)
    with listening() as delivered:
        with transaction.atomic():
            mark_changed_ids("discussion.comment", range(1, 100))
            mark_changed_ids("reviews.review", [1, 2])
        (change,) = delivered
    assert change.everything("discussion.comment")
    assert change.ids("discussion.comment") == frozenset()  # not kept: memory stays flat
    assert "discussion.comment" in change and "discussion.comment" in change.labels
    assert change.ids("reviews.review") == {1, 2} and not change.everything("reviews.review")
