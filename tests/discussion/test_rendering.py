"""The comment list the page composes from stored headers is exactly what the template
loop it replaced wrote.

The reference is the old way end to end: the thread read as model objects, shielded
comment by comment, and rendered by that loop, kept in
tests/discussion/reference_thread_rows.html, through Django's template engine. The
page's way reads plain rows and stored headers (discussion.header) and composes the
per-reader parts in Python. Both run for every kind of reader (guest, the writer of a
held comment, staff; with and without progress), every nesting cap, both orders, open
and closed discussions, the query strings a page can carry, and headers that are
stored, out of date or missing. The outputs must be equal, byte for byte."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ReviewFactory, SeasonFactory, UserFactory, WorkFactory
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.context import discussion_context
from watchworthy.discussion.header import current_key
from watchworthy.discussion.identity import my_comment_ids
from watchworthy.discussion.models import Comment
from watchworthy.discussion.paging import thread_page
from watchworthy.discussion.rendering import render_rows
from watchworthy.discussion.services import comment_remove, may_change, store_headers
from watchworthy.discussion.thread import build_thread, flatten
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


class OldRow:
    """A row as the old loop read it: the tree position and the shielded body."""

    def __init__(self, row, shield: Shield) -> None:
        self.node, self.opens_replies, self.closes = row.node, row.opens_replies, row.closes
        self.replies = row.replies
        comment = row.node.comment
        shielded = shield.comment(comment.body_html, comment.spoiler_scope)
        self.body, self.spoils, self.folded = shielded.body, shielded.spoils, shielded.folded


def old_way(made, review, shield: Shield, *, comments_open: bool | None = None) -> str:
    """The thread as the page wrote it before stored headers: model objects (the
    thread query the page ran then), the shield per comment, the template loop."""
    site = SiteSettings.current()
    newest_first = made.GET.get("order", "oldest") == "newest"
    page = thread_page(
        review.pk, page=1, per_page=site.comments_per_page, newest_first=newest_first
    )
    comments = list(page.within(Comment.objects.for_thread(review)))
    mine = my_comment_ids(made)
    held = list(page.within(Comment.objects.pending().filter(review=review, pk__in=mine)))
    comments = sorted([*comments, *held], key=lambda comment: comment.path)
    thread = build_thread(
        comments,
        max_level=django_settings.WATCHWORTHY_COMMENTS["NESTING_DEPTH"],
        newest_first=newest_first,
        held_ids=[c.pk for c in held],
    )
    user = made.user if made.user.is_authenticated else None
    editable = {c.pk for c in comments if may_change(c, user=user, guest_comment_ids=mine)}
    if comments_open is None:
        comments_open = review.accepts_comments(close_after_days=site.comments_close_after_days)
    values = {
        "thread_rows": [OldRow(row, shield) for row in flatten(thread)],
        "review": review,
        "comments_open": comments_open,
        "editable_ids": editable,
    }
    return reference(values, made)


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
    linked.author_url = 'https://example.org/?a=1&b="2"'  # as the admin would change it
    linked.edited_at = timezone.now()
    linked.save()
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

    expected = old_way(made, review, shield)
    assert str(context["thread_html"]) == expected
    # The fixture reaches every branch of the loop.
    for piece in ("In reply to", 'badge">Author', 'badge">Staff', "(edited)", "&amp;",
                  "Spoils Part 1, ep 5", "reply-link", "spoiler", "comment-by-author"):  # fmt: skip
        assert piece in expected, piece
    # A deleted comment stays as a placeholder while its reply nests under it.
    assert ("comment-removed" in expected) == (nesting > 1)
    # Each sub-thread can be folded away (a details element: no JavaScript needed).
    assert ("Show</span> 1 reply<" in expected) == (nesting > 1)
    assert ('<details class="replies" open>' in expected) == (nesting > 1)
    assert ("comment-held" in expected) == (reader == "writer")
    assert ("Edit or delete" in expected) == (reader != "guest")  # their own, recent


@pytest.mark.parametrize("reader", ["guest", "writer"])
@pytest.mark.parametrize("position", [None, Position(1, None)])
def test_missing_or_outdated_headers_are_rendered_for_the_request(discussion, reader, position):
    """Comments written around Comment.save (an old row, a bulk insert) or stored under
    another layout show the same bytes, at the cost of one query for the page."""
    review = discussion["review"]
    mine = [discussion["held"].pk] if reader == "writer" else []
    shield = Shield(position, tuple(discussion["seasons"]))
    with CaptureQueriesContext(connection) as stored_queries:
        stored = str(discussion_context(request(mine=mine), review, shield=shield)["thread_html"])

    top = discussion["top"]
    Comment.objects.filter(pk=top.pk).update(header_html="", header_key="")
    Comment.objects.exclude(pk=top.pk).update(header_key="0123456789abcdef")
    made = request(mine=mine)
    with CaptureQueriesContext(connection) as stale_queries:
        rendered = str(discussion_context(made, review, shield=shield)["thread_html"])
    assert rendered == stored == old_way(made, review, shield)
    assert len(stale_queries) == len(stored_queries) + 1


def test_closed_discussions_and_edit_windows_too(discussion, settings):
    review = discussion["review"]
    shield = Shield(None, tuple(discussion["seasons"]))
    top = discussion["top"]
    made = request(mine=[top.pk, discussion["held"].pk])
    context = discussion_context(made, review, shield=shield)
    assert context["editable_ids"] == {top.pk, discussion["held"].pk}
    for comments_open in (True, False):
        ours = render_rows(
            context["thread_rows"],
            review_author_id=review.author_id,
            comments_open=comments_open,
            editable_ids=context["editable_ids"],
            query=made.GET,
            shield=shield,
        )
        assert str(ours) == old_way(made, review, shield, comments_open=comments_open)

    # Past the edit window the links go, on both ways.
    settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "EDIT_MINUTES": 0}
    made = request(mine=[top.pk, discussion["held"].pk])
    context = discussion_context(made, review, shield=shield)
    assert context["editable_ids"] == set()
    assert str(context["thread_html"]) == old_way(made, review, shield)


def test_dates_in_another_time_zone(discussion, settings):
    review = discussion["review"]
    Comment.objects.filter(review=review).update(created_at=timezone.now() - timedelta(days=200))
    settings.TIME_ZONE = "Pacific/Chatham"  # +13:45 in summer: minutes that are not :00
    shield = Shield(None, tuple(discussion["seasons"]))
    made = request()
    # Headers stored in UTC are out of date here: rendered again for the request.
    assert str(discussion_context(made, review, shield=shield)["thread_html"]) == old_way(
        made, review, shield
    )
    # Stored again (manage.py render_comments), they are read as they are.
    store_headers(Comment.objects.filter(review=review))
    html = str(discussion_context(made, review, shield=shield)["thread_html"])
    assert html == old_way(made, review, shield)
    assert "+13:45" in html or "+12:45" in html


def test_month_names_in_the_active_language(discussion):
    """The month names a header shows are those of the language active when it is
    rendered (kept per language, not per process), as ``|date`` writes them."""
    from datetime import UTC, datetime

    from django.utils import translation

    review = discussion["review"]
    Comment.objects.filter(review=review).update(created_at=datetime(2025, 12, 9, tzinfo=UTC))
    store_headers(Comment.objects.filter(review=review))
    shield = Shield(None, tuple(discussion["seasons"]))
    with translation.override("de"):
        made = request()
        html = str(discussion_context(made, review, shield=shield)["thread_html"])
        assert html == old_way(made, review, shield)
    assert "9 Dez 2025" in html
    made = request()
    html = str(discussion_context(made, review, shield=shield)["thread_html"])
    assert "9 Dec 2025" in html and "Dez" not in html
    assert html == old_way(made, review, shield)


def test_render_comments_stores_what_is_out_of_date(discussion):
    review = discussion["review"]
    shield = Shield(None, tuple(discussion["seasons"]))
    before = str(discussion_context(request(), review, shield=shield)["thread_html"])
    Comment.objects.filter(pk=discussion["top"].pk).update(header_html="", header_key="")
    out = StringIO()
    call_command("render_comments", stdout=out)
    assert out.getvalue().strip() == "Stored 1 comment header."
    assert set(Comment.objects.values_list("header_key", flat=True)) == {current_key()}
    with CaptureQueriesContext(connection) as queries:
        after = str(discussion_context(request(), review, shield=shield)["thread_html"])
    assert after == before
    assert not any("header_key" in q["sql"] and "NOT" in q["sql"] for q in queries)
    call_command("render_comments", stdout=out)
    assert "Stored 0 comment headers." in out.getvalue()
