"""Replies out: a critic's comments in conversations with fediverse authors go to
them as ``Note``s, following the change signal like reviews (``publishing``).

A comment goes out when all of these hold:

* its author is a critic with an actor (a published review): guests' and readers'
  comments never leave the site;
* it is public (approved, not removed) under a review that is out on the fediverse;
* its conversation (the thread under its top-level comment) has a public comment
  that came from the fediverse — it answers one, or joins a thread where one is.

:func:`federate_comments` compares each changed comment with its
:class:`~.models.FederatedComment` record:

=====================================  =========================================
the comment now                        sent
=====================================  =========================================
goes out, never sent (or withdrawn)    ``Create(Note)``
goes out, its Note differs from last   ``Update(Note)`` (with ``updated``)
trashed, removed, deleted, its review  ``Delete`` of a ``Tombstone``
withdrawn, while it is out
anything else                          nothing
=====================================  =========================================

Once out, a comment stays out while it is public, even if the remote comments of its
thread go. The ``Note`` (``documents.note``) is public (``to`` Public, ``cc`` the
critic's followers and each remote author, who is mentioned in ``tag`` and at the
start of ``content``), ``inReplyTo`` the parent's remote id (or our comment's or
review's object id), content through the one sanitizer, spoilers kept back with the
same content warning as reviews. It goes to each remote author's inbox (the shared
inbox of their server when known) and to the critic's followers, through the
delivery rows; later ``Update`` and ``Delete`` also reach every inbox that had it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from watchworthy.core.changes import ChangeSet
from watchworthy.discussion.models import Comment

from . import delivery, identity, keys, publishing, remote
from .documents import Conversation, conversation, note
from .jsonld import CONTEXT
from .models import BlockedDomain, FederatedComment, FederatedReview, FederationSettings
from .network import NetworkError

log = logging.getLogger(__name__)

BATCH = 200


def _digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def _iso(moment: Any) -> str:
    return str(moment.isoformat().replace("+00:00", "Z"))


def _inboxes(actor_pk: int, talk: Conversation) -> list[str]:
    """The remote authors' inboxes (shared when known) and the critic's followers',
    servers that are blocked left out."""
    blocked = frozenset(BlockedDomain.objects.values_list("domain", flat=True))
    found: dict[str, None] = {}
    for person in talk.participants:
        inbox = person.shared_inbox or person.inbox
        if not inbox:  # a reply taken before inboxes were kept
            try:
                them = remote.fetch_actor(person.actor)
            except NetworkError as error:
                log.info("no inbox for %s: %s", person.actor, error)
                continue
            inbox = them.shared_inbox or them.inbox
        if blocked.isdisjoint(remote.domain_and_parents(remote.domain_of(inbox))):
            found[inbox] = None
    for inbox in publishing.inboxes(actor_pk):
        found[inbox] = None
    return list(found)


def _activity(kind: str, actor: str, oid: str, suffix: str, sent: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "id": f"{oid}#{suffix}",
        "type": kind,
        "actor": actor,
        "to": sent.get("to", [publishing.PUBLIC]),
        "cc": sent.get("cc", []),
    }


def _send(comment: Comment, record: FederatedComment | None, review_object: str) -> None:
    """Create or Update the comment's Note, when it goes out or changed."""
    talk = conversation(comment)
    sent = record is not None and record.state == FederatedComment.State.PUBLIC
    if not sent and not talk.participants:
        return  # no one from the fediverse in this thread
    seasons = list(comment.review.work.seasons.all()) if comment.spoils_season else []
    document = note(comment, review_object, talk, seasons)
    digest = _digest(document)
    assert comment.user is not None
    actor = keys.actor_for(comment.user)
    if record is not None and record.state == FederatedComment.State.PUBLIC:
        if digest == record.digest:
            return
        kind = "Update"
        document["updated"] = _iso(comment.edited_at or timezone.now())
    else:
        kind = "Create"
        record = record or FederatedComment(comment_pk=comment.pk)
    inboxes = list(dict.fromkeys([*record.inboxes, *_inboxes(actor.pk, talk)]))
    record.actor, record.state, record.note = actor, FederatedComment.State.PUBLIC, document
    record.digest, record.inboxes = digest, inboxes
    record.save()
    activity = _activity(
        kind, document["attributedTo"], document["id"], f"{kind.lower()}-{digest[:12]}", document
    )
    activity["object"] = document
    delivery.deliver(actor=actor, activity=activity, inboxes=inboxes)


def _withdraw(record: FederatedComment) -> None:
    oid = record.note["id"]
    tombstone = {"id": oid, "type": "Tombstone"}
    suffix = f"delete-{_digest(record.note)[:12]}"
    activity = _activity("Delete", record.note["attributedTo"], oid, suffix, record.note)
    activity["object"] = tombstone
    record.state = FederatedComment.State.WITHDRAWN
    record.save(update_fields=["state", "updated_at"])
    delivery.deliver(actor=record.actor, activity=activity, inboxes=record.inboxes)


def federate_comments(comment_ids: Iterable[int]) -> None:
    """Tell remote servers what changed about these comments (the module's table)."""
    if not FederationSettings.current().enabled:
        return
    ids = sorted(set(comment_ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        # Two reads first: most changed comments (guests', readers') find nothing.
        candidates = set(
            Comment.objects.filter(pk__in=chunk, user__isnull=False).values_list("pk", flat=True)
        )
        candidates |= set(
            FederatedComment.objects.filter(comment_pk__in=chunk).values_list(
                "comment_pk", flat=True
            )
        )
        if candidates:
            _federate_chunk(sorted(candidates))


def _federate_chunk(chunk: list[int]) -> None:
    with transaction.atomic():
        comments = {
            comment.pk: comment
            for comment in Comment.objects.filter(pk__in=chunk, user__isnull=False).select_related(
                "user", "review__work"
            )
        }
        records = {
            record.comment_pk: record
            for record in FederatedComment.objects.select_for_update()
            .filter(comment_pk__in=chunk)
            .select_related("actor")
        }
        users = {comment.user_id for comment in comments.values() if comment.user_id}
        critics = set(identity.authors().filter(pk__in=users).values_list("pk", flat=True))
        reviews = {comment.review_id for comment in comments.values()}
        out = dict(
            FederatedReview.objects.filter(
                review_pk__in=reviews, state=FederatedReview.State.PUBLIC
            ).values_list("review_pk", "object_id")
        )
        for pk in chunk:
            comment, record = comments.get(pk), records.get(pk)
            if (
                comment is not None
                and comment.user_id in critics
                and comment.is_public
                and comment.review_id in out
                and comment.review.is_public
            ):
                _send(comment, record, out[comment.review_id])
            elif record is not None and record.state == FederatedComment.State.PUBLIC:
                _withdraw(record)


def follow_comment_changes(sender: object, changes: ChangeSet, **kwargs: object) -> None:
    """The ``content_changed`` receiver (after the reviews' own, so a review and an
    answer made in one transaction go out in that order). An import too large to
    list its comments sends no replies."""
    if not FederationSettings.current().enabled:
        return
    ids = set(changes.ids(Comment))
    if ids:
        federate_comments(ids)
