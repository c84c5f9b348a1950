"""sitemap.xml lists every published review, work, tag, genre, platform, author and page with its
lastmod (never a draft or a scheduled review), robots.txt points at it, and neither
costs more queries as content grows."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import ReviewFactory, TagFactory, UserFactory
from watchworthy.catalog.models import Genre, Platform
from watchworthy.pages.models import Page

from .conftest import DRAFT_TITLE

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "http://testserver"


def fetch(url: str) -> ET.Element:
    response = Client().get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)  # noqa: S314  (our own sitemap)


def urls(section: str) -> dict[str, str | None]:
    root = fetch(f"/sitemap-{section}.xml")
    return {
        url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod") for url in root.findall(f"{NS}url")
    }


@pytest.fixture
def pages(site):
    drama = Genre.objects.create(name="Drama", slug="drama")
    Genre.objects.create(name="Unused", slug="unused")
    site["work"].genres.add(drama)
    site["work"].platforms.add(Platform.objects.create(name="Streamer", slug="streamer"))
    Page.objects.create(title="Ethics", slug="ethics", body="Plain.", status="published")
    Page.objects.create(title="Draft page", slug="draft-page", body="No.", status="draft")


def test_the_index_lists_every_section_with_lastmod(site, pages):
    root = fetch("/sitemap.xml")
    assert root.tag == f"{NS}sitemapindex"
    sections = {s.findtext(f"{NS}loc"): s.findtext(f"{NS}lastmod") for s in root}
    names = ["pages", "reviews", "works", "tags", "genres", "platforms", "authors", "standalone"]
    assert list(sections) == [f"{BASE}/sitemap-{name}.xml" for name in names]
    assert all(sections.values())


def test_sections_list_public_things_with_their_lastmod(site, pages):
    reviews = urls("reviews")
    expected = [site["part1_review"], site["part2_review"], site["film_review"]]
    assert set(reviews) == {BASE + review.get_absolute_url() for review in expected}
    part2 = site["part2_review"]
    assert reviews[BASE + part2.get_absolute_url()] == part2.updated_at.date().isoformat()
    assert set(urls("works")) == {f"{BASE}/works/ferrylight/", f"{BASE}/works/quiet-orbit/"}
    newest_review = max(part2.updated_at, site["part1_review"].updated_at)
    newest = max(site["work"].updated_at, newest_review)
    assert urls("works")[f"{BASE}/works/ferrylight/"] == newest.date().isoformat()
    assert set(urls("tags")) == {f"{BASE}/tags/disappointments/"}
    assert urls("genres") == {f"{BASE}/genres/drama/": newest_review.date().isoformat()}
    assert set(urls("platforms")) == {f"{BASE}/platforms/streamer/"}
    assert set(urls("authors")) == {f"{BASE}/authors/{site['critic'].username}/"}
    assert set(urls("standalone")) == {f"{BASE}/pages/ethics/"}
    lists = urls("pages")
    assert set(lists) == {
        f"{BASE}/", f"{BASE}/about/", f"{BASE}/reviews/", f"{BASE}/watch/",
        f"{BASE}/avoid/", f"{BASE}/works/", f"{BASE}/browse/",
    }  # fmt: skip
    assert lists[f"{BASE}/"] is not None and lists[f"{BASE}/about/"] is None


def test_drafts_and_scheduled_reviews_are_never_listed(site, pages):
    raw = b"".join(Client().get(f"/sitemap-{s}.xml").content for s in ("reviews", "standalone"))
    assert b"/reviews/draft/" not in raw and b"/reviews/scheduled/" not in raw
    assert b"draft-page" not in raw and DRAFT_TITLE.encode() not in raw


def test_unknown_sections_and_pages_are_404(site):
    for url in ("/sitemap-nothing.xml", "/sitemap-reviews.xml?p=9", "/sitemap-reviews.xml?p=x"):
        assert Client().get(url).status_code == 404, url


def test_robots_txt_points_at_the_sitemap():
    response = Client().get("/robots.txt", HTTP_HOST="reviews.example.org", secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert "Sitemap: https://reviews.example.org/sitemap.xml" in lines


SITEMAP_QUERIES = {
    # the next scheduled moment and the site settings (cached, counted with a cold
    # cache), then per section a count and a page of rows; the list pages: one
    # aggregate; the index: a count and a latest lastmod per section
    "/sitemap.xml": 18,
    "/sitemap-reviews.xml": 4,
    "/sitemap-works.xml": 4,
    "/sitemap-tags.xml": 4,
    "/sitemap-genres.xml": 4,
    "/sitemap-platforms.xml": 4,
    "/sitemap-authors.xml": 4,
    "/sitemap-pages.xml": 3,
}


@pytest.mark.parametrize(("url", "expected"), SITEMAP_QUERIES.items())
def test_sitemap_queries_do_not_grow_with_content(site, django_assert_num_queries, url, expected):
    for scale in (3, 30):  # then ten times as much
        for _ in range(scale):
            review = ReviewFactory(author=UserFactory())
            review.tags.add(TagFactory())
            named = f"n{review.pk}"
            review.work.genres.add(Genre.objects.create(name=named, slug=named))
            review.work.platforms.add(Platform.objects.create(name=named, slug=named))
        cache.clear()
        with django_assert_num_queries(expected):
            response = Client().get(url)
        assert response.status_code == 200
