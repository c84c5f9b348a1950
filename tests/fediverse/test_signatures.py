"""HTTP signatures with real keys: what one side signs, the other verifies with the
public key alone; anything changed on the way is refused."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from http_message_signatures import HTTPMessageVerifier, MappingKeyResolver, algorithms

from watchworthy.fediverse import httpsig
from watchworthy.fediverse.httpsig import CAVAGE, RFC9421, Headers, SignatureError

from .peer import RemotePerson, peer_key

URL = "https://reviews.example/inbox"
BODY = b'{"type":"Follow","actor":"https://peer.example/users/alice"}'
KEY_ID = "https://peer.example/users/alice#main-key"


def resolver_for(number=0):
    def resolve(key_id):
        assert key_id == KEY_ID
        return peer_key(number).public_key()

    return resolve


def signed(format, *, url=URL, body=BODY, now=None):
    return httpsig.sign(
        method="POST", url=url, body=body, key_id=KEY_ID, private_key=peer_key(), format=format,
        now=now,
    )  # fmt: skip


def check(headers, *, url=URL, body=BODY, number=0, method="POST", now=None):
    return httpsig.verify(
        method=method, url=url, headers=headers, body=body, resolve=resolver_for(number), now=now
    )


@pytest.mark.parametrize("format", [CAVAGE, RFC9421])
def test_round_trip(format):
    verified = check(signed(format))
    assert verified.key_id == KEY_ID
    assert verified.format == format


@pytest.mark.parametrize("format", [CAVAGE, RFC9421])
@pytest.mark.parametrize(
    "tamper",
    ["body", "path", "host", "method", "other key", "signature"],
)
def test_tampering_is_refused(format, tamper):
    headers = signed(format)
    kwargs = {}
    if tamper == "body":
        kwargs["body"] = BODY.replace(b"alice", b"mallory")
    elif tamper == "path":
        kwargs["url"] = "https://reviews.example/actors/mira/inbox"
    elif tamper == "host":
        kwargs["url"] = "https://other.example/inbox"
    elif tamper == "method":
        kwargs["method"] = "PUT"
    elif tamper == "other key":
        kwargs["number"] = 1
    else:
        name = "Signature"
        value = headers[name]
        flipped = "A" if value[-3] != "A" else "B"
        headers[name] = value[:-3] + flipped + value[-2:]
    with pytest.raises(SignatureError):
        check(headers, **kwargs)


def test_cavage_digest_header_must_match_body():
    headers = signed(CAVAGE)
    headers["Digest"] = "SHA-256=" + base64.b64encode(b"\0" * 32).decode()
    with pytest.raises(SignatureError, match="Digest"):
        check(headers)


def test_rfc9421_content_digest_must_match_body():
    headers = signed(RFC9421)
    assert headers["Content-Digest"].startswith("sha-256=:")
    with pytest.raises(SignatureError):
        check(headers, body=BODY + b" ")


@pytest.mark.parametrize(
    ("offset", "ok"),
    [(timedelta(hours=-11), True), (timedelta(minutes=50), True),
     (timedelta(hours=-13), False), (timedelta(hours=2), False)],
)  # fmt: skip
def test_cavage_date_window(offset, ok):
    now = datetime.now(UTC)
    headers = signed(CAVAGE, now=now + offset)
    if ok:
        check(headers, now=now)
    else:
        with pytest.raises(SignatureError, match="Date"):
            check(headers, now=now)


def test_cavage_must_cover_request_target_host_date_and_digest():
    key = peer_key()
    text = "date: Mon, 01 Dec 2026 10:00:00 GMT"
    signature = base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256()))
    headers = {
        "Date": "Mon, 01 Dec 2026 10:00:00 GMT",
        "Signature": f'keyId="{KEY_ID}",algorithm="rsa-sha256",headers="date",'
        f'signature="{signature.decode()}"',
    }
    with pytest.raises(SignatureError, match="cover"):
        check(headers)


def test_an_independent_cavage_signer_is_understood(network):
    """The peer's signature is built from the specification in tests/fediverse/peer.py."""
    person = RemotePerson(network)
    headers = person.cavage_headers("/inbox", BODY)
    assert check(headers).format == CAVAGE


def test_our_cavage_signing_string_is_the_specified_one():
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    headers = signed(CAVAGE, now=now)
    params = httpsig.cavage_params(headers)
    assert params["headers"] == "(request-target) host date digest"
    assert params["algorithm"] == "rsa-sha256"
    text = (
        "(request-target): post /inbox\nhost: reviews.example\n"
        "date: Tue, 01 Dec 2026 10:00:00 GMT\n"
        f"digest: {headers['Digest']}"
    )
    peer_key().public_key().verify(
        base64.b64decode(params["signature"]), text.encode(), padding.PKCS1v15(), hashes.SHA256()
    )


def test_our_rfc9421_signature_verifies_with_the_library_alone():
    headers = signed(RFC9421)

    @dataclass
    class Message:
        method: str
        url: str
        headers: Headers

    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.RSA_V1_5_SHA256,
        key_resolver=MappingKeyResolver(
            public_keys={KEY_ID: peer_key().public_key()}, private_keys={}
        ),
    )
    results = verifier.verify(Message("POST", URL, Headers(headers)), body=BODY)
    assert results[0].parameters["keyid"] == KEY_ID
    assert '"@target-uri"' in results[0].covered_components


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Signature": "garbage"},
        {"Signature": 'keyId="not-a-url",signature="x"'},
        {"Signature-Input": 'sig1=();keyid="https://peer.example/k"', "Signature": "sig1=:AA==:"},
        {"Signature-Input": "((((", "Signature": "sig1=:AA==:"},
        {"Authorization": 'Signature keyId="https://peer.example/k",signature="%%%"'},
    ],
)
def test_malformed_signatures_are_signature_errors(headers):
    with pytest.raises(SignatureError):
        check({"Date": "Tue, 01 Dec 2026 10:00:00 GMT", **headers})
