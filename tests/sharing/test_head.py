"""What pages say about themselves in <head>: canonical address, feed autodiscovery,
Open Graph and Twitter cards, schema.org JSON-LD. All addresses absolute (from the
request), nothing from inside a spoiler, no script but JSON-LD data blocks."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from tests.conftest import png_bytes
from tests.factories import ImageFactory, ReviewFactory, SeasonFactory, WorkFactory
from watchworthy.catalog.models import Work
from watchworthy.reviews.models import Verdict

from .conftest import SECRETS, Head

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
SITE_FEEDS = [f"{BASE}/reviews.rss", f"{BASE}/reviews.atom"]


def head(url: str, **extra) -> Head:
    response = Client().get(url, **extra)
    assert response.status_code == 200, url
    return Head(response.content.decode())


def assert_serves(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200, url
    # Reading a file response to the end closes it (and its file).
    assert b"".join(response.streaming_content)


def review_head(review) -> tuple[Head, dict]:
    page = head(review.get_absolute_url())
    [data] = page.json_ld
    return page, data


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/", "/"),
        ("/reviews/?page=2&utm_source=x", "/reviews/?page=2"),
        ("/reviews/?page=1", "/reviews/"),
        ("/reviews/ferrylight-part-2/?order=newest#c", "/reviews/ferrylight-part-2/"),
        ("/works/ferrylight/", "/works/ferrylight/"),
        ("/tags/disappointments/", "/tags/disappointments/"),
        ("/about/", "/about/"),
    ],
)
def test_every_public_page_names_its_canonical_address(site, url, canonical):
    for _ in range(15 if "page=2" in url else 0):
        ReviewFactory(work=site["work"])  # a second page of reviews
    [link] = head(url).rel("canonical")
    assert link["href"] == BASE + canonical


def test_canonical_follows_the_host_and_scheme_asked_for(site):
    page = head("/works/ferrylight/", HTTP_HOST="reviews.example.org", secure=True)
    assert page.rel("canonical")[0]["href"] == "https://reviews.example.org/works/ferrylight/"
    assert page.one("og:url") == "https://reviews.example.org/works/ferrylight/"


@pytest.mark.parametrize(
    ("url", "own"),
    [
        ("/", []),
        ("/reviews/ferrylight-part-2/", []),
        ("/works/ferrylight/", ["/works/ferrylight/reviews.rss", "/works/ferrylight/reviews.atom"]),
        (
            "/tags/disappointments/",
            ["/tags/disappointments/reviews.rss", "/tags/disappointments/reviews.atom"],
        ),
        ("/authors/{critic}/", ["/authors/{critic}/reviews.rss", "/authors/{critic}/reviews.atom"]),
    ],
)
def test_feed_autodiscovery_on_every_page(site, url, own):
    critic = site["critic"].username
    links = head(url.format(critic=critic)).rel("alternate")
    assert [link["href"] for link in links] == SITE_FEEDS + [
        BASE + path.format(critic=critic) for path in own
    ]
    assert {link["type"] for link in links} == {"application/rss+xml", "application/atom+xml"}
    assert all(link["title"] for link in links)
    for link in links:  # each one is a feed that answers
        assert Client().get(link["href"]).status_code == 200


def test_a_404_page_has_no_canonical_and_only_the_site_feeds(site):
    response = Client().get("/works/no-such-work/")
    assert response.status_code == 404
    page = Head(response.content.decode())
    assert page.rel("canonical") == []
    assert [link["href"] for link in page.rel("alternate")] == SITE_FEEDS


def test_review_with_a_cover_shares_the_cover(site):
    review = site["part2_review"]
    review.cover = ImageFactory(file=png_bytes(1600, 900), alt_text="The levee at night")
    review.save()
    page, _ = review_head(review)
    image = page.one("og:image")
    assert image == BASE + review.cover.file.url
    assert page.one("twitter:image") == image
    assert page.one("og:image:width") == "1600" and page.one("og:image:height") == "900"
    assert page.one("og:image:alt") == "The levee at night"
    assert_serves(image)


def test_review_open_graph_and_twitter_card(site):
    review = site["part2_review"]
    page, _ = review_head(review)
    assert page.one("og:type") == "article"
    assert page.one("og:title") == "Ferrylight, Part 2 · Avoid, 3.5/10"
    assert page.one("og:description") == review.teaser
    assert page.one("og:url") == BASE + review.get_absolute_url()
    assert page.one("twitter:card") == "summary_large_image"
    assert page.one("twitter:data1") == "Avoid" and page.one("twitter:data2") == "3.5/10"
    assert page.one("article:author") == f"{BASE}/authors/{review.author.username}/"
    assert page.meta["article:tag"] == ["Disappointments"]
    # No cover: the generated card, at an absolute address that answers with it.
    image = page.one("og:image")
    assert image.startswith(f"{BASE}/reviews/{review.slug}/card-") and image.endswith(".png")
    assert (page.one("og:image:width"), page.one("og:image:height")) == ("1200", "630")
    assert page.one("twitter:image") == image
    assert_serves(image)


def test_no_spoiler_in_head_meta_or_structured_data(site):
    for review in (site["part2_review"], site["part1_review"]):
        response = Client().get(review.get_absolute_url())
        head_html = response.content.decode().split("</head>", 1)[0]
        for secret in SECRETS:
            assert secret not in head_html, secret


def test_json_ld_review_of_a_part(site):
    review = site["part2_review"]
    page, data = review_head(review)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Review"
    assert data["url"] == BASE + review.get_absolute_url()
    assert data["description"] == review.teaser
    assert data["datePublished"] == review.published_at.isoformat()
    assert data["author"] == {
        "@type": "Person", "name": review.author.public_name,
        "url": f"{BASE}/authors/{review.author.username}/",
    }  # fmt: skip
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["url"] == f"{BASE}/"
    assert data["reviewRating"] == {
        "@type": "Rating", "name": "Avoid", "ratingValue": 3.5, "bestRating": 10, "worstRating": 0,
    }  # fmt: skip
    item = data["itemReviewed"]
    assert item["@type"] == "CreativeWorkSeason"  # "Part 2"
    assert item["name"] == "Ferrylight — Part 2"
    assert item["numberOfEpisodes"] == 9
    assert "seasonNumber" not in item  # a part's number is the watching order
    assert item["partOfSeries"]["@type"] == "TVSeries"
    assert item["partOfSeries"]["name"] == "Ferrylight"
    assert item["partOfSeries"]["url"] == f"{BASE}/works/ferrylight/"
    assert data["image"] == page.one("og:image")


def test_json_ld_review_of_a_season(critic):
    show = WorkFactory(
        title="Harbour Lights", slug="harbour-lights", kind=Work.Kind.SERIES, year=2021,
        imdb_id="tt0000001",
    )  # fmt: skip
    season = SeasonFactory(work=show, number=2, label="", release_date=date(2022, 3, 1))
    review = ReviewFactory(work=show, season=season, author=critic, verdict=Verdict.WATCH)
    _, data = review_head(review)
    item = data["itemReviewed"]
    assert item["@type"] == "TVSeason"
    assert item["seasonNumber"] == 2 and item["startDate"] == "2022-03-01"
    assert item["partOfSeries"]["@type"] == "TVSeries"
    assert item["partOfSeries"]["sameAs"] == ["https://www.imdb.com/title/tt0000001/"]
    assert data["reviewRating"] == {"@type": "Rating", "name": "Watch"}  # no score given


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (Work.Kind.FILM, "Movie"),
        (Work.Kind.SERIES, "TVSeries"),
        (Work.Kind.ANIME, "TVSeries"),
        (Work.Kind.SPECIAL, "CreativeWork"),
    ],
)
def test_json_ld_review_of_a_whole_work(critic, kind, expected):
    poster = ImageFactory(file=png_bytes(300, 450))
    work = WorkFactory(kind=kind, year=2019, original_title="Shizuka na Kidō", poster=poster)
    review = ReviewFactory(work=work, author=critic, verdict=Verdict.UNRATED, score=None)
    _, data = review_head(review)
    item = data["itemReviewed"]
    assert item["@type"] == expected
    assert item["name"] == work.title and item["alternateName"] == "Shizuka na Kidō"
    assert item["datePublished"] == "2019"
    assert item["image"] == BASE + poster.file.url
    assert "reviewRating" not in data  # unrated and unscored: no rating to claim


def test_json_ld_cannot_be_broken_out_of(critic):
    hostile = "</script><script>alert(1)</script> & <!--"
    review = ReviewFactory(title=hostile, author=critic, subtitle=hostile)
    response = Client().get(review.get_absolute_url())
    html = response.content.decode()
    page = Head(html)
    [data] = page.json_ld
    assert data["name"] == hostile  # the JSON still says it, escaped
    # and no script element came out of it: only the site's own script files
    assert all(script.get("src", "").startswith("/static/") for script in page.other_scripts)
    assert "\\u003c/script\\u003e" in html


def test_home_page_has_website_with_search_action(site):
    page = head("/")
    [data] = page.json_ld
    assert data["@type"] == "WebSite" and data["url"] == f"{BASE}/"
    action = data["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == f"{BASE}/search/?q={{search_term_string}}"
    assert action["query-input"] == "required name=search_term_string"
    assert page.one("og:site_name") and page.one("og:url") == f"{BASE}/"


def test_work_page_shares_its_poster(site):
    work = site["work"]
    work.poster = ImageFactory(file=png_bytes(300, 450), alt_text="Key art")
    work.synopsis = "A ferry girl. ||Part 2 ep 7: tidewhistle||"
    work.save()
    page = head(work.get_absolute_url())
    assert page.one("og:title") == "Ferrylight"
    assert page.one("og:type") == "video.tv_show"
    assert page.one("og:image") == BASE + work.poster.file.url
    assert page.one("og:image:alt") == "Key art"
    assert "tidewhistle" not in page.one("og:description")


@pytest.mark.parametrize(
    "url", ["/", "/reviews/ferrylight-part-2/", "/works/ferrylight/", "/tags/disappointments/"]
)
def test_no_script_but_json_ld_and_no_inline_style(site, url):
    response = Client().get(url)
    page = Head(response.content.decode())
    assert all(script.get("src", "").startswith("/static/") for script in page.other_scripts)
    assert "<style" not in response.content.decode().split("</head>")[0]


def test_guests_share_one_head_whatever_their_progress(site, reader_at):
    """The page cache hands one copy to every guest: nothing in <head> may differ by
    reading position."""
    url = site["part2_review"].get_absolute_url()
    heads = {
        reader_at(state).get(url).content.decode().split("</head>")[0]
        for state in ("not set", "Part 1 ep 13", "finished Part 2")
    }
    assert len(heads) == 1


@pytest.mark.parametrize("secure", [False, True])
@pytest.mark.parametrize("script_name", ["", "/blog"])
def test_absolute_addresses_are_djangos(secure, script_name):
    """sharing.meta.absolute() gives what request.build_absolute_uri() gives, for plain
    paths (its short way) and for everything else (Django's)."""
    from django.test import RequestFactory

    from watchworthy.sharing.meta import absolute

    request = RequestFactory().get("/reviews/x/", secure=secure, SCRIPT_NAME=script_name)
    to = absolute(request)
    for location in [
        "/",
        "/reviews/a-review_2/",
        "/authors/mara/",
        "//evil.example/x",
        "/a//b/",
        "/cards/a-review-0123abcd.png",
        "/./x/../y/",
        "/caf\u00e9/",
        "/q/?a=1&b=<2>",
        "relative/path",
        "https://elsewhere.example/x",
    ]:
        assert to(location) == request.build_absolute_uri(location), location
