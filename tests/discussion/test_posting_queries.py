"""What posting a comment costs in queries, counted exactly: a change may lower it.

A known guest (an approved comment before, the address confirmed) posts through the
form and is published at once, with the side effects that run after the commit (the
change signal's receivers, the mail to the review's author) run here too.
"""

import pytest

from watchworthy.core.changes import start_new_batch
from watchworthy.discussion.models import Comment

pytestmark = pytest.mark.django_db

# The review (with its work and author); whether the name is a critic's; whether the
# address is known (approved before and confirmed, one query); the author's mails of
# the last hour (whether a mail task is worth queueing; it needs no lock, so it runs
# before the transaction).
BEFORE = 4
# In the transaction (savepoint and release here, inside the test's own): the review's
# counts, one higher, returning its work and the top-level count — the UPDATE is the
# post's lock (PostgreSQL locks the row; SQLite's BEGIN IMMEDIATE already is the
# lock); the new comment's id with the thread's highest number (one statement); the
# row, with the path and header its id gives it; the author's notice.
IN_TRANSACTION = 2 + 1 + 2 + 1
# After the commit: the page cache knows the comment's review and its work from the
# post (ChangeSet.places): no query; the mail task loads the comment with its review
# and author, finds the author's notice and counts the mails of the last hour again;
# the mail is sent and marked sent (savepoint again).
AFTER = 1 + 2 + 3
# The redirect: the comment's page, from the top-level count the post's count UPDATE
# returned (the new comment, numbered after it, is its discussion's newest): no query.
REDIRECT = 0


def test_a_known_guest_post_costs_a_fixed_number_of_queries(
    client, review, approved_email, post_comment, django_assert_num_queries,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    start_new_batch()  # (the fixtures' changes wait for a commit that never comes)
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, review, body="First, to warm the caches.")
    start_new_batch()  # the measured post's changes are delivered by its own callback
    with (
        django_assert_num_queries(BEFORE + IN_TRANSACTION + AFTER + REDIRECT),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post_comment(client, review, body="The ferry scene *earns* it.")
    assert response.status_code == 302
    comment = Comment.objects.get(body="The ferry scene *earns* it.")
    assert comment.status == Comment.Status.APPROVED
    assert comment.number == 2
    review.refresh_from_db()
    assert review.approved_comment_count == 2


def test_a_post_reads_the_review_without_its_long_texts(
    client, review, approved_email, post_comment
):
    """The review's text and HTML (often tens of kilobytes) stay in the database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert post_comment(client, review, body="Short and sweet.").status_code == 302
    reads = [q["sql"] for q in captured if q["sql"].startswith('SELECT "reviews_review"."id"')]
    assert reads, "the review is read"
    for sql in reads:
        assert '"reviews_review"."body_html"' not in sql
        assert '"reviews_review"."body"' not in sql


def test_the_reviews_lock_is_held_only_for_the_posts_writes(
    client, review, approved_email, post_comment
):
    """The count's UPDATE takes the review's lock (until the commit): after it come only
    the comment's id and number, its row and the author's notice — the reads that need
    no lock (the review, the name, the address, the author's mails of the last hour)
    run before it, so other posts to the review wait for as little as possible."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post_comment(client, review, body="First, to warm the caches.")
    with CaptureQueriesContext(connection) as captured:
        assert post_comment(client, review, body="Under the lock.").status_code == 302
    statements = [q["sql"] for q in captured]
    lock = next(i for i, sql in enumerate(statements) if sql.startswith('UPDATE "reviews_review"'))
    under_lock = [
        sql.split("(", 1)[0].split(" WHERE ", 1)[0][:60]
        for sql in statements[lock + 1 :]
        if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert len(under_lock) == 3, under_lock
    assert under_lock[0].startswith("SELECT")  # the id with the thread's highest number
    assert under_lock[1].startswith('INSERT INTO "discussion_comment"')
    assert under_lock[2].startswith('INSERT INTO "discussion_authornotice"')
    assert any('"discussion_authornotice"' in sql for sql in statements[:lock])  # the hour's mails
