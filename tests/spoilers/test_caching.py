"""Caching stays correct: the page one reader gets never carries another reader's opened
spoilers, and the shield costs no queries that grow with the content."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.dom import page
from tests.factories import CharacterFactory, SeasonFactory, UserFactory, WorkFactory
from tests.spoilers.conftest import BLOCK_SECRET, INLINE_SECRET, PART_2_BODY, set_progress
from watchworthy.spoilers.shield import Position

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
# The comment form's signed time token changes every second, for every reader alike.
FORM_TOKEN = re.compile(r'name="token" value="[^"]*"')


@pytest.fixture
def discussed(part2_review, part1_review, characters, make_comment):
    """The Part 2 review with comments that spoil, a catch-up box and a cast."""
    make_comment(part2_review, "Loved it. ||Part 2 ep 7: Mio is driftwood||.")
    make_comment(part2_review, "The broker is lanternwake.", spoils=Position(2, 7))
    make_comment(part2_review, "::: spoiler Part 2\ntidegrave\n:::\n\nAnd ||oarlock||.")
    return part2_review


def reopened(element) -> str:
    """An element's HTML-ish text with every spoiler shown alike, open or closed: the
    closed inline ones' reveal buttons, labels and ``hidden`` words normalised away."""
    parts: list[str] = []

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, str):
                parts.append(child)
                continue
            if child.tag == "button" and "spoiler-reveal" in child.classes:
                continue
            if "visually-hidden" in child.classes and "spoiler-inline" in node.classes:
                continue
            attrs = {
                k: v
                for k, v in child.attrs.items()
                if k not in ("open", "hidden", "tabindex") and not (k == "id" and v[:3] == "sp-")
            }
            classes = [c for c in attrs.get("class", "").split() if c != "spoiler-open"]
            if classes:
                attrs["class"] = " ".join(classes)
            parts.append(f"<{child.tag} {sorted(attrs.items())}>")
            walk(child)

    walk(element)
    return "".join(parts)


def assert_everything_closed(root) -> None:
    details = root.find_all("details", cls="spoiler")
    inline = root.find_all("span", cls="spoiler-inline")
    assert details and inline
    assert [d for d in details if d.is_open] == []
    assert [s for s in inline if "spoiler-open" in s.classes] == []
    for word in (BLOCK_SECRET, INLINE_SECRET, "driftwood", "lanternwake", "tidegrave"):
        assert word not in root.visible_text()


def test_a_reader_without_progress_never_gets_anothers_opened_spoilers(work, discussed):
    ahead = Client()
    set_progress(ahead, work, "2:")
    ahead.get(work.get_absolute_url())  # reads the "Saved" message
    ahead_page = page(ahead.get(discussed.get_absolute_url()))
    assert BLOCK_SECRET in ahead_page.visible_text()
    assert "lanternwake" in ahead_page.visible_text()

    behind_page = page(Client().get(discussed.get_absolute_url()))
    assert_everything_closed(behind_page)
    # The review body differs only in which spoilers are open.
    assert reopened(behind_page.find("div", cls="review-body")) == reopened(
        ahead_page.find("div", cls="review-body")
    )
    ahead_bodies = [reopened(b) for b in ahead_page.find_all("div", cls="comment-body")]
    behind_bodies = [reopened(b) for b in behind_page.find_all("div", cls="comment-body")]
    assert ahead_bodies == behind_bodies


def test_readers_at_different_points_alternate_without_mixing(work, discussed):
    browsers = {}
    for value in ("2:", "1:13", "2:7", "0:0"):
        browsers[value] = Client()
        set_progress(browsers[value], work, value)
    for _round in range(2):
        for value, browser in browsers.items():
            root = page(browser.get(discussed.get_absolute_url()))
            body = root.find("div", cls="review-body")
            opened = [d for d in body.find_all("details", cls="spoiler") if d.is_open]
            assert len(opened) == (1 if value in ("2:", "2:7") else 0), value


