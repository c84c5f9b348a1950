"""The JSON documents we publish: WebFinger, NodeInfo, actors and collections.

Built from values only (no request): every address comes from ``identity``.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet

from watchworthy.accounts.models import User
from watchworthy.core.models import SiteSettings
from watchworthy.core.siteurl import absolute
from watchworthy.discussion.models import Comment
from watchworthy.reviews.feeds import absolute_links
from watchworthy.reviews.models import Review
from watchworthy.spoilers.shield import scope_label

from . import identity, keys
from .jsonld import CONTEXT
from .models import FederatedReview, Follower, RemoteComment

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


def _in_reply_to(comment: Comment, record: FederatedReview) -> str:
    parent = comment.parent
    if parent is None:
        return record.object_id
    remote = RemoteComment.objects.filter(comment=parent).values_list("object_id", flat=True)
    return next(iter(remote), identity.comment_object_id(parent.pk))


def comment_note(pk: int) -> dict[str, Any] | None:
    """The Note of a critic's public comment under a review that is out on the
    fediverse; None for anything else. Its spoilers travel as in feeds: a comment
    that says how far it spoils is replaced by a note naming that point, which is
    also its content warning."""
    comment = (
        Comment.objects.approved()
        .filter(pk=pk, user__in=identity.authors(), fediverse_note__isnull=True)
        .select_related("user", "review__work", "parent")
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
    page = absolute(comment.get_absolute_url())
    redacted = comment.travelling_html(seasons)
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": identity.comment_object_id(comment.pk),
        "type": "Note",
        "url": page,
        "attributedTo": identity.actor_id(comment.user),
        "inReplyTo": _in_reply_to(comment, record),
        "content": absolute_links(redacted, absolute(""), page),
        "mediaType": "text/html",
        "published": comment.created_at.isoformat().replace("+00:00", "Z"),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "sensitive": False,
    }
    scope = comment.spoiler_scope
    if scope is not None:
        document |= {"summary": f"Spoilers: {scope_label(scope, seasons)}", "sensitive": True}
    elif 'class="spoiler-placeholder"' in redacted:
        document |= {"summary": "Spoilers", "sensitive": True}
    return document
