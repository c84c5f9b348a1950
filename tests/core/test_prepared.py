"""Querysets compiled once per database (core.prepared) give what the queryset gives:
the same objects with their select_related rows, the same plain rows; on every shape
of comment page the thread reads the rows its queryset read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models.functions import Now
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from tests.factories import ImageFactory, ReviewFactory, SeasonFactory, UserFactory, WorkFactory
from watchworthy.core.prepared import PreparedInsert, PreparedQuery
from watchworthy.discussion.context import _read, _read_approved
from watchworthy.discussion.models import Comment, EpisodeThread
from watchworthy.discussion.paging import ThreadPage, thread_page
from watchworthy.reviews.models import Review
from watchworthy.web import queries

pytestmark = pytest.mark.django_db

PUBLISHED_AT = Review._meta.get_field("published_at")
BY_WORK = PreparedQuery(
    lambda work, now: (
        Review.objects.published(now=now).for_cards().filter(work=work).newest_first()
    ),
    work=Review._meta.get_field("work"),
    now=PUBLISHED_AT,
)


def values(review: Review) -> tuple:
    """A review's own fields and those of every row select_related loaded."""
    related = (review.work, review.season, review.author, review.cover)
    return tuple(
        (type(row).__name__, tuple(getattr(row, f.attname) for f in row._meta.concrete_fields))
        if row is not None
        else None
        for row in (review, *related)
    )


def test_the_same_objects_as_the_queryset_with_each_calls_values():
    work = WorkFactory()
    season = SeasonFactory(work=work, number=1)
    old = ReviewFactory(work=work, season=season, cover=ImageFactory())
    newer = ReviewFactory(work=work, published_at=timezone.now() - timedelta(hours=1))
    ReviewFactory()  # another work
    now = timezone.now()
    fetched = BY_WORK.fetch(work=work.pk, now=now)
    expected = list(Review.objects.published(now=now).for_cards().filter(work=work).newest_first())
    assert [values(r) for r in fetched] == [values(r) for r in expected]
    assert [r.pk for r in fetched] == [newer.pk, old.pk]
    # Other values, same compiled SQL: an earlier moment sees only the older review.
    earlier = BY_WORK.fetch(work=work.pk, now=now - timedelta(minutes=90))
    assert [r.pk for r in earlier] == [old.pk]
    assert BY_WORK.fetch(work=work.pk + 1000, now=now) == []


def test_a_value_the_sql_does_not_carry_is_refused_when_compiled():
    folded = PreparedQuery(lambda slug: Review.objects.all(), slug=Review._meta.get_field("slug"))
    with pytest.raises(ImproperlyConfigured, match="slug"):
        folded.fetch(slug="a")


def test_the_review_page_rows_match_their_querysets(critic):
    review = ReviewFactory(author=critic, season=SeasonFactory(number=2))
    review.tags.create(name="b", slug="b")
    review.tags.create(name="a", slug="a")
    found = queries.review_for_page(review.slug, staff=False)
    assert found is not None and values(found) == values(
        Review.objects.for_cards().get(pk=review.pk)
    )
    assert [t.name for t in found.tags.all()] == ["a", "b"]
    assert queries.seasons_of(found) == list(review.work.seasons.all())
    Review.objects.filter(pk=review.pk).update(status=Review.Status.DRAFT)
    assert queries.review_for_page(review.slug, staff=False) is None
    assert queries.review_for_page(review.slug, staff=True) is not None


def test_the_other_reviews_of_the_work_come_in_the_review_row(critic, django_assert_num_queries):
    """The "More on" cards are read with the review's row (core.jsonrows): the same
    six reviews as their queryset, in its order, and the same card, without a query."""
    from watchworthy.reviews.html import review_card

    work = WorkFactory()
    first, second = SeasonFactory(work=work, number=1), SeasonFactory(work=work, number=2)
    review = ReviewFactory(work=work, season=first, author=critic)
    now = timezone.now()
    cover = ImageFactory()
    Image = type(cover)
    Image.objects.filter(pk=cover.pk).update(renditions={"960": "r/960.webp", "480": "r/480.webp"})
    others = [
        ReviewFactory(work=work, season=second, cover=cover, score="7.5", author=critic,
                      published_at=now - timedelta(hours=1)),
        ReviewFactory(work=work, score=None, teaser="<b>Tease</b> & more",
                      author=UserFactory(display_name="", first_name="Ann", last_name="Lee"),
                      published_at=now - timedelta(hours=2)),
    ]  # fmt: skip
    others += [
        ReviewFactory(work=work, score="10.0", published_at=now - timedelta(days=n))
        for n in range(1, 8)
    ]
    ReviewFactory(work=work, status=Review.Status.DRAFT)
    ReviewFactory(work=work, published_at=now + timedelta(hours=1))  # scheduled
    Review.objects.filter(pk=others[0].pk).update(audience_votes=4, audience_agree=3)
    expected = list(
        Review.objects.published(now=now).for_cards().filter(work=work).exclude(pk=review.pk)
        .newest_first()[: queries.MORE_ON_WORK]
    )  # fmt: skip
    assert len(expected) == 6 and expected[0].pk == others[0].pk
    for staff in (False, True):
        found = queries.review_for_page(review.slug, staff=staff, now=now)
        with django_assert_num_queries(0):
            cards = queries.more_on_work(found, now=now)
            assert [c.pk for c in cards] == [e.pk for e in expected]
            assert [review_card(c, "h3") for c in cards] == [review_card(e, "h3") for e in expected]
            assert [(c.score, c.published_at, c.audience) for c in cards] == [
                (e.score, e.published_at, e.audience) for e in expected
            ]
            assert cards[0].cover.renditions == expected[0].cover.renditions
            assert cards[0].season.pk == second.pk and cards[1].season is None
            assert cards[1].author.public_name == "Ann Lee"
        # Asked for another moment, the cards are read for it.
        earlier = now - timedelta(minutes=90)
        with django_assert_num_queries(1):
            then = queries.more_on_work(found, now=earlier)
        assert [c.pk for c in then] == [
            r.pk
            for r in Review.objects.published(now=earlier).filter(work=work)
            .exclude(pk=review.pk).newest_first()[: queries.MORE_ON_WORK]
        ]  # fmt: skip
        assert others[0].pk not in [c.pk for c in then]


