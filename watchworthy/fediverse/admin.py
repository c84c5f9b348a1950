from django.contrib import admin
from django.http import HttpRequest

from .models import (
    BlockedDomain,
    Delivery,
    FederatedComment,
    FederatedReview,
    FederationSettings,
    Follower,
)


@admin.register(FederationSettings)
class FederationSettingsAdmin(admin.ModelAdmin[FederationSettings]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return not FederationSettings.objects.exists()

    def has_delete_permission(
        self, request: HttpRequest, obj: FederationSettings | None = None
    ) -> bool:
        return False


@admin.register(BlockedDomain)
class BlockedDomainAdmin(admin.ModelAdmin[BlockedDomain]):
    list_display = ["domain", "reason", "created_at"]
    search_fields = ["domain"]


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin[Follower]):
    list_display = ["remote_actor", "actor", "domain", "created_at"]
    list_filter = ["domain"]
    readonly_fields = [
        "actor",
        "remote_actor",
        "inbox",
        "shared_inbox",
        "domain",
        "follow_activity",
    ]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["__str__", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status"]
    readonly_fields = [
        "actor", "inbox", "activity", "status", "attempts", "next_attempt_at", "last_error",
        "delivered_at",
    ]  # fmt: skip


@admin.register(FederatedReview)
class FederatedReviewAdmin(admin.ModelAdmin[FederatedReview]):
    """What followers' servers were told of each review (kept by ``publishing``)."""

    list_display = ["__str__", "object_id", "actor", "state", "generation", "updated_at"]
    list_filter = ["state"]
    readonly_fields = [
        "review_pk", "actor", "state", "generation", "object_id", "activity", "digest",
        "published_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(FederatedComment)
class FederatedCommentAdmin(admin.ModelAdmin[FederatedComment]):
    """What remote servers were told of each critic's answer (kept by ``replies_out``)."""

    list_display = ["__str__", "actor", "state", "updated_at"]
    list_filter = ["state"]
    readonly_fields = ["comment_pk", "actor", "state", "note", "digest", "inboxes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
