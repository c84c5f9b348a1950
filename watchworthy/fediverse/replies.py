"""Replies from the fediverse, as comments of the review's own thread.

A ``Create(Note)`` whose ``inReplyTo`` is one of ours becomes a comment:

* **where:** our review's object (``/objects/reviews/ID``, ``/ID/N``) → the review's
  main thread; a comment's object (``/objects/comments/ID``) or a Note that came from
  the fediverse earlier (by its id) → a reply to that comment, at any depth, so
  ``comment_post(parent=…)`` puts it in the parent's thread;
* **trusted only as its server serves it:** the Note is fetched again by its id
  (signed by the instance actor); its id must be on the signer's server, it must be
  ``attributedTo`` the signer, and what the activity carried (content, summary,
  ``inReplyTo``) must be what the server serves. Anything else is refused (400) and
  logged;
* **who:** the author's display name (one line of text), ``@user@host`` and profile
  link, from their actor document; their actor id is their identity for
  ``ModerationPolicy`` (first reply held), as a guest's e-mail address is;
* **content:** ``core.sanitize.clean_html`` (comment profile: links ``nofollow ugc``,
  classes such as Mastodon's ``mention`` dropped);
* **content warning:** a non-empty ``summary`` that names a point of the work
  ("Part 2, ep 7", "Spoilers: Part 2, ep 7", "S2E7") becomes the comment's "spoils up
  to" (folded for readers behind it); any other becomes an unscoped block spoiler
  around the whole body (``<details class="spoiler">``, the summary its label), which
  the shield never opens for anyone: a reader opens it by hand; ``sensitive: true``
  without a summary is folded the same way, labelled "Sensitive";
* **how often:** the per-address comment rate (``RATE_PER_EMAIL``) per remote actor.
  Over it: 429, which servers retry later.

``Update(Note)`` edits the comment and ``Delete`` (of the id, or a ``Tombstone``)
tombstones it, only when signed by the actor the Note is ``attributedTo`` (403 for
anyone else).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from django.conf import settings
from django.db import transaction

from watchworthy.core.ratelimit import over_limit
from watchworthy.core.sanitize import clean_html, html_to_text
from watchworthy.discussion.models import Comment
from watchworthy.discussion.moderation import ModerationPolicy
from watchworthy.discussion.services import (
    CommentError,
    comment_edit,
    comment_post,
    comment_remove,
)
from watchworthy.reviews.models import Review
from watchworthy.spoilers.shield import Position, normalise, parse_scope

from . import identity, remote
from .models import FederatedReview, RemoteComment
from .network import NetworkError

log = logging.getLogger(__name__)

# "Spoilers: Part 2, ep 7", "CW - S2E7": the words before the scope.
_CW_PREFIX = re.compile(
    r"^\s*(?:spoilers?|cw|content warning)\s*[:\-\u2013\u2014]\s*", re.IGNORECASE
)
_REVIEW_PATH = re.compile(r"^/objects/reviews/(\d{1,10})(?:/(\d{1,5}))?$")
_COMMENT_PATH = re.compile(r"^/objects/comments/(\d{1,10})$")
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_COMPARED = ("content", "summary", "inReplyTo")


Handler = Callable[[dict[str, Any], str], str]


class Refused(Exception):
    """A reply not taken; ``status`` and the reason go back to the sender."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _id_of(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def reply_target(value: Any) -> str:
    """The id ``inReplyTo`` names: an id, an object with one, a ``Link`` (its
    ``href``), or a list of exactly one of those; anything else names nothing."""
    if isinstance(value, list):
        return reply_target(value[0]) if len(value) == 1 else ""
    if isinstance(value, dict) and value.get("type") == "Link" and "id" not in value:
        href = value.get("href")
        return href if isinstance(href, str) else ""
    return _id_of(value)


def one_line(text: Any, limit: int) -> str:
    """Plain text on one line (tags and control characters gone), at most ``limit``."""
    if not isinstance(text, str):
        return ""
    plain = html_to_text(text)
    plain = "".join(ch for ch in plain if ch.isprintable())
    return " ".join(plain.split())[:limit]


# --- where a reply goes ------------------------------------------------------------


def _federated(review_pk: int, object_id: str | None = None) -> Review | None:
    """The review, when it is public here and out on the fediverse (as ``object_id``,
    when given)."""
    records = FederatedReview.objects.filter(
        review_pk=review_pk, state=FederatedReview.State.PUBLIC
    )
    if object_id is not None:
        records = records.filter(object_id=object_id)
    if not records.exists():
        return None
    return Review.objects.published().filter(pk=review_pk).select_related("work").first()


