"""/search/ as a reader uses it: the header box, results, pages, filters in the address,
bad input, the query budget, comment search behind its setting, and the rebuild command."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.factories import ReviewFactory, WorkFactory
from tests.search.conftest import titles
from watchworthy.discussion.services import comment_post
from watchworthy.search.models import SearchEntry

pytestmark = pytest.mark.django_db


def test_every_page_has_the_search_box_in_its_header(client):
    html = client.get("/about/").content.decode()
    assert 'role="search"' in html and 'action="/search/"' in html and 'name="q"' in html


def test_results_page_shows_highlighted_hits_and_keeps_the_query(client, committed):
    with committed():
        ReviewFactory(title="Quill <b>review</b>", slug="quill", body="The quill writes.")
    response = client.get("/search/", {"q": "quill"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/reviews/quill/"><mark>Quill</mark> &lt;b&gt;review&lt;/b&gt;</a>' in html
    assert "The <mark>quill</mark> writes." in html
    assert 'value="quill"' in html  # in the page's form and the header's box
    assert "1 result" in html


def test_results_are_paginated_with_bookmarkable_addresses(client, committed):
    with committed():
        for n in range(25):
            ReviewFactory(title=f"Quill {n}")
    first = client.get("/search/", {"q": "quill", "verdict": "watch"}).content.decode()
    assert "page 1 of 2" in first and "?q=quill&amp;verdict=watch&amp;page=2" in first
    second = client.get("/search/", {"q": "quill", "verdict": "watch", "page": "2"})
    assert second.content.decode().count('class="search-hit"') == 5
    past = client.get("/search/", {"q": "quill", "page": "99"}).content.decode()
    assert "page 2 of 2" in past  # past the end: the last page


@pytest.mark.parametrize(
    "query",
    [{"q": "x" * 500}, {"year": "nineteen"}, {"platform": "no-such"}, {"q": "%00'\""},
     {"page": "-1", "q": "a"}, {"q": "!!! ???"}, {"type": "spam"}],
)  # fmt: skip
def test_bad_input_is_a_clear_answer_never_a_500(client, query):
    response = client.get("/search/", query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html or "Nothing found" in html or "Type a word" in html


def test_a_bad_filter_keeps_what_was_typed(client):
    html = client.get("/search/", {"q": "quill", "year": "nineteen"}).content.decode()
    assert 'value="quill"' in html and 'value="nineteen"' in html and "errorlist" in html


def test_the_page_costs_the_same_queries_as_content_grows(client, committed,
                                                          django_assert_num_queries):  # fmt: skip
    work = WorkFactory(title="Quillwater")
    for scale in (3, 30):
        with committed():
            for n in range(scale):
                ReviewFactory(title=f"Quill {n}", work=work, body="Quill and zephyr.")
        cache.clear()
        # next scheduled moment, site settings; the newest matches (the count), the
        # ranked page, its entries; platforms, genres and tags for the filters
        with django_assert_num_queries(8):
            response = client.get("/search/", {"q": "quill zephyr", "verdict": "watch"})
        assert response.status_code == 200


def test_comments_are_found_only_when_the_setting_says_so(committed, settings):
    with committed():
        review = ReviewFactory(title="Quill")
        comment_post(review=review, body="Marigold is the best character.", user=review.author)
    assert titles("marigold") == []
    settings.WATCHWORTHY_SEARCH_COMMENTS = True
    call_command("rebuild_search_index", stdout=StringIO())
    assert titles("marigold") == [f"{review.author.public_name} on “Quill”"]
    settings.WATCHWORTHY_SEARCH_COMMENTS = False
    assert titles("marigold") == []  # even before the next rebuild


def test_the_rebuild_command_reports_progress(committed):
    with committed():
        ReviewFactory(title="Quill")
    SearchEntry.objects.all().delete()
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    text = out.getvalue()
    assert "reviews" in text and "[##############################] 1/1 100%" in text
    assert "Indexed 1 works, 0 characters, 1 reviews" in text
    assert titles("quill") == ["Quill"]
