"""The writing desk's revisions: every saved state of a review's text, numbered.

A small model of our own rather than django-reversion: the desk needs the *number* a
browser edited from (to tell a second tab's save from its own), a working copy of a
published review that is not yet live (the reader keeps the published text until the
critic updates it), and only the fields a critic writes — reversion stores whole
serialized rows, derived HTML included, and knows neither of the first two.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

# What a revision holds: the fields the critic writes at the desk.
TEXT_FIELDS = ("title", "subtitle", "excerpt", "body", "verdict", "score", "spoils_up_to")


class Revision(models.Model):
    class Kind(models.TextChoices):
        AUTOSAVE = "autosave", "Autosaved"
        SAVE = "save", "Saved"
        RESTORE = "restore", "Restored"
        PUBLISH = "publish", "Published"
        COPY = "copy", "Copied"

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(help_text="1, 2, 3… per review; never reused.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SAVE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=300, blank=True)
    excerpt = models.TextField(blank=True)
    body = models.TextField(blank=True)
    verdict = models.CharField(max_length=10)
    score = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    spoils_up_to = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id} #{self.number} ({self.kind})"

    def text(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in TEXT_FIELDS}
