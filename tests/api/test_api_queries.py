# ruff: noqa: F811  (site_content is a fixture imported from tests/test_query_counts.py)
"""Every API endpoint runs a fixed number of SQL queries, however much content exists:
measured with a little content and again with ten times as much (the growth of
tests/test_query_counts.py: seasons, characters, platforms, genres, reviews with tags
and covers, a thread of comments and replies)."""

import pytest
from django.core.cache import cache

from tests.test_query_counts import grow, site_content  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    # url: queries (the first is the next scheduled moment, read with a cold cache;
    # then what the endpoint needs)
    "/api/works/": 4,  # works, platforms, genres
    "/api/works/the-work/": 5,  # the work, platforms, genres, seasons
    "/api/works/the-work/seasons/?progress=3:": 4,  # the work, all seasons, the page
    "/api/works/the-work/characters/": 4,  # the work, seasons, characters
    "/api/works/the-work/characters/?progress=9:&per_page=100": 4,
    "/api/reviews/?per_page=100": 4,  # reviews, tags, their works' seasons
    "/api/reviews/?work=the-work&verdict=watch&tag=anime": 4,
    "/api/reviews/anchor-review/": 4,
    "/api/reviews/anchor-review/comments/?per_page=100": 4,  # review, seasons, comments
}


@pytest.mark.parametrize(("url", "expected"), ENDPOINTS.items())
def test_api_query_count_does_not_grow_with_content(
    client,
    django_assert_num_queries,
    site_content,
    url,
    expected,
):
    for scale in (2, 20):  # then ten times as much
        grow(scale, **site_content)
        cache.clear()
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code == 200
        assert response.json()


def test_a_304_costs_at_most_the_scheduled_moment(
    client, django_assert_max_num_queries, site_content
):
    grow(2, **site_content)
    etag = client.get("/api/reviews/")["ETag"]
    with django_assert_max_num_queries(0):
        assert client.get("/api/reviews/", HTTP_IF_NONE_MATCH=etag).status_code == 304
