import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    ImageFactory,
    ReviewFactory,
    SeasonFactory,
    SupportLinkFactory,
    TagFactory,
    UserFactory,
)
from watchworthy.reviews.models import Review, Verdict

pytestmark = pytest.mark.django_db


def test_review_page_shows_subject_verdict_body_tags_and_support_links(client):
    season = SeasonFactory(label="Part 2", episode_count=9)
    tag = TagFactory(name="anime")
    review = ReviewFactory(
        title="Nine episodes too many",
        subtitle="Read my Part 1 review first",
        work=season.work,
        season=season,
        verdict=Verdict.AVOID,
        score="3.5",
        body="It *drags*.",
    )
    review.tags.add(tag)
    SupportLinkFactory(label="Buy me a coffee", url="https://ko-fi.com/critic")
    SupportLinkFactory(label="Hidden link", is_active=False)

    response = client.get(review.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="review-title" class="review-title">Nine episodes too many</h1>' in html
    assert "Read my Part 1 review first" in html
    assert "Part 2" in html and "9 episodes" in html
    assert '<span class="verdict verdict-avoid">Avoid</span>' in html
    assert "3.5/10" in html
    assert "<em>drags</em>" in html
    assert 'href="/tags/' in html
    assert 'href="https://ko-fi.com/critic"' in html and "Buy me a coffee" in html
    assert "Hidden link" not in html
    # No third-party script: the only script is our own, deferred enhancement (and the
    # schema.org data block, which is data, never executed: docs/sharing.md).
    scripts = re.findall(r"<script[^>]*>", html)
    code = [tag for tag in scripts if tag != '<script type="application/ld+json">']
    assert len(code) == len(scripts) - 1
    assert all('src="/static/' in tag for tag in code), scripts


def test_drafts_and_future_reviews_are_404_for_readers_but_visible_to_staff(client):
    draft = ReviewFactory(status=Review.Status.DRAFT)
    scheduled = ReviewFactory(
        status=Review.Status.SCHEDULED, published_at=timezone.now() + timedelta(days=2)
    )
    for review in (draft, scheduled):
        assert client.get(review.get_absolute_url()).status_code == 404

    client.force_login(UserFactory(is_staff=True))
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Draft — only staff can see this page." in response.content.decode()
    assert "Scheduled for" in client.get(scheduled.get_absolute_url()).content.decode()


def test_home_lists_latest_public_reviews_as_cards(client):
    cover = ImageFactory(alt_text="Key art of the harbour")
    shown = ReviewFactory(title="Shown on home", cover=cover)
    ReviewFactory(title="Still a draft", status=Review.Status.DRAFT)

    html = client.get("/").content.decode()

    assert shown.title in html and "Still a draft" not in html
    assert 'alt="Key art of the harbour"' in html
    assert 'srcset="' in html


def test_watch_and_avoid_lists_hold_only_their_verdict_best_score_first(client):
    ReviewFactory(title="Good one", verdict=Verdict.WATCH, score="7.0")
    ReviewFactory(title="Great one", verdict=Verdict.WATCH, score="9.5")
    ReviewFactory(title="Awful one", verdict=Verdict.AVOID, score="1.0")

    watch = client.get("/watch/").content.decode()
    avoid = client.get("/avoid/").content.decode()

    assert watch.index("Great one") < watch.index("Good one")
    assert "Awful one" not in watch
    assert "Awful one" in avoid and "Good one" not in avoid


def test_work_page_lists_seasons_characters_and_every_public_review(client):
    part1 = SeasonFactory(label="Part 1", number=1, recap="Everyone *moved* to the island.")
    part2 = SeasonFactory(work=part1.work, label="Part 2", number=2, episode_count=9)
    work = part1.work
    work.characters.create(
        name="Aoi Tanaka", aliases="The Keeper", first_season=part2, first_episode=3
    )
    ReviewFactory(title="On Part 1", work=work, season=part1)
    ReviewFactory(title="On Part 2", work=work, season=part2)
    ReviewFactory(title="Unfinished", work=work, status=Review.Status.DRAFT)

    html = client.get(work.get_absolute_url()).content.decode()

    assert "Part 1" in html and "Part 2" in html and "9 episodes" in html
    assert "<em>moved</em>" in html
    assert "Aoi Tanaka" in html and "The Keeper" in html and "episode 3" in html
    assert "On Part 1" in html and "On Part 2" in html and "Unfinished" not in html


def test_tag_author_about_and_archive_pages(client):
    author = UserFactory(username="mara", display_name="Mara E.", bio="Watches too much.")
    tag = TagFactory(slug="netflix", name="Netflix")
    review = ReviewFactory(title="Tagged review", author=author)
    review.tags.add(tag)

    assert "Tagged review" in client.get("/tags/netflix/").content.decode()
    author_page = client.get("/authors/mara/").content.decode()
    assert "Mara E." in author_page and "Watches too much." in author_page
    assert "Tagged review" in client.get("/reviews/").content.decode()
    assert client.get("/about/").status_code == 200
    assert client.get("/works/").status_code == 200
    assert client.get("/authors/nobody/").status_code == 404


def test_404_page_helps_the_reader_on(client):
    ReviewFactory(title="Something to read instead")
    response = client.get("/reviews/does-not-exist/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert "Something to read instead" in html
    assert 'href="/watch/"' in html


def test_pages_only_answer_get_and_head(client):
    review = ReviewFactory()
    assert client.post(review.get_absolute_url()).status_code == 405
    assert client.head(review.get_absolute_url()).status_code == 200
