"""Review feeds as a feed reader sees them: parsed by feedparser without complaint, the
verdict and score in every entry, only published reviews, never a spoiler, and a fixed
number of queries however many reviews there are."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import png_bytes
from tests.factories import ImageFactory, ReviewFactory, TagFactory
from watchworthy.core.models import SiteSettings
from watchworthy.reviews.models import Verdict

from .conftest import DRAFT_TITLE, SCHEDULED_TITLE, SECRETS

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FORMATS = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


def feed_urls(site) -> dict[str, str]:
    return {
        "site": "/reviews.{fmt}",
        "work": f"/works/{site['work'].slug}/reviews.{{fmt}}",
        "tag": f"/tags/{site['tag'].slug}/reviews.{{fmt}}",
        "author": f"/authors/{site['critic'].username}/reviews.{{fmt}}",
    }


def read(url: str):
    response = Client().get(url)
    assert response.status_code == 200, url
    fmt = url.rsplit(".", 1)[1]
    assert response["Content-Type"].startswith(FORMATS[fmt])
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    assert parsed.version == ("rss20" if fmt == "rss" else "atom10")
    return parsed, response.content.decode()


def set_feed_content(value: str) -> None:
    settings = SiteSettings.current()
    settings.feed_content = value
    settings.save()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("content", ["full", "excerpt"])
def test_every_feed_is_valid_carries_verdicts_and_never_a_spoiler(site, fmt, content):
    set_feed_content(content)
    for kind, url in feed_urls(site).items():
        parsed, raw = read(url.format(fmt=fmt))
        assert parsed.entries, kind
        for secret in SECRETS:
            assert secret not in raw, (kind, secret)
        assert DRAFT_TITLE not in raw and SCHEDULED_TITLE not in raw
        for entry in parsed.entries:
            assert entry.link.startswith("http://testserver/reviews/")
            assert "Verdict: " in entry.summary
            assert entry.tags[0].term in {"Watch", "Skip", "Avoid", "Unrated"}
            if content == "full":
                assert entry.content[0].value.startswith("<p><strong>Verdict: ")
            else:
                assert "content" not in entry


@pytest.mark.parametrize("fmt", FORMATS)
def test_entries_name_verdict_and_score(site, fmt):
    parsed, _ = read(f"/reviews.{fmt}")
    by_link = {entry.link.rsplit("/", 2)[1]: entry for entry in parsed.entries}
    part2 = by_link[site["part2_review"].slug]
    assert part2.title == "Ferrylight, Part 2 · Avoid, 3.5/10"
    assert "<strong>Verdict: Avoid</strong> · 3.5/10 · Ferrylight — Part 2" in part2.summary
    assert "Council rooms, no recap." in part2.summary  # the excerpt, its spoiler redacted
    assert [tag.term for tag in part2.tags] == ["Avoid", "Disappointments"]
    assert part2.author == site["critic"].public_name
    assert by_link[site["film_review"].slug].title == "Quiet Orbit review · Skip, 6.0/10"
    assert by_link[site["part1_review"].slug].title == "Ferrylight, Part 1 · Watch"


def test_full_content_shows_spoilers_as_labels_and_absolute_links(site, critic):
    image = ImageFactory(key="harbour")
    review = ReviewFactory(
        slug="with-image", author=critic, work=site["work"], verdict=Verdict.WATCH,
        body="Look:\n\n![A harbour](image:harbour)\n\nSee [below](#end).\n\n## End {#end}\n",
    )  # fmt: skip
    parsed, raw = read("/reviews.atom")
    # As written (feedparser's own sanitizer would drop srcset before we could look).
    feed = ET.fromstring(raw)  # noqa: S314  (our own feed)
    html = next(
        entry.findtext(f"{ATOM}content")
        for entry in feed.findall(f"{ATOM}entry")
        if entry.find(f"{ATOM}link").get("href").endswith("/with-image/")
    )
    assert f'src="http://testserver{image.file.url}"' in html
    srcset = html.split('srcset="', 1)[1].split('"', 1)[0]
    assert all(url.startswith("http://testserver/media/") for url in srcset.split(", ")[::1])
    assert 'src="/' not in html and 'href="/' not in html
    assert f'href="http://testserver{review.get_absolute_url()}#end"' in html
    part2 = next(e for e in parsed.entries if e.link.endswith("/ferrylight-part-2/"))
    assert "Part 2, ep 7" in part2.content[0].value  # the spoiler's label stays


def test_feeds_list_only_their_subject(site):
    def slugs(url):
        return {entry.link.rsplit("/", 2)[1] for entry in read(url)[0].entries}

    assert slugs("/reviews.rss") == {"ferrylight-part-1", "ferrylight-part-2", "quiet-orbit-review"}
    assert slugs("/works/ferrylight/reviews.rss") == {"ferrylight-part-1", "ferrylight-part-2"}
    assert slugs("/tags/disappointments/reviews.atom") == {"ferrylight-part-2"}
    assert slugs(f"/authors/{site['critic'].username}/reviews.atom") == {
        "ferrylight-part-1", "ferrylight-part-2", "quiet-orbit-review",
    }  # fmt: skip
    parsed, _ = read("/works/ferrylight/reviews.atom")
    assert parsed.feed.title.endswith("reviews of Ferrylight")
    assert parsed.feed.link == "http://testserver/works/ferrylight/"


@pytest.mark.parametrize(
    "url",
    [
        "/works/no-such-work/reviews.rss",
        "/tags/no-such-tag/reviews.atom",
        "/authors/nobody/reviews.rss",
        "/authors/other/reviews.atom",  # a user without reviews is not an author page
    ],
)
def test_unknown_subjects_are_404(site, url):
    assert Client().get(url).status_code == 404


FEED_QUERIES = {
    # the next scheduled moment and the site settings (both cached, counted here with a
    # cold cache), then the subject, the reviews with what an entry shows, their tags
    "/reviews.rss": 4,
    "/reviews.atom": 4,
    "/works/ferrylight/reviews.rss": 5,
    "/tags/disappointments/reviews.atom": 5,
    "/authors/{critic}/reviews.rss": 5,
}


@pytest.mark.parametrize(("url", "expected"), FEED_QUERIES.items())
def test_feed_queries_do_not_grow_with_content(site, django_assert_num_queries, url, expected):
    url = url.format(critic=site["critic"].username)
    for scale in (3, 30):  # then ten times as much
        for n in range(scale):
            review = ReviewFactory(
                work=site["work"], author=site["critic"], score=n % 10,
                cover=ImageFactory(file=png_bytes(320, 180)) if n % 3 == 0 else None,
            )  # fmt: skip
            review.tags.add(site["tag"], TagFactory())
        cache.clear()
        with django_assert_num_queries(expected):
            response = Client().get(url)
        assert response.status_code == 200
        assert not feedparser.parse(response.content).bozo
