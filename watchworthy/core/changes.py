"""One signal for "public content changed", sent once per transaction, after commit.

Anything that must follow what readers can see — the page cache, the search index,
feeds, later the fediverse — subscribes to :data:`content_changed` instead of being
purged by hand from each write path::

    from watchworthy.core.changes import content_changed

    @receiver(content_changed)
    def forget_pages(sender, changes: ChangeSet, **kwargs) -> None:
        for review_id in changes.ids("reviews.review"):
            ...

Write paths say what they changed with :func:`mark_changed` (objects) or
:func:`mark_changed_ids` (a model label and primary keys, for ``update()`` and bulk
paths). Saving or deleting a model that its app registered with :func:`track` marks
it by itself (Django's ``post_save`` / ``post_delete`` / ``m2m_changed``), so the
admin and ordinary ``save()`` calls need nothing more.

**Once per transaction, after commit.** Marks made inside one transaction are
collected and delivered together, as one :class:`ChangeSet`, when it commits; a
rolled-back transaction delivers nothing. Outside a transaction (autocommit) each
mark is its own transaction and is delivered at once. A mark made inside a savepoint
that is later rolled back may still be delivered with the outer transaction:
subscribers re-read the rows by id, so a spurious change costs a re-read, never a
wrong page. A row that was deleted is simply missing when the subscriber looks.

**Changes with no write.** A scheduled review goes public when its time passes,
without any write. ``reviews.publishing.announce_due_reviews()`` turns the moment
into a write (status *scheduled* → *published*) and so into a change; it runs from a
cheap check on each request and from ``manage.py publish_due`` (see
docs/architecture.md).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Receivers get ``changes``: a ChangeSet.
content_changed = Signal()


def label_of(model: type[models.Model] | models.Model | str) -> str:
    """``"reviews.review"``: the lower-case ``app_label.model_name`` of a model."""
    if isinstance(model, str):
        return model.lower()
    return model._meta.label_lower


@dataclass(frozen=True)
class ChangeSet:
    """What one transaction changed: primary keys per model label.

    A transaction that changes more than :data:`MANY` rows of one model (a large
    import) does not list them: the label is in ``sweeping`` and :meth:`everything`
    is true for it, so a subscriber redoes all of that model (a search index
    rebuilds, a page cache empties) and memory stays flat however big the import."""

    by_label: Mapping[str, frozenset[int]] = field(default_factory=dict)
    sweeping: frozenset[str] = frozenset()
    # label -> {pk: the pk of the row that shows it (a comment's review, a review's
    # work)}, where the write knew it for certain (see mark_changed_ids): a subscriber
    # then need not look it up.
    places: Mapping[str, Mapping[int, int]] = field(default_factory=dict)

    def ids(
        self, model: type[models.Model] | str, *, including: Iterable[str] = ()
    ) -> frozenset[int]:
        """Rows of ``model`` whose content changed; with ``including``, also the rows
        of which only those aspects changed (see :data:`COUNTS`)."""
        label = label_of(model)
        found = self.by_label.get(label, frozenset())
        for aspect in including:
            found |= self.by_label.get(aspect_label(label, aspect), frozenset())
        return found

    def places_of(self, model: type[models.Model] | str, ids: Iterable[int]) -> dict[int, int]:
        """Where each of ``ids`` of ``model`` is shown, for those whose write said so."""
        known = self.places.get(label_of(model), {})
        return {pk: known[pk] for pk in ids if pk in known}

    def everything(self, model: type[models.Model] | str) -> bool:
        """Too many rows of ``model`` changed to list: treat all of them as changed."""
        return label_of(model) in self.sweeping

    def __contains__(self, model: object) -> bool:
        if not isinstance(model, str | type):
            return False
        return bool(self.ids(model)) or self.everything(model)

    def __bool__(self) -> bool:
        return any(self.by_label.values()) or bool(self.sweeping)

    @property
    def labels(self) -> frozenset[str]:
        listed = {label for label, ids in self.by_label.items() if ids}
        return frozenset(listed | self.sweeping)


# Past this many changed rows of one model in one transaction, ids are not kept.
MANY = 10_000


class _Batch:
    """The marks of one transaction, delivered by one on-commit callback."""

    def __init__(self) -> None:
        self.refs: dict[str, set[int]] = defaultdict(set)
        self.sweeping: set[str] = set()
        self.places: dict[str, dict[int, int]] = defaultdict(dict)
        self.delivered = False

    def add(self, label: str, ids: Iterable[int]) -> None:
        if label in self.sweeping:
            return
        listed = self.refs[label]
        listed.update(int(pk) for pk in ids if pk is not None)
        if len(listed) > MANY:
            self.sweeping.add(label)
            del self.refs[label]

    def place(self, label: str, places: Mapping[int, int]) -> None:
        if len(self.places[label]) + len(places) <= MANY:
            self.places[label].update(places)

    def deliver(self) -> None:
        if self.delivered:
            return
        self.delivered = True
        changes = ChangeSet(
            {label: frozenset(ids) for label, ids in self.refs.items() if ids},
            frozenset(self.sweeping),
            {label: dict(found) for label, found in self.places.items() if found},
        )
        if not changes:
            return
        for receiver, result in content_changed.send_robust(sender=ChangeSet, changes=changes):
            if isinstance(result, Exception):
                logger.error("content_changed receiver %r failed", receiver, exc_info=result)


_BATCH_ATTRIBUTE = "_watchworthy_change_batch"


def _open_batch(using: str | None) -> _Batch:
    """The batch of the current transaction, registering its delivery on first use.

    The batch is kept on the connection (one per thread). It is reused only while its
    callback is still queued: after a commit, a rollback, or the rollback of the
    savepoint it was registered in, the next mark starts a new batch."""
    connection = transaction.get_connection(using)
    batch: _Batch | None = getattr(connection, _BATCH_ATTRIBUTE, None)
    if batch is not None and not batch.delivered:
        queued = any(entry[1] == batch.deliver for entry in connection.run_on_commit)
        if queued:
            return batch
    batch = _Batch()
    setattr(connection, _BATCH_ATTRIBUTE, batch)
    transaction.on_commit(batch.deliver, using=using, robust=True)
    return batch


def start_new_batch(using: str | None = None) -> None:
    """Collect the next marks in a new batch. For tests that stand in for a commit with
    ``captureOnCommitCallbacks``: marks made before it then stay with the callback
    registered before it, and the block's own marks get a callback of their own."""
    setattr(transaction.get_connection(using), _BATCH_ATTRIBUTE, None)