@pytest.mark.parametrize("per_page", [0, 2])
@pytest.mark.parametrize("in_episode", [False, True])
def test_every_shape_of_comment_page_reads_what_its_queryset_read(
    make_comment, critic, per_page, in_episode
):
    review = ReviewFactory(author=critic)
    thread = (
        EpisodeThread.objects.create(review=review, season=1, episode=1) if in_episode else None
    )
    for n in range(5):
        top = make_comment(review, f"Thread {n}.", user=critic if n == 1 else None)
        make_comment(review, f"Reply {n}.", parent=top)
    Comment.objects.filter(review=review).update(episode_thread=thread)
    Comment.objects.filter(review=review, number__in=[2, 3]).update(
        created_at=timezone.now() - timedelta(days=1)  # outside the edit window
    )
    thread_id = thread.pk if thread else None
    approved = Comment.objects.filter(
        review=review, episode_thread_id=thread_id, status=Comment.Status.APPROVED
    )
    pages = [ThreadPage(page_range=[1])]
    if per_page:
        pages = [
            thread_page(
                review.pk,
                page=n,
                per_page=per_page,
                newest_first=False,
                episode_thread_id=thread_id,
            )
            for n in (1, 2, 3)
        ]
        assert any(p.lower and p.upper for p in pages) and any(p.upper is None for p in pages)
    for page in pages:
        rows = _read_approved(review.pk, thread_id, page)
        assert rows and rows == _read(page.within(approved))


def test_next_due_is_the_earliest_scheduled_moment_as_a_time():
    from watchworthy.core.publishing import next_due

    assert next_due() is None
    soon = timezone.now() + timedelta(hours=2)
    ReviewFactory(status=Review.Status.SCHEDULED, published_at=soon + timedelta(hours=1))
    ReviewFactory(status=Review.Status.SCHEDULED, published_at=soon)
    ReviewFactory(published_at=soon - timedelta(days=3))  # published: not scheduled
    assert next_due() == soon


def test_postgresql_prepares_the_statement_once_per_connection():
    """On PostgreSQL the server keeps the statement: the second call on a connection
    only executes it (what spares the planning on every page). Elsewhere there is
    nothing to prepare, and the usual cursor runs it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (SQLite compiles per connection)")
    work = WorkFactory()
    ReviewFactory(work=work)
    now = timezone.now()

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall() if "reviews_review" in row[0]]

    before = prepared()
    first = BY_WORK.fetch(work=work.pk, now=now)
    after_one = prepared()
    second = BY_WORK.fetch(work=work.pk, now=now)
    assert [r.pk for r in first] == [r.pk for r in second] and len(first) == 1
    assert len(after_one) == len(before) + 1  # prepared at its first run
    assert prepared() == after_one  # and run again, not prepared again
    assert BY_WORK.rows(work=work.pk, now=now)  # plain rows through the same cursor


def test_a_queryset_from_a_related_manager_is_refused():
    """Objects reached through a related manager know their parent without a query;
    PreparedQuery builds objects as for a plain queryset, so it refuses such a shape
    when compiling instead of handing back objects that would query again."""
    work = WorkFactory()
    query = PreparedQuery(lambda now: work.reviews.filter(published_at__lte=now), now=PUBLISHED_AT)
    with pytest.raises(ImproperlyConfigured, match="related manager"):
        query.fetch(now=timezone.now())


def test_postgresql_plans_a_prepared_statement_once_not_on_every_run():
    """A prepared statement keeps one plan: left alone, PostgreSQL planned the small
    thread's statement again on every page (its plan for the average review looked
    worse than one for the values at hand)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (SQLite compiles per connection)")
    work = WorkFactory()
    ReviewFactory(work=work)
    now = timezone.now()
    for _ in range(8):  # past the five runs after which PostgreSQL weighs a generic plan
        BY_WORK.fetch(work=work.pk, now=now)
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ["%reviews_review%"],
        )
        plans = cursor.fetchall()
    assert any(generic >= 8 for generic, _ in plans)  # this test's statement, 8 runs
    assert all(custom == 0 for _, custom in plans)  # no statement planned per run


