"""What the site keeps to take part in the fediverse (ActivityPub).

* :class:`FederationSettings` — one row: federate or not (off by default).
* :class:`LocalActor` — the keys of a local actor: one per critic, made the first time
  the critic is looked up, and one for the site itself (the *instance actor*, which
  signs our fetches of other servers' documents). The private key is stored encrypted
  with a key derived from ``SECRET_KEY`` and never leaves this module's helpers.
* :class:`Follower` — a remote actor who follows a critic, with the inboxes to deliver to.
* :class:`BlockedDomain` — servers whose activities are refused (403).
* :class:`RemoteComment` — a comment that came as a remote ``Note``, by its object id.
* :class:`FederatedComment` — what remote servers were last told of a critic's comment
  (a reply out: ``Create``, ``Update``, ``Delete`` of its ``Note``).
* :class:`Delivery` — one signed POST to one inbox, retried with back-off until it
  lands or gives up; a row, so nothing queued is lost when a worker restarts.

See docs/fediverse.md.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.cache import cache
from django.db import models

FEDERATION_SETTINGS_CACHE_KEY = "fediverse:settings:v1"


class FederationSettings(models.Model):
    """One row (pk=1), read through :meth:`current` (cached)."""

    enabled = models.BooleanField(
        default=False,
        help_text="Take part in the fediverse: critics can be followed from Mastodon and "
        "other servers. Off: the fediverse addresses answer 404 and nothing is sent. Turn "
        "it on only once WATCHWORTHY_SITE_URL is the site's lasting public https address: "
        "every follower remembers the critics by it.",
    )

    class Meta:
        verbose_name = "fediverse settings"
        verbose_name_plural = "fediverse settings"

    def __str__(self) -> str:
        return "Fediverse settings"

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        cache.delete(FEDERATION_SETTINGS_CACHE_KEY)

    @classmethod
    def current(cls) -> FederationSettings:
        found: FederationSettings | None = cache.get(FEDERATION_SETTINGS_CACHE_KEY)
        if found is None:
            found = cls.objects.filter(pk=1).first() or cls(pk=1)
            cache.set(FEDERATION_SETTINGS_CACHE_KEY, found, 300)
        return found


class LocalActor(models.Model):
    """The key pair of a critic (``user`` set) or of the site (``user`` empty)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fediverse_actor",
    )
    is_instance = models.BooleanField(default=False, editable=False)
    public_key_pem = models.TextField(editable=False)
    # PKCS#8 PEM, encrypted (watchworthy.fediverse.keys); never shown or exported.
    private_key_encrypted = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["is_instance"],
                condition=models.Q(is_instance=True),
                name="fediverse_one_instance_actor",
            ),
            models.CheckConstraint(
                condition=models.Q(is_instance=True, user__isnull=True)
                | models.Q(is_instance=False, user__isnull=False),
                name="fediverse_actor_is_user_or_instance",
            ),
        ]

    def __str__(self) -> str:
        return f"actor of {self.user}" if self.user_id else "instance actor"


class Follower(models.Model):
    """A remote actor following a critic. Keyed by (critic, remote actor id)."""

    actor = models.ForeignKey(LocalActor, on_delete=models.CASCADE, related_name="followers")
    remote_actor = models.URLField(max_length=2000)
    inbox = models.URLField(max_length=2000)
    shared_inbox = models.URLField(max_length=2000, blank=True)
    domain = models.CharField(max_length=255, db_index=True)
    follow_activity = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["actor", "remote_actor"], name="fediverse_follow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.remote_actor} follows {self.actor}"


class BlockedDomain(models.Model):
    """A server whose activities are refused, and its subdomains with it."""

    domain = models.CharField(
        max_length=255,
        unique=True,
        help_text="A host name such as spam.example; its subdomains are blocked too.",
    )
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args: object, **kwargs: object) -> None:
        self.domain = self.domain.strip().lower().rstrip(".")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Delivery(models.Model):
    """One activity to POST to one inbox, signed by ``actor``."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"

    actor = models.ForeignKey(LocalActor, on_delete=models.CASCADE, related_name="deliveries")
    inbox = models.URLField(max_length=2000)
    activity = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        indexes: ClassVar = [
            models.Index(fields=["status", "next_attempt_at"], name="fediverse_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.activity.get('type', '?')} to {self.inbox}"


class SentState(models.TextChoices):
    """Where a review or comment we federated stands on other servers."""

    PUBLIC = "public", "Sent"
    WITHDRAWN = "withdrawn", "Withdrawn (Delete sent)"


class FederatedReview(models.Model):
    """What followers' servers were last told about one review: the record that
    decides between ``Create`` (never sent, or withdrawn since), ``Update`` (what we
    would send now differs from ``digest``) and nothing, and that the outbox lists.

    ``review_pk`` is a plain number, not a foreign key: when the review is deleted the
    record stays, so the ``Delete`` can name the object and its id is not reused.
    ``generation`` counts the times the review was sent afresh after a withdrawal;
    servers keep tombstones of deleted ids, so each new ``Create`` names a new id."""

    State = SentState

    review_pk = models.PositiveIntegerField(unique=True)
    actor = models.ForeignKey(LocalActor, on_delete=models.CASCADE, related_name="reviews")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PUBLIC)
    generation = models.PositiveSmallIntegerField(default=1)
    object_id = models.URLField(max_length=2000)
    # The Create as the outbox shows it, its object as last sent (Create or Update).
    activity = models.JSONField()
    digest = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["actor", "state", "-published_at"], name="fediverse_outbox"),
        ]

    def __str__(self) -> str:
        return f"review {self.review_pk} ({self.get_state_display()})"


class RemoteComment(models.Model):
    """A comment that came from the fediverse as a ``Note``: its object id, so a later
    ``Update`` or ``Delete`` finds it and a reply to it lands under it, and the actor
    it is ``attributedTo``, the only one who may change it."""

    comment = models.OneToOneField(
        "discussion.Comment", on_delete=models.CASCADE, related_name="fediverse_note"
    )
    object_id = models.URLField(max_length=2000, unique=True)
    actor = models.URLField(max_length=2000)
    # Read from the author's actor document when the reply came: how a critic's answer
    # mentions them ("@alice@peer.example") and where it is delivered.
    handle = models.CharField(max_length=80, blank=True, default="")
    inbox = models.URLField(max_length=2000, blank=True, default="")
    shared_inbox = models.URLField(max_length=2000, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.object_id


class FederatedComment(models.Model):
    """What remote servers were last told of a critic's comment (a reply out), like
    :class:`FederatedReview` for reviews: the ``Note`` as last sent (also what
    ``/objects/comments/ID`` serves while it is out), its digest, and the inboxes it
    went to, so an ``Update`` or ``Delete`` reaches every server that has it.

    ``comment_pk`` is a plain number: a deleted comment's record stays, so its
    ``Delete`` can still be sent."""

    State = SentState

    comment_pk = models.PositiveIntegerField(unique=True)
    actor = models.ForeignKey(LocalActor, on_delete=models.CASCADE, related_name="comments")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PUBLIC)
    note = models.JSONField()
    digest = models.CharField(max_length=64)
    inboxes = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"comment {self.comment_pk} ({self.get_state_display()})"
