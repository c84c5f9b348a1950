"""The demo content (`load_demo`): what `make run` shows a newcomer on a fresh machine."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import ReviewFactory
from watchworthy.catalog.models import Character, Genre, Platform, Season, Work
from watchworthy.core.models import SiteSettings, SupportLink
from watchworthy.demo.content import (
    DEMO_IMAGE_KEYS,
    DEMO_PART1_REVIEW_SLUG,
    DEMO_PART2_REVIEW_SLUG,
    DEMO_WORK_SLUG,
    load_demo,
)
from watchworthy.images.models import Image
from watchworthy.reviews.models import Review, Tag, Verdict

pytestmark = pytest.mark.django_db

MODELS = (
    Platform, Genre, Work, Season, Character, get_user_model(), Image, Tag, Review,
    SiteSettings, SupportLink,
)  # fmt: skip


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def content_snapshot() -> dict:
    """What readers see of the demo, row by row (timestamps left out)."""
    return {
        "reviews": sorted(
            Review.objects.values_list(
                "slug",
                "title",
                "verdict",
                "score",
                "status",
                "published_at",
                "body_html",
                "teaser",
                "season__label",
                "cover__key",
            )
        ),
        "images": sorted(
            Image.objects.values_list("key", "file", "alt_text", "caption", "width", "height")
        ),
        "renditions": sorted((i.key, sorted(i.renditions.items())) for i in Image.objects.all()),
        "seasons": sorted(
            Season.objects.values_list("work__slug", "number", "label", "recap_html")
        ),
        "characters": sorted(
            Character.objects.values_list("name", "first_season__number", "first_episode")
        ),
        "support": sorted(SupportLink.objects.values_list("url", "label", "position")),
        "site": list(SiteSettings.objects.values_list("site_name", "about_html")),
    }


def call_command_output(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo():
    load_demo()
    return Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG)


# --- load_demo ------------------------------------------------------------------------


def test_loading_twice_creates_no_duplicates_and_changes_no_content():
    first_output = call_command_output("load_demo", "--if-empty")  # an empty site: loads
    first_counts, first_content = counts(), content_snapshot()
    part2_html = Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG).body_html

    again = load_demo()

    assert counts() == first_counts
    assert content_snapshot() == first_content
    assert Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG).body_html == part2_html
    assert all(n == 0 for n in again["created"].values()), again["created"]
    assert again["updated"]["reviews"] == 3
    assert "Demo loaded:" in first_output and "Demo loaded: 0 rows created" not in first_output
    assert first_counts["Review"] == 3 and first_counts["Image"] == len(DEMO_IMAGE_KEYS)
    assert set(Image.objects.values_list("key", flat=True)) == set(DEMO_IMAGE_KEYS)
    assert "Demo loaded: 0 rows created" in call_command_output("load_demo")
    assert counts() == first_counts


def test_if_empty_does_nothing_when_reviews_exist():
    existing = ReviewFactory(title="My own first review")
    before = counts()

    output = call_command_output("load_demo", "--if-empty")

    assert "Database already has reviews; demo not loaded." in output
    assert counts() == before
    assert not Work.objects.filter(slug=DEMO_WORK_SLUG).exists()
    assert list(Review.objects.all()) == [existing]


def test_part2_review_is_an_avoid_that_cites_part1_with_figure_and_spoiler(demo):
    part1 = Review.objects.get(slug=DEMO_PART1_REVIEW_SLUG)
    html = demo.body_html

    assert demo.verdict == Verdict.AVOID
    assert demo.is_public
    assert demo.work.slug == DEMO_WORK_SLUG
    assert demo.season.label == "Part 2" and demo.season.episode_count == 9
    assert list(demo.cited_reviews.all()) == [part1]
    assert '<figure class="figure">' in html and "<figcaption>" in html
    assert 'srcset="' in html
    assert '<article class="citation-card">' in html and part1.title in html
    assert f'href="{part1.get_absolute_url()}"' in html
    assert "<summary>Spoils Part 2, ep 7</summary>" in html
    assert "Missing image" not in html and "not available" not in html
    assert set(demo.images_used.values_list("key", flat=True)) <= set(DEMO_IMAGE_KEYS)
    assert demo.images_used.count() == 2
    # Nobody can sign in as the demo critic until an operator sets a password.
    assert demo.author.has_usable_password() is False


def test_part2_review_page_shows_verdict_figure_citation_and_support_buttons(demo, client):
    part1 = Review.objects.get(slug=DEMO_PART1_REVIEW_SLUG)
    links = list(SupportLink.objects.filter(is_active=True))
    assert links, "the demo configures support links"

    response = client.get(demo.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="verdict verdict-avoid">Avoid</span>' in html
    assert "Part 2" in html and "9 episodes" in html
    assert '<figure class="figure">' in html and "<figcaption>" in html
    assert '<article class="citation-card">' in html and part1.title in html
    assert '<details class="spoiler" data-spoiler-season="2"' in html
    for link in links:
        assert f'href="{link.url}"' in html
        assert link.label in html
    assert SiteSettings.current().support_heading in html


def test_the_demo_loads_onto_object_storage_and_its_pages_show_bucket_images(client, s3_media):
    """`load_demo` on a site whose media is on S3 (SeaweedFS): every picture and its
    WebP sizes are in the bucket, and the review page's figure comes from there."""
    call_command_output("load_demo")

    images = list(Image.objects.all())
    assert sorted(image.key for image in images) == sorted(DEMO_IMAGE_KEYS)
    stored = {name for image in images for name in [image.file.name, *image.renditions.values()]}
    assert s3_media.keys() == sorted(f"{s3_media.folder}/{name}" for name in stored)
    html = client.get(Review.objects.get(slug=DEMO_PART2_REVIEW_SLUG).get_absolute_url())
    bucket_url = f"http://127.0.0.1:8333/{s3_media.name}/{s3_media.folder}/images/"
    assert f'<img src="{bucket_url}' in html.content.decode()
    # Loading again changes nothing and writes no second copy.
    call_command_output("load_demo")
    assert s3_media.keys() == sorted(f"{s3_media.folder}/{name}" for name in stored)


