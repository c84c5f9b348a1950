"""The inbox, through HTTP as another server sends: 401 for anything unverifiable,
403 for blocked servers, 202 for the rest; Follow stores a follower and delivers a
signed Accept; Undo removes it."""

from __future__ import annotations

import json
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from watchworthy.fediverse import delivery, httpsig, keys
from watchworthy.fediverse.models import BlockedDomain, Delivery, Follower

from .peer import SITE, RemotePerson, as_client_headers

pytestmark = pytest.mark.usefixtures("federating")

MIRA = f"{SITE}/actors/mira"


@pytest.mark.parametrize("format", ["cavage", "rfc9421"])
@pytest.mark.parametrize("path", ["/inbox", "/actors/mira/inbox"])
def test_follow_stores_the_follower_and_delivers_a_signed_accept(
    post_signed, critic, alice, network, format, path
):
    follow = alice.follow(MIRA)
    response = post_signed(path, alice, follow, format=format)
    assert response.status_code == 202, response.content

    follower = Follower.objects.get()
    assert follower.actor.user == critic
    assert follower.remote_actor == alice.id
    assert follower.inbox == alice.inbox
    assert follower.shared_inbox == "https://peer.example/inbox"
    assert follower.domain == "peer.example"
    assert follower.follow_activity == follow["id"]

    # The key was fetched with a fetch signed by our instance actor.
    url, fetch_headers = network.fetches[0]
    assert url == alice.id
    assert 'keyId="https://reviews.example/actor#main-key"' in fetch_headers["Signature"]

    [posted] = network.posts
    assert posted.url == alice.inbox
    accept = posted.activity
    assert accept["type"] == "Accept"
    assert accept["actor"] == MIRA
    assert accept["object"] == {
        "id": follow["id"], "type": "Follow", "actor": alice.id, "object": MIRA,
    }  # fmt: skip
    assert "as:sensitive" in json.dumps(accept["@context"])
    # Signed by the critic's key: verifiable with the public key of her actor document.
    public = keys.actor_for(critic).public_key_pem
    from cryptography.hazmat.primitives import serialization

    verified = httpsig.verify(
        method="POST",
        url=posted.url,
        headers=posted.headers,
        body=posted.body,
        resolve=lambda key_id: serialization.load_pem_public_key(public.encode()),
    )
    assert verified.key_id == f"{MIRA}#main-key"
    row = Delivery.objects.get()
    assert row.status == Delivery.Status.DELIVERED
    assert row.attempts == 1


def test_a_second_follow_is_not_a_second_follower(post_signed, critic, alice):
    post_signed("/inbox", alice, alice.follow(MIRA, 1))
    post_signed("/inbox", alice, alice.follow(MIRA, 2))
    assert Follower.objects.get().follow_activity.endswith("/follows/2")


@pytest.mark.parametrize("embedded", [True, False])
def test_undo_follow(post_signed, critic, alice, embedded):
    follow = alice.follow(MIRA)
    post_signed("/inbox", alice, follow)
    assert Follower.objects.count() == 1
    undo = {
        "id": f"{alice.id}/undo/1",
        "type": "Undo",
        "actor": alice.id,
        "object": follow if embedded else follow["id"],
    }
    assert post_signed("/inbox", alice, undo).status_code == 202
    assert not Follower.objects.exists()


def test_someone_else_cannot_undo_alices_follow(post_signed, critic, alice, network):
    follow = alice.follow(MIRA)
    post_signed("/inbox", alice, follow)
    bob = RemotePerson(network, name="bob", key_number=1).publish()
    undo = {"type": "Undo", "actor": bob.id, "object": follow}
    assert post_signed("/inbox", bob, undo).status_code == 202
    assert Follower.objects.count() == 1


def test_follow_of_someone_not_ours_is_accepted_and_ignored(post_signed, critic, alice, network):
    response = post_signed("/inbox", alice, alice.follow(f"{SITE}/actors/nobody"))
    assert response.status_code == 202
    assert not Follower.objects.exists()
    assert not network.posts


def test_unknown_types_are_accepted_and_ignored(post_signed, critic, alice, network):
    like = {"type": "Like", "actor": alice.id, "object": f"{SITE}/reviews/x/"}
    assert post_signed("/inbox", alice, like).status_code == 202
    assert not network.posts


# --- refused -------------------------------------------------------------------------


def test_unsigned_is_401(client, critic, alice):
    body = json.dumps(alice.follow(MIRA))
    response = client.post("/inbox", body, content_type="application/activity+json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Signature")
    assert not Follower.objects.exists()


def test_a_tampered_body_is_401(client, critic, alice):
    body = json.dumps(alice.follow(MIRA)).encode()
    headers = alice.cavage_headers("/inbox", body)
    forged = body.replace(b"follows/1", b"follows/2")
    response = client.post(
        "/inbox", forged, content_type="application/activity+json", **as_client_headers(headers)
    )
    assert response.status_code == 401


def test_signed_for_another_path_is_401(client, critic, alice):
    body = json.dumps(alice.follow(MIRA)).encode()
    headers = alice.cavage_headers("/actors/mira/inbox", body)
    response = client.post(
        "/inbox", body, content_type="application/activity+json", **as_client_headers(headers)
    )
    assert response.status_code == 401


