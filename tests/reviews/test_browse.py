"""Browsing reviews: filters and sorts in the address, genre and platform pages.

A reader narrows ``/reviews/`` by verdict, score, kind, year, platform, genre and tag,
sorts it, bookmarks the address and pages through it, all without JavaScript.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.dom import parse
from tests.factories import ReviewFactory, TagFactory, WorkFactory
from watchworthy.catalog.models import Genre, Platform, Work
from watchworthy.reviews.browse import Browse
from watchworthy.reviews.models import Review, Verdict
from watchworthy.reviews.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    """The review titles a list page shows, in order."""
    return [h.find("a").text for h in parse(response.content).find_all(cls="card-title")]


def selected(page, field_id: str) -> str:
    """The value of the chosen option of a select."""
    chosen = [o for o in page.by_id(field_id).find_all("option") if "selected" in o.attrs]
    return chosen[0].attrs["value"]


@pytest.fixture
def shelf():
    """Four published reviews that differ in every filter, plus a draft and a review
    scheduled for tomorrow that match everything."""
    drama = Genre.objects.create(name="Drama", slug="drama")
    comedy = Genre.objects.create(name="Comedy", slug="comedy")
    streamer = Platform.objects.create(name="Streamer", slug="streamer")
    cinema = Platform.objects.create(name="Cinema", slug="cinema")
    harbour = WorkFactory(title="Harbour", kind=Work.Kind.SERIES, year=2024)
    harbour.genres.add(drama)
    harbour.platforms.add(streamer)
    comet = WorkFactory(title="Comet", kind=Work.Kind.FILM, year=2022)
    comet.genres.add(comedy, drama)
    comet.platforms.add(cinema)
    plain = WorkFactory(title="Plain", kind=Work.Kind.ANIME, year=2022)
    tag = TagFactory(slug="slow-burn", name="Slow burn")
    now = timezone.now()

    def review(title, work, verdict, score, days_ago, comments=0, **extra):
        made = ReviewFactory(
            title=title,
            work=work,
            verdict=verdict,
            score=score,
            published_at=now - timedelta(days=days_ago),
            **extra,
        )
        Review.objects.filter(pk=made.pk).update(approved_comment_count=comments)
        return made

    review("Alpha", harbour, Verdict.WATCH, Decimal("9.0"), 4, comments=2).tags.add(tag)
    review("Bravo", comet, Verdict.AVOID, Decimal("3.5"), 3, comments=7)
    review("Charlie", comet, Verdict.WATCH, Decimal("7.0"), 2).tags.add(tag)
    review("Delta", plain, Verdict.SKIP, None, 1, comments=1)
    review("Draft", harbour, Verdict.WATCH, Decimal("10"), 0, status=Review.Status.DRAFT)
    review("Tomorrow", harbour, Verdict.WATCH, Decimal("10"), -1)
    return {"tag": tag, "drama": drama, "streamer": streamer}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Delta", "Charlie", "Bravo", "Alpha"]),
        ("?verdict=watch", ["Charlie", "Alpha"]),
        ("?score=7", ["Charlie", "Alpha"]),
        ("?kind=film", ["Charlie", "Bravo"]),
        ("?year=2022", ["Delta", "Charlie", "Bravo"]),
        ("?platform=streamer", ["Alpha"]),
        ("?genre=drama", ["Charlie", "Bravo", "Alpha"]),
        ("?tag=slow-burn", ["Charlie", "Alpha"]),
        ("?genre=drama&verdict=watch&year=2022", ["Charlie"]),
        ("?genre=comedy&platform=cinema&score=5", ["Charlie"]),
        ("?sort=oldest", ["Alpha", "Bravo", "Charlie", "Delta"]),
        ("?sort=score", ["Alpha", "Charlie", "Bravo", "Delta"]),
        ("?sort=lowest", ["Bravo", "Charlie", "Alpha", "Delta"]),
        ("?sort=discussed", ["Bravo", "Alpha", "Delta", "Charlie"]),
        ("?sort=title", ["Alpha", "Bravo", "Charlie", "Delta"]),
        ("?genre=drama&sort=score", ["Alpha", "Charlie", "Bravo"]),
    ],
)
def test_filters_and_sorts_in_the_address_narrow_and_order_published_reviews(
    client, shelf, query, expected
):
    response = client.get(f"/reviews/{query}")
    assert response.status_code == 200
    assert titles(response) == expected
    status = parse(response.content).find(cls="browse-count").text
    assert status.startswith(f"{len(expected)} review")


def test_the_form_shows_the_chosen_filters_and_offers_only_years_with_reviews(client, shelf):
    page = parse(client.get("/reviews/?genre=drama&sort=score").content)
    assert page.find("details", cls="browse-filters").is_open
    assert selected(page, "id_genre") == "drama"
    assert selected(page, "id_sort") == "score"
    years = [o.attrs["value"] for o in page.by_id("id_year").find_all("option")]
    assert years == ["", "2024", "2022"]  # the draft's and tomorrow's works add none
    clear = page.find(cls="form-actions").find("a")
    assert (clear.text, clear.attrs["href"]) == ("Clear filters", "/reviews/")


def test_pages_keep_the_filters_and_never_repeat_or_skip_a_review(client):
    tied = WorkFactory(year=2020)
    for n in range(PAGE_SIZE + 5):
        ReviewFactory(title=f"Tied {n:02}", work=tied, score=Decimal("6.0"))
    ReviewFactory(title="Another year", work=WorkFactory(year=2021), score=Decimal("6.0"))
    seen = []
    url = "/reviews/?year=2020&sort=score"
    while url:
        page = parse(client.get(url).content)
        seen += [h.find("a").text for h in page.find_all(cls="card-title")]
        following = page.find("a", rel="next")
        url = f"/reviews/{following.attrs['href']}" if following else ""
        if following:
            assert "year=2020" in following.attrs["href"]
            assert "sort=score" in following.attrs["href"]
            assert following.text == "Next →"  # not "Older": the list is not by time
    assert sorted(seen) == sorted(f"Tied {n:02}" for n in range(PAGE_SIZE + 5))
    assert len(seen) == len(set(seen))


def test_bad_filter_values_are_named_kept_and_the_others_still_apply(client, shelf):
    response = client.get(
        "/reviews/?verdict=watch&genre=%3Cb%3Enope&year=abc&sort=sideways&score=11&kind=opera"
    )
    assert response.status_code == 200
    page = parse(response.content)
    errors = {e.attrs["id"]: e.text for e in page.find_all(cls="errorlist")}
    assert "There is no genre “<b>nope” here." in errors["id_genre_error"]
    assert "“abc” is not a year" in errors["id_year_error"]
    assert "“sideways” is not a way to sort" in errors["id_sort_error"]
    assert "“11”" in errors["id_score_error"]
    assert "“opera”" in errors["id_kind_error"]
    assert b"<b>nope" not in response.content  # escaped, not markup
    assert selected(page, "id_verdict") == "watch"
    assert titles(response) == ["Charlie", "Alpha"]  # the valid verdict still applies


def test_nothing_matching_says_so_and_offers_the_whole_list(client, shelf):
    page = parse(client.get("/reviews/?verdict=avoid&score=9").content)
    assert "No reviews match these filters" in page.find(cls="empty").text
    assert page.find(cls="empty").find("a").attrs["href"] == "/reviews/"


def test_genre_and_platform_pages_list_their_reviews_and_filter_further(client, shelf):
    genre = client.get("/genres/drama/")
    assert genre.status_code == 200
    page = parse(genre.content)
    assert page.find("h1").text == "Drama"
    assert titles(genre) == ["Charlie", "Bravo", "Alpha"]
    assert page.by_id("id_genre") is None  # the page is the genre filter
    assert page.find(cls="browse-count").text == "3 reviews"
    assert titles(client.get("/genres/drama/?verdict=avoid")) == ["Bravo"]

    platform = client.get("/platforms/streamer/")
    assert parse(platform.content).find("h1").text == "On Streamer"
    assert titles(platform) == ["Alpha"]

    assert client.get("/genres/no-such-genre/").status_code == 404
    assert client.get("/platforms/no-such-platform/").status_code == 404


def test_tag_pages_filter_further_too(client, shelf):
    assert titles(client.get("/tags/slow-burn/?sort=oldest")) == ["Alpha", "Charlie"]
    assert titles(client.get("/tags/slow-burn/?verdict=watch&score=8")) == ["Alpha"]


def test_the_browse_index_counts_published_reviews_per_genre_and_platform(client, shelf):
    Genre.objects.create(name="Unused", slug="unused")
    page = parse(client.get("/browse/").content)
    genres, platforms = (
        {
            li.find("a").text: (li.find("a").attrs["href"], li.find("span").text)
            for li in ul.find_all("li")
        }
        for ul in page.find_all("ul", cls="browse-links")
    )
    assert genres == {
        "Comedy": ("/genres/comedy/", "2 reviews"),
        "Drama": ("/genres/drama/", "3 reviews"),
    }
    assert platforms == {
        "Cinema": ("/platforms/cinema/", "2 reviews"),
        "Streamer": ("/platforms/streamer/", "1 review"),
    }


def test_work_pages_link_their_genres_and_platforms_to_their_lists(client, shelf):
    harbour = Work.objects.get(title="Harbour")
    page = parse(client.get(harbour.get_absolute_url()).content)
    hrefs = {a.attrs["href"] for dd in page.find_all("dd") for a in dd.find_all("a")}
    assert {"/genres/drama/", "/platforms/streamer/"} <= hrefs


def test_browse_applies_each_filter_as_a_plain_rule(shelf):
    """The same rules without a request: what the views and anything else call."""
    published = Review.objects.published()
    names = lambda browse: [r.title for r in browse.apply(published)]  # noqa: E731
    assert names(Browse(genre=shelf["drama"], min_score=Decimal(5))) == ["Charlie", "Alpha"]
    assert names(Browse(platform=shelf["streamer"], sort="title")) == ["Alpha"]
    assert names(Browse(sort="no-such-sort")) == names(Browse())  # falls back to newest
