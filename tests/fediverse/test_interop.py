"""Two-way federation with a real peer: Fedify 2.3.6 (``fedify_peer/peer.mjs``) on
loopback, the site served over TLS by Django's live server, both trusting one
throw-away CA. Nothing here is simulated: WebFinger, actor documents, keys,
signatures, deliveries and re-fetches all cross real HTTPS connections.

Alice, on the peer, follows the critic (the site sends a signed Accept), receives the
published review (``Create(Article)``: spoilers kept back, the scope as content
warning), replies with a content warning (held, then approved, folded as a spoiler),
gets the critic's answer (``Create(Note)`` in reply to hers, its spoiler kept back),
edits her reply (``Update``), deletes it (``Delete`` → tombstone) and unfollows
(``Undo(Follow)``). Once with each signature format: the site signs its deliveries in
it first and Fedify knocks with it first, and each side's logs show that nobody had to
fall back to the other. The site's own fallback has a test of its own.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import ReviewFactory, SeasonFactory, UserFactory, WorkFactory
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import comment_moderate, comment_post
from watchworthy.fediverse.models import (
    Delivery,
    FederatedReview,
    FederationSettings,
    Follower,
    RemoteComment,
)
from watchworthy.reviews.models import Review
from watchworthy.spoilers.shield import Position

from .interop import Peer, fedify_peer, make_certificates, node_or_skip, tls_live_server

pytestmark = pytest.mark.interop

# Fedify's names for the two formats, as its firstKnock option takes them.
KNOCK = {"rfc9421": "rfc9421", "draft-cavage": "draft-cavage-http-signatures-12"}
SECRET_BLOCK = "Wexcombe"  # words only ever inside spoilers
SECRET_INLINE = "Quillibrant"
SPOILING_BODY = (
    "The first half is calm.\n\n"
    f"::: spoiler Part 2, episode 7\n{SECRET_BLOCK} was the broker all along.\n:::\n\n"
    f"And then the levee: ||{SECRET_INLINE} drowns||."
)


@dataclass
class Federation:
    site: str
    peer: Peer
    critic: Any
    work: Any
    format: str
    follow: str = ""

    @property
    def mira(self) -> str:
        return f"{self.site}/actors/mira"

    @property
    def handle(self) -> str:
        return f"@mira@{self.site.removeprefix('https://')}"

    def get(self, path: str) -> str:
        """A page of the site, fetched over its TLS listener like a browser would."""
        with urllib.request.urlopen(  # noqa: S310 - https, the site's own address
            self.site + path, context=self.peer.context, timeout=10
        ) as answer:
            return answer.read().decode()


@contextmanager
def federating(settings, tmp_path, format: str, *, refuse: str = "") -> Iterator[Federation]:
    """The TLS site signing in ``format`` first and the peer knocking in it first (its
    inboxes answering ``refuse``-signed POSTs with 401); a critic with one review."""
    node = node_or_skip()
    certificates = make_certificates(tmp_path)
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.WATCHWORTHY_FEDIVERSE_TRANSPORT = "watchworthy.fediverse.network.HttpTransport"
    settings.WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE = True
    settings.WATCHWORTHY_FEDIVERSE_EXTRA_CA = certificates.ca
    settings.WATCHWORTHY_FEDIVERSE_SIGNATURE = format
    with (
        tls_live_server(certificates.server_context) as site,
        fedify_peer(
            node,
            certificates,
            knock=KNOCK[format],
            refuse=refuse,
            stderr_path=tmp_path / "peer.log",
        ) as peer,
    ):
        settings.WATCHWORTHY_SITE_URL = site
        FederationSettings.objects.create(enabled=True)
        critic = UserFactory(username="mira", display_name="Mira Okafor")
        work = WorkFactory(title="Ferrylight", slug="ferrylight")
        SeasonFactory(work=work, number=1, label="Part 1", episode_count=12)
        SeasonFactory(work=work, number=2, label="Part 2", episode_count=12)
        # An earlier review makes the critic an actor (with no followers yet).
        ReviewFactory(author=critic, work=work, season=work.seasons.get(number=1), slug="part-1")
        started = time.monotonic()
        yield Federation(site, peer, critic, work, format)
        print(f"interop ({format}): {time.monotonic() - started:.2f} s")


@pytest.fixture(params=["rfc9421", "draft-cavage"])
def federation(request, transactional_db, settings, tmp_path) -> Iterator[Federation]:
    with federating(settings, tmp_path, request.param) as fed:
        yield fed


def handled(peer: Peer, kind: str, object_type: str | None = None) -> list[dict[str, Any]]:
    return [
        entry
        for entry in peer.log()["handled"]
        if entry["type"] == kind and (object_type is None or entry["object"]["type"] == object_type)
    ]


def follow_and_publish(fed: Federation) -> Review:
    """Alice follows the critic; the critic publishes a review with spoilers."""
    answer = fed.peer.call("follow", handle=fed.handle)
    fed.follow = answer["follow"]
    assert answer["actor"] == fed.mira
    follower = Follower.objects.get(remote_actor=fed.peer.alice)
    assert follower.inbox == f"{fed.peer.alice}/inbox"
    assert follower.shared_inbox == f"{fed.peer.origin}/inbox"
    # Fedify verified the site's signed Accept and handed it to alice's listener.
    (accept,) = handled(fed.peer, "Accept")
    assert accept["actor"] == fed.mira
    assert accept["objectId"] == answer["follow"]

    review = ReviewFactory(
        author=fed.critic,
        work=fed.work,
        season=fed.work.seasons.get(number=2),
        slug="ferrylight-part-2",
        title="Ferrylight, Part 2",
        score=Decimal("8.5"),
        body=SPOILING_BODY,
    )
    (create,) = handled(fed.peer, "Create", "Article")
    article = create["object"]
    assert create["actor"] == fed.mira
    assert article["id"] == FederatedReview.objects.get(review_pk=review.pk).object_id
    assert article["name"] == "Ferrylight, Part 2"
    assert article["summary"] == "Spoilers: Part 2, ep 7"
    assert article["sensitive"] is True
    assert "The first half is calm." in article["content"]
    assert "Spoiler: Part 2, ep 7" in article["content"]
    return review


def reply(fed: Federation, review: Review) -> tuple[str, Comment]:
    """Alice answers the review with a content warning; the critic approves it."""
    article_id = FederatedReview.objects.get(review_pk=review.pk).object_id
    note = fed.peer.call(
        "reply",
        inReplyTo=article_id,
        to=fed.mira,
        mention=fed.handle,
        content="<p>The levee! I did not see that coming.</p>",
        summary="Spoilers: Part 2, ep 7",
    )["id"]
    comment = RemoteComment.objects.select_related("comment").get(object_id=note).comment
    assert comment.status == Comment.Status.PENDING  # a new voice is held first
    assert comment.review == review and comment.parent is None
    assert comment.author_actor == fed.peer.alice
    assert comment.author_name == "Alice Liddell (@alice@127.0.0.1)"
    assert comment.spoiler_scope == Position(2, 7)
    assert "I did not see that coming." in comment.body_html
    # The site fetched the Note again, signed: the peer serves Notes to signed requests only.
    fetches = [
        e for e in fed.peer.log()["served"] if e["path"] == note.removeprefix(fed.peer.origin)
    ]
    assert fetches and all(e["status"] == 200 and e["format"] != "none" for e in fetches)

    comment_moderate(comments=[comment], status=Comment.Status.APPROVED)
    comment.refresh_from_db()
    assert comment.is_public
    # A guest who has not reached Part 2, ep 7 gets it folded, from the TLS site.
    page = fed.get(review.get_absolute_url())
    assert "Spoils Part 2, ep 7 — show this comment" in page and "@alice@127.0.0.1" in page
    return note, comment


def assert_no_leak_and_one_format(fed: Federation) -> None:
    log = fed.peer.log()
    assert log["received"], "the peer received nothing"
    for entry in log["received"]:
        body = entry["body"].lower()
        assert SECRET_BLOCK.lower() not in body and SECRET_INLINE.lower() not in body
        # Delivered at the first try, in the format the site was told to use first.
        assert (entry["format"], entry["status"]) == (fed.format, 202), entry["path"]
    to_site = [e for e in log["sent"] if e["method"] == "POST" and e["url"].startswith(fed.site)]
    assert to_site, "the peer sent nothing to the site"
    for entry in to_site:
        # Fedify knocked in the format it was given first, and the site took it.
        assert (entry["format"], entry.get("status")) == (fed.format, 202), entry["url"]


def test_follow_publish_reply_answer_edit_delete(federation):
    fed = federation
    review = follow_and_publish(fed)
    note, comment = reply(fed, review)

    # The critic answers her (replies out): a Note in reply to hers, spoilers kept back.
    answer = comment_post(
        review=review,
        user=fed.critic,
        parent=comment,
        body=f"Nobody did. ||{SECRET_INLINE} drowns|| was planned from Part 1.",
    )
    assert answer.is_public
    (create,) = handled(fed.peer, "Create", "Note")
    sent = create["object"]
    assert create["actor"] == fed.mira and sent["attributedTo"] == fed.mira
    assert sent["inReplyTo"] == note
    assert "@alice" in sent["content"] and "Nobody did." in sent["content"]
    assert sent["sensitive"] is True and sent["summary"]

    fed.peer.call(
        "edit",
        id=note,
        content="<p>The levee! I did not see that coming. (Edited: nor the broker.)</p>",
        summary="Spoilers: Part 2, ep 7",
    )
    comment.refresh_from_db()
    assert "nor the broker" in comment.body_html
    assert comment.was_edited and comment.spoiler_scope == Position(2, 7)

    fed.peer.call("delete", id=note)
    comment.refresh_from_db()
    assert comment.is_removed  # a tombstone: the thread keeps its place

    fed.peer.call("unfollow", follow=fed.follow)
    assert not Follower.objects.filter(remote_actor=fed.peer.alice).exists()

    assert_no_leak_and_one_format(fed)


def test_a_peer_that_refuses_rfc9421_gets_the_accept_in_draft_cavage_at_once(
    transactional_db, settings, tmp_path
):
    """The site's double knock: RFC 9421 first, answered 401 by a server that knows
    only draft-cavage (Fedify behind a refusing door), then draft-cavage at once."""
    with federating(settings, tmp_path, "rfc9421", refuse="rfc9421") as fed:
        answer = fed.peer.call("follow", handle=fed.handle)
        (accept,) = handled(fed.peer, "Accept")
        assert accept["objectId"] == answer["follow"]
        knocks = [(e["format"], e["status"]) for e in fed.peer.log()["received"]]
        assert knocks == [("rfc9421", 401), ("draft-cavage", 202)]
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts) == (Delivery.Status.DELIVERED, 1)