def find_target(in_reply_to: str) -> tuple[Review, Comment | None] | None:
    """The review and parent comment a reply to ``in_reply_to`` belongs under."""
    if not in_reply_to:
        return None
    root = identity.absolute_root().rstrip("/")
    parent: Comment | None = None
    if in_reply_to.startswith(root + "/"):
        path = in_reply_to[len(root) :]
        if match := _REVIEW_PATH.match(path):
            review = _federated(int(match[1]), in_reply_to)
            return None if review is None else (review, None)
        if match := _COMMENT_PATH.match(path):
            parent = Comment.objects.filter(pk=int(match[1])).first()
    else:
        found = RemoteComment.objects.filter(object_id=in_reply_to).select_related("comment")
        parent = next((row.comment for row in found), None)
    if parent is None or not parent.is_public:
        return None
    review = _federated(parent.review_id)
    return None if review is None else (review, parent)


# --- trusting the object -----------------------------------------------------------


def fetch_note(object_id: str, signer: str, embedded: Any) -> dict[str, Any]:
    """The Note as its server serves it, checked against the signer and the
    activity's copy; or :class:`Refused`."""
    if len(object_id) > 2000 or not object_id.startswith(("https://", "http://")):
        raise Refused(400, "the object's id is not an address")
    if remote.domain_of(object_id) != remote.domain_of(signer):
        raise Refused(400, "the object is not on its author's server")
    try:
        document = remote.signed_fetch(object_id)
    except NetworkError as error:
        log.info("reply %s not taken: fetching it failed: %s", object_id, error)
        raise Refused(400, "the object could not be fetched from its server") from error
    if document.get("id") != object_id or document.get("type") != "Note":
        raise Refused(400, "the object's server does not serve that Note")
    if _id_of(document.get("attributedTo")) != signer:
        log.warning("reply %s refused: attributed to another actor than %s", object_id, signer)
        raise Refused(400, "the Note is not attributed to the activity's actor")
    if isinstance(embedded, dict):
        for key in _COMPARED:
            if _normal(embedded.get(key)) != _normal(document.get(key)):
                log.warning("reply %s refused: its %s differs from the served one", object_id, key)
                raise Refused(400, f"the Note's {key} differs from what its server serves")
        if _id_of(embedded.get("attributedTo")) not in ("", signer):
            raise Refused(400, "the Note is not attributed to the activity's actor")
    return document


def _normal(value: Any) -> Any:
    """``inReplyTo`` may be an id or an object with one; a missing value is ``""``."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return reply_target(value)
    return value


# --- who wrote it ------------------------------------------------------------------


@dataclass(frozen=True)
class Author:
    """A remote author as their actor document describes them."""

    shown: str  # "Alice Liddell (@alice@peer.example)"
    link: str  # their profile (``url``), else the actor id
    handle: str  # "@alice@peer.example"
    inbox: str  # "" when none on their own server
    shared_inbox: str


def author_of(actor_id: str) -> Author:
    """A remote actor as its server serves it: name shown, profile link, handle and
    inboxes."""
    try:
        document = remote.signed_fetch(actor_id)
    except NetworkError as error:
        raise Refused(400, "the author's actor could not be fetched") from error
    if document.get("id") != actor_id:
        raise Refused(400, "not an actor document")
    return author_from(document)


def author_from(document: dict[str, Any]) -> Author:
    """An actor document (whose ``id`` has been checked) as an :class:`Author`."""
    actor_id = _id_of(document)
    username = document.get("preferredUsername")
    if not isinstance(username, str) or not _USERNAME.match(username):
        username = one_line(actor_id.rstrip("/").rsplit("/", 1)[-1], 64) or "someone"
    handle = f"@{username}@{remote.domain_of(actor_id)}"[:80]
    name = one_line(document.get("name"), 80)
    room = 80 - len(handle) - 3
    shown = f"{name[:room].rstrip()} ({handle})" if name and room >= 8 else handle
    link = document.get("url")
    link = _id_of(link[0] if isinstance(link, list) and link else link)
    if not (link.startswith(("https://", "http://")) and len(link) <= 200):
        link = actor_id if len(actor_id) <= 200 else ""
    endpoints = document.get("endpoints")
    inbox = _own_address(document.get("inbox"), actor_id)
    shared = _own_address(
        endpoints.get("sharedInbox") if isinstance(endpoints, dict) else None, actor_id
    )
    return Author(shown=shown, link=link, handle=handle, inbox=inbox, shared_inbox=shared)


def _own_address(value: Any, actor_id: str) -> str:
    """An http(s) address on the actor's own server, else ""."""
    if (
        isinstance(value, str)
        and len(value) <= 2000
        and value.startswith(("https://", "http://"))
        and remote.domain_of(value) == remote.domain_of(actor_id)
    ):
        return value
    return ""


# --- what it says ------------------------------------------------------------------


