"""Who is published at once, who waits, and who is quietly dropped as spam — seen from
the page: what the commenter is told, what they and other readers see, what is counted.
"""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from tests import dom
from tests.commenting import token_for
from tests.factories import ReviewFactory, UserFactory
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.models import Comment, VerifiedAddress
from watchworthy.discussion.services import comment_moderate

pytestmark = pytest.mark.django_db

HELD_NOTE = "Your comment is awaiting moderation. Only you can see it."
HELD_MESSAGE = "Thanks — your comment is awaiting moderation."
UP_MESSAGE = "Thanks — your comment is up."


def view(client, review, **query) -> dom.Element:
    response = client.get(review.get_absolute_url(), query)
    assert response.status_code == 200
    return dom.page(response)


def bodies(root) -> set[str]:
    return {s.body for s in dom.shown_comments(root)}


def latest() -> Comment:
    return Comment.objects.latest("pk")


# --- first comment held -----------------------------------------------------------------


def test_first_comment_is_held_and_shown_only_to_its_author(client, post_comment, review):
    response = post_comment(client, review, body="My very first comment.", follow=True)

    comment = latest()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reason == "first comment from this address"
    root = dom.page(response)
    assert dom.messages(root) == [HELD_MESSAGE]
    # The author sees it, marked, on the page they land on and on every later visit.
    for seen in (root, view(client, review)):
        (mine,) = dom.shown_comments(seen)
        assert mine.pk == comment.pk and mine.held and mine.body == "My very first comment."
        assert HELD_NOTE in mine.element.text
        assert mine.number is None
        assert dom.heading(seen) == "0 comments"
    # Nobody else does.
    other = view(Client(), review)
    assert dom.shown_comments(other) == []
    assert "My very first comment." not in other.by_id("comments").text
    assert dom.heading(other) == "0 comments"
    review.refresh_from_db()
    assert review.approved_comment_count == 0


def test_once_approved_the_browser_that_wrote_it_is_published_at_once(client, post_comment, review):
    post_comment(client, review, body="First, held.")
    comment_moderate(comments=[latest()], status=Comment.Status.APPROVED)

    # The same browser (its private cookie lists the approved comment).
    response = post_comment(client, review, body="Second, published.", follow=True)
    comment = latest()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderation_reason == "known commenter"
    assert dom.messages(dom.page(response))[-1] == UP_MESSAGE
    other = view(Client(), review)
    assert bodies(other) == {"First, held.", "Second, published."}
    assert not any(s.held for s in dom.shown_comments(other))
    assert dom.heading(other) == "2 comments"


def test_an_approved_address_typed_in_another_browser_is_not_trusted(client, post_comment, review):
    """Anyone can type an address: it alone must not skip the queue (it once did)."""
    post_comment(client, review, body="First, held.")
    comment_moderate(comments=[latest()], status=Comment.Status.APPROVED)

    post_comment(Client(), review, body="An impostor.", author_email="Ann@Example.ORG")

    assert latest().status == Comment.Status.PENDING
    assert latest().moderation_reason == "first comment from this address"


def test_a_confirmed_address_is_trusted_from_any_browser(client, post_comment, review):
    post_comment(client, review, body="First, held.")
    comment_moderate(comments=[latest()], status=Comment.Status.APPROVED)
    VerifiedAddress.verify("ann@example.org")  # she followed a link we mailed her

    post_comment(Client(), review, body="From my phone.", author_email="Ann@Example.ORG")

    assert latest().status == Comment.Status.APPROVED


def test_a_held_comment_does_not_make_the_address_known(client, post_comment, review):
    post_comment(client, review, body="First, held.")
    post_comment(client, review, body="Second, also held.")
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.PENDING}


# --- links and blocked words --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("Two links: https://example.org/a and [b](https://example.org/b).", "approved"),
        ("Three: https://example.org/a https://example.org/b https://example.org/c", "pending"),
    ],
)
def test_more_links_than_allowed_are_held(
    client, post_comment, approved_email, review, body, status
):
    post_comment(client, review, body=body)
    comment = latest()
    assert comment.status == status
    if status == "pending":
        assert comment.moderation_reason == "more than 2 links"
        assert body not in view(Client(), review).text


