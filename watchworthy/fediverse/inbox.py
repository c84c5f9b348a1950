"""What arrives in an inbox: checked in a fixed order, then handled by type.

1. too large → 413;
2. no signature, or one we cannot parse → 401;
3. the signing key's server is blocked → 403 (its key is not even fetched);
4. the signature does not verify against the key fetched by ``keyId`` → 401;
5. the body is not an activity (a JSON object with ``type`` and ``actor``) → 400;
6. the activity's ``actor`` is not the key's owner → 401;
7. handled: ``Follow`` of a critic, ``Undo`` of such a Follow; ``Create``,
   ``Update`` and ``Delete`` of a reply (``replies``: a Note that its server does not
   serve as sent → 400, a change by someone else → 403, too many → 429); any other
   type is accepted and ignored → 202.

Nothing here raises for bad input: every outcome is a status and a reason.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction

from watchworthy.accounts.models import User

from . import httpsig, identity, keys, remote, replies
from .delivery import deliver
from .jsonld import CONTEXT
from .models import Follower
from .network import NetworkError

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024


@dataclass(frozen=True)
class Outcome:
    status: int
    reason: str


Handler = Callable[[dict[str, Any], str], Outcome]


def _verify(method: str, url: str, headers: Mapping[str, str], body: bytes) -> str:
    """The verified signer's actor id (the key's owner)."""
    owners: dict[str, str] = {}

    def resolve(fresh: bool) -> httpsig.KeyResolver:
        def by_id(key_id: str) -> rsa.RSAPublicKey:
            key = remote.fetch_key(key_id, fresh=fresh)
            owners[key_id] = key.owner
            return key.public_key()

        return by_id

    def check(fresh: bool) -> httpsig.Verified:
        return httpsig.verify(
            method=method, url=url, headers=headers, body=body, resolve=resolve(fresh)
        )

    if not remote.is_cached(httpsig.key_id_of(headers)):
        return owners[check(fresh=True).key_id]
    try:
        verified = check(fresh=False)
    except httpsig.SignatureError:
        # Perhaps the server rotated its key since we cached it: once more, fresh.
        verified = check(fresh=True)
    return owners[verified.key_id]


def _id_of(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def receive(
    *, method: str, url: str, headers: Mapping[str, str], body: bytes, user: User | None = None
) -> Outcome:
    """Handle one POST to an inbox (``user``: the critic whose inbox it is, or None
    for the shared inbox). ``url`` is the inbox's address on our host."""
    if len(body) > MAX_BODY:
        return Outcome(413, "the activity is too large")
    try:
        key_id = httpsig.key_id_of(headers)
    except httpsig.SignatureError as error:
        return Outcome(401, str(error))
    if remote.is_blocked(key_id):
        return Outcome(403, "this server is blocked here")
    try:
        signer = _verify(method, url, headers, body)
    except httpsig.SignatureError as error:
        return Outcome(401, str(error))
    try:
        activity = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return Outcome(400, "the body is not JSON")
    if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
        return Outcome(400, "the body is not an activity")
    if _id_of(activity.get("actor")) != signer:
        return Outcome(401, "the activity's actor did not sign it")
    if remote.is_blocked(signer):
        return Outcome(403, "this server is blocked here")
    handler = HANDLERS.get(activity["type"])
    if handler is None:
        return Outcome(202, "accepted and ignored")
    return handler(activity, signer)


def _local_author(actor_id: str) -> User | None:
    for user in identity.authors().filter(username__in=[actor_id.rstrip("/").rsplit("/", 1)[-1]]):
        if identity.actor_id(user) == actor_id:
            return user
    return None


def on_follow(activity: dict[str, Any], signer: str) -> Outcome:
    author = _local_author(_id_of(activity.get("object")))
    if author is None:
        return Outcome(202, "not one of our actors; ignored")
    try:
        them = remote.fetch_actor(signer)
    except NetworkError as error:
        log.info("follow from %s not accepted: %s", signer, error)
        return Outcome(202, "the follower's actor could not be fetched")
    follow_id = _id_of(activity)
    actor = keys.actor_for(author)
    with transaction.atomic():
        Follower.objects.update_or_create(
            actor=actor,
            remote_actor=them.id,
            defaults={
                "inbox": them.inbox,
                "shared_inbox": them.shared_inbox,
                "domain": remote.domain_of(them.id),
                "follow_activity": follow_id,
            },
        )
        me = identity.actor_id(author)
        accept = {
            "@context": CONTEXT,
            "id": f"{me}#accepts/{uuid.uuid4().hex}",
            "type": "Accept",
            "actor": me,
            "object": {"id": follow_id, "type": "Follow", "actor": them.id, "object": me}
            if follow_id
            else {"type": "Follow", "actor": them.id, "object": me},
        }
        deliver(actor=actor, activity=accept, inboxes=[them.inbox])
    return Outcome(202, "follow accepted")


def on_undo(activity: dict[str, Any], signer: str) -> Outcome:
    undone = activity.get("object")
    followers = Follower.objects.filter(remote_actor=signer)
    if isinstance(undone, dict):
        if undone.get("type") != "Follow":
            return Outcome(202, "accepted and ignored")
        author = _local_author(_id_of(undone.get("object")))
        if author is not None:
            followers = followers.filter(actor__user=author)
        elif _id_of(undone):
            followers = followers.filter(follow_activity=_id_of(undone))
        else:
            return Outcome(202, "nothing to undo")
    elif isinstance(undone, str) and undone:
        followers = followers.filter(follow_activity=undone)
    else:
        return Outcome(202, "nothing to undo")
    followers.delete()
    return Outcome(202, "undone")


def _replies(handle: replies.Handler) -> Handler:
    def handler(activity: dict[str, Any], signer: str) -> Outcome:
        try:
            return Outcome(202, handle(activity, signer))
        except replies.Refused as refused:
            return Outcome(refused.status, refused.reason)

    return handler


HANDLERS: dict[str, Handler] = {
    "Follow": on_follow,
    "Undo": on_undo,
    "Create": _replies(replies.create),
    "Update": _replies(replies.update),
    "Delete": _replies(replies.delete),
}
