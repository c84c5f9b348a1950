"""WebFinger, NodeInfo, actor documents and collections, as a remote server sees them."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization

from tests.factories import ReviewFactory, UserFactory
from watchworthy.fediverse import jsonld, keys
from watchworthy.fediverse.models import FederationSettings, Follower, LocalActor
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.usefixtures("federating")

ACTIVITY = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def get_json(client, path, accept=ACTIVITY, **extra):
    response = client.get(path, HTTP_ACCEPT=accept, **extra)
    assert response.status_code == 200, response.content
    return response, json.loads(response.content)


# --- WebFinger ------------------------------------------------------------------------


def test_webfinger_finds_a_critic(client, critic):
    response, jrd = get_json(client, "/.well-known/webfinger?resource=acct:mira@reviews.example")
    assert response["Content-Type"] == "application/jrd+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert jrd["subject"] == "acct:mira@reviews.example"
    self_link = next(link for link in jrd["links"] if link["rel"] == "self")
    assert self_link == {
        "rel": "self",
        "type": "application/activity+json",
        "href": "https://reviews.example/actors/mira",
    }
    profile = next(link for link in jrd["links"] if "profile-page" in link["rel"])
    assert profile["href"] == "https://reviews.example/authors/mira/"


def test_webfinger_by_actor_address_and_for_the_instance(client, critic):
    _, jrd = get_json(client, "/.well-known/webfinger?resource=https://reviews.example/actors/mira")
    assert jrd["subject"] == "acct:mira@reviews.example"
    _, jrd = get_json(
        client, "/.well-known/webfinger?resource=acct:reviews.example@reviews.example"
    )
    assert jrd["links"][0]["href"] == "https://reviews.example/actor"


@pytest.mark.parametrize(
    "resource",
    [
        "acct:nobody@reviews.example",
        "acct:mira@elsewhere.example",
        "acct:reader@reviews.example",  # an account without a published review
        "acct:drafter@reviews.example",  # only a draft
        "https://reviews.example/actors/nobody",
        "https://elsewhere.example/actors/mira",
    ],
)
def test_webfinger_unknown_is_404(client, critic, resource):
    UserFactory(username="reader")
    ReviewFactory(author=UserFactory(username="drafter"), status=Review.Status.DRAFT)
    response = client.get("/.well-known/webfinger", {"resource": resource})
    assert response.status_code == 404


MALFORMED = ["", "?resource=", "?resource=mira", "?resource=acct:mira",
             "?resource=acct:@reviews.example", "?resource=mailto:x@y"]  # fmt: skip


@pytest.mark.parametrize("query", MALFORMED)
def test_webfinger_malformed_is_400(client, critic, query):
    response = client.get("/.well-known/webfinger" + query)
    assert response.status_code == 400


# --- NodeInfo ---------------------------------------------------------------------------


def test_nodeinfo(client, critic):
    ReviewFactory(author=critic)
    ReviewFactory(author=UserFactory(), status=Review.Status.DRAFT)
    _, index = get_json(client, "/.well-known/nodeinfo", accept="application/json")
    assert index["links"] == [
        {
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
            "href": "https://reviews.example/nodeinfo/2.1",
        }
    ]
    response, info = get_json(client, "/nodeinfo/2.1", accept="application/json")
    assert response["Content-Type"].startswith("application/json; profile=")
    assert info["version"] == "2.1"
    assert info["software"]["name"] == "watchworthy"
    assert info["software"]["version"]
    assert info["protocols"] == ["activitypub"]
    assert info["usage"] == {"users": {"total": 1}, "localPosts": 2}
    assert info["openRegistrations"] is False


# --- actors ------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [ACTIVITY, LD])
def test_actor_document(client, critic, accept):
    response, actor = get_json(client, "/actors/mira", accept=accept)
    assert response["Content-Type"] == (ACTIVITY if accept == ACTIVITY else LD)
    assert "Accept" in response["Vary"]
    assert actor["@context"][:2] == [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
    ]
    assert actor["@context"][2]["sensitive"] == "as:sensitive"
    assert actor["id"] == "https://reviews.example/actors/mira"
    assert actor["type"] == "Person"
    assert actor["preferredUsername"] == "mira"
    assert actor["name"] == "Mira Okafor"
    assert actor["inbox"] == "https://reviews.example/actors/mira/inbox"
    assert actor["outbox"] == "https://reviews.example/actors/mira/outbox"
    assert actor["followers"] == "https://reviews.example/actors/mira/followers"
    assert actor["endpoints"] == {"sharedInbox": "https://reviews.example/inbox"}
    assert actor["url"] == "https://reviews.example/authors/mira/"
    key = actor["publicKey"]
    assert key["id"] == "https://reviews.example/actors/mira#main-key"
    assert key["owner"] == actor["id"]
    assert serialization.load_pem_public_key(key["publicKeyPem"].encode()).key_size == 2048


def test_at_alias_serves_the_same_actor(client, critic):
    _, by_alias = get_json(client, "/@mira")
    _, by_id = get_json(client, "/actors/mira")
    assert by_alias == by_id


def test_a_browser_goes_to_the_author_page(client, critic):
    for path in ["/actors/mira", "/@mira"]:
        response = client.get(path, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
        assert response.status_code == 302
        assert response["Location"] == "/authors/mira/"


def test_addresses_never_come_from_the_host_header(client, critic):
    _, actor = get_json(client, "/actors/mira", HTTP_HOST="evil.example")
    _, jrd = get_json(
        client,
        "/.well-known/webfinger?resource=acct:mira@reviews.example",
        HTTP_HOST="evil.example",
    )
    assert "evil" not in json.dumps(actor) + json.dumps(jrd)
    response = client.get(
        "/.well-known/webfinger?resource=acct:mira@evil.example", HTTP_HOST="evil.example"
    )
    assert response.status_code == 404


def test_unknown_and_unpublished_actors_are_404(client, critic):
    ReviewFactory(author=UserFactory(username="drafter"), status=Review.Status.DRAFT)
    for path in ["/actors/nobody", "/actors/drafter", "/actors/drafter/outbox", "/@drafter"]:
        assert client.get(path, HTTP_ACCEPT=ACTIVITY).status_code == 404


def test_instance_actor(client, critic):
    _, actor = get_json(client, "/actor")
    assert actor["id"] == "https://reviews.example/actor"
    assert actor["type"] == "Application"
    assert actor["publicKey"]["owner"] == actor["id"]
    assert actor["publicKey"]["publicKeyPem"] == keys.instance_actor().public_key_pem


# --- keys ----------------------------------------------------------------------------------


def test_keys_are_made_once_and_kept(client, critic):
    _, first = get_json(client, "/actors/mira")
    _, again = get_json(client, "/actors/mira")
    assert first["publicKey"] == again["publicKey"]
    assert LocalActor.objects.filter(user=critic).count() == 1
    stored = LocalActor.objects.get(user=critic)
    pem = bytes(stored.private_key_encrypted)
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(TypeError):  # encrypted: no password, no key
        serialization.load_pem_private_key(pem, password=None)
    private = keys.private_key(stored)
    assert (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
        == first["publicKey"]["publicKeyPem"]
    )


def test_a_rotated_secret_still_opens_the_key(settings, critic):
    actor = keys.actor_for(critic)
    public = actor.public_key_pem
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-" + "x" * 50, [old]
    keys.private_key(actor)
    assert LocalActor.objects.get(pk=actor.pk).public_key_pem == public
    settings.SECRET_KEY_FALLBACKS = []  # the old secret is gone: a new pair is made
    keys.private_key(actor)
    assert LocalActor.objects.get(pk=actor.pk).public_key_pem != public


# --- collections -----------------------------------------------------------------------------


def test_followers_collection_is_paged(client, critic):
    actor = keys.actor_for(critic)
    for n in range(53):
        Follower.objects.create(
            actor=actor,
            remote_actor=f"https://peer.example/users/u{n}",
            inbox=f"https://peer.example/users/u{n}/inbox",
            domain="peer.example",
        )
    _, summary = get_json(client, "/actors/mira/followers")
    assert summary == {
        "@context": jsonld.CONTEXT,
        "id": "https://reviews.example/actors/mira/followers",
        "type": "OrderedCollection",
        "totalItems": 53,
        "first": "https://reviews.example/actors/mira/followers?page=1",
    }
    _, first = get_json(client, "/actors/mira/followers?page=1")
    assert first["type"] == "OrderedCollectionPage"
    assert len(first["orderedItems"]) == 50
    assert first["orderedItems"][0] == "https://peer.example/users/u52"  # newest first
    assert first["next"].endswith("?page=2")
    _, second = get_json(client, "/actors/mira/followers?page=2")
    assert len(second["orderedItems"]) == 3
    assert "next" not in second
    for bad in ["0", "3", "x", "1e3", "٣"]:
        assert client.get(f"/actors/mira/followers?page={bad}").status_code == 404


def test_outbox_is_an_ordered_collection(client, critic):
    _, outbox = get_json(client, "/actors/mira/outbox")
    assert outbox["type"] == "OrderedCollection"
    assert outbox["totalItems"] == 0
    _, page = get_json(client, "/actors/mira/outbox?page=1")
    assert page["orderedItems"] == []


def test_json_ld_contexts_are_bundled_never_fetched():
    document = jsonld.load_document("https://www.w3.org/ns/activitystreams")["document"]
    assert document["@context"]["Follow"] == "as:Follow"
    security = jsonld.load_document("https://w3id.org/security/v1")["document"]
    assert security["@context"]["publicKeyPem"] == "sec:publicKeyPem"
    with pytest.raises(jsonld.ContextNotBundled):
        jsonld.load_document("https://example.com/some/context")


# --- the setting off -------------------------------------------------------------------------


def test_everything_is_404_when_the_site_does_not_federate(client, critic):
    settings_row = FederationSettings.objects.get()
    settings_row.enabled = False
    settings_row.save()
    for path in [
        "/.well-known/webfinger?resource=acct:mira@reviews.example",
        "/.well-known/nodeinfo",
        "/nodeinfo/2.1",
        "/actors/mira",
        "/@mira",
        "/actor",
        "/actors/mira/outbox",
        "/actors/mira/followers",
    ]:
        assert client.get(path, HTTP_ACCEPT=ACTIVITY).status_code == 404, path
    for path in ["/inbox", "/actors/mira/inbox"]:
        assert client.post(path, b"{}", content_type=ACTIVITY).status_code == 404
    assert not LocalActor.objects.exists()
