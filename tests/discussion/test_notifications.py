"""E-mail about comments: the critic hears of every new comment; a commenter who asks
(and confirms) hears of replies, and can stop that with one click."""

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from tests import dom
from tests.discussion.conftest import local
from tests.factories import UserFactory
from watchworthy.discussion.models import AuthorNotice, Comment, VerifiedAddress
from watchworthy.discussion.notifications import make_token, send_digests
from watchworthy.discussion.services import comment_moderate

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")
CONFIRM = re.compile(r"https?://\S+/comments/notify/confirm/\S+")
STOP = re.compile(r"https?://\S+/comments/notify/stop/\S+")


@pytest.fixture
def send(django_capture_on_commit_callbacks, mailoutbox):
    """Run ``action`` as its own request/transaction would, side effects included;
    return the mails it sent."""

    def run(action, *args, **kwargs):
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = action(*args, **kwargs)
        if hasattr(result, "status_code"):
            assert result.status_code in (200, 302), result.status_code
        return mailoutbox[before:]

    return run


def to(mails, address: str) -> list:
    return [mail for mail in mails if mail.to == [address]]


def only_link(pattern, mail) -> str:
    (link,) = pattern.findall(mail.body)
    return link


@pytest.fixture
def ann(review, make_comment):
    """Ann is a known commenter (approved before, address confirmed): her comments are
    published at once."""
    make_comment(review, "Ann's earlier comment.", name="Ann Reader", email="ann@example.org")
    VerifiedAddress.verify("ann@example.org")


@pytest.fixture
def bo(review, make_comment):
    make_comment(review, "Bo's earlier comment.", name="Bo", email="bo@example.org")
    VerifiedAddress.verify("bo@example.org")


# --- the critic -------------------------------------------------------------------------


def test_review_author_is_told_of_every_new_comment_and_of_held_ones_as_held(
    send, client, post_comment, review, ann
):
    mails = send(
        post_comment,
        Client(),
        review,
        body="A newcomer writes here.",
        author_name="Noa",
        author_email="noa@example.org",
    )
    (held,) = to(mails, "mara@example.org")
    assert held.subject == "[held] New comment on “Ferrylight, Part 1”"
    assert "waiting for your approval (first comment from this address)" in held.body
    assert "A newcomer writes here." in held.body
    assert local(only_link(LINK, held)) == "/moderation/"

    mails = send(post_comment, client, review, body="Ann writes *new* words.")
    (published,) = to(mails, "mara@example.org")
    assert published.subject == "New comment on “Ferrylight, Part 1”"
    assert "Ann Reader commented" in published.body
    assert "Ann writes new words." in published.body
    comment = Comment.objects.get(body="Ann writes *new* words.")
    assert local(only_link(LINK, published)) == f"/comments/{comment.pk}/"


def test_review_author_is_not_mailed_about_their_own_comment(send, post_comment, review, critic):
    author = Client()
    author.force_login(critic)
    assert send(post_comment, author, review, body="Thanks for reading.") == []


def test_spam_sends_no_mail(send, post_comment, review, ann):
    assert send(post_comment, Client(), review, homepage="https://spam.example") == []
    assert send(post_comment, Client(), review, token_age=0) == []
    assert Comment.objects.filter(status=Comment.Status.SPAM).count() == 2


# --- reply notifications, double opt-in ---------------------------------------------------------


