"""Publishing reviews to the fediverse: ``Create``, ``Update`` and ``Delete`` of an
``Article`` to the author's followers, following the change signal.

:func:`follow_changes` receives every ``content_changed`` (after commit) and hands the
reviews it names to :func:`federate`, which compares each with its
:class:`~.models.FederatedReview` record:

=======================================  ======================================
the review now                           sent
=======================================  ======================================
public, switch on, no record (or         ``Create`` (a new object id after a
withdrawn)                               withdrawal)
public, switch on, differs from record   ``Update``
unchanged, or a draft never sent         nothing
draft, scheduled for later, switch off   ``Delete`` with a ``Tombstone``
or deleted, while the record is public
=======================================  ======================================

A scheduled review is not public until ``core.publishing.announce_due`` turns its
moment into a change; that change sends the ``Create``. While federation is off
nothing is recorded or sent: turning it on later sends a review when it next changes.

**Spoilers never travel.** ``content`` is ``spoilers.shield.travelling`` of the body
(every spoiler replaced by its label, the text feeds carry) with absolute links and a
"Read the review" link. A review with spoilers is ``sensitive``, and its ``summary``
(shown by Mastodon and Misskey as the content warning) is the scope line in the
work's own words, "Spoilers: Part 2, ep 7"; a review whose spoilers name no point is
"Spoilers". Without spoilers there is no ``summary``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from html import escape
from typing import Any

from django.db import transaction

from watchworthy.catalog.models import Work
from watchworthy.core.changes import ChangeSet
from watchworthy.core.siteurl import absolute
from watchworthy.reviews.feeds import absolute_links
from watchworthy.reviews.models import Review, Verdict
from watchworthy.spoilers.shield import scope_label, travelling

from . import delivery, identity, keys, remote
from .jsonld import CONTEXT
from .models import BlockedDomain, FederatedReview, FederationSettings, Follower

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
BATCH = 200
_PLACEHOLDER = 'class="spoiler-placeholder"'
_WORK_TYPES: dict[str, str] = {Work.Kind.FILM: "Film"}


def content_warning(review: Review, redacted: str) -> str:
    """The ``summary``: the scope line, "Spoilers" or "" (no spoilers)."""
    scope = review.spoiler_scope
    if scope is not None:
        return f"Spoilers: {scope_label(scope, list(review.work.seasons.all()))}"
    return "Spoilers" if _PLACEHOLDER in redacted else ""


def _work(review: Review) -> dict[str, Any]:
    work = review.work
    url = absolute(work.get_absolute_url())
    return {"type": _WORK_TYPES.get(work.kind, "Series"), "id": url, "name": work.title, "url": url}


def _part(review: Review) -> dict[str, Any] | None:
    season = review.season
    if season is None:
        return None
    work_url = absolute(review.work.get_absolute_url())
    return {
        "type": "Part",
        "name": season.display_label,
        "partNumber": season.number,
        "episodes": season.episode_count,
        "partOf": work_url,
    }


def article(review: Review, oid: str) -> dict[str, Any]:
    """The review as an ``Article`` (``oid`` its id), without ``@context``."""
    page = absolute(review.get_absolute_url())
    base = absolute("")
    redacted = travelling(review.body_html)
    body = absolute_links(redacted, base, page)
    link = f'<p><a href="{escape(page)}">Read the review</a></p>'
    author = identity.actor_id(review.author)
    document: dict[str, Any] = {
        "id": oid,
        "type": "Article",
        "name": review.title,
        "url": page,
        "attributedTo": author,
        "content": body + link,
        "mediaType": "text/html",
        "published": _iso(review.published_at),
        "to": [PUBLIC],
        "cc": [identity.actor_path(review.author, "followers")],
        "sensitive": False,
        "work": _work(review),
        "verdict": review.verdict if review.verdict != Verdict.UNRATED else None,
        "score": None if review.score is None else str(review.score),
    }
    part = _part(review)
    if part is not None:
        document["part"] = part
    warning = content_warning(review, redacted)
    if warning:
        document["summary"] = warning
        document["sensitive"] = True
    scope = review.spoiler_scope
    if scope is not None:
        document["spoilerScope"] = {
            "type": "SpoilerScope",
            "name": warning.removeprefix("Spoilers: "),
            "partNumber": scope.season,
            "episode": scope.episode,
        }
    return {key: value for key, value in document.items() if value is not None}


def _iso(moment: Any) -> str:
    return str(moment.isoformat().replace("+00:00", "Z"))


def _digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def inboxes(actor_pk: int) -> list[str]:
    """Where the actor's followers get what it sends: one shared inbox per server that
    has one, else each follower's inbox; followers on blocked servers left out."""
    blocked = frozenset(BlockedDomain.objects.values_list("domain", flat=True))
    found: dict[str, None] = {}
    for inbox, shared, domain in Follower.objects.filter(actor_id=actor_pk).values_list(
        "inbox", "shared_inbox", "domain"
    ):
        if blocked.isdisjoint(remote.domain_and_parents(domain)):
            found[shared or inbox] = None
    return list(found)