def body_of(note: dict[str, Any], seasons: Any) -> tuple[str, Position | None]:
    """The comment's sanitized HTML and how far it says it spoils."""
    content = note.get("content")
    html = clean_html(content if isinstance(content, str) else "", profile="comment").strip()
    warning = one_line(note.get("summary"), 200)
    if not warning and note.get("sensitive") is True:
        warning = "Sensitive"  # flagged, without words for it: fold it all the same
    if not warning:
        return html, None
    scope = parse_scope(_CW_PREFIX.sub("", warning))
    if scope.position is not None:
        return html, normalise(scope.position, seasons)
    wrapped = (
        f'<details class="spoiler"><summary>Spoiler: {escape(warning)}</summary>'
        f'<div class="spoiler-body">{html}</div></details>'
    )
    return clean_html(wrapped, profile="comment").strip(), None


def _rate_limited(actor_id: str) -> bool:
    limit, window = settings.WATCHWORTHY_COMMENTS["RATE_PER_EMAIL"]
    digest = hashlib.sha256(actor_id.encode()).hexdigest()[:32]
    return over_limit(f"comment-actor:{digest}", limit=limit, window=window)


# --- the three activities ----------------------------------------------------------


def create(activity: dict[str, Any], signer: str) -> str:
    """Take a ``Create(Note)`` in reply to one of ours; returns what happened."""
    note = activity.get("object")
    object_id = _id_of(note)
    if not object_id or (isinstance(note, dict) and note.get("type") != "Note"):
        return "not a Note; ignored"
    if isinstance(note, dict) and find_target(reply_target(note.get("inReplyTo"))) is None:
        return "not a reply to anything here; ignored"
    if RemoteComment.objects.filter(object_id=object_id).exists():
        return "already here"
    if _rate_limited(signer):
        raise Refused(429, "too many replies from this actor; try again later")
    document = fetch_note(object_id, signer, note)
    target = find_target(reply_target(document.get("inReplyTo")))
    if target is None:
        return "not a reply to anything here; ignored"
    review, parent = target
    try:
        comment = take(
            review=review, parent=parent, note=document, actor=signer, author=author_of(signer)
        )
    except CommentError as error:
        log.info("reply %s not taken: %s", object_id, "; ".join(error.messages))
        return "not taken: " + "; ".join(error.messages)
    return f"taken as comment {comment.pk} ({comment.status})"


def take(
    *,
    review: Review,
    parent: Comment | None,
    note: dict[str, Any],
    actor: str,
    author: Author,
    policy: ModerationPolicy | None = None,
    posted_at: datetime | None = None,
    send_notifications: bool = True,
) -> Comment:
    """The replies-in service: a Note already trusted (served by its server as
    attributed to ``actor``) becomes a comment of ``review`` under ``parent``, with
    its :class:`RemoteComment`; the one already taken for its id when there is one.
    ``policy``, ``posted_at``, ``send_notifications``: as for ``comment_post`` (the
    demo's reply is approved and backdated). Raises ``CommentError``."""
    object_id = _id_of(note)
    found = RemoteComment.objects.filter(object_id=object_id).select_related("comment").first()
    if found is not None:
        return found.comment
    seasons = list(review.work.seasons.all())
    html, spoils = body_of(note, seasons)
    with transaction.atomic():
        comment = comment_post(
            review=review,
            parent=parent,
            body=html_to_text(html),
            body_html=html,
            author_name=author.shown,
            author_url=author.link,
            author_actor=actor,
            spoils=spoils,
            seasons=seasons,
            site_url=identity.absolute_root(),
            policy=policy,
            posted_at=posted_at,
            send_notifications=send_notifications,
        )
        RemoteComment.objects.create(
            comment=comment,
            object_id=object_id,
            actor=actor,
            handle=author.handle,
            inbox=author.inbox,
            shared_inbox=author.shared_inbox,
        )
    return comment


def _stored(activity: dict[str, Any], signer: str) -> RemoteComment | None:
    object_id = _id_of(activity.get("object"))
    found = (
        RemoteComment.objects.filter(object_id=object_id)
        .select_related("comment__review__work", "comment__episode_thread")
        .first()
        if object_id
        else None
    )
    if found is not None and found.actor != signer:
        log.warning("%s of %s refused: signed by %s", activity.get("type"), object_id, signer)
        raise Refused(403, "only the Note's author may change it")
    return found


def update(activity: dict[str, Any], signer: str) -> str:
    note = activity.get("object")
    if isinstance(note, dict) and note.get("type") != "Note":
        return "not a Note; ignored"
    found = _stored(activity, signer)
    if found is None or found.comment.is_removed:
        return "not a comment here; ignored"
    document = fetch_note(found.object_id, signer, note)
    comment = found.comment
    html, spoils = body_of(document, list(comment.review.work.seasons.all()))
    try:
        comment_edit(comment=comment, body=html_to_text(html), body_html=html, spoils=spoils)
    except CommentError as error:
        return "not changed: " + "; ".join(error.messages)
    return f"comment {comment.pk} edited"


def delete(activity: dict[str, Any], signer: str) -> str:
    found = _stored(activity, signer)
    if found is None or found.comment.is_removed:
        return "not a comment here; ignored"
    comment_remove(comment=found.comment)
    return f"comment {found.comment.pk} deleted"
