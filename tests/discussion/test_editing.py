"""A commenter may fix or delete their comment for 15 minutes, from the same browser
(guests) or account (signed-in readers). Nobody else can."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests import dom
from tests.factories import UserFactory
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.models import Comment

pytestmark = pytest.mark.django_db

CLOSED = "This comment can no longer be changed"


def edit_url(comment) -> str:
    return f"/comments/{comment.pk}/edit/"


def delete_url(comment) -> str:
    return f"/comments/{comment.pk}/delete/"


def reader_view(review) -> dom.Element:
    return dom.page(Client().get(review.get_absolute_url()))


@pytest.fixture
def posted(client, post_comment, approved_email, review):
    """Ann's comment, just published, posted from ``client``."""
    response = post_comment(client, review, body="Teh ferry scene was great.")
    assert response.status_code == 302
    comment = Comment.objects.get(body="Teh ferry scene was great.")
    assert comment.status == Comment.Status.APPROVED
    return comment


def age(comment, minutes: float) -> None:
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def assert_refused(response) -> None:
    assert response.status_code == 403
    root = dom.page(response, status=None)
    assert CLOSED in root.find("h1").text
    assert "15 minutes" in root.text


# --- guests ----------------------------------------------------------------------------


def test_guest_edits_from_the_same_browser_and_the_comment_says_edited(client, posted, review):
    own_page = dom.page(client.get(review.get_absolute_url()))
    assert own_page.by_id(posted.anchor).find("a", href=edit_url(posted)) is not None
    assert reader_view(review).find("a", href=edit_url(posted)) is None

    response = client.get(edit_url(posted))
    assert response.status_code == 200
    assert dom.textarea_value(dom.page(response)) == "Teh ferry scene was great."

    response = client.post(edit_url(posted), {"body": "The ferry scene was *great*."})
    assert response.status_code == 302
    assert response["Location"] == f"/comments/{posted.pk}/"  # its lasting address…
    landing = client.get(response["Location"])  # …which leads to its page and anchor
    assert landing["Location"] == f"{review.get_absolute_url()}#{posted.anchor}"

    shown = dom.shown_by_pk(reader_view(review))[posted.pk]
    assert shown.body == "The ferry scene was great."
    assert shown.element.find("div", cls="comment-body").find("em").text == "great"
    assert shown.edited
    assert shown.number == 1  # same comment, same number, same place
    posted.refresh_from_db()
    assert posted.edited_at is not None


def test_unedited_comments_are_not_marked_edited(posted, review):
    assert not dom.shown_by_pk(reader_view(review))[posted.pk].edited


def test_another_browser_gets_a_clear_403(posted):
    stranger = Client()
    assert_refused(stranger.get(edit_url(posted)))
    assert_refused(stranger.post(edit_url(posted), {"body": "Hijacked."}))
    assert_refused(stranger.post(delete_url(posted)))
    posted.refresh_from_db()
    assert posted.body == "Teh ferry scene was great." and not posted.is_removed


def test_editing_ends_after_fifteen_minutes(client, posted, review):
    age(posted, 14)
    assert client.get(edit_url(posted)).status_code == 200

    age(posted, 16)
    assert_refused(client.get(edit_url(posted)))
    assert_refused(client.post(edit_url(posted), {"body": "Too late."}))
    assert_refused(client.post(delete_url(posted)))
    posted.refresh_from_db()
    assert posted.body == "Teh ferry scene was great." and not posted.is_removed
    assert dom.page(client.get(review.get_absolute_url())).find("a", href=edit_url(posted)) is None


def test_edit_that_is_too_long_keeps_the_text(settings, client, posted):
    settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "MAX_LENGTH": 30}
    text = "This edit is much longer than thirty characters."
    response = client.post(edit_url(posted), {"body": text})
    assert response.status_code == 400
    root = dom.page(response, status=None)
    assert "up to 30 characters" in dom.field_errors(root, "id_body")
    assert dom.textarea_value(root) == text
    posted.refresh_from_db()
    assert posted.body == "Teh ferry scene was great."


# --- signed-in readers ----------------------------------------------------------------


def test_signed_in_reader_edits_their_own_from_any_browser(post_comment, review, critic):
    author_client = Client()
    author_client.force_login(critic)
    post_comment(author_client, review, body="First draft.")
    comment = Comment.objects.get(body="First draft.")

    elsewhere = Client()
    elsewhere.force_login(critic)
    assert elsewhere.post(edit_url(comment), {"body": "Second draft."}).status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Second draft." and comment.was_edited

    someone_else = Client()
    someone_else.force_login(UserFactory(username="other"))
    assert_refused(someone_else.post(edit_url(comment), {"body": "Not mine."}))


def test_a_guest_cookie_cannot_edit_a_signed_in_readers_comment(
    client, post_comment, review, critic
):
    client.force_login(critic)
    post_comment(client, review, body="Mine.")
    comment = Comment.objects.get(body="Mine.")
    client.logout()  # the same browser (and its cookie), no longer signed in
    assert_refused(client.get(edit_url(comment)))


# --- deleting --------------------------------------------------------------------------


def test_deleting_a_comment_with_replies_keeps_the_replies_under_a_note(
    client, posted, review, make_comment
):
    reply = make_comment(review, "I disagree.", parent=posted)
    make_comment(review, "Another thread.")
    assert dom.heading(reader_view(review)) == "3 comments"

    response = client.post(delete_url(posted), {"confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == f"{review.get_absolute_url()}#comments"

    root = reader_view(review)
    shown = dom.shown_by_pk(root)
    assert shown[posted.pk].removed
    placeholder = shown[posted.pk].element.direct("article")[0]
    assert placeholder.text == "This comment was deleted by its author."
    assert "Teh ferry scene" not in root.by_id("comments").text
    assert "Ann Reader" not in placeholder.text
    assert shown[reply.pk].parent_pk == posted.pk and shown[reply.pk].body == "I disagree."
    assert dom.heading(root) == "2 comments"
    review.refresh_from_db()
    assert review.approved_comment_count == 2


def test_deleting_a_comment_without_replies_removes_it(client, posted, review, make_comment):
    make_comment(review, "Another thread.")
    assert client.post(delete_url(posted), {"confirm": "yes"}).status_code == 302

    root = reader_view(review)
    assert posted.pk not in dom.shown_by_pk(root)
    assert "deleted by its author" not in root.text
    assert dom.heading(root) == "1 comment"
    # A deleted comment cannot be edited back.
    assert_refused(client.get(edit_url(posted)))


def test_delete_asks_first_and_only_a_confirmed_post_deletes(client, posted):
    # The edit page's "Delete this comment…" leads to a question, not a deletion.
    page = client.get(delete_url(posted))
    assert page.status_code == 200
    assert "Delete your comment?" in page.text
    assert 'name="confirm" value="yes"' in page.text
    # A POST without the confirmation (an old form, a stray click) asks again.
    again = client.post(delete_url(posted))
    assert again.status_code == 200 and "Delete your comment?" in again.text
    posted.refresh_from_db()
    assert not posted.is_removed
    assert client.post(delete_url(posted), {"confirm": "yes"}).status_code == 302
    posted.refresh_from_db()
    assert posted.is_removed


def test_an_edit_that_breaks_the_rules_is_held_again(client, posted, review):
    SiteSettings.objects.create(comment_blocklist="casino")
    text = "Best casino: https://a.example https://b.example https://c.example"
    assert client.post(edit_url(posted), {"body": text}).status_code == 302
    assert "casino" not in reader_view(review).by_id("comments").text