class _Audience:
    """Each actor's inboxes, looked up once per batch of reviews."""

    def __init__(self) -> None:
        self.known: dict[int, list[str]] = {}

    def of(self, actor_pk: int) -> list[str]:
        if actor_pk not in self.known:
            self.known[actor_pk] = inboxes(actor_pk)
        return self.known[actor_pk]


def _activity(kind: str, like: dict[str, Any], obj: dict[str, Any], suffix: str) -> dict[str, Any]:
    """An activity by the actor, to the audience, of ``like`` (an Article or a Create)."""
    return {
        "@context": CONTEXT,
        "id": f"{obj['id']}#{suffix}",
        "type": kind,
        "actor": like.get("attributedTo") or like["actor"],
        "to": like["to"],
        "cc": like["cc"],
        "object": obj,
    }


def _send(record: FederatedReview, activity: dict[str, Any], audience: _Audience) -> None:
    delivery.deliver(actor=record.actor, activity=activity, inboxes=audience.of(record.actor_id))


def _create(review: Review, record: FederatedReview | None, audience: _Audience) -> None:
    generation = 1 if record is None else record.generation + 1
    oid = identity.review_object_id(review.pk, generation)
    document = article(review, oid)
    actor = keys.actor_for(review.author)
    create = _activity("Create", document, document, "create")
    if record is None:
        record = FederatedReview(review_pk=review.pk)
    record.actor, record.state, record.generation = actor, FederatedReview.State.PUBLIC, generation
    record.object_id, record.activity, record.digest = oid, create, _digest(document)
    assert review.published_at is not None  # public
    record.published_at = review.published_at
    record.save()
    _send(record, create, audience)


def _update(review: Review, record: FederatedReview, audience: _Audience) -> None:
    document = article(review, record.object_id)
    digest = _digest(document)
    if digest == record.digest:
        return
    document["updated"] = _iso(review.updated_at)
    update = _activity("Update", document, document, f"update-{digest[:12]}")
    record.activity = {**record.activity, "object": document}
    record.digest = digest
    record.save(update_fields=["activity", "digest", "updated_at"])
    _send(record, update, audience)


def _withdraw(record: FederatedReview, audience: _Audience) -> None:
    tombstone = {"id": record.object_id, "type": "Tombstone"}
    delete = _activity("Delete", record.activity, tombstone, "delete")
    record.state = FederatedReview.State.WITHDRAWN
    record.save(update_fields=["state", "updated_at"])
    _send(record, delete, audience)


def _goes_out(review: Review | None) -> bool:
    return review is not None and review.federate and review.is_public


def federate(review_ids: Iterable[int]) -> None:
    """Tell followers what changed about these reviews (see the module's table)."""
    if not FederationSettings.current().enabled:
        return
    ids = sorted(set(review_ids))
    audience = _Audience()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        with transaction.atomic():
            reviews = {
                review.pk: review
                for review in Review.objects.filter(pk__in=chunk).select_related(
                    "author", "work", "season"
                )
            }
            records = {
                record.review_pk: record
                for record in FederatedReview.objects.select_for_update()
                .filter(review_pk__in=chunk)
                .select_related("actor")
            }
            for pk in chunk:
                review, record = reviews.get(pk), records.get(pk)
                public = record is not None and record.state == FederatedReview.State.PUBLIC
                if _goes_out(review):
                    assert review is not None
                    if public:
                        assert record is not None
                        _update(review, record, audience)
                    else:
                        _create(review, record, audience)
                elif public:
                    assert record is not None
                    _withdraw(record, audience)


def follow_changes(sender: object, changes: ChangeSet, **kwargs: object) -> None:
    """The ``content_changed`` receiver."""
    if not FederationSettings.current().enabled:
        return
    if changes.everything(Review):  # a large import: every review, and the records
        ids = set(Review.objects.values_list("pk", flat=True))
        ids |= set(FederatedReview.objects.values_list("review_pk", flat=True))
        federate(ids)
        return
    federate(changes.ids(Review))
