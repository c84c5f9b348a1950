# ruff: noqa: F811  (the fixtures of test_replies are imported by name)
"""Replies out: a critic's answers in threads with fediverse authors go to them as
Notes (Create, Update, Delete), mentioning them, spoilers kept back; guests' and
readers' comments never leave."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.factories import UserFactory
from watchworthy.core.changes import start_new_batch
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import (
    comment_edit,
    comment_moderate,
    comment_post,
    comment_remove,
)
from watchworthy.fediverse import httpsig, keys
from watchworthy.fediverse.models import BlockedDomain, FederatedComment, Follower
from watchworthy.spoilers.shield import Position

from .peer import SITE, Network
from .test_replies import comment_of, note, review_id, send

pytestmark = pytest.mark.usefixtures("federating")

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
MIRA = f"{SITE}/actors/mira"
SECRET = "Wexcombe"  # only ever inside spoilers
AS_JSON = {"HTTP_ACCEPT": "application/activity+json"}

# The fixtures ``work``, ``review``, ``alice`` and ``bob`` of test_replies.
from .test_replies import alice, bob, review, work  # noqa: E402, F401


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            start_new_batch()
            return action(*args, **kwargs)

    return run


@pytest.fixture
def alices_reply(post_signed, alice, review) -> Comment:
    """Alice's approved reply to the review (her Note is statuses/1)."""
    reply = note(alice, 1, review_id(review), "<p>Who was the broker?</p>")
    assert send(post_signed, alice, "Create", reply).status_code == 202
    comment = comment_of(reply)
    comment_moderate(comments=[comment], status="approved")
    return comment