def test_reply_notifications_need_confirming_and_stop_with_one_click(
    send, client, post_comment, review, bo
):
    # Noa's first comment, asking for reply mails: held, and a confirmation mail is sent.
    noa = Client()
    mails = send(
        post_comment,
        noa,
        review,
        body="Does anyone else love the ferry?",
        author_name="Noa",
        author_email="noa@example.org",
        notify_replies="on",
    )
    (confirm_mail,) = to(mails, "noa@example.org")
    assert confirm_mail.subject == "Confirm reply notifications for “Ferrylight, Part 1”"
    confirm_link = local(only_link(CONFIRM, confirm_mail))
    noa_comment = Comment.objects.get(author_email="noa@example.org")
    assert noa_comment.notify_replies and not noa_comment.notify_confirmed
    send(comment_moderate, comments=[noa_comment], status=Comment.Status.APPROVED)

    # Before confirming: a reply mails the critic only.
    mails = send(
        post_comment,
        Client(),
        review,
        body="Yes, the ferry!",
        author_name="Bo",
        author_email="bo@example.org",
        parent=noa_comment.pk,
    )
    assert to(mails, "noa@example.org") == []
    assert len(to(mails, "mara@example.org")) == 1

    # Confirming.
    response = noa.get(confirm_link)
    assert response.status_code == 200
    assert "Reply notifications are on" in dom.page(response).find("h1").text

    # Now a published reply is mailed, with its text and a way to stop.
    mails = send(
        post_comment,
        Client(),
        review,
        body="The ferry is **the** best part.",
        author_name="Bo",
        author_email="bo@example.org",
        parent=noa_comment.pk,
    )
    (reply_mail,) = to(mails, "noa@example.org")
    reply = Comment.objects.get(body="The ferry is **the** best part.")
    assert reply_mail.subject == "Bo replied to you on “Ferrylight, Part 1”"
    assert "The ferry is the best part." in reply_mail.body
    assert f"/comments/{reply.pk}/" in reply_mail.body
    stop_link = only_link(STOP, reply_mail)
    assert reply_mail.extra_headers["List-Unsubscribe"] == f"<{stop_link}>"
    assert reply_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert reply_mail.message()["List-Unsubscribe"] == f"<{stop_link}>"

    # A held reply is mailed only once a moderator approves it.
    mails = send(
        post_comment,
        Client(),
        review,
        body="Newcomer replying.",
        author_name="Eve",
        author_email="eve@example.org",
        parent=noa_comment.pk,
    )
    assert to(mails, "noa@example.org") == []
    held_reply = Comment.objects.get(body="Newcomer replying.")
    mails = send(comment_moderate, comments=[held_reply], status=Comment.Status.APPROVED)
    (approved_mail,) = to(mails, "noa@example.org")
    assert "Newcomer replying." in approved_mail.body

    # One click stops them.
    response = Client().get(local(stop_link))
    assert response.status_code == 200
    assert "You will get no more reply mails" in dom.page(response).find("h1").text
    mails = send(
        post_comment,
        Client(),
        review,
        body="Anyone there?",
        author_name="Bo",
        author_email="bo@example.org",
        parent=noa_comment.pk,
    )
    assert to(mails, "noa@example.org") == []


def test_replies_that_are_not_published_are_not_mailed(
    send, post_comment, review, ann, make_comment
):
    parent = make_comment(
        review, "Subscribed.", name="Sub", email="sub@example.org", notify_replies=True
    )
    Comment.objects.filter(pk=parent.pk).update(notify_confirmed=True)
    mails = send(post_comment, Client(), review, body="Spam reply.", homepage="x", parent=parent.pk)
    assert mails == []
    spam = Comment.objects.get(body="Spam reply.")
    mails = send(comment_moderate, comments=[spam], status=Comment.Status.TRASH)
    assert mails == []


def test_no_mail_for_replying_to_your_own_comment(send, client, post_comment, review, ann):
    mails = send(post_comment, client, review, body="My comment.", notify_replies="on")
    (confirm_mail,) = to(mails, "ann@example.org")
    assert client.get(local(only_link(CONFIRM, confirm_mail))).status_code == 200
    mine = Comment.objects.get(body="My comment.")
    mine.refresh_from_db()
    assert mine.notify_replies and mine.notify_confirmed

    mails = send(
        post_comment,
        client,
        review,
        body="Adding to my own comment.",
        parent=mine.pk,
        author_email="ANN@example.org",
    )
    assert Comment.objects.get(body="Adding to my own comment.").is_public
    assert [mail.to for mail in mails] == [["mara@example.org"]]


def test_signed_in_reader_needs_no_confirmation(send, post_comment, review, bo):
    reader = UserFactory(username="mika", display_name="Mika", email="mika@example.org")
    signed_in = Client()
    signed_in.force_login(reader)
    mails = send(post_comment, signed_in, review, body="Signed-in comment.", notify_replies="on")
    assert to(mails, "mika@example.org") == []
    comment = Comment.objects.get(body="Signed-in comment.")
    send(comment_moderate, comments=[comment], status=Comment.Status.APPROVED)

    mails = send(
        post_comment,
        Client(),
        review,
        body="Hello Mika.",
        author_name="Bo",
        author_email="bo@example.org",
        parent=comment.pk,
    )
    (mail,) = to(mails, "mika@example.org")
    assert "Hello Mika." in mail.body


# --- links that do not work ------------------------------------------------------------------


def assert_link_does_not_work(response) -> None:
    assert response.status_code == 400
    assert "This link does not work" in dom.page(response, status=None).find("h1").text


@pytest.fixture
def subscribed(review, make_comment):
    comment = make_comment(review, "Subscribed.", email="sub@example.org", notify_replies=True)
    Comment.objects.filter(pk=comment.pk).update(notify_confirmed=True)
    return comment


