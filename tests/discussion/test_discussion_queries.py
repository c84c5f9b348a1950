"""A review page runs the same number of queries whether its thread has ten comments
or a thousand, nested eight deep: the thread is one query, arranged in Python.

The big thread is written with bulk_create (one INSERT per depth), its paths set the way
Comment.set_path does, so building it takes well under a second.
"""

import random

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests import dom
from tests.discussion.conftest import mine_cookie
from tests.factories import UserFactory
from watchworthy.core.markdown import render_comment_markdown
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import refresh_comment_counts, store_headers

pytestmark = pytest.mark.django_db

MAX_DEPTH = 8

# site settings with the support links, the next scheduled moment (both cached), the
# review (with work, season, author, cover, its tags, the work's seasons and its other
# reviews for the "More on" cards), the page's thread roots and the page's comments:
# see tests/test_query_counts.py.
ANONYMOUS = 5
# the session and the user; their progress in the work and their audience vote
SIGNED_IN = ANONYMOUS + 4
STAFF = SIGNED_IN + 1  # the number of comments waiting for moderation
GUEST_WITH_HELD = ANONYMOUS + 1  # the guest's own held comments


def build_thread(review, size: int, *, users) -> list[Comment]:
    """``size`` approved comments: a top-level comment every ninth, under each a
    branching chain reaching depth 8; some by signed-in users (badges), the rest guests."""
    rng = random.Random(size)
    parents: list[int | None] = []
    depths: list[int] = []
    for i in range(size):
        if i % (MAX_DEPTH + 1) == 0:
            parents.append(None)
            depths.append(0)
            continue
        start = i - i % (MAX_DEPTH + 1)
        # The first chain is a straight line to depth 8; later ones branch at random.
        parent = i - 1 if i < MAX_DEPTH + 1 or rng.random() < 0.6 else rng.randrange(start, i)
        parents.append(parent)
        depths.append(depths[parent] + 1)
    assert max(depths) == MAX_DEPTH

    now = timezone.now()
    comments: list[Comment | None] = [None] * size
    bodies = ["Plain *emphasis* and a [link](https://example.org/a).", "> quoted\n\nand `code`"]
    number = 0
    for depth in range(MAX_DEPTH + 1):
        level = []
        for i in (i for i in range(size) if depths[i] == depth):
            user = users[i % len(users)] if i % 7 == 0 else None
            body = bodies[i % 2]
            if parents[i] is None:
                number += 1
            comment = Comment(
                review=review,
                parent=comments[parents[i]] if parents[i] is not None else None,
                user=user,
                author_name=user.public_name if user else f"Guest {i}",
                author_email=user.email if user else f"guest{i}@example.org",
                author_url="https://example.org/me" if i % 5 == 0 else "",
                body=body,
                body_html=render_comment_markdown(body),
                status=Comment.Status.APPROVED,
                number=number if parents[i] is None else None,
                created_at=now,
                approved_at=now,
                edited_at=now if i % 11 == 0 else None,
            )
            comments[i] = comment
            level.append(comment)
        Comment.objects.bulk_create(level)
        for comment in level:
            comment.set_path()
    Comment.objects.bulk_update(comments, ["path", "depth"], batch_size=500)
    store_headers(comments)  # what approving them stores (bulk_create skips save())
    refresh_comment_counts([review.pk])
    return comments


@pytest.fixture(autouse=True)
def _one_page_for_the_whole_thread(db):
    """The biggest thread here has 112 top-level comments: all on one (paged) page."""
    SiteSettings.objects.update_or_create(pk=1, defaults={"comments_per_page": 200})


@pytest.fixture
def commenters(critic):
    staff = UserFactory(username="mod", display_name="Moderator", is_staff=True)
    reader = UserFactory(username="reader", display_name="Registered Reader")
    return [critic, staff, reader]


def assert_thread_shown(html: str, comments: list[Comment]) -> None:
    root = dom.parse(html)
    shown = dom.shown_comments(root)
    assert len(shown) == len(comments)
    assert {s.pk for s in shown} == {c.pk for c in comments}
    assert max(s.level for s in shown) == 4  # nested, and capped at five levels
    assert {"Author", "Staff"} <= {s.badge for s in shown}
    assert dom.heading(root) == f"{len(comments)} comments"


@pytest.mark.parametrize("size", [10, 1000])
def test_review_page_queries_do_not_grow_with_the_thread(
    client, django_assert_num_queries, review, commenters, size
):
    comments = build_thread(review, size, users=commenters)
    cache.clear()
    with django_assert_num_queries(ANONYMOUS):
        response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    assert_thread_shown(response.content.decode(), comments)


@pytest.mark.parametrize("size", [10, 1000])
def test_staff_viewer_costs_exactly_one_more_query_than_a_signed_in_reader(
    client, django_assert_num_queries, review, commenters, size
):
    comments = build_thread(review, size, users=commenters)
    client.force_login(commenters[2])  # a reader without staff rights
    cache.clear()
    with django_assert_num_queries(SIGNED_IN):
        assert client.get(review.get_absolute_url()).status_code == 200

    client.force_login(commenters[1])
    cache.clear()
    with django_assert_num_queries(STAFF):
        response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    assert 'aria-label="0 waiting">0</span>' in response.content.decode()
    assert_thread_shown(response.content.decode(), comments)


@pytest.mark.parametrize("size", [10, 1000])
def test_guest_with_held_comments_costs_exactly_one_more_query(
    client, django_assert_num_queries, review, commenters, make_comment, size
):
    comments = build_thread(review, size, users=commenters)
    held = [
        make_comment(review, "My held comment.", email="me@example.org", status="pending"),
        make_comment(
            review, "My held reply.", email="me@example.org", status="pending", parent=comments[-1]
        ),
    ]
    mine_cookie(client, [c.pk for c in held])
    cache.clear()
    with django_assert_num_queries(GUEST_WITH_HELD):
        response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    shown = dom.shown_by_pk(dom.page(response))
    assert len(shown) == size + 2
    assert shown[held[0].pk].held and shown[held[1].pk].held
