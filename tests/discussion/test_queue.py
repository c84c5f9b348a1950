"""The moderation queue at /moderation/: staff only; pending comments with the reason
they wait; approve, spam or trash several at once, with counts and numbers following."""

import pytest
from django.test import Client

from tests import dom
from tests.factories import ReviewFactory, UserFactory
from watchworthy.discussion.models import Comment

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/"


@pytest.fixture
def staff(db):
    return UserFactory(username="mod", display_name="Moderator", is_staff=True)


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def queue_items(response) -> dict[int, dom.Element]:
    root = dom.page(response)
    return {
        int(item.find("input", type="checkbox").attrs["value"]): item
        for item in root.find_all("li", cls="queue-item")
    }


def status_of(*comments) -> list[str]:
    return [Comment.objects.get(pk=c.pk).status for c in comments]


# --- who may open it ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, review, make_comment):
    make_comment(review, "Waiting.", status=Comment.Status.PENDING)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "login" in response["Location"] and "next=/moderation/" in response["Location"]


def test_signed_in_readers_without_staff_rights_are_sent_to_log_in(client, review, make_comment):
    waiting = make_comment(review, "Waiting.", status=Comment.Status.PENDING)
    client.force_login(UserFactory(username="reader"))
    response = client.get(QUEUE)
    assert response.status_code == 302 and "login" in response["Location"]
    assert b"Waiting." not in response.content

    response = client.post(QUEUE, {"action": "approve", "comment": [waiting.pk]})
    assert response.status_code == 302 and "login" in response["Location"]
    assert status_of(waiting) == ["pending"]


# --- what it lists ----------------------------------------------------------------------


def test_lists_pending_comments_with_the_reason_they_wait(
    staff_client, client, post_comment, review, make_comment
):
    post_comment(
        client, review, body="A newcomer writes.", author_name="Noa", author_email="noa@example.org"
    )
    held = Comment.objects.get(body="A newcomer writes.")
    approved = make_comment(review, "Already public.")
    spam = make_comment(review, "Spammy.", status=Comment.Status.SPAM)

    response = staff_client.get(QUEUE)
    assert response.status_code == 200
    items = queue_items(response)
    assert set(items) == {held.pk}
    item = items[held.pk]
    assert "Why it is here: first comment from this address" in item.text
    assert "Noa" in item.text and "noa@example.org" in item.text and review.title in item.text
    assert item.find("div", cls="comment-body").text == "A newcomer writes."

    assert set(queue_items(staff_client.get(QUEUE, {"status": "spam"}))) == {spam.pk}
    assert set(queue_items(staff_client.get(QUEUE, {"status": "approved"}))) == {approved.pk}


# --- acting on several at once ----------------------------------------------------------


def test_bulk_approve_publishes_numbers_and_counts(staff_client, review, make_comment):
    first = make_comment(review, "First waiting.", status=Comment.Status.PENDING)
    second = make_comment(review, "Second waiting.", status=Comment.Status.PENDING)
    third = make_comment(review, "Third waiting.", status=Comment.Status.PENDING)
    other_review = ReviewFactory()
    elsewhere = make_comment(other_review, "On another review.", status=Comment.Status.PENDING)

    response = staff_client.get(QUEUE)
    assert response.context["pending_comment_count"] == 4

    response = staff_client.post(
        QUEUE, {"action": "approve", "comment": [second.pk, first.pk, elsewhere.pk]}, follow=True
    )
    assert response.redirect_chain == [(f"{QUEUE}?status=pending", 302)]
    assert "3 comments marked approved." in dom.messages(dom.page(response))
    assert response.context["pending_comment_count"] == 1
    assert set(queue_items(response)) == {third.pk}

    assert status_of(first, second, third, elsewhere) == [
        "approved",
        "approved",
        "pending",
        "approved",
    ]
    review.refresh_from_db()
    other_review.refresh_from_db()
    assert (review.approved_comment_count, other_review.approved_comment_count) == (2, 1)
    root = dom.page(Client().get(review.get_absolute_url()))
    assert dom.heading(root) == "2 comments"
    # Numbered in the order they came, per review.
    assert [(s.pk, s.number) for s in dom.shown_comments(root)] == [(first.pk, 1), (second.pk, 2)]
    assert Comment.objects.get(pk=elsewhere.pk).number == 1


def test_bulk_spam_and_trash_take_comments_off_the_page(staff_client, review, make_comment):
    one = make_comment(review, "One.")
    two = make_comment(review, "Two.")
    three = make_comment(review, "Three.")
    waiting = make_comment(review, "Waiting.", status=Comment.Status.PENDING)

    staff_client.post(QUEUE + "?status=approved", {"action": "spam", "comment": [one.pk]})
    response = staff_client.post(
        QUEUE + "?status=approved",
        {"action": "trash", "comment": [two.pk, waiting.pk]},
        follow=True,
    )
    assert response.redirect_chain == [(f"{QUEUE}?status=approved", 302)]
    assert "2 comments marked trash." in dom.messages(dom.page(response))
    assert response.context["pending_comment_count"] == 0
    assert status_of(one, two, three, waiting) == ["spam", "trash", "approved", "trash"]

    root = dom.page(Client().get(review.get_absolute_url()))
    assert [(s.body, s.number) for s in dom.shown_comments(root)] == [("Three.", 3)]
    assert dom.heading(root) == "1 comment"
    review.refresh_from_db()
    assert review.approved_comment_count == 1

    # Rescued from spam: back on the page with its old number.
    staff_client.post(QUEUE + "?status=spam", {"action": "approve", "comment": [one.pk]})
    root = dom.page(Client().get(review.get_absolute_url()))
    assert [(s.body, s.number) for s in dom.shown_comments(root)] == [("One.", 1), ("Three.", 3)]


def test_acting_without_ticking_anything_says_so(staff_client, review, make_comment):
    waiting = make_comment(review, "Waiting.", status=Comment.Status.PENDING)
    response = staff_client.post(QUEUE, {"action": "approve"}, follow=True)
    assert "Tick at least one comment and choose an action." in dom.messages(dom.page(response))
    response = staff_client.post(QUEUE, {"action": "delete-all", "comment": [waiting.pk]})
    assert response.status_code == 302
    assert status_of(waiting) == ["pending"]


# --- the pending count --------------------------------------------------------------------


def test_pending_count_is_given_to_staff_only(staff_client, client, review, make_comment):
    make_comment(review, "Waiting one.", status=Comment.Status.PENDING)
    make_comment(review, "Waiting two.", status=Comment.Status.PENDING)
    make_comment(ReviewFactory(), "Elsewhere.", status=Comment.Status.PENDING)
    make_comment(review, "Public.")
    make_comment(review, "Spam.", status=Comment.Status.SPAM)

    reader = Client()
    reader.force_login(UserFactory(username="reader"))
    for url in (review.get_absolute_url(), "/"):  # composed in Python, and a template
        html = staff_client.get(url).content.decode()
        assert '<span class="pending-count" aria-label="3 waiting">3</span>' in html

        assert "pending-count" not in client.get(url).content.decode()
        assert "pending-count" not in reader.get(url).content.decode()


def test_a_held_comment_deleted_by_its_author_no_longer_waits(
    staff_client, client, post_comment, review
):
    post_comment(client, review, body="Oops, wrong review.")
    held = Comment.objects.get()
    assert client.post(f"/comments/{held.pk}/delete/", {"confirm": "yes"}).status_code == 302

    response = staff_client.get(QUEUE)
    assert queue_items(response) == {}
    assert response.context["pending_comment_count"] == 0
