"""Comment pages: a bounded number of threads per page, in the reader's order, with
lasting addresses that land on the page showing the comment."""

import pytest
from django.core.cache import cache
from django.test import Client

from tests import dom
from tests.discussion.conftest import mine_cookie
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.models import Comment
from watchworthy.discussion.paging import page_of

pytestmark = pytest.mark.django_db

PER_PAGE = 5


@pytest.fixture(autouse=True)
def _small_pages(db):
    SiteSettings.objects.update_or_create(pk=1, defaults={"comments_per_page": PER_PAGE})
    cache.clear()


def discussion(review, make_comment, threads: int) -> list[tuple[Comment, Comment]]:
    """``threads`` top-level comments, each with one reply."""
    made = []
    for n in range(threads):
        top = make_comment(review, f"Thread {n}.")
        made.append((top, make_comment(review, f"Reply to {n}.", parent=top)))
    return made


def page(review, query: str = "", client=None):
    response = (client or Client()).get(f"{review.get_absolute_url()}{query}")
    assert response.status_code == 200
    return dom.page(response)


def shown_pks(root) -> list[int]:
    return [shown.pk for shown in dom.shown_comments(root)]


def test_each_page_shows_its_threads_whole_oldest_first(review, make_comment):
    threads = discussion(review, make_comment, 12)

    first, third = page(review), page(review, "?page=3")

    assert shown_pks(first) == [c.pk for pair in threads[:5] for c in pair]
    assert shown_pks(third) == [c.pk for pair in threads[10:] for c in pair]
    # The heading still counts the whole discussion.
    assert dom.heading(first) == "24 comments"
    nav = first.find("nav", cls="comment-pages")
    assert [a.text for a in nav.find_all("a")] == ["2", "3", "Newer comments"]


def test_newest_first_turns_the_pages_around(review, make_comment):
    threads = discussion(review, make_comment, 12)

    first = page(review, "?order=newest")

    assert shown_pks(first) == [c.pk for pair in reversed(threads[7:]) for c in pair]
    last = page(review, "?order=newest&page=3")
    assert shown_pks(last) == [c.pk for pair in reversed(threads[:2]) for c in pair]


def test_a_page_past_the_end_or_not_a_number_shows_the_first(review, make_comment):
    threads = discussion(review, make_comment, 7)
    for query in ("?page=99", "?page=²", "?page=-1", "?page=" + "9" * 40):
        assert shown_pks(page(review, query))[0] == threads[0][0].pk


def test_queries_are_the_same_on_any_page_with_ten_times_the_threads(
    review, make_comment, django_assert_num_queries
):
    discussion(review, make_comment, 6)
    for query in ("", "?page=2"):
        cache.clear()
        with django_assert_num_queries(
            5
        ):  # as tests/test_query_counts.py, less the threads' counts
            page(review, query)
    discussion(review, make_comment, 54)
    for query in ("", "?page=7", "?order=newest&page=4"):
        cache.clear()
        with django_assert_num_queries(5):
            page(review, query)


@pytest.mark.parametrize("newest_first", [False, True])
def test_a_comment_address_lands_on_its_page(review, make_comment, newest_first):
    SiteSettings.objects.filter(pk=1).update(comments_newest_first=newest_first)
    cache.clear()
    threads = discussion(review, make_comment, 12)
    reply = threads[6][1]  # thread 7 of 12: page 2 either way round

    response = Client().get(reply.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == f"{review.get_absolute_url()}?page=2#{reply.anchor}"
    assert page_of(reply, per_page=PER_PAGE, newest_first=newest_first) == 2
    landed = page(review, "?page=2")
    assert reply.pk in shown_pks(landed)


def test_addresses_of_held_and_unknown_comments_are_not_found(review, make_comment):
    held = make_comment(review, "Waiting.", status=Comment.Status.PENDING)
    assert Client().get(held.get_absolute_url()).status_code == 404
    assert Client().get("/comments/999999/").status_code == 404


def test_a_guest_finds_their_held_comment_on_the_page_it_will_join(review, make_comment):
    discussion(review, make_comment, 12)
    held = make_comment(review, "My first comment.", status=Comment.Status.PENDING)
    browser = Client()
    mine_cookie(browser, [held.pk])

    response = browser.get(held.get_absolute_url())

    assert response["Location"] == f"{review.get_absolute_url()}?page=3#{held.anchor}"
    landed = dom.shown_by_pk(page(review, "?page=3", client=browser))
    assert landed[held.pk].held
    assert held.pk not in shown_pks(page(review, "?page=1", client=browser))


def test_reply_links_keep_the_page(review, make_comment):
    threads = discussion(review, make_comment, 12)
    root = page(review, "?page=2")
    target = threads[5][0]
    link = root.by_id(target.anchor).find("a", cls="reply-link")
    assert link.attrs["href"] == f"?page=2&replyto={target.pk}#respond"
    form_page = page(review, f"?page=2&replyto={target.pk}")
    assert dom.input_value(form_page, "parent") == str(target.pk)


def test_zero_per_page_shows_everything(review, make_comment):
    SiteSettings.objects.filter(pk=1).update(comments_per_page=0)
    cache.clear()
    discussion(review, make_comment, 12)
    root = page(review)
    assert len(shown_pks(root)) == 24
    assert root.find("nav", cls="comment-pages") is None
