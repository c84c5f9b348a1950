"""Every write path sends the change signal once, after commit, with what it changed.

Caches and the search index subscribe to ``content_changed`` instead of being purged
by hand; a write path that forgets to say what it changed would leave them stale.
One test per write path (the importers have theirs in tests/imports/test_changes.py).
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.commenting import HoldEverything
from tests.conftest import png_bytes
from tests.factories import (
    ImageFactory,
    ReviewFactory,
    SeasonFactory,
    TagFactory,
    UserFactory,
    WorkFactory,
)
from tests.reviews.test_admin import review_form
from watchworthy.catalog.models import Platform, Work
from watchworthy.core.changes import COUNTS
from watchworthy.core.models import SiteSettings, SupportLink
from watchworthy.core.publishing import announce_due
from watchworthy.discussion.models import Comment
from watchworthy.discussion.moderation import Decision
from watchworthy.discussion.services import (
    comment_edit,
    comment_moderate,
    comment_post,
    comment_remove,
    refresh_comment_counts,
)
from watchworthy.images.models import Image
from watchworthy.pages.models import Page
from watchworthy.reviews.audience import audience_vote
from watchworthy.reviews.models import Review, Tag
from watchworthy.spoilers.progress import progress_save
from watchworthy.spoilers.shield import Position

pytestmark = pytest.mark.django_db


class ApproveEverything:
    def decide(self, **_):
        return Decision(Comment.Status.APPROVED, "approved by the test")


def only(delivered):
    """The one ChangeSet delivered, as {label: ids}."""
    assert len(delivered) == 1, delivered
    return {label: set(ids) for label, ids in delivered[0].by_label.items()}


def post(review, policy=ApproveEverything, **fields):
    return comment_post(
        review=review,
        body=fields.pop("body", "A thought."),
        author_name="Ann Reader",
        author_email="ann@example.org",
        policy=policy(),
        **fields,
    )


# --- reviews --------------------------------------------------------------------------


def test_admin_save_of_a_review(client, capture_changes):
    critic = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(critic)
    work = WorkFactory()
    tag = TagFactory()
    with capture_changes() as delivered:
        response = client.post(
            reverse("admin:reviews_review_add"), review_form(work, critic, tags=[tag.pk])
        )
    assert response.status_code == 302
    review = Review.objects.get(slug="a-lantern-worth-following")
    assert only(delivered) == {"reviews.review": {review.pk}, "reviews.tag": {tag.pk}}


def test_saving_and_deleting_a_review(capture_changes):
    review = ReviewFactory()
    with capture_changes() as delivered:
        review.title = "New title"
        review.save()
    assert only(delivered) == {"reviews.review": {review.pk}}
    pk = review.pk
    with capture_changes() as delivered:
        review.delete()
    assert only(delivered)["reviews.review"] == {pk}


def test_saving_a_cited_review_rerenders_and_marks_the_citer(capture_changes):
    cited = ReviewFactory(slug="cited")
    citer = ReviewFactory(body="::: cite cited\nWords.\n:::")
    with capture_changes() as delivered:
        cited.verdict = "avoid"
        cited.save()
    assert only(delivered) == {"reviews.review": {cited.pk, citer.pk}}


def test_saving_an_image_marks_it_and_the_reviews_that_show_it(capture_changes):
    image = ImageFactory(key="harbour", file=png_bytes(320, 180))
    review = ReviewFactory(body='![A harbour](image:harbour "Night")')
    with capture_changes() as delivered:
        image.caption = "Dawn"
        image.save()
    # The image's own transaction, then the re-render of the review after its commit.
    assert [set(c.labels) for c in delivered] == [{"images.image"}, {"reviews.review"}]
    assert delivered[1].ids(Review) == {review.pk}


def test_a_scheduled_review_going_live(capture_changes):
    review = ReviewFactory(
        status=Review.Status.SCHEDULED, published_at=timezone.now() + timedelta(minutes=5)
    )
    assert announce_due() == 0
    with capture_changes() as delivered:
        assert announce_due(timezone.now() + timedelta(minutes=6)) == 1
    assert only(delivered) == {"reviews.review": {review.pk}}
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED


def test_the_first_request_after_the_moment_announces_it(capture_changes):
    review = ReviewFactory(
        status=Review.Status.SCHEDULED, published_at=timezone.now() + timedelta(seconds=1)
    )
    cache.clear()
    Client().get("/")  # learns the next scheduled moment
    Review.objects.filter(pk=review.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    cache.clear()
    with capture_changes() as delivered:
        Client().get("/")
    assert only(delivered) == {"reviews.review": {review.pk}}


def test_a_scheduled_page_going_live_too(capture_changes):
    page = Page.objects.create(
        title="Soon",
        slug="soon",
        body="Text.",
        status=Page.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(minutes=1),
    )
    with capture_changes() as delivered:
        announce_due(timezone.now() + timedelta(minutes=2))
    assert only(delivered) == {"pages.page": {page.pk}}


def test_an_audience_vote(capture_changes):
    review = ReviewFactory()
    with capture_changes() as delivered:
        audience_vote(review=review, agrees=True, finished=False, guest_token="t0ken")
    assert only(delivered) == {"reviews.review:counts": {review.pk}}


def test_a_vote_through_the_page(client, capture_changes):
    review = ReviewFactory()
    with capture_changes() as delivered:
        client.post(reverse("reviews:vote", args=[review.slug]), {"agrees": "yes"})
    assert only(delivered) == {"reviews.review:counts": {review.pk}}


def test_reader_progress_changes_no_public_content(capture_changes):
    work = WorkFactory()
    reader = UserFactory()
    with capture_changes() as delivered:
        progress_save(user=reader, work=work, position=Position(1, 3))
    assert delivered == []


# --- discussion -----------------------------------------------------------------------


def test_posting_an_approved_comment(capture_changes):
    review = ReviewFactory()
    with capture_changes() as delivered:
        comment = post(review)
    assert only(delivered) == {
        "discussion.comment": {comment.pk},
        "reviews.review:counts": {review.pk},
    }

    # Where they show, as the post knew it: the comment it inserted is on its review;
    # the review's work was read under the review's lock (subscribers need not ask).
    assert delivered[0].places == {
        "discussion.comment": {comment.pk: review.pk},
        "reviews.review": {review.pk: review.work_id},
    }


def test_posting_a_held_comment(capture_changes):
    review = ReviewFactory()
    with capture_changes() as delivered:
        comment = post(review, policy=HoldEverything)
    # Nothing public changed (the count of approved comments is the same), but the
    # comment is new: the moderation queue and the writer's own view show it.
    assert only(delivered) == {"discussion.comment": {comment.pk}}
    # No lock was taken, so the review's work is not said (it is looked up).
    assert delivered[0].places == {"discussion.comment": {comment.pk: review.pk}}


def test_moderating_a_batch(capture_changes):
    first, second = ReviewFactory(), ReviewFactory()
    held = [post(first, policy=HoldEverything), post(second, policy=HoldEverything)]
    for status in (Comment.Status.APPROVED, Comment.Status.SPAM, Comment.Status.TRASH):
        with capture_changes() as delivered:
            comment_moderate(
                comments=Comment.objects.filter(pk__in=[c.pk for c in held]), status=status
            )
        assert only(delivered) == {
            "discussion.comment": {c.pk for c in held},
            "reviews.review:counts": {first.pk, second.pk},
        }


def test_editing_and_removing_a_comment(capture_changes):
    review = ReviewFactory()
    comment = post(review)
    with capture_changes() as delivered:
        comment_edit(comment=comment, body="Second thoughts.", policy=ApproveEverything())
    assert only(delivered) == {
        "discussion.comment": {comment.pk},
        "reviews.review:counts": {review.pk},
    }
    with capture_changes() as delivered:
        comment_remove(comment=comment)
    assert only(delivered) == {
        "discussion.comment": {comment.pk},
        "reviews.review:counts": {review.pk},
    }


def test_counters_are_an_aspect_that_only_some_subscribers_follow(capture_changes):
    """A comment or a vote changes a review's counters, not its text: the page cache
    asks for counters too, the search index (which holds none) does not."""
    review = ReviewFactory()
    with capture_changes() as delivered:
        post(review)
    (changes,) = delivered
    assert changes.ids(Review) == frozenset()
    assert changes.ids(Review, including=[COUNTS]) == {review.pk}
    assert Review not in changes  # "did any review's content change": no


def test_recounting_comments(capture_changes):
    review = ReviewFactory()
    with capture_changes() as delivered:
        refresh_comment_counts([review.pk])
    assert only(delivered) == {"reviews.review:counts": {review.pk}}


def test_a_comment_through_the_form(client, capture_changes, post_comment, generous_comment_limits):
    review = ReviewFactory()
    with capture_changes() as delivered:
        response = post_comment(client, review)
    assert response.status_code == 302
    comment = Comment.objects.get(review=review)
    assert comment.status == Comment.Status.PENDING  # a first comment waits
    assert only(delivered) == {"discussion.comment": {comment.pk}}


# --- catalog, site, accounts, pages ------------------------------------------------------


def test_catalog_edits_in_the_admin(client, capture_changes):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    work = WorkFactory(title="Before")
    season = SeasonFactory(work=work, number=1)
    data = {
        "title": "After",
        "slug": work.slug,
        "original_title": "",
        "original_language": "",
        "kind": work.kind,
        "year": "2024",
        "synopsis": "",
        "imdb_id": "",
        "tmdb_id": "",
        "anilist_id": "",
        "mal_id": "",
        "seasons-TOTAL_FORMS": "1",
        "seasons-INITIAL_FORMS": "1",
        "seasons-0-id": season.pk,
        "seasons-0-work": work.pk,
        "seasons-0-number": "1",
        "seasons-0-label": "Part 1",
        "seasons-0-episode_count": "9",
        "seasons-0-recap": "",
        "characters-TOTAL_FORMS": "0",
        "characters-INITIAL_FORMS": "0",
    }
    with capture_changes() as delivered:
        response = client.post(reverse("admin:catalog_work_change", args=[work.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = only(delivered)
    assert changed["catalog.work"] == {work.pk}
    assert changed["catalog.season"] == {season.pk}


def test_adding_a_platform_to_a_work(capture_changes):
    work = WorkFactory()
    platform = Platform.objects.create(name="Streamly", slug="streamly")
    with capture_changes() as delivered:
        work.platforms.add(platform)
    assert only(delivered) == {"catalog.work": {work.pk}, "catalog.platform": {platform.pk}}


def test_tagging_a_review_from_the_tag_side(capture_changes):
    review = ReviewFactory()
    tag = TagFactory()
    with capture_changes() as delivered:
        tag.reviews.add(review)
    assert only(delivered) == {"reviews.tag": {tag.pk}, "reviews.review": {review.pk}}


def test_site_settings_and_support_links(capture_changes):
    with capture_changes() as delivered:
        SiteSettings.objects.create(site_name="Second Cour")
        link = SupportLink.objects.create(label="Ko-fi", url="https://ko-fi.com/x")
    assert only(delivered) == {"core.sitesettings": {1}, "core.supportlink": {link.pk}}


def test_a_display_name_change_but_not_a_sign_in(client, capture_changes):
    reader = UserFactory(display_name="Before")
    reader.set_password("lantern-tide-at-dusk-42")
    reader.save()
    with capture_changes() as delivered:
        assert client.login(username=reader.username, password="lantern-tide-at-dusk-42")
    assert delivered == []  # last_login alone changes nothing a reader sees
    with capture_changes() as delivered:
        reader.display_name = "After"
        reader.save()
    assert only(delivered) == {"accounts.user": {reader.pk}}


def test_a_page(capture_changes):
    with capture_changes() as delivered:
        page = Page.objects.create(
            title="About me", slug="about-me", body="Hi.", status=Page.Status.PUBLISHED
        )
    assert only(delivered) == {"pages.page": {page.pk}}


def test_loading_the_demo_is_one_change(capture_changes):
    from watchworthy.demo.content import load_demo

    with capture_changes() as delivered:
        load_demo()
    # One transaction; after it, the reviews showing a new image's sizes re-render.
    changed = {label: set(ids) for label, ids in delivered[0].by_label.items()}
    assert all(later.labels == {"reviews.review"} for later in delivered[1:])
    assert changed["reviews.review"] == set(Review.objects.values_list("pk", flat=True))
    assert changed["discussion.comment"] == set(Comment.objects.values_list("pk", flat=True))
    assert changed["catalog.work"] == set(Work.objects.values_list("pk", flat=True))
    assert changed["images.image"] == set(Image.objects.values_list("pk", flat=True))
    assert changed["reviews.tag"] == set(Tag.objects.values_list("pk", flat=True))
