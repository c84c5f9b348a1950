"""A stand-in for the rest of the fediverse, in memory: remote actors with real RSA
keys whose documents our site fetches, and an inbox log of what it delivers.

``Network`` is what ``WATCHWORTHY_FEDIVERSE_TRANSPORT`` points to in these tests
(through ``current``); it answers GETs from ``documents`` and records every POST.
``RemotePerson`` signs requests to our inboxes the way another server would; its
draft-cavage signature is written here from the specification, independently of
``watchworthy.fediverse.httpsig``, and its RFC 9421 one by the library directly.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from http_message_signatures import HTTPMessageSigner, MappingKeyResolver, algorithms

from watchworthy.fediverse.httpsig import Headers
from watchworthy.fediverse.network import Response

SITE = "https://reviews.example"
_KEYS: list[rsa.RSAPrivateKey] = []


def peer_key(number: int = 0) -> rsa.RSAPrivateKey:
    """Keys made once per test session (RSA 2048 takes a moment to make)."""
    while len(_KEYS) <= number:
        _KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _KEYS[number]


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass
class Posted:
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def activity(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Network:
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: list[Posted] = field(default_factory=list)
    fetches: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    inbox_status: int = 202
    # A server that cannot verify one signature format answers a GET signed in it 401.
    refuses_fetches_signed_in: str = ""

    def get(self, url: str, headers: dict[str, str]) -> Response:
        self.fetches.append((url, headers))
        sent_format = "rfc9421" if "Signature-Input" in headers else "draft-cavage"
        if "Signature" in headers and sent_format == self.refuses_fetches_signed_in:
            return Response(status=401)
        document = self.documents.get(url)
        if document is None:
            return Response(status=404)
        return Response(status=200, body=json.dumps(document).encode())

    def post(self, url: str, headers: dict[str, str], body: bytes) -> Response:
        self.posts.append(Posted(url, dict(headers), body))
        return Response(status=self.inbox_status)


NETWORK = Network()


def current() -> Network:
    return NETWORK


@dataclass
class RemotePerson:
    network: Network
    name: str = "alice"
    host: str = "peer.example"
    key_number: int = 0

    @property
    def id(self) -> str:
        return f"https://{self.host}/users/{self.name}"

    @property
    def key_id(self) -> str:
        return f"{self.id}#main-key"

    @property
    def inbox(self) -> str:
        return f"{self.id}/inbox"

    @property
    def key(self) -> rsa.RSAPrivateKey:
        return peer_key(self.key_number)

    def publish(self) -> RemotePerson:
        self.network.documents[self.id] = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.id,
            "type": "Person",
            "preferredUsername": self.name,
            "inbox": self.inbox,
            "endpoints": {"sharedInbox": f"https://{self.host}/inbox"},
            "publicKey": {
                "id": self.key_id,
                "owner": self.id,
                "publicKeyPem": public_pem(self.key),
            },
        }
        return self

    def follow(self, target: str, number: int = 1) -> dict[str, Any]:
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{self.id}/follows/{number}",
            "type": "Follow",
            "actor": self.id,
            "object": target,
        }

    def cavage_headers(
        self, path: str, body: bytes, *, when: datetime | None = None, host: str = "reviews.example"
    ) -> dict[str, str]:
        """Headers signing POST ``path`` with ``(request-target) host date digest``."""
        date = format_datetime(when or datetime.now(UTC), usegmt=True)
        digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        text = f"(request-target): post {path}\nhost: {host}\ndate: {date}\ndigest: {digest}"
        signature = self.key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
        return {
            "Date": date,
            "Digest": digest,
            "Signature": (
                f'keyId="{self.key_id}",algorithm="rsa-sha256",'
                f'headers="(request-target) host date digest",'
                f'signature="{base64.b64encode(signature).decode()}"'
            ),
        }

    def rfc9421_headers(self, path: str, body: bytes) -> dict[str, str]:
        @dataclass
        class Message:
            method: str
            url: str
            headers: Headers

        message = Message(
            "POST", SITE + path, Headers({"Content-Type": "application/activity+json"})
        )
        signer = HTTPMessageSigner(
            signature_algorithm=algorithms.RSA_V1_5_SHA256,
            key_resolver=MappingKeyResolver(public_keys={}, private_keys={self.key_id: self.key}),
        )
        signer.sign(
            message,
            key_id=self.key_id,
            label="sig1",
            covered_component_ids=("@method", "@target-uri", "@authority"),
            body=body,
        )
        return dict(message.headers.items())


def as_client_headers(headers: dict[str, str]) -> dict[str, str]:
    """Headers as keyword arguments of Django's test client."""
    out = {}
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        out[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    return out