def html_without_tokens(response) -> str:
    assert response.status_code == 200
    html = CSRF.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())
    return FORM_TOKEN.sub('name="token" value=""', html)


@pytest.mark.parametrize("position", [None, "1:13", "2:7", "2:"])
def test_the_page_depends_only_on_the_progress_for_its_own_work(work, discussed, position):
    """docs/spoilers.md: the page cache keys on the URL and the reader's position *for
    that page's work*, so two readers at the same point there must get the same page,
    whatever else their cookie holds."""
    other = WorkFactory(title="Quiet Orbit", slug="quiet-orbit")
    SeasonFactory(work=other, number=1, episode_count=9)
    SeasonFactory(work=other, number=2, episode_count=9)
    readers = [Client(), Client(), Client()]
    set_progress(readers[1], other, "2:")
    set_progress(readers[2], other, "1:1")
    for reader in readers:
        set_progress(reader, work, position)
        reader.get("/about/")  # reads any "Saved" message
    for url in (discussed.get_absolute_url(), work.get_absolute_url()):
        pages = [html_without_tokens(reader.get(url)) for reader in readers]
        assert pages[0] == pages[1] == pages[2], url


# --- query counts -----------------------------------------------------------------------


def grow(review, make_comment, work, seasons, scale: int) -> None:
    """``scale`` more of everything the page loops over, spoilers included."""
    start = review.comments.count()
    for n in range(start, start + scale):
        top = make_comment(
            review,
            f"Comment {n} ||Part 2 ep {1 + n % 9}: hidden {n}||\n\n::: spoiler S2E3\nx\n:::",
            spoils=Position(2, 1 + n % 9) if n % 2 else None,
        )
        make_comment(review, f"Reply {n} ||also {n}||", parent=top)
        CharacterFactory(
            work=work, first_season=seasons[n % 2], first_episode=1 + n % 9, name=f"Person {n}"
        )
    review.body = PART_2_BODY + "\n\n".join(
        f"::: spoiler Part {1 + n % 2} ep {1 + n % 9}\nSecret {n}.\n:::\n\n||ep {n % 20 + 1}: s||"
        for n in range(review.comments.count())
    )
    review.save()


@pytest.mark.parametrize("reader", ["guest", "guest with progress", "account with progress"])
def test_review_page_queries_do_not_grow_with_comments_and_spoilers(
    work, part1, part2, discussed, make_comment, django_assert_num_queries, reader
):
    browser = Client()
    if reader.startswith("account"):
        browser.force_login(UserFactory(username="ann"))
    if reader.endswith("progress"):
        set_progress(browser, work, "2:7")
        browser.get(work.get_absolute_url())
    url = discussed.get_absolute_url()

    grow(discussed, make_comment, work, [part1, part2], 2)
    cache.clear()  # count the site-settings query every time
    with CaptureQueriesContext(connection) as small:
        response = browser.get(url)
    assert response.status_code == 200
    opened_small = len([d for d in page(response).find_all("details", cls="spoiler") if d.is_open])

    grow(discussed, make_comment, work, [part1, part2], 20)  # ten times as much
    cache.clear()
    with django_assert_num_queries(len(small)):
        response = browser.get(url)
    root = page(response)
    assert len(root.find_all("li", cls="comment")) == 3 + 2 * 22
    opened_large = len([d for d in root.find_all("details", cls="spoiler") if d.is_open])
    if reader == "guest":
        assert opened_small == opened_large == 0
    else:
        assert opened_large > opened_small > 0


def test_a_guests_progress_costs_no_query(work, discussed):
    plain, with_progress = Client(), Client()
    set_progress(with_progress, work, "2:7")
    with_progress.get(work.get_absolute_url())
    counts = []
    for browser in (plain, with_progress):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            browser.get(discussed.get_absolute_url())
        counts.append(len(queries))
    assert counts[0] == counts[1]