def test_signed_for_another_host_is_401(client, critic, alice):
    body = json.dumps(alice.follow(MIRA)).encode()
    headers = alice.cavage_headers("/inbox", body, host="elsewhere.example")
    response = client.post(
        "/inbox", body, content_type="application/activity+json", **as_client_headers(headers)
    )
    assert response.status_code == 401


def test_a_stale_date_is_401(client, critic, alice):
    body = json.dumps(alice.follow(MIRA)).encode()
    headers = alice.cavage_headers("/inbox", body, when=timezone.now() - timedelta(hours=13))
    response = client.post(
        "/inbox", body, content_type="application/activity+json", **as_client_headers(headers)
    )
    assert response.status_code == 401


def test_an_actor_that_did_not_sign_is_401(post_signed, critic, alice, network):
    bob = RemotePerson(network, name="bob", key_number=1).publish()
    follow = bob.follow(MIRA)  # bob's activity, alice's signature
    assert post_signed("/inbox", alice, follow).status_code == 401
    assert not Follower.objects.exists()


def test_an_unreachable_key_is_401(post_signed, critic, network):
    ghost = RemotePerson(network, name="ghost")  # never published
    assert post_signed("/inbox", ghost, ghost.follow(MIRA)).status_code == 401


def test_a_rotated_key_is_fetched_again(post_signed, critic, alice, network):
    post_signed("/inbox", alice, alice.follow(MIRA, 1))
    alice.key_number = 1
    alice.publish()  # the cached key is now stale
    assert post_signed("/inbox", alice, alice.follow(MIRA, 2)).status_code == 202
    assert Follower.objects.get().follow_activity.endswith("/follows/2")


@pytest.mark.parametrize("blocked", ["peer.example", "example"])
def test_blocked_servers_are_403_before_any_fetch(post_signed, critic, alice, network, blocked):
    BlockedDomain.objects.create(domain=blocked.upper() + ".")
    assert post_signed("/inbox", alice, alice.follow(MIRA)).status_code == 403
    assert not network.fetches
    assert not Follower.objects.exists()


def test_a_signed_body_that_is_not_an_activity_is_400(post_signed, critic, alice):
    assert post_signed("/inbox", alice, b"not json").status_code == 400
    assert post_signed("/inbox", alice, [1, 2]).status_code == 400


def test_too_large_is_413(post_signed, critic, alice):
    huge = {"type": "Note", "actor": alice.id, "content": "x" * 300_000}
    assert post_signed("/inbox", alice, huge).status_code == 413


def test_the_inbox_takes_only_post(client, critic):
    assert client.get("/inbox").status_code == 405
    assert client.get("/actors/mira/inbox").status_code == 405
    assert (
        client.post("/actors/nobody/inbox", b"{}", content_type="application/json").status_code
        == 404
    )


# --- delivery retries ------------------------------------------------------------------------


def test_a_failed_delivery_is_retried_with_backoff(post_signed, critic, alice, network):
    network.inbox_status = 503
    post_signed("/inbox", alice, alice.follow(MIRA))
    row = Delivery.objects.get()
    assert row.status == Delivery.Status.PENDING
    assert row.attempts == 1
    assert "503" in row.last_error
    wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < wait <= timedelta(seconds=60)

    assert delivery.enqueue_due() == 0  # not due yet
    Delivery.objects.update(next_attempt_at=timezone.now())
    network.inbox_status = 202
    assert delivery.enqueue_due() == 1
    row.refresh_from_db()
    assert row.status == Delivery.Status.DELIVERED
    assert row.attempts == 2
    assert len(network.posts) == 2


def test_a_delivery_gives_up_after_the_last_attempt(post_signed, critic, alice, network):
    network.inbox_status = 500
    post_signed("/inbox", alice, alice.follow(MIRA))
    for _ in delivery.BACKOFF:
        Delivery.objects.update(next_attempt_at=timezone.now())
        delivery.enqueue_due()
    row = Delivery.objects.get()
    assert row.status == Delivery.Status.FAILED
    assert row.attempts == len(delivery.BACKOFF) + 1
    assert len(network.posts) == len(delivery.BACKOFF) + 1


def test_a_401_is_tried_at_once_in_the_other_format(post_signed, critic, alice, network):
    network.inbox_status = 401
    post_signed("/inbox", alice, alice.follow(MIRA))
    first, second = network.posts
    assert "Signature-Input" not in first.headers
    assert "Signature-Input" in second.headers
    assert second.headers["Content-Digest"].startswith("sha-256=:")


def test_rfc9421_first_when_configured(settings, post_signed, critic, alice, network):
    settings.WATCHWORTHY_FEDIVERSE_SIGNATURE = "rfc9421"
    post_signed("/inbox", alice, alice.follow(MIRA))
    [posted] = network.posts
    assert "Signature-Input" in posted.headers


def test_a_bad_signature_fetches_an_uncached_key_once(client, critic, alice, network):
    body = json.dumps(alice.follow(MIRA)).encode()
    headers = alice.cavage_headers("/inbox", body)
    headers["Date"] = format_datetime(timezone.now() - timedelta(minutes=1), usegmt=True)
    response = client.post(
        "/inbox", body, content_type="application/activity+json", **as_client_headers(headers)
    )
    assert response.status_code == 401
    assert [url for url, _ in network.fetches] == [alice.id]