# --- a reply from the fediverse ---------------------------------------------------------


def test_the_demo_has_a_fediverse_reply_folded_for_readers_before_ep_8(demo, client):
    from watchworthy.demo.content import DEMO_REMOTE_NOTE_ID, DEMO_REMOTE_SPOILER
    from watchworthy.fediverse.models import RemoteComment

    remote = RemoteComment.objects.select_related("comment").get(object_id=DEMO_REMOTE_NOTE_ID)
    comment = remote.comment
    assert (comment.review, comment.status) == (demo, "approved")
    assert comment.author_name == "Noor Haddad (@noor@tidewater.example)"
    assert (comment.spoils_season, comment.spoils_episode) == (2, 8)
    assert (remote.handle, remote.shared_inbox) == (
        "@noor@tidewater.example", "https://tidewater.example/inbox",
    )  # fmt: skip
    assert "mention" not in comment.body_html  # through the one sanitizer

    folded = "Spoils Part 2, ep 8 — show this comment"
    work = demo.work.slug
    assert client.post(f"/works/{work}/progress/", {"position": "2:3"}).status_code == 302
    page = client.get(demo.get_absolute_url()).content.decode()
    assert "Noor Haddad" in page and folded in page
    assert client.post(f"/works/{work}/progress/", {"position": "2:"}).status_code == 302
    page = client.get(demo.get_absolute_url()).content.decode()
    assert folded not in page and DEMO_REMOTE_SPOILER in page


def test_loading_the_demo_again_takes_the_fediverse_reply_once(demo):
    from watchworthy.fediverse.models import RemoteComment

    load_demo()
    assert RemoteComment.objects.count() == 1
