"""People: critics who write reviews and (later) readers who comment.

A custom user from the first migration, so that reader profiles, progress per work
and notification preferences can hang off it without swapping models later.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models

from watchworthy.core.links import reverse


class User(AbstractUser):
    display_name = models.CharField(
        max_length=80,
        blank=True,
        help_text="Shown on reviews and comments instead of the username.",
    )
    bio = models.TextField(blank=True, help_text="A few lines for the author page.")

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        indexes = [
            # The few staff among many readers, found without reading every reader:
            # every guest's comment asks whose names are reserved (accounts.names).
            models.Index(fields=["id"], condition=models.Q(is_staff=True), name="user_staff_idx"),
        ]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_pending(self) -> bool:
        """Signed up, e-mail address not confirmed yet. Confirming signs the reader in,
        so an account a moderator switched off later (inactive, but signed in
        before) is never pending again."""
        return not self.is_active and self.last_login is None

    def get_absolute_url(self) -> str:
        return reverse("reviews:author", kwargs={"username": self.username})
