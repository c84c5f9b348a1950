"""Rows carried in a column of another row (core.jsonrows) come back as the objects
their own queryset gives: same fields, same values and types, the database's order."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import OuterRef

from tests.factories import ReviewFactory, SeasonFactory, WorkFactory
from watchworthy.catalog.models import Season, Work
from watchworthy.core.jsonrows import JSONRows, RowShape, load_objects, object_rows
from watchworthy.discussion.models import Comment
from watchworthy.reviews.models import Review, Tag

pytestmark = pytest.mark.django_db


def fields(objects: list) -> list[tuple]:
    return [
        tuple((f.attname, type(value), value) for f in o._meta.concrete_fields
              for value in [getattr(o, f.attname)])
        for o in objects
    ]  # fmt: skip


def test_objects_come_back_as_their_queryset_gives_them_in_its_order():
    review = ReviewFactory()
    # Mixed case and accents: the order is the database's collation, not Python's.
    for name in ["zebra", "Ápple", "apple", "Mango", "éclair", "10 best", "2 worst"]:
        review.tags.create(name=name, slug=name.replace(" ", "-").lower() + str(len(name)))
    work = WorkFactory()
    SeasonFactory(work=work, number=3, release_date=date(2024, 2, 29), air_dates="x\ny")
    SeasonFactory(work=work, number=1, episode_count=None, label='Ünïcode — “quoted” \\ "')
    SeasonFactory(work=work, number=2, recap="line\nbreak\ttab")
    rows = (
        Review.objects.filter(pk=review.pk)
        .annotate(
            tags_json=object_rows(Tag.objects.filter(reviews=OuterRef("pk")), order_by="name"),
            seasons_json=object_rows(Season.objects.filter(work=work.pk), order_by="number"),
        )
        .get()
    )
    tags = load_objects(Tag, rows.tags_json, "default")
    seasons = load_objects(Season, rows.seasons_json, "default")
    assert fields(tags) == fields(list(Tag.objects.filter(reviews=review).order_by("name")))
    assert fields(seasons) == fields(list(Season.objects.filter(work=work)))
    assert all(not s._state.adding and s._state.db == "default" for s in seasons)


def test_no_rows_is_an_empty_list():
    review = ReviewFactory()
    found = (
        Review.objects.filter(pk=review.pk)
        .annotate(
            tags_json=object_rows(Tag.objects.filter(reviews=OuterRef("pk")), order_by="name")
        )
        .get()
    )
    assert found.tags_json == []
    assert load_objects(Tag, found.tags_json, "default") == []


def test_times_decimals_and_json_come_back_as_their_queryset_gives_them():
    """Times (naive UTC text on SQLite, ISO with an offset on PostgreSQL), decimals
    (7 or 7.0 as JSON numbers) and JSON values (text on SQLite, nested on PostgreSQL)
    are read back to the values a queryset gives."""
    work = WorkFactory()
    ReviewFactory(work=work, score="7.0")
    ReviewFactory(work=work, score="10.0", status=Review.Status.DRAFT, published_at=None)
    ReviewFactory(work=work, score=None)
    every = RowShape(Review)
    row = (
        Work.objects.filter(pk=work.pk)
        .annotate(
            reviews_json=every.rows(Review.objects.filter(work=OuterRef("pk")), order_by="pk")
        )
        .get()
    )
    assert fields(every.load(row.reviews_json, "default")) == fields(
        list(Review.objects.filter(work=work).order_by("pk"))
    )


def test_a_field_json_would_change_is_refused():
    # An address field's values are not read back by any rule here.
    with pytest.raises(ImproperlyConfigured, match="ip_address"):
        object_rows(Comment.objects.all(), order_by="pk")


def test_the_subquery_must_select_one_json_column():
    with pytest.raises(ValueError, match="one column"):
        JSONRows(Tag.objects.values("name"))