def test_link_limit_follows_site_settings(client, post_comment, approved_email, review):
    SiteSettings.objects.create(comment_max_links=0)
    post_comment(client, review, body="Just one: https://example.org/a")
    assert latest().status == Comment.Status.PENDING
    assert latest().moderation_reason == "more than 0 links"

    site = SiteSettings.current()
    site.comment_max_links = 3
    site.save()
    post_comment(client, review, body="https://example.org/a http://b.example https://c.example")
    assert latest().status == Comment.Status.APPROVED


def test_two_links_with_www_are_two_links(client, post_comment, approved_email, review):
    post_comment(client, review, body="See https://www.example.org/a and https://www.example.org/b")
    assert latest().moderation_reason == "known commenter"
    assert latest().status == Comment.Status.APPROVED


def test_blocklisted_word_is_held_whatever_its_case_or_field(
    client, post_comment, approved_email, review
):
    SiteSettings.objects.create(comment_blocklist="casino\n  free money  \n")
    post_comment(client, review, body="Best CASINO bonus here.")
    assert (latest().status, latest().moderation_reason) == ("pending", "contains a blocked word")
    post_comment(client, review, body="Nice review.", author_name="Free Money Now")
    assert (latest().status, latest().moderation_reason) == ("pending", "contains a blocked word")
    post_comment(client, review, body="No blocked words at all: the casinos are fine.")
    assert latest().status == Comment.Status.PENDING  # "casino" is in "casinos"
    post_comment(client, review, body="A perfectly ordinary comment.")
    assert latest().status == Comment.Status.APPROVED
    assert bodies(view(Client(), review)) == {"A perfectly ordinary comment."}


# --- robots ---------------------------------------------------------------------------


def robot_post(post_comment, review, **fields):
    robot = Client()
    response = post_comment(
        robot,
        review,
        body="Cheap pills.",
        author_name="Bot",
        author_email="bot@example.net",
        follow=True,
        **fields,
    )
    return robot, response


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"homepage": "https://spam.example"}, "honeypot filled"),
        ({"token_age": 0}, "sent faster than a person types"),
        ({"token_age": 1}, "sent faster than a person types"),
    ],
    ids=["honeypot", "instant", "one-second"],
)
def test_robots_are_marked_spam_and_told_what_a_held_person_is_told(
    client, post_comment, review, fields, reason
):
    human = post_comment(Client(), review, body="A person.", follow=True)
    human_messages = dom.messages(dom.page(human))

    robot, response = robot_post(post_comment, review, **fields)
    spam = latest()
    assert (spam.status, spam.moderation_reason) == (Comment.Status.SPAM, reason)
    assert response.status_code == 200
    assert dom.messages(dom.page(response)) == human_messages == [HELD_MESSAGE]
    for viewer in (robot, Client()):
        assert "Cheap pills." not in view(viewer, review).text
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 1


def test_a_person_who_took_their_time_is_not_spam(client, post_comment, approved_email, review):
    post_comment(client, review, token_age=3.5)
    assert latest().status == Comment.Status.APPROVED


# --- form tokens ------------------------------------------------------------------------


TOKEN_CASES = {
    "expired": ({"token_age": 49 * 3600}, "This page was open too long."),
    "forged": ({"token": "eyJyIjoxLCJ0IjoxfQ:forged:signature"}, "could not be checked"),
    "missing": ({"token": ""}, ""),
}


@pytest.mark.parametrize("case", TOKEN_CASES)
def test_bad_form_token_is_refused_and_keeps_the_text(client, post_comment, review, case):
    fields, _ = TOKEN_CASES[case]
    body = "Typed with care.\n\nTwo paragraphs."
    response = post_comment(client, review, body=body, **fields)

    assert response.status_code == 400
    root = dom.page(response, status=None)
    assert dom.textarea_value(root) == body
    assert dom.input_value(root, "author_name") == "Ann Reader"
    assert not Comment.objects.exists()
    # A new token comes with the form, so sending it again works.
    token = dom.input_value(root, "token")
    assert token and token != fields.get("token")


