"""Publishing as a status plus a time, shared by reviews and pages.

A *scheduled* item carries a future ``published_at`` and becomes public by itself when
that moment passes: :meth:`PublishingQuerySet.published` compares ``published_at``
with the current time, so no job has to flip a flag. A *draft* is never public,
whatever its time. A *published* item saved without a time goes public now.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone

from .changes import ChangeSet, mark_changed_ids
from .prepared import PreparedQuery

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

_P = TypeVar("_P", bound="Publishable")


class PublishingQuerySet(models.QuerySet[_P]):
    def published(self, now: datetime | None = None) -> Self:
        """Public items: published, or scheduled for a moment that has passed (by
        ``now``, the current time unless given)."""
        # Written as "not a draft" rather than "status in (...)" so that SQLite and
        # PostgreSQL walk the published_at index in order and stop after a page
        # (an IN list made them sort every public review first; see bench/).
        return self.filter(published_at__lte=now or timezone.now()).exclude(
            status=Publishable.Status.DRAFT
        )

    def visible_to(self, user: AbstractUser | AnonymousUser) -> Self:
        """What ``user`` may open: staff also see drafts and scheduled items."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        return self.published()


class Publishable(models.Model):
    """An abstract model with the publishing fields and rules. A subclass that sets
    its own ``Meta.constraints`` keeps these with ``*Publishable.Meta.constraints``."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When it goes (or went) public. Empty means now, on publishing.",
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="%(class)s_public_needs_time",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_publish_time()
        super().save(*args, **kwargs)

    def fill_publish_time(self, now: datetime | None = None) -> None:
        """Empty time means now: a published item without a time goes public ``now``."""
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now() if now is None else now

    @property
    def is_public(self) -> bool:
        return (
            self.status != self.Status.DRAFT
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


# --- scheduled items going live -------------------------------------------------------
#
# A scheduled item goes public when its moment passes, with no write: public queries
# compare ``published_at`` with the clock. Subscribers of the change signal still need
# to hear of it (a search index, a page cache, later the fediverse), so the moment is
# turned into a write: :func:`announce_due` flips *scheduled* to *published* and marks
# the items changed. It runs from ``manage.py publish_due`` (cron or the task worker)
# and from ``core.middleware.DueWorkMiddleware``, which costs one cache read per request and
# one query when the cache does not know the next scheduled moment.

NEXT_DUE_KEY = "core:publishing:next-due:v1"
NOTHING_SCHEDULED = 0.0
NEXT_DUE_TIMEOUT = 3600  # recomputed at least hourly, and whenever a publishable changes


def publishable_models() -> list[type[Publishable]]:
    return [m for m in apps.get_models() if issubclass(m, Publishable)]


def _next_due_query() -> models.QuerySet[Any]:
    queries = [
        model._default_manager.filter(status=Publishable.Status.SCHEDULED)
        .order_by()
        .values_list("published_at")
        for model in publishable_models()
    ]
    combined = queries[0].union(*queries[1:]) if len(queries) > 1 else queries[0]
    return combined.order_by("published_at")[:1]


# Compiled once per database (core.prepared): on a cold cache every request asks.
_NEXT_DUE: PreparedQuery[Any] = PreparedQuery(_next_due_query)


def next_due() -> datetime | None:
    """The earliest moment a scheduled item (of any publishable model) goes public."""
    if not publishable_models():
        return None
    found = _NEXT_DUE.values()
    return found[0][0] if found else None


def announce_due(now: datetime | None = None) -> int:
    """Publish every scheduled item whose moment has passed, as one change each.
    Returns how many went live."""
    now = now or timezone.now()
    announced = 0
    with transaction.atomic():
        for model in publishable_models():
            due = model._default_manager.filter(
                status=Publishable.Status.SCHEDULED, published_at__lte=now
            )
            ids = list(due.values_list("pk", flat=True))
            if ids:
                model._default_manager.filter(pk__in=ids).update(
                    status=Publishable.Status.PUBLISHED
                )
                mark_changed_ids(model, ids)
                announced += len(ids)
    cache.delete(NEXT_DUE_KEY)
    return announced


def announce_if_due(now: datetime | None = None, *, moment: float | None = None) -> None:
    """Cheap enough for every request: one cache read, unless something is due.
    ``moment``: the next one, when the caller already read it from the cache."""
    if moment is None:
        moment = cache.get(NEXT_DUE_KEY)
    if moment is None:
        due = next_due()
        moment = due.timestamp() if due else NOTHING_SCHEDULED
        cache.set(NEXT_DUE_KEY, moment, NEXT_DUE_TIMEOUT)
    now = now or timezone.now()
    if moment == NOTHING_SCHEDULED or moment > now.timestamp():
        return
    # One process announces; the others carry on serving (the pages are correct either
    # way: public queries already compare published_at with the clock).
    if cache.add(f"{NEXT_DUE_KEY}:lock", 1, 60):
        try:
            announce_due(now)
        finally:
            cache.delete(f"{NEXT_DUE_KEY}:lock")


def forget_next_due(sender: object, changes: ChangeSet, **kwargs: object) -> None:
    """A publishable was saved or removed: the next scheduled moment may have moved."""
    labels = {model._meta.label_lower for model in publishable_models()}
    if labels & changes.labels:
        cache.delete(NEXT_DUE_KEY)
