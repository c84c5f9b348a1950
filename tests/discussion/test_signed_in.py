"""Signed-in readers comment without typing a name or e-mail: their account's display
name is shown, and what they might send in those fields is ignored."""

import pytest
from django.test import Client

from tests import dom
from tests.factories import UserFactory
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import comment_moderate

pytestmark = pytest.mark.django_db


@pytest.fixture
def mika(db):
    return UserFactory(username="mika", display_name="Mika R.", email="mika@example.org")


@pytest.fixture
def signed_in(mika):
    client = Client()
    client.force_login(mika)
    return client


def test_form_asks_a_signed_in_reader_only_for_the_comment(signed_in, review):
    root = dom.page(signed_in.get(review.get_absolute_url()))
    form = dom.comment_form(root)
    for name in ("author_name", "author_email", "author_url"):
        assert form.find("input", name=name) is None, name
    assert form.find("textarea", name="body") is not None
    assert "Commenting as Mika R." in form.text


def test_signed_in_reader_posts_with_their_display_name(signed_in, post_comment, review, mika):
    response = post_comment(
        signed_in, review, body="Logged-in thoughts.", author_name=None, author_email=None
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.user, comment.author_name, comment.author_email) == (
        mika,
        "Mika R.",
        "mika@example.org",
    )
    # Their first comment waits like anyone's, and they see it marked.
    (own,) = dom.shown_comments(dom.page(signed_in.get(review.get_absolute_url())))
    assert own.held and own.author == "Mika R."

    comment_moderate(comments=[comment], status=Comment.Status.APPROVED)
    (public,) = dom.shown_comments(dom.page(Client().get(review.get_absolute_url())))
    assert public.author == "Mika R." and public.body == "Logged-in thoughts."
    assert public.badge == ""  # a reader, not the critic or staff

    # Known now: the next one is published at once.
    post_comment(signed_in, review, body="Second thoughts.", author_name=None, author_email=None)
    assert Comment.objects.get(body="Second thoughts.").status == Comment.Status.APPROVED


def test_name_and_email_sent_by_a_signed_in_reader_are_ignored(
    signed_in, post_comment, review, mika
):
    post_comment(
        signed_in,
        review,
        body="Pretending.",
        author_name="Mara Quill",
        author_email="mara@example.org",
        author_url="https://evil.example",
    )
    comment = Comment.objects.get()
    assert comment.author_name == "Mika R."
    assert comment.author_email == "mika@example.org"
    assert comment.author_url == ""
    assert comment.user == mika


def test_display_name_falls_back_to_the_username(post_comment, review):
    user = UserFactory(username="plainuser", display_name="", email="plain@example.org")
    client = Client()
    client.force_login(user)
    post_comment(client, review, body="No display name.", author_name=None, author_email=None)
    assert Comment.objects.get().author_name == "plainuser"
