"""Replies from the fediverse become comments: placed under the review or the comment
they answer, re-fetched before trust, moderated like any comment, spoiler-shielded
from their content warning, edited and deleted only by their author."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import ReviewFactory, SeasonFactory, WorkFactory
from watchworthy.core.changes import start_new_batch
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import comment_moderate, comment_post
from watchworthy.fediverse.models import BlockedDomain, FederatedReview, RemoteComment
from watchworthy.spoilers.shield import Position

from .peer import SITE, RemotePerson

pytestmark = pytest.mark.usefixtures("federating")

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
def work():
    work = WorkFactory(title="Ferrylight", slug="ferrylight")
    SeasonFactory(work=work, number=1, label="Part 1", episode_count=12)
    SeasonFactory(work=work, number=2, label="Part 2", episode_count=12)
    return work


@pytest.fixture
def review(critic, work, django_capture_on_commit_callbacks):
    """A review of Part 2 that went out to the fediverse (its FederatedReview)."""
    with django_capture_on_commit_callbacks(execute=True):
        start_new_batch()
        review = ReviewFactory(
            author=critic,
            work=work,
            season=work.seasons.get(number=2),
            slug="ferrylight-part-2",
            title="Ferrylight, Part 2",
            body="A calm half.",
        )
    assert FederatedReview.objects.filter(review_pk=review.pk, state="public").exists()
    return review


@pytest.fixture
def alice(network) -> RemotePerson:
    person = RemotePerson(network).publish()
    network.documents[person.id] |= {
        "name": "Alice <b>Liddell</b>\n\u202e",
        "url": "https://peer.example/@alice",
    }
    return person


@pytest.fixture
def bob(network) -> RemotePerson:
    return RemotePerson(network, name="bob", key_number=1).publish()


def review_id(review) -> str:
    return f"{SITE}/objects/reviews/{review.pk}"


def note(person: RemotePerson, number: int, in_reply_to: str, content: str, **extra: Any):
    """A Note its server serves (``published=False``: one it does not)."""
    publish = extra.pop("published", True)
    obj = {
        "id": f"{person.id}/statuses/{number}",
        "type": "Note",
        "attributedTo": person.id,
        "inReplyTo": in_reply_to,
        "content": content,
        "to": [PUBLIC],
        **extra,
    }
    if publish:
        person.network.documents[obj["id"]] = obj
    return obj


def activity(person: RemotePerson, kind: str, obj: Any) -> dict[str, Any]:
    return {"id": f"{person.id}/activities/{kind}/{_id(obj)}", "type": kind,
            "actor": person.id, "object": obj}  # fmt: skip


def _id(obj: Any) -> str:
    return obj["id"] if isinstance(obj, dict) else obj


def send(post_signed, person, kind, obj):
    return post_signed("/inbox", person, activity(person, kind, obj))


def comment_of(obj) -> Comment:
    return RemoteComment.objects.select_related("comment").get(object_id=obj["id"]).comment


def test_a_reply_to_the_review_is_held_with_the_authors_name_handle_and_link(
    post_signed, network, alice, review
):
    reply = note(alice, 1, review_id(review), "<p>Lovely review!</p>")
    response = send(post_signed, alice, "Create", reply)
    assert response.status_code == 202, response.content
    comment = comment_of(reply)
    assert (comment.review, comment.parent, comment.status) == (review, None, "pending")
    assert comment.author_name == "Alice Liddell (@alice@peer.example)"
    assert comment.author_url == "https://peer.example/@alice"
    assert (comment.author_actor, comment.author_email) == (alice.id, "")
    assert comment.body_html == "<p>Lovely review!</p>"
    assert reply["id"] in [url for url, _ in network.fetches]  # fetched again by id

    page = Client().get(review.get_absolute_url()).content.decode()
    assert "Lovely review!" not in page
    comment_moderate(comments=[comment], status="approved")
    page = Client().get(review.get_absolute_url()).content.decode()
    assert "Lovely review!" in page and "@alice@peer.example" in page

    # Known now: the next reply from the same actor is published at once.
    second = note(alice, 2, review_id(review), "<p>And another thing.</p>")
    assert send(post_signed, alice, "Create", second).status_code == 202
    assert comment_of(second).status == "approved"
    # The same activity again changes nothing.
    assert send(post_signed, alice, "Create", second).status_code == 202
    assert Comment.objects.count() == 2


def test_replies_to_comments_nest_at_any_depth(post_signed, alice, bob, review):
    guest = comment_post(
        review=review, body="A guest's thought.", author_name="Ann", author_email="a@x.example"
    )
    comment_moderate(comments=[guest], status="approved")
    first = note(alice, 1, f"{SITE}/objects/comments/{guest.pk}", "<p>Agreed, Ann.</p>")
    assert send(post_signed, alice, "Create", first).status_code == 202
    comment_moderate(comments=[comment_of(first)], status="approved")
    deeper = note(bob, 1, first["id"], "<p>Not me.</p>")
    assert send(post_signed, bob, "Create", deeper).status_code == 202
    assert comment_of(first).parent == guest
    assert comment_of(deeper).parent == comment_of(first)
    assert comment_of(deeper).depth == 2


def test_a_reply_to_something_not_ours_or_not_public_is_ignored(post_signed, alice, review):
    held = comment_post(
        review=review, body="Waiting.", author_name="Ann", author_email="a@x.example"
    )
    for n, target in enumerate([
        "https://elsewhere.example/notes/1", f"{SITE}/objects/comments/{held.pk}",
        f"{SITE}/objects/reviews/{review.pk + 100}", f"{SITE}/objects/reviews/{review.pk}/2",
    ]):  # fmt: skip
        assert send(post_signed, alice, "Create", note(alice, n, target, "hi")).status_code == 202
    assert not RemoteComment.objects.exists()


def _set_progress(client: Client, work, value: str) -> Client:
    assert client.post(f"/works/{work.slug}/progress/", {"position": value}).status_code == 302
    return client


@pytest.mark.parametrize("warning", ["Part 2, ep 7", "Spoilers: Part 2, ep 7", "CW: S2E7"])
def test_a_scoped_content_warning_folds_the_comment_for_readers_behind_it(
    post_signed, alice, review, work, warning
):
    reply = note(alice, 1, review_id(review), "<p>Mio lives!</p>", summary=warning, sensitive=True)
    assert send(post_signed, alice, "Create", reply).status_code == 202
    comment = comment_of(reply)
    assert (comment.spoils_season, comment.spoils_episode) == (2, 7)
    comment_moderate(comments=[comment], status="approved")

    folded = "Spoils Part 2, ep 7 — show this comment"
    behind = _set_progress(Client(), work, "2:3").get(review.get_absolute_url()).content.decode()
    assert folded in behind
    past = _set_progress(Client(), work, "2:").get(review.get_absolute_url()).content.decode()
    assert folded not in past and "Mio lives!" in past


def test_an_unscoped_content_warning_wraps_the_body_in_a_spoiler_nobody_gets_opened(
    post_signed, alice, review, work
):
    reply = note(alice, 1, review_id(review), "<p>The ending.</p>", summary="<i>politics</i>")
    assert send(post_signed, alice, "Create", reply).status_code == 202
    comment = comment_of(reply)
    assert comment.spoils_season is None
    assert comment.body_html.startswith('<details class="spoiler"><summary>Spoiler: politics<')
    comment_moderate(comments=[comment], status="approved")
    page = _set_progress(Client(), work, "2:").get(review.get_absolute_url()).content.decode()
    start = page.index("Spoiler: politics")
    opening = page.rindex("<details", 0, start)
    assert "open" not in page[opening:start]


def test_update_and_delete_only_by_the_author(post_signed, network, alice, bob, review):
    reply = note(alice, 1, review_id(review), "<p>First take.</p>")
    send(post_signed, alice, "Create", reply)
    edited = {**reply, "content": "<p>Second take.</p>", "summary": "Part 2 ep 9"}
    network.documents[reply["id"]] = edited

    assert send(post_signed, bob, "Update", edited).status_code == 403
    assert comment_of(reply).body_html == "<p>First take.</p>"
    assert send(post_signed, alice, "Update", edited).status_code == 202
    comment = comment_of(reply)
    assert comment.body_html == "<p>Second take.</p>" and comment.was_edited
    assert (comment.spoils_season, comment.spoils_episode) == (2, 9)

    tombstone = {"id": reply["id"], "type": "Tombstone"}
    assert send(post_signed, bob, "Delete", tombstone).status_code == 403
    assert not comment_of(reply).is_removed
    assert send(post_signed, alice, "Delete", tombstone).status_code == 202
    assert comment_of(reply).is_removed
    # Deleted is deleted: a late Update does not bring it back.
    assert send(post_signed, alice, "Update", edited).status_code == 202
    assert comment_of(reply).is_removed


def test_forged_objects_are_refused(post_signed, network, alice, bob, review):
    # The server serves other words than the activity carried.
    forged = note(alice, 1, review_id(review), "<p>Buy now</p>")
    network.documents[forged["id"]] = {**forged, "content": "<p>Nice review.</p>"}
    assert send(post_signed, alice, "Create", forged).status_code == 400
    # The served Note belongs to someone else.
    theirs = note(alice, 2, review_id(review), "<p>Mine</p>")
    network.documents[theirs["id"]] = {**theirs, "attributedTo": bob.id}
    assert send(post_signed, alice, "Create", theirs).status_code == 400
    # Not served at all, or on another server than the signer's.
    unserved = note(alice, 3, review_id(review), "x", published=False)
    assert send(post_signed, alice, "Create", unserved).status_code == 400
    elsewhere = note(alice, 4, review_id(review), "x") | {"id": "https://other.example/n/4"}
    assert send(post_signed, alice, "Create", elsewhere).status_code == 400
    assert not Comment.objects.exists()


def test_hostile_html_is_sanitized(post_signed, alice, review):
    content = (
        '<script>alert(1)</script><p onclick="x()">hi <a href="javascript:alert(1)">x</a> '
        '<a href="https://peer.example/@bob" class="u-url mention">@bob</a>'
        '<img src="https://t.example/p.gif"><style>p{}</style></p>'
    )
    reply = note(alice, 1, review_id(review), content)
    assert send(post_signed, alice, "Create", reply).status_code == 202
    html = comment_of(reply).body_html
    for bad in ("<script", "onclick", "javascript:", "<img", "<style", "mention"):
        assert bad not in html
    assert (
        '<a href="https://peer.example/@bob" rel="nofollow ugc noopener">@bob</a>'
        in html.replace(' class=""', "")
    )


def test_moderation_rules_apply_per_actor(post_signed, settings, alice, review):
    settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "RATE_PER_EMAIL": (2, 60)}
    statuses = [
        send(
            post_signed, alice, "Create", note(alice, n, review_id(review), f"<p>{n}</p>")
        ).status_code
        for n in range(3)
    ]
    assert statuses == [202, 202, 429]
    assert RemoteComment.objects.count() == 2
    BlockedDomain.objects.create(domain="peer.example")
    blocked = note(alice, 9, review_id(review), "<p>again</p>")
    assert send(post_signed, alice, "Create", blocked).status_code == 403


AS_JSON = {"HTTP_ACCEPT": "application/activity+json"}


def test_a_critics_comment_is_a_note_whose_spoilers_stay_home(
    client, post_signed, alice, critic, review
):
    reply = note(alice, 1, review_id(review), "<p>Who was the broker?</p>")
    send(post_signed, alice, "Create", reply)
    remote = comment_of(reply)
    comment_moderate(comments=[remote], status="approved")
    answer = comment_post(
        review=review, user=critic, parent=remote,
        body="You will see.\n\n::: spoiler Part 2, episode 7\nWexcombe.\n:::",
    )  # fmt: skip
    scoped = comment_post(review=review, user=critic, body="Wexcombe again.", spoils=Position(2, 7))

    document = client.get(f"/objects/comments/{answer.pk}", **AS_JSON).json()
    assert document["type"] == "Note"
    assert document["id"] == f"{SITE}/objects/comments/{answer.pk}"
    assert document["attributedTo"] == f"{SITE}/actors/mira"
    assert document["inReplyTo"] == reply["id"]
    assert "You will see." in document["content"] and "Wexcombe" not in document["content"]
    assert (document["summary"], document["sensitive"]) == ("Spoilers", True)

    document = client.get(f"/objects/comments/{scoped.pk}", **AS_JSON).json()
    assert document["inReplyTo"] == review_id(review)
    assert (document["summary"], document["sensitive"]) == ("Spoilers: Part 2, ep 7", True)
    assert "Wexcombe" not in document["content"]

    browser = client.get(f"/objects/comments/{answer.pk}", HTTP_ACCEPT="text/html")
    assert browser.status_code == 302 and browser["Location"].endswith(f"/comments/{answer.pk}/")


def test_guests_and_remote_comments_are_not_served_as_notes(client, post_signed, alice, review):
    guest = comment_post(
        review=review, body="A guest's thought.", author_name="Ann", author_email="a@x.example"
    )
    comment_moderate(comments=[guest], status="approved")
    reply = note(alice, 1, review_id(review), "<p>Hi</p>")
    send(post_signed, alice, "Create", reply)
    comment_moderate(comments=[comment_of(reply)], status="approved")
    for pk in (guest.pk, comment_of(reply).pk, guest.pk + 1000):
        assert client.get(f"/objects/comments/{pk}", **AS_JSON).status_code == 404


def test_a_known_actors_reply_with_a_blocked_word_is_held(post_signed, alice, review):
    SiteSettings.objects.create(comment_blocklist="casino")
    first = note(alice, 1, review_id(review), "<p>Fine.</p>")
    send(post_signed, alice, "Create", first)
    comment_moderate(comments=[comment_of(first)], status="approved")
    casino = note(alice, 2, review_id(review), "<p>Try my CASINO</p>")
    send(post_signed, alice, "Create", casino)
    assert (comment_of(casino).status, comment_of(casino).moderation_reason) == (
        "pending", "contains a blocked word",
    )  # fmt: skip


def test_a_reply_in_an_episode_thread_stays_in_it_and_spoils_its_episode(
    post_signed, alice, review
):
    local = comment_post(
        review=review, body="Episode 3 talk.", author_name="Ann", author_email="a@x.example",
        episode=Position(2, 3),
    )  # fmt: skip
    comment_moderate(comments=[local], status="approved")
    reply = note(alice, 1, f"{SITE}/objects/comments/{local.pk}", "<p>Yes!</p>")
    send(post_signed, alice, "Create", reply)
    comment = comment_of(reply)
    assert comment.episode_thread == local.episode_thread is not None
    assert (comment.spoils_season, comment.spoils_episode) == (2, 3)


def test_a_comments_note_costs_five_queries_however_long_the_thread(
    client, django_assert_num_queries, critic, review
):
    answer = comment_post(review=review, user=critic, body="The first.")
    client.get(f"/objects/comments/{answer.pk}", **AS_JSON)  # warm the site-wide caches
    for scale in (1, 10):
        for n in range(scale):
            answer = comment_post(review=review, user=critic, body=f"Note {n}.", parent=answer)
        # whether it was sent (replies out), the comment (with its author's standing),
        # the review's record, the work's parts, the fediverse side of its conversation
        with django_assert_num_queries(5):
            response = client.get(f"/objects/comments/{answer.pk}", **AS_JSON)
        assert response.json()["inReplyTo"].endswith(f"/objects/comments/{answer.parent_id}")


def test_the_admin_shows_and_finds_a_reply_by_its_actor(admin_client, post_signed, alice, review):
    reply = note(alice, 1, review_id(review), "<p>Hello.</p>")
    send(post_signed, alice, "Create", reply)
    comment = comment_of(reply)
    page = admin_client.get(f"/admin/discussion/comment/{comment.pk}/change/")
    assert page.status_code == 200 and alice.id in page.content.decode()
    found = admin_client.get("/admin/discussion/comment/", {"q": "peer.example/users/alice"})
    assert "Alice Liddell" in found.content.decode()
