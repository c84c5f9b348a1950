"""A site to share: the two-part series of tests/spoilers (whose Part 2 review hides a
secret word in every kind of spoiler), a film, reviews in every publishing state, and
a small parser for what pages put in their <head>.

The secret words must never appear in a feed, a card, a meta tag or the JSON-LD.
"""

from __future__ import annotations

import json
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from tests.factories import ReviewFactory, TagFactory, UserFactory, WorkFactory
from tests.spoilers.conftest import (  # noqa: F401  (fixtures)
    BLOCK_SECRET,
    INLINE_SECRET,
    REVIEW_SECRETS,
    UNSCOPED_BLOCK_SECRET,
    UNSCOPED_INLINE_SECRET,
    part1,
    part1_review,
    part2,
    part2_review,
    reader_at,
    work,
)
from watchworthy.catalog.models import Work
from watchworthy.reviews.models import Review, Verdict

SECRET_EXCERPT = "tidewhistle"  # in the Part 2 review's own excerpt, inside ||…||
SECRETS = (*REVIEW_SECRETS, SECRET_EXCERPT)
DRAFT_TITLE = "A draft nobody may see"
SCHEDULED_TITLE = "A review scheduled for tomorrow"


@pytest.fixture
def site(critic, work, part1_review, part2_review):  # noqa: F811  (fixtures above)
    """Ferrylight's two parts (Watch, Avoid 3.5), a film (Skip 6.0), a tag on the Part 2
    review, a draft and a scheduled review that must never be listed."""
    part2_review.score = 3.5
    part2_review.excerpt = f"Council rooms, no recap. ||Part 2 ep 7: {SECRET_EXCERPT}||"
    part2_review.save()
    tag = TagFactory(name="Disappointments", slug="disappointments")
    part2_review.tags.add(tag)
    film = WorkFactory(title="Quiet Orbit", slug="quiet-orbit", kind=Work.Kind.FILM)
    film_review = ReviewFactory(
        title="Quiet Orbit review", slug="quiet-orbit-review", work=film, author=critic,
        verdict=Verdict.SKIP, score=6,
    )  # fmt: skip
    hidden = [
        ReviewFactory(
            title=DRAFT_TITLE, slug="draft", work=work, author=critic,
            status=Review.Status.DRAFT, published_at=None,
        ),
        ReviewFactory(
            title=SCHEDULED_TITLE, slug="scheduled", work=work, author=critic,
            status=Review.Status.SCHEDULED, published_at=timezone.now() + timedelta(days=1),
        ),
    ]  # fmt: skip
    for review in hidden:
        review.tags.add(tag)
    return {
        "critic": critic,
        "work": work,
        "film": film,
        "tag": tag,
        "part1_review": part1_review,
        "part2_review": part2_review,
        "film_review": film_review,
        "other_critic": UserFactory(username="other"),
    }


@pytest.fixture(autouse=True)
def _another_host(settings):
    """Tests ask as https://reviews.example.org to show addresses follow the request."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "reviews.example.org"]


class Head(HTMLParser):
    """The <link>, <meta> and JSON-LD of a page, and every other <script>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []
        self.meta: dict[str, list[str]] = {}
        self.json_ld: list[dict] = []
        self.other_scripts: list[dict[str, str]] = []
        self._in_ld = False
        self._ld_text = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "link":
            self.links.append(attributes)
        elif tag == "meta":
            key = attributes.get("property") or attributes.get("name")
            if key:
                self.meta.setdefault(key, []).append(attributes.get("content", ""))
        elif tag == "script":
            if attributes.get("type") == "application/ld+json":
                self._in_ld, self._ld_text = True, ""
            else:
                self.other_scripts.append(attributes)

    def handle_data(self, data):
        if self._in_ld:
            self._ld_text += data

    def handle_endtag(self, tag):
        if tag == "script" and self._in_ld:
            self._in_ld = False
            self.json_ld.append(json.loads(self._ld_text))

    def one(self, key: str) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1, (key, values)
        return values[0]

    def rel(self, rel: str) -> list[dict[str, str]]:
        return [link for link in self.links if link.get("rel") == rel]
