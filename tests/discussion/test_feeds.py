"""Atom feeds of comments, per review and site-wide: valid Atom, approved comments only,
and a fixed number of queries however many comments there are."""

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import shared_file
from tests.factories import ReviewFactory
from tests.html_checks import executable_markup
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import comment_moderate
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def review_feed(review) -> str:
    return f"/reviews/{review.slug}/comments.atom"


SITE_FEED = "/comments.atom"


def fetch(url: str) -> tuple[ET.Element, bytes]:
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    # Our own feed, parsed to prove it is well-formed (raises otherwise).
    root = ET.fromstring(response.content)  # noqa: S314
    return root, response.content


def assert_valid_atom(feed: ET.Element) -> None:
    """The elements RFC 4287 requires of a feed and of each entry."""
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    assert feed.find(f"{ATOM}link") is not None
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href")
        assert entry.find(f"{ATOM}author/{ATOM}name") is not None


def entries(feed: ET.Element) -> list[dict[str, str]]:
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
            "html": entry.findtext(f"{ATOM}summary") or entry.findtext(f"{ATOM}content") or "",
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


@pytest.fixture
def mixed(review, make_comment):
    """Two approved comments (one a reply), and one in every other state."""
    first = make_comment(review, "Approved *first*.", name="Ann")
    reply = make_comment(review, "Approved reply.", name="Bo", parent=first)
    make_comment(review, "Held comment.", status=Comment.Status.PENDING)
    make_comment(review, "Spam comment.", status=Comment.Status.SPAM)
    make_comment(review, "Trashed comment.", status=Comment.Status.TRASH)
    removed = make_comment(review, "Removed comment.")
    removed.is_removed = True
    removed.save()
    return first, reply


HIDDEN = (b"Held comment", b"Spam comment", b"Trashed comment", b"Removed comment")


def test_review_feed_is_atom_with_approved_comments_only(review, mixed):
    first, reply = mixed
    feed, raw = fetch(review_feed(review))
    assert_valid_atom(feed)
    assert "Ferrylight, Part 1" in feed.findtext(f"{ATOM}title")
    items = entries(feed)
    assert [(e["author"], e["title"]) for e in items] == [
        ("Bo", "Bo on “Ferrylight, Part 1”"),
        ("Ann", "Ann on “Ferrylight, Part 1”"),
    ]  # newest approval first
    assert items[0]["link"].endswith(f"/comments/{reply.pk}/")  # see test_paging.py
    assert items[1]["link"].endswith(f"/comments/{first.pk}/")
    assert "<em>first</em>" in items[1]["html"]
    for hidden in HIDDEN:
        assert hidden not in raw


def test_site_feed_has_approved_comments_of_published_reviews_only(mixed, make_comment):
    other = ReviewFactory(title="Another review")
    make_comment(other, "On another review.", name="Cy")
    draft = ReviewFactory(title="Unpublished later")
    make_comment(draft, "Under a review taken down.", name="Di")
    Review.objects.filter(pk=draft.pk).update(status=Review.Status.DRAFT)

    feed, raw = fetch(SITE_FEED)
    assert_valid_atom(feed)
    assert sorted(e["author"] for e in entries(feed)) == ["Ann", "Bo", "Cy"]
    for hidden in (*HIDDEN, b"Under a review taken down"):
        assert hidden not in raw


def test_comment_leaves_the_feeds_when_it_is_trashed(review, mixed):
    first, _ = mixed
    comment_moderate(comments=[first], status=Comment.Status.TRASH)
    for url in (review_feed(review), SITE_FEED):
        feed, raw = fetch(url)
        assert [e["author"] for e in entries(feed)] == ["Bo"]
        assert b"Approved *first*" not in raw and b"<em>first</em>" not in raw


def test_feed_of_an_unpublished_review_is_not_found(client):
    draft = ReviewFactory(status=Review.Status.DRAFT)
    assert client.get(review_feed(draft)).status_code == 404
    assert client.get("/reviews/no-such-review/comments.atom").status_code == 404


def test_review_page_links_its_feed(client, review, make_comment):
    make_comment(review, "Something to follow.")
    html = client.get(review.get_absolute_url()).content.decode()
    assert f'href="{review_feed(review)}"' in html


def test_hostile_names_and_bodies_keep_the_feeds_well_formed_and_harmless(review, make_comment):
    lines = (
        shared_file("xss/payloadsallthethings-RSNAKE_XSS.txt")
        .read_text(encoding="utf-8", errors="replace")
        .splitlines()
    )
    for line in [line for line in lines if line.strip()][:50]:
        make_comment(review, line, name=line[:80])
    for url in (review_feed(review), SITE_FEED):
        feed, _ = fetch(url)
        items = entries(feed)
        assert len(items) == 50
        for item in items:
            # What a feed reader renders as HTML holds nothing executable.
            assert executable_markup(item["html"]) == [], item


def grow(review, make_comment, count: int) -> None:
    for n in range(count):
        parent = make_comment(review, f"Comment {n}.", name=f"Reader {n}")
        if n % 3 == 0:
            make_comment(review, f"Reply {n}.", parent=parent)


@pytest.mark.parametrize("url", ["review", "site"])
def test_feed_queries_do_not_grow_with_comments(
    django_assert_num_queries, review, make_comment, url
):
    path = review_feed(review) if url == "review" else SITE_FEED
    # Both: the next scheduled moment (cached; see core.publishing), site settings.
    # review feed: the review, its work (for the subtitle), the comments, the works'
    # seasons (to name what a comment spoils).
    # site feed: the comments (with their reviews and works), the seasons.
    expected = {"review": 6, "site": 4}[url]
    for count in (10, 90):  # 10 comments, then 100 (+ replies)
        grow(review, make_comment, count)
        cache.clear()
        with django_assert_num_queries(expected):
            response = Client().get(path)
        assert response.status_code == 200
        ET.fromstring(response.content)  # noqa: S314 - our own feed