def sent(network: Network, kind: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(inbox, activity) of what was delivered about comments (not the Accepts)."""
    return [
        (post.url, post.activity)
        for post in network.posts
        if "/objects/comments/" in post.activity["id"]
        and (kind is None or post.activity["type"] == kind)
    ]


def test_an_answer_to_a_remote_reply_goes_to_its_author_as_a_note(
    client, commit, django_assert_num_queries, network, alice, alices_reply, critic, review
):
    network.posts.clear()
    answer = commit(
        comment_post, review=review, user=critic, parent=alices_reply,
        body=f"You will see.\n\n::: spoiler Part 2, episode 7\n{SECRET}.\n:::",
    )  # fmt: skip
    [(inbox, create)] = sent(network)
    assert inbox == "https://peer.example/inbox"  # her server's shared inbox
    assert (create["type"], create["actor"]) == ("Create", MIRA)
    obj = create["object"]
    assert obj["id"] == f"{SITE}/objects/comments/{answer.pk}"
    assert obj["inReplyTo"] == f"{alice.id}/statuses/1"
    assert obj["to"] == create["to"] == [PUBLIC]
    assert obj["cc"] == create["cc"] == [f"{MIRA}/followers", alice.id]
    assert obj["tag"] == [{"type": "Mention", "href": alice.id, "name": "@alice@peer.example"}]
    assert obj["content"].startswith(
        '<p><a href="https://peer.example/@alice" rel="nofollow ugc noopener">'
        "@alice@peer.example</a></p>"
    )
    assert "You will see." in obj["content"] and SECRET not in obj["content"]
    assert (obj["summary"], obj["sensitive"]) == ("Spoilers", True)

    # Signed by the critic's key.
    [post] = [p for p in network.posts if p.activity["id"] == create["id"]]
    public = serialization.load_pem_public_key(keys.actor_for(critic).public_key_pem.encode())
    verified = httpsig.verify(
        method="POST", url=post.url, headers=post.headers, body=post.body,
        resolve=lambda key_id: public,
    )  # fmt: skip
    assert verified.key_id == f"{MIRA}#main-key"

    # The Note at its id is the one delivered: read from its record, one query.
    client.get(f"/objects/comments/{answer.pk}", **AS_JSON)  # warm the site-wide caches
    with django_assert_num_queries(1):
        served = client.get(f"/objects/comments/{answer.pk}", **AS_JSON).json()
    assert {k: v for k, v in served.items() if k != "@context"} == obj


def test_a_scoped_answer_carries_the_scope_as_its_content_warning(
    commit, network, alices_reply, critic, review
):
    network.posts.clear()
    commit(
        comment_post, review=review, user=critic, parent=alices_reply,
        body=f"{SECRET} again.", spoils=Position(2, 7),
    )  # fmt: skip
    [(_, create)] = sent(network)
    obj = create["object"]
    assert (obj["summary"], obj["sensitive"]) == ("Spoilers: Part 2, ep 7", True)
    assert SECRET not in obj["content"] and "Part 2, ep 7" in obj["content"]


def test_edit_sends_update_and_removal_sends_delete(
    client, commit, network, alices_reply, critic, review
):
    answer = commit(comment_post, review=review, user=critic, parent=alices_reply, body="Soon.")
    network.posts.clear()
    commit(comment_edit, comment=answer, body="Soon, I promise.")
    [(inbox, update)] = sent(network)
    assert update["type"] == "Update" and "Soon, I promise." in update["object"]["content"]
    assert update["object"]["updated"]
    # Saving without a change sends nothing.
    commit(Comment.objects.get(pk=answer.pk).save)
    assert len(sent(network)) == 1

    commit(comment_remove, comment=Comment.objects.get(pk=answer.pk))
    [(inbox, delete)] = sent(network, "Delete")
    assert inbox == "https://peer.example/inbox"
    assert delete["object"] == {"id": f"{SITE}/objects/comments/{answer.pk}", "type": "Tombstone"}
    assert FederatedComment.objects.get(comment_pk=answer.pk).state == "withdrawn"
    gone = client.get(f"/objects/comments/{answer.pk}", **AS_JSON)
    assert gone.status_code == 410 and gone.json()["type"] == "Tombstone"


def test_trash_and_deleting_the_row_send_delete(commit, network, alices_reply, critic, review):
    trashed = commit(comment_post, review=review, user=critic, parent=alices_reply, body="One.")
    deleted = commit(comment_post, review=review, user=critic, parent=alices_reply, body="Two.")
    network.posts.clear()
    commit(comment_moderate, comments=[trashed], status="trash")
    commit(Comment.objects.filter(pk=deleted.pk).delete)
    assert [a["object"]["id"] for _, a in sent(network, "Delete")] == [
        f"{SITE}/objects/comments/{trashed.pk}",
        f"{SITE}/objects/comments/{deleted.pk}",
    ]


def test_guests_readers_and_remote_free_threads_stay_home(
    commit, network, alices_reply, critic, review
):
    network.posts.clear()
    guest = commit(
        comment_post, review=review, parent=alices_reply, body="A guest's answer.",
        author_name="Ann", author_email="ann@example.org",
    )  # fmt: skip
    commit(comment_moderate, comments=[guest], status="approved")
    reader = UserFactory(username="reader")  # signed in, no published review: no actor
    commit(comment_post, review=review, user=reader, parent=alices_reply, body="Me too.")
    # The critic in a thread no fediverse author is in.
    commit(comment_post, review=review, user=critic, body="A note of my own.")
    assert sent(network) == []
    assert not FederatedComment.objects.exists()


def test_an_answer_anywhere_in_a_thread_with_a_remote_author_mentions_them(
    commit, post_signed, network, alice, bob, critic, review
):
    """Guest top-level; Alice answers the guest; the critic answers the guest too:
    Alice is in the thread, so she hears of it (and Bob, in another thread, not)."""
    guest = comment_post(
        review=review, body="A guest's thought.", author_name="Ann", author_email="a@x.example"
    )
    comment_moderate(comments=[guest], status="approved")
    hers = note(alice, 1, f"{SITE}/objects/comments/{guest.pk}", "<p>Agreed.</p>")
    send(post_signed, alice, "Create", hers)
    comment_moderate(comments=[comment_of(hers)], status="approved")
    his = note(bob, 1, review_id(review), "<p>Elsewhere.</p>")
    send(post_signed, bob, "Create", his)
    comment_moderate(comments=[comment_of(his)], status="approved")
    network.posts.clear()

    answer = commit(comment_post, review=review, user=critic, parent=guest, body="Thanks, Ann.")
    [(_, create)] = sent(network)
    assert create["object"]["inReplyTo"] == f"{SITE}/objects/comments/{guest.pk}"
    assert [tag["href"] for tag in create["object"]["tag"]] == [alice.id]
    assert answer.pk == FederatedComment.objects.get().comment_pk


def test_followers_get_it_too_and_blocked_servers_do_not(
    commit, network, alices_reply, critic, review
):
    Follower.objects.create(
        actor=keys.actor_for(critic), remote_actor="https://solo.example/carol",
        inbox="https://solo.example/carol/inbox", domain="solo.example",
    )  # fmt: skip
    network.posts.clear()
    commit(comment_post, review=review, user=critic, parent=alices_reply, body="Hello all.")
    assert sorted(inbox for inbox, _ in sent(network)) == [
        "https://peer.example/inbox", "https://solo.example/carol/inbox",
    ]  # fmt: skip
    BlockedDomain.objects.create(domain="peer.example")
    network.posts.clear()
    commit(comment_post, review=review, user=critic, parent=alices_reply, body="Again.")
    assert [inbox for inbox, _ in sent(network)] == ["https://solo.example/carol/inbox"]


def test_a_guest_comment_costs_two_queries_more_while_federating(
    commit, django_assert_num_queries, alices_reply, review
):
    """The receiver looks for critics' comments and for records among the changed
    ones; a guest's comment finds neither, and nothing else is asked (no transaction
    is opened)."""
    from watchworthy.fediverse.replies_out import federate_comments

    guest = comment_post(
        review=review, parent=alices_reply, body="Hi.", author_name="Ann", author_email="a@x.org"
    )
    with django_assert_num_queries(2):
        federate_comments([guest.pk])


def test_nothing_goes_out_while_federation_is_off(commit, network, alices_reply, critic, review):
    from watchworthy.fediverse.models import FederationSettings

    settings_row = FederationSettings.current()
    settings_row.enabled = False
    settings_row.save()
    network.posts.clear()
    commit(comment_post, review=review, user=critic, parent=alices_reply, body="Quiet.")
    assert sent(network) == [] and not FederatedComment.objects.exists()


def test_remote_people_are_remembered_with_their_inboxes(alices_reply):
    row = alices_reply.fediverse_note
    assert (row.handle, row.inbox, row.shared_inbox) == (
        "@alice@peer.example", "https://peer.example/users/alice/inbox",
        "https://peer.example/inbox",
    )  # fmt: skip
