"""The JSON documents we publish: WebFinger, NodeInfo, actors and collections.

Built from values only (no request): every address comes from ``identity``.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from importlib import metadata
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet

from watchworthy.accounts.models import User
from watchworthy.core.models import SiteSettings
from watchworthy.core.sanitize import clean_html
from watchworthy.core.siteurl import absolute
from watchworthy.discussion.models import PATH_DIGITS, Comment
from watchworthy.reviews.feeds import absolute_links
from watchworthy.reviews.models import Review
from watchworthy.spoilers.shield import scope_label

from . import identity, keys
from .jsonld import CONTEXT
from .models import FederatedComment, FederatedReview, Follower, RemoteComment
from .remote import domain_of as remote_domain

PAGE_SIZE = 50
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"


def webfinger(user: User | None) -> dict[str, Any]:
    """The JRD for a critic, or for the instance actor when ``user`` is None."""
    if user is None:
        subject, actor = f"acct:{identity.host()}@{identity.host()}", identity.instance_id()
        links = []
    else:
        subject, actor = f"acct:{identity.handle(user)}", identity.actor_id(user)
        links = [
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": identity.profile_url(user),
            }
        ]
    return {
        "subject": subject,
        "aliases": [actor],
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": actor},
            *links,
        ],
    }


def nodeinfo_index(nodeinfo_url: str) -> dict[str, Any]:
    return {"links": [{"rel": NODEINFO_SCHEMA, "href": nodeinfo_url}]}


def _version() -> str:
    try:
        return metadata.version("watchworthy")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def nodeinfo() -> dict[str, Any]:
    return {
        "version": "2.1",
        "software": {
            "name": "watchworthy",
            "version": _version(),
            "homepage": identity.absolute_root(),
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
        "openRegistrations": False,
        "usage": {
            "users": {"total": identity.authors().count()},
            "localPosts": Review.objects.published().count(),
        },
        "metadata": {"nodeName": SiteSettings.current().site_name},
    }


def _key(owner: str, pem: str) -> dict[str, Any]:
    return {"id": identity.key_id(owner), "owner": owner, "publicKeyPem": pem}


def actor(user: User) -> dict[str, Any]:
    owner = identity.actor_id(user)
    return {
        "@context": CONTEXT,
        "id": owner,
        "type": "Person",
        "preferredUsername": user.username,
        "name": user.public_name,
        "summary": user.bio,
        "url": identity.profile_url(user),
        "inbox": identity.actor_path(user, "inbox"),
        "outbox": identity.actor_path(user, "outbox"),
        "followers": identity.actor_path(user, "followers"),
        "endpoints": {"sharedInbox": identity.shared_inbox()},
        "manuallyApprovesFollowers": False,
        "publicKey": _key(owner, keys.actor_for(user).public_key_pem),
    }


def instance_actor() -> dict[str, Any]:
    owner = identity.instance_id()
    return {
        "@context": CONTEXT,
        "id": owner,
        "type": "Application",
        "preferredUsername": identity.host(),
        "name": SiteSettings.current().site_name,
        "url": identity.absolute_root(),
        "inbox": identity.shared_inbox(),
        "outbox": owner + "/outbox",
        "endpoints": {"sharedInbox": identity.shared_inbox()},
        "manuallyApprovesFollowers": True,
        "publicKey": _key(owner, keys.instance_actor().public_key_pem),
    }


def collection(
    collection_id: str, items: QuerySet[Any] | list[Any], page: int | None
) -> dict[str, Any]:
    """An OrderedCollection (``page`` None: its summary with ``first``) or one page."""
    paginator = Paginator(items, PAGE_SIZE)
    if page is None:
        return {
            "@context": CONTEXT,
            "id": collection_id,
            "type": "OrderedCollection",
            "totalItems": paginator.count,
            "first": f"{collection_id}?page=1",
        }
    current = paginator.page(page)
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"{collection_id}?page={page}",
        "type": "OrderedCollectionPage",
        "partOf": collection_id,
        "totalItems": paginator.count,
        "orderedItems": list(current.object_list),
    }
    if current.has_next():
        document["next"] = f"{collection_id}?page={page + 1}"
    if current.has_previous():
        document["prev"] = f"{collection_id}?page={page - 1}"
    return document


def follower_ids(user: User) -> QuerySet[Follower, str]:
    return (
        Follower.objects.filter(actor__user=user)
        .order_by("-pk")
        .values_list("remote_actor", flat=True)
    )


def outbox_items(user: User) -> QuerySet[FederatedReview, dict[str, Any]]:
    """The ``Create`` of each review the critic has out on the fediverse, newest first,
    as sent (its object as last updated)."""
    return (
        FederatedReview.objects.filter(actor__user=user, state=FederatedReview.State.PUBLIC)
        .order_by("-published_at", "-pk")
        .values_list("activity", flat=True)
    )


def review_object(record: FederatedReview | None, generation: int) -> dict[str, Any] | None:
    """The Article at a review's object id, a Tombstone once withdrawn (or for an
    earlier generation), None for an id never sent."""
    if record is None or generation > record.generation:
        return None
    if record.state == FederatedReview.State.PUBLIC and generation == record.generation:
        return {"@context": CONTEXT, **record.activity["object"]}
    return {
        "@context": CONTEXT,
        "id": identity.review_object_id(record.review_pk, generation),
        "type": "Tombstone",
    }


PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
MAX_MENTIONS = 10


@dataclass(frozen=True)
class Participant:
    """A fediverse author with a public comment in a conversation."""

    actor: str
    handle: str  # "@alice@peer.example"
    link: str  # their profile
    inbox: str
    shared_inbox: str


@dataclass(frozen=True)
class Conversation:
    """The fediverse side of a comment's conversation (the thread under its top-level
    comment): the parent's Note id when the parent came from the fediverse, and the
    remote authors in it, the parent's first (at most :data:`MAX_MENTIONS`)."""

    parent_object: str
    participants: tuple[Participant, ...]


