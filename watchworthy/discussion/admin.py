from django.contrib import admin
from django.db import models

from watchworthy.core.siteurl import site_root

from .models import Comment
from .services import comment_moderate


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("author_name", "author_email", "review", "status", "number", "created_at")
    list_filter = ("status", "is_removed")
    search_fields = ("author_name", "author_email", "author_actor", "body", "review__title")
    list_select_related = ("review",)
    raw_id_fields = ("review", "parent", "user")
    readonly_fields = ("path", "depth", "number", "ip_address", "user_agent", "created_at",
                       "approved_at", "edited_at", "moderation_reason",
                       "author_actor")  # fmt: skip
    actions = ["approve", "mark_spam", "trash"]
    date_hierarchy = "created_at"
    # Django 6's default; without it the change page warns (an error under tests).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.action(description="Approve")
    def approve(self, request, queryset):
        comment_moderate(
            comments=queryset, status=Comment.Status.APPROVED, site_url=site_root(request)
        )

    @admin.action(description="Mark as spam")
    def mark_spam(self, request, queryset):
        comment_moderate(comments=queryset, status=Comment.Status.SPAM)

    @admin.action(description="Trash")
    def trash(self, request, queryset):
        comment_moderate(comments=queryset, status=Comment.Status.TRASH)