# An aspect of a row that changes what pages show but none of its text: counters kept
# in step by other writes (a review's comment count, its audience votes). The page
# cache follows it (``ids(Review, including=[COUNTS])``); the search index, which
# holds no counters, does not re-index a review because a comment was posted.
COUNTS = "counts"


def aspect_label(label: str, aspect: str) -> str:
    return f"{label}:{aspect}"


def mark_changed_ids(
    model: type[models.Model] | str,
    ids: Iterable[int],
    *,
    aspect: str = "",
    places: Mapping[int, int] | None = None,
    using: str | None = None,
) -> None:
    """Record that rows ``ids`` of ``model`` changed in the current transaction; with
    ``aspect`` (such as :data:`COUNTS`), that only that aspect of them changed.

    ``places``: {pk: the row that shows it} for rows whose place the write knows for
    certain until its commit — the comment it just inserted (its review), the review
    whose row it holds locked (its work) — so that subscribers need not look it up
    after the commit. Never a value read before the transaction: another write may
    have moved the row since."""
    ids = [pk for pk in ids if pk is not None]
    if not ids:
        return
    base = label_of(model)
    label = aspect_label(base, aspect) if aspect else base
    connection = transaction.get_connection(using)
    batch = _open_batch(using) if connection.in_atomic_block else _Batch()
    batch.add(label, ids)
    if places:
        batch.place(base, places)
    if not connection.in_atomic_block:
        batch.deliver()


def mark_changed(*objects: models.Model, using: str | None = None) -> None:
    """Record that ``objects`` changed in the current transaction."""
    grouped: dict[str, list[int]] = defaultdict(list)
    for obj in objects:
        if obj is not None and obj.pk is not None:
            grouped[label_of(obj)].append(obj.pk)
    for label, ids in grouped.items():
        mark_changed_ids(label, ids, using=using)


# --- automatic marks for tracked models -----------------------------------------------

_TRACKED: set[str] = set()
# label -> fields whose saves alone change nothing readers see (``last_login``).
_IGNORED_FIELDS: dict[str, frozenset[str]] = {}


def _on_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loaddata: no side effects
        return
    update_fields = kwargs.get("update_fields")
    ignored = _IGNORED_FIELDS.get(label_of(sender))
    if update_fields and ignored and set(update_fields) <= ignored:
        return
    mark_changed(instance, using=kwargs.get("using"))


def _on_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    mark_changed(instance, using=kwargs.get("using"))


def _on_m2m(sender: type[models.Model], instance: models.Model, action: str, **kwargs: Any) -> None:
    """An m2m change marks the row it was made from and the rows it linked."""
    if not action.startswith("post_"):
        return
    using = kwargs.get("using")
    mark_changed(instance, using=using)
    if kwargs.get("pk_set") and kwargs.get("model") is not None:
        mark_changed_ids(kwargs["model"], kwargs["pk_set"], using=using)


def track(
    *model_classes: type[models.Model],
    m2m: Iterable[Any] = (),
    ignore_fields: Iterable[str] = (),
) -> None:
    """Mark every ``save()`` and ``delete()`` of these models (call from ``ready()``).

    ``m2m``: many-to-many fields (``Model.field``) whose changes mark both sides.
    ``ignore_fields``: a ``save(update_fields=...)`` touching only these marks nothing."""
    for model in model_classes:
        label = label_of(model)
        if ignore_fields:
            _IGNORED_FIELDS[label] = frozenset(ignore_fields)
        if label in _TRACKED:
            continue
        _TRACKED.add(label)
        uid = f"watchworthy.changes.{label}"
        post_save.connect(_on_save, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"{uid}.delete")
    for descriptor in m2m:
        through = descriptor.through
        m2m_changed.connect(
            _on_m2m, sender=through, dispatch_uid=f"watchworthy.changes.m2m.{label_of(through)}"
        )


def tracked_labels() -> frozenset[str]:
    return frozenset(_TRACKED)


# --- what a page depends on ------------------------------------------------------------
#
# Pages that may be cached say what they show as *tags*; the page cache (the
# ``pagecache`` app) turns each ChangeSet into the tags it touches. The names live
# here, with the signal, so that views and the cache agree without importing each other.

SITE = "site"  # on every page: the site's name, menus, support links, tags, authors
LISTS = "lists"  # any page listing review cards (home, lists, feeds, work pages)
COMMENTS = "comments"  # pages listing recent comments site-wide


def review_tag(review_id: int) -> str:
    return f"review:{review_id}"


def work_tag(work_id: int) -> str:
    return f"work:{work_id}"
