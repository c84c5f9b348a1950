"""The one numbering function, called directly (posting, moderation, the importers and
the demo all go through it; their own tests check the numbers they end up with)."""

import pytest

from tests.factories import ReviewFactory
from watchworthy.discussion.models import Comment
from watchworthy.discussion.numbering import last_number, number_comments

pytestmark = pytest.mark.django_db


def unsaved(review, *, status=Comment.Status.APPROVED, parent=None, number=None, removed=False):
    return Comment(
        review=review,
        parent=parent,
        status=status,
        number=number,
        is_removed=removed,
        author_name="Ann",
        body="Hi.",
    )


def test_numbers_follow_the_order_given_after_the_highest_in_use(make_comment):
    review = ReviewFactory()
    make_comment(review)  # number 1
    make_comment(review)  # number 2
    first, second = unsaved(review), unsaved(review)

    changed = number_comments([second, first])

    assert (second.number, first.number) == (3, 4)
    assert changed == [second, first]


def test_only_approved_live_top_level_comments_without_a_number_get_one(make_comment):
    review = ReviewFactory()
    parent = make_comment(review)
    held = unsaved(review, status=Comment.Status.PENDING)
    removed = unsaved(review, removed=True)
    numbered = unsaved(review, number=1)
    reply = unsaved(review, parent=parent)

    assert number_comments([held, removed, numbered, reply]) == []
    assert [c.number for c in (held, removed, numbered, reply)] == [None, None, 1, None]


def test_a_reply_that_carries_a_number_loses_it(make_comment):
    review = ReviewFactory()
    parent = make_comment(review)
    reply = unsaved(review, parent=parent, number=7)

    assert number_comments([reply]) == [reply]
    assert reply.number is None


def test_each_review_counts_on_its_own(make_comment):
    one, two = ReviewFactory(), ReviewFactory()
    for _ in range(3):
        make_comment(one)
    a, b, c = unsaved(one), unsaved(two), unsaved(one)

    number_comments([a, b, c])

    assert (a.number, b.number, c.number) == (4, 1, 5)
    assert last_number(one.pk) == 3  # nothing saved yet: the caller saves
