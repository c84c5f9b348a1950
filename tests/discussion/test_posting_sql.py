"""The post's SQL written once (discussion/queries.py) answers as the ORM querysets it
replaced, on the database the tests run on."""

import pytest
from django.db.models import Exists, Max

from watchworthy.discussion import queries
from watchworthy.discussion.models import Comment, EpisodeThread, VerifiedAddress
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
    queries.store_counts(review.pk, thread.pk)

    for thread_id in (None, thread.pk):
        expected = Comment.objects.filter(review=review, episode_thread_id=thread_id).aggregate(
            n=Max("number")
        )["n"]
        assert queries.last_number(review.pk, thread_id) == (expected or 0)
    assert queries.last_number(review.pk, None) == 2  # first, second (the third moved)

    review = Review.objects.get(pk=review.pk)
    assert review.approved_comment_count == Comment.objects.approved().filter(review=review).count()
    assert review.approved_comment_count == 4  # two top-level, a reply, the thread's
    thread.refresh_from_db()
    mine = Comment.objects.approved().filter(episode_thread=thread)
    assert thread.approved_comment_count == mine.count() == 1
    assert thread.last_comment_at == mine.aggregate(t=Max("created_at"))["t"]

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
