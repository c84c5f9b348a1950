"""The Python comment renderer writes exactly what the template loop it replaced wrote.

The reference is that loop, kept in tests/discussion/reference_thread_rows.html and
rendered by Django's template engine; both get the same rows for every kind of reader
(guest, the writer of a held comment, signed-in, staff; with and without progress),
every nesting cap, both orders, open and closed discussions, and the query strings a
page can carry. The outputs must be equal, byte for byte."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from tests.factories import ReviewFactory, SeasonFactory, UserFactory, WorkFactory
from watchworthy.discussion.context import discussion_context
from watchworthy.discussion.models import Comment
from watchworthy.discussion.rendering import render_rows
from watchworthy.discussion.services import comment_remove
from watchworthy.spoilers.shield import Position, Shield

pytestmark = pytest.mark.django_db

REFERENCE = Template(
    Path(__file__).with_name("reference_thread_rows.html").read_text().split("#}\n", 1)[1]
)


def reference(values: dict, made) -> str:
    """The old loop's output for ``values`` (the {% querystring %} tag reads the request)."""
    context = Context(values)
    context.request = made
    return REFERENCE.render(context)


@pytest.fixture
def discussion(make_comment):
    """A thread with everything the loop can show."""
    critic = UserFactory(username="mara", display_name="Mara Quill")
    staff = UserFactory(username="mod", display_name="Moderator", is_staff=True)
    work = WorkFactory()
    seasons = [SeasonFactory(work=work, number=1, label="Part 1", episode_count=9)]
    review = ReviewFactory(work=work, season=seasons[0], author=critic)
    top = make_comment(review, "Top *level* <b>with</b> & ampersands.", name="Ann <Reader>")
    reply = make_comment(review, "A reply ||Part 1 ep 3: hidden words||.", parent=top)
    deep = reply
    for level in range(7):  # deeper than any nesting cap
        deep = make_comment(
            review, f"Level {level}.", parent=deep, user=critic if level == 2 else None
        )
    make_comment(review, "By staff.", user=staff)
    make_comment(review, "Spoils a lot.", spoils=Position(1, 5))
    linked = make_comment(review, "With a website.", email="site@example.org")
    Comment.objects.filter(pk=linked.pk).update(
        author_url='https://example.org/?a=1&b="2"', edited_at=timezone.now()
    )
    gone = make_comment(review, "Deleted later.")
    make_comment(review, "Reply to the deleted one.", parent=gone)
    comment_remove(comment=gone)
    held = make_comment(review, "Held, mine.", status=Comment.Status.PENDING)
    return {"review": review, "seasons": seasons, "held": held, "staff": staff, "top": top}


def request(query: str = "", *, user=None, mine=()):
    made = RequestFactory().get("/reviews/x/" + (f"?{query}" if query else ""))
    from django.contrib.auth.models import AnonymousUser

    made.user = user or AnonymousUser()
    made.COOKIES = {}
    made.__dict__["_ww_identity"] = {"mine": list(mine)}
    return made


@pytest.mark.parametrize(
    "query", ["", "order=newest", "page=1&replyto=1", "x=%C3%A9&replyto=2&y=1"]
)
@pytest.mark.parametrize("position", [None, Position(1, 4), Position(1, None)])
@pytest.mark.parametrize("reader", ["guest", "writer", "staff"])
@pytest.mark.parametrize("nesting", [1, 3, 5])
def test_same_html_as_the_template(discussion, settings, query, position, reader, nesting):
    settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "NESTING_DEPTH": nesting}
    review = discussion["review"]
    user = discussion["staff"] if reader == "staff" else None
    mine = [discussion["held"].pk] if reader == "writer" else []
    made = request(query, user=user, mine=mine)
    shield = Shield(position, tuple(discussion["seasons"]))
    context = discussion_context(made, review, shield=shield)
    assert context["thread_rows"], "the fixture thread is shown"

    expected = reference({**context, "review": review}, made)
    assert str(context["thread_html"]) == expected
    # The fixture reaches every branch of the loop.
    for piece in ("In reply to", 'badge">Author', 'badge">Staff', "(edited)",
                  "Spoils Part 1, ep 5", "&amp;", "reply-link"):  # fmt: skip
        assert piece in expected, piece
    # A deleted comment stays as a placeholder while its reply nests under it.
    assert ("comment-removed" in expected) == (nesting > 1)
    assert ("comment-held" in expected) == (reader == "writer")


def test_closed_discussions_and_edit_windows_too(discussion, make_comment):
    review = discussion["review"]
    shield = Shield(None, tuple(discussion["seasons"]))
    made = request()
    context = discussion_context(made, review, shield=shield)
    rows = context["thread_rows"]
    editable = {discussion["top"].pk}
    for comments_open in (True, False):
        ours = render_rows(
            rows,
            review_author_id=review.author_id,
            comments_open=comments_open,
            editable_ids=editable,
            query=made.GET,
        )
        theirs = reference(
            {
                "thread_rows": rows,
                "review": review,
                "comments_open": comments_open,
                "editable_ids": editable,
            },
            made,
        )
        assert str(ours) == theirs


def test_dates_in_another_time_zone(discussion, settings):
    settings.TIME_ZONE = "Pacific/Chatham"  # +13:45 in summer: minutes that are not :00
    review = discussion["review"]
    Comment.objects.filter(review=review).update(created_at=timezone.now() - timedelta(days=200))
    made = request()
    context = discussion_context(made, review, shield=Shield(None, tuple(discussion["seasons"])))
    assert str(context["thread_html"]) == reference({**context, "review": review}, made)