@pytest.mark.parametrize("case", ["expired", "forged"])
def test_bad_form_token_says_what_happened(client, post_comment, review, case):
    fields, message = TOKEN_CASES[case]
    response = post_comment(client, review, **fields)
    assert response.status_code == 400
    root = dom.page(response, status=None)
    assert message in dom.comment_form(root).text


def test_token_of_another_review_is_refused(client, post_comment, review):
    other = ReviewFactory()
    response = post_comment(client, review, token=token_for(other), body="Wrong form.")
    assert response.status_code == 400
    assert dom.textarea_value(dom.page(response, status=None)) == "Wrong form."
    assert not Comment.objects.exists()


# --- the critic and staff -----------------------------------------------------------------


def test_review_author_and_staff_are_published_at_once_with_a_badge(
    client, post_comment, review, critic
):
    staff = UserFactory(username="mod", display_name="Site Moderator", is_staff=True)
    reader = UserFactory(username="newbie", display_name="New Reader")
    for user, body in (
        (critic, "The critic answers."),
        (staff, "Staff here."),
        (reader, "A reader's first."),
    ):
        signed_in = Client()
        signed_in.force_login(user)
        assert post_comment(signed_in, review, body=body).status_code == 302

    statuses = dict(Comment.objects.values_list("author_name", "status"))
    assert statuses == {
        "Mara Quill": "approved",
        "Site Moderator": "approved",
        "New Reader": "pending",
    }
    shown = {s.author: s for s in dom.shown_comments(view(Client(), review))}
    assert set(shown) == {"Mara Quill", "Site Moderator"}
    assert shown["Mara Quill"].badge == "Author"
    assert shown["Site Moderator"].badge == "Staff"


@pytest.mark.parametrize("name", ["Mara Quill", "  mara QUILL ", "Mara-Quill", "mara"])
def test_a_guest_may_not_use_the_critics_name(client, post_comment, approved_email, review, name):
    response = post_comment(
        client, review, author_name=name, author_email="ann@example.org", body="I am Mara."
    )
    assert response.status_code == 400
    root = dom.page(response, status=None)
    assert "belongs to someone who writes here" in root.text
    assert dom.textarea_value(root) == "I am Mara."  # nothing typed is lost
    assert not Comment.objects.filter(body="I am Mara.").exists()


# --- only approved comments are shown, counted and fed ----------------------------------------


def test_only_approved_comments_are_shown_counted_and_fed(client, review, make_comment):
    make_comment(review, "Approved one.")
    make_comment(review, "Approved two.")
    make_comment(review, "Held one.", status=Comment.Status.PENDING)
    make_comment(review, "Spam one.", status=Comment.Status.SPAM)
    make_comment(review, "Trashed one.", status=Comment.Status.TRASH)

    root = view(Client(), review)
    assert bodies(root) == {"Approved one.", "Approved two."}
    text = root.by_id("comments").text
    for hidden in ("Held one.", "Spam one.", "Trashed one."):
        assert hidden not in text
    assert dom.heading(root) == "2 comments"
    review.refresh_from_db()
    assert review.approved_comment_count == 2

    for url in (f"/reviews/{review.slug}/comments.atom", "/comments.atom"):
        feed = Client().get(url).content
        entries = ET.fromstring(feed).findall("{http://www.w3.org/2005/Atom}entry")  # noqa: S314
        assert len(entries) == 2
        for hidden in (b"Held one.", b"Spam one.", b"Trashed one."):
            assert hidden not in feed


def test_heading_counts_one_comment_in_the_singular(review, make_comment):
    make_comment(review, "Only one.")
    assert dom.heading(view(Client(), review)) == "1 comment"