def test_a_connection_without_prepared_statements_keeps_the_servers_planning():
    """Behind a pooler (DATABASE_PREPARED_STATEMENTS=0) nothing is prepared and the
    connection is left as the server configures it."""
    from watchworthy.core.prepared import plan_once_per_connection

    class Unprepared:
        vendor = "postgresql"
        settings_dict = {"OPTIONS": {}}

        def cursor(self):
            raise AssertionError("no statement should be sent")

    plan_once_per_connection(sender=None, connection=Unprepared())


def test_the_mail_task_reads_the_comment_with_its_review_and_author(
    critic, make_comment, django_assert_num_queries
):
    from watchworthy.discussion.queries import comment_for_mail

    review = ReviewFactory(author=critic)
    comment = make_comment(review, "Mail me.")
    expected = Comment.objects.select_related("review__author").get(pk=comment.pk)
    with django_assert_num_queries(1):
        found = comment_for_mail(comment.pk)
        assert found is not None
        assert (found.pk, found.review.pk, found.review.author.email) == (
            expected.pk,
            expected.review.pk,
            expected.review.author.email,
        )
    assert comment_for_mail(comment.pk + 1000) is None


def _comment(review: Review, parent: Comment | None = None, **extra) -> Comment:
    return Comment(
        review=review,
        parent=parent,
        author_name="Rin",
        author_email="rin@example.com",
        ip_address="192.0.2.9",
        body="The ferry scene.",
        body_html="<p>The ferry scene.</p>",
        status=Comment.Status.APPROVED,
        spoils_season=2,
        notify_replies=True,
        **extra,
    )


def _stored(comment: Comment) -> dict:
    """The comment's row as the database has it, without its own id."""
    row = Comment.objects.filter(pk=comment.pk).values().get()
    return {k: v for k, v in row.items() if k != "id"}


def test_a_prepared_insert_stores_the_row_save_stores_and_signals_as_save(capture_changes):
    review = ReviewFactory()
    at = timezone.now() - timedelta(days=2)
    saved = _comment(review, created_at=at)
    saved.save()
    heard: list[tuple] = []

    def on_pre(sender, instance, **kwargs):
        heard.append(("pre", instance.pk, kwargs["update_fields"]))

    def on_post(sender, instance, created, **kwargs):
        heard.append(("post", instance.pk, created))

    pre_save.connect(on_pre, sender=Comment)
    post_save.connect(on_post, sender=Comment)
    try:
        inserted = _comment(review, parent=saved, created_at=at)
        with capture_changes() as delivered:
            assert PreparedInsert(Comment).insert(inserted) is inserted
    finally:
        pre_save.disconnect(on_pre, sender=Comment)
        post_save.disconnect(on_post, sender=Comment)
    assert inserted.pk is not None and inserted.pk != saved.pk
    assert not inserted._state.adding and inserted._state.db == "default"
    assert _stored(inserted) == _stored(saved) | {"parent_id": saved.pk}
    assert heard == [("pre", None, None), ("post", inserted.pk, True)]
    # The change signal heard of it through post_save, as of any save.
    assert [set(c.ids("discussion.comment")) for c in delivered] == [{inserted.pk}]


def test_a_prepared_insert_fills_defaults_and_auto_now_add_as_save_does():
    review = ReviewFactory()
    before = timezone.now()
    comment = Comment(review=review, author_name="Ann", body="Hi")
    PreparedInsert(Comment).insert(comment)
    row = Comment.objects.get(pk=comment.pk)
    assert row.status == Comment.Status.PENDING  # the field's default
    assert before <= row.created_at <= timezone.now()  # default=timezone.now
    assert row.number is None and row.path == ""


def test_a_prepared_insert_refuses_expressions_saved_rows_and_unsaved_relations():
    review = ReviewFactory()
    inserts = PreparedInsert(Comment)
    with pytest.raises(ValueError, match="expression"):
        inserts.insert(_comment(review, created_at=Now()))
    assert not Comment.objects.exists()  # nothing half-written
    saved = _comment(review)
    saved.save()
    with pytest.raises(ValueError, match="new"):
        inserts.insert(saved)  # a second INSERT of a stored row
    with pytest.raises(ValueError, match="unsaved related object"):
        inserts.insert(_comment(review, parent=_comment(review)))
    assert Comment.objects.count() == 1
