"""The review page reads its rows through SQL compiled once per database
(watchworthy.web.queries, core.prepared); every reader gets the same bytes as from
the querysets it replaced.

The reference is the old view, verbatim with its querysets
(tests/web/old_review_page.py), served at the same address through a URLconf that
puts it first. Both are requested by the same client through the whole middleware
stack, for every kind of reader — guest, guest at several reading positions (the
spoiler shield), the guest who wrote a held comment, a signed-in reader, the review's
author, staff — every nesting cap, and reviews public, scheduled and draft. Only the
per-response random values (the CSRF mask, the comment form's one-time token) are
blanked before comparing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from tests.discussion.conftest import mine_cookie
from tests.factories import (
    ImageFactory,
    ReviewFactory,
    SeasonFactory,
    SupportLinkFactory,
    TagFactory,
    UserFactory,
    WorkFactory,
)
from tests.spoilers.conftest import set_progress
from tests.web.reference import blank_random
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.models import Comment
from watchworthy.reviews.models import Review, Verdict
from watchworthy.spoilers.shield import Position

pytestmark = pytest.mark.django_db

BODY = (
    "Part 2 trades the water for council rooms. By episode seven ||Part 2 ep 7: the "
    "ferryman turns out to be the mayor|| and nothing is the same.\n\n"
    "::: spoiler Part 2, episode 9\nThe levee breaks.\n:::\n"
)


def page(client: Client, url: str, *, old: bool) -> tuple[int, str]:
    if old:
        with override_settings(ROOT_URLCONF="tests.web.old_review_page"):
            response = client.get(url)
    else:
        response = client.get(url)
    return response.status_code, blank_random(response.content.decode())


def assert_same(client: Client, url: str) -> str:
    new_status, new = page(client, url, old=False)
    old_status, old = page(client, url, old=True)
    assert new_status == old_status
    if new != old:  # show where: the pages are long
        import difflib

        diff = difflib.unified_diff(old.splitlines(), new.splitlines(), "old", "new", lineterm="")
        pytest.fail("\n".join(diff))
    return new


@pytest.fixture
def site(critic, make_comment):
    """A part-2 review with everything the page can show, its work's other reviews,
    support links and a discussion deeper than any nesting cap."""
    critic.is_staff = False
    critic.save()
    work = WorkFactory(title="Ferrylight", slug="ferrylight", poster=ImageFactory())
    part1 = SeasonFactory(work=work, number=1, label="Part 1", episode_count=13)
    part2 = SeasonFactory(work=work, number=2, label="Part 2", episode_count=12)
    ReviewFactory(work=work, season=part1, author=critic, title="Part 1 <first>", score=8)
    ReviewFactory(work=work, author=critic, status=Review.Status.DRAFT, title="Unpublished")
    ReviewFactory(
        work=work,
        author=critic,
        status=Review.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(days=3),
        title="Later",
    )
    review = ReviewFactory(
        title="Ferrylight, Part 2 & the council",
        slug="ferrylight-part-2",
        subtitle="An answer to <Part 1>",
        work=work,
        season=part2,
        author=critic,
        verdict=Verdict.AVOID,
        score=4.5,
        body=BODY,
        cover=ImageFactory(key="cover"),
    )
    review.tags.add(TagFactory(name="zebra"), TagFactory(name="anime"), TagFactory(name="mid"))
    SupportLinkFactory(label="Ko-fi", position=2)
    SupportLinkFactory(label="Liberapay", kind="liberapay", position=1)
    SupportLinkFactory(label="Hidden", is_active=False)
    staff = UserFactory(username="mod", display_name="Moderator", is_staff=True)
    top = make_comment(review, "Top *level* & <b>bold</b>.", name="Ann <Reader>")
    deep = top
    for level in range(7):
        deep = make_comment(
            review, f"Level {level}.", parent=deep, user=critic if level == 2 else None
        )
    make_comment(review, "By staff.", user=staff)
    # Characters beyond ASCII and Latin-1: the thread reaches the page in pieces.
    make_comment(review, "Curly \u2019quotes\u2019 and a clapper \U0001f3ac.", name="Zo\u00eb")
    make_comment(review, "Spoils a lot.", spoils=Position(2, 9))
    held = make_comment(review, "Held, mine.", status=Comment.Status.PENDING)
    return {"review": review, "work": work, "staff": staff, "held": held}


READERS = [
    "guest",
    "guest at 1:",
    "guest at 2:6",
    "guest at 2:",
    "writer of held",
    "reader",
    "author",
    "staff",
]


def reader(kind: str, site, critic) -> Client:
    client = Client()
    if kind.startswith("guest at "):
        set_progress(client, site["work"], kind.removeprefix("guest at "))
        client.get(site["review"].get_absolute_url())  # spends the "Saved" notice
    elif kind == "writer of held":
        mine_cookie(client, [site["held"].pk])
    elif kind == "reader":
        client.force_login(UserFactory(username="viewer"))
    elif kind == "author":
        client.force_login(critic)
    elif kind == "staff":
        client.force_login(site["staff"])
    return client


@pytest.mark.parametrize("kind", READERS)
@pytest.mark.parametrize("depth", [1, 3, 5])
def test_same_page_for_every_reader_and_nesting_cap(site, critic, kind, depth):
    comments = {**settings.WATCHWORTHY_COMMENTS, "NESTING_DEPTH": depth}
    client = reader(kind, site, critic)
    with override_settings(WATCHWORTHY_COMMENTS=comments):
        html = assert_same(client, site["review"].get_absolute_url())
    assert "Ferrylight, Part 2 &amp; the council" in html
    assert "Part 1 &lt;first&gt;" in html  # the work's other review, in the cards
    assert "Unpublished" not in html and "Later" not in html


@pytest.mark.parametrize("kind", ["guest", "reader", "staff"])
@pytest.mark.parametrize("status", ["draft", "scheduled", "missing"])
def test_same_answer_for_reviews_not_public(site, critic, kind, status):
    client = reader(kind, site, critic)
    slug = "no-such-review"
    if status != "missing":
        hidden = site["review"]
        Review.objects.filter(pk=hidden.pk).update(
            status=status, published_at=timezone.now() + timedelta(days=1)
        )
        slug = hidden.slug
    new_status, _ = page(client, f"/reviews/{slug}/", old=False)
    assert new_status == (200 if kind == "staff" and status != "missing" else 404)
    assert_same(client, f"/reviews/{slug}/")


def test_same_page_for_a_bare_review(critic):
    """No season, cover, tags, support links, other reviews or comments."""
    review = ReviewFactory(author=critic, verdict=Verdict.UNRATED, score=None)
    assert_same(Client(), review.get_absolute_url())


@pytest.mark.parametrize(
    "query",
    ["", "?order=newest", "?order=oldest&page=2", "?page=2&replyto=1&x=%3Cy%3E", "?page=99"],
)
@pytest.mark.parametrize("kind", ["guest", "guest at 2:6", "reader"])
def test_same_page_for_thread_pages_and_orders(site, critic, query, kind):
    """Comments paged (page links, "Jump to newest"), both orders, a query string."""
    settings_row = SiteSettings.current()
    settings_row.comments_per_page = 1
    settings_row.save()
    client = reader(kind, site, critic)
    html = assert_same(client, site["review"].get_absolute_url() + query)
    assert 'class="pagination comment-pages"' in html


@pytest.mark.parametrize("closed", ["review", "no comments", "both"])
def test_same_page_for_closed_or_empty_discussions(site, critic, closed):
    review = site["review"]
    if closed in ("review", "both"):
        Review.objects.filter(pk=review.pk).update(comments_open=False)
    if closed in ("no comments", "both"):
        Comment.objects.filter(review=review).delete()
        Review.objects.filter(pk=review.pk).update(approved_comment_count=0)
    html = assert_same(Client(), review.get_absolute_url())
    assert ("Comments are closed" in html) == (closed != "no comments")