def _handle(actor: str, stored: str) -> str:
    if stored:
        return stored
    name = actor.rstrip("/").rsplit("/", 1)[-1][:40] or "someone"
    return f"@{name}@{remote_domain(actor)}"


def conversation(comment: Comment) -> Conversation:
    """One query: the remote comments of the comment's conversation."""
    root = comment.path[: PATH_DIGITS + 1]
    rows = (
        RemoteComment.objects.filter(
            comment__review_id=comment.review_id, comment__path__startswith=root
        )
        .order_by("pk")
        .values_list(
            "comment_id", "object_id", "actor", "handle", "inbox", "shared_inbox",
            "comment__author_url", "comment__status", "comment__is_removed",
        )
    )  # fmt: skip
    parent_object, parent_actor = "", ""
    found: dict[str, Participant] = {}
    for pk, object_id, actor, handle, inbox, shared, link, status, removed in rows:
        if pk == comment.parent_id:
            parent_object, parent_actor = object_id, actor
        if status == Comment.Status.APPROVED and not removed and actor not in found:
            found[actor] = Participant(actor, _handle(actor, handle), link or actor, inbox, shared)
    first = [found.pop(parent_actor)] if parent_actor in found else []
    return Conversation(parent_object, tuple([*first, *found.values()][:MAX_MENTIONS]))


def note(comment: Comment, review_object: str, talk: Conversation, seasons: Any) -> dict[str, Any]:
    """A critic's comment as a ``Note``, without ``@context``: what is delivered and
    what ``/objects/comments/ID`` serves. Public, to the critic's followers and the
    conversation's fediverse authors, each mentioned (``tag`` and a link at the start
    of the content). Its spoilers travel as in feeds (``Comment.travelling_html``):
    a comment that says how far it spoils is replaced by a note naming that point,
    which is also its content warning (``summary``, ``sensitive``)."""
    assert comment.user is not None
    page = absolute(comment.get_absolute_url())
    redacted = comment.travelling_html(seasons)
    mentions = " ".join(
        f'<a href="{escape(person.link)}">{escape(person.handle)}</a>'
        for person in talk.participants
    )
    content = (f"<p>{mentions}</p>" if mentions else "") + absolute_links(
        redacted, absolute(""), page
    )
    if comment.parent_id is None:
        in_reply_to = review_object
    else:
        in_reply_to = talk.parent_object or identity.comment_object_id(comment.parent_id)
    document: dict[str, Any] = {
        "id": identity.comment_object_id(comment.pk),
        "type": "Note",
        "url": page,
        "attributedTo": identity.actor_id(comment.user),
        "inReplyTo": in_reply_to,
        "content": clean_html(content, profile="comment"),
        "mediaType": "text/html",
        "published": comment.created_at.isoformat().replace("+00:00", "Z"),
        "to": [PUBLIC],
        "cc": [
            identity.actor_path(comment.user, "followers"),
            *(person.actor for person in talk.participants),
        ],
        "tag": [
            {"type": "Mention", "href": person.actor, "name": person.handle}
            for person in talk.participants
        ],
        "sensitive": False,
    }
    scope = comment.spoiler_scope
    if scope is not None:
        document |= {"summary": f"Spoilers: {scope_label(scope, seasons)}", "sensitive": True}
    elif 'class="spoiler-placeholder"' in redacted:
        document |= {"summary": "Spoilers", "sensitive": True}
    return document


def comment_note(pk: int) -> dict[str, Any] | None:
    """The Note of a critic's public comment under a review that is out on the
    fediverse; None for anything else. Once sent (a reply out), exactly the Note last
    delivered (its :class:`FederatedComment`); a ``Tombstone`` once its ``Delete`` was
    sent."""
    sent = FederatedComment.objects.filter(comment_pk=pk).first()
    if sent is not None and sent.state == FederatedComment.State.PUBLIC:
        return {"@context": CONTEXT, **sent.note}
    if sent is not None:
        return {"@context": CONTEXT, "id": identity.comment_object_id(pk), "type": "Tombstone"}
    comment = (
        Comment.objects.approved()
        .filter(pk=pk, user__in=identity.authors(), fediverse_note__isnull=True)
        .select_related("user", "review__work")
        .first()
    )
    if comment is None or comment.user is None:
        return None
    record = FederatedReview.objects.filter(
        review_pk=comment.review_id, state=FederatedReview.State.PUBLIC
    ).first()
    if record is None or not comment.review.is_public:
        return None
    seasons = list(comment.review.work.seasons.all())
    return {"@context": CONTEXT, **note(comment, record.object_id, conversation(comment), seasons)}
