from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import ImageFactory, ReviewFactory, SeasonFactory, WorkFactory
from watchworthy.reviews.models import Review, Verdict

pytestmark = pytest.mark.django_db


def test_published_includes_scheduled_reviews_once_their_time_has_come():
    now = timezone.now()
    live = ReviewFactory(status=Review.Status.PUBLISHED, published_at=now - timedelta(hours=1))
    due = ReviewFactory(status=Review.Status.SCHEDULED, published_at=now - timedelta(seconds=1))
    later = ReviewFactory(status=Review.Status.SCHEDULED, published_at=now + timedelta(hours=1))
    draft = ReviewFactory(status=Review.Status.DRAFT, published_at=now - timedelta(days=3))

    public = set(Review.objects.published())

    assert public == {live, due}
    assert later.is_public is False and draft.is_public is False and due.is_public is True


def test_publishing_without_a_time_means_now():
    review = ReviewFactory(status=Review.Status.PUBLISHED, published_at=None)
    assert review.published_at is not None
    assert review.published_at <= timezone.now()


def test_scheduled_review_needs_a_future_time():
    review = ReviewFactory.build(
        status=Review.Status.SCHEDULED,
        published_at=timezone.now() - timedelta(minutes=5),
        work=WorkFactory(),
        author=ReviewFactory().author,
    )
    with pytest.raises(ValidationError) as error:
        review.full_clean()
    assert "published_at" in error.value.message_dict


def test_published_status_with_future_time_asks_for_scheduled():
    review = ReviewFactory(status=Review.Status.DRAFT)
    review.status = Review.Status.PUBLISHED
    review.published_at = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        review.full_clean()
    assert "Scheduled" in error.value.message_dict["status"][0]


def test_season_must_belong_to_the_reviewed_work():
    review = ReviewFactory(season=None)
    review.season = SeasonFactory()  # another work's season
    with pytest.raises(ValidationError) as error:
        review.full_clean()
    assert "belongs to" in error.value.message_dict["season"][0]


def test_score_outside_0_to_10_is_refused_by_the_form_rules_and_the_database():
    review = ReviewFactory(score=Decimal("7.5"))
    review.score = Decimal("10.5")
    with pytest.raises(ValidationError):
        review.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(score=Decimal("11"))


def test_ranked_orders_by_score_then_newest_with_unscored_last():
    now = timezone.now()
    low = ReviewFactory(score=Decimal("3.0"), published_at=now - timedelta(days=1))
    unscored = ReviewFactory(score=None, published_at=now - timedelta(hours=1))
    high_old = ReviewFactory(score=Decimal("9.0"), published_at=now - timedelta(days=9))
    high_new = ReviewFactory(score=Decimal("9.0"), published_at=now - timedelta(days=2))

    assert list(Review.objects.ranked()) == [high_new, high_old, low, unscored]


def test_body_is_rendered_and_stored_on_save():
    review = ReviewFactory(body="## Opening\n\nThe *first* episode.[^1]\n\n[^1]: A note.")
    assert '<h2 id="opening">' in review.body_html
    assert "<em>first</em>" in review.body_html
    assert 'class="footnotes"' in review.body_html
    assert review.teaser == "The first episode."  # no footnote mark


def test_excerpt_wins_over_the_body_for_the_teaser():
    review = ReviewFactory(excerpt="Short and sharp.", body="Long " * 200)
    assert review.teaser == "Short and sharp."


def test_image_reference_becomes_a_captioned_responsive_figure():
    image = ImageFactory(key="lighthouse", caption="Stored caption")
    review = ReviewFactory(body='Intro.\n\n![The lighthouse at dusk](image:lighthouse "Episode 3")')

    assert '<figure class="figure">' in review.body_html
    assert 'alt="The lighthouse at dusk"' in review.body_html
    assert "<figcaption>Episode 3</figcaption>" in review.body_html
    assert "480w" in review.body_html and "960w" in review.body_html
    assert list(review.images_used.all()) == [image]


def test_editing_an_image_caption_rerenders_the_reviews_that_show_it(
    django_capture_on_commit_callbacks,
):
    image = ImageFactory(key="roof", caption="Old caption")
    review = ReviewFactory(body="![A roof](image:roof)")
    assert "Old caption" in review.body_html

    with django_capture_on_commit_callbacks(execute=True):
        image.caption = "New caption"
        image.save()

    review.refresh_from_db()
    assert "New caption" in review.body_html and "Old caption" not in review.body_html


def test_citation_renders_the_cited_reviews_card():
    season = SeasonFactory(label="Part 1")
    part1 = ReviewFactory(
        title="Part 1 review", slug="part-1", work=season.work, season=season, verdict=Verdict.WATCH
    )
    part2 = ReviewFactory(body="::: cite part-1\nIt *was* great.\n:::", work=season.work)

    assert '<aside class="citation"><blockquote>' in part2.body_html
    assert 'href="/reviews/part-1/"' in part2.body_html
    assert "Part 1 review" in part2.body_html
    assert f"{season.work.title} — Part 1" in part2.body_html
    assert 'class="verdict verdict-watch"' in part2.body_html
    assert list(part2.cited_reviews.all()) == [part1]


def test_changing_a_cited_reviews_verdict_updates_the_card():
    part1 = ReviewFactory(slug="part-1", verdict=Verdict.WATCH)
    part2 = ReviewFactory(body="::: cite part-1\n:::")
    part1.verdict = Verdict.AVOID
    part1.save()
    part2.refresh_from_db()
    assert "verdict-avoid" in part2.body_html and "verdict-watch" not in part2.body_html


def test_a_draft_is_never_shown_as_a_citation_card():
    ReviewFactory(slug="secret", title="Unpublished thoughts", status=Review.Status.DRAFT)
    citing = ReviewFactory(body="::: cite secret\nquoted\n:::")
    assert "Unpublished thoughts" not in citing.body_html
    assert "not available" in citing.body_html


def test_unknown_references_are_named_as_body_errors():
    review = ReviewFactory.build(
        body="![x](image:nope)\n\n::: cite no-such-review\n:::",
        work=WorkFactory(),
        author=ReviewFactory().author,
        slug="fresh",
    )
    with pytest.raises(ValidationError) as error:
        review.full_clean()
    message = error.value.message_dict["body"][0]
    assert "nope" in message and "no-such-review" in message


def test_an_html_body_is_sanitized_not_read_as_markdown():
    review = ReviewFactory(
        body_format=Review.BodyFormat.HTML,
        body="<p>Imported <em>text</em> *not markdown*</p><script>alert(1)</script>"
        '<p onclick="x()"><a href="javascript:alert(1)">link</a></p>',
    )
    assert "<em>text</em> *not markdown*" in review.body_html
    assert "<script" not in review.body_html and "onclick" not in review.body_html
    assert "javascript:" not in review.body_html
    assert review.teaser.startswith("Imported text *not markdown*")
