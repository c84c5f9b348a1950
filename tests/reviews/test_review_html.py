"""The verdict badge, audience meter and review card written in Python (reviews.html)
print what their templates printed (kept in tests/web/reference/), for every shape a
review takes: with and without score, cover, part, teaser, votes, finishers' votes,
published or draft, under an h2 or an h3."""

from __future__ import annotations

import itertools

import pytest
from django.template.context import make_context

from tests.factories import ImageFactory, ReviewFactory, SeasonFactory, WorkFactory
from tests.web.old_review_page import ENGINE
from watchworthy.reviews import html
from watchworthy.reviews.models import Review, Verdict

pytestmark = pytest.mark.django_db


def old(template: str, **context) -> str:
    return ENGINE.get_template(template).render(make_context(context))


SHAPES = list(
    itertools.product(
        [None, 4.5, 10],  # score
        [False, True],  # cover
        [False, True],  # part (season)
        [(0, 0, 0, 0), (1, 1, 0, 0), (7, 3, 2, 1)],  # votes, agree, finished, finished agree
    )
)


@pytest.fixture
def review_of():
    work = WorkFactory(title='Ferry & "Light" <1>')
    season = SeasonFactory(work=work, number=2, label="Part <2>", episode_count=12)

    def make(score, cover, part, votes, *, teaser="A <short> & sharp take", draft=False):
        review = ReviewFactory(
            work=work,
            season=season if part else None,
            score=score,
            verdict=Verdict.AVOID if score == 4.5 else Verdict.WATCH,
            cover=ImageFactory() if cover else None,
            title="Title <b> & co",
            status=Review.Status.DRAFT if draft else Review.Status.PUBLISHED,
        )
        total, agree, finished, finished_agree = votes
        review.audience_votes, review.audience_agree = total, agree
        review.audience_finished_votes, review.audience_finished_agree = finished, finished_agree
        review.teaser = teaser
        if draft:
            review.published_at = None
        return review

    return make


@pytest.mark.parametrize(("score", "cover", "part", "votes"), SHAPES)
def test_pieces_as_their_templates_wrote_them(review_of, score, cover, part, votes):
    review = review_of(score, cover, part, votes)
    assert html.verdict_badge(review) == old("reviews/verdict_badge.html", review=review)
    assert html.audience_meter(review) == old("reviews/audience.html", review=review)
    for heading in ("", "h3"):
        expected = old("partials/review_card.html", review=review, card_heading=heading)
        assert html.review_card(review, heading) == expected


def test_card_of_a_draft_without_teaser(review_of):
    review = review_of(None, False, True, (0, 0, 0, 0), teaser="", draft=True)
    assert html.review_card(review) == old("partials/review_card.html", review=review)
    assert "draft" in html.review_card(review)


@pytest.mark.parametrize("value", [*Verdict.values, "not-a-verdict"])
def test_verdict_label_is_what_djangos_display_method_gives(value):
    review = Review(verdict=value)
    field = Review._meta.get_field("verdict")
    assert review.get_verdict_display() == review._get_FIELD_display(field)
