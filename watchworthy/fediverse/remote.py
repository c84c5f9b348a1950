"""Remote actors and their keys, fetched by id through the transport.

Fetches are signed by the instance actor in the site's signature format; a 401 gets
the same request signed in the other format, so servers with authorized fetch answer.
A key is kept in the cache for an hour; a signature that fails against a cached key is
checked once more against a fresh copy (the remote may have rotated it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache

from . import httpsig, identity, keys
from .models import BlockedDomain
from .network import NetworkError, fetch_json

KEY_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class RemoteKey:
    key_id: str
    owner: str
    pem: str

    def public_key(self) -> rsa.RSAPublicKey:
        try:
            key = serialization.load_pem_public_key(self.pem.encode())
        except (ValueError, TypeError) as error:
            raise httpsig.SignatureError("the published key is not a PEM public key") from error
        if not isinstance(key, rsa.RSAPublicKey):
            raise httpsig.SignatureError("only RSA keys are supported")
        return key


def domain_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def is_blocked(url_or_domain: str) -> bool:
    """Whether the server (or a parent domain of it) is blocked."""
    domain = domain_of(url_or_domain) if "/" in url_or_domain else url_or_domain.lower()
    if not domain:
        return True
    return BlockedDomain.objects.filter(domain__in=domain_and_parents(domain)).exists()


def domain_and_parents(domain: str) -> list[str]:
    """``a.b.example`` → ``a.b.example``, ``b.example``, ``example``: a block of any
    of them blocks it."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def signed_fetch(url: str) -> dict[str, Any]:
    """GET ``url`` signed by the instance actor, knocking twice as deliveries do."""
    private_key = keys.private_key(keys.instance_actor())
    key_id = identity.key_id(identity.instance_id())
    *first_tries, last = httpsig.formats_to_try()
    for format in first_tries:
        try:
            return fetch_json(url, _signed_get(url, key_id, private_key, format))
        except NetworkError as error:
            if error.status != 401:
                raise
    return fetch_json(url, _signed_get(url, key_id, private_key, last))


def _signed_get(
    url: str, key_id: str, private_key: rsa.RSAPrivateKey, format: str
) -> dict[str, str]:
    return httpsig.sign(
        method="GET", url=url, body=None, key_id=key_id, private_key=private_key, format=format
    )


def _cache_key(key_id: str) -> str:
    return "fediverse:key:" + hashlib.sha256(key_id.encode()).hexdigest()


def is_cached(key_id: str) -> bool:
    return isinstance(cache.get(_cache_key(key_id)), RemoteKey)


def _key_in(document: dict[str, Any], key_id: str) -> RemoteKey | None:
    """The key ``key_id`` in an actor document (``publicKey``, one or a list) or a key
    document of its own (with ``owner``)."""
    candidates: list[Any] = []
    if "publicKeyPem" in document:
        candidates.append(document)
    published = document.get("publicKey")
    candidates.extend(published if isinstance(published, list) else [published])
    for entry in candidates:
        if not isinstance(entry, dict) or entry.get("id") != key_id:
            continue
        owner, pem = entry.get("owner", document.get("id")), entry.get("publicKeyPem")
        if isinstance(owner, str) and isinstance(pem, str):
            return RemoteKey(key_id=key_id, owner=owner, pem=pem)
    return None


def fetch_key(key_id: str, *, fresh: bool = False) -> RemoteKey:
    """The key named ``key_id``, with the actor that owns it."""
    cached = None if fresh else cache.get(_cache_key(key_id))
    if isinstance(cached, RemoteKey):
        return cached
    url, _ = urldefrag(key_id)
    try:
        document = signed_fetch(url)
        key = _key_in(document, key_id)
        if key is not None and key.owner != document.get("id"):
            # A key document of its own: its owner must list it.
            owner = signed_fetch(key.owner)
            if _key_in(owner, key_id) is None:
                key = None
    except NetworkError as error:
        raise httpsig.SignatureError(f"cannot fetch the key: {error}") from error
    if key is None:
        raise httpsig.SignatureError("the key document does not hold that key")
    if domain_of(key.owner) != domain_of(key_id):
        raise httpsig.SignatureError("the key's owner is on another server")
    cache.set(_cache_key(key_id), key, KEY_CACHE_SECONDS)
    return key


@dataclass(frozen=True)
class RemoteActor:
    id: str
    inbox: str
    shared_inbox: str


def fetch_actor(actor_id: str) -> RemoteActor:
    document = signed_fetch(actor_id)
    inbox = document.get("inbox")
    endpoints = document.get("endpoints")
    shared = endpoints.get("sharedInbox") if isinstance(endpoints, dict) else None
    if document.get("id") != actor_id or not isinstance(inbox, str):
        raise NetworkError("not an actor document")
    if domain_of(inbox) != domain_of(actor_id):
        raise NetworkError("the actor's inbox is on another server")
    shared = shared if isinstance(shared, str) and domain_of(shared) == domain_of(actor_id) else ""
    return RemoteActor(id=actor_id, inbox=inbox, shared_inbox=shared)
