"""The post's SQL written once (discussion/queries.py) answers as the ORM querysets it
replaced, on the database the tests run on."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Exists, Max
from django.utils import timezone

from tests.factories import ReviewFactory
from watchworthy.discussion import queries
from watchworthy.discussion.models import (
    PATH_DIGITS,
    AuthorNotice,
    Comment,
    EpisodeThread,
    VerifiedAddress,
)
from watchworthy.discussion.services import refresh_comment_counts
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db


def orm_known(email: str) -> bool:
    verified = VerifiedAddress.objects.filter(email=email.strip().lower())
    return (
        Comment.objects.filter(status=Comment.Status.APPROVED, author_email__iexact=email)
        .filter(Exists(verified))
        .exists()
    )


def test_the_known_address_check_matches_the_address_not_a_like_pattern(review, make_comment):
    make_comment(review, email="axb@example.org")
    make_comment(review, email="50%off@example.org")
    for address in ("axb@example.org", "a_b@example.org", "50%off@example.org", "5%@example.org"):
        VerifiedAddress.verify(address)
    cases = [
        "axb@example.org",
        "AXB@Example.org",  # any case
        "a_b@example.org",  # "_" is a LIKE wildcard: must not match axb
        "50%off@example.org",
        "5%@example.org",  # nor "%"
        "nobody@example.org",
    ]
    assert [queries.known_address(c) for c in cases] == [orm_known(c) for c in cases]
    assert [queries.known_address(c) for c in cases] == [True, True, False, True, False, False]


def test_numbers_counts_and_pages_match_the_orm(review, make_comment):
    thread = EpisodeThread.objects.create(review=review, season=1, episode=2)
    first = make_comment(review)
    make_comment(review, parent=first)
    make_comment(review, status=Comment.Status.PENDING)
    second = make_comment(review)
    in_thread = make_comment(review)  # moved to the episode's thread, numbered there
    Comment.objects.filter(pk=in_thread.pk).update(episode_thread=thread, number=1)
    refresh_comment_counts([review.pk])

    for thread_id in (None, thread.pk):
        expected = Comment.objects.filter(review=review, episode_thread_id=thread_id).aggregate(
            n=Max("number")
        )["n"]
        assert queries.last_number(review.pk, thread_id) == (expected or 0)
    assert queries.last_number(review.pk, None) == 2  # first, second (the third moved)

    roots = Comment.objects.filter(
        review=review, episode_thread=None, status=Comment.Status.APPROVED, parent__isnull=True
    )
    for comment in (first, second):
        root = comment.path.split("/", 1)[0] + "/"
        for newest_first, lookup in ((True, "path__gt"), (False, "path__lt")):
            expected = roots.filter(**{lookup: root}).count()
            got = queries.roots_before(review.pk, None, root, newest_first=newest_first)
            assert got == expected
    assert queries.roots_before(review.pk, None, second.path, newest_first=False) == 1


def test_one_more_comment_counts_up_as_counting_again_would(review, make_comment):
    """A post approved at once adds one to the stored counts (under the review's lock)
    instead of counting the thread again: the same numbers, and the thread's newest
    time only ever moves forward (a backdated comment leaves it). The top-level counts
    (a removed comment keeps its place and counts) come back from each post as the
    count of its own discussion."""
    thread = EpisodeThread.objects.create(review=review, season=1, episode=2)
    first = make_comment(review)
    removed = make_comment(review)
    Comment.objects.filter(pk=removed.pk).update(is_removed=True)
    refresh_comment_counts([review.pk])
    returned = []

    def add(thread_id, when, parent=None):
        """A comment approved by an UPDATE that counts nothing, then counted up."""
        comment = make_comment(review, status=Comment.Status.PENDING, parent=parent)
        fields = {"status": Comment.Status.APPROVED, "created_at": when}
        if thread_id is not None and parent is None:  # numbered after the ones there
            number = Comment.objects.filter(episode_thread_id=thread_id).count() + 1
            fields.update(episode_thread_id=thread_id, number=number)
        Comment.objects.filter(pk=comment.pk).update(**fields)
        top_level = parent is None
        work_id, count = queries.count_one_more(review.pk, thread_id, when, top_level=top_level)
        assert work_id == review.work_id
        returned.append(count)

    now = timezone.now()
    add(None, now)
    add(None, now, parent=first)  # a reply: no top-level comment more
    add(thread.pk, now - timedelta(days=2))  # the thread's first: its time, from nothing
    add(thread.pk, now)
    add(thread.pk, now - timedelta(days=1))  # backdated: the newest stays
    assert returned == [3, 3, 1, 2, 3]

    def stored():
        thread.refresh_from_db()
        got = Review.objects.get(pk=review.pk)
        return (got.approved_comment_count, got.top_level_count, thread.approved_comment_count,
                thread.top_level_count, thread.last_comment_at)  # fmt: skip

    counted_up = stored()
    refresh_comment_counts([review.pk])  # counting again, from the rows
    assert counted_up == stored() == (6, 3, 3, 3, now)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_a_post_holds_its_reviews_row_lock_until_the_transaction_ends(review):
    """A second writer must wait for the first to number and count (services.comment_post)."""
    import psycopg

    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
        user=settings["USER"], password=settings["PASSWORD"] or None,
        dbname=settings["NAME"], autocommit=True,
    )  # fmt: skip
    try_lock = f"SELECT id FROM {Review._meta.db_table} WHERE id = %s FOR UPDATE NOWAIT"  # noqa: S608
    another = ReviewFactory()
    try:
        with transaction.atomic():
            queries.lock_reviews([review.pk])
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute(try_lock, [review.pk])
        other.execute(try_lock, [review.pk])  # free once the transaction ended
        with transaction.atomic():  # a post: its count's UPDATE, which reads the work
            when = timezone.now()
            assert (
                queries.count_one_more(review.pk, None, when, top_level=True)[0] == review.work_id
            )
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute(try_lock, [review.pk])
        other.execute(try_lock, [review.pk])
        with transaction.atomic():  # a moderation batch: every review it touches
            queries.lock_reviews([another.pk, review.pk])
            for pk in (review.pk, another.pk):
                with pytest.raises(psycopg.errors.LockNotAvailable):
                    other.execute(try_lock, [pk])
    finally:
        other.close()


def test_a_new_comment_is_stored_with_its_path_and_header(review, make_comment):
    """Given its id first, then written with the path and header the id makes
    (comment_post): the row holds both, so the page reads the header stored rather
    than rendering it."""
    from watchworthy.discussion import header

    held = Comment.Status.PENDING  # as comment_post wrote them: no approval saved them since
    first = make_comment(review, status=held)
    Comment.objects.filter(pk=first.pk).update(status=Comment.Status.APPROVED)  # (a parent)
    first.refresh_from_db()
    reply = make_comment(review, parent=first, status=held)
    for comment in (first, reply):
        stored = Comment.objects.get(pk=comment.pk)
        assert stored.path.endswith(f"{stored.pk:0{PATH_DIGITS}d}/")
        assert stored.header_key == header.current_key()
        assert stored.header_html == header.header_of(stored)
    assert Comment.objects.get(pk=reply.pk).path.startswith(first.path)
    assert Comment.objects.get(pk=reply.pk).depth == 1


def test_a_post_to_a_review_deleted_on_the_way_says_so_and_writes_nothing(review):
    """The review was read, then deleted before the post took its lock: the commenter
    is told, not shown an error page, and no row is left behind."""
    from watchworthy.discussion.moderation import Decision
    from watchworthy.discussion.services import CommentError, comment_post

    class ApproveEverything:
        def decide(self, **_):
            return Decision(Comment.Status.APPROVED, "approved by the test")

    Review.objects.filter(pk=review.pk).delete()
    with pytest.raises(CommentError, match="no longer there"):
        comment_post(
            review=review, body="Too late.", author_name="Ann", author_email="ann@example.org",
            policy=ApproveEverything(),
        )  # fmt: skip
    assert not Comment.objects.exists()


def test_a_posted_comment_takes_the_id_the_table_would_have_given_it(review, make_comment):
    """The id comes first (queries.next_comment_id), from the table's own sequence or
    AUTOINCREMENT counter: rows written the ORM's way (imports, the admin) before and
    after take the next ids, and an id once used is never handed out again, even after
    its comment is deleted."""
    from django.test.utils import CaptureQueriesContext

    from watchworthy.discussion.moderation import Decision
    from watchworthy.discussion.services import comment_post

    class ApproveEverything:
        def decide(self, **_):
            return Decision(Comment.Status.APPROVED, "approved by the test")

    posted = make_comment(review, "Posted.")
    by_orm = Comment.objects.create(review=review, author_name="Import", body="Imported.")
    assert by_orm.pk > posted.pk
    with CaptureQueriesContext(connection) as captured:
        after = comment_post(
            review=review,
            body="Posted after it.",
            author_name="Ann",
            author_email="ann@example.org",
            policy=ApproveEverything(),
        )
    assert after.pk > by_orm.pk and after.number is not None
    writes = [q["sql"] for q in captured if q["sql"].startswith(("INSERT", "UPDATE"))]
    table = Comment._meta.db_table
    assert [sql for sql in writes if table in sql.split("(")[0]] == [
        next(sql for sql in writes if sql.startswith(f'INSERT INTO "{table}"'))
    ], "the comment's row is written once, with its path and header"
    Comment.objects.filter(pk=after.pk).delete()
    again = make_comment(review, "Posted once more.")
    assert again.pk > after.pk
    assert again.path.endswith(f"{again.pk:0{PATH_DIGITS}d}/")


def test_the_next_id_and_the_threads_last_number_come_in_one_statement(review, make_comment):
    thread = EpisodeThread.objects.create(review=review, season=1, episode=2)
    for _ in range(3):
        make_comment(review)  # numbered 1, 2, 3 in the main thread
    Comment.objects.filter(pk=make_comment(review).pk).update(episode_thread=thread, number=7)
    with transaction.atomic():
        alone = queries.next_comment_id()
        for thread_id, last in [(None, 3), (thread.pk, 7)]:
            got_id, got_last = queries.next_comment_id_and_number(review.pk, thread_id)
            # A sequence hands each value out once; SQLite's counter moves on insert.
            assert got_id >= alone and got_id == (
                alone + (1 if thread_id is None else 2) if connection.vendor == "postgresql"
                else alone
            )  # fmt: skip
            assert got_last == last == queries.last_number(review.pk, thread_id)


def test_a_post_whose_review_was_deleted_on_its_way_is_refused_and_writes_nothing(
    review, approved_email
):
    """The count's UPDATE, the post's first statement, finds no review row: the reader
    is told, and no comment, notice or count is written."""
    from watchworthy.discussion.services import CommentError, comment_post

    Review.objects.filter(pk=review.pk).delete()  # the row; the post still holds the object
    before = (Comment.objects.count(), AuthorNotice.objects.count())
    with pytest.raises(CommentError, match="This review is no longer there"):
        comment_post(
            review=review, body="Still here?", author_name="Ann", author_email=approved_email
        )
    assert (Comment.objects.count(), AuthorNotice.objects.count()) == before
