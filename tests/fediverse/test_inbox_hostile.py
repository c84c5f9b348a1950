"""No input gives a fediverse address a 500: hostile headers and bodies of any
encoding, validly signed activities of any shape, and any query or Accept header on
the documents. Every answer is one of the documented statuses (docs/fediverse.md)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .peer import SITE, as_client_headers

pytestmark = pytest.mark.usefixtures("federating")

EXAMPLES = 60
STATUSES = {202, 400, 401, 403, 413, 429}
SWEEP = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
header_text = st.one_of(
    any_text,
    st.binary(max_size=40).map(lambda raw: raw.decode("latin-1")),
    st.sampled_from(["", " ", "Signature", "sig1=:AA==:", "Mon, 01 Dec 2026 10:00:00 GMT"]),
)
key_ids = st.sampled_from([
    "https://peer.example/users/alice#main-key", "https://peer.example/nobody",
    "http://127.0.0.1/x", "https://[::1]/k", "https://", "https://peer.example:99999/k",
    "https://ex ample/k", "file:///etc/passwd", "https://xn--/k",
])  # fmt: skip
cavage_like = st.builds(
    lambda key_id, algorithm, headers, signature: (
        f'keyId="{key_id}",algorithm="{algorithm}",headers="{headers}",signature="{signature}"'
    ),
    key_ids,
    st.sampled_from(["rsa-sha256", "hs2019", "ed25519", ""]),
    st.sampled_from(["(request-target) host date digest", "date", "(created)", "x y z", ""]),
    st.one_of(st.just("AAAA"), any_text.filter(lambda text: '"' not in text)),
)
rfc9421_like = st.builds(
    lambda key_id, components: f'sig1=({components});created=1;keyid="{key_id}"',
    key_ids,
    st.sampled_from(['"@method" "@target-uri"', '"date"', "", '"@query-param";name="x"']),
)


@SWEEP
@given(
    path=st.sampled_from(["/inbox", "/actors/mira/inbox"]),
    signature=st.one_of(header_text, cavage_like),
    signature_input=st.one_of(st.none(), header_text, rfc9421_like),
    date=header_text,
    digest=header_text,
    content_type=st.one_of(header_text, st.just("application/activity+json")),
    body=st.one_of(st.binary(max_size=300), any_text.map(str.encode)),
)
def test_hostile_requests_never_500(
    client, critic, alice, path, signature, signature_input, date, digest, content_type, body
):
    headers = {"Signature": signature, "Date": date, "Digest": digest}
    if signature_input is not None:
        headers["Signature-Input"] = signature_input
        headers["Content-Digest"] = digest
    response = client.post(path, body, content_type=content_type, **as_client_headers(headers))
    assert response.status_code in STATUSES


DOCUMENT_PATHS = [
    "/objects/comments/1", "/.well-known/webfinger", "/.well-known/nodeinfo", "/nodeinfo/2.1",
    "/actor",
    "/actor/outbox", "/actors/mira", "/@mira", "/actors/mira/outbox", "/actors/mira/followers",
]  # fmt: skip

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=8,
)


@SWEEP
@given(
    kind=st.one_of(st.sampled_from(["Follow", "Undo", "Like", "Create", "Delete"]), json_values),
    target=st.one_of(
        st.just(f"{SITE}/actors/mira"),
        st.builds(lambda value: {"type": "Follow", "object": value, "id": value}, json_values),
        json_values,
    ),
    extra=st.dictionaries(any_text, json_values, max_size=3),
)
def test_signed_activities_of_any_shape_never_500(post_signed, critic, alice, kind, target, extra):
    activity = {**extra, "type": kind, "actor": alice.id, "object": target}
    response = post_signed("/inbox", alice, json.dumps(activity).encode())
    assert response.status_code in STATUSES


NOTE_ID = "https://peer.example/users/alice/statuses/1"
REVIEW = "REVIEW"  # the federated review's object id, filled in by the test


def _fill(value):
    if value == REVIEW:
        return REVIEW_ID[0]
    if isinstance(value, dict):
        return {_fill(k): _fill(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v) for v in value]
    return value


REVIEW_ID = [""]
# Structural fields mostly right (sampled_from picks by index: repeats weigh more), so
# that most notes get as far as the comment; the words hostile.
notes = st.fixed_dictionaries(
    {
        "id": st.sampled_from([NOTE_ID] * 4 + ["https://other.example/n/1", "", 7]),
        "type": st.sampled_from(["Note"] * 4 + ["Tombstone", "Article", None]),
        "inReplyTo": st.sampled_from([REVIEW] * 4 + [f"{SITE}/objects/comments/1", {}, 3]),
        "attributedTo": st.sampled_from(["https://peer.example/users/alice"] * 4 + [[], ""]),
        "content": any_text.map(lambda text: f"<p>Hm {text}</p>") | any_text | json_values,
        "summary": st.sampled_from(["Part 2, ep 7", "Spoilers", ""]) | json_values,
    },
    optional={"url": json_values, "name": json_values},
)


@pytest.fixture
def federated_review(critic, django_capture_on_commit_callbacks):
    from tests.factories import ReviewFactory
    from watchworthy.core.changes import start_new_batch
    from watchworthy.fediverse.identity import review_object_id

    with django_capture_on_commit_callbacks(execute=True):
        start_new_batch()
        review = ReviewFactory(author=critic)
    REVIEW_ID[0] = review_object_id(review.pk)
    return review


@SWEEP
@given(
    kind=st.sampled_from(["Create", "Create", "Update", "Delete"]),
    sent=notes | st.just(NOTE_ID),
    served=st.sampled_from(["same"] * 4 + [None, "other"]),
    other=notes | json_values,
    actor_document=st.one_of(st.just({}), st.dictionaries(any_text, json_values, max_size=3)),
)
def test_replies_of_any_shape_never_500(
    post_signed,
    network,
    settings,
    alice,
    federated_review,
    kind,
    sent,
    served,
    other,
    actor_document,
):
    settings.WATCHWORTHY_COMMENTS = {**settings.WATCHWORTHY_COMMENTS, "RATE_PER_EMAIL": (10**6, 1)}
    if kind == "Create":
        federated_review.comments.all().delete()  # each example from the start
    sent = _fill(sent)
    network.documents.pop(NOTE_ID, None)
    if served is not None:
        network.documents[NOTE_ID] = sent if served == "same" else _fill(other)
    network.documents[alice.id] = {**network.documents[alice.id], **actor_document}
    network.documents[alice.id] |= {"id": alice.id}
    activity = {"type": kind, "actor": alice.id, "object": sent}
    response = post_signed("/inbox", alice, json.dumps(activity).encode())
    assert response.status_code in STATUSES


@SWEEP
@given(
    path=st.sampled_from(DOCUMENT_PATHS),
    resource=st.one_of(st.none(), any_text, any_text.map(lambda text: f"acct:{text}")),
    page=st.one_of(st.none(), any_text),
    accept=header_text,
)
def test_documents_never_500(client, critic, path, resource, page, accept):
    query = {key: value for key, value in [("resource", resource), ("page", page)] if value}
    response = client.get(path, query, HTTP_ACCEPT=accept)
    assert response.status_code in {200, 302, 400, 404}
