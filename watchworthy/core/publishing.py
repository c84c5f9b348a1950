"""Publishing as a status plus a time, shared by reviews and pages.

A *scheduled* item carries a future ``published_at`` and becomes public by itself when
that moment passes: :meth:`PublishingQuerySet.published` compares ``published_at``
with the current time, so no job has to flip a flag. A *draft* is never public,
whatever its time. A *published* item saved without a time goes public now.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PublishingQuerySet(models.QuerySet):
    def published(self):
        """Public items: published, or scheduled for a moment that has passed."""
        # Written as "not a draft" rather than "status in (...)" so that SQLite and
        # PostgreSQL walk the published_at index in order and stop after a page
        # (an IN list made them sort every public review first; see bench/).
        return self.filter(published_at__lte=timezone.now()).exclude(
            status=Publishable.Status.DRAFT
        )

    def visible_to(self, user):
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

    def save(self, *args, **kwargs) -> None:
        self.fill_publish_time()
        super().save(*args, **kwargs)

    def fill_publish_time(self, now=None) -> None:
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