def test_tampered_links_do_not_work(client, subscribed):
    confirm = make_token(subscribed.pk, "confirm")
    stop = make_token(subscribed.pk, "unsubscribe")
    for kind, token in (("confirm", confirm), ("stop", stop)):
        tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
        assert_link_does_not_work(client.get(f"/comments/notify/{kind}/{tampered}/"))
        assert_link_does_not_work(client.get(f"/comments/notify/{kind}/not-a-token/"))
    other_id = make_token(subscribed.pk + 1000, "unsubscribe")
    assert_link_does_not_work(client.get(f"/comments/notify/stop/{other_id}/"))
    subscribed.refresh_from_db()
    assert subscribed.notify_replies and subscribed.notify_confirmed


def test_a_confirmation_link_cannot_unsubscribe_and_vice_versa(client, subscribed):
    confirm = make_token(subscribed.pk, "confirm")
    stop = make_token(subscribed.pk, "unsubscribe")
    assert_link_does_not_work(client.get(f"/comments/notify/stop/{confirm}/"))
    subscribed.refresh_from_db()
    assert subscribed.notify_replies

    Comment.objects.filter(pk=subscribed.pk).update(notify_replies=False, notify_confirmed=False)
    assert_link_does_not_work(client.get(f"/comments/notify/confirm/{stop}/"))
    subscribed.refresh_from_db()
    assert not subscribed.notify_replies and not subscribed.notify_confirmed


def test_confirmation_links_expire_after_seven_days(client, review, make_comment):
    comment = make_comment(review, "Wants mail.", email="w@example.org", notify_replies=True)
    with mock.patch("time.time", return_value=time.time() - 8 * 24 * 3600):
        old = make_token(comment.pk, "confirm")
    assert_link_does_not_work(client.get(f"/comments/notify/confirm/{old}/"))
    comment.refresh_from_db()
    assert not comment.notify_confirmed


def test_one_click_unsubscribe_from_the_mail_client(subscribed):
    mail_client = Client(enforce_csrf_checks=True)
    stop = make_token(subscribed.pk, "unsubscribe")
    response = mail_client.post(f"/comments/notify/stop/{stop}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscribed.refresh_from_db()
    assert not subscribed.notify_replies


# --- where the links point ----------------------------------------------------------------


def test_mail_links_point_at_the_address_the_comment_was_posted_to(
    send, settings, post_comment, review, bo, critic
):
    """Not at WATCHWORTHY_SITE_URL: a site served on another host or port still mails
    links that work."""
    settings.ALLOWED_HOSTS = ["example.test"]
    settings.WATCHWORTHY_SITE_URL = "http://127.0.0.1:8000"
    there = Client(HTTP_HOST="example.test:8123")

    mails = send(
        post_comment,
        there,
        review,
        body="Posted on another host.",
        author_name="Noa",
        author_email="noa@example.org",
        notify_replies="on",
    )

    (critic_mail,) = to(mails, "mara@example.org")
    (confirm_mail,) = to(mails, "noa@example.org")
    for mail in (critic_mail, confirm_mail):
        links = LINK.findall(mail.body)
        assert links and all(link.startswith("http://example.test:8123/") for link in links)
    there.get(local(only_link(CONFIRM, confirm_mail)))

    # A moderator approving it from that host: the reply mails point there too.
    noa_comment = Comment.objects.get(author_email="noa@example.org")
    moderator = Client(HTTP_HOST="example.test:8123")
    critic.is_staff = True
    critic.save()
    moderator.force_login(critic)
    send(moderator.post, "/moderation/", {"action": "approve", "comment": noa_comment.pk})
    mails = send(post_comment, there, review, body="A reply.", author_name="Bo",
                 author_email="bo@example.org", parent=noa_comment.pk)  # fmt: skip
    (reply_mail,) = to(mails, "noa@example.org")
    assert only_link(STOP, reply_mail).startswith("http://example.test:8123/comments/notify/stop/")


def test_mail_sent_with_no_request_uses_the_configured_site_address(
    settings, review, make_comment, mailoutbox
):
    settings.WATCHWORTHY_SITE_URL = "https://reviews.example.org/"
    make_comment(review, "Gathered for the digest.", name="Noa", email="noa@example.org",
                 send_notifications=False)  # fmt: skip
    comment = Comment.objects.get(body="Gathered for the digest.")
    AuthorNotice.objects.create(author=review.author, comment=comment)

    assert send_digests(timezone.now() + timedelta(days=2)) == 1
    (digest,) = mailoutbox
    assert f"https://reviews.example.org/comments/{comment.pk}/" in digest.body
