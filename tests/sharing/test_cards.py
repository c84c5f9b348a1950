"""The generated link-preview card of a review without a cover: a 1200x630 PNG, drawn
once and kept in the media storage, at an address that changes with what it shows."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image as PILImage

from tests.factories import ReviewFactory
from watchworthy.reviews.models import Review, Verdict
from watchworthy.sharing.cards import card_digest, card_name, card_text, render_card

pytestmark = pytest.mark.django_db


def card_url(review) -> str:
    return f"/reviews/{review.slug}/card-{card_digest(review)}.png"


def test_card_is_a_png_of_the_right_size_kept_in_media(site):
    review = Review.objects.get(pk=site["part2_review"].pk)
    response = Client().get(card_url(review))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "immutable" in response["Cache-Control"]
    body = b"".join(response.streaming_content)  # read to the end: closes the file
    with PILImage.open(io.BytesIO(body)) as image:
        assert image.format == "PNG" and image.size == (1200, 630)
    name = card_name(review, card_digest(review))
    assert default_storage.exists(name)
    # Asked again, it is read back rather than drawn again.
    stored_at = default_storage.get_modified_time(name)
    again = Client().get(card_url(review))
    assert b"".join(again.streaming_content) == body
    assert default_storage.get_modified_time(name) == stored_at


def test_a_changed_verdict_gets_a_new_address_and_the_old_one_leads_there(site):
    review = Review.objects.get(pk=site["part2_review"].pk)
    old = card_url(review)
    review.verdict = Verdict.SKIP
    review.save()
    new = card_url(review)
    assert new != old
    response = Client().get(old)
    assert response.status_code == 302 and response["Location"] == new


def test_no_card_for_drafts_or_unknown_reviews(site):
    draft = Review.objects.get(slug="draft")
    assert Client().get(card_url(draft)).status_code == 404
    assert Client().get("/reviews/nothing/card-0123.png").status_code == 404


def test_card_text_is_title_subject_and_verdict_without_spoilers(site):
    review = Review.objects.get(pk=site["part2_review"].pk)
    text = card_text(review, "Second Cour")
    assert text == {
        "site": "Second Cour", "title": "Ferrylight, Part 2", "subject": "Ferrylight · Part 2",
        "verdict": "avoid", "verdict_words": "Avoid, 3.5/10",
    }  # fmt: skip


@pytest.mark.parametrize("title", ["x" * 200, "A " * 100, "日本語のタイトル", "</script>&", ""])
def test_any_title_draws(critic, title):
    review = ReviewFactory(title=title or "-", author=critic, verdict=Verdict.UNRATED)
    png = render_card(card_text(review, "S" * 80))
    with PILImage.open(io.BytesIO(png)) as image:
        assert image.size == (1200, 630)
